//! Records and warnings: hand-built tables in the seeds' shapes with hand-written expectations,
//! the corpus ground truth (record field accuracy per family, warnings expected vs raised), and
//! every extraction validated against schemas/extraction.schema.json.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::{json, Value};
use yusuan::interpret::{interpret, Record};
use yusuan::model::{Cell, Extraction, Source, Table, Warning};
use yusuan::{validate::validate, Format};

mod common;
use common::{d, grid};

fn projects(records: &[Record]) -> Vec<&yusuan::interpret::ProjectPerformance> {
    records.iter().filter_map(|r| if let Record::ProjectPerformance(p) = r { Some(p) } else { None }).collect()
}

fn lines(records: &[Record]) -> Vec<&yusuan::interpret::BudgetLine> {
    records.iter().filter_map(|r| if let Record::BudgetLine(l) = r { Some(l) } else { None }).collect()
}

fn codes(warnings: &[Warning]) -> Vec<(String, Option<usize>, Option<usize>)> {
    let mut v: Vec<_> = warnings.iter().map(|w| (w.code.clone(), w.table, w.row)).collect();
    v.sort();
    v
}

// 001 山海关: one combined table, 元, 一级指标 merged over rows, wrapped text with spaces inside.
fn hebei_combined() -> Table {
    grid(
        0,
        &["1.行政审批等专家评审费绩效目标表", "630001 秦皇岛市山海关区行政审批局本级 单位：元"],
        &[
            &["项目编码", "130303216DIAX82DQOND M", "<", "项目名称", "行政审批等专家评审费", "<", "<"],
            &["预算规模及资金用途", "预算数", "80000.00", "其中:财政资金", "80000.00", "其他资金", "0"],
            &["^", "保障审批局专家评审经费", "<", "<", "<", "<", "<"],
            &["资金支出计划（%）", "3月底", "<", "6月底", "10 月底", "12月底", "<"],
            &["^", "25. 00%", "<", "50.00%", "75. 00%", "100.00%", "<"],
            &["绩效目标", "1.保障审批局专家评审经费\n2.保障审批业务专项业务", "<", "<", "<", "<", "<"],
            &["一级指标", "二级指标", "三级指标", "绩效指标描述", "<", "指标值", "指标值确定依据"],
            &["产出指标", "数量指标", "综合事务保障率", "保障日常事务高效运转", "<", "≥95 百分 比", "年度工作计划"],
            &["^", "质量指标", "网络数据平 台建设任务 完成情况", "网络数据平台建设任务完成情况", "<", "≥95 百分 比", "年度工作计划"],
            &["效益指标", "经济效益 指标", "综合利用率", "基础设施建成后的利用、使用情况", "<", "≥95 百分 比", "年度工作计划"],
            &["^", "社会效益 指标", "群众满意率", "满足大厅办事群众需求", "<", "≥95 百分 比", "年度工作计划"],
            &["满意度指标", "服务对象满意度指标", "活动完成率", "工作顺利完成", "<", ">95百分比", "年度工作计划"],
        ],
    )
}

#[test]
fn hebei_combined_table_is_one_record() {
    let (records, _) = interpret(&[hebei_combined()]);
    let ps = projects(&records);
    assert_eq!(ps.len(), 1);
    let p = ps[0];
    assert_eq!(p.title.as_deref(), Some("行政审批等专家评审费绩效目标表"));
    assert_eq!(p.agency_code.as_deref(), Some("630001"));
    assert_eq!(p.agency_name.as_deref(), Some("秦皇岛市山海关区行政审批局本级"));
    assert_eq!(p.amount_unit.as_deref(), Some("元"));
    assert_eq!(p.project_code.as_deref(), Some("130303216DIAX82DQONDM"));
    assert_eq!(p.project_name.as_deref(), Some("行政审批等专家评审费"));
    assert_eq!(p.budget_total.map(|v| v.to_string()).as_deref(), Some("80000.00"));
    assert_eq!(p.budget_fiscal, Some(d("80000")));
    assert_eq!(p.budget_other.map(|v| v.to_string()).as_deref(), Some("0.00"));
    assert_eq!(p.fund_use.as_deref(), Some("保障审批局专家评审经费"));
    let plan = p.spending_plan.as_ref().unwrap();
    assert_eq!(
        [plan.mar, plan.jun, plan.oct, plan.dec].map(|v| v.map(|d| d.to_string())),
        [Some("25.00".into()), Some("50.00".into()), Some("75.00".into()), Some("100.00".into())]
    );
    assert_eq!(p.goal.as_deref(), Some("1.保障审批局专家评审经费\n2.保障审批业务专项业务"));
    assert_eq!(p.indicators.len(), 5);
    let i = &p.indicators[1];
    assert_eq!(i.level1.as_deref(), Some("产出指标"), "一级指标 filled down over its merge");
    assert_eq!(i.level2.as_deref(), Some("质量指标"));
    assert_eq!(i.level3.as_deref(), Some("网络数据平 台建设任务 完成情况"));
    assert_eq!(i.description.as_deref(), Some("网络数据平台建设任务完成情况"));
    assert_eq!(i.value.as_deref(), Some("≥95 百分 比"));
    assert_eq!((i.comparator.as_deref(), i.target, i.unit.as_deref()), (Some(">="), Some(d("95")), Some("百分比")));
    assert_eq!(i.basis.as_deref(), Some("年度工作计划"));
    assert_eq!(p.indicators[2].level1.as_deref(), Some("效益指标"));
    assert_eq!(p.indicators[2].level2.as_deref(), Some("经济效益指标"));
    assert_eq!(p.indicators[3].level2.as_deref(), Some("社会效益指标"));
    assert_eq!(p.indicators[4].comparator.as_deref(), Some(">"));
    assert_eq!(p.competent_dept, None);
    assert_eq!(p.start_date, None);
}

// 002 曹妃甸: info table + indicator table, 万元, agency and unit in a row of the table, blank
// continuation cells below 产出指标.
fn hebei_pair(first_index: usize) -> Vec<Table> {
    let info = grid(
        first_index,
        &["1.购买第三方服务绩效目标表"],
        &[
            &["433001曹妃甸区行政审批局本级", "<", "<", "<", "单位：万元", "<"],
            &["项目编码", "13020925P00009410002P", "<", "项目名称", "购买第三方服务", "<"],
            &["预算规模及资金用途", "预算数", "299.65", "其中：财政    资金", "299.65", "其他资金", ""],
            &["^", "购买第三方服务", "<", "<", "<", "<", "<"],
            &["资金支出计划（%）", "3月底", "<", "6月底", "10月底", "12月底", "<"],
            &["^", "25%", "<", "50%", "75%", "100%", "<"],
            &["绩效目标", "1.按时拨付第三方人员经费", "<", "<", "<", "<", "<"],
        ],
    );
    let indicators = grid(
        first_index + 1,
        &["1.按时拨付第三方人员经费"],
        &[
            &["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"],
            &["产出指标", "数量指标", "聘用人员数量", "聘用人员数量", "≥50人", "年初预算"],
            &["", "质量指标", "拨款保障率", "拨款保障率", "100%", "年初预算"],
            &["", "时效指标", "按期完成率", "按期完成率", "≥98%", "年初预算"],
            &["效益指标", "可持续影响指标", "项目持续发挥作用期限", "项目持续发挥作用期限", "≥4年", "行业标准"],
            &["满意度指标", "服务对象满意度指标", "服务对象满意度", "服务对象满意度", "≥92%", "行业标准"],
        ],
    );
    vec![info, indicators]
}

#[test]
fn hebei_pair_makes_one_record_in_yuan() {
    let (records, _) = interpret(&hebei_pair(0));
    let ps = projects(&records);
    assert_eq!(ps.len(), 1);
    let p = ps[0];
    assert_eq!(p.source_tables, vec![0, 1]);
    assert_eq!(p.title.as_deref(), Some("购买第三方服务绩效目标表"));
    assert_eq!((p.agency_code.as_deref(), p.agency_name.as_deref()), (Some("433001"), Some("曹妃甸区行政审批局本级")));
    assert_eq!(p.amount_unit.as_deref(), Some("万元"));
    assert_eq!(p.budget_total.unwrap().to_string(), "2996500.00");
    assert_eq!(p.budget_fiscal.unwrap().to_string(), "2996500.00");
    assert_eq!(p.budget_other, None, "blank 其他资金 is null");
    assert_eq!(p.fund_use.as_deref(), Some("购买第三方服务"));
    assert_eq!(p.spending_plan.as_ref().unwrap().jun, Some(d("50")));
    assert_eq!(p.indicators.len(), 5);
    assert_eq!(p.indicators[2].level1.as_deref(), Some("产出指标"), "blank 一级指标 cells filled down");
    assert_eq!(p.indicators[0].unit.as_deref(), Some("人"));
    assert_eq!(p.indicators[1].comparator, None);
    assert_eq!(p.indicators[1].target, Some(d("100")));
    assert_eq!(p.indicators[1].unit.as_deref(), Some("%"));
    assert_eq!(p.indicators[3].unit.as_deref(), Some("年"));
}

