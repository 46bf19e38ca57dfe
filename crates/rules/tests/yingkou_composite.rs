//! `yingkou-composite` (PRODUCT.md §4): vetoes V1–V3, grade bands, every
//! indicator's points, and reasons that add up to the score.

mod common;

use common::*;
use serde_json::{Value, json};
use xinyong_rules::ModelSet;
use xinyong_rules::memory::evaluate_json;

const M: &str = "yingkou-composite";
/// After 30 June: the 2023 annual report is due.
const T: &str = "2024-07-15";

/// Records of a model subject: the due annual report and a tax grade A. With
/// the default subject (established 2010-03-01, more than ten years before T)
/// it scores 910: no compliant inspection (XZ2 30 of 50), no kept credit
/// pledge (XZ3 40 of 50) and no honour (SH1 0 of 60).
fn base() -> Vec<Value> {
    vec![
        rec(
            "annual_report",
            "ar23",
            "2024-04-01",
            json!({"year": 2023, "employees": 12}),
        ),
        rec(
            "tax_rating",
            "tx23",
            "2024-04-20",
            json!({"year": 2023, "grade": "A"}),
        ),
    ]
}

fn plus(extra: &[Value]) -> Vec<Value> {
    let mut v = base();
    v.extend_from_slice(extra);
    v
}

fn eval(set: &ModelSet, recs: &[Value], t: &str) -> Value {
    let l = line(set, M, json!({}), recs, t);
    check_sum(&l);
    l
}

/// The points of the reasons add up to the score.
fn check_sum(l: &Value) {
    let total: f64 = l["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["points"].as_f64())
        .sum();
    assert_eq!(total, l["score"].as_f64().unwrap(), "{l}");
}

fn sg(set: &ModelSet, recs: &[Value], t: &str) -> (f64, String) {
    let l = eval(set, recs, t);
    (
        l["score"].as_f64().unwrap(),
        l["grade"].as_str().unwrap().to_owned(),
    )
}

fn pts(l: &Value, rule: &str) -> f64 {
    reason(l, rule)["points"].as_f64().unwrap()
}

fn points_with(set: &ModelSet, rule: &str, extra: &[Value], t: &str) -> f64 {
    pts(&eval(set, &plus(extra), t), rule)
}

#[test]
fn a_model_subject_scores_910_and_lists_every_indicator() {
    let set = set();
    let l = eval(&set, &base(), T);
    assert_eq!(
        keys(&l),
        strs(&[
            "subject",
            "model",
            "model_version",
            "as_of",
            "class",
            "score",
            "grade",
            "reasons"
        ])
    );
    assert_eq!(
        (l["class"].clone(), l["score"].clone(), l["grade"].clone()),
        (Value::Null, json!(910), json!("A"))
    );
    assert_eq!(
        rules(&l),
        strs(&[
            "JB1", "JB2", "JB3", "CS1", "CS2", "XZ1", "XZ2", "XZ3", "SF1", "SF2", "SH1", "SH2"
        ])
    );
    let got: Vec<(String, f64, f64)> = l["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["rule"].as_str().unwrap().to_owned(),
                r["points"].as_f64().unwrap(),
                r["max_points"].as_f64().unwrap(),
            )
        })
        .collect();
    let want: Vec<(String, f64, f64)> = [
        ("JB1", 50.0, 50.0),
        ("JB2", 60.0, 60.0),
        ("JB3", 40.0, 40.0),
        ("CS1", 150.0, 150.0),
        ("CS2", 100.0, 100.0),
        ("XZ1", 200.0, 200.0),
        ("XZ2", 30.0, 50.0),
        ("XZ3", 40.0, 50.0),
        ("SF1", 120.0, 120.0),
        ("SF2", 80.0, 80.0),
        ("SH1", 0.0, 60.0),
        ("SH2", 40.0, 40.0),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), *b, *c))
    .collect();
    assert_eq!(got, want);
    let cs1 = reason(&l, "CS1");
    assert_eq!(
        keys(cs1),
        strs(&["rule", "text", "records", "points", "max_points"])
    );
    assert_eq!(cs1["text"], "最近纳税信用评价等级 A");
    assert_eq!(ids(cs1), strs(&["tx23"]));
    assert_eq!(reason(&l, "JB2")["text"], "应报年度 2023：已报送");
    assert_eq!(
        reason(&l, "JB1")["text"],
        "成立日期 2010-03-01，存续年限得分"
    );
    assert_eq!(
        reason(&l, "XZ2")["text"],
        "近三年检查合格 0 次，拒不配合检查 0 次，检查发现问题 0 次，拒不或逾期改正 0 次"
    );
    assert_eq!(ids(reason(&l, "XZ2")), Vec::<String>::new());
    assert_eq!(
        reason(&l, "XZ3")["text"],
        "未作出信用承诺；近三年提供虚假材料 0 次，违反信用承诺 0 次"
    );
    assert_eq!(ids(reason(&l, "XZ3")), Vec::<String>::new());
}

/// A compliant inspection in W3 (XZ2 50 instead of 30).
fn compliant(id: &str, date: &str) -> Value {
    rec("inspection", id, date, json!({"outcome": "compliant"}))
}

/// A credit pledge (XZ3 50 instead of 40 when active or fulfilled).
fn pledge(id: &str, date: &str, status: &str) -> Value {
    rec(
        "commitment",
        id,
        date,
        json!({"commitment_kind": "credit_pledge", "status": status}),
    )
}

