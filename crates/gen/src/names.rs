//! Chinese names of people and subjects, and the regions and industries of
//! the Yingkou free-trade zone city. All names are synthetic combinations.

use crate::rng::Rng;

/// Surnames with rough weights (northeast China: 王、李、张、刘 dominate).
pub(crate) const SURNAMES: &[(u32, &str)] = &[
    (72, "王"),
    (70, "李"),
    (68, "张"),
    (60, "刘"),
    (36, "陈"),
    (30, "杨"),
    (30, "于"),
    (28, "孙"),
    (26, "赵"),
    (22, "马"),
    (20, "高"),
    (18, "周"),
    (16, "吴"),
    (15, "徐"),
    (15, "郭"),
    (14, "董"),
    (13, "曲"),
    (12, "姜"),
    (12, "宋"),
    (12, "韩"),
    (11, "邢"),
    (10, "黄"),
    (10, "朱"),
    (10, "林"),
    (9, "何"),
    (9, "郑"),
    (9, "谢"),
    (9, "唐"),
    (8, "冯"),
    (8, "曹"),
    (8, "袁"),
    (8, "邓"),
    (8, "许"),
    (7, "沈"),
    (7, "吕"),
    (7, "苏"),
    (7, "丁"),
    (7, "魏"),
    (6, "薛"),
    (6, "叶"),
    (6, "潘"),
    (6, "杜"),
    (6, "田"),
    (6, "任"),
    (6, "范"),
    (6, "石"),
    (5, "姚"),
    (5, "谭"),
    (5, "金"),
    (5, "陆"),
    (5, "郝"),
    (5, "孔"),
    (5, "白"),
    (5, "崔"),
    (4, "康"),
    (4, "毛"),
    (4, "秦"),
    (4, "史"),
    (4, "侯"),
    (4, "孟"),
    (4, "关"),
    (4, "常"),
    (4, "武"),
    (4, "乔"),
    (3, "贺"),
    (3, "尹"),
    (3, "付"),
    (3, "隋"),
    (3, "鞠"),
    (3, "栾"),
];

pub(crate) const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "霞", "平", "刚", "桂", "英", "华", "玉", "萍", "红", "鹏", "辉", "斌", "宇", "浩", "凯",
    "健", "俊", "帆", "旭", "宁", "龙", "林", "欢", "阳", "建", "国", "峰", "亮", "成", "东", "波",
    "飞", "雪", "琳", "婷", "颖", "丹", "晶", "慧", "莹", "鑫", "海", "志", "新", "永", "春", "德",
    "文", "博", "晨", "思", "佳", "子", "雨", "泽", "一", "欣", "涵", "睿", "铭", "天", "振", "学",
    "立", "宏", "秀", "兰", "凤", "福", "贵", "喜", "双", "长", "庆", "铁", "占", "玉", "金", "淑",
    "艳", "秋", "冬",
];

/// Characters of trade names (字号).
pub(crate) const ZIHAO: &[&str] = &[
    "鑫", "华", "盛", "达", "隆", "恒", "泰", "宏", "祥", "瑞", "源", "丰", "鼎", "盈", "通", "远",
    "海", "港", "辽", "渤", "金", "利", "兴", "昌", "顺", "安", "嘉", "诚", "信", "德", "宇", "博",
    "天", "洋", "益", "佳", "众", "浩", "旺", "新", "中", "东", "北", "凯", "航", "富", "永", "聚",
    "合", "晟", "亿", "骏", "悦", "晨", "欣", "正", "大", "广", "峰", "铭", "辉", "润", "禾", "森",
    "智", "创", "锐", "星", "宝", "福", "汇", "弘", "启", "捷", "宸", "驰", "奥", "冠", "越", "亨",
    "裕", "懋", "谦", "舜", "禹", "岳", "腾", "科", "泓", "沣", "庆", "盟", "联",
];

