//! Error pages: every failure answers an HTML page in Chinese with the
//! status the HTTP API would give (404, 403, 422, 429, 500, 503), and a
//! page that needs a login sends the visitor to the login page.

use askama::Template;
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use xinyong_app::{AppError, ErrorClass, ErrorCode};

use crate::PagesState;
use crate::format;
use crate::session::{Chrome, Ctx};

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    chrome: Chrome,
    heading: String,
    message: String,
}

/// An HTML answer.
pub fn html(status: StatusCode, body: String) -> Response {
    let mut resp = (status, body).into_response();
    resp.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    resp
}

/// Render a page, or the 500 page when it cannot be rendered.
pub fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(body) => html(status, body),
        Err(e) => {
            tracing::error!(error = %e, "a page could not be rendered");
            internal_page()
        }
    }
}

/// A page with a heading and a message.
pub fn message(
    s: Option<&PagesState>,
    ctx: Option<&Ctx>,
    status: StatusCode,
    heading: &str,
    message: &str,
) -> Response {
    let chrome = match s {
        Some(s) => Chrome::new(s, ctx, heading, ""),
        None => Chrome::public(heading),
    };
    render(
        status,
        &MessagePage {
            chrome,
            heading: heading.to_owned(),
            message: message.to_owned(),
        },
    )
}

/// The 500 page (also for a panic; no state needed).
pub fn internal_page() -> Response {
    let page = MessagePage {
        chrome: Chrome::public("系统内部错误"),
        heading: "系统内部错误".to_owned(),
        message: "平台暂时无法完成这个请求，请稍后再试。问题已记录。".to_owned(),
    };
    match page.render() {
        Ok(body) => html(StatusCode::INTERNAL_SERVER_ERROR, body),
        Err(_) => html(
            StatusCode::INTERNAL_SERVER_ERROR,
            "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>系统内部错误</title>\
             <main><h1>系统内部错误</h1></main></html>"
                .to_owned(),
        ),
    }
}

/// The 503 page of a request that took too long.
pub fn timeout_page() -> Response {
    message(
        None,
        None,
        StatusCode::SERVICE_UNAVAILABLE,
        "请求处理超时",
        "平台繁忙，请稍后再试。",
    )
}

/// The 404 page.
pub fn not_found(s: &PagesState, ctx: Option<&Ctx>) -> Response {
    message(
        Some(s),
        ctx,
        StatusCode::NOT_FOUND,
        "页面不存在",
        "没有找到您要访问的页面或主体。请检查地址，或通过信用查询查找主体。",
    )
}

/// The 403 page.
pub fn forbidden(s: &PagesState, ctx: Option<&Ctx>, why: &str) -> Response {
    message(Some(s), ctx, StatusCode::FORBIDDEN, "无权访问", why)
}

/// Send the visitor to the login page, to come back to `path`.
pub fn to_login(path: &str) -> Response {
    let next = format::safe_next(path).unwrap_or("/");
    see_other(&format!("/login?next={}", format::query_value(next)))
}

/// 303 See Other.
pub fn see_other(location: &str) -> Response {
    let mut resp = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        resp.headers_mut().insert(LOCATION, v);
    }
    resp
}

/// The page of an application error: its status as the HTTP API gives it,
/// the caller's errors with what is wrong, the system's logged and not
/// shown.
pub fn app_error(s: &PagesState, ctx: Option<&Ctx>, e: AppError) -> Response {
    let caller_detail = || {
        if e.detail.is_empty() {
            e.code.message_zh().to_owned()
        } else {
            e.detail.clone()
        }
    };
    match e.code {
        ErrorCode::NotFound | ErrorCode::FileNotFound | ErrorCode::UnknownModel => {
            not_found(s, ctx)
        }
        ErrorCode::Unauthenticated => to_login(ctx.map_or("/", |c| c.path.as_str())),
        ErrorCode::Forbidden => forbidden(s, ctx, &caller_detail()),
        ErrorCode::InvalidQuery
        | ErrorCode::InvalidRequest
        | ErrorCode::UnusableInput
        | ErrorCode::InvalidModel
        | ErrorCode::NotYetRepairable
        | ErrorCode::NotRepairable => message(
            Some(s),
            ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            e.code.message_zh(),
            &caller_detail(),
        ),
        ErrorCode::Throttled => message(
            Some(s),
            ctx,
            StatusCode::TOO_MANY_REQUESTS,
            e.code.message_zh(),
            &caller_detail(),
        ),
        ErrorCode::Conflict | ErrorCode::Cancelled => message(
            Some(s),
            ctx,
            StatusCode::CONFLICT,
            e.code.message_zh(),
            &caller_detail(),
        ),
        _ => {
            debug_assert_eq!(e.class(), ErrorClass::System);
            tracing::error!(code = e.code.as_str(), detail = %e.detail, "page failed");
            if e.code == ErrorCode::StoreUnavailable {
                message(
                    Some(s),
                    ctx,
                    StatusCode::SERVICE_UNAVAILABLE,
                    "服务暂时不可用",
                    "数据库暂时无法使用，请稍后再试。",
                )
            } else {
                message(
                    Some(s),
                    ctx,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "系统内部错误",
                    "平台暂时无法完成这个请求，请稍后再试。问题已记录。",
                )
            }
        }
    }
}
