//! `xinyong digest`: two installations that hold the same data have the
//! same digest, whatever order and batches wrote it; one more version, or
//! results not yet re-evaluated, change it.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

const DAY: &str = "2026-06-30";

fn digest(data: &str, dir: &Path) -> Value {
    // As of today: the runs of today record the re-evaluation mark.
    let out = run(&["digest", "--data-dir", data], dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    lines(&out.stdout).remove(0)
}

fn ok(args: &[&str], dir: &Path) {
    let out = run(args, dir);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_same_data_written_otherwise_has_the_same_digest() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(
        &[
            "gen",
            "--subjects",
            "200",
            "--seed",
            "5",
            "--out",
            "city",
            "--reference-date",
            DAY,
        ],
        d,
    );
    let records = std::fs::read_to_string(d.join("city/records.jsonl")).unwrap();
    let rows: Vec<&str> = records.lines().collect();
    let half = rows.len() / 2;
    // The second half first, then the first: other batches, other order.
    std::fs::write(d.join("late.jsonl"), rows[..half].join("\n") + "\n").unwrap();
    std::fs::write(d.join("early.jsonl"), rows[half..].join("\n") + "\n").unwrap();

    ok(
        &[
            "import",
            "--data-dir",
            "one",
            "--quiet",
            "--no-evaluate",
            "city/subjects.jsonl",
            "city/records.jsonl",
        ],
        d,
    );
    ok(&["evaluate-all", "--data-dir", "one"], d);
    ok(
        &[
            "import",
            "--data-dir",
            "two",
            "--quiet",
            "--no-evaluate",
            "city/subjects.jsonl",
            "early.jsonl",
        ],
        d,
    );
    ok(
        &[
            "import",
            "--data-dir",
            "two",
            "--quiet",
            "--no-evaluate",
            "late.jsonl",
        ],
        d,
    );
    ok(&["evaluate-all", "--data-dir", "two"], d);
    let one = digest("one", d);
    let two = digest("two", d);
    assert_eq!(one, two);
    assert_eq!(one["record_versions"].as_u64().unwrap(), rows.len() as u64);
    assert_eq!(one["subjects"], 200);
    assert_eq!(one["subjects_with_results"], 200);
    for zero in [
        "batches_running",
        "lake_missing_versions",
        "leftover_files",
        "reevaluation_owed",
    ] {
        assert_eq!(one[zero], 0, "{zero}");
    }

    // One changed record: a new version, results owed until re-evaluated.
    let mut changed: Value = serde_json::from_str(rows[0]).unwrap();
    changed["note"] = Value::from("更正");
    std::fs::write(d.join("changed.jsonl"), format!("{changed}\n")).unwrap();
    ok(
        &[
            "import",
            "--data-dir",
            "two",
            "--quiet",
            "--no-evaluate",
            "changed.jsonl",
        ],
        d,
    );
    let after = digest("two", d);
    assert_eq!(
        after["record_versions"].as_u64().unwrap(),
        rows.len() as u64 + 1
    );
    assert_ne!(
        after["record_versions_sha256"],
        one["record_versions_sha256"]
    );
    assert_eq!(
        after["subject_versions_sha256"],
        one["subject_versions_sha256"]
    );
    assert_eq!(after["reevaluation_owed"], 1, "{after}");
}

/// A process killed after its batch was marked finished but before its
/// mirror closed the lake segment leaves versions the lake lacks although
/// no batch was interrupted (found by scripts/crash-harness.sh: 3 of 100
/// trials). The next command mirrors them: here the segment is removed by
/// hand, which leaves the same state.
#[test]
fn versions_a_dead_mirror_never_wrote_are_mirrored_on_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(
        &[
            "gen",
            "--subjects",
            "100",
            "--seed",
            "6",
            "--out",
            "city",
            "--reference-date",
            DAY,
        ],
        d,
    );
    ok(
        &[
            "import",
            "--data-dir",
            "one",
            "--quiet",
            "--no-evaluate",
            "city/subjects.jsonl",
            "city/records.jsonl",
        ],
        d,
    );
    let records = d.join("one/lake/records");
    let segments: Vec<_> = std::fs::read_dir(&records)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("seg-"))
        .collect();
    assert!(!segments.is_empty());
    for s in &segments {
        std::fs::remove_dir_all(s).unwrap();
    }
    // `digest` opens the installation (recovery first), then counts.
    let after = digest("one", d);
    assert_eq!(after["lake_missing_versions"], 0, "{after}");
    let back = std::fs::read_dir(&records).unwrap().count();
    assert!(back >= 1, "the versions are mirrored again");
}
