//! The approval matters catalogue (信用审批事项清单): the approval matters
//! under credit-based approval, and for each whether the commitment routes
//! — 容缺受理 (acceptance with materials missing) and 告知承诺 (approval on a
//! notification-commitment) — are offered, and to which subjects.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use toml::Spanned;
use xinyong_core::time::Date;

use crate::catalogue::{BasisFile, LegalBasis, bases, basis_text, trigger};
use crate::diag::{LoadError, Positions, is_id, parse_toml};
use crate::facts::SubjectFacts;
use crate::trigger::Trigger;
use crate::vocab::Vocabulary;

/// The built-in approval matters catalogue: file name and text.
pub const BUILTIN_MATTERS: (&str, &str) =
    ("matters.toml", include_str!("../catalogue/matters.toml"));

/// A commitment route of approval. Both are barred after a breached
/// commitment (the workflow's `CommitmentKind::is_route`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// 容缺受理: accepted with non-essential materials missing, on a
    /// commitment to supply them within a set time.
    MissingMaterials,
    /// 告知承诺: approved on the applicant's written commitment that it
    /// meets the conditions, verified afterwards.
    NotifyCommit,
}

impl Route {
    pub const ALL: [Route; 2] = [Route::MissingMaterials, Route::NotifyCommit];

    pub fn as_str(self) -> &'static str {
        match self {
            Route::MissingMaterials => "missing_materials",
            Route::NotifyCommit => "notify_commit",
        }
    }

    pub fn parse(s: &str) -> Option<Route> {
        Route::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Route::MissingMaterials => "容缺受理",
            Route::NotifyCommit => "告知承诺",
        }
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The approval field of a matter (seed 001 case 4: 市场准入、投资建设等).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// 市场准入.
    MarketEntry,
    /// 投资建设.
    InvestmentConstruction,
    /// Another field.
    Other,
}

impl Field {
    pub const ALL: [Field; 3] = [
        Field::MarketEntry,
        Field::InvestmentConstruction,
        Field::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Field::MarketEntry => "market_entry",
            Field::InvestmentConstruction => "investment_construction",
            Field::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// Who a route is open to, by default (a matter may narrow or widen it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteRule {
    pub route: Route,
    /// The route's name in Chinese.
    pub name: String,
    /// The subjects it is open to.
    pub eligible: Trigger,
    pub basis: Vec<LegalBasis>,
    pub source: String,
}

/// One approval matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matter {
    pub id: String,
    /// The matter's name in Chinese.
    pub name: String,
    pub field: Field,
    /// The department that handles it, as the source names it.
    pub department: String,
    /// The commitment routes it offers.
    pub routes: Vec<Route>,
    /// Per route: who it is open to for this matter, when not the default.
    pub eligible: Vec<(Route, Trigger)>,
    pub source: String,
    pub note: Option<String>,
}

impl Matter {
    pub fn offers(&self, route: Route) -> bool {
        self.routes.contains(&route)
    }
}

/// Why a route is not available.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unavailable {
    /// The matter does not offer the route.
    NotOffered,
    /// The subject is barred from the commitment route after a breach.
    Barred,
    /// The subject's credit does not meet the route's condition.
    NotEligible,
}

/// One reason a route is not available, with its text in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub code: Unavailable,
    pub text: String,
    /// For [`Unavailable::Barred`]: the bar's last day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Date>,
}

/// Whether one route of a matter is available to a subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteCheck {
    pub route: Route,
    /// The route's name in Chinese.
    pub name: String,
    pub available: bool,
    /// Why not (empty when available): not offered; or barred and/or not
    /// eligible, in that order.
    pub reasons: Vec<Reason>,
    /// The legal basis of the route's condition (`；` between documents).
    pub legal_basis: String,
}

/// The commitment routes of one matter for one subject on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatterRoutes {
    pub matter: String,
    pub name: String,
    /// 容缺受理 then 告知承诺.
    pub routes: Vec<RouteCheck>,
}

impl MatterRoutes {
    /// The check of `route`.
    pub fn route(&self, route: Route) -> Option<&RouteCheck> {
        self.routes.iter().find(|r| r.route == route)
    }
}

