//! The working-day calendar file (`WorkCalendar::from_toml`, the format of
//! `crates/core/data/holidays-cn.toml` that an office installs for later
//! notices): any text; a calendar that loads answers for its first, last and
//! a few days between, counts working days forward and between, and agrees
//! with itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xinyong_core::time::WorkCalendar;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(cal) = WorkCalendar::from_toml(text) else {
        return;
    };
    let _ = (
        cal.covered_years(),
        cal.notice_years(),
        cal.provisional_from(),
    );
    let (first, last) = (cal.first_day(), cal.last_day());
    assert!(first <= last);
    let len = (last - first).get_days().max(0);
    for step in [0, 1, 31, 59, 200, 366, len / 2, len] {
        let Ok(day) = first.checked_add(jiff::Span::new().days(step.min(len))) else {
            continue;
        };
        let _ = cal.is_provisional(day);
        let working = cal.is_working_day(day).expect("a covered day is answered");
        let kind = cal.day_kind(day).expect("a covered day has a kind");
        assert_eq!(working, kind.is_working_day());
        let _ = cal.notice(day).expect("a covered day has a notice or none");
        for n in [0, 1, 7, 20, 250] {
            if let Ok(end) = cal.add_working_days(day, n) {
                assert!(end >= day);
                let between = cal.working_days_between(day, end).expect("both covered");
                assert_eq!(between, n, "{day} + {n} working days = {end}");
                if n > 0 {
                    assert!(cal.is_working_day(end).expect("covered"), "{end}");
                }
            }
        }
    }
    let _ = cal.working_days_between(first, last);
});
