//! Concrete cases of the three workflows, with dates checked against the
//! built-in 2019–2026 calendar.

mod common;

use common::*;
use xinyong_core::time::{DayKind, Period};
use xinyong_workflow::commitment::{
    self, BreachCause, CommitmentEvent, CommitmentEventKind, CommitmentKind, CommitmentState,
    CommitmentStatus, Obligation,
};
use xinyong_workflow::gov_claim;
use xinyong_workflow::objection::{
    self, Correction, ObjectionEvent, ObjectionEventKind, ObjectionState, ObjectionStatus,
};
use xinyong_workflow::repair::{
    self, Admissibility, RepairEvent, RepairEventKind, RepairState, RepairStatus,
};
use xinyong_workflow::{
    CommitmentRecordStatus, Config, Ctx, Deadline, DeadlineKind, Diagram, Effect, EventKind, Role,
    Status, Task, WorkflowError,
};

// ---------------------------------------------------------------- objections

fn filed_on(day: &str) -> ObjectionState {
    objection::apply(
        &ObjectionState::Initial,
        &objection_event(ObjectionEventKind::File, Role::Enterprise, 1),
        &ctx(day),
    )
    .unwrap()
    .state
}

fn open_filing() -> xinyong_workflow::objection::Filing {
    filed_on("2020-09-25").filing().unwrap().clone()
}

fn uphold(actor: Role) -> ObjectionEvent {
    ObjectionEvent::Uphold {
        actor,
        reasons: "经核查，原记录无误".into(),
    }
}

fn correct(actor: Role, correction: Correction) -> ObjectionEvent {
    ObjectionEvent::Correct {
        actor,
        correction,
        reasons: "经核查，罚款金额录入错误，已更正".into(),
    }
}

#[test]
fn the_2020_national_day_arrangement_is_in_the_builtin_calendar() {
    let kind = |s: &str| cal().day_kind(d(s)).unwrap();
    assert_eq!(kind("2020-09-25"), DayKind::Workday); // Friday
    assert_eq!(kind("2020-09-26"), DayKind::Weekend);
    assert!(matches!(
        kind("2020-09-27"),
        DayKind::AdjustedWorkday { .. }
    )); // Sunday, worked
    for day in 1..=8 {
        let date = format!("2020-10-{day:02}");
        assert!(matches!(kind(&date), DayKind::Holiday { .. }), "{date}");
    }
    assert_eq!(kind("2020-10-09"), DayKind::Workday);
    assert!(matches!(
        kind("2020-10-10"),
        DayKind::AdjustedWorkday { .. }
    )); // Saturday, worked
    assert_eq!(kind("2020-10-11"), DayKind::Weekend);
}

#[test]
fn objection_received_before_national_day_2020_is_due_on_october_29() {
    let t = objection::apply(
        &ObjectionState::Initial,
        &objection_event(ObjectionEventKind::File, Role::Enterprise, 1),
        &ctx("2020-09-25"),
    )
    .unwrap();
    // Day 1 is Sunday 09-27 (调休), days 2–4 are 09-28..30, the holiday
    // 10-01..08 is skipped, 10-09 is day 5 and Saturday 10-10 day 6; the
    // 20th working day is Thursday 10-29.
    let decide_by = d("2020-10-29");
    assert_eq!(
        cal().add_working_days(d("2020-09-25"), 20).unwrap(),
        decide_by
    );
    assert_eq!(
        cal().add_working_days(d("2020-09-25"), 1).unwrap(),
        d("2020-09-27")
    );
    assert_eq!(
        cal().add_working_days(d("2020-09-25"), 6).unwrap(),
        d("2020-10-10")
    );
    assert_eq!(t.state.status(), ObjectionStatus::Open);
    assert_eq!(t.state.label_zh(), "异议处理中");
    assert!(t.state.status().is_disputed());
    assert_eq!(t.state.decide_by(), Some(decide_by));
    assert_eq!(
        t.deadlines,
        vec![Deadline {
            kind: DeadlineKind::ObjectionDecision,
            due: decide_by
        }]
    );
    assert_eq!(
        t.effects,
        vec![
            Effect::MarkDisputed { record: penalty() },
            Effect::RouteToDepartment {
                department: "SCJG".into(),
                task: Task::DecideObjection,
                due_by: decide_by,
            },
        ]
    );
    let filing = t.state.filing().unwrap();
    assert_eq!(filing.received_on, d("2020-09-25"));
    assert_eq!(filing.filed_by, Role::Enterprise);
}

