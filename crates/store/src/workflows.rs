//! Workflow cases (migration 7): objections, credit repair and commitments
//! (docs/WORKFLOWS.md). What a case *is* (states, allowed steps, deadlines)
//! is `xinyong-workflow`'s; the store keeps its events append-only, the
//! current state beside them, the record versions still to write and the
//! outbox of partner notifications.
//!
//! * [`Db::open_case`] stores a case with its first event (seq 1).
//! * [`Db::append_case_event`] stores event `seq` of a case only when the
//!   case's last event is `seq - 1`: read and written in one transaction
//!   under the store's write lock, and backed by `UNIQUE (case_id, seq)`, so
//!   of two decisions taken at once exactly one is stored; the other gets
//!   `Ok(None)` (the application answers 409 `conflict`). The event's
//!   outbox notifications are inserted in the same transaction.
//! * A record version the event asks for (`record_write`) is written by the
//!   caller through [`Store::write_chunk`](crate::Store::write_chunk) after
//!   the event commits (the chunk writer owns its transaction), then
//!   [`Db::mark_record_written`]; [`Db::pending_record_writes`] lists the
//!   events whose write never finished (a crash between the two), which the
//!   application retries idempotently.

use sqlx::{AssertSqlSafe, Decode, Encode, Executor, FromRow, IntoArguments, Pool, Type};

use crate::StoreError;
use crate::codec;
use crate::shared::{Db, Dialect, db};

/// The kinds of cases.
pub const CASE_KINDS: &[&str] = &["objection", "repair", "commitment", "gov_claim"];

/// A case to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    /// `objection`, `repair` or `commitment`.
    pub kind: String,
    /// The subject's USCC.
    pub subject: String,
    /// The record concerned.
    pub source: String,
    pub record_id: String,
    /// The department that must act (the record's `source`).
    pub department: String,
    /// Who opened it (an account's user name, or `public`) and in which role.
    pub filed_by: String,
    pub filer_role: String,
    /// The day it was opened (YYYY-MM-DD, China Standard Time).
    pub opened_on: String,
}

/// A notification of a partner, put in the outbox with an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    /// `bank` or `department`.
    pub partner_kind: String,
    /// The bank's or department's code.
    pub partner_id: String,
    /// JSON text.
    pub payload: String,
}

/// One event of a case, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseEvent {
    /// Its number within the case (1 for the event that opens it).
    pub seq: i64,
    /// JSON of the workflow event and its kind's name.
    pub event: String,
    pub event_kind: String,
    /// JSON of the state it produced, that state's name, and the deadline in
    /// force in it (YYYY-MM-DD).
    pub state: String,
    pub status: String,
    pub deadline: Option<String>,
    /// Whether the state is final (no event applies any more).
    pub closed: bool,
    /// JSON array of the effects.
    pub effects: String,
    pub actor: String,
    pub role: String,
    /// The day of the event (YYYY-MM-DD).
    pub on_day: String,
    pub reasons: String,
    /// JSON array.
    pub evidence: String,
    /// JSON body of the record version to write, if the event writes one.
    pub record_write: Option<String>,
    /// The record's version the body was made from.
    pub base_version: Option<i64>,
    pub notifications: Vec<NewNotification>,
}

/// A case as stored, with its current state.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredCase {
    pub id: i64,
    pub kind: String,
    pub subject: String,
    pub source: String,
    pub record_id: String,
    pub department: String,
    pub filed_by: String,
    pub filer_role: String,
    pub opened_on: String,
    /// RFC 3339.
    pub opened_at: String,
    /// JSON of the current state.
    pub state: String,
    pub status: String,
    pub deadline: Option<String>,
    pub closed: bool,
    pub last_seq: i64,
}

/// An event as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredCaseEvent {
    pub id: i64,
    pub case_id: i64,
    pub seq: i64,
    pub event: String,
    pub event_kind: String,
    pub status: String,
    pub deadline: Option<String>,
    pub effects: String,
    pub actor: String,
    pub role: String,
    pub on_day: String,
    /// RFC 3339.
    pub at: String,
    pub reasons: String,
    pub evidence: String,
}

