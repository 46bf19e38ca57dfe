//! Conversions shared by both backends: issues as JSON, timestamps, stored
//! rows back into model types, and URL redaction for error messages.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use xinyong_core::Date;
use xinyong_core::record::{Issue, Severity};

use xinyong_core::catalog::{DEPARTMENTS, DepartmentSpec};

use crate::StoreError;
use crate::model::{
    Batch, BatchCounts, BatchId, BatchMeta, BatchStatus, Department, Provenance, QuarantineEntry,
    QuarantineFilter, RejectedRow, StoreCounts, StoredRecord, StoredSubject, UNKNOWN_SOURCE,
};

/// The storage form of an [`Issue`] (the core type is not deserialisable:
/// its code is a `&'static str`).
#[derive(Serialize)]
struct IssueJson<'a> {
    field: &'a str,
    code: &'a str,
    reason: &'a str,
    severity: &'a str,
}

/// [`IssueJson`] read back (owned: stored texts may contain escapes).
#[derive(Deserialize)]
struct StoredIssue {
    field: String,
    code: String,
    reason: String,
    severity: String,
}

/// Issues as a compact JSON array; `None` when there are none (saves a
/// column value on the vast majority of rows).
pub(crate) fn issues_json(issues: &[Issue]) -> Option<String> {
    if issues.is_empty() {
        return None;
    }
    Some(issues_json_always(issues))
}

pub(crate) fn issues_json_always(issues: &[Issue]) -> String {
    let items: Vec<IssueJson<'_>> = issues
        .iter()
        .map(|i| IssueJson {
            field: &i.field,
            code: i.code,
            reason: &i.reason,
            severity: match i.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
        })
        .collect();
    // Serialising plain strings cannot fail.
    serde_json::to_string(&items).unwrap_or_else(|_| "[]".to_owned())
}

pub(crate) fn parse_issues(text: Option<&str>, context: &str) -> Result<Vec<Issue>, StoreError> {
    let Some(text) = text else {
        return Ok(Vec::new());
    };
    let items: Vec<StoredIssue> = serde_json::from_str(text).map_err(|e| corrupt(context, e))?;
    Ok(items
        .into_iter()
        .map(|i| Issue {
            code: intern_code(&i.code),
            field: i.field,
            reason: i.reason,
            severity: if i.severity == "error" {
                Severity::Error
            } else {
                Severity::Warning
            },
        })
        .collect())
}

/// Issue codes are `&'static str` in the core type. Codes read back from the
/// store are interned: each distinct code is leaked once. Codes form a small
/// closed set; past a generous cap, unknown codes read as `other`.
fn intern_code(code: &str) -> &'static str {
    const CAP: usize = 4096;
    static CODES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let set = CODES.get_or_init(|| Mutex::new(HashSet::new()));
    let mut set = match set.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some(known) = set.get(code) {
        return known;
    }
    if set.len() >= CAP {
        return "other";
    }
    let leaked: &'static str = Box::leak(code.to_owned().into_boxed_str());
    set.insert(leaked);
    leaked
}

pub(crate) fn corrupt(context: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        context: context.to_owned(),
        detail: detail.to_string(),
    }
}

/// The current time, truncated to microseconds (what both databases keep).
pub(crate) fn now() -> jiff::Timestamp {
    let now = jiff::Timestamp::now();
    jiff::Timestamp::from_microsecond(now.as_microsecond()).unwrap_or(now)
}

/// RFC 3339 in UTC with exactly six fractional digits, e.g.
/// `2026-11-22T07:23:04.123456Z`; the form every timestamp of the API has.
pub(crate) fn rfc3339(ts: jiff::Timestamp) -> String {
    format!("{ts:.6}")
}

/// A stored body, read as the importer read it (so a row nested deeper than
/// serde_json's own 128 levels, which the importer keeps, reads back).
pub(crate) fn parse_body(text: &str, context: &str) -> Result<Map<String, Value>, StoreError> {
    xinyong_core::json::parse_object(text).map_err(|e| corrupt(context, e))
}

pub(crate) fn parse_date(text: &str, context: &str) -> Result<Date, StoreError> {
    text.parse::<Date>().map_err(|e| corrupt(context, e))
}

