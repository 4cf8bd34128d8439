//! Hebei 项目绩效目标表 families: 001 山海关 (one combined table per project, 元), 002 曹妃甸 (info
//! table + indicator table, 万元), 003 玉田 (the same pair with spacer columns and split 指标值, 元).

use std::rc::Rc;

use yusuan::interpret::{Indicator, ProjectPerformance, Record, SpendingPlan};

use crate::model::*;

#[derive(Clone)]
pub struct Ind {
    pub l1: &'static str,
    pub l2: &'static str,
    pub l3: &'static str,
    pub desc: &'static str,
    /// 指标值 as printed; '\n' separates paragraphs (003: "100\n100%全部完成").
    pub value: &'static str,
    pub basis: &'static str,
}

#[derive(Clone)]
pub struct Project {
    pub number: usize,
    pub name: &'static str,
    /// The table title without its list number.
    pub title: String,
    pub agency: &'static str,
    pub unit: &'static str,
    pub code: &'static str,
    pub total: &'static str,
    pub fiscal: &'static str,
    pub other: &'static str,
    pub fund_use: &'static str,
    pub plan: [&'static str; 4],
    pub goal: &'static str,
    pub inds: Vec<Ind>,
}

fn ind(l1: &'static str, l2: &'static str, l3: &'static str, desc: &'static str, value: &'static str, basis: &'static str) -> Ind {
    Ind { l1, l2, l3, desc, value, basis }
}

/// "630001 秦皇岛市山海关区行政审批局本级" → ("630001", "秦皇岛市山海关区行政审批局本级").
pub fn split_agency(line: &str) -> (Option<String>, Option<String>) {
    let t = line.trim();
    let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() {
        return (None, Some(t.to_string()));
    }
    (Some(digits.clone()), Some(t[digits.len()..].trim().to_string()))
}

/// 三级指标 without a leading "指标 1:" numbering and a trailing ;；。
pub fn level3(t: &str) -> String {
    let s: String = t.trim().to_string();
    let re = regex::Regex::new(r"^指标\s*[:：]?\s*\d+\s*[:：]\s*").unwrap();
    let s = re.replace(&s, "").to_string();
    s.trim_end_matches([';', '；', '。']).trim().to_string()
}

fn opt(s: String) -> Option<String> {
    if s.trim().is_empty() {
        None
    } else {
        Some(s)
    }
}

impl Project {
    pub fn record(&self, fmt: Fmt, source_tables: Vec<usize>) -> Record {
        let (agency_code, agency_name) = split_agency(self.agency);
        let plan = if self.plan.iter().all(|p| p.trim().is_empty()) {
            None
        } else {
            Some(SpendingPlan {
                mar: percent(self.plan[0]),
                jun: percent(self.plan[1]),
                oct: percent(self.plan[2]),
                dec: percent(self.plan[3]),
            })
        };
        let indicators = self
            .inds
            .iter()
            .map(|i| {
                let (comparator, target, unit) = parse_quantity(i.value);
                Indicator {
                    level1: opt(join(i.l1, fmt)),
                    level2: opt(join(i.l2, fmt)),
                    level3: opt(level3(&join(i.l3, fmt))),
                    description: opt(join(i.desc, fmt)),
                    value: opt(join(i.value, fmt)),
                    comparator,
                    target,
                    unit,
                    basis: opt(join(i.basis, fmt)),
                }
            })
            .collect();
        Record::ProjectPerformance(ProjectPerformance {
            title: Some(self.title.clone()),
            agency_code,
            agency_name,
            amount_unit: Some(self.unit.to_string()),
            project_code: Some(self.code.to_string()),
            project_name: Some(self.name.to_string()),
            budget_total: amount(self.total, self.unit),
            budget_fiscal: amount(self.fiscal, self.unit),
            budget_other: amount(self.other, self.unit),
            fund_use: opt(join(self.fund_use, fmt)),
            spending_plan: plan,
            goal: opt(join(self.goal, fmt)),
            indicators,
            source_tables,
            ..Default::default()
        })
    }
}

/// Row spans of consecutive equal 一级 labels.
fn l1_runs(inds: &[Ind]) -> Vec<usize> {
    let mut runs = Vec::new();
    let mut i = 0;
    while i < inds.len() {
        let mut j = i + 1;
        while j < inds.len() && inds[j].l1 == inds[i].l1 {
            j += 1;
        }
        runs.push(j - i);
        i = j;
    }
    runs
}

// ---------------------------------------------------------------------------------------------
// 001 山海关: one table per project.

fn generic_inds() -> Vec<Ind> {
    let v = "≥95百分比";
    let b = "年度工作计划";
    vec![
        ind("产出指标", "数量指标", "综合事务保障率", "保障日常事务高效运转", v, b),
        ind("产出指标", "质量指标", "网络数据平台建设任务完成情况", "网络数据平台建设任务完成情况", v, b),
        ind("产出指标", "时效指标", "网络安全建设正式运行时间", "正式运行截止时间", v, b),
        ind("产出指标", "成本指标", "项目成本", "项目成本", v, b),
        ind("效益指标", "经济效益指标", "综合利用率", "基础设施建成后的利用、使用情况", v, b),
        ind("效益指标", "社会效益指标", "群众满意率", "满足大厅办事群众需求", v, b),
        ind("效益指标", "生态效益指标", "资源消耗", "资源消耗", v, b),
        ind("效益指标", "可持续影响指标", "网络安全稳定运行", "网络安全稳定运行", v, b),
        ind("满意度指标", "服务对象满意度指标", "活动完成率", "工作顺利完成", v, b),
    ]
}

pub fn shanhaiguan_projects() -> Vec<Project> {
    let a1 = "630001 秦皇岛市山海关区行政审批局本级";
    let a3 = "630003 秦皇岛市山海关区人民政府政务服务中心";
    let plan = ["25.00%", "50.00%", "75.00%", "100.00%"];
    let mk = |number, name: &'static str, agency, code, amt, fund_use, plan: [&'static str; 4], goal, inds| Project {
        number,
        name,
        title: format!("{name}绩效目标表"),
        agency,
        unit: "元",
        code,
        total: amt,
        fiscal: amt,
        other: "0",
        fund_use,
        plan,
        goal,
        inds,
    };
    let mut p6 = generic_inds();
    p6[1] = ind("产出指标", "质量指标", "综合业务管理工作完成率", "综合业务管理工作完成率", "≥95百分比", "年度工作计划");
    p6[2] = ind(
        "产出指标",
        "时效指标",
        "完成率",
        "按照要求和计划完成研究任务的项目在所有立项项目中的比例（百分比）",
        "≥95百分比",
        "年度工作计划",
    );
    p6[7] = ind("效益指标", "可持续影响指标", "人数", "人数", "≥95百分比", "年度工作计划");
    let b = "年度工作计划";
    let v = "≥95百分比";
    let p7 = vec![
        // the source prints ">95" here where every other row has "≥95"
        ind("产出指标", "数量指标", "贫困村脱贫出列数（个）", "建档立卡贫困村脱贫出列数量", ">95百分比", b),
        ind(
            "产出指标",
            "质量指标",
            "劳动力转移培训计划完成率（%）",
            "贫困县年度劳动力转移培训人数占贫困县年度劳动力转移培训计划数量的比例",
            v,
            b,
        ),
        ind("产出指标", "时效指标", "贫困县农民增长率（%）", "贫困县农民人均纯收入的同比增长比率", v, b),
        ind("产出指标", "成本指标", "贫困户帮扶责任人数（人）", "建档立卡的贫困户帮扶责任人数量", v, b),
        ind(
            "效益指标",
            "经济效益指标",
            "被帮扶贫困村（%）",
            "调查中满意和较满意的被帮扶贫困村（人员）占全部调查人数的比率",
            v,
            b,
        ),
        ind("效益指标", "社会效益指标", "建档立卡人员", "建档立卡人员", v, b),
        ind("效益指标", "生态效益指标", "建设项目环评执行率", "建设项目环评执行率", v, b),
        ind("效益指标", "可持续影响指标", "该项目持续收益年限", "投资总额", v, b),
        ind("满意度指标", "服务对象满意度指标", "服务对象满意度", "建档立卡贫困人口满意度", v, b),
    ];
    vec![
        mk(1, "行政审批等专家评审费", a1, "130303216DIAX82DQONDM", "80000.00", "保障审批局专家评审经费", plan,
            "1.保障审批局专家评审经费\n2.保障审批业务专项业务顺利开展", generic_inds()),
        mk(2, "推动全区企业开办“一窗通，零成本，即使办”开办费", a1, "130303216MSG9KDZYIKK0", "70000.00",
            "推动全区企业开办“一窗通，零成本，即使办”开办费", plan, "1.推动全区企业开办“一窗通，零成本，即使办”开办费", generic_inds()),
        mk(3, "百事通改革网络建设及设备费", a1, "13030321VHLBBTHOZHGUK", "150000.00", "百事通改革网络建设及设备费", plan,
            "1.百事通改革网络建设及设备费", generic_inds()),
        // the source leaves this project's spending plan blank
        mk(4, "跨省通办及省内通办网络建设及设备费", a1, "13030321ZRRK9DQ3GKQMC", "200000.00", "跨省通办及省内通办网络建设及设备费",
            ["", "", "", ""], "1.跨省通办及省内通办网络建设及设备费", generic_inds()),
        mk(5, "政府采购评审费", a3, "13030321E0GTGR1HG0170B", "50000.00", "保障专家评审经费", plan,
            "1.保障专家评审经费\n2.保障审批业务专项业务顺利", generic_inds()),
        mk(6, "民生热线综合服务平台建设经费", a3, "13030321HHG9MFXS7MP14", "400000.00",
            "保证大厅各窗口的专网运行。保障机关正常工作高效运转。保障中心各项业务宣传。", plan,
            "1.保证大厅各窗口的专网运行。\n2.保障机关正常工作高效运转。保障中心各项业务宣传。", p6),
        mk(7, "青龙帮扶杨树底下村修桥资金", a3, "13030321NEG38EA48AQ73W", "150000.00", "青龙帮扶杨树底下村修桥资金", plan,
            "1.保障扶贫项目顺利开展", p7),
    ]
}

