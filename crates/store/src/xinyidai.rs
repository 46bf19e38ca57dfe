//! 信易贷 (PRODUCT.md C12, migration 11): the monthly recommendation lists
//! sent to banks, the loan outcomes banks report, and the enterprise's side
//! of its bank authorisations (listing them, revoking one).
//!
//! Recommendations and loan outcomes are append-only: a recommendation is
//! inserted once per (month, bank, enterprise) — a second listing of the
//! same enterprise in the same month is ignored — and a loan outcome once
//! per report. Revoking an authorisation stamps `revoked_at` / `revoked_by`
//! of its row of migration 2 (nothing is deleted). Every time is given by
//! the caller (the application's clock) and kept to the microsecond.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use serde_json::Value;
use sqlx::{AssertSqlSafe, Decode, Encode, Executor, FromRow, IntoArguments, Pool, Type};

use crate::StoreError;
use crate::accounts::stamp;
use crate::codec;
use crate::shared::{Db, Dialect, db};

/// A bank authorisation as the enterprise sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredBankGrant {
    pub id: i64,
    pub uscc: String,
    pub bank: String,
    /// RFC 3339 UTC with microseconds.
    pub granted_at: String,
    /// The last day the bank may query (`YYYY-MM-DD`).
    pub valid_until: String,
    pub granted_by: String,
    pub revoked_at: Option<String>,
    pub revoked_by: Option<String>,
}

/// What revoking an authorisation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantRevocation {
    /// Stamped now.
    Revoked,
    /// It had been revoked before (nothing changed).
    AlreadyRevoked,
    /// No authorisation of that id for that enterprise.
    NotFound,
}

/// An enterprise put on a bank's list of a month.
#[derive(Debug, Clone)]
pub struct NewRecommendation<'a> {
    /// `YYYY-MM`.
    pub month: &'a str,
    pub bank: &'a str,
    pub uscc: &'a str,
    pub name: &'a str,
    pub listed_on: Date,
    pub issued_at: Timestamp,
    pub issued_by: &'a str,
    /// What the bank may see of the enterprise.
    pub features: &'a Value,
}

/// A recommendation as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredRecommendation {
    pub id: i64,
    pub month: String,
    pub bank: String,
    pub uscc: String,
    pub name: String,
    /// `YYYY-MM-DD`.
    pub listed_on: String,
    pub issued_at: String,
    pub issued_by: String,
    pub features: Value,
}

/// A loan outcome a bank reports.
#[derive(Debug, Clone)]
pub struct NewLoan<'a> {
    pub bank: &'a str,
    pub uscc: &'a str,
    /// `granted` or `refused`.
    pub outcome: &'a str,
    /// Granted: the amount in fen.
    pub amount_cents: Option<i64>,
    /// Granted: the annual rate in hundredths of a percent.
    pub rate_bp: Option<i64>,
    pub reason: Option<&'a str>,
    pub decided_on: Date,
    pub reported_at: Timestamp,
    pub reported_by: &'a str,
}

/// A loan outcome as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredLoan {
    pub id: i64,
    pub bank: String,
    pub uscc: String,
    pub outcome: String,
    pub amount_cents: Option<i64>,
    pub rate_bp: Option<i64>,
    pub reason: Option<String>,
    /// `YYYY-MM-DD`.
    pub decided_on: String,
    pub reported_at: String,
    pub reported_by: String,
}

/// Per bank and month: enterprises recommended, and the outcomes reported
/// (by the month of their decision).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct XinyidaiMonth {
    pub bank: String,
    /// `YYYY-MM`.
    pub month: String,
    pub recommended: i64,
    pub granted: i64,
    pub granted_cents: i64,
    pub refused: i64,
}

/// The outcomes the store accepts.
pub const LOAN_OUTCOMES: &[&str] = &["granted", "refused"];

pub(crate) type GrantRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);
pub(crate) type RecommendationRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
);
pub(crate) type LoanRow = (
    i64,
    String,
    String,
    String,
    Option<i64>,
    Option<i64>,
    Option<String>,
    String,
    String,
    String,
);

fn grant_of(r: GrantRow) -> StoredBankGrant {
    StoredBankGrant {
        id: r.0,
        uscc: r.1,
        bank: r.2,
        granted_at: r.3,
        valid_until: r.4,
        granted_by: r.5,
        revoked_at: r.6,
        revoked_by: r.7,
    }
}

