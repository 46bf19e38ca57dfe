//! The credit check (信用核查, PRODUCT.md C10): given what is known about a
//! subject, a scenario, an optional approval matter and a day, the measures
//! that apply with their legal basis and, for an approval matter, whether
//! the commitment routes are open.

use xinyong_core::time::Date;

use crate::catalogue::{Catalogue, Measure, MeasureLine, Scenario};
use crate::facts::SubjectFacts;
use crate::matters::{MatterRoutes, Matters};

/// What a credit check is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckRequest<'a> {
    pub scenario: Scenario,
    /// The approval matter applied for (approval scenario only).
    pub matter: Option<&'a str>,
    /// The day the check describes.
    pub on: Date,
}

/// A credit check that cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    #[error("unknown approval matter '{0}'")]
    UnknownMatter(String),
    #[error("an approval matter is only checked in the approval scenario, not in {0}")]
    MatterOutsideApproval(Scenario),
}

impl CheckError {
    /// A stable code for the error.
    pub fn code(&self) -> &'static str {
        match self {
            CheckError::UnknownMatter(_) => "unknown_matter",
            CheckError::MatterOutsideApproval(_) => "matter_outside_approval",
        }
    }
}

/// The answer of a credit check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckOutcome<'c> {
    pub scenario: Scenario,
    pub on: Date,
    /// The measures that apply, in catalogue order.
    pub measures: Vec<&'c Measure>,
    /// For an approval matter: its commitment routes.
    pub routes: Option<MatterRoutes>,
}

impl CheckOutcome<'_> {
    /// The measures as the API answers them (INTERCHANGE.md §4).
    pub fn measure_lines(&self) -> Vec<MeasureLine> {
        self.measures.iter().map(|m| m.line()).collect()
    }

    /// The ids of the measures that apply.
    pub fn measure_ids(&self) -> Vec<&str> {
        self.measures.iter().map(|m| m.id.as_str()).collect()
    }
}

/// The credit check: exactly the measures of `catalogue` in force on
/// `request.on`, made for the scenario, whose triggers hold for `facts`;
/// and, for an approval matter, whether 容缺受理 and 告知承诺 are available
/// (not while the subject is barred after a breached commitment, with the
/// reason).
pub fn credit_check<'c>(
    catalogue: &'c Catalogue,
    matters: &Matters,
    facts: &SubjectFacts,
    request: &CheckRequest<'_>,
) -> Result<CheckOutcome<'c>, CheckError> {
    let routes = match request.matter {
        None => None,
        Some(_) if request.scenario != Scenario::Approval => {
            return Err(CheckError::MatterOutsideApproval(request.scenario));
        }
        Some(id) => {
            let matter = matters
                .matter(id)
                .ok_or_else(|| CheckError::UnknownMatter(id.to_owned()))?;
            Some(matters.routes(matter, facts, request.on))
        }
    };
    Ok(CheckOutcome {
        scenario: request.scenario,
        on: request.on,
        measures: catalogue.applicable(facts, request.scenario, request.on),
        routes,
    })
}
