//! Submissions are re-evaluated by re-evaluation rounds: not while the
//! request waits, but by the next round, which reads what to re-evaluate
//! from the store — so a process that stopped before re-evaluating leaves
//! nothing stale for the next one.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use jiff::civil::date;
use serde_json::{Value, json};
use xinyong_app::{
    App, AppConfig, EvaluateRequest, FixedClock, ImportRequest, Principal, Role, RunControl,
};

const A: &str = "91210804MA0Y123404";

async fn app(dir: &Path) -> App {
    let cfg = AppConfig {
        data_dir: dir.join("data"),
        database_url: None,
    };
    App::open(&cfg, Arc::new(FixedClock::on(date(2026, 6, 1))))
        .await
        .unwrap()
}

fn clerk() -> Principal {
    Principal {
        account_id: Some(9),
        username: "scjg-clerk".into(),
        role: Role::Department,
        uscc: None,
        department: Some("SCJG".into()),
    }
}

fn penalty(id: &str, day: &str) -> Value {
    json!({"id": id, "kind": "penalty", "subject": A, "source": "SCJG", "date": day,
           "procedure": "general", "sanctions": ["fine"], "fine_cny": 20000})
}

/// The run of the subject's latest stored `anhui-class` result.
async fn latest_run(app: &App) -> String {
    app.history(A, Some("anhui-class"), false)
        .await
        .unwrap()
        .last()
        .expect("results")
        .run
        .clone()
}

async fn evaluated_city(dir: &Path) -> (App, String) {
    let app = app(dir).await;
    let file = dir.join("subjects.jsonl");
    std::fs::write(
        &file,
        format!(
            "{}\n{}\n",
            json!({"uscc": A, "name": "营口测试有限公司", "type": "enterprise", "established_on": "2010-03-01"}),
            penalty("P1", "2026-01-10")
        ),
    )
    .unwrap();
    app.import_files(ImportRequest {
        files: vec![file],
        actor: "test".into(),
        channel: "test".into(),
        chunk_rows: ImportRequest::DEFAULT_CHUNK_ROWS,
        progress: None,
        reevaluate: true,
    })
    .await
    .unwrap();
    let full = app
        .evaluate_all(&EvaluateRequest::default(), &RunControl::default())
        .await
        .unwrap()
        .manifest
        .id;
    (app, full)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submission_left_unevaluated_by_a_stopped_process_is_caught_up_by_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let (first, full) = evaluated_city(dir.path()).await;
    assert_eq!(
        first.catch_up_reevaluation().await.unwrap().map(|r| r.run),
        None,
        "the full run's mark covers everything stored before it"
    );
    let out = first
        .submit_records(&clerk(), vec![penalty("P2", "2026-05-20")])
        .await
        .unwrap();
    assert_eq!(out.accepted, 1);
    assert_eq!(
        latest_run(&first).await,
        full,
        "the request does not wait for the re-evaluation"
    );
    // The process stops before any round ran.
    drop(first);

    let next = app(dir.path()).await;
    let re = next
        .catch_up_reevaluation()
        .await
        .unwrap()
        .expect("the submitted version is beyond the mark");
    assert!(!re.full);
    assert_eq!(re.subjects, 1);
    assert_eq!(latest_run(&next).await, re.run);
    assert!(
        next.catch_up_reevaluation().await.unwrap().is_none(),
        "nothing beyond the new mark"
    );
    // Resubmitting the same row stores nothing: no round is due.
    next.submit_records(&clerk(), vec![penalty("P2", "2026-05-20")])
        .await
        .unwrap();
    assert!(next.catch_up_reevaluation().await.unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_background_reevaluator_runs_one_round_for_submissions_close_together() {
    let dir = tempfile::tempdir().unwrap();
    let (app, full) = evaluated_city(dir.path()).await;
    let app = Arc::new(app);
    app.spawn_reevaluator(Duration::from_secs(2));
    // Its first round (nothing beyond the full run's mark) is over long
    // before this.
    tokio::time::sleep(Duration::from_secs(1)).await;
    for (id, day) in [
        ("P2", "2026-05-20"),
        ("P3", "2026-05-21"),
        ("P4", "2026-05-22"),
    ] {
        let out = app
            .submit_records(&clerk(), vec![penalty(id, day)])
            .await
            .unwrap();
        assert_eq!(out.accepted, 1);
    }
    let mut run = full.clone();
    for _ in 0..400 {
        run = latest_run(&app).await;
        if run != full {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_ne!(run, full, "re-evaluated in the background");
    let history = app.history(A, Some("anhui-class"), false).await.unwrap();
    let runs: std::collections::BTreeSet<&str> = history.iter().map(|r| r.run.as_str()).collect();
    assert_eq!(
        runs.len(),
        2,
        "three submissions within the delay share one incremental run: {runs:?}"
    );
    assert!(app.catch_up_reevaluation().await.unwrap().is_none());
    app.shutdown_tasks().await;
}
