//! The working-day calendar an installation computes its deadlines with.
//!
//! The built-in calendar holds the State Council notices up to the year the
//! software was released. Each November or December the General Office
//! publishes the next year's arrangement; the office writes it into a file
//! of the same format (`crates/core/data/holidays-cn.toml`, every year's
//! blocks) and installs it with `xinyong calendar install FILE --reason …`.
//! The file is validated (errors give file:line:column), kept at
//! `<data_dir>/calendar/holidays-cn.toml`, audited, and used from then on by
//! every deadline of this process and of every process that opens the data
//! directory later.
//!
//! Beyond the notices' last year the calendar answers provisionally (the
//! statutory rule of `xinyong_core::time::statutory`); workflow items say so
//! (`deadline_provisional`). A deadline, once computed, is kept: installing
//! the notice later does not move a deadline already told to an enterprise.

use std::path::{Path, PathBuf};
use std::sync::RwLock;

use serde::Serialize;
use xinyong_core::time::{CalendarError, Date, WorkCalendar};
use xinyong_store::sha256_hex;

use crate::audit::{AuditEvent, OPERATOR_ACTOR, OPERATOR_ROLE};
use crate::{App, AppError, ErrorCode};

/// Where an installed calendar is kept, under the data directory.
pub const INSTALLED_CALENDAR: &str = "calendar/holidays-cn.toml";

/// The calendar in force, as the operator and the admin console see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarInfo {
    /// `builtin`, `installed`, or `file` (a file checked, not installed).
    pub source: &'static str,
    /// The first and last year of the State Council notices it holds.
    pub notice_first_year: i16,
    pub notice_last_year: i16,
    /// The first day answered provisionally (YYYY-MM-DD), if any.
    pub provisional_from: Option<String>,
    /// The last day it answers for at all (YYYY-MM-DD).
    pub last_day: String,
    /// SHA-256 of the installed file (hex); `None` for the built-in one.
    pub sha256: Option<String>,
}

/// The calendar of an application: swapped whole when a newer one is
/// installed.
pub(crate) struct CalendarSlot {
    current: RwLock<(&'static WorkCalendar, Option<String>)>,
}

impl CalendarSlot {
    pub(crate) fn get(&self) -> &'static WorkCalendar {
        self.read().0
    }

