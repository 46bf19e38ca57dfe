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
//! The index refreshes itself when the store counts a run it does not hold:
//! a run this process committed at the next lookup, a run of another
//! process at the first lookup [`RECHECK_RUNS_AFTER`] after the last check.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::File;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use arrow::array::{Array, RecordBatch, StringArray};
use arrow::error::ArrowError;
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
    /// Leaf index of the `record_id` column (empty for subject-level rows).
    record_id: Option<usize>,
    /// By row group: whether its `subject` pages are in order (each page's
    /// range after the previous one's), so that a lookup searches them.
    sorted: Vec<bool>,
}

/// A run the index holds.
struct IndexedRun {
    manifest: RunManifest,
    /// Model ids the run stored (empty: unknown, e.g. an old manifest).
    models: BTreeSet<String>,
    /// Those of its models whose results are per record only.
    record_level: BTreeSet<String>,
    parts: Vec<Part>,
}

/// What the index holds at one time.
#[derive(Default)]
struct Snapshot {
    /// The store's run count when loaded (`None`: never loaded).
    count: Option<u64>,
    /// By run id.
    runs: Vec<Arc<IndexedRun>>,
    /// Models some run marks as record-level (results per record only):
    /// a lookup of current results never waits for a subject-level result
    /// of one, also in runs whose manifests predate the mark.
    record_level: BTreeSet<String>,
}

/// The in-memory index of the stored runs' result files. Cheap to share
/// (`Arc` it); lookups run concurrently.
pub struct ResultIndex {
    store: Store,
    results_dir: PathBuf,
    snapshot: RwLock<Arc<Snapshot>>,
    refreshing: tokio::sync::Mutex<()>,
    /// When the store's run count was last compared, and how many runs
    /// this process had committed then.
    checked: std::sync::Mutex<Option<(std::time::Instant, u64)>>,
}

/// How long the index trusts its run count: a run committed by another
/// process is seen at most this long after its commit (a run committed by
/// this process, at the next lookup).
pub const RECHECK_RUNS_AFTER: std::time::Duration = std::time::Duration::from_millis(500);

