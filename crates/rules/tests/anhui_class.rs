//! `anhui-class` (PRODUCT.md §4): S1–S5, D1–D5, W1–W6, T1 and
//! `unclassified`, at and around every boundary, with the reasons.

mod common;

use common::*;
use serde_json::{Value, json};
use xinyong_rules::ModelSet;

const M: &str = "anhui-class";
const T: &str = "2024-06-15";

fn eval(set: &ModelSet, recs: &[Value], t: &str) -> Value {
    line(set, M, json!({}), recs, t)
}

fn class(set: &ModelSet, recs: &[Value], t: &str) -> String {
    eval(set, recs, t)["class"].as_str().unwrap().to_owned()
}

fn class_of(
    set: &ModelSet,
    subject_extra: Value,
    recs: &[Value],
    t: &str,
) -> (String, Vec<String>) {
    let l = line(set, M, subject_extra, recs, t);
    (l["class"].as_str().unwrap().to_owned(), rules(&l))
}

fn cr(set: &ModelSet, recs: &[Value], t: &str) -> (String, Vec<String>) {
    class_of(set, json!({}), recs, t)
}

fn want(class: &str, rules: &[&str]) -> (String, Vec<String>) {
    (class.to_owned(), strs(rules))
}

fn n_penalties(n: usize, first: &str, fine: f64) -> Vec<Value> {
    (0..n)
        .map(|i| penalty(&format!("p{i}"), &shift(first, i as i32), fine))
        .collect()
}

#[test]
fn a_clean_subject_is_trustworthy() {
    let set = set();
    let l = eval(&set, &[], T);
    assert_eq!(
        l,
        json!({"subject": S, "model": "anhui-class", "model_version": "2018.1", "as_of": T,
               "class": "trustworthy", "score": null, "grade": null,
               "reasons": [{"rule": "T1", "text": "无严重失信、失信、警示情形，近三年无不良行为记录", "records": []}]})
    );
}

// ---- severely_dishonest ---------------------------------------------------

#[test]
fn s1_every_blacklist_category_list() {
    let set = set();
    for list in [
        "serious_violation",
        "major_tax_violation",
        "construction_blacklist",
        "wage_arrears_blacklist",
        "renfang_blacklist",
        "other_blacklist",
    ] {
        let e = entry("e1", list, "2023-01-01", None, json!({}));
        assert_eq!(
            cr(&set, &[e], T),
            want("severely_dishonest", &["S1"]),
            "{list}"
        );
    }
    let l = eval(
        &set,
        &[entry(
            "e1",
            "serious_violation",
            "2023-01-01",
            None,
            json!({}),
        )],
        T,
    );
    assert_eq!(reason(&l, "S1")["text"], "当前被列入严重违法失信名单");
    assert_eq!(ids(reason(&l, "S1")), strs(&["e1"]));
    // Red lists are not black lists.
    assert_eq!(
        class(
            &set,
            &[entry("e1", "other_redlist", "2023-01-01", None, json!({}))],
            T
        ),
        "trustworthy"
    );
}

#[test]
fn s1_current_means_listed_on_le_t_lt_removed_on() {
    let set = set();
    let e = |listed: &str, removed: Option<&str>| {
        entry("e1", "serious_violation", listed, removed, json!({}))
    };
    assert_eq!(class(&set, &[e(T, None)], T), "severely_dishonest");
    assert_eq!(class(&set, &[e(&shift(T, 1), None)], T), "trustworthy");
    assert_eq!(
        class(&set, &[e("2020-01-01", Some(&shift(T, 1)))], T),
        "severely_dishonest"
    );
    assert_eq!(class(&set, &[e("2020-01-01", Some(T))], T), "trustworthy");
    // The rule stops on the removal day.
    let l = eval(&set, &[e("2020-01-01", Some("2024-09-01"))], T);
    assert_eq!(reason(&l, "S1")["stops_on"], "2024-09-01");
    // An entry without a removal date has no known end.
    let l = eval(&set, &[e("2020-01-01", None)], T);
    assert_eq!(reason(&l, "S1").get("stops_on"), None);
}

#[test]
fn s1_ignores_person_withdrawn_and_repaired_entries() {
    let set = set();
    let e = entry("e1", "serious_violation", "2023-01-01", None, json!({}));
    assert_eq!(
        class(
            &set,
            &[with(&e, json!({"person_role": "legal_representative"}))],
            T
        ),
        "trustworthy"
    );
    assert_eq!(
        class(&set, &[with(&e, json!({"withdrawn": true}))], T),
        "trustworthy"
    );
    assert_eq!(
        class(&set, &[with(&e, json!({"repaired_on": T}))], T),
        "trustworthy"
    );
    assert_eq!(
        class(&set, &[with(&e, json!({"repaired_on": shift(T, 1)}))], T),
        "severely_dishonest"
    );
}

#[test]
fn s2_five_general_procedure_penalties() {
    let set = set();
    assert_eq!(
        cr(&set, &n_penalties(5, "2023-01-01", 200.0), T),
        want("severely_dishonest", &["S2"])
    );
    assert_eq!(
        cr(&set, &n_penalties(4, "2023-01-01", 200.0), T),
        want("dishonest", &["D2"])
    );
    let l = eval(&set, &n_penalties(5, "2023-01-01", 200.0), T);
    let r = reason(&l, "S2");
    assert_eq!(
        r["text"],
        "近三年内一般程序行政处罚 5 条，罚没款累计 1000 元（5条以上或累计超过50万元）"
    );
    assert_eq!(ids(r), strs(&["p0", "p1", "p2", "p3", "p4"]));
    // p0 (2023-01-01) leaves W3 on 2026-01-02; then 4 remain.
    assert_eq!(r["stops_on"], "2026-01-02");
    // Simple-procedure penalties do not count at all.
    let simple: Vec<Value> = n_penalties(6, "2023-01-01", 200000.0)
        .iter()
        .map(|p| with(p, json!({"procedure": "simple"})))
        .collect();
    assert_eq!(cr(&set, &simple, T), want("trustworthy", &["T1"]));
}

