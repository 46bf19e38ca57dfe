//! xinyong-pages: the web pages of the platform, server-rendered HTML in
//! simplified Chinese (askama templates, the project's own style sheet, no
//! JavaScript needed): the public credit portal (信用门户) — home, search,
//! a subject's public page, the page on what is shown and for how long —,
//! login and logout, and the enterprise space with its full credit profile
//! (and the same full profile for government roles).
//!
//! Handlers read the browser's session cookie (the same `xinyong_session`
//! cookie as the HTTP API, so one login serves both), call one use case of
//! `xinyong-app` and render its answer; they hold no business rule. Every
//! form is protected against cross-site request forgery (see [`csrf`]).
//! Errors are pages too (404, 403, 422, 429, 500, 503 in Chinese): no input
//! makes a handler panic, and a panic would still answer the 500 page.

mod admin;
mod briefings;
mod cases;
mod charts;
mod checks;
mod csrf;
mod dashboard;
mod dept;
mod error;
mod format;
mod handlers;
mod improve;
mod inspection;
mod lists;
mod paging;
mod session;
mod views;
mod xinyidai;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use rand::RngCore;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use xinyong_app::App;

/// The name of the browser session cookie: the HTTP API's
/// (`xinyong_http::SESSION_COOKIE`, checked by the tests), so that a login
/// on either serves both.
pub const SESSION_COOKIE: &str = "xinyong_session";

/// How the pages behave.
#[derive(Clone)]
pub struct PagesConfig {
    /// Mark the cookies `Secure` (the site is reached over TLS).
    pub secure_cookies: bool,
    /// The key of the forms' CSRF tokens. Servers that share sessions
    /// (behind one address) must share it; a random one is made per
    /// process otherwise (forms open across a restart are then refused
    /// once, with a page that says to submit again).
    pub secret: [u8; 32],
    /// A page taking longer is answered 503.
    pub request_timeout: Duration,
}

impl PagesConfig {
    /// A configuration with a random secret.
    pub fn new(secure_cookies: bool) -> PagesConfig {
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        PagesConfig {
            secure_cookies,
            secret,
            request_timeout: Duration::from_secs(60),
        }
    }

    /// The secret derived from a text (SHA-256 of it): for servers that
    /// share it through their configuration.
    pub fn with_secret_text(mut self, text: &str) -> PagesConfig {
        use sha2::{Digest, Sha256};
        self.secret = Sha256::digest(text.as_bytes()).into();
        self
    }
}

impl Default for PagesConfig {
    fn default() -> PagesConfig {
        PagesConfig::new(false)
    }
}

impl std::fmt::Debug for PagesConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PagesConfig")
            .field("secure_cookies", &self.secure_cookies)
            .field("secret", &"…")
            .field("request_timeout", &self.request_timeout)
            .finish()
    }
}

/// What every handler reaches.
#[derive(Clone)]
pub(crate) struct PagesState {
    pub app: Arc<App>,
    pub config: Arc<PagesConfig>,
}

/// The content security policy of every page: nothing but this site's own
/// style sheet, forms and scripts (files served here, never inline; the
/// pages work without them), which may fetch from this site only.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
                   script-src 'self'; connect-src 'self'; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The pages, their style sheet (`/static/site.css`) and the HTML error
