//! The 情况说明 prose against the tables, figure by figure, and against itself where it compares
//! two figures in words; the document's year and unit name across cover, titles and prose.
//! Codes `text_table_mismatch`, `text_comparison_mismatch`, `year_mismatch`, `agency_mismatch`
//! (schemas/README.md).
//!
//! The bar is zero false findings, so every check is one-sided: a figure is compared only when the
//! prose names it with nothing but filler words between the name and the amount ("基本支出预算数为
//! 7,877.76万元"), only against cells that name the same thing, and a finding is raised only when
//! some table holds the figure and no such cell agrees within the prose's printed rounding. A figure
//! no table holds, a scope the tables do not print (last year's, a 决算 document's 预算数), says
//! nothing.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use regex::Regex;
use rust_decimal::Decimal;

use super::bounded::{chars_at_most, Bounded};
use super::document::{finding, printed, Printed, Prose, NUM};
use crate::interpret::values::{canon, factor_of, find_unit, parse_number, squash};
use crate::interpret::lines::split_agency_title;
use crate::interpret::{BudgetLine, Record};
use crate::model::{Cell, CellRef, Table, TextBlock, Warning};

pub fn check_prose(tables: &[Table], records: &[Record], text: &[TextBlock]) -> Vec<Warning> {
    if text.is_empty() {
        return Vec::new();
    }
    let prose = Prose::of(text);
    let final_accounts = tables.iter().any(|t| t.title.as_deref().is_some_and(|x| x.contains("决算")));
    let mut out = Vec::new();
    out.extend(check_totals(&prose, tables, final_accounts));
    out.extend(check_subjects(&prose, tables, records, final_accounts, document_year(tables, text)));
    out.extend(check_comparisons(&prose));
    out.extend(check_years(tables, text));
    out.extend(check_agency(tables, records, text));
    out
}

/// A prose figure that no cell agrees with: the finding, in the form a reviewer reads
/// ("prose says … (page p) — table T row R prints …"), pointing at the sentence and the cell.
pub(crate) fn table_mismatch(
    prose: &Prose,
    (start, end): (usize, usize),
    what: &str,
    stated: &str,
    table: &Table,
    cell: &Cell,
    meaning: &str,
) -> Warning {
    let pages = prose.pages(start, end);
    let page_list = pages.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ");
    let sentence = prose.sentence(start, end).to_string();
    let title = table.title.as_deref().map(squash).unwrap_or_else(|| format!("table {}", table.index));
    let mut w = finding(
        "text_table_mismatch",
        format!(
            "prose says {what} {stated} (page {page_list}: \"{sentence}\") — table \"{title}\" row {} prints {}{meaning}",
            cell.row,
            squash(&cell.text)
        ),
        pages,
    )
    .at(table.index, Some(cell.row));
    w.quote = Some(sentence);
    w.cell = Some(CellRef { table: table.index, row: cell.row, col: cell.col, page: cell.page, text: cell.text.clone() });
    w
}

/// The amount unit a table prints ("单位：元", a header "（万元）"), as a factor to 元.
pub(crate) fn table_factor(table: &Table) -> Option<Decimal> {
    table
        .context
        .iter()
        .find_map(|c| find_unit(c))
        .or_else(|| table.title.as_deref().and_then(find_unit))
        .or_else(|| table.cells.iter().find_map(|c| find_unit(&c.text)))
        .map(|u| factor_of(Some(&u)))
}

fn unit_factor(unit: &str) -> Decimal {
    if unit == "万元" {
        Decimal::from(10_000)
    } else {
        Decimal::ONE
    }
}

/// A cell's label in comparable form: whitespace, numbering ("一、", "1.", "（一）") and quotes
/// removed, full-width folded.
fn label_key(text: &str) -> String {
    static NUMBERING: OnceLock<Regex> = OnceLock::new();
    let re = NUMBERING.get_or_init(|| Regex::new(r"^(?:\(?[0-9一二三四五六七八九十]+[.、)]|\([一二三四五六七八九十]+\))").unwrap());
    let t = canon(text).replace('"', "");
    re.replace(&t, "").to_string()
}

/// What the prose states next to a label: "为", "是", "预算数为", "总计", a colon. Nothing that
/// could make it another figure (上年, 增加, a year).
const FILLER: &str = r"(?:预算总计|决算总计|预算总额|决算总额|预算数|决算数|总计|合计|总额|预算|决算|支出|收入)*(?:为|是|共计|共)?[:：]?";

// ---------------------------------------------------------------------------------------------
// 1. Named totals: 收入/支出总计, 财政拨款, 一般公共预算, 基本/项目支出, 人员/公用经费, 政府采购.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Topic {
    IncomeTotal,
    SpendingTotal,
    FiscalIncome,
    FiscalSpending,
    GeneralIncome,
    GeneralSpending,
    Basic,
    Project,
    Staff,
    Office,
    Procurement,
}

impl Topic {
    fn of_label(label: &str) -> Topic {
        let l = label;
        if l.starts_with("政府采购") {
            Topic::Procurement
        } else if l.starts_with("一般公共预算") {
            if l.contains("支出") {
                Topic::GeneralSpending
            } else {
                Topic::GeneralIncome
            }
        } else if l.starts_with("财政拨款") {
            if l.contains("支出") {
                Topic::FiscalSpending
            } else {
                Topic::FiscalIncome
            }
        } else if l.starts_with("基本支出") {
            Topic::Basic
        } else if l.starts_with("项目支出") {
            Topic::Project
        } else if l.starts_with("人员经费") {
            Topic::Staff
        } else if l.starts_with("公用经费") {
            Topic::Office
        } else if l.contains("收入") {
            Topic::IncomeTotal
        } else {
            Topic::SpendingTotal
        }
    }

