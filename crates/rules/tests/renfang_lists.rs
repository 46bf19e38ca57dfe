//! `renfang-lists` (PRODUCT.md §4; seed 001 case 18): RB1–RB5 within M12,
//! RR1 (3 years complete, no adverse record in W3), RR2 (A for the three
//! previous years).

mod common;

use common::*;
use serde_json::{Value, json};
use xinyong_rules::ModelSet;

const M: &str = "renfang-lists";
const T: &str = "2024-03-15";

fn eval_s(set: &ModelSet, subject_extra: Value, recs: &[Value], t: &str) -> Value {
    line(set, M, subject_extra, recs, t)
}

fn eval(set: &ModelSet, recs: &[Value], t: &str) -> Value {
    eval_s(set, json!({}), recs, t)
}

fn lr(set: &ModelSet, recs: &[Value], t: &str) -> (Vec<String>, Vec<String>) {
    let l = eval(set, recs, t);
    let lists = l["lists"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    (lists, rules(&l))
}

fn black(rules: &[&str]) -> (Vec<String>, Vec<String>) {
    (strs(&["renfang_blacklist"]), strs(rules))
}

fn red(rules: &[&str]) -> (Vec<String>, Vec<String>) {
    (strs(&["renfang_redlist"]), strs(rules))
}

fn none() -> (Vec<String>, Vec<String>) {
    (Vec::new(), Vec::new())
}

fn accident(id: &str, date: &str) -> Value {
    rec(
        "accident",
        id,
        date,
        json!({"grade": "general", "domain": "renfang"}),
    )
}

fn bad(id: &str, date: &str) -> Value {
    rec(
        "bad_conduct",
        id,
        date,
        json!({"domain": "renfang", "category": "施工"}),
    )
}

#[test]
fn output_line_shape() {
    let set = set();
    // Established 2010 and clean: red through RR1.
    let l = eval(&set, &[], T);
    assert_eq!(
        l,
        json!({"subject": S, "model": "renfang-lists", "model_version": "2020.1", "as_of": T,
               "class": null, "score": null, "grade": null, "lists": ["renfang_redlist"],
               "reasons": [{"rule": "RR1", "text": "成立满三年（2010-03-01 成立），连续3年未产生不良信息", "records": []}]})
    );
}

#[test]
fn rb1_two_accidents_within_m12() {
    let set = set();
    // M12(2024-03-15) = [2023-03-15, 2024-03-15].
    let l = eval(
        &set,
        &[accident("a1", "2023-03-15"), accident("a2", "2024-03-15")],
        T,
    );
    assert_eq!(l["lists"], json!(["renfang_blacklist"]));
    assert_eq!(rules(&l), strs(&["RB1"]));
    assert_eq!(reason(&l, "RB1")["text"], "12个月内发生安全事故 2 次");
    assert_eq!(ids(reason(&l, "RB1")), strs(&["a1", "a2"]));
    assert_eq!(reason(&l, "RB1")["stops_on"], "2024-03-16");
    // One of them just outside: neither black nor red (an accident in W3).
    assert_eq!(
        lr(
            &set,
            &[accident("a1", "2023-03-14"), accident("a2", "2024-03-15")],
            T
        ),
        none()
    );
    assert_eq!(lr(&set, &[accident("a1", "2023-03-15")], T), none());
    // Dated after T.
    assert_eq!(
        lr(
            &set,
            &[accident("a1", "2023-03-15"), accident("a2", "2024-03-16")],
            T
        ),
        none()
    );
    // Withdrawn or repaired.
    assert_eq!(
        lr(
            &set,
            &[
                accident("a1", "2023-03-15"),
                with(&accident("a2", "2024-01-15"), json!({"withdrawn": true}))
            ],
            T
        ),
        none()
    );
    assert_eq!(
        lr(
            &set,
            &[
                accident("a1", "2023-03-15"),
                with(&accident("a2", "2024-01-15"), json!({"repaired_on": T}))
            ],
            T
        ),
        none()
    );
    assert_eq!(
        lr(
            &set,
            &[
                accident("a1", "2023-03-15"),
                with(
                    &accident("a2", "2024-01-15"),
                    json!({"repaired_on": shift(T, 1)})
                )
            ],
            T
        ),
        black(&["RB1"])
    );
}

#[test]
fn m12_at_month_ends_and_leap_days() {
    let set = set();
    let two = |first: &str| vec![accident("a1", first), accident("a2", "2023-12-01")];
    // M12(2024-02-29) = [2023-02-28, 2024-02-29].
    assert_eq!(lr(&set, &two("2023-02-28"), "2024-02-29"), black(&["RB1"]));
    assert_eq!(lr(&set, &two("2023-02-27"), "2024-02-29"), none());
    // …and on 2024-03-01 the 2023-02-28 accident is out.
    assert_eq!(lr(&set, &two("2023-02-28"), "2024-03-01"), none());
    let l = eval(&set, &two("2023-02-28"), "2024-01-10");
    assert_eq!(reason(&l, "RB1")["stops_on"], "2024-03-01");
    // M12(2025-02-28) = [2024-02-28, 2025-02-28]: a 2024-02-29 record is inside.
    let v = vec![accident("a1", "2024-02-29"), accident("a2", "2024-12-01")];
    assert_eq!(lr(&set, &v, "2025-02-28"), black(&["RB1"]));
    assert_eq!(lr(&set, &v, "2025-03-01"), none());
    // M12(2021-02-28) = [2020-02-28, 2021-02-28]: 2020-02-28 and 2020-02-29 are inside.
    let v = vec![accident("a1", "2020-02-28"), accident("a2", "2020-12-01")];
    assert_eq!(lr(&set, &v, "2021-02-28"), black(&["RB1"]));
    assert_eq!(lr(&set, &v, "2021-03-01"), none());
    let v = vec![accident("a1", "2020-02-29"), accident("a2", "2020-12-01")];
    assert_eq!(lr(&set, &v, "2021-02-28"), black(&["RB1"]));
    assert_eq!(lr(&set, &v, "2021-03-01"), none());
    let v = vec![accident("a1", "2020-02-27"), accident("a2", "2020-12-01")];
    assert_eq!(lr(&set, &v, "2021-02-28"), none());
    // M12(2020-02-29) = [2019-02-28, 2020-02-29].
    let v = vec![accident("a1", "2019-02-28"), accident("a2", "2020-02-29")];
    assert_eq!(lr(&set, &v, "2020-02-29"), black(&["RB1"]));
    assert_eq!(lr(&set, &v, "2020-03-01"), none());
    // M12(2024-04-30) = [2023-04-30, …]; M12(2024-03-31) = [2023-03-31, …].
    let v = vec![accident("a1", "2023-04-30"), accident("a2", "2024-01-01")];
    assert_eq!(lr(&set, &v, "2024-04-30"), black(&["RB1"]));
    assert_eq!(lr(&set, &v, "2024-05-01"), none());
    let v = vec![accident("a1", "2023-03-31"), accident("a2", "2024-01-01")];
    assert_eq!(lr(&set, &v, "2024-03-31"), black(&["RB1"]));
    assert_eq!(lr(&set, &v, "2024-04-01"), none());
}

#[test]
fn rb2_serious_penalty_in_m12() {
    let set = set();
    let p = penalty_with(
        "p1",
        "2023-03-15",
        &["fine"],
        json!({"authority_tier": "serious", "decision_no": "营人防罚〔2023〕2号", "fine_cny": 1}),
    );
    let l = eval(&set, std::slice::from_ref(&p), T);
    // Any penalty is also RB5: both listed.
    assert_eq!(rules(&l), strs(&["RB2", "RB5"]));
    assert_eq!(
        reason(&l, "RB2")["text"],
        "12个月内因重大违法违规行为受到行政处罚（营人防罚〔2023〕2号）"
    );
    assert_eq!(ids(reason(&l, "RB2")), strs(&["p1"]));
    assert_eq!(reason(&l, "RB2")["stops_on"], "2024-03-16");
    let ss = penalty_with(
        "p1",
        "2023-03-15",
        &["fine"],
        json!({"non_repairable": true}),
    );
    assert_eq!(lr(&set, &[ss], T), black(&["RB2", "RB5"]));
    // A general-tier penalty is only RB5.
    assert_eq!(
        lr(&set, &[penalty("p1", "2023-03-15", 1.0)], T),
        black(&["RB5"])
    );
    // Out of M12: not black, and a penalty in W3 keeps it off the red list.
    assert_eq!(
        lr(&set, &[with(&p, json!({"date": "2023-03-14"}))], T),
        none()
    );
    assert_eq!(
        lr(&set, &[with(&p, json!({"withdrawn": true}))], T),
        red(&["RR1"])
    );
}

#[test]
fn rb3_three_renfang_bad_conduct_records_in_m12() {
    let set = set();
    let v = vec![
        bad("b1", "2023-03-15"),
        bad("b2", "2023-09-01"),
        bad("b3", T),
    ];
    let l = eval(&set, &v, T);
    assert_eq!(rules(&l), strs(&["RB3"]));
    assert_eq!(
        reason(&l, "RB3")["text"],
        "12个月内有人防不良行为记录 3 次（3次以上）"
    );
    assert_eq!(ids(reason(&l, "RB3")), strs(&["b1", "b2", "b3"]));
    assert_eq!(reason(&l, "RB3")["stops_on"], "2024-03-16");
    assert_eq!(lr(&set, &v[1..], T), none());
    let mut v2 = v.clone();
    v2[0] = bad("b1", "2023-03-14");
    assert_eq!(lr(&set, &v2, T), none());
    // Another domain does not count towards RB3.
    v2[0] = rec(
        "bad_conduct",
        "b1",
        "2023-06-01",
        json!({"domain": "construction"}),
    );
    assert_eq!(lr(&set, &v2, T), none());
    let mut v4 = v.clone();
    v4.push(bad("b4", "2023-12-01"));
    assert_eq!(
        ids(reason(&eval(&set, &v4, T), "RB3")),
        strs(&["b1", "b2", "b3", "b4"])
    );
}

#[test]
fn rb4_refused_inspection_in_m12() {
    let set = set();
    let i = rec(
        "inspection",
        "i1",
        "2023-03-15",
        json!({"outcome": "refused"}),
    );
    let l = eval(&set, std::slice::from_ref(&i), T);
    assert_eq!(rules(&l), strs(&["RB4"]));
    assert_eq!(reason(&l, "RB4")["text"], "12个月内拒不配合检查");
    assert_eq!(ids(reason(&l, "RB4")), strs(&["i1"]));
    assert_eq!(
        lr(&set, &[with(&i, json!({"date": "2023-03-14"}))], T),
        none()
    );
    for outcome in ["compliant", "issues_found", "not_found"] {
        assert_eq!(
            lr(&set, &[with(&i, json!({"outcome": outcome}))], T),
            red(&["RR1"]),
            "{outcome}"
        );
    }
}

#[test]
fn rb5_judgment_as_defendant_or_any_penalty_in_m12() {
    let set = set();
    let j = rec(
        "judgment",
        "j1",
        "2023-03-15",
        json!({"role": "defendant", "cause": "contract"}),
    );
    let l = eval(&set, std::slice::from_ref(&j), T);
    assert_eq!(rules(&l), strs(&["RB5"]));
    assert_eq!(
        reason(&l, "RB5")["text"],
        "12个月内被法院判决（1 件）或受到行政处罚（0 条）"
    );
    assert_eq!(ids(reason(&l, "RB5")), strs(&["j1"]));
    for role in ["plaintiff", "third_party"] {
        assert_eq!(
            lr(&set, &[with(&j, json!({"role": role}))], T),
            red(&["RR1"]),
            "{role}"
        );
    }
    assert_eq!(
        lr(&set, &[with(&j, json!({"date": "2023-03-14"}))], T),
        none()
    );
    // A simple-procedure warning is a penalty too.
    let w = penalty_with(
        "w1",
        "2024-01-01",
        &["warning"],
        json!({"procedure": "simple"}),
    );
    let l = eval(&set, &[w, j], T);
    assert_eq!(rules(&l), strs(&["RB5"]));
    assert_eq!(
        reason(&l, "RB5")["text"],
        "12个月内被法院判决（1 件）或受到行政处罚（1 条）"
    );
    assert_eq!(ids(reason(&l, "RB5")), strs(&["j1", "w1"]));
    // A penalty repaired on T no longer counts; repaired on T + 1 it still does.
    let p = penalty("p1", "2024-01-01", 1.0);
    assert_eq!(
        lr(&set, &[with(&p, json!({"repaired_on": T}))], T),
        red(&["RR1"])
    );
    assert_eq!(
        lr(&set, &[with(&p, json!({"repaired_on": shift(T, 1)}))], T),
        black(&["RB5"])
    );
}

#[test]
fn every_black_rule_together_and_black_beats_red() {
    let set = set();
    let v = vec![
        accident("a1", "2023-06-01"),
        accident("a2", "2023-07-01"),
        penalty_with(
            "p1",
            "2023-08-01",
            &["fine"],
            json!({"authority_tier": "serious"}),
        ),
        bad("b1", "2023-09-01"),
        bad("b2", "2023-09-02"),
        bad("b3", "2023-09-03"),
        rec(
            "inspection",
            "i1",
            "2023-10-01",
            json!({"outcome": "refused"}),
        ),
        rec("judgment", "j1", "2023-11-01", json!({"role": "defendant"})),
        // RR2 also holds; black wins.
        rec(
            "rating",
            "r21",
            "2022-03-01",
            json!({"scheme": "renfang", "year": 2021, "grade": "A"}),
        ),
        rec(
            "rating",
            "r22",
            "2023-03-01",
            json!({"scheme": "renfang", "year": 2022, "grade": "A"}),
        ),
        rec(
            "rating",
            "r23",
            "2024-03-01",
            json!({"scheme": "renfang", "year": 2023, "grade": "A"}),
        ),
    ];
    let l = eval(&set, &v, T);
    assert_eq!(l["lists"], json!(["renfang_blacklist"]));
    assert_eq!(rules(&l), strs(&["RB1", "RB2", "RB3", "RB4", "RB5"]));
    assert_eq!(ids(reason(&l, "RB5")), strs(&["j1", "p1"]));
}

#[test]
fn rr1_three_years_complete_and_nothing_adverse_in_w3() {
    let set = set();
    // Seed 001: founded Nov 2017, no negative information → red list once 3 years are complete.
    let est = json!({"established_on": "2017-11-15"});
    let l = eval_s(&set, est.clone(), &[], "2020-11-15");
    assert_eq!(l["lists"], json!([]));
    assert_eq!(l["reasons"], json!([]));
    let l = eval_s(&set, est.clone(), &[], "2020-11-16");
    assert_eq!(l["lists"], json!(["renfang_redlist"]));
    assert_eq!(
        reason(&l, "RR1")["text"],
        "成立满三年（2017-11-15 成立），连续3年未产生不良信息"
    );
    assert_eq!(reason(&l, "RR1").get("stops_on"), None);
    // Leap day: 2017-02-28 + 3 years = 2020-02-28, complete from 2020-02-29.
    assert_eq!(
        eval_s(
            &set,
            json!({"established_on": "2017-02-28"}),
            &[],
            "2020-02-28"
        )["lists"],
        json!([])
    );
    assert_eq!(
        eval_s(
            &set,
            json!({"established_on": "2017-02-28"}),
            &[],
            "2020-02-29"
        )["lists"],
        json!(["renfang_redlist"])
    );
    assert_eq!(
        eval_s(
            &set,
            json!({"established_on": "2020-02-29"}),
            &[],
            "2023-02-28"
        )["lists"],
        json!([])
    );
    assert_eq!(
        eval_s(
            &set,
            json!({"established_on": "2020-02-29"}),
            &[],
            "2023-03-01"
        )["lists"],
        json!(["renfang_redlist"])
    );
    assert_eq!(
        eval_s(&set, json!({"established_on": null}), &[], T)["lists"],
        json!([])
    );
    // Adverse records in W3 (but not in M12) block RR1; W3(2024-03-15) starts 2021-03-15.
    let adverse = [
        penalty("x", "2021-03-15", 1.0),
        accident("x", "2021-03-15"),
        rec(
            "bad_conduct",
            "x",
            "2021-03-15",
            json!({"domain": "construction"}),
        ),
        rec(
            "inspection",
            "x",
            "2021-03-15",
            json!({"outcome": "refused"}),
        ),
        rec("judgment", "x", "2021-03-15", json!({"role": "defendant"})),
    ];
    for a in &adverse {
        assert_eq!(lr(&set, std::slice::from_ref(a), T), none(), "{a}");
        assert_eq!(
            lr(&set, &[with(a, json!({"date": "2021-03-14"}))], T),
            red(&["RR1"]),
            "{a}"
        );
        assert_eq!(
            lr(&set, &[with(a, json!({"withdrawn": true}))], T),
            red(&["RR1"]),
            "{a}"
        );
        assert_eq!(
            lr(&set, &[with(a, json!({"repaired_on": "2022-01-01"}))], T),
            red(&["RR1"]),
            "{a}"
        );
    }
    // Records that are not adverse do not block.
    let fine = [
        rec(
            "inspection",
            "i",
            "2023-01-01",
            json!({"outcome": "issues_found"}),
        ),
        rec("judgment", "j", "2023-01-01", json!({"role": "plaintiff"})),
        rec("honor", "h", "2023-01-01", json!({"title": "先进单位"})),
        rec(
            "license",
            "l",
            "2023-01-01",
            json!({"title": "人防工程监理资质"}),
        ),
    ];
    assert_eq!(lr(&set, &fine, T), red(&["RR1"]));
}

#[test]
fn rr2_grade_a_for_each_of_the_three_previous_years() {
    let set = set();
    let young = json!({"established_on": "2022-01-01"});
    let r = |year: i64, grade: &str| {
        rec(
            "rating",
            &format!("r{year}"),
            &format!("{}-03-01", year + 1),
            json!({"scheme": "renfang", "year": year, "grade": grade}),
        )
    };
    let t = "2024-05-01";
    let l = eval_s(
        &set,
        young.clone(),
        &[r(2021, "A"), r(2022, "A"), r(2023, "A")],
        t,
    );
    assert_eq!(l["lists"], json!(["renfang_redlist"]));
    assert_eq!(rules(&l), strs(&["RR2"]));
    assert_eq!(
        reason(&l, "RR2")["text"],
        "连续3年（2021—2023年）被评为人防信用A级"
    );
    assert_eq!(ids(reason(&l, "RR2")), strs(&["r2021", "r2022", "r2023"]));
    // A red-list reason carries no end date: `stops_on` explains the way off
    // an adverse outcome (a blacklist), not the end of a good one.
    assert!(reason(&l, "RR2").get("stops_on").is_none());
    assert_eq!(
        eval_s(
            &set,
            young.clone(),
            &[r(2021, "A"), r(2022, "A"), r(2023, "A")],
            "2025-01-01"
        )["lists"],
        json!([])
    );
    let lists = |recs: &[Value]| eval_s(&set, young.clone(), recs, t)["lists"].clone();
    // One year missing, not A, of another scheme, or too old.
    assert_eq!(lists(&[r(2022, "A"), r(2023, "A")]), json!([]));
    assert_eq!(
        lists(&[r(2021, "B"), r(2022, "A"), r(2023, "A")]),
        json!([])
    );
    assert_eq!(
        lists(&[r(2020, "A"), r(2021, "A"), r(2022, "A")]),
        json!([])
    );
    assert_eq!(
        lists(&[r(2022, "A"), r(2023, "A"), r(2024, "A")]),
        json!([])
    );
    let other = rec(
        "rating",
        "x",
        "2022-03-01",
        json!({"scheme": "construction", "year": 2021, "grade": "A"}),
    );
    assert_eq!(lists(&[other, r(2022, "A"), r(2023, "A")]), json!([]));
    // Two ratings of one year count once.
    let dup = with(&r(2022, "A"), json!({"id": "r2022b"}));
    assert_eq!(lists(&[dup, r(2022, "A"), r(2023, "A")]), json!([]));
    // The 2023 rating published after T is not known yet.
    assert_eq!(
        eval_s(
            &set,
            young.clone(),
            &[r(2021, "A"), r(2022, "A"), r(2023, "A")],
            "2024-02-29"
        )["lists"],
        json!([])
    );
    // A withdrawn rating does not count.
    assert_eq!(
        lists(&[
            r(2021, "A"),
            with(&r(2022, "A"), json!({"withdrawn": true})),
            r(2023, "A")
        ]),
        json!([])
    );
    // Both red rules hold: both listed.
    let l = eval_s(
        &set,
        json!({}),
        &[r(2021, "A"), r(2022, "A"), r(2023, "A")],
        t,
    );
    assert_eq!(rules(&l), strs(&["RR1", "RR2"]));
}
