//! Data tables of the random city: penalty templates (real decisions of the
//! departments of seed 002, with their legal basis), licence titles, and the
//! texts of commitments, bad conduct and honours.

use crate::names::Sector;
use crate::out::Dept;

pub(crate) fn list_reason(list: &str) -> Option<&'static str> {
    Some(match list {
        "dishonest_debtor" => "有履行能力而拒不履行生效法律文书确定义务",
        "serious_violation" => "被列入经营异常名录届满三年仍未履行相关义务",
        "major_tax_violation" => "虚开增值税专用发票，偷税数额较大",
        "construction_blacklist" => "违法分包，受到行政处罚",
        "wage_arrears_blacklist" => "克扣、无故拖欠农民工工资达到认定拒不支付劳动报酬罪数额标准",
        "renfang_blacklist" => "人防工程质量问题受到行政处罚",
        "renfang_redlist" => "连续三年人防行业信用评价为A级",
        "other_redlist" => "诚信建设示范企业",
        "other_blacklist" => "相关部门依法认定的严重失信行为",
        _ => return None,
    })
}

pub(crate) fn dec_prefix(dept: Dept) -> &'static str {
    match dept {
        Dept::SCJG => "营市监处罚",
        Dept::GAJ => "营公（治）行罚决字",
        Dept::STHJ => "营环罚",
        Dept::YJGL => "（营）应急罚",
        Dept::ZJJ => "营住建罚字",
        Dept::JTYS => "营交执罚",
        Dept::WJW => "营卫罚",
        Dept::WLJ => "营文旅罚",
        Dept::SWJ => "营税稽罚",
        Dept::RFB => "营人防罚",
        _ => "营罚",
    }
}

pub(crate) fn inspection_items(dept: Dept) -> &'static [&'static str] {
    match dept {
        Dept::YJGL => &[
            "安全生产责任制落实情况",
            "危险化学品储存管理",
            "事故隐患排查治理",
            "安全生产教育培训",
        ],
        Dept::STHJ => &["排污许可执行情况", "污染防治设施运行", "危险废物规范化管理"],
        Dept::WJW => &["公共场所卫生", "医疗废物管理", "执业资质"],
        _ => &[
            "营业执照（登记证）规范使用情况",
            "年度报告公示信息",
            "经营（住所）地址",
            "食品经营许可及食品安全",
            "产品质量",
            "价格行为",
            "广告发布行为",
        ],
    }
}

/// A penalty template: a real kind of decision of a department.
#[derive(Debug)]
pub(crate) struct PenTpl {
    pub(crate) dept: Dept,
    pub(crate) domain: &'static str,
    pub(crate) facts: &'static str,
    pub(crate) basis: &'static str,
    /// Typical fine range in yuan.
    pub(crate) fine: (u64, u64),
    pub(crate) sanctions: &'static [&'static str],
    /// Confiscation of illegal gains is part of the decision.
    pub(crate) conf: bool,
    /// May be a warning only.
    pub(crate) warn_ok: bool,
    /// Fine bands of the legal clause (yuan): general, serious.
    pub(crate) bands: Option<((u64, u64), (u64, u64))>,
    pub(crate) tags: &'static [&'static str],
    pub(crate) sectors: &'static [Sector],
    /// Only for subjects of `sectors`.
    pub(crate) exclusive: bool,
    pub(crate) w: u32,
}

const FINE: &[&str] = &["fine"];

const fn pen(
    dept: Dept,
    domain: &'static str,
    facts: &'static str,
    basis: &'static str,
    fine: (u64, u64),
    w: u32,
) -> PenTpl {
    PenTpl {
        dept,
        domain,
        facts,
        basis,
        fine,
        sanctions: FINE,
        conf: false,
        warn_ok: true,
        bands: None,
        tags: &[],
        sectors: &[],
        exclusive: false,
        w,
    }
}

