//! xinyong-workflow: the platform's self-correction workflows — objections
//! (异议, PRODUCT.md C8), credit repair (信用修复, C7), commitments
//! (信用承诺 / 告知承诺 / 容缺受理, C9) and enterprises' reports of what a
//! government agency owes them (政务诚信, C13) — as pure state machines.
//!
//! No I/O happens here: no files, no clock, no network, nothing async. An
//! event goes in with the context it happens in ([`Ctx`]: today, the
//! working-day calendar, the [`Config`]); the new state, the deadlines in
//! force and the [`Effect`]s to carry out come out as a [`Transition`], or a
//! [`WorkflowError`] with a stable code, and the state is left as it was.
//! The application layer persists every event append-only (who, when, why,
//! evidence), carries out the effects in the same transaction and audits
//! each step.
//!
//! Each workflow is a module with
//!
//! * a state enum carrying the case's data (`ObjectionState`, ...), its
//!   data-less status (`ObjectionStatus`, ...) with `label_zh()`;
//! * an event enum, every event carrying the [`Role`] it is carried out in
//!   and the data it needs;
//! * `apply(state, event, ctx)`;
//! * `diagram()`: the allowed `(state, event kind, roles) → state` table as
//!   data ([`Diagram`]), which `apply` consults before anything else — the
//!   one source of truth, also rendered as Mermaid by `mermaid()` for
//!   `docs/WORKFLOWS.md`.
//!
//! Every deadline counted in working days is computed with
//! [`WorkCalendar::add_working_days`](xinyong_core::time::WorkCalendar::add_working_days):
//! the starting day is not counted, day 1 is the first working day after it
//! (see [`deadline`]). The built-in calendar holds the notices of 2019–2026
//! and answers provisionally (the statutory rule) up to 2039; a deadline
//! that needs a day outside it is [`WorkflowError::OutsideCalendar`].
//!
//! ```
//! use jiff::civil::date;
//! use xinyong_workflow::repair::{self, Admissibility, RepairCase, RepairEvent, RepairState};
//! use xinyong_workflow::{Ctx, Effect, RecordRef, Role};
//!
//! let case = RepairCase {
//!     record: RecordRef::new("SCJG", "SCJG-YC-000042"),
//!     subject: "91210800MA0UY4XD2K".into(),
//!     evidence: vec![],
//! };
//! let apply = RepairEvent::Apply {
//!     actor: Role::Enterprise,
//!     case,
//!     admissibility: Admissibility::OneClick,
//! };
//! let t = repair::apply(&RepairState::Initial, &apply, &Ctx::builtin(date(2024, 5, 6)))?;
//! assert_eq!(t.state.label_zh(), "已修复");
//! assert!(t.effects.iter().any(|e| matches!(e, Effect::SetRepairedOn { .. })));
//! # Ok::<(), xinyong_workflow::WorkflowError>(())
//! ```

#![deny(missing_docs)]

pub mod commitment;
mod common;
mod context;
pub mod deadline;
pub mod diagram;
mod effect;
mod error;
pub mod gov_claim;
mod guard;
pub mod objection;
pub mod repair;
mod role;

pub use common::{Decision, RecordRef, Withdrawal};
pub use context::{Config, Ctx};
pub use deadline::{Deadline, DeadlineKind};
pub use diagram::{Diagram, EventKind, Row, Status};
pub use effect::{CommitmentRecordStatus, Effect, Task, Transition};
pub use error::WorkflowError;
pub use role::Role;

/// The four diagrams as Mermaid, each under a heading, for the docs.
pub fn mermaid_all() -> String {
    format!(
        "## objection\n\n```mermaid\n{}```\n\n## repair\n\n```mermaid\n{}```\n\n## commitment\n\n```mermaid\n{}```\n\n## gov_claim\n\n```mermaid\n{}```\n",
        objection::mermaid(),
        repair::mermaid(),
        commitment::mermaid(),
        gov_claim::mermaid()
    )
}
