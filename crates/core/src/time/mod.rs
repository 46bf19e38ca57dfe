//! Civil-law time: periods, windows and the PRC working-day calendar.
//!
//! Everything here follows PRODUCT.md §3:
//!
//! * A period of N months or years ends on the corresponding day N months
//!   later, or on that month's last day when it has no such day (民法典
//!   第二百零一、二百零二条): `2020-11-30 + 3 months = 2021-02-28`,
//!   `2020-02-29 + 1 year = 2021-02-28`. See [`add`].
//! * A period of N starting from `d` *is complete* (满) from
//!   `add(d, N) + 1 day` on. See [`complete_from`].
//! * `W3(T) = [add(T, −3 years), T]` and `M12(T) = [add(T, −12 months), T]`,
//!   both inclusive. See [`w3`], [`m12`].
//!
//! No clock is read here: every function takes the date it works on.

mod calendar;
pub mod statutory;

use std::fmt;
use std::str::FromStr;

pub use calendar::{CalendarError, DayKind, WorkCalendar};
pub use jiff::civil::Date;

/// A calendar period: whole months (a year is 12 months) and then days.
///
/// Months are applied first with the Civil Code rule (clamping to the last
/// day of a shorter month), then days. Both parts may be negative.
///
/// Serialises as `{"months": m, "days": d}`; deserialises from that object
/// (either field may be omitted) or from a period text such as `"3 months"`
/// or `"6个月"` (see [`Period::from_str`]), so configuration files can write
/// periods the way the policy documents do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
pub struct Period {
    /// Whole months; a year is 12 months.
    pub months: i32,
    /// Days, added after the months.
    pub days: i32,
}

impl Period {
    /// The empty period.
    pub const ZERO: Period = Period { months: 0, days: 0 };

    /// `n` months.
    pub const fn months(n: i32) -> Period {
        Period { months: n, days: 0 }
    }

    /// `n` years, i.e. `12·n` months (saturating).
    pub const fn years(n: i32) -> Period {
        Period {
            months: n.saturating_mul(12),
            days: 0,
        }
    }

    /// `n` days.
    pub const fn days(n: i32) -> Period {
        Period { months: 0, days: n }
    }

    /// Whether both parts are zero.
    pub const fn is_zero(self) -> bool {
        self.months == 0 && self.days == 0
    }
}

impl<'de> serde::Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PeriodVisitor;

        impl<'de> serde::de::Visitor<'de> for PeriodVisitor {
            type Value = Period;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a period such as \"3 months\" or {\"months\": 3, \"days\": 0}")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Period, E> {
                v.parse().map_err(E::custom)
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Period, A::Error> {
                let mut period = Period::ZERO;
                let (mut seen_months, mut seen_days) = (false, false);
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match key.as_ref() {
                        "months" if !seen_months => {
                            period.months = map.next_value()?;
                            seen_months = true;
                        }
                        "days" if !seen_days => {
                            period.days = map.next_value()?;
                            seen_days = true;
                        }
                        "months" | "days" => {
                            return Err(serde::de::Error::custom(format!(
                                "duplicate field `{key}`"
                            )));
                        }
                        other => {
                            return Err(serde::de::Error::unknown_field(
                                other,
                                &["months", "days"],
                            ));
                        }
                    }
                }
                Ok(period)
            }
        }

        deserializer.deserialize_any(PeriodVisitor)
    }
}

impl std::ops::Neg for Period {
    type Output = Period;
    fn neg(self) -> Period {
        Period {
            months: self.months.saturating_neg(),
            days: self.days.saturating_neg(),
        }
    }
}

impl fmt::Display for Period {
    /// English form that [`Period::from_str`] reads back: `"1 year"`,
    /// `"6 months"`, `"20 days"`, `"1 year 3 days"`, `"0 days"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn unit(f: &mut fmt::Formatter<'_>, n: i32, singular: &str) -> fmt::Result {
            if n == 1 || n == -1 {
                write!(f, "{n} {singular}")
            } else {
                write!(f, "{n} {singular}s")
            }
        }
        if self.is_zero() {
            return f.write_str("0 days");
        }
        if self.months != 0 {
            if self.months % 12 == 0 {
                unit(f, self.months / 12, "year")?;
            } else {
                unit(f, self.months, "month")?;
            }
            if self.days != 0 {
                f.write_str(" ")?;
            }
        }
        if self.days != 0 {
            unit(f, self.days, "day")?;
        }
        Ok(())
    }
}

