//! Scenario subjects: subjects built to satisfy exactly the named rules of
//! one model of PRODUCT.md §4 at the as-of date (the reference date), and
//! boundary twins that just miss.
//!
//! Each scenario writes one subject, its records and one line of
//! `scenarios.jsonl`:
//!
//! ```json
//! {"subject": "…", "model": "anhui-class", "rules": ["S2"], "as_of": "2026-10-31",
//!  "note": "中文说明", "case": "S2_five_general", "absent": [], "expect": {"class": "severely_dishonest"},
//!  "records": ["SCJG-CF-000000123", …]}
//! ```
//!
//! * `rules`: the rule ids the model's result must cite (every satisfied rule
//!   of the decisive class). For `xinyidai-eligibility` these are the failing
//!   conditions (`failed`); for `yingkou-composite` grade scenarios the grade
//!   letter; `unclassified` for anhui's manual-review class; `clearable` for
//!   a clearable `abnormal-trace-clear` line.
//! * `absent`: rule ids the result must *not* cite (the point of a twin).
//! * `expect`: the model's output fields the scenario is built to produce
//!   (`class`, `grade`, `lists`, `eligible`/`failed`, or for record-level
//!   models `record`, `tier`, `display_until`, `repairable_from`, `visible`,
//!   `clearable_from`, `clearable`), computed with `xinyong_core::time`.
//! * `records`: ids of the records that make the rules true.
//!
//! Scenario subjects carry only neutral records besides the designed ones (an
//! annual report per year with staff, an in-use licence, a tax rating B), so
//! no other rule of the model fires.

use serde_json::{Map, Value, json};
use xinyong_core::catalog::RecordKind;

use crate::GenError;
use crate::city::{OrgScheme, Person, Status, SubjType, Subject, World};
use crate::day::{self, Day, add_months, complete_from, ymd};
use crate::names::{self, INDUSTRIES, Sector};
use crate::out::{Dept, RecId, Records, Sink};
use crate::rng::Rng;

/// One scenario of the catalogue.
pub(crate) struct Scenario {
    model: &'static str,
    case: &'static str,
    rules: &'static [&'static str],
    absent: &'static [&'static str],
    note: &'static str,
    /// Builds the subject; `false` when the scenario cannot be built for this
    /// reference date (e.g. the 2026-04-01 regime change before it happens).
    build: fn(&mut Sc) -> bool,
}

fn sc(
    model: &'static str,
    case: &'static str,
    rules: &'static [&'static str],
    note: &'static str,
    build: fn(&mut Sc) -> bool,
) -> Scenario {
    Scenario {
        model,
        case,
        rules,
        absent: &[],
        note,
        build,
    }
}

fn twin(
    model: &'static str,
    case: &'static str,
    rules: &'static [&'static str],
    absent: &'static [&'static str],
    note: &'static str,
    build: fn(&mut Sc) -> bool,
) -> Scenario {
    Scenario {
        model,
        case,
        rules,
        absent,
        note,
        build,
    }
}

/// Where the scenarios go among the random subjects.
pub(crate) struct Plan {
    list: Vec<Scenario>,
    positions: Vec<u64>,
}

/// One scenario per this many subjects at most (all ~170 from ~1,000 subjects).
const SUBJECTS_PER_SCENARIO: u64 = 6;

impl Plan {
    pub(crate) fn new(w: &World, subjects: u64) -> Plan {
        let list: Vec<Scenario> = catalogue()
            .into_iter()
            .filter(|s| {
                let mut c = Sc::new(w, 0);
                (s.build)(&mut c)
            })
            .collect();
        // Round robin over the models (first scenario of each model, then
        // the second, …), so that a small city still covers every model.
        let mut models: Vec<&str> = Vec::new();
        let mut rank: Vec<(usize, usize)> = Vec::with_capacity(list.len());
        let mut seen: Vec<usize> = Vec::new();
        for s in &list {
            let m = match models.iter().position(|m| *m == s.model) {
                Some(m) => m,
                None => {
                    models.push(s.model);
                    seen.push(0);
                    models.len() - 1
                }
            };
            rank.push((seen[m], m));
            seen[m] += 1;
        }
        let mut order: Vec<usize> = (0..list.len()).collect();
        order.sort_by_key(|&i| rank[i]);
        let mut slots: Vec<Option<Scenario>> = list.into_iter().map(Some).collect();
        let list: Vec<Scenario> = order.into_iter().filter_map(|i| slots[i].take()).collect();
        let k = (list.len() as u64).min(subjects / SUBJECTS_PER_SCENARIO);
        let positions = (0..k).map(|j| ((2 * j + 1) * subjects) / (2 * k)).collect();
        Plan { list, positions }
    }

    /// Subject index of scenario `j`, if it is emitted.
    pub(crate) fn position(&self, j: usize) -> Option<u64> {
        self.positions.get(j).copied()
    }

    /// Number of scenarios in the catalogue for this reference date.
    #[cfg(test)]
    pub(crate) fn available(&self) -> usize {
        self.list.len()
    }

    /// Writes scenario `j` as subject `idx`.
    pub(crate) fn emit(
        &self,
        j: usize,
        w: &World,
        idx: u64,
        subjects: &mut Sink,
        records: &mut Records,
        scenarios: &mut Sink,
    ) -> Result<(), GenError> {
        let s = &self.list[j];
        let mut c = Sc::new(w, idx);
        (s.build)(&mut c);
        let mut scratch = String::new();
        w.write_subject(subjects, &c.subj, &mut scratch);
        let mut ids: Vec<RecId> = Vec::with_capacity(c.recs.len());
        for r in &c.recs {
            ids.push(r.write(w, &c.subj.uscc, records));
        }

        let mut expect = default_expect(s);
        if let Some(i) = c.record_expect {
            expect.insert("record".into(), json!(ids[i].to_string()));
        }
        for (k, v) in std::mem::take(&mut c.expect) {
            expect.insert(k, v);
        }
        let mut line = Map::new();
        line.insert("subject".into(), json!(c.subj.uscc));
        line.insert("model".into(), json!(s.model));
        line.insert("rules".into(), json!(s.rules));
        line.insert("as_of".into(), json!(day::fmt(w.t)));
        line.insert("note".into(), json!(s.note));
        line.insert("case".into(), json!(s.case));
        line.insert("absent".into(), json!(s.absent));
        line.insert("expect".into(), Value::Object(expect));
        let key: Vec<String> = c.key.iter().map(|&i| ids[i].to_string()).collect();
        line.insert("records".into(), json!(key));
        let text = serde_json::to_string(&Value::Object(line))
            .map_err(|e| GenError::Config(format!("scenario line: {e}")))?;
        scenarios.buf.extend_from_slice(text.as_bytes());
        scenarios.buf.push(b'\n');
        scenarios.maybe_flush()
    }
}

/// The output the rules imply for subject-level models.
fn default_expect(s: &Scenario) -> Map<String, Value> {
    let mut m = Map::new();
    let first = s.rules.first().copied().unwrap_or("");
    match s.model {
        "anhui-class" => {
            let class = match first.as_bytes().first() {
                Some(b'S') => "severely_dishonest",
                Some(b'D') => "dishonest",
                Some(b'W') => "warning",
                Some(b'T') => "trustworthy",
                Some(b'u') => "unclassified",
                _ => return m,
            };
            m.insert("class".into(), json!(class));
        }
        "tianjin-risk" => {
            let class = match first.get(..2) {
                Some("TS") => "severely_dishonest",
                Some("TD") => "dishonest",
                Some("TW") => "warning",
                Some("TG") => "good",
                _ => return m,
            };
            m.insert("class".into(), json!(class));
        }
        "yingkou-composite" => {
            let grade = match first {
                "V1" | "V2" => "D",
                "V3" => "C",
                "A" | "B" | "C" | "D" => first,
                _ => return m,
            };
            m.insert("grade".into(), json!(grade));
        }
        "renfang-lists" => {
            let lists: &[&str] = match first.get(..2) {
                Some("RB") => &["renfang_blacklist"],
                Some("RR") => &["renfang_redlist"],
                _ => &[],
            };
            m.insert("lists".into(), json!(lists));
        }
        "construction-blacklist" => {
            let lists: &[&str] = if s.rules.is_empty() {
                &[]
            } else {
                &["construction_blacklist"]
            };
            m.insert("lists".into(), json!(lists));
        }
        "xinyidai-eligibility" => {
            m.insert("eligible".into(), json!(s.rules.is_empty()));
            m.insert("failed".into(), json!(s.rules));
        }
        _ => {}
    }
    m
}

/// A field value of a scenario record.
#[derive(Debug, Clone)]
enum V {
    S(String),
    Strs(Vec<&'static str>),
    I(i64),
    /// Money in cents.
    M(u64),
    D(Day),
    B(bool),
    /// Bands in cents: general, serious.
    Bands((u64, u64), (u64, u64)),
    /// A repayment plan: installments (due day, cents, payment).
    Plan(Vec<Installment>),
}

/// One installment of a ledger item's plan: due day, amount (cents), and
/// the payment (day, cents) if any.
type Installment = (Day, u64, Option<(Day, u64)>);

impl From<&str> for V {
    fn from(s: &str) -> V {
        V::S(s.to_owned())
    }
}

/// A record of a scenario subject (allocating; scenarios are few).
#[derive(Debug, Clone)]
pub(crate) struct SRec {
    kind: RecordKind,
    dept: Dept,
    date: Day,
    fields: Vec<(&'static str, V)>,
    withdrawn: bool,
    repaired_on: Option<Day>,
}

impl SRec {
    fn set(&mut self, k: &'static str, v: impl Into<V>) -> &mut SRec {
        let v = v.into();
        match self.fields.iter_mut().find(|(name, _)| *name == k) {
            Some(slot) => slot.1 = v,
            None => self.fields.push((k, v)),
        }
        self
    }

    fn unset(&mut self, k: &str) -> &mut SRec {
        self.fields.retain(|(name, _)| *name != k);
        self
    }

    fn get(&self, k: &str) -> Option<&V> {
        self.fields
            .iter()
            .find(|(name, _)| *name == k)
            .map(|(_, v)| v)
    }

    fn write(&self, w: &World, subject: &str, recs: &mut Records) -> RecId {
        let mut r = recs.begin(&w.days, self.kind, self.dept, subject, self.date);
        for (k, v) in &self.fields {
            match v {
                V::S(s) if *k == "decision_no" => {
                    // decision numbers carry the record's sequence number
                    let text = format!("{s}{}号", crate::city::decision_number(r.id.seq));
                    r.obj.str(k, &text);
                }
                V::S(s) => r.obj.str(k, s),
                V::Strs(items) => r.obj.strs(k, items),
                V::I(i) => r.obj.int(k, *i),
                V::M(c) => r.obj.money(k, *c),
                V::D(d) => r.obj.date(k, *d),
                V::B(b) => r.obj.bool(k, *b),
                V::Bands(g, s) => r.obj.bands(k, Some(*g), Some(*s)),
                V::Plan(plan) => r.obj.objects(k, plan.len(), |o, i| {
                    let (due, cents, paid) = plan[i];
                    o.date("due_on", due);
                    o.money("amount_cny", cents);
                    if let Some((on, paid)) = paid {
                        o.date("paid_on", on);
                        o.money("paid_cny", paid);
                    }
                }),
            }
        }
        r.end(self.withdrawn, self.repaired_on)
    }
}

impl From<String> for V {
    fn from(s: String) -> V {
        V::S(s)
    }
}
impl From<bool> for V {
    fn from(b: bool) -> V {
        V::B(b)
    }
}
impl From<Vec<&'static str>> for V {
    fn from(v: Vec<&'static str>) -> V {
        V::Strs(v)
    }
}

const YUAN: u64 = 100;

/// The scenario builder: the subject being built, its records and the
/// expectations.
pub(crate) struct Sc<'w> {
    w: &'w World,
    /// The subject's index in the city.
    idx: u64,
    /// The as-of date.
    t: Day,
    rng: Rng,
    pub(crate) subj: Subject,
    recs: Vec<SRec>,
    key: Vec<usize>,
    expect: Map<String, Value>,
    record_expect: Option<usize>,
    /// Leave out the annual report of the previous year (信易贷 X4).
    skip_previous_report: bool,
}

