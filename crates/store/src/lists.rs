//! List entries and their lifecycle (migration 9, PRODUCT.md C10): an entry
//! of a list (红名单, 黑名单 …) and its steps — entry, review, notice,
//! publication, removal —, each with its day, actor and reason. Append-only:
//! an entry is inserted once with its first step; every later step is a new
//! row numbered within the entry, stored only when the entry's last step is
//! still the one the caller decided on (`UNIQUE (entry_id, seq)`), so of two
//! clerks acting at once exactly one step is stored. What a step may be is
//! decided by the application (`xinyong-app`'s lists module).

use sqlx::{AssertSqlSafe, Decode, Encode, Executor, FromRow, IntoArguments, Pool, Type};

use crate::StoreError;
use crate::codec;
use crate::shared::{Db, Dialect, db};

/// Most entries one listing returns.
pub const MAX_LIST_PAGE: u32 = 500;

/// Where an entry comes from.
pub const LIST_ORIGINS: &[&str] = &["department", "model"];

/// A list entry to create.
#[derive(Debug, Clone)]
pub struct NewListEntry<'a> {
    pub list: &'a str,
    pub subject: &'a str,
    /// `department` or `model`.
    pub origin: &'a str,
    /// The list's owner.
    pub department: &'a str,
    /// JSON text of the facts behind the entry.
    pub basis: &'a str,
    pub created_by: &'a str,
}

/// One step of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListStep {
    /// 1 for the first step, then the last step's + 1.
    pub seq: i64,
    pub action: String,
    /// The entry's status after the step.
    pub status: String,
    /// `YYYY-MM-DD`.
    pub on_day: String,
    pub notice_until: Option<String>,
    pub actor: String,
    pub role: String,
    pub reason: String,
}

/// A stored step.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredListEvent {
    pub entry_id: i64,
    pub seq: i64,
    pub action: String,
    pub status: String,
    pub on_day: String,
    pub notice_until: Option<String>,
    pub actor: String,
    pub role: String,
    pub reason: String,
    pub at: String,
}

/// A stored entry with its last step.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredListEntry {
    pub id: i64,
    pub list: String,
    pub subject: String,
    pub origin: String,
    pub department: String,
    pub basis: String,
    pub created_by: String,
    /// The last step (its `at` is when the entry reached its status; the
    /// first step's is when it was created).
    pub last: StoredListEvent,
}

/// Which entries to list (newest first).
#[derive(Debug, Clone, Default)]
pub struct ListEntryFilter {
    /// Only these lists (all when empty).
    pub lists: Vec<String>,
    pub subject: Option<String>,
    /// Only entries of these subjects (all when empty).
    pub subjects: Vec<String>,
    /// Only entries whose current status is one of these (all when empty).
    pub statuses: Vec<String>,
    pub department: Option<String>,
    /// Only entries whose last step took effect on or after this day
    /// (`YYYY-MM-DD`).
    pub from_day: Option<String>,
    /// … and on or before this day.
    pub to_day: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

pub(crate) type EntryRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    String,
);

pub(crate) type EventRow = (
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
);

fn entry_of(r: EntryRow) -> StoredListEntry {
    StoredListEntry {
        id: r.0,
        list: r.1,
        subject: r.2,
        origin: r.3,
        department: r.4,
        basis: r.5,
        created_by: r.6,
        last: StoredListEvent {
            entry_id: r.0,
            seq: r.7,
            action: r.8,
            status: r.9,
            on_day: r.10,
            notice_until: r.11,
            actor: r.12,
            role: r.13,
            reason: r.14,
            at: r.15,
        },
    }
}