/// A period text that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// Not of the accepted forms.
    #[error(
        "cannot read {input:?} as a period: {reason} (expected e.g. \"3 months\", \"1 year\", \
         \"20 days\", \"6个月\", \"3年\", \"15日\")"
    )]
    Syntax {
        /// The text given.
        input: String,
        /// What went wrong.
        reason: String,
    },
    /// The number does not fit.
    #[error("period {input:?} is too large")]
    Overflow {
        /// The text given.
        input: String,
    },
}

impl FromStr for Period {
    type Err = PeriodError;

    /// Reads a period: one or more terms `<number> <unit>`, where the number
    /// may carry a sign and is either ASCII digits or a Chinese numeral
    /// (`三`, `十五`, `二十`), and the unit is `year(s)`, `month(s)`,
    /// `day(s)` (any case) or `年`, `个月`/`個月`, `日`/`天`. Examples:
    /// `"3 months"`, `"1 year"`, `"1 year 6 months"`, `"20 days"`, `"3个月"`,
    /// `"1年"`, `"三年"`, `"-1 month"`.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let syntax = |reason: &str| PeriodError::Syntax {
            input: input.to_owned(),
            reason: reason.to_owned(),
        };
        let overflow = || PeriodError::Overflow {
            input: input.to_owned(),
        };
        let mut rest = input.trim();
        if rest.is_empty() {
            return Err(syntax("empty text"));
        }
        let mut period = Period::ZERO;
        while !rest.is_empty() {
            // sign
            let mut negative = false;
            if let Some(r) = rest.strip_prefix('-').or_else(|| rest.strip_prefix('−')) {
                negative = true;
                rest = r.trim_start();
            } else if let Some(r) = rest.strip_prefix('+') {
                rest = r.trim_start();
            }
            // number
            let digits_end = rest
                .char_indices()
                .find(|(_, c)| !c.is_ascii_digit())
                .map_or(rest.len(), |(i, _)| i);
            let value: i64 = if digits_end > 0 {
                let digits = &rest[..digits_end];
                rest = &rest[digits_end..];
                digits.parse::<i64>().map_err(|_| overflow())?
            } else {
                let zh_end = rest
                    .char_indices()
                    .find(|(_, c)| chinese_digit(*c).is_none() && !matches!(c, '十' | '百'))
                    .map_or(rest.len(), |(i, _)| i);
                if zh_end == 0 {
                    return Err(syntax("a number is missing"));
                }
                let zh = &rest[..zh_end];
                rest = &rest[zh_end..];
                chinese_number(zh).ok_or_else(|| syntax("unreadable Chinese numeral"))?
            };
            let value = if negative { -value } else { value };
            rest = rest.trim_start();
            // unit
            let (unit_months, unit_days, len) = unit_prefix(rest).ok_or_else(|| {
                syntax(if rest.is_empty() {
                    "a unit is missing"
                } else if is_working_days_unit(rest) {
                    "working days are not a calendar period; use WorkCalendar::add_working_days"
                } else {
                    "unknown unit"
                })
            })?;
            rest = rest[len..].trim_start();
            if let Some(r) = rest.strip_prefix(',').or_else(|| rest.strip_prefix('，')) {
                rest = r.trim_start();
            }
            let months = value
                .checked_mul(unit_months)
                .and_then(|m| m.checked_add(i64::from(period.months)))
                .and_then(|m| i32::try_from(m).ok())
                .ok_or_else(overflow)?;
            let days = value
                .checked_mul(unit_days)
                .and_then(|d| d.checked_add(i64::from(period.days)))
                .and_then(|d| i32::try_from(d).ok())
                .ok_or_else(overflow)?;
            period = Period { months, days };
        }
        Ok(period)
    }
}