#[test]
fn objection_is_overdue_exactly_from_the_day_after_decide_by() {
    let open = filed_on("2020-09-25");
    let flag = ObjectionEvent::FlagOverdue {
        actor: Role::System,
    };

    // the day before: one working day left
    let before = ctx("2020-10-28");
    assert!(!open.is_overdue(before.today));
    assert_eq!(open.working_days_left(&before).unwrap(), Some(1));
    let e = objection::apply(&open, &flag, &before).unwrap_err();
    assert_eq!(e.code(), "not_overdue");

    // the day itself: still in time, nothing left
    let on = ctx("2020-10-29");
    assert!(!open.is_overdue(on.today));
    assert_eq!(open.working_days_left(&on).unwrap(), Some(0));
    assert_eq!(
        objection::apply(&open, &flag, &on).unwrap_err().code(),
        "not_overdue"
    );

    // the day after (the 21st working day after receipt): overdue
    let after = ctx("2020-10-30");
    assert_eq!(
        cal().add_working_days(d("2020-09-25"), 21).unwrap(),
        after.today
    );
    assert!(open.is_overdue(after.today));
    let deadline = open.deadlines()[0];
    assert_eq!(deadline.working_days_late(cal(), after.today).unwrap(), 1);
    let t = objection::apply(&open, &flag, &after).unwrap();
    assert_eq!(t.state.status(), ObjectionStatus::Overdue);
    assert_eq!(t.state.label_zh(), "逾期未处理");
    assert!(t.state.status().is_disputed());
    assert_eq!(
        t.effects,
        vec![Effect::FlagOverdue {
            department: "SCJG".into(),
            task: Task::DecideObjection,
            due_by: d("2020-10-29"),
        }]
    );
    // still to decide, and counted as late once decided
    let decided =
        objection::apply(&t.state, &uphold(Role::Department), &ctx("2020-11-02")).unwrap();
    assert_eq!(decided.state.status(), ObjectionStatus::Upheld);
    assert_eq!(decided.state.decided_late(), Some(true));
    assert!(!decided.state.is_overdue(d("2020-11-02")));
    assert!(decided.deadlines.is_empty());

    // only the platform flags
    let e = objection::apply(
        &open,
        &ObjectionEvent::FlagOverdue { actor: Role::Admin },
        &after,
    )
    .unwrap_err();
    assert_eq!(e.code(), "forbidden_for_role");
}

#[test]
fn correction_writes_a_new_version_and_reevaluates_at_once() {
    let open = filed_on("2020-09-25");
    let t = objection::apply(
        &open,
        &correct(Role::Department, Correction::NewVersion),
        &ctx("2020-10-29"),
    )
    .unwrap();
    assert_eq!(t.state.status(), ObjectionStatus::Corrected);
    assert_eq!(t.state.label_zh(), "已更正");
    assert_eq!(t.state.decided_late(), Some(false));
    assert_eq!(
        t.effects,
        vec![
            Effect::WriteCorrection { record: penalty() },
            Effect::ClearDisputed { record: penalty() },
            Effect::Reevaluate {
                subject: SUBJECT.into()
            },
            Effect::NotifyPartners { record: penalty() },
            Effect::NotifyFiler { record: penalty() },
        ]
    );
    let decision = t.state.decision().unwrap();
    assert_eq!(decision.by, Role::Department);
    assert_eq!(decision.on, d("2020-10-29"));

    let t = objection::apply(
        &open,
        &correct(Role::Admin, Correction::Withdrawal),
        &ctx("2020-10-12"),
    )
    .unwrap();
    assert_eq!(t.effects[0], Effect::WithdrawRecord { record: penalty() });
    assert_eq!(
        t.effects[2],
        Effect::Reevaluate {
            subject: SUBJECT.into()
        }
    );
}

#[test]
fn upheld_objection_removes_the_mark_and_tells_the_filer() {
    let t = objection::apply(
        &filed_on("2020-09-25"),
        &uphold(Role::Department),
        &ctx("2020-10-09"),
    )
    .unwrap();
    assert_eq!(t.state.label_zh(), "维持原记录");
    assert_eq!(
        t.effects,
        vec![
            Effect::ClearDisputed { record: penalty() },
            Effect::NotifyFiler { record: penalty() },
        ]
    );
}

#[test]
fn a_second_decision_is_already_decided() {
    let open = filed_on("2020-09-25");
    let first = objection::apply(&open, &uphold(Role::Department), &ctx("2020-10-09"))
        .unwrap()
        .state;
    for second in [
        uphold(Role::Department),
        correct(Role::Department, Correction::NewVersion),
        uphold(Role::Admin),
    ] {
        let e = objection::apply(&first, &second, &ctx("2020-10-09")).unwrap_err();
        assert_eq!(e.code(), "already_decided", "{e}");
        assert_eq!(e.state(), "upheld");
        assert_eq!(e.workflow(), "objection");
        assert!(e.to_string().contains("upheld"), "{e}");
    }
    // a withdrawal after the decision is no decision: invalid_transition
    let e = objection::apply(
        &first,
        &objection_event(ObjectionEventKind::Withdraw, Role::Enterprise, 1),
        &ctx("2020-10-10"),
    )
    .unwrap_err();
    assert_eq!(e.code(), "invalid_transition");
    // a repair decided twice, a commitment fulfilled twice
    let accepted = accepted_on("2021-06-02");
    let approved = repair::apply(&accepted, &approve(Role::Department), &ctx("2021-06-10"))
        .unwrap()
        .state;
    let e = repair::apply(&approved, &approve(Role::Department), &ctx("2021-06-10")).unwrap_err();
    assert_eq!(e.code(), "already_decided");
    let e = repair::apply(
        &approved,
        &RepairEvent::Deny {
            actor: Role::Admin,
            reasons: "材料不全".into(),
        },
        &ctx("2021-06-10"),
    )
    .unwrap_err();
    assert_eq!(e.code(), "already_decided");
}