    /// Does a cell label (label_key form) name this figure in a table titled `title`?
    fn names(self, label: &str, title: &str) -> bool {
        let any = |xs: &[&str]| xs.contains(&label);
        match self {
            // A 收支总表 prints one 总计 under each side.
            Topic::IncomeTotal => {
                any(&["收入总计", "收入合计", "本年收入合计", "本年收入", "收入预算合计", "收入决算合计"])
                    || ((title.contains("收支") || title.contains("收入支出")) && label == "总计")
            }
            Topic::SpendingTotal => {
                any(&["支出总计", "支出合计", "本年支出合计", "本年支出", "支出预算合计", "支出决算合计"])
                    || ((title.contains("收支") || title.contains("收入支出")) && label == "总计")
            }
            Topic::FiscalIncome => {
                any(&["财政拨款收入", "财政拨款", "财政拨款收入合计"])
                    || (title.contains("财政拨款") && any(&["收入总计", "本年收入合计", "本年收入", "收入合计"]))
            }
            Topic::FiscalSpending => {
                any(&["财政拨款支出", "财政拨款支出合计"])
                    || (title.contains("财政拨款") && any(&["支出总计", "本年支出合计", "本年支出", "支出合计"]))
            }
            Topic::GeneralIncome | Topic::GeneralSpending => {
                any(&["一般公共预算财政拨款", "一般公共预算拨款", "一般公共预算资金", "一般公共预算", "一般公共预算拨款收入", "一般公共预算财政拨款收入"])
                    || (self == Topic::GeneralSpending
                        && title.contains("一般公共预算")
                        && !title.contains("基本支出")
                        && any(&["合计", "总计"]))
            }
            Topic::Basic => label == "基本支出" || (title.contains("基本支出") && any(&["合计", "总计"])),
            Topic::Project => label == "项目支出" || (title.contains("项目支出") && any(&["合计", "总计"])),
            Topic::Staff => label == "人员经费",
            Topic::Office => label == "公用经费",
            Topic::Procurement => title.contains("政府采购") && any(&["合计", "总计"]),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Topic::IncomeTotal => "收入总计",
            Topic::SpendingTotal => "支出总计",
            Topic::FiscalIncome => "财政拨款收入",
            Topic::FiscalSpending => "财政拨款支出",
            Topic::GeneralIncome => "一般公共预算财政拨款收入",
            Topic::GeneralSpending => "一般公共预算财政拨款支出",
            Topic::Basic => "基本支出",
            Topic::Project => "项目支出",
            Topic::Staff => "人员经费",
            Topic::Office => "公用经费",
            Topic::Procurement => "政府采购",
        }
    }
}

/// One figure the prose states: the amount, its unit's factor to 元, the words between the label
/// and the amount, where.
struct Statement {
    label: String,
    filler: String,
    amount: Printed,
    factor: Decimal,
    start: usize,
    end: usize,
}

impl Statement {
    /// The amount in 元 and how far a table figure may be from it and still be the same: one step
    /// of the prose's last printed digit, since publishers round or truncate (87.708 万元 printed
    /// 87.70).
    fn in_yuan(&self) -> (Decimal, Decimal) {
        (self.amount.value * self.factor, self.amount.half_step * Decimal::TWO * self.factor)
    }

    fn stated(&self, unit: &str) -> String {
        format!("{} {unit}", self.amount.value)
    }
}

/// Words before a label that give it another scope: "事业收入", "上年基本支出", "日常公用经费".
fn scoped_away(before: &str) -> bool {
    const QUALIFIERS: &[&str] = &[
        "事业", "经营", "其他", "拨款", "财政", "基金", "专户", "资本", "预算", "资金", "结转", "上年", "去年", "上一年",
        "上年度", "转移", "附属", "上级", "下级", "日常", "明细", "当年", "年初", "调整", "增加", "减少", "增长", "下降",
        "新增", "比", "较",
    ];
    QUALIFIERS.iter().any(|q| before.ends_with(q))
}

/// "收入预算", "支出总计": the document's totals only where nothing before them narrows them.
fn is_generic(label: &str) -> bool {
    label.starts_with("收入") || label.starts_with("支出")
}

/// What may stand right before a generic total: the start of a clause, a year ("2025年收入预算"),
/// the end of the unit's name ("…办公室收入预算", "学校…"), "收入" ("收入支出总计"). Not the end of a
/// 科目 name: "一般公共服务支出预算 1866.11" is one 类's figure, not the total.
fn opens_total(before: &str) -> bool {
    match before.chars().next_back() {
        None => true,
        Some(c) => !c.is_alphabetic() || "年度室局委会院处所厅办心部校馆站队司署府中入".contains(c),
    }
}

fn statements(prose: &Prose) -> Vec<Statement> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        let labels = [
            "一般公共预算财政拨款收入",
            "一般公共预算财政拨款支出",
            "一般公共预算拨款收入",
            "一般公共预算拨款支出",
            "一般公共预算收入",
            "一般公共预算支出",
            "财政拨款收入",
            "财政拨款支出",
            "政府采购预算总额",
            "政府采购支出总额",
            "政府采购合同金额",
            "政府采购",
            "本年收入合计",
            "本年支出合计",
            "收入总计",
            "支出总计",
            "收入预算",
            "支出预算",
            "基本支出",
            "项目支出",
            "人员经费",
            "公用经费",
        ];
        Regex::new(&format!(r"(?P<label>{})(?P<filler>{FILLER})(?P<n>{NUM})(?P<unit>万元|元)", labels.join("|"))).unwrap()
    });
    re.captures_iter(&prose.text)
        .filter_map(|c| {
            let whole = c.get(0).unwrap();
            let before = &prose.text[..whole.start()];
            if scoped_away(before) || (is_generic(&c["label"]) && !opens_total(before) && !prose.opens_paragraph(whole.start())) {
                return None;
            }
            Some(Statement {
                label: c["label"].to_string(),
                filler: c["filler"].to_string(),
                amount: printed(&c["n"])?,
                factor: unit_factor(&c["unit"]),
                start: whole.start(),
                end: whole.end(),
            })
        })
        .collect()
}

