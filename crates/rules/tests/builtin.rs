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
    assert_eq!(set.ids().len(), 8);
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
