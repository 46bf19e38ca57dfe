//! The route table and the handlers. Every handler parses its input, calls
//! one use case of the application layer with the caller's principal, and
//! presents the answer; nothing here decides who may do what.

use axum::Json;
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, ETAG, SET_COOKIE};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, post};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use xinyong_app::{Operation, QuarantineFilter};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Body, Caller, ClientAddr, Path, Query, SESSION_COOKIE, credential};
use crate::inspection::{
    create_plan, draw_plan, get_plan, list_plans, my_tasks, plan_list, plan_tasks, publish_plan,
    record_result, verify_plan,
};
use crate::supervision::{
    approval_matters, batch_credit_check, check_feedback, credit_check, credit_check_log,
    credit_check_stats, enter_list_entry, list_entries, list_entry, list_entry_step, lists,
    measures, propose_list_entries, published_entries,
};
use crate::xinyidai::{
    apply_financing, bank_authorisations, bank_queries, financing_file, issue_recommendations,
    recommendations, report_loan, revoke_bank_authorisation, xinyidai_statistics,
};

/// One route: what it is, which operation of the application it performs,
/// and its handler.
pub struct Route {
    pub method: Method,
    /// The path as axum and OpenAPI write it (`{name}` for a parameter).
    pub path: &'static str,
    pub operation: Operation,
    pub(crate) handler: fn() -> MethodRouter<AppState>,
}

macro_rules! route {
    ($method:ident, $path:literal, $op:ident, $handler:ident, $maker:ident) => {
        Route {
            method: Method::$method,
            path: $path,
            operation: Operation::$op,
            handler: || $maker($handler),
        }
    };
}