/// The figures a table prints for a label cell: under it (a column header; the first row below
/// printing a number within its columns) and right of it (a row label; the numbers of its row).
fn figures_of<'t>(table: &'t Table, label: &Cell) -> Vec<&'t Cell> {
    // Under a column header: the 合计 / 总计 row when the table prints one (it may be the last
    // row), else the first row with a number.
    let total_row = |r: usize| {
        table.cells.iter().any(|c| c.row == r && matches!(label_key(&c.text).as_str(), "合计" | "总计" | "本年支出合计" | "本年收入合计" | "收入总计" | "支出总计"))
    };
    let rows: Vec<usize> = (label.row + label.row_span..table.n_rows).collect();
    let ordered = rows.iter().copied().filter(|&r| total_row(r)).chain(rows.iter().copied());
    let below: Vec<&Cell> = ordered
        .map(|r| {
            table
                .cells
                .iter()
                .filter(|c| c.row == r && c.col >= label.col && c.col < label.col + label.col_span)
                .filter(|c| parse_number(&c.text).is_some())
                .collect::<Vec<_>>()
        })
        .find(|found| !found.is_empty())
        .unwrap_or_default();
    let mut right: Vec<&Cell> =
        table.cells.iter().filter(|c| c.row == label.row && c.col > label.col && parse_number(&c.text).is_some()).collect();
    right.sort_by_key(|c| c.col);
    // In a row, the numbers up to the next label (a 收支总表 prints 收入 | 数 | 支出 | 数 side by side).
    let next_label = table
        .cells
        .iter()
        .filter(|c| c.row == label.row && c.col > label.col && parse_number(&c.text).is_none() && !c.text.trim().is_empty())
        .map(|c| c.col)
        .min();
    right.retain(|c| next_label.is_none_or(|l| c.col < l));
    below.into_iter().chain(right).collect()
}

/// Does a table figure (in the table's unit) agree with a prose amount (in 元, with its half step)?
fn agrees(cell: &Cell, factor: Decimal, (value, half_step): (Decimal, Decimal)) -> bool {
    let Some(p) = printed(&cell.text) else { return false };
    (p.value * factor - value).abs() <= half_step + p.half_step * factor
}

fn check_totals(prose: &Prose, tables: &[Table], final_accounts: bool) -> Vec<Warning> {
    let mut out = Vec::new();
    let mut seen: Vec<(Topic, Decimal)> = Vec::new();
    for s in statements(prose) {
        // A 决算 document's 预算数 is in its tables only where a column says so: not compared.
        if final_accounts && s.filler.contains("预算") {
            continue;
        }
        // "收入预算" in a 决算 document, "支出预算" naming a part ("支出预算中，…") are not totals.
        let topic = Topic::of_label(&s.label);
        if seen.contains(&(topic, s.amount.value)) {
            continue;
        }
        seen.push((topic, s.amount.value));
        let amount = s.in_yuan();
        // (how plainly the label names a total: 总计 first, then 合计, then others; table; cell)
        let mut candidates: Vec<(u8, &Table, &Cell)> = Vec::new();
        let mut agreed = false;
        for table in tables {
            let Some(factor) = table_factor(table) else { continue };
            let title = canon(table.title.as_deref().unwrap_or(""));
            for label in table.cells.iter().filter(|c| topic.names(&label_key(&c.text), &title)) {
                let key = label_key(&label.text);
                let plain = if key.ends_with("总计") { 0 } else if key.ends_with("合计") { 1 } else { 2 };
                for cell in figures_of(table, label) {
                    if agrees(cell, factor, amount) {
                        agreed = true;
                    }
                    candidates.push((plain, table, cell));
                }
            }
        }
        if agreed {
            continue;
        }
        // The figure shown: the one nearest the prose's (the slip a reviewer looks for), then the
        // plainest total.
        let distance = |cell: &Cell, table: &Table| {
            let factor = table_factor(table).unwrap_or(Decimal::ONE);
            parse_number(&cell.text).map(|v| (v * factor - amount.0).abs()).unwrap_or(Decimal::MAX)
        };
        let Some(&(_, table, cell)) = candidates.iter().min_by_key(|c| (distance(c.2, c.1), c.0)) else { continue };
        let factor = table_factor(table).unwrap_or(Decimal::ONE);
        let meaning = in_units(cell, factor, s.factor);
        let unit = if s.factor == Decimal::ONE { "元" } else { "万元" };
        out.push(table_mismatch(prose, (s.start, s.end), topic.name(), &s.stated(unit), table, cell, &meaning));
    }
    out
}

/// " (= X 万元)" when the table prints another unit than the prose.
fn in_units(cell: &Cell, table_factor: Decimal, prose_factor: Decimal) -> String {
    if table_factor == prose_factor {
        return String::new();
    }
    let Some(v) = parse_number(&cell.text) else { return String::new() };
    let unit = if prose_factor == Decimal::ONE { "元" } else { "万元" };
    format!(" (= {} {unit})", (v * table_factor / prose_factor).round_dp(4).normalize())
}

// ---------------------------------------------------------------------------------------------
// 2. A 科目's figure: "2080505 机关事业单位基本养老保险缴费支出预算数为 X 万元", "“一般公共服务支出-
//    政府办公厅（室）及相关机构事务-行政运行”科目1,202.95万元", "人大事务（款）行政运行（项）支出
//    6372.32万元" against the budget lines of that 科目.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Budget,
    Actual,
    Plain,
}

