//! The credit check (信用核查, PRODUCT.md C10) for officers: the form
//! (subject and scenario, and for an approval its matter), the logged
//! check's page with the results it used, the measures that apply
//! (守信激励 / 失信惩戒) with their legal basis and — for an approval
//! matter — whether 容缺受理 and 告知承诺 are open, the feedback form
//! (反馈: which measures were applied, and what came of it), and the check
//! log (an officer's own; the credit office's and the auditor's of every
//! check, with the statistics per department). Every form carries the
//! session's CSRF token; the checks, their logging and auditing, and who
//! may read which check are the application's.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use xinyong_app::{
    BatchCheckAnswer, BatchCheckRequest, CheckLogEntry, CheckQuery, CreditCheckRequest, ErrorClass,
    FeedbackRequest, LoggedCheck, MAX_BATCH_SUBJECTS, Operation, Role, check_scenarios, local_time,
    subjects_in_list,
};

use crate::PagesState;
use crate::csrf::{csrf_of, csrf_ok, csrf_refused};
use crate::error::{self, render, see_other};
use crate::format::query_value;
use crate::lists::{Choice, accepted};
use crate::session::{Chrome, Ctx};
use crate::views::{self, ResultView};

/// Checks listed on one page of the log.
const LOG_PAGE: u32 = 50;
/// The officer's latest checks on the form page.
const RECENT: u32 = 10;

fn scenario_zh(id: &str) -> String {
    check_scenarios()
        .into_iter()
        .find(|(s, _)| *s == id)
        .map_or_else(|| id.to_owned(), |(_, l)| l.to_owned())
}

/// The scenarios of the check forms, `current` selected.
fn scenario_choices(current: &str) -> Vec<Choice> {
    check_scenarios()
        .into_iter()
        .map(|(id, label)| Choice {
            selected: id == current,
            value: id.to_owned(),
            label: label.to_owned(),
        })
        .collect()
}

/// The approval matters of the check forms (none first), `current` selected.
fn matter_choices(matters: xinyong_app::MattersInfo, current: &str) -> Vec<Choice> {
    std::iter::once(Choice {
        value: String::new(),
        label: "（不涉及具体审批事项）".to_owned(),
        selected: current.is_empty(),
    })
    .chain(matters.matters.into_iter().map(|m| Choice {
        selected: m.id == current,
        label: format!("{}（{}）", m.name, m.id),
        value: m.id,
    }))
    .collect()
}

fn check_link(id: i64) -> String {
    format!("/checks/{id}")
}

// ---------------------------------------------------------------------------
// The form

/// One line of a log table.
pub struct LogRow {
    pub id: i64,
    pub link: String,
    pub subject: String,
    pub scenario: String,
    pub checked_by: String,
    pub department: String,
    pub checked_at: String,
    pub measures: usize,
    pub feedback: usize,
}

fn log_row(c: CheckLogEntry) -> LogRow {
    LogRow {
        id: c.check_id,
        link: check_link(c.check_id),
        subject: c.subject,
        scenario: scenario_zh(&c.scenario),
        checked_by: c.checked_by,
        department: c.department.unwrap_or_default(),
        checked_at: local_time(&c.checked_at),
        measures: c.measures.len(),
        feedback: c.feedback.len(),
    }
}

#[derive(Template)]
#[template(path = "check_form.html")]
struct FormPage {
    chrome: Chrome,
    csrf: String,
    subject: String,
    scenarios: Vec<Choice>,
    matters: Vec<Choice>,
    /// What is wrong with the last submission, and which field.
    message: String,
    field: String,
    recent: Vec<LogRow>,
}

#[derive(Deserialize, Default)]
pub struct CheckForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    scenario: String,
    #[serde(default)]
    matter: String,
}

