//! An enterprise reports an item a government agency owes it (企业反映政府
//!失信问题, PRODUCT.md C13; seed 001 case 4: 政府承诺 + 社会监督 + 失信问责).
//!
//! The enterprise names the agency, what is owed (arrears, an old debt of a
//! former administration, an unkept policy promise, a contract default, a
//! failure of duty), the amount when there is one, since when, and its
//! statement with evidence. The claim is routed to the credit office, which
//! decides within [`Config::gov_claim_decision_working_days`](crate::Config)
//! working days after receipt (default 20, as an objection; the day of
//! receipt not counted):
//!
//! * **accepted** (已纳入台账): the credit office verifies the item and enters
//!   it into the government-dishonesty ledger — a `gov_ledger` record of
//!   the agency, produced by the credit office, whose id was reserved when
//!   the claim was filed; the agency is re-evaluated (`gov-integrity`) and
//!   the enterprise is told;
//! * **rejected** (不予纳入): with reasons; the enterprise is told.
//!
//! A claim not decided by `decide_by` is overdue from the next day and
//! flagged, like an objection; it can still be decided. The enterprise may
//! withdraw an open claim.
//!
//! ```
//! use jiff::civil::date;
//! use xinyong_workflow::gov_claim::{self, GovClaimCase, GovClaimEvent, GovClaimState};
//! use xinyong_workflow::{Ctx, RecordRef, Role};
//!
//! let filed = gov_claim::apply(
//!     &GovClaimState::Initial,
//!     &GovClaimEvent::File {
//!         actor: Role::Enterprise,
//!         case: GovClaimCase {
//!             agency: "11210800MB0000001X".into(),
//!             claimant: "91210800MA0UY4XD2K".into(),
//!             category: "arrears".into(),
//!             amount_fen: Some(12_000_000),
//!             owed_since: Some(date(2023, 6, 30)),
//!             statement: "工程款逾期未付".into(),
//!             evidence: vec![],
//!             item: RecordRef::new("XYB", "XYB-ZW-GC000001"),
//!         },
//!     },
//!     &Ctx::builtin(date(2024, 9, 27)),
//! )?;
//! // 20 working days across the 2024 National Day holidays
//! assert_eq!(filed.state.decide_by(), Some(date(2024, 10, 30)));
//! # Ok::<(), xinyong_workflow::WorkflowError>(())
//! ```

use serde::{Deserialize, Serialize};
use xinyong_core::time::Date;

use crate::diagram::{Diagram, EventKind, SYSTEM_ROLES, Status, row};
use crate::guard::Step;
use crate::{
    Ctx, Deadline, DeadlineKind, Decision, Effect, RecordRef, Role, Task, Transition, Withdrawal,
    WorkflowError,
};

/// The workflow's name in errors.
pub const WORKFLOW: &str = "gov_claim";

/// The department that decides claims: the credit office (信用办).
pub const DECIDING_DEPARTMENT: &str = "XYB";

/// What an enterprise reports, as filed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GovClaimCase {
    /// The government agency that owes (its USCC).
    pub agency: String,
    /// The enterprise owed (its USCC): the filer.
    pub claimant: String,
    /// A `gov_ledger` category (`arrears`, `legacy_debt`, `policy_promise`,
    /// `contract_default`, `duty_failure`); the application checks it
    /// against the catalogue.
    pub category: String,
    /// The amount owed, in fen (分), when there is one.
    pub amount_fen: Option<u64>,
    /// Since when it has been owed, as the enterprise says.
    pub owed_since: Option<Date>,
    /// What the enterprise says, never blank.
    pub statement: String,
    /// The evidence files, as the application's identifiers.
    pub evidence: Vec<String>,
    /// The ledger item written if the claim is accepted: the credit office's
    /// record id, reserved at filing.
    pub item: RecordRef,
}

/// A claim as received.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Filing {
    /// What it is about.
    pub case: GovClaimCase,
    /// The role it was filed in.
    pub filed_by: Role,
    /// The day of receipt (not counted in the deadline).
    pub received_on: Date,
    /// The last day of the decision deadline.
    pub decide_by: Date,
}

