//! The PRC working-day calendar: statutory holidays (放假) and adjusted working
//! days (调休上班) as data, with working-day arithmetic for legal deadlines
//! (objection decided within 20 working days, repair within 15, ...).
//!
//! The built-in data is `crates/core/data/holidays-cn.toml`, one block per
//! festival of each year's State Council General Office notice; an office
//! installs a newer file of the same format when the next notice comes out.
//!
//! After the last year of the notices the calendar answers *provisionally*
//! with the statutory holidays of 全国年节及纪念日放假办法 and their days in
//! lieu (see [`super::statutory`]), up to
//! [`PROVISIONAL_LAST_YEAR`](super::statutory::PROVISIONAL_LAST_YEAR); every
//! such answer is marked by [`WorkCalendar::is_provisional`].

use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use std::sync::LazyLock;

use serde::Deserialize;
use toml::Spanned;

use super::statutory::{self, PROVISIONAL_FIRST_YEAR, PROVISIONAL_LAST_YEAR, PROVISIONAL_SOURCE};
use super::{Date, days_since_epoch, from_days_since_epoch, parse_date};

const BUILTIN_TOML: &str = include_str!("../../data/holidays-cn.toml");

static BUILTIN: LazyLock<WorkCalendar> = LazyLock::new(|| {
    WorkCalendar::from_toml(BUILTIN_TOML)
        .expect("the built-in crates/core/data/holidays-cn.toml is valid (tested)")
});

/// What kind of day a date is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DayKind {
    /// Monday to Friday, not a holiday.
    Workday,
    /// Saturday or Sunday, not an adjusted working day.
    Weekend,
    /// A statutory holiday or a day off of a holiday arrangement (放假).
    Holiday {
        /// The festival, e.g. `春节`.
        name_zh: String,
    },
    /// A weekend day that is worked (调休上班).
    AdjustedWorkday {
        /// The festival whose arrangement moved it, e.g. `国庆节`.
        name_zh: String,
    },
}

impl DayKind {
    /// Whether people work on such a day.
    pub fn is_working_day(&self) -> bool {
        matches!(self, DayKind::Workday | DayKind::AdjustedWorkday { .. })
    }
}

/// Errors of the working-day calendar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The calendar data is invalid.
    #[error("holiday calendar, line {line}, column {column}: {message}")]
    Invalid {
        /// 1-based line in the TOML text.
        line: usize,
        /// 1-based column (in characters) in that line.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A date the calendar cannot answer for.
    #[error("{date} is outside the working-day calendar ({first}–{last})")]
    OutsideCalendar {
        /// The date asked about.
        date: Date,
        /// First covered year.
        first: i16,
        /// Last covered year.
        last: i16,
    },
    /// Counting working days ran past the covered years.
    #[error(
        "counting {n} working days from {start} reaches {date}, which is outside the \
         working-day calendar ({first}–{last})"
    )]
    WalkOutside {
        /// The day counting started from (not counted itself).
        start: Date,
        /// The number of working days asked for.
        n: u32,
        /// The first day that could not be classified.
        date: Date,
        /// First covered year.
        first: i16,
        /// Last covered year.
        last: i16,
    },
}

/// Special status of a day; `u16` indexes `WorkCalendar::blocks`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Special {
    None,
    Off(u16),
    Work(u16),
}

/// A working-day calendar over whole years `first..=last`: the years of the
/// notices (`first..=notice_last`), then the provisional years.
#[derive(Debug, Clone)]
pub struct WorkCalendar {
    first: i16,
    last: i16,
    /// The last year a notice covers; later years are provisional.
    notice_last: i16,
    /// Days since the epoch of `first`-01-01.
    base: i32,
    /// One entry per covered day.
    specials: Vec<Special>,
    /// `cum[i]` = working days among the first `i` covered days.
    cum: Vec<u32>,
    blocks: Vec<BlockInfo>,
}

