//! The workflows through the application layer (docs/WORKFLOWS.md), with
//! the clock set to the days that matter: objections (disputed at once,
//! corrected → new version and re-evaluation, upheld → mark removed,
//! overdue from the 21st working day, concurrent decisions), credit repair
//! (refused before `repairable_from` with that date, approved → hidden, no
//! longer counted, class improved, partner notified through the outbox) and
//! commitments (a missed due day → breach → anhui `D3`, the route barred).

use std::path::Path;
use std::sync::Arc;

use jiff::civil::{Date, date};
use serde_json::{Value, json};
use xinyong_app::{
    App, AppConfig, AuditEvent, CaseDecision, ErrorCode, EvaluateRequest, FixedClock,
    ImportRequest, Principal, RecordKey, Role, RunControl, SignCommitment, WorkflowQuery,
};

const A: &str = "91210804MA0Y123404";

fn cfg(dir: &Path) -> AppConfig {
    AppConfig {
        data_dir: dir.join("data"),
        database_url: None,
    }
}

async fn app_on(dir: &Path, day: Date) -> App {
    App::open(&cfg(dir), Arc::new(FixedClock::on(day)))
        .await
        .unwrap()
}

fn who(role: Role, name: &str, uscc: Option<&str>, department: Option<&str>) -> Principal {
    Principal {
        account_id: Some(1),
        username: name.into(),
        role,
        uscc: uscc.map(str::to_owned),
        department: department.map(str::to_owned),
    }
}

fn enterprise() -> Principal {
    who(Role::Enterprise, "ent-a", Some(A), None)
}

fn clerk(dept: &str) -> Principal {
    who(Role::Department, &format!("{dept}-clerk"), None, Some(dept))
}

fn admin() -> Principal {
    who(Role::Admin, "admin", None, None)
}

