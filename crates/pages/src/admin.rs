//! The credit office's console (管理控制台, PRODUCT.md C14, C15): the
//! department data-submission table of seed 002 and the distribution of
//! every model's grades and classes with its trend (SVG charts, each with
//! its table); accounts and API tokens; models and their versions; the
//! stored runs and an evaluation started as a task whose progress the page
//! follows (the site's progress script polls a small JSON answer; without
//! script the page refreshes itself); and, for the auditor too,
//! the audit log with its filters and the verification of its hash chain.
//!
//! Every handler calls the application's use case, which decides who may
//! (a role it does not admit gets the 403 page), validates, stores and
//! audits; every form carries the session's CSRF token.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use xinyong_app::{
    AppError, AuditFilter, DepartmentStat, ModelDistribution, NewAccount, Operation,
    RECORDING_DEADLINE_WORKING_DAYS, Role, RunPhase, TaskInfo, TaskStatus, Timeliness, local_time,
};

use crate::csrf::{csrf_of, csrf_ok, csrf_refused};
use crate::error::{self, render, see_other};
use crate::format;
use crate::session::{Chrome, Ctx};
use crate::{PagesState, charts};

/// Runs a trend reaches back on the console's home page.
const TREND_RUNS: usize = 12;
/// Runs listed on the runs page.
const RUNS_LISTED: u32 = 30;
/// Audit entries per page.
const AUDIT_PAGE: u32 = 50;

fn thousands(n: u64) -> String {
    xinyong_app::display::thousands(u128::from(n))
}

/// `part` of `whole` in per cent (0 for an empty whole).
fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// The console's navigation: which of its pages this is, and which of
/// them the account may open.
pub struct Section {
    pub current: &'static str,
    /// The admin's pages (home, accounts).
    pub admin: bool,
    /// The audit log.
    pub audit: bool,
}

impl Section {
    pub(crate) fn of(ctx: &Ctx, current: &'static str) -> Section {
        let role = ctx.principal.role;
        let logged_in = role != Role::Public;
        Section {
            current,
            admin: logged_in && Operation::ManageAccounts.admits(role),
            audit: logged_in && Operation::ReadAudit.admits(role),
        }
    }
}

/// The frame of a console page: the console is the current item of the
/// site's navigation for the admin, the audit log for the auditor.
fn chrome(s: &PagesState, ctx: &Ctx, title: &str, page: &'static str) -> Chrome {
    let section = Section::of(ctx, page);
    let current = if section.admin {
        "console"
    } else if section.audit && section.current == "audit" {
        "audit"
    } else {
        ""
    };
    Chrome::new(s, Some(ctx), title, current)
}

/// A notice after a form was carried out (`?done=…`).
#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

fn notice(q: Result<Query<DoneQuery>, QueryRejection>, words: &[(&str, &str)]) -> String {
    q.ok()
        .and_then(|Query(q)| q.done)
        .and_then(|d| words.iter().find(|(k, _)| *k == d).map(|(_, w)| *w))
        .unwrap_or_default()
        .to_owned()
}

/// A form's field that the page checks before the application: 422 naming it.
fn bad_field(s: &PagesState, ctx: &Ctx, why: &str) -> Response {
    error::message(
        Some(s),
        Some(ctx),
        StatusCode::UNPROCESSABLE_ENTITY,
        "请求内容有误",
        why,
    )
}

/// A form of the console: its field with the session's CSRF token.
trait CsrfField {
    fn csrf(&self) -> &str;
}

macro_rules! csrf_field {
    ($($form:ty),*) => {
        $(impl CsrfField for $form {
            fn csrf(&self) -> &str {
                &self.csrf
            }
        })*
    };
}

csrf_field!(AccountForm, CsrfForm, TokenForm);

impl CsrfField for HashMap<String, String> {
    fn csrf(&self) -> &str {
        self.get("csrf").map_or("", String::as_str)
    }
}

/// What every POST of the console checks first: a visitor not logged in is
/// sent to the login page (to come back to `back`), a form without the
/// session's token is refused.
fn accepted<F: CsrfField>(
    s: &PagesState,
    ctx: &Ctx,
    form: Result<Form<F>, FormRejection>,
    back: &str,
) -> Result<F, Box<Response>> {
    if ctx.principal.role == Role::Public {
        return Err(Box::new(error::to_login(back)));
    }
    match form {
        Ok(Form(f)) if csrf_ok(s, ctx, f.csrf()) => Ok(f),
        _ => Err(Box::new(csrf_refused(s, ctx))),
    }
}

/// The answer to a step the application was asked to take: on to `next`,
/// or the page of its error.
fn step_done<T>(s: &PagesState, ctx: &Ctx, r: Result<T, AppError>, next: &str) -> Response {
    match r {
        Ok(_) => see_other(next),
        Err(e) => error::app_error(s, Some(ctx), e),
    }
}

// ---------------------------------------------------------------------------
// Home: the submission table and the distributions

/// One department's row of the submission table.
pub struct DepartmentRow {
    pub name: String,
    pub code: String,
    /// Records held, per kind of the table's columns.
    pub cells: Vec<String>,
    pub held: String,
    pub received: String,
    pub rejected: String,
    /// Share of the records recorded in time, and the counts.
    pub timely: String,
    pub timely_counts: String,
}

