//! Objections (异议, PRODUCT.md C8).
//!
//! The subject (or anyone, against a record shown publicly) files an
//! objection against one record, with grounds, a statement and evidence.
//! The record is marked disputed at once (异议处理中) and the objection is
//! routed to the producing department, which decides within
//! [`Config::objection_decision_working_days`](crate::Config) working days
//! after receipt (default 20; the day of receipt not counted):
//!
//! * **corrected** (已更正): a new version of the record, or its withdrawal,
//!   with the objection as reason; the subject is re-evaluated at once and
//!   partners that received the record are told;
//! * **upheld** (维持原记录): the disputed mark is removed.
//!
//! Either way the filer is told. An objection not decided by `decide_by` is
//! overdue from the next day; the platform flags it (`flag_overdue`, role
//! `system`) to the credit office, counting it against the department, and
//! it can still be decided. The filer may withdraw an open objection.
//!
//! ```
//! use jiff::civil::date;
//! use xinyong_workflow::objection::{self, ObjectionCase, ObjectionEvent, ObjectionGrounds, ObjectionState};
//! use xinyong_workflow::{Ctx, RecordRef, Role};
//!
//! let ctx = Ctx::builtin(date(2020, 9, 25));
//! let filed = objection::apply(
//!     &ObjectionState::Initial,
//!     &ObjectionEvent::File {
//!         actor: Role::Enterprise,
//!         case: ObjectionCase {
//!             record: RecordRef::new("SCJG", "SCJG-CF-000001"),
//!             subject: "91210800MA0UY4XD2K".into(),
//!             grounds: ObjectionGrounds::Error,
//!             statement: "罚款金额录入错误".into(),
//!             evidence: vec![],
//!         },
//!     },
//!     &ctx,
//! )?;
//! // 20 working days across the 2020 National Day holidays
//! assert_eq!(filed.state.decide_by(), Some(date(2020, 10, 29)));
//! # Ok::<(), xinyong_workflow::WorkflowError>(())
//! ```

use serde::{Deserialize, Serialize};
use xinyong_core::time::Date;

use crate::diagram::{DEPARTMENT_ROLES, Diagram, EventKind, SYSTEM_ROLES, Status, row};
use crate::guard::Step;
use crate::{
    Ctx, Deadline, DeadlineKind, Decision, Effect, RecordRef, Role, Task, Transition, Withdrawal,
    WorkflowError,
};

/// The workflow's name in errors.
pub const WORKFLOW: &str = "objection";

/// The grounds of an objection (INTERCHANGE.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionGrounds {
    /// The record is wrong (信息有误).
    Error,
    /// Something is missing from it (信息遗漏).
    Omission,
    /// It discloses a trade secret (侵犯商业秘密).
    TradeSecret,
    /// It discloses personal information (侵犯个人隐私).
    Privacy,
    /// Another lawful right is infringed (其他).
    Other,
}

impl ObjectionGrounds {
    /// The grounds in Chinese.
    pub fn label_zh(self) -> &'static str {
        match self {
            ObjectionGrounds::Error => "信息有误",
            ObjectionGrounds::Omission => "信息遗漏",
            ObjectionGrounds::TradeSecret => "侵犯商业秘密",
            ObjectionGrounds::Privacy => "侵犯个人隐私",
            ObjectionGrounds::Other => "其他",
        }
    }
}

/// What an objection is about, as filed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ObjectionCase {
    /// The record objected to; its `source` is the producing department the
    /// objection is routed to.
    pub record: RecordRef,
    /// The record's subject (USCC), re-evaluated after a correction.
    pub subject: String,
    /// The grounds.
    pub grounds: ObjectionGrounds,
    /// What the filer says is wrong, never blank.
    pub statement: String,
    /// The evidence files, as the application's identifiers of the stored
    /// files (e.g. their SHA-256); possibly none.
    pub evidence: Vec<String>,
}

