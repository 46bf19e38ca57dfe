//! Random-inspection plans (migration 10), on both backends: a plan is
//! stored once with its lists byte for byte; publication and the draw are
//! steps taken at most once (the draw with its tasks, in one transaction);
//! results are appended; the last inspectors of each subject are those of
//! its latest drawn task.

#[macro_use]
mod common;

use common::Ctx;
use xinyong_store::*;

store_tests!(
    a_plan_is_stored_once_with_its_lists,
    publication_and_draw_are_steps_taken_once,
    results_are_appended_and_last_inspectors_follow_the_latest_draw,
    bad_input_is_refused_and_nothing_is_written,
);

fn plan(id: &str, seed: Option<&str>) -> NewInspectionPlan {
    NewInspectionPlan {
        plan_id: id.into(),
        name: "2026 年第一批双随机抽查".into(),
        department: "SCJG".into(),
        model: "yingkou-composite".into(),
        params: r#"{"k":1}"#.into(),
        screening: r#"{"registered":3}"#.into(),
        pool: "91210800MA0010002F\tA\t1\t0\n".into(),
        roster: "P1\t市场监管局\nP2\t\n".into(),
        recusals: String::new(),
        items: "产品质量的检查\n".into(),
        published: r#"{"plan_id":"x"}"#.into(),
        seed: seed.map(str::to_owned),
        created_by: "admin".into(),
    }
}

fn task(plan_id: &str, idx: i64, uscc: &str, lead: Option<&str>) -> InspectionTaskRow {
    InspectionTaskRow {
        plan_id: plan_id.into(),
        idx,
        uscc: uscc.into(),
        class: "A".into(),
        basis: "random".into(),
        lead: lead.map(str::to_owned),
        assist: lead.map(|_| "P2".to_owned()),
        items: r#"["产品质量的检查"]"#.into(),
    }
}

async fn a_plan_is_stored_once_with_its_lists(ctx: Ctx) {
    let s = &ctx.store;
    assert!(
        s.insert_inspection_plan(&plan("P-1", Some("ab")))
            .await
            .unwrap()
    );
    // Same id again: nothing written, the first one stays.
    let mut other = plan("P-1", None);
    other.name = "另一个".into();
    assert!(!s.insert_inspection_plan(&other).await.unwrap());
    let p = s.inspection_plan("P-1").await.unwrap().unwrap();
    assert_eq!(p.name, "2026 年第一批双随机抽查");
    assert!(p.seed_held);
    assert!(p.steps.is_empty());
    assert_eq!(p.created_at.len(), "2026-01-01T00:00:00.000000Z".len());
    let lists = s.inspection_plan_lists("P-1").await.unwrap().unwrap();
    assert_eq!(lists.roster, "P1\t市场监管局\nP2\t\n");
    assert_eq!(lists.recusals, "");
    assert_eq!(lists.seed.as_deref(), Some("ab"));
    assert!(s.inspection_plan("nope").await.unwrap().is_none());
    assert!(s.inspection_plan_lists("nope").await.unwrap().is_none());
    // Another opening of the same store reads the same plan.
    let again = Store::open(&ctx.cfg).await.unwrap();
    let lists = again.inspection_plan_lists("P-1").await.unwrap().unwrap();
    assert_eq!(lists.pool, "91210800MA0010002F\tA\t1\t0\n");
    assert!(s.insert_inspection_plan(&plan("P-2", None)).await.unwrap());
    let all = s.inspection_plans().await.unwrap();
    assert_eq!(all.len(), 2);
    assert!(!all.iter().find(|p| p.plan_id == "P-2").unwrap().seed_held);
}