/// The department data-submission table (seed 002): per department,
/// records held by kind, the cumulative totals, the rejected rows and the
/// timeliness of the recording.
pub struct SubmissionTable {
    pub kinds: Vec<String>,
    pub rows: Vec<DepartmentRow>,
    pub total: DepartmentRow,
}

/// The timeliness of `of` together: the share on time and the counts.
fn timely(of: &[&Timeliness]) -> (String, String) {
    let sum = Timeliness {
        source: String::new(),
        name: None,
        kind: String::new(),
        on_time: of.iter().map(|t| t.on_time).sum(),
        late: of.iter().map(|t| t.late).sum(),
        undetermined: of.iter().map(|t| t.undetermined).sum(),
    };
    let share = sum
        .on_time_per_mille()
        .map(|pm| format!("{} %", format::number(pm as f64 / 10.0)))
        .unwrap_or_else(|| "—".to_owned());
    let mut counts = format!(
        "按时 {}，逾期 {}",
        thousands(sum.on_time),
        thousands(sum.late)
    );
    if sum.undetermined > 0 {
        counts.push_str(&format!("，无法判定 {}", thousands(sum.undetermined)));
    }
    (share, counts)
}

fn submission_table(stats: &[DepartmentStat], timeliness: &[Timeliness]) -> SubmissionTable {
    let c = xinyong_app::catalogue();
    // Kinds in the catalogue's order, then any other by code.
    let mut kinds: Vec<&str> = c
        .kinds
        .iter()
        .map(|k| k.code)
        .filter(|k| stats.iter().any(|s| s.kind == *k))
        .collect();
    let mut other: Vec<&str> = stats
        .iter()
        .map(|s| s.kind.as_str())
        .filter(|k| c.kind(k).is_none())
        .collect();
    other.sort_unstable();
    other.dedup();
    kinds.extend(other);
    // Departments in the catalogue's order, then any other by code.
    let rank = |code: &str| {
        c.departments
            .iter()
            .position(|d| d.code == code)
            .unwrap_or(usize::MAX)
    };
    let mut by_dept: BTreeMap<(usize, &str), Vec<&DepartmentStat>> = BTreeMap::new();
    for st in stats {
        by_dept
            .entry((rank(&st.source), st.source.as_str()))
            .or_default()
            .push(st);
    }
    let row = |name: String, code: String, of: &[&DepartmentStat]| {
        let sum = |f: fn(&DepartmentStat) -> u64| of.iter().map(|s| f(s)).sum::<u64>();
        let of_timely: Vec<&Timeliness> = timeliness
            .iter()
            .filter(|t| code.is_empty() || t.source == code)
            .collect();
        let (timely, timely_counts) = timely(&of_timely);
        DepartmentRow {
            timely,
            timely_counts,
            cells: kinds
                .iter()
                .map(|k| {
                    // As in the briefing's table: nothing where nothing is held.
                    let n: u64 = of.iter().filter(|s| s.kind == *k).map(|s| s.records).sum();
                    if n == 0 { String::new() } else { thousands(n) }
                })
                .collect(),
            held: thousands(sum(|s| s.records)),
            received: thousands(sum(|s| s.received)),
            rejected: thousands(sum(|s| s.rejected)),
            name,
            code,
        }
    };
    let rows = by_dept
        .iter()
        .map(|((_, code), of)| {
            let name = of
                .iter()
                .find_map(|s| s.name.clone())
                .or_else(|| c.department_name(code).map(str::to_owned))
                .unwrap_or_else(|| (*code).to_owned());
            row(name, (*code).to_owned(), of)
        })
        .collect();
    let all: Vec<&DepartmentStat> = stats.iter().collect();
    SubmissionTable {
        kinds: kinds
            .iter()
            .map(|k| {
                c.kind(k)
                    .map_or_else(|| (*k).to_owned(), |i| i.name_zh.to_owned())
            })
            .collect(),
        rows,
        total: row("合计".to_owned(), String::new(), &all),
    }
}

/// One outcome's row of a distribution table.
pub struct OutcomeRow {
    pub label: String,
    pub count: String,
    pub share: String,
}

/// One outcome's row of a trend table: its share in each run.
pub struct TrendRow {
    pub label: String,
    pub cells: Vec<String>,
}

/// A model's distribution: the latest run's bars and the trend's lines,
/// each with its table.
pub struct ModelView {
    pub id: String,
    pub name: String,
    pub latest_as_of: String,
    pub latest_run: String,
    pub total: String,
    pub bars: String,
    pub latest: Vec<OutcomeRow>,
    pub trend: String,
    pub runs: Vec<String>,
    pub trend_rows: Vec<TrendRow>,
}

/// The label of each run of a trend: its as-of date, with the time it
/// finished where several runs share the date.
fn run_labels(m: &ModelDistribution) -> Vec<String> {
    m.runs
        .iter()
        .map(|r| {
            if m.runs.iter().filter(|o| o.as_of == r.as_of).count() > 1 {
                let time = local_time(&r.finished_at);
                format!("{} {}", r.as_of, time.get(11..16).unwrap_or_default())
            } else {
                r.as_of.clone()
            }
        })
        .collect()
}

