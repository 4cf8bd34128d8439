//! Identities across tables (validate::identities, code `identity_mismatch`) and standard table sets
//! without a 目录 (validate::template, `template_table_missing`), on tables built here. Each defect
//! has a clean twin that must raise nothing; where finance.rs already reports the slip, the identity
//! adds no second warning.

mod common;

use common::grid;
use yusuan::model::{Table, TextBlock, Warning};
use yusuan::validate::template::check_template;

/// What the pipeline's stages 4 and 5 raise on these tables.
fn warnings(tables: &[Table]) -> Vec<Warning> {
    let (records, _) = yusuan::interpret::interpret(tables);
    yusuan::validate::validate(tables, &records)
}

fn codes(ws: &[Warning]) -> Vec<&str> {
    ws.iter().map(|w| w.code.as_str()).collect()
}

/// A 决算 三公 table: every item under 预算数 | 决算数, the total a heading over them (no 合计 leaf
/// that finance.rs could sum by its header).
fn final_three_public(total_final: &str) -> Table {
    let mut t = grid(
        6,
        &["财政拨款“三公”经费支出决算表", "单位：万元"],
        &[
            &["财政拨款“三公”经费", "<", "<", "<", "<", "<", "<", "<", "<", "<", "<", "<"],
            &["合计", "<", "因公出国（境）费", "<", "公务用车购置及运行维护费", "<", "<", "<", "<", "<", "公务接待费", "<"],
            &["^", "<", "^", "<", "小计", "<", "公务用车购置费", "<", "公务用车运行维护费", "<", "^", "<"],
            &["预算数", "决算数", "预算数", "决算数", "预算数", "决算数", "预算数", "决算数", "预算数", "决算数", "预算数", "决算数"],
            &["12.85", total_final, "0.00", "0.00", "8.00", "6.50", "0.00", "0.00", "8.00", "6.50", "4.85", "3.90"],
        ],
    );
    t.header_rows = 4;
    t
}

#[test]
fn three_public_total_against_its_items_under_each_measure() {
    let clean = warnings(&[final_three_public("10.40")]);
    assert!(clean.is_empty(), "clean 三公 决算 table raised {clean:?}");
    let wrong = warnings(&[final_three_public("11.40")]);
    assert_eq!(codes(&wrong), vec!["identity_mismatch"], "{wrong:?}");
    assert_eq!((wrong[0].table, wrong[0].row), (Some(6), Some(4)));
    assert!(wrong[0].message.contains("决算数"), "{}", wrong[0].message);
    // A title read cut short ("表") still leaves the header to know the table by.
    let mut untitled = final_three_public("11.40");
    untitled.title = Some("表".into());
    untitled.context = vec!["表".into(), "单位：万元".into()];
    assert_eq!(codes(&warnings(&[untitled])), vec!["identity_mismatch"]);
    // One printed step off is rounding, not a broken identity.
    let cent = warnings(&[final_three_public("10.41")]);
    assert_eq!(codes(&cent), vec!["rounding"], "{cent:?}");
}

/// Jiangsu's table: 合计 adds 会议费 and 培训费 to the 三公 小计; the identity is the 小计's.
fn jiangsu_three_public(small_total: &str, grand: &str) -> Table {
    let mut t = grid(
        9,
        &["“三公”经费、会议费、培训费支出预算表", "单位：万元"],
        &[
            &["合计", "“三公”经费", "<", "<", "<", "<", "<", "会议费", "培训费"],
            &["^", "小计", "因公出国（境）费", "公务用车购置及运行维护费", "<", "<", "公务接待费", "^", "^"],
            &["^", "^", "^", "小计", "公务用车购置费", "公务用车运行维护费", "^", "^", "^"],
            &[grand, small_total, "70.00", "411.20", "", "411.20", "27.00", "933.50", "30.00"],
        ],
    );
    t.header_rows = 3;
    t
}

#[test]
fn a_total_over_more_than_the_three_items_is_not_the_three_public_total() {
    let clean = warnings(&[jiangsu_three_public("508.20", "1,471.70")]);
    assert!(clean.is_empty(), "Jiangsu 三公 table raised {clean:?}");
    // A wrong 小计: one warning for the table, whichever check finds it first (finance.rs sums the
    // 小计 column from the header; the identity then adds nothing).
    let wrong = warnings(&[jiangsu_three_public("518.20", "1,481.70")]);
    assert_eq!(wrong.len(), 1, "{wrong:?}");
    assert_eq!(wrong[0].table, Some(9));
}

