//! xinyong-core: the pure domain of the public credit platform.
//!
//! No I/O happens here: no files, no network, no clock. Everything is a
//! function of its arguments, which keeps the rules testable and lets every
//! other layer (store, import, engine, server) share one definition.

pub mod catalog;
pub mod disclosure;
pub mod display;
pub mod json;
pub mod record;
pub mod time;
pub mod uscc;

pub use jiff::civil::Date;
