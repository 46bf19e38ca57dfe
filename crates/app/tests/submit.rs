//! A department submits records: the caller's source only, the same
//! pipeline and statistics as an import of the same rows, idempotent, and
//! for the department role only.

use std::path::Path;
use std::sync::Arc;

use jiff::civil::date;
use serde_json::{Value, json};
use xinyong_app::{App, AppConfig, ErrorCode, FixedClock, ImportRequest, Principal, Role};
use xinyong_core::uscc::{compute_check_char, compute_org_check_char};

fn uscc(n: u32) -> String {
    let org8 = format!("{n:08}");
    let org = format!("{org8}{}", compute_org_check_char(&org8).unwrap());
    let first17 = format!("91210804{org}");
    format!("{first17}{}", compute_check_char(&first17).unwrap())
}

async fn app(dir: &Path) -> App {
    let cfg = AppConfig {
        data_dir: dir.join("data"),
        database_url: None,
    };
    App::open(&cfg, Arc::new(FixedClock::on(date(2026, 6, 1))))
        .await
        .unwrap()
}

fn clerk(department: &str) -> Principal {
    Principal {
        account_id: Some(9),
        username: "scjg-clerk".into(),
        role: Role::Department,
        uscc: None,
        department: Some(department.into()),
    }
}

fn penalty(id: &str, source: &str, fine: u32) -> Value {
    json!({"id": id, "kind": "penalty", "subject": uscc(1), "source": source,
           "date": "2026-05-10", "procedure": "general", "sanctions": ["fine"], "fine_cny": fine})
}

