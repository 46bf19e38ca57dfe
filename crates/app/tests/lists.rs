//! The lifecycle of list entries through the application layer (PRODUCT.md
//! C10): entry → review (not by the clerk who entered) → notice (告知, five
//! working days by the core calendar, across the National Day holiday) →
//! publication (not before the notice period ended) → removal; each step
//! with day, actor and reason, append-only; only published, current
//! entries are public, and they count in the credit check.

mod common;

use std::path::Path;
use std::sync::Arc;

use jiff::civil::{Date, date};
use serde_json::json;
use xinyong_app::{
    App, AppConfig, CreditCheckRequest, EnterListEntry, ErrorCode, FixedClock, ListEntryQuery,
    ListStepRequest, Principal, PublishedQuery, Role,
};

const A: &str = "91210804MA0Y123404";

fn who(role: Role, name: &str, department: Option<&str>) -> Principal {
    Principal {
        account_id: Some(1),
        username: name.into(),
        role,
        uscc: None,
        department: department.map(str::to_owned),
    }
}

fn clerk(name: &str, dept: &str) -> Principal {
    who(Role::Department, name, Some(dept))
}

async fn app_on(dir: &Path, day: Date) -> App {
    App::open(
        &AppConfig {
            data_dir: dir.join("data"),
            database_url: None,
        },
        Arc::new(FixedClock::on(day)),
    )
    .await
    .unwrap()
}

async fn city(dir: &Path, day: Date) -> App {
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
    common::import_quietly(&app, vec![subjects]).await;
    app
}

fn step(action: &str, reason: &str) -> ListStepRequest {
    ListStepRequest {
        action: action.into(),
        reason: reason.into(),
    }
}

fn blacklist_public() -> PublishedQuery {
    PublishedQuery {
        category: Some("blacklist".into()),
        ..PublishedQuery::default()
    }
}

async fn procurement_measures(app: &App) -> Vec<String> {
    app.credit_check(
        &who(Role::Officer, "officer", None),
        &CreditCheckRequest {
            subject: A.into(),
            scenario: "procurement".into(),
            matter: None,
        },
    )
    .await
    .unwrap()
    .measures
    .into_iter()
    .map(|m| m.id)
    .collect()
}

