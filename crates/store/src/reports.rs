//! Issued credit reports (migration 6): every 信用体检报告 the platform
//! issued, with its PDF byte for byte. The table is append-only: a report is
//! inserted once under its number and never changed or deleted; the store
//! computes the SHA-256 of the PDF it keeps, so the hash it answers is the
//! hash of the bytes it answers.

use serde_json::Value;
use sqlx::{AssertSqlSafe, Decode, Encode, Executor, FromRow, IntoArguments, Pool, Type};

use crate::StoreError;
use crate::codec;
use crate::shared::{Db, Dialect, db};

/// The longest report number the store accepts (the platform's are 26
/// characters).
pub const MAX_REPORT_NUMBER_CHARS: usize = 64;

/// A report to record.
#[derive(Debug, Clone, Copy)]
pub struct NewReport<'a> {
    /// The report number (unique; the caller makes it unguessable).
    pub number: &'a str,
    pub uscc: &'a str,
    /// The subject's name as printed on the report.
    pub name: &'a str,
    /// `YYYY-MM-DD`.
    pub issued_on: &'a str,
    /// The comprehensive grade printed on the report, if any.
    pub grade: Option<&'a str>,
    /// The PDF file.
    pub pdf: &'a [u8],
    /// Who issued it (an account's user name).
    pub issued_by: &'a str,
    /// When (kept to the microsecond).
    pub issued_at: jiff::Timestamp,
    /// The data the PDF was typeset from.
    pub data: &'a Value,
}

/// A recorded report (without its PDF: see [`crate::Store::report_pdf`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredReport {
    pub number: String,
    pub uscc: String,
    pub name: String,
    /// `YYYY-MM-DD`.
    pub issued_on: String,
    pub grade: Option<String>,
    /// Hex SHA-256 of the PDF, computed by the store.
    pub sha256: String,
    /// Size of the PDF in bytes.
    pub size: u64,
    pub issued_by: String,
    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    pub issued_at: String,
    /// The data the PDF was typeset from.
    pub data: Value,
}

type ReportRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    i64,
    String,
    String,
    String,
);

/// Hex SHA-256 of `bytes`.
pub fn sha256_bytes_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

fn report_from_row(r: ReportRow) -> Result<StoredReport, StoreError> {
    let data =
        serde_json::from_str(&r.9).map_err(|e| codec::corrupt(&format!("report {}", r.0), e))?;
    Ok(StoredReport {
        number: r.0,
        uscc: r.1,
        name: r.2,
        issued_on: r.3,
        grade: r.4,
        sha256: r.5,
        size: codec::to_u64(r.6),
        issued_by: r.7,
        issued_at: r.8,
        data,
    })
}

fn report_select<DB: Dialect>() -> String {
    format!(
        "SELECT number, uscc, name, {}, grade, sha256, {}, issued_by, {}, data FROM reports",
        DB::date("issued_on"),
        DB::cast("length(pdf)", "int8"),
        DB::timestamp("issued_at"),
    )
}

fn check(r: &NewReport<'_>) -> Result<(), StoreError> {
    for (field, value) in [
        ("number", r.number),
        ("uscc", r.uscc),
        ("name", r.name),
        ("issued_by", r.issued_by),
    ] {
        if value.trim().is_empty() {
            return Err(StoreError::Invalid(format!("{field}: must not be empty")));
        }
    }
    if r.number.chars().count() > MAX_REPORT_NUMBER_CHARS {
        return Err(StoreError::Invalid(format!(
            "number: longer than {MAX_REPORT_NUMBER_CHARS} characters"
        )));
    }
    // `YYYY-MM-DD` only: dates order as their texts in SQLite.
    let canonical = codec::parse_date(r.issued_on, "issued_on").map(|d| d.to_string());
    if canonical.ok().as_deref() != Some(r.issued_on) {
        return Err(StoreError::Invalid(format!(
            "issued_on: not a YYYY-MM-DD date: {:?}",
            r.issued_on
        )));
    }
    if r.pdf.is_empty() {
        return Err(StoreError::Invalid("pdf: empty".into()));
    }
    Ok(())
}