/// The state of a claim, with its data.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum GovClaimState {
    /// Not filed yet.
    Initial,
    /// Filed, waiting for the credit office (待核实).
    Open {
        /// The filing.
        filing: Filing,
    },
    /// Not decided in time, flagged (逾期未处理); still to decide.
    Overdue {
        /// The filing.
        filing: Filing,
        /// The day it was flagged.
        flagged_on: Date,
    },
    /// Verified and entered into the ledger (已纳入台账).
    Accepted {
        /// The filing.
        filing: Filing,
        /// The decision.
        decision: Decision,
    },
    /// Not entered (不予纳入).
    Rejected {
        /// The filing.
        filing: Filing,
        /// The decision.
        decision: Decision,
    },
    /// Withdrawn by the enterprise before a decision (已撤回).
    Withdrawn {
        /// The filing.
        filing: Filing,
        /// The withdrawal.
        withdrawal: Withdrawal,
    },
}

/// The states of a claim without their data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GovClaimStatus {
    /// See [`GovClaimState::Initial`].
    Initial,
    /// See [`GovClaimState::Open`].
    Open,
    /// See [`GovClaimState::Overdue`].
    Overdue,
    /// See [`GovClaimState::Accepted`].
    Accepted,
    /// See [`GovClaimState::Rejected`].
    Rejected,
    /// See [`GovClaimState::Withdrawn`].
    Withdrawn,
}

impl Status for GovClaimStatus {
    const WORKFLOW: &'static str = WORKFLOW;
    const ALL: &'static [Self] = &[
        GovClaimStatus::Initial,
        GovClaimStatus::Open,
        GovClaimStatus::Overdue,
        GovClaimStatus::Accepted,
        GovClaimStatus::Rejected,
        GovClaimStatus::Withdrawn,
    ];

    fn name(self) -> &'static str {
        match self {
            GovClaimStatus::Initial => "initial",
            GovClaimStatus::Open => "open",
            GovClaimStatus::Overdue => "overdue",
            GovClaimStatus::Accepted => "accepted",
            GovClaimStatus::Rejected => "rejected",
            GovClaimStatus::Withdrawn => "withdrawn",
        }
    }

    fn label_zh(self) -> &'static str {
        match self {
            GovClaimStatus::Initial => "未提出",
            GovClaimStatus::Open => "待核实",
            GovClaimStatus::Overdue => "逾期未处理",
            GovClaimStatus::Accepted => "已纳入台账",
            GovClaimStatus::Rejected => "不予纳入",
            GovClaimStatus::Withdrawn => "已撤回",
        }
    }
}

impl GovClaimStatus {
    /// The state's name (`snake_case`).
    pub fn name(self) -> &'static str {
        Status::name(self)
    }

    /// The state in Chinese.
    pub fn label_zh(self) -> &'static str {
        Status::label_zh(self)
    }
}

/// An event of a claim. It happens on [`Ctx::today`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum GovClaimEvent {
    /// The enterprise files the claim (or the credit office registers one
    /// received on paper).
    File {
        /// `enterprise` or `admin`.
        actor: Role,
        /// What it is about.
        case: GovClaimCase,
    },
    /// The platform flags a claim not decided by its deadline.
    FlagOverdue {
        /// `system`.
        actor: Role,
    },
    /// The credit office enters the item into the ledger.
    Accept {
        /// `admin`.
        actor: Role,
        /// The reasons (what was verified), never blank.
        reasons: String,
    },
    /// The credit office does not enter it.
    Reject {
        /// `admin`.
        actor: Role,
        /// The reasons, never blank.
        reasons: String,
    },
    /// The enterprise withdraws the claim.
    Withdraw {
        /// `enterprise` or `admin`.
        actor: Role,
        /// Why, possibly empty.
        reason: String,
    },
}

/// The kinds of claim events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GovClaimEventKind {
    /// [`GovClaimEvent::File`].
    File,
    /// [`GovClaimEvent::FlagOverdue`].
    FlagOverdue,
    /// [`GovClaimEvent::Accept`].
    Accept,
    /// [`GovClaimEvent::Reject`].
    Reject,
    /// [`GovClaimEvent::Withdraw`].
    Withdraw,
}

