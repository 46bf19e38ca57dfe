//! The model and run registry (migration 4): who installed which model
//! version, when and why; and every committed evaluation run. Both tables
//! are append-only. Several processes on one database agree on what exists:
//! the store, not a directory listing, is the list.

use serde_json::Value;
use sqlx::{AssertSqlSafe, Decode, Encode, Executor, FromRow, IntoArguments, Pool, Type};

use crate::StoreError;
use crate::codec;
use crate::shared::{Db, Dialect, db};

/// A model version to record as installed.
#[derive(Debug, Clone, Copy)]
pub struct NewModelInstall<'a> {
    /// The model's id (`anhui-class`).
    pub model: &'a str,
    pub version: &'a str,
    /// The model file's text, byte for byte.
    pub text: &'a str,
    /// Who installs it (an account's user name, `cli`).
    pub installed_by: &'a str,
    /// Why.
    pub reason: &'a str,
}

/// A recorded model install.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ModelInstall {
    /// Store-assigned, increasing in install order.
    pub id: i64,
    pub model: String,
    pub version: String,
    /// Hex SHA-256 of the text.
    pub sha256: String,
    pub text: String,
    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    pub installed_at: String,
    pub installed_by: String,
    pub reason: String,
}

/// What [`crate::Store::install_model`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstallOutcome {
    /// A new install, recorded now.
    Installed(ModelInstall),
    /// The same model, version and text were installed before: nothing written.
    Unchanged(ModelInstall),
    /// The same model and version were installed before with another text:
    /// nothing written (the existing install is returned).
    Conflict(ModelInstall),
}

/// A committed evaluation run, as the registry keeps it (the run's manifest;
/// its results are Parquet files the engine reads).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredRun {
    pub id: String,
    /// `full` or `incremental`.
    pub kind: String,
    /// `YYYY-MM-DD`.
    pub as_of: String,
    /// The models and versions of the run (a JSON array).
    pub models: Value,
    pub subjects: u64,
    pub records: u64,
    pub results: u64,
    /// As the run's manifest says (kept as text, byte for byte).
    pub started_at: String,
    pub finished_at: String,
    pub trigger: String,
    /// Parquet files of the run, relative to the results directory.
    pub files: Vec<String>,
    /// Where the run's time went (a JSON object).
    pub timings: Value,
    /// When the store learnt of the run (ignored by [`crate::Store::record_run`]).
    pub committed_at: String,
}

/// The one-time registration of what was on disk before the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryImport {
    pub imported_at: String,
    pub runs: u64,
    pub models: u64,
}

type InstallRow = (i64, String, String, String, String, String, String, String);
type RunRow = (
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
);

/// Hex SHA-256 of `text`.
pub fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

fn install_from_row(r: InstallRow) -> ModelInstall {
    ModelInstall {
        id: r.0,
        model: r.1,
        version: r.2,
        sha256: r.3,
        text: r.4,
        installed_at: r.5,
        installed_by: r.6,
        reason: r.7,
    }
}

fn run_from_row(r: RunRow) -> Result<StoredRun, StoreError> {
    let context = format!("run {}", r.0);
    let json = |text: &str| -> Result<Value, StoreError> {
        serde_json::from_str(text).map_err(|e| codec::corrupt(&context, e))
    };
    let models = json(&r.3)?;
    let files: Vec<String> =
        serde_json::from_str(&r.10).map_err(|e| codec::corrupt(&context, e))?;
    let timings = json(&r.11)?;
    Ok(StoredRun {
        id: r.0,
        kind: r.1,
        as_of: r.2,
        models,
        subjects: codec::to_u64(r.4),
        records: codec::to_u64(r.5),
        results: codec::to_u64(r.6),
        started_at: r.7,
        finished_at: r.8,
        trigger: r.9,
        files,
        timings,
        committed_at: r.12,
    })
}

fn require(field: &str, value: &str) -> Result<(), StoreError> {
    if value.trim().is_empty() {
        return Err(StoreError::Invalid(format!("{field}: must not be empty")));
    }
    Ok(())
}