struct SubjectStatement {
    /// A printed code, or the names from 类 down, each with its level (3, 5, 7 digits) if known.
    code: Option<String>,
    path: Vec<(String, Option<usize>)>,
    kind: Kind,
    statement: Statement,
}

fn subject_statements(prose: &Prose, doc_year: Option<u32>) -> Vec<SubjectStatement> {
    static CODE: OnceLock<Bounded> = OnceLock::new();
    static CODE_AFTER: OnceLock<Bounded> = OnceLock::new();
    static QUOTED: OnceLock<Bounded> = OnceLock::new();
    static LEVELS: OnceLock<Bounded> = OnceLock::new();
    static LEVEL: OnceLock<Bounded> = OnceLock::new();
    let tail = format!(r"[”\x22]?(?:科目)?(?:支出)?(?P<kind>预算数|决算数|预算|决算)?(?:为|是)?[:：]?(?P<n>{NUM})(?P<unit>万元|元)");
    let code = CODE.get_or_init(|| {
        Bounded::new(
            format!(r"(?:^|[^0-9.,])(?P<code>2[0-9]{{2}}(?:[0-9]{{2}}){{0,2}})[“”\x22]?(?P<name>\p{{Han}}[\p{{Han}}（）()、]{{1,30}}?)[“”\x22]?{tail}"),
            &[("{1,30}?", "+?")],
            |c| chars_at_most(c, "name", 31),
        )
    });
    let kind_of = |k: Option<&str>| match k {
        Some(k) if k.starts_with("预算") => Kind::Budget,
        Some(k) if k.starts_with("决算") => Kind::Actual,
        _ => Kind::Plain,
    };
    let statement = |c: &regex::Captures, start: usize| -> Option<Statement> {
        let whole = c.get(0).unwrap();
        Some(Statement {
            label: String::new(),
            filler: c.name("kind").map(|k| k.as_str().to_string()).unwrap_or_default(),
            amount: printed(&c["n"])?,
            factor: unit_factor(&c["unit"]),
            start,
            end: whole.end(),
        })
    };
    let mut out = Vec::new();
    for c in code.captures_all(&prose.text) {
        let at = c.name("code").unwrap().start();
        let Some(s) = statement(&c, at) else { continue };
        let name = c["name"].to_string();
        out.push(SubjectStatement { code: Some(c["code"].to_string()), path: vec![(name, None)], kind: kind_of(c.name("kind").map(|k| k.as_str())), statement: s });
    }
    // The other forms are searched only in prose holding the words each of their matches needs (a
    // code in brackets, 科目 after a quote, "类）"): most documents have none of them, and compiling
    // a pattern costs more than the search.
    let text = prose.text.as_str();
    // "机关事业单位基本养老保险缴费支出（2080505），2023年度决算数为8,897.19万元".
    if text.contains("（2") || text.contains("(2") {
        let code_after = CODE_AFTER.get_or_init(|| {
            Bounded::new(
                format!(
                    r"(?P<name>\p{{Han}}[\p{{Han}}、]{{1,30}}?)[（(](?P<code>2[0-9]{{2}}(?:[0-9]{{2}}){{0,2}})[)）][，,]?(?:(?P<year>[0-9]{{4}})年度?)?{tail}"
                ),
                &[("{1,30}?", "+?")],
                |c| chars_at_most(c, "name", 31),
            )
        });
        for c in code_after.captures_all(text) {
            // A year before the figure: the document's own, or it is another year's figure.
            if c.name("year").is_some_and(|y| doc_year != y.as_str().parse().ok()) {
                continue;
            }
            let Some(s) = statement(&c, c.get(0).unwrap().start()) else { continue };
            let name = c["name"].to_string();
            out.push(SubjectStatement { code: Some(c["code"].to_string()), path: vec![(name, None)], kind: kind_of(c.name("kind").map(|k| k.as_str())), statement: s });
        }
    }
    if text.contains("科目") {
        let quoted = QUOTED.get_or_init(|| {
            Bounded::new(format!(r"[“\x22](?P<path>[^“”\x22。；]{{2,80}})[”\x22]科目{tail}"), &[("{2,80}", "{2,}")], |c| chars_at_most(c, "path", 80))
        });
        for c in quoted.captures_all(text) {
            let Some(s) = statement(&c, c.get(0).unwrap().start()) else { continue };
            let parts: Vec<&str> = c["path"].split(['-', '－', '—', '–']).filter(|p| !p.is_empty()).collect();
            if parts.is_empty() || parts.len() > 3 {
                continue;
            }
            let path = parts.iter().enumerate().map(|(i, p)| (p.to_string(), Some(3 + 2 * i))).collect();
            out.push(SubjectStatement { code: None, path, kind: kind_of(c.name("kind").map(|k| k.as_str())), statement: s });
        }
    }
    if ["类)", "类）", "款)", "款）", "项)", "项）"].iter().any(|end| text.contains(end)) {
        let levels = LEVELS.get_or_init(|| {
            Bounded::new(
                format!(r"(?P<path>(?:\p{{Han}}[\p{{Han}}、]{{1,24}}[（(][0-9]{{0,3}}(?:类|款|项)[)）]){{1,3}}){tail}"),
                &[("{1,24}", "+")],
                // Each level's name is what stands before its bracket.
                |c| c["path"].split(['）', ')']).all(|level| level.split(['（', '(']).next().is_none_or(|name| name.chars().count() <= 25)),
            )
        });
        let level = LEVEL.get_or_init(|| {
            Bounded::new(
                r"(?P<name>\p{Han}[\p{Han}、]{1,24})[（(][0-9]{0,3}(?P<l>类|款|项)[)）]".to_string(),
                &[("{1,24}", "+")],
                |c| chars_at_most(c, "name", 25),
            )
        });
        for c in levels.captures_all(text) {
            let Some(s) = statement(&c, c.name("path").unwrap().start()) else { continue };
            let path = level
                .captures_all(&c["path"])
                .iter()
                .map(|l| {
                    let digits = match &l["l"] {
                        "类" => 3,
                        "款" => 5,
                        _ => 7,
                    };
                    (l["name"].to_string(), Some(digits))
                })
                .collect();
            out.push(SubjectStatement { code: None, path, kind: kind_of(c.name("kind").map(|k| k.as_str())), statement: s });
        }
    }
    out
}

