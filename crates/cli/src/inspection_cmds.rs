//! `xinyong inspection …`: random-inspection plans (PRODUCT.md C11).
//!
//! * `inspection plans`: every plan, one JSON object per line.
//! * `inspection verify PLAN`: re-run the plan's draw from its published
//!   inputs (the stored lists, or the verifier's own files given with
//!   `--pool`, `--roster`, `--recusals`, `--items`) and the revealed seed;
//!   print every check; exit 0 when the result is identical, 1 when it is
//!   not (or the platform failed), 2 for the caller's mistake (an unknown
//!   plan, a plan not drawn, a file that cannot be read).
//! * `inspection export PLAN --dir DIR`: write the published lists
//!   (`pool.tsv`, `roster.tsv`, `recusals.tsv`, `items.tsv`) and the
//!   published record and draw (`plan.json`) for verification elsewhere.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use xinyong_app::{INSPECTION_LISTS, Principal, SuppliedLists};

use crate::StoreArgs;
use crate::store_cmds::{app_fail, open_app};

/// Exit code of a caller error.
const CALLER: u8 = 2;

#[derive(Subcommand)]
pub enum InspectionCommand {
    /// List the inspection plans (JSON lines).
    Plans(PlansArgs),
    /// Re-run a plan's draw from its published inputs: exit 0 identical, 1 different.
    Verify(VerifyArgs),
    /// Write a plan's published lists and record to a directory.
    Export(ExportArgs),
}

#[derive(Args)]
pub struct PlansArgs {
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Args)]
pub struct VerifyArgs {
    /// The plan id.
    pub plan: String,
    #[command(flatten)]
    pub store: StoreArgs,
    /// Verify with this pool file instead of the published one.
    #[arg(long)]
    pub pool: Option<PathBuf>,
    /// Verify with this roster file instead of the published one.
    #[arg(long)]
    pub roster: Option<PathBuf>,
    /// Verify with this recusal file instead of the published one.
    #[arg(long)]
    pub recusals: Option<PathBuf>,
    /// Verify with this matter-list file instead of the published one.
    #[arg(long)]
    pub items: Option<PathBuf>,
    /// Print the verification as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ExportArgs {
    /// The plan id.
    pub plan: String,
    #[command(flatten)]
    pub store: StoreArgs,
    /// Directory to write into (created if missing).
    #[arg(long)]
    pub dir: PathBuf,
}

fn read(path: &Option<PathBuf>) -> Result<Option<String>, String> {
    match path {
        None => Ok(None),
        Some(p) => std::fs::read(p)
            .map_err(|e| format!("cannot read {}: {e}", p.display()))
            .and_then(|b| {
                String::from_utf8(b).map_err(|_| format!("{} is not UTF-8 text", p.display()))
            })
            .map(Some),
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), String> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

pub async fn inspection(command: InspectionCommand) -> ExitCode {
    match command {
        InspectionCommand::Plans(a) => plans(a).await,
        InspectionCommand::Verify(a) => verify(a).await,
        InspectionCommand::Export(a) => export(a).await,
    }
}

async fn plans(a: PlansArgs) -> ExitCode {
    let app = match open_app(&a.store).await {
        Ok(app) => app,
        Err(e) => return app_fail(e),
    };
    match app.inspection_plans(&Principal::public()).await {
        Ok(plans) => {
            for p in plans {
                println!("{}", serde_json::to_string(&p).unwrap_or_default());
            }
            ExitCode::SUCCESS
        }
        Err(e) => app_fail(e),
    }
}

async fn verify(a: VerifyArgs) -> ExitCode {
    let supplied = (|| {
        Ok::<_, String>(SuppliedLists {
            pool: read(&a.pool)?,
            roster: read(&a.roster)?,
            recusals: read(&a.recusals)?,
            items: read(&a.items)?,
        })
    })();
    let supplied = match supplied {
        Ok(s) => s,
        Err(e) => return crate::fail(CALLER, e),
    };
    let app = match open_app(&a.store).await {
        Ok(app) => app,
        Err(e) => return app_fail(e),
    };
    match app
        .verify_inspection_plan(&Principal::public(), &a.plan, supplied)
        .await
    {
        Ok(v) => {
            if a.json {
                println!("{}", serde_json::to_string(&v).unwrap_or_default());
            } else {
                print!("{}", v.to_text());
            }
            if v.identical {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => app_fail(e),
    }
}

async fn export(a: ExportArgs) -> ExitCode {
    let app = match open_app(&a.store).await {
        Ok(app) => app,
        Err(e) => return app_fail(e),
    };
    let by = Principal::public();
    let plan = match app.inspection_plan(&by, &a.plan).await {
        Ok(p) => p,
        Err(e) => return app_fail(e),
    };
    if let Err(e) = std::fs::create_dir_all(&a.dir) {
        return crate::fail(CALLER, format!("cannot create {}: {e}", a.dir.display()));
    }
    for list in INSPECTION_LISTS {
        let text = match app.inspection_plan_list(&by, &a.plan, list).await {
            Ok(t) => t,
            Err(e) => return app_fail(e),
        };
        if let Err(e) = write(&a.dir, &format!("{list}.tsv"), text.as_bytes()) {
            return crate::fail(1, e);
        }
    }
    let record = serde_json::json!({
        "published": plan.published,
        "draw": plan.draw,
    });
    let text = serde_json::to_string_pretty(&record).unwrap_or_default();
    if let Err(e) = write(&a.dir, "plan.json", text.as_bytes()) {
        return crate::fail(1, e);
    }
    println!("{}", a.dir.display());
    ExitCode::SUCCESS
}
