//! `scenarios.jsonl` covers every rule of every model of PRODUCT.md §4, and
//! the scenario subjects are built as their lines say.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value};
use xinyong_core::Date;
use xinyong_core::time::{self, Period, parse_date};

/// Every rule id of PRODUCT.md §4 the brief requires, per model.
const REQUIRED: &[(&str, &[&str])] = &[
    ("penalty-tier", &["P1", "P2", "P3", "P4", "P5", "P6", "P7"]),
    (
        "anhui-class",
        &[
            "S1",
            "S2",
            "S3",
            "S4",
            "S5",
            "D1",
            "D2",
            "D3",
            "D4",
            "D5",
            "W1",
            "W2",
            "W3",
            "W4",
            "W5",
            "W6",
            "T1",
            "unclassified",
        ],
    ),
    (
        "tianjin-risk",
        &[
            "TS1", "TS2", "TS3", "TS4", "TD1", "TD2", "TW1", "TW2", "TG1",
        ],
    ),
    ("yingkou-composite", &["V1", "V2", "V3", "A", "B", "C", "D"]),
    (
        "renfang-lists",
        &["RB1", "RB2", "RB3", "RB4", "RB5", "RR1", "RR2"],
    ),
    ("construction-blacklist", &["CB1", "CB2", "CB3", "CB4"]),
    ("abnormal-trace-clear", &["clearable"]),
    (
        "xinyidai-eligibility",
        &["X1", "X2", "X3", "X4", "X5", "X6"],
    ),
    ("gov-integrity", &["GV1", "GI1", "GI2", "GI3", "GI4"]),
];

struct City {
    scenarios: Vec<Map<String, Value>>,
    subjects: HashMap<String, Map<String, Value>>,
    records: HashMap<String, Vec<Map<String, Value>>>,
    by_id: HashMap<String, Map<String, Value>>,
}

fn load(n: u64) -> City {
    let (dir, _) = common::city(n, 4, false);
    let scenarios = common::objects(&dir.path().join("scenarios.jsonl"));
    let subjects = common::objects(&dir.path().join("subjects.jsonl"))
        .into_iter()
        .map(|s| (common::s(&s, "uscc").to_owned(), s))
        .collect();
    let mut records: HashMap<String, Vec<Map<String, Value>>> = HashMap::new();
    let mut by_id = HashMap::new();
    for r in common::objects(&dir.path().join("records.jsonl")) {
        by_id.insert(common::s(&r, "id").to_owned(), r.clone());
        records
            .entry(common::s(&r, "subject").to_owned())
            .or_default()
            .push(r);
    }
    City {
        scenarios,
        subjects,
        records,
        by_id,
    }
}

fn rules(s: &Map<String, Value>) -> Vec<&str> {
    s["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect()
}

fn case<'a>(c: &'a City, name: &str) -> &'a Map<String, Value> {
    c.scenarios
        .iter()
        .find(|s| common::s(s, "case") == name)
        .unwrap_or_else(|| panic!("no scenario {name}"))
}

fn d(s: &str) -> Date {
    parse_date(s).unwrap()
}

