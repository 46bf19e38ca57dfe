//! `xinyong gen` and `xinyong demo`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use xinyong_app::{
    App, AppConfig, AppError, Clock, EnterListEntry, ErrorCode, EvaluateRequest, ImportRequest,
    ListEntryQuery, ListStepRequest, NewAccount, Principal, Role, RunControl,
};
use xinyong_gen::{GenConfig, generate};

use crate::store_cmds::{app_fail, thousands};
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
    let clock = std::sync::Arc::new(DemoClock::default());
    let cfg = AppConfig {
        data_dir: sa.data_dir.clone(),
        database_url: sa.database_url.clone(),
    };
    let app = match App::open(&cfg, clock.clone()).await {
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
    let lists = match demo_lists(&app, &clock, &input, &accounts).await {
        Ok(l) => l,
        Err(e) => return app_fail(e),
    };
    eprintln!(
        "红黑名单：公布 {} 条（红名单 {}，黑名单 {}），另有已移出 {} 条、办理中 {} 条",
        lists.redlist + lists.blacklist,
        lists.redlist,
        lists.blacklist,
        lists.removed,
        lists.pending
    );
    let cases = match demo_cases(&app, &input).await {
        Ok(c) => c,
        Err(e) => return app_fail(e),
    };
    println!(
        "{}",
        json!({"data_dir": a.data_dir, "subjects": summary.subjects, "records": summary.records,
               "lists": {"redlist": lists.redlist, "blacklist": lists.blacklist, "removed": lists.removed, "pending": lists.pending},
               "import": {"accepted": c.accepted, "rejected": c.rejected, "warnings": c.warnings, "unchanged": c.unchanged},
               "evaluation": {"run": m.id, "as_of": m.as_of, "results": m.results, "timings_ms": m.timings},
               "accounts": accounts.iter().map(DemoAccount::json).collect::<Vec<_>>(),
               "cases": cases.iter().map(DemoCase::json).collect::<Vec<_>>()})
    );
    if a.no_serve {
        return ExitCode::SUCCESS;
    }
    let app = std::sync::Arc::new(app);
    let addr = a.addr.clone();
    crate::serve::run(app, &addr, xinyong_http::ServerConfig::default(), |bound| {
        print_accounts(bound, &accounts, &cases);
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

impl DemoAccount {
    fn json(&self) -> serde_json::Value {
        json!({"role": self.role.as_str(), "username": self.username, "password": self.password, "bound_to": self.bound_to})
    }
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
        out.push(demo_account(app, role, username, uscc, department).await?);
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

fn print_account(d: &DemoAccount) {
    println!(
        "  {:<12} {:<20} {:<18} {}",
        d.role.as_str(),
        d.username,
        d.password,
        d.bound_to.as_deref().unwrap_or("")
    );
}

fn print_accounts(bound: std::net::SocketAddr, accounts: &[DemoAccount], cases: &[DemoCase]) {
    println!();
    println!("示范城市已就绪：http://{bound}/api/v1/health");
    println!("API 文档：http://{bound}/api/v1/openapi.json");
    println!("示范账号（每个角色一个；登录：POST /api/v1/session）：");
    println!("  {:<12} {:<20} {:<18} 绑定", "角色", "用户名", "密码");
    for d in accounts {
        print_account(d);
    }
    for c in cases {
        println!("示范场景“{}”：{}", c.title, c.note);
        for d in &c.accounts {
            print_account(d);
        }
    }
}

/// A walkthrough of the demo: a scenario subject of the generated city
/// that shows one workflow from start to end, and the accounts that play
/// it (besides the one account per role).
struct DemoCase {
    /// `repair`, `xinyidai`.
    case: &'static str,
    title: &'static str,
    note: String,
    /// The scenario subject.
    subject: String,
    /// The record the walkthrough is about, if one: `(source, id)`.
    record: Option<(String, String)>,
    accounts: Vec<DemoAccount>,
}

impl DemoCase {
    fn json(&self) -> serde_json::Value {
        json!({"case": self.case, "title": self.title, "note": self.note, "subject": self.subject,
               "record": self.record.as_ref().map(|(source, id)| json!({"source": source, "id": id})),
               "accounts": self.accounts.iter().map(DemoAccount::json).collect::<Vec<_>>()})
    }
}

/// The scenario subject of credit repair: its only adverse record is one
/// general-procedure fine, fulfilled, whose minimum display period ends on
/// the day of the demo, so that a repair is admissible; until it is
/// repaired the subject is 失信 under `anhui-class` (D2) and
/// `tianjin-risk` (TD2), once repaired 守信 and 绿 (nothing else counts
/// against it).
const REPAIR_SCENARIO: &str = "P7_repairable_from_asof";
/// The scenario subject of 信易贷: it meets every condition of
/// `xinyidai-eligibility` but the recent financing need (X5: its last
/// application is older than six months), so that it becomes eligible
/// when it applies.
const XINYIDAI_SCENARIO: &str = "X5_financing_need_too_old";

/// The line of `scenarios.jsonl` of a case, if the city has it (a small
/// city holds only some of the scenarios).
fn scenario_line(input: &Path, case: &str) -> Option<serde_json::Value> {
    let text = std::fs::read_to_string(input.join("scenarios.jsonl")).ok()?;
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["case"].as_str() == Some(case))
}

/// The source of the record `id` in a JSONL file of records.
fn record_source(path: &Path, id: &str) -> Option<String> {
    use std::io::BufRead;
    let f = std::fs::File::open(path).ok()?;
    std::io::BufReader::new(f)
        .lines()
        .map_while(Result::ok)
        .filter(|l| l.contains(id))
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(&l).ok())
        .find(|v| v["id"].as_str() == Some(id))
        .and_then(|v| v["source"].as_str().map(str::to_owned))
}

/// A new account of the demo with a random password.
async fn demo_account(
    app: &App,
    role: Role,
    username: &str,
    uscc: Option<String>,
    department: Option<String>,
) -> Result<DemoAccount, AppError> {
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
    Ok(DemoAccount {
        role,
        username: username.to_owned(),
        password: pw,
        bound_to,
    })
}

/// The walkthroughs of the demo, each with accounts of its own: credit
/// repair (the enterprise applies, a clerk of the record's department
/// decides, the enterprise's classes change) and 信易贷 (an enterprise
/// that becomes eligible when it applies). A city too small to hold a
/// walkthrough's scenario subject has none.
async fn demo_cases(app: &App, input: &Path) -> Result<Vec<DemoCase>, AppError> {
    let mut out = Vec::new();
    let repair = scenario_line(input, REPAIR_SCENARIO).and_then(|v| {
        let subject = v["subject"].as_str()?.to_owned();
        let id = v["expect"]["record"].as_str()?.to_owned();
        let source = record_source(&input.join("records.jsonl"), &id)?;
        Some((subject, source, id))
    });
    match repair {
        Some((subject, source, id)) => {
            let accounts = vec![
                demo_account(
                    app,
                    Role::Enterprise,
                    "repair-enterprise",
                    Some(subject.clone()),
                    None,
                )
                .await?,
                demo_account(
                    app,
                    Role::Department,
                    "repair-department",
                    None,
                    Some(source.clone()),
                )
                .await?,
            ];
            out.push(DemoCase {
                case: "repair",
                title: "信用修复",
                note: format!(
                    "企业对已过最短公示期的行政处罚 {id} 申请信用修复，{source} 的经办人在待办中决定；修复后企业信用分类由失信变为守信"
                ),
                subject,
                record: Some((source, id)),
                accounts,
            });
        }
        None => eprintln!("示范场景“信用修复”：本城市规模未包含其场景主体，从略"),
    }
    match scenario_line(input, XINYIDAI_SCENARIO)
        .and_then(|v| v["subject"].as_str().map(str::to_owned))
    {
        Some(subject) => {
            let accounts = vec![
                demo_account(
                    app,
                    Role::Enterprise,
                    "xinyidai-enterprise",
                    Some(subject.clone()),
                    None,
                )
                .await?,
            ];
            out.push(DemoCase {
                case: "xinyidai",
                title: "信易贷",
                note: format!(
                    "企业除近期融资需求外符合信易贷推荐条件：提出融资申请并授权银行 {DEMO_BANK} 后，列入该行本月推荐名单"
                ),
                subject,
                record: None,
                accounts,
            });
        }
        None => eprintln!("示范场景“信易贷”：本城市规模未包含其场景主体，从略"),
    }
    Ok(out)
}

/// The demo's clock: the machine's, set back a number of days while the
/// demo writes the history of its list entries (entered, reviewed and
/// notified a month ago, published today: a red or black list entry is
/// published only once its notice period has run), then the machine's.
#[derive(Default)]
struct DemoClock {
    back_days: std::sync::atomic::AtomicI64,
}

impl DemoClock {
    fn set_back(&self, days: i64) {
        self.back_days
            .store(days, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for DemoClock {
    fn now(&self) -> jiff::Timestamp {
        let now = jiff::Timestamp::now();
        let back = self.back_days.load(std::sync::atomic::Ordering::SeqCst);
        now.checked_sub(jiff::SignedDuration::from_hours(24 * back))
            .unwrap_or(now)
    }
}

/// Days before today the demo's list entries were entered: more than a
/// notice period of five working days, even across the longest holiday.
const LIST_HISTORY_DAYS: i64 = 30;
/// Entries the demo publishes per list (at most).
const LIST_ENTRIES: usize = 6;

/// The demo's list entries, by the end of [`demo_lists`].
struct DemoLists {
    redlist: u64,
    blacklist: u64,
    removed: u64,
    pending: u64,
}

/// The lists of the demo, each with its owner's clerk and the reason of
/// an entry: the 人防 and construction lists for the scenario subjects the
/// models put on them, the credit office's own lists for the scenario
/// subjects of composite grade A (red) and D (black).
const DEMO_LISTS: &[(&str, &str, &str)] = &[
    (
        "renfang_redlist",
        "RFB",
        "依据人防市场责任主体守信激励和失信惩戒模式，经评价认定为守信主体",
    ),
    (
        "renfang_blacklist",
        "RFB",
        "依据人防市场责任主体守信激励和失信惩戒模式，经评价认定为失信主体",
    ),
    (
        "construction_blacklist",
        "ZJJ",
        "依据《建筑市场信用管理暂行办法》，存在严重失信行为，经认定列入",
    ),
    (
        "other_redlist",
        "XYB",
        "公共信用综合评价 A 级，经市信用办认定列入守信红名单",
    ),
    (
        "other_blacklist",
        "XYB",
        "公共信用综合评价 D 级，存在严重失信行为，经市信用办认定列入失信黑名单",
    ),
];

/// The scenario subjects of each demo list (`scenarios.jsonl`).
fn list_candidates(input: &Path) -> std::collections::BTreeMap<&'static str, Vec<String>> {
    let mut out: std::collections::BTreeMap<&'static str, Vec<String>> = Default::default();
    let text = std::fs::read_to_string(input.join("scenarios.jsonl")).unwrap_or_default();
    for line in text.lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let Some(subject) = v["subject"].as_str() else {
            continue;
        };
        let expect = &v["expect"];
        let mut lists: Vec<&'static str> = expect["lists"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|l| DEMO_LISTS.iter().find(|d| Some(d.0) == l.as_str()))
            .map(|d| d.0)
            .collect();
        match (v["model"].as_str(), expect["grade"].as_str()) {
            (Some("yingkou-composite"), Some("A")) => lists.push("other_redlist"),
            (Some("yingkou-composite"), Some("D")) => lists.push("other_blacklist"),
            _ => {}
        }
        for l in lists {
            let subjects = out.entry(l).or_default();
            if !subjects.iter().any(|s| s == subject) {
                subjects.push(subject.to_owned());
            }
        }
    }
    out
}

/// A logged-in principal of an account (its session is ended by the caller).
async fn log_in(
    app: &App,
    username: &str,
    password: &str,
) -> Result<(Principal, String), AppError> {
    let session = app.login(username, password, "demo").await?;
    Ok((app.authenticate(&session.token).await?, session.token))
}

/// The credit office takes the next step of a list entry.
async fn step(
    app: &App,
    admin: &Principal,
    id: i64,
    action: &str,
    reason: &str,
) -> Result<(), AppError> {
    app.list_entry_step(
        admin,
        id,
        &ListStepRequest {
            action: action.into(),
            reason: reason.into(),
        },
    )
    .await
    .map(|_| ())
}

/// A clerk enters `subject` on `list`; with `notify`, the credit office
/// reviews the entry and notifies the subject (the notice period starts).
async fn enter(
    app: &App,
    clerk: &Principal,
    admin: &Principal,
    list: &str,
    subject: String,
    reason: &str,
    notify: bool,
) -> Result<(), AppError> {
    let e = app
        .enter_list_entry(
            clerk,
            &EnterListEntry {
                list: list.to_owned(),
                subject,
                reason: reason.to_owned(),
            },
        )
        .await?;
    if notify {
        step(
            app,
            admin,
            e.id,
            "approve",
            "材料齐全，认定依据充分，审核通过",
        )
        .await?;
        step(
            app,
            admin,
            e.id,
            "notify",
            "已书面告知当事人列入的事实、理由、依据和救济途径",
        )
        .await?;
    }
    Ok(())
}

/// Red and black list entries through the list lifecycle, as the pages
/// and the API would make them: each list's owner enters (a clerk account
/// per owner), the credit office reviews and notifies — a month ago, on
/// the demo's clock — and publishes today; one published entry is then
/// removed, and two more are left in the lifecycle (one to review, one
/// under notice), so that every status has something to show.
async fn demo_lists(
    app: &App,
    clock: &DemoClock,
    input: &Path,
    accounts: &[DemoAccount],
) -> Result<DemoLists, AppError> {
    let admin = accounts
        .iter()
        .find(|a| a.role == Role::Admin)
        .ok_or_else(|| AppError::new(ErrorCode::Internal, "the demo has no admin account"))?;
    let (admin, admin_token) = log_in(app, &admin.username, &admin.password).await?;
    let mut clerks = std::collections::BTreeMap::new();
    for (_, owner, _) in DEMO_LISTS {
        if clerks.contains_key(owner) {
            continue;
        }
        let username = format!("{}-clerk", owner.to_lowercase());
        let clerk = demo_account(
            app,
            Role::Department,
            &username,
            None,
            Some((*owner).to_owned()),
        )
        .await?;
        clerks.insert(*owner, log_in(app, &clerk.username, &clerk.password).await?);
    }
    let candidates = list_candidates(input);
    let mut spare: Vec<(&str, &str, &str, String)> = Vec::new();
    clock.set_back(LIST_HISTORY_DAYS);
    for (list, owner, reason) in DEMO_LISTS {
        let Some((clerk, _)) = clerks.get(owner) else {
            continue;
        };
        let subjects = candidates.get(list).cloned().unwrap_or_default();
        for (i, subject) in subjects.into_iter().enumerate() {
            if i >= LIST_ENTRIES {
                spare.push((*list, *owner, *reason, subject));
                continue;
            }
            enter(app, clerk, &admin, list, subject, reason, true).await?;
        }
    }
    clock.set_back(0);
    let noticed = app
        .list_entries(
            &admin,
            &ListEntryQuery {
                status: Some("noticed".into()),
                per_page: Some(xinyong_app::MAX_LIST_PAGE_SIZE),
                ..ListEntryQuery::default()
            },
        )
        .await?;
    let mut out = DemoLists {
        redlist: 0,
        blacklist: 0,
        removed: 0,
        pending: 0,
    };
    let mut removable = None;
    for e in noticed.entries {
        step(
            app,
            &admin,
            e.id,
            "publish",
            "告知（公示）期满，当事人未提出异议，依法公布",
        )
        .await?;
        if e.category == "redlist" {
            out.redlist += 1;
        } else {
            out.blacklist += 1;
            removable = Some(e.id);
        }
    }
    if let Some(id) = removable {
        step(app, &admin, id, "remove", "当事人已完成信用修复，依法移出").await?;
        out.blacklist -= 1;
        out.removed += 1;
    }
    // Two more in the lifecycle: one to review, one under notice.
    for (n, (list, owner, reason, subject)) in spare.into_iter().take(2).enumerate() {
        let Some((clerk, _)) = clerks.get(owner) else {
            continue;
        };
        enter(app, clerk, &admin, list, subject, reason, n == 1).await?;
        out.pending += 1;
    }
    for (_, token) in clerks.values() {
        app.logout(token).await?;
    }
    app.logout(&admin_token).await?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The walkthroughs' scenario subjects are in a city of the size the
    /// browser tests build, and are what the walkthroughs need.
    #[test]
    fn the_walkthroughs_find_their_scenario_subjects() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = GenConfig {
            subjects: 2_000,
            seed: 1,
            reference_date: jiff::civil::date(2026, 6, 30),
            with_malformed: false,
        };
        generate(&cfg, dir.path(), &|_: u64| {}).unwrap();

        let repair = scenario_line(dir.path(), REPAIR_SCENARIO).unwrap();
        let expect = &repair["expect"];
        assert_eq!(expect["tier"], "general");
        assert_eq!(
            expect["repairable_from"], "2026-06-30",
            "admissible that day"
        );
        let id = expect["record"].as_str().unwrap();
        let source = record_source(&dir.path().join("records.jsonl"), id).unwrap();
        assert_eq!(source, "SCJG");

        let xinyidai = scenario_line(dir.path(), XINYIDAI_SCENARIO).unwrap();
        assert_eq!(xinyidai["expect"]["failed"], json!(["X5"]));
        assert!(scenario_line(dir.path(), "no_such_case").is_none());
        assert!(record_source(&dir.path().join("records.jsonl"), "NO-SUCH-ID").is_none());
    }
}