/// An objection as received: the case, who filed it, when, and by when it
/// must be decided.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Filing {
    /// What it is about.
    pub case: ObjectionCase,
    /// The role it was filed in.
    pub filed_by: Role,
    /// The day of receipt (not counted in the deadline).
    pub received_on: Date,
    /// The last day of the decision deadline.
    pub decide_by: Date,
}

/// How a record is corrected on objection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Correction {
    /// The department's corrected content becomes a new version.
    NewVersion,
    /// The record is withdrawn (撤销).
    Withdrawal,
}

/// The state of an objection, with its data.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ObjectionState {
    /// Not filed yet.
    Initial,
    /// Filed, the record disputed, waiting for the department (异议处理中).
    Open {
        /// The filing.
        filing: Filing,
    },
    /// Not decided in time, flagged to the credit office; still to decide
    /// (逾期未处理).
    Overdue {
        /// The filing.
        filing: Filing,
        /// The day it was flagged.
        flagged_on: Date,
    },
    /// Decided: the record was corrected or withdrawn (已更正).
    Corrected {
        /// The filing.
        filing: Filing,
        /// New version or withdrawal.
        correction: Correction,
        /// The decision.
        decision: Decision,
    },
    /// Decided: the record stands (维持原记录).
    Upheld {
        /// The filing.
        filing: Filing,
        /// The decision.
        decision: Decision,
    },
    /// Withdrawn by the filer before a decision (已撤回).
    Withdrawn {
        /// The filing.
        filing: Filing,
        /// The withdrawal.
        withdrawal: Withdrawal,
    },
}

/// The states of an objection without their data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionStatus {
    /// See [`ObjectionState::Initial`].
    Initial,
    /// See [`ObjectionState::Open`].
    Open,
    /// See [`ObjectionState::Overdue`].
    Overdue,
    /// See [`ObjectionState::Corrected`].
    Corrected,
    /// See [`ObjectionState::Upheld`].
    Upheld,
    /// See [`ObjectionState::Withdrawn`].
    Withdrawn,
}

impl Status for ObjectionStatus {
    const WORKFLOW: &'static str = WORKFLOW;
    const ALL: &'static [Self] = &[
        ObjectionStatus::Initial,
        ObjectionStatus::Open,
        ObjectionStatus::Overdue,
        ObjectionStatus::Corrected,
        ObjectionStatus::Upheld,
        ObjectionStatus::Withdrawn,
    ];

    fn name(self) -> &'static str {
        match self {
            ObjectionStatus::Initial => "initial",
            ObjectionStatus::Open => "open",
            ObjectionStatus::Overdue => "overdue",
            ObjectionStatus::Corrected => "corrected",
            ObjectionStatus::Upheld => "upheld",
            ObjectionStatus::Withdrawn => "withdrawn",
        }
    }

    fn label_zh(self) -> &'static str {
        match self {
            ObjectionStatus::Initial => "未提出",
            ObjectionStatus::Open => "异议处理中",
            ObjectionStatus::Overdue => "逾期未处理",
            ObjectionStatus::Corrected => "已更正",
            ObjectionStatus::Upheld => "维持原记录",
            ObjectionStatus::Withdrawn => "已撤回",
        }
    }
}

impl ObjectionStatus {
    /// The state's name (`snake_case`).
    pub fn name(self) -> &'static str {
        Status::name(self)
    }

    /// The state in Chinese.
    pub fn label_zh(self) -> &'static str {
        Status::label_zh(self)
    }

    /// Whether the record is disputed in this state (shown with 异议处理中).
    pub fn is_disputed(self) -> bool {
        matches!(self, ObjectionStatus::Open | ObjectionStatus::Overdue)
    }
}

