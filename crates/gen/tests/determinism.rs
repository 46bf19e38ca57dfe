//! The same (subjects, seed, reference date) gives byte-identical files.

mod common;

use std::path::Path;

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for name in [
        "subjects.jsonl",
        "records.jsonl",
        "scenarios.jsonl",
        "malformed/records.jsonl",
        "malformed/subjects.jsonl",
    ] {
        let bytes = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        out.push((name.to_owned(), bytes));
    }
    out
}

#[test]
fn same_configuration_same_bytes() {
    let (a, sa) = common::city(3_000, 11, true);
    let (b, sb) = common::city(3_000, 11, true);
    for ((name, x), (_, y)) in files(a.path()).iter().zip(files(b.path())) {
        assert!(!x.is_empty(), "{name} is empty");
        assert!(*x == y, "{name} differs between two runs");
    }
    assert_eq!(sa.records, sb.records);
    assert_eq!(sa.by_kind, sb.by_kind);
    assert_eq!(sa.by_source, sb.by_source);
}

#[test]
fn another_seed_or_date_gives_another_city() {
    let (a, _) = common::city(500, 1, false);
    let (b, _) = common::city(500, 2, false);
    let ra = std::fs::read(a.path().join("records.jsonl")).unwrap();
    let rb = std::fs::read(b.path().join("records.jsonl")).unwrap();
    assert_ne!(ra, rb);

    let dir = tempfile::tempdir().unwrap();
    let mut cfg = xinyong_gen::GenConfig::new(500, 1);
    cfg.reference_date = jiff::civil::date(2024, 2, 29);
    let summary = xinyong_gen::generate(&cfg, dir.path(), &|_| {}).unwrap();
    assert!(summary.records > 0);
    let rc = std::fs::read(dir.path().join("records.jsonl")).unwrap();
    assert_ne!(ra, rc);
    for line in common::lines(&dir.path().join("scenarios.jsonl")) {
        assert!(line.contains("\"as_of\":\"2024-02-29\""), "{line}");
    }
}

#[test]
fn unsupported_reference_dates_and_unwritable_dirs_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = xinyong_gen::GenConfig::new(10, 1);
    cfg.reference_date = jiff::civil::date(2015, 1, 1);
    assert!(matches!(
        xinyong_gen::generate(&cfg, dir.path(), &|_| {}),
        Err(xinyong_gen::GenError::Config(_))
    ));

    // a file where the output directory should be
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"x").unwrap();
    let cfg = xinyong_gen::GenConfig::new(10, 1);
    assert!(matches!(
        xinyong_gen::generate(&cfg, &file, &|_| {}),
        Err(xinyong_gen::GenError::Io { .. })
    ));
}

#[test]
fn progress_is_reported_up_to_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let seen = std::cell::RefCell::new(Vec::new());
    let cfg = xinyong_gen::GenConfig::new(10_000, 5);
    xinyong_gen::generate(&cfg, dir.path(), &|n| seen.borrow_mut().push(n)).unwrap();
    let seen = seen.into_inner();
    assert_eq!(seen.last(), Some(&10_000));
    assert!(seen.windows(2).all(|w| w[0] <= w[1]));
    assert!(seen.len() >= 3);
}

#[test]
fn empty_city() {
    let (dir, summary) = common::city(0, 1, false);
    assert_eq!(summary.records, 0);
    assert_eq!(summary.scenarios, 0);
    assert!(common::lines(&dir.path().join("subjects.jsonl")).is_empty());
}
