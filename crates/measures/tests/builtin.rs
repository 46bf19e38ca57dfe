//! The built-in catalogues: they load, and the credit check gives exactly
//! the expected measures for a subject of every class and grade of every
//! built-in model and on every catalogued list, in every scenario, and the
//! expected commitment routes for every matter.
//!
//! The expectations are written out here by hand from the catalogue's
//! sources (docs/MEASURES.md), not computed with the trigger code.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{catalogue, d, matters};
use xinyong_core::catalog::LISTS;
use xinyong_measures::{
    CheckError, CheckRequest, ELIGIBLE, INELIGIBLE, MeasureType, Route, Scenario, SubjectFacts,
    Unavailable, credit_check,
};
use xinyong_rules::{ModelKind, ModelSet};

const ON: &str = "2024-06-15";

/// Expected measure ids in one scenario.
type Row = (&'static str, &'static [&'static str]);

const BLACK: &[Row] = &[
    ("approval", &["black-conditional-acceptance"]),
    ("inspection", &["black-more-inspection"]),
    ("procurement", &["black-joint-punishment"]),
    ("subsidy", &["black-joint-punishment"]),
    ("honor", &["black-joint-punishment"]),
    ("bidding", &["black-joint-punishment"]),
];

const RED: &[Row] = &[
    (
        "approval",
        &[
            "red-no-threshold-acceptance",
            "red-green-channel",
            "red-missing-materials",
        ],
    ),
    ("inspection", &["red-less-inspection"]),
    ("honor", &["red-honor-priority"]),
];

/// The subject with one fact: a model's value, or a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Fact {
    Value(&'static str, &'static str),
    List(&'static str),
}

fn rows(base: &[Row], more: &[Row]) -> Vec<Row> {
    [base, more].concat()
}

/// Expected measure ids per scenario, for a subject with one fact.
fn expected() -> BTreeMap<Fact, BTreeMap<&'static str, BTreeSet<&'static str>>> {
    use Fact::*;
    let none: Vec<Row> = Vec::new();
    let table: Vec<(Fact, Vec<Row>)> = vec![
        // yingkou-composite (seed 000, seed 001 case 16, seed 002)
        (
            Value("yingkou-composite", "A"),
            rows(
                &[
                    (
                        "approval",
                        &["yk-a-missing-materials", "yk-a-simplified-procedure"],
                    ),
                    ("inspection", &["yk-a-no-inspection-without-complaint"]),
                ],
                &[],
            ),
        ),
        (Value("yingkou-composite", "B"), none.clone()),
        (
            Value("yingkou-composite", "C"),
            rows(&[("inspection", &["yk-cd-more-inspection"])], &[]),
        ),
        (
            Value("yingkou-composite", "D"),
            rows(&[("inspection", &["yk-cd-more-inspection"])], &[]),
        ),
        // anhui-class (建审〔2020〕66号 arts. 18–21)
        (
            Value("anhui-class", "trustworthy"),
            rows(
                &[
                    (
                        "inspection",
                        &[
                            "ah-trustworthy-no-proactive-inspection",
                            "ah-trustworthy-lower-ratio",
                            "ah-trustworthy-tolerant-supervision",
                        ],
                    ),
                    ("approval", &["ah-trustworthy-policy-support"]),
                    ("bidding", &["ah-trustworthy-bidding-priority"]),
                ],
                &[],
            ),
        ),
        // Art. 19(1) needs the abnormal list too: not with the class alone.
        (
            Value("anhui-class", "warning"),
            rows(&[("inspection", &["ah-warning-more-inspection"])], &[]),
        ),
        (
            Value("anhui-class", "dishonest"),
            rows(
                &[
                    ("approval", &["ah-dishonest-no-facilitation"]),
                    ("bidding", &["ah-dishonest-bidding-restriction"]),
                    ("inspection", &["ah-dishonest-more-inspection"]),
                ],
                &[],
            ),
        ),
        (
            Value("anhui-class", "severely_dishonest"),
            rows(
                &[
                    ("inspection", &["ah-severe-key-supervision"]),
                    (
                        "approval",
                        &[
                            "ah-severe-market-entry",
                            "ah-severe-industry-entry",
                            "ah-severe-office-holding",
                        ],
                    ),
                    ("bidding", &["ah-severe-market-entry"]),
                ],
                &[],
            ),
        ),
        (Value("anhui-class", "unclassified"), none.clone()),
        // tianjin-risk (seed 004 case 6)
        (
            Value("tianjin-risk", "severely_dishonest"),
            rows(&[("inspection", &["tj-key-inspection"])], &[]),
        ),
        (
            Value("tianjin-risk", "dishonest"),
            rows(&[("inspection", &["tj-key-inspection"])], &[]),
        ),
        (
            Value("tianjin-risk", "warning"),
            rows(&[("inspection", &["tj-key-inspection"])], &[]),
        ),
        (Value("tianjin-risk", "good"), none.clone()),
        (Value("tianjin-risk", "unclassified"), none.clone()),
        // xinyidai-eligibility: no measure of its own.
        (Value("xinyidai-eligibility", ELIGIBLE), none.clone()),
        (Value("xinyidai-eligibility", INELIGIBLE), none.clone()),
        // gov-integrity grades government agencies (政务诚信); the measures
        // catalogue has no measure for them (the joint rewards and
        // punishments apply to market subjects).
        (Value("gov-integrity", "A"), none.clone()),
        (Value("gov-integrity", "B"), none.clone()),
        (Value("gov-integrity", "C"), none.clone()),
        (Value("gov-integrity", "D"), none.clone()),
        // Lists (xinyong-core's catalogue).
        (List("abnormal_operation"), none.clone()),
        (List("serious_violation"), BLACK.to_vec()),
        (List("major_tax_violation"), BLACK.to_vec()),
        (List("dishonest_debtor"), none.clone()),
        (List("construction_blacklist"), BLACK.to_vec()),
        (
            List("wage_arrears_blacklist"),
            rows(BLACK, &[("inspection", &["wage-arrears-supervision"])]),
        ),
        (
            List("renfang_blacklist"),
            rows(
                BLACK,
                &[
                    ("inspection", &["renfang-black-supervision"]),
                    ("subsidy", &["renfang-black-subsidy"]),
                    ("procurement", &["renfang-black-procurement"]),
                    ("bidding", &["renfang-black-bidding"]),
                ],
            ),
        ),
        (
            List("renfang_redlist"),
            rows(
                RED,
                &[
                    ("approval", &["renfang-red-simplified-procedure"]),
                    ("inspection", &["renfang-red-less-inspection"]),
                    ("subsidy", &["renfang-red-preferential-policy"]),
                ],
            ),
        ),
        (List("other_blacklist"), BLACK.to_vec()),
        (List("other_redlist"), RED.to_vec()),
    ];
    let mut out = BTreeMap::new();
    for (fact, rows) in table {
        let mut per: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (scenario, ids) in rows {
            per.entry(scenario).or_default().extend(ids.iter().copied());
        }
        assert!(
            out.insert(fact, per).is_none(),
            "{fact:?} twice in the table"
        );
    }
    out
}

fn facts_of(fact: Fact) -> SubjectFacts {
    match fact {
        Fact::Value(model, value) => SubjectFacts::new().with(model, value),
        Fact::List(list) => SubjectFacts::new().listed(list, d("2024-01-01"), None),
    }
}

fn ids(facts: &SubjectFacts, scenario: Scenario, on: &str) -> BTreeSet<String> {
    catalogue()
        .applicable(facts, scenario, d(on))
        .into_iter()
        .map(|m| m.id.clone())
        .collect()
}

#[test]
fn the_builtin_catalogues_load() {
    assert_eq!(catalogue().measures().len(), 35);
    assert_eq!(catalogue().version, "2026.1");
    assert_eq!(matters().matters().len(), 5);
    for m in catalogue().measures() {
        assert!(!m.legal_basis().is_empty(), "{}", m.id);
    }
}

/// Every class and grade of every built-in model and every catalogued list
/// has a row in the table (so a new class or list fails here until its
/// measures are written down).
#[test]
fn the_table_covers_every_model_outcome_and_every_list() {
    let table = expected();
    let set = ModelSet::builtin().unwrap();
    let mut needed: BTreeSet<(String, String)> = BTreeSet::new();
    for m in set.models() {
        match m.kind {
            ModelKind::Classification | ModelKind::Scoring => {
                for v in m.outcome_ids() {
                    needed.insert((m.id.clone(), v));
                }
            }
            ModelKind::Eligibility => {
                needed.insert((m.id.clone(), ELIGIBLE.into()));
                needed.insert((m.id.clone(), INELIGIBLE.into()));
            }
            // Lists models decide lists: covered by the lists below.
            ModelKind::Lists | ModelKind::Record => {}
        }
    }
    for l in LISTS {
        needed.insert(("list".into(), l.id.into()));
    }
    let have: BTreeSet<(String, String)> = table
        .keys()
        .map(|f| match f {
            Fact::Value(m, v) => ((*m).to_owned(), (*v).to_owned()),
            Fact::List(l) => ("list".to_owned(), (*l).to_owned()),
        })
        .collect();
    assert_eq!(have, needed);
}

#[test]
fn every_subject_gets_exactly_its_measures_in_every_scenario() {
    let mut failures = Vec::new();
    for (fact, per) in expected() {
        let facts = facts_of(fact);
        for scenario in Scenario::ALL {
            let want: BTreeSet<String> = per
                .get(scenario.as_str())
                .map(|s| s.iter().map(|x| (*x).to_owned()).collect())
                .unwrap_or_default();
            let got = ids(&facts, scenario, ON);
            if got != want {
                failures.push(format!(
                    "{fact:?} in {scenario}: got {got:?}, want {want:?}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_subject_without_facts_gets_nothing() {
    for scenario in Scenario::ALL {
        assert!(
            ids(&SubjectFacts::new(), scenario, ON).is_empty(),
            "{scenario}"
        );
    }
}

#[test]
fn combined_facts() {
    let warning_abnormal = SubjectFacts::new().with("anhui-class", "warning").listed(
        "abnormal_operation",
        d("2024-05-01"),
        None,
    );
    assert_eq!(
        ids(&warning_abnormal, Scenario::Approval, ON),
        BTreeSet::from(["ah-warning-abnormal-licensing".to_owned()])
    );
    // Removed from the abnormal list: licensing is open again.
    let removed = SubjectFacts::new().with("anhui-class", "warning").listed(
        "abnormal_operation",
        d("2024-05-01"),
        Some(d("2024-06-15")),
    );
    assert!(ids(&removed, Scenario::Approval, ON).is_empty());

    // Grade A on a red list, barred after a breach: no 容缺受理 either way.
    let a_red_barred = SubjectFacts::new()
        .with("yingkou-composite", "A")
        .listed("other_redlist", d("2024-01-01"), None)
        .barred_until(d("2024-12-31"));
    assert_eq!(
        ids(&a_red_barred, Scenario::Approval, ON),
        BTreeSet::from(
            [
                "yk-a-simplified-procedure",
                "red-no-threshold-acceptance",
                "red-green-channel"
            ]
            .map(String::from)
        )
    );
}

#[test]
fn measures_come_in_catalogue_order_with_their_legal_basis() {
    let facts = SubjectFacts::new()
        .with("anhui-class", "severely_dishonest")
        .listed("renfang_blacklist", d("2024-01-01"), None);
    let out = credit_check(
        catalogue(),
        matters(),
        &facts,
        &CheckRequest {
            scenario: Scenario::Bidding,
            matter: None,
            on: d(ON),
        },
    )
    .unwrap();
    assert_eq!(
        out.measure_ids(),
        [
            "black-joint-punishment",
            "renfang-black-bidding",
            "ah-severe-market-entry"
        ]
    );
    let lines = out.measure_lines();
    assert!(lines.iter().all(|l| l.kind == MeasureType::Punishment));
    assert_eq!(
        lines[2].legal_basis,
        "《安徽省住房城乡建设领域涉企信用信息归集应用管理暂行办法》（建审〔2020〕66号）第二十一条第（二）项"
    );
    let json = serde_json::to_value(&lines[1]).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "id": "renfang-black-bidding",
            "type": "punishment",
            "text": "限制参与人民防空主管部门的政府投资项目或者主要使用财政性资金项目的招投标活动",
            "legal_basis": "中国（辽宁）自由贸易试验区营口片区制度创新案例18「人防市场责任主体守信激励和失信惩戒模式」"
        })
    );
    assert!(out.routes.is_none());
}

/// Who each route of each matter is open to (not barred), written out.
#[test]
fn routes_of_every_matter_for_every_kind_of_subject() {
    // (subject, 容缺受理 open, 告知承诺 open) where the matter offers them.
    let subjects: Vec<(&str, SubjectFacts, bool, bool)> = vec![
        ("no facts", SubjectFacts::new(), false, false),
        (
            "A",
            SubjectFacts::new().with("yingkou-composite", "A"),
            true,
            true,
        ),
        (
            "B",
            SubjectFacts::new().with("yingkou-composite", "B"),
            false,
            true,
        ),
        (
            "C",
            SubjectFacts::new().with("yingkou-composite", "C"),
            false,
            false,
        ),
        (
            "D",
            SubjectFacts::new().with("yingkou-composite", "D"),
            false,
            false,
        ),
        (
            "renfang red",
            facts_of(Fact::List("renfang_redlist")),
            true,
            true,
        ),
        (
            "other red",
            facts_of(Fact::List("other_redlist")),
            true,
            true,
        ),
        (
            "C on a red list",
            facts_of(Fact::List("other_redlist")).with("yingkou-composite", "C"),
            true,
            true,
        ),
        (
            "A on a black list",
            facts_of(Fact::List("construction_blacklist")).with("yingkou-composite", "A"),
            false,
            false,
        ),
        (
            "A, anhui dishonest",
            SubjectFacts::new()
                .with("yingkou-composite", "A")
                .with("anhui-class", "dishonest"),
            false,
            false,
        ),
        (
            "B, anhui severely dishonest",
            SubjectFacts::new()
                .with("yingkou-composite", "B")
                .with("anhui-class", "severely_dishonest"),
            false,
            false,
        ),
        (
            "A, anhui warning",
            SubjectFacts::new()
                .with("yingkou-composite", "A")
                .with("anhui-class", "warning"),
            true,
            true,
        ),
        (
            "B, abnormal list, watch list",
            facts_of(Fact::List("abnormal_operation"))
                .listed("dishonest_debtor", d("2024-01-01"), None)
                .with("yingkou-composite", "B"),
            false,
            true,
        ),
        (
            "trustworthy only",
            SubjectFacts::new().with("anhui-class", "trustworthy"),
            false,
            false,
        ),
    ];
    // (matter, offers 容缺受理, offers 告知承诺)
    let offered = [
        ("network-freight-license", true, true),
        ("labour-dispatch-license", true, true),
        ("food-business-special-food", false, true),
        ("eia-report-form", false, true),
        ("customs-consignor-registration", false, false),
    ];
    let ids: Vec<&str> = matters().matters().iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, offered.map(|o| o.0));
    for (matter, mm, nc) in offered {
        for (who, facts, mm_open, nc_open) in &subjects {
            let out = credit_check(
                catalogue(),
                matters(),
                facts,
                &CheckRequest {
                    scenario: Scenario::Approval,
                    matter: Some(matter),
                    on: d(ON),
                },
            )
            .unwrap();
            let routes = out.routes.unwrap();
            for (route, offers, open) in [
                (Route::MissingMaterials, mm, *mm_open),
                (Route::NotifyCommit, nc, *nc_open),
            ] {
                let r = routes.route(route).unwrap();
                assert_eq!(
                    r.available,
                    offers && open,
                    "{matter} {route} for {who}: {r:?}"
                );
                let codes: Vec<Unavailable> = r.reasons.iter().map(|x| x.code).collect();
                let want: Vec<Unavailable> = if !offers {
                    vec![Unavailable::NotOffered]
                } else if !open {
                    vec![Unavailable::NotEligible]
                } else {
                    vec![]
                };
                assert_eq!(codes, want, "{matter} {route} for {who}");
            }
        }
    }
}

#[test]
fn a_matter_is_for_approval_only_and_must_exist() {
    let ask = |scenario, matter| {
        credit_check(
            catalogue(),
            matters(),
            &SubjectFacts::new(),
            &CheckRequest {
                scenario,
                matter: Some(matter),
                on: d(ON),
            },
        )
    };
    assert_eq!(
        ask(Scenario::Approval, "no-such-matter").unwrap_err(),
        CheckError::UnknownMatter("no-such-matter".into())
    );
    let e = ask(Scenario::Bidding, "eia-report-form").unwrap_err();
    assert_eq!(e, CheckError::MatterOutsideApproval(Scenario::Bidding));
    assert_eq!(e.code(), "matter_outside_approval");
    let r = ask(Scenario::Approval, "customs-consignor-registration").unwrap();
    let routes = r.routes.unwrap();
    assert_eq!(routes.routes[0].reasons[0].text, "本事项不实行容缺受理");
    assert_eq!(routes.routes[1].reasons[0].text, "本事项不实行告知承诺");
}
