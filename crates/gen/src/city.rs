//! The random city: subjects and their records, one subject at a time.
//!
//! # Distributions (per 1,000 subjects, defaults)
//!
//! Subject types follow a free-trade-zone registry: 600 enterprises (USCC
//! prefix `91`), 330 individual businesses (`92`), 30 farmer co-operatives
//! (`93`), 18 social organisations (`51` 社会团体 / `52` 民办非企业单位), 15 public
//! institutions (`12`) and 7 government agencies (`11`, for 政务诚信). About
//! 52 % are registered in 鲅鱼圈区 (210804, where the FTZ lies), the rest in the
//! other Yingkou districts (210802, 210803, 210811, 210881, 210882, 210800)
//! and ~3 % elsewhere in Liaoning. 2 in 1,000 random subjects carry a USCC
//! whose check character is deliberately wrong (well-formed: imported with a
//! `uscc_check` warning).
//!
//! Every subject draws a *risk* level (0: 72 %, 1: 18 %, 2: 7 %, 3: 3 %) that
//! drives its adverse records, so that penalties are skewed: most subjects have
//! none, a few have many. About 12 % of active market subjects are *dormant*
//! (no annual report for the last two years or more); with those not
//! registered for tax and those no longer active, roughly half of the registry
//! is outside the random-inspection pool, as in seed 001 case 17 (8,800 → ~4,000).
//!
//! Records average about 7 per subject; the measured mix of a 10,000-subject
//! city is in the crate's tests and in the report of the generator.

use std::fmt::Write as _;

use xinyong_core::catalog::RecordKind;
use xinyong_core::uscc::{ALPHABET, compute_check_char, compute_org_check_char};

use crate::Date;
use crate::day::{self, Day, Days, add_months, year_of, ymd};
use crate::names::{self, INDUSTRIES, REGIONS, Sector};
use crate::out::{Dept, Obj, Records, Sink, push_json_str};
use crate::rng::{Rng, mix64};
use crate::tables::{
    ACCIDENT_CONSTRUCTION, ACCIDENT_FOOD, ACCIDENT_SAFETY_DEATH, ACCIDENT_SAFETY_MINOR,
    CONSTRUCTION_BAD, GOV_MATTERS, HONORS, LICENCES, MEDICAL_BAD, NOTIFY_MATTERS, PENALTIES,
    PENALTY_DEPTS, PLEDGE_MATTERS, PenTpl, RENFANG_BAD, REVOKE_LICENSE, TRANSPORT_BAD, dec_prefix,
    inspection_items, list_reason, sector_boost,
};

/// First day of the city's record history.
pub(crate) const HISTORY_START: (i32, i8, i8) = (2018, 1, 1);
/// Annual reports of this many past years are on the platform.
const REPORT_YEARS: i32 = 5;
/// Tax and sector ratings of this many past years are on the platform.
const RATING_YEARS: i32 = 4;

/// Subject types of INTERCHANGE.md §1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SubjType {
    Enterprise,
    Individual,
    Coop,
    SocialOrg,
    PublicInst,
    GovAgency,
}

impl SubjType {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SubjType::Enterprise => "enterprise",
            SubjType::Individual => "individual_business",
            SubjType::Coop => "farmer_coop",
            SubjType::SocialOrg => "social_org",
            SubjType::PublicInst => "public_institution",
            SubjType::GovAgency => "government_agency",
        }
    }

    fn market(self) -> bool {
        matches!(
            self,
            SubjType::Enterprise | SubjType::Individual | SubjType::Coop
        )
    }
}

/// Registration status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Active,
    Revoked,
    Cancelled,
    MovedOut,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Revoked => "revoked",
            Status::Cancelled => "cancelled",
            Status::MovedOut => "moved_out",
        }
    }
}

/// How the 9-character organisation code (positions 9–17) is formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OrgScheme {
    /// `MA` + 6 characters (codes issued by market regulators since 2015).
    Ma,
    /// `MJ` + 6 characters (civil-affairs registrations).
    Mj,
    /// 8 digits (legacy GB 11714 codes carried into the USCC).
    Numeric,
}

/// One person of a subject.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Person {
    pub(crate) role: &'static str,
    /// Key of the person; the name and `person_id` derive from it.
    pub(crate) key: u64,
}

/// A subject line, reused from subject to subject.
#[derive(Debug)]
pub(crate) struct Subject {
    pub(crate) uscc: String,
    pub(crate) name: String,
    pub(crate) ty: SubjType,
    pub(crate) region: usize,
    pub(crate) industry: &'static str,
    pub(crate) sector: Sector,
    pub(crate) established: Day,
    pub(crate) status: Status,
    /// Last day of activity (the reference date unless the subject left).
    pub(crate) end: Day,
    pub(crate) reg_cap: Option<u64>,
    pub(crate) paid_in: Option<u64>,
    pub(crate) size: Option<&'static str>,
    pub(crate) tax_registered: bool,
    pub(crate) people: Vec<Person>,
}

impl Subject {
    pub(crate) fn empty() -> Subject {
        Subject {
            uscc: String::with_capacity(18),
            name: String::with_capacity(64),
            ty: SubjType::Enterprise,
            region: names::BAYUQUAN,
            industry: "C3484",
            sector: Sector::Mfg,
            established: 0,
            status: Status::Active,
            end: 0,
            reg_cap: None,
            paid_in: None,
            size: None,
            tax_registered: true,
            people: Vec::with_capacity(12),
        }
    }
}

/// Everything that is fixed for a run: seed, dates, tables.
pub(crate) struct World {
    pub(crate) seed: u64,
    /// The reference date.
    pub(crate) t: Day,
    /// First day of the history (2018-01-01).
    pub(crate) start: Day,
    pub(crate) days: Days,
    /// Month ends, leap days, New Year's days and the National Day blocks
    /// within the history, sorted.
    special: Vec<Day>,
    ma_mul: u64,
    ma_add: u64,
    num_mul: u64,
    num_add: u64,
    pid_mul: u64,
    pid_add: u64,
    region_w: Vec<u32>,
    ind_w_ent: Vec<u32>,
    ind_w_ind: Vec<u32>,
    /// Establishment-year weights from [`EST_BASE_YEAR`] per type group.
    est_w: [Vec<u32>; 4],
}

const EST_BASE_YEAR: i32 = 1990;
const MA_SPACE: u64 = 31u64.pow(6);
const NUM_SPACE: u64 = 100_000_000;
const PID_BITS: u32 = 48;

/// A multiplier coprime with `modulus` (whose prime factors are given).
fn coprime(seed: u64, salt: u64, modulus: u64, primes: &[u64]) -> u64 {
    let mut m = mix64(seed ^ salt) % modulus;
    loop {
        if m > 1 && primes.iter().all(|p| !m.is_multiple_of(*p)) {
            return m;
        }
        m = (m + 1) % modulus;
    }
}

impl World {
    pub(crate) fn new(seed: u64, t_date: Date) -> World {
        let t = day::day(t_date);
        let start = ymd(HISTORY_START.0, HISTORY_START.1, HISTORY_START.2);
        let days = Days::new(ymd(1985, 1, 1), add_months(t, 12 * 12));
        let t_year = year_of(t);

        let mut special = Vec::new();
        for y in HISTORY_START.0..=t_year {
            special.push(ymd(y, 1, 1));
            for m in 1..=12 {
                special.push(ymd(y, m, day::days_in_month(y, m)));
            }
        }
        special.extend([ymd(2020, 2, 29), ymd(2024, 2, 29)]);
        // National Day 2020 (Oct 1–8 off, Sep 27 and Oct 10 worked) and 2024–2025.
        for d in 0..14 {
            special.push(ymd(2020, 9, 27) + d);
        }
        for d in 0..9 {
            special.push(ymd(2024, 9, 29) + d);
            special.push(ymd(2025, 9, 28) + d);
        }
        special.retain(|&d| d >= start && d <= t);
        special.sort_unstable();
        special.dedup();

        let frac_year = |y: i32, w: u32| -> u32 {
            if y < t_year {
                w
            } else {
                let doy = t - ymd(t_year, 1, 1) + 1;
                (u64::from(w) * doy as u64 / 366).max(1) as u32
            }
        };
        let table = |f: &dyn Fn(i32) -> u32| -> Vec<u32> {
            (EST_BASE_YEAR..=t_year)
                .map(|y| frac_year(y, f(y)))
                .collect()
        };
        let est_w = [
            // enterprises: skewed recent (registrations boomed after the 2014 reform)
            table(&|y| match y {
                ..2000 => 1,
                2000..2010 => 3,
                2010..2015 => 6,
                2015..2019 => 10,
                _ => 13,
            }),
            // individual businesses: even more recent, short-lived
            table(&|y| match y {
                ..2000 => 0,
                2000..2010 => 2,
                2010..2015 => 5,
                2015..2019 => 10,
                _ => 16,
            }),
            // co-operatives: the 2007 law, peak 2008–2015
            table(&|y| match y {
                ..2007 => 0,
                2007..2014 => 8,
                2014..2019 => 6,
                _ => 3,
            }),
            // organisations, institutions, agencies: old
            table(&|y| match y {
                ..2010 => 3,
                _ => 2,
            }),
        ];

        World {
            seed,
            t,
            start,
            days,
            special,
            ma_mul: coprime(seed, 0x11, MA_SPACE, &[31]),
            ma_add: mix64(seed ^ 0x12) % MA_SPACE,
            num_mul: coprime(seed, 0x13, NUM_SPACE, &[2, 5]),
            num_add: mix64(seed ^ 0x14) % NUM_SPACE,
            pid_mul: mix64(seed ^ 0x15) | 1,
            pid_add: mix64(seed ^ 0x16),
            region_w: names::region_weights(),
            ind_w_ent: names::industry_weights(true),
            ind_w_ind: names::industry_weights(false),
            est_w,
        }
    }