/// A region (GB/T 2260) where subjects are registered.
#[derive(Debug)]
pub(crate) struct Region {
    pub(crate) code: &'static str,
    /// Short name used in names of individual businesses (鲅鱼圈区).
    pub(crate) short: &'static str,
    /// City prefix used in enterprise names (营口, 沈阳 …).
    pub(crate) city: &'static str,
    pub(crate) weight: u32,
}

pub(crate) const REGIONS: &[Region] = &[
    Region {
        code: "210804",
        short: "鲅鱼圈区",
        city: "营口",
        weight: 520,
    },
    Region {
        code: "210802",
        short: "站前区",
        city: "营口",
        weight: 80,
    },
    Region {
        code: "210803",
        short: "西市区",
        city: "营口",
        weight: 70,
    },
    Region {
        code: "210811",
        short: "老边区",
        city: "营口",
        weight: 90,
    },
    Region {
        code: "210881",
        short: "盖州市",
        city: "营口",
        weight: 85,
    },
    Region {
        code: "210882",
        short: "大石桥市",
        city: "营口",
        weight: 95,
    },
    Region {
        code: "210800",
        short: "营口市",
        city: "营口",
        weight: 30,
    },
    Region {
        code: "210102",
        short: "沈阳市和平区",
        city: "沈阳",
        weight: 8,
    },
    Region {
        code: "210202",
        short: "大连市中山区",
        city: "大连",
        weight: 8,
    },
    Region {
        code: "210302",
        short: "鞍山市铁东区",
        city: "鞍山",
        weight: 5,
    },
    Region {
        code: "211002",
        short: "辽阳市白塔区",
        city: "辽阳",
        weight: 3,
    },
    Region {
        code: "211102",
        short: "盘锦市双台子区",
        city: "盘锦",
        weight: 4,
    },
    Region {
        code: "210702",
        short: "锦州市古塔区",
        city: "锦州",
        weight: 2,
    },
];

pub(crate) fn region_weights() -> Vec<u32> {
    REGIONS.iter().map(|r| r.weight).collect()
}

/// Index of the Bayuquan (鲅鱼圈区, the free-trade zone) region.
pub(crate) const BAYUQUAN: usize = 0;

/// Economic sector of an industry, which drives licences, penalties and
/// sector records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sector {
    Agri,
    FoodMfg,
    Mfg,
    Chem,
    Metal,
    Utility,
    Construction,
    Wholesale,
    Retail,
    FoodRetail,
    Medical,
    Transport,
    Port,
    Hotel,
    Catering,
    It,
    RealEstate,
    Business,
    ResidentSvc,
    Repair,
    Education,
    Culture,
    Renfang,
    Public,
}

/// An industry: GB/T 4754-2017 class (or a sector tag), the words used in
/// names, and weights for enterprises and individual businesses.
#[derive(Debug)]
pub(crate) struct Industry {
    pub(crate) code: &'static str,
    pub(crate) sector: Sector,
    /// 行业词 of enterprise names.
    pub(crate) ent_words: &'static [&'static str],
    /// Shop words of individual businesses.
    pub(crate) shop_words: &'static [&'static str],
    pub(crate) w_ent: u32,
    pub(crate) w_ind: u32,
}

const fn ind(
    code: &'static str,
    sector: Sector,
    ent_words: &'static [&'static str],
    shop_words: &'static [&'static str],
    w_ent: u32,
    w_ind: u32,
) -> Industry {
    Industry {
        code,
        sector,
        ent_words,
        shop_words,
        w_ent,
        w_ind,
    }
}

use Sector::*;

