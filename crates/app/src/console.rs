//! The credit office's console (PRODUCT.md C14, C15): the distribution of
//! every model's outcomes over the stored full runs (the latest one and its
//! trend), the API tokens issued, and evaluations started and cancelled
//! from a page, audited.
//!
//! A run is immutable, so the outcome counts of a run are computed once
//! (one scan of its `model` and `outcome` columns) and kept by run id, in
//! memory and on disk (`run_stats`).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use serde_json::json;
use xinyong_engine::results::from_stored;

use crate::access::{Operation, authorise};
use crate::audit::AuditEvent;
use crate::{App, AppError, ErrorCode, EvaluateRequest, Principal, TaskInfo};

/// Most runs a trend reaches back.
pub const MAX_TREND_RUNS: usize = 24;

/// How many subjects of a run have one outcome of a model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OutcomeCount {
    /// The outcome (a class, grade, list or eligibility code).
    pub outcome: String,
    /// Its Chinese label when the model file gives one, else the code.
    pub label: String,
    pub count: u64,
}

/// One run's distribution of a model's outcomes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RunDistribution {
    pub run_id: String,
    /// `YYYY-MM-DD`.
    pub as_of: String,
    /// When the run finished (RFC 3339, UTC).
    pub finished_at: String,
    /// Subjects with a result of the model in the run.
    pub total: u64,
    /// One entry per outcome of the model's distribution (the same
    /// outcomes, in the same order, in every run of a model; zero where
    /// the run had none).
    pub counts: Vec<OutcomeCount>,
}

/// A model's outcomes over the stored full runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ModelDistribution {
    pub model: String,
    /// Its Chinese name (the id for a model no longer in force).
    pub name: String,
    /// `classification`, `lists`, `eligibility` or `scoring` (empty for a
    /// model no longer in force).
    pub kind: String,
    /// The full runs that evaluated the model, oldest first (by as-of
    /// date, then finish); the last is the latest distribution.
    pub runs: Vec<RunDistribution>,
}

/// An API token as the admin sees it (never the token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ApiTokenInfo {
    pub id: i64,
    /// The account it acts for, and that account's role.
    pub username: String,
    pub role: String,
    pub label: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub created_by: String,
    /// When and by whom it was revoked; `null` while it works.
    pub revoked_at: Option<String>,
    pub revoked_by: Option<String>,
}

/// A run's `(model, outcome, count)` of its subject-level results.
type RunCounts = Arc<Vec<(String, String, u64)>>;

/// Per outcome, its count in one run.
type Counts = BTreeMap<String, u64>;

/// Outcome counts of runs, by run id (runs never change).
pub(crate) type DistributionCache = crate::run_stats::StatsCache<Vec<(String, String, u64)>>;

/// The outcomes of one model in the order of its file's labels, then any
/// other outcome seen, by code.
fn outcome_order(labels: &[(String, String)], seen: &BTreeMap<String, ()>) -> Vec<String> {
    let mut order: Vec<String> = labels
        .iter()
        .filter(|(id, _)| seen.contains_key(id))
        .map(|(id, _)| id.clone())
        .collect();
    for outcome in seen.keys() {
        if !order.contains(outcome) {
            order.push(outcome.clone());
        }
    }
    order
}

/// An instant the platform stored (RFC 3339) as people here read it:
/// `YYYY-MM-DD HH:MM:SS` in China Standard Time; a text that is no instant
/// is returned as it is.
pub fn local_time(text: &str) -> String {
    match text.parse::<jiff::Timestamp>() {
        Ok(ts) => ts
            .to_zoned(crate::china_standard_time())
            .strftime("%Y-%m-%d %H:%M:%S")
            .to_string(),
        Err(_) => text.to_owned(),
    }
}

impl App {
    /// `(model, outcome, subjects)` of one stored run: computed once, then
    /// kept (`run_stats`).
    pub(crate) async fn run_outcome_counts(
        &self,
        run: &xinyong_engine::results::RunManifest,
    ) -> Result<RunCounts, AppError> {
        if let Some(c) = self.distribution_cache.get(&run.id) {
            return Ok(c);
        }
        let counts = Arc::new(xinyong_engine::history::outcome_counts(&self.lake, run).await?);
        self.distribution_cache.put(&run.id, counts.clone());
        Ok(counts)
    }