fn is_working_days_unit(s: &str) -> bool {
    s.starts_with("个工作日")
        || s.starts_with("工作日")
        || s.get(..7)
            .is_some_and(|w| w.eq_ignore_ascii_case("working"))
}

/// Recognises a unit at the start of `s`: (months per unit, days per unit,
/// byte length of the unit text).
fn unit_prefix(s: &str) -> Option<(i64, i64, usize)> {
    const ZH: &[(&str, i64, i64)] = &[
        ("个月", 1, 0),
        ("個月", 1, 0),
        ("年", 12, 0),
        ("日", 0, 1),
        ("天", 0, 1),
    ];
    for (text, m, d) in ZH {
        if s.starts_with(text) {
            return Some((*m, *d, text.len()));
        }
    }
    let word_end = s
        .char_indices()
        .find(|(_, c)| !c.is_ascii_alphabetic())
        .map_or(s.len(), |(i, _)| i);
    let word = s[..word_end].to_ascii_lowercase();
    let (m, d) = match word.as_str() {
        "year" | "years" => (12, 0),
        "month" | "months" => (1, 0),
        "day" | "days" => (0, 1),
        _ => return None,
    };
    Some((m, d, word_end))
}

fn chinese_digit(c: char) -> Option<i64> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' | '兩' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// Chinese numerals below 1000: `三`, `十`, `十五`, `二十`, `三十六`, `一百二十`.
fn chinese_number(s: &str) -> Option<i64> {
    let mut total = 0i64;
    let mut current: Option<i64> = None;
    let mut last_multiplier = i64::MAX;
    for c in s.chars() {
        if let Some(d) = chinese_digit(c) {
            if current.is_some_and(|prev| prev != 0) {
                return None; // two digits in a row, e.g. 三五
            }
            current = Some(d);
        } else {
            let multiplier = match c {
                '十' => 10,
                '百' => 100,
                _ => return None,
            };
            if multiplier >= last_multiplier {
                return None;
            }
            last_multiplier = multiplier;
            total += current.unwrap_or(1) * multiplier;
            current = None;
        }
    }
    Some(total + current.unwrap_or(0))
}

const MIN_YEAR: i64 = -9999;
const MAX_YEAR: i64 = 9999;

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in_month(y: i64, m: i64) -> i8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// Adds whole months with the Civil Code rule: same day of the month, or the
/// month's last day when it has none. Saturates at the ends of jiff's range.
fn add_months(d: Date, n: i32) -> Date {
    if n == 0 {
        return d;
    }
    let total = i64::from(d.year()) * 12 + i64::from(d.month() - 1) + i64::from(n);
    let y = total.div_euclid(12);
    let m = total.rem_euclid(12) + 1;
    if y < MIN_YEAR {
        return Date::MIN;
    }
    if y > MAX_YEAR {
        return Date::MAX;
    }
    let day = d.day().min(days_in_month(y, m));
    // In range by construction; the fallback is unreachable.
    Date::new(y as i16, m as i8, day).unwrap_or(d)
}

/// `d` moved by the period `p` (PRODUCT.md §3): the months part first, with
/// the Civil Code rule (the corresponding day, or the last day of the month
/// when it has none), then the days part. Negative periods go backwards:
/// `add(2021-03-31, −1 month) = 2021-02-28`. Saturates at the ends of the
/// supported range (years −9999..=9999) instead of panicking.
pub fn add(d: Date, p: Period) -> Date {
    let moved = add_months(d, p.months);
    if p.days == 0 {
        moved
    } else {
        from_days_since_epoch(days_since_epoch(moved).saturating_add(p.days))
    }
}

/// The first day on which a period `p` starting from `d` is complete (满):
/// `add(d, p) + 1 day`.
pub fn complete_from(d: Date, p: Period) -> Date {
    add(add(d, p), Period::days(1))
}

/// An inclusive range of dates `[from, to]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Window {
    /// First day (inclusive).
    pub from: Date,
    /// Last day (inclusive).
    pub to: Date,
}