pub(crate) fn model_view(m: &ModelDistribution) -> Option<ModelView> {
    let latest = m.runs.last()?;
    let id = format!("dist-{}", m.model);
    let bars: Vec<charts::Bar> = latest
        .counts
        .iter()
        .map(|o| charts::Bar {
            label: o.label.clone(),
            value: o.count as f64,
            text: format!(
                "{} 户（{} %）",
                thousands(o.count),
                format::number(share(o.count, latest.total))
            ),
        })
        .collect();
    let runs = run_labels(m);
    let series: Vec<charts::Series> = latest
        .counts
        .iter()
        .enumerate()
        .map(|(k, o)| charts::Series {
            name: o.label.clone(),
            values: m
                .runs
                .iter()
                .map(|r| share(r.counts.get(k).map_or(0, |c| c.count), r.total))
                .collect(),
        })
        .collect();
    Some(ModelView {
        bars: charts::bars(
            &id,
            &format!("{}：{} 评价结果分布", m.name, latest.as_of),
            &bars,
        ),
        trend: charts::trend(
            &format!("trend-{}", m.model),
            &format!("{}：历次全量评价的结果占比", m.name),
            "占评价主体的比例",
            &runs,
            &series,
        ),
        latest: latest
            .counts
            .iter()
            .map(|o| OutcomeRow {
                label: o.label.clone(),
                count: thousands(o.count),
                share: format!("{} %", format::number(share(o.count, latest.total))),
            })
            .collect(),
        trend_rows: latest
            .counts
            .iter()
            .enumerate()
            .map(|(k, o)| TrendRow {
                label: o.label.clone(),
                cells: m
                    .runs
                    .iter()
                    .map(|r| {
                        let n = r.counts.get(k).map_or(0, |c| c.count);
                        format!(
                            "{} %（{}）",
                            format::number(share(n, r.total)),
                            thousands(n)
                        )
                    })
                    .collect(),
            })
            .collect(),
        runs,
        latest_as_of: latest.as_of.clone(),
        latest_run: latest.run_id.clone(),
        total: thousands(latest.total),
        name: m.name.clone(),
        id,
    })
}

#[derive(Template)]
#[template(path = "admin_home.html")]
struct HomePage {
    chrome: Chrome,
    section: Section,
    table: SubmissionTable,
    models: Vec<ModelView>,
    trend_runs: usize,
    deadline_days: u32,
}

/// `GET /admin`: the submission table and the distributions.
pub async fn home(State(s): State<PagesState>, ctx: Ctx) -> Response {
    if ctx.principal.role == Role::Public {
        return error::to_login(&ctx.path);
    }
    let distributions = match s.app.result_distributions(&ctx.principal, TREND_RUNS).await {
        Ok(d) => d,
        Err(e) => return error::app_error(&s, Some(&ctx), e),
    };
    let stats = match s.app.submission_stats(&ctx.principal, None).await {
        Ok(st) => st,
        Err(e) => return error::app_error(&s, Some(&ctx), e),
    };
    let timeliness = match s.app.submission_timeliness(&ctx.principal, None).await {
        Ok(t) => t,
        Err(e) => return error::app_error(&s, Some(&ctx), e),
    };
    render(
        StatusCode::OK,
        &HomePage {
            section: Section::of(&ctx, "home"),
            chrome: chrome(&s, &ctx, "管理控制台", "home"),
            table: submission_table(&stats, &timeliness),
            deadline_days: RECORDING_DEADLINE_WORKING_DAYS,
            models: distributions.iter().filter_map(model_view).collect(),
            trend_runs: TREND_RUNS,
        },
    )
}

// ---------------------------------------------------------------------------
// Accounts and API tokens

pub struct AccountRow {
    pub username: String,
    pub role: &'static str,
    pub bound: String,
    pub created: String,
    pub active: bool,
    /// The admin's own account (it cannot be disabled by its owner).
    pub own: bool,
    pub disabled: String,
    pub disable_action: String,
}

pub struct TokenRow {
    pub id: i64,
    pub username: String,
    pub label: String,
    pub created: String,
    pub created_by: String,
    pub active: bool,
    pub revoked: String,
    pub revoke_action: String,
}

pub struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "admin_accounts.html")]
struct AccountsPage {
    chrome: Chrome,
    section: Section,
    csrf: String,
    notice: String,
    accounts: Vec<AccountRow>,
    tokens: Vec<TokenRow>,
    roles: Vec<Choice>,
    departments: Vec<Choice>,
    /// Enabled department and bank accounts (API tokens are theirs).
    token_accounts: Vec<Choice>,
    /// The application's shortest password.
    min_password: usize,
}

fn role_label(code: &str) -> &'static str {
    Role::parse(code).map_or("未知角色", format::role_zh)
}

