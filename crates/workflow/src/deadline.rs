//! Deadlines in working days.
//!
//! A deadline of `N` working days after day `D` is
//! [`WorkCalendar::add_working_days`]`(D, N)`: **`D` itself is not counted,
//! day 1 is the first working day after `D`** (whatever kind of day `D` is:
//! an objection received on a Saturday or during a holiday has its first
//! working day on the next working day), and the deadline is the `N`-th
//! working day. Working days are Monday to Friday except statutory holidays,
//! plus the weekend days worked under a holiday arrangement (调休上班), as in
//! the built-in calendar of `xinyong-core`.
//!
//! The deadline day is still in time: a step is *overdue* when today is
//! after the deadline day (`today > due`), i.e. from the next calendar day.
//! When the deadline is a working day followed by one, that is the
//! `(N + 1)`-th working day; a deadline on a Friday makes the step overdue
//! from Saturday, since nothing done later can have been done in time.

use serde::{Deserialize, Serialize};
use xinyong_core::time::{CalendarError, Date, WorkCalendar};

/// What a deadline is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    /// The producing department decides an objection
    /// ([`Config::objection_decision_working_days`](crate::Config) after receipt).
    ObjectionDecision,
    /// The deciding authority decides a repair
    /// ([`Config::repair_decision_working_days`](crate::Config) after acceptance).
    RepairDecision,
    /// The subject keeps a commitment (delivers the promised materials) by
    /// this day: the promised date, not a working-day count.
    CommitmentDue,
    /// The department carries out the post-verification on-site check
    /// ([`Config::on_site_check_working_days`](crate::Config) after signing).
    OnSiteCheck,
    /// The credit office decides an enterprise's report of an item a
    /// government agency owes it
    /// ([`Config::gov_claim_decision_working_days`](crate::Config) after receipt).
    GovClaimDecision,
}

impl DeadlineKind {
    /// The kind as written on the wire.
    pub fn name(self) -> &'static str {
        match self {
            DeadlineKind::ObjectionDecision => "objection_decision",
            DeadlineKind::RepairDecision => "repair_decision",
            DeadlineKind::CommitmentDue => "commitment_due",
            DeadlineKind::OnSiteCheck => "on_site_check",
            DeadlineKind::GovClaimDecision => "gov_claim_decision",
        }
    }

    /// The kind in Chinese.
    pub fn label_zh(self) -> &'static str {
        match self {
            DeadlineKind::ObjectionDecision => "异议处理期限",
            DeadlineKind::RepairDecision => "修复决定期限",
            DeadlineKind::CommitmentDue => "承诺履行期限",
            DeadlineKind::OnSiteCheck => "现场核查期限",
            DeadlineKind::GovClaimDecision => "政务失信问题核实期限",
        }
    }
}

/// A deadline in force: the last day on which the step is in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Deadline {
    /// What must happen by then.
    pub kind: DeadlineKind,
    /// The last day in time (inclusive).
    pub due: Date,
}

impl Deadline {
    /// The deadline `n` working days after `start` (`start` not counted,
    /// see the [module documentation](self)).
    pub fn working_days_after(
        kind: DeadlineKind,
        calendar: &WorkCalendar,
        start: Date,
        n: u32,
    ) -> Result<Deadline, CalendarError> {
        Ok(Deadline {
            kind,
            due: calendar.add_working_days(start, n)?,
        })
    }

    /// Whether the step is late on `today`: `today > due`.
    pub fn is_overdue(&self, today: Date) -> bool {
        today > self.due
    }

    /// Working days left after `today` up to and including the deadline:
    /// the working days in `(today, due]`. `0` on the deadline day itself
    /// (still in time) and on any later day. An error when a day of the
    /// interval is outside the calendar.
    pub fn working_days_left(
        &self,
        calendar: &WorkCalendar,
        today: Date,
    ) -> Result<u32, CalendarError> {
        calendar.working_days_between(today, self.due)
    }

    /// Working days the step is late by on `today`: the working days in
    /// `(due, today]`. `0` while in time; it may also be `0` on a weekend
    /// right after the deadline, when [`is_overdue`](Self::is_overdue) is
    /// already true.
    pub fn working_days_late(
        &self,
        calendar: &WorkCalendar,
        today: Date,
    ) -> Result<u32, CalendarError> {
        calendar.working_days_between(self.due, today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn cal() -> &'static WorkCalendar {
        WorkCalendar::builtin()
    }

    #[test]
    fn the_start_day_is_not_counted_whatever_its_kind() {
        // Saturday 2020-10-03, inside the National Day holiday: day 1 is
        // Friday 10-09, the first working day after it.
        let d = Deadline::working_days_after(
            DeadlineKind::ObjectionDecision,
            cal(),
            date(2020, 10, 3),
            1,
        )
        .unwrap();
        assert_eq!(d.due, date(2020, 10, 9));
        // a working day as start: day 1 is the next working day
        let d =
            Deadline::working_days_after(DeadlineKind::RepairDecision, cal(), date(2020, 9, 25), 1)
                .unwrap();
        assert_eq!(d.due, date(2020, 9, 27)); // Sunday, worked (调休)
    }

    #[test]
    fn left_and_late_count_working_days() {
        let d = Deadline {
            kind: DeadlineKind::ObjectionDecision,
            due: date(2020, 10, 29),
        };
        assert_eq!(d.working_days_left(cal(), date(2020, 9, 25)).unwrap(), 20);
        assert_eq!(d.working_days_left(cal(), date(2020, 10, 29)).unwrap(), 0);
        assert_eq!(d.working_days_left(cal(), date(2020, 11, 2)).unwrap(), 0);
        assert_eq!(d.working_days_late(cal(), date(2020, 10, 29)).unwrap(), 0);
        assert_eq!(d.working_days_late(cal(), date(2020, 11, 2)).unwrap(), 2);
        // a Friday deadline: overdue on Saturday with no working day late yet
        let friday = Deadline {
            kind: DeadlineKind::RepairDecision,
            due: date(2021, 6, 25),
        };
        assert!(friday.is_overdue(date(2021, 6, 26)));
        assert_eq!(
            friday.working_days_late(cal(), date(2021, 6, 26)).unwrap(),
            0
        );
        assert_eq!(
            friday.working_days_late(cal(), date(2021, 6, 28)).unwrap(),
            1
        );
    }

    #[test]
    fn outside_the_calendar_is_an_error() {
        assert!(
            Deadline::working_days_after(DeadlineKind::OnSiteCheck, cal(), date(2039, 12, 1), 30)
                .is_err()
        );
        let d = Deadline {
            kind: DeadlineKind::CommitmentDue,
            due: date(2040, 3, 1),
        };
        assert!(d.working_days_left(cal(), date(2039, 12, 1)).is_err());
    }
}
