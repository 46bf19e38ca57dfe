//! The synthetic city's subjects as documents (shared by the tests and the
//! benchmark example).

use std::path::Path;

use xinyong_gen::GenConfig;
use xinyong_search::SubjectDoc;

/// Generates a city of `subjects` subjects with `seed` into `dir` and reads
/// back its subjects.
pub fn city(dir: &Path, subjects: u64, seed: u64) -> Vec<SubjectDoc> {
    xinyong_gen::generate(&GenConfig::new(subjects, seed), dir, &|_| {}).expect("generate");
    let text = std::fs::read_to_string(dir.join("subjects.jsonl")).expect("subjects.jsonl");
    text.lines()
        .map(|line| serde_json::from_str(line).expect("subject line"))
        .collect()
}
