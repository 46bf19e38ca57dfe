//! A newly installed version of a model that others use: from the day it is in
//! force, the models that use it read its results (tianjin-risk counts a
//! penalty while the `penalty-tier` version in force shows it).

mod common;

use common::*;
use serde_json::json;
use xinyong_rules::ModelSet;
use xinyong_rules::memory::evaluate_json;

/// penalty-tier with general penalties shown for two years instead of one,
/// in force from 2026-06-01.
fn with_longer_general_display() -> ModelSet {
    let v1 = xinyong_rules::BUILTIN
        .iter()
        .find(|(name, _)| *name == "penalty-tier.toml")
        .unwrap()
        .1;
    let v2 = v1
        .replace("version = \"2026.1\"", "version = \"2026.2\"")
        .replace("valid_from = 2019-07-01", "valid_from = 2026-06-01")
        .replace(
            "general = { min_months = 3, max_months = 12 }",
            "general = { min_months = 3, max_months = 24 }",
        );
    assert_ne!(v1, v2);
    let mut set = set();
    set.add("penalty-tier@2026.2.toml", &v2).unwrap();
    set
}

fn one(set: &ModelSet, model: &str, t: &str) -> serde_json::Value {
    let warning = penalty_with("w1", "2025-01-10", &["warning"], json!({}));
    let lines = evaluate_json(set, model, &[subject(json!({}))], &[warning], day(t)).unwrap();
    assert_eq!(lines.len(), 1, "{lines:?}");
    lines[0].clone()
}

#[test]
fn users_of_a_model_read_the_version_in_force() {
    let set = with_longer_general_display();
    // Before the new version is in force: shown until 2026-01-10 only.
    let l = one(&set, "penalty-tier", "2026-05-31");
    assert_eq!(l["model_version"], "2026.1");
    assert_eq!(l["display_until"], "2026-01-10");
    assert_eq!(one(&set, "tianjin-risk", "2026-05-31")["class"], "good");
    // From 2026-06-01 the new version shows it until 2027-01-10, and
    // tianjin-risk counts it (TW1: warning-only penalties).
    let l = one(&set, "penalty-tier", "2026-06-01");
    assert_eq!(l["model_version"], "2026.2");
    assert_eq!(l["display_until"], "2027-01-10");
    let t = one(&set, "tianjin-risk", "2026-06-01");
    assert_eq!(t["class"], "warning");
    assert_eq!(t["reasons"][0]["rule"], "TW1");
    assert_eq!(t["reasons"][0]["records"], json!(["w1"]));
}

#[test]
fn resolved_keeps_one_version_per_id() {
    let set = with_longer_general_display();
    let before = set.resolved(day("2026-05-31")).unwrap();
    let after = set.resolved(day("2026-06-01")).unwrap();
    assert_eq!(before.ids(), set.ids());
    assert_eq!(before.models().len(), set.ids().len());
    let version = |s: &ModelSet| {
        s.models()
            .iter()
            .find(|m| m.id == "penalty-tier")
            .unwrap()
            .version
            .clone()
    };
    assert_eq!(version(&before), "2026.1");
    assert_eq!(version(&after), "2026.2");
}