/// A 科目 name in prose and in a table read as the same: equal, or one with "支出" added
/// ("一般公共服务（类）" for "一般公共服务支出").
fn same_subject(prose_name: &str, table_name: &str) -> bool {
    let p = canon(prose_name).replace('"', "");
    let t = canon(table_name).replace('"', "");
    p == t || format!("{p}支出") == t || p == format!("{t}支出")
}

fn check_subjects(prose: &Prose, tables: &[Table], records: &[Record], final_accounts: bool, doc_year: Option<u32>) -> Vec<Warning> {
    let lines: Vec<&BudgetLine> = records
        .iter()
        .filter_map(|r| if let Record::BudgetLine(b) = r { Some(b) } else { None })
        .filter(|b| b.subject_code.is_some())
        .collect();
    let mut out = Vec::new();
    let mut seen: Vec<(String, Decimal)> = Vec::new();
    for st in subject_statements(prose, doc_year) {
        // Which 科目: the printed code (its name must agree), else the path resolved top-down.
        let code = match &st.code {
            Some(code) => {
                // The prose name may carry words before it ("其中机关事业单位…"): it ends with the 科目's.
                let named = lines.iter().any(|b| {
                    b.subject_code.as_deref() == Some(code.as_str())
                        && b.subject_name.as_deref().is_some_and(|n| {
                            let (p, t) = (canon(&st.path[0].0), canon(n));
                            same_subject(&p, &t) || p.ends_with(&t) || (t.ends_with("支出") && p.ends_with(t.trim_end_matches("支出")))
                        })
                });
                if !named {
                    continue;
                }
                code.clone()
            }
            None => {
                let mut prefix = String::new();
                let mut resolved = None;
                for (name, digits) in &st.path {
                    let codes: std::collections::BTreeSet<&str> = lines
                        .iter()
                        .filter(|b| b.subject_name.as_deref().is_some_and(|n| same_subject(name, n)))
                        .filter_map(|b| b.subject_code.as_deref())
                        .filter(|c| c.starts_with(&prefix) && digits.is_none_or(|d| c.len() == d))
                        .collect();
                    if codes.len() != 1 {
                        resolved = None;
                        break;
                    }
                    prefix = codes.into_iter().next().unwrap().to_string();
                    resolved = Some(prefix.clone());
                }
                let Some(code) = resolved else { continue };
                code
            }
        };
        if seen.contains(&(code.clone(), st.statement.amount.value)) {
            continue;
        }
        seen.push((code.clone(), st.statement.amount.value));
        // Which amounts: a 预算数 against the columns that say 预算 (in a 决算 document only those),
        // a 决算数 against the others.
        let fits = |key: &str| match st.kind {
            Kind::Budget if final_accounts => key.contains("预算"),
            Kind::Actual => !key.contains("预算") || key.contains("决算"),
            _ => !final_accounts || !key.contains("预算"),
        };
        let mine: Vec<&&BudgetLine> = lines.iter().filter(|b| b.subject_code.as_deref() == Some(code.as_str())).collect();
        let amounts: Vec<(&&BudgetLine, &String, Decimal)> = mine
            .iter()
            .flat_map(|b| b.amounts.iter().filter(|(k, _)| fits(k)).filter_map(move |(k, v)| v.map(|v| (*b, k, v))))
            .collect();
        let (value, half_step) = st.statement.in_yuan();
        // Records hold 元 to the cent; the table may have printed fewer decimals than the prose.
        let cent = Decimal::new(1, 2);
        if amounts.is_empty() || amounts.iter().any(|(b, _, v)| (*v - value).abs() <= half_step + printed_half_step(b, tables) + cent) {
            continue;
        }
        // A table that prints the 科目 by name only (a 收支总表's "四、公共安全支出" row, all funds)
        // may hold the figure the prose states.
        let name = &st.path.last().map(|p| p.0.clone()).unwrap_or_default();
        let by_name = tables.iter().any(|t| {
            let Some(factor) = table_factor(t) else { return false };
            t.cells
                .iter()
                .filter(|c| same_subject(name, &label_key(&c.text)))
                .any(|label| figures_of(t, label).iter().any(|c| agrees(c, factor, (value, half_step))))
        });
        if by_name {
            continue;
        }
        let (line, _, in_yuan) = amounts[0];
        let (Some(&table_index), Some(row)) = (line.source_tables.first(), line.row) else { continue };
        let Some(table) = tables.iter().find(|t| t.index == table_index) else { continue };
        // The cell: the one of the line's row that prints the amount compared (not its code).
        let factor = table_factor(table).unwrap_or(Decimal::ONE);
        let mut cells: Vec<&Cell> = table
            .cells
            .iter()
            .filter(|c| c.row == row && parse_number(&c.text).is_some_and(|v| (v * factor - in_yuan).abs() < Decimal::ONE))
            .collect();
        cells.sort_by_key(|c| c.col);
        let Some(cell) = cells.first() else { continue };
        let unit = if st.statement.factor == Decimal::ONE { "元" } else { "万元" };
        let name = line.subject_name.clone().unwrap_or_default();
        let what = format!("科目 {code} {name}{}", match st.kind {
            Kind::Budget => " 预算数",
            Kind::Actual => " 决算数",
            Kind::Plain => "",
        });
        let meaning = in_units(cell, factor, st.statement.factor);
        out.push(table_mismatch(prose, (st.statement.start, st.statement.end), &what, &st.statement.stated(unit), table, cell, &meaning));
    }
    out
}