#[tokio::test]
async fn a_blacklist_entry_is_entered_reviewed_noticed_published_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    // 2026-09-29 (Tuesday): the notice runs 09-30, then the holiday
    // 10-01..10-07, then 10-08, 10-09, 10-10 (a Saturday worked, 调休),
    // 10-12: the fifth working day is 2026-10-12.
    let entered_on = date(2026, 9, 29);
    let app = city(dir.path(), entered_on).await;
    let a = clerk("scjg-a", "SCJG");
    let b = clerk("scjg-b", "SCJG");
    let entry = app
        .enter_list_entry(
            &a,
            &EnterListEntry {
                list: "serious_violation".into(),
                subject: A.to_lowercase(),
                reason: "因严重违法行为被处以较重行政处罚（营市监罚〔2026〕12号）".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(entry.status, "entered");
    assert_eq!(entry.subject, A);
    assert_eq!(entry.department, "SCJG");
    assert_eq!(entry.next, ["approve", "reject"]);
    // Not twice; not by another department; not on an unknown list.
    let again = EnterListEntry {
        list: "serious_violation".into(),
        subject: A.into(),
        reason: "重复".into(),
    };
    assert_eq!(
        app.enter_list_entry(&b, &again).await.unwrap_err().code,
        ErrorCode::Conflict
    );
    assert_eq!(
        app.enter_list_entry(&clerk("swj", "SWJ"), &again)
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    let e = app
        .enter_list_entry(
            &a,
            &EnterListEntry {
                list: "grey_list".into(),
                ..again.clone()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("list"));
    let e = app
        .enter_list_entry(
            &a,
            &EnterListEntry {
                reason: "  ".into(),
                ..again.clone()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("reason"));
    // Review: not by the clerk who entered it; publish before review: no.
    let id = entry.id;
    assert_eq!(
        app.list_entry_step(&a, id, &step("approve", "符合列入条件"))
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    assert_eq!(
        app.list_entry_step(&b, id, &step("publish", "公布"))
            .await
            .unwrap_err()
            .code,
        ErrorCode::Conflict
    );
    let e = app
        .list_entry_step(&b, id, &step("erase", "x"))
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("action"));
    let approved = app
        .list_entry_step(&b, id, &step("approve", "符合列入条件"))
        .await
        .unwrap();
    assert_eq!(approved.status, "approved");
    // A blacklist needs its notice (告知) first.
    let e = app
        .list_entry_step(&b, id, &step("publish", "公布"))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
    assert!(e.detail.contains("告知"), "{}", e.detail);
    let noticed = app
        .list_entry_step(
            &b,
            id,
            &step("notify", "已书面告知列入依据、理由和救济途径"),
        )
        .await
        .unwrap();
    assert_eq!(noticed.status, "noticed");
    let last = noticed.steps.last().unwrap();
    assert_eq!(last.notice_until.as_deref(), Some("2026-10-12"));
    // Not public, not counted while in the lifecycle.
    assert_eq!(
        app.published_entries(&blacklist_public())
            .await
            .unwrap()
            .total,
        0
    );
    assert!(
        !procurement_measures(&app)
            .await
            .contains(&"black-joint-punishment".to_owned())
    );

    // On the last day of the notice period: not yet.
    let app = app_on(dir.path(), date(2026, 10, 12)).await;
    let e = app
        .list_entry_step(&b, id, &step("publish", "告知期满"))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
    assert!(e.detail.contains("2026-10-12"), "{}", e.detail);
    // The day after: published, public, counted.
    let app = app_on(dir.path(), date(2026, 10, 13)).await;
    let published = app
        .list_entry_step(&b, id, &step("publish", "告知期满无异议，予以公布"))
        .await
        .unwrap();
    assert_eq!(published.status, "published");
    assert_eq!(published.published_on.as_deref(), Some("2026-10-13"));
    let page = app.published_entries(&blacklist_public()).await.unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.entries[0].subject, A);
    assert_eq!(
        page.entries[0].subject_name.as_deref(),
        Some("营口测试有限公司")
    );
    assert_eq!(page.entries[0].published_on, "2026-10-13");
    assert!(page.entries[0].reason.contains("营市监罚"));
    let red = app
        .published_entries(&PublishedQuery {
            category: Some("redlist".into()),
            ..PublishedQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(red.total, 0);
    let m = procurement_measures(&app).await;
    assert!(m.contains(&"black-joint-punishment".to_owned()), "{m:?}");

    // Removal: gone from the public list and the check; every step kept.
    let app = app_on(dir.path(), date(2026, 11, 2)).await;
    let removed = app
        .list_entry_step(&a, id, &step("remove", "信用修复完成，提前移出"))
        .await
        .unwrap();
    assert_eq!(removed.status, "removed");
    assert_eq!(removed.removed_on.as_deref(), Some("2026-11-02"));
    assert!(removed.next.is_empty());
    assert_eq!(
        removed
            .steps
            .iter()
            .map(|s| (s.action.as_str(), s.on.as_str(), s.by.as_str()))
            .collect::<Vec<_>>(),
        [
            ("enter", "2026-09-29", "scjg-a"),
            ("approve", "2026-09-29", "scjg-b"),
            ("notify", "2026-09-29", "scjg-b"),
            ("publish", "2026-10-13", "scjg-b"),
            ("remove", "2026-11-02", "scjg-a"),
        ]
    );
    assert!(removed.steps.iter().all(|s| !s.reason.is_empty()));
    assert_eq!(
        app.published_entries(&blacklist_public())
            .await
            .unwrap()
            .total,
        0
    );
    assert!(
        !procurement_measures(&app)
            .await
            .contains(&"black-joint-punishment".to_owned())
    );
    assert_eq!(
        app.list_entry_step(&a, id, &step("remove", "again"))
            .await
            .unwrap_err()
            .code,
        ErrorCode::Conflict
    );
    // A new entry may follow a removed one.
    app.enter_list_entry(&a, &again).await.unwrap();
    // The government view lists both; the public may not read it.
    let all = app
        .list_entries(
            &who(Role::Auditor, "auditor", None),
            &ListEntryQuery::default(),
        )
        .await
        .unwrap();
    assert_eq!(all.total, 2);
    let e = app
        .list_entries(&Principal::public(), &ListEntryQuery::default())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Unauthenticated);
}

#[tokio::test]
async fn a_list_without_a_notice_period_is_published_after_review_and_a_rejected_entry_never() {
    let dir = tempfile::tempdir().unwrap();
    let app = city(dir.path(), date(2026, 6, 30)).await;
    let a = clerk("scjg-a", "SCJG");
    let b = clerk("scjg-b", "SCJG");
    let e = app
        .enter_list_entry(
            &a,
            &EnterListEntry {
                list: "abnormal_operation".into(),
                subject: A.into(),
                reason: "未按规定报送年度报告".into(),
            },
        )
        .await
        .unwrap();
    let e = app
        .list_entry_step(&b, e.id, &step("approve", "核实无误"))
        .await
        .unwrap();
    assert_eq!(e.next, ["publish", "remove"]);
    let e = app
        .list_entry_step(&b, e.id, &step("publish", "公布"))
        .await
        .unwrap();
    assert_eq!(e.status, "published");
    let page = app
        .published_entries(&PublishedQuery {
            list: Some("abnormal_operation".into()),
            ..PublishedQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    // By name (the subject search), and by the day of publication.
    let filtered = |q: Option<&str>, from: Option<&str>, to: Option<&str>| PublishedQuery {
        q: q.map(str::to_owned),
        from: from.map(str::to_owned),
        to: to.map(str::to_owned),
        ..PublishedQuery::default()
    };
    for (query, total) in [
        (filtered(Some("营口测试"), None, None), 1),
        (filtered(Some(A), None, None), 1),
        (filtered(Some("哈尔滨冰雪"), None, None), 0),
        (filtered(None, Some("2026-06-30"), Some("2026-06-30")), 1),
        (filtered(None, Some("2026-07-01"), None), 0),
        (filtered(None, None, Some("2026-06-29")), 0),
    ] {
        let page = app.published_entries(&query).await.unwrap();
        assert_eq!(page.total, total, "{query:?}");
    }
    let e = app
        .published_entries(&filtered(None, Some("2026-6-30"), None))
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("from"));
    let e = app
        .published_entries(&filtered(None, Some("2026-07-01"), Some("2026-06-30")))
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("to"));
    // Rejected: terminal.
    let r = app
        .enter_list_entry(
            &a,
            &EnterListEntry {
                list: "serious_violation".into(),
                subject: A.into(),
                reason: "拟列入".into(),
            },
        )
        .await
        .unwrap();
    let r = app
        .list_entry_step(&b, r.id, &step("reject", "证据不足"))
        .await
        .unwrap();
    assert_eq!(r.status, "rejected");
    assert!(r.next.is_empty());
    assert_eq!(
        app.list_entry_step(&b, r.id, &step("publish", "x"))
            .await
            .unwrap_err()
            .code,
        ErrorCode::Conflict
    );
    // Paging: bounds checked.
    let e = app
        .published_entries(&PublishedQuery {
            per_page: Some(101),
            ..PublishedQuery::default()
        })
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("per_page"));
    let e = app
        .published_entries(&PublishedQuery {
            page: Some(0),
            ..PublishedQuery::default()
        })
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("page"));
    let ok = app
        .published_entries(&PublishedQuery {
            per_page: Some(100),
            page: Some(2),
            ..PublishedQuery::default()
        })
        .await
        .unwrap();
    assert_eq!((ok.total, ok.entries.len()), (1, 0));
    // An unknown entry.
    assert_eq!(
        app.list_entry_step(&b, 424242, &step("approve", "x"))
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
}