async fn form_page(
    s: &PagesState,
    ctx: &Ctx,
    status: StatusCode,
    f: &CheckForm,
    message: String,
    field: String,
) -> Response {
    let matters = match s.app.matters_info() {
        Ok(m) => m,
        Err(e) => return error::app_error(s, Some(ctx), e),
    };
    let recent = match s
        .app
        .my_credit_checks(
            &ctx.principal,
            &CheckQuery {
                limit: Some(RECENT),
                ..CheckQuery::default()
            },
        )
        .await
    {
        Ok(r) => r,
        Err(e) => return error::app_error(s, Some(ctx), e),
    };
    let scenario = if f.scenario.is_empty() {
        "approval"
    } else {
        f.scenario.as_str()
    };
    render(
        status,
        &FormPage {
            chrome: Chrome::new(s, Some(ctx), "信用核查", "checks"),
            csrf: csrf_of(s, ctx),
            subject: f.subject.chars().take(40).collect(),
            scenarios: scenario_choices(scenario),
            matters: matter_choices(matters, &f.matter),
            message,
            field,
            recent: recent.into_iter().map(log_row).collect(),
        },
    )
}

/// `GET /checks`: the credit check form (officer, credit office).
pub async fn form(State(s): State<PagesState>, ctx: Ctx) -> Response {
    if ctx.principal.role == Role::Public {
        return error::to_login(&ctx.path);
    }
    form_page(
        &s,
        &ctx,
        StatusCode::OK,
        &CheckForm::default(),
        String::new(),
        String::new(),
    )
    .await
}

/// `POST /checks`: run the check; its page shows the answer.
pub async fn run(
    State(s): State<PagesState>,
    ctx: Ctx,
    form: Result<Form<CheckForm>, FormRejection>,
) -> Response {
    let f = match accepted(&s, &ctx, form, "/checks", |f| &f.csrf) {
        Ok(f) => f,
        Err(answer) => return *answer,
    };
    let req = CreditCheckRequest {
        subject: f.subject.clone(),
        scenario: f.scenario.clone(),
        matter: Some(f.matter.clone()).filter(|m| !m.trim().is_empty()),
    };
    match s.app.credit_check(&ctx.principal, &req).await {
        Ok(answer) => see_other(&check_link(answer.check_id)),
        // The caller's mistake (an unregistered or malformed code, a
        // matter outside approval): the form again, saying what is wrong.
        Err(e) if e.class() == ErrorClass::Caller && e.field.is_some() => {
            let field = e.field.clone().unwrap_or_default();
            form_page(
                &s,
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                &f,
                e.detail,
                field,
            )
            .await
        }
        Err(e) if e.code == xinyong_app::ErrorCode::NotFound => {
            form_page(
                &s,
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                &f,
                if e.detail.is_empty() {
                    "没有这个主体。".to_owned()
                } else {
                    e.detail
                },
                "subject".to_owned(),
            )
            .await
        }
        Err(e) => error::app_error(&s, Some(&ctx), e),
    }
}

// ---------------------------------------------------------------------------
// The batch check

/// One subject of a batch check's answer.
pub struct BatchRowView {
    pub subject: String,
    pub name: String,
    /// The logged check's page (empty when it could not be checked).
    pub link: String,
    pub check_id: String,
    pub incentives: usize,
    pub punishments: usize,
    pub measures: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "check_batch.html")]
struct BatchPage {
    chrome: Chrome,
    csrf: String,
    list: String,
    scenarios: Vec<Choice>,
    matters: Vec<Choice>,
    max: usize,
    message: String,
    field: String,
    /// The answer, once a list was checked.
    batch: String,
    as_of: String,
    scenario: String,
    rows: Vec<BatchRowView>,
    checked: usize,
    refused: usize,
}

/// What the batch form sent.
#[derive(Default)]
struct BatchForm {
    csrf: String,
    list: String,
    file: Vec<u8>,
    scenario: String,
    matter: String,
}

