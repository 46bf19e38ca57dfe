//! What the credit office's dashboards count over a period that no other
//! query does (PRODUCT.md C14): the credit checks logged and the measures
//! reported applied between two instants, per department. Both tables are
//! append-only, so a closed period always counts the same.

use sqlx::{AssertSqlSafe, Decode, Encode, Executor, FromRow, IntoArguments, Pool, Type};

use crate::StoreError;
use crate::codec;
use crate::shared::{Db, Dialect, db};

/// Credit checks logged in a period by one department and scenario.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CheckCount {
    /// The asking account's department (`None` for accounts without one).
    pub department: Option<String>,
    pub scenario: String,
    pub checks: u64,
}

/// One feedback (反馈) reported in a period: which department applied
/// which measures to which subject.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PeriodFeedback {
    pub department: String,
    /// The checked subject (USCC).
    pub subject: String,
    /// JSON array text of the measure ids applied.
    pub applied: String,
}

type CountRow = (Option<String>, String, i64);
type FeedbackRow = (String, String, String);

impl<DB> Db<DB>
where
    DB: Dialect,
    for<'c> &'c Pool<DB>: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB> + Decode<'q, DB>,
    for<'r> CountRow: FromRow<'r, DB::Row>,
    for<'r> FeedbackRow: FromRow<'r, DB::Row>,
{
    pub async fn credit_checks_between(
        &self,
        from: jiff::Timestamp,
        to: jiff::Timestamp,
    ) -> Result<Vec<CheckCount>, StoreError> {
        let sql = format!(
            "SELECT department, scenario, {} FROM credit_checks \
             WHERE at >= {} AND at < {} GROUP BY department, scenario",
            DB::cast("count(*)", "int8"),
            DB::timestamp_param(1),
            DB::timestamp_param(2),
        );
        let rows: Vec<CountRow> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(codec::rfc3339(from))
            .bind(codec::rfc3339(to))
            .fetch_all(&self.reader)
            .await
            .map_err(db::<DB>("counting credit checks of a period"))?;
        // Ordered here: the backends order NULL differently.
        let mut out: Vec<CheckCount> = rows
            .into_iter()
            .map(|(department, scenario, n)| CheckCount {
                department,
                scenario,
                checks: codec::to_u64(n),
            })
            .collect();
        out.sort_by(|a, b| (&a.department, &a.scenario).cmp(&(&b.department, &b.scenario)));
        Ok(out)
    }

    pub async fn feedback_between(
        &self,
        from: jiff::Timestamp,
        to: jiff::Timestamp,
    ) -> Result<Vec<PeriodFeedback>, StoreError> {
        let sql = format!(
            "SELECT f.department, c.subject, f.applied \
             FROM credit_check_feedback f JOIN credit_checks c ON c.id = f.check_id \
             WHERE f.at >= {} AND f.at < {} ORDER BY f.id",
            DB::timestamp_param(1),
            DB::timestamp_param(2),
        );
        let rows: Vec<FeedbackRow> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(codec::rfc3339(from))
            .bind(codec::rfc3339(to))
            .fetch_all(&self.reader)
            .await
            .map_err(db::<DB>("reading credit check feedback of a period"))?;
        Ok(rows
            .into_iter()
            .map(|(department, subject, applied)| PeriodFeedback {
                department,
                subject,
                applied,
            })
            .collect())
    }
}
