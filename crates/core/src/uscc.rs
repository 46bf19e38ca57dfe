//! The unified social credit code (统一社会信用代码, GB 32100-2015).
//!
//! A code has 18 characters from [`ALPHABET`] (digits and upper-case letters
//! without I, O, Z, S, V):
//!
//! | pos   | field                                            |
//! |-------|--------------------------------------------------|
//! | 1     | 登记管理部门码 registration authority              |
//! | 2     | 机构类别码 entity type (meaning depends on pos 1) |
//! | 3–8   | 登记管理机关行政区划码 GB/T 2260 region           |
//! | 9–17  | 主体标识码: the GB 11714 organisation code        |
//! | 18    | 校验码 check character (GB/T 17710, MOD 31)       |
//!
//! Policy (PRODUCT.md C1, INTERCHANGE.md §2): a code is *well-formed* when it
//! has 18 characters of the alphabet after trimming and ASCII upper-casing.
//! A check-character mismatch is **not** a parse error: some real, issued codes
//! fail the check, so it is reported separately ([`Uscc::check_ok`]) and the
//! platform warns, never auto-corrects.

use std::borrow::Borrow;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// The 31 characters of GB 32100, in value order (value = index).
pub const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights of positions 1..=17 for the check character: `3^(i-1) mod 31`.
pub const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Weights of the 8 body characters of a GB 11714 organisation code.
pub const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// Length of a code, in characters.
pub const LEN: usize = 18;

const ALPHABET_BYTES: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const NOT_IN_ALPHABET: u8 = u8::MAX;

/// ASCII byte → value in [`ALPHABET`], or [`NOT_IN_ALPHABET`].
const VALUES: [u8; 128] = {
    let mut table = [NOT_IN_ALPHABET; 128];
    let mut i = 0;
    while i < ALPHABET_BYTES.len() {
        table[ALPHABET_BYTES[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Value (0..=30) of a character of [`ALPHABET`]; `None` for anything else
/// (including lower-case letters).
pub fn char_value(c: char) -> Option<u32> {
    if c.is_ascii() {
        match VALUES[c as usize] {
            NOT_IN_ALPHABET => None,
            v => Some(u32::from(v)),
        }
    } else {
        None
    }
}

/// Whether `c` belongs to [`ALPHABET`].
pub fn is_alphabet_char(c: char) -> bool {
    char_value(c).is_some()
}

/// Check character of 17 bytes already known to be in the alphabet.
///
/// The masking below only keeps this total (no panic, no overflow) should the
/// precondition ever be broken; it never changes the value of a valid byte.
fn check_char_of(body: &[u8]) -> char {
    let sum: u32 = body
        .iter()
        .zip(WEIGHTS)
        .map(|(&b, w)| u32::from(VALUES[usize::from(b & 0x7f)] % 31) * w)
        .sum();
    // 31 − (sum mod 31), where 31 means 0 (the go-gb pitfall).
    let c = (31 - sum % 31) % 31;
    char::from(ALPHABET_BYTES[c as usize])
}

/// The GB 32100 check character of the first 17 characters of a code.
///
/// Returns `None` unless `first17` is exactly 17 characters of [`ALPHABET`]
/// (upper case; no trimming or case folding is done here).
pub fn compute_check_char(first17: &str) -> Option<char> {
    let bytes = first17.as_bytes();
    if bytes.len() != LEN - 1 || !first17.chars().all(is_alphabet_char) {
        return None;
    }
    Some(check_char_of(bytes))
}

/// The GB 11714 check character of the 8 body characters of an organisation
/// code (digits and upper-case `A`–`Z`, valued 0–35).
///
/// `c = 11 − (Σ value·weight mod 11)`; `10` is written `X` and `11` is
/// written `0`. Returns `None` unless the input is exactly 8 such characters.
pub fn compute_org_check_char(first8_of_org_code: &str) -> Option<char> {
    let bytes = first8_of_org_code.as_bytes();
    if bytes.len() != ORG_WEIGHTS.len() {
        return None;
    }
    let mut sum = 0u32;
    for (&b, w) in bytes.iter().zip(ORG_WEIGHTS) {
        let v = match b {
            b'0'..=b'9' => u32::from(b - b'0'),
            b'A'..=b'Z' => u32::from(b - b'A') + 10,
            _ => return None,
        };
        sum += v * w;
    }
    Some(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        d => char::from(b'0' + d as u8),
    })
}

/// Why a string is not a well-formed unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    /// Nothing but whitespace.
    #[error("empty code (统一社会信用代码为空)")]
    Empty,
    /// Not 18 characters after trimming (counted in characters, not bytes).
    #[error("wrong length {len} (统一社会信用代码应为18位)")]
    WrongLength {
        /// Number of characters found.
        len: usize,
    },
    /// A character outside [`ALPHABET`] (after ASCII upper-casing).
    #[error(
        "character {ch:?} at position {position} is not allowed \
         (统一社会信用代码只能由数字和除I、O、Z、S、V以外的大写字母组成)"
    )]
    BadCharacter {
        /// 1-based character position in the trimmed code.
        position: usize,
        /// The offending character (upper-cased when it is an ASCII letter).
        ch: char,
    },
}

