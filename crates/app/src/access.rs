//! Who may do what: the one authorisation table of the platform.
//!
//! Every use case that is not open to everyone starts with
//! [`authorise`]`(principal, Operation::…)`. Front ends do not decide access;
//! the HTTP layer names each route's operation (for its documentation and
//! metrics) and its route × role test walks this table through the real
//! routes. Checks that depend on the thing asked for — an enterprise reading
//! only its own subject, a bank only a subject that authorised it, a
//! department submitting only its own `source` — are made by the use case
//! after this table admits the role.

use serde::Serialize;
use xinyong_core::disclosure::Role;

use crate::{App, AppError, ErrorCode, Principal};

/// Something a principal asks the platform to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// Health, OpenAPI document, metrics.
    ServerInfo,
    /// Log in.
    Login,
    /// Log out, and who am I.
    OwnSession,
    /// Search subjects by name or USCC.
    SearchSubjects,
    /// A subject's public profile.
    ReadPublicProfile,
    /// A subject's full profile (non-public data; audited).
    ReadFullProfile,
    /// Submit records of one's own department.
    SubmitRecords,
    /// Submission statistics and rejected rows (a department: its own).
    ReadSubmissionStats,
    /// Upload a file of records and follow the upload (a department: of its
    /// own records).
    UploadFiles,
    /// An enterprise authorises a bank to query it.
    AuthoriseBank,
    /// Accounts and API tokens.
    ManageAccounts,
    /// Verify and read the audit log.
    ReadAudit,
    /// Installed models and stored runs.
    ReadModels,
    /// Start or cancel a full evaluation; follow long-running tasks.
    RunEvaluations,
    /// The distribution of the models' outcomes over the stored runs.
    ReadDistributions,
    /// Issue a subject's credit report and download the issued PDFs (an
    /// enterprise: its own subject's).
    IssueReports,
    /// Check an issued report by its number.
    VerifyReports,
    /// File an objection (an enterprise: about its own records; anyone:
    /// about a record shown publicly), and withdraw it.
    FileObjections,
    /// Apply for the repair of one's own record, and withdraw it.
    ApplyRepairs,
    /// Sign a commitment (an enterprise: its own; a department: one made to it).
    SignCommitments,
    /// Decide objections and repairs, record commitments' fulfilment (a
    /// department: its own records); the credit office also decides
    /// enterprises' reports of what a government agency owes them.
    DecideWorkflows,
    /// Report an item a government agency owes one's enterprise (政务诚信),
    /// and withdraw the report; the credit office registers paper ones.
    ReportGovClaims,
    /// Workflow queues and cases (an enterprise: its own; a department: its own).
    ReadWorkflows,
    /// The outbox of partner notifications and the workflow summary.
    ReadOutbox,
    /// The periodic workflow check (overdue flags, missed due days) and
    /// delivery of the outbox.
    RunWorkflowChecks,
    /// A partner's own notifications from the outbox (a bank: of the
    /// subjects it read; a department: of the subjects it checked), and
    /// their acknowledgement, which is the delivery.
    ReceiveNotifications,
    /// Create, publish and draw random-inspection plans.
    ManageInspectionPlans,
    /// Inspection tasks and their results (an officer: also their own tasks).
    ReadInspectionTasks,
    /// Enter an inspection result (an officer: of their own task).
    RecordInspectionResults,
    /// Inspection plans, their published inputs and the verification of a draw.
    VerifyInspectionDraws,
    /// Apply for 信易贷 financing (a `financing_need` record of one's own
    /// enterprise) and read one's own 信易贷 file.
    ApplyFinancing,
    /// Issue the monthly 信易贷 recommendation lists to the banks.
    IssueRecommendations,
    /// Read 信易贷 recommendation lists (a bank: its own).
    ReadRecommendations,
    /// Report a loan outcome for a recommended or authorising enterprise.
    ReportLoans,
    /// 信易贷 figures: recommendations → loans per bank and month (a bank: its own).
    ReadXinyidaiStats,
    /// The credit check (信用核查) of a subject in a scenario, single or
    /// batch, and reading back the checks one asked oneself.
    RunCreditChecks,
    /// Report which measures were applied after a check (反馈).
    ReportCheckFeedback,
    /// The log of credit checks, applied measures and feedback per department.
    ReadCreditChecks,
    /// The measures catalogue and the approval matters (public documents).
    ReadMeasures,
    /// The published red and black lists and the list catalogue.
    ReadPublishedLists,
    /// List entries in every status, with their steps (audited).
    ReadListEntries,
    /// Enter, propose, review, notify, publish and remove list entries (a
    /// department: on the lists it owns).
    ManageLists,
    /// The dashboards: distributions and migrations of the results, each
    /// department's figures of a period, their exports.
    ReadDashboards,
    /// Generate the monthly or quarterly briefing (工作简报) and read the
    /// archived ones.
    IssueBriefings,
}

