//! Reading a table by meaning rather than by position: label cells and the value next to them,
//! header rows and their leaf column names, and what the paragraphs above a table say (title,
//! agency line, unit).

use std::sync::OnceLock;

use regex::Regex;

use super::values::{canon, find_unit, squash};
use crate::model::{Cell, Table};

/// The cells whose top-left slot is in row `r`, left to right.
pub fn row_cells(table: &Table, r: usize) -> Vec<&Cell> {
    let mut cells: Vec<&Cell> = table.cells.iter().filter(|c| c.row == r).collect();
    cells.sort_by_key(|c| c.col);
    cells
}

/// The cell covering slot (r, c) — for a merged cell, the merge's top-left cell, which is how a
/// label merged over several rows reaches every row it covers.
///
/// `Table::cell_at` scans every cell; reading a table slot by slot that way is quadratic (seconds
/// for a few thousand rows). A slot index of the table last asked about is kept per thread; an
/// answer from it is used only after checking that the cell really covers the slot, so a stale
/// index can cost time but never give a wrong cell.
pub fn covering(table: &Table, r: usize, c: usize) -> Option<&Cell> {
    use std::cell::RefCell;
    thread_local! {
        static SLOTS: RefCell<(usize, usize, usize, Vec<u32>)> = const { RefCell::new((0, 0, 0, Vec::new())) };
    }
    if r >= table.n_rows || c >= table.n_cols {
        return None;
    }
    let covers = |cell: &Cell| r >= cell.row && r < cell.row + cell.row_span && c >= cell.col && c < cell.col + cell.col_span;
    let key = (table.cells.as_ptr() as usize, table.cells.len(), table.n_rows * table.n_cols);
    let slot = SLOTS.with(|slots| {
        let mut slots = slots.borrow_mut();
        if (slots.0, slots.1, slots.2) != key || slots.3.len() != key.2 {
            let mut index = vec![u32::MAX; key.2];
            for (i, cell) in table.cells.iter().enumerate() {
                for rr in cell.row..(cell.row + cell.row_span).min(table.n_rows) {
                    for cc in cell.col..(cell.col + cell.col_span).min(table.n_cols) {
                        let s = &mut index[rr * table.n_cols + cc];
                        if *s == u32::MAX {
                            *s = i as u32;
                        }
                    }
                }
            }
            *slots = (key.0, key.1, key.2, index);
        }
        slots.3[r * table.n_cols + c]
    });
    match table.cells.get(slot as usize) {
        Some(cell) if covers(cell) => Some(cell),
        _ => table.cell_at(r, c),
    }
}

/// The cell immediately right of `cell` (on its top row).
pub fn right_of<'t>(table: &'t Table, cell: &Cell) -> Option<&'t Cell> {
    covering(table, cell.row, cell.col + cell.col_span)
}

/// The cell immediately below `cell` (at its left column).
pub fn below<'t>(table: &'t Table, cell: &Cell) -> Option<&'t Cell> {
    covering(table, cell.row + cell.row_span, cell.col)
}

/// The text of the cell covering (r, c), "" when there is none.
pub fn text_at(table: &Table, r: usize, c: usize) -> &str {
    covering(table, r, c).map(|c| c.text.as_str()).unwrap_or("")
}

/// Where the body under a header row starts: below the lowest of the header's own cells in the
/// given columns (a vertical "绩效指标" label beside the header spans the whole block, so only the
/// header's own columns count).
pub fn header_bottom(table: &Table, row: usize, cols: &[Option<usize>]) -> usize {
    cols.iter().flatten().filter_map(|&c| covering(table, row, c)).map(|c| c.row + c.row_span).max().unwrap_or(row + 1)
}

/// A label with its decorations removed: whitespace, full-width forms, a trailing colon, a unit in
/// brackets and a leading "其中:" — "其中：财政    资金" → "财政资金", "资金总额(万元)" → "资金总额".
pub fn label_key(text: &str) -> String {
    static UNIT: OnceLock<Regex> = OnceLock::new();
    let unit = UNIT.get_or_init(|| Regex::new(r"\((亿元|百万元|千元|万元|元|%)\)").unwrap());
    let t = canon(text);
    let t = unit.replace_all(&t, "");
    let t = t.trim_end_matches(':');
    let t = t.strip_prefix("其中:").unwrap_or(t);
    t.to_string()
}

/// Where the records stage reads a table's provenance: the title, the agency line and the unit
/// printed above it (or in the first rows of the table itself, as some DOCX templates do).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableContext {
    pub title: Option<String>,
    pub agency_code: Option<String>,
    pub agency_name: Option<String>,
    pub unit: Option<String>,
}