/// What the calendar keeps of one `[[block]]`.
#[derive(Debug, Clone)]
struct BlockInfo {
    name_zh: String,
    notice: Option<String>,
    /// The notice year (or provisional year) of the block.
    year: i16,
    /// Whether the block is the provisional rule, not a notice.
    provisional: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRepr {
    first_year: Spanned<i64>,
    last_year: Spanned<i64>,
    #[serde(default)]
    block: Vec<BlockRepr>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BlockRepr {
    year: Spanned<i64>,
    name_zh: Spanned<String>,
    #[serde(default)]
    notice: Option<String>,
    #[serde(default)]
    off: Vec<Spanned<String>>,
    #[serde(default)]
    work: Vec<Spanned<String>>,
}

/// Weekday of an epoch day: 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
fn weekday_index(epoch_day: i64) -> i64 {
    (epoch_day + 3).rem_euclid(7)
}

fn is_weekend(epoch_day: i64) -> bool {
    weekday_index(epoch_day) >= 5
}

impl WorkCalendar {
    /// The built-in PRC calendar (notices 2019–2026, then provisional), parsed once.
    pub fn builtin() -> &'static WorkCalendar {
        &BUILTIN
    }

    /// Reads a calendar from TOML text in the format of
    /// `crates/core/data/holidays-cn.toml`. Every error names the line and
    /// the column.
    pub fn from_toml(text: &str) -> Result<WorkCalendar, CalendarError> {
        let line_of = |offset: usize| {
            let offset = offset.min(text.len());
            text.as_bytes()[..offset]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1
        };
        let column_of = |offset: usize| {
            let mut offset = offset.min(text.len());
            while !text.is_char_boundary(offset) {
                offset -= 1;
            }
            let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            text[line_start..offset].chars().count() + 1
        };
        let invalid = |offset: usize, message: String| CalendarError::Invalid {
            line: line_of(offset),
            column: column_of(offset),
            message,
        };
        let file: FileRepr = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            invalid(offset, e.message().trim().to_owned())
        })?;

        let year_of = |v: &Spanned<i64>, what: &str| {
            i16::try_from(*v.get_ref())
                .ok()
                .filter(|y| (1..=9998).contains(y))
                .ok_or_else(|| {
                    invalid(
                        v.span().start,
                        format!("{what} {} is not a year in 1..=9998", v.get_ref()),
                    )
                })
        };
        let first = year_of(&file.first_year, "first_year")?;
        let notice_last = year_of(&file.last_year, "last_year")?;
        if first > notice_last {
            return Err(invalid(
                file.last_year.span().start,
                format!("last_year {notice_last} is before first_year {first}"),
            ));
        }
        // The provisional years follow the notices, when the statutory rule
        // is defined for the year after them.
        let last = if notice_last + 1 >= PROVISIONAL_FIRST_YEAR {
            notice_last.max(PROVISIONAL_LAST_YEAR)
        } else {
            notice_last
        };
        let start = first_of_year(first);
        let end = first_of_year(last + 1); // exclusive
        let base = days_since_epoch(start);
        let len = (days_since_epoch(end) - base) as usize;

        let mut specials = vec![Special::None; len];
        let mut blocks: Vec<BlockInfo> = Vec::new();
        // epoch day → (text offset, name) of the block that first listed it
        let mut seen: BTreeMap<i32, (usize, String)> = BTreeMap::new();
        let mut years_with_blocks = vec![false; (notice_last - first + 1) as usize];

        for block in &file.block {
            let year = year_of(&block.year, "year")?;
            if year < first || year > notice_last {
                return Err(invalid(
                    block.year.span().start,
                    format!(
                        "block year {year} is outside first_year..=last_year \
                         ({first}–{notice_last})"
                    ),
                ));
            }
            years_with_blocks[(year - first) as usize] = true;
            let name = block.name_zh.get_ref().trim();
            if name.is_empty() {
                return Err(invalid(
                    block.name_zh.span().start,
                    "name_zh is empty".into(),
                ));
            }
            if block.off.is_empty() && block.work.is_empty() {
                return Err(invalid(
                    block.name_zh.span().start,
                    format!("block {name} {year} has neither off nor work days"),
                ));
            }
            let block_idx = u16::try_from(blocks.len())
                .map_err(|_| invalid(block.name_zh.span().start, "too many blocks".into()))?;
            blocks.push(BlockInfo {
                name_zh: name.to_owned(),
                year,
                provisional: false,
                notice: block
                    .notice
                    .as_deref()
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned),
            });

