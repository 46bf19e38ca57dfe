//! Data shared by the workflows' cases.

use serde::{Deserialize, Serialize};
use xinyong_core::time::Date;

use crate::Role;

/// A credit record, referred to as INTERCHANGE.md §4 does: by its source
/// (the producing department, 谁产生、谁负责) and the source's own id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RecordRef {
    /// Code of the department that produced the record, e.g. `SCJG`.
    pub source: String,
    /// The source's own identifier, e.g. `SCJG-CF-000001`.
    pub id: String,
}

impl RecordRef {
    /// A reference from its parts.
    pub fn new(source: impl Into<String>, id: impl Into<String>) -> RecordRef {
        RecordRef {
            source: source.into(),
            id: id.into(),
        }
    }
}

impl std::fmt::Display for RecordRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.source, self.id)
    }
}

/// A decision taken on a case: who, when, why.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Decision {
    /// The role it was taken in.
    pub by: Role,
    /// The day it was taken.
    pub on: Date,
    /// The reasons given (理由), never blank.
    pub reasons: String,
}

/// The withdrawal of a case by whoever may withdraw it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Withdrawal {
    /// The role it was made in.
    pub by: Role,
    /// The day it was made.
    pub on: Date,
    /// The reason given, possibly empty.
    pub reason: String,
}
