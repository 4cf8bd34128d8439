//! Layouts the seeds do not show but real uploads have, after Shanghai's published district
//! budgets: 部门预算 tables with 科目编码 split into 类 | 款 | 项 columns, amounts in 元 with
//! thousands separators, landscape pages, tables running 3–5 pages (some continuation pages repeat
//! the header, some do not); and the 财政项目支出绩效目标填报表 with its title rows inside the table
//! and a vertical 绩效指标 label spanning 40+ rows. Agencies are fictional (滨江区 does not exist in
//! Shanghai); amounts come from a fixed pseudo-random sequence and add up exactly.

use std::collections::BTreeMap;
use std::rc::Rc;

use rust_decimal::Decimal;
use yusuan::interpret::{BudgetLine, Indicator, ProjectPerformance, Record};

use crate::model::*;

/// A 功能分类 subject: 类 (3 digits), 款 (2), 项 (2) with its name; 款 "" for a 类 row, 项 "" for a 款 row.
#[derive(Clone)]
struct Subject {
    lei: &'static str,
    kuan: &'static str,
    xiang: &'static str,
    name: &'static str,
    /// basic, project (in 分), summed for 类 / 款 rows
    basic: i64,
    project: i64,
}

/// (类, 类名, [(款, 款名, [(项, 项名, kind)])]); kind: 'b' all basic, 'p' all project, 'm' mixed.
type Tree = Vec<(&'static str, &'static str, Vec<(&'static str, &'static str, Vec<(&'static str, &'static str, char)>)>)>;

fn education_tree() -> Tree {
    vec![
        ("205", "教育支出", vec![
            ("01", "教育管理事务", vec![("01", "行政运行", 'b'), ("02", "一般行政管理事务", 'p'), ("03", "机关服务", 'm'), ("99", "其他教育管理事务支出", 'p')]),
            ("02", "普通教育", vec![("01", "学前教育", 'm'), ("02", "小学教育", 'm'), ("03", "初中教育", 'm'), ("04", "高中教育", 'm'), ("05", "高等教育", 'p'), ("99", "其他普通教育支出", 'p')]),
            ("03", "职业教育", vec![("01", "初等职业教育", 'm'), ("02", "中等职业教育", 'm'), ("03", "技校教育", 'm'), ("05", "高等职业教育", 'p'), ("99", "其他职业教育支出", 'p')]),
            ("04", "成人教育", vec![("01", "成人初等教育", 'b'), ("02", "成人中等教育", 'm'), ("03", "成人高等教育", 'm'), ("04", "成人广播电视教育", 'p'), ("99", "其他成人教育支出", 'p')]),
            ("05", "广播电视教育", vec![("01", "广播电视学校", 'm'), ("02", "教育电视台", 'm'), ("99", "其他广播电视教育支出", 'p')]),
            ("07", "特殊教育", vec![("01", "特殊学校教育", 'm'), ("02", "工读学校教育", 'm'), ("99", "其他特殊教育支出", 'p')]),
            ("08", "进修及培训", vec![("01", "教师进修", 'm'), ("02", "干部教育", 'p'), ("03", "培训支出", 'p'), ("04", "退役士兵能力提升", 'p'), ("99", "其他进修及培训", 'p')]),
            ("09", "教育费附加安排的支出", vec![("01", "农村中小学校舍建设", 'p'), ("02", "农村中小学教学设施", 'p'), ("03", "城市中小学校舍建设", 'p'), ("04", "城市中小学教学设施", 'p'), ("05", "中等职业学校教学设施", 'p'), ("99", "其他教育费附加安排的支出", 'p')]),
            ("99", "其他教育支出", vec![("99", "其他教育支出", 'p')]),
        ]),
        ("206", "科学技术支出", vec![
            ("02", "基础研究", vec![("01", "机构运行", 'b')]),
            ("99", "其他科学技术支出", vec![("99", "其他科学技术支出", 'p')]),
        ]),
        ("207", "文化旅游体育与传媒支出", vec![("01", "文化和旅游", vec![("09", "群众文化", 'p')])]),
        ("208", "社会保障和就业支出", vec![
            ("05", "行政事业单位养老支出", vec![("01", "行政单位离退休", 'b'), ("02", "事业单位离退休", 'b'), ("05", "机关事业单位基本养老保险缴费支出", 'b'), ("06", "机关事业单位职业年金缴费支出", 'b'), ("99", "其他行政事业单位养老支出", 'b')]),
            ("08", "抚恤", vec![("01", "死亡抚恤", 'b')]),
            ("99", "其他社会保障和就业支出", vec![("99", "其他社会保障和就业支出", 'p')]),
        ]),
        ("210", "卫生健康支出", vec![
            ("04", "公共卫生", vec![("09", "重大公共卫生服务", 'p')]),
            ("11", "行政事业单位医疗", vec![("01", "行政单位医疗", 'b'), ("02", "事业单位医疗", 'b'), ("03", "公务员医疗补助", 'b')]),
        ]),
        ("221", "住房保障支出", vec![("02", "住房改革支出", vec![("01", "住房公积金", 'b'), ("02", "提租补贴", 'b'), ("03", "购房补贴", 'b')])]),
    ]
}