#[test]
fn an_enterprise_cannot_take_a_departments_step() {
    let open = filed_on("2020-09-25");
    let today = ctx("2020-10-09");
    for event in [
        uphold(Role::Enterprise),
        correct(Role::Enterprise, Correction::NewVersion),
        uphold(Role::Public),
        uphold(Role::System),
    ] {
        let e = objection::apply(&open, &event, &today).unwrap_err();
        assert_eq!(e.code(), "forbidden_for_role", "{e}");
        assert!(matches!(
            e,
            WorkflowError::ForbiddenForRole {
                state: "open",
                event: "uphold" | "correct",
                ..
            }
        ));
    }
    // the role is checked first: the refusal tells nothing of the state
    let e =
        objection::apply(&ObjectionState::Initial, &uphold(Role::Enterprise), &today).unwrap_err();
    assert_eq!(e.code(), "forbidden_for_role");
    // a department cannot file
    let e = objection::apply(
        &ObjectionState::Initial,
        &objection_event(ObjectionEventKind::File, Role::Department, 1),
        &today,
    )
    .unwrap_err();
    assert_eq!(e.code(), "forbidden_for_role");
    // repairs and commitments
    let e = repair::apply(
        &accepted_on("2021-06-02"),
        &approve(Role::Enterprise),
        &ctx("2021-06-03"),
    )
    .unwrap_err();
    assert_eq!(e.code(), "forbidden_for_role");
    let check = signed(
        Obligation::OnSiteCheck,
        CommitmentKind::NotifyCommit,
        "2020-09-25",
    );
    let e = commitment::apply(
        &check,
        &CommitmentEvent::CheckPassed {
            actor: Role::Enterprise,
            findings: "自查合格".into(),
        },
        &ctx("2020-10-12"),
    )
    .unwrap_err();
    assert_eq!(e.code(), "forbidden_for_role");
}

#[test]
fn the_public_may_file_and_withdraw() {
    let t = objection::apply(
        &ObjectionState::Initial,
        &objection_event(ObjectionEventKind::File, Role::Public, 1),
        &ctx("2024-03-01"),
    )
    .unwrap();
    assert_eq!(t.state.filing().unwrap().filed_by, Role::Public);
    let w = objection::apply(
        &t.state,
        &objection_event(ObjectionEventKind::Withdraw, Role::Public, 0),
        &ctx("2024-03-04"),
    )
    .unwrap();
    assert_eq!(w.state.label_zh(), "已撤回");
    assert_eq!(w.effects, vec![Effect::ClearDisputed { record: penalty() }]);
    assert!(w.state.is_final());
}

#[test]
fn blank_texts_and_out_of_order_days_are_invalid_events() {
    let e = objection::apply(
        &ObjectionState::Initial,
        &objection_event(ObjectionEventKind::File, Role::Enterprise, 0),
        &ctx("2020-09-25"),
    )
    .unwrap_err();
    assert_eq!(e.code(), "invalid_event");
    assert!(e.to_string().contains("statement"), "{e}");
    let open = filed_on("2020-09-25");
    let e = objection::apply(
        &open,
        &ObjectionEvent::Uphold {
            actor: Role::Department,
            reasons: " \n".into(),
        },
        &ctx("2020-10-09"),
    )
    .unwrap_err();
    assert_eq!(e.code(), "invalid_event");
    let e = objection::apply(&open, &uphold(Role::Department), &ctx("2020-09-24")).unwrap_err();
    assert_eq!(e.code(), "invalid_event");
    assert!(e.to_string().contains("before the case's last step"), "{e}");
}

#[test]
fn days_outside_the_calendar_are_errors_not_panics() {
    let file = objection_event(ObjectionEventKind::File, Role::Enterprise, 1);
    // 20 working days from mid-December 2039 run past the calendar's last
    // (provisional) year
    let e = objection::apply(&ObjectionState::Initial, &file, &ctx("2039-12-15")).unwrap_err();
    assert_eq!(e.code(), "outside_calendar");
    assert!(matches!(
        e,
        WorkflowError::OutsideCalendar {
            state: "initial",
            event: "file",
            ..
        }
    ));
    let e = objection::apply(&ObjectionState::Initial, &file, &ctx("2018-06-01")).unwrap_err();
    assert_eq!(e.code(), "outside_calendar");
    // the last objection the calendar can time
    let late = objection::apply(&ObjectionState::Initial, &file, &ctx("2039-11-30")).unwrap();
    let decide_by = late.state.decide_by().unwrap();
    assert!(decide_by <= d("2039-12-31"));
    // a decision needs no calendar, even in 2040
    let decided = objection::apply(&late.state, &uphold(Role::Admin), &ctx("2040-01-05")).unwrap();
    assert_eq!(decided.state.decided_late(), Some(true));
    // nothing left after the deadline, even outside the calendar; counting
    // the working days late into 2040 is a calendar error
    assert_eq!(
        late.state.working_days_left(&ctx("2040-01-05")).unwrap(),
        Some(0)
    );
    assert!(
        late.state.deadlines()[0]
            .working_days_late(cal(), d("2040-01-05"))
            .is_err()
    );
    // days left from a day before the calendar: an error
    let early = ObjectionState::Open {
        filing: xinyong_workflow::objection::Filing {
            received_on: d("2019-01-02"),
            ..open_filing()
        },
    };
    let e = early.working_days_left(&ctx("2018-12-30")).unwrap_err();
    assert_eq!(e.code(), "outside_calendar");
    assert_eq!(e.event(), "working_days_left");
    // repair acceptance and on-site checks too
    let e = repair::apply(
        &RepairState::Initial,
        &repair_event(
            RepairEventKind::ApplyAdmissible,
            Role::Enterprise,
            3,
            d("2039-12-20"),
        ),
        &ctx("2039-12-20"),
    )
    .unwrap_err();
    assert_eq!(e.code(), "outside_calendar");
    let e = commitment::apply(
        &CommitmentState::Initial,
        &sign(Obligation::OnSiteCheck, CommitmentKind::NotifyCommit, None),
        &ctx("2039-12-01"),
    )
    .unwrap_err();
    assert_eq!(e.code(), "outside_calendar");
}

