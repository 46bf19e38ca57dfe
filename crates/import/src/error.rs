//! The errors of an import as a whole (a row's errors are [`crate::RowError`]s).

use xinyong_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A file cannot be imported at all (missing, binary, without rows —
    /// empty, blank or a header only —, unknown format or content). Nothing
    /// was written when this is found up front.
    #[error("{file}: {reason}")]
    Unusable { file: String, reason: String },
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("{file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("import observer: {0}")]
    Observer(String),
}