#[test]
fn s2_sum_over_500000_with_fines_and_confiscations() {
    let set = set();
    let four = |last: Value| {
        let mut v = n_penalties(3, "2023-01-01", 100000.0);
        v.push(with(&penalty("p9", "2023-06-01", 0.0), last));
        v
    };
    // 300000 + 200000 = 500000: not over.
    assert_eq!(
        cr(&set, &four(json!({"fine_cny": 200000})), T),
        want("dishonest", &["D2"])
    );
    assert_eq!(
        cr(&set, &four(json!({"fine_cny": 200000.01})), T),
        want("severely_dishonest", &["S2"])
    );
    assert_eq!(
        cr(
            &set,
            &four(json!({"fine_cny": 100000, "confiscation_cny": 100000.01})),
            T
        ),
        want("severely_dishonest", &["S2"])
    );
    assert_eq!(
        cr(
            &set,
            &four(json!({"fine_cny": 100000, "confiscation_cny": 100000})),
            T
        ),
        want("dishonest", &["D2"])
    );
    // One penalty over 500000.
    assert_eq!(
        cr(&set, &[penalty("p1", "2023-01-01", 500000.01)], T),
        want("severely_dishonest", &["S2"])
    );
    assert_eq!(
        cr(&set, &[penalty("p1", "2023-01-01", 500000.0)], T),
        want("dishonest", &["D2"])
    );
    // Seed 003 tests: 4 penalties totalling 500,000 → dishonest; 500,001 → severely.
    let mut v = n_penalties(3, "2023-01-01", 125000.0);
    v.push(penalty("p9", "2023-06-01", 125000.0));
    assert_eq!(class(&set, &v, T), "dishonest");
    v[3] = penalty("p9", "2023-06-01", 125001.0);
    assert_eq!(class(&set, &v, T), "severely_dishonest");
    let l = eval(&set, &v, T);
    assert_eq!(
        reason(&l, "S2")["text"],
        "近三年内一般程序行政处罚 4 条，罚没款累计 500001 元（5条以上或累计超过50万元）"
    );
}

#[test]
fn s2_w3_window_is_inclusive_at_both_ends() {
    let set = set();
    // W3(2024-06-15) = [2021-06-15, 2024-06-15].
    let mut v = n_penalties(4, "2023-01-01", 1.0);
    v.push(penalty("old", "2021-06-15", 1.0));
    assert_eq!(class(&set, &v, T), "severely_dishonest");
    v[4] = penalty("old", "2021-06-14", 1.0);
    assert_eq!(class(&set, &v, T), "dishonest");
    // A penalty dated T counts; one dated T + 1 does not.
    v[4] = penalty("new", T, 1.0);
    assert_eq!(class(&set, &v, T), "severely_dishonest");
    v[4] = penalty("new", &shift(T, 1), 1.0);
    assert_eq!(class(&set, &v, T), "dishonest");
}

#[test]
fn s2_w3_at_leap_days() {
    let set = set();
    let mut v = n_penalties(4, "2023-01-01", 1.0);
    // W3(2024-02-29) = [2021-02-28, 2024-02-29].
    v.push(penalty("old", "2021-02-28", 1.0));
    assert_eq!(class(&set, &v, "2024-02-29"), "severely_dishonest");
    assert_eq!(class(&set, &v, "2024-03-01"), "dishonest");
    v[4] = penalty("old", "2021-02-27", 1.0);
    assert_eq!(class(&set, &v, "2024-02-29"), "dishonest");
    // W3(2023-02-28) = [2020-02-28, 2023-02-28]: 2020-02-29 is inside, and
    // W3(2023-03-01) = [2020-03-01, …] leaves it out.
    let mut v = n_penalties(4, "2022-06-01", 1.0);
    v.push(penalty("leap", "2020-02-29", 1.0));
    assert_eq!(class(&set, &v, "2023-02-28"), "severely_dishonest");
    assert_eq!(class(&set, &v, "2023-03-01"), "dishonest");
    v[4] = penalty("leap", "2020-02-28", 1.0);
    assert_eq!(class(&set, &v, "2023-02-28"), "severely_dishonest");
    v[4] = penalty("leap", "2020-02-27", 1.0);
    assert_eq!(class(&set, &v, "2023-02-28"), "dishonest");
}

#[test]
fn stops_on_is_the_first_day_out_of_w3_even_after_a_leap_day() {
    let set = set();
    // A penalty of 2021-02-28 is still inside W3 on 2024-02-29 (add(2024-02-29, −3 years) = 2021-02-28).
    let l = eval(&set, &[penalty("p1", "2021-02-28", 1.0)], "2024-01-10");
    assert_eq!(l["class"], "dishonest");
    assert_eq!(reason(&l, "D2")["stops_on"], "2024-03-01");
    assert_eq!(
        class(&set, &[penalty("p1", "2021-02-28", 1.0)], "2024-02-29"),
        "dishonest"
    );
    assert_eq!(
        class(&set, &[penalty("p1", "2021-02-28", 1.0)], "2024-03-01"),
        "trustworthy"
    );
    // An ordinary day: out on add(d, 3 years) + 1.
    let l = eval(&set, &[penalty("p1", "2021-06-01", 1.0)], "2024-01-10");
    assert_eq!(reason(&l, "D2")["stops_on"], "2024-06-02");
}

#[test]
fn penalties_that_do_not_count() {
    let set = set();
    let mut v = n_penalties(4, "2023-01-01", 1.0);
    let p = penalty("x", "2023-06-01", 1.0);
    v.push(with(&p, json!({"withdrawn": true})));
    assert_eq!(class(&set, &v, T), "dishonest");
    v[4] = with(&p, json!({"repaired_on": T}));
    assert_eq!(class(&set, &v, T), "dishonest");
    v[4] = with(&p, json!({"repaired_on": "2023-07-01"}));
    assert_eq!(class(&set, &v, T), "dishonest");
    // Repaired only after T: it still counts at T.
    v[4] = with(&p, json!({"repaired_on": shift(T, 1)}));
    assert_eq!(class(&set, &v, T), "severely_dishonest");
    let l = eval(&set, &v, T);
    // …and the rule stops on the repair day.
    assert_eq!(reason(&l, "S2")["stops_on"], shift(T, 1));
}

#[test]
fn s3_suspension_in_w3() {
    let set = set();
    let p = penalty_with(
        "p1",
        "2022-01-10",
        &["suspend_business"],
        json!({"procedure": "simple", "decision_no": "营市监罚〔2022〕1号"}),
    );
    let l = eval(&set, std::slice::from_ref(&p), T);
    assert_eq!(l["class"], "severely_dishonest");
    assert_eq!(rules(&l), strs(&["S3"]));
    assert_eq!(
        reason(&l, "S3")["text"],
        "近三年内被依法责令停产停业（营市监罚〔2022〕1号）"
    );
    assert_eq!(ids(reason(&l, "S3")), strs(&["p1"]));
    assert_eq!(reason(&l, "S3")["stops_on"], "2025-01-11");
    // Out of W3 (and a simple procedure, so no D2 either).
    assert_eq!(
        class(&set, &[with(&p, json!({"date": "2021-06-14"}))], T),
        "trustworthy"
    );
    assert_eq!(
        class(&set, &[with(&p, json!({"date": "2021-06-15"}))], T),
        "severely_dishonest"
    );
    assert_eq!(
        class(&set, &[with(&p, json!({"withdrawn": true}))], T),
        "trustworthy"
    );
}