            let check_year = |d: Date, at: usize| {
                let y = d.year();
                if y == year || y == year - 1 {
                    Ok(())
                } else {
                    Err(invalid(
                        at,
                        format!(
                            "{d} does not belong to a {year} arrangement (year {}–{year} expected)",
                            year - 1
                        ),
                    ))
                }
            };
            let mut mark = |day: Date, at: usize, kind: Special| -> Result<(), CalendarError> {
                let e = days_since_epoch(day);
                if let Some((offset, other)) = seen.get(&e) {
                    let line = line_of(*offset);
                    return Err(invalid(
                        at,
                        format!("{day} is already listed on line {line} ({other})"),
                    ));
                }
                seen.insert(e, (at, name.to_owned()));
                let idx = i64::from(e) - i64::from(base);
                if (0..len as i64).contains(&idx) {
                    specials[idx as usize] = kind;
                }
                Ok(())
            };

            for item in &block.off {
                let at = item.span().start;
                let (from, to) = parse_range(item.get_ref()).map_err(|m| invalid(at, m))?;
                check_year(from, at)?;
                check_year(to, at)?;
                let (a, b) = (days_since_epoch(from), days_since_epoch(to));
                if b - a > 31 {
                    return Err(invalid(
                        at,
                        format!("{from}/{to} is longer than 31 days; is it a typo?"),
                    ));
                }
                for e in a..=b {
                    mark(from_days_since_epoch(e), at, Special::Off(block_idx))?;
                }
            }
            for item in &block.work {
                let at = item.span().start;
                let day =
                    parse_date(item.get_ref().trim()).map_err(|e| invalid(at, e.to_string()))?;
                check_year(day, at)?;
                if !is_weekend(i64::from(days_since_epoch(day))) {
                    return Err(invalid(
                        at,
                        format!(
                            "{day} is listed as an adjusted working day (调休上班) but is a {:?}, \
                             not a Saturday or Sunday",
                            day.weekday()
                        ),
                    ));
                }
                mark(day, at, Special::Work(block_idx))?;
            }
        }
        if let Some(missing) = years_with_blocks.iter().position(|&has| !has) {
            return Err(invalid(
                file.last_year.span().start,
                format!(
                    "year {} has no [[block]], so the calendar cannot claim to cover it",
                    first + missing as i16
                ),
            ));
        }
        // The provisional years: the statutory days of the 办法, one block
        // per festival and year.
        for year in notice_last + 1..=last {
            let Some(days) = statutory::statutory_days(year) else {
                continue;
            };
            for day in days {
                let idx = (days_since_epoch(day.date) - base) as usize;
                let block_idx = match blocks
                    .iter()
                    .rposition(|b| b.year == year && b.name_zh == day.name_zh && b.provisional)
                {
                    Some(i) => i,
                    None => {
                        blocks.push(BlockInfo {
                            name_zh: day.name_zh.clone(),
                            notice: Some(PROVISIONAL_SOURCE.to_owned()),
                            year,
                            provisional: true,
                        });
                        blocks.len() - 1
                    }
                };
                let block_idx =
                    u16::try_from(block_idx).map_err(|_| invalid(0, "too many blocks".into()))?;
                if let Some(slot) = specials.get_mut(idx) {
                    *slot = Special::Off(block_idx);
                }
            }
        }

        let mut cum = Vec::with_capacity(len + 1);
        cum.push(0u32);
        let mut count = 0u32;
        for (i, special) in specials.iter().enumerate() {
            let working = match special {
                Special::Off(_) => false,
                Special::Work(_) => true,
                Special::None => !is_weekend(i64::from(base) + i as i64),
            };
            count += u32::from(working);
            cum.push(count);
        }
        Ok(WorkCalendar {
            first,
            last,
            notice_last,
            base,
            specials,
            cum,
            blocks,
        })
    }

    /// The years this calendar answers for: the notices' years, then the
    /// provisional ones.
    pub fn covered_years(&self) -> RangeInclusive<i16> {
        self.first..=self.last
    }

    /// The years the State Council notices of this calendar cover.
    pub fn notice_years(&self) -> RangeInclusive<i16> {
        self.first..=self.notice_last
    }

    /// Whether the answer for `d` is provisional: `d` is after the last
    /// year of the notices, so it follows the statutory rule (see
    /// [`super::statutory`]) until the year's notice is installed.
    pub fn is_provisional(&self, d: Date) -> bool {
        d.year() > self.notice_last
    }

    /// The first provisional day (January 1 after the notices' last year),
    /// if the calendar answers for any.
    pub fn provisional_from(&self) -> Option<Date> {
        (self.notice_last < self.last).then(|| first_of_year(self.notice_last + 1))
    }

    /// First covered day (January 1 of the first year).
    pub fn first_day(&self) -> Date {
        first_of_year(self.first)
    }

    /// Last covered day (December 31 of the last year).
    pub fn last_day(&self) -> Date {
        from_days_since_epoch(self.base + self.specials.len() as i32 - 1)
    }

    /// Index of `d` in the covered days, if covered.
    fn index(&self, d: Date) -> Option<usize> {
        let i = i64::from(days_since_epoch(d)) - i64::from(self.base);
        usize::try_from(i).ok().filter(|&i| i < self.specials.len())
    }

    fn outside(&self, date: Date) -> CalendarError {
        CalendarError::OutsideCalendar {
            date,
            first: self.first,
            last: self.last,
        }
    }

    fn working_at(&self, i: usize) -> bool {
        self.cum[i + 1] > self.cum[i]
    }

    /// Whether `d` is a working day; an error outside the covered years.
    pub fn is_working_day(&self, d: Date) -> Result<bool, CalendarError> {
        self.index(d)
            .map(|i| self.working_at(i))
            .ok_or_else(|| self.outside(d))
    }

    /// What kind of day `d` is; an error outside the covered years.
    pub fn day_kind(&self, d: Date) -> Result<DayKind, CalendarError> {
        let i = self.index(d).ok_or_else(|| self.outside(d))?;
        let name = |b: u16| self.blocks[usize::from(b)].name_zh.clone();
        Ok(match self.specials[i] {
            Special::Off(n) => DayKind::Holiday { name_zh: name(n) },
            Special::Work(n) => DayKind::AdjustedWorkday { name_zh: name(n) },
            Special::None if is_weekend(i64::from(self.base) + i as i64) => DayKind::Weekend,
            Special::None => DayKind::Workday,
        })
    }

    /// The document (`notice` of its block) that made `d` a holiday or an
    /// adjusted working day, e.g. `国办发明电〔2020〕1号`; `None` for an
    /// ordinary weekday or weekend, or when the block cites no notice.
    pub fn notice(&self, d: Date) -> Result<Option<&str>, CalendarError> {
        let i = self.index(d).ok_or_else(|| self.outside(d))?;
        Ok(match self.specials[i] {
            Special::Off(b) | Special::Work(b) => self.blocks[usize::from(b)].notice.as_deref(),
            Special::None => None,
        })
    }

    /// The `n`-th working day after `start`.
    ///
    /// The day of receipt is not counted (seed003 RS-00): day 1 is the first
    /// working day after `start`, whatever kind of day `start` is. `n = 0`
    /// returns `start`. An error when the count runs outside the covered years.
    pub fn add_working_days(&self, start: Date, n: u32) -> Result<Date, CalendarError> {
        if n == 0 {
            return Ok(start);
        }
        let walk_outside = |date: Date| CalendarError::WalkOutside {
            start,
            n,
            date,
            first: self.first,
            last: self.last,
        };
        let start_epoch = i64::from(days_since_epoch(start));
        let next = start_epoch + 1;
        let first_idx = next - i64::from(self.base);
        if first_idx < 0 || first_idx >= self.specials.len() as i64 {
            return Err(walk_outside(epoch_date(next)));
        }
        let first_idx = first_idx as usize;
        // Working days strictly before index `first_idx`, plus n: the answer is
        // the first index whose prefix count reaches it.
        let target = u64::from(self.cum[first_idx]) + u64::from(n);
        let total = u64::from(self.cum[self.specials.len()]);
        if target > total {
            return Err(walk_outside(epoch_date(
                i64::from(self.base) + self.specials.len() as i64,
            )));
        }
        // smallest i with cum[i + 1] >= target
        let pos = self.cum[first_idx + 1..].partition_point(|&c| u64::from(c) < target);
        let idx = first_idx + pos;
        Ok(epoch_date(i64::from(self.base) + idx as i64))
    }

    /// The number of working days in `(from, to]`: `from` itself is not
    /// counted, `to` is. Zero when `to ≤ from`. An error when a day of the
    /// interval is outside the covered years.
    pub fn working_days_between(&self, from: Date, to: Date) -> Result<u32, CalendarError> {
        if to <= from {
            return Ok(0);
        }
        let after_from = i64::from(days_since_epoch(from)) + 1 - i64::from(self.base);
        if after_from < 0 {
            return Err(self.outside(epoch_date(i64::from(self.base) + after_from)));
        }
        let to_idx = self.index(to).ok_or_else(|| self.outside(to))?;
        let a = after_from as usize; // ≤ to_idx since from < to
        Ok(self.cum[to_idx + 1] - self.cum[a])
    }
}

