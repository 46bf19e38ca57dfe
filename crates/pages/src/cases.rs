//! The self-correction workflows' pages (PRODUCT.md C7, C8, C13, C14): an
//! enterprise files an objection against one of its records, applies for
//! its repair or reports an item a government agency owes it, and follows
//! its cases; a department works its queue (the
//! oldest deadline first, 逾期 marked) and decides with reasons; the credit
//! office sees throughput and every overdue item. Each form carries the
//! session's CSRF token; every step is the application's use case (which
//! decides who may do what, validates, stores and audits it).

use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::Value;
use xinyong_app::{
    AppError, CaseDecision, ErrorClass, ErrorCode, GovClaimForm, Operation, RecordKey, Role,
    WorkflowItem, WorkflowQuery,
};

use crate::PagesState;
use crate::csrf::{csrf_of, csrf_ok, csrf_refused};
use crate::error::{self, render, see_other};
use crate::paging::{PER_PAGE, PageQuery, Pager};
use crate::session::{Chrome, Ctx};

/// The grounds of an objection (the codes of INTERCHANGE.md §4) in words.
const GROUNDS: &[(&str, &str)] = &[
    ("error", "信息有误"),
    ("omission", "信息遗漏"),
    ("trade_secret", "涉及商业秘密"),
    ("privacy", "涉及个人隐私"),
    ("other", "其他"),
];

/// The evidence items of a repair application in words.
const EVIDENCE: &[(&str, &str)] = &[
    ("credit_commitment", "信用修复承诺书"),
    ("rectification_proof", "整改材料"),
    ("training_certificate", "信用修复培训证明"),
    ("credit_report", "信用报告"),
];

// ---------------------------------------------------------------------------
// A case as the pages show it