#[test]
fn s4_revocation_in_w3() {
    let set = set();
    for s in ["revoke_license", "revoke_permit"] {
        let p = penalty_with("p1", "2022-01-10", &["fine", s], json!({"fine_cny": 100}));
        let l = eval(&set, &[p], T);
        assert_eq!(l["class"], "severely_dishonest", "{s}");
        // The general-procedure penalty also makes D2 true, but only the decisive class is explained.
        assert_eq!(rules(&l), strs(&["S4"]), "{s}");
        assert_eq!(
            reason(&l, "S4")["text"],
            "近三年内被吊销营业执照或许可证（p1）"
        );
    }
    let p = penalty_with(
        "p1",
        "2021-06-14",
        &["revoke_license"],
        json!({"procedure": "simple"}),
    );
    assert_eq!(class(&set, &[p], T), "trustworthy");
}

#[test]
fn s4_w3_edges_first_day_inside_t_and_t_plus_1() {
    let set = set();
    // W3(2024-06-15) = [2021-06-15, 2024-06-15]. A simple procedure, so D2 plays no part.
    for s in ["revoke_license", "revoke_permit"] {
        let p = |date: &str| {
            penalty_with(
                "p1",
                date,
                &[s],
                json!({"procedure": "simple", "decision_no": "营市监罚〔2021〕7号"}),
            )
        };
        // First day inside W3: holds, and stops the day it leaves W3.
        let l = eval(&set, &[p("2021-06-15")], T);
        assert_eq!(
            (l["class"].as_str().unwrap(), rules(&l)),
            ("severely_dishonest", strs(&["S4"])),
            "{s}"
        );
        assert_eq!(ids(reason(&l, "S4")), strs(&["p1"]), "{s}");
        assert_eq!(
            reason(&l, "S4")["text"],
            "近三年内被吊销营业执照或许可证（营市监罚〔2021〕7号）",
            "{s}"
        );
        assert_eq!(reason(&l, "S4")["stops_on"], "2024-06-16", "{s}");
        // The day before W3: nothing.
        assert_eq!(
            cr(&set, &[p("2021-06-14")], T),
            want("trustworthy", &["T1"]),
            "{s}"
        );
        // Decided on T itself: counts.
        let l = eval(&set, &[p(T)], T);
        assert_eq!(
            (l["class"].as_str().unwrap(), rules(&l)),
            ("severely_dishonest", strs(&["S4"])),
            "{s}"
        );
        assert_eq!(ids(reason(&l, "S4")), strs(&["p1"]), "{s}");
        assert_eq!(reason(&l, "S4")["stops_on"], "2027-06-16", "{s}");
        // Decided on T + 1: not known at T.
        assert_eq!(
            cr(&set, &[p(&shift(T, 1))], T),
            want("trustworthy", &["T1"]),
            "{s}"
        );
    }
}

#[test]
fn s5_the_subject_itself_currently_a_dishonest_debtor() {
    let set = set();
    let e = entry("d1", "dishonest_debtor", "2023-01-01", None, json!({}));
    let l = eval(&set, std::slice::from_ref(&e), T);
    assert_eq!(rules(&l), strs(&["S5"]));
    assert_eq!(l["class"], "severely_dishonest");
    assert_eq!(reason(&l, "S5")["text"], "当前被列为失信被执行人");
    assert_eq!(ids(reason(&l, "S5")), strs(&["d1"]));
    // Removed on T: no longer current, W3 (past debtor) instead.
    assert_eq!(
        cr(&set, &[with(&e, json!({"removed_on": T}))], T),
        want("warning", &["W3"])
    );
    assert_eq!(
        cr(&set, &[with(&e, json!({"removed_on": shift(T, 1)}))], T),
        want("severely_dishonest", &["S5"])
    );
    // About a person of the subject: W2, not S5.
    assert_eq!(
        cr(
            &set,
            &[with(&e, json!({"person_role": "legal_representative"}))],
            T
        ),
        want("warning", &["W2"])
    );
}

#[test]
fn s5_listed_on_t_is_current_and_t_plus_1_is_not_yet() {
    let set = set();
    let e = |listed: &str| entry("d1", "dishonest_debtor", listed, None, json!({}));
    let l = eval(&set, &[e(T)], T);
    assert_eq!(
        (l["class"].as_str().unwrap(), rules(&l)),
        ("severely_dishonest", strs(&["S5"]))
    );
    assert_eq!(ids(reason(&l, "S5")), strs(&["d1"]));
    // Listed tomorrow: not current, and no past listing either (W3).
    assert_eq!(
        cr(&set, &[e(&shift(T, 1))], T),
        want("trustworthy", &["T1"])
    );
    // The day before the listing the subject is trustworthy; on it, severely dishonest.
    assert_eq!(
        cr(&set, &[e(T)], &shift(T, -1)),
        want("trustworthy", &["T1"])
    );
}

#[test]
fn every_satisfied_rule_of_the_decisive_class_is_listed() {
    let set = set();
    let mut v = n_penalties(5, "2023-01-01", 1.0);
    v.push(penalty_with(
        "sb",
        "2023-02-01",
        &["suspend_business"],
        json!({"procedure": "simple"}),
    ));
    v.push(penalty_with(
        "rl",
        "2023-03-01",
        &["revoke_license"],
        json!({"procedure": "simple"}),
    ));
    v.push(entry(
        "bl",
        "major_tax_violation",
        "2023-01-01",
        None,
        json!({}),
    ));
    v.push(entry(
        "dd",
        "dishonest_debtor",
        "2023-01-01",
        None,
        json!({}),
    ));
    // Rules of lower classes that also hold are not listed.
    v.push(rec("false_materials", "fm", "2023-01-01", json!({})));
    v.push(entry(
        "ab",
        "abnormal_operation",
        "2023-01-01",
        None,
        json!({"reason": "annual_report"}),
    ));
    let l = eval(&set, &v, T);
    assert_eq!(l["class"], "severely_dishonest");
    assert_eq!(rules(&l), strs(&["S1", "S2", "S3", "S4", "S5"]));
    assert_eq!(ids(reason(&l, "S1")), strs(&["bl"]));
    assert_eq!(ids(reason(&l, "S2")), strs(&["p0", "p1", "p2", "p3", "p4"]));
    assert_eq!(ids(reason(&l, "S3")), strs(&["sb"]));
    assert_eq!(ids(reason(&l, "S4")), strs(&["rl"]));
    assert_eq!(ids(reason(&l, "S5")), strs(&["dd"]));
    assert_eq!(reason(&l, "S1")["text"], "当前被列入重大税收违法失信主体");
}