fn justice_tree() -> Tree {
    vec![
        ("204", "公共安全支出", vec![
            ("06", "司法", vec![("01", "行政运行", 'b'), ("02", "一般行政管理事务", 'p'), ("04", "基层司法业务", 'p'), ("05", "普法宣传", 'p'), ("06", "律师管理", 'p'), ("07", "公共法律服务", 'p'), ("08", "国家统一法律职业资格考试", 'p'), ("10", "社区矫正", 'p'), ("12", "法治建设", 'p'), ("50", "事业运行", 'm'), ("99", "其他司法支出", 'p')]),
        ]),
        ("208", "社会保障和就业支出", vec![
            ("05", "行政事业单位养老支出", vec![("01", "行政单位离退休", 'b'), ("05", "机关事业单位基本养老保险缴费支出", 'b'), ("06", "机关事业单位职业年金缴费支出", 'b')]),
        ]),
        ("210", "卫生健康支出", vec![("11", "行政事业单位医疗", vec![("01", "行政单位医疗", 'b'), ("02", "事业单位医疗", 'b')])]),
        ("221", "住房保障支出", vec![("02", "住房改革支出", vec![("01", "住房公积金", 'b'), ("02", "提租补贴", 'b')])]),
    ]
}

/// Flattens the tree into rows with amounts drawn for the 项 and summed upwards.
fn subjects(tree: &Tree, rng: &mut Lcg) -> Vec<Subject> {
    let mut out = Vec::new();
    for (lei, lei_name, kuans) in tree {
        let lei_at = out.len();
        out.push(Subject { lei, kuan: "", xiang: "", name: lei_name, basic: 0, project: 0 });
        for (kuan, kuan_name, xiangs) in kuans {
            let kuan_at = out.len();
            out.push(Subject { lei, kuan, xiang: "", name: kuan_name, basic: 0, project: 0 });
            for (xiang, name, kind) in xiangs {
                let (basic, project) = match kind {
                    'b' => (rng.fen(20_000, 9_000_000), 0),
                    'p' => (0, rng.fen(10_000, 6_000_000)),
                    _ => (rng.fen(500_000, 40_000_000), rng.fen(50_000, 8_000_000)),
                };
                out.push(Subject { lei, kuan, xiang, name, basic, project });
                out[kuan_at].basic += basic;
                out[kuan_at].project += project;
                out[lei_at].basic += basic;
                out[lei_at].project += project;
            }
        }
    }
    out
}

fn code(s: &Subject) -> String {
    format!("{}{}{}", s.lei, s.kuan, s.xiang)
}

/// Where budget lines come from: the table's title (without the agency), the agency, its index.
#[derive(Clone, Copy)]
struct Src<'a> {
    title: &'a str,
    agency: &'a str,
    table: usize,
}

fn line(src: Src, row: usize, code: Option<String>, name: &str, keys: &[&str], fens: &[i64]) -> Record {
    let Src { title, agency, table } = src;
    let mut amounts = BTreeMap::new();
    for (k, f) in keys.iter().zip(fens) {
        amounts.insert(k.to_string(), if *f == 0 { None } else { Some(Decimal::new(*f, 2)) });
    }
    Record::BudgetLine(BudgetLine {
        table_title: Some(title.to_string()),
        agency_name: Some(agency.to_string()),
        amount_unit: Some("元".into()),
        subject_code: code,
        subject_name: Some(name.to_string()),
        amounts,
        source_tables: vec![table],
        row: Some(row),
    })
}

/// A 类 | 款 | 项 | 科目名称 | 合计 | 基本支出 | 项目支出 table; returns it and its budget lines.
fn expense_table(subs: &[Subject], repeat: bool, title: &str, agency: &str, index: usize) -> (TableModel, Vec<Record>) {
    let mut t = TableModel::new(&[6.0, 5.0, 5.0, 34.0, 16.0, 17.0, 17.0]).font(10.0).header(2, repeat);
    t.row(vec![cs("功能分类科目", 4), rs("合计", 2), rs("基本支出", 2), rs("项目支出", 2)]);
    t.row(vec![c("类"), c("款"), c("项"), c("科目名称")]);
    let keys = ["合计", "基本支出", "项目支出"];
    let mut recs = Vec::new();
    let (tb, tp) = subs.iter().filter(|s| s.kuan.is_empty()).fold((0, 0), |a, s| (a.0 + s.basic, a.1 + s.project));
    let r = t.row(vec![cs("合计", 4), c(&thousands(tb + tp)).r(), c(&thousands(tb)).r(), c(&thousands(tp)).r()]);
    recs.push(line(Src { title, agency, table: index }, r, None, "合计", &keys, &[tb + tp, tb, tp]));
    for s in subs {
        let indent = if s.xiang.is_empty() && !s.kuan.is_empty() { "　" } else if !s.xiang.is_empty() { "　　" } else { "" };
        let name = format!("{indent}{}", s.name);
        let r = t.row(vec![c(s.lei), c(s.kuan), c(s.xiang), c(&name).l(), c(&thousands(s.basic + s.project)).r(), c(&thousands(s.basic)).r(), c(&thousands(s.project)).r()]);
        recs.push(line(Src { title, agency, table: index }, r, Some(code(s)), s.name, &keys, &[s.basic + s.project, s.basic, s.project]));
    }
    (t.finish(), recs)
}