/// An event of an objection: what happened, in which role, with its data.
/// It happens on [`Ctx::today`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ObjectionEvent {
    /// The objection is filed (received today).
    File {
        /// `enterprise` (the subject), `public` (a record shown publicly) or
        /// `admin` (registered by the credit office).
        actor: Role,
        /// What it is about.
        case: ObjectionCase,
    },
    /// The platform flags an objection not decided by its deadline.
    FlagOverdue {
        /// `system`.
        actor: Role,
    },
    /// The department corrects the record.
    Correct {
        /// `department` or `admin`.
        actor: Role,
        /// New version or withdrawal.
        correction: Correction,
        /// The reasons, never blank.
        reasons: String,
    },
    /// The department upholds the record.
    Uphold {
        /// `department` or `admin`.
        actor: Role,
        /// The reasons, never blank.
        reasons: String,
    },
    /// The filer withdraws the objection.
    Withdraw {
        /// `enterprise`, `public` or `admin`.
        actor: Role,
        /// Why, possibly empty.
        reason: String,
    },
}

/// The kinds of objection events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionEventKind {
    /// [`ObjectionEvent::File`].
    File,
    /// [`ObjectionEvent::FlagOverdue`].
    FlagOverdue,
    /// [`ObjectionEvent::Correct`].
    Correct,
    /// [`ObjectionEvent::Uphold`].
    Uphold,
    /// [`ObjectionEvent::Withdraw`].
    Withdraw,
}

impl EventKind for ObjectionEventKind {
    const ALL: &'static [Self] = &[
        ObjectionEventKind::File,
        ObjectionEventKind::FlagOverdue,
        ObjectionEventKind::Correct,
        ObjectionEventKind::Uphold,
        ObjectionEventKind::Withdraw,
    ];

    fn name(self) -> &'static str {
        match self {
            ObjectionEventKind::File => "file",
            ObjectionEventKind::FlagOverdue => "flag_overdue",
            ObjectionEventKind::Correct => "correct",
            ObjectionEventKind::Uphold => "uphold",
            ObjectionEventKind::Withdraw => "withdraw",
        }
    }

    fn label_zh(self) -> &'static str {
        match self {
            ObjectionEventKind::File => "提出异议",
            ObjectionEventKind::FlagOverdue => "逾期标记",
            ObjectionEventKind::Correct => "更正",
            ObjectionEventKind::Uphold => "维持",
            ObjectionEventKind::Withdraw => "撤回",
        }
    }

    fn is_decision(self) -> bool {
        matches!(
            self,
            ObjectionEventKind::Correct | ObjectionEventKind::Uphold
        )
    }
}

impl ObjectionEvent {
    /// The event's kind.
    pub fn kind(&self) -> ObjectionEventKind {
        match self {
            ObjectionEvent::File { .. } => ObjectionEventKind::File,
            ObjectionEvent::FlagOverdue { .. } => ObjectionEventKind::FlagOverdue,
            ObjectionEvent::Correct { .. } => ObjectionEventKind::Correct,
            ObjectionEvent::Uphold { .. } => ObjectionEventKind::Uphold,
            ObjectionEvent::Withdraw { .. } => ObjectionEventKind::Withdraw,
        }
    }

    /// The role the event is carried out in.
    pub fn actor(&self) -> Role {
        match self {
            ObjectionEvent::File { actor, .. }
            | ObjectionEvent::FlagOverdue { actor }
            | ObjectionEvent::Correct { actor, .. }
            | ObjectionEvent::Uphold { actor, .. }
            | ObjectionEvent::Withdraw { actor, .. } => *actor,
        }
    }
}

const FILERS: &[Role] = &[Role::Enterprise, Role::Public, Role::Admin];
const DECIDERS: &[Role] = DEPARTMENT_ROLES;
const SYSTEM: &[Role] = SYSTEM_ROLES;

