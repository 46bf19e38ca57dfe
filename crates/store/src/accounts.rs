//! Accounts, browser sessions, API tokens, login attempts (throttling) and
//! bank authorisations: the store's part of authentication, both backends,
//! written once over the [`Dialect`].
//!
//! Nothing is deleted: disabling an account, ending a session, revoking a
//! token or an authorisation stamps the row (`disabled_at`, `ended_at`,
//! `revoked_at`, with who where it matters). Tokens are stored only as the
//! hex SHA-256 the caller computed; passwords only as the PHC string the
//! caller computed. Every time is given by the caller (the application's
//! clock) and kept to the microsecond.

use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::{
    AssertSqlSafe, Decode, Encode, Executor, FromRow, IntoArguments, Pool, SqlSafeStr, Type,
};

use crate::StoreError;
use crate::codec;
use crate::shared::{Db, Dialect, db};

/// A new account (the password already hashed).
#[derive(Debug, Clone)]
pub struct AccountInsert<'a> {
    pub username: &'a str,
    /// The role's code (`"admin"`, `"enterprise"`, …).
    pub role: &'a str,
    pub uscc: Option<&'a str>,
    pub department: Option<&'a str>,
    /// An argon2id PHC string.
    pub password_hash: &'a str,
    pub created_by: &'a str,
    pub at: Timestamp,
}

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAccount {
    pub id: i64,
    pub username: String,
    pub role: String,
    pub uscc: Option<String>,
    pub department: Option<String>,
    pub password_hash: String,
    /// RFC 3339, microseconds, UTC.
    pub created_at: String,
    pub created_by: String,
    pub disabled_at: Option<String>,
}

/// A new browser session.
#[derive(Debug, Clone)]
pub struct SessionInsert<'a> {
    pub account: i64,
    /// Hex SHA-256 of the session token.
    pub token_hash: &'a str,
    /// The client's address (kept for the record).
    pub address: &'a str,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// A new API token.
#[derive(Debug, Clone)]
pub struct ApiTokenInsert<'a> {
    pub account: i64,
    /// Hex SHA-256 of the token.
    pub token_hash: &'a str,
    pub label: &'a str,
    pub created_by: &'a str,
    pub at: Timestamp,
}

/// An API token as stored, with its account (never the token's hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredApiToken {
    pub id: i64,
    /// The account's user name and role code.
    pub username: String,
    pub role: String,
    pub label: String,
    /// RFC 3339, microseconds, UTC.
    pub created_at: String,
    pub created_by: String,
    pub revoked_at: Option<String>,
    pub revoked_by: Option<String>,
}

/// `(id, username, role, label, created_at, created_by, revoked_at, revoked_by)`.
pub(crate) type ApiTokenRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

/// What revoking an API token did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    Revoked,
    /// It was revoked before (the first stamp stays).
    AlreadyRevoked,
    NotFound,
}

/// Failed login attempts counted for throttling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoginFailures {
    /// Failures of the user name since the window's start and since its
    /// last successful login.
    pub username: u32,
    /// Failures from the address since the window's start.
    pub address: u32,
}

/// An enterprise's authorisation of a bank.
#[derive(Debug, Clone)]
pub struct BankGrant<'a> {
    pub uscc: &'a str,
    /// The bank's code (its accounts' `department`).
    pub bank: &'a str,
    /// Last day (inclusive) on which the bank may query.
    pub valid_until: Date,
    pub granted_by: &'a str,
    pub at: Timestamp,
}

/// `(id, username, role, uscc, department, password_hash, created_at,
/// created_by, disabled_at)`.
pub(crate) type AccountRow = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
);

fn account_from_row(r: AccountRow) -> StoredAccount {
    StoredAccount {
        id: r.0,
        username: r.1,
        role: r.2,
        uscc: r.3,
        department: r.4,
        password_hash: r.5,
        created_at: r.6,
        created_by: r.7,
        disabled_at: r.8,
    }
}

/// A time as stored: microseconds, RFC 3339 UTC.
pub(crate) fn stamp(ts: Timestamp) -> String {
    let ts = Timestamp::from_microsecond(ts.as_microsecond()).unwrap_or(ts);
    codec::rfc3339(ts)
}

/// The columns of an account, of the table aliased `a`.
fn account_columns<DB: Dialect>() -> String {
    format!(
        "a.id, a.username, a.role, a.uscc, a.department, a.password_hash, {}, a.created_by, {}",
        DB::timestamp("a.created_at"),
        DB::timestamp("a.disabled_at"),
    )
}

