//! Credit repair (信用修复, PRODUCT.md C7).
//!
//! The subject applies for the repair of one record with evidence. Whether
//! the application is admissible is decided by the caller from the rules
//! (`penalty-tier`'s `repairable_from`, `non_repairable`,
//! `abnormal-trace-clear`'s `clearable_from`, the evidence required for the
//! list or kind) and passed in as [`Admissibility`]:
//!
//! * **admissible**: the application is accepted (受理) on the day it is
//!   made, and the deciding authority (the record's producing department)
//!   decides within [`Config::repair_decision_working_days`](crate::Config)
//!   working days after acceptance (default 15; the day of acceptance not
//!   counted);
//! * **one click** (一键清零): an eligible abnormal-list trace is cleared on
//!   application without a hearing: the application goes straight to
//!   approved, with its effects;
//! * **not yet repairable** / **not repairable**: rejected (不予受理) with the
//!   reason.
//!
//! An approved repair sets `repaired_on` in a new version of the record
//! (which hides it from public display and excludes it from evaluation),
//! re-evaluates the subject at once and notifies every partner that received
//! the record. An application not decided in time is flagged (role
//! `system`) and can still be decided; the applicant may withdraw it before
//! the decision.

use serde::{Deserialize, Serialize};
use xinyong_core::time::Date;

use crate::diagram::{DEPARTMENT_ROLES, Diagram, EventKind, SYSTEM_ROLES, Status, row};
use crate::guard::Step;
use crate::{
    Ctx, Deadline, DeadlineKind, Decision, Effect, RecordRef, Role, Task, Transition, Withdrawal,
    WorkflowError,
};

/// The workflow's name in errors.
pub const WORKFLOW: &str = "repair";

/// An item of evidence of a repair application (INTERCHANGE.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepairEvidence {
    /// 信用修复承诺书.
    CreditCommitment,
    /// 整改材料.
    RectificationProof,
    /// 信用修复培训证明.
    TrainingCertificate,
    /// 信用报告.
    CreditReport,
}

impl RepairEvidence {
    /// The item in Chinese.
    pub fn label_zh(self) -> &'static str {
        match self {
            RepairEvidence::CreditCommitment => "信用修复承诺书",
            RepairEvidence::RectificationProof => "整改材料",
            RepairEvidence::TrainingCertificate => "培训证明",
            RepairEvidence::CreditReport => "信用报告",
        }
    }
}

/// What a repair application is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RepairCase {
    /// The record to repair; its `source` decides the application.
    pub record: RecordRef,
    /// The record's subject (USCC), re-evaluated after the repair.
    pub subject: String,
    /// The evidence supplied.
    pub evidence: Vec<RepairEvidence>,
}

/// Whether an application is admissible, as the caller found from the rules.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "admissibility", rename_all = "snake_case")]
pub enum Admissibility {
    /// Admissible: accepted at once, decided later.
    Admissible,
    /// An eligible abnormal-list trace (`abnormal-trace-clear`: `clearable`):
    /// cleared on application without a hearing.
    OneClick,
    /// Not yet admissible: it becomes so on `repairable_from` (a day after
    /// today).
    NotYetRepairable {
        /// The first day an application is admissible.
        repairable_from: Date,
    },
    /// Never admissible (e.g. `non_repairable`, or `specific_serious`).
    NotRepairable {
        /// Why, never blank.
        reason: String,
    },
}

impl Admissibility {
    /// The code of an inadmissible application, as INTERCHANGE.md §4 answers
    /// it (`not_yet_repairable`, `not_repairable`); `None` when admissible.
    pub fn rejection_code(&self) -> Option<&'static str> {
        match self {
            Admissibility::Admissible | Admissibility::OneClick => None,
            Admissibility::NotYetRepairable { .. } => Some("not_yet_repairable"),
            Admissibility::NotRepairable { .. } => Some("not_repairable"),
        }
    }
}

/// A repair application as made.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Application {
    /// What it is about.
    pub case: RepairCase,
    /// The role it was made in.
    pub applied_by: Role,
    /// The day it was made (and, when admissible, accepted).
    pub applied_on: Date,
}

