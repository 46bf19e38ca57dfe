//! Handlers of credit-based supervision (PRODUCT.md C10): the credit check
//! (`POST /api/v1/credit-checks`, INTERCHANGE.md §4), batch checks,
//! feedback (反馈), the check log for the credit office, the measures and
//! approval matters catalogues, and the lifecycle of list entries (红名单,
//! 黑名单) with the published lists. Rows of `ROUTES` in `routes.rs`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use xinyong_app::{
    BatchCheckAnswer, BatchCheckRequest, CheckLogEntry, CheckQuery, CreditCheckAnswer,
    CreditCheckRequest, DepartmentCheckStats, EnterListEntry, Feedback, FeedbackRequest,
    ListCatalogueEntry, ListEntryPage, ListEntryQuery, ListEntryView, ListStepRequest, MattersInfo,
    MeasuresInfo, ProposeListEntries, PublishedPage, PublishedQuery,
};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Body, Caller, Path, Query};

type Answer<T> = Result<Json<T>, ApiError>;

/// The credit check (officer, admin): the subject's results as of today
/// and the measures that apply in the scenario with their legal basis; for
/// an approval matter, whether 容缺受理 and 告知承诺 are open. Logged and
/// audited.
#[utoipa::path(post, path = "/api/v1/credit-checks", tag = "supervision",
    request_body = CreditCheckRequest,
    responses((status = 200, body = CreditCheckAnswer),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn credit_check(
    State(s): State<AppState>,
    Caller(by): Caller,
    Body(b): Body<CreditCheckRequest>,
) -> Answer<CreditCheckAnswer> {
    Ok(Json(s.app.credit_check(&by, &b).await?))
}

/// A batch check (officer, admin): one row per USCC given (e.g. the
/// bidders of one tender). Every check is logged and audited.
#[utoipa::path(post, path = "/api/v1/credit-checks/batch", tag = "supervision",
    request_body = BatchCheckRequest,
    responses((status = 200, body = BatchCheckAnswer),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn batch_credit_check(
    State(s): State<AppState>,
    Caller(by): Caller,
    Body(b): Body<BatchCheckRequest>,
) -> Answer<BatchCheckAnswer> {
    Ok(Json(s.app.batch_credit_check(&by, &b).await?))
}

/// The log of checks with their feedback, newest first (admin, auditor).
#[utoipa::path(get, path = "/api/v1/credit-checks", tag = "supervision",
    params(CheckQuery),
    responses((status = 200, body = Vec<CheckLogEntry>),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn credit_check_log(
    State(s): State<AppState>,
    Caller(by): Caller,
    Query(q): Query<CheckQuery>,
) -> Answer<Vec<CheckLogEntry>> {
    Ok(Json(s.app.credit_check_log(&by, &q).await?))
}

/// Per department: checks by scenario, feedback and measures applied
/// (admin, auditor).
#[utoipa::path(get, path = "/api/v1/credit-checks/statistics", tag = "supervision",
    responses((status = 200, body = Vec<DepartmentCheckStats>),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn credit_check_stats(
    State(s): State<AppState>,
    Caller(by): Caller,
) -> Answer<Vec<DepartmentCheckStats>> {
    Ok(Json(s.app.credit_check_stats(&by).await?))
}

/// Feedback on a check (department, officer, admin): the measures applied
/// (each one the check returned) and the outcome. Append-only, audited.
#[utoipa::path(post, path = "/api/v1/credit-checks/{id}/feedback", tag = "supervision",
    request_body = FeedbackRequest,
    params(("id" = i64, Path, description = "the check's id")),
    responses((status = 201, body = Feedback),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn check_feedback(
    State(s): State<AppState>,
    Caller(by): Caller,
    Path(id): Path<i64>,
    Body(b): Body<FeedbackRequest>,
) -> Result<(StatusCode, Json<Feedback>), ApiError> {
    let f = s.app.report_check_feedback(&by, id, &b).await?;
    Ok((StatusCode::CREATED, Json(f)))
}

/// The measures catalogue of joint rewards and punishments (anyone).
#[utoipa::path(get, path = "/api/v1/measures", tag = "supervision",
    responses((status = 200, body = MeasuresInfo),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn measures(State(s): State<AppState>) -> Answer<MeasuresInfo> {
    Ok(Json(s.app.measures_info()?))
}

/// The approval matters under credit-based approval (anyone).
#[utoipa::path(get, path = "/api/v1/approval-matters", tag = "supervision",
    responses((status = 200, body = MattersInfo),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn approval_matters(State(s): State<AppState>) -> Answer<MattersInfo> {
    Ok(Json(s.app.matters_info()?))
}

/// The catalogued lists: owner, legal basis, notice period (anyone).
#[utoipa::path(get, path = "/api/v1/lists", tag = "lists",
    responses((status = 200, body = Vec<ListCatalogueEntry>),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn lists() -> Answer<Vec<ListCatalogueEntry>> {
    Ok(Json(xinyong_app::lists_catalogue()))
}

/// Published, current entries (anyone): the 红名单 and 黑名单, paged.
#[utoipa::path(get, path = "/api/v1/lists/published", tag = "lists",
    params(PublishedQuery),
    responses((status = 200, body = PublishedPage),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn published_entries(
    State(s): State<AppState>,
    Query(q): Query<PublishedQuery>,
) -> Answer<PublishedPage> {
    Ok(Json(s.app.published_entries(&q).await?))
}

/// Entries in every status (department, officer, admin, auditor; audited).
#[utoipa::path(get, path = "/api/v1/lists/entries", tag = "lists",
    params(ListEntryQuery),
    responses((status = 200, body = ListEntryPage),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn list_entries(
    State(s): State<AppState>,
    Caller(by): Caller,
    Query(q): Query<ListEntryQuery>,
) -> Answer<ListEntryPage> {
    Ok(Json(s.app.list_entries(&by, &q).await?))
}

/// Enter a subject on a list (the owning department, admin): status
/// `entered`, to be reviewed by someone else.
#[utoipa::path(post, path = "/api/v1/lists/entries", tag = "lists",
    request_body = EnterListEntry,
    responses((status = 201, body = ListEntryView),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn enter_list_entry(
    State(s): State<AppState>,
    Caller(by): Caller,
    Body(b): Body<EnterListEntry>,
) -> Result<(StatusCode, Json<ListEntryView>), ApiError> {
    let e = s.app.enter_list_entry(&by, &b).await?;
    Ok((StatusCode::CREATED, Json(e)))
}

/// Propose entries from a subject's current model results (the 人防 and
/// construction lists): one `entered` entry per list it is on today.
#[utoipa::path(post, path = "/api/v1/lists/proposals", tag = "lists",
    request_body = ProposeListEntries,
    responses((status = 200, body = Vec<ListEntryView>),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn propose_list_entries(
    State(s): State<AppState>,
    Caller(by): Caller,
    Body(b): Body<ProposeListEntries>,
) -> Answer<Vec<ListEntryView>> {
    Ok(Json(s.app.propose_list_entries(&by, &b).await?))
}

/// One entry with every step (government roles; audited).
#[utoipa::path(get, path = "/api/v1/lists/entries/{id}", tag = "lists",
    params(("id" = i64, Path, description = "the entry's id")),
    responses((status = 200, body = ListEntryView),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn list_entry(
    State(s): State<AppState>,
    Caller(by): Caller,
    Path(id): Path<i64>,
) -> Answer<ListEntryView> {
    Ok(Json(s.app.list_entry(&by, id).await?))
}

/// The next step of an entry: `approve`, `reject`, `notify`, `publish`,
/// `remove`, with its reason (the owning department, admin). 409 when the
/// step does not follow (e.g. publication before the notice period ended).
#[utoipa::path(post, path = "/api/v1/lists/entries/{id}/steps", tag = "lists",
    request_body = ListStepRequest,
    params(("id" = i64, Path, description = "the entry's id")),
    responses((status = 200, body = ListEntryView),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn list_entry_step(
    State(s): State<AppState>,
    Caller(by): Caller,
    Path(id): Path<i64>,
    Body(b): Body<ListStepRequest>,
) -> Answer<ListEntryView> {
    Ok(Json(s.app.list_entry_step(&by, id, &b).await?))
}