/// A 决算 收入支出决算总表 (income | expenditure side by side).
fn final_summary(grand_spending: &str, year_end: &str) -> Table {
    grid(
        0,
        &["收入支出决算总表", "单位：万元"],
        &[
            &["收入", "<", "支出", "<"],
            &["项目", "决算数", "项目", "决算数"],
            &["一、一般公共预算财政拨款收入", "9,746.50", "一、一般公共服务支出", "5,000.00"],
            &["二、事业收入", "", "二、城乡社区支出", "4,759.38"],
            &["本年收入合计", "9,746.50", "本年支出合计", "9,759.38"],
            &["使用非财政拨款结余", "", "结余分配", ""],
            &["年初结转和结余", "112.88", "年末结转和结余", year_end],
            &["总计", "9,859.38", "总计", grand_spending],
        ],
    )
}

#[test]
fn grand_total_is_the_year_total_plus_what_is_carried() {
    let clean = warnings(&[final_summary("9,859.38", "100.00")]);
    assert!(clean.is_empty(), "clean 决算总表 raised {clean:?}");
    let wrong = warnings(&[final_summary("9,859.38", "10.00")]);
    assert_eq!(codes(&wrong), vec!["identity_mismatch"], "{wrong:?}");
    assert_eq!((wrong[0].table, wrong[0].row), (Some(0), Some(7)));
    // The other side of the identity (本年支出合计's row) is a related place.
    assert_eq!(wrong[0].related.len(), 1);
    assert_eq!(wrong[0].related[0].row, Some(4));
    assert!(wrong[0].message.contains("年末结转和结余"), "{}", wrong[0].message);
}

/// 财政拨款收入支出决算总表: 年末财政拨款结转和结余 as a heading over its numbered funds.
fn fiscal_summary(fund: &str) -> Table {
    grid(
        1,
        &["财政拨款收入支出决算总表", "单位：万元"],
        &[
            &["收入", "<", "支出", "<"],
            &["项目", "决算数", "项目", "决算数"],
            &["一、一般公共预算财政拨款", "500.00", "一、一般公共服务支出", "480.00"],
            &["本年收入合计", "500.00", "本年支出合计", "480.00"],
            &["年初财政拨款结转和结余", "", "年末财政拨款结转和结余", ""],
            &["一、一般公共预算财政拨款", "", "一、一般公共预算财政拨款", fund],
            &["二、政府性基金预算财政拨款", "", "二、政府性基金预算财政拨款", ""],
            &["总计", "500.00", "总计", "500.00"],
        ],
    )
}

#[test]
fn carried_funds_listed_under_a_heading_count_once() {
    assert!(warnings(&[fiscal_summary("20.00")]).is_empty());
    let wrong = warnings(&[fiscal_summary("2.00")]);
    assert_eq!(codes(&wrong), vec!["identity_mismatch"], "{wrong:?}");
}

/// A 部门收支总表 and the 收入总表 / 支出总表 whose totals it repeats.
fn summary_and_details(income_total: &str) -> Vec<Table> {
    let summary = grid(
        0,
        &["2025年部门财务收支预算总表", "单位：元"],
        &[
            &["本年收入", "<", "本年支出", "<"],
            &["项目", "预算数", "项目", "预算数"],
            &["一、财政拨款收入", "1,000.00", "一、一般公共服务支出", "1,000.00"],
            &["收入总计", "1,000.00", "支出总计", "1,000.00"],
        ],
    );
    let income = grid(
        1,
        &["2025年部门收入预算总表", "单位：元"],
        &[
            &["功能分类科目编码", "功能分类科目名称", "合计", "财政拨款收入"],
            &["201", "一般公共服务支出", income_total, income_total],
            &["合计", "<", income_total, income_total],
        ],
    );
    let spending = grid(
        2,
        &["2025年部门支出预算总表", "单位：元"],
        &[
            &["功能分类科目编码", "功能分类科目名称", "合计", "基本支出", "项目支出"],
            &["201", "一般公共服务支出", "1,000.00", "400.00", "600.00"],
            &["合计", "<", "1,000.00", "400.00", "600.00"],
        ],
    );
    vec![summary, income, spending]
}

