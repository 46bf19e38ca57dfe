//! Commands of the evaluation engine.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use xinyong_app::batch::{check_model_file, list_model_files};
use xinyong_app::{EvaluateRequest, PlanSubmitter, RunControl};
use xinyong_cluster::BallistaSubmitter;

use crate::evaluate::batch_fail;
use crate::store_cmds::{app_fail, open_app};
use crate::{StoreArgs, fail, parse_day};

#[derive(Args)]
pub struct EvaluateAllArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// As-of date (default: today).
    #[arg(long, value_parser = parse_day)]
    pub as_of: Option<jiff::civil::Date>,
    /// Only these models (default: every model in force at the date).
    #[arg(long = "model")]
    pub models: Vec<String>,
    /// Also evaluate each model alone and report its time.
    #[arg(long)]
    pub per_model: bool,
    /// Parallel partitions (default: the number of cores).
    #[arg(long)]
    pub partitions: Option<usize>,
    /// Use the plan a distributed engine runs: both inputs hash-partitioned by
    /// subject (DataFusion repartitions them) instead of merged on this machine.
    #[arg(long)]
    pub partitioned: bool,
    /// Skip explanations' end dates (`stops_on`).
    #[arg(long)]
    pub no_stops_on: bool,
    /// Print the DataFusion plan.
    #[arg(long)]
    pub explain: bool,
    /// Compute the run on a Ballista cluster: its scheduler (`host:port`),
    /// whose executors read the lake and write the results at this data
    /// directory's paths (docs/CLUSTER.md). Implies --partitioned.
    #[arg(long, value_name = "SCHEDULER")]
    pub cluster: Option<String>,
}

fn spinner(msg: &str) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    pb.set_message(msg.to_owned());
    pb.enable_steady_tick(Duration::from_millis(120));
    Some(pb)
}

/// `xinyong evaluate-all`: one full run over the store; prints its manifest.
pub async fn evaluate_all(mut a: EvaluateAllArgs) -> ExitCode {
    let submitter = match a.cluster.as_deref().map(BallistaSubmitter::new).transpose() {
        Ok(s) => s,
        Err(e) => return fail(2, e),
    };
    if submitter.is_some() {
        // Executors open the lake's files by the paths this process names.
        match std::path::absolute(&a.store.data_dir) {
            Ok(dir) => a.store.data_dir = dir,
            Err(e) => return fail(2, format!("{}: {e}", a.store.data_dir.display())),
        }
    }
    let app = match open_app(&a.store).await {
        Ok(app) => app,
        Err(e) => return app_fail(e),
    };
    let base = EvaluateRequest {
        as_of: a.as_of,
        models: a.models.clone(),
        partitions: a.partitions,
        partitioned: a.partitioned || submitter.is_some(),
        stops_on: !a.no_stops_on,
        trigger: String::new(),
    };
    let mut runs: Vec<(String, Vec<String>)> = vec![("all".into(), a.models.clone())];
    if a.per_model {
        let ids = if a.models.is_empty() {
            match app.active_model_ids(a.as_of) {
                Ok(ids) => ids,
                Err(e) => return app_fail(e),
            }
        } else {
            a.models.clone()
        };
        runs.extend(ids.into_iter().map(|id| (id.clone(), vec![id])));
    }
    for (label, models) in runs {
        let pb = spinner(&format!("evaluating {label} …"));
        let req = EvaluateRequest {
            models,
            trigger: format!("cli evaluate-all ({label})"),
            ..base.clone()
        };
        let cluster = submitter.as_ref().map(|s| s as &dyn PlanSubmitter);
        let report = app
            .evaluate_all_on(&req, &RunControl::default(), cluster)
            .await;
        if let Some(pb) = pb {
            pb.finish_and_clear();
        }
        match report {
            Ok(r) => {
                if a.explain {
                    eprintln!("{}", r.plan);
                }
                let m = &r.manifest;
                println!(
                    "{}",
                    json!({"run": m.id, "label": label, "as_of": m.as_of, "models": m.models, "subjects": m.subjects,
                           "records": m.records, "results": m.results, "timings_ms": m.timings})
                );
            }
            Err(e) => return app_fail(e),
        }
    }
    ExitCode::SUCCESS
}

#[derive(Args)]
pub struct ReevaluateArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Subjects (USCCs) to re-evaluate.
    #[arg(required = true)]
    pub subjects: Vec<String>,
    #[arg(long, value_parser = parse_day)]
    pub as_of: Option<jiff::civil::Date>,
}

