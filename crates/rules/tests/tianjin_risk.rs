//! `tianjin-risk` (PRODUCT.md §4): TS1–TS4, TD1–TD2, TW1–TW2, TG1; penalties
//! count while `penalty-tier` shows them.

mod common;

use common::*;
use serde_json::{Value, json};
use xinyong_rules::ModelSet;

const M: &str = "tianjin-risk";
const T: &str = "2024-06-15";

fn eval(set: &ModelSet, recs: &[Value], t: &str) -> Value {
    line(set, M, json!({}), recs, t)
}

fn cr(set: &ModelSet, recs: &[Value], t: &str) -> (String, Vec<String>) {
    let l = eval(set, recs, t);
    (l["class"].as_str().unwrap().to_owned(), rules(&l))
}

fn want(class: &str, rules: &[&str]) -> (String, Vec<String>) {
    (class.to_owned(), strs(rules))
}

/// `n` general-tier fines on consecutive days from `first` (shown for a year).
fn fines(n: usize, first: &str, fine: f64) -> Vec<Value> {
    (0..n)
        .map(|i| penalty(&format!("p{i}"), &shift(first, i as i32), fine))
        .collect()
}

#[test]
fn clean_subject_is_good() {
    let set = set();
    let l = eval(&set, &[], T);
    assert_eq!(
        l,
        json!({"subject": S, "model": "tianjin-risk", "model_version": "2015.1", "as_of": T,
               "class": "good", "score": null, "grade": null,
               "reasons": [{"rule": "TG1", "text": "无行政处罚、经营异常、严重违法及不良信息", "records": []}]})
    );
}

#[test]
fn ts1_serious_violation_list() {
    let set = set();
    let e = entry(
        "sv",
        "serious_violation",
        "2023-01-01",
        Some("2024-09-01"),
        json!({}),
    );
    let l = eval(&set, std::slice::from_ref(&e), T);
    assert_eq!(
        (l["class"].as_str().unwrap(), rules(&l)),
        ("severely_dishonest", strs(&["TS1"]))
    );
    assert_eq!(reason(&l, "TS1")["text"], "被列入严重违法失信名单");
    assert_eq!(ids(reason(&l, "TS1")), strs(&["sv"]));
    assert_eq!(reason(&l, "TS1")["stops_on"], "2024-09-01");
    assert_eq!(
        cr(&set, std::slice::from_ref(&e), "2024-09-01"),
        want("good", &["TG1"])
    );
    assert_eq!(
        cr(&set, &[with(&e, json!({"person_role": "director"}))], T).0,
        "good"
    );
    assert_eq!(
        cr(&set, &[with(&e, json!({"withdrawn": true}))], T).0,
        "good"
    );
    assert_eq!(
        cr(&set, &[with(&e, json!({"repaired_on": T}))], T).0,
        "good"
    );
    assert_eq!(
        cr(
            &set,
            &[with(
                &e,
                json!({"date": shift(T, 1), "listed_on": shift(T, 1)})
            )],
            T
        )
        .0,
        "good"
    );
    // Other black lists are not TS1.
    assert_eq!(
        cr(
            &set,
            &[entry(
                "x",
                "major_tax_violation",
                "2023-01-01",
                None,
                json!({})
            )],
            T
        )
        .0,
        "good"
    );
}