/// A loaded, validated approval matters catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matters {
    pub version: String,
    pub name: String,
    pub description: Option<String>,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
    pub origin: String,
    pub text: String,
    rules: Vec<RouteRule>,
    matters: Vec<Matter>,
}

impl Matters {
    /// Load and validate a matters file; every mistake is reported with its
    /// line and column, as for a measures catalogue.
    pub fn load(file: &str, text: &str, vocab: &Vocabulary) -> Result<Matters, LoadError> {
        let f: MattersFile = parse_toml(file, text)?;
        let mut pos = Positions::new(file, text);
        let version = pos.text(&f.version, "version");
        let name = pos.text(&f.name, "name");
        let (valid_from, valid_to) = pos.window(&f.valid_from, &f.valid_to);
        let mut rules = Vec::new();
        for (route, r) in [
            (Route::MissingMaterials, &f.route.missing_materials),
            (Route::NotifyCommit, &f.route.notify_commit),
        ] {
            let name = pos.text(&r.name, "name");
            let basis = bases(&mut pos, &r.basis);
            let source = pos.text(&r.source, "source");
            if let Some(eligible) = trigger(&mut pos, &r.eligible, vocab) {
                rules.push(RouteRule {
                    route,
                    name,
                    eligible,
                    basis,
                    source,
                });
            }
        }
        if f.matters.is_empty() {
            pos.wrong(0, "a matters catalogue needs [[matter]] entries");
        }
        let mut first_at: HashMap<String, usize> = HashMap::new();
        let mut matters = Vec::new();
        for m in &f.matters {
            let id = m.id.get_ref().trim().to_owned();
            if !is_id(&id) {
                pos.wrong(
                    m.id.span().start,
                    "a matter id uses lower-case letters, digits and '-', starting with a letter",
                );
            } else if let Some(&first) = first_at.get(&id) {
                let line = pos.line_col(first).0;
                pos.wrong(
                    m.id.span().start,
                    format!("duplicate matter id '{id}' (first at line {line})"),
                );
            } else {
                first_at.insert(id.clone(), m.id.span().start);
            }
            let name = pos.text(&m.name, "name");
            let department = pos.text(&m.department, "department");
            let source = pos.text(&m.source, "source");
            let field = Field::parse(m.field.get_ref());
            if field.is_none() {
                pos.wrong(
                    m.field.span().start,
                    format!(
                        "unknown field '{}' (one of {})",
                        m.field.get_ref(),
                        Field::ALL.map(Field::as_str).join(", ")
                    ),
                );
            }
            let mut routes = Vec::new();
            for r in &m.routes {
                match Route::parse(r.get_ref()) {
                    Some(x) if routes.contains(&x) => {
                        pos.wrong(r.span().start, format!("route '{x}' is listed twice"));
                    }
                    Some(x) => routes.push(x),
                    None => pos.wrong(
                        r.span().start,
                        format!(
                            "unknown route '{}' (missing_materials or notify_commit)",
                            r.get_ref()
                        ),
                    ),
                }
            }
            let mut eligible = Vec::new();
            let mut ok = true;
            if let Some(e) = &m.eligible {
                for (route, src) in [
                    (Route::MissingMaterials, &e.missing_materials),
                    (Route::NotifyCommit, &e.notify_commit),
                ] {
                    let Some(src) = src else { continue };
                    if !routes.contains(&route) {
                        pos.wrong(
                            src.span().start,
                            format!(
                                "the matter does not offer {route}: a condition for it is never used"
                            ),
                        );
                    }
                    match trigger(&mut pos, src, vocab) {
                        Some(t) => eligible.push((route, t)),
                        None => ok = false,
                    }
                }
            }
            if let (Some(field), true) = (field, ok) {
                matters.push(Matter {
                    id,
                    name,
                    field,
                    department,
                    routes,
                    eligible,
                    source,
                    note: m.note.clone(),
                });
            }
        }
        pos.finish()?;
        Ok(Matters {
            version,
            name,
            description: f.description,
            valid_from,
            valid_to,
            origin: file.to_owned(),
            text: text.to_owned(),
            rules,
            matters,
        })
    }