// ---- dishonest ----------------------------------------------------------

#[test]
fn d1_abnormal_for_the_three_dishonest_reasons() {
    let set = set();
    let names = [
        ("not_disclosed", "未在责令期限内公示有关企业信息"),
        ("false_disclosure", "公示信息隐瞒真实情况、弄虚作假"),
        ("unreachable", "通过登记的住所或经营场所无法联系"),
    ];
    for (r, name) in names {
        let e = entry(
            "ab",
            "abnormal_operation",
            "2024-01-01",
            Some("2024-08-01"),
            json!({"reason": r}),
        );
        let l = eval(&set, std::slice::from_ref(&e), T);
        assert_eq!(
            (l["class"].as_str().unwrap(), rules(&l)),
            ("dishonest", strs(&["D1"])),
            "{r}"
        );
        assert_eq!(
            reason(&l, "D1")["text"],
            format!("当前因{name}被列入经营异常名录")
        );
        assert_eq!(ids(reason(&l, "D1")), strs(&["ab"]));
        assert_eq!(reason(&l, "D1")["stops_on"], "2024-08-01");
        // Removed: no longer D1.
        assert_eq!(class(&set, &[e], "2024-08-01"), "trustworthy");
    }
    // For the annual report: W1, not D1.
    let e = entry(
        "ab",
        "abnormal_operation",
        "2024-01-01",
        None,
        json!({"reason": "annual_report"}),
    );
    assert_eq!(cr(&set, &[e], T), want("warning", &["W1"]));
}

#[test]
fn d1_listed_on_t_is_current_and_t_plus_1_is_not_yet() {
    let set = set();
    for r in ["not_disclosed", "false_disclosure", "unreachable"] {
        let e = |listed: &str| {
            entry(
                "ab",
                "abnormal_operation",
                listed,
                None,
                json!({"reason": r}),
            )
        };
        let l = eval(&set, &[e(T)], T);
        assert_eq!(
            (l["class"].as_str().unwrap(), rules(&l)),
            ("dishonest", strs(&["D1"])),
            "{r}"
        );
        assert_eq!(ids(reason(&l, "D1")), strs(&["ab"]), "{r}");
        assert_eq!(
            cr(&set, &[e(&shift(T, 1))], T),
            want("trustworthy", &["T1"]),
            "{r}"
        );
    }
}

#[test]
fn abnormal_entry_without_a_reason_is_left_for_manual_review() {
    let set = set();
    let e = entry("ab", "abnormal_operation", "2024-01-01", None, json!({}));
    let l = eval(&set, &[e], T);
    assert_eq!(l["class"], "unclassified");
    assert_eq!(rules(&l), Vec::<String>::new());
    let b = &l["blocked_by"][0];
    assert_eq!(b["rule"], "T1");
    assert_eq!(ids(b), strs(&["ab"]));
    assert_eq!(
        b["text"],
        "近三年内不良行为记录 0 条，当前列入经营异常名录（列入原因未载明）1 条，不满足守信条件，待人工认定"
    );
}

#[test]
fn d2_one_to_four_penalties_up_to_500000() {
    let set = set();
    for n in 1..=4 {
        let l = eval(&set, &n_penalties(n, "2023-01-01", 1000.0), T);
        assert_eq!(
            (l["class"].as_str().unwrap(), rules(&l)),
            ("dishonest", strs(&["D2"])),
            "{n}"
        );
        assert_eq!(
            reason(&l, "D2")["text"],
            format!(
                "近三年内一般程序行政处罚 {n} 条，罚没款累计 {} 元",
                n * 1000
            )
        );
    }
    // A fine of 0.1 + 0.2 sums exactly.
    let v = vec![
        penalty("a", "2023-01-01", 0.1),
        penalty("b", "2023-01-02", 0.2),
    ];
    assert_eq!(
        reason(&eval(&set, &v, T), "D2")["text"],
        "近三年内一般程序行政处罚 2 条，罚没款累计 0.3 元"
    );
}

#[test]
fn d3_false_materials_or_breached_commitment_in_w3() {
    let set = set();
    let fm = rec("false_materials", "fm", "2021-06-15", json!({}));
    let l = eval(&set, std::slice::from_ref(&fm), T);
    assert_eq!(
        (l["class"].as_str().unwrap(), rules(&l)),
        ("dishonest", strs(&["D3"]))
    );
    assert_eq!(
        reason(&l, "D3")["text"],
        "近三年内有提供虚假材料或违反告知承诺记录（1 条）"
    );
    assert_eq!(ids(reason(&l, "D3")), strs(&["fm"]));
    assert_eq!(reason(&l, "D3")["stops_on"], "2024-06-16");
    assert_eq!(
        class(&set, &[with(&fm, json!({"date": "2021-06-14"}))], T),
        "trustworthy"
    );
    let c = rec(
        "commitment",
        "c1",
        "2020-01-01",
        json!({"commitment_kind": "notify_commit", "status": "breached", "breached_on": "2021-06-15"}),
    );
    let l = eval(&set, &[c.clone(), fm.clone()], T);
    assert_eq!(rules(&l), strs(&["D3"]));
    assert_eq!(ids(reason(&l, "D3")), strs(&["c1", "fm"]));
    assert_eq!(
        reason(&l, "D3")["text"],
        "近三年内有提供虚假材料或违反告知承诺记录（2 条）"
    );
    // The breach date decides, not the signing date.
    assert_eq!(
        class(&set, &[with(&c, json!({"breached_on": "2021-06-14"}))], T),
        "trustworthy"
    );
    let late = rec(
        "commitment",
        "c2",
        "2021-01-01",
        json!({"commitment_kind": "domicile", "status": "breached"}),
    );
    assert_eq!(class(&set, std::slice::from_ref(&late), T), "trustworthy");
    assert_eq!(
        class(&set, &[with(&late, json!({"date": "2021-06-15"}))], T),
        "dishonest"
    );
    for status in ["active", "fulfilled", "withdrawn"] {
        assert_eq!(
            class(&set, &[with(&c, json!({"status": status}))], T),
            "trustworthy",
            "{status}"
        );
    }
    assert_eq!(
        class(&set, &[with(&c, json!({"withdrawn": true}))], T),
        "trustworthy"
    );
}

