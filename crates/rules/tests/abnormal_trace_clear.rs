//! `abnormal-trace-clear` (PRODUCT.md §4; seed 000): AC1/AC2 periods from
//! the removal date, AC0 for an entry without a reason, no line for entries
//! still current.

mod common;

use common::*;
use serde_json::{Value, json};
use xinyong_rules::ModelSet;

const M: &str = "abnormal-trace-clear";

fn ab(id: &str, reason: Value, listed: &str, removed: Option<&str>) -> Value {
    entry(
        id,
        "abnormal_operation",
        listed,
        removed,
        json!({"reason": reason}),
    )
}

fn out(set: &ModelSet, recs: &[Value], t: &str) -> Vec<Value> {
    lines(set, M, &[subject(json!({}))], recs, t)
}

fn one(set: &ModelSet, e: &Value, t: &str) -> Value {
    let v = out(set, std::slice::from_ref(e), t);
    assert_eq!(v.len(), 1, "{v:?}");
    v.into_iter().next().unwrap()
}

/// (period, clearable_from, clearable, rule)
fn summary(l: &Value) -> (Value, Value, bool, String) {
    (
        l["period"].clone(),
        l["clearable_from"].clone(),
        l["clearable"].as_bool().unwrap(),
        rules(l).join(","),
    )
}

#[test]
fn output_line_shape() {
    let set = set();
    let e = ab(
        "e1",
        json!("annual_report"),
        "2021-01-05",
        Some("2021-05-31"),
    );
    let l = one(&set, &e, "2021-09-01");
    assert_eq!(
        l,
        json!({"record": "e1", "subject": S, "model": "abnormal-trace-clear", "model_version": "2026.1", "as_of": "2021-09-01",
               "period": "3 months", "clearable_from": "2021-09-01", "clearable": true,
               "reasons": [{"rule": "AC1", "text": "因未按期报送年度报告列入，于 2021-05-31 移出，自移出之日起满3个月（2021-09-01 起）可清除列入移出记录", "records": ["e1"]}]})
    );
}

#[test]
fn ac1_three_months_for_annual_report_and_not_disclosed() {
    let set = set();
    for r in ["annual_report", "not_disclosed"] {
        let e = ab("e1", json!(r), "2021-01-05", Some("2021-05-31"));
        // 2021-05-31 + 3 months = 2021-08-31: complete from 2021-09-01.
        let before = one(&set, &e, "2021-08-31");
        assert_eq!(
            summary(&before),
            (json!("3 months"), json!("2021-09-01"), false, "AC1".into()),
            "{r}"
        );
        assert!(summary(&one(&set, &e, "2021-09-01")).2);
    }
    // Month end: 2020-11-30 + 3 months = 2021-02-28.
    let e = ab(
        "e1",
        json!("annual_report"),
        "2020-06-01",
        Some("2020-11-30"),
    );
    assert_eq!(
        summary(&one(&set, &e, "2021-02-28")),
        (json!("3 months"), json!("2021-03-01"), false, "AC1".into())
    );
    assert!(one(&set, &e, "2021-03-01")["clearable"].as_bool().unwrap());
    let l = one(
        &set,
        &ab(
            "e1",
            json!("not_disclosed"),
            "2021-01-05",
            Some("2021-05-31"),
        ),
        "2021-06-01",
    );
    assert_eq!(
        reason(&l, "AC1")["text"],
        "因未在责令期限内公示有关企业信息列入，于 2021-05-31 移出，自移出之日起满3个月（2021-09-01 起）可清除列入移出记录"
    );
}

