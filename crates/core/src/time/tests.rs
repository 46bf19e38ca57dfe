use super::*;
use jiff::civil::date;
use proptest::prelude::*;

fn d(s: &str) -> Date {
    parse_date(s).unwrap()
}

// ------------------------------------------------------------------ periods

#[test]
fn civil_code_examples() {
    // PRODUCT.md §3
    assert_eq!(add(d("2020-11-30"), Period::months(3)), d("2021-02-28"));
    assert_eq!(add(d("2020-02-29"), Period::years(1)), d("2021-02-28"));
    // more boundaries
    assert_eq!(add(d("2024-02-29"), Period::years(-1)), d("2023-02-28"));
    assert_eq!(add(d("2024-02-29"), Period::years(4)), d("2028-02-29"));
    assert_eq!(add(d("2019-08-31"), Period::months(6)), d("2020-02-29"));
    assert_eq!(add(d("2021-03-31"), Period::months(-1)), d("2021-02-28"));
    assert_eq!(add(d("2020-03-31"), Period::months(-1)), d("2020-02-29"));
    assert_eq!(add(d("2021-01-31"), Period::months(1)), d("2021-02-28"));
    assert_eq!(add(d("2021-01-31"), Period::months(3)), d("2021-04-30"));
    assert_eq!(add(d("2021-05-31"), Period::months(1)), d("2021-06-30"));
    assert_eq!(add(d("2021-01-30"), Period::months(1)), d("2021-02-28"));
    assert_eq!(add(d("2021-01-28"), Period::months(1)), d("2021-02-28"));
    assert_eq!(add(d("2021-02-28"), Period::months(1)), d("2021-03-28"));
    // year ends
    assert_eq!(add(d("2020-12-31"), Period::months(1)), d("2021-01-31"));
    assert_eq!(add(d("2021-01-31"), Period::months(-1)), d("2020-12-31"));
    assert_eq!(add(d("2020-12-15"), Period::months(-12)), d("2019-12-15"));
    assert_eq!(add(d("2020-01-15"), Period::months(-13)), d("2018-12-15"));
    assert_eq!(add(d("2020-12-31"), Period::days(1)), d("2021-01-01"));
    assert_eq!(add(d("2021-01-01"), Period::days(-1)), d("2020-12-31"));
    assert_eq!(add(d("2021-07-24"), Period::years(-3)), d("2018-07-24"));
    // days after months
    assert_eq!(
        add(d("2021-01-31"), Period { months: 1, days: 1 }),
        d("2021-03-01")
    );
    assert_eq!(add(d("2021-05-05"), Period::ZERO), d("2021-05-05"));
}

#[test]
fn extreme_dates_do_not_panic() {
    for y in [1000i16, 1600, 2000, 9000] {
        let x = date(y, 2, 1).last_of_month();
        for p in [
            Period::years(1000),
            Period::years(-1000),
            Period::months(i32::MAX),
            Period::months(i32::MIN),
            Period::days(i32::MAX),
            Period::days(i32::MIN),
            Period {
                months: i32::MAX,
                days: i32::MAX,
            },
            Period::years(i32::MIN),
        ] {
            let _ = add(x, p);
            let _ = complete_from(x, p);
            let _ = window_back(x, p);
        }
    }
    assert_eq!(add(Date::MAX, Period::days(1)), Date::MAX);
    assert_eq!(add(Date::MIN, Period::months(-1)), Date::MIN);
    assert_eq!(add(date(9000, 1, 1), Period::years(2000)), Date::MAX);
}

#[test]
fn complete_from_examples() {
    // abnormal-trace-clear: removed 2021-03-31, 3 months → clearable 2021-07-01
    assert_eq!(
        complete_from(d("2021-03-31"), Period::months(3)),
        d("2021-07-01")
    );
    // 设立登记满两年
    assert_eq!(
        complete_from(d("2020-02-29"), Period::years(2)),
        d("2022-03-01")
    );
    // RS-02: general penalty 2021-01-15, min 3 months → repairable from 2021-04-16
    // (add = 2021-04-15, complete the day after)
    assert_eq!(
        complete_from(d("2021-01-15"), Period::months(3)),
        d("2021-04-16")
    );
    assert_eq!(
        complete_from(d("2020-11-30"), Period::months(3)),
        d("2021-03-01")
    );
    assert_eq!(
        complete_from(d("2020-12-31"), Period::days(0)),
        d("2021-01-01")
    );
}

