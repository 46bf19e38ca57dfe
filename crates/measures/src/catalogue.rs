//! The measures catalogue (联合奖惩措施清单): a versioned TOML file of joint
//! reward and punishment measures, each with its legal basis, implementing
//! department, trigger, scenarios and validity dates.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use toml::Spanned;
use xinyong_core::time::Date;

use crate::diag::{LoadError, Positions, is_id, parse_toml};
use crate::facts::SubjectFacts;
use crate::trigger::Trigger;
use crate::vocab::Vocabulary;

/// The built-in measures catalogue: file name and text.
pub const BUILTIN_CATALOGUE: (&str, &str) =
    ("measures.toml", include_str!("../catalogue/measures.toml"));

/// Where a credit check is made (PRODUCT.md C10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    /// 行政审批: administrative approval (intake of an application).
    Approval,
    /// 政府采购: government procurement and purchase of services.
    Procurement,
    /// 财政资金支持: subsidies and other government funding.
    Subsidy,
    /// 监督检查: supervision and inspection.
    Inspection,
    /// 评优评先: honours and awards.
    Honor,
    /// 招标投标: tendering and bidding.
    Bidding,
}

impl Scenario {
    /// Every scenario, in the order of INTERCHANGE.md §4.
    pub const ALL: [Scenario; 6] = [
        Scenario::Approval,
        Scenario::Procurement,
        Scenario::Subsidy,
        Scenario::Inspection,
        Scenario::Honor,
        Scenario::Bidding,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scenario::Approval => "approval",
            Scenario::Procurement => "procurement",
            Scenario::Subsidy => "subsidy",
            Scenario::Inspection => "inspection",
            Scenario::Honor => "honor",
            Scenario::Bidding => "bidding",
        }
    }

    pub fn parse(s: &str) -> Option<Scenario> {
        Scenario::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The scenario in Chinese.
    pub fn label_zh(self) -> &'static str {
        match self {
            Scenario::Approval => "行政审批",
            Scenario::Procurement => "政府采购",
            Scenario::Subsidy => "财政资金支持",
            Scenario::Inspection => "监督检查",
            Scenario::Honor => "评优评先",
            Scenario::Bidding => "招标投标",
        }
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a measure rewards or punishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureType {
    /// 守信激励.
    Incentive,
    /// 失信惩戒 (or a restraint for poor credit).
    Punishment,
}

impl MeasureType {
    pub fn as_str(self) -> &'static str {
        match self {
            MeasureType::Incentive => "incentive",
            MeasureType::Punishment => "punishment",
        }
    }

    pub fn parse(s: &str) -> Option<MeasureType> {
        match s {
            "incentive" => Some(MeasureType::Incentive),
            "punishment" => Some(MeasureType::Punishment),
            _ => None,
        }
    }
}

/// One legal basis: a document and, where the sources give it, the article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LegalBasis {
    /// The document, as it is cited (e.g. `《…暂行办法》（建审〔2020〕66号）`).
    pub document: String,
    /// The article (e.g. `第十八条第（一）项`), when the sources give it.
    pub article: Option<String>,
}

impl fmt::Display for LegalBasis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.document)?;
        if let Some(a) = &self.article {
            f.write_str(a)?;
        }
        Ok(())
    }
}

/// The legal bases joined into one text (`；` between them).
pub(crate) fn basis_text(basis: &[LegalBasis]) -> String {
    basis
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("；")
}

/// One measure of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measure {
    pub id: String,
    pub kind: MeasureType,
    /// What is done, in Chinese.
    pub text: String,
    /// The legal basis, at least one.
    pub basis: Vec<LegalBasis>,
    /// The implementing department (实施部门), as the source names it.
    pub department: String,
    /// When the measure applies to a subject.
    pub trigger: Trigger,
    /// The scenarios in which it applies, at least one.
    pub scenarios: Vec<Scenario>,
    /// First day in force (inclusive), if any.
    pub valid_from: Option<Date>,
    /// Last day in force (inclusive), if any.
    pub valid_to: Option<Date>,
    /// Where the platform took it from (seed and case, digest section).
    pub source: String,
    pub note: Option<String>,
}

