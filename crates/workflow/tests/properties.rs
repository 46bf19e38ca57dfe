//! Property tests: random sequences of events, in random roles, on random
//! days (2018-12 to 2027-03, so some deadlines run outside the 2019–2026
//! calendar), applied to each workflow.
//!
//! For every step: a success is a row of the workflow's diagram for that
//! role and leads to a state reachable in the diagram; a final state accepts
//! nothing; a refusal names the state and the event, and is structural
//! (`invalid_transition`, `forbidden_for_role`, `already_decided`) exactly
//! when the diagram has no such step for the role; the deadlines of every
//! state reached equal the calendar's computation from the state's own
//! dates; every record write is followed by a re-evaluation; states and
//! events survive a JSON round trip. Nothing panics.

mod common;

use common::*;
use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde::Serialize;
use serde::de::DeserializeOwned;
use xinyong_core::time::{self, Date, Period};
use xinyong_workflow::commitment::{self, CommitmentState, Obligation};
use xinyong_workflow::objection::{self, ObjectionState};
use xinyong_workflow::repair::{self, RepairState};
use xinyong_workflow::{
    Config, Deadline, DeadlineKind, Diagram, Effect, EventKind, Role, Status, WorkflowError,
};

/// One step of a generated sequence.
#[derive(Debug, Clone)]
struct Gen {
    /// Days from the previous step.
    days: i32,
    /// Whether to pick a step of the diagram from the current state (biased
    /// towards progress) rather than any kind in any role.
    follow: bool,
    /// Picks the kind (and the row when following).
    pick: usize,
    /// Picks the role.
    role: usize,
    /// Picks the event's data (0: blank texts, 1: inconsistent dates).
    variant: u8,
}

fn gen_step() -> impl Strategy<Value = Gen> {
    (
        0i32..40,
        prop::bool::weighted(0.7),
        any::<usize>(),
        any::<usize>(),
        0u8..8,
    )
        .prop_map(|(days, follow, pick, role, variant)| Gen {
            days,
            follow,
            pick,
            role,
            variant,
        })
}

fn sequence() -> impl Strategy<Value = (i32, Vec<Gen>)> {
    // 2018-12-01 + 0..3000 days reaches 2027-02 (the notices' years, then
    // the first provisional one); 7600..7730 days run from 2039-10 past the
    // provisional years' end (2039-12-31) into 2040.
    (
        prop_oneof![8 => 0i32..3000, 1 => 7600i32..7730],
        prop::collection::vec(gen_step(), 0..14),
    )
}

fn start(offset: i32) -> Date {
    plus_days(d("2018-12-01"), offset)
}

/// Chooses `(kind, role)` for a step from `from`.
fn choose<S: Status, K: EventKind>(diagram: &Diagram<S, K>, from: S, g: &Gen) -> (K, Role) {
    let rows: Vec<_> = diagram.rows.iter().filter(|r| r.from == from).collect();
    if g.follow && !rows.is_empty() {
        let row = rows[g.pick % rows.len()];
        (row.event, row.roles[g.role % row.roles.len()])
    } else {
        (
            K::ALL[g.pick % K::ALL.len()],
            Role::ALL[g.role % Role::ALL.len()],
        )
    }
}

/// The checks every step of every workflow passes.
fn check_step<S: Status, K: EventKind>(
    diagram: &Diagram<S, K>,
    from: S,
    kind: K,
    role: Role,
    outcome: Result<S, &WorkflowError>,
) -> Result<(), TestCaseError> {
    let row_target = diagram.target(from, kind, role);
    if diagram.is_terminal(from) {
        prop_assert!(outcome.is_err(), "final state {from:?} accepted {kind:?}");
    }
    match outcome {
        Ok(to) => {
            prop_assert_eq!(
                row_target,
                Some(to),
                "{:?} --{:?}/{:?}--> {:?}",
                from,
                kind,
                role,
                to
            );
            prop_assert!(diagram.reachable().contains(&to));
        }
        Err(e) => {
            prop_assert!(WorkflowError::CODES.contains(&e.code()), "{e}");
            prop_assert_eq!(e.workflow(), S::WORKFLOW);
            prop_assert_eq!(e.state(), from.name());
            prop_assert_eq!(e.event(), kind.name());
            prop_assert_eq!(
                e.is_structural(),
                row_target.is_none(),
                "{:?} --{:?}/{:?}: {}",
                from,
                kind,
                role,
                e
            );
            if e.code() == "already_decided" {
                prop_assert!(diagram.is_terminal(from) && kind.is_decision());
            }
            if e.code() == "forbidden_for_role" {
                prop_assert!(
                    diagram
                        .row(from, kind)
                        .is_none_or(|r| !r.roles.contains(&role))
                );
            }
            prop_assert!(!e.to_string().is_empty());
        }
    }
    Ok(())
}

