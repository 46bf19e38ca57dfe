//! The record catalogue: every record kind, field, list and department of
//! `INTERCHANGE.md` as typed domain data.
//!
//! The tables here are the single source of truth for validation (the import
//! layer), the columnar schema (the engine), the synthetic city and the
//! disclosure rules.

use serde::Serialize;

/// Type of one field of a record or subject line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// Free text (a JSON string).
    Text,
    /// A unified social credit code (GB 32100); normalised (trimmed, upper-cased).
    Uscc,
    /// A calendar date `YYYY-MM-DD`.
    Date,
    /// A JSON boolean.
    Bool,
    /// A JSON number without fraction.
    Int,
    /// CNY as a JSON number, not negative, at most 2 decimals.
    Money,
    /// One of a closed set of codes.
    Enum(&'static [&'static str]),
    /// An array of free-text strings.
    TextList,
    /// An array of codes from a closed set.
    EnumList(&'static [&'static str]),
    /// `{ "general": [min, max], "serious": [min, max] }` fine bands of a legal clause.
    Bands,
    /// The `people` array of a subject.
    People,
    /// An array of objects, each with the fields given (e.g. the
    /// `installments` of a `gov_ledger` item). Every element is validated
    /// field by field (errors name `field[i].name`); extra keys of an
    /// element are kept. CSV and XLSX cells hold the array as JSON text.
    Objects(&'static [FieldSpec]),
}

impl FieldType {
    /// Human description used in error messages.
    pub fn describe(&self) -> String {
        match self {
            FieldType::Text => "字符串 (string)".into(),
            FieldType::Uscc => "统一社会信用代码 (18-character string)".into(),
            FieldType::Date => "日期 YYYY-MM-DD".into(),
            FieldType::Bool => "布尔值 true/false".into(),
            FieldType::Int => "整数 (integer)".into(),
            FieldType::Money => "金额 (number, yuan, at most 2 decimals)".into(),
            FieldType::Enum(vals) => format!("one of {}", vals.join(", ")),
            FieldType::TextList => "字符串数组 (array of strings)".into(),
            FieldType::EnumList(vals) => format!("array of {}", vals.join(", ")),
            FieldType::Bands => "{\"general\": [min, max], \"serious\": [min, max]}".into(),
            FieldType::People => "array of {role, name, person_id}".into(),
            FieldType::Objects(fields) => {
                let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
                format!("对象数组 (array of {{{}}})", names.join(", "))
            }
        }
    }

    /// True for array-valued fields (`;`-separated in CSV and XLSX).
    pub fn is_list(&self) -> bool {
        matches!(self, FieldType::TextList | FieldType::EnumList(_))
    }
}

/// One field of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FieldSpec {
    pub name: &'static str,
    #[serde(rename = "type")]
    pub ty: FieldType,
    pub required: bool,
    /// Chinese label shown in the UI and in reports.
    pub label_zh: &'static str,
}

const fn f(name: &'static str, ty: FieldType, label_zh: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        ty,
        required: false,
        label_zh,
    }
}
const fn req(name: &'static str, ty: FieldType, label_zh: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        ty,
        required: true,
        label_zh,
    }
}

/// Who may see a record (PRODUCT.md C1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Shown on public pages inside its display window.
    Public,
    /// The subject itself and government roles.
    SubjectAndGov,
    /// Government roles only.
    GovOnly,
}

/// How long a public record is displayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "rule")]
pub enum DisplayRule {
    /// Display window computed per penalty by the `penalty-tier` model.
    PenaltyTier,
    /// A list entry is shown while it is current; an `abnormal_operation`
    /// trace afterwards until `abnormal-trace-clear` says it is clearable.
    WhileCurrent,
    /// Shown until `valid_to`; without one, for `years` from the record date.
    UntilValidTo { years: u8 },
    /// Shown for a fixed number of years from the record date.
    FixedYears { years: u8 },
    /// Shown as long as the subject exists.
    Permanent,
}

