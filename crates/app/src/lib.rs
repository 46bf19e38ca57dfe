//! The application layer of xinyong: the one API that every front end calls
//! (the command line now; the HTTP server and the web pages next). It owns
//! the platform's policy — when an import re-evaluates what it touched, which
//! models are in force, what "today" is (an injected [`Clock`], China Standard
//! Time), how a USCC given by a person is normalised — and classifies every
//! error with a stable code ([`AppError`]). Front ends only parse their input,
//! call a use case and present its answer.

mod access;
mod accounts;
mod audit;
mod backup;
pub mod batch;
mod briefing;
mod calendar;
mod catalogue;
mod clock;
mod console;
mod credit_checks;
mod dashboard;
mod digest;
mod error;
mod evaluate;
mod import;
mod improve;
mod inspection;
mod lists;
mod models;
mod principal;
mod profile;
mod reevaluation;
mod reports;
mod run_stats;
mod search;
mod stats;
mod submit;
mod tasks;
mod timeliness;
mod upload;
mod workflows;
mod xinyidai;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use xinyong_engine::lake::Lake;
use xinyong_store::{Store, StoreConfig};

pub use access::{Operation, authorise};
pub use accounts::{
    Account, IssuedToken, MAX_FAILURES_PER_ADDRESS, MAX_FAILURES_PER_USERNAME, MIN_PASSWORD_CHARS,
    NewAccount, SESSION_HOURS, Session, THROTTLE_WINDOW_MINUTES,
};
pub use audit::{
    AuditEntry, AuditEvent, AuditFilter, AuditVerification, OPERATOR_ACTOR, OPERATOR_ROLE,
};
pub use backup::{
    BACKUP_FORMAT, BACKUP_MANIFEST, BackupFile, BackupManifest, BackupSummary, RestoreOutcome,
    VerifiedBackup, check_backup_request, restore_backup, verify_backup,
};
pub use briefing::{
    BriefingContent, BriefingDownload, BriefingFileInfo, BriefingInfo, BriefingRequest,
    MAX_SECTION_CHARS,
};
pub use calendar::{CalendarInfo, INSTALLED_CALENDAR, check_calendar};
pub use catalogue::{
    Catalogue, DepartmentInfo, FieldInfo, KindInfo, ListInfo, ModelSummary, ValueType, catalogue,
    visibility_zh,
};
pub use clock::{Clock, FixedClock, SystemClock, china_standard_time};
pub use console::{
    ApiTokenInfo, MAX_TREND_RUNS, ModelDistribution, OutcomeCount, RunDistribution, local_time,
};
pub use credit_checks::{
    BatchCheckAnswer, BatchCheckRequest, BatchRow, CheckLogEntry, CheckQuery, CheckedList,
    CheckedMeasure, CheckedRoute, CreditCheckAnswer, CreditCheckRequest, DepartmentCheckStats,
    Feedback, FeedbackRequest, LoggedCheck, MAX_BATCH_SUBJECTS, MAX_CHECKS_PAGE, MAX_OUTCOME_CHARS,
    MatterInfo, MattersInfo, MeasureInfo, MeasuresInfo, NO_DEPARTMENT, RouteInfo, approval_matters,
    check_scenarios, measures_catalogue, subjects_in_list,
};
pub use dashboard::{
    CaseFigures, Cell, DASHBOARD_SECTIONS, DASHBOARD_TREND_RUNS, Dashboard, DashboardQuery,
    DataTable, DepartmentDashboard, DepartmentFigures, MigrationCell, MigrationMatrix, Period,
    export_csv, export_xlsx,
};
pub use digest::InstallationDigest;
pub use error::{AppError, ErrorClass, ErrorCode};
pub use evaluate::{EvaluateRequest, Evaluated};
pub use import::{INCREMENTAL_LIMIT, ImportOutcome, ImportRequest, Recovery, Reevaluated};
pub use improve::{
    AdviceItem, ClassNow, DimensionScore, GradeNow, GradePoint, ImproveRecord, Improvement,
};
pub use inspection::{
    DEFAULT_INSPECTION_DEPARTMENT, DEFAULT_INSPECTION_MODEL, DrawRequest, INSPECTION_LISTS,
    INSPECTION_MODELS, INSPECTION_OUTCOMES, InspectionPlanView, InspectionResultView,
    InspectionTaskView, InspectorLink, NewPlanRequest, PlanSettings, PlanVerification,
    RESULT_PUBLICATION_WORKING_DAYS, RatiosBp, ResultRequest, Screening, SuppliedLists,
    VerificationCheck,
};
pub use lists::{
    EnterListEntry, ListEntryPage, ListEntryQuery, ListEntryStep, ListEntryView,
    ListInfo as ListCatalogueEntry, ListStepRequest, MAX_LIST_PAGE_SIZE, MAX_REASON_CHARS,
    ProposeListEntries, PublishedEntry, PublishedPage, PublishedQuery, lists_catalogue,
    notice_days,
};
pub use models::{InstalledModel, MAX_RUNS_PAGE, RunInfo};
pub use principal::Principal;
pub use profile::{FullProfile, PublicProfile};
pub use reevaluation::DEFAULT_REEVALUATION_DELAY;
pub use reports::{
    DEFAULT_PUBLIC_URL, IssuedReport, REPORT_NUMBER_CHARS, REPORT_NUMBER_PREFIX, ReportPdf,
    ReportVerification, parse_report_number, report_fonts_installed, report_page_path,
    report_pdf_path,
};
pub use search::{MAX_QUERY_CHARS, MAX_SEARCH_LIMIT, SubjectHit};
pub use submit::{MAX_SUBMIT_ROWS, SubmitError, SubmitOutcome};
pub use tasks::{TaskError, TaskInfo, TaskStatus, Tasks};
pub use timeliness::{RECORDING_DEADLINE_WORKING_DAYS, Timeliness};
pub use upload::{
    MAX_REJECTED_DOWNLOAD, MAX_REJECTED_PAGE, MAX_UPLOAD_BYTES, UPLOAD_CHANNEL, UploadOutcome,
    UploadProgress, UploadStatus,
};
pub use workflows::{
    CaseDecision, GOV_CLAIM, GovClaimFiled, GovClaimForm, ItemDecision, MAX_EVIDENCE_ITEMS,
    MAX_STATEMENT_CHARS, MAX_WORKFLOW_PAGE, ObjectionFiled, RecordKey, RepairFiled, SignCommitment,
    WORKFLOW_CHANNEL, WorkflowCheck, WorkflowItem, WorkflowPage, WorkflowQuery, WorkflowSummary,
};
pub use xinyidai::{
    BankAuthorisation, BankQuery, BankView, Condition, FinancingApplication, FinancingFile,
    FinancingNeed, IssuedList, IssuedLists, LoanOutcome, LoanReport, Recommendation,
    XinyidaiFigures, XinyidaiStatistics,
};
pub use xinyong_core::disclosure::Role;
/// How numbers are written for people (thousands separators, money).
pub use xinyong_core::display;
/// A rejected row's issues, as the quarantine keeps them.
pub use xinyong_core::record::{Issue, Severity};
pub use xinyong_engine::batch::PlanSubmitter;
pub use xinyong_engine::batch::{Phase as RunPhase, Progress as RunProgress, RunControl};
pub use xinyong_engine::history::StoredResult;
pub use xinyong_engine::results::RunManifest;
pub use xinyong_import::{
    ImportReport, Phase as ImportPhase, Progress as ImportProgress, ProgressFn,
};
pub use xinyong_store::OutboxEntry;
pub use xinyong_store::{BatchId, DepartmentStat, QuarantineEntry, QuarantineFilter, RejectedRow};