/// Every route of the server. The router is built from this table only.
pub static ROUTES: &[Route] = &[
    route!(GET, "/api/v1/health", ServerInfo, health, get),
    route!(GET, "/api/v1/openapi.json", ServerInfo, openapi_json, get),
    route!(GET, "/metrics", ServerInfo, metrics, get),
    route!(POST, "/api/v1/session", Login, login, post),
    route!(GET, "/api/v1/session", OwnSession, whoami, get),
    route!(DELETE, "/api/v1/session", OwnSession, logout, delete),
    route!(GET, "/api/v1/subjects", SearchSubjects, search, get),
    route!(
        GET,
        "/api/v1/subjects/{uscc}/public",
        ReadPublicProfile,
        public_profile,
        get
    ),
    route!(
        GET,
        "/api/v1/subjects/{uscc}",
        ReadFullProfile,
        full_profile,
        get
    ),
    route!(POST, "/api/v1/records", SubmitRecords, submit_records, post),
    route!(
        GET,
        "/api/v1/submissions/statistics",
        ReadSubmissionStats,
        submission_stats,
        get
    ),
    route!(
        GET,
        "/api/v1/submissions/rejected",
        ReadSubmissionStats,
        rejected_rows,
        get
    ),
    route!(
        POST,
        "/api/v1/bank-authorisations",
        AuthoriseBank,
        authorise_bank,
        post
    ),
    route!(GET, "/api/v1/accounts", ManageAccounts, list_accounts, get),
    route!(POST, "/api/v1/accounts", ManageAccounts, add_account, post),
    route!(
        POST,
        "/api/v1/api-tokens",
        ManageAccounts,
        create_api_token,
        post
    ),
    route!(
        DELETE,
        "/api/v1/api-tokens/{id}",
        ManageAccounts,
        revoke_api_token,
        delete
    ),
    route!(
        GET,
        "/api/v1/audit/verification",
        ReadAudit,
        audit_verification,
        get
    ),
    route!(GET, "/api/v1/audit/entries", ReadAudit, audit_entries, get),
    route!(GET, "/api/v1/models", ReadModels, models, get),
    route!(GET, "/api/v1/runs", ReadModels, runs, get),
    route!(
        POST,
        "/api/v1/evaluations",
        RunEvaluations,
        start_evaluation,
        post
    ),
    route!(GET, "/api/v1/tasks", RunEvaluations, list_tasks, get),
    route!(GET, "/api/v1/tasks/{id}", RunEvaluations, task, get),
    route!(
        DELETE,
        "/api/v1/tasks/{id}",
        RunEvaluations,
        cancel_task,
        delete
    ),
    route!(
        POST,
        "/api/v1/subjects/{uscc}/reports",
        IssueReports,
        issue_report,
        post
    ),
    route!(
        GET,
        "/api/v1/reports/{number}/pdf",
        IssueReports,
        report_pdf,
        get
    ),
    route!(
        GET,
        "/api/v1/reports/{number}/verification",
        VerifyReports,
        verify_report,
        get
    ),
    route!(
        POST,
        "/api/v1/objections",
        FileObjections,
        file_objection,
        post
    ),
    route!(
        POST,
        "/api/v1/objections/{id}/decision",
        DecideWorkflows,
        decide_objection,
        post
    ),
    route!(POST, "/api/v1/repairs", ApplyRepairs, apply_repair, post),
    route!(
        POST,
        "/api/v1/repairs/{id}/decision",
        DecideWorkflows,
        decide_repair,
        post
    ),
    route!(
        POST,
        "/api/v1/commitments",
        SignCommitments,
        sign_commitment,
        post
    ),
    route!(
        POST,
        "/api/v1/commitments/{id}/fulfilment",
        DecideWorkflows,
        record_fulfilment,
        post
    ),
    route!(
        GET,
        "/api/v1/workflow-items",
        ReadWorkflows,
        workflow_items,
        get
    ),
    route!(
        GET,
        "/api/v1/workflow-items/{id}",
        ReadWorkflows,
        workflow_item,
        get
    ),
    route!(
        GET,
        "/api/v1/workflow-summary",
        ReadOutbox,
        workflow_summary,
        get
    ),
    route!(
        POST,
        "/api/v1/workflow-checks",
        RunWorkflowChecks,
        run_workflow_checks,
        post
    ),
    route!(GET, "/api/v1/outbox", ReadOutbox, outbox, get),
    route!(
        GET,
        "/api/v1/notifications",
        ReceiveNotifications,
        notifications,
        get
    ),
    route!(
        POST,
        "/api/v1/notifications/{id}/acknowledgement",
        ReceiveNotifications,
        acknowledge_notification,
        post
    ),
    route!(
        POST,
        "/api/v1/credit-checks",
        RunCreditChecks,
        credit_check,
        post
    ),
    route!(
        GET,
        "/api/v1/credit-checks",
        ReadCreditChecks,
        credit_check_log,
        get
    ),
    route!(
        POST,
        "/api/v1/credit-checks/batch",
        RunCreditChecks,
        batch_credit_check,
        post
    ),
    route!(
        GET,
        "/api/v1/credit-checks/statistics",
        ReadCreditChecks,
        credit_check_stats,
        get
    ),
    route!(
        POST,
        "/api/v1/credit-checks/{id}/feedback",
        ReportCheckFeedback,
        check_feedback,
        post
    ),
    route!(GET, "/api/v1/measures", ReadMeasures, measures, get),
    route!(
        GET,
        "/api/v1/approval-matters",
        ReadMeasures,
        approval_matters,
        get
    ),
    route!(GET, "/api/v1/lists", ReadPublishedLists, lists, get),
    route!(
        GET,
        "/api/v1/lists/published",
        ReadPublishedLists,
        published_entries,
        get
    ),
    route!(
        GET,
        "/api/v1/lists/entries",
        ReadListEntries,
        list_entries,
        get
    ),
    route!(
        POST,
        "/api/v1/lists/entries",
        ManageLists,
        enter_list_entry,
        post
    ),
    route!(
        POST,
        "/api/v1/lists/proposals",
        ManageLists,
        propose_list_entries,
        post
    ),
    route!(
        GET,
        "/api/v1/lists/entries/{id}",
        ReadListEntries,
        list_entry,
        get
    ),
    route!(
        POST,
        "/api/v1/lists/entries/{id}/steps",
        ManageLists,
        list_entry_step,
        post
    ),
    route!(
        GET,
        "/api/v1/inspection/plans",
        VerifyInspectionDraws,
        list_plans,
        get
    ),
    route!(
        POST,
        "/api/v1/inspection/plans",
        ManageInspectionPlans,
        create_plan,
        post
    ),
    route!(
        GET,
        "/api/v1/inspection/plans/{plan_id}",
        VerifyInspectionDraws,
        get_plan,
        get
    ),
    route!(
        POST,
        "/api/v1/inspection/plans/{plan_id}/publication",
        ManageInspectionPlans,
        publish_plan,
        post
    ),
    route!(
        POST,
        "/api/v1/inspection/plans/{plan_id}/draw",
        ManageInspectionPlans,
        draw_plan,
        post
    ),
    route!(
        GET,
        "/api/v1/inspection/plans/{plan_id}/lists/{list}",
        VerifyInspectionDraws,
        plan_list,
        get
    ),
    route!(
        GET,
        "/api/v1/inspection/plans/{plan_id}/verification",
        VerifyInspectionDraws,
        verify_plan,
        get
    ),
    route!(
        GET,
        "/api/v1/inspection/plans/{plan_id}/tasks",
        ReadInspectionTasks,
        plan_tasks,
        get
    ),
    route!(
        GET,
        "/api/v1/inspection/tasks",
        ReadInspectionTasks,
        my_tasks,
        get
    ),
    route!(
        POST,
        "/api/v1/inspection/plans/{plan_id}/tasks/{number}/results",
        RecordInspectionResults,
        record_result,
        post
    ),
    route!(
        GET,
        "/api/v1/bank-authorisations",
        AuthoriseBank,
        bank_authorisations,
        get
    ),
    route!(
        DELETE,
        "/api/v1/bank-authorisations/{id}",
        AuthoriseBank,
        revoke_bank_authorisation,
        delete
    ),
    route!(
        GET,
        "/api/v1/bank-queries",
        AuthoriseBank,
        bank_queries,
        get
    ),
    route!(
        POST,
        "/api/v1/xinyidai/applications",
        ApplyFinancing,
        apply_financing,
        post
    ),
    route!(
        GET,
        "/api/v1/xinyidai/applications",
        ApplyFinancing,
        financing_file,
        get
    ),
    route!(
        POST,
        "/api/v1/xinyidai/recommendation-lists",
        IssueRecommendations,
        issue_recommendations,
        post
    ),
    route!(
        GET,
        "/api/v1/xinyidai/recommendations",
        ReadRecommendations,
        recommendations,
        get
    ),
    route!(
        POST,
        "/api/v1/xinyidai/loans",
        ReportLoans,
        report_loan,
        post
    ),
    route!(
        GET,
        "/api/v1/xinyidai/statistics",
        ReadXinyidaiStats,
        xinyidai_statistics,
        get
    ),
];