/// The 001 combined table: project info rows, then the indicator header and rows, in one grid.
pub fn combined_table(p: &Project) -> TableModel {
    let mut t = TableModel::new(&[10.0, 11.0, 12.0, 14.0, 14.0, 10.0, 13.0]).font(9.0);
    t.row(vec![c("项目编码"), cs(p.code, 2), c("项目名称"), cs(p.name, 3)]);
    t.row(vec![rs("预算规模及资金用途", 2), c("预算数"), c(p.total).r(), c("其中：财政资金"), c(p.fiscal).r(), c("其他资金"), c(p.other).r()]);
    t.row(vec![cs(p.fund_use, 6).l()]);
    t.row(vec![rs("资金支出计划（%）", 2), cs("3月底", 2), c("6月底"), c("10月底"), cs("12月底", 2)]);
    t.row(vec![cs(p.plan[0], 2), c(p.plan[1]), c(p.plan[2]), cs(p.plan[3], 2)]);
    t.row(vec![c("绩效目标"), cs(p.goal, 6).l()]);
    t.row(vec![c("一级指标"), c("二级指标"), c("三级指标"), cs("绩效指标描述", 2), c("指标值"), c("指标值确定依据")]);
    let runs = l1_runs(&p.inds);
    let mut i = 0;
    for run in runs {
        for k in 0..run {
            let x = &p.inds[i + k];
            let mut row = Vec::new();
            if k == 0 {
                // the source draws the multi-row 一级指标 labels in vertical writing
                row.push(if run > 1 { rs(x.l1, run).v() } else { rs(x.l1, run) });
            }
            row.extend([c(x.l2), c(x.l3), cs(x.desc, 2).l(), c(x.value), c(x.basis)]);
            t.row(row);
        }
        i += run;
    }
    t.finish()
}

