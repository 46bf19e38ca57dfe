//! A department uploads a file of its records (JSON Lines, CSV or XLSX) in
//! the department console (PRODUCT.md C2: "import of JSONL, CSV and XLSX
//! files"). The upload runs as a task (`tasks.rs`): its bytes are written
//! to a temporary file under the data directory and imported as one batch
//! on channel `upload` by the importer's own pipeline — the same
//! validation, versioning, quarantine, statistics, lake mirror and search
//! index as every import — while the task reports how far it is.
//!
//! A row whose `source` is not the uploading department's code is rejected
//! by the rule of the API's submissions (`submit::not_own_record`), and
//! every rejected row of a department's upload is kept under that
//! department (it is its mistake to correct, and must not count against
//! another department), so that the department lists all of them by the
//! upload's batch and downloads them to correct and resubmit. The credit
//! office (admin) may upload any department's records (as the command
//! line imports them). The touched subjects are re-evaluated by the next
//! re-evaluation round (the server's re-evaluator, woken here).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use xinyong_core::disclosure::Role;
use xinyong_core::record::Issue;
use xinyong_import::{Phase, Submitter};
use xinyong_store::{BatchId, QuarantineEntry, QuarantineFilter};

use crate::access::{Operation, authorise};
use crate::{App, AppError, AuditEvent, ErrorCode, ImportRequest, Principal, TaskInfo};

/// The channel of an uploaded file's batch.
pub const UPLOAD_CHANNEL: &str = "upload";
/// The largest file accepted (bytes).
pub const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;
/// The longest file name kept (characters).
const MAX_FILE_NAME_CHARS: usize = 120;
/// Most rejected rows one upload lists at once (paging beyond).
pub const MAX_REJECTED_PAGE: u32 = 1000;
/// Most rejected rows of one upload that are gathered for a download.
pub const MAX_REJECTED_DOWNLOAD: usize = 200_000;

/// Where an upload is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UploadProgress {
    /// The file's name as uploaded.
    pub file_name: String,
    /// `checking`, `importing`, `writing` (every row read, the last ones
    /// being stored) or `done`.
    pub phase: String,
    pub bytes_read: u64,
    pub total_bytes: u64,
    /// Rows read so far, of which accepted and rejected.
    pub rows: u64,
    pub accepted: u64,
    pub rejected: u64,
    /// How far, 0–100.
    pub percent: u8,
}

/// What an upload did (the result of its task).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UploadOutcome {
    /// The batch that stored it: its rejected rows are listed by it.
    pub batch: i64,
    pub file_name: String,
    /// The department it was uploaded for (none: the credit office's).
    pub department: Option<String>,
    pub uploaded_by: String,
    /// RFC 3339, UTC.
    pub uploaded_at: String,
    pub accepted: u64,
    pub rejected: u64,
    pub warnings: u64,
    pub unchanged: u64,
}

/// An upload task as the console follows it.
#[derive(Debug, Clone)]
pub struct UploadStatus {
    pub task: TaskInfo,
    pub progress: UploadProgress,
    /// Once it succeeded.
    pub outcome: Option<UploadOutcome>,
}

/// The department `by` uploads for: its own (a department account), none
/// (the credit office).
fn upload_department(by: &Principal) -> Result<Option<String>, AppError> {
    authorise(by, Operation::UploadFiles)?;
    match (by.role, by.department.as_deref()) {
        (Role::Department, Some(d)) if !d.trim().is_empty() => Ok(Some(d.to_owned())),
        (Role::Department, _) => Err(AppError::new(ErrorCode::Forbidden, "该账户未关联报送部门")),
        _ => Ok(None),
    }
}

/// The name a file is stored under: its last path component, blanks
/// trimmed, of a format the importer reads.
fn clean_file_name(given: &str) -> Result<String, AppError> {
    let name = given
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    if name.is_empty() || name.starts_with('.') {
        return Err(AppError::invalid("file", "请选择要上传的文件"));
    }
    if name.chars().count() > MAX_FILE_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "file",
            format!("文件名过长或含有控制字符（至多 {MAX_FILE_NAME_CHARS} 个字符）"),
        ));
    }
    xinyong_import::format_of(std::path::Path::new(&name))
        .map_err(|why| AppError::invalid("file", format!("{name}：{why}")))?;
    Ok(name)
}

