//! Models and runs as the store records them: which model versions are
//! installed (who, when, why) and which evaluation runs were committed.

use serde::Serialize;
use serde_json::Value;
use xinyong_engine::models::{install_model, load_models, sync_model_files};
use xinyong_store::{ModelInstall, StoredRun};

use crate::access::{Operation, authorise};
use crate::audit::{AuditEvent, OPERATOR_ACTOR, OPERATOR_ROLE};
use crate::{App, AppError, ErrorCode, Principal};

/// Runs listed at most per request.
pub const MAX_RUNS_PAGE: u32 = 500;

/// One model version the platform knows: built in, or installed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct InstalledModel {
    pub id: String,
    pub version: String,
    pub name: String,
    /// `classification`, `lists`, `eligibility`, `scoring` or `record`.
    pub kind: String,
    /// `YYYY-MM-DD`, or `null` (no bound).
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    /// `public` or another visibility of the model file.
    pub visibility: String,
    /// The policy document the model implements.
    pub source: String,
    /// The file the model was read from (a built-in name or `models/<file>`).
    pub file: String,
    /// Its rule ids, in order.
    pub rules: Vec<String>,
    /// Hex SHA-256 of the model text.
    pub sha256: String,
    /// Who installed it, when (RFC 3339, UTC) and why; `null` for a built-in model.
    pub installed_by: Option<String>,
    pub installed_at: Option<String>,
    pub reason: Option<String>,
}

/// One committed evaluation run.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RunInfo {
    pub id: String,
    /// `full` or `incremental`.
    pub kind: String,
    /// `YYYY-MM-DD`.
    pub as_of: String,
    /// `[{"id", "version"}]` of the models evaluated.
    #[schema(value_type = Vec<Object>)]
    pub models: Value,
    pub subjects: u64,
    pub records: u64,
    pub results: u64,
    pub started_at: String,
    pub finished_at: String,
    /// What started it (`evaluate-all`, `import`, a task, …).
    pub trigger: String,
    /// When the store recorded it (RFC 3339, UTC).
    pub committed_at: String,
}

impl From<StoredRun> for RunInfo {
    fn from(r: StoredRun) -> RunInfo {
        RunInfo {
            id: r.id,
            kind: r.kind,
            as_of: r.as_of,
            models: r.models,
            subjects: r.subjects,
            records: r.records,
            results: r.results,
            started_at: r.started_at,
            finished_at: r.finished_at,
            trigger: r.trigger,
            committed_at: r.committed_at,
        }
    }
}

impl App {
    /// Every model version the platform evaluates with (built in and
    /// installed), each with its install record when it has one.
    pub async fn installed_models(&self, by: &Principal) -> Result<Vec<InstalledModel>, AppError> {
        authorise(by, Operation::ReadModels)?;
        self.models_view().await
    }

    /// The models, for the operator's command line.
    pub async fn operator_models(&self) -> Result<Vec<InstalledModel>, AppError> {
        self.models_view().await
    }

    async fn models_view(&self) -> Result<Vec<InstalledModel>, AppError> {
        // Installs recorded by another process (or another machine on the
        // same PostgreSQL) become files here first.
        sync_model_files(&self.store, &self.data_dir).await?;
        let installs = self.store.model_installs().await?;
        let set = load_models(&self.data_dir)?;
        let date = |d: Option<i32>| d.map(xinyong_rules::result::date_text);
        Ok(set
            .models()
            .iter()
            .map(|m| {
                let install: Option<&ModelInstall> = installs
                    .iter()
                    .find(|i| i.model == m.id && i.version == m.version);
                InstalledModel {
                    id: m.id.clone(),
                    version: m.version.clone(),
                    name: m.name.clone(),
                    kind: m.kind.as_str().to_owned(),
                    valid_from: date(m.valid_from),
                    valid_to: date(m.valid_to),
                    visibility: m.visibility.clone(),
                    source: m.source.clone(),
                    file: m.origin.clone(),
                    rules: m.rule_ids(),
                    sha256: xinyong_store::sha256_hex(&m.text),
                    installed_by: install.map(|i| i.installed_by.clone()),
                    installed_at: install.map(|i| i.installed_at.clone()),
                    reason: install.map(|i| i.reason.clone()),
                }
            })
            .collect())
    }

    /// Validate and install a model version from the operator's command
    /// line; `reason` is recorded with it (and in the audit log).
    pub async fn operator_install_model(
        &self,
        file_name: &str,
        text: &str,
        reason: &str,
    ) -> Result<ModelInstall, AppError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AppError::invalid("reason", "安装模型须说明理由"));
        }
        let install = install_model(
            &self.store,
            &self.data_dir,
            file_name,
            text,
            OPERATOR_ACTOR,
            reason,
        )
        .await
        .map_err(|e| match e {
            xinyong_engine::EngineError::ModelConflict(m) => AppError::new(ErrorCode::Conflict, m),
            other => other.into(),
        })?;
        self.audit_as(
            OPERATOR_ACTOR,
            OPERATOR_ROLE,
            AuditEvent {
                action: "model.install",
                subject: None,
                purpose: Some(reason),
                detail: serde_json::json!({
                    "model": install.model, "version": install.version,
                    "sha256": install.sha256,
                }),
            },
        )
        .await?;
        Ok(install)
    }

    /// The `limit` most recent committed runs (1–[`MAX_RUNS_PAGE`]), newest first.
    pub async fn stored_runs(&self, by: &Principal, limit: u32) -> Result<Vec<RunInfo>, AppError> {
        authorise(by, Operation::ReadModels)?;
        if !(1..=MAX_RUNS_PAGE).contains(&limit) {
            return Err(AppError::invalid(
                "limit",
                format!("limit 应在 1 到 {MAX_RUNS_PAGE} 之间"),
            ));
        }
        Ok(self
            .store
            .recent_runs(limit)
            .await?
            .into_iter()
            .map(RunInfo::from)
            .collect())
    }
}
