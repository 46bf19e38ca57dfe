//! Public and full profiles of a hand-made subject: display windows at their
//! boundaries (a penalty on its `display_until` and the day after, a repair
//! the day before and on `repaired_on`), objections, roles and masking;
//! search right after an import and the catch-up when the application opens.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::civil::{Date, date};
use serde_json::Value;
use xinyong_app::{
    App, AppConfig, ErrorCode, FixedClock, ImportRequest, Principal, PublicProfile, Role,
};
use xinyong_core::uscc::{compute_check_char, compute_org_check_char};
use xinyong_store::NewObjection;

fn uscc(n: u32) -> String {
    let org8 = format!("{n:08}");
    let org = format!("{org8}{}", compute_org_check_char(&org8).unwrap());
    let first17 = format!("91210804{org}");
    format!("{first17}{}", compute_check_char(&first17).unwrap())
}

fn write(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

fn subject_line(code: &str, name: &str) -> String {
    format!(
        r#"{{"uscc":"{code}","name":"{name}","type":"enterprise","established_on":"2010-03-01","region":"210804"}}"#
    )
}

fn penalty(code: &str, id: &str, day: &str, extra: &str) -> String {
    format!(
        r#"{{"id":"{id}","kind":"penalty","subject":"{code}","source":"SCJG","date":"{day}","procedure":"general","sanctions":["fine"],"fine_cny":20000{extra}}}"#
    )
}

fn request(files: Vec<PathBuf>) -> ImportRequest {
    ImportRequest {
        files,
        actor: "test".into(),
        channel: "test".into(),
        chunk_rows: ImportRequest::DEFAULT_CHUNK_ROWS,
        progress: None,
        reevaluate: true,
    }
}

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

fn ids(p: &PublicProfile) -> Vec<String> {
    p.records
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

fn principal(role: Role, code: Option<&str>) -> Principal {
    Principal {
        account_id: Some(1),
        username: format!("{role}-user"),
        role,
        uscc: code.map(str::to_owned),
        department: None,
    }
}

/// P1: a general penalty of 2026-01-10 (shown 12 months, to 2027-01-10);
/// P2: repaired on 2026-03-01; P3: withdrawn.
async fn seeded(dir: &Path) -> String {
    let a = uscc(1);
    let app = app_on(dir, date(2026, 2, 1)).await;
    let subjects = write(dir, "s.jsonl", &[subject_line(&a, "营口示例机械有限公司")]);
    let records = write(
        dir,
        "r.jsonl",
        &[
            penalty(&a, "P1", "2026-01-10", r#","note":"联系电话 13812345678""#),
            penalty(&a, "P2", "2026-01-12", r#","repaired_on":"2026-03-01""#),
            penalty(&a, "P3", "2026-01-15", r#","withdrawn":true"#),
        ],
    );
    let out = app
        .import_files(request(vec![subjects, records]))
        .await
        .unwrap();
    assert_eq!(out.report.counts.accepted, 4);
    a
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_penalty_is_public_through_its_display_until_and_not_the_day_after() {
    let dir = tempfile::tempdir().unwrap();
    let a = seeded(dir.path()).await;
    let early = app_on(dir.path(), date(2026, 2, 1)).await;
    let p = early.public_profile(&a).await.unwrap();
    let p1 = p
        .records
        .iter()
        .find(|r| r["id"] == "P1")
        .expect("P1 shown");
    // Independently: a general penalty is shown for 12 months from its date.
    assert_eq!(p1["display_until"], "2027-01-10");
    assert_eq!(p1["disputed"], false);
    assert!(
        p1.get("note").is_none(),
        "fields beyond the catalogue are not public"
    );
    assert!(!ids(&p).contains(&"P3".to_owned()), "withdrawn");
    assert_eq!(p.subject["name"], "营口示例机械有限公司");
    assert!(
        p.results
            .iter()
            .all(|r| !["anhui-class", "tianjin-risk", "xinyidai-eligibility"]
                .contains(&r["model"].as_str().unwrap_or_default())),
        "{:?}",
        p.results
    );
    assert!(
        p.results
            .iter()
            .any(|r| r["model"] == "penalty-tier" && r["record"] == "P1"),
        "the public model's line of a shown record"
    );
    drop(early);

    let last = app_on(dir.path(), date(2027, 1, 10)).await;
    assert!(ids(&last.public_profile(&a).await.unwrap()).contains(&"P1".to_owned()));
    drop(last);
    let after = app_on(dir.path(), date(2027, 1, 11)).await;
    assert!(!ids(&after.public_profile(&a).await.unwrap()).contains(&"P1".to_owned()));
    let full = after
        .full_profile(&principal(Role::Admin, None), &a, Some("test"))
        .await
        .unwrap();
    let status = |id: &str| {
        full.records
            .iter()
            .find(|r| r["id"] == id)
            .map(|r| r["status"].clone())
            .unwrap()
    };
    assert_eq!(status("P1"), "outside_display_window");
    assert_eq!(status("P2"), "repaired");
    assert_eq!(status("P3"), "withdrawn");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repaired_penalty_leaves_the_public_view_on_its_repair_day() {
    let dir = tempfile::tempdir().unwrap();
    let a = seeded(dir.path()).await;
    let before = app_on(dir.path(), date(2026, 2, 28)).await;
    let p = before.public_profile(&a).await.unwrap();
    let p2 = p
        .records
        .iter()
        .find(|r| r["id"] == "P2")
        .expect("shown the day before");
    assert!(
        p2.get("repaired_on").is_none(),
        "a coming repair does not leak"
    );
    let full = before
        .full_profile(&principal(Role::Officer, None), &a, None)
        .await
        .unwrap();
    let p2 = full.records.iter().find(|r| r["id"] == "P2").unwrap();
    assert_eq!(p2["status"], "counting");
    assert_eq!(p2["version"], 1);
    drop(before);
    let on = app_on(dir.path(), date(2026, 3, 1)).await;
    assert!(!ids(&on.public_profile(&a).await.unwrap()).contains(&"P2".to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_objection_marks_the_record_disputed_until_decided() {
    let dir = tempfile::tempdir().unwrap();
    let a = seeded(dir.path()).await;
    let app = app_on(dir.path(), date(2026, 2, 1)).await;
    let store =
        xinyong_store::Store::open(&xinyong_store::StoreConfig::sqlite(dir.path().join("data")))
            .await
            .unwrap();
    let filed = store
        .file_objection(&NewObjection {
            source: "SCJG".into(),
            record_id: "P1".into(),
            uscc: a.clone(),
            grounds: "error".into(),
            statement: "金额有误".into(),
            filed_by: "public".into(),
        })
        .await
        .unwrap();
    assert_eq!(filed.status, "open");
    let p = app.public_profile(&a).await.unwrap();
    let p1 = p.records.iter().find(|r| r["id"] == "P1").unwrap();
    assert_eq!(p1["disputed"], true);
    let full = app
        .full_profile(&principal(Role::Auditor, None), &a, None)
        .await
        .unwrap();
    assert_eq!(
        full.records.iter().find(|r| r["id"] == "P1").unwrap()["status"],
        "disputed"
    );
    store
        .decide_objection(filed.id, "upheld", "scjg-clerk", "原记录无误")
        .await
        .unwrap();
    assert!(
        store
            .decide_objection(filed.id, "corrected", "x", "y")
            .await
            .is_err(),
        "a decision is final"
    );
    assert!(
        store
            .file_objection(&NewObjection {
                grounds: "because".into(),
                ..NewObjection {
                    source: "SCJG".into(),
                    record_id: "P1".into(),
                    uscc: a.clone(),
                    grounds: String::new(),
                    statement: String::new(),
                    filed_by: "public".into(),
                }
            })
            .await
            .is_err()
    );
    let p = app.public_profile(&a).await.unwrap();
    assert_eq!(
        p.records.iter().find(|r| r["id"] == "P1").unwrap()["disputed"],
        false
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_full_profile_checks_the_role_and_masks_outside_government() {
    let dir = tempfile::tempdir().unwrap();
    let a = seeded(dir.path()).await;
    let app = app_on(dir.path(), date(2026, 2, 1)).await;
    let err = |r: Result<_, xinyong_app::AppError>| r.map(|_| ()).unwrap_err().code;
    assert_eq!(
        err(app.full_profile(&Principal::public(), &a, None).await),
        ErrorCode::Unauthenticated
    );
    let other = uscc(2);
    assert_eq!(
        err(app
            .full_profile(&principal(Role::Enterprise, Some(&other)), &a, None)
            .await),
        ErrorCode::Forbidden
    );
    assert_eq!(
        err(app
            .full_profile(&principal(Role::Bank, None), &a, None)
            .await),
        ErrorCode::Forbidden
    );
    assert_eq!(
        err(app
            .full_profile(&principal(Role::Admin, None), &other, None)
            .await),
        ErrorCode::NotFound
    );
    assert_eq!(
        err(app
            .full_profile(&principal(Role::Admin, None), &a, Some(&"长".repeat(201)))
            .await),
        ErrorCode::InvalidRequest
    );
    let note = |p: &xinyong_app::FullProfile| {
        p.records.iter().find(|r| r["id"] == "P1").unwrap()["note"].clone()
    };
    let own = app
        .full_profile(
            &principal(Role::Enterprise, Some(&a.to_lowercase())),
            &a,
            None,
        )
        .await
        .unwrap();
    assert_eq!(note(&own), "联系电话 138****5678");
    assert_eq!(own.records.len(), 3, "every current record, withdrawn too");
    let admin = app
        .full_profile(&principal(Role::Admin, None), &format!(" {a} "), None)
        .await
        .unwrap();
    assert_eq!(note(&admin), "联系电话 13812345678");
    // Public profile: unknown and malformed codes are not found.
    for code in [other.as_str(), "12345", ""] {
        assert_eq!(
            app.public_profile(code).await.unwrap_err().code,
            ErrorCode::NotFound,
            "{code}"
        );
    }
    let text = serde_json::to_string(&app.public_profile(&a).await.unwrap()).unwrap();
    assert!(!text.contains("13812345678"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bank_reads_only_while_authorised_and_every_full_read_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let a = seeded(dir.path()).await;
    let app = app_on(dir.path(), date(2026, 2, 1)).await;
    for (role, name, bank) in [
        (Role::Bank, "bank1", Some("BANK1")),
        (Role::Bank, "bank2", Some("BANK2")),
        (Role::Auditor, "auditor", None),
    ] {
        app.add_account(
            None,
            xinyong_app::NewAccount {
                role,
                username: name.into(),
                password: "correct horse battery".into(),
                uscc: None,
                department: bank.map(str::to_owned),
            },
        )
        .await
        .unwrap();
    }
    let bank = |code: &str| Principal {
        department: Some(code.to_owned()),
        ..principal(Role::Bank, None)
    };
    let enterprise = principal(Role::Enterprise, Some(&a));
    // Before any authorisation: refused.
    let refused = app
        .full_profile(&bank("BANK1"), &a, Some("贷前审查"))
        .await
        .unwrap_err();
    assert_eq!(refused.code, ErrorCode::Forbidden);
    app.authorise_bank(&enterprise, "BANK1", date(2026, 2, 10))
        .await
        .unwrap();
    // In force through its last day, for that bank only.
    for day in [date(2026, 2, 1), date(2026, 2, 10)] {
        let on = app_on(dir.path(), day).await;
        assert!(
            on.full_profile(&bank("BANK1"), &a, Some("贷前审查"))
                .await
                .is_ok(),
            "{day}"
        );
        assert_eq!(
            on.full_profile(&bank("BANK2"), &a, None)
                .await
                .unwrap_err()
                .code,
            ErrorCode::Forbidden,
            "{day}"
        );
    }
    let after = app_on(dir.path(), date(2026, 2, 11)).await;
    assert_eq!(
        after
            .full_profile(&bank("BANK1"), &a, None)
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    // The two successful reads are in the audit log, with who, which subject and why;
    // the refused ones are not reads.
    let auditor = principal(Role::Auditor, None);
    let entries = app
        .audit_entries(
            &auditor,
            &xinyong_app::AuditFilter {
                subject: Some(a.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let reads: Vec<_> = entries
        .iter()
        .filter(|e| e.action == "profile.read")
        .collect();
    assert_eq!(reads.len(), 2, "{entries:?}");
    for e in reads {
        assert_eq!(e.role, "bank");
        assert_eq!(e.actor, bank("BANK1").username);
        assert_eq!(e.purpose.as_deref(), Some("贷前审查"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_imported_subject_is_found_when_the_import_returns_and_after_an_offline_import() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_on(dir.path(), date(2026, 2, 1)).await;
    let a = uscc(7);
    assert!(app.search("恒中", 10).await.unwrap().is_empty());
    let s = write(
        dir.path(),
        "s.jsonl",
        &[subject_line(&a, "营口恒中机械有限公司")],
    );
    app.import_files(request(vec![s])).await.unwrap();
    let hits = app.search("恒中机械", 10).await.unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].uscc, a);
    assert_eq!(hits[0].region, "210804");
    assert_eq!(hits[0].subject_type, "enterprise");

    // Another process imports straight into the store (no index update):
    // the next application to open catches up.
    let b = uscc(8);
    let store =
        xinyong_store::Store::open(&xinyong_store::StoreConfig::sqlite(dir.path().join("data")))
            .await
            .unwrap();
    let s2 = write(
        dir.path(),
        "s2.jsonl",
        &[subject_line(&b, "营口北方焊接材料有限公司")],
    );
    xinyong_import::import_files(
        &store,
        &[s2],
        &xinyong_import::ImportOptions::default(),
        None,
    )
    .await
    .unwrap();
    assert!(
        app.search("北方焊接", 10).await.unwrap().is_empty(),
        "not yet indexed"
    );
    let reopened = app_on(dir.path(), date(2026, 2, 1)).await;
    assert_eq!(reopened.search("北方焊接", 10).await.unwrap()[0].uscc, b);
    // A USCC prefix: the first 16 characters tell b from a (the first 10 do not).
    assert_eq!(reopened.search(&b[..16], 10).await.unwrap()[0].uscc, b);
    let shared = reopened.search(&b[..10], 10).await.unwrap();
    let mut both: Vec<&str> = shared.iter().map(|h| h.uscc.as_str()).collect();
    both.sort_unstable();
    assert_eq!(both, [a.as_str(), b.as_str()]);

    // Query and limit bounds.
    assert_eq!(
        futures_code(&reopened, "   ", 10).await,
        Some(ErrorCode::InvalidQuery)
    );
    assert_eq!(
        futures_code(&reopened, &"恒".repeat(101), 10).await,
        Some(ErrorCode::InvalidQuery)
    );
    assert_eq!(futures_code(&reopened, &"恒".repeat(100), 10).await, None);
    assert_eq!(
        futures_code(&reopened, "恒中", 0).await,
        Some(ErrorCode::InvalidRequest)
    );
    assert_eq!(
        futures_code(&reopened, "恒中", 51).await,
        Some(ErrorCode::InvalidRequest)
    );
    assert_eq!(futures_code(&reopened, "恒中", 50).await, None);
}

async fn futures_code(app: &App, q: &str, n: usize) -> Option<ErrorCode> {
    app.search(q, n).await.err().map(|e| e.code)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objections_work_on_postgres_too() {
    xinyong_testkit::with_pg_schema("app_profile_objections", |url| async move {
        let dir = tempfile::tempdir().unwrap();
        let store = xinyong_store::Store::open(&xinyong_store::StoreConfig {
            data_dir: dir.path().to_path_buf(),
            database_url: Some(url),
        })
        .await
        .unwrap();
        let a = uscc(3);
        let new = NewObjection {
            source: "SCJG".into(),
            record_id: "P1".into(),
            uscc: a.clone(),
            grounds: "privacy".into(),
            statement: "".into(),
            filed_by: "ent".into(),
        };
        let o = store.file_objection(&new).await.unwrap();
        let open = store.open_objections(&a).await.unwrap();
        assert!(open.contains(&("SCJG".to_owned(), "P1".to_owned())));
        assert!(store.open_objections(&uscc(4)).await.unwrap().is_empty());
        store
            .decide_objection(o.id, "corrected", "c", "r")
            .await
            .unwrap();
        assert!(store.open_objections(&a).await.unwrap().is_empty());
        let _: Value = serde_json::to_value(&o).unwrap();
    })
    .await;
}