impl<DB> Db<DB>
where
    DB: Dialect,
    for<'c> &'c Pool<DB>: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> &'q [u8]: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB> + Decode<'q, DB>,
    for<'q> Option<String>: Encode<'q, DB> + Type<DB> + Decode<'q, DB>,
    for<'q> Vec<u8>: Decode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB> + Decode<'q, DB>,
    for<'r> ReportRow: FromRow<'r, DB::Row>,
    for<'r> (i64,): FromRow<'r, DB::Row>,
    for<'r> (Vec<u8>,): FromRow<'r, DB::Row>,
{
    pub async fn insert_report(
        &self,
        r: &NewReport<'_>,
    ) -> Result<Option<StoredReport>, StoreError> {
        check(r)?;
        let sha256 = sha256_bytes_hex(r.pdf);
        let issued_at =
            jiff::Timestamp::from_microsecond(r.issued_at.as_microsecond()).unwrap_or(r.issued_at);
        let data = r.data.to_string();
        let insert = format!(
            "INSERT INTO reports (number, uscc, name, issued_on, grade, sha256, pdf, issued_by, \
                                  issued_at, data) \
             VALUES ($1, $2, $3, {}, $5, $6, $7, $8, {}, $10) \
             ON CONFLICT (number) DO NOTHING RETURNING {}",
            DB::cast(&DB::cast("$4", "text"), "date"),
            DB::timestamp_param(9),
            DB::cast("1", "int8"),
        );
        let done: Option<(i64,)> = sqlx::query_as(AssertSqlSafe(insert))
            .bind(r.number)
            .bind(r.uscc)
            .bind(r.name)
            .bind(r.issued_on)
            .bind(r.grade.map(str::to_owned))
            .bind(sha256.as_str())
            .bind(r.pdf)
            .bind(r.issued_by)
            .bind(codec::rfc3339(issued_at))
            .bind(data)
            .fetch_optional(&self.writer)
            .await
            .map_err(db::<DB>("recording a report"))?;
        if done.is_none() {
            return Ok(None);
        }
        self.report_on(&self.writer, r.number).await
    }

    async fn report_on(
        &self,
        pool: &Pool<DB>,
        number: &str,
    ) -> Result<Option<StoredReport>, StoreError> {
        let row: Option<ReportRow> = sqlx::query_as(AssertSqlSafe(format!(
            "{} WHERE number = $1",
            report_select::<DB>()
        )))
        .bind(number)
        .fetch_optional(pool)
        .await
        .map_err(db::<DB>("reading a report"))?;
        row.map(report_from_row).transpose()
    }

    pub async fn report(&self, number: &str) -> Result<Option<StoredReport>, StoreError> {
        self.report_on(&self.reader, number).await
    }

    pub async fn report_pdf(&self, number: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let row: Option<(Vec<u8>,)> = sqlx::query_as("SELECT pdf FROM reports WHERE number = $1")
            .bind(number)
            .fetch_optional(&self.reader)
            .await
            .map_err(db::<DB>("reading a report's PDF"))?;
        Ok(row.map(|r| r.0))
    }

    pub async fn subject_reports(
        &self,
        uscc: &str,
        limit: u32,
    ) -> Result<Vec<StoredReport>, StoreError> {
        let rows: Vec<ReportRow> = sqlx::query_as(AssertSqlSafe(format!(
            "{} WHERE uscc = $1 ORDER BY issued_at DESC, number DESC LIMIT $2",
            report_select::<DB>()
        )))
        .bind(uscc)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await
        .map_err(db::<DB>("listing a subject's reports"))?;
        rows.into_iter().map(report_from_row).collect()
    }
}
