//! `applies_to` of the lists models: over the store (`scoped`), the 人防 lists
//! are kept for 人防 participants and the construction blacklist for
//! construction-market subjects, the enterprise models for every subject but
//! government agencies; the `evaluate` command (unscoped) applies the
//! rules of PRODUCT.md §4 to every subject it is given.

mod common;

use common::*;
use serde_json::{Value, json};
use xinyong_rules::memory::evaluate_json_with;
use xinyong_rules::{EvalOptions, ModelSet};

const T: &str = "2024-06-15";

fn lists(set: &ModelSet, model: &str, subject_extra: Value, recs: &[Value], scoped: bool) -> Value {
    let opts = EvalOptions {
        scoped,
        ..EvalOptions::default()
    };
    let out =
        evaluate_json_with(set, model, &[subject(subject_extra)], recs, day(T), opts).unwrap();
    assert_eq!(out.len(), 1, "{out:?}");
    out[0]["lists"].clone()
}

#[test]
fn renfang_lists_only_for_renfang_participants() {
    let set = set();
    let m = "renfang-lists";
    let fine = penalty("p1", "2024-01-10", 1000.0);
    // RB5 for anyone when unscoped (the contract's `evaluate`).
    assert_eq!(
        lists(&set, m, json!({}), std::slice::from_ref(&fine), false),
        json!(["renfang_blacklist"])
    );
    // Scoped: a food company with a fine is on no 人防 list ...
    assert_eq!(
        lists(
            &set,
            m,
            json!({"industry": "C1469"}),
            std::slice::from_ref(&fine),
            true
        ),
        json!([])
    );
    // ... nor is a clean old enterprise on the red list (RR1).
    assert_eq!(
        lists(&set, m, json!({}), &[], false),
        json!(["renfang_redlist"])
    );
    assert_eq!(lists(&set, m, json!({}), &[], true), json!([]));
    // A 人防 participant by its industry tag.
    let rf = json!({"industry": "renfang"});
    assert_eq!(
        lists(&set, m, rf.clone(), std::slice::from_ref(&fine), true),
        json!(["renfang_blacklist"])
    );
    assert_eq!(lists(&set, m, rf, &[], true), json!(["renfang_redlist"]));
    // ... or by a 人防 record: a penalty of domain renfang, a renfang rating.
    let rf_fine = with(&fine, json!({"domain": "renfang"}));
    assert_eq!(
        lists(&set, m, json!({}), &[rf_fine], true),
        json!(["renfang_blacklist"])
    );
    let rating = |id: &str, year: i64| {
        rec(
            "rating",
            id,
            &format!("{}-03-01", year + 1),
            json!({"scheme": "renfang", "year": year, "grade": "A"}),
        )
    };
    let ratings = [rating("r1", 2021), rating("r2", 2022), rating("r3", 2023)];
    assert_eq!(
        lists(&set, m, json!({"established_on": null}), &ratings, true),
        json!(["renfang_redlist"])
    );
    // A withdrawn 人防 record does not make a participant.
    let withdrawn = with(&fine, json!({"domain": "renfang", "withdrawn": true}));
    assert_eq!(lists(&set, m, json!({}), &[withdrawn], true), json!([]));
}

#[test]
fn construction_blacklist_only_for_construction_subjects() {
    let set = set();
    let m = "construction-blacklist";
    let major = rec(
        "accident",
        "a1",
        "2024-01-10",
        json!({"grade": "major", "domain": "food_safety"}),
    );
    let fine = penalty("p1", "2024-02-10", 50000.0);
    let recs = [major.clone(), fine.clone()];
    assert_eq!(
        lists(&set, m, json!({}), &recs, false),
        json!(["construction_blacklist"])
    );
    // A food company's food-safety accident: not a construction-market subject.
    assert_eq!(
        lists(&set, m, json!({"industry": "C1469"}), &recs, true),
        json!([])
    );
    // Construction by the sector tag, by a GB/T 4754 section-E code, or by a
    // construction record.
    for industry in ["construction", "E4710"] {
        assert_eq!(
            lists(&set, m, json!({"industry": industry}), &recs, true),
            json!(["construction_blacklist"]),
            "{industry}"
        );
    }
    let construction_accident = with(&major, json!({"domain": "construction"}));
    assert_eq!(
        lists(
            &set,
            m,
            json!({}),
            &[construction_accident, fine.clone()],
            true
        ),
        json!(["construction_blacklist"])
    );
    let arrears = rec(
        "judgment",
        "j1",
        "2024-03-01",
        json!({"role": "defendant", "cause": "construction_payment_arrears", "refused_to_perform": true}),
    );
    assert_eq!(
        lists(&set, m, json!({}), std::slice::from_ref(&arrears), true),
        json!(["construction_blacklist"])
    );
    // CB4 never blacklists the creditor.
    let creditor = with(&arrears, json!({"role": "plaintiff"}));
    assert_eq!(
        lists(
            &set,
            m,
            json!({"industry": "construction"}),
            &[creditor],
            false
        ),
        json!([])
    );
}

