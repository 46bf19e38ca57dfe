//! The credit check through the application layer (PRODUCT.md C10,
//! INTERCHANGE.md §4 `POST /api/v1/credit-checks`): over every scenario
//! case of `xinyong gen` (subjects of every class, grade and list) and
//! every scenario, the check returns exactly the measures whose triggers
//! hold, with their legal basis, and every check is in the audit log.
//! Then feedback, the check log and statistics, batch checks, and entries
//! proposed from model results.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;
use xinyong_app::{
    App, AuditFilter, BatchCheckRequest, CheckQuery, CreditCheckAnswer, CreditCheckRequest,
    ErrorCode, EvaluateRequest, FeedbackRequest, Principal, ProposeListEntries, Role, RunControl,
};
use xinyong_measures::{Catalogue, Scenario, SubjectFacts, Vocabulary};

mod common;

const SUBJECTS: u64 = 1_200;

fn who(role: Role, name: &str, department: Option<&str>) -> Principal {
    Principal {
        account_id: Some(1),
        username: name.into(),
        role,
        uscc: None,
        department: department.map(str::to_owned),
    }
}

fn officer() -> Principal {
    who(Role::Officer, "officer", None)
}

fn admin() -> Principal {
    who(Role::Admin, "admin", None)
}

async fn city(dir: &Path) -> (Arc<App>, Vec<Value>) {
    let app = common::generated_city(dir, SUBJECTS, 11, jiff::civil::date(2026, 10, 31)).await;
    let input = dir.join("input");
    app.evaluate_all(&EvaluateRequest::default(), &RunControl::default())
        .await
        .unwrap();
    let scenarios = std::fs::read_to_string(input.join("scenarios.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (app, scenarios)
}

/// The measures a model's value brings in each scenario, by hand from the
/// catalogue (docs/MEASURES.md §6); `approval` measures that also need a
/// list or depend on the bar are left out of the "must" side.
fn driven(model: &str, value: &str, scenario: &str) -> &'static [&'static str] {
    match (model, value, scenario) {
        ("yingkou-composite", "A", "approval") => {
            &["yk-a-missing-materials", "yk-a-simplified-procedure"]
        }
        ("yingkou-composite", "A", "inspection") => &["yk-a-no-inspection-without-complaint"],
        ("yingkou-composite", "C" | "D", "inspection") => &["yk-cd-more-inspection"],
        ("anhui-class", "trustworthy", "inspection") => &[
            "ah-trustworthy-no-proactive-inspection",
            "ah-trustworthy-lower-ratio",
            "ah-trustworthy-tolerant-supervision",
        ],
        ("anhui-class", "trustworthy", "approval") => &["ah-trustworthy-policy-support"],
        ("anhui-class", "trustworthy", "bidding") => &["ah-trustworthy-bidding-priority"],
        ("anhui-class", "warning", "inspection") => &["ah-warning-more-inspection"],
        ("anhui-class", "dishonest", "approval") => &["ah-dishonest-no-facilitation"],
        ("anhui-class", "dishonest", "bidding") => &["ah-dishonest-bidding-restriction"],
        ("anhui-class", "dishonest", "inspection") => &["ah-dishonest-more-inspection"],
        ("anhui-class", "severely_dishonest", "inspection") => &["ah-severe-key-supervision"],
        ("anhui-class", "severely_dishonest", "approval") => &[
            "ah-severe-market-entry",
            "ah-severe-industry-entry",
            "ah-severe-office-holding",
        ],
        ("anhui-class", "severely_dishonest", "bidding") => &["ah-severe-market-entry"],
        ("tianjin-risk", "warning" | "dishonest" | "severely_dishonest", "inspection") => {
            &["tj-key-inspection"]
        }
        ("renfang_redlist", _, "approval") => &[
            "red-no-threshold-acceptance",
            "red-green-channel",
            "renfang-red-simplified-procedure",
        ],
        ("renfang_redlist", _, "inspection") => {
            &["red-less-inspection", "renfang-red-less-inspection"]
        }
        ("renfang_redlist", _, "honor") => &["red-honor-priority"],
        ("renfang_redlist", _, "subsidy") => &["renfang-red-preferential-policy"],
        ("renfang_blacklist", _, "approval") => &["black-conditional-acceptance"],
        ("renfang_blacklist", _, "inspection") => {
            &["black-more-inspection", "renfang-black-supervision"]
        }
        ("renfang_blacklist", _, "procurement") => {
            &["black-joint-punishment", "renfang-black-procurement"]
        }
        ("renfang_blacklist", _, "subsidy") => &["black-joint-punishment", "renfang-black-subsidy"],
        ("renfang_blacklist", _, "bidding") => &["black-joint-punishment", "renfang-black-bidding"],
        ("renfang_blacklist", _, "honor") => &["black-joint-punishment"],
        ("construction_blacklist", _, "approval") => &["black-conditional-acceptance"],
        ("construction_blacklist", _, "inspection") => &["black-more-inspection"],
        ("construction_blacklist", _, "procurement" | "subsidy" | "honor" | "bidding") => {
            &["black-joint-punishment"]
        }
        _ => &[],
    }
}

/// Measures another value of the same model brings (must be absent).
fn excluded(model: &str, value: &str, scenario: &str) -> BTreeSet<&'static str> {
    let values: &[&str] = match model {
        "yingkou-composite" => &["A", "B", "C", "D"],
        "anhui-class" => &["trustworthy", "warning", "dishonest", "severely_dishonest"],
        "tianjin-risk" => &["warning", "dishonest", "severely_dishonest"],
        _ => &[],
    };
    let mine: BTreeSet<&str> = driven(model, value, scenario).iter().copied().collect();
    values
        .iter()
        .filter(|v| **v != value)
        .flat_map(|v| driven(model, v, scenario).iter().copied())
        .filter(|m| !mine.contains(m))
        .collect()
}

