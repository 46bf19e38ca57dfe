//! What a transition is computed against: today, the working-day calendar
//! and the configured deadlines.

use serde::{Deserialize, Serialize};
use xinyong_core::time::{Date, Period, WorkCalendar};

/// The configurable deadlines and periods of the workflows.
///
/// The defaults are PRODUCT.md §5 (objection 20 and repair 15 working days)
/// and the post-verification practice of the seeds (an on-site check within
/// 30 working days). Deserialises with every field optional, so a
/// configuration file names only what it changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// An objection is decided within this many working days after receipt
    /// (default 20).
    pub objection_decision_working_days: u32,
    /// A repair is decided within this many working days after acceptance
    /// (default 15).
    pub repair_decision_working_days: u32,
    /// A post-verification on-site check of a commitment is carried out
    /// within this many working days after signing (default 30).
    pub on_site_check_working_days: u32,
    /// An enterprise's report of an item a government agency owes it is
    /// decided by the credit office within this many working days after
    /// receipt (default 20, as an objection; the spec leaves it open).
    pub gov_claim_decision_working_days: u32,
    /// How long a breach of a commitment bars the subject from the
    /// commitment route (告知承诺, 容缺受理), counted with the Civil Code rule
    /// from the day of the breach (default 1 year; the spec leaves it to
    /// configuration).
    pub commitment_bar: Period,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            objection_decision_working_days: 20,
            repair_decision_working_days: 15,
            on_site_check_working_days: 30,
            gov_claim_decision_working_days: 20,
            commitment_bar: Period::years(1),
        }
    }
}

/// The context of one transition: the day it happens on, the working-day
/// calendar and the configuration. Nothing here reads a clock: the
/// application passes "today" (China Standard Time) in.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    /// The day the event happens (and is recorded) on.
    pub today: Date,
    /// The working-day calendar every deadline is computed with.
    pub calendar: &'a WorkCalendar,
    /// Deadlines and periods.
    pub config: Config,
}

impl<'a> Ctx<'a> {
    /// A context with the given calendar and configuration.
    pub fn new(today: Date, calendar: &'a WorkCalendar, config: Config) -> Ctx<'a> {
        Ctx {
            today,
            calendar,
            config,
        }
    }

    /// The same context on another day.
    pub fn on(self, today: Date) -> Ctx<'a> {
        Ctx { today, ..self }
    }
}

impl Ctx<'static> {
    /// The built-in PRC calendar (notices 2019–2026, provisional to 2039) and
    /// the default configuration.
    pub fn builtin(today: Date) -> Ctx<'static> {
        Ctx::new(today, WorkCalendar::builtin(), Config::default())
    }
}
