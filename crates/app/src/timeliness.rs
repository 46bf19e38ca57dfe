//! Timeliness of the departments' submissions (PRODUCT.md C2, §5: "department
//! records a decision: 7 working days after it is made"). A record is on
//! time when the platform received it — the day, in China Standard Time,
//! the batch storing its first version started — no later than the 7th
//! working day after its decision (the record's `date`), counted with the
//! platform's working-day calendar (the day of the decision not counted, as
//! every deadline of the platform). A later version is a correction of a
//! record already received, not a late recording.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;
use xinyong_core::time::WorkCalendar;
use xinyong_store::Receipts;

use crate::clock::china_standard_time;
use crate::{App, AppError, Principal};

/// Working days a department has to record a decision (PRODUCT.md §5).
pub const RECORDING_DEADLINE_WORKING_DAYS: u32 = 7;

/// No run of holidays and weekends in the PRC calendar comes near this:
/// 7 working days never span more calendar days, so a record received later
/// than this after its decision is late even where the calendar has no data.
const CERTAINLY_LATE_AFTER_DAYS: i32 = 30;

/// How a record's receipt stands against its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Punctuality {
    OnTime,
    Late,
    /// The calendar does not cover the days in between, and the calendar
    /// days alone do not tell.
    Undetermined,
}

/// Whether a decision of `decided` received on `received` was recorded in
/// time.
pub(crate) fn punctuality(cal: &WorkCalendar, decided: Date, received: Date) -> Punctuality {
    match cal.add_working_days(decided, RECORDING_DEADLINE_WORKING_DAYS) {
        Ok(deadline) if received <= deadline => Punctuality::OnTime,
        Ok(_) => Punctuality::Late,
        Err(_) => {
            // Outside the calendar's years: what the calendar days tell.
            let days = (received - decided).get_days();
            if days <= RECORDING_DEADLINE_WORKING_DAYS as i32 {
                Punctuality::OnTime
            } else if days > CERTAINLY_LATE_AFTER_DAYS {
                Punctuality::Late
            } else {
                Punctuality::Undetermined
            }
        }
    }
}

/// Timeliness of one department's records of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Timeliness {
    /// The department's code.
    pub source: String,
    /// Its Chinese name, when catalogued.
    pub name: Option<String>,
    pub kind: String,
    /// Records received within the deadline.
    pub on_time: u64,
    /// Records received after it.
    pub late: u64,
    /// Records whose days the calendar does not cover.
    pub undetermined: u64,
}

impl Timeliness {
    /// Records counted.
    pub fn total(&self) -> u64 {
        self.on_time + self.late + self.undetermined
    }

    /// Per mille of the determined records that were on time (`None` when
    /// none is determined).
    pub fn on_time_per_mille(&self) -> Option<u64> {
        let determined = self.on_time + self.late;
        (determined > 0).then(|| (self.on_time * 1000 + determined / 2) / determined)
    }
}

/// The day, in China Standard Time, of an RFC 3339 instant.
fn china_day(instant: &str) -> Option<Date> {
    let ts: jiff::Timestamp = instant.parse().ok()?;
    Some(ts.to_zoned(china_standard_time()).date())
}

impl App {
    /// Per department and kind: records received within
    /// [`RECORDING_DEADLINE_WORKING_DAYS`] working days of their decision
    /// and records received later — of `by`'s department, or (admin) of
    /// `department` or every department; sorted by department and kind.
    pub async fn submission_timeliness(
        &self,
        by: &Principal,
        department: Option<&str>,
    ) -> Result<Vec<Timeliness>, AppError> {
        let scope = self.submission_scope(by, department)?;
        let all = self.timeliness_of_all().await?;
        Ok(all
            .iter()
            .filter(|t| scope.as_deref().is_none_or(|d| t.source == d))
            .cloned()
            .collect())
    }

