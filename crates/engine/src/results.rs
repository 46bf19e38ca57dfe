//! Stored evaluation results.
//!
//! Every evaluation run writes its results as Parquet files under
//! `lake/results/run-<id>/` and a manifest `lake/results/run-<id>.json`
//! (written last: a run without a manifest is incomplete and ignored; a run
//! that fails or is cancelled removes its files, see [`RunWriter`]). Runs
//! are never overwritten, so the history of a subject's class or grade is the
//! sequence of its results over the runs, each with its reasons.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use arrow::array::{Date32Builder, Float64Builder, StringBuilder};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use serde::{Deserialize, Serialize};
use xinyong_rules::{RecordResult, ResultFields, SubjectResult, Table};
use xinyong_store::{Store, StoredRun};

use crate::EngineError;

/// Schema of stored results: one row per (subject, model) for subject-level
/// models, one per (record, model) for record-level models. `detail` is the
/// result line of the `evaluate` contract without its envelope (subject,
/// record, model, version and as-of date, which are columns): the decision
/// and its reasons, a JSON object (see `xinyong_rules::result::Envelope`;
/// `xinyong_rules::result::join_line` joins them back when results are read). Leaving the envelope out keeps about a
/// fifth of the bytes of a run out of the JSON writer and the compressor.
pub fn result_schema() -> SchemaRef {
    static SCHEMA: std::sync::LazyLock<SchemaRef> = std::sync::LazyLock::new(|| {
        Arc::new(Schema::new(vec![
            Field::new("run", DataType::Utf8, false),
            Field::new("subject", DataType::Utf8, false),
            Field::new("model", DataType::Utf8, false),
            Field::new("model_version", DataType::Utf8, false),
            Field::new("as_of", DataType::Date32, false),
            Field::new("record_source", DataType::Utf8, true),
            Field::new("record_id", DataType::Utf8, true),
            Field::new("outcome", DataType::Utf8, true),
            Field::new("score", DataType::Float64, true),
            Field::new("detail", DataType::Utf8, false),
        ]))
    });
    SCHEMA.clone()
}

/// Accumulates result rows into Arrow batches.
pub struct ResultBuilder {
    run_id: String,
    run: StringBuilder,
    subject: StringBuilder,
    model: StringBuilder,
    version: StringBuilder,
    as_of: Date32Builder,
    source: StringBuilder,
    record: StringBuilder,
    outcome: StringBuilder,
    score: Float64Builder,
    detail: StringBuilder,
    buf: String,
    rows: usize,
    /// Bytes of detail of the last batch (the next one is sized like it).
    last_bytes: usize,
}