pub fn shanhaiguan_doc(name: &str) -> DocModel {
    let projects = shanhaiguan_projects();
    let mut blocks = vec![
        Block::Title("行政审批部门2021年部门预算绩效文本（草案）".into()),
        Block::Para("行政审批部门编制　山海关区财政局审核".into()),
        Block::Heading("第一部分　部门整体绩效目标".into()),
        Block::Heading("一、总体绩效目标".into()),
        Block::Para("贯彻落实党中央、省委、市委和区委关于行政审批、政务服务管理工作的方针政策和决策部署，坚持和加强党对行政审批、政务服务管理工作的集中统一领导。".into()),
        Block::Heading("二、分项绩效目标".into()),
        Block::Para("为深入践行“以人民为中心”的发展思想，不断深化行政审批制度改革，优化政务服务供给，打造优质高效营商办事环境，结合国家、省、市关于深化行政审批制度改革的有关要求，结合我市实际，制定如下考核实施方案。".into()),
        Block::Para("考核采用百分制计分，主要考核省市关于深入推进审批服务便民化、提升审批服务效能、深化“互联网+政务服务”、推进政务服务“一网、一门、一次”改革、深化工程建设项目审批制度改革、压缩企业开办时间、加强社会信用体系建设、深化公共资源交易平台整合共享等方面的改革任务完成情况。".into()),
        Block::Heading("三、工作保障措施".into()),
        Block::Para("（一）提升实体大厅服务功能。发挥实体大厅的基础和兜底作用，与网上政务服务平台融合发展。优化功能布局，完善配套服务，推进功能升级和流程再造，不断提高窗口办事能力和服务效能。".into()),
        Block::Para("（二）推动完善基层服务网络。指导督促各区县政务服务中心加强组织机构建设、深化行政审批制度改革、大力推进管理创新。".into()),
        Block::Para("（三）切实加强作风建设。强化监督考核，将政务服务工作纳入政府目标管理绩效考核和机关效能建设考核。".into()),
        Block::PageBreak,
        Block::Title("第二部分　预算项目绩效目标".into()),
    ];
    for (i, p) in projects.iter().enumerate() {
        if i > 0 {
            blocks.push(Block::PageBreak);
        }
        blocks.push(Block::Heading(format!("{}.{}", p.number, p.title)));
        blocks.push(Block::Para(p.agency.to_string()));
        blocks.push(Block::Right("单位：元".into()));
        blocks.push(Block::Table(combined_table(p)));
    }
    let ps = projects.clone();
    DocModel {
        name: name.to_string(),
        description: "001 山海关区行政审批局 2021: seven combined 项目绩效目标表 (元), wrapped cell text, 一级指标 spanning rows".into(),
        landscape: false,
        docx_bookmarks: None,
        blocks,
        warnings: vec![],
        records: Rc::new(move |fmt| ps.iter().enumerate().map(|(i, p)| p.record(fmt, vec![i])).collect()),
    }
}