    pub(crate) fn t_year(&self) -> i32 {
        year_of(self.t)
    }

    /// Writes the USCC of subject `idx` into `out`. Unique per `idx` (the
    /// organisation code is a bijection of the index), with a valid GB 11714
    /// check character and, unless `fail_check`, a valid GB 32100 one.
    pub(crate) fn uscc(
        &self,
        idx: u64,
        prefix: &str,
        region: &str,
        scheme: OrgScheme,
        fail: Option<u64>,
        out: &mut String,
    ) {
        out.clear();
        out.push_str(prefix);
        out.push_str(region);
        let alphabet = ALPHABET.as_bytes();
        let mut org = [0u8; 8];
        match scheme {
            OrgScheme::Ma | OrgScheme::Mj => {
                org[0] = b'M';
                org[1] = if scheme == OrgScheme::Ma { b'A' } else { b'J' };
                let mut x = ((u128::from(idx) * u128::from(self.ma_mul) + u128::from(self.ma_add))
                    % u128::from(MA_SPACE)) as u64;
                for c in org[2..].iter_mut().rev() {
                    *c = alphabet[(x % 31) as usize];
                    x /= 31;
                }
            }
            OrgScheme::Numeric => {
                let mut x = ((u128::from(idx) * u128::from(self.num_mul)
                    + u128::from(self.num_add))
                    % u128::from(NUM_SPACE)) as u64;
                for c in org.iter_mut().rev() {
                    *c = b'0' + (x % 10) as u8;
                    x /= 10;
                }
            }
        }
        let org = std::str::from_utf8(&org).unwrap_or("00000000");
        out.push_str(org);
        out.push(compute_org_check_char(org).unwrap_or('0'));
        let check = compute_check_char(out).unwrap_or('0');
        match fail {
            None => out.push(check),
            Some(offset) => {
                let v = ALPHABET.find(check).unwrap_or(0) as u64;
                let wrong = (v + 1 + offset % 30) % 31;
                out.push(char::from(alphabet[wrong as usize]));
            }
        }
    }

    /// Opaque `person_id` of a person key: `P` + 12 hex digits of a 48-bit
    /// bijection of the key (distinct keys, distinct ids).
    pub(crate) fn person_id(&self, key: u64) -> [u8; 13] {
        let mask = (1u64 << PID_BITS) - 1;
        let mut x = key.wrapping_mul(self.pid_mul).wrapping_add(self.pid_add) & mask;
        // An invertible xorshift inside 48 bits for a less regular look.
        x ^= x >> 24;
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let mut id = [b'P'; 13];
        for i in (1..13).rev() {
            id[i] = HEX[(x & 15) as usize];
            x >>= 4;
        }
        id
    }

    /// Name of a person key (the same key always gives the same name).
    pub(crate) fn person_name(&self, key: u64, out: &mut String) {
        let mut rng = Rng::new(self.seed ^ 0x5045_5253_4f4e, key);
        names::person_name(&mut rng, out);
    }

    /// Writes a subject line.
    pub(crate) fn write_subject(&self, sink: &mut Sink, s: &Subject, scratch: &mut String) {
        let mut o = Obj::open(&mut sink.buf, &self.days);
        o.str("uscc", &s.uscc);
        o.str("name", &s.name);
        o.str("type", s.ty.as_str());
        o.date("established_on", s.established);
        o.str("status", s.status.as_str());
        if let Some(c) = s.reg_cap {
            o.money("registered_capital_cny", c);
        }
        if let Some(c) = s.paid_in {
            o.money("paid_in_capital_cny", c);
        }
        o.str("region", REGIONS[s.region].code);
        o.str("industry", s.industry);
        if let Some(z) = s.size {
            o.str("size", z);
        }
        o.bool("tax_registered", s.tax_registered);
        if !s.people.is_empty() {
            o.key("people");
            o.buf.push(b'[');
            for (i, p) in s.people.iter().enumerate() {
                if i > 0 {
                    o.buf.push(b',');
                }
                o.buf.extend_from_slice(b"{\"role\":");
                push_json_str(o.buf, p.role);
                o.buf.extend_from_slice(b",\"name\":");
                scratch.clear();
                self.person_name(p.key, scratch);
                push_json_str(o.buf, scratch);
                o.buf.extend_from_slice(b",\"person_id\":\"");
                o.buf.extend_from_slice(&self.person_id(p.key));
                o.buf.extend_from_slice(b"\"}");
            }
            o.buf.push(b']');
        }
        o.close();
    }

    /// A day in `lo..=hi`, mostly a working day, sometimes one of the
    /// special days (month ends, Feb 29, New Year, National Day).
    pub(crate) fn day_in(&self, rng: &mut Rng, lo: Day, hi: Day) -> Day {
        if hi <= lo {
            return lo;
        }
        if rng.permille(30) {
            let a = self.special.partition_point(|&d| d < lo);
            let b = self.special.partition_point(|&d| d <= hi);
            if b > a {
                return self.special[a + rng.below((b - a) as u64) as usize];
            }
        }
        let d = rng.range(i64::from(lo), i64::from(hi)) as Day;
        if rng.permille(920) {
            self.days.working_on_or_after(d, hi).max(lo)
        } else {
            d
        }
    }

    /// An enterprise name: place + 字号 + 行业词 + organisational form.
    pub(crate) fn enterprise_name(
        &self,
        rng: &mut Rng,
        region: usize,
        words: &[&str],
        out: &mut String,
    ) {
        out.clear();
        let r = &REGIONS[region];
        let local = r.city == "营口";
        let place = if !local {
            r.city
        } else {
            *rng.pick_w(&[
                (62, "营口"),
                (6, "营口市"),
                (16, "辽宁"),
                (4, "营口经济技术开发区"),
                (3, "营口港"),
            ])
        };
        out.push_str(place);
        names::zihao(rng, out);
        out.push_str(if words.is_empty() {
            "商贸"
        } else {
            rng.pick_s(words)
        });
        let form = *rng.pick_w(&[
            (84, "有限公司"),
            (8, "有限责任公司"),
            (3, "股份有限公司"),
            (2, "厂"),
        ]);
        out.push_str(form);
        if !local && form != "厂" {
            out.push_str("营口分公司");
        } else if region == names::BAYUQUAN && place != "营口港" && rng.permille(15) {
            out.push_str("鲅鱼圈分公司");
        }
    }
}

/// Per-subject state of the random generator besides the subject line.
#[derive(Debug, Default, Clone, Copy)]
struct State {
    risk: u8,
    /// First year without an annual report (dormant subjects).
    dormant_from: Option<i32>,
    zero_staff: bool,
    employees: u32,
    /// First day records may carry.
    lo: Day,
    /// Last day records may carry.
    hi: Day,
}

/// The random-subject generator (reuses its buffers between subjects).
pub(crate) struct CityGen<'w> {
    w: &'w World,
    rng: Rng,
    s: Subject,
    st: State,
    text: String,
    text2: String,
}

