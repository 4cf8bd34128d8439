//! Financial tables with a 科目 column → `BudgetLine`s, one per data row.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use regex::Regex;
use rust_decimal::Decimal;

use super::headers::{covering, label_key, row_cells, table_context, text_at, Header};
use super::record::BudgetLine;
use super::values::{canon, factor_of, parse_amount, parse_number, squash};
use crate::model::Table;

/// The structure of a table with a 科目 column.
#[derive(Debug, Clone)]
pub struct SubjectLayout {
    pub header: Header,
    /// The one 科目编码 column, or the split 类 | 款 | 项 columns.
    pub code: CodeColumns,
    pub name: Option<usize>,
    /// Amount columns with their leaf header names (whitespace removed).
    pub amounts: Vec<(usize, String)>,
}

#[derive(Debug, Clone)]
pub enum CodeColumns {
    Single(usize),
    Split(Vec<usize>),
}

impl CodeColumns {
    /// The columns the code is printed in.
    pub fn columns(&self) -> &[usize] {
        match self {
            CodeColumns::Single(c) => std::slice::from_ref(c),
            CodeColumns::Split(cols) => cols,
        }
    }
}

/// A 科目 code column header: "科目编码" with any classification prefix ("部门经济分类科目编码",
/// "功能分类科目代码").
pub(crate) fn is_code_key(k: &str) -> bool {
    subject_header_prefix_ok(k, &["科目编码", "科目代码"])
}

/// A 科目 name column header, with any classification prefix ("部门经济分类科目名称").
fn is_name_key(k: &str) -> bool {
    k == "项目" || subject_header_prefix_ok(k, &["科目名称"])
}

/// `k` is one of `ends` preceded only by a classification qualifier (功能 / 经济 / 部门 / 政府 /
/// 分类 / 支出 / 收入 in any combination): the header variants templates print.
fn subject_header_prefix_ok(k: &str, ends: &[&str]) -> bool {
    ends.iter().any(|e| {
        k.strip_suffix(e).is_some_and(|prefix| {
            let mut rest = prefix;
            while !rest.is_empty() {
                let Some(next) = ["功能", "经济", "部门", "政府", "分类", "支出", "收入", "预算"]
                    .iter()
                    .find_map(|q| rest.strip_prefix(q))
                else {
                    return false;
                };
                rest = next;
            }
            true
        })
    })
}

/// Is `row` a data row: a number (an amount or a 科目 code) somewhere? (Total labels are no sign:
/// 合计 / 小计 are column headers too.)
pub(crate) fn is_data_row(table: &Table, r: usize) -> bool {
    row_cells(table, r).iter().any(|c| parse_number(&c.text).is_some())
}

/// The decoder's header row count, unless it swallows rows that hold data (a layout can mistake
/// the first rows of a table for a header it repeated).
pub(crate) fn declared_header_rows(table: &Table) -> Option<usize> {
    let declared = table.header_rows.min(table.n_rows);
    (declared > 0 && (0..declared).all(|r| !is_data_row(table, r))).then_some(declared)
}

/// Number of header rows: the table's own count when it has one, otherwise the rows down to the
/// one naming the 科目 columns (and the rows its cells span), plus any following rows that hold
/// no data.
pub fn header_rows(table: &Table) -> usize {
    if let Some(declared) = declared_header_rows(table) {
        return declared;
    }
    let mut end = 0;
    for r in 0..table.n_rows.min(8) {
        // A row that prints figures is data even where it also prints the 类 | 款 | 项 labels
        // (some 决算 templates put them on the 合计 row): the header ends above it.
        if is_data_row(table, r) {
            break;
        }
        for c in row_cells(table, r) {
            let k = label_key(&c.text);
            if is_code_key(&k) || is_name_key(&k) || k == "类" || k == "款" {
                end = end.max(r + c.row_span);
            }
        }
    }
    while end < table.n_rows && !is_data_row(table, end) && row_cells(table, end).iter().any(|c| !c.text.trim().is_empty())
    {
        end += 1;
    }
    end
}

/// Finds the 科目 columns and amount columns, or `None` when the table has no 科目 column; for a
/// table printed as side-by-side blocks, the first block.
pub fn subject_layout(table: &Table) -> Option<SubjectLayout> {
    subject_layouts(table).into_iter().next()
}

