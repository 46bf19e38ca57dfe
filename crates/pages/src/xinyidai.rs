//! 信易贷 pages (PRODUCT.md C12): the enterprise's financing applications,
//! the loan outcomes banks reported about it, its bank authorisations and
//! the banks' queries of it (`/my/financing`); a bank's recommendation list
//! of the month, the form to report a loan outcome and its own figures
//! (`/bank`); the figures per bank and month and the issuing of the
//! month's lists for the credit office (`/admin/xinyidai`).
//!
//! Every handler calls one use case of `xinyong-app`, which decides who may
//! do what and audits; a caller's mistake in a form is shown on the form
//! (422) with the field marked, any other error as its page. Every form
//! carries the session's CSRF token.

use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use xinyong_app::{
    AppError, ErrorClass, ErrorCode, FinancingApplication, LoanReport, Operation, Role,
    XinyidaiFigures, XinyidaiStatistics, local_time,
};

use crate::PagesState;
use crate::csrf::csrf_of;
use crate::error::{self, render, see_other};
use crate::format::{self, query_value};
use crate::lists::accepted;
use crate::paging::{PER_PAGE, Pager};
use crate::session::{Chrome, Ctx};

/// The longest text a form field is shown back with.
const ECHO_CHARS: usize = 500;

/// A caller's mistake in a form: the field it is about (the application's
/// name of it) and what is wrong, in Chinese.
#[derive(Default)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    fn about(&self, field: &str) -> bool {
        self.field == field
    }

    fn shown(&self) -> bool {
        !self.message.is_empty()
    }
}

/// The label of a form field the application names in its errors.
fn label(field: &str) -> &'static str {
    match field {
        "amount_cny" => "金额（元）",
        "purpose" => "融资用途",
        "bank" => "银行代码",
        "valid_until" => "授权截止日期",
        "uscc" => "统一社会信用代码",
        "outcome" => "贷款结果",
        "rate_percent" => "年利率（%）",
        "reason" => "原因或说明",
        "decided_on" => "决定日期",
        "month" => "月份",
        "from" => "起始月份",
        "to" => "截止月份",
        _ => "",
    }
}

/// The error shown on a form for a caller's mistake in its fields; `None`
/// for any other error (its own page).
fn field_error(e: &AppError) -> Option<FieldError> {
    let on_form = e.class() == ErrorClass::Caller
        && matches!(
            e.code,
            ErrorCode::InvalidRequest | ErrorCode::InvalidQuery | ErrorCode::UnusableInput
        );
    if !on_form {
        return None;
    }
    let field = e.field.clone().unwrap_or_default();
    let detail = if e.detail.is_empty() {
        e.code.message_zh().to_owned()
    } else {
        e.detail.clone()
    };
    let message = match label(&field) {
        "" => detail,
        l => format!("{l}：{detail}"),
    };
    Some(FieldError { field, message })
}

/// A text cut for showing back in a form.
fn echo(text: &str) -> String {
    text.chars().take(ECHO_CHARS).collect()
}

/// An amount or rate typed in a form: empty is `None`; thousands
/// separators and spaces are ignored; anything else that is no number is
/// refused naming `field`.
fn number(field: &str, text: &str) -> Result<Option<f64>, AppError> {
    let t: String = text
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | ' ' | '\u{3000}'))
        .collect();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<f64>() {
        Ok(n) if n.is_finite() => Ok(Some(n)),
        _ => Err(AppError::invalid(
            field,
            format!("须为数字：{}", text.chars().take(40).collect::<String>()),
        )),
    }
}

/// A rate in percent as the pages print it.
fn percent(n: f64) -> String {
    format!("{}%", format::number(n))
}

fn outcome_zh(outcome: &str) -> &'static str {
    match outcome {
        "granted" => "已放款",
        "refused" => "拒贷",
        _ => "其他",
    }
}

/// Items `page` of a list held in memory, with its pager.
fn page_of<T>(items: Vec<T>, base: &str, page: Option<u32>) -> (Vec<T>, Pager) {
    let pager = Pager::new(base, page, items.len() as u64);
    let skip = (pager.page.min(pager.pages) - 1) as usize * PER_PAGE as usize;
    let rows = items
        .into_iter()
        .skip(skip)
        .take(PER_PAGE as usize)
        .collect();
    (rows, pager)
}