pub struct CaseView {
    pub id: i64,
    pub kind: String,
    /// `objection` or `repair`.
    pub kind_code: String,
    pub subject: String,
    pub record: String,
    pub record_link: String,
    pub department: String,
    pub status: String,
    pub closed: bool,
    pub overdue: bool,
    pub deadline: String,
    pub days_left: String,
    pub opened_on: String,
    pub filed_by: String,
    pub grounds: String,
    pub statement: String,
    pub decision: String,
    /// Further facts of the case (label, value): a claim's agency, category,
    /// amount and since when.
    pub facts: Vec<(&'static str, String)>,
    /// The choices of a decision form (value, words); empty: no form.
    pub choices: Vec<(&'static str, &'static str)>,
}

/// A case as the pages show it; `with_form`: the viewer works the queue,
/// `office`: the viewer is the credit office (which alone decides claims).
fn case_view(s: &PagesState, item: &WorkflowItem, with_form: bool, office: bool) -> CaseView {
    let text = |k: &str| {
        item.details
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let choices: Vec<(&'static str, &'static str)> =
        match (with_form && !item.closed, item.kind.as_str()) {
            (true, "objection") => vec![
                ("upheld", "维持原记录（异议不成立）"),
                ("withdraw_record", "异议成立：撤销该记录"),
            ],
            (true, "repair") if item.status == "accepted" || item.status == "overdue" => {
                vec![("approved", "准予信用修复"), ("denied", "不予信用修复")]
            }
            (true, "gov_claim") if office => vec![
                ("accepted", "经核实属实，纳入政府失信问题台账"),
                ("rejected", "不予纳入"),
            ],
            _ => Vec::new(),
        };
    let mut facts = Vec::new();
    if item.kind == "gov_claim" {
        facts.push(("被反映机构", text("agency")));
        facts.push(("问题类别", text("category_label")));
        if let Some(a) = item.details.get("amount_cny").and_then(Value::as_f64) {
            facts.push(("涉及金额（元）", crate::format::money(a)));
        }
        let since = text("owed_since");
        if !since.is_empty() {
            facts.push(("欠付起始日期", since));
        }
    }
    CaseView {
        id: item.id,
        kind: item.kind_label.clone(),
        kind_code: item.kind.clone(),
        subject: item.subject.clone(),
        record: format!("{} / {}", item.record.source, item.record.id),
        record_link: format!(
            "/subjects/{}/full",
            crate::format::query_value(&item.subject)
        ),
        department: s
            .app
            .catalogue()
            .department_name(&item.department)
            .map_or_else(|| item.department.clone(), str::to_owned),
        status: item.status_label.clone(),
        closed: item.closed,
        overdue: item.overdue,
        deadline: match &item.deadline {
            // Counted with the provisional calendar: the year's holiday
            // arrangement is not installed yet.
            Some(d) if item.deadline_provisional => format!("{d}（暂定，以当年节假日安排为准）"),
            Some(d) => d.clone(),
            None => String::new(),
        },
        days_left: item
            .working_days_left
            .map(|d| format!("剩余 {d} 个工作日"))
            .unwrap_or_default(),
        opened_on: item.opened_on.clone(),
        filed_by: item.filed_by.clone(),
        grounds: text("grounds_label"),
        statement: text("statement"),
        decision: item
            .decision
            .as_ref()
            .map(|d| format!("{}，{}：{}", d.on, d.by, d.reasons))
            .unwrap_or_default(),
        facts,
        choices,
    }
}

// ---------------------------------------------------------------------------
// Enterprise: file an objection, apply for a repair

#[derive(Deserialize)]
pub struct RecordQuery {
    source: Option<String>,
    id: Option<String>,
}

#[derive(Deserialize)]
pub struct ObjectionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    grounds: String,
    #[serde(default)]
    statement: String,
    #[serde(default)]
    evidence: String,
}

#[derive(Template)]
#[template(path = "objection_form.html")]
struct ObjectionPage {
    chrome: Chrome,
    source: String,
    id: String,
    grounds: Vec<(&'static str, &'static str, bool)>,
    statement: String,
    evidence: String,
    error: String,
    error_field: String,
}

fn objection_page(
    s: &PagesState,
    ctx: &Ctx,
    status: StatusCode,
    f: &ObjectionForm,
    e: Option<&AppError>,
) -> Response {
    render(
        status,
        &ObjectionPage {
            chrome: Chrome::new(s, Some(ctx), "提出异议", "my"),
            source: f.source.chars().take(64).collect(),
            id: f.id.chars().take(128).collect(),
            grounds: GROUNDS
                .iter()
                .map(|(v, l)| (*v, *l, *v == f.grounds))
                .collect(),
            statement: f.statement.chars().take(2000).collect(),
            evidence: f.evidence.chars().take(2000).collect(),
            error: e.map(|e| e.detail.clone()).unwrap_or_default(),
            error_field: e.and_then(|e| e.field.clone()).unwrap_or_default(),
        },
    )
}

/// Only an account bound to a subject files from its space.
fn needs_space(s: &PagesState, ctx: &Ctx) -> Option<Response> {
    if ctx.principal.role == Role::Public {
        return Some(error::to_login(&ctx.path));
    }
    if ctx.principal.role != Role::Enterprise || ctx.principal.uscc.is_none() {
        return Some(error::forbidden(
            s,
            Some(ctx),
            "此页面供企业账户在企业空间中使用。",
        ));
    }
    None
}

/// The form an enterprise posts from its space, once the account is bound
/// to a subject and the form carries the session's CSRF token.
fn space_form<T>(
    s: &PagesState,
    ctx: &Ctx,
    form: Result<Form<T>, FormRejection>,
    token: impl Fn(&T) -> &str,
) -> Result<T, Box<Response>> {
    if let Some(r) = needs_space(s, ctx) {
        return Err(Box::new(r));
    }
    match form {
        Ok(Form(f)) if csrf_ok(s, ctx, token(&f)) => Ok(f),
        _ => Err(Box::new(csrf_refused(s, ctx))),
    }
}

/// The status of a form shown again with the caller's mistake.
fn form_status(e: &AppError) -> StatusCode {
    match e.code {
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Conflict => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// `GET /my/objections/new?source=&id=`.
pub async fn objection_form(
    State(s): State<PagesState>,
    ctx: Ctx,
    q: Result<Query<RecordQuery>, QueryRejection>,
) -> Response {
    if let Some(r) = needs_space(&s, &ctx) {
        return r;
    }
    let q = q.ok().map(|Query(q)| q);
    let f = ObjectionForm {
        csrf: String::new(),
        source: q
            .as_ref()
            .and_then(|q| q.source.clone())
            .unwrap_or_default(),
        id: q.and_then(|q| q.id).unwrap_or_default(),
        grounds: "error".to_owned(),
        statement: String::new(),
        evidence: String::new(),
    };
    objection_page(&s, &ctx, StatusCode::OK, &f, None)
}

/// The evidence file names of a form: one a line, blank lines ignored.
fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[derive(Template)]
#[template(path = "done.html")]
struct DonePage {
    chrome: Chrome,
    heading: String,
    message: String,
}

/// The page after an enterprise's step, with the ways on.
fn done(s: &PagesState, ctx: &Ctx, status: StatusCode, heading: &str, text: &str) -> Response {
    render(
        status,
        &DonePage {
            chrome: Chrome::new(s, Some(ctx), heading, "my"),
            heading: heading.to_owned(),
            message: text.to_owned(),
        },
    )
}

/// `POST /my/objections` (csrf).
pub async fn file_objection(
    State(s): State<PagesState>,
    ctx: Ctx,
    form: Result<Form<ObjectionForm>, FormRejection>,
) -> Response {
    let f = match space_form(&s, &ctx, form, |f| &f.csrf) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let key = RecordKey {
        source: f.source.trim().to_owned(),
        id: f.id.trim().to_owned(),
    };
    match s
        .app
        .file_objection(
            &ctx.principal,
            &key,
            &f.grounds,
            &f.statement,
            &lines(&f.evidence),
        )
        .await
    {
        Ok(filed) => done(
            &s,
            &ctx,
            StatusCode::CREATED,
            "异议已提交",
            &format!(
                "异议（案件编号 {}）已提交，记录 {} 已标注“异议处理中”。提供记录的部门应于 {} 前作出处理决定。办理进度可在“我的异议和修复申请”中查看。",
                filed.objection_id, key.id, filed.decide_by
            ),
        ),
        Err(e) if e.class() == ErrorClass::Caller && e.code != ErrorCode::Forbidden => {
            objection_page(&s, &ctx, form_status(&e), &f, Some(&e))
        }
        Err(e) => error::app_error(&s, Some(&ctx), e),
    }
}

// ---------------------------------------------------------------------------
// Enterprise: report an item a government agency owes it (政务诚信)

#[derive(Deserialize)]
pub struct AgencyQuery {
    agency: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ClaimForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    amount_cny: String,
    #[serde(default)]
    owed_since: String,
    #[serde(default)]
    statement: String,
    #[serde(default)]
    evidence: String,
}

#[derive(Template)]
#[template(path = "gov_claim_form.html")]
struct ClaimPage {
    chrome: Chrome,
    agency: String,
    categories: Vec<(&'static str, &'static str, bool)>,
    amount: String,
    owed_since: String,
    statement: String,
    evidence: String,
    error: String,
    error_field: String,
}

fn claim_page(
    s: &PagesState,
    ctx: &Ctx,
    status: StatusCode,
    f: &ClaimForm,
    e: Option<&AppError>,
) -> Response {
    let clip = |t: &str, n: usize| t.chars().take(n).collect::<String>();
    render(
        status,
        &ClaimPage {
            chrome: Chrome::new(s, Some(ctx), "反映政府失信问题", "my"),
            agency: clip(&f.agency, 64),
            categories: s
                .app
                .catalogue()
                .choices("gov_ledger", "category")
                .into_iter()
                .map(|(v, l)| (v, l, v == f.category))
                .collect(),
            amount: clip(&f.amount_cny, 32),
            owed_since: clip(&f.owed_since, 10),
            statement: clip(&f.statement, 2000),
            evidence: clip(&f.evidence, 2000),
            error: e.map(|e| e.detail.clone()).unwrap_or_default(),
            error_field: e.and_then(|e| e.field.clone()).unwrap_or_default(),
        },
    )
}

/// `GET /my/gov-claims/new?agency=`.
pub async fn gov_claim_form(
    State(s): State<PagesState>,
    ctx: Ctx,
    q: Result<Query<AgencyQuery>, QueryRejection>,
) -> Response {
    if let Some(r) = needs_space(&s, &ctx) {
        return r;
    }
    let f = ClaimForm {
        agency: q.ok().and_then(|Query(q)| q.agency).unwrap_or_default(),
        category: "arrears".to_owned(),
        ..ClaimForm::default()
    };
    claim_page(&s, &ctx, StatusCode::OK, &f, None)
}

/// `POST /my/gov-claims` (csrf).
pub async fn file_gov_claim(
    State(s): State<PagesState>,
    ctx: Ctx,
    form: Result<Form<ClaimForm>, FormRejection>,
) -> Response {
    let f = match space_form(&s, &ctx, form, |f| &f.csrf) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let claim = GovClaimForm {
        agency: f.agency.clone(),
        category: f.category.clone(),
        amount_cny: Some(f.amount_cny.clone()),
        owed_since: Some(f.owed_since.clone()),
        statement: f.statement.clone(),
        evidence: lines(&f.evidence),
        claimant: None,
    };
    match s.app.file_gov_claim(&ctx.principal, &claim).await {
        Ok(filed) => done(
            &s,
            &ctx,
            StatusCode::CREATED,
            "问题已反映",
            &format!(
                "所反映的问题（案件编号 {}）已提交信用办，信用办应于 {} 前核实并告知结果；属实的将纳入政府失信问题台账（台账编号 {}）。办理进度可在“我的异议、修复申请和问题反映”中查看。",
                filed.claim_id, filed.decide_by, filed.item.id
            ),
        ),
        Err(e) if e.class() == ErrorClass::Caller && e.code != ErrorCode::Forbidden => {
            claim_page(&s, &ctx, form_status(&e), &f, Some(&e))
        }
        Err(e) => error::app_error(&s, Some(&ctx), e),
    }
}

#[derive(Deserialize)]
pub struct RepairForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    id: String,
    /// The checked evidence items (repeated field).
    #[serde(default)]
    evidence: Vec<String>,
}

#[derive(Template)]
#[template(path = "repair_form.html")]
struct RepairPage {
    chrome: Chrome,
    source: String,
    id: String,
    evidence: Vec<(&'static str, &'static str, bool)>,
    error: String,
}

fn repair_page(
    s: &PagesState,
    ctx: &Ctx,
    status: StatusCode,
    f: &RepairForm,
    error: String,
) -> Response {
    render(
        status,
        &RepairPage {
            chrome: Chrome::new(s, Some(ctx), "申请信用修复", "my"),
            source: f.source.chars().take(64).collect(),
            id: f.id.chars().take(128).collect(),
            evidence: EVIDENCE
                .iter()
                .map(|(v, l)| (*v, *l, f.evidence.iter().any(|e| e == v)))
                .collect(),
            error,
        },
    )
}

/// `GET /my/repairs/new?source=&id=`.
pub async fn repair_form(
    State(s): State<PagesState>,
    ctx: Ctx,
    q: Result<Query<RecordQuery>, QueryRejection>,
) -> Response {
    if let Some(r) = needs_space(&s, &ctx) {
        return r;
    }
    let q = q.ok().map(|Query(q)| q);
    let f = RepairForm {
        csrf: String::new(),
        source: q
            .as_ref()
            .and_then(|q| q.source.clone())
            .unwrap_or_default(),
        id: q.and_then(|q| q.id).unwrap_or_default(),
        evidence: Vec::new(),
    };
    repair_page(&s, &ctx, StatusCode::OK, &f, String::new())
}

/// `POST /my/repairs` (csrf). The evidence items arrive as repeated
/// `evidence` fields, which a plain form decoder cannot gather: the body is
/// read as pairs.
pub async fn apply_repair(
    State(s): State<PagesState>,
    ctx: Ctx,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    if let Some(r) = needs_space(&s, &ctx) {
        return r;
    }
    let Ok(Form(pairs)) = form else {
        return csrf_refused(&s, &ctx);
    };
    let mut f = RepairForm {
        csrf: String::new(),
        source: String::new(),
        id: String::new(),
        evidence: Vec::new(),
    };
    for (k, v) in pairs {
        match k.as_str() {
            "csrf" => f.csrf = v,
            "source" => f.source = v,
            "id" => f.id = v,
            "evidence" if f.evidence.len() < 16 => f.evidence.push(v),
            _ => {}
        }
    }
    if !csrf_ok(&s, &ctx, &f.csrf) {
        return csrf_refused(&s, &ctx);
    }
    let key = RecordKey {
        source: f.source.trim().to_owned(),
        id: f.id.trim().to_owned(),
    };
    match s.app.apply_repair(&ctx.principal, &key, &f.evidence).await {
        Ok(filed) => {
            let text = match (filed.status.as_str(), &filed.decide_by) {
                ("approved", _) => format!(
                    "信用修复申请（案件编号 {}）已办结：记录 {} 已修复，不再公示，也不再计入信用评价。",
                    filed.repair_id, key.id
                ),
                (_, Some(d)) => format!(
                    "信用修复申请（案件编号 {}）已受理，决定机关应于 {d} 前作出决定。办理进度可在“我的异议和修复申请”中查看。",
                    filed.repair_id
                ),
                _ => format!(
                    "信用修复申请（案件编号 {}）已提交。办理进度可在“我的异议和修复申请”中查看。",
                    filed.repair_id
                ),
            };
            done(&s, &ctx, StatusCode::CREATED, "信用修复申请已提交", &text)
        }
        Err(e) if e.code == ErrorCode::NotYetRepairable => repair_page(
            &s,
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            &f,
            format!(
                "该记录尚未到可申请信用修复的时间，自 {} 起方可申请。本次申请已记录为不予受理。",
                e.detail
            ),
        ),
        Err(e) if e.class() == ErrorClass::Caller && e.code != ErrorCode::Forbidden => {
            repair_page(&s, &ctx, form_status(&e), &f, e.detail)
        }
        Err(e) => error::app_error(&s, Some(&ctx), e),
    }
}

// ---------------------------------------------------------------------------
// Lists of cases

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage {
    chrome: Chrome,
    heading: String,
    intro: String,
    /// Show the subject column (not on an enterprise's own list).
    show_subject: bool,
    cases: Vec<CaseView>,
    /// Decision forms are shown (a deciding role's queue).
    deciding: bool,
    csrf: String,
    notice: String,
    pager: Pager,
}

/// Page `page` of the objections and repairs `by` may follow (the oldest
/// deadline first), with its pager at `base`.
async fn case_page(
    s: &PagesState,
    ctx: &Ctx,
    open_only: bool,
    page: Option<u32>,
    base: &str,
    deciding: bool,
) -> Result<(Vec<CaseView>, Pager), Response> {
    let found = s
        .app
        .workflow_page(
            &ctx.principal,
            &WorkflowQuery {
                open: Some(open_only),
                without_commitments: Some(true),
                limit: Some(PER_PAGE),
                offset: Some(Pager::offset(page)),
                ..WorkflowQuery::default()
            },
        )
        .await
        .map_err(|e| error::app_error(s, Some(ctx), e))?;
    let cases = found
        .items
        .iter()
        .map(|i| case_view(s, i, deciding, ctx.principal.role == Role::Admin))
        .collect();
    Ok((cases, Pager::new(base, page, found.total)))
}

/// `GET /my/cases`: an enterprise's objections and repair applications.
pub async fn my_cases(
    State(s): State<PagesState>,
    ctx: Ctx,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Response {
    if let Some(r) = needs_space(&s, &ctx) {
        return r;
    }
    let page = q.ok().and_then(|Query(q)| q.page);
    let (cases, pager) = match case_page(&s, &ctx, false, page, "/my/cases", false).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    render(
        StatusCode::OK,
        &CasesPage {
            chrome: Chrome::new(&s, Some(&ctx), "我的异议、修复申请和问题反映", "my"),
            heading: "我的异议、修复申请和问题反映".to_owned(),
            intro: "本企业提出的异议、信用修复申请和向信用办反映的政府失信问题：状态、处理期限、决定及理由。".to_owned(),
            show_subject: false,
            cases,
            deciding: false,
            csrf: String::new(),
            notice: String::new(),
            pager,
        },
    )
}

#[derive(Deserialize)]
pub struct QueueQuery {
    done: Option<i64>,
    page: Option<u32>,
}

/// `GET /queue`: a department's (the credit office's: every) open
/// objections and repairs, the oldest deadline first, with decision forms.
pub async fn queue(
    State(s): State<PagesState>,
    ctx: Ctx,
    q: Result<Query<QueueQuery>, QueryRejection>,
) -> Response {
    if ctx.principal.role == Role::Public {
        return error::to_login(&ctx.path);
    }
    // An enterprise follows its own cases in its space.
    if ctx.principal.role == Role::Enterprise {
        return see_other("/my/cases");
    }
    let q = q.map(|Query(q)| q).ok();
    let deciding = Operation::DecideWorkflows.admits(ctx.principal.role);
    let page = q.as_ref().and_then(|q| q.page);
    let (cases, pager) = match case_page(&s, &ctx, true, page, "/queue", deciding).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let notice = match q.and_then(|q| q.done) {
        Some(id) => format!("案件 {id} 的处理决定已保存。"),
        None => String::new(),
    };
    render(
        StatusCode::OK,
        &CasesPage {
            chrome: Chrome::new(&s, Some(&ctx), "待办案件", "queue"),
            heading: "待办案件".to_owned(),
            intro: "尚未办结的异议、信用修复申请和企业反映的政府失信问题，处理期限最早的在前；超过期限的标注“逾期”。异议应在 20 个工作日内、信用修复应在受理后 15 个工作日内作出决定，企业反映的政府失信问题由信用办在 20 个工作日内核实。".to_owned(),
            show_subject: true,
            cases,
            deciding,
            csrf: csrf_of(&s, &ctx),
            notice,
            pager,
        },
    )
}

#[derive(Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reasons: String,
}

/// `POST /queue/{id}` (csrf): decide one case with reasons.
pub async fn decide(
    State(s): State<PagesState>,
    ctx: Ctx,
    path: Result<Path<i64>, PathRejection>,
    form: Result<Form<DecideForm>, FormRejection>,
) -> Response {
    let Ok(Path(id)) = path else {
        return error::not_found(&s, Some(&ctx));
    };
    if ctx.principal.role == Role::Public {
        return error::to_login("/queue");
    }
    let Ok(Form(f)) = form else {
        return csrf_refused(&s, &ctx);
    };
    if !csrf_ok(&s, &ctx, &f.csrf) {
        return csrf_refused(&s, &ctx);
    }
    let d = CaseDecision {
        decision: if f.decision == "withdraw_record" {
            "corrected".to_owned()
        } else {
            f.decision.clone()
        },
        reasons: f.reasons.clone(),
        withdraw_record: f.decision == "withdraw_record",
        changes: Default::default(),
    };
    let result = match f.kind.as_str() {
        "objection" => s.app.decide_objection(&ctx.principal, id, &d).await,
        "repair" => s.app.decide_repair(&ctx.principal, id, &d).await,
        "gov_claim" => s.app.decide_gov_claim(&ctx.principal, id, &d).await,
        _ => Err(AppError::invalid(
            "kind",
            "案件类别须为异议、信用修复或政府失信问题反映",
        )),
    };
    match result {
        Ok(_) => see_other(&format!("/queue?done={id}")),
        Err(e) if e.code == ErrorCode::Conflict => error::message(
            Some(&s),
            Some(&ctx),
            StatusCode::CONFLICT,
            "案件已被处理",
            &format!("{} 请返回待办案件列表刷新后查看。", e.detail),
        ),
        Err(e) => error::app_error(&s, Some(&ctx), e),
    }
}

// ---------------------------------------------------------------------------
// The credit office's overview

/// A case status code (of the summary's counts) of a kind in words.
fn status_zh(kind: &str, code: &str) -> Option<&'static str> {
    Some(match (kind, code) {
        ("gov_claim", "open") => "待核实",
        ("gov_claim", "accepted") => "已纳入台账",
        ("gov_claim", "rejected") => "不予纳入",
        (_, code) => return status_code_zh(code),
    })
}

/// A case status code of the objections, repairs and commitments in words.
fn status_code_zh(code: &str) -> Option<&'static str> {
    Some(match code {
        "open" => "处理中",
        "overdue" => "逾期未决定",
        "corrected" => "已更正",
        "upheld" => "维持原记录",
        "withdrawn" => "已撤回",
        "accepted" => "已受理",
        "approved" => "已修复",
        "denied" => "不予修复",
        "rejected" => "不予受理",
        "active" => "履约中",
        "awaiting_event" => "待触发",
        "awaiting_check" => "待核查",
        "fulfilled" => "已履约",
        "breached" => "已违约",
        _ => return None,
    })
}