impl<'w> CityGen<'w> {
    pub(crate) fn new(w: &'w World) -> CityGen<'w> {
        CityGen {
            w,
            rng: Rng::new(w.seed, 0),
            s: Subject::empty(),
            st: State::default(),
            text: String::with_capacity(256),
            text2: String::with_capacity(64),
        }
    }

    /// Generates random subject `idx` and its records.
    pub(crate) fn subject(&mut self, idx: u64, subjects: &mut Sink, recs: &mut Records) {
        self.rng = Rng::new(self.w.seed, idx.wrapping_add(1) << 1);
        self.profile(idx);
        self.w.write_subject(subjects, &self.s, &mut self.text);
        self.records(recs);
    }

    fn profile(&mut self, idx: u64) {
        let w = self.w;
        let rng = &mut self.rng;
        let s = &mut self.s;
        let t = w.t;
        let t_year = w.t_year();

        s.ty = match rng.weighted(&[600, 330, 30, 12, 6, 15, 7]) {
            0 => SubjType::Enterprise,
            1 => SubjType::Individual,
            2 => SubjType::Coop,
            3 | 4 => SubjType::SocialOrg,
            5 => SubjType::PublicInst,
            _ => SubjType::GovAgency,
        };
        // 民办非企业单位 (52) vs 社会团体 (51)
        let minfei = s.ty == SubjType::SocialOrg && rng.permille(350);

        s.region = match s.ty {
            SubjType::Enterprise => rng.weighted(&w.region_w),
            SubjType::Individual => rng.weighted(&w.region_w[..6]),
            SubjType::Coop => [4, 5, 3, 0][rng.weighted(&[40, 35, 15, 10])],
            _ => {
                if rng.permille(400) {
                    6
                } else {
                    rng.weighted(&w.region_w[..6])
                }
            }
        };

        // industry
        s.people.clear();
        let ind = match s.ty {
            SubjType::Enterprise => Some(rng.weighted(&w.ind_w_ent)),
            SubjType::Individual => Some(rng.weighted(&w.ind_w_ind)),
            SubjType::Coop => Some(rng.below(4) as usize),
            _ => None,
        };
        match ind {
            Some(i) => {
                let industry = &INDUSTRIES[i];
                s.industry = industry.code;
                s.sector = industry.sector;
                if s.ty == SubjType::Enterprise {
                    if s.sector == Sector::Construction && rng.permille(400) {
                        s.industry = "construction";
                    } else if s.sector == Sector::Medical && rng.permille(400) {
                        s.industry = "medical";
                    } else if matches!(s.sector, Sector::Construction | Sector::Mfg)
                        && rng.permille(40)
                    {
                        s.industry = "renfang";
                        s.sector = Sector::Renfang;
                    }
                }
            }
            None => {
                s.sector = Sector::Public;
                s.industry = match s.ty {
                    SubjType::SocialOrg if minfei => "P8391",
                    SubjType::SocialOrg => "S9522",
                    SubjType::PublicInst => "S9224",
                    _ => "S9221",
                };
            }
        }

        // establishment
        let group = match s.ty {
            SubjType::Enterprise => 0,
            SubjType::Individual => 1,
            SubjType::Coop => 2,
            _ => 3,
        };
        let y = EST_BASE_YEAR + rng.weighted(&w.est_w[group]) as i32;
        let y0 = ymd(y, 1, 1);
        s.established = rng.range(i64::from(y0), i64::from(ymd(y, 12, 31).min(t))) as Day;
        s.established = w.days.working_on_or_after(s.established, t);

        // status
        let st_w: &[u32] = match s.ty {
            SubjType::Enterprise => &[780, 80, 110, 30],
            SubjType::Individual => &[800, 50, 140, 10],
            SubjType::Coop => &[820, 80, 100, 0],
            _ => &[970, 0, 30, 0],
        };
        s.status = [
            Status::Active,
            Status::Revoked,
            Status::Cancelled,
            Status::MovedOut,
        ][rng.weighted(st_w)];
        s.end = t;
        if s.status != Status::Active {
            let earliest = s.established + 180;
            if earliest >= t {
                s.status = Status::Active;
            } else {
                s.end = w.day_in(rng, earliest.max(w.start - 400), t);
            }
        }

        // size, capital
        let size_i = match s.ty {
            SubjType::Enterprise => rng.weighted(&[700, 220, 65, 15]),
            SubjType::Individual => 0,
            SubjType::Coop => rng.weighted(&[850, 150, 0, 0]),
            _ => 9,
        };
        s.size = ["micro", "small", "medium", "large"].get(size_i).copied();
        let wan = 1_000_000u64; // 万元 in cents
        s.reg_cap = None;
        s.paid_in = None;
        match s.ty {
            SubjType::Enterprise => {
                let choices: &[(u32, u64)] = match size_i {
                    0 => &[
                        (10, 10),
                        (20, 30),
                        (25, 50),
                        (25, 100),
                        (10, 200),
                        (6, 300),
                        (4, 500),
                    ],
                    1 => &[(20, 100), (25, 300), (25, 500), (20, 1000), (10, 2000)],
                    2 => &[(30, 1000), (30, 3000), (25, 5000), (15, 10000)],
                    _ => &[(30, 5000), (30, 10000), (25, 30000), (15, 50000)],
                };
                let reg = *rng.pick_w(choices) * wan;
                s.reg_cap = Some(reg);
                let subscribed_era = s.established >= ymd(2014, 3, 1);
                s.paid_in = Some(if subscribed_era && rng.permille(380) {
                    0
                } else if !subscribed_era || rng.permille(500) {
                    reg
                } else {
                    (reg / 10 * rng.range(1, 9) as u64 / wan).max(1) * wan
                });
            }
            SubjType::Individual => {
                if rng.permille(700) {
                    s.reg_cap = Some(*rng.pick(&[1u64, 2, 3, 5, 10, 20, 30, 50]) * wan);
                }
            }
            SubjType::Coop => {
                s.reg_cap = Some(*rng.pick(&[10u64, 20, 50, 100, 200, 300, 500]) * wan)
            }
            SubjType::SocialOrg => s.reg_cap = Some(*rng.pick(&[3u64, 5, 10, 20, 30, 50]) * wan),
            SubjType::PublicInst => {
                if rng.permille(500) {
                    s.reg_cap = Some(*rng.pick(&[10u64, 50, 100, 500, 1000]) * wan);
                }
            }
            SubjType::GovAgency => {}
        }

        // state
        let st = &mut self.st;
        st.risk = [0u8, 1, 2, 3][rng.weighted(&[720, 180, 70, 30])];
        if !s.ty.market() {
            st.risk = st.risk.min(1);
        }
        st.dormant_from = None;
        if s.ty.market() {
            let first = year_of(s.established).max(HISTORY_START.0) + 1;
            if s.status == Status::Revoked {
                let ey = year_of(s.end);
                st.dormant_from = Some((ey - rng.range(0, 2) as i32).max(first.min(ey)));
            } else if s.status == Status::Active && first <= t_year - 2 && rng.permille(120) {
                st.dormant_from = Some(rng.range(i64::from(first), i64::from(t_year - 2)) as i32);
                st.risk = st.risk.max(1);
            }
        }
        st.zero_staff = s.ty == SubjType::Enterprise && size_i == 0 && rng.permille(40);
        st.employees = match (s.ty, size_i) {
            (SubjType::Individual, _) => rng.range(1, 5) as u32,
            (SubjType::Coop, _) => rng.range(3, 25) as u32,
            (_, 0) => rng.range(1, 9) as u32,
            (_, 1) => rng.range(10, 99) as u32,
            (_, 2) => rng.range(100, 299) as u32,
            (_, 3) => rng.range(300, 2500) as u32,
            _ => rng.range(8, 200) as u32,
        };
        s.tax_registered = match s.ty {
            SubjType::Enterprise => rng.permille(if st.dormant_from.is_some() { 450 } else { 900 }),
            SubjType::Individual => rng.permille(450),
            SubjType::Coop => rng.permille(500),
            SubjType::SocialOrg => rng.permille(600),
            SubjType::PublicInst => rng.permille(400),
            SubjType::GovAgency => false,
        };
        st.lo = s.established.max(w.start);
        st.hi = s.end;

        // people: new persons get keys idx*16+slot; some are shared with
        // earlier subjects (a person heading several companies).
        let person = |rng: &mut Rng, slot: u64| -> u64 {
            if idx > 0 && rng.permille(120) {
                rng.below(idx) * 16
            } else {
                idx * 16 + slot
            }
        };
        let legal = person(rng, 0);
        s.people.push(Person {
            role: "legal_representative",
            key: legal,
        });
        if s.ty == SubjType::Enterprise {
            let (dirs, sups, mgrs) = match size_i {
                0 => (
                    rng.weighted(&[55, 30, 15]),
                    rng.weighted(&[50, 50]),
                    rng.weighted(&[70, 30]),
                ),
                1 => (
                    1 + rng.weighted(&[40, 40, 20]),
                    1,
                    1 + rng.weighted(&[50, 50]),
                ),
                _ => (
                    3 + rng.weighted(&[40, 30, 30]),
                    1 + rng.weighted(&[50, 50]),
                    2 + rng.weighted(&[40, 60]),
                ),
            };
            for k in 0..dirs {
                let key = if k == 0 && rng.permille(450) {
                    legal
                } else {
                    person(rng, 1 + k as u64)
                };
                s.people.push(Person {
                    role: "director",
                    key,
                });
            }
            for k in 0..sups {
                s.people.push(Person {
                    role: "supervisor",
                    key: person(rng, 6 + k as u64),
                });
            }
            for k in 0..mgrs {
                s.people.push(Person {
                    role: "senior_manager",
                    key: person(rng, 8 + k as u64),
                });
            }
        } else if matches!(s.ty, SubjType::Coop | SubjType::SocialOrg) && rng.permille(500) {
            s.people.push(Person {
                role: "supervisor",
                key: person(rng, 6),
            });
        }

        // name
        self.text.clear();
        w.person_name(legal, &mut self.text);
        build_name(w, rng, s, &self.text, minfei);

        // USCC
        let (prefix, scheme) = match s.ty {
            SubjType::Enterprise if s.established >= ymd(2015, 10, 1) => ("91", OrgScheme::Ma),
            SubjType::Enterprise => ("91", OrgScheme::Numeric),
            SubjType::Individual => ("92", OrgScheme::Ma),
            SubjType::Coop => ("93", OrgScheme::Ma),
            SubjType::SocialOrg if minfei => ("52", OrgScheme::Mj),
            SubjType::SocialOrg => ("51", OrgScheme::Mj),
            SubjType::PublicInst => ("12", OrgScheme::Numeric),
            SubjType::GovAgency => ("11", OrgScheme::Numeric),
        };
        let fail = rng.permille(2).then(|| rng.next_u64());
        w.uscc(
            idx,
            prefix,
            REGIONS[s.region].code,
            scheme,
            fail,
            &mut s.uscc,
        );
    }

    fn records(&mut self, recs: &mut Records) {
        if self.st.lo > self.st.hi {
            return;
        }
        self.annual_reports(recs);
        self.tax_ratings(recs);
        self.licences(recs);
        self.commitments(recs);
        self.inspections(recs);
        self.penalties(recs);
        self.accidents(recs);
        self.judgments(recs);
        self.lists(recs);
        self.sector_records(recs);
        self.honors(recs);
        self.arrears(recs);
        self.financing(recs);
        self.gov_ledger(recs);
    }

    fn day(&mut self) -> Day {
        self.w.day_in(&mut self.rng, self.st.lo, self.st.hi)
    }

    /// A day in `lo..=hi` within the subject's active span, if any.
    fn day_between(&mut self, lo: Day, hi: Day) -> Option<Day> {
        let (lo, hi) = (lo.max(self.st.lo), hi.min(self.st.hi));
        (lo <= hi).then(|| self.w.day_in(&mut self.rng, lo, hi))
    }

    // ------------------------------------------------------------------ annual reports

    fn annual_reports(&mut self, recs: &mut Records) {
        let w = self.w;
        if !self.s.ty.market() {
            return;
        }
        let (lo, hi) = (self.st.lo, self.st.hi);
        // the platform holds the reports of the last five years
        let first = year_of(self.s.established).max(w.t_year() - REPORT_YEARS);
        let miss_per_mille = match self.s.ty {
            SubjType::Enterprise => 6,
            _ => 15,
        };
        let mut listed_dormant = false;
        for y in first..w.t_year() {
            let season_start = ymd(y + 1, 1, 1);
            if season_start > hi {
                break;
            }
            let july = ymd(y + 1, 7, 1) + self.rng.range(0, 14) as Day;
            if self.st.dormant_from.is_some_and(|d| y >= d) {
                if !listed_dormant && july <= hi && july >= lo && self.rng.permille(520) {
                    listed_dormant = true;
                    let removed = if self.rng.permille(100) {
                        Some(july + self.rng.range(60, 700) as Day)
                    } else {
                        None
                    };
                    self.abnormal(recs, july, "annual_report", removed.filter(|&r| r <= hi));
                }
                continue;
            }
            if self.rng.permille(miss_per_mille) {
                if july <= hi && july >= lo && self.rng.permille(700) {
                    let removed = july + self.rng.range(20, 330) as Day;
                    self.abnormal(
                        recs,
                        july,
                        "annual_report",
                        Some(removed).filter(|&r| r <= hi),
                    );
                }
                continue;
            }
            let late = self.rng.permille(8);
            let filed = if late {
                self.rng
                    .range(i64::from(ymd(y + 1, 7, 16)), i64::from(ymd(y + 1, 12, 20)))
                    as Day
            } else {
                let month = [1i8, 2, 3, 4, 5, 6][self.rng.weighted(&[3, 3, 8, 14, 26, 46])];
                let dim = day::days_in_month(y + 1, month);
                ymd(y + 1, month, self.rng.range(1, i64::from(dim)) as i8)
            };
            let filed = if self.rng.permille(900) {
                w.days.working_on_or_after(filed, hi)
            } else {
                filed
            };
            if filed > hi || filed < lo || filed < self.s.established {
                continue;
            }
            if late && july < filed && july >= lo {
                self.abnormal(recs, july, "annual_report", Some(filed));
            }
            let no_staff =
                self.st.zero_staff || (self.s.size == Some("micro") && self.rng.permille(30));
            let employees = if no_staff {
                0
            } else {
                let e = self.st.employees;
                (e + self.rng.below(u64::from(e / 4 + 1)) as u32).saturating_sub(e / 8)
            };
            let mut r = recs.begin(
                &w.days,
                RecordKind::AnnualReport,
                Dept::SCJG,
                &self.s.uscc,
                filed,
            );
            r.obj.int("year", i64::from(y));
            r.obj.date("filed_on", filed);
            r.obj.int("employees", i64::from(employees));
            if self.s.ty != SubjType::Individual || self.rng.permille(700) {
                let per_head = self.rng.range(60_000, 600_000) as u64;
                let revenue = u64::from(employees.max(1)) * per_head * 100 + self.rng.below(100);
                let revenue = if employees == 0 {
                    revenue / 50
                } else {
                    revenue
                };
                r.obj.money("revenue_cny", revenue);
            }
            r.end(false, None);
        }
    }

    fn abnormal(&mut self, recs: &mut Records, listed: Day, reason: &str, removed: Option<Day>) {
        let mut r = recs.begin(
            &self.w.days,
            RecordKind::ListEntry,
            Dept::SCJG,
            &self.s.uscc,
            listed,
        );
        r.obj.str("list", "abnormal_operation");
        r.obj.str("reason", reason);
        r.obj.date("listed_on", listed);
        if let Some(d) = removed.filter(|&d| d >= listed) {
            r.obj.date("removed_on", d);
        }
        r.end(false, None);
    }

    // ------------------------------------------------------------------ tax ratings

    fn tax_ratings(&mut self, recs: &mut Records) {
        let w = self.w;
        if !self.s.tax_registered {
            return;
        }
        let rated = match self.s.ty {
            SubjType::Enterprise => true,
            SubjType::Coop => self.rng.permille(400),
            SubjType::Individual => self.rng.permille(120),
            _ => false,
        };
        if !rated {
            return;
        }
        let base: &[u32] = match self.st.risk {
            0 => &[25, 55, 15, 5, 0],
            1 => &[8, 50, 20, 17, 5],
            _ => &[0, 30, 10, 35, 25],
        };
        let base_grade = self.rng.weighted(base);
        let est_year = year_of(self.s.established);
        for y in est_year.max(w.t_year() - RATING_YEARS)..w.t_year() {
            let d = ymd(y + 1, 4, 1) + self.rng.range(0, 27) as Day;
            let d = w.days.working_on_or_after(d, self.st.hi);
            if d > self.st.hi || d < self.st.lo || !self.rng.permille(800) {
                continue;
            }
            let dormant = self.st.dormant_from.is_some_and(|dy| y >= dy);
            let grade = if y == est_year {
                2
            } else if dormant {
                if self.rng.permille(600) { 4 } else { continue }
            } else if self.rng.permille(720) {
                base_grade
            } else {
                (base_grade as i64 + self.rng.range(-1, 1)).clamp(0, 4) as usize
            };
            let mut r = recs.begin(&w.days, RecordKind::TaxRating, Dept::SWJ, &self.s.uscc, d);
            r.obj.int("year", i64::from(y));
            r.obj.str("grade", ["A", "B", "M", "C", "D"][grade]);
            r.end(false, None);
        }
    }

    // ------------------------------------------------------------------ licences

    fn licences(&mut self, recs: &mut Records) {
        let w = self.w;
        let sector = self.s.sector;
        for tpl in LICENCES {
            let applies = tpl.sectors.contains(&sector);
            let p = if applies { tpl.p } else { 0 };
            let generic = if tpl.sectors.is_empty() && self.s.ty == SubjType::Enterprise {
                tpl.p
            } else {
                0
            };
            if !self.rng.permille(p.max(generic)) {
                continue;
            }
            let Some(mut from) = self.day_between(self.s.established, self.st.hi) else {
                return;
            };
            // licences of long-lived subjects: renewals back to the start of the history
            loop {
                let valid_to = tpl.years.map(|y| add_months(from, 12 * y) - 1);
                let expired = valid_to.is_some_and(|v| v < self.st.hi);
                let renewed = expired && self.s.status == Status::Active && self.rng.permille(780);
                let in_use = if !expired {
                    if self.rng.permille(900) {
                        Some(true)
                    } else {
                        None
                    }
                } else if renewed {
                    None
                } else if self.rng.permille(450) {
                    Some(false)
                } else {
                    None
                };
                let mut r = recs.begin(&w.days, RecordKind::License, tpl.dept, &self.s.uscc, from);
                self.text.clear();
                let _ = write!(
                    self.text,
                    "{}{}{:06}",
                    tpl.no_prefix, REGIONS[self.s.region].code, r.id.seq
                );
                r.obj.str("license_no", &self.text);
                r.obj.str("title", tpl.title);
                r.obj.date("valid_from", from);
                if let Some(v) = valid_to {
                    r.obj.date("valid_to", v);
                }
                if let Some(u) = in_use {
                    r.obj.bool("in_use", u);
                }
                let withdrawn = self.rng.permille(3);
                r.end(withdrawn, None);
                match valid_to {
                    Some(v) if renewed => {
                        from = (v - self.rng.range(0, 40) as Day).max(from + 1);
                        if from > self.st.hi {
                            break;
                        }
                    }
                    _ => break,
                }
            }
        }
    }

    // ------------------------------------------------------------------ commitments

    fn commitments(&mut self, recs: &mut Records) {
        let w = self.w;
        let mean = match self.s.ty {
            SubjType::Enterprise => 0.36,
            SubjType::Individual => 0.12,
            SubjType::GovAgency => 0.3,
            _ => 0.15,
        };
        for _ in 0..self.rng.count(mean) {
            let date = self.day();
            let kind = if self.s.ty == SubjType::GovAgency {
                4
            } else {
                self.rng.weighted(&[30, 35, 15, 15, 5])
            };
            let (ckind, dept, matter, due_days): (&str, Dept, &str, Option<(i64, i64)>) = match kind
            {
                0 => (
                    "credit_pledge",
                    Dept::XYB,
                    *self.rng.pick(PLEDGE_MATTERS),
                    None,
                ),
                1 => (
                    "notify_commit",
                    Dept::XZSP,
                    *self.rng.pick(NOTIFY_MATTERS),
                    Some((30, 90)),
                ),
                2 => (
                    "missing_materials",
                    Dept::XZSP,
                    *self.rng.pick(NOTIFY_MATTERS),
                    Some((20, 45)),
                ),
                3 => (
                    "domicile",
                    Dept::XZSP,
                    "企业住所（经营场所）申报承诺",
                    Some((90, 365)),
                ),
                _ => (
                    "other",
                    Dept::XYB,
                    *self.rng.pick(GOV_MATTERS),
                    Some((180, 720)),
                ),
            };
            let due = due_days.map(|(a, b)| date + self.rng.range(a, b) as Day);
            let t = self.w.t;
            let (status, breached) = match due {
                Some(d) if d > t => ("active", None),
                None if self.rng.permille(800) => ("active", None),
                Some(d) => match self.rng.weighted(&[920, 50, 30]) {
                    0 => ("fulfilled", None),
                    1 => ("breached", Some((d + self.rng.range(1, 20) as Day).min(t))),
                    _ => ("withdrawn", None),
                },
                None => ("withdrawn", None),
            };
            let mut r = recs.begin(&w.days, RecordKind::Commitment, dept, &self.s.uscc, date);
            r.obj.str("commitment_kind", ckind);
            r.obj.str("matter", matter);
            if let Some(d) = due {
                r.obj.date("due_on", d);
            }
            r.obj.str("status", status);
            if let Some(b) = breached {
                r.obj.date("breached_on", b);
            }
            r.end(false, None);
        }
    }

    // ------------------------------------------------------------------ inspections

    fn inspections(&mut self, recs: &mut Records) {
        let w = self.w;
        let in_pool = self.s.tax_registered
            && self.st.dormant_from.is_none()
            && self.s.status == Status::Active;
        let mean = match (self.s.ty, in_pool) {
            (SubjType::GovAgency, _) => 0.0,
            (_, true) => 0.55,
            (_, false) => 0.12,
        } * (1.0 + 0.3 * f64::from(self.st.risk));
        for _ in 0..self.rng.count(mean) {
            let date = self.day();
            let sector = self.s.sector;
            let dept = match sector {
                Sector::Chem | Sector::Metal | Sector::Utility | Sector::Mfg
                    if self.rng.permille(450) =>
                {
                    if self.rng.permille(600) {
                        Dept::YJGL
                    } else {
                        Dept::STHJ
                    }
                }
                Sector::Medical | Sector::Hotel | Sector::ResidentSvc | Sector::Culture
                    if self.rng.permille(400) =>
                {
                    Dept::WJW
                }
                _ if self.rng.permille(120) => Dept::YJGL,
                _ => Dept::SCJG,
            };
            let outcome_w: &[u32] = if self.st.dormant_from.is_some() {
                &[300, 100, 20, 580]
            } else {
                match self.st.risk {
                    0 => &[860, 120, 4, 16],
                    1 => &[700, 250, 15, 35],
                    _ => &[500, 380, 60, 60],
                }
            };
            let outcome =
                ["compliant", "issues_found", "refused", "not_found"][self.rng.weighted(outcome_w)];
            let y = year_of(date);
            let mut r = recs.begin(&w.days, RecordKind::Inspection, dept, &self.s.uscc, date);
            r.obj.str("outcome", outcome);
            self.text.clear();
            let batch = 1 + (date - ymd(y, 1, 1)) / 92;
            let _ = write!(self.text, "{}-SSJ-{}-{:02}", dept.code(), y, batch);
            r.obj.str("plan_id", &self.text);
            let items = inspection_items(dept);
            let a = self.rng.below(items.len() as u64) as usize;
            let b = (a + 1 + self.rng.below(items.len() as u64 - 1) as usize) % items.len();
            if self.rng.permille(500) {
                r.obj.strs("items", &[items[a]]);
            } else {
                r.obj.strs("items", &[items[a], items[b]]);
            }
            r.end(self.rng.permille(2), None);

            if outcome == "issues_found" && self.rng.permille(700) {
                let dept = match dept {
                    Dept::WJW => Dept::SCJG,
                    d => d,
                };
                self.correction(recs, dept, date);
            }
            if outcome == "not_found" && self.s.ty.market() && self.rng.permille(600) {
                let listed = date + self.rng.range(5, 30) as Day;
                if listed <= self.st.hi {
                    let removed = if self.rng.permille(350) {
                        Some(listed + self.rng.range(30, 500) as Day)
                    } else {
                        None
                    };
                    self.abnormal(
                        recs,
                        listed,
                        "unreachable",
                        removed.filter(|&r| r <= self.st.hi),
                    );
                }
            }
        }
        // independent correction orders (construction sites, environment)
        if self.st.risk >= 2 && self.rng.permille(250) {
            let dept = if self.s.sector == Sector::Construction {
                Dept::ZJJ
            } else {
                Dept::STHJ
            };
            let date = self.day();
            self.correction(recs, dept, date);
        }
    }

    fn correction(&mut self, recs: &mut Records, dept: Dept, date: Day) {
        let due = date + self.rng.range(7, 30) as Day;
        let outcome = if due > self.w.t {
            "pending"
        } else {
            let wts: &[u32] = if self.st.risk >= 2 {
                &[760, 140, 100]
            } else {
                &[930, 20, 50]
            };
            ["corrected", "refused", "overdue"][self.rng.weighted(wts)]
        };
        let mut r = recs.begin(
            &self.w.days,
            RecordKind::CorrectionOrder,
            dept,
            &self.s.uscc,
            date,
        );
        r.obj.date("due_on", due);
        r.obj.str("outcome", outcome);
        r.end(false, None);
    }

    // ------------------------------------------------------------------ penalties

    fn penalties(&mut self, recs: &mut Records) {
        // revocation of the business licence of revoked subjects (吊销营业执照)
        if self.s.status == Status::Revoked && self.rng.permille(800) && self.s.end >= self.st.lo {
            let date = self.s.end;
            self.write_penalty(recs, &REVOKE_LICENSE, date, PenaltyShape::AsTemplate);
        }
        let mean = match self.st.risk {
            0 => 0.05,
            1 => 0.6,
            2 => 1.8,
            _ => 4.0,
        } * match self.s.ty {
            SubjType::Enterprise => 1.0,
            SubjType::Individual => 0.8,
            SubjType::Coop => 0.4,
            _ => 0.2,
        };
        for _ in 0..self.rng.count(mean) {
            let tpl = self.pick_penalty();
            let date = self.day();
            self.write_penalty(recs, tpl, date, PenaltyShape::Random);
        }
    }

    fn pick_penalty(&mut self) -> &'static PenTpl {
        let sector = self.s.sector;
        let dept_w: Vec<u32> = PENALTY_DEPTS
            .iter()
            .map(|&(d, base)| {
                base + sector_boost(d, sector)
                    * u32::from(self.s.ty == SubjType::Enterprise || d != Dept::RFB)
            })
            .collect();
        let dept = PENALTY_DEPTS[self.rng.weighted(&dept_w)].0;
        let weights: Vec<u32> = PENALTIES
            .iter()
            .map(|p| {
                if p.dept != dept {
                    0
                } else if p.sectors.contains(&sector) {
                    p.w * 4
                } else if p.exclusive {
                    0
                } else {
                    p.w
                }
            })
            .collect();
        if weights.iter().all(|&x| x == 0) {
            return &PENALTIES[0];
        }
        &PENALTIES[self.rng.weighted(&weights)]
    }

