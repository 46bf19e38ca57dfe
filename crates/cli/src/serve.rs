//! `xinyong serve`: the web pages and the HTTP API until SIGINT or SIGTERM.
//!
//! One site: the API owns `/api/…` and `/metrics` (an unknown path there
//! answers the API's JSON 404), the pages everything else (an unknown path
//! answers the HTML 404 page). The two routers are kept whole, each with
//! its own fallback and middleware, and a request goes to one of them by
//! its path.

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
    /// Close a connection that has not sent a whole request head this many
    /// seconds after it opened or after its previous answer (slow clients).
    #[arg(long, default_value_t = 10)]
    pub header_timeout: u64,
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
            header_read_timeout: Duration::from_secs(self.header_timeout.max(1)),
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
    // What the dashboards read of the stored runs, computed before anyone asks.
    app.spawn_statistics_warmer();
    let pages = pages_config(&config);
    let header_timeout = config.header_read_timeout;
    let site = site(Arc::clone(&app), config, pages);
    let served = accept_loop(listener, site, header_timeout, shutdown_signal()).await;
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

/// Accept connections until `shutdown` completes, then let the requests in
/// flight finish. Each connection is served by hyper's HTTP/1 with a timer,
/// so the header read timeout holds (`axum::serve` gives hyper no timer, and
/// a client sending its request head byte by byte, or nothing, would keep
/// its connection for ever). The remote address reaches the handlers as
/// axum's `ConnectInfo`, as `into_make_service_with_connect_info` gives it.
pub(crate) async fn accept_loop(
    listener: tokio::net::TcpListener,
    site: Router,
    header_timeout: Duration,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .keep_alive(true);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    // Out of file descriptors and the like: the listener
                    // stays; wait a moment rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let router = site.clone();
        let service =
            hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                req.extensions_mut()
                    .insert(axum::extract::ConnectInfo(remote));
                let router = router.clone();
                async move { router.oneshot(req.map(axum::body::Body::new)).await }
            });
        let conn = http.serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            // A connection's end (closed by the client, timed out, a
            // malformed request) is no error of the server's.
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, %remote, "connection ended");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
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

    /// The site over a new, empty installation in `dir`.
    async fn empty_site(dir: &std::path::Path) -> Router {
        let app = App::open(
            &xinyong_app::AppConfig {
                data_dir: dir.to_path_buf(),
                database_url: None,
            },
            Arc::new(xinyong_app::SystemClock),
        )
        .await
        .unwrap();
        site(
            Arc::new(app),
            ServerConfig::default(),
            PagesConfig::default(),
        )
    }

    #[tokio::test]
    async fn the_api_keeps_its_paths_and_the_pages_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let site = empty_site(dir.path()).await;
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

    /// A client that never finishes its request head loses its connection
    /// after the header timeout, while a whole request on the same server is
    /// answered (with the caller's address, as the throttling needs it).
    #[tokio::test]
    async fn a_slow_client_is_cut_off_and_a_whole_request_answered() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let dir = tempfile::tempdir().unwrap();
        let site = empty_site(dir.path()).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(accept_loop(
            listener,
            site,
            Duration::from_secs(1),
            async move {
                let _ = stopped.await;
            },
        ));

        // Half a request head, then silence.
        let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
        slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        let started = std::time::Instant::now();
        let mut rest = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(20), slow.read_to_end(&mut rest)).await;
        let waited = started.elapsed();
        assert!(
            read.is_ok(),
            "the half-sent request still holds its connection after 20 s"
        );
        assert!(
            waited >= Duration::from_millis(900),
            "closed before the timeout: {waited:?}"
        );
        assert!(
            rest.is_empty() || String::from_utf8_lossy(&rest).starts_with("HTTP/1.1 408"),
            "{}",
            String::from_utf8_lossy(&rest)
        );

        // A connection that sends nothing at all is closed too.
        let mut idle = tokio::net::TcpStream::connect(addr).await.unwrap();
        let read = tokio::time::timeout(Duration::from_secs(20), idle.read_to_end(&mut rest)).await;
        assert!(read.is_ok(), "an idle connection is kept after 20 s");

        // A whole request is answered.
        let mut whole = tokio::net::TcpStream::connect(addr).await.unwrap();
        whole
            .write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut answer = Vec::new();
        whole.read_to_end(&mut answer).await.unwrap();
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

        stop.send(()).unwrap();
        server.await.unwrap().unwrap();
    }
}
