//! `xinyong gen` and `xinyong demo`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use xinyong_app::{
    App, AppError, ErrorCode, EvaluateRequest, ImportRequest, NewAccount, Role, RunControl,
};
use xinyong_gen::{GenConfig, generate};

use crate::store_cmds::{app_fail, open_app, thousands};
use crate::{StoreArgs, fail, parse_day, today};

#[derive(Args)]
pub struct GenArgs {
    /// Number of subjects.
    #[arg(long, default_value_t = xinyong_gen::DEFAULT_SUBJECTS)]
    pub subjects: u64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output directory.
    #[arg(long)]
    pub out: PathBuf,
    /// Anchor date of the scenarios (default: a fixed date, so output is deterministic).
    #[arg(long, value_parser = parse_day)]
    pub reference_date: Option<jiff::civil::Date>,
    /// Also write malformed rows (DIR/malformed/) for exercising the quarantine.
    #[arg(long)]
    pub with_malformed: bool,
}

fn bar(total: u64, what: &str) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = ProgressBar::new(total);
    let style = ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    pb.set_style(style);
    pb.set_message(what.to_owned());
    Some(pb)
}

fn run_gen(a: &GenArgs) -> Result<xinyong_gen::GenSummary, String> {
    let cfg = GenConfig {
        subjects: a.subjects,
        seed: a.seed,
        reference_date: a
            .reference_date
            .unwrap_or_else(xinyong_gen::default_reference_date),
        with_malformed: a.with_malformed,
    };
    let pb = bar(a.subjects, "generating");
    let progress = |n: u64| {
        if let Some(pb) = &pb {
            pb.set_position(n);
        }
    };
    let out = generate(&cfg, &a.out, &progress).map_err(|e| e.to_string());
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    out
}

/// `xinyong gen --subjects N [--seed S] --out DIR`.
pub fn gen_command(a: GenArgs) -> ExitCode {
    match run_gen(&a) {
        Ok(s) => {
            println!("{}", serde_json::to_string(&s).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Err(e) => fail(1, e),
    }
}

#[derive(Args)]
pub struct DemoArgs {
    /// Data directory of the demo (created fresh; a previous demo there is replaced).
    #[arg(long, default_value = "xinyong-demo")]
    pub data_dir: PathBuf,
    /// PostgreSQL URL instead of the embedded store.
    #[arg(long, env = "XINYONG_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Subjects of the demo city (default: the Yingkou free-trade zone).
    #[arg(long, default_value_t = xinyong_gen::DEFAULT_SUBJECTS)]
    pub subjects: u64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Address the demo is served on.
    #[arg(long, env = "XINYONG_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// Build the demo and its accounts, print them, and exit without serving.
    #[arg(long)]
    pub no_serve: bool,
}

const MARKER: &str = ".xinyong-demo";

/// A fresh directory for the demo: refuse to touch a non-empty directory that
/// an earlier demo did not create.
fn fresh_dir(dir: &Path) -> Result<(), String> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .map_err(|e| e.to_string())?
            .next()
            .is_none();
        if !empty {
            if !dir.join(MARKER).exists() {
                return Err(format!(
                    "{} exists and is not a demo directory: choose another --data-dir",
                    dir.display()
                ));
            }
            std::fs::remove_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    std::fs::write(
        dir.join(MARKER),
        "created by `xinyong demo`; the whole directory is replaced by the next demo\n",
    )
    .map_err(|e| e.to_string())
}

/// `xinyong demo`: generate the demo city, import it (with a few malformed
/// rows, to show the quarantine), evaluate every model as of today.
pub async fn demo(a: DemoArgs) -> ExitCode {
    if let Err(e) = fresh_dir(&a.data_dir) {
        return fail(1, e);
    }
    let input = a.data_dir.join("input");
    let day = today();
    let g = GenArgs {
        subjects: a.subjects,
        seed: a.seed,
        out: input.clone(),
        reference_date: Some(day),
        with_malformed: true,
    };
    let summary = match run_gen(&g) {
        Ok(s) => s,
        Err(e) => return fail(1, e),
    };
    eprintln!(
        "生成示范城市：{} 个主体，{} 条信用记录（{}）",
        thousands(summary.subjects),
        thousands(summary.records),
        input.display()
    );

    let sa = StoreArgs {
        data_dir: a.data_dir.clone(),
        database_url: a.database_url.clone(),
    };
    let app = match open_app(&sa).await {
        Ok(app) => app,
        Err(e) => return app_fail(e),
    };
    let files = vec![
        input.join("subjects.jsonl"),
        input.join("records.jsonl"),
        input.join("malformed").join("subjects.jsonl"),
        input.join("malformed").join("records.jsonl"),
    ];
    let bar = crate::store_cmds::progress_bar(true);
    let req = ImportRequest {
        files,
        actor: "demo".into(),
        channel: "demo".into(),
        chunk_rows: ImportRequest::DEFAULT_CHUNK_ROWS,
        progress: bar.as_ref().map(crate::store_cmds::import_progress),
        reevaluate: false,
    };
    let imported = app.import_files(req).await;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let report = match imported {
        Ok(o) => o.report,
        Err(e) => return app_fail(e),
    };
    let c = report.counts;
    eprintln!(
        "导入：接收 {}，退回 {}（见 xinyong quarantine），带警告 {}，耗时 {:.1} 秒",
        thousands(c.accepted),
        thousands(c.rejected),
        thousands(c.warnings),
        report.elapsed.as_secs_f64()
    );

    let req = EvaluateRequest {
        as_of: Some(day),
        trigger: "demo".into(),
        ..EvaluateRequest::default()
    };
    let run = match app.evaluate_all(&req, &RunControl::default()).await {
        Ok(r) => r,
        Err(e) => return app_fail(e),
    };
    let m = &run.manifest;
    eprintln!(
        "评价：{} 个主体，{} 条结果，截至 {}，耗时 {:.1} 秒",
        thousands(m.subjects),
        thousands(m.results),
        m.as_of,
        m.timings.total_ms as f64 / 1000.0
    );
    match app.outcome_counts(m).await {
        Ok(rows) => {
            for (model, outcome, n) in rows {
                eprintln!("  {model:<24} {outcome:<22} {:>8}", thousands(n));
            }
        }
        Err(e) => eprintln!("xinyong: {e}"),
    }
    let accounts = match demo_accounts(&app, &input).await {
        Ok(a) => a,
        Err(e) => return app_fail(e),
    };
    println!(
        "{}",
        json!({"data_dir": a.data_dir, "subjects": summary.subjects, "records": summary.records,
               "import": {"accepted": c.accepted, "rejected": c.rejected, "warnings": c.warnings, "unchanged": c.unchanged},
               "evaluation": {"run": m.id, "as_of": m.as_of, "results": m.results, "timings_ms": m.timings},
               "accounts": accounts.iter().map(|d| json!({"role": d.role.as_str(), "username": d.username, "password": d.password, "bound_to": d.bound_to})).collect::<Vec<_>>()})
    );
    if a.no_serve {
        return ExitCode::SUCCESS;
    }
    let app = std::sync::Arc::new(app);
    let addr = a.addr.clone();
    crate::serve::run(app, &addr, xinyong_http::ServerConfig::default(), |bound| {
        print_accounts(bound, &accounts);
    })
    .await
}

/// One demo account.
struct DemoAccount {
    role: Role,
    username: String,
    password: String,
    /// The USCC or department code the account is bound to.
    bound_to: Option<String>,
}

/// A random password of 16 letters and digits.
fn password() -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..16)
        .map(|_| CHARS[rng.random_range(0..CHARS.len())] as char)
        .collect()
}