fn install_select<DB: Dialect>() -> String {
    format!(
        "SELECT {}, model, version, sha256, text, {}, installed_by, reason FROM model_installs",
        DB::cast("id", "int8"),
        DB::timestamp("installed_at")
    )
}

fn run_select<DB: Dialect>() -> String {
    format!(
        "SELECT id, kind, {}, models, {}, {}, {}, started_at, finished_at, trigger, files, timings, {} \
         FROM runs",
        DB::date("as_of"),
        DB::cast("subjects", "int8"),
        DB::cast("records", "int8"),
        DB::cast("results", "int8"),
        DB::timestamp("committed_at"),
    )
}

impl<DB> Db<DB>
where
    DB: Dialect,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'c> &'c Pool<DB>: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB> + Decode<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB> + Decode<'q, DB>,
    for<'r> InstallRow: FromRow<'r, DB::Row>,
    for<'r> RunRow: FromRow<'r, DB::Row>,
    for<'r> (i64,): FromRow<'r, DB::Row>,
    for<'r> (String, i64, i64): FromRow<'r, DB::Row>,
{
    pub async fn install_model(
        &self,
        m: &NewModelInstall<'_>,
    ) -> Result<InstallOutcome, StoreError> {
        require("model", m.model)?;
        require("version", m.version)?;
        require("installed_by", m.installed_by)?;
        require("reason", m.reason)?;
        let sha = sha256_hex(m.text);
        let now = codec::rfc3339(codec::now());
        let insert = format!(
            "INSERT INTO model_installs (model, version, sha256, text, installed_at, installed_by, reason) \
             VALUES ($1, $2, $3, $4, {}, $5, $6) ON CONFLICT (model, version) DO NOTHING RETURNING {}",
            DB::timestamp_param(7),
            DB::cast("1", "int8")
        );
        let done: Option<(i64,)> = sqlx::query_as(AssertSqlSafe(insert))
            .bind(m.model)
            .bind(m.version)
            .bind(sha.as_str())
            .bind(m.text)
            .bind(m.installed_by)
            .bind(m.reason)
            .bind(now.as_str())
            .fetch_optional(&self.writer)
            .await
            .map_err(db::<DB>("recording a model install"))?;
        let existing: InstallRow = sqlx::query_as(AssertSqlSafe(format!(
            "{} WHERE model = $1 AND version = $2",
            install_select::<DB>()
        )))
        .bind(m.model)
        .bind(m.version)
        .fetch_one(&self.writer)
        .await
        .map_err(db::<DB>("reading a model install"))?;
        let existing = install_from_row(existing);
        Ok(if done.is_some() {
            InstallOutcome::Installed(existing)
        } else if existing.sha256 == sha {
            InstallOutcome::Unchanged(existing)
        } else {
            InstallOutcome::Conflict(existing)
        })
    }

    pub async fn model_installs(&self) -> Result<Vec<ModelInstall>, StoreError> {
        let rows: Vec<InstallRow> = sqlx::query_as(AssertSqlSafe(format!(
            "{} ORDER BY id",
            install_select::<DB>()
        )))
        .fetch_all(&self.reader)
        .await
        .map_err(db::<DB>("listing model installs"))?;
        Ok(rows.into_iter().map(install_from_row).collect())
    }

    pub async fn record_run(&self, run: &StoredRun) -> Result<bool, StoreError> {
        require("id", &run.id)?;
        require("kind", &run.kind)?;
        // `YYYY-MM-DD` only: dates order as their texts in SQLite.
        let canonical = codec::parse_date(&run.as_of, "as_of").map(|d| d.to_string());
        if canonical.ok().as_deref() != Some(run.as_of.as_str()) {
            return Err(StoreError::Invalid(format!(
                "as_of: not a YYYY-MM-DD date: {:?}",
                run.as_of
            )));
        }
        let text = |v: &Value| v.to_string();
        let files =
            serde_json::to_string(&run.files).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let now = codec::rfc3339(codec::now());
        let insert = format!(
            "INSERT INTO runs (id, kind, as_of, models, subjects, records, results, started_at, \
                               finished_at, trigger, files, timings, committed_at) \
             VALUES ($1, $2, {}, $4, $5, $6, $7, $8, $9, $10, $11, $12, {}) \
             ON CONFLICT (id) DO NOTHING RETURNING {}",
            DB::cast(&DB::cast("$3", "text"), "date"),
            DB::timestamp_param(13),
            DB::cast("1", "int8"),
        );
        let done: Option<(i64,)> = sqlx::query_as(AssertSqlSafe(insert))
            .bind(run.id.as_str())
            .bind(run.kind.as_str())
            .bind(run.as_of.as_str())
            .bind(text(&run.models))
            .bind(codec::to_i64(run.subjects))
            .bind(codec::to_i64(run.records))
            .bind(codec::to_i64(run.results))
            .bind(run.started_at.as_str())
            .bind(run.finished_at.as_str())
            .bind(run.trigger.as_str())
            .bind(files)
            .bind(text(&run.timings))
            .bind(now)
            .fetch_optional(&self.writer)
            .await
            .map_err(db::<DB>("recording a run"))?;
        Ok(done.is_some())
    }

    /// Runs by `ORDER BY` clause `order` (and `LIMIT $1` when `limit`).
    async fn runs_by(&self, order: &str, limit: Option<u32>) -> Result<Vec<StoredRun>, StoreError> {
        let mut sql = format!("{} {order}", run_select::<DB>());
        if limit.is_some() {
            sql.push_str(" LIMIT $1");
        }
        let mut q = sqlx::query_as::<DB, RunRow>(AssertSqlSafe(sql));
        if let Some(n) = limit {
            q = q.bind(i64::from(n));
        }
        let rows = q
            .fetch_all(&self.reader)
            .await
            .map_err(db::<DB>("listing runs"))?;
        rows.into_iter().map(run_from_row).collect()
    }

    pub async fn runs(&self) -> Result<Vec<StoredRun>, StoreError> {
        self.runs_by("ORDER BY id", None).await
    }

    pub async fn recent_runs(&self, limit: u32) -> Result<Vec<StoredRun>, StoreError> {
        self.runs_by("ORDER BY id DESC", Some(limit)).await
    }

    pub async fn run(&self, id: &str) -> Result<Option<StoredRun>, StoreError> {
        let row: Option<RunRow> = sqlx::query_as(AssertSqlSafe(format!(
            "{} WHERE id = $1",
            run_select::<DB>()
        )))
        .bind(id)
        .fetch_optional(&self.reader)
        .await
        .map_err(db::<DB>("reading a run"))?;
        row.map(run_from_row).transpose()
    }

    pub async fn run_count(&self) -> Result<u64, StoreError> {
        let (n,): (i64,) = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {} FROM runs",
            DB::cast("count(*)", "int8")
        )))
        .fetch_one(&self.reader)
        .await
        .map_err(db::<DB>("counting runs"))?;
        Ok(codec::to_u64(n))
    }

    pub async fn registry_import(&self) -> Result<Option<RegistryImport>, StoreError> {
        let row: Option<(String, i64, i64)> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {}, {}, {} FROM run_registry_imports WHERE id = 1",
            DB::timestamp("imported_at"),
            DB::cast("runs", "int8"),
            DB::cast("models", "int8"),
        )))
        .fetch_optional(&self.writer)
        .await
        .map_err(db::<DB>("reading the registry import"))?;
        Ok(row.map(|(imported_at, runs, models)| RegistryImport {
            imported_at,
            runs: codec::to_u64(runs),
            models: codec::to_u64(models),
        }))
    }

    pub async fn mark_registry_imported(&self, runs: u64, models: u64) -> Result<bool, StoreError> {
        let now = codec::rfc3339(codec::now());
        let done: Option<(i64,)> = sqlx::query_as(AssertSqlSafe(format!(
            "INSERT INTO run_registry_imports (id, imported_at, runs, models) VALUES (1, {}, $2, $3) \
             ON CONFLICT (id) DO NOTHING RETURNING {}",
            DB::timestamp_param(1),
            DB::cast("1", "int8")
        )))
        .bind(now.as_str())
        .bind(codec::to_i64(runs))
        .bind(codec::to_i64(models))
        .fetch_optional(&self.writer)
        .await
        .map_err(db::<DB>("marking the registry import"))?;
        Ok(done.is_some())
    }
}
