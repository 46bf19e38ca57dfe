//! Operator commands (INTERCHANGE.md §4): `xinyong user add` and
//! `xinyong audit verify`.

use std::io::BufRead;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use xinyong_app::{NewAccount, Role};

use crate::StoreArgs;
use crate::store_cmds::{app_fail, open_app};

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is read from standard input (one line).
    Add(UserAddArgs),
}

#[derive(Args)]
pub struct UserAddArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// enterprise, department, officer, bank, admin or auditor.
    #[arg(long)]
    pub role: String,
    /// 3–64 characters: letters, digits and . _ - @.
    #[arg(long)]
    pub username: String,
    /// The enterprise's unified social credit code (enterprise accounts).
    #[arg(long)]
    pub uscc: Option<String>,
    /// The department's code (department accounts) or the bank's code (bank accounts).
    #[arg(long)]
    pub department: Option<String>,
    /// Read the password from standard input (required: passwords are never arguments).
    #[arg(long, required = true)]
    pub password_stdin: bool,
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check the audit chain end to end: exit 0 when intact, 1 when broken.
    Verify(AuditVerifyArgs),
}

#[derive(Args)]
pub struct AuditVerifyArgs {
    #[command(flatten)]
    pub store: StoreArgs,
}

/// Exit code of a caller error.
const CALLER: u8 = 2;

/// The first line of standard input without its line ending.
fn read_password() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    let line = line
        .strip_suffix('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .unwrap_or(&line);
    Ok(line.to_owned())
}

/// `xinyong user add`: prints the created account as JSON.
pub async fn user(command: UserCommand) -> ExitCode {
    let UserCommand::Add(a) = command;
    let role = match Role::parse(a.role.trim()) {
        Some(r) => r,
        None => {
            return crate::fail(
                CALLER,
                format!(
                    "unknown role '{}' (one of enterprise, department, officer, bank, admin, auditor)",
                    a.role
                ),
            );
        }
    };
    let password = match read_password() {
        Ok(p) => p,
        Err(e) => return crate::fail(CALLER, e),
    };
    let app = match open_app(&a.store).await {
        Ok(app) => app,
        Err(e) => return app_fail(e),
    };
    let new = NewAccount {
        role,
        username: a.username,
        password,
        uscc: a.uscc,
        department: a.department,
    };
    match app.add_account(None, new).await {
        Ok(account) => match serde_json::to_string(&account) {
            Ok(line) => {
                println!("{line}");
                ExitCode::SUCCESS
            }
            Err(e) => crate::fail(1, e),
        },
        Err(e) => app_fail(e),
    }
}

/// `xinyong audit verify`: prints `{"entries","intact","first_broken"}`.
pub async fn audit(command: AuditCommand) -> ExitCode {
    let AuditCommand::Verify(a) = command;
    let app = match open_app(&a.store).await {
        Ok(app) => app,
        Err(e) => return app_fail(e),
    };
    match app.verify_audit(None).await {
        Ok(v) => {
            println!("{}", serde_json::to_string(&v).unwrap_or_default());
            if v.intact {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => app_fail(e),
    }
}
