//! The audit log (PRODUCT.md C15): every use case that reads non-public data
//! or decides something appends an entry; auditors and admins verify the
//! hash chain end to end and page through it. The chain itself (hashing,
//! serialised appends, the head) is the store's (`xinyong_store::audit`).
//!
//! Times of entries come from this application's clock. Entries written for
//! the operator's command line have the actor [`OPERATOR_ACTOR`] and the
//! role [`OPERATOR_ROLE`]; failed logins the attempted user name and the
//! role `public`.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use xinyong_store::{AuditAppend, AuditQuery, MAX_AUDIT_PAGE};

use crate::clock::china_standard_time;
use crate::{App, AppError, Principal};

/// The actor of entries written for the operator's command line.
pub const OPERATOR_ACTOR: &str = "cli";
/// The role written for the operator's command line (not a role of §1).
pub const OPERATOR_ROLE: &str = "operator";
/// Entries listed when the filter sets no limit.
pub const DEFAULT_AUDIT_PAGE: u32 = 100;

/// One thing to record.
#[derive(Debug, Clone)]
pub struct AuditEvent<'a> {
    /// What was done, `area.verb` (e.g. `"profile.read"`).
    pub action: &'a str,
    /// The credit subject concerned (a USCC), if any.
    pub subject: Option<&'a str>,
    /// Why (the declared purpose of a read), if given.
    pub purpose: Option<&'a str>,
    pub detail: serde_json::Value,
}

/// The answer of `GET /api/v1/audit/verification` and `xinyong audit verify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AuditVerification {
    pub entries: i64,
    pub intact: bool,
    pub first_broken: Option<i64>,
}

/// One entry of the log.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub seq: i64,
    /// RFC 3339, UTC, microseconds.
    pub at: String,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub subject: Option<String>,
    pub purpose: Option<String>,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub hash: String,
}

/// Which entries to list. `from` / `to`: an RFC 3339 instant or a date
/// `YYYY-MM-DD` (China Standard Time), both inclusive (`to` as a date means
/// through the end of that day). `action`: one action (`account.create`) or
/// every action of an area (`account`). `limit`: 1–1000, default 100.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    pub subject: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub after_seq: Option<i64>,
    pub limit: Option<u32>,
}

/// `text` as an instant: itself (RFC 3339), or the start of the day
/// (China Standard Time) for a date; with `end_of_day`, the exclusive end
/// (the next microsecond, or the start of the next day).
fn instant(field: &str, text: &str, end_of_day: bool) -> Result<Timestamp, AppError> {
    let text = text.trim();
    if let Ok(ts) = text.parse::<Timestamp>() {
        // Inclusive end: the next microsecond is the exclusive bound.
        return Ok(if end_of_day {
            ts + SignedDuration::from_micros(1)
        } else {
            ts
        });
    }
    let day = xinyong_core::time::parse_date(text).map_err(|_| {
        AppError::invalid(
            field,
            format!("{field} 须为日期（YYYY-MM-DD）或 RFC 3339 时间：{text}"),
        )
    })?;
    let day = if end_of_day {
        day.tomorrow()
            .map_err(|e| AppError::invalid(field, e.to_string()))?
    } else {
        day
    };
    day.to_zoned(china_standard_time())
        .map(|z| z.timestamp())
        .map_err(|e| AppError::invalid(field, e.to_string()))
}

/// The audit log is the auditor's and the admin's (the one table: `access.rs`).
fn require_auditor(by: &Principal) -> Result<(), AppError> {
    crate::access::authorise(by, crate::access::Operation::ReadAudit)
}

impl App {
    /// Appends one entry for `by` (actor = `by.username`, role = `by.role`),
    /// at this application's clock's time. Returns the entry's seq.
    pub async fn audit(&self, by: &Principal, event: AuditEvent<'_>) -> Result<i64, AppError> {
        self.audit_as(&by.username, by.role.as_str(), event).await
    }

    /// Appends one entry for an actor that is not a principal (the command
    /// line, a failed login).
    pub(crate) async fn audit_as(
        &self,
        actor: &str,
        role: &str,
        event: AuditEvent<'_>,
    ) -> Result<i64, AppError> {
        if event.action.trim().is_empty() {
            return Err(AppError::invalid("action", "审计事件须有动作名称"));
        }
        // Refused before it is queued: one bad entry must not fail the
        // others written in the same transaction.
        xinyong_store::check_audit_detail(&event.detail)?;
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.audit_queue.push(QueuedEntry {
            at: self.clock.now(),
            actor: actor.to_owned(),
            role: role.to_owned(),
            action: event.action.to_owned(),
            subject: event.subject.map(str::to_owned),
            purpose: event.purpose.map(str::to_owned),
            detail: event.detail,
            reply,
        });
        // Whoever holds the writer appends everything queued so far in one
        // transaction (group commit): under load, the entries of concurrent
        // requests share one append instead of queueing one by one for the
        // chain's lock. Each request still returns only once its own entry
        // is committed.
        {
            let _writer = self.audit_queue.writer.lock().await;
            let batch = self.audit_queue.take();
            if !batch.is_empty() {
                // In a task of its own: a request cancelled meanwhile (its
                // client gone) must not abandon the others' entries.
                let store = self.store.clone();
                let append = tokio::spawn(async move {
                    let entries: Vec<AuditAppend<'_>> = batch
                        .iter()
                        .map(|q| AuditAppend {
                            at: q.at,
                            actor: &q.actor,
                            role: &q.role,
                            action: &q.action,
                            subject: q.subject.as_deref(),
                            purpose: q.purpose.as_deref(),
                            detail: &q.detail,
                        })
                        .collect();
                    let written = store.append_audit_batch(&entries).await;
                    drop(entries);
                    match written {
                        Ok(seqs) => {
                            for (q, seq) in batch.into_iter().zip(seqs) {
                                let _ = q.reply.send(Ok(seq));
                            }
                        }
                        Err(e) => {
                            let e = AppError::from(e);
                            for q in batch {
                                let _ = q.reply.send(Err(e.clone()));
                            }
                        }
                    }
                });
                // The next batch waits for this one (the chain's order).
                let _ = append.await;
            }
        }
        answer.await.map_err(|_| {
            AppError::new(
                crate::ErrorCode::Internal,
                "the audit entry was dropped before it was written",
            )
        })?
    }

