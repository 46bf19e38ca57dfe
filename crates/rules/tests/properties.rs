//! Properties of the built-in models over generated subjects and records
//! (PRODUCT.md §4):
//!
//! * `yingkou-composite`: adding a counting adverse record never raises the
//!   score, adding an honour never lowers it, and the points of the reasons
//!   add up to the score;
//! * classification and list models: a withdrawn record, or one repaired on
//!   or before T, never counts — the result is the one without it.

mod common;

use common::{S, day, rec, subject};
use proptest::prelude::*;
use serde_json::{Value, json};
use xinyong_core::time;
use xinyong_rules::ModelSet;
use xinyong_rules::memory::evaluate_json;

/// Generated dates lie in [2018-01-01, 2018-01-01 + SPAN days).
const SPAN: i32 = 3000;

fn date(offset: i32) -> String {
    time::from_days_since_epoch(day("2018-01-01") + offset).to_string()
}

fn pick<'a>(bits: u64, shift: u32, items: &[&'a str]) -> &'a str {
    items[((bits >> shift) as usize) % items.len()]
}

fn flag(bits: u64, shift: u32) -> bool {
    (bits >> shift) & 1 == 1
}

fn money(m: u32) -> f64 {
    f64::from(m % 60_000_000) / 100.0
}

/// One record of kind number `k` (0..16) dated `d` (an offset).
fn make(k: u8, d: i32, span: i32, bits: u64, m: u32) -> Value {
    let date_s = date(d);
    let later = date(d + span);
    let year = i64::from(time::parse_date(&date_s).unwrap().year());
    let x = match k {
        0 => {
            let sanctions: &[&[&str]] = &[
                &["fine"],
                &["warning"],
                &["warning", "fine"],
                &["fine", "confiscation"],
                &["suspend_business"],
                &["revoke_license"],
                &["revoke_permit", "fine"],
                &["restrict_qualification"],
                &["criticism"],
            ];
            let mut p = json!({"kind": "penalty", "procedure": pick(bits, 0, &["general", "general", "simple"]),
                "sanctions": sanctions[((bits >> 2) as usize) % sanctions.len()], "fine_cny": money(m)});
            if flag(bits, 8) {
                p["confiscation_cny"] = json!(money(m / 7));
            }
            if flag(bits, 9) {
                p["authority_tier"] =
                    json!(pick(bits, 10, &["general", "serious", "specific_serious"]));
            }
            if flag(bits, 12) {
                p["domain"] = json!(pick(
                    bits,
                    13,
                    &["food_drug", "construction", "renfang", "production_safety"]
                ));
            }
            if flag(bits, 15) {
                p["violation_tags"] = json!([pick(
                    bits,
                    16,
                    &["subcontracting", "lending_qualification", "quality"]
                )]);
            }
            if flag(bits, 18) {
                p["facts"] = json!(pick(bits, 19, &["情节严重", "造成死亡", "无证经营"]));
            }
            if flag(bits, 21) {
                p["restriction_months"] = json!((bits >> 22) % 40);
            }
            if flag(bits, 28) {
                p["basis_bands"] = json!({"general": [0, 50000], "serious": [50000, 200000]});
            }
            if flag(bits, 29) {
                p["non_repairable"] = json!(true);
            }
            p
        }
        1 => {
            let list = pick(
                bits,
                0,
                &[
                    "abnormal_operation",
                    "abnormal_operation",
                    "dishonest_debtor",
                    "dishonest_debtor",
                    "serious_violation",
                    "major_tax_violation",
                    "construction_blacklist",
                    "renfang_blacklist",
                    "other_redlist",
                ],
            );
            let mut e = json!({"kind": "list_entry", "list": list, "listed_on": date_s});
            if list == "abnormal_operation" && !flag(bits, 5) {
                e["reason"] = json!(pick(
                    bits,
                    6,
                    &[
                        "annual_report",
                        "not_disclosed",
                        "false_disclosure",
                        "unreachable"
                    ]
                ));
            }
            if flag(bits, 8) {
                e["removed_on"] = json!(later);
            }
            if flag(bits, 9) && flag(bits, 10) {
                e["person_role"] = json!(pick(
                    bits,
                    11,
                    &[
                        "legal_representative",
                        "director",
                        "supervisor",
                        "senior_manager"
                    ]
                ));
            }
            e
        }
        2 => {
            json!({"kind": "accident", "grade": pick(bits, 0, &["general", "relatively_large", "relatively_large", "major", "especially_major"]),
            "domain": pick(bits, 3, &["production_safety", "food_safety", "construction", "renfang"]),
            "criminal_liability": flag(bits, 5), "egregious": flag(bits, 6)})
        }
        3 => {
            json!({"kind": "bad_conduct", "domain": pick(bits, 0, &["renfang", "renfang", "construction"])})
        }
        4 => {
            json!({"kind": "inspection", "outcome": pick(bits, 0, &["compliant", "issues_found", "refused", "not_found"])})
        }
        5 => {
            json!({"kind": "correction_order", "outcome": pick(bits, 0, &["pending", "corrected", "refused", "overdue"])})
        }
        6 => {
            let mut f = json!({"kind": "false_materials"});
            if flag(bits, 0) {
                f["domain"] = json!("construction");
            }
            f
        }
        7 => {
            let status = pick(bits, 0, &["active", "fulfilled", "breached", "withdrawn"]);
            let mut c = json!({"kind": "commitment", "commitment_kind": pick(bits, 2, &["credit_pledge", "notify_commit", "missing_materials"]), "status": status});
            if status == "breached" && flag(bits, 5) {
                c["breached_on"] = json!(later);
            }
            c
        }
        8 => {
            json!({"kind": "judgment", "role": pick(bits, 0, &["defendant", "defendant", "plaintiff", "third_party"]),
            "cause": pick(bits, 2, &["contract", "construction_payment_arrears"]), "refused_to_perform": flag(bits, 4), "amount_cny": money(m)})
        }
        9 => {
            json!({"kind": "arrears", "arrears_kind": pick(bits, 0, &["tax", "social_insurance", "housing_fund", "water", "power", "gas"]), "amount_cny": money(m)})
        }
        10 => {
            let mut h = json!({"kind": "honor", "title": "荣誉", "level": pick(bits, 0, &["national", "provincial", "municipal", "district"])});
            if flag(bits, 3) {
                h["valid_to"] = json!(later);
            }
            h
        }
        11 => json!({"kind": "annual_report", "year": year - 1, "employees": (bits >> 1) % 3}),
        12 => {
            json!({"kind": "tax_rating", "year": year - 1, "grade": pick(bits, 0, &["A", "B", "M", "C", "D"])})
        }
        13 => {
            json!({"kind": "rating", "scheme": pick(bits, 0, &["renfang", "renfang", "construction"]), "year": year - 1, "grade": pick(bits, 2, &["A", "A", "B"])})
        }
        14 => {
            json!({"kind": "license", "title": "许可证", "valid_to": later, "in_use": flag(bits, 0)})
        }
        _ => json!({"kind": "financing_need", "amount_cny": money(m)}),
    };
    let mut r = rec(x["kind"].as_str().unwrap(), "", &date_s, json!({}));
    for (key, v) in x.as_object().unwrap() {
        r[key] = v.clone();
    }
    r
}