/// "433001曹妃甸区行政审批局本级" / "630001 秦皇岛市山海关区行政审批局本级\t单位：元" →
/// ("433001", "曹妃甸区行政审批局本级").
pub fn parse_agency_line(text: &str) -> Option<(String, String)> {
    static AGENCY: OnceLock<Regex> = OnceLock::new();
    let re = AGENCY.get_or_init(|| Regex::new(r"^(\d{6})\s*([^\d\s:：][^\t]*?)\s*(?:单位\s*[:：].*)?$").unwrap());
    let first_line = text.trim();
    let c = re.captures(first_line)?;
    let name = squash(&c[2]);
    if name.chars().count() < 2 || name.contains("单位:") || name.contains("单位：") {
        return None;
    }
    Some((c[1].to_string(), name))
}

/// "部门：江苏省人大常委会办公厅    单位：万元" / "编制单位：XX局" → "江苏省人大常委会办公厅": the
/// agency named by a labelled line (no agency code printed), with a trailing unit label cut off.
pub fn parse_labelled_agency(text: &str) -> Option<String> {
    static LABELLED: OnceLock<Regex> = OnceLock::new();
    let re = LABELLED.get_or_init(|| {
        Regex::new(r"^(?:编制部门|编制单位|编报单位|预算单位|单位名称|部门名称|部门)[:](.+?)(?:单位[:].*)?$").unwrap()
    });
    let t = canon(text);
    let name = re.captures(&t)?[1].trim_end_matches([':', ',', '，']).to_string();
    let plausible = name.chars().count() >= 2 && !name.chars().all(|c| c.is_ascii_digit()) && !name.contains("单位:");
    plausible.then_some(name)
}

/// A title without its list number: "1.购买第三方服务绩效目标表" → "购买第三方服务绩效目标表".
pub fn strip_list_number(title: &str) -> String {
    static NUM: OnceLock<Regex> = OnceLock::new();
    let re = NUM.get_or_init(|| {
        Regex::new(r"^(?:[(（]\s*\d{1,3}\s*[)）]|\d{1,3}\s*[.．、]|[一二三四五六七八九十]{1,3}\s*[、.．]|(?:附|公开)?表\s*\d{1,3}(?:-\d{1,3})?\s*[.．、:：]?|公开\s*\d{1,3}\s*表\s*[.．、:：]?)\s*(\S.*)$").unwrap()
    });
    let t = title.trim();
    match re.captures(t) {
        Some(c) => c[1].trim().to_string(),
        None => t.to_string(),
    }
}

/// Does this text read like a table title (ends in 表 or 表（…）)?
pub fn looks_like_title(text: &str) -> bool {
    let t = canon(text);
    let t = match t.rfind('(') {
        Some(i) if t.ends_with(')') && i > 0 => &t[..i],
        _ => t.as_str(),
    };
    t.ends_with('表') && t.chars().count() >= 4
}

/// The provenance of `table`: title (its own `title`, else the nearest context paragraph that looks
/// like one), agency line and unit from the context paragraphs, then from the table's first rows.
pub fn table_context(table: &Table) -> TableContext {
    let mut ctx = TableContext {
        title: table.title.clone().filter(|t| !t.trim().is_empty()),
        ..TableContext::default()
    };
    if ctx.title.is_none() {
        ctx.title = table.context.iter().rev().find(|p| looks_like_title(p)).cloned();
    }
    ctx.title = ctx.title.map(|t| with_wrapped_start(table, t));
    // "部门：" printed as a paragraph of its own with the name in the next one (the Jiangsu
    // tables set label and name in two text boxes).
    if ctx.agency_name.is_none() {
        for pair in table.context.windows(2) {
            let label = canon(&pair[0]);
            let is_label = matches!(label.trim_end_matches(':'), "部门" | "编制部门" | "编制单位" | "单位名称" | "部门名称")
                && label.ends_with(':');
            let name = canon(&pair[1]);
            if is_label && name.chars().count() >= 2 && !name.contains("单位:") && !looks_like_title(&name) {
                ctx.agency_name = Some(name);
            }
        }
    }
    for p in table.context.iter().rev() {
        for line in p.lines() {
            if ctx.agency_code.is_none() {
                if let Some((code, name)) = parse_agency_line(line) {
                    ctx.agency_code = Some(code);
                    ctx.agency_name = Some(name);
                }
            }
            if ctx.agency_name.is_none() {
                ctx.agency_name = parse_labelled_agency(line);
            }
            if ctx.unit.is_none() {
                ctx.unit = find_unit(line).filter(|_| canon(line).contains("单位"));
            }
        }
    }
    // Templates that print the agency and unit as the first row of the table itself.
    for r in 0..table.n_rows.min(3) {
        for c in row_cells(table, r) {
            if ctx.agency_code.is_none() {
                if let Some((code, name)) = parse_agency_line(&c.text) {
                    ctx.agency_code = Some(code);
                    ctx.agency_name = Some(name);
                }
            }
            if ctx.unit.is_none() && canon(&c.text).contains("单位:") {
                ctx.unit = find_unit(&c.text);
            }
            if ctx.title.is_none() && c.col_span * 2 > table.n_cols && looks_like_title(&c.text) {
                ctx.title = Some(c.text.trim().to_string());
            }
        }
    }
    ctx
}