#[test]
fn deadlines_follow_the_configuration() {
    let config = Config {
        objection_decision_working_days: 5,
        ..Config::default()
    };
    let ctx = Ctx::new(d("2020-09-25"), cal(), config);
    let t = objection::apply(
        &ObjectionState::Initial,
        &objection_event(ObjectionEventKind::File, Role::Enterprise, 1),
        &ctx,
    )
    .unwrap();
    // 09-27, 09-28, 09-29, 09-30, then 10-09
    assert_eq!(t.state.decide_by(), Some(d("2020-10-09")));
    let default = Config::default();
    assert_eq!(default.objection_decision_working_days, 20);
    assert_eq!(default.repair_decision_working_days, 15);
    assert_eq!(default.on_site_check_working_days, 30);
    assert_eq!(default.commitment_bar, Period::years(1));
    // a configuration file names only what it changes
    let read: Config = serde_json::from_str(r#"{"commitment_bar": "6个月"}"#).unwrap();
    assert_eq!(read.commitment_bar, Period::months(6));
    assert_eq!(read.repair_decision_working_days, 15);
}

// ---------------------------------------------------------------- repairs

fn approve(actor: Role) -> RepairEvent {
    RepairEvent::Approve {
        actor,
        reasons: "已履行行政处罚并完成整改".into(),
    }
}

fn accepted_on(day: &str) -> RepairState {
    repair::apply(
        &RepairState::Initial,
        &repair_event(
            RepairEventKind::ApplyAdmissible,
            Role::Enterprise,
            3,
            d(day),
        ),
        &ctx(day),
    )
    .unwrap()
    .state
}

#[test]
fn repair_is_decided_within_15_working_days_of_acceptance() {
    // seed003 RS-03: a general penalty of 2021-03-01, applied for on
    // 2021-06-02; the 2021 Dragon Boat holiday is 06-12..14.
    assert!(matches!(
        cal().day_kind(d("2021-06-14")).unwrap(),
        DayKind::Holiday { .. }
    ));
    let t = repair::apply(
        &RepairState::Initial,
        &repair_event(
            RepairEventKind::ApplyAdmissible,
            Role::Enterprise,
            3,
            d("2021-06-02"),
        ),
        &ctx("2021-06-02"),
    )
    .unwrap();
    let decide_by = d("2021-06-24");
    assert_eq!(
        cal().add_working_days(d("2021-06-02"), 15).unwrap(),
        decide_by
    );
    assert_eq!(t.state.status(), RepairStatus::Accepted);
    assert_eq!(t.state.label_zh(), "已受理");
    assert_eq!(t.state.decide_by(), Some(decide_by));
    assert_eq!(
        t.deadlines,
        vec![Deadline {
            kind: DeadlineKind::RepairDecision,
            due: decide_by
        }]
    );
    assert_eq!(
        t.effects,
        vec![Effect::RouteToDepartment {
            department: "SCJG".into(),
            task: Task::DecideRepair,
            due_by: decide_by,
        }]
    );
    // decided on the 15th working day: in time, with every effect
    let approved = repair::apply(&t.state, &approve(Role::Department), &ctx("2021-06-24")).unwrap();
    assert_eq!(approved.state.status(), RepairStatus::Approved);
    assert_eq!(approved.state.label_zh(), "已修复");
    assert_eq!(approved.state.decided_late(), Some(false));
    assert_eq!(
        approved.effects,
        vec![
            Effect::SetRepairedOn {
                record: penalty(),
                date: d("2021-06-24")
            },
            Effect::Reevaluate {
                subject: SUBJECT.into()
            },
            Effect::NotifyPartners { record: penalty() },
            Effect::NotifyApplicant { record: penalty() },
        ]
    );
    // the next day it is overdue, flagged, and still decidable
    assert!(t.state.is_overdue(d("2021-06-25")));
    let flagged = repair::apply(
        &t.state,
        &RepairEvent::FlagOverdue {
            actor: Role::System,
        },
        &ctx("2021-06-25"),
    )
    .unwrap();
    assert_eq!(flagged.state.label_zh(), "逾期未决定");
    let denied = repair::apply(
        &flagged.state,
        &RepairEvent::Deny {
            actor: Role::Department,
            reasons: "整改材料不全".into(),
        },
        &ctx("2021-06-28"),
    )
    .unwrap();
    assert_eq!(denied.state.label_zh(), "不予修复");
    assert_eq!(denied.state.decided_late(), Some(true));
    assert_eq!(
        denied.effects,
        vec![Effect::NotifyApplicant { record: penalty() }]
    );
}

#[test]
fn abnormal_trace_one_click_clears_at_once() {
    let trace = xinyong_workflow::RecordRef::new("SCJG", "SCJG-YC-000042");
    let event = RepairEvent::Apply {
        actor: Role::Enterprise,
        case: repair::RepairCase {
            record: trace.clone(),
            subject: SUBJECT.into(),
            evidence: vec![],
        },
        admissibility: Admissibility::OneClick,
    };
    assert_eq!(event.kind(), RepairEventKind::ApplyOneClick);
    let t = repair::apply(&RepairState::Initial, &event, &ctx("2024-05-06")).unwrap();
    assert_eq!(t.state.status(), RepairStatus::Approved);
    assert_eq!(t.state.decide_by(), None); // INTERCHANGE: decide_by null
    assert!(t.deadlines.is_empty());
    assert!(t.state.is_final());
    let decision = t.state.decision().unwrap();
    assert_eq!((decision.by, decision.on), (Role::System, d("2024-05-06")));
    assert_eq!(
        t.effects,
        vec![
            Effect::SetRepairedOn {
                record: trace.clone(),
                date: d("2024-05-06")
            },
            Effect::Reevaluate {
                subject: SUBJECT.into()
            },
            Effect::NotifyPartners {
                record: trace.clone()
            },
            Effect::NotifyApplicant { record: trace },
        ]
    );
    // no hearing follows
    let e = repair::apply(&t.state, &approve(Role::Department), &ctx("2024-05-07")).unwrap_err();
    assert_eq!(e.code(), "already_decided");
}

#[test]
fn inadmissible_applications_are_rejected_with_the_reason() {
    let event = |admissibility| RepairEvent::Apply {
        actor: Role::Enterprise,
        case: repair_case(),
        admissibility,
    };
    let not_yet = Admissibility::NotYetRepairable {
        repairable_from: d("2021-06-02"),
    };
    assert_eq!(not_yet.rejection_code(), Some("not_yet_repairable"));
    let t = repair::apply(
        &RepairState::Initial,
        &event(not_yet.clone()),
        &ctx("2021-05-01"),
    )
    .unwrap();
    assert_eq!(t.state.label_zh(), "不予受理");
    assert_eq!(t.state.decide_by(), None);
    assert!(t.effects.is_empty());
    assert!(
        matches!(&t.state, RepairState::Rejected { admissibility, .. } if *admissibility == not_yet)
    );
    // inconsistent: the day has come
    let e = repair::apply(&RepairState::Initial, &event(not_yet), &ctx("2021-06-02")).unwrap_err();
    assert_eq!(e.code(), "invalid_event");
    let never = Admissibility::NotRepairable {
        reason: "法律规定不得修复".into(),
    };
    assert_eq!(never.rejection_code(), Some("not_repairable"));
    assert_eq!(Admissibility::Admissible.rejection_code(), None);
    let t = repair::apply(&RepairState::Initial, &event(never), &ctx("2021-05-01")).unwrap();
    assert_eq!(t.state.status(), RepairStatus::Rejected);
    assert!(t.state.is_final());
}

// ---------------------------------------------------------------- commitments

fn sign(
    obligation: Obligation,
    kind: CommitmentKind,
    barred_until: Option<&str>,
) -> CommitmentEvent {
    CommitmentEvent::Sign {
        actor: Role::Enterprise,
        case: commitment_case(kind),
        obligation,
        barred_until: barred_until.map(d),
    }
}

fn signed(obligation: Obligation, kind: CommitmentKind, day: &str) -> CommitmentState {
    commitment::apply(
        &CommitmentState::Initial,
        &sign(obligation, kind, None),
        &ctx(day),
    )
    .unwrap()
    .state
}

#[test]
fn missed_due_date_becomes_a_breach_with_the_bar() {
    let record = commitment_case(CommitmentKind::NotifyCommit).record;
    // 6 months to supply the safety managers' certificates (seed001 case 9)
    let t = commitment::apply(
        &CommitmentState::Initial,
        &sign(
            Obligation::Within {
                period: Period::months(6),
            },
            CommitmentKind::NotifyCommit,
            None,
        ),
        &ctx("2021-03-01"),
    )
    .unwrap();
    assert_eq!(t.state.status(), CommitmentStatus::Active);
    assert_eq!(t.state.label_zh(), "履约中");
    let due = d("2021-09-01");
    assert_eq!(
        t.deadlines,
        vec![Deadline {
            kind: DeadlineKind::CommitmentDue,
            due
        }]
    );
    assert_eq!(
        t.effects,
        vec![
            Effect::WriteCommitment {
                record: record.clone(),
                status: CommitmentRecordStatus::Active,
                due_on: Some(due),
                breached_on: None,
            },
            Effect::Reevaluate {
                subject: SUBJECT.into()
            },
            Effect::RouteToDepartment {
                department: "XZSP".into(),
                task: Task::VerifyMaterials,
                due_by: due,
            },
        ]
    );
    let lapse = CommitmentEvent::Lapse {
        actor: Role::System,
    };
    let e = commitment::apply(&t.state, &lapse, &ctx("2021-09-01")).unwrap_err();
    assert_eq!(e.code(), "not_yet_due");
    let breached = commitment::apply(&t.state, &lapse, &ctx("2021-09-02")).unwrap();
    assert_eq!(breached.state.status(), CommitmentStatus::Breached);
    assert_eq!(breached.state.label_zh(), "已违约");
    assert!(breached.deadlines.is_empty());
    let breach = breached.state.breach().unwrap();
    assert_eq!(breach.cause, BreachCause::MissedDueDate);
    assert_eq!(breach.breached_on, d("2021-09-02"));
    assert_eq!(breach.barred_until, d("2022-09-02"));
    assert_eq!(
        breached.effects,
        vec![
            Effect::WriteCommitment {
                record,
                status: CommitmentRecordStatus::Breached,
                due_on: Some(due),
                breached_on: Some(d("2021-09-02")),
            },
            Effect::Reevaluate {
                subject: SUBJECT.into()
            },
            Effect::BarCommitmentRoute {
                subject: SUBJECT.into(),
                from: d("2021-09-02"),
                until: d("2022-09-02"),
            },
            Effect::NotifySubject {
                subject: SUBJECT.into()
            },
        ]
    );
    // a lapse recorded late still dates the breach the day after the due day
    let late = commitment::apply(&t.state, &lapse, &ctx("2021-09-20")).unwrap();
    assert_eq!(late.state.breach().unwrap().breached_on, d("2021-09-02"));
    assert_eq!(late.state.breach().unwrap().recorded_on, d("2021-09-20"));
}

#[test]
fn the_bar_refuses_the_commitment_route_until_its_last_day() {
    let obligation = || Obligation::DueOn {
        date: d("2022-12-01"),
    };
    for kind in [
        CommitmentKind::NotifyCommit,
        CommitmentKind::MissingMaterials,
        CommitmentKind::Domicile,
    ] {
        let e = commitment::apply(
            &CommitmentState::Initial,
            &sign(obligation(), kind, Some("2022-09-02")),
            &ctx("2022-09-02"),
        )
        .unwrap_err();
        assert_eq!(e.code(), "commitment_route_barred");
        assert!(e.to_string().contains("2022-09-02"), "{e}");
        assert!(
            commitment::apply(
                &CommitmentState::Initial,
                &sign(obligation(), kind, Some("2022-09-02")),
                &ctx("2022-09-03"),
            )
            .is_ok()
        );
    }
    // a credit pledge is no approval route: never barred
    assert!(
        commitment::apply(
            &CommitmentState::Initial,
            &sign(
                obligation(),
                CommitmentKind::CreditPledge,
                Some("2022-09-02")
            ),
            &ctx("2022-06-01"),
        )
        .is_ok()
    );
}

#[test]
fn on_site_check_within_30_working_days() {
    let t = commitment::apply(
        &CommitmentState::Initial,
        &sign(Obligation::OnSiteCheck, CommitmentKind::NotifyCommit, None),
        &ctx("2020-09-25"),
    )
    .unwrap();
    let check_by = cal().add_working_days(d("2020-09-25"), 30).unwrap();
    assert_eq!(check_by, d("2020-11-12"));
    assert_eq!(t.state.label_zh(), "待核查");
    assert_eq!(
        t.deadlines,
        vec![Deadline {
            kind: DeadlineKind::OnSiteCheck,
            due: check_by
        }]
    );
    assert!(t.effects.contains(&Effect::RouteToDepartment {
        department: "XZSP".into(),
        task: Task::OnSiteCheck,
        due_by: check_by,
    }));
    // a late check is the department's delay, not the subject's breach
    assert!(t.state.is_overdue(d("2020-11-13")));
    let e = commitment::apply(
        &t.state,
        &CommitmentEvent::Lapse {
            actor: Role::System,
        },
        &ctx("2020-11-13"),
    )
    .unwrap_err();
    assert_eq!(e.code(), "invalid_transition");
    let failed = commitment::apply(
        &t.state,
        &CommitmentEvent::CheckFailed {
            actor: Role::Department,
            findings: "经营场所与承诺不符".into(),
        },
        &ctx("2020-11-13"),
    )
    .unwrap();
    let breach = failed.state.breach().unwrap();
    assert_eq!(breach.cause, BreachCause::FailedCheck);
    assert_eq!(breach.breached_on, d("2020-11-13"));
    assert_eq!(breach.barred_until, d("2021-11-13"));
    let passed = commitment::apply(
        &t.state,
        &CommitmentEvent::CheckPassed {
            actor: Role::Department,
            findings: "现场核查符合承诺条件".into(),
        },
        &ctx("2020-10-20"),
    )
    .unwrap();
    assert_eq!(passed.state.label_zh(), "已履约");
    assert_eq!(
        passed.effects[0],
        Effect::WriteCommitment {
            record: commitment_case(CommitmentKind::NotifyCommit).record,
            status: CommitmentRecordStatus::Fulfilled,
            due_on: None,
            breached_on: None,
        }
    );
}

#[test]
fn due_event_makes_the_commitment_due_that_day() {
    let waiting = signed(
        Obligation::OnEvent {
            event: "offsite_works_start".into(),
        },
        CommitmentKind::CreditPledge,
        "2023-04-03",
    );
    assert_eq!(waiting.label_zh(), "待触发");
    assert!(waiting.deadlines().is_empty());
    let lapse = CommitmentEvent::Lapse {
        actor: Role::System,
    };
    assert_eq!(
        commitment::apply(&waiting, &lapse, &ctx("2023-05-03"))
            .unwrap_err()
            .code(),
        "invalid_transition"
    );
    let due = commitment::apply(
        &waiting,
        &CommitmentEvent::DueEventOccurred {
            actor: Role::Department,
        },
        &ctx("2023-06-01"),
    )
    .unwrap();
    assert_eq!(due.state.status(), CommitmentStatus::Active);
    assert_eq!(
        due.state.commitment().unwrap().due_on,
        Some(d("2023-06-01"))
    );
    assert_eq!(
        commitment::apply(&due.state, &lapse, &ctx("2023-06-01"))
            .unwrap_err()
            .code(),
        "not_yet_due"
    );
    let breached = commitment::apply(&due.state, &lapse, &ctx("2023-06-02")).unwrap();
    assert_eq!(
        breached.state.breach().unwrap().breached_on,
        d("2023-06-02")
    );
}

#[test]
fn a_commitment_can_be_fulfilled_or_withdrawn_by_the_department() {
    let active = signed(
        Obligation::DueOn {
            date: d("2023-10-31"),
        },
        CommitmentKind::MissingMaterials,
        "2023-08-01",
    );
    let fulfilled = commitment::apply(
        &active,
        &CommitmentEvent::Fulfil {
            actor: Role::Department,
            reasons: "容缺材料已补齐".into(),
        },
        &ctx("2023-09-15"),
    )
    .unwrap();
    assert_eq!(fulfilled.state.status(), CommitmentStatus::Fulfilled);
    let e = commitment::apply(
        &fulfilled.state,
        &CommitmentEvent::Lapse {
            actor: Role::System,
        },
        &ctx("2023-11-01"),
    )
    .unwrap_err();
    assert_eq!(e.code(), "already_decided");
    let withdrawn = commitment::apply(
        &active,
        &CommitmentEvent::Withdraw {
            actor: Role::Admin,
            reasons: "审批申请已撤回".into(),
        },
        &ctx("2023-08-02"),
    )
    .unwrap();
    assert_eq!(withdrawn.state.label_zh(), "已撤销");
    assert!(matches!(
        withdrawn.effects[0],
        Effect::WriteCommitment {
            status: CommitmentRecordStatus::Withdrawn,
            ..
        }
    ));
    // a due day before signing is refused
    let e = commitment::apply(
        &CommitmentState::Initial,
        &sign(
            Obligation::DueOn {
                date: d("2023-07-31"),
            },
            CommitmentKind::MissingMaterials,
            None,
        ),
        &ctx("2023-08-01"),
    )
    .unwrap_err();
    assert_eq!(e.code(), "invalid_event");
}

// ---------------------------------------------------------------- diagrams

fn check_diagram<S: Status + Ord, K: EventKind>(diagram: &Diagram<S, K>, finals: &[S]) {
    // one row per (from, event); every state reachable; every kind used
    for (i, a) in diagram.rows.iter().enumerate() {
        for b in &diagram.rows[i + 1..] {
            assert!(!(a.from == b.from && a.event == b.event), "{a:?} / {b:?}");
        }
        assert!(!a.roles.is_empty());
        assert_ne!(a.to, diagram.initial, "nothing leads back to the start");
    }
    let mut reachable = diagram.reachable();
    reachable.sort();
    let mut all = S::ALL.to_vec();
    all.sort();
    assert_eq!(reachable, all, "{}", S::WORKFLOW);
    assert_eq!(S::ALL[0], diagram.initial);
    for k in K::ALL {
        assert!(diagram.rows.iter().any(|r| r.event == *k), "{k:?} unused");
    }
    let mut terminal: Vec<S> = S::ALL
        .iter()
        .copied()
        .filter(|s| diagram.is_terminal(*s))
        .collect();
    terminal.sort();
    let mut finals = finals.to_vec();
    finals.sort();
    assert_eq!(terminal, finals);
    // decisions lead to final states only
    for r in diagram.rows {
        if r.event.is_decision() {
            assert!(diagram.is_terminal(r.to), "{r:?}");
        }
    }
    // the Mermaid text shows every step and every label
    let mermaid = diagram.to_mermaid();
    assert!(mermaid.starts_with("stateDiagram-v2\n"));
    for r in diagram.rows {
        let roles: Vec<&str> = r.roles.iter().map(|r| r.name()).collect();
        let from = if r.from == diagram.initial {
            "[*]"
        } else {
            r.from.name()
        };
        let line = format!(
            "{from} --> {} : {} ({})",
            r.to.name(),
            r.event.name(),
            roles.join(", ")
        );
        assert!(mermaid.contains(&line), "{line}\n{mermaid}");
    }
    for s in S::ALL.iter().filter(|s| **s != diagram.initial) {
        assert!(mermaid.contains(s.label_zh()));
    }
    assert!(diagram.to_markdown_table().lines().count() == diagram.rows.len() + 2);
}

#[test]
fn diagrams_are_well_formed() {
    use CommitmentStatus as C;
    use ObjectionStatus as O;
    use RepairStatus as R;
    check_diagram(
        objection::diagram(),
        &[O::Corrected, O::Upheld, O::Withdrawn],
    );
    check_diagram(
        repair::diagram(),
        &[R::Approved, R::Denied, R::Rejected, R::Withdrawn],
    );
    check_diagram(
        commitment::diagram(),
        &[C::Fulfilled, C::Breached, C::Withdrawn],
    );
}

/// Every final state of every workflow, reached through the workflow.
#[test]
fn final_states_accept_nothing() {
    let on = ctx("2021-06-02");
    let later = ctx("2022-06-01");
    let open = filed_on("2021-06-02");
    let objection_finals = [
        objection::apply(&open, &uphold(Role::Department), &on)
            .unwrap()
            .state,
        objection::apply(&open, &correct(Role::Admin, Correction::NewVersion), &on)
            .unwrap()
            .state,
        objection::apply(
            &open,
            &objection_event(ObjectionEventKind::Withdraw, Role::Enterprise, 1),
            &on,
        )
        .unwrap()
        .state,
    ];
    for state in &objection_finals {
        assert!(state.is_final());
        for kind in ObjectionEventKind::ALL {
            for role in Role::ALL {
                for variant in 0..3 {
                    let e = objection_event(*kind, role, variant);
                    assert!(
                        objection::apply(state, &e, &later).is_err(),
                        "{state:?} {e:?}"
                    );
                }
            }
        }
    }

    let accepted = accepted_on("2021-06-02");
    let repair_finals = [
        repair::apply(&accepted, &approve(Role::Department), &on)
            .unwrap()
            .state,
        repair::apply(
            &accepted,
            &repair_event(RepairEventKind::Deny, Role::Department, 1, on.today),
            &on,
        )
        .unwrap()
        .state,
        repair::apply(
            &accepted,
            &repair_event(RepairEventKind::Withdraw, Role::Enterprise, 1, on.today),
            &on,
        )
        .unwrap()
        .state,
        repair::apply(
            &RepairState::Initial,
            &repair_event(
                RepairEventKind::ApplyInadmissible,
                Role::Enterprise,
                4,
                on.today,
            ),
            &on,
        )
        .unwrap()
        .state,
        repair::apply(
            &RepairState::Initial,
            &repair_event(
                RepairEventKind::ApplyOneClick,
                Role::Enterprise,
                1,
                on.today,
            ),
            &on,
        )
        .unwrap()
        .state,
    ];
    for state in &repair_finals {
        assert!(state.is_final());
        for kind in RepairEventKind::ALL {
            for role in Role::ALL {
                for variant in 0..5 {
                    let e = repair_event(*kind, role, variant, later.today);
                    assert!(repair::apply(state, &e, &later).is_err(), "{state:?} {e:?}");
                }
            }
        }
    }

    let check = signed(
        Obligation::OnSiteCheck,
        CommitmentKind::NotifyCommit,
        "2021-06-02",
    );
    let dept = |kind| commitment_event(kind, Role::Department, 3, on.today);
    let commitment_finals = [
        commitment::apply(&check, &dept(CommitmentEventKind::CheckPassed), &on)
            .unwrap()
            .state,
        commitment::apply(&check, &dept(CommitmentEventKind::CheckFailed), &on)
            .unwrap()
            .state,
        commitment::apply(&check, &dept(CommitmentEventKind::Withdraw), &on)
            .unwrap()
            .state,
    ];
    for state in &commitment_finals {
        assert!(state.is_final());
        for kind in CommitmentEventKind::ALL {
            for role in Role::ALL {
                for variant in 0..6 {
                    let e = commitment_event(*kind, role, variant, later.today);
                    assert!(
                        commitment::apply(state, &e, &later).is_err(),
                        "{state:?} {e:?}"
                    );
                }
            }
        }
    }
}

// ---------------------------------------------------------------- JSON

#[test]
fn states_events_and_effects_are_snake_case_json() {
    let event = objection_event(ObjectionEventKind::File, Role::Enterprise, 1);
    let json = serde_json::to_value(&event).unwrap();
    assert_eq!(json["event"], "file");
    assert_eq!(json["actor"], "enterprise");
    assert_eq!(json["case"]["grounds"], "error");
    assert_eq!(json["case"]["record"]["source"], "SCJG");

    let open = filed_on("2020-09-25");
    let json = serde_json::to_value(&open).unwrap();
    assert_eq!(json["state"], "open");
    assert_eq!(json["filing"]["decide_by"], "2020-10-29");
    assert_eq!(json["filing"]["received_on"], "2020-09-25");

    let effect = Effect::BarCommitmentRoute {
        subject: SUBJECT.into(),
        from: d("2021-09-02"),
        until: d("2022-09-02"),
    };
    let json = serde_json::to_value(&effect).unwrap();
    assert_eq!(json["effect"], "bar_commitment_route");
    assert_eq!(json["until"], "2022-09-02");
    assert_eq!(effect.name(), "bar_commitment_route");

    let apply: RepairEvent = serde_json::from_str(
        r#"{"event": "apply", "actor": "enterprise",
            "case": {"record": {"source": "SCJG", "id": "SCJG-CF-000001"},
                     "subject": "91210800MA0UY4XD2K",
                     "evidence": ["credit_commitment", "training_certificate"]},
            "admissibility": {"admissibility": "not_yet_repairable", "repairable_from": "2021-06-02"}}"#,
    )
    .unwrap();
    assert_eq!(apply.kind(), RepairEventKind::ApplyInadmissible);

    let sign: CommitmentEvent = serde_json::from_str(
        r#"{"event": "sign", "actor": "department",
            "case": {"record": {"source": "XZSP", "id": "XZSP-CN-000007"},
                     "subject": "91210800MA0UY4XD2K", "kind": "missing_materials", "matter": ""},
            "obligation": {"type": "within", "period": "6 months"},
            "barred_until": null}"#,
    )
    .unwrap();
    assert_eq!(sign.kind(), CommitmentEventKind::SignDueDate);
    let t = commitment::apply(&CommitmentState::Initial, &sign, &ctx("2020-02-29")).unwrap();
    assert_eq!(t.state.commitment().unwrap().due_on, Some(d("2020-08-29")));
    let json = serde_json::to_value(&t.state).unwrap();
    assert_eq!(json["state"], "active");
    assert_eq!(json["commitment"]["case"]["kind"], "missing_materials");
}