impl DisplayRule {
    /// How long a record under this rule is shown publicly, in plain Chinese
    /// (for the portal's page on what is shown and for how long).
    pub fn describe_zh(&self) -> String {
        match self {
            DisplayRule::PenaltyTier => "自处罚决定之日起公示，期限按失信程度确定：一般失信行为最短3个月、最长1年；\
                 严重失信行为最短6个月（2026年4月1日起作出的决定最短1年）、最长3年；\
                 特定严重失信行为公示3年，期满前不得信用修复。限制期限更长的，按限制期限。"
                .to_owned(),
            DisplayRule::WhileCurrent => "列入名单期间公示；经营异常名录移出后，其记录保留至可清除之日\
                 （未按期年报、未在责令期限内公示的移出满3个月，隐瞒真实情况弄虚作假、通过登记住所无法联系的移出满6个月）。"
                .to_owned(),
            DisplayRule::UntilValidTo { years } => {
                format!("公示至有效期届满；未载明有效期的，自决定之日起公示{years}年。")
            }
            DisplayRule::FixedYears { years } => format!("自认定之日起公示{years}年。"),
            DisplayRule::Permanent => "主体存续期间持续公示。".to_owned(),
        }
    }
}

/// Defines the record kinds of INTERCHANGE.md §2 from one list: the
/// [`RecordKind`] enum, [`RecordKind::ALL`], [`KIND_CODES`], [`KIND_COUNT`]
/// and the [`KINDS`] table. Adding a kind is one entry of the list below
/// (`Variant = "code" { …its KindSpec fields… }`); every size elsewhere is
/// derived from [`KIND_COUNT`], and the tests of the columnar schema, the
/// synthetic city and the disclosure texts fail until the kind has a
/// schema, a generator and a display rule.
macro_rules! record_kinds {
    ($( $variant:ident = $code:literal { $($spec:tt)* } )+) => {
        /// Record kinds of INTERCHANGE.md §2.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum RecordKind {
            $($variant,)+
        }

        /// Number of record kinds.
        pub const KIND_COUNT: usize = [$($code),+].len();

        /// Codes of all kinds, in catalogue order.
        pub const KIND_CODES: &[&str] = &[$($code),+];

        /// The catalogue entry of every kind, in catalogue order.
        pub static KINDS: &[KindSpec] = &[$(
            KindSpec {
                kind: RecordKind::$variant,
                code: $code,
                $($spec)*
            },
        )+];

        impl RecordKind {
            /// Every kind, in catalogue order.
            pub const ALL: [RecordKind; KIND_COUNT] = [$(RecordKind::$variant),+];
        }
    };
}

/// Catalogue entry of one record kind.
#[derive(Debug, Serialize)]
pub struct KindSpec {
    pub kind: RecordKind,
    pub code: &'static str,
    pub name_zh: &'static str,
    /// Two-letter pinyin abbreviation used in record ids the platform or the
    /// synthetic city makes (`SCJG-CF-000001234`: 处罚).
    pub id_tag: &'static str,
    /// Kind-specific fields (the envelope is [`ENVELOPE`]).
    pub fields: &'static [FieldSpec],
    pub visibility: Visibility,
    pub display: DisplayRule,
    /// Codes of the departments that normally produce this kind (谁产生、谁负责).
    pub producers: &'static [&'static str],
    /// Whether a record of this kind is adverse information (不良信息) by nature.
    pub adverse: bool,
}

