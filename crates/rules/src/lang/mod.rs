//! The model language: what a model file may say and what it means.
//!
//! * `file`: the TOML model file, read with the spans of its expressions;
//! * `syntax`: the expression and text-template syntax (lexer and parser);
//! * `types`: the static types the compiler checks;
//! * `compile`: the type-checked compiler from a model file to the compiled
//!   form of `ir`;
//! * `functions`: one definition per built-in function (names, arity, type
//!   rule, compile-time checks and evaluation), by group;
//! * `diagnostics`: positions in a file and the errors of a model file, all
//!   of them, in file order.

mod compile;
mod diagnostics;
mod file;
pub(crate) mod functions;
pub(crate) mod ir;
mod syntax;
mod types;

pub(crate) use compile::{Known, compile};
pub use compile::{Model, ScoringDimension, alias_of};
pub use diagnostics::{Diagnostic, ModelError};
pub(crate) use functions::Func;
pub use ir::ModelKind;
pub(crate) use syntax::BinOp;