use Role::*;

/// The roles admitted to each operation (`Public` = anyone, even not logged in).
const TABLE: &[(Operation, &[Role])] = &[
    (Operation::ServerInfo, &[Public]),
    (Operation::Login, &[Public]),
    (
        Operation::OwnSession,
        &[Enterprise, Department, Officer, Bank, Admin, Auditor],
    ),
    (Operation::SearchSubjects, &[Public]),
    (Operation::ReadPublicProfile, &[Public]),
    (
        Operation::ReadFullProfile,
        &[Enterprise, Department, Officer, Bank, Admin, Auditor],
    ),
    (Operation::SubmitRecords, &[Department]),
    (Operation::ReadSubmissionStats, &[Department, Admin]),
    (Operation::UploadFiles, &[Department, Admin]),
    (Operation::AuthoriseBank, &[Enterprise]),
    (Operation::ManageAccounts, &[Admin]),
    (Operation::ReadAudit, &[Auditor, Admin]),
    (Operation::ReadModels, &[Officer, Admin, Auditor]),
    (Operation::RunEvaluations, &[Admin]),
    (Operation::ReadDistributions, &[Admin]),
    (
        Operation::IssueReports,
        &[Enterprise, Department, Officer, Admin],
    ),
    (Operation::VerifyReports, &[Public]),
    (Operation::FileObjections, &[Public]),
    (Operation::ApplyRepairs, &[Enterprise, Admin]),
    (Operation::SignCommitments, &[Enterprise, Department, Admin]),
    (Operation::DecideWorkflows, &[Department, Admin]),
    (Operation::ReportGovClaims, &[Enterprise, Admin]),
    (
        Operation::ReadWorkflows,
        &[Enterprise, Department, Admin, Auditor],
    ),
    (Operation::ReadOutbox, &[Admin, Auditor]),
    (Operation::RunWorkflowChecks, &[Admin]),
    (
        Operation::ReceiveNotifications,
        &[Bank, Department, Officer],
    ),
    (Operation::ManageInspectionPlans, &[Admin]),
    (Operation::ReadInspectionTasks, &[Officer, Admin, Auditor]),
    (Operation::RecordInspectionResults, &[Officer, Admin]),
    (Operation::VerifyInspectionDraws, &[Public]),
    (Operation::ApplyFinancing, &[Enterprise]),
    (Operation::IssueRecommendations, &[Admin]),
    (Operation::ReadRecommendations, &[Bank, Admin]),
    (Operation::ReportLoans, &[Bank]),
    (
        Operation::ReadXinyidaiStats,
        &[Officer, Bank, Admin, Auditor],
    ),
    (Operation::RunCreditChecks, &[Officer, Admin]),
    (
        Operation::ReportCheckFeedback,
        &[Department, Officer, Admin],
    ),
    (Operation::ReadCreditChecks, &[Admin, Auditor]),
    (Operation::ReadMeasures, &[Public]),
    (Operation::ReadPublishedLists, &[Public]),
    (
        Operation::ReadListEntries,
        &[Department, Officer, Admin, Auditor],
    ),
    (Operation::ManageLists, &[Department, Admin]),
    // Like the distributions they show: the credit office's own figures.
    (Operation::ReadDashboards, &[Admin]),
    (Operation::IssueBriefings, &[Admin]),
];