/// The 科目 layouts of a table: one, or one per block where the table prints its 科目 list as
/// side-by-side blocks (科目编码 | 科目名称 | 决算数, twice or three times across the page, as the
/// 决算 基本支出 tables print 人员经费 beside 公用经费). Each block is read on its own: a block's
/// codes are never the amounts of the block to its left.
pub fn subject_layouts(table: &Table) -> Vec<SubjectLayout> {
    let rows = header_rows(table);
    if rows == 0 {
        return Vec::new();
    }
    let header = Header::read(table, rows);
    let keys: Vec<String> = header.leaf.iter().map(|l| label_key(l)).collect();
    // One code column per header cell: a 科目编码 merged over 类 | 款 | 项 sub-columns is one block.
    let code_cols: Vec<usize> = keys
        .iter()
        .enumerate()
        .filter(|&(c, k)| is_code_key(k) && covering(table, rows - 1, c).is_none_or(|cell| cell.col == c))
        .map(|(c, _)| c)
        .collect();
    if code_cols.is_empty() {
        let find = |name: &str| {
            keys.iter().position(|k| k == name).or_else(|| {
                // 类 | 款 | 项 printed on the first data row (beside its 合计 figures).
                (0..table.n_cols).find(|&c| covering(table, rows, c).is_some_and(|cell| cell.row == rows && cell.col == c && label_key(&cell.text) == name))
            })
        };
        let (Some(lei), Some(kuan)) = (find("类"), find("款")) else { return Vec::new() };
        let mut cols = vec![lei, kuan];
        cols.extend(find("项"));
        return block_layout(table, &header, &keys, CodeColumns::Split(cols), table.n_cols).into_iter().collect();
    }
    // A block runs from its code column to the next block's.
    let ends: Vec<usize> = code_cols.iter().skip(1).copied().chain(std::iter::once(table.n_cols)).collect();
    code_cols
        .iter()
        .zip(ends)
        .filter_map(|(&code, end)| block_layout(table, &header, &keys, CodeColumns::Single(code), end))
        .collect()
}

/// One block's layout: its code columns, its name column and the amount columns up to `end`.
fn block_layout(table: &Table, header: &Header, keys: &[String], code: CodeColumns, end: usize) -> Option<SubjectLayout> {
    let rows = header.rows;
    let start = code.columns().iter().min().copied().unwrap_or(0);
    let name = (start..end).find(|&c| is_name_key(&keys[c]));
    // A merged header cell ("功能分类科目") may cover both code and name columns; the leaf names are
    // what matter, and only columns right of the 科目 columns carry amounts.
    let first_amount = code.columns().iter().chain(name.iter()).max().map(|m| m + 1).unwrap_or(0);
    let amounts = (first_amount..end)
        .filter(|&c| !header.leaf[c].is_empty())
        // A column is its own only at the cell's left edge of a horizontally merged leaf.
        .filter(|&c| covering(table, rows - 1, c).map(|cell| cell.col == c).unwrap_or(true))
        .map(|c| (c, without_group_prefix(&squash(&header.leaf[c]))))
        .collect();
    let amounts = disambiguate(table, rows, with_part_of_keys(table, rows, amounts));
    Some(SubjectLayout { header: header.clone(), code, name, amounts })
}

fn is_part_column(key: &str) -> bool {
    canon(key).starts_with("其中")
}

fn is_generic_leaf(key: &str) -> bool {
    matches!(canon(key).as_str(), "金额" | "小计" | "合计" | "计")
}

