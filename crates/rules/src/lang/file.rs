//! The model file format (TOML) and positions inside it.
//!
//! A model file is read with every expression kept together with its byte
//! span, so that a mistake inside an expression is reported at its line and
//! column in the file.

use serde::Deserialize;
use toml::Spanned;

use super::diagnostics::{Diagnostic, Positions};

/// An expression as written in the file, with its span.
pub type Src = Spanned<String>;

/// The whole model file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    pub id: Spanned<String>,
    pub version: Spanned<String>,
    pub name: String,
    pub kind: Spanned<String>,
    pub source: String,
    #[serde(default)]
    pub description: Option<String>,
    pub valid_from: Option<Spanned<toml::Value>>,
    pub valid_to: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub uses: Vec<Spanned<String>>,
    /// `public`, `subject_and_gov` or `gov_only`: who may see the results.
    #[serde(default)]
    pub visibility: Option<Spanned<String>>,
    pub params: Option<Spanned<toml::Table>>,
    #[serde(rename = "let")]
    pub lets: Option<Spanned<toml::Table>>,

    // classification
    #[serde(default, rename = "class")]
    pub classes: Vec<ClassFile>,
    pub default_class: Option<Spanned<String>>,
    pub default_label: Option<String>,

    // lists
    #[serde(default, rename = "outcome")]
    pub outcomes: Vec<OutcomeFile>,
    /// Lists models: which subjects the lists are kept for (evaluation over
    /// the store puts no other subject on them).
    pub applies_to: Option<Src>,

    // eligibility
    #[serde(default, rename = "condition")]
    pub conditions: Vec<RuleFile>,

    // scoring
    #[serde(default, rename = "dimension")]
    pub dimensions: Vec<DimensionFile>,
    #[serde(default, rename = "indicator")]
    pub indicators: Vec<IndicatorFile>,
    #[serde(default, rename = "veto")]
    pub vetoes: Vec<VetoFile>,
    #[serde(default, rename = "grade")]
    pub grades: Vec<GradeFile>,

    // record
    pub over: Option<Spanned<String>>,
    /// Record models: which records of kind `over` get a line (default: every one dated on or before T).
    pub select: Option<Src>,
    pub outcome_field: Option<Spanned<String>>,
    #[serde(default, rename = "rule")]
    pub rules: Vec<RuleFile>,
    pub output: Option<Spanned<toml::Table>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassFile {
    pub id: Spanned<String>,
    pub label: String,
    #[serde(default, rename = "rule")]
    pub rules: Vec<RuleFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeFile {
    pub list: Spanned<String>,
    pub label: String,
    #[serde(default, rename = "rule")]
    pub rules: Vec<RuleFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    pub id: Spanned<String>,
    pub when: Src,
    pub text: Src,
    /// Eligibility: the text when the condition fails.
    pub fail_text: Option<Src>,
    /// Record models: the outcome value this rule gives.
    pub value: Option<Src>,
    /// The records behind the rule (a set); by default they are traced.
    pub records: Option<Src>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DimensionFile {
    pub id: Spanned<String>,
    pub label: String,
    pub max: Spanned<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorFile {
    pub id: Spanned<String>,
    pub dimension: Spanned<String>,
    pub label: String,
    pub max: Spanned<f64>,
    /// The least points (default 0); below 0 the indicator is a deduction.
    #[serde(default)]
    pub min: Option<Spanned<f64>>,
    #[serde(default)]
    pub weight: Option<f64>,
    pub points: Src,
    pub text: Src,
    pub records: Option<Src>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VetoFile {
    pub id: Spanned<String>,
    pub when: Src,
    /// The best grade the subject can have while the veto holds.
    pub cap: Spanned<String>,
    pub text: Src,
    pub records: Option<Src>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeFile {
    pub id: Spanned<String>,
    pub label: String,
    /// Minimum score (inclusive); the last grade has no minimum.
    pub min: Option<f64>,
}

/// Parse the TOML of a model file, mapping TOML errors to line and column.
pub fn parse_file(file: &str, text: &str) -> Result<ModelFile, Diagnostic> {
    let pos = Positions::new(file, text);
    toml::from_str::<ModelFile>(text).map_err(|e| {
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        pos.error(offset, e.message().trim().to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_errors_with_position() {
        let text = "id = 'x'\nversion = '1'\nname = 'n'\nkind = 'classification'\nsource = 's'\nwhen_typo = 1\n";
        let e = parse_file("m.toml", text).unwrap_err();
        assert_eq!(e.line, 6, "{e}");
        assert!(e.message.contains("when_typo"), "{e}");
    }
}
