//! xinyong-measures: joint rewards and punishments (联合奖惩) and the credit
//! check (PRODUCT.md C10; `docs/MEASURES.md`).
//!
//! No I/O: the crate parses texts it is given; the built-in catalogues are
//! compiled in (`catalogue/measures.toml`, `catalogue/matters.toml`).
//!
//! * [`Catalogue`]: the measures catalogue, a versioned TOML file of
//!   measures — id, type (incentive or punishment), text, legal basis,
//!   implementing department, trigger, scenarios, validity dates —,
//!   validated when loaded with every mistake reported as
//!   `file:line:column: message`;
//! * [`Trigger`]: the trigger language, a small condition language over a
//!   subject's classes, grades, list memberships and commitment bar
//!   (`grade("yingkou-composite") == "A" or on_any_list("redlist")`),
//!   checked against a [`Vocabulary`] of the models and lists;
//! * [`Matters`]: the approval matters under credit-based approval, with
//!   the commitment routes (容缺受理, 告知承诺) each offers and who they are
//!   open to;
//! * [`credit_check`]: the pure check — the measures that apply to a
//!   subject's [`SubjectFacts`] in a [`Scenario`] on a day, and for an
//!   approval matter whether its routes are available (not while barred
//!   after a breached commitment).

mod catalogue;
mod check;
mod diag;
mod facts;
mod matters;
mod trigger;
mod vocab;

pub use catalogue::{
    BUILTIN_CATALOGUE, Catalogue, LegalBasis, Measure, MeasureLine, MeasureType, Scenario,
};
pub use check::{CheckError, CheckOutcome, CheckRequest, credit_check};
pub use diag::{Diagnostic, LoadError};
pub use facts::{ELIGIBLE, INELIGIBLE, ListMembership, SubjectFacts};
pub use matters::{
    BUILTIN_MATTERS, Field, Matter, MatterRoutes, Matters, Reason, Route, RouteCheck, RouteRule,
    Unavailable,
};
pub use trigger::{Trigger, TriggerError};
pub use vocab::{LIST_CATEGORIES, ModelTerms, Vocabulary};