    fn write_penalty(&mut self, recs: &mut Records, tpl: &PenTpl, date: Day, shape: PenaltyShape) {
        let w = self.w;
        let rng = &mut self.rng;
        let random = shape == PenaltyShape::Random;
        let mut sanctions = Sanctions::default();
        let warning_only = random && tpl.warn_ok && rng.permille(130);
        let mut fine = None;
        let mut conf = None;
        let mut bands = None;
        if warning_only {
            sanctions.push("warning");
        } else {
            for s in tpl.sanctions {
                sanctions.push(s);
            }
            if tpl.conf {
                sanctions.push("confiscation");
            }
            if random && tpl.warn_ok && rng.permille(80) {
                sanctions.push("warning");
            }
            if tpl.sanctions.contains(&"fine") {
                let (lo, hi) = tpl.fine;
                let mut f = rng.amount_yuan(lo, hi);
                f = round_fine(f);
                if let Some((g, s)) = tpl.bands.filter(|_| random && rng.permille(350)) {
                    f = match rng.weighted(&[70, 18, 6, 6]) {
                        0 => round_fine(rng.range(g.0 as i64, g.1 as i64) as u64 * 100)
                            .clamp(g.0 * 100, g.1 * 100),
                        1 => round_fine(rng.range(s.0 as i64, s.1 as i64) as u64 * 100)
                            .clamp(s.0 * 100, s.1 * 100),
                        2 => g.1 * 100,
                        _ => s.1 * 100 + round_fine(s.1 * 20),
                    };
                    bands = Some((g, s));
                }
                if tpl.dept == Dept::SWJ && rng.permille(300) {
                    f += rng.below(100); // multiples of unpaid tax carry cents
                }
                fine = Some(f);
            }
            if random && tpl.sanctions.contains(&"fine") && rng.permille(60) {
                sanctions.push("confiscation");
            }
            if random {
                let heavy = matches!(
                    self.s.sector,
                    Sector::Chem
                        | Sector::Metal
                        | Sector::Mfg
                        | Sector::Catering
                        | Sector::FoodMfg
                        | Sector::FoodRetail
                );
                if heavy && rng.permille(12) {
                    sanctions.push("suspend_business");
                }
                if rng.permille(7) {
                    sanctions.push("revoke_permit");
                }
                if matches!(
                    self.s.sector,
                    Sector::Construction | Sector::Transport | Sector::Renfang
                ) && rng.permille(80)
                {
                    sanctions.push("restrict_qualification");
                }
                if date >= ymd(2021, 7, 15) && rng.permille(15) {
                    sanctions.push("criticism");
                }
                if tpl.dept == Dept::GAJ && self.s.ty == SubjType::Individual && rng.permille(8) {
                    sanctions.push("detention");
                }
                if rng.permille(5) {
                    sanctions.push("other");
                }
            }
            if sanctions.contains("confiscation") && rng.permille(850) {
                conf = Some(rng.amount_yuan(300, 80_000) + rng.below(100));
            }
        }
        let sanctions = sanctions.as_slice();
        let small = fine.is_none_or(|f| f <= 300_000);
        let procedure = if random && small && rng.permille(if fine.is_none() { 750 } else { 600 }) {
            "simple"
        } else {
            "general"
        };

        let t = w.t;
        let mut r = recs.begin(&w.days, RecordKind::Penalty, tpl.dept, &self.s.uscc, date);
        self.text2.clear();
        let _ = write!(
            self.text2,
            "{}〔{}〕{}号",
            dec_prefix(tpl.dept),
            year_of(date),
            decision_number(r.id.seq)
        );
        r.obj.str("decision_no", &self.text2);
        r.obj.str("procedure", procedure);
        r.obj.strs("sanctions", sanctions);
        if let Some(f) = fine {
            r.obj.money("fine_cny", f);
        }
        if let Some(c) = conf {
            r.obj.money("confiscation_cny", c);
        }
        self.text.clear();
        self.text.push_str(tpl.facts);
        if warning_only && rng.permille(150) {
            self.text.push_str("，情节严重");
        }
        self.text.push('。');
        r.obj.str("facts", &self.text);
        r.obj.str("basis", tpl.basis);
        if let Some((g, s)) = bands {
            r.obj.bands(
                "basis_bands",
                Some((g.0 * 100, g.1 * 100)),
                Some((s.0 * 100, s.1 * 100)),
            );
        }
        if random && rng.permille(30) {
            r.obj.str(
                "authority_tier",
                ["general", "serious", "specific_serious"][rng.weighted(&[40, 45, 15])],
            );
        }
        let non_repairable = random && rng.permille(4);
        if non_repairable {
            r.obj.bool("non_repairable", true);
        }
        r.obj.str("domain", tpl.domain);
        if !tpl.tags.is_empty() {
            r.obj.strs("violation_tags", tpl.tags);
        }
        if sanctions.contains(&"restrict_qualification") {
            r.obj.int("restriction_months", rng.range(3, 24));
        } else if (sanctions.contains(&"revoke_permit") || sanctions.contains(&"revoke_license"))
            && rng.permille(300)
        {
            r.obj.int("restriction_months", *rng.pick(&[36, 60]));
        }
        let fulfilled = if fine.is_some() && rng.permille(860) {
            Some(date + rng.range(1, 45) as Day)
        } else if warning_only && rng.permille(500) {
            Some(date)
        } else {
            None
        };
        let fulfilled = fulfilled.filter(|&d| d <= t);
        if let Some(d) = fulfilled {
            r.obj.date("fulfilled_on", d);
        }
        let withdrawn = random && rng.permille(5);
        let repaired = match fulfilled {
            Some(f) if random && !non_repairable && rng.permille(70) => {
                Some((date + rng.range(95, 720) as Day).max(f)).filter(|&d| d <= t)
            }
            _ => None,
        };
        r.end(withdrawn, repaired);
    }