pub const PROCEDURES: &[&str] = &["general", "simple"];
pub const SANCTIONS: &[&str] = &[
    "warning",
    "criticism",
    "fine",
    "confiscation",
    "suspend_business",
    "restrict_qualification",
    "revoke_permit",
    "revoke_license",
    "detention",
    "other",
];
pub const PENALTY_TIERS: &[&str] = &["general", "serious", "specific_serious"];
pub const LIST_IDS: &[&str] = &[
    "abnormal_operation",
    "serious_violation",
    "major_tax_violation",
    "dishonest_debtor",
    "construction_blacklist",
    "wage_arrears_blacklist",
    "renfang_blacklist",
    "renfang_redlist",
    "other_blacklist",
    "other_redlist",
];
pub const ABNORMAL_REASONS: &[&str] = &[
    "annual_report",
    "not_disclosed",
    "false_disclosure",
    "unreachable",
];
pub const PERSON_ROLES: &[&str] = &[
    "legal_representative",
    "director",
    "supervisor",
    "senior_manager",
];
pub const TAX_GRADES: &[&str] = &["A", "B", "M", "C", "D"];
pub const COMMITMENT_KINDS: &[&str] = &[
    "credit_pledge",
    "notify_commit",
    "missing_materials",
    "domicile",
    "other",
];
pub const COMMITMENT_STATUSES: &[&str] = &["active", "fulfilled", "breached", "withdrawn"];
pub const INSPECTION_OUTCOMES: &[&str] = &["compliant", "issues_found", "refused", "not_found"];
pub const CORRECTION_OUTCOMES: &[&str] = &["pending", "corrected", "refused", "overdue"];
pub const ACCIDENT_GRADES: &[&str] = &["general", "relatively_large", "major", "especially_major"];
pub const JUDGMENT_ROLES: &[&str] = &["defendant", "plaintiff", "third_party"];
pub const HONOR_LEVELS: &[&str] = &["national", "provincial", "municipal", "district"];
pub const ARREARS_KINDS: &[&str] = &[
    "tax",
    "social_insurance",
    "housing_fund",
    "water",
    "power",
    "gas",
];
pub const GOV_LEDGER_CATEGORIES: &[&str] = &[
    "arrears",
    "legacy_debt",
    "policy_promise",
    "contract_default",
    "duty_failure",
];
/// One installment of a `gov_ledger` item's repayment plan and its progress.
pub const INSTALLMENT_FIELDS: &[FieldSpec] = &[
    req("due_on", FieldType::Date, "应还日期"),
    req("amount_cny", FieldType::Money, "应还金额（元）"),
    f("paid_on", FieldType::Date, "实还日期"),
    f("paid_cny", FieldType::Money, "实还金额（元）"),
];
pub const SUBJECT_TYPES: &[&str] = &[
    "enterprise",
    "individual_business",
    "farmer_coop",
    "social_org",
    "public_institution",
    "government_agency",
];
pub const SUBJECT_STATUSES: &[&str] = &["active", "revoked", "cancelled", "moved_out"];
pub const SIZES: &[&str] = &["micro", "small", "medium", "large"];

use FieldType::*;

/// The envelope every record has.
pub const ENVELOPE: &[FieldSpec] = &[
    req("id", Text, "记录编号"),
    req("kind", Enum(KIND_CODES), "信息类别"),
    req("subject", Uscc, "主体统一社会信用代码"),
    req("source", Text, "提供部门"),
    req("date", Date, "认定日期"),
    f("withdrawn", Bool, "已撤销"),
    f("repaired_on", Date, "信用修复日期"),
];