// ---------------------------------------------------------------------------------------------
// 002 曹妃甸 and 003 玉田: info table + indicator table.

pub fn caofeidian_projects() -> Vec<Project> {
    let a = "433001曹妃甸区行政审批局本级";
    let q = ["25%", "50%", "75%", "100%"];
    struct P(usize, &'static str, &'static str, &'static str, &'static str, [&'static str; 4], &'static str);
    let heads = [
        P(1, "购买第三方服务", "13020925P00009410002P", "299.65", "购买第三方服务", q, "1.按时拨付第三方人员经费"),
        P(2, "劳务外包人员经费", "13020925P00010410001T", "80.00", "劳务人员外包", q, "1.按时拨付劳务外包人员经费"),
        P(3, "平台建设费", "13020925P000100100014", "18.70", "平台建设", ["0%", "0%", "0%", "100%"], "1.保证年底平台建设费顺利拨付"),
        P(4, "评估评审费", "13020925P000102100023", "118.00", "评估评审费", q, "1.保证按时拨付评估评审费"),
        P(5, "审批大厅群企服务经费", "13020925P00010510001G", "167.00", "群企服务", q, "1.年底按时拨付群企服务经费"),
        P(6, "印章刻制服务", "13020925P00009810002E", "69.75", "印章刻制资金", q, "1.1.保证机关正常运转\n2.刻章补贴顺利拨付"),
        P(7, "优化营商环境提升项目", "13020925P00148110001D", "155.00", "拨付优化营商环境提升项目资金", q, "1.按时顺利拨付优化营商环境提升项目资金"),
        P(8, "证照印刷", "13020925P000096100023", "65.00", "证照印刷", q, "1.1.保证机关正常运转\n2.保证证照印刷费顺利拨付"),
    ];
    // (数量 l3, 数量 v, 质量 l3, 质量 v, 时效 v, 成本 v, 经济 v, 社会 v, 生态 l3, 生态 v, 可持续 l3, 可持续 v, 满意 v, bases[9])
    type Row = (&'static str, &'static str, &'static str, &'static str, &'static str, &'static str, &'static str, &'static str, &'static str, &'static str, &'static str, &'static str, &'static str, [&'static str; 9]);
    let w = "工作计划";
    let h = "行业标准";
    let l = "历史标准";
    let y = "年初预算";
    let m = "年初预算目标";
    let n = "年初计划";
    let data: [Row; 8] = [
        ("聘用人员数量", "≥50人", "拨款保障率", "100%", "≥98%", "100%", "≥88%", "≥95%", "生态环境质量改善", "≥1%", "项目持续发挥作用期限", "≥4年", "≥92%", [y, y, y, y, w, h, h, h, h]),
        ("聘用人员数量", "≥10人", "拨款保障率", "100%", "≥98%", "100%", "≥88%", "≥98%", "生态环境质量改善", "≥1%", "项目持续发挥作用期限", "≥5年", "≥95%", [w, w, w, w, h, h, h, h, h]),
        ("项目运行维护人员数量", "≥24人", "验收合格比%", "≥92%", "≥98%", "≥95%", "≥88%", "≥94%", "生态效益增长率", "≥2%", "项目持续发挥作用期限", "≥5年", "≥95%", [w, w, l, l, h, h, h, h, h]),
        ("项目运行维护人员数量", "≥60人", "政府采购率（%）", "≥40%", "≥75%", "≥95%", "≥10%", "≥98%", "生态效益增长率", "≥5%", "项目持续发挥作用期限", "≥2年", "≥95%", [w, w, w, w, h, h, h, h, h]),
        ("项目运行维护人员数量", "≥60人", "专款专用率", "100%", "≥90%", "≥95%", "≥0.6%", "≥98%", "生态效益增长率", "≥5%", "项目持续发挥作用期限", "≥5年", "≥95%", [m, m, m, m, m, m, m, m, m]),
        ("项目运行维护人员数量", "≥30人", "财政拨款保障率", "≥95%", "≥98%", "≥95%", "≥88%", "≥98%", "生态效益增长率", "≥5%", "项目持续发挥作用期限", "≥3年", "≥95%", [w, w, w, w, h, w, w, w, h]),
        ("项目运行维护人员数量", "≥24人", "财政拨款保障率", "≥90%", "≥98%", "≥95%", "≥2%", "≥98%", "生态效益增长率", "≥2%", "持续发挥作用期限", "≥1%", "≥95%", [w, w, w, w, h, w, l, w, h]),
        ("项目运行维护人员数量", "≥30人", "政府采购率（%）", "≥90%", "≥98%", "≥95%", "≥88%", "≥98%", "生态效益增长率", "≥5%", "项目持续发挥作用期限", "≥5年", "≥95%", [n, n, n, n, h, l, h, h, h]),
    ];
    heads
        .iter()
        .zip(data.iter())
        .map(|(p, d)| Project {
            number: p.0,
            name: p.1,
            title: format!("{}绩效目标表", p.1),
            agency: a,
            unit: "万元",
            code: p.2,
            total: p.3,
            fiscal: p.3,
            other: "",
            fund_use: p.4,
            plan: p.5,
            goal: p.6,
            inds: vec![
                ind("产出指标", "数量指标", d.0, d.0, d.1, d.13[0]),
                ind("产出指标", "质量指标", d.2, d.2, d.3, d.13[1]),
                ind("产出指标", "时效指标", "按期完成率", "按期完成率", d.4, d.13[2]),
                ind("产出指标", "成本指标", "预算执行率", "预算执行率", d.5, d.13[3]),
                ind("效益指标", "经济效益指标", "经济效益提升%", "经济效益提升%", d.6, d.13[4]),
                ind("效益指标", "社会效益指标", "积极评价率", "积极评价率", d.7, d.13[5]),
                ind("效益指标", "生态效益指标", d.8, d.8, d.9, d.13[6]),
                ind("效益指标", "可持续影响指标", d.10, d.10, d.11, d.13[7]),
                ind("满意度指标", "服务对象满意度指标", "服务对象满意度", "服务对象满意度", d.12, d.13[8]),
            ],
        })
        .collect()
}

