//! Dates: measures are in force from `valid_from` through `valid_to`, list
//! memberships from listing through the day before removal, and a subject
//! barred after a breached commitment loses the commitment routes through
//! the bar's last day and has them again the day after.

mod common;

use common::{catalogue, d, matters, vocab};
use xinyong_measures::{
    Catalogue, CheckRequest, Reason, Route, Scenario, SubjectFacts, Unavailable, credit_check,
};

fn approval_ids(facts: &SubjectFacts, on: &str) -> Vec<String> {
    catalogue()
        .applicable(facts, Scenario::Approval, d(on))
        .into_iter()
        .map(|m| m.id.clone())
        .collect()
}

fn ids_in(c: &Catalogue, facts: &SubjectFacts, scenario: Scenario, on: &str) -> Vec<String> {
    c.applicable(facts, scenario, d(on))
        .into_iter()
        .map(|m| m.id.clone())
        .collect()
}

#[test]
fn grade_a_measures_start_on_the_day_of_the_evaluation_standard() {
    let a = SubjectFacts::new().with("yingkou-composite", "A");
    assert!(approval_ids(&a, "2021-07-23").is_empty());
    assert_eq!(
        approval_ids(&a, "2021-07-24"),
        ["yk-a-missing-materials", "yk-a-simplified-procedure"]
    );
}

#[test]
fn anhui_measures_start_when_the_measures_took_effect() {
    let t = SubjectFacts::new().with("anhui-class", "trustworthy");
    assert!(approval_ids(&t, "2020-12-31").is_empty());
    assert_eq!(
        approval_ids(&t, "2021-01-01"),
        ["ah-trustworthy-policy-support"]
    );
}

#[test]
fn tianjin_measures_start_in_may_2015() {
    let t = SubjectFacts::new().with("tianjin-risk", "warning");
    let c = catalogue();
    assert!(ids_in(c, &t, Scenario::Inspection, "2015-04-30").is_empty());
    assert_eq!(
        ids_in(c, &t, Scenario::Inspection, "2015-05-01"),
        ["tj-key-inspection"]
    );
}

#[test]
fn a_measure_ends_after_its_last_day() {
    let text = r#"version = "1"
name = "期限测试"

[[measure]]
id = "bounded"
type = "incentive"
text = "优先办理"
department = "审批部门"
trigger = 'grade("yingkou-composite") in ["A", "B"]'
scenarios = ["approval"]
basis = [{ document = "《济南市企业信用分级分类监管办法（试行）》" }]
source = "test"
valid_from = 2020-10-01
valid_to = 2022-09-30
"#;
    let c = Catalogue::load("bounded.toml", text, vocab()).unwrap();
    let b = SubjectFacts::new().with("yingkou-composite", "B");
    for (on, holds) in [
        ("2020-09-30", false),
        ("2020-10-01", true),
        ("2022-09-30", true),
        ("2022-10-01", false),
    ] {
        assert_eq!(
            ids_in(&c, &b, Scenario::Approval, on) == ["bounded"],
            holds,
            "{on}"
        );
        assert_eq!(c.measure("bounded").unwrap().valid_on(d(on)), holds, "{on}");
    }
}

#[test]
fn list_memberships_count_from_listing_until_removal() {
    let f = SubjectFacts::new().listed("renfang_blacklist", d("2024-03-01"), Some(d("2024-09-01")));
    let c = catalogue();
    for (on, listed) in [
        ("2024-02-29", false),
        ("2024-03-01", true),
        ("2024-08-31", true),
        ("2024-09-01", false),
    ] {
        let got = ids_in(c, &f, Scenario::Subsidy, on);
        let want: Vec<String> = if listed {
            vec![
                "black-joint-punishment".into(),
                "renfang-black-subsidy".into(),
            ]
        } else {
            vec![]
        };
        assert_eq!(got, want, "{on}");
    }
}

fn routes(facts: &SubjectFacts, matter: &str, on: &str) -> xinyong_measures::MatterRoutes {
    credit_check(
        catalogue(),
        matters(),
        facts,
        &CheckRequest {
            scenario: Scenario::Approval,
            matter: Some(matter),
            on: d(on),
        },
    )
    .unwrap()
    .routes
    .unwrap()
}

#[test]
fn a_barred_subject_loses_the_routes_through_the_last_day_of_the_bar() {
    let until = d("2025-03-01");
    let a = SubjectFacts::new()
        .with("yingkou-composite", "A")
        .barred_until(until);
    for on in ["2024-03-02", "2025-02-28", "2025-03-01"] {
        let r = routes(&a, "network-freight-license", on);
        for route in Route::ALL {
            let c = r.route(route).unwrap();
            assert!(!c.available, "{route} on {on}");
            assert_eq!(
                c.reasons,
                [Reason {
                    code: Unavailable::Barred,
                    text: format!(
                        "因违反信用承诺，2025-03-01（含当日）前不适用{}，自次日起恢复",
                        route.label_zh()
                    ),
                    until: Some(until),
                }],
                "{route} on {on}"
            );
        }
        assert_eq!(approval_ids(&a, on), ["yk-a-simplified-procedure"], "{on}");
    }
    let r = routes(&a, "network-freight-license", "2025-03-02");
    assert!(
        r.routes.iter().all(|c| c.available && c.reasons.is_empty()),
        "{r:?}"
    );
    assert_eq!(
        approval_ids(&a, "2025-03-02"),
        ["yk-a-missing-materials", "yk-a-simplified-procedure"]
    );
}

#[test]
fn barred_and_not_eligible_are_both_told() {
    let c = SubjectFacts::new()
        .with("yingkou-composite", "C")
        .barred_until(d("2025-03-01"));
    let r = routes(&c, "eia-report-form", "2025-01-01");
    let codes: Vec<Vec<Unavailable>> = r
        .routes
        .iter()
        .map(|x| x.reasons.iter().map(|y| y.code).collect())
        .collect();
    assert_eq!(
        codes,
        [
            vec![Unavailable::NotOffered],
            vec![Unavailable::Barred, Unavailable::NotEligible]
        ]
    );
    assert_eq!(
        r.routes[1].reasons[1].text,
        "主体信用状况不符合告知承诺的适用条件"
    );
    let json = serde_json::to_value(&r.routes[1]).unwrap();
    assert_eq!(json["route"], "notify_commit");
    assert_eq!(json["name"], "告知承诺");
    assert_eq!(json["available"], false);
    assert_eq!(json["reasons"][0]["code"], "barred");
    assert_eq!(json["reasons"][0]["until"], "2025-03-01");
    assert!(json["reasons"][1].get("until").is_none());
}

#[test]
fn a_bar_that_ended_has_no_effect() {
    let b = SubjectFacts::new()
        .with("yingkou-composite", "B")
        .barred_until(d("2023-12-31"));
    let r = routes(&b, "labour-dispatch-license", "2024-01-01");
    assert_eq!(r.route(Route::NotifyCommit).unwrap().reasons, []);
    assert!(r.route(Route::NotifyCommit).unwrap().available);
    assert!(!r.route(Route::MissingMaterials).unwrap().available);
}
