//! `yingkou-composite` (PRODUCT.md §4): what its case file
//! (`models/cases/yingkou-composite.toml`) cannot state: grade bands at
//! fractional scores (a probe model) and the fields of reasons, in order.

mod common;

use common::*;
use serde_json::{Value, json};
use xinyong_rules::memory::evaluate_json;

const M: &str = "yingkou-composite";
/// After 30 June: the 2023 annual report is due.
const T: &str = "2024-07-15";

/// The due annual report and a tax grade A (the case file's `base` set).
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

#[test]
fn indicator_and_veto_reasons_have_their_fields_in_order() {
    let set = set();
    let l = line(&set, M, json!({}), &base(), T);
    assert_eq!(
        keys(reason(&l, "CS1")),
        strs(&["rule", "text", "records", "points", "max_points"])
    );
    let mut recs = base();
    recs.push(entry(
        "sv",
        "serious_violation",
        "2023-01-01",
        None,
        json!({}),
    ));
    let l = line(&set, M, json!({}), &recs, T);
    assert_eq!(keys(reason(&l, "V1")), strs(&["rule", "text", "records"]));
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
