//! The error body of INTERCHANGE.md §4 and the mapping of the application's
//! error codes to HTTP statuses. Only this file decides a status for an
//! error; handlers return `Result<_, ApiError>`.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use xinyong_app::{AppError, ErrorClass, ErrorCode};

/// `{"error": {"code": "...", "message": "中文说明"}}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable `snake_case` code: clients match on it.
    pub code: String,
    /// What went wrong, in Chinese.
    pub message: String,
    /// The request field at fault, where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// With `not_yet_repairable`: the first day a repair application is
    /// admissible (YYYY-MM-DD).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repairable_from: Option<String>,
}

/// An error answered to a client.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    field: Option<String>,
    repairable_from: Option<String>,
}

impl ApiError {
    /// An error of the protocol itself (not of a use case): malformed JSON,
    /// a wrong content type, an unknown path.
    pub fn protocol(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
            repairable_from: None,
        }
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn not_found() -> ApiError {
        ApiError::protocol(StatusCode::NOT_FOUND, "not_found", "未找到该地址")
    }
}

/// The status of an application error code.
pub fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::InvalidRequest
        | ErrorCode::InvalidQuery
        | ErrorCode::UnusableInput
        | ErrorCode::InvalidModel
        | ErrorCode::NotYetRepairable
        | ErrorCode::NotRepairable => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::NotFound | ErrorCode::FileNotFound | ErrorCode::UnknownModel => {
            StatusCode::NOT_FOUND
        }
        ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::Throttled => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::Conflict | ErrorCode::Cancelled => StatusCode::CONFLICT,
        ErrorCode::StoreUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        let status = status_of(e.code);
        // The caller's errors say what is wrong (the detail names the field
        // or the thing); the system's are logged, not shown.
        let message = match e.class() {
            ErrorClass::Caller if !e.detail.is_empty() => {
                format!("{}：{}", e.code.message_zh(), e.detail)
            }
            _ => {
                tracing::error!(code = e.code.as_str(), detail = %e.detail, "request failed");
                e.code.message_zh().to_owned()
            }
        };
        // `not_yet_repairable`'s detail is the date itself (see ErrorCode).
        let repairable_from = (e.code == ErrorCode::NotYetRepairable).then(|| e.detail.clone());
        ApiError {
            status,
            code: e.code.as_str(),
            message,
            field: e.field,
            repairable_from,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message,
                field: self.field,
                repairable_from: self.repairable_from,
            },
        };
        let mut resp = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        resp
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> ApiError {
        match r {
            JsonRejection::MissingJsonContentType(_) => ApiError::protocol(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "请求体须为 JSON（Content-Type: application/json）",
            ),
            JsonRejection::JsonSyntaxError(e) => ApiError::protocol(
                StatusCode::BAD_REQUEST,
                "malformed_request",
                format!("请求体不是合法的 JSON：{}", e.body_text()),
            ),
            JsonRejection::JsonDataError(e) => ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: ErrorCode::InvalidRequest.as_str(),
                message: format!(
                    "{}：{}",
                    ErrorCode::InvalidRequest.message_zh(),
                    e.body_text()
                ),
                field: None,
                repairable_from: None,
            },
            JsonRejection::BytesRejection(e) => {
                let status = e.status();
                if status == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::protocol(status, "payload_too_large", "请求体过大")
                } else {
                    ApiError::protocol(
                        StatusCode::BAD_REQUEST,
                        "malformed_request",
                        format!("无法读取请求体：{}", e.body_text()),
                    )
                }
            }
            other => ApiError::protocol(
                StatusCode::BAD_REQUEST,
                "malformed_request",
                format!("无法读取请求体：{}", other.body_text()),
            ),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> ApiError {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: ErrorCode::InvalidRequest.as_str(),
            message: format!("查询参数有误：{}", r.body_text()),
            field: None,
            repairable_from: None,
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(_: PathRejection) -> ApiError {
        ApiError::not_found()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_systems_errors_are_5xx() {
        for code in [
            ErrorCode::InvalidRequest,
            ErrorCode::UnusableInput,
            ErrorCode::FileNotFound,
            ErrorCode::UnknownModel,
            ErrorCode::InvalidModel,
            ErrorCode::NotFound,
            ErrorCode::Cancelled,
            ErrorCode::InvalidQuery,
            ErrorCode::Unauthenticated,
            ErrorCode::Forbidden,
            ErrorCode::Throttled,
            ErrorCode::Conflict,
            ErrorCode::StoreUnavailable,
            ErrorCode::Internal,
        ] {
            let s = status_of(code);
            assert_eq!(
                s.is_server_error(),
                code.class() == ErrorClass::System,
                "{code:?} → {s}"
            );
        }
        assert_eq!(status_of(ErrorCode::Unauthenticated), 401);
        assert_eq!(status_of(ErrorCode::Forbidden), 403);
        assert_eq!(status_of(ErrorCode::NotFound), 404);
        assert_eq!(status_of(ErrorCode::InvalidRequest), 422);
        assert_eq!(status_of(ErrorCode::Throttled), 429);
    }

    #[test]
    fn a_system_error_hides_its_detail() {
        let e: ApiError = AppError::new(ErrorCode::Internal, "disk /x failed").into();
        assert!(!e.message.contains("disk"));
        let e: ApiError = AppError::invalid("limit", "limit must be 1 to 50").into();
        assert!(e.message.contains("limit must be 1 to 50"));
        assert_eq!(e.field.as_deref(), Some("limit"));
    }
}