pub fn yutian_projects() -> Vec<Project> {
    let a = "441001玉田县行政审批局本级";
    let q = ["25%", "50%", "75%", "100%"];
    let p1 = vec![
        ind("产出指标", "数量指标", "“一件事一次办”", "68项一件事一次办工作推进", "100\n100%全部完成", "省政务平台数据提取"),
        ind("产出指标", "质量指标", "功能区建设", "完成窗口服务区、审前服务区、休息等候区、自助服务区、投资建设区、专属接待区、政务公开区、投诉调解区、后台审批区、会议室、视频监控区建设", "90\n根据资金到位情况逐步开展，年底前不低于任务90%", "现场验收"),
        ind("产出指标", "时效指标", "开办企业耗时", "从办理到办结全过程用时是否达到全省平均值", "100\n审批用时100%不低于全省平均水平", "省一体化政务服务平台数据提取"),
        ind("产出指标", "成本指标", "财政预算支持", "是否纳入财政预算支持，并按期拨付使用", "100\n财政拨付到位款项，资金利用率95%以上", "财政指标拨付支出记录"),
        ind("效益指标", "经济效益指标", "提速增效，推行企业全周期服务", "新增市场主体数量逐年上升，助力县域经济增长", "100\n企业开办登记数量逐年上升，企业满意度高", "一体化平台数据提取"),
        ind("效益指标", "社会效益指标", "高质量推进“政务服务‘掌上办’提升工程”建设", "贯彻落实省市2023年民生工程工作部署，高质量推进“政务服务‘掌上办’提升工程”建设", "100\n完成全年工作任务", "一体化平台数据提取"),
        ind("效益指标", "生态效益指标", "智能审批", "结合工作实际，在企业设立、人力资源、食品经营等事项审批中，推行智能审批", "100\n目前承接的3类行业审批事项全部实现智能审批", "一体化平台数据提取"),
        ind("效益指标", "可持续影响指标", "承接事项审批流程图办事指南", "按照省市统一部署，持续做好省、市下放行政许可事项的承接工作，及时编制流程图和办事指南", "100\n下放事项全部完成流程及指南编制制作", "现场验收"),
        ind("满意度指标", "服务对象满意度指标", "重点项目回访好评率", "对重点项目政务服务办事体验进行电话回访", "≥99\n回访好评率不低于95%", "现场验收"),
    ];
    // The source swaps 成本指标 and 时效指标 in this project; kept.
    let p2 = vec![
        ind("产出指标", "数量指标", "开展省市下发审批事项的日常审批，组织管理其他单位入驻", "承接省市下发214项事项审批任务，组织涉及30多个单位的577项县级政务服务事项集中进驻政务服务大厅", "100\n100%全部完成", "承接事项是否全面，窗口入驻是否完成"),
        ind("产出指标", "质量指标", "行政审批案卷合法合规", "主体合法、事项合法、适用法律依据合法、程序合法、实施行政许可每个阶段应具备的各种法律文书及其内容要素标准规范", "100\n100%全部符合", "案卷审查通过率"),
        ind("产出指标", "成本指标", "政务服务事项有效办件量用时", "从办理到办结全过程用时是否达到全省平均值", "100\n审批用时100%不低于全省平均水平", "省一体化政务服务平台数据提取"),
        ind("产出指标", "时效指标", "财政预算支持", "是否纳入财政预算支持，并按期拨付使用", "100\n财政拨付到位款项，资金利用率95%以上", "财政指标拨付支出记录"),
        ind("效益指标", "经济效益指标", "提速增效，市场主体数量持续增长、审批时限压缩", "新增市场主体登记审批时间逐步压缩", "100\n企业开办登记审批压缩至30分钟内", "一体化平台数据提取"),
        ind("效益指标", "社会效益指标", "掌上通办事项、民生服务套餐事项达到省级要求", "掌上通办事项、民生服务套餐各占50%权重。掌上通办事项达到省级要求240项", "100\n160-240项扣50%分数", "一体化平台数据提取"),
        ind("效益指标", "生态效益指标", "共享评估结果，为企业降低成本、耗能", "“只进一扇门，能办所有事”", "100\n以上6项评估结果在企业开办审批过程中全部共享", "案卷审查共享情况"),
        ind("效益指标", "可持续影响指标", "县级政务服务中心建设标准符合河北省推进政府职能转变和“放管服”改革协调小组办公室提出的标准", "畅通评价渠道、窗口评价器配置、河北政务服务网、冀时办APP、电话、二维码等线上线下评价是否畅通", "100\n县级政务服务中心迁址全面完成", "迁址完成并投入使用"),
        ind("满意度指标", "服务对象满意度指标", "政务服务“好差评”", "对象满意度", "100\n100%全覆盖，且好评率不低于省级标准", "省“好差评”系统数据提取；现场核验投诉处理"),
    ];
    let p3 = vec![
        ind("产出指标", "数量指标", "首套印章免费刻制", "首次开办企业首套印章（三枚）免费刻制", "100\n100%全部完成", "省政务平台数据提取与刻章底账核对"),
        ind("产出指标", "质量指标", "印章材质符合要求", "光敏电子印章", "100\n印章全部符合要求", "现场验收"),
        ind("产出指标", "时效指标", "规定时限内刻制完成", "2小时刻制完成", "100\n刻章用时100%保证，不延时", "刻章企业申领记录"),
        ind("产出指标", "成本指标", "财政预算支持", "是否纳入财政预算支持，并按期拨付使用", "100\n财政拨付到位款项，预算执行率95%以上", "财政指标拨付支出记录"),
        ind("效益指标", "经济效益指标", "降低企业开办成本", "进一步降低企业成本，为新开办企业提供了免费刻制首套印章（企业行政章、发票专用章、法人名章）服务", "100\n节省企业开办成本", "刻章企业申领记录，财政付款支出凭证"),
        ind("效益指标", "社会效益指标", "激发市场活力", "优化营商环境工作落实落地", "100\n完成全年首套印章100%免费刻制", "一体化平台数据提取、刻章企业申领记录"),
        ind("效益指标", "生态效益指标", "印章后续服务、软件对接", "符合环保要求", "100\n所需的系统对接服务、系统运维服务、软件技术服务完全相符", "系统查询，数据抽查"),
        ind("效益指标", "可持续影响指标", "安排刻章企业入驻审批大厅，方便企业就近办理", "开展玉田县辖区内新开办企业免费刻制首套公章中标企业入驻区域，方便企业办理", "100\n安排区域完成入驻", "现场验收"),
        ind("满意度指标", "服务对象满意度指标", "刻章企业满意度调查", "调查满意度", "≥99\n满意度不低于99%", "调查日志"),
    ];
    // The seed dump stops at this project's first indicator; the rest is completed in its style.
    let p4 = vec![
        ind("产出指标", "数量指标", "租赁面积", "租赁面积", "≥6000\n政务服务中心租赁面积不少于6000平方米", "租赁合同"),
        ind("产出指标", "质量指标", "场地使用合规", "租赁场地符合政务服务大厅建设标准及消防、安全要求", "100\n场地全部符合使用要求", "现场验收"),
        ind("产出指标", "时效指标", "租金按期支付", "按照租赁合同约定时间支付租金", "100\n租金100%按期支付", "财政指标拨付支出记录"),
        ind("产出指标", "成本指标", "财政预算支持", "是否纳入财政预算支持，并按期拨付使用", "100\n财政拨付到位款项，预算执行率95%以上", "财政指标拨付支出记录"),
        ind("效益指标", "经济效益指标", "降低办事成本", "集中办理政务服务事项，减少企业群众往返奔波", "100\n企业群众办事成本逐年降低", "一体化平台数据提取"),
        ind("效益指标", "社会效益指标", "“只进一扇门，能办所有事”", "县级政务服务事项集中进驻政务服务中心办理", "100\n进驻事项全部集中办理", "现场核验"),
        ind("效益指标", "生态效益指标", "节能降耗", "合理规划大厅布局，降低水电能耗", "100\n能耗不高于上年水平", "水电费支出记录"),
        ind("效益指标", "可持续影响指标", "政务服务中心持续稳定运行", "保障政务服务中心全年正常运行", "100\n全年正常运行不间断", "现场验收"),
        ind("满意度指标", "服务对象满意度指标", "办事群众满意度", "对办事群众进行满意度调查", "≥95\n满意度不低于95%", "省“好差评”系统数据提取"),
    ];
    let mk = |number, name: &'static str, code, amt, fund_use, goal, inds| Project {
        number,
        name,
        title: format!("{name}绩效目标表"),
        agency: a,
        unit: "元",
        code,
        total: amt,
        fiscal: amt,
        other: "",
        fund_use,
        plan: q,
        goal,
        inds,
    };
    vec![
        mk(1, "“放管服”改革优化营商环境项目", "13022924P00JXC417611C", "135000.00", "“放管服”改革、优化营商环境经费", "1.“放管服”改革，优化营商环境落到实处，纵深发展", p1),
        mk(2, "行政审批业务经费", "13022924P00JXC417313P", "600000.00", "行政审批业务经费", "1.保障行政审批正常开展", p2),
        mk(3, "优化营商环境刻章服务经费", "13022924P00JXC417613K", "750000.00", "优化营商环境刻章服务经费", "1.刻制完成", p3),
        mk(4, "政务服务中心场地租赁项目", "13022924P00JXC4179433", "2160000.00", "办公场地租赁", "1.提升政务审批大厅高效便捷水平，社会满意度提高", p4),
    ]
}

