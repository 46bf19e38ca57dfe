//! The digest of an installation: what it holds, reduced to counts and
//! SHA-256 sums that two installations holding the same data share — the
//! same record and subject versions, the same quarantine, the same current
//! results of every subject as of a day — whatever order, process or run
//! wrote them (batch ids, sequence numbers, times and run ids are left
//! out). Besides, what must be zero after a crash is recovered: batches
//! still running, versions the columnar lake lacks, versions beyond the
//! re-evaluation mark, files dead writers left.
//!
//! The crash harness (`scripts/crash-harness.sh`) compares the digest of
//! an installation killed and recovered with that of a clean run; an
//! operator compares a restored backup with its original.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use crate::{App, AppError};

/// Versions read from the store per query.
const PAGE: u32 = 10_000;

/// See the module documentation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstallationDigest {
    /// The day the current results are taken as of.
    pub as_of: String,
    pub subjects: u64,
    pub subject_versions: u64,
    pub subject_versions_sha256: String,
    pub record_versions: u64,
    pub record_versions_sha256: String,
    pub quarantined: u64,
    /// Subjects with at least one current result.
    pub subjects_with_results: u64,
    /// Over every subject's current results (model, version, record,
    /// outcome, score, reasons), run ids and times left out.
    pub results_sha256: String,
    /// Batches still `running` (after recovery: none, unless a live
    /// process is importing).
    pub batches_running: u64,
    /// Record and subject versions of the store no lake segment holds.
    pub lake_missing_versions: u64,
    /// Versions beyond the re-evaluation mark (results owed).
    pub reevaluation_owed: u64,
    /// Half-written segments and result folders without a manifest.
    pub leftover_files: u64,
}

fn hex(h: Sha256) -> String {
    hex::encode(h.finalize())
}

/// Keys of a result line that name where and when it was computed, not
/// what it says.
const VOLATILE: [&str; 4] = ["run", "run_id", "computed_at", "as_of"];

impl App {
    /// The digest of this installation, its current results as of `as_of`
    /// (today when `None`). Reads everything: minutes on a large city.
    pub async fn digest(
        &self,
        as_of: Option<jiff::civil::Date>,
    ) -> Result<InstallationDigest, AppError> {
        let as_of = as_of.unwrap_or_else(|| self.today());
        // Record versions, canonically ordered.
        let mut records: Vec<(String, String, i32, i64)> = Vec::new();
        let mut record_seqs = Vec::new();
        let mut after = 0;
        loop {
            let page = self.store.record_versions_after(after, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            for r in page {
                record_seqs.push(r.seq);
                records.push((r.source, r.id, r.version, r.hash));
            }
        }
        records.sort();
        let mut h = Sha256::new();
        for (source, id, version, hash) in &records {
            h.update(format!("{source}\u{1f}{id}\u{1f}{version}\u{1f}{hash}\n"));
        }
        let record_versions_sha256 = hex(h);

        let mut subjects: Vec<(String, i32, i64)> = Vec::new();
        let mut subject_seqs = Vec::new();
        let mut after = 0;
        loop {
            let page = self.store.subject_versions_after(after, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            for s in page {
                subject_seqs.push(s.seq);
                subjects.push((s.uscc, s.version, s.hash));
            }
        }
        subjects.sort();
        let mut h = Sha256::new();
        for (uscc, version, hash) in &subjects {
            h.update(format!("{uscc}\u{1f}{version}\u{1f}{hash}\n"));
        }
        let subject_versions_sha256 = hex(h);
        let distinct: BTreeSet<&str> = subjects.iter().map(|s| s.0.as_str()).collect();

        // Current results of every subject.
        let day = crate::profile::days(as_of);
        let mut h = Sha256::new();
        let mut with_results = 0;
        for uscc in &distinct {
            let results = self.results.current_results(uscc, day).await?;
            if results.is_empty() {
                continue;
            }
            with_results += 1;
            for r in results {
                let mut line = r.line;
                if let Value::Object(m) = &mut line {
                    for k in VOLATILE {
                        m.remove(k);
                    }
                }
                let canonical = json!({
                    "subject": uscc,
                    "model": r.model,
                    "model_version": r.model_version,
                    "record": r.record_id,
                    "outcome": r.outcome,
                    "score": r.score,
                    "line": line,
                });
                h.update(canonical.to_string());
                h.update("\n");
            }
        }
        let results_sha256 = hex(h);

        let counts = self.store.counts().await?;
        let batches_running = self.store.running_batches().await?.len() as u64;
        let (max_rec, max_subj) = self.store.max_seqs().await?;
        let gaps = xinyong_engine::lake::gaps;
        let lake_missing_versions =
            missing(&gaps(&self.lake.record_segments()?, max_rec), &record_seqs)
                + missing(
                    &gaps(&self.lake.subject_segments()?, max_subj),
                    &subject_seqs,
                );
        let reevaluation_owed = match self.store.reevaluation_mark().await? {
            Some(m) => {
                count_beyond(&record_seqs, m.through_record_seq)
                    + count_beyond(&subject_seqs, m.through_subject_seq)
            }
            None => (records.len() + subjects.len()) as u64,
        };
        Ok(InstallationDigest {
            as_of: as_of.to_string(),
            subjects: distinct.len() as u64,
            subject_versions: subjects.len() as u64,
            subject_versions_sha256,
            record_versions: records.len() as u64,
            record_versions_sha256,
            quarantined: counts.quarantined,
            subjects_with_results: with_results,
            results_sha256,
            batches_running,
            lake_missing_versions,
            reevaluation_owed,
            leftover_files: leftovers(self.lake.root()),
        })
    }
}

/// Sequence numbers that fall in one of `gaps` (ordered, disjoint).
fn missing(gaps: &[(i64, i64)], seqs: &[i64]) -> u64 {
    seqs.iter()
        .filter(|&&s| {
            let i = gaps.partition_point(|g| g.0 <= s);
            i > 0 && s <= gaps[i - 1].1
        })
        .count() as u64
}

fn count_beyond(seqs: &[i64], mark: i64) -> u64 {
    seqs.iter().filter(|&&s| s > mark).count() as u64
}

/// `*.tmp` files anywhere in the lake, and result folders without their
/// manifest.
fn leftovers(root: &Path) -> u64 {
    fn walk(dir: &Path, n: &mut u64) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let path = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".tmp") {
                *n += 1;
            }
            if path.is_dir() {
                if let Some(id) = name.strip_prefix("run-")
                    && !dir.join(format!("run-{id}.json")).exists()
                {
                    *n += 1;
                }
                walk(&path, n);
            }
        }
    }
    let mut n = 0;
    walk(root, &mut n);
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_counts_numbers_inside_the_gaps() {
        let seqs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        assert_eq!(missing(&[(6, 6), (8, 9)], &seqs), 3);
        assert_eq!(missing(&[(6, 6), (8, 10)], &seqs), 4);
        assert_eq!(missing(&[(1, 10)], &seqs), 10);
        assert_eq!(missing(&[], &seqs), 0);
    }
}
