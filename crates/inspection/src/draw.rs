//! The draw: subjects by class, two inspectors per task with recusal, and
//! the inspection items (`docs/INSPECTION-DRAW.md` §5–§8).

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use xinyong_core::uscc::Uscc;

use crate::canonical::{digest_with, write_tasks};
use crate::model::{FULL_RATIO_BP, PlanInputs, RiskClass};
use crate::rng::Generator;

/// The name and version of the algorithm, published with every plan and
/// draw. A change to anything `docs/INSPECTION-DRAW.md` specifies gets a new
/// version.
pub const ALGORITHM: &str = "xinyong-inspection-draw/1";

/// Inspectors per task (双人检查).
pub const INSPECTORS_PER_TASK: usize = 2;

/// The shortest seed [`draw`] accepts, in bytes. The commitment is public
/// before the draw: a short seed could be found from it by trying them all,
/// and the draw known in advance.
pub const MIN_SEED_LEN: usize = 16;

/// Why a task is in the draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// Drawn at random at its class's ratio.
    Random,
    /// A class-A 不诉不查 subject with a complaint: always included.
    Complaint,
}

impl Basis {
    /// The word used in the canonical task line.
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Random => "random",
            Basis::Complaint => "complaint",
        }
    }
}

/// Who inspects a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Assignment {
    /// Two distinct inspectors, neither recused for the subject, in the
    /// order drawn (the first leads, 主办; the second assists, 协办).
    Assigned {
        /// The two inspector ids.
        inspectors: [String; INSPECTORS_PER_TASK],
    },
    /// Fewer than two inspectors are eligible for the subject: nobody is
    /// assigned (never a recused inspector); the department must add
    /// inspectors to the roster or assign by another lawful procedure.
    Unassignable {
        /// How many inspectors were eligible (0 or 1).
        eligible: u32,
        /// The reason, in words.
        reason: String,
    },
}

impl Assignment {
    /// The two inspectors, when assigned.
    pub fn inspectors(&self) -> Option<&[String; INSPECTORS_PER_TASK]> {
        match self {
            Assignment::Assigned { inspectors } => Some(inspectors),
            Assignment::Unassignable { .. } => None,
        }
    }
}

/// One inspection task of a draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// The subject.
    pub uscc: Uscc,
    /// Its class.
    pub class: RiskClass,
    /// Why it is in the draw.
    pub basis: Basis,
    /// Its inspectors, or why there are none.
    pub assignment: Assignment,
    /// Its inspection items, in the order drawn.
    pub items: Vec<String>,
}

impl fmt::Display for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {} ", self.uscc, self.class, self.basis.as_str())?;
        match &self.assignment {
            Assignment::Assigned { inspectors } => {
                write!(f, "[{}, {}]", inspectors[0], inspectors[1])?
            }
            Assignment::Unassignable { eligible, .. } => {
                write!(f, "[unassignable, {eligible} eligible]")?
            }
        }
        write!(f, " items [{}]", self.items.join(", "))
    }
}

/// The counts of one class in a plan, known before the draw (they do not
/// depend on the seed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassTally {
    /// The class.
    pub class: RiskClass,
    /// Subjects of the class in the pool.
    pub members: u32,
    /// 不诉不查 subjects without a complaint: never drawn.
    pub exempt: u32,
    /// 不诉不查 subjects with a complaint: always included.
    pub complaint: u32,
    /// Subjects drawn at random among: `members − exempt − complaint`.
    pub eligible: u32,
    /// The class's ratio in basis points.
    pub ratio_bp: u32,
    /// How many are drawn at random: `ceil(eligible × ratio_bp / 10000)`.
    pub drawn: u32,
}

/// `ceil(n × ratio_bp / 10 000)` in integers.
pub fn sample_size(n: u32, ratio_bp: u32) -> u32 {
    let k = (u64::from(n) * u64::from(ratio_bp)).div_ceil(u64::from(FULL_RATIO_BP));
    // ratio_bp ≤ 10 000 for a checked plan, so k ≤ n.
    k.min(u64::from(n)) as u32
}

/// The counts of every class, in class order A, B, C, D.
pub fn class_tallies(plan: &PlanInputs) -> Vec<ClassTally> {
    let mut t: Vec<ClassTally> = RiskClass::ALL
        .iter()
        .map(|&class| ClassTally {
            class,
            members: 0,
            exempt: 0,
            complaint: 0,
            eligible: 0,
            ratio_bp: plan.params().ratios.get(class),
            drawn: 0,
        })
        .collect();
    for e in plan.pool() {
        let c = &mut t[e.class.index()];
        c.members += 1;
        if e.no_inspection_without_complaint {
            if e.complaint {
                c.complaint += 1;
            } else {
                c.exempt += 1;
            }
        } else {
            c.eligible += 1;
        }
    }
    for c in &mut t {
        c.drawn = sample_size(c.eligible, c.ratio_bp);
    }
    t
}

