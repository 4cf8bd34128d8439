//! Document-level review defects (issue 12): a Shanghai-style 部门预算 with a 目录, a 情况说明
//! whose figures the tables hold, and the nine tables of the Shanghai set in 万元, each drawn once
//! with one deliberate defect of the kind a 预算公开 reviewer looks for and once clean (its twin:
//! same agency, same figures, nothing to find).
//!
//! The tables print no 科目编码 (类 names and 经济分类 names only), so they give no budget lines:
//! what is scored here is the warnings. Figures come from a fixed pseudo-random sequence per pair
//! and add up exactly in the clean twin; the defect is planted from the model, and its expected
//! warning (code + table + row where the finding has a place) is written with it.

use std::rc::Rc;

use crate::model::*;

/// The defects planted, one per pair.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Defect {
    /// The 目录 lists the 国有资本经营 table; the document does not print it.
    TocTableMissing,
    /// The empty 政府性基金 table without its note.
    EmptyUnexplained,
    /// 机关运行经费 in the prose with one digit wrong against the 三公 table.
    ProseDigit,
    /// "与上年持平" where the two figures stated differ.
    ComparisonWord,
    /// A section title dated the year before the report's.
    WrongYear,
    /// One table heading naming another agency.
    WrongAgency,
    /// 支出总计 of the 财务收支预算总表 ≠ 本年支出合计 + 年末结转和结余.
    GrandTotal,
    /// No 目录, and the 国有资本经营 table of the set absent.
    TemplateMissing,
}

const DEFECTS: [(Defect, &str, &str); 8] = [
    (Defect::TocTableMissing, "toc_missing", "上海市滨江区文化旅游局"),
    (Defect::EmptyUnexplained, "empty_unexplained", "上海市滨江区体育局"),
    (Defect::ProseDigit, "prose_digit", "上海市滨江区统计局"),
    (Defect::ComparisonWord, "comparison_word", "上海市滨江区审计局"),
    (Defect::WrongYear, "wrong_year", "上海市滨江区民政局"),
    (Defect::WrongAgency, "wrong_agency", "上海市滨江区档案局"),
    (Defect::GrandTotal, "grand_total", "上海市滨江区科学技术委员会"),
    (Defect::TemplateMissing, "template_missing", "上海市滨江区商务委员会"),
];