/// `GET /admin/accounts`.
pub async fn accounts(
    State(s): State<PagesState>,
    ctx: Ctx,
    q: Result<Query<DoneQuery>, QueryRejection>,
) -> Response {
    if ctx.principal.role == Role::Public {
        return error::to_login(&ctx.path);
    }
    let accounts = match s.app.list_accounts(&ctx.principal).await {
        Ok(a) => a,
        Err(e) => return error::app_error(&s, Some(&ctx), e),
    };
    let tokens = match s.app.list_api_tokens(&ctx.principal).await {
        Ok(t) => t,
        Err(e) => return error::app_error(&s, Some(&ctx), e),
    };
    let token_accounts = accounts
        .iter()
        .filter(|a| a.disabled_at.is_none() && matches!(a.role, Role::Department | Role::Bank))
        .map(|a| Choice {
            value: a.username.clone(),
            label: format!("{}（{}）", a.username, format::role_zh(a.role)),
        })
        .collect();
    let c = s.app.catalogue();
    render(
        StatusCode::OK,
        &AccountsPage {
            section: Section::of(&ctx, "accounts"),
            chrome: chrome(&s, &ctx, "账户和 API 令牌", "accounts"),
            csrf: csrf_of(&s, &ctx),
            min_password: xinyong_app::MIN_PASSWORD_CHARS,
            notice: notice(
                q,
                &[
                    ("created", "账户已创建。"),
                    ("disabled", "账户已停用：不能再登录，其会话和令牌随即失效。"),
                    ("revoked", "API 令牌已吊销。"),
                ],
            ),
            accounts: accounts
                .into_iter()
                .map(|a| AccountRow {
                    disable_action: format!(
                        "/admin/accounts/{}/disable",
                        format::query_value(&a.username)
                    ),
                    role: format::role_zh(a.role),
                    bound: match (&a.uscc, &a.department) {
                        (Some(u), _) => u.clone(),
                        (None, Some(d)) => c
                            .department_name(d)
                            .map_or_else(|| d.clone(), |n| format!("{n}（{d}）")),
                        (None, None) => String::new(),
                    },
                    created: local_time(&a.created_at),
                    active: a.disabled_at.is_none(),
                    own: Some(a.id) == ctx.principal.account_id,
                    disabled: a.disabled_at.as_deref().map(local_time).unwrap_or_default(),
                    username: a.username,
                })
                .collect(),
            tokens: tokens
                .into_iter()
                .map(|t| TokenRow {
                    revoke_action: format!("/admin/tokens/{}/revoke", t.id),
                    id: t.id,
                    username: format!("{}（{}）", t.username, role_label(&t.role)),
                    label: t.label,
                    created: local_time(&t.created_at),
                    created_by: t.created_by,
                    active: t.revoked_at.is_none(),
                    revoked: match (&t.revoked_at, &t.revoked_by) {
                        (Some(at), Some(by)) => format!("{} 由 {by} 吊销", local_time(at)),
                        (Some(at), None) => format!("{} 吊销", local_time(at)),
                        _ => String::new(),
                    },
                })
                .collect(),
            roles: Role::ALL
                .into_iter()
                .filter(|r| *r != Role::Public)
                .map(|r| Choice {
                    value: r.as_str().to_owned(),
                    label: format::role_zh(r).to_owned(),
                })
                .collect(),
            departments: c
                .departments
                .iter()
                .map(|d| Choice {
                    value: d.code.to_owned(),
                    label: d.name_zh.to_owned(),
                })
                .collect(),
            token_accounts,
        },
    )
}

#[derive(Deserialize)]
pub struct AccountForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    uscc: String,
    #[serde(default)]
    department: String,
}

fn filled(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}