impl ResultIndex {
    /// An index of the runs `store` lists, whose files are in `lake`
    /// (loaded at the first lookup).
    pub fn new(store: Store, lake: &Lake) -> ResultIndex {
        ResultIndex {
            store,
            results_dir: lake.results_dir(),
            snapshot: RwLock::new(Arc::new(Snapshot::default())),
            refreshing: tokio::sync::Mutex::new(()),
            checked: std::sync::Mutex::new(None),
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
        {
            let mut checked = self.checked.lock().unwrap_or_else(|p| p.into_inner());
            let now = std::time::Instant::now();
            let committed =
                crate::results::RUNS_COMMITTED.load(std::sync::atomic::Ordering::Acquire);
            match *checked {
                Some((at, seen))
                    if seen == committed && now.duration_since(at) < RECHECK_RUNS_AFTER =>
                {
                    let snap = self.current();
                    if snap.count.is_some() {
                        return Ok(snap);
                    }
                }
                _ => {}
            }
            *checked = Some((now, committed));
        }
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
        let record_level = runs
            .iter()
            .flat_map(|r| r.record_level.iter().cloned())
            .collect();
        let fresh = Arc::new(Snapshot {
            count: Some(count),
            runs,
            record_level,
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
        let candidates = newest_first(&snap, as_of);
        // Models some run from position i on may hold (`None`: unknown).
        let mut later: Vec<Option<BTreeSet<&str>>> =
            vec![Some(BTreeSet::new()); candidates.len() + 1];
        for i in (0..candidates.len()).rev() {
            let r = candidates[i];
            later[i] = match (&later[i + 1], r.models.is_empty()) {
                (Some(set), false) => {
                    let mut set = set.clone();
                    set.extend(
                        r.models
                            .iter()
                            .filter(|m| !snap.record_level.contains(*m))
                            .map(String::as_str),
                    );
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
            read_subject(run, uscc, Rows::SubjectLevel, &mut rows)?;
            for r in rows.drain(..) {
                current.entry(r.model.clone()).or_insert(r);
            }
        }
        Ok(current.into_values().collect())
    }

    /// The current subject-level outcome of `model` for every subject that
    /// has a result of it as of `as_of` (days since epoch), by USCC: for
    /// each subject the outcome [`ResultIndex::current_results`] gives, in
    /// one pass over the runs that hold the model, newest first (a subject's
    /// first result found is its current one), instead of a lookup per
    /// subject. Only the `subject`, `model`, `record_id` and `outcome`
    /// columns are read. For a question of the whole city (the pool of an
    /// inspection plan).
    pub async fn current_outcomes(
        &self,
        model: &str,
        as_of: i32,
    ) -> Result<HashMap<String, Option<String>>, EngineError> {
        let snap = self.refresh().await?;
        let mut out: HashMap<String, Option<String>> = HashMap::new();
        for run in newest_first(&snap, as_of) {
            if !run.models.is_empty() && !run.models.contains(model) {
                continue;
            }
            for part in &run.parts {
                read_outcomes(part, model, &mut out)?;
            }
        }
        Ok(out)
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
            read_subject(run, uscc, Rows::All, &mut out)?;
        }
        if let Some(m) = model {
            out.retain(|r| r.model == m);
        }
        out.sort_by(|a, b| (&a.run, &a.model, &a.record_id).cmp(&(&b.run, &b.model, &b.record_id)));
        Ok(out)
    }
}

/// The runs as of `as_of` (days since epoch) or earlier, in the order their
/// results are current: latest as-of date first, then latest run (a look
/// ahead is left out; a look back does not come before a later as-of).
fn newest_first(snap: &Snapshot, as_of: i32) -> Vec<&Arc<IndexedRun>> {
    // Dates as `YYYY-MM-DD` order as their texts.
    let asked = xinyong_rules::result::date_text(as_of);
    let mut runs: Vec<&Arc<IndexedRun>> = snap
        .runs
        .iter()
        .filter(|r| r.manifest.as_of <= asked)
        .collect();
    runs.sort_by(|a, b| {
        (&b.manifest.as_of, &b.manifest.id).cmp(&(&a.manifest.as_of, &a.manifest.id))
    });
    runs
}

/// Add to `out` the subject-level outcome of `model` of every subject of
/// `part` that `out` lacks. The row filter reads `model` and `record_id`
/// first, so `subject` and `outcome` are decoded for that model's
/// subject-level rows only.
fn read_outcomes(
    part: &Part,
    model: &str,
    out: &mut HashMap<String, Option<String>>,
) -> Result<(), EngineError> {
    let schema = part.meta.metadata().file_metadata().schema_descr();
    let leaf = |name: &str| schema.columns().iter().position(|c| c.name() == name);
    let (Some(model_leaf), Some(outcome_leaf)) = (leaf("model"), leaf("outcome")) else {
        return Err(EngineError::Other(format!(
            "{}: no model or outcome column",
            part.path.display()
        )));
    };
    let file = File::open(&part.path).map_err(|e| EngineError::io(&part.path, e))?;
    let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(file, part.meta.clone())
        .with_projection(ProjectionMask::leaves(schema, [part.subject, outcome_leaf]))
        .with_row_filter(rows_equal(
            schema,
            ("model", model_leaf),
            model,
            part.record_id,
        ))
        .with_batch_size(8192)
        .build()?;
    for batch in reader {
        let batch = batch?;
        let (Some(subjects), Some(outcomes)) = (
            batch
                .column_by_name("subject")
                .and_then(|c| c.as_any().downcast_ref::<StringArray>()),
            batch
                .column_by_name("outcome")
                .and_then(|c| c.as_any().downcast_ref::<StringArray>()),
        ) else {
            return Err(EngineError::Other(format!(
                "{}: subject or outcome not text",
                part.path.display()
            )));
        };
        for i in 0..batch.num_rows() {
            if subjects.is_null(i) {
                continue;
            }
            let subject = subjects.value(i);
            if !out.contains_key(subject) {
                let outcome = (!outcomes.is_null(i)).then(|| outcomes.value(i).to_owned());
                out.insert(subject.to_owned(), outcome);
            }
        }
    }
    Ok(())
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
        let leaf = |name: &str| {
            meta.metadata()
                .file_metadata()
                .schema_descr()
                .columns()
                .iter()
                .position(|c| c.name() == name)
        };
        let subject = leaf("subject")
            .ok_or_else(|| EngineError::Other(format!("{}: no subject column", path.display())))?;
        let record_id = leaf("record_id");
        let sorted = (0..meta.metadata().num_row_groups())
            .map(|rg| pages_in_order(meta.metadata(), rg, subject))
            .collect();
        parts.push(Part {
            path,
            meta,
            subject,
            record_id,
            sorted,
        });
    }
    Ok(IndexedRun {
        models: manifest.models.iter().map(|m| m.id.clone()).collect(),
        record_level: manifest
            .models
            .iter()
            .filter(|m| m.record_level)
            .map(|m| m.id.clone())
            .collect(),
        manifest,
        parts,
    })
}

/// Which of a subject's result rows a lookup wants.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Rows {
    /// Subject-level results only (no `record_id`): the record-level rows
    /// are filtered out before their other columns are decoded.
    SubjectLevel,
    /// Every row of the subject.
    All,
}

/// Append the results of `uscc` in `run` to `out`.
fn read_subject(
    run: &IndexedRun,
    uscc: &str,
    rows: Rows,
    out: &mut Vec<StoredResult>,
) -> Result<(), EngineError> {
    let kind = run.manifest.kind;
    let id = run.manifest.id.as_str();
    let kind_of = |r: &str| (r == id).then_some(kind).or(Some(RunKind::Full));
    for part in &run.parts {
        let Some((groups, selection)) =
            pages_of(part.meta.metadata(), part.subject, &part.sorted, uscc)
        else {
            continue;
        };
        let file = File::open(&part.path).map_err(|e| EngineError::io(&part.path, e))?;
        let schema = part.meta.metadata().file_metadata().schema_descr();
        let record_id = match rows {
            Rows::SubjectLevel => part.record_id,
            Rows::All => None,
        };
        let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(file, part.meta.clone())
            .with_row_groups(groups)
            .with_row_selection(selection)
            .with_row_filter(rows_equal(
                schema,
                ("subject", part.subject),
                uscc,
                record_id,
            ))
            .with_batch_size(1024)
            .build()?;
        for batch in reader {
            push_results(&batch?, &kind_of, out);
        }
    }
    Ok(())
}

/// A row filter keeping the rows whose text column `name` (leaf `leaf`)
/// equals `value` and, given the leaf of `record_id`, that are
/// subject-level (no `record_id`). Only those leaves are decoded to decide.
fn rows_equal(
    schema: &parquet::schema::types::SchemaDescriptor,
    (name, leaf): (&'static str, usize),
    value: &str,
    record_id: Option<usize>,
) -> RowFilter {
    let mask = ProjectionMask::leaves(schema, [Some(leaf), record_id].into_iter().flatten());
    let wanted = StringArray::new_scalar(value);
    let predicate = ArrowPredicateFn::new(mask, move |b: RecordBatch| {
        let column = b
            .column_by_name(name)
            .ok_or_else(|| ArrowError::SchemaError(format!("no {name} column")))?;
        let same = arrow::compute::kernels::cmp::eq(column, &wanted)?;
        match b.column_by_name("record_id") {
            Some(id) if record_id.is_some() => {
                arrow::compute::and(&same, &arrow::compute::is_null(id)?)
            }
            _ => Ok(same),
        }
    });
    RowFilter::new(vec![Box::new(predicate)])
}

/// The row groups of a part that may hold `uscc`, and the rows of their
/// pages whose subject range holds it (by the page index; a whole row group
/// where the part has none).
fn pages_of(
    meta: &ParquetMetaData,
    subject: usize,
    sorted: &[bool],
    uscc: &str,
) -> Option<(Vec<usize>, RowSelection)> {
    let key = uscc.as_bytes();
    let mut groups = Vec::new();
    let mut ranges: Vec<Range<usize>> = Vec::new();
    let mut offset = 0usize;
    for rg in 0..meta.num_row_groups() {
        let rows = usize::try_from(meta.row_group(rg).num_rows()).unwrap_or(0);
        let sorted = sorted.get(rg).copied().unwrap_or(false);
        let pages = page_ranges(meta, rg, subject, rows, key, sorted);
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
    sorted: bool,
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
    // Pages in subject order (the writer sorts each part): from the first
    // page whose largest subject is not below the key, while the smallest
    // is not above it. Otherwise every page is tested.
    let first = if sorted {
        let (mut lo, mut hi) = (0, locations.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if index.max_value(mid).is_some_and(|max| max < key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    } else {
        0
    };
    for (p, loc) in locations.iter().enumerate().skip(first) {
        let (min, max) = (index.min_value(p), index.max_value(p));
        if sorted && min.is_some_and(|min| min > key) {
            break;
        }
        let may_hold = match (min, max) {
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

/// Whether the `subject` pages of row group `rg` are in order: every page
/// has its bounds, and none starts below the previous page's end.
fn pages_in_order(meta: &ParquetMetaData, rg: usize, subject: usize) -> bool {
    let Some(ColumnIndexMetaData::BYTE_ARRAY(index)) = meta
        .column_index()
        .and_then(|c| c.get(rg))
        .and_then(|c| c.get(subject))
    else {
        return false;
    };
    let pages = meta
        .offset_index()
        .and_then(|o| o.get(rg))
        .and_then(|o| o.get(subject))
        .map_or(0, |o| o.page_locations().len());
    let mut previous_max: Option<&[u8]> = None;
    for p in 0..pages {
        let (Some(min), Some(max)) = (index.min_value(p), index.max_value(p)) else {
            return false;
        };
        if min > max || previous_max.is_some_and(|prev| min < prev) {
            return false;
        }
        previous_max = Some(max);
    }
    true
}