// 003 玉田: spacer columns, 绩效指标描述 over two grid columns, number + note values.
fn yutian() -> Table {
    grid(
        0,
        &["1.“放管服”改革优化营商环境项目绩效目标表"],
        &[
            &["441001玉田县行政审批局本级", "", "", "", "", "", "单位：元"],
            &["项目编码", "13022924P00JXC417611C", "", "项目名称", "“放管服”改革优化营商环境项目", "", ""],
            &["预算规模及资金用途", "预算数", "135000.00", "其中：财政    资金", "135000.00", "其他资金", " "],
            &["^", "“放管服”改革、优化营商环境经费", "", "", "", "", ""],
            &["资金支出计划（%）", "3月底", "", "6月底", "10月底", "12月底", ""],
            &["^", "25%", "", "50%", "75%", "100%", ""],
            &["绩效目标", "1.“放管服”改革，优化营商环境落到实处，纵深发展", "", "", "", "", ""],
            &["一级指标", "二级指标", "三级指标", "绩效指标描述", "", "指标值", "指标值确定依据"],
            &["产出指标", "数量指标", "“一件事一次办”", "68项一件事一次办工作推进", "", "100\n100%全部完成", "省政务平台数据提取"],
            &["^", "质量指标", "功能区建设", "完成窗口服务区建设", "", "90根据资金到位情况逐步开展，年底前不低于任务90%", "现场验收"],
            &["满意度指标", "服务对象满意度指标", "重点项目回访好评率", "对重点项目政务服务办事体验进行电话回访", "", "≥99回访好评率不低于95%", "现场验收"],
        ],
    )
}

#[test]
fn yutian_spacer_columns_and_number_notes() {
    let (records, _) = interpret(&[yutian()]);
    let p = projects(&records)[0];
    assert_eq!(p.agency_code.as_deref(), Some("441001"));
    assert_eq!(p.amount_unit.as_deref(), Some("元"));
    assert_eq!(p.project_name.as_deref(), Some("“放管服”改革优化营商环境项目"));
    assert_eq!(p.budget_total, Some(d("135000")));
    assert_eq!(p.budget_other, None);
    assert_eq!(p.fund_use.as_deref(), Some("“放管服”改革、优化营商环境经费"));
    let plan = p.spending_plan.as_ref().unwrap();
    assert_eq!((plan.mar, plan.dec), (Some(d("25")), Some(d("100"))));
    assert_eq!(p.indicators.len(), 3);
    let i0 = &p.indicators[0];
    assert_eq!(i0.description.as_deref(), Some("68项一件事一次办工作推进"));
    assert_eq!(i0.value.as_deref(), Some("100\n100%全部完成"));
    assert_eq!((i0.comparator.as_deref(), i0.target, i0.unit.as_deref()), (None, Some(d("100")), None));
    let i1 = &p.indicators[1];
    assert_eq!((i1.comparator.as_deref(), i1.target, i1.unit.as_deref()), (None, Some(d("90")), None), "number + note");
    let i2 = &p.indicators[2];
    assert_eq!((i2.comparator.as_deref(), i2.target, i2.unit.as_deref()), (Some(">="), Some(d("99")), None));
}

// 004 潼南: Chongqing project table, vertical 绩效指标 label, "指标 1:" items, 二级指标 merged.
fn chongqing_project(index: usize) -> Table {
    grid(
        index,
        &[],
        &[
            &["项目名称", "<", "区行政服务中心工作人员培训服务经费", "<", "<", "<"],
            &["主管部门", "<", "区行政服务管理办", "实施单位", "区行政服务管理办", "<"],
            &["资金总额（万元）", "<", "9", "项目性质（常年或一次）", "常年", "<"],
            &["项目起始时间", "<", "2021.1.1", "项目终止时间", "2021.12.31", "<"],
            &["项目概况", "<", "行政服务中心工作人员行政许可、岗位培训等培训服务。", "<", "<", "<"],
            &["立项依据", "<", "潼委办〔2018〕21号", "<", "<", "<"],
            &["项目当年绩效目标", "<", "增强行政服务中心的凝聚力和向心力。", "<", "<", "<"],
            &["绩\n效\n指\n标", "一级指标", "二级指标", "三级指标", "<", "指标值"],
            &["^", "产出指标", "数量指标", "指标 1: 行政服务中心工作人员培训服务。", "<", "300 人"],
            &["^", "^", "质量指标", "指标 1：改善政务服务环境；", "<", "满意度≧90%"],
            &["^", "^", "^", "指标:2: 提升政务服务工作质量。", "<", "≧90%"],
            &["^", "^", "时效指标", "2021 年年底前完成。", "<", "2021年12月完成"],
            &["^", "效益指标", "社会效益 指标", "激发工作人员工作热情，提升窗口形象。", "<", "办结率≧95%"],
        ],
    )
}

#[test]
fn chongqing_project_table() {
    let (records, _) = interpret(&[chongqing_project(0)]);
    let p = projects(&records)[0];
    assert_eq!(p.title, None);
    assert_eq!(p.amount_unit.as_deref(), Some("万元"));
    assert_eq!(p.project_name.as_deref(), Some("区行政服务中心工作人员培训服务经费"));
    assert_eq!(p.budget_total.unwrap().to_string(), "90000.00");
    assert_eq!(p.budget_fiscal, None);
    assert_eq!(p.competent_dept.as_deref(), Some("区行政服务管理办"));
    assert_eq!(p.implementing_unit.as_deref(), Some("区行政服务管理办"));
    assert_eq!(p.project_nature.as_deref(), Some("常年"));
    assert_eq!(p.start_date.as_deref(), Some("2021-01-01"));
    assert_eq!(p.end_date.as_deref(), Some("2021-12-31"));
    assert_eq!(p.overview.as_deref(), Some("行政服务中心工作人员行政许可、岗位培训等培训服务。"));
    assert_eq!(p.legal_basis.as_deref(), Some("潼委办〔2018〕21号"));
    assert_eq!(p.goal.as_deref(), Some("增强行政服务中心的凝聚力和向心力。"));
    assert_eq!(p.spending_plan, None);
    assert_eq!(p.indicators.len(), 5);
    assert_eq!(p.indicators[0].level3.as_deref(), Some("行政服务中心工作人员培训服务"));
    assert_eq!((p.indicators[0].target, p.indicators[0].unit.as_deref()), (Some(d("300")), Some("人")));
    assert_eq!(p.indicators[1].level3.as_deref(), Some("改善政务服务环境"));
    assert_eq!(p.indicators[2].level3.as_deref(), Some("提升政务服务工作质量"));
    assert_eq!(p.indicators[2].level2.as_deref(), Some("质量指标"));
    assert_eq!(p.indicators[2].comparator.as_deref(), Some(">="));
    assert_eq!(p.indicators[3].level1.as_deref(), Some("产出指标"));
    assert_eq!(p.indicators[4].level2.as_deref(), Some("社会效益指标"));
    assert_eq!(p.indicators[4].description, None);
    assert_eq!(p.indicators[4].basis, None);
}

// 004 潼南 financial tables, in 万元, with the source's own inconsistencies.
fn expenditure_table(index: usize) -> Table {
    grid(
        index,
        &["附件 2", "重庆市潼南区政务服务管理办公室一般公共预算财政拨款支出预算表", "单位:万元"],
        &[
            &["功能分类科目", "<", "2021 年预算数", "<", "<"],
            &["科目编码", "科目名称", "小计", "基本支出", "项目支出"],
            &["", "总计:", "1,932.33", "494.82", "1,437.50"],
            &["201", "一般公共服务支出", "1,866.11", "428.61", "1,437.50"],
            &["20103", "政府办公厅(室)及相关机构事务", "1,866.11", "428.61", "1,437.50"],
            &["2010301", "行政运行", "428.61", "428.61", ""],
            &["2010302", "一般行政管理事务", "1,437.50", "", "1,437.50"],
            &["208", "社会保障和就业支出", "39.70", "39.70", ""],
            &["20805", "行政事业单位养老支出", "39.70", "39.70", ""],
            &["2080505", "机关事业单位基本养老保险缴费支出", "15.83", "15.83", ""],
            &["2080506", "机关事业单位职业年金缴费支出", "13.87", "13.87", ""],
            &["2080599", "其他行政事业单位养老支出", "10.00", "10.00", ""],
            &["210", "卫生健康支出", "14.64", "14.64", ""],
            &["21011", "行政事业单位医疗", "14.64", "14.64", ""],
            &["2101101", "行政单位医疗", "11.88", "11.88", ""],
            &["2101199", "其他行政事业单位医疗支出", "2.76", "2.76", ""],
            &["221", "住房保障支出", "11.88", "11.88", ""],
            &["22102", "住房改革支出", "11.88", "11.88", ""],
            &["2210201", "住房公积金", "11.88", "11.88", ""],
        ],
    )
}