pub(crate) const INDUSTRIES: &[Industry] = &[
    ind(
        "A0141",
        Agri,
        &["农业开发", "蔬菜种植"],
        &["蔬菜种植场"],
        3,
        3,
    ),
    ind("A0151", Agri, &["果业", "果品"], &["果园"], 2, 3),
    ind("A0313", Agri, &["牧业", "畜牧"], &["养殖场"], 2, 3),
    ind(
        "A0411",
        Agri,
        &["水产养殖", "海珍品"],
        &["海参养殖场"],
        2,
        2,
    ),
    ind(
        "C1361",
        FoodMfg,
        &["水产食品", "海产品加工"],
        &["海产品加工部"],
        3,
        1,
    ),
    ind(
        "C1411",
        FoodMfg,
        &["食品", "烘焙食品"],
        &["糕点坊", "面包房"],
        1,
        3,
    ),
    ind("C2921", Mfg, &["塑料制品", "包装材料", "塑业"], &[], 4, 0),
    ind("C2927", Mfg, &["塑料制品", "日用制品"], &[], 3, 0),
    ind("C2641", Chem, &["涂料", "化工"], &[], 2, 0),
    ind("C2614", Chem, &["化工", "石化"], &[], 2, 0),
    ind("C3089", Metal, &["耐火材料", "镁业", "镁质材料"], &[], 5, 0),
    ind("C3099", Metal, &["矿产品", "非金属材料"], &[], 2, 0),
    ind("C3130", Metal, &["钢铁", "钢材加工"], &[], 2, 0),
    ind("C3311", Metal, &["钢结构", "金属结构"], &[], 3, 0),
    ind(
        "C3484",
        Mfg,
        &["机械", "机械制造", "精密机械"],
        &["机械加工部"],
        5,
        1,
    ),
    ind(
        "C3670",
        Mfg,
        &["汽车零部件", "汽保设备", "汽车保修设备"],
        &[],
        4,
        0,
    ),
    ind("C3831", Mfg, &["电缆", "线缆"], &[], 1, 0),
    ind("D4411", Utility, &["热电", "电力"], &[], 1, 0),
    ind(
        "E4710",
        Construction,
        &["建筑工程", "建设", "建工"],
        &[],
        4,
        0,
    ),
    ind("E4812", Construction, &["路桥工程", "市政工程"], &[], 2, 0),
    ind(
        "E4910",
        Construction,
        &["电气安装", "机电安装"],
        &["水电安装部"],
        1,
        1,
    ),
    ind(
        "E5012",
        Construction,
        &["装饰工程", "装饰装修"],
        &["装修队", "装饰部"],
        2,
        2,
    ),
    ind(
        "F5162",
        Wholesale,
        &["石油化工", "石化销售", "能源"],
        &[],
        2,
        0,
    ),
    ind(
        "F5165",
        Wholesale,
        &["建材", "建筑材料"],
        &["建材商店"],
        3,
        2,
    ),
    ind(
        "F5174",
        Wholesale,
        &["五金", "五金交电"],
        &["五金商店"],
        2,
        3,
    ),
    ind(
        "F5181",
        Wholesale,
        &["贸易", "国际贸易", "进出口"],
        &[],
        8,
        0,
    ),
    ind("F5211", Retail, &["商贸", "百货"], &["百货商店"], 2, 2),
    ind(
        "F5212",
        Retail,
        &["超市", "商业连锁"],
        &["超市", "便利店"],
        2,
        6,
    ),
    ind(
        "F5223",
        FoodRetail,
        &["果蔬"],
        &["水果店", "蔬菜店", "果蔬店"],
        1,
        5,
    ),
    ind(
        "F5224",
        FoodRetail,
        &["水产品", "海产品"],
        &["海鲜店", "水产品店", "鲜肉店"],
        1,
        5,
    ),
    ind(
        "F5232",
        Retail,
        &["服饰", "服装"],
        &["服装店", "服饰店"],
        1,
        5,
    ),
    ind("F5261", Retail, &["汽车销售", "汽车贸易"], &[], 2, 0),
    ind("F5271", Retail, &["五金"], &["五金店"], 0, 3),
    ind(
        "F5251",
        Medical,
        &["医药", "大药房"],
        &["药店", "大药房"],
        1,
        2,
    ),
    ind(
        "G5431",
        Transport,
        &["物流", "运输", "货运"],
        &["货运部", "运输队"],
        6,
        3,
    ),
    ind("G5522", Port, &["船务", "海运", "航运"], &[], 2, 0),
    ind("G5532", Port, &["港务", "港口服务"], &[], 1, 0),
    ind(
        "G5821",
        Port,
        &["国际货运代理", "货运代理", "供应链管理"],
        &[],
        5,
        0,
    ),
    ind("G5920", Port, &["仓储", "仓储物流"], &[], 2, 0),
    ind("G5931", Port, &["冷链物流", "冷藏"], &[], 1, 0),
    ind(
        "H6110",
        Hotel,
        &["酒店", "宾馆"],
        &["旅店", "宾馆", "旅馆"],
        1,
        2,
    ),
    ind(
        "H6210",
        Catering,
        &["餐饮", "餐饮管理"],
        &["饭店", "酒家", "家常菜馆"],
        2,
        8,
    ),
    ind("H6220", Catering, &["快餐"], &["快餐店"], 1, 3),
    ind(
        "H6291",
        Catering,
        &["小吃"],
        &["小吃店", "烧烤店", "早餐店"],
        0,
        8,
    ),
    ind(
        "I6513",
        It,
        &["软件", "信息技术", "网络科技", "科技"],
        &[],
        5,
        0,
    ),
    ind("I6450", It, &["数据服务", "云计算"], &[], 1, 0),
    ind("K7010", RealEstate, &["房地产开发", "置业"], &[], 3, 0),
    ind("K7020", RealEstate, &["物业管理", "物业服务"], &[], 2, 0),
    ind(
        "L7212",
        Business,
        &["投资", "资产管理", "投资管理"],
        &[],
        3,
        0,
    ),
    ind("L7263", Business, &["劳务派遣", "人力资源"], &[], 2, 0),
    ind(
        "L7259",
        Business,
        &["广告", "文化传媒"],
        &["广告部", "图文快印店"],
        2,
        2,
    ),
    ind("O8010", ResidentSvc, &["家政服务"], &["家政服务部"], 1, 1),
    ind(
        "O8040",
        ResidentSvc,
        &["美容美发"],
        &["理发店", "美发店", "美容院"],
        0,
        6,
    ),
    ind("O8051", ResidentSvc, &["洗浴"], &["洗浴中心"], 1, 1),
    ind(
        "O8111",
        Repair,
        &["汽车维修", "汽车服务"],
        &["汽车修理部", "汽车维修部"],
        1,
        4,
    ),
    ind("O8131", Repair, &["家电维修"], &["家电维修部"], 0, 2),
    ind("P8391", Education, &["职业培训", "教育科技"], &[], 1, 0),
    ind(
        "R9011",
        Culture,
        &["娱乐", "文化娱乐"],
        &["KTV", "歌舞厅"],
        1,
        1,
    ),
    ind("R9013", Culture, &["网络会所"], &["网吧"], 0, 1),
    ind(
        "Q8423",
        Medical,
        &["门诊部", "医疗"],
        &["诊所", "口腔诊所"],
        1,
        1,
    ),
];