/// Keys for 其中 columns and the generic leaf of their group. A "其中：教育收费" column is a part of
/// the column before it, never a part of the row total, so its key carries that column's key
/// ("事业收入其中：教育收费"); a generic "金额" / "小计" leaf of a group that has 其中 columns stands
/// for the group ("事业收入 / 金额" → "事业收入", "项目支出 / 小计" → "项目支出").
fn with_part_of_keys(table: &Table, rows: usize, amounts: Vec<(usize, String)>) -> Vec<(usize, String)> {
    // The group header right above a leaf (its row and columns), when it spans several columns.
    let group_of = |c: usize| -> Option<(usize, usize, usize, String)> {
        let leaf = covering(table, rows - 1, c)?;
        if leaf.row == 0 {
            return None;
        }
        let parent = covering(table, leaf.row - 1, c)?;
        (parent.col_span > 1).then(|| (parent.row, parent.col, parent.col + parent.col_span, squash(&parent.text)))
    };
    let mut out = amounts.clone();
    for (i, (c, key)) in amounts.iter().enumerate() {
        if !is_generic_leaf(key) {
            continue;
        }
        let Some(group) = group_of(*c) else { continue };
        // Only a 其中 column directly under the same group makes the generic leaf the group's
        // amount ("项目支出 / 小计 | 其中：…"); a 合计 beside deeper groups stays 合计.
        let sibling_parts = amounts.iter().any(|(x, k)| is_part_column(k) && group_of(*x).as_ref() == Some(&group));
        if sibling_parts && !group.3.is_empty() {
            out[i].1 = without_group_prefix(&group.3);
        }
    }
    let base = out.clone();
    for (i, (c, key)) in amounts.iter().enumerate() {
        if !is_part_column(key) {
            continue;
        }
        // The column this one is part of: its group's generic leaf, else the nearest column to the
        // left that is not itself a 其中 column.
        let whole = match group_of(*c) {
            Some((_, lo, hi, _)) => base.iter().find(|(x, k)| *x >= lo && *x < hi && !is_part_column(k) && *x < *c),
            None => None,
        }
        .or_else(|| base[..i].iter().rev().find(|(_, k)| !is_part_column(k)));
        if let Some((_, whole_key)) = whole {
            out[i].1 = format!("{whole_key}{key}");
        }
    }
    out
}

/// A leaf name with its group header run into it ("2024年预算数基本支出" — a layout that found one
/// header row where two were printed) → the leaf ("基本支出"). A year-dated group label
/// (2024年预算数, 2021年基本支出, 2023年度预算) is never part of a leaf name; alone it is the leaf.
fn without_group_prefix(key: &str) -> String {
    static GROUP: OnceLock<Regex> = OnceLock::new();
    let re = GROUP.get_or_init(|| Regex::new(r"^\d{4}年度?(?:预算数|预算|基本支出|项目支出|支出预算)").unwrap());
    match re.find(key) {
        Some(m) if m.end() < key.len() => key[m.end()..].to_string(),
        _ => key.to_string(),
    }
}

/// Leaf names are the keys of `amounts`; two columns with the same leaf ("小计" under 基本支出 and
/// under 项目支出) would overwrite each other, so a repeated leaf is prefixed with the header above
/// it ("基本支出小计"), and failing that numbered ("小计2").
fn disambiguate(table: &Table, rows: usize, amounts: Vec<(usize, String)>) -> Vec<(usize, String)> {
    let count = |k: &str, list: &[(usize, String)]| list.iter().filter(|(_, x)| x == k).count();
    let mut out: Vec<(usize, String)> = amounts
        .iter()
        .map(|(c, k)| {
            if count(k, &amounts) < 2 {
                return (*c, k.clone());
            }
            let leaf_top = covering(table, rows - 1, *c).map(|cell| cell.row).unwrap_or(0);
            let parent = (0..leaf_top).rev().map(|r| squash(text_at(table, r, *c))).find(|t| !t.is_empty() && t != k);
            (*c, format!("{}{k}", parent.unwrap_or_default()))
        })
        .collect();
    let snapshot = out.clone();
    for (i, (_, k)) in out.iter_mut().enumerate() {
        let before = snapshot[..i].iter().filter(|(_, x)| x == k).count();
        if before > 0 {
            k.push_str(&(before + 1).to_string());
        }
    }
    out
}

pub fn is_total_label(text: &str) -> bool {
    let t = canon(text);
    let t = t.trim_end_matches(':');
    matches!(t, "总计" | "合计" | "小计") || t.ends_with("总计") || t.ends_with("合计")
}

