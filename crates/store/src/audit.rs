//! The hash-chained audit log (PRODUCT.md C15), both backends, written once
//! over the [`Dialect`].
//!
//! Entry `seq` (from 1, no gaps) has
//! `hash = hex(SHA-256(prev_hash || canonical JSON of [seq, at, actor, role,
//! action, subject, purpose, detail]))`, where `prev_hash` is the previous
//! entry's hash (64 zeros for the first) and `at` the stored RFC 3339 text
//! (UTC, microseconds). Canonical JSON ([`canonical_json`]) is compact, with
//! object keys sorted by their UTF-8 bytes.
//!
//! Appends are serialised (SQLite `BEGIN IMMEDIATE`; PostgreSQL a
//! transaction-scoped advisory lock of the audit log alone), so the chain
//! never forks. The head (last seq and hash) is kept in the one-row table
//! `audit_head`, written in the same transaction as each entry: a deleted
//! last entry shows as a head that the chain does not reach. This code never
//! updates or deletes an entry.

use jiff::Timestamp;
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::{
    AssertSqlSafe, Decode, Encode, Executor, FromRow, IntoArguments, Pool, SqlSafeStr, Type,
};

use crate::StoreError;
use crate::accounts::stamp;
use crate::shared::{Db, Dialect, db};

/// `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Entries read per statement while verifying or listing.
const PAGE: i64 = 1000;

/// Most entries one listing returns.
pub const MAX_AUDIT_PAGE: u32 = 1000;

/// Deepest nesting of a `detail` (arrays and objects); deeper details are
/// refused (they could not be read back by a JSON parser with a depth limit).
const MAX_DETAIL_DEPTH: usize = 64;

/// An entry to append.
#[derive(Debug, Clone)]
pub struct AuditAppend<'a> {
    /// When (kept to the microsecond).
    pub at: Timestamp,
    pub actor: &'a str,
    /// The actor's role code, or `"operator"` for the command line.
    pub role: &'a str,
    pub action: &'a str,
    pub subject: Option<&'a str>,
    pub purpose: Option<&'a str>,
    pub detail: &'a Value,
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAuditEntry {
    pub seq: i64,
    /// RFC 3339 UTC with microseconds.
    pub at: String,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub subject: Option<String>,
    pub purpose: Option<String>,
    pub detail: Value,
    pub prev_hash: String,
    pub hash: String,
}

/// The result of walking the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditCheck {
    /// Entries present.
    pub entries: i64,
    pub intact: bool,
    /// The seq of the first entry that fails (see [`crate::Store::verify_audit`]).
    pub first_broken: Option<i64>,
}

/// Which entries to list, by ascending seq.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub subject: Option<String>,
    pub actor: Option<String>,
    /// Entries of this action (`account.create`), or of every action of
    /// this area (`account`: `account.create`, `account.disable`, …).
    pub action: Option<String>,
    /// Entries at or after this instant.
    pub from: Option<Timestamp>,
    /// Entries strictly before this instant.
    pub until: Option<Timestamp>,
    /// Entries with a larger seq (0: from the start).
    pub after_seq: i64,
    /// At most this many (capped at [`MAX_AUDIT_PAGE`]).
    pub limit: u32,
}

/// Canonical JSON (compact, object keys sorted by their UTF-8 bytes,
/// numbers by value): the same serialisation as record content hashes.
pub use xinyong_core::json::canonical_string as canonical_json;

