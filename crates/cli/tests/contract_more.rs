//! More of the batch command-line contract of INTERCHANGE.md §3 (record
//! formats §1–2), exercised through the real `xinyong` binary: `uscc check`
//! edge cases, every kind of `evaluate` result line, import warnings, formats
//! and exit codes, and `gen`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Output;

use common::{lines, run, write_jsonl, xinyong};
use serde_json::{Value, json};

// ---------------------------------------------------------------- helpers

fn summary(out: &Output) -> Value {
    let l = lines(&out.stdout);
    assert_eq!(
        l.len(),
        1,
        "one summary line: {} / {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    l[0].clone()
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn counts(accepted: u64, rejected: u64, warnings: u64, unchanged: u64) -> Value {
    json!({"accepted": accepted, "rejected": rejected, "warnings": warnings, "unchanged": unchanged})
}

/// `xinyong evaluate` over s.jsonl / r.jsonl in `dir`; asserts exit 0.
fn evaluate(dir: &Path, model: &str, as_of: &str) -> Vec<Value> {
    let out = run(
        &[
            "evaluate",
            "--model",
            model,
            "--subjects",
            "s.jsonl",
            "--records",
            "r.jsonl",
            "--as-of",
            as_of,
        ],
        dir,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    lines(&out.stdout)
}

fn rule_ids(line: &Value) -> Vec<&str> {
    line["reasons"]
        .as_array()
        .expect("reasons array")
        .iter()
        .map(|r| r["rule"].as_str().expect("rule id"))
        .collect()
}

/// `xinyong stats --json` rows (held records per department and kind).
fn stats(dir: &Path, data: &str) -> Vec<Value> {
    let out = run(&["stats", "--data-dir", data, "--json"], dir);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    lines(&out.stdout)
}

fn held_records(dir: &Path, data: &str) -> u64 {
    stats(dir, data)
        .iter()
        .map(|r| r["records"].as_u64().expect("records count"))
        .sum()
}

const A: &str = "91210804MA0Y123404";
const B: &str = "91210800MA10ABCD6Q";
/// 个体工商户, valid (research/standards.md §1.5).
const C: &str = "92210882MA0TEXT048";
/// `A` with its last character changed: well-formed, check character wrong.
const A_BAD_CHECK: &str = "91210804MA0Y123400";

fn subject(uscc: &str, name: &str) -> Value {
    json!({"uscc": uscc, "name": name, "type": "enterprise", "established_on": "2010-05-01"})
}

fn penalty(id: &str, subject: &str, date: &str, fine: f64) -> Value {
    json!({"id": id, "kind": "penalty", "subject": subject, "source": "SCJG", "date": date, "procedure": "general", "sanctions": ["fine"], "fine_cny": fine})
}

// GB 32100 / GB 11714 check characters, written from research/standards.md
// §1.2–1.3 independently of xinyong-core.

const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

fn gb32100_check(first17: &str) -> char {
    const W: [usize; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let sum: usize = first17
        .chars()
        .zip(W)
        .map(|(c, w)| ALPHABET.find(c).expect("alphabet") * w)
        .sum();
    let c = (31 - sum % 31) % 31;
    ALPHABET.chars().nth(c).expect("index")
}

fn gb11714_check(first8: &str) -> char {
    const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first8
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(36).expect("base 36") * w)
        .sum();
    match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        d => char::from_digit(d, 10).expect("digit"),
    }
}

// ---------------------------------------------------------------- uscc check

#[test]
fn uscc_check_key_order_hyphen_codes_and_normalisation() {
    let padded = "  91210804ma0y123404 ";
    let out = xinyong()
        .args(["uscc", "check", "-91210804MA0Y123404", padded, A, "--x"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let l = lines(&out.stdout);
    assert_eq!(l.len(), 4, "one object per code");
    for x in &l {
        assert_eq!(keys(x), ["code", "valid", "check_ok", "error"], "{x}");
    }
    // A leading '-' is part of a code, not an option.
    assert_eq!(l[0]["code"], "-91210804MA0Y123404");
    assert_eq!(l[0]["valid"], false);
    assert_eq!(l[0]["check_ok"], false);
    assert!(l[0]["error"].is_string(), "{}", l[0]);
    assert_eq!(l[3]["code"], "--x");
    assert_eq!(l[3]["valid"], false);
    assert!(l[3]["error"].is_string(), "{}", l[3]);
    // Parsing trims and upper-cases; `code` echoes the argument as given.
    assert_eq!(
        l[1],
        json!({"code": padded, "valid": true, "check_ok": true, "error": null})
    );
    assert_eq!(
        l[2],
        json!({"code": A, "valid": true, "check_ok": true, "error": null})
    );
}

#[test]
fn uscc_check_without_codes_prints_nothing_and_exits_0() {
    let out = xinyong().args(["uscc", "check"]).output().expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

// ---------------------------------------------------------------- evaluate

#[test]
fn evaluate_with_an_empty_records_file_gives_one_line_per_subject() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_jsonl(
        &dir.path().join("s.jsonl"),
        &[subject(A, "营口甲公司"), subject(B, "营口乙公司")],
    );
    std::fs::write(dir.path().join("r.jsonl"), "").expect("write");
    let l = evaluate(dir.path(), "anhui-class", "2021-07-24");
    assert_eq!(l.len(), 2, "one line per subject");
    assert_eq!(l[0]["subject"], B, "sorted by subject");
    assert_eq!(l[1]["subject"], A);
    for x in &l {
        assert_eq!(x["model"], "anhui-class");
        assert_eq!(x["as_of"], "2021-07-24");
        assert!(x["model_version"].as_str().is_some_and(|v| !v.is_empty()));
        assert_eq!(x["class"], "trustworthy", "{x}");
        assert!(x["reasons"].is_array(), "{x}");
    }
}

#[test]
fn evaluate_classification_lines_have_null_score_and_grade() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_jsonl(
        &dir.path().join("s.jsonl"),
        &[subject(A, "营口甲公司"), subject(B, "营口乙公司")],
    );
    write_jsonl(
        &dir.path().join("r.jsonl"),
        &[
            penalty("p1", A, "2021-01-01", 1000.0),
            penalty("p2", A, "2021-02-01", 2000.0),
        ],
    );
    for model in ["anhui-class", "tianjin-risk"] {
        let l = evaluate(dir.path(), model, "2021-07-24");
        assert_eq!(l.len(), 2, "{model}");
        for x in &l {
            assert!(x["class"].is_string(), "{x}");
            let o = x.as_object().expect("object");
            assert!(o.contains_key("score") && o["score"].is_null(), "{x}");
            assert!(o.contains_key("grade") && o["grade"].is_null(), "{x}");
            assert!(
                !o.contains_key("lists") && !o.contains_key("eligible"),
                "{x}"
            );
        }
    }
}

#[test]
fn evaluate_accepts_extra_fields_and_touches_no_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plain_s = vec![subject(A, "营口甲公司"), subject(B, "营口乙公司")];
    let plain_r = vec![
        penalty("p1", A, "2021-01-01", 1000.0),
        penalty("p2", A, "2021-02-01", 2000.0),
    ];
    write_jsonl(&dir.path().join("s.jsonl"), &plain_s);
    write_jsonl(&dir.path().join("r.jsonl"), &plain_r);
    let without = evaluate(dir.path(), "anhui-class", "2021-07-24");
    let extra = |rows: &[Value]| -> Vec<Value> {
        rows.iter()
            .map(|r| {
                let mut r = r.clone();
                r["x_note"] = json!("备注");
                r["x_meta"] = json!({"batch": 7, "tags": ["a", "b"]});
                r
            })
            .collect()
    };
    write_jsonl(&dir.path().join("s.jsonl"), &extra(&plain_s));
    write_jsonl(&dir.path().join("r.jsonl"), &extra(&plain_r));
    let with = evaluate(dir.path(), "anhui-class", "2021-07-24");
    assert_eq!(
        with, without,
        "extra fields are allowed (and change nothing)"
    );
    assert!(
        !dir.path().join("xinyong-data").exists(),
        "evaluate touches no store (no ./xinyong-data created)"
    );
}

#[test]
fn evaluate_scoring_model_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_jsonl(
        &dir.path().join("s.jsonl"),
        &[
            json!({"uscc": A, "name": "甲", "type": "enterprise", "established_on": "2012-03-01", "status": "active", "size": "small", "industry": "C2927"}),
            json!({"uscc": B, "name": "乙", "type": "enterprise", "established_on": "2010-05-01"}),
        ],
    );
    write_jsonl(
        &dir.path().join("r.jsonl"),
        &[
            json!({"id": "ar1", "kind": "annual_report", "subject": A, "source": "SCJG", "date": "2021-03-01", "year": 2020, "filed_on": "2021-03-01"}),
            json!({"id": "cm1", "kind": "commitment", "subject": A, "source": "FGW", "date": "2021-01-10", "commitment_kind": "credit_pledge", "status": "active"}),
            json!({"id": "tx1", "kind": "tax_rating", "subject": A, "source": "SWJ", "date": "2021-04-01", "year": 2020, "grade": "A"}),
            // Currently on the abnormal-operation list: veto V3 caps the grade at C.
            json!({"id": "ab1", "kind": "list_entry", "subject": A, "source": "SCJG", "date": "2021-05-01", "list": "abnormal_operation", "reason": "annual_report", "listed_on": "2021-05-01"}),
        ],
    );
    let l = evaluate(dir.path(), "yingkou-composite", "2021-07-24");
    assert_eq!(l.len(), 2);
    assert_eq!((&l[0]["subject"], &l[1]["subject"]), (&json!(B), &json!(A)));
    for x in &l {
        check_scoring_line(x);
    }
    let a = &l[1];
    assert_eq!(a["reasons"][0]["rule"], "V3", "vetoes come first: {a}");
    assert_eq!(a["reasons"][0]["records"], json!(["ab1"]));
    let score = a["score"].as_f64().expect("score");
    assert!(score >= 850.0, "A-band score despite the veto: {a}");
    assert_eq!(a["grade"], "C", "V3 caps the grade at C: {a}");
    let jb3 = a["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .find(|r| r["rule"] == "JB3")
        .expect("JB3");
    assert_eq!(jb3["points"], json!(0));
    assert_eq!(jb3["records"], json!(["ab1"]));
    let b = &l[0];
    assert_eq!(rule_ids(b)[0], "JB1", "no veto holds for B: {b}");
}

/// The twelve indicators of yingkou-composite, in file order.
const YINGKOU_INDICATORS: [&str; 12] = [
    "JB1", "JB2", "JB3", "CS1", "CS2", "XZ1", "XZ2", "XZ3", "SF1", "SF2", "SH1", "SH2",
];

/// A yingkou-composite line (MODEL-LANGUAGE.md §1.4, §9.1): `class` null, a
/// number `score`, a `grade` among A–D given by the bands and lowered by
/// every veto that holds; reasons are the vetoes that hold (no points), then
/// every indicator with `points` and `max_points`, the points adding up to
/// the score.
fn check_scoring_line(x: &Value) {
    assert_eq!(x["model"], "yingkou-composite");
    let o = x.as_object().expect("object");
    assert!(o.contains_key("class") && o["class"].is_null(), "{x}");
    let score = x["score"]
        .as_f64()
        .unwrap_or_else(|| panic!("number score: {x}"));
    let grade = x["grade"].as_str().unwrap_or_else(|| panic!("grade: {x}"));
    assert!(["A", "B", "C", "D"].contains(&grade), "{x}");
    let reasons = x["reasons"].as_array().expect("reasons");
    let mut caps = Vec::new();
    let mut indicators = Vec::new();
    let mut total = 0.0;
    for r in reasons {
        let rule = r["rule"].as_str().expect("rule");
        assert!(r["text"].as_str().is_some_and(|t| !t.is_empty()), "{r}");
        assert!(r["records"].is_array(), "{r}");
        if rule.starts_with('V') {
            assert!(indicators.is_empty(), "vetoes come before indicators: {x}");
            assert!(r.get("points").is_none(), "{r}");
            caps.push(match rule {
                "V1" | "V2" => "D",
                "V3" => "C",
                other => panic!("unknown veto {other}"),
            });
        } else {
            let points = r["points"]
                .as_f64()
                .unwrap_or_else(|| panic!("points: {r}"));
            let max = r["max_points"]
                .as_f64()
                .unwrap_or_else(|| panic!("max_points: {r}"));
            assert!((0.0..=max).contains(&points), "{r}");
            total += points;
            indicators.push(rule);
        }
    }
    assert_eq!(indicators, YINGKOU_INDICATORS, "every indicator: {x}");
    assert!(
        (total - score).abs() < 1e-6,
        "points add up to the score ({total} vs {score}): {x}"
    );
    let band = if score >= 850.0 {
        "A"
    } else if score >= 700.0 {
        "B"
    } else if score >= 550.0 {
        "C"
    } else {
        "D"
    };
    // Grades are letters, worst last: the grade is the worst of band and caps.
    let expected = caps.iter().fold(band, |g, &c| g.max(c));
    assert_eq!(grade, expected, "band {band}, caps {caps:?}: {x}");
}

#[test]
fn evaluate_scoring_model_over_a_generated_city() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(
        &["gen", "--subjects", "300", "--seed", "7", "--out", "city"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(
        &[
            "evaluate",
            "--model",
            "yingkou-composite",
            "--subjects",
            "city/subjects.jsonl",
            "--records",
            "city/records.jsonl",
            "--as-of",
            "2026-06-30",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let l = lines(&out.stdout);
    assert_eq!(l.len(), 300, "one line per subject");
    for x in &l {
        check_scoring_line(x);
    }
    let grades: BTreeSet<&str> = l.iter().filter_map(|x| x["grade"].as_str()).collect();
    assert!(grades.len() >= 2, "{grades:?}");
    assert!(
        l.iter().any(|x| x["reasons"][0]["rule"]
            .as_str()
            .is_some_and(|r| r.starts_with('V'))),
        "some veto holds somewhere in the city"
    );
    let subjects: Vec<&str> = l.iter().filter_map(|x| x["subject"].as_str()).collect();
    let mut sorted = subjects.clone();
    sorted.sort_unstable();
    assert_eq!(subjects, sorted, "sorted by subject");
}

#[test]
fn evaluate_lists_model_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_jsonl(
        &dir.path().join("s.jsonl"),
        &[
            json!({"uscc": A, "name": "甲人防工程公司", "type": "enterprise", "established_on": "2010-01-01", "industry": "renfang"}),
            json!({"uscc": B, "name": "乙公司", "type": "enterprise", "established_on": "2010-05-01", "industry": "renfang"}),
            json!({"uscc": C, "name": "丙商店", "type": "individual_business", "established_on": "2020-01-01"}),
        ],
    );
    write_jsonl(
        &dir.path().join("r.jsonl"),
        &[
            json!({"id": "acc2", "kind": "accident", "subject": A, "source": "RFB", "date": "2021-05-01", "grade": "general", "domain": "renfang"}),
            json!({"id": "acc1", "kind": "accident", "subject": A, "source": "RFB", "date": "2021-01-10", "grade": "general", "domain": "renfang"}),
            json!({"id": "in1", "kind": "inspection", "subject": A, "source": "RFB", "date": "2021-03-01", "outcome": "refused"}),
        ],
    );
    let l = evaluate(dir.path(), "renfang-lists", "2021-07-24");
    assert_eq!(l.len(), 3, "one line per subject");
    let by: BTreeMap<&str, &Value> = l
        .iter()
        .map(|x| (x["subject"].as_str().expect("subject"), x))
        .collect();
    for x in &l {
        assert!(x["lists"].is_array(), "{x}");
        assert!(
            x["class"].is_null() && x["score"].is_null() && x["grade"].is_null(),
            "{x}"
        );
    }
    let a = by[A];
    assert_eq!(a["lists"], json!(["renfang_blacklist"]), "{a}");
    // Every satisfied rule of the decisive outcome, not only the first.
    assert_eq!(rule_ids(a), ["RB1", "RB4"], "{a}");
    assert_eq!(a["reasons"][0]["records"], json!(["acc1", "acc2"]));
    assert_eq!(a["reasons"][1]["records"], json!(["in1"]));
    assert_eq!(by[B]["lists"], json!(["renfang_redlist"]));
    assert_eq!(rule_ids(by[B]), ["RR1"]);
    assert_eq!(by[C]["lists"], json!([]), "on no list");
    assert_eq!(by[C]["reasons"], json!([]));
}

#[test]
fn evaluate_eligibility_model_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_jsonl(
        &dir.path().join("s.jsonl"),
        &[
            json!({"uscc": A, "name": "甲", "type": "enterprise", "established_on": "2012-03-01", "status": "active", "size": "small", "industry": "C2927"}),
            json!({"uscc": B, "name": "乙", "type": "enterprise", "established_on": "2010-05-01", "size": "large", "industry": "K7010"}),
        ],
    );
    write_jsonl(
        &dir.path().join("r.jsonl"),
        &[
            json!({"id": "ar1", "kind": "annual_report", "subject": A, "source": "SCJG", "date": "2021-03-01", "year": 2020, "filed_on": "2021-03-01"}),
            json!({"id": "fn1", "kind": "financing_need", "subject": A, "source": "JRJ", "date": "2021-05-01", "amount_cny": 1000000, "purpose": "流动资金"}),
            json!({"id": "cm1", "kind": "commitment", "subject": A, "source": "FGW", "date": "2021-01-10", "commitment_kind": "credit_pledge", "status": "active"}),
            json!({"id": "tx1", "kind": "tax_rating", "subject": A, "source": "SWJ", "date": "2021-04-01", "year": 2020, "grade": "A"}),
        ],
    );
    let l = evaluate(dir.path(), "xinyidai-eligibility", "2021-07-24");
    assert_eq!(l.len(), 2);
    let conditions = ["X1", "X2", "X3", "X4", "X5", "X6"];
    for x in &l {
        let eligible = x["eligible"]
            .as_bool()
            .unwrap_or_else(|| panic!("bool eligible: {x}"));
        let failed: Vec<&str> = x["failed"]
            .as_array()
            .unwrap_or_else(|| panic!("failed array: {x}"))
            .iter()
            .map(|f| f.as_str().expect("condition id"))
            .collect();
        assert!(failed.iter().all(|f| conditions.contains(f)), "{x}");
        assert_eq!(eligible, failed.is_empty(), "{x}");
        assert!(
            x["class"].is_null() && x["score"].is_null() && x["grade"].is_null(),
            "{x}"
        );
    }
    let (b, a) = (&l[0], &l[1]);
    assert_eq!((&a["subject"], &b["subject"]), (&json!(A), &json!(B)));
    assert_eq!(a["eligible"], true, "{a}");
    assert_eq!(a["failed"], json!([]));
    assert_eq!(rule_ids(a), conditions, "every condition when eligible");
    assert!(
        a["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .all(|r| r["satisfied"] == true)
    );
    assert_eq!(b["eligible"], false, "{b}");
    assert_eq!(b["failed"], json!(["X1", "X2", "X4", "X5", "X6"]), "{b}");
    assert_eq!(
        rule_ids(b),
        ["X1", "X2", "X4", "X5", "X6"],
        "only the failed ones"
    );
    assert!(
        b["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .all(|r| r["satisfied"] == false)
    );
}

#[test]
fn evaluate_record_model_abnormal_trace_clear() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_jsonl(
        &dir.path().join("s.jsonl"),
        &[subject(A, "营口甲公司"), subject(B, "营口乙公司")],
    );
    let entry = |id: &str,
                 subject: &str,
                 list: &str,
                 reason: Option<&str>,
                 listed: &str,
                 removed: Option<&str>| {
        let mut e = json!({"id": id, "kind": "list_entry", "subject": subject, "source": "SCJG", "date": listed, "list": list, "listed_on": listed});
        if let Some(r) = reason {
            e["reason"] = json!(r);
        }
        if let Some(r) = removed {
            e["removed_on"] = json!(r);
        }
        e
    };
    write_jsonl(
        &dir.path().join("r.jsonl"),
        &[
            // 3 months after 2020-11-30 is 2021-02-28 (Civil Code): clearable from 2021-03-01.
            entry(
                "e1",
                A,
                "abnormal_operation",
                Some("annual_report"),
                "2020-07-01",
                Some("2020-11-30"),
            ),
            // 6 months after 2021-05-31 is 2021-11-30: clearable from 2021-12-01.
            entry(
                "e2",
                A,
                "abnormal_operation",
                Some("unreachable"),
                "2021-01-05",
                Some("2021-05-31"),
            ),
            // Still listed: no line.
            entry(
                "e3",
                A,
                "abnormal_operation",
                Some("annual_report"),
                "2021-06-01",
                None,
            ),
            // Removed after the as-of date: no line.
            entry(
                "e4",
                A,
                "abnormal_operation",
                Some("annual_report"),
                "2021-01-01",
                Some("2021-09-01"),
            ),
            // Another list: no line.
            entry(
                "e5",
                A,
                "serious_violation",
                None,
                "2020-01-01",
                Some("2021-01-01"),
            ),
            // No reason: a line without a period.
            entry(
                "e6",
                B,
                "abnormal_operation",
                None,
                "2020-03-01",
                Some("2020-06-01"),
            ),
        ],
    );
    let l = evaluate(dir.path(), "abnormal-trace-clear", "2021-07-24");
    let ids: Vec<(&str, &str)> = l
        .iter()
        .map(|x| {
            (
                x["subject"].as_str().unwrap_or(""),
                x["record"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        ids,
        [(B, "e6"), (A, "e1"), (A, "e2")],
        "sorted by subject then record id"
    );
    for x in &l {
        assert_eq!(
            keys(x),
            [
                "record",
                "subject",
                "model",
                "model_version",
                "as_of",
                "period",
                "clearable_from",
                "clearable",
                "reasons"
            ],
            "{x}"
        );
        assert_eq!(x["model"], "abnormal-trace-clear");
        assert_eq!(x["as_of"], "2021-07-24");
        assert!(x["clearable"].is_boolean(), "{x}");
        assert_eq!(
            x["reasons"][0]["records"],
            json!([x["record"].clone()]),
            "{x}"
        );
    }
    let (e6, e1, e2) = (&l[0], &l[1], &l[2]);
    assert_eq!(e1["clearable_from"], "2021-03-01", "{e1}");
    assert_eq!(e1["clearable"], true);
    assert_eq!(rule_ids(e1), ["AC1"]);
    assert_eq!(e2["clearable_from"], "2021-12-01", "{e2}");
    assert_eq!(e2["clearable"], false);
    assert_eq!(rule_ids(e2), ["AC2"]);
    assert!(e6["clearable_from"].is_null(), "{e6}");
    assert_eq!(e6["clearable"], false);
    assert_eq!(rule_ids(e6), ["AC0"]);
}

#[test]
fn evaluate_reports_a_subjects_row_without_name_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_jsonl(
        &dir.path().join("s.jsonl"),
        &[
            json!({"uscc": A, "type": "enterprise"}),
            subject(B, "营口乙公司"),
        ],
    );
    write_jsonl(
        &dir.path().join("r.jsonl"),
        &[penalty("p1", B, "2021-01-01", 10.0)],
    );
    let args = [
        "evaluate",
        "--model",
        "anhui-class",
        "--subjects",
        "s.jsonl",
        "--records",
        "r.jsonl",
        "--as-of",
        "2021-07-24",
        "--out",
        "o.jsonl",
    ];
    let out = run(&args, dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("s.jsonl line 1, field name"), "{err}");
    assert!(!err.contains("line 2"), "only the bad row: {err}");
    assert!(out.stdout.is_empty());
    assert!(!dir.path().join("o.jsonl").exists(), "--out not created");
    // An existing --out file is left as it was.
    std::fs::write(dir.path().join("o.jsonl"), "previous\n").expect("write");
    let out = run(&args, dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("o.jsonl")).expect("read"),
        "previous\n",
        "nothing is written to --out"
    );
}

// ---------------------------------------------------------------- import

#[test]
fn import_counts_a_check_character_mismatch_as_one_warning() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_jsonl(
        &dir.path().join("s.jsonl"),
        &[
            subject(A, "营口甲公司"),
            subject(A_BAD_CHECK, "校验位不符公司"),
        ],
    );
    let out = run(&["import", "--data-dir", "d", "s.jsonl"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(summary(&out), counts(2, 0, 1, 0));
    // A record of that registered subject carries the same flag (its
    // `subject` is a USCC whose check character does not match).
    write_jsonl(
        &dir.path().join("r.jsonl"),
        &[
            penalty("p1", A_BAD_CHECK, "2021-01-01", 10.0),
            penalty("p2", A, "2021-01-01", 10.0),
        ],
    );
    let out = run(&["import", "--data-dir", "d", "r.jsonl"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(summary(&out), counts(2, 0, 1, 0));
}

#[test]
fn import_does_not_warn_about_a_matching_check_character_with_a_bad_org_code() {
    // Positions 9–17 `MA0Y1234` + a wrong GB 11714 check character, and a
    // correct GB 32100 check character over the first 17.
    let org8 = "MA0Y1234";
    let good_org = gb11714_check(org8);
    let bad_org = if good_org == '1' { '2' } else { '1' };
    let first17 = format!("91210804{org8}{bad_org}");
    let code = format!("{first17}{}", gb32100_check(&first17));
    assert_eq!(
        gb32100_check("91210804MA0Y12340"),
        '4',
        "helper agrees with A"
    );
    assert_eq!(good_org, '0', "helper agrees with A");
    assert_ne!(code[8..17].chars().last(), Some(good_org));

    let out = xinyong()
        .args(["uscc", "check", &code])
        .output()
        .expect("run");
    assert_eq!(
        lines(&out.stdout)[0],
        json!({"code": code, "valid": true, "check_ok": true, "error": null})
    );

    let dir = tempfile::tempdir().expect("tempdir");
    write_jsonl(
        &dir.path().join("s.jsonl"),
        &[subject(A, "营口甲公司"), subject(&code, "机构代码不符公司")],
    );
    write_jsonl(
        &dir.path().join("r.jsonl"),
        &[penalty("p1", &code, "2021-01-01", 10.0)],
    );
    let out = run(
        &["import", "--data-dir", "d", "s.jsonl", "r.jsonl"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(summary(&out), counts(3, 0, 0, 0), "no warning");
}

#[test]
fn import_keeps_a_record_of_an_unregistered_subject_with_a_warning() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_jsonl(&dir.path().join("s.jsonl"), &[subject(A, "营口甲公司")]);
    let out = run(&["import", "--data-dir", "d", "s.jsonl"], dir.path());
    assert_eq!(summary(&out), counts(1, 0, 0, 0));
    // A is registered by the earlier import (no warning); B is not.
    write_jsonl(
        &dir.path().join("r.jsonl"),
        &[
            penalty("p1", A, "2021-01-01", 10.0),
            penalty("p2", B, "2021-01-01", 10.0),
        ],
    );
    let out = run(&["import", "--data-dir", "d", "r.jsonl"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(summary(&out), counts(2, 0, 1, 0));
    assert_eq!(held_records(dir.path(), "d"), 2, "the record of B is kept");
    // Kept, not quarantined.
    let out = run(&["quarantine", "--data-dir", "d"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(
        lines(&out.stdout).is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn import_preserves_extra_fields() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut s = subject(A, "营口甲公司");
    s["x_contact"] = json!({"phone": "0417-1234567"});
    let mut r = penalty("p1", A, "2021-01-01", 10.0);
    r["x_note"] = json!("a");
    write_jsonl(&dir.path().join("s.jsonl"), std::slice::from_ref(&s));
    write_jsonl(&dir.path().join("r.jsonl"), std::slice::from_ref(&r));
    let import = || {
        let out = run(
            &["import", "--data-dir", "d", "s.jsonl", "r.jsonl"],
            dir.path(),
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        summary(&out)
    };
    assert_eq!(
        import(),
        counts(2, 0, 0, 0),
        "extra fields are not rejected"
    );
    assert_eq!(import(), counts(0, 0, 0, 2));
    // Only an extra field changes: a new version of each row, so the
    // stored rows hold the extra fields.
    s["x_contact"] = json!({"phone": "0417-7654321"});
    r["x_note"] = json!("b");
    write_jsonl(&dir.path().join("s.jsonl"), std::slice::from_ref(&s));
    write_jsonl(&dir.path().join("r.jsonl"), std::slice::from_ref(&r));
    assert_eq!(import(), counts(2, 0, 0, 0));
    assert_eq!(import(), counts(0, 0, 0, 2));
    // Dropping the extra fields is a change too.
    write_jsonl(&dir.path().join("s.jsonl"), &[subject(A, "营口甲公司")]);
    write_jsonl(
        &dir.path().join("r.jsonl"),
        &[penalty("p1", A, "2021-01-01", 10.0)],
    );
    assert_eq!(import(), counts(2, 0, 0, 0));
}

#[test]
fn import_csv_files_like_their_jsonl_equivalents() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("s.csv"),
        format!(
            "uscc,name,type,established_on,paid_in_capital_cny,tax_registered,size\n\
             {A},营口甲公司,enterprise,2012-03-01,500000,true,small\n\
             {B},营口乙公司,enterprise,2010-05-01,1000000,false,\n"
        ),
    )
    .expect("write");
    std::fs::write(
        dir.path().join("r.csv"),
        format!(
            "id,kind,subject,source,date,procedure,sanctions,fine_cny,outcome,items\n\
             p1,penalty,{A},SCJG,2021-01-01,general,fine;warning,1000.5,,\n\
             p2,penalty,{B},SCJG,2021-02-01,simple,warning,,,\n\
             p3,penalty,{A_BAD_CHECK},SCJG,2021-02-01,general,fine,5,,\n\
             i1,inspection,{A},SCJG,2021-03-01,,,,issues_found,消防;卫生\n"
        ),
    )
    .expect("write");
    write_jsonl(
        &dir.path().join("s.jsonl"),
        &[
            json!({"uscc": A, "name": "营口甲公司", "type": "enterprise", "established_on": "2012-03-01", "paid_in_capital_cny": 500000, "tax_registered": true, "size": "small"}),
            json!({"uscc": B, "name": "营口乙公司", "type": "enterprise", "established_on": "2010-05-01", "paid_in_capital_cny": 1000000, "tax_registered": false}),
        ],
    );
    write_jsonl(
        &dir.path().join("r.jsonl"),
        &[
            json!({"id": "p1", "kind": "penalty", "subject": A, "source": "SCJG", "date": "2021-01-01", "procedure": "general", "sanctions": ["fine", "warning"], "fine_cny": 1000.5}),
            json!({"id": "p2", "kind": "penalty", "subject": B, "source": "SCJG", "date": "2021-02-01", "procedure": "simple", "sanctions": ["warning"]}),
            json!({"id": "p3", "kind": "penalty", "subject": A_BAD_CHECK, "source": "SCJG", "date": "2021-02-01", "procedure": "general", "sanctions": ["fine"], "fine_cny": 5}),
            json!({"id": "i1", "kind": "inspection", "subject": A, "source": "SCJG", "date": "2021-03-01", "outcome": "issues_found", "items": ["消防", "卫生"]}),
        ],
    );
    let import = |data: &str, files: &[&str]| {
        let mut args = vec!["import", "--data-dir", data];
        args.extend_from_slice(files);
        let out = run(&args, dir.path());
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        summary(&out)
    };
    // p3's subject is unregistered with a wrong check character: one warning row.
    let expected = counts(6, 0, 1, 0);
    assert_eq!(import("csv", &["s.csv", "r.csv"]), expected);
    assert_eq!(import("jsonl", &["s.jsonl", "r.jsonl"]), expected);
    // The same rows: the JSON Lines files change nothing in the store the
    // CSV files filled (arrays split on ';', numbers and booleans typed,
    // empty cells absent).
    assert_eq!(import("csv", &["s.jsonl", "r.jsonl"]), counts(0, 0, 1, 6));
    assert_eq!(import("jsonl", &["s.csv", "r.csv"]), counts(0, 0, 1, 6));
}

#[test]
fn import_rejects_a_subjects_row_without_name_and_keeps_the_others() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_jsonl(
        &dir.path().join("s.jsonl"),
        &[
            json!({"uscc": A, "type": "enterprise"}),
            subject(B, "营口乙公司"),
        ],
    );
    let out = run(&["import", "--data-dir", "d", "s.jsonl"], dir.path());
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(summary(&out), counts(1, 1, 0, 0));
    let err = stderr(&out);
    assert!(err.contains("s.jsonl line 1, field name"), "{err}");
    // The rejected row is kept with its errors.
    let out = run(&["quarantine", "--data-dir", "d"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let q = lines(&out.stdout);
    assert_eq!(q.len(), 1, "{q:?}");
    let text = q[0].to_string();
    assert!(
        text.contains("s.jsonl") && text.contains("\"name\"") && text.contains(A),
        "{text}"
    );
    // The valid row was stored: importing it again changes nothing.
    write_jsonl(&dir.path().join("b.jsonl"), &[subject(B, "营口乙公司")]);
    let out = run(&["import", "--data-dir", "d", "b.jsonl"], dir.path());
    assert_eq!(summary(&out), counts(0, 0, 0, 1));
}

#[test]
fn import_defaults_to_the_store_in_xinyong_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_jsonl(&dir.path().join("s.jsonl"), &[subject(A, "营口甲公司")]);
    write_jsonl(
        &dir.path().join("r.jsonl"),
        &[penalty("p1", A, "2021-01-01", 10.0)],
    );
    let out = run(&["import", "s.jsonl", "r.jsonl"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(summary(&out), counts(2, 0, 0, 0));
    assert!(
        dir.path().join("xinyong-data").is_dir(),
        "./xinyong-data created"
    );
    // The same store, named explicitly: nothing new.
    let out = run(
        &["import", "--data-dir", "xinyong-data", "s.jsonl", "r.jsonl"],
        dir.path(),
    );
    assert_eq!(summary(&out), counts(0, 0, 0, 2));
    // And again by default.
    let out = run(&["import", "s.jsonl", "r.jsonl"], dir.path());
    assert_eq!(summary(&out), counts(0, 0, 0, 2));
    let entries: Vec<_> = std::fs::read_dir(dir.path())
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    let mut entries = entries;
    entries.sort();
    assert_eq!(
        entries,
        ["r.jsonl", "s.jsonl", "xinyong-data"],
        "no other store"
    );
}

#[test]
fn import_exit_2_leaves_the_store_unchanged() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_jsonl(
        &dir.path().join("s.jsonl"),
        &[subject(A, "营口甲公司"), subject(B, "营口乙公司")],
    );
    let out = run(&["import", "--data-dir", "d", "s.jsonl"], dir.path());
    assert_eq!(summary(&out), counts(2, 0, 0, 0));
    write_jsonl(
        &dir.path().join("r.jsonl"),
        &[
            penalty("p1", A, "2021-01-01", 10.0),
            penalty("p2", B, "2021-01-01", 10.0),
        ],
    );
    write_jsonl(&dir.path().join("s2.jsonl"), &[subject(C, "丙商店")]);
    std::fs::write(dir.path().join("empty.jsonl"), "").expect("write");
    std::fs::write(dir.path().join("bin.jsonl"), [0u8, 159, 146, 150, 0, 1, 2]).expect("write");
    std::fs::write(dir.path().join("notes.txt"), "hello\n").expect("write");
    for bad in ["empty.jsonl", "bin.jsonl", "notes.txt", "missing.jsonl"] {
        for files in [["s2.jsonl", "r.jsonl", bad], [bad, "s2.jsonl", "r.jsonl"]] {
            let mut args = vec!["import", "--data-dir", "d"];
            args.extend_from_slice(&files);
            let out = run(&args, dir.path());
            assert_eq!(out.status.code(), Some(2), "{files:?}: {}", stderr(&out));
            assert!(out.stdout.is_empty(), "{files:?}: no summary");
            assert!(stderr(&out).contains(bad), "{files:?}: names the file");
            assert_eq!(
                held_records(dir.path(), "d"),
                0,
                "{files:?}: no record stored"
            );
        }
    }
    // Nothing of s2.jsonl and r.jsonl was stored: now every row is new.
    let out = run(
        &["import", "--data-dir", "d", "s2.jsonl", "r.jsonl"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(summary(&out), counts(3, 0, 0, 0));
    assert_eq!(held_records(dir.path(), "d"), 2);
}

// ---------------------------------------------------------------- gen

/// The record kinds of INTERCHANGE.md §2.
const KINDS: [&str; 17] = [
    "penalty",
    "license",
    "list_entry",
    "tax_rating",
    "rating",
    "commitment",
    "inspection",
    "correction_order",
    "false_materials",
    "annual_report",
    "accident",
    "judgment",
    "bad_conduct",
    "honor",
    "arrears",
    "financing_need",
    "gov_ledger",
];

fn gen_city(dir: &Path, n: &str, seed: Option<&str>, out: &str) -> (Vec<u8>, Vec<u8>) {
    let mut args = vec!["gen", "--subjects", n, "--out", out];
    if let Some(s) = seed {
        args.extend_from_slice(&["--seed", s]);
    }
    let o = run(&args, dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    (
        std::fs::read(dir.join(out).join("subjects.jsonl")).expect("subjects.jsonl"),
        std::fs::read(dir.join(out).join("records.jsonl")).expect("records.jsonl"),
    )
}

#[test]
fn gen_is_deterministic_per_seed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = gen_city(dir.path(), "300", Some("7"), "a");
    let b = gen_city(dir.path(), "300", Some("7"), "b");
    assert!(a.0 == b.0, "same seed: byte-identical subjects.jsonl");
    assert!(a.1 == b.1, "same seed: byte-identical records.jsonl");
    let c = gen_city(dir.path(), "300", Some("8"), "c");
    assert!(a.0 != c.0, "another seed: other subjects");
    assert!(a.1 != c.1, "another seed: other records");
    // Without --seed too.
    let d = gen_city(dir.path(), "50", None, "d");
    let e = gen_city(dir.path(), "50", None, "e");
    assert!(d == e, "the default seed is deterministic");
}

#[test]
fn gen_writes_a_valid_city_with_every_record_kind() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (subjects, records) = gen_city(dir.path(), "300", Some("7"), "city");
    let subjects = lines(&subjects);
    let records = lines(&records);
    assert_eq!(subjects.len(), 300, "N subjects");
    let usccs: BTreeSet<&str> = subjects
        .iter()
        .map(|s| s["uscc"].as_str().expect("uscc"))
        .collect();
    assert_eq!(usccs.len(), 300, "distinct subjects");
    let kinds: BTreeSet<&str> = records
        .iter()
        .map(|r| r["kind"].as_str().expect("kind"))
        .collect();
    let missing: Vec<&str> = KINDS
        .iter()
        .copied()
        .filter(|k| !kinds.contains(k))
        .collect();
    assert!(missing.is_empty(), "kinds missing at N = 300: {missing:?}");
    assert!(kinds.iter().all(|k| KINDS.contains(k)), "{kinds:?}");

    // Valid against the contract: the importer rejects nothing ...
    let out = run(
        &[
            "import",
            "--data-dir",
            "d",
            "city/subjects.jsonl",
            "city/records.jsonl",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let s = summary(&out);
    assert_eq!(s["rejected"], 0, "{s}");
    assert_eq!(
        s["accepted"].as_u64(),
        Some((subjects.len() + records.len()) as u64),
        "{s}"
    );
    // ... and neither does evaluate.
    let out = run(
        &[
            "evaluate",
            "--model",
            "anhui-class",
            "--subjects",
            "city/subjects.jsonl",
            "--records",
            "city/records.jsonl",
            "--as-of",
            "2026-06-30",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(lines(&out.stdout).len(), 300);
}

/// `xinyong evaluate --model gov-integrity` like every built-in model: one
/// line per subject given (no scoping unless `--scoped`), the points of the
/// reasons adding up to the score; with `--scoped`, only the agency.
#[test]
fn evaluate_gov_integrity_grades_the_agencies_it_is_given() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut agency = subject(B, "营口市某局");
    agency["type"] = json!("government_agency");
    write_jsonl(
        &dir.path().join("s.jsonl"),
        &[subject(A, "营口甲公司"), agency],
    );
    write_jsonl(
        &dir.path().join("r.jsonl"),
        &[
            // Found 91 days before T, unsettled, no plan: GI1; in M12: GI3.
            json!({"id": "zw1", "kind": "gov_ledger", "subject": B, "source": "XYB", "date": "2024-03-16", "category": "arrears", "amount_cny": 50000}),
            // Found exactly 90 days before T: GI3 only.
            json!({"id": "zw2", "kind": "gov_ledger", "subject": B, "source": "XYB", "date": "2024-03-17", "category": "contract_default"}),
        ],
    );
    let l = evaluate(dir.path(), "gov-integrity", "2024-06-15");
    assert_eq!(l.len(), 2, "unscoped: every subject given");
    let g = l.iter().find(|x| x["subject"] == B).expect("the agency");
    assert_eq!(g["score"], 75.0, "{g}");
    assert_eq!(g["grade"], "B");
    let reasons = g["reasons"].as_array().unwrap();
    let sum: f64 = reasons.iter().filter_map(|r| r["points"].as_f64()).sum();
    assert_eq!(sum, 75.0);
    let gi1 = reasons.iter().find(|r| r["rule"] == "GI1").unwrap();
    assert_eq!(gi1["points"], -15.0);
    assert_eq!(gi1["records"], json!(["zw1"]));
    let gi3 = reasons.iter().find(|r| r["rule"] == "GI3").unwrap();
    assert_eq!(gi3["points"], -10.0);

    let out = run(
        &[
            "evaluate",
            "--model",
            "gov-integrity",
            "--scoped",
            "--subjects",
            "s.jsonl",
            "--records",
            "r.jsonl",
            "--as-of",
            "2024-06-15",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let l = lines(&out.stdout);
    assert_eq!(l.len(), 1, "scoped: the agency only");
    assert_eq!(l[0]["subject"], B);
}