/// The title of a financial table without the agency prefix: "重庆市潼南区政务服务管理办公室
/// 一般公共预算财政拨款支出预算表" → ("重庆市潼南区政务服务管理办公室", "一般公共预算财政拨款支出预算表").
pub fn split_agency_title(title: &str) -> (Option<String>, String) {
    static STARTS: OnceLock<Regex> = OnceLock::new();
    let re = STARTS.get_or_init(|| {
        Regex::new(
            r#"(\d{4}年|财政拨款|一般公共预算|政府性基金|国有资本|部门收支|部门收入|部门支出|部门财务|财务收支|部门预算|收支预算|收入预算|支出预算|政府采购|项目支出|基本支出|["“”]?三公["“”]?|预算项目|项目绩效)"#,
        )
        .unwrap()
    });
    static YEAR: OnceLock<Regex> = OnceLock::new();
    let year = YEAR.get_or_init(|| Regex::new(r"^\d{4}年度?").unwrap());
    let t = squash(title);
    if let Some(m) = re.find(&t) {
        let prefix = &t[..m.start()];
        if prefix.chars().count() >= 4 && agency_like(prefix) {
            return (Some(prefix.to_string()), t[m.start()..].to_string());
        }
    }
    // "2017年度江苏省高级人民法院部门财政拨款支出预算表": the agency printed after the year.
    if let Some(y) = year.find(&t) {
        let rest = &t[y.end()..];
        if let Some(m) = re.find(rest).filter(|m| m.start() > 0) {
            let mut agency = &rest[..m.start()];
            // "…法院部门财政拨款…": 部门 belongs to the table's name, not to the agency.
            let tail = agency.strip_suffix("部门").filter(|a| agency_like(a)).unwrap_or(agency);
            agency = tail;
            if agency.chars().count() >= 4 && agency_like(agency) {
                return (Some(agency.to_string()), format!("{}{}", y.as_str(), &rest[agency.len()..]));
            }
        }
    }
    (None, t)
}

/// Prefixes that name a kind of body, not a body: "高等学校财政拨款支出决算表" is the template's
/// title, not 高等学校's.
const NOT_AGENCIES: &[&str] = &["高等学校", "行政单位", "事业单位", "行政事业单位", "本部门", "本单位", "预算单位", "主管部门"];

fn agency_like(prefix: &str) -> bool {
    if NOT_AGENCIES.contains(&prefix) {
        return false;
    }
    const ENDS: &[&str] = &[
        "办公室", "局", "委员会", "委", "中心", "本级", "政府", "院", "所", "站", "部", "处", "厅", "会", "办", "馆", "队", "校",
        "学", "社", "司", "署", "室", "团", "园", "场",
    ];
    ENDS.iter().any(|e| prefix.ends_with(e))
}

/// What the lines of one logical financial table share, kept so that a continuation printed as a
/// table of its own (a page whose header was not repeated and that the layout did not stitch) is
/// read with the columns, title and unit of the table it continues.
#[derive(Debug, Clone)]
pub struct LineTable {
    pub layout: SubjectLayout,
    pub table_title: Option<String>,
    pub agency_name: Option<String>,
    pub unit: Option<String>,
    factor: Decimal,
    pub first_table: usize,
    n_cols: usize,
    carried: Vec<String>,
}

/// Reads the budget lines of a table with a 科目 column (none for other tables), and what a
/// continuation of it needs.
///
/// `before` is the financial table just before this one, if any: a table with its own 科目 header
/// but no title or unit of its own after it is that table continued on a page that repeated the
/// header (and that the layout did not stitch), so it keeps that table's title, agency and unit.
///
/// `document_unit` is the unit the document printed last before this table: publishers print
/// "单位：万元" once above the first of several tables in the same unit (西南大学's 收入预算表 has
/// none of its own), and reading such a table in 元 would be off by 10,000.
pub fn read_budget_lines(
    table: &Table,
    before: Option<&LineTable>,
    document_unit: Option<&str>,
) -> (Vec<BudgetLine>, Option<LineTable>) {
    let mut blocks = subject_layouts(table).into_iter();
    let Some(layout) = blocks.next() else { return (Vec::new(), None) };
    let more_blocks: Vec<SubjectLayout> = blocks.collect();
    let mut ctx = table_context(table);
    if let Some(prev) = before.filter(|_| ctx.title.is_none() && ctx.unit.is_none()) {
        let first_row = layout.header.rows;
        let mut doc = LineTable { layout, n_cols: table.n_cols, carried: prev.carried.clone(), ..prev.clone() };
        let lines = read_rows(table, first_row, &mut doc);
        return (lines, Some(doc));
    }
    if ctx.unit.is_none() {
        ctx.unit = document_unit.map(str::to_string);
    }
    let (title_agency, table_title) = match ctx.title.as_deref() {
        Some(t) => {
            let (a, rest) = split_agency_title(&super::headers::strip_list_number(t));
            (a, Some(rest))
        }
        None => (None, None),
    };
    let first_row = layout.header.rows;
    let mut doc = LineTable {
        layout,
        table_title,
        agency_name: title_agency.or(ctx.agency_name),
        factor: factor_of(ctx.unit.as_deref()),
        unit: ctx.unit,
        first_table: table.index,
        n_cols: table.n_cols,
        carried: Vec::new(),
    };
    let mut lines = read_rows(table, first_row, &mut doc);
    // Side-by-side blocks: block after block, each with its own columns; a continuation page
    // continues the first block's columns.
    for block in more_blocks {
        let mut block_doc = LineTable { layout: block, carried: Vec::new(), ..doc.clone() };
        lines.extend(read_rows(table, first_row, &mut block_doc));
    }
    // An empty table (政府性基金 / 国有资本经营 with nothing to report) prints a blank 合计 row, a
    // "此表为空" note or template rows: no amount anywhere means no budget lines at all.
    if !lines.iter().any(|l| l.amounts.values().any(Option::is_some)) {
        lines.clear();
    }
    (lines, Some(doc))
}