#[test]
fn d3_breach_date_edges_relative_to_w3_and_t() {
    let set = set();
    // Signed long before W3; only the breach date decides.
    let c = |breached: &str| {
        rec(
            "commitment",
            "c1",
            "2020-01-01",
            json!({"commitment_kind": "notify_commit", "status": "breached", "breached_on": breached}),
        )
    };
    // Breached on T: inside W3 until add(2024-06-15, 3 years) = 2027-06-15.
    let l = eval(&set, &[c(T)], T);
    assert_eq!(
        (l["class"].as_str().unwrap(), rules(&l)),
        ("dishonest", strs(&["D3"]))
    );
    assert_eq!(ids(reason(&l, "D3")), strs(&["c1"]));
    assert_eq!(
        reason(&l, "D3")["text"],
        "近三年内有提供虚假材料或违反告知承诺记录（1 条）"
    );
    assert_eq!(reason(&l, "D3")["stops_on"], "2027-06-16");
    // Breached after T: not a breach at T.
    assert_eq!(
        cr(&set, &[c(&shift(T, 1))], T),
        want("trustworthy", &["T1"])
    );
    // W3 start (2021-06-15) is inside; the day before is not.
    let l = eval(&set, &[c("2021-06-15")], T);
    assert_eq!(
        (l["class"].as_str().unwrap(), rules(&l)),
        ("dishonest", strs(&["D3"]))
    );
    assert_eq!(ids(reason(&l, "D3")), strs(&["c1"]));
    assert_eq!(reason(&l, "D3")["stops_on"], "2024-06-16");
    assert_eq!(
        cr(&set, &[c("2021-06-14")], T),
        want("trustworthy", &["T1"])
    );
    // Leap day: W3(2024-02-29) starts on 2021-02-28.
    assert_eq!(
        cr(&set, &[c("2021-02-28")], "2024-02-29"),
        want("dishonest", &["D3"])
    );
    assert_eq!(
        cr(&set, &[c("2021-02-27")], "2024-02-29"),
        want("trustworthy", &["T1"])
    );
}

#[test]
fn d4_refused_or_overdue_correction_in_w3() {
    let set = set();
    for outcome in ["refused", "overdue"] {
        let o = rec(
            "correction_order",
            "co",
            "2022-01-01",
            json!({"outcome": outcome}),
        );
        let l = eval(&set, &[o], T);
        assert_eq!(
            (l["class"].as_str().unwrap(), rules(&l)),
            ("dishonest", strs(&["D4"])),
            "{outcome}"
        );
        assert_eq!(
            reason(&l, "D4")["text"],
            "近三年内被责令改正后拒不改正或逾期未改正（1 次）"
        );
    }
    for outcome in ["pending", "corrected"] {
        let o = rec(
            "correction_order",
            "co",
            "2022-01-01",
            json!({"outcome": outcome}),
        );
        assert_eq!(class(&set, &[o], T), "trustworthy", "{outcome}");
    }
    let o = rec(
        "correction_order",
        "co",
        "2021-06-14",
        json!({"outcome": "refused"}),
    );
    assert_eq!(class(&set, &[o], T), "trustworthy");
}

#[test]
fn d4_w3_edges_first_day_inside_t_and_t_plus_1() {
    let set = set();
    for outcome in ["refused", "overdue"] {
        let o = |date: &str| rec("correction_order", "co", date, json!({"outcome": outcome}));
        let l = eval(&set, &[o("2021-06-15")], T);
        assert_eq!(
            (l["class"].as_str().unwrap(), rules(&l)),
            ("dishonest", strs(&["D4"])),
            "{outcome}"
        );
        assert_eq!(ids(reason(&l, "D4")), strs(&["co"]), "{outcome}");
        assert_eq!(reason(&l, "D4")["stops_on"], "2024-06-16", "{outcome}");
        assert_eq!(
            cr(&set, &[o("2021-06-14")], T),
            want("trustworthy", &["T1"]),
            "{outcome}"
        );
        let l = eval(&set, &[o(T)], T);
        assert_eq!(
            (l["class"].as_str().unwrap(), rules(&l)),
            ("dishonest", strs(&["D4"])),
            "{outcome}"
        );
        assert_eq!(ids(reason(&l, "D4")), strs(&["co"]), "{outcome}");
        assert_eq!(reason(&l, "D4")["stops_on"], "2027-06-16", "{outcome}");
        assert_eq!(
            cr(&set, &[o(&shift(T, 1))], T),
            want("trustworthy", &["T1"]),
            "{outcome}"
        );
    }
}

#[test]
fn d5_refused_inspection_in_w3() {
    let set = set();
    let i = rec(
        "inspection",
        "in",
        "2021-06-15",
        json!({"outcome": "refused"}),
    );
    let l = eval(&set, std::slice::from_ref(&i), T);
    assert_eq!(
        (l["class"].as_str().unwrap(), rules(&l)),
        ("dishonest", strs(&["D5"]))
    );
    assert_eq!(reason(&l, "D5")["text"], "近三年内不配合监督检查（1 次）");
    assert_eq!(
        class(&set, &[with(&i, json!({"date": "2021-06-14"}))], T),
        "trustworthy"
    );
    for outcome in ["compliant", "issues_found", "not_found"] {
        assert_eq!(
            class(&set, &[with(&i, json!({"outcome": outcome}))], T),
            "trustworthy",
            "{outcome}"
        );
    }
}

#[test]
fn all_dishonest_rules_together() {
    let set = set();
    let v = vec![
        entry(
            "ab",
            "abnormal_operation",
            "2024-01-01",
            None,
            json!({"reason": "unreachable"}),
        ),
        penalty("p1", "2023-01-01", 10.0),
        rec("false_materials", "fm", "2023-01-01", json!({})),
        rec(
            "correction_order",
            "co",
            "2023-01-01",
            json!({"outcome": "overdue"}),
        ),
        rec(
            "inspection",
            "in",
            "2023-01-01",
            json!({"outcome": "refused"}),
        ),
        // A warning ground too; not listed.
        entry(
            "dp",
            "dishonest_debtor",
            "2023-01-01",
            None,
            json!({"person_role": "director"}),
        ),
    ];
    let l = eval(&set, &v, T);
    assert_eq!(l["class"], "dishonest");
    assert_eq!(rules(&l), strs(&["D1", "D2", "D3", "D4", "D5"]));
    for (r, id) in [
        ("D1", "ab"),
        ("D2", "p1"),
        ("D3", "fm"),
        ("D4", "co"),
        ("D5", "in"),
    ] {
        assert_eq!(ids(reason(&l, r)), strs(&[id]), "{r}");
    }
}