/// `POST /admin/accounts`: create an account.
pub async fn create_account(
    State(s): State<PagesState>,
    ctx: Ctx,
    form: Result<Form<AccountForm>, FormRejection>,
) -> Response {
    let f = match accepted(&s, &ctx, form, "/admin/accounts") {
        Ok(f) => f,
        Err(answer) => return *answer,
    };
    let Some(role) = Role::parse(f.role.trim()).filter(|r| *r != Role::Public) else {
        return bad_field(&s, &ctx, &format!("角色（role）无效：{}", f.role));
    };
    let new = NewAccount {
        role,
        username: f.username.trim().to_owned(),
        password: f.password,
        uscc: filled(&f.uscc),
        department: filled(&f.department),
    };
    let r = s.app.add_account(Some(&ctx.principal), new).await;
    step_done(&s, &ctx, r, "/admin/accounts?done=created")
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /admin/accounts/{username}/disable`.
pub async fn disable_account(
    State(s): State<PagesState>,
    ctx: Ctx,
    path: Result<Path<String>, PathRejection>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let Ok(Path(username)) = path else {
        return error::not_found(&s, Some(&ctx));
    };
    if let Err(answer) = accepted(&s, &ctx, form, "/admin/accounts") {
        return *answer;
    }
    let r = s.app.disable_account(&ctx.principal, &username).await;
    step_done(&s, &ctx, r, "/admin/accounts?done=disabled")
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    label: String,
}

#[derive(Template)]
#[template(path = "admin_token.html")]
struct TokenPage {
    chrome: Chrome,
    section: Section,
    token: String,
    username: String,
    label: String,
}

/// `POST /admin/tokens`: issue an API token, shown on the answer once.
pub async fn create_token(
    State(s): State<PagesState>,
    ctx: Ctx,
    form: Result<Form<TokenForm>, FormRejection>,
) -> Response {
    let f = match accepted(&s, &ctx, form, "/admin/accounts") {
        Ok(f) => f,
        Err(answer) => return *answer,
    };
    match s
        .app
        .create_api_token(&ctx.principal, f.username.trim(), &f.label)
        .await
    {
        Ok(t) => render(
            StatusCode::OK,
            &TokenPage {
                section: Section::of(&ctx, "accounts"),
                chrome: chrome(&s, &ctx, "API 令牌已签发", "accounts"),
                token: t.token,
                username: t.username,
                label: t.label,
            },
        ),
        Err(e) => error::app_error(&s, Some(&ctx), e),
    }
}

/// `POST /admin/tokens/{id}/revoke`.
pub async fn revoke_token(
    State(s): State<PagesState>,
    ctx: Ctx,
    path: Result<Path<i64>, PathRejection>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let Ok(Path(id)) = path else {
        return error::not_found(&s, Some(&ctx));
    };
    if let Err(answer) = accepted(&s, &ctx, form, "/admin/accounts") {
        return *answer;
    }
    let r = s.app.revoke_api_token(&ctx.principal, id).await;
    step_done(&s, &ctx, r, "/admin/accounts?done=revoked")
}

// ---------------------------------------------------------------------------
// Models and their versions

pub struct VersionRow {
    pub version: String,
    pub valid: String,
    pub visibility: &'static str,
    pub rules: usize,
    pub file: String,
    pub sha256: String,
    pub installed: String,
}

pub struct ModelGroup {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub source: String,
    pub versions: Vec<VersionRow>,
}

#[derive(Template)]
#[template(path = "admin_models.html")]
struct ModelsPage {
    chrome: Chrome,
    section: Section,
    models: Vec<ModelGroup>,
}

fn kind_zh(kind: &str) -> &'static str {
    match kind {
        "classification" => "分类",
        "lists" => "名单认定",
        "eligibility" => "资格筛查",
        "scoring" => "综合评分",
        "record" => "记录级",
        _ => "其他",
    }
}

/// `GET /admin/models`: every model with its versions.
pub async fn models(State(s): State<PagesState>, ctx: Ctx) -> Response {
    if ctx.principal.role == Role::Public {
        return error::to_login(&ctx.path);
    }
    let installed = match s.app.installed_models(&ctx.principal).await {
        Ok(m) => m,
        Err(e) => return error::app_error(&s, Some(&ctx), e),
    };
    let mut groups: Vec<ModelGroup> = Vec::new();
    for m in installed {
        let row = VersionRow {
            valid: format!(
                "{} 至 {}",
                m.valid_from.as_deref().unwrap_or("不限"),
                m.valid_to.as_deref().unwrap_or("不限")
            ),
            visibility: xinyong_app::visibility_zh(&m.visibility),
            rules: m.rules.len(),
            sha256: m.sha256.get(..16).unwrap_or_default().to_owned(),
            installed: match (&m.installed_by, &m.installed_at) {
                (Some(by), Some(at)) => format!(
                    "{} 由 {by} 安装：{}",
                    local_time(at),
                    m.reason.as_deref().unwrap_or_default()
                ),
                _ => "内置".to_owned(),
            },
            file: m.file,
            version: m.version,
        };
        match groups.iter_mut().find(|g| g.id == m.id) {
            Some(g) => g.versions.push(row),
            None => groups.push(ModelGroup {
                kind: kind_zh(&m.kind),
                name: m.name,
                source: m.source,
                versions: vec![row],
                id: m.id,
            }),
        }
    }
    render(
        StatusCode::OK,
        &ModelsPage {
            section: Section::of(&ctx, "models"),
            chrome: chrome(&s, &ctx, "评价模型", "models"),
            models: groups,
        },
    )
}

// ---------------------------------------------------------------------------
// Runs and evaluation tasks

pub struct RunRow {
    pub id: String,
    pub kind: &'static str,
    pub as_of: String,
    pub models: usize,
    pub subjects: String,
    pub results: String,
    pub finished: String,
    pub trigger: String,
}

pub struct TaskRow {
    pub id: u64,
    pub link: String,
    pub status: &'static str,
    pub started: String,
    pub started_by: String,
}

#[derive(Template)]
#[template(path = "admin_runs.html")]
struct RunsPage {
    chrome: Chrome,
    section: Section,
    csrf: String,
    runs: Vec<RunRow>,
    tasks: Vec<TaskRow>,
    /// The account may start evaluations.
    managing: bool,
    models: Vec<Choice>,
    today: String,
}

fn status_zh(status: TaskStatus) -> &'static str {
    match status {
        TaskStatus::Running => "进行中",
        TaskStatus::Succeeded => "已完成",
        TaskStatus::Failed => "失败",
        TaskStatus::Cancelled => "已取消",
    }
}

fn task_link(id: u64) -> String {
    format!("/admin/tasks/{id}")
}

/// `GET /admin/runs`: the stored runs; for the admin the evaluation form
/// and the evaluation tasks of this server.
pub async fn runs(State(s): State<PagesState>, ctx: Ctx) -> Response {
    if ctx.principal.role == Role::Public {
        return error::to_login(&ctx.path);
    }
    let runs = match s.app.stored_runs(&ctx.principal, RUNS_LISTED).await {
        Ok(r) => r,
        Err(e) => return error::app_error(&s, Some(&ctx), e),
    };
    let managing = Operation::RunEvaluations.admits(ctx.principal.role);
    let (tasks, models) = if managing {
        let tasks = match s.app.list_tasks(&ctx.principal) {
            Ok(t) => t,
            Err(e) => return error::app_error(&s, Some(&ctx), e),
        };
        let models = match s.app.models_in_force() {
            Ok(m) => m,
            Err(e) => return error::app_error(&s, Some(&ctx), e),
        };
        (tasks, models)
    } else {
        (Vec::new(), Vec::new())
    };
    render(
        StatusCode::OK,
        &RunsPage {
            section: Section::of(&ctx, "runs"),
            chrome: chrome(&s, &ctx, "评价运行", "runs"),
            csrf: csrf_of(&s, &ctx),
            runs: runs
                .into_iter()
                .map(|r| RunRow {
                    kind: if r.kind == "full" { "全量" } else { "增量" },
                    as_of: r.as_of,
                    models: r.models.as_array().map_or(0, Vec::len),
                    subjects: thousands(r.subjects),
                    results: thousands(r.results),
                    finished: local_time(&r.finished_at),
                    trigger: r.trigger,
                    id: r.id,
                })
                .collect(),
            tasks: tasks
                .into_iter()
                .filter(|t| t.kind == "evaluate_all")
                .map(|t| TaskRow {
                    id: t.id,
                    link: task_link(t.id),
                    status: status_zh(t.status),
                    started: local_time(&t.started_at),
                    started_by: t.started_by,
                })
                .collect(),
            managing,
            models: models
                .into_iter()
                .map(|m| Choice {
                    label: m.name,
                    value: m.id,
                })
                .collect(),
            today: s.app.today().to_string(),
        },
    )
}

/// The prefix of the evaluation form's model boxes (`model.<id>`).
const MODEL_FIELD: &str = "model.";

/// `POST /admin/runs`: start a full evaluation (fields `csrf`, `as_of`
/// and one `model.<id>` per ticked model); on to its task's page.
pub async fn start_run(
    State(s): State<PagesState>,
    ctx: Ctx,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let f = match accepted(&s, &ctx, form, "/admin/runs") {
        Ok(f) => f,
        Err(answer) => return *answer,
    };
    let mut models: Vec<String> = f
        .keys()
        .filter_map(|k| k.strip_prefix(MODEL_FIELD))
        .map(str::to_owned)
        .collect();
    models.sort_unstable();
    let as_of = f.get("as_of").map_or("", String::as_str);
    match s
        .app
        .start_evaluation_task(&ctx.principal, as_of, models)
        .await
    {
        Ok(t) => see_other(&task_link(t.id)),
        Err(e) => error::app_error(&s, Some(&ctx), e),
    }
}

/// A task's progress as the page shows it: per cent (none while unknown)
/// and a sentence.
fn progress_of(t: &TaskInfo) -> (Option<u32>, String) {
    match t.status {
        TaskStatus::Succeeded => {
            let results = t
                .result
                .as_ref()
                .and_then(|r| r["results"].as_u64())
                .map(thousands)
                .unwrap_or_default();
            (Some(100), format!("评价完成，共写出 {results} 条结果。"))
        }
        TaskStatus::Failed => (
            None,
            format!(
                "评价失败：{}",
                t.error.as_ref().map_or("", |e| e.message.as_str())
            ),
        ),
        TaskStatus::Cancelled => (None, "评价已取消，未留下任何结果。".to_owned()),
        TaskStatus::Running => match &t.progress {
            None => (None, "评价任务已启动，正在准备……".to_owned()),
            Some(p) => match p.phase {
                RunPhase::Sync => (Some(5), "正在同步列式数据湖……".to_owned()),
                RunPhase::Plan => (Some(10), "正在规划扫描……".to_owned()),
                RunPhase::Evaluate => {
                    let done = if p.partitions == 0 {
                        0.0
                    } else {
                        p.partitions_done as f64 / p.partitions as f64
                    };
                    (
                        Some(10 + (done * 85.0).round() as u32),
                        format!(
                            "正在评价：已完成 {} / {} 个分区，已写出 {} 条结果。",
                            p.partitions_done,
                            p.partitions,
                            thousands(p.results)
                        ),
                    )
                }
                RunPhase::Commit => (Some(97), "正在提交评价结果……".to_owned()),
            },
        },
    }
}

#[derive(Template)]
#[template(path = "admin_task.html")]
struct TaskPage {
    chrome: Chrome,
    section: Section,
    csrf: String,
    id: u64,
    status: &'static str,
    running: bool,
    percent: Option<u32>,
    text: String,
    started: String,
    started_by: String,
    finished: String,
    run_id: String,
}

/// `GET /admin/tasks/{id}`: a task's progress (refreshed while it runs).
pub async fn task(
    State(s): State<PagesState>,
    ctx: Ctx,
    path: Result<Path<u64>, PathRejection>,
) -> Response {
    let Ok(Path(id)) = path else {
        return error::not_found(&s, Some(&ctx));
    };
    if ctx.principal.role == Role::Public {
        return error::to_login(&ctx.path);
    }
    let t = match s.app.task(&ctx.principal, id) {
        Ok(t) => t,
        Err(e) => return error::app_error(&s, Some(&ctx), e),
    };
    let (percent, text) = progress_of(&t);
    render(
        StatusCode::OK,
        &TaskPage {
            section: Section::of(&ctx, "runs"),
            chrome: chrome(&s, &ctx, &format!("评价任务 {id}"), "runs"),
            csrf: csrf_of(&s, &ctx),
            id,
            status: status_zh(t.status),
            running: t.status == TaskStatus::Running,
            percent,
            text,
            started: local_time(&t.started_at),
            started_by: t.started_by.clone(),
            finished: t.finished_at.as_deref().map(local_time).unwrap_or_default(),
            run_id: t
                .result
                .as_ref()
                .and_then(|r| r["id"].as_str())
                .unwrap_or_default()
                .to_owned(),
        },
    )
}

/// `GET /admin/tasks/{id}/progress`: the task's progress as JSON, for the
/// site's progress script (`/static/progress.js`): `{"status", "percent",
/// "text", "done", "next"}` (`next`: the task's page, shown again once the
/// task is over).
pub async fn task_progress(
    State(s): State<PagesState>,
    ctx: Ctx,
    path: Result<Path<u64>, PathRejection>,
) -> Response {
    let answer = |status: StatusCode, body: serde_json::Value| {
        let mut r = (status, body.to_string()).into_response();
        r.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        r
    };
    let Ok(Path(id)) = path else {
        return answer(StatusCode::NOT_FOUND, json!({"error": "没有这个任务"}));
    };
    match s.app.task(&ctx.principal, id) {
        Ok(t) => {
            let (percent, text) = progress_of(&t);
            answer(
                StatusCode::OK,
                json!({
                    "status": t.status, "percent": percent.unwrap_or(0), "text": text,
                    "done": t.status != TaskStatus::Running, "next": task_link(id),
                }),
            )
        }
        Err(e) => {
            let status = match e.code {
                xinyong_app::ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
                xinyong_app::ErrorCode::Forbidden => StatusCode::FORBIDDEN,
                xinyong_app::ErrorCode::NotFound => StatusCode::NOT_FOUND,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            answer(status, json!({"error": e.code.message_zh()}))
        }
    }
}

/// `POST /admin/tasks/{id}/cancel`.
pub async fn cancel(
    State(s): State<PagesState>,
    ctx: Ctx,
    path: Result<Path<u64>, PathRejection>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let Ok(Path(id)) = path else {
        return error::not_found(&s, Some(&ctx));
    };
    if let Err(answer) = accepted(&s, &ctx, form, &task_link(id)) {
        return *answer;
    }
    let r = s.app.cancel_evaluation_task(&ctx.principal, id).await;
    step_done(&s, &ctx, r, &task_link(id))
}

// ---------------------------------------------------------------------------
// The audit log

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    after_seq: Option<i64>,
    #[serde(default)]
    verify: Option<String>,
}

pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub subject: String,
    pub purpose: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    chrome: Chrome,
    section: Section,
    actor: String,
    action: String,
    from: String,
    to: String,
    entries: Vec<AuditRow>,
    /// The link to the next page, when this one is full.
    next: String,
    /// The link to the first page, when this is not it.
    first: String,
    verified: bool,
    intact: bool,
    verified_entries: String,
    first_broken: String,
}

/// `GET /admin/audit`: the audit log, filtered and paged; with `verify`,
/// the verification of the whole chain above it.
pub async fn audit(
    State(s): State<PagesState>,
    ctx: Ctx,
    q: Result<Query<AuditQuery>, QueryRejection>,
) -> Response {
    if ctx.principal.role == Role::Public {
        return error::to_login(&ctx.path);
    }
    let q = match q {
        Ok(Query(q)) => q,
        Err(_) => return bad_field(&s, &ctx, "查询条件有误：after_seq 须为整数。"),
    };
    let filter = AuditFilter {
        subject: None,
        actor: filled(&q.actor),
        action: filled(&q.action),
        from: filled(&q.from),
        to: filled(&q.to),
        after_seq: q.after_seq,
        limit: Some(AUDIT_PAGE),
    };
    let entries = match s.app.audit_entries(&ctx.principal, &filter).await {
        Ok(e) => e,
        Err(e) => return error::app_error(&s, Some(&ctx), e),
    };
    let mut page = AuditPage {
        section: Section::of(&ctx, "audit"),
        chrome: chrome(&s, &ctx, "审计日志", "audit"),
        next: String::new(),
        first: String::new(),
        verified: false,
        intact: false,
        verified_entries: String::new(),
        first_broken: String::new(),
        entries: Vec::new(),
        actor: q.actor.clone(),
        action: q.action.clone(),
        from: q.from.clone(),
        to: q.to.clone(),
    };
    let link = |after: Option<i64>| {
        let mut l = format!(
            "/admin/audit?actor={}&action={}&from={}&to={}",
            format::query_value(q.actor.trim()),
            format::query_value(q.action.trim()),
            format::query_value(q.from.trim()),
            format::query_value(q.to.trim())
        );
        if let Some(a) = after {
            l.push_str(&format!("&after_seq={a}"));
        }
        l
    };
    if entries.len() == AUDIT_PAGE as usize
        && let Some(last) = entries.last()
    {
        page.next = link(Some(last.seq));
    }
    if q.after_seq.unwrap_or(0) > 0 {
        page.first = link(None);
    }
    page.entries = entries
        .into_iter()
        .map(|e| AuditRow {
            seq: e.seq,
            at: local_time(&e.at),
            role: Role::parse(&e.role)
                .map_or_else(|| e.role.clone(), |r| format::role_zh(r).to_owned()),
            actor: e.actor,
            action: e.action,
            subject: e.subject.unwrap_or_default(),
            purpose: e.purpose.unwrap_or_default(),
            detail: if e.detail.as_object().is_some_and(|o| o.is_empty()) {
                String::new()
            } else {
                e.detail.to_string()
            },
        })
        .collect();
    if q.verify.is_some() {
        match s.app.verify_audit(Some(&ctx.principal)).await {
            Ok(v) => {
                page.verified = true;
                page.intact = v.intact;
                page.verified_entries = thousands(v.entries.max(0) as u64);
                page.first_broken = v.first_broken.map(|n| n.to_string()).unwrap_or_default();
            }
            Err(e) => return error::app_error(&s, Some(&ctx), e),
        }
    }
    render(StatusCode::OK, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_goes_from_the_lake_to_the_commit() {
        let mut t = TaskInfo {
            id: 1,
            kind: "evaluate_all",
            status: TaskStatus::Running,
            started_by: "admin".into(),
            started_at: "2026-06-30T00:00:00Z".into(),
            finished_at: None,
            progress: None,
            result: None,
            error: None,
        };
        assert_eq!(progress_of(&t).0, None);
        let mut p = xinyong_app::RunProgress {
            phase: RunPhase::Evaluate,
            results: 12345,
            partitions_done: 1,
            partitions: 2,
        };
        t.progress = Some(p);
        let (percent, text) = progress_of(&t);
        assert_eq!(percent, Some(53));
        assert!(text.contains("1 / 2") && text.contains("12,345"), "{text}");
        p.phase = RunPhase::Sync;
        t.progress = Some(p);
        assert_eq!(progress_of(&t).0, Some(5));
        t.status = TaskStatus::Succeeded;
        t.result = Some(json!({"results": 2000}));
        assert_eq!(
            progress_of(&t),
            (Some(100), "评价完成，共写出 2,000 条结果。".to_owned())
        );
    }

    #[test]
    fn the_submission_table_has_a_column_per_kind_and_totals() {
        let stat = |source: &str, kind: &str, received, records, rejected| DepartmentStat {
            source: source.into(),
            name: None,
            kind: kind.into(),
            received,
            records,
            rejected,
        };
        let on_time = |source: &str, kind: &str, on_time, late, undetermined| Timeliness {
            source: source.into(),
            name: None,
            kind: kind.into(),
            on_time,
            late,
            undetermined,
        };
        let t = submission_table(
            &[
                stat("SCJG", "penalty", 1200, 1000, 3),
                stat("SCJG", "license", 20, 20, 0),
                stat("SWJ", "penalty", 5, 5, 1),
            ],
            &[
                on_time("SCJG", "penalty", 900, 100, 0),
                on_time("SCJG", "license", 20, 0, 0),
                on_time("SWJ", "penalty", 0, 0, 5),
            ],
        );
        assert_eq!(t.kinds.len(), 2);
        assert_eq!(t.rows.len(), 2);
        let scjg = t.rows.iter().find(|r| r.code == "SCJG").unwrap();
        assert_eq!(scjg.held, "1,020");
        assert_eq!(scjg.received, "1,220");
        assert_eq!(scjg.rejected, "3");
        assert_eq!(t.total.held, "1,025");
        assert_eq!(t.total.rejected, "4");
        // The cells follow the kinds' columns; a kind a department never
        // sent is 0.
        let swj = t.rows.iter().find(|r| r.code == "SWJ").unwrap();
        assert_eq!(swj.cells.iter().filter(|c| c.is_empty()).count(), 1);
        // Timeliness: of the records whose deadline is known.
        assert_eq!(scjg.timely, "90.2 %");
        assert_eq!(scjg.timely_counts, "按时 920，逾期 100");
        assert_eq!(swj.timely, "—");
        assert_eq!(swj.timely_counts, "按时 0，逾期 0，无法判定 5");
        assert_eq!(t.total.timely, "90.2 %");
    }
}