/// Penalty departments with base weights: seed 002 lists 公安局 with by far
/// the most 行政处罚 (3,230), then 市文旅局 (51) and 市卫健委 (50); market
/// supervision, tax, emergency management and environment are the other
/// large producers of a real city.
pub(crate) const PENALTY_DEPTS: &[(Dept, u32)] = &[
    (Dept::GAJ, 34),
    (Dept::SCJG, 26),
    (Dept::SWJ, 8),
    (Dept::YJGL, 6),
    (Dept::STHJ, 5),
    (Dept::JTYS, 4),
    (Dept::ZJJ, 3),
    (Dept::WJW, 2),
    (Dept::WLJ, 2),
    (Dept::RFB, 0),
];

pub(crate) fn sector_boost(d: Dept, s: Sector) -> u32 {
    use Sector::*;
    match (d, s) {
        (Dept::ZJJ, Construction) => 45,
        (Dept::JTYS, Transport | Port) => 35,
        (Dept::YJGL, Chem | Metal | Utility | Mfg) => 22,
        (Dept::STHJ, Chem | Metal | Utility | Mfg | FoodMfg) => 16,
        (Dept::SCJG, Catering | FoodRetail | FoodMfg | Retail | Wholesale) => 30,
        (Dept::WJW, Medical) => 40,
        (Dept::WJW, Hotel | ResidentSvc) => 8,
        (Dept::WLJ, Culture | Hotel) => 25,
        (Dept::GAJ, Hotel | Culture | ResidentSvc) => 15,
        (Dept::RFB, Renfang) => 45,
        (Dept::SWJ, It | Business | Wholesale) => 6,
        _ => 0,
    }
}

use Sector as S;

