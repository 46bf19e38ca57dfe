//! What a plan publishes before its draw (检查计划公开).

use serde::{Deserialize, Serialize};

use crate::canonical::{digest_with, write_items, write_pool, write_recusals, write_roster};
use crate::draw::{ALGORITHM, ClassTally, INSPECTORS_PER_TASK, class_tallies};
use crate::model::{Params, PlanInputs};

/// The digest of one canonical list and its number of lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListDigest {
    /// Lines (entries) in the list.
    pub count: u64,
    /// Lowercase hex SHA-256 of the list's canonical bytes.
    pub sha256: String,
}

/// What a plan publishes before the draw: everything needed to check the
/// draw afterwards, except the seed (which is only committed to) and the
/// lists themselves (only their digests).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    /// [`ALGORITHM`]: the version of `docs/INSPECTION-DRAW.md` in force.
    pub algorithm: String,
    /// The plan id (also an input of the generator).
    pub plan_id: String,
    /// The pool (检查对象名录).
    pub pool: ListDigest,
    /// The roster (执法检查人员名录).
    pub roster: ListDigest,
    /// The recusal pairs (回避名单).
    pub recusals: ListDigest,
    /// The matter list (抽查事项清单).
    pub items: ListDigest,
    /// Lowercase hex SHA-256 of the seed, revealed after the draw.
    pub seed_commitment: String,
    /// Ratios, items per task, class basis.
    pub params: Params,
    /// [`INSPECTORS_PER_TASK`].
    pub inspectors_per_task: u32,
    /// The counts per class (how many of each class will be drawn).
    pub classes: Vec<ClassTally>,
}

/// The four list digests of a plan, in the order pool, roster, recusals,
/// items.
pub(crate) fn list_digests(plan: &PlanInputs) -> [ListDigest; 4] {
    [
        ListDigest {
            count: plan.pool().len() as u64,
            sha256: digest_with(|s| write_pool(plan.pool(), s)),
        },
        ListDigest {
            count: plan.roster().len() as u64,
            sha256: digest_with(|s| write_roster(plan.roster(), s)),
        },
        ListDigest {
            count: plan.recusals().len() as u64,
            sha256: digest_with(|s| write_recusals(plan.recusals(), s)),
        },
        ListDigest {
            count: plan.items().len() as u64,
            sha256: digest_with(|s| write_items(plan.items(), s)),
        },
    ]
}

/// What the plan publishes before its draw.
pub fn publish(plan: &PlanInputs) -> Published {
    let [pool, roster, recusals, items] = list_digests(plan);
    Published {
        algorithm: ALGORITHM.to_owned(),
        plan_id: plan.plan_id().to_owned(),
        pool,
        roster,
        recusals,
        items,
        seed_commitment: plan.seed_commitment(),
        params: *plan.params(),
        inspectors_per_task: INSPECTORS_PER_TASK as u32,
        classes: class_tallies(plan),
    }
}