fn arb_record() -> impl Strategy<Value = Value> {
    (0u8..16, 0..SPAN, 0i32..900, any::<u64>(), any::<u32>())
        .prop_map(|(k, d, span, bits, m)| make(k, d, span, bits, m))
}

fn arb_records() -> impl Strategy<Value = Vec<Value>> {
    prop::collection::vec(arb_record(), 0..14).prop_map(|mut v| {
        for (i, r) in v.iter_mut().enumerate() {
            r["id"] = json!(format!("r{i:02}"));
        }
        v
    })
}

fn arb_subject() -> impl Strategy<Value = Value> {
    (0i32..SPAN, any::<u8>()).prop_map(|(est, bits)| {
        let mut s = subject(json!({"established_on": date(est - 2000)}));
        if bits & 1 == 1 {
            s["paid_in_capital_cny"] = json!(0);
        }
        s
    })
}

/// An as-of date in the second half of the generated range.
fn arb_t() -> impl Strategy<Value = i32> {
    (SPAN / 3..SPAN).prop_map(|o| day("2018-01-01") + o)
}

fn eval1(set: &ModelSet, model: &str, s: &Value, recs: &[Value], t: i32) -> Value {
    let out = evaluate_json(set, model, std::slice::from_ref(s), recs, t)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.len(), 1);
    out.into_iter().next().unwrap()
}

