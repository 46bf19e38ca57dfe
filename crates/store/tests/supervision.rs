//! List entries and their steps, credit checks and their feedback
//! (migration 9), on both backends: every test runs on SQLite and on
//! PostgreSQL (a fresh schema per test; skipped with a note when no server
//! is reachable, except under `CI=true`).

#[macro_use]
mod common;

use common::Ctx;
use xinyong_store::*;

store_tests!(
    list_steps_are_appended_in_order_and_one_of_two_at_once_is_stored,
    entries_are_listed_by_their_last_status_with_paging,
    credit_checks_and_feedback_are_kept_as_given,
);

fn step(seq: i64, action: &str, status: &str, day: &str) -> ListStep {
    ListStep {
        seq,
        action: action.into(),
        status: status.into(),
        on_day: day.into(),
        notice_until: None,
        actor: format!("clerk-{seq}"),
        role: "department".into(),
        reason: format!("{action} 的理由"),
    }
}

fn entry<'a>(list: &'a str, subject: &'a str) -> NewListEntry<'a> {
    NewListEntry {
        list,
        subject,
        origin: "department",
        department: "SCJG",
        basis: r#"{"reason":"测试"}"#,
        created_by: "clerk-1",
    }
}

async fn list_steps_are_appended_in_order_and_one_of_two_at_once_is_stored(c: Ctx) {
    let s = &c.store;
    let e = s
        .create_list_entry(
            &entry("serious_violation", "S1"),
            &step(1, "enter", "entered", "2026-09-29"),
        )
        .await
        .unwrap();
    assert_eq!((e.last.seq, e.last.status.as_str()), (1, "entered"));
    let approved = s
        .append_list_step(e.id, &step(2, "approve", "approved", "2026-09-29"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(approved.last.status, "approved");
    // A second step 2 (decided on the same view): not stored.
    assert!(
        s.append_list_step(e.id, &step(2, "reject", "rejected", "2026-09-29"))
            .await
            .unwrap()
            .is_none()
    );
    // A step that skips a number: not stored either.
    assert!(
        s.append_list_step(e.id, &step(4, "publish", "published", "2026-10-13"))
            .await
            .unwrap()
            .is_none()
    );
    let mut notice = step(3, "notify", "noticed", "2026-09-29");
    notice.notice_until = Some("2026-10-12".into());
    let n = s.append_list_step(e.id, &notice).await.unwrap().unwrap();
    assert_eq!(n.last.notice_until.as_deref(), Some("2026-10-12"));
    let steps = s.list_events(e.id).await.unwrap();
    assert_eq!(
        steps
            .iter()
            .map(|x| (x.seq, x.action.as_str()))
            .collect::<Vec<_>>(),
        [(1, "enter"), (2, "approve"), (3, "notify")]
    );
    // Bad input is refused before anything is written.
    let mut bad = step(4, "publish", "published", "2026-10-1");
    assert!(matches!(
        s.append_list_step(e.id, &bad).await,
        Err(StoreError::Invalid(_))
    ));
    bad.on_day = "2026-10-13".into();
    bad.reason = " ".into();
    assert!(matches!(
        s.append_list_step(e.id, &bad).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        s.create_list_entry(
            &NewListEntry {
                origin: "rumour",
                ..entry("serious_violation", "S2")
            },
            &step(1, "enter", "entered", "2026-09-29"),
        )
        .await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(s.list_events(e.id).await.unwrap().len(), 3);
    assert!(s.list_entry(999_999).await.unwrap().is_none());
}

async fn entries_are_listed_by_their_last_status_with_paging(c: Ctx) {
    let s = &c.store;
    for i in 0..5 {
        let subject = format!("S{i}");
        let e = s
            .create_list_entry(
                &entry("other_blacklist", &subject),
                &step(1, "enter", "entered", "2026-06-01"),
            )
            .await
            .unwrap();
        if i % 2 == 0 {
            s.append_list_step(
                e.id,
                &step(2, "publish", "published", &format!("2026-06-0{}", i + 2)),
            )
            .await
            .unwrap()
            .unwrap();
        }
    }
    s.create_list_entry(
        &entry("renfang_redlist", "S9"),
        &step(1, "enter", "entered", "2026-06-01"),
    )
    .await
    .unwrap();
    let published = ListEntryFilter {
        statuses: vec!["published".into()],
        limit: 2,
        ..ListEntryFilter::default()
    };
    let (page, total) = s.list_entries(&published).await.unwrap();
    assert_eq!(total, 3);
    // Newest step first.
    assert_eq!(
        page.iter().map(|e| e.subject.as_str()).collect::<Vec<_>>(),
        ["S4", "S2"]
    );
    let (page, _) = s
        .list_entries(&ListEntryFilter {
            offset: 2,
            ..published.clone()
        })
        .await
        .unwrap();
    assert_eq!(
        page.iter().map(|e| e.subject.as_str()).collect::<Vec<_>>(),
        ["S0"]
    );
    let (_, entered) = s
        .list_entries(&ListEntryFilter {
            statuses: vec!["entered".into()],
            limit: 10,
            ..ListEntryFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(entered, 3);
    let (red, n) = s
        .list_entries(&ListEntryFilter {
            lists: vec!["renfang_redlist".into()],
            limit: 10,
            ..ListEntryFilter::default()
        })
        .await
        .unwrap();
    assert_eq!((n, red[0].subject.as_str()), (1, "S9"));
    let (one, n) = s
        .list_entries(&ListEntryFilter {
            subject: Some("S2".into()),
            limit: 10,
            ..ListEntryFilter::default()
        })
        .await
        .unwrap();
    assert_eq!((n, one[0].last.status.as_str()), (1, "published"));
    // Several subjects at once, and the day of the last step.
    let (some, n) = s
        .list_entries(&ListEntryFilter {
            subjects: vec!["S0".into(), "S4".into(), "S9".into()],
            statuses: vec!["published".into()],
            limit: 10,
            ..ListEntryFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(
        some.iter().map(|e| e.subject.as_str()).collect::<Vec<_>>(),
        ["S4", "S0"]
    );
    let (days, n) = s
        .list_entries(&ListEntryFilter {
            statuses: vec!["published".into()],
            from_day: Some("2026-06-03".into()),
            to_day: Some("2026-06-04".into()),
            limit: 10,
            ..ListEntryFilter::default()
        })
        .await
        .unwrap();
    assert_eq!((n, days[0].subject.as_str()), (1, "S2"));
    assert!(matches!(
        s.list_entries(&ListEntryFilter {
            from_day: Some("2026-6-3".into()),
            limit: 10,
            ..ListEntryFilter::default()
        })
        .await,
        Err(StoreError::Invalid(_))
    ));
}

async fn credit_checks_and_feedback_are_kept_as_given(c: Ctx) {
    let s = &c.store;
    let answer = r#"{"measures":[{"id":"m-1"}],"scenario":"approval"}"#;
    let check = |subject: &'static str,
                 department: Option<&'static str>,
                 batch: Option<&'static str>| NewCreditCheck {
        subject,
        scenario: "approval",
        matter: None,
        as_of: "2026-06-30",
        checked_by: "officer",
        role: "officer",
        department,
        batch,
        answer,
    };
    let ids = s
        .insert_credit_checks(&[
            check("S1", None, None),
            check("S2", Some("XZSP"), Some("B1")),
            check("S3", Some("XZSP"), Some("B1")),
        ])
        .await
        .unwrap();
    assert_eq!(ids.len(), 3);
    assert!(ids[0] < ids[1] && ids[1] < ids[2]);
    let one = s.credit_check(ids[1]).await.unwrap().unwrap();
    assert_eq!((one.subject.as_str(), one.answer.as_str()), ("S2", answer));
    assert_eq!(one.batch.as_deref(), Some("B1"));
    let batch = s
        .credit_checks(&CheckFilter {
            batch: Some("B1".into()),
            limit: 10,
            ..CheckFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(
        batch.iter().map(|c| c.id).collect::<Vec<_>>(),
        [ids[2], ids[1]]
    );
    let older = s
        .credit_checks(&CheckFilter {
            before: Some(ids[1]),
            limit: 10,
            ..CheckFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(older.iter().map(|c| c.id).collect::<Vec<_>>(), [ids[0]]);
    for (who, expected) in [("officer", 3), ("someone-else", 0)] {
        let mine = s
            .credit_checks(&CheckFilter {
                checked_by: Some(who.into()),
                limit: 10,
                ..CheckFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(mine.len(), expected, "{who}");
    }
    let counts = s.credit_check_counts().await.unwrap();
    assert_eq!(
        counts,
        [
            (None, "approval".to_owned(), 1),
            (Some("XZSP".to_owned()), "approval".to_owned(), 2)
        ]
    );
    // A blank field: nothing stored.
    assert!(matches!(
        s.insert_credit_checks(&[check("S4", None, None), check(" ", None, None)])
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert!(
        s.credit_checks(&CheckFilter {
            subject: Some("S4".into()),
            limit: 10,
            ..CheckFilter::default()
        })
        .await
        .unwrap()
        .is_empty()
    );
    let fb = NewFeedback {
        check_id: ids[1],
        department: "XZSP",
        applied: r#"["m-1"]"#,
        outcome: "已按容缺受理办理",
        reported_by: "xzsp-clerk",
        role: "department",
    };
    let stored = s.insert_feedback(&fb).await.unwrap().unwrap();
    assert_eq!(
        (stored.check_id, stored.applied.as_str()),
        (ids[1], r#"["m-1"]"#)
    );
    assert!(
        s.insert_feedback(&NewFeedback {
            check_id: 999_999,
            ..fb.clone()
        })
        .await
        .unwrap()
        .is_none()
    );
    let on = s
        .feedback(&FeedbackFilter {
            check_ids: Some(vec![ids[1], ids[2]]),
            limit: 10,
            ..FeedbackFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(on.len(), 1);
    let none = s
        .feedback(&FeedbackFilter {
            department: Some("SCJG".into()),
            limit: 10,
            ..FeedbackFilter::default()
        })
        .await
        .unwrap();
    assert!(none.is_empty());
}
