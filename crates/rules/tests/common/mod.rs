//! Helpers shared by the model tests: record builders and evaluation of one
//! built-in model over JSON subjects and records.
#![allow(dead_code)]

use serde_json::{Map, Value, json};
use xinyong_core::time;
use xinyong_rules::ModelSet;
use xinyong_rules::memory::evaluate_json;

/// The USCC of the subject under test.
pub const S: &str = "91210804MA0Y123404";

/// Days since epoch of a `YYYY-MM-DD` date.
pub fn day(s: &str) -> i32 {
    time::days_since_epoch(time::parse_date(s).unwrap())
}

/// `YYYY-MM-DD` of `s` moved by `n` days.
pub fn shift(s: &str, n: i32) -> String {
    time::from_days_since_epoch(day(s) + n).to_string()
}

pub fn set() -> ModelSet {
    ModelSet::builtin().unwrap_or_else(|e| panic!("{e}"))
}

/// A subject line: an established, capitalised small enterprise; `extra`
/// overrides or adds fields (a `null` removes the field).
pub fn subject(extra: Value) -> Value {
    let mut s = json!({"uscc": S, "name": "营口测试有限公司", "type": "enterprise",
        "established_on": "2010-03-01", "paid_in_capital_cny": 100000, "size": "small", "status": "active"});
    merge(&mut s, extra);
    s
}

fn merge(base: &mut Value, extra: Value) {
    let (Value::Object(b), Value::Object(e)) = (base, extra) else {
        panic!("objects expected")
    };
    for (k, v) in e {
        if v.is_null() {
            b.remove(&k);
        } else {
            b.insert(k, v);
        }
    }
}

/// A record of `kind` with the envelope filled in and `extra` fields.
pub fn rec(kind: &str, id: &str, date: &str, extra: Value) -> Value {
    let mut r = json!({"id": id, "kind": kind, "subject": S, "source": "SCJG", "date": date});
    merge(&mut r, extra);
    r
}

/// A general-procedure fine.
pub fn penalty(id: &str, date: &str, fine: f64) -> Value {
    rec(
        "penalty",
        id,
        date,
        json!({"procedure": "general", "sanctions": ["fine"], "fine_cny": fine}),
    )
}

/// A penalty with the given sanctions and extra fields.
pub fn penalty_with(id: &str, date: &str, sanctions: &[&str], extra: Value) -> Value {
    let mut p = rec(
        "penalty",
        id,
        date,
        json!({"procedure": "general", "sanctions": sanctions}),
    );
    merge(&mut p, extra);
    p
}

/// A list entry about the subject itself.
pub fn entry(
    id: &str,
    list: &str,
    listed_on: &str,
    removed_on: Option<&str>,
    extra: Value,
) -> Value {
    let mut e = rec(
        "list_entry",
        id,
        listed_on,
        json!({"list": list, "listed_on": listed_on}),
    );
    if let Some(r) = removed_on {
        e["removed_on"] = json!(r);
    }
    merge(&mut e, extra);
    e
}

/// Copy of `r` with extra fields set.
pub fn with(r: &Value, extra: Value) -> Value {
    let mut r = r.clone();
    merge(&mut r, extra);
    r
}

/// Evaluate one model; every output line.
pub fn lines(
    set: &ModelSet,
    model: &str,
    subjects: &[Value],
    records: &[Value],
    t: &str,
) -> Vec<Value> {
    evaluate_json(set, model, subjects, records, day(t)).unwrap_or_else(|e| panic!("{e}"))
}

/// Evaluate a subject-level model for the default subject (with `subject_extra`).
pub fn line(
    set: &ModelSet,
    model: &str,
    subject_extra: Value,
    records: &[Value],
    t: &str,
) -> Value {
    let out = lines(set, model, &[subject(subject_extra)], records, t);
    assert_eq!(out.len(), 1, "{out:?}");
    out.into_iter().next().unwrap()
}

/// Rule ids of the reasons of a line, in order.
pub fn rules(line: &Value) -> Vec<String> {
    line["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap().to_owned())
        .collect()
}

/// The reason with rule id `rule` (panics when absent).
pub fn reason<'a>(line: &'a Value, rule: &str) -> &'a Value {
    line["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == rule)
        .unwrap_or_else(|| panic!("no reason {rule} in {line}"))
}

/// Record ids of a reason.
pub fn ids(reason: &Value) -> Vec<String> {
    reason["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_owned())
        .collect()
}

/// Keys of a JSON object, in order.
pub fn keys(v: &Value) -> Vec<String> {
    v.as_object()
        .map(|m: &Map<String, Value>| m.keys().cloned().collect())
        .unwrap_or_default()
}

pub fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}
