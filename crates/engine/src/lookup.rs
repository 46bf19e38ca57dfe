//! The fast lookup of a subject's stored results, for a server.
//!
//! [`crate::history::current_results`] scans every result file with a fresh
//! DataFusion context per call: correct, far too slow for a request. A
//! [`ResultIndex`] keeps, per run the store lists, the Parquet metadata of
//! its parts with their page index in memory. Result files are sorted by
//! subject within each part and the `subject` column carries page
//! statistics, so a lookup:
//!
//! 1. picks the runs that matter: for the current results, runs as of the
//!    date asked or earlier, newest as-of first, then newest run (a look
//!    ahead is ignored, a look back does not replace a later as-of), and
//!    stops as soon as every model those runs hold has its result (a subject
//!    absent from an incremental run falls back to older runs);
//! 2. in each part, keeps only the pages whose subject range holds the
//!    subject (page index), and reads them with a row filter on `subject`,
//!    so the other columns are decoded only for the subject's rows.
//!
//! The index refreshes itself when the store counts a run it does not hold
//! (a run committed by any process), at the next lookup.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::File;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use arrow::array::{RecordBatch, StringArray};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowPredicateFn, ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
    RowFilter, RowSelection,
};
use parquet::file::metadata::{PageIndexPolicy, ParquetMetaData};
use parquet::file::page_index::column_index::ColumnIndexMetaData;
use xinyong_store::Store;

use crate::EngineError;
use crate::history::{StoredResult, push_results};
use crate::lake::Lake;
use crate::results::{RunKind, RunManifest, store_runs};

/// One part (Parquet file) of a run, its metadata in memory.
struct Part {
    path: PathBuf,
    meta: ArrowReaderMetadata,
    /// Leaf index of the `subject` column.
    subject: usize,
}

/// A run the index holds.
struct IndexedRun {
    manifest: RunManifest,
    /// Model ids the run stored (empty: unknown, e.g. an old manifest).
    models: BTreeSet<String>,
    parts: Vec<Part>,
}

/// What the index holds at one time.
#[derive(Default)]
struct Snapshot {
    /// The store's run count when loaded (`None`: never loaded).
    count: Option<u64>,
    /// By run id.
    runs: Vec<Arc<IndexedRun>>,
}

/// The in-memory index of the stored runs' result files. Cheap to share
/// (`Arc` it); lookups run concurrently.
pub struct ResultIndex {
    store: Store,
    results_dir: PathBuf,
    snapshot: RwLock<Arc<Snapshot>>,
    refreshing: tokio::sync::Mutex<()>,
}

impl ResultIndex {
    /// An index of the runs `store` lists, whose files are in `lake`
    /// (loaded at the first lookup).
    pub fn new(store: Store, lake: &Lake) -> ResultIndex {
        ResultIndex {
            store,
            results_dir: lake.results_dir(),
            snapshot: RwLock::new(Arc::new(Snapshot::default())),
            refreshing: tokio::sync::Mutex::new(()),
        }
    }