/// The state of a repair application, with its data.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RepairState {
    /// Not applied for yet.
    Initial,
    /// Accepted, waiting for the deciding authority (已受理).
    Accepted {
        /// The application (accepted on `applied_on`).
        application: Application,
        /// The last day of the decision deadline.
        decide_by: Date,
    },
    /// Not decided in time, flagged; still to decide (逾期未决定).
    Overdue {
        /// The application.
        application: Application,
        /// The last day of the decision deadline.
        decide_by: Date,
        /// The day it was flagged.
        flagged_on: Date,
    },
    /// Repaired (已修复).
    Approved {
        /// The application.
        application: Application,
        /// The decision deadline; `None` for a one-click clearing.
        decide_by: Option<Date>,
        /// The decision (by `system` for a one-click clearing).
        decision: Decision,
    },
    /// Refused after acceptance (不予修复).
    Denied {
        /// The application.
        application: Application,
        /// The last day of the decision deadline.
        decide_by: Date,
        /// The decision.
        decision: Decision,
    },
    /// Not accepted: inadmissible (不予受理).
    Rejected {
        /// The application.
        application: Application,
        /// Why: [`Admissibility::NotYetRepairable`] or
        /// [`Admissibility::NotRepairable`].
        admissibility: Admissibility,
    },
    /// Withdrawn by the applicant before the decision (已撤回).
    Withdrawn {
        /// The application.
        application: Application,
        /// The decision deadline it had.
        decide_by: Date,
        /// The withdrawal.
        withdrawal: Withdrawal,
    },
}

/// The states of a repair application without their data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepairStatus {
    /// See [`RepairState::Initial`].
    Initial,
    /// See [`RepairState::Accepted`].
    Accepted,
    /// See [`RepairState::Overdue`].
    Overdue,
    /// See [`RepairState::Approved`].
    Approved,
    /// See [`RepairState::Denied`].
    Denied,
    /// See [`RepairState::Rejected`].
    Rejected,
    /// See [`RepairState::Withdrawn`].
    Withdrawn,
}

impl Status for RepairStatus {
    const WORKFLOW: &'static str = WORKFLOW;
    const ALL: &'static [Self] = &[
        RepairStatus::Initial,
        RepairStatus::Accepted,
        RepairStatus::Overdue,
        RepairStatus::Approved,
        RepairStatus::Denied,
        RepairStatus::Rejected,
        RepairStatus::Withdrawn,
    ];

    fn name(self) -> &'static str {
        match self {
            RepairStatus::Initial => "initial",
            RepairStatus::Accepted => "accepted",
            RepairStatus::Overdue => "overdue",
            RepairStatus::Approved => "approved",
            RepairStatus::Denied => "denied",
            RepairStatus::Rejected => "rejected",
            RepairStatus::Withdrawn => "withdrawn",
        }
    }

    fn label_zh(self) -> &'static str {
        match self {
            RepairStatus::Initial => "未申请",
            RepairStatus::Accepted => "已受理",
            RepairStatus::Overdue => "逾期未决定",
            RepairStatus::Approved => "已修复",
            RepairStatus::Denied => "不予修复",
            RepairStatus::Rejected => "不予受理",
            RepairStatus::Withdrawn => "已撤回",
        }
    }
}

impl RepairStatus {
    /// The state's name (`snake_case`).
    pub fn name(self) -> &'static str {
        Status::name(self)
    }

    /// The state in Chinese.
    pub fn label_zh(self) -> &'static str {
        Status::label_zh(self)
    }
}

/// An event of a repair application. It happens on [`Ctx::today`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RepairEvent {
    /// The subject applies.
    Apply {
        /// `enterprise` or `admin` (an application on paper).
        actor: Role,
        /// What it is about.
        case: RepairCase,
        /// What the rules say of it.
        admissibility: Admissibility,
    },
    /// The platform flags an application not decided by its deadline.
    FlagOverdue {
        /// `system`.
        actor: Role,
    },
    /// The deciding authority approves the repair.
    Approve {
        /// `department` or `admin`.
        actor: Role,
        /// The reasons, never blank.
        reasons: String,
    },
    /// The deciding authority refuses it.
    Deny {
        /// `department` or `admin`.
        actor: Role,
        /// The reasons, never blank.
        reasons: String,
    },
    /// The applicant withdraws the application.
    Withdraw {
        /// `enterprise` or `admin`.
        actor: Role,
        /// Why, possibly empty.
        reason: String,
    },
}

/// The kinds of repair events; an application has one kind per
/// admissibility outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepairEventKind {
    /// [`RepairEvent::Apply`] with [`Admissibility::Admissible`].
    ApplyAdmissible,
    /// [`RepairEvent::Apply`] with [`Admissibility::OneClick`].
    ApplyOneClick,
    /// [`RepairEvent::Apply`] with an inadmissible [`Admissibility`].
    ApplyInadmissible,
    /// [`RepairEvent::FlagOverdue`].
    FlagOverdue,
    /// [`RepairEvent::Approve`].
    Approve,
    /// [`RepairEvent::Deny`].
    Deny,
    /// [`RepairEvent::Withdraw`].
    Withdraw,
}