#[test]
fn ts2_more_than_five_non_warning_penalties() {
    let set = set();
    let l = eval(&set, &fines(6, "2024-01-01", 100.0), T);
    assert_eq!(
        (l["class"].as_str().unwrap(), rules(&l)),
        ("severely_dishonest", strs(&["TS2"]))
    );
    assert_eq!(
        reason(&l, "TS2")["text"],
        "除警告外的行政处罚 6 条，罚没款累计 600 元（超过5条或累计超过50万元）"
    );
    assert_eq!(
        ids(reason(&l, "TS2")),
        strs(&["p0", "p1", "p2", "p3", "p4", "p5"])
    );
    // p0 (2024-01-01) is shown until 2025-01-01; from 2025-01-02 five remain.
    assert_eq!(reason(&l, "TS2")["stops_on"], "2025-01-02");
    // Five penalties are still only dishonest here (unlike anhui-class).
    let l = eval(&set, &fines(5, "2024-01-01", 100.0), T);
    assert_eq!(
        (l["class"].as_str().unwrap(), rules(&l)),
        ("dishonest", strs(&["TD2"]))
    );
    assert_eq!(
        reason(&l, "TD2")["text"],
        "除警告外的行政处罚 5 条，罚没款累计 500 元"
    );
    // Simple procedure counts as well (unlike anhui n_gp).
    let simple: Vec<Value> = fines(6, "2024-01-01", 1.0)
        .iter()
        .map(|p| with(p, json!({"procedure": "simple"})))
        .collect();
    assert_eq!(cr(&set, &simple, T).0, "severely_dishonest");
    // Criticism, confiscation… anything but warning-only counts.
    let mut v = fines(5, "2024-01-01", 1.0);
    v.push(penalty_with("c", "2024-02-01", &["criticism"], json!({})));
    assert_eq!(cr(&set, &v, T).0, "severely_dishonest");
    v[5] = penalty_with(
        "c",
        "2024-02-01",
        &["warning", "fine"],
        json!({"fine_cny": 1}),
    );
    assert_eq!(cr(&set, &v, T).0, "severely_dishonest");
    // A warning-only penalty is not in nw.
    v[5] = penalty_with("c", "2024-02-01", &["warning"], json!({}));
    assert_eq!(cr(&set, &v, T), want("dishonest", &["TD2"]));
    assert_eq!(
        ids(reason(&eval(&set, &v, T), "TD2")),
        strs(&["p0", "p1", "p2", "p3", "p4"])
    );
}

#[test]
fn ts2_sum_over_500000() {
    let set = set();
    let mut v = fines(2, "2024-01-01", 250000.0);
    assert_eq!(cr(&set, &v, T), want("dishonest", &["TD2"]));
    v[1] = with(&v[1], json!({"confiscation_cny": 0.01}));
    assert_eq!(cr(&set, &v, T), want("severely_dishonest", &["TS2"]));
    assert_eq!(
        cr(&set, &[penalty("p", "2024-01-01", 500000.01)], T),
        want("severely_dishonest", &["TS2"])
    );
    assert_eq!(
        cr(&set, &[penalty("p", "2024-01-01", 500000.0)], T),
        want("dishonest", &["TD2"])
    );
}

#[test]
fn a_penalty_counts_until_its_display_until_and_not_the_day_after() {
    let set = set();
    // Six general penalties; the oldest decided 2023-06-15 is shown until 2024-06-15.
    let mut v = fines(5, "2024-01-01", 1.0);
    v.push(penalty("old", "2023-06-15", 1.0));
    assert_eq!(cr(&set, &v, "2024-06-15").0, "severely_dishonest");
    assert_eq!(cr(&set, &v, "2024-06-16").0, "dishonest");
    // A serious penalty is shown for three years.
    v[5] = penalty_with(
        "old",
        "2021-06-15",
        &["fine"],
        json!({"authority_tier": "serious", "fine_cny": 1}),
    );
    assert_eq!(cr(&set, &v, "2024-06-15").0, "severely_dishonest");
    assert_eq!(cr(&set, &v, "2024-06-16").0, "dishonest");
    // A general penalty with a 14-month restriction is shown 14 months.
    v[5] = penalty_with(
        "old",
        "2023-04-15",
        &["restrict_qualification"],
        json!({"restriction_months": 14}),
    );
    assert_eq!(cr(&set, &v, "2024-06-15").0, "severely_dishonest");
    assert_eq!(cr(&set, &v, "2024-06-16").0, "dishonest");
    // Leap day: a general penalty of 2023-02-28 is shown until 2024-02-28.
    let v = vec![penalty("p", "2023-02-28", 1.0)];
    assert_eq!(cr(&set, &v, "2024-02-28").0, "dishonest");
    assert_eq!(cr(&set, &v, "2024-02-29").0, "good");
    let l = eval(&set, &v, "2024-01-10");
    assert_eq!(reason(&l, "TD2")["stops_on"], "2024-02-29");
}

#[test]
fn withdrawn_and_repaired_penalties_do_not_count() {
    let set = set();
    let mut v = fines(5, "2024-01-01", 1.0);
    let p = penalty("x", "2024-02-01", 1.0);
    v.push(with(&p, json!({"withdrawn": true})));
    assert_eq!(cr(&set, &v, T).0, "dishonest");
    v[5] = with(&p, json!({"repaired_on": T}));
    assert_eq!(cr(&set, &v, T).0, "dishonest");
    v[5] = with(&p, json!({"repaired_on": shift(T, 1)}));
    assert_eq!(cr(&set, &v, T).0, "severely_dishonest");
    assert_eq!(reason(&eval(&set, &v, T), "TS2")["stops_on"], shift(T, 1));
    // A penalty dated after T is unknown at T.
    v[5] = penalty("x", &shift(T, 1), 1.0);
    assert_eq!(cr(&set, &v, T).0, "dishonest");
}

