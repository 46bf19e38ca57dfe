//! Handlers of the 信易贷 routes (PRODUCT.md C12): an enterprise applies,
//! lists and revokes its bank authorisations and sees every bank query of
//! it; the credit office issues the monthly lists; a bank reads its list
//! and reports loan outcomes; the figures per bank and month. Rows of
//! `ROUTES` in `routes.rs`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use xinyong_app::{
    BankAuthorisation, BankQuery, FinancingApplication, FinancingFile, FinancingNeed, IssuedLists,
    LoanOutcome, LoanReport, Recommendation, XinyidaiStatistics,
};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Body, Caller, Path, Query};

type Answer<T> = Result<Json<T>, ApiError>;

/// Apply for 信易贷 financing (the enterprise): a `financing_need` record
/// dated today, evaluated at once. Audited.
#[utoipa::path(post, path = "/api/v1/xinyidai/applications", tag = "xinyidai",
    request_body = FinancingApplication,
    responses((status = 201, body = FinancingNeed),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn apply_financing(
    State(s): State<AppState>,
    Caller(by): Caller,
    Body(b): Body<FinancingApplication>,
) -> Result<(StatusCode, Json<FinancingNeed>), ApiError> {
    let need = s.app.apply_financing(&by, &b).await?;
    Ok((StatusCode::CREATED, Json(need)))
}

/// The enterprise's own applications and the loan outcomes banks reported.
#[utoipa::path(get, path = "/api/v1/xinyidai/applications", tag = "xinyidai",
    responses((status = 200, body = FinancingFile),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn financing_file(
    State(s): State<AppState>,
    Caller(by): Caller,
) -> Answer<FinancingFile> {
    Ok(Json(s.app.financing_file(&by).await?))
}

/// The enterprise's bank authorisations, newest first, with whether each
/// is in force today.
#[utoipa::path(get, path = "/api/v1/bank-authorisations", tag = "xinyidai",
    responses((status = 200, body = Vec<BankAuthorisation>),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn bank_authorisations(
    State(s): State<AppState>,
    Caller(by): Caller,
) -> Answer<Vec<BankAuthorisation>> {
    Ok(Json(s.app.bank_authorisations(&by).await?))
}

/// Revoke one of the enterprise's authorisations: the bank's next query is
/// refused (403). Audited.
#[utoipa::path(delete, path = "/api/v1/bank-authorisations/{id}", tag = "xinyidai",
    params(("id" = i64, Path, description = "the authorisation's id")),
    responses((status = 204, description = "revoked"),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn revoke_bank_authorisation(
    State(s): State<AppState>,
    Caller(by): Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    s.app.revoke_bank_authorisation(&by, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every query a bank made of the enterprise: which bank, when, what.
#[utoipa::path(get, path = "/api/v1/bank-queries", tag = "xinyidai",
    responses((status = 200, body = Vec<BankQuery>),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn bank_queries(
    State(s): State<AppState>,
    Caller(by): Caller,
) -> Answer<Vec<BankQuery>> {
    Ok(Json(s.app.bank_queries(&by).await?))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct IssueListsBody {
    /// The month (`YYYY-MM`); only the current month may be issued.
    pub month: Option<String>,
}

/// Issue the current month's recommendation lists to every bank (admin).
/// Audited.
#[utoipa::path(post, path = "/api/v1/xinyidai/recommendation-lists", tag = "xinyidai",
    request_body = IssueListsBody,
    responses((status = 201, body = IssuedLists),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn issue_recommendations(
    State(s): State<AppState>,
    Caller(by): Caller,
    Body(b): Body<IssueListsBody>,
) -> Result<(StatusCode, Json<IssuedLists>), ApiError> {
    let issued = s.app.issue_recommendations(&by, b.month.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecommendationParams {
    /// `YYYY-MM`; default the current month.
    pub month: Option<String>,
    /// A bank's code (admin; a bank sees its own list only).
    pub bank: Option<String>,
}

/// A month's recommendation list: a bank its own (each line read is
/// audited under the enterprise), the admin every bank's.
#[utoipa::path(get, path = "/api/v1/xinyidai/recommendations", tag = "xinyidai",
    params(RecommendationParams),
    responses((status = 200, body = Vec<Recommendation>),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn recommendations(
    State(s): State<AppState>,
    Caller(by): Caller,
    Query(p): Query<RecommendationParams>,
) -> Answer<Vec<Recommendation>> {
    Ok(Json(
        s.app
            .recommendations(&by, p.month.as_deref(), p.bank.as_deref())
            .await?,
    ))
}

/// Report a loan outcome (a bank): granted with amount and rate, or
/// refused with the reason. Audited.
#[utoipa::path(post, path = "/api/v1/xinyidai/loans", tag = "xinyidai",
    request_body = LoanReport,
    responses((status = 201, body = LoanOutcome),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn report_loan(
    State(s): State<AppState>,
    Caller(by): Caller,
    Body(b): Body<LoanReport>,
) -> Result<(StatusCode, Json<LoanOutcome>), ApiError> {
    let loan = s.app.report_loan(&by, &b).await?;
    Ok((StatusCode::CREATED, Json(loan)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatisticsParams {
    /// First month (`YYYY-MM`); default eleven months before `to`.
    pub from: Option<String>,
    /// Last month (`YYYY-MM`); default the current month.
    pub to: Option<String>,
}

/// Recommendations → loans per bank and month (a bank: its own).
#[utoipa::path(get, path = "/api/v1/xinyidai/statistics", tag = "xinyidai",
    params(StatisticsParams),
    responses((status = 200, body = XinyidaiStatistics),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn xinyidai_statistics(
    State(s): State<AppState>,
    Caller(by): Caller,
    Query(p): Query<StatisticsParams>,
) -> Answer<XinyidaiStatistics> {
    Ok(Json(
        s.app
            .xinyidai_statistics(&by, p.from.as_deref(), p.to.as_deref())
            .await?,
    ))
}
