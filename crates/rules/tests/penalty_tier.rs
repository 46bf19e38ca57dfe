//! `penalty-tier` (PRODUCT.md §4): rules P1–P7, display windows, the regime
//! switch of 2026-04-01, visibility and the record-level output lines.

mod common;

use common::*;
use serde_json::{Value, json};
use xinyong_rules::ModelSet;

const M: &str = "penalty-tier";

/// The single output line of penalty `p` as of `t`.
fn tier_line(set: &ModelSet, p: &Value, t: &str) -> Value {
    let out = lines(set, M, &[subject(json!({}))], std::slice::from_ref(p), t);
    assert_eq!(out.len(), 1, "{out:?}");
    out.into_iter().next().unwrap()
}

/// (tier, display_until, repairable_from, visible, rule id)
fn summary(l: &Value) -> (String, String, Value, bool, String) {
    (
        l["tier"].as_str().unwrap().to_owned(),
        l["display_until"].as_str().unwrap().to_owned(),
        l["repairable_from"].clone(),
        l["visible"].as_bool().unwrap(),
        rules(l).join(","),
    )
}

fn tier_of(set: &ModelSet, p: &Value) -> (String, String) {
    let l = tier_line(set, p, "2024-06-15");
    (l["tier"].as_str().unwrap().to_owned(), rules(&l).join(","))
}

fn banded(id: &str, fine: f64, general: [f64; 2], serious: [f64; 2]) -> Value {
    penalty_with(
        id,
        "2024-03-01",
        &["fine"],
        json!({"fine_cny": fine, "basis_bands": {"general": general, "serious": serious}}),
    )
}

#[test]
fn output_line_has_the_contract_fields_in_order() {
    let set = set();
    let l = tier_line(&set, &penalty("p1", "2021-01-15", 3000.0), "2021-06-01");
    assert_eq!(
        keys(&l),
        strs(&[
            "record",
            "subject",
            "model",
            "model_version",
            "as_of",
            "tier",
            "display_until",
            "repairable_from",
            "visible",
            "reasons"
        ])
    );
    assert_eq!(
        l,
        json!({"record": "p1", "subject": S, "model": "penalty-tier", "model_version": "2026.1", "as_of": "2021-06-01",
               "tier": "general", "display_until": "2022-01-15", "repairable_from": "2021-04-16", "visible": true,
               "reasons": [{"rule": "P7", "text": "无严重情形，按一般失信信息处理", "records": ["p1"]}]})
    );
}

#[test]
fn p1_non_repairable_is_specific_serious_before_everything_else() {
    let set = set();
    // Even an authority's own "general" and a warning-only sanction do not beat P1.
    let p = penalty_with(
        "p",
        "2021-01-15",
        &["warning"],
        json!({"non_repairable": true, "authority_tier": "general"}),
    );
    let l = tier_line(&set, &p, "2021-06-01");
    assert_eq!(
        summary(&l),
        (
            "specific_serious".into(),
            "2024-01-15".into(),
            Value::Null,
            true,
            "P1".into()
        )
    );
    assert_eq!(
        reason(&l, "P1")["text"],
        "法律、法规、规章规定不得修复，认定为特定严重失信信息，公示期满前不予修复"
    );
    // non_repairable = false is not P1.
    let p = penalty_with(
        "p",
        "2021-01-15",
        &["fine"],
        json!({"non_repairable": false}),
    );
    assert_eq!(tier_of(&set, &p), ("general".into(), "P7".into()));
}

#[test]
fn p2_authority_tier_wins_over_p3_to_p7() {
    let set = set();
    for tier in ["general", "serious", "specific_serious"] {
        let p = penalty_with(
            "p",
            "2021-01-15",
            &["warning"],
            json!({"authority_tier": tier, "facts": "造成死亡"}),
        );
        assert_eq!(tier_of(&set, &p), (tier.into(), "P2".into()), "{tier}");
    }
    let l = tier_line(
        &set,
        &penalty_with(
            "p",
            "2021-01-15",
            &["fine"],
            json!({"authority_tier": "serious"}),
        ),
        "2021-06-01",
    );
    assert_eq!(reason(&l, "P2")["text"], "处罚机关认定为严重失信信息");
    // specific_serious by the authority: no repair date.
    let l = tier_line(
        &set,
        &penalty_with(
            "p",
            "2021-01-15",
            &["fine"],
            json!({"authority_tier": "specific_serious"}),
        ),
        "2021-06-01",
    );
    assert_eq!(l["repairable_from"], Value::Null);
}

