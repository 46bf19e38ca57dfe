//! The scheduler and executor processes of a xinyong cluster: Ballista's,
//! embedded in the `xinyong` binary with [`XinyongCodec`] registered
//! (`xinyong cluster scheduler`, `xinyong cluster executor`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use ballista_executor::executor_process::{ExecutorProcessConfig, start_executor_process};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::start_server;

use crate::ClusterError;
use crate::codec::XinyongCodec;
use crate::engine::XinyongEngine;

/// How a scheduler runs.
#[derive(Debug, Clone)]
pub struct SchedulerOptions {
    /// Where its gRPC service listens (clients and executors connect here).
    pub addr: SocketAddr,
    /// The host name executors and clients reach it by (default: the
    /// address's IP).
    pub external_host: Option<String>,
    /// An executor silent for this long is dead: its tasks run elsewhere and
    /// the shuffle output it held is computed again.
    pub executor_timeout_seconds: u64,
    /// Attempts of one task, and of one stage, before the run fails.
    pub max_failures: usize,
}

impl Default for SchedulerOptions {
    fn default() -> SchedulerOptions {
        SchedulerOptions {
            addr: SocketAddr::from(([127, 0, 0, 1], 50050)),
            external_host: None,
            executor_timeout_seconds: 30,
            max_failures: 4,
        }
    }
}

/// Run a scheduler until the process ends.
pub async fn run_scheduler(o: SchedulerOptions) -> Result<(), ClusterError> {
    let config = SchedulerConfig {
        bind_host: o.addr.ip().to_string(),
        bind_port: o.addr.port(),
        external_host: o
            .external_host
            .clone()
            .unwrap_or_else(|| o.addr.ip().to_string()),
        executor_timeout_seconds: o.executor_timeout_seconds.max(2),
        expire_dead_executor_interval_seconds: 1,
        task_max_failures: o.max_failures.max(1),
        stage_max_failures: o.max_failures.max(1),
        override_physical_codec: Some(Arc::new(XinyongCodec::default())),
        ..SchedulerConfig::default()
    };
    let cluster = BallistaCluster::new_from_config(&config)
        .await
        .map_err(ClusterError::ballista)?;
    start_server(cluster, o.addr, Arc::new(config))
        .await
        .map_err(ClusterError::ballista)
}

/// How an executor runs.
#[derive(Debug, Clone)]
pub struct ExecutorOptions {
    /// The scheduler: `host:port` or `http://host:port`.
    pub scheduler: String,
    /// The interface its services listen on.
    pub bind_host: String,
    /// The host name other executors and clients reach it by (default:
    /// `bind_host`).
    pub external_host: Option<String>,
    /// Its Arrow Flight port (shuffle output and results are fetched here).
    pub port: u16,
    /// Its gRPC port (the scheduler pushes tasks here).
    pub grpc_port: u16,
    /// Where shuffle output is written (default: a temporary directory).
    pub work_dir: Option<PathBuf>,
    /// Tasks run at once (default: the number of cores).
    pub concurrency: Option<usize>,
    /// Seconds between heartbeats to the scheduler; keep it well under the
    /// scheduler's executor timeout.
    pub heartbeat_seconds: u64,
}

/// `host:port` of a scheduler given as `host:port` or `http://host:port`.
pub fn scheduler_host_port(url: &str) -> Result<(String, u16), ClusterError> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("df://"))
        .unwrap_or(url)
        .trim_end_matches('/');
    let bad = || ClusterError::Config(format!("the scheduler {url:?} is not host:port"));
    let (host, port) = rest.rsplit_once(':').ok_or_else(bad)?;
    let port: u16 = port.parse().map_err(|_| bad())?;
    if host.is_empty() {
        return Err(bad());
    }
    Ok((host.trim_matches(['[', ']']).to_owned(), port))
}

/// Run an executor until the process ends.
pub async fn run_executor(o: ExecutorOptions) -> Result<(), ClusterError> {
    let (scheduler_host, scheduler_port) = scheduler_host_port(&o.scheduler)?;
    if let Some(dir) = &o.work_dir {
        std::fs::create_dir_all(dir)
            .map_err(|e| ClusterError::Config(format!("work dir {}: {e}", dir.display())))?;
    }
    let work_dir = match &o.work_dir {
        Some(d) => Some(
            d.to_str()
                .ok_or_else(|| {
                    ClusterError::Config(format!("work dir {} is not UTF-8", d.display()))
                })?
                .to_owned(),
        ),
        None => None,
    };
    let config = ExecutorProcessConfig {
        bind_host: o.bind_host.clone(),
        external_host: Some(o.external_host.clone().unwrap_or(o.bind_host.clone())),
        port: o.port,
        grpc_port: o.grpc_port,
        scheduler_host,
        scheduler_port,
        scheduler_connect_timeout_seconds: 30,
        vcores: o
            .concurrency
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .max(1),
        work_dir,
        print_thread_info: false,
        executor_heartbeat_interval_seconds: o.heartbeat_seconds.max(1),
        override_physical_codec: Some(Arc::new(XinyongCodec::default())),
        override_execution_engine: Some(Arc::new(XinyongEngine::default())),
        ..ExecutorProcessConfig::default()
    };
    start_executor_process(Arc::new(config))
        .await
        .map_err(ClusterError::ballista)
}
