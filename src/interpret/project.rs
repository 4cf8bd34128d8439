//! 项目绩效目标表 of every layout → `ProjectPerformance`.
//!
//! The layouts differ in where things are (Hebei: 项目编码 / 预算数 / 资金支出计划 rows, indicators
//! in the same table or a second one; Yutian: the same with spacer columns; Chongqing: 主管部门 /
//! 资金总额(万元) / 起止时间 and "指标 1:" items; Shanghai 填报表: 计划开始日期 and a 项目资金（元）
//! block) but not in how they are read: a label cell names the field and the value is the next
//! non-empty cell to its right (or below, for a row of labels over a row of values); the indicator
//! block is found by its 一级指标 header row and read by column meaning.

use std::sync::OnceLock;

use regex::Regex;
use rust_decimal::Decimal;

use super::classify::indicator_header_row;
use super::headers::{below, covering, header_bottom, label_key, right_of, row_cells, strip_list_number, table_context, text_at};
use super::record::{Indicator, ProjectPerformance, SpendingPlan};
use super::values::{canon, factor_of, parse_amount, parse_date, parse_percent, parse_quantity, squash, DateEnd};
use crate::model::{Cell, Table};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Code,
    Name,
    Total,
    Fiscal,
    Other,
    Carryover,
    FundUse,
    Goal,
    CompetentDept,
    ImplementingUnit,
    Nature,
    Start,
    End,
    Overview,
    LegalBasis,
    /// 项目资金（元）: a block heading carrying the unit, no value of its own.
    FundsBlock,
    /// Labels that are neither a field nor a value (项目类别, 年度资金申请总额 …): they stop a
    /// value search and hold no field.
    Ignored,
}

/// The field a label names, by meaning (synonyms across layouts).
pub(crate) fn field_of(label: &str) -> Option<Field> {
    use Field::*;
    let k = label_key(label);
    let f = match k.as_str() {
        "项目编码" | "项目代码" => Code,
        "项目名称" => Name,
        "预算数" | "资金总额" | "项目资金总额" | "项目总金额" | "预算金额" | "年度资金总额" => Total,
        "财政资金" | "财政拨款" => Fiscal,
        "其他资金" => Other,
        "上年结转" | "上年结转资金" => Carryover,
        "主管部门" | "主管单位" | "主管部门及代码" | "主管单位及代码" => CompetentDept,
        "实施单位" | "项目实施单位" => ImplementingUnit,
        "项目起始时间" | "项目开始时间" | "计划开始日期" | "开始日期" | "开始时间" | "起始时间" => Start,
        "项目终止时间" | "项目结束时间" | "计划完成日期" | "完成日期" | "结束日期" | "终止时间" | "结束时间" => End,
        "项目概况" | "项目简介" | "项目总目标" => Overview,
        "立项依据" | "项目立项依据" => LegalBasis,
        "绩效目标" | "项目当年绩效目标" | "当年绩效目标" | "年度绩效目标" | "年度总体目标" => Goal,
        "项目资金" => FundsBlock,
        "项目类别" | "年度资金申请总额" | "当年财政拨款" | "绩效指标" | "单位" => Ignored,
        _ if k.starts_with("项目性质") => Nature,
        _ if k.contains("资金用途") => FundUse,
        _ => return None,
    };
    Some(f)
}

fn is_label(cell: &Cell) -> bool {
    field_of(&cell.text).is_some() || month_of(&cell.text).is_some()
}

/// 3月底 / 6月底 / 10月底 / 12月底 → index in the spending plan.
fn month_of(label: &str) -> Option<usize> {
    match canon(label).trim_end_matches('%') {
        "3月底" | "3月" | "一季度" | "第一季度" => Some(0),
        "6月底" | "6月" | "二季度" | "第二季度" => Some(1),
        "10月底" | "10月" => Some(2),
        "12月底" | "12月" | "四季度" | "第四季度" => Some(3),
        _ => None,
    }
}

