//! Why an event was refused.

use xinyong_core::time::{CalendarError, Date};

use crate::Role;

/// An event that cannot be applied. Every variant names the workflow, the
/// state the case was in and the event tried; [`code`](Self::code) is a
/// stable `snake_case` code the application maps to its own errors (e.g.
/// `already_decided` to HTTP 409). A refused event changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    /// The diagram has no such step from this state (e.g. deciding an
    /// objection that was never filed, or flagging a decided one).
    #[error("{workflow}: `{event}` is not possible in state `{state}`")]
    InvalidTransition {
        /// `objection`, `repair` or `commitment`.
        workflow: &'static str,
        /// The state's name.
        state: &'static str,
        /// The event kind's name.
        event: &'static str,
    },
    /// The role may not take this step.
    #[error("{workflow}: role `{role}` may not `{event}` (state `{state}`)")]
    ForbiddenForRole {
        /// `objection`, `repair` or `commitment`.
        workflow: &'static str,
        /// The state's name.
        state: &'static str,
        /// The event kind's name.
        event: &'static str,
        /// The role that tried.
        role: Role,
    },
    /// A decision on a case that is already closed (decided or withdrawn):
    /// e.g. a second clerk deciding the same objection.
    #[error("{workflow}: cannot `{event}`: already closed in state `{state}`")]
    AlreadyDecided {
        /// `objection`, `repair` or `commitment`.
        workflow: &'static str,
        /// The (final) state's name.
        state: &'static str,
        /// The event kind's name.
        event: &'static str,
    },
    /// An overdue flag before the deadline has passed.
    #[error(
        "{workflow}: cannot `{event}` in state `{state}` on {today}: not overdue before {due_by} has passed"
    )]
    NotOverdue {
        /// `objection` or `repair`.
        workflow: &'static str,
        /// The state's name.
        state: &'static str,
        /// The event kind's name.
        event: &'static str,
        /// The deadline, still in time on `today`.
        due_by: Date,
        /// The day of the event.
        today: Date,
    },
    /// A missed-due-date breach before the due day has passed.
    #[error(
        "{workflow}: cannot `{event}` in state `{state}` on {today}: due on {due_on}, not yet missed"
    )]
    NotYetDue {
        /// `commitment`.
        workflow: &'static str,
        /// The state's name.
        state: &'static str,
        /// The event kind's name.
        event: &'static str,
        /// The commitment's due day.
        due_on: Date,
        /// The day of the event.
        today: Date,
    },
    /// The subject is barred from the commitment route after a breach.
    #[error(
        "{workflow}: cannot `{event}` in state `{state}`: the subject is barred from the commitment route until {until}"
    )]
    CommitmentRouteBarred {
        /// `commitment`.
        workflow: &'static str,
        /// The state's name.
        state: &'static str,
        /// The event kind's name.
        event: &'static str,
        /// The last barred day.
        until: Date,
    },
    /// The event's data do not fit the case (blank reasons, a due day in the
    /// past, a day before the case's last step, ...).
    #[error("{workflow}: invalid `{event}` in state `{state}`: {reason}")]
    InvalidEvent {
        /// `objection`, `repair` or `commitment`.
        workflow: &'static str,
        /// The state's name.
        state: &'static str,
        /// The event kind's name.
        event: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A deadline cannot be computed: a day outside the working-day calendar.
    #[error("{workflow}: cannot `{event}` in state `{state}`: {source}")]
    OutsideCalendar {
        /// `objection`, `repair` or `commitment`.
        workflow: &'static str,
        /// The state's name.
        state: &'static str,
        /// The event kind's name (or the query, e.g. `working_days_left`).
        event: &'static str,
        /// The calendar's error.
        source: CalendarError,
    },
}

impl WorkflowError {
    /// Every code [`code`](Self::code) can return.
    pub const CODES: [&'static str; 8] = [
        "invalid_transition",
        "forbidden_for_role",
        "already_decided",
        "not_overdue",
        "not_yet_due",
        "commitment_route_barred",
        "invalid_event",
        "outside_calendar",
    ];