fn recommendation_of(r: RecommendationRow) -> Result<StoredRecommendation, StoreError> {
    let features = serde_json::from_str(&r.8)
        .map_err(|e| codec::corrupt(&format!("recommendation {}", r.0), e))?;
    Ok(StoredRecommendation {
        id: r.0,
        month: r.1,
        bank: r.2,
        uscc: r.3,
        name: r.4,
        listed_on: r.5,
        issued_at: r.6,
        issued_by: r.7,
        features,
    })
}

fn loan_of(r: LoanRow) -> StoredLoan {
    StoredLoan {
        id: r.0,
        bank: r.1,
        uscc: r.2,
        outcome: r.3,
        amount_cents: r.4,
        rate_bp: r.5,
        reason: r.6,
        decided_on: r.7,
        reported_at: r.8,
        reported_by: r.9,
    }
}

/// `YYYY-MM` with a month 01–12.
pub fn is_month(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 7
        && b[4] == b'-'
        && b[..4].iter().chain(&b[5..]).all(u8::is_ascii_digit)
        && matches!(text[5..].parse::<u8>(), Ok(1..=12))
}

fn not_blank(fields: &[(&str, &str)]) -> Result<(), StoreError> {
    for (name, value) in fields {
        if value.trim().is_empty() {
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
    for<'r> GrantRow: FromRow<'r, DB::Row>,
    for<'r> RecommendationRow: FromRow<'r, DB::Row>,
    for<'r> LoanRow: FromRow<'r, DB::Row>,
    for<'r> (i64,): FromRow<'r, DB::Row>,
    for<'r> (String,): FromRow<'r, DB::Row>,
    for<'r> (String, String, i64): FromRow<'r, DB::Row>,
    for<'r> (String, String, String, i64, i64): FromRow<'r, DB::Row>,
{
    fn grant_columns() -> String {
        format!(
            "id, uscc, bank, {}, {}, granted_by, {}, revoked_by",
            DB::timestamp("granted_at"),
            DB::date("valid_until"),
            DB::timestamp("revoked_at"),
        )
    }

    fn recommendation_columns() -> String {
        format!(
            "id, month, bank, uscc, name, {}, {}, issued_by, features",
            DB::date("listed_on"),
            DB::timestamp("issued_at"),
        )
    }

    fn loan_columns() -> String {
        format!(
            "id, bank, uscc, outcome, amount_cents, rate_bp, reason, {}, {}, reported_by",
            DB::date("decided_on"),
            DB::timestamp("reported_at"),
        )
    }

    /// Every authorisation an enterprise gave, newest first.
    pub async fn bank_grants_of(&self, uscc: &str) -> Result<Vec<StoredBankGrant>, StoreError> {
        let rows: Vec<GrantRow> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {} FROM bank_authorisations WHERE uscc = $1 ORDER BY id DESC",
            Self::grant_columns()
        )))
        .bind(uscc)
        .fetch_all(&self.writer)
        .await
        .map_err(db::<DB>("listing bank authorisations"))?;
        Ok(rows.into_iter().map(grant_of).collect())
    }

    /// Revoke authorisation `id` of `uscc` (stamps it; never deletes).
    pub async fn revoke_bank_grant(
        &self,
        id: i64,
        uscc: &str,
        by: &str,
        at: Timestamp,
    ) -> Result<GrantRevocation, StoreError> {
        const CTX: &str = "revoking a bank authorisation";
        not_blank(&[("uscc", uscc), ("revoked_by", by)])?;
        let update = format!(
            "UPDATE bank_authorisations SET revoked_at = {}, revoked_by = $2 \
             WHERE id = $3 AND uscc = $4 AND revoked_at IS NULL RETURNING id",
            DB::timestamp_param(1)
        );
        let done: Option<(i64,)> = sqlx::query_as(AssertSqlSafe(update))
            .bind(stamp(at))
            .bind(by)
            .bind(id)
            .bind(uscc)
            .fetch_optional(&self.writer)
            .await
            .map_err(db::<DB>(CTX))?;
        if done.is_some() {
            return Ok(GrantRevocation::Revoked);
        }
        let exists: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM bank_authorisations WHERE id = $1 AND uscc = $2")
                .bind(id)
                .bind(uscc)
                .fetch_optional(&self.writer)
                .await
                .map_err(db::<DB>(CTX))?;
        Ok(if exists.is_some() {
            GrantRevocation::AlreadyRevoked
        } else {
            GrantRevocation::NotFound
        })
    }

    /// The codes of the banks with an enabled account, in order.
    pub async fn enabled_banks(&self) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT DISTINCT department FROM accounts \
             WHERE role = 'bank' AND department IS NOT NULL AND disabled_at IS NULL \
             ORDER BY department",
        )
        .fetch_all(&self.writer)
        .await
        .map_err(db::<DB>("listing banks"))?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// The enterprises whose authorisation of `bank` is in force on `today`
    /// (not revoked, `valid_until` on or after it), in order.
    pub async fn authorising_usccs(
        &self,
        bank: &str,
        today: Date,
    ) -> Result<Vec<String>, StoreError> {
        let select = format!(
            "SELECT DISTINCT uscc FROM bank_authorisations \
             WHERE bank = $1 AND revoked_at IS NULL AND valid_until >= {} ORDER BY uscc",
            DB::cast(&DB::cast("$2", "text"), "date"),
        );
        let rows: Vec<(String,)> = sqlx::query_as(AssertSqlSafe(select))
            .bind(bank)
            .bind(today.to_string())
            .fetch_all(&self.writer)
            .await
            .map_err(db::<DB>("listing authorising enterprises"))?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Record recommendations in one transaction; how many were new (an
    /// enterprise already on that bank's list of that month is skipped).
    pub async fn insert_recommendations(
        &self,
        recs: &[NewRecommendation<'_>],
    ) -> Result<u64, StoreError> {
        for r in recs {
            not_blank(&[
                ("bank", r.bank),
                ("uscc", r.uscc),
                ("name", r.name),
                ("issued_by", r.issued_by),
            ])?;
            if !is_month(r.month) {
                return Err(StoreError::Invalid(format!(
                    "month: not YYYY-MM: {:?}",
                    r.month
                )));
            }
        }
        const CTX: &str = "recording recommendations";
        let insert = format!(
            "INSERT INTO xinyidai_recommendations \
               (month, bank, uscc, name, listed_on, issued_at, issued_by, features) \
             VALUES ($1, $2, $3, $4, {}, {}, $7, $8) \
             ON CONFLICT (month, bank, uscc) DO NOTHING RETURNING id",
            DB::cast(&DB::cast("$5", "text"), "date"),
            DB::timestamp_param(6),
        );
        let mut tx = DB::begin_write(&self.writer, CTX).await?;
        let mut new = 0;
        for r in recs {
            let id: Option<(i64,)> = sqlx::query_as(AssertSqlSafe(insert.clone()))
                .bind(r.month)
                .bind(r.bank)
                .bind(r.uscc)
                .bind(r.name)
                .bind(r.listed_on.to_string())
                .bind(stamp(r.issued_at))
                .bind(r.issued_by)
                .bind(r.features.to_string())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db::<DB>(CTX))?;
            new += u64::from(id.is_some());
        }
        tx.commit().await.map_err(db::<DB>(CTX))?;
        Ok(new)
    }

    /// The recommendations of a month (every bank's, or one bank's), by
    /// bank then enterprise.
    pub async fn recommendations(
        &self,
        month: &str,
        bank: Option<&str>,
    ) -> Result<Vec<StoredRecommendation>, StoreError> {
        let select = format!(
            "SELECT {} FROM xinyidai_recommendations \
             WHERE month = $1 AND ({} IS NULL OR bank = $2) ORDER BY bank, uscc",
            Self::recommendation_columns(),
            DB::cast("$2", "text"),
        );
        let rows: Vec<RecommendationRow> = sqlx::query_as(AssertSqlSafe(select))
            .bind(month)
            .bind(bank.map(str::to_owned))
            .fetch_all(&self.writer)
            .await
            .map_err(db::<DB>("listing recommendations"))?;
        rows.into_iter().map(recommendation_of).collect()
    }

    /// Whether `uscc` was ever on a list of `bank`.
    pub async fn ever_recommended(&self, bank: &str, uscc: &str) -> Result<bool, StoreError> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT id FROM xinyidai_recommendations WHERE bank = $1 AND uscc = $2 LIMIT 1",
        )
        .bind(bank)
        .bind(uscc)
        .fetch_optional(&self.writer)
        .await
        .map_err(db::<DB>("looking up a recommendation"))?;
        Ok(row.is_some())
    }

    /// Record a loan outcome; its id.
    pub async fn insert_loan(&self, l: &NewLoan<'_>) -> Result<StoredLoan, StoreError> {
        not_blank(&[
            ("bank", l.bank),
            ("uscc", l.uscc),
            ("reported_by", l.reported_by),
        ])?;
        if !LOAN_OUTCOMES.contains(&l.outcome) {
            return Err(StoreError::Invalid(format!(
                "outcome: not one of {LOAN_OUTCOMES:?}: {:?}",
                l.outcome
            )));
        }
        const CTX: &str = "recording a loan outcome";
        let insert = format!(
            "INSERT INTO xinyidai_loans (bank, uscc, outcome, amount_cents, rate_bp, reason, \
               decided_on, reported_at, reported_by) \
             VALUES ($1, $2, $3, $4, $5, $6, {}, {}, $9) RETURNING id",
            DB::cast(&DB::cast("$7", "text"), "date"),
            DB::timestamp_param(8),
        );
        let (id,): (i64,) = sqlx::query_as(AssertSqlSafe(insert))
            .bind(l.bank)
            .bind(l.uscc)
            .bind(l.outcome)
            .bind(l.amount_cents)
            .bind(l.rate_bp)
            .bind(l.reason.map(str::to_owned))
            .bind(l.decided_on.to_string())
            .bind(stamp(l.reported_at))
            .bind(l.reported_by)
            .fetch_one(&self.writer)
            .await
            .map_err(db::<DB>(CTX))?;
        let row: LoanRow = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {} FROM xinyidai_loans WHERE id = $1",
            Self::loan_columns()
        )))
        .bind(id)
        .fetch_one(&self.writer)
        .await
        .map_err(db::<DB>(CTX))?;
        Ok(loan_of(row))
    }

    /// Loan outcomes, newest first: of one bank and/or one enterprise.
    pub async fn loans(
        &self,
        bank: Option<&str>,
        uscc: Option<&str>,
    ) -> Result<Vec<StoredLoan>, StoreError> {
        let select = format!(
            "SELECT {} FROM xinyidai_loans WHERE ({} IS NULL OR bank = $1) \
               AND ({} IS NULL OR uscc = $2) ORDER BY id DESC",
            Self::loan_columns(),
            DB::cast("$1", "text"),
            DB::cast("$2", "text"),
        );
        let rows: Vec<LoanRow> = sqlx::query_as(AssertSqlSafe(select))
            .bind(bank.map(str::to_owned))
            .bind(uscc.map(str::to_owned))
            .fetch_all(&self.writer)
            .await
            .map_err(db::<DB>("listing loan outcomes"))?;
        Ok(rows.into_iter().map(loan_of).collect())
    }

    /// Recommendations and loan outcomes per bank and month, months `from`
    /// through `to` (`YYYY-MM`, inclusive), of one bank or every bank; by
    /// bank, then month. A bank and month with neither is absent.
    pub async fn xinyidai_months(
        &self,
        from: &str,
        to: &str,
        bank: Option<&str>,
    ) -> Result<Vec<XinyidaiMonth>, StoreError> {
        const CTX: &str = "counting 信易贷 figures";
        let bank_filter = format!("({} IS NULL OR bank = $3)", DB::cast("$3", "text"));
        let recs: Vec<(String, String, i64)> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT bank, month, count(*) FROM xinyidai_recommendations \
             WHERE month >= $1 AND month <= $2 AND {bank_filter} GROUP BY bank, month"
        )))
        .bind(from)
        .bind(to)
        .bind(bank.map(str::to_owned))
        .fetch_all(&self.writer)
        .await
        .map_err(db::<DB>(CTX))?;
        let month_of = format!("substr({}, 1, 7)", DB::date("decided_on"));
        let loans: Vec<(String, String, String, i64, i64)> =
            sqlx::query_as(AssertSqlSafe(format!(
                "SELECT bank, {month_of} AS m, outcome, count(*), \
                   {} FROM xinyidai_loans \
                 WHERE {month_of} >= $1 AND {month_of} <= $2 AND {bank_filter} \
                 GROUP BY bank, {month_of}, outcome",
                DB::cast("coalesce(sum(amount_cents), 0)", "int8"),
            )))
            .bind(from)
            .bind(to)
            .bind(bank.map(str::to_owned))
            .fetch_all(&self.writer)
            .await
            .map_err(db::<DB>(CTX))?;
        let mut out: std::collections::BTreeMap<(String, String), XinyidaiMonth> =
            Default::default();
        fn at(
            out: &mut std::collections::BTreeMap<(String, String), XinyidaiMonth>,
            bank: String,
            month: String,
        ) -> &mut XinyidaiMonth {
            out.entry((bank.clone(), month.clone()))
                .or_insert_with(|| XinyidaiMonth {
                    bank,
                    month,
                    ..XinyidaiMonth::default()
                })
        }
        for (b, m, n) in recs {
            at(&mut out, b, m).recommended += n;
        }
        for (b, m, outcome, n, cents) in loans {
            let e = at(&mut out, b, m);
            if outcome == "granted" {
                e.granted += n;
                e.granted_cents += cents;
            } else {
                e.refused += n;
            }
        }
        Ok(out.into_values().collect())
    }
}
