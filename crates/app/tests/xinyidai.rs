//! 信易贷 end to end through the application layer, on SQLite and on
//! PostgreSQL: an enterprise applies and authorises a bank; the credit
//! office issues the month's lists; the bank sees only the enterprises that
//! authorised it and are eligible, with only grade, tax grade and the six
//! conditions; its queries are logged and shown to the enterprise; it
//! reports loan outcomes; the figures per bank and month (month edges);
//! the enterprise revokes and the next query is refused.

mod common;

use std::path::Path;
use std::sync::Arc;

use jiff::civil::date;
use serde_json::{Value, json};
use xinyong_app::{
    App, AppConfig, ErrorCode, EvaluateRequest, FinancingApplication, FixedClock, LoanReport,
    NewAccount, Principal, Role, RunControl,
};

/// Eligible once it applies; authorises BANK1.
const A: &str = "91210804MA0Y123404";
/// Never applies; authorises BANK1.
const B: &str = "91210800MA0XYD0B8N";
/// Eligible once it applies; authorises only BANK2.
const C: &str = "91210800MA0XYD0C6H";
const PASSWORD: &str = "correct horse battery";

fn subject(uscc: &str, name: &str) -> Value {
    json!({"uscc": uscc, "name": name, "type": "enterprise", "established_on": "2012-03-01",
           "status": "active", "size": "small", "industry": "C3311"})
}

/// Annual reports, tax grade A and an active credit pledge: everything of
/// `xinyidai-eligibility` but the financing need (X5).
fn good_records(uscc: &str, n: u32) -> Vec<Value> {
    vec![
        json!({"id": format!("SCJG-NB-{n}-2024"), "kind": "annual_report", "subject": uscc, "source": "SCJG",
               "date": "2025-05-10", "year": 2024, "filed_on": "2025-05-10", "employees": 20}),
        json!({"id": format!("SCJG-NB-{n}-2025"), "kind": "annual_report", "subject": uscc, "source": "SCJG",
               "date": "2026-04-10", "year": 2025, "filed_on": "2026-04-10", "employees": 21}),
        json!({"id": format!("SWJ-NS-{n}-2025"), "kind": "tax_rating", "subject": uscc, "source": "SWJ",
               "date": "2026-04-01", "year": 2025, "grade": "A"}),
        json!({"id": format!("XYB-CN-{n}"), "kind": "commitment", "subject": uscc, "source": "XYB",
               "date": "2026-01-05", "commitment_kind": "credit_pledge", "status": "active"}),
    ]
}

async fn city(cfg: &AppConfig, dir: &Path) -> App {
    let app = App::open(cfg, Arc::new(FixedClock::on(date(2026, 6, 30))))
        .await
        .unwrap();
    let subjects = dir.join("subjects.jsonl");
    let lines: String = [
        subject(A, "营口甲科技有限公司"),
        subject(B, "营口乙商贸有限公司"),
        subject(C, "营口丙制造有限公司"),
    ]
    .iter()
    .map(|s| format!("{s}\n"))
    .collect();
    std::fs::write(&subjects, lines).unwrap();
    let records = dir.join("records.jsonl");
    let lines: String = good_records(A, 1)
        .into_iter()
        .chain(good_records(C, 3))
        .map(|r| format!("{r}\n"))
        .collect();
    std::fs::write(&records, lines).unwrap();
    common::import_quietly(&app, vec![subjects, records]).await;
    app.evaluate_all(&EvaluateRequest::default(), &RunControl::default())
        .await
        .unwrap();
    app
}

async fn account(
    app: &App,
    role: Role,
    name: &str,
    uscc: Option<&str>,
    dept: Option<&str>,
) -> Principal {
    app.add_account(
        None,
        NewAccount {
            role,
            username: name.into(),
            password: PASSWORD.into(),
            uscc: uscc.map(str::to_owned),
            department: dept.map(str::to_owned),
        },
    )
    .await
    .unwrap();
    let s = app.login(name, PASSWORD, "test").await.unwrap();
    app.authenticate(&s.token).await.unwrap()
}

fn apply(amount: f64) -> FinancingApplication {
    FinancingApplication {
        amount_cny: amount,
        purpose: "购置生产设备".into(),
    }
}

