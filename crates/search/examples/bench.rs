//! Indexing and query times on a generated city.
//!
//! `cargo run --release -p xinyong-search --example bench -- N [DIR]`
//! generates a city of N subjects (default 100,000; seed 0), indexes it (in
//! DIR when given, else in memory) and times 1,000 searches of the kinds
//! people type: a name without its region and form, a trade name, a
//! traditional name, a code prefix and a code fragment.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use xinyong_search::{SubjectDoc, SubjectIndex};

const QUERIES: usize = 1_000;
const LIMIT: usize = 10;
/// Subjects upserted per call (an import's chunk).
const CHUNK: usize = 5_000;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().map_or(100_000, |a| a.parse().expect("N"));
    let on_disk = args.next();

    let tmp = tempfile::tempdir().expect("tempdir");
    let t = Instant::now();
    let docs = common::city(tmp.path(), n, 0);
    println!("generated {} subjects in {:.1?}", docs.len(), t.elapsed());

    let index = match &on_disk {
        Some(dir) => SubjectIndex::open(dir.as_ref()).expect("open"),
        None => SubjectIndex::in_memory().expect("index"),
    };
    let t = Instant::now();
    for chunk in docs.chunks(CHUNK) {
        index.upsert(chunk).expect("upsert");
    }
    index.commit().expect("commit");
    let took = t.elapsed();
    println!(
        "indexed {} subjects in {took:.1?} ({:.0} subjects/s)",
        index.num_docs(),
        docs.len() as f64 / took.as_secs_f64()
    );

    let queries = queries(&docs);
    let mut timed: Vec<(Duration, &str)> = Vec::with_capacity(queries.len());
    let mut found = 0usize;
    for (q, expect) in &queries {
        let t = Instant::now();
        let hits = index.search(q, LIMIT).expect("search");
        timed.push((t.elapsed(), q));
        found += usize::from(hits.iter().any(|h| &h.uscc == expect));
    }
    timed.sort();
    let times: Vec<Duration> = timed.iter().map(|t| t.0).collect();
    let at = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    println!(
        "{} searches (limit {LIMIT}): p50 {:.2?}, p99 {:.2?}, max {:.2?}; expected subject in the hits: {found}",
        times.len(),
        at(0.50),
        at(0.99),
        at(1.0),
    );
    println!("slowest: {:?}", &timed[timed.len().saturating_sub(5)..]);

    // The longest query accepted: names run together.
    let longest: String = docs
        .iter()
        .flat_map(|d| d.name.chars())
        .take(xinyong_search::MAX_QUERY_CHARS)
        .collect();
    let t = Instant::now();
    let hits = index.search(&longest, LIMIT).expect("search");
    println!(
        "a query of {} characters: {:.2?}, {} hits",
        longest.chars().count(),
        t.elapsed(),
        hits.len()
    );
}

/// [`QUERIES`] queries over subjects spread over the city, with the code of
/// the subject each is derived from.
fn queries(docs: &[SubjectDoc]) -> Vec<(String, String)> {
    let step = (docs.len() / QUERIES).max(1);
    docs.iter()
        .step_by(step)
        .take(QUERIES)
        .enumerate()
        .map(|(i, d)| {
            let chars: Vec<char> = d.name.chars().collect();
            let q = match i % 5 {
                0 if chars.len() > 6 => chars[2..chars.len() - 4].iter().collect(),
                0 | 1 => chars[..6.min(chars.len())].iter().collect(),
                2 => hanconv::s2t(&d.name),
                3 => d.uscc[..14].to_owned(),
                _ => d.uscc[10..16].to_owned(),
            };
            (q, d.uscc.clone())
        })
        .collect()
}