#[test]
fn p3_warning_only_is_general_even_with_serious_words() {
    let set = set();
    let p = penalty_with(
        "p",
        "2021-01-15",
        &["warning"],
        json!({"facts": "情节严重", "basis": "造成死亡"}),
    );
    assert_eq!(tier_of(&set, &p), ("general".into(), "P3".into()));
    // A warning together with a fine is not "only warning": P5 applies.
    let p = penalty_with(
        "p",
        "2021-01-15",
        &["warning", "fine"],
        json!({"facts": "情节严重", "fine_cny": 100}),
    );
    assert_eq!(tier_of(&set, &p), ("serious".into(), "P5".into()));
    // A warning in a specific-serious domain stays general (P3 before P4).
    let p = penalty_with(
        "p",
        "2021-01-15",
        &["warning"],
        json!({"domain": "food_drug"}),
    );
    assert_eq!(tier_of(&set, &p), ("general".into(), "P3".into()));
}

#[test]
fn p4_severe_sanction_in_a_catalogued_domain() {
    let set = set();
    for s in ["suspend_business", "revoke_permit", "revoke_license"] {
        let p = penalty_with(
            "p",
            "2021-01-15",
            &["fine", s],
            json!({"domain": "food_drug", "fine_cny": 1000}),
        );
        assert_eq!(
            tier_of(&set, &p),
            ("specific_serious".into(), "P4".into()),
            "{s}"
        );
    }
    for d in [
        "environment",
        "construction",
        "production_safety",
        "fire_safety",
        "compulsory_certification",
    ] {
        let p = penalty_with("p", "2021-01-15", &["revoke_license"], json!({"domain": d}));
        assert_eq!(tier_of(&set, &p).0, "specific_serious", "{d}");
    }
    // Outside the catalogue, or without a domain: not P4.
    let p = penalty_with(
        "p",
        "2021-01-15",
        &["revoke_license"],
        json!({"domain": "renfang"}),
    );
    assert_eq!(tier_of(&set, &p), ("general".into(), "P7".into()));
    let p = penalty_with("p", "2021-01-15", &["revoke_license"], json!({}));
    assert_eq!(tier_of(&set, &p), ("general".into(), "P7".into()));
    // A catalogued domain without a severe sanction: not P4.
    let p = penalty_with(
        "p",
        "2021-01-15",
        &["fine", "restrict_qualification"],
        json!({"domain": "food_drug"}),
    );
    assert_eq!(tier_of(&set, &p), ("general".into(), "P7".into()));
    let l = tier_line(
        &set,
        &penalty_with(
            "p",
            "2021-01-15",
            &["revoke_license"],
            json!({"domain": "food_drug"}),
        ),
        "2021-06-01",
    );
    assert_eq!(
        reason(&l, "P4")["text"],
        "在特定严重失信领域（食品药品）被责令停产停业、吊销许可证或吊销执照，认定为特定严重失信信息"
    );
    assert_eq!(l["repairable_from"], Value::Null);
    assert_eq!(l["display_until"], "2024-01-15");
}

#[test]
fn p5_keywords_in_facts_or_basis() {
    let set = set();
    for k in [
        "死亡",
        "损害人体健康",
        "扰乱破坏市场秩序",
        "国防相关",
        "情节严重",
    ] {
        let p = penalty_with(
            "p",
            "2021-01-15",
            &["fine"],
            json!({"facts": format!("经查，当事人{k}。")}),
        );
        assert_eq!(
            tier_of(&set, &p),
            ("serious".into(), "P5".into()),
            "facts {k}"
        );
        let p = penalty_with(
            "p",
            "2021-01-15",
            &["fine"],
            json!({"basis": format!("依据第十条（{k}）")}),
        );
        assert_eq!(
            tier_of(&set, &p),
            ("serious".into(), "P5".into()),
            "basis {k}"
        );
    }
    // A near miss is not a keyword.
    let p = penalty_with(
        "p",
        "2021-01-15",
        &["fine"],
        json!({"facts": "情节较重", "basis": "扰乱市场秩序"}),
    );
    assert_eq!(tier_of(&set, &p), ("general".into(), "P7".into()));
    // P5 comes before P6.
    let p = with(
        &banded("p", 30000.0, [10000.0, 50000.0], [50000.0, 100000.0]),
        json!({"facts": "情节严重"}),
    );
    assert_eq!(tier_of(&set, &p), ("serious".into(), "P5".into()));
}