pub(crate) static PENALTIES: &[PenTpl] = &[
    // 市场监督管理局
    PenTpl {
        sanctions: &["fine", "confiscation"],
        sectors: &[S::Catering, S::FoodRetail, S::Retail, S::FoodMfg],
        ..pen(
            Dept::SCJG,
            "food_drug",
            "当事人经营超过保质期的食品",
            "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项",
            (5_000, 50_000),
            10,
        )
    },
    PenTpl {
        bands: Some(((5_000, 20_000), (20_000, 50_000))),
        sectors: &[S::Catering, S::FoodRetail, S::Retail, S::FoodMfg],
        ..pen(
            Dept::SCJG,
            "food_drug",
            "当事人未按规定建立并遵守进货查验记录制度",
            "《中华人民共和国食品安全法》第一百二十六条第一款第（三）项",
            (5_000, 50_000),
            10,
        )
    },
    PenTpl {
        bands: Some(((20_000, 100_000), (100_000, 200_000))),
        conf: true,
        ..pen(
            Dept::SCJG,
            "market_order",
            "当事人发布虚假广告，欺骗、误导消费者",
            "《中华人民共和国广告法》第五十五条第一款",
            (20_000, 200_000),
            5,
        )
    },
    pen(
        Dept::SCJG,
        "market_order",
        "当事人销售商品未按规定明码标价",
        "《中华人民共和国价格法》第四十二条",
        (500, 5_000),
        8,
    ),
    PenTpl {
        sanctions: &["fine", "confiscation"],
        sectors: &[S::Retail, S::Wholesale, S::Mfg],
        ..pen(
            Dept::SCJG,
            "product_quality",
            "当事人销售不合格产品",
            "《中华人民共和国产品质量法》第四十九条",
            (2_000, 100_000),
            6,
        )
    },
    PenTpl {
        bands: Some(((30_000, 100_000), (100_000, 300_000))),
        sectors: &[S::Mfg, S::Metal, S::Chem, S::Hotel, S::RealEstate, S::Port],
        ..pen(
            Dept::SCJG,
            "special_equipment",
            "当事人使用未经定期检验的特种设备",
            "《中华人民共和国特种设备安全法》第八十四条第（一）项",
            (30_000, 300_000),
            6,
        )
    },
    pen(
        Dept::SCJG,
        "market_order",
        "当事人从事无照经营活动",
        "《无证无照经营查处办法》第十三条",
        (1_000, 10_000),
        5,
    ),
    PenTpl {
        sanctions: &["fine", "confiscation"],
        ..pen(
            Dept::SCJG,
            "market_order",
            "当事人销售侵犯注册商标专用权的商品",
            "《中华人民共和国商标法》第六十条第二款",
            (5_000, 150_000),
            4,
        )
    },
    PenTpl {
        sanctions: &["fine", "confiscation"],
        warn_ok: false,
        sectors: &[S::Catering, S::FoodRetail, S::FoodMfg],
        ..pen(
            Dept::SCJG,
            "food_drug",
            "当事人经营的食品中检出非食用物质，损害人体健康",
            "《中华人民共和国食品安全法》第一百二十三条第一款第（一）项",
            (100_000, 500_000),
            1,
        )
    },
    PenTpl {
        warn_ok: false,
        ..pen(
            Dept::SCJG,
            "market_order",
            "当事人以虚构交易、编造用户评价等方式作虚假商业宣传，扰乱破坏市场秩序",
            "《中华人民共和国反不正当竞争法》第二十条第一款",
            (100_000, 1_000_000),
            1,
        )
    },
    // 公安局
    pen(
        Dept::GAJ,
        "public_security",
        "当事人未按规定登记住宿旅客身份信息",
        "《旅馆业治安管理办法》第十五条",
        (200, 5_000),
        10,
    ),
    pen(
        Dept::GAJ,
        "public_security",
        "当事人未落实互联网安全保护技术措施",
        "《计算机信息网络国际联网安全保护管理办法》第二十一条",
        (5_000, 15_000),
        6,
    ),
    pen(
        Dept::GAJ,
        "public_security",
        "当事人娱乐场所未按规定安装闭路电视监控设备",
        "《娱乐场所管理条例》第四十三条",
        (2_000, 20_000),
        5,
    ),
    PenTpl {
        bands: Some(((5_000, 20_000), (20_000, 50_000))),
        ..pen(
            Dept::GAJ,
            "fire_safety",
            "当事人占用、堵塞、封闭疏散通道、安全出口",
            "《中华人民共和国消防法》第六十条第一款第（三）项",
            (5_000, 50_000),
            10,
        )
    },
    PenTpl {
        warn_ok: false,
        sectors: &[S::Transport, S::Chem, S::Port],
        ..pen(
            Dept::GAJ,
            "road_traffic",
            "当事人违反规定通过道路运输危险化学品",
            "《危险化学品安全管理条例》第八十八条第（一）项",
            (50_000, 100_000),
            4,
        )
    },
    pen(
        Dept::GAJ,
        "public_security",
        "当事人印章刻制未按规定备案",
        "《印铸刻字业暨印章业治安管理办法》第十条",
        (200, 2_000),
        3,
    ),
    // 生态环境局
    PenTpl {
        bands: Some(((100_000, 500_000), (500_000, 1_000_000))),
        warn_ok: false,
        ..pen(
            Dept::STHJ,
            "environment",
            "当事人超过大气污染物排放标准排放大气污染物",
            "《中华人民共和国大气污染防治法》第九十九条第（二）项",
            (100_000, 1_000_000),
            6,
        )
    },
    PenTpl {
        warn_ok: false,
        ..pen(
            Dept::STHJ,
            "environment",
            "当事人建设项目环境影响报告表未经批准擅自开工建设",
            "《中华人民共和国环境影响评价法》第三十一条第一款",
            (50_000, 500_000),
            4,
        )
    },
    PenTpl {
        bands: Some(((10_000, 50_000), (50_000, 100_000))),
        ..pen(
            Dept::STHJ,
            "environment",
            "当事人未按照规定设置危险废物识别标志",
            "《中华人民共和国固体废物污染环境防治法》第一百一十二条第一款第（一）项",
            (10_000, 100_000),
            5,
        )
    },
    // 应急管理局
    PenTpl {
        bands: Some(((10_000, 50_000), (50_000, 100_000))),
        ..pen(
            Dept::YJGL,
            "production_safety",
            "当事人未按照规定对从业人员进行安全生产教育和培训",
            "《中华人民共和国安全生产法》第九十七条第（三）项",
            (10_000, 100_000),
            8,
        )
    },
    pen(
        Dept::YJGL,
        "production_safety",
        "当事人未建立事故隐患排查治理制度",
        "《中华人民共和国安全生产法》第一百零一条第（五）项",
        (10_000, 100_000),
        6,
    ),
    PenTpl {
        sectors: &[S::Chem, S::Wholesale, S::Port],
        warn_ok: false,
        ..pen(
            Dept::YJGL,
            "production_safety",
            "当事人危险化学品储存场所不符合国家标准要求",
            "《危险化学品安全管理条例》第八十条第一款第（五）项",
            (50_000, 100_000),
            3,
        )
    },
    // 住建局
    PenTpl {
        tags: &["subcontracting"],
        warn_ok: false,
        sectors: &[S::Construction, S::Renfang],
        exclusive: true,
        ..pen(
            Dept::ZJJ,
            "construction",
            "当事人将承包的工程违法分包",
            "《建设工程质量管理条例》第六十二条第一款",
            (50_000, 500_000),
            3,
        )
    },
    PenTpl {
        tags: &["lending_qualification"],
        warn_ok: false,
        sectors: &[S::Construction, S::Renfang],
        exclusive: true,
        ..pen(
            Dept::ZJJ,
            "construction",
            "当事人允许其他单位以本单位名义承揽工程，出借资质",
            "《中华人民共和国建筑法》第六十六条",
            (50_000, 400_000),
            2,
        )
    },
    PenTpl {
        warn_ok: false,
        ..pen(
            Dept::ZJJ,
            "construction",
            "当事人未取得施工许可证擅自施工",
            "《建筑工程施工许可管理办法》第十二条",
            (10_000, 200_000),
            6,
        )
    },
    pen(
        Dept::ZJJ,
        "construction",
        "当事人未按规定存储农民工工资保证金",
        "《保障农民工工资支付条例》第五十五条",
        (50_000, 100_000),
        3,
    ),
    // 交通运输局
    PenTpl {
        conf: true,
        warn_ok: false,
        ..pen(
            Dept::JTYS,
            "transport",
            "当事人未取得道路运输经营许可，擅自从事道路普通货物运输经营",
            "《中华人民共和国道路运输条例》第六十三条",
            (30_000, 100_000),
            5,
        )
    },
    pen(
        Dept::JTYS,
        "transport",
        "当事人所属车辆违法超限运输",
        "《公路安全保护条例》第六十四条",
        (1_000, 30_000),
        8,
    ),
    pen(
        Dept::JTYS,
        "transport",
        "当事人道路运输车辆未按规定进行维护和检测",
        "《道路运输车辆技术管理规定》第三十一条",
        (5_000, 20_000),
        4,
    ),
    // 卫健委
    pen(
        Dept::WJW,
        "health",
        "当事人公共场所卫生质量不符合国家卫生标准和要求",
        "《公共场所卫生管理条例实施细则》第三十六条",
        (1_000, 20_000),
        6,
    ),
    PenTpl {
        conf: true,
        warn_ok: false,
        sectors: &[S::Medical],
        ..pen(
            Dept::WJW,
            "medical",
            "当事人未取得医疗机构执业许可证擅自执业",
            "《中华人民共和国基本医疗卫生与健康促进法》第九十九条第一款",
            (50_000, 500_000),
            2,
        )
    },
    PenTpl {
        sectors: &[S::Medical],
        ..pen(
            Dept::WJW,
            "medical",
            "当事人未按规定对医疗废物进行分类收集",
            "《医疗废物管理条例》第四十六条第（一）项",
            (5_000, 30_000),
            4,
        )
    },
    // 文旅局
    pen(
        Dept::WLJ,
        "culture_tourism",
        "当事人互联网上网服务营业场所接纳未成年人进入",
        "《互联网上网服务营业场所管理条例》第三十一条第（二）项",
        (1_000, 15_000),
        5,
    ),
    pen(
        Dept::WLJ,
        "culture_tourism",
        "当事人旅行社未与旅游者签订书面包价旅游合同",
        "《中华人民共和国旅游法》第九十六条第一款第（四）项",
        (5_000, 50_000),
        3,
    ),
    // 税务局: the real 2,000-yuan band boundary of 税收征收管理法 第六十二条
    PenTpl {
        bands: Some(((0, 2_000), (2_000, 10_000))),
        ..pen(
            Dept::SWJ,
            "tax",
            "当事人未按照规定的期限办理纳税申报和报送纳税资料",
            "《中华人民共和国税收征收管理法》第六十二条",
            (200, 10_000),
            12,
        )
    },
    PenTpl {
        sanctions: &["fine", "confiscation"],
        warn_ok: false,
        ..pen(
            Dept::SWJ,
            "tax",
            "当事人虚开增值税普通发票",
            "《中华人民共和国发票管理办法》第三十五条",
            (50_000, 500_000),
            2,
        )
    },
    PenTpl {
        warn_ok: false,
        ..pen(
            Dept::SWJ,
            "tax",
            "当事人进行虚假纳税申报，少缴应纳税款",
            "《中华人民共和国税收征收管理法》第六十三条第一款",
            (5_000, 800_000),
            3,
        )
    },
    // 人防办
    PenTpl {
        sanctions: &["warning", "fine"],
        sectors: &[S::Renfang, S::RealEstate, S::Construction],
        exclusive: true,
        ..pen(
            Dept::RFB,
            "renfang",
            "当事人不按照国家规定修建战时可用于防空的地下室",
            "《中华人民共和国人民防空法》第四十八条",
            (10_000, 100_000),
            4,
        )
    },
    PenTpl {
        sectors: &[S::Renfang, S::RealEstate, S::Construction],
        exclusive: true,
        ..pen(
            Dept::RFB,
            "renfang",
            "当事人擅自改变人民防空工程主体结构，影响国防相关防护功能",
            "《中华人民共和国人民防空法》第四十九条第（二）项",
            (10_000, 50_000),
            1,
        )
    },
];