    /// Every department's timeliness, computed once per set of receipts
    /// kept and calendar in force (one verdict per receipt: a tenth of a
    /// second per request on a city of millions otherwise).
    async fn timeliness_of_all(&self) -> Result<std::sync::Arc<Vec<Timeliness>>, AppError> {
        let receipts = self.receipts().await?;
        let cal = self.calendar();
        {
            let kept = self
                .receipts_cache
                .timeliness
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            if let Some((r, c, t)) = kept.as_ref()
                && std::sync::Arc::ptr_eq(r, &receipts)
                && std::ptr::eq(*c, cal)
            {
                return Ok(std::sync::Arc::clone(t));
            }
        }
        let mut out: BTreeMap<(String, String), Timeliness> = BTreeMap::new();
        for r in receipts.iter().cloned() {
            let decided = xinyong_core::time::parse_date(&r.decided_on).ok();
            let received = china_day(&r.received_at);
            let verdict = match (decided, received) {
                (Some(d), Some(day)) => punctuality(cal, d, day),
                _ => Punctuality::Undetermined,
            };
            let entry = out
                .entry((r.source.clone(), r.kind.clone()))
                .or_insert_with(|| Timeliness {
                    name: self
                        .catalogue()
                        .department_name(&r.source)
                        .map(str::to_owned),
                    source: r.source,
                    kind: r.kind,
                    on_time: 0,
                    late: 0,
                    undetermined: 0,
                });
            match verdict {
                Punctuality::OnTime => entry.on_time += r.records,
                Punctuality::Late => entry.late += r.records,
                Punctuality::Undetermined => entry.undetermined += r.records,
            }
        }
        let all = std::sync::Arc::new(out.into_values().collect::<Vec<_>>());
        *self
            .receipts_cache
            .timeliness
            .lock()
            .unwrap_or_else(|p| p.into_inner()) =
            Some((receipts, cal, std::sync::Arc::clone(&all)));
        Ok(all)
    }
}

/// The receipts of every department, kept while no batch has been added
/// or is running: they change only when a batch commits, and counting them
/// reads every first version of the store (seconds on a city of millions).
/// The current subjects per region are kept the same way (the briefing's
/// district table; a `GROUP BY` over every subject version).
#[derive(Default)]
pub(crate) struct ReceiptsCache {
    kept: tokio::sync::Mutex<Option<(i64, std::sync::Arc<Vec<Receipts>>)>>,
    regions: tokio::sync::Mutex<Option<(i64, SubjectsByRegion)>>,
    /// Every department's timeliness of the receipts kept (the same `Arc`)
    /// under the calendar in force then.
    #[allow(clippy::type_complexity)]
    timeliness: std::sync::Mutex<
        Option<(
            std::sync::Arc<Vec<Receipts>>,
            &'static WorkCalendar,
            std::sync::Arc<Vec<Timeliness>>,
        )>,
    >,
}

/// `(region, current subjects)`, by region.
pub(crate) type SubjectsByRegion = std::sync::Arc<Vec<(Option<String>, u64)>>;

impl App {
    /// Every department's receipts, from the cache when no batch was added
    /// since they were counted and none is running.
    pub(crate) async fn receipts(&self) -> Result<std::sync::Arc<Vec<Receipts>>, AppError> {
        self.kept_while_quiet(&self.receipts_cache.kept, self.store.receipts(None))
            .await
    }

    /// The current subjects per region, from the cache when no batch was
    /// added since they were counted and none is running.
    pub(crate) async fn subjects_by_region(&self) -> Result<SubjectsByRegion, AppError> {
        self.kept_while_quiet(
            &self.receipts_cache.regions,
            self.store.subjects_by_region(),
        )
        .await
    }

