//! `xinyong backup` and `xinyong restore` (docs/OPERATIONS.md): a consistent
//! backup of a running installation, verified before it is restored.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use serde_json::json;
use xinyong_app::{AppConfig, SystemClock};

use crate::StoreArgs;
use crate::store_cmds::{app_fail, open_app};

#[derive(Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// The backup directory (new or empty; outside the data directory).
    #[arg(long)]
    pub to: PathBuf,
    /// Copy the data directory only (models, calendar, uploads, lake): the
    /// route of a PostgreSQL installation, whose database is then dumped
    /// with pg_dump.
    #[arg(long)]
    pub lake_only: bool,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// The backup directory (with its backup.json).
    #[arg(long)]
    pub from: PathBuf,
    /// The data directory to restore into (new or empty).
    #[arg(long, env = "XINYONG_DATA_DIR", default_value = "xinyong-data")]
    pub data_dir: PathBuf,
    /// PostgreSQL URL of the database restored with pg_restore (lake-only
    /// backups only).
    #[arg(long, env = "XINYONG_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Verify the backup (every file's size and SHA-256) and write nothing.
    #[arg(long)]
    pub check: bool,
}

fn print(value: serde_json::Value) -> ExitCode {
    println!("{value}");
    ExitCode::SUCCESS
}

/// `xinyong backup`: prints the summary (files, bytes, the manifest's
/// SHA-256, the audit head) as JSON; exit 2 when refused.
pub async fn backup(a: BackupArgs) -> ExitCode {
    let cfg = AppConfig {
        data_dir: a.store.data_dir.clone(),
        database_url: a.store.database_url.clone(),
    };
    // Refused before the store is opened (a PostgreSQL store without
    // --lake-only).
    if let Err(e) = xinyong_app::check_backup_request(&cfg, a.lake_only) {
        return app_fail(e);
    }
    let app = match open_app(&a.store).await {
        Ok(app) => app,
        Err(e) => return app_fail(e),
    };
    match app.operator_backup(&a.to, a.lake_only).await {
        Ok(summary) => print(json!(summary)),
        Err(e) => app_fail(e),
    }
}

/// `xinyong restore`: prints what was restored and the audit chain's
/// verification; exit 2 when the backup fails verification or the target is
/// not empty (nothing written), 1 when the restored chain is not intact or
/// does not end at the backup's head.
pub async fn restore(a: RestoreArgs) -> ExitCode {
    if a.check {
        return match xinyong_app::verify_backup(&a.from).await {
            Ok((_, verified)) => print(json!(verified)),
            Err(e) => app_fail(e),
        };
    }
    let cfg = AppConfig {
        data_dir: a.data_dir.clone(),
        database_url: a.database_url.clone(),
    };
    match xinyong_app::restore_backup(&a.from, &cfg, Arc::new(SystemClock)).await {
        Ok(outcome) => {
            let code = print(json!(outcome));
            if !outcome.runs_without_files.is_empty() {
                eprintln!(
                    "xinyong: the store lists runs whose files are not in the backup: {} \
                     (run `xinyong evaluate-all` for current results)",
                    outcome.runs_without_files.join(", ")
                );
            }
            if outcome.verified() {
                code
            } else {
                crate::fail(
                    1,
                    format!(
                        "the restored audit chain is {} ({} entries, first broken: {:?}; head \
                         as in the backup: {})",
                        if outcome.audit.intact {
                            "intact"
                        } else {
                            "broken"
                        },
                        outcome.audit.entries,
                        outcome.audit.first_broken,
                        outcome.audit_head_matches
                    ),
                )
            }
        }
        Err(e) => app_fail(e),
    }
}