fn penalty(id: &str, day: &str, extra: Value) -> Value {
    let mut v = json!({"id": id, "kind": "penalty", "subject": A, "source": "SCJG", "date": day,
           "procedure": "general", "sanctions": ["fine"], "fine_cny": 20000});
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

/// Subject A with the given records, imported on `day`; evaluated in full
/// when `evaluate`.
async fn city(dir: &Path, day: Date, records: &[Value], evaluate: bool) -> App {
    let app = app_on(dir, day).await;
    let subjects = dir.join("subjects.jsonl");
    std::fs::write(
        &subjects,
        format!(
            "{}\n",
            json!({"uscc": A, "name": "营口测试有限公司", "type": "enterprise", "established_on": "2010-03-01"})
        ),
    )
    .unwrap();
    let mut files = vec![subjects];
    if !records.is_empty() {
        let file = dir.join("records.jsonl");
        let text: String = records.iter().map(|r| format!("{r}\n")).collect();
        std::fs::write(&file, text).unwrap();
        files.push(file);
    }
    app.import_files(ImportRequest {
        files,
        actor: "test".into(),
        channel: "test".into(),
        chunk_rows: ImportRequest::DEFAULT_CHUNK_ROWS,
        progress: None,
        reevaluate: true,
    })
    .await
    .unwrap();
    if evaluate {
        app.evaluate_all(&EvaluateRequest::default(), &RunControl::default())
            .await
            .unwrap();
    }
    app
}

/// Every version of a record, from the store itself.
async fn history(dir: &Path, source: &str, id: &str) -> Vec<xinyong_store::StoredRecord> {
    let store = xinyong_store::Store::open(&xinyong_store::StoreConfig::sqlite(dir.join("data")))
        .await
        .unwrap();
    store.record_history(source, id).await.unwrap()
}

fn key(id: &str) -> RecordKey {
    RecordKey {
        source: "SCJG".into(),
        id: id.into(),
    }
}

fn decision(d: &str, reasons: &str) -> CaseDecision {
    CaseDecision {
        decision: d.into(),
        reasons: reasons.into(),
        ..CaseDecision::default()
    }
}

/// The latest stored `anhui-class` line of A.
async fn anhui(app: &App) -> (String, Value) {
    let r = app
        .history(A, Some("anhui-class"), false)
        .await
        .unwrap()
        .last()
        .expect("an anhui-class result")
        .clone();
    (r.run, r.line)
}

fn public_line(p: &xinyong_app::PublicProfile, id: &str) -> Option<Value> {
    p.records
        .iter()
        .find(|r| r["id"] == id)
        .map(|r| Value::Object(r.clone()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_objection_disputes_at_once_and_a_correction_is_a_new_version_re_evaluated() {
    let dir = tempfile::tempdir().unwrap();
    let day = date(2026, 6, 1);
    let app = city(
        dir.path(),
        day,
        &[
            penalty("P1", "2026-01-10", json!({})),
            penalty("P2", "2026-02-10", json!({})),
        ],
        true,
    )
    .await;
    let (run_before, _) = anhui(&app).await;

    // Filed by the enterprise: open, decided within 20 working days.
    let filed = app
        .file_objection(&enterprise(), &key("P1"), "error", "罚款金额录入错误", &[])
        .await
        .unwrap();
    assert_eq!(filed.status, "open");
    // 2026-06-19 is the Dragon Boat Festival holiday.
    assert_eq!(filed.decide_by, "2026-06-30");
    let p = app.public_profile(A).await.unwrap();
    assert_eq!(public_line(&p, "P1").unwrap()["disputed"], true);
    assert_eq!(public_line(&p, "P2").unwrap()["disputed"], false);

    // A second objection on the same record while undecided: conflict.
    let e = app
        .file_objection(&Principal::public(), &key("P1"), "other", "再次异议", &[])
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
    // Bad input names its field.
    let e = app
        .file_objection(&enterprise(), &key("P2"), "wrong", "x", &[])
        .await
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::InvalidRequest, Some("grounds"))
    );
    let e = app
        .file_objection(&enterprise(), &key("P2"), "error", "  ", &[])
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("statement"));
    // Another enterprise's record, a record that does not exist.
    let other = who(Role::Enterprise, "ent-b", Some("91210804MA0Y1235XX"), None);
    assert_eq!(
        app.file_objection(&other, &key("P2"), "error", "x", &[])
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    assert_eq!(
        app.file_objection(&enterprise(), &key("NOPE"), "error", "x", &[])
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );

    // Only the producing department (or the credit office) decides.
    let correct = CaseDecision {
        decision: "corrected".into(),
        reasons: "经核实罚款金额应为 2000 元".into(),
        changes: json!({"fine_cny": 2000}).as_object().unwrap().clone(),
        ..CaseDecision::default()
    };
    for (by, code) in [
        (clerk("SWJ"), ErrorCode::Forbidden),
        (enterprise(), ErrorCode::Forbidden),
        (Principal::public(), ErrorCode::Unauthenticated),
    ] {
        let e = app
            .decide_objection(&by, filed.objection_id, &correct)
            .await
            .unwrap_err();
        assert_eq!(e.code, code, "{by:?}");
    }
    let item = app
        .decide_objection(&clerk("SCJG"), filed.objection_id, &correct)
        .await
        .unwrap();
    assert_eq!(item.status, "corrected");
    assert_eq!(item.status_label, "已更正");
    assert_eq!(
        item.decision.as_ref().unwrap().reasons,
        "经核实罚款金额应为 2000 元"
    );

    // A new version with the objection as reason; no longer disputed.
    let versions = history(dir.path(), "SCJG", "P1").await;
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1].body["fine_cny"], 2000);
    assert!(
        versions[1]
            .provenance
            .reason
            .contains(&format!("workflow case {}", filed.objection_id))
    );
    assert_eq!(versions[1].provenance.actor, "SCJG-clerk");
    let p = app.public_profile(A).await.unwrap();
    let p1 = public_line(&p, "P1").unwrap();
    assert_eq!(p1["disputed"], false);
    assert_eq!(p1["fine_cny"], 2000);
    // Re-evaluated at once: a new run holds A's result.
    let (run_after, _) = anhui(&app).await;
    assert_ne!(run_after, run_before);

    // Decided: a second decision is a conflict.
    let e = app
        .decide_objection(
            &clerk("SCJG"),
            filed.objection_id,
            &decision("upheld", "原记录无误"),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);

    // Upheld: the mark is removed, the record unchanged.
    let filed2 = app
        .file_objection(&Principal::public(), &key("P2"), "error", "记录有误", &[])
        .await
        .unwrap();
    let p = app.public_profile(A).await.unwrap();
    assert_eq!(public_line(&p, "P2").unwrap()["disputed"], true);
    let item = app
        .decide_objection(
            &admin(),
            filed2.objection_id,
            &decision("upheld", "原记录无误"),
        )
        .await
        .unwrap();
    assert_eq!(item.status, "upheld");
    let p = app.public_profile(A).await.unwrap();
    assert_eq!(public_line(&p, "P2").unwrap()["disputed"], false);
    assert_eq!(history(dir.path(), "SCJG", "P2").await.len(), 1);

    // The enterprise sees its cases with status and decision; the
    // department its own queue.
    let mine = app
        .workflow_items(&enterprise(), &WorkflowQuery::default())
        .await
        .unwrap();
    assert_eq!(mine.len(), 2);
    let queue = app
        .workflow_items(&clerk("SWJ"), &WorkflowQuery::default())
        .await
        .unwrap();
    assert!(queue.is_empty());
    // Every step audited.
    let actions: Vec<String> = app
        .audit_entries(&admin(), &xinyong_app::AuditFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        actions.contains(&"objection.file".to_owned()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"objection.decide".to_owned()),
        "{actions:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withdrawal_on_objection_stops_the_record_counting() {
    let dir = tempfile::tempdir().unwrap();
    let app = city(
        dir.path(),
        date(2026, 6, 1),
        &[penalty("P1", "2026-01-10", json!({}))],
        true,
    )
    .await;
    let (_, before) = anhui(&app).await;
    assert!(before.to_string().contains("\"D2\""), "{before}");
    let filed = app
        .file_objection(&enterprise(), &key("P1"), "error", "并无此处罚", &[])
        .await
        .unwrap();
    let d = CaseDecision {
        decision: "corrected".into(),
        reasons: "录入错误，予以撤销".into(),
        withdraw_record: true,
        ..CaseDecision::default()
    };
    app.decide_objection(&clerk("SCJG"), filed.objection_id, &d)
        .await
        .unwrap();
    let p = app.public_profile(A).await.unwrap();
    assert!(public_line(&p, "P1").is_none());
    let (_, after) = anhui(&app).await;
    assert!(!after.to_string().contains("\"D2\""), "{after}");
}

/// A process that died after storing a decision's event but before writing
/// the record version the event asks for (the crash harness found a
/// withdrawal lost that way on PostgreSQL, until the next workflow step):
/// the next opening of the store writes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decisions_record_version_left_unwritten_by_a_dead_process_is_written_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let app = city(
        dir.path(),
        date(2026, 6, 1),
        &[penalty("P1", "2026-01-10", json!({}))],
        true,
    )
    .await;
    let filed = app
        .file_objection(&enterprise(), &key("P1"), "error", "并无此处罚", &[])
        .await
        .unwrap();
    drop(app);
    // What the dead process had stored: the decision's event with the
    // withdrawal it asks for, and nothing more.
    let store =
        xinyong_store::Store::open(&xinyong_store::StoreConfig::sqlite(dir.path().join("data")))
            .await
            .unwrap();
    let case = store.case(filed.objection_id).await.unwrap().unwrap();
    let current = store.record("SCJG", "P1").await.unwrap().unwrap();
    let mut body = current.body.clone();
    body.insert("withdrawn".into(), json!(true));
    let event = xinyong_store::CaseEvent {
        seq: case.last_seq + 1,
        event: "{}".into(),
        event_kind: "decide".into(),
        state: "{}".into(),
        status: "corrected".into(),
        deadline: None,
        closed: true,
        effects: "[]".into(),
        actor: "clerk".into(),
        role: "department".into(),
        on_day: "2026-06-01".into(),
        reasons: "录入错误，予以撤销".into(),
        evidence: "[]".into(),
        record_write: Some(Value::Object(body).to_string()),
        base_version: Some(i64::from(current.version)),
        notifications: Vec::new(),
    };
    assert!(
        store
            .append_case_event(case.id, &event)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(store.pending_record_writes().await.unwrap().len(), 1);
    drop(store);
    assert_eq!(history(dir.path(), "SCJG", "P1").await.len(), 1);

    let app = app_on(dir.path(), date(2026, 6, 1)).await;
    let versions = history(dir.path(), "SCJG", "P1").await;
    assert_eq!(versions.len(), 2, "{versions:?}");
    assert_eq!(versions[1].body["withdrawn"], json!(true));
    assert!(
        versions[1]
            .provenance
            .reason
            .contains(&format!("workflow case {}", case.id)),
        "{:?}",
        versions[1].provenance
    );
    // Written once: opening again finds nothing pending.
    drop(app);
    let _again = app_on(dir.path(), date(2026, 6, 1)).await;
    assert_eq!(history(dir.path(), "SCJG", "P1").await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clerks_deciding_at_once_store_exactly_one_decision() {
    let dir = tempfile::tempdir().unwrap();
    let app = city(
        dir.path(),
        date(2026, 6, 1),
        &[penalty("P1", "2026-01-10", json!({}))],
        false,
    )
    .await;
    let filed = app
        .file_objection(&enterprise(), &key("P1"), "error", "金额有误", &[])
        .await
        .unwrap();
    let correct = CaseDecision {
        decision: "corrected".into(),
        reasons: "更正金额".into(),
        changes: json!({"fine_cny": 5000}).as_object().unwrap().clone(),
        ..CaseDecision::default()
    };
    let upheld = decision("upheld", "原记录无误");
    let a = clerk("SCJG");
    let b = who(Role::Department, "SCJG-clerk-2", None, Some("SCJG"));
    let (x, y) = tokio::join!(
        app.decide_objection(&a, filed.objection_id, &correct),
        app.decide_objection(&b, filed.objection_id, &upheld),
    );
    let oks = [x.is_ok(), y.is_ok()].iter().filter(|o| **o).count();
    assert_eq!(oks, 1, "{x:?} {y:?}");
    let err = x.err().or(y.err()).unwrap();
    assert_eq!(err.code, ErrorCode::Conflict);
    let item = app
        .workflow_item(&admin(), filed.objection_id)
        .await
        .unwrap();
    let versions = history(dir.path(), "SCJG", "P1").await.len();
    // Nothing half-written: a correction stored has its version, an
    // upheld decision none.
    match item.status.as_str() {
        "corrected" => assert_eq!(versions, 2),
        "upheld" => assert_eq!(versions, 1),
        other => panic!("{other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_objection_is_overdue_from_the_21st_working_day_and_still_decidable() {
    let dir = tempfile::tempdir().unwrap();
    let received = date(2020, 9, 25);
    let app = city(
        dir.path(),
        received,
        &[penalty("P1", "2020-09-01", json!({}))],
        false,
    )
    .await;
    let filed = app
        .file_objection(&enterprise(), &key("P1"), "error", "金额有误", &[])
        .await
        .unwrap();
    assert_eq!(filed.decide_by, "2020-10-29");
    drop(app);

    // The deadline day is still in time.
    let app = app_on(dir.path(), date(2020, 10, 29)).await;
    let check = app.run_workflow_checks(&admin()).await.unwrap();
    assert!(check.flagged_overdue.is_empty());
    let item = app
        .workflow_item(&admin(), filed.objection_id)
        .await
        .unwrap();
    assert!(!item.overdue);
    assert_eq!(item.working_days_left, Some(0));
    drop(app);

    // The 21st working day: overdue, flagged, counted against SCJG.
    let app = app_on(dir.path(), date(2020, 10, 30)).await;
    let check = app.run_workflow_checks(&admin()).await.unwrap();
    assert_eq!(check.flagged_overdue, vec![filed.objection_id]);
    // Idempotent.
    let again = app.run_workflow_checks(&admin()).await.unwrap();
    assert!(again.flagged_overdue.is_empty());
    let queue = app
        .workflow_items(&clerk("SCJG"), &WorkflowQuery::default())
        .await
        .unwrap();
    assert_eq!(queue.len(), 1);
    assert!(queue[0].overdue);
    assert_eq!(queue[0].status, "overdue");
    assert_eq!(queue[0].status_label, "逾期未处理");
    let summary = app.workflow_summary(&admin()).await.unwrap();
    assert_eq!(summary.overdue_by_department.get("SCJG"), Some(&1));
    assert_eq!(summary.overdue.len(), 1);
    // Still disputed, and still decidable.
    let p = app.public_profile(A).await.unwrap();
    assert_eq!(public_line(&p, "P1").unwrap()["disputed"], true);
    let item = app
        .decide_objection(
            &clerk("SCJG"),
            filed.objection_id,
            &decision("upheld", "原记录无误"),
        )
        .await
        .unwrap();
    assert_eq!(item.status, "upheld");
    assert!(!item.overdue);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repair_is_refused_before_repairable_from_and_an_approved_one_hides_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let records = [
        penalty("P1", "2026-01-10", json!({})),
        penalty(
            "P9",
            "2026-01-12",
            json!({"non_repairable": true, "procedure": "simple"}),
        ),
    ];
    // 2026-03-01: a general penalty is repairable once 3 months are complete.
    let app = city(dir.path(), date(2026, 3, 1), &records, false).await;
    let e = app
        .apply_repair(&enterprise(), &key("P1"), &["credit_commitment".into()])
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotYetRepairable);
    assert_eq!(e.field.as_deref(), Some("repairable_from"));
    assert_eq!(e.detail, "2026-04-11");
    let e = app
        .apply_repair(&enterprise(), &key("P9"), &[])
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotRepairable);
    let e = app
        .apply_repair(&enterprise(), &key("P1"), &["selfie".into()])
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("evidence[0]"));
    drop(app);

    let app = app_on(dir.path(), date(2026, 6, 1)).await;
    app.evaluate_all(&EvaluateRequest::default(), &RunControl::default())
        .await
        .unwrap();
    let (_, before) = anhui(&app).await;
    assert!(before.to_string().contains("\"D2\""), "{before}");
    // A bank read the subject's profile: it received the record.
    let bank = who(Role::Bank, "bank-yk", None, Some("YKBANK"));
    app.audit(
        &bank,
        AuditEvent {
            action: "profile.read",
            subject: Some(A),
            purpose: Some("贷前调查"),
            detail: json!({}),
        },
    )
    .await
    .unwrap();

    let filed = app
        .apply_repair(
            &enterprise(),
            &key("P1"),
            &["credit_commitment".into(), "rectification_proof".into()],
        )
        .await
        .unwrap();
    assert_eq!(filed.status, "accepted");
    assert_eq!(filed.decide_by.as_deref(), Some("2026-06-23"));
    assert_eq!(
        app.apply_repair(&enterprise(), &key("P1"), &[])
            .await
            .unwrap_err()
            .code,
        ErrorCode::Conflict
    );
    let item = app
        .decide_repair(
            &clerk("SCJG"),
            filed.repair_id,
            &decision("approved", "已履行处罚并完成整改"),
        )
        .await
        .unwrap();
    assert_eq!(item.status, "approved");

    let versions = history(dir.path(), "SCJG", "P1").await;
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1].body["repaired_on"], "2026-06-01");
    let p = app.public_profile(A).await.unwrap();
    assert!(public_line(&p, "P1").is_none());
    let (_, after) = anhui(&app).await;
    assert!(!after.to_string().contains("\"D2\""), "{after}");
    assert_ne!(before["class"], after["class"], "{before} {after}");

    // The bank is told, through the outbox.
    let outbox = app.outbox(&admin(), false).await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(
        (
            outbox[0].partner_kind.as_str(),
            outbox[0].partner_id.as_str()
        ),
        ("bank", "bank-yk")
    );
    assert_eq!(outbox[0].attempts, 0);
    // The notification belongs to the repair case; its payload names the
    // kind and the record, the case is the row's.
    assert_eq!(outbox[0].case_id, filed.repair_id);
    let payload: Value = serde_json::from_str(&outbox[0].payload).unwrap();
    assert_eq!(payload["case"], json!({"kind": "repair"}));
    assert_eq!(payload["record"]["id"], "P1");
    assert_eq!(payload["change"], "repaired");
    // A push that fails is kept, with its error, for the next attempt.
    let delivered = app
        .deliver_outbox(&admin(), |_| Err("connection refused".into()))
        .await
        .unwrap();
    assert_eq!(delivered, 0);
    // The bank pulls its notifications and acknowledges: delivered. Another
    // bank sees nothing and cannot acknowledge it.
    let bank = who(Role::Bank, "bank-yk", None, None);
    let other_bank = who(Role::Bank, "bank-other", None, None);
    let mine = app.my_notifications(&bank, true).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].last_error.as_deref(), Some("connection refused"));
    assert!(
        app.my_notifications(&other_bank, true)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        app.acknowledge_notification(&other_bank, mine[0].id)
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    assert_eq!(
        app.my_notifications(&enterprise(), false)
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    let acked = app
        .acknowledge_notification(&bank, mine[0].id)
        .await
        .unwrap();
    assert!(acked.delivered_at.is_some());
    assert_eq!(acked.attempts, 2);
    // Again: nothing changes; nothing is left to push.
    let again = app
        .acknowledge_notification(&bank, mine[0].id)
        .await
        .unwrap();
    assert_eq!(again.attempts, 2);
    assert!(app.my_notifications(&bank, true).await.unwrap().is_empty());
    let delivered = app.deliver_outbox(&admin(), |_| Ok(())).await.unwrap();
    assert_eq!(delivered, 0);
    let outbox = app.outbox(&admin(), false).await.unwrap();
    assert_eq!(outbox[0].attempts, 2);
    assert!(outbox[0].delivered_at.is_some());
    assert!(app.outbox(&admin(), true).await.unwrap().is_empty());
    assert_eq!(
        app.outbox(&enterprise(), false).await.unwrap_err().code,
        ErrorCode::Forbidden
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missed_due_day_is_a_breach_counted_by_anhui_d3_and_bars_the_route() {
    let dir = tempfile::tempdir().unwrap();
    let app = city(dir.path(), date(2026, 6, 1), &[], true).await;
    let sign = SignCommitment {
        subject: Some(A.into()),
        commitment_kind: "notify_commit".into(),
        matter: "食品经营许可".into(),
        due_on: Some("2026-06-10".into()),
        ..SignCommitment::default()
    };
    let item = app.sign_commitment(&clerk("XZSP"), &sign).await.unwrap();
    assert_eq!(item.status, "active");
    assert_eq!(item.deadline.as_deref(), Some("2026-06-10"));
    let record = history(dir.path(), "XZSP", &item.record.id).await;
    assert_eq!(record.len(), 1);
    assert_eq!(record[0].body["status"], "active");
    drop(app);

    let app = app_on(dir.path(), date(2026, 6, 10)).await;
    assert!(
        app.run_workflow_checks(&admin())
            .await
            .unwrap()
            .breached
            .is_empty()
    );
    drop(app);

    let app = app_on(dir.path(), date(2026, 6, 11)).await;
    let check = app.run_workflow_checks(&admin()).await.unwrap();
    assert_eq!(check.breached, vec![item.id]);
    let record = history(dir.path(), "XZSP", &item.record.id).await;
    assert_eq!(record.len(), 2);
    assert_eq!(record[1].body["status"], "breached");
    assert_eq!(record[1].body["breached_on"], "2026-06-11");
    let (_, line) = anhui(&app).await;
    assert!(line.to_string().contains("\"D3\""), "{line}");

    // Barred from the commitment route; a credit pledge is still possible.
    let e = app
        .sign_commitment(&clerk("XZSP"), &sign)
        .await
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::InvalidRequest, Some("commitment_kind"))
    );
    let pledge = SignCommitment {
        commitment_kind: "credit_pledge".into(),
        within_months: Some(12),
        ..SignCommitment::default()
    };
    let signed = app.sign_commitment(&enterprise(), &pledge).await.unwrap();
    assert_eq!(signed.department, "XYB");
    let fulfilled = app
        .record_fulfilment(&admin(), signed.id, &decision("fulfilled", "按期履行"))
        .await
        .unwrap();
    assert_eq!(fulfilled.status, "fulfilled");
}

/// The defect of 2026-12-07: an objection filed in December of the last
/// notice year gets a provisional deadline in January (元旦 off, no 调休),
/// marked as such; once the office installs the next year's notice, a new
/// objection is timed by the notice and the old deadline stays as told.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadline_past_the_notices_is_provisional_until_the_next_notice_is_installed() {
    let dir = tempfile::tempdir().unwrap();
    let app = city(
        dir.path(),
        date(2026, 12, 7),
        &[
            penalty("P1", "2026-11-02", json!({})),
            penalty("P2", "2026-11-03", json!({})),
        ],
        false,
    )
    .await;
    let info = app.calendar_info();
    assert_eq!(info.source, "builtin");
    assert_eq!(
        (info.notice_first_year, info.notice_last_year),
        (2019, 2026)
    );
    assert_eq!(info.provisional_from.as_deref(), Some("2027-01-01"));
    let filed = app
        .file_objection(&enterprise(), &key("P1"), "error", "金额有误", &[])
        .await
        .unwrap();
    assert_eq!(filed.decide_by, "2027-01-05");
    let item = app
        .workflow_item(&admin(), filed.objection_id)
        .await
        .unwrap();
    assert!(item.deadline_provisional);
    assert_eq!(item.working_days_left, Some(20));

    // A file that drops a year, or a broken one, is refused with its place.
    let builtin = include_str!("../../core/data/holidays-cn.toml");
    let e = app
        .operator_install_calendar(
            "old.toml",
            &builtin.replace("last_year = 2026", "last_year = 2025"),
            "测试",
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidRequest);
    let e = app
        .operator_install_calendar(
            "bad.toml",
            &builtin.replace("2026-10-10", "2026-10-32"),
            "测试",
        )
        .await
        .unwrap_err();
    assert!(e.detail.starts_with("bad.toml:"), "{}", e.detail);
    assert!(e.detail.contains("2026-10-32"), "{}", e.detail);
    let e = app
        .operator_install_calendar("x.toml", builtin, "  ")
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("reason"));

    // The 2027 notice (a test arrangement): 01-04 off as well.
    let text = format!(
        "{}\n[[block]]\nyear = 2027\nname_zh = \"元旦\"\nnotice = \"测试通知\"\noff = [\"2027-01-01/2027-01-04\"]\n",
        builtin.replace("last_year = 2026", "last_year = 2027")
    );
    let info = app
        .operator_install_calendar("holidays-2027.toml", &text, "国务院办公厅2027年节假日安排")
        .await
        .unwrap();
    assert_eq!(info.source, "installed");
    assert_eq!(info.notice_last_year, 2027);
    assert_eq!(info.provisional_from.as_deref(), Some("2028-01-01"));
    let filed2 = app
        .file_objection(&enterprise(), &key("P2"), "error", "金额有误", &[])
        .await
        .unwrap();
    assert_eq!(filed2.decide_by, "2027-01-06");
    let item2 = app
        .workflow_item(&admin(), filed2.objection_id)
        .await
        .unwrap();
    assert!(!item2.deadline_provisional);
    // The first deadline was told to the enterprise and stays.
    let item = app
        .workflow_item(&admin(), filed.objection_id)
        .await
        .unwrap();
    assert_eq!(item.deadline.as_deref(), Some("2027-01-05"));
    assert!(!item.deadline_provisional);
    let audit = app
        .audit_entries(&admin(), &Default::default())
        .await
        .unwrap();
    assert!(
        audit.iter().any(|e| e.action == "calendar.install"),
        "{audit:?}"
    );
    drop(app);

    // A process opened later uses the installed calendar.
    let app = app_on(dir.path(), date(2026, 12, 8)).await;
    assert_eq!(app.calendar_info().notice_last_year, 2027);
    assert_eq!(app.calendar_info().source, "installed");
}