    /// Walks the whole chain (auditor or admin; `None` = the operator's
    /// command line). A verification by a principal is itself audited
    /// ("audit.verify") after the walk.
    pub async fn verify_audit(
        &self,
        by: Option<&Principal>,
    ) -> Result<AuditVerification, AppError> {
        if let Some(p) = by {
            require_auditor(p)?;
        }
        let c = self.store.verify_audit().await?;
        let v = AuditVerification {
            entries: c.entries,
            intact: c.intact,
            first_broken: c.first_broken,
        };
        if let Some(p) = by {
            self.audit(
                p,
                AuditEvent {
                    action: "audit.verify",
                    subject: None,
                    purpose: None,
                    detail: serde_json::to_value(v).unwrap_or_default(),
                },
            )
            .await?;
        }
        Ok(v)
    }

    /// Entries matching `filter`, by ascending seq (auditor or admin). The
    /// read is itself audited ("audit.read").
    pub async fn audit_entries(
        &self,
        by: &Principal,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditEntry>, AppError> {
        require_auditor(by)?;
        let limit = filter.limit.unwrap_or(DEFAULT_AUDIT_PAGE);
        if limit == 0 || limit > MAX_AUDIT_PAGE {
            return Err(AppError::invalid(
                "limit",
                format!("limit 须在 1 至 {MAX_AUDIT_PAGE} 之间"),
            ));
        }
        let after_seq = filter.after_seq.unwrap_or(0);
        if after_seq < 0 {
            return Err(AppError::invalid("after_seq", "after_seq 不能为负数"));
        }
        let from = filter
            .from
            .as_deref()
            .map(|t| instant("from", t, false))
            .transpose()?;
        let until = filter
            .to
            .as_deref()
            .map(|t| instant("to", t, true))
            .transpose()?;
        if let (Some(f), Some(u)) = (from, until)
            && f >= u
        {
            return Err(AppError::invalid("to", "to 须晚于 from"));
        }
        let nonempty = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let subject = nonempty(&filter.subject).map(|s| crate::normalise_uscc(&s));
        let q = AuditQuery {
            subject,
            actor: nonempty(&filter.actor),
            action: nonempty(&filter.action),
            from,
            until,
            after_seq,
            limit,
        };
        let entries: Vec<AuditEntry> = self
            .store
            .audit_entries(&q)
            .await?
            .into_iter()
            .map(|e| AuditEntry {
                seq: e.seq,
                at: e.at,
                actor: e.actor,
                role: e.role,
                action: e.action,
                subject: e.subject,
                purpose: e.purpose,
                detail: e.detail,
                hash: e.hash,
            })
            .collect();
        self.audit(
            by,
            AuditEvent {
                action: "audit.read",
                subject: None,
                purpose: None,
                detail: serde_json::json!({
                    "subject": q.subject, "actor": q.actor, "action": q.action,
                    "from": filter.from, "to": filter.to,
                    "after_seq": after_seq, "limit": limit, "returned": entries.len(),
                }),
            },
        )
        .await?;
        Ok(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn filter_bounds_are_inclusive_dates_in_china_standard_time_or_instants() {
        assert_eq!(
            instant("from", "2026-06-01", false).unwrap(),
            "2026-05-31T16:00:00Z".parse::<Timestamp>().unwrap()
        );
        assert_eq!(
            instant("to", "2026-06-01", true).unwrap(),
            "2026-06-01T16:00:00Z".parse::<Timestamp>().unwrap()
        );
        assert_eq!(
            instant("to", "2026-06-01T00:00:00Z", true).unwrap(),
            "2026-06-01T00:00:00.000001Z".parse::<Timestamp>().unwrap()
        );
        let e = instant("from", "yesterday", false).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest);
        assert_eq!(e.field.as_deref(), Some("from"));
    }
}

/// An audit entry waiting for the next append (see `App::audit_as`).
struct QueuedEntry {
    at: Timestamp,
    actor: String,
    role: String,
    action: String,
    subject: Option<String>,
    purpose: Option<String>,
    detail: serde_json::Value,
    reply: tokio::sync::oneshot::Sender<Result<i64, AppError>>,
}

/// The entries waiting to be appended, and the one writer appending them.
#[derive(Default)]
pub(crate) struct AuditQueue {
    waiting: std::sync::Mutex<Vec<QueuedEntry>>,
    writer: tokio::sync::Mutex<()>,
}

impl AuditQueue {
    fn push(&self, entry: QueuedEntry) {
        self.waiting
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(entry);
    }

    fn take(&self) -> Vec<QueuedEntry> {
        std::mem::take(&mut *self.waiting.lock().unwrap_or_else(|p| p.into_inner()))
    }
}
