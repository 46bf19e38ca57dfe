//! Commitments (告知承诺 / 容缺受理 / 信用承诺, PRODUCT.md C9).
//!
//! A subject signs a commitment about a matter, kept as a `commitment`
//! record (INTERCHANGE.md §2) of the department it is made to. What must
//! happen afterwards — its [`Obligation`] — is one of:
//!
//! * materials (or conduct) due by a day: a promised date, or a promised
//!   period from signing (Civil Code rule, e.g. 6 months); the department
//!   records the fulfilment, and a due day that passes without it is a
//!   breach (`lapse`, role `system`), dated the day after the due day;
//! * due on an event (e.g. the start of off-site works): when the department
//!   reports the event, the commitment is due that day;
//! * a post-verification on-site check by the department within
//!   [`Config::on_site_check_working_days`](crate::Config) working days
//!   after signing (default 30; the signing day not counted): passed, it is
//!   fulfilled; failed, it is breached.
//!
//! The department may also report a breach at any time before (a false
//! commitment, 虚假承诺) or withdraw the commitment. A breach writes the
//! commitment record as a new version with `status = breached` and bars the
//! subject from the commitment route for
//! [`Config::commitment_bar`](crate::Config) from the day of the breach.
//! While barred, the subject cannot sign a commitment of a route kind
//! ([`CommitmentKind::is_route`]); the application looks the bar up and
//! passes it in [`CommitmentEvent::Sign`].

use serde::{Deserialize, Serialize};
use xinyong_core::time::{self, Date, Period};

use crate::diagram::{DEPARTMENT_ROLES, Diagram, EventKind, SYSTEM_ROLES, Status, row};
use crate::guard::Step;
use crate::{
    CommitmentRecordStatus, Ctx, Deadline, DeadlineKind, Decision, Effect, RecordRef, Role, Task,
    Transition, WorkflowError,
};

/// The workflow's name in errors.
pub const WORKFLOW: &str = "commitment";

/// The `commitment_kind` of a commitment record (INTERCHANGE.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitmentKind {
    /// 信用承诺书: a general credit pledge.
    CreditPledge,
    /// 告知承诺审批: approval on a notification-commitment.
    NotifyCommit,
    /// 容缺受理: acceptance with materials missing, to be supplied.
    MissingMaterials,
    /// 住所申报承诺: declaration-commitment of the registered address.
    Domicile,
    /// Any other commitment.
    Other,
}

impl CommitmentKind {
    /// The kind in Chinese.
    pub fn label_zh(self) -> &'static str {
        match self {
            CommitmentKind::CreditPledge => "信用承诺",
            CommitmentKind::NotifyCommit => "告知承诺",
            CommitmentKind::MissingMaterials => "容缺受理",
            CommitmentKind::Domicile => "住所申报承诺",
            CommitmentKind::Other => "其他承诺",
        }
    }

    /// Whether the kind is the commitment route (approval on a commitment:
    /// 告知承诺, 容缺受理, 住所申报承诺), which a breach bars. A credit pledge
    /// (often itself the evidence of a repair application) is never barred.
    pub fn is_route(self) -> bool {
        matches!(
            self,
            CommitmentKind::NotifyCommit
                | CommitmentKind::MissingMaterials
                | CommitmentKind::Domicile
        )
    }
}

/// What a commitment is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CommitmentCase {
    /// The commitment record; its `source` is the department the commitment
    /// is made to, which verifies it.
    pub record: RecordRef,
    /// The subject (USCC) that signed it.
    pub subject: String,
    /// Its kind.
    pub kind: CommitmentKind,
    /// The approval matter (事项), possibly empty.
    pub matter: String,
}

/// What must happen after signing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Obligation {
    /// Kept (materials supplied) by this day, inclusive.
    DueOn {
        /// The promised day, not before signing.
        date: Date,
    },
    /// Kept within this period from signing: due on `add(signed_on,
    /// period)` (PRODUCT.md §3), e.g. 6 months.
    Within {
        /// The promised period.
        period: Period,
    },
    /// Kept when an event happens, e.g. `offsite_works_start`.
    OnEvent {
        /// The event's name, never blank.
        event: String,
    },
    /// Verified by an on-site check of the department.
    OnSiteCheck,
}

