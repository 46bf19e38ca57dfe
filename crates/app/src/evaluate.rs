//! Evaluations over the store: a full run, the re-evaluation of some
//! subjects, a subject's history.

use std::sync::Arc;

use jiff::civil::Date;
use xinyong_engine::batch::{
    BatchOptions, PlanSubmitter, RunControl, active_models, evaluate_all_remote, evaluate_all_with,
};
use xinyong_engine::exec::Grouping;
use xinyong_engine::history::{StoredResult, changes};
use xinyong_engine::incremental::evaluate_subjects;
use xinyong_engine::models::models_as_of;
use xinyong_engine::results::RunManifest;
use xinyong_rules::{EvalOptions, ModelSet};

use crate::{App, AppError, ErrorCode, cores, normalise_uscc};

/// A full evaluation of every subject in the store.
#[derive(Debug, Clone)]
pub struct EvaluateRequest {
    /// As-of date (default: today by the application's clock).
    pub as_of: Option<Date>,
    /// Only these model ids (default: every model in force at the date).
    pub models: Vec<String>,
    /// Parallel partitions (default: the number of cores).
    pub partitions: Option<usize>,
    /// Run the plan a distributed engine runs (inputs hash-partitioned by subject).
    pub partitioned: bool,
    /// Compute the day each explanation stops holding (`stops_on`).
    pub stops_on: bool,
    /// Why the run is made (kept in its manifest).
    pub trigger: String,
}

impl Default for EvaluateRequest {
    fn default() -> EvaluateRequest {
        EvaluateRequest {
            as_of: None,
            models: Vec::new(),
            partitions: None,
            partitioned: false,
            stops_on: true,
            trigger: String::new(),
        }
    }
}

/// A stored run.
#[derive(Debug, Clone)]
pub struct Evaluated {
    pub manifest: RunManifest,
    /// The physical plan, as DataFusion prints it.
    pub plan: String,
}

impl App {
    fn as_of_days(&self, as_of: Option<Date>) -> i32 {
        xinyong_core::time::days_since_epoch(as_of.unwrap_or_else(|| self.today()))
    }

    /// The model versions in force at `as_of` (installed versions included).
    fn models_at(&self, as_of: i32) -> Result<ModelSet, AppError> {
        Ok(models_as_of(&self.data_dir, as_of)?)
    }

    /// Ids of the models in force at `as_of` (default today), in run order.
    pub fn active_model_ids(&self, as_of: Option<Date>) -> Result<Vec<String>, AppError> {
        let as_of = self.as_of_days(as_of);
        let set = self.models_at(as_of)?;
        Ok(active_models(&set, as_of)
            .into_iter()
            .map(|m| set.model(m).id.clone())
            .collect())
    }

    /// Evaluate every subject of the store and store the results as a run;
    /// `control` cancels it and receives its progress. A run that does not
    /// complete leaves nothing behind.
    pub async fn evaluate_all(
        &self,
        req: &EvaluateRequest,
        control: &RunControl,
    ) -> Result<Evaluated, AppError> {
        self.evaluate_all_on(req, control, None).await
    }

    /// [`evaluate_all`](Self::evaluate_all), computed by a distributed
    /// engine when `cluster` is given (the partitioned plan, submitted to
    /// it; its executors read the lake and write the run's result files at
    /// this installation's paths). The run is recorded as a local run is,
    /// so history, profiles and reports do not care where it was computed.
    pub async fn evaluate_all_on(
        &self,
        req: &EvaluateRequest,
        control: &RunControl,
        cluster: Option<&dyn PlanSubmitter>,
    ) -> Result<Evaluated, AppError> {
        if cluster.is_some() && !self.lake.root().is_absolute() {
            return Err(AppError::invalid(
                "data_dir",
                format!(
                    "a cluster run needs an absolute data directory (executors open the lake's files by path), not {}",
                    self.lake.root().display()
                ),
            ));
        }
        let as_of = self.as_of_days(req.as_of);
        let set = Arc::new(self.models_at(as_of)?);
        let models = select(&set, &req.models, as_of)?;
        let opts = BatchOptions {
            as_of,
            models,
            partitions: req.partitions.unwrap_or_else(cores).max(1),
            grouping: req.partitioned.then_some(Grouping::Partitioned),
            eval: EvalOptions {
                stops_on: req.stops_on,
                ..EvalOptions::default()
            },
            trigger: req.trigger.clone(),
        };
        // Every version stored before the run starts is in it (its lake
        // sync reads at least as far): the run's mark.
        let (records, subjects) = self.store.max_seqs().await?;
        let r = match cluster {
            Some(submitter) => {
                evaluate_all_remote(&self.store, &self.lake, set, &opts, control, submitter).await?
            }
            None => evaluate_all_with(&self.store, &self.lake, set, &opts, control).await?,
        };
        if req.models.is_empty() && req.as_of.is_none_or(|d| d == self.today()) {
            self.store
                .add_reevaluation_mark(records, subjects, Some(&r.manifest.id), r.manifest.subjects)
                .await?;
        }
        Ok(Evaluated {
            manifest: r.manifest,
            plan: r.plan,
        })
    }

    /// Re-evaluate some subjects now (an incremental run of every model in
    /// force at `as_of`, default today).
    pub async fn reevaluate(
        &self,
        subjects: &[String],
        as_of: Option<Date>,
        trigger: &str,
    ) -> Result<RunManifest, AppError> {
        let as_of = self.as_of_days(as_of);
        let set = self.models_at(as_of)?;
        let models = active_models(&set, as_of);
        let subjects: Vec<String> = subjects.iter().map(|s| normalise_uscc(s)).collect();
        Ok(evaluate_subjects(
            &self.store,
            &self.lake,
            &set,
            &models,
            &subjects,
            as_of,
            trigger,
        )
        .await?)
    }

    /// How many results of each model have each outcome in a run:
    /// `(model, outcome, count)`.
    pub async fn outcome_counts(
        &self,
        run: &RunManifest,
    ) -> Result<Vec<(String, String, u64)>, AppError> {
        Ok(xinyong_engine::history::outcome_counts(&self.lake, run).await?)
    }

    /// A subject's stored results over the runs, oldest first: every result,
    /// or (`changes_only`) the results whose outcome differs from the model's
    /// previous one.
    pub async fn history(
        &self,
        uscc: &str,
        model: Option<&str>,
        changes_only: bool,
    ) -> Result<Vec<StoredResult>, AppError> {
        let results = self
            .results
            .subject_results(&normalise_uscc(uscc), model)
            .await?;
        if changes_only {
            Ok(changes(&results).into_iter().cloned().collect())
        } else {
            Ok(results)
        }
    }
}

/// The models a run evaluates: the named ones, or every one in force.
fn select(set: &ModelSet, ids: &[String], as_of: i32) -> Result<Vec<usize>, AppError> {
    if ids.is_empty() {
        return Ok(active_models(set, as_of));
    }
    ids.iter()
        .map(|id| {
            set.find(id, as_of).ok_or_else(|| AppError {
                code: ErrorCode::UnknownModel,
                detail: format!("unknown model '{id}' (known: {})", set.ids().join(", ")),
                field: Some("model".to_owned()),
            })
        })
        .collect()
}
