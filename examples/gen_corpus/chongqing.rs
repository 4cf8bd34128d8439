//! 004 潼南 (Chongqing) 2021 部门预算: the standard set of financial tables in 万元, the 整体绩效目标表
//! and four Chongqing-style 项目绩效目标表. The source's own inconsistencies are kept: 基本支出
//! 494.82 (支出预算表, 部门支出总表) vs 494.83 (基本支出预算表), and a 部门收支总表 row labelled
//! 社会保险基金支出 that carries 社会保障和就业支出's 39.70.

use std::collections::BTreeMap;
use std::rc::Rc;

use yusuan::interpret::{BudgetLine, DepartmentIndicator, DepartmentPerformance, Indicator, ProjectPerformance, Record};

use crate::hebei::level3;
use crate::model::*;

const AGENCY: &str = "重庆市潼南区政务服务管理办公室";
const UNIT: &str = "万元";

/// A financial table with 科目 rows: which grid columns hold code / name / amounts, and the
/// amount columns' leaf headers.
struct LineTable {
    table: usize,
    title: &'static str,
    first_data_row: usize,
    keys: Vec<&'static str>,
    /// (row, code, name, printed amounts)
    rows: Vec<(usize, &'static str, &'static str, Vec<&'static str>)>,
}

impl LineTable {
    /// The arithmetic the printed numbers break, found by the generator's own check: a total or a
    /// 类/款 row against the sum of its children by 科目编码 prefix, and the first amount column
    /// against the sum of the others. A difference of one printed unit (0.01 万元) is `rounding`,
    /// more is `sum_mismatch` / `hierarchy_mismatch`. One warning per row, the worst code.
    fn arithmetic_warnings(&self) -> Vec<ExpectedWarning> {
        use rust_decimal::Decimal;
        let val = |v: &str| -> Decimal {
            let t: String = v.chars().filter(|c| *c != ',').collect();
            if t.is_empty() { Decimal::ZERO } else { dec(&t) }
        };
        let cent = dec("0.01");
        let mut out = Vec::new();
        for (row, code, name, vals) in &self.rows {
            let mut worst: Option<(&'static str, String)> = None;
            let mut note = |code: &'static str, why: String| {
                let rank = |c: &str| if c == "rounding" { 0 } else { 1 };
                if worst.as_ref().is_none_or(|w| rank(code) > rank(w.0)) {
                    worst = Some((code, why));
                }
            };
            let child_len = if code.is_empty() { 3 } else { code.len() + 2 };
            let children: Vec<_> = self.rows.iter().filter(|r| r.1.len() == child_len && r.1.starts_with(code)).collect();
            if !children.is_empty() {
                for (k, key) in self.keys.iter().enumerate() {
                    let sum: Decimal = children.iter().map(|r| val(r.3[k])).sum();
                    let diff = (val(vals[k]) - sum).abs();
                    if diff > Decimal::ZERO {
                        let kind = if diff <= cent { "rounding" } else if code.is_empty() { "sum_mismatch" } else { "hierarchy_mismatch" };
                        note(kind, format!("{name} {key} {} vs its rows' sum {sum}", vals[k]));
                    }
                }
            }
            let rest: Decimal = vals[1..].iter().map(|v| val(v)).sum();
            let diff = (val(vals[0]) - rest).abs();
            if diff > Decimal::ZERO {
                note(if diff <= cent { "rounding" } else { "sum_mismatch" }, format!("{name} {} {} vs its columns' sum {rest}", self.keys[0], vals[0]));
            }
            if let Some((code, why)) = worst {
                out.push(ExpectedWarning { code, message: format!("{}: {why}", self.title), table: Some(self.table), row: Some(*row) });
            }
        }
        out
    }