fn event_of(r: EventRow) -> StoredListEvent {
    StoredListEvent {
        entry_id: r.0,
        seq: r.1,
        action: r.2,
        status: r.3,
        on_day: r.4,
        notice_until: r.5,
        actor: r.6,
        role: r.7,
        reason: r.8,
        at: r.9,
    }
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

fn check_step(s: &ListStep) -> Result<(), StoreError> {
    for (name, v) in [
        ("action", &s.action),
        ("status", &s.status),
        ("on_day", &s.on_day),
        ("actor", &s.actor),
        ("role", &s.role),
        ("reason", &s.reason),
    ] {
        if v.trim().is_empty() {
            return Err(StoreError::Invalid(format!("{name}: must not be empty")));
        }
    }
    std::iter::once(&s.on_day)
        .chain(s.notice_until.as_ref())
        .try_for_each(|d| check_day(d))
}

/// `d` is a `YYYY-MM-DD` date written as such.
fn check_day(d: &str) -> Result<(), StoreError> {
    let canonical = codec::parse_date(d, "list day").map(|d| d.to_string());
    if canonical.ok().as_deref() != Some(d) {
        return Err(StoreError::Invalid(format!("not a YYYY-MM-DD date: {d:?}")));
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
    for<'r> EntryRow: FromRow<'r, DB::Row>,
    for<'r> EventRow: FromRow<'r, DB::Row>,
    for<'r> (i64,): FromRow<'r, DB::Row>,
{
    /// The entries with their last step (a `WHERE` follows).
    fn entry_select() -> String {
        format!(
            "SELECT e.id, e.list, e.subject, e.origin, e.department, e.basis, e.created_by, \
                    v.seq, v.action, v.status, v.on_day, v.notice_until, v.actor, v.role, \
                    v.reason, {} \
             FROM list_entries e JOIN list_events v ON v.entry_id = e.id \
              AND v.seq = (SELECT max(w.seq) FROM list_events w WHERE w.entry_id = e.id)",
            DB::timestamp("v.at"),
        )
    }

    async fn insert_list_event(
        conn: &mut DB::Connection,
        entry_id: i64,
        s: &ListStep,
        now: &str,
    ) -> Result<Result<(), ()>, StoreError> {
        let sql = format!(
            "INSERT INTO list_events (entry_id, seq, action, status, on_day, notice_until, actor, \
               role, reason, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, {})",
            DB::timestamp_param(10)
        );
        let done = sqlx::query(AssertSqlSafe(sql))
            .bind(entry_id)
            .bind(s.seq)
            .bind(s.action.as_str())
            .bind(s.status.as_str())
            .bind(s.on_day.as_str())
            .bind(s.notice_until.clone())
            .bind(s.actor.as_str())
            .bind(s.role.as_str())
            .bind(s.reason.as_str())
            .bind(now)
            .execute(&mut *conn)
            .await;
        match done {
            Ok(_) => Ok(Ok(())),
            Err(e) if is_unique_violation(&e) => Ok(Err(())),
            Err(e) => Err(db::<DB>("storing a list step")(e)),
        }
    }

    /// Create an entry with its first step (`seq` 1).
    pub async fn create_list_entry(
        &self,
        new: &NewListEntry<'_>,
        first: &ListStep,
    ) -> Result<StoredListEntry, StoreError> {
        if !LIST_ORIGINS.contains(&new.origin) {
            return Err(StoreError::Invalid(format!(
                "origin {:?} is not one of {}",
                new.origin,
                LIST_ORIGINS.join(", ")
            )));
        }
        for (name, v) in [
            ("list", new.list),
            ("subject", new.subject),
            ("department", new.department),
            ("basis", new.basis),
            ("created_by", new.created_by),
        ] {
            if v.trim().is_empty() {
                return Err(StoreError::Invalid(format!("{name}: must not be empty")));
            }
        }
        if first.seq != 1 {
            return Err(StoreError::Invalid(
                "the first step of a list entry has seq 1".into(),
            ));
        }
        check_step(first)?;
        const CTX: &str = "creating a list entry";
        let now = codec::rfc3339(codec::now());
        let mut tx = DB::begin_write(&self.writer, CTX).await?;
        let sql = format!(
            "INSERT INTO list_entries (list, subject, origin, department, basis, created_by, \
               created_at) VALUES ($1, $2, $3, $4, $5, $6, {}) RETURNING id",
            DB::timestamp_param(7)
        );
        let id: i64 = sqlx::query_scalar(AssertSqlSafe(sql))
            .bind(new.list)
            .bind(new.subject)
            .bind(new.origin)
            .bind(new.department)
            .bind(new.basis)
            .bind(new.created_by)
            .bind(now.as_str())
            .fetch_one(&mut *tx)
            .await
            .map_err(db::<DB>(CTX))?;
        if Self::insert_list_event(&mut tx, id, first, &now)
            .await?
            .is_err()
        {
            return Err(StoreError::Invalid(format!(
                "list entry {id} already has a first step"
            )));
        }
        tx.commit().await.map_err(db::<DB>(CTX))?;
        self.list_entry_on(&self.writer, id)
            .await?
            .ok_or_else(|| StoreError::Corrupt {
                context: CTX.into(),
                detail: format!("list entry {id} not found after it was stored"),
            })
    }

    /// Append step `s` to entry `entry_id` when its last step is `s.seq - 1`;
    /// `Ok(None)` when another step got there first (or the entry does not
    /// exist: the caller read it before).
    pub async fn append_list_step(
        &self,
        entry_id: i64,
        s: &ListStep,
    ) -> Result<Option<StoredListEntry>, StoreError> {
        check_step(s)?;
        if s.seq < 2 {
            return Err(StoreError::Invalid(
                "a later step of a list entry has seq 2 or more".into(),
            ));
        }
        const CTX: &str = "appending a list step";
        let now = codec::rfc3339(codec::now());
        let mut tx = DB::begin_write(&self.writer, CTX).await?;
        let last: Option<(i64,)> = sqlx::query_as(
            "SELECT seq FROM list_events WHERE entry_id = $1 ORDER BY seq DESC LIMIT 1",
        )
        .bind(entry_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db::<DB>(CTX))?;
        if last.map(|r| r.0) != Some(s.seq - 1) {
            return Ok(None);
        }
        if Self::insert_list_event(&mut tx, entry_id, s, &now)
            .await?
            .is_err()
        {
            return Ok(None);
        }
        tx.commit().await.map_err(db::<DB>(CTX))?;
        self.list_entry_on(&self.writer, entry_id).await
    }

    async fn list_entry_on(
        &self,
        pool: &Pool<DB>,
        id: i64,
    ) -> Result<Option<StoredListEntry>, StoreError> {
        let row: Option<EntryRow> = sqlx::query_as(AssertSqlSafe(format!(
            "{} WHERE e.id = $1",
            Self::entry_select()
        )))
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(db::<DB>("reading a list entry"))?;
        Ok(row.map(entry_of))
    }

    /// One entry with its last step.
    pub async fn list_entry(&self, id: i64) -> Result<Option<StoredListEntry>, StoreError> {
        self.list_entry_on(&self.writer, id).await
    }

    /// Every step of an entry, in order.
    pub async fn list_events(&self, entry_id: i64) -> Result<Vec<StoredListEvent>, StoreError> {
        let rows: Vec<EventRow> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT entry_id, seq, action, status, on_day, notice_until, actor, role, reason, {} \
             FROM list_events WHERE entry_id = $1 ORDER BY seq",
            DB::timestamp("at")
        )))
        .bind(entry_id)
        .fetch_all(&self.writer)
        .await
        .map_err(db::<DB>("reading list steps"))?;
        Ok(rows.into_iter().map(event_of).collect())
    }

    /// Entries matching `f`, ordered by their last step's day, newest first,
    /// and the number of all matching entries (for paging).
    pub async fn list_entries(
        &self,
        f: &ListEntryFilter,
    ) -> Result<(Vec<StoredListEntry>, u64), StoreError> {
        // Lists and statuses are catalogue words checked by the caller; they
        // are bound one by one all the same.
        f.from_day
            .iter()
            .chain(&f.to_day)
            .try_for_each(|d| check_day(d))?;
        let mut cond = format!(
            " WHERE ({} IS NULL OR e.subject = $1) AND ({} IS NULL OR e.department = $2) \
               AND ({} IS NULL OR v.on_day >= $3) AND ({} IS NULL OR v.on_day <= $4)",
            DB::cast("$1", "text"),
            DB::cast("$2", "text"),
            DB::cast("$3", "text"),
            DB::cast("$4", "text"),
        );
        let mut n = 4;
        let mut texts: Vec<&str> = Vec::new();
        for (column, values) in [
            ("e.list", &f.lists),
            ("v.status", &f.statuses),
            ("e.subject", &f.subjects),
        ] {
            if values.is_empty() {
                continue;
            }
            let marks: Vec<String> = values
                .iter()
                .map(|v| {
                    n += 1;
                    texts.push(v.as_str());
                    format!("${n}")
                })
                .collect();
            cond.push_str(&format!(" AND {column} IN ({})", marks.join(", ")));
        }
        let count_sql = format!(
            "SELECT {} FROM list_entries e JOIN list_events v ON v.entry_id = e.id \
              AND v.seq = (SELECT max(w.seq) FROM list_events w WHERE w.entry_id = e.id){cond}",
            DB::cast("count(*)", "int8")
        );
        let mut q = sqlx::query_as::<_, (i64,)>(AssertSqlSafe(count_sql))
            .bind(f.subject.clone())
            .bind(f.department.clone())
            .bind(f.from_day.clone())
            .bind(f.to_day.clone());
        for t in &texts {
            q = q.bind(*t);
        }
        let (total,) = q
            .fetch_one(&self.reader)
            .await
            .map_err(db::<DB>("counting list entries"))?;
        let sql = format!(
            "{}{cond} ORDER BY v.on_day DESC, e.id DESC LIMIT ${} OFFSET ${}",
            Self::entry_select(),
            n + 1,
            n + 2
        );
        let mut q = sqlx::query_as::<_, EntryRow>(AssertSqlSafe(sql))
            .bind(f.subject.clone())
            .bind(f.department.clone())
            .bind(f.from_day.clone())
            .bind(f.to_day.clone());
        for t in &texts {
            q = q.bind(*t);
        }
        let rows = q
            .bind(i64::from(f.limit.clamp(1, MAX_LIST_PAGE)))
            .bind(i64::from(f.offset))
            .fetch_all(&self.reader)
            .await
            .map_err(db::<DB>("listing list entries"))?;
        Ok((
            rows.into_iter().map(entry_of).collect(),
            codec::to_u64(total),
        ))
    }
}