    // ------------------------------------------------------------------ accidents

    fn accidents(&mut self, recs: &mut Records) {
        let w = self.w;
        let (p, dept, domain) = match self.s.sector {
            Sector::Construction => (25, Dept::ZJJ, "construction"),
            Sector::Chem | Sector::Metal | Sector::Utility => (30, Dept::YJGL, "production_safety"),
            Sector::Mfg | Sector::Port | Sector::Transport => (12, Dept::YJGL, "production_safety"),
            Sector::Catering | Sector::FoodMfg => (6, Dept::SCJG, "food_safety"),
            Sector::Renfang => (25, Dept::YJGL, "renfang"),
            _ => return,
        };
        let p = p * (1 + u64::from(self.st.risk));
        if !self.rng.permille(p) {
            return;
        }
        for _ in 0..1 + u32::from(self.rng.permille(120)) {
            let date = self.day();
            let grade = self.rng.weighted(&[900, 80, 17, 3]);
            let criminal = self.rng.permille([30, 300, 700, 900][grade]);
            let egregious = grade >= 1 && self.rng.permille(100);
            let mut r = recs.begin(&w.days, RecordKind::Accident, dept, &self.s.uscc, date);
            r.obj.str(
                "grade",
                ["general", "relatively_large", "major", "especially_major"][grade],
            );
            r.obj.str("domain", domain);
            r.obj.bool("criminal_liability", criminal);
            if egregious {
                r.obj.bool("egregious", true);
            }
            r.end(false, None);
            // the penalty that follows the accident investigation
            let pdate = date + self.rng.range(30, 120) as Day;
            if pdate <= self.st.hi && self.rng.permille(850) {
                let tpl = match (dept, grade) {
                    (Dept::ZJJ, _) => &ACCIDENT_CONSTRUCTION,
                    (Dept::SCJG, _) => &ACCIDENT_FOOD,
                    (_, 0) if self.rng.permille(500) => &ACCIDENT_SAFETY_MINOR,
                    _ => &ACCIDENT_SAFETY_DEATH,
                };
                self.write_penalty(recs, tpl, pdate, PenaltyShape::AsTemplate);
            }
        }
    }