#[test]
fn ts3_suspension_or_revocation_while_shown() {
    let set = set();
    for s in ["suspend_business", "revoke_permit", "revoke_license"] {
        let p = penalty_with("p", "2023-07-01", &[s], json!({"procedure": "simple"}));
        let l = eval(&set, std::slice::from_ref(&p), T);
        // Also a non-warning penalty (TD2 would hold), but TS3 decides.
        assert_eq!(
            (l["class"].as_str().unwrap(), rules(&l)),
            ("severely_dishonest", strs(&["TS3"])),
            "{s}"
        );
        assert_eq!(
            reason(&l, "TS3")["text"],
            "被依法责令停产停业、吊销营业执照或许可证"
        );
        assert_eq!(ids(reason(&l, "TS3")), strs(&["p"]));
        // General tier (no catalogued domain): shown until 2024-07-01.
        assert_eq!(reason(&l, "TS3")["stops_on"], "2024-07-02");
        assert_eq!(
            cr(&set, std::slice::from_ref(&p), "2024-07-01").0,
            "severely_dishonest"
        );
        assert_eq!(cr(&set, std::slice::from_ref(&p), "2024-07-02").0, "good");
        // In a catalogued domain it is specific_serious and shown three years.
        let ss = with(&p, json!({"domain": "food_drug"}));
        assert_eq!(
            cr(&set, std::slice::from_ref(&ss), "2026-07-01").0,
            "severely_dishonest"
        );
        assert_eq!(cr(&set, &[ss], "2026-07-02").0, "good");
    }
}

#[test]
fn ts4_major_accident_with_criminal_liability_in_w3() {
    let set = set();
    let a = rec(
        "accident",
        "a",
        "2021-06-15",
        json!({"grade": "major", "domain": "production_safety", "criminal_liability": true}),
    );
    let l = eval(&set, std::slice::from_ref(&a), T);
    assert_eq!(
        (l["class"].as_str().unwrap(), rules(&l)),
        ("severely_dishonest", strs(&["TS4"]))
    );
    assert_eq!(
        reason(&l, "TS4")["text"],
        "发生重特大生产安全、食品安全事故，被依法追究刑事责任"
    );
    assert_eq!(ids(reason(&l, "TS4")), strs(&["a"]));
    assert_eq!(reason(&l, "TS4")["stops_on"], "2024-06-16");
    assert_eq!(
        cr(
            &set,
            &[with(
                &a,
                json!({"grade": "especially_major", "domain": "food_safety"})
            )],
            T
        )
        .0,
        "severely_dishonest"
    );
    // Each condition fails alone.
    assert_eq!(
        cr(&set, &[with(&a, json!({"date": "2021-06-14"}))], T).0,
        "good"
    );
    assert_eq!(
        cr(&set, &[with(&a, json!({"grade": "relatively_large"}))], T).0,
        "good"
    );
    assert_eq!(
        cr(&set, &[with(&a, json!({"domain": "construction"}))], T).0,
        "good"
    );
    assert_eq!(cr(&set, &[with(&a, json!({"domain": null}))], T).0, "good");
    assert_eq!(
        cr(&set, &[with(&a, json!({"criminal_liability": false}))], T).0,
        "good"
    );
    assert_eq!(
        cr(&set, &[with(&a, json!({"criminal_liability": null}))], T).0,
        "good"
    );
    assert_eq!(
        cr(&set, &[with(&a, json!({"withdrawn": true}))], T).0,
        "good"
    );
    // Leap day: W3(2024-02-29) starts 2021-02-28.
    let b = with(&a, json!({"date": "2021-02-28"}));
    assert_eq!(
        cr(&set, std::slice::from_ref(&b), "2024-02-29").0,
        "severely_dishonest"
    );
    assert_eq!(cr(&set, std::slice::from_ref(&b), "2024-03-01").0, "good");
    assert_eq!(
        reason(&eval(&set, &[b], "2024-01-10"), "TS4")["stops_on"],
        "2024-03-01"
    );
}