/// The last component of a stored file path (the batch keeps the path of
/// the temporary file).
fn file_part(path: &str) -> String {
    path.rsplit(['/', '\\']).next().unwrap_or(path).to_owned()
}

fn progress_of(file_name: &str, p: &xinyong_import::Progress) -> UploadProgress {
    let phase = match p.phase {
        Phase::Checking => "checking",
        Phase::Importing => "importing",
        Phase::Read => "writing",
    };
    let percent = match p.phase {
        Phase::Checking => 0,
        // Reading is most of the work; the last few percent are the writes.
        _ if p.total_bytes > 0 => (p.bytes_read.min(p.total_bytes) * 95 / p.total_bytes) as u8,
        _ => 0,
    };
    UploadProgress {
        file_name: file_name.to_owned(),
        phase: phase.to_owned(),
        bytes_read: p.bytes_read,
        total_bytes: p.total_bytes,
        rows: p.rows,
        accepted: p.accepted,
        rejected: p.rejected,
        percent,
    }
}

/// An upload's error as the uploader reads it: the file by its own name
/// (not the temporary file's path); a failure of the platform logged and
/// told in general words.
fn uploader_error(mut e: AppError, path: &str, name: &str) -> AppError {
    if e.class() == crate::ErrorClass::System {
        tracing::error!(code = e.code.as_str(), detail = %e.detail, "an upload failed");
        e.detail = "平台暂时无法完成导入，请稍后重新上传。".to_owned();
    } else {
        e.detail = e.detail.replace(path, name);
    }
    e
}

