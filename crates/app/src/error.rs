//! Errors of the application layer: each has a stable code and a class (the
//! caller's fault or the system's), a Chinese message for people and the
//! technical detail for logs. Front ends map the class and code to what they
//! speak (an exit code, an HTTP status and the JSON error body of
//! INTERCHANGE.md §4); no front end parses an error's text.

use serde::Serialize;
use xinyong_engine::EngineError;
use xinyong_import::ImportError;
use xinyong_store::StoreError;

/// Whose fault an error is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// The request cannot succeed as made (bad input, unknown thing, not
    /// allowed): asking again unchanged gives the same answer.
    Caller,
    /// The platform failed (storage, a defect): the request may succeed later.
    System,
}

/// Stable error codes (`snake_case` on the wire). A code is never renamed or
/// reused: clients and test suites match on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A field of the request fails validation.
    InvalidRequest,
    /// A file cannot be imported at all (binary, no rows, unknown content).
    UnusableInput,
    /// A named file does not exist.
    FileNotFound,
    /// No model with that id (or none in force at the date).
    UnknownModel,
    /// A model file does not load (its errors give file:line:column).
    InvalidModel,
    /// The thing asked for does not exist.
    NotFound,
    /// The caller cancelled the work.
    Cancelled,
    /// A search query that cannot be searched (empty, too long).
    InvalidQuery,
    /// Not logged in, or the credentials (password, token, session) are wrong or expired.
    Unauthenticated,
    /// Logged in, but the role or account may not do this.
    Forbidden,
    /// Too many attempts: wait and try again.
    Throttled,
    /// The request conflicts with what exists (a user name taken, a thing already decided).
    Conflict,
    /// The store cannot be opened or reached.
    StoreUnavailable,
    /// Anything else: a defect or a failure of the machine.
    Internal,
    /// A credit repair applied for before the record is repairable: the
    /// `detail` is exactly the `repairable_from` date (YYYY-MM-DD), the
    /// field `repairable_from` (INTERCHANGE.md §4 `POST /api/v1/repairs`).
    NotYetRepairable,
    /// A credit repair of a record that may never be repaired.
    NotRepairable,
}

impl ErrorCode {
    /// The code as it is written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::UnusableInput => "unusable_input",
            ErrorCode::FileNotFound => "file_not_found",
            ErrorCode::UnknownModel => "unknown_model",
            ErrorCode::InvalidModel => "invalid_model",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Cancelled => "cancelled",
            ErrorCode::InvalidQuery => "invalid_query",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::Throttled => "throttled",
            ErrorCode::Conflict => "conflict",
            ErrorCode::StoreUnavailable => "store_unavailable",
            ErrorCode::Internal => "internal",
            ErrorCode::NotYetRepairable => "not_yet_repairable",
            ErrorCode::NotRepairable => "not_repairable",
        }
    }

    pub fn class(self) -> ErrorClass {
        match self {
            ErrorCode::StoreUnavailable | ErrorCode::Internal => ErrorClass::System,
            _ => ErrorClass::Caller,
        }
    }

    /// What the code means, in Chinese, for people.
    pub fn message_zh(self) -> &'static str {
        match self {
            ErrorCode::InvalidRequest => "请求内容不符合要求",
            ErrorCode::UnusableInput => "文件无法导入",
            ErrorCode::FileNotFound => "文件不存在",
            ErrorCode::UnknownModel => "没有该评价模型",
            ErrorCode::InvalidModel => "评价模型文件有误",
            ErrorCode::NotFound => "未找到",
            ErrorCode::Cancelled => "已取消",
            ErrorCode::InvalidQuery => "查询条件无效",
            ErrorCode::Unauthenticated => "未登录或登录已失效",
            ErrorCode::Forbidden => "无权进行此操作",
            ErrorCode::Throttled => "尝试次数过多，请稍后再试",
            ErrorCode::Conflict => "与已有数据冲突",
            ErrorCode::StoreUnavailable => "数据库暂时无法使用",
            ErrorCode::Internal => "系统内部错误",
            ErrorCode::NotYetRepairable => "该记录尚未到可申请信用修复的日期",
            ErrorCode::NotRepairable => "该记录依法不予修复",
        }
    }
}

/// An error of a use case.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}: {detail}", code.message_zh())]
pub struct AppError {
    pub code: ErrorCode,
    /// The technical detail (a file and its problem, the store's error).
    pub detail: String,
    /// The request field at fault, where there is one.
    pub field: Option<String>,
}

impl AppError {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> AppError {
        AppError {
            code,
            detail: detail.into(),
            field: None,
        }
    }

    /// An invalid request field.
    pub fn invalid(field: &str, detail: impl Into<String>) -> AppError {
        AppError {
            code: ErrorCode::InvalidRequest,
            detail: detail.into(),
            field: Some(field.to_owned()),
        }
    }

    pub fn class(&self) -> ErrorClass {
        self.code.class()
    }
}

impl AppError {
    /// The disk (or the database's) is full: what is committed is kept, and
    /// the same operation run again once space is freed completes it.
    pub(crate) fn storage_full(detail: impl std::fmt::Display) -> AppError {
        AppError::new(
            ErrorCode::StoreUnavailable,
            format!(
                "存储空间已满（{detail}）；已提交的部分已保留，释放空间后重新执行同一操作即可完成"
            ),
        )
    }
}

/// Whether an error of the lake, an evaluation or an import's mirror was a
/// full disk: an `std::io::Error` of that kind (ENOSPC, EDQUOT) somewhere in
/// its chain of sources, or, where a layer (Parquet's writer, the mirror
/// thread) kept only the message, the operating system's words for it.
pub(crate) fn storage_full_in(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(e);
    while let Some(err) = next {
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && xinyong_store::io_full(io)
        {
            return true;
        }
        next = err.source();
    }
    storage_full_message(&e.to_string())
}