/// The value printed for the label `cell`: the next non-empty cell to its right, unless another
/// label comes first. A label with a label (or nothing) right beside it heads a column: a row of
/// labels over a row of values, as in the Shanghai 项目资金（元） block — its value is below.
fn value_of<'t>(table: &'t Table, cell: &Cell) -> Option<&'t Cell> {
    let mut next = right_of(table, cell);
    let mut first = true;
    while let Some(n) = next {
        if is_label(n) {
            if first {
                break;
            }
            return None;
        }
        first = false;
        if !n.text.trim().is_empty() {
            return Some(n);
        }
        next = right_of(table, n);
    }
    if !first {
        return None;
    }
    below(table, cell).filter(|b| !is_label(b) && b.col == cell.col && b.col_span == cell.col_span)
}

fn value_text(table: &Table, cell: &Cell) -> Option<String> {
    value_of(table, cell).map(|v| v.text.trim().to_string()).filter(|t| !t.is_empty())
}

/// Sets a field that is not set yet: of two labels naming one field, the first in reading order wins.
fn fill<T>(slot: &mut Option<T>, value: impl FnOnce() -> Option<T>) {
    if slot.is_none() {
        *slot = value();
    }
}

/// Reads the project information above `stop_row` into `rec`.
fn read_information(table: &Table, stop_row: usize, factor: Decimal, rec: &mut ProjectPerformance) {
    let mut plan = SpendingPlan::default();
    let mut has_plan = false;
    let mut cells: Vec<&Cell> = table.cells.iter().filter(|c| c.row < stop_row).collect();
    cells.sort_by_key(|c| (c.row, c.col));
    for cell in &cells {
        if let Some(m) = month_of(&cell.text) {
            has_plan = true;
            let slot = match m {
                0 => &mut plan.mar,
                1 => &mut plan.jun,
                2 => &mut plan.oct,
                _ => &mut plan.dec,
            };
            fill(slot, || below(table, cell).and_then(|b| parse_percent(&b.text)));
            continue;
        }
        let Some(field) = field_of(&cell.text) else { continue };
        let text = || value_text(table, cell);
        let amount = || text().and_then(|t| parse_amount(&t, factor));
        match field {
            Field::Code => fill(&mut rec.project_code, || text().map(|t| squash(&t))),
            Field::Name => fill(&mut rec.project_name, text),
            Field::Total => fill(&mut rec.budget_total, amount),
            Field::Fiscal => fill(&mut rec.budget_fiscal, amount),
            Field::Other => fill(&mut rec.budget_other, amount),
            Field::Carryover => fill(&mut rec.budget_carryover, amount),
            Field::FundUse => fill(&mut rec.fund_use, || fund_use(table, cell)),
            Field::Goal => fill(&mut rec.goal, text),
            Field::CompetentDept => fill(&mut rec.competent_dept, || text().map(|t| without_department_code(&t))),
            Field::ImplementingUnit => fill(&mut rec.implementing_unit, text),
            Field::Nature => fill(&mut rec.project_nature, text),
            Field::Start => fill(&mut rec.start_date, || text().and_then(|t| parse_date(&t, DateEnd::Start))),
            Field::End => fill(&mut rec.end_date, || text().and_then(|t| parse_date(&t, DateEnd::End))),
            Field::Overview => fill(&mut rec.overview, text),
            Field::LegalBasis => fill(&mut rec.legal_basis, text),
            Field::FundsBlock | Field::Ignored => {}
        }
    }
    // A plan block left blank is no plan (null), as for a layout without one.
    let plan_printed = [plan.mar, plan.jun, plan.oct, plan.dec].iter().any(Option::is_some);
    if has_plan && plan_printed && rec.spending_plan.is_none() {
        rec.spending_plan = Some(plan);
    }
}

/// "[105]教育部" / "教育部 105" / "教育部（105）" → "教育部": the 主管部门及代码 cell names the
/// department and its budget code; the field is the department.
fn without_department_code(text: &str) -> String {
    static CODE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = CODE.get_or_init(|| regex::Regex::new(r"^\s*[\[【(（]?\s*\d{2,6}\s*[\]】)）]?\s*|\s*[\[【(（]?\s*\d{2,6}\s*[\]】)）]?\s*$").unwrap());
    let t = re.replace_all(text.trim(), "").trim().to_string();
    if t.is_empty() { text.trim().to_string() } else { t }
}