#[test]
fn td1_any_current_abnormal_entry() {
    let set = set();
    for reason_code in [
        json!("annual_report"),
        json!("not_disclosed"),
        json!("false_disclosure"),
        json!("unreachable"),
        Value::Null,
    ] {
        let e = entry(
            "ab",
            "abnormal_operation",
            "2024-01-01",
            Some("2024-08-01"),
            json!({"reason": reason_code}),
        );
        let l = eval(&set, std::slice::from_ref(&e), T);
        assert_eq!(
            (l["class"].as_str().unwrap(), rules(&l)),
            ("dishonest", strs(&["TD1"])),
            "{reason_code}"
        );
        assert_eq!(reason(&l, "TD1")["text"], "被列入经营异常名录");
        assert_eq!(reason(&l, "TD1")["stops_on"], "2024-08-01");
        assert_eq!(cr(&set, &[e], "2024-08-01").0, "good");
    }
    let e = entry(
        "ab",
        "abnormal_operation",
        "2024-01-01",
        None,
        json!({"person_role": "director"}),
    );
    assert_eq!(cr(&set, &[e], T).0, "good");
}

#[test]
fn td1_listed_on_t_is_current_and_t_plus_1_is_not_yet() {
    let set = set();
    let e = |listed: &str| {
        entry(
            "ab",
            "abnormal_operation",
            listed,
            None,
            json!({"reason": "unreachable"}),
        )
    };
    let l = eval(&set, &[e(T)], T);
    assert_eq!(
        (l["class"].as_str().unwrap(), rules(&l)),
        ("dishonest", strs(&["TD1"]))
    );
    assert_eq!(ids(reason(&l, "TD1")), strs(&["ab"]));
    assert_eq!(reason(&l, "TD1").get("stops_on"), None);
    assert_eq!(cr(&set, &[e(&shift(T, 1))], T), want("good", &["TG1"]));
    // Removed on T + 1: still current at T; removed on T: not.
    let r = |removed: &str| {
        entry(
            "ab",
            "abnormal_operation",
            "2024-01-01",
            Some(removed),
            json!({}),
        )
    };
    let l = eval(&set, &[r(&shift(T, 1))], T);
    assert_eq!(
        (l["class"].as_str().unwrap(), rules(&l)),
        ("dishonest", strs(&["TD1"]))
    );
    assert_eq!(reason(&l, "TD1")["stops_on"], shift(T, 1));
    assert_eq!(cr(&set, &[r(T)], T), want("good", &["TG1"]));
}

#[test]
fn dishonest_lists_both_rules() {
    let set = set();
    let v = vec![
        entry("ab", "abnormal_operation", "2024-01-01", None, json!({})),
        penalty("p", "2024-01-01", 1.0),
    ];
    let l = eval(&set, &v, T);
    assert_eq!(rules(&l), strs(&["TD1", "TD2"]));
    assert_eq!(ids(reason(&l, "TD1")), strs(&["ab"]));
    assert_eq!(ids(reason(&l, "TD2")), strs(&["p"]));
}

#[test]
fn tw1_only_warning_penalties() {
    let set = set();
    let w = |id: &str, d: &str| penalty_with(id, d, &["warning"], json!({"procedure": "simple"}));
    let l = eval(&set, &[w("w1", "2024-01-01"), w("w2", "2023-07-01")], T);
    assert_eq!(
        (l["class"].as_str().unwrap(), rules(&l)),
        ("warning", strs(&["TW1"]))
    );
    assert_eq!(
        reason(&l, "TW1")["text"],
        "行政处罚信息中仅有警告处罚种类（2 条）"
    );
    assert_eq!(ids(reason(&l, "TW1")), strs(&["w1", "w2"]));
    assert_eq!(reason(&l, "TW1")["stops_on"], "2025-01-02");
    // Not shown any more: good.
    assert_eq!(cr(&set, &[w("w1", "2023-06-14")], T).0, "good");
    assert_eq!(
        cr(
            &set,
            &[with(
                &w("w1", "2024-01-01"),
                json!({"repaired_on": "2024-05-01"})
            )],
            T
        )
        .0,
        "good"
    );
}