// ---------------------------------------------------------------- docs

#[test]
fn the_docs_show_the_current_diagrams() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/WORKFLOWS.md");
    let docs = std::fs::read_to_string(path).unwrap();
    for (name, mermaid) in [
        ("objection", objection::mermaid()),
        ("repair", repair::mermaid()),
        ("commitment", commitment::mermaid()),
        ("gov_claim", gov_claim::mermaid()),
    ] {
        assert!(
            docs.contains(&mermaid),
            "docs/WORKFLOWS.md does not show the current {name} diagram; it is:\n{mermaid}"
        );
    }
}

/// The defect of 2026-12-07: an objection filed in December of the last
/// notice year is timed with the provisional calendar of the next year
/// (元旦 off, no 调休), not refused.
#[test]
fn an_objection_in_december_runs_into_the_provisional_year() {
    let file = objection_event(ObjectionEventKind::File, Role::Enterprise, 1);
    let t = objection::apply(&ObjectionState::Initial, &file, &ctx("2026-12-07")).unwrap();
    let decide_by = t.state.decide_by().unwrap();
    assert_eq!(decide_by, d("2027-01-05"));
    assert!(cal().is_provisional(decide_by));
    // On New Year's Eve: 12-31 is the 18th working day, 01-01 is 元旦.
    assert_eq!(
        t.state.working_days_left(&ctx("2026-12-31")).unwrap(),
        Some(2)
    );
    // Filed on 2026-12-15: 12 working days in December, 8 in January.
    let t = objection::apply(&ObjectionState::Initial, &file, &ctx("2026-12-15")).unwrap();
    assert_eq!(t.state.decide_by().unwrap(), d("2027-01-13"));
}
