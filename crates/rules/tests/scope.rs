//! `applies_to` of the lists models: over the store (`scoped`), the 人防 lists
//! are kept for 人防 participants and the construction blacklist for
//! construction-market subjects; the `evaluate` command (unscoped) applies the
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
fn applies_to_is_only_for_lists_models() {
    let text = xinyong_rules::BUILTIN
        .iter()
        .find(|(n, _)| *n == "tianjin-risk.toml")
        .unwrap()
        .1
        .replacen("visibility =", "applies_to = 'true'\nvisibility =", 1);
    let mut set = set();
    let e = set.add("t.toml", &text).unwrap_err();
    assert!(e.message.contains("only for lists models"), "{e}");
}
