//! xinyong-engine: evaluation of the credit models over the store.
//!
//! * [`lake`]: the columnar mirror of the store (Parquet segments) that batch
//!   evaluation scans;
//! * [`batch`]: full evaluation on Apache DataFusion with the custom
//!   [`exec::EvaluateExec`] operator;
//! * [`incremental`]: re-evaluation of the subjects an import touched;
//! * [`results`]: stored runs and their manifests (history of every result);
//! * [`models`]: built-in and installed model versions.

pub mod batch;
pub mod distributed;
pub mod exec;
pub mod history;
pub mod incremental;
pub mod lake;
pub mod lookup;
pub mod models;
pub mod results;
pub mod single;

use std::path::Path;

use xinyong_rules::EvalOptions;

/// Evaluation over the store: models are kept for the subjects they apply to
/// (`applies_to`), whichever path (full or incremental) runs.
pub(crate) fn over_store(opts: EvalOptions) -> EvalOptions {
    EvalOptions {
        scoped: true,
        ..opts
    }
}

/// Errors of the engine.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("store: {0}")]
    Store(#[from] xinyong_store::StoreError),
    #[error("{0}")]
    Model(xinyong_rules::ModelError),
    /// A model version already installed with another text.
    #[error("{0}")]
    ModelConflict(String),
    #[error("DataFusion: {0}")]
    DataFusion(#[from] datafusion::error::DataFusionError),
    #[error("Arrow: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
    #[error("Parquet: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    #[error("lake segment: {0}")]
    Segment(#[from] xinyong_columnar::SegmentError),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// The run was cancelled by its caller (and left no files).
    #[error("evaluation cancelled")]
    Cancelled,
    #[error("{0}")]
    Other(String),
}

impl EngineError {
    pub fn io(path: &Path, source: std::io::Error) -> EngineError {
        EngineError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

/// Wait until `done` holds (tests; at most 20 s).
#[cfg(test)]
async fn wait_until(what: &str, done: impl Fn() -> bool) {
    for _ in 0..2000 {
        if done() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("still not true after 20 s: {what}");
}