impl EventKind for GovClaimEventKind {
    const ALL: &'static [Self] = &[
        GovClaimEventKind::File,
        GovClaimEventKind::FlagOverdue,
        GovClaimEventKind::Accept,
        GovClaimEventKind::Reject,
        GovClaimEventKind::Withdraw,
    ];

    fn name(self) -> &'static str {
        match self {
            GovClaimEventKind::File => "file",
            GovClaimEventKind::FlagOverdue => "flag_overdue",
            GovClaimEventKind::Accept => "accept",
            GovClaimEventKind::Reject => "reject",
            GovClaimEventKind::Withdraw => "withdraw",
        }
    }

    fn label_zh(self) -> &'static str {
        match self {
            GovClaimEventKind::File => "反映问题",
            GovClaimEventKind::FlagOverdue => "逾期标记",
            GovClaimEventKind::Accept => "纳入台账",
            GovClaimEventKind::Reject => "不予纳入",
            GovClaimEventKind::Withdraw => "撤回",
        }
    }

    fn is_decision(self) -> bool {
        matches!(self, GovClaimEventKind::Accept | GovClaimEventKind::Reject)
    }
}

impl GovClaimEvent {
    /// The event's kind.
    pub fn kind(&self) -> GovClaimEventKind {
        match self {
            GovClaimEvent::File { .. } => GovClaimEventKind::File,
            GovClaimEvent::FlagOverdue { .. } => GovClaimEventKind::FlagOverdue,
            GovClaimEvent::Accept { .. } => GovClaimEventKind::Accept,
            GovClaimEvent::Reject { .. } => GovClaimEventKind::Reject,
            GovClaimEvent::Withdraw { .. } => GovClaimEventKind::Withdraw,
        }
    }

    /// The role the event is carried out in.
    pub fn actor(&self) -> Role {
        match self {
            GovClaimEvent::File { actor, .. }
            | GovClaimEvent::FlagOverdue { actor }
            | GovClaimEvent::Accept { actor, .. }
            | GovClaimEvent::Reject { actor, .. }
            | GovClaimEvent::Withdraw { actor, .. } => *actor,
        }
    }
}

const FILERS: &[Role] = &[Role::Enterprise, Role::Admin];
/// Only the credit office keeps the ledger.
const DECIDERS: &[Role] = &[Role::Admin];

static DIAGRAM: Diagram<GovClaimStatus, GovClaimEventKind> = {
    use GovClaimEventKind as E;
    use GovClaimStatus as S;
    Diagram {
        initial: S::Initial,
        rows: &[
            row(S::Initial, E::File, FILERS, S::Open),
            row(S::Open, E::FlagOverdue, SYSTEM_ROLES, S::Overdue),
            row(S::Open, E::Accept, DECIDERS, S::Accepted),
            row(S::Open, E::Reject, DECIDERS, S::Rejected),
            row(S::Open, E::Withdraw, FILERS, S::Withdrawn),
            row(S::Overdue, E::Accept, DECIDERS, S::Accepted),
            row(S::Overdue, E::Reject, DECIDERS, S::Rejected),
            row(S::Overdue, E::Withdraw, FILERS, S::Withdrawn),
        ],
    }
};

/// The claim diagram: every allowed `(state, event kind, roles) → state`.
pub fn diagram() -> &'static Diagram<GovClaimStatus, GovClaimEventKind> {
    &DIAGRAM
}

/// The claim diagram as Mermaid text.
pub fn mermaid() -> String {
    DIAGRAM.to_mermaid()
}

impl GovClaimState {
    /// The state without its data.
    pub fn status(&self) -> GovClaimStatus {
        match self {
            GovClaimState::Initial => GovClaimStatus::Initial,
            GovClaimState::Open { .. } => GovClaimStatus::Open,
            GovClaimState::Overdue { .. } => GovClaimStatus::Overdue,
            GovClaimState::Accepted { .. } => GovClaimStatus::Accepted,
            GovClaimState::Rejected { .. } => GovClaimStatus::Rejected,
            GovClaimState::Withdrawn { .. } => GovClaimStatus::Withdrawn,
        }
    }

