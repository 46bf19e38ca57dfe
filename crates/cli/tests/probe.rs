//! Issue 17: the seven defects a probe of the command line found, each
//! reproduced through the real `xinyong` binary as the probe did.

mod common;

use std::path::Path;
use std::process::{Output, Stdio};
use std::time::Duration;

use common::{lines, run, write_jsonl, xinyong};
use serde_json::{Value, json};

const A: &str = "91210804MA0Y123404";

fn subject() -> Value {
    json!({"uscc": A, "name": "营口甲公司", "type": "enterprise", "established_on": "2012-03-01"})
}

fn penalty(id: &str, date: &str, fine: &str) -> String {
    format!(
        r#"{{"id": "{id}", "kind": "penalty", "subject": "{A}", "source": "SCJG", "date": "{date}", "procedure": "general", "sanctions": ["fine"], "fine_cny": {fine}}}"#
    )
}

fn summary(out: &Output) -> Value {
    let all = lines(&out.stdout);
    assert_eq!(
        all.len(),
        1,
        "one summary line; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    all[0].clone()
}

fn import(data: &str, files: &[&str], dir: &Path) -> Output {
    let mut args = vec!["import", "--data-dir", data];
    args.extend_from_slice(files);
    run(&args, dir)
}

/// The classes of A's `anhui-class` history, oldest first.
fn classes(data: &str, dir: &Path) -> Vec<String> {
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
        dir,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    lines(&out.stdout)
        .iter()
        .map(|h| h["outcome"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// A with one penalty (失信), evaluated.
fn evaluated_city(dir: &Path, data: &str) {
    write_jsonl(&dir.join("subjects.jsonl"), &[subject()]);
    std::fs::write(
        dir.join("city.jsonl"),
        format!("{}\n", penalty("P0", "2026-01-05", "1000")),
    )
    .unwrap();
    assert_eq!(
        import(data, &["subjects.jsonl", "city.jsonl"], dir)
            .status
            .code(),
        Some(0)
    );
    let out = run(
        &["evaluate-all", "--data-dir", data, "--model", "anhui-class"],
        dir,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(classes(data, dir), ["dishonest"]);
}

/// Defect 1, deterministic: the rows of an import are committed but its
/// re-evaluation never runs (`--no-evaluate` stops exactly where a kill
/// between the two would); the re-run finds every row unchanged and still
/// brings the history up to date.
#[test]
fn a_rerun_after_rows_were_committed_but_not_reevaluated_updates_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    evaluated_city(dir.path(), data);
    let more: String = (1..=4)
        .map(|i| format!("{}\n", penalty(&format!("P{i}"), "2026-02-05", "100")))
        .collect();
    std::fs::write(dir.path().join("more.jsonl"), more).unwrap();

    let out = run(
        &["import", "--data-dir", data, "--no-evaluate", "more.jsonl"],
        dir.path(),
    );
    assert_eq!(summary(&out)["accepted"], 4);
    assert_eq!(classes(data, dir.path()), ["dishonest"], "stale so far");

    let out = import(data, &["more.jsonl"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        summary(&out),
        json!({"accepted": 0, "rejected": 0, "warnings": 0, "unchanged": 4})
    );
    assert_eq!(
        classes(data, dir.path()),
        ["dishonest", "severely_dishonest"],
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Defect 1 as the probe did it: 3,000 new penalties, the import killed
/// with SIGKILL mid-way, then run again. Whenever the kill came, the
/// re-run ends with the new class in the history.
#[test]
fn an_import_killed_mid_way_and_run_again_leaves_no_stale_result() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    evaluated_city(dir.path(), data);
    let many: String = (1..=3000)
        .map(|i| format!("{}\n", penalty(&format!("K{i}"), "2026-03-01", "100")))
        .collect();
    std::fs::write(dir.path().join("many.jsonl"), many).unwrap();

    let mut child = xinyong()
        .args(["import", "--data-dir", data, "many.jsonl"])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let _ = child.kill();
    let _ = child.wait();

    let out = import(data, &["many.jsonl"], dir.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = summary(&out);
    assert_eq!(
        s["accepted"].as_u64().unwrap() + s["unchanged"].as_u64().unwrap(),
        3000
    );
    assert_eq!(
        classes(data, dir.path()).last().map(String::as_str),
        Some("severely_dishonest")
    );
    // Nothing half-written stays in the lake.
    let leftovers: Vec<String> = ["lake/records", "lake/subjects"]
        .iter()
        .filter_map(|d| std::fs::read_dir(dir.path().join("data").join(d)).ok())
        .flat_map(|entries| entries.flatten())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Defect 3: several first imports into one new data directory at once all
/// succeed (one migrates, the others wait), and store the rows once.
#[test]
fn first_imports_into_a_new_data_directory_at_once_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    write_jsonl(&dir.path().join("subjects.jsonl"), &[subject()]);
    let data = dir.path().join("fresh");
    let data = data.to_str().unwrap();
    let children: Vec<_> = (0..4)
        .map(|_| {
            xinyong()
                .args(["import", "--data-dir", data, "subjects.jsonl"])
                .current_dir(dir.path())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut accepted = 0;
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        accepted += summary(&out)["accepted"].as_u64().unwrap();
    }
    assert_eq!(accepted, 1, "the subject is stored once");
}

/// Defects 4, 5 and 7 through the binary: an unclosed CSV quote, a NUL
/// byte early or late, a duplicate key and a line nested 10,000 deep are
/// each one rejected row (exit 3, the row named), the other rows stored.
#[test]
fn malformed_rows_are_rejected_alone_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    write_jsonl(&dir.path().join("subjects.jsonl"), &[subject()]);
    assert_eq!(
        import(data, &["subjects.jsonl"], dir.path()).status.code(),
        Some(0)
    );

    let header = "id,kind,subject,source,date,procedure,sanctions,fine_cny,note\n";
    let row = |id: &str, note: &str| {
        format!("{id},penalty,{A},SCJG,2026-03-04,general,fine,100,{note}\n")
    };
    let csv = format!(
        "{header}{}{}{}{}{}",
        row("C1", "ok"),
        row("C2", "\"stray"),
        row("C3", "fine"),
        row("C4", "last\""),
        row("C5", "ok")
    );
    std::fs::write(dir.path().join("quote.csv"), csv).unwrap();
    let out = import(data, &["quote.csv"], dir.path());
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        summary(&out)["accepted"],
        4,
        "C1, C3, C4, C5: none swallowed"
    );
    assert_eq!(summary(&out)["rejected"], 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("quote.csv") && err.contains("note"), "{err}");

    let nul = format!(
        "{}\n",
        penalty("N0", "2026-03-04", "1").replace("SCJG", "SC\0JG")
    );
    let good = |from: usize, n: usize| -> String {
        (from..from + n)
            .map(|i| format!("{}\n", penalty(&format!("N{i}"), "2026-03-04", "1")))
            .collect()
    };
    let early = format!("{}{nul}{}", good(1, 2), good(3, 1));
    let late = format!("{}{nul}", good(10, 600));
    assert!(late.len() > 64 * 1024 + nul.len());
    std::fs::write(dir.path().join("early.jsonl"), early).unwrap();
    std::fs::write(dir.path().join("late.jsonl"), late).unwrap();
    for (file, accepted) in [("early.jsonl", 3), ("late.jsonl", 600)] {
        let out = import(data, &[file], dir.path());
        assert_eq!(out.status.code(), Some(3), "{file}");
        assert_eq!(summary(&out)["accepted"], accepted, "{file}");
        assert_eq!(summary(&out)["rejected"], 1, "{file}");
    }

    let dup = penalty("D1", "2026-03-04", "1")
        .replace("\"fine_cny\": 1", "\"fine_cny\": 1, \"fine_cny\": 2");
    let deep = penalty("D2", "2026-03-04", "1").replace(
        "\"fine_cny\": 1",
        &format!(
            "\"fine_cny\": 1, \"deep\": {}1{}",
            "[".repeat(10_000),
            "]".repeat(10_000)
        ),
    );
    let kept = penalty("D3", "2026-03-04", "1").replace(
        "\"fine_cny\": 1",
        &format!(
            "\"fine_cny\": 1, \"deep\": {}1{}",
            "[".repeat(200),
            "]".repeat(200)
        ),
    );
    std::fs::write(
        dir.path().join("json.jsonl"),
        format!("{dup}\n{deep}\n{kept}\n"),
    )
    .unwrap();
    let out = import(data, &["json.jsonl"], dir.path());
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        summary(&out)["accepted"],
        1,
        "the 200-deep extra field is kept"
    );
    assert_eq!(summary(&out)["rejected"], 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("json.jsonl line 1") && err.contains("fine_cny"),
        "{err}"
    );
    assert!(err.contains("json.jsonl line 2"), "{err}");
}

/// Defect 6: the same amount spelt otherwise is the same version.
#[test]
fn a_number_spelt_otherwise_is_not_a_new_version() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    write_jsonl(&dir.path().join("subjects.jsonl"), &[subject()]);
    std::fs::write(
        dir.path().join("a.jsonl"),
        format!("{}\n", penalty("M1", "2026-03-04", "50000")),
    )
    .unwrap();
    assert_eq!(
        summary(&import(data, &["subjects.jsonl", "a.jsonl"], dir.path()))["accepted"],
        2
    );
    for spelling in ["50000.0", "50000.00", "5e4", "5.0E+4"] {
        std::fs::write(
            dir.path().join("b.jsonl"),
            format!("{}\n", penalty("M1", "2026-03-04", spelling)),
        )
        .unwrap();
        assert_eq!(
            summary(&import(data, &["b.jsonl"], dir.path())),
            json!({"accepted": 0, "rejected": 0, "warnings": 0, "unchanged": 1}),
            "{spelling}"
        );
    }
    std::fs::write(
        dir.path().join("c.jsonl"),
        format!("{}\n", penalty("M1", "2026-03-04", "50000.5")),
    )
    .unwrap();
    assert_eq!(
        summary(&import(data, &["c.jsonl"], dir.path()))["accepted"],
        1
    );
}

/// Defect 7c: an empty `.jsonl` and a header-only `.csv` are treated alike:
/// unusable input, exit 2, nothing printed on stdout, nothing stored.
#[test]
fn an_empty_jsonl_and_a_header_only_csv_are_treated_alike() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    std::fs::write(dir.path().join("empty.jsonl"), "").unwrap();
    std::fs::write(dir.path().join("blank.jsonl"), "\n  \n").unwrap();
    std::fs::write(dir.path().join("header.csv"), "uscc,name,type\n").unwrap();
    for file in ["empty.jsonl", "blank.jsonl", "header.csv"] {
        let out = import(data, &[file], dir.path());
        assert_eq!(out.status.code(), Some(2), "{file}");
        assert!(out.stdout.is_empty(), "{file}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(file), "{file}: {err}");
    }
}
