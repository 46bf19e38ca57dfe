//! Re-evaluation marks (migration 5): how far the stored results take the
//! store's versions into account. Each mark says "every record version up to
//! sequence number R and every subject version up to S is reflected in the
//! stored results"; the subjects of the versions beyond the latest mark are
//! the ones a re-evaluation round must evaluate again. The table is
//! append-only; the latest row is the mark.

use sqlx::{AssertSqlSafe, Decode, Encode, Executor, FromRow, IntoArguments, Pool, Type};

use crate::StoreError;
use crate::codec;
use crate::shared::{Db, Dialect, db};

/// How far the stored results reflect the store.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReevaluationMark {
    /// Every record version with `seq <= through_record_seq` is reflected.
    pub through_record_seq: i64,
    /// Every subject version with `seq <= through_subject_seq` is reflected.
    pub through_subject_seq: i64,
    /// The run of the latest mark (none when nothing needed re-evaluating).
    pub run_id: Option<String>,
    /// Subjects the latest mark's run re-evaluated.
    pub subjects: u64,
    /// When the latest mark was recorded, `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    pub marked_at: String,
}

type MarkRow = (i64, i64, Option<String>, i64, String);

impl<DB> Db<DB>
where
    DB: Dialect,
    for<'c> &'c Pool<DB>: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB> + Decode<'q, DB>,
    for<'q> Option<String>: Encode<'q, DB> + Type<DB> + Decode<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB> + Decode<'q, DB>,
    for<'r> MarkRow: FromRow<'r, DB::Row>,
    for<'r> (String,): FromRow<'r, DB::Row>,
{
    pub async fn reevaluation_mark(&self) -> Result<Option<ReevaluationMark>, StoreError> {
        let row: Option<MarkRow> = sqlx::query_as(AssertSqlSafe(format!(
            // Each mark was true when written, so the highest of each number
            // holds; the latest row tells the run and the time.
            "SELECT (SELECT max(through_record_seq) FROM reevaluation_marks), \
                    (SELECT max(through_subject_seq) FROM reevaluation_marks), \
                    run_id, {}, {} \
             FROM reevaluation_marks ORDER BY id DESC LIMIT 1",
            DB::cast("subjects", "int8"),
            DB::timestamp("marked_at"),
        )))
        .fetch_optional(&self.reader)
        .await
        .map_err(db::<DB>("reading the re-evaluation mark"))?;
        Ok(row.map(|r| ReevaluationMark {
            through_record_seq: r.0,
            through_subject_seq: r.1,
            run_id: r.2,
            subjects: codec::to_u64(r.3),
            marked_at: r.4,
        }))
    }

    pub async fn add_reevaluation_mark(
        &self,
        through_record_seq: i64,
        through_subject_seq: i64,
        run_id: Option<&str>,
        subjects: u64,
    ) -> Result<(), StoreError> {
        if through_record_seq < 0 || through_subject_seq < 0 {
            return Err(StoreError::Invalid(
                "a re-evaluation mark's sequence numbers are not negative".into(),
            ));
        }
        let now = codec::rfc3339(codec::now());
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO reevaluation_marks \
               (through_record_seq, through_subject_seq, run_id, subjects, marked_at) \
             VALUES ($1, $2, $3, $4, {})",
            DB::timestamp_param(5)
        )))
        .bind(through_record_seq)
        .bind(through_subject_seq)
        .bind(run_id.map(str::to_owned))
        .bind(codec::to_i64(subjects))
        .bind(now)
        .execute(&self.writer)
        .await
        .map_err(db::<DB>("recording a re-evaluation mark"))?;
        Ok(())
    }

    pub async fn touched_subjects(
        &self,
        records: (i64, i64),
        subjects: (i64, i64),
    ) -> Result<Vec<String>, StoreError> {
        // A record's new version may name another subject than the version
        // it supersedes: both subjects are touched.
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT subject FROM record_versions WHERE seq > $1 AND seq <= $2 \
             UNION \
             SELECT r.subject FROM record_supersessions s \
               JOIN record_versions r ON r.seq = s.old_seq \
              WHERE s.new_seq > $1 AND s.new_seq <= $2 \
             UNION \
             SELECT uscc FROM subject_versions WHERE seq > $3 AND seq <= $4 \
             ORDER BY 1",
        )
        .bind(records.0)
        .bind(records.1)
        .bind(subjects.0)
        .bind(subjects.1)
        .fetch_all(&self.reader)
        .await
        .map_err(db::<DB>("listing touched subjects"))?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }
}