fn depth(value: &Value) -> usize {
    match value {
        Value::Object(m) => 1 + m.values().map(depth).max().unwrap_or(0),
        Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// The fields of an entry that its hash covers.
#[derive(Debug, Clone, Copy)]
pub struct AuditContent<'a> {
    pub seq: i64,
    pub at: &'a str,
    pub actor: &'a str,
    pub role: &'a str,
    pub action: &'a str,
    pub subject: Option<&'a str>,
    pub purpose: Option<&'a str>,
    pub detail: &'a Value,
}

/// `hex(SHA-256(prev_hash || canonical JSON of [seq, at, actor, role,
/// action, subject, purpose, detail]))`.
pub fn audit_hash(prev_hash: &str, c: &AuditContent<'_>) -> String {
    let content = Value::Array(vec![
        Value::from(c.seq),
        Value::from(c.at),
        Value::from(c.actor),
        Value::from(c.role),
        Value::from(c.action),
        c.subject.map_or(Value::Null, Value::from),
        c.purpose.map_or(Value::Null, Value::from),
        c.detail.clone(),
    ]);
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(canonical_json(&content).as_bytes());
    hex::encode(h.finalize())
}

/// `(seq, at, actor, role, action, subject, purpose, detail, prev_hash, hash)`.
pub(crate) type AuditRow = (
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
);

fn audit_columns<DB: Dialect>() -> String {
    format!(
        "seq, {}, actor, role, action, subject, purpose, detail, prev_hash, hash",
        DB::timestamp("at")
    )
}

fn sql(text: String) -> impl SqlSafeStr {
    AssertSqlSafe(text)
}

/// The walk of the chain, entry by entry.
struct Walk {
    entries: i64,
    first_broken: Option<i64>,
    /// Seq and stored hash of the last entry seen.
    last: Option<(i64, String)>,
}

impl Walk {
    fn step(&mut self, row: &AuditRow) {
        self.entries += 1;
        let (seq, at, actor, role, action, subject, purpose, detail, prev_hash, hash) = row;
        if self.first_broken.is_none() {
            let (expected_seq, expected_prev) = match &self.last {
                Some((s, h)) => (s + 1, h.as_str()),
                None => (1, GENESIS_HASH),
            };
            let content_ok = serde_json::from_str::<Value>(detail).is_ok_and(|detail| {
                let content = AuditContent {
                    seq: *seq,
                    at,
                    actor,
                    role,
                    action,
                    subject: subject.as_deref(),
                    purpose: purpose.as_deref(),
                    detail: &detail,
                };
                audit_hash(prev_hash, &content) == *hash
            });
            if *seq != expected_seq || prev_hash != expected_prev || !content_ok {
                self.first_broken = Some(*seq);
            }
        }
        self.last = Some((*seq, hash.clone()));
    }

    /// Compare the end of the chain with the head.
    fn finish(mut self, head: Option<(i64, String)>) -> AuditCheck {
        if self.first_broken.is_none() {
            let last_seq = self.last.as_ref().map_or(0, |l| l.0);
            let last_hash = self.last.as_ref().map_or(GENESIS_HASH, |l| l.1.as_str());
            self.first_broken = match head {
                // The head is written with every entry: without it the
                // chain's end cannot be vouched for.
                None => Some(last_seq.max(1)),
                Some((head_seq, head_hash)) => {
                    if head_seq > last_seq {
                        // The last entries were removed: the first missing one.
                        Some(last_seq + 1)
                    } else if head_seq < last_seq {
                        // Entries beyond the head were added outside the writer.
                        Some(head_seq + 1)
                    } else if head_hash != last_hash {
                        Some(last_seq.max(1))
                    } else {
                        None
                    }
                }
            };
        }
        AuditCheck {
            entries: self.entries,
            intact: self.first_broken.is_none(),
            first_broken: self.first_broken,
        }
    }
}

/// Whether an entry's detail may be appended (it nests at most
/// [`MAX_DETAIL_DEPTH`] levels).
pub fn check_audit_detail(detail: &Value) -> Result<(), StoreError> {
    if depth(detail) > MAX_DETAIL_DEPTH {
        return Err(StoreError::Invalid(format!(
            "an audit detail may nest at most {MAX_DETAIL_DEPTH} levels"
        )));
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
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB> + Decode<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB> + Decode<'q, DB>,
    for<'r> AuditRow: FromRow<'r, DB::Row>,
    for<'r> (i64, String): FromRow<'r, DB::Row>,
{
    /// Append entries in order, in one transaction; their seqs. An entry
    /// whose detail nests too deep fails the whole call before anything is
    /// written (see [`check_audit_detail`]).
    pub async fn append_audit(&self, entries: &[AuditAppend<'_>]) -> Result<Vec<i64>, StoreError> {
        const CTX: &str = "appending to the audit log";
        for e in entries {
            check_audit_detail(e.detail)?;
        }
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = DB::begin_audit(&self.writer).await?;
        let conn: &mut DB::Connection = &mut tx;
        let head: Option<(i64, String)> =
            sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
                .fetch_optional(&mut *conn)
                .await
                .map_err(db::<DB>(CTX))?;
        let (mut last_seq, mut prev_hash) = match head {
            Some(h) => h,
            // The head row was removed outside the writer: continue after
            // the last entry (verification reports the missing head until
            // this append restores it).
            None => sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&mut *conn)
                .await
                .map_err(db::<DB>(CTX))?
                .unwrap_or((0, GENESIS_HASH.to_owned())),
        };
        let insert = format!(
            "INSERT INTO audit_log (seq, at, actor, role, action, subject, purpose, detail, \
             prev_hash, hash) VALUES ($1, {}, $3, $4, $5, $6, $7, $8, $9, $10)",
            DB::timestamp_param(2)
        );
        let mut seqs = Vec::with_capacity(entries.len());
        for e in entries {
            let seq = last_seq + 1;
            let at = stamp(e.at);
            let content = AuditContent {
                seq,
                at: &at,
                actor: e.actor,
                role: e.role,
                action: e.action,
                subject: e.subject,
                purpose: e.purpose,
                detail: e.detail,
            };
            let hash = audit_hash(&prev_hash, &content);
            sqlx::query(sql(insert.clone()))
                .bind(seq)
                .bind(at.as_str())
                .bind(e.actor)
                .bind(e.role)
                .bind(e.action)
                .bind(e.subject)
                .bind(e.purpose)
                .bind(canonical_json(e.detail))
                .bind(prev_hash.as_str())
                .bind(hash.as_str())
                .execute(&mut *conn)
                .await
                .map_err(db::<DB>(CTX))?;
            seqs.push(seq);
            last_seq = seq;
            prev_hash = hash;
        }
        sqlx::query(
            "INSERT INTO audit_head (id, seq, hash) VALUES (1, $1, $2) \
             ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
        )
        .bind(last_seq)
        .bind(prev_hash.as_str())
        .execute(&mut *conn)
        .await
        .map_err(db::<DB>(CTX))?;
        tx.commit().await.map_err(db::<DB>(CTX))?;
        Ok(seqs)
    }

    /// Walk the whole chain in seq order, a page at a time, inside one
    /// read-only snapshot (entries appended meanwhile are not seen).
    pub async fn verify_audit(&self) -> Result<AuditCheck, StoreError> {
        const CTX: &str = "verifying the audit log";
        let mut tx = self
            .reader
            .begin_with(DB::BEGIN_SNAPSHOT)
            .await
            .map_err(db::<DB>(CTX))?;
        let conn: &mut DB::Connection = &mut tx;
        let head: Option<(i64, String)> =
            sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
                .fetch_optional(&mut *conn)
                .await
                .map_err(db::<DB>(CTX))?;
        let page = format!(
            "SELECT {} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
            audit_columns::<DB>()
        );
        let mut walk = Walk {
            entries: 0,
            first_broken: None,
            last: None,
        };
        let mut after = i64::MIN;
        loop {
            let rows: Vec<AuditRow> = sqlx::query_as(sql(page.clone()))
                .bind(after)
                .bind(PAGE)
                .fetch_all(&mut *conn)
                .await
                .map_err(db::<DB>(CTX))?;
            for row in &rows {
                walk.step(row);
            }
            match rows.last() {
                Some(last) if rows.len() as i64 == PAGE => after = last.0,
                _ => break,
            }
        }
        tx.commit().await.map_err(db::<DB>(CTX))?;
        Ok(walk.finish(head))
    }

    /// Entries matching `q`, by ascending seq.
    pub async fn audit_entries(&self, q: &AuditQuery) -> Result<Vec<StoredAuditEntry>, StoreError> {
        const CTX: &str = "listing the audit log";
        let limit = q.limit.min(MAX_AUDIT_PAGE);
        if limit == 0 {
            return Ok(Vec::new());
        }
        let mut text = format!(
            "SELECT {} FROM audit_log WHERE seq > $1",
            audit_columns::<DB>()
        );
        let mut n: u8 = 2;
        let mut binds: Vec<String> = Vec::new();
        if let Some(s) = &q.subject {
            text.push_str(&format!(" AND subject = ${n}"));
            binds.push(s.clone());
            n += 1;
        }
        if let Some(a) = &q.actor {
            text.push_str(&format!(" AND actor = ${n}"));
            binds.push(a.clone());
            n += 1;
        }
        if let Some(a) = &q.action {
            // The area's actions: `LIKE 'area.%'`, its wildcards escaped.
            text.push_str(&format!(
                " AND (action = ${n} OR action LIKE ${} ESCAPE '\\')",
                n + 1
            ));
            let escaped: String = a
                .chars()
                .flat_map(|c| match c {
                    '\\' | '%' | '_' => vec!['\\', c],
                    c => vec![c],
                })
                .collect();
            binds.push(a.clone());
            binds.push(format!("{escaped}.%"));
            n += 2;
        }
        if let Some(from) = q.from {
            text.push_str(&format!(" AND at >= {}", DB::timestamp_param(n)));
            binds.push(stamp(from));
            n += 1;
        }
        if let Some(until) = q.until {
            text.push_str(&format!(" AND at < {}", DB::timestamp_param(n)));
            binds.push(stamp(until));
            n += 1;
        }
        text.push_str(&format!(" ORDER BY seq LIMIT ${n}"));
        let mut query = sqlx::query_as::<DB, AuditRow>(sql(text)).bind(q.after_seq);
        for b in binds {
            query = query.bind(b);
        }
        let rows: Vec<AuditRow> = query
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await
            .map_err(db::<DB>(CTX))?;
        rows.into_iter()
            .map(|r| {
                let detail = serde_json::from_str(&r.7)
                    .map_err(|e| crate::codec::corrupt(&format!("audit entry {}", r.0), e))?;
                Ok(StoredAuditEntry {
                    seq: r.0,
                    at: r.1,
                    actor: r.2,
                    role: r.3,
                    action: r.4,
                    subject: r.5,
                    purpose: r.6,
                    detail,
                    prev_hash: r.8,
                    hash: r.9,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_json_sorts_keys_at_every_depth_and_is_compact() {
        let v: Value =
            serde_json::from_str(r#"{"b": 1, "a": {"z": [3, {"y": null, "x": "中"}], "c": true}}"#)
                .unwrap();
        assert_eq!(
            canonical_json(&v),
            r#"{"a":{"c":true,"z":[3,{"x":"中","y":null}]},"b":1}"#
        );
        assert_eq!(canonical_json(&json!("a\"b\n")), r#""a\"b\n""#);
    }

    #[test]
    fn the_hash_covers_every_field_and_the_previous_hash() {
        let detail = json!({"k": 1});
        let base = AuditContent {
            seq: 1,
            at: "2026-01-01T00:00:00.000000Z",
            actor: "admin",
            role: "admin",
            action: "x",
            subject: None,
            purpose: None,
            detail: &detail,
        };
        let h = audit_hash(GENESIS_HASH, &base);
        assert_eq!(h.len(), 64);
        // Known answer: SHA-256 of the zeros followed by the canonical array.
        let mut d = Sha256::new();
        d.update(GENESIS_HASH.as_bytes());
        d.update(br#"[1,"2026-01-01T00:00:00.000000Z","admin","admin","x",null,null,{"k":1}]"#);
        assert_eq!(h, hex::encode(d.finalize()));
        let other = json!({"k": 2});
        let variants = [
            AuditContent { seq: 2, ..base },
            AuditContent {
                at: "2026-01-01T00:00:00.000001Z",
                ..base
            },
            AuditContent { actor: "b", ..base },
            AuditContent {
                role: "auditor",
                ..base
            },
            AuditContent {
                action: "y",
                ..base
            },
            AuditContent {
                subject: Some(""),
                ..base
            },
            AuditContent {
                purpose: Some(""),
                ..base
            },
            AuditContent {
                detail: &other,
                ..base
            },
        ];
        for v in variants {
            assert_ne!(audit_hash(GENESIS_HASH, &v), h, "{v:?}");
        }
        assert_ne!(audit_hash(&"1".repeat(64), &base), h);
    }
}
