//! xinyong-http: the HTTP API of INTERCHANGE.md §4 over the application
//! layer. Each route is one row of [`ROUTES`] (method, path, the
//! application's [`Operation`](xinyong_app::Operation) it performs, and its
//! handler); the router is built from that table only, so a route cannot
//! exist without a row, and the route × role test walks the table. Handlers
//! parse, call one use case of `xinyong-app` and present its answer: access
//! decisions, validation and audit are the application's.
//!
//! Around every route: a request id (`x-request-id`, generated unless the
//! client sent one, echoed in the answer and in every log line of the
//! request), a trace span, a panic turned into a 500 with the error body, a
//! time limit (503 `timeout`), a body size limit (413), gzip compression,
//! security headers, and the request metrics of `GET /metrics`.

mod error;
mod extract;
mod inspection;
mod metrics;
mod openapi;
mod routes;
mod supervision;
mod xinyidai;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use xinyong_app::App;

pub use error::{ApiError, ErrorBody, status_of};
pub use extract::SESSION_COOKIE;
pub use metrics::Metrics;
pub use openapi::openapi;
pub use routes::{ROUTES, Route};

/// How a server behaves.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// A request taking longer is answered 503 `timeout`.
    pub request_timeout: Duration,
    /// Larger bodies are answered 413 `payload_too_large`.
    pub body_limit: usize,
    /// Mark the session cookie `Secure` (the server is reached over TLS,
    /// e.g. behind a terminating proxy).
    pub secure_cookies: bool,
    /// A connection that has not sent a whole request head (line and
    /// headers) this long after it opened, or after its previous answer, is
    /// closed: a slow or idle client cannot hold a connection (and its
    /// memory) for ever. Applied by the accept loop of `xinyong serve`.
    pub header_read_timeout: Duration,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            request_timeout: Duration::from_secs(60),
            body_limit: 16 * 1024 * 1024,
            secure_cookies: false,
            header_read_timeout: Duration::from_secs(10),
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub app: Arc<App>,
    pub metrics: Arc<Metrics>,
    pub config: Arc<ServerConfig>,
}

/// The whole API as one router.
pub fn router(app: Arc<App>, config: ServerConfig) -> Router {
    let state = AppState {
        app,
        metrics: Arc::new(Metrics::default()),
        config: Arc::new(config.clone()),
    };
    let mut r: Router<AppState> = Router::new();
    for route in ROUTES {
        r = r.route(route.path, (route.handler)());
    }
    let x_request_id = HeaderName::from_static("x-request-id");
    r.fallback(|| async { ApiError::not_found() })
        .method_not_allowed_fallback(|| async {
            ApiError::protocol(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "该地址不支持此请求方法",
            )
        })
        .layer(middleware::from_fn_with_state(state.clone(), track_metrics))
        .layer(DefaultBodyLimit::max(config.body_limit))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(
                    x_request_id.clone(),
                    MakeRequestUuid,
                ))
                .layer(
                    TraceLayer::new_for_http().make_span_with(|req: &Request| {
                        let id = req
                            .headers()
                            .get("x-request-id")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("");
                        tracing::info_span!("request", id, method = %req.method(), path = %req.uri().path())
                    })
                    .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
                )
                .layer(PropagateRequestIdLayer::new(x_request_id))
                .layer(SetResponseHeaderLayer::if_not_present(
                    HeaderName::from_static("x-content-type-options"),
                    HeaderValue::from_static("nosniff"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    HeaderName::from_static("x-frame-options"),
                    HeaderValue::from_static("DENY"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    HeaderName::from_static("referrer-policy"),
                    HeaderValue::from_static("same-origin"),
                ))
                // JSON and PDF only: nothing may load or frame them.
                .layer(SetResponseHeaderLayer::if_not_present(
                    HeaderName::from_static("content-security-policy"),
                    HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    HeaderName::from_static("cache-control"),
                    HeaderValue::from_static("no-store"),
                ))
                .layer(CompressionLayer::new())
                .layer(CatchPanicLayer::custom(|_| {
                    tracing::error!("a handler panicked");
                    ApiError::protocol(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "internal",
                        "系统内部错误",
                    )
                    .into_response()
                }))
                .layer(middleware::from_fn_with_state(state.clone(), time_limit)),
        )
        .with_state(state)
}

/// Answer 503 `timeout` when a request takes longer than the limit. The
/// handler's future is dropped: a store transaction in it rolls back.
async fn time_limit(State(s): State<AppState>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(s.config.request_timeout, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => ApiError::protocol(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            "请求处理超时，请稍后再试",
        )
        .into_response(),
    }
}

/// Count each request by its route pattern and status.
async fn track_metrics(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(unmatched)".to_owned(), |p| p.as_str().to_owned());
    let resp = next.run(req).await;
    s.metrics
        .observe(&method, &route, resp.status().as_u16(), start.elapsed());
    resp
}

/// Serve `app` on `listener` until `shutdown` completes; then stop accepting,
/// let the requests in flight finish, and cancel and await the running tasks
/// (a cancelled evaluation writes nothing).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Arc<App>,
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = router(Arc::clone(&app), config);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    app.shutdown_tasks().await;
    Ok(())
}