/// 资金用途: the Hebei "预算规模及资金用途" label spans two rows; 预算数 … fill one of them, the
/// purpose text the other. A label that names only 资金用途 has its value to the right.
fn fund_use(table: &Table, label: &Cell) -> Option<String> {
    let key = label_key(&label.text);
    if key == "资金用途" {
        return value_text(table, label);
    }
    let col = label.col + label.col_span;
    for r in label.row..label.row + label.row_span {
        let row_has_label = row_cells(table, r).iter().any(|c| c.col >= col && is_label(c));
        if row_has_label {
            continue;
        }
        let mut c = col;
        while c < table.n_cols {
            let Some(cell) = covering(table, r, c) else { break };
            if !cell.text.trim().is_empty() && cell.row == r {
                return Some(cell.text.trim().to_string());
            }
            c = cell.col + cell.col_span;
        }
    }
    None
}

/// The column roles of an indicator block's header row.
#[derive(Debug, Default, Clone)]
struct IndicatorColumns {
    level1: Option<usize>,
    level2: Option<usize>,
    level3: Option<usize>,
    description: Option<usize>,
    value: Option<usize>,
    basis: Option<usize>,
}

fn indicator_columns(table: &Table, header_row: usize) -> IndicatorColumns {
    let mut cols = IndicatorColumns::default();
    for c in row_cells(table, header_row) {
        let k = label_key(&c.text);
        let slot = match k.as_str() {
            "一级指标" => &mut cols.level1,
            "二级指标" => &mut cols.level2,
            "三级指标" => &mut cols.level3,
            "指标值" | "指标值(包含数字及文字描述)" | "目标值" => &mut cols.value,
            _ if k.contains("指标描述") || k == "指标内容" => &mut cols.description,
            _ if k.contains("确定依据") || k.contains("设定依据") => &mut cols.basis,
            _ if k.starts_with("指标值") => &mut cols.value,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(c.col);
        }
    }
    cols
}

/// "指标 1:" / "指标1：" / "指标:4:" numbering and a trailing ;；。 removed.
fn clean_level3(text: &str) -> String {
    static NUM: OnceLock<Regex> = OnceLock::new();
    let re = NUM.get_or_init(|| Regex::new(r"^指标\s*[:：]?\s*\d+\s*[:：.．、]\s*").unwrap());
    let t = text.trim();
    let t = re.replace(t, "");
    t.trim_end_matches([';', '；', '。']).trim().to_string()
}

/// An indicator block being read: its column roles and the 一级 / 二级 labels to fill down, kept
/// so that the block's rows continued in a table of their own (a page break the layout did not
/// stitch) read on as the same block.
#[derive(Debug, Clone)]
pub struct IndicatorBlock {
    cols: IndicatorColumns,
    n_cols: usize,
    last1: Option<String>,
    last2: Option<String>,
}

/// The indicators below `header_row`, with 一级 / 二级 labels filled down over merged or blank cells.
fn read_indicators(table: &Table, header_row: usize) -> (Vec<Indicator>, Option<IndicatorBlock>) {
    let cols = indicator_columns(table, header_row);
    if cols.level3.or(cols.level2).is_none() {
        return (Vec::new(), None);
    }
    let from = header_bottom(table, header_row, &[cols.level1, cols.level2, cols.level3, cols.value]);
    let mut block = IndicatorBlock { cols, n_cols: table.n_cols, last1: None, last2: None };
    let out = read_indicator_rows(table, from, &mut block);
    (out, Some(block))
}

