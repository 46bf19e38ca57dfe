//! The facts about a subject that triggers read.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use xinyong_core::time::Date;
use xinyong_rules::{Decision, SubjectResult};

/// The value of an eligibility model's result when the subject is eligible.
pub const ELIGIBLE: &str = "eligible";
/// The value of an eligibility model's result when it is not.
pub const INELIGIBLE: &str = "ineligible";

/// One membership of a list: current from `listed_on` (inclusive) until
/// `removed_on` (exclusive), as a `list_entry` is current (PRODUCT.md §3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListMembership {
    /// The list id (`construction_blacklist`, …).
    pub list: String,
    /// The first day on the list.
    pub listed_on: Date,
    /// The day it was removed (no longer on the list that day), if it was.
    #[serde(default)]
    pub removed_on: Option<Date>,
}

impl ListMembership {
    /// Whether the membership is current during day `on`.
    pub fn current(&self, on: Date) -> bool {
        self.listed_on <= on && self.removed_on.is_none_or(|r| r > on)
    }
}

/// What the credit check knows about a subject.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectFacts {
    /// Model id → the subject's class (classification model), grade
    /// (scoring model) or [`ELIGIBLE`] / [`INELIGIBLE`] (eligibility model).
    #[serde(default)]
    pub classes: BTreeMap<String, String>,
    /// The subject's list memberships, with their dates (current or not).
    #[serde(default)]
    pub lists: Vec<ListMembership>,
    /// The last day of a bar from the commitment route (告知承诺, 容缺受理)
    /// after a breached commitment; the route is open again the day after.
    #[serde(default)]
    pub barred_from_commitment_until: Option<Date>,
}

impl SubjectFacts {
    /// No facts: no class, no list, no bar.
    pub fn new() -> SubjectFacts {
        SubjectFacts::default()
    }

    /// With the result `value` of model `model`.
    pub fn with(mut self, model: &str, value: &str) -> SubjectFacts {
        self.classes.insert(model.to_owned(), value.to_owned());
        self
    }

    /// With a membership of `list` from `listed_on`, removed on `removed_on`.
    pub fn listed(mut self, list: &str, listed_on: Date, removed_on: Option<Date>) -> SubjectFacts {
        self.lists.push(ListMembership {
            list: list.to_owned(),
            listed_on,
            removed_on,
        });
        self
    }

    /// Barred from the commitment route through `until`.
    pub fn barred_until(mut self, until: Date) -> SubjectFacts {
        self.barred_from_commitment_until = Some(until);
        self
    }

    /// Take in a subject-level result of an evaluation as of `as_of`: a
    /// class, grade or eligibility becomes the model's value; the lists of a
    /// lists model become memberships current from `as_of`.
    pub fn add_result(&mut self, result: &SubjectResult<'_>, as_of: Date) {
        let value = match &result.decision {
            Decision::Class { id, .. } => (*id).to_owned(),
            Decision::Score { grade, .. } => (*grade).to_owned(),
            Decision::Eligibility { eligible, .. } => {
                (if *eligible { ELIGIBLE } else { INELIGIBLE }).to_owned()
            }
            Decision::Lists(lists) => {
                for l in lists {
                    if !self.on_list(l, as_of) {
                        self.lists.push(ListMembership {
                            list: (*l).to_owned(),
                            listed_on: as_of,
                            removed_on: None,
                        });
                    }
                }
                return;
            }
        };
        self.classes.insert(result.model.to_owned(), value);
    }

    /// The result value of `model`, if there is one.
    pub fn value(&self, model: &str) -> Option<&str> {
        self.classes.get(model).map(String::as_str)
    }

    /// Whether the subject is on `list` during day `on`.
    pub fn on_list(&self, list: &str, on: Date) -> bool {
        self.lists.iter().any(|m| m.list == list && m.current(on))
    }

    /// Whether the subject is barred from the commitment route on `on`
    /// (through the bar's last day).
    pub fn barred_on(&self, on: Date) -> bool {
        self.barred_from_commitment_until.is_some_and(|u| on <= u)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_membership_is_current_from_listing_until_the_day_before_removal() {
        let f = SubjectFacts::new().listed(
            "renfang_blacklist",
            date(2024, 1, 10),
            Some(date(2024, 3, 1)),
        );
        assert!(!f.on_list("renfang_blacklist", date(2024, 1, 9)));
        assert!(f.on_list("renfang_blacklist", date(2024, 1, 10)));
        assert!(f.on_list("renfang_blacklist", date(2024, 2, 29)));
        assert!(!f.on_list("renfang_blacklist", date(2024, 3, 1)));
        assert!(!f.on_list("renfang_redlist", date(2024, 2, 1)));
    }

    #[test]
    fn a_bar_holds_through_its_last_day() {
        let f = SubjectFacts::new().barred_until(date(2025, 3, 1));
        assert!(f.barred_on(date(2025, 3, 1)));
        assert!(!f.barred_on(date(2025, 3, 2)));
        assert!(!SubjectFacts::new().barred_on(date(2025, 3, 1)));
    }

    #[test]
    fn evaluation_results_become_facts() {
        let r = |model, decision| SubjectResult {
            model,
            model_version: "1",
            decision,
            reasons: Vec::new(),
            blocked_by: Vec::new(),
        };
        let on = date(2024, 6, 15);
        let mut f = SubjectFacts::new();
        let class = Decision::Class {
            id: "warning",
            label: "警示",
        };
        let score = Decision::Score {
            score: 900.0,
            grade: "A",
            label: "诚信优良",
        };
        let eligibility = Decision::Eligibility {
            eligible: false,
            failed: vec!["X1"],
        };
        f.add_result(&r("anhui-class", class), on);
        f.add_result(&r("yingkou-composite", score), on);
        f.add_result(&r("xinyidai-eligibility", eligibility), on);
        for _ in 0..2 {
            let lists = Decision::Lists(vec!["renfang_redlist"]);
            f.add_result(&r("renfang-lists", lists), on);
        }
        assert_eq!(f.value("anhui-class"), Some("warning"));
        assert_eq!(f.value("yingkou-composite"), Some("A"));
        assert_eq!(f.value("xinyidai-eligibility"), Some(INELIGIBLE));
        assert_eq!(f.value("renfang-lists"), None);
        assert_eq!(
            f.lists,
            [ListMembership {
                list: "renfang_redlist".into(),
                listed_on: on,
                removed_on: None,
            }]
        );
    }

    #[test]
    fn facts_round_trip_through_json() {
        let f = SubjectFacts::new()
            .with("yingkou-composite", "A")
            .listed("renfang_redlist", date(2024, 1, 10), None)
            .barred_until(date(2025, 3, 1));
        let j = serde_json::to_string(&f).unwrap();
        assert!(
            j.contains("\"barred_from_commitment_until\":\"2025-03-01\""),
            "{j}"
        );
        assert_eq!(serde_json::from_str::<SubjectFacts>(&j).unwrap(), f);
    }
}
