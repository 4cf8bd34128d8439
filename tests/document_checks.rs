//! Document-level review checks (validate::document) on hand-built documents: tables built with
//! the grid helper, free text as the text blocks the PDF layout collects. Each defect has a clean
//! twin that must raise nothing.

mod common;

use common::grid;
use yusuan::model::{Table, TextBlock, Warning};
use yusuan::validate::document::check_document;

fn blocks(page: u32, lines: &[&str]) -> Vec<TextBlock> {
    lines.iter().enumerate().map(|(i, t)| TextBlock { page, top: 50.0 + 20.0 * i as f64, text: t.to_string() }).collect()
}

fn on_page(mut t: Table, page: u32) -> Table {
    t.pages = vec![page];
    for c in &mut t.cells {
        c.page = Some(page);
    }
    t
}

fn codes(ws: &[Warning]) -> Vec<&str> {
    ws.iter().map(|w| w.code.as_str()).collect()
}

const TOC: &[&str] = &[
    "目   录",
    "五、部门预算表 ……………… 8",
    "1. 2025年部门财务收支预算总表 …………… 9",
    "2. 2025年部门收入预算总表 …………… 10",
    "3．2025年部门“三公”经费和机关运行经费预算表 …………… 11",
    "六、其他相关情况说明 ……………… 12",
];

fn money_table(index: usize, title: &str, total: &str) -> Table {
    grid(index, &[title, "单位：万元"], &[&["项目", "预算数"], &["合计", total]])
}

fn three_public_table(index: usize, abroad: &str, cars: &str, reception: &str, running: &str) -> Table {
    let mut t = grid(
        index,
        &["2025年部门“三公”经费和机关运行经费预算表", "单位：万元"],
        &[
            &["合计", "因公出国（境）费", "公务用车购置及运行费", "<", "<", "公务接待费", "机关运行经费"],
            &["^", "^", "小计", "购置费", "运行费", "^", "^"],
            &["867.50", abroad, cars, "0", cars, reception, running],
        ],
    );
    t.header_rows = 2;
    t
}

fn document(listed_tables: &[Table]) -> Vec<TextBlock> {
    let mut text = blocks(2, TOC);
    for t in listed_tables {
        let page = t.pages[0];
        text.extend(blocks(page, &[t.title.as_deref().unwrap()]));
    }
    text
}

#[test]
fn every_listed_table_printed_once_raises_nothing() {
    let tables = vec![
        on_page(money_table(0, "2025年部门财务收支预算总表", "9,101.68"), 9),
        on_page(money_table(1, "2025年部门收入预算总表", "9,101.68"), 10),
        on_page(three_public_table(2, "839", "0", "28.50", "213.28"), 11),
    ];
    let text = document(&tables);
    assert_eq!(codes(&check_document(&tables, &text)), Vec::<&str>::new());
}

#[test]
fn a_listed_table_absent_is_a_finding_naming_it_and_the_contents_page() {
    let tables = vec![
        on_page(money_table(0, "2025年部门财务收支预算总表", "9,101.68"), 9),
        on_page(three_public_table(2, "839", "0", "28.50", "213.28"), 11),
    ];
    let text = document(&tables);
    let found = check_document(&tables, &text);
    assert_eq!(codes(&found), vec!["toc_table_missing"]);
    assert!(found[0].message.contains("部门收入预算总表"), "{}", found[0].message);
    assert_eq!(found[0].text_pages, vec![2]);
}

#[test]
fn a_table_printed_twice_is_a_finding_but_a_continued_table_is_not() {
    let income = on_page(money_table(1, "2025年部门收入预算总表", "9,101.68"), 10);
    let tables = vec![on_page(money_table(0, "2025年部门财务收支预算总表", "9,101.68"), 9), income.clone()];
    // The 收入预算总表 heading again on page 11, with the 财务收支 heading between: printed twice.
    let mut text = document(&tables);
    text.extend(blocks(11, &["2025年部门财务收支预算总表"]));
    text.extend(blocks(12, &["2025年部门收入预算总表"]));
    text.extend(blocks(13, &["2025年部门“三公”经费和机关运行经费预算表"]));
    let found = check_document(&tables, &text);
    assert_eq!(codes(&found), vec!["toc_table_duplicate", "toc_table_duplicate"]);
    assert!(found.iter().any(|w| w.message.contains("部门收入预算总表") && w.text_pages == vec![10, 12]));
    // The heading repeated on the continuation page is one run.
    let mut continued = document(&tables);
    continued.extend(blocks(11, &["2025年部门收入预算总表"]));
    continued.extend(blocks(13, &["2025年部门“三公”经费和机关运行经费预算表"]));
    assert_eq!(codes(&check_document(&tables, &continued)), Vec::<&str>::new());
}