impl EventKind for RepairEventKind {
    const ALL: &'static [Self] = &[
        RepairEventKind::ApplyAdmissible,
        RepairEventKind::ApplyOneClick,
        RepairEventKind::ApplyInadmissible,
        RepairEventKind::FlagOverdue,
        RepairEventKind::Approve,
        RepairEventKind::Deny,
        RepairEventKind::Withdraw,
    ];

    fn name(self) -> &'static str {
        match self {
            RepairEventKind::ApplyAdmissible => "apply_admissible",
            RepairEventKind::ApplyOneClick => "apply_one_click",
            RepairEventKind::ApplyInadmissible => "apply_inadmissible",
            RepairEventKind::FlagOverdue => "flag_overdue",
            RepairEventKind::Approve => "approve",
            RepairEventKind::Deny => "deny",
            RepairEventKind::Withdraw => "withdraw",
        }
    }

    fn label_zh(self) -> &'static str {
        match self {
            RepairEventKind::ApplyAdmissible => "申请（受理）",
            RepairEventKind::ApplyOneClick => "申请（一键清零）",
            RepairEventKind::ApplyInadmissible => "申请（不予受理）",
            RepairEventKind::FlagOverdue => "逾期标记",
            RepairEventKind::Approve => "准予修复",
            RepairEventKind::Deny => "不予修复",
            RepairEventKind::Withdraw => "撤回",
        }
    }

    fn is_decision(self) -> bool {
        matches!(self, RepairEventKind::Approve | RepairEventKind::Deny)
    }
}

impl RepairEvent {
    /// The event's kind.
    pub fn kind(&self) -> RepairEventKind {
        match self {
            RepairEvent::Apply { admissibility, .. } => match admissibility {
                Admissibility::Admissible => RepairEventKind::ApplyAdmissible,
                Admissibility::OneClick => RepairEventKind::ApplyOneClick,
                Admissibility::NotYetRepairable { .. } | Admissibility::NotRepairable { .. } => {
                    RepairEventKind::ApplyInadmissible
                }
            },
            RepairEvent::FlagOverdue { .. } => RepairEventKind::FlagOverdue,
            RepairEvent::Approve { .. } => RepairEventKind::Approve,
            RepairEvent::Deny { .. } => RepairEventKind::Deny,
            RepairEvent::Withdraw { .. } => RepairEventKind::Withdraw,
        }
    }

    /// The role the event is carried out in.
    pub fn actor(&self) -> Role {
        match self {
            RepairEvent::Apply { actor, .. }
            | RepairEvent::FlagOverdue { actor }
            | RepairEvent::Approve { actor, .. }
            | RepairEvent::Deny { actor, .. }
            | RepairEvent::Withdraw { actor, .. } => *actor,
        }
    }
}

const APPLICANTS: &[Role] = &[Role::Enterprise, Role::Admin];
const DECIDERS: &[Role] = DEPARTMENT_ROLES;
const SYSTEM: &[Role] = SYSTEM_ROLES;

static DIAGRAM: Diagram<RepairStatus, RepairEventKind> = {
    use RepairEventKind as E;
    use RepairStatus as S;
    Diagram {
        initial: S::Initial,
        rows: &[
            row(S::Initial, E::ApplyAdmissible, APPLICANTS, S::Accepted),
            row(S::Initial, E::ApplyOneClick, APPLICANTS, S::Approved),
            row(S::Initial, E::ApplyInadmissible, APPLICANTS, S::Rejected),
            row(S::Accepted, E::FlagOverdue, SYSTEM, S::Overdue),
            row(S::Accepted, E::Approve, DECIDERS, S::Approved),
            row(S::Accepted, E::Deny, DECIDERS, S::Denied),
            row(S::Accepted, E::Withdraw, APPLICANTS, S::Withdrawn),
            row(S::Overdue, E::Approve, DECIDERS, S::Approved),
            row(S::Overdue, E::Deny, DECIDERS, S::Denied),
            row(S::Overdue, E::Withdraw, APPLICANTS, S::Withdrawn),
        ],
    }
};

/// The repair diagram: every allowed `(state, event kind, roles) → state`.
pub fn diagram() -> &'static Diagram<RepairStatus, RepairEventKind> {
    &DIAGRAM
}