    fn records(&self) -> Vec<Record> {
        self.rows
            .iter()
            .map(|(row, code, name, vals)| {
                let mut amounts = BTreeMap::new();
                for (k, v) in self.keys.iter().zip(vals) {
                    amounts.insert(k.to_string(), amount(v, UNIT));
                }
                Record::BudgetLine(BudgetLine {
                    table_title: Some(self.title.to_string()),
                    agency_name: Some(AGENCY.to_string()),
                    amount_unit: Some(UNIT.to_string()),
                    subject_code: if code.is_empty() { None } else { Some(code.to_string()) },
                    subject_name: Some(name.trim_end_matches(['：', ':']).to_string()),
                    amounts,
                    source_tables: vec![self.table],
                    row: Some(*row),
                })
            })
            .collect()
    }
}

/// 功能分类 rows shared by the 支出预算表 and the 部门支出总表 (合计 / 基本 / 项目 as printed there).
const FUNC_ROWS: [(&str, &str, &str, &str, &str); 16] = [
    ("201", "一般公共服务支出", "1,866.11", "428.61", "1,437.50"),
    ("20103", "政府办公厅（室）及相关机构事务", "1,866.11", "428.61", "1,437.50"),
    ("2010301", "行政运行", "428.61", "428.61", ""),
    ("2010302", "一般行政管理事务", "1,437.50", "", "1,437.50"),
    ("208", "社会保障和就业支出", "39.70", "39.70", ""),
    ("20805", "行政事业单位养老支出", "39.70", "39.70", ""),
    ("2080505", "机关事业单位基本养老保险缴费支出", "15.83", "15.83", ""),
    ("2080506", "机关事业单位职业年金缴费支出", "13.87", "13.87", ""),
    ("2080599", "其他行政事业单位养老支出", "10.00", "10.00", ""),
    ("210", "卫生健康支出", "14.64", "14.64", ""),
    ("21011", "行政事业单位医疗", "14.64", "14.64", ""),
    ("2101101", "行政单位医疗", "11.88", "11.88", ""),
    ("2101199", "其他行政事业单位医疗支出", "2.76", "2.76", ""),
    ("221", "住房保障支出", "11.88", "11.88", ""),
    ("22102", "住房改革支出", "11.88", "11.88", ""),
    ("2210201", "住房公积金", "11.88", "11.88", ""),
];

const ECON_ROWS: [(&str, &str, &str, &str, &str); 31] = [
    ("301", "工资福利支出", "413.87", "413.87", ""),
    ("30101", "基本工资", "44.99", "44.99", ""),
    ("30102", "津贴补贴", "47.26", "47.26", ""),
    ("30103", "奖金", "62.59", "62.59", ""),
    ("30108", "机关事业单位基本养老保险缴费", "15.83", "15.83", ""),
    ("30109", "职业年金缴费", "13.87", "13.87", ""),
    ("30110", "职工基本医疗保险缴费", "8.41", "8.41", ""),
    ("30112", "其他社会保障缴费", "1.78", "1.78", ""),
    ("30113", "住房公积金", "11.88", "11.88", ""),
    ("30114", "医疗费", "1.98", "1.98", ""),
    ("30199", "其他工资福利支出", "205.28", "205.28", ""),
    ("302", "商品和服务支出", "68.20", "", "68.20"),
    ("30201", "办公费", "5.00", "", "5.00"),
    ("30202", "印刷费", "1.00", "", "1.00"),
    ("30205", "水费", "0.10", "", "0.10"),
    ("30206", "电费", "0.20", "", "0.20"),
    ("30207", "邮电费", "0.10", "", "0.10"),
    ("30211", "国内差旅费", "19.80", "", "19.80"),
    ("30213", "维修（护）费", "0.10", "", "0.10"),
    ("30215", "会议费", "0.30", "", "0.30"),
    ("30216", "培训费", "0.64", "", "0.64"),
    ("30217", "公务接待费", "2.00", "", "2.00"),
    ("30226", "劳务费", "0.50", "", "0.50"),
    ("30228", "工会经费", "4.84", "", "4.84"),
    ("30229", "福利费", "2.07", "", "2.07"),
    ("30231", "公务用车运行维护费", "4.00", "", "4.00"),
    ("30239", "其他交通费用", "10.48", "", "10.48"),
    ("30299", "其他商品和服务支出", "17.06", "", "17.06"),
    ("303", "对个人和家庭的补助", "12.76", "12.76", ""),
    ("30307", "医疗费", "2.76", "2.76", ""),
    ("30399", "其他对个人和家庭的补助支出", "10.00", "10.00", ""),
];

fn title_para(s: &str) -> Block {
    Block::Heading(s.to_string())
}

pub(crate) struct CqInd {
    pub(crate) l1: &'static str,
    pub(crate) l2: &'static str,
    pub(crate) l3: &'static str,
    pub(crate) value: &'static str,
}

pub(crate) struct CqProject {
    pub(crate) name: &'static str,
    pub(crate) dept: &'static str,
    pub(crate) unit_name: &'static str,
    pub(crate) total: &'static str,
    pub(crate) nature: &'static str,
    pub(crate) start: &'static str,
    pub(crate) end: &'static str,
    pub(crate) overview: &'static str,
    pub(crate) basis: &'static str,
    pub(crate) goal: &'static str,
    pub(crate) inds: Vec<CqInd>,
}

pub(crate) fn q(l1: &'static str, l2: &'static str, l3: &'static str, value: &'static str) -> CqInd {
    CqInd { l1, l2, l3, value }
}

fn common_output(cost: Vec<CqInd>) -> Vec<CqInd> {
    let mut v = vec![
        q("产出指标", "数量指标", "指标 1: 入驻政务服务部门；", "28个"),
        q("产出指标", "数量指标", "指标 2: 办事窗口；", "182个"),
        q("产出指标", "数量指标", "指标 3: 中心工作人员；", "262名"),
        q("产出指标", "数量指标", "指标 4: 政务服务事项；", "1187项"),
        q("产出指标", "数量指标", "指标 5: 受理政务服务事项数。", "96万件"),
        q("产出指标", "质量指标", "指标 1: 节约社会资源，提高办事效率。", "30%"),
        q("产出指标", "质量指标", "指标 2: 政务服务事项上网率。", "≥80%"),
        q("产出指标", "时效指标", "指标 1: 按时办结率；", "≥98.7%"),
        q("产出指标", "时效指标", "指标 2: 社会投资项目承诺办结总时限；", "32个工作日"),
        q("产出指标", "时效指标", "指标 3: 政府投资项目承诺办结时限；", "34个工作日"),
        q("产出指标", "时效指标", "指标:4: 优化企业开办时间，承诺压减时限。", "2个工作日"),
    ];
    v.extend(cost);
    v.extend([
        q("效益指标", "经济效益指标", "指标 1:提高办事效率，为企业和办事群众提供优质服务，间接促进社会投资，助推经济发展。", "满意度≧90%、办结率≧95%"),
        q("效益指标", "社会效益指标", "指标 1: 推进行政审批服务网络化、便利化。", "满意度≧90%"),
        q("效益指标", "社会效益指标", "指标 2: 改善政务环境，提供服务质量，方便企业、群众办事。", "满意度≧90%"),
        q("效益指标", "可持续影响指标", "指标 1: 推进行政审批服务便利化，改善政务服务环境，优化政务服务质量，方便企业、群众办事。", "满意度≧90%"),
        q("满意度指标", "服务对象满意度指标", "指标 1: 推进行政审批服务网络化运行，方便群众办事。", "网上办结率95%，满意度≧95%"),
        q("满意度指标", "服务对象满意度指标", "指标 2: 确保行政服务中心工作正常开展。", "满意度≧95%"),
    ]);
    v
}

fn projects() -> Vec<CqProject> {
    vec![
        CqProject {
            name: "区行政服务中心日常运行经费",
            dept: "区政务服务管理办",
            unit_name: "区政务服务管理办",
            total: "165.5",
            nature: "常年",
            start: "2021年1月1日",
            end: "2021年12月31日",
            overview: "潼南区行政服务中心日常运行：水电、宽带服务、律师服务、中心宣传印刷、标识标牌、设施设备维护及物业管理费等。",
            basis: "潼南委发〔2018〕12号、潼委办〔2018〕21号、潼委编〔2019〕110号",
            goal: "保障行政服务中心正常运行，顺利开展行政审批服务工作；推进行政审批服务便利化、网络化，方便企业、群众办事。",
            inds: common_output(vec![
                q("产出指标", "成本指标", "指标 1: 水电费", "65万元"),
                q("产出指标", "成本指标", "指标 2: 办公业务费", "11万元"),
                q("产出指标", "成本指标", "指标 3: 物业管理", "61.5万元"),
                q("产出指标", "成本指标", "指标 4: 设施设备维护", "13万元"),
                q("产出指标", "成本指标", "指标 5: 通信费、网络宽带租用", "15万元"),
            ]),
        },
        CqProject {
            name: "行政服务中心工作人员培训服务经费",
            dept: "区行政服务管理办",
            unit_name: "区行政服务管理办",
            total: "9",
            nature: "常年",
            start: "2021.1.1",
            end: "2021.12.31",
            overview: "行政服务中心工作人员行政许可、岗位培训、文明礼仪、心理疏导、身心健康等培训服务。",
            basis: "潼委办〔2018〕21号、《重庆市政务服务管理办法》（市政府令第335号）",
            goal: "增强行政服务中心的凝聚力和向心力，提高中心工作人员规范服务意识、责任意识，提升服务工作质量。",
            inds: vec![
                q("产出指标", "数量指标", "行政服务中心工作人员培训服务。", "300人"),
                q("产出指标", "质量指标", "改善政务服务环境，提升政务服务工作质量。", "满意度≧90%"),
                q("产出指标", "时效指标", "2021年年底前完成。", "2021年12月完成"),
                q("产出指标", "成本指标", "行政许可相关法律知识、文明礼仪、廉政教育、职业病防治、心理健康辅导等培训", "300元/人，12场次，9万元"),
                q("效益指标", "经济效益指标", "提高工作人员服务质量，增强行政服务中心的凝聚力和向心力，间接促进社会投资，助推经济发展。", "满意度≧90%"),
                q("效益指标", "社会效益指标", "激发工作人员工作热情，提升窗口形象。", "办结率≧95%"),
                q("效益指标", "可持续影响指标", "改善政务环境，提供服务质量，并长期坚持。", "满意度≧90%、办结率≥95%"),
                q("满意度指标", "服务对象满意度指标", "提高中心工作人员责任意识、服务意识，提升政务服务工作质量。", "群众满意度≧95%"),
            ],
        },
        CqProject {
            name: "政务服务工作站建设经费",
            dept: "区政务服务管理办",
            unit_name: "区政务服务管理办",
            total: "36",
            nature: "一次",
            start: "2021年3月1日",
            end: "2021年12月31日",
            overview: "在邮政、银行、广场等场所设置自助设备，并派导办人员或以镇企合作等方式，为办事群众提供业务查询、证照打印、自助申报等服务。",
            basis: "渝府办发〔2020〕30号、潼南府办发〔2020〕30号",
            goal: "打通政务服务“最后一公里”，提升企业、群众办事满意度。",
            inds: vec![
                q("产出指标", "数量指标", "指标 1: 在潼南城区内2个地点配置自助查询和证照打印设备，并派导办人员或以政企合作方式，为群众提供服务。", "服务群众3万人次/年"),
                q("产出指标", "质量指标", "指标 1: 政务服务向“最后一公里”拓展延伸，让群众“就近办事”，提升社会效益、公众信任程度。", "有效评价2万条/年"),
                q("产出指标", "时效指标", "指标 1: 政务服务全天24小时“不打烊”，年度实现“零”超时办结件。", "0"),
                q("产出指标", "成本指标", "指标 1: 一是2个地点配置自助申报设备、自助查询和证照打印一体机；二是导办人员或政企合作经费。", "36万元"),
                q("效益指标", "经济效益指标", "指标 1: 节约办事成本，提高社会效率。", "办件量3万件/年"),
                q("效益指标", "社会效益指标", "指标 1: 打通政务服务“最后一公里”，工作人员服务始终做到举止文明、热情礼貌、用语规范、服务高效，细节体现个性化。", "好评率≧90%"),
                q("效益指标", "可持续影响指标", "指标 1: 政务服务机构及时了解，响应企业和群众服务需求，持续提升服务质量和效率，更好服务企业和群众的良性互动机制。", "好评率≧90%"),
                q("满意度指标", "服务对象满意度指标", "指标 1: 多渠道行使监督权，综合评价模式更加健全，实现服务“零投诉”。", "好评率≧90%"),
            ],
        },
        CqProject {
            name: "政务中心办公用房租赁费",
            dept: "区政务服务管理办",
            unit_name: "区政务服务管理办",
            total: "1227",
            nature: "常年",
            start: "2021年1月1日",
            end: "2021年12月31日",
            overview: "潼南区行政服务中心租赁费用",
            basis: "《关于规范行政事业单位国有资产出租出借管理的通知》、《潼南区城市建设投资（集团）有限公司关于行政服务中心租赁费的函》（潼城投司〔2019〕141号）",
            goal: "顺利开展行政审批服务工作；推进行政审批服务便利化、网络化，方便企业、群众办事。",
            inds: common_output(vec![q("产出指标", "成本指标", "指标 1: 租赁费", "1227万元")]),
        },
    ]
}

fn runs<T>(items: &[T], key: impl Fn(&T) -> (&str, &str), depth: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < items.len() {
        let mut j = i + 1;
        while j < items.len() && {
            let (a1, a2) = key(&items[i]);
            let (b1, b2) = key(&items[j]);
            if depth == 1 { a1 == b1 } else { a1 == b1 && a2 == b2 }
        } {
            j += 1;
        }
        out.push(j - i);
        i = j;
    }
    out
}

pub(crate) fn project_table(p: &CqProject) -> TableModel {
    let mut t = TableModel::new(&[4.0, 12.0, 13.0, 27.0, 19.0, 25.0]).font(9.0);
    t.row(vec![cs("项目名称", 2), cs(p.name, 4)]);
    t.row(vec![cs("主管部门", 2), cs(p.dept, 2), c("实施单位"), c(p.unit_name)]);
    t.row(vec![cs("资金总额（万元）", 2), cs(p.total, 2), c("项目性质（常年或一次）"), c(p.nature)]);
    t.row(vec![cs("项目起始时间", 2), cs(p.start, 2), c("项目终止时间"), c(p.end)]);
    t.row(vec![cs("项目概况", 2), cs(p.overview, 4).l()]);
    t.row(vec![cs("立项依据", 2), cs(p.basis, 4).l()]);
    t.row(vec![cs("项目当年绩效目标", 2), cs(p.goal, 4).l()]);
    t.row(vec![rs("绩效指标", 1 + p.inds.len()), c("一级指标"), c("二级指标"), cs("三级指标", 2), c("指标值")]);
    let l1 = runs(&p.inds, |x| (x.l1, x.l2), 1);
    let l2 = runs(&p.inds, |x| (x.l1, x.l2), 2);
    let mut l1_start = std::collections::HashMap::new();
    let mut i = 0;
    for r in l1 {
        l1_start.insert(i, r);
        i += r;
    }
    let mut l2_start = std::collections::HashMap::new();
    i = 0;
    for r in l2 {
        l2_start.insert(i, r);
        i += r;
    }
    for (k, x) in p.inds.iter().enumerate() {
        let mut row = Vec::new();
        if let Some(&n) = l1_start.get(&k) {
            row.push(rs(x.l1, n));
        }
        if let Some(&n) = l2_start.get(&k) {
            row.push(rs(x.l2, n));
        }
        row.push(cs(x.l3, 2).l());
        row.push(c(x.value));
        t.row(row);
    }
    t.finish()
}

pub(crate) fn project_record(p: &CqProject, fmt: Fmt, table: usize) -> Record {
    Record::ProjectPerformance(ProjectPerformance {
        title: None,
        agency_code: None,
        agency_name: None,
        amount_unit: Some(UNIT.into()),
        project_name: Some(p.name.into()),
        budget_total: amount(p.total, UNIT),
        competent_dept: Some(p.dept.into()),
        implementing_unit: Some(p.unit_name.into()),
        project_nature: Some(p.nature.into()),
        start_date: date(p.start, false),
        end_date: date(p.end, true),
        overview: Some(join(p.overview, fmt)),
        legal_basis: Some(join(p.basis, fmt)),
        goal: Some(join(p.goal, fmt)),
        indicators: p
            .inds
            .iter()
            .map(|i| {
                let (comparator, target, unit) = parse_quantity(i.value);
                Indicator {
                    level1: Some(i.l1.into()),
                    level2: Some(i.l2.into()),
                    level3: Some(level3(i.l3)),
                    description: None,
                    value: Some(join(i.value, fmt)),
                    comparator,
                    target,
                    unit,
                    basis: None,
                }
            })
            .collect(),
        source_tables: vec![table],
        ..Default::default()
    })
}

const DEPT_INDS: [(&str, &str, &str, &str, &str); 10] = [
    ("入驻部门", "5%", "个", "=", "28"),
    ("办事窗口", "5%", "个", "=", "182"),
    ("中心工作人员", "10%", "名", "=", "262"),
    ("自助设备配置", "10%", "套", "=", "2"),
    ("事项上网率", "10%", "百分率", "≥", "80"),
    ("业务办理“不打烊”", "10%", "小时", "=", "24*7"),
    ("优化政务服务环境", "10%", "百分率", "≧", "90"),
    ("提升服务质量和效率", "15%", "百分率", "≧", "90"),
    ("推进“互联网+政务服务”平台运行发展", "15%", "百分率", "≧", "90"),
    ("提升满意度", "10%", "百分率", "≧", "90"),
];
const DEPT_GOAL: &str = "1.保障政务中心正常运行，顺利开展行政审批服务工作；\n2.推进行政审批服务便利化、网络化，方便企业、群众办事；\n3.提高企业群众办事体验，评价体系更加健全、评价标准更加规范；\n4.提高工作人员业务素养，提升满意度；\n5.推进“互联网+政务服务”平台运行发展。";

fn dept_table() -> TableModel {
    let mut t = TableModel::new(&[14.0, 30.0, 12.0, 12.0, 14.0, 18.0]).font(9.0);
    t.row(vec![rs("部门（单位）名称", 2), span(AGENCY, 2, 2), cs("支出预算总量", 2), c("1932.33")]);
    t.row(vec![cs("其中：部门预算支出", 2), c("1932.33")]);
    t.row(vec![c("当年整体绩效目标"), cs(DEPT_GOAL, 5).l()]);
    t.row(vec![rs("绩效指标", 1 + DEPT_INDS.len()), c("指标名称"), c("指标权重"), c("计量单位"), c("指标性质"), c("指标值")]);
    for (n, w, u, k, v) in DEPT_INDS {
        t.row(vec![c(n), c(w), c(u), c(k), c(v)]);
    }
    t.finish()
}

fn dept_record(fmt: Fmt, table: usize) -> Record {
    Record::DepartmentPerformance(DepartmentPerformance {
        title: Some("2021年区政务服务管理办预算整体绩效目标表".into()),
        agency_name: Some(AGENCY.into()),
        amount_unit: Some(UNIT.into()),
        budget_total: amount("1932.33", UNIT),
        budget_department: amount("1932.33", UNIT),
        goal: Some(join(DEPT_GOAL, fmt)),
        indicators: DEPT_INDS
            .iter()
            .map(|(n, w, u, k, v)| DepartmentIndicator {
                name: Some(n.to_string()),
                weight: percent(w),
                unit: Some(u.to_string()),
                comparator: Some(match *k {
                    "≥" | "≧" => ">=".to_string(),
                    other => other.to_string(),
                }),
                value: Some(v.to_string()),
                target: v.parse::<rust_decimal::Decimal>().ok(),
            })
            .collect(),
        source_tables: vec![table],
    })
}

pub fn tongnan_doc(name: &str) -> DocModel {
    let mut blocks = vec![
        Block::Title(format!("{AGENCY}2021年部门预算情况说明")),
        Block::Heading("一、单位基本情况".into()),
        Block::Para("（一）职能职责。负责统筹推进、督促指导、监督管理各审批职能部门及有关单位行政审批服务工作；负责一体化政务服务平台统筹推广运用；负责政务中心管理工作；承担重庆市潼南区推进“放管服”改革协调小组具体工作。".into()),
        Block::Para("（二）单位构成。区政务服务管理办公室内设4个职能科室，1个下属事业单位区行政服务中心（二级单位）；在职在编职工13人，退休5人，劳务派遣人员35名；在编公务车1辆。".into()),
        Block::Heading("二、部门收支总体情况".into()),
        Block::Para("（一）收入预算：2021年年初预算数1932.33万元，其中：一般公共预算拨款1932.33万元。收入较去年增加1239.94万元，主要是一般公共预算拨款增加1239.94万元。".into()),
        Block::Para("（二）支出预算：2021年年初预算数1932.33万元，其中：一般公共服务支出预算1866.11万元，社会保障和就业支出预算39.70万元，卫生健康支出预算14.64万元，住房保障支出预算11.88万元。".into()),
        Block::Heading("三、部门预算情况说明".into()),
        Block::Para("2021年一般公共预算财政拨款收入1932.33万元，一般公共预算财政拨款支出1932.33万元，比2020年增加1239.94万元。其中：基本支出494.83万元，比2020年增加212.95万元；项目支出1437.5万元，比2020年增加1026.99万元。".into()),
        Block::Para("部门预算公开联系人：张友燕　联系方式：023-44578028".into()),
        Block::PageBreak,
    ];
    // T0 财政拨款收支总表
    let mut t0 = TableModel::new(&[18.0, 10.0, 20.0, 10.0, 14.0, 14.0, 14.0]).font(9.0).header(2, true);
    t0.row(vec![cs("收入", 2), cs("支出", 5)]);
    t0.row(vec![c("项目"), c("预算数"), c("项目"), c("合计"), c("一般公共预算财政拨款"), c("政府性基金预算财政拨款"), c("国有资本经营预算财政拨款")]);
    let income = [
        ("一、本年收入", "1932.33"),
        ("一般公共预算拨款", "1932.33"),
        ("政府性基金预算拨款", ""),
        ("国有资本经营预算拨款", ""),
        ("二、上年结转", ""),
        ("一般公共预算拨款", ""),
        ("政府性基金预算拨款", ""),
        ("国有资本经营预算拨款", ""),
        ("", ""),
        ("", ""),
        ("", ""),
    ];
    let spend = [
        ("一、本年支出", "1932.33", "1932.33"),
        ("一般公共服务支出", "1,866.11", "1,866.11"),
        ("社会保障和就业支出", "39.70", "39.70"),
        ("社会保险基金支出", "", ""),
        ("卫生健康支出", "14.64", "14.64"),
        ("住房保障支出", "11.88", "11.88"),
        ("债务还本支出", "", ""),
        ("债务付息支出", "", ""),
        ("债务发行费用支出", "", ""),
        ("抗疫特别国债安排的支出", "", ""),
        ("二、结转下年", "", ""),
    ];
    for (i, s) in income.iter().zip(spend.iter()) {
        t0.row(vec![c(i.0).l(), c(i.1), c(s.0).l(), c(s.1), c(s.2), c(""), c("")]);
    }
    t0.row(vec![c("本年收入总计"), c("1932.33"), c("本年支出总计"), c("1932.33"), c("1932.33"), c(""), c("")]);
    blocks.push(title_para(&format!("{AGENCY}财政拨款收支总表")));
    blocks.push(Block::Right("单位：万元".into()));
    blocks.push(Block::Table(t0.finish()));
    blocks.push(Block::PageBreak);

    // T1 一般公共预算财政拨款支出预算表
    let mut t1 = TableModel::new(&[14.0, 38.0, 16.0, 16.0, 16.0]).font(9.0).header(2, true);
    t1.row(vec![cs("功能分类科目", 2), cs("2021年预算数", 3)]);
    t1.row(vec![c("科目编码"), c("科目名称"), c("小计"), c("基本支出"), c("项目支出")]);
    let mut l1 = LineTable { table: 1, title: "一般公共预算财政拨款支出预算表", first_data_row: 2, keys: vec!["小计", "基本支出", "项目支出"], rows: vec![] };
    let r = t1.row(vec![c(""), c("总计："), c("1,932.33").r(), c("494.82").r(), c("1,437.50").r()]);
    l1.rows.push((r, "", "总计：", vec!["1,932.33", "494.82", "1,437.50"]));
    for (code, nm, a, b, p) in FUNC_ROWS {
        let r = t1.row(vec![c(code).l(), c(nm).l(), c(a).r(), c(b).r(), c(p).r()]);
        l1.rows.push((r, code, nm, vec![a, b, p]));
    }
    blocks.push(Block::Para("附件2".into()));
    blocks.push(title_para(&format!("{AGENCY}一般公共预算财政拨款支出预算表")));
    blocks.push(Block::Right("单位：万元".into()));
    blocks.push(Block::Table(t1.finish()));
    blocks.push(Block::Para("备注：本表反映2021年当年一般公共预算财政拨款支出情况。".into()));

    // T2 基本支出预算表: follows on the same page and continues on the next, header repeated.
    let mut t2 = TableModel::new(&[14.0, 38.0, 16.0, 16.0, 16.0]).font(9.0).header(2, true);
    t2.row(vec![cs("经济分类科目", 2), cs("2021年基本支出", 3)]);
    t2.row(vec![c("科目编码"), c("科目名称"), c("合计"), c("人员经费"), c("公用经费")]);
    let mut l2 = LineTable { table: 2, title: "一般公共预算财政拨款基本支出预算表", first_data_row: 2, keys: vec!["合计", "人员经费", "公用经费"], rows: vec![] };
    let total_row_t2 = t2.row(vec![c(""), c("合计"), c("494.83").r(), c("426.63").r(), c("68.20").r()]);
    l2.rows.push((total_row_t2, "", "合计", vec!["494.83", "426.63", "68.20"]));
    for (code, nm, a, b, p) in ECON_ROWS {
        let r = t2.row(vec![c(code).l(), c(nm).l(), c(a).r(), c(b).r(), c(p).r()]);
        l2.rows.push((r, code, nm, vec![a, b, p]));
    }
    blocks.push(title_para(&format!("{AGENCY} 一般公共预算财政拨款基本支出预算表")));
    blocks.push(Block::Right("单位：万元".into()));
    blocks.push(Block::Table(t2.finish()));
    blocks.push(Block::PageBreak);

    // T3 三公 (three-level header)
    let mut t3 = TableModel::new(&[14.0, 18.0, 14.0, 18.0, 18.0, 18.0]).font(9.0).header(3, true);
    t3.row(vec![cs("2021年预算数", 6)]);
    t3.row(vec![rs("合计", 2), rs("因公出国（境）费", 2), cs("公务用车购置及运行费", 3), rs("公务接待费", 2)]);
    t3.row(vec![c("小计"), c("公务用车购置费"), c("公务用车运行费")]);
    t3.row(vec![c("6"), c(""), c("4"), c(""), c("4"), c("2")]);
    blocks.push(title_para(&format!("{AGENCY}一般公共预算“三公”经费支出表")));
    blocks.push(Block::Right("单位：万元".into()));
    blocks.push(Block::Table(t3.finish()));

    // T4 政府性基金 (empty)
    let mut t4 = TableModel::new(&[16.0, 36.0, 16.0, 16.0, 16.0]).font(9.0).header(2, true);
    t4.row(vec![rs("科目编码", 2), rs("科目名称", 2), cs("本年政府性基金预算财政拨款支出", 3)]);
    t4.row(vec![c("合计"), c("基本支出"), c("项目支出")]);
    t4.row(vec![c(""), c(""), c(""), c(""), c("")]);
    blocks.push(title_para(&format!("{AGENCY}政府性基金预算支出表")));
    blocks.push(Block::Right("单位：万元".into()));
    blocks.push(Block::Table(t4.finish()));
    blocks.push(Block::Para("（备注：本单位无政府性基金预算收支，故此表无数据。）".into()));
    blocks.push(Block::PageBreak);

    // T5 部门收支总表, with the mislabelled row
    let mut t5 = TableModel::new(&[30.0, 20.0, 30.0, 20.0]).font(9.0).header(2, true);
    t5.row(vec![cs("收入", 2), cs("支出", 2)]);
    t5.row(vec![c("项目"), c("预算数"), c("项目"), c("预算数")]);
    let rows5 = [
        ("一般公共预算拨款收入", "1932.33", "一般公共服务支出", "1866.11"),
        ("政府性基金预算拨款收入", "", "社会保险基金支出", "39.70"),
        ("国有资本经营预算拨款收入", "", "社会保险基金支出", ""),
        ("事业收入预算", "", "卫生健康支出", "14.64"),
        ("事业单位经营收入预算", "", "住房保障支出", "11.88"),
        ("其他收入预算", "", "文化旅游体育与传媒支出", ""),
        ("", "", "抗疫特别国债安排的支出", ""),
        ("本年收入合计", "1932.33", "本年支出合计", "1932.33"),
        ("用事业基金弥补收支差额", "", "结转下年", ""),
        ("上年结转", "", "", ""),
        ("收入总计", "1932.33", "支出总计", "1932.33"),
    ];
    let mut mislabelled_row = 0;
    for (a, b, x, y) in rows5 {
        let r = t5.row(vec![c(a).l(), c(b).r(), c(x).l(), c(y).r()]);
        if x == "社会保险基金支出" && y == "39.70" {
            mislabelled_row = r;
        }
    }
    blocks.push(title_para(&format!("{AGENCY}部门收支总表")));
    blocks.push(Block::Right("单位：万元".into()));
    blocks.push(Block::Table(t5.finish()));

    // T6 部门收入总表: 12 columns, two-line header, continues on the next page WITHOUT the header.
    let mut t6 = TableModel::new(&[9.0, 20.0, 7.5, 6.0, 7.5, 6.5, 6.5, 7.0, 7.0, 7.0, 6.0, 7.0]).font(8.0).header(2, false);
    t6.row(vec![
        cs("科目", 2),
        rs("合计", 2),
        rs("上年结转", 2),
        rs("一般公共预算拨款收入", 2),
        rs("政府性基金预算拨款收入", 2),
        rs("国有资本经营预算拨款收入", 2),
        cs("事业收入预算", 2),
        rs("事业单位经营收入预算", 2),
        rs("其他收入预算", 2),
        rs("用事业基金弥补收支差额", 2),
    ]);
    t6.row(vec![c("科目编码"), c("科目名称"), c("非教育收费收入预算"), c("教育收费收入预算")]);
    let keys6 = vec![
        "合计",
        "上年结转",
        "一般公共预算拨款收入",
        "政府性基金预算拨款收入",
        "国有资本经营预算拨款收入",
        "非教育收费收入预算",
        "教育收费收入预算",
        "事业单位经营收入预算",
        "其他收入预算",
        "用事业基金弥补收支差额",
    ];
    let mut l6 = LineTable { table: 6, title: "部门收入总表", first_data_row: 2, keys: keys6, rows: vec![] };
    let mut push6 = |t: &mut TableModel, code: &'static str, nm: &'static str, total: &'static str, gp: &'static str| {
        let vals = vec![total, "", gp, "", "", "", "", "", "", ""];
        let mut row = vec![c(code).l(), c(nm).l()];
        row.extend(vals.iter().map(|v| c(v).r()));
        let r = t.row(row);
        l6.rows.push((r, code, nm, vals));
    };
    push6(&mut t6, "", "总计：", "1932.33", "1932.33");
    for (code, nm, a, _, _) in FUNC_ROWS {
        // the source prints the 类 rows without thousands separators in the 合计 column
        let total = if code == "201" { "1866.11" } else { a };
        push6(&mut t6, code, nm, total, a);
    }
    blocks.push(title_para(&format!("{AGENCY}部门收入总表")));
    blocks.push(Block::Right("单位：万元".into()));
    blocks.push(Block::Table(t6.finish()));
    blocks.push(Block::PageBreak);

    // T7 部门支出总表
    let mut t7 = TableModel::new(&[11.0, 27.0, 10.0, 10.0, 10.0, 10.0, 11.0, 11.0]).font(9.0).header(1, true);
    t7.row(vec![c("科目编码"), c("科目名称"), c("合计"), c("基本支出"), c("项目支出"), c("上缴上级支出"), c("事业单位经营支出"), c("对下级单位补助支出")]);
    let keys7 = vec!["合计", "基本支出", "项目支出", "上缴上级支出", "事业单位经营支出", "对下级单位补助支出"];
    let mut l7 = LineTable { table: 7, title: "部门支出总表", first_data_row: 1, keys: keys7, rows: vec![] };
    let r = t7.row(vec![c(""), c("总计："), c("1,932.33").r(), c("494.82").r(), c("1,437.50").r(), c(""), c(""), c("")]);
    l7.rows.push((r, "", "总计：", vec!["1,932.33", "494.82", "1,437.50", "", "", ""]));
    for (code, nm, a, b, p) in FUNC_ROWS {
        let r = t7.row(vec![c(code).l(), c(nm).l(), c(a).r(), c(b).r(), c(p).r(), c(""), c(""), c("")]);
        l7.rows.push((r, code, nm, vec![a, b, p, "", "", ""]));
    }
    blocks.push(title_para(&format!("{AGENCY}部门支出总表")));
    blocks.push(Block::Right("单位：万元".into()));
    blocks.push(Block::Table(t7.finish()));

    // T8 政府采购预算明细表
    let mut t8 = TableModel::new(&[12.0, 9.0, 8.0, 9.0, 9.0, 10.0, 9.0, 9.0, 9.0, 8.0, 9.0]).font(8.0).header(2, true);
    t8.row(vec![
        rs("项目", 2),
        rs("合计", 2),
        rs("上年结转", 2),
        rs("一般公共预算拨款收入", 2),
        rs("政府性基金预算拨款收入", 2),
        rs("国有资本经营预算拨款收入", 2),
        cs("事业收入预算", 2),
        rs("事业单位经营收入预算", 2),
        rs("其他收入预算", 2),
        rs("用事业基金弥补收支差额", 2),
    ]);
    t8.row(vec![c("非教育收费收入预算"), c("教育收费收入预算")]);
    for (n, v) in [("合计", "64.20"), ("货物类", "36.60"), ("服务类", "27.60")] {
        t8.row(vec![c(n), c(v).r(), c(""), c(v).r(), c(""), c(""), c(""), c(""), c(""), c(""), c("")]);
    }
    blocks.push(title_para(&format!("{AGENCY}政府采购预算明细表")));
    blocks.push(Block::Right("单位：万元".into()));
    blocks.push(Block::Table(t8.finish()));
    blocks.push(Block::PageBreak);

    // T9 整体绩效目标表
    blocks.push(Block::Para("附件10".into()));
    blocks.push(title_para("2021年区政务服务管理办预算整体绩效目标表"));
    blocks.push(Block::Right("单位：万元".into()));
    blocks.push(Block::Table(dept_table()));

    // T10..T13 项目绩效目标表, one per page
    let ps = projects();
    for p in &ps {
        blocks.push(Block::PageBreak);
        blocks.push(Block::Table(project_table(p)));
    }

    let line_tables = [l1, l2, l6, l7];
    for lt in &line_tables {
        debug_assert!(lt.rows.iter().all(|r| r.0 >= lt.first_data_row));
    }
    let line_records: Vec<Record> = line_tables.iter().flat_map(|lt| lt.records()).collect();
    let mut warnings: Vec<ExpectedWarning> = line_tables.iter().flat_map(|lt| lt.arithmetic_warnings()).collect();
    warnings.push(ExpectedWarning {
        code: "cross_table_mismatch",
        message: "基本支出 total 494.83 in the 基本支出预算表 vs 494.82 in the 支出预算表 and 部门支出总表".into(),
        table: Some(2),
        row: Some(total_row_t2),
    });
    warnings.push(ExpectedWarning {
        code: "label_mismatch",
        message: "部门收支总表: 39.70 is 社会保障和就业支出 but the row is labelled 社会保险基金支出".into(),
        table: Some(5),
        row: Some(mislabelled_row),
    });
    warnings.sort_by_key(|w| (w.table, w.row));
    DocModel {
        name: name.to_string(),
        description: "004 潼南区政务服务管理办公室 2021 部门预算: nine financial tables (万元; 基本支出预算表 continues on the next page with its header repeated, 部门收入总表 without), 整体绩效目标表, four Chongqing 项目绩效目标表 with a vertical 绩效指标 label; source inconsistencies kept".into(),
        landscape: false,
        docx_bookmarks: None,
        blocks,
        warnings,
        records: Rc::new(move |fmt| {
            let mut v = line_records.clone();
            v.push(dept_record(fmt, 9));
            let ps = projects();
            v.extend(ps.iter().enumerate().map(|(i, p)| project_record(p, fmt, 10 + i)));
            v
        }),
    }
}