/// The result of a draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draw {
    /// [`ALGORITHM`].
    pub algorithm: String,
    /// The plan.
    pub plan_id: String,
    /// The seed revealed, lowercase hex.
    pub seed: String,
    /// The counts per class, A to D.
    pub classes: Vec<ClassTally>,
    /// The tasks, sorted by USCC.
    pub tasks: Vec<Task>,
    /// Lowercase hex SHA-256 of the canonical task list
    /// ([`Draw::canonical_tasks`]).
    pub digest: String,
}

impl Draw {
    /// The canonical bytes of the task list: one line per task, in order,
    /// `uscc\tclass\tbasis\tinspector_1\tinspector_2\titem_1…\titem_m\n`
    /// (`basis` is `random` or `complaint`; both inspector fields empty when
    /// the task is unassignable; the items in the order drawn).
    pub fn canonical_tasks(&self) -> Vec<u8> {
        let mut v = Vec::new();
        write_tasks(&self.tasks, &mut v);
        v
    }

    /// Recomputes the digest of [`Draw::tasks`] (compare with
    /// [`Draw::digest`]).
    pub fn compute_digest(&self) -> String {
        digest_with(|s| write_tasks(&self.tasks, s))
    }

    /// The tasks nobody could be assigned to.
    pub fn unassignable(&self) -> impl Iterator<Item = &Task> {
        self.tasks
            .iter()
            .filter(|t| matches!(t.assignment, Assignment::Unassignable { .. }))
    }
}

/// Why [`draw`] refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DrawError {
    /// SHA-256 of the seed is not the plan's commitment.
    #[error(
        "种子与事先公布的承诺值不符 (the seed does not match the commitment: SHA-256(seed) = {computed}, committed {committed})"
    )]
    SeedMismatch {
        /// The plan's commitment.
        committed: String,
        /// SHA-256 of the seed given.
        computed: String,
    },
    /// The seed is shorter than [`MIN_SEED_LEN`].
    #[error(
        "种子过短：{len} 字节，至少需要 {MIN_SEED_LEN} 字节 (the seed is {len} bytes; at least {MIN_SEED_LEN} needed)"
    )]
    SeedTooShort {
        /// Its length in bytes.
        len: usize,
    },
}

/// Draws the plan with this seed, after checking that SHA-256 of the seed
/// is the plan's commitment and that the seed has at least
/// [`MIN_SEED_LEN`] bytes.
pub fn draw(plan: &PlanInputs, seed: &[u8]) -> Result<Draw, DrawError> {
    if seed.len() < MIN_SEED_LEN {
        return Err(DrawError::SeedTooShort { len: seed.len() });
    }
    let computed: [u8; 32] = Sha256::digest(seed).into();
    if &computed != plan.seed_commitment_bytes() {
        return Err(DrawError::SeedMismatch {
            committed: plan.seed_commitment(),
            computed: hex::encode(computed),
        });
    }
    Ok(run(plan, seed))
}