#[test]
fn p6_fine_bands_with_inclusive_ends() {
    let set = set();
    let g = [10000.0, 50000.0];
    let s = [50000.0, 100000.0];
    let cases: &[(f64, &str)] = &[
        (9999.99, "manual_review"), // in neither band
        (10000.0, "general"),
        (30000.0, "general"),
        (49999.99, "general"),
        (50000.0, "manual_review"), // in both (以上/以下 include the number)
        (50000.01, "serious"),
        (80000.0, "serious"),
        (100000.0, "serious"),
        (100000.01, "manual_review"),
    ];
    for (fine, want) in cases {
        assert_eq!(
            tier_of(&set, &banded("p", *fine, g, s)),
            (want.to_string(), "P6".into()),
            "fine {fine}"
        );
    }
    // The second schedule of the source: 100,000 general, 300,000 serious, 200,000 both.
    let g = [50000.0, 200000.0];
    let s = [200000.0, 500000.0];
    assert_eq!(tier_of(&set, &banded("p", 100000.0, g, s)).0, "general");
    assert_eq!(tier_of(&set, &banded("p", 300000.0, g, s)).0, "serious");
    assert_eq!(
        tier_of(&set, &banded("p", 200000.0, g, s)).0,
        "manual_review"
    );
    // Only one band given.
    let only = |fine: f64, band: &str| {
        penalty_with(
            "p",
            "2024-03-01",
            &["fine"],
            json!({"fine_cny": fine, "basis_bands": {band: [10000, 50000]}}),
        )
    };
    assert_eq!(tier_of(&set, &only(20000.0, "general")).0, "general");
    assert_eq!(tier_of(&set, &only(60000.0, "general")).0, "manual_review");
    assert_eq!(tier_of(&set, &only(20000.0, "serious")).0, "serious");
    assert_eq!(tier_of(&set, &only(5000.0, "serious")).0, "manual_review");
    // Without a fine the bands cannot decide.
    let p = penalty_with(
        "p",
        "2024-03-01",
        &["confiscation"],
        json!({"basis_bands": {"general": g, "serious": s}}),
    );
    assert_eq!(tier_of(&set, &p), ("manual_review".into(), "P6".into()));
    let l = tier_line(
        &set,
        &banded("p", 30000.0, [10000.0, 50000.0], [50000.0, 100000.0]),
        "2024-06-15",
    );
    assert_eq!(
        reason(&l, "P6")["text"],
        "罚款 30000 元，对照裁量幅度（情节一般 10000至50000，情节严重 50000至100000）认定为一般失信信息"
    );
}

#[test]
fn p6_one_band_inclusive_ends() {
    let set = set();
    let only = |fine: f64, band: &str| {
        penalty_with(
            "p",
            "2024-03-01",
            &["fine"],
            json!({"fine_cny": fine, "basis_bands": {band: [10000, 50000]}}),
        )
    };
    for (band, inside) in [("general", "general"), ("serious", "serious")] {
        for (fine, want) in [
            (9999.99, "manual_review"),
            (10000.0, inside),
            (50000.0, inside),
            (50000.01, "manual_review"),
        ] {
            assert_eq!(
                tier_of(&set, &only(fine, band)),
                (want.to_string(), "P6".into()),
                "{band} {fine}"
            );
        }
    }
    // The tier decides the display: serious at the band's end, general just outside it.
    let l = tier_line(&set, &only(50000.0, "serious"), "2024-06-15");
    assert_eq!(
        summary(&l),
        (
            "serious".into(),
            "2027-03-01".into(),
            json!("2024-09-02"),
            true,
            "P6".into()
        )
    );
    let l = tier_line(&set, &only(50000.01, "serious"), "2024-06-15");
    assert_eq!(
        summary(&l),
        (
            "manual_review".into(),
            "2025-03-01".into(),
            json!("2024-06-02"),
            true,
            "P6".into()
        )
    );
}