fn loan(uscc: &str, outcome: &str) -> LoanReport {
    LoanReport {
        uscc: uscc.into(),
        outcome: outcome.into(),
        amount_cny: None,
        rate_percent: None,
        reason: None,
        decided_on: None,
    }
}

async fn scenario(cfg: AppConfig, dir: &Path) {
    let app = city(&cfg, dir).await;
    let ent_a = account(&app, Role::Enterprise, "ent-a", Some(A), None).await;
    let ent_b = account(&app, Role::Enterprise, "ent-b", Some(B), None).await;
    let ent_c = account(&app, Role::Enterprise, "ent-c", Some(C), None).await;
    let bank1 = account(&app, Role::Bank, "bank1", None, Some("BANK1")).await;
    let bank2 = account(&app, Role::Bank, "bank2", None, Some("BANK2")).await;
    let admin = account(&app, Role::Admin, "admin", None, None).await;
    let officer = account(&app, Role::Officer, "officer", None, None).await;

    // Applying: bad amounts and purposes are refused with the field, only
    // enterprises apply.
    for (amount, purpose, field) in [
        (0.0, "设备", "amount_cny"),
        (-5.0, "设备", "amount_cny"),
        (100.001, "设备", "amount_cny"),
        (1.0e12 + 1.0, "设备", "amount_cny"),
        (100.0, "  ", "purpose"),
    ] {
        let e = app
            .apply_financing(
                &ent_a,
                &FinancingApplication {
                    amount_cny: amount,
                    purpose: purpose.into(),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest, "{amount} {purpose:?}");
        assert_eq!(e.field.as_deref(), Some(field));
    }
    let e = app.apply_financing(&bank1, &apply(1.0)).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert!(
        app.financing_file(&ent_a)
            .await
            .unwrap()
            .applications
            .is_empty()
    );

    let need = app
        .apply_financing(&ent_a, &apply(500_000.5))
        .await
        .unwrap();
    assert_eq!(need.source, "XYB");
    assert!(need.id.starts_with("XYB-RZ-"), "{}", need.id);
    assert_eq!(need.date, "2026-06-30");
    app.apply_financing(&ent_c, &apply(800_000.0))
        .await
        .unwrap();
    let file = app.financing_file(&ent_a).await.unwrap();
    assert_eq!(file.applications.len(), 1);
    assert_eq!(file.applications[0].amount_cny, Some(500_000.5));
    assert_eq!(
        file.applications[0].purpose.as_deref(),
        Some("购置生产设备")
    );

    // The application made A eligible (re-evaluated at once).
    let line = app
        .history(A, Some("xinyidai-eligibility"), false)
        .await
        .unwrap()
        .last()
        .unwrap()
        .line
        .clone();
    assert_eq!(line["eligible"], true, "{line}");

    app.authorise_bank(&ent_a, "BANK1", date(2026, 12, 31))
        .await
        .unwrap();
    app.authorise_bank(&ent_b, "BANK1", date(2026, 12, 31))
        .await
        .unwrap();
    app.authorise_bank(&ent_c, "BANK2", date(2026, 7, 31))
        .await
        .unwrap();

    // The month's lists: only the admin issues, only the current month.
    let e = app.issue_recommendations(&bank1, None).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    let e = app
        .issue_recommendations(&admin, Some("2026-05"))
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("month"));
    let issued = app
        .issue_recommendations(&admin, Some("2026-06"))
        .await
        .unwrap();
    assert_eq!(issued.month, "2026-06");
    let per_bank: Vec<(&str, u64, u64)> = issued
        .banks
        .iter()
        .map(|b| (b.bank.as_str(), b.eligible, b.added))
        .collect();
    assert_eq!(
        per_bank,
        [("BANK1", 1, 1), ("BANK2", 1, 1)],
        "B never applied"
    );
    // Issuing again adds nothing twice.
    let again = app.issue_recommendations(&admin, None).await.unwrap();
    assert!(again.banks.iter().all(|b| b.added == 0), "{again:?}");

    // BANK1 sees A, and of A only grade, tax grade and the six conditions.
    let list = app.recommendations(&bank1, None, None).await.unwrap();
    assert_eq!(list.len(), 1);
    let r = &list[0];
    assert_eq!((r.uscc.as_str(), r.bank.as_str()), (A, "BANK1"));
    assert_eq!(r.month, "2026-06");
    assert_eq!(r.tax_grade.as_deref(), Some("A"));
    assert!(matches!(r.grade.as_deref(), Some("A" | "B")), "{r:?}");
    let ids: Vec<&str> = r.conditions.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["X1", "X2", "X3", "X4", "X5", "X6"]);
    let mut keys: Vec<String> = serde_json::to_value(r)
        .unwrap()
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "bank",
            "conditions",
            "grade",
            "listed_on",
            "month",
            "name",
            "tax_grade",
            "uscc"
        ]
    );
    // Another bank's list is not BANK1's to read; BANK2 sees C only.
    let e = app
        .recommendations(&bank1, None, Some("BANK2"))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    let list2 = app
        .recommendations(&bank2, Some("2026-06"), None)
        .await
        .unwrap();
    assert_eq!(
        list2.iter().map(|r| r.uscc.as_str()).collect::<Vec<_>>(),
        [C]
    );
    assert!(
        app.recommendations(&bank1, Some("2026-05"), None)
            .await
            .unwrap()
            .is_empty()
    );
    let all = app.recommendations(&admin, None, None).await.unwrap();
    assert_eq!(all.len(), 2);
    let e = app.recommendations(&ent_a, None, None).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    let e = app
        .recommendations(&admin, Some("2026-13"), None)
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("month"));

    // BANK1 queries A (authorised) but not C (not authorised by C).
    app.full_profile(&bank1, A, Some("贷前调查")).await.unwrap();
    let e = app.full_profile(&bank1, C, None).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);

    // Every query is shown to A: which bank, when, what.
    let queries = app.bank_queries(&ent_a).await.unwrap();
    let seen: Vec<(&str, &str, Option<&str>)> = queries
        .iter()
        .map(|q| (q.bank.as_str(), q.what.as_str(), q.purpose.as_deref()))
        .collect();
    assert_eq!(
        seen,
        [
            (
                "BANK1",
                "信易贷推荐信息（综合评价等级、纳税信用级别、推荐条件）",
                None
            ),
            ("BANK1", "完整信用档案", Some("贷前调查")),
        ]
    );
    assert!(
        queries.iter().all(|q| q.at.starts_with("2026-06-")),
        "{queries:?}"
    );
    assert!(app.bank_queries(&ent_b).await.unwrap().is_empty());
    let e = app.bank_queries(&bank1).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);

    // Loan outcomes: validated; only for an authorising or recommended enterprise.
    let granted = LoanReport {
        amount_cny: Some(3_000_000.0),
        rate_percent: Some(3.85),
        ..loan(A, "granted")
    };
    let l = app.report_loan(&bank1, &granted).await.unwrap();
    assert_eq!(l.amount_cny, Some(3_000_000.0));
    assert_eq!(l.rate_percent, Some(3.85));
    assert_eq!(l.decided_on, "2026-06-30");
    for (bad, field) in [
        (loan(A, "granted"), "amount_cny"),
        (
            LoanReport {
                amount_cny: Some(1.0),
                ..loan(A, "granted")
            },
            "rate_percent",
        ),
        (
            LoanReport {
                amount_cny: Some(1.0),
                rate_percent: Some(36.01),
                ..loan(A, "granted")
            },
            "rate_percent",
        ),
        (loan(A, "refused"), "reason"),
        (
            LoanReport {
                amount_cny: Some(1.0),
                reason: Some("额度不足".into()),
                ..loan(A, "refused")
            },
            "amount_cny",
        ),
        (loan(A, "maybe"), "outcome"),
        (
            LoanReport {
                reason: Some("x".into()),
                decided_on: Some("2026-07-01".into()),
                ..loan(A, "refused")
            },
            "decided_on",
        ),
    ] {
        let e = app.report_loan(&bank1, &bad).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest, "{field}");
        assert_eq!(e.field.as_deref(), Some(field));
    }
    let e = app
        .report_loan(
            &bank1,
            &LoanReport {
                reason: Some("未授权".into()),
                ..loan(C, "refused")
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden, "C never authorised BANK1");
    // A refusal decided on the last day of May counts in May.
    app.report_loan(
        &bank2,
        &LoanReport {
            reason: Some("经营流水不足".into()),
            decided_on: Some("2026-05-31".into()),
            ..loan(C, "refused")
        },
    )
    .await
    .unwrap();
    let file = app.financing_file(&ent_a).await.unwrap();
    assert_eq!(file.loans.len(), 1);
    assert_eq!(file.loans[0].outcome, "granted");

    // Figures per bank and month.
    let stats = app
        .xinyidai_statistics(&officer, Some("2026-05"), Some("2026-06"))
        .await
        .unwrap();
    // (bank, month, recommended, granted, amount, refused, conversion)
    type Row<'a> = (&'a str, &'a str, i64, i64, f64, i64, Option<f64>);
    let rows: Vec<Row> = stats
        .months
        .iter()
        .map(|m| {
            (
                m.bank.as_str(),
                m.month.as_str(),
                m.recommended,
                m.granted,
                m.granted_amount_cny,
                m.refused,
                m.conversion,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("BANK1", "2026-06", 1, 1, 3_000_000.0, 0, Some(1.0)),
            ("BANK2", "2026-05", 0, 0, 0.0, 1, None),
            ("BANK2", "2026-06", 1, 0, 0.0, 0, Some(0.0)),
        ]
    );
    assert_eq!(stats.total.recommended, 2);
    assert_eq!(stats.total.conversion, Some(0.5));
    // June alone leaves out the May refusal.
    let june = app
        .xinyidai_statistics(&admin, Some("2026-06"), Some("2026-06"))
        .await
        .unwrap();
    assert_eq!(june.total.refused, 0);
    assert_eq!(june.months.len(), 2);
    // A bank sees its own figures only; the default period ends this month.
    let own = app.xinyidai_statistics(&bank2, None, None).await.unwrap();
    assert_eq!((own.from.as_str(), own.to.as_str()), ("2025-07", "2026-06"));
    assert!(own.months.iter().all(|m| m.bank == "BANK2"), "{own:?}");
    assert_eq!(own.months.len(), 2);
    let e = app
        .xinyidai_statistics(&admin, Some("2026-07"), Some("2026-06"))
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("from"));
    let e = app
        .xinyidai_statistics(&ent_a, None, None)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);

    // A revokes: BANK1's next query is refused, A leaves BANK1's list.
    let grants = app.bank_authorisations(&ent_a).await.unwrap();
    assert_eq!(grants.len(), 1);
    assert!(grants[0].in_force);
    let e = app
        .revoke_bank_authorisation(&ent_c, grants[0].id)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound, "not C's authorisation");
    app.revoke_bank_authorisation(&ent_a, grants[0].id)
        .await
        .unwrap();
    let e = app
        .revoke_bank_authorisation(&ent_a, grants[0].id)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
    let grants = app.bank_authorisations(&ent_a).await.unwrap();
    assert!(!grants[0].in_force && grants[0].revoked_at.is_some());
    let e = app.full_profile(&bank1, A, None).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert!(
        app.recommendations(&bank1, None, None)
            .await
            .unwrap()
            .is_empty()
    );
    // The admin still sees what was sent; the figures keep the recommendation.
    assert_eq!(
        app.recommendations(&admin, None, Some("BANK1"))
            .await
            .unwrap()
            .len(),
        1
    );
    // The bank may still report an outcome for an enterprise it was sent.
    app.report_loan(
        &bank1,
        &LoanReport {
            reason: Some("企业撤回申请".into()),
            ..loan(A, "refused")
        },
    )
    .await
    .unwrap();

    // Every decision and read went to the audit log.
    let entries = app
        .audit_entries(
            &admin,
            &xinyong_app::AuditFilter {
                subject: Some(A.into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    for action in [
        "xinyidai.apply",
        "bank.authorise",
        "xinyidai.recommendation.read",
        "profile.read",
        "xinyidai.loan",
        "bank.revoke",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xinyidai_end_to_end_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = AppConfig {
        data_dir: dir.path().join("data"),
        database_url: None,
    };
    scenario(cfg, dir.path()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xinyidai_end_to_end_on_postgres() {
    xinyong_testkit::with_pg_schema("app_xinyidai", |url| async move {
        let dir = tempfile::tempdir().unwrap();
        let cfg = AppConfig {
            data_dir: dir.path().join("data"),
            database_url: Some(url),
        };
        scenario(cfg, dir.path()).await;
    })
    .await;
}