/// Every record write is followed by a re-evaluation of the subject, and
/// nothing is re-evaluated without a write.
fn check_effects(effects: &[Effect]) -> Result<(), TestCaseError> {
    for (i, e) in effects.iter().enumerate() {
        if e.writes_record() {
            prop_assert!(
                effects[i + 1..].iter().any(
                    |later| matches!(later, Effect::Reevaluate { subject } if subject == SUBJECT)
                ),
                "{effects:?}"
            );
        }
    }
    let writes = effects.iter().any(Effect::writes_record);
    let reevaluates = effects
        .iter()
        .any(|e| matches!(e, Effect::Reevaluate { .. }));
    prop_assert_eq!(writes, reevaluates, "{:?}", effects);
    Ok(())
}

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(
    value: &T,
) -> Result<(), TestCaseError> {
    let json = serde_json::to_string(value).unwrap();
    let back: T = serde_json::from_str(&json).unwrap();
    prop_assert_eq!(&back, value, "{}", json);
    Ok(())
}

fn wd(start: Date, n: u32) -> Date {
    cal().add_working_days(start, n).unwrap()
}

fn check_objection_deadlines(state: &ObjectionState, config: &Config) -> Result<(), TestCaseError> {
    if let Some(f) = state.filing() {
        prop_assert_eq!(
            f.decide_by,
            wd(f.received_on, config.objection_decision_working_days)
        );
    }
    let expected: Vec<Deadline> = match state {
        ObjectionState::Open { filing } | ObjectionState::Overdue { filing, .. } => {
            vec![Deadline {
                kind: DeadlineKind::ObjectionDecision,
                due: filing.decide_by,
            }]
        }
        _ => vec![],
    };
    prop_assert_eq!(state.deadlines(), expected);
    Ok(())
}

fn check_repair_deadlines(state: &RepairState, config: &Config) -> Result<(), TestCaseError> {
    if let (Some(a), Some(decide_by)) = (state.application(), state.decide_by()) {
        prop_assert_eq!(
            decide_by,
            wd(a.applied_on, config.repair_decision_working_days)
        );
    }
    if let RepairState::Approved {
        decide_by: None,
        decision,
        application,
    } = state
    {
        // one click: decided on application, by the platform
        prop_assert_eq!(decision.on, application.applied_on);
        prop_assert_eq!(decision.by, Role::System);
    }
    prop_assert_eq!(
        state.deadlines().len(),
        usize::from(!state.is_final() && state.decide_by().is_some())
    );
    Ok(())
}

fn check_commitment_deadlines(
    state: &CommitmentState,
    config: &Config,
) -> Result<(), TestCaseError> {
    let Some(c) = state.commitment() else {
        return Ok(());
    };
    match &c.obligation {
        Obligation::OnSiteCheck => {
            prop_assert_eq!(
                c.check_by,
                Some(wd(c.signed_on, config.on_site_check_working_days))
            );
            prop_assert_eq!(c.due_on, None);
        }
        Obligation::DueOn { date } => prop_assert_eq!(c.due_on, Some(*date)),
        Obligation::Within { period } => {
            prop_assert_eq!(c.due_on, Some(time::add(c.signed_on, *period)))
        }
        Obligation::OnEvent { .. } => {
            prop_assert!(c.check_by.is_none());
            prop_assert!(c.due_on.is_none_or(|due| due >= c.signed_on));
        }
    }
    if let Some(b) = state.breach() {
        prop_assert_eq!(
            b.barred_until,
            time::add(b.breached_on, config.commitment_bar)
        );
        if let Some(due) = c
            .due_on
            .filter(|_| b.cause == commitment::BreachCause::MissedDueDate)
        {
            prop_assert_eq!(b.breached_on, time::add(due, Period::days(1)));
        }
    }
    for deadline in state.deadlines() {
        let expected = match deadline.kind {
            DeadlineKind::CommitmentDue => c.due_on,
            DeadlineKind::OnSiteCheck => c.check_by,
            _ => None,
        };
        prop_assert_eq!(Some(deadline.due), expected);
    }
    Ok(())
}