pub(crate) static REVOKE_LICENSE: PenTpl = PenTpl {
    sanctions: &["revoke_license"],
    warn_ok: false,
    ..pen(
        Dept::SCJG,
        "market_registration",
        "当事人成立后无正当理由超过六个月未开业，或者开业后自行停业连续六个月以上",
        "《中华人民共和国市场主体登记管理条例》第四十六条",
        (0, 0),
        0,
    )
};

pub(crate) static ACCIDENT_SAFETY_DEATH: PenTpl = PenTpl {
    warn_ok: false,
    ..pen(
        Dept::YJGL,
        "production_safety",
        "当事人对发生的生产安全事故负有责任，事故造成一人死亡",
        "《中华人民共和国安全生产法》第一百一十四条第一款第（一）项",
        (300_000, 1_000_000),
        0,
    )
};

pub(crate) static ACCIDENT_SAFETY_MINOR: PenTpl = PenTpl {
    warn_ok: false,
    ..pen(
        Dept::YJGL,
        "production_safety",
        "当事人对发生的一般生产安全事故负有责任，造成直接经济损失",
        "《中华人民共和国安全生产法》第一百一十四条第一款第（一）项",
        (200_000, 500_000),
        0,
    )
};

pub(crate) static ACCIDENT_CONSTRUCTION: PenTpl = PenTpl {
    warn_ok: false,
    ..pen(
        Dept::ZJJ,
        "construction",
        "当事人对发生的工程质量安全事故负有责任",
        "《建设工程安全生产管理条例》第五十七条",
        (100_000, 500_000),
        0,
    )
};

