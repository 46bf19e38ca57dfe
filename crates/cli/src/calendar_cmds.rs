//! `xinyong calendar …`: the working-day calendar of an installation (show,
//! check a file, install the next year's State Council notice, count a
//! deadline).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use serde_json::json;

use crate::store_cmds::{app_fail, open_app};
use crate::{StoreArgs, fail, parse_day};

#[derive(Subcommand)]
pub enum CalendarCommand {
    /// The calendar in force: the notices' years, where it turns provisional.
    Show {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Validate a calendar file (errors give file:line:column).
    Check { file: PathBuf },
    /// Validate and install a calendar file (the format of the built-in
    /// holidays-cn.toml, with the new year's blocks); audited.
    Install {
        file: PathBuf,
        #[command(flatten)]
        store: StoreArgs,
        /// Why it is installed (audited), e.g. the notice's number.
        #[arg(long)]
        reason: String,
    },
    /// The deadline `N` working days after a day (the day itself not counted).
    Deadline {
        /// The day counting starts from (YYYY-MM-DD).
        #[arg(long, value_parser = parse_day)]
        from: jiff::civil::Date,
        /// The number of working days.
        #[arg(long)]
        working_days: u32,
        #[command(flatten)]
        store: StoreArgs,
    },
}

fn read(file: &PathBuf) -> Result<(String, String), ExitCode> {
    let text =
        std::fs::read_to_string(file).map_err(|e| fail(2, format!("{}: {e}", file.display())))?;
    Ok((file.display().to_string(), text))
}

/// `xinyong calendar …`.
pub async fn calendar(cmd: CalendarCommand) -> ExitCode {
    match cmd {
        CalendarCommand::Show { store } => match open_app(&store).await {
            Ok(app) => {
                println!("{}", json!(app.calendar_info()));
                ExitCode::SUCCESS
            }
            Err(e) => app_fail(e),
        },
        CalendarCommand::Check { file } => {
            let (name, text) = match read(&file) {
                Ok(r) => r,
                Err(code) => return code,
            };
            match xinyong_app::check_calendar(&name, &text) {
                Ok(info) => {
                    println!("{}", json!(info));
                    ExitCode::SUCCESS
                }
                Err(e) => fail(2, e),
            }
        }
        CalendarCommand::Install {
            file,
            store,
            reason,
        } => {
            let (name, text) = match read(&file) {
                Ok(r) => r,
                Err(code) => return code,
            };
            let app = match open_app(&store).await {
                Ok(a) => a,
                Err(e) => return app_fail(e),
            };
            match app.operator_install_calendar(&name, &text, &reason).await {
                Ok(info) => {
                    println!("{}", json!(info));
                    ExitCode::SUCCESS
                }
                Err(e) if e.field.as_deref() == Some("file") => fail(2, e),
                Err(e) => app_fail(e),
            }
        }
        CalendarCommand::Deadline {
            from,
            working_days,
            store,
        } => {
            let app = match open_app(&store).await {
                Ok(a) => a,
                Err(e) => return app_fail(e),
            };
            match app.calendar().add_working_days(from, working_days) {
                Ok(due) => {
                    println!(
                        "{}",
                        json!({
                            "from": from.to_string(),
                            "working_days": working_days,
                            "due": due.to_string(),
                            "provisional": app.deadline_is_provisional(due),
                        })
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(2, e),
            }
        }
    }
}