impl Measure {
    /// The legal bases as one text.
    pub fn legal_basis(&self) -> String {
        basis_text(&self.basis)
    }

    /// Whether the measure is in force during day `on`.
    pub fn valid_on(&self, on: Date) -> bool {
        self.valid_from.is_none_or(|f| f <= on) && self.valid_to.is_none_or(|t| on <= t)
    }

    /// Whether the measure applies to `facts` in `scenario` on `on`: it is
    /// in force, made for the scenario, and its trigger holds.
    pub fn applies(&self, facts: &SubjectFacts, scenario: Scenario, on: Date) -> bool {
        self.valid_on(on) && self.scenarios.contains(&scenario) && self.trigger.holds(facts, on)
    }

    /// The measure as a line of a credit check's answer (INTERCHANGE.md §4).
    pub fn line(&self) -> MeasureLine {
        MeasureLine {
            id: self.id.clone(),
            kind: self.kind,
            text: self.text.clone(),
            legal_basis: self.legal_basis(),
        }
    }
}

/// A measure as the credit check answers it: `{"id", "type", "text",
/// "legal_basis"}` (INTERCHANGE.md §4, `POST /api/v1/credit-checks`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasureLine {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: MeasureType,
    pub text: String,
    pub legal_basis: String,
}

/// A loaded, validated measures catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalogue {
    pub version: String,
    pub name: String,
    pub description: Option<String>,
    /// The catalogue version's first and last day in force (for choosing
    /// among installed versions; each measure has its own window).
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
    /// The file it was read from.
    pub origin: String,
    /// The file as written.
    pub text: String,
    measures: Vec<Measure>,
}

impl Catalogue {
    /// Load and validate a catalogue file. Every mistake is reported with
    /// its line and column: TOML syntax, unknown or missing keys, ids,
    /// types, scenarios, dates, legal bases and triggers (unknown model,
    /// class, grade, list or category, misused function).
    pub fn load(file: &str, text: &str, vocab: &Vocabulary) -> Result<Catalogue, LoadError> {
        let f: CatalogueFile = parse_toml(file, text)?;
        let mut pos = Positions::new(file, text);
        let version = pos.text(&f.version, "version");
        let name = pos.text(&f.name, "name");
        let (valid_from, valid_to) = pos.window(&f.valid_from, &f.valid_to);
        if f.measures.is_empty() {
            pos.wrong(0, "a catalogue needs [[measure]] entries");
        }
        let mut first_at: HashMap<String, usize> = HashMap::new();
        let mut measures = Vec::new();
        for m in &f.measures {
            let id = m.id.get_ref().trim().to_owned();
            if !is_id(&id) {
                pos.wrong(
                    m.id.span().start,
                    "a measure id uses lower-case letters, digits and '-', starting with a letter",
                );
            } else if let Some(&first) = first_at.get(&id) {
                let line = pos.line_col(first).0;
                pos.wrong(
                    m.id.span().start,
                    format!("duplicate measure id '{id}' (first at line {line})"),
                );
            } else {
                first_at.insert(id.clone(), m.id.span().start);
            }
            let kind = MeasureType::parse(m.kind.get_ref());
            if kind.is_none() {
                pos.wrong(m.kind.span().start, "type must be incentive or punishment");
            }
            let text = pos.text(&m.text, "text");
            let department = pos.text(&m.department, "department");
            let source = pos.text(&m.source, "source");
            let basis = bases(&mut pos, &m.basis);
            let scenarios = scenarios(&mut pos, &m.scenarios);
            let (from, to) = pos.window(&m.valid_from, &m.valid_to);
            let trigger = trigger(&mut pos, &m.trigger, vocab);
            if let (Some(kind), Some(trigger)) = (kind, trigger) {
                measures.push(Measure {
                    id,
                    kind,
                    text,
                    basis,
                    department,
                    trigger,
                    scenarios,
                    valid_from: from,
                    valid_to: to,
                    source,
                    note: m.note.clone(),
                });
            }
        }
        pos.finish()?;
        Ok(Catalogue {
            version,
            name,
            description: f.description,
            valid_from,
            valid_to,
            origin: file.to_owned(),
            text: text.to_owned(),
            measures,
        })
    }

