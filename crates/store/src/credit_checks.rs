//! Credit checks and their feedback (migration 9): every credit check
//! (信用核查, PRODUCT.md C10) answered, with who asked, when, in which
//! scenario and the answer as returned; and the departments' reports (反馈)
//! of the measures they applied and the outcome. Both tables are
//! append-only.

use sqlx::{AssertSqlSafe, Decode, Encode, Executor, FromRow, IntoArguments, Pool, Type};

use crate::StoreError;
use crate::codec;
use crate::shared::{Db, Dialect, db};

/// Most rows one listing returns.
pub const MAX_CHECK_PAGE: u32 = 1_000;

/// A credit check to log.
#[derive(Debug, Clone)]
pub struct NewCreditCheck<'a> {
    pub subject: &'a str,
    pub scenario: &'a str,
    pub matter: Option<&'a str>,
    /// `YYYY-MM-DD`.
    pub as_of: &'a str,
    pub checked_by: &'a str,
    pub role: &'a str,
    pub department: Option<&'a str>,
    /// The batch check it belongs to, if any.
    pub batch: Option<&'a str>,
    /// The answer as returned (JSON text).
    pub answer: &'a str,
}

/// A logged credit check.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredCreditCheck {
    pub id: i64,
    pub subject: String,
    pub scenario: String,
    pub matter: Option<String>,
    pub as_of: String,
    pub checked_by: String,
    pub role: String,
    pub department: Option<String>,
    pub batch: Option<String>,
    /// JSON text of the answer.
    pub answer: String,
    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    pub at: String,
}

/// Feedback to store.
#[derive(Debug, Clone)]
pub struct NewFeedback<'a> {
    pub check_id: i64,
    pub department: &'a str,
    /// JSON array of the measure ids applied.
    pub applied: &'a str,
    pub outcome: &'a str,
    pub reported_by: &'a str,
    pub role: &'a str,
}

/// Stored feedback.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredFeedback {
    pub id: i64,
    pub check_id: i64,
    pub department: String,
    /// JSON array text.
    pub applied: String,
    pub outcome: String,
    pub reported_by: String,
    pub role: String,
    pub at: String,
}

/// Which feedback to list (newest first).
#[derive(Debug, Clone, Default)]
pub struct FeedbackFilter {
    /// Only feedback on these checks.
    pub check_ids: Option<Vec<i64>>,
    pub department: Option<String>,
    /// Only feedback with a smaller id (paging).
    pub before: Option<i64>,
    /// At most this many (1 to [`MAX_CHECK_PAGE`]).
    pub limit: u32,
}

/// Which checks to list (newest first).
#[derive(Debug, Clone, Default)]
pub struct CheckFilter {
    pub subject: Option<String>,
    pub department: Option<String>,
    pub batch: Option<String>,
    /// Only checks asked by this account.
    pub checked_by: Option<String>,
    /// Only checks with a smaller id (paging).
    pub before: Option<i64>,
    pub limit: u32,
}

pub(crate) type CheckRow = (
    i64,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
);

pub(crate) type FeedbackRow = (i64, i64, String, String, String, String, String, String);

fn check_of(r: CheckRow) -> StoredCreditCheck {
    StoredCreditCheck {
        id: r.0,
        subject: r.1,
        scenario: r.2,
        matter: r.3,
        as_of: r.4,
        checked_by: r.5,
        role: r.6,
        department: r.7,
        batch: r.8,
        answer: r.9,
        at: r.10,
    }
}

fn feedback_of(r: FeedbackRow) -> StoredFeedback {
    StoredFeedback {
        id: r.0,
        check_id: r.1,
        department: r.2,
        applied: r.3,
        outcome: r.4,
        reported_by: r.5,
        role: r.6,
        at: r.7,
    }
}

fn not_blank(fields: &[(&str, &str)]) -> Result<(), StoreError> {
    for (name, v) in fields {
        if v.trim().is_empty() {
            return Err(StoreError::Invalid(format!("{name}: must not be empty")));
        }
    }
    Ok(())
}

