//! What a trigger may name: the models with their classes, grades or lists,
//! and the catalogued lists with their categories.

use std::collections::BTreeMap;

use xinyong_core::catalog::LISTS;
use xinyong_rules::{ModelError, ModelKind, ModelSet};

/// What a model gives a subject, as far as a trigger can read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelTerms {
    /// A classification model: its classes, the default class last.
    Classification(Vec<String>),
    /// A scoring model: its grades, best first.
    Scoring(Vec<String>),
    /// An eligibility model: eligible or not.
    Eligibility,
    /// A lists model: the lists it decides (read with `on_list`).
    Lists(Vec<String>),
    /// A record model: one result per record, none for the subject.
    Record,
}

impl ModelTerms {
    /// The kind of model, as in a model file (`classification`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            ModelTerms::Classification(_) => ModelKind::Classification.as_str(),
            ModelTerms::Scoring(_) => ModelKind::Scoring.as_str(),
            ModelTerms::Eligibility => ModelKind::Eligibility.as_str(),
            ModelTerms::Lists(_) => ModelKind::Lists.as_str(),
            ModelTerms::Record => ModelKind::Record.as_str(),
        }
    }
}

/// The names a trigger may use: model ids (with the values of their
/// results) and list ids (with their categories).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vocabulary {
    models: BTreeMap<String, ModelTerms>,
    /// List id → category (`blacklist`, `redlist`, `abnormal`, `watch`).
    lists: BTreeMap<String, String>,
}

/// The list categories of the list catalogue (PRODUCT.md C1).
pub const LIST_CATEGORIES: &[&str] = &["blacklist", "redlist", "abnormal", "watch"];

impl Vocabulary {
    /// The catalogued lists (`xinyong_core::catalog::LISTS`) and no model.
    pub fn lists_only() -> Vocabulary {
        Vocabulary {
            models: BTreeMap::new(),
            lists: LISTS
                .iter()
                .map(|l| (l.id.to_owned(), l.category.as_str().to_owned()))
                .collect(),
        }
    }

    /// The catalogued lists and every model of `set`. When several versions
    /// of a model are present, a value of any of them is known.
    pub fn from_models(set: &ModelSet) -> Vocabulary {
        let mut v = Vocabulary::lists_only();
        for m in set.models() {
            let values = m.outcome_ids();
            let terms = match m.kind {
                ModelKind::Classification => ModelTerms::Classification(values),
                ModelKind::Scoring => ModelTerms::Scoring(values),
                ModelKind::Eligibility => ModelTerms::Eligibility,
                ModelKind::Lists => ModelTerms::Lists(values),
                ModelKind::Record => ModelTerms::Record,
            };
            v.add_model(&m.id, terms);
        }
        v
    }

    /// The catalogued lists and the built-in models of PRODUCT.md §4.
    pub fn builtin() -> Result<Vocabulary, ModelError> {
        Ok(Vocabulary::from_models(&ModelSet::builtin()?))
    }

    /// Add a model (or more values of one already known, of the same kind).
    pub fn add_model(&mut self, id: &str, terms: ModelTerms) {
        match (self.models.get_mut(id), terms) {
            (Some(ModelTerms::Classification(have)), ModelTerms::Classification(more))
            | (Some(ModelTerms::Scoring(have)), ModelTerms::Scoring(more))
            | (Some(ModelTerms::Lists(have)), ModelTerms::Lists(more)) => {
                for x in more {
                    if !have.contains(&x) {
                        have.push(x);
                    }
                }
            }
            (_, terms) => {
                self.models.insert(id.to_owned(), terms);
            }
        }
    }

    /// Add a list of `category`.
    pub fn add_list(&mut self, id: &str, category: &str) {
        self.lists.insert(id.to_owned(), category.to_owned());
    }

    /// What model `id` gives, if it is known.
    pub fn model(&self, id: &str) -> Option<&ModelTerms> {
        self.models.get(id)
    }

    /// The known model ids, sorted.
    pub fn model_ids(&self) -> impl Iterator<Item = &str> {
        self.models.keys().map(String::as_str)
    }

    /// The category of list `id`, if it is known.
    pub fn list_category(&self, id: &str) -> Option<&str> {
        self.lists.get(id).map(String::as_str)
    }

    /// The known list ids, sorted.
    pub fn list_ids(&self) -> impl Iterator<Item = &str> {
        self.lists.keys().map(String::as_str)
    }

    /// The lists of `category`, sorted.
    pub fn lists_of(&self, category: &str) -> Vec<String> {
        self.lists
            .iter()
            .filter(|(_, c)| c.as_str() == category)
            .map(|(id, _)| id.clone())
            .collect()
    }
}
