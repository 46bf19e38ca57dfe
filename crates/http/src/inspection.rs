//! Handlers of the random-inspection routes (`/api/v1/inspection/…`,
//! PRODUCT.md C11): plans created, published and drawn by admins; tasks and
//! results for officers; the published inputs and the verification of a
//! draw for anyone. Rows of `ROUTES` in `routes.rs`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use xinyong_app::{
    DrawRequest, InspectionPlanView, InspectionTaskView, NewPlanRequest, PlanVerification,
    ResultRequest, SuppliedLists,
};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Body, Caller, Path};

type Answer<T> = Result<Json<T>, ApiError>;

/// Every inspection plan, newest first (anyone; a plan's published record
/// appears once it is published).
#[utoipa::path(get, path = "/api/v1/inspection/plans", tag = "inspection",
    responses((status = 200, body = Vec<InspectionPlanView>),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn list_plans(
    State(s): State<AppState>,
    Caller(by): Caller,
) -> Answer<Vec<InspectionPlanView>> {
    Ok(Json(s.app.inspection_plans(&by).await?))
}

/// Create a plan (admin): the pool is built from the store, the roster
/// from officer accounts, the recusals from the links and the last
/// inspections; the seed is committed. Audited.
#[utoipa::path(post, path = "/api/v1/inspection/plans", tag = "inspection",
    request_body = NewPlanRequest,
    responses((status = 201, body = InspectionPlanView),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn create_plan(
    State(s): State<AppState>,
    Caller(by): Caller,
    Body(b): Body<NewPlanRequest>,
) -> Result<(StatusCode, Json<InspectionPlanView>), ApiError> {
    let plan = s.app.create_inspection_plan(&by, b).await?;
    Ok((StatusCode::CREATED, Json(plan)))
}

/// One plan: its published record and, once drawn, the draw with the
/// revealed seed and every task (anyone).
#[utoipa::path(get, path = "/api/v1/inspection/plans/{plan_id}", tag = "inspection",
    params(("plan_id" = String, Path, description = "the plan id")),
    responses((status = 200, body = InspectionPlanView),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn get_plan(
    State(s): State<AppState>,
    Caller(by): Caller,
    Path(plan_id): Path<String>,
) -> Answer<InspectionPlanView> {
    Ok(Json(s.app.inspection_plan(&by, &plan_id).await?))
}

/// Publish a plan (admin): the digests of its lists and the seed
/// commitment become public. Audited.
#[utoipa::path(post, path = "/api/v1/inspection/plans/{plan_id}/publication", tag = "inspection",
    params(("plan_id" = String, Path, description = "the plan id")),
    responses((status = 200, body = InspectionPlanView),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn publish_plan(
    State(s): State<AppState>,
    Caller(by): Caller,
    Path(plan_id): Path<String>,
) -> Answer<InspectionPlanView> {
    Ok(Json(s.app.publish_inspection_plan(&by, &plan_id).await?))
}

/// Draw a published plan (admin): the seed is revealed, the tasks stored.
/// Audited.
#[utoipa::path(post, path = "/api/v1/inspection/plans/{plan_id}/draw", tag = "inspection",
    params(("plan_id" = String, Path, description = "the plan id")),
    request_body = DrawRequest,
    responses((status = 201, body = InspectionPlanView),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn draw_plan(
    State(s): State<AppState>,
    Caller(by): Caller,
    Path(plan_id): Path<String>,
    Body(b): Body<DrawRequest>,
) -> Result<(StatusCode, Json<InspectionPlanView>), ApiError> {
    let plan = s.app.draw_inspection_plan(&by, &plan_id, b).await?;
    Ok((StatusCode::CREATED, Json(plan)))
}

/// One published list of a plan (`pool`, `roster`, `recusals`, `items`),
/// byte for byte as digested (docs/INSPECTION-DRAW.md §2). The pool of a
/// plan classed by risk classification: government roles only.
#[utoipa::path(get, path = "/api/v1/inspection/plans/{plan_id}/lists/{list}", tag = "inspection",
    params(("plan_id" = String, Path, description = "the plan id"),
           ("list" = String, Path, description = "pool, roster, recusals or items")),
    responses((status = 200, description = "the canonical list", content_type = "text/tab-separated-values", body = String),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn plan_list(
    State(s): State<AppState>,
    Caller(by): Caller,
    Path((plan_id, list)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let text = s.app.inspection_plan_list(&by, &plan_id, &list).await?;
    Ok((
        [(CONTENT_TYPE, "text/tab-separated-values; charset=utf-8")],
        text,
    )
        .into_response())
}

/// Re-run a drawn plan's draw from its published inputs and seed: whether
/// the result is identical, and every check (anyone).
#[utoipa::path(get, path = "/api/v1/inspection/plans/{plan_id}/verification", tag = "inspection",
    params(("plan_id" = String, Path, description = "the plan id")),
    responses((status = 200, body = PlanVerification),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn verify_plan(
    State(s): State<AppState>,
    Caller(by): Caller,
    Path(plan_id): Path<String>,
) -> Answer<PlanVerification> {
    Ok(Json(
        s.app
            .verify_inspection_plan(&by, &plan_id, SuppliedLists::default())
            .await?,
    ))
}

/// The tasks of a plan with their latest results (officers, admins,
/// auditors). Audited.
#[utoipa::path(get, path = "/api/v1/inspection/plans/{plan_id}/tasks", tag = "inspection",
    params(("plan_id" = String, Path, description = "the plan id")),
    responses((status = 200, body = Vec<InspectionTaskView>),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn plan_tasks(
    State(s): State<AppState>,
    Caller(by): Caller,
    Path(plan_id): Path<String>,
) -> Answer<Vec<InspectionTaskView>> {
    Ok(Json(s.app.inspection_tasks(&by, &plan_id).await?))
}

/// The caller's own inspection tasks (an officer's). Audited.
#[utoipa::path(get, path = "/api/v1/inspection/tasks", tag = "inspection",
    responses((status = 200, body = Vec<InspectionTaskView>),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn my_tasks(
    State(s): State<AppState>,
    Caller(by): Caller,
) -> Answer<Vec<InspectionTaskView>> {
    Ok(Json(s.app.my_inspection_tasks(&by).await?))
}

/// Enter the result of a task (an inspector of the task, or an admin): it
/// becomes an `inspection` record, due for publication 20 working days
/// after the inspection ended. Audited.
#[utoipa::path(post, path = "/api/v1/inspection/plans/{plan_id}/tasks/{number}/results", tag = "inspection",
    params(("plan_id" = String, Path, description = "the plan id"),
           ("number" = i64, Path, description = "the task number, from 1")),
    request_body = ResultRequest,
    responses((status = 201, body = InspectionTaskView),
              (status = "default", description = "error", body = crate::ErrorBody)))]
pub(crate) async fn record_result(
    State(s): State<AppState>,
    Caller(by): Caller,
    Path((plan_id, number)): Path<(String, i64)>,
    Body(b): Body<ResultRequest>,
) -> Result<(StatusCode, Json<InspectionTaskView>), ApiError> {
    let task = s
        .app
        .record_inspection_result(&by, &plan_id, number, b)
        .await?;
    Ok((StatusCode::CREATED, Json(task)))
}