pub struct StatusCount {
    pub kind: String,
    pub status: String,
    pub count: u64,
}

pub struct DepartmentCount {
    pub department: String,
    pub count: u64,
}

#[derive(Template)]
#[template(path = "workflow_summary.html")]
struct SummaryPage {
    chrome: Chrome,
    counts: Vec<StatusCount>,
    departments: Vec<DepartmentCount>,
    overdue: Vec<CaseView>,
}

/// `GET /admin/workflows`: throughput by kind and status, overdue items by
/// department, every overdue item.
pub async fn summary(State(s): State<PagesState>, ctx: Ctx) -> Response {
    if ctx.principal.role == Role::Public {
        return error::to_login(&ctx.path);
    }
    let sum = match s.app.workflow_summary(&ctx.principal).await {
        Ok(x) => x,
        Err(e) => return error::app_error(&s, Some(&ctx), e),
    };
    let kind_zh = |k: &str| match k {
        "objection" => "异议",
        "repair" => "信用修复",
        "commitment" => "信用承诺",
        "gov_claim" => "政务失信问题反映",
        _ => "其他",
    };
    let c = s.app.catalogue();
    render(
        StatusCode::OK,
        &SummaryPage {
            chrome: Chrome::new(&s, Some(&ctx), "办理情况", "admin"),
            counts: sum
                .by_status
                .iter()
                .flat_map(|(k, m)| {
                    m.iter().map(move |(st, n)| StatusCount {
                        kind: kind_zh(k).to_owned(),
                        status: status_zh(k, st).map_or_else(|| st.clone(), str::to_owned),
                        count: *n,
                    })
                })
                .collect(),
            departments: sum
                .overdue_by_department
                .iter()
                .map(|(d, n)| DepartmentCount {
                    department: c
                        .department_name(d)
                        .map_or_else(|| d.clone(), str::to_owned),
                    count: *n,
                })
                .collect(),
            overdue: sum
                .overdue
                .iter()
                .map(|i| case_view(&s, i, false, false))
                .collect(),
        },
    )
}
