//! Properties over random plans: the draw agrees with the naive
//! re-implementation of the spec, never assigns a recused inspector, pairs
//! two distinct inspectors, draws exactly k per class, and verifies.

mod common;

use std::collections::HashSet;

use proptest::prelude::*;
use xinyong_inspection::*;

use common::{code, inspector, items, reference_draw};

#[derive(Debug, Clone)]
struct Case {
    plan: Plan,
    seed: Vec<u8>,
}

fn class_strategy() -> impl Strategy<Value = RiskClass> {
    prop_oneof![
        Just(RiskClass::A),
        Just(RiskClass::B),
        Just(RiskClass::C),
        Just(RiskClass::D)
    ]
}

fn case_strategy() -> impl Strategy<Value = Case> {
    (
        proptest::collection::vec((class_strategy(), any::<bool>(), any::<bool>()), 1..40),
        0usize..8,
        0usize..6,
        [0u32..=10_000, 0u32..=10_000, 0u32..=10_000, 0u32..=10_000],
        proptest::collection::vec(any::<u8>(), 16..40),
    )
        .prop_flat_map(|(subjects, roster, n_items, ratios, seed)| {
            let n = subjects.len();
            (
                Just(subjects),
                Just(roster),
                Just(n_items),
                0..=n_items as u32,
                Just(ratios),
                Just(seed),
                // Recusal pairs (inspector, subject, last-inspected?): dense
                // enough that some subjects have fewer than two left.
                proptest::collection::vec(
                    (0..roster.max(1) as u32, 0..n as u32, any::<bool>()),
                    0..(roster * n).max(1) * 2 / 3 + 1,
                ),
                // Shuffle the input order (the plan sorts).
                Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
            )
        })
        .prop_map(
            |(subjects, roster, n_items, m, ratios, seed, recusals, order)| {
                let pool = order
                    .iter()
                    .map(|&i| {
                        let (class, exempt, complaint) = subjects[i];
                        PoolEntry {
                            uscc: code(i as u32 * 7),
                            class,
                            no_inspection_without_complaint: exempt && class == RiskClass::A,
                            complaint,
                        }
                    })
                    .collect();
                let recusals = if roster == 0 {
                    vec![]
                } else {
                    recusals
                        .into_iter()
                        .map(|(ins, subj, last)| Recusal {
                            inspector: inspector(ins).id,
                            uscc: code(subj * 7),
                            reason: if last {
                                RecusalReason::LastInspected
                            } else {
                                RecusalReason::Linked
                            },
                        })
                        .collect()
                };
                Case {
                    plan: Plan {
                        plan_id: "PROP".into(),
                        pool,
                        roster: (0..roster as u32).map(inspector).collect(),
                        recusals,
                        items: items(n_items),
                        params: Params {
                            ratios: Ratios {
                                a: ratios[0],
                                b: ratios[1],
                                c: ratios[2],
                                d: ratios[3],
                            },
                            items_per_task: m,
                            class_basis: ClassBasis::CompositeGrade,
                        },
                        seed_commitment: commit_seed(&seed),
                    },
                    seed,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn draw_follows_the_spec_and_never_assigns_a_recused_inspector(case in case_strategy()) {
        let plan = PlanInputs::new(case.plan.clone()).unwrap();
        let d = draw(&plan, &case.seed).unwrap();

        // The same lines as the naive implementation of the document.
        prop_assert_eq!(
            String::from_utf8(d.canonical_tasks()).unwrap(),
            reference_draw(&plan, &case.seed)
        );

        let roster: HashSet<&str> = plan.roster().iter().map(|i| i.id.as_str()).collect();
        for t in &d.tasks {
            let recused: HashSet<&str> = plan
                .recusals()
                .iter()
                .filter(|r| r.uscc == t.uscc)
                .map(|r| r.inspector.as_str())
                .collect();
            let eligible = roster.len() - recused.len();
            match &t.assignment {
                Assignment::Assigned { inspectors } => {
                    prop_assert!(eligible >= 2);
                    prop_assert_ne!(&inspectors[0], &inspectors[1]);
                    for i in inspectors {
                        prop_assert!(roster.contains(i.as_str()));
                        prop_assert!(!recused.contains(i.as_str()), "{} is recused for {}", i, t.uscc);
                    }
                }
                Assignment::Unassignable { eligible: e, .. } => {
                    prop_assert!(eligible < 2);
                    prop_assert_eq!(*e as usize, eligible);
                }
            }
            let distinct: HashSet<&String> = t.items.iter().collect();
            prop_assert_eq!(distinct.len(), t.items.len());
            prop_assert_eq!(t.items.len(), plan.params().items_per_task as usize);
        }

        // Exactly k per class; complaint subjects all in; exempt ones out.
        for c in &d.classes {
            let random = d.tasks.iter().filter(|t| t.class == c.class && t.basis == Basis::Random).count();
            prop_assert_eq!(random, c.drawn as usize);
            prop_assert_eq!(c.drawn, sample_size(c.eligible, c.ratio_bp));
        }
        for e in plan.pool() {
            let in_draw = d.tasks.iter().any(|t| t.uscc == e.uscc);
            if e.no_inspection_without_complaint {
                prop_assert_eq!(in_draw, e.complaint);
            }
        }
        // Sorted by USCC, no subject twice.
        prop_assert!(d.tasks.windows(2).all(|w| w[0].uscc < w[1].uscc));

        let v = verify(&publish(&plan), &plan, &case.seed, &d);
        prop_assert!(v.is_ok(), "{}", v);
    }
}
