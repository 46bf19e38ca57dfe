//! `construction-blacklist` (PRODUCT.md §4; 建市〔2017〕241号): CB1–CB4.

mod common;

use common::*;
use serde_json::{Value, json};
use xinyong_rules::ModelSet;

const M: &str = "construction-blacklist";
const T: &str = "2024-06-15";

fn eval(set: &ModelSet, recs: &[Value], t: &str) -> Value {
    line(set, M, json!({"industry": "construction"}), recs, t)
}

fn lr(set: &ModelSet, recs: &[Value]) -> (Vec<String>, Vec<String>) {
    let l = eval(set, recs, T);
    let lists = l["lists"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    (lists, rules(&l))
}

fn black(rules: &[&str]) -> (Vec<String>, Vec<String>) {
    (strs(&["construction_blacklist"]), strs(rules))
}

fn none() -> (Vec<String>, Vec<String>) {
    (Vec::new(), Vec::new())
}

fn acc(id: &str, date: &str, grade: &str) -> Value {
    rec(
        "accident",
        id,
        date,
        json!({"grade": grade, "domain": "construction"}),
    )
}

fn pen(id: &str, date: &str) -> Value {
    penalty_with(
        id,
        date,
        &["fine"],
        json!({"fine_cny": 100000, "domain": "construction"}),
    )
}

#[test]
fn clean_subject_is_on_no_list() {
    let set = set();
    let l = eval(&set, &[], T);
    assert_eq!(
        l,
        json!({"subject": S, "model": "construction-blacklist", "model_version": "2017.1", "as_of": T,
               "class": null, "score": null, "grade": null, "lists": [], "reasons": []})
    );
}

#[test]
fn cb1_false_materials_in_construction() {
    let set = set();
    let f = rec(
        "false_materials",
        "f1",
        "2019-01-01",
        json!({"domain": "construction"}),
    );
    let l = eval(&set, std::slice::from_ref(&f), T);
    assert_eq!(l["lists"], json!(["construction_blacklist"]));
    assert_eq!(rules(&l), strs(&["CB1"]));
    assert_eq!(
        reason(&l, "CB1")["text"],
        "利用虚假材料、以欺骗手段取得企业资质"
    );
    assert_eq!(ids(reason(&l, "CB1")), strs(&["f1"]));
    assert_eq!(reason(&l, "CB1").get("stops_on"), None);
    assert_eq!(
        lr(&set, &[with(&f, json!({"domain": "food_drug"}))]),
        none()
    );
    assert_eq!(lr(&set, &[with(&f, json!({"domain": null}))]), none());
    assert_eq!(lr(&set, &[with(&f, json!({"withdrawn": true}))]), none());
    assert_eq!(lr(&set, &[with(&f, json!({"repaired_on": T}))]), none());
    assert_eq!(
        lr(&set, &[with(&f, json!({"repaired_on": shift(T, 1)}))]),
        black(&["CB1"])
    );
    assert_eq!(lr(&set, &[with(&f, json!({"date": shift(T, 1)}))]), none());
}

#[test]
fn cb2_penalty_for_subcontracting_or_lending_a_qualification() {
    let set = set();
    for tag in ["subcontracting", "lending_qualification"] {
        let p = with(
            &pen("p1", "2020-01-01"),
            json!({"violation_tags": ["quality", tag]}),
        );
        let l = eval(&set, std::slice::from_ref(&p), T);
        assert_eq!(rules(&l), strs(&["CB2"]), "{tag}");
        assert_eq!(
            reason(&l, "CB2")["text"],
            "发生转包、出借资质，受到行政处罚"
        );
        assert_eq!(ids(reason(&l, "CB2")), strs(&["p1"]));
        assert_eq!(lr(&set, &[with(&p, json!({"withdrawn": true}))]), none());
        assert_eq!(
            lr(&set, &[with(&p, json!({"repaired_on": "2021-01-01"}))]),
            none()
        );
    }
    assert_eq!(
        lr(
            &set,
            &[with(
                &pen("p1", "2020-01-01"),
                json!({"violation_tags": ["illegal_subcontracting_part"]})
            )]
        ),
        none()
    );
    assert_eq!(lr(&set, &[pen("p1", "2020-01-01")]), none());
}

#[test]
fn cb3_major_accident_with_a_penalty() {
    let set = set();
    for g in ["major", "especially_major"] {
        let v = vec![acc("a1", "2023-01-10", g), pen("p1", "2023-01-10")];
        let l = eval(&set, &v, T);
        assert_eq!(rules(&l), strs(&["CB3"]), "{g}");
        assert_eq!(
            reason(&l, "CB3")["text"],
            "发生重大及以上工程质量安全事故，或1年内累计发生2次及以上较大事故，或发生性质恶劣的较大事故，受到行政处罚"
        );
        // The reason cites the accident and the penalty that followed it.
        assert_eq!(ids(reason(&l, "CB3")), strs(&["a1", "p1"]));
    }
    // Only the penalties on or after the accident's date are cited.
    let v = vec![
        acc("a1", "2023-01-10", "major"),
        pen("p0", "2023-01-09"),
        pen("p1", "2023-01-10"),
        pen("p2", "2023-06-01"),
    ];
    assert_eq!(
        ids(reason(&eval(&set, &v, T), "CB3")),
        strs(&["a1", "p1", "p2"])
    );
    // A penalty after T is not known, nor cited.
    let v = vec![
        acc("a1", "2023-01-10", "major"),
        pen("p1", "2023-02-01"),
        pen("p2", &shift(T, 1)),
    ];
    assert_eq!(ids(reason(&eval(&set, &v, T), "CB3")), strs(&["a1", "p1"]));
    // Without a penalty, or with one only before the accident: not listed.
    assert_eq!(lr(&set, &[acc("a1", "2023-01-10", "major")]), none());
    assert_eq!(
        lr(
            &set,
            &[acc("a1", "2023-01-10", "major"), pen("p1", "2023-01-09")]
        ),
        none()
    );
    assert_eq!(
        lr(
            &set,
            &[
                acc("a1", "2023-01-10", "major"),
                with(&pen("p1", "2023-02-01"), json!({"withdrawn": true}))
            ]
        ),
        none()
    );
    // The penalty is not known before its date.
    assert_eq!(
        lr(
            &set,
            &[acc("a1", "2023-01-10", "major"), pen("p1", &shift(T, 1))]
        ),
        none()
    );
    // A general accident never.
    assert_eq!(
        lr(
            &set,
            &[acc("a1", "2023-01-10", "general"), pen("p1", "2023-02-01")]
        ),
        none()
    );
}

#[test]
fn cb3_one_egregious_relatively_large_accident() {
    let set = set();
    let a = with(
        &acc("a1", "2023-01-10", "relatively_large"),
        json!({"egregious": true}),
    );
    assert_eq!(
        lr(&set, &[a.clone(), pen("p1", "2023-03-01")]),
        black(&["CB3"])
    );
    let l = eval(&set, &[a.clone(), pen("p1", "2023-03-01")], T);
    assert_eq!(ids(reason(&l, "CB3")), strs(&["a1", "p1"]));
    assert_eq!(lr(&set, std::slice::from_ref(&a)), none());
    assert_eq!(
        lr(
            &set,
            &[
                with(&a, json!({"egregious": false})),
                pen("p1", "2023-03-01")
            ]
        ),
        none()
    );
    assert_eq!(
        lr(
            &set,
            &[
                with(&a, json!({"egregious": null})),
                pen("p1", "2023-03-01")
            ]
        ),
        none()
    );
}

#[test]
fn cb3_two_relatively_large_accidents_within_12_months() {
    let set = set();
    let two = |first: &str, second: &str| {
        vec![
            acc("a1", first, "relatively_large"),
            acc("a2", second, "relatively_large"),
            pen("p1", "2024-01-01"),
        ]
    };
    // Seed 003: 11 months apart → blacklisted; 13 months → not.
    assert_eq!(lr(&set, &two("2022-01-15", "2022-12-15")), black(&["CB3"]));
    assert_eq!(lr(&set, &two("2022-01-15", "2023-02-15")), none());
    // Exactly 12 months (1年内 includes the end); one day more is out.
    assert_eq!(lr(&set, &two("2022-03-15", "2023-03-15")), black(&["CB3"]));
    assert_eq!(lr(&set, &two("2022-03-15", "2023-03-16")), none());
    // Order of the records does not matter; same day counts.
    assert_eq!(lr(&set, &two("2023-03-15", "2022-03-15")), black(&["CB3"]));
    assert_eq!(lr(&set, &two("2022-03-15", "2022-03-15")), black(&["CB3"]));
    // Leap day: 2020-02-29 + 12 months = 2021-02-28.
    assert_eq!(lr(&set, &two("2020-02-29", "2021-02-28")), black(&["CB3"]));
    assert_eq!(lr(&set, &two("2020-02-29", "2021-03-01")), none());
    assert_eq!(lr(&set, &two("2021-02-28", "2022-02-28")), black(&["CB3"]));
    // Both accidents of the pair and the penalty that followed them.
    let l = eval(&set, &two("2022-01-15", "2022-12-15"), T);
    assert_eq!(ids(reason(&l, "CB3")), strs(&["a1", "a2", "p1"]));
    // A penalty between the accidents follows only the first; the one after
    // both is behind both, and both are cited.
    let v = vec![
        acc("a1", "2022-01-15", "relatively_large"),
        pen("p0", "2022-02-01"),
        acc("a2", "2022-12-15", "relatively_large"),
        pen("p1", "2023-01-01"),
    ];
    assert_eq!(
        ids(reason(&eval(&set, &v, T), "CB3")),
        strs(&["a1", "a2", "p0", "p1"])
    );
    // Each needs a penalty: one between the two accidents covers only the first.
    let v = vec![
        acc("a1", "2022-01-15", "relatively_large"),
        pen("p1", "2022-02-01"),
        acc("a2", "2022-12-15", "relatively_large"),
    ];
    assert_eq!(lr(&set, &v), none());
    // One of them withdrawn.
    let mut v = two("2022-01-15", "2022-12-15");
    v[1] = with(&v[1], json!({"withdrawn": true}));
    assert_eq!(lr(&set, &v), none());
    // A major and a relatively large one: the major one alone lists, with
    // its penalty; the relatively large one is not cited.
    let v = vec![
        acc("a1", "2022-01-15", "major"),
        acc("a2", "2022-02-15", "relatively_large"),
        pen("p1", "2022-03-01"),
    ];
    assert_eq!(ids(reason(&eval(&set, &v, T), "CB3")), strs(&["a1", "p1"]));
}

#[test]
fn cb4_construction_payment_arrears_and_refusal_to_perform() {
    let set = set();
    let j = rec(
        "judgment",
        "j1",
        "2022-05-01",
        json!({"role": "defendant", "cause": "construction_payment_arrears", "refused_to_perform": true, "amount_cny": 1200000}),
    );
    let l = eval(&set, std::slice::from_ref(&j), T);
    assert_eq!(rules(&l), strs(&["CB4"]));
    assert_eq!(
        reason(&l, "CB4")["text"],
        "经法院判决或仲裁机构裁决认定拖欠工程款，且拒不履行生效法律文书确定的义务"
    );
    assert_eq!(ids(reason(&l, "CB4")), strs(&["j1"]));
    assert_eq!(
        lr(&set, &[with(&j, json!({"refused_to_perform": false}))]),
        none()
    );
    assert_eq!(
        lr(&set, &[with(&j, json!({"refused_to_perform": null}))]),
        none()
    );
    assert_eq!(lr(&set, &[with(&j, json!({"cause": "contract"}))]), none());
    assert_eq!(lr(&set, &[with(&j, json!({"withdrawn": true}))]), none());
}

#[test]
fn every_rule_together() {
    let set = set();
    let v = vec![
        rec(
            "false_materials",
            "f1",
            "2019-01-01",
            json!({"domain": "construction"}),
        ),
        with(
            &pen("p1", "2021-06-01"),
            json!({"violation_tags": ["subcontracting"]}),
        ),
        acc("a1", "2021-01-01", "major"),
        rec(
            "judgment",
            "j1",
            "2022-05-01",
            json!({"role": "defendant", "cause": "construction_payment_arrears", "refused_to_perform": true}),
        ),
        // A wage-arrears blacklist entry is only a watch flag, not a ground.
        entry(
            "w1",
            "wage_arrears_blacklist",
            "2022-01-01",
            None,
            json!({}),
        ),
    ];
    let l = eval(&set, &v, T);
    assert_eq!(l["lists"], json!(["construction_blacklist"]));
    assert_eq!(rules(&l), strs(&["CB1", "CB2", "CB3", "CB4"]));
    // The subcontracting penalty followed the major accident: CB3 cites it too.
    assert_eq!(ids(reason(&l, "CB3")), strs(&["a1", "p1"]));
    assert_eq!(ids(reason(&l, "CB2")), strs(&["p1"]));
    assert_eq!(lr(&set, &v[4..]), none());
}