fn sql(text: String) -> impl SqlSafeStr {
    AssertSqlSafe(text)
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
    for<'q> bool: Encode<'q, DB> + Type<DB> + Decode<'q, DB>,
    for<'r> AccountRow: FromRow<'r, DB::Row>,
    for<'r> ApiTokenRow: FromRow<'r, DB::Row>,
    for<'r> (i64,): FromRow<'r, DB::Row>,
    for<'r> (i64, i64): FromRow<'r, DB::Row>,
    for<'r> (i64, Option<String>): FromRow<'r, DB::Row>,
    for<'r> (bool,): FromRow<'r, DB::Row>,
{
    /// Insert an account; `None` when the user name is taken (any letter case).
    pub async fn create_account(
        &self,
        a: &AccountInsert<'_>,
    ) -> Result<Option<StoredAccount>, StoreError> {
        const CTX: &str = "creating an account";
        let insert = format!(
            "INSERT INTO accounts (username, role, uscc, department, password_hash, created_at, \
             created_by) VALUES ($1, $2, $3, $4, $5, {}, $7) ON CONFLICT DO NOTHING RETURNING id",
            DB::timestamp_param(6)
        );
        let id: Option<i64> = sqlx::query_scalar(sql(insert))
            .bind(a.username)
            .bind(a.role)
            .bind(a.uscc)
            .bind(a.department)
            .bind(a.password_hash)
            .bind(stamp(a.at))
            .bind(a.created_by)
            .fetch_optional(&self.writer)
            .await
            .map_err(db::<DB>(CTX))?;
        let Some(id) = id else {
            return Ok(None);
        };
        let select = format!(
            "SELECT {} FROM accounts a WHERE a.id = $1",
            account_columns::<DB>()
        );
        let row: AccountRow = sqlx::query_as(sql(select))
            .bind(id)
            .fetch_one(&self.writer)
            .await
            .map_err(db::<DB>(CTX))?;
        Ok(Some(account_from_row(row)))
    }

    /// The account of a user name, in any letter case (disabled ones too).
    pub async fn account_by_username(
        &self,
        username: &str,
    ) -> Result<Option<StoredAccount>, StoreError> {
        let select = format!(
            "SELECT {} FROM accounts a WHERE lower(a.username) = lower($1)",
            account_columns::<DB>()
        );
        let row: Option<AccountRow> = sqlx::query_as(sql(select))
            .bind(username)
            .fetch_optional(&self.reader)
            .await
            .map_err(db::<DB>("reading an account"))?;
        Ok(row.map(account_from_row))
    }

    /// Whether an enabled bank account has the bank code `code`.
    pub async fn enabled_bank_exists(&self, code: &str) -> Result<bool, StoreError> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM accounts \
             WHERE role = 'bank' AND department = $1 AND disabled_at IS NULL LIMIT 1",
        )
        .bind(code)
        .fetch_optional(&self.reader)
        .await
        .map_err(db::<DB>("looking up a bank account"))?;
        Ok(found.is_some())
    }

    /// Every account, by id.
    pub async fn accounts(&self) -> Result<Vec<StoredAccount>, StoreError> {
        let select = format!(
            "SELECT {} FROM accounts a ORDER BY a.id",
            account_columns::<DB>()
        );
        let rows: Vec<AccountRow> = sqlx::query_as(sql(select))
            .fetch_all(&self.reader)
            .await
            .map_err(db::<DB>("listing accounts"))?;
        Ok(rows.into_iter().map(account_from_row).collect())
    }

    /// Stamp an account disabled; `false` when it does not exist or was
    /// disabled before (the first stamp stays).
    pub async fn disable_account(
        &self,
        id: i64,
        by: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let update = format!(
            "UPDATE accounts SET disabled_at = {}, disabled_by = $3 \
             WHERE id = $1 AND disabled_at IS NULL RETURNING id",
            DB::timestamp_param(2)
        );
        let done: Option<i64> = sqlx::query_scalar(sql(update))
            .bind(id)
            .bind(stamp(at))
            .bind(by)
            .fetch_optional(&self.writer)
            .await
            .map_err(db::<DB>("disabling an account"))?;
        Ok(done.is_some())
    }

    pub async fn create_session(&self, s: &SessionInsert<'_>) -> Result<(), StoreError> {
        let insert = format!(
            "INSERT INTO sessions (token_hash, account, address, created_at, expires_at) \
             VALUES ($1, $2, $3, {}, {})",
            DB::timestamp_param(4),
            DB::timestamp_param(5)
        );
        sqlx::query(sql(insert))
            .bind(s.token_hash)
            .bind(s.account)
            .bind(s.address)
            .bind(stamp(s.created_at))
            .bind(stamp(s.expires_at))
            .execute(&self.writer)
            .await
            .map_err(db::<DB>("creating a session"))?;
        Ok(())
    }

    /// Stamp a live session (not ended, not expired at `at`) ended; its
    /// account's id, or `None` when no live session has that token.
    pub async fn end_session(
        &self,
        token_hash: &str,
        at: Timestamp,
    ) -> Result<Option<i64>, StoreError> {
        let update = format!(
            "UPDATE sessions SET ended_at = {t} \
             WHERE token_hash = $1 AND ended_at IS NULL AND expires_at > {t} RETURNING account",
            t = DB::timestamp_param(2)
        );
        sqlx::query_scalar(sql(update))
            .bind(token_hash)
            .bind(stamp(at))
            .fetch_optional(&self.writer)
            .await
            .map_err(db::<DB>("ending a session"))
    }

    /// The enabled account of a live session (one indexed lookup).
    pub async fn session_account(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<StoredAccount>, StoreError> {
        let select = format!(
            "SELECT {} FROM sessions s JOIN accounts a ON a.id = s.account \
             WHERE s.token_hash = $1 AND s.ended_at IS NULL AND s.expires_at > {} \
               AND a.disabled_at IS NULL",
            account_columns::<DB>(),
            DB::timestamp_param(2)
        );
        let row: Option<AccountRow> = sqlx::query_as(sql(select))
            .bind(token_hash)
            .bind(stamp(now))
            .fetch_optional(&self.reader)
            .await
            .map_err(db::<DB>("checking a session"))?;
        Ok(row.map(account_from_row))
    }

    /// Insert an API token; its id.
    pub async fn create_api_token(&self, t: &ApiTokenInsert<'_>) -> Result<i64, StoreError> {
        let insert = format!(
            "INSERT INTO api_tokens (token_hash, account, label, created_at, created_by) \
             VALUES ($1, $2, $3, {}, $5) RETURNING id",
            DB::timestamp_param(4)
        );
        sqlx::query_scalar(sql(insert))
            .bind(t.token_hash)
            .bind(t.account)
            .bind(t.label)
            .bind(stamp(t.at))
            .bind(t.created_by)
            .fetch_one(&self.writer)
            .await
            .map_err(db::<DB>("creating an API token"))
    }

    /// Stamp an API token revoked.
    pub async fn revoke_api_token(
        &self,
        id: i64,
        by: &str,
        at: Timestamp,
    ) -> Result<Revocation, StoreError> {
        const CTX: &str = "revoking an API token";
        let update = format!(
            "UPDATE api_tokens SET revoked_at = {}, revoked_by = $3 \
             WHERE id = $1 AND revoked_at IS NULL RETURNING id",
            DB::timestamp_param(2)
        );
        let done: Option<i64> = sqlx::query_scalar(sql(update))
            .bind(id)
            .bind(stamp(at))
            .bind(by)
            .fetch_optional(&self.writer)
            .await
            .map_err(db::<DB>(CTX))?;
        if done.is_some() {
            return Ok(Revocation::Revoked);
        }
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM api_tokens WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.writer)
            .await
            .map_err(db::<DB>(CTX))?;
        Ok(if exists.is_some() {
            Revocation::AlreadyRevoked
        } else {
            Revocation::NotFound
        })
    }

    /// Every API token, revoked ones included, by id, with its account.
    pub async fn api_tokens(&self) -> Result<Vec<StoredApiToken>, StoreError> {
        let select = format!(
            "SELECT t.id, a.username, a.role, t.label, {}, t.created_by, {}, t.revoked_by \
             FROM api_tokens t JOIN accounts a ON a.id = t.account ORDER BY t.id",
            DB::timestamp("t.created_at"),
            DB::timestamp("t.revoked_at"),
        );
        let rows: Vec<ApiTokenRow> = sqlx::query_as(sql(select))
            .fetch_all(&self.reader)
            .await
            .map_err(db::<DB>("listing API tokens"))?;
        Ok(rows
            .into_iter()
            .map(|r| StoredApiToken {
                id: r.0,
                username: r.1,
                role: r.2,
                label: r.3,
                created_at: r.4,
                created_by: r.5,
                revoked_at: r.6,
                revoked_by: r.7,
            })
            .collect())
    }

    /// The enabled account of an API token not revoked (one indexed lookup).
    pub async fn api_token_account(
        &self,
        token_hash: &str,
    ) -> Result<Option<StoredAccount>, StoreError> {
        let select = format!(
            "SELECT {} FROM api_tokens t JOIN accounts a ON a.id = t.account \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND a.disabled_at IS NULL",
            account_columns::<DB>(),
        );
        let row: Option<AccountRow> = sqlx::query_as(sql(select))
            .bind(token_hash)
            .fetch_optional(&self.reader)
            .await
            .map_err(db::<DB>("checking an API token"))?;
        Ok(row.map(account_from_row))
    }

    /// Record a login attempt (`username` is lower-cased here).
    pub async fn record_login_attempt(
        &self,
        username: &str,
        address: &str,
        success: bool,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let insert = format!(
            "INSERT INTO login_attempts (username, address, at, success) VALUES ($1, $2, {}, $4)",
            DB::timestamp_param(3)
        );
        sqlx::query(sql(insert))
            .bind(username.to_lowercase())
            .bind(address)
            .bind(stamp(at))
            .bind(success)
            .execute(&self.writer)
            .await
            .map_err(db::<DB>("recording a login attempt"))?;
        Ok(())
    }

    /// Failed attempts after `since` (exclusive): of the user name (any
    /// case) and after its last success, and from the address.
    pub async fn login_failures(
        &self,
        username: &str,
        address: &str,
        since: Timestamp,
    ) -> Result<LoginFailures, StoreError> {
        let t = DB::timestamp_param(3);
        let select = format!(
            "SELECT \
               (SELECT count(*) FROM login_attempts f \
                WHERE f.username = $1 AND NOT f.success AND f.at > {t} \
                  AND NOT EXISTS (SELECT 1 FROM login_attempts s \
                                  WHERE s.username = $1 AND s.success AND s.at >= f.at \
                                    AND s.at > {t})), \
               (SELECT count(*) FROM login_attempts \
                WHERE address = $2 AND NOT success AND at > {t})"
        );
        let (by_name, by_address): (i64, i64) = sqlx::query_as(sql(select))
            .bind(username.to_lowercase())
            .bind(address)
            .bind(stamp(since))
            .fetch_one(&self.writer)
            .await
            .map_err(db::<DB>("counting login failures"))?;
        Ok(LoginFailures {
            username: u32::try_from(by_name).unwrap_or(u32::MAX),
            address: u32::try_from(by_address).unwrap_or(u32::MAX),
        })
    }

    /// Record an authorisation; its id.
    pub async fn grant_bank(&self, g: &BankGrant<'_>) -> Result<i64, StoreError> {
        let insert = format!(
            "INSERT INTO bank_authorisations (uscc, bank, granted_at, valid_until, granted_by) \
             VALUES ($1, $2, {}, {}, $5) RETURNING id",
            DB::timestamp_param(3),
            DB::cast(&DB::cast("$4", "text"), "date"),
        );
        sqlx::query_scalar(sql(insert))
            .bind(g.uscc)
            .bind(g.bank)
            .bind(stamp(g.at))
            .bind(g.valid_until.to_string())
            .bind(g.granted_by)
            .fetch_one(&self.writer)
            .await
            .map_err(db::<DB>("recording a bank authorisation"))
    }

    /// Whether an authorisation of `bank` by `uscc`, not revoked, is valid on
    /// `today` (through its `valid_until`).
    pub async fn bank_authorised(
        &self,
        bank: &str,
        uscc: &str,
        today: Date,
    ) -> Result<bool, StoreError> {
        let select = format!(
            "SELECT EXISTS (SELECT 1 FROM bank_authorisations \
             WHERE uscc = $1 AND bank = $2 AND revoked_at IS NULL AND valid_until >= {})",
            DB::cast(&DB::cast("$3", "text"), "date"),
        );
        sqlx::query_scalar(sql(select))
            .bind(uscc)
            .bind(bank)
            .bind(today.to_string())
            .fetch_one(&self.reader)
            .await
            .map_err(db::<DB>("checking a bank authorisation"))
    }
}