record_kinds! {
    Penalty = "penalty" {
        name_zh: "行政处罚",
        id_tag: "CF",
        fields: &[
            f("decision_no", Text, "处罚决定书文号"),
            req("procedure", Enum(PROCEDURES), "处罚程序"),
            req("sanctions", EnumList(SANCTIONS), "处罚类别"),
            f("fine_cny", Money, "罚款金额（元）"),
            f("confiscation_cny", Money, "没收金额（元）"),
            f("facts", Text, "违法事实"),
            f("basis", Text, "处罚依据"),
            f("basis_bands", Bands, "裁量幅度"),
            f(
                "authority_tier",
                Enum(PENALTY_TIERS),
                "处罚机关认定的失信程度",
            ),
            f("non_repairable", Bool, "依法不得修复"),
            f("domain", Text, "领域"),
            f("violation_tags", TextList, "违法行为标签"),
            f("restriction_months", Int, "限制期限（月）"),
            f("fulfilled_on", Date, "履行日期"),
        ],
        visibility: Visibility::Public,
        display: DisplayRule::PenaltyTier,
        producers: &[
            "SCJG", "GAJ", "STHJ", "YJGL", "ZJJ", "JTYS", "WJW", "WLJ", "SWJ", "RFB",
        ],
        adverse: true,
    }
    License = "license" {
        name_zh: "行政许可",
        id_tag: "XK",
        fields: &[
            f("license_no", Text, "许可编号"),
            req("title", Text, "许可证书名称"),
            f("valid_from", Date, "有效期自"),
            f("valid_to", Date, "有效期至"),
            f("in_use", Bool, "仍在从事许可事项"),
        ],
        visibility: Visibility::Public,
        display: DisplayRule::UntilValidTo { years: 3 },
        producers: &["XZSP", "GAJ", "WLJ", "WJW"],
        adverse: false,
    }
    ListEntry = "list_entry" {
        name_zh: "名单名录",
        id_tag: "MD",
        fields: &[
            req("list", Enum(LIST_IDS), "名单"),
            f("reason", Text, "列入原因"),
            req("listed_on", Date, "列入日期"),
            f("removed_on", Date, "移出日期"),
            f("person_role", Enum(PERSON_ROLES), "涉及人员身份"),
        ],
        visibility: Visibility::Public,
        display: DisplayRule::WhileCurrent,
        producers: &["SCJG", "SWJ", "ZJFY", "ZJJ", "RSJ", "RFB"],
        adverse: true,
    }
    TaxRating = "tax_rating" {
        name_zh: "纳税信用等级",
        id_tag: "NS",
        fields: &[
            req("year", Int, "评价年度"),
            req("grade", Enum(TAX_GRADES), "纳税信用级别"),
        ],
        visibility: Visibility::SubjectAndGov,
        display: DisplayRule::FixedYears { years: 3 },
        producers: &["SWJ"],
        adverse: false,
    }
    Rating = "rating" {
        name_zh: "行业信用评价",
        id_tag: "PD",
        fields: &[
            req("scheme", Text, "评价体系"),
            req("year", Int, "评价年度"),
            req("grade", Text, "评价等级"),
        ],
        visibility: Visibility::Public,
        display: DisplayRule::FixedYears { years: 3 },
        producers: &["RFB", "ZJJ", "JTYS"],
        adverse: false,
    }
    Commitment = "commitment" {
        name_zh: "信用承诺",
        id_tag: "CN",
        fields: &[
            req("commitment_kind", Enum(COMMITMENT_KINDS), "承诺类型"),
            f("matter", Text, "承诺事项"),
            f("due_on", Date, "履诺期限"),
            req("status", Enum(COMMITMENT_STATUSES), "履诺状态"),
            f("breached_on", Date, "违诺日期"),
        ],
        visibility: Visibility::Public,
        display: DisplayRule::FixedYears { years: 3 },
        producers: &["XZSP", "XYB"],
        adverse: false,
    }
    Inspection = "inspection" {
        name_zh: "检查结果",
        id_tag: "JC",
        fields: &[
            req("outcome", Enum(INSPECTION_OUTCOMES), "检查结果"),
            f("plan_id", Text, "抽查计划编号"),
            f("items", TextList, "检查事项"),
        ],
        visibility: Visibility::Public,
        display: DisplayRule::FixedYears { years: 3 },
        producers: &["SCJG", "STHJ", "YJGL", "WJW"],
        adverse: false,
    }
    CorrectionOrder = "correction_order" {
        name_zh: "责令改正",
        id_tag: "ZG",
        fields: &[
            f("due_on", Date, "改正期限"),
            req("outcome", Enum(CORRECTION_OUTCOMES), "改正情况"),
        ],
        visibility: Visibility::SubjectAndGov,
        display: DisplayRule::FixedYears { years: 3 },
        producers: &["SCJG", "STHJ", "YJGL", "ZJJ"],
        adverse: true,
    }
    FalseMaterials = "false_materials" {
        name_zh: "提供虚假材料",
        id_tag: "XJ",
        // INTERCHANGE lists no kind-specific field; `domain` is read by the
        // construction blacklist (CB1), so it is catalogued as optional.
        fields: &[f("domain", Text, "领域")],
        visibility: Visibility::SubjectAndGov,
        display: DisplayRule::FixedYears { years: 3 },
        producers: &["XZSP", "ZJJ"],
        adverse: true,
    }
    AnnualReport = "annual_report" {
        name_zh: "年度报告",
        id_tag: "NB",
        fields: &[
            req("year", Int, "年报年度"),
            f("filed_on", Date, "报送日期"),
            f("employees", Int, "从业人数"),
            f("revenue_cny", Money, "营业总收入（元）"),
        ],
        visibility: Visibility::Public,
        display: DisplayRule::Permanent,
        producers: &["SCJG"],
        adverse: false,
    }
    Accident = "accident" {
        name_zh: "安全事故",
        id_tag: "SG",
        fields: &[
            req("grade", Enum(ACCIDENT_GRADES), "事故等级"),
            f("domain", Text, "领域"),
            f("criminal_liability", Bool, "被追究刑事责任"),
            f("egregious", Bool, "性质恶劣"),
        ],
        visibility: Visibility::Public,
        display: DisplayRule::FixedYears { years: 3 },
        producers: &["YJGL", "ZJJ", "SCJG"],
        adverse: true,
    }
    Judgment = "judgment" {
        name_zh: "司法判决",
        id_tag: "PJ",
        fields: &[
            f("case_no", Text, "案号"),
            req("role", Enum(JUDGMENT_ROLES), "诉讼地位"),
            f("cause", Text, "案由"),
            f("amount_cny", Money, "涉案金额（元）"),
            f("refused_to_perform", Bool, "拒不履行"),
        ],
        visibility: Visibility::Public,
        display: DisplayRule::FixedYears { years: 3 },
        producers: &["ZJFY"],
        adverse: false,
    }
    BadConduct = "bad_conduct" {
        name_zh: "不良行为记录",
        id_tag: "BL",
        fields: &[req("domain", Text, "领域"), f("category", Text, "类别")],
        visibility: Visibility::Public,
        display: DisplayRule::FixedYears { years: 3 },
        producers: &["ZJJ", "RFB", "JTYS", "WJW"],
        adverse: true,
    }
    Honor = "honor" {
        name_zh: "表彰荣誉",
        id_tag: "RY",
        fields: &[
            req("title", Text, "荣誉名称"),
            f("level", Enum(HONOR_LEVELS), "级别"),
            f("valid_to", Date, "有效期至"),
        ],
        visibility: Visibility::Public,
        display: DisplayRule::UntilValidTo { years: 3 },
        producers: &["FGW", "SCJG", "RSJ", "XYB"],
        adverse: false,
    }
    Arrears = "arrears" {
        name_zh: "欠缴信息",
        id_tag: "QJ",
        fields: &[
            req("arrears_kind", Enum(ARREARS_KINDS), "欠缴类别"),
            req("amount_cny", Money, "欠缴金额（元）"),
            f("months", Int, "欠缴月数"),
        ],
        visibility: Visibility::SubjectAndGov,
        display: DisplayRule::FixedYears { years: 3 },
        producers: &["SWJ", "SBZX", "GJJ", "SWGS", "GDGS", "RQJT"],
        adverse: true,
    }
    FinancingNeed = "financing_need" {
        name_zh: "融资需求",
        id_tag: "RZ",
        fields: &[
            req("amount_cny", Money, "融资需求金额（元）"),
            f("purpose", Text, "用途"),
        ],
        visibility: Visibility::SubjectAndGov,
        display: DisplayRule::FixedYears { years: 1 },
        producers: &["JRJ", "XYB"],
        adverse: false,
    }
    GovLedger = "gov_ledger" {
        name_zh: "政府失信问题台账",
        id_tag: "ZW",
        // `date` is the day the item was found (INTERCHANGE.md §2).
        fields: &[
            req("category", Enum(GOV_LEDGER_CATEGORIES), "问题类别"),
            f("counterparty", Uscc, "相对方统一社会信用代码"),
            f("amount_cny", Money, "涉及金额（元）"),
            f("description", Text, "问题描述"),
            f("installments", Objects(INSTALLMENT_FIELDS), "还款计划及进度"),
            f("settled_on", Date, "办结日期"),
        ],
        // 政务诚信 is under social supervision (seed 001 case 4:
        // “政府承诺+社会监督+失信问责”): the ledger is public.
        visibility: Visibility::Public,
        display: DisplayRule::FixedYears { years: 3 },
        producers: &["XYB"],
        adverse: true,
    }
}