#[test]
fn tw1_warning_only_penalty_on_its_display_until_day_and_the_day_after() {
    let set = set();
    // A warning-only penalty is general (P3): shown one year, add(2023-06-15, 1 year) = 2024-06-15.
    let w = |date: &str| penalty_with("w1", date, &["warning"], json!({"procedure": "simple"}));
    let pt = lines(
        &set,
        "penalty-tier",
        &[subject(json!({}))],
        &[w("2023-06-15")],
        T,
    );
    assert_eq!(
        (
            pt[0]["tier"].clone(),
            pt[0]["display_until"].clone(),
            pt[0]["visible"].clone()
        ),
        (json!("general"), json!("2024-06-15"), json!(true))
    );
    // On display_until: still visible, TW1 holds and stops the next day.
    let l = eval(&set, &[w("2023-06-15")], "2024-06-15");
    assert_eq!(
        (l["class"].as_str().unwrap(), rules(&l)),
        ("warning", strs(&["TW1"]))
    );
    assert_eq!(ids(reason(&l, "TW1")), strs(&["w1"]));
    assert_eq!(
        reason(&l, "TW1")["text"],
        "行政处罚信息中仅有警告处罚种类（1 条）"
    );
    assert_eq!(reason(&l, "TW1")["stops_on"], "2024-06-16");
    // The day after: not visible, so no penalty counts: good.
    assert_eq!(
        cr(&set, &[w("2023-06-15")], "2024-06-16"),
        want("good", &["TG1"])
    );
    // Leap day: add(2020-02-29, 1 year) = 2021-02-28.
    let l = eval(&set, &[w("2020-02-29")], "2021-02-28");
    assert_eq!(
        (l["class"].as_str().unwrap(), rules(&l)),
        ("warning", strs(&["TW1"]))
    );
    assert_eq!(reason(&l, "TW1")["stops_on"], "2021-03-01");
    assert_eq!(
        cr(&set, &[w("2020-02-29")], "2021-03-01"),
        want("good", &["TG1"])
    );
    // With a second, later warning: on display_until both count, the day after only the later one.
    let v = [
        w("2023-06-15"),
        penalty_with("w2", "2023-09-01", &["warning"], json!({})),
    ];
    let l = eval(&set, &v, "2024-06-15");
    assert_eq!(ids(reason(&l, "TW1")), strs(&["w1", "w2"]));
    assert_eq!(
        reason(&l, "TW1")["text"],
        "行政处罚信息中仅有警告处罚种类（2 条）"
    );
    let l = eval(&set, &v, "2024-06-16");
    assert_eq!(
        (l["class"].as_str().unwrap(), rules(&l)),
        ("warning", strs(&["TW1"]))
    );
    assert_eq!(ids(reason(&l, "TW1")), strs(&["w2"]));
    assert_eq!(
        reason(&l, "TW1")["text"],
        "行政处罚信息中仅有警告处罚种类（1 条）"
    );
    assert_eq!(reason(&l, "TW1")["stops_on"], "2024-09-02");
}

#[test]
fn tw2_bad_conduct_in_w3() {
    let set = set();
    let bc = rec(
        "bad_conduct",
        "bc",
        "2021-06-15",
        json!({"domain": "construction"}),
    );
    let l = eval(&set, std::slice::from_ref(&bc), T);
    assert_eq!(
        (l["class"].as_str().unwrap(), rules(&l)),
        ("warning", strs(&["TW2"]))
    );
    assert_eq!(
        reason(&l, "TW2")["text"],
        "业绩情况信用信息中有不良信息（1 条）"
    );
    assert_eq!(reason(&l, "TW2")["stops_on"], "2024-06-16");
    assert_eq!(
        cr(&set, &[with(&bc, json!({"date": "2021-06-14"}))], T).0,
        "good"
    );
    assert_eq!(
        cr(&set, &[with(&bc, json!({"withdrawn": true}))], T).0,
        "good"
    );
    let w = penalty_with("w", "2024-01-01", &["warning"], json!({}));
    assert_eq!(cr(&set, &[bc, w], T), want("warning", &["TW1", "TW2"]));
}

#[test]
fn every_severe_rule_together() {
    let set = set();
    let mut v = fines(6, "2024-01-01", 1.0);
    v.push(entry(
        "sv",
        "serious_violation",
        "2023-01-01",
        None,
        json!({}),
    ));
    v.push(penalty_with(
        "rv",
        "2024-02-01",
        &["revoke_license"],
        json!({}),
    ));
    v.push(rec(
        "accident",
        "a",
        "2023-01-01",
        json!({"grade": "major", "domain": "food_safety", "criminal_liability": true}),
    ));
    v.push(entry(
        "ab",
        "abnormal_operation",
        "2024-01-01",
        None,
        json!({}),
    ));
    let l = eval(&set, &v, T);
    assert_eq!(rules(&l), strs(&["TS1", "TS2", "TS3", "TS4"]));
    assert_eq!(
        ids(reason(&l, "TS2")),
        strs(&["p0", "p1", "p2", "p3", "p4", "p5", "rv"])
    );
    assert_eq!(ids(reason(&l, "TS3")), strs(&["rv"]));
}
