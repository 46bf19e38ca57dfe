//! The catalogue as front ends show it (PRODUCT.md C1, C5): the record kinds
//! with their Chinese names, visibility and display rules in plain words,
//! the lists, the departments, the Chinese words for the codes of the
//! contract, and the models in force with who may see their results.
//!
//! Nothing here decides anything: it is the catalogue of `xinyong-core` and
//! the model files, in the shape a page or a report reads (the portal's page
//! on what is shown and for how long is generated from it).

use std::sync::LazyLock;

use serde::Serialize;
use xinyong_core::catalog::{
    DEPARTMENTS, ENVELOPE, FieldSpec, FieldType, KINDS, LISTS, ListCategory, RecordKind,
    SUBJECT_FIELDS, Visibility,
};

use crate::{App, AppError};

/// How a field's value is written (for presentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    Text,
    /// A unified social credit code.
    Uscc,
    /// `YYYY-MM-DD`.
    Date,
    Bool,
    Integer,
    /// CNY, at most two decimals.
    Money,
    /// One code of a closed set (see [`Catalogue::value_label_zh`]).
    Code,
    /// An array of free-text strings.
    Texts,
    /// An array of codes of a closed set.
    Codes,
    /// `{"general": [min, max], "serious": [min, max]}`.
    Bands,
    /// The `people` array of a subject.
    People,
    /// An array of objects (e.g. the `installments` of a `gov_ledger` item).
    Objects,
}

impl ValueType {
    fn of(ty: FieldType) -> ValueType {
        match ty {
            FieldType::Text => ValueType::Text,
            FieldType::Uscc => ValueType::Uscc,
            FieldType::Date => ValueType::Date,
            FieldType::Bool => ValueType::Bool,
            FieldType::Int => ValueType::Integer,
            FieldType::Money => ValueType::Money,
            FieldType::Enum(_) => ValueType::Code,
            FieldType::TextList => ValueType::Texts,
            FieldType::EnumList(_) => ValueType::Codes,
            FieldType::Bands => ValueType::Bands,
            FieldType::People => ValueType::People,
            FieldType::Objects(_) => ValueType::Objects,
        }
    }
}

/// One field of a record kind, of the envelope or of a subject.
#[derive(Debug, Clone, Serialize)]
pub struct FieldInfo {
    pub name: &'static str,
    pub label_zh: &'static str,
    pub value_type: ValueType,
    /// The fields of each element of an array of objects (`Objects`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<FieldInfo>,
}

fn fields(specs: &'static [FieldSpec]) -> Vec<FieldInfo> {
    specs
        .iter()
        .map(|f| FieldInfo {
            name: f.name,
            label_zh: f.label_zh,
            value_type: ValueType::of(f.ty),
            items: match f.ty {
                FieldType::Objects(items) => fields(items),
                _ => Vec::new(),
            },
        })
        .collect()
}

/// One record kind.
#[derive(Debug, Clone, Serialize)]
pub struct KindInfo {
    pub code: &'static str,
    pub name_zh: &'static str,
    /// `public`, `subject_and_gov` or `gov_only`.
    pub visibility: &'static str,
    /// Who sees records of the kind, in Chinese.
    pub visibility_zh: &'static str,
    /// Shown on public pages (inside its display window).
    pub public: bool,
    /// How long a record of the kind is shown publicly, in plain Chinese.
    pub display_rule_zh: String,
    /// Adverse information (不良信息) by nature.
    pub adverse: bool,
    /// The kind's own fields (the envelope is [`Catalogue::envelope`]).
    pub fields: Vec<FieldInfo>,
}

/// One list of the list catalogue.
#[derive(Debug, Clone, Serialize)]
pub struct ListInfo {
    pub id: &'static str,
    pub name_zh: &'static str,
    /// `blacklist`, `redlist`, `abnormal` or `watch`.
    pub category: &'static str,
    pub category_zh: &'static str,
    /// Department code of the owner.
    pub owner: &'static str,
    pub legal_basis: &'static str,
}

/// One data-providing department.
#[derive(Debug, Clone, Serialize)]
pub struct DepartmentInfo {
    pub code: &'static str,
    pub name_zh: &'static str,
}

/// The catalogue (`App::catalogue`).
#[derive(Debug, Clone, Serialize)]
pub struct Catalogue {
    pub kinds: Vec<KindInfo>,
    pub lists: Vec<ListInfo>,
    pub departments: Vec<DepartmentInfo>,
    /// The envelope every record has.
    pub envelope: Vec<FieldInfo>,
    /// The fields of a subject.
    pub subject_fields: Vec<FieldInfo>,
}