/// Reads `table` as the continuation of `doc` when it is one: same columns, no title or 科目
/// header of its own, and 科目 codes where `doc` has its code columns.
pub fn read_continuation(table: &Table, doc: &mut LineTable) -> Option<Vec<BudgetLine>> {
    if table.n_cols != doc.n_cols || subject_layout(table).is_some() || table_context(table).title.is_some() {
        return None;
    }
    let first_row = (0..table.n_rows).find(|&r| is_data_row(table, r))?;
    let coded = (first_row..table.n_rows.min(first_row + 3)).any(|r| {
        doc.layout.code.columns().iter().any(|&c| {
            let t = squash(text_at(table, r, c));
            t.len() >= 2 && t.chars().all(|ch| ch.is_ascii_digit())
        })
    });
    if !coded {
        return None;
    }
    Some(read_rows(table, first_row, doc))
}

fn read_rows(table: &Table, first_row: usize, doc: &mut LineTable) -> Vec<BudgetLine> {
    let mut out = Vec::new();
    for r in first_row..table.n_rows {
        let cell_text = |c: usize| -> String {
            covering(table, r, c).filter(|cell| cell.row == r || cell.row_span == 1).map(|c| c.text.trim().to_string()).unwrap_or_default()
        };
        let layout = &doc.layout;
        let code_text = match &layout.code {
            CodeColumns::Single(c) => Some(squash(&cell_text(*c))).filter(|s| !s.is_empty()),
            CodeColumns::Split(cols) => {
                // A label merged over the code columns ("合计" across 类 | 款 | 项) is read once.
                let mut parts: Vec<String> = Vec::new();
                let mut seen = Vec::new();
                for &c in cols {
                    let cell = covering(table, r, c);
                    let key = cell.map(|x| (x.row, x.col));
                    if key.is_some() && seen.contains(&key) {
                        parts.push(String::new());
                        continue;
                    }
                    seen.push(key);
                    parts.push(squash(&cell_text(c)));
                }
                split_code(&parts, &mut doc.carried)
            }
        };
        let mut raw_name = layout.name.map(|c| text_at(table, r, c).trim().to_string()).unwrap_or_default();
        // A code must be digits; a label printed in the code column ("合计") is the row's name.
        let code = match code_text {
            Some(t) if t.chars().all(|c| c.is_ascii_digit()) => Some(t),
            Some(t) => {
                if raw_name.is_empty() || layout.name.is_some_and(|nc| covering(table, r, nc).map(|x| x.col) != Some(nc)) {
                    raw_name = t;
                }
                None
            }
            None => None,
        };
        let name_is_total = is_total_label(&raw_name);
        let subject_name = if name_is_total {
            Some(canon(&raw_name).trim_end_matches(':').to_string())
        } else {
            Some(raw_name.clone()).filter(|s| !s.is_empty())
        };
        let amounts: BTreeMap<String, Option<Decimal>> =
            layout.amounts.iter().map(|(c, key)| (key.clone(), parse_amount(&cell_text(*c), doc.factor))).collect();
        let any_amount = amounts.values().any(Option::is_some);
        if code.is_none() && subject_name.is_none() && !any_amount {
            continue;
        }
        // Placeholder rows ("…", "——" left from the template) are not lines.
        let placeholder = |t: &str| !t.is_empty() && t.chars().all(|c| matches!(c, '…' | '.' | '-' | '—' | '－' | '/' | '无'));
        if !any_amount && placeholder(&squash(&raw_name)) && code.as_deref().is_none_or(placeholder) {
            continue;
        }
        // Notes printed inside the table ("备注：…", "注：…") are not lines.
        let note = canon(&raw_name);
        if code.is_none() && !any_amount && (note.starts_with("备注") || note.starts_with("注:") || note.starts_with("(备注")) {
            continue;
        }
        out.push(BudgetLine {
            table_title: doc.table_title.clone(),
            agency_name: doc.agency_name.clone(),
            amount_unit: doc.unit.clone(),
            subject_code: if name_is_total { None } else { code },
            subject_name,
            amounts,
            source_tables: if doc.first_table == table.index { vec![table.index] } else { vec![doc.first_table, table.index] },
            row: Some(r),
        });
    }
    out
}

