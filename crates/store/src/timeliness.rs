//! What the timeliness of a department's submissions is computed from
//! (PRODUCT.md C2, §5: a department records a decision within 7 working
//! days): for every record, the day of its decision (the record's `date`)
//! and when the platform received it (the start of the batch that stored
//! its first version), counted per department, kind, decision day and
//! receipt. Whether a count is on time is the application's business (its
//! working-day calendar); the store only counts.

use serde::Serialize;
use sqlx::{AssertSqlSafe, Decode, Encode, Executor, FromRow, IntoArguments, Pool, Type};

use crate::StoreError;
use crate::codec;
use crate::shared::{Db, Dialect, db};

/// Records first received together: same department, kind, decision day
/// and batch start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receipts {
    /// The department (`source`).
    pub source: String,
    pub kind: String,
    /// The record's `date`, `YYYY-MM-DD`.
    pub decided_on: String,
    /// When the batch that stored the first versions started (RFC 3339,
    /// UTC, microseconds).
    pub received_at: String,
    /// How many records.
    pub records: u64,
}

type ReceiptsRow = (String, String, String, String, i64);

impl<DB> Db<DB>
where
    DB: Dialect,
    for<'c> &'c Pool<DB>: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    for<'q> Option<String>: Encode<'q, DB> + Type<DB> + Decode<'q, DB>,
    for<'r> ReceiptsRow: FromRow<'r, DB::Row>,
{
    pub async fn receipts(&self, source: Option<&str>) -> Result<Vec<Receipts>, StoreError> {
        // Version 1 only: a later version corrects a record already
        // received, it is not the record arriving late.
        let sql = format!(
            "SELECT rv.source, rv.kind, {}, {}, {} \
             FROM record_versions rv JOIN batches b ON b.id = rv.batch \
             WHERE rv.version = 1 AND ({} IS NULL OR rv.source = $1) \
             GROUP BY rv.source, rv.kind, rv.date, b.started_at \
             ORDER BY rv.source, rv.kind, rv.date, b.started_at",
            DB::date("rv.date"),
            DB::timestamp("b.started_at"),
            DB::cast("count(*)", "int8"),
            DB::cast("$1", "text"),
        );
        let rows: Vec<ReceiptsRow> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(source.map(str::to_owned))
            .fetch_all(&self.reader)
            .await
            .map_err(db::<DB>("counting receipts of records"))?;
        Ok(rows
            .into_iter()
            .map(|(source, kind, decided_on, received_at, n)| Receipts {
                source,
                kind,
                decided_on,
                received_at,
                records: codec::to_u64(n),
            })
            .collect())
    }
}