/// Who sees something of this visibility, in Chinese.
pub fn visibility_zh(visibility: &str) -> &'static str {
    match visibility {
        "public" => "向社会公开",
        "subject_and_gov" => "仅向主体本身和政府部门提供",
        "gov_only" => "仅向政府部门提供",
        _ => "不公开",
    }
}

fn visibility_code(v: Visibility) -> &'static str {
    match v {
        Visibility::Public => "public",
        Visibility::SubjectAndGov => "subject_and_gov",
        Visibility::GovOnly => "gov_only",
    }
}

fn category_zh(c: ListCategory) -> &'static str {
    match c {
        ListCategory::Blacklist => "黑名单",
        ListCategory::Redlist => "红名单",
        ListCategory::Abnormal => "经营异常名录",
        ListCategory::Watch => "重点关注名单",
    }
}

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| Catalogue {
    kinds: KINDS
        .iter()
        .map(|k| {
            let visibility = visibility_code(k.visibility);
            KindInfo {
                code: k.code,
                name_zh: k.name_zh,
                visibility,
                visibility_zh: visibility_zh(visibility),
                public: k.visibility == Visibility::Public,
                display_rule_zh: k.display.describe_zh(),
                adverse: k.adverse,
                fields: fields(k.fields),
            }
        })
        .collect(),
    lists: LISTS
        .iter()
        .map(|l| ListInfo {
            id: l.id,
            name_zh: l.name_zh,
            category: l.category.as_str(),
            category_zh: category_zh(l.category),
            owner: l.owner,
            legal_basis: l.legal_basis,
        })
        .collect(),
    departments: DEPARTMENTS
        .iter()
        .map(|d| DepartmentInfo {
            code: d.code,
            name_zh: d.name_zh,
        })
        .collect(),
    envelope: fields(ENVELOPE),
    subject_fields: fields(SUBJECT_FIELDS),
});

/// The Chinese words for the codes of the contract, by `kind.field` (or
/// `subject.field`) and, where a field name means the same in every kind,
/// by the field name alone.
const VALUE_LABELS: &[(&str, &str, &str)] = &[
    ("subject.type", "enterprise", "企业"),
    ("subject.type", "individual_business", "个体工商户"),
    ("subject.type", "farmer_coop", "农民专业合作社"),
    ("subject.type", "social_org", "社会组织"),
    ("subject.type", "public_institution", "事业单位"),
    ("subject.type", "government_agency", "机关"),
    ("subject.status", "active", "存续"),
    ("subject.status", "revoked", "吊销"),
    ("subject.status", "cancelled", "注销"),
    ("subject.status", "moved_out", "迁出"),
    ("subject.size", "micro", "微型企业"),
    ("subject.size", "small", "小型企业"),
    ("subject.size", "medium", "中型企业"),
    ("subject.size", "large", "大型企业"),
    ("procedure", "general", "一般程序"),
    ("procedure", "simple", "简易程序"),
    ("sanctions", "warning", "警告"),
    ("sanctions", "criticism", "通报批评"),
    ("sanctions", "fine", "罚款"),
    ("sanctions", "confiscation", "没收违法所得、没收非法财物"),
    ("sanctions", "suspend_business", "责令停产停业、责令关闭"),
    (
        "sanctions",
        "restrict_qualification",
        "暂扣许可证件、降低资质等级、限制开展生产经营活动",
    ),
    ("sanctions", "revoke_permit", "吊销许可证件"),
    ("sanctions", "revoke_license", "吊销营业执照"),
    ("sanctions", "detention", "行政拘留"),
    ("sanctions", "other", "其他"),
    ("authority_tier", "general", "一般失信"),
    ("authority_tier", "serious", "严重失信"),
    ("authority_tier", "specific_serious", "特定严重失信"),
    ("tier", "general", "一般失信行为"),
    ("tier", "serious", "严重失信行为"),
    ("tier", "specific_serious", "特定严重失信行为"),
    ("tier", "manual_review", "待处罚机关认定"),
    ("person_role", "legal_representative", "法定代表人"),
    ("person_role", "director", "董事"),
    ("person_role", "supervisor", "监事"),
    ("person_role", "senior_manager", "高级管理人员"),
    ("list_entry.reason", "annual_report", "未按规定报送年度报告"),
    (
        "list_entry.reason",
        "not_disclosed",
        "未在责令期限内公示有关企业信息",
    ),
    (
        "list_entry.reason",
        "false_disclosure",
        "公示企业信息隐瞒真实情况、弄虚作假",
    ),
    (
        "list_entry.reason",
        "unreachable",
        "通过登记的住所或者经营场所无法联系",
    ),
    ("commitment_kind", "credit_pledge", "信用承诺书"),
    ("commitment_kind", "notify_commit", "告知承诺"),
    ("commitment_kind", "missing_materials", "容缺受理承诺"),
    ("commitment_kind", "domicile", "住所（经营场所）承诺"),
    ("commitment_kind", "other", "其他承诺"),
    ("commitment.status", "active", "履诺期内"),
    ("commitment.status", "fulfilled", "已履诺"),
    ("commitment.status", "breached", "违诺"),
    ("commitment.status", "withdrawn", "已撤回"),
    ("inspection.outcome", "compliant", "未发现问题"),
    ("inspection.outcome", "issues_found", "发现问题"),
    ("inspection.outcome", "refused", "拒绝、逃避检查"),
    ("inspection.outcome", "not_found", "检查对象无法找到"),
    ("correction_order.outcome", "pending", "改正期限内"),
    ("correction_order.outcome", "corrected", "已改正"),
    ("correction_order.outcome", "refused", "拒不改正"),
    ("correction_order.outcome", "overdue", "逾期未改正"),
    ("accident.grade", "general", "一般事故"),
    ("accident.grade", "relatively_large", "较大事故"),
    ("accident.grade", "major", "重大事故"),
    ("accident.grade", "especially_major", "特别重大事故"),
    ("judgment.role", "defendant", "被告"),
    ("judgment.role", "plaintiff", "原告"),
    ("judgment.role", "third_party", "第三人"),
    ("honor.level", "national", "国家级"),
    ("honor.level", "provincial", "省级"),
    ("honor.level", "municipal", "市级"),
    ("honor.level", "district", "区县级"),
    ("arrears_kind", "tax", "税费"),
    ("arrears_kind", "social_insurance", "社会保险费"),
    ("arrears_kind", "housing_fund", "住房公积金"),
    ("arrears_kind", "water", "水费"),
    ("arrears_kind", "power", "电费"),
    ("arrears_kind", "gas", "燃气费"),
    ("gov_ledger.category", "arrears", "拖欠企业账款"),
    ("gov_ledger.category", "legacy_debt", "新官不理旧账"),
    ("gov_ledger.category", "policy_promise", "政策承诺未兑现"),
    ("gov_ledger.category", "contract_default", "合同违约"),
    ("gov_ledger.category", "duty_failure", "履职尽责不到位"),
];