/// The bank of the demo (its code).
const DEMO_BANK: &str = "YKBANK";

/// One account per role: the enterprise and the department are those of the
/// first record of the generated city (so the enterprise has a profile to
/// read and the department records to submit); the enterprise authorises the
/// demo bank for a year.
async fn demo_accounts(app: &App, input: &Path) -> Result<Vec<DemoAccount>, AppError> {
    let first = first_record(&input.join("records.jsonl"))
        .ok_or_else(|| AppError::new(ErrorCode::Internal, "the demo city has no records"))?;
    let (uscc, department) = first;
    let plan = [
        (Role::Admin, "admin", None, None),
        (Role::Auditor, "auditor", None, None),
        (Role::Officer, "officer", None, None),
        (
            Role::Department,
            "department",
            None,
            Some(department.clone()),
        ),
        (Role::Bank, "bank", None, Some(DEMO_BANK.to_owned())),
        (Role::Enterprise, "enterprise", Some(uscc.clone()), None),
    ];
    let mut out = Vec::new();
    for (role, username, uscc, department) in plan {
        let pw = password();
        let bound_to = uscc.clone().or_else(|| department.clone());
        app.add_account(
            None,
            NewAccount {
                role,
                username: username.to_owned(),
                password: pw.clone(),
                uscc,
                department,
            },
        )
        .await?;
        out.push(DemoAccount {
            role,
            username: username.to_owned(),
            password: pw,
            bound_to,
        });
    }
    if let Some(e) = out.iter().find(|d| d.role == Role::Enterprise) {
        let session = app.login(&e.username, &e.password, "demo").await?;
        let enterprise = app.authenticate(&session.token).await?;
        let until = app
            .today()
            .checked_add(jiff::Span::new().years(1))
            .map_err(|err| AppError::new(ErrorCode::Internal, err.to_string()))?;
        app.authorise_bank(&enterprise, DEMO_BANK, until).await?;
        app.logout(&session.token).await?;
    }
    Ok(out)
}

/// `(subject, source)` of the first record of a JSONL file.
fn first_record(path: &Path) -> Option<(String, String)> {
    use std::io::BufRead;
    let f = std::fs::File::open(path).ok()?;
    let line = std::io::BufReader::new(f).lines().next()?.ok()?;
    let v: serde_json::Value = serde_json::from_str(&line).ok()?;
    Some((
        v.get("subject")?.as_str()?.to_owned(),
        v.get("source")?.as_str()?.to_owned(),
    ))
}

fn print_accounts(bound: std::net::SocketAddr, accounts: &[DemoAccount]) {
    println!();
    println!("示范城市已就绪：http://{bound}/api/v1/health");
    println!("API 文档：http://{bound}/api/v1/openapi.json");
    println!("示范账号（每个角色一个；登录：POST /api/v1/session）：");
    println!("  {:<12} {:<12} {:<18} 绑定", "角色", "用户名", "密码");
    for d in accounts {
        println!(
            "  {:<12} {:<12} {:<18} {}",
            d.role.as_str(),
            d.username,
            d.password,
            d.bound_to.as_deref().unwrap_or("")
        );
    }
}
