//! The batch command-line contract of INTERCHANGE.md §3, exercised through
//! the real `xinyong` binary: output formats, sorting and exit codes.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{lines, run, write_jsonl, xinyong};
use serde_json::{Value, json};

const A: &str = "91210804MA0Y123404";
const B: &str = "91210800MA10ABCD6Q";

fn subjects() -> Vec<Value> {
    vec![
        json!({"uscc": B, "name": "营口乙公司", "type": "enterprise", "established_on": "2010-05-01", "paid_in_capital_cny": 1000000}),
        json!({"uscc": A, "name": "营口甲公司", "type": "enterprise", "established_on": "2012-03-01", "paid_in_capital_cny": 500000}),
    ]
}

fn penalty(id: &str, subject: &str, date: &str, fine: f64) -> Value {
    json!({"id": id, "kind": "penalty", "subject": subject, "source": "SCJG", "date": date, "procedure": "general", "sanctions": ["fine"], "fine_cny": fine})
}

// ---------------------------------------------------------------- uscc check

/// The independent reference implementation (Python, written separately from
/// the Rust code) must agree with `xinyong uscc check` on thousands of codes.
#[test]
fn uscc_check_agrees_with_the_reference_implementation() {
    let reference =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/reference/uscc_ref.py");
    let python = Command::new("python3").arg("--version").output();
    if python.is_err() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "python3 is required under CI"
        );
        eprintln!("NOTE: python3 not found; reference comparison SKIPPED");
        return;
    }
    // Valid codes and corruptions of them, deterministically.
    let alphabet: Vec<char> = xinyong_core_alphabet().chars().collect();
    let mut codes: Vec<String> = Vec::new();
    let mut state: u64 = 0x5eed;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for i in 0..3000u64 {
        let body: String = (0..17).map(|_| alphabet[(next() % 31) as usize]).collect();
        let base = format!("{body}{}", alphabet[(next() % 31) as usize]);
        codes.push(base.clone());
        match i % 6 {
            0 => codes.push(base.to_lowercase()),
            1 => codes.push(format!("{}I{}", &base[..5], &base[6..])),
            2 => codes.push(base[..17].to_owned()),
            3 => codes.push(format!("{base}0")),
            4 => codes.push(format!("  {base} ")),
            _ => codes.push(format!("{}{}{}", &base[..3], &base[4..5], &base[3..4]) + &base[5..]),
        }
    }
    let args: Vec<&str> = std::iter::once("uscc")
        .chain(std::iter::once("check"))
        .chain(codes.iter().map(String::as_str))
        .collect();
    let out = xinyong().args(&args).output().expect("uscc check");
    assert!(out.status.success());
    let ours = lines(&out.stdout);
    assert_eq!(ours.len(), codes.len(), "one object per code");
    let mut child = Command::new("python3")
        .arg(&reference)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 reference");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        for c in &codes {
            writeln!(stdin, "{c}").expect("write code");
        }
    }
    let theirs = lines(&child.wait_with_output().expect("reference output").stdout);
    assert_eq!(theirs.len(), codes.len());
    let mut valid_and_ok = 0;
    for (o, t) in ours.iter().zip(&theirs) {
        assert_eq!(
            (&o["code"], &o["valid"], &o["check_ok"]),
            (&t["code"], &t["valid"], &t["check_ok"]),
            "{o} vs {t}"
        );
        assert!(
            o["error"].is_null() == o["valid"].as_bool().unwrap_or(false),
            "{o}"
        );
        if o["check_ok"] == true {
            valid_and_ok += 1;
        }
    }
    assert!(
        valid_and_ok > 100,
        "some random codes pass the check ({valid_and_ok})"
    );
}

fn xinyong_core_alphabet() -> &'static str {
    "0123456789ABCDEFGHJKLMNPQRTUWXY"
}