struct Econ {
    lei: &'static str,
    kuan: &'static str,
    name: &'static str,
    personnel: bool,
}

const ECON: [(&str, &str, &str, bool); 33] = [
    ("301", "", "工资福利支出", true),
    ("301", "01", "基本工资", true),
    ("301", "02", "津贴补贴", true),
    ("301", "03", "奖金", true),
    ("301", "07", "绩效工资", true),
    ("301", "08", "机关事业单位基本养老保险缴费", true),
    ("301", "09", "职业年金缴费", true),
    ("301", "10", "职工基本医疗保险缴费", true),
    ("301", "12", "其他社会保障缴费", true),
    ("301", "13", "住房公积金", true),
    ("301", "99", "其他工资福利支出", true),
    ("302", "", "商品和服务支出", false),
    ("302", "01", "办公费", false),
    ("302", "02", "印刷费", false),
    ("302", "05", "水费", false),
    ("302", "06", "电费", false),
    ("302", "07", "邮电费", false),
    ("302", "11", "差旅费", false),
    ("302", "13", "维修（护）费", false),
    ("302", "15", "会议费", false),
    ("302", "16", "培训费", false),
    ("302", "17", "公务接待费", false),
    ("302", "28", "工会经费", false),
    ("302", "29", "福利费", false),
    ("302", "31", "公务用车运行维护费", false),
    ("302", "39", "其他交通费用", false),
    ("302", "99", "其他商品和服务支出", false),
    ("303", "", "对个人和家庭的补助", true),
    ("303", "01", "离休费", true),
    ("303", "02", "退休费", true),
    ("303", "05", "生活补助", true),
    ("303", "07", "医疗费补助", true),
    ("303", "09", "奖励金", true),
];

/// 类 | 款 | 科目名称 | 合计 | 人员经费 | 公用经费 (经济分类, two code columns).
/// The 经济分类 基本支出 table. Its total is the 功能分类 tables' 基本支出 total (`basic_total`),
/// and its 公务接待费 / 公务用车运行维护费 lines are the "三公" table's amounts, so the document
/// agrees with itself across tables.
fn econ_table(rng: &mut Lcg, src: Src, basic_total: i64, car: i64, reception: i64) -> (TableModel, Vec<Record>) {
    let Src { title, agency, table: index } = src;
    let items: Vec<Econ> = ECON.iter().map(|(lei, kuan, name, personnel)| Econ { lei, kuan, name, personnel: *personnel }).collect();
    let mut amounts = vec![0i64; items.len()];
    let fixed = |e: &Econ| match (e.lei, e.kuan) {
        ("302", "17") => Some(reception),
        ("302", "31") => Some(car),
        _ => None,
    };
    // draw the free lines, then scale them to what the fixed lines leave of the total
    let mut raw = vec![0i64; items.len()];
    for (i, e) in items.iter().enumerate() {
        if !e.kuan.is_empty() && fixed(e).is_none() {
            raw[i] = if e.personnel { rng.fen(10_000, 3_000_000) } else { rng.fen(1_000, 300_000) };
        }
    }
    let free_total = basic_total - car - reception;
    assert!(free_total > 0, "基本支出 total too small for the 三公 lines");
    let raw_sum: i64 = raw.iter().sum();
    let mut largest = 0;
    for (i, e) in items.iter().enumerate() {
        if let Some(v) = fixed(e) {
            amounts[i] = v;
        } else if raw[i] > 0 {
            amounts[i] = (raw[i] as i128 * free_total as i128 / raw_sum as i128) as i64;
            if raw[i] > raw[largest] {
                largest = i;
            }
        }
    }
    let assigned: i64 = amounts.iter().sum();
    amounts[largest] += basic_total - assigned;
    for i in 0..items.len() {
        if items[i].kuan.is_empty() {
            amounts[i] = items.iter().zip(&amounts).filter(|(e, _)| e.lei == items[i].lei && !e.kuan.is_empty()).map(|(_, a)| a).sum();
        }
    }
    let mut t = TableModel::new(&[8.0, 6.0, 38.0, 16.0, 16.0, 16.0]).font(10.0).header(2, true);
    t.row(vec![cs("经济分类科目", 3), rs("合计", 2), rs("人员经费", 2), rs("公用经费", 2)]);
    t.row(vec![c("类"), c("款"), c("科目名称")]);
    let keys = ["合计", "人员经费", "公用经费"];
    let (mut tp, mut tc) = (0, 0);
    for (e, a) in items.iter().zip(&amounts) {
        if e.kuan.is_empty() {
            if e.personnel {
                tp += a;
            } else {
                tc += a;
            }
        }
    }
    let mut recs = Vec::new();
    let r = t.row(vec![cs("合计", 3), c(&thousands(tp + tc)).r(), c(&thousands(tp)).r(), c(&thousands(tc)).r()]);
    recs.push(line(Src { title, agency, table: index }, r, None, "合计", &keys, &[tp + tc, tp, tc]));
    for (e, a) in items.iter().zip(&amounts) {
        let (p, cc) = if e.personnel { (*a, 0) } else { (0, *a) };
        let r = t.row(vec![c(e.lei), c(e.kuan), c(e.name).l(), c(&thousands(*a)).r(), c(&thousands(p)).r(), c(&thousands(cc)).r()]);
        recs.push(line(Src { title, agency, table: index }, r, Some(format!("{}{}", e.lei, e.kuan)), e.name, &keys, &[*a, p, cc]));
    }
    (t.finish(), recs)
}