    /// The stable `snake_case` code: never renamed or reused.
    pub fn code(&self) -> &'static str {
        match self {
            WorkflowError::InvalidTransition { .. } => "invalid_transition",
            WorkflowError::ForbiddenForRole { .. } => "forbidden_for_role",
            WorkflowError::AlreadyDecided { .. } => "already_decided",
            WorkflowError::NotOverdue { .. } => "not_overdue",
            WorkflowError::NotYetDue { .. } => "not_yet_due",
            WorkflowError::CommitmentRouteBarred { .. } => "commitment_route_barred",
            WorkflowError::InvalidEvent { .. } => "invalid_event",
            WorkflowError::OutsideCalendar { .. } => "outside_calendar",
        }
    }

    /// What the code means, in Chinese, for people.
    pub fn message_zh(&self) -> &'static str {
        match self {
            WorkflowError::InvalidTransition { .. } => "当前状态下不能进行此操作",
            WorkflowError::ForbiddenForRole { .. } => "无权进行此操作",
            WorkflowError::AlreadyDecided { .. } => "该事项已办结，不能重复处理",
            WorkflowError::NotOverdue { .. } => "尚未超过办理期限",
            WorkflowError::NotYetDue { .. } => "尚未超过承诺期限",
            WorkflowError::CommitmentRouteBarred { .. } => "该主体因承诺失信，暂不适用承诺制",
            WorkflowError::InvalidEvent { .. } => "操作内容不符合要求",
            WorkflowError::OutsideCalendar { .. } => "日期超出工作日历范围，无法计算期限",
        }
    }

    /// The workflow named by the error.
    pub fn workflow(&self) -> &'static str {
        match self {
            WorkflowError::InvalidTransition { workflow, .. }
            | WorkflowError::ForbiddenForRole { workflow, .. }
            | WorkflowError::AlreadyDecided { workflow, .. }
            | WorkflowError::NotOverdue { workflow, .. }
            | WorkflowError::NotYetDue { workflow, .. }
            | WorkflowError::CommitmentRouteBarred { workflow, .. }
            | WorkflowError::InvalidEvent { workflow, .. }
            | WorkflowError::OutsideCalendar { workflow, .. } => workflow,
        }
    }

    /// The state named by the error.
    pub fn state(&self) -> &'static str {
        match self {
            WorkflowError::InvalidTransition { state, .. }
            | WorkflowError::ForbiddenForRole { state, .. }
            | WorkflowError::AlreadyDecided { state, .. }
            | WorkflowError::NotOverdue { state, .. }
            | WorkflowError::NotYetDue { state, .. }
            | WorkflowError::CommitmentRouteBarred { state, .. }
            | WorkflowError::InvalidEvent { state, .. }
            | WorkflowError::OutsideCalendar { state, .. } => state,
        }
    }

    /// The event (kind) named by the error.
    pub fn event(&self) -> &'static str {
        match self {
            WorkflowError::InvalidTransition { event, .. }
            | WorkflowError::ForbiddenForRole { event, .. }
            | WorkflowError::AlreadyDecided { event, .. }
            | WorkflowError::NotOverdue { event, .. }
            | WorkflowError::NotYetDue { event, .. }
            | WorkflowError::CommitmentRouteBarred { event, .. }
            | WorkflowError::InvalidEvent { event, .. }
            | WorkflowError::OutsideCalendar { event, .. } => event,
        }
    }

    /// Whether the error is about the step itself (the diagram: no such
    /// step, not for this role, case closed) rather than about the event's
    /// data or dates.
    pub fn is_structural(&self) -> bool {
        matches!(
            self,
            WorkflowError::InvalidTransition { .. }
                | WorkflowError::ForbiddenForRole { .. }
                | WorkflowError::AlreadyDecided { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_and_explained() {
        let mut codes = WorkflowError::CODES.to_vec();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), WorkflowError::CODES.len());
        for code in codes {
            assert!(
                code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{code}"
            );
        }
        let e = WorkflowError::AlreadyDecided {
            workflow: "objection",
            state: "upheld",
            event: "correct",
        };
        assert_eq!(e.code(), "already_decided");
        assert!(!e.message_zh().is_empty());
        assert_eq!(
            e.to_string(),
            "objection: cannot `correct`: already closed in state `upheld`"
        );
        assert!(e.is_structural());
    }
}
