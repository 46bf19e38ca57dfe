//! "Now" and "today", injected: every use case asks the [`Clock`] of its
//! [`crate::App`], so tests set the day and the platform's deadlines, display
//! windows and as-of dates follow.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::{Offset, TimeZone};

/// China Standard Time (UTC+8, no daylight saving): the contract's dates are
/// calendar dates in it (INTERCHANGE.md, introduction).
pub fn china_standard_time() -> TimeZone {
    TimeZone::fixed(Offset::constant(8))
}

/// Where the application layer reads the time.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> Timestamp;

    /// Today in China Standard Time.
    fn today(&self) -> Date {
        self.now().to_zoned(china_standard_time()).date()
    }
}

/// The machine's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that stands still at one instant (tests, re-runs of a past day).
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub Timestamp);

impl FixedClock {
    /// Noon of `day` in China Standard Time.
    pub fn on(day: Date) -> FixedClock {
        let noon = day
            .at(12, 0, 0, 0)
            .to_zoned(china_standard_time())
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::UNIX_EPOCH);
        FixedClock(noon)
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_the_china_standard_time_date() {
        // 2026-12-31T16:30Z is 2027-01-01 00:30 in Beijing.
        let c = FixedClock("2026-12-31T16:30:00Z".parse().unwrap());
        assert_eq!(c.today(), jiff::civil::date(2027, 1, 1));
        let c = FixedClock("2026-12-31T15:59:59Z".parse().unwrap());
        assert_eq!(c.today(), jiff::civil::date(2026, 12, 31));
    }

    #[test]
    fn a_fixed_clock_on_a_day_is_that_day() {
        for d in [
            jiff::civil::date(2020, 2, 29),
            jiff::civil::date(2020, 10, 1),
            jiff::civil::date(2026, 1, 1),
        ] {
            assert_eq!(FixedClock::on(d).today(), d);
        }
    }
}