    /// The distribution of every subject-level model's outcomes in each of
    /// the `runs` (1–[`MAX_TREND_RUNS`]) latest full runs that evaluated it,
    /// oldest first: the last run is the model's latest distribution, the
    /// runs together its trend. Models in the order of the models in force,
    /// then any other model by id. Record-level models have no outcome per
    /// subject and are left out.
    pub async fn result_distributions(
        &self,
        by: &Principal,
        runs: usize,
    ) -> Result<Vec<ModelDistribution>, AppError> {
        authorise(by, Operation::ReadDistributions)?;
        if !(1..=MAX_TREND_RUNS).contains(&runs) {
            return Err(AppError::invalid(
                "runs",
                format!("runs 应在 1 到 {MAX_TREND_RUNS} 之间"),
            ));
        }
        let mut full: Vec<_> = self
            .store
            .runs()
            .await?
            .into_iter()
            .filter(|r| r.kind == "full")
            .collect();
        full.sort_by(|a, b| {
            (a.as_of.as_str(), a.finished_at.as_str())
                .cmp(&(b.as_of.as_str(), b.finished_at.as_str()))
        });
        // Per model: (run, its counts of the model), newest first, at most
        // `runs`. The runs are read newest first, and a run is read only
        // while one of the models its manifest lists lacks a run (or it
        // lists none): older runs are never counted for nothing (each count
        // of a run not yet counted reads its result files whole).
        let mut per_model: BTreeMap<String, Vec<(usize, Counts)>> = BTreeMap::new();
        for (i, run) in full.iter().enumerate().rev() {
            let run = from_stored(run.clone())?;
            let wanted = run.models.is_empty()
                || run.models.iter().any(|m| {
                    !m.record_level && per_model.get(&m.id).is_none_or(|s| s.len() < runs)
                });
            if !wanted {
                continue;
            }
            let counts = self.run_outcome_counts(&run).await?;
            let mut of_run: BTreeMap<&str, Counts> = BTreeMap::new();
            for (model, outcome, n) in counts.iter() {
                *of_run
                    .entry(model.as_str())
                    .or_default()
                    .entry(outcome.clone())
                    .or_default() += n;
            }
            for (model, outcomes) in of_run {
                let series = per_model.entry(model.to_owned()).or_default();
                if series.len() < runs {
                    series.push((i, outcomes));
                }
            }
        }
        let in_force = self.models_in_force()?;
        let mut out: Vec<ModelDistribution> = Vec::new();
        for (model, mut series) in per_model {
            series.reverse();
            let summary = in_force.iter().find(|m| m.id == model);
            let seen: BTreeMap<String, ()> = series
                .iter()
                .flat_map(|(_, o)| o.keys().map(|k| (k.clone(), ())))
                .collect();
            let labels = summary.map(|m| m.labels.as_slice()).unwrap_or_default();
            let order = outcome_order(labels, &seen);
            let label = |o: &str| {
                summary
                    .and_then(|m| m.label(o))
                    .map_or_else(|| o.to_owned(), str::to_owned)
            };
            out.push(ModelDistribution {
                name: summary.map_or_else(|| model.clone(), |m| m.name.clone()),
                kind: summary.map(|m| m.kind.clone()).unwrap_or_default(),
                runs: series
                    .into_iter()
                    .map(|(i, outcomes)| RunDistribution {
                        run_id: full[i].id.clone(),
                        as_of: full[i].as_of.clone(),
                        finished_at: full[i].finished_at.clone(),
                        total: outcomes.values().sum(),
                        counts: order
                            .iter()
                            .map(|o| OutcomeCount {
                                outcome: o.clone(),
                                label: label(o),
                                count: outcomes.get(o).copied().unwrap_or(0),
                            })
                            .collect(),
                    })
                    .collect(),
                model,
            });
        }
        let rank = |id: &str| {
            in_force
                .iter()
                .position(|m| m.id == id)
                .unwrap_or(usize::MAX)
        };
        out.sort_by(|a, b| (rank(&a.model), &a.model).cmp(&(rank(&b.model), &b.model)));
        Ok(out)
    }

