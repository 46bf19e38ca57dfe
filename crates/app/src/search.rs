//! Searching subjects (`GET /api/v1/subjects?q=TEXT&limit=N`) and keeping
//! the search index in step with the store.
//!
//! # The index and the store
//!
//! The index lives in `<data_dir>/search`. Every commit to it carries a mark:
//! the `seq` of the last subject version it has indexed. Bringing it in step
//! ([`App::sync_search_index`]) indexes every subject version with a higher
//! `seq`, in `seq` order (so the newest version of a subject wins), and
//! commits with the new mark. It runs when the application opens (a
//! command-line import done while no server ran is found), and at the end of
//! every import and submission, before they return (what they stored is
//! findable when they answer). Since store sequence numbers increase in
//! commit order, nothing committed is ever skipped.
//!
//! # Two processes on one index
//!
//! A server and a command-line import may both have the application open.
//! tantivy allows one writer per directory, so each process takes the
//! directory's write lock only while it brings the index in step: it takes
//! the lock, then reads the mark (so the mark cannot move under it), indexes
//! and commits, and the commit releases the lock (the other waits, up to
//! [`xinyong_search::LOCK_WAIT`]). Readers reload on every commit of either
//! process. Within one process the catch-ups are serialised by a mutex.

use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
use xinyong_core::uscc::Uscc;
use xinyong_search::{SearchError, SubjectDoc, SubjectIndex};
use xinyong_store::StoredSubject;

use crate::{App, AppError, ErrorCode};

/// Longest query, in characters after trimming.
pub const MAX_QUERY_CHARS: usize = 100;
/// Most hits one search returns.
pub const MAX_SEARCH_LIMIT: usize = 50;

/// Subject versions read from the store per step of a catch-up.
const SYNC_PAGE: u32 = 10_000;

/// One search result (an item of `GET /api/v1/subjects`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SubjectHit {
    pub uscc: String,
    pub name: String,
    #[serde(rename = "type")]
    pub subject_type: String,
    pub region: String,
}

/// The index and the lock that serialises its catch-ups in this process.
pub(crate) struct SearchIndex {
    index: Arc<SubjectIndex>,
    sync: tokio::sync::Mutex<()>,
}

impl SearchIndex {
    pub(crate) fn open(data_dir: &Path) -> Result<SearchIndex, AppError> {
        let index = SubjectIndex::open(&data_dir.join("search"))?;
        Ok(SearchIndex {
            index: Arc::new(index),
            sync: tokio::sync::Mutex::new(()),
        })
    }
}

impl From<SearchError> for AppError {
    fn from(e: SearchError) -> AppError {
        match e {
            SearchError::QueryTooLong { .. } => AppError {
                code: ErrorCode::InvalidQuery,
                detail: e.to_string(),
                field: Some("q".to_owned()),
            },
            // The index's directory on a full disk.
            other if crate::error::storage_full_in(&other) => AppError::storage_full(other),
            other => AppError::new(ErrorCode::Internal, other.to_string()),
        }
    }
}

/// Runs index work (which may wait for the other process's lock) off the
/// async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, SearchError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::new(ErrorCode::Internal, format!("search index worker: {e}")))?
        .map_err(AppError::from)
}

/// The mark of the index: the last subject `seq` indexed (0: none).
fn parse_mark(mark: Option<String>) -> i64 {
    mark.and_then(|m| m.parse().ok()).unwrap_or(0)
}

fn doc_of(s: &StoredSubject) -> Option<SubjectDoc> {
    // The index keys documents by well-formed codes; the store may hold
    // a code with a wrong check character (a warning), which is still one.
    Uscc::parse(&s.uscc).ok()?;
    let text = |name: &str| {
        s.body
            .get(name)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    Some(SubjectDoc {
        uscc: s.uscc.clone(),
        name: s.name.clone(),
        subject_type: s.subject_type.clone(),
        region: text("region"),
    })
}

impl App {
    /// The subjects best matching `q` (part of a name, any width, simplified
    /// or traditional, or part of a USCC), best first, at most `limit`.
    /// `q` must have 1 to [`MAX_QUERY_CHARS`] characters after trimming
    /// (else `invalid_query`), `limit` be 1 to [`MAX_SEARCH_LIMIT`] (else
    /// `invalid_request`, field `limit`).
    pub async fn search(&self, q: &str, limit: usize) -> Result<Vec<SubjectHit>, AppError> {
        let q = q.trim();
        let chars = q.chars().count();
        if chars == 0 || chars > MAX_QUERY_CHARS {
            return Err(AppError {
                code: ErrorCode::InvalidQuery,
                detail: format!(
                    "查询词 q 应为 1 至 {MAX_QUERY_CHARS} 个字符（去掉首尾空白后为 {chars} 个）"
                ),
                field: Some("q".to_owned()),
            });
        }
        if !(1..=MAX_SEARCH_LIMIT).contains(&limit) {
            return Err(AppError::invalid(
                "limit",
                format!("limit 应为 1 至 {MAX_SEARCH_LIMIT}（收到 {limit}）"),
            ));
        }
        let index = self.search.index.clone();
        let q = q.to_owned();
        let hits = blocking(move || index.search(&q, limit)).await?;
        Ok(hits
            .into_iter()
            .map(|h| SubjectHit {
                uscc: h.uscc,
                name: h.name,
                subject_type: h.subject_type,
                region: h.region,
            })
            .collect())
    }

    /// Bring the search index in step with the store (see the module
    /// documentation); returns the number of subject versions indexed.
    pub async fn sync_search_index(&self) -> Result<u64, AppError> {
        let _serial = self.search.sync.lock().await;
        let index = self.search.index.clone();
        // Most calls find nothing new: check without taking the lock.
        let seen = {
            let index = index.clone();
            parse_mark(blocking(move || index.mark()).await?)
        };
        if self.store.subject_versions_after(seen, 1).await?.is_empty() {
            return Ok(0);
        }
        {
            let index = index.clone();
            blocking(move || index.hold_writer()).await?;
        }
        match self.catch_up(&index).await {
            Ok(n) => Ok(n),
            Err(e) => {
                // Release the lock; the next catch-up starts from the mark.
                let _ = blocking(move || index.rollback()).await;
                Err(e)
            }
        }
    }

    async fn catch_up(&self, index: &Arc<SubjectIndex>) -> Result<u64, AppError> {
        let mut mark = {
            let index = index.clone();
            parse_mark(blocking(move || index.mark()).await?)
        };
        let mut indexed = 0u64;
        loop {
            let page = self.store.subject_versions_after(mark, SYNC_PAGE).await?;
            let Some(last) = page.last() else { break };
            mark = last.seq;
            let docs: Vec<SubjectDoc> = page.iter().filter_map(doc_of).collect();
            indexed += docs.len() as u64;
            let index = index.clone();
            blocking(move || index.upsert(&docs)).await?;
        }
        let index = index.clone();
        blocking(move || index.commit_with_mark(&mark.to_string())).await?;
        Ok(indexed)
    }
}