    /// What `slot` keeps, if no batch was added since it was counted and
    /// none is running; else `count` again (kept only when no batch runs).
    async fn kept_while_quiet<T>(
        &self,
        slot: &tokio::sync::Mutex<Option<(i64, std::sync::Arc<T>)>>,
        count: impl std::future::Future<Output = Result<T, xinyong_store::StoreError>>,
    ) -> Result<std::sync::Arc<T>, AppError> {
        let mut kept = slot.lock().await;
        let newest = self.store.batches(1).await?.first().map_or(0, |b| b.id.0);
        let quiet = self.store.running_batches().await?.is_empty();
        if quiet
            && let Some((at, value)) = kept.as_ref()
            && *at == newest
        {
            return Ok(std::sync::Arc::clone(value));
        }
        let value = std::sync::Arc::new(count.await?);
        *kept = quiet.then(|| (newest, std::sync::Arc::clone(&value)));
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn seven_working_days_across_national_day_2020_are_on_time_eight_are_late() {
        let cal = WorkCalendar::builtin();
        // Decided Friday 2020-09-25. Working days after it: Sun 09-27
        // (adjusted working day) 1st, Mon 09-28 2nd, Tue 09-29 3rd, Wed 09-30
        // 4th, then the National Day holiday 10-01..10-08, Fri 10-09 5th,
        // Sat 10-10 (adjusted working day) 6th, Mon 10-12 7th, Tue 10-13 8th.
        let decided = date(2020, 9, 25);
        assert_eq!(
            cal.add_working_days(decided, 7).unwrap(),
            date(2020, 10, 12)
        );
        assert_eq!(
            cal.working_days_between(decided, date(2020, 10, 12))
                .unwrap(),
            7
        );
        assert_eq!(
            cal.working_days_between(decided, date(2020, 10, 13))
                .unwrap(),
            8
        );
        for on_time in [
            decided,
            date(2020, 9, 24),
            date(2020, 10, 1),
            date(2020, 10, 11),
            date(2020, 10, 12),
        ] {
            assert_eq!(
                punctuality(cal, decided, on_time),
                Punctuality::OnTime,
                "{on_time}"
            );
        }
        for late in [date(2020, 10, 13), date(2020, 12, 1)] {
            assert_eq!(punctuality(cal, decided, late), Punctuality::Late, "{late}");
        }
    }

    #[test]
    fn spring_festival_2021_counts_its_adjusted_working_days() {
        let cal = WorkCalendar::builtin();
        // Decided Tuesday 2021-02-09; Sun 02-07 and Sat 02-20 were working
        // days, 02-11..02-17 the holiday. Working days after the decision:
        // Wed 02-10, Thu 02-18, Fri 02-19, Sat 02-20, Mon 02-22, Tue 02-23,
        // Wed 02-24 (7th), Thu 02-25 (8th).
        let decided = date(2021, 2, 9);
        assert_eq!(
            punctuality(cal, decided, date(2021, 2, 24)),
            Punctuality::OnTime
        );
        assert_eq!(
            punctuality(cal, decided, date(2021, 2, 25)),
            Punctuality::Late
        );
    }

    #[test]
    fn outside_the_calendar_only_what_calendar_days_tell() {
        let cal = WorkCalendar::builtin();
        let before = cal.first_day().yesterday().unwrap();
        let decided = before.checked_sub(jiff::Span::new().days(40)).unwrap();
        assert_eq!(punctuality(cal, decided, before), Punctuality::Late);
        let decided = before.checked_sub(jiff::Span::new().days(3)).unwrap();
        assert_eq!(punctuality(cal, decided, before), Punctuality::OnTime);
        let decided = before.checked_sub(jiff::Span::new().days(12)).unwrap();
        assert_eq!(punctuality(cal, decided, before), Punctuality::Undetermined);
    }

    #[test]
    fn the_receipt_day_is_the_china_standard_time_day() {
        assert_eq!(
            china_day("2020-10-10T15:59:59.000000Z"),
            Some(date(2020, 10, 10))
        );
        assert_eq!(
            china_day("2020-10-10T16:00:00.000000Z"),
            Some(date(2020, 10, 11))
        );
        assert_eq!(china_day("not a time"), None);
    }

    #[test]
    fn the_share_on_time_is_of_the_determined_records() {
        let t = Timeliness {
            source: "SCJG".into(),
            name: None,
            kind: "penalty".into(),
            on_time: 2,
            late: 1,
            undetermined: 5,
        };
        assert_eq!(t.total(), 8);
        assert_eq!(t.on_time_per_mille(), Some(667));
    }
}