#[test]
fn positive_evidence_brings_the_maximum_of_1000() {
    let set = set();
    let h = |id: &str, level: &str| {
        rec(
            "honor",
            id,
            "2023-01-01",
            json!({"title": format!("{level}荣誉"), "level": level}),
        )
    };
    // Tax A (CS1 150), more than ten years (JB1 50), a compliant inspection
    // (XZ2 50), a kept credit pledge (XZ3 50), honours 40 + 30 capped at 60:
    // 50 + 60 + 40 + 150 + 100 + 200 + 50 + 50 + 120 + 80 + 60 + 40 = 1000.
    let all = [
        compliant("i1", "2024-03-01"),
        pledge("cp1", "2022-01-01", "active"),
        h("h1", "national"),
        h("h2", "provincial"),
    ];
    let l = eval(&set, &plus(&all), T);
    assert_eq!(
        (l["score"].clone(), l["grade"].clone()),
        (json!(1000), json!("A"))
    );
    for r in l["reasons"].as_array().unwrap() {
        assert_eq!(r["points"], r["max_points"], "{r}");
    }
    assert_eq!(pts(&l, "SH1"), 60.0);
    assert_eq!(
        reason(&l, "SH1")["text"],
        "有效表彰荣誉 2 项：national荣誉、provincial荣誉"
    );
    assert_eq!(
        reason(&l, "XZ2")["text"],
        "近三年检查合格 1 次，拒不配合检查 0 次，检查发现问题 0 次，拒不或逾期改正 0 次"
    );
    assert_eq!(ids(reason(&l, "XZ2")), strs(&["i1"]));
    assert_eq!(
        reason(&l, "XZ3")["text"],
        "已作出并履行信用承诺；近三年提供虚假材料 0 次，违反信用承诺 0 次"
    );
    assert_eq!(ids(reason(&l, "XZ3")), strs(&["cp1"]));
    // Each piece of evidence is needed: 1000 − 20 (XZ2 30), − 10 (XZ3 40),
    // − 20 (SH1 40 with the national honour alone).
    let without = |id: &str| {
        let v: Vec<Value> = all.iter().filter(|r| r["id"] != id).cloned().collect();
        sg(&set, &plus(&v), T).0
    };
    assert_eq!(without("i1"), 980.0);
    assert_eq!(without("cp1"), 990.0);
    assert_eq!(without("h2"), 980.0);
    // Tax B instead of A: CS1 90, 940.
    let mut v: Vec<Value> = plus(&all)
        .into_iter()
        .filter(|r| r["id"] != "tx23")
        .collect();
    v.push(rec(
        "tax_rating",
        "tx23",
        "2024-04-20",
        json!({"year": 2023, "grade": "B"}),
    ));
    assert_eq!(sg(&set, &v, T).0, 940.0);
    // Fewer than ten years (established 2014-07-15: 5 years complete, not 10): JB1 40.
    let l = line(
        &set,
        M,
        json!({"established_on": "2014-07-15"}),
        &plus(&all),
        T,
    );
    check_sum(&l);
    assert_eq!(l["score"], json!(990));
}