impl ResultBuilder {
    /// A builder of the results of run `run_id`.
    pub fn new(run_id: &str) -> ResultBuilder {
        ResultBuilder {
            run_id: run_id.to_owned(),
            run: StringBuilder::new(),
            subject: StringBuilder::new(),
            model: StringBuilder::new(),
            version: StringBuilder::new(),
            as_of: Date32Builder::new(),
            source: StringBuilder::new(),
            record: StringBuilder::new(),
            outcome: StringBuilder::new(),
            score: Float64Builder::new(),
            detail: StringBuilder::new(),
            buf: String::with_capacity(4096),
            rows: 0,
            last_bytes: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    pub fn push_subject(&mut self, r: &SubjectResult, uscc: &str, as_of: i32, table: &Table) {
        self.run.append_value(&self.run_id);
        self.subject.append_value(uscc);
        self.model.append_value(r.model);
        self.version.append_value(r.model_version);
        self.as_of.append_value(as_of);
        self.source.append_null();
        self.record.append_null();
        self.outcome.append_value(&*r.outcome_text());
        match &r.decision {
            xinyong_rules::Decision::Score { score, .. } => self.score.append_value(*score),
            _ => self.score.append_null(),
        }
        self.buf.clear();
        r.write_detail(&mut self.buf, table);
        self.detail.append_value(&self.buf);
        self.rows += 1;
    }

    /// A record-level result of a record of `subject`.
    pub fn push_record(&mut self, r: &RecordResult, subject: &str, as_of: i32, table: &Table) {
        self.run.append_value(&self.run_id);
        self.subject.append_value(subject);
        self.model.append_value(r.model);
        self.version.append_value(r.model_version);
        self.as_of.append_value(as_of);
        self.source.append_value(table.record_source(r.row));
        self.record.append_value(table.record_id(r.row));
        let outcome = r.fields.first().map(|(_, v)| match v.to_json() {
            serde_json::Value::String(s) => s,
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        });
        self.outcome.append_option(outcome);
        self.score.append_null();
        self.buf.clear();
        r.write_detail(&mut self.buf, table);
        self.detail.append_value(&self.buf);
        self.rows += 1;
    }

    pub fn finish(&mut self) -> Result<RecordBatch, EngineError> {
        let rows = std::mem::take(&mut self.rows);
        let detail = std::mem::replace(
            &mut self.detail,
            // Sized like this batch: the details grow without copies.
            StringBuilder::with_capacity(rows, self.last_bytes.max(1024)),
        )
        .finish();
        self.last_bytes = detail.value_data().len() + detail.value_data().len() / 8;
        Ok(RecordBatch::try_new(
            result_schema(),
            vec![
                Arc::new(self.run.finish()),
                Arc::new(self.subject.finish()),
                Arc::new(self.model.finish()),
                Arc::new(self.version.finish()),
                Arc::new(self.as_of.finish()),
                Arc::new(self.source.finish()),
                Arc::new(self.record.finish()),
                Arc::new(self.outcome.finish()),
                Arc::new(self.score.finish()),
                Arc::new(detail),
            ],
        )?)
    }
}

/// Kind of an evaluation run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunKind {
    /// Every subject of the store.
    Full,
    /// The subjects touched by an import or a decision.
    Incremental,
}

/// A model and the version a run used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelRef {
    pub id: String,
    pub version: String,
    /// The model's results are per record only (no subject-level result),
    /// e.g. `penalty-tier`. Absent in manifests written before it was
    /// recorded.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub record_level: bool,
}

impl ModelRef {
    /// The reference to model `m` of `set`.
    pub fn of(set: &xinyong_rules::ModelSet, m: usize) -> ModelRef {
        let model = set.model(m);
        ModelRef {
            id: model.id.clone(),
            version: model.version.clone(),
            record_level: model.record_kind().is_some(),
        }
    }
}

/// Where the time of a run went, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    /// Lake sync with the store.
    pub sync_ms: u64,
    /// Reading the segments and repartitioning by subject (DataFusion).
    pub scan_ms: u64,
    /// Grouping each partition's rows by subject.
    pub group_ms: u64,
    /// Evaluating the rules and explaining the results.
    pub rules_ms: u64,
    /// Building result batches and writing Parquet.
    pub write_ms: u64,
    pub total_ms: u64,
}

/// The manifest of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunManifest {
    pub id: String,
    pub kind: RunKind,
    pub as_of: String,
    pub models: Vec<ModelRef>,
    pub subjects: u64,
    pub records: u64,
    pub results: u64,
    pub started_at: String,
    pub finished_at: String,
    /// What caused the run (e.g. `import batch 12`, `cli evaluate-all`).
    pub trigger: String,
    pub timings: Timings,
    /// Parquet files of the run, relative to the results directory.
    pub files: Vec<String>,
}

/// A new run id: sortable by time, unique across processes.
pub fn new_run_id() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let now = jiff::Timestamp::now();
    format!(
        "{}-{:06}-{:03}",
        now.strftime("%Y%m%dT%H%M%S%.3f")
            .to_string()
            .replace('.', ""),
        std::process::id() % 1_000_000,
        N.fetch_add(1, Ordering::Relaxed) % 1000
    )
}

