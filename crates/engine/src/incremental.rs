//! Incremental evaluation: re-evaluate only the subjects an import (or a
//! decision) touched, straight from the store, and publish the results as a
//! small run that is visible at once.

use std::collections::HashMap;
use std::time::Instant;

use xinyong_columnar::TableBuilder;
use xinyong_rules::{EvalOptions, Evaluator, ModelSet, Output, Table};
use xinyong_store::{Store, StoredRecord, StoredSubject};

use crate::EngineError;
use crate::lake::Lake;
use crate::results::{
    ModelRef, ResultBuilder, RunKind, RunManifest, RunWriter, Timings, new_run_id,
};

/// Subjects read from the store at once.
const READ_CHUNK: usize = 1_024;

/// Re-evaluate `subjects` (USCCs; one given twice is evaluated once) with `models` as of `as_of` (days since
/// epoch) and store the results as an incremental run.
pub async fn evaluate_subjects(
    store: &Store,
    lake: &Lake,
    set: &ModelSet,
    models: &[usize],
    subjects: &[String],
    as_of: i32,
    trigger: &str,
) -> Result<RunManifest, EngineError> {
    let started_at = jiff::Timestamp::now();
    let t0 = Instant::now();
    let mut sb = TableBuilder::subjects(subjects.len());
    let mut rb = TableBuilder::records(subjects.len() * 8);
    // (uscc, subject row, record rows)
    let mut groups: Vec<(String, Option<u32>, std::ops::Range<u32>)> =
        Vec::with_capacity(subjects.len());
    let mut subject_rows = 0u32;
    let mut record_rows = 0u32;
    let mut seen = std::collections::HashSet::with_capacity(subjects.len());
    let subjects: Vec<String> = subjects
        .iter()
        .filter(|s| seen.insert(s.as_str()))
        .cloned()
        .collect();
    // Read a few hundred subjects per query (a query per subject costs
    // more than its rows once thousands of subjects are touched).
    for chunk in subjects.chunks(READ_CHUNK) {
        let mut current: HashMap<String, StoredSubject> = store
            .subjects_in(chunk)
            .await?
            .into_iter()
            .map(|s| (s.uscc.clone(), s))
            .collect();
        let mut records: HashMap<String, Vec<StoredRecord>> = HashMap::new();
        for r in store.records_of_subjects(chunk).await? {
            records.entry(r.subject.clone()).or_default().push(r);
        }
        for uscc in chunk {
            let row = current.remove(uscc).map(|s| {
                sb.push_subject(s.seq, s.version, &s.body);
                subject_rows += 1;
                subject_rows - 1
            });
            let start = record_rows;
            for r in records.remove(uscc).unwrap_or_default() {
                rb.push_record(r.seq, r.version, &r.body);
                record_rows += 1;
            }
            groups.push((uscc.clone(), row, start..record_rows));
        }
    }
    let scan_ms = t0.elapsed().as_millis() as u64;
    let st = Table::subjects(&sb.finish()?);
    let rt = Table::records(&rb.finish()?);
    let t1 = Instant::now();
    let opts = crate::over_store(EvalOptions::default());
    let mut ev = Evaluator::new(set, models, &rt, Some(&st), opts);
    let id = new_run_id();
    let mut builder = ResultBuilder::new(&id);
    let mut out = Vec::new();
    let mut results = 0u64;
    for (uscc, row, range) in &groups {
        let rows: Vec<u32> = range.clone().collect();
        out.clear();
        ev.evaluate(*row, &rows, as_of, &mut out);
        for o in out.drain(..) {
            match o {
                // Subject-level results only for registered subjects.
                Output::Subject(r) if row.is_some() => {
                    builder.push_subject(&r, uscc, as_of, &rt);
                    results += 1;
                }
                Output::Subject(_) => {}
                Output::Records(rs) => {
                    for r in rs {
                        builder.push_record(&r, uscc, as_of, &rt);
                        results += 1;
                    }
                }
            }
        }
    }
    let rules_ms = t1.elapsed().as_millis() as u64;
    let t2 = Instant::now();
    let results_dir = lake.results_dir();
    let mut writer = RunWriter::create(&results_dir, &id)?;
    let mut part = writer.part(0)?;
    part.write(&builder.finish()?)?;
    part.close()?;
    let manifest = RunManifest {
        id,
        kind: RunKind::Incremental,
        as_of: xinyong_rules::result::date_text(as_of),
        models: models.iter().map(|&m| ModelRef::of(set, m)).collect(),
        subjects: groups.iter().filter(|g| g.1.is_some()).count() as u64,
        records: u64::from(record_rows),
        results,
        started_at: started_at.to_string(),
        finished_at: jiff::Timestamp::now().to_string(),
        trigger: trigger.to_owned(),
        timings: Timings {
            sync_ms: 0,
            scan_ms,
            group_ms: 0,
            rules_ms,
            write_ms: t2.elapsed().as_millis() as u64,
            total_ms: t0.elapsed().as_millis() as u64,
        },
        files: Vec::new(),
    };
    writer.commit(store, manifest).await
}