impl BatchForm {
    /// Read the multipart form (`csrf`, `list`, `file`, `scenario`, `matter`).
    async fn read(mut form: Multipart) -> Result<BatchForm, StatusCode> {
        let mut f = BatchForm::default();
        loop {
            match form.next_field().await {
                Ok(Some(field)) => {
                    let name = field.name().unwrap_or_default().to_owned();
                    let bytes = field.bytes().await.map_err(|e| e.status())?;
                    let text = || String::from_utf8_lossy(&bytes).into_owned();
                    match name.as_str() {
                        "csrf" => f.csrf = text(),
                        "list" => f.list = text(),
                        "file" => f.file = bytes.to_vec(),
                        "scenario" => f.scenario = text(),
                        "matter" => f.matter = text(),
                        _ => {}
                    }
                }
                Ok(None) => return Ok(f),
                Err(e) => return Err(e.status()),
            }
        }
    }

    /// The codes of the pasted list and of the uploaded file, in order.
    fn subjects(&self) -> Vec<String> {
        let mut all = subjects_in_list(&self.list);
        all.extend(subjects_in_list(&String::from_utf8_lossy(&self.file)));
        all
    }
}

async fn batch_page(
    s: &PagesState,
    ctx: &Ctx,
    status: StatusCode,
    f: &BatchForm,
    answer: Option<BatchCheckAnswer>,
    message: String,
    field: String,
) -> Response {
    let matters = match s.app.matters_info() {
        Ok(m) => m,
        Err(e) => return error::app_error(s, Some(ctx), e),
    };
    let scenario = if f.scenario.is_empty() {
        "bidding"
    } else {
        f.scenario.as_str()
    };
    let (batch, as_of, rows) = match answer {
        Some(a) => (
            a.batch,
            a.as_of,
            a.rows
                .into_iter()
                .map(|r| BatchRowView {
                    name: r.name.unwrap_or_default(),
                    link: r.check_id.map(check_link).unwrap_or_default(),
                    check_id: r.check_id.map(|i| i.to_string()).unwrap_or_default(),
                    incentives: r.incentives,
                    punishments: r.punishments,
                    measures: r
                        .measures
                        .iter()
                        .map(|m| m.text.clone())
                        .collect::<Vec<_>>()
                        .join("；"),
                    error: r.error.unwrap_or_default(),
                    subject: r.subject,
                })
                .collect::<Vec<_>>(),
        ),
        None => (String::new(), String::new(), Vec::new()),
    };
    let refused = rows.iter().filter(|r| !r.error.is_empty()).count();
    render(
        status,
        &BatchPage {
            chrome: Chrome::new(s, Some(ctx), "批量信用核查", "checks"),
            csrf: csrf_of(s, ctx),
            list: f.list.chars().take(MAX_BATCH_SUBJECTS * 24).collect(),
            scenarios: scenario_choices(scenario),
            matters: matter_choices(matters, &f.matter),
            max: MAX_BATCH_SUBJECTS,
            message,
            field,
            batch,
            as_of,
            scenario: scenario_zh(scenario),
            checked: rows.len() - refused,
            refused,
            rows,
        },
    )
}

/// `GET /checks/batch`: the batch check form (officer, credit office).
pub async fn batch_form(State(s): State<PagesState>, ctx: Ctx) -> Response {
    if ctx.principal.role == Role::Public {
        return error::to_login(&ctx.path);
    }
    if let Err(e) = xinyong_app::authorise(&ctx.principal, Operation::RunCreditChecks) {
        return error::app_error(&s, Some(&ctx), e);
    }
    batch_page(
        &s,
        &ctx,
        StatusCode::OK,
        &BatchForm::default(),
        None,
        String::new(),
        String::new(),
    )
    .await
}