impl App {
    /// Start the upload of one file (its name as given by the browser, and
    /// its bytes) as a task; its id is followed with [`App::upload_status`].
    /// Department accounts (their own records) and the admin; an empty file,
    /// one larger than [`MAX_UPLOAD_BYTES`] or of another format is
    /// `invalid_request` (field `file`) before any task starts.
    pub fn start_upload(
        self: &Arc<App>,
        by: &Principal,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> Result<TaskInfo, AppError> {
        let department = upload_department(by)?;
        let name = clean_file_name(file_name)?;
        if bytes.is_empty() {
            return Err(AppError::invalid("file", format!("{name}：文件为空")));
        }
        if bytes.len() > MAX_UPLOAD_BYTES {
            return Err(AppError::invalid(
                "file",
                format!(
                    "{name}：文件超过 {} MiB，请分成几个文件上传",
                    MAX_UPLOAD_BYTES / 1024 / 1024
                ),
            ));
        }
        // Under the data directory: the same disk as the store, and a
        // directory of its own per upload, so that the quarantine (kept once
        // per file, row and text) keeps this upload's rejected rows even when
        // the same file was uploaded before.
        let uploads = self.data_dir.join("uploads");
        let dir = std::fs::create_dir_all(&uploads)
            .and_then(|()| {
                tempfile::Builder::new()
                    .prefix("upload-")
                    .tempdir_in(&uploads)
            })
            .map_err(|e| AppError::new(ErrorCode::Internal, format!("temporary file: {e}")))?;
        let path = dir.path().join(&name);
        std::fs::write(&path, &bytes)
            .map_err(|e| AppError::new(ErrorCode::Internal, format!("temporary file: {e}")))?;
        drop(bytes);

        let (info, _cancel) = self.register_task(by, "upload", department.clone(), false)?;
        let id = info.id;
        self.tasks.set_upload(
            id,
            UploadProgress {
                file_name: name.clone(),
                phase: "checking".to_owned(),
                ..UploadProgress::default()
            },
        );

        let app = Arc::clone(self);
        let by = by.clone();
        let handle = tokio::spawn(async move {
            let path_text = path.to_string_lossy().into_owned();
            let outcome = app
                .run_upload(id, &by, department, &name, path)
                .await
                .map_err(|e| uploader_error(e, &path_text, &name));
            // The temporary file goes whatever happened.
            drop(dir);
            app.finish_task(
                id,
                outcome.map(|o| serde_json::to_value(o).unwrap_or(serde_json::Value::Null)),
            );
        });
        self.tasks.keep(handle);
        Ok(info)
    }

    async fn run_upload(
        self: &Arc<App>,
        id: u64,
        by: &Principal,
        department: Option<String>,
        name: &str,
        path: std::path::PathBuf,
    ) -> Result<UploadOutcome, AppError> {
        let tasks_app = Arc::clone(self);
        let file_name = name.to_owned();
        let progress: xinyong_import::ProgressFn = Arc::new(move |p| {
            tasks_app.tasks.set_upload(id, progress_of(&file_name, p));
        });
        let submitter = department.clone().map(|code| {
            let rule_code = code.clone();
            Submitter {
                department: code,
                check: Arc::new(move |obj| {
                    crate::submit::not_own_record(obj, &rule_code)
                        .map(|(field, code, reason)| Issue::error(field, code, reason))
                }),
            }
        });
        let imported = self
            .import_files_from(
                ImportRequest {
                    files: vec![path],
                    actor: by.username.clone(),
                    channel: UPLOAD_CHANNEL.to_owned(),
                    chunk_rows: ImportRequest::DEFAULT_CHUNK_ROWS,
                    progress: Some(progress),
                    // Re-evaluated in the background with the submissions
                    // arriving meanwhile.
                    reevaluate: false,
                },
                submitter,
            )
            .await?;
        if imported.report.counts.accepted > 0 {
            self.request_reevaluation();
        }
        let c = &imported.report.counts;
        let outcome = UploadOutcome {
            batch: imported.report.batch.0,
            file_name: name.to_owned(),
            department,
            uploaded_by: by.username.clone(),
            uploaded_at: self.now_text(),
            accepted: c.accepted,
            rejected: c.rejected,
            warnings: c.warnings,
            unchanged: c.unchanged,
        };
        self.tasks.set_upload(
            id,
            UploadProgress {
                file_name: name.to_owned(),
                phase: "done".to_owned(),
                bytes_read: 0,
                total_bytes: 0,
                rows: c.accepted + c.rejected + c.unchanged,
                accepted: c.accepted,
                rejected: c.rejected,
                percent: 100,
            },
        );
        self.audit(
            by,
            AuditEvent {
                action: "records.upload",
                subject: None,
                purpose: None,
                detail: serde_json::json!({
                    "file": outcome.file_name,
                    "batch": outcome.batch,
                    "department": outcome.department,
                    "accepted": outcome.accepted,
                    "rejected": outcome.rejected,
                    "warnings": outcome.warnings,
                    "unchanged": outcome.unchanged,
                }),
            },
        )
        .await?;
        Ok(outcome)
    }

    /// An upload task: how far it is and, once done, what it did. A
    /// department account follows its department's uploads, the admin
    /// every upload; another task is `not_found`.
    pub fn upload_status(&self, by: &Principal, id: u64) -> Result<UploadStatus, AppError> {
        let department = upload_department(by)?;
        let not_found =
            || AppError::new(ErrorCode::NotFound, format!("没有编号为 {id} 的上传任务"));
        let (task, of, progress) = self.tasks.get(id).ok_or_else(not_found)?;
        if task.kind != "upload" {
            return Err(not_found());
        }
        if department.is_some() && of != department {
            return Err(AppError::new(
                ErrorCode::Forbidden,
                "只能查看本部门的上传任务",
            ));
        }
        let outcome = task
            .result
            .clone()
            .and_then(|v| serde_json::from_value::<UploadOutcome>(v).ok());
        Ok(UploadStatus {
            progress: progress.unwrap_or_default(),
            task,
            outcome,
        })
    }

    /// What the upload stored as `batch` did, read from the store (also
    /// after a restart). A department account reads its own uploads only,
    /// the admin every one; a batch that is not an upload is `not_found`.
    pub async fn upload_outcome(
        &self,
        by: &Principal,
        batch: i64,
    ) -> Result<UploadOutcome, AppError> {
        let department = upload_department(by)?;
        let not_found = || {
            AppError::new(
                ErrorCode::NotFound,
                format!("没有编号为 {batch} 的上传批次"),
            )
        };
        let b = self
            .store
            .batch(BatchId(batch))
            .await?
            .filter(|b| b.meta.channel == UPLOAD_CHANNEL)
            .ok_or_else(not_found)?;
        if department.is_some() && b.meta.provenance.actor != by.username {
            return Err(AppError::new(
                ErrorCode::Forbidden,
                "只能查看本账户上传的文件",
            ));
        }
        Ok(UploadOutcome {
            batch,
            file_name: b
                .meta
                .files
                .first()
                .map(|f| file_part(f))
                .unwrap_or_default(),
            department,
            uploaded_by: b.meta.provenance.actor.clone(),
            uploaded_at: b.started_at.clone(),
            accepted: b.counts.accepted,
            rejected: b.counts.rejected,
            warnings: b.counts.warnings,
            unchanged: b.counts.unchanged,
        })
    }

    /// One page (`offset`, at most [`MAX_REJECTED_PAGE`] rows) of the rows an
    /// upload rejected, in file order, each with its errors.
    pub async fn upload_rejections(
        &self,
        by: &Principal,
        batch: i64,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<QuarantineEntry>, AppError> {
        self.upload_outcome(by, batch).await?;
        let mut rows = self
            .rejected_rows(
                by,
                QuarantineFilter {
                    batch: Some(BatchId(batch)),
                    offset,
                    limit: limit.clamp(1, MAX_REJECTED_PAGE),
                    ..QuarantineFilter::default()
                },
            )
            .await?;
        rows.sort_by_key(|e| e.row.row);
        Ok(rows)
    }

    /// Every row an upload rejected (at most [`MAX_REJECTED_DOWNLOAD`]), in
    /// file order, to correct and resubmit; the download is audited.
    pub async fn upload_rejections_all(
        &self,
        by: &Principal,
        batch: i64,
    ) -> Result<Vec<QuarantineEntry>, AppError> {
        let mut all = Vec::new();
        loop {
            let page = self
                .upload_rejections(by, batch, all.len() as u64, MAX_REJECTED_PAGE)
                .await?;
            let last = page.len() < MAX_REJECTED_PAGE as usize;
            all.extend(page);
            if last || all.len() >= MAX_REJECTED_DOWNLOAD {
                break;
            }
        }
        all.truncate(MAX_REJECTED_DOWNLOAD);
        all.sort_by_key(|e| e.row.row);
        self.audit(
            by,
            AuditEvent {
                action: "quarantine.download",
                subject: None,
                purpose: None,
                detail: serde_json::json!({"batch": batch, "rows": all.len()}),
            },
        )
        .await?;
        Ok(all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_their_last_part_and_a_known_format() {
        assert_eq!(clean_file_name(" C:\\data\\罚款.csv ").unwrap(), "罚款.csv");
        assert_eq!(clean_file_name("../../a.JSONL").unwrap(), "a.JSONL");
        for bad in ["", "dir/", ".csv", "a.xls", "a.txt", "a\u{7}.csv"] {
            let e = clean_file_name(bad).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("file"), "{bad:?}");
        }
    }

    #[test]
    fn progress_reaches_95_percent_when_read_and_100_when_done() {
        let mut p = xinyong_import::Progress {
            phase: Phase::Importing,
            bytes_read: 50,
            total_bytes: 100,
            ..Default::default()
        };
        assert_eq!(progress_of("a.csv", &p).percent, 47);
        p.phase = Phase::Read;
        p.bytes_read = 100;
        assert_eq!(progress_of("a.csv", &p).percent, 95);
        assert_eq!(progress_of("a.csv", &p).phase, "writing");
    }
}
