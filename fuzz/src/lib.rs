//! Shared helpers of the fuzz targets (docs/FUZZING.md): scratch files for
//! the readers that take a path, TOML string quoting for the model-language
//! templates, and a small synthetic city to evaluate compiled models over.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

/// A scratch directory for this process, in memory when `/dev/shm` exists.
pub fn scratch_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        let mut b = tempfile::Builder::new();
        b.prefix("xinyong-fuzz-");
        if shm.is_dir() {
            b.tempdir_in(shm)
        } else {
            b.tempdir()
        }
        .expect("scratch directory")
    })
    .path()
}

/// Write `data` to `<scratch>/input.<ext>` (replacing the last input).
pub fn scratch_file(ext: &str, data: &[u8]) -> PathBuf {
    let path = scratch_dir().join(format!("input.{ext}"));
    std::fs::write(&path, data).expect("write scratch file");
    path
}

/// `s` as a TOML basic string, quotes included.
pub fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The reference day of the small city (the generator's default).
pub fn city_day() -> xinyong_core::Date {
    xinyong_gen::GenConfig::default().reference_date
}

/// A small synthetic city (`xinyong-gen`, 40 subjects, seed 3) as JSON
/// objects: subjects and records, generated once per process.
pub fn small_city() -> &'static (Vec<Value>, Vec<Value>) {
    static CITY: OnceLock<(Vec<Value>, Vec<Value>)> = OnceLock::new();
    CITY.get_or_init(|| {
        let dir = scratch_dir().join("city");
        xinyong_gen::generate(&xinyong_gen::GenConfig::new(40, 3), &dir, &|_| {})
            .expect("generate the small city");
        let read = |name: &str| -> Vec<Value> {
            std::fs::read_to_string(dir.join(name))
                .expect("read the small city")
                .lines()
                .map(|l| serde_json::from_str(l).expect("generated line"))
                .collect()
        };
        (read("subjects.jsonl"), read("records.jsonl"))
    })
}

/// Read `data` as a file of format `ext` through the importer's reader
/// (`xinyong_import::read_file`: detection, streaming, coercion and
/// validation): the first byte tells what the file is expected to hold
/// (even: records, odd: subjects; the seeds start with `R` or `S`).
pub fn read_as(ext: &str, data: &[u8]) {
    let Some((&selector, content)) = data.split_first() else {
        return;
    };
    let expected = if selector & 1 == 0 {
        xinyong_import::Target::Records
    } else {
        xinyong_import::Target::Subjects
    };
    let path = scratch_file(ext, content);
    match xinyong_import::read_file(&path, expected) {
        Ok(rows) => {
            for e in &rows.errors {
                assert!(e.row >= 1, "row numbers start at 1: {e:?}");
            }
            match expected {
                xinyong_import::Target::Records => assert!(rows.subjects.is_empty()),
                xinyong_import::Target::Subjects => assert!(rows.records.is_empty()),
            }
        }
        Err(xinyong_import::ImportError::Unusable { .. }) => {}
        Err(e) => panic!("reading a file in memory failed: {e}"),
    }
}

/// The built-in models, compiled once.
pub fn builtin_models() -> &'static xinyong_rules::ModelSet {
    static SET: OnceLock<xinyong_rules::ModelSet> = OnceLock::new();
    SET.get_or_init(|| xinyong_rules::ModelSet::builtin().expect("the built-in models compile"))
}

/// The small city as the evaluator's in-memory tables.
pub fn city_input() -> &'static xinyong_rules::memory::MemoryInput {
    static INPUT: OnceLock<xinyong_rules::memory::MemoryInput> = OnceLock::new();
    INPUT.get_or_init(|| {
        let (subjects, records) = small_city();
        let obj = |v: &Value| v.as_object().expect("an object").clone();
        let subjects: Vec<_> = subjects
            .iter()
            .map(|s| xinyong_core::record::validate_subject(obj(s)).expect("a valid subject"))
            .collect();
        let records: Vec<_> = records
            .iter()
            .map(|r| xinyong_core::record::validate_record(obj(r)).expect("a valid record"))
            .collect();
        xinyong_rules::memory::build_input(&subjects, &records).expect("the city's tables")
    })
}

/// Compile `text` as a model file next to the built-in models; when it
/// compiles, evaluate it over the small city as of the city's day, with
/// reasons and `stops_on`.
pub fn compile_and_evaluate(text: &str) {
    let mut set = builtin_models().clone();
    let Ok(idx) = set.add("fuzz.toml", text) else {
        return;
    };
    let as_of = xinyong_core::time::days_since_epoch(city_day());
    let lines = xinyong_rules::memory::evaluate_lines(
        &set,
        &[idx],
        city_input(),
        as_of,
        xinyong_rules::EvalOptions::default(),
    );
    for line in lines {
        // Every result line is a JSON object that serialises.
        assert!(line.is_object(), "{line}");
        let _ = serde_json::to_string(&line).expect("a result line serialises");
    }
}

/// The vocabulary of the measures (catalogued lists, built-in models).
pub fn measures_vocabulary() -> &'static xinyong_measures::Vocabulary {
    static VOCAB: OnceLock<xinyong_measures::Vocabulary> = OnceLock::new();
    VOCAB.get_or_init(|| xinyong_measures::Vocabulary::from_models(builtin_models()))
}

/// A few subjects' facts to try triggers and catalogues on: none, a good
/// grade and a red list, a bad class, a blacklist and a commitment bar.
pub fn sample_facts() -> Vec<xinyong_measures::SubjectFacts> {
    use xinyong_measures::SubjectFacts;
    let day = city_day();
    let earlier = jiff::civil::date(2024, 2, 29);
    vec![
        SubjectFacts::new(),
        SubjectFacts::new()
            .with("yingkou-composite", "A")
            .with("xinyidai-eligibility", xinyong_measures::ELIGIBLE)
            .listed("renfang_redlist", earlier, None),
        SubjectFacts::new()
            .with("anhui-class", "severely_dishonest")
            .with("yingkou-composite", "D")
            .listed("dishonest_debtor", earlier, Some(day))
            .listed("abnormal_operation", day, None)
            .barred_until(day),
    ]
}
