//! Every line of a 2,000-subject city validates against the interchange
//! contract (xinyong-core), with only `uscc_check` warnings.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};

use xinyong_core::record::{validate_record, validate_subject};

#[test]
fn every_line_validates() {
    let (dir, summary) = common::city(2_000, 3, false);
    let subjects = common::objects(&dir.path().join("subjects.jsonl"));
    assert_eq!(subjects.len(), 2_000);
    let mut warnings: BTreeMap<&str, usize> = BTreeMap::new();
    let mut usccs = HashSet::new();
    let mut established: HashMap<String, String> = HashMap::new();
    for (i, obj) in subjects.into_iter().enumerate() {
        match validate_subject(obj) {
            Ok(v) => {
                for w in &v.warnings {
                    *warnings.entry(w.code).or_default() += 1;
                }
                assert!(usccs.insert(v.uscc.clone()), "duplicate USCC {}", v.uscc);
                let est = v
                    .body
                    .get("established_on")
                    .and_then(|e| e.as_str())
                    .unwrap_or_default();
                established.insert(v.uscc.clone(), est.to_owned());
            }
            Err(e) => panic!("subjects.jsonl:{}: {e:?}", i + 1),
        }
    }
    let records = common::objects(&dir.path().join("records.jsonl"));
    assert_eq!(records.len() as u64, summary.records);
    let mut ids: HashMap<String, u64> = HashMap::new();
    let mut finished_subjects: HashSet<String> = HashSet::new();
    let mut current = String::new();
    let start = jiff::civil::date(2018, 1, 1);
    let reference = xinyong_gen::default_reference_date();
    for (i, obj) in records.into_iter().enumerate() {
        let v = match validate_record(obj) {
            Ok(v) => v,
            Err(e) => panic!("records.jsonl:{}: {e:?}", i + 1),
        };
        for w in &v.warnings {
            *warnings.entry(w.code).or_default() += 1;
        }
        assert!(
            usccs.contains(&v.subject),
            "record {} of unknown subject {}",
            v.id,
            v.subject
        );
        assert!(
            v.date >= start && v.date <= reference,
            "record {} dated {}",
            v.id,
            v.date
        );
        assert!(
            v.date.to_string() >= established[&v.subject],
            "record {} before its subject was established",
            v.id
        );
        // records of one subject are adjacent
        if v.subject != current {
            assert!(
                !finished_subjects.contains(&v.subject),
                "records of {} are not adjacent",
                v.subject
            );
            finished_subjects.insert(std::mem::replace(&mut current, v.subject.clone()));
        }
        // ids unique per source and increasing in file order: SRC-XX-000000123
        let seq: u64 =
            v.id.rsplit('-')
                .next()
                .and_then(|n| n.parse().ok())
                .expect("numeric id suffix");
        assert!(v.id.starts_with(&format!("{}-", v.source)), "{}", v.id);
        let last = ids.entry(v.source.clone()).or_insert(0);
        assert!(seq > *last, "id {} not increasing for {}", v.id, v.source);
        *last = seq;
    }
    let unexpected: Vec<_> = warnings.keys().filter(|k| **k != "uscc_check").collect();
    assert!(unexpected.is_empty(), "unexpected warnings: {warnings:?}");
    let check_failures = warnings.get("uscc_check").copied().unwrap_or(0);
    assert!(
        check_failures > 0,
        "some subjects carry a check-failing USCC (with their records)"
    );
    eprintln!("warnings: {warnings:?}");
}

#[test]
fn summary_matches_the_files() {
    let (dir, summary) = common::city(1_500, 9, false);
    let records = common::objects(&dir.path().join("records.jsonl"));
    let mut by_kind: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_source: BTreeMap<String, u64> = BTreeMap::new();
    for r in &records {
        *by_kind.entry(common::s(r, "kind").to_owned()).or_default() += 1;
        *by_source
            .entry(common::s(r, "source").to_owned())
            .or_default() += 1;
    }
    let nonzero: BTreeMap<String, u64> = summary
        .by_kind
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| (k.clone(), *n))
        .collect();
    assert_eq!(nonzero, by_kind);
    assert_eq!(summary.by_source, by_source);
    assert_eq!(
        summary.by_kind.len(),
        xinyong_core::catalog::KIND_CODES.len()
    );
    assert_eq!(summary.subjects, 1_500);
    let scenario_lines = common::lines(&dir.path().join("scenarios.jsonl")).len() as u64;
    assert_eq!(summary.scenarios, scenario_lines);
}