/// The draw itself, without the checks of the seed.
pub(crate) fn run(plan: &PlanInputs, seed: &[u8]) -> Draw {
    let mut g = Generator::new(seed, plan.plan_id());
    let pool = plan.pool();
    let classes = class_tallies(plan);

    // §5: the subjects. Pool indices, per class in pool (USCC) order.
    let mut members: [Vec<u32>; 4] =
        std::array::from_fn(|c| Vec::with_capacity(classes[c].eligible as usize));
    let forced: usize = classes.iter().map(|c| c.complaint as usize).sum();
    let drawn: usize = classes.iter().map(|c| c.drawn as usize).sum();
    let mut chosen: Vec<u32> = Vec::with_capacity(forced + drawn);
    for (i, e) in pool.iter().enumerate() {
        if e.no_inspection_without_complaint {
            if e.complaint {
                chosen.push(i as u32);
            }
        } else {
            members[e.class.index()].push(i as u32);
        }
    }
    for class in RiskClass::ALL {
        let list = &mut members[class.index()];
        let k = classes[class.index()].drawn as usize;
        partial_fisher_yates(&mut g, list, k);
        chosen.extend_from_slice(&list[..k]);
    }
    drop(members);
    chosen.sort_unstable();

    // §6–§7: inspectors and items, task by task in USCC order.
    let roster = plan.roster();
    let recused = plan.recused();
    let items = plan.items();
    let m = plan.params().items_per_task as usize;
    let mut cursor = 0usize;
    let mut rec: Vec<u32> = Vec::new();
    let mut item_perm: Vec<u32> = (0..items.len() as u32).collect();
    let mut swapped: Vec<usize> = Vec::with_capacity(m);
    let mut tasks = Vec::with_capacity(chosen.len());
    for &pi in &chosen {
        let entry = &pool[pi as usize];

        rec.clear();
        while cursor < recused.len() && recused[cursor].0 < pi {
            cursor += 1;
        }
        while cursor < recused.len() && recused[cursor].0 == pi {
            rec.push(recused[cursor].1);
            cursor += 1;
        }
        let eligible = roster.len() - rec.len();
        let assignment = if eligible < INSPECTORS_PER_TASK {
            Assignment::Unassignable {
                eligible: eligible as u32,
                reason: format!(
                    "回避后仅有 {eligible} 名检查人员可派，少于 2 名 \
                     ({eligible} inspector(s) eligible after {} recusal(s) from a roster of {}; 2 needed)",
                    rec.len(),
                    roster.len()
                ),
            }
        } else {
            // Partial Fisher–Yates, k = 2, over the eligible inspectors in
            // roster order, without building that list.
            let e = eligible as u64;
            let t0 = g.below(e) as usize;
            let t1 = 1 + g.below(e - 1) as usize;
            let first = nth_eligible(t0, &rec);
            let second = nth_eligible(if t1 == t0 { 0 } else { t1 }, &rec);
            Assignment::Assigned {
                inspectors: [roster[first].id.clone(), roster[second].id.clone()],
            }
        };

        // Partial Fisher–Yates, k = m, over the matter list; the
        // permutation is put back to the identity afterwards.
        let mut task_items = Vec::with_capacity(m);
        let l = items.len();
        swapped.clear();
        for j in 0..m {
            let t = j + g.below((l - j) as u64) as usize;
            item_perm.swap(j, t);
            swapped.push(t);
            task_items.push(items[item_perm[j] as usize].clone());
        }
        for (j, &t) in swapped.iter().enumerate() {
            item_perm[j] = j as u32;
            item_perm[t] = t as u32;
        }

        tasks.push(Task {
            uscc: entry.uscc.clone(),
            class: entry.class,
            basis: if entry.no_inspection_without_complaint {
                Basis::Complaint
            } else {
                Basis::Random
            },
            assignment,
            items: task_items,
        });
    }

    let digest = digest_with(|s| write_tasks(&tasks, s));
    Draw {
        algorithm: ALGORITHM.to_owned(),
        plan_id: plan.plan_id().to_owned(),
        seed: hex::encode(seed),
        classes,
        tasks,
        digest,
    }
}

/// The first `k` steps of the Fisher–Yates shuffle: for `j` in `0..k`,
/// `t = j + below(n − j)`, swap `list[j]` and `list[t]`. `list[..k]` is
/// then the sample, in the order drawn.
pub(crate) fn partial_fisher_yates<T>(g: &mut Generator, list: &mut [T], k: usize) {
    let n = list.len();
    for j in 0..k {
        let t = j + g.below((n - j) as u64) as usize;
        list.swap(j, t);
    }
}

/// The roster index of the `t`-th (0-based) inspector not in `recused`
/// (sorted ascending, distinct).
fn nth_eligible(t: usize, recused: &[u32]) -> usize {
    let mut idx = t;
    for &r in recused {
        if (r as usize) <= idx {
            idx += 1;
        } else {
            break;
        }
    }
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_size_rounds_up() {
        assert_eq!(sample_size(0, 300), 0);
        assert_eq!(sample_size(1, 300), 1);
        assert_eq!(sample_size(100, 300), 3);
        assert_eq!(sample_size(101, 300), 4);
        assert_eq!(sample_size(3500, 300), 105);
        assert_eq!(sample_size(7, 10_000), 7);
        assert_eq!(sample_size(7, 0), 0);
        assert_eq!(sample_size(u32::MAX, 10_000), u32::MAX);
    }

    #[test]
    fn nth_eligible_skips_recused() {
        // Roster 0..6, recused {1, 2, 4}: eligible 0, 3, 5.
        let rec = [1, 2, 4];
        assert_eq!(nth_eligible(0, &rec), 0);
        assert_eq!(nth_eligible(1, &rec), 3);
        assert_eq!(nth_eligible(2, &rec), 5);
        let rec = [0, 1];
        assert_eq!(nth_eligible(0, &rec), 2);
    }
}
