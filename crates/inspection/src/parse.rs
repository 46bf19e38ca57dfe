//! Reading the canonical lists back (docs/INSPECTION-DRAW.md §2): what a
//! verifier does with the published list files. The reader is strict: a
//! line must have exactly the fields of its list and end with LF; a list
//! that is not exactly the canonical form of what it parses to is still
//! read (the verifier compares its bytes' digest with the published one).

use xinyong_core::uscc::Uscc;

use crate::model::{Inspector, PoolEntry, Recusal, RecusalReason, RiskClass};

/// Why a list file cannot be read: the list, the line (from 1) and what is
/// wrong, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{list} 第 {line} 行：{reason}")]
pub struct ListError {
    /// The list's Chinese name (抽查对象名录, …).
    pub list: &'static str,
    /// The line number, from 1 (0: the file as a whole).
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

fn lines<'a>(list: &'static str, text: &'a str) -> Result<Vec<(usize, &'a str)>, ListError> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let Some(body) = text.strip_suffix('\n') else {
        return Err(ListError {
            list,
            line: text.split('\n').count(),
            reason: "最后一行缺少换行符 (LF)".into(),
        });
    };
    Ok(body
        .split('\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .collect())
}

fn fields<'a>(
    list: &'static str,
    line: usize,
    text: &'a str,
    n: usize,
) -> Result<Vec<&'a str>, ListError> {
    let f: Vec<&str> = text.split('\t').collect();
    if f.len() != n {
        return Err(ListError {
            list,
            line,
            reason: format!("应有 {n} 个以制表符分隔的字段，实有 {} 个", f.len()),
        });
    }
    Ok(f)
}

fn flag(list: &'static str, line: usize, what: &str, v: &str) -> Result<bool, ListError> {
    match v {
        "0" => Ok(false),
        "1" => Ok(true),
        _ => Err(ListError {
            list,
            line,
            reason: format!("{what} 须为 0 或 1：{v:?}"),
        }),
    }
}

fn uscc(list: &'static str, line: usize, v: &str) -> Result<Uscc, ListError> {
    Uscc::parse(v).map_err(|e| ListError {
        list,
        line,
        reason: format!("统一社会信用代码无效 {v:?}：{e}"),
    })
}

/// The pool list: `uscc \t class \t bsbc \t complaint`.
pub fn parse_pool(text: &str) -> Result<Vec<PoolEntry>, ListError> {
    const L: &str = "抽查对象名录";
    let mut out = Vec::new();
    for (n, l) in lines(L, text)? {
        let f = fields(L, n, l, 4)?;
        let class = match f[1] {
            "A" => RiskClass::A,
            "B" => RiskClass::B,
            "C" => RiskClass::C,
            "D" => RiskClass::D,
            other => {
                return Err(ListError {
                    list: L,
                    line: n,
                    reason: format!("类别须为 A、B、C 或 D：{other:?}"),
                });
            }
        };
        out.push(PoolEntry {
            uscc: uscc(L, n, f[0])?,
            class,
            no_inspection_without_complaint: flag(L, n, "不诉不查标志", f[2])?,
            complaint: flag(L, n, "投诉举报标志", f[3])?,
        });
    }
    Ok(out)
}

/// The roster list: `inspector_id \t department`.
pub fn parse_roster(text: &str) -> Result<Vec<Inspector>, ListError> {
    const L: &str = "执法检查人员名录";
    let mut out = Vec::new();
    for (n, l) in lines(L, text)? {
        let f = fields(L, n, l, 2)?;
        out.push(Inspector {
            id: f[0].to_owned(),
            department: f[1].to_owned(),
        });
    }
    Ok(out)
}

/// The recusal list: `inspector_id \t uscc \t reason`.
pub fn parse_recusals(text: &str) -> Result<Vec<Recusal>, ListError> {
    const L: &str = "回避名单";
    let mut out = Vec::new();
    for (n, l) in lines(L, text)? {
        let f = fields(L, n, l, 3)?;
        let reason = match f[2] {
            "linked" => RecusalReason::Linked,
            "last-inspected" => RecusalReason::LastInspected,
            other => {
                return Err(ListError {
                    list: L,
                    line: n,
                    reason: format!("回避原因须为 linked 或 last-inspected：{other:?}"),
                });
            }
        };
        out.push(Recusal {
            inspector: f[0].to_owned(),
            uscc: uscc(L, n, f[1])?,
            reason,
        });
    }
    Ok(out)
}

/// The matter list: one item per line.
pub fn parse_items(text: &str) -> Result<Vec<String>, ListError> {
    const L: &str = "抽查事项清单";
    let mut out = Vec::new();
    for (n, l) in lines(L, text)? {
        fields(L, n, l, 1)?;
        out.push(l.to_owned());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_round_trip_and_errors() {
        let text = "91210800MA0010002F\tA\t1\t0\n91210800MA0010379D\tB\t0\t1\n";
        let pool = parse_pool(text).unwrap();
        assert_eq!(pool.len(), 2);
        assert!(pool[0].no_inspection_without_complaint && !pool[0].complaint);
        assert_eq!(pool[1].class, RiskClass::B);
        assert!(pool[1].complaint);
        assert!(parse_pool("").unwrap().is_empty());
        let e = parse_pool("91210800MA0010002F\tA\t1\t0").unwrap_err();
        assert!(e.reason.contains("换行"), "{e}");
        let e = parse_pool("91210800MA0010002F\tE\t1\t0\n").unwrap_err();
        assert_eq!(e.line, 1);
        let e =
            parse_pool("91210800MA0010002F\tA\t1\t0\n91210800MA0010002F\tA\t2\t0\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(parse_pool("x\tA\t0\t0\n").is_err());
        assert!(parse_pool("91210800MA0010002F\tA\t0\n").is_err());
    }

    #[test]
    fn other_lists() {
        let r = parse_roster("P1\t市场监管局\nP2\t\n").unwrap();
        assert_eq!(r[1].department, "");
        let rc = parse_recusals("P1\t91210800MA0010002F\tlast-inspected\n").unwrap();
        assert_eq!(rc[0].reason, RecusalReason::LastInspected);
        assert!(parse_recusals("P1\t91210800MA0010002F\tfriend\n").is_err());
        assert_eq!(parse_items("甲\n乙\n").unwrap(), vec!["甲", "乙"]);
        assert!(parse_items("甲\t乙\n").is_err());
    }
}