/// Writer properties of result files: the `subject` column is sorted within a
/// file and carries statistics and a bloom filter, so that the results of one
/// subject are found without reading whole files.
pub fn result_writer_properties() -> WriterProperties {
    // The detail is long and unique: no dictionary, no statistics.
    // Only the subject (point lookups) and the model (filters) are
    // searched: the other columns keep no statistics, which spares a
    // comparison of every value as it is written.
    let mut b = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(64 * 1024))
        .set_statistics_enabled(EnabledStatistics::None)
        .set_column_statistics_enabled("subject".into(), EnabledStatistics::Page)
        .set_column_statistics_enabled("model".into(), EnabledStatistics::Chunk)
        .set_column_bloom_filter_enabled("subject".into(), true)
        // Small pages: a lookup of one subject decompresses and decodes, in
        // each column, only the pages that hold its rows. A page ends when
        // it passes the limit after a write batch, so the batch is small
        // too: pages of at most 256 rows (some 100 KiB of `detail`, 6 KiB
        // of `subject`) instead of 1 MiB ones (measured: the 1 MiB pages'
        // decompression was most of a full profile's time; 64-row pages
        // gained nothing more).
        .set_write_batch_size(256)
        .set_data_page_size_limit(64 * 1024)
        .set_column_data_page_size_limit("subject".into(), 4 * 1024);
    for unique in ["subject", "record_id", "detail"] {
        b = b.set_column_dictionary_enabled(unique.into(), false);
    }
    b.build()
}

/// The file name of part `n` of a run.
pub fn part_file_name(n: usize) -> String {
    format!("part-{n:04}.parquet")
}

/// Runs this process has committed: a [`crate::lookup::ResultIndex`] sees
/// them at its next lookup (and the runs of other processes within
/// [`crate::lookup::RECHECK_RUNS_AFTER`]).
pub(crate) static RUNS_COMMITTED: std::sync::atomic::AtomicU64 =
    std::sync::atomic::AtomicU64::new(0);

/// Writes the files of one run: its Parquet parts, then its manifest. A
/// writer dropped before [`RunWriter::commit`] succeeded (an error, a
/// cancellation) removes the run's directory and manifest: a run is
/// complete or leaves nothing behind.
pub struct RunWriter {
    id: String,
    results_dir: PathBuf,
    dir: PathBuf,
    rel: String,
    files: Vec<String>,
    committed: bool,
}

impl RunWriter {
    pub fn create(results_dir: &Path, id: &str) -> Result<RunWriter, EngineError> {
        let rel = format!("run-{id}");
        let dir = results_dir.join(&rel);
        fs::create_dir_all(&dir).map_err(|e| EngineError::io(&dir, e))?;
        // Who writes the run, so that a folder this process leaves without
        // a manifest (it was killed) is told from one still being written
        // ([`remove_unfinished_runs`]).
        let marker = dir.join(WRITER_FILE);
        fs::write(&marker, xinyong_store::process::current())
            .map_err(|e| EngineError::io(&marker, e))?;
        Ok(RunWriter {
            id: id.to_owned(),
            results_dir: results_dir.to_path_buf(),
            dir,
            rel,
            files: Vec::new(),
            committed: false,
        })
    }

    /// The run's directory, where its parts are written.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A Parquet writer for part `n` of the run.
    pub fn part(&mut self, n: usize) -> Result<ArrowWriter<fs::File>, EngineError> {
        let name = part_file_name(n);
        let path = self.dir.join(&name);
        let file = fs::File::create(&path).map_err(|e| EngineError::io(&path, e))?;
        self.files.push(format!("{}/{}", self.rel, name));
        Ok(ArrowWriter::try_new(
            file,
            result_schema(),
            Some(result_writer_properties()),
        )?)
    }

    /// Part `n` of the run, written by someone else (the executors of a
    /// cluster, through [`crate::distributed::WriteResultsExec`]).
    pub fn adopt_part(&mut self, n: usize) -> Result<(), EngineError> {
        let name = part_file_name(n);
        let path = self.dir.join(&name);
        if !path.is_file() {
            return Err(EngineError::Other(format!(
                "part {n} of run {} was reported written but {} is not there",
                self.id,
                path.display()
            )));
        }
        self.files.push(format!("{}/{}", self.rel, name));
        Ok(())
    }