    fn read(&self) -> (&'static WorkCalendar, Option<String>) {
        match self.current.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn set(&self, calendar: &'static WorkCalendar, sha256: Option<String>) {
        match self.current.write() {
            Ok(mut g) => *g = (calendar, sha256),
            Err(poisoned) => *poisoned.into_inner() = (calendar, sha256),
        }
    }

    /// The installed calendar of `data_dir` when it holds newer notices than
    /// the built-in one, else the built-in one. An installed file that does
    /// not load is an error naming file:line:column: deadlines must not be
    /// computed with a calendar the office did not mean.
    pub(crate) fn load(data_dir: &Path) -> Result<CalendarSlot, AppError> {
        let path = data_dir.join(INSTALLED_CALENDAR);
        let (calendar, sha) = match std::fs::read_to_string(&path) {
            Ok(text) => {
                let installed = parse(&path.display().to_string(), &text)?;
                if installed.notice_years().end() >= WorkCalendar::builtin().notice_years().end() {
                    (leak(installed), Some(sha256_hex(&text)))
                } else {
                    // The software was upgraded past the installed notices.
                    tracing::warn!(
                        path = %path.display(),
                        "the installed working-day calendar is older than the built-in one; \
                         using the built-in one"
                    );
                    (WorkCalendar::builtin(), None)
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (WorkCalendar::builtin(), None),
            Err(e) => {
                return Err(AppError::new(
                    ErrorCode::Internal,
                    format!("{}: {e}", path.display()),
                ));
            }
        };
        Ok(CalendarSlot {
            current: RwLock::new((calendar, sha)),
        })
    }
}

/// A calendar lives as long as the process: an installation replaces it a
/// few times a year at most, so the old one is simply kept.
fn leak(calendar: WorkCalendar) -> &'static WorkCalendar {
    Box::leak(Box::new(calendar))
}

/// Validate a calendar file; the error names `file_name:line:column`.
pub fn check_calendar(file_name: &str, text: &str) -> Result<CalendarInfo, AppError> {
    let calendar = parse(file_name, text)?;
    Ok(CalendarInfo {
        source: "file",
        ..info_of(&calendar, Some(sha256_hex(text)))
    })
}

fn parse(file_name: &str, text: &str) -> Result<WorkCalendar, AppError> {
    WorkCalendar::from_toml(text).map_err(|e| match e {
        CalendarError::Invalid {
            line,
            column,
            message,
        } => AppError::invalid("file", format!("{file_name}:{line}:{column}: {message}")),
        other => AppError::invalid("file", format!("{file_name}: {other}")),
    })
}

fn info_of(calendar: &WorkCalendar, sha256: Option<String>) -> CalendarInfo {
    CalendarInfo {
        source: if sha256.is_some() {
            "installed"
        } else {
            "builtin"
        },
        notice_first_year: *calendar.notice_years().start(),
        notice_last_year: *calendar.notice_years().end(),
        provisional_from: calendar.provisional_from().map(|d| d.to_string()),
        last_day: calendar.last_day().to_string(),
        sha256,
    }
}

impl App {
    /// The working-day calendar every deadline of this application uses.
    pub fn calendar(&self) -> &'static WorkCalendar {
        self.calendar.get()
    }

    /// Which calendar is in force.
    pub fn calendar_info(&self) -> CalendarInfo {
        let (calendar, sha) = self.calendar.read();
        info_of(calendar, sha)
    }

    /// Whether a deadline on `due` was computed provisionally (after the
    /// last year of the installed notices).
    pub fn deadline_is_provisional(&self, due: Date) -> bool {
        self.calendar().is_provisional(due)
    }

    /// Validate and install a working-day calendar from the operator's
    /// command line. It must hold at least the notices of the calendar in
    /// force (an office adds a year; it never drops one) and start no later;
    /// `reason` is audited with the file's SHA-256.
    pub async fn operator_install_calendar(
        &self,
        file_name: &str,
        text: &str,
        reason: &str,
    ) -> Result<CalendarInfo, AppError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AppError::invalid("reason", "安装工作日历须说明理由"));
        }
        let new = parse(file_name, text)?;
        let now = self.calendar();
        if new.notice_years().end() < now.notice_years().end()
            || new.notice_years().start() > now.notice_years().start()
        {
            return Err(AppError::invalid(
                "file",
                format!(
                    "{file_name}: 新日历覆盖 {}–{} 年的节假日安排，少于现行日历的 {}–{} 年；\
                     安装的日历须包含现行日历的全部年份",
                    new.notice_years().start(),
                    new.notice_years().end(),
                    now.notice_years().start(),
                    now.notice_years().end()
                ),
            ));
        }
        let path: PathBuf = self.data_dir.join(INSTALLED_CALENDAR);
        write_atomically(&path, text)?;
        let sha = sha256_hex(text);
        let info = info_of(&new, Some(sha.clone()));
        self.calendar.set(leak(new), Some(sha.clone()));
        self.audit_as(
            OPERATOR_ACTOR,
            OPERATOR_ROLE,
            AuditEvent {
                action: "calendar.install",
                subject: None,
                purpose: Some(reason),
                detail: serde_json::json!({
                    "file": file_name,
                    "sha256": sha,
                    "notice_years": [info.notice_first_year, info.notice_last_year],
                }),
            },
        )
        .await?;
        Ok(info)
    }
}

/// Write through a temporary file and a rename, so a crash leaves either the
/// old calendar or the new one.
fn write_atomically(path: &Path, text: &str) -> Result<(), AppError> {
    let fail =
        |e: std::io::Error| AppError::new(ErrorCode::Internal, format!("{}: {e}", path.display()));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let tmp = path.with_extension("toml.tmp");
    std::fs::write(&tmp, text).map_err(fail)?;
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(fail)
}