#[test]
fn a_contents_of_prose_published_apart_from_its_tables_raises_nothing() {
    // Jiangsu prints 第二部分 部门预算表 as its own file: none of the listed tables is here.
    let text = blocks(2, TOC);
    assert_eq!(codes(&check_document(&[], &text)), Vec::<&str>::new());
}

fn empty_fund_table(index: usize, page: u32, note: Option<&str>) -> Table {
    let mut rows: Vec<&[&str]> = vec![&["功能科目代码", "功能科目名称", "金额"], &["", "合计", ""]];
    let note_row = note.map(|n| [n, "<", "<"]);
    if let Some(r) = &note_row {
        rows.push(r);
    }
    let mut t = on_page(grid(index, &["政府性基金支出预算表", "单位：万元"], &rows), page);
    t.header_rows = 1;
    t
}

#[test]
fn an_empty_table_without_a_note_is_a_finding_with_a_note_it_is_not() {
    let tables = vec![empty_fund_table(0, 7, None)];
    let found = check_document(&tables, &blocks(7, &["政府性基金支出预算表"]));
    assert_eq!(codes(&found), vec!["empty_table_unexplained"]);
    assert_eq!((found[0].table, found[0].text_pages.clone()), (Some(0), vec![7]));

    let noted = vec![empty_fund_table(0, 7, Some("注：本单位无政府性基金预算拨款收入，也没有使用政府性基金安排的支出，故本表为空。"))];
    assert_eq!(codes(&check_document(&noted, &blocks(7, &["政府性基金支出预算表"]))), Vec::<&str>::new());

    // The note may be in the 情况说明 on another page: a sentence on the subject saying 0 万元.
    let mut text = blocks(7, &["政府性基金支出预算表"]);
    text.extend(blocks(15, &["七、政府性基金支出预算表情况说明", "本部门2017年政府性基金支出预算支出0万元。"]));
    assert_eq!(codes(&check_document(&tables, &text)), Vec::<&str>::new());
}

#[test]
fn a_growth_rate_that_the_two_amounts_do_not_give_is_a_finding() {
    let tables: Vec<Table> = vec![];
    // 865.57 / (1959.99 − 865.57) = 79.09 %.
    let wrong = blocks(22, &["2.住房改革支出（款）提租补贴（项）支出 1959.99 万元，与上年相比增加", "865.57 万元，增长 79.05%。主要原因是调整了住房补贴。"]);
    let found = check_document(&tables, &wrong);
    assert_eq!(codes(&found), vec!["text_growth_mismatch"]);
    assert!(found[0].message.contains("79.09") && found[0].message.contains("79.05"), "{}", found[0].message);
    assert_eq!(found[0].text_pages, vec![22]);

    let right = blocks(22, &["支出 1959.99 万元，与上年相比增加 865.57 万元，增长 79.09%。"]);
    assert_eq!(codes(&check_document(&tables, &right)), Vec::<&str>::new());
    // A decrease: 392.92 / (6049.97 + 392.92) = 6.10 %; one unit of the last digit is tolerated.
    let down = blocks(19, &["支出6049.97万元，与上年相比减少392.92万元，减少6.11%。"]);
    assert_eq!(codes(&check_document(&tables, &down)), Vec::<&str>::new());
    // The direction words disagree.
    let words = blocks(19, &["支出6049.97万元，与上年相比减少392.92万元，增长6.10%。"]);
    assert_eq!(codes(&check_document(&tables, &words)), vec!["text_growth_mismatch"]);
}

#[test]
fn a_page_number_between_two_pages_of_prose_is_not_read_into_a_figure() {
    // "增长" at the foot of page 5, folio "3", "17.31%" at the head of page 6: the rate is 17.31.
    let mut text = blocks(5, &["收入、支出预算总计24458.43万元，与上年相比收、支预算总计各增加3608.98万元，增长"]);
    text.push(TextBlock { page: 5, top: 800.0, text: "- 3 -".into() });
    text.extend(blocks(6, &["17.31%。主要原因是政策性增资。"]));
    assert_eq!(codes(&check_document(&[], &text)), Vec::<&str>::new());
}