/// A signed commitment and its terms.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Commitment {
    /// What it is.
    pub case: CommitmentCase,
    /// The role it was signed (or registered) in.
    pub signed_by: Role,
    /// The day it was signed.
    pub signed_on: Date,
    /// What must happen afterwards.
    pub obligation: Obligation,
    /// The day it must be kept by, inclusive: the promised day, or the day
    /// the due event was reported; `None` while waiting for the event and for
    /// an on-site check.
    pub due_on: Option<Date>,
    /// The last day of the on-site check, for [`Obligation::OnSiteCheck`].
    pub check_by: Option<Date>,
}

/// Why a commitment is breached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreachCause {
    /// The due day passed without fulfilment.
    MissedDueDate,
    /// The on-site check failed.
    FailedCheck,
    /// The department found it broken or false (虚假承诺).
    Reported,
}

/// A breach of a commitment.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Breach {
    /// Why.
    pub cause: BreachCause,
    /// The role that recorded it.
    pub by: Role,
    /// The day it was recorded.
    pub recorded_on: Date,
    /// The day of the breach (`breached_on` of the record): the day after
    /// the due day for a missed due day, else the day it was recorded.
    pub breached_on: Date,
    /// The findings or reasons, never blank.
    pub reasons: String,
    /// The last day of the subject's bar from the commitment route.
    pub barred_until: Date,
}

/// The state of a commitment, with its data.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CommitmentState {
    /// Not signed yet.
    Initial,
    /// Signed, to be kept by `due_on` (履约中).
    Active {
        /// The commitment.
        commitment: Commitment,
    },
    /// Signed, due when an event happens (待触发).
    AwaitingEvent {
        /// The commitment.
        commitment: Commitment,
    },
    /// Signed, waiting for the on-site check by `check_by` (待核查).
    AwaitingCheck {
        /// The commitment.
        commitment: Commitment,
    },
    /// Kept (已履约).
    Fulfilled {
        /// The commitment.
        commitment: Commitment,
        /// The department's record of it.
        decision: Decision,
    },
    /// Broken (已违约, 失信).
    Breached {
        /// The commitment.
        commitment: Commitment,
        /// The breach.
        breach: Breach,
    },
    /// Annulled by the department (已撤销).
    Withdrawn {
        /// The commitment.
        commitment: Commitment,
        /// The department's decision.
        decision: Decision,
    },
}

/// The states of a commitment without their data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitmentStatus {
    /// See [`CommitmentState::Initial`].
    Initial,
    /// See [`CommitmentState::Active`].
    Active,
    /// See [`CommitmentState::AwaitingEvent`].
    AwaitingEvent,
    /// See [`CommitmentState::AwaitingCheck`].
    AwaitingCheck,
    /// See [`CommitmentState::Fulfilled`].
    Fulfilled,
    /// See [`CommitmentState::Breached`].
    Breached,
    /// See [`CommitmentState::Withdrawn`].
    Withdrawn,
}

impl Status for CommitmentStatus {
    const WORKFLOW: &'static str = WORKFLOW;
    const ALL: &'static [Self] = &[
        CommitmentStatus::Initial,
        CommitmentStatus::Active,
        CommitmentStatus::AwaitingEvent,
        CommitmentStatus::AwaitingCheck,
        CommitmentStatus::Fulfilled,
        CommitmentStatus::Breached,
        CommitmentStatus::Withdrawn,
    ];

    fn name(self) -> &'static str {
        match self {
            CommitmentStatus::Initial => "initial",
            CommitmentStatus::Active => "active",
            CommitmentStatus::AwaitingEvent => "awaiting_event",
            CommitmentStatus::AwaitingCheck => "awaiting_check",
            CommitmentStatus::Fulfilled => "fulfilled",
            CommitmentStatus::Breached => "breached",
            CommitmentStatus::Withdrawn => "withdrawn",
        }
    }

    fn label_zh(self) -> &'static str {
        match self {
            CommitmentStatus::Initial => "未签署",
            CommitmentStatus::Active => "履约中",
            CommitmentStatus::AwaitingEvent => "待触发",
            CommitmentStatus::AwaitingCheck => "待核查",
            CommitmentStatus::Fulfilled => "已履约",
            CommitmentStatus::Breached => "已违约",
            CommitmentStatus::Withdrawn => "已撤销",
        }
    }
}