/// Which cases to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    pub kind: Option<String>,
    /// Every kind but this one.
    pub not_kind: Option<String>,
    pub subject: Option<String>,
    pub department: Option<String>,
    /// Only cases not closed.
    pub open_only: bool,
    /// Only cases whose deadline is before this day (YYYY-MM-DD): with
    /// `open_only`, the overdue ones.
    pub deadline_before: Option<String>,
    /// At most this many (0: no limit).
    pub limit: u32,
    /// Skip this many first (only with a `limit`).
    pub offset: u32,
}

/// A parameter of a case filter.
enum CaseParam {
    Text(String),
    Flag(bool),
}

/// A record version an event asked for that was not marked written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRecordWrite {
    pub event_id: i64,
    pub case_id: i64,
    pub source: String,
    pub record_id: String,
    /// JSON body.
    pub body: String,
    pub base_version: Option<i64>,
    pub actor: String,
    pub reasons: String,
}

/// A notification in the outbox, with its delivery so far.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OutboxEntry {
    pub id: i64,
    pub case_id: i64,
    pub event_id: i64,
    pub partner_kind: String,
    pub partner_id: String,
    /// JSON text.
    pub payload: String,
    /// RFC 3339.
    pub created_at: String,
    /// Delivery attempts made.
    pub attempts: i64,
    /// The error of the last failed attempt, if the last one failed.
    pub last_error: Option<String>,
    /// When it was delivered (RFC 3339), if it was.
    pub delivered_at: Option<String>,
}

type CaseRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    bool,
    i64,
);

type EventRow = (
    i64,
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
);

type PendingRow = (
    i64,
    i64,
    String,
    String,
    String,
    Option<i64>,
    String,
    String,
);

type OutboxRow = (
    i64,
    i64,
    i64,
    String,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
);