#[test]
fn three_public_items_in_the_prose_against_the_table_and_against_their_total() {
    let tables = vec![on_page(three_public_table(0, "839", "0", "28.50", "213.28"), 11)];
    let prose = |abroad: &str, total: &str| {
        let mut t = blocks(11, &["2025年部门“三公”经费和机关运行经费预算表"]);
        let lines = [
            format!("2025年“三公”经费预算数为{total}万元，与2024年预算持平。其中："),
            format!("（一）因公出国（境）费{abroad}万元，与2024年预算持平。"),
            "（二）公务用车购置及运行费0万元。其中：公务用车购置费0万元；公务用车运行费0万元。".to_string(),
            "（三）公务接待费28.50万元，与2024年预算持平。".to_string(),
            "2025年机关运行经费预算为213.28万元。".to_string(),
        ];
        t.extend(blocks(12, &lines.iter().map(String::as_str).collect::<Vec<_>>()));
        t
    };
    assert_eq!(codes(&check_document(&tables, &prose("839", "867.50"))), Vec::<&str>::new());

    // One digit off in the prose: the item disagrees with the table and the total with its items.
    let found = check_document(&tables, &prose("829", "867.50"));
    assert_eq!(codes(&found), vec!["text_sum_mismatch", "text_table_mismatch"]);
    let vs_table = &found[1];
    assert_eq!((vs_table.table, vs_table.row), (Some(0), Some(2)));
    assert!(vs_table.message.contains("829") && vs_table.message.contains("839"), "{}", vs_table.message);
    assert_eq!(vs_table.text_pages, vec![12]);

    // 元 in the table, 万元 in the prose: 8,390,000 元 is 839 万元.
    let mut in_yuan = three_public_table(0, "8,390,000", "0", "285,000", "2,132,800");
    in_yuan.context[1] = "单位：元".into();
    let in_yuan = vec![on_page(in_yuan, 11)];
    assert_eq!(codes(&check_document(&in_yuan, &prose("839", "867.50"))), Vec::<&str>::new());
}

#[test]
fn a_final_accounts_table_printing_budget_and_actual_agrees_with_either() {
    let mut t = grid(
        0,
        &["财政拨款“三公”经费支出决算表", "单位：万元"],
        &[&["公务接待费", "<"], &["预算数", "决算数"], &["2.85", "0.39"]],
    );
    t.header_rows = 2;
    let tables = vec![on_page(t, 20)];
    let ok = blocks(25, &["公务接待费支出决算为0.39万元，完成预算的13.68%。"]);
    assert_eq!(codes(&check_document(&tables, &ok)), Vec::<&str>::new());
    let off = blocks(25, &["公务接待费支出决算为0.93万元，完成预算的13.68%。"]);
    assert_eq!(codes(&check_document(&tables, &off)), vec!["text_table_mismatch"]);
}

#[test]
fn a_blank_three_public_table_whose_figure_the_prose_states_is_a_finding() {
    let mut blank = grid(
        0,
        &["2025年部门“三公”经费和机关运行经费预算表", "单位：万元"],
        &[&["合计", "因公出国（境）费", "公务接待费"], &["", "", ""], &["注：本单位无三公经费，此表为空。", "<", "<"]],
    );
    blank.header_rows = 1;
    let tables = vec![on_page(blank, 11)];
    let stated = blocks(12, &["2025年“三公”经费预算数为0.95万元，其中：公务接待费0.95万元。"]);
    let found = check_document(&tables, &stated);
    assert_eq!(codes(&found), vec!["empty_table_stated_nonzero"]);
    assert_eq!((found[0].table, found[0].text_pages.clone()), (Some(0), vec![12]));
    assert!(found[0].message.contains("0.95"), "{}", found[0].message);
    let zero = blocks(12, &["2025年“三公”经费预算数为0万元，本单位无“三公”经费。"]);
    assert_eq!(codes(&check_document(&tables, &zero)), Vec::<&str>::new());
}

#[test]
fn basic_spending_in_the_prose_against_its_staff_and_office_parts() {
    let text = |office: &str| {
        blocks(
            27,
            &[
                "本部门2018年度一般公共预算财政拨款基本支出预算7877.76 万元，其中：",
                "（一）人员经费 6298.38万元。主要包括：基本工资、津贴补贴。",
                &format!("（二）公用经费{office}万元。主要包括：办公费、水费。"),
            ],
        )
    };
    assert_eq!(codes(&check_document(&[], &text("1579.38"))), Vec::<&str>::new());
    let found = check_document(&[], &text("1597.38"));
    assert_eq!(codes(&found), vec!["text_sum_mismatch"]);
    assert!(found[0].message.contains("7877.76") && found[0].message.contains("7895.76"), "{}", found[0].message);
}