fn basic_expenditure_table(index: usize) -> Table {
    grid(
        index,
        &["重庆市潼南区政务服务管理办公室 一般公共预算财政拨款基本支出预算表", "单位: 万元"],
        &[
            &["经济分类科目", "<", "2021 年基本支出", "<", "<"],
            &["科目编码", "科目名称", "合计", "人员经费", "公用经费"],
            &["", "合计", "494.83", "426.63", "68.20"],
            &["301", "工资福利支出", "413.87", "413.87", ""],
            &["30101", "基本工资", "44.99", "44.99", ""],
            &["30102", "津贴补贴", "47.26", "47.26", ""],
            &["30103", "奖金", "62.59", "62.59", ""],
            &["30108", "机关事业单位基本养老保险缴费", "15.83", "15.83", ""],
            &["30109", "职业年金缴费", "13.87", "13.87", ""],
            &["30110", "职工基本医疗保险缴费", "8.41", "8.41", ""],
            &["30112", "其他社会保障缴费", "1.78", "1.78", ""],
            &["30113", "住房公积金", "11.88", "11.88", ""],
            &["30114", "医疗费", "1.98", "1.98", ""],
            &["30199", "其他工资福利支出", "205.28", "205.28", ""],
            &["302", "商品和服务支出", "68.20", "", "68.20"],
            &["30201", "办公费", "5.00", "", "5.00"],
            &["30211", "国内差旅费", "19.80", "", "19.80"],
            &["30299", "其他商品和服务支出", "43.40", "", "43.40"],
            &["303", "对个人和家庭的补助", "12.76", "12.76", ""],
            &["30307", "医疗费", "2.76", "2.76", ""],
            &["30399", "其他对个人和家庭的补助支出", "10.00", "10.00", ""],
        ],
    )
}

fn department_summary_table(index: usize) -> Table {
    grid(
        index,
        &["重庆市潼南区政务服务管理办公室部门收支总表", "单位：万元"],
        &[
            &["收入", "<", "支出", "<"],
            &["项目", "预算数", "项目", "预算数"],
            &["一般公共预算拨款收入", "1932.33", "一般公共服务支出", "1866.11"],
            &["政府性基金预算拨款收入", "", "社会保险基金支出", "39.70"],
            &["国有资本经营预算拨款收入", "", "社会保险基金支出", ""],
            &["事业收入预算", "", "卫生健康支出", "14.64"],
            &["事业单位经营收入预算", "", "住房保障支出", "11.88"],
            &["本年收入合计", "1932.33", "本年支出合计", "1932.33"],
            &["收入总计", "1932.33", "支出总计", "1932.33"],
        ],
    )
}

#[test]
fn financial_lines_are_typed_and_in_yuan() {
    let tables = vec![expenditure_table(0), basic_expenditure_table(1)];
    let (records, _) = interpret(&tables);
    let ls = lines(&records);
    assert_eq!(ls.len(), 17 + 19);
    let total = ls[0];
    assert_eq!(total.table_title.as_deref(), Some("一般公共预算财政拨款支出预算表"));
    assert_eq!(total.agency_name.as_deref(), Some("重庆市潼南区政务服务管理办公室"));
    assert_eq!(total.amount_unit.as_deref(), Some("万元"));
    assert_eq!(total.subject_code, None);
    assert_eq!(total.subject_name.as_deref(), Some("总计"));
    assert_eq!(total.amounts.keys().cloned().collect::<Vec<_>>(), vec!["基本支出", "小计", "项目支出"]);
    assert_eq!(total.amounts["小计"].unwrap().to_string(), "19323300.00");
    assert_eq!(total.amounts["基本支出"].unwrap().to_string(), "4948200.00");
    let row = ls.iter().find(|l| l.subject_code.as_deref() == Some("2010301")).unwrap();
    assert_eq!(row.subject_name.as_deref(), Some("行政运行"));
    assert_eq!(row.amounts["项目支出"], None);
    assert_eq!(row.row, Some(5));
    assert_eq!(ls[17].table_title.as_deref(), Some("一般公共预算财政拨款基本支出预算表"));
    // A decoder's header count is taken unless it swallows data rows.
    let mut told = expenditure_table(0);
    told.header_rows = 2;
    assert_eq!(lines(&interpret(&[told.clone()]).0).len(), 17);
    told.header_rows = 4;
    assert_eq!(lines(&interpret(&[told]).0).len(), 17);
    assert_eq!(ls[17].amounts.keys().cloned().collect::<Vec<_>>(), vec!["人员经费", "公用经费", "合计"]);
}

#[test]
fn seed_004_inconsistencies_surface() {
    let tables = vec![department_summary_table(0), expenditure_table(1), basic_expenditure_table(2)];
    let (records, mut warnings) = interpret(&tables);
    warnings.extend(validate(&tables, &records));
    let got = codes(&warnings);
    let s = |c: &str, t: usize, r: usize| (c.to_string(), Some(t), Some(r));
    // 总计 row: 小计 1,932.33 vs 494.82 + 1,437.50, and 基本支出 494.82 vs Σ 类 494.83: within 0.01 万元.
    assert!(got.contains(&s("rounding", 1, 2)), "{got:?}");
    // The 基本支出 table's 494.83 against the 494.82 printed before it.
    assert!(got.contains(&s("cross_table_mismatch", 2, 2)), "{got:?}");
    // 部门收支总表: 社会保险基金支出 carries the 39.70 of 208 社会保障和就业支出.
    assert!(got.contains(&s("label_mismatch", 0, 3)), "{got:?}");
    assert_eq!(got.len(), 3, "nothing else is wrong: {got:?}");
}

#[test]
fn larger_differences_are_mismatches() {
    let mut t = expenditure_table(0);
    for c in t.cells.iter_mut() {
        if c.row == 9 && c.col >= 2 {
            c.text = "16.83".into(); // 2080505 one 万元 too high: 20805 no longer adds up.
        }
    }
    let mut b = basic_expenditure_table(1);
    for c in b.cells.iter_mut() {
        if c.row == 4 && c.col == 2 {
            c.text = "45.99".into(); // 基本工资 合计 ≠ 人员经费 + 公用经费.
        }
    }
    let tables = vec![t, b];
    let (records, _) = interpret(&tables);
    let got = codes(&validate(&tables, &records));
    let s = |c: &str, t: usize, r: usize| (c.to_string(), Some(t), Some(r));
    assert!(got.contains(&s("hierarchy_mismatch", 0, 8)), "{got:?}");
    assert!(got.contains(&s("sum_mismatch", 1, 4)), "{got:?}");
    assert!(got.contains(&s("hierarchy_mismatch", 1, 3)), "301 = Σ children broken too: {got:?}");
}

/// A borderless form the layout could not fully place left 12月底 blank (open_hrules corpus
/// family): a plan with a blank end is not a plan ending elsewhere than 100, while a printed 90
/// is.
#[test]
fn a_spending_plan_ends_wrong_only_where_its_end_is_printed() {
    let plan_warnings = |dec: &str| {
        let mut t = hebei_combined();
        for c in t.cells.iter_mut() {
            if (c.row, c.col) == (4, 5) {
                c.text = dec.into();
            }
        }
        let tables = vec![t];
        let (records, _) = interpret(&tables);
        codes(&validate(&tables, &records)).into_iter().filter(|(code, _, _)| code == "spending_plan").count()
    };
    assert_eq!(plan_warnings("100.00%"), 0);
    assert_eq!(plan_warnings(""), 0, "a blank 12月底 says nothing about the plan");
    assert_eq!(plan_warnings("90.00%"), 1, "a printed 90 is a plan that does not end at 100");
}