    fn manifest_path(&self, ext: &str) -> PathBuf {
        self.results_dir.join(format!("run-{}{ext}", self.id))
    }

    /// Commit the run: write its manifest file (for tools), then record it
    /// in the store, which makes it visible ([`store_runs`]). Should the
    /// store refuse it, the files are removed; a crash between the two
    /// leaves files that are never listed.
    pub async fn commit(
        mut self,
        store: &Store,
        mut manifest: RunManifest,
    ) -> Result<RunManifest, EngineError> {
        if manifest.id != self.id {
            return Err(EngineError::Other(format!(
                "manifest of run {} written by the writer of run {}",
                manifest.id, self.id
            )));
        }
        manifest.files = std::mem::take(&mut self.files);
        let path = self.manifest_path(".json");
        let tmp = self.manifest_path(".json.tmp");
        let text = serde_json::to_string_pretty(&manifest)
            .map_err(|e| EngineError::Other(e.to_string()))?;
        fs::write(&tmp, text).map_err(|e| EngineError::io(&tmp, e))?;
        fs::rename(&tmp, &path).map_err(|e| EngineError::io(&path, e))?;
        store.record_run(&to_stored(&manifest)?).await?;
        self.committed = true;
        RUNS_COMMITTED.fetch_add(1, std::sync::atomic::Ordering::Release);
        Ok(manifest)
    }
}