type Answer<T> = Result<Json<T>, ApiError>;

// ---------------------------------------------------------------------------
// Server

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok` while the server answers.
    pub status: &'static str,
}

/// The server answers.
#[utoipa::path(get, path = "/api/v1/health", tag = "server",
    responses((status = 200, body = Health)))]
async fn health() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// The OpenAPI 3.1 document of the whole API.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "server",
    responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json", body = Object)))]
async fn openapi_json() -> Response {
    // Built once: the document does not change while the server runs.
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let text = DOC.get_or_init(|| crate::openapi().to_json().unwrap_or_default());
    ([(CONTENT_TYPE, "application/json")], text.clone()).into_response()
}

/// Request counts and latencies by route and status, tasks and runs, in the
/// Prometheus text format.
#[utoipa::path(get, path = "/metrics", tag = "server",
    responses((status = 200, description = "Prometheus text format 0.0.4", content_type = "text/plain", body = String)))]
async fn metrics(State(s): State<AppState>) -> Response {
    let tasks = s
        .app
        .task_counts()
        .into_iter()
        .map(|(kind, status, n)| (format!("kind=\"{kind}\",status=\"{status}\""), n))
        .collect();
    let extra = [(
        "xinyong_tasks",
        "Tasks this process remembers, by kind and status.",
        tasks,
    )];
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        s.metrics.render(&extra),
    )
        .into_response()
}

// ---------------------------------------------------------------------------
// Session

#[derive(Deserialize, ToSchema)]
pub struct LoginBody {
    pub username: String,
    pub password: String,
}

/// Log in: a token for `Authorization: Bearer`, and a session cookie.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = LoginBody,
    responses((status = 200, body = xinyong_app::Session),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn login(
    State(s): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Body(b): Body<LoginBody>,
) -> Result<Response, ApiError> {
    let session = s.app.login(&b.username, &b.password, &addr).await?;
    let secure = if s.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{SESSION_COOKIE}={}; HttpOnly; SameSite=Strict; Path=/{secure}",
        session.token
    );
    let mut resp = Json(session).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().insert(SET_COOKIE, v);
    }
    Ok(resp)
}

/// Who the caller is.
#[utoipa::path(get, path = "/api/v1/session", tag = "session",
    responses((status = 200, body = xinyong_app::Principal),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn whoami(Caller(by): Caller) -> Answer<xinyong_app::Principal> {
    Ok(Json(xinyong_app::App::whoami(&by)?))
}

/// Log out: the session (or token) no longer works; the cookie is cleared.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session",
    responses((status = 204, description = "logged out"),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn logout(
    State(s): State<AppState>,
    req: axum::http::request::Parts,
) -> Result<Response, ApiError> {
    let Some(token) = credential(&req) else {
        return Err(xinyong_app::AppError::new(
            xinyong_app::ErrorCode::Unauthenticated,
            "no session to end",
        )
        .into());
    };
    s.app.logout(&token).await?;
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut().insert(
        SET_COOKIE,
        HeaderValue::from_static("xinyong_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
    );
    Ok(resp)
}

// ---------------------------------------------------------------------------
// Subjects

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Part of a name (Chinese, any width, simplified or traditional) or of a USCC.
    pub q: Option<String>,
    /// At most this many subjects (1–50, default 10).
    pub limit: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchAnswer {
    /// Best match first.
    pub items: Vec<xinyong_app::SubjectHit>,
}

/// Search subjects by name or USCC.
#[utoipa::path(get, path = "/api/v1/subjects", tag = "subjects", params(SearchParams),
    responses((status = 200, body = SearchAnswer),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn search(
    State(s): State<AppState>,
    Caller(by): Caller,
    Query(p): Query<SearchParams>,
) -> Answer<SearchAnswer> {
    let _ = by; // the public may search; a bad token was already refused
    let items = s
        .app
        .search(p.q.as_deref().unwrap_or(""), p.limit.unwrap_or(10) as usize)
        .await?;
    Ok(Json(SearchAnswer { items }))
}

/// What the public may see of a subject today.
#[utoipa::path(get, path = "/api/v1/subjects/{uscc}/public", tag = "subjects",
    params(("uscc" = String, Path, description = "unified social credit code")),
    responses((status = 200, body = xinyong_app::PublicProfile),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn public_profile(
    State(s): State<AppState>,
    Caller(by): Caller,
    Path(uscc): Path<String>,
) -> Answer<xinyong_app::PublicProfile> {
    let _ = by; // the public may read it; a bad token was already refused
    Ok(Json(s.app.public_profile(&uscc).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProfileParams {
    /// Why the subject is read (written to the audit log).
    pub purpose: Option<String>,
}

/// A subject's full profile: every record with its status, every model's
/// latest result with its reasons. Audited.
#[utoipa::path(get, path = "/api/v1/subjects/{uscc}", tag = "subjects",
    params(("uscc" = String, Path, description = "unified social credit code"), ProfileParams),
    responses((status = 200, body = xinyong_app::FullProfile),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn full_profile(
    State(s): State<AppState>,
    Caller(by): Caller,
    Path(uscc): Path<String>,
    Query(p): Query<ProfileParams>,
) -> Answer<xinyong_app::FullProfile> {
    Ok(Json(
        s.app.full_profile(&by, &uscc, p.purpose.as_deref()).await?,
    ))
}

// ---------------------------------------------------------------------------
// Submissions

/// A department submits records of its own `source` (INTERCHANGE.md §2).
/// 200 when every row was accepted, 422 with the same answer when some were
/// rejected (the valid ones are stored).
#[utoipa::path(post, path = "/api/v1/records", tag = "submissions",
    request_body(content = Vec<Object>, description = "records as in INTERCHANGE.md §2"),
    responses((status = 200, body = xinyong_app::SubmitOutcome),
              (status = 422, description = "some rows rejected (or the request is invalid)", body = RecordsRejected),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn submit_records(
    State(s): State<AppState>,
    Caller(by): Caller,
    Body(rows): Body<Vec<Value>>,
) -> Result<Response, ApiError> {
    let outcome = s.app.submit_records(&by, rows).await?;
    let status = if outcome.rejected == 0 {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(outcome)).into_response())
}

/// The answer of a 422 to `POST /api/v1/records`.
#[derive(ToSchema, Serialize)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum RecordsRejected {
    Outcome(xinyong_app::SubmitOutcome),
    Error(crate::ErrorBody),
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// A department code (admin only; a department sees its own).
    pub department: Option<String>,
}

/// Per department and kind: versions received, records held, rows rejected.
#[utoipa::path(get, path = "/api/v1/submissions/statistics", tag = "submissions", params(StatsParams),
    responses((status = 200, body = Vec<Object>),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn submission_stats(
    State(s): State<AppState>,
    Caller(by): Caller,
    Query(p): Query<StatsParams>,
) -> Answer<Vec<xinyong_app::DepartmentStat>> {
    Ok(Json(
        s.app.submission_stats(&by, p.department.as_deref()).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RejectedParams {
    /// A department code (admin only; a department sees its own).
    pub department: Option<String>,
    /// Only rows of this import or submission batch.
    pub batch: Option<i64>,
    /// Only rows not yet corrected by a later valid row.
    pub unresolved_only: Option<bool>,
    pub offset: Option<u64>,
    /// 1–1000, default 100.
    pub limit: Option<u32>,
}

/// Rejected rows kept for correction, with their row, field and reason.
#[utoipa::path(get, path = "/api/v1/submissions/rejected", tag = "submissions", params(RejectedParams),
    responses((status = 200, body = Vec<Object>),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn rejected_rows(
    State(s): State<AppState>,
    Caller(by): Caller,
    Query(p): Query<RejectedParams>,
) -> Answer<Vec<xinyong_app::QuarantineEntry>> {
    let filter = QuarantineFilter {
        batch: p.batch.map(xinyong_app::BatchId),
        source: p.department,
        unresolved_only: p.unresolved_only.unwrap_or(false),
        offset: p.offset.unwrap_or(0),
        limit: p.limit.unwrap_or(100),
    };
    Ok(Json(s.app.rejected_rows(&by, filter).await?))
}

// ---------------------------------------------------------------------------
// Accounts

#[derive(Deserialize, ToSchema)]
pub struct BankAuthorisationBody {
    /// The bank's code (its account's department code).
    pub bank: String,
    /// The last day the bank may query (YYYY-MM-DD).
    #[schema(value_type = String, format = Date)]
    pub valid_until: jiff::civil::Date,
}

/// The enterprise authorises a bank to read its full profile until a date.
#[utoipa::path(post, path = "/api/v1/bank-authorisations", tag = "accounts", request_body = BankAuthorisationBody,
    responses((status = 201, description = "authorised"),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn authorise_bank(
    State(s): State<AppState>,
    Caller(by): Caller,
    Body(b): Body<BankAuthorisationBody>,
) -> Result<StatusCode, ApiError> {
    s.app.authorise_bank(&by, &b.bank, b.valid_until).await?;
    Ok(StatusCode::CREATED)
}

/// Every account (admin).
#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts",
    responses((status = 200, body = Vec<xinyong_app::Account>),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn list_accounts(
    State(s): State<AppState>,
    Caller(by): Caller,
) -> Answer<Vec<xinyong_app::Account>> {
    Ok(Json(s.app.list_accounts(&by).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct NewAccountBody {
    /// `enterprise`, `department`, `officer`, `bank`, `admin` or `auditor`.
    pub role: String,
    pub username: String,
    pub password: String,
    /// Required for `enterprise`.
    pub uscc: Option<String>,
    /// Required for `department` (its code) and `bank` (the bank's code).
    pub department: Option<String>,
}

/// Create an account (admin).
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = NewAccountBody,
    responses((status = 201, body = xinyong_app::Account),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn add_account(
    State(s): State<AppState>,
    Caller(by): Caller,
    Body(b): Body<NewAccountBody>,
) -> Result<(StatusCode, Json<xinyong_app::Account>), ApiError> {
    let role = xinyong_app::Role::parse(&b.role).ok_or_else(|| {
        xinyong_app::AppError::invalid("role", format!("unknown role {:?}", b.role))
    })?;
    let account = s
        .app
        .add_account(
            Some(&by),
            xinyong_app::NewAccount {
                role,
                username: b.username,
                password: b.password,
                uscc: b.uscc,
                department: b.department,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(account)))
}

#[derive(Deserialize, ToSchema)]
pub struct NewTokenBody {
    /// The account the token acts as (a department's or a bank's).
    pub username: String,
    /// What the token is for.
    pub label: String,
}

/// Create an API token for a machine client (admin). The token is shown
/// once; the store keeps only its hash.
#[utoipa::path(post, path = "/api/v1/api-tokens", tag = "accounts", request_body = NewTokenBody,
    responses((status = 201, body = xinyong_app::IssuedToken),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn create_api_token(
    State(s): State<AppState>,
    Caller(by): Caller,
    Body(b): Body<NewTokenBody>,
) -> Result<(StatusCode, Json<xinyong_app::IssuedToken>), ApiError> {
    let t = s.app.create_api_token(&by, &b.username, &b.label).await?;
    Ok((StatusCode::CREATED, Json(t)))
}

/// Revoke an API token (admin): it stops working at once.
#[utoipa::path(delete, path = "/api/v1/api-tokens/{id}", tag = "accounts",
    params(("id" = i64, Path, description = "the token's id")),
    responses((status = 204, description = "revoked"),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn revoke_api_token(
    State(s): State<AppState>,
    Caller(by): Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    s.app.revoke_api_token(&by, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------
// Audit

/// Check the audit chain end to end (auditor, admin).
#[utoipa::path(get, path = "/api/v1/audit/verification", tag = "audit",
    responses((status = 200, body = xinyong_app::AuditVerification),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn audit_verification(
    State(s): State<AppState>,
    Caller(by): Caller,
) -> Answer<xinyong_app::AuditVerification> {
    Ok(Json(s.app.verify_audit(Some(&by)).await?))
}

/// Page through the audit log by subject, actor and time (auditor, admin).
#[utoipa::path(get, path = "/api/v1/audit/entries", tag = "audit", params(xinyong_app::AuditFilter),
    responses((status = 200, body = Vec<xinyong_app::AuditEntry>),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn audit_entries(
    State(s): State<AppState>,
    Caller(by): Caller,
    Query(f): Query<xinyong_app::AuditFilter>,
) -> Answer<Vec<xinyong_app::AuditEntry>> {
    Ok(Json(s.app.audit_entries(&by, &f).await?))
}

// ---------------------------------------------------------------------------
// Models, runs and tasks

/// The installed models: versions, validity, visibility, who installed them.
#[utoipa::path(get, path = "/api/v1/models", tag = "evaluation",
    responses((status = 200, body = Vec<Object>),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn models(
    State(s): State<AppState>,
    Caller(by): Caller,
) -> Answer<Vec<xinyong_app::InstalledModel>> {
    Ok(Json(s.app.installed_models(&by).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunsParams {
    /// At most this many runs, newest first (1–500, default 50).
    pub limit: Option<u32>,
}

/// The stored evaluation runs, newest first.
#[utoipa::path(get, path = "/api/v1/runs", tag = "evaluation", params(RunsParams),
    responses((status = 200, body = Vec<Object>),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn runs(
    State(s): State<AppState>,
    Caller(by): Caller,
    Query(p): Query<RunsParams>,
) -> Answer<Vec<xinyong_app::RunInfo>> {
    Ok(Json(s.app.stored_runs(&by, p.limit.unwrap_or(50)).await?))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct EvaluationBody {
    /// As-of date (default today).
    #[schema(value_type = Option<String>, format = Date)]
    pub as_of: Option<jiff::civil::Date>,
    /// Only these models (default every model in force).
    #[serde(default)]
    pub models: Vec<String>,
}

/// Start a full evaluation of every subject as a task (admin).
#[utoipa::path(post, path = "/api/v1/evaluations", tag = "evaluation", request_body = EvaluationBody,
    responses((status = 202, body = xinyong_app::TaskInfo),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn start_evaluation(
    State(s): State<AppState>,
    Caller(by): Caller,
    Body(b): Body<EvaluationBody>,
) -> Result<(StatusCode, Json<xinyong_app::TaskInfo>), ApiError> {
    let task = s
        .app
        .start_audited_evaluation(&by, b.as_of, b.models)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(task)))
}

/// The tasks of this server process, newest first (admin).
#[utoipa::path(get, path = "/api/v1/tasks", tag = "evaluation",
    responses((status = 200, body = Vec<xinyong_app::TaskInfo>),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn list_tasks(
    State(s): State<AppState>,
    Caller(by): Caller,
) -> Answer<Vec<xinyong_app::TaskInfo>> {
    Ok(Json(s.app.list_tasks(&by)?))
}

/// One task: status, progress, result or error (admin).
#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "evaluation",
    params(("id" = u64, Path, description = "the task's id")),
    responses((status = 200, body = xinyong_app::TaskInfo),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn task(
    State(s): State<AppState>,
    Caller(by): Caller,
    Path(id): Path<u64>,
) -> Answer<xinyong_app::TaskInfo> {
    Ok(Json(s.app.task(&by, id)?))
}

/// Cancel a running task (admin); it ends `cancelled` having written
/// nothing. Audited; 409 when the task has already ended.
#[utoipa::path(delete, path = "/api/v1/tasks/{id}", tag = "evaluation",
    params(("id" = u64, Path, description = "the task's id")),
    responses((status = 200, body = xinyong_app::TaskInfo),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn cancel_task(
    State(s): State<AppState>,
    Caller(by): Caller,
    Path(id): Path<u64>,
) -> Answer<xinyong_app::TaskInfo> {
    Ok(Json(s.app.cancel_evaluation_task(&by, id).await?))
}

// ---------------------------------------------------------------------------
// Credit reports

/// Issue the subject's credit report (信用体检报告) as of today: the
/// subject's own enterprise account, department, officer, admin. The PDF
/// is kept byte for byte; `sha256` is its hash. Audited.
#[utoipa::path(post, path = "/api/v1/subjects/{uscc}/reports", tag = "reports",
    params(("uscc" = String, Path, description = "unified social credit code")),
    responses((status = 201, body = xinyong_app::IssuedReport),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn issue_report(
    State(s): State<AppState>,
    Caller(by): Caller,
    Path(uscc): Path<String>,
) -> Result<(StatusCode, Json<xinyong_app::IssuedReport>), ApiError> {
    let issued = s.app.issue_report(&by, &uscc).await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

/// A PDF file (the OpenAPI document's name for the bytes of a report).
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub struct PdfFile(Vec<u8>);

/// The issued PDF, byte for byte the one whose `sha256` was returned
/// (whoever may issue reports for its subject). Audited.
#[utoipa::path(get, path = "/api/v1/reports/{number}/pdf", tag = "reports",
    params(("number" = String, Path, description = "the report number")),
    responses((status = 200, description = "the report as PDF", content_type = "application/pdf", body = PdfFile),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn report_pdf(
    State(s): State<AppState>,
    Caller(by): Caller,
    Path(number): Path<String>,
) -> Result<Response, ApiError> {
    let pdf = s.app.report_pdf(&by, &number).await?;
    let mut resp = pdf.bytes.into_response();
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"xinyong-report-{}.pdf\"",
        pdf.number
    )) {
        h.insert(CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", pdf.sha256)) {
        h.insert(ETAG, v);
    }
    Ok(resp)
}

/// Check a report number: the subject, date and grade of a report that
/// was issued; 404 otherwise. Nothing else about the subject.
#[utoipa::path(get, path = "/api/v1/reports/{number}/verification", tag = "reports",
    params(("number" = String, Path, description = "the report number")),
    responses((status = 200, body = xinyong_app::ReportVerification),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn verify_report(
    State(s): State<AppState>,
    Caller(by): Caller,
    Path(number): Path<String>,
) -> Answer<xinyong_app::ReportVerification> {
    let _ = by; // the public may check; a bad token was already refused
    Ok(Json(s.app.verify_report(&number).await?))
}

// ---------------------------------------------------------------------------
// Workflows: objections, credit repair, commitments

#[derive(Deserialize, ToSchema)]
pub struct ObjectionBody {
    pub record: xinyong_app::RecordKey,
    /// `error`, `omission`, `trade_secret`, `privacy` or `other`.
    pub grounds: String,
    pub statement: String,
    /// File names of the evidence supplied.
    #[serde(default)]
    pub evidence: Vec<String>,
}

/// File an objection (异议) against a record: the subject's enterprise
/// account for any of its records, anyone for a record shown publicly. The
/// record is disputed at once; the producing department decides by
/// `decide_by`.
#[utoipa::path(post, path = "/api/v1/objections", tag = "workflows", request_body = ObjectionBody,
    responses((status = 201, body = xinyong_app::ObjectionFiled),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn file_objection(
    State(s): State<AppState>,
    Caller(by): Caller,
    Body(b): Body<ObjectionBody>,
) -> Result<(StatusCode, Json<xinyong_app::ObjectionFiled>), ApiError> {
    let filed = s
        .app
        .file_objection(&by, &b.record, &b.grounds, &b.statement, &b.evidence)
        .await?;
    Ok((StatusCode::CREATED, Json(filed)))
}

/// Decide an objection (`corrected` with `changes` or `withdraw_record`, or
/// `upheld`; the record's department or the credit office), or withdraw it
/// (`withdraw`, its filer). Two decisions at once: one is stored, the other
/// is 409 `conflict`.
#[utoipa::path(post, path = "/api/v1/objections/{id}/decision", tag = "workflows",
    request_body = xinyong_app::CaseDecision,
    params(("id" = i64, Path, description = "the objection's id")),
    responses((status = 200, body = xinyong_app::WorkflowItem),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn decide_objection(
    State(s): State<AppState>,
    Caller(by): Caller,
    Path(id): Path<i64>,
    Body(b): Body<xinyong_app::CaseDecision>,
) -> Answer<xinyong_app::WorkflowItem> {
    Ok(Json(s.app.decide_objection(&by, id, &b).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct RepairBody {
    pub record: xinyong_app::RecordKey,
    /// `credit_commitment`, `rectification_proof`, `training_certificate`, `credit_report`.
    #[serde(default)]
    pub evidence: Vec<String>,
}

/// Apply for the credit repair (信用修复) of one of the subject's records
/// (its enterprise account). 422 `not_yet_repairable` with `repairable_from`
/// before the record is repairable, `not_repairable` when it never is.
#[utoipa::path(post, path = "/api/v1/repairs", tag = "workflows", request_body = RepairBody,
    responses((status = 201, body = xinyong_app::RepairFiled),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn apply_repair(
    State(s): State<AppState>,
    Caller(by): Caller,
    Body(b): Body<RepairBody>,
) -> Result<(StatusCode, Json<xinyong_app::RepairFiled>), ApiError> {
    let filed = s.app.apply_repair(&by, &b.record, &b.evidence).await?;
    Ok((StatusCode::CREATED, Json(filed)))
}

/// Decide a repair (`approved` or `denied`; the record's department or the
/// credit office), or withdraw it (`withdraw`, the applicant).
#[utoipa::path(post, path = "/api/v1/repairs/{id}/decision", tag = "workflows",
    request_body = xinyong_app::CaseDecision,
    params(("id" = i64, Path, description = "the repair application's id")),
    responses((status = 200, body = xinyong_app::WorkflowItem),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn decide_repair(
    State(s): State<AppState>,
    Caller(by): Caller,
    Path(id): Path<i64>,
    Body(b): Body<xinyong_app::CaseDecision>,
) -> Answer<xinyong_app::WorkflowItem> {
    Ok(Json(s.app.decide_repair(&by, id, &b).await?))
}

/// Sign (enterprise, online) or register (department, admin) a commitment.
#[utoipa::path(post, path = "/api/v1/commitments", tag = "workflows",
    request_body = xinyong_app::SignCommitment,
    responses((status = 201, body = xinyong_app::WorkflowItem),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn sign_commitment(
    State(s): State<AppState>,
    Caller(by): Caller,
    Body(b): Body<xinyong_app::SignCommitment>,
) -> Result<(StatusCode, Json<xinyong_app::WorkflowItem>), ApiError> {
    let item = s.app.sign_commitment(&by, &b).await?;
    Ok((StatusCode::CREATED, Json(item)))
}

/// Record a step of a commitment (its department or the credit office):
/// `fulfilled`, `check_passed`, `check_failed`, `breached`, `withdrawn`,
/// `due_event`.
#[utoipa::path(post, path = "/api/v1/commitments/{id}/fulfilment", tag = "workflows",
    request_body = xinyong_app::CaseDecision,
    params(("id" = i64, Path, description = "the commitment's case id")),
    responses((status = 200, body = xinyong_app::WorkflowItem),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn record_fulfilment(
    State(s): State<AppState>,
    Caller(by): Caller,
    Path(id): Path<i64>,
    Body(b): Body<xinyong_app::CaseDecision>,
) -> Answer<xinyong_app::WorkflowItem> {
    Ok(Json(s.app.record_fulfilment(&by, id, &b).await?))
}

/// The caller's queue: a department's cases, an enterprise's own, every
/// case for the credit office and the auditor; the oldest deadline first,
/// overdue ones marked.
#[utoipa::path(get, path = "/api/v1/workflow-items", tag = "workflows",
    params(xinyong_app::WorkflowQuery),
    responses((status = 200, body = Vec<xinyong_app::WorkflowItem>),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn workflow_items(
    State(s): State<AppState>,
    Caller(by): Caller,
    Query(q): Query<xinyong_app::WorkflowQuery>,
) -> Answer<Vec<xinyong_app::WorkflowItem>> {
    Ok(Json(s.app.workflow_items(&by, &q).await?))
}

/// One case: status, deadline, decision and reasons.
#[utoipa::path(get, path = "/api/v1/workflow-items/{id}", tag = "workflows",
    params(("id" = i64, Path, description = "the case's id")),
    responses((status = 200, body = xinyong_app::WorkflowItem),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn workflow_item(
    State(s): State<AppState>,
    Caller(by): Caller,
    Path(id): Path<i64>,
) -> Answer<xinyong_app::WorkflowItem> {
    Ok(Json(s.app.workflow_item(&by, id).await?))
}

/// Throughput by kind and status, overdue counts by department and every
/// overdue item (admin, auditor).
#[utoipa::path(get, path = "/api/v1/workflow-summary", tag = "workflows",
    responses((status = 200, body = xinyong_app::WorkflowSummary),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn workflow_summary(
    State(s): State<AppState>,
    Caller(by): Caller,
) -> Answer<xinyong_app::WorkflowSummary> {
    Ok(Json(s.app.workflow_summary(&by).await?))
}

/// Run the periodic check now (admin): overdue flags, missed due days.
#[utoipa::path(post, path = "/api/v1/workflow-checks", tag = "workflows",
    responses((status = 200, body = xinyong_app::WorkflowCheck),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn run_workflow_checks(
    State(s): State<AppState>,
    Caller(by): Caller,
) -> Answer<xinyong_app::WorkflowCheck> {
    Ok(Json(s.app.run_workflow_checks(&by).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct OutboxParams {
    /// Only notifications not yet delivered.
    #[serde(default)]
    pub pending: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct OutboxItem {
    pub id: i64,
    pub case_id: i64,
    pub partner_kind: String,
    pub partner_id: String,
    #[schema(value_type = Object)]
    pub payload: Value,
    pub created_at: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub delivered_at: Option<String>,
}

/// The outbox of partner notifications with their delivery attempts
/// (admin, auditor).
#[utoipa::path(get, path = "/api/v1/outbox", tag = "workflows", params(OutboxParams),
    responses((status = 200, body = Vec<OutboxItem>),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn outbox(
    State(s): State<AppState>,
    Caller(by): Caller,
    Query(p): Query<OutboxParams>,
) -> Answer<Vec<OutboxItem>> {
    let entries = s.app.outbox(&by, p.pending.unwrap_or(false)).await?;
    Ok(Json(entries.into_iter().map(OutboxItem::from).collect()))
}

impl From<xinyong_app::OutboxEntry> for OutboxItem {
    fn from(e: xinyong_app::OutboxEntry) -> OutboxItem {
        OutboxItem {
            id: e.id,
            case_id: e.case_id,
            partner_kind: e.partner_kind,
            partner_id: e.partner_id,
            payload: serde_json::from_str(&e.payload).unwrap_or(Value::Null),
            created_at: e.created_at,
            attempts: e.attempts,
            last_error: e.last_error,
            delivered_at: e.delivered_at,
        }
    }
}

/// The caller's own notifications (a bank, a department clerk, an
/// officer): repairs and corrections of records it received, newest first;
/// `pending=true`: not yet acknowledged. The pull transport of the outbox.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "workflows", params(OutboxParams),
    responses((status = 200, body = Vec<OutboxItem>),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn notifications(
    State(s): State<AppState>,
    Caller(by): Caller,
    Query(p): Query<OutboxParams>,
) -> Answer<Vec<OutboxItem>> {
    let entries = s
        .app
        .my_notifications(&by, p.pending.unwrap_or(false))
        .await?;
    Ok(Json(entries.into_iter().map(OutboxItem::from).collect()))
}

/// Acknowledge one of the caller's notifications: it is delivered (again:
/// no change).
#[utoipa::path(post, path = "/api/v1/notifications/{id}/acknowledgement", tag = "workflows",
    params(("id" = i64, Path, description = "the notification's id")),
    responses((status = 200, body = OutboxItem),
              (status = "default", description = "error", body = crate::ErrorBody)))]
async fn acknowledge_notification(
    State(s): State<AppState>,
    Caller(by): Caller,
    Path(id): Path<i64>,
) -> Answer<OutboxItem> {
    Ok(Json(s.app.acknowledge_notification(&by, id).await?.into()))
}

/// The OpenAPI document of every handler above (see [`crate::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "xinyong",
        description = "公共信用信息平台 API (INTERCHANGE.md §4)"
    ),
    paths(
        health,
        openapi_json,
        metrics,
        login,
        whoami,
        logout,
        search,
        public_profile,
        full_profile,
        submit_records,
        submission_stats,
        rejected_rows,
        authorise_bank,
        list_accounts,
        add_account,
        create_api_token,
        revoke_api_token,
        audit_verification,
        audit_entries,
        models,
        runs,
        start_evaluation,
        list_tasks,
        task,
        cancel_task,
        issue_report,
        report_pdf,
        verify_report,
        file_objection,
        decide_objection,
        apply_repair,
        decide_repair,
        sign_commitment,
        record_fulfilment,
        workflow_items,
        workflow_item,
        workflow_summary,
        run_workflow_checks,
        outbox,
        notifications,
        acknowledge_notification,
        crate::supervision::credit_check,
        crate::supervision::credit_check_log,
        crate::supervision::batch_credit_check,
        crate::supervision::credit_check_stats,
        crate::supervision::check_feedback,
        crate::supervision::measures,
        crate::supervision::approval_matters,
        crate::supervision::lists,
        crate::supervision::published_entries,
        crate::supervision::list_entries,
        crate::supervision::enter_list_entry,
        crate::supervision::propose_list_entries,
        crate::supervision::list_entry,
        crate::supervision::list_entry_step,
        crate::inspection::list_plans,
        crate::inspection::create_plan,
        crate::inspection::get_plan,
        crate::inspection::publish_plan,
        crate::inspection::draw_plan,
        crate::inspection::plan_list,
        crate::inspection::verify_plan,
        crate::inspection::plan_tasks,
        crate::inspection::my_tasks,
        crate::inspection::record_result,
        crate::xinyidai::bank_authorisations,
        crate::xinyidai::revoke_bank_authorisation,
        crate::xinyidai::bank_queries,
        crate::xinyidai::apply_financing,
        crate::xinyidai::financing_file,
        crate::xinyidai::issue_recommendations,
        crate::xinyidai::recommendations,
        crate::xinyidai::report_loan,
        crate::xinyidai::xinyidai_statistics
    ),
    components(schemas(crate::ErrorBody))
)]
pub(crate) struct ApiDoc;
