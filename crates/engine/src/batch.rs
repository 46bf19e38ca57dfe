//! Full evaluation of every subject of the store on DataFusion.
//!
//! Plan:
//!
//! ```text
//! EvaluateExec: models=[…], as_of=…
//!   DataSourceExec: lake/subjects/*.parquet
//!   DataSourceExec: lake/records/*/annual_report.parquet   (one scan per record kind
//!   DataSourceExec: lake/records/*/penalty.parquet          the models read, of only
//!   …                                                       the columns they read)
//! ```
//!
//! With `Grouping::Partitioned` the optimizer inserts `RepartitionExec:
//! Hash([subject_key], N)` above every scan. Records dated after the as-of
//! date are dropped by `EvaluateExec` as it groups them.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use datafusion::dataframe::DataFrame;
use datafusion::datasource::MemTable;
use datafusion::execution::context::{SessionConfig, SessionContext};
use datafusion::physical_plan::{ExecutionPlan, displayable, execute_stream_partitioned};
use datafusion::prelude::ParquetReadOptions;
use futures::StreamExt;
use xinyong_columnar::{kind_columns, record_schema, subject_schema};
use xinyong_rules::{EvalOptions, ModelSet};
use xinyong_store::Store;

use crate::EngineError;
use crate::exec::{EvalJob, EvaluateExec, ExecStats, Grouping};
use crate::lake::Lake;
use crate::results::{ModelRef, RunKind, RunManifest, RunWriter, Timings, new_run_id};

/// Options of a full evaluation.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// As-of date, days since epoch.
    pub as_of: i32,
    /// Model indices in the set (their dependencies are computed but not stored).
    pub models: Vec<usize>,
    /// Parallel partitions (default: the number of cores).
    pub partitions: usize,
    /// How each subject's rows are brought together (default: `Local` with
    /// `partitions` threads; `Partitioned` is the plan a distributed engine runs).
    pub grouping: Option<Grouping>,
    pub eval: EvalOptions,
    pub trigger: String,
}

/// The outcome of a run.
#[derive(Debug, Clone)]
pub struct BatchReport {
    pub manifest: RunManifest,
    pub stats: ExecStats,
    /// The physical plan, as DataFusion prints it.
    pub plan: String,
}

/// The models in force at `as_of`, one version per id (the last installed).
pub fn active_models(set: &ModelSet, as_of: i32) -> Vec<usize> {
    set.ids()
        .into_iter()
        .filter_map(|id| set.find(id, as_of))
        .filter(|&m| set.model(m).in_force(as_of))
        .collect()
}

async fn table_df(
    ctx: &SessionContext,
    paths: Vec<String>,
    schema: SchemaRef,
) -> Result<DataFrame, EngineError> {
    if paths.is_empty() {
        let empty = MemTable::try_new(schema.clone(), vec![vec![RecordBatch::new_empty(schema)]])?;
        return Ok(ctx.read_table(Arc::new(empty))?);
    }
    Ok(ctx
        .read_parquet(paths, ParquetReadOptions::default())
        .await?)
}