impl Drop for RunWriter {
    fn drop(&mut self) {
        if !self.committed {
            // Best effort: a leftover is never listed (not in the store).
            let _ = fs::remove_file(self.manifest_path(".json.tmp"));
            let _ = fs::remove_file(self.manifest_path(".json"));
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// A manifest as the store's run registry keeps it.
pub fn to_stored(m: &RunManifest) -> Result<StoredRun, EngineError> {
    let json = |v: Result<serde_json::Value, serde_json::Error>| {
        v.map_err(|e| EngineError::Other(format!("run {}: {e}", m.id)))
    };
    Ok(StoredRun {
        id: m.id.clone(),
        kind: match m.kind {
            RunKind::Full => "full",
            RunKind::Incremental => "incremental",
        }
        .to_owned(),
        as_of: m.as_of.clone(),
        models: json(serde_json::to_value(&m.models))?,
        subjects: m.subjects,
        records: m.records,
        results: m.results,
        started_at: m.started_at.clone(),
        finished_at: m.finished_at.clone(),
        trigger: m.trigger.clone(),
        files: m.files.clone(),
        timings: json(serde_json::to_value(&m.timings))?,
        committed_at: String::new(),
    })
}

/// A run of the store's registry as a manifest.
pub fn from_stored(r: StoredRun) -> Result<RunManifest, EngineError> {
    let bad = |what: &str, e: &dyn std::fmt::Display| {
        EngineError::Other(format!("run {} in the store: {what}: {e}", r.id))
    };
    let kind = match r.kind.as_str() {
        "full" => RunKind::Full,
        "incremental" => RunKind::Incremental,
        other => return Err(bad("kind", &other)),
    };
    let models = serde_json::from_value(r.models).map_err(|e| bad("models", &e))?;
    let timings = serde_json::from_value(r.timings).map_err(|e| bad("timings", &e))?;
    Ok(RunManifest {
        id: r.id,
        kind,
        as_of: r.as_of,
        models,
        subjects: r.subjects,
        records: r.records,
        results: r.results,
        started_at: r.started_at,
        finished_at: r.finished_at,
        trigger: r.trigger,
        timings,
        files: r.files,
    })
}

/// The committed runs as the store lists them, oldest first: what every
/// process on the same store agrees exists.
pub async fn store_runs(store: &Store) -> Result<Vec<RunManifest>, EngineError> {
    store.runs().await?.into_iter().map(from_stored).collect()
}

/// The `limit` most recent runs of the store, newest first.
pub async fn recent_store_runs(store: &Store, limit: u32) -> Result<Vec<RunManifest>, EngineError> {
    store
        .recent_runs(limit)
        .await?
        .into_iter()
        .map(from_stored)
        .collect()
}

/// What [`register_existing`] registered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Registered {
    /// Runs found on disk and recorded.
    pub runs: u64,
    /// Installed model files found and recorded.
    pub models: u64,
    /// False when the registration had already been made (nothing read).
    pub first_time: bool,
}

/// Migration by code, once per store: register in the store the runs whose
/// manifests are on disk and the model files under `models/`, written before
/// the store kept them (a data directory from before the registry). Once
/// marked done it never runs again, so that files a crash left between the
/// manifest and the store row are never listed. Several processes may run it
/// at once: each insert is idempotent.
pub async fn register_existing(store: &Store, data_dir: &Path) -> Result<Registered, EngineError> {
    if store.registry_import().await?.is_some() {
        return Ok(Registered::default());
    }
    let mut runs = 0;
    for m in list_runs(&crate::lake::Lake::open(data_dir).results_dir())? {
        if store.record_run(&to_stored(&m)?).await? {
            runs += 1;
        }
    }
    let models = crate::models::register_model_files(store, data_dir).await?;
    store.mark_registry_imported(runs, models).await?;
    Ok(Registered {
        runs,
        models,
        first_time: true,
    })
}

/// The file in a run's folder naming the process that writes it
/// (`xinyong_store::process`).
const WRITER_FILE: &str = "writer";

/// A folder without a writer file younger than this may be one whose writer
/// has just created it.
const FRESH_FOLDER: std::time::Duration = std::time::Duration::from_secs(600);

/// Remove the result-run folders (`run-<id>/`) that have no manifest
/// (`run-<id>.json`) and whose writer no longer runs on this host, and
/// `run-*.json.tmp` files left beside them. Such a folder is never data: a
/// run exists only once its manifest is written and the store lists it
/// ([`RunWriter::commit`]); a run cut short by a kill is simply run again,
/// and its half-written parts are listed by nothing. A folder whose writer
/// is alive, or on another host, is left alone; one without a writer file
/// (written by an earlier version) is removed once it is ten minutes old.
/// Returns how many folders and files were removed.
pub fn remove_unfinished_runs(results_dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(results_dir) else {
        return 0;
    };
    let mut removed = 0;
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let path = e.path();
        let Some(id) = name.strip_prefix("run-") else {
            continue;
        };
        let dead = |writer: &Path| match fs::read_to_string(writer) {
            Ok(owner) => xinyong_store::process::alive(owner.trim()) == Some(false),
            Err(_) => e
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > FRESH_FOLDER)),
        };
        if path.is_dir() {
            let manifest = results_dir.join(format!("{name}.json"));
            if !manifest.exists() && dead(&path.join(WRITER_FILE)) {
                removed += usize::from(fs::remove_dir_all(&path).is_ok());
            }
        } else if let Some(run) = id.strip_suffix(".json.tmp") {
            let folder = results_dir.join(format!("run-{run}"));
            if !folder.is_dir() || dead(&folder.join(WRITER_FILE)) {
                removed += usize::from(fs::remove_file(&path).is_ok());
            }
        }
    }
    removed
}

/// Manifests of the runs on disk, oldest first (every manifest file; tools
/// and the one-time registration read them, the platform lists [`store_runs`]).
pub fn list_runs(results_dir: &Path) -> Result<Vec<RunManifest>, EngineError> {
    let mut out = Vec::new();
    let entries = match fs::read_dir(results_dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(EngineError::io(results_dir, e)),
    };
    for e in entries {
        let e = e.map_err(|err| EngineError::io(results_dir, err))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("run-") && name.ends_with(".json") {
            let text =
                fs::read_to_string(e.path()).map_err(|err| EngineError::io(&e.path(), err))?;
            let m: RunManifest = serde_json::from_str(&text).map_err(|err| {
                EngineError::Other(format!("run manifest {}: {err}", e.path().display()))
            })?;
            out.push(m);
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}