/// The repair diagram as Mermaid text.
pub fn mermaid() -> String {
    DIAGRAM.to_mermaid()
}

/// The reasons recorded for a one-click clearing.
pub const ONE_CLICK_REASONS: &str = "经营异常名录痕迹符合清零条件，申请即修复（一键清零）";

impl RepairState {
    /// The state without its data.
    pub fn status(&self) -> RepairStatus {
        match self {
            RepairState::Initial => RepairStatus::Initial,
            RepairState::Accepted { .. } => RepairStatus::Accepted,
            RepairState::Overdue { .. } => RepairStatus::Overdue,
            RepairState::Approved { .. } => RepairStatus::Approved,
            RepairState::Denied { .. } => RepairStatus::Denied,
            RepairState::Rejected { .. } => RepairStatus::Rejected,
            RepairState::Withdrawn { .. } => RepairStatus::Withdrawn,
        }
    }

    /// The state in Chinese (已受理, 已修复, 不予受理, ...).
    pub fn label_zh(&self) -> &'static str {
        self.status().label_zh()
    }

    /// The application, in every state but the initial one.
    pub fn application(&self) -> Option<&Application> {
        match self {
            RepairState::Initial => None,
            RepairState::Accepted { application, .. }
            | RepairState::Overdue { application, .. }
            | RepairState::Approved { application, .. }
            | RepairState::Denied { application, .. }
            | RepairState::Rejected { application, .. }
            | RepairState::Withdrawn { application, .. } => Some(application),
        }
    }

    /// The decision, once decided.
    pub fn decision(&self) -> Option<&Decision> {
        match self {
            RepairState::Approved { decision, .. } | RepairState::Denied { decision, .. } => {
                Some(decision)
            }
            _ => None,
        }
    }

    /// The last day of the decision deadline, once accepted (also after the
    /// decision); `None` before, for a rejection and for a one-click
    /// clearing — the `decide_by` of INTERCHANGE.md §4's answer.
    pub fn decide_by(&self) -> Option<Date> {
        match self {
            RepairState::Initial | RepairState::Rejected { .. } => None,
            RepairState::Approved { decide_by, .. } => *decide_by,
            RepairState::Accepted { decide_by, .. }
            | RepairState::Overdue { decide_by, .. }
            | RepairState::Denied { decide_by, .. }
            | RepairState::Withdrawn { decide_by, .. } => Some(*decide_by),
        }
    }

    /// Whether the case is closed: no event applies.
    pub fn is_final(&self) -> bool {
        DIAGRAM.is_terminal(self.status())
    }

    /// The deadlines in force: the decision deadline while undecided.
    pub fn deadlines(&self) -> Vec<Deadline> {
        match self {
            RepairState::Accepted { decide_by, .. } | RepairState::Overdue { decide_by, .. } => {
                vec![Deadline {
                    kind: DeadlineKind::RepairDecision,
                    due: *decide_by,
                }]
            }
            _ => Vec::new(),
        }
    }

    /// Whether the application is undecided and late on `today`.
    pub fn is_overdue(&self, today: Date) -> bool {
        self.deadlines().iter().any(|d| d.is_overdue(today))
    }

    /// Working days left to decide after `today`; `None` when nothing is
    /// pending.
    pub fn working_days_left(&self, ctx: &Ctx<'_>) -> Result<Option<u32>, WorkflowError> {
        self.deadlines()
            .first()
            .map(|d| d.working_days_left(ctx.calendar, ctx.today))
            .transpose()
            .map_err(|source| WorkflowError::OutsideCalendar {
                workflow: WORKFLOW,
                state: self.status().name(),
                event: "working_days_left",
                source,
            })
    }

    /// Whether the decision came after the deadline; `None` before a
    /// decision or without a deadline.
    pub fn decided_late(&self) -> Option<bool> {
        let decide_by = self.decide_by()?;
        self.decision().map(|d| d.on > decide_by)
    }

    fn last_step_on(&self) -> Option<Date> {
        match self {
            RepairState::Initial => None,
            RepairState::Accepted { application, .. }
            | RepairState::Rejected { application, .. } => Some(application.applied_on),
            RepairState::Overdue { flagged_on, .. } => Some(*flagged_on),
            RepairState::Approved { decision, .. } | RepairState::Denied { decision, .. } => {
                Some(decision.on)
            }
            RepairState::Withdrawn { withdrawal, .. } => Some(withdrawal.on),
        }
    }

    fn entry_effects(&self) -> Vec<Effect> {
        let Some(application) = self.application() else {
            return Vec::new();
        };
        let case = &application.case;
        let record = || case.record.clone();
        let department = || case.record.source.clone();
        match self {
            RepairState::Initial | RepairState::Rejected { .. } => Vec::new(),
            RepairState::Accepted { decide_by, .. } => vec![Effect::RouteToDepartment {
                department: department(),
                task: Task::DecideRepair,
                due_by: *decide_by,
            }],
            RepairState::Overdue { decide_by, .. } => vec![Effect::FlagOverdue {
                department: department(),
                task: Task::DecideRepair,
                due_by: *decide_by,
            }],
            RepairState::Approved { decision, .. } => vec![
                Effect::SetRepairedOn {
                    record: record(),
                    date: decision.on,
                },
                Effect::Reevaluate {
                    subject: case.subject.clone(),
                },
                Effect::NotifyPartners { record: record() },
                Effect::NotifyApplicant { record: record() },
            ],
            RepairState::Denied { .. } => vec![Effect::NotifyApplicant { record: record() }],
            RepairState::Withdrawn { .. } => Vec::new(),
        }
    }
}

