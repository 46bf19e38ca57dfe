//! The audit use cases: what the account use cases write, who may verify
//! and read the log, the filter's validation, and a tampered store.

use std::sync::Arc;

use jiff::civil::date;
use serde_json::json;
use sqlx::{AssertSqlSafe, Connection};
use xinyong_app::*;

const A: &str = "91210804MA0Y123404";
const PW: &str = "s3cret-passphrase";

async fn open(dir: &std::path::Path) -> App {
    App::open(
        &AppConfig {
            data_dir: dir.join("data"),
            database_url: None,
        },
        Arc::new(FixedClock::on(date(2026, 6, 1))),
    )
    .await
    .unwrap()
}

fn new(role: Role, username: &str) -> NewAccount {
    NewAccount {
        role,
        username: username.into(),
        password: PW.into(),
        uscc: None,
        department: None,
    }
}

async fn principal(app: &App, name: &str) -> Principal {
    let s = app.login(name, PW, "127.0.0.1").await.unwrap();
    app.authenticate(&s.token).await.unwrap()
}

fn page(limit: u32) -> AuditFilter {
    AuditFilter {
        limit: Some(limit),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn use_cases_write_the_trail_and_only_auditors_and_admins_read_it() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(dir.path()).await;
    app.add_account(None, new(Role::Admin, "root"))
        .await
        .unwrap();
    app.add_account(None, new(Role::Auditor, "jjw"))
        .await
        .unwrap();
    app.add_account(None, new(Role::Officer, "off"))
        .await
        .unwrap();
    let _ = app
        .login("root", "wrong-pass", "9.9.9.9")
        .await
        .unwrap_err();
    let root = principal(&app, "root").await;
    let auditor = principal(&app, "jjw").await;
    let officer = principal(&app, "off").await;

    // An event of another use case.
    let seq = app
        .audit(
            &officer,
            AuditEvent {
                action: "profile.read",
                subject: Some(A),
                purpose: Some("行政审批"),
                detail: json!({"records": 3}),
            },
        )
        .await
        .unwrap();
    assert_eq!(seq, 8, "3 creations, 1 failure, 3 logins, then this");
    let empty = app
        .audit(
            &officer,
            AuditEvent {
                action: " ",
                subject: None,
                purpose: None,
                detail: json!(null),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(empty.field.as_deref(), Some("action"));

    let all = app.audit_entries(&auditor, &page(100)).await.unwrap();
    let trail: Vec<(&str, &str, &str)> = all
        .iter()
        .map(|e| (e.actor.as_str(), e.role.as_str(), e.action.as_str()))
        .collect();
    assert_eq!(
        trail,
        vec![
            ("cli", "operator", "account.create"),
            ("cli", "operator", "account.create"),
            ("cli", "operator", "account.create"),
            ("root", "public", "session.login_failed"),
            ("root", "admin", "session.login"),
            ("jjw", "auditor", "session.login"),
            ("off", "officer", "session.login"),
            ("off", "officer", "profile.read"),
        ]
    );
    assert_eq!(all[0].detail["username"], "root");
    assert_eq!(all[3].detail["reason"], "wrong_credentials");
    assert_eq!(all[7].subject.as_deref(), Some(A));
    assert_eq!(all[7].purpose.as_deref(), Some("行政审批"));
    assert!(
        !serde_json::to_string(&all).unwrap().contains(PW),
        "no password in the trail"
    );
    // The read itself is audited.
    let again = app.audit_entries(&root, &page(1000)).await.unwrap();
    assert_eq!(again.len(), 9);
    assert_eq!(again[8].action, "audit.read");
    assert_eq!(again[8].actor, "jjw");

    // Filters: subject (normalised), actor, after_seq, dates.
    let by_subject = AuditFilter {
        subject: Some(format!(" {} ", A.to_lowercase())),
        ..page(10)
    };
    let found = app.audit_entries(&auditor, &by_subject).await.unwrap();
    assert_eq!(found.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![8]);
    let by_actor = AuditFilter {
        actor: Some("root".into()),
        after_seq: Some(4),
        ..page(10)
    };
    let found = app.audit_entries(&auditor, &by_actor).await.unwrap();
    assert_eq!(found.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![5, 10]);
    let the_day = AuditFilter {
        from: Some("2026-06-01".into()),
        to: Some("2026-06-01".into()),
        ..page(3)
    };
    assert_eq!(
        app.audit_entries(&auditor, &the_day).await.unwrap().len(),
        3
    );
    let next_day = AuditFilter {
        from: Some("2026-06-02".into()),
        ..page(3)
    };
    assert!(
        app.audit_entries(&auditor, &next_day)
            .await
            .unwrap()
            .is_empty()
    );

    // Bad filters name their field.
    for (filter, field) in [
        (page(0), "limit"),
        (page(1001), "limit"),
        (
            AuditFilter {
                after_seq: Some(-1),
                ..page(1)
            },
            "after_seq",
        ),
        (
            AuditFilter {
                from: Some("June".into()),
                ..page(1)
            },
            "from",
        ),
        (
            AuditFilter {
                from: Some("2026-06-02".into()),
                to: Some("2026-06-01".into()),
                ..page(1)
            },
            "to",
        ),
    ] {
        let e = app.audit_entries(&auditor, &filter).await.unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::InvalidRequest, Some(field))
        );
    }

    // Who may verify and read: another role is refused, the public is asked to log in.
    for (p, code) in [
        (&officer, ErrorCode::Forbidden),
        (&Principal::public(), ErrorCode::Unauthenticated),
    ] {
        assert_eq!(app.verify_audit(Some(p)).await.unwrap_err().code, code);
        assert_eq!(app.audit_entries(p, &page(1)).await.unwrap_err().code, code);
    }
    let v = app.verify_audit(Some(&auditor)).await.unwrap();
    assert!(v.intact);
    assert_eq!(v.first_broken, None);
    let n = v.entries;
    let v = app.verify_audit(None).await.unwrap();
    assert_eq!(v.entries, n + 1, "the auditor's verification was audited");
    let v = app.verify_audit(None).await.unwrap();
    assert_eq!(v.entries, n + 1, "the command line's is not");
    assert_eq!(
        serde_json::to_value(v).unwrap(),
        json!({"entries": n + 1, "intact": true, "first_broken": null})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_entry_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(dir.path()).await;
    for i in 0..5 {
        app.add_account(None, new(Role::Officer, &format!("user{i}")))
            .await
            .unwrap();
    }
    assert!(app.verify_audit(None).await.unwrap().intact);
    let url = format!("sqlite://{}", dir.path().join("data/xinyong.db").display());
    let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query(AssertSqlSafe(
        "UPDATE audit_log SET actor = 'someone' WHERE seq = 2".to_owned(),
    ))
    .execute(&mut c)
    .await
    .unwrap();
    let v = app.verify_audit(None).await.unwrap();
    assert_eq!((v.entries, v.intact, v.first_broken), (5, false, Some(2)));
}