/// Half the printed step of the table a line comes from, in 元 (a 万元 table with 2 decimals:
/// 50 元), so a prose figure rounded the same way as the table agrees with it.
fn printed_half_step(line: &BudgetLine, tables: &[Table]) -> Decimal {
    let factor = line
        .source_tables
        .first()
        .and_then(|&i| tables.iter().find(|t| t.index == i))
        .and_then(table_factor)
        .unwrap_or(Decimal::ONE);
    Decimal::new(5, 3) * factor
}

// ---------------------------------------------------------------------------------------------
// 3. Comparison words against the two figures they compare.

fn check_comparisons(prose: &Prose) -> Vec<Warning> {
    static PAIR: OnceLock<Regex> = OnceLock::new();
    static WORD: OnceLock<Regex> = OnceLock::new();
    static RATE: OnceLock<Regex> = OnceLock::new();
    static VERSUS: OnceLock<Regex> = OnceLock::new();
    let pair = || PAIR.get_or_init(|| {
        Regex::new(&format!(
            r"(?:年初|全年|调整)?预算(?:数)?为(?P<b>{NUM})万元[，,]?(?:支出)?决算(?:数)?为(?P<a>{NUM})万元"
        ))
        .unwrap()
    });
    let word = || WORD.get_or_init(|| {
        Regex::new(r"决算数?(?:与(?:年初|全年|调整)?预算数?)?(?P<w>大于|小于|等于|同|持平|基本持平)(?:(?:年初|全年|调整)?预算数?)?").unwrap()
    });
    let rate = || RATE.get_or_init(|| Regex::new(&format!(r"^[，,。]?完成(?:年初|全年|调整)?预算(?:数)?的(?P<z>{NUM})[%％]")).unwrap());
    let versus = || VERSUS.get_or_init(|| {
        Regex::new(&format!(
            r"(?P<x>{NUM})万元[，,]?(?:比|较)(?:上年|去年|上年度|[0-9]{{4}}年度?)(?:预算数?|决算数?)?的?(?P<y>{NUM})万元[，,]?(?P<dir>增加|减少|增长|下降|持平)(?:(?P<z>{NUM})万元)?"
        ))
        .unwrap()
    });
    // The same comparison with last year's figure stated first: "X 万元，上年预算为 Y 万元，与上年相比
    // 持平 / 增加 D 万元". A change in % ("增长 5%") is not a change in 万元: only "D 万元" is read as D.
    static STATED: OnceLock<Regex> = OnceLock::new();
    let stated = || STATED.get_or_init(|| {
        Regex::new(&format!(
            r"(?P<x>{NUM})万元[，,](?:上年|去年|上年度)(?:预算|决算)?数?为(?P<y>{NUM})万元[，,](?:与上年(?:度)?(?:相比)?|比上年|较上年)(?P<dir>增加|减少|增长|下降|持平)(?:(?P<z>{NUM})万元)?"
        ))
        .unwrap()
    });
    static EXECUTED: OnceLock<Regex> = OnceLock::new();
    let executed = || EXECUTED.get_or_init(|| {
        Regex::new(&format!(
            r"执行数为(?P<y>{NUM})万元[，,](?:[0-9]{{4}}年)?预算安排(?P<x>{NUM})万元[，,](?:比|较)(?:[0-9]{{4}}年)?(?:当年)?预算执行数(?P<dir>增加|减少|增长|下降|持平)(?:(?P<z>{NUM})[%％])?"
        ))
        .unwrap()
    });
    let mut out = Vec::new();
    // "2023年当年预算执行数为60.13万元，2024年预算安排25.77万元，比2023年预算执行数减少57.14%".
    for c in needing(&["执行数为"], executed, &prose.text) {
        let (Some(y), Some(x)) = (printed(&c["y"]), printed(&c["x"])) else { continue };
        let whole = c.get(0).unwrap();
        let said = stated_direction(&c["dir"]);
        let rate = c.name("z").and_then(|z| printed(z.as_str()));
        let actual = sign(x.value - y.value);
        // "减少 0%" / "增加 0.00%" says nothing about a direction.
        let said = if rate.is_some_and(|z| z.value.is_zero()) { 0 } else { said };
        let mut wrong = said != actual;
        let mut expected_rate = None;
        if let Some(z) = rate {
            let change = ((x.value - y.value).abs(), x.half_step + y.half_step);
            if let Some(expected) = rate_off(change, (y.value, y.half_step), z) {
                wrong = true;
                expected_rate = Some(expected);
            }
        }
        if wrong {
            let rate_note = expected_rate.map(|r| format!(", {r}%")).unwrap_or_default();
            out.push(comparison(
                prose,
                whole.start(),
                whole.end(),
                format!(
                    "the prose says {} but {} 万元 against last year's executed {} 万元 is a change of {} 万元{rate_note}",
                    &c[0],
                    x.value,
                    y.value,
                    x.value - y.value
                ),
            ));
        }
    }
    let pairs = needing(&["决算"], pair, &prose.text);
    for (i, c) in pairs.iter().enumerate() {
        let (Some(b), Some(a)) = (printed(&c["b"]), printed(&c["a"])) else { continue };
        let whole = c.get(0).unwrap();
        // Two figures printed different are different: 2.22 against 2.23 is 小于.
        let actual_sign = sign(a.value - b.value);
        // The words about this pair: up to the next pair or 200 bytes, within the paragraph's sentences.
        let limit = pairs.get(i + 1).map(|n| n.get(0).unwrap().start()).unwrap_or(prose.text.len()).min(whole.end() + 240);
        let limit = (limit..=prose.text.len()).find(|&j| prose.text.is_char_boundary(j)).unwrap_or(prose.text.len());
        let after = &prose.text[whole.end()..limit];
        if let Some(r) = rate().captures(after) {
            if let Some(z) = printed(&r["z"]) {
                if let Some(expected) = rate_off((a.value, a.half_step), (b.value, b.half_step), z) {
                    let end = whole.end() + r.get(0).unwrap().end();
                    out.push(comparison(
                        prose,
                        whole.start(),
                        end,
                        format!("决算 {} 万元 against 预算 {} 万元 is {expected}% of the budget, not {}%", a.value, b.value, z.value),
                    ));
                }
            }
        }
        if let Some(w) = word().captures(after) {
            let said = match &w["w"] {
                "大于" => 1,
                "小于" => -1,
                _ => 0,
            };
            if said != actual_sign {
                let end = whole.end() + w.get(0).unwrap().end();
                out.push(comparison(
                    prose,
                    whole.start(),
                    end,
                    format!("the prose says 决算数{}预算数 but 决算 {} 万元 against 预算 {} 万元", &w["w"], a.value, b.value),
                ));
            }
        }
    }
    for c in needing(&["比", "较"], versus, &prose.text).into_iter().chain(needing(&["上年", "去年"], stated, &prose.text)) {
        let (Some(x), Some(y)) = (printed(&c["x"]), printed(&c["y"])) else { continue };
        let whole = c.get(0).unwrap();
        let slack = x.half_step + y.half_step;
        let sign = sign(x.value - y.value);
        let said = stated_direction(&c["dir"]);
        let change = c.name("z").and_then(|z| printed(z.as_str()));
        // "增加 0 万元" says nothing about a direction.
        let said = if change.is_some_and(|z| z.value.is_zero()) { 0 } else { said };
        let wrong_word = said != sign && !(said != 0 && change.is_none() && sign == 0);
        let wrong_change = change.is_some_and(|z| ((x.value - y.value).abs() - z.value).abs() > slack + z.half_step);
        if wrong_word || wrong_change {
            out.push(comparison(
                prose,
                whole.start(),
                whole.end(),
                format!(
                    "the prose says {} against {} 万元 → {} 万元, a change of {} 万元",
                    &c[0],
                    y.value,
                    x.value,
                    x.value - y.value
                ),
            ));
        }
    }
    out
}