    /// The built-in matters catalogue (`catalogue/matters.toml`).
    pub fn builtin(vocab: &Vocabulary) -> Result<Matters, LoadError> {
        Matters::load(BUILTIN_MATTERS.0, BUILTIN_MATTERS.1, vocab)
    }

    /// Every matter, in file order.
    pub fn matters(&self) -> &[Matter] {
        &self.matters
    }

    /// The matter `id`.
    pub fn matter(&self, id: &str) -> Option<&Matter> {
        self.matters.iter().find(|m| m.id == id)
    }

    /// The default rule of `route`.
    pub fn rule(&self, route: Route) -> &RouteRule {
        // A loaded catalogue has both rules, in the order of `Route::ALL`.
        &self.rules[route as usize]
    }

    /// Whether this catalogue version is in force during day `on`.
    pub fn in_force(&self, on: Date) -> bool {
        self.valid_from.is_none_or(|f| f <= on) && self.valid_to.is_none_or(|t| on <= t)
    }

    /// Who `route` of `matter` is open to: the matter's own condition, else
    /// the route's default.
    pub fn eligibility<'a>(&'a self, matter: &'a Matter, route: Route) -> &'a Trigger {
        matter
            .eligible
            .iter()
            .find(|(r, _)| *r == route)
            .map_or(&self.rule(route).eligible, |(_, t)| t)
    }

    /// Whether the commitment routes of `matter` are available to `facts`
    /// on `on`. A route is available when the matter offers it, the subject
    /// is not barred from the commitment route that day (a bar holds through
    /// its last day) and the route's condition holds.
    pub fn routes(&self, matter: &Matter, facts: &SubjectFacts, on: Date) -> MatterRoutes {
        let routes = Route::ALL
            .into_iter()
            .map(|route| {
                let rule = self.rule(route);
                let name = &rule.name;
                let mut reasons = Vec::new();
                if !matter.offers(route) {
                    reasons.push(Reason {
                        code: Unavailable::NotOffered,
                        text: format!("本事项不实行{name}"),
                        until: None,
                    });
                } else {
                    if let Some(until) = facts.barred_from_commitment_until
                        && on <= until
                    {
                        reasons.push(Reason {
                            code: Unavailable::Barred,
                            text: format!(
                                "因违反信用承诺，{until}（含当日）前不适用{name}，自次日起恢复"
                            ),
                            until: Some(until),
                        });
                    }
                    if !self.eligibility(matter, route).holds(facts, on) {
                        reasons.push(Reason {
                            code: Unavailable::NotEligible,
                            text: format!("主体信用状况不符合{name}的适用条件"),
                            until: None,
                        });
                    }
                }
                RouteCheck {
                    route,
                    name: name.clone(),
                    available: reasons.is_empty(),
                    reasons,
                    legal_basis: basis_text(&rule.basis),
                }
            })
            .collect();
        MatterRoutes {
            matter: matter.id.clone(),
            name: matter.name.clone(),
            routes,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MattersFile {
    version: Spanned<String>,
    name: Spanned<String>,
    #[serde(default)]
    description: Option<String>,
    valid_from: Option<Spanned<toml::Value>>,
    valid_to: Option<Spanned<toml::Value>>,
    route: RoutesFile,
    #[serde(default, rename = "matter")]
    matters: Vec<MatterFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoutesFile {
    missing_materials: RouteFile,
    notify_commit: RouteFile,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RouteFile {
    name: Spanned<String>,
    eligible: Spanned<String>,
    basis: Spanned<Vec<BasisFile>>,
    source: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MatterFile {
    id: Spanned<String>,
    name: Spanned<String>,
    field: Spanned<String>,
    department: Spanned<String>,
    routes: Vec<Spanned<String>>,
    #[serde(default)]
    eligible: Option<EligibleFile>,
    source: Spanned<String>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EligibleFile {
    missing_materials: Option<Spanned<String>>,
    notify_commit: Option<Spanned<String>>,
}