/// 类 | 款 | 项 → one code. A blank 类 (or 款) under a row that printed it is carried down when a
/// lower level is present: "204 | 06 | 07" → "2040607", then " | | 08" → "2040608".
fn split_code(parts: &[String], carried: &mut Vec<String>) -> Option<String> {
    let deepest = parts.iter().rposition(|p| !p.is_empty())?;
    // Some templates print the whole code in its level's column ("20406" under 款).
    if deepest > 0 && parts[deepest].len() > 2 && parts[deepest].chars().all(|c| c.is_ascii_digit()) {
        let whole = parts[deepest].clone();
        let mut now = Vec::new();
        let mut at = 0;
        for level in 0..=deepest {
            let len = if level == 0 { 3 } else { 2 };
            now.push(whole.get(at..at + len).unwrap_or("").to_string());
            at += len;
        }
        *carried = now;
        return Some(whole);
    }
    // Each level down to the deepest printed one, as printed or carried down; a level printed
    // with the wrong width is read as the hierarchy gives it (the validator reports the printing).
    let now: Vec<String> = parts[..=deepest]
        .iter()
        .enumerate()
        .map(|(i, p)| if p.is_empty() { carried.get(i).cloned() } else { Some(resolve_level(parts, i, carried)) })
        .collect::<Option<_>>()?;
    let code = now.concat();
    *carried = now;
    if code.chars().all(|c| c.is_ascii_digit()) {
        Some(code)
    } else {
        Some(parts.concat())
    }
}

/// Printed width of each level of a split code: 类 3 digits, 款 2, 项 2.
pub(crate) const LEVEL_WIDTHS: [usize; 3] = [3, 2, 2];

/// Is `part` printed as a code of level `level` should be (all digits, the level's width)?
pub(crate) fn level_printed_right(part: &str, level: usize) -> bool {
    part.chars().all(|c| c.is_ascii_digit()) && LEVEL_WIDTHS.get(level).is_none_or(|&w| part.len() == w)
}