/// Rows 1, 3: valid; 2: another department's; 4: invalid (no date); 5: not an object.
fn rows() -> Vec<Value> {
    let mut bad = penalty("SCJG-3", "SCJG", 300);
    bad.as_object_mut().unwrap().remove("date");
    vec![
        penalty("SCJG-1", "SCJG", 100),
        penalty("SW-1", "SW", 200),
        penalty("SCJG-2", "SCJG", 300),
        bad,
        json!(42),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submission_stores_its_own_rows_and_names_the_rejected_ones() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path()).await;
    let out = app.submit_records(&clerk("SCJG"), rows()).await.unwrap();
    assert_eq!((out.accepted, out.rejected, out.unchanged), (2, 3, 0));
    let rows_named: Vec<u64> = out.errors.iter().map(|e| e.row).collect();
    assert!(rows_named.contains(&2) && rows_named.contains(&4) && rows_named.contains(&5));
    assert!(!rows_named.contains(&1) && !rows_named.contains(&3));
    let wrong = out.errors.iter().find(|e| e.row == 2).unwrap();
    assert_eq!(wrong.field, "source");
    assert!(wrong.reason.contains("SCJG"), "{}", wrong.reason);
    assert!(
        out.errors.iter().any(|e| e.row == 4 && e.field == "date"),
        "{:?}",
        out.errors
    );
    let json = serde_json::to_value(&out).unwrap();
    assert_eq!(
        json.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["accepted", "rejected", "warnings", "unchanged", "errors"]
    );

    let store =
        xinyong_store::Store::open(&xinyong_store::StoreConfig::sqlite(dir.path().join("data")))
            .await
            .unwrap();
    let stored = store
        .record("SCJG", "SCJG-1")
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(stored.provenance.actor, "scjg-clerk");
    assert!(
        store.record("SW", "SW-1").await.unwrap().is_none(),
        "never stored"
    );

    // Resubmitting changes nothing.
    let again = app.submit_records(&clerk("SCJG"), rows()).await.unwrap();
    assert_eq!((again.accepted, again.unchanged, again.rejected), (0, 2, 3));
    // A changed row is a new version.
    let changed = app
        .submit_records(&clerk("SCJG"), vec![penalty("SCJG-1", "SCJG", 150)])
        .await
        .unwrap();
    assert_eq!((changed.accepted, changed.rejected), (1, 0));
    assert!(changed.errors.is_empty());
    assert_eq!(
        store
            .record("SCJG", "SCJG-1")
            .await
            .unwrap()
            .unwrap()
            .version,
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statistics_equal_those_of_an_import_of_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let submitted = app(&dir.path().join("a")).await;
    let imported = app(&dir.path().join("b")).await;
    let own: Vec<Value> = rows()
        .into_iter()
        .filter(|r| r.get("source").and_then(Value::as_str) == Some("SCJG"))
        .collect();
    let out = submitted
        .submit_records(&clerk("SCJG"), own.clone())
        .await
        .unwrap();
    let file = dir.path().join("same.jsonl");
    let text: Vec<String> = own.iter().map(|r| r.to_string()).collect();
    std::fs::write(&file, text.join("\n") + "\n").unwrap();
    let report = imported
        .import_files(ImportRequest {
            files: vec![file],
            actor: "x".into(),
            channel: "cli".into(),
            chunk_rows: ImportRequest::DEFAULT_CHUNK_ROWS,
            progress: None,
            reevaluate: true,
        })
        .await
        .unwrap()
        .report;
    assert_eq!(
        (out.accepted, out.rejected, out.warnings, out.unchanged),
        (
            report.counts.accepted,
            report.counts.rejected,
            report.counts.warnings,
            report.counts.unchanged
        )
    );
    assert_eq!((out.accepted, out.rejected), (2, 1));
    let a = submitted.department_stats().await.unwrap();
    let b = imported.department_stats().await.unwrap();
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    assert!(
        a.iter()
            .any(|s| s.source == "SCJG" && s.rejected == 1 && s.records == 2)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_department_submits_and_within_the_row_limit() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path()).await;
    let code = |r: Result<xinyong_app::SubmitOutcome, xinyong_app::AppError>| r.unwrap_err().code;
    assert_eq!(
        code(app.submit_records(&Principal::public(), rows()).await),
        ErrorCode::Unauthenticated
    );
    for role in [
        Role::Admin,
        Role::Officer,
        Role::Enterprise,
        Role::Bank,
        Role::Auditor,
    ] {
        let mut p = clerk("SCJG");
        p.role = role;
        assert_eq!(
            code(app.submit_records(&p, rows()).await),
            ErrorCode::Forbidden,
            "{role}"
        );
    }
    let mut nodept = clerk("SCJG");
    nodept.department = None;
    assert_eq!(
        code(app.submit_records(&nodept, rows()).await),
        ErrorCode::Forbidden
    );
    let e = app
        .submit_records(&clerk("SCJG"), Vec::new())
        .await
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::InvalidRequest, Some("records"))
    );
    let many = vec![json!(1); 10_001];
    let e = app.submit_records(&clerk("SCJG"), many).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidRequest);
    // 10,000 rows are allowed (all rejected here: none is a record).
    let most = vec![json!(1); 10_000];
    let out = app.submit_records(&clerk("SCJG"), most).await.unwrap();
    assert_eq!((out.accepted, out.rejected), (0, 10_000));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submission_brings_the_search_index_in_step_before_it_returns() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path()).await;
    // A subject stored by another process after this application opened.
    let store =
        xinyong_store::Store::open(&xinyong_store::StoreConfig::sqlite(dir.path().join("data")))
            .await
            .unwrap();
    let s = dir.path().join("s.jsonl");
    std::fs::write(
        &s,
        format!(
            r#"{{"uscc":"{}","name":"营口恒中机械有限公司","type":"enterprise","region":"210804"}}"#,
            uscc(1)
        ) + "\n",
    )
    .unwrap();
    xinyong_import::import_files(
        &store,
        &[s],
        &xinyong_import::ImportOptions::default(),
        None,
    )
    .await
    .unwrap();
    assert!(app.search("恒中机械", 5).await.unwrap().is_empty());
    app.submit_records(&clerk("SCJG"), vec![penalty("SCJG-1", "SCJG", 100)])
        .await
        .unwrap();
    assert_eq!(app.search("恒中机械", 5).await.unwrap()[0].uscc, uscc(1));
}