impl RecordKind {
    /// Position in [`RecordKind::ALL`] (also the kind's numeric code in columnar data).
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn from_index(i: usize) -> Option<RecordKind> {
        Self::ALL.get(i).copied()
    }

    pub fn spec(self) -> &'static KindSpec {
        &KINDS[self.index()]
    }

    pub fn as_str(self) -> &'static str {
        KIND_CODES[self.index()]
    }

    pub fn parse(code: &str) -> Option<RecordKind> {
        KIND_CODES
            .iter()
            .position(|c| *c == code)
            .and_then(Self::from_index)
    }

    /// The kind-specific field of this name, if any.
    pub fn field(self, name: &str) -> Option<&'static FieldSpec> {
        self.spec().fields.iter().find(|f| f.name == name)
    }
}

impl std::fmt::Display for RecordKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The fields of a subject line (INTERCHANGE.md §1).
pub const SUBJECT_FIELDS: &[FieldSpec] = &[
    req("uscc", Uscc, "统一社会信用代码"),
    req("name", Text, "名称"),
    req("type", Enum(SUBJECT_TYPES), "主体类型"),
    f("established_on", Date, "成立日期"),
    f("status", Enum(SUBJECT_STATUSES), "登记状态"),
    f("registered_capital_cny", Money, "注册资本（元）"),
    f("paid_in_capital_cny", Money, "实缴资本（元）"),
    f("region", Text, "行政区划代码"),
    f("industry", Text, "行业"),
    f("size", Enum(SIZES), "企业规模"),
    f("tax_registered", Bool, "已办理税务登记"),
    f("people", People, "主要人员"),
];