// ---- warning --------------------------------------------------------------

#[test]
fn w1_abnormal_for_the_annual_report() {
    let set = set();
    let e = entry(
        "ab",
        "abnormal_operation",
        "2023-07-01",
        None,
        json!({"reason": "annual_report"}),
    );
    let l = eval(&set, std::slice::from_ref(&e), T);
    assert_eq!(
        reason(&l, "W1")["text"],
        "当前因未按期报送年度报告被列入经营异常名录"
    );
    assert_eq!(ids(reason(&l, "W1")), strs(&["ab"]));
    assert_eq!(
        class(&set, &[with(&e, json!({"removed_on": T}))], T),
        "trustworthy"
    );
    assert_eq!(
        class(&set, &[with(&e, json!({"person_role": "director"}))], T),
        "trustworthy"
    );
}

#[test]
fn w1_listed_and_removed_edges() {
    let set = set();
    let e = |listed: &str, removed: Option<&str>| {
        entry(
            "ab",
            "abnormal_operation",
            listed,
            removed,
            json!({"reason": "annual_report"}),
        )
    };
    // Listed on T: current.
    let l = eval(&set, &[e(T, None)], T);
    assert_eq!(
        (l["class"].as_str().unwrap(), rules(&l)),
        ("warning", strs(&["W1"]))
    );
    assert_eq!(ids(reason(&l, "W1")), strs(&["ab"]));
    // Listed on T + 1: not yet.
    assert_eq!(
        cr(&set, &[e(&shift(T, 1), None)], T),
        want("trustworthy", &["T1"])
    );
    // Removed on T + 1: still current during T, and W1 stops on the removal day.
    let l = eval(&set, &[e("2023-07-01", Some(&shift(T, 1)))], T);
    assert_eq!(
        (l["class"].as_str().unwrap(), rules(&l)),
        ("warning", strs(&["W1"]))
    );
    assert_eq!(ids(reason(&l, "W1")), strs(&["ab"]));
    assert_eq!(reason(&l, "W1")["stops_on"], shift(T, 1));
    // Removed on T: not current.
    assert_eq!(
        cr(&set, &[e("2023-07-01", Some(T))], T),
        want("trustworthy", &["T1"])
    );
}

#[test]
fn w2_a_person_of_the_subject_currently_a_dishonest_debtor() {
    let set = set();
    let names = [
        ("legal_representative", "法定代表人"),
        ("director", "董事"),
        ("supervisor", "监事"),
        ("senior_manager", "高级管理人员"),
    ];
    for (role, name) in names {
        let e = entry(
            "dp",
            "dishonest_debtor",
            "2023-01-01",
            None,
            json!({"person_role": role}),
        );
        let l = eval(&set, &[e], T);
        assert_eq!(
            (l["class"].as_str().unwrap(), rules(&l)),
            ("warning", strs(&["W2"])),
            "{role}"
        );
        assert_eq!(
            reason(&l, "W2")["text"],
            format!("{name}当前为失信被执行人")
        );
        assert_eq!(ids(reason(&l, "W2")), strs(&["dp"]));
    }
    let e = entry(
        "dp",
        "dishonest_debtor",
        "2023-01-01",
        Some("2024-07-01"),
        json!({"person_role": "director"}),
    );
    assert_eq!(
        reason(&eval(&set, std::slice::from_ref(&e), T), "W2")["stops_on"],
        "2024-07-01"
    );
    // Once the person is removed nothing remains (W3 concerns the subject itself).
    assert_eq!(
        class(&set, std::slice::from_ref(&e), "2024-07-01"),
        "trustworthy"
    );
    assert_eq!(
        class(&set, &[with(&e, json!({"withdrawn": true}))], T),
        "trustworthy"
    );
    // A person on another list does not matter.
    let e = entry(
        "dp",
        "serious_violation",
        "2023-01-01",
        None,
        json!({"person_role": "director"}),
    );
    assert_eq!(class(&set, &[e], T), "trustworthy");
    // Two persons: both named.
    let v = vec![
        entry(
            "d1",
            "dishonest_debtor",
            "2023-01-01",
            None,
            json!({"person_role": "director"}),
        ),
        entry(
            "d2",
            "dishonest_debtor",
            "2023-02-01",
            None,
            json!({"person_role": "supervisor"}),
        ),
    ];
    let l = eval(&set, &v, T);
    assert_eq!(reason(&l, "W2")["text"], "董事、监事当前为失信被执行人");
    assert_eq!(ids(reason(&l, "W2")), strs(&["d1", "d2"]));
}

#[test]
fn w3_a_past_listing_of_the_subject_overlapping_w3() {
    let set = set();
    let e = |removed: &str| {
        entry(
            "dd",
            "dishonest_debtor",
            "2019-01-01",
            Some(removed),
            json!({}),
        )
    };
    // Removed two years ago: warning. Seed test.
    let l = eval(&set, &[e("2022-06-15")], T);
    assert_eq!(
        (l["class"].as_str().unwrap(), rules(&l)),
        ("warning", strs(&["W3"]))
    );
    assert_eq!(
        reason(&l, "W3")["text"],
        "近三年内曾被列为失信被执行人，现已移出（2022-06-15 移出）"
    );
    assert_eq!(ids(reason(&l, "W3")), strs(&["dd"]));
    // Removed four years ago: trustworthy.
    assert_eq!(class(&set, &[e("2020-06-15")], T), "trustworthy");
    // Last listed day 2021-06-15 = start of W3(T): overlaps; the day before does not.
    assert_eq!(class(&set, &[e("2021-06-16")], T), "warning");
    assert_eq!(class(&set, &[e("2021-06-15")], T), "trustworthy");
    assert_eq!(
        reason(&eval(&set, &[e("2021-06-16")], T), "W3")["stops_on"],
        "2024-06-16"
    );
    // Leap day: removed 2021-03-01, last listed day 2021-02-28 = start of W3(2024-02-29).
    assert_eq!(class(&set, &[e("2021-03-01")], "2024-02-29"), "warning");
    assert_eq!(class(&set, &[e("2021-03-01")], "2024-03-01"), "trustworthy");
    // Removed on T itself: the listing ended today.
    assert_eq!(class(&set, &[e(T)], T), "warning");
}

