//! xinyong-rules: credit models as data.
//!
//! A model is a TOML file with an id, a version, its validity dates and source
//! document, parameters, named values and rules whose conditions are written
//! in a small expression language over a subject's records (see
//! `docs/MODEL-LANGUAGE.md`). Files are validated when loaded; every error is
//! reported with its line and column. The evaluator runs compiled models over
//! Arrow record batches and explains every result with rule ids, Chinese
//! texts and the records behind them.
//!
//! The crate has two halves:
//!
//! * `lang`: the model language: the model file, the expression syntax, the
//!   type-checked compiler to the compiled form, the table of built-in
//!   functions (each with its arity, type rule and evaluation) and the
//!   diagnostics of a model file;
//! * `eval`: evaluation of compiled models for one subject: values and sets,
//!   record and subject models, the records behind a result (lineage), the
//!   day a result stops holding (`stops_on`) and the rendering of texts.
//!
//! Around them: the set of loaded models (`set`), the columns a selection of
//! models reads (`columns`), the record tables evaluated (`data`), results
//! and their JSON (`result`) and in-memory evaluation of JSON lines
//! (`memory`).

mod columns;
mod data;
mod eval;
mod lang;
pub mod memory;
pub mod result;
mod set;
mod value;

pub use data::{CHUNK_BITS, CHUNK_ROWS, Table};
pub use eval::{EvalOptions, Evaluator};
pub use lang::{Diagnostic, Model, ModelError, ModelKind, ScoringDimension, alias_of};
pub use result::{Decision, OutVal, Output, Reason, RecordResult, ResultFields, SubjectResult};
pub use set::{BUILTIN, ModelSet};