async fn publication_and_draw_are_steps_taken_once(ctx: Ctx) {
    let s = &ctx.store;
    s.insert_inspection_plan(&plan("P-1", None)).await.unwrap();
    let tasks = [task("P-1", 0, "91210800MA0010002F", Some("P1"))];
    // Not published: the draw is refused, nothing written.
    assert!(matches!(
        s.record_inspection_draw("P-1", "admin", "{}", &tasks).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(s.inspection_tasks("P-1").await.unwrap().is_empty());
    assert!(matches!(
        s.publish_inspection_plan("nope", "admin").await,
        Err(StoreError::Invalid(_))
    ));
    assert!(s.publish_inspection_plan("P-1", "admin").await.unwrap());
    assert!(!s.publish_inspection_plan("P-1", "admin2").await.unwrap());
    assert!(
        s.record_inspection_draw("P-1", "admin", r#"{"digest":"d"}"#, &tasks)
            .await
            .unwrap()
    );
    // A second draw: refused, the first draw's tasks stay.
    let again = [task("P-1", 0, "91210800MA0010379D", Some("P2"))];
    assert!(
        !s.record_inspection_draw("P-1", "admin", "{}", &again)
            .await
            .unwrap()
    );
    let stored = s.inspection_tasks("P-1").await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].uscc, "91210800MA0010002F");
    let p = s.inspection_plan("P-1").await.unwrap().unwrap();
    let steps: Vec<(&str, &str)> = p
        .steps
        .iter()
        .map(|s| (s.step.as_str(), s.actor.as_str()))
        .collect();
    assert_eq!(steps, [("published", "admin"), ("drawn", "admin")]);
    assert_eq!(p.step("drawn").unwrap().detail, r#"{"digest":"d"}"#);
    assert_eq!(s.inspection_tasks_of("P2").await.unwrap().len(), 1);
    assert!(s.inspection_tasks_of("P3").await.unwrap().is_empty());
}

async fn results_are_appended_and_last_inspectors_follow_the_latest_draw(ctx: Ctx) {
    let s = &ctx.store;
    let u = "91210800MA0010002F";
    for (id, lead) in [("P-1", "P1"), ("P-2", "P3")] {
        s.insert_inspection_plan(&plan(id, None)).await.unwrap();
        s.publish_inspection_plan(id, "admin").await.unwrap();
        s.record_inspection_draw(id, "admin", "{}", &[task(id, 0, u, Some(lead))])
            .await
            .unwrap();
    }
    let last = s.last_inspectors().await.unwrap();
    assert_eq!(
        last,
        [(u.to_owned(), Some("P3".to_owned()), Some("P2".to_owned()))]
    );
    let r = |outcome: &str| NewInspectionResult {
        plan_id: "P-1".into(),
        idx: 0,
        outcome: outcome.into(),
        inspected_on: "2026-03-02".into(),
        publish_due: "2026-03-30".into(),
        note: String::new(),
        record_source: "SCJG".into(),
        record_id: "JC-P-1-1".into(),
        entered_by: "P1".into(),
    };
    let a = s.insert_inspection_result(&r("compliant")).await.unwrap();
    let b = s
        .insert_inspection_result(&r("issues_found"))
        .await
        .unwrap();
    assert!(b > a);
    let all = s.inspection_results("P-1").await.unwrap();
    let outcomes: Vec<&str> = all.iter().map(|r| r.outcome.as_str()).collect();
    assert_eq!(outcomes, ["compliant", "issues_found"]);
    assert!(s.inspection_results("P-2").await.unwrap().is_empty());
    // No such task.
    let mut bad = r("compliant");
    bad.idx = 5;
    assert!(matches!(
        s.insert_inspection_result(&bad).await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(s.inspection_results("P-1").await.unwrap().len(), 2);
}

async fn bad_input_is_refused_and_nothing_is_written(ctx: Ctx) {
    let s = &ctx.store;
    let mut p = plan(" ", None);
    assert!(matches!(
        s.insert_inspection_plan(&p).await,
        Err(StoreError::Invalid(_))
    ));
    p.plan_id = "P-1".into();
    p.created_by = String::new();
    assert!(matches!(
        s.insert_inspection_plan(&p).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(s.inspection_plans().await.unwrap().is_empty());
    // A task of another plan in the draw: refused, the step rolled back.
    s.insert_inspection_plan(&plan("P-1", None)).await.unwrap();
    s.publish_inspection_plan("P-1", "admin").await.unwrap();
    let wrong = [task("P-9", 0, "91210800MA0010002F", None)];
    assert!(
        s.record_inspection_draw("P-1", "admin", "{}", &wrong)
            .await
            .is_err()
    );
    let p = s.inspection_plan("P-1").await.unwrap().unwrap();
    assert!(p.step("drawn").is_none());
    assert!(
        s.record_inspection_draw(
            "P-1",
            "admin",
            "{}",
            &[task("P-1", 0, "91210800MA0010002F", None)]
        )
        .await
        .unwrap()
    );
}