impl<'w> Sc<'w> {
    fn new(w: &'w World, idx: u64) -> Sc<'w> {
        let mut c = Sc {
            w,
            idx,
            t: w.t,
            rng: Rng::new(w.seed ^ 0x5343_454e, idx),
            subj: Subject::empty(),
            recs: Vec::new(),
            key: Vec::new(),
            expect: Map::new(),
            record_expect: None,
            skip_previous_report: false,
        };
        let s = &mut c.subj;
        s.ty = SubjType::Enterprise;
        s.region = names::BAYUQUAN;
        s.status = Status::Active;
        s.end = w.t;
        s.established = add_months(w.t, -96) - 37;
        s.reg_cap = Some(2_000_000 * YUAN);
        s.paid_in = Some(1_000_000 * YUAN);
        s.size = Some("small");
        s.tax_registered = true;
        s.people.clear();
        s.people.push(Person {
            role: "legal_representative",
            key: (1 << 44) + idx * 16,
        });
        s.people.push(Person {
            role: "director",
            key: (1 << 44) + idx * 16 + 1,
        });
        s.people.push(Person {
            role: "supervisor",
            key: (1 << 44) + idx * 16 + 2,
        });
        s.people.push(Person {
            role: "senior_manager",
            key: (1 << 44) + idx * 16 + 3,
        });
        w.uscc(idx, "91", "210804", OrgScheme::Ma, None, &mut s.uscc);
        c.industry("C3484");
        c
    }

    /// Sets the industry (a GB/T 4754 code of the table or a sector tag) and renames.
    fn industry(&mut self, code: &'static str) {
        let (sector, words): (Sector, &[&str]) = match code {
            "renfang" => (Sector::Renfang, &["人防工程", "人防设备"]),
            "construction" => (Sector::Construction, &["建筑工程", "建设工程"]),
            "C2521" => (Sector::Chem, &["焦化", "煤化工"]),
            _ => {
                let i = names::industry_index(code);
                (INDUSTRIES[i].sector, INDUSTRIES[i].ent_words)
            }
        };
        self.subj.industry = code;
        self.subj.sector = sector;
        let mut name = String::new();
        self.w
            .enterprise_name(&mut self.rng, names::BAYUQUAN, words, &mut name);
        self.subj.name = name;
    }

    // ---------------------------------------------------------------- dates

    fn ago(&self, days: i32) -> Day {
        self.t - days
    }

    fn months(&self, m: i32) -> Day {
        add_months(self.t, m)
    }

    /// First day of W3(T).
    fn w3s(&self) -> Day {
        add_months(self.t, -36)
    }

    /// First day of M12(T).
    fn m12s(&self) -> Day {
        add_months(self.t, -12)
    }

    fn year(&self) -> i32 {
        day::year_of(self.t)
    }

    /// A date no later than the as-of date.
    fn upto(&self, d: Day) -> Day {
        d.min(self.t)
    }

    // ---------------------------------------------------------------- profiles

    /// Neutral records: annual reports of the last two years with staff, an
    /// in-use licence, a tax rating B for the last year.
    fn baggage(&mut self) {
        self.reports(2, 15);
        let lic = (self.t - 700).max(self.subj.established + 10);
        self.licence(Dept::XZSP, lic, "特种设备使用登记证", None, Some(true));
        let y = self.year();
        self.tax(y - 1, "B");
    }

    /// Annual reports of the last `n` years (from the previous year back),
    /// not before the establishment.
    fn reports(&mut self, n: i32, employees: i64) {
        let y = self.year();
        let est_year = day::year_of(self.subj.established);
        for k in (1..=n).rev() {
            let year = y - k;
            if year < est_year || (k == 1 && self.skip_previous_report) {
                continue;
            }
            self.report(year, employees + i64::from(k));
        }
    }

    fn report(&mut self, year: i32, employees: i64) -> usize {
        let filed = self.upto(if year + 1 == self.year() {
            ymd(year + 1, 3, 16)
        } else {
            ymd(year + 1, 4, 20)
        });
        let filed = filed.max(self.subj.established);
        let i = self.rec(RecordKind::AnnualReport, Dept::SCJG, filed);
        self.recs[i]
            .set("year", V::I(i64::from(year)))
            .set("filed_on", V::D(filed))
            .set("employees", V::I(employees))
            .set(
                "revenue_cny",
                V::M(employees.max(1) as u64 * 230_000 * YUAN + 37),
            );
        i
    }

    fn tax(&mut self, year: i32, grade: &str) -> usize {
        let d = self.upto(ymd(year + 1, 4, 15));
        let i = self.rec(RecordKind::TaxRating, Dept::SWJ, d);
        self.recs[i]
            .set("year", V::I(i64::from(year)))
            .set("grade", grade);
        i
    }

    /// A long-established, well-capitalised small enterprise with a clean,
    /// rich record: the top of `yingkou-composite` and a 信易贷 candidate.
    fn excellent(&mut self) {
        self.subj.established = add_months(self.t, -144) - 11;
        self.subj.reg_cap = Some(5_000_000 * YUAN);
        self.subj.paid_in = Some(5_000_000 * YUAN);
        self.reports(5, 32);
        let y = self.year();
        for k in (1..=3).rev() {
            self.tax(y - k, "A");
        }
        self.licence(
            Dept::XZSP,
            self.t - 500,
            "排污许可证",
            Some(add_months(self.t - 500, 60) - 1),
            Some(true),
        );
        let h = self.rec(RecordKind::Honor, Dept::SCJG, self.t - 300);
        let valid_to = self.months(14);
        self.recs[h]
            .set("title", "守合同重信用企业")
            .set("level", "municipal")
            .set("valid_to", V::D(valid_to));
        self.inspection(Dept::SCJG, self.t - 200, "compliant");
        self.pledge("active");
    }

    fn pledge(&mut self, status: &str) -> usize {
        let i = self.rec(RecordKind::Commitment, Dept::XYB, self.t - 150);
        self.recs[i]
            .set("commitment_kind", "credit_pledge")
            .set("matter", "《信用承诺书》（信易贷）")
            .set("status", status);
        i
    }

    // ---------------------------------------------------------------- records

    fn rec(&mut self, kind: RecordKind, dept: Dept, date: Day) -> usize {
        self.recs.push(SRec {
            kind,
            dept,
            date,
            fields: Vec::new(),
            withdrawn: false,
            repaired_on: None,
        });
        self.recs.len() - 1
    }

    /// Marks a record as one that makes the rules true.
    fn key(&mut self, i: usize) -> usize {
        self.key.push(i);
        i
    }

    fn r(&mut self, i: usize) -> &mut SRec {
        &mut self.recs[i]
    }

    /// A general-procedure fine of 10,000 yuan without any keyword, fulfilled.
    fn pen(&mut self, dept: Dept, date: Day) -> usize {
        let (facts, basis, domain, prefix) = match dept {
            Dept::SCJG => (
                "当事人未按规定公示商品价格信息",
                "《明码标价和禁止价格欺诈规定》第二十一条",
                "market_order",
                "营市监处罚",
            ),
            Dept::GAJ => (
                "当事人未按规定登记住宿旅客身份信息",
                "《旅馆业治安管理办法》第十五条",
                "public_security",
                "营公（治）行罚决字",
            ),
            Dept::YJGL => (
                "当事人未按照规定对从业人员进行安全生产教育和培训",
                "《中华人民共和国安全生产法》第九十七条第（三）项",
                "production_safety",
                "（营）应急罚",
            ),
            Dept::ZJJ => (
                "当事人未按规定办理工程质量监督手续",
                "《建设工程质量管理条例》第五十六条",
                "construction",
                "营住建罚字",
            ),
            Dept::WJW => (
                "当事人公共场所卫生质量不符合国家卫生标准和要求",
                "《公共场所卫生管理条例实施细则》第三十六条",
                "health",
                "营卫罚",
            ),
            Dept::RFB => (
                "当事人人防工程维护管理不到位",
                "《辽宁省实施〈中华人民共和国人民防空法〉办法》第三十条",
                "renfang",
                "营人防罚",
            ),
            Dept::JTYS => (
                "当事人道路运输车辆未按规定进行维护和检测",
                "《道路运输车辆技术管理规定》第三十一条",
                "transport",
                "营交执罚",
            ),
            Dept::WLJ => (
                "当事人旅行社未与旅游者签订书面包价旅游合同",
                "《中华人民共和国旅游法》第九十六条第一款第（四）项",
                "culture_tourism",
                "营文旅罚",
            ),
            _ => (
                "当事人未按照规定的期限办理纳税申报",
                "《中华人民共和国税收征收管理法》第六十二条",
                "tax",
                "营税稽罚",
            ),
        };
        let i = self.rec(RecordKind::Penalty, dept, date);
        let year = day::year_of(date);
        let fulfilled = date + 15;
        let r = &mut self.recs[i];
        r.set("decision_no", format!("{prefix}〔{year}〕"))
            .set("procedure", "general")
            .set("sanctions", vec!["fine"])
            .set("fine_cny", V::M(10_000 * YUAN))
            .set("facts", format!("{facts}。"))
            .set("basis", basis)
            .set("domain", domain);
        if fulfilled <= self.t {
            self.recs[i].set("fulfilled_on", V::D(fulfilled));
        }
        self.key(i)
    }

    fn fine(&mut self, i: usize, cents: u64) {
        self.recs[i].set("fine_cny", V::M(cents));
    }

    fn sanctions(&mut self, i: usize, s: Vec<&'static str>) {
        if !s.contains(&"fine") {
            self.recs[i].unset("fine_cny");
        }
        self.recs[i].set("sanctions", s);
    }

    fn list(&mut self, dept: Dept, list: &str, listed: Day, removed: Option<Day>) -> usize {
        let i = self.rec(RecordKind::ListEntry, dept, listed);
        self.recs[i]
            .set("list", list)
            .set("listed_on", V::D(listed));
        if let Some(d) = removed {
            self.recs[i].set("removed_on", V::D(d));
        }
        self.key(i)
    }

    fn abnormal(&mut self, reason: &str, listed: Day, removed: Option<Day>) -> usize {
        let i = self.list(Dept::SCJG, "abnormal_operation", listed, removed);
        self.recs[i].set("reason", reason);
        i
    }

    fn accident(
        &mut self,
        dept: Dept,
        date: Day,
        grade: &str,
        domain: &str,
        criminal: bool,
    ) -> usize {
        let i = self.rec(RecordKind::Accident, dept, date);
        self.recs[i]
            .set("grade", grade)
            .set("domain", domain)
            .set("criminal_liability", criminal);
        self.key(i)
    }

    fn judgment(&mut self, date: Day, role: &str, cause: &str, refused: Option<bool>) -> usize {
        let i = self.rec(RecordKind::Judgment, Dept::ZJFY, date);
        let y = day::year_of(date);
        let case_no = format!("（{y}）辽0804民初{}号", 300 + self.recs.len());
        self.recs[i]
            .set("case_no", case_no)
            .set("role", role)
            .set("cause", cause)
            .set("amount_cny", V::M(186_400 * YUAN));
        if let Some(r) = refused {
            self.recs[i].set("refused_to_perform", r);
        }
        self.key(i)
    }

    fn bad_conduct(&mut self, dept: Dept, date: Day, domain: &str, category: &str) -> usize {
        let i = self.rec(RecordKind::BadConduct, dept, date);
        self.recs[i].set("domain", domain).set("category", category);
        self.key(i)
    }

    fn inspection(&mut self, dept: Dept, date: Day, outcome: &str) -> usize {
        let i = self.rec(RecordKind::Inspection, dept, date);
        let plan = format!("{}-SSJ-{}-02", dept.code(), day::year_of(date));
        self.recs[i]
            .set("outcome", outcome)
            .set("plan_id", plan)
            .set("items", vec!["年度报告公示信息"]);
        i
    }

    fn correction(&mut self, date: Day, outcome: &str) -> usize {
        let i = self.rec(RecordKind::CorrectionOrder, Dept::SCJG, date);
        self.recs[i]
            .set("due_on", V::D(date + 15))
            .set("outcome", outcome);
        self.key(i)
    }

    fn false_materials(&mut self, dept: Dept, date: Day, domain: Option<&str>) -> usize {
        let i = self.rec(RecordKind::FalseMaterials, dept, date);
        if let Some(d) = domain {
            self.recs[i].set("domain", d);
        }
        self.key(i)
    }

    fn licence(
        &mut self,
        dept: Dept,
        from: Day,
        title: &str,
        to: Option<Day>,
        in_use: Option<bool>,
    ) -> usize {
        let i = self.rec(RecordKind::License, dept, from);
        let no = format!("XK210804{:06}", self.recs.len() * 7 + 1000);
        self.recs[i]
            .set("license_no", no)
            .set("title", title)
            .set("valid_from", V::D(from));
        if let Some(t) = to {
            self.recs[i].set("valid_to", V::D(t));
        }
        if let Some(u) = in_use {
            self.recs[i].set("in_use", u);
        }
        i
    }

    fn rating(&mut self, scheme: &str, year: i32, grade: &str) -> usize {
        let d = self.upto(ymd(year + 1, 3, 15));
        let i = self.rec(RecordKind::Rating, Dept::RFB, d);
        self.recs[i]
            .set("scheme", scheme)
            .set("year", V::I(i64::from(year)))
            .set("grade", grade);
        self.key(i)
    }

    fn arrears(&mut self, dept: Dept, date: Day, kind: &str, cents: u64) -> usize {
        let i = self.rec(RecordKind::Arrears, dept, date);
        self.recs[i]
            .set("arrears_kind", kind)
            .set("amount_cny", V::M(cents));
        if kind != "tax" {
            self.recs[i].set("months", V::I(3));
        }
        self.key(i)
    }

    /// Makes the subject a government agency of the city (a bureau, code
    /// `11…`), with no registered capital, size or tax registration.
    fn agency(&mut self) {
        let s = &mut self.subj;
        s.ty = SubjType::GovAgency;
        s.reg_cap = None;
        s.paid_in = None;
        s.size = None;
        s.tax_registered = false;
        s.industry = "S9221";
        s.people.truncate(1);
        let bureau = names::BUREAUS[self.idx as usize % names::BUREAUS.len()];
        s.name = format!("营口市鲅鱼圈区{bureau}");
        self.w.uscc(
            self.idx,
            "11",
            "210804",
            OrgScheme::Numeric,
            None,
            &mut s.uscc,
        );
    }

    /// An item of the government-dishonesty ledger found on `date`.
    fn ledger(&mut self, date: Day, category: &'static str, cents: u64) -> usize {
        let i = self.rec(RecordKind::GovLedger, Dept::XYB, date);
        self.recs[i]
            .set("category", category)
            .set("amount_cny", V::M(cents))
            .set("description", "拖欠民营企业工程款");
        self.key(i)
    }

    fn financing(&mut self, date: Day) -> usize {
        let i = self.rec(RecordKind::FinancingNeed, Dept::JRJ, date);
        self.recs[i]
            .set("amount_cny", V::M(3_000_000 * YUAN))
            .set("purpose", "流动资金周转");
        self.key(i)
    }

    // ---------------------------------------------------------------- expectations

    /// `penalty-tier` output of record `i` if its tier is `tier`
    /// (`manual_review` is displayed with the `general` periods).
    fn tier(&mut self, i: usize, tier: &str) {
        self.record_expect = Some(i);
        let r = &self.recs[i];
        let restriction = match r.get("restriction_months") {
            Some(V::I(m)) => Some(*m as i32),
            _ => None,
        };
        let (until, repairable) = tier_window(r.date, tier, restriction);
        let counts = !r.withdrawn && r.repaired_on.is_none_or(|d| d > self.t);
        let visible = r.date <= self.t && self.t <= until && counts;
        self.expect.insert("tier".into(), json!(tier));
        self.expect
            .insert("display_until".into(), json!(day::fmt(until)));
        self.expect.insert(
            "repairable_from".into(),
            repairable.map_or(Value::Null, |d| json!(day::fmt(d))),
        );
        self.expect.insert("visible".into(), json!(visible));
    }

    /// `abnormal-trace-clear` output of entry `i`.
    fn clear(&mut self, i: usize, reason: &str) {
        self.record_expect = Some(i);
        let removed = match self.recs[i].get("removed_on") {
            Some(V::D(d)) => *d,
            _ => return,
        };
        let from = complete_from(removed, clear_period(reason));
        self.expect
            .insert("clearable_from".into(), json!(day::fmt(from)));
        self.expect
            .insert("clearable".into(), json!(self.t >= from));
    }
}

/// `(display_until, repairable_from)` of a penalty decided on `date`
/// (PRODUCT.md §4 `penalty-tier`).
fn tier_window(date: Day, tier: &str, restriction: Option<i32>) -> (Day, Option<Day>) {
    let regime_2025 = date >= ymd(2026, 4, 1);
    let (mut min, mut max) = match tier {
        "serious" => (if regime_2025 { 12 } else { 6 }, 36),
        "specific_serious" => (36, 36),
        _ => (3, 12),
    };
    if let Some(r) = restriction
        && r > min
    {
        min = r;
        max = max.max(r);
    }
    let until = add_months(date, max);
    let repairable = (tier != "specific_serious").then(|| complete_from(date, min));
    (until, repairable)
}

fn clear_period(reason: &str) -> i32 {
    match reason {
        "false_disclosure" | "unreachable" => 6,
        _ => 3,
    }
}

/// The earliest day `d` with `add(d, months) ≥ target`: a period that ends
/// on `target` (when any does), so that `d - 1` ends before it.
fn earliest_reaching(target: Day, months: i32) -> Day {
    let mut d = add_months(target, -months) - 4;
    while add_months(d, months) < target {
        d += 1;
    }
    d
}

/// The latest day `d` whose period of `months` is complete by `target`
/// (`complete_from(d, months) ≤ target`, equal when any day gives it), so
/// that from `d + 1` it is not yet complete.
fn latest_complete_by(target: Day, months: i32) -> Day {
    let mut d = add_months(target, -months) + 4;
    while complete_from(d, months) > target {
        d -= 1;
    }
    d
}

// ==================================================================== catalogue

const PT: &str = "penalty-tier";
const AH: &str = "anhui-class";
const TJ: &str = "tianjin-risk";
const YK: &str = "yingkou-composite";
const RF: &str = "renfang-lists";
const CB: &str = "construction-blacklist";
const AC: &str = "abnormal-trace-clear";
const XD: &str = "xinyidai-eligibility";
const GV: &str = "gov-integrity";

/// The score and grade a `gov-integrity` scenario is built to give.
fn gov_expect(c: &mut Sc, score: u32, grade: &str) -> bool {
    c.expect.insert("score".into(), json!(score));
    c.expect.insert("grade".into(), json!(grade));
    true
}

/// A plan of one installment of the whole amount due `due`, paid `paid`.
fn one_installment(c: &mut Sc, i: usize, due: Day, paid: Option<(Day, u64)>) {
    c.r(i)
        .set("installments", V::Plan(vec![(due, 100_000 * YUAN, paid)]));
}

/// Bands of the 527 document's first worked example (yuan): 情节一般 1万–5万,
/// 情节严重 5万–10万.
const BANDS: ((u64, u64), (u64, u64)) = (
    (10_000 * YUAN, 50_000 * YUAN),
    (50_000 * YUAN, 100_000 * YUAN),
);

fn banded(c: &mut Sc, fine: u64, tier: &str) -> bool {
    c.baggage();
    let i = c.pen(Dept::SCJG, c.ago(70));
    c.fine(i, fine);
    c.r(i).set("basis_bands", V::Bands(BANDS.0, BANDS.1));
    c.tier(i, tier);
    true
}

fn keyword(c: &mut Sc, dept: Dept, facts: &str, basis: Option<&str>) -> bool {
    c.baggage();
    let i = c.pen(dept, c.ago(80));
    c.r(i).set("facts", facts);
    if let Some(b) = basis {
        c.r(i).set("basis", b);
    }
    c.tier(i, "serious");
    true
}

fn general_on(c: &mut Sc, d: Day, tier: &str, authority: Option<&str>) -> bool {
    c.baggage();
    let i = c.pen(Dept::SCJG, d);
    if let Some(a) = authority {
        c.r(i).set("authority_tier", a);
    }
    c.tier(i, tier);
    true
}

fn n_penalties(c: &mut Sc, dates: &[Day], cents: u64) -> Vec<usize> {
    dates
        .iter()
        .enumerate()
        .map(|(k, &d)| {
            let dept = [Dept::SCJG, Dept::GAJ, Dept::YJGL][k % 3];
            let i = c.pen(dept, d);
            c.fine(i, cents);
            i
        })
        .collect()
}

fn four_recent(c: &Sc) -> Vec<Day> {
    vec![c.ago(30), c.ago(200), c.ago(400), c.ago(700)]
}

fn renfang(c: &mut Sc) {
    c.industry("renfang");
    c.baggage();
}

fn construction(c: &mut Sc) {
    c.industry("construction");
    c.baggage();
}

fn xinyidai(c: &mut Sc) {
    c.excellent();
    c.financing(c.ago(30));
}

fn abnormal_clear(c: &mut Sc, reason: &str, clearable: bool) -> bool {
    let last = latest_complete_by(c.t, clear_period(reason));
    let removed = if clearable { last } else { last + 1 };
    c.baggage();
    let i = c.abnormal(reason, removed - 200, Some(removed));
    c.clear(i, reason);
    true
}

#[rustfmt::skip]
fn catalogue() -> Vec<Scenario> {
    vec![
        // ---------------------------------------------------------------- penalty-tier
        sc(PT, "P1_non_repairable", &["P1"], "依法不得修复（non_repairable）的处罚：特定严重失信，公示3年，公示期间不予修复", |c| {
            c.baggage();
            let i = c.pen(Dept::SCJG, c.ago(45));
            c.r(i).set("non_repairable", true);
            c.tier(i, "specific_serious");
            true
        }),
        sc(PT, "P2_authority_serious", &["P2"], "处罚机关认定为严重失信（authority_tier = serious），文书无关键词", |c| general_on(c, c.ago(60), "serious", Some("serious"))),
        sc(PT, "P2_authority_general_over_keyword", &["P2"], "处罚机关认定为一般失信，虽事实含“情节严重”：P2 先于 P5", |c| {
            c.baggage();
            let i = c.pen(Dept::GAJ, c.ago(50));
            c.r(i).set("authority_tier", "general").set("facts", "当事人多次违反旅馆业管理规定，情节严重。");
            c.tier(i, "general");
            true
        }),
        sc(PT, "P3_warning_only_serious_text", &["P3"], "处罚结果仅为警告，文书含“情节严重”：按一般失信处理（527号文）", |c| {
            c.baggage();
            let i = c.pen(Dept::SCJG, c.ago(20));
            c.sanctions(i, vec!["warning"]);
            c.r(i).set("procedure", "simple").set("facts", "当事人未按规定明码标价，情节严重。").unset("fulfilled_on");
            c.tier(i, "general");
            true
        }),
        sc(PT, "P4_revoke_permit_food_drug", &["P4"], "食品药品领域吊销许可证：特定严重失信（依赖特定严重领域目录含 food_drug）", |c| {
            c.industry("H6210");
            c.baggage();
            let i = c.pen(Dept::SCJG, c.ago(100));
            c.sanctions(i, vec!["fine", "revoke_permit"]);
            c.r(i).set("domain", "food_drug").set("facts", "当事人超出许可范围经营，经责令改正拒不改正。");
            c.tier(i, "specific_serious");
            true
        }),
        twin(PT, "P7_revoke_permit_other_domain", &["P7"], &["P4"], "文化旅游领域吊销许可证，不在特定严重领域目录：一般失信（孪生对照 P4）", |c| {
            c.baggage();
            let i = c.pen(Dept::WLJ, c.ago(100));
            c.sanctions(i, vec!["fine", "revoke_permit"]);
            c.r(i).set("domain", "culture_tourism");
            c.tier(i, "general");
            true
        }),
        sc(PT, "P5_keyword_death", &["P5"], "违法事实含“死亡”：严重失信", |c| keyword(c, Dept::YJGL, "当事人对发生的生产安全事故负有责任，事故造成一人死亡。", None)),
        sc(PT, "P5_keyword_health", &["P5"], "违法事实含“损害人体健康”：严重失信", |c| keyword(c, Dept::SCJG, "当事人生产经营的食品中添加非食用物质，损害人体健康。", None)),
        sc(PT, "P5_keyword_market_order", &["P5"], "违法事实含“扰乱破坏市场秩序”：严重失信", |c| keyword(c, Dept::SCJG, "当事人串通投标，扰乱破坏市场秩序。", None)),
        sc(PT, "P5_keyword_defence_in_basis", &["P5"], "处罚依据含“国防相关”：严重失信", |c| keyword(c, Dept::RFB, "当事人擅自拆除人民防空工程设施。", Some("《中华人民共和国人民防空法》第四十九条（国防相关设施）"))),
        sc(PT, "P5_keyword_serious", &["P5"], "罚款且违法事实含“情节严重”：严重失信", |c| keyword(c, Dept::GAJ, "当事人经营场所多次发生治安问题，情节严重。", None)),
        sc(PT, "P6_serious_band", &["P6"], "裁量幅度：一般1万–5万、严重5万–10万，罚款8万只落在严重档：严重失信", |c| banded(c, 80_000 * YUAN, "serious")),
        sc(PT, "P6_general_band", &["P6"], "罚款3万只落在一般档：一般失信", |c| banded(c, 30_000 * YUAN, "general")),
        sc(PT, "P6_boundary_both_bands", &["P6"], "罚款恰为5万，同时落在两档（边界含本数）：待人工认定（manual_review），按一般失信期限公示", |c| banded(c, 50_000 * YUAN, "manual_review")),
        sc(PT, "P6_neither_band", &["P6"], "罚款15万不在任一档：待人工认定（manual_review）", |c| banded(c, 150_000 * YUAN, "manual_review")),
        sc(PT, "P6_just_above_boundary", &["P6"], "罚款50000.01元只落在严重档：严重失信（边界孪生）", |c| banded(c, 5_000_001, "serious")),
        sc(PT, "P6_just_below_boundary", &["P6"], "罚款49999.99元只落在一般档：一般失信（边界孪生）", |c| banded(c, 4_999_999, "general")),
        sc(PT, "P7_simple_small_fine", &["P7"], "简易程序200元罚款，无关键词：一般失信", |c| {
            c.baggage();
            let i = c.pen(Dept::GAJ, c.ago(10));
            c.fine(i, 200 * YUAN);
            c.r(i).set("procedure", "simple");
            c.tier(i, "general");
            true
        }),
        sc(PT, "P7_display_last_day", &["P7"], "一般失信最长公示1年，公示截止日恰为as_of：仍公示", |c| general_on(c, earliest_reaching(c.t, 12), "general", None)),
        sc(PT, "P7_display_ended_yesterday", &["P7"], "一般失信公示截止日为as_of前一日：不再公示（孪生）", |c| general_on(c, earliest_reaching(c.t, 12) - 1, "general", None)),
        sc(PT, "P2_serious_display_last_day", &["P2"], "严重失信最长公示3年，决定日恰为3年前：as_of为最后公示日", |c| general_on(c, earliest_reaching(c.t, 36), "serious", Some("serious"))),
        sc(PT, "P2_serious_display_ended", &["P2"], "严重失信决定日早一天：公示期已满（孪生）", |c| general_on(c, earliest_reaching(c.t, 36) - 1, "serious", Some("serious"))),
        sc(PT, "P7_repairable_from_asof", &["P7"], "一般失信最短公示3个月，as_of恰为可申请修复首日", |c| general_on(c, latest_complete_by(c.t, 3), "general", None)),
        sc(PT, "P7_repairable_from_tomorrow", &["P7"], "一般失信最短公示期明日才满（孪生）", |c| general_on(c, latest_complete_by(c.t, 3) + 1, "general", None)),
        sc(PT, "P2_restriction_12_months", &["P2"], "严重失信且限制期12个月长于最短期6个月：最短公示期为12个月", |c| {
            c.baggage();
            let i = c.pen(Dept::ZJJ, c.ago(200));
            c.sanctions(i, vec!["fine", "restrict_qualification"]);
            c.r(i).set("authority_tier", "serious").set("restriction_months", V::I(12));
            c.tier(i, "serious");
            true
        }),
        sc(PT, "P7_restriction_18_months", &["P7"], "一般失信且限制期18个月：最短与最长公示期均延至18个月", |c| {
            c.baggage();
            let i = c.pen(Dept::JTYS, c.ago(400));
            c.sanctions(i, vec!["fine", "restrict_qualification"]);
            c.r(i).set("restriction_months", V::I(18));
            c.tier(i, "general");
            true
        }),
        sc(PT, "P7_withdrawn", &["P7"], "已撤销（withdrawn）的处罚：不计入、不公示", |c| {
            c.baggage();
            let i = c.pen(Dept::SCJG, c.ago(40));
            c.r(i).withdrawn = true;
            c.tier(i, "general");
            true
        }),
        sc(PT, "P7_repaired_on_asof", &["P7"], "as_of当日信用修复完成：不再公示", |c| {
            c.baggage();
            let i = c.pen(Dept::SCJG, c.ago(200));
            c.r(i).repaired_on = Some(c.t);
            c.tier(i, "general");
            true
        }),
        sc(PT, "P2_regime_2019_last_day", &["P2"], "2026-03-31决定的严重失信：旧制度最短公示6个月", |c| {
            let d = ymd(2026, 3, 31);
            if c.t < ymd(2026, 4, 1) { return false; }
            general_on(c, d, "serious", Some("serious"))
        }),
        sc(PT, "P2_regime_2025_first_day", &["P2"], "2026-04-01起决定的严重失信适用《信用修复管理办法》（2025）：最短公示1年", |c| {
            let d = ymd(2026, 4, 1);
            if c.t < d { return false; }
            general_on(c, d, "serious", Some("serious"))
        }),
        sc(PT, "P5_regime_2025_keyword", &["P5"], "2026-04-01后决定、违法事实含“损害人体健康”：严重失信，最短公示1年", |c| {
            let d = ymd(2026, 5, 6);
            if c.t < d { return false; }
            c.baggage();
            let i = c.pen(Dept::SCJG, d);
            c.r(i).set("facts", "当事人销售的化妆品中检出禁用原料，损害人体健康。");
            c.tier(i, "serious");
            true
        }),

        // ---------------------------------------------------------------- anhui-class
        sc(AH, "S1_serious_violation", &["S1"], "现列严重违法失信名单", |c| { c.baggage(); c.list(Dept::SCJG, "serious_violation", c.ago(300), None); true }),
        sc(AH, "S1_major_tax_violation", &["S1"], "现列重大税收违法失信主体名单", |c| { c.baggage(); c.list(Dept::SWJ, "major_tax_violation", c.ago(200), None); true }),
        sc(AH, "S1_wage_arrears_blacklist", &["S1"], "现列拖欠农民工工资失信联合惩戒对象名单（黑名单类）", |c| { c.baggage(); c.list(Dept::RSJ, "wage_arrears_blacklist", c.ago(150), None); true }),
        twin(AH, "T1_blacklist_removed_on_asof", &["T1"], &["S1"], "严重违法失信名单于as_of当日移出：不再“现列”（孪生）", |c| { c.baggage(); c.list(Dept::SCJG, "serious_violation", c.ago(400), Some(c.t)); true }),
        sc(AH, "S1_blacklist_removed_tomorrow", &["S1"], "移出日为as_of次日：as_of当日仍在名单", |c| { c.baggage(); c.list(Dept::SCJG, "serious_violation", c.ago(400), Some(c.t + 1)); true }),
        sc(AH, "S2_five_general", &["S2"], "近三年一般程序处罚5条（五条以上含本数），罚没合计5万", |c| {
            c.baggage();
            let mut d = four_recent(c);
            d.push(c.ago(1000));
            n_penalties(c, &d, 10_000 * YUAN);
            true
        }),
        sc(AH, "S2_fifth_on_w3_start", &["S2"], "第5条处罚恰在3年前当日（W3含起点）", |c| {
            c.baggage();
            let mut d = four_recent(c);
            d.push(c.w3s());
            n_penalties(c, &d, 10_000 * YUAN);
            true
        }),
        twin(AH, "D2_fifth_before_w3", &["D2"], &["S2"], "第5条处罚早于3年前一日，不在W3：n_gp = 4（孪生）", |c| {
            c.baggage();
            let mut d = four_recent(c);
            d.push(c.w3s() - 1);
            n_penalties(c, &d, 10_000 * YUAN);
            true
        }),
        twin(AH, "D2_four_general", &["D2"], &["S2"], "近三年一般程序处罚4条：失信（n_gp = 4 与 5 的边界）", |c| {
            c.baggage();
            let d = four_recent(c);
            n_penalties(c, &d, 10_000 * YUAN);
            true
        }),
        twin(AH, "D2_five_one_simple", &["D2"], &["S2"], "5条处罚中1条为简易程序，不计入n_gp", |c| {
            c.baggage();
            let mut d = four_recent(c);
            d.push(c.ago(90));
            let ids = n_penalties(c, &d, 10_000 * YUAN);
            c.fine(ids[4], 200 * YUAN);
            c.r(ids[4]).set("procedure", "simple");
            true
        }),
        twin(AH, "D2_five_one_withdrawn", &["D2"], &["S2"], "5条处罚中1条已撤销，不计入", |c| {
            c.baggage();
            let mut d = four_recent(c);
            d.push(c.ago(90));
            let ids = n_penalties(c, &d, 10_000 * YUAN);
            c.r(ids[4]).withdrawn = true;
            true
        }),
        twin(AH, "D2_five_one_repaired", &["D2"], &["S2"], "5条处罚中1条已于as_of前完成信用修复，不计入", |c| {
            c.baggage();
            let mut d = four_recent(c);
            d.push(c.ago(500));
            let ids = n_penalties(c, &d, 10_000 * YUAN);
            c.r(ids[4]).repaired_on = Some(c.ago(5));
            true
        }),
        sc(AH, "S2_sum_over_500000", &["S2"], "1条一般程序处罚，罚款500000.01元：罚没累计超过50万", |c| {
            c.baggage();
            let i = c.pen(Dept::STHJ, c.ago(120));
            c.fine(i, 50_000_001);
            true
        }),
        twin(AH, "D2_sum_exactly_500000", &["D2"], &["S2"], "罚款30万+没收20万=50万整：不“超过”50万（孪生）", |c| {
            c.baggage();
            let i = c.pen(Dept::STHJ, c.ago(120));
            c.sanctions(i, vec!["fine", "confiscation"]);
            c.fine(i, 300_000 * YUAN);
            c.r(i).set("confiscation_cny", V::M(200_000 * YUAN));
            true
        }),
        sc(AH, "S2_sum_two_penalties", &["S2"], "2条处罚罚款250000与250000.01元，合计500000.01元", |c| {
            c.baggage();
            let a = c.pen(Dept::SCJG, c.ago(100));
            c.fine(a, 250_000 * YUAN);
            let b = c.pen(Dept::YJGL, c.ago(600));
            c.fine(b, 25_000_001);
            true
        }),
        sc(AH, "S3_suspend_business", &["S3"], "近三年受到责令停产停业处罚", |c| {
            c.baggage();
            let i = c.pen(Dept::SCJG, c.ago(200));
            c.sanctions(i, vec!["fine", "suspend_business"]);
            true
        }),
        twin(AH, "T1_suspend_before_w3", &["T1"], &["S3"], "责令停产停业处罚在3年前一日，不在W3（孪生）", |c| {
            c.baggage();
            let i = c.pen(Dept::SCJG, c.w3s() - 1);
            c.sanctions(i, vec!["fine", "suspend_business"]);
            true
        }),
        sc(AH, "S4_revoke_license", &["S4"], "被吊销营业执照", |c| {
            c.baggage();
            c.subj.status = Status::Revoked;
            let i = c.pen(Dept::SCJG, c.ago(100));
            c.sanctions(i, vec!["revoke_license"]);
            c.r(i).set("procedure", "general").unset("fulfilled_on");
            true
        }),
        sc(AH, "S4_revoke_permit", &["S4"], "被吊销许可证", |c| {
            c.baggage();
            let i = c.pen(Dept::WJW, c.ago(300));
            c.sanctions(i, vec!["fine", "revoke_permit"]);
            true
        }),
        sc(AH, "S5_dishonest_debtor", &["S5"], "主体本身现为失信被执行人", |c| { c.baggage(); c.list(Dept::ZJFY, "dishonest_debtor", c.ago(120), None); true }),
        sc(AH, "S5_removed_tomorrow", &["S5"], "失信被执行人名单移出日为as_of次日：仍为现列", |c| { c.baggage(); c.list(Dept::ZJFY, "dishonest_debtor", c.ago(500), Some(c.t + 1)); true }),
        twin(AH, "W3_debtor_removed_on_asof", &["W3"], &["S5"], "失信被执行人于as_of当日移出：不再现列，但与W3重叠", |c| { c.baggage(); c.list(Dept::ZJFY, "dishonest_debtor", c.ago(500), Some(c.t)); true }),
        sc(AH, "D1_not_disclosed", &["D1"], "现列经营异常名录：未在责令期限内公示", |c| { c.baggage(); c.abnormal("not_disclosed", c.ago(90), None); true }),
        sc(AH, "D1_false_disclosure", &["D1"], "现列经营异常名录：公示信息弄虚作假", |c| { c.baggage(); c.abnormal("false_disclosure", c.ago(90), None); true }),
        sc(AH, "D1_unreachable", &["D1"], "现列经营异常名录：通过登记住所无法联系", |c| { c.baggage(); c.abnormal("unreachable", c.ago(90), None); true }),
        sc(AH, "D2_two_general", &["D2"], "近三年一般程序处罚2条，罚没合计3.5万", |c| {
            c.baggage();
            let a = c.pen(Dept::SCJG, c.ago(60));
            c.fine(a, 20_000 * YUAN);
            let b = c.pen(Dept::GAJ, c.ago(500));
            c.fine(b, 15_000 * YUAN);
            true
        }),
        sc(AH, "D3_false_materials", &["D3"], "近三年提供虚假材料", |c| { c.baggage(); c.false_materials(Dept::XZSP, c.ago(400), None); true }),
        sc(AH, "D3_commitment_breached", &["D3"], "近三年告知承诺违诺", |c| {
            c.baggage();
            let i = c.rec(RecordKind::Commitment, Dept::XZSP, c.ago(300));
            let (due, breached) = (c.ago(270), c.ago(260));
            c.r(i).set("commitment_kind", "notify_commit").set("matter", "食品经营许可证核发")
                .set("due_on", V::D(due)).set("status", "breached").set("breached_on", V::D(breached));
            c.key(i);
            true
        }),
        twin(AH, "T1_false_materials_before_w3", &["T1"], &["D3"], "虚假材料在3年前一日（孪生）", |c| { c.baggage(); c.false_materials(Dept::XZSP, c.w3s() - 1, None); true }),
        sc(AH, "D4_correction_refused", &["D4"], "近三年拒不改正", |c| { c.baggage(); c.correction(c.ago(300), "refused"); true }),
        sc(AH, "D4_correction_overdue", &["D4"], "近三年逾期未改正", |c| { c.baggage(); c.correction(c.ago(300), "overdue"); true }),
        twin(AH, "T1_correction_corrected", &["T1"], &["D4"], "责令改正已按期改正（孪生）", |c| { c.baggage(); c.correction(c.ago(300), "corrected"); true }),
        sc(AH, "D5_inspection_refused", &["D5"], "近三年拒不配合检查", |c| { c.baggage(); let i = c.inspection(Dept::SCJG, c.ago(250), "refused"); c.key(i); true }),
        twin(AH, "T1_inspection_issues_found", &["T1"], &["D5"], "检查发现问题但未拒检（孪生）", |c| { c.baggage(); let i = c.inspection(Dept::SCJG, c.ago(250), "issues_found"); c.key(i); true }),
        sc(AH, "W1_abnormal_annual_report", &["W1"], "现因未按期年报列入经营异常名录", |c| { c.baggage(); c.abnormal("annual_report", c.ago(100), None); true }),
        twin(AH, "T1_abnormal_removed_on_asof", &["T1"], &["W1"], "异常名录于as_of当日移出（孪生）", |c| { c.baggage(); c.abnormal("annual_report", c.ago(300), Some(c.t)); true }),
        sc(AH, "W2_legal_representative", &["W2"], "法定代表人现为失信被执行人（person_role）", |c| { c.baggage(); let i = c.list(Dept::ZJFY, "dishonest_debtor", c.ago(200), None); c.r(i).set("person_role", "legal_representative"); true }),
        sc(AH, "W2_director", &["W2"], "董事现为失信被执行人", |c| { c.baggage(); let i = c.list(Dept::ZJFY, "dishonest_debtor", c.ago(200), None); c.r(i).set("person_role", "director"); true }),
        sc(AH, "W2_supervisor", &["W2"], "监事现为失信被执行人", |c| { c.baggage(); let i = c.list(Dept::ZJFY, "dishonest_debtor", c.ago(200), None); c.r(i).set("person_role", "supervisor"); true }),
        sc(AH, "W2_senior_manager", &["W2"], "高级管理人员现为失信被执行人", |c| { c.baggage(); let i = c.list(Dept::ZJFY, "dishonest_debtor", c.ago(200), None); c.r(i).set("person_role", "senior_manager"); true }),
        twin(AH, "T1_person_entry_removed", &["T1"], &["W2", "W3", "S5"], "法定代表人的失信被执行人记录已移出；人员记录只由W2判断（孪生）", |c| {
            c.baggage();
            let i = c.list(Dept::ZJFY, "dishonest_debtor", c.ago(400), Some(c.ago(10)));
            c.r(i).set("person_role", "legal_representative");
            true
        }),
        sc(AH, "W3_debtor_in_past", &["W3"], "主体本身曾为失信被执行人，在W3内移出", |c| { c.baggage(); c.list(Dept::ZJFY, "dishonest_debtor", c.months(-30), Some(c.months(-10))); true }),
        sc(AH, "W3_removed_day_after_w3_start", &["W3"], "移出日为W3起点次日：W3起点当日仍在名单，重叠", |c| { c.baggage(); c.list(Dept::ZJFY, "dishonest_debtor", c.months(-48), Some(c.w3s() + 1)); true }),
        twin(AH, "T1_removed_on_w3_start", &["T1"], &["W3"], "移出日恰为W3起点：起点当日已不在名单，不重叠（孪生）", |c| { c.baggage(); c.list(Dept::ZJFY, "dishonest_debtor", c.months(-48), Some(c.w3s())); true }),
        sc(AH, "W4_expired_unused_licence", &["W4"], "许可证有效期届满（valid_to < as_of）且不再从事许可事项", |c| {
            c.baggage();
            let i = c.licence(Dept::XZSP, c.months(-60), "食品经营许可证", Some(c.t - 1), Some(false));
            c.key(i);
            true
        }),
        twin(AH, "T1_licence_valid_to_asof", &["T1"], &["W4"], "许可证有效期至as_of当日：尚未届满（孪生）", |c| {
            c.baggage();
            let i = c.licence(Dept::XZSP, c.months(-60), "食品经营许可证", Some(c.t), Some(false));
            c.key(i);
            true
        }),
        twin(AH, "T1_expired_licence_in_use", &["T1"], &["W4"], "许可证已届满但 in_use = true（孪生）", |c| {
            c.baggage();
            let i = c.licence(Dept::XZSP, c.months(-60), "食品经营许可证", Some(c.t - 1), Some(true));
            c.key(i);
            true
        }),
        sc(AH, "W5_two_zero_reports", &["W5"], "最近两年年报从业人数均为0", |c| {
            let y = c.year();
            c.report(y - 3, 8);
            let a = c.report(y - 2, 0);
            let b = c.report(y - 1, 0);
            c.key(a);
            c.key(b);
            true
        }),
        twin(AH, "T1_latest_report_has_staff", &["T1"], &["W5"], "前年年报0人、去年年报3人（孪生）", |c| {
            let y = c.year();
            c.report(y - 3, 0);
            c.report(y - 2, 0);
            c.report(y - 1, 3);
            true
        }),
        twin(AH, "T1_zero_reports_not_consecutive", &["T1"], &["W5"], "0人年报不是最近两份（孪生）", |c| {
            let y = c.year();
            c.report(y - 3, 0);
            c.report(y - 2, 5);
            c.report(y - 1, 0);
            true
        }),
        sc(AH, "W6_paid_in_zero_two_years", &["W6"], "设立满两年（as_of为满期次日）且实缴资本为0", |c| {
            c.subj.established = latest_complete_by(c.t, 24);
            c.subj.paid_in = Some(0);
            c.baggage();
            true
        }),
        twin(AH, "T1_paid_in_zero_not_two_years", &["T1"], &["W6"], "实缴资本为0，设立两年于as_of当日届满，次日才“满”（孪生）", |c| {
            c.subj.established = latest_complete_by(c.t, 24) + 1;
            c.subj.paid_in = Some(0);
            c.baggage();
            true
        }),
        sc(AH, "T1_clean", &["T1"], "无任何不良信息的守信主体", |c| { c.baggage(); true }),
        sc(AH, "unclassified_bad_conduct_only", &["unclassified"], "仅有近三年行业不良行为记录：不属于各类，留待人工认定", |c| {
            c.industry("construction");
            c.baggage();
            c.bad_conduct(Dept::ZJJ, c.ago(100), "construction", "施工现场安全管理不到位");
            true
        }),
        twin(AH, "T1_bad_conduct_before_w3", &["T1"], &["unclassified"], "不良行为记录在3年前一日（孪生）", |c| {
            c.industry("construction");
            c.baggage();
            c.bad_conduct(Dept::ZJJ, c.w3s() - 1, "construction", "施工现场安全管理不到位");
            true
        }),

        // ---------------------------------------------------------------- tianjin-risk
        sc(TJ, "TS1_serious_violation", &["TS1"], "现列严重违法失信名单（黑）", |c| { c.baggage(); c.list(Dept::SCJG, "serious_violation", c.ago(300), None); true }),
        sc(TJ, "TS2_six_visible_penalties", &["TS2"], "公示中的非警告处罚6条（超过5条）", |c| {
            c.baggage();
            let d = [20, 60, 100, 150, 200, 250].map(|k| c.ago(k));
            n_penalties(c, &d, 2_000 * YUAN);
            true
        }),
        twin(TJ, "TD2_five_visible_penalties", &["TD2"], &["TS2"], "公示中的非警告处罚5条：仍为失信（红），与anhui不同", |c| {
            c.baggage();
            let d = [20, 60, 100, 150, 200].map(|k| c.ago(k));
            n_penalties(c, &d, 2_000 * YUAN);
            true
        }),
        twin(TJ, "TD2_sixth_display_ended", &["TD2"], &["TS2"], "第6条一般失信处罚公示期已于昨日届满，不计入（孪生）", |c| {
            let old = earliest_reaching(c.t, 12) - 1;
            c.baggage();
            let mut d: Vec<Day> = [20, 60, 100, 150, 200].map(|k| c.ago(k)).to_vec();
            d.push(old);
            n_penalties(c, &d, 2_000 * YUAN);
            true
        }),
        sc(TJ, "TS2_sixth_on_last_display_day", &["TS2"], "第6条处罚as_of为其最后公示日，仍计入", |c| {
            let old = earliest_reaching(c.t, 12);
            c.baggage();
            let mut d: Vec<Day> = [20, 60, 100, 150, 200].map(|k| c.ago(k)).to_vec();
            d.push(old);
            n_penalties(c, &d, 2_000 * YUAN);
            true
        }),
        sc(TJ, "TS2_sum_over_500000", &["TS2"], "公示中处罚罚款500000.01元", |c| {
            c.baggage();
            let i = c.pen(Dept::STHJ, c.ago(30));
            c.fine(i, 50_000_001);
            true
        }),
        twin(TJ, "TD2_sum_exactly_500000", &["TD2"], &["TS2"], "公示中处罚罚款恰为50万（孪生）", |c| {
            c.baggage();
            let i = c.pen(Dept::STHJ, c.ago(30));
            c.fine(i, 500_000 * YUAN);
            true
        }),
        sc(TJ, "TS3_suspend_visible", &["TS3"], "公示中的责令停产停业处罚", |c| {
            c.baggage();
            let i = c.pen(Dept::SCJG, c.ago(60));
            c.sanctions(i, vec!["fine", "suspend_business"]);
            true
        }),
        twin(TJ, "TG1_suspend_display_ended", &["TG1"], &["TS3"], "责令停产停业处罚（一般失信）公示期已届满，不再计入（孪生）", |c| {
            let old = earliest_reaching(c.t, 12) - 1;
            c.baggage();
            let i = c.pen(Dept::SCJG, old);
            c.sanctions(i, vec!["fine", "suspend_business"]);
            true
        }),
        sc(TJ, "TS4_major_accident_criminal", &["TS4"], "近三年安全生产重大事故并被追究刑事责任（另有事故处罚）", |c| {
            c.baggage();
            c.accident(Dept::YJGL, c.ago(400), "major", "production_safety", true);
            let i = c.pen(Dept::YJGL, c.ago(340));
            c.fine(i, 300_000 * YUAN);
            c.r(i).set("facts", "当事人对发生的重大生产安全事故负有责任，事故造成三人死亡。");
            true
        }),
        sc(TJ, "TS4_food_especially_major", &["TS4"], "近三年食品安全特别重大事故并被追究刑事责任", |c| {
            c.industry("H6210");
            c.baggage();
            c.accident(Dept::SCJG, c.ago(200), "especially_major", "food_safety", true);
            true
        }),
        twin(TJ, "TG1_major_accident_no_criminal", &["TG1"], &["TS4"], "重大事故但未追究刑事责任（孪生）", |c| { c.baggage(); c.accident(Dept::YJGL, c.ago(300), "major", "production_safety", false); true }),
        twin(TJ, "TG1_major_accident_other_domain", &["TG1"], &["TS4"], "重大事故在建设工程领域（非安全生产/食品安全）（孪生）", |c| { c.baggage(); c.accident(Dept::ZJJ, c.ago(300), "major", "construction", true); true }),
        twin(TJ, "TG1_major_accident_before_w3", &["TG1"], &["TS4"], "重大事故在3年前一日（孪生）", |c| { c.baggage(); c.accident(Dept::YJGL, c.w3s() - 1, "major", "production_safety", true); true }),
        sc(TJ, "TD1_abnormal_any_reason", &["TD1"], "现列经营异常名录（任何原因）", |c| { c.baggage(); c.abnormal("annual_report", c.ago(60), None); true }),
        sc(TJ, "TD2_two_penalties", &["TD2"], "公示中的非警告处罚2条", |c| {
            c.baggage();
            let d = [c.ago(30), c.ago(90)];
            n_penalties(c, &d, 5_000 * YUAN);
            true
        }),
        sc(TJ, "TW1_warning_only", &["TW1"], "公示中的处罚均为仅警告", |c| {
            c.baggage();
            let i = c.pen(Dept::SCJG, c.ago(30));
            c.sanctions(i, vec!["warning"]);
            c.r(i).set("procedure", "simple").unset("fulfilled_on");
            true
        }),
        twin(TJ, "TD2_warning_and_fine", &["TD2"], &["TW1"], "一条仅警告、一条罚款：不是“均为警告”（孪生）", |c| {
            c.baggage();
            let i = c.pen(Dept::SCJG, c.ago(30));
            c.sanctions(i, vec!["warning"]);
            c.r(i).set("procedure", "simple").unset("fulfilled_on");
            c.pen(Dept::GAJ, c.ago(90));
            true
        }),
        sc(TJ, "TW2_bad_conduct", &["TW2"], "近三年行业不良行为记录", |c| {
            c.industry("G5431");
            c.baggage();
            c.bad_conduct(Dept::JTYS, c.ago(300), "transport", "超限超载运输");
            true
        }),
        sc(TJ, "TG1_clean", &["TG1"], "无任何不良信息（绿）", |c| { c.baggage(); true }),

        // ---------------------------------------------------------------- yingkou-composite
        sc(YK, "V1_blacklist", &["V1"], "优质主体但现列黑名单类名单：一票否决为D", |c| { c.excellent(); c.list(Dept::RSJ, "wage_arrears_blacklist", c.ago(100), None); true }),
        sc(YK, "V1_dishonest_debtor", &["V1"], "优质主体但现为失信被执行人：一票否决为D", |c| { c.excellent(); c.list(Dept::ZJFY, "dishonest_debtor", c.ago(100), None); true }),
        twin(YK, "no_V1_person_role_debtor", &[], &["V1"], "法定代表人（非主体本身）为失信被执行人：V1不适用", |c| {
            c.excellent();
            let i = c.list(Dept::ZJFY, "dishonest_debtor", c.ago(100), None);
            c.r(i).set("person_role", "legal_representative");
            true
        }),
        sc(YK, "V2_latest_tax_D", &["V2"], "最近一次纳税信用等级为D：一票否决为D", |c| {
            c.excellent();
            let y = c.year();
            // the latest rating replaces the excellent profile's A of the same year
            let i = c.recs.iter().rposition(|r| r.kind == RecordKind::TaxRating).unwrap_or(0);
            c.r(i).set("grade", "D").set("year", V::I(i64::from(y - 1)));
            c.key(i);
            true
        }),
        twin(YK, "no_V2_old_D", &[], &["V2"], "前年纳税信用D、去年A：最近一次不是D（孪生）", |c| {
            c.excellent();
            let ratings: Vec<usize> = c.recs.iter().enumerate().filter(|(_, r)| r.kind == RecordKind::TaxRating).map(|(i, _)| i).collect();
            if let Some(&i) = ratings.get(ratings.len().saturating_sub(2)) {
                c.r(i).set("grade", "D");
            }
            true
        }),
        sc(YK, "V3_abnormal_caps_at_C", &["V3"], "优质主体但现列经营异常名录：最高为C", |c| { c.excellent(); c.abnormal("annual_report", c.ago(100), None); true }),
        sc(YK, "grade_A", &["A"], "成立12年、实缴充足、纳税A级、年报齐全、荣誉、无不良记录：按默认指标应为A", |c| { c.excellent(); true }),
        sc(YK, "grade_B", &["B"], "纳税B级，近三年1条一般处罚、1起作为被告的合同纠纷、1次欠缴电费：按默认指标设计为B", |c| {
            c.subj.established = add_months(c.t, -72);
            c.reports(4, 20);
            let y = c.year();
            c.tax(y - 2, "B");
            c.tax(y - 1, "B");
            c.licence(Dept::XZSP, c.ago(600), "特种设备使用登记证", None, Some(true));
            let i = c.pen(Dept::SCJG, c.ago(700));
            c.fine(i, 5_000 * YUAN);
            c.judgment(c.ago(550), "defendant", "contract", Some(false));
            c.arrears(Dept::GDGS, c.ago(360), "power", 3_260 * YUAN);
            true
        }),
        sc(YK, "grade_C", &["C"], "纳税C级，近三年3条处罚、逾期未改正、2起被告案件、欠缴社保与税款：按默认指标设计为C", |c| {
            c.subj.established = add_months(c.t, -60);
            c.subj.paid_in = Some(200_000 * YUAN);
            c.reports(3, 9);
            let y = c.year();
            c.tax(y - 2, "B");
            c.tax(y - 1, "C");
            let d = [c.ago(80), c.ago(300), c.ago(800)];
            n_penalties(c, &d, 20_000 * YUAN);
            c.correction(c.ago(200), "overdue");
            c.judgment(c.ago(150), "defendant", "sale_contract", Some(false));
            c.judgment(c.ago(420), "defendant", "labor_dispute", Some(false));
            c.arrears(Dept::SBZX, c.ago(100), "social_insurance", 48_300 * YUAN);
            c.arrears(Dept::SWJ, c.ago(250), "tax", 26_500 * YUAN);
            true
        }),
        sc(YK, "grade_D_without_veto", &["D"], "无一票否决项，但纳税C级、4条处罚（含严重失信）、拒检、拒不履行判决、欠缴、事故、虚假材料、违诺：按默认指标设计为D", |c| {
            c.subj.established = add_months(c.t, -40);
            c.subj.paid_in = Some(0);
            c.subj.size = Some("micro");
            c.reports(2, 3);
            let y = c.year();
            c.tax(y - 1, "C");
            let d = [c.ago(40), c.ago(160), c.ago(330), c.ago(600)];
            let ids = n_penalties(c, &d, 50_000 * YUAN);
            c.r(ids[0]).set("facts", "当事人销售不合格产品，损害人体健康。");
            let i = c.inspection(Dept::SCJG, c.ago(210), "refused");
            c.key(i);
            c.judgment(c.ago(190), "defendant", "loan", Some(true));
            c.judgment(c.ago(390), "defendant", "contract", Some(true));
            c.arrears(Dept::SWJ, c.ago(90), "tax", 186_000 * YUAN);
            c.arrears(Dept::SBZX, c.ago(120), "social_insurance", 92_000 * YUAN);
            c.arrears(Dept::GDGS, c.ago(30), "power", 18_000 * YUAN);
            c.accident(Dept::YJGL, c.ago(260), "general", "production_safety", false);
            c.false_materials(Dept::XZSP, c.ago(500), None);
            let k = c.rec(RecordKind::Commitment, Dept::XZSP, c.ago(400));
            let (due, breached) = (c.ago(370), c.ago(360));
            c.r(k).set("commitment_kind", "missing_materials").set("matter", "工业产品生产许可证新办")
                .set("due_on", V::D(due)).set("status", "breached").set("breached_on", V::D(breached));
            c.key(k);
            true
        }),

        // ---------------------------------------------------------------- renfang-lists
        sc(RF, "RB1_two_accidents", &["RB1"], "近12个月发生2起事故：人防黑名单", |c| {
            renfang(c);
            c.accident(Dept::YJGL, c.ago(60), "general", "renfang", false);
            c.accident(Dept::YJGL, c.ago(200), "general", "renfang", false);
            true
        }),
        twin(RF, "none_second_accident_before_m12", &[], &["RB1", "RR1"], "第2起事故在12个月前一日：不满足RB1；有不良记录也不入红名单（孪生）", |c| {
            renfang(c);
            c.accident(Dept::YJGL, c.ago(60), "general", "renfang", false);
            c.accident(Dept::YJGL, c.m12s() - 1, "general", "renfang", false);
            true
        }),
        sc(RF, "RB2_serious_penalty", &["RB2", "RB5"], "近12个月受严重失信处罚（同时满足RB5任一处罚）", |c| {
            renfang(c);
            let i = c.pen(Dept::RFB, c.ago(100));
            c.r(i).set("authority_tier", "serious");
            true
        }),
        sc(RF, "RB3_three_renfang_bad_conduct", &["RB3"], "近12个月3条人防领域不良行为记录", |c| {
            renfang(c);
            for k in [30, 120, 250] {
                c.bad_conduct(Dept::RFB, c.ago(k), "renfang", "人防工程质量问题");
            }
            true
        }),
        twin(RF, "none_two_renfang_bad_conduct", &[], &["RB3", "RR1"], "近12个月仅2条人防领域不良行为（孪生）", |c| {
            renfang(c);
            for k in [30, 120] {
                c.bad_conduct(Dept::RFB, c.ago(k), "renfang", "人防工程质量问题");
            }
            true
        }),
        twin(RF, "none_three_bad_conduct_mixed_domain", &[], &["RB3", "RR1"], "3条不良行为中1条属建设工程领域（孪生）", |c| {
            renfang(c);
            for k in [30, 120] {
                c.bad_conduct(Dept::RFB, c.ago(k), "renfang", "人防设备安装不规范");
            }
            c.bad_conduct(Dept::ZJJ, c.ago(250), "construction", "施工现场安全管理不到位");
            true
        }),
        sc(RF, "RB4_inspection_refused", &["RB4"], "近12个月拒不配合检查", |c| { renfang(c); let i = c.inspection(Dept::YJGL, c.ago(50), "refused"); c.key(i); true }),
        sc(RF, "RB5_judgment_defendant", &["RB5"], "近12个月作为被告的判决", |c| { renfang(c); c.judgment(c.ago(80), "defendant", "contract", Some(false)); true }),
        sc(RF, "RB5_general_penalty", &["RB5"], "近12个月一条一般失信处罚", |c| { renfang(c); c.pen(Dept::RFB, c.ago(150)); true }),
        twin(RF, "RR1_plaintiff_only", &["RR1"], &["RB5"], "仅作为原告的判决：不是不良记录，成立满三年：人防红名单", |c| { renfang(c); c.judgment(c.ago(80), "plaintiff", "contract", None); true }),
        sc(RF, "RR1_three_years_complete_today", &["RR1"], "成立三年于as_of前一日届满（as_of起“满三年”）且无不良记录", |c| {
            c.subj.established = latest_complete_by(c.t, 36);
            renfang(c);
            true
        }),
        twin(RF, "none_three_years_not_complete", &[], &["RR1"], "成立三年于as_of当日届满，次日才满（孪生）", |c| {
            c.subj.established = latest_complete_by(c.t, 36) + 1;
            renfang(c);
            true
        }),
        sc(RF, "RR1_adverse_before_w3", &["RR1"], "被告判决在3年前一日：W3内无不良记录", |c| { renfang(c); c.judgment(c.w3s() - 1, "defendant", "contract", Some(false)); true }),
        twin(RF, "none_adverse_on_w3_start", &[], &["RR1", "RB5"], "被告判决恰在W3起点（不在M12内）：不入红也不入黑（孪生）", |c| { renfang(c); c.judgment(c.w3s(), "defendant", "contract", Some(false)); true }),
        sc(RF, "RR2_three_A_ratings", &["RR2"], "前三年人防信用评价均为A（另有20个月前的被告判决，RR1不成立）", |c| {
            renfang(c);
            c.judgment(c.ago(600), "defendant", "contract", Some(false));
            let y = c.year();
            for k in (1..=3).rev() {
                c.rating("renfang", y - k, "A");
            }
            true
        }),
        twin(RF, "none_ratings_A_A_B", &[], &["RR2", "RR1"], "前三年评价A、A、B（孪生）", |c| {
            renfang(c);
            c.judgment(c.ago(600), "defendant", "contract", Some(false));
            let y = c.year();
            c.rating("renfang", y - 3, "A");
            c.rating("renfang", y - 2, "A");
            c.rating("renfang", y - 1, "B");
            true
        }),
        sc(RF, "RR1_RR2_both", &["RR1", "RR2"], "无不良记录且前三年评价均为A", |c| {
            renfang(c);
            let y = c.year();
            for k in (1..=3).rev() {
                c.rating("renfang", y - k, "A");
            }
            true
        }),
        sc(RF, "RB4_black_over_red", &["RB4"], "评价连续A但近12个月拒检：黑名单优先", |c| {
            renfang(c);
            let y = c.year();
            for k in (1..=3).rev() {
                c.rating("renfang", y - k, "A");
            }
            let i = c.inspection(Dept::YJGL, c.ago(30), "refused");
            c.key(i);
            true
        }),

        // ---------------------------------------------------------------- construction-blacklist
        sc(CB, "CB1_false_materials_construction", &["CB1"], "建设工程领域提供虚假材料", |c| { construction(c); c.false_materials(Dept::ZJJ, c.ago(200), Some("construction")); true }),
        twin(CB, "none_false_materials_other_domain", &[], &["CB1"], "虚假材料不属建设工程领域（孪生）", |c| { construction(c); c.false_materials(Dept::XZSP, c.ago(200), None); true }),
        sc(CB, "CB2_subcontracting", &["CB2"], "因转包/违法分包受到行政处罚", |c| {
            construction(c);
            let i = c.pen(Dept::ZJJ, c.ago(150));
            c.fine(i, 100_000 * YUAN);
            c.r(i).set("violation_tags", vec!["subcontracting"]).set("facts", "当事人将承包的工程违法分包。");
            true
        }),
        sc(CB, "CB2_lending_qualification", &["CB2"], "因出借资质受到行政处罚", |c| {
            construction(c);
            let i = c.pen(Dept::ZJJ, c.ago(150));
            c.fine(i, 80_000 * YUAN);
            c.r(i).set("violation_tags", vec!["lending_qualification"]).set("facts", "当事人允许其他单位以本单位名义承揽工程。");
            true
        }),
        twin(CB, "none_tagged_penalty_withdrawn", &[], &["CB2"], "转包处罚已撤销，不计入（孪生）", |c| {
            construction(c);
            let i = c.pen(Dept::ZJJ, c.ago(150));
            c.r(i).set("violation_tags", vec!["subcontracting"]);
            c.r(i).withdrawn = true;
            true
        }),
        sc(CB, "CB3_major_accident", &["CB3"], "发生重大工程质量安全事故并受到行政处罚", |c| {
            construction(c);
            c.accident(Dept::ZJJ, c.ago(300), "major", "construction", true);
            let i = c.pen(Dept::ZJJ, c.ago(270));
            c.fine(i, 400_000 * YUAN);
            c.r(i).set("facts", "当事人对发生的重大工程质量安全事故负有责任。");
            true
        }),
        twin(CB, "none_major_accident_without_penalty", &[], &["CB3"], "重大事故但无行政处罚（孪生）", |c| { construction(c); c.accident(Dept::ZJJ, c.ago(300), "major", "construction", false); true }),
        sc(CB, "CB3_two_relatively_large_11_months", &["CB3"], "两起较大事故相隔11个月（1年内），均受处罚", |c| {
            construction(c);
            let a2 = c.ago(60);
            let a1 = add_months(a2, -11);
            for a in [a1, a2] {
                c.accident(Dept::ZJJ, a, "relatively_large", "construction", false);
                let i = c.pen(Dept::ZJJ, a + 25);
                c.fine(i, 200_000 * YUAN);
                c.r(i).set("facts", "当事人对发生的较大工程质量安全事故负有责任。");
            }
            true
        }),
        twin(CB, "none_two_relatively_large_13_months", &[], &["CB3"], "两起较大事故相隔13个月（孪生）", |c| {
            construction(c);
            let a2 = c.ago(60);
            let a1 = add_months(a2, -13);
            for a in [a1, a2] {
                c.accident(Dept::ZJJ, a, "relatively_large", "construction", false);
                let i = c.pen(Dept::ZJJ, a + 25);
                c.fine(i, 200_000 * YUAN);
                c.r(i).set("facts", "当事人对发生的较大工程质量安全事故负有责任。");
            }
            true
        }),
        sc(CB, "CB3_egregious_relatively_large", &["CB3"], "一起性质恶劣的较大事故并受处罚", |c| {
            construction(c);
            let a = c.accident(Dept::ZJJ, c.ago(200), "relatively_large", "construction", false);
            c.r(a).set("egregious", true);
            let i = c.pen(Dept::ZJJ, c.ago(170));
            c.fine(i, 300_000 * YUAN);
            c.r(i).set("facts", "当事人对发生的较大工程质量安全事故负有责任，社会影响恶劣。");
            true
        }),
        sc(CB, "CB4_payment_arrears_refused", &["CB4"], "法院判决拖欠工程款且拒不履行", |c| { construction(c); c.judgment(c.ago(200), "defendant", "construction_payment_arrears", Some(true)); true }),
        twin(CB, "none_payment_arrears_performed", &[], &["CB4"], "拖欠工程款判决已履行（孪生）", |c| { construction(c); c.judgment(c.ago(200), "defendant", "construction_payment_arrears", Some(false)); true }),

        // ---------------------------------------------------------------- abnormal-trace-clear
        sc(AC, "annual_report_clearable", &["clearable"], "未按期年报移出满3个月，as_of恰为可清零首日", |c| abnormal_clear(c, "annual_report", true)),
        sc(AC, "annual_report_not_yet", &[], "未按期年报移出，明日才满3个月（孪生）", |c| abnormal_clear(c, "annual_report", false)),
        sc(AC, "not_disclosed_clearable", &["clearable"], "未在责令期限内公示，移出满3个月", |c| abnormal_clear(c, "not_disclosed", true)),
        sc(AC, "not_disclosed_not_yet", &[], "未在责令期限内公示，明日才满3个月（孪生）", |c| abnormal_clear(c, "not_disclosed", false)),
        sc(AC, "false_disclosure_clearable", &["clearable"], "公示信息弄虚作假，移出满6个月", |c| abnormal_clear(c, "false_disclosure", true)),
        sc(AC, "false_disclosure_not_yet", &[], "公示信息弄虚作假，明日才满6个月（孪生）", |c| abnormal_clear(c, "false_disclosure", false)),
        sc(AC, "unreachable_clearable", &["clearable"], "通过登记住所无法联系，移出满6个月", |c| abnormal_clear(c, "unreachable", true)),
        sc(AC, "unreachable_not_yet", &[], "通过登记住所无法联系，明日才满6个月（孪生）", |c| abnormal_clear(c, "unreachable", false)),
        sc(AC, "current_entry_no_line", &[], "仍在名录中的条目不产生结果行", |c| {
            c.baggage();
            let i = c.abnormal("unreachable", c.ago(100), None);
            c.record_expect = Some(i);
            c.expect.insert("line".into(), json!(false));
            true
        }),

        // ---------------------------------------------------------------- xinyidai-eligibility
        sc(XD, "eligible", &[], "小型企业、综合评价A、守信、正常经营且上年年报已报、近期融资需求、有效信用承诺：符合全部6项", |c| { xinyidai(c); true }),
        sc(XD, "X1_large_enterprise", &["X1"], "大型企业，不属中小微", |c| {
            c.subj.size = Some("large");
            c.subj.reg_cap = Some(200_000_000 * YUAN);
            xinyidai(c);
            true
        }),
        sc(XD, "X2_restricted_industry", &["X2"], "行业属限制类（默认限制目录含 C2521 炼焦）", |c| { c.industry("C2521"); xinyidai(c); true }),
        sc(XD, "X3_anhui_dishonest", &["X3"], "近三年2条一般程序处罚：anhui失信", |c| {
            xinyidai(c);
            let d = [c.ago(400), c.ago(500)];
            n_penalties(c, &d, 5_000 * YUAN);
            true
        }),
        sc(XD, "X3_tax_D_grade_D", &["X3"], "最近纳税信用D：综合评价一票否决为D", |c| {
            xinyidai(c);
            let i = c.recs.iter().rposition(|r| r.kind == RecordKind::TaxRating).unwrap_or(0);
            c.r(i).set("grade", "D");
            c.key(i);
            true
        }),
        sc(XD, "X4_previous_year_report_missing", &["X4"], "上一年度年报未报送（最近年报为前年）", |c| {
            c.skip_previous_report = true;
            xinyidai(c);
            true
        }),
        sc(XD, "X4_moved_out", &["X4"], "登记状态为迁出，非存续", |c| { xinyidai(c); c.subj.status = Status::MovedOut; true }),
        sc(XD, "X3_X4_abnormal", &["X3", "X4"], "现列经营异常名录：X4不满足，综合评价最高C使X3也不满足", |c| { xinyidai(c); c.abnormal("annual_report", c.ago(100), None); true }),
        sc(XD, "X5_financing_need_too_old", &["X5"], "融资需求早于6个月前一日", |c| {
            c.excellent();
            c.financing(c.months(-6) - 1);
            true
        }),
        sc(XD, "eligible_financing_on_6_month_boundary", &[], "融资需求恰在6个月前当日（含本数）：符合（孪生）", |c| {
            c.excellent();
            c.financing(c.months(-6));
            true
        }),
        sc(XD, "X6_pledge_fulfilled", &["X6"], "信用承诺已履行完毕，无有效信用承诺", |c| {
            xinyidai(c);
            let i = c.recs.iter().rposition(|r| r.kind == RecordKind::Commitment).unwrap_or(0);
            c.r(i).set("status", "fulfilled");
            true
        }),
        sc(XD, "X6_only_notify_commit", &["X6"], "仅有告知承诺审批承诺，不是信用承诺书", |c| {
            xinyidai(c);
            let i = c.recs.iter().rposition(|r| r.kind == RecordKind::Commitment).unwrap_or(0);
            c.r(i).set("commitment_kind", "notify_commit").set("matter", "食品经营许可证核发");
            true
        }),

        // ---------------------------------------------------------------- gov-integrity
        sc(GV, "clean_agency", &[], "政府机构台账无问题：100分A级", |c| { c.agency(); gov_expect(c, 100, "A") }),
        sc(GV, "GI1_stale_91_days", &["GI1", "GI3"], "问题认定于91天前、未办结且无还款计划：GI1扣15分，12个月内认定GI3扣5分", |c| {
            c.agency();
            c.ledger(c.ago(91), "arrears", 100_000 * YUAN);
            gov_expect(c, 80, "B")
        }),
        twin(GV, "stale_exactly_90_days", &["GI3"], &[], "问题认定恰在90天前（超过90天才扣分）：仅GI3扣5分（孪生）", |c| {
            c.agency();
            c.ledger(c.ago(90), "arrears", 100_000 * YUAN);
            gov_expect(c, 95, "A")
        }),
        sc(GV, "GI2_paid_a_day_late", &["GI2", "GI3"], "12个月内到期的分期晚一天足额偿还：GI2扣5分", |c| {
            c.agency();
            let i = c.ledger(c.ago(200), "contract_default", 100_000 * YUAN);
            one_installment(c, i, c.ago(30), Some((c.ago(29), 100_000 * YUAN)));
            gov_expect(c, 90, "A")
        }),
        sc(GV, "GI2_paid_short", &["GI2", "GI3"], "分期按期偿还但少付1分钱：GI2扣5分", |c| {
            c.agency();
            let i = c.ledger(c.ago(200), "arrears", 100_000 * YUAN);
            one_installment(c, i, c.ago(30), Some((c.ago(30), 100_000 * YUAN - 1)));
            gov_expect(c, 90, "A")
        }),
        twin(GV, "installment_due_today_unpaid", &["GI3"], &[], "分期于as_of当日到期尚未偿还：未逾期，不扣GI2（孪生）", |c| {
            c.agency();
            let i = c.ledger(c.ago(200), "arrears", 100_000 * YUAN);
            one_installment(c, i, c.t, None);
            gov_expect(c, 95, "A")
        }),
        sc(GV, "GI4_legacy_debt_3_years_complete", &["GI4"], "新官不理旧账：未办结的旧账自认定日起满3年（当日满）：GI4扣10分", |c| {
            c.agency();
            let found = latest_complete_by(c.t, 36);
            let i = c.ledger(found, "legacy_debt", 100_000 * YUAN);
            // A plan paid on time long ago: no GI1, no GI2.
            one_installment(c, i, found + 60, Some((found + 60, 100_000 * YUAN)));
            gov_expect(c, 90, "A")
        }),
        twin(GV, "legacy_debt_3_years_not_complete", &[], &[], "旧账认定次日起算，as_of时尚未满3年：不扣GI4（孪生）", |c| {
            c.agency();
            let found = latest_complete_by(c.t, 36) + 1;
            let i = c.ledger(found, "legacy_debt", 100_000 * YUAN);
            one_installment(c, i, found + 60, Some((found + 60, 100_000 * YUAN)));
            gov_expect(c, 100, "A")
        }),
        sc(GV, "GV1_agency_dishonest_debtor", &["GV1"], "政府机构本身现为失信被执行人：等级D，与得分无关", |c| {
            c.agency();
            c.list(Dept::ZJFY, "dishonest_debtor", c.ago(120), None);
            gov_expect(c, 100, "D")
        }),
        sc(GV, "score_floor_zero", &["GI1", "GI2", "GI3", "GI4"], "扣分合计超过100分：得分不低于0", |c| {
            c.agency();
            // Three stale items without a plan (GI1 45), six late
            // installments (GI2 30), four items found in M12 (GI3 20), an
            // old debt unsettled for more than 3 years (GI4: the 5 left).
            for k in 0..3 {
                c.ledger(c.ago(100 + k), "arrears", 100_000 * YUAN);
            }
            let i = c.ledger(c.ago(300), "contract_default", 600_000 * YUAN);
            let plan = (0..6)
                .map(|k| (c.ago(40 + 10 * k), 100_000 * YUAN, None))
                .collect();
            c.r(i).set("installments", V::Plan(plan));
            let old = c.months(-40);
            let j = c.ledger(old, "legacy_debt", 100_000 * YUAN);
            one_installment(c, j, old + 30, Some((old + 30, 100_000 * YUAN)));
            gov_expect(c, 0, "D")
        }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::day::fmt;

    #[test]
    fn windows_follow_the_spec() {
        let d = ymd(2026, 3, 31);
        let (until, rep) = tier_window(d, "serious", None);
        assert_eq!(fmt(until), "2029-03-31");
        assert_eq!(fmt(rep.unwrap()), "2026-10-01");
        let (_, rep) = tier_window(ymd(2026, 4, 1), "serious", None);
        assert_eq!(fmt(rep.unwrap()), "2027-04-02");
        let (until, rep) = tier_window(ymd(2025, 1, 10), "general", Some(18));
        assert_eq!(fmt(until), "2026-07-10");
        assert_eq!(fmt(rep.unwrap()), "2026-07-11");
        assert!(tier_window(d, "specific_serious", Some(60)).1.is_none());
        assert_eq!(fmt(earliest_reaching(ymd(2026, 10, 31), 12)), "2025-10-31");
        assert_eq!(fmt(latest_complete_by(ymd(2026, 10, 31), 24)), "2024-10-30");
        // 2021-02-28 is add(2020-11-28..30, 3 months): the earliest reaching it is 11-28
        assert_eq!(fmt(earliest_reaching(ymd(2021, 2, 28), 3)), "2020-11-28");
        // no period of 6 months from April ends on October 31: the boundary is 04-30 / 05-01
        assert_eq!(fmt(latest_complete_by(ymd(2026, 11, 1), 6)), "2026-04-30");
        assert_eq!(fmt(complete_from(ymd(2026, 5, 1), 6)), "2026-11-02");
    }

    #[test]
    fn every_scenario_builds_for_the_default_date() {
        let w = World::new(3, crate::default_reference_date());
        let plan = Plan::new(&w, 10_000);
        assert_eq!(plan.available(), catalogue().len());
        let cases: std::collections::HashSet<&str> = catalogue().iter().map(|s| s.case).collect();
        assert_eq!(cases.len(), catalogue().len(), "case names are unique");
    }
}