#[test]
fn grade_bands_of_the_builtin_model() {
    let set = set();
    // Every point value of the model is a multiple of 10, so the real subject
    // nearest below a band edge is 10 points below it (849.99 and the like
    // are in grade_bands_at_fractional_scores).
    let with_tax = |grade: &str, extra: &[Value]| {
        let mut v = vec![
            rec("annual_report", "ar23", "2024-04-01", json!({"year": 2023})),
            rec(
                "tax_rating",
                "tx23",
                "2024-04-20",
                json!({"year": 2023, "grade": grade}),
            ),
        ];
        v.extend_from_slice(extra);
        v
    };
    let simple = penalty_with(
        "s1",
        "2024-01-01",
        &["fine"],
        json!({"procedure": "simple", "fine_cny": 50}),
    );
    // 850 is A: ten years, report filed, tax B, nothing else:
    // JB 50 + 60 + 40, CS 90 + 100, XZ 200 + 30 + 40, SF 120 + 80, SH 0 + 40.
    assert_eq!(sg(&set, &with_tax("B", &[]), T), (850.0, "A".into()));
    // 840 is B: one simple-procedure penalty (XZ1 190)…
    assert_eq!(
        sg(&set, &with_tax("B", std::slice::from_ref(&simple)), T),
        (840.0, "B".into())
    );
    // …or five to ten years of existence instead of ten (JB1 40).
    let l = line(
        &set,
        M,
        json!({"established_on": "2019-07-14"}),
        &with_tax("B", &[]),
        T,
    );
    check_sum(&l);
    assert_eq!(
        (l["score"].clone(), l["grade"].clone()),
        (json!(840), json!("B"))
    );
    // 700 is B: tax C (CS1 40) is 800; a refused defendant judgment
    // (SF2 80 − 20 − 30 = 30), a general-procedure penalty (XZ1 160) and a
    // general accident (SH2 30) take 50 + 40 + 10.
    let mut v = with_tax(
        "C",
        &[
            rec(
                "judgment",
                "j1",
                "2023-01-01",
                json!({"role": "defendant", "refused_to_perform": true}),
            ),
            penalty("pg", "2023-03-01", 1000.0),
            rec("accident", "ac", "2023-01-01", json!({"grade": "general"})),
        ],
    );
    let l = eval(&set, &v, T);
    assert_eq!(
        (l["score"].clone(), l["grade"].clone()),
        (json!(700), json!("B"))
    );
    assert_eq!(
        [
            pts(&l, "CS1"),
            pts(&l, "XZ1"),
            pts(&l, "SF2"),
            pts(&l, "SH2")
        ],
        [40.0, 160.0, 30.0, 30.0]
    );
    // 690 is C: a bad-conduct record (SH2 20).
    let mut v2 = v.clone();
    v2.push(rec(
        "bad_conduct",
        "bc",
        "2023-01-01",
        json!({"domain": "construction"}),
    ));
    assert_eq!(sg(&set, &v2, T), (690.0, "C".into()));
    // 550 is C: from 690, a serious penalty (XZ1 160 − 100 = 60), a second
    // defendant judgment (SF2 10), an inspection finding issues (XZ2 20) and
    // a water arrears (CS2 90) take 100 + 20 + 10 + 10.
    v = v2;
    v.push(penalty_with(
        "ps",
        "2023-05-01",
        &["fine"],
        json!({"authority_tier": "serious", "fine_cny": 1}),
    ));
    v.push(rec(
        "judgment",
        "j2",
        "2023-02-01",
        json!({"role": "defendant", "refused_to_perform": false}),
    ));
    v.push(rec(
        "inspection",
        "i1",
        "2023-01-01",
        json!({"outcome": "issues_found"}),
    ));
    v.push(rec(
        "arrears",
        "aw",
        "2023-01-01",
        json!({"arrears_kind": "water", "amount_cny": 100}),
    ));
    let l = eval(&set, &v, T);
    assert_eq!(
        (l["score"].clone(), l["grade"].clone()),
        (json!(550), json!("C"))
    );
    // No indicator is clamped at zero: the 550 is the plain sum.
    let got: Vec<f64> = l["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["points"].as_f64().unwrap())
        .collect();
    assert_eq!(
        got,
        [
            50.0, 60.0, 40.0, 40.0, 90.0, 60.0, 20.0, 40.0, 120.0, 10.0, 0.0, 20.0
        ]
    );
    // 540 is D: the simple-procedure penalty as well (XZ1 50).
    v.push(simple);
    assert_eq!(sg(&set, &v, T), (540.0, "D".into()));
}

#[test]
fn grade_bands_at_fractional_scores() {
    // A one-indicator model with the built-in grade table, to reach 849.99.
    let builtin = xinyong_rules::BUILTIN
        .iter()
        .find(|(n, _)| *n == "yingkou-composite.toml")
        .unwrap()
        .1;
    let grades = &builtin[builtin.find("[[grade]]").unwrap()..];
    let probe = format!(
        "id = \"grade-probe\"\nversion = \"1\"\nname = \"等级边界\"\nkind = \"scoring\"\nsource = \"test\"\n\n\
         [[dimension]]\nid = \"all\"\nlabel = \"全部\"\nmax = 1000\n\n\
         [[indicator]]\nid = \"G\"\ndimension = \"all\"\nlabel = \"分数\"\nmax = 1000\n\
         points = 'subject.registered_capital_cny ?? 0'\ntext = '分数'\n\n{grades}"
    );
    let mut set = set();
    set.add("grade-probe.toml", &probe)
        .unwrap_or_else(|e| panic!("{e}"));
    let cases: &[(f64, &str)] = &[
        (1000.0, "A"),
        (850.0, "A"),
        (849.99, "B"),
        (700.0, "B"),
        (699.99, "C"),
        (550.0, "C"),
        (549.99, "D"),
        (0.0, "D"),
    ];
    for (score, grade) in cases {
        let s = subject(json!({"registered_capital_cny": score}));
        let out = evaluate_json(&set, "grade-probe", &[s], &[], day(T)).unwrap();
        assert_eq!(
            (
                out[0]["score"].as_f64().unwrap(),
                out[0]["grade"].as_str().unwrap()
            ),
            (*score, *grade),
            "{score}"
        );
    }
}

#[test]
fn v1_blacklist_or_dishonest_debtor_caps_at_d() {
    let set = set();
    let sv = entry("sv", "serious_violation", "2023-01-01", None, json!({}));
    let l = eval(&set, &plus(std::slice::from_ref(&sv)), T);
    assert_eq!(
        (l["score"].clone(), l["grade"].clone()),
        (json!(910), json!("D"))
    );
    assert_eq!(rules(&l)[0], "V1");
    assert_eq!(
        reason(&l, "V1")["text"],
        "当前被列入严重违法失信名单，等级为 D"
    );
    assert_eq!(ids(reason(&l, "V1")), strs(&["sv"]));
    assert_eq!(keys(reason(&l, "V1")), strs(&["rule", "text", "records"]));
    // The subject itself a dishonest debtor: veto and SF1 = 0 (910 − 120).
    let dd = entry("dd", "dishonest_debtor", "2023-01-01", None, json!({}));
    let l = eval(&set, &plus(std::slice::from_ref(&dd)), T);
    assert_eq!(
        (l["score"].clone(), l["grade"].clone()),
        (json!(790), json!("D"))
    );
    assert_eq!(reason(&l, "V1")["text"], "当前被列入失信被执行人，等级为 D");
    assert_eq!(pts(&l, "SF1"), 0.0);
    // Not current, about a person, withdrawn: no veto (a director who is a
    // dishonest debtor costs SF1 40: 870).
    assert_eq!(
        sg(&set, &plus(&[with(&sv, json!({"removed_on": T}))]), T),
        (910.0, "A".into())
    );
    assert_eq!(
        sg(
            &set,
            &plus(&[with(&sv, json!({"removed_on": shift(T, 1)}))]),
            T
        )
        .1,
        "D"
    );
    assert_eq!(
        sg(
            &set,
            &plus(&[with(&sv, json!({"person_role": "director"}))]),
            T
        ),
        (910.0, "A".into())
    );
    assert_eq!(
        sg(&set, &plus(&[with(&sv, json!({"withdrawn": true}))]), T),
        (910.0, "A".into())
    );
    assert_eq!(
        sg(
            &set,
            &plus(&[with(&dd, json!({"person_role": "director"}))]),
            T
        ),
        (910.0, "A".into())
    );
    // A red list is no veto.
    assert_eq!(
        sg(
            &set,
            &plus(&[entry("r", "other_redlist", "2023-01-01", None, json!({}))]),
            T
        ),
        (910.0, "A".into())
    );
}

#[test]
fn v1_listed_on_t_is_current_and_t_plus_1_is_not_yet() {
    let set = set();
    // A black list: the veto holds from the listing day on.
    let sv = |listed: &str| entry("sv", "serious_violation", listed, None, json!({}));
    let l = eval(&set, &plus(&[sv(T)]), T);
    assert_eq!(
        (l["score"].clone(), l["grade"].clone()),
        (json!(910), json!("D"))
    );
    assert_eq!(rules(&l)[0], "V1");
    assert_eq!(ids(reason(&l, "V1")), strs(&["sv"]));
    assert_eq!(
        reason(&l, "V1")["text"],
        "当前被列入严重违法失信名单，等级为 D"
    );
    assert_eq!(sg(&set, &plus(&[sv(&shift(T, 1))]), T), (910.0, "A".into()));
    // The subject itself a dishonest debtor: veto and SF1 0 from the listing day on.
    let dd = |listed: &str| entry("dd", "dishonest_debtor", listed, None, json!({}));
    let l = eval(&set, &plus(&[dd(T)]), T);
    assert_eq!(
        (l["score"].clone(), l["grade"].clone()),
        (json!(790), json!("D"))
    );
    assert_eq!(rules(&l)[0], "V1");
    assert_eq!(ids(reason(&l, "V1")), strs(&["dd"]));
    assert_eq!(pts(&l, "SF1"), 0.0);
    let l = eval(&set, &plus(&[dd(&shift(T, 1))]), T);
    assert_eq!(
        (l["score"].clone(), l["grade"].clone()),
        (json!(910), json!("A"))
    );
    assert_eq!(rules(&l)[0], "JB1");
    assert_eq!(pts(&l, "SF1"), 120.0);
}

#[test]
fn v2_latest_tax_grade_d() {
    let set = set();
    let d = rec(
        "tax_rating",
        "tx23",
        "2024-04-20",
        json!({"year": 2023, "grade": "D"}),
    );
    let v = vec![
        rec("annual_report", "ar23", "2024-04-01", json!({"year": 2023})),
        d.clone(),
    ];
    let l = eval(&set, &v, T);
    assert_eq!(
        (l["score"].clone(), l["grade"].clone()),
        (json!(760), json!("D"))
    );
    // 760 (CS1 0) would be B without the veto.
    assert_eq!(rules(&l)[0], "V2");
    assert_eq!(
        reason(&l, "V2")["text"],
        "最近纳税信用等级为 D（2023 年度），等级为 D"
    );
    assert_eq!(ids(reason(&l, "V2")), strs(&["tx23"]));
    // An older D is not the latest.
    let v = vec![
        rec("annual_report", "ar23", "2024-04-01", json!({"year": 2023})),
        rec(
            "tax_rating",
            "tx22",
            "2023-04-20",
            json!({"year": 2022, "grade": "D"}),
        ),
        rec(
            "tax_rating",
            "tx23",
            "2024-04-20",
            json!({"year": 2023, "grade": "B"}),
        ),
    ];
    // Tax B with ten years and nothing adverse: exactly 850.
    assert_eq!(sg(&set, &v, T), (850.0, "A".into()));
    // The 2023 grade published after T is not known yet: the 2022 D is the latest.
    assert_eq!(sg(&set, &v, "2024-04-19").1, "D");
}

#[test]
fn v3_abnormal_operation_caps_at_c() {
    let set = set();
    let ab = entry(
        "ab",
        "abnormal_operation",
        "2024-01-01",
        None,
        json!({"reason": "annual_report"}),
    );
    let l = eval(&set, &plus(std::slice::from_ref(&ab)), T);
    assert_eq!(
        (l["score"].clone(), l["grade"].clone()),
        (json!(870), json!("C"))
    );
    assert_eq!(rules(&l)[0], "V3");
    assert_eq!(
        reason(&l, "V3")["text"],
        "当前被列入经营异常名录，等级最高为 C"
    );
    // A D stays D.
    let low = vec![
        ab.clone(),
        entry("sv", "serious_violation", "2023-01-01", None, json!({})),
    ];
    let l = eval(&set, &plus(&low), T);
    assert_eq!(l["grade"], "D");
    assert_eq!(rules(&l)[..2], strs(&["V1", "V3"])[..]);
    // The veto ends on the removal day.
    let l = eval(
        &set,
        &plus(&[with(&ab, json!({"removed_on": "2024-09-01"}))]),
        T,
    );
    assert_eq!(reason(&l, "V3")["stops_on"], "2024-09-01");
    assert_eq!(reason(&l, "V3").get("points"), None);
    // Removed: no veto, and 20 points for a past listing (910 − 20).
    let l = eval(&set, &plus(&[with(&ab, json!({"removed_on": T}))]), T);
    assert_eq!(
        (l["score"].clone(), l["grade"].clone()),
        (json!(890), json!("A"))
    );
}

#[test]
fn jb1_years_in_existence() {
    let set = set();
    let p = |est: Value| {
        let l = line(&set, M, json!({"established_on": est}), &base(), T);
        pts(&l, "JB1")
    };
    // An unknown establishment date counts like less than a year.
    assert_eq!(p(Value::Null), 10.0);
    assert_eq!(p(json!("2024-01-01")), 10.0);
    assert_eq!(p(json!("2023-07-15")), 10.0);
    assert_eq!(p(json!("2023-07-14")), 20.0);
    assert_eq!(p(json!("2021-07-15")), 20.0);
    assert_eq!(p(json!("2021-07-14")), 30.0);
    assert_eq!(p(json!("2019-07-15")), 30.0);
    assert_eq!(p(json!("2019-07-14")), 40.0);
    assert_eq!(p(json!("2014-07-15")), 40.0);
    assert_eq!(p(json!("2014-07-14")), 50.0);
    let l = line(&set, M, json!({"established_on": null}), &base(), T);
    assert_eq!(reason(&l, "JB1")["text"], "成立日期 未载明，存续年限得分");
}

#[test]
fn jb2_annual_report_due_after_june_30() {
    let set = set();
    let ar = |year: i64| {
        rec(
            "annual_report",
            &format!("ar{year}"),
            &format!("{}-05-01", year + 1),
            json!({"year": year}),
        )
    };
    let p = |recs: &[Value], t: &str| pts(&line(&set, M, json!({}), recs, t), "JB2");
    // On 2024-06-30 the 2022 report is due; from 2024-07-01 the 2023 one.
    assert_eq!(p(&[ar(2022)], "2024-06-30"), 60.0);
    assert_eq!(p(&[ar(2022)], "2024-07-01"), 30.0);
    assert_eq!(p(&[ar(2023)], "2024-07-01"), 60.0);
    assert_eq!(p(&[ar(2021)], "2024-06-30"), 30.0);
    assert_eq!(p(&[ar(2021)], "2024-07-01"), 0.0);
    assert_eq!(p(&[], "2024-07-01"), 0.0);
    let l = line(&set, M, json!({}), &[ar(2022)], "2024-07-01");
    assert_eq!(
        reason(&l, "JB2")["text"],
        "应报年度 2023：未报送，上一年度已报送"
    );
    let l = line(&set, M, json!({}), &[], "2024-07-01");
    assert_eq!(reason(&l, "JB2")["text"], "应报年度 2023：未报送");
}

#[test]
fn jb3_abnormal_listing_now_or_in_w3() {
    let set = set();
    let ab = |removed: Option<&str>| {
        entry(
            "ab",
            "abnormal_operation",
            "2020-01-01",
            removed,
            json!({"reason": "unreachable"}),
        )
    };
    assert_eq!(points_with(&set, "JB3", &[ab(None)], T), 0.0);
    assert_eq!(points_with(&set, "JB3", &[ab(Some("2021-07-16"))], T), 20.0);
    assert_eq!(points_with(&set, "JB3", &[ab(Some("2021-07-15"))], T), 40.0);
    assert_eq!(
        points_with(
            &set,
            "JB3",
            &[with(&ab(None), json!({"withdrawn": true}))],
            T
        ),
        40.0
    );
}

#[test]
fn cs1_and_cs2_finance_and_tax() {
    let set = set();
    let ar = rec("annual_report", "ar23", "2024-04-01", json!({"year": 2023}));
    for (grade, p) in [
        ("A", 150.0),
        ("B", 90.0),
        ("M", 80.0),
        ("C", 40.0),
        ("D", 0.0),
    ] {
        let l = eval(
            &set,
            &[
                ar.clone(),
                rec(
                    "tax_rating",
                    "t",
                    "2024-04-20",
                    json!({"year": 2023, "grade": grade}),
                ),
            ],
            T,
        );
        assert_eq!(pts(&l, "CS1"), p, "{grade}");
    }
    let l = eval(&set, std::slice::from_ref(&ar), T);
    assert_eq!(pts(&l, "CS1"), 60.0);
    assert_eq!(reason(&l, "CS1")["text"], "无纳税信用评价记录");
    let arrears = |id: &str, kind: &str, date: &str| {
        rec(
            "arrears",
            id,
            date,
            json!({"arrears_kind": kind, "amount_cny": 1000}),
        )
    };
    for k in ["tax", "social_insurance", "housing_fund"] {
        assert_eq!(
            points_with(&set, "CS2", &[arrears("a", k, "2023-01-01")], T),
            75.0,
            "{k}"
        );
    }
    for k in ["water", "power", "gas"] {
        assert_eq!(
            points_with(&set, "CS2", &[arrears("a", k, "2023-01-01")], T),
            90.0,
            "{k}"
        );
    }
    let four: Vec<Value> = (0..4)
        .map(|i| arrears(&format!("a{i}"), "tax", "2023-01-01"))
        .collect();
    assert_eq!(points_with(&set, "CS2", &four, T), 0.0);
    let mut five = four.clone();
    five.push(arrears("a9", "gas", "2023-01-01"));
    // Never below zero.
    assert_eq!(points_with(&set, "CS2", &five, T), 0.0);
    assert_eq!(
        points_with(&set, "CS2", &[arrears("a", "tax", "2021-07-15")], T),
        75.0
    );
    assert_eq!(
        points_with(&set, "CS2", &[arrears("a", "tax", "2021-07-14")], T),
        100.0
    );
    let l = eval(
        &set,
        &plus(&[
            arrears("a1", "tax", "2023-01-01"),
            arrears("a2", "water", "2023-01-01"),
        ]),
        T,
    );
    assert_eq!(
        reason(&l, "CS2")["text"],
        "近三年欠缴税款、社会保险费、住房公积金 1 次，欠缴水电气费 1 次"
    );
    assert_eq!(ids(reason(&l, "CS2")), strs(&["a1", "a2"]));
}

#[test]
fn xz1_penalties_by_tier() {
    let set = set();
    let p = |extra: Value| {
        points_with(
            &set,
            "XZ1",
            &[with(&penalty("p", "2023-01-01", 100.0), extra)],
            T,
        )
    };
    // general 40, serious 100, specific_serious 200, manual_review 40, simple 10.
    assert_eq!(p(json!({})), 160.0);
    assert_eq!(p(json!({"authority_tier": "serious"})), 100.0);
    assert_eq!(p(json!({"authority_tier": "specific_serious"})), 0.0);
    assert_eq!(p(json!({"non_repairable": true})), 0.0);
    assert_eq!(
        p(json!({"basis_bands": {"general": [0, 100], "serious": [100, 200]}})),
        160.0
    ); // manual_review
    assert_eq!(p(json!({"procedure": "simple"})), 190.0);
    assert_eq!(
        p(json!({"procedure": "simple", "authority_tier": "serious"})),
        190.0
    );
    assert_eq!(p(json!({"withdrawn": true})), 200.0);
    assert_eq!(p(json!({"repaired_on": "2024-01-01"})), 200.0);
    assert_eq!(p(json!({"date": "2021-07-14"})), 200.0);
    assert_eq!(p(json!({"date": "2021-07-15"})), 160.0);
    assert_eq!(p(json!({"date": T})), 160.0);
    assert_eq!(p(json!({"date": shift(T, 1)})), 200.0);
    // Deductions add up: 200 − 100 − 40 − 10 = 50.
    let v = vec![
        penalty_with(
            "p0",
            "2023-01-01",
            &["fine"],
            json!({"authority_tier": "serious"}),
        ),
        penalty("p1", "2023-02-01", 100.0),
        penalty_with(
            "p2",
            "2023-03-01",
            &["fine"],
            json!({"procedure": "simple", "fine_cny": 50}),
        ),
    ];
    let l = eval(&set, &plus(&v), T);
    assert_eq!(pts(&l, "XZ1"), 50.0);
    assert_eq!(
        reason(&l, "XZ1")["text"],
        "近三年行政处罚 3 条（其中严重及特定严重 1 条）"
    );
    assert_eq!(ids(reason(&l, "XZ1")), strs(&["p0", "p1", "p2"]));
    // Two serious penalties take all 200; a third stays at zero.
    let serious: Vec<Value> = (0..3)
        .map(|i| {
            penalty_with(
                &format!("p{i}"),
                "2023-01-01",
                &["fine"],
                json!({"authority_tier": "serious"}),
            )
        })
        .collect();
    assert_eq!(points_with(&set, "XZ1", &serious[..2], T), 0.0);
    let l = eval(&set, &plus(&serious), T);
    assert_eq!(pts(&l, "XZ1"), 0.0);
    assert_eq!(
        reason(&l, "XZ1")["text"],
        "近三年行政处罚 3 条（其中严重及特定严重 3 条）"
    );
    // One serious and one general: 60.
    assert_eq!(
        points_with(
            &set,
            "XZ1",
            &[serious[0].clone(), penalty("p9", "2023-01-01", 100.0)],
            T
        ),
        60.0
    );
}

#[test]
fn xz2_xz3_inspections_orders_commitments() {
    let set = set();
    let i = |outcome: &str| rec("inspection", "i", "2023-01-01", json!({"outcome": outcome}));
    // Without a compliant inspection in W3 XZ2 starts from 30.
    assert_eq!(points_with(&set, "XZ2", &[], T), 30.0);
    assert_eq!(points_with(&set, "XZ2", &[i("refused")], T), 5.0);
    assert_eq!(points_with(&set, "XZ2", &[i("issues_found")], T), 20.0);
    assert_eq!(points_with(&set, "XZ2", &[i("not_found")], T), 30.0);
    assert_eq!(points_with(&set, "XZ2", &[i("compliant")], T), 50.0);
    // A compliant inspection in W3 gives the full 50; the window is
    // [2021-07-15, T], and a record dated after T is not known.
    let ok = |date: &str| compliant("ok", date);
    assert_eq!(points_with(&set, "XZ2", &[ok("2021-07-15")], T), 50.0);
    assert_eq!(points_with(&set, "XZ2", &[ok("2021-07-14")], T), 30.0);
    assert_eq!(points_with(&set, "XZ2", &[ok(T)], T), 50.0);
    assert_eq!(points_with(&set, "XZ2", &[ok(&shift(T, 1))], T), 30.0);
    assert_eq!(
        points_with(
            &set,
            "XZ2",
            &[with(&ok("2023-01-01"), json!({"withdrawn": true}))],
            T
        ),
        30.0
    );
    // Two compliant inspections are worth no more than one.
    assert_eq!(
        points_with(
            &set,
            "XZ2",
            &[ok("2023-01-01"), compliant("ok2", "2023-06-01")],
            T
        ),
        50.0
    );
    // Deductions come off the 50: 50 − 25 = 25, 50 − 10 = 40.
    assert_eq!(
        points_with(&set, "XZ2", &[ok("2023-06-01"), i("refused")], T),
        25.0
    );
    assert_eq!(
        points_with(&set, "XZ2", &[ok("2023-06-01"), i("issues_found")], T),
        40.0
    );
    // Never below zero: 30 − 25 − 25.
    assert_eq!(
        points_with(
            &set,
            "XZ2",
            &[i("refused"), with(&i("refused"), json!({"id": "i2"}))],
            T
        ),
        0.0
    );
    let o = |outcome: &str| {
        rec(
            "correction_order",
            "o",
            "2023-01-01",
            json!({"outcome": outcome}),
        )
    };
    assert_eq!(points_with(&set, "XZ2", &[o("refused")], T), 15.0);
    assert_eq!(points_with(&set, "XZ2", &[o("overdue")], T), 15.0);
    assert_eq!(points_with(&set, "XZ2", &[o("corrected")], T), 30.0);
    assert_eq!(points_with(&set, "XZ2", &[o("pending")], T), 30.0);
    assert_eq!(
        points_with(&set, "XZ2", &[ok("2023-06-01"), o("overdue")], T),
        35.0
    );
    let l = eval(
        &set,
        &plus(&[ok("2023-06-01"), i("issues_found"), o("refused")]),
        T,
    );
    assert_eq!(pts(&l, "XZ2"), 25.0);
    assert_eq!(
        reason(&l, "XZ2")["text"],
        "近三年检查合格 1 次，拒不配合检查 0 次，检查发现问题 1 次，拒不或逾期改正 1 次"
    );
    assert_eq!(ids(reason(&l, "XZ2")), strs(&["i", "o", "ok"]));

    // XZ3 starts from 40 without a kept credit pledge, 50 with one.
    let f = rec("false_materials", "f", "2023-01-01", json!({}));
    assert_eq!(points_with(&set, "XZ3", &[], T), 40.0);
    assert_eq!(points_with(&set, "XZ3", std::slice::from_ref(&f), T), 0.0);
    let c = rec(
        "commitment",
        "c",
        "2023-01-01",
        json!({"commitment_kind": "notify_commit", "status": "breached"}),
    );
    assert_eq!(points_with(&set, "XZ3", std::slice::from_ref(&c), T), 15.0);
    // A kept commitment of another kind is no credit pledge.
    assert_eq!(
        points_with(&set, "XZ3", &[with(&c, json!({"status": "fulfilled"}))], T),
        40.0
    );
    assert_eq!(
        points_with(&set, "XZ3", &[with(&c, json!({"status": "active"}))], T),
        40.0
    );
    // A breach known only after T does not count.
    assert_eq!(
        points_with(
            &set,
            "XZ3",
            &[with(&c, json!({"breached_on": shift(T, 1)}))],
            T
        ),
        40.0
    );
    for (status, p) in [
        ("active", 50.0),
        ("fulfilled", 50.0),
        ("withdrawn", 40.0),
        ("breached", 15.0),
    ] {
        assert_eq!(
            points_with(&set, "XZ3", &[pledge("cp", "2023-01-01", status)], T),
            p,
            "{status}"
        );
    }
    // Kept pledges have no time window, but one made after T is not known.
    assert_eq!(
        points_with(&set, "XZ3", &[pledge("cp", "2015-01-01", "fulfilled")], T),
        50.0
    );
    assert_eq!(
        points_with(&set, "XZ3", &[pledge("cp", T, "active")], T),
        50.0
    );
    assert_eq!(
        points_with(&set, "XZ3", &[pledge("cp", &shift(T, 1), "active")], T),
        40.0
    );
    assert_eq!(
        points_with(
            &set,
            "XZ3",
            &[with(
                &pledge("cp", "2023-01-01", "active"),
                json!({"withdrawn": true})
            )],
            T
        ),
        40.0
    );
    // Deductions come off the 50: 50 − 25 = 25; false materials take it all.
    let kept = pledge("cp", "2022-01-01", "active");
    assert_eq!(
        points_with(&set, "XZ3", &[kept.clone(), c.clone()], T),
        25.0
    );
    assert_eq!(points_with(&set, "XZ3", &[kept.clone(), f.clone()], T), 0.0);
    let l = eval(&set, &plus(&[kept, c]), T);
    assert_eq!(
        reason(&l, "XZ3")["text"],
        "已作出并履行信用承诺；近三年提供虚假材料 0 次，违反信用承诺 1 次"
    );
    assert_eq!(ids(reason(&l, "XZ3")), strs(&["c", "cp"]));
    let l = eval(&set, &plus(std::slice::from_ref(&f)), T);
    assert_eq!(
        reason(&l, "XZ3")["text"],
        "未作出信用承诺；近三年提供虚假材料 1 次，违反信用承诺 0 次"
    );
}

#[test]
fn xz3_w3_edges_of_false_materials_and_breaches() {
    let set = set();
    // W3(2024-07-15) = [2021-07-15, 2024-07-15]; XZ3 starts from 40 without a pledge.
    let f = |date: &str| rec("false_materials", "f", date, json!({}));
    assert_eq!(points_with(&set, "XZ3", &[f("2021-07-15")], T), 0.0);
    assert_eq!(points_with(&set, "XZ3", &[f("2021-07-14")], T), 40.0);
    assert_eq!(points_with(&set, "XZ3", &[f(T)], T), 0.0);
    assert_eq!(points_with(&set, "XZ3", &[f(&shift(T, 1))], T), 40.0);
    let l = eval(&set, &plus(&[f("2021-07-15")]), T);
    assert_eq!(ids(reason(&l, "XZ3")), strs(&["f"]));
    assert_eq!(
        reason(&l, "XZ3")["text"],
        "未作出信用承诺；近三年提供虚假材料 1 次，违反信用承诺 0 次"
    );
    // With a kept pledge (50), a false-materials record just outside W3 takes nothing.
    let kept = pledge("cp", "2022-01-01", "active");
    assert_eq!(
        points_with(&set, "XZ3", &[kept.clone(), f("2021-07-14")], T),
        50.0
    );
    // A breach: breached_on decides (signed long before W3).
    let b = |breached: &str| {
        rec(
            "commitment",
            "c",
            "2019-01-01",
            json!({"commitment_kind": "notify_commit", "status": "breached", "breached_on": breached}),
        )
    };
    assert_eq!(points_with(&set, "XZ3", &[b("2021-07-15")], T), 15.0);
    assert_eq!(points_with(&set, "XZ3", &[b("2021-07-14")], T), 40.0);
    assert_eq!(points_with(&set, "XZ3", &[b(T)], T), 15.0);
    assert_eq!(
        points_with(&set, "XZ3", &[kept.clone(), b("2021-07-15")], T),
        25.0
    );
    assert_eq!(
        points_with(&set, "XZ3", &[kept.clone(), b("2021-07-14")], T),
        50.0
    );
    let l = eval(&set, &plus(&[b("2021-07-15")]), T);
    assert_eq!(ids(reason(&l, "XZ3")), strs(&["c"]));
    assert_eq!(
        reason(&l, "XZ3")["text"],
        "未作出信用承诺；近三年提供虚假材料 0 次，违反信用承诺 1 次"
    );
    // Without breached_on the record date decides.
    let nb = |date: &str| {
        rec(
            "commitment",
            "c",
            date,
            json!({"commitment_kind": "notify_commit", "status": "breached"}),
        )
    };
    assert_eq!(points_with(&set, "XZ3", &[nb("2021-07-15")], T), 15.0);
    assert_eq!(points_with(&set, "XZ3", &[nb("2021-07-14")], T), 40.0);
}

#[test]
fn sf1_sf2_judicial() {
    let set = set();
    let dd = |role: Value, removed: Option<&str>| {
        entry(
            "dd",
            "dishonest_debtor",
            "2020-01-01",
            removed,
            json!({"person_role": role}),
        )
    };
    assert_eq!(points_with(&set, "SF1", &[dd(Value::Null, None)], T), 0.0);
    assert_eq!(
        points_with(&set, "SF1", &[dd(json!("legal_representative"), None)], T),
        120.0
    );
    assert_eq!(
        points_with(&set, "SF1", &[dd(Value::Null, Some("2022-01-01"))], T),
        80.0
    );
    assert_eq!(
        points_with(&set, "SF1", &[dd(Value::Null, Some("2021-07-15"))], T),
        120.0
    );
    // Everything at once stays at zero.
    let all = [
        dd(Value::Null, None),
        with(&dd(json!("director"), None), json!({"id": "d2"})),
        with(&dd(Value::Null, Some("2022-01-01")), json!({"id": "d3"})),
    ];
    assert_eq!(points_with(&set, "SF1", &all, T), 0.0);
    let l = eval(&set, &plus(&[dd(json!("director"), None)]), T);
    assert_eq!(reason(&l, "SF1")["text"], "近三年未被列为失信被执行人");
    assert_eq!(
        points_with(&set, "SF1", &[dd(json!("director"), None)], T),
        120.0
    );
    let j = |role: &str, refused: bool| {
        rec(
            "judgment",
            "j",
            "2023-01-01",
            json!({"role": role, "refused_to_perform": refused}),
        )
    };
    // 20 per defendant judgment, 30 more when refused to perform.
    assert_eq!(points_with(&set, "SF2", &[j("defendant", false)], T), 60.0);
    assert_eq!(points_with(&set, "SF2", &[j("defendant", true)], T), 30.0);
    assert_eq!(points_with(&set, "SF2", &[j("plaintiff", true)], T), 80.0);
    assert_eq!(
        points_with(&set, "SF2", &[j("third_party", false)], T),
        80.0
    );
    assert_eq!(
        points_with(
            &set,
            "SF2",
            &[with(&j("defendant", false), json!({"date": "2021-07-14"}))],
            T
        ),
        80.0
    );
    assert_eq!(
        points_with(
            &set,
            "SF2",
            &[with(&j("defendant", false), json!({"date": "2021-07-15"}))],
            T
        ),
        60.0
    );
    // 80 − 20 − 20 − 30 = 10; four defendant judgments take all 80, and a
    // fifth stays at zero.
    let two = [
        j("defendant", true),
        with(&j("defendant", false), json!({"id": "j2"})),
    ];
    let l = eval(&set, &plus(&two), T);
    assert_eq!(pts(&l, "SF2"), 10.0);
    assert_eq!(
        reason(&l, "SF2")["text"],
        "近三年作为被告的裁判 2 件，拒不履行 1 件"
    );
    assert_eq!(ids(reason(&l, "SF2")), strs(&["j", "j2"]));
    let many = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|k| with(&j("defendant", false), json!({"id": format!("j{k}")})))
            .collect()
    };
    assert_eq!(points_with(&set, "SF2", &many(3), T), 20.0);
    assert_eq!(points_with(&set, "SF2", &many(4), T), 0.0);
    assert_eq!(points_with(&set, "SF2", &many(5), T), 0.0);
}