/// pages (an unknown path answers the 404 page). Paths under `/api/` and
/// `/metrics` belong to the HTTP API: mount the two so that those go to it.
pub fn router(app: Arc<App>, config: PagesConfig) -> Router {
    let state = PagesState {
        app,
        config: Arc::new(config),
    };
    let header = |name: &'static str, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        )
    };
    Router::new()
        .route("/", get(handlers::home))
        .route("/search", get(handlers::search))
        .route("/subjects/{uscc}", get(handlers::subject))
        .route("/subjects/{uscc}/full", get(handlers::subject_full))
        .route("/my", get(handlers::my_space))
        .route("/my/improve", get(improve::my_improve))
        .route("/my/cases", get(cases::my_cases))
        .route("/my/objections/new", get(cases::objection_form))
        .route("/my/objections", post(cases::file_objection))
        .route("/my/repairs/new", get(cases::repair_form))
        .route("/my/repairs", post(cases::apply_repair))
        .route("/my/gov-claims/new", get(cases::gov_claim_form))
        .route("/my/gov-claims", post(cases::file_gov_claim))
        .route("/queue", get(cases::queue))
        .route("/queue/{id}", post(cases::decide))
        .route("/admin/workflows", get(cases::summary))
        .route("/subjects/{uscc}/reports", post(handlers::issue_report))
        .route("/reports", get(handlers::report_lookup))
        .route("/reports/{number}", get(handlers::report_verification))
        .route("/reports/{number}/pdf", get(handlers::report_pdf))
        .route("/about/disclosure", get(handlers::disclosure))
        .route("/inspection", get(inspection::plans))
        .route("/inspection/plans", post(inspection::create))
        .route("/inspection/plans/{plan_id}", get(inspection::plan))
        .route(
            "/inspection/plans/{plan_id}/publication",
            post(inspection::publish),
        )
        .route("/inspection/plans/{plan_id}/draw", post(inspection::draw))
        .route("/inspection/tasks", get(inspection::tasks))
        .route(
            "/inspection/plans/{plan_id}/tasks/{number}/results",
            post(inspection::record_result),
        )
        // lists and credit checks
        .route("/lists", get(lists::public_lists))
        .route("/lists/manage", get(lists::manage))
        .route("/lists/manage/entries", post(lists::enter))
        .route("/lists/manage/proposals", post(lists::propose))
        .route("/lists/manage/entries/{id}", get(lists::entry))
        .route("/lists/manage/entries/{id}/steps", post(lists::step))
        .route("/checks", get(checks::form).post(checks::run))
        .route("/checks/log", get(checks::log))
        .route(
            "/checks/batch",
            get(checks::batch_form).post(checks::batch_run),
        )
        .route("/checks/{id}", get(checks::result))
        .route("/checks/{id}/feedback", post(checks::feedback))
        // department console
        .route("/dept", get(dept::home))
        .route(
            "/dept/upload",
            get(dept::upload_form)
                .post(dept::upload)
                .layer(DefaultBodyLimit::max(dept::UPLOAD_BODY_LIMIT)),
        )
        .route("/dept/tasks/{id}", get(dept::task))
        .route("/dept/tasks/{id}/status", get(dept::task_status))
        .route("/dept/uploads/{batch}", get(dept::result))
        .route(
            "/dept/uploads/{batch}/rejected.csv",
            get(dept::rejected_download),
        )
        .route("/static/progress.js", get(dept::progress_script))
        // admin console
        .route("/admin", get(admin::home))
        .route(
            "/admin/accounts",
            get(admin::accounts).post(admin::create_account),
        )
        .route(
            "/admin/accounts/{username}/disable",
            post(admin::disable_account),
        )
        .route("/admin/tokens", post(admin::create_token))
        .route("/admin/tokens/{id}/revoke", post(admin::revoke_token))
        .route("/admin/models", get(admin::models))
        .route("/admin/runs", get(admin::runs).post(admin::start_run))
        .route("/admin/tasks/{id}", get(admin::task))
        .route("/admin/tasks/{id}/progress", get(admin::task_progress))
        .route("/admin/tasks/{id}/cancel", post(admin::cancel))
        .route("/admin/audit", get(admin::audit))
        .route("/admin/dashboard", get(dashboard::page))
        .route("/admin/dashboard/export", get(dashboard::export))
        .route(
            "/admin/briefings",
            get(briefings::list).post(briefings::issue),
        )
        .route("/admin/briefings/{id}/{format}", get(briefings::download))
        // 信易贷
        .route("/my/financing", get(xinyidai::enterprise))
        .route("/my/financing/applications", post(xinyidai::apply))
        .route("/my/financing/authorisations", post(xinyidai::authorise))
        .route(
            "/my/financing/authorisations/{id}/revoke",
            post(xinyidai::revoke),
        )
        .route("/bank", get(xinyidai::bank))
        .route("/bank/loans", post(xinyidai::report_loan))
        .route("/admin/xinyidai", get(xinyidai::admin))
        .route("/admin/xinyidai/lists", post(xinyidai::issue))
        .route("/login", get(handlers::login_form).post(handlers::login))
        .route("/logout", get(handlers::logout_form).post(handlers::logout))
        .route("/static/site.css", get(handlers::style_sheet))
        .fallback(handlers::not_found)
        .method_not_allowed_fallback(handlers::method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), time_limit))
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("a page handler panicked");
            error::internal_page()
        }))
        .layer(header("x-content-type-options", "nosniff"))
        .layer(header("x-frame-options", "DENY"))
        .layer(header("referrer-policy", "same-origin"))
        .layer(header("content-security-policy", CSP))
        .layer(header("cache-control", "no-store"))
        .layer(CompressionLayer::new())
        .with_state(state)
}

/// Answer the 503 page when a page takes longer than the limit.
async fn time_limit(State(s): State<PagesState>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(s.config.request_timeout, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => error::timeout_page(),
    }
}