/// Steps taken: (state, event kind, role, state after), by name.
type Taken = BTreeSet<(&'static str, &'static str, &'static str, &'static str)>;

/// What generated sequences did: the steps taken and the refusals met.
#[derive(Default)]
struct Seen {
    steps: Taken,
    codes: BTreeSet<&'static str>,
}

fn run_objection(offset: i32, steps: &[Gen], seen: &mut Seen) -> Result<(), TestCaseError> {
    let mut state = ObjectionState::Initial;
    let mut today = start(offset);
    let diagram = objection::diagram();
    for g in steps {
        today = plus_days(today, g.days);
        let ctx = ctx_on(today);
        let from = state.status();
        let (kind, role) = choose(diagram, from, g);
        let event = objection_event(kind, role, g.variant);
        prop_assert_eq!(event.kind(), kind);
        round_trip(&event)?;
        let result = objection::apply(&state, &event, &ctx);
        check_step(
            diagram,
            from,
            kind,
            role,
            result.as_ref().map(|t| t.state.status()),
        )?;
        if let Ok(t) = result {
            prop_assert_eq!(&t.deadlines, &t.state.deadlines());
            check_effects(&t.effects)?;
            check_objection_deadlines(&t.state, &ctx.config)?;
            round_trip(&t.state)?;
            seen.steps.insert((
                from.name(),
                kind.name(),
                role.name(),
                t.state.status().name(),
            ));
            state = t.state;
        } else if let Err(e) = result {
            seen.codes.insert(e.code());
        }
    }
    Ok(())
}

fn run_repair(offset: i32, steps: &[Gen], seen: &mut Seen) -> Result<(), TestCaseError> {
    let mut state = RepairState::Initial;
    let mut today = start(offset);
    let diagram = repair::diagram();
    for g in steps {
        today = plus_days(today, g.days);
        let ctx = ctx_on(today);
        let from = state.status();
        let (kind, role) = choose(diagram, from, g);
        let event = repair_event(kind, role, g.variant, today);
        prop_assert_eq!(event.kind(), kind);
        round_trip(&event)?;
        let result = repair::apply(&state, &event, &ctx);
        check_step(
            diagram,
            from,
            kind,
            role,
            result.as_ref().map(|t| t.state.status()),
        )?;
        if let Ok(t) = result {
            prop_assert_eq!(&t.deadlines, &t.state.deadlines());
            check_effects(&t.effects)?;
            check_repair_deadlines(&t.state, &ctx.config)?;
            round_trip(&t.state)?;
            seen.steps.insert((
                from.name(),
                kind.name(),
                role.name(),
                t.state.status().name(),
            ));
            state = t.state;
        } else if let Err(e) = result {
            seen.codes.insert(e.code());
        }
    }
    Ok(())
}

fn run_commitment(offset: i32, steps: &[Gen], seen: &mut Seen) -> Result<(), TestCaseError> {
    let mut state = CommitmentState::Initial;
    let mut today = start(offset);
    let diagram = commitment::diagram();
    for g in steps {
        today = plus_days(today, g.days);
        let ctx = ctx_on(today);
        let from = state.status();
        let (kind, role) = choose(diagram, from, g);
        let event = commitment_event(kind, role, g.variant, today);
        prop_assert_eq!(event.kind(), kind);
        round_trip(&event)?;
        let result = commitment::apply(&state, &event, &ctx);
        check_step(
            diagram,
            from,
            kind,
            role,
            result.as_ref().map(|t| t.state.status()),
        )?;
        if let Ok(t) = result {
            prop_assert_eq!(&t.deadlines, &t.state.deadlines());
            check_effects(&t.effects)?;
            check_commitment_deadlines(&t.state, &ctx.config)?;
            round_trip(&t.state)?;
            seen.steps.insert((
                from.name(),
                kind.name(),
                role.name(),
                t.state.status().name(),
            ));
            state = t.state;
        } else if let Err(e) = result {
            seen.codes.insert(e.code());
        }
    }
    Ok(())
}