    // ------------------------------------------------------------------ judgments and court lists

    fn judgments(&mut self, recs: &mut Records) {
        let w = self.w;
        let mean = match self.s.ty {
            SubjType::Enterprise => 0.14,
            SubjType::Individual => 0.05,
            SubjType::GovAgency => 0.25,
            _ => 0.04,
        } * (1.0 + f64::from(self.st.risk));
        for _ in 0..self.rng.count(mean) {
            let date = self.day();
            let role = if self.s.ty == SubjType::GovAgency {
                0
            } else {
                self.rng.weighted(&[55, 40, 5])
            };
            let arrears_case = (self.s.sector == Sector::Construction && self.rng.permille(350))
                || (self.s.ty == SubjType::GovAgency && self.rng.permille(400));
            let cause = if arrears_case {
                "construction_payment_arrears"
            } else {
                *self.rng.pick_w(&[
                    (35, "contract"),
                    (20, "sale_contract"),
                    (12, "loan"),
                    (12, "labor_dispute"),
                    (8, "lease"),
                    (3, "ip_infringement"),
                ])
            };
            let amount = self.rng.amount_yuan(3_000, 5_000_000) + self.rng.below(100);
            let refused = role == 0 && self.rng.permille(40 + 40 * u64::from(self.st.risk));
            let y = year_of(date);
            let mut r = recs.begin(
                &w.days,
                RecordKind::Judgment,
                Dept::ZJFY,
                &self.s.uscc,
                date,
            );
            self.text.clear();
            let court = if amount > 100_000_000 {
                "辽08"
            } else {
                *self
                    .rng
                    .pick(&["辽0804", "辽0802", "辽0803", "辽0811", "辽0881", "辽0882"])
            };
            let _ = write!(self.text, "（{y}）{court}民初{}号", 100 + r.id.seq % 9000);
            r.obj.str("case_no", &self.text);
            r.obj
                .str("role", ["defendant", "plaintiff", "third_party"][role]);
            r.obj.str("cause", cause);
            r.obj.money("amount_cny", amount);
            if role == 0 {
                r.obj.bool("refused_to_perform", refused);
            }
            r.end(false, None);
            if refused && self.rng.permille(750) {
                let listed = date + self.rng.range(60, 270) as Day;
                if listed <= self.st.hi {
                    let removed = if self.rng.permille(450) {
                        Some(listed + self.rng.range(60, 800) as Day)
                    } else {
                        None
                    };
                    self.list_entry(recs, Dept::ZJFY, "dishonest_debtor", listed, removed, None);
                }
            }
        }
        // the legal representative (or another person) of the subject is a dishonest debtor
        if self.s.ty.market() && self.rng.permille(4 + 6 * u64::from(self.st.risk)) {
            let listed = self.day();
            let role = self.s.people[self.rng.below(self.s.people.len() as u64) as usize].role;
            let removed = if self.rng.permille(400) {
                Some(listed + self.rng.range(60, 700) as Day)
            } else {
                None
            };
            self.list_entry(
                recs,
                Dept::ZJFY,
                "dishonest_debtor",
                listed,
                removed,
                Some(role),
            );
        }
    }

    fn list_entry(
        &mut self,
        recs: &mut Records,
        dept: Dept,
        list: &str,
        listed: Day,
        removed: Option<Day>,
        person_role: Option<&str>,
    ) {
        let reason = list_reason(list);
        let mut r = recs.begin(
            &self.w.days,
            RecordKind::ListEntry,
            dept,
            &self.s.uscc,
            listed,
        );
        r.obj.str("list", list);
        if let Some(reason) = reason {
            r.obj.str("reason", reason);
        }
        r.obj.date("listed_on", listed);
        if let Some(d) = removed.filter(|&d| d > listed && d <= self.st.hi) {
            r.obj.date("removed_on", d);
        }
        if let Some(role) = person_role {
            r.obj.str("person_role", role);
        }
        r.end(false, None);
    }

    // ------------------------------------------------------------------ other lists

    fn lists(&mut self, recs: &mut Records) {
        let risk = u64::from(self.st.risk);
        let sector = self.s.sector;
        let t = self.w.t;
        if !self.s.ty.market() && self.s.ty != SubjType::SocialOrg {
            return;
        }
        // false materials in an approval (行政审批) application
        if self.s.ty.market() && risk >= 2 && self.rng.permille(6) {
            let date = self.day();
            let r = recs.begin(
                &self.w.days,
                RecordKind::FalseMaterials,
                Dept::XZSP,
                &self.s.uscc,
                date,
            );
            r.end(false, None);
        }
        // other abnormal reasons
        if self.s.ty.market() && self.rng.permille(4 + 4 * risk) {
            let reason = *self
                .rng
                .pick_w(&[(55, "not_disclosed"), (45, "false_disclosure")]);
            let listed = self.day();
            let removed = if self.rng.permille(500) {
                Some(listed + self.rng.range(30, 400) as Day)
            } else {
                None
            };
            self.abnormal(recs, listed, reason, removed.filter(|&r| r <= self.st.hi));
        }
        // long-dormant enterprises move on to the serious-violation list (满三年)
        if let Some(dy) = self.st.dormant_from
            && self.s.ty == SubjType::Enterprise
            && self.rng.permille(350)
        {
            let listed = ymd(dy + 4, 7, 1) + self.rng.range(0, 60) as Day;
            if listed <= self.st.hi {
                self.list_entry(recs, Dept::SCJG, "serious_violation", listed, None, None);
            }
        }
        if risk >= 3 && self.s.tax_registered && self.rng.permille(60) {
            let listed = self.day();
            let removed = Some(add_months(listed, 36) + 1).filter(|&d| d <= t);
            self.list_entry(
                recs,
                Dept::SWJ,
                "major_tax_violation",
                listed,
                removed,
                None,
            );
        }
        if risk >= 1
            && self.rng.permille(if sector == Sector::Construction {
                60
            } else {
                0
            })
        {
            let listed = self.day();
            let removed = Some(add_months(listed, 12) + 1).filter(|&d| d <= t);
            self.list_entry(
                recs,
                Dept::ZJJ,
                "construction_blacklist",
                listed,
                removed,
                None,
            );
        }
        if risk >= 2
            && matches!(
                sector,
                Sector::Construction | Sector::Mfg | Sector::Catering
            )
            && self.rng.permille(15)
        {
            let listed = self.day();
            let removed = Some(add_months(listed, 36) + 1).filter(|&d| d <= t);
            self.list_entry(
                recs,
                Dept::RSJ,
                "wage_arrears_blacklist",
                listed,
                removed,
                None,
            );
        }
        if sector == Sector::Renfang {
            if risk >= 1 && self.rng.permille(300) {
                let listed = self.day();
                let removed = Some(add_months(listed, 12) + 1).filter(|&d| d <= t);
                self.list_entry(recs, Dept::RFB, "renfang_blacklist", listed, removed, None);
            } else if risk == 0 && self.rng.permille(300) {
                let listed = self.day();
                self.list_entry(recs, Dept::RFB, "renfang_redlist", listed, None, None);
            }
        }
        if risk == 0 && self.s.size != Some("micro") && self.rng.permille(25) {
            let listed = self.day();
            self.list_entry(recs, Dept::XYB, "other_redlist", listed, None, None);
        }
        if risk >= 3 && self.rng.permille(20) {
            let listed = self.day();
            self.list_entry(recs, Dept::XYB, "other_blacklist", listed, None, None);
        }
    }