/// A well-formed unified social credit code: 18 characters of [`ALPHABET`],
/// normalised (trimmed, ASCII upper case).
///
/// The check character is **not** guaranteed to match; ask [`Uscc::check_ok`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Uscc(String);

impl Uscc {
    /// Parses a code: trims surrounding whitespace, upper-cases ASCII letters,
    /// then requires 18 characters of [`ALPHABET`]. A check-character
    /// mismatch is not an error.
    pub fn parse(input: &str) -> Result<Uscc, UsccError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(UsccError::Empty);
        }
        let len = trimmed.chars().count();
        if len != LEN {
            return Err(UsccError::WrongLength { len });
        }
        let mut code = String::with_capacity(LEN);
        for (i, ch) in trimmed.chars().enumerate() {
            let ch = ch.to_ascii_uppercase();
            if !is_alphabet_char(ch) {
                return Err(UsccError::BadCharacter {
                    position: i + 1,
                    ch,
                });
            }
            code.push(ch);
        }
        Ok(Uscc(code))
    }

    /// The normalised 18-character code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Consumes the code, returning the normalised string.
    pub fn into_string(self) -> String {
        self.0
    }

    /// Whether the GB 32100 check character (position 18) matches.
    pub fn check_ok(&self) -> bool {
        self.check_char() == self.expected_check_char()
    }

    /// The check character actually present (position 18).
    pub fn check_char(&self) -> char {
        char::from(self.0.as_bytes()[LEN - 1])
    }

    /// The check character that positions 1–17 call for.
    pub fn expected_check_char(&self) -> char {
        check_char_of(&self.0.as_bytes()[..LEN - 1])
    }

    /// Whether the embedded GB 11714 organisation code (positions 9–17) has
    /// a matching check character. Informative only: the platform does not
    /// reject codes for this.
    pub fn org_code_check_ok(&self) -> bool {
        let org = self.org_code();
        compute_org_check_char(&org[..8]).is_some_and(|c| org.ends_with(c))
    }

    /// 登记管理部门码 (position 1).
    pub fn registration_authority(&self) -> char {
        char::from(self.0.as_bytes()[0])
    }

    /// 机构类别码 (position 2); its meaning depends on position 1.
    pub fn entity_type(&self) -> char {
        char::from(self.0.as_bytes()[1])
    }

    /// 登记管理机关行政区划码 (positions 3–8), a GB/T 2260 code.
    pub fn region(&self) -> &str {
        &self.0[2..8]
    }

    /// 主体标识码 (positions 9–17): the GB 11714 organisation code,
    /// including its own check character.
    pub fn org_code(&self) -> &str {
        &self.0[8..17]
    }

    /// Chinese name of the registration authority (position 1), if the code
    /// is one that GB 32100 assigns.
    pub fn authority_name_zh(&self) -> Option<&'static str> {
        authority_name_zh(self.registration_authority())
    }

    /// Chinese name of the entity type (positions 1 and 2), if assigned.
    pub fn entity_type_name_zh(&self) -> Option<&'static str> {
        entity_type_name_zh(self.registration_authority(), self.entity_type())
    }
}