/// 002's info table. With `agency_row`, the agency and unit line is the table's first, borderless
/// row (as in the DOCX source); otherwise they are paragraphs above the table.
fn caofeidian_info(p: &Project, agency_row: bool) -> TableModel {
    let mut t = TableModel::new(&[14.0, 10.0, 12.0, 14.0, 12.0, 12.0, 12.0]).font(10.0);
    if agency_row {
        let r = t.row(vec![cs(p.agency, 4).l(), cs(&format!("单位：{}", p.unit), 3).r()]);
        t.borderless_rows.push(r);
    }
    t.row(vec![c("项目编码"), cs(p.code, 2), c("项目名称"), cs(p.name, 3)]);
    t.row(vec![rs("预算规模及资金用途", 2), c("预算数"), c(p.total).r(), c("其中：财政    资金"), c(p.fiscal).r(), c("其他资金"), c(p.other)]);
    t.row(vec![cs(p.fund_use, 6).l()]);
    t.row(vec![rs("资金支出计划（%）", 2), cs("3月底", 2), c("6月底"), c("10月底"), cs("12月底", 2)]);
    t.row(vec![cs(p.plan[0], 2), c(p.plan[1]), c(p.plan[2]), cs(p.plan[3], 2)]);
    t.row(vec![c("绩效目标"), cs(p.goal, 6).l()]);
    t.finish()
}