#[test]
fn project_checks() {
    let mut t = hebei_combined();
    for c in t.cells.iter_mut() {
        if (c.row, c.col) == (1, 4) {
            c.text = "70000.00".into();
        }
        if (c.row, c.col) == (4, 4) {
            c.text = "45.00%".into();
        }
    }
    let tables = vec![t];
    let (records, _) = interpret(&tables);
    let got = codes(&validate(&tables, &records));
    assert_eq!(
        got,
        vec![("budget_split".to_string(), Some(0), Some(1)), ("spending_plan".to_string(), Some(0), Some(4))]
    );
}

fn department_table(index: usize) -> Table {
    grid(
        index,
        &["附件 10"],
        &[
            &["2021 年区政务服务管理办预算整体绩效目标表", "<", "<", "<", "<", "<"],
            &["", "", "", "", "", "单位:万元"],
            &["部门(单位)名称", "重庆市潼南区政务服务管理办公室", "<", "支出预算总量", "1932.33", "<"],
            &["^", "^", "^", "其中：部门预算支出", "1932.33", "<"],
            &["当年整体绩效目标", "1.保障政务中心正常运行，顺利开展行政审批服务工作；", "<", "<", "<", "<"],
            &["绩效指标", "指标名称", "指标权重", "计量单位", "指标性质", "指标值"],
            &["^", "入驻部门", "5%", "个", "=", "28"],
            &["^", "事项上网率", "10%", "百分率", "≥", "80"],
            &["^", "业务办理“不打烊”", "10%", "小时", "=", "24*7"],
            &["^", "提升满意度", "10%", "百分率", "≧", "90"],
        ],
    )
}

#[test]
fn department_performance_table() {
    let (records, warnings) = interpret(&[department_table(0)]);
    assert!(warnings.is_empty());
    let Record::DepartmentPerformance(dp) = &records[0] else { panic!("{records:?}") };
    assert_eq!(records.len(), 1);
    assert_eq!(dp.title.as_deref(), Some("2021年区政务服务管理办预算整体绩效目标表"));
    assert_eq!(dp.agency_name.as_deref(), Some("重庆市潼南区政务服务管理办公室"));
    assert_eq!(dp.amount_unit.as_deref(), Some("万元"));
    assert_eq!(dp.budget_total.unwrap().to_string(), "19323300.00");
    assert_eq!(dp.budget_department.unwrap().to_string(), "19323300.00");
    assert_eq!(dp.goal.as_deref(), Some("1.保障政务中心正常运行，顺利开展行政审批服务工作；"));
    assert_eq!(dp.indicators.len(), 4);
    assert_eq!(dp.indicators[1].weight, Some(d("10")));
    assert_eq!(dp.indicators[1].comparator.as_deref(), Some(">="));
    assert_eq!(dp.indicators[1].target, Some(d("80")));
    assert_eq!(dp.indicators[2].value.as_deref(), Some("24*7"));
    assert_eq!(dp.indicators[2].target, None);
    assert_eq!(dp.indicators[3].comparator.as_deref(), Some(">="));
}

// Shanghai-style 部门预算 table: 类 | 款 | 项 split, 元 with thousands separators.
fn shanghai_lines_table(index: usize) -> Table {
    grid(
        index,
        &["上海市某区司法局2023年部门支出预算表", "编制单位：上海市某区司法局", "单位：元"],
        &[
            &["功能分类科目编码", "<", "<", "功能分类科目名称", "合计", "基本支出", "项目支出"],
            &["类", "款", "项", "^", "^", "^", "^"],
            &["204", "", "", "公共安全支出", "1,250,000.00", "1,000,000.00", "250,000.00"],
            &["204", "06", "", "司法", "1,250,000.00", "1,000,000.00", "250,000.00"],
            &["204", "06", "01", "行政运行", "1,000,000.00", "1,000,000.00", ""],
            &["", "", "07", "律师管理", "250,000.00", "", "250,000.00"],
            &["", "", "", "合计", "1,250,000.00", "1,000,000.00", "250,000.00"],
        ],
    )
}

#[test]
fn split_subject_columns() {
    let tables = vec![shanghai_lines_table(0)];
    let (records, _) = interpret(&tables);
    let ls = lines(&records);
    assert_eq!(
        ls.iter().map(|l| l.subject_code.clone()).collect::<Vec<_>>(),
        vec![Some("204".into()), Some("20406".into()), Some("2040601".into()), Some("2040607".into()), None]
    );
    assert_eq!(ls[0].amount_unit.as_deref(), Some("元"));
    assert_eq!(ls[3].amounts["合计"].unwrap().to_string(), "250000.00");
    assert_eq!(ls[0].table_title.as_deref(), Some("2023年部门支出预算表"));
    assert_eq!(ls[0].agency_name.as_deref(), Some("上海市某区司法局"));
    assert!(validate(&tables, &records).is_empty(), "a clean table raises nothing");
}

#[test]
fn tables_that_are_not_budget_tables() {
    let contacts = grid(0, &["联系方式"], &[&["姓名", "电话"], &["张友燕", "023-44578028"]]);
    let empty_fund = grid(
        1,
        &["重庆市潼南区政务服务管理办公室政府性基金预算支出表", "单位: 万元"],
        &[
            &["科目编码", "科目名称", "本年政府性基金预算财政拨款支出", "<", "<"],
            &["^", "^", "合计", "基本支出", "项目支出"],
            &["", "", "", "", ""],
        ],
    );
    let tables = vec![contacts, empty_fund];
    let (records, warnings) = interpret(&tables);
    assert!(records.is_empty(), "{records:?}");
    assert!(warnings.is_empty());
    assert!(validate(&tables, &records).is_empty());
}

/// All fixtures as one clean document: every record valid, no warning.
fn clean_document() -> Vec<Table> {
    let mut tables = vec![hebei_combined()];
    tables.extend(hebei_pair(1));
    let mut y = yutian();
    y.index = 3;
    tables.push(y);
    tables.push(chongqing_project(4));
    tables.push(department_table(5));
    tables.push(shanghai_lines_table(6));
    tables
}

#[test]
fn clean_document_raises_nothing() {
    let tables = clean_document();
    let (records, mut warnings) = interpret(&tables);
    warnings.extend(validate(&tables, &records));
    assert_eq!(projects(&records).len(), 4);
    assert!(warnings.is_empty(), "{warnings:?}");
}

// ---------------------------------------------------------------------------------------------
// JSON Schema.

fn schema_validator() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/extraction.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("schema file")).expect("schema JSON");
    jsonschema::draft202012::new(&schema).expect("schema compiles")
}

fn schema_errors(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path())).take(5).collect()
}

fn extraction_of(tables: Vec<Table>) -> Extraction {
    let (records, mut warnings) = interpret(&tables);
    warnings.extend(validate(&tables, &records));
    Extraction {
        schema_version: "1".into(),
        source: Source { file_name: "fixture.docx".into(), sha256: "0".repeat(64), format: Format::Docx, page_count: None },
        tables,
        records,
        warnings,
        text: vec![],
    }
}