fn read_indicator_rows(table: &Table, from: usize, block: &mut IndicatorBlock) -> Vec<Indicator> {
    let cols = &block.cols;
    let Some(l3) = cols.level3.or(cols.level2) else { return Vec::new() };
    let mut out = Vec::new();
    for r in from..table.n_rows {
        if crate::interpret::classify::is_indicator_header_row(table, r) {
            break;
        }
        let text = |c: Option<usize>| -> Option<String> {
            c.map(|c| text_at(table, r, c).trim().to_string()).filter(|t| !t.is_empty())
        };
        let mut level1 = text(cols.level1);
        let mut level2 = if cols.level3.is_some() { text(cols.level2) } else { None };
        let level3_cell = covering(table, r, l3);
        let level3 = level3_cell.filter(|c| c.row == r || c.row_span == 1).map(|c| clean_level3(&c.text)).filter(|t| !t.is_empty());
        let value_col = cols.value.or_else(|| level3_cell.map(|c| c.col + c.col_span)).filter(|&c| c < table.n_cols);
        let value = value_col
            .and_then(|c| covering(table, r, c))
            .filter(|c| c.row == r)
            .map(|c| c.text.trim().to_string())
            .filter(|t| !t.is_empty());
        if level1.is_none() {
            level1 = block.last1.clone();
        } else if level1 != block.last1 {
            block.last2 = None;
        }
        if level2.is_none() {
            level2 = block.last2.clone();
        }
        block.last1 = level1.clone();
        block.last2 = level2.clone();
        if level3.is_none() && value.is_none() {
            continue;
        }
        let (comparator, target, unit) = value.as_deref().map(parse_quantity).unwrap_or((None, None, None));
        out.push(Indicator {
            level1: level1.map(|t| squash(&t)),
            level2: level2.map(|t| squash(&t)),
            level3,
            description: text(cols.description),
            value,
            comparator,
            target,
            unit,
            basis: text(cols.basis),
        });
    }
    out
}

/// The state of `table`'s last indicator block after its last row, for a continuation to read on.
pub fn indicator_block(table: &Table) -> Option<IndicatorBlock> {
    let header = (0..table.n_rows).rev().find(|&r| crate::interpret::classify::is_indicator_header_row(table, r))?;
    read_indicators(table, header).1
}

/// Reads `table` as more rows of `block` when it is that: the same columns, no title, header or
/// project labels of its own, and 三级指标 with values where the block has them.
pub fn read_indicator_continuation(table: &Table, block: &mut IndicatorBlock) -> Option<Vec<Indicator>> {
    if table.n_cols != block.n_cols || table_context(table).title.is_some() || indicator_header_row(table).is_some() {
        return None;
    }
    if table.cells.iter().any(|c| is_label(c) && !matches!(field_of(&c.text), Some(Field::Ignored))) {
        return None;
    }
    let mut trial = block.clone();
    let found = read_indicator_rows(table, 0, &mut trial);
    let complete = found.iter().filter(|i| i.level3.is_some() && i.value.is_some()).count();
    if complete == 0 || complete * 2 < found.len() {
        return None;
    }
    *block = trial;
    Some(found)
}

/// The row ranges of the projects a project table holds. Usually one; several where projects
/// printed on consecutive pages reach us as one table (a PDF table continued over a page break
/// looks the same as the next project's table): a 项目名称 / 项目编码 label after an indicator
/// block starts the next project.
pub fn project_segments(table: &Table) -> Vec<(usize, usize)> {
    let mut label_rows: Vec<usize> = table
        .cells
        .iter()
        .filter(|c| matches!(field_of(&c.text), Some(Field::Name | Field::Code)))
        .map(|c| c.row)
        .collect();
    label_rows.sort_unstable();
    label_rows.dedup();
    let headers: Vec<usize> =
        (0..table.n_rows).filter(|&r| crate::interpret::classify::is_indicator_header_row(table, r)).collect();
    let mut starts = vec![0];
    // The label row that opened the current project.
    let mut opened = label_rows.first().copied().unwrap_or(0);
    for &r in &label_rows {
        if headers.iter().any(|&h| h > opened && h < r) {
            starts.push(r);
            opened = r;
        }
    }
    let mut out = Vec::new();
    for (i, &a) in starts.iter().enumerate() {
        let b = starts.get(i + 1).copied().unwrap_or(table.n_rows);
        out.push((a, b));
    }
    out
}

