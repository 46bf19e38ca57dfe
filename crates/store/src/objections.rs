//! Objections (异议, PRODUCT.md C8), the minimal part: filing one, deciding
//! one, and which records of a subject are disputed (an objection open).
//!
//! Append-only: an objection row is never changed; its decision is a row of
//! `objection_decisions` (at most one per objection, so a decision is final).
//! An objection is open while it has no decision.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::codec;
use crate::{Backend, Store, StoreError};

/// The grounds of an objection (INTERCHANGE.md §4, `POST /api/v1/objections`).
pub const OBJECTION_GROUNDS: &[&str] = &["error", "omission", "trade_secret", "privacy", "other"];

/// The decisions of an objection (PRODUCT.md C8).
pub const OBJECTION_DECISIONS: &[&str] = &["corrected", "upheld"];

/// An objection to file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewObjection {
    /// The record objected to: `(source, record_id)`.
    pub source: String,
    pub record_id: String,
    /// The subject the record is about.
    pub uscc: String,
    /// One of [`OBJECTION_GROUNDS`].
    pub grounds: String,
    pub statement: String,
    /// Who files it (an account's user name, or `public`).
    pub filed_by: String,
}

/// An objection as filed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Objection {
    pub id: i64,
    pub source: String,
    pub record_id: String,
    pub uscc: String,
    pub grounds: String,
    pub statement: String,
    pub filed_by: String,
    /// RFC 3339, UTC.
    pub filed_at: String,
    /// `open` when filed.
    pub status: String,
}

/// Runs the same statements on either backend; `$ts` is the placeholder of
/// a timestamp parameter in that dialect.
macro_rules! on_backend {
    ($store:expr, |$pool:ident, $ts:ident| $body:expr) => {
        match &$store.backend {
            Backend::Sqlite(sqlite) => {
                let $pool = &sqlite.db.writer;
                let $ts = |n: u8| format!("${n}");
                $body
            }
            Backend::Pg(db) => {
                let $pool = &db.writer;
                let $ts = |n: u8| format!("${n}::text::timestamptz");
                $body
            }
        }
    };
}

fn db_err(store: &Store, context: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    let backend = store.backend_name();
    move |source| StoreError::Database {
        backend,
        context,
        source,
    }
}

impl Store {
    /// File an objection (status `open`). The grounds must be one of
    /// [`OBJECTION_GROUNDS`] and the record's key and subject non-empty;
    /// whether the record exists is the caller's to check.
    pub async fn file_objection(&self, new: &NewObjection) -> Result<Objection, StoreError> {
        if !OBJECTION_GROUNDS.contains(&new.grounds.as_str()) {
            return Err(StoreError::Invalid(format!(
                "grounds {:?} is not one of {}",
                new.grounds,
                OBJECTION_GROUNDS.join(", ")
            )));
        }
        for (name, v) in [
            ("source", &new.source),
            ("record_id", &new.record_id),
            ("uscc", &new.uscc),
            ("filed_by", &new.filed_by),
        ] {
            if v.trim().is_empty() {
                return Err(StoreError::Invalid(format!("{name} is empty")));
            }
        }
        let filed_at = codec::rfc3339(codec::now());
        let id: i64 = on_backend!(self, |pool, ts| {
            let sql = format!(
                "INSERT INTO objections \
                 (source, record_id, uscc, grounds, statement, filed_by, filed_at, status) \
                 VALUES ($1, $2, $3, $4, $5, $6, {}, 'open') RETURNING id",
                ts(7)
            );
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .bind(new.source.as_str())
                .bind(new.record_id.as_str())
                .bind(new.uscc.as_str())
                .bind(new.grounds.as_str())
                .bind(new.statement.as_str())
                .bind(new.filed_by.as_str())
                .bind(filed_at.as_str())
                .fetch_one(pool)
                .await
                .map_err(db_err(self, "filing an objection"))?
        });
        Ok(Objection {
            id,
            source: new.source.clone(),
            record_id: new.record_id.clone(),
            uscc: new.uscc.clone(),
            grounds: new.grounds.clone(),
            statement: new.statement.clone(),
            filed_by: new.filed_by.clone(),
            filed_at,
            status: "open".to_owned(),
        })
    }

    /// Decide an open objection (`corrected` or `upheld`, see
    /// [`OBJECTION_DECISIONS`]): appends its decision, after which it is no
    /// longer open. An unknown or already decided objection is
    /// [`StoreError::Invalid`].
    pub async fn decide_objection(
        &self,
        id: i64,
        decision: &str,
        decided_by: &str,
        reason: &str,
    ) -> Result<(), StoreError> {
        if !OBJECTION_DECISIONS.contains(&decision) {
            return Err(StoreError::Invalid(format!(
                "decision {decision:?} is not one of {}",
                OBJECTION_DECISIONS.join(", ")
            )));
        }
        let decided_at = codec::rfc3339(codec::now());
        // Inserts only for an existing objection without a decision.
        let inserted = on_backend!(self, |pool, ts| {
            let sql = format!(
                "INSERT INTO objection_decisions (objection, decision, decided_by, decided_at, reason) \
                 SELECT o.id, $2, $3, {}, $5 FROM objections o \
                 WHERE o.id = $1 AND NOT EXISTS \
                   (SELECT 1 FROM objection_decisions d WHERE d.objection = o.id)",
                ts(4)
            );
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .bind(decision)
                .bind(decided_by)
                .bind(decided_at.as_str())
                .bind(reason)
                .execute(pool)
                .await
                .map_err(db_err(self, "deciding an objection"))?
                .rows_affected()
        });
        if inserted == 0 {
            return Err(StoreError::Invalid(format!(
                "objection {id} does not exist or is already decided"
            )));
        }
        Ok(())
    }

    /// The records `(source, record_id)` of `uscc` with an open objection.
    pub async fn open_objections(
        &self,
        uscc: &str,
    ) -> Result<BTreeSet<(String, String)>, StoreError> {
        // The minimal objections of migration 3, and the objection cases of
        // the workflows (migration 7) while undecided (open or overdue).
        const SQL: &str = "SELECT o.source, o.record_id FROM objections o \
             WHERE o.uscc = $1 AND NOT EXISTS \
               (SELECT 1 FROM objection_decisions d WHERE d.objection = o.id) \
             UNION SELECT c.source, c.record_id FROM workflow_cases c \
             WHERE c.subject = $1 AND c.kind = 'objection' \
               AND c.status IN ('open', 'overdue')";
        let rows: Vec<(String, String)> = match &self.backend {
            Backend::Sqlite(sqlite) => sqlx::query_as(SQL)
                .bind(uscc)
                .fetch_all(&sqlite.db.reader)
                .await
                .map_err(db_err(self, "reading open objections"))?,
            Backend::Pg(db) => sqlx::query_as(SQL)
                .bind(uscc)
                .fetch_all(&db.reader)
                .await
                .map_err(db_err(self, "reading open objections"))?,
        };
        Ok(rows.into_iter().collect())
    }
}
