//! `xinyong cluster scheduler|executor`: the processes of a Ballista
//! cluster that can run xinyong's evaluation plan (docs/CLUSTER.md).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use xinyong_cluster::{ExecutorOptions, SchedulerOptions, run_executor, run_scheduler};

use crate::fail;

#[derive(Subcommand)]
pub enum ClusterCommand {
    /// Run a scheduler: it plans each submitted run into stages and hands
    /// their tasks to the executors.
    Scheduler(SchedulerArgs),
    /// Run an executor: it registers with the scheduler and runs tasks
    /// (scans of the lake, evaluations of partitions).
    Executor(ExecutorArgs),
}

#[derive(Args)]
pub struct SchedulerArgs {
    /// Address of the scheduler's gRPC service.
    #[arg(long, default_value = "127.0.0.1:50050")]
    pub addr: SocketAddr,
    /// Host name executors and clients reach the scheduler by (default: the
    /// address's IP).
    #[arg(long)]
    pub external_host: Option<String>,
    /// Seconds without a heartbeat after which an executor is dead and its
    /// work is done again elsewhere.
    #[arg(long, default_value_t = 30)]
    pub executor_timeout: u64,
    /// Attempts of a task (and of a stage) before a run fails.
    #[arg(long, default_value_t = 4)]
    pub max_failures: usize,
}

#[derive(Args)]
pub struct ExecutorArgs {
    /// The scheduler (`host:port` or `http://host:port`).
    #[arg(long)]
    pub scheduler: String,
    /// Interface the executor's services listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Host name the scheduler, other executors and clients reach this
    /// executor by (default: --bind).
    #[arg(long)]
    pub external_host: Option<String>,
    /// Arrow Flight port (shuffle output and results are fetched here).
    #[arg(long, default_value_t = 50051)]
    pub port: u16,
    /// gRPC port (the scheduler sends tasks here).
    #[arg(long, default_value_t = 50052)]
    pub grpc_port: u16,
    /// Where shuffle output is written (size it: every record a run reads
    /// passes through it once).
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
    /// Tasks run at once (default: the number of cores).
    #[arg(long)]
    pub concurrency: Option<usize>,
    /// Seconds between heartbeats (keep well under the scheduler's
    /// --executor-timeout).
    #[arg(long, default_value_t = 5)]
    pub heartbeat: u64,
}

pub async fn cluster(command: ClusterCommand) -> ExitCode {
    let outcome = match command {
        ClusterCommand::Scheduler(a) => {
            run_scheduler(SchedulerOptions {
                addr: a.addr,
                external_host: a.external_host,
                executor_timeout_seconds: a.executor_timeout,
                max_failures: a.max_failures,
            })
            .await
        }
        ClusterCommand::Executor(a) => {
            run_executor(ExecutorOptions {
                scheduler: a.scheduler,
                bind_host: a.bind,
                external_host: a.external_host,
                port: a.port,
                grpc_port: a.grpc_port,
                work_dir: a.work_dir,
                concurrency: a.concurrency,
                heartbeat_seconds: a.heartbeat,
            })
            .await
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(1, e),
    }
}