fn storage_full_message(text: &str) -> bool {
    [
        "No space left on device",
        "os error 28",
        "Disk quota exceeded",
    ]
    .iter()
    .any(|m| text.contains(m))
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        if e.is_storage_full() {
            return AppError::storage_full(e);
        }
        if e.is_connection_lost() && !matches!(e, StoreError::PgConnect { .. }) {
            return AppError::new(
                ErrorCode::StoreUnavailable,
                format!(
                    "与数据库的连接中断（{e}）；未提交的部分未写入，数据库恢复后重新执行同一操作即可完成"
                ),
            );
        }
        let code = match &e {
            StoreError::BadUrl { .. } => {
                return AppError::invalid("database_url", e.to_string());
            }
            StoreError::DataDir { .. }
            | StoreError::SqliteOpen { .. }
            | StoreError::PgConnect { .. }
            | StoreError::Migrate { .. } => ErrorCode::StoreUnavailable,
            _ => ErrorCode::Internal,
        };
        AppError::new(code, e.to_string())
    }
}

impl From<ImportError> for AppError {
    fn from(e: ImportError) -> AppError {
        if let ImportError::Observer(msg) = &e
            && storage_full_message(msg)
        {
            return AppError::storage_full(e);
        }
        match e {
            ImportError::Unusable { .. } => AppError::new(ErrorCode::UnusableInput, e.to_string()),
            ImportError::Store(s) => s.into(),
            ImportError::Io { ref source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                AppError::new(ErrorCode::FileNotFound, e.to_string())
            }
            other => AppError::new(ErrorCode::Internal, other.to_string()),
        }
    }
}

impl From<EngineError> for AppError {
    fn from(e: EngineError) -> AppError {
        if !matches!(e, EngineError::Store(_)) && storage_full_in(&e) {
            return AppError::storage_full(e);
        }
        match e {
            EngineError::Store(s) => s.into(),
            EngineError::Model(_) => AppError::new(ErrorCode::InvalidModel, e.to_string()),
            EngineError::Cancelled => AppError::new(ErrorCode::Cancelled, e.to_string()),
            other => AppError::new(ErrorCode::Internal, other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_snake_case_and_classified() {
        let all = [
            (ErrorCode::InvalidRequest, ErrorClass::Caller),
            (ErrorCode::UnusableInput, ErrorClass::Caller),
            (ErrorCode::FileNotFound, ErrorClass::Caller),
            (ErrorCode::UnknownModel, ErrorClass::Caller),
            (ErrorCode::InvalidModel, ErrorClass::Caller),
            (ErrorCode::NotFound, ErrorClass::Caller),
            (ErrorCode::Cancelled, ErrorClass::Caller),
            (ErrorCode::InvalidQuery, ErrorClass::Caller),
            (ErrorCode::Unauthenticated, ErrorClass::Caller),
            (ErrorCode::Forbidden, ErrorClass::Caller),
            (ErrorCode::Throttled, ErrorClass::Caller),
            (ErrorCode::Conflict, ErrorClass::Caller),
            (ErrorCode::StoreUnavailable, ErrorClass::System),
            (ErrorCode::Internal, ErrorClass::System),
            (ErrorCode::NotYetRepairable, ErrorClass::Caller),
            (ErrorCode::NotRepairable, ErrorClass::Caller),
        ];
        for (code, class) in all {
            assert_eq!(code.class(), class, "{code:?}");
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::Value::from(code.as_str())
            );
            assert!(code.message_zh().chars().any(|c| c > '\u{2e80}'));
        }
    }

    #[test]
    fn an_unusable_file_is_the_callers_fault_and_a_cancelled_run_too() {
        let e: AppError = ImportError::Unusable {
            file: "a.csv".into(),
            reason: "no rows".into(),
        }
        .into();
        assert_eq!(e.code, ErrorCode::UnusableInput);
        assert_eq!(e.class(), ErrorClass::Caller);
        assert_eq!(e.to_string(), "文件无法导入: a.csv: no rows");
        let e: AppError = EngineError::Cancelled.into();
        assert_eq!(e.code, ErrorCode::Cancelled);
        let e: AppError = EngineError::Other("boom".into()).into();
        assert_eq!(e.class(), ErrorClass::System);
        assert_eq!(e.code, ErrorCode::Internal);
    }

    #[test]
    fn a_full_disk_under_the_lake_or_the_mirror_is_named_with_what_to_do() {
        let full = |kind_or_os: std::io::Error| -> AppError {
            EngineError::io(std::path::Path::new("lake/runs/r1"), kind_or_os).into()
        };
        for e in [
            full(std::io::Error::from_raw_os_error(28)),
            full(std::io::Error::from(std::io::ErrorKind::StorageFull)),
            // A layer that kept only the message.
            EngineError::Other("Parquet: External: No space left on device (os error 28)".into())
                .into(),
            // The mirror thread keeps only the message.
            ImportError::Observer("segment: No space left on device (os error 28)".into()).into(),
        ] {
            assert_eq!(e.code, ErrorCode::StoreUnavailable, "{e}");
            assert!(e.to_string().contains("存储空间已满"), "{e}");
            assert!(e.to_string().contains("重新执行同一操作"), "{e}");
        }
        // Other io errors stay internal ones.
        let other = full(std::io::Error::from(std::io::ErrorKind::PermissionDenied));
        assert_eq!(other.code, ErrorCode::Internal);
        let other: AppError = ImportError::Observer("the reader thread failed".into()).into();
        assert_eq!(other.code, ErrorCode::Internal);
    }
}