pub(crate) static ACCIDENT_FOOD: PenTpl = PenTpl {
    warn_ok: false,
    sanctions: &["fine", "confiscation"],
    ..pen(
        Dept::SCJG,
        "food_drug",
        "当事人经营的食品导致食物中毒事故，损害人体健康",
        "《中华人民共和国食品安全法》第一百二十八条",
        (50_000, 200_000),
        0,
    )
};

/// A licence title, its issuing department and the sectors that need it.
#[derive(Debug)]
pub(crate) struct LicTpl {
    pub(crate) title: &'static str,
    pub(crate) dept: Dept,
    pub(crate) sectors: &'static [Sector],
    /// Validity in years (`None`: no expiry).
    pub(crate) years: Option<i32>,
    pub(crate) no_prefix: &'static str,
    /// Per mille of applicable subjects holding it.
    pub(crate) p: u64,
}

/// Seed 002: 市行政审批局 issues by far the most 行政许可 (3,347), then 市文旅局
/// (418) and 公安局 (167); 卫健委 issues health permits.
#[rustfmt::skip]
pub(crate) const LICENCES: &[LicTpl] = &[
    LicTpl { title: "食品经营许可证", dept: Dept::XZSP, sectors: &[S::Catering, S::FoodRetail, S::Retail, S::Hotel], years: Some(5), no_prefix: "JY1", p: 900 },
    LicTpl { title: "食品生产许可证", dept: Dept::XZSP, sectors: &[S::FoodMfg], years: Some(5), no_prefix: "SC1", p: 900 },
    LicTpl { title: "道路运输经营许可证", dept: Dept::XZSP, sectors: &[S::Transport, S::Port], years: Some(4), no_prefix: "辽交运管许可营字", p: 850 },
    LicTpl { title: "建筑业企业资质证书", dept: Dept::XZSP, sectors: &[S::Construction, S::Renfang], years: Some(5), no_prefix: "D2", p: 850 },
    LicTpl { title: "安全生产许可证", dept: Dept::XZSP, sectors: &[S::Construction, S::Chem, S::Renfang], years: Some(3), no_prefix: "（辽）安许证字", p: 700 },
    LicTpl { title: "危险化学品经营许可证", dept: Dept::XZSP, sectors: &[S::Chem, S::Wholesale], years: Some(3), no_prefix: "辽营危化经字", p: 350 },
    LicTpl { title: "排污许可证", dept: Dept::XZSP, sectors: &[S::Chem, S::Metal, S::Utility, S::FoodMfg], years: Some(5), no_prefix: "91", p: 600 },
    LicTpl { title: "特种设备使用登记证", dept: Dept::XZSP, sectors: &[S::Mfg, S::Metal, S::Hotel, S::RealEstate, S::Port], years: None, no_prefix: "梯11辽H", p: 300 },
    LicTpl { title: "公共场所卫生许可证", dept: Dept::WJW, sectors: &[S::Hotel, S::ResidentSvc, S::Culture], years: Some(4), no_prefix: "营卫公证字", p: 800 },
    LicTpl { title: "医疗机构执业许可证", dept: Dept::WJW, sectors: &[S::Medical], years: Some(5), no_prefix: "PDY", p: 500 },
    LicTpl { title: "药品经营许可证", dept: Dept::XZSP, sectors: &[S::Medical], years: Some(5), no_prefix: "辽CB", p: 500 },
    LicTpl { title: "特种行业许可证（旅馆业）", dept: Dept::GAJ, sectors: &[S::Hotel], years: None, no_prefix: "营公特旅字", p: 850 },
    LicTpl { title: "网络文化经营许可证", dept: Dept::WLJ, sectors: &[S::Culture, S::It], years: Some(3), no_prefix: "辽网文", p: 300 },
    LicTpl { title: "娱乐经营许可证", dept: Dept::WLJ, sectors: &[S::Culture], years: Some(2), no_prefix: "营文娱经字", p: 800 },
    LicTpl { title: "旅行社业务经营许可证", dept: Dept::WLJ, sectors: &[S::Business, S::Hotel], years: None, no_prefix: "L-LN-", p: 120 },
    LicTpl { title: "营业性演出许可证", dept: Dept::WLJ, sectors: &[S::Culture, S::Education], years: Some(2), no_prefix: "营文演字", p: 150 },
    LicTpl { title: "劳务派遣经营许可证", dept: Dept::XZSP, sectors: &[S::Business], years: Some(3), no_prefix: "辽营劳派", p: 300 },
    LicTpl { title: "国内水路运输经营许可证", dept: Dept::XZSP, sectors: &[S::Port], years: Some(5), no_prefix: "交辽XK", p: 250 },
    LicTpl { title: "港口经营许可证", dept: Dept::XZSP, sectors: &[S::Port], years: Some(3), no_prefix: "（辽营）港经证", p: 200 },
    LicTpl { title: "城镇污水排入排水管网许可证", dept: Dept::XZSP, sectors: &[S::Catering, S::FoodMfg, S::Mfg, S::Hotel, S::Metal], years: Some(5), no_prefix: "营排字", p: 350 },
    LicTpl { title: "建筑工程施工许可证", dept: Dept::XZSP, sectors: &[S::RealEstate, S::Construction], years: None, no_prefix: "2108042", p: 450 },
    LicTpl { title: "户外广告设施设置许可", dept: Dept::XZSP, sectors: &[S::Business, S::Retail, S::Catering], years: Some(1), no_prefix: "营城广许", p: 60 },
    LicTpl { title: "印章刻制许可（特种行业许可证）", dept: Dept::GAJ, sectors: &[S::Business], years: None, no_prefix: "营公特印字", p: 40 },
    LicTpl { title: "出版物经营许可证", dept: Dept::WLJ, sectors: &[S::Retail, S::Education], years: Some(6), no_prefix: "新出发营字", p: 50 },
    LicTpl { title: "对外贸易经营者备案登记", dept: Dept::XZSP, sectors: &[S::Wholesale, S::Port, S::Mfg], years: None, no_prefix: "0", p: 150 },
];