/// Every field name that any record kind or the envelope uses, with its type,
/// in a stable order: the envelope first, then kind fields in catalogue order.
/// A name used by several kinds appears once (the catalogue keeps one type per
/// name; the tests check that its storage type is the same everywhere).
pub fn all_record_fields() -> Vec<&'static FieldSpec> {
    let mut out: Vec<&'static FieldSpec> = Vec::new();
    for spec in ENVELOPE
        .iter()
        .chain(KINDS.iter().flat_map(|k| k.fields.iter()))
    {
        if !out.iter().any(|f| f.name == spec.name) {
            out.push(spec);
        }
    }
    out
}

/// Category of a list (PRODUCT.md C1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ListCategory {
    Blacklist,
    Redlist,
    Abnormal,
    Watch,
}

impl ListCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            ListCategory::Blacklist => "blacklist",
            ListCategory::Redlist => "redlist",
            ListCategory::Abnormal => "abnormal",
            ListCategory::Watch => "watch",
        }
    }
}

/// One list of the list catalogue.
#[derive(Debug, Serialize)]
pub struct ListSpec {
    pub id: &'static str,
    pub name_zh: &'static str,
    pub category: ListCategory,
    /// Department code of the owner (认定部门).
    pub owner: &'static str,
    pub legal_basis: &'static str,
}

