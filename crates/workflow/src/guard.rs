//! Checks shared by the three workflows, with errors naming the step.

use xinyong_core::time::{CalendarError, Date, WorkCalendar};

use crate::{RecordRef, WorkflowError};

/// The step being checked: workflow, state before and event kind.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Step {
    pub workflow: &'static str,
    pub state: &'static str,
    pub event: &'static str,
}

impl Step {
    pub fn invalid(&self, reason: impl Into<String>) -> WorkflowError {
        WorkflowError::InvalidEvent {
            workflow: self.workflow,
            state: self.state,
            event: self.event,
            reason: reason.into(),
        }
    }

    pub fn calendar(&self, source: CalendarError) -> WorkflowError {
        WorkflowError::OutsideCalendar {
            workflow: self.workflow,
            state: self.state,
            event: self.event,
            source,
        }
    }

    /// `n` working days after `start` (`start` not counted).
    pub fn add_working_days(
        &self,
        calendar: &WorkCalendar,
        start: Date,
        n: u32,
    ) -> Result<Date, WorkflowError> {
        calendar
            .add_working_days(start, n)
            .map_err(|e| self.calendar(e))
    }

    /// `text` must not be blank.
    pub fn require_text(&self, what: &str, text: &str) -> Result<(), WorkflowError> {
        if text.trim().is_empty() {
            Err(self.invalid(format!("{what} must not be blank")))
        } else {
            Ok(())
        }
    }

    /// A record reference with a source and an id.
    pub fn require_record(&self, record: &RecordRef) -> Result<(), WorkflowError> {
        self.require_text("record.source", &record.source)?;
        self.require_text("record.id", &record.id)
    }

    /// Events happen in order: none before the case's last step.
    pub fn not_before(&self, today: Date, last: Option<Date>) -> Result<(), WorkflowError> {
        match last {
            Some(last) if today < last => Err(self.invalid(format!(
                "the event is dated {today}, before the case's last step on {last}"
            ))),
            _ => Ok(()),
        }
    }
}