#[test]
fn w4_expired_license_not_in_use() {
    let set = set();
    let lic = rec(
        "license",
        "l1",
        "2019-01-01",
        json!({"title": "危险化学品经营许可证", "valid_to": "2024-06-14", "in_use": false}),
    );
    let l = eval(&set, std::slice::from_ref(&lic), T);
    assert_eq!(
        (l["class"].as_str().unwrap(), rules(&l)),
        ("warning", strs(&["W4"]))
    );
    assert_eq!(
        reason(&l, "W4")["text"],
        "许可证（危险化学品经营许可证）已过有效期且未从事许可事项"
    );
    assert_eq!(ids(reason(&l, "W4")), strs(&["l1"]));
    // valid_to = T: still valid today.
    assert_eq!(
        class(&set, &[with(&lic, json!({"valid_to": T}))], T),
        "trustworthy"
    );
    assert_eq!(
        class(&set, &[with(&lic, json!({"in_use": true}))], T),
        "trustworthy"
    );
    assert_eq!(
        class(&set, &[with(&lic, json!({"in_use": null}))], T),
        "trustworthy"
    );
    assert_eq!(
        class(&set, &[with(&lic, json!({"valid_to": null}))], T),
        "trustworthy"
    );
}

#[test]
fn w5_two_most_recent_annual_reports_with_zero_employees() {
    let set = set();
    let ar = |id: &str, year: i64, employees: i64| {
        rec(
            "annual_report",
            id,
            &format!("{}-05-01", year + 1),
            json!({"year": year, "employees": employees}),
        )
    };
    let l = eval(
        &set,
        &[ar("a21", 2021, 3), ar("a22", 2022, 0), ar("a23", 2023, 0)],
        T,
    );
    assert_eq!(
        (l["class"].as_str().unwrap(), rules(&l)),
        ("warning", strs(&["W5"]))
    );
    assert_eq!(
        reason(&l, "W5")["text"],
        "最近两个年度报告（2023、2022年度）从业人数均为零"
    );
    assert_eq!(ids(reason(&l, "W5")), strs(&["a22", "a23"]));
    assert_eq!(
        class(
            &set,
            &[ar("a21", 2021, 0), ar("a22", 2022, 3), ar("a23", 2023, 0)],
            T
        ),
        "trustworthy"
    );
    assert_eq!(
        class(&set, &[ar("a22", 2022, 0), ar("a23", 2023, 1)], T),
        "trustworthy"
    );
    assert_eq!(class(&set, &[ar("a23", 2023, 0)], T), "trustworthy");
    // A report filed after T is not known yet.
    let late = rec(
        "annual_report",
        "a23",
        "2024-06-16",
        json!({"year": 2023, "employees": 5}),
    );
    assert_eq!(
        class(
            &set,
            &[ar("a21", 2021, 0), ar("a22", 2022, 0), late.clone()],
            T
        ),
        "warning"
    );
    assert_eq!(
        class(
            &set,
            &[ar("a21", 2021, 0), ar("a22", 2022, 0), late],
            "2024-06-16"
        ),
        "trustworthy"
    );
    // A report without the number of employees is not zero.
    let unknown = rec("annual_report", "a23", "2024-05-01", json!({"year": 2023}));
    assert_eq!(
        class(&set, &[ar("a22", 2022, 0), unknown], T),
        "trustworthy"
    );
    // Two reports of one year are one report year: the last filed one stands.
    let again = |id: &str, employees: i64, filed: &str| {
        rec(
            "annual_report",
            id,
            filed,
            json!({"year": 2023, "employees": employees}),
        )
    };
    assert_eq!(
        class(
            &set,
            &[
                ar("a22", 2022, 4),
                ar("a23", 2023, 0),
                again("a23b", 0, "2024-05-20")
            ],
            T
        ),
        "trustworthy"
    );
    let l = eval(
        &set,
        &[
            ar("a22", 2022, 0),
            ar("a23", 2023, 6),
            again("a23b", 0, "2024-05-20"),
        ],
        T,
    );
    assert_eq!(rules(&l), strs(&["W5"]));
    assert_eq!(ids(reason(&l, "W5")), strs(&["a22", "a23b"]));
    assert_eq!(
        class(
            &set,
            &[
                ar("a22", 2022, 0),
                ar("a23", 2023, 0),
                again("a23b", 6, "2024-05-20")
            ],
            T
        ),
        "trustworthy"
    );
    // Two most recent report years, even with a year missing in between.
    assert_eq!(
        class(&set, &[ar("a21", 2021, 0), ar("a23", 2023, 0)], T),
        "warning"
    );
}

#[test]
fn w6_two_years_complete_and_no_paid_in_capital() {
    let set = set();
    let zero = |est: &str| json!({"established_on": est, "paid_in_capital_cny": 0});
    // Seed test: established 2018-09-01, as of 2020-09-21 → warning; 2019-01-01 → not.
    assert_eq!(
        class_of(&set, zero("2018-09-01"), &[], "2020-09-21"),
        want("warning", &["W6"])
    );
    assert_eq!(
        class_of(&set, zero("2019-01-01"), &[], "2020-09-21"),
        want("trustworthy", &["T1"])
    );
    // 满两年 from add(est, 2 years) + 1 day.
    assert_eq!(
        class_of(&set, zero("2018-09-01"), &[], "2020-09-01").0,
        "trustworthy"
    );
    assert_eq!(
        class_of(&set, zero("2018-09-01"), &[], "2020-09-02").0,
        "warning"
    );
    assert_eq!(
        class_of(&set, zero("2020-02-29"), &[], "2022-02-28").0,
        "trustworthy"
    );
    assert_eq!(
        class_of(&set, zero("2020-02-29"), &[], "2022-03-01").0,
        "warning"
    );
    let l = line(&set, M, zero("2018-09-01"), &[], "2020-09-21");
    assert_eq!(
        reason(&l, "W6")["text"],
        "设立登记满两年（2018-09-01 成立），实缴注册资本仍为零"
    );
    assert_eq!(ids(reason(&l, "W6")), Vec::<String>::new());
    assert_eq!(
        class_of(
            &set,
            json!({"established_on": "2018-09-01", "paid_in_capital_cny": 0.01}),
            &[],
            "2020-09-21"
        )
        .0,
        "trustworthy"
    );
    assert_eq!(
        class_of(
            &set,
            json!({"established_on": "2018-09-01", "paid_in_capital_cny": null}),
            &[],
            "2020-09-21"
        )
        .0,
        "trustworthy"
    );
    assert_eq!(
        class_of(
            &set,
            json!({"established_on": null, "paid_in_capital_cny": 0}),
            &[],
            "2020-09-21"
        )
        .0,
        "trustworthy"
    );
}