    /// The state in Chinese.
    pub fn label_zh(&self) -> &'static str {
        self.status().label_zh()
    }

    /// The filing, in every state but the initial one.
    pub fn filing(&self) -> Option<&Filing> {
        match self {
            GovClaimState::Initial => None,
            GovClaimState::Open { filing }
            | GovClaimState::Overdue { filing, .. }
            | GovClaimState::Accepted { filing, .. }
            | GovClaimState::Rejected { filing, .. }
            | GovClaimState::Withdrawn { filing, .. } => Some(filing),
        }
    }

    /// The decision, once decided.
    pub fn decision(&self) -> Option<&Decision> {
        match self {
            GovClaimState::Accepted { decision, .. } | GovClaimState::Rejected { decision, .. } => {
                Some(decision)
            }
            _ => None,
        }
    }

    /// The last day of the decision deadline, once filed.
    pub fn decide_by(&self) -> Option<Date> {
        self.filing().map(|f| f.decide_by)
    }

    /// Whether the case is closed: no event applies.
    pub fn is_final(&self) -> bool {
        DIAGRAM.is_terminal(self.status())
    }

    /// The deadlines in force: the decision deadline while undecided.
    pub fn deadlines(&self) -> Vec<Deadline> {
        match self {
            GovClaimState::Open { filing } | GovClaimState::Overdue { filing, .. } => {
                vec![Deadline {
                    kind: DeadlineKind::GovClaimDecision,
                    due: filing.decide_by,
                }]
            }
            _ => Vec::new(),
        }
    }

    /// Whether the claim is undecided and late on `today`.
    pub fn is_overdue(&self, today: Date) -> bool {
        self.deadlines().iter().any(|d| d.is_overdue(today))
    }

    /// Whether the decision came after the deadline; `None` before one.
    pub fn decided_late(&self) -> Option<bool> {
        let filing = self.filing()?;
        self.decision().map(|d| d.on > filing.decide_by)
    }

    fn last_step_on(&self) -> Option<Date> {
        match self {
            GovClaimState::Initial => None,
            GovClaimState::Open { filing } => Some(filing.received_on),
            GovClaimState::Overdue { flagged_on, .. } => Some(*flagged_on),
            GovClaimState::Accepted { decision, .. } | GovClaimState::Rejected { decision, .. } => {
                Some(decision.on)
            }
            GovClaimState::Withdrawn { withdrawal, .. } => Some(withdrawal.on),
        }
    }

    /// What to carry out on entering this state.
    fn entry_effects(&self) -> Vec<Effect> {
        let Some(filing) = self.filing() else {
            return Vec::new();
        };
        let item = || filing.case.item.clone();
        let office = || DECIDING_DEPARTMENT.to_owned();
        match self {
            GovClaimState::Initial | GovClaimState::Withdrawn { .. } => Vec::new(),
            GovClaimState::Open { .. } => vec![Effect::RouteToDepartment {
                department: office(),
                task: Task::DecideGovClaim,
                due_by: filing.decide_by,
            }],
            GovClaimState::Overdue { .. } => vec![Effect::FlagOverdue {
                department: office(),
                task: Task::DecideGovClaim,
                due_by: filing.decide_by,
            }],
            GovClaimState::Accepted { .. } => vec![
                Effect::WriteLedgerItem { record: item() },
                Effect::Reevaluate {
                    subject: filing.case.agency.clone(),
                },
                Effect::NotifyFiler { record: item() },
            ],
            GovClaimState::Rejected { .. } => vec![Effect::NotifyFiler { record: item() }],
        }
    }
}

