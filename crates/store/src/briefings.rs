//! The credit office's briefings (工作简报, migration 12) and what only a
//! briefing reads: the current records of one kind (the government
//! dishonesty ledger, read by its kind code) and the subjects per region.
//! Briefings are append-only: a briefing and its files are inserted once;
//! a re-issue is a new briefing with the next number of its year.

use sqlx::{AssertSqlSafe, Decode, Encode, Executor, FromRow, IntoArguments, Pool, Type};

use crate::codec::{self, RecordRow};
use crate::reports::sha256_bytes_hex;
use crate::shared::{Db, Dialect, db};
use crate::{StoreError, StoredRecord};

/// A file of a briefing to store.
#[derive(Debug, Clone, Copy)]
pub struct NewBriefingFile<'a> {
    /// `pdf`, `xlsx` or `docx`.
    pub format: &'a str,
    pub body: &'a [u8],
}

/// A briefing to store as issue `issue` of `year` (see
/// [`crate::Store::next_briefing_issue`]).
#[derive(Debug, Clone)]
pub struct NewBriefing<'a> {
    /// The year of the issue day (numbers run per year).
    pub year: i32,
    pub issue: i64,
    /// `YYYY-MM` or `YYYY-Qn`.
    pub period: &'a str,
    /// `YYYY-MM-DD`.
    pub issued_on: &'a str,
    pub generated_by: &'a str,
    /// JSON of the hand-written sections.
    pub manual: &'a str,
    /// JSON of the data the files were made from.
    pub data: &'a str,
    pub files: &'a [NewBriefingFile<'a>],
}

/// A stored file's description.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BriefingFile {
    pub format: String,
    pub sha256: String,
    pub bytes: u64,
}

/// A stored briefing (without its files' bodies).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredBriefing {
    pub id: i64,
    pub year: i64,
    pub issue: i64,
    /// `2026年第11期`.
    pub number: String,
    pub period: String,
    pub issued_on: String,
    pub generated_by: String,
    pub generated_at: String,
    pub manual: String,
    pub data: String,
    pub files: Vec<BriefingFile>,
}

type BriefingRow = (
    i64,
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
);
type FileRow = (i64, String, String, i64);

/// The number of issue `issue` of `year`.
pub fn briefing_number(year: i64, issue: i64) -> String {
    format!("{year}年第{issue}期")
}

/// The text of JSON field `key` of the text column `column`.
fn json_field<DB: Dialect>(column: &str, key: &str) -> String {
    if DB::BACKEND == "PostgreSQL" {
        format!("(({column})::jsonb ->> '{key}')")
    } else {
        format!("json_extract({column}, '$.{key}')")
    }
}