impl Catalogue {
    /// The kind of a code.
    pub fn kind(&self, code: &str) -> Option<&KindInfo> {
        self.kinds.iter().find(|k| k.code == code)
    }

    /// The list of an id.
    pub fn list(&self, id: &str) -> Option<&ListInfo> {
        self.lists.iter().find(|l| l.id == id)
    }

    /// The Chinese name of a department code.
    pub fn department_name(&self, code: &str) -> Option<&'static str> {
        self.departments
            .iter()
            .find(|d| d.code == code)
            .map(|d| d.name_zh)
    }

    /// The codes a field of records of `kind` takes (an enumeration of the
    /// catalogue) with their Chinese words, in the catalogue's order; empty
    /// for a field that is not an enumeration.
    pub fn choices(&self, kind: &str, field: &str) -> Vec<(&'static str, &'static str)> {
        let Some(k) = RecordKind::parse(kind) else {
            return Vec::new();
        };
        let values = k.spec().fields.iter().find_map(|f| match f.ty {
            FieldType::Enum(values) if f.name == field => Some(values),
            _ => None,
        });
        values
            .unwrap_or_default()
            .iter()
            .map(|v| (*v, self.value_label_zh(kind, field, v).unwrap_or(v)))
            .collect()
    }

    /// The Chinese word for `code` in `field` of records of `kind` (or of
    /// a subject: `kind` = `"subject"`); `None` when the catalogue has none
    /// (free text, an unknown code).
    pub fn value_label_zh(&self, kind: &str, field: &str, code: &str) -> Option<&'static str> {
        if field == "list" {
            return self.list(code).map(|l| l.name_zh);
        }
        if kind == "subject" && field == "people" {
            return None;
        }
        let scoped = format!("{kind}.{field}");
        let person_role = field == "role" && kind == "subject";
        VALUE_LABELS
            .iter()
            .find(|(f, c, _)| *c == code && *f == scoped)
            .or_else(|| {
                VALUE_LABELS.iter().find(|(f, c, _)| {
                    *c == code && (*f == field || (person_role && *f == "person_role"))
                })
            })
            .map(|(_, _, label)| *label)
    }
}

