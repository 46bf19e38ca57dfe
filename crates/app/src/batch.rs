//! The store-less batch contract (INTERCHANGE.md §3): one model over files
//! (`xinyong evaluate`) and the model files themselves (`xinyong model
//! list|show|check`). No store is opened; a data directory only lends its
//! installed models (read only).

use std::path::{Path, PathBuf};

use jiff::civil::Date;
use serde::Serialize;
use serde_json::Value;
use xinyong_engine::models::{load_models, models_as_of};
use xinyong_import::{ImportError, Target, read_file};
use xinyong_rules::memory::{build_input, evaluate_lines};
use xinyong_rules::{EvalOptions, ModelSet};

use crate::{AppError, ErrorCode};

/// `xinyong evaluate`: one model over a subjects file and a records file.
#[derive(Debug, Clone)]
pub struct FileEvaluationRequest {
    /// Model id (built-in or installed in `data_dir`).
    pub model: String,
    pub subjects: PathBuf,
    pub records: PathBuf,
    pub as_of: Date,
    /// Honour each model's `applies_to` as evaluation over the store does.
    pub scoped: bool,
    /// Whose installed models are also available.
    pub data_dir: PathBuf,
}

/// What a file evaluation gives.
#[derive(Debug, Clone, Default)]
pub struct FileEvaluation {
    /// Result lines (INTERCHANGE.md §2), empty when a row is invalid.
    pub lines: Vec<Value>,
    /// Every invalid input row (file, line, field, reason): when any, nothing
    /// was evaluated.
    pub row_errors: Vec<String>,
    /// Said when the model is not in force at the date (evaluated anyway).
    pub note: Option<String>,
}

fn model_error(e: impl std::fmt::Display) -> AppError {
    AppError::new(ErrorCode::InvalidModel, e.to_string())
}

fn read_error(e: ImportError) -> AppError {
    match AppError::from(e) {
        // A file that cannot be read is the caller's to fix.
        e if e.code == ErrorCode::Internal => AppError::new(ErrorCode::UnusableInput, e.detail),
        e => e,
    }
}

/// Evaluate one model over files (see [`FileEvaluationRequest`]).
pub fn evaluate_files(req: &FileEvaluationRequest) -> Result<FileEvaluation, AppError> {
    let as_of = xinyong_core::time::days_since_epoch(req.as_of);
    let set = models_as_of(&req.data_dir, as_of).map_err(model_error)?;
    let Some(model) = set.find(&req.model, as_of) else {
        return Err(AppError::new(
            ErrorCode::UnknownModel,
            format!(
                "unknown model '{}' (known: {})",
                req.model,
                set.ids().join(", ")
            ),
        ));
    };
    let m = set.model(model);
    let note = (!m.in_force(as_of)).then(|| {
        format!(
            "{} {} is not in force on {} (valid from {}); evaluated anyway",
            req.model,
            m.version,
            req.as_of,
            m.valid_from
                .map(xinyong_rules::result::date_text)
                .unwrap_or_default()
        )
    });
    let subjects = read_file(&req.subjects, Target::Subjects).map_err(read_error)?;
    let records = read_file(&req.records, Target::Records).map_err(read_error)?;
    let row_errors: Vec<String> = subjects
        .errors
        .iter()
        .chain(&records.errors)
        .map(ToString::to_string)
        .collect();
    if !row_errors.is_empty() {
        return Ok(FileEvaluation {
            lines: Vec::new(),
            row_errors,
            note,
        });
    }
    let input = build_input(&subjects.subjects, &records.records)
        .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
    let opts = EvalOptions {
        scoped: req.scoped,
        ..EvalOptions::default()
    };
    Ok(FileEvaluation {
        lines: evaluate_lines(&set, &[model], &input, as_of, opts),
        row_errors: Vec::new(),
        note,
    })
}

/// A model file as `xinyong model list` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ModelFile {
    pub id: String,
    pub version: String,
    pub kind: Value,
    pub name: String,
    /// `YYYY-MM-DD`.
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub source: String,
    /// The file it was read from.
    pub file: String,
    pub rules: Vec<String>,
    /// The model file as written.
    #[serde(skip)]
    pub text: String,
}

fn model_files(set: &ModelSet) -> Vec<ModelFile> {
    set.models()
        .iter()
        .map(|m| ModelFile {
            id: m.id.clone(),
            version: m.version.clone(),
            kind: serde_json::to_value(m.kind).unwrap_or(Value::Null),
            name: m.name.clone(),
            valid_from: m.valid_from.map(xinyong_rules::result::date_text),
            valid_to: m.valid_to.map(xinyong_rules::result::date_text),
            source: m.source.clone(),
            file: m.origin.clone(),
            rules: m.rule_ids(),
            text: m.text.clone(),
        })
        .collect()
}

/// Every model version, built-in and installed in `data_dir`, in load order.
pub fn list_model_files(data_dir: &Path) -> Result<Vec<ModelFile>, AppError> {
    Ok(model_files(&load_models(data_dir).map_err(model_error)?))
}

/// Validate a model file against the models of `data_dir` (errors give
/// file:line:column): the model as it would be installed.
pub fn check_model_file(data_dir: &Path, file: &str, text: &str) -> Result<ModelFile, AppError> {
    let mut set = load_models(data_dir).map_err(model_error)?;
    let i = set.add(file, text).map_err(model_error)?;
    model_files(&set)
        .into_iter()
        .nth(i)
        .ok_or_else(|| AppError::new(ErrorCode::Internal, "the checked model is not in the set"))
}