#[test]
fn fixture_extractions_validate_against_the_schema() {
    let validator = schema_validator();
    let mut tables = clean_document();
    tables.push(expenditure_table(7));
    tables.push(basic_expenditure_table(8));
    tables.push(department_summary_table(9));
    let doc = serde_json::to_value(extraction_of(tables)).unwrap();
    assert!(doc["warnings"].as_array().is_some_and(|w| !w.is_empty()));
    let errors = schema_errors(&validator, &doc);
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn schema_rejects_what_the_contract_forbids() {
    let validator = schema_validator();
    let doc = serde_json::to_value(extraction_of(clean_document())).unwrap();
    let mut float_amount = doc.clone();
    float_amount["records"][0]["budget_total"] = json!(80000.0);
    assert!(!schema_errors(&validator, &float_amount).is_empty());
    let mut one_decimal = doc.clone();
    one_decimal["records"][0]["budget_total"] = json!("80000.0");
    assert!(!schema_errors(&validator, &one_decimal).is_empty());
    let mut bad_kind = doc.clone();
    bad_kind["records"][0]["kind"] = json!("project");
    assert!(!schema_errors(&validator, &bad_kind).is_empty());
    let mut bad_date = doc.clone();
    bad_date["records"][3]["start_date"] = json!("2021.1.1");
    assert!(!schema_errors(&validator, &bad_date).is_empty());
    let mut bad_comparator = doc;
    bad_comparator["records"][0]["indicators"][0]["comparator"] = json!("≥");
    assert!(!schema_errors(&validator, &bad_comparator).is_empty());
}

// ---------------------------------------------------------------------------------------------
// The corpus: interpret(truth.tables) must reproduce truth.records, validate truth.warnings.

/// Field-level comparison of extracted records with the truth: each scalar field of each record,
/// each amount of a budget line, each field of each indicator (matched by 二级 + 三级指标).
#[derive(Default, Debug, Clone, Copy)]
struct Score {
    correct: usize,
    total: usize,
}

impl Score {
    fn add(&mut self, ok: bool) {
        self.total += 1;
        if ok {
            self.correct += 1;
        }
    }
    fn accuracy(&self) -> f64 {
        if self.total == 0 { 1.0 } else { self.correct as f64 / self.total as f64 }
    }
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn same_leaf(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => match (Decimal::from_str(x), Decimal::from_str(y)) {
            (Ok(p), Ok(q)) => p == q,
            _ => squash(x) == squash(y),
        },
        _ => a == b,
    }
}

/// Fields not in the contract (provenance additions) are not scored.
const UNSCORED: &[&str] = &["kind", "source_tables", "row", "indicators", "amounts", "spending_plan"];

fn score_record(truth: &Value, got: Option<&Value>, score: &mut Score, misses: &mut Vec<String>) {
    let Some(got) = got else {
        // A record not extracted: every field it has is missed (nulls included).
        let mut all = Score::default();
        score_record(truth, Some(truth), &mut all, &mut Vec::new());
        score.total += all.total;
        return;
    };
    let obj = truth.as_object().unwrap();
    for (k, v) in obj {
        if UNSCORED.contains(&k.as_str()) {
            continue;
        }
        let ok = same_leaf(v, got.get(k).unwrap_or(&Value::Null));
        if !ok {
            misses.push(format!("{k}: truth {v} got {}", got.get(k).unwrap_or(&Value::Null)));
        }
        score.add(ok);
    }
    if let Some(plan) = obj.get("spending_plan") {
        let gp = got.get("spending_plan").unwrap_or(&Value::Null);
        if plan.is_null() {
            score.add(gp.is_null());
        } else {
            for m in ["mar", "jun", "oct", "dec"] {
                let ok = same_leaf(&plan[m], gp.get(m).unwrap_or(&Value::Null));
                if !ok {
                    misses.push(format!("spending_plan.{m}: truth {} got {}", plan[m], gp.get(m).unwrap_or(&Value::Null)));
                }
                score.add(ok);
            }
        }
    }
    if let Some(amounts) = obj.get("amounts").and_then(Value::as_object) {
        let ga = got.get("amounts").and_then(Value::as_object);
        for (k, v) in amounts {
            let g = ga.and_then(|a| a.get(k).or_else(|| a.iter().find(|(gk, _)| squash(gk) == squash(k)).map(|(_, v)| v)));
            let ok = same_leaf(v, g.unwrap_or(&Value::Null)) && g.is_some();
            if !ok {
                misses.push(format!("amounts.{k}: truth {v} got {g:?}"));
            }
            score.add(ok);
        }
        // Extra columns read that the truth does not have are errors too.
        for k in ga.map(|a| a.keys().collect::<Vec<_>>()).unwrap_or_default() {
            if !amounts.keys().any(|t| squash(t) == squash(k)) {
                misses.push(format!("amounts: extra column {k}"));
                score.add(false);
            }
        }
    }
    if let Some(inds) = obj.get("indicators").and_then(Value::as_array) {
        let key = |i: &Value| {
            let s = |f: &str| i.get(f).and_then(Value::as_str).map(squash).unwrap_or_default();
            let name = if i.get("level3").is_some() { s("level3") } else { s("name") };
            (s("level2"), name)
        };
        let got_inds: Vec<&Value> = got.get("indicators").and_then(Value::as_array).map(|a| a.iter().collect()).unwrap_or_default();
        let mut used = vec![false; got_inds.len()];
        for ti in inds {
            let k = key(ti);
            let m = got_inds.iter().enumerate().position(|(j, g)| !used[j] && key(g) == k);
            if let Some(j) = m {
                used[j] = true;
            }
            for (f, v) in ti.as_object().unwrap() {
                let g = m.and_then(|j| got_inds[j].get(f)).unwrap_or(&Value::Null);
                let ok = m.is_some() && same_leaf(v, g);
                if !ok {
                    misses.push(format!("indicator {k:?}.{f}: truth {v} got {g}"));
                }
                score.add(ok);
            }
        }
        for (j, g) in got_inds.iter().enumerate() {
            if !used[j] {
                misses.push(format!("extra indicator {:?}", key(g)));
                score.add(false);
            }
        }
    }
}

/// Pairs truth records with extracted ones of the same kind and first source table (in order),
/// then scores; unmatched extracted records count as wrong fields.
fn score_document(truth: &[Value], got: &[Value], score: &mut Score, misses: &mut Vec<String>) {
    let key = |r: &Value| {
        (
            r["kind"].as_str().unwrap_or("").to_string(),
            r.get("source_tables").and_then(|s| s.get(0)).and_then(Value::as_u64),
            r.get("row").and_then(Value::as_u64),
        )
    };
    let mut used = vec![false; got.len()];
    let mut ordinal: BTreeMap<String, usize> = BTreeMap::new();
    for t in truth {
        let k = key(t);
        let n = ordinal.entry(k.0.clone()).or_default();
        // By table and row where the truth says them, else the n-th record of the kind.
        let pos = got.iter().enumerate().position(|(j, g)| !used[j] && key(g) == k && (k.1.is_some() || k.2.is_some()));
        let pos = pos.or_else(|| {
            got.iter().enumerate().filter(|(_, g)| g["kind"] == t["kind"]).nth(*n).map(|(j, _)| j).filter(|&j| !used[j])
        });
        *n += 1;
        if let Some(j) = pos {
            used[j] = true;
        } else {
            misses.push(format!("missing record {k:?}"));
        }
        score_record(t, pos.map(|j| &got[j]), score, misses);
    }
    for (j, g) in got.iter().enumerate() {
        if !used[j] {
            misses.push(format!("extra record {:?}", key(g)));
            score_record(g, None, score, &mut Vec::new());
        }
    }
}

/// `corpus/` of this checkout; `YUSUAN_CORPUS` points the test at another copy (a corpus being
/// generated in another worktree).
fn corpus_dir() -> PathBuf {
    match std::env::var_os("YUSUAN_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"),
    }
}

