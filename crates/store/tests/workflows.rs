//! Workflow cases, events and the outbox (migration 7), on both backends: every test runs on
//! SQLite and on PostgreSQL (a fresh schema per test; skipped with a note
//! when no server is reachable, except under `CI=true`).

use xinyong_store::*;

#[macro_use]
mod common;

use common::Ctx;

store_tests!(
    queues_are_paged_counted_and_filtered_by_deadline,
    one_of_two_events_with_the_same_seq_is_stored,
    the_outbox_keeps_every_attempt,
    an_objection_case_disputes_its_record_while_open,
);

fn new_case() -> NewCase {
    NewCase {
        kind: "objection".into(),
        subject: "91210804MA0Y123404".into(),
        source: "SCJG".into(),
        record_id: "P1".into(),
        department: "SCJG".into(),
        filed_by: "ent-a".into(),
        filer_role: "enterprise".into(),
        opened_on: "2020-09-25".into(),
    }
}

fn event(seq: i64, status: &str, closed: bool) -> CaseEvent {
    CaseEvent {
        seq,
        event: format!(r#"{{"event":"{status}"}}"#),
        event_kind: status.into(),
        state: format!(r#"{{"state":"{status}"}}"#),
        status: status.into(),
        deadline: (!closed).then(|| "2020-10-29".to_owned()),
        closed,
        effects: "[]".into(),
        actor: "clerk".into(),
        role: "department".into(),
        on_day: "2020-09-25".into(),
        reasons: "理由".into(),
        evidence: "[]".into(),
        record_write: None,
        base_version: None,
        notifications: Vec::new(),
    }
}

async fn one_of_two_events_with_the_same_seq_is_stored(ctx: Ctx) {
    let store = ctx.store;
    let case = store
        .open_case(&new_case(), &event(1, "open", false))
        .await
        .unwrap();
    assert_eq!((case.last_seq, case.status.as_str()), (1, "open"));
    let mut upheld = event(2, "upheld", true);
    upheld.record_write = Some("{}".into());
    let corrected = event(2, "corrected", true);
    let (a, b) = tokio::join!(
        store.append_case_event(case.id, &upheld),
        store.append_case_event(case.id, &corrected),
    );
    let stored = [a.unwrap(), b.unwrap()];
    assert_eq!(
        stored.iter().filter(|s| s.is_some()).count(),
        1,
        "{stored:?}"
    );
    let events = store.case_events(case.id).await.unwrap();
    assert_eq!(events.len(), 2);
    let now = store.case(case.id).await.unwrap().unwrap();
    assert_eq!(now.status, events[1].status);
    assert!(now.closed);
    assert_eq!(now.deadline, None);
    // A stale seq is refused; the pending write is listed until marked.
    assert_eq!(
        store
            .append_case_event(case.id, &event(2, "x", true))
            .await
            .unwrap(),
        None
    );
    let pending = store.pending_record_writes().await.unwrap();
    if now.status == "upheld" {
        assert_eq!(pending.len(), 1);
        store
            .mark_record_written(pending[0].event_id, None)
            .await
            .unwrap();
        store
            .mark_record_written(pending[0].event_id, None)
            .await
            .unwrap();
    }
    assert!(store.pending_record_writes().await.unwrap().is_empty());
    // Queues: open only, by department.
    let open = store
        .cases(&CaseFilter {
            open_only: true,
            ..CaseFilter::default()
        })
        .await
        .unwrap();
    assert!(open.is_empty());
    let all = store
        .cases(&CaseFilter {
            department: Some("SCJG".into()),
            ..CaseFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
}

async fn the_outbox_keeps_every_attempt(ctx: Ctx) {
    let store = ctx.store;
    let mut first = event(1, "approved", true);
    first.notifications = vec![NewNotification {
        partner_kind: "bank".into(),
        partner_id: "BANK1".into(),
        payload: r#"{"record":"P1"}"#.into(),
    }];
    let case = store
        .open_case(
            &NewCase {
                kind: "repair".into(),
                ..new_case()
            },
            &first,
        )
        .await
        .unwrap();
    let out = store.outbox(false, None, 0).await.unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!((out[0].case_id, out[0].attempts), (case.id, 0));
    // By partner: the bank's, no one else's.
    let bank = store
        .outbox(true, Some(("bank", "BANK1")), 0)
        .await
        .unwrap();
    assert_eq!(bank.len(), 1);
    for other in [("bank", "BANK2"), ("department", "BANK1")] {
        assert!(store.outbox(true, Some(other), 0).await.unwrap().is_empty());
    }
    assert_eq!(
        store
            .record_outbox_attempt(out[0].id, Some("timeout"))
            .await
            .unwrap(),
        1
    );
    let out = store.outbox(true, None, 0).await.unwrap();
    assert_eq!(
        (out[0].attempts, out[0].last_error.as_deref()),
        (1, Some("timeout"))
    );
    assert_eq!(
        store.record_outbox_attempt(out[0].id, None).await.unwrap(),
        2
    );
    assert!(store.outbox(true, None, 0).await.unwrap().is_empty());
    let out = store.outbox(false, None, 0).await.unwrap();
    assert_eq!(out[0].attempts, 2);
    assert!(out[0].delivered_at.is_some());
    assert!(store.record_outbox_attempt(999_999, None).await.is_err());
}

async fn an_objection_case_disputes_its_record_while_open(ctx: Ctx) {
    let store = ctx.store;
    let c = new_case();
    let case = store.open_case(&c, &event(1, "open", false)).await.unwrap();
    let disputed = store.open_objections(&c.subject).await.unwrap();
    assert!(disputed.contains(&("SCJG".to_owned(), "P1".to_owned())));
    store
        .append_case_event(case.id, &event(2, "overdue", false))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(store.open_objections(&c.subject).await.unwrap().len(), 1);
    store
        .append_case_event(case.id, &event(3, "upheld", true))
        .await
        .unwrap()
        .unwrap();
    assert!(store.open_objections(&c.subject).await.unwrap().is_empty());
}

/// A queue page: the earliest deadline first, `limit` and `offset` over that
/// order, the count of the whole selection, and the overdue ones by
/// `deadline_before`.
async fn queues_are_paged_counted_and_filtered_by_deadline(ctx: Ctx) {
    let store = ctx.store;
    // Seven open cases of SCJG with deadlines 2020-10-21 … 2020-10-27 (filed
    // in reverse order), one of another department, one closed.
    for i in 0..7 {
        let mut first = event(1, "open", false);
        first.deadline = Some(format!("2020-10-{:02}", 27 - i));
        store
            .open_case(
                &NewCase {
                    record_id: format!("P{i}"),
                    ..new_case()
                },
                &first,
            )
            .await
            .unwrap();
    }
    store
        .open_case(
            &NewCase {
                record_id: "Q1".into(),
                department: "SWJ".into(),
                source: "SWJ".into(),
                ..new_case()
            },
            &event(1, "open", false),
        )
        .await
        .unwrap();
    store
        .open_case(
            &NewCase {
                record_id: "C1".into(),
                ..new_case()
            },
            &event(1, "closed", true),
        )
        .await
        .unwrap();
    let queue = |limit: u32, offset: u32, before: Option<&str>| CaseFilter {
        department: Some("SCJG".into()),
        open_only: true,
        deadline_before: before.map(str::to_owned),
        limit,
        offset,
        ..CaseFilter::default()
    };
    let deadlines = |cases: Vec<xinyong_store::StoredCase>| -> Vec<String> {
        cases.into_iter().map(|c| c.deadline.unwrap()).collect()
    };
    let page = store.cases(&queue(3, 0, None)).await.unwrap();
    assert_eq!(
        deadlines(page),
        vec!["2020-10-21", "2020-10-22", "2020-10-23"]
    );
    let page = store.cases(&queue(3, 6, None)).await.unwrap();
    assert_eq!(deadlines(page), vec!["2020-10-27"]);
    assert!(store.cases(&queue(3, 9, None)).await.unwrap().is_empty());
    assert_eq!(store.count_cases(&queue(3, 6, None)).await.unwrap(), 7);
    // Overdue on 2020-10-24: the deadlines before that day.
    let late = queue(0, 0, Some("2020-10-24"));
    assert_eq!(store.count_cases(&late).await.unwrap(), 3);
    assert_eq!(
        deadlines(store.cases(&late).await.unwrap()),
        vec!["2020-10-21", "2020-10-22", "2020-10-23"]
    );
    // Every kind but objections: none of these.
    let repairs_only = CaseFilter {
        not_kind: Some("objection".into()),
        ..CaseFilter::default()
    };
    assert_eq!(store.count_cases(&repairs_only).await.unwrap(), 0);
    // Every case of every department, open or closed.
    assert_eq!(store.count_cases(&CaseFilter::default()).await.unwrap(), 9);
}