impl CommitmentStatus {
    /// The state's name (`snake_case`).
    pub fn name(self) -> &'static str {
        Status::name(self)
    }

    /// The state in Chinese.
    pub fn label_zh(self) -> &'static str {
        Status::label_zh(self)
    }

    /// The `status` of the commitment record in this state; `None` before
    /// signing.
    pub fn record_status(self) -> Option<CommitmentRecordStatus> {
        match self {
            CommitmentStatus::Initial => None,
            CommitmentStatus::Active
            | CommitmentStatus::AwaitingEvent
            | CommitmentStatus::AwaitingCheck => Some(CommitmentRecordStatus::Active),
            CommitmentStatus::Fulfilled => Some(CommitmentRecordStatus::Fulfilled),
            CommitmentStatus::Breached => Some(CommitmentRecordStatus::Breached),
            CommitmentStatus::Withdrawn => Some(CommitmentRecordStatus::Withdrawn),
        }
    }
}

/// An event of a commitment. It happens on [`Ctx::today`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum CommitmentEvent {
    /// The subject signs the commitment.
    Sign {
        /// `enterprise` (online), `department` (registered at the counter)
        /// or `admin`.
        actor: Role,
        /// What it is.
        case: CommitmentCase,
        /// What must happen afterwards.
        obligation: Obligation,
        /// The last day of the subject's current bar from the commitment
        /// route, if any (the application looks it up).
        barred_until: Option<Date>,
    },
    /// The event a commitment is due on happened (today).
    DueEventOccurred {
        /// `department`, `admin` or `system`.
        actor: Role,
    },
    /// The department records that the commitment was kept.
    Fulfil {
        /// `department` or `admin`.
        actor: Role,
        /// What was received or found, never blank.
        reasons: String,
    },
    /// The on-site check passed.
    CheckPassed {
        /// `department` or `admin`.
        actor: Role,
        /// The findings, never blank.
        findings: String,
    },
    /// The on-site check failed: a breach.
    CheckFailed {
        /// `department` or `admin`.
        actor: Role,
        /// The findings, never blank.
        findings: String,
    },
    /// The department finds the commitment broken or false: a breach.
    ReportBreach {
        /// `department` or `admin`.
        actor: Role,
        /// The reasons, never blank.
        reasons: String,
    },
    /// The platform records a missed due day: a breach.
    Lapse {
        /// `system`.
        actor: Role,
    },
    /// The department annuls the commitment.
    Withdraw {
        /// `department` or `admin`.
        actor: Role,
        /// The reasons, never blank.
        reasons: String,
    },
}

/// The kinds of commitment events; signing has one kind per obligation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitmentEventKind {
    /// [`CommitmentEvent::Sign`] with [`Obligation::DueOn`] or [`Obligation::Within`].
    SignDueDate,
    /// [`CommitmentEvent::Sign`] with [`Obligation::OnEvent`].
    SignDueEvent,
    /// [`CommitmentEvent::Sign`] with [`Obligation::OnSiteCheck`].
    SignOnSiteCheck,
    /// [`CommitmentEvent::DueEventOccurred`].
    DueEventOccurred,
    /// [`CommitmentEvent::Fulfil`].
    Fulfil,
    /// [`CommitmentEvent::CheckPassed`].
    CheckPassed,
    /// [`CommitmentEvent::CheckFailed`].
    CheckFailed,
    /// [`CommitmentEvent::ReportBreach`].
    ReportBreach,
    /// [`CommitmentEvent::Lapse`].
    Lapse,
    /// [`CommitmentEvent::Withdraw`].
    Withdraw,
}