impl Operation {
    pub const ALL: &[Operation] = &[
        Operation::ServerInfo,
        Operation::Login,
        Operation::OwnSession,
        Operation::SearchSubjects,
        Operation::ReadPublicProfile,
        Operation::ReadFullProfile,
        Operation::SubmitRecords,
        Operation::ReadSubmissionStats,
        Operation::UploadFiles,
        Operation::AuthoriseBank,
        Operation::ManageAccounts,
        Operation::ReadAudit,
        Operation::ReadModels,
        Operation::RunEvaluations,
        Operation::ReadDistributions,
        Operation::IssueReports,
        Operation::VerifyReports,
        Operation::FileObjections,
        Operation::ApplyRepairs,
        Operation::SignCommitments,
        Operation::DecideWorkflows,
        Operation::ReportGovClaims,
        Operation::ReadWorkflows,
        Operation::ReadOutbox,
        Operation::RunWorkflowChecks,
        Operation::ReceiveNotifications,
        Operation::ManageInspectionPlans,
        Operation::ReadInspectionTasks,
        Operation::RecordInspectionResults,
        Operation::VerifyInspectionDraws,
        Operation::ApplyFinancing,
        Operation::IssueRecommendations,
        Operation::ReadRecommendations,
        Operation::ReportLoans,
        Operation::ReadXinyidaiStats,
        Operation::RunCreditChecks,
        Operation::ReportCheckFeedback,
        Operation::ReadCreditChecks,
        Operation::ReadMeasures,
        Operation::ReadPublishedLists,
        Operation::ReadListEntries,
        Operation::ManageLists,
        Operation::ReadDashboards,
        Operation::IssueBriefings,
    ];

    /// The roles admitted; `[Public]` means everyone.
    pub fn roles(self) -> &'static [Role] {
        TABLE
            .iter()
            .find(|(op, _)| *op == self)
            .map_or(&[], |(_, roles)| *roles)
    }

    /// What it is, in Chinese (for messages).
    pub fn label_zh(self) -> &'static str {
        match self {
            Operation::ServerInfo => "查看服务状态",
            Operation::Login => "登录",
            Operation::OwnSession => "使用本人会话",
            Operation::SearchSubjects => "检索主体",
            Operation::ReadPublicProfile => "查看公示信息",
            Operation::ReadFullProfile => "查看完整信用档案",
            Operation::SubmitRecords => "报送信用记录",
            Operation::ReadSubmissionStats => "查看报送统计",
            Operation::UploadFiles => "上传报送文件",
            Operation::AuthoriseBank => "授权银行查询",
            Operation::ManageAccounts => "管理账户和令牌",
            Operation::ReadAudit => "查看审计日志",
            Operation::ReadModels => "查看评价模型和运行",
            Operation::RunEvaluations => "发起和管理评价任务",
            Operation::ReadDistributions => "查看评价结果分布",
            Operation::IssueReports => "出具和下载信用报告",
            Operation::VerifyReports => "核验信用报告",
            Operation::FileObjections => "提出异议",
            Operation::ApplyRepairs => "申请信用修复",
            Operation::SignCommitments => "签署信用承诺",
            Operation::DecideWorkflows => "办理异议、修复和承诺",
            Operation::ReportGovClaims => "反映政府失信问题",
            Operation::ReadWorkflows => "查看异议、修复和承诺案件",
            Operation::ReadOutbox => "查看通知发件箱和办理统计",
            Operation::RunWorkflowChecks => "运行办理期限检查",
            Operation::ReceiveNotifications => "接收和确认修复、更正通知",
            Operation::ManageInspectionPlans => "制定、公布和抽取双随机抽查计划",
            Operation::ReadInspectionTasks => "查看抽查任务和检查结果",
            Operation::RecordInspectionResults => "录入检查结果",
            Operation::VerifyInspectionDraws => "查看和核验抽查计划",
            Operation::ApplyFinancing => "申请信易贷融资",
            Operation::IssueRecommendations => "发布信易贷推荐名单",
            Operation::ReadRecommendations => "查看信易贷推荐名单",
            Operation::ReportLoans => "报告信易贷贷款结果",
            Operation::ReadXinyidaiStats => "查看信易贷统计",
            Operation::RunCreditChecks => "进行信用核查",
            Operation::ReportCheckFeedback => "反馈联合奖惩措施实施情况",
            Operation::ReadCreditChecks => "查看信用核查记录和反馈",
            Operation::ReadMeasures => "查看联合奖惩措施和审批事项清单",
            Operation::ReadPublishedLists => "查看公布的红黑名单",
            Operation::ReadListEntries => "查看名单条目及其办理过程",
            Operation::ManageLists => "办理名单列入、审核、公布和移出",
            Operation::ReadDashboards => "查看和导出统计看板",
            Operation::IssueBriefings => "生成和下载工作简报",
        }
    }

    /// Whether anyone, not logged in, may do it.
    pub fn is_public(self) -> bool {
        self.roles().contains(&Public)
    }

    /// Whether `role` is admitted.
    pub fn admits(self, role: Role) -> bool {
        self.is_public() || self.roles().contains(&role)
    }
}