/// Evaluate every subject of the store as of `opts.as_of` and store the results as a new run.
pub async fn evaluate_all(
    store: &Store,
    lake: &Lake,
    set: Arc<ModelSet>,
    opts: &BatchOptions,
) -> Result<BatchReport, EngineError> {
    let started_at = jiff::Timestamp::now();
    let t0 = Instant::now();
    lake.sync(store).await?;
    let sync_ms = t0.elapsed().as_millis() as u64;

    let superseded_records: HashSet<i64> =
        store.superseded_record_seqs().await?.into_iter().collect();
    let superseded_subjects: HashSet<i64> =
        store.superseded_subject_seqs().await?.into_iter().collect();
    let partitions = opts.partitions.max(1);
    // Plain Utf8 strings rather than string views: the operator groups by
    // the subject codes as Utf8 columns.
    let mut config = SessionConfig::new()
        .with_target_partitions(partitions)
        .with_batch_size(16 * 1024);
    config
        .options_mut()
        .execution
        .parquet
        .schema_force_view_types = false;
    let ctx = SessionContext::new_with_config(config);

    let record_segments = lake.record_segments()?;
    let subject_paths: Vec<String> = lake
        .subject_segments()?
        .into_iter()
        .map(|s| s.path.to_string_lossy().into_owned())
        .collect();
    // One scan per record kind the models read, of that kind's files and
    // only the columns read of it.
    let columns = set_record_columns(&set, &opts.models);
    let mut records_plans = Vec::new();
    for kind in set.kinds_read(&opts.models) {
        let paths: Vec<String> = record_segments
            .iter()
            .filter_map(|s| s.kind_file(kind))
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        let kc = kind_columns(kind);
        let wanted: Vec<&str> = kc
            .schema
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .filter(|n| columns.iter().any(|c| c == n))
            .collect();
        let records = table_df(&ctx, paths, kc.schema.clone())
            .await?
            // No filter on the date: EvaluateExec drops records dated after
            // the as-of date while it groups, without the copy a FilterExec
            // makes.
            .select_columns(&wanted)?;
        records_plans.push((kind, records.create_physical_plan().await?));
    }
    let subject_columns = set_subject_columns(&set, &opts.models);
    let subjects = table_df(&ctx, subject_paths, subject_schema().schema.clone())
        .await?
        .select_columns(
            &subject_columns
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        )?;
    let subjects_plan = subjects.create_physical_plan().await?;

    let run_id = new_run_id();
    let job = Arc::new(EvalJob {
        run_id: run_id.clone(),
        set: set.clone(),
        models: opts.models.clone(),
        as_of: opts.as_of,
        superseded_records,
        superseded_subjects,
        opts: crate::over_store(opts.eval),
        batch_rows: 8 * 1024,
        grouping: opts.grouping.unwrap_or(Grouping::Local {
            threads: partitions,
        }),
        stats: Mutex::new(ExecStats::default()),
    });
    let mut plan: Arc<dyn ExecutionPlan> =
        Arc::new(EvaluateExec::new(subjects_plan, records_plans, job.clone()));
    let state = ctx.state();
    for rule in state.physical_optimizers() {
        plan = rule.optimize(plan, state.config_options())?;
    }
    let plan_text = displayable(plan.as_ref()).indent(false).to_string();

    let results_dir = lake.results_dir();
    let mut writer = RunWriter::create(&results_dir, &run_id)?;
    let streams = execute_stream_partitioned(plan.clone(), state.task_ctx())?;
    let mut tasks = Vec::new();
    for (i, mut stream) in streams.into_iter().enumerate() {
        let mut part = writer.part(i)?;
        tasks.push(tokio::spawn(async move {
            let mut write_ns = 0u128;
            let mut rows = 0u64;
            while let Some(batch) = stream.next().await {
                let batch = batch?;
                let t = Instant::now();
                rows += batch.num_rows() as u64;
                part.write(&batch)?;
                write_ns += t.elapsed().as_nanos();
            }
            let t = Instant::now();
            part.close()?;
            write_ns += t.elapsed().as_nanos();
            Ok::<_, EngineError>((rows, (write_ns / 1_000_000) as u64))
        }));
    }
    let mut results = 0;
    let mut write_ms = 0;
    for t in tasks {
        let (rows, ms) = t
            .await
            .map_err(|e| EngineError::Other(format!("writer task: {e}")))??;
        results += rows;
        write_ms += ms;
    }
    let stats = job.stats.lock().map(|s| s.clone()).unwrap_or_default();
    let parts = stats.partitions.max(1) as u64;
    let total_ms = t0.elapsed().as_millis() as u64;
    let manifest = RunManifest {
        id: run_id,
        kind: RunKind::Full,
        as_of: xinyong_rules::result::date_text(opts.as_of),
        models: opts
            .models
            .iter()
            .map(|&m| ModelRef {
                id: set.model(m).id.clone(),
                version: set.model(m).version.clone(),
            })
            .collect(),
        subjects: stats.subjects,
        records: stats.records,
        results,
        started_at: started_at.to_string(),
        finished_at: jiff::Timestamp::now().to_string(),
        trigger: opts.trigger.clone(),
        timings: Timings {
            sync_ms,
            scan_ms: stats.input_ms / stats.groupings.max(1) as u64,
            group_ms: stats.group_ms / stats.groupings.max(1) as u64,
            rules_ms: stats.rules_ms / parts,
            write_ms: (stats.output_ms + write_ms) / parts,
            total_ms,
        },
        files: Vec::new(),
    };
    let manifest = writer.commit(&results_dir, manifest)?;
    Ok(BatchReport {
        manifest,
        stats,
        plan: plan_text,
    })
}

/// Subject columns the models read, plus the identifying ones.
fn set_subject_columns(set: &ModelSet, models: &[usize]) -> Vec<String> {
    let schema = subject_schema();
    let used = set.subject_columns(models);
    schema
        .columns
        .iter()
        .enumerate()
        .filter(|(i, c)| {
            (*i < xinyong_columnar::subj::FIRST_FIELD && c.name != "name" && c.name != "type")
                || used.contains(i)
        })
        .map(|(_, c)| c.name.clone())
        .collect()
}

/// Record columns the models read, plus the envelope the evaluator always
/// needs (all of it but the version number, which only a model may read).
fn set_record_columns(set: &ModelSet, models: &[usize]) -> Vec<String> {
    use xinyong_columnar::rec;
    let schema = record_schema();
    let used = set.record_columns(models);
    schema
        .columns
        .iter()
        .enumerate()
        .filter(|(i, _)| (*i < rec::FIRST_FIELD && *i != rec::VERSION) || used.contains(i))
        .map(|(_, c)| c.name.clone())
        .collect()
}