#[test]
fn every_rule_of_every_model_is_covered() {
    let c = load(2_000);
    let mut covered: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for s in &c.scenarios {
        for r in rules(s) {
            covered.entry(common::s(s, "model")).or_default().insert(r);
        }
        assert_eq!(common::s(s, "as_of"), xinyong_gen::REFERENCE_DATE);
        assert!(!common::s(s, "note").is_empty());
    }
    for (model, ids) in REQUIRED {
        for id in *ids {
            assert!(
                covered.get(model).is_some_and(|set| set.contains(id)),
                "{model} {id} not covered"
            );
        }
    }
    let expect = |s: &Map<String, Value>, k: &str| s["expect"].get(k).cloned();
    let pt: Vec<_> = c
        .scenarios
        .iter()
        .filter(|s| common::s(s, "model") == "penalty-tier")
        .collect();
    assert!(
        pt.iter()
            .any(|s| expect(s, "tier") == Some("manual_review".into())),
        "manual_review"
    );
    for tier in ["general", "serious", "specific_serious"] {
        assert!(
            pt.iter().any(|s| expect(s, "tier") == Some(tier.into())),
            "{tier}"
        );
    }
    assert!(
        pt.iter()
            .any(|s| expect(s, "visible") == Some(false.into()))
    );
    // the regime change of 2026-04-01: serious minimum 6 months before, 1 year from then
    assert_eq!(
        expect(case(&c, "P2_regime_2019_last_day"), "repairable_from"),
        Some("2026-10-01".into())
    );
    assert_eq!(
        expect(case(&c, "P2_regime_2025_first_day"), "repairable_from"),
        Some("2027-04-02".into())
    );
    // abnormal-trace-clear: each reason clearable and not yet
    for reason in [
        "annual_report",
        "not_disclosed",
        "false_disclosure",
        "unreachable",
    ] {
        for (suffix, clearable) in [("clearable", true), ("not_yet", false)] {
            assert_eq!(
                expect(case(&c, &format!("{reason}_{suffix}")), "clearable"),
                Some(clearable.into()),
                "{reason}"
            );
        }
    }
    // xinyidai: eligible, and each condition failing
    assert_eq!(expect(case(&c, "eligible"), "eligible"), Some(true.into()));
    // twins exist
    for name in [
        "D2_four_general",
        "D2_sum_exactly_500000",
        "D2_fifth_before_w3",
        "T1_blacklist_removed_on_asof",
        "none_two_relatively_large_13_months",
        "TD2_five_visible_penalties",
    ] {
        let s = case(&c, name);
        assert!(!s["absent"].as_array().unwrap().is_empty(), "{name}");
    }
}

#[test]
fn scenario_subjects_and_records_exist() {
    let c = load(2_000);
    let mut seen = BTreeSet::new();
    for s in &c.scenarios {
        let uscc = common::s(s, "subject");
        assert!(
            seen.insert(uscc.to_owned()),
            "one line per scenario subject"
        );
        assert!(
            c.subjects.contains_key(uscc),
            "scenario subject {uscc} missing"
        );
        let mine: BTreeSet<&str> = c
            .records
            .get(uscc)
            .map(|v| v.iter().map(|r| common::s(r, "id")).collect())
            .unwrap_or_default();
        for id in s["records"].as_array().unwrap() {
            assert!(
                mine.contains(id.as_str().unwrap()),
                "{} cites {id} of another subject",
                common::s(s, "case")
            );
        }
        if let Some(id) = s["expect"].get("record").and_then(Value::as_str) {
            assert!(mine.contains(id));
        }
    }
}