/// `POST /checks/batch` (multipart: `csrf`, `list` and/or `file`,
/// `scenario`, `matter`): check every subject of the list; one row each,
/// every check logged under the batch's id.
pub async fn batch_run(
    State(s): State<PagesState>,
    ctx: Ctx,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    if ctx.principal.role == Role::Public {
        return error::to_login("/checks/batch");
    }
    let Ok(form) = form else {
        return csrf_refused(&s, &ctx);
    };
    let f = match BatchForm::read(form).await {
        Ok(f) => f,
        Err(status) => {
            return batch_page(
                &s,
                &ctx,
                if status == StatusCode::PAYLOAD_TOO_LARGE {
                    status
                } else {
                    StatusCode::BAD_REQUEST
                },
                &BatchForm::default(),
                None,
                "未能读取提交的名单，请重新粘贴或选择文件后提交。".to_owned(),
                "list".to_owned(),
            )
            .await;
        }
    };
    if !csrf_ok(&s, &ctx, &f.csrf) {
        return csrf_refused(&s, &ctx);
    }
    let req = BatchCheckRequest {
        subjects: f.subjects(),
        scenario: f.scenario.clone(),
        matter: Some(f.matter.clone()).filter(|m| !m.trim().is_empty()),
    };
    match s.app.batch_credit_check(&ctx.principal, &req).await {
        Ok(answer) => {
            batch_page(
                &s,
                &ctx,
                StatusCode::OK,
                &f,
                Some(answer),
                String::new(),
                String::new(),
            )
            .await
        }
        Err(e) if e.class() == ErrorClass::Caller && e.field.is_some() => {
            let field = match e.field.as_deref() {
                Some("subjects") => "list".to_owned(),
                other => other.unwrap_or_default().to_owned(),
            };
            batch_page(
                &s,
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                &f,
                None,
                e.detail,
                field,
            )
            .await
        }
        Err(e) => error::app_error(&s, Some(&ctx), e),
    }
}

// ---------------------------------------------------------------------------
// A check's page

pub struct MeasureRow {
    pub id: String,
    pub text: String,
    pub legal_basis: String,
}

pub struct RouteRow {
    pub name: String,
    pub available: bool,
    pub reasons: String,
    pub legal_basis: String,
}

pub struct ListRow {
    pub name: String,
    pub listed_on: String,
    pub from: &'static str,
}

pub struct FeedbackRow {
    pub department: String,
    pub applied: String,
    pub outcome: String,
    pub reported_by: String,
    pub reported_at: String,
}

#[derive(Template)]
#[template(path = "check_result.html")]
struct ResultPage {
    chrome: Chrome,
    id: i64,
    subject: String,
    name: String,
    full_link: String,
    scenario: String,
    matter: String,
    as_of: String,
    checked_by: String,
    checked_at: String,
    incentives: Vec<MeasureRow>,
    punishments: Vec<MeasureRow>,
    routes: Vec<RouteRow>,
    lists: Vec<ListRow>,
    results: Vec<ResultView>,
    feedback: Vec<FeedbackRow>,
    /// The feedback form is shown.
    can_report: bool,
    /// All measures, for the feedback form's boxes.
    measures: Vec<MeasureRow>,
    department: String,
    action: String,
    csrf: String,
    notice: String,
}

fn from_zh(from: &str) -> &'static str {
    match from {
        "record" => "部门报送的名单信息",
        "result" => "评价模型认定",
        "lifecycle" => "本平台公布的名单",
        _ => "",
    }
}