/// Every match of the pattern `re` gives, in prose holding one of the words each of its matches
/// needs; in prose holding none, no match, and the pattern is not compiled: compiling costs more
/// than searching, and a budget's prose, say, states no 决算 against 预算 and no 执行数.
fn needing<'t>(words: &[&str], re: impl FnOnce() -> &'static Regex, text: &'t str) -> Vec<regex::Captures<'t>> {
    if words.iter().any(|w| text.contains(w)) {
        re().captures_iter(text).collect()
    } else {
        Vec::new()
    }
}

/// A printed rate Z% of part / whole, each (value, half its printed step): None when Z is within
/// what the printed figures allow plus one unit of Z's last digit (publishers round the rate from
/// unrounded amounts, or truncate it), else the rate the figures give. No whole, no rate.
fn rate_off(part: (Decimal, Decimal), whole: (Decimal, Decimal), z: Printed) -> Option<Decimal> {
    if whole.0.is_zero() {
        return None;
    }
    let hundred = Decimal::ONE_HUNDRED;
    let low = (part.0 - part.1).max(Decimal::ZERO) / (whole.0 + whole.1) * hundred;
    let high = if whole.0 > whole.1 { (part.0 + part.1) / (whole.0 - whole.1) * hundred } else { Decimal::MAX };
    let slack = z.half_step * Decimal::from(3);
    (z.value + slack < low || z.value - slack > high).then(|| (part.0 / whole.0 * hundred).round_dp(2))
}

/// The direction a change word states: 增加 / 增长 up, 减少 / 下降 down, 持平 none.
fn stated_direction(word: &str) -> i32 {
    match word {
        "增加" | "增长" => 1,
        "减少" | "下降" => -1,
        _ => 0,
    }
}

fn sign(d: Decimal) -> i32 {
    if d.is_zero() {
        0
    } else if d.is_sign_positive() {
        1
    } else {
        -1
    }
}

fn comparison(prose: &Prose, start: usize, end: usize, message: String) -> Warning {
    let sentence = prose.sentence(start, end).to_string();
    let pages = prose.pages(start, end);
    let mut w = finding("text_comparison_mismatch", format!("{message} (page {pages:?}: \"{sentence}\")"), pages);
    w.quote = Some(sentence);
    w
}

// ---------------------------------------------------------------------------------------------
// 4. The year of the document in its cover, table titles and headings.

/// The year a title or heading gives the document ("2025年部门财务收支预算总表", "2024年度部门决算"):
/// a year right before the words of the document's kind.
fn title_year(text: &str) -> Option<u32> {
    static YEAR: OnceLock<Bounded> = OnceLock::new();
    let re = YEAR.get_or_init(|| {
        Bounded::new(
            r"(?P<y>20[0-9]{2})年度?(?P<between>[\p{Han}“”\x22（）()]{0,24}?)(?:预算|决算)".to_string(),
            &[("{0,24}?", "*?")],
            |c| chars_at_most(c, "between", 24),
        )
    });
    let t = squash(text);
    // Prose that names a year for another purpose (上年, 执行, 截至, 以前年度) is not a title.
    if ["上年", "执行", "截至", "截止", "以前", "调整", "结转", "比", "较"].iter().any(|w| t.contains(w)) {
        return None;
    }
    let c = re.captures(&t)?;
    c["y"].parse().ok()
}