#[test]
fn gov_integrity_is_kept_for_government_agencies_and_the_enterprise_models_for_the_rest() {
    let set = set();
    // Another subject than the enterprise (a valid code of the tests).
    let agency = subject(json!({"uscc": "91210800MA10ABCD6Q", "type": "government_agency"}));
    let firm = subject(json!({"type": "enterprise"}));
    let lines = |model: &str, scoped: bool| {
        let opts = EvalOptions {
            scoped,
            ..EvalOptions::default()
        };
        evaluate_json_with(
            &set,
            model,
            &[agency.clone(), firm.clone()],
            &[],
            day(T),
            opts,
        )
        .unwrap()
    };
    // Scoped (over the store): the agency is graded, the enterprise has no line.
    let out = lines("gov-integrity", true);
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(out[0]["grade"], json!("A"));
    assert_eq!(out[0]["subject"], agency["uscc"]);
    // Unscoped (the `evaluate` command): every subject given.
    assert_eq!(lines("gov-integrity", false).len(), 2);
    // The enterprise models are kept for every subject but agencies.
    for model in [
        "anhui-class",
        "tianjin-risk",
        "yingkou-composite",
        "xinyidai-eligibility",
    ] {
        let out = lines(model, true);
        assert_eq!(out.len(), 1, "{model}: {out:?}");
        assert_eq!(out[0]["subject"], firm["uscc"], "{model}");
        assert_eq!(lines(model, false).len(), 2, "{model}");
    }
}

#[test]
fn a_model_reading_a_scoped_model_sees_it_absent_outside_the_scope() {
    let text = r#"
id = "reads-gov"
version = "1"
name = "读取政务诚信"
kind = "classification"
source = "test"
uses = ["gov-integrity"]

[[class]]
id = "graded"
label = "有政务诚信等级"
[[class.rule]]
id = "R1"
when = 'gov_integrity.grade != null'
text = '政务诚信等级 {gov_integrity.grade}'
"#;
    let mut set = set();
    set.add("reads.toml", text).unwrap();
    let scoped = EvalOptions {
        scoped: true,
        ..EvalOptions::default()
    };
    let class = |extra| {
        let out =
            evaluate_json_with(&set, "reads-gov", &[subject(extra)], &[], day(T), scoped).unwrap();
        assert_eq!(out.len(), 1, "{out:?}");
        out[0]["class"].clone()
    };
    assert_eq!(class(json!({"type": "government_agency"})), json!("graded"));
    assert_eq!(class(json!({"type": "enterprise"})), json!("unclassified"));
}

#[test]
fn applies_to_is_for_subject_level_models() {
    let builtin = |name: &str| {
        xinyong_rules::BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap()
            .1
            .to_owned()
    };
    let with_scope =
        |text: String| text.replacen("visibility =", "applies_to = 'true'\nvisibility =", 1);
    // A classification model takes it (tianjin-risk has one: replaced) ...
    let mut set = set();
    let text = builtin("tianjin-risk.toml")
        .replacen(
            "applies_to = 'subject.type != \"government_agency\"'",
            "applies_to = 'true'",
            1,
        )
        .replacen("id = \"tianjin-risk\"", "id = \"tianjin-risk-scoped\"", 1);
    assert!(text.contains("applies_to = 'true'"));
    set.add("t.toml", &text).unwrap();
    // ... a record model does not.
    let text = with_scope(builtin("penalty-tier.toml")).replacen(
        "id = \"penalty-tier\"",
        "id = \"penalty-tier-scoped\"",
        1,
    );
    let e = set.add("p.toml", &text).unwrap_err();
    assert!(e.message.contains("subject-level models"), "{e}");
}