pub(crate) fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

pub(crate) fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// A record version as read from either backend (same column order).
pub(crate) type RecordRow = (
    i64,            // seq
    String,         // source
    String,         // id
    i32,            // version
    String,         // kind
    String,         // subject
    String,         // date
    String,         // body
    i64,            // hash
    i64,            // batch
    String,         // actor
    String,         // reason
    String,         // recorded_at
    Option<String>, // warnings
);

pub(crate) fn record_from_row(row: RecordRow) -> Result<StoredRecord, StoreError> {
    let (
        seq,
        source,
        id,
        version,
        kind,
        subject,
        date,
        body,
        hash,
        batch,
        actor,
        reason,
        recorded_at,
        warnings,
    ) = row;
    let context = format!("record version seq {seq}");
    Ok(StoredRecord {
        seq,
        date: parse_date(&date, &context)?,
        body: parse_body(&body, &context)?,
        warnings: parse_issues(warnings.as_deref(), &context)?,
        source,
        id,
        version,
        kind,
        subject,
        hash,
        batch: BatchId(batch),
        provenance: Provenance { actor, reason },
        recorded_at,
    })
}

/// A subject version as read from either backend (same column order).
pub(crate) type SubjectRow = (
    i64,            // seq
    String,         // uscc
    i32,            // version
    String,         // name
    String,         // subject_type
    String,         // body
    i64,            // hash
    i64,            // batch
    String,         // actor
    String,         // reason
    String,         // recorded_at
    Option<String>, // warnings
);

pub(crate) fn subject_from_row(row: SubjectRow) -> Result<StoredSubject, StoreError> {
    let (
        seq,
        uscc,
        version,
        name,
        subject_type,
        body,
        hash,
        batch,
        actor,
        reason,
        recorded_at,
        warnings,
    ) = row;
    let context = format!("subject version seq {seq}");
    Ok(StoredSubject {
        seq,
        body: parse_body(&body, &context)?,
        warnings: parse_issues(warnings.as_deref(), &context)?,
        uscc,
        version,
        name,
        subject_type,
        hash,
        batch: BatchId(batch),
        provenance: Provenance { actor, reason },
        recorded_at,
    })
}

/// A batch as read from either backend.
pub(crate) type BatchRow = (
    i64,            // id
    String,         // channel
    String,         // actor
    String,         // reason
    String,         // files (JSON)
    String,         // status
    i64,            // accepted
    i64,            // rejected
    i64,            // warnings
    i64,            // unchanged
    String,         // started_at
    Option<String>, // finished_at
);

pub(crate) fn batch_from_row(row: BatchRow) -> Result<Batch, StoreError> {
    let (
        id,
        channel,
        actor,
        reason,
        files,
        status,
        accepted,
        rejected,
        warnings,
        unchanged,
        started_at,
        finished_at,
    ) = row;
    let context = format!("batch {id}");
    let files: Vec<String> = serde_json::from_str(&files).map_err(|e| corrupt(&context, e))?;
    let status = BatchStatus::parse(&status)
        .ok_or_else(|| corrupt(&context, format!("unknown status '{status}'")))?;
    Ok(Batch {
        id: BatchId(id),
        meta: BatchMeta {
            provenance: Provenance { actor, reason },
            channel,
            files,
        },
        status,
        counts: BatchCounts {
            accepted: to_u64(accepted),
            rejected: to_u64(rejected),
            warnings: to_u64(warnings),
            unchanged: to_u64(unchanged),
        },
        started_at,
        finished_at,
    })
}

/// A quarantine entry as read from either backend.
pub(crate) type QuarantineRow = (
    i64,            // id
    i64,            // batch
    String,         // file
    i64,            // row_no
    String,         // target
    Option<String>, // source
    Option<String>, // kind
    Option<String>, // record_id
    String,         // raw
    String,         // errors
    String,         // created_at
    Option<i64>,    // resolved by batch
);