fn first_of_year(y: i16) -> Date {
    Date::new(y, 1, 1).unwrap_or(Date::MIN)
}

fn epoch_date(e: i64) -> Date {
    from_days_since_epoch(i32::try_from(e).unwrap_or(if e < 0 { i32::MIN } else { i32::MAX }))
}

/// `"YYYY-MM-DD"` or the inclusive range `"YYYY-MM-DD/YYYY-MM-DD"`.
fn parse_range(s: &str) -> Result<(Date, Date), String> {
    let s = s.trim();
    let (a, b) = match s.split_once('/') {
        Some((a, b)) => (a.trim(), b.trim()),
        None => (s, s),
    };
    let from = parse_date(a).map_err(|e| e.to_string())?;
    let to = parse_date(b).map_err(|e| e.to_string())?;
    if to < from {
        return Err(format!("range {s} ends before it starts"));
    }
    Ok((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const MINI: &str = r#"
first_year = 2020
last_year = 2020

[[block]]
year = 2020
name_zh = "国庆节"
off = ["2020-10-01/2020-10-08"]
work = ["2020-09-27", "2020-10-10"]
"#;

    #[test]
    fn mini_calendar() {
        let cal = WorkCalendar::from_toml(MINI).unwrap();
        assert_eq!(cal.covered_years(), 2020..=2020);
        assert_eq!(cal.first_day(), date(2020, 1, 1));
        assert_eq!(cal.last_day(), date(2020, 12, 31));
        assert_eq!(
            cal.day_kind(date(2020, 9, 27)).unwrap(),
            DayKind::AdjustedWorkday {
                name_zh: "国庆节".into()
            }
        );
        assert_eq!(
            cal.add_working_days(date(2020, 9, 25), 20).unwrap(),
            date(2020, 10, 29)
        );
        assert!(cal.is_working_day(date(2021, 1, 4)).is_err());
    }

    fn err_line(text: &str) -> (usize, String) {
        match WorkCalendar::from_toml(text) {
            Err(CalendarError::Invalid { line, message, .. }) => (line, message),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn errors_name_the_line() {
        // syntax error
        let (line, _) = err_line("first_year = 2020\nlast_year = = 2020\n");
        assert_eq!(line, 2);
        // bad date
        let text = MINI.replace("2020-10-10", "2020-10-32");
        let (line, msg) = err_line(&text);
        assert_eq!(line, 9);
        assert!(msg.contains("2020-10-32 is not a calendar date"), "{msg}");
        // adjusted working day on a weekday
        let text = MINI.replace("2020-10-10", "2020-10-12");
        let (line, msg) = err_line(&text);
        assert_eq!(line, 9);
        assert!(msg.contains("not a Saturday or Sunday"), "{msg}");
        // overlap
        let text = MINI.replace("\"2020-09-27\"", "\"2020-10-03\"");
        let (line, msg) = err_line(&text);
        assert_eq!(line, 9);
        assert!(msg.contains("already listed on line 8"), "{msg}");
        // unknown key
        let text = MINI.replace("name_zh", "nmae_zh");
        let (line, msg) = err_line(&text);
        assert!(line >= 5, "{line}");
        assert!(msg.contains("nmae_zh"), "{msg}");
        // missing year
        let text = MINI.replace("last_year = 2020", "last_year = 2021");
        let (line, msg) = err_line(&text);
        assert_eq!(line, 3);
        assert!(msg.contains("year 2021 has no [[block]]"), "{msg}");
        // reversed range
        let text = MINI.replace("2020-10-01/2020-10-08", "2020-10-08/2020-10-01");
        let (line, msg) = err_line(&text);
        assert_eq!(line, 8);
        assert!(msg.contains("ends before it starts"), "{msg}");
        // a date far from the block's year
        let text = MINI.replace("2020-10-01/2020-10-08", "2018-10-01/2018-10-08");
        let (line, msg) = err_line(&text);
        assert_eq!(line, 8);
        assert!(msg.contains("does not belong"), "{msg}");
        // block outside the covered years
        let text = MINI.replace("year = 2020\nname_zh", "year = 2021\nname_zh");
        let (line, _) = err_line(&text);
        assert_eq!(line, 6);
        // error Display carries the line
        let e = WorkCalendar::from_toml(&MINI.replace("2020-10-10", "x")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("holiday calendar, line 9, column 23: "),
            "{e}"
        );
    }
}