#[test]
fn summary_totals_are_the_detail_tables_totals() {
    let clean = warnings(&summary_and_details("1,000.00"));
    assert!(clean.is_empty(), "{clean:?}");
    let wrong = warnings(&summary_and_details("1,100.00"));
    let identity: Vec<&Warning> = wrong.iter().filter(|w| w.code == "identity_mismatch").collect();
    assert_eq!(identity.len(), 1, "{wrong:?}");
    assert_eq!((identity[0].table, identity[0].row), (Some(0), Some(3)));
    assert_eq!(identity[0].related[0].table, 1);
}

/// Jiangsu's layout: 当年收入小计 … 收入合计 in the 收支预算总表, the 收入预算总表 opening with its
/// 收入总计 row, the 支出预算总表 a single row under 合计 | 基本支出 | 项目支出.
fn jiangsu_summary(spending_total: &str, basic: &str) -> Vec<Table> {
    let summary = grid(
        0,
        &["收支预算总表", "单位：万元"],
        &[
            &["收入", "<", "支出", "<"],
            &["项目名称", "金额", "功能科目名称", "金额"],
            &["一、财政拨款", "27,664.22", "一、一般公共服务支出", "27,664.22"],
            &["当年收入小计", "27,664.22", "当年支出小计", "27,664.22"],
            &["上年结转资金", "", "结转下年资金", ""],
            &["收入合计", "27,664.22", "支出合计", "27,664.22"],
        ],
    );
    let income = grid(
        1,
        &["收入预算总表", "单位：万元"],
        &[&["项目名称", "<", "金额"], &["收入总计", "<", "27,664.22"], &["一般公共预算资金", "小计", "27,664.22"]],
    );
    let mut spending = grid(
        2,
        &["支出预算总表", "单位：万元"],
        &[&["合计", "基本支出", "项目支出"], &[spending_total, basic, "15,963.59"]],
    );
    spending.header_rows = 1;
    vec![summary, income, spending]
}

#[test]
fn jiangsu_detail_totals_are_read_from_their_grids() {
    let clean = warnings(&jiangsu_summary("27,664.22", "11,700.63"));
    assert!(clean.is_empty(), "{clean:?}");
    // The 支出预算总表 adds up but prints another total than the 收支预算总表.
    let wrong = warnings(&jiangsu_summary("27,764.22", "11,800.63"));
    assert_eq!(codes(&wrong), vec!["identity_mismatch"], "{wrong:?}");
    assert_eq!((wrong[0].table, wrong[0].row), (Some(0), Some(3)), "at 当年支出小计, the first total of its side");
    assert_eq!(wrong[0].related[0], yusuan::model::Place { table: 2, row: Some(1) });
    assert!(wrong[0].message.contains("27764.22"), "{}", wrong[0].message);
    // Its 合计 misses its own parts too: one slip, reported once by the row sum, the 收支预算总表
    // a related place.
    let slip = warnings(&jiangsu_summary("27,764.22", "11,700.63"));
    assert_eq!(codes(&slip), vec!["sum_mismatch"], "{slip:?}");
    assert!(slip[0].related.iter().any(|p| p.table == 0), "{slip:?}");
}

/// 经济分类 基本支出 table printing 人员经费 and 公用经费 with no 合计 column, and the 功能分类
/// table printing 基本支出.
fn basic_tables(staff_total: &str) -> Vec<Table> {
    let functional = grid(
        0,
        &["一般公共预算支出功能分类预算表", "单位：元"],
        &[
            &["科目编码", "科目名称", "合计", "基本支出", "项目支出"],
            &["201", "一般公共服务支出", "1,000.00", "700.00", "300.00"],
            &["合计", "<", "1,000.00", "700.00", "300.00"],
        ],
    );
    let economic = grid(
        1,
        &["一般公共预算基本支出经济分类预算表", "单位：元"],
        &[
            &["经济分类科目编码", "经济分类科目名称", "人员经费", "公用经费"],
            &["301", "工资福利支出", staff_total, ""],
            &["302", "商品和服务支出", "", "200.00"],
            &["合计", "<", staff_total, "200.00"],
        ],
    );
    vec![functional, economic]
}

