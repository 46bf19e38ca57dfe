//! Anyone's check of a draw: the published digests against the inputs, the
//! seed against its commitment, and the draw re-run against the result
//! claimed.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::draw::{ALGORITHM, ClassTally, Draw, INSPECTORS_PER_TASK, MIN_SEED_LEN, run};
use crate::model::{ClassBasis, Params, PlanInputs};
use crate::publish::{ListDigest, Published, list_digests};

/// Most differing tasks a [`Verification`] describes one by one.
pub const MAX_TASK_FINDINGS: usize = 20;

/// What a [`Check`] compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckKind {
    /// The algorithm version of the plan and of the draw.
    Algorithm,
    /// The plan id of the plan and of the draw.
    PlanId,
    /// The pool's digest.
    PoolDigest,
    /// The roster's digest.
    RosterDigest,
    /// The recusal list's digest.
    RecusalsDigest,
    /// The matter list's digest.
    ItemsDigest,
    /// Ratios, items per task, class basis, inspectors per task.
    Params,
    /// The counts per class.
    ClassCounts,
    /// The seed's length.
    SeedLength,
    /// SHA-256 of the seed against the commitment.
    SeedCommitment,
    /// The seed the draw states against the seed given.
    Seed,
    /// The number of tasks.
    TaskCount,
    /// One task (see [`Check::index`]), or all of them.
    Tasks,
    /// The digest of the task list.
    DrawDigest,
}

/// One comparison and its outcome, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// What was compared.
    pub kind: CheckKind,
    /// Whether it matched.
    pub passed: bool,
    /// The task index, for a [`CheckKind::Tasks`] check of one task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    /// What was found, in Chinese then English, with both values when they
    /// differ.
    pub message: String,
}

/// The outcome of [`verify`]: every check made, passed or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// The checks, in the order made.
    pub checks: Vec<Check>,
    /// The digest of the draw as re-run from the inputs and the seed.
    pub recomputed_digest: String,
}

impl Verification {
    /// Whether every check passed: the draw is the one the published plan
    /// and the seed give.
    pub fn is_ok(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
    }

    /// The checks that failed.
    pub fn mismatches(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.passed)
    }
}

impl fmt::Display for Verification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_ok() {
            writeln!(
                f,
                "核验通过：抽查结果可由公布的输入与种子复现 (verified: the draw is reproduced from the published inputs and seed)"
            )?;
        } else {
            writeln!(
                f,
                "核验未通过：{} 项不一致 (verification failed: {} mismatch(es))",
                self.mismatches().count(),
                self.mismatches().count()
            )?;
        }
        for c in &self.checks {
            writeln!(f, "{} {}", if c.passed { "✓" } else { "✗" }, c.message)?;
        }
        Ok(())
    }
}

#[derive(Default)]
struct Checks(Vec<Check>);

impl Checks {
    fn add(&mut self, kind: CheckKind, passed: bool, message: String) {
        self.0.push(Check {
            kind,
            passed,
            index: None,
            message,
        });
    }

    fn same_text(&mut self, kind: CheckKind, zh: &str, en: &str, published: &str, computed: &str) {
        if published == computed {
            self.add(kind, true, format!("{zh}一致 ({en} matches: {computed})"));
        } else {
            self.add(
                kind,
                false,
                format!("{zh}不一致 ({en} differs: published {published}, computed {computed})"),
            );
        }
    }

    fn list(
        &mut self,
        kind: CheckKind,
        zh: &str,
        en: &str,
        published: &ListDigest,
        computed: &ListDigest,
    ) {
        if published.sha256.eq_ignore_ascii_case(&computed.sha256)
            && published.count == computed.count
        {
            self.add(
                kind,
                true,
                format!(
                    "{zh}的摘要一致 ({en} digest matches: {}, {} lines)",
                    computed.sha256, computed.count
                ),
            );
        } else {
            let mut message = format!(
                "{zh}的摘要不一致 ({en} digest differs: published {}, computed {})",
                published.sha256, computed.sha256
            );
            if published.count != computed.count {
                message.push_str(&format!(
                    "; 条目数不一致 (published {} lines, computed {})",
                    published.count, computed.count
                ));
            }
            self.add(kind, false, message);
        }
    }
}