static DIAGRAM: Diagram<ObjectionStatus, ObjectionEventKind> = {
    use ObjectionEventKind as E;
    use ObjectionStatus as S;
    Diagram {
        initial: S::Initial,
        rows: &[
            row(S::Initial, E::File, FILERS, S::Open),
            row(S::Open, E::FlagOverdue, SYSTEM, S::Overdue),
            row(S::Open, E::Correct, DECIDERS, S::Corrected),
            row(S::Open, E::Uphold, DECIDERS, S::Upheld),
            row(S::Open, E::Withdraw, FILERS, S::Withdrawn),
            row(S::Overdue, E::Correct, DECIDERS, S::Corrected),
            row(S::Overdue, E::Uphold, DECIDERS, S::Upheld),
            row(S::Overdue, E::Withdraw, FILERS, S::Withdrawn),
        ],
    }
};

/// The objection diagram: every allowed `(state, event kind, roles) → state`.
pub fn diagram() -> &'static Diagram<ObjectionStatus, ObjectionEventKind> {
    &DIAGRAM
}

/// The objection diagram as Mermaid text.
pub fn mermaid() -> String {
    DIAGRAM.to_mermaid()
}

impl ObjectionState {
    /// The state without its data.
    pub fn status(&self) -> ObjectionStatus {
        match self {
            ObjectionState::Initial => ObjectionStatus::Initial,
            ObjectionState::Open { .. } => ObjectionStatus::Open,
            ObjectionState::Overdue { .. } => ObjectionStatus::Overdue,
            ObjectionState::Corrected { .. } => ObjectionStatus::Corrected,
            ObjectionState::Upheld { .. } => ObjectionStatus::Upheld,
            ObjectionState::Withdrawn { .. } => ObjectionStatus::Withdrawn,
        }
    }

    /// The state in Chinese (异议处理中, 已更正, 维持原记录, ...).
    pub fn label_zh(&self) -> &'static str {
        self.status().label_zh()
    }

    /// The filing, in every state but the initial one.
    pub fn filing(&self) -> Option<&Filing> {
        match self {
            ObjectionState::Initial => None,
            ObjectionState::Open { filing }
            | ObjectionState::Overdue { filing, .. }
            | ObjectionState::Corrected { filing, .. }
            | ObjectionState::Upheld { filing, .. }
            | ObjectionState::Withdrawn { filing, .. } => Some(filing),
        }
    }

    /// The decision, once decided.
    pub fn decision(&self) -> Option<&Decision> {
        match self {
            ObjectionState::Corrected { decision, .. }
            | ObjectionState::Upheld { decision, .. } => Some(decision),
            _ => None,
        }
    }

    /// The last day of the decision deadline, once filed (also after the
    /// decision, to tell whether it was late).
    pub fn decide_by(&self) -> Option<Date> {
        self.filing().map(|f| f.decide_by)
    }

    /// Whether the case is closed (decided or withdrawn): no event applies.
    pub fn is_final(&self) -> bool {
        DIAGRAM.is_terminal(self.status())
    }

    /// The deadlines in force: the decision deadline while undecided.
    pub fn deadlines(&self) -> Vec<Deadline> {
        match self {
            ObjectionState::Open { filing } | ObjectionState::Overdue { filing, .. } => {
                vec![Deadline {
                    kind: DeadlineKind::ObjectionDecision,
                    due: filing.decide_by,
                }]
            }
            _ => Vec::new(),
        }
    }

    /// Whether the objection is undecided and late on `today` (`today >
    /// decide_by`), whether or not it has been flagged yet.
    pub fn is_overdue(&self, today: Date) -> bool {
        self.deadlines().iter().any(|d| d.is_overdue(today))
    }

    /// Working days left to decide after `today` (see
    /// [`Deadline::working_days_left`]); `None` when nothing is pending.
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

    /// Whether the decision came after the deadline (counted against the
    /// department); `None` before a decision.
    pub fn decided_late(&self) -> Option<bool> {
        let filing = self.filing()?;
        self.decision().map(|d| d.on > filing.decide_by)
    }

    /// The day of the case's last step; events may not be dated before it.
    fn last_step_on(&self) -> Option<Date> {
        match self {
            ObjectionState::Initial => None,
            ObjectionState::Open { filing } => Some(filing.received_on),
            ObjectionState::Overdue { flagged_on, .. } => Some(*flagged_on),
            ObjectionState::Corrected { decision, .. }
            | ObjectionState::Upheld { decision, .. } => Some(decision.on),
            ObjectionState::Withdrawn { withdrawal, .. } => Some(withdrawal.on),
        }
    }

    /// What to carry out on entering this state.
    fn entry_effects(&self) -> Vec<Effect> {
        let Some(filing) = self.filing() else {
            return Vec::new();
        };
        let record = || filing.case.record.clone();
        let department = || filing.case.record.source.clone();
        match self {
            ObjectionState::Initial => Vec::new(),
            ObjectionState::Open { .. } => vec![
                Effect::MarkDisputed { record: record() },
                Effect::RouteToDepartment {
                    department: department(),
                    task: Task::DecideObjection,
                    due_by: filing.decide_by,
                },
            ],
            ObjectionState::Overdue { .. } => vec![Effect::FlagOverdue {
                department: department(),
                task: Task::DecideObjection,
                due_by: filing.decide_by,
            }],
            ObjectionState::Corrected { correction, .. } => vec![
                match correction {
                    Correction::NewVersion => Effect::WriteCorrection { record: record() },
                    Correction::Withdrawal => Effect::WithdrawRecord { record: record() },
                },
                Effect::ClearDisputed { record: record() },
                Effect::Reevaluate {
                    subject: filing.case.subject.clone(),
                },
                Effect::NotifyPartners { record: record() },
                Effect::NotifyFiler { record: record() },
            ],
            ObjectionState::Upheld { .. } => vec![
                Effect::ClearDisputed { record: record() },
                Effect::NotifyFiler { record: record() },
            ],
            ObjectionState::Withdrawn { .. } => vec![Effect::ClearDisputed { record: record() }],
        }
    }
}