#[test]
fn sf1_past_dishonest_debtor_removed_on_edges() {
    let set = set();
    let dd =
        |removed: Option<&str>| entry("dd", "dishonest_debtor", "2019-01-01", removed, json!({}));
    // add(2024-07-15, −3 years) = 2021-07-15. Removed 2021-07-16: its last listed
    // day is the first day of W3, so it is a past listing (−40).
    assert_eq!(points_with(&set, "SF1", &[dd(Some("2021-07-16"))], T), 80.0);
    let l = eval(&set, &plus(&[dd(Some("2021-07-16"))]), T);
    assert_eq!(reason(&l, "SF1")["text"], "近三年曾为失信被执行人");
    assert_eq!(ids(reason(&l, "SF1")), strs(&["dd"]));
    // Removed on 2021-07-15: last listed the day before W3.
    assert_eq!(
        points_with(&set, "SF1", &[dd(Some("2021-07-15"))], T),
        120.0
    );
    let l = eval(&set, &plus(&[dd(Some("2021-07-15"))]), T);
    assert_eq!(reason(&l, "SF1")["text"], "近三年未被列为失信被执行人");
    // Removed on T: no longer current, a past listing (80) and no veto;
    // removed on T + 1: still current (0, veto).
    assert_eq!(points_with(&set, "SF1", &[dd(Some(T))], T), 80.0);
    assert_eq!(sg(&set, &plus(&[dd(Some(T))]), T), (870.0, "A".into()));
    assert_eq!(points_with(&set, "SF1", &[dd(Some(&shift(T, 1)))], T), 0.0);
    assert_eq!(
        sg(&set, &plus(&[dd(Some(&shift(T, 1)))]), T),
        (790.0, "D".into())
    );
    // Leap day: add(2024-02-29, −3 years) = 2021-02-28.
    let at = |removed: &str| {
        pts(
            &line(
                &set,
                M,
                json!({}),
                &plus(&[dd(Some(removed))]),
                "2024-02-29",
            ),
            "SF1",
        )
    };
    assert_eq!(at("2021-03-01"), 80.0);
    assert_eq!(at("2021-02-28"), 120.0);
}