/// `?done=…&page=…` of the pages.
#[derive(Deserialize, Default)]
pub struct PageState {
    #[serde(default)]
    done: String,
    #[serde(default)]
    page: Option<u32>,
    /// The bank page: the enterprise the loan form is filled in for.
    #[serde(default)]
    uscc: String,
    /// The bank page: the month of the list.
    #[serde(default)]
    month: String,
}

fn page_state(q: Result<Query<PageState>, QueryRejection>) -> PageState {
    q.map(|Query(q)| q).unwrap_or_default()
}

// ---------------------------------------------------------------------------
// The enterprise: /my/financing

pub struct ApplicationRow {
    pub date: String,
    pub id: String,
    pub amount: String,
    pub purpose: String,
}

pub struct LoanRow {
    pub bank: String,
    pub outcome: &'static str,
    pub amount: String,
    pub rate: String,
    pub reason: String,
    pub decided_on: String,
}

pub struct GrantRow {
    pub id: i64,
    pub bank: String,
    pub granted_on: String,
    pub valid_until: String,
    pub status: String,
    pub in_force: bool,
}

pub struct QueryRow {
    pub bank: String,
    pub account: String,
    pub at: String,
    pub what: String,
    pub purpose: String,
}

/// What the enterprise's two forms show back after a mistake.
#[derive(Default)]
pub struct EnterpriseForms {
    amount: String,
    purpose: String,
    apply_error: FieldError,
    bank: String,
    valid_until: String,
    grant_error: FieldError,
}

#[derive(Template)]
#[template(path = "xinyidai_enterprise.html")]
struct EnterprisePage {
    chrome: Chrome,
    csrf: String,
    notice: &'static str,
    uscc: String,
    applications: Vec<ApplicationRow>,
    loans: Vec<LoanRow>,
    grants: Vec<GrantRow>,
    queries: Vec<QueryRow>,
    pager: Pager,
    forms: EnterpriseForms,
}

fn enterprise_notice(done: &str) -> &'static str {
    match done {
        "applied" => {
            "融资申请已提交。平台已据此更新本企业的信易贷评价，符合条件的将列入所授权银行的下月推荐名单。"
        }
        "authorised" => "已授权该银行查询本企业的信用信息。",
        "revoked" => "授权已撤销，该银行此后的查询将被拒绝。",
        _ => "",
    }
}

async fn enterprise_page(
    s: &PagesState,
    ctx: &Ctx,
    status: StatusCode,
    state: &PageState,
    forms: EnterpriseForms,
) -> Response {
    if ctx.principal.role == Role::Public {
        return error::to_login(&ctx.path);
    }
    let by = &ctx.principal;
    let file = match s.app.financing_file(by).await {
        Ok(f) => f,
        Err(e) => return error::app_error(s, Some(ctx), e),
    };
    let grants = match s.app.bank_authorisations(by).await {
        Ok(g) => g,
        Err(e) => return error::app_error(s, Some(ctx), e),
    };
    let mut queries = match s.app.bank_queries(by).await {
        Ok(q) => q,
        Err(e) => return error::app_error(s, Some(ctx), e),
    };
    queries.reverse();
    let (queries, pager) = page_of(queries, "/my/financing", state.page);
    render(
        status,
        &EnterprisePage {
            chrome: Chrome::new(s, Some(ctx), "信易贷融资", "xinyidai"),
            csrf: csrf_of(s, ctx),
            notice: enterprise_notice(&state.done),
            uscc: file.uscc,
            applications: file
                .applications
                .into_iter()
                .map(|a| ApplicationRow {
                    date: a.date,
                    id: a.id,
                    amount: a.amount_cny.map(format::money).unwrap_or_default(),
                    purpose: a.purpose.unwrap_or_default(),
                })
                .collect(),
            loans: file
                .loans
                .into_iter()
                .map(|l| LoanRow {
                    bank: l.bank,
                    outcome: outcome_zh(&l.outcome),
                    amount: l.amount_cny.map(format::money).unwrap_or_default(),
                    rate: l.rate_percent.map(percent).unwrap_or_default(),
                    reason: l.reason.unwrap_or_default(),
                    decided_on: l.decided_on,
                })
                .collect(),
            grants: grants
                .into_iter()
                .map(|g| GrantRow {
                    status: match (&g.revoked_at, g.in_force) {
                        (Some(at), _) => format!("已于 {} 撤销", local_time(at)),
                        (None, true) => "有效".to_owned(),
                        (None, false) => "已到期".to_owned(),
                    },
                    id: g.id,
                    bank: g.bank,
                    granted_on: local_time(&g.granted_at),
                    valid_until: g.valid_until,
                    in_force: g.in_force,
                })
                .collect(),
            queries: queries
                .into_iter()
                .map(|q| QueryRow {
                    bank: q.bank,
                    account: q.account,
                    at: local_time(&q.at),
                    what: q.what,
                    purpose: q.purpose.unwrap_or_default(),
                })
                .collect(),
            pager,
            forms,
        },
    )
}

