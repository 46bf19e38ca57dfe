//! xinyong-inspection: the publicly verifiable random-inspection draw
//! (双随机一公开 / 三随机三公开, PRODUCT.md C11). Pure: no I/O, no clock,
//! no randomness of its own — the seed comes from the caller.
//!
//! Random **subjects** from the inspection pool at a ratio per class,
//! random **inspectors** (two per task, none recused for the subject), and
//! random **items** from the plan's matter list; a public **plan** (the
//! digests of its lists and a commitment to the seed), a public **item
//! list**, and public **results** that anyone can check by re-running the
//! draw.
//!
//! The algorithm is specified in `docs/INSPECTION-DRAW.md` precisely
//! enough to re-implement it elsewhere; this crate is one implementation.
//!
//! # Use
//!
//! ```
//! use xinyong_inspection::*;
//! use xinyong_core::uscc::Uscc;
//!
//! // 1. Before the draw: fix the inputs, commit to a secret seed, publish.
//! let seed = b"an unpredictable secret seed, 32+ bytes";
//! let plan = PlanInputs::new(Plan {
//!     plan_id: "2026-营口-001".into(),
//!     pool: vec![
//!         PoolEntry::new(Uscc::parse("91210800MA0UY4XD2K")?, RiskClass::D),
//!         PoolEntry::new(Uscc::parse("91210800MA0UY4XD3K")?, RiskClass::B),
//!     ],
//!     roster: ["P01", "P02", "P03"]
//!         .map(|id| Inspector { id: id.into(), department: "市场监管局".into() })
//!         .into(),
//!     recusals: vec![Recusal {
//!         inspector: "P01".into(),
//!         uscc: Uscc::parse("91210800MA0UY4XD2K")?,
//!         reason: RecusalReason::LastInspected,
//!     }],
//!     items: vec!["营业执照规范使用".into(), "年度报告公示信息".into()],
//!     params: Params { items_per_task: 1, ..Params::default() },
//!     seed_commitment: commit_seed(seed),
//! })?;
//! let published = publish(&plan);
//!
//! // 2. The draw, once the seed is revealed.
//! let result = draw(&plan, seed)?;
//! assert_eq!(result.tasks.len(), 2); // D at 100 %, B at 10 % of 1 → 1
//! let first = result.tasks[0].assignment.inspectors().unwrap();
//! assert!(!first.contains(&"P01".to_string())); // recused
//!
//! // 3. Anyone with the inputs and the seed checks it.
//! let v = verify(&published, &plan, seed, &result);
//! assert!(v.is_ok(), "{v}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! * [`PlanInputs::new`] checks a [`Plan`] (every problem reported) and
//!   sorts its lists into their canonical order.
//! * [`publish`] gives the [`Published`] record: plan id, the SHA-256 of
//!   each canonical list ([`canonical_pool`], [`canonical_roster`],
//!   [`canonical_recusals`], [`canonical_items`]), the seed commitment, the
//!   parameters and the counts per class.
//! * [`draw`] refuses a seed whose SHA-256 is not the commitment, or shorter
//!   than [`MIN_SEED_LEN`] bytes, and gives the [`Draw`]: the tasks sorted by
//!   USCC and the digest of their canonical form.
//! * [`verify`] re-runs the draw and reports every check in words
//!   ([`Verification`]).
//! * [`screen`] applies the pool's exclusions (no annual report, no tax
//!   registration, revoked or cancelled) from flags the caller sets.
//! * [`Generator`] is the draw's random generator (SHA-256 in counter
//!   mode), public for test vectors and re-implementations.
//!
//! # Complaints and 不诉不查
//!
//! A class-A subject flagged 不诉不查 (no inspection without a complaint)
//! is never drawn at random. If it is also flagged with a complaint, it is
//! always included, as a task with [`Basis::Complaint`]; it does not count
//! against the class-A sample. The complaint flag of any other subject does
//! not change the draw.

mod canonical;
mod draw;
mod model;
mod parse;
mod publish;
mod rng;
mod screen;
mod verify;

pub use canonical::{
    canonical_items, canonical_pool, canonical_recusals, canonical_roster, commit_seed, sha256_hex,
};
pub use draw::{
    ALGORITHM, Assignment, Basis, ClassTally, Draw, DrawError, INSPECTORS_PER_TASK, MIN_SEED_LEN,
    Task, class_tallies, draw, sample_size,
};
pub use model::{
    ClassBasis, FULL_RATIO_BP, Inspector, MAX_PROBLEMS, Params, Plan, PlanError, PlanInputs,
    PlanProblem, PoolEntry, Ratios, Recusal, RecusalReason, RiskClass,
};
pub use parse::{ListError, parse_items, parse_pool, parse_recusals, parse_roster};
pub use publish::{ListDigest, Published, publish};
pub use rng::{GENERATOR_TAG, Generator};
pub use screen::{Candidate, Excluded, Exclusion, Screened, screen};
pub use verify::{Check, CheckKind, MAX_TASK_FINDINGS, Verification, verify};