/// Applies `event` to an objection in `state` on `ctx.today`.
///
/// The step must be in the [`diagram`] for the event's role; then the
/// event's data are checked (a statement and reasons that are not blank, no
/// event dated before the case's last step, an overdue flag only after
/// `decide_by`). Filing computes `decide_by =
/// add_working_days(today, objection_decision_working_days)`; a day outside
/// the calendar is [`WorkflowError::OutsideCalendar`]. Nothing panics.
pub fn apply(
    state: &ObjectionState,
    event: &ObjectionEvent,
    ctx: &Ctx<'_>,
) -> Result<Transition<ObjectionState>, WorkflowError> {
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
        (None, ObjectionEvent::File { actor, case }) => {
            step.require_record(&case.record)?;
            step.require_text("subject", &case.subject)?;
            step.require_text("statement", &case.statement)?;
            let decide_by = step.add_working_days(
                ctx.calendar,
                today,
                ctx.config.objection_decision_working_days,
            )?;
            ObjectionState::Open {
                filing: Filing {
                    case: case.clone(),
                    filed_by: *actor,
                    received_on: today,
                    decide_by,
                },
            }
        }
        (Some(filing), ObjectionEvent::FlagOverdue { .. }) => {
            if today <= filing.decide_by {
                return Err(WorkflowError::NotOverdue {
                    workflow: WORKFLOW,
                    state: from.name(),
                    event: kind.name(),
                    due_by: filing.decide_by,
                    today,
                });
            }
            ObjectionState::Overdue {
                filing: filing.clone(),
                flagged_on: today,
            }
        }
        (
            Some(filing),
            ObjectionEvent::Correct {
                actor,
                correction,
                reasons,
            },
        ) => ObjectionState::Corrected {
            filing: filing.clone(),
            correction: *correction,
            decision: decision(*actor, reasons)?,
        },
        (Some(filing), ObjectionEvent::Uphold { actor, reasons }) => ObjectionState::Upheld {
            filing: filing.clone(),
            decision: decision(*actor, reasons)?,
        },
        (Some(filing), ObjectionEvent::Withdraw { actor, reason }) => ObjectionState::Withdrawn {
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
