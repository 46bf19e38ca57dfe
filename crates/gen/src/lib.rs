//! xinyong-gen: the synthetic city.
//!
//! [`generate`] writes a deterministic city of credit subjects and records in
//! the interchange format (`../shared/spec/INTERCHANGE.md`):
//!
//! * `subjects.jsonl` and `records.jsonl`: a Yingkou free-trade-zone-like city
//!   (subject types, regions, industries, statuses and record volumes chosen
//!   to look like the real one; the numbers are documented in `city.rs`);
//! * `scenarios.jsonl`: one line per *scenario subject*, a subject built to
//!   satisfy exactly the named rules of one model of `PRODUCT.md` §4 at the
//!   as-of date (with boundary twins that just miss);
//! * with [`GenConfig::with_malformed`], `malformed/records.jsonl` and
//!   `malformed/subjects.jsonl`: rows with one deliberate error each.
//!
//! Output is a pure function of `(subjects, seed, reference_date)`: the same
//! configuration gives byte-identical files. Memory does not grow with the
//! number of subjects: rows are generated subject by subject and streamed.

mod city;
mod day;
mod malformed;
mod names;
mod out;
mod rng;
mod scenarios;
mod tables;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;
use xinyong_core::catalog::{DEPARTMENTS, KIND_CODES};

pub use jiff::civil::Date;
pub use malformed::MALFORMED_FIELD;

use crate::out::{Records, Sink};

/// Default anchor date of the scenarios (their as-of date) and the last day
/// of the city's history. Output never depends on today's date.
pub const REFERENCE_DATE: &str = "2026-10-31";

/// Size of the default city: the Yingkou free-trade zone has about 8,800
/// registered market subjects (seed 001, case 17).
pub const DEFAULT_SUBJECTS: u64 = 8_800;

/// Earliest supported reference date (the city's history starts 2018-01-01).
const MIN_REFERENCE: Date = jiff::civil::date(2019, 1, 1);
/// Latest supported reference date.
const MAX_REFERENCE: Date = jiff::civil::date(2099, 12, 31);

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenConfig {
    /// Number of subjects (scenario subjects included).
    pub subjects: u64,
    /// Seed of the pseudo-random generator.
    pub seed: u64,
    /// As-of date of the scenarios and last day of the history
    /// (default [`REFERENCE_DATE`]).
    pub reference_date: Date,
    /// Also write `malformed/records.jsonl` and `malformed/subjects.jsonl`.
    pub with_malformed: bool,
}

impl GenConfig {
    /// `subjects` subjects with `seed`, the default reference date, no
    /// malformed files.
    pub fn new(subjects: u64, seed: u64) -> GenConfig {
        GenConfig {
            subjects,
            seed,
            reference_date: default_reference_date(),
            with_malformed: false,
        }
    }
}

impl Default for GenConfig {
    fn default() -> GenConfig {
        GenConfig::new(DEFAULT_SUBJECTS, 0)
    }
}

/// [`REFERENCE_DATE`] as a date.
pub fn default_reference_date() -> Date {
    jiff::civil::date(2026, 10, 31)
}

/// What was generated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GenSummary {
    /// Subjects written (scenario subjects included).
    pub subjects: u64,
    /// Records written to `records.jsonl` (malformed rows not included).
    pub records: u64,
    /// Records per kind code; every catalogue kind is a key (possibly 0).
    pub by_kind: BTreeMap<String, u64>,
    /// Records per department code (`source`); departments with records only.
    pub by_source: BTreeMap<String, u64>,
    /// Scenario subjects written (lines of `scenarios.jsonl`).
    pub scenarios: u64,
    /// Wall-clock time of the run, in milliseconds (not part of the output files).
    pub elapsed_ms: u64,
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum GenError {
    /// A file or directory could not be created or written.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The configuration cannot be honoured.
    #[error("invalid generator configuration: {0}")]
    Config(String),
}

impl GenError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> GenError {
        GenError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// How often the progress callback is called (in subjects).
const PROGRESS_EVERY: u64 = 4_096;

/// Generates the city into `out_dir` (created if missing). `progress` is
/// called with the number of subjects done, every few thousand subjects and
/// once at the end.
pub fn generate(
    cfg: &GenConfig,
    out_dir: &Path,
    progress: &dyn Fn(u64),
) -> Result<GenSummary, GenError> {
    let started = Instant::now();
    if cfg.reference_date < MIN_REFERENCE || cfg.reference_date > MAX_REFERENCE {
        return Err(GenError::Config(format!(
            "reference_date {} must be between {MIN_REFERENCE} and {MAX_REFERENCE}",
            cfg.reference_date
        )));
    }
    std::fs::create_dir_all(out_dir).map_err(|e| GenError::io(out_dir, e))?;

    let world = city::World::new(cfg.seed, cfg.reference_date);
    let mut subjects = Sink::create(&out_dir.join("subjects.jsonl"))?;
    let mut records = Records::new(Sink::create(&out_dir.join("records.jsonl"))?);
    let mut scen_sink = Sink::create(&out_dir.join("scenarios.jsonl"))?;

    let plan = scenarios::Plan::new(&world, cfg.subjects);
    let mut next_scenario = 0usize;
    let mut city = city::CityGen::new(&world);
    for i in 0..cfg.subjects {
        if plan.position(next_scenario) == Some(i) {
            plan.emit(
                next_scenario,
                &world,
                i,
                &mut subjects,
                &mut records,
                &mut scen_sink,
            )?;
            next_scenario += 1;
        } else {
            city.subject(i, &mut subjects, &mut records);
        }
        subjects.maybe_flush()?;
        records.maybe_flush()?;
        if (i + 1) % PROGRESS_EVERY == 0 {
            progress(i + 1);
        }
    }
    scen_sink.finish()?;
    subjects.finish()?;
    let by_kind_counts = records.by_kind;
    let by_source_counts = records.by_source;
    let total = records.total;
    records.sink.finish()?;

    if cfg.with_malformed {
        malformed::write(&world, &out_dir.join("malformed"))?;
    }
    progress(cfg.subjects);

    let by_kind = KIND_CODES
        .iter()
        .zip(by_kind_counts)
        .map(|(k, n)| ((*k).to_owned(), n))
        .collect();
    let by_source = DEPARTMENTS
        .iter()
        .zip(by_source_counts)
        .filter(|(_, n)| *n > 0)
        .map(|(d, n)| (d.code.to_owned(), n))
        .collect();
    Ok(GenSummary {
        subjects: cfg.subjects,
        records: total,
        by_kind,
        by_source,
        scenarios: next_scenario as u64,
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
}