#[test]
fn p6_manual_review_is_displayed_with_the_general_periods() {
    let set = set();
    let p = with(
        &banded("p", 50000.0, [10000.0, 50000.0], [50000.0, 100000.0]),
        json!({"date": "2021-01-15"}),
    );
    let l = tier_line(&set, &p, "2021-06-01");
    assert_eq!(
        summary(&l),
        (
            "manual_review".into(),
            "2022-01-15".into(),
            json!("2021-04-16"),
            true,
            "P6".into()
        )
    );
    assert_eq!(
        reason(&l, "P6")["text"],
        "罚款 50000 元，对照裁量幅度（情节一般 10000至50000，情节严重 50000至100000）认定为待原处罚机关认定（暂按一般失信信息公示）"
    );
}

#[test]
fn p7_otherwise_general() {
    let set = set();
    let p = penalty_with(
        "p",
        "2021-01-15",
        &["fine", "confiscation"],
        json!({"fine_cny": 1, "confiscation_cny": 2, "facts": "无证经营"}),
    );
    assert_eq!(tier_of(&set, &p), ("general".into(), "P7".into()));
}

#[test]
fn display_windows_per_tier() {
    let set = set();
    // general: 3 months / 1 year; display_until is the last day shown.
    let l = tier_line(&set, &penalty("p", "2021-01-15", 1.0), "2021-01-15");
    assert_eq!(
        summary(&l),
        (
            "general".into(),
            "2022-01-15".into(),
            json!("2021-04-16"),
            true,
            "P7".into()
        )
    );
    // serious: 6 months / 3 years.
    let p = penalty_with(
        "p",
        "2021-01-15",
        &["fine"],
        json!({"authority_tier": "serious"}),
    );
    let l = tier_line(&set, &p, "2021-01-15");
    assert_eq!(
        summary(&l),
        (
            "serious".into(),
            "2024-01-15".into(),
            json!("2021-07-16"),
            true,
            "P2".into()
        )
    );
    // specific_serious: 3 years / 3 years, no repair.
    let p = penalty_with(
        "p",
        "2021-01-15",
        &["fine"],
        json!({"non_repairable": true}),
    );
    let l = tier_line(&set, &p, "2021-01-15");
    assert_eq!(
        summary(&l),
        (
            "specific_serious".into(),
            "2024-01-15".into(),
            Value::Null,
            true,
            "P1".into()
        )
    );
}

#[test]
fn display_windows_at_month_ends_and_leap_days() {
    let set = set();
    // 2020-11-30 + 3 months = 2021-02-28, so repair from 2021-03-01.
    let l = tier_line(&set, &penalty("p", "2020-11-30", 1.0), "2021-01-01");
    assert_eq!(l["display_until"], "2021-11-30");
    assert_eq!(l["repairable_from"], "2021-03-01");
    // 2020-02-29 + 1 year = 2021-02-28.
    let l = tier_line(&set, &penalty("p", "2020-02-29", 1.0), "2020-03-01");
    assert_eq!(l["display_until"], "2021-02-28");
    assert_eq!(l["repairable_from"], "2020-05-30");
    // Serious on 2024-02-29: 6 months → 2024-08-29; 3 years → 2027-02-28.
    let p = penalty_with(
        "p",
        "2024-02-29",
        &["fine"],
        json!({"authority_tier": "serious"}),
    );
    let l = tier_line(&set, &p, "2024-03-01");
    assert_eq!(l["display_until"], "2027-02-28");
    assert_eq!(l["repairable_from"], "2024-08-30");
    // 2021-08-31 + 6 months = 2022-02-28.
    let p = penalty_with(
        "p",
        "2021-08-31",
        &["fine"],
        json!({"authority_tier": "serious"}),
    );
    let l = tier_line(&set, &p, "2021-09-01");
    assert_eq!(l["repairable_from"], "2022-03-01");
    assert_eq!(l["display_until"], "2024-08-31");
}