/// The rows `a..b` of `table` as a table of their own (cells keep their grid rows; a cell
/// reaching past `b` is cut there). Only the first segment keeps the paragraphs printed above.
fn segment(table: &Table, a: usize, b: usize) -> Table {
    let cells = table
        .cells
        .iter()
        .filter(|c| c.row >= a && c.row < b)
        .map(|c| {
            let mut c = c.clone();
            c.row_span = c.row_span.min(b - c.row);
            c
        })
        .collect();
    Table {
        n_rows: b,
        cells,
        title: if a == 0 { table.title.clone() } else { None },
        context: if a == 0 { table.context.clone() } else { Vec::new() },
        ..table.clone()
    }
}

/// Reads a project table: one record per project it holds (see [`project_segments`]).
pub fn read_projects(table: &Table) -> Vec<ProjectPerformance> {
    let segments = project_segments(table);
    if segments.len() == 1 {
        return vec![read_project(table, None)];
    }
    let mut out: Vec<ProjectPerformance> = Vec::new();
    for (a, b) in segments {
        // The unit printed above the first project holds for the ones run on after it; its
        // agency line and title do not.
        let inherited = out.first().and_then(|f| f.amount_unit.clone());
        out.push(read_project(&segment(table, a, b), inherited));
    }
    out
}

/// Reads one project table (information, and indicators when it has them); `inherited_unit` is
/// the unit of the project printed before it when the table prints none of its own.
fn read_project(table: &Table, inherited_unit: Option<String>) -> ProjectPerformance {
    let ctx = table_context(table);
    let header = indicator_header_row(table);
    let stop = header.unwrap_or(table.n_rows);
    let unit = ctx.unit.clone().or_else(|| unit_in_labels(table, stop)).or(inherited_unit);
    let factor = factor_of(unit.as_deref());
    let mut rec = ProjectPerformance {
        title: ctx.title.as_deref().map(strip_list_number),
        agency_code: ctx.agency_code,
        agency_name: ctx.agency_name,
        amount_unit: unit,
        source_tables: vec![table.index],
        ..ProjectPerformance::default()
    };
    read_information(table, stop, factor, &mut rec);
    if let Some(h) = header {
        rec.indicators = read_indicators(table, h).0;
    }
    rec
}

/// Indicators of a table that has only an indicator block (the second table of a Hebei pair).
/// The information rows a table of indicators prints above its block — the 年度总体目标 that did
/// not fit on the page before (the central 教育部 form) — complete the fields the record has not
/// got yet.
pub fn complete_information(table: &Table, rec: &mut ProjectPerformance) {
    let stop = indicator_header_row(table).unwrap_or(table.n_rows);
    let factor = factor_of(rec.amount_unit.as_deref());
    read_information(table, stop, factor, rec);
}

pub fn read_indicator_table(table: &Table) -> Vec<Indicator> {
    indicator_header_row(table).map(|h| read_indicators(table, h).0).unwrap_or_default()
}

/// A unit printed in a label such as "资金总额(万元)" or "项目资金（元）".
fn unit_in_labels(table: &Table, stop_row: usize) -> Option<String> {
    table
        .cells
        .iter()
        .filter(|c| c.row < stop_row && field_of(&c.text).is_some())
        .find_map(|c| super::values::find_unit(&c.text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn competent_department_without_its_code() {
        assert_eq!(without_department_code("[105]教育部"), "教育部");
        assert_eq!(without_department_code("教育部 105"), "教育部");
        assert_eq!(without_department_code("教育部（105）"), "教育部");
        assert_eq!(without_department_code("秦皇岛市山海关区行政审批局"), "秦皇岛市山海关区行政审批局");
    }

    #[test]
    fn central_template_labels() {
        assert_eq!(field_of("年度资金总额："), Some(Field::Total));
        assert_eq!(field_of("上年结转"), Some(Field::Carryover));
        assert_eq!(field_of("主管部门及代码"), Some(Field::CompetentDept));
        assert_eq!(field_of("其中：财政拨款"), Some(Field::Fiscal));
    }
}