/// The list catalogue.
///
/// `dishonest_debtor` (失信被执行人) is catalogued as `watch`, not `blacklist`:
/// PRODUCT.md names it separately wherever it matters (anhui `S5`, `W2`, `W3`;
/// yingkou `V1` "blacklist-category entry or current dishonest_debtor"), so the
/// blacklist rules (`S1`) cover the other lists and the court list is decided
/// by the rules that name it.
pub static LISTS: &[ListSpec] = &[
    ListSpec {
        id: "abnormal_operation",
        name_zh: "经营异常名录",
        category: ListCategory::Abnormal,
        owner: "SCJG",
        legal_basis: "《企业信息公示暂行条例》第十七条；《企业经营异常名录管理暂行办法》",
    },
    ListSpec {
        id: "serious_violation",
        name_zh: "严重违法失信名单",
        category: ListCategory::Blacklist,
        owner: "SCJG",
        legal_basis: "《市场监督管理严重违法失信名单管理办法》（市场监管总局令第44号）",
    },
    ListSpec {
        id: "major_tax_violation",
        name_zh: "重大税收违法失信主体",
        category: ListCategory::Blacklist,
        owner: "SWJ",
        legal_basis: "《重大税收违法失信主体信息公布管理办法》（国家税务总局令第54号）",
    },
    ListSpec {
        id: "dishonest_debtor",
        name_zh: "失信被执行人",
        category: ListCategory::Watch,
        owner: "ZJFY",
        legal_basis: "《最高人民法院关于公布失信被执行人名单信息的若干规定》",
    },
    ListSpec {
        id: "construction_blacklist",
        name_zh: "建筑市场主体黑名单",
        category: ListCategory::Blacklist,
        owner: "ZJJ",
        legal_basis: "《建筑市场信用管理暂行办法》（建市〔2017〕241号）",
    },
    ListSpec {
        id: "wage_arrears_blacklist",
        name_zh: "拖欠农民工工资失信联合惩戒对象名单",
        category: ListCategory::Blacklist,
        owner: "RSJ",
        legal_basis: "《拖欠农民工工资失信联合惩戒对象名单管理暂行办法》（人社部令第45号）",
    },
    ListSpec {
        id: "renfang_blacklist",
        name_zh: "人防市场责任主体黑名单",
        category: ListCategory::Blacklist,
        owner: "RFB",
        legal_basis: "营口片区人防市场责任主体守信激励和失信惩戒模式（seed 001 案例18）",
    },
    ListSpec {
        id: "renfang_redlist",
        name_zh: "人防市场责任主体红名单",
        category: ListCategory::Redlist,
        owner: "RFB",
        legal_basis: "营口片区人防市场责任主体守信激励和失信惩戒模式（seed 001 案例18）",
    },
    ListSpec {
        id: "other_blacklist",
        name_zh: "其他黑名单",
        category: ListCategory::Blacklist,
        owner: "XYB",
        legal_basis: "相关部门依法依规认定",
    },
    ListSpec {
        id: "other_redlist",
        name_zh: "其他红名单",
        category: ListCategory::Redlist,
        owner: "XYB",
        legal_basis: "相关部门依法依规认定",
    },
];

pub fn list_spec(id: &str) -> Option<&'static ListSpec> {
    LISTS.iter().find(|l| l.id == id)
}

/// A data-providing department of the built-in city catalogue (seed 002).
#[derive(Debug, Serialize)]
pub struct DepartmentSpec {
    pub code: &'static str,
    pub name_zh: &'static str,
}