#[test]
fn specific_serious_decided_on_a_leap_day() {
    let set = set();
    // add(2020-02-29, 3 years) = 2023-02-28: the last day shown; no repair.
    for (p, rule) in [
        (
            penalty_with(
                "p",
                "2020-02-29",
                &["fine"],
                json!({"non_repairable": true}),
            ),
            "P1",
        ),
        (
            penalty_with(
                "p",
                "2020-02-29",
                &["revoke_license"],
                json!({"domain": "food_drug"}),
            ),
            "P4",
        ),
    ] {
        let l = tier_line(&set, &p, "2020-03-01");
        assert_eq!(
            summary(&l),
            (
                "specific_serious".into(),
                "2023-02-28".into(),
                Value::Null,
                true,
                rule.into()
            ),
            "{rule}"
        );
        assert_eq!(tier_line(&set, &p, "2023-02-28")["visible"], true, "{rule}");
        assert_eq!(
            tier_line(&set, &p, "2023-03-01")["visible"],
            false,
            "{rule}"
        );
        // A restriction of 37 months lengthens it to add(2020-02-29, 37 months) = 2023-03-29.
        let l = tier_line(
            &set,
            &with(&p, json!({"restriction_months": 37})),
            "2020-03-01",
        );
        assert_eq!(l["display_until"], "2023-03-29", "{rule}");
        assert_eq!(l["repairable_from"], Value::Null, "{rule}");
    }
}

#[test]
fn restriction_months_lengthen_min_and_max() {
    let set = set();
    let general = |months: Option<i64>| {
        let mut p = penalty("p", "2021-01-15", 1.0);
        if let Some(m) = months {
            p["restriction_months"] = json!(m);
        }
        let l = tier_line(&set, &p, "2021-02-01");
        (
            l["repairable_from"].as_str().unwrap().to_owned(),
            l["display_until"].as_str().unwrap().to_owned(),
        )
    };
    // Shorter than or equal to the minimum: no change.
    assert_eq!(general(None), ("2021-04-16".into(), "2022-01-15".into()));
    assert_eq!(general(Some(2)), ("2021-04-16".into(), "2022-01-15".into()));
    assert_eq!(general(Some(3)), ("2021-04-16".into(), "2022-01-15".into()));
    // Longer than the minimum: the minimum is that long.
    assert_eq!(general(Some(4)), ("2021-05-16".into(), "2022-01-15".into()));
    assert_eq!(
        general(Some(12)),
        ("2022-01-16".into(), "2022-01-15".into())
    );
    // Longer than the maximum: the maximum is at least as long.
    assert_eq!(
        general(Some(13)),
        ("2022-02-16".into(), "2022-02-15".into())
    );
    assert_eq!(
        general(Some(18)),
        ("2022-07-16".into(), "2022-07-15".into())
    );
    // Serious with a 12-month qualification suspension: minimum 12 months.
    let p = penalty_with(
        "p",
        "2021-01-15",
        &["restrict_qualification"],
        json!({"authority_tier": "serious", "restriction_months": 12}),
    );
    let l = tier_line(&set, &p, "2021-02-01");
    assert_eq!(l["repairable_from"], "2022-01-16");
    assert_eq!(l["display_until"], "2024-01-15");
    // specific_serious with a longer restriction: displayed longer, still no repair.
    let p = penalty_with(
        "p",
        "2021-01-15",
        &["fine"],
        json!({"non_repairable": true, "restriction_months": 48}),
    );
    let l = tier_line(&set, &p, "2021-02-01");
    assert_eq!(l["display_until"], "2025-01-15");
    assert_eq!(l["repairable_from"], Value::Null);
}

#[test]
fn serious_restriction_months_at_the_minimum_under_each_regime() {
    let set = set();
    let serious = |date: &str, months: Option<i64>| {
        let mut p = penalty_with(
            "p",
            date,
            &["restrict_qualification"],
            json!({"authority_tier": "serious"}),
        );
        if let Some(m) = months {
            p["restriction_months"] = json!(m);
        }
        let l = tier_line(&set, &p, "2026-04-01");
        assert_eq!(l["tier"], "serious");
        assert_eq!(rules(&l), strs(&["P2"]));
        (
            l["repairable_from"].as_str().unwrap().to_owned(),
            l["display_until"].as_str().unwrap().to_owned(),
        )
    };
    // 527 regime (decided before 2026-04-01): minimum 6 months. 6 is not longer
    // than the minimum; 7 is. add(2025-08-31, 6 months) = 2026-02-28,
    // add(2025-08-31, 7 months) = 2026-03-31.
    let d = "2025-08-31";
    assert_eq!(serious(d, None), ("2026-03-01".into(), "2028-08-31".into()));
    assert_eq!(
        serious(d, Some(6)),
        ("2026-03-01".into(), "2028-08-31".into())
    );
    assert_eq!(
        serious(d, Some(7)),
        ("2026-04-01".into(), "2028-08-31".into())
    );
    // The last day of the 527 regime.
    let d = "2026-03-31";
    assert_eq!(
        serious(d, Some(6)),
        ("2026-10-01".into(), "2029-03-31".into())
    );
    assert_eq!(
        serious(d, Some(7)),
        ("2026-11-01".into(), "2029-03-31".into())
    );
    // 2026 regime (decided from 2026-04-01): minimum 12 months. 12 is not
    // longer; 13 is.
    let d = "2026-04-01";
    assert_eq!(serious(d, None), ("2027-04-02".into(), "2029-04-01".into()));
    assert_eq!(
        serious(d, Some(6)),
        ("2027-04-02".into(), "2029-04-01".into())
    );
    assert_eq!(
        serious(d, Some(12)),
        ("2027-04-02".into(), "2029-04-01".into())
    );
    assert_eq!(
        serious(d, Some(13)),
        ("2027-05-02".into(), "2029-04-01".into())
    );
    // The maximum of 36 months: 36 leaves it, 37 lengthens it.
    assert_eq!(
        serious(d, Some(36)),
        ("2029-04-02".into(), "2029-04-01".into())
    );
    assert_eq!(
        serious(d, Some(37)),
        ("2029-05-02".into(), "2029-05-01".into())
    );
}