fn caofeidian_indicators(p: &Project) -> TableModel {
    let mut t = TableModel::new(&[12.0, 16.0, 20.0, 20.0, 14.0, 18.0]).font(10.0).header(1, true);
    t.row(vec![c("一级指标"), c("二级指标"), c("三级指标"), c("绩效指标描述"), c("指标值"), c("指标值确定依据")]);
    let mut i = 0;
    for run in l1_runs(&p.inds) {
        for k in 0..run {
            let x = &p.inds[i + k];
            let mut row = Vec::new();
            if k == 0 {
                row.push(rs(x.l1, run));
            }
            row.extend([c(x.l2), c(x.l3), c(x.desc), c(x.value), c(x.basis)]);
            t.row(row);
        }
        i += run;
    }
    t.finish()
}

/// 003's info table: spacer cells instead of spans, the agency row with five empty cells.
fn yutian_info(p: &Project, agency_row: bool) -> TableModel {
    let mut t = TableModel::new(&[14.0, 11.0, 13.0, 13.0, 14.0, 11.0, 14.0]).font(9.0);
    if agency_row {
        let r = t.row(vec![c(p.agency).l(), c(""), c(""), c(""), c(""), c(""), c(&format!("单位：{}", p.unit)).r()]);
        t.borderless_rows.push(r);
    }
    t.row(vec![c("项目编码"), c(p.code), c(""), c("项目名称"), c(p.name), c(""), c("")]);
    t.row(vec![rs("预算规模及资金用途", 2), c("预算数"), c(p.total).r(), c("其中：财政    资金"), c(p.fiscal).r(), c("其他资金"), c(p.other)]);
    t.row(vec![c(p.fund_use), c(""), c(""), c(""), c(""), c("")]);
    t.row(vec![rs("资金支出计划（%）", 2), c("3月底"), c(""), c("6月底"), c("10月底"), c("12月底"), c("")]);
    t.row(vec![c(p.plan[0]), c(""), c(p.plan[1]), c(p.plan[2]), c(p.plan[3]), c("")]);
    t.row(vec![c("绩效目标"), c(p.goal), c(""), c(""), c(""), c(""), c("")]);
    t.finish()
}