pub(crate) fn industry_weights(enterprise: bool) -> Vec<u32> {
    INDUSTRIES
        .iter()
        .map(|i| if enterprise { i.w_ent } else { i.w_ind })
        .collect()
}

/// Index of an industry code in [`INDUSTRIES`] (for scenario subjects).
pub(crate) fn industry_index(code: &str) -> usize {
    INDUSTRIES.iter().position(|i| i.code == code).unwrap_or(0)
}

pub(crate) const TOWNS: &[(&str, &str)] = &[
    ("盖州市", "双台镇"),
    ("盖州市", "杨运镇"),
    ("盖州市", "万福镇"),
    ("盖州市", "罗屯镇"),
    ("盖州市", "九寨镇"),
    ("大石桥市", "高坎镇"),
    ("大石桥市", "虎庄镇"),
    ("大石桥市", "旗口镇"),
    ("大石桥市", "官屯镇"),
    ("鲅鱼圈区", "熊岳镇"),
    ("鲅鱼圈区", "芦屯镇"),
    ("鲅鱼圈区", "红旗镇"),
    ("老边区", "柳树镇"),
    ("老边区", "边城镇"),
];

pub(crate) const VILLAGES: &[&str] = &[
    "团山村",
    "西海村",
    "东岗村",
    "二台子村",
    "九垄地村",
    "小石棚村",
    "榜式堡村",
    "沙岗村",
    "陈屯村",
    "永安村",
    "前进村",
    "胜利村",
    "和平村",
    "太阳升村",
    "望海村",
    "城子村",
];