pub(crate) fn quarantine_from_row(row: QuarantineRow) -> Result<QuarantineEntry, StoreError> {
    let (
        id,
        batch,
        file,
        row_no,
        target,
        source,
        kind,
        record_id,
        raw,
        errors,
        created_at,
        resolved_by,
    ) = row;
    let context = format!("quarantine entry {id}");
    Ok(QuarantineEntry {
        id,
        batch: BatchId(batch),
        row: RejectedRow {
            file,
            row: to_u64(row_no),
            target,
            source,
            kind,
            record_id,
            raw,
            errors: parse_issues(Some(&errors), &context)?,
        },
        created_at,
        resolved_by: resolved_by.map(BatchId),
    })
}

/// Catalogued departments that are missing from `existing`, or stored
/// under another name, or were auto-registered before the catalogue named
/// them.
pub(crate) fn departments_to_seed(existing: &[Department]) -> Vec<&'static DepartmentSpec> {
    DEPARTMENTS
        .iter()
        .filter(|spec| {
            existing
                .iter()
                .find(|d| d.code == spec.code)
                .is_none_or(|d| d.auto_registered || d.name != spec.name_zh)
        })
        .collect()
}

/// The quarantine filter's department: `(code, only rows without one)`.
pub(crate) fn source_filter(filter: &QuarantineFilter) -> (Option<&str>, bool) {
    match filter.source.as_deref() {
        Some(UNKNOWN_SOURCE) => (None, true),
        other => (other, false),
    }
}

/// `counts()` as read from either backend: subjects, subject versions,
/// record versions, superseded record versions, quarantined, resolved,
/// batches.
pub(crate) type CountsRow = (i64, i64, i64, i64, i64, i64, i64);

pub(crate) fn counts_from_row(row: CountsRow) -> StoreCounts {
    let (subjects, subject_versions, record_versions, superseded, quarantined, resolved, batches) =
        row;
    StoreCounts {
        subjects: to_u64(subjects),
        subject_versions: to_u64(subject_versions),
        records: to_u64(record_versions - superseded),
        record_versions: to_u64(record_versions),
        quarantined: to_u64(quarantined),
        quarantine_unresolved: to_u64(quarantined - resolved),
        batches: to_u64(batches),
    }
}

/// Writes are accepted only while the batch (whose stored status is given)
/// is running.
pub(crate) fn require_running(batch: BatchId, status: Option<&str>) -> Result<(), StoreError> {
    match status.map(BatchStatus::parse) {
        None => Err(StoreError::UnknownBatch(batch)),
        Some(Some(BatchStatus::Running)) => Ok(()),
        Some(Some(status)) => Err(StoreError::BatchNotRunning { id: batch, status }),
        Some(None) => Err(corrupt(&format!("batch {batch}"), "unknown status")),
    }
}

/// Hash identifying a rejected row's raw text (quarantine idempotency).
pub(crate) fn raw_hash(raw: &str) -> i64 {
    xinyong_core::json::key_hash(raw) as i64
}

/// The URL without its password, for messages and logs.
pub(crate) fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let rest_start = scheme_end + 3;
    let rest = &url[rest_start..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_owned();
    };
    let userinfo = &authority[..at];
    match userinfo.find(':') {
        Some(colon) => format!(
            "{}{}:***{}",
            &url[..rest_start],
            &userinfo[..colon],
            &rest[at..]
        ),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_url("postgres://h/db?x=a@b"), "postgres://h/db?x=a@b");
        assert_eq!(redact_url("not a url"), "not a url");
    }

    #[test]
    fn issues_round_trip() {
        let issues = vec![
            Issue::warning("subject", "uscc_check", "校验位不符"),
            Issue::error("", "bad_json", "不是 JSON 对象"),
            Issue::error(
                "date",
                "bad_date",
                "日期无效：expected YYYY-MM-DD, got \"2021/03/11\"\n\\ \t",
            ),
        ];
        let text = issues_json(&issues);
        assert_eq!(parse_issues(text.as_deref(), "t").ok(), Some(issues));
        assert_eq!(issues_json(&[]), None);
        assert_eq!(parse_issues(None, "t").ok(), Some(Vec::new()));
    }

    #[test]
    fn timestamps_have_six_digits() {
        let ts = jiff::Timestamp::from_microsecond(1_700_000_000_000_000).unwrap_or_else(|_| now());
        assert_eq!(rfc3339(ts), "2023-11-14T22:13:20.000000Z");
    }
}