#[test]
fn manual_review_with_restriction_months() {
    let set = set();
    // 50000 is in both bands: manual_review, displayed with the general periods
    // (3 months / 1 year), which a restriction lengthens like any other tier.
    let p = |months: i64| {
        let p = with(
            &banded("p", 50000.0, [10000.0, 50000.0], [50000.0, 100000.0]),
            json!({"date": "2021-01-15", "restriction_months": months}),
        );
        let l = tier_line(&set, &p, "2021-02-01");
        assert_eq!(l["tier"], "manual_review", "{months}");
        assert_eq!(rules(&l), strs(&["P6"]), "{months}");
        (
            l["repairable_from"].as_str().unwrap().to_owned(),
            l["display_until"].as_str().unwrap().to_owned(),
        )
    };
    assert_eq!(p(3), ("2021-04-16".into(), "2022-01-15".into()));
    assert_eq!(p(4), ("2021-05-16".into(), "2022-01-15".into()));
    assert_eq!(p(12), ("2022-01-16".into(), "2022-01-15".into()));
    assert_eq!(p(13), ("2022-02-16".into(), "2022-02-15".into()));
    // Visible until the lengthened display_until, not the day after.
    let long = with(
        &banded("p", 50000.0, [10000.0, 50000.0], [50000.0, 100000.0]),
        json!({"date": "2021-01-15", "restriction_months": 13}),
    );
    assert_eq!(tier_line(&set, &long, "2022-02-15")["visible"], true);
    assert_eq!(tier_line(&set, &long, "2022-02-16")["visible"], false);
    // Under the 2026 regime the general periods are unchanged.
    let p = with(
        &banded("p", 50000.0, [10000.0, 50000.0], [50000.0, 100000.0]),
        json!({"date": "2026-04-01", "restriction_months": 6}),
    );
    let l = tier_line(&set, &p, "2026-04-01");
    assert_eq!(
        summary(&l),
        (
            "manual_review".into(),
            "2027-04-01".into(),
            json!("2026-10-02"),
            true,
            "P6".into()
        )
    );
}

#[test]
fn regime_switch_on_2026_04_01() {
    let set = set();
    let serious =
        |date: &str| penalty_with("p", date, &["fine"], json!({"authority_tier": "serious"}));
    // Decided 2026-03-31: 527 regime, 6 months minimum.
    let l = tier_line(&set, &serious("2026-03-31"), "2026-04-01");
    assert_eq!(
        summary(&l),
        (
            "serious".into(),
            "2029-03-31".into(),
            json!("2026-10-01"),
            true,
            "P2".into()
        )
    );
    // Decided 2026-04-01: 信用修复管理办法, 1 year minimum.
    let l = tier_line(&set, &serious("2026-04-01"), "2026-04-01");
    assert_eq!(
        summary(&l),
        (
            "serious".into(),
            "2029-04-01".into(),
            json!("2027-04-02"),
            true,
            "P2".into()
        )
    );
    // The regime follows the decision date, not T.
    let l = tier_line(&set, &serious("2025-01-10"), "2027-01-01");
    assert_eq!(l["repairable_from"], "2025-07-11");
    // General penalties keep 3 months / 1 year across the switch.
    let l = tier_line(&set, &penalty("p", "2026-04-01", 1.0), "2026-04-01");
    assert_eq!(
        (l["repairable_from"].clone(), l["display_until"].clone()),
        (json!("2026-07-02"), json!("2027-04-01"))
    );
    // A restriction longer than the new minimum still lengthens it.
    let p = with(&serious("2026-04-01"), json!({"restriction_months": 14}));
    let l = tier_line(&set, &p, "2026-04-01");
    assert_eq!(l["repairable_from"], "2027-06-02");
    let p = with(&serious("2026-04-01"), json!({"restriction_months": 8}));
    assert_eq!(
        tier_line(&set, &p, "2026-04-01")["repairable_from"],
        "2027-04-02"
    );
}

