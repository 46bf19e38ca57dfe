//! xinyong-rules: credit models as data.
//!
//! A model is a TOML file with an id, a version, its validity dates and source
//! document, parameters, named values and rules whose conditions are written
//! in a small expression language over a subject's records (see
//! `docs/MODEL-LANGUAGE.md`). Files are validated when loaded; errors give the
//! line and column. The evaluator runs compiled models over Arrow record
//! batches and explains every result with rule ids, Chinese texts and the
//! records behind them.

pub mod columns;
pub mod compile;
pub mod data;
pub mod eval;
pub mod file;
pub mod ir;
pub mod memory;
pub mod result;
pub mod set;
pub mod syntax;
pub mod value;

pub use compile::{Model, alias_of};
pub use data::{CHUNK_BITS, CHUNK_ROWS, Table};
pub use eval::{EvalOptions, Evaluator};
pub use file::ModelError;
pub use ir::ModelKind;
pub use result::{Decision, OutVal, Output, Reason, RecordResult, ResultFields, SubjectResult};
pub use set::{BUILTIN, ModelSet};
