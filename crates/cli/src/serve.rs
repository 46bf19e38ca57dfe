//! `xinyong serve`: the web pages and the HTTP API until SIGINT or SIGTERM.
//!
//! One site: the API owns `/api/…` and `/metrics` (an unknown path there
//! answers the API's JSON 404), the pages everything else (an unknown path
//! answers the HTML 404 page). The two routers are kept whole, each with
//! its own fallback and middleware, and a request goes to one of them by
//! its path.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::response::Response;
use clap::Args;
use tower::ServiceExt;
use xinyong_app::App;
use xinyong_http::ServerConfig;
use xinyong_pages::PagesConfig;

use crate::store_cmds::{app_fail, open_app};
use crate::{StoreArgs, fail};

#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Address to listen on.
    #[arg(long, env = "XINYONG_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// Mark the session cookie `Secure` (set when the server is reached over TLS).
    #[arg(long, env = "XINYONG_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Answer 503 to a request still running after this many seconds.
    #[arg(long, default_value_t = 60)]
    pub request_timeout: u64,
    /// The address people reach the platform at (e.g.
    /// https://credit.example.gov.cn): the QR code of a credit report points
    /// to its verification page under it. Default http://127.0.0.1:8080.
    #[arg(long, env = "XINYONG_PUBLIC_URL")]
    pub public_url: Option<String>,
}

impl ServeArgs {
    fn config(&self) -> ServerConfig {
        ServerConfig {
            request_timeout: Duration::from_secs(self.request_timeout.max(1)),
            secure_cookies: self.secure_cookies,
            ..ServerConfig::default()
        }
    }
}

/// `xinyong serve`.
pub async fn serve(a: ServeArgs) -> ExitCode {
    let app = match open_app(&a.store).await {
        Ok(app) => Arc::new(app),
        Err(e) => return app_fail(e),
    };
    if let Some(url) = &a.public_url
        && let Err(e) = app.set_public_url(url)
    {
        return app_fail(e);
    }
    run(app, &a.addr, a.config(), |_| {}).await
}

/// Serve `app` at `addr`; `ready` is told the bound address (a port of 0
/// picks a free one) before the first request is accepted.
pub async fn run(
    app: Arc<App>,
    addr: &str,
    config: ServerConfig,
    ready: impl FnOnce(std::net::SocketAddr),
) -> ExitCode {
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => return fail(2, format!("cannot listen on {addr}: {e}")),
    };
    let bound = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => return fail(1, e),
    };
    eprintln!("xinyong: serving http://{bound}/ (pages) and http://{bound}/api/v1/ (Ctrl-C stops)");
    ready(bound);
    // Submissions are re-evaluated in the background; the first round
    // catches up what a previous process left behind.
    if let Err(e) = app.adopt_unmarked_store().await {
        return fail(
            1,
            format!("cannot read the store's re-evaluation mark: {e}"),
        );
    }
    app.spawn_reevaluator(xinyong_app::DEFAULT_REEVALUATION_DELAY);
    let pages = pages_config(&config);
    let site = site(Arc::clone(&app), config, pages);
    let served = axum::serve(
        listener,
        site.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await;
    // Requests in flight have finished: cancel and await the running tasks
    // (a cancelled evaluation writes nothing).
    app.shutdown_tasks().await;
    match served {
        Ok(()) => {
            eprintln!("xinyong: stopped");
            ExitCode::SUCCESS
        }
        Err(e) => fail(1, format!("server failed: {e}")),
    }
}

/// The pages' configuration for a server: its cookies as the API's, its
/// time limit, and the key of the forms' CSRF tokens from
/// `XINYONG_PAGES_SECRET` when set (servers sharing sessions must share
/// it), else a random one for this process.
fn pages_config(config: &ServerConfig) -> PagesConfig {
    let mut pages = PagesConfig::new(config.secure_cookies);
    pages.request_timeout = config.request_timeout;
    match std::env::var("XINYONG_PAGES_SECRET") {
        Ok(text) if !text.is_empty() => pages.with_secret_text(&text),
        _ => pages,
    }
}

/// Whether a path belongs to the HTTP API.
fn owned_by_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/") || path == "/metrics"
}

/// The whole site: the HTTP API and the pages, each router whole.
pub fn site(app: Arc<App>, config: ServerConfig, pages: PagesConfig) -> Router {
    let api = xinyong_http::router(Arc::clone(&app), config);
    let pages = xinyong_pages::router(app, pages);
    // A fallback sets no matched path, so each router sees the request as
    // if it were alone (its metrics keep their route patterns).
    Router::new().fallback(dispatch).with_state((api, pages))
}

async fn dispatch(State((api, pages)): State<(Router, Router)>, req: Request) -> Response {
    let to = if owned_by_api(req.uri().path()) {
        api
    } else {
        pages
    };
    let Ok(resp) = to.oneshot(req).await;
    resp
}

/// SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    eprintln!("xinyong: stopping: finishing the requests in flight");
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::StatusCode;
    use axum::http::header::CONTENT_TYPE;

    async fn call(site: &Router, uri: &str) -> (StatusCode, String) {
        let resp = site
            .clone()
            .oneshot(
                axum::http::Request::builder()
                    .uri(uri)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        let ty = resp
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (resp.status(), ty)
    }

    #[tokio::test]
    async fn the_api_keeps_its_paths_and_the_pages_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::open(
            &xinyong_app::AppConfig {
                data_dir: dir.path().to_path_buf(),
                database_url: None,
            },
            Arc::new(xinyong_app::SystemClock),
        )
        .await
        .unwrap();
        let site = site(
            Arc::new(app),
            ServerConfig::default(),
            PagesConfig::default(),
        );
        let (status, ty) = call(&site, "/api/v1/health").await;
        assert_eq!(status, StatusCode::OK);
        assert!(ty.starts_with("application/json"), "{ty}");
        let (status, ty) = call(&site, "/api/v1/nowhere").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(ty.starts_with("application/json"), "{ty}");
        let (status, _) = call(&site, "/metrics").await;
        assert_eq!(status, StatusCode::OK);
        let (status, ty) = call(&site, "/").await;
        assert_eq!(status, StatusCode::OK);
        assert!(ty.starts_with("text/html"), "{ty}");
        let (status, ty) = call(&site, "/nowhere").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(ty.starts_with("text/html"), "{ty}");
        let (status, ty) = call(&site, "/apiary").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(ty.starts_with("text/html"), "{ty}");
    }
}