fn params_text(p: &Params) -> String {
    let r = &p.ratios;
    let basis = match p.class_basis {
        ClassBasis::CompositeGrade => "composite-grade",
        ClassBasis::RiskClassification => "risk-classification",
    };
    format!(
        "ratios A {} bp, B {} bp, C {} bp, D {} bp; {} items per task; classes by {basis}",
        r.a, r.b, r.c, r.d, p.items_per_task
    )
}

fn tallies_text(t: &[ClassTally]) -> String {
    t.iter()
        .map(|c| {
            format!(
                "{}: {} members, {} exempt, {} complaint, {} eligible, {} bp, {} drawn",
                c.class, c.members, c.exempt, c.complaint, c.eligible, c.ratio_bp, c.drawn
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Checks a claimed draw against what was published, the inputs behind the
/// published digests, and the seed revealed: the algorithm version, the
/// plan id, each list digest, the parameters, the counts per class, the
/// seed against its commitment, then the draw re-run from the inputs and
/// the seed, task by task, and its digest. Reports every check made; a
/// mismatch says what differs, with both values.
pub fn verify(
    published: &Published,
    inputs: &PlanInputs,
    seed: &[u8],
    claimed: &Draw,
) -> Verification {
    let mut c = Checks::default();

    c.same_text(
        CheckKind::Algorithm,
        "计划的算法版本",
        "plan algorithm",
        &published.algorithm,
        ALGORITHM,
    );
    c.same_text(
        CheckKind::Algorithm,
        "抽查结果的算法版本",
        "draw algorithm",
        &claimed.algorithm,
        ALGORITHM,
    );
    c.same_text(
        CheckKind::PlanId,
        "计划编号",
        "plan id",
        &published.plan_id,
        inputs.plan_id(),
    );
    c.same_text(
        CheckKind::PlanId,
        "抽查结果的计划编号",
        "draw's plan id",
        &claimed.plan_id,
        inputs.plan_id(),
    );

    let [pool, roster, recusals, items] = list_digests(inputs);
    c.list(
        CheckKind::PoolDigest,
        "抽查对象名录",
        "pool",
        &published.pool,
        &pool,
    );
    c.list(
        CheckKind::RosterDigest,
        "执法检查人员名录",
        "roster",
        &published.roster,
        &roster,
    );
    c.list(
        CheckKind::RecusalsDigest,
        "回避名单",
        "recusal list",
        &published.recusals,
        &recusals,
    );
    c.list(
        CheckKind::ItemsDigest,
        "抽查事项清单",
        "matter list",
        &published.items,
        &items,
    );

    let params_ok = published.params == *inputs.params()
        && published.inspectors_per_task as usize == INSPECTORS_PER_TASK;
    if params_ok {
        c.add(
            CheckKind::Params,
            true,
            format!(
                "抽查参数一致 (parameters match: {})",
                params_text(inputs.params())
            ),
        );
    } else {
        c.add(
            CheckKind::Params,
            false,
            format!(
                "抽查参数不一致 (parameters differ: published {}, {} inspectors per task; computed {}, {})",
                params_text(&published.params),
                published.inspectors_per_task,
                params_text(inputs.params()),
                INSPECTORS_PER_TASK
            ),
        );
    }

    // The seed. The draw is re-run with it whatever these checks say, so
    // that every difference is reported.
    c.add(
        CheckKind::SeedLength,
        seed.len() >= MIN_SEED_LEN,
        if seed.len() >= MIN_SEED_LEN {
            format!("种子长度 {} 字节 (seed length {} bytes)", seed.len(), seed.len())
        } else {
            format!(
                "种子过短：{} 字节，至少需要 {MIN_SEED_LEN} 字节 (seed too short: {} bytes, at least {MIN_SEED_LEN} needed)",
                seed.len(),
                seed.len()
            )
        },
    );
    let seed_hash = hex::encode(Sha256::digest(seed));
    let committed = published.seed_commitment.to_ascii_lowercase();
    if committed == seed_hash {
        c.add(
            CheckKind::SeedCommitment,
            true,
            format!("种子与事先公布的承诺值相符 (the seed matches the commitment {committed})"),
        );
    } else {
        c.add(
            CheckKind::SeedCommitment,
            false,
            format!(
                "种子与事先公布的承诺值不符 (the seed does not match the commitment: published {committed}, SHA-256 of the seed {seed_hash})"
            ),
        );
    }
    if inputs.seed_commitment() != committed {
        c.add(
            CheckKind::SeedCommitment,
            false,
            format!(
                "输入中的承诺值与公布的不一致 (the inputs' seed commitment differs: published {committed}, inputs {})",
                inputs.seed_commitment()
            ),
        );
    }
    c.same_text(
        CheckKind::Seed,
        "抽查结果所载种子",
        "draw's seed",
        &claimed.seed.to_ascii_lowercase(),
        &hex::encode(seed),
    );

    let computed = run(inputs, seed);

    let published_tallies_ok = published.classes == computed.classes;
    c.add(
        CheckKind::ClassCounts,
        published_tallies_ok,
        if published_tallies_ok {
            format!("各类别计数一致 (class counts match: {})", tallies_text(&computed.classes))
        } else {
            format!(
                "计划公布的各类别计数不一致 (published class counts differ: published {}, computed {})",
                tallies_text(&published.classes),
                tallies_text(&computed.classes)
            )
        },
    );
    if claimed.classes != computed.classes {
        c.add(
            CheckKind::ClassCounts,
            false,
            format!(
                "抽查结果的各类别计数不一致 (the draw's class counts differ: published {}, computed {})",
                tallies_text(&claimed.classes),
                tallies_text(&computed.classes)
            ),
        );
    }

    let (nc, nr) = (claimed.tasks.len(), computed.tasks.len());
    c.add(
        CheckKind::TaskCount,
        nc == nr,
        if nc == nr {
            format!("任务数一致 (task count matches: {nr})")
        } else {
            format!("任务数不一致 (task count differs: published {nc}, computed {nr})")
        },
    );
    let mut differing = 0usize;
    for (i, (a, b)) in claimed.tasks.iter().zip(&computed.tasks).enumerate() {
        if a != b {
            differing += 1;
            if differing <= MAX_TASK_FINDINGS {
                c.0.push(Check {
                    kind: CheckKind::Tasks,
                    passed: false,
                    index: Some(i),
                    message: format!(
                        "第 {} 项任务不一致 (tasks differ at index {i}: published {a}, computed {b})",
                        i + 1
                    ),
                });
            }
        }
    }
    if differing > MAX_TASK_FINDINGS {
        let more = differing - MAX_TASK_FINDINGS;
        c.add(
            CheckKind::Tasks,
            false,
            format!("另有 {more} 项任务不一致 ({more} more tasks differ)"),
        );
    }
    if differing == 0 && nc == nr {
        c.add(
            CheckKind::Tasks,
            true,
            format!("全部 {nr} 项任务一致 (all {nr} tasks identical)"),
        );
    }

    c.same_text(
        CheckKind::DrawDigest,
        "抽查结果的摘要",
        "draw digest",
        &claimed.digest.to_ascii_lowercase(),
        &computed.digest,
    );
    let own = claimed.compute_digest();
    if !own.eq_ignore_ascii_case(&claimed.digest) {
        c.add(
            CheckKind::DrawDigest,
            false,
            format!(
                "抽查结果所载摘要与其任务清单不符 (the draw's stated digest does not match its own tasks: stated {}, tasks hash to {own})",
                claimed.digest
            ),
        );
    }

    Verification {
        checks: c.0,
        recomputed_digest: computed.digest,
    }
}
