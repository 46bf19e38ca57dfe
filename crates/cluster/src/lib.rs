//! xinyong on Apache DataFusion Ballista (PRODUCT.md C16): the evaluation
//! plan of one machine (`Grouping::Partitioned`, its inputs hash-partitioned
//! by subject key) run by a Ballista scheduler on its executors.
//!
//! * [`codec`]: [`codec::XinyongCodec`], which carries xinyong's operators
//!   between client, scheduler and executors.
//! * [`processes`]: the scheduler and the executor, Ballista's, with that
//!   codec registered (`xinyong cluster scheduler|executor`).
//! * [`BallistaSubmitter`]: submits a run's plan to a scheduler; the engine's
//!   [`evaluate_all_remote`](xinyong_engine::batch::evaluate_all_remote)
//!   commits the run as it commits a local one.
//!
//! The stages Ballista cuts the plan into are the scans of the lake (one task
//! per Parquet file group, each hash-partitioning its rows by subject key
//! into shuffle files) and the evaluation (one task per partition, reading
//! its partition of every input, evaluating it and writing
//! `part-NNNN.parquet` of the run's results directory). Executors therefore
//! read the lake and write the results at the same paths as the client: a
//! shared filesystem (docs/CLUSTER.md).

pub mod codec;
pub mod engine;
pub mod processes;

use std::sync::Arc;

use ballista_core::execution_plans::execute_physical_plan;
use ballista_core::extension::SessionConfigExt;
use datafusion::execution::SendableRecordBatchStream;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::prelude::SessionConfig;
use datafusion_proto::protobuf::PhysicalPlanNode;
use futures::FutureExt;
use futures::future::BoxFuture;
use xinyong_engine::batch::PlanSubmitter;

pub use codec::XinyongCodec;
pub use processes::{ExecutorOptions, SchedulerOptions, run_executor, run_scheduler};

/// Why a cluster process or submission failed.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("{0}")]
    Config(String),
    #[error("ballista: {0}")]
    Ballista(String),
}

impl ClusterError {
    fn ballista(e: impl std::fmt::Display) -> ClusterError {
        ClusterError::Ballista(e.to_string())
    }
}

/// Submits plans to the Ballista scheduler at `url`.
#[derive(Debug, Clone)]
pub struct BallistaSubmitter {
    url: String,
    codec: Arc<XinyongCodec>,
}

impl BallistaSubmitter {
    /// A submitter to the scheduler at `url` (`host:port`, `http://host:port`
    /// or `df://host:port`).
    pub fn new(url: &str) -> Result<BallistaSubmitter, ClusterError> {
        let (host, port) = processes::scheduler_host_port(url)?;
        Ok(BallistaSubmitter {
            url: format!("http://{host}:{port}"),
            codec: Arc::new(XinyongCodec::default()),
        })
    }

    /// The scheduler's address, as the gRPC client uses it.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl PlanSubmitter for BallistaSubmitter {
    fn submit(
        &self,
        plan: Arc<dyn ExecutionPlan>,
    ) -> BoxFuture<'_, datafusion::common::Result<SendableRecordBatchStream>> {
        async move {
            // A physical plan is planned by Ballista's static planner (its
            // adaptive one takes logical plans only).
            let config = SessionConfig::new_with_ballista()
                .with_ballista_job_name("xinyong evaluate-all")
                .with_ballista_physical_extension_codec(self.codec.clone());
            let ballista = config.ballista_config();
            let session_id = format!("xinyong-{}", std::process::id());
            execute_physical_plan::<PhysicalPlanNode>(
                self.url.clone(),
                &ballista,
                plan,
                self.codec.as_ref(),
                session_id,
                config,
            )
            .await
        }
        .boxed()
    }
}