#[test]
fn all_warning_rules_together() {
    let set = set();
    let v = vec![
        entry(
            "ab",
            "abnormal_operation",
            "2024-01-01",
            None,
            json!({"reason": "annual_report"}),
        ),
        entry(
            "dp",
            "dishonest_debtor",
            "2023-01-01",
            None,
            json!({"person_role": "senior_manager"}),
        ),
        entry(
            "dd",
            "dishonest_debtor",
            "2020-01-01",
            Some("2023-01-01"),
            json!({}),
        ),
        rec(
            "license",
            "l1",
            "2019-01-01",
            json!({"title": "道路运输经营许可证", "valid_to": "2024-01-01", "in_use": false}),
        ),
        rec(
            "annual_report",
            "a22",
            "2023-05-01",
            json!({"year": 2022, "employees": 0}),
        ),
        rec(
            "annual_report",
            "a23",
            "2024-05-01",
            json!({"year": 2023, "employees": 0}),
        ),
        rec(
            "bad_conduct",
            "bc",
            "2023-01-01",
            json!({"domain": "construction"}),
        ),
    ];
    let l = line(
        &set,
        M,
        json!({"established_on": "2020-01-01", "paid_in_capital_cny": 0}),
        &v,
        T,
    );
    assert_eq!(l["class"], "warning");
    assert_eq!(rules(&l), strs(&["W1", "W2", "W3", "W4", "W5", "W6"]));
    assert_eq!(reason(&l, "W3")["stops_on"], "2026-01-01");
    assert_eq!(reason(&l, "W6").get("stops_on"), None);
}

// ---- trustworthy and unclassified --------------------------------------------

#[test]
fn t1_and_unclassified_with_blocked_by() {
    let set = set();
    let bc = rec(
        "bad_conduct",
        "bc",
        "2021-06-15",
        json!({"domain": "construction"}),
    );
    let l = eval(&set, std::slice::from_ref(&bc), T);
    assert_eq!(l["class"], "unclassified");
    assert_eq!(l["reasons"], json!([]));
    assert_eq!(
        l["blocked_by"],
        json!([{"rule": "T1", "text": "近三年内不良行为记录 1 条，当前列入经营异常名录（列入原因未载明）0 条，不满足守信条件，待人工认定", "records": ["bc"]}])
    );
    // Outside W3, withdrawn or repaired: trustworthy.
    assert_eq!(
        class(&set, &[with(&bc, json!({"date": "2021-06-14"}))], T),
        "trustworthy"
    );
    assert_eq!(
        class(&set, &[with(&bc, json!({"withdrawn": true}))], T),
        "trustworthy"
    );
    assert_eq!(
        class(&set, &[with(&bc, json!({"repaired_on": "2022-01-01"}))], T),
        "trustworthy"
    );
    // A worse class hides the bad-conduct record: no blocked_by.
    let l = eval(&set, &[bc, penalty("p1", "2023-01-01", 1.0)], T);
    assert_eq!(l["class"], "dishonest");
    assert_eq!(l.get("blocked_by"), None);
}

#[test]
fn records_of_other_kinds_do_not_change_the_class() {
    let set = set();
    let v = vec![
        rec(
            "honor",
            "h",
            "2023-01-01",
            json!({"title": "守合同重信用企业"}),
        ),
        rec(
            "tax_rating",
            "tr",
            "2023-04-01",
            json!({"year": 2022, "grade": "D"}),
        ),
        rec(
            "judgment",
            "j",
            "2023-01-01",
            json!({"role": "defendant", "refused_to_perform": true}),
        ),
        rec("accident", "a", "2023-01-01", json!({"grade": "major"})),
        rec(
            "arrears",
            "ar",
            "2023-01-01",
            json!({"arrears_kind": "tax", "amount_cny": 100}),
        ),
        rec(
            "license",
            "l",
            "2019-01-01",
            json!({"title": "x", "valid_to": "2030-01-01", "in_use": false}),
        ),
        penalty_with(
            "w",
            "2023-01-01",
            &["warning"],
            json!({"procedure": "simple"}),
        ),
    ];
    assert_eq!(cr(&set, &v, T), want("trustworthy", &["T1"]));
}

#[test]
fn several_subjects_in_one_evaluation_are_kept_apart_and_sorted() {
    let set = set();
    const A: &str = "91330102MA2H06NR53";
    const B: &str = "91110000MA01DQ5D8Q";
    let mut recs = n_penalties(5, "2023-01-01", 1.0);
    for r in &mut recs {
        r["subject"] = json!(A);
    }
    recs.push(with(
        &rec("bad_conduct", "bc", "2023-01-01", json!({"domain": "x"})),
        json!({"subject": B}),
    ));
    recs.push(penalty("p-own", "2023-01-01", 1.0));
    let subjects = vec![
        subject(json!({"uscc": A})),
        subject(json!({})),
        subject(json!({"uscc": B})),
    ];
    let out = lines(&set, M, &subjects, &recs, T);
    let got: Vec<(String, String)> = out
        .iter()
        .map(|l| {
            (
                l["subject"].as_str().unwrap().to_owned(),
                l["class"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (B.to_owned(), "unclassified".to_owned()),
            (S.to_owned(), "dishonest".to_owned()),
            (A.to_owned(), "severely_dishonest".to_owned()),
        ]
    );
    assert_eq!(ids(reason(&out[1], "D2")), strs(&["p-own"]));
    assert_eq!(
        ids(reason(&out[2], "S2")),
        strs(&["p0", "p1", "p2", "p3", "p4"])
    );
}

#[test]
fn a_later_version_of_a_record_replaces_the_earlier_one() {
    let set = set();
    let p = penalty("p1", "2023-01-01", 1.0);
    // Same (source, id): the later line is the current version.
    assert_eq!(
        class(&set, &[p.clone(), with(&p, json!({"withdrawn": true}))], T),
        "trustworthy"
    );
    assert_eq!(
        class(&set, &[with(&p, json!({"withdrawn": true})), p.clone()], T),
        "dishonest"
    );
    // Same id from another source is another record.
    let other = with(&p, json!({"source": "STHJ"}));
    let l = eval(&set, &[p, other], T);
    assert_eq!(
        reason(&l, "D2")["text"],
        "近三年内一般程序行政处罚 2 条，罚没款累计 2 元"
    );
}