pub(crate) const COOP_PRODUCTS: &[&str] = &[
    "苹果种植",
    "葡萄种植",
    "蔬菜种植",
    "生猪养殖",
    "肉牛养殖",
    "海参养殖",
    "水稻种植",
    "农机服务",
    "食用菌种植",
    "蓝莓种植",
    "桃树种植",
    "草莓种植",
];

pub(crate) const ASSOC_TRADES: &[&str] = &[
    "汽保行业",
    "物流行业",
    "塑料包装行业",
    "餐饮行业",
    "建筑业",
    "耐火材料行业",
    "个体劳动者",
    "软件行业",
    "家政服务业",
    "旅游行业",
    "房地产业",
    "电子商务",
    "网络直播行业",
];

pub(crate) const ASSOC_HOMES: &[&str] = &[
    "福建",
    "浙江",
    "温州",
    "山东",
    "河北",
    "黑龙江",
    "吉林",
    "江苏",
    "安徽",
    "河南",
];

pub(crate) const PUBLIC_CENTRES: &[&str] = &[
    "公共资源交易中心",
    "信息中心",
    "不动产登记中心",
    "社会保险事业服务中心",
    "医疗保障事务服务中心",
    "应急救援中心",
    "产品质量监督检验所",
    "食品药品检验检测中心",
    "大数据服务中心",
    "退役军人服务中心",
    "城市建设档案馆",
    "环境监测站",
    "中心医院",
    "中医院",
    "妇幼保健院",
    "口腔医院",
    "图书馆",
    "疾病预防控制中心",
];

pub(crate) const BUREAUS: &[&str] = &[
    "市场监督管理局",
    "生态环境局",
    "交通运输局",
    "住房和城乡建设局",
    "应急管理局",
    "商务局",
    "文化旅游和广播电视局",
    "卫生健康委员会",
    "民政局",
    "人力资源和社会保障局",
    "自然资源局",
    "水利局",
    "农业农村局",
    "财政局",
    "审计局",
    "统计局",
    "教育局",
    "科学技术局",
    "工业和信息化局",
    "司法局",
    "退役军人事务局",
];

pub(crate) const CHINESE_NUMBERS: &[&str] = &[
    "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四",
    "十五", "十六", "十七",
];

/// A person's name, derived only from the person key (the same person
/// always has the same name).
pub(crate) fn person_name(rng: &mut Rng, out: &mut String) {
    let surname: &&str = rng.pick_w(SURNAMES);
    out.push_str(surname);
    out.push_str(rng.pick_s(GIVEN));
    if rng.permille(720) {
        out.push_str(rng.pick_s(GIVEN));
    }
}

/// A two-character trade name (sometimes three).
pub(crate) fn zihao(rng: &mut Rng, out: &mut String) {
    let n = if rng.permille(120) { 3 } else { 2 };
    let mut last = "";
    let mut k = 0;
    while k < n {
        let c = *rng.pick(ZIHAO);
        if c == last {
            continue;
        }
        out.push_str(c);
        last = c;
        k += 1;
    }
}