fn score(l: &Value) -> f64 {
    l["score"].as_f64().unwrap()
}

/// The date `t` as an offset, for the record generator.
fn offset(t: i32) -> i32 {
    t - day("2018-01-01")
}

/// Record kinds (numbers of `make`) that are adverse for yingkou-composite,
/// with the bits that make them adverse.
fn arb_adverse(t: i32) -> impl Strategy<Value = Value> {
    let kinds = prop_oneof![
        Just((0u8, 0u64)),      // penalty (any)
        Just((2, 0)),           // accident
        Just((3, 0)),           // bad conduct
        Just((6, 0)),           // false materials
        Just((9, 0)),           // arrears
        Just((8, 0b1000_0000)), // judgment: forced to defendant below
        Just((1, 1)),           // list entry: blacklist / abnormal / dishonest debtor below
        Just((5, 2)),           // correction order: refused
        Just((5, 3)),           // correction order: overdue
        Just((4, 1)),           // inspection: issues found
        Just((4, 2)),           // inspection: refused
        Just((7, 2)),           // commitment: breached
    ];
    (kinds, 0..=offset(t), 0i32..900, any::<u64>(), any::<u32>()).prop_map(
        move |((k, fixed), d, span, bits, m)| {
            let bits = match k {
                // Keep the enum-selecting low bits fixed where the kind needs a given code.
                4 | 5 | 7 => (bits & !0b11) | fixed,
                _ => bits,
            };
            let mut r = make(k, d, span, bits, m);
            match k {
                8 => r["role"] = json!("defendant"),
                1 => {
                    let list = [
                        "abnormal_operation",
                        "dishonest_debtor",
                        "serious_violation",
                        "major_tax_violation",
                        "other_blacklist",
                    ][(bits % 5) as usize];
                    r["list"] = json!(list);
                    if list != "abnormal_operation" {
                        r.as_object_mut().unwrap().remove("reason");
                    }
                }
                _ => {}
            }
            if k == 7 {
                // A breach known at T.
                r.as_object_mut().unwrap().remove("breached_on");
            }
            r["id"] = json!("added");
            r
        },
    )
}