impl EventKind for CommitmentEventKind {
    const ALL: &'static [Self] = &[
        CommitmentEventKind::SignDueDate,
        CommitmentEventKind::SignDueEvent,
        CommitmentEventKind::SignOnSiteCheck,
        CommitmentEventKind::DueEventOccurred,
        CommitmentEventKind::Fulfil,
        CommitmentEventKind::CheckPassed,
        CommitmentEventKind::CheckFailed,
        CommitmentEventKind::ReportBreach,
        CommitmentEventKind::Lapse,
        CommitmentEventKind::Withdraw,
    ];

    fn name(self) -> &'static str {
        match self {
            CommitmentEventKind::SignDueDate => "sign_due_date",
            CommitmentEventKind::SignDueEvent => "sign_due_event",
            CommitmentEventKind::SignOnSiteCheck => "sign_on_site_check",
            CommitmentEventKind::DueEventOccurred => "due_event_occurred",
            CommitmentEventKind::Fulfil => "fulfil",
            CommitmentEventKind::CheckPassed => "check_passed",
            CommitmentEventKind::CheckFailed => "check_failed",
            CommitmentEventKind::ReportBreach => "report_breach",
            CommitmentEventKind::Lapse => "lapse",
            CommitmentEventKind::Withdraw => "withdraw",
        }
    }

    fn label_zh(self) -> &'static str {
        match self {
            CommitmentEventKind::SignDueDate => "签署（限期履行）",
            CommitmentEventKind::SignDueEvent => "签署（事件触发）",
            CommitmentEventKind::SignOnSiteCheck => "签署（现场核查）",
            CommitmentEventKind::DueEventOccurred => "触发事件发生",
            CommitmentEventKind::Fulfil => "确认履约",
            CommitmentEventKind::CheckPassed => "核查通过",
            CommitmentEventKind::CheckFailed => "核查不通过",
            CommitmentEventKind::ReportBreach => "认定违约",
            CommitmentEventKind::Lapse => "逾期未履约",
            CommitmentEventKind::Withdraw => "撤销",
        }
    }

    fn is_decision(self) -> bool {
        matches!(
            self,
            CommitmentEventKind::Fulfil
                | CommitmentEventKind::CheckPassed
                | CommitmentEventKind::CheckFailed
                | CommitmentEventKind::ReportBreach
                | CommitmentEventKind::Lapse
        )
    }
}

impl CommitmentEvent {
    /// The event's kind.
    pub fn kind(&self) -> CommitmentEventKind {
        match self {
            CommitmentEvent::Sign { obligation, .. } => match obligation {
                Obligation::DueOn { .. } | Obligation::Within { .. } => {
                    CommitmentEventKind::SignDueDate
                }
                Obligation::OnEvent { .. } => CommitmentEventKind::SignDueEvent,
                Obligation::OnSiteCheck => CommitmentEventKind::SignOnSiteCheck,
            },
            CommitmentEvent::DueEventOccurred { .. } => CommitmentEventKind::DueEventOccurred,
            CommitmentEvent::Fulfil { .. } => CommitmentEventKind::Fulfil,
            CommitmentEvent::CheckPassed { .. } => CommitmentEventKind::CheckPassed,
            CommitmentEvent::CheckFailed { .. } => CommitmentEventKind::CheckFailed,
            CommitmentEvent::ReportBreach { .. } => CommitmentEventKind::ReportBreach,
            CommitmentEvent::Lapse { .. } => CommitmentEventKind::Lapse,
            CommitmentEvent::Withdraw { .. } => CommitmentEventKind::Withdraw,
        }
    }

    /// The role the event is carried out in.
    pub fn actor(&self) -> Role {
        match self {
            CommitmentEvent::Sign { actor, .. }
            | CommitmentEvent::DueEventOccurred { actor }
            | CommitmentEvent::Fulfil { actor, .. }
            | CommitmentEvent::CheckPassed { actor, .. }
            | CommitmentEvent::CheckFailed { actor, .. }
            | CommitmentEvent::ReportBreach { actor, .. }
            | CommitmentEvent::Lapse { actor }
            | CommitmentEvent::Withdraw { actor, .. } => *actor,
        }
    }
}

