//! Effects: what the application carries out after a transition, in the same
//! transaction as the event that caused it.

use serde::{Deserialize, Serialize};
use xinyong_core::time::Date;

use crate::RecordRef;

/// A piece of work put in a department's queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// Decide an objection about one of its records (异议核查).
    DecideObjection,
    /// Decide a repair application (信用修复决定).
    DecideRepair,
    /// Receive and verify the materials a subject promised (承诺材料核验).
    VerifyMaterials,
    /// Carry out the post-verification on-site check (现场核查).
    OnSiteCheck,
    /// Verify an enterprise's report of an item a government agency owes it
    /// (政府失信问题核实).
    DecideGovClaim,
}

/// The `status` of a `commitment` record (INTERCHANGE.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitmentRecordStatus {
    /// Signed, not yet kept or broken.
    Active,
    /// Kept.
    Fulfilled,
    /// Broken (失信): the models count it (anhui D3).
    Breached,
    /// Annulled.
    Withdrawn,
}

/// One thing to carry out. Effects are listed in the order to carry them
/// out; every effect that writes a new version of a record is followed by a
/// [`Effect::Reevaluate`] of its subject. The case an effect belongs to (the
/// objection, repair or commitment) is the one the event was applied to: the
/// application knows its id and records it as the reason of every version
/// it writes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "effect", rename_all = "snake_case")]
pub enum Effect {
    /// Mark the record disputed: from now on it is shown with 异议处理中
    /// wherever it is shown, until the mark is cleared.
    MarkDisputed {
        /// The record objected to.
        record: RecordRef,
    },
    /// Remove the disputed mark (the objection was decided or withdrawn).
    ClearDisputed {
        /// The record objected to.
        record: RecordRef,
    },
    /// Store the producing department's corrected content as a new version
    /// of the record, with the objection as its reason.
    WriteCorrection {
        /// The record corrected.
        record: RecordRef,
    },
    /// Store a new version of the record with `withdrawn = true` (撤销), with
    /// the objection as its reason: it counts nowhere from now on.
    WithdrawRecord {
        /// The record withdrawn.
        record: RecordRef,
    },
    /// Store a new version of the record with `repaired_on = date`: it is
    /// hidden from public display and excluded from evaluation from that
    /// day on (PRODUCT.md C5, §3), kept in the store.
    SetRepairedOn {
        /// The record repaired.
        record: RecordRef,
        /// The day the repair was approved.
        date: Date,
    },
    /// Store the `commitment` record (version 1 when signed, a new version
    /// after) with this status.
    WriteCommitment {
        /// The commitment record.
        record: RecordRef,
        /// Its new `status`.
        status: CommitmentRecordStatus,
        /// Its `due_on`, when it has a due day.
        due_on: Option<Date>,
        /// Its `breached_on`, when breached.
        breached_on: Option<Date>,
    },
    /// Bar the subject from the commitment route (告知承诺, 容缺受理, 住所申报承诺)
    /// from `from` to `until`, both inclusive: a commitment of those kinds
    /// can be signed again from the day after `until`.
    BarCommitmentRoute {
        /// The subject's USCC.
        subject: String,
        /// First barred day (the day of the breach).
        from: Date,
        /// Last barred day.
        until: Date,
    },
    /// Store the verified item of the government-dishonesty ledger (a
    /// `gov_ledger` record of the agency, produced by the credit office)
    /// under the id reserved for it, with the claim as its reason.
    WriteLedgerItem {
        /// The ledger item.
        record: RecordRef,
    },
    /// Re-evaluate the subject at once (incrementally), so its grades and
    /// list results reflect the new record version.
    Reevaluate {
        /// The subject's USCC.
        subject: String,
    },
    /// Tell every partner (other platform, bank) that received the record
    /// about its new version, through the outbox.
    NotifyPartners {
        /// The record.
        record: RecordRef,
    },
    /// Put the case in a department's queue and tell it.
    RouteToDepartment {
        /// The department's code.
        department: String,
        /// What it must do.
        task: Task,
        /// By when.
        due_by: Date,
    },
    /// A department missed a decision deadline: flag it to the credit office
    /// and count it against the department.
    FlagOverdue {
        /// The department's code.
        department: String,
        /// The task it is late with.
        task: Task,
        /// The deadline it missed.
        due_by: Date,
    },
    /// Tell the filer of an objection how it was decided.
    NotifyFiler {
        /// The record objected to.
        record: RecordRef,
    },
    /// Tell the applicant of a repair how it was decided.
    NotifyApplicant {
        /// The record concerned.
        record: RecordRef,
    },
    /// Tell the subject of a commitment about its breach and the bar.
    NotifySubject {
        /// The subject's USCC.
        subject: String,
    },
}

impl Effect {
    /// The effect's tag as written on the wire.
    pub fn name(&self) -> &'static str {
        match self {
            Effect::MarkDisputed { .. } => "mark_disputed",
            Effect::ClearDisputed { .. } => "clear_disputed",
            Effect::WriteCorrection { .. } => "write_correction",
            Effect::WithdrawRecord { .. } => "withdraw_record",
            Effect::SetRepairedOn { .. } => "set_repaired_on",
            Effect::WriteCommitment { .. } => "write_commitment",
            Effect::WriteLedgerItem { .. } => "write_ledger_item",
            Effect::BarCommitmentRoute { .. } => "bar_commitment_route",
            Effect::Reevaluate { .. } => "reevaluate",
            Effect::NotifyPartners { .. } => "notify_partners",
            Effect::RouteToDepartment { .. } => "route_to_department",
            Effect::FlagOverdue { .. } => "flag_overdue",
            Effect::NotifyFiler { .. } => "notify_filer",
            Effect::NotifyApplicant { .. } => "notify_applicant",
            Effect::NotifySubject { .. } => "notify_subject",
        }
    }

    /// Whether the effect writes a new version of a credit record.
    pub fn writes_record(&self) -> bool {
        matches!(
            self,
            Effect::WriteCorrection { .. }
                | Effect::WithdrawRecord { .. }
                | Effect::SetRepairedOn { .. }
                | Effect::WriteCommitment { .. }
                | Effect::WriteLedgerItem { .. }
        )
    }
}

/// The outcome of a successful [`apply`](crate::objection::apply): the new
/// state, the deadlines in force in it, and the effects to carry out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition<S> {
    /// The state after the event.
    pub state: S,
    /// Every deadline in force in the new state (none in a final state); the
    /// application replaces the case's deadlines with these.
    pub deadlines: Vec<crate::Deadline>,
    /// What to carry out, in order, in the same transaction as the event.
    pub effects: Vec<Effect>,
}