#[test]
fn visible_from_the_decision_date_to_display_until_inclusive() {
    let set = set();
    let p = penalty("p", "2021-01-15", 1.0);
    assert_eq!(tier_line(&set, &p, "2021-01-15")["visible"], true);
    assert_eq!(tier_line(&set, &p, "2022-01-15")["visible"], true);
    assert_eq!(tier_line(&set, &p, "2022-01-16")["visible"], false);
    // Before the decision date the penalty has no line at all.
    assert!(
        lines(
            &set,
            M,
            &[subject(json!({}))],
            std::slice::from_ref(&p),
            "2021-01-14"
        )
        .is_empty()
    );
    // A serious penalty decided on a leap day is shown until 2027-02-28.
    let p = penalty_with(
        "p",
        "2024-02-29",
        &["fine"],
        json!({"authority_tier": "serious"}),
    );
    assert_eq!(tier_line(&set, &p, "2027-02-28")["visible"], true);
    assert_eq!(tier_line(&set, &p, "2027-03-01")["visible"], false);
}

#[test]
fn withdrawn_and_repaired_penalties_are_not_visible() {
    let set = set();
    let p = penalty("p", "2021-01-15", 1.0);
    let withdrawn = with(&p, json!({"withdrawn": true}));
    let l = tier_line(&set, &withdrawn, "2021-06-01");
    assert_eq!(
        summary(&l),
        (
            "general".into(),
            "2022-01-15".into(),
            json!("2021-04-16"),
            false,
            "P7".into()
        )
    );
    assert_eq!(
        tier_line(&set, &with(&p, json!({"withdrawn": false})), "2021-06-01")["visible"],
        true
    );
    let repaired = with(&p, json!({"repaired_on": "2021-06-01"}));
    assert_eq!(tier_line(&set, &repaired, "2021-05-31")["visible"], true);
    assert_eq!(tier_line(&set, &repaired, "2021-06-01")["visible"], false);
    assert_eq!(tier_line(&set, &repaired, "2021-06-02")["visible"], false);
    // A specific-serious penalty that is withdrawn.
    let p = penalty_with(
        "p",
        "2021-01-15",
        &["fine"],
        json!({"non_repairable": true, "withdrawn": true}),
    );
    let l = tier_line(&set, &p, "2021-06-01");
    assert_eq!(
        summary(&l),
        (
            "specific_serious".into(),
            "2024-01-15".into(),
            Value::Null,
            false,
            "P1".into()
        )
    );
}

#[test]
fn lines_are_sorted_by_subject_then_record_id_and_cover_every_subject() {
    let set = set();
    const OTHER: &str = "91110000MA01DQ5D8Q";
    let recs = vec![
        penalty("p2", "2021-01-15", 1.0),
        penalty("p10", "2021-02-15", 1.0),
        with(&penalty("a1", "2021-03-15", 1.0), json!({"subject": OTHER})),
        penalty("p1", "2021-03-15", 1.0),
        penalty("later", "2021-07-01", 1.0),
        rec(
            "license",
            "l1",
            "2021-01-01",
            json!({"title": "食品经营许可证"}),
        ),
    ];
    // Records of a subject missing from the subject file still get lines.
    let out = lines(&set, M, &[subject(json!({}))], &recs, "2021-06-01");
    let got: Vec<(String, String)> = out
        .iter()
        .map(|l| {
            (
                l["subject"].as_str().unwrap().to_owned(),
                l["record"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = [(OTHER, "a1"), (S, "p1"), (S, "p10"), (S, "p2")]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(got, want);
}