#[test]
fn basic_spending_is_staff_plus_office_costs_across_tables() {
    let clean = warnings(&basic_tables("500.00"));
    assert!(clean.is_empty(), "{clean:?}");
    let wrong = warnings(&basic_tables("550.00"));
    assert_eq!(codes(&wrong), vec!["identity_mismatch"], "{wrong:?}");
    assert_eq!((wrong[0].table, wrong[0].row), (Some(1), Some(3)));
    assert_eq!(wrong[0].related[0].table, 0);
}

// ---------------------------------------------------------------------------------------------
// Template sets without a 目录.

const SHANGHAI: [&str; 9] = [
    "2025年部门财务收支预算总表",
    "2025年部门收入预算总表",
    "2025年部门支出预算总表",
    "2025年部门财政拨款收支预算总表",
    "2025年部门一般公共预算支出功能分类预算表",
    "2025年部门政府性基金预算支出功能分类预算表",
    "2025年部门国有资本经营预算支出功能分类预算表",
    "2025年部门一般公共预算基本支出部门预算经济分类预算表",
    "2025年部门“三公”经费和机关运行经费预算表",
];

/// One table per title (with the agency before it, as printed), and the free text of the pages.
fn set_document(titles: &[&str], toc: bool) -> (Vec<Table>, Vec<TextBlock>) {
    let mut text = vec![TextBlock { page: 1, top: 40.0, text: "上海市普陀区某局2025年部门预算".into() }];
    if toc {
        text.push(TextBlock { page: 2, top: 40.0, text: "目 录".into() });
    }
    let tables: Vec<Table> = titles
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let title = format!("上海市普陀区某局{t}");
            text.push(TextBlock { page: 3 + i as u32, top: 40.0, text: title.clone() });
            grid(i, &[title.as_str(), "单位：元"], &[&["项目", "预算数"], &["合计", "1.00"]])
        })
        .collect();
    (tables, text)
}

#[test]
fn a_standard_set_without_a_contents_page_misses_a_table() {
    let (tables, text) = set_document(&SHANGHAI, false);
    assert!(check_template(&tables, &text).is_empty(), "the whole set raised something");
    let eight: Vec<&str> = SHANGHAI.iter().copied().filter(|t| !t.contains("国有资本")).collect();
    let (tables, text) = set_document(&eight, false);
    let found = check_template(&tables, &text);
    assert_eq!(codes(&found), vec!["template_table_missing"], "{found:?}");
    assert!(found[0].message.contains("国有资本经营预算支出功能分类预算表"), "{}", found[0].message);
    // With a 目录 the 目录 check speaks; without free text we cannot know there is none.
    let (tables, text) = set_document(&eight, true);
    assert!(check_template(&tables, &text).is_empty());
    assert!(check_template(&tables, &[]).is_empty());
}

#[test]
fn part_of_a_publication_raises_nothing() {
    // A file holding a third of the set (Jiangsu prints its parts as files of their own).
    let (tables, text) = set_document(&SHANGHAI[..3], false);
    assert!(check_template(&tables, &text).is_empty());
    let (tables, text) = set_document(&[], false);
    assert!(check_template(&tables, &text).is_empty());
}

#[test]
fn jiangsu_numbered_tables_read_as_their_slots() {
    let titles = [
        "公开01表 收支预算总表",
        "公开02表 收入预算总表",
        "公开03表 支出预算总表",
        "公开04表 财政拨款收支预算总表",
        "公开05表 财政拨款支出预算表",
        "公开06表 财政拨款基本支出预算表（经济科目）",
        "公开07表 一般公共预算支出预算表",
        "公开08表 一般公共预算基本支出预算表",
        "公开09表 “三公”经费、会议费、培训费支出预算表",
        "公开10表 财政拨款政府性基金支出预算表",
        "公开11表 一般公共预算机关运行经费支出预算表",
    ];
    let (tables, text) = set_document(&titles, false);
    let found = check_template(&tables, &text);
    assert_eq!(codes(&found), vec!["template_table_missing"], "{found:?}");
    assert!(found[0].message.contains("政府采购"), "{}", found[0].message);
}
