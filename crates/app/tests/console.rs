//! The credit office's console use cases over a generated city: the
//! distribution of each model's outcomes per full run (equal to the run's
//! own counts, oldest run first, incremental runs left out), the API token
//! list, and evaluations started and cancelled as audited tasks; each
//! refused to the roles the table does not admit, bad input named.

use std::sync::Arc;

use jiff::civil::date;
use xinyong_app::*;

mod common;

use common::{generated_city, principal};

async fn evaluate(app: &App, as_of: jiff::civil::Date) -> RunManifest {
    app.evaluate_all(
        &EvaluateRequest {
            as_of: Some(as_of),
            trigger: "test".into(),
            ..EvaluateRequest::default()
        },
        &RunControl::default(),
    )
    .await
    .unwrap()
    .manifest
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distributions_are_each_full_runs_counts_oldest_first() {
    let dir = tempfile::tempdir().unwrap();
    let app = generated_city(dir.path(), 30, 9, common::CITY_DAY).await;
    let admin = principal(&app, Role::Admin, "root", None).await;
    assert!(
        app.result_distributions(&admin, 12)
            .await
            .unwrap()
            .is_empty(),
        "no run, no distribution"
    );
    // Written newest as-of first: the trend is ordered by as-of date.
    let june = evaluate(&app, date(2026, 6, 30)).await;
    let march = evaluate(&app, date(2026, 3, 31)).await;
    // An incremental run is no point of the trend.
    let usccs: Vec<String> = std::fs::read_to_string(dir.path().join("input/subjects.jsonl"))
        .unwrap()
        .lines()
        .take(3)
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["uscc"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    app.reevaluate(&usccs, None, "test").await.unwrap();

    let dist = app.result_distributions(&admin, 12).await.unwrap();
    let counts = |m: &RunManifest| {
        let app = Arc::clone(&app);
        let m = m.clone();
        async move { app.outcome_counts(&m).await.unwrap() }
    };
    let (march_counts, june_counts) = (counts(&march).await, counts(&june).await);
    // Every subject-level model in force that gave a line (a model kept for
    // some subjects, as gov-integrity for government agencies, has none in
    // a city without them).
    let in_force: Vec<String> = app
        .models_in_force()
        .unwrap()
        .into_iter()
        .filter(|m| m.kind != "record")
        .filter(|m| june_counts.iter().any(|(id, _, _)| *id == m.id))
        .map(|m| m.id)
        .collect();
    assert!(in_force.len() >= 6, "{in_force:?}");
    assert_eq!(
        dist.iter().map(|m| m.model.clone()).collect::<Vec<_>>(),
        in_force,
        "every subject-level model in force with results, in their order"
    );
    for m in &dist {
        assert_eq!(m.runs.len(), 2, "{}", m.model);
        assert_eq!(m.runs[0].run_id, march.id);
        assert_eq!(m.runs[1].run_id, june.id);
        for (run, of_run) in m.runs.iter().zip([&march_counts, &june_counts]) {
            // Every outcome of the run, with its count; zeros for the
            // outcomes another run had.
            for (model, outcome, n) in of_run.iter().filter(|(id, _, _)| *id == m.model) {
                let c = run
                    .counts
                    .iter()
                    .find(|c| c.outcome == *outcome)
                    .unwrap_or_else(|| panic!("{model} {outcome}"));
                assert_eq!(c.count, *n, "{model} {outcome}");
            }
            assert_eq!(run.total, run.counts.iter().map(|c| c.count).sum::<u64>());
            assert!(
                run.total > 0 && run.total <= 30,
                "{}: at most one result per subject",
                m.model
            );
        }
        let outcomes = |i: usize| {
            m.runs[i]
                .counts
                .iter()
                .map(|c| c.outcome.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(outcomes(0), outcomes(1), "the same outcomes in each run");
    }
    // Labels come from the model file.
    let anhui = dist.iter().find(|m| m.model == "anhui-class").unwrap();
    assert!(
        anhui.runs[1]
            .counts
            .iter()
            .all(|c| c.label != c.outcome || c.count == 0),
        "{:?}",
        anhui.runs[1].counts
    );
    // Reaching back one run: the latest only.
    let latest = app.result_distributions(&admin, 1).await.unwrap();
    assert!(
        latest
            .iter()
            .all(|m| m.runs.len() == 1 && m.runs[0].run_id == june.id)
    );

    // Bad input and the roles not admitted.
    for runs in [0, MAX_TREND_RUNS + 1] {
        let e = app.result_distributions(&admin, runs).await.unwrap_err();
        assert_eq!(e.field.as_deref(), Some("runs"));
    }
    let auditor = principal(&app, Role::Auditor, "jjw", None).await;
    let e = app.result_distributions(&auditor, 12).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    let e = app
        .result_distributions(&Principal::public(), 12)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Unauthenticated);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evaluations_start_and_cancel_as_audited_tasks_and_tokens_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let app = generated_city(dir.path(), 30, 9, common::CITY_DAY).await;
    let admin = principal(&app, Role::Admin, "root", None).await;
    let auditor = principal(&app, Role::Auditor, "jjw", None).await;
    let bank = principal(&app, Role::Bank, "bank1", Some("BANK1")).await;

    // Bad input names its field; nothing starts.
    let e = app
        .start_evaluation_task(&admin, "30/06/2026", Vec::new())
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("as_of"));
    let e = app
        .start_evaluation_task(&admin, "", vec!["no-such-model".into()])
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("models"));
    let e = app
        .start_evaluation_task(&auditor, "", Vec::new())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert!(app.list_tasks(&admin).unwrap().is_empty());

    // Started and cancelled at once: it ends cancelled, no run stored.
    let task = app
        .start_evaluation_task(&admin, "2026-06-30", Vec::new())
        .await
        .unwrap();
    let cancelled = app.cancel_evaluation_task(&admin, task.id).await;
    let mut info = app.task(&admin, task.id).unwrap();
    for _ in 0..600 {
        if info.status != TaskStatus::Running {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        info = app.task(&admin, task.id).unwrap();
    }
    let log: Vec<AuditEntry> = app
        .audit_entries(
            &auditor,
            &AuditFilter {
                actor: Some("root".into()),
                ..AuditFilter::default()
            },
        )
        .await
        .unwrap();
    let start = log
        .iter()
        .find(|e| e.action == "evaluation.start")
        .expect("the start is audited");
    assert_eq!(start.detail["task"], task.id);
    assert_eq!(start.detail["as_of"], "2026-06-30");
    match cancelled {
        // Cancelled while it ran (the usual case): audited, nothing stored.
        Ok(_) => {
            assert_eq!(info.status, TaskStatus::Cancelled);
            assert!(log.iter().any(|e| e.action == "task.cancel"));
            assert!(app.stored_runs(&admin, 10).await.unwrap().is_empty());
        }
        // Finished before the request: a conflict, nothing audited.
        Err(e) => {
            assert_eq!(e.code, ErrorCode::Conflict);
            assert!(!log.iter().any(|e| e.action == "task.cancel"));
        }
    }
    // Cancelling a task that is over: a conflict.
    let e = app
        .cancel_evaluation_task(&admin, task.id)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
    let e = app.cancel_evaluation_task(&admin, 999).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);

    // The token list: the bank's token, its revocation; audited reads.
    assert!(app.list_api_tokens(&admin).await.unwrap().is_empty());
    let issued = app
        .create_api_token(&admin, &bank.username, "查询")
        .await
        .unwrap();
    app.revoke_api_token(&admin, issued.id).await.unwrap();
    let tokens = app.list_api_tokens(&admin).await.unwrap();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].id, issued.id);
    assert_eq!(tokens[0].username, "bank1");
    assert_eq!(tokens[0].role, "bank");
    assert_eq!(tokens[0].created_by, "root");
    assert_eq!(tokens[0].revoked_by.as_deref(), Some("root"));
    assert!(tokens[0].revoked_at.is_some());
    let e = app.list_api_tokens(&auditor).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    let reads = app
        .audit_entries(
            &auditor,
            &AuditFilter {
                action: Some("api_token.list".into()),
                ..AuditFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(reads.len(), 2);
    assert_eq!(reads[1].detail["returned"], 1);
}