fn case_of(r: CaseRow) -> StoredCase {
    StoredCase {
        id: r.0,
        kind: r.1,
        subject: r.2,
        source: r.3,
        record_id: r.4,
        department: r.5,
        filed_by: r.6,
        filer_role: r.7,
        opened_on: r.8,
        opened_at: r.9,
        state: r.10,
        status: r.11,
        deadline: r.12,
        closed: r.13,
        last_seq: r.14,
    }
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
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
    for<'q> bool: Encode<'q, DB> + Type<DB> + Decode<'q, DB>,
    for<'r> CaseRow: FromRow<'r, DB::Row>,
    for<'r> EventRow: FromRow<'r, DB::Row>,
    for<'r> PendingRow: FromRow<'r, DB::Row>,
    for<'r> OutboxRow: FromRow<'r, DB::Row>,
    for<'r> (i64,): FromRow<'r, DB::Row>,
{
    fn case_columns() -> String {
        format!(
            "id, kind, subject, source, record_id, department, filed_by, filer_role, \
             opened_on, {}, state, status, deadline, closed, last_seq",
            DB::timestamp("opened_at")
        )
    }

    /// Insert event `e` of case `case_id` and its notifications.
    async fn insert_event(
        conn: &mut DB::Connection,
        case_id: i64,
        e: &CaseEvent,
        now: &str,
    ) -> Result<Result<i64, ()>, StoreError> {
        let sql = format!(
            "INSERT INTO workflow_events (case_id, seq, event, event_kind, state, status, \
               deadline, effects, actor, role, on_day, at, reasons, evidence, record_write, \
               base_version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, {}, $13, $14, $15, $16) \
             RETURNING id",
            DB::timestamp_param(12)
        );
        let inserted: Result<i64, sqlx::Error> = sqlx::query_scalar(AssertSqlSafe(sql))
            .bind(case_id)
            .bind(e.seq)
            .bind(e.event.as_str())
            .bind(e.event_kind.as_str())
            .bind(e.state.as_str())
            .bind(e.status.as_str())
            .bind(e.deadline.clone())
            .bind(e.effects.as_str())
            .bind(e.actor.as_str())
            .bind(e.role.as_str())
            .bind(e.on_day.as_str())
            .bind(now)
            .bind(e.reasons.as_str())
            .bind(e.evidence.as_str())
            .bind(e.record_write.clone())
            .bind(e.base_version)
            .fetch_one(&mut *conn)
            .await;
        let event_id = match inserted {
            Ok(id) => id,
            Err(err) if is_unique_violation(&err) => return Ok(Err(())),
            Err(err) => return Err(db::<DB>("storing a workflow event")(err)),
        };
        for n in &e.notifications {
            let sql = format!(
                "INSERT INTO outbox (case_id, event_id, partner_kind, partner_id, payload, \
                   created_at) VALUES ($1, $2, $3, $4, $5, {}) \
                 ON CONFLICT (event_id, partner_kind, partner_id) DO NOTHING",
                DB::timestamp_param(6)
            );
            sqlx::query(AssertSqlSafe(sql))
                .bind(case_id)
                .bind(event_id)
                .bind(n.partner_kind.as_str())
                .bind(n.partner_id.as_str())
                .bind(n.payload.as_str())
                .bind(now)
                .execute(&mut *conn)
                .await
                .map_err(db::<DB>("putting a notification in the outbox"))?;
        }
        Ok(Ok(event_id))
    }

    /// Open a case with its first event (whose `seq` must be 1). Returns the
    /// case as stored.
    pub async fn open_case(
        &self,
        new: &NewCase,
        first: &CaseEvent,
    ) -> Result<StoredCase, StoreError> {
        if !CASE_KINDS.contains(&new.kind.as_str()) {
            return Err(StoreError::Invalid(format!(
                "case kind {:?} is not one of {}",
                new.kind,
                CASE_KINDS.join(", ")
            )));
        }
        if first.seq != 1 {
            return Err(StoreError::Invalid(
                "the first event of a case has seq 1".into(),
            ));
        }
        for (name, v) in [
            ("subject", &new.subject),
            ("source", &new.source),
            ("record_id", &new.record_id),
            ("department", &new.department),
            ("filed_by", &new.filed_by),
        ] {
            if v.trim().is_empty() {
                return Err(StoreError::Invalid(format!("{name} is empty")));
            }
        }
        const CTX: &str = "opening a workflow case";
        let mut tx = DB::begin_write(&self.writer, CTX).await?;
        let now = codec::rfc3339(codec::now());
        let sql = format!(
            "INSERT INTO workflow_cases (kind, subject, source, record_id, department, filed_by, \
               filer_role, opened_on, opened_at, state, status, deadline, closed, last_seq) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, {}, $10, $11, $12, $13, 1) RETURNING id",
            DB::timestamp_param(9)
        );
        let id: i64 = sqlx::query_scalar(AssertSqlSafe(sql))
            .bind(new.kind.as_str())
            .bind(new.subject.as_str())
            .bind(new.source.as_str())
            .bind(new.record_id.as_str())
            .bind(new.department.as_str())
            .bind(new.filed_by.as_str())
            .bind(new.filer_role.as_str())
            .bind(new.opened_on.as_str())
            .bind(now.as_str())
            .bind(first.state.as_str())
            .bind(first.status.as_str())
            .bind(first.deadline.clone())
            .bind(first.closed)
            .fetch_one(&mut *tx)
            .await
            .map_err(db::<DB>(CTX))?;
        if Self::insert_event(&mut tx, id, first, &now).await?.is_err() {
            return Err(StoreError::Invalid(format!(
                "case {id} already has a first event"
            )));
        }
        tx.commit().await.map_err(db::<DB>(CTX))?;
        self.case(id).await?.ok_or_else(|| StoreError::Corrupt {
            context: CTX.into(),
            detail: format!("case {id} not found after it was stored"),
        })
    }

    /// Append event `e` (number `e.seq`) to case `case_id` if its last
    /// event is `e.seq - 1`, and make its state the case's. `Ok(None)` when
    /// another event got there first (the caller's view is stale); the event
    /// id otherwise. An unknown case is [`StoreError::Invalid`].
    pub async fn append_case_event(
        &self,
        case_id: i64,
        e: &CaseEvent,
    ) -> Result<Option<i64>, StoreError> {
        const CTX: &str = "storing a workflow event";
        let mut tx = DB::begin_write(&self.writer, CTX).await?;
        let now = codec::rfc3339(codec::now());
        let last: Option<(i64,)> =
            sqlx::query_as("SELECT last_seq FROM workflow_cases WHERE id = $1")
                .bind(case_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db::<DB>(CTX))?;
        let Some((last,)) = last else {
            return Err(StoreError::Invalid(format!(
                "case {case_id} does not exist"
            )));
        };
        if last + 1 != e.seq {
            return Ok(None);
        }
        let Ok(event_id) = Self::insert_event(&mut tx, case_id, e, &now).await? else {
            return Ok(None);
        };
        // The last event was read under the write lock above, and the
        // event's UNIQUE (case_id, seq) stands behind it.
        sqlx::query(
            "UPDATE workflow_cases SET state = $1, status = $2, deadline = $3, closed = $4, \
               last_seq = $5 WHERE id = $6 AND last_seq = $7",
        )
        .bind(e.state.as_str())
        .bind(e.status.as_str())
        .bind(e.deadline.clone())
        .bind(e.closed)
        .bind(e.seq)
        .bind(case_id)
        .bind(last)
        .execute(&mut *tx)
        .await
        .map_err(db::<DB>(CTX))?;
        tx.commit().await.map_err(db::<DB>(CTX))?;
        Ok(Some(event_id))
    }

    pub async fn case(&self, id: i64) -> Result<Option<StoredCase>, StoreError> {
        let sql = format!(
            "SELECT {} FROM workflow_cases WHERE id = $1",
            Self::case_columns()
        );
        let row: Option<CaseRow> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.reader)
            .await
            .map_err(db::<DB>("reading a workflow case"))?;
        Ok(row.map(case_of))
    }

    /// Cases matching `f`, the earliest deadline first (cases without one
    /// last), then by id.
    pub async fn cases(&self, f: &CaseFilter) -> Result<Vec<StoredCase>, StoreError> {
        let (filter, params) = Self::case_filter_sql(f);
        let mut sql = format!(
            "SELECT {} FROM workflow_cases WHERE {filter}",
            Self::case_columns(),
        );
        sql.push_str(" ORDER BY CASE WHEN deadline IS NULL THEN 1 ELSE 0 END, deadline, id");
        if f.limit > 0 {
            sql.push_str(&format!(" LIMIT {}", f.limit));
            if f.offset > 0 {
                sql.push_str(&format!(" OFFSET {}", f.offset));
            }
        }
        let rows: Vec<CaseRow> = Self::bind_case_filter(sqlx::query_as(AssertSqlSafe(sql)), params)
            .fetch_all(&self.reader)
            .await
            .map_err(db::<DB>("listing workflow cases"))?;
        Ok(rows.into_iter().map(case_of).collect())
    }

    /// How many cases `f` selects (its `limit` and `offset` aside).
    pub async fn count_cases(&self, f: &CaseFilter) -> Result<u64, StoreError> {
        let (filter, params) = Self::case_filter_sql(f);
        let sql = format!("SELECT COUNT(*) FROM workflow_cases WHERE {filter}");
        let (n,): (i64,) = Self::bind_case_filter(sqlx::query_as(AssertSqlSafe(sql)), params)
            .fetch_one(&self.reader)
            .await
            .map_err(db::<DB>("counting workflow cases"))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The WHERE clause of `f` with only the conditions it sets (an unset
    /// filter written as `$n = '' OR …` would keep SQLite from using the
    /// `(department, closed, deadline)` and `(subject, kind)` indexes), and
    /// the values of its parameters, in order.
    fn case_filter_sql(f: &CaseFilter) -> (String, Vec<CaseParam>) {
        let mut conditions: Vec<String> = Vec::new();
        let mut params: Vec<CaseParam> = Vec::new();
        let mut text = |condition: &str, value: &Option<String>| {
            if let Some(v) = value {
                params.push(CaseParam::Text(v.clone()));
                conditions.push(condition.replace('?', &format!("${}", params.len())));
            }
        };
        text("kind = ?", &f.kind);
        text("subject = ?", &f.subject);
        text("department = ?", &f.department);
        text("deadline IS NOT NULL AND deadline < ?", &f.deadline_before);
        text("kind <> ?", &f.not_kind);
        if f.open_only {
            params.push(CaseParam::Flag(false));
            conditions.push(format!("closed = ${}", params.len()));
        }
        let sql = if conditions.is_empty() {
            "1 = 1".to_owned()
        } else {
            conditions.join(" AND ")
        };
        (sql, params)
    }

    fn bind_case_filter<'q, O>(
        mut q: sqlx::query::QueryAs<'q, DB, O, <DB as sqlx::Database>::Arguments>,
        params: Vec<CaseParam>,
    ) -> sqlx::query::QueryAs<'q, DB, O, <DB as sqlx::Database>::Arguments> {
        for p in params {
            q = match p {
                CaseParam::Text(v) => q.bind(v),
                CaseParam::Flag(b) => q.bind(b),
            };
        }
        q
    }

    /// Every event of a case, in order.
    pub async fn case_events(&self, case_id: i64) -> Result<Vec<StoredCaseEvent>, StoreError> {
        let sql = format!(
            "SELECT id, case_id, seq, event, event_kind, status, deadline, effects, actor, \
               role, on_day, {}, reasons, evidence \
             FROM workflow_events WHERE case_id = $1 ORDER BY seq",
            DB::timestamp("at")
        );
        let rows: Vec<EventRow> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(case_id)
            .fetch_all(&self.reader)
            .await
            .map_err(db::<DB>("reading workflow events"))?;
        Ok(rows
            .into_iter()
            .map(|r| StoredCaseEvent {
                id: r.0,
                case_id: r.1,
                seq: r.2,
                event: r.3,
                event_kind: r.4,
                status: r.5,
                deadline: r.6,
                effects: r.7,
                actor: r.8,
                role: r.9,
                on_day: r.10,
                at: r.11,
                reasons: r.12,
                evidence: r.13,
            })
            .collect())
    }

    /// The record versions events asked for that were not marked written,
    /// oldest first.
    pub async fn pending_record_writes(&self) -> Result<Vec<PendingRecordWrite>, StoreError> {
        let rows: Vec<PendingRow> = sqlx::query_as(
            "SELECT e.id, e.case_id, c.source, c.record_id, e.record_write, e.base_version, \
               e.actor, e.reasons \
             FROM workflow_events e JOIN workflow_cases c ON c.id = e.case_id \
             WHERE e.record_write IS NOT NULL AND NOT EXISTS \
               (SELECT 1 FROM workflow_record_writes w WHERE w.event_id = e.id) \
             ORDER BY e.id",
        )
        .fetch_all(&self.reader)
        .await
        .map_err(db::<DB>("listing pending record writes"))?;
        Ok(rows
            .into_iter()
            .map(|r| PendingRecordWrite {
                event_id: r.0,
                case_id: r.1,
                source: r.2,
                record_id: r.3,
                body: r.4,
                base_version: r.5,
                actor: r.6,
                reasons: r.7,
            })
            .collect())
    }

    /// Say that the record version of event `event_id` is written (as the
    /// version of sequence number `record_seq`, or none when it was
    /// unchanged or already superseded). Idempotent.
    pub async fn mark_record_written(
        &self,
        event_id: i64,
        record_seq: Option<i64>,
    ) -> Result<(), StoreError> {
        let now = codec::rfc3339(codec::now());
        let sql = format!(
            "INSERT INTO workflow_record_writes (event_id, record_seq, written_at) \
             VALUES ($1, $2, {}) ON CONFLICT (event_id) DO NOTHING",
            DB::timestamp_param(3)
        );
        sqlx::query(AssertSqlSafe(sql))
            .bind(event_id)
            .bind(record_seq)
            .bind(now)
            .execute(&self.writer)
            .await
            .map_err(db::<DB>("marking a record version written"))?;
        Ok(())
    }

    /// The outbox, newest first, with each notification's delivery so far.
    pub async fn outbox(
        &self,
        pending_only: bool,
        partner: Option<(&str, &str)>,
        limit: u32,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut sql = format!(
            "SELECT o.id, o.case_id, o.event_id, o.partner_kind, o.partner_id, o.payload, {}, \
               (SELECT count(*) FROM outbox_attempts a WHERE a.notification = o.id), \
               (SELECT a.error FROM outbox_attempts a WHERE a.notification = o.id \
                  ORDER BY a.attempt DESC LIMIT 1), \
               (SELECT {} FROM outbox_attempts a WHERE a.notification = o.id \
                  AND a.delivered = $1 ORDER BY a.attempt LIMIT 1) \
             FROM outbox o \
             WHERE ($2 = '' OR (o.partner_kind = $2 AND o.partner_id = $3))",
            DB::timestamp("o.created_at"),
            DB::timestamp("a.at"),
        );
        if pending_only {
            sql.push_str(
                " AND NOT EXISTS (SELECT 1 FROM outbox_attempts a \
                   WHERE a.notification = o.id AND a.delivered = $1)",
            );
        }
        sql.push_str(" ORDER BY o.id DESC");
        if limit > 0 {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        let (kind, id) = partner.unwrap_or(("", ""));
        let rows: Vec<OutboxRow> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(true)
            .bind(kind.to_owned())
            .bind(id.to_owned())
            .fetch_all(&self.reader)
            .await
            .map_err(db::<DB>("reading the outbox"))?;
        Ok(rows
            .into_iter()
            .map(|r| OutboxEntry {
                id: r.0,
                case_id: r.1,
                event_id: r.2,
                partner_kind: r.3,
                partner_id: r.4,
                payload: r.5,
                created_at: r.6,
                attempts: r.7,
                last_error: r.8,
                delivered_at: r.9,
            })
            .collect())
    }

    /// Append a delivery attempt of notification `id` (`error` `None`: it was
    /// delivered). Returns the attempt's number (1, 2, ...).
    pub async fn record_outbox_attempt(
        &self,
        id: i64,
        error: Option<&str>,
    ) -> Result<i64, StoreError> {
        const CTX: &str = "recording a delivery attempt";
        let mut tx = DB::begin_write(&self.writer, CTX).await?;
        let now = codec::rfc3339(codec::now());
        let exists: Option<(i64,)> = sqlx::query_as("SELECT id FROM outbox WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db::<DB>(CTX))?;
        if exists.is_none() {
            return Err(StoreError::Invalid(format!(
                "notification {id} does not exist"
            )));
        }
        let (n,): (i64,) = sqlx::query_as(
            "SELECT coalesce(max(attempt), 0) + 1 FROM outbox_attempts WHERE notification = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .map_err(db::<DB>(CTX))?;
        let sql = format!(
            "INSERT INTO outbox_attempts (notification, attempt, at, delivered, error) \
             VALUES ($1, $2, {}, $4, $5)",
            DB::timestamp_param(3)
        );
        sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .bind(n)
            .bind(now)
            .bind(error.is_none())
            .bind(error.map(str::to_owned))
            .execute(&mut *tx)
            .await
            .map_err(db::<DB>(CTX))?;
        tx.commit().await.map_err(db::<DB>(CTX))?;
        Ok(n)
    }
}