/// `GET /my/financing`: the enterprise's 信易贷 file and forms.
pub async fn enterprise(
    State(s): State<PagesState>,
    ctx: Ctx,
    q: Result<Query<PageState>, QueryRejection>,
) -> Response {
    enterprise_page(
        &s,
        &ctx,
        StatusCode::OK,
        &page_state(q),
        EnterpriseForms::default(),
    )
    .await
}

/// The answer to one of the enterprise's forms: back to its page saying
/// `done`; the page again (422) with the form's mistake shown on it; or
/// the error's page.
async fn enterprise_answer<T>(
    s: &PagesState,
    ctx: &Ctx,
    result: Result<T, AppError>,
    done: &str,
    forms: impl FnOnce(FieldError) -> EnterpriseForms,
) -> Response {
    let e = match result {
        Ok(_) => return see_other(&format!("/my/financing?done={done}")),
        Err(e) => e,
    };
    match field_error(&e) {
        Some(fe) => {
            enterprise_page(
                s,
                ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                &PageState::default(),
                forms(fe),
            )
            .await
        }
        None => error::app_error(s, Some(ctx), e),
    }
}

#[derive(Deserialize)]
pub struct ApplyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    amount_cny: String,
    #[serde(default)]
    purpose: String,
}

/// `POST /my/financing/applications`: apply for financing.
pub async fn apply(
    State(s): State<PagesState>,
    ctx: Ctx,
    form: Result<Form<ApplyForm>, FormRejection>,
) -> Response {
    let f = match accepted(&s, &ctx, form, "/my/financing", |f| &f.csrf) {
        Ok(f) => f,
        Err(answer) => return *answer,
    };
    let amount = number("amount_cny", &f.amount_cny)
        .and_then(|a| a.ok_or_else(|| AppError::invalid("amount_cny", "请填写申请融资的金额")));
    let result = match amount {
        Ok(amount_cny) => {
            s.app
                .apply_financing(
                    &ctx.principal,
                    &FinancingApplication {
                        amount_cny,
                        purpose: f.purpose.clone(),
                    },
                )
                .await
        }
        Err(e) => Err(e),
    };
    enterprise_answer(&s, &ctx, result, "applied", |apply_error| EnterpriseForms {
        amount: echo(&f.amount_cny),
        purpose: echo(&f.purpose),
        apply_error,
        ..EnterpriseForms::default()
    })
    .await
}

#[derive(Deserialize)]
pub struct AuthoriseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    bank: String,
    #[serde(default)]
    valid_until: String,
}