fn budget_doc(name: &str, agency: &'static str, tree: Tree, seed: u64, full: bool) -> DocModel {
    let mut rng = Lcg(seed);
    let subs = subjects(&tree, &mut rng);
    let (basic, project) = subs.iter().filter(|s| s.kuan.is_empty()).fold((0, 0), |a, s| (a.0 + s.basic, a.1 + s.project));
    let total = basic + project;
    let mut blocks = vec![
        Block::Title(format!("{agency}2023年部门预算")),
        Block::Heading("一、部门主要职能".into()),
        Block::Para(format!("{agency}是区政府工作部门，负责贯彻执行国家和本市有关方针政策和法律法规，拟订本区相关发展规划和政策措施并组织实施，统筹管理本系统预算资金。")),
        Block::Heading("二、部门预算编制说明".into()),
        Block::Para(format!("2023年，{agency}收入预算{}元，支出预算{}元，其中：基本支出{}元，项目支出{}元。以下各表金额单位均为元。", thousands(total), thousands(total), thousands(basic), thousands(project))),
        Block::Section(true),
    ];
    let mut records: Vec<Record> = Vec::new();
    let mut index = 0;
    // T 部门财务收支预算总表 (no 科目: no records)
    let mut t0 = TableModel::new(&[30.0, 20.0, 30.0, 20.0]).font(10.0).header(2, true);
    t0.row(vec![cs("收　　入", 2), cs("支　　出", 2)]);
    t0.row(vec![c("项　　目"), c("预算数"), c("项　　目"), c("预算数")]);
    let lei: Vec<&Subject> = subs.iter().filter(|s| s.kuan.is_empty()).collect();
    let income = [("一、财政拨款", total), ("二、财政专户管理资金", 0), ("三、单位资金", 0)];
    let n = lei.len().max(income.len());
    for i in 0..n {
        let (a, b) = income.get(i).map(|(a, b)| (a.to_string(), thousands(*b))).unwrap_or_default();
        let (x, y) = lei.get(i).map(|s| (s.name.to_string(), thousands(s.basic + s.project))).unwrap_or_default();
        t0.row(vec![c(&a).l(), c(&b).r(), c(&x).l(), c(&y).r()]);
    }
    t0.row(vec![c("收入总计"), c(&thousands(total)).r(), c("支出总计"), c(&thousands(total)).r()]);
    blocks.push(Block::Heading(format!("{agency}2023年部门财务收支预算总表")));
    blocks.push(Block::Right("单位：元".into()));
    blocks.push(Block::Table(t0.finish()));
    index += 1;
    blocks.push(Block::PageBreak);

    // T 部门收入预算总表: 类 rows only, 13 columns.
    let mut t1 = TableModel::new(&[5.0, 4.0, 4.0, 15.0, 9.0, 9.0, 7.0, 7.0, 8.0, 8.0, 8.0, 7.0]).font(9.0).header(2, true);
    t1.row(vec![cs("功能分类科目", 4), rs("合计", 2), cs("财政拨款收入", 3), rs("财政专户管理资金", 2), cs("单位资金", 3)]);
    t1.row(vec![c("类"), c("款"), c("项"), c("科目名称"), c("一般公共预算"), c("政府性基金"), c("国有资本经营预算"), c("事业收入"), c("事业单位经营收入"), c("其他收入")]);
    // 12 grid columns: 类 款 项 名称 合计 | 一般 政府性 国有 | 专户 | 事业 经营 其他 = 4+1+3+1+3
    let title1 = "2023年部门收入预算总表";
    let keys1 = ["合计", "一般公共预算", "政府性基金", "国有资本经营预算", "财政专户管理资金", "事业收入", "事业单位经营收入", "其他收入"];
    let r = t1.row({
        let mut v = vec![cs("合计", 4), c(&thousands(total)).r(), c(&thousands(total)).r()];
        v.extend((0..6).map(|_| c("")));
        v
    });
    records.push(line(Src { title: title1, agency, table: index }, r, None, "合计", &keys1, &[total, total, 0, 0, 0, 0, 0, 0]));
    for s in &lei {
        let a = s.basic + s.project;
        let mut v = vec![c(s.lei), c(""), c(""), c(s.name).l(), c(&thousands(a)).r(), c(&thousands(a)).r()];
        v.extend((0..6).map(|_| c("")));
        let r = t1.row(v);
        records.push(line(Src { title: title1, agency, table: index }, r, Some(s.lei.to_string()), s.name, &keys1, &[a, a, 0, 0, 0, 0, 0, 0]));
    }
    blocks.push(Block::Heading(format!("{agency}{title1}")));
    blocks.push(Block::Right("单位：元".into()));
    blocks.push(Block::Table(t1.finish()));
    index += 1;
    blocks.push(Block::PageBreak);

    // T 部门支出预算总表: runs over several pages WITHOUT the header repeated.
    let title2 = "2023年部门支出预算总表";
    let (t2, r2) = expense_table(&subs, false, title2, agency, index);
    blocks.push(Block::Heading(format!("{agency}{title2}")));
    blocks.push(Block::Right("单位：元".into()));
    blocks.push(Block::Table(t2));
    records.extend(r2);
    index += 1;
    if full {
        blocks.push(Block::PageBreak);
        // T 一般公共预算支出功能分类预算表: the same rows, header repeated on every page.
        let title3 = "2023年一般公共预算支出功能分类预算表";
        let (t3, r3) = expense_table(&subs, true, title3, agency, index);
        blocks.push(Block::Heading(format!("{agency}{title3}")));
        blocks.push(Block::Right("单位：元".into()));
        blocks.push(Block::Table(t3));
        records.extend(r3);
        index += 1;
    }
    blocks.push(Block::PageBreak);
    let title4 = "2023年一般公共预算基本支出部门预算经济分类预算表";
    let car = rng.fen(20_000, 90_000);
    let rec = rng.fen(5_000, 30_000);
    let (t4, r4) = econ_table(&mut rng, Src { title: title4, agency, table: index }, basic, car, rec);
    blocks.push(Block::Heading(format!("{agency}{title4}")));
    blocks.push(Block::Right("单位：元".into()));
    blocks.push(Block::Table(t4));
    records.extend(r4);
    // T "三公" (no records)
    let mut t5 = TableModel::new(&[16.0, 18.0, 16.0, 16.0, 16.0, 18.0]).font(10.0).header(2, true);
    t5.row(vec![rs("合计", 2), rs("因公出国（境）费", 2), cs("公务用车购置及运行费", 3), rs("公务接待费", 2)]);
    t5.row(vec![c("小计"), c("公务用车购置费"), c("公务用车运行费")]);
    t5.row(vec![c(&thousands(car + rec)).r(), c(""), c(&thousands(car)).r(), c(""), c(&thousands(car)).r(), c(&thousands(rec)).r()]);
    blocks.push(Block::Heading(format!("{agency}2023年一般公共预算“三公”经费预算表")));
    blocks.push(Block::Right("单位：元".into()));
    blocks.push(Block::Table(t5.finish()));

    DocModel {
        name: name.to_string(),
        description: format!(
            "Shanghai-style 部门预算 of {agency} (fictional): landscape, 元 with thousands separators, 科目编码 as 类 | 款 | 项 columns; {}",
            if full { "部门支出预算总表 runs over pages without its header, 功能分类预算表 with it repeated" } else { "部门支出预算总表 runs over pages without its header" }
        ),
        landscape: false,
        docx_bookmarks: None,
        blocks,
        warnings: vec![],
        records: Rc::new(move |_| records.clone()),
    }
}