const SIGNERS: &[Role] = &[Role::Enterprise, Role::Department, Role::Admin];
const DEPARTMENT: &[Role] = DEPARTMENT_ROLES;
const REPORTERS: &[Role] = &[Role::Department, Role::Admin, Role::System];
const SYSTEM: &[Role] = SYSTEM_ROLES;

static DIAGRAM: Diagram<CommitmentStatus, CommitmentEventKind> = {
    use CommitmentEventKind as E;
    use CommitmentStatus as S;
    Diagram {
        initial: S::Initial,
        rows: &[
            row(S::Initial, E::SignDueDate, SIGNERS, S::Active),
            row(S::Initial, E::SignDueEvent, SIGNERS, S::AwaitingEvent),
            row(S::Initial, E::SignOnSiteCheck, SIGNERS, S::AwaitingCheck),
            row(S::AwaitingEvent, E::DueEventOccurred, REPORTERS, S::Active),
            row(S::AwaitingEvent, E::Fulfil, DEPARTMENT, S::Fulfilled),
            row(S::AwaitingEvent, E::ReportBreach, DEPARTMENT, S::Breached),
            row(S::AwaitingEvent, E::Withdraw, DEPARTMENT, S::Withdrawn),
            row(S::Active, E::Fulfil, DEPARTMENT, S::Fulfilled),
            row(S::Active, E::Lapse, SYSTEM, S::Breached),
            row(S::Active, E::ReportBreach, DEPARTMENT, S::Breached),
            row(S::Active, E::Withdraw, DEPARTMENT, S::Withdrawn),
            row(S::AwaitingCheck, E::CheckPassed, DEPARTMENT, S::Fulfilled),
            row(S::AwaitingCheck, E::CheckFailed, DEPARTMENT, S::Breached),
            row(S::AwaitingCheck, E::ReportBreach, DEPARTMENT, S::Breached),
            row(S::AwaitingCheck, E::Withdraw, DEPARTMENT, S::Withdrawn),
        ],
    }
};

/// The commitment diagram: every allowed `(state, event kind, roles) → state`.
pub fn diagram() -> &'static Diagram<CommitmentStatus, CommitmentEventKind> {
    &DIAGRAM
}

/// The commitment diagram as Mermaid text.
pub fn mermaid() -> String {
    DIAGRAM.to_mermaid()
}

impl CommitmentState {
    /// The state without its data.
    pub fn status(&self) -> CommitmentStatus {
        match self {
            CommitmentState::Initial => CommitmentStatus::Initial,
            CommitmentState::Active { .. } => CommitmentStatus::Active,
            CommitmentState::AwaitingEvent { .. } => CommitmentStatus::AwaitingEvent,
            CommitmentState::AwaitingCheck { .. } => CommitmentStatus::AwaitingCheck,
            CommitmentState::Fulfilled { .. } => CommitmentStatus::Fulfilled,
            CommitmentState::Breached { .. } => CommitmentStatus::Breached,
            CommitmentState::Withdrawn { .. } => CommitmentStatus::Withdrawn,
        }
    }