impl<DB> Db<DB>
where
    DB: Dialect,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'c> &'c Pool<DB>: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB> + Decode<'q, DB>,
    for<'q> Option<String>: Encode<'q, DB> + Type<DB> + Decode<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB> + Decode<'q, DB>,
    for<'q> Option<i64>: Encode<'q, DB> + Type<DB> + Decode<'q, DB>,
    for<'r> CheckRow: FromRow<'r, DB::Row>,
    for<'r> FeedbackRow: FromRow<'r, DB::Row>,
    for<'r> (i64,): FromRow<'r, DB::Row>,
    for<'r> (Option<String>, String, i64): FromRow<'r, DB::Row>,
{
    fn check_columns() -> String {
        format!(
            "id, subject, scenario, matter, as_of, checked_by, role, department, batch, answer, {}",
            DB::timestamp("at")
        )
    }

    fn feedback_columns() -> String {
        format!(
            "id, check_id, department, applied, outcome, reported_by, role, {}",
            DB::timestamp("at")
        )
    }

    /// Log credit checks (one transaction); their ids in order.
    pub async fn insert_credit_checks(
        &self,
        checks: &[NewCreditCheck<'_>],
    ) -> Result<Vec<i64>, StoreError> {
        for c in checks {
            not_blank(&[
                ("subject", c.subject),
                ("scenario", c.scenario),
                ("as_of", c.as_of),
                ("checked_by", c.checked_by),
                ("role", c.role),
                ("answer", c.answer),
            ])?;
        }
        const CTX: &str = "logging a credit check";
        let now = codec::rfc3339(codec::now());
        let sql = format!(
            "INSERT INTO credit_checks (subject, scenario, matter, as_of, checked_by, role, \
               department, batch, answer, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, {}) RETURNING id",
            DB::timestamp_param(10)
        );
        let mut tx = DB::begin_write(&self.writer, CTX).await?;
        let mut ids = Vec::with_capacity(checks.len());
        for c in checks {
            let id: i64 = sqlx::query_scalar(AssertSqlSafe(sql.clone()))
                .bind(c.subject)
                .bind(c.scenario)
                .bind(c.matter.map(str::to_owned))
                .bind(c.as_of)
                .bind(c.checked_by)
                .bind(c.role)
                .bind(c.department.map(str::to_owned))
                .bind(c.batch.map(str::to_owned))
                .bind(c.answer)
                .bind(now.as_str())
                .fetch_one(&mut *tx)
                .await
                .map_err(db::<DB>(CTX))?;
            ids.push(id);
        }
        tx.commit().await.map_err(db::<DB>(CTX))?;
        Ok(ids)
    }

    /// One logged check.
    pub async fn credit_check(&self, id: i64) -> Result<Option<StoredCreditCheck>, StoreError> {
        let row: Option<CheckRow> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {} FROM credit_checks WHERE id = $1",
            Self::check_columns()
        )))
        .bind(id)
        .fetch_optional(&self.writer)
        .await
        .map_err(db::<DB>("reading a credit check"))?;
        Ok(row.map(check_of))
    }

    /// Logged checks, newest first.
    pub async fn credit_checks(
        &self,
        f: &CheckFilter,
    ) -> Result<Vec<StoredCreditCheck>, StoreError> {
        let sql = format!(
            "SELECT {} FROM credit_checks WHERE ({} IS NULL OR subject = $1) \
               AND ({} IS NULL OR department = $2) AND ({} IS NULL OR batch = $3) \
               AND ({} IS NULL OR id < $4) AND ({} IS NULL OR checked_by = $5) \
             ORDER BY id DESC LIMIT $6",
            Self::check_columns(),
            DB::cast("$1", "text"),
            DB::cast("$2", "text"),
            DB::cast("$3", "text"),
            DB::cast("$4", "int8"),
            DB::cast("$5", "text"),
        );
        let rows: Vec<CheckRow> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(f.subject.clone())
            .bind(f.department.clone())
            .bind(f.batch.clone())
            .bind(f.before)
            .bind(f.checked_by.clone())
            .bind(i64::from(f.limit.clamp(1, MAX_CHECK_PAGE)))
            .fetch_all(&self.reader)
            .await
            .map_err(db::<DB>("listing credit checks"))?;
        Ok(rows.into_iter().map(check_of).collect())
    }

    /// Store feedback on a check; `None` when the check does not exist.
    pub async fn insert_feedback(
        &self,
        f: &NewFeedback<'_>,
    ) -> Result<Option<StoredFeedback>, StoreError> {
        not_blank(&[
            ("department", f.department),
            ("applied", f.applied),
            ("outcome", f.outcome),
            ("reported_by", f.reported_by),
            ("role", f.role),
        ])?;
        const CTX: &str = "storing credit check feedback";
        if self.credit_check(f.check_id).await?.is_none() {
            return Ok(None);
        }
        let now = codec::rfc3339(codec::now());
        let sql = format!(
            "INSERT INTO credit_check_feedback (check_id, department, applied, outcome, \
               reported_by, role, at) VALUES ($1, $2, $3, $4, $5, $6, {}) RETURNING id",
            DB::timestamp_param(7)
        );
        let id: i64 = sqlx::query_scalar(AssertSqlSafe(sql))
            .bind(f.check_id)
            .bind(f.department)
            .bind(f.applied)
            .bind(f.outcome)
            .bind(f.reported_by)
            .bind(f.role)
            .bind(now.as_str())
            .fetch_one(&self.writer)
            .await
            .map_err(db::<DB>(CTX))?;
        let row: FeedbackRow = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {} FROM credit_check_feedback WHERE id = $1",
            Self::feedback_columns()
        )))
        .bind(id)
        .fetch_one(&self.writer)
        .await
        .map_err(db::<DB>(CTX))?;
        Ok(Some(feedback_of(row)))
    }

    /// Feedback matching `f`, newest first.
    pub async fn feedback(&self, f: &FeedbackFilter) -> Result<Vec<StoredFeedback>, StoreError> {
        let mut sql = format!(
            "SELECT {} FROM credit_check_feedback WHERE ({} IS NULL OR department = $1) \
               AND ({} IS NULL OR id < $2)",
            Self::feedback_columns(),
            DB::cast("$1", "text"),
            DB::cast("$2", "int8"),
        );
        if let Some(ids) = &f.check_ids {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            // Ids are integers: written into the statement, not bound.
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            sql.push_str(&format!(" AND check_id IN ({})", list.join(", ")));
        }
        sql.push_str(" ORDER BY id DESC LIMIT $3");
        let rows: Vec<FeedbackRow> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(f.department.clone())
            .bind(f.before)
            .bind(i64::from(f.limit.clamp(1, MAX_CHECK_PAGE)))
            .fetch_all(&self.reader)
            .await
            .map_err(db::<DB>("listing credit check feedback"))?;
        Ok(rows.into_iter().map(feedback_of).collect())
    }

    /// Checks logged, by the asking account's department (none first) and
    /// scenario.
    pub async fn credit_check_counts(
        &self,
    ) -> Result<Vec<(Option<String>, String, u64)>, StoreError> {
        let rows: Vec<(Option<String>, String, i64)> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT department, scenario, {} FROM credit_checks GROUP BY department, scenario",
            DB::cast("count(*)", "int8")
        )))
        .fetch_all(&self.reader)
        .await
        .map_err(db::<DB>("counting credit checks"))?;
        // Ordered here: the backends order NULL differently.
        let mut out: Vec<_> = rows
            .into_iter()
            .map(|(d, s, n)| (d, s, codec::to_u64(n)))
            .collect();
        out.sort();
        Ok(out)
    }
}