#[test]
fn sh1_sh2_social() {
    let set = set();
    let h = |level: Value, extra: Value| {
        with(
            &rec(
                "honor",
                "h",
                "2023-01-01",
                json!({"title": "文明单位", "level": level}),
            ),
            extra,
        )
    };
    for (level, p) in [
        (json!("national"), 40.0),
        (json!("provincial"), 30.0),
        (json!("municipal"), 20.0),
        (json!("district"), 10.0),
        (Value::Null, 10.0),
    ] {
        assert_eq!(
            points_with(&set, "SH1", &[h(level.clone(), json!({}))], T),
            p,
            "{level}"
        );
    }
    assert_eq!(
        points_with(
            &set,
            "SH1",
            &[h(json!("national"), json!({"valid_to": T}))],
            T
        ),
        40.0
    );
    assert_eq!(
        points_with(
            &set,
            "SH1",
            &[h(json!("national"), json!({"valid_to": shift(T, -1)}))],
            T
        ),
        0.0
    );
    assert_eq!(
        points_with(
            &set,
            "SH1",
            &[h(json!("national"), json!({"date": "2021-07-14"}))],
            T
        ),
        0.0
    );
    assert_eq!(
        points_with(
            &set,
            "SH1",
            &[h(json!("national"), json!({"date": shift(T, 1)}))],
            T
        ),
        0.0
    );
    let a = |grade: &str| rec("accident", "a", "2023-01-01", json!({"grade": grade}));
    for (g, p) in [
        ("general", 30.0),
        ("relatively_large", 20.0),
        ("major", 0.0),
        ("especially_major", 0.0),
    ] {
        assert_eq!(points_with(&set, "SH2", &[a(g)], T), p, "{g}");
    }
    assert_eq!(
        points_with(
            &set,
            "SH2",
            &[rec(
                "bad_conduct",
                "b",
                "2023-01-01",
                json!({"domain": "x"})
            )],
            T
        ),
        30.0
    );
}

