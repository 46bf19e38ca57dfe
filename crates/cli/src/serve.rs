//! `xinyong serve`: the API (and, later, the pages) until SIGINT or SIGTERM.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use xinyong_app::App;
use xinyong_http::ServerConfig;

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
    eprintln!("xinyong: serving http://{bound}/api/v1/ (Ctrl-C stops)");
    ready(bound);
    match xinyong_http::serve(listener, app, config, shutdown_signal()).await {
        Ok(()) => {
            eprintln!("xinyong: stopped");
            ExitCode::SUCCESS
        }
        Err(e) => fail(1, format!("server failed: {e}")),
    }
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
