//! A set of compiled models: the built-in ones and any installed versions.

use xinyong_core::catalog::RecordKind;
use xinyong_core::time::Period;

use crate::lang::ir::Body;
use crate::lang::{Diagnostic, Known, Model, ModelError, compile};

/// The built-in model files, in dependency order (a model comes after the
/// models it uses).
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "penalty-tier.toml",
        include_str!("../models/penalty-tier.toml"),
    ),
    (
        "abnormal-trace-clear.toml",
        include_str!("../models/abnormal-trace-clear.toml"),
    ),
    (
        "anhui-class.toml",
        include_str!("../models/anhui-class.toml"),
    ),
    (
        "tianjin-risk.toml",
        include_str!("../models/tianjin-risk.toml"),
    ),
    (
        "yingkou-composite.toml",
        include_str!("../models/yingkou-composite.toml"),
    ),
    (
        "renfang-lists.toml",
        include_str!("../models/renfang-lists.toml"),
    ),
    (
        "construction-blacklist.toml",
        include_str!("../models/construction-blacklist.toml"),
    ),
    (
        "xinyidai-eligibility.toml",
        include_str!("../models/xinyidai-eligibility.toml"),
    ),
    (
        "gov-integrity.toml",
        include_str!("../models/gov-integrity.toml"),
    ),
];

/// Compiled models. Several versions of one model id may be present; the
/// later added wins among those in force.
#[derive(Debug, Clone, Default)]
pub struct ModelSet {
    pub(crate) models: Vec<Model>,
    /// Per model: its periods and those of every model it uses.
    periods: Vec<Vec<Period>>,
    /// Per model and record kind: the record models (itself or used, transitively) over that kind.
    record_models: Vec<Vec<Vec<usize>>>,
}

impl ModelSet {
    pub fn new() -> ModelSet {
        ModelSet::default()
    }

    /// The built-in models of PRODUCT.md §4.
    pub fn builtin() -> Result<ModelSet, ModelError> {
        let mut set = ModelSet::new();
        for (name, text) in BUILTIN {
            set.add(name, text)?;
        }
        Ok(set)
    }

    /// Compile and add a model file. A model may only use models added before it.
    pub fn add(&mut self, file: &str, text: &str) -> Result<usize, ModelError> {
        let model = compile(
            file,
            text,
            &Known {
                models: &self.models,
            },
        )?;
        if self
            .models
            .iter()
            .any(|m| m.id == model.id && m.version == model.version && m.text != model.text)
        {
            return Err(Diagnostic {
                file: file.into(),
                line: 1,
                column: 1,
                message: format!(
                    "model {} version {} is already installed with a different text: give the new one a new version",
                    model.id, model.version
                ),
            }
            .into());
        }
        if let Some(i) = self
            .models
            .iter()
            .position(|m| m.id == model.id && m.version == model.version)
        {
            return Ok(i);
        }
        let idx = self.models.len();
        let mut periods = model.periods.clone();
        let mut recs: Vec<Vec<usize>> = vec![Vec::new(); RecordKind::ALL.len()];
        if let Body::Record { over, .. } = &model.body {
            recs[over.index()].push(idx);
        }
        for &d in &model.deps {
            for p in &self.periods[d] {
                if !periods.contains(p) {
                    periods.push(*p);
                }
            }
            for (k, list) in self.record_models[d].iter().enumerate() {
                for r in list {
                    if !recs[k].contains(r) {
                        recs[k].push(*r);
                    }
                }
            }
        }
        self.models.push(model);
        self.periods.push(periods);
        self.record_models.push(recs);
        Ok(idx)
    }

    pub fn models(&self) -> &[Model] {
        &self.models
    }

    pub fn model(&self, idx: usize) -> &Model {
        &self.models[idx]
    }

    /// The version of model `id` to use for an evaluation as of `as_of` (days
    /// since epoch): the last added among those in force, else the last added.
    pub fn find(&self, id: &str, as_of: i32) -> Option<usize> {
        let candidates: Vec<usize> = (0..self.models.len())
            .filter(|&i| self.models[i].id == id)
            .collect();
        candidates
            .iter()
            .rev()
            .copied()
            .find(|&i| self.models[i].in_force(as_of))
            .or(candidates.last().copied())
    }

    /// The models to evaluate as of `as_of`: one version per id (the one
    /// [`find`](Self::find) chooses), each compiled again against the chosen
    /// versions of the models it uses. So when an office installs a new
    /// version of `penalty-tier`, `tianjin-risk` reads the tiers and display
    /// windows of the version in force at `as_of`, exactly as `penalty-tier`'s
    /// own results show them, not those of the version it was first compiled
    /// against.
    pub fn resolved(&self, as_of: i32) -> Result<ModelSet, ModelError> {
        if self.ids().len() == self.models.len() {
            // One version per id (no installed versions): already bound.
            return Ok(self.clone());
        }
        let mut pending: Vec<usize> = self
            .ids()
            .into_iter()
            .filter_map(|id| self.find(id, as_of))
            .collect();
        let mut out = ModelSet::new();
        while !pending.is_empty() {
            let before = pending.len();
            let mut i = 0;
            while i < pending.len() {
                let m = &self.models[pending[i]];
                if m.uses.iter().all(|u| out.models.iter().any(|x| &x.id == u)) {
                    out.add(&m.origin, &m.text)?;
                    pending.remove(i);
                } else {
                    i += 1;
                }
            }
            if pending.len() == before {
                let stuck: Vec<String> = pending
                    .iter()
                    .map(|&m| format!("{} {}", self.models[m].id, self.models[m].version))
                    .collect();
                return Err(Diagnostic {
                    file: self.models[pending[0]].origin.clone(),
                    line: 1,
                    column: 1,
                    message: format!(
                        "the models in force use each other in a circle: {}",
                        stuck.join(", ")
                    ),
                }
                .into());
            }
        }
        Ok(out)
    }

    /// Distinct model ids, in the order first added.
    pub fn ids(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for m in &self.models {
            if !out.contains(&m.id.as_str()) {
                out.push(&m.id);
            }
        }
        out
    }

    /// `selected` and every model they use, dependencies first.
    pub(crate) fn closure(&self, selected: &[usize]) -> Vec<usize> {
        let mut out = Vec::new();
        fn visit(set: &ModelSet, m: usize, out: &mut Vec<usize>) {
            if out.contains(&m) {
                return;
            }
            for &d in &set.models[m].deps {
                visit(set, d, out);
            }
            out.push(m);
        }
        for &m in selected {
            visit(self, m, &mut out);
        }
        out
    }

    pub(crate) fn periods_of(&self, m: usize) -> &[Period] {
        &self.periods[m]
    }

    /// Record models that model `m` uses (or is) over records of `kind`.
    pub(crate) fn record_models_over(&self, m: usize, kind: RecordKind) -> &[usize] {
        &self.record_models[m][kind.index()]
    }
}