/// The code of level `i` where the publisher printed it wrong, resolved where that is unambiguous:
/// a 款 / 项 printed without its leading zero ("2" → "02"); a 类 printed short ("7") under which
/// the row continues the 款 of the row above (the 类 carried down). Otherwise as printed.
fn resolve_level(parts: &[String], i: usize, carried: &[String]) -> String {
    let p = &parts[i];
    if level_printed_right(p, i) || !p.chars().all(|c| c.is_ascii_digit()) {
        return p.clone();
    }
    let width = LEVEL_WIDTHS.get(i).copied().unwrap_or(2);
    if i > 0 && p.len() < width {
        return format!("{p:0>width$}");
    }
    let continues_above = parts.get(i + 1).is_some_and(|next| !next.is_empty() && carried.get(i + 1) == Some(next));
    match carried.get(i) {
        Some(c) if continues_above && level_printed_right(c, i) => c.clone(),
        _ => p.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_printed_wrong_resolve_from_the_hierarchy() {
        let p = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut carried = Vec::new();
        // 款 printed "2" / "7" for 02 / 07 (a Shanghai 经济分类 table).
        assert_eq!(split_code(&p(&["301", ""]), &mut carried).as_deref(), Some("301"));
        assert_eq!(split_code(&p(&["301", "2"]), &mut carried).as_deref(), Some("30102"));
        assert_eq!(split_code(&p(&["301", "7"]), &mut carried).as_deref(), Some("30107"));
        // 类 printed "7" under the 款 row "210 | 11".
        let mut carried = Vec::new();
        assert_eq!(split_code(&p(&["210", "11", ""]), &mut carried).as_deref(), Some("21011"));
        assert_eq!(split_code(&p(&["7", "11", "02"]), &mut carried).as_deref(), Some("2101102"));
        // Without a row above to resolve it, the printing stays as it is (and is reported).
        let mut carried = Vec::new();
        assert_eq!(split_code(&p(&["7", "11", "02"]), &mut carried).as_deref(), Some("71102"));
        assert!(!level_printed_right("7", 0) && !level_printed_right("2", 1) && level_printed_right("02", 2));
    }

    #[test]
    fn agency_prefix_split() {
        assert_eq!(
            split_agency_title("重庆市潼南区政务服务管理办公室一般公共预算财政拨款支出预算表"),
            (Some("重庆市潼南区政务服务管理办公室".into()), "一般公共预算财政拨款支出预算表".into())
        );
        assert_eq!(
            split_agency_title("重庆市潼南区政务服务管理办公室 一般公共预算财政拨款基本支出预算表"),
            (Some("重庆市潼南区政务服务管理办公室".into()), "一般公共预算财政拨款基本支出预算表".into())
        );
        assert_eq!(split_agency_title("部门收入总表"), (None, "部门收入总表".into()));
        assert_eq!(
            split_agency_title("2017 年度江苏省高级人民法院部门财政拨款支出预算表"),
            (Some("江苏省高级人民法院".into()), "2017年度部门财政拨款支出预算表".into())
        );
        assert_eq!(
            split_agency_title("2018年江苏省人民检察院一般公共预算基本支出预算表"),
            (Some("江苏省人民检察院".into()), "2018年一般公共预算基本支出预算表".into())
        );
        assert_eq!(split_agency_title("高等学校财政拨款支出决算表"), (None, "高等学校财政拨款支出决算表".into()));
        assert_eq!(split_agency_title("2025年部门收入预算总表"), (None, "2025年部门收入预算总表".into()));
        assert_eq!(
            split_agency_title("重庆市潼南区政务服务管理办公室一般公共预算\"三公\"经费支出表").0.as_deref(),
            Some("重庆市潼南区政务服务管理办公室")
        );
    }

    #[test]
    fn subject_header_variants() {
        for k in ["科目编码", "功能分类科目编码", "部门经济分类科目编码", "政府经济分类科目编码", "科目代码"] {
            assert!(is_code_key(k), "{k}");
        }
        for k in ["科目名称", "部门经济分类科目名称", "功能科目名称", "项目"] {
            assert!(is_name_key(k), "{k}");
        }
        assert!(!is_name_key("项目名称科目名称x") && !is_code_key("项目编码") && !is_name_key("备注科目名称"));
    }

    #[test]
    fn group_prefixes_run_into_leaves() {
        assert_eq!(without_group_prefix("2024年预算数基本支出"), "基本支出");
        assert_eq!(without_group_prefix("2021年基本支出合计"), "合计");
        assert_eq!(without_group_prefix("2024年预算数"), "2024年预算数");
        assert_eq!(without_group_prefix("一般公共预算拨款收入"), "一般公共预算拨款收入");
    }

    #[test]
    fn split_codes_carry_down() {
        let mut carried = Vec::new();
        let p = |v: [&str; 3]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(split_code(&p(["204", "", ""]), &mut carried).as_deref(), Some("204"));
        assert_eq!(split_code(&p(["204", "06", ""]), &mut carried).as_deref(), Some("20406"));
        assert_eq!(split_code(&p(["204", "06", "07"]), &mut carried).as_deref(), Some("2040607"));
        assert_eq!(split_code(&p(["", "", "08"]), &mut carried).as_deref(), Some("2040608"));
        assert_eq!(split_code(&p(["", "", ""]), &mut carried), None);
        assert_eq!(split_code(&p(["", "20407", ""]), &mut carried).as_deref(), Some("20407"));
        assert_eq!(split_code(&p(["", "", "01"]), &mut carried).as_deref(), Some("2040701"));
    }
}