    // ------------------------------------------------------------------ sector records

    fn sector_records(&mut self, recs: &mut Records) {
        let w = self.w;
        let risk = u64::from(self.st.risk);
        let (dept, domain, scheme, categories): (Dept, &str, Option<&str>, &[&str]) =
            match self.s.sector {
                Sector::Construction => (
                    Dept::ZJJ,
                    "construction",
                    Some("construction"),
                    CONSTRUCTION_BAD,
                ),
                Sector::Renfang => (Dept::RFB, "renfang", Some("renfang"), RENFANG_BAD),
                Sector::Transport => (Dept::JTYS, "transport", Some("transport"), TRANSPORT_BAD),
                Sector::Medical => (Dept::WJW, "medical", None, MEDICAL_BAD),
                _ => return,
            };
        if self.s.ty != SubjType::Enterprise {
            return;
        }
        // bad conduct
        let mean = [0.08, 0.5, 1.2, 2.5][risk as usize];
        for _ in 0..self.rng.count(mean) {
            let date = self.day();
            let mut r = recs.begin(&w.days, RecordKind::BadConduct, dept, &self.s.uscc, date);
            r.obj.str("domain", domain);
            r.obj.str("category", self.rng.pick_s(categories));
            let repaired = if self.rng.permille(50) {
                Some(date + self.rng.range(90, 400) as Day)
            } else {
                None
            };
            r.end(self.rng.permille(5), repaired.filter(|&d| d <= w.t));
        }
        // annual ratings of the sector
        if let Some(scheme) = scheme {
            let grades: &[&str] = match scheme {
                "renfang" => &["A", "B", "C"],
                "construction" => &["AAA", "AA", "A", "B", "C"],
                _ => &["AAA", "AA", "A", "B"],
            };
            let base = match risk {
                0 => 0,
                1 => 1,
                _ => grades.len() - 1,
            }
            .min(grades.len() - 1);
            let p = if scheme == "transport" { 450 } else { 700 };
            for y in (year_of(self.s.established) + 1).max(w.t_year() - RATING_YEARS)..w.t_year() {
                let d = ymd(y + 1, 3, 1) + self.rng.range(0, 30) as Day;
                if d > self.st.hi || d < self.st.lo || !self.rng.permille(p) {
                    continue;
                }
                let g = if self.rng.permille(700) {
                    base
                } else {
                    (base as i64 + self.rng.range(-1, 1)).clamp(0, grades.len() as i64 - 1) as usize
                };
                let mut r = recs.begin(&w.days, RecordKind::Rating, dept, &self.s.uscc, d);
                r.obj.str("scheme", scheme);
                r.obj.int("year", i64::from(y));
                r.obj.str("grade", grades[g]);
                r.end(false, None);
            }
        }
        // false materials in qualification applications
        if self.s.sector == Sector::Construction && risk >= 2 && self.rng.permille(60) {
            let date = self.day();
            let mut r = recs.begin(
                &w.days,
                RecordKind::FalseMaterials,
                Dept::ZJJ,
                &self.s.uscc,
                date,
            );
            r.obj.str("domain", "construction");
            r.end(false, None);
        }
    }

    // ------------------------------------------------------------------ honours

    fn honors(&mut self, recs: &mut Records) {
        let w = self.w;
        let p = match (self.st.risk, self.s.ty) {
            (0, SubjType::Enterprise) if self.s.size != Some("micro") => 220,
            (0, SubjType::Enterprise) => 30,
            (0, SubjType::Individual) => 8,
            (0, _) => 60,
            _ => 3,
        };
        if !self.rng.permille(p) {
            return;
        }
        for _ in 0..1 + self.rng.count(0.4) {
            let date = self.day();
            let (dept, title, level, years) = *self.rng.pick(HONORS);
            let mut r = recs.begin(&w.days, RecordKind::Honor, dept, &self.s.uscc, date);
            r.obj.str("title", title);
            r.obj.str("level", level);
            if years > 0 {
                r.obj.date("valid_to", add_months(date, 12 * years) - 1);
            }
            r.end(false, None);
        }
    }

    // ------------------------------------------------------------------ arrears

    fn arrears(&mut self, recs: &mut Records) {
        let w = self.w;
        let mean = match self.s.ty {
            SubjType::Enterprise => 0.34,
            SubjType::Individual => 0.18,
            SubjType::GovAgency => 0.15,
            _ => 0.12,
        } * (1.0 + 0.8 * f64::from(self.st.risk))
            * if self.st.dormant_from.is_some() {
                2.0
            } else {
                1.0
            };
        for _ in 0..self.rng.count(mean) {
            let date = self.day();
            let (dept, kind) = *self.rng.pick_w(&[
                (40, (Dept::GDGS, "power")),
                (22, (Dept::SBZX, "social_insurance")),
                (10, (Dept::SWJ, "tax")),
                (8, (Dept::GJJ, "housing_fund")),
                (12, (Dept::SWGS, "water")),
                (8, (Dept::RQJT, "gas")),
            ]);
            let months = self.rng.range(1, 12);
            let amount = match kind {
                "tax" => self.rng.amount_yuan(500, 800_000),
                "social_insurance" | "housing_fund" => self.rng.amount_yuan(800, 200_000),
                _ => self.rng.amount_yuan(100, 60_000),
            } + self.rng.below(100);
            let mut r = recs.begin(&w.days, RecordKind::Arrears, dept, &self.s.uscc, date);
            r.obj.str("arrears_kind", kind);
            r.obj.money("amount_cny", amount);
            if kind != "tax" {
                r.obj.int("months", months);
            }
            r.end(self.rng.permille(4), None);
        }
    }

    // ------------------------------------------------------------------ government-dishonesty ledger

    /// Items of the government-dishonesty ledger of an agency (政务诚信,
    /// seed 001 case 4): about half the agencies have none (clean, grade A);
    /// the others have arrears owed to enterprises, old debts of a former
    /// administration, unkept policy promises, contract defaults and duty
    /// failures, settled or not, with or without a repayment plan whose
    /// installments are paid on time, late, short or not at all — every
    /// rule of `gov-integrity` (GI1–GI4) holds for some agency.
    fn gov_ledger(&mut self, recs: &mut Records) {
        if self.s.ty != SubjType::GovAgency {
            return;
        }
        let w = self.w;
        let t = w.t;
        let n = if self.rng.permille(500) {
            0
        } else {
            1 + self.rng.count(0.6 + 0.6 * f64::from(self.st.risk))
        };
        for _ in 0..n {
            let date = self.day();
            let category = self.rng.pick_s(&[
                "arrears",
                "arrears",
                "legacy_debt",
                "policy_promise",
                "contract_default",
                "duty_failure",
            ]);
            let amount = self.rng.amount_yuan(20_000, 5_000_000);
            // The plan: none, or 2–6 installments every 1–3 months from
            // 2 months after the item was found.
            let planned = category != "duty_failure" && self.rng.permille(550);
            let parts = if planned {
                self.rng.range(2, 6) as u64
            } else {
                0
            };
            let step = self.rng.range(1, 3) as i32;
            let mut plan: Vec<Installment> = Vec::new();
            let mut settled = true;
            let mut last_paid = date;
            for i in 0..parts {
                let due = add_months(date, 2 + step * i as i32);
                let share = if i + 1 == parts {
                    amount - amount / parts * (parts - 1)
                } else {
                    amount / parts
                };
                let paid = if due > t {
                    None
                } else {
                    match self.rng.weighted(&[80, 9, 5, 6]) {
                        0 => Some((due - self.rng.below(10) as Day, share)),
                        1 => Some(((due + 1 + self.rng.below(60) as Day).min(t), share)),
                        2 => Some((due, share - 1 - self.rng.below(share.min(500_000)))),
                        _ => None,
                    }
                };
                match paid {
                    Some((on, cents)) if cents >= share && on <= due => {
                        last_paid = last_paid.max(on)
                    }
                    Some((on, _)) => {
                        last_paid = last_paid.max(on);
                        settled = false;
                    }
                    None => settled = false,
                }
                plan.push((due, share, paid));
            }
            let settled_on = if planned {
                (settled && plan.last().is_some_and(|p| p.0 <= t)).then_some(last_paid)
            } else if self.rng.permille(450) {
                let on = date + self.rng.below(400) as Day;
                (on <= t).then_some(on)
            } else {
                None
            };
            let mut r = recs.begin(
                &w.days,
                RecordKind::GovLedger,
                Dept::XYB,
                &self.s.uscc,
                date,
            );
            r.obj.str("category", category);
            if category != "duty_failure" {
                let idx = self.rng.below(1 << 40);
                let region = REGIONS[self.rng.weighted(&w.region_w)].code;
                w.uscc(idx, "91", region, OrgScheme::Ma, None, &mut self.text2);
                r.obj.str("counterparty", &self.text2);
                r.obj.money("amount_cny", amount);
            }
            r.obj.str(
                "description",
                match category {
                    "arrears" => "拖欠民营企业、中小企业账款",
                    "legacy_debt" => "新官不理旧账：前任班子签订的合同未履行",
                    "policy_promise" => "招商引资优惠政策承诺未兑现",
                    "contract_default" => "政府采购合同逾期付款",
                    _ => "履职尽责不到位",
                },
            );
            if planned {
                r.obj.objects("installments", plan.len(), |o, i| {
                    let (due, share, paid) = plan[i];
                    o.date("due_on", due);
                    o.money("amount_cny", share);
                    if let Some((on, cents)) = paid {
                        o.date("paid_on", on);
                        o.money("paid_cny", cents);
                    }
                });
            }
            if let Some(on) = settled_on {
                r.obj.date("settled_on", on.max(date));
            }
            r.end(self.rng.permille(3), None);
        }
    }

