//! A department submits records through the API (`POST /api/v1/records`,
//! PRODUCT.md C2 "a JSON API for departments").
//!
//! The rows go through the importer's own pipeline: they are written as a
//! JSON Lines file (row n on line n) and imported as one batch with
//! [`App::import_files`] — the same validation, versioning, quarantine,
//! per-department statistics, lake mirror and search index catch-up. The
//! touched subjects are re-evaluated by the next re-evaluation round (see
//! `reevaluation`): the server's background re-evaluator, woken here.
//!
//! Before that, this use case rejects itself, without storing them, the
//! rows a department may not submit:
//!
//! * a row whose `source` is not the caller's department (field `source`);
//! * a row that is not a JSON object, or that has neither `kind` nor
//!   `subject` (a subject line, not a record: field `kind`), because the
//!   importer tells what a file holds from its first rows.
//!
//! Those rows are not quarantined: the quarantine and its statistics are
//! per department, and a row claiming another department's `source` must
//! not count against that department. They are counted as rejected and
//! listed in the answer's `errors` like the rows the importer rejects.

use std::io::Write;

use serde::Serialize;
use serde_json::Value;
use xinyong_core::disclosure::Role;
use xinyong_core::record::Severity;
use xinyong_store::QuarantineFilter;

use crate::{App, AppError, ErrorCode, ImportRequest, Principal};

/// Most rows of one submission.
pub const MAX_SUBMIT_ROWS: usize = 10_000;

/// One rejected row's error (`{"row", "field", "reason"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SubmitError {
    /// 1-based position of the row in the submitted array.
    pub row: u64,
    /// The field at fault; empty for the row as a whole.
    pub field: String,
    /// Why, in Chinese.
    pub reason: String,
}

/// What a submission did (the answer of `xinyong import`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubmitOutcome {
    pub accepted: u64,
    pub rejected: u64,
    pub warnings: u64,
    pub unchanged: u64,
    /// Every error of every rejected row, by row.
    pub errors: Vec<SubmitError>,
}

/// Why this use case rejects a row before the importer sees it.
fn precheck(row: &Value, department: &str) -> Option<(&'static str, String)> {
    let Some(obj) = row.as_object() else {
        return Some(("", "应为 JSON 对象（每条记录是一个对象）".to_owned()));
    };
    not_own_record(obj, department).map(|issue| (issue.0, issue.2))
}

/// The rule of what a department may submit, for a row read as an object:
/// a record (it has a `kind` or a `subject`) whose `source` is the
/// department's code. `(field, code, reason)` of a row that breaks it.
/// Submissions through the API and uploaded files follow this one rule.
pub(crate) fn not_own_record(
    obj: &serde_json::Map<String, Value>,
    department: &str,
) -> Option<(&'static str, &'static str, String)> {
    match obj.get("source") {
        Some(Value::String(s)) if s == department => {}
        Some(Value::String(s)) => {
            return Some((
                "source",
                "foreign_source",
                format!("记录来源 source 为 {s}，只能报送本部门（{department}）的记录"),
            ));
        }
        _ => {
            return Some((
                "source",
                "missing_source",
                format!("缺少记录来源 source，应为本部门代码 {department}"),
            ));
        }
    }
    if !obj.contains_key("kind") && !obj.contains_key("subject") {
        return Some((
            "kind",
            "not_a_record",
            "缺少记录类型 kind：这不是一条信用记录".to_owned(),
        ));
    }
    None
}