#[test]
fn corpus_records_and_warnings_match_truth() {
    let manifest_path = corpus_dir().join("manifest.json");
    let Ok(text) = std::fs::read_to_string(&manifest_path) else {
        eprintln!("SKIP: no corpus at {}", manifest_path.display());
        return;
    };
    let manifest: Value = serde_json::from_str(&text).unwrap();
    let validator = schema_validator();
    let mut per_family: BTreeMap<String, Score> = BTreeMap::new();
    let mut warning_report = Vec::new();
    let (mut expected_total, mut raised_expected, mut unexpected) = (0, 0, 0);
    let mut clean_docs_with_warnings = Vec::new();
    for doc in manifest["documents"].as_array().unwrap() {
        let family = doc["family"].as_str().unwrap().to_string();
        let truth_text = std::fs::read_to_string(corpus_dir().join(doc["truth"].as_str().unwrap())).unwrap();
        let truth_value: Value = serde_json::from_str(&truth_text).unwrap();
        let schema_problems = schema_errors(&validator, &truth_value);
        assert!(schema_problems.is_empty(), "{}: truth does not validate: {schema_problems:#?}", doc["truth"]);
        let truth: Extraction = serde_json::from_value(truth_value.clone()).unwrap();
        let got = if std::env::var_os("YUSUAN_RECORDS_FROM_FILES").is_some() {
            // Diagnostic mode: the tables the extractor itself finds in the document file.
            let path = corpus_dir().join(doc["file"].as_str().unwrap());
            let bytes = std::fs::read(&path).unwrap();
            match yusuan::extract(doc["file"].as_str().unwrap(), &bytes, &yusuan::Limits::default()) {
                Ok(x) => x,
                Err(e) => {
                    eprintln!("{}: extraction failed: {e}", path.display());
                    continue;
                }
            }
        } else {
            let (records, mut warnings) = interpret(&truth.tables);
            warnings.extend(validate(&truth.tables, &records));
            Extraction { records, warnings, ..truth.clone() }
        };
        let got_value = serde_json::to_value(&got).unwrap();
        let schema_problems = schema_errors(&validator, &got_value);
        assert!(schema_problems.is_empty(), "{}: extraction does not validate: {schema_problems:#?}", doc["file"]);

        let score = per_family.entry(family.clone()).or_default();
        let mut misses = Vec::new();
        let (mut truth_records, mut got_records) =
            (truth_value["records"].as_array().unwrap().clone(), got_value["records"].as_array().unwrap().clone());
        if std::env::var_os("YUSUAN_RECORDS_FROM_FILES").is_some() {
            // The extractor's table indexes need not be the truth's: pair records by order instead.
            for r in truth_records.iter_mut().chain(got_records.iter_mut()) {
                if let Some(o) = r.as_object_mut() {
                    o.remove("source_tables");
                    o.remove("row");
                }
            }
        }
        score_document(&truth_records, &got_records, score, &mut misses);
        if !misses.is_empty() {
            eprintln!("{}: {} field misses, first: {:#?}", doc["file"], misses.len(), &misses[..misses.len().min(8)]);
        }
        let key = |w: &Warning| (w.code.clone(), w.table, w.row);
        // Run on the truth's tables, the pipeline has no free text: the findings that read the
        // prose or the 目录 (document-level, schemas/README.md) cannot be raised here; `yusuan eval`
        // scores them on the produced files.
        let from_tables = std::env::var_os("YUSUAN_RECORDS_FROM_FILES").is_none();
        let needs_text = |w: &&Warning| {
            from_tables
                && (w.code.starts_with("toc_")
                    || w.code.starts_with("empty_table_")
                    || w.code.starts_with("text_")
                    || matches!(w.code.as_str(), "year_mismatch" | "agency_mismatch" | "template_table_missing"))
        };
        let expected: Vec<_> = truth.warnings.iter().filter(|w| !needs_text(w)).map(key).collect();
        let raised: Vec<_> = got.warnings.iter().map(key).collect();
        expected_total += expected.len();
        let missing: Vec<_> = expected.iter().filter(|e| !raised.contains(e)).collect();
        let extra: Vec<_> = raised.iter().filter(|r| !expected.contains(r)).collect();
        raised_expected += expected.len() - missing.len();
        unexpected += extra.len();
        if expected.is_empty() && !raised.is_empty() {
            clean_docs_with_warnings.push(format!("{}: {raised:?}", doc["file"]));
        }
        if !missing.is_empty() || !extra.is_empty() {
            warning_report.push(format!("{}: missing {missing:?} unexpected {extra:?}", doc["file"]));
        }
    }
    for (family, s) in &per_family {
        eprintln!("family {family}: record field accuracy {:.4} ({}/{})", s.accuracy(), s.correct, s.total);
    }
    eprintln!("warnings: expected {expected_total}, raised of those {raised_expected}, unexpected {unexpected}");
    for line in &warning_report {
        eprintln!("{line}");
    }
    let below: Vec<_> = per_family.iter().filter(|(_, s)| s.accuracy() < 0.99).map(|(f, s)| (f, s.accuracy())).collect();
    assert!(below.is_empty(), "families below 0.99 record field accuracy: {below:?}");
    assert_eq!(raised_expected, expected_total, "expected warnings not raised: {warning_report:#?}");
    assert!(clean_docs_with_warnings.is_empty(), "clean documents raised warnings: {clean_docs_with_warnings:?}");
}

#[test]
fn table_kinds_are_recognised() {
    use yusuan::interpret::classify::{classify, FinancialKind as F, TableKind as K};
    let titled = |title: &str, rows: &[&[&str]]| grid(0, &[title, "单位：万元"], rows);
    let pair = hebei_pair(0);
    assert_eq!(classify(&hebei_combined()), K::Project);
    assert_eq!(classify(&pair[0]), K::Project);
    assert_eq!(classify(&pair[1]), K::ProjectIndicators);
    assert_eq!(classify(&yutian()), K::Project);
    assert_eq!(classify(&chongqing_project(0)), K::Project);
    assert_eq!(classify(&department_table(0)), K::Department);
    assert_eq!(classify(&expenditure_table(0)), K::Financial(F::FunctionalExpenditure));
    assert_eq!(classify(&basic_expenditure_table(0)), K::Financial(F::EconomicBasicExpenditure));
    assert_eq!(classify(&department_summary_table(0)), K::Financial(F::IncomeExpenditureSummary));
    let summary = [["收入", "<", "支出", "<"], ["项目", "预算数", "项目", "合计"]];
    let summary: Vec<&[&str]> = summary.iter().map(|r| &r[..]).collect();
    assert_eq!(classify(&titled("重庆市潼南区政务服务管理办公室财政拨款收支总表", &summary)), K::Financial(F::IncomeExpenditureSummary));
    let coded: &[&[&str]] = &[&["科目编码", "科目名称", "合计", "基本支出"], &["201", "一般公共服务支出", "1.00", "1.00"]];
    assert_eq!(classify(&titled("部门收入总表", coded)), K::Financial(F::IncomeSummary));
    assert_eq!(classify(&titled("部门支出总表", coded)), K::Financial(F::ExpenditureSummary));
    assert_eq!(classify(&titled("某局政府性基金预算支出表", coded)), K::Financial(F::GovernmentFund));
    let three: &[&[&str]] = &[&["合计", "因公出国（境）费", "公务接待费"], &["6", "", "2"]];
    assert_eq!(classify(&titled("某局一般公共预算“三公”经费支出表", three)), K::Financial(F::ThreePublic));
    let purchase: &[&[&str]] = &[&["项目", "合计"], &["货物类", "36.60"]];
    assert_eq!(classify(&titled("某局政府采购预算明细表", purchase)), K::Financial(F::Procurement));
    assert_eq!(classify(&shanghai_lines_table(0)), K::Financial(F::FunctionalExpenditure));
    // A list of projects with a 项目名称 column is not a 项目绩效目标表.
    let list: &[&[&str]] = &[&["项目名称", "金额"], &["平台建设费", "18.70"]];
    assert_eq!(classify(&titled("项目支出明细", list)), K::Other);
    assert!(interpret(&[titled("项目支出明细", list)]).0.is_empty());
    assert_eq!(classify(&grid(0, &[], &[&["姓名", "电话"], &["张友燕", "023-44578028"]])), K::Other);
}

// Shanghai 财政项目支出绩效目标填报表: title rows inside the table, a 项目资金（元） block of labels
// over values, a vertical 绩效指标 label.
fn shanghai_form(index: usize) -> Table {
    grid(
        index,
        &[],
        &[
            &["财政项目支出绩效目标填报表", "<", "<", "<", "<", "<"],
            &["（2023年度）", "<", "<", "<", "<", "<"],
            &["项目名称", "社区心理健康服务", "<", "<", "<", "<"],
            &["项目性质", "经常性项目", "<", "项目类别", "公共服务", "<"],
            &["主管部门", "上海市某区卫生健康委员会", "<", "实施单位", "上海市某区精神卫生中心", "<"],
            &["计划开始日期", "2023年1月1日", "<", "计划完成日期", "2023年12月31日", "<"],
            &["项目资金（元）", "项目资金总额", "年度资金申请总额", "其中：财政资金", "上年结转资金", "其他资金"],
            &["^", "1,200,000.00", "1,200,000.00", "1,150,000.00", "0.00", "50,000.00"],
            &["项目总目标", "建立覆盖全区的社区心理健康服务网络。", "<", "<", "<", "<"],
            &["年度总体目标", "全年开展团体心理治疗与心理咨询服务。", "<", "<", "<", "<"],
            &["绩效指标", "一级指标", "二级指标", "三级指标", "<", "指标值"],
            &["^", "产出指标", "数量指标", "团体心理治疗次数", "<", "＞6.00(次)"],
            &["^", "^", "质量指标", "团体心理治疗覆盖", "<", "开展至少1次团体心理治疗"],
            &["^", "效益指标", "社会效益指标", "服务对象满意度", "<", "≥90%"],
        ],
    )
}

#[test]
fn shanghai_form_reads_labels_over_values() {
    let tables = vec![shanghai_form(0)];
    let (records, _) = interpret(&tables);
    let p = projects(&records)[0];
    assert_eq!(p.title.as_deref(), Some("财政项目支出绩效目标填报表"));
    assert_eq!(p.amount_unit.as_deref(), Some("元"));
    assert_eq!(p.project_name.as_deref(), Some("社区心理健康服务"));
    assert_eq!(p.project_nature.as_deref(), Some("经常性项目"));
    assert_eq!(p.competent_dept.as_deref(), Some("上海市某区卫生健康委员会"));
    assert_eq!(p.implementing_unit.as_deref(), Some("上海市某区精神卫生中心"));
    assert_eq!((p.start_date.as_deref(), p.end_date.as_deref()), (Some("2023-01-01"), Some("2023-12-31")));
    assert_eq!(p.budget_total.unwrap().to_string(), "1200000.00");
    assert_eq!(p.budget_fiscal.unwrap().to_string(), "1150000.00");
    assert_eq!(p.budget_other.unwrap().to_string(), "50000.00");
    assert_eq!(p.goal.as_deref(), Some("全年开展团体心理治疗与心理咨询服务。"));
    assert_eq!(p.indicators.len(), 3);
    let i = &p.indicators[0];
    assert_eq!((i.comparator.as_deref(), i.target.map(|t| t.to_string()), i.unit.as_deref()), (Some(">"), Some("6.00".into()), Some("次")));
    assert_eq!(p.indicators[1].level1.as_deref(), Some("产出指标"));
    assert_eq!(p.indicators[1].target, None);
    assert!(validate(&tables, &records).is_empty());
}