fn arb_honor(t: i32) -> impl Strategy<Value = Value> {
    (0..=offset(t), 0i32..900, any::<u64>()).prop_map(|(d, span, bits)| {
        let mut r = make(10, d, span, bits, 0);
        r["id"] = json!("added");
        r
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    #[test]
    fn yingkou_points_add_up_to_the_score(s in arb_subject(), recs in arb_records(), t in arb_t()) {
        let set = ModelSet::builtin().unwrap();
        let l = eval1(&set, "yingkou-composite", &s, &recs, t);
        let reasons = l["reasons"].as_array().unwrap();
        let total: f64 = reasons.iter().filter_map(|r| r["points"].as_f64()).sum();
        prop_assert_eq!(total, score(&l));
        // Every indicator is listed, within its maximum.
        let indicators: Vec<&Value> = reasons.iter().filter(|r| r.get("points").is_some()).collect();
        prop_assert_eq!(indicators.len(), 12);
        for r in indicators {
            let p = r["points"].as_f64().unwrap();
            prop_assert!(p >= 0.0 && p <= r["max_points"].as_f64().unwrap(), "{}", r);
        }
        let g = l["grade"].as_str().unwrap();
        let band = match score(&l) { x if x >= 850.0 => "A", x if x >= 700.0 => "B", x if x >= 550.0 => "C", _ => "D" };
        // Vetoes only lower the grade.
        prop_assert!(g >= band, "{} {}", g, band);
    }

    #[test]
    fn yingkou_adverse_record_never_raises_the_score(
        s in arb_subject(),
        recs in arb_records(),
        (t, added) in arb_t().prop_flat_map(|t| (Just(t), arb_adverse(t))),
    ) {
        let set = ModelSet::builtin().unwrap();
        let before = eval1(&set, "yingkou-composite", &s, &recs, t);
        let mut more = recs.clone();
        more.push(added.clone());
        let after = eval1(&set, "yingkou-composite", &s, &more, t);
        prop_assert!(score(&after) <= score(&before), "{} raised {} to {}", added, score(&before), score(&after));
        // …nor improves the grade.
        prop_assert!(after["grade"].as_str().unwrap() >= before["grade"].as_str().unwrap(), "{}", added);
    }

    #[test]
    fn yingkou_honor_never_lowers_the_score(
        s in arb_subject(),
        recs in arb_records(),
        (t, added) in arb_t().prop_flat_map(|t| (Just(t), arb_honor(t))),
    ) {
        let set = ModelSet::builtin().unwrap();
        let before = eval1(&set, "yingkou-composite", &s, &recs, t);
        let mut more = recs.clone();
        more.push(added.clone());
        let after = eval1(&set, "yingkou-composite", &s, &more, t);
        prop_assert!(score(&after) >= score(&before), "{} lowered {} to {}", added, score(&before), score(&after));
        prop_assert!(after["grade"].as_str().unwrap() <= before["grade"].as_str().unwrap(), "{}", added);
    }

    #[test]
    fn withdrawn_or_repaired_records_never_count(
        s in arb_subject(),
        recs in arb_records(),
        (t, added, how, rep) in arb_t().prop_flat_map(|t| (Just(t), (0..=offset(t), 0i32..900, any::<u64>(), any::<u32>(), 0u8..16)
            .prop_map(|(d, span, bits, m, k)| make(k, d, span, bits, m)), any::<bool>(), 0.0f64..=1.0)),
    ) {
        let set = ModelSet::builtin().unwrap();
        let mut x = added;
        x["id"] = json!("added");
        if how {
            x["withdrawn"] = json!(true);
        } else {
            // repaired_on in [date, T].
            let d = day(x["date"].as_str().unwrap());
            let r = d + ((f64::from(t - d)) * rep).floor() as i32;
            x["repaired_on"] = json!(time::from_days_since_epoch(r).to_string());
        }
        let mut more = recs.clone();
        more.push(x.clone());
        for model in ["anhui-class", "tianjin-risk", "renfang-lists", "construction-blacklist"] {
            let before = eval1(&set, model, &s, &recs, t);
            let after = eval1(&set, model, &s, &more, t);
            prop_assert_eq!(&before["class"], &after["class"], "{} {}", model, x);
            prop_assert_eq!(&before["lists"], &after["lists"], "{} {}", model, x);
            prop_assert_eq!(rule_ids(&before, "reasons"), rule_ids(&after, "reasons"), "{} {}", model, x);
            prop_assert_eq!(rule_ids(&before, "blocked_by"), rule_ids(&after, "blocked_by"), "{} {}", model, x);
            for part in ["reasons", "blocked_by"] {
                for r in after[part].as_array().into_iter().flatten() {
                    prop_assert!(!r["records"].as_array().unwrap().contains(&json!("added")), "{} cites {}: {}", model, x, r);
                }
            }
        }
    }
}

fn rule_ids(l: &Value, part: &str) -> Vec<String> {
    l[part]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| r["rule"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_generator_makes_valid_records_of_every_kind() {
    // Every kind, with every bit pattern of interest, passes validation.
    let set = ModelSet::builtin().unwrap();
    let mut recs = Vec::new();
    for k in 0..16u8 {
        for bits in [
            0u64,
            u64::MAX,
            0x5555_5555_5555_5555,
            0xAAAA_AAAA_AAAA_AAAA,
            0x1234_5678_9abc_def0,
        ] {
            let mut r = make(k, 100, 30, bits, 123_456_789);
            r["id"] = json!(format!("k{k}-{bits:x}"));
            recs.push(r);
        }
    }
    let out = evaluate_json(
        &set,
        "anhui-class",
        &[subject(json!({}))],
        &recs,
        day("2024-01-01"),
    )
    .unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0]["subject"], S);
}