/// A queue page: the oldest deadline first, `total` over every page, the
/// overdue ones counted in the store by today's date; a bad `limit` named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queue_is_paged_with_its_total_and_its_overdue_cases() {
    let dir = tempfile::tempdir().unwrap();
    let app = city(
        dir.path(),
        date(2020, 9, 25),
        &[
            penalty("P1", "2020-09-01", json!({})),
            penalty("P2", "2020-09-02", json!({})),
            penalty("P3", "2020-09-03", json!({})),
        ],
        false,
    )
    .await;
    for id in ["P1", "P2", "P3"] {
        app.file_objection(&enterprise(), &key(id), "error", "金额有误", &[])
            .await
            .unwrap();
    }
    drop(app);
    let app = app_on(dir.path(), date(2020, 10, 30)).await;
    let page = |limit, offset, overdue| WorkflowQuery {
        open: Some(true),
        overdue,
        limit: Some(limit),
        offset: Some(offset),
        ..WorkflowQuery::default()
    };
    let first = app
        .workflow_page(&clerk("SCJG"), &page(2, 0, None))
        .await
        .unwrap();
    assert_eq!(first.total, 3);
    assert_eq!(first.items.len(), 2);
    let rest = app
        .workflow_page(&clerk("SCJG"), &page(2, 2, None))
        .await
        .unwrap();
    assert_eq!((rest.total, rest.items.len()), (3, 1));
    // Every one is overdue on 2020-10-30 (deadline 2020-10-29), none the day before.
    let late = app
        .workflow_page(&clerk("SCJG"), &page(50, 0, Some(true)))
        .await
        .unwrap();
    assert_eq!(late.total, 3);
    assert!(late.items.iter().all(|i| i.overdue));
    drop(app);
    let app = app_on(dir.path(), date(2020, 10, 29)).await;
    let late = app
        .workflow_page(&clerk("SCJG"), &page(50, 0, Some(true)))
        .await
        .unwrap();
    assert_eq!(late.total, 0);
    // Another department's clerk sees none of them; the enterprise its own.
    let other = app
        .workflow_page(&clerk("SWJ"), &page(50, 0, None))
        .await
        .unwrap();
    assert_eq!(other.total, 0);
    let own = app
        .workflow_page(&enterprise(), &page(50, 0, None))
        .await
        .unwrap();
    assert_eq!(own.total, 3);
    let e = app
        .workflow_page(&clerk("SCJG"), &page(0, 0, None))
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("limit"));
    let e = app
        .workflow_items(
            &clerk("SCJG"),
            &WorkflowQuery {
                offset: Some(5),
                ..WorkflowQuery::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("offset"));
}