#[test]
fn field_scoring_counts_what_differs() {
    let truth: Vec<Value> = interpret(&clean_document()).0.iter().map(|r| serde_json::to_value(r).unwrap()).collect();
    let mut perfect = Score::default();
    score_document(&truth, &truth, &mut perfect, &mut Vec::new());
    assert_eq!(perfect.correct, perfect.total);
    assert!(perfect.total > 100);
    let mut changed = truth.clone();
    changed[0]["budget_total"] = json!("80001.00");
    changed[0]["indicators"][0]["level3"] = json!("另一个指标");
    let mut score = Score::default();
    let mut misses = Vec::new();
    score_document(&truth, &changed, &mut score, &mut misses);
    // One scalar field, plus the renamed indicator: its 9 truth fields missed and 1 extra.
    assert_eq!(score.total - score.correct, 1 + 9 + 1, "{misses:#?}");
    let mut nothing = Score::default();
    score_document(&truth, &[], &mut nothing, &mut Vec::new());
    assert_eq!(nothing.correct, 0);
}

/// `b`'s rows appended below `a`'s, as a PDF layout stitches tables on consecutive pages.
fn stitched(a: &Table, b: &Table) -> Table {
    let mut t = a.clone();
    t.cells.extend(b.cells.iter().map(|c| Cell { row: c.row + a.n_rows, ..c.clone() }));
    t.n_rows += b.n_rows;
    t.check_tiling().unwrap();
    t
}

#[test]
fn projects_run_together_in_one_table_are_split() {
    let mut second = chongqing_project(0);
    for c in second.cells.iter_mut() {
        match c.text.as_str() {
            "区行政服务中心工作人员培训服务经费" => c.text = "政务服务工作站建设经费".into(),
            "9" => c.text = "36".into(),
            _ => {}
        }
    }
    let tables = vec![stitched(&chongqing_project(0), &second)];
    let (records, _) = interpret(&tables);
    let ps = projects(&records);
    assert_eq!(ps.len(), 2);
    assert_eq!(ps[0].project_name.as_deref(), Some("区行政服务中心工作人员培训服务经费"));
    assert_eq!(ps[1].project_name.as_deref(), Some("政务服务工作站建设经费"));
    assert_eq!(ps[1].budget_total.unwrap().to_string(), "360000.00");
    assert_eq!((ps[0].indicators.len(), ps[1].indicators.len()), (5, 5));
    assert_eq!(ps[1].source_tables, vec![0]);

    // Warnings point into the right project's rows.
    let pair = hebei_combined();
    let mut other = hebei_combined();
    for c in other.cells.iter_mut() {
        if (c.row, c.col) == (1, 2) {
            c.text = "90000.00".into();
        }
    }
    let tables = vec![stitched(&pair, &other)];
    let (records, _) = interpret(&tables);
    assert_eq!(projects(&records).len(), 2);
    assert_eq!(codes(&validate(&tables, &records)), vec![("budget_split".to_string(), Some(0), Some(pair.n_rows + 1))]);
}

#[test]
fn total_label_merged_over_code_columns() {
    let t = grid(
        0,
        &["部门支出预算表", "单位：元"],
        &[
            &["科目编码", "<", "<", "科目名称", "合计"],
            &["类", "款", "项", "^", "^"],
            &["合计", "<", "<", "<", "300.00"],
            &["204", "", "", "公共安全支出", "300.00"],
            &["", "20406", "", "司法", "300.00"],
            &["", "", "01", "行政运行", "300.00"],
        ],
    );
    let tables = vec![t];
    let (records, _) = interpret(&tables);
    let ls = lines(&records);
    assert_eq!(ls[0].subject_code, None);
    assert_eq!(ls[0].subject_name.as_deref(), Some("合计"));
    assert_eq!(
        ls[1..].iter().map(|l| l.subject_code.clone().unwrap()).collect::<Vec<_>>(),
        vec!["204", "20406", "2040601"]
    );
    assert!(validate(&tables, &records).is_empty());
    let doc = serde_json::to_value(extraction_of(tables)).unwrap();
    assert!(schema_errors(&schema_validator(), &doc).is_empty());
}

#[test]
fn correctly_labelled_summary_raises_nothing() {
    let summary = grid(
        0,
        &["重庆市潼南区政务服务管理办公室财政拨款收支总表", "单位：万元"],
        &[
            &["收入", "<", "支出", "<"],
            &["项目", "预算数", "项目", "预算数"],
            &["一般公共预算拨款", "1932.33", "一般公共服务支出", "1,866.11"],
            &["", "", "社会保障和就业支出", "39.70"],
            &["", "", "社会保险基金支出", ""],
            &["", "", "卫生健康支出", "14.64"],
            &["", "", "住房保障支出", "11.88"],
            &["", "", "项目支出", "14.64"],
            &["本年收入总计", "1932.33", "本年支出总计", "1932.33"],
        ],
    );
    let tables = vec![summary, expenditure_table(1)];
    let (records, _) = interpret(&tables);
    let got = codes(&validate(&tables, &records));
    assert!(!got.iter().any(|w| w.0 == "label_mismatch"), "{got:?}");
}

/// Rows `from..` of `t` as a headless table of their own (a continuation page whose header was
/// not repeated and that reached us unstitched).
fn split_off(t: &mut Table, from: usize, index: usize) -> Table {
    let mut rest: Vec<Cell> = t.cells.iter().filter(|c| c.row >= from).map(|c| Cell { row: c.row - from, ..c.clone() }).collect();
    // A cell merged across the break continues blank on the next page.
    for c in t.cells.iter_mut().filter(|c| c.row < from && c.row + c.row_span > from) {
        rest.push(Cell { row: 0, row_span: c.row + c.row_span - from, text: String::new(), ..c.clone() });
        c.row_span = from - c.row;
    }
    t.cells.retain(|c| c.row < from);
    let tail = Table { index, title: None, context: vec![], n_rows: t.n_rows - from, header_rows: 0, cells: rest, ..t.clone() };
    t.n_rows = from;
    t.check_tiling().unwrap();
    tail.check_tiling().unwrap();
    tail
}

#[test]
fn unstitched_continuation_tables_keep_their_lines() {
    let whole = vec![expenditure_table(0)];
    let (whole_records, _) = interpret(&whole);
    let whole_warnings = codes(&validate(&whole, &whole_records));

    let mut head = expenditure_table(0);
    let tail = split_off(&mut head, 13, 1);
    let tables = vec![head, tail];
    let (records, _) = interpret(&tables);
    let ls = lines(&records);
    assert_eq!(ls.len(), lines(&whole_records).len());
    let last = ls.last().unwrap();
    assert_eq!(last.subject_code.as_deref(), Some("2210201"));
    assert_eq!(last.table_title.as_deref(), Some("一般公共预算财政拨款支出预算表"));
    assert_eq!(last.amount_unit.as_deref(), Some("万元"));
    assert_eq!(last.amounts["小计"].unwrap().to_string(), "118800.00");
    assert_eq!(last.source_tables, vec![0, 1]);
    assert_eq!(last.row, Some(5));
    // The same findings, and no 类 / 款 split by the page break reported as unbalanced.
    assert_eq!(codes(&validate(&tables, &records)), whole_warnings);

    // A headless table after something else is not a continuation.
    let mut head = expenditure_table(0);
    let tail = split_off(&mut head, 13, 2);
    let tables = vec![head, grid(1, &["联系方式"], &[&["姓名", "电话"]]), tail];
    assert_eq!(lines(&interpret(&tables).0).len(), 11);
}