/// Every `(state, event kind, role)` of a diagram, by name.
fn all_steps<S: Status, K: EventKind>(diagram: &Diagram<S, K>) -> Taken {
    diagram
        .rows
        .iter()
        .flat_map(|r| {
            r.roles
                .iter()
                .map(move |role| (r.from.name(), r.event.name(), role.name(), r.to.name()))
        })
        .collect()
}

/// The generator is good enough to matter: 512 deterministic sequences take
/// every step of every diagram, in every role allowed, and meet every
/// refusal the workflow has.
#[test]
fn generated_sequences_take_every_step() {
    let mut runner = TestRunner::deterministic();
    let (mut objections, mut repairs, mut commitments) =
        (Seen::default(), Seen::default(), Seen::default());
    for _ in 0..512 {
        let (offset, steps) = sequence().new_tree(&mut runner).unwrap().current();
        run_objection(offset, &steps, &mut objections).unwrap();
        run_repair(offset, &steps, &mut repairs).unwrap();
        run_commitment(offset, &steps, &mut commitments).unwrap();
    }
    assert_eq!(objections.steps, all_steps(objection::diagram()));
    assert_eq!(repairs.steps, all_steps(repair::diagram()));
    assert_eq!(commitments.steps, all_steps(commitment::diagram()));
    // and meet every refusal that can happen in each workflow
    let codes = |list: &[&'static str]| list.iter().copied().collect::<BTreeSet<_>>();
    let common = [
        "invalid_transition",
        "forbidden_for_role",
        "already_decided",
        "invalid_event",
        "outside_calendar",
    ];
    assert_eq!(
        objections.codes,
        codes(&[&common[..], &["not_overdue"]].concat())
    );
    assert_eq!(
        repairs.codes,
        codes(&[&common[..], &["not_overdue"]].concat())
    );
    assert_eq!(
        commitments.codes,
        codes(&[&common[..], &["not_yet_due", "commitment_route_barred"]].concat())
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn objection_sequences((offset, steps) in sequence()) {
        run_objection(offset, &steps, &mut Seen::default())?;
    }

    #[test]
    fn repair_sequences((offset, steps) in sequence()) {
        run_repair(offset, &steps, &mut Seen::default())?;
    }

    #[test]
    fn commitment_sequences((offset, steps) in sequence()) {
        run_commitment(offset, &steps, &mut Seen::default())?;
    }

    /// A deadline `n` working days after any day is `add_working_days`; it is
    /// a working day after the start, with exactly `n` working days in
    /// between; overdue exactly from the next calendar day.
    #[test]
    fn deadlines_are_the_calendars((offset, n) in (0i32..2900, 1u32..40)) {
        let start = start(offset);
        match Deadline::working_days_after(DeadlineKind::ObjectionDecision, cal(), start, n) {
            Ok(deadline) => {
                prop_assert_eq!(deadline.due, cal().add_working_days(start, n).unwrap());
                prop_assert!(deadline.due > start);
                prop_assert!(cal().is_working_day(deadline.due).unwrap());
                prop_assert_eq!(cal().working_days_between(start, deadline.due).unwrap(), n);
                prop_assert_eq!(deadline.working_days_left(cal(), start).unwrap(), n);
                prop_assert!(!deadline.is_overdue(deadline.due));
                prop_assert!(deadline.is_overdue(plus_days(deadline.due, 1)));
                prop_assert_eq!(deadline.working_days_left(cal(), deadline.due).unwrap(), 0);
            }
            Err(e) => {
                // only where the count leaves the calendar
                prop_assert!(start < cal().first_day() || plus_days(start, 2 * n as i32 + 30) > cal().last_day(), "{e}");
            }
        }
    }
}

fn ctx_on(today: Date) -> xinyong_workflow::Ctx<'static> {
    xinyong_workflow::Ctx::builtin(today)
}