    /// The state in Chinese (履约中, 已违约, ...).
    pub fn label_zh(&self) -> &'static str {
        self.status().label_zh()
    }

    /// The commitment, in every state but the initial one.
    pub fn commitment(&self) -> Option<&Commitment> {
        match self {
            CommitmentState::Initial => None,
            CommitmentState::Active { commitment }
            | CommitmentState::AwaitingEvent { commitment }
            | CommitmentState::AwaitingCheck { commitment }
            | CommitmentState::Fulfilled { commitment, .. }
            | CommitmentState::Breached { commitment, .. }
            | CommitmentState::Withdrawn { commitment, .. } => Some(commitment),
        }
    }

    /// The breach, once breached.
    pub fn breach(&self) -> Option<&Breach> {
        match self {
            CommitmentState::Breached { breach, .. } => Some(breach),
            _ => None,
        }
    }

    /// Whether the case is closed: no event applies.
    pub fn is_final(&self) -> bool {
        DIAGRAM.is_terminal(self.status())
    }

    /// The deadlines in force: the due day while active, the on-site check
    /// while waiting for it.
    pub fn deadlines(&self) -> Vec<Deadline> {
        match self {
            CommitmentState::Active { commitment } => commitment
                .due_on
                .map(|due| Deadline {
                    kind: DeadlineKind::CommitmentDue,
                    due,
                })
                .into_iter()
                .collect(),
            CommitmentState::AwaitingCheck { commitment } => commitment
                .check_by
                .map(|due| Deadline {
                    kind: DeadlineKind::OnSiteCheck,
                    due,
                })
                .into_iter()
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Whether a deadline in force has passed on `today` (the subject's due
    /// day, or the department's on-site check).
    pub fn is_overdue(&self, today: Date) -> bool {
        self.deadlines().iter().any(|d| d.is_overdue(today))
    }

    /// Working days left after `today` to the deadline in force; `None` when
    /// there is none.
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

    fn last_step_on(&self) -> Option<Date> {
        match self {
            CommitmentState::Initial => None,
            CommitmentState::AwaitingEvent { commitment }
            | CommitmentState::AwaitingCheck { commitment } => Some(commitment.signed_on),
            // Active after a due event: the event's day is the due day.
            CommitmentState::Active { commitment } => Some(match commitment.obligation {
                Obligation::OnEvent { .. } => commitment.due_on.unwrap_or(commitment.signed_on),
                _ => commitment.signed_on,
            }),
            CommitmentState::Fulfilled { decision, .. }
            | CommitmentState::Withdrawn { decision, .. } => Some(decision.on),
            CommitmentState::Breached { breach, .. } => Some(breach.recorded_on),
        }
    }

    fn entry_effects(&self) -> Vec<Effect> {
        let Some(commitment) = self.commitment() else {
            return Vec::new();
        };
        let Some(status) = self.status().record_status() else {
            return Vec::new();
        };
        let case = &commitment.case;
        let mut effects = vec![
            Effect::WriteCommitment {
                record: case.record.clone(),
                status,
                due_on: commitment.due_on,
                breached_on: self.breach().map(|b| b.breached_on),
            },
            Effect::Reevaluate {
                subject: case.subject.clone(),
            },
        ];
        let department = || case.record.source.clone();
        match self {
            CommitmentState::Active { commitment } => {
                if let Some(due_by) = commitment.due_on {
                    effects.push(Effect::RouteToDepartment {
                        department: department(),
                        task: Task::VerifyMaterials,
                        due_by,
                    });
                }
            }
            CommitmentState::AwaitingCheck { commitment } => {
                if let Some(due_by) = commitment.check_by {
                    effects.push(Effect::RouteToDepartment {
                        department: department(),
                        task: Task::OnSiteCheck,
                        due_by,
                    });
                }
            }
            CommitmentState::Breached { breach, .. } => {
                effects.push(Effect::BarCommitmentRoute {
                    subject: case.subject.clone(),
                    from: breach.breached_on,
                    until: breach.barred_until,
                });
                effects.push(Effect::NotifySubject {
                    subject: case.subject.clone(),
                });
            }
            _ => {}
        }
        effects
    }
}

/// Applies `event` to a commitment in `state` on `ctx.today`.
///
/// The step must be in the [`diagram`] for the event's role; then the data
/// are checked (texts not blank, a due day not before signing, no event
/// dated before the case's last step, a lapse only after the due day, no
/// signing of a route kind while the subject is barred). Signing with an
/// on-site check computes `check_by = add_working_days(today,
/// on_site_check_working_days)`; a breach computes the bar's last day as
/// `add(breached_on, commitment_bar)` (Civil Code rule). A day outside the
/// calendar is [`WorkflowError::OutsideCalendar`]. Nothing panics.
pub fn apply(
    state: &CommitmentState,
    event: &CommitmentEvent,
    ctx: &Ctx<'_>,
) -> Result<Transition<CommitmentState>, WorkflowError> {
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
    let decision = |by: Role, what: &str, reasons: &str| -> Result<Decision, WorkflowError> {
        step.require_text(what, reasons)?;
        Ok(Decision {
            by,
            on: today,
            reasons: reasons.to_owned(),
        })
    };
    let breach = |cause: BreachCause, by: Role, breached_on: Date, reasons: String| Breach {
        cause,
        by,
        recorded_on: today,
        breached_on,
        reasons,
        barred_until: time::add(breached_on, ctx.config.commitment_bar),
    };

    let next = match (state.commitment(), event) {
        (
            None,
            CommitmentEvent::Sign {
                actor,
                case,
                obligation,
                barred_until,
            },
        ) => {
            step.require_record(&case.record)?;
            step.require_text("subject", &case.subject)?;
            if let Some(until) = barred_until
                && case.kind.is_route()
                && today <= *until
            {
                return Err(WorkflowError::CommitmentRouteBarred {
                    workflow: WORKFLOW,
                    state: from.name(),
                    event: kind.name(),
                    until: *until,
                });
            }
            let mut commitment = Commitment {
                case: case.clone(),
                signed_by: *actor,
                signed_on: today,
                obligation: obligation.clone(),
                due_on: None,
                check_by: None,
            };
            match obligation {
                Obligation::DueOn { date } => {
                    commitment.due_on = Some(*date);
                }
                Obligation::Within { period } => {
                    commitment.due_on = Some(time::add(today, *period));
                }
                Obligation::OnEvent { event } => {
                    step.require_text("obligation.event", event)?;
                }
                Obligation::OnSiteCheck => {
                    commitment.check_by = Some(step.add_working_days(
                        ctx.calendar,
                        today,
                        ctx.config.on_site_check_working_days,
                    )?);
                }
            }
            if let Some(due) = commitment.due_on
                && due < today
            {
                return Err(step.invalid(format!("due day {due} is before signing on {today}")));
            }
            match obligation {
                Obligation::DueOn { .. } | Obligation::Within { .. } => {
                    CommitmentState::Active { commitment }
                }
                Obligation::OnEvent { .. } => CommitmentState::AwaitingEvent { commitment },
                Obligation::OnSiteCheck => CommitmentState::AwaitingCheck { commitment },
            }
        }
        (Some(c), CommitmentEvent::DueEventOccurred { .. }) => CommitmentState::Active {
            commitment: Commitment {
                due_on: Some(today),
                ..c.clone()
            },
        },
        (Some(c), CommitmentEvent::Fulfil { actor, reasons }) => CommitmentState::Fulfilled {
            commitment: c.clone(),
            decision: decision(*actor, "reasons", reasons)?,
        },
        (Some(c), CommitmentEvent::CheckPassed { actor, findings }) => CommitmentState::Fulfilled {
            commitment: c.clone(),
            decision: decision(*actor, "findings", findings)?,
        },
        (Some(c), CommitmentEvent::CheckFailed { actor, findings }) => {
            step.require_text("findings", findings)?;
            CommitmentState::Breached {
                commitment: c.clone(),
                breach: breach(BreachCause::FailedCheck, *actor, today, findings.clone()),
            }
        }
        (Some(c), CommitmentEvent::ReportBreach { actor, reasons }) => {
            step.require_text("reasons", reasons)?;
            CommitmentState::Breached {
                commitment: c.clone(),
                breach: breach(BreachCause::Reported, *actor, today, reasons.clone()),
            }
        }
        (Some(c), CommitmentEvent::Lapse { actor }) => {
            let Some(due_on) = c.due_on else {
                return Err(step.invalid("the commitment has no due day"));
            };
            if today <= due_on {
                return Err(WorkflowError::NotYetDue {
                    workflow: WORKFLOW,
                    state: from.name(),
                    event: kind.name(),
                    due_on,
                    today,
                });
            }
            let breached_on = time::add(due_on, Period::days(1));
            CommitmentState::Breached {
                commitment: c.clone(),
                breach: breach(
                    BreachCause::MissedDueDate,
                    *actor,
                    breached_on,
                    format!("未在承诺期限（{due_on}）内履行承诺"),
                ),
            }
        }
        (Some(c), CommitmentEvent::Withdraw { actor, reasons }) => CommitmentState::Withdrawn {
            commitment: c.clone(),
            decision: decision(*actor, "reasons", reasons)?,
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