#[test]
fn unstitched_indicator_rows_continue_their_project() {
    let (whole, _) = interpret(&[chongqing_project(0)]);
    let mut head = chongqing_project(0);
    let tail = split_off(&mut head, 11, 1);
    let (records, _) = interpret(&[head, tail]);
    let ps = projects(&records);
    assert_eq!(ps.len(), 1);
    assert_eq!(ps[0].indicators, projects(&whole)[0].indicators, "一级 / 二级 filled down across the break");
    assert_eq!(ps[0].source_tables, vec![0, 1]);

    // Hebei pair: the indicator table broken after its third row.
    let mut pair = hebei_pair(0);
    let (whole, _) = interpret(&pair);
    let tail = split_off(&mut pair[1], 3, 2);
    pair.push(tail);
    let (records, _) = interpret(&pair);
    assert_eq!(projects(&records)[0].indicators, projects(&whole)[0].indicators);

    // A same-width table with a title of its own is not a continuation.
    let mut head = chongqing_project(0);
    let mut tail = split_off(&mut head, 11, 1);
    tail.context = vec!["附表1 其他事项表".into()];
    tail.title = Some("附表1 其他事项表".into());
    let (records, _) = interpret(&[head, tail]);
    assert_eq!(projects(&records)[0].indicators.len(), 3);
}

#[test]
fn a_two_thousand_row_table_reads_whole_and_clean() {
    // 2,000 科目 rows × 12 columns read whole, without a false warning. Its time is printed, not
    // asserted: speed is measured by benchmarks (README, Performance), a timed test only fails
    // on a busy machine.
    let mut rows: Vec<Vec<String>> = vec![
        ["科目编码", "科目名称", "合计", "a", "b", "c", "d", "e", "f", "g", "h", "i"].iter().map(|s| s.to_string()).collect(),
    ];
    for i in 0..2000 {
        let mut row = vec![format!("{}", 2010000 + i), format!("科目{i}"), "10.00".to_string(), "10.00".to_string()];
        row.extend(std::iter::repeat_n(String::new(), 8));
        rows.push(row);
    }
    let refs: Vec<Vec<&str>> = rows.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
    let slices: Vec<&[&str]> = refs.iter().map(|r| r.as_slice()).collect();
    let table = grid(0, &["某局部门支出总表", "单位：元"], &slices);
    let started = std::time::Instant::now();
    let tables = vec![table];
    let (records, _) = interpret(&tables);
    let warnings = validate(&tables, &records);
    assert_eq!(lines(&records).len(), 2000);
    assert!(warnings.is_empty(), "{:?}", &warnings[..warnings.len().min(3)]);
    eprintln!("2,000-row table: {:?}", started.elapsed());
}

#[test]
fn continuation_with_a_repeated_header_keeps_title_and_unit() {
    let whole = vec![expenditure_table(0)];
    let (whole_records, _) = interpret(&whole);
    let mut head = expenditure_table(0);
    let _ = split_off(&mut head, 13, 1);
    // The next page repeats the header (narrower, as an open-table layout may find it) and has no
    // title or unit above it.
    let tail = grid(
        1,
        &[],
        &[
            &["科目编码", "科目名称", "小计", "基本支出", "项目支出"],
            &["21011", "行政事业单位医疗", "14.64", "14.64", ""],
            &["2101101", "行政单位医疗", "11.88", "11.88", ""],
            &["2101199", "其他行政事业单位医疗支出", "2.76", "2.76", ""],
            &["221", "住房保障支出", "11.88", "11.88", ""],
            &["22102", "住房改革支出", "11.88", "11.88", ""],
            &["2210201", "住房公积金", "11.88", "11.88", ""],
        ],
    );
    let tables = vec![head, tail];
    let (records, _) = interpret(&tables);
    let ls = lines(&records);
    assert_eq!(ls.len(), lines(&whole_records).len());
    let last = ls.last().unwrap();
    assert_eq!(last.table_title.as_deref(), Some("一般公共预算财政拨款支出预算表"));
    assert_eq!(last.amount_unit.as_deref(), Some("万元"));
    assert_eq!(last.amounts["小计"].unwrap().to_string(), "118800.00");
    assert_eq!((last.source_tables.clone(), last.row), (vec![0, 1], Some(6)));
    assert_eq!(codes(&validate(&tables, &records)), codes(&validate(&whole, &whole_records)));
}

#[test]
fn repeated_leaf_headers_keep_both_columns() {
    let t = grid(
        0,
        &["部门支出预算表", "单位：元"],
        &[
            &["科目编码", "科目名称", "合计", "基本支出", "<", "项目支出", "<"],
            &["^", "^", "^", "小计", "人员经费", "小计", "专项"],
            &["201", "一般公共服务支出", "30.00", "10.00", "10.00", "20.00", "20.00"],
        ],
    );
    let tables = vec![t];
    let (records, _) = interpret(&tables);
    let keys: Vec<String> = lines(&records)[0].amounts.keys().cloned().collect();
    assert_eq!(keys, vec!["专项", "人员经费", "合计", "基本支出小计", "项目支出小计"]);
    assert!(validate(&tables, &records).is_empty(), "合计 = 基本支出小计 + 项目支出小计, each 小计 = its members");
}

#[test]
fn tables_without_subjects_have_their_row_totals_checked() {
    let three_public = |total: &str| {
        grid(
            0,
            &["重庆市潼南区政务服务管理办公室一般公共预算“三公”经费支出表", "单位：万元"],
            &[
                &["2021年预算数", "<", "<", "<", "<", "<"],
                &["合计", "因公出国（境）费", "公务用车购置及运行费", "<", "<", "公务接待费"],
                &["^", "^", "小计", "公务用车购置费", "公务用车运行费", "^"],
                &[total, "", "4", "", "4", "2"],
            ],
        )
    };
    let tables = vec![three_public("6")];
    assert!(validate(&tables, &interpret(&tables).0).is_empty());
    // Whole 万元: three addends may miss their total by up to 1.5 万元 through rounding.
    let tables = vec![three_public("7")];
    assert_eq!(codes(&validate(&tables, &interpret(&tables).0)), vec![("rounding".to_string(), Some(0), Some(3))]);
    let tables = vec![three_public("8")];
    assert_eq!(codes(&validate(&tables, &interpret(&tables).0)), vec![("sum_mismatch".to_string(), Some(0), Some(3))]);

    let summary = grid(
        0,
        &["某局财政拨款收支总表", "单位：万元"],
        &[
            &["收入", "<", "支出", "<", "<", "<"],
            &["项目", "预算数", "项目", "合计", "一般公共预算财政拨款", "政府性基金预算财政拨款"],
            &["一般公共预算拨款", "100.00", "一般公共服务支出", "100.00", "90.00", "10.00"],
            &["政府性基金预算拨款", "10.00", "卫生健康支出", "10.00", "10.00", "0.01"],
        ],
    );
    let tables = vec![summary];
    assert_eq!(codes(&validate(&tables, &interpret(&tables).0)), vec![("rounding".to_string(), Some(0), Some(3))]);
}

#[test]
fn arbitrary_grids_never_panic_and_stay_schema_valid() {
    // Budget vocabulary in random places, spans that overlap or leave the grid, header counts that
    // exceed the rows: interpretation must cope (the decoders promise tiling; this stage does not
    // rely on it).
    const WORDS: &[&str] = &[
        "", "项目名称", "项目编码", "预算数", "其中：财政资金", "其他资金", "3月底", "12月底", "25%", "100%", "一级指标",
        "二级指标", "三级指标", "指标值", "≥95%", "科目编码", "科目名称", "类", "款", "项", "合计", "小计", "总计：",
        "201", "20103", "2010301", "1,234.56", "-", "0", "单位：万元", "433001某局本级", "支出预算总量", "指标名称",
        "指标权重", "整体绩效目标表", "2021年1月", "资金总额（万元）", "绩效指标", "收入", "支出", "基本支出",
    ];
    let validator = schema_validator();
    let mut rng = fastrand::Rng::with_seed(20261122);
    for round in 0..300 {
        let n_rows = rng.usize(0..9);
        let n_cols = rng.usize(0..7);
        let mut cells = Vec::new();
        for r in 0..n_rows {
            for c in 0..n_cols {
                if rng.u8(0..10) == 0 {
                    continue; // a hole
                }
                cells.push(Cell {
                    row: r,
                    col: c,
                    row_span: rng.usize(1..3),
                    col_span: rng.usize(1..3),
                    text: WORDS[rng.usize(0..WORDS.len())].to_string(),
                    page: None,
                    bbox: None,
                });
            }
        }
        let context = if rng.bool() { vec!["某局一般公共预算财政拨款支出预算表".to_string(), "单位：万元".to_string()] } else { vec![] };
        let table = Table {
            index: round % 3,
            pages: vec![],
            title: None,
            n_rows,
            n_cols,
            header_rows: rng.usize(0..12),
            cells,
            context,
        };
        let tables = vec![table.clone(), Table { index: 1, ..table.clone() }, Table { index: 2, ..table }];
        let doc = serde_json::to_value(extraction_of(tables)).unwrap();
        let errors = schema_errors(&validator, &doc);
        assert!(errors.is_empty(), "round {round}: {errors:#?}");
    }
}
