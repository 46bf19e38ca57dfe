//! A department's view of its submissions: statistics and rejected rows.
//! A department sees its own; the credit office (admin) every department's.

use xinyong_store::{DepartmentStat, QuarantineEntry, QuarantineFilter};

use crate::access::{Operation, authorise};
use crate::{App, AppError, ErrorCode, Principal, Role};

impl App {
    /// The department whose data `by` may read: its own for a department
    /// account (asking for another is forbidden), any (or all: `None`) for
    /// the admin.
    pub(crate) fn submission_scope(
        &self,
        by: &Principal,
        asked: Option<&str>,
    ) -> Result<Option<String>, AppError> {
        authorise(by, Operation::ReadSubmissionStats)?;
        if by.role != Role::Department {
            return Ok(asked.map(str::to_owned));
        }
        let own = by.department.as_deref().ok_or_else(|| {
            AppError::new(
                ErrorCode::Forbidden,
                format!("department account {} has no department", by.username),
            )
        })?;
        match asked {
            Some(other) if other != own => Err(AppError::new(
                ErrorCode::Forbidden,
                format!("department {own} may not read the submissions of {other}"),
            )),
            _ => Ok(Some(own.to_owned())),
        }
    }

    /// Per kind: versions received, records held, rows rejected — of `by`'s
    /// department, or (admin) of `department` or every department.
    pub async fn submission_stats(
        &self,
        by: &Principal,
        department: Option<&str>,
    ) -> Result<Vec<DepartmentStat>, AppError> {
        let scope = self.submission_scope(by, department)?;
        let mut stats = self.department_stats().await?;
        if let Some(code) = scope {
            stats.retain(|s| s.source == code);
        }
        Ok(stats)
    }

    /// Rejected rows kept for correction (the store's filter and paging),
    /// of `by`'s department (or, for the admin, the one asked, or all).
    pub async fn rejected_rows(
        &self,
        by: &Principal,
        mut filter: QuarantineFilter,
    ) -> Result<Vec<QuarantineEntry>, AppError> {
        filter.source = self.submission_scope(by, filter.source.as_deref())?;
        if filter.limit == 0 || filter.limit > 1000 {
            return Err(AppError::invalid("limit", "limit must be 1 to 1000"));
        }
        self.quarantine(&filter).await
    }
}