/// Applies `event` to a repair application in `state` on `ctx.today`.
///
/// The step must be in the [`diagram`] for the event's role; then the data
/// are checked (reasons not blank, a `repairable_from` after today, no event
/// dated before the case's last step, an overdue flag only after
/// `decide_by`). Acceptance computes `decide_by =
/// add_working_days(today, repair_decision_working_days)`; a day outside the
/// calendar is [`WorkflowError::OutsideCalendar`]. Nothing panics.
pub fn apply(
    state: &RepairState,
    event: &RepairEvent,
    ctx: &Ctx<'_>,
) -> Result<Transition<RepairState>, WorkflowError> {
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
    // Undecided states: the application and its deadline.
    let pending = match state {
        RepairState::Accepted {
            application,
            decide_by,
        }
        | RepairState::Overdue {
            application,
            decide_by,
            ..
        } => Some((application, *decide_by)),
        _ => None,
    };

    let next = match (pending, event) {
        (
            None,
            RepairEvent::Apply {
                actor,
                case,
                admissibility,
            },
        ) => {
            step.require_record(&case.record)?;
            step.require_text("subject", &case.subject)?;
            let application = Application {
                case: case.clone(),
                applied_by: *actor,
                applied_on: today,
            };
            match admissibility {
                Admissibility::Admissible => RepairState::Accepted {
                    application,
                    decide_by: step.add_working_days(
                        ctx.calendar,
                        today,
                        ctx.config.repair_decision_working_days,
                    )?,
                },
                Admissibility::OneClick => RepairState::Approved {
                    application,
                    decide_by: None,
                    decision: Decision {
                        by: Role::System,
                        on: today,
                        reasons: ONE_CLICK_REASONS.to_owned(),
                    },
                },
                Admissibility::NotYetRepairable { repairable_from } => {
                    if *repairable_from <= today {
                        return Err(step.invalid(format!(
                            "not yet repairable, yet repairable_from {repairable_from} is not after {today}"
                        )));
                    }
                    RepairState::Rejected {
                        application,
                        admissibility: admissibility.clone(),
                    }
                }
                Admissibility::NotRepairable { reason } => {
                    step.require_text("reason", reason)?;
                    RepairState::Rejected {
                        application,
                        admissibility: admissibility.clone(),
                    }
                }
            }
        }
        (Some((application, decide_by)), RepairEvent::FlagOverdue { .. }) => {
            if today <= decide_by {
                return Err(WorkflowError::NotOverdue {
                    workflow: WORKFLOW,
                    state: from.name(),
                    event: kind.name(),
                    due_by: decide_by,
                    today,
                });
            }
            RepairState::Overdue {
                application: application.clone(),
                decide_by,
                flagged_on: today,
            }
        }
        (Some((application, decide_by)), RepairEvent::Approve { actor, reasons }) => {
            RepairState::Approved {
                application: application.clone(),
                decide_by: Some(decide_by),
                decision: decision(*actor, reasons)?,
            }
        }
        (Some((application, decide_by)), RepairEvent::Deny { actor, reasons }) => {
            RepairState::Denied {
                application: application.clone(),
                decide_by,
                decision: decision(*actor, reasons)?,
            }
        }
        (Some((application, decide_by)), RepairEvent::Withdraw { actor, reason }) => {
            RepairState::Withdrawn {
                application: application.clone(),
                decide_by,
                withdrawal: Withdrawal {
                    by: *actor,
                    on: today,
                    reason: reason.clone(),
                },
            }
        }
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