/// 003's indicator table: 绩效指标描述 spans two grid columns in the header only; the data rows
/// leave the second one as an empty spacer cell.
fn yutian_indicators(p: &Project) -> TableModel {
    let mut t = TableModel::new(&[9.0, 11.0, 17.0, 24.0, 3.0, 18.0, 18.0]).font(9.0).header(1, true);
    t.row(vec![c("一级指标"), c("二级指标"), c("三级指标"), cs("绩效指标描述", 2), c("指标值"), c("指标值确定依据")]);
    let mut i = 0;
    for run in l1_runs(&p.inds) {
        for k in 0..run {
            let x = &p.inds[i + k];
            let mut row = Vec::new();
            if k == 0 {
                row.push(rs(x.l1, run));
            }
            row.extend([c(x.l2), c(x.l3), c(x.desc).l(), c(""), c(x.value).l(), c(x.basis)]);
            t.row(row);
        }
        i += run;
    }
    t.finish()
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum PairKind {
    Caofeidian,
    Yutian,
}

/// `limit` keeps only the first projects (the Chromium variant, whose Type 3 fonts are heavy).
pub fn pair_doc(name: &str, kind: PairKind, agency_row: bool, limit: Option<usize>) -> DocModel {
    let (mut projects, intro, desc) = match kind {
        PairKind::Caofeidian => (
            caofeidian_projects(),
            vec![
                "组织协调好全区“放管服”改革工作。指导协调全区行政审批制度改革工作。指导协调全区政务服务管理工作。协调指导全区公共资源交易市场工作。统筹推进全区“互联网+政务服务”工作，建设全区一体化政务服务平台。",
                "（一）审批大厅群企服务经费，提升政务服务管理水平。绩效目标：保证机关正常运转，规范政务服务管理运行情况，提高服务水平。绩效指标：高效率完成审批工作事项，政务服务工作覆盖率达到100%。",
                "（二）购买第三方服务，优化政务服务。绩效目标：提高窗口服务水平。绩效指标：提高群众满意度，群众满意率达到99%以上。",
            ],
            "002 曹妃甸区行政审批局: eight projects, each an info table + an indicator table, 万元",
        ),
        PairKind::Yutian => (
            yutian_projects(),
            vec![
                "总体绩效目标：2024年，我局将坚持以习近平新时代中国特色社会主义思想为指导，围绕“科创商贸名城、京东魅力玉田”这一发展目标，以优化投资服务软环境，提升政府审批高效能为着力点，打造审批服务高地，进一步提升办事群众和企业的获得感和满意度。",
                "推动新开办企业首套公章免费刻制。为进一步降低企业成本，2024年继续为新开办企业提供免费刻制首套印章（企业行政章、财务专用章、法人名章）服务。",
                "政务服务中心运行维护，实现服务环境大改善。力争广大办事企业和群众即可在我县享受到“只进一扇门，能办所有事”的便捷服务。",
            ],
            "003 玉田县行政审批局 2024: four projects as info + indicator tables with spacer columns, a two-column 绩效指标描述 header and 指标值 cells running a number and a note together (元); project 4 completed beyond the dump",
        ),
    };
    if let Some(n) = limit {
        projects.truncate(n);
    }
    let mut blocks = vec![Block::Title("第一部分　部门整体绩效目标".into()), Block::Heading("一、总体绩效目标".into())];
    for p in intro {
        blocks.push(Block::Para(p.into()));
    }
    blocks.push(Block::PageBreak);
    blocks.push(Block::Title("第二部分　预算项目绩效目标".into()));
    for (i, p) in projects.iter().enumerate() {
        if i > 0 {
            blocks.push(Block::PageBreak);
        }
        blocks.push(Block::Heading(format!("{}.{}", p.number, p.title)));
        if !agency_row {
            blocks.push(Block::Para(p.agency.to_string()));
            blocks.push(Block::Right(format!("单位：{}", p.unit)));
        }
        let (info, inds) = match kind {
            PairKind::Caofeidian => (caofeidian_info(p, agency_row), caofeidian_indicators(p)),
            PairKind::Yutian => (yutian_info(p, agency_row), yutian_indicators(p)),
        };
        blocks.push(Block::Table(info));
        blocks.push(Block::Table(inds));
    }
    let ps = projects.clone();
    DocModel {
        name: name.to_string(),
        description: format!("{desc}{}{}", limit.map(|n| format!(" (first {n} projects only)")).unwrap_or_default(), if agency_row { "; agency line as the info table's first, borderless row" } else { "; agency line printed above the info table" }),
        landscape: false,
        // 002 has _GoBack in its last cell (the last 指标值确定依据), 003 in project 1's 社会效益 描述
        docx_bookmarks: Some(match kind {
            PairKind::Caofeidian => (2 * projects.len() - 1, projects.last().unwrap().inds.len(), 5),
            PairKind::Yutian => (1, 6, 3),
        }),
        blocks,
        warnings: vec![],
        records: Rc::new(move |fmt| ps.iter().enumerate().map(|(i, p)| p.record(fmt, vec![2 * i, 2 * i + 1])).collect()),
    }
}