pub fn budget_docs() -> Vec<DocModel> {
    vec![budget_doc("binjiang_education_2023", "上海市滨江区教育局", education_tree(), 2023, true)]
}

pub fn budget_docs_small() -> Vec<DocModel> {
    vec![budget_doc("binjiang_justice_2023", "上海市滨江区司法局", justice_tree(), 7, false)]
}

// ---------------------------------------------------------------------------------------------
// 财政项目支出绩效目标填报表

struct PerfProject {
    name: &'static str,
    nature: &'static str,
    category: &'static str,
    dept: &'static str,
    unit: &'static str,
    start: &'static str,
    end: &'static str,
    /// 项目资金总额, 年度资金申请总额, 其中：财政资金, 其中：当年财政拨款, 上年结转资金, 其他资金 (元, printed)
    money: [&'static str; 6],
    overall: &'static str,
    annual: &'static str,
    /// (一级, 二级, 三级, 指标值)
    inds: Vec<(&'static str, &'static str, &'static str, &'static str)>,
}

fn mental_health() -> PerfProject {
    let inds = vec![
        ("产出指标", "数量指标", "心理健康教育课程开设班级数", "≥120(个)"),
        ("产出指标", "数量指标", "学生心理健康筛查覆盖人数", "≥18000(人)"),
        ("产出指标", "数量指标", "心理辅导室标准化建设学校数", "=12(所)"),
        ("产出指标", "数量指标", "心理健康教师专题培训次数", "＞6.00(次)"),
        ("产出指标", "数量指标", "家庭教育指导讲座场次", "≥24(场)"),
        ("产出指标", "数量指标", "团体心理辅导活动", "开展至少1次团体心理治疗"),
        ("产出指标", "数量指标", "心理危机干预演练次数", "≥2(次)"),
        ("产出指标", "数量指标", "心理健康宣传月活动参与学校数", "≥40(所)"),
        ("产出指标", "数量指标", "心理咨询热线接听时长", "≥1500(小时)"),
        ("产出指标", "数量指标", "印发心理健康读本册数", "≥5000(册)"),
        ("产出指标", "质量指标", "心理健康筛查完成率", "≥98%"),
        ("产出指标", "质量指标", "心理辅导室验收合格率", "=100%"),
        ("产出指标", "质量指标", "培训考核合格率", "≥95%"),
        ("产出指标", "质量指标", "高风险学生跟踪建档率", "=100%"),
        ("产出指标", "质量指标", "心理健康课程开课率", "=100%"),
        ("产出指标", "质量指标", "危机个案转介及时率", "≥95%"),
        ("产出指标", "质量指标", "咨询记录规范率", "≥90%"),
        ("产出指标", "质量指标", "活动方案审核通过率", "=100%"),
        ("产出指标", "时效指标", "筛查工作完成时间", "≤10(月)"),
        ("产出指标", "时效指标", "心理辅导室建设完成时间", "≤8(月)"),
        ("产出指标", "时效指标", "危机个案响应时间", "≤24(小时)"),
        ("产出指标", "时效指标", "培训计划完成时间", "≤11(月)"),
        ("产出指标", "时效指标", "资金支付及时率", "≥95%"),
        ("产出指标", "时效指标", "年度总结报送时间", "≤12(月)"),
        ("产出指标", "成本指标", "心理辅导室建设单校成本", "≤80000(元)"),
        ("产出指标", "成本指标", "教师培训人均成本", "≤1200(元)"),
        ("产出指标", "成本指标", "筛查人均成本", "≤25(元)"),
        ("产出指标", "成本指标", "讲座场均成本", "≤3000(元)"),
        ("产出指标", "成本指标", "读本印制单册成本", "≤12(元)"),
        ("产出指标", "成本指标", "项目预算控制率", "≤100%"),
        ("效果指标", "经济效益", "减少学生心理问题导致的医疗支出", "逐年下降"),
        ("效果指标", "经济效益", "社会资源利用率", "≥80%"),
        ("效果指标", "社会效益", "学生心理健康知识知晓率", "≥90%"),
        ("效果指标", "社会效益", "心理危机事件发生率", "较上年下降"),
        ("效果指标", "社会效益", "家长家庭教育参与率", "≥70%"),
        ("效果指标", "社会效益", "教师心理辅导能力提升", "明显提升"),
        ("效果指标", "社会效益", "心理健康工作示范校创建数", "≥3(所)"),
        ("效果指标", "社会效益", "媒体正面宣传报道", "≥5(篇)"),
        ("效果指标", "社会效益", "学生求助渠道畅通率", "=100%"),
        ("效果指标", "社会效益", "校园心理健康氛围", "持续改善"),
        ("效果指标", "生态效益", "宣传资料电子化比例", "≥60%"),
        ("效果指标", "生态效益", "无纸化筛查比例", "≥90%"),
        ("效果指标", "社会公众或服务对象满意度", "学生满意度", "≥90%"),
        ("效果指标", "社会公众或服务对象满意度", "家长满意度", "≥85%"),
        ("效果指标", "社会公众或服务对象满意度", "教师满意度", "≥90%"),
        ("影响力指标", "长效管理", "心理健康工作制度健全性", "健全"),
        ("影响力指标", "长效管理", "危机干预机制运行情况", "有效运行"),
        ("影响力指标", "人力资源", "专职心理教师配备率", "≥95%"),
        ("影响力指标", "信息共享", "心理健康数据平台共享部门数", "≥3(个)"),
        ("影响力指标", "档案管理", "项目档案完整率", "=100%"),
    ];
    PerfProject {
        name: "中小学生心理健康教育提升项目",
        nature: "新增项目",
        category: "一般项目",
        dept: "上海市滨江区教育局",
        unit: "上海市滨江区教育局",
        start: "2023年1月1日",
        end: "2023年12月31日",
        money: ["4,860,000.00", "1,620,000.00", "1,620,000.00", "1,500,000.00", "120,000.00", "0.00"],
        overall: "用三年时间，构建覆盖全区中小学的心理健康教育服务体系：全区中小学心理辅导室全部达到市级标准化要求，专职心理教师配备率达到95%以上，建立学生心理健康筛查、建档、干预、转介一体化工作机制，形成家校社协同的心理健康教育格局，学生心理健康素养明显提升，心理危机事件发生率持续下降。",
        annual: "2023年完成全区中小学生心理健康筛查，覆盖学生不少于18000人，对高风险学生100%跟踪建档；完成12所学校心理辅导室标准化建设；开展心理健康教师专题培训不少于6次、家庭教育指导讲座不少于24场；开展至少1次团体心理治疗；完善心理危机干预预案并组织演练，学生、家长满意度分别达到90%、85%以上。",
        inds,
    }
}

fn legal_aid() -> PerfProject {
    let base = [
        ("产出指标", "数量指标", "法律援助案件办理数", "≥1200(件)"),
        ("产出指标", "数量指标", "法律咨询接待人次", "≥15000(人次)"),
        ("产出指标", "数量指标", "公共法律服务工作站覆盖街镇数", "=11(个)"),
        ("产出指标", "数量指标", "普法宣传活动场次", "＞40.00(场)"),
        ("产出指标", "数量指标", "值班律师驻点天数", "≥250(天)"),
        ("产出指标", "数量指标", "人民调解员培训", "开展至少2次集中轮训"),
        ("产出指标", "质量指标", "法律援助案件结案率", "≥95%"),
        ("产出指标", "质量指标", "案件质量评估合格率", "≥98%"),
        ("产出指标", "质量指标", "咨询答复准确率", "≥95%"),
        ("产出指标", "质量指标", "工作站服务规范达标率", "=100%"),
        ("产出指标", "时效指标", "援助申请审查办结时限", "≤7(日)"),
        ("产出指标", "时效指标", "案件指派时限", "≤3(日)"),
        ("产出指标", "时效指标", "补贴发放及时率", "≥95%"),
        ("产出指标", "成本指标", "民事案件平均办案补贴", "≤2500(元)"),
        ("产出指标", "成本指标", "刑事案件平均办案补贴", "≤3000(元)"),
        ("产出指标", "成本指标", "项目预算控制率", "≤100%"),
        ("效果指标", "经济效益", "为受援人挽回经济损失", "≥3000(万元)"),
        ("效果指标", "社会效益", "困难群众应援尽援率", "=100%"),
        ("效果指标", "社会效益", "矛盾纠纷调解成功率", "≥90%"),
        ("效果指标", "社会效益", "群众法治意识", "明显提升"),
        ("效果指标", "社会效益", "涉法信访案件数", "较上年下降"),
        ("效果指标", "社会效益", "公共法律服务知晓率", "≥85%"),
        ("效果指标", "生态效益", "线上办理业务占比", "≥50%"),
        ("效果指标", "社会公众或服务对象满意度", "受援人满意度", "≥95%"),
        ("效果指标", "社会公众或服务对象满意度", "咨询群众满意度", "≥90%"),
        ("影响力指标", "长效管理", "法律援助工作制度健全性", "健全"),
        ("影响力指标", "长效管理", "援务公开执行情况", "全面公开"),
        ("影响力指标", "人力资源", "法律援助律师库人数", "≥120(人)"),
        ("影响力指标", "人力资源", "专职法律援助人员培训覆盖率", "=100%"),
        ("影响力指标", "信息共享", "与法院、检察院、公安信息共享机制", "有效运行"),
        ("影响力指标", "档案管理", "案件卷宗归档率", "=100%"),
        ("影响力指标", "档案管理", "电子档案完整率", "≥98%"),
    ];
    let mut inds = base.to_vec();
    // 40+ rows like the real forms: the quantity block lists each 街镇 station.
    let stations = [
        "滨江街道公共法律服务工作站接待量",
        "临港街道公共法律服务工作站接待量",
        "新桥镇公共法律服务工作站接待量",
        "东湖镇公共法律服务工作站接待量",
        "西塘镇公共法律服务工作站接待量",
        "南浦镇公共法律服务工作站接待量",
        "北苑镇公共法律服务工作站接待量",
        "枫林镇公共法律服务工作站接待量",
        "白鹭镇公共法律服务工作站接待量",
        "青山镇公共法律服务工作站接待量",
        "石门镇公共法律服务工作站接待量",
    ];
    for (i, st) in stations.iter().enumerate() {
        inds.insert(6 + i, ("产出指标", "数量指标", *st, "≥600(人次)"));
    }
    PerfProject {
        name: "法律援助及公共法律服务体系建设",
        nature: "经常性项目",
        category: "一般项目",
        dept: "上海市滨江区司法局",
        unit: "上海市滨江区法律援助中心",
        start: "2023年1月",
        end: "2023年12月",
        money: ["2,350,000.00", "2,350,000.00", "2,200,000.00", "2,200,000.00", "", "150,000.00"],
        overall: "健全覆盖城乡、便捷高效、均等普惠的公共法律服务体系，扩大法律援助覆盖面，提高法律援助案件质量，实现困难群众应援尽援，推动公共法律服务实体、热线、网络三大平台融合发展，为全区经济社会发展提供优质法治保障。",
        annual: "2023年办理法律援助案件不少于1200件，接待法律咨询不少于15000人次；11个街镇公共法律服务工作站全部规范运行；开展普法宣传活动40场以上；法律援助案件结案率达到95%以上，受援人满意度达到95%以上。",
        inds,
    }
}

fn perf_table(p: &PerfProject) -> TableModel {
    let mut t = TableModel::new(&[5.0, 13.0, 17.0, 37.0, 28.0]).font(9.0);
    t.row(vec![cs("上海市滨江区财政项目支出绩效目标填报表", 5).b().center()]);
    t.row(vec![cs("（2023年度）", 5)]);
    t.row(vec![cs("项目名称", 2), cs(p.name, 3)]);
    t.row(vec![cs("项目性质", 2), c(p.nature), c("项目类别"), c(p.category)]);
    t.row(vec![cs("主管部门", 2), c(p.dept), c("实施单位"), c(p.unit)]);
    t.row(vec![cs("计划开始日期", 2), c(p.start), c("计划完成日期"), c(p.end)]);
    let labels = ["项目资金总额", "年度资金申请总额", "其中：财政资金", "其中：当年财政拨款", "上年结转资金", "其他资金"];
    for (i, (l, v)) in labels.iter().zip(p.money).enumerate() {
        let mut row = Vec::new();
        if i == 0 {
            row.push(span("项目资金（元）", 6, 2));
        }
        row.push(cs(l, 2));
        row.push(c(v).r());
        t.row(row);
    }
    t.row(vec![cs("项目总目标", 2), cs(p.overall, 3).l()]);
    t.row(vec![cs("年度总体目标", 2), cs(p.annual, 3).l()]);
    t.row(vec![rs("绩效指标", 1 + p.inds.len()), c("一级指标"), c("二级指标"), c("三级指标"), c("指标值")]);
    let mut i = 0;
    while i < p.inds.len() {
        let l1 = p.inds[i].0;
        let n1 = p.inds[i..].iter().take_while(|x| x.0 == l1).count();
        let mut j = i;
        while j < i + n1 {
            let l2 = p.inds[j].1;
            let n2 = p.inds[j..i + n1].iter().take_while(|x| x.1 == l2).count();
            for k in j..j + n2 {
                let x = p.inds[k];
                let mut row = Vec::new();
                if k == i {
                    row.push(rs(l1, n1));
                }
                if k == j {
                    row.push(rs(l2, n2));
                }
                row.push(c(x.2).l());
                row.push(c(x.3));
                t.row(row);
            }
            j += n2;
        }
        i += n1;
    }
    t.finish()
}

fn perf_record(p: &PerfProject, fmt: Fmt, table: usize) -> Record {
    Record::ProjectPerformance(ProjectPerformance {
        title: Some("上海市滨江区财政项目支出绩效目标填报表".into()),
        amount_unit: Some("元".into()),
        project_name: Some(p.name.into()),
        budget_total: amount(p.money[0], "元"),
        budget_fiscal: amount(p.money[2], "元"),
        budget_other: amount(p.money[5], "元"),
        goal: Some(join(p.annual, fmt)),
        overview: Some(join(p.overall, fmt)),
        competent_dept: Some(p.dept.into()),
        implementing_unit: Some(p.unit.into()),
        project_nature: Some(p.nature.into()),
        start_date: date(p.start, false),
        end_date: date(p.end, true),
        indicators: p
            .inds
            .iter()
            .map(|(l1, l2, l3, v)| {
                let (comparator, target, unit) = parse_quantity(v);
                Indicator {
                    level1: Some(l1.to_string()),
                    level2: Some(l2.to_string()),
                    level3: Some(l3.to_string()),
                    value: Some(v.to_string()),
                    comparator,
                    target,
                    unit,
                    ..Default::default()
                }
            })
            .collect(),
        source_tables: vec![table],
        ..Default::default()
    })
}

fn perf_doc(name: &str, projects: fn() -> Vec<PerfProject>, description: &str) -> DocModel {
    let ps = projects();
    let mut blocks = vec![Block::Title("2023年度项目支出绩效目标".into()), Block::Para("根据《上海市预算绩效管理实施办法》，现将本部门2023年度项目支出绩效目标公开如下。".into())];
    for (i, p) in ps.iter().enumerate() {
        if i > 0 {
            blocks.push(Block::PageBreak);
        }
        blocks.push(Block::Table(perf_table(p)));
    }
    DocModel {
        name: name.to_string(),
        description: description.to_string(),
        landscape: false,
        docx_bookmarks: None,
        blocks,
        warnings: vec![],
        records: Rc::new(move |fmt| projects().iter().enumerate().map(|(i, p)| perf_record(p, fmt, i)).collect()),
    }
}

pub fn perf_docs() -> Vec<DocModel> {
    vec![perf_doc(
        "binjiang_perf_2023",
        || vec![mental_health(), legal_aid()],
        "Shanghai 财政项目支出绩效目标填报表 ×2 (fictional 滨江区): title and （2023年度） rows inside the table, 项目资金（元） block, long 项目总目标 / 年度总体目标, vertical 绩效指标 label spanning 40+ rows",
    )]
}

pub fn perf_docs_small() -> Vec<DocModel> {
    vec![perf_doc(
        "binjiang_perf_legal_aid_2023",
        || vec![legal_aid()],
        "Shanghai 财政项目支出绩效目标填报表, one project (法律援助), dates printed as 2023年1月 / 2023年12月",
    )]
}