/// A long title wraps: "236-中央高校…基础设施改造项目（小学）项目" on one line and "绩效目标表" on the
/// next. A short title line whose line above is neither a title, a unit nor an agency line is the
/// end of that line's title.
fn with_wrapped_start(table: &Table, title: String) -> String {
    let Some(at) = table.context.iter().rposition(|p| p.trim() == title.trim()) else { return title };
    if at == 0 || canon(&title).chars().count() > 8 {
        return title;
    }
    let before = &table.context[at - 1];
    let b = canon(before);
    let other_line = looks_like_title(before)
        || b.contains("单位:")
        || parse_agency_line(before).is_some()
        || parse_labelled_agency(before).is_some()
        || b.ends_with(['。', '.', ':', '；', ';']);
    if other_line {
        return title;
    }
    format!("{}{}", before.trim(), title.trim())
}

/// The header of a grid with column headers: how many rows it takes and each column's leaf name
/// (the lowest non-empty header text covering the column, whitespace removed).
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub rows: usize,
    pub leaf: Vec<String>,
}

impl Header {
    /// Reads the header of `table` given the number of header rows.
    pub fn read(table: &Table, rows: usize) -> Header {
        let leaf = (0..table.n_cols)
            .map(|c| {
                (0..rows)
                    .rev()
                    .map(|r| squash(text_at(table, r, c)))
                    .find(|t| !t.is_empty())
                    .unwrap_or_default()
            })
            .collect();
        Header { rows, leaf }
    }

    /// The first column whose leaf name, as a label, satisfies `pred`.
    pub fn find(&self, pred: impl Fn(&str) -> bool) -> Option<usize> {
        self.leaf.iter().position(|l| pred(&label_key(l)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agency_lines() {
        assert_eq!(
            parse_agency_line("433001曹妃甸区行政审批局本级"),
            Some(("433001".into(), "曹妃甸区行政审批局本级".into()))
        );
        assert_eq!(
            parse_agency_line("630001 秦皇岛市山海关区行政审批局本级"),
            Some(("630001".into(), "秦皇岛市山海关区行政审批局本级".into()))
        );
        assert_eq!(
            parse_agency_line("441001玉田县行政审批局本级\t\t\t单位：元"),
            Some(("441001".into(), "玉田县行政审批局本级".into()))
        );
        assert_eq!(parse_agency_line("单位：万元"), None);
        assert_eq!(parse_agency_line("2021年预算"), None);
    }

    #[test]
    fn labelled_agency_lines() {
        assert_eq!(parse_labelled_agency("部门：江苏省人大常委会办公厅              单位：万元").as_deref(), Some("江苏省人大常委会办公厅"));
        assert_eq!(parse_labelled_agency("编制单位：上海市普陀区民政局").as_deref(), Some("上海市普陀区民政局"));
        assert_eq!(parse_labelled_agency("单位：万元"), None);
        assert_eq!(parse_labelled_agency("部门：  单位：万元"), None);
    }

    #[test]
    fn titles() {
        assert_eq!(strip_list_number("1.购买第三方服务绩效目标表"), "购买第三方服务绩效目标表");
        assert_eq!(strip_list_number("12．平台建设费绩效目标表"), "平台建设费绩效目标表");
        assert_eq!(strip_list_number("2021年区政务服务管理办预算整体绩效目标表"), "2021年区政务服务管理办预算整体绩效目标表");
        assert_eq!(strip_list_number("购买第三方服务绩效目标表"), "购买第三方服务绩效目标表");
        assert_eq!(strip_list_number("表2 2024年一般公共预算支出预算表（按功能分类）"), "2024年一般公共预算支出预算表（按功能分类）");
        assert_eq!(strip_list_number("附表3-1：部门收入总表"), "部门收入总表");
        assert_eq!(strip_list_number("表格说明"), "表格说明");
        assert_eq!(strip_list_number("十一、2018年度一般公共预算机关运行经费支出预算表"), "2018年度一般公共预算机关运行经费支出预算表");
        assert_eq!(strip_list_number("公开06表：财政拨款基本支出预算表"), "财政拨款基本支出预算表");
        assert_eq!(strip_list_number("表 4：高等学校财政拨款支出决算表"), "高等学校财政拨款支出决算表");
        assert_eq!(strip_list_number("二十世纪表"), "二十世纪表");
        assert!(looks_like_title("1.购买第三方服务绩效目标表"));
        assert!(looks_like_title("财政项目支出绩效目标表（2023年度）"));
        assert!(!looks_like_title("单位：万元"));
    }

    #[test]
    fn label_keys() {
        assert_eq!(label_key("其中：财政    资金"), "财政资金");
        assert_eq!(label_key("资金总额(万元)"), "资金总额");
        assert_eq!(label_key("项目资金（元）"), "项目资金");
        assert_eq!(label_key("项目名称："), "项目名称");
    }
}