#[test]
fn windows() {
    let t = d("2021-07-24");
    let w = w3(t);
    assert_eq!(
        w,
        Window {
            from: d("2018-07-24"),
            to: t
        }
    );
    assert!(w.contains(d("2018-07-24")));
    assert!(w.contains(t));
    assert!(!w.contains(d("2018-07-23")));
    assert!(!w.contains(d("2021-07-25")));

    let m = m12(t);
    assert_eq!(
        m,
        Window {
            from: d("2020-07-24"),
            to: t
        }
    );
    assert!(m.contains(d("2020-07-24")));
    assert!(!m.contains(d("2020-07-23")));
    assert!(!m.contains(d("2021-07-25")));

    // leap day as-of
    let t = d("2024-02-29");
    assert_eq!(w3(t).from, d("2021-02-28"));
    assert_eq!(m12(t).from, d("2023-02-28"));
    assert!(!w3(t).contains(d("2021-02-27")));

    assert_eq!(window_back(t, Period::days(10)).from, d("2024-02-19"));
    assert!(w3(t).overlaps(&m12(t)));
    assert!(!m12(t).overlaps(&Window {
        from: d("2020-01-01"),
        to: d("2023-02-27")
    }));
    assert_eq!(m12(t).to_string(), "[2023-02-28, 2024-02-29]");
}

#[test]
fn period_parse_and_display() {
    let cases: &[(&str, Period)] = &[
        ("3 months", Period::months(3)),
        ("1 month", Period::months(1)),
        ("1 year", Period::years(1)),
        ("3 years", Period::years(3)),
        ("6 months", Period::months(6)),
        ("20 days", Period::days(20)),
        ("1 day", Period::days(1)),
        ("3个月", Period::months(3)),
        ("6个月", Period::months(6)),
        ("1年", Period::years(1)),
        ("3年", Period::years(3)),
        ("15日", Period::days(15)),
        ("20天", Period::days(20)),
        ("三年", Period::years(3)),
        ("六个月", Period::months(6)),
        ("十五日", Period::days(15)),
        ("二十天", Period::days(20)),
        ("两年", Period::years(2)),
        ("1 year 6 months", Period::months(18)),
        ("1年6个月", Period::months(18)),
        ("  2 Years  ", Period::years(2)),
        ("-1 month", Period::months(-1)),
        ("+12 months", Period::years(1)),
        ("1 month, 2 days", Period { months: 1, days: 2 }),
        ("0 days", Period::ZERO),
        ("3months", Period::months(3)),
    ];
    for (text, want) in cases {
        assert_eq!(text.parse::<Period>().as_ref(), Ok(want), "{text}");
    }
    let shown: &[(Period, &str)] = &[
        (Period::months(3), "3 months"),
        (Period::months(1), "1 month"),
        (Period::years(1), "1 year"),
        (Period::years(3), "3 years"),
        (Period::months(18), "18 months"),
        (Period::days(20), "20 days"),
        (Period::days(1), "1 day"),
        (Period::months(-1), "-1 month"),
        (Period::years(-3), "-3 years"),
        (
            Period {
                months: 12,
                days: 3,
            },
            "1 year 3 days",
        ),
        (
            Period {
                months: 5,
                days: -1,
            },
            "5 months -1 day",
        ),
        (Period::ZERO, "0 days"),
    ];
    for (p, text) in shown {
        assert_eq!(p.to_string(), *text);
        assert_eq!(text.parse::<Period>().unwrap(), *p);
    }
    for bad in [
        "",
        "   ",
        "3",
        "months",
        "3 fortnights",
        "3月",
        "15个工作日",
        "20 working days",
        "99999999999 days",
        "3000000000 months",
        "200000000 years",
        "99999999999999999 years",
        "9223372036854775807 years",
        "99999999999999999999 years",
        "1 year 2147483647 months",
        "三五年",
        "1 year and",
    ] {
        let e = bad.parse::<Period>();
        assert!(e.is_err(), "{bad:?} parsed as {e:?}");
    }
    let msg = "15个工作日".parse::<Period>().unwrap_err().to_string();
    assert!(msg.contains("working days"), "{msg}");
    let msg = "3 fortnights".parse::<Period>().unwrap_err().to_string();
    assert!(msg.contains("\"3 fortnights\""), "{msg}");
}