/// Independent re-computation of a few definitions with xinyong-core's
/// civil-law time, against the scenarios' claims.
#[test]
fn scenarios_hold_under_the_definitions() {
    let c = load(2_000);
    let t = d(xinyong_gen::REFERENCE_DATE);
    let w3 = time::w3(t);
    let counts = |r: &Map<String, Value>| {
        !r.get("withdrawn").and_then(Value::as_bool).unwrap_or(false)
            && r.get("repaired_on")
                .and_then(Value::as_str)
                .is_none_or(|x| d(x) > t)
            && d(common::s(r, "date")) <= t
    };
    for s in c
        .scenarios
        .iter()
        .filter(|s| common::s(s, "model") == "anhui-class")
    {
        let recs = c
            .records
            .get(common::s(s, "subject"))
            .cloned()
            .unwrap_or_default();
        let gp: Vec<_> = recs
            .iter()
            .filter(|r| {
                common::s(r, "kind") == "penalty"
                    && common::s(r, "procedure") == "general"
                    && counts(r)
                    && w3.contains(d(common::s(r, "date")))
            })
            .collect();
        let n = gp.len();
        let sum: f64 = gp
            .iter()
            .map(|r| {
                r.get("fine_cny").and_then(Value::as_f64).unwrap_or(0.0)
                    + r.get("confiscation_cny")
                        .and_then(Value::as_f64)
                        .unwrap_or(0.0)
            })
            .sum();
        let s2 = n >= 5 || sum > 500_000.0;
        let d2 = (1..=4).contains(&n) && sum <= 500_000.0;
        let r = rules(s);
        let case = common::s(s, "case");
        assert_eq!(r.contains(&"S2"), s2, "{case}: n_gp {n}, sum {sum}");
        if r.contains(&"D2") {
            assert!(d2, "{case}");
        }
        if r == ["T1"] || r.first().is_some_and(|x| x.starts_with('W')) {
            assert_eq!(n, 0, "{case}");
        }
    }
    for s in c
        .scenarios
        .iter()
        .filter(|s| common::s(s, "model") == "penalty-tier")
    {
        let e = &s["expect"];
        let r = &c.by_id[e["record"].as_str().unwrap()];
        let date = d(common::s(r, "date"));
        let tier = e["tier"].as_str().unwrap();
        let mut max = match tier {
            "serious" | "specific_serious" => 36,
            _ => 12,
        };
        if let Some(m) = r.get("restriction_months").and_then(Value::as_i64) {
            max = max.max(m as i32);
        }
        let until = time::add(date, Period::months(max));
        assert_eq!(
            e["display_until"].as_str().unwrap(),
            until.to_string(),
            "{}",
            common::s(s, "case")
        );
        assert_eq!(
            e["visible"].as_bool().unwrap(),
            date <= t && t <= until && counts(r),
            "{}",
            common::s(s, "case")
        );
    }
    // construction CB3: the relatively-large accidents 11 and 13 months apart
    for (name, months, hit) in [
        ("CB3_two_relatively_large_11_months", 11, true),
        ("none_two_relatively_large_13_months", 13, false),
    ] {
        let s = case(&c, name);
        let acc: Vec<Date> = c.records[common::s(s, "subject")]
            .iter()
            .filter(|r| common::s(r, "kind") == "accident")
            .map(|r| d(common::s(r, "date")))
            .collect();
        assert_eq!(acc.len(), 2);
        assert_eq!(time::add(acc[0], Period::months(months)), acc[1]);
        assert_eq!(acc[1] <= time::add(acc[0], Period::months(12)), hit);
    }
    // abnormal-trace-clear: clearable_from = add(removed_on, period) + 1
    for s in c
        .scenarios
        .iter()
        .filter(|s| common::s(s, "model") == "abnormal-trace-clear")
    {
        let e = &s["expect"];
        let r = &c.by_id[e["record"].as_str().unwrap()];
        let Some(removed) = r.get("removed_on").and_then(Value::as_str) else {
            continue;
        };
        let months = if matches!(common::s(r, "reason"), "false_disclosure" | "unreachable") {
            6
        } else {
            3
        };
        let from = time::complete_from(d(removed), Period::months(months));
        assert_eq!(e["clearable_from"].as_str().unwrap(), from.to_string());
        assert_eq!(e["clearable"].as_bool().unwrap(), t >= from);
    }
    // anhui W6 twins: two years complete at T, not yet
    let est = |name: &str| {
        d(common::s(
            &c.subjects[common::s(case(&c, name), "subject")],
            "established_on",
        ))
    };
    assert!(time::complete_from(est("W6_paid_in_zero_two_years"), Period::years(2)) <= t);
    assert!(time::complete_from(est("T1_paid_in_zero_not_two_years"), Period::years(2)) > t);
}

#[test]
fn small_cities_carry_as_many_scenarios_as_fit() {
    let (dir, summary) = common::city(120, 4, false);
    assert_eq!(summary.scenarios, 20);
    let small = common::objects(&dir.path().join("scenarios.jsonl"));
    assert_eq!(small.len(), 20);
    let models: BTreeSet<&str> = small.iter().map(|s| common::s(s, "model")).collect();
    assert_eq!(
        models.len(),
        REQUIRED.len(),
        "a small city still has a scenario of every model"
    );
    let (_, all) = common::city(1_100, 4, false);
    let (_, big) = common::city(5_000, 4, false);
    assert_eq!(
        all.scenarios, big.scenarios,
        "every scenario from about 1,000 subjects up"
    );
    assert!(big.scenarios >= 150 && big.scenarios <= 400);
}