/// Where an installation keeps its data.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Data directory: the embedded store (unless `database_url`), the
    /// columnar lake, installed models.
    pub data_dir: PathBuf,
    /// PostgreSQL URL; the data directory still holds the lake and models.
    pub database_url: Option<String>,
}

/// One installation of the platform, opened.
pub struct App {
    store: Store,
    lake: Lake,
    data_dir: PathBuf,
    clock: Arc<dyn Clock>,
    /// The subject search index (`<data_dir>/search`) and how it is kept in step.
    search: search::SearchIndex,
    /// The models in force today, loaded once per day and installed set.
    models: profile::ModelCache,
    /// The stored results of the runs the store lists, indexed for lookups
    /// of one subject.
    results: xinyong_engine::lookup::ResultIndex,
    tasks: Tasks,
    /// Keeps the stored results current with submissions.
    reevaluator: reevaluation::Reevaluator,
    /// The registered subjects, kept between imports.
    registered: xinyong_import::SharedRegistered,
    /// Audit entries waiting to be appended together.
    audit_queue: audit::AuditQueue,
    /// Fonts, public address and render slots of the credit reports.
    reports: reports::ReportKit,
    /// The working-day calendar of every deadline (built-in or installed).
    calendar: calendar::CalendarSlot,
    /// Outcome counts of the runs read so far (runs never change).
    distribution_cache: console::DistributionCache,
    /// Every department's receipts while no batch is added (timeliness).
    receipts_cache: timeliness::ReceiptsCache,
    /// Migrations between pairs of runs computed so far (runs never change).
    migration_cache: dashboard::MigrationCache,
}

