//! `xinyong evaluate --model M --subjects F --records F --as-of D [--out F]`:
//! one model over files, without a store (INTERCHANGE.md §3).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use xinyong_import::{Target, read_file};
use xinyong_rules::EvalOptions;
use xinyong_rules::memory::{build_input, evaluate_lines};

use crate::{fail, parse_day};

#[derive(Args)]
pub struct EvaluateArgs {
    /// Model id (built-in or installed in --data-dir).
    #[arg(long)]
    pub model: String,
    /// Subjects file.
    #[arg(long)]
    pub subjects: PathBuf,
    /// Records file.
    #[arg(long)]
    pub records: PathBuf,
    /// As-of date YYYY-MM-DD.
    #[arg(long, value_parser = parse_day)]
    pub as_of: jiff::civil::Date,
    /// Output file (default: stdout). Nothing is written when an input row is invalid.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Honour each lists model's `applies_to` as evaluation over the store
    /// does (a subject outside a list's scope is on none of its lists). By
    /// default the model's rules are applied to every subject given.
    #[arg(long)]
    pub scoped: bool,
    /// Data directory whose installed models are also available (read only).
    #[arg(long, env = "XINYONG_DATA_DIR", default_value = "xinyong-data")]
    pub data_dir: PathBuf,
}

/// Exit 0 on success; 2 when an input row is invalid (every bad row printed
/// to stderr with line, field and reason) or the input is unusable.
pub fn run(a: EvaluateArgs) -> ExitCode {
    let as_of = xinyong_core::time::days_since_epoch(a.as_of);
    let set = match xinyong_engine::models::models_as_of(&a.data_dir, as_of) {
        Ok(s) => s,
        Err(e) => return fail(2, e),
    };
    let Some(model) = set.find(&a.model, as_of) else {
        return fail(
            2,
            format!(
                "unknown model '{}' (known: {})",
                a.model,
                set.ids().join(", ")
            ),
        );
    };
    if !set.model(model).in_force(as_of) {
        eprintln!(
            "xinyong: note: {} {} is not in force on {} (valid from {}); evaluated anyway",
            a.model,
            set.model(model).version,
            a.as_of,
            set.model(model)
                .valid_from
                .map(xinyong_rules::result::date_text)
                .unwrap_or_default()
        );
    }
    let subjects = match read_file(&a.subjects, Target::Subjects) {
        Ok(r) => r,
        Err(e) => return fail(2, e),
    };
    let records = match read_file(&a.records, Target::Records) {
        Ok(r) => r,
        Err(e) => return fail(2, e),
    };
    let errors: Vec<_> = subjects.errors.iter().chain(&records.errors).collect();
    if !errors.is_empty() {
        for e in &errors {
            eprintln!("{e}");
        }
        return fail(
            2,
            format!("{} invalid input rows; nothing evaluated", errors.len()),
        );
    }
    let input = match build_input(&subjects.subjects, &records.records) {
        Ok(i) => i,
        Err(e) => return fail(1, e),
    };
    let opts = EvalOptions {
        scoped: a.scoped,
        ..EvalOptions::default()
    };
    let lines = evaluate_lines(&set, &[model], &input, as_of, opts);
    let mut text = String::with_capacity(lines.len() * 256);
    for l in &lines {
        text.push_str(&l.to_string());
        text.push('\n');
    }
    match &a.out {
        Some(path) => {
            let tmp = path.with_extension("tmp-xinyong");
            let written = std::fs::write(&tmp, &text).and_then(|_| std::fs::rename(&tmp, path));
            if let Err(e) = written {
                let _ = std::fs::remove_file(&tmp);
                return fail(1, format!("{}: {e}", path.display()));
            }
        }
        None => {
            let mut out = std::io::stdout().lock();
            if out
                .write_all(text.as_bytes())
                .and_then(|_| out.flush())
                .is_err()
            {
                return ExitCode::from(1);
            }
        }
    }
    ExitCode::SUCCESS
}