#[test]
fn uscc_check_prints_the_contract_object() {
    let out = xinyong()
        .args([
            "uscc",
            "check",
            "91210804MA0Y123404",
            "91210804MA0Y123400",
            "91210804MAIY123404",
            "123",
        ])
        .output()
        .expect("run");
    assert!(out.status.success());
    let l = lines(&out.stdout);
    assert_eq!(
        l[0],
        json!({"code": "91210804MA0Y123404", "valid": true, "check_ok": true, "error": null})
    );
    assert_eq!(
        (
            l[1]["valid"].clone(),
            l[1]["check_ok"].clone(),
            l[1]["error"].clone()
        ),
        (json!(true), json!(false), json!(null))
    );
    assert_eq!(
        (l[2]["valid"].clone(), l[2]["check_ok"].clone()),
        (json!(false), json!(false))
    );
    assert!(l[2]["error"].as_str().is_some_and(|e| e.contains('I')));
    assert!(l[3]["error"].as_str().is_some_and(|e| e.contains("length")));
}

// ---------------------------------------------------------------- evaluate

#[test]
fn evaluate_writes_sorted_contract_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_jsonl(&dir.path().join("s.jsonl"), &subjects());
    write_jsonl(
        &dir.path().join("r.jsonl"),
        &[
            penalty("p2", A, "2021-02-01", 2000.0),
            penalty("p1", A, "2021-01-01", 1000.0),
            penalty("b1", B, "2021-03-01", 500.0),
        ],
    );
    let out = run(
        &[
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
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let l = lines(&std::fs::read(dir.path().join("o.jsonl")).expect("out"));
    assert_eq!(l.len(), 2);
    assert_eq!(l[0]["subject"], B, "sorted by subject");
    assert_eq!(l[1]["subject"], A);
    let keys: Vec<&str> = l[1]
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        &keys[..8],
        &[
            "subject",
            "model",
            "model_version",
            "as_of",
            "class",
            "score",
            "grade",
            "reasons"
        ]
    );
    assert_eq!(l[1]["class"], "dishonest");
    assert_eq!(l[1]["as_of"], "2021-07-24");
    assert_eq!(l[1]["reasons"][0]["rule"], "D2");
    assert_eq!(l[1]["reasons"][0]["records"], json!(["p1", "p2"]));
    assert!(
        l[1]["reasons"][0]["text"]
            .as_str()
            .is_some_and(|t| t.contains("2 条") && t.contains("3000"))
    );

    // Record-level model: one line per penalty, sorted by subject then record id.
    let out = run(
        &[
            "evaluate",
            "--model",
            "penalty-tier",
            "--subjects",
            "s.jsonl",
            "--records",
            "r.jsonl",
            "--as-of",
            "2021-07-24",
        ],
        dir.path(),
    );
    assert!(out.status.success());
    let l = lines(&out.stdout);
    let order: Vec<(&str, &str)> = l
        .iter()
        .map(|x| {
            (
                x["subject"].as_str().unwrap_or(""),
                x["record"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(order, vec![(B, "b1"), (A, "p1"), (A, "p2")]);
    assert_eq!(l[1]["tier"], "general");
    assert_eq!(l[1]["display_until"], "2022-01-01");
    assert_eq!(l[1]["repairable_from"], "2021-04-02");
    assert_eq!(l[1]["visible"], true);
}

#[test]
fn evaluate_reports_every_bad_row_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_jsonl(&dir.path().join("s.jsonl"), &subjects());
    let mut bad = penalty("x1", A, "2021-02-30", 10.0);
    bad["fine_cny"] = json!("ten");
    let text = format!(
        "{}\n{}\nnot json\n{}\n",
        penalty("ok", A, "2021-01-01", 1.0),
        bad,
        json!({"id": "x2", "kind": "penalti", "subject": A, "source": "SCJG", "date": "2021-01-01"})
    );
    std::fs::write(dir.path().join("r.jsonl"), text).expect("write");
    let out = run(
        &[
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
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("r.jsonl line 2, field date"), "{err}");
    assert!(err.contains("r.jsonl line 2, field fine_cny"), "{err}");
    assert!(err.contains("r.jsonl line 3"), "{err}");
    assert!(err.contains("r.jsonl line 4, field kind"), "{err}");
    assert!(
        !dir.path().join("o.jsonl").exists(),
        "nothing written to --out"
    );
}

#[test]
fn evaluate_rejects_an_unknown_model_and_a_bad_date() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_jsonl(&dir.path().join("s.jsonl"), &subjects());
    // A valid, non-empty records file, so that only the model is wrong.
    write_jsonl(
        &dir.path().join("r.jsonl"),
        &[penalty("p1", A, "2021-01-01", 1000.0)],
    );
    let out = run(
        &[
            "evaluate",
            "--model",
            "nope",
            "--subjects",
            "s.jsonl",
            "--records",
            "r.jsonl",
            "--as-of",
            "2021-07-24",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown model 'nope'"), "{err}");
    // The same files with a known model are fine.
    let out = run(
        &[
            "evaluate",
            "--model",
            "anhui-class",
            "--subjects",
            "s.jsonl",
            "--records",
            "r.jsonl",
            "--as-of",
            "2021-07-24",
        ],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(lines(&out.stdout).len(), 2);
    let out = run(
        &[
            "evaluate",
            "--model",
            "anhui-class",
            "--subjects",
            "s.jsonl",
            "--records",
            "r.jsonl",
            "--as-of",
            "2021-02-30",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("2021-02-30"), "{err}");
}

// ---------------------------------------------------------------- import

fn summary(out: &Output) -> Value {
    let l = lines(&out.stdout);
    assert_eq!(
        l.len(),
        1,
        "one summary line: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    l[0].clone()
}

#[test]
fn import_exit_codes_summary_and_idempotence() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let data = data.to_str().expect("utf-8 path");
    write_jsonl(&dir.path().join("subjects.jsonl"), &subjects());
    write_jsonl(
        &dir.path().join("records.jsonl"),
        &[
            penalty("p1", A, "2021-01-01", 1000.0),
            penalty("p2", "91210804MA0Y123400", "2021-01-01", 1.0),
        ],
    );

    let out = run(
        &[
            "import",
            "--data-dir",
            data,
            "subjects.jsonl",
            "records.jsonl",
        ],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = summary(&out);
    assert_eq!(
        s,
        json!({"accepted": 4, "rejected": 0, "warnings": 1, "unchanged": 0})
    );
    let keys: Vec<&str> = s
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, vec!["accepted", "rejected", "warnings", "unchanged"]);

    // The same files again: nothing changes.
    let out = run(
        &[
            "import",
            "--data-dir",
            data,
            "subjects.jsonl",
            "records.jsonl",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        summary(&out),
        json!({"accepted": 0, "rejected": 0, "warnings": 1, "unchanged": 4})
    );

    // Some rows rejected: exit 3, the valid ones stored.
    std::fs::write(
        dir.path().join("mixed.jsonl"),
        format!("{}\n{{\"id\": 1}}\n", penalty("p3", A, "2021-02-01", 5.0)),
    )
    .expect("write");
    let out = run(&["import", "--data-dir", data, "mixed.jsonl"], dir.path());
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(summary(&out)["rejected"], 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("mixed.jsonl line 2"));

    // Unusable input: exit 2, nothing stored.
    std::fs::write(dir.path().join("empty.jsonl"), "").expect("write");
    let out = run(
        &["import", "--data-dir", data, "empty.jsonl", "records.jsonl"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    std::fs::write(dir.path().join("bin.jsonl"), [0u8, 159, 146, 150, 0, 1, 2]).expect("write");
    assert_eq!(
        run(&["import", "--data-dir", data, "bin.jsonl"], dir.path())
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(&["import", "--data-dir", data, "missing.jsonl"], dir.path())
            .status
            .code(),
        Some(2)
    );
}

// ---------------------------------------------------------------- engine

#[test]
fn evaluate_all_history_and_incremental_after_import() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let data = data.to_str().expect("utf-8 path");
    write_jsonl(&dir.path().join("subjects.jsonl"), &subjects());
    write_jsonl(
        &dir.path().join("r1.jsonl"),
        &[penalty("p1", A, "2026-01-05", 1000.0)],
    );
    assert_eq!(
        run(
            &["import", "--data-dir", data, "subjects.jsonl", "r1.jsonl"],
            dir.path()
        )
        .status
        .code(),
        Some(0)
    );

    let out = run(
        &[
            "evaluate-all",
            "--data-dir",
            data,
            "--as-of",
            "2026-06-30",
            "--model",
            "anhui-class",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run1 = lines(&out.stdout)[0].clone();
    assert_eq!(run1["subjects"], 2);
    assert_eq!(
        run1["models"],
        json!([{"id": "anhui-class", "version": "2018.1"}])
    );

    // An import of four more penalties for A re-evaluates at once (today):
    // A's class changes and the history explains it. The store was evaluated
    // with one model only, so no re-evaluation mark says what its runs saw:
    // this first round re-evaluates every subject (both), once.
    let more: Vec<Value> = (2..6)
        .map(|i| penalty(&format!("p{i}"), A, &format!("2026-0{i}-05"), 100.0))
        .collect();
    write_jsonl(&dir.path().join("r2.jsonl"), &more);
    let out = run(&["import", "--data-dir", data, "r2.jsonl"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("re-evaluated 2 subjects"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = run(
        &[
            "history",
            "--data-dir",
            data,
            "--subject",
            A,
            "--model",
            "anhui-class",
        ],
        dir.path(),
    );
    assert!(out.status.success());
    let h = lines(&out.stdout);
    assert_eq!(h.len(), 2, "two outcomes: {h:?}");
    assert_eq!(h[0]["outcome"], "dishonest");
    assert_eq!(h[1]["outcome"], "severely_dishonest");
    assert_eq!(h[1]["run_kind"], "incremental");
    assert_eq!(h[1]["line"]["reasons"][0]["rule"], "S2");
    assert_eq!(
        h[1]["line"]["reasons"][0]["records"]
            .as_array()
            .map(Vec::len),
        Some(5)
    );
}

#[test]
fn model_check_and_install_a_new_version() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let data = data.to_str().expect("utf-8 path");
    let original = String::from_utf8(
        run(
            &["model", "show", "tianjin-risk", "--data-dir", data],
            dir.path(),
        )
        .stdout,
    )
    .expect("utf-8");
    assert!(original.contains("id = \"tianjin-risk\""));

    // A broken file: the error names file, line and column.
    let broken = original.replace("n_nw > max_count", "n_nw > max_cont");
    std::fs::write(dir.path().join("broken.toml"), &broken).expect("write");
    let out = run(
        &["model", "check", "broken.toml", "--data-dir", data],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let line = broken
        .lines()
        .position(|l| l.contains("max_cont"))
        .expect("line")
        + 1;
    assert!(
        err.contains(&format!("broken.toml:{line}:")) && err.contains("max_cont"),
        "{err}"
    );

    // A new version with a stricter threshold: installed, then used.
    let v2 = original
        .replace("version = \"2015.1\"", "version = \"2026.2\"")
        .replace("max_count = 5", "max_count = 3");
    std::fs::write(dir.path().join("tianjin-v2.toml"), &v2).expect("write");
    let out = run(
        &["model", "install", "tianjin-v2.toml", "--data-dir", data],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let installed = summary(&out);
    assert_eq!(installed["installed"], "tianjin-risk");
    assert_eq!(installed["version"], "2026.2");
    // Who and when are recorded in the store (the operator's command line).
    assert_eq!(installed["installed_by"], "cli");
    assert!(
        installed["installed_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    write_jsonl(&dir.path().join("s.jsonl"), &subjects());
    let four: Vec<Value> = (1..5)
        .map(|i| penalty(&format!("p{i}"), A, &format!("2026-0{i}-05"), 100.0))
        .collect();
    write_jsonl(&dir.path().join("r.jsonl"), &four);
    let out = run(
        &[
            "evaluate",
            "--model",
            "tianjin-risk",
            "--subjects",
            "s.jsonl",
            "--records",
            "r.jsonl",
            "--as-of",
            "2026-06-30",
            "--data-dir",
            data,
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let l = lines(&out.stdout);
    let a = l.iter().find(|x| x["subject"] == A).expect("A");
    assert_eq!(a["model_version"], "2026.2");
    assert_eq!(
        a["class"], "severely_dishonest",
        "4 > 3 under the new version"
    );
    // Installing a different text under an existing version is refused.
    std::fs::write(
        dir.path().join("tianjin-v2b.toml"),
        v2.replace("max_count = 3", "max_count = 2"),
    )
    .expect("write");
    assert_eq!(
        run(
            &["model", "install", "tianjin-v2b.toml", "--data-dir", data],
            dir.path()
        )
        .status
        .code(),
        Some(2)
    );
}