    // ------------------------------------------------------------------ financing needs

    fn financing(&mut self, recs: &mut Records) {
        let w = self.w;
        let sme = matches!(self.s.size, Some("micro" | "small" | "medium"));
        if self.s.ty != SubjType::Enterprise || !sme || self.s.status != Status::Active {
            return;
        }
        if !self.rng.permille(if self.st.risk == 0 { 45 } else { 20 }) {
            return;
        }
        for _ in 0..1 + u32::from(self.rng.permille(250)) {
            let Some(date) = self.day_between(ymd(2020, 6, 1), self.st.hi) else {
                return;
            };
            let dept = if self.rng.permille(600) {
                Dept::JRJ
            } else {
                Dept::XYB
            };
            let mut r = recs.begin(&w.days, RecordKind::FinancingNeed, dept, &self.s.uscc, date);
            r.obj.money(
                "amount_cny",
                *self.rng.pick(&[50u64, 100, 200, 300, 500, 800, 1000]) * 1_000_000,
            );
            r.obj.str(
                "purpose",
                self.rng.pick_s(&[
                    "流动资金周转",
                    "购置生产设备",
                    "技术改造",
                    "原材料采购",
                    "厂房建设",
                    "订单融资",
                ]),
            );
            r.end(false, None);
        }
    }
}

/// One installment of a ledger item's repayment plan: due day, amount
/// (cents), and the payment (day, cents) if any.
type Installment = (Day, u64, Option<(Day, u64)>);

/// Name of a random subject.
fn build_name(w: &World, rng: &mut Rng, s: &mut Subject, legal_name: &str, minfei: bool) {
    let region = &REGIONS[s.region];
    let industry = INDUSTRIES.iter().find(|i| i.code == s.industry);
    let out = &mut s.name;
    out.clear();
    match s.ty {
        SubjType::Enterprise => {
            let words: &[&str] = match s.industry {
                "renfang" => &["人防工程", "人防设备", "防护设备"],
                "construction" => &["建筑工程", "建设工程", "建筑安装"],
                "medical" => &["医疗", "医药"],
                _ => industry.map_or(&[][..], |i| i.ent_words),
            };
            w.enterprise_name(rng, s.region, words, out);
        }
        SubjType::Individual => {
            out.push_str(region.short);
            let surname_len = legal_name.chars().next().map_or(0, char::len_utf8);
            match rng.weighted(&[45, 15, 40]) {
                0 => {
                    out.push_str(&legal_name[..surname_len]);
                    out.push('记');
                }
                1 => {
                    out.push_str(&legal_name[..surname_len]);
                    out.push('氏');
                }
                _ => out.push_str(legal_name),
            }
            let shops = industry.map_or(&[][..], |i| i.shop_words);
            out.push_str(if shops.is_empty() {
                "商店"
            } else {
                rng.pick_s(shops)
            });
        }
        SubjType::Coop => {
            let (county, town) = *rng.pick(names::TOWNS);
            out.push_str(county);
            out.push_str(town);
            out.push_str(rng.pick_s(names::VILLAGES));
            out.push_str(rng.pick_s(names::COOP_PRODUCTS));
            out.push_str(if rng.permille(500) {
                "专业合作社"
            } else {
                "农民专业合作社"
            });
        }
        SubjType::SocialOrg if minfei => {
            out.push_str(if s.region == 6 {
                "营口市"
            } else {
                region.short
            });
            names::zihao(rng, out);
            out.push_str(rng.pick_s(&[
                "职业培训学校",
                "养老院",
                "幼儿园",
                "社会工作服务中心",
                "康复中心",
            ]));
        }
        SubjType::SocialOrg => {
            out.push_str("营口市");
            if rng.permille(500) {
                out.push_str(rng.pick_s(names::ASSOC_TRADES));
                out.push_str("协会");
            } else {
                out.push_str(rng.pick_s(names::ASSOC_HOMES));
                out.push_str("商会");
            }
        }
        SubjType::PublicInst => {
            if rng.permille(300) {
                out.push_str(if s.region == 6 {
                    "营口市"
                } else {
                    region.short
                });
                out.push('第');
                out.push_str(rng.pick_s(names::CHINESE_NUMBERS));
                out.push_str(rng.pick_s(&["中学", "小学", "初级中学"]));
            } else {
                out.push_str(if s.region == 6 {
                    "营口市"
                } else {
                    region.short
                });
                out.push_str(rng.pick_s(names::PUBLIC_CENTRES));
            }
        }
        SubjType::GovAgency => {
            if rng.permille(600) {
                out.push_str(if s.region == 6 {
                    "营口市"
                } else {
                    region.short
                });
                out.push_str(rng.pick_s(names::BUREAUS));
            } else {
                let (county, town) = *rng.pick(names::TOWNS);
                out.push_str(county);
                out.push_str(town);
                out.push_str("人民政府");
            }
        }
    }
}

/// The serial of a decision number (决定书文号): authorities number their
/// decisions per year, so serials stay small; derived from the record's
/// sequence number.
pub(crate) fn decision_number(seq: u64) -> u64 {
    seq % 20_000 + 1
}

/// Rounds a fine (cents) the way decisions state them: whole hundreds below
/// 10,000 yuan, whole thousands above.
fn round_fine(cents: u64) -> u64 {
    let yuan = cents / 100;
    let step = if yuan < 10_000 { 100 } else { 1_000 };
    (yuan / step).max(1) * step * 100
}

/// The sanctions of one penalty, in order, without duplicates.
#[derive(Debug, Default)]
struct Sanctions {
    items: [&'static str; 6],
    n: usize,
}

impl Sanctions {
    fn push(&mut self, s: &'static str) {
        if self.n < self.items.len() && !self.contains(s) {
            self.items[self.n] = s;
            self.n += 1;
        }
    }

    fn contains(&self, s: &str) -> bool {
        self.items[..self.n].contains(&s)
    }

    fn as_slice(&self) -> &[&'static str] {
        &self.items[..self.n]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PenaltyShape {
    /// Random variations (warning only, bands, tiers, extra sanctions).
    Random,
    /// Exactly the template's sanctions.
    AsTemplate,
}

#[cfg(test)]
mod tests {
    use super::*;
    use xinyong_core::uscc::Uscc;

    #[test]
    fn usccs_are_unique_and_valid() {
        let w = World::new(42, crate::default_reference_date());
        let mut seen = std::collections::HashSet::new();
        let mut code = String::new();
        for (i, scheme) in [
            (0u64, OrgScheme::Ma),
            (1, OrgScheme::Numeric),
            (2, OrgScheme::Mj),
        ] {
            for idx in 0..3_000u64 {
                w.uscc(idx * 3 + i, "91", "210804", scheme, None, &mut code);
                let u = Uscc::parse(&code).unwrap();
                assert!(u.check_ok() && u.org_code_check_ok(), "{code}");
                assert!(seen.insert(code.clone()));
            }
        }
        w.uscc(5, "92", "210882", OrgScheme::Ma, Some(7), &mut code);
        let u = Uscc::parse(&code).unwrap();
        assert!(!u.check_ok());
    }

    #[test]
    fn person_ids_are_stable_and_distinct() {
        let w = World::new(1, crate::default_reference_date());
        assert_eq!(w.person_id(17), w.person_id(17));
        let ids: std::collections::HashSet<[u8; 13]> =
            (0..50_000).map(|k| w.person_id(k)).collect();
        assert_eq!(ids.len(), 50_000);
        let mut a = String::new();
        let mut b = String::new();
        w.person_name(99, &mut a);
        w.person_name(99, &mut b);
        assert_eq!(a, b);
    }

    #[test]
    fn penalty_templates_name_producing_departments() {
        let producers = RecordKind::Penalty.spec().producers;
        for p in PENALTIES.iter().chain([
            &REVOKE_LICENSE,
            &ACCIDENT_FOOD,
            &ACCIDENT_CONSTRUCTION,
            &ACCIDENT_SAFETY_DEATH,
        ]) {
            assert!(producers.contains(&p.dept.code()), "{}", p.facts);
        }
        let producers = RecordKind::License.spec().producers;
        for l in LICENCES {
            assert!(producers.contains(&l.dept.code()), "{}", l.title);
        }
    }
}
