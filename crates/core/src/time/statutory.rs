//! The statutory holidays of 全国年节及纪念日放假办法, for the years that no
//! State Council notice (国务院办公厅关于XXXX年部分节假日安排的通知) covers yet.
//!
//! The notice of a year arrives in November or December of the year before.
//! Until an office installs it, deadlines that reach into that year still
//! have to be computed: the working-day calendar then answers
//! *provisionally* with the rule of the 办法 itself, as revised by
//! 国务院令第795号 (in force from 2025-01-01):
//!
//! * the days off for everyone (全体公民放假的节日): 元旦 1月1日; 春节 农历除夕、
//!   正月初一至初三; 清明节 农历清明当日; 劳动节 5月1日、2日; 端午节 农历端午当日;
//!   中秋节 农历中秋当日; 国庆节 10月1日至3日;
//! * a day off that falls on a Saturday or a Sunday is given back on a
//!   working day (适逢周六、周日，应当在工作日补假): the next Monday-to-Friday
//!   day that is not itself a holiday;
//! * no adjusted working days (调休上班): only a notice can make a weekend a
//!   working day, so the provisional calendar has none.
//!
//! A notice usually adds bridging days and moves weekends, so a provisional
//! deadline can differ from the final one by a few days; the calendar marks
//! every provisional answer ([`WorkCalendar::is_provisional`]), and callers
//! show it as 暂定.
//!
//! Lunar dates and the solar term 清明 come from the tables of the `nongli`
//! crate (its `from_gregorian` conversion and its `SOLAR_TERMS` table); the
//! tests check them against every notice of 2019–2026.
//!
//! [`WorkCalendar::is_provisional`]: super::WorkCalendar::is_provisional

use super::{Date, days_since_epoch, from_days_since_epoch};

/// The last year the provisional rule can answer for: the solar-term table
/// behind 清明 ends there (`nongli::data::SOLAR_TERMS` covers 1900–2039).
pub const PROVISIONAL_LAST_YEAR: i16 = 2039;

/// The first year the provisional rule is defined for (the 2024 revision of
/// the 办法, in force from 2025-01-01).
pub const PROVISIONAL_FIRST_YEAR: i16 = 2025;

/// What the provisional days cite.
pub const PROVISIONAL_SOURCE: &str =
    "全国年节及纪念日放假办法（国务院令第795号修订）；暂定，待国务院办公厅当年通知";

/// One statutory day off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatutoryDay {
    /// The day.
    pub date: Date,
    /// The festival, e.g. `春节` (two names joined by `、` when two
    /// festivals fall on one day).
    pub name_zh: String,
    /// Whether the day is given back for a festival day on a weekend (补假).
    pub in_lieu: bool,
}