/// Admit `by` to `op`, or say why not: not logged in (`unauthenticated`,
/// HTTP 401) when the public may not do it, else `forbidden` (403).
pub fn authorise(by: &Principal, op: Operation) -> Result<(), AppError> {
    if op.admits(by.role) {
        Ok(())
    } else if by.role == Public {
        Err(AppError::new(
            ErrorCode::Unauthenticated,
            format!("{}需要登录", op.label_zh()),
        ))
    } else {
        Err(AppError::new(
            ErrorCode::Forbidden,
            format!("{} 角色无权{}", by.role.as_str(), op.label_zh()),
        ))
    }
}

impl App {
    /// The caller, as the platform knows it (a logged-in account only).
    pub fn whoami(by: &Principal) -> Result<Principal, AppError> {
        authorise(by, Operation::OwnSession)?;
        Ok(by.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn as_role(role: Role) -> Principal {
        Principal {
            role,
            ..Principal::public()
        }
    }

    #[test]
    fn every_operation_has_exactly_one_row() {
        for &op in Operation::ALL {
            let rows = TABLE.iter().filter(|(o, _)| *o == op).count();
            assert_eq!(rows, 1, "{op:?}");
            assert!(!op.roles().is_empty(), "{op:?} admits nobody");
        }
        assert_eq!(TABLE.len(), Operation::ALL.len());
    }

    #[test]
    fn the_public_gets_401_and_a_wrong_role_403() {
        let e = authorise(&Principal::public(), Operation::ReadFullProfile).unwrap_err();
        assert_eq!(e.code, ErrorCode::Unauthenticated);
        let e = authorise(&as_role(Bank), Operation::SubmitRecords).unwrap_err();
        assert_eq!(e.code, ErrorCode::Forbidden);
        assert!(authorise(&as_role(Department), Operation::SubmitRecords).is_ok());
        // The auditor reads and changes nothing.
        for op in [
            Operation::SubmitRecords,
            Operation::ManageAccounts,
            Operation::RunEvaluations,
        ] {
            assert!(authorise(&as_role(Auditor), op).is_err(), "{op:?}");
        }
        // Public operations admit every role.
        for role in Role::ALL {
            assert!(authorise(&as_role(role), Operation::SearchSubjects).is_ok());
        }
    }

    #[test]
    fn reports_are_issued_by_the_roles_of_the_contract_and_verified_by_anyone() {
        let issuers: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| Operation::IssueReports.admits(*r))
            .collect();
        assert_eq!(issuers, [Enterprise, Department, Officer, Admin]);
        for role in Role::ALL {
            assert!(authorise(&as_role(role), Operation::VerifyReports).is_ok());
        }
        let e = authorise(&Principal::public(), Operation::IssueReports).unwrap_err();
        assert_eq!(e.code, ErrorCode::Unauthenticated);
    }
}