/// `xinyong reevaluate USCC…`: an incremental run for these subjects.
pub async fn reevaluate(a: ReevaluateArgs) -> ExitCode {
    let app = match open_app(&a.store).await {
        Ok(app) => app,
        Err(e) => return app_fail(e),
    };
    match app.reevaluate(&a.subjects, a.as_of, "cli reevaluate").await {
        Ok(m) => {
            println!(
                "{}",
                json!({"run": m.id, "as_of": m.as_of, "subjects": m.subjects, "results": m.results, "timings_ms": m.timings})
            );
            ExitCode::SUCCESS
        }
        Err(e) => app_fail(e),
    }
}

#[derive(Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// The subject's USCC.
    #[arg(long)]
    pub subject: String,
    /// Only this model.
    #[arg(long)]
    pub model: Option<String>,
    /// Every stored result, not only the changes.
    #[arg(long)]
    pub all: bool,
}

/// `xinyong history --subject USCC`: the subject's results over the runs;
/// by default only the changes of each model's outcome, each with its reasons.
pub async fn history(a: HistoryArgs) -> ExitCode {
    let app = match open_app(&a.store).await {
        Ok(app) => app,
        Err(e) => return app_fail(e),
    };
    match app.history(&a.subject, a.model.as_deref(), !a.all).await {
        Ok(results) => {
            for r in results {
                println!("{}", serde_json::to_string(&r).unwrap_or_default());
            }
            ExitCode::SUCCESS
        }
        Err(e) => app_fail(e),
    }
}

#[derive(Subcommand)]
pub enum ModelCommand {
    /// List the models (built-in and installed versions).
    List {
        #[arg(long, env = "XINYONG_DATA_DIR", default_value = "xinyong-data")]
        data_dir: PathBuf,
    },
    /// Print a model file.
    Show {
        id: String,
        #[arg(long)]
        version: Option<String>,
        #[arg(long, env = "XINYONG_DATA_DIR", default_value = "xinyong-data")]
        data_dir: PathBuf,
    },
    /// Validate a model file (errors give file:line:column).
    Check {
        file: PathBuf,
        #[arg(long, env = "XINYONG_DATA_DIR", default_value = "xinyong-data")]
        data_dir: PathBuf,
    },
    /// Validate and install a new model version (recorded in the store:
    /// who, when, why).
    Install {
        file: PathBuf,
        #[command(flatten)]
        store: crate::StoreArgs,
        /// Why this version is installed (recorded with it and audited).
        #[arg(long, default_value = "运维人员通过命令行安装")]
        reason: String,
    },
}

/// `xinyong model …`.
pub fn model(cmd: ModelCommand) -> ExitCode {
    match cmd {
        ModelCommand::List { data_dir } => match list_model_files(&data_dir) {
            Ok(models) => {
                for m in models {
                    println!("{}", serde_json::to_string(&m).unwrap_or_default());
                }
                ExitCode::SUCCESS
            }
            Err(e) => batch_fail(e),
        },
        ModelCommand::Show {
            id,
            version,
            data_dir,
        } => match list_model_files(&data_dir) {
            Ok(models) => match models
                .iter()
                .rev()
                .find(|m| m.id == id && version.as_ref().is_none_or(|v| *v == m.version))
            {
                Some(m) => {
                    print!("{}", m.text);
                    ExitCode::SUCCESS
                }
                None => fail(2, format!("no model '{id}'")),
            },
            Err(e) => batch_fail(e),
        },
        ModelCommand::Check { file, data_dir } => {
            let text = match std::fs::read_to_string(&file) {
                Ok(t) => t,
                Err(e) => return fail(2, format!("{}: {e}", file.display())),
            };
            match check_model_file(&data_dir, &file.display().to_string(), &text) {
                Ok(m) => {
                    println!(
                        "{}",
                        json!({"ok": true, "id": m.id, "version": m.version, "rules": m.rules})
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => batch_fail(e),
            }
        }
        ModelCommand::Install {
            file,
            store,
            reason,
        } => {
            let text = match std::fs::read_to_string(&file) {
                Ok(t) => t,
                Err(e) => return fail(2, format!("{}: {e}", file.display())),
            };
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            crate::block_on(async move {
                let app = match crate::store_cmds::open_app(&store).await {
                    Ok(a) => a,
                    Err(e) => return app_fail(e),
                };
                match app.operator_install_model(&name, &text, &reason).await {
                    Ok(m) => {
                        println!(
                            "{}",
                            json!({"installed": m.model, "version": m.version,
                                   "installed_by": m.installed_by, "installed_at": m.installed_at})
                        );
                        ExitCode::SUCCESS
                    }
                    Err(e) => app_fail(e),
                }
            })
        }
    }
}