/// The statutory days off of Gregorian `year` under the 办法, with the days
/// given back for the ones on a weekend, in date order. `None` outside
/// [`PROVISIONAL_FIRST_YEAR`]`..=`[`PROVISIONAL_LAST_YEAR`].
pub fn statutory_days(year: i16) -> Option<Vec<StatutoryDay>> {
    if !(PROVISIONAL_FIRST_YEAR..=PROVISIONAL_LAST_YEAR).contains(&year) {
        return None;
    }
    let ymd = |m: i8, d: i8| Date::new(year, m, d).ok();
    let mut festival: Vec<(Date, &'static str)> = Vec::new();
    festival.push((ymd(1, 1)?, "元旦"));

    // 春节: the eve (除夕) and the first three days of the first lunar month.
    let new_year = lunar_day_in(year, 1, 1)?;
    let e = days_since_epoch(new_year);
    for offset in -1..=2 {
        festival.push((from_days_since_epoch(e + offset), "春节"));
    }
    // 清明: the day of the solar term, in April.
    let row = nongli::data::SOLAR_TERMS.get(usize::try_from(year - 1900).ok()?)?;
    // Ordinal 6 of the 24 terms is 清明 (two per month from 小寒 in January).
    festival.push((ymd(4, i8::try_from(row[6]).ok()?)?, "清明节"));
    festival.push((ymd(5, 1)?, "劳动节"));
    festival.push((ymd(5, 2)?, "劳动节"));
    festival.push((lunar_day_in(year, 5, 5)?, "端午节"));
    festival.push((lunar_day_in(year, 8, 15)?, "中秋节"));
    for d in 1..=3 {
        festival.push((ymd(10, d)?, "国庆节"));
    }
    festival.sort_by_key(|(d, _)| *d);

    // Two festivals on one day (中秋 on 10-01..03, as in 2028) make one day
    // off, named for both as the notices do (国庆节、中秋节).
    let mut days: Vec<StatutoryDay> = Vec::new();
    for (date, name_zh) in festival {
        match days.last_mut() {
            Some(last) if last.date == date => {
                last.name_zh = if name_zh == "中秋节" {
                    format!("{}、{name_zh}", last.name_zh)
                } else {
                    format!("{name_zh}、{}", last.name_zh)
                };
            }
            _ => days.push(StatutoryDay {
                date,
                name_zh: name_zh.to_owned(),
                in_lieu: false,
            }),
        }
    }
    // 补假: each festival day on a weekend gives back the next weekday that is
    // neither a festival day nor already given back.
    let festival_days: Vec<(Date, String)> =
        days.iter().map(|s| (s.date, s.name_zh.clone())).collect();
    for (date, name_zh) in festival_days {
        if !is_weekend(date) {
            continue;
        }
        let mut e = days_since_epoch(date) + 1;
        loop {
            let d = from_days_since_epoch(e);
            if !is_weekend(d) && !days.iter().any(|s| s.date == d) {
                days.push(StatutoryDay {
                    date: d,
                    name_zh: name_zh.clone(),
                    in_lieu: true,
                });
                break;
            }
            e += 1;
        }
    }
    days.sort_by_key(|s| s.date);
    Some(days)
}

fn is_weekend(d: Date) -> bool {
    matches!(
        d.weekday(),
        jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
    )
}

/// The Gregorian day in `year` of lunar month `month` (not a leap month),
/// day `day`, of the lunar year that starts in `year`. Searched day by day
/// through the year with `nongli`'s conversion (365 conversions, once per
/// calendar).
fn lunar_day_in(year: i16, month: u8, day: u8) -> Option<Date> {
    let first = days_since_epoch(Date::new(year, 1, 1).ok()?);
    let last = days_since_epoch(Date::new(year, 12, 31).ok()?);
    (first..=last).map(from_days_since_epoch).find(|d| {
        let naive = chrono::NaiveDate::from_ymd_opt(
            i32::from(d.year()),
            u32::try_from(d.month()).unwrap_or(0),
            u32::try_from(d.day()).unwrap_or(0),
        );
        naive
            .and_then(|n| nongli::ChineseDate::from_gregorian(&n))
            .is_some_and(|c| {
                c.year() == i32::from(year) && c.month() == month && !c.leap() && c.day() == day
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::WorkCalendar;
    use jiff::civil::date;

    fn festival_days(year: i16, name: &str) -> Vec<Date> {
        statutory_days(year)
            .unwrap()
            .into_iter()
            .filter(|s| s.name_zh.split('、').any(|n| n == name) && !s.in_lieu)
            .map(|s| s.date)
            .collect()
    }

    #[test]
    fn the_lunar_festivals_and_qingming_of_2027() {
        // 2027: 春节 (正月初一) on Saturday 02-06, 清明 04-05, 端午 06-09,
        // 中秋 09-15.
        assert_eq!(
            festival_days(2027, "春节"),
            vec![
                date(2027, 2, 5),
                date(2027, 2, 6),
                date(2027, 2, 7),
                date(2027, 2, 8)
            ]
        );
        assert_eq!(festival_days(2027, "清明节"), vec![date(2027, 4, 5)]);
        assert_eq!(festival_days(2027, "端午节"), vec![date(2027, 6, 9)]);
        assert_eq!(festival_days(2027, "中秋节"), vec![date(2027, 9, 15)]);
    }

    #[test]
    fn days_on_a_weekend_are_given_back_on_the_next_free_weekday() {
        // 2027 春节: Fri 02-05 … Mon 02-08; Saturday and Sunday are given back
        // on Tuesday 02-09 and Wednesday 02-10.
        let lieu: Vec<(Date, String)> = statutory_days(2027)
            .unwrap()
            .into_iter()
            .filter(|s| s.in_lieu)
            .map(|s| (s.date, s.name_zh))
            .collect::<Vec<(Date, String)>>();
        assert!(
            lieu.contains(&(date(2027, 2, 9), "春节".to_owned())),
            "{lieu:?}"
        );
        assert!(
            lieu.contains(&(date(2027, 2, 10), "春节".to_owned())),
            "{lieu:?}"
        );
        // 2027-10-02 and 10-03 are Saturday and Sunday: back on Mon 10-04
        // and Tue 10-05.
        assert!(
            lieu.contains(&(date(2027, 10, 4), "国庆节".to_owned())),
            "{lieu:?}"
        );
        assert!(
            lieu.contains(&(date(2027, 10, 5), "国庆节".to_owned())),
            "{lieu:?}"
        );
        // 2027-05-01 is a Saturday, 05-02 a Sunday: Mon 05-03, Tue 05-04.
        assert!(
            lieu.contains(&(date(2027, 5, 3), "劳动节".to_owned())),
            "{lieu:?}"
        );
        assert!(
            lieu.contains(&(date(2027, 5, 4), "劳动节".to_owned())),
            "{lieu:?}"
        );
        // Every day given back is a weekday.
        for (d, _) in &lieu {
            assert!(!is_weekend(*d), "{d}");
        }
        // A Friday festival (2027-01-01) gives nothing back.
        assert!(!lieu.iter().any(|(_, n)| n == "元旦"), "{lieu:?}");
    }

    /// The rule against the notices: in 2025 and 2026 (the revised 办法),
    /// every statutory day and every day given back is a day off of the
    /// notice. This also checks the lunar and solar-term tables.
    #[test]
    fn every_statutory_day_is_off_in_the_notices_under_the_revised_rule() {
        let cal = WorkCalendar::builtin();
        for year in [2025, 2026] {
            for s in statutory_days(year).unwrap() {
                assert!(
                    matches!(
                        cal.day_kind(s.date).unwrap(),
                        crate::time::DayKind::Holiday { .. }
                    ),
                    "{year}: {} ({}, in lieu {}) is not off in the notice",
                    s.date,
                    s.name_zh,
                    s.in_lieu
                );
            }
        }
    }

    /// The lunar festivals and 清明 of the older notices (2019–2024, under
    /// the 2013 text: 春节 without the eve) are days off there too.
    #[test]
    fn the_lunar_dates_agree_with_the_older_notices() {
        let cal = WorkCalendar::builtin();
        for year in 2019..=2024i16 {
            let check = |d: Date, what: &str| {
                assert!(
                    matches!(
                        cal.day_kind(d).unwrap(),
                        crate::time::DayKind::Holiday { .. }
                    ),
                    "{year}: {what} {d} is not off in the notice"
                );
            };
            check(lunar_day_in(year, 1, 1).unwrap(), "正月初一");
            check(lunar_day_in(year, 5, 5).unwrap(), "端午");
            check(lunar_day_in(year, 8, 15).unwrap(), "中秋");
            let row = nongli::data::SOLAR_TERMS[usize::try_from(year - 1900).unwrap()];
            check(date(year, 4, i8::try_from(row[6]).unwrap()), "清明");
        }
    }

    /// 2028: 中秋 falls on 10-03, a 国庆 day: one day off for both, no
    /// extra day (the rule gives days back for weekends only).
    #[test]
    fn two_festivals_on_one_day_make_one_day_off() {
        let days = statutory_days(2028).unwrap();
        let oct3: Vec<&StatutoryDay> = days
            .iter()
            .filter(|s| s.date == date(2028, 10, 3))
            .collect();
        assert_eq!(oct3.len(), 1, "{oct3:?}");
        assert_eq!(oct3[0].name_zh, "国庆节、中秋节");
        assert_eq!(festival_days(2028, "中秋节"), vec![date(2028, 10, 3)]);
        // 2028-10-01 is a Sunday: given back on Wednesday 10-04.
        assert!(
            days.iter()
                .any(|s| s.in_lieu && s.date == date(2028, 10, 4)),
            "{days:?}"
        );
    }

    #[test]
    fn outside_the_rule_s_years_there_is_no_answer() {
        assert!(statutory_days(2024).is_none());
        assert!(statutory_days(2040).is_none());
        assert!(statutory_days(2039).is_some());
    }
}