#[test]
fn ac2_six_months_for_false_disclosure_and_unreachable() {
    let set = set();
    for r in ["false_disclosure", "unreachable"] {
        // 2021-08-31 + 6 months = 2022-02-28.
        let e = ab("e1", json!(r), "2021-01-05", Some("2021-08-31"));
        assert_eq!(
            summary(&one(&set, &e, "2022-02-28")),
            (json!("6 months"), json!("2022-03-01"), false, "AC2".into()),
            "{r}"
        );
        assert!(one(&set, &e, "2022-03-01")["clearable"].as_bool().unwrap());
    }
    // Leap years: 2023-08-31 + 6 months = 2024-02-29.
    let e = ab("e1", json!("unreachable"), "2023-01-05", Some("2023-08-31"));
    assert_eq!(one(&set, &e, "2024-02-29")["clearable_from"], "2024-03-01");
    assert_eq!(one(&set, &e, "2024-02-29")["clearable"], false);
    assert_eq!(one(&set, &e, "2024-03-01")["clearable"], true);
    let l = one(&set, &e, "2024-03-01");
    assert_eq!(
        reason(&l, "AC2")["text"],
        "因通过登记的住所或经营场所无法联系列入，于 2023-08-31 移出，自移出之日起满6个月（2024-03-01 起）可清除列入移出记录"
    );
}

#[test]
fn ac0_entry_without_a_reason() {
    let set = set();
    let e = ab("e1", Value::Null, "2021-01-05", Some("2021-05-31"));
    let l = one(&set, &e, "2030-01-01");
    assert_eq!(summary(&l), (Value::Null, Value::Null, false, "AC0".into()));
    assert_eq!(
        reason(&l, "AC0")["text"],
        "列入原因未载明，是否清除由登记机关人工认定"
    );
}

#[test]
fn entries_still_current_have_no_line() {
    let set = set();
    let e = ab(
        "e1",
        json!("annual_report"),
        "2021-01-05",
        Some("2021-05-31"),
    );
    // Removed after T: still current.
    assert!(out(&set, std::slice::from_ref(&e), "2021-05-30").is_empty());
    // Removed on T: no longer current.
    assert_eq!(out(&set, std::slice::from_ref(&e), "2021-05-31").len(), 1);
    // Never removed.
    assert!(
        out(
            &set,
            &[ab("e2", json!("annual_report"), "2021-01-05", None)],
            "2030-01-01"
        )
        .is_empty()
    );
    // Listed after T.
    assert!(out(&set, std::slice::from_ref(&e), "2021-01-04").is_empty());
}

#[test]
fn only_abnormal_operation_entries_that_count() {
    let set = set();
    let e = ab(
        "e1",
        json!("annual_report"),
        "2021-01-05",
        Some("2021-05-31"),
    );
    let recs = vec![
        entry(
            "d1",
            "dishonest_debtor",
            "2020-01-01",
            Some("2021-01-01"),
            json!({}),
        ),
        entry(
            "s1",
            "serious_violation",
            "2020-01-01",
            Some("2021-01-01"),
            json!({}),
        ),
        with(&e, json!({"id": "w", "withdrawn": true})),
        with(&e, json!({"id": "r", "repaired_on": "2021-06-01"})),
        penalty("p1", "2021-01-01", 1.0),
        with(
            &e,
            json!({"id": "person", "person_role": "legal_representative"}),
        ),
        e.clone(),
    ];
    let got: Vec<String> = out(&set, &recs, "2022-01-01")
        .iter()
        .map(|l| l["record"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(got, strs(&["e1"]));
    // Repaired only after T: the trace still counts at T.
    let got: Vec<String> = out(&set, &recs, "2021-05-31")
        .iter()
        .map(|l| l["record"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(got, strs(&["e1", "r"]));
}

#[test]
fn an_unknown_reason_code_is_rejected_before_evaluation() {
    // Codes are validated on input (INTERCHANGE.md §2); only a missing reason reaches AC0.
    let set = set();
    let e = ab("e1", json!("late_filing"), "2021-01-05", Some("2021-05-31"));
    let err = xinyong_rules::memory::evaluate_json(
        &set,
        M,
        &[subject(json!({}))],
        &[e],
        day("2022-01-01"),
    )
    .unwrap_err();
    assert!(err.contains("reason"), "{err}");
}