#[test]
fn period_serde() {
    let p = Period::years(3);
    let json = serde_json::to_string(&p).unwrap();
    assert_eq!(json, r#"{"months":36,"days":0}"#);
    assert_eq!(serde_json::from_str::<Period>(&json).unwrap(), p);
    assert_eq!(serde_json::from_str::<Period>(r#""3 years""#).unwrap(), p);
    assert_eq!(serde_json::from_str::<Period>(r#""3年""#).unwrap(), p);
    assert_eq!(
        serde_json::from_str::<Period>(r#"{"months":36}"#).unwrap(),
        p
    );
    assert_eq!(
        serde_json::from_str::<Period>(r#"{"days":-2}"#).unwrap(),
        Period::days(-2)
    );
    let e = serde_json::from_str::<Period>(r#""3 fortnights""#).unwrap_err();
    assert!(e.to_string().contains("cannot read"), "{e}");
    assert!(serde_json::from_str::<Period>(r#"{"weeks":2}"#).is_err());
    assert!(serde_json::from_str::<Period>(r#"{"months":1,"months":2}"#).is_err());
    assert!(serde_json::from_str::<Period>("3").is_err());
    #[derive(serde::Deserialize)]
    struct Cfg {
        min: Period,
        max: Period,
    }
    let cfg: Cfg = toml::from_str("min = \"6 months\"\nmax = { months = 36 }\n").unwrap();
    assert_eq!((cfg.min, cfg.max), (Period::months(6), Period::years(3)));
    assert_eq!(-Period::months(3), Period::months(-3));
}

// ------------------------------------------------------------------ dates

#[test]
fn epoch_days() {
    assert_eq!(days_since_epoch(d("1970-01-01")), 0);
    assert_eq!(days_since_epoch(d("1970-01-02")), 1);
    assert_eq!(days_since_epoch(d("1969-12-31")), -1);
    assert_eq!(days_since_epoch(d("2000-03-01")), 11_017);
    assert_eq!(days_since_epoch(d("2021-07-24")), 18_832);
    assert_eq!(from_days_since_epoch(18_832), d("2021-07-24"));
    assert_eq!(from_days_since_epoch(0), d("1970-01-01"));
    assert_eq!(from_days_since_epoch(i32::MAX), Date::MAX);
    assert_eq!(from_days_since_epoch(i32::MIN), Date::MIN);
    assert_eq!(
        from_days_since_epoch(days_since_epoch(Date::MIN)),
        Date::MIN
    );
    assert_eq!(
        from_days_since_epoch(days_since_epoch(Date::MAX)),
        Date::MAX
    );
}

#[test]
fn parse_date_strict() {
    assert_eq!(parse_date("2021-07-24"), Ok(date(2021, 7, 24)));
    assert_eq!(parse_date("2024-02-29"), Ok(date(2024, 2, 29)));
    assert_eq!(parse_date("2000-02-29"), Ok(date(2000, 2, 29)));
    assert_eq!(
        parse_date("2021-02-30").unwrap_err().to_string(),
        "2021-02-30 is not a calendar date"
    );
    assert_eq!(
        parse_date("1900-02-29").unwrap_err(),
        DateError::NotACalendarDate {
            input: "1900-02-29".into()
        }
    );
    for bad in ["2021-13-01", "2021-00-10", "2021-04-31", "2021-01-00"] {
        assert!(
            matches!(parse_date(bad), Err(DateError::NotACalendarDate { .. })),
            "{bad}"
        );
    }
    for bad in [
        "",
        "2021-7-24",
        "2021-07-4",
        "21-07-24",
        "2021/07/24",
        "20210724",
        " 2021-07-24",
        "2021-07-24 ",
        "2021-07-24T00:00",
        "+2021-07-24",
        "２０２１-07-24",
        "2021-0７-24",
        "2021-07-2四",
    ] {
        let e = parse_date(bad).unwrap_err();
        assert!(matches!(e, DateError::Format { .. }), "{bad}: {e:?}");
        assert!(e.to_string().starts_with("expected YYYY-MM-DD"), "{e}");
    }
}

fn arb_date() -> impl Strategy<Value = Date> {
    (1000i32..=9000 * 366).prop_map(|n| {
        // spread over years 1000..=9000
        let lo = days_since_epoch(date(1000, 1, 1));
        let hi = days_since_epoch(date(9000, 12, 31));
        from_days_since_epoch(lo + n % (hi - lo + 1))
    })
}

proptest! {
    #[test]
    fn epoch_round_trip_and_agrees_with_jiff(x in arb_date()) {
        let n = days_since_epoch(x);
        prop_assert_eq!(from_days_since_epoch(n), x);
        let secs = x.duration_since(date(1970, 1, 1)).as_secs();
        prop_assert_eq!(i64::from(n) * 86_400, secs);
    }

    #[test]
    fn add_months_keeps_day_or_clamps(x in arb_date(), n in -1200i32..=1200) {
        let y = add(x, Period::months(n));
        prop_assert!(y.day() == x.day() || (y == y.last_of_month() && y.day() < x.day()));
        let months = |v: Date| i32::from(v.year()) * 12 + i32::from(v.month());
        prop_assert_eq!(months(y) - months(x), n);
        // agrees with jiff's own month arithmetic, which also clamps
        let j = x.checked_add(jiff::Span::new().months(n)).unwrap();
        prop_assert_eq!(y, j);
    }

    #[test]
    fn add_is_monotone(
        a in arb_date(),
        b in arb_date(),
        months in -500i32..=500,
        days in -2000i32..=2000,
    ) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let p = Period { months, days };
        prop_assert!(add(lo, p) <= add(hi, p));
    }

    #[test]
    fn add_days_agrees_with_jiff(x in arb_date(), n in -100_000i32..=100_000) {
        let j = x.checked_add(jiff::Span::new().days(n)).unwrap();
        prop_assert_eq!(add(x, Period::days(n)), j);
    }

    #[test]
    fn window_membership(t in arb_date(), off in -5000i32..=5000) {
        let x = add(t, Period::days(off));
        let w = w3(t);
        prop_assert_eq!(w.contains(x), x >= add(t, Period::years(-3)) && x <= t);
        prop_assert!(w.contains(w.from) && w.contains(w.to));
        prop_assert!(!w.contains(add(w.from, Period::days(-1))));
        prop_assert!(!w.contains(add(w.to, Period::days(1))));
    }

    #[test]
    fn parse_date_round_trip(x in arb_date()) {
        prop_assert_eq!(parse_date(&x.to_string()), Ok(x));
    }

    #[test]
    fn parse_date_never_panics(s in "\\PC{0,12}") {
        let _ = parse_date(&s);
    }

    #[test]
    fn period_display_round_trips(months in -100_000i32..=100_000, days in -100_000i32..=100_000) {
        let p = Period { months, days };
        prop_assert_eq!(p.to_string().parse::<Period>(), Ok(p));
    }

    #[test]
    fn period_parse_never_panics(s in "\\PC{0,16}") {
        let _ = s.parse::<Period>();
    }
}

// ------------------------------------------------------------------ working days

fn cal() -> &'static WorkCalendar {
    WorkCalendar::builtin()
}

fn holiday(name: &str) -> DayKind {
    DayKind::Holiday {
        name_zh: name.into(),
    }
}

fn adjusted(name: &str) -> DayKind {
    DayKind::AdjustedWorkday {
        name_zh: name.into(),
    }
}

#[test]
fn builtin_covers_the_notices_then_the_provisional_years() {
    assert_eq!(cal().notice_years(), 2019..=2026);
    assert_eq!(cal().covered_years(), 2019..=2039);
    assert_eq!(cal().first_day(), d("2019-01-01"));
    assert_eq!(cal().last_day(), d("2039-12-31"));
    assert_eq!(cal().provisional_from(), Some(d("2027-01-01")));
    assert!(!cal().is_provisional(d("2026-12-31")));
    assert!(cal().is_provisional(d("2027-01-01")));
}

#[test]
fn rs00_working_day_vector() {
    // seed003 RS-00: the day of receipt is not counted.
    assert_eq!(
        cal().add_working_days(d("2020-09-25"), 20).unwrap(),
        d("2020-10-29")
    );
    assert_eq!(
        cal()
            .working_days_between(d("2020-09-25"), d("2020-10-29"))
            .unwrap(),
        20
    );
    assert_eq!(
        cal().add_working_days(d("2020-09-25"), 0).unwrap(),
        d("2020-09-25")
    );
}

#[test]
fn national_day_2020_day_by_day() {
    use DayKind::*;
    let name = "国庆节、中秋节";
    let expected: &[(&str, DayKind)] = &[
        ("2020-09-25", Workday),
        ("2020-09-26", Weekend),
        ("2020-09-27", adjusted(name)), // Sunday, worked
        ("2020-09-28", Workday),
        ("2020-09-29", Workday),
        ("2020-09-30", Workday),
        ("2020-10-01", holiday(name)),
        ("2020-10-02", holiday(name)),
        ("2020-10-03", holiday(name)),
        ("2020-10-04", holiday(name)),
        ("2020-10-05", holiday(name)),
        ("2020-10-06", holiday(name)),
        ("2020-10-07", holiday(name)),
        ("2020-10-08", holiday(name)),
        ("2020-10-09", Workday),
        ("2020-10-10", adjusted(name)), // Saturday, worked
        ("2020-10-11", Weekend),
        ("2020-10-12", Workday),
    ];
    for (day, kind) in expected {
        let got = cal().day_kind(d(day)).unwrap();
        assert_eq!(&got, kind, "{day}");
        assert_eq!(
            cal().is_working_day(d(day)).unwrap(),
            kind.is_working_day(),
            "{day}"
        );
    }
    // count: Sep 26 .. Oct 29 has 20 working days
    let working: Vec<Date> = (1..=34)
        .map(|i| add(d("2020-09-25"), Period::days(i)))
        .filter(|x| cal().is_working_day(*x).unwrap())
        .collect();
    assert_eq!(working.len(), 20);
    assert_eq!(working[0], d("2020-09-27"));
    assert_eq!(working[19], d("2020-10-29"));
}

#[test]
fn spring_festival_blocks() {
    // 2019: Feb 4–10 off; Sat Feb 2 and Sun Feb 3 worked
    assert_eq!(cal().day_kind(d("2019-02-02")).unwrap(), adjusted("春节"));
    assert_eq!(cal().day_kind(d("2019-02-03")).unwrap(), adjusted("春节"));
    assert_eq!(cal().day_kind(d("2019-02-04")).unwrap(), holiday("春节"));
    assert_eq!(cal().day_kind(d("2019-02-10")).unwrap(), holiday("春节"));
    assert_eq!(cal().day_kind(d("2019-02-11")).unwrap(), DayKind::Workday);
    assert_eq!(
        cal().add_working_days(d("2019-02-01"), 1).unwrap(),
        d("2019-02-02")
    );
    assert_eq!(
        cal().add_working_days(d("2019-02-03"), 1).unwrap(),
        d("2019-02-11")
    );

    // 2020: extended to Feb 2 (国办发明电〔2020〕1号): Sat Feb 1 NOT worked
    assert_eq!(cal().day_kind(d("2020-01-19")).unwrap(), adjusted("春节"));
    for day in [
        "2020-01-24",
        "2020-01-30",
        "2020-01-31",
        "2020-02-01",
        "2020-02-02",
    ] {
        assert_eq!(cal().day_kind(d(day)).unwrap(), holiday("春节"), "{day}");
        assert!(!cal().is_working_day(d(day)).unwrap());
    }
    assert_eq!(
        cal().add_working_days(d("2020-01-23"), 1).unwrap(),
        d("2020-02-03")
    );

    // 2024: Feb 10–17; Sun Feb 4 and Sun Feb 18 worked; 除夕 Feb 9 is a working day
    assert!(cal().is_working_day(d("2024-02-09")).unwrap());
    assert_eq!(cal().day_kind(d("2024-02-18")).unwrap(), adjusted("春节"));
    assert_eq!(
        cal().add_working_days(d("2024-02-09"), 1).unwrap(),
        d("2024-02-18")
    );

    // 2025 rule change: starts on 除夕 (Jan 28), 8 days
    assert_eq!(cal().day_kind(d("2025-01-28")).unwrap(), holiday("春节"));
    assert_eq!(cal().day_kind(d("2025-02-04")).unwrap(), holiday("春节"));
    assert_eq!(cal().day_kind(d("2025-01-26")).unwrap(), adjusted("春节"));
    assert_eq!(cal().day_kind(d("2025-02-08")).unwrap(), adjusted("春节"));
    // ... and Labour Day has 5 days with a single adjusted day
    assert_eq!(cal().day_kind(d("2025-05-05")).unwrap(), holiday("劳动节"));
    assert_eq!(cal().day_kind(d("2025-04-27")).unwrap(), adjusted("劳动节"));

    // 2026: 9 days Feb 15–23; Sat Feb 14 and Sat Feb 28 worked
    assert_eq!(cal().day_kind(d("2026-02-14")).unwrap(), adjusted("春节"));
    assert_eq!(cal().day_kind(d("2026-02-23")).unwrap(), holiday("春节"));
    assert_eq!(cal().day_kind(d("2026-02-28")).unwrap(), adjusted("春节"));
    assert_eq!(
        cal()
            .working_days_between(d("2026-02-13"), d("2026-02-24"))
            .unwrap(),
        2
    );
}

#[test]
fn notices_are_cited() {
    assert_eq!(
        cal().notice(d("2020-02-01")).unwrap(),
        Some("国办发明电〔2019〕16号；国办发明电〔2020〕1号（延长春节假期）")
    );
    assert_eq!(
        cal().notice(d("2024-10-12")).unwrap(),
        Some("国办发明电〔2023〕7号")
    );
    assert_eq!(cal().notice(d("2024-10-14")).unwrap(), None);
    assert!(cal().notice(d("2040-10-01")).is_err());
    // every special day of the built-in calendar cites its notice
    let mut x = cal().first_day();
    while x <= cal().last_day() {
        let special = !matches!(
            cal().day_kind(x).unwrap(),
            DayKind::Workday | DayKind::Weekend
        );
        assert_eq!(cal().notice(x).unwrap().is_some(), special, "{x}");
        x = add(x, Period::days(1));
    }
}

#[test]
fn labour_day_2019_amended() {
    // 国办发明电〔2019〕3号: May 1–4 off; Sun Apr 28 and Sun May 5 worked
    for day in ["2019-05-01", "2019-05-02", "2019-05-03", "2019-05-04"] {
        assert_eq!(cal().day_kind(d(day)).unwrap(), holiday("劳动节"), "{day}");
    }
    assert_eq!(cal().day_kind(d("2019-04-28")).unwrap(), adjusted("劳动节"));
    assert_eq!(cal().day_kind(d("2019-05-05")).unwrap(), adjusted("劳动节"));
}

#[test]
fn period_crossing_new_year() {
    // 2022-12-31 is the first day of the 2023 New Year block (Dec 31 – Jan 2).
    assert_eq!(cal().day_kind(d("2022-12-31")).unwrap(), holiday("元旦"));
    assert_eq!(cal().day_kind(d("2023-01-02")).unwrap(), holiday("元旦"));
    assert_eq!(
        cal().add_working_days(d("2022-12-29"), 1).unwrap(),
        d("2022-12-30")
    );
    assert_eq!(
        cal().add_working_days(d("2022-12-29"), 2).unwrap(),
        d("2023-01-03")
    );
    assert_eq!(
        cal()
            .working_days_between(d("2022-12-29"), d("2023-01-03"))
            .unwrap(),
        2
    );
    // 2026 New Year: Jan 1–3 off, Sun Jan 4 worked
    assert_eq!(
        cal().add_working_days(d("2025-12-31"), 1).unwrap(),
        d("2026-01-04")
    );
    assert_eq!(
        cal().add_working_days(d("2025-12-30"), 2).unwrap(),
        d("2026-01-04")
    );
    // 2019-01-01 is a holiday; the 2018 part of that block is outside the range
    assert_eq!(cal().day_kind(d("2019-01-01")).unwrap(), holiday("元旦"));
    assert_eq!(
        cal().add_working_days(d("2018-12-31"), 1).unwrap(),
        d("2019-01-02")
    );
}

#[test]
fn outside_the_calendar() {
    let e = cal().is_working_day(d("2040-01-02")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "2040-01-02 is outside the working-day calendar (2019–2039)"
    );
    assert!(cal().is_working_day(d("2018-12-31")).is_err());
    assert!(cal().day_kind(d("2018-06-01")).is_err());
    let e = cal().add_working_days(d("2039-12-30"), 2).unwrap_err();
    assert!(
        matches!(e, CalendarError::WalkOutside { date, .. } if date == d("2040-01-01")),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .contains("outside the working-day calendar (2019–2039)"),
        "{e}"
    );
    // 2039-12-30 is a Friday: one working day later is the last day.
    assert_eq!(
        cal().add_working_days(d("2039-12-29"), 1).unwrap(),
        d("2039-12-30")
    );
    assert!(cal().add_working_days(d("2018-06-01"), 1).is_err());
    assert!(cal().add_working_days(d("2019-01-02"), 100_000).is_err());
    assert!(cal().add_working_days(Date::MAX, 1).is_err());
    assert!(cal().add_working_days(Date::MIN, 1).is_err());
    assert!(
        cal()
            .working_days_between(d("2018-06-01"), d("2019-06-01"))
            .is_err()
    );
    assert!(
        cal()
            .working_days_between(d("2039-06-01"), d("2040-01-01"))
            .is_err()
    );
}

/// Across the end of the notices: the last notice year is final, the next
/// year follows the statutory rule (元旦 only, no 调休) and is provisional.
#[test]
fn deadlines_run_on_into_the_provisional_year() {
    // 2026-12-31 is a Thursday; 2027-01-01 (Friday) is 元旦 under the 办法.
    assert_eq!(
        cal().add_working_days(d("2026-12-30"), 1).unwrap(),
        d("2026-12-31")
    );
    assert_eq!(
        cal().add_working_days(d("2026-12-31"), 1).unwrap(),
        d("2027-01-04")
    );
    assert_eq!(
        cal().day_kind(d("2027-01-01")).unwrap(),
        DayKind::Holiday {
            name_zh: "元旦".into()
        }
    );
    assert!(cal().is_provisional(d("2027-01-04")));
    // The browser test's case: an objection received on Monday 2026-12-07 is
    // decided within 20 working days: 12-08 … 12-31 are 18, then 01-04 and
    // 01-05 (Monday, Tuesday).
    assert_eq!(
        cal().add_working_days(d("2026-12-07"), 20).unwrap(),
        d("2027-01-05")
    );
    // 春节 2027: Fri 02-05 … Mon 02-08 off, Sat and Sun given back on Tue
    // 02-09 and Wed 02-10; Thursday 02-11 is the next working day.
    assert_eq!(
        cal().add_working_days(d("2027-02-04"), 1).unwrap(),
        d("2027-02-11")
    );
    assert_eq!(
        cal()
            .working_days_between(d("2027-02-04"), d("2027-02-11"))
            .unwrap(),
        1
    );
    assert_eq!(
        cal().notice(d("2027-02-09")).unwrap(),
        Some(crate::time::statutory::PROVISIONAL_SOURCE)
    );
    // An ordinary provisional weekday cites nothing and is a working day.
    assert_eq!(cal().notice(d("2027-03-01")).unwrap(), None);
    assert!(cal().is_working_day(d("2027-03-01")).unwrap());
    // No 调休 in a provisional year: every weekend is off.
    let mut x = d("2027-01-01");
    while x <= d("2027-12-31") {
        if matches!(
            x.weekday(),
            jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
        ) {
            assert!(!cal().is_working_day(x).unwrap(), "{x}");
        }
        x = add(x, Period::days(1));
    }
}

/// An office installs the next notice: a calendar whose notices reach 2027
/// answers 2027 from the notice (not provisionally) and goes on
/// provisionally from 2028.
#[test]
fn an_installed_notice_replaces_the_provisional_year() {
    let mut text =
        include_str!("../../data/holidays-cn.toml").replace("last_year = 2026", "last_year = 2027");
    text.push_str(
        r#"
[[block]]
year = 2027
name_zh = "元旦"
notice = "test notice"
off = ["2027-01-01/2027-01-03"]

[[block]]
year = 2027
name_zh = "春节"
notice = "test notice"
off = ["2027-02-05/2027-02-12"]
work = ["2027-02-20"]
"#,
    );
    let installed = WorkCalendar::from_toml(&text).unwrap();
    assert_eq!(installed.notice_years(), 2019..=2027);
    assert!(!installed.is_provisional(d("2027-06-01")));
    assert!(installed.is_provisional(d("2028-01-01")));
    // 2027-02-11 and 02-12 are off by the notice, 02-20 (Saturday) worked.
    assert!(!installed.is_working_day(d("2027-02-11")).unwrap());
    assert!(installed.is_working_day(d("2027-02-20")).unwrap());
    assert_eq!(
        installed.notice(d("2027-02-20")).unwrap(),
        Some("test notice")
    );
    // The builtin still answers provisionally for the same days.
    assert!(cal().is_working_day(d("2027-02-11")).unwrap());
    assert!(!cal().is_working_day(d("2027-02-20")).unwrap());
}

#[test]
fn yearly_totals_are_plausible() {
    // Every PRC year since 2008 has had 244–251 working days.
    for y in 2019..=2026 {
        let n = cal()
            .working_days_between(date(y - 1, 12, 31), date(y, 12, 31))
            .unwrap();
        assert!((244..=251).contains(&n), "{y}: {n} working days");
    }
}

#[test]
fn covid_extension_removed_two_working_days() {
    // Without 国办发明电〔2020〕1号 the 2020 Spring Festival block was Jan 24–30
    // with Sun Jan 19 and Sat Feb 1 worked; the extension made Fri Jan 31 and
    // Sat Feb 1 days off (Feb 2 was a Sunday anyway).
    let original = include_str!("../../data/holidays-cn.toml").replace(
        "off = [\"2020-01-24/2020-02-02\"]\nwork = [\"2020-01-19\"]",
        "off = [\"2020-01-24/2020-01-30\"]\nwork = [\"2020-01-19\", \"2020-02-01\"]",
    );
    let planned = WorkCalendar::from_toml(&original).unwrap();
    let span = (d("2019-12-31"), d("2020-12-31"));
    let actual = cal().working_days_between(span.0, span.1).unwrap();
    let before = planned.working_days_between(span.0, span.1).unwrap();
    assert_eq!(before - actual, 2);
    assert!(planned.is_working_day(d("2020-02-01")).unwrap());
    assert!(!cal().is_working_day(d("2020-02-01")).unwrap());
}

#[test]
fn every_adjusted_day_is_a_weekend_and_every_festival_is_present() {
    let mut x = cal().first_day();
    let mut per_year: std::collections::BTreeMap<i16, std::collections::BTreeSet<String>> =
        Default::default();
    while x <= cal().last_day() {
        match cal().day_kind(x).unwrap() {
            DayKind::AdjustedWorkday { .. } => {
                assert!(
                    matches!(
                        x.weekday(),
                        jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
                    ),
                    "{x}"
                );
            }
            DayKind::Holiday { name_zh } => {
                per_year.entry(x.year()).or_default().insert(name_zh);
            }
            DayKind::Weekend => {
                assert!(
                    matches!(
                        x.weekday(),
                        jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
                    ),
                    "{x}"
                );
            }
            DayKind::Workday => {
                assert!(
                    !matches!(
                        x.weekday(),
                        jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
                    ),
                    "{x}"
                );
            }
        }
        x = add(x, Period::days(1));
    }
    for (y, names) in &per_year {
        let joined: String = names.iter().cloned().collect::<Vec<_>>().join("");
        for festival in [
            "元旦",
            "春节",
            "清明节",
            "劳动节",
            "端午节",
            "中秋节",
            "国庆节",
        ] {
            assert!(joined.contains(festival), "{y} lacks {festival}: {names:?}");
        }
    }
    // the notices' 8 years and the provisional ones to 2039
    assert_eq!(per_year.len(), 21);
}

#[test]
fn day_kind_serialises_with_a_tag() {
    let v = serde_json::to_string(&cal().day_kind(d("2020-10-01")).unwrap()).unwrap();
    assert_eq!(v, r#"{"kind":"holiday","name_zh":"国庆节、中秋节"}"#);
    let v = serde_json::to_string(&cal().day_kind(d("2020-10-09")).unwrap()).unwrap();
    assert_eq!(v, r#"{"kind":"workday"}"#);
}

fn covered_date() -> impl Strategy<Value = Date> {
    let lo = days_since_epoch(date(2019, 1, 1));
    let hi = days_since_epoch(date(2039, 12, 31));
    (lo..=hi).prop_map(from_days_since_epoch)
}

proptest! {
    #[test]
    fn add_and_between_agree(start in covered_date(), n in 0u32..400) {
        match cal().add_working_days(start, n) {
            Ok(end) => {
                prop_assert_eq!(cal().working_days_between(start, end).unwrap(), n);
                if n > 0 {
                    prop_assert!(cal().is_working_day(end).unwrap());
                    prop_assert!(end > start);
                    // one day earlier is one working day short
                    let before = add(end, Period::days(-1));
                    prop_assert_eq!(cal().working_days_between(start, before).unwrap(), n - 1);
                }
            }
            Err(CalendarError::WalkOutside { .. }) => {
                let to_end = cal().working_days_between(start, cal().last_day()).unwrap();
                prop_assert!(to_end < n);
            }
            Err(e) => prop_assert!(false, "unexpected {e}"),
        }
    }

    #[test]
    fn between_is_additive(a in covered_date(), b in covered_date(), c in covered_date()) {
        let mut v = [a, b, c];
        v.sort();
        let [a, b, c] = v;
        let ab = cal().working_days_between(a, b).unwrap();
        let bc = cal().working_days_between(b, c).unwrap();
        prop_assert_eq!(cal().working_days_between(a, c).unwrap(), ab + bc);
    }

    #[test]
    fn between_matches_day_by_day_count(a in covered_date(), len in 0i32..60) {
        let b = add(a, Period::days(len));
        prop_assume!(b <= cal().last_day());
        let count = (1..=len)
            .filter(|i| cal().is_working_day(add(a, Period::days(*i))).unwrap())
            .count() as u32;
        prop_assert_eq!(cal().working_days_between(a, b).unwrap(), count);
    }
}
