//! Dates as day numbers (days since 1970-01-01), with a pre-formatted text
//! table and a working-day table for the span the city uses.
//!
//! Period arithmetic is delegated to `xinyong_core::time` (the Civil Code
//! rule), so the scenarios compute their expectations exactly as the models
//! define them.

use xinyong_core::time::{self, Period, WorkCalendar};

use crate::Date;

/// Days since 1970-01-01 (`xinyong_core::time::days_since_epoch`).
pub(crate) type Day = i32;

pub(crate) fn day(d: Date) -> Day {
    time::days_since_epoch(d)
}

pub(crate) fn date(d: Day) -> Date {
    time::from_days_since_epoch(d)
}

/// `d` + `months` with the Civil Code rule (clamped to the month's last day).
pub(crate) fn add_months(d: Day, months: i32) -> Day {
    day(time::add(date(d), Period::months(months)))
}

/// The first day a period of `months` from `d` is complete (满): `add(d, months) + 1`.
pub(crate) fn complete_from(d: Day, months: i32) -> Day {
    day(time::complete_from(date(d), Period::months(months)))
}

pub(crate) fn ymd(year: i32, month: i8, dom: i8) -> Day {
    // Callers pass real calendar days; clamp the day defensively.
    let dim = days_in_month(year, month);
    let dom = dom.clamp(1, dim);
    day(Date::new(year as i16, month, dom).unwrap_or(Date::MIN))
}

pub(crate) fn year_of(d: Day) -> i32 {
    i32::from(date(d).year())
}

pub(crate) fn days_in_month(year: i32, month: i8) -> i8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
            if leap { 29 } else { 28 }
        }
    }
}

/// Weekday of a day number: 0 = Monday … 6 = Sunday.
pub(crate) fn weekday(d: Day) -> i32 {
    (d + 3).rem_euclid(7)
}

/// Pre-computed text and working-day flags of every day in a span.
#[derive(Debug)]
pub(crate) struct Days {
    base: Day,
    text: Vec<[u8; 10]>,
    working: Vec<bool>,
}

impl Days {
    /// Covers `from..=to`; other days are formatted on demand.
    pub(crate) fn new(from: Day, to: Day) -> Days {
        let cal = WorkCalendar::builtin();
        let n = (to - from + 1).max(0) as usize;
        let mut text = Vec::with_capacity(n);
        let mut working = Vec::with_capacity(n);
        for d in from..=to {
            text.push(format_day(d));
            let w = match cal.is_working_day(date(d)) {
                Ok(w) => w,
                Err(_) => weekday(d) < 5,
            };
            working.push(w);
        }
        Days {
            base: from,
            text,
            working,
        }
    }

    /// `YYYY-MM-DD`.
    pub(crate) fn text(&self, d: Day) -> [u8; 10] {
        match usize::try_from(d - self.base)
            .ok()
            .and_then(|i| self.text.get(i))
        {
            Some(t) => *t,
            None => format_day(d),
        }
    }

    /// Whether `d` is a PRC working day (built-in calendar; weekdays outside it).
    pub(crate) fn is_working(&self, d: Day) -> bool {
        match usize::try_from(d - self.base)
            .ok()
            .and_then(|i| self.working.get(i))
        {
            Some(w) => *w,
            None => weekday(d) < 5,
        }
    }

    /// The nearest working day at or after `d`, but not after `limit`
    /// (then the nearest one before); `d` itself when none is found nearby.
    pub(crate) fn working_on_or_after(&self, d: Day, limit: Day) -> Day {
        for k in 0..12 {
            let x = d + k;
            if x > limit {
                break;
            }
            if self.is_working(x) {
                return x;
            }
        }
        for k in 1..12 {
            if self.is_working(d - k) {
                return d - k;
            }
        }
        d
    }
}

fn format_day(d: Day) -> [u8; 10] {
    let x = date(d);
    let y = i32::from(x.year()).clamp(0, 9999) as u32;
    let m = x.month() as u32;
    let dd = x.day() as u32;
    let digit = |v: u32| b'0' + (v % 10) as u8;
    [
        digit(y / 1000),
        digit(y / 100),
        digit(y / 10),
        digit(y),
        b'-',
        digit(m / 10),
        digit(m),
        b'-',
        digit(dd / 10),
        digit(dd),
    ]
}

/// `YYYY-MM-DD` of a day number.
pub(crate) fn fmt(d: Day) -> String {
    String::from_utf8_lossy(&format_day(d)).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_civil_periods() {
        let d = ymd(2020, 11, 30);
        assert_eq!(fmt(d), "2020-11-30");
        assert_eq!(fmt(add_months(d, 3)), "2021-02-28");
        assert_eq!(fmt(complete_from(ymd(2020, 2, 29), 12)), "2021-03-01");
        let days = Days::new(ymd(2020, 1, 1), ymd(2020, 12, 31));
        assert_eq!(&days.text(ymd(2020, 10, 1)), b"2020-10-01");
        assert_eq!(&days.text(ymd(2031, 1, 2)), b"2031-01-02");
        // National Day block 2020: Oct 1–8 off, Sat Oct 10 worked.
        assert!(!days.is_working(ymd(2020, 10, 8)));
        assert!(days.is_working(ymd(2020, 10, 10)));
        assert_eq!(weekday(ymd(2026, 10, 31)), 5, "2026-10-31 is a Saturday");
    }
}