impl Window {
    /// Whether `from ≤ d ≤ to`.
    pub fn contains(&self, d: Date) -> bool {
        self.from <= d && d <= self.to
    }

    /// Whether the two windows share at least one day.
    pub fn overlaps(&self, other: &Window) -> bool {
        self.from <= other.to && other.from <= self.to
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}, {}]", self.from, self.to)
    }
}

/// `[add(t, −p), t]`: the look-back window of length `p` ending on `t`.
pub fn window_back(t: Date, p: Period) -> Window {
    Window {
        from: add(t, -p),
        to: t,
    }
}

/// `W3(T) = [add(T, −3 years), T]` (近三年内).
pub fn w3(t: Date) -> Window {
    window_back(t, Period::years(3))
}

/// `M12(T) = [add(T, −12 months), T]`.
pub fn m12(t: Date) -> Window {
    window_back(t, Period::months(12))
}

/// Days since 1970-01-01 (which is day 0), as Arrow `Date32` stores dates.
pub fn days_since_epoch(d: Date) -> i32 {
    let y = i64::from(d.year());
    let m = i64::from(d.month());
    let day = i64::from(d.day());
    // Proleptic Gregorian day count, with March as the first month of the
    // computational year so that the leap day comes last.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12; // March = 0
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    // |result| < 4 million for years −9999..=9999.
    (era * 146_097 + doe - 719_468) as i32
}

/// The date `n` days after 1970-01-01; clamped to jiff's range
/// (−9999-01-01 ..= 9999-12-31).
pub fn from_days_since_epoch(n: i32) -> Date {
    // days_since_epoch(Date::MIN) and days_since_epoch(Date::MAX).
    const LO: i32 = -4_371_587;
    const HI: i32 = 2_932_896;
    let z = i64::from(n.clamp(LO, HI)) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    // In range by construction (clamped above); the fallback is unreachable.
    Date::new(y as i16, m as i8, day as i8).unwrap_or(Date::MIN)
}

#[cfg(test)]
#[test]
fn epoch_day_bounds_are_the_ends_of_the_date_range() {
    assert_eq!(days_since_epoch(Date::MIN), -4_371_587);
    assert_eq!(days_since_epoch(Date::MAX), 2_932_896);
    assert_eq!(from_days_since_epoch(i32::MIN), Date::MIN);
    assert_eq!(from_days_since_epoch(i32::MAX), Date::MAX);
}

/// A date text that is not a strict `YYYY-MM-DD` calendar date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Not of the form `YYYY-MM-DD`.
    #[error("expected YYYY-MM-DD, got {input:?}")]
    Format {
        /// The text given.
        input: String,
    },
    /// Of the right form, but no such day (e.g. `2021-02-30`).
    #[error("{input} is not a calendar date")]
    NotACalendarDate {
        /// The text given.
        input: String,
    },
}

/// Parses a strict `YYYY-MM-DD` date: 4-digit year, 2-digit month and day,
/// ASCII digits, no surrounding whitespace, and a real calendar day.
pub fn parse_date(s: &str) -> Result<Date, DateError> {
    let b = s.as_bytes();
    let well_formed = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !well_formed {
        let shown: String = if s.chars().count() > 40 {
            s.chars().take(40).chain("…".chars()).collect()
        } else {
            s.to_owned()
        };
        return Err(DateError::Format { input: shown });
    }
    let num = |r: std::ops::Range<usize>| {
        b[r].iter()
            .fold(0i32, |acc, c| acc * 10 + i32::from(c - b'0'))
    };
    let (y, m, d) = (num(0..4), num(5..7), num(8..10));
    let valid =
        (1..=12).contains(&m) && d >= 1 && d <= i32::from(days_in_month(y.into(), m.into()));
    if !valid {
        return Err(DateError::NotACalendarDate {
            input: s.to_owned(),
        });
    }
    Date::new(y as i16, m as i8, d as i8).map_err(|_| DateError::NotACalendarDate {
        input: s.to_owned(),
    })
}

#[cfg(test)]
mod tests;