    /// Every API token issued, revoked ones included, by id (admin). The
    /// read is audited ("api_token.list").
    pub async fn list_api_tokens(&self, by: &Principal) -> Result<Vec<ApiTokenInfo>, AppError> {
        authorise(by, Operation::ManageAccounts)?;
        let tokens: Vec<ApiTokenInfo> = self
            .store
            .api_tokens()
            .await?
            .into_iter()
            .map(|t| ApiTokenInfo {
                id: t.id,
                username: t.username,
                role: t.role,
                label: t.label,
                created_at: t.created_at,
                created_by: t.created_by,
                revoked_at: t.revoked_at,
                revoked_by: t.revoked_by,
            })
            .collect();
        self.audit(
            by,
            AuditEvent {
                action: "api_token.list",
                subject: None,
                purpose: None,
                detail: json!({"returned": tokens.len()}),
            },
        )
        .await?;
        Ok(tokens)
    }

    /// Start a full evaluation as a task (admin), as of `as_of`
    /// (`YYYY-MM-DD`; empty: today) with `models` (empty: every model in
    /// force at that date; otherwise each must be in force then). Audited
    /// ("evaluation.start").
    pub async fn start_evaluation_task(
        self: &Arc<App>,
        by: &Principal,
        as_of: &str,
        models: Vec<String>,
    ) -> Result<TaskInfo, AppError> {
        authorise(by, Operation::RunEvaluations)?;
        let as_of = match as_of.trim() {
            "" => None,
            text => Some(xinyong_core::time::parse_date(text).map_err(|_| {
                AppError::invalid("as_of", format!("评价基准日须为日期（YYYY-MM-DD）：{text}"))
            })?),
        };
        self.start_audited_evaluation(by, as_of, models).await
    }

    /// Start a full evaluation as a task (admin): the models must be in
    /// force on `as_of` (default today); audited ("evaluation.start"). Every
    /// front end starts evaluations here.
    pub async fn start_audited_evaluation(
        self: &Arc<App>,
        by: &Principal,
        as_of: Option<xinyong_core::time::Date>,
        models: Vec<String>,
    ) -> Result<TaskInfo, AppError> {
        authorise(by, Operation::RunEvaluations)?;
        let known = self.active_model_ids(as_of)?;
        if let Some(unknown) = models.iter().find(|m| !known.contains(m)) {
            return Err(AppError::invalid(
                "models",
                format!(
                    "模型 {unknown} 在评价基准日不在施行期内（可选：{}）",
                    known.join("、")
                ),
            ));
        }
        let task = self.start_evaluation(
            by,
            EvaluateRequest {
                as_of,
                models: models.clone(),
                ..EvaluateRequest::default()
            },
        )?;
        self.audit(
            by,
            AuditEvent {
                action: "evaluation.start",
                subject: None,
                purpose: None,
                detail: json!({
                    "task": task.id,
                    "as_of": as_of.map(|d| d.to_string()),
                    "models": models,
                }),
            },
        )
        .await?;
        Ok(task)
    }

    /// Ask a running evaluation task to stop (admin). Audited
    /// ("task.cancel") when the task was still running.
    pub async fn cancel_evaluation_task(
        &self,
        by: &Principal,
        id: u64,
    ) -> Result<TaskInfo, AppError> {
        let task = self.cancel_task(by, id)?;
        if task.status != crate::TaskStatus::Running {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!("任务 {id} 已经结束，无需取消"),
            ));
        }
        self.audit(
            by,
            AuditEvent {
                action: "task.cancel",
                subject: None,
                purpose: None,
                detail: json!({"task": id, "kind": task.kind}),
            },
        )
        .await?;
        Ok(task)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_are_shown_in_china_standard_time() {
        assert_eq!(
            local_time("2026-06-30T17:05:09.123456Z"),
            "2026-07-01 01:05:09"
        );
        assert_eq!(local_time("yesterday"), "yesterday");
    }

    #[test]
    fn outcomes_follow_the_model_file_then_the_codes() {
        let labels = vec![
            ("A".to_owned(), "A级".to_owned()),
            ("R1".to_owned(), "规则".to_owned()),
            ("B".to_owned(), "B级".to_owned()),
            ("D".to_owned(), "D级".to_owned()),
        ];
        let seen: BTreeMap<String, ()> = ["D", "B", "zz", "A", "m"]
            .into_iter()
            .map(|s| (s.to_owned(), ()))
            .collect();
        assert_eq!(outcome_order(&labels, &seen), ["A", "B", "D", "m", "zz"]);
    }
}
