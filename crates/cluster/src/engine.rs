//! The executors' execution engine: Ballista's, after telling each
//! [`WriteResultsExec`] which of the run's partitions it writes.
//!
//! The scheduler cuts a task's plan down to the task's partitions and the
//! executor numbers them from 0 again (`ballista-scheduler`'s
//! `state/task_builder.rs`, "restrict_plan_to_partitions"): a task given
//! partitions 3, 4 and 5 of the evaluation runs a plan whose output
//! partitions are 0, 1 and 2. The engine is told the stage's global output
//! partition ids; the evaluation stage passes its partitions through
//! unchanged, so output partition *i* of the task is the run's partition
//! `global[i]`, and that is the part its writer must name.

use std::sync::Arc;

use ballista_core::JobId;
use ballista_executor::execution_engine::{
    DefaultExecutionEngine, ExecutionEngine, QueryStageExecutor,
};
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::error::Result;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::prelude::SessionConfig;
use xinyong_engine::distributed::WriteResultsExec;

/// Ballista's default engine (without its connection pool, which is not
/// public), with the run's partition numbers given to the results writer.
#[derive(Default)]
pub struct XinyongEngine {
    inner: DefaultExecutionEngine,
}

impl ExecutionEngine for XinyongEngine {
    fn create_query_stage_exec(
        &self,
        job_id: JobId,
        stage_id: usize,
        task_id: usize,
        global_output_partition_ids: Vec<usize>,
        plan: Arc<dyn ExecutionPlan>,
        work_dir: &str,
        config: &SessionConfig,
    ) -> Result<Arc<dyn QueryStageExecutor>> {
        let ids = global_output_partition_ids.clone();
        let plan = plan
            .transform_down(|p| match p.downcast_ref::<WriteResultsExec>() {
                Some(w) => Ok(Transformed::yes(
                    Arc::new(w.with_global_partitions(ids.clone())) as Arc<dyn ExecutionPlan>,
                )),
                None => Ok(Transformed::no(p)),
            })?
            .data;
        self.inner.create_query_stage_exec(
            job_id,
            stage_id,
            task_id,
            global_output_partition_ids,
            plan,
            work_dir,
            config,
        )
    }
}