#[test]
fn sh1_sh2_w3_edges() {
    let set = set();
    // W3(2024-07-15) = [2021-07-15, 2024-07-15].
    let h = |date: &str| {
        rec(
            "honor",
            "h",
            date,
            json!({"title": "守合同重信用企业", "level": "national"}),
        )
    };
    assert_eq!(points_with(&set, "SH1", &[h("2021-07-15")], T), 40.0);
    assert_eq!(points_with(&set, "SH1", &[h("2021-07-14")], T), 0.0);
    assert_eq!(points_with(&set, "SH1", &[h(T)], T), 40.0);
    let l = eval(&set, &plus(&[h("2021-07-15")]), T);
    assert_eq!(ids(reason(&l, "SH1")), strs(&["h"]));
    assert_eq!(
        reason(&l, "SH1")["text"],
        "有效表彰荣誉 1 项：守合同重信用企业"
    );
    let l = eval(&set, &plus(&[h("2021-07-14")]), T);
    assert_eq!(ids(reason(&l, "SH1")), Vec::<String>::new());
    assert_eq!(reason(&l, "SH1")["text"], "有效表彰荣誉 0 项");
    // Accidents: first day inside W3 and the day before.
    for (g, p) in [
        ("general", 30.0),
        ("relatively_large", 20.0),
        ("major", 0.0),
        ("especially_major", 0.0),
    ] {
        let a = |date: &str| rec("accident", "a", date, json!({"grade": g}));
        assert_eq!(points_with(&set, "SH2", &[a("2021-07-15")], T), p, "{g}");
        assert_eq!(points_with(&set, "SH2", &[a("2021-07-14")], T), 40.0, "{g}");
        assert_eq!(points_with(&set, "SH2", &[a(T)], T), p, "{g}");
        assert_eq!(points_with(&set, "SH2", &[a(&shift(T, 1))], T), 40.0, "{g}");
    }
    // Bad conduct: the same edges.
    let b = |date: &str| rec("bad_conduct", "b", date, json!({"domain": "construction"}));
    assert_eq!(points_with(&set, "SH2", &[b("2021-07-15")], T), 30.0);
    assert_eq!(points_with(&set, "SH2", &[b("2021-07-14")], T), 40.0);
    assert_eq!(points_with(&set, "SH2", &[b(T)], T), 30.0);
    assert_eq!(points_with(&set, "SH2", &[b(&shift(T, 1))], T), 40.0);
    let l = eval(
        &set,
        &plus(&[
            rec("accident", "a", "2021-07-15", json!({"grade": "general"})),
            b("2021-07-15"),
            rec("accident", "a-old", "2021-07-14", json!({"grade": "major"})),
            with(&b("2021-07-14"), json!({"id": "b-old"})),
        ]),
        T,
    );
    assert_eq!(pts(&l, "SH2"), 20.0);
    assert_eq!(ids(reason(&l, "SH2")), strs(&["a", "b"]));
    assert_eq!(
        reason(&l, "SH2")["text"],
        "近三年安全事故 1 起，行业不良行为记录 1 条"
    );
    // Leap day: W3(2024-02-29) starts on 2021-02-28.
    let at = |recs: &[Value]| pts(&line(&set, M, json!({}), &plus(recs), "2024-02-29"), "SH2");
    assert_eq!(
        at(&[rec(
            "accident",
            "a",
            "2021-02-28",
            json!({"grade": "general"})
        )]),
        30.0
    );
    assert_eq!(
        at(&[rec(
            "accident",
            "a",
            "2021-02-27",
            json!({"grade": "general"})
        )]),
        40.0
    );
    assert_eq!(at(&[b("2021-02-28")]), 30.0);
    assert_eq!(at(&[b("2021-02-27")]), 40.0);
}