impl App {
    /// Open (and migrate) the store of `cfg`.
    pub async fn open(cfg: &AppConfig, clock: Arc<dyn Clock>) -> Result<App, AppError> {
        let store = Store::open(&StoreConfig {
            data_dir: cfg.data_dir.clone(),
            database_url: cfg.database_url.clone(),
        })
        .await?;
        // Once per store: the runs and model files written before the store
        // recorded them (a data directory of an earlier version).
        xinyong_engine::results::register_existing(&store, &cfg.data_dir).await?;
        let lake = Lake::open(&cfg.data_dir);
        let app = App {
            results: xinyong_engine::lookup::ResultIndex::new(store.clone(), &lake),
            store,
            lake,
            data_dir: cfg.data_dir.clone(),
            clock,
            search: search::SearchIndex::open(&cfg.data_dir)?,
            models: profile::ModelCache::default(),
            tasks: Tasks::default(),
            reevaluator: reevaluation::Reevaluator::default(),
            registered: Default::default(),
            audit_queue: audit::AuditQueue::default(),
            reports: reports::ReportKit::default(),
            calendar: calendar::CalendarSlot::load(&cfg.data_dir)?,
            distribution_cache: console::DistributionCache::new(&cfg.data_dir, "outcomes"),
            receipts_cache: timeliness::ReceiptsCache::default(),
            migration_cache: dashboard::MigrationCache::new(&cfg.data_dir, "migration"),
        };
        // What a killed process left behind (interrupted batches, the
        // lake behind the store, half-written files).
        app.recover_after_crash().await?;
        // Subjects stored while no process kept the index (a CLI import
        // killed before its commit, an older version) become findable.
        app.sync_search_index().await?;
        Ok(app)
    }

    /// Today in China Standard Time, by this application's clock.
    pub fn today(&self) -> jiff::civil::Date {
        self.clock.today()
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Per department and kind: versions received, records held, rows rejected.
    pub async fn department_stats(&self) -> Result<Vec<DepartmentStat>, AppError> {
        Ok(self.store.department_stats().await?)
    }

    /// Rejected rows kept for correction.
    pub async fn quarantine(
        &self,
        filter: &QuarantineFilter,
    ) -> Result<Vec<QuarantineEntry>, AppError> {
        Ok(self.store.quarantine(filter).await?)
    }
}

/// A USCC as a person typed it: surrounding blanks removed, letters upper-cased
/// (GB 32100 codes use capitals only; nothing else is corrected).
pub fn normalise_uscc(code: &str) -> String {
    code.trim().to_uppercase()
}

/// The number of cores: the default parallelism of a full evaluation.
pub fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_typed_uscc_is_trimmed_and_upper_cased_only() {
        assert_eq!(
            super::normalise_uscc("  91210804ma0y123404\t"),
            "91210804MA0Y123404"
        );
        assert_eq!(super::normalise_uscc("9121-0804"), "9121-0804");
    }
}