/// A model in force today, as the portal describes it.
#[derive(Debug, Clone, Serialize)]
pub struct ModelSummary {
    pub id: String,
    pub name: String,
    /// `classification`, `lists`, `eligibility`, `scoring` or `record`.
    pub kind: String,
    /// `public`, `subject_and_gov` or `gov_only`.
    pub visibility: String,
    pub visibility_zh: &'static str,
    /// Its results are shown on public pages.
    pub public: bool,
    /// The policy document it implements.
    pub source: String,
    /// `(id, label)` of the model's classes, lists, grades, dimensions and
    /// indicators, as its file names them.
    pub labels: Vec<(String, String)>,
}

impl ModelSummary {
    /// The Chinese label of an outcome (class, list, grade) or indicator.
    pub fn label(&self, id: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(i, _)| i == id)
            .map(|(_, l)| l.as_str())
    }
}

/// The value of a TOML basic string at the start of `v` (no escapes).
fn basic_string(v: &str) -> Option<String> {
    let rest = v.strip_prefix('"')?;
    let end = rest.find('"')?;
    let s = &rest[..end];
    (!s.contains('\\')).then(|| s.to_owned())
}

/// `(id, label)` of every table of a model file that has both an `id` (or
/// a `list`) and a `label`, and the default class with its label. A label
/// written another way (an escape, a literal string) is left out: the page
/// then shows the id.
fn outcome_labels(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut push = |key: &mut Option<String>, label: &mut Option<String>| {
        if let (Some(k), Some(l)) = (key.take(), label.take())
            && !out.iter().any(|(i, _)| *i == k)
        {
            out.push((k, l));
        }
    };
    let (mut key, mut label) = (None, None);
    let (mut default_class, mut default_label) = (None, None);
    let mut top = true;
    for line in text.lines().map(str::trim) {
        if line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') {
            push(&mut key, &mut label);
            top = false;
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = basic_string(v.trim());
        match (top, k.trim()) {
            (true, "default_class") => default_class = v,
            (true, "default_label") => default_label = v,
            (false, "id" | "list") => key = v,
            (false, "label") => label = v,
            _ => {}
        }
    }
    push(&mut key, &mut label);
    push(&mut default_class, &mut default_label);
    out
}

/// The record, list and department catalogue (static; the same as
/// [`App::catalogue`], for front ends that have no application at hand).
pub fn catalogue() -> &'static Catalogue {
    &CATALOGUE
}

impl App {
    /// The record, list and department catalogue (static).
    pub fn catalogue(&self) -> &'static Catalogue {
        &CATALOGUE
    }

    /// The models in force today, in the order of the model set, with who
    /// may see their results. Public information: the portal explains with
    /// it which evaluation results are published.
    pub fn models_in_force(&self) -> Result<Vec<ModelSummary>, AppError> {
        let (set, active) = self.models_today()?;
        Ok(active
            .iter()
            .map(|&i| {
                let m = set.model(i);
                ModelSummary {
                    id: m.id.clone(),
                    name: m.name.clone(),
                    kind: m.kind.as_str().to_owned(),
                    visibility_zh: visibility_zh(&m.visibility),
                    public: m.visibility == "public",
                    visibility: m.visibility.clone(),
                    source: m.source.clone(),
                    labels: outcome_labels(&m.text),
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_read_from_tables_with_an_id_and_a_label() {
        let text = r#"
id = "m"
default_class = "unclassified"
default_label = "待人工认定"

[params]
label = "not this"

[[class]]
id = "dishonest" # a comment
label = "失信"

[[class.rule]]
id = "D1"
text = 'x'

[[outcome]]
list = "renfang_blacklist"
label = "黑名单"

[[grade]]
id = "A"
label = 'literal'
"#;
        assert_eq!(
            outcome_labels(text),
            vec![
                ("dishonest".to_owned(), "失信".to_owned()),
                ("renfang_blacklist".to_owned(), "黑名单".to_owned()),
                ("unclassified".to_owned(), "待人工认定".to_owned()),
            ]
        );
    }

    #[test]
    fn every_kind_has_a_display_rule_text_and_codes_have_words() {
        let c = &*CATALOGUE;
        assert!(c.kinds.iter().all(|k| !k.display_rule_zh.is_empty()));
        assert_eq!(
            c.value_label_zh("inspection", "outcome", "refused"),
            Some("拒绝、逃避检查")
        );
        assert_eq!(
            c.value_label_zh("correction_order", "outcome", "refused"),
            Some("拒不改正")
        );
        assert_eq!(
            c.value_label_zh("penalty", "sanctions", "fine"),
            Some("罚款")
        );
        assert_eq!(
            c.value_label_zh("list_entry", "list", "abnormal_operation"),
            Some("经营异常名录")
        );
        assert_eq!(
            c.value_label_zh("subject", "type", "enterprise"),
            Some("企业")
        );
        assert_eq!(c.value_label_zh("penalty", "facts", "fine"), None);
    }
}
