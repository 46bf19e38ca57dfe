//! `xinyong evaluate --model M --subjects F --records F --as-of D [--out F]`:
//! one model over files, without a store (INTERCHANGE.md §3).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use xinyong_app::batch::{FileEvaluationRequest, evaluate_files};
use xinyong_app::{AppError, ErrorClass};

use crate::{fail, parse_day};

/// A store-less command's error: its detail, exit 2 for the caller's
/// class, 1 for the system's.
pub fn batch_fail(e: AppError) -> ExitCode {
    let code = match e.class() {
        ErrorClass::Caller => 2,
        ErrorClass::System => 1,
    };
    fail(code, e.detail)
}

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
    /// Honour each model's `applies_to` as evaluation over the store does (a
    /// subject outside a lists model's scope is on none of its lists, outside
    /// any other model's scope it has no result line). By default the
    /// model's rules are applied to every subject given.
    #[arg(long)]
    pub scoped: bool,
    /// Data directory whose installed models are also available (read only).
    #[arg(long, env = "XINYONG_DATA_DIR", default_value = "xinyong-data")]
    pub data_dir: PathBuf,
}

/// Exit 0 on success; 2 when an input row is invalid (every bad row printed
/// to stderr with line, field and reason) or the input is unusable.
pub fn run(a: EvaluateArgs) -> ExitCode {
    let out = a.out;
    let req = FileEvaluationRequest {
        model: a.model,
        subjects: a.subjects,
        records: a.records,
        as_of: a.as_of,
        scoped: a.scoped,
        data_dir: a.data_dir,
    };
    let done = match evaluate_files(&req) {
        Ok(d) => d,
        Err(e) => return batch_fail(e),
    };
    if let Some(note) = &done.note {
        eprintln!("xinyong: note: {note}");
    }
    if !done.row_errors.is_empty() {
        for e in &done.row_errors {
            eprintln!("{e}");
        }
        return fail(
            2,
            format!(
                "{} invalid input rows; nothing evaluated",
                done.row_errors.len()
            ),
        );
    }
    let lines = done.lines;
    let mut text = String::with_capacity(lines.len() * 256);
    for l in &lines {
        text.push_str(&l.to_string());
        text.push('\n');
    }
    match &out {
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