impl<DB> Db<DB>
where
    DB: Dialect,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'c> &'c Pool<DB>: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> &'q [u8]: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB> + Decode<'q, DB>,
    for<'q> Option<String>: Encode<'q, DB> + Type<DB> + Decode<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB> + Decode<'q, DB>,
    for<'q> Option<i64>: Encode<'q, DB> + Type<DB>,
    for<'q> Vec<u8>: Decode<'q, DB> + Type<DB>,
    for<'r> BriefingRow: FromRow<'r, DB::Row>,
    for<'r> FileRow: FromRow<'r, DB::Row>,
    for<'r> RecordRow: FromRow<'r, DB::Row>,
    for<'r> (Option<String>, i64): FromRow<'r, DB::Row>,
    for<'r> (i64,): FromRow<'r, DB::Row>,
    for<'r> (Vec<u8>,): FromRow<'r, DB::Row>,
    for<'r> (String,): FromRow<'r, DB::Row>,
{
    pub async fn records_of_kind(&self, kind: &str) -> Result<Vec<StoredRecord>, StoreError> {
        // The kind as a literal, not a parameter: a plan made for the
        // literal can use the partial index of its kind (migration 14).
        if kind.is_empty() || !kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            return Err(StoreError::Invalid(format!("not a record kind: {kind:?}")));
        }
        let sql = DB::queries()
            .records_of_kind
            .replace("$1", &format!("'{kind}'"));
        let rows: Vec<RecordRow> = sqlx::query_as(AssertSqlSafe(sql))
            .fetch_all(&self.reader)
            .await
            .map_err(db::<DB>("reading the current records of a kind"))?;
        rows.into_iter().map(codec::record_from_row).collect()
    }

    pub async fn subjects_with_record_of_years(
        &self,
        kind: &str,
        years: &[i32],
    ) -> Result<Vec<String>, StoreError> {
        if kind.is_empty() || !kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            return Err(StoreError::Invalid(format!("not a record kind: {kind:?}")));
        }
        if years.is_empty() {
            return Ok(Vec::new());
        }
        // Years compared as texts: a value that is no number matches none
        // and fails no cast.
        // (`->>` gives PostgreSQL's texts; SQLite's `json_extract` gives
        // an integer, and a boolean as 1 or 0.)
        let field = json_field::<DB>("rv.body", "year");
        let withdrawn = json_field::<DB>("rv.body", "withdrawn");
        let (year, truth) = if DB::BACKEND == "PostgreSQL" {
            (field, "'true'")
        } else {
            (format!("CAST({field} AS TEXT)"), "1")
        };
        let listed: Vec<String> = years.iter().map(|y| format!("'{y}'")).collect();
        let sql = format!(
            "SELECT DISTINCT rv.subject FROM record_versions rv \
             WHERE rv.kind = '{kind}' \
             AND NOT EXISTS (SELECT 1 FROM record_supersessions s WHERE s.old_seq = rv.seq) \
             AND {year} IN ({}) \
             AND ({withdrawn} IS NULL OR {withdrawn} <> {truth}) \
             ORDER BY rv.subject",
            listed.join(", ")
        );
        let rows: Vec<(String,)> = sqlx::query_as(AssertSqlSafe(sql))
            .fetch_all(&self.reader)
            .await
            .map_err(db::<DB>(
                "reading the subjects with a record of given years",
            ))?;
        Ok(rows.into_iter().map(|(s,)| s).collect())
    }

    pub async fn subjects_by_region(&self) -> Result<Vec<(Option<String>, u64)>, StoreError> {
        let region = json_field::<DB>("sv.body", "region");
        let sql = format!(
            "SELECT {region}, {} FROM subject_versions sv \
             WHERE NOT EXISTS (SELECT 1 FROM subject_supersessions s WHERE s.old_seq = sv.seq) \
             GROUP BY {region}",
            DB::cast("count(*)", "int8")
        );
        let rows: Vec<(Option<String>, i64)> = sqlx::query_as(AssertSqlSafe(sql))
            .fetch_all(&self.reader)
            .await
            .map_err(db::<DB>("counting subjects by region"))?;
        let mut out: Vec<(Option<String>, u64)> = rows
            .into_iter()
            .map(|(r, n)| (r, codec::to_u64(n)))
            .collect();
        out.sort();
        Ok(out)
    }

    pub async fn next_briefing_issue(&self, year: i32) -> Result<i64, StoreError> {
        let last: (i64,) = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {} FROM briefings WHERE year = $1",
            DB::cast("COALESCE(MAX(issue), 0)", "int8")
        )))
        .bind(i64::from(year))
        .fetch_one(&self.writer)
        .await
        .map_err(db::<DB>("numbering a briefing"))?;
        Ok(last.0 + 1)
    }

    pub async fn insert_briefing(
        &self,
        b: &NewBriefing<'_>,
    ) -> Result<Option<StoredBriefing>, StoreError> {
        const CTX: &str = "storing a briefing";
        for (field, v) in [
            ("period", b.period),
            ("issued_on", b.issued_on),
            ("generated_by", b.generated_by),
        ] {
            if v.trim().is_empty() {
                return Err(StoreError::Invalid(format!("{field}: must not be empty")));
            }
        }
        let canonical = codec::parse_date(b.issued_on, "issued_on").map(|d| d.to_string());
        if canonical.ok().as_deref() != Some(b.issued_on) {
            return Err(StoreError::Invalid(format!(
                "issued_on: not a YYYY-MM-DD date: {:?}",
                b.issued_on
            )));
        }
        if b.issue < 1 {
            return Err(StoreError::Invalid("issue: must be at least 1".into()));
        }
        for f in b.files {
            if f.body.is_empty() {
                return Err(StoreError::Invalid(format!("{}: empty file", f.format)));
            }
        }
        let year = i64::from(b.year);
        let issue = b.issue;
        let number = briefing_number(year, issue);
        let mut tx = DB::begin_write(&self.writer, CTX).await?;
        let now = codec::rfc3339(codec::now());
        let insert = format!(
            "INSERT INTO briefings (year, issue, number, period, issued_on, generated_by, \
               generated_at, manual, data) VALUES ($1, $2, $3, $4, {}, $6, {}, $8, $9) \
             ON CONFLICT DO NOTHING RETURNING id",
            DB::cast(&DB::cast("$5", "text"), "date"),
            DB::timestamp_param(7),
        );
        let inserted: Option<(i64,)> = sqlx::query_as(AssertSqlSafe(insert))
            .bind(year)
            .bind(issue)
            .bind(number.as_str())
            .bind(b.period)
            .bind(b.issued_on)
            .bind(b.generated_by)
            .bind(now.as_str())
            .bind(b.manual)
            .bind(b.data)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db::<DB>(CTX))?;
        // The number was taken meanwhile: nothing written.
        let Some((id,)) = inserted else {
            return Ok(None);
        };
        for f in b.files {
            sqlx::query(
                "INSERT INTO briefing_files (briefing, format, sha256, body) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(f.format)
            .bind(sha256_bytes_hex(f.body))
            .bind(f.body)
            .execute(&mut *tx)
            .await
            .map_err(db::<DB>(CTX))?;
        }
        tx.commit().await.map_err(db::<DB>(CTX))?;
        let stored = self.briefings_where(&self.writer, Some(id), 1).await?.pop();
        stored.map(Some).ok_or_else(|| StoreError::Corrupt {
            context: CTX.into(),
            detail: format!("briefing {id} not found after it was stored"),
        })
    }

    async fn briefings_where(
        &self,
        pool: &Pool<DB>,
        id: Option<i64>,
        limit: u32,
    ) -> Result<Vec<StoredBriefing>, StoreError> {
        let sql = format!(
            "SELECT id, year, issue, number, period, {}, generated_by, {}, manual, data \
             FROM briefings WHERE ({} IS NULL OR id = $1) ORDER BY id DESC LIMIT $2",
            DB::date("issued_on"),
            DB::timestamp("generated_at"),
            DB::cast("$1", "int8"),
        );
        let rows: Vec<BriefingRow> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(id)
            .bind(i64::from(limit.max(1)))
            .fetch_all(pool)
            .await
            .map_err(db::<DB>("listing briefings"))?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let files: Vec<FileRow> = sqlx::query_as(AssertSqlSafe(format!(
                "SELECT briefing, format, sha256, {} FROM briefing_files \
                 WHERE briefing = $1 ORDER BY format",
                DB::cast("length(body)", "int8")
            )))
            .bind(r.0)
            .fetch_all(pool)
            .await
            .map_err(db::<DB>("listing a briefing's files"))?;
            out.push(StoredBriefing {
                id: r.0,
                year: r.1,
                issue: r.2,
                number: r.3,
                period: r.4,
                issued_on: r.5,
                generated_by: r.6,
                generated_at: r.7,
                manual: r.8,
                data: r.9,
                files: files
                    .into_iter()
                    .map(|f| BriefingFile {
                        format: f.1,
                        sha256: f.2,
                        bytes: codec::to_u64(f.3),
                    })
                    .collect(),
            });
        }
        Ok(out)
    }

    pub async fn briefings(&self, limit: u32) -> Result<Vec<StoredBriefing>, StoreError> {
        self.briefings_where(&self.reader, None, limit).await
    }

    pub async fn briefing(&self, id: i64) -> Result<Option<StoredBriefing>, StoreError> {
        Ok(self.briefings_where(&self.reader, Some(id), 1).await?.pop())
    }

    pub async fn briefing_file(
        &self,
        id: i64,
        format: &str,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let row: Option<(Vec<u8>,)> =
            sqlx::query_as("SELECT body FROM briefing_files WHERE briefing = $1 AND format = $2")
                .bind(id)
                .bind(format)
                .fetch_optional(&self.reader)
                .await
                .map_err(db::<DB>("reading a briefing's file"))?;
        Ok(row.map(|r| r.0))
    }
}
