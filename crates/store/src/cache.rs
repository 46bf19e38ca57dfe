//! Small in-process caches of append-only lookup tables (departments,
//! provenances). They only ever hold rows that are committed, so a rolled
//! back chunk cannot leave a stale entry; the database stays the authority
//! (inserts are `ON CONFLICT DO NOTHING`).

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};

#[derive(Debug, Default)]
pub(crate) struct Caches {
    departments: Mutex<HashSet<String>>,
    provenances: Mutex<HashMap<(String, String), i64>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

impl Caches {
    /// Codes of `sources` not known to be registered, deduplicated, sorted.
    pub fn unknown_departments<'a>(&self, sources: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
        let known = lock(&self.departments);
        let mut out: Vec<&'a str> = sources.filter(|s| !known.contains(*s)).collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    pub fn add_departments<'a>(&self, codes: impl Iterator<Item = &'a str>) {
        let mut known = lock(&self.departments);
        for c in codes {
            known.insert(c.to_owned());
        }
    }

    pub fn provenance(&self, actor: &str, reason: &str) -> Option<i64> {
        lock(&self.provenances)
            .get(&(actor.to_owned(), reason.to_owned()))
            .copied()
    }

    pub fn add_provenance(&self, actor: &str, reason: &str, id: i64) {
        lock(&self.provenances).insert((actor.to_owned(), reason.to_owned()), id);
    }
}
