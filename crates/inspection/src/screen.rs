//! Building the pool from all registered subjects (seed 001, case 17):
//! leave out the "hollow" ones. Which subjects carry which flag is the
//! caller's decision (e.g. how many years without an annual report make a
//! subject dormant; the platform's default is two).

use serde::{Deserialize, Serialize};
use xinyong_core::uscc::Uscc;

use crate::model::{PoolEntry, RiskClass};

/// A registered subject before screening.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// The subject.
    pub uscc: Uscc,
    /// Its sampling class.
    pub class: RiskClass,
    /// 不诉不查 (class A only); see [`PoolEntry`].
    #[serde(default)]
    pub no_inspection_without_complaint: bool,
    /// A pending complaint; see [`PoolEntry`].
    #[serde(default)]
    pub complaint: bool,
    /// No annual report filed for two years (常年未年报), as the caller
    /// decided.
    #[serde(default)]
    pub no_annual_report: bool,
    /// No tax registration (未办理税务登记).
    #[serde(default)]
    pub no_tax_registration: bool,
    /// Revoked (吊销) or cancelled (注销).
    #[serde(default)]
    pub revoked_or_cancelled: bool,
}

/// Why a subject is left out of the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Exclusion {
    /// 常年未报送年度报告.
    NoAnnualReport,
    /// 未办理税务登记.
    NoTaxRegistration,
    /// 已吊销或注销.
    RevokedOrCancelled,
}

impl Exclusion {
    /// The reason in Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            Exclusion::NoAnnualReport => "连续两年未报送年度报告",
            Exclusion::NoTaxRegistration => "未办理税务登记",
            Exclusion::RevokedOrCancelled => "已吊销或注销",
        }
    }
}

/// A subject left out, with every reason that applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Excluded {
    /// The subject.
    pub uscc: Uscc,
    /// The reasons, in the order of [`Exclusion`].
    pub reasons: Vec<Exclusion>,
}

/// The pool and the subjects left out of it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Screened {
    /// The subjects kept, in the order given.
    pub pool: Vec<PoolEntry>,
    /// The subjects left out, in the order given (themselves a signal of
    /// dormant entities, 僵尸企业).
    pub excluded: Vec<Excluded>,
}

impl Screened {
    /// How many subjects were left out for this reason (a subject may count
    /// under several).
    pub fn count(&self, reason: Exclusion) -> usize {
        self.excluded
            .iter()
            .filter(|e| e.reasons.contains(&reason))
            .count()
    }
}

/// Keeps the candidates with none of the three exclusion flags.
pub fn screen(candidates: impl IntoIterator<Item = Candidate>) -> Screened {
    let mut out = Screened::default();
    for c in candidates {
        let mut reasons = Vec::new();
        if c.no_annual_report {
            reasons.push(Exclusion::NoAnnualReport);
        }
        if c.no_tax_registration {
            reasons.push(Exclusion::NoTaxRegistration);
        }
        if c.revoked_or_cancelled {
            reasons.push(Exclusion::RevokedOrCancelled);
        }
        if reasons.is_empty() {
            out.pool.push(PoolEntry {
                uscc: c.uscc,
                class: c.class,
                no_inspection_without_complaint: c.no_inspection_without_complaint,
                complaint: c.complaint,
            });
        } else {
            out.excluded.push(Excluded {
                uscc: c.uscc,
                reasons,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(code: &str) -> Candidate {
        Candidate {
            uscc: Uscc::parse(code).unwrap(),
            class: RiskClass::B,
            no_inspection_without_complaint: false,
            complaint: false,
            no_annual_report: false,
            no_tax_registration: false,
            revoked_or_cancelled: false,
        }
    }

    #[test]
    fn leaves_out_flagged_subjects() {
        let s = screen([
            cand("91210800MA0UY4XD2K"),
            Candidate {
                no_annual_report: true,
                no_tax_registration: true,
                ..cand("91210800MA0UY4XD3K")
            },
            Candidate {
                revoked_or_cancelled: true,
                ..cand("91210800MA0UY4XD4K")
            },
            Candidate {
                class: RiskClass::A,
                no_inspection_without_complaint: true,
                complaint: true,
                ..cand("91210800MA0UY4XD5K")
            },
        ]);
        let kept: Vec<&str> = s.pool.iter().map(|e| e.uscc.as_str()).collect();
        assert_eq!(kept, ["91210800MA0UY4XD2K", "91210800MA0UY4XD5K"]);
        assert!(s.pool[1].no_inspection_without_complaint && s.pool[1].complaint);
        assert_eq!(
            s.excluded[0].reasons,
            [Exclusion::NoAnnualReport, Exclusion::NoTaxRegistration]
        );
        assert_eq!(s.count(Exclusion::NoTaxRegistration), 1);
        assert_eq!(s.count(Exclusion::RevokedOrCancelled), 1);
        assert_eq!(s.count(Exclusion::NoAnnualReport), 1);
    }
}