fn result_page(s: &PagesState, ctx: &Ctx, c: LoggedCheck, notice: String) -> Response {
    let models = match s.app.models_in_force() {
        Ok(m) => m,
        Err(e) => return error::app_error(s, Some(ctx), e),
    };
    let a = c.answer;
    let names: HashMap<String, String> = a
        .measures
        .iter()
        .map(|m| (m.id.clone(), m.text.clone()))
        .collect();
    let row = |m: &xinyong_app::CheckedMeasure| MeasureRow {
        id: m.id.clone(),
        text: m.text.clone(),
        legal_basis: m.legal_basis.clone(),
    };
    let matter = match (&a.matter, s.app.matters_info()) {
        (Some(id), Ok(info)) => info
            .matters
            .into_iter()
            .find(|m| &m.id == id)
            .map_or_else(|| id.clone(), |m| format!("{}（{}）", m.name, m.id)),
        (Some(id), Err(_)) => id.clone(),
        (None, _) => String::new(),
    };
    let page = ResultPage {
        chrome: Chrome::new(
            s,
            Some(ctx),
            &format!("信用核查结果 {}", a.check_id),
            "checks",
        ),
        id: a.check_id,
        full_link: format!("/subjects/{}/full", query_value(&a.subject)),
        name: c.subject_name.unwrap_or_else(|| a.subject.clone()),
        subject: a.subject.clone(),
        scenario: scenario_zh(&a.scenario),
        matter,
        as_of: a.as_of.clone(),
        checked_by: c.checked_by,
        checked_at: local_time(&c.checked_at),
        incentives: a
            .measures
            .iter()
            .filter(|m| m.kind == "incentive")
            .map(row)
            .collect(),
        punishments: a
            .measures
            .iter()
            .filter(|m| m.kind != "incentive")
            .map(row)
            .collect(),
        routes: a
            .routes
            .iter()
            .flatten()
            .map(|r| RouteRow {
                name: r.name.clone(),
                available: r.available,
                reasons: r.reasons.join("；"),
                legal_basis: r.legal_basis.clone(),
            })
            .collect(),
        lists: a
            .lists
            .iter()
            .map(|l| ListRow {
                name: l.list_name.clone(),
                listed_on: l.listed_on.clone(),
                from: from_zh(&l.from),
            })
            .collect(),
        results: views::results(s.app.catalogue(), &models, &a.results, &HashMap::new()),
        feedback: c
            .feedback
            .into_iter()
            .map(|f| FeedbackRow {
                department: f.department,
                applied: if f.applied.is_empty() {
                    "未实施措施".to_owned()
                } else {
                    f.applied
                        .iter()
                        .map(|id| names.get(id).cloned().unwrap_or_else(|| id.clone()))
                        .collect::<Vec<_>>()
                        .join("；")
                },
                outcome: f.outcome,
                reported_by: f.reported_by,
                reported_at: local_time(&f.reported_at),
            })
            .collect(),
        can_report: Operation::ReportCheckFeedback.admits(ctx.principal.role),
        measures: a.measures.iter().map(row).collect(),
        department: ctx.principal.department.clone().unwrap_or_default(),
        action: format!("{}/feedback", check_link(a.check_id)),
        csrf: csrf_of(s, ctx),
        notice,
    };
    render(StatusCode::OK, &page)
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

/// `GET /checks/{id}`: a logged check (its officer's; any for the credit
/// office and the auditor).
pub async fn result(
    State(s): State<PagesState>,
    ctx: Ctx,
    path: Result<Path<i64>, PathRejection>,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Response {
    let Ok(Path(id)) = path else {
        return error::not_found(&s, Some(&ctx));
    };
    if ctx.principal.role == Role::Public {
        return error::to_login(&ctx.path);
    }
    let notice = match query.map(|Query(q)| q.done).unwrap_or_default().as_str() {
        "feedback" => "反馈已记录。".to_owned(),
        _ => String::new(),
    };
    match s.app.logged_credit_check(&ctx.principal, id).await {
        Ok(c) => result_page(&s, &ctx, c, notice),
        Err(e) => error::app_error(&s, Some(&ctx), e),
    }
}

/// The first value of a field of a posted form (empty when absent).
fn form_value<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// `POST /checks/{id}/feedback`: `applied` (repeated), `department`,
/// `outcome`, `csrf`.
pub async fn feedback(
    State(s): State<PagesState>,
    ctx: Ctx,
    path: Result<Path<i64>, PathRejection>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let Ok(Path(id)) = path else {
        return error::not_found(&s, Some(&ctx));
    };
    let pairs = match accepted(&s, &ctx, form, &check_link(id), |p| form_value(p, "csrf")) {
        Ok(p) => p,
        Err(answer) => return *answer,
    };
    let value = |name: &str| form_value(&pairs, name).to_owned();
    let req = FeedbackRequest {
        applied: pairs
            .iter()
            .filter(|(k, _)| k == "applied")
            .map(|(_, v)| v.clone())
            .collect(),
        outcome: value("outcome"),
        department: Some(value("department")).filter(|d| !d.trim().is_empty()),
    };
    match s.app.report_check_feedback(&ctx.principal, id, &req).await {
        Ok(_) => see_other(&format!("{}?done=feedback", check_link(id))),
        Err(e) => error::app_error(&s, Some(&ctx), e),
    }
}

// ---------------------------------------------------------------------------
// The log

pub struct StatsRow {
    pub department: String,
    pub checks: String,
    pub by_scenario: String,
    pub feedback: String,
    pub applied: String,
}

#[derive(Template)]
#[template(path = "check_log.html")]
struct LogPage {
    chrome: Chrome,
    /// Every check (credit office, auditor), not only one's own.
    everyone: bool,
    can_check: bool,
    rows: Vec<LogRow>,
    stats: Vec<StatsRow>,
    subject: String,
    older: String,
}

#[derive(Deserialize, Default)]
pub struct LogQuery {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    before: Option<i64>,
}

fn number(n: u64) -> String {
    xinyong_app::display::thousands(u128::from(n))
}

/// `GET /checks/log`: the check log (an officer's own; every check for the
/// credit office and the auditor, with the statistics per department).
pub async fn log(
    State(s): State<PagesState>,
    ctx: Ctx,
    query: Result<Query<LogQuery>, QueryRejection>,
) -> Response {
    if ctx.principal.role == Role::Public {
        return error::to_login(&ctx.path);
    }
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let everyone = Operation::ReadCreditChecks.admits(ctx.principal.role);
    let cq = CheckQuery {
        subject: Some(q.subject.trim().to_owned()).filter(|s| !s.is_empty()),
        before: q.before,
        limit: Some(LOG_PAGE),
        ..CheckQuery::default()
    };
    let checks = if everyone {
        s.app.credit_check_log(&ctx.principal, &cq).await
    } else {
        s.app.my_credit_checks(&ctx.principal, &cq).await
    };
    let checks = match checks {
        Ok(c) => c,
        Err(e) => return error::app_error(&s, Some(&ctx), e),
    };
    let stats = if everyone {
        match s.app.credit_check_stats(&ctx.principal).await {
            Ok(st) => st,
            Err(e) => return error::app_error(&s, Some(&ctx), e),
        }
    } else {
        Vec::new()
    };
    let older = match checks.last() {
        Some(last) if checks.len() as u32 == LOG_PAGE => {
            let mut link = format!("/checks/log?before={}", last.check_id);
            if let Some(sub) = &cq.subject {
                link.push_str(&format!("&subject={}", query_value(sub)));
            }
            link
        }
        _ => String::new(),
    };
    let c = s.app.catalogue();
    render(
        StatusCode::OK,
        &LogPage {
            chrome: Chrome::new(&s, Some(&ctx), "信用核查记录", "checks"),
            everyone,
            can_check: Operation::RunCreditChecks.admits(ctx.principal.role),
            rows: checks.into_iter().map(log_row).collect(),
            stats: stats
                .into_iter()
                .map(|st| StatsRow {
                    department: c.department_name(&st.department).map_or_else(
                        || st.department.clone(),
                        |n| format!("{n}（{}）", st.department),
                    ),
                    checks: number(st.checks.values().sum()),
                    by_scenario: st
                        .checks
                        .iter()
                        .map(|(sc, n)| format!("{} {}", scenario_zh(sc), number(*n)))
                        .collect::<Vec<_>>()
                        .join("；"),
                    feedback: number(st.feedback),
                    applied: st
                        .applied
                        .iter()
                        .map(|(m, n)| format!("{m} × {}", number(*n)))
                        .collect::<Vec<_>>()
                        .join("；"),
                })
                .collect(),
            subject: q.subject.chars().take(40).collect(),
            older,
        },
    )
}