/// The facts the answer says it used (its result lines and lists).
fn facts_of(a: &CreditCheckAnswer) -> SubjectFacts {
    let mut f = SubjectFacts::new();
    for line in &a.results {
        let model = line["model"].as_str().unwrap();
        if let Some(lists) = line.get("lists").and_then(Value::as_array) {
            for l in lists {
                f = f.listed(l.as_str().unwrap(), jiff::civil::date(2026, 10, 31), None);
            }
        } else if let Some(e) = line.get("eligible").and_then(Value::as_bool) {
            f = f.with(model, if e { "eligible" } else { "ineligible" });
        } else if let Some(v) = line["class"].as_str().or(line["grade"].as_str()) {
            f = f.with(model, v);
        }
    }
    for l in &a.lists {
        f = f.listed(
            &l.list,
            xinyong_core::time::parse_date(&l.listed_on).unwrap(),
            None,
        );
    }
    f
}

const SCENARIOS: [&str; 6] = [
    "approval",
    "procurement",
    "subsidy",
    "inspection",
    "honor",
    "bidding",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_check_returns_exactly_the_measures_whose_triggers_hold_over_every_scenario_case() {
    let dir = tempfile::tempdir().unwrap();
    let (app, cases) = city(dir.path()).await;
    let vocab = Vocabulary::builtin().unwrap();
    let catalogue = Catalogue::builtin(&vocab).unwrap();
    let today = jiff::civil::date(2026, 10, 31);
    let by = officer();
    // (model, value) pairs met, and checks made per subject.
    let mut met: BTreeSet<(String, String)> = BTreeSet::new();
    let mut checks: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    let mut nonempty = 0usize;
    for case in &cases {
        let model = case["model"].as_str().unwrap();
        let expect = &case["expect"];
        // Subject-level models only: the record-level ones (penalty tiers,
        // trace clearing) trigger no measure.
        let values: Vec<String> = if let Some(v) = expect["class"].as_str() {
            vec![v.to_owned()]
        } else if let Some(v) = expect["grade"].as_str() {
            vec![v.to_owned()]
        } else if let Some(ls) = expect["lists"].as_array() {
            ls.iter().map(|l| l.as_str().unwrap().to_owned()).collect()
        } else if expect.get("eligible").is_some() {
            Vec::new()
        } else {
            continue;
        };
        let subject = case["subject"].as_str().unwrap();
        for scenario in SCENARIOS {
            let a = app
                .credit_check(
                    &by,
                    &CreditCheckRequest {
                        subject: subject.into(),
                        scenario: scenario.into(),
                        matter: None,
                    },
                )
                .await
                .unwrap();
            assert_eq!(a.subject, subject);
            assert_eq!(a.scenario, scenario);
            assert_eq!(a.as_of, "2026-10-31");
            // The result the scenario was built for is among those used.
            let line = a
                .results
                .iter()
                .find(|l| l["model"] == model)
                .unwrap_or_else(|| panic!("{subject} {model}: no result used"));
            if let Some(v) = expect["class"].as_str() {
                assert_eq!(line["class"], v, "{subject} {model}");
            }
            if let Some(v) = expect["grade"].as_str() {
                assert_eq!(line["grade"], v, "{subject} {model}");
            }
            if let Some(ls) = expect["lists"].as_array() {
                assert_eq!(&line["lists"], &Value::Array(ls.clone()), "{subject}");
            }
            // Exactly the measures whose triggers hold for what was used.
            let ids: Vec<&str> = a.measures.iter().map(|m| m.id.as_str()).collect();
            let want: Vec<&str> = catalogue
                .applicable(&facts_of(&a), Scenario::parse(scenario).unwrap(), today)
                .iter()
                .map(|m| m.id.as_str())
                .collect();
            assert_eq!(ids, want, "{subject} {model} {scenario}");
            // Those the scenario's value brings are there; those of the
            // model's other values are not.
            for v in &values {
                let key = if model == "renfang-lists" || model == "construction-blacklist" {
                    (v.clone(), String::new())
                } else {
                    (model.to_owned(), v.clone())
                };
                met.insert(key.clone());
                for m in driven(&key.0, &key.1, scenario) {
                    assert!(
                        ids.contains(m),
                        "{subject} {model}={v} {scenario}: {m} missing in {ids:?}"
                    );
                }
                for m in excluded(&key.0, &key.1, scenario) {
                    assert!(
                        !ids.contains(&m),
                        "{subject} {model}={v} {scenario}: {m} returned"
                    );
                }
            }
            // Each with its legal basis, as the catalogue gives it.
            for m in &a.measures {
                let c = catalogue.measure(&m.id).unwrap();
                assert_eq!(m.legal_basis, c.legal_basis());
                assert!(!m.legal_basis.is_empty());
                assert_eq!(m.kind, c.kind.as_str());
                assert_eq!(m.text, c.text);
            }
            nonempty += usize::from(!a.measures.is_empty());
            checks
                .entry(subject.to_owned())
                .or_default()
                .insert(a.check_id);
        }
    }
    // Subjects of every class, grade and list were checked.
    for (m, v) in [
        ("yingkou-composite", "A"),
        ("yingkou-composite", "B"),
        ("yingkou-composite", "C"),
        ("yingkou-composite", "D"),
        ("anhui-class", "trustworthy"),
        ("anhui-class", "warning"),
        ("anhui-class", "dishonest"),
        ("anhui-class", "severely_dishonest"),
        ("tianjin-risk", "warning"),
        ("tianjin-risk", "dishonest"),
        ("tianjin-risk", "severely_dishonest"),
        ("renfang_redlist", ""),
        ("renfang_blacklist", ""),
        ("construction_blacklist", ""),
    ] {
        assert!(
            met.contains(&(m.into(), v.into())),
            "no scenario case of {m} {v}"
        );
    }
    assert!(nonempty > 50, "only {nonempty} checks returned measures");
    // Every check is in the audit log, with its id and the measures.
    let mut audited = 0;
    for (subject, ids) in &checks {
        let entries = app
            .audit_entries(
                &admin(),
                &AuditFilter {
                    subject: Some(subject.clone()),
                    limit: Some(1000),
                    ..AuditFilter::default()
                },
            )
            .await
            .unwrap();
        let logged: BTreeSet<i64> = entries
            .iter()
            .filter(|e| e.action == "credit_check.run" && e.actor == "officer")
            .map(|e| e.detail["check_id"].as_i64().unwrap())
            .collect();
        assert_eq!(&logged, ids, "{subject}");
        audited += logged.len();
    }
    assert!(audited >= 6 * 14);

    // The log of checks for the credit office, and feedback.
    let log = app
        .credit_check_log(
            &admin(),
            &CheckQuery {
                limit: Some(10),
                ..CheckQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(log.len(), 10);
    let with_measures = app
        .credit_check_log(
            &admin(),
            &CheckQuery {
                limit: Some(200),
                ..CheckQuery::default()
            },
        )
        .await
        .unwrap()
        .into_iter()
        .find(|c| !c.measures.is_empty())
        .unwrap();
    let clerk = who(Role::Department, "xzsp-clerk", Some("XZSP"));
    let fb = app
        .report_check_feedback(
            &clerk,
            with_measures.check_id,
            &FeedbackRequest {
                applied: vec![with_measures.measures[0].clone()],
                outcome: "已按措施办理".into(),
                department: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(fb.department, "XZSP");
    assert_eq!(fb.applied, vec![with_measures.measures[0].clone()]);
    // A measure the check did not return, a blank outcome, another
    // department's name, an unknown check: refused, nothing stored.
    let bad = |applied: Vec<String>, outcome: &str, department: Option<&str>| FeedbackRequest {
        applied,
        outcome: outcome.into(),
        department: department.map(str::to_owned),
    };
    let e = app
        .report_check_feedback(
            &clerk,
            with_measures.check_id,
            &bad(vec!["no-such".into()], "x", None),
        )
        .await
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::InvalidRequest, Some("applied"))
    );
    let e = app
        .report_check_feedback(&clerk, with_measures.check_id, &bad(vec![], "  ", None))
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("outcome"));
    let e = app
        .report_check_feedback(
            &clerk,
            with_measures.check_id,
            &bad(vec![], "x", Some("SCJG")),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    let e = app
        .report_check_feedback(&clerk, 99_999_999, &bad(vec![], "x", None))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
    // An officer must name the department.
    let e = app
        .report_check_feedback(&officer(), with_measures.check_id, &bad(vec![], "x", None))
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("department"));
    let log = app
        .credit_check_log(
            &admin(),
            &CheckQuery {
                subject: Some(with_measures.subject.clone()),
                limit: Some(200),
                ..CheckQuery::default()
            },
        )
        .await
        .unwrap();
    let entry = log
        .iter()
        .find(|c| c.check_id == with_measures.check_id)
        .unwrap();
    assert_eq!(entry.feedback.len(), 1);
    let stats = app.credit_check_stats(&admin()).await.unwrap();
    let none = stats
        .iter()
        .find(|s| s.department == xinyong_app::NO_DEPARTMENT)
        .unwrap();
    assert_eq!(
        none.checks.values().sum::<u64>() as usize,
        checks.values().map(BTreeSet::len).sum::<usize>()
    );
    let xzsp = stats.iter().find(|s| s.department == "XZSP").unwrap();
    assert_eq!(xzsp.feedback, 1);
    assert_eq!(xzsp.applied.get(&with_measures.measures[0]), Some(&1));
    // Only officer and admin check; only admin and auditor read the log.
    for role in [
        Role::Public,
        Role::Enterprise,
        Role::Department,
        Role::Bank,
        Role::Auditor,
    ] {
        let e = app
            .credit_check(
                &who(role, "x", None),
                &CreditCheckRequest {
                    subject: with_measures.subject.clone(),
                    scenario: "approval".into(),
                    matter: None,
                },
            )
            .await
            .unwrap_err();
        assert!(
            matches!(e.code, ErrorCode::Forbidden | ErrorCode::Unauthenticated),
            "{role:?}"
        );
    }
    let e = app
        .credit_check_log(&officer(), &CheckQuery::default())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    // An officer reads back the checks they asked, and no one else's; the
    // credit office and the auditor read any.
    let mine = app
        .my_credit_checks(
            &officer(),
            &CheckQuery {
                limit: Some(5),
                ..CheckQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(mine.len(), 5);
    assert!(mine.iter().all(|c| c.checked_by == "officer"));
    let other = who(Role::Officer, "officer-2", None);
    assert!(
        app.my_credit_checks(&other, &CheckQuery::default())
            .await
            .unwrap()
            .is_empty()
    );
    let read = app
        .logged_credit_check(&officer(), with_measures.check_id)
        .await
        .unwrap();
    assert_eq!(read.answer.check_id, with_measures.check_id);
    assert_eq!(
        read.answer
            .measures
            .iter()
            .map(|m| m.id.clone())
            .collect::<Vec<_>>(),
        with_measures.measures
    );
    assert_eq!(read.feedback.len(), 1);
    assert_eq!(read.checked_by, "officer");
    for (by, code) in [
        (other.clone(), ErrorCode::NotFound),
        (who(Role::Enterprise, "x", None), ErrorCode::Forbidden),
        (
            who(Role::Department, "x", Some("XZSP")),
            ErrorCode::Forbidden,
        ),
        (Principal::public(), ErrorCode::Unauthenticated),
    ] {
        let e = app
            .logged_credit_check(&by, with_measures.check_id)
            .await
            .unwrap_err();
        assert_eq!(e.code, code, "{:?}", by.role);
        let log = app.my_credit_checks(&by, &CheckQuery::default()).await;
        match by.role {
            Role::Officer => assert!(log.unwrap().is_empty()),
            _ => assert_eq!(log.unwrap_err().code, code, "{:?}", by.role),
        }
    }
    for by in [admin(), who(Role::Auditor, "auditor", None)] {
        assert!(
            app.logged_credit_check(&by, with_measures.check_id)
                .await
                .is_ok()
        );
    }
    let e = app
        .logged_credit_check(&admin(), 99_999_999)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);

    // Bad requests: unknown scenario, unknown subject, matter outside approval.
    let req = |subject: &str, scenario: &str, matter: Option<&str>| CreditCheckRequest {
        subject: subject.into(),
        scenario: scenario.into(),
        matter: matter.map(str::to_owned),
    };
    let s = with_measures.subject.as_str();
    let e = app
        .credit_check(&by, &req(s, "tender", None))
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("scenario"));
    let e = app
        .credit_check(&by, &req("91210800MA0TEST001", "approval", None))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
    let e = app
        .credit_check(&by, &req(s, "bidding", Some("network-freight-license")))
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("matter"));
    let e = app
        .credit_check(&by, &req(s, "approval", Some("no-such-matter")))
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("matter"));
    // An approval matter: its two routes, each with its basis.
    let a = app
        .credit_check(&by, &req(s, "approval", Some("network-freight-license")))
        .await
        .unwrap();
    let routes = a.routes.unwrap();
    assert_eq!(
        routes.iter().map(|r| r.route.as_str()).collect::<Vec<_>>(),
        ["missing_materials", "notify_commit"]
    );

    // A batch: one row per subject in order, repeated ones once, an
    // unknown one with its reason; every check logged with the batch id.
    let first = cases[0]["subject"].as_str().unwrap().to_owned();
    let second = cases[1]["subject"].as_str().unwrap().to_owned();
    let batch = app
        .batch_credit_check(
            &by,
            &BatchCheckRequest {
                subjects: vec![
                    first.to_lowercase(),
                    "91210800MA0TEST001".into(),
                    second.clone(),
                    first.clone(),
                ],
                scenario: "bidding".into(),
                matter: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(batch.rows.len(), 3);
    assert_eq!(batch.rows[0].subject, first);
    assert!(batch.rows[0].check_id.is_some() && batch.rows[0].error.is_none());
    assert!(batch.rows[1].check_id.is_none() && batch.rows[1].error.is_some());
    assert_eq!(batch.rows[2].subject, second);
    let single = app
        .credit_check(&by, &req(&second, "bidding", None))
        .await
        .unwrap();
    assert_eq!(
        batch.rows[2]
            .measures
            .iter()
            .map(|m| &m.id)
            .collect::<Vec<_>>(),
        single.measures.iter().map(|m| &m.id).collect::<Vec<_>>()
    );
    let logged = app
        .credit_check_log(
            &admin(),
            &CheckQuery {
                batch: Some(batch.batch.clone()),
                limit: Some(10),
                ..CheckQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(logged.len(), 2);
    let e = app
        .batch_credit_check(
            &by,
            &BatchCheckRequest {
                subjects: vec![" ".into()],
                scenario: "bidding".into(),
                matter: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("subjects"));
    let e = app
        .batch_credit_check(
            &by,
            &BatchCheckRequest {
                subjects: (0..=xinyong_app::MAX_BATCH_SUBJECTS)
                    .map(|i| format!("X{i}"))
                    .collect(),
                scenario: "bidding".into(),
                matter: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("subjects"));

    // Entries proposed from the model results: a 人防 blacklist subject
    // gets an entry of the RFB's list, once.
    let black = cases
        .iter()
        .find(|c| {
            c["model"] == "renfang-lists"
                && c["expect"]["lists"] == serde_json::json!(["renfang_blacklist"])
        })
        .map(|c| c["subject"].as_str().unwrap().to_owned())
        .unwrap();
    let rfb = who(Role::Department, "rfb-clerk", Some("RFB"));
    let proposed = app
        .propose_list_entries(
            &rfb,
            &ProposeListEntries {
                subject: black.clone(),
            },
        )
        .await
        .unwrap();
    assert_eq!(proposed.len(), 1);
    assert_eq!(proposed[0].list, "renfang_blacklist");
    assert_eq!(proposed[0].origin, "model");
    assert_eq!(proposed[0].status, "entered");
    assert_eq!(proposed[0].basis["result"]["model"], "renfang-lists");
    let again = app
        .propose_list_entries(
            &rfb,
            &ProposeListEntries {
                subject: black.clone(),
            },
        )
        .await
        .unwrap();
    assert!(again.is_empty());
    // Another department may not propose entries of the RFB's lists.
    let other = app
        .propose_list_entries(
            &who(Role::Department, "scjg", Some("SCJG")),
            &ProposeListEntries { subject: black },
        )
        .await
        .unwrap();
    assert!(other.is_empty());
}
