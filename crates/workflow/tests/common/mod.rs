//! Helpers shared by the integration tests: a context on a day, sample cases
//! and an event of any kind, in any role, with valid or invalid data.

#![allow(dead_code)]

use jiff::civil::Date;
use xinyong_core::time::{self, Period, WorkCalendar};
use xinyong_workflow::commitment::{
    CommitmentCase, CommitmentEvent, CommitmentEventKind, CommitmentKind, Obligation,
};
use xinyong_workflow::objection::{
    Correction, ObjectionCase, ObjectionEvent, ObjectionEventKind, ObjectionGrounds,
};
use xinyong_workflow::repair::{
    Admissibility, RepairCase, RepairEvent, RepairEventKind, RepairEvidence,
};
use xinyong_workflow::{Ctx, RecordRef, Role};

pub const SUBJECT: &str = "91210800MA0UY4XD2K";

pub fn cal() -> &'static WorkCalendar {
    WorkCalendar::builtin()
}

pub fn d(s: &str) -> Date {
    s.parse().unwrap()
}

pub fn ctx(today: &str) -> Ctx<'static> {
    Ctx::builtin(d(today))
}

pub fn plus_days(day: Date, n: i32) -> Date {
    time::add(day, Period::days(n))
}

pub fn penalty() -> RecordRef {
    RecordRef::new("SCJG", "SCJG-CF-000001")
}

pub fn objection_case() -> ObjectionCase {
    ObjectionCase {
        record: penalty(),
        subject: SUBJECT.into(),
        grounds: ObjectionGrounds::Error,
        statement: "罚款金额录入错误，应为5000元".into(),
        evidence: vec!["sha256:0f1e".into()],
    }
}

pub fn repair_case() -> RepairCase {
    RepairCase {
        record: penalty(),
        subject: SUBJECT.into(),
        evidence: vec![
            RepairEvidence::CreditCommitment,
            RepairEvidence::RectificationProof,
        ],
    }
}

pub fn commitment_case(kind: CommitmentKind) -> CommitmentCase {
    CommitmentCase {
        record: RecordRef::new("XZSP", "XZSP-CN-000007"),
        subject: SUBJECT.into(),
        kind,
        matter: "劳务派遣经营许可".into(),
    }
}

/// Text that is blank when `variant` is 0 (an invalid event), else not.
fn text(variant: u8, what: &str) -> String {
    if variant == 0 {
        "  ".into()
    } else {
        format!("{what}（{variant}）")
    }
}

/// An objection event of `kind` in `role`; `variant` 0 gives blank texts.
pub fn objection_event(kind: ObjectionEventKind, actor: Role, variant: u8) -> ObjectionEvent {
    match kind {
        ObjectionEventKind::File => {
            let mut case = objection_case();
            if variant == 0 {
                case.statement = String::new();
            }
            ObjectionEvent::File { actor, case }
        }
        ObjectionEventKind::FlagOverdue => ObjectionEvent::FlagOverdue { actor },
        ObjectionEventKind::Correct => ObjectionEvent::Correct {
            actor,
            correction: if variant.is_multiple_of(2) {
                Correction::NewVersion
            } else {
                Correction::Withdrawal
            },
            reasons: text(variant, "经核查，原记录金额有误"),
        },
        ObjectionEventKind::Uphold => ObjectionEvent::Uphold {
            actor,
            reasons: text(variant, "经核查，原记录无误"),
        },
        ObjectionEventKind::Withdraw => ObjectionEvent::Withdraw {
            actor,
            reason: if variant == 0 {
                String::new()
            } else {
                "已与部门沟通".into()
            },
        },
    }
}

/// A repair event of `kind` in `role` on `today`; `variant` 0 gives blank
/// texts, 1 an inconsistent `repairable_from`.
pub fn repair_event(kind: RepairEventKind, actor: Role, variant: u8, today: Date) -> RepairEvent {
    let apply = |admissibility| RepairEvent::Apply {
        actor,
        case: repair_case(),
        admissibility,
    };
    match kind {
        RepairEventKind::ApplyAdmissible => apply(Admissibility::Admissible),
        RepairEventKind::ApplyOneClick => apply(Admissibility::OneClick),
        RepairEventKind::ApplyInadmissible => match variant {
            0 => apply(Admissibility::NotRepairable {
                reason: String::new(),
            }),
            1 => apply(Admissibility::NotYetRepairable {
                repairable_from: today,
            }),
            2 | 3 => apply(Admissibility::NotYetRepairable {
                repairable_from: plus_days(today, 40),
            }),
            _ => apply(Admissibility::NotRepairable {
                reason: "特别严重失信，不予修复".into(),
            }),
        },
        RepairEventKind::FlagOverdue => RepairEvent::FlagOverdue { actor },
        RepairEventKind::Approve => RepairEvent::Approve {
            actor,
            reasons: text(variant, "已履行处罚并完成整改"),
        },
        RepairEventKind::Deny => RepairEvent::Deny {
            actor,
            reasons: text(variant, "整改材料不全"),
        },
        RepairEventKind::Withdraw => RepairEvent::Withdraw {
            actor,
            reason: String::new(),
        },
    }
}

/// A commitment event of `kind` in `role` on `today`; `variant` 0 gives
/// blank texts, 1 a due day before today / an active bar.
pub fn commitment_event(
    kind: CommitmentEventKind,
    actor: Role,
    variant: u8,
    today: Date,
) -> CommitmentEvent {
    let commitment_kind = match variant % 3 {
        0 => CommitmentKind::NotifyCommit,
        1 => CommitmentKind::MissingMaterials,
        _ => CommitmentKind::CreditPledge,
    };
    let barred_until = match variant {
        1 => Some(plus_days(today, 30)),
        2 => Some(plus_days(today, -1)),
        _ => None,
    };
    let sign = |obligation| CommitmentEvent::Sign {
        actor,
        case: commitment_case(commitment_kind),
        obligation,
        barred_until,
    };
    match kind {
        CommitmentEventKind::SignDueDate => {
            if variant.is_multiple_of(2) {
                sign(Obligation::Within {
                    period: Period::months(i32::from(variant % 7)),
                })
            } else {
                sign(Obligation::DueOn {
                    date: plus_days(today, i32::from(variant) * 9 - 10),
                })
            }
        }
        CommitmentEventKind::SignDueEvent => sign(Obligation::OnEvent {
            event: if variant == 0 {
                String::new()
            } else {
                "offsite_works_start".into()
            },
        }),
        CommitmentEventKind::SignOnSiteCheck => sign(Obligation::OnSiteCheck),
        CommitmentEventKind::DueEventOccurred => CommitmentEvent::DueEventOccurred { actor },
        CommitmentEventKind::Fulfil => CommitmentEvent::Fulfil {
            actor,
            reasons: text(variant, "承诺材料已补齐"),
        },
        CommitmentEventKind::CheckPassed => CommitmentEvent::CheckPassed {
            actor,
            findings: text(variant, "现场核查符合承诺条件"),
        },
        CommitmentEventKind::CheckFailed => CommitmentEvent::CheckFailed {
            actor,
            findings: text(variant, "经营场所与承诺不符"),
        },
        CommitmentEventKind::ReportBreach => CommitmentEvent::ReportBreach {
            actor,
            reasons: text(variant, "虚假承诺"),
        },
        CommitmentEventKind::Lapse => CommitmentEvent::Lapse { actor },
        CommitmentEventKind::Withdraw => CommitmentEvent::Withdraw {
            actor,
            reasons: text(variant, "审批申请已撤回"),
        },
    }
}