/// Departments of the Yingkou credit work briefing (seed 002, department
/// submission table). Records from an unknown code are accepted and the code is
/// registered as a department of its own.
pub static DEPARTMENTS: &[DepartmentSpec] = &[
    DepartmentSpec {
        code: "XYB",
        name_zh: "市信用办",
    },
    DepartmentSpec {
        code: "XXZX",
        name_zh: "市信息中心",
    },
    DepartmentSpec {
        code: "XZSP",
        name_zh: "市行政审批局",
    },
    DepartmentSpec {
        code: "SCJG",
        name_zh: "市场监督管理局",
    },
    DepartmentSpec {
        code: "FGW",
        name_zh: "市发改委",
    },
    DepartmentSpec {
        code: "ZJFY",
        name_zh: "中级法院",
    },
    DepartmentSpec {
        code: "GAJ",
        name_zh: "公安局",
    },
    DepartmentSpec {
        code: "STHJ",
        name_zh: "生态环境局",
    },
    DepartmentSpec {
        code: "JTYS",
        name_zh: "交通运输局",
    },
    DepartmentSpec {
        code: "WJW",
        name_zh: "市卫健委",
    },
    DepartmentSpec {
        code: "MZJ",
        name_zh: "民政局",
    },
    DepartmentSpec {
        code: "RSJ",
        name_zh: "市人社局",
    },
    DepartmentSpec {
        code: "JRJ",
        name_zh: "市金融发展局",
    },
    DepartmentSpec {
        code: "ZJJ",
        name_zh: "市住建局",
    },
    DepartmentSpec {
        code: "WLJ",
        name_zh: "市文旅局",
    },
    DepartmentSpec {
        code: "YJGL",
        name_zh: "应急管理局",
    },
    DepartmentSpec {
        code: "SWJ",
        name_zh: "税务局",
    },
    DepartmentSpec {
        code: "SBZX",
        name_zh: "社会保障中心",
    },
    DepartmentSpec {
        code: "GJJ",
        name_zh: "住房公积金管理中心",
    },
    DepartmentSpec {
        code: "RMYH",
        name_zh: "市人民银行",
    },
    DepartmentSpec {
        code: "RFB",
        name_zh: "人防办",
    },
    DepartmentSpec {
        code: "GDGS",
        name_zh: "供电公司",
    },
    DepartmentSpec {
        code: "SWGS",
        name_zh: "水务公司",
    },
    DepartmentSpec {
        code: "RQJT",
        name_zh: "燃气集团",
    },
];

pub fn department(code: &str) -> Option<&'static DepartmentSpec> {
    DEPARTMENTS.iter().find(|d| d.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kinds may give one field name different code lists (`grade` of a tax
    /// rating, an accident, an industry rating), but its stored form must be
    /// the same everywhere, since records of all kinds share one column per name.
    #[test]
    fn one_storage_type_per_field_name() {
        fn storage(t: FieldType) -> &'static str {
            match t {
                FieldType::Text | FieldType::Uscc | FieldType::Enum(_) => "text",
                FieldType::TextList | FieldType::EnumList(_) => "list",
                FieldType::Date => "date",
                FieldType::Bool => "bool",
                FieldType::Int | FieldType::Money => "number",
                FieldType::Bands => "bands",
                FieldType::People => "people",
                FieldType::Objects(_) => "objects",
            }
        }
        let all: Vec<&FieldSpec> = ENVELOPE
            .iter()
            .chain(KINDS.iter().flat_map(|k| k.fields.iter()))
            .collect();
        for a in &all {
            for b in &all {
                if a.name == b.name {
                    assert_eq!(
                        storage(a.ty),
                        storage(b.ty),
                        "field {} has two storage types",
                        a.name
                    );
                }
            }
        }
    }

    #[test]
    fn kinds_table_matches_enum_order() {
        for (i, k) in RecordKind::ALL.iter().enumerate() {
            assert_eq!(KINDS[i].kind, *k);
            assert_eq!(KINDS[i].code, KIND_CODES[i]);
            assert_eq!(RecordKind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(RecordKind::parse("nonsense"), None);
    }

    #[test]
    fn producers_are_catalogued_departments() {
        for k in KINDS {
            for p in k.producers {
                assert!(
                    department(p).is_some(),
                    "{} produced by unknown {}",
                    k.code,
                    p
                );
            }
        }
        for l in LISTS {
            assert!(department(l.owner).is_some());
        }
    }

    #[test]
    fn every_list_id_has_a_spec() {
        for id in LIST_IDS {
            assert!(list_spec(id).is_some(), "{id}");
        }
        assert_eq!(
            list_spec("serious_violation").unwrap().category,
            ListCategory::Blacklist
        );
        assert_eq!(
            list_spec("abnormal_operation").unwrap().category,
            ListCategory::Abnormal
        );
    }
}