    fn current(&self) -> Arc<Snapshot> {
        match self.snapshot.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Load the runs the store lists and the index lacks (one count query
    /// when nothing changed). Returns the snapshot to read.
    async fn refresh(&self) -> Result<Arc<Snapshot>, EngineError> {
        let count = self.store.run_count().await?;
        let snap = self.current();
        if snap.count == Some(count) {
            return Ok(snap);
        }
        let _one_at_a_time = self.refreshing.lock().await;
        let snap = self.current();
        if snap.count == Some(count) {
            return Ok(snap);
        }
        let listed = store_runs(&self.store).await?;
        let count = listed.len() as u64;
        let known: HashMap<&str, &Arc<IndexedRun>> = snap
            .runs
            .iter()
            .map(|r| (r.manifest.id.as_str(), r))
            .collect();
        let mut runs = Vec::with_capacity(listed.len());
        for m in listed {
            match known.get(m.id.as_str()) {
                Some(r) => runs.push(Arc::clone(r)),
                None => runs.push(Arc::new(load_run(&self.results_dir, m)?)),
            }
        }
        runs.sort_by(|a, b| a.manifest.id.cmp(&b.manifest.id));
        let fresh = Arc::new(Snapshot {
            count: Some(count),
            runs,
        });
        match self.snapshot.write() {
            Ok(mut s) => *s = fresh.clone(),
            Err(poisoned) => *poisoned.into_inner() = fresh.clone(),
        }
        Ok(fresh)
    }

    /// How many runs the index holds (after a refresh).
    pub async fn runs(&self) -> Result<usize, EngineError> {
        Ok(self.refresh().await?.runs.len())
    }

    /// The current subject-level result of each model for `uscc` as of
    /// `as_of` (days since epoch), by model id: the same answer as
    /// [`crate::history::current_results`].
    pub async fn current_results(
        &self,
        uscc: &str,
        as_of: i32,
    ) -> Result<Vec<StoredResult>, EngineError> {
        let snap = self.refresh().await?;
        // Dates as `YYYY-MM-DD` order as their texts.
        let asked = xinyong_rules::result::date_text(as_of);
        let mut candidates: Vec<&Arc<IndexedRun>> = snap
            .runs
            .iter()
            .filter(|r| r.manifest.as_of <= asked)
            .collect();
        candidates.sort_by(|a, b| {
            (&b.manifest.as_of, &b.manifest.id).cmp(&(&a.manifest.as_of, &a.manifest.id))
        });
        // Models some run from position i on may hold (`None`: unknown).
        let mut later: Vec<Option<BTreeSet<&str>>> =
            vec![Some(BTreeSet::new()); candidates.len() + 1];
        for i in (0..candidates.len()).rev() {
            let r = candidates[i];
            later[i] = match (&later[i + 1], r.models.is_empty()) {
                (Some(set), false) => {
                    let mut set = set.clone();
                    set.extend(r.models.iter().map(String::as_str));
                    Some(set)
                }
                _ => None,
            };
        }
        let mut current: BTreeMap<String, StoredResult> = BTreeMap::new();
        let mut rows = Vec::new();
        for (i, run) in candidates.iter().enumerate() {
            if let Some(models) = &later[i]
                && models.iter().all(|m| current.contains_key(*m))
            {
                break;
            }
            rows.clear();
            read_subject(run, uscc, &mut rows)?;
            for r in rows.drain(..).filter(|r| r.record_id.is_none()) {
                current.entry(r.model.clone()).or_insert(r);
            }
        }
        Ok(current.into_values().collect())
    }

    /// Every stored result of `uscc` (optionally of one model), oldest run
    /// first: the same answer as [`crate::history::subject_results`], over
    /// the runs the store lists.
    pub async fn subject_results(
        &self,
        uscc: &str,
        model: Option<&str>,
    ) -> Result<Vec<StoredResult>, EngineError> {
        let snap = self.refresh().await?;
        let mut out = Vec::new();
        for run in &snap.runs {
            if let Some(m) = model
                && !run.models.is_empty()
                && !run.models.contains(m)
            {
                continue;
            }
            read_subject(run, uscc, &mut out)?;
        }
        if let Some(m) = model {
            out.retain(|r| r.model == m);
        }
        out.sort_by(|a, b| (&a.run, &a.model, &a.record_id).cmp(&(&b.run, &b.model, &b.record_id)));
        Ok(out)
    }
}

/// Read the metadata (page index included) of every part of a run.
fn load_run(results_dir: &Path, manifest: RunManifest) -> Result<IndexedRun, EngineError> {
    let mut parts = Vec::with_capacity(manifest.files.len());
    for f in &manifest.files {
        let path = results_dir.join(f);
        let file = File::open(&path).map_err(|e| EngineError::io(&path, e))?;
        let meta = ArrowReaderMetadata::load(
            &file,
            ArrowReaderOptions::new().with_page_index_policy(PageIndexPolicy::Optional),
        )?;
        let subject = meta
            .metadata()
            .file_metadata()
            .schema_descr()
            .columns()
            .iter()
            .position(|c| c.name() == "subject")
            .ok_or_else(|| EngineError::Other(format!("{}: no subject column", path.display())))?;
        parts.push(Part {
            path,
            meta,
            subject,
        });
    }
    Ok(IndexedRun {
        models: manifest.models.iter().map(|m| m.id.clone()).collect(),
        manifest,
        parts,
    })
}

/// Append the results of `uscc` in `run` to `out`.
fn read_subject(
    run: &IndexedRun,
    uscc: &str,
    out: &mut Vec<StoredResult>,
) -> Result<(), EngineError> {
    let kind = run.manifest.kind;
    let id = run.manifest.id.as_str();
    let kind_of = |r: &str| (r == id).then_some(kind).or(Some(RunKind::Full));
    for part in &run.parts {
        let Some((groups, selection)) = pages_of(part.meta.metadata(), part.subject, uscc) else {
            continue;
        };
        let file = File::open(&part.path).map_err(|e| EngineError::io(&part.path, e))?;
        let mask = ProjectionMask::leaves(
            part.meta.metadata().file_metadata().schema_descr(),
            [part.subject],
        );
        let wanted = StringArray::new_scalar(uscc);
        let predicate = ArrowPredicateFn::new(mask, move |b: RecordBatch| {
            arrow::compute::kernels::cmp::eq(b.column(0), &wanted)
        });
        let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(file, part.meta.clone())
            .with_row_groups(groups)
            .with_row_selection(selection)
            .with_row_filter(RowFilter::new(vec![Box::new(predicate)]))
            .with_batch_size(1024)
            .build()?;
        for batch in reader {
            push_results(&batch?, &kind_of, out);
        }
    }
    Ok(())
}

/// The row groups of a part that may hold `uscc`, and the rows of their
/// pages whose subject range holds it (by the page index; a whole row group
/// where the part has none).
fn pages_of(
    meta: &ParquetMetaData,
    subject: usize,
    uscc: &str,
) -> Option<(Vec<usize>, RowSelection)> {
    let key = uscc.as_bytes();
    let mut groups = Vec::new();
    let mut ranges: Vec<Range<usize>> = Vec::new();
    let mut offset = 0usize;
    for rg in 0..meta.num_row_groups() {
        let rows = usize::try_from(meta.row_group(rg).num_rows()).unwrap_or(0);
        let pages = page_ranges(meta, rg, subject, rows, key);
        if pages.is_empty() {
            continue;
        }
        groups.push(rg);
        ranges.extend(pages.into_iter().map(|r| r.start + offset..r.end + offset));
        offset += rows;
    }
    if groups.is_empty() {
        return None;
    }
    Some((
        groups,
        RowSelection::from_consecutive_ranges(ranges.into_iter(), offset),
    ))
}

/// Rows (within row group `rg` of `rows` rows) of the pages that may hold `key`.
fn page_ranges(
    meta: &ParquetMetaData,
    rg: usize,
    subject: usize,
    rows: usize,
    key: &[u8],
) -> Vec<Range<usize>> {
    let index = meta
        .column_index()
        .and_then(|c| c.get(rg))
        .and_then(|c| c.get(subject));
    let locations = meta
        .offset_index()
        .and_then(|o| o.get(rg))
        .and_then(|o| o.get(subject))
        .map(|o| o.page_locations());
    let (Some(ColumnIndexMetaData::BYTE_ARRAY(index)), Some(locations)) = (index, locations) else {
        return std::iter::once(0..rows).collect();
    };
    let mut out: Vec<Range<usize>> = Vec::new();
    for (p, loc) in locations.iter().enumerate() {
        let may_hold = match (index.min_value(p), index.max_value(p)) {
            (Some(min), Some(max)) => min <= key && key <= max,
            // A page of nulls only: no subject there.
            _ => false,
        };
        if !may_hold {
            continue;
        }
        let start = usize::try_from(loc.first_row_index).unwrap_or(0);
        let end = locations
            .get(p + 1)
            .map(|n| usize::try_from(n.first_row_index).unwrap_or(rows))
            .unwrap_or(rows);
        match out.last_mut() {
            Some(last) if last.end == start => last.end = end,
            _ => out.push(start..end),
        }
    }
    out
}