/// `POST /my/financing/authorisations`: authorise a bank to query the
/// enterprise until a day.
pub async fn authorise(
    State(s): State<PagesState>,
    ctx: Ctx,
    form: Result<Form<AuthoriseForm>, FormRejection>,
) -> Response {
    let f = match accepted(&s, &ctx, form, "/my/financing", |f| &f.csrf) {
        Ok(f) => f,
        Err(answer) => return *answer,
    };
    // The day as the application's date type (inferred from
    // `authorise_bank`), read the way the HTTP API reads it.
    let until = serde_json::from_value(serde_json::Value::from(f.valid_until.trim()))
        .map_err(|_| AppError::invalid("valid_until", "请填写 YYYY-MM-DD 格式的日期（最长一年）"));
    let result = match until {
        Ok(day) => s.app.authorise_bank(&ctx.principal, &f.bank, day).await,
        Err(e) => Err(e),
    };
    enterprise_answer(&s, &ctx, result, "authorised", |grant_error| {
        EnterpriseForms {
            bank: echo(&f.bank),
            valid_until: echo(&f.valid_until),
            grant_error,
            ..EnterpriseForms::default()
        }
    })
    .await
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /my/financing/authorisations/{id}/revoke`.
pub async fn revoke(
    State(s): State<PagesState>,
    ctx: Ctx,
    id: Result<Path<i64>, PathRejection>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let Ok(Path(id)) = id else {
        return error::not_found(&s, Some(&ctx));
    };
    if let Err(answer) = accepted(&s, &ctx, form, "/my/financing", |f| &f.csrf) {
        return *answer;
    }
    match s.app.revoke_bank_authorisation(&ctx.principal, id).await {
        Ok(()) => see_other("/my/financing?done=revoked"),
        Err(e) => error::app_error(&s, Some(&ctx), e),
    }
}

// ---------------------------------------------------------------------------
// The figures (bank, credit office)

pub struct FigureRow {
    pub bank: String,
    pub month: String,
    pub recommended: String,
    pub granted: String,
    pub amount: String,
    pub refused: String,
    pub conversion: String,
}

fn count(n: i64) -> String {
    let text = xinyong_app::display::thousands(u128::from(n.unsigned_abs()));
    if n < 0 { format!("-{text}") } else { text }
}

fn figure_row(f: XinyidaiFigures) -> FigureRow {
    FigureRow {
        recommended: count(f.recommended),
        granted: count(f.granted),
        amount: format::money(f.granted_amount_cny),
        refused: count(f.refused),
        conversion: f
            .conversion
            .map(|c| percent(c * 100.0))
            .unwrap_or_else(|| "—".to_owned()),
        bank: f.bank,
        month: f.month,
    }
}

/// The figures of a period as the table prints them.
pub struct Figures {
    pub from: String,
    pub to: String,
    pub rows: Vec<FigureRow>,
    pub total: FigureRow,
}

fn figures(st: XinyidaiStatistics) -> Figures {
    Figures {
        from: st.from,
        to: st.to,
        rows: st.months.into_iter().map(figure_row).collect(),
        total: figure_row(st.total),
    }
}

// ---------------------------------------------------------------------------
// The bank: /bank

pub struct RecommendationRow {
    pub bank: String,
    pub uscc: String,
    pub name: String,
    pub listed_on: String,
    pub grade: String,
    pub tax_grade: String,
    pub conditions: Vec<String>,
    /// The enterprise's full profile: the bank's query of it (refused
    /// once the enterprise's authorisation is no longer in force).
    pub profile_link: String,
    pub report_link: String,
}

/// The loan form, as posted and as shown back after a mistake.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoanForm {
    csrf: String,
    uscc: String,
    outcome: String,
    amount_cny: String,
    rate_percent: String,
    reason: String,
    decided_on: String,
}

#[derive(Template)]
#[template(path = "xinyidai_bank.html")]
struct BankPage {
    chrome: Chrome,
    csrf: String,
    notice: &'static str,
    month: String,
    rows: Vec<RecommendationRow>,
    pager: Pager,
    reports: bool,
    form: LoanForm,
    error: FieldError,
    figures: Figures,
}

async fn bank_page(
    s: &PagesState,
    ctx: &Ctx,
    status: StatusCode,
    state: &PageState,
    form: LoanForm,
    error: FieldError,
) -> Response {
    if ctx.principal.role == Role::Public {
        return error::to_login(&ctx.path);
    }
    let by = &ctx.principal;
    let month = Some(state.month.trim()).filter(|m| !m.is_empty());
    let list = match s.app.recommendations(by, month, None).await {
        Ok(l) => l,
        Err(e) => return error::app_error(s, Some(ctx), e),
    };
    let stats = match s.app.xinyidai_statistics(by, None, None).await {
        Ok(st) => st,
        Err(e) => return error::app_error(s, Some(ctx), e),
    };
    let month = list
        .first()
        .map(|r| r.month.clone())
        .or_else(|| month.map(str::to_owned))
        .unwrap_or_else(|| stats.to.clone());
    let base = format!("/bank?month={}", query_value(&month));
    let (list, pager) = page_of(list, &base, state.page);
    let rows = list
        .into_iter()
        .map(|r| RecommendationRow {
            profile_link: format!("/subjects/{}/full", query_value(&r.uscc)),
            report_link: format!("/bank?uscc={}#loan-h", query_value(&r.uscc)),
            bank: r.bank,
            uscc: r.uscc,
            name: r.name,
            listed_on: r.listed_on,
            grade: r.grade.unwrap_or_else(|| "—".to_owned()),
            tax_grade: r.tax_grade.unwrap_or_else(|| "—".to_owned()),
            conditions: r
                .conditions
                .into_iter()
                .map(|c| format!("{} {}", c.id, c.text))
                .collect(),
        })
        .collect();
    let form = if form.uscc.is_empty() && form.outcome.is_empty() {
        LoanForm {
            uscc: echo(state.uscc.trim()),
            outcome: "granted".to_owned(),
            ..form
        }
    } else {
        form
    };
    render(
        status,
        &BankPage {
            chrome: Chrome::new(s, Some(ctx), "信易贷推荐名单", "xinyidai"),
            csrf: csrf_of(s, ctx),
            notice: if state.done == "reported" {
                "贷款结果已报告。"
            } else {
                ""
            },
            month,
            rows,
            pager,
            reports: Operation::ReportLoans.admits(by.role),
            form,
            error,
            figures: figures(stats),
        },
    )
}

/// `GET /bank`: the month's recommendation list, the loan form, the
/// figures.
pub async fn bank(
    State(s): State<PagesState>,
    ctx: Ctx,
    q: Result<Query<PageState>, QueryRejection>,
) -> Response {
    bank_page(
        &s,
        &ctx,
        StatusCode::OK,
        &page_state(q),
        LoanForm::default(),
        FieldError::default(),
    )
    .await
}

/// The loan form as the application takes it.
fn loan_report(f: &LoanForm) -> Result<LoanReport, AppError> {
    let text = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
    Ok(LoanReport {
        uscc: f.uscc.trim().to_owned(),
        outcome: f.outcome.trim().to_owned(),
        amount_cny: number("amount_cny", &f.amount_cny)?,
        rate_percent: number("rate_percent", &f.rate_percent)?,
        reason: text(&f.reason),
        decided_on: text(&f.decided_on),
    })
}

/// `POST /bank/loans`: report a loan outcome.
pub async fn report_loan(
    State(s): State<PagesState>,
    ctx: Ctx,
    form: Result<Form<LoanForm>, FormRejection>,
) -> Response {
    let f = match accepted(&s, &ctx, form, "/bank", |f| &f.csrf) {
        Ok(f) => f,
        Err(answer) => return *answer,
    };
    let result = match loan_report(&f) {
        Ok(r) => s.app.report_loan(&ctx.principal, &r).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => see_other("/bank?done=reported"),
        Err(e) => match field_error(&e) {
            Some(error) => {
                let form = LoanForm {
                    csrf: String::new(),
                    uscc: echo(&f.uscc),
                    outcome: echo(&f.outcome),
                    amount_cny: echo(&f.amount_cny),
                    rate_percent: echo(&f.rate_percent),
                    reason: echo(&f.reason),
                    decided_on: echo(&f.decided_on),
                };
                bank_page(
                    &s,
                    &ctx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &PageState::default(),
                    form,
                    error,
                )
                .await
            }
            None => error::app_error(&s, Some(&ctx), e),
        },
    }
}

// ---------------------------------------------------------------------------
// The credit office: /admin/xinyidai

#[derive(Deserialize, Default)]
pub struct PeriodQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

#[derive(Template)]
#[template(path = "xinyidai_admin.html")]
struct AdminPage {
    chrome: Chrome,
    csrf: String,
    from: String,
    to: String,
    error: FieldError,
    notice: String,
    figures: Option<Figures>,
    issues: bool,
}

async fn admin_page(s: &PagesState, ctx: &Ctx, period: &PeriodQuery, notice: String) -> Response {
    if ctx.principal.role == Role::Public {
        return error::to_login(&ctx.path);
    }
    let from = Some(period.from.trim()).filter(|t| !t.is_empty());
    let to = Some(period.to.trim()).filter(|t| !t.is_empty());
    let stats = s.app.xinyidai_statistics(&ctx.principal, from, to).await;
    let (status, figures, error) = match stats {
        Ok(st) => (StatusCode::OK, Some(figures(st)), FieldError::default()),
        Err(e) => match field_error(&e) {
            Some(fe) => (StatusCode::UNPROCESSABLE_ENTITY, None, fe),
            None => return error::app_error(s, Some(ctx), e),
        },
    };
    render(
        status,
        &AdminPage {
            chrome: Chrome::new(s, Some(ctx), "信易贷统计", "xinyidai"),
            csrf: csrf_of(s, ctx),
            from: figures
                .as_ref()
                .map_or_else(|| echo(&period.from), |f| f.from.clone()),
            to: figures
                .as_ref()
                .map_or_else(|| echo(&period.to), |f| f.to.clone()),
            error,
            notice,
            figures,
            issues: Operation::IssueRecommendations.admits(ctx.principal.role),
        },
    )
}

/// `GET /admin/xinyidai?from=&to=`: the figures per bank and month.
pub async fn admin(
    State(s): State<PagesState>,
    ctx: Ctx,
    q: Result<Query<PeriodQuery>, QueryRejection>,
) -> Response {
    let period = q.map(|Query(q)| q).unwrap_or_default();
    admin_page(&s, &ctx, &period, String::new()).await
}

/// `POST /admin/xinyidai/lists`: issue the current month's lists.
pub async fn issue(
    State(s): State<PagesState>,
    ctx: Ctx,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    if let Err(answer) = accepted(&s, &ctx, form, "/admin/xinyidai", |f| &f.csrf) {
        return *answer;
    }
    match s.app.issue_recommendations(&ctx.principal, None).await {
        Ok(issued) => {
            let banks = issued
                .banks
                .iter()
                .map(|b| {
                    format!(
                        "{}：符合条件 {} 家，新列入 {} 家",
                        b.bank,
                        xinyong_app::display::thousands(u128::from(b.eligible)),
                        xinyong_app::display::thousands(u128::from(b.added))
                    )
                })
                .collect::<Vec<_>>()
                .join("；");
            let notice = if banks.is_empty() {
                format!("已发布 {} 推荐名单：没有启用的金融机构账户。", issued.month)
            } else {
                format!("已发布 {} 推荐名单。{banks}。", issued.month)
            };
            admin_page(&s, &ctx, &PeriodQuery::default(), notice).await
        }
        Err(e) => error::app_error(&s, Some(&ctx), e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_forms() {
        assert_eq!(number("a", " 500,000.50 ").unwrap(), Some(500_000.5));
        assert_eq!(number("a", "1，000").unwrap(), Some(1000.0));
        assert_eq!(number("a", "  ").unwrap(), None);
        let e = number("amount_cny", "五十万").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("amount_cny"));
        assert!(number("a", "inf").is_err());
        assert_eq!(count(-1234), "-1,234");
        assert_eq!(percent(3.85), "3.85%");
    }

    #[test]
    fn caller_mistakes_are_shown_on_the_form_with_the_field() {
        let e = AppError::invalid("amount_cny", "须为大于 0 的金额");
        let fe = field_error(&e).unwrap();
        assert!(fe.about("amount_cny") && fe.shown());
        assert!(fe.message.starts_with("金额（元）："), "{}", fe.message);
        assert!(field_error(&AppError::new(ErrorCode::Forbidden, "no")).is_none());
        let items: Vec<u32> = (0..120).collect();
        let (rows, pager) = page_of(items, "/bank?month=2026-06", Some(3));
        assert_eq!(rows, (100..120).collect::<Vec<_>>());
        assert_eq!(pager.prev.as_deref(), Some("/bank?month=2026-06&page=2"));
    }
}