    /// The built-in catalogue (`catalogue/measures.toml`), checked against
    /// `vocab` (the models in force and the catalogued lists).
    pub fn builtin(vocab: &Vocabulary) -> Result<Catalogue, LoadError> {
        Catalogue::load(BUILTIN_CATALOGUE.0, BUILTIN_CATALOGUE.1, vocab)
    }

    /// Every measure, in file order.
    pub fn measures(&self) -> &[Measure] {
        &self.measures
    }

    /// The measure `id`.
    pub fn measure(&self, id: &str) -> Option<&Measure> {
        self.measures.iter().find(|m| m.id == id)
    }

    /// Whether this catalogue version is in force during day `on`.
    pub fn in_force(&self, on: Date) -> bool {
        self.valid_from.is_none_or(|f| f <= on) && self.valid_to.is_none_or(|t| on <= t)
    }

    /// The measures that apply to `facts` in `scenario` on `on`, in file
    /// order: exactly those in force on `on`, made for `scenario`, whose
    /// trigger holds.
    pub fn applicable(&self, facts: &SubjectFacts, scenario: Scenario, on: Date) -> Vec<&Measure> {
        self.measures
            .iter()
            .filter(|m| m.applies(facts, scenario, on))
            .collect()
    }
}

/// The legal bases of an entry (at least one, none blank).
pub(crate) fn bases(pos: &mut Positions, v: &Spanned<Vec<BasisFile>>) -> Vec<LegalBasis> {
    if v.get_ref().is_empty() {
        pos.wrong(v.span().start, "basis must name at least one document");
    }
    v.get_ref()
        .iter()
        .map(|b| LegalBasis {
            document: pos.text(&b.document, "basis document"),
            article: b.article.as_ref().map(|a| pos.text(a, "basis article")),
        })
        .collect()
}

fn scenarios(pos: &mut Positions, v: &Spanned<Vec<Spanned<String>>>) -> Vec<Scenario> {
    if v.get_ref().is_empty() {
        pos.wrong(v.span().start, "scenarios must name at least one scenario");
    }
    let mut out = Vec::new();
    for s in v.get_ref() {
        match Scenario::parse(s.get_ref()) {
            Some(x) if out.contains(&x) => {
                pos.wrong(s.span().start, format!("scenario '{x}' is listed twice"));
            }
            Some(x) => out.push(x),
            None => pos.wrong(
                s.span().start,
                format!(
                    "unknown scenario '{}' (one of {})",
                    s.get_ref(),
                    Scenario::ALL.map(Scenario::as_str).join(", ")
                ),
            ),
        }
    }
    out
}

/// Compile a trigger written at `v`, reporting its mistakes at their
/// positions in the file.
pub(crate) fn trigger(
    pos: &mut Positions,
    v: &Spanned<String>,
    vocab: &Vocabulary,
) -> Option<Trigger> {
    let base = pos.string_content_start(v.span());
    match Trigger::compile(v.get_ref(), vocab) {
        Ok(t) => Some(t),
        Err(errors) => {
            for e in errors {
                pos.wrong(base + e.offset, format!("trigger: {}", e.message));
            }
            None
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    version: Spanned<String>,
    name: Spanned<String>,
    #[serde(default)]
    description: Option<String>,
    valid_from: Option<Spanned<toml::Value>>,
    valid_to: Option<Spanned<toml::Value>>,
    #[serde(default, rename = "measure")]
    measures: Vec<MeasureFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MeasureFile {
    id: Spanned<String>,
    #[serde(rename = "type")]
    kind: Spanned<String>,
    text: Spanned<String>,
    department: Spanned<String>,
    trigger: Spanned<String>,
    scenarios: Spanned<Vec<Spanned<String>>>,
    basis: Spanned<Vec<BasisFile>>,
    source: Spanned<String>,
    #[serde(default)]
    note: Option<String>,
    valid_from: Option<Spanned<toml::Value>>,
    valid_to: Option<Spanned<toml::Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BasisFile {
    document: Spanned<String>,
    #[serde(default)]
    article: Option<Spanned<String>>,
}