/// Applies `event` to a claim in `state` on `ctx.today`.
///
/// The step must be in the [`diagram`] for the event's role; then the
/// event's data are checked (an agency other than the claimant, a
/// statement and reasons that are not blank, a debt not owed since a day
/// after today, no event dated before the case's last step, an overdue
/// flag only after `decide_by`). Filing computes `decide_by =
/// add_working_days(today, gov_claim_decision_working_days)`. Nothing
/// panics.
pub fn apply(
    state: &GovClaimState,
    event: &GovClaimEvent,
    ctx: &Ctx<'_>,
) -> Result<Transition<GovClaimState>, WorkflowError> {
    let from = state.status();
    let kind = event.kind();
    let to = DIAGRAM.resolve(from, kind, event.actor())?;
    let step = Step {
        workflow: WORKFLOW,
        state: from.name(),
        event: kind.name(),
    };
    let today = ctx.today;
    step.not_before(today, state.last_step_on())?;
    let decision = |by: Role, reasons: &str| -> Result<Decision, WorkflowError> {
        step.require_text("reasons", reasons)?;
        Ok(Decision {
            by,
            on: today,
            reasons: reasons.to_owned(),
        })
    };

    let next = match (state.filing(), event) {
        (None, GovClaimEvent::File { actor, case }) => {
            step.require_text("agency", &case.agency)?;
            step.require_text("claimant", &case.claimant)?;
            step.require_text("category", &case.category)?;
            step.require_text("statement", &case.statement)?;
            step.require_record(&case.item)?;
            if case.agency == case.claimant {
                return Err(step.invalid("the agency and the claimant are the same subject"));
            }
            if let Some(since) = case.owed_since
                && since > today
            {
                return Err(step.invalid(format!(
                    "owed_since {since} is after the day of filing {today}"
                )));
            }
            let decide_by = step.add_working_days(
                ctx.calendar,
                today,
                ctx.config.gov_claim_decision_working_days,
            )?;
            GovClaimState::Open {
                filing: Filing {
                    case: case.clone(),
                    filed_by: *actor,
                    received_on: today,
                    decide_by,
                },
            }
        }
        (Some(filing), GovClaimEvent::FlagOverdue { .. }) => {
            if today <= filing.decide_by {
                return Err(WorkflowError::NotOverdue {
                    workflow: WORKFLOW,
                    state: from.name(),
                    event: kind.name(),
                    due_by: filing.decide_by,
                    today,
                });
            }
            GovClaimState::Overdue {
                filing: filing.clone(),
                flagged_on: today,
            }
        }
        (Some(filing), GovClaimEvent::Accept { actor, reasons }) => GovClaimState::Accepted {
            filing: filing.clone(),
            decision: decision(*actor, reasons)?,
        },
        (Some(filing), GovClaimEvent::Reject { actor, reasons }) => GovClaimState::Rejected {
            filing: filing.clone(),
            decision: decision(*actor, reasons)?,
        },
        (Some(filing), GovClaimEvent::Withdraw { actor, reason }) => GovClaimState::Withdrawn {
            filing: filing.clone(),
            withdrawal: Withdrawal {
                by: *actor,
                on: today,
                reason: reason.clone(),
            },
        },
        // The diagram admits no other combination.
        _ => {
            return Err(WorkflowError::InvalidTransition {
                workflow: WORKFLOW,
                state: from.name(),
                event: kind.name(),
            });
        }
    };
    debug_assert_eq!(next.status(), to, "the diagram and apply disagree");
    Ok(Transition {
        deadlines: next.deadlines(),
        effects: next.entry_effects(),
        state: next,
    })
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn case() -> GovClaimCase {
        GovClaimCase {
            agency: "11210800MB0000001X".into(),
            claimant: "91210800MA0UY4XD2K".into(),
            category: "arrears".into(),
            amount_fen: Some(5_000_000),
            owed_since: Some(date(2023, 1, 31)),
            statement: "采购合同尾款逾期未付".into(),
            evidence: vec!["合同.pdf".into()],
            item: RecordRef::new("XYB", "XYB-ZW-GC000007"),
        }
    }

    fn filed(on: Date) -> GovClaimState {
        apply(
            &GovClaimState::Initial,
            &GovClaimEvent::File {
                actor: Role::Enterprise,
                case: case(),
            },
            &Ctx::builtin(on),
        )
        .unwrap()
        .state
    }

    #[test]
    fn the_deadline_counts_working_days_across_the_spring_festival() {
        // Filed Friday 2024-02-02: 2024-02-04 (Sunday) and 2024-02-18
        // (Sunday) are make-up working days, 02-10..02-17 the holiday.
        let s = filed(date(2024, 2, 2));
        // Working days after 02-02: 02-04 (1), 02-05..02-09 (2-6),
        // 02-18 (7), 02-19..02-23 (8-12), 02-26..03-01 (13-17),
        // 03-04..03-06 (18-20).
        assert_eq!(s.decide_by(), Some(date(2024, 3, 6)));
        assert!(!s.is_overdue(date(2024, 3, 6)));
        assert!(s.is_overdue(date(2024, 3, 7)));
    }

    #[test]
    fn accepting_writes_the_ledger_item_and_reevaluates_the_agency() {
        let s = filed(date(2024, 5, 6));
        let t = apply(
            &s,
            &GovClaimEvent::Accept {
                actor: Role::Admin,
                reasons: "经核实，拖欠属实".into(),
            },
            &Ctx::builtin(date(2024, 5, 20)),
        )
        .unwrap();
        assert_eq!(t.state.status(), GovClaimStatus::Accepted);
        assert_eq!(t.state.decided_late(), Some(false));
        assert!(t.deadlines.is_empty());
        assert_eq!(
            t.effects,
            vec![
                Effect::WriteLedgerItem {
                    record: case().item
                },
                Effect::Reevaluate {
                    subject: case().agency
                },
                Effect::NotifyFiler {
                    record: case().item
                },
            ]
        );
        assert!(t.effects[0].writes_record());
    }

    #[test]
    fn only_the_credit_office_decides_and_reasons_are_required() {
        let s = filed(date(2024, 5, 6));
        let ctx = Ctx::builtin(date(2024, 5, 7));
        let by_department = GovClaimEvent::Reject {
            actor: Role::Department,
            reasons: "不属实".into(),
        };
        assert!(matches!(
            apply(&s, &by_department, &ctx),
            Err(WorkflowError::ForbiddenForRole { .. })
        ));
        let blank = GovClaimEvent::Reject {
            actor: Role::Admin,
            reasons: "  ".into(),
        };
        assert!(matches!(
            apply(&s, &blank, &ctx),
            Err(WorkflowError::InvalidEvent { .. })
        ));
        let t = apply(
            &s,
            &GovClaimEvent::Reject {
                actor: Role::Admin,
                reasons: "该款项已于2024-04-30结清".into(),
            },
            &ctx,
        )
        .unwrap();
        assert_eq!(t.state.label_zh(), "不予纳入");
        assert_eq!(
            t.effects,
            vec![Effect::NotifyFiler {
                record: case().item
            }]
        );
    }

    #[test]
    fn an_overdue_flag_only_after_the_deadline_and_a_late_decision_counts() {
        let s = filed(date(2024, 5, 6));
        let due = s.decide_by().unwrap();
        let flag = GovClaimEvent::FlagOverdue {
            actor: Role::System,
        };
        assert!(matches!(
            apply(&s, &flag, &Ctx::builtin(due)),
            Err(WorkflowError::NotOverdue { .. })
        ));
        let next_day = due.tomorrow().unwrap();
        let t = apply(&s, &flag, &Ctx::builtin(next_day)).unwrap();
        assert_eq!(t.state.status(), GovClaimStatus::Overdue);
        let t = apply(
            &t.state,
            &GovClaimEvent::Accept {
                actor: Role::Admin,
                reasons: "核实属实".into(),
            },
            &Ctx::builtin(next_day),
        )
        .unwrap();
        assert_eq!(t.state.decided_late(), Some(true));
    }

    #[test]
    fn a_claim_is_checked_when_filed() {
        let file = |c: GovClaimCase, on: Date| {
            apply(
                &GovClaimState::Initial,
                &GovClaimEvent::File {
                    actor: Role::Enterprise,
                    case: c,
                },
                &Ctx::builtin(on),
            )
        };
        let on = date(2024, 5, 6);
        let mut c = case();
        c.claimant = c.agency.clone();
        assert!(file(c, on).is_err());
        let mut c = case();
        c.owed_since = Some(date(2024, 5, 7));
        assert!(file(c, on).is_err());
        // Owed since the day of filing: admitted.
        let mut c = case();
        c.owed_since = Some(on);
        assert!(file(c, on).is_ok());
        let mut c = case();
        c.statement = String::new();
        assert!(file(c, on).is_err());
        // The public cannot file; the credit office can (paper claims).
        let public = GovClaimEvent::File {
            actor: Role::Public,
            case: case(),
        };
        assert!(apply(&GovClaimState::Initial, &public, &Ctx::builtin(on)).is_err());
    }

    #[test]
    fn the_enterprise_may_withdraw_an_open_claim_but_not_a_decided_one() {
        let s = filed(date(2024, 5, 6));
        let ctx = Ctx::builtin(date(2024, 5, 8));
        let w = GovClaimEvent::Withdraw {
            actor: Role::Enterprise,
            reason: "已协商解决".into(),
        };
        let t = apply(&s, &w, &ctx).unwrap();
        assert!(t.state.is_final());
        assert!(t.effects.is_empty());
        let rejected = apply(
            &s,
            &GovClaimEvent::Reject {
                actor: Role::Admin,
                reasons: "不属实".into(),
            },
            &ctx,
        )
        .unwrap()
        .state;
        assert!(apply(&rejected, &w, &ctx).is_err());
    }
}