pub(crate) const PLEDGE_MATTERS: &[&str] = &[
    "在“信用中国（辽宁营口）”网站公开作出信用承诺",
    "《信用承诺书》（信易贷）",
    "信用修复信用承诺",
    "市场主体诚信经营承诺",
];

pub(crate) const NOTIFY_MATTERS: &[&str] = &[
    "食品经营许可证核发",
    "劳务派遣经营许可",
    "建设项目环境影响评价审批",
    "网络货运经营许可",
    "特种设备使用登记",
    "国内水路运输经营许可",
    "公共场所卫生许可",
    "工业产品生产许可证新办",
];

pub(crate) const GOV_MATTERS: &[&str] = &[
    "招商引资优惠政策兑现承诺",
    "拖欠企业账款清偿计划",
    "政府采购合同履约承诺",
];

pub(crate) const CONSTRUCTION_BAD: &[&str] = &[
    "拖欠农民工工资",
    "违规分包",
    "施工现场安全管理不到位",
    "工程质量通病治理不力",
    "投标中弄虚作假",
];
pub(crate) const RENFANG_BAD: &[&str] = &[
    "人防工程质量问题",
    "人防设备安装不规范",
    "未按规定进行人防工程维护管理",
    "人防工程竣工验收资料不全",
];
pub(crate) const TRANSPORT_BAD: &[&str] = &[
    "超限超载运输",
    "驾驶员超时驾驶",
    "动态监控不到位",
    "车辆技术档案不全",
];
pub(crate) const MEDICAL_BAD: &[&str] = &["医疗废物处置不规范", "病历书写不规范", "违规收费"];

pub(crate) const HONORS: &[(Dept, &str, &str, i32)] = &[
    (Dept::SCJG, "守合同重信用企业", "provincial", 2),
    (Dept::SCJG, "守合同重信用企业", "municipal", 2),
    (Dept::XYB, "诚信示范企业", "municipal", 3),
    (Dept::RSJ, "和谐劳动关系示范企业", "municipal", 3),
    (Dept::FGW, "营口市优秀民营企业", "municipal", 0),
    (Dept::FGW, "辽宁省“专精特新”中小企业", "provincial", 3),
    (Dept::XYB, "诚信建设万里行示范单位", "municipal", 0),
    (Dept::RSJ, "劳动保障守法诚信单位", "district", 2),
];
