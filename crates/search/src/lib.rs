//! xinyong-search: Chinese full-text search of subjects by name and USCC.
//!
//! The index behind `GET /api/v1/subjects?q=TEXT&limit=N`
//! (`INTERCHANGE.md` §4): `q` is part of a name (Chinese, any width,
//! simplified or traditional) or of a unified social credit code, and the
//! answer is the best matches first.
//!
//! # Use
//!
//! ```
//! use xinyong_search::{SubjectDoc, SubjectIndex};
//!
//! let index = SubjectIndex::in_memory()?; // or SubjectIndex::open(dir)?
//! index.upsert(&[SubjectDoc {
//!     uscc: "91210800MA0UY4XD2K".into(),
//!     name: "营口恒中机械有限公司".into(),
//!     subject_type: "enterprise".into(),
//!     region: "210804".into(),
//! }])?;
//! index.commit()?; // searchable from here on
//! for q in ["营口恒中", "恒中機械", "91210800MA", "Y4XD"] {
//!     let hits = index.search(q, 10)?;
//!     assert_eq!(hits[0].uscc, "91210800MA0UY4XD2K", "{q}");
//! }
//! # Ok::<(), xinyong_search::SearchError>(())
//! ```
//!
//! * [`SubjectIndex::open`] keeps the index in a directory and reopens it at
//!   start (several processes may keep one directory open and write in turn:
//!   see [`SubjectIndex`]); [`SubjectIndex::in_memory`] keeps it in memory.
//! * [`SubjectIndex::upsert`] adds subjects, replacing any with the same code;
//!   [`SubjectIndex::commit`] makes them durable and searchable before it
//!   returns, so an import that commits before it answers has its subjects
//!   findable when its response returns.
//! * [`SubjectIndex::search`] returns at most `limit` ([`MAX_LIMIT`] at most)
//!   [`Hit`]s, best first. It never panics: an empty or punctuation-only
//!   query finds nothing, and one longer than [`MAX_QUERY_CHARS`] characters
//!   is [`SearchError::QueryTooLong`]; names are matched against the first
//!   [`MAX_NAME_CHARS`] characters of its normal form, which bounds the cost
//!   of a query.
//!
//! # How names match
//!
//! Names and queries go through the same [`normalize`]: full-width forms to
//! half-width, traditional characters to simplified (OpenCC's tables, from
//! the `hanconv` crate), lower case, and only letters and digits kept. A
//! name is indexed five ways: the whole normalised name, its jieba words, its
//! character bigrams, its characters and its pinyin bigrams (the toneless
//! readings of neighbouring characters, from the `pinyin` crate). A query is
//! the union of the same of its own (characters only for queries of fewer
//! than four characters), weighted in that order with pinyin between bigrams
//! and characters (BM25 within each), so the exact name comes first, and an
//! abbreviation (营口恒中 for 营口恒中机械有限公司), a name without its region,
//! or one with a character typed as a homophone (张博 for 张波) still matches
//! on the bigrams and readings it shares.
//!
//! # How codes match
//!
//! A code is indexed as the 4-character grams of `^CODE$`, with positions. A
//! query of 4 to 18 characters of the USCC alphabet is also searched as a
//! code: the whole code, a prefix (the phrase of `^` and the query) and a
//! fragment anywhere (the phrase of the query), in that order, before the
//! name matches of the same query.

mod analysis;
mod index;
mod normalize;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use index::{LOCK_WAIT, MAX_LIMIT, MAX_NAME_CHARS, MAX_QUERY_CHARS, SubjectIndex};
pub use normalize::{half_width, normalize};

/// A subject as indexed: the subject line's fields that search shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectDoc {
    /// The unified social credit code (the key: one document per code).
    pub uscc: String,
    /// The registered name, as shown.
    pub name: String,
    /// The subject type (`INTERCHANGE.md` §2).
    #[serde(rename = "type")]
    pub subject_type: String,
    /// The GB/T 2260 region code.
    pub region: String,
}

/// One search result, in the shape of an item of the subjects API.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// The normalised code.
    pub uscc: String,
    /// The registered name, as indexed.
    pub name: String,
    /// The subject type.
    #[serde(rename = "type")]
    pub subject_type: String,
    /// The region code.
    pub region: String,
    /// Relevance (higher is better; comparable within one search only).
    #[serde(skip)]
    pub score: f32,
}

/// Why an index operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The index directory could not be created.
    #[error("cannot create the index directory {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The index directory could not be opened.
    #[error("cannot open the index directory {}: {source}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: tantivy::directory::error::OpenDirectoryError,
    },
    /// The index itself failed (a corrupt or incompatible index, a lock held
    /// by another process, an I/O error while writing or reading).
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// A document's code is not a well-formed USCC.
    #[error("cannot index subject {uscc:?}: {source}")]
    InvalidUscc {
        uscc: String,
        #[source]
        source: xinyong_core::uscc::UsccError,
    },
    /// The query is longer than [`MAX_QUERY_CHARS`].
    #[error("query of {chars} characters is longer than the {max} allowed")]
    QueryTooLong { chars: usize, max: usize },
    /// A writer panicked while holding the write lock; the index must be
    /// reopened.
    #[error("the index writer was poisoned by an earlier panic")]
    WriterPoisoned,
}