/// Chinese name of a registration-authority code (GB 32100 position 1).
pub fn authority_name_zh(code: char) -> Option<&'static str> {
    Some(match code {
        '1' => "机构编制",
        '2' => "外交",
        '3' => "司法行政",
        '4' => "文化",
        '5' => "民政",
        '6' => "旅游",
        '7' => "宗教",
        '8' => "工会",
        '9' => "工商（市场监督管理）",
        'A' => "中央军委改革和编制办公室",
        'N' => "农业",
        'Y' => "其他",
        _ => return None,
    })
}

/// Chinese name of an entity-type code (position 2) under a registration
/// authority (position 1).
pub fn entity_type_name_zh(authority: char, entity_type: char) -> Option<&'static str> {
    Some(match (authority, entity_type) {
        ('1', '1') => "机关",
        ('1', '2') => "事业单位",
        ('1', '3') => "编办直接管理机构编制的群众团体",
        ('2', '1') => "外国常驻新闻机构",
        ('3', '1') => "律师执业机构",
        ('3', '2') => "公证处",
        ('3', '3') => "基层法律服务所",
        ('3', '4') => "司法鉴定机构",
        ('3', '5') => "仲裁委员会",
        ('4', '1') => "外国在华文化中心",
        ('5', '1') => "社会团体",
        ('5', '2') => "民办非企业单位",
        ('5', '3') => "基金会",
        ('6', '1') => "外国旅游部门常驻代表机构",
        ('6', '2') => "港澳台地区旅游部门常驻内地（大陆）代表机构",
        ('7', '1') => "宗教活动场所",
        ('7', '2') => "宗教院校",
        ('8', '1') => "基层工会",
        ('9', '1') => "企业",
        ('9', '2') => "个体工商户",
        ('9', '3') => "农民专业合作社",
        ('A', '1') => "军队事业单位",
        ('N', '1') => "组级集体经济组织",
        ('N', '2') => "村级集体经济组织",
        ('N', '3') => "乡镇级集体经济组织",
        ('Y', '1') => "其他",
        ('1'..='9' | 'A' | 'N', '9') => "其他",
        _ => return None,
    })
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Uscc {
    type Err = UsccError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uscc::parse(s)
    }
}

impl TryFrom<&str> for Uscc {
    type Error = UsccError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Uscc::parse(s)
    }
}

