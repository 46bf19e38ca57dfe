use serde_json::{Value, json};
use xinyong_core::time;
use xinyong_rules::ModelSet;
use xinyong_rules::memory::evaluate_json;

fn day(s: &str) -> i32 {
    time::days_since_epoch(time::parse_date(s).unwrap())
}

const S: &str = "91210804MA0Y123404";

fn subject() -> Value {
    json!({"uscc": S, "name": "营口测试有限公司", "type": "enterprise", "established_on": "2015-03-01", "paid_in_capital_cny": 100000, "size": "small"})
}

fn penalty(id: &str, date: &str, fine: f64) -> Value {
    json!({"id": id, "kind": "penalty", "subject": S, "source": "SCJG", "date": date, "procedure": "general", "sanctions": ["fine"], "fine_cny": fine})
}

#[test]
fn every_builtin_model_compiles() {
    let set = ModelSet::builtin().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(set.ids().len(), 9);
}

#[test]
fn anhui_d2_with_records_behind_it() {
    let set = ModelSet::builtin().unwrap();
    let recs = vec![
        penalty("p1", "2021-01-01", 1000.0),
        penalty("p2", "2021-02-01", 2000.0),
    ];
    let out = evaluate_json(&set, "anhui-class", &[subject()], &recs, day("2021-07-24")).unwrap();
    assert_eq!(out.len(), 1);
    let line = &out[0];
    assert_eq!(line["class"], "dishonest", "{line}");
    assert_eq!(line["reasons"][0]["rule"], "D2");
    assert_eq!(line["reasons"][0]["records"], json!(["p1", "p2"]));
}

/// gov-integrity: over many ledgers (a deterministic walk of counts of each
/// kind of item), the points of the reasons add up to the score, the score
/// is never below 0, and the grade follows the bands.
#[test]
fn gov_integrity_points_add_up_and_the_score_is_never_below_zero() {
    const G: &str = "11210800MB0000019Q";
    let set = ModelSet::builtin().unwrap();
    let agency = json!({"uscc": G, "name": "营口市某局", "type": "government_agency"});
    let item = |id: String, date: &str, category: &str, extra: Value| {
        let mut v = json!({"id": id, "kind": "gov_ledger", "subject": G, "source": "XYB", "date": date, "category": category});
        if let (Value::Object(o), Value::Object(e)) = (&mut v, extra) {
            o.extend(e);
        }
        v
    };
    let mut seen_zero = false;
    for stale in 0..5 {
        for late in [0, 1, 3, 7] {
            for found in [0, 2, 5] {
                for old in [false, true] {
                    let mut recs = Vec::new();
                    for i in 0..stale {
                        recs.push(item(
                            format!("s{i}"),
                            "2023-01-10",
                            "duty_failure",
                            json!({}),
                        ));
                    }
                    for i in 0..found {
                        recs.push(item(
                            format!("f{i}"),
                            "2024-01-10",
                            "policy_promise",
                            json!({"installments": [{"due_on": "2030-01-01", "amount_cny": 1}]}),
                        ));
                    }
                    // A day late each, and one not due yet (a plan: no GI1).
                    let mut installments: Vec<Value> = (0..late)
                        .map(|m| json!({"due_on": format!("2023-{:02}-15", m + 6), "amount_cny": 100, "paid_on": format!("2023-{:02}-16", m + 6), "paid_cny": 100}))
                        .collect();
                    installments.push(json!({"due_on": "2030-01-01", "amount_cny": 1}));
                    let category = if old { "arrears" } else { "contract_default" };
                    recs.push(item(
                        "o".into(),
                        "2020-01-10",
                        category,
                        json!({"installments": installments}),
                    ));
                    let out = evaluate_json(
                        &set,
                        "gov-integrity",
                        std::slice::from_ref(&agency),
                        &recs,
                        day("2024-06-15"),
                    )
                    .unwrap();
                    let line = &out[0];
                    let score = line["score"].as_f64().unwrap();
                    let sum: f64 = line["reasons"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter_map(|r| r["points"].as_f64())
                        .sum();
                    assert!((sum - score).abs() < 1e-9, "{line}");
                    assert!(score >= 0.0, "{line}");
                    let expected = (100
                        - (15 * stale).min(45)
                        - (5 * late).min(30)
                        - (5 * found).min(20)
                        - if old { 10 } else { 0 })
                    .max(0);
                    assert_eq!(
                        score,
                        f64::from(expected),
                        "{stale} {late} {found} {old}: {line}"
                    );
                    let grade = match expected {
                        90.. => "A",
                        75..=89 => "B",
                        60..=74 => "C",
                        _ => "D",
                    };
                    assert_eq!(line["grade"], grade, "{line}");
                    seen_zero |= expected == 0;
                }
            }
        }
    }
    assert!(seen_zero, "the walk reaches the floor");
}