/// An amount in hundredths of 万元 as the prose states it: no thousands separator, "0.00" for nothing.
fn said(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// The figures of one agency's budget, in hundredths of 万元.
struct Figures {
    classes: [(&'static str, i64); 3],
    total: i64,
    last_year: i64,
    basic: i64,
    project: i64,
    wages: i64,
    goods: i64,
    families: i64,
    abroad: i64,
    purchase: i64,
    running: i64,
    reception: i64,
    office_running: i64,
}

impl Figures {
    fn draw(seed: u64) -> Figures {
        let mut rng = Lcg(seed);
        let classes = [("一般公共服务支出", rng.fen(800, 3000)), ("社会保障和就业支出", rng.fen(60, 300)), ("住房保障支出", rng.fen(40, 200))];
        let total: i64 = classes.iter().map(|c| c.1).sum();
        let basic = total * 2 / 5 + rng.fen(1, 50);
        let project = total - basic;
        let wages = basic * 3 / 5 + rng.fen(1, 20);
        let families = rng.fen(5, 30);
        let goods = basic - wages - families;
        Figures {
            classes,
            total,
            last_year: total - rng.fen(20, 90),
            basic,
            project,
            wages,
            goods,
            families,
            abroad: rng.fen(1, 9),
            purchase: 0,
            running: rng.fen(2, 12),
            reception: rng.fen(1, 5),
            office_running: rng.fen(30, 150),
        }
    }
    fn cars(&self) -> i64 {
        self.purchase + self.running
    }
    fn three(&self) -> i64 {
        self.abroad + self.cars() + self.reception
    }
}

const TITLES: [&str; 9] = [
    "部门财务收支预算总表",
    "部门收入预算总表",
    "部门支出预算总表",
    "部门财政拨款收支预算总表",
    "部门一般公共预算支出功能分类预算表",
    "部门政府性基金预算支出功能分类预算表",
    "部门国有资本经营预算支出功能分类预算表",
    "部门一般公共预算基本支出部门预算经济分类预算表",
    "部门“三公”经费和机关运行经费预算表",
];

/// The 财务收支预算总表; returns it and the row of 支出总计.
fn summary(f: &Figures, grand_off: i64) -> (TableModel, usize) {
    let mut t = TableModel::new(&[30.0, 18.0, 30.0, 18.0]).font(10.0).header(2, true);
    t.row(vec![cs("本年收入", 2), cs("本年支出", 2)]);
    t.row(vec![c("项目"), c("预算数"), c("项目"), c("预算数")]);
    let income = [("一、财政拨款收入", f.total), ("二、事业收入", 0), ("三、其他收入", 0)];
    let numbers = ["一、", "二、", "三、"];
    for i in 0..3 {
        t.row(vec![
            c(income[i].0).l(),
            c(&thousands(income[i].1)).r(),
            c(&format!("{}{}", numbers[i], f.classes[i].0)).l(),
            c(&thousands(f.classes[i].1)).r(),
        ]);
    }
    t.row(vec![c("本年收入合计"), c(&thousands(f.total)).r(), c("本年支出合计"), c(&thousands(f.total)).r()]);
    t.row(vec![c("上年结转结余"), c(""), c("年末结转和结余"), c("")]);
    let r = t.row(vec![c("收入总计"), c(&thousands(f.total)).r(), c("支出总计"), c(&thousands(f.total + grand_off)).r()]);
    (t.finish(), r)
}

/// A plain table: one label column and amount columns, a 合计 row first.
fn plain(head: &[&str], rows: &[(&str, Vec<i64>)]) -> TableModel {
    let mut widths = vec![36.0];
    widths.extend(head[1..].iter().map(|_| 16.0));
    let mut t = TableModel::new(&widths).font(10.0).header(1, true);
    t.row(head.iter().map(|h| c(h)).collect());
    for (label, values) in rows {
        let mut cells = vec![c(label).l()];
        cells.extend(values.iter().map(|v| c(&thousands(*v)).r()));
        t.row(cells);
    }
    t.finish()
}

/// An empty 功能分类 table: its header and a 合计 row with no figure.
fn empty_functional() -> TableModel {
    plain(&["科目名称", "合计", "基本支出", "项目支出"], &[("合计", vec![0, 0, 0])])
}

/// The 三公 table in Shanghai's layout; returns it and its figure row.
fn three_public(f: &Figures) -> (TableModel, usize) {
    let mut t = TableModel::new(&[14.0, 14.0, 14.0, 14.0, 14.0, 14.0, 16.0]).font(10.0).header(3, true);
    t.row(vec![cs("“三公”经费预算数", 6), rs("机关运行经费预算数", 3)]);
    t.row(vec![rs("合计", 2), rs("因公出国（境）费", 2), rs("公务接待费", 2), cs("公务用车购置及运行费", 3)]);
    t.row(vec![c("小计"), c("购置费"), c("运行费")]);
    let r = t.row(vec![
        c(&said(f.three())).r(),
        c(&said(f.abroad)).r(),
        c(&said(f.reception)).r(),
        c(&said(f.cars())).r(),
        c(&said(f.purchase)).r(),
        c(&said(f.running)).r(),
        c(&said(f.office_running)).r(),
    ]);
    (t.finish(), r)
}

/// One digit of a printed figure changed (the last digit before the point, +1 mod 10).
fn one_digit_off(cents: i64) -> i64 {
    let units = (cents / 100) % 10;
    cents - units * 100 + ((units + 1) % 10) * 100
}

fn doc(defect: Defect, slug: &str, agency: &'static str, seed: u64, planted: bool) -> DocModel {
    let f = Figures::draw(seed);
    let year = 2024;
    let has = |d: Defect| planted && defect == d;
    let mut warnings: Vec<ExpectedWarning> = Vec::new();
    let mut blocks = vec![Block::Title(format!("{agency}{year}年部门预算"))];
    // The 国有资本经营 table is absent where the defect is a missing table.
    let absent = |i: usize| i == 6 && (has(Defect::TocTableMissing) || has(Defect::TemplateMissing));
    // The template pair prints no 目录 in either twin.
    if defect != Defect::TemplateMissing {
        blocks.push(Block::Heading("目录".into()));
        blocks.push(Block::Para("一、部门主要职能".into()));
        blocks.push(Block::Para("二、部门预算情况说明".into()));
        blocks.push(Block::Para("三、部门预算表".into()));
        for (i, t) in TITLES.iter().enumerate() {
            blocks.push(Block::Para(format!("{}．{year}年{t}", i + 1)));
        }
        blocks.push(Block::PageBreak);
    }
    if has(Defect::TocTableMissing) {
        warnings.push(ExpectedWarning {
            code: "toc_table_missing",
            message: "the 目录 lists the 国有资本经营预算支出功能分类预算表; the document does not print it".into(),
            table: None,
            row: None,
        });
    }
    if has(Defect::TemplateMissing) {
        warnings.push(ExpectedWarning {
            code: "template_table_missing",
            message: "no 目录; 8 of the nine Shanghai tables printed, not the 国有资本经营预算支出功能分类预算表".into(),
            table: None,
            row: None,
        });
    }
    blocks.push(Block::Heading("一、部门主要职能".into()));
    blocks.push(Block::Para(format!(
        "{agency}是区政府工作部门，负责贯彻执行国家和本市有关方针政策和法律法规，拟订本区相关发展规划和政策措施并组织实施。"
    )));
    blocks.push(Block::Heading("二、部门预算情况说明".into()));
    let word = if has(Defect::ComparisonWord) { "持平".to_string() } else { format!("增加{}万元", said(f.total - f.last_year)) };
    if has(Defect::ComparisonWord) {
        warnings.push(ExpectedWarning {
            code: "text_comparison_mismatch",
            message: format!("\"与上年相比持平\" but {} 万元 against last year's {} 万元", said(f.total), said(f.last_year)),
            table: None,
            row: None,
        });
    }
    blocks.push(Block::Para(format!(
        "（一）收支预算总体情况。{year}年，{agency}收入预算总计{}万元，支出预算总计{}万元，上年预算为{}万元，与上年相比{word}。其中：基本支出{}万元，项目支出{}万元。",
        said(f.total),
        said(f.total),
        said(f.last_year),
        said(f.basic),
        said(f.project)
    )));
    blocks.push(Block::Para(format!(
        "（二）基本支出。{year}年基本支出{}万元，其中：人员经费{}万元，公用经费{}万元。",
        said(f.basic),
        said(f.wages + f.families),
        said(f.goods)
    )));
    blocks.push(Block::Para(format!(
        "（三）“三公”经费预算情况。{year}年“三公”经费预算数为{}万元。其中：因公出国（境）费{}万元；公务用车购置及运行费{}万元，其中：公务用车购置费{}万元，公务用车运行费{}万元；公务接待费{}万元。",
        said(f.three()),
        said(f.abroad),
        said(f.cars()),
        said(f.purchase),
        said(f.running),
        said(f.reception)
    )));
    let running_said = if has(Defect::ProseDigit) { one_digit_off(f.office_running) } else { f.office_running };
    blocks.push(Block::Para(format!("（四）机关运行经费。{year}年{agency}机关运行经费预算为{}万元。", said(running_said))));
    let section_year = if has(Defect::WrongYear) { year - 1 } else { year };
    if has(Defect::WrongYear) {
        warnings.push(ExpectedWarning {
            code: "year_mismatch",
            message: format!("a section titled {section_year}年 in a {year} report"),
            table: None,
            row: None,
        });
    }
    blocks.push(Block::Heading(format!("三、{section_year}年其他预算情况")));
    blocks.push(Block::Para(format!("{agency}{year}年无国有资本经营预算拨款安排。")));
    blocks.push(Block::PageBreak);

    let mut index = 0;
    let mut put = |blocks: &mut Vec<Block>, i: usize, t: TableModel, after: Option<String>| -> usize {
        let heading_agency = if i == 2 && has(Defect::WrongAgency) { "上海市滨江区财政局" } else { agency };
        blocks.push(Block::Heading(format!("{heading_agency}{year}年{}", TITLES[i])));
        blocks.push(Block::Right("单位：万元".into()));
        blocks.push(Block::Table(t));
        if let Some(note) = after {
            blocks.push(Block::Para(note));
        }
        blocks.push(Block::PageBreak);
        index += 1;
        index - 1
    };
    let grand_off = if has(Defect::GrandTotal) { 1000 } else { 0 };
    let (t0, grand_row) = summary(&f, grand_off);
    let at0 = put(&mut blocks, 0, t0, None);
    if has(Defect::GrandTotal) {
        warnings.push(ExpectedWarning {
            code: "identity_mismatch",
            message: format!("支出总计 {} but 本年支出合计 {} + 年末结转和结余 0", thousands(f.total + grand_off), thousands(f.total)),
            table: Some(at0),
            row: Some(grand_row),
        });
    }
    put(&mut blocks, 1, plain(&["单位名称", "合计", "财政拨款收入", "事业收入", "其他收入"], &[("合计", vec![f.total, f.total, 0, 0]), (agency, vec![f.total, f.total, 0, 0])]), None);
    let at2 = put(&mut blocks, 2, plain(&["单位名称", "合计", "基本支出", "项目支出"], &[("合计", vec![f.total, f.basic, f.project]), (agency, vec![f.total, f.basic, f.project])]), None);
    if has(Defect::WrongAgency) {
        warnings.push(ExpectedWarning {
            code: "agency_mismatch",
            message: format!("the heading of table {at2} names 上海市滨江区财政局, the document {agency}"),
            // schemas/README.md: `table` = the table whose title names the other unit.
            table: Some(at2),
            row: None,
        });
    }
    put(&mut blocks, 3, plain(&["项目", "合计", "一般公共预算"], &[("财政拨款收入", vec![f.total, f.total]), ("财政拨款支出", vec![f.total, f.total])]), None);
    // The 类 split between 基本支出 and 项目支出: 基本支出 where it fits, the rest 项目支出.
    let mut left = f.basic;
    let mut rows = vec![("合计", vec![f.total, f.basic, f.project])];
    for (name, v) in f.classes {
        let b = left.min(v);
        left -= b;
        rows.push((name, vec![v, b, v - b]));
    }
    put(&mut blocks, 4, plain(&["科目名称", "合计", "基本支出", "项目支出"], &rows), None);
    let fund_note = (!has(Defect::EmptyUnexplained)).then(|| format!("注：{agency}{year}年没有政府性基金预算拨款安排的预算，故本表为空表。"));
    let at5 = put(&mut blocks, 5, empty_functional(), fund_note);
    if has(Defect::EmptyUnexplained) {
        warnings.push(ExpectedWarning {
            code: "empty_table_unexplained",
            message: "the 政府性基金 table prints no figure and no note".into(),
            table: Some(at5),
            row: None,
        });
    }
    if !absent(6) {
        put(&mut blocks, 6, empty_functional(), None);
    }
    put(
        &mut blocks,
        7,
        plain(
            &["经济分类科目名称", "合计", "人员经费", "公用经费"],
            &[
                ("合计", vec![f.basic, f.wages + f.families, f.goods]),
                ("工资福利支出", vec![f.wages, f.wages, 0]),
                ("商品和服务支出", vec![f.goods, 0, f.goods]),
                ("对个人和家庭的补助", vec![f.families, f.families, 0]),
            ],
        ),
        None,
    );
    let (t8, figure_row) = three_public(&f);
    let at8 = put(&mut blocks, 8, t8, None);
    if has(Defect::ProseDigit) {
        warnings.push(ExpectedWarning {
            code: "text_table_mismatch",
            message: format!("机关运行经费 {} 万元 in the prose, {} in the table", said(running_said), said(f.office_running)),
            table: Some(at8),
            row: Some(figure_row),
        });
    }
    // No page break after the last table.
    if matches!(blocks.last(), Some(Block::PageBreak)) {
        blocks.pop();
    }
    let name = format!("review_{slug}_{}", if planted { "defect" } else { "clean" });
    DocModel {
        name,
        description: if planted {
            format!("Shanghai-style 部门预算 of {agency} (fictional), 万元, with one document-level defect: {defect:?}")
        } else {
            format!("clean twin of review_{slug}_defect: the same {agency} budget without the defect; must raise nothing")
        },
        landscape: false,
        docx_bookmarks: None,
        blocks,
        warnings,
        records: Rc::new(|_| Vec::new()),
    }
}

/// Every defect document and its clean twin.
pub fn review_docs() -> Vec<DocModel> {
    DEFECTS
        .iter()
        .enumerate()
        .flat_map(|(k, (defect, slug, agency))| {
            let seed = 2024 + k as u64 * 17;
            [doc(*defect, slug, agency, seed, true), doc(*defect, slug, agency, seed, false)]
        })
        .collect()
}