/// A heading: a short block without sentence punctuation.
fn is_heading(text: &str) -> bool {
    let t = squash(text);
    let n = t.chars().count();
    (6..=40).contains(&n) && !t.contains(['。', '；', '，', ',', ';', '：'])
}

/// The year most table titles and headings name ("2023年度部门决算", "2025年部门收入预算总表").
fn document_year(tables: &[Table], text: &[TextBlock]) -> Option<u32> {
    let mut count: BTreeMap<u32, usize> = BTreeMap::new();
    let titles = tables.iter().filter_map(|t| t.title.as_deref());
    let headings = text.iter().map(|b| b.text.as_str()).filter(|t| is_heading(t));
    for y in titles.chain(headings).filter_map(title_year) {
        *count.entry(y).or_default() += 1;
    }
    count.into_iter().max_by_key(|&(_, n)| n).map(|(y, _)| y)
}

fn check_years(tables: &[Table], text: &[TextBlock]) -> Vec<Warning> {
    // Every place that names the document's year: headings of the free text, table titles.
    let mut places: Vec<(u32, Option<usize>, Vec<u32>, String)> = Vec::new();
    for b in text.iter().filter(|b| is_heading(&b.text)) {
        if let Some(y) = title_year(&b.text) {
            places.push((y, None, vec![b.page], squash(&b.text)));
        }
    }
    for t in tables {
        if let Some(y) = t.title.as_deref().and_then(title_year) {
            places.push((y, Some(t.index), t.pages.clone(), squash(t.title.as_deref().unwrap_or(""))));
        }
    }
    let mut count: BTreeMap<u32, usize> = BTreeMap::new();
    for p in &places {
        *count.entry(p.0).or_default() += 1;
    }
    // The document's year: the one most places name, and clearly so (a document naming two years
    // as often is a combined publication, not a misprint).
    let mut ranked: Vec<(u32, usize)> = count.into_iter().collect();
    ranked.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
    let Some(&(year, n)) = ranked.first() else { return Vec::new() };
    if ranked.get(1).is_some_and(|&(_, m)| m * 3 > n) || n < 3 {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (y, table, pages, title) in places.iter().filter(|p| p.0 != year) {
        let mut w = finding(
            "year_mismatch",
            format!("\"{title}\" (page {pages:?}) names the year {y}; the cover, the other titles and headings name {year} ({n} places)"),
            pages.clone(),
        );
        if let Some(t) = table {
            w = w.at(*t, None);
            w.text_pages.clear();
        } else {
            w.quote = Some(title.clone());
        }
        out.push(w);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// 5. The unit name in table headings against the cover and prose.

fn check_agency(tables: &[Table], records: &[Record], text: &[TextBlock]) -> Vec<Warning> {
    // The name each table prints (its records' agency_name), by table.
    let mut by_table: BTreeMap<usize, String> = BTreeMap::new();
    for r in records {
        let (name, source) = match r {
            Record::BudgetLine(b) => (b.agency_name.as_deref(), b.source_tables.first()),
            _ => continue,
        };
        if let (Some(name), Some(&t)) = (name, source) {
            by_table.entry(t).or_insert_with(|| canon(name));
        }
    }
    // A table that gives no budget lines (收支总表, 三公 table, a table without 科目编码) still
    // prints its unit in the title: "上海市滨江区档案局2024年部门收入预算总表".
    for table in tables {
        if let (Some(name), _) = split_agency_title(table.title.as_deref().unwrap_or("")) {
            by_table.entry(table.index).or_insert_with(|| canon(&name));
        }
    }
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for name in by_table.values() {
        *count.entry(name.as_str()).or_default() += 1;
    }
    let Some((&main, &n)) = count.iter().max_by_key(|(_, &n)| n) else { return Vec::new() };
    if n < 3 {
        return Vec::new();
    }
    // The prose without the tables' own titles and context lines: a title naming another unit
    // must not excuse itself by being "named in the text".
    let headings: Vec<String> = tables
        .iter()
        .flat_map(|t| t.title.iter().chain(t.context.iter()))
        .map(|h| canon(h))
        .filter(|h| !h.is_empty())
        .collect();
    let prose_text: String =
        text.iter().map(|b| canon(&b.text)).filter(|line| !headings.iter().any(|h| h == line)).collect::<Vec<_>>().join("\n");
    let mut out = Vec::new();
    for (&t, name) in &by_table {
        // Another name is a misprint only when nothing explains it: not a shortening of the main
        // one (区政务服务管理办公室), not a unit the prose names (下属单位 listed in 机构设置).
        if name == main || main.contains(name.as_str()) || name.contains(main) || prose_text.contains(name.as_str()) {
            continue;
        }
        let Some(table) = tables.iter().find(|x| x.index == t) else { continue };
        let title = squash(table.title.as_deref().unwrap_or(""));
        let mut w = finding(
            "agency_mismatch",
            format!(
                "table \"{title}\" (pages {:?}) names the unit \"{name}\"; the other {n} tables name \"{main}\" and the prose never names \"{name}\"",
                table.pages
            ),
            Vec::new(),
        )
        .at(t, None);
        w.cell = table
            .cells
            .iter()
            .chain(std::iter::empty())
            .find(|c| canon(&c.text).contains(name.as_str()))
            .map(|c| CellRef { table: t, row: c.row, col: c.col, page: c.page, text: c.text.clone() });
        out.push(w);
    }
    out
}