impl AsRef<str> for Uscc {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Uscc {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for Uscc {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Uscc {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl<'de> serde::Deserialize<'de> for Uscc {
    /// Deserialises from a string through [`Uscc::parse`] (so it normalises
    /// and rejects malformed codes, but accepts check-character mismatches).
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Uscc::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The result of checking one code, exactly the object that
/// `xinyong uscc check` prints (INTERCHANGE.md §3).
///
/// * `code`: the input as given (not trimmed, not upper-cased);
/// * `valid`: the code is well-formed (length and alphabet, after
///   normalisation);
/// * `check_ok`: the GB 32100 check character matches (always `false` when
///   not `valid`);
/// * `error`: `null` whenever `valid` — **also when the check character does
///   not match**: a mismatch is a warning, carried by `check_ok = false`, not
///   an error. Otherwise the reason the code is malformed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    /// The input as given.
    pub code: String,
    /// Well-formed (18 characters of the alphabet after normalisation).
    pub valid: bool,
    /// The check character matches.
    pub check_ok: bool,
    /// Why the code is malformed; `None` when `valid`.
    pub error: Option<String>,
}

/// Checks one code for `xinyong uscc check`. See [`CheckReport`].
pub fn check(input: &str) -> CheckReport {
    match Uscc::parse(input) {
        Ok(code) => CheckReport {
            code: input.to_owned(),
            valid: true,
            check_ok: code.check_ok(),
            error: None,
        },
        Err(e) => CheckReport {
            code: input.to_owned(),
            valid: false,
            check_ok: false,
            error: Some(e.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// standards.md §1.5 codes that pass both checks.
    const VALID: &[&str] = &[
        "91350100M000100Y43",
        "91310230MA1K314J7C",
        "91310230MA1K314K57",
        "9131000063159284XQ",
        "911100000000184548",
        "91210804MA0Y123404",
        "91210800MA10ABCD6Q",
        "92210882MA0TEXT048",
        "52210802MJ0000018R",
        "12210800000000019G",
        // seed003.md RS-00
        "91110000MA01DQ5D8Q",
    ];

    /// standards.md §1.5: well-formed, but the check character fails
    /// (reportedly real issued Fujian codes).
    const REAL_BUT_FAILING: &[&str] = &[
        "91350211M0000XUF46",
        "91350100M0001TGQXM",
        "91350628M0000K0H44",
        "91350203M0001QAY9B",
    ];

    #[test]
    fn alphabet_and_weights() {
        assert_eq!(ALPHABET.len(), 31);
        for forbidden in ['I', 'O', 'Z', 'S', 'V'] {
            assert!(!ALPHABET.contains(forbidden));
        }
        let mut w = 1u32;
        for weight in WEIGHTS {
            assert_eq!(weight, w);
            w = w * 3 % 31;
        }
        for (i, c) in ALPHABET.chars().enumerate() {
            assert_eq!(char_value(c), Some(i as u32));
        }
        assert_eq!(char_value('a'), None);
        assert_eq!(char_value('中'), None);
    }

    #[test]
    fn published_valid_vectors() {
        for code in VALID {
            let u = Uscc::parse(code).unwrap();
            assert!(u.check_ok(), "{code}");
            assert!(u.org_code_check_ok(), "{code}");
            assert_eq!(u.as_str(), *code);
            assert_eq!(compute_check_char(&code[..17]), Some(u.check_char()));
            let r = check(code);
            assert_eq!(
                r,
                CheckReport {
                    code: code.to_string(),
                    valid: true,
                    check_ok: true,
                    error: None
                }
            );
        }
    }

    #[test]
    fn published_invalid_vectors() {
        // last character flipped
        let u = Uscc::parse("91210804MA0Y123400").unwrap();
        assert!(!u.check_ok());
        assert_eq!(u.expected_check_char(), '4');
        // contains I
        assert_eq!(
            Uscc::parse("91210804MAIY123404"),
            Err(UsccError::BadCharacter {
                position: 11,
                ch: 'I'
            })
        );
        // RS-00: expected check 3
        let u = Uscc::parse("91330102MA2H06NR5H").unwrap();
        assert!(!u.check_ok());
        assert_eq!(u.expected_check_char(), '3');
        let r = check("91330102MA2H06NR5H");
        assert!(r.valid && !r.check_ok && r.error.is_none());
        // RS-00: length 19
        assert_eq!(
            Uscc::parse("913101011134656507D"),
            Err(UsccError::WrongLength { len: 19 })
        );
        let r = check("913101011134656507D");
        assert!(!r.valid && !r.check_ok);
        assert_eq!(
            r.error.as_deref(),
            Some("wrong length 19 (统一社会信用代码应为18位)")
        );
        // issued codes that fail the check are well-formed, with a warning
        for code in REAL_BUT_FAILING {
            let r = check(code);
            assert!(r.valid, "{code}");
            assert!(!r.check_ok, "{code}");
            assert_eq!(r.error, None);
        }
        // demo-data code failing both checks
        let u = Uscc::parse("91110000100001825N").unwrap();
        assert!(!u.check_ok());
        assert!(!u.org_code_check_ok());
    }

    #[test]
    fn lower_case_is_normalised() {
        let u = Uscc::parse("91210804ma0y123404").unwrap();
        assert_eq!(u.as_str(), "91210804MA0Y123404");
        assert!(u.check_ok());
        let r = check("  91210804ma0y123404\t");
        assert_eq!(r.code, "  91210804ma0y123404\t", "code is echoed as given");
        assert!(r.valid && r.check_ok);
        assert_eq!(
            Uscc::parse("\u{3000}91210804MA0Y123404 \n")
                .unwrap()
                .as_str(),
            "91210804MA0Y123404"
        );
    }

    #[test]
    fn check_char_31_maps_to_zero() {
        // Σ = 0 → 31 − 0 = 31 → '0'.
        assert_eq!(compute_check_char("00000000000000000"), Some('0'));
        let u = Uscc::parse("000000000000000000").unwrap();
        assert!(u.check_ok());
        // 30 → 'Y': find a body whose sum is 1 mod 31.
        assert_eq!(compute_check_char("10000000000000000"), Some('Y'));
    }

    #[test]
    fn org_check_pitfalls() {
        // Σ = 0 → 11 → '0'
        assert_eq!(compute_org_check_char("00000000"), Some('0'));
        // 63159284 → X (standards vector 9131000063159284XQ)
        assert_eq!(compute_org_check_char("63159284"), Some('X'));
        assert_eq!(compute_org_check_char("MA0Y1234"), Some('0'));
        assert_eq!(compute_org_check_char("ma0y1234"), None);
        assert_eq!(compute_org_check_char("MA0Y123"), None);
        assert_eq!(compute_org_check_char("MA0Y12345"), None);
        assert_eq!(compute_org_check_char("MA0Y12-4"), None);
        // letters outside the USCC alphabet are valid in GB 11714
        assert!(compute_org_check_char("ZZZZZZZZ").is_some());
    }

    #[test]
    fn compute_check_char_rejects_bad_bodies() {
        assert_eq!(compute_check_char(""), None);
        assert_eq!(compute_check_char("9121080400000000"), None);
        assert_eq!(compute_check_char("912108040000000000"), None);
        assert_eq!(compute_check_char("91210804ma0y12340"), None);
        assert_eq!(compute_check_char("91210804MAIY12340"), None);
        assert_eq!(compute_check_char("91210804MA0Y1234中"), None);
    }

    #[test]
    fn fields() {
        let u = Uscc::parse("92210882MA0TEXT048").unwrap();
        assert_eq!(u.registration_authority(), '9');
        assert_eq!(u.entity_type(), '2');
        assert_eq!(u.region(), "210882");
        assert_eq!(u.org_code(), "MA0TEXT04");
        assert_eq!(u.check_char(), '8');
        assert_eq!(u.authority_name_zh(), Some("工商（市场监督管理）"));
        assert_eq!(u.entity_type_name_zh(), Some("个体工商户"));
        // standards.md §1.5 labels this synthetic code 社会团体, but its type
        // character is 2: under 民政 (5) that is 民办非企业单位 (社会团体 is 51).
        let u = Uscc::parse("52210802MJ0000018R").unwrap();
        assert_eq!(u.authority_name_zh(), Some("民政"));
        assert_eq!(u.entity_type_name_zh(), Some("民办非企业单位"));
        let u = Uscc::parse("51210802MJ0000018R").unwrap();
        assert_eq!(u.entity_type_name_zh(), Some("社会团体"));
        let u = Uscc::parse("12210800000000019G").unwrap();
        assert_eq!(u.entity_type_name_zh(), Some("事业单位"));
        let u = Uscc::parse("B1210800000000019G").unwrap();
        assert_eq!(u.authority_name_zh(), None);
        assert_eq!(u.entity_type_name_zh(), None);
        let u = Uscc::parse("9B210800000000019G").unwrap();
        assert_eq!(u.authority_name_zh(), Some("工商（市场监督管理）"));
        assert_eq!(u.entity_type_name_zh(), None);
    }

    #[test]
    fn errors_and_messages() {
        assert_eq!(Uscc::parse(""), Err(UsccError::Empty));
        assert_eq!(Uscc::parse(" \t "), Err(UsccError::Empty));
        // characters, not bytes: 17 ASCII + one Chinese character = 18 chars
        assert_eq!(
            Uscc::parse("91210804MA0Y12340中"),
            Err(UsccError::BadCharacter {
                position: 18,
                ch: '中'
            })
        );
        assert_eq!(
            Uscc::parse("统一社会信用代码"),
            Err(UsccError::WrongLength { len: 8 })
        );
        assert_eq!(
            Uscc::parse("91210804MA0Y12340"),
            Err(UsccError::WrongLength { len: 17 })
        );
        for e in [
            UsccError::Empty,
            UsccError::WrongLength { len: 3 },
            UsccError::BadCharacter {
                position: 3,
                ch: 'O',
            },
        ] {
            let msg = e.to_string();
            assert!(msg.contains("统一社会信用代码"), "{msg}");
        }
        assert_eq!(
            UsccError::BadCharacter {
                position: 11,
                ch: 'I'
            }
            .to_string(),
            "character 'I' at position 11 is not allowed \
             (统一社会信用代码只能由数字和除I、O、Z、S、V以外的大写字母组成)"
        );
        let r = check("");
        assert_eq!(
            r.error.as_deref(),
            Some("empty code (统一社会信用代码为空)")
        );
    }

    #[test]
    fn json_shape() {
        let v = serde_json::to_value(check("91330102MA2H06NR5H")).unwrap();
        assert_eq!(
            v.to_string(),
            r#"{"code":"91330102MA2H06NR5H","valid":true,"check_ok":false,"error":null}"#
        );
        let v = serde_json::to_string(&check("abc")).unwrap();
        assert_eq!(
            v,
            concat!(
                r#"{"code":"abc","valid":false,"check_ok":false,"#,
                r#""error":"wrong length 3 (统一社会信用代码应为18位)"}"#
            )
        );
        let u = Uscc::parse("91210804MA0Y123404").unwrap();
        assert_eq!(
            serde_json::to_string(&u).unwrap(),
            r#""91210804MA0Y123404""#
        );
        let back: Uscc = serde_json::from_str(r#"" 91210804ma0y123404""#).unwrap();
        assert_eq!(back, u);
        assert!(serde_json::from_str::<Uscc>(r#""91210804MAIY123404""#).is_err());
    }

    fn body_strategy() -> impl Strategy<Value = String> {
        proptest::collection::vec(0usize..31, 17).prop_map(|idx| {
            idx.into_iter()
                .map(|i| char::from(ALPHABET_BYTES[i]))
                .collect()
        })
    }

    proptest! {
        #[test]
        fn appended_check_char_passes(body in body_strategy()) {
            let c = compute_check_char(&body).unwrap();
            let code = format!("{body}{c}");
            let u = Uscc::parse(&code).unwrap();
            prop_assert!(u.check_ok());
            prop_assert_eq!(u.expected_check_char(), c);
        }

        /// MOD 31 with weights 3^i (all units mod the prime 31) detects every
        /// single-character substitution, including at the check position.
        #[test]
        fn every_single_substitution_is_detected(
            body in body_strategy(),
            pos in 0usize..18,
            delta in 1usize..31,
        ) {
            let c = compute_check_char(&body).unwrap();
            let mut bytes: Vec<u8> = format!("{body}{c}").into_bytes();
            let old = VALUES[bytes[pos] as usize] as usize;
            bytes[pos] = ALPHABET_BYTES[(old + delta) % 31];
            let code = String::from_utf8(bytes).unwrap();
            let u = Uscc::parse(&code).unwrap();
            prop_assert!(!u.check_ok(), "{} passes", code);
        }

        #[test]
        fn adjacent_transpositions_are_detected(body in body_strategy(), pos in 0usize..16) {
            let c = compute_check_char(&body).unwrap();
            let mut bytes: Vec<u8> = format!("{body}{c}").into_bytes();
            prop_assume!(bytes[pos] != bytes[pos + 1]);
            bytes.swap(pos, pos + 1);
            let code = String::from_utf8(bytes).unwrap();
            prop_assert!(!Uscc::parse(&code).unwrap().check_ok());
        }

        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let r = check(&s);
            prop_assert_eq!(r.valid, r.error.is_none());
            if let Ok(u) = Uscc::parse(&s) {
                prop_assert_eq!(u.as_str().len(), 18);
                let _ = (u.check_ok(), u.org_code_check_ok(), u.region(), u.entity_type_name_zh());
            }
        }

        #[test]
        fn parse_never_panics_on_near_codes(
            s in "[ \t\u{3000}]{0,2}[0-9A-Za-z中é１]{15,20}[ \t\u{3000}]{0,2}"
        ) {
            let r = check(&s);
            prop_assert_eq!(r.valid, r.error.is_none());
            prop_assert!(r.valid || !r.check_ok);
        }

        #[test]
        fn normalisation(body in body_strategy(), lead in "[ \t]{0,3}", trail in "[ \t\r\n]{0,3}") {
            let c = compute_check_char(&body).unwrap();
            let code = format!("{body}{c}");
            let messy = format!("{lead}{}{trail}", code.to_ascii_lowercase());
            let u = Uscc::parse(&messy).unwrap();
            prop_assert_eq!(u.as_str(), code.as_str());
            prop_assert!(u.check_ok());
        }
    }
}