impl App {
    /// Store records a department submits (see the module documentation).
    /// Only the `department` role (the public: `unauthenticated`, other roles:
    /// `forbidden`); at most [`MAX_SUBMIT_ROWS`] rows and at least one
    /// (else `invalid_request`, field `records`). Provenance actor is the
    /// account's user name, channel `api`.
    pub async fn submit_records(
        &self,
        by: &Principal,
        rows: Vec<Value>,
    ) -> Result<SubmitOutcome, AppError> {
        let department = match (by.role, by.department.as_deref()) {
            (Role::Public, _) => {
                return Err(AppError::new(
                    ErrorCode::Unauthenticated,
                    "报送记录需要登录",
                ));
            }
            (Role::Department, Some(d)) if !d.trim().is_empty() => d.to_owned(),
            (Role::Department, _) => {
                return Err(AppError::new(ErrorCode::Forbidden, "该账户未关联报送部门"));
            }
            _ => {
                return Err(AppError::new(
                    ErrorCode::Forbidden,
                    "只有部门账户可以报送记录",
                ));
            }
        };
        if rows.is_empty() || rows.len() > MAX_SUBMIT_ROWS {
            return Err(AppError::invalid(
                "records",
                format!(
                    "每次报送 1 至 {MAX_SUBMIT_ROWS} 条记录（收到 {} 条）",
                    rows.len()
                ),
            ));
        }
        let mut errors: Vec<SubmitError> = Vec::new();
        let mut lines = String::with_capacity(rows.len() * 256);
        let mut passed = 0usize;
        for (i, row) in rows.iter().enumerate() {
            match precheck(row, &department) {
                Some((field, reason)) => errors.push(SubmitError {
                    row: i as u64 + 1,
                    field: field.to_owned(),
                    reason,
                }),
                None => {
                    let text = serde_json::to_string(row)
                        .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
                    lines.push_str(&text);
                    passed += 1;
                }
            }
            // A row rejected here leaves its line blank: the importer skips
            // blank lines and numbers the others as rows of the array.
            lines.push('\n');
        }
        let mut outcome = SubmitOutcome {
            accepted: 0,
            rejected: errors.len() as u64,
            warnings: 0,
            unchanged: 0,
            errors: Vec::new(),
        };
        if passed > 0 {
            let dir = tempfile::Builder::new()
                .prefix("xinyong-submit-")
                .tempdir()
                .map_err(|e| AppError::new(ErrorCode::Internal, format!("temporary file: {e}")))?;
            let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%S");
            let path = dir.path().join(format!("api-{department}-{stamp}.jsonl"));
            std::fs::File::create(&path)
                .and_then(|mut f| f.write_all(lines.as_bytes()))
                .map_err(|e| AppError::new(ErrorCode::Internal, format!("temporary file: {e}")))?;
            let imported = self
                .import_files(ImportRequest {
                    files: vec![path],
                    actor: by.username.clone(),
                    channel: "api".to_owned(),
                    chunk_rows: ImportRequest::DEFAULT_CHUNK_ROWS,
                    progress: None,
                    // Re-evaluated in the background, in one round with
                    // the submissions arriving meanwhile.
                    reevaluate: false,
                })
                .await?;
            if imported.report.counts.accepted > 0 {
                self.request_reevaluation();
            }
            let c = &imported.report.counts;
            outcome.accepted = c.accepted;
            outcome.rejected += c.rejected;
            outcome.warnings = c.warnings;
            outcome.unchanged = c.unchanged;
            if c.rejected > 0 {
                errors.extend(self.batch_errors(imported.report.batch).await?);
            }
        }
        errors.sort_by_key(|e| e.row);
        outcome.errors = errors;
        Ok(outcome)
    }

    /// Every error of the rows a batch quarantined.
    async fn batch_errors(
        &self,
        batch: xinyong_store::BatchId,
    ) -> Result<Vec<SubmitError>, AppError> {
        let mut out = Vec::new();
        let mut filter = QuarantineFilter {
            batch: Some(batch),
            limit: 1_000,
            ..QuarantineFilter::default()
        };
        loop {
            let page = self.store.quarantine(&filter).await?;
            for entry in &page {
                let errs = entry
                    .row
                    .errors
                    .iter()
                    .filter(|i| i.severity == Severity::Error);
                for issue in errs {
                    out.push(SubmitError {
                        row: entry.row.row,
                        field: issue.field.clone(),
                        reason: issue.reason.clone(),
                    });
                }
            }
            if page.len() < filter.limit as usize {
                break;
            }
            filter.offset += page.len() as u64;
        }
        Ok(out)
    }
}

impl App {
    /// Store one record the platform itself writes (a workflow's
    /// correction, an inspection result, a 信易贷 application) as a batch
    /// of its own on `channel`, named `file`: the batch is finished
    /// `completed` or `failed` either way. The new version's sequence
    /// number, or `None` when the record was unchanged.
    pub(crate) async fn write_own_record(
        &self,
        record: &xinyong_core::record::ValidRecord,
        provenance: &xinyong_store::Provenance,
        channel: &str,
        file: String,
    ) -> Result<Option<i64>, AppError> {
        use xinyong_store::{BatchMeta, BatchStatus, ChunkWrite, WriteStatus};
        let batch = self
            .store
            .begin_batch(&BatchMeta {
                provenance: provenance.clone(),
                channel: channel.to_owned(),
                files: vec![file],
            })
            .await?;
        let written = self
            .store
            .write_chunk(
                batch,
                &ChunkWrite {
                    subjects: &[],
                    records: std::slice::from_ref(record),
                    rejected: &[],
                    provenance,
                },
            )
            .await;
        let status = if written.is_ok() {
            BatchStatus::Completed
        } else {
            BatchStatus::Failed
        };
        self.store.finish_batch(batch, status).await?;
        Ok(written?
            .records
            .first()
            .filter(|o| o.status != WriteStatus::Unchanged)
            .map(|o| o.seq))
    }
}
