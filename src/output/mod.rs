//! Flat outputs for analysts: CSV files and an XLSX workbook built from extraction documents.
//!
//! Both formats write the same sheets, built once here: `budget_lines` (one row per 科目 line,
//! one column per amount key, in 元), `projects` (one row per project or department performance
//! record), `indicators` (one row per indicator, joined to its record by `record`), `warnings`,
//! and one sheet per table (the grid; merged cells repeated or left blank, `MergedCells`).
//! The JSON document stays the reference: every value here is read from it, none recomputed.

pub mod csv;
pub mod review;
pub mod xlsx;

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::interpret::Record;
use crate::model::{Extraction, Table};

/// What `yusuan extract` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// The extraction document (CONTRACT §2), one per input.
    Json,
    /// records_*.csv and warnings.csv for all inputs, plus one CSV per table; UTF-8 with BOM.
    Csv,
    /// One workbook per input with the same sheets as the CSV files.
    Xlsx,
}

/// How a table sheet shows a merged (spanning) cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MergedCells {
    /// Every slot the cell covers repeats its text (what pandas and SQL want).
    Fill,
    /// Only the top-left slot holds the text (in XLSX the region is merged either way).
    Blank,
}

/// One value of a sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    /// A decimal amount (元) or percentage, written as a number in XLSX.
    Number(Decimal),
    /// An index or a count.
    Count(u64),
    Empty,
}

impl Value {
    fn text(s: &Option<String>) -> Value {
        s.as_ref().map_or(Value::Empty, |s| Value::Text(s.clone()))
    }
    fn number(d: &Option<Decimal>) -> Value {
        d.map_or(Value::Empty, Value::Number)
    }
    fn count(n: Option<usize>) -> Value {
        n.map_or(Value::Empty, |n| Value::Count(n as u64))
    }
    /// The CSV form: amounts as plain decimals ("2996500.00"), no grouping.
    pub fn to_csv(&self) -> String {
        match self {
            Value::Text(s) => s.clone(),
            Value::Number(d) => d.to_string(),
            Value::Count(n) => n.to_string(),
            Value::Empty => String::new(),
        }
    }
}

/// A merged region of a table sheet, 0-based inclusive, in grid coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merge {
    pub first_row: usize,
    pub first_col: usize,
    pub last_row: usize,
    pub last_col: usize,
}

/// One sheet: a header row (empty for table grids) and rows of values.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    pub merges: Vec<Merge>,
}

const BUDGET_LINE_COLUMNS: [&str; 8] =
    ["document", "table", "row", "table_title", "agency_name", "amount_unit", "subject_code", "subject_name"];

pub const PROJECT_COLUMNS: [&str; 27] = [
    "document",
    "record",
    "kind",
    "tables",
    "title",
    "agency_code",
    "agency_name",
    "amount_unit",
    "project_code",
    "project_name",
    "budget_total",
    "budget_fiscal",
    "budget_other",
    "budget_department",
    "fund_use",
    "plan_mar",
    "plan_jun",
    "plan_oct",
    "plan_dec",
    "goal",
    "competent_dept",
    "implementing_unit",
    "project_nature",
    "start_date",
    "end_date",
    "overview",
    "legal_basis",
];

pub const INDICATOR_COLUMNS: [&str; 15] = [
    "document",
    "record",
    "project_code",
    "project_name",
    "level1",
    "level2",
    "level3",
    "description",
    "value",
    "comparator",
    "target",
    "unit",
    "basis",
    "weight",
    "kind",
];

pub const WARNING_COLUMNS: [&str; 5] = ["document", "code", "message", "table", "row"];

fn tables_text(tables: &[usize]) -> Value {
    if tables.is_empty() {
        Value::Empty
    } else {
        Value::Text(tables.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(";"))
    }
}

/// The budget-line sheet of several documents: the amount columns are the union of every line's
/// amount keys, in the order first met.
pub fn budget_lines_sheet(extractions: &[&Extraction]) -> Sheet {
    let mut keys: Vec<String> = Vec::new();
    for x in extractions {
        for r in &x.records {
            if let Record::BudgetLine(line) = r {
                for k in line.amounts.keys() {
                    if !keys.contains(k) {
                        keys.push(k.clone());
                    }
                }
            }
        }
    }
    let mut header: Vec<String> = BUDGET_LINE_COLUMNS.iter().map(|s| s.to_string()).collect();
    header.extend(keys.iter().cloned());
    let mut rows = Vec::new();
    for x in extractions {
        for r in &x.records {
            let Record::BudgetLine(line) = r else { continue };
            let mut row = vec![
                Value::Text(x.source.file_name.clone()),
                Value::count(line.source_tables.first().copied()),
                Value::count(line.row),
                Value::text(&line.table_title),
                Value::text(&line.agency_name),
                Value::text(&line.amount_unit),
                Value::text(&line.subject_code),
                Value::text(&line.subject_name),
            ];
            row.extend(keys.iter().map(|k| Value::number(line.amounts.get(k).unwrap_or(&None))));
            rows.push(row);
        }
    }
    Sheet { name: "budget_lines".into(), header, rows, merges: Vec::new() }
}

/// Project and department performance records, one row each; `record` is the record's index in
/// its document's `records`, the key the indicator sheet joins on.
pub fn projects_sheet(extractions: &[&Extraction]) -> Sheet {
    let mut rows = Vec::new();
    for x in extractions {
        let doc = Value::Text(x.source.file_name.clone());
        for (i, r) in x.records.iter().enumerate() {
            let row = match r {
                Record::ProjectPerformance(p) => {
                    let plan = p.spending_plan.clone().unwrap_or_default();
                    vec![
                        doc.clone(),
                        Value::Count(i as u64),
                        Value::Text("project_performance".into()),
                        tables_text(&p.source_tables),
                        Value::text(&p.title),
                        Value::text(&p.agency_code),
                        Value::text(&p.agency_name),
                        Value::text(&p.amount_unit),
                        Value::text(&p.project_code),
                        Value::text(&p.project_name),
                        Value::number(&p.budget_total),
                        Value::number(&p.budget_fiscal),
                        Value::number(&p.budget_other),
                        Value::Empty,
                        Value::text(&p.fund_use),
                        Value::number(&plan.mar),
                        Value::number(&plan.jun),
                        Value::number(&plan.oct),
                        Value::number(&plan.dec),
                        Value::text(&p.goal),
                        Value::text(&p.competent_dept),
                        Value::text(&p.implementing_unit),
                        Value::text(&p.project_nature),
                        Value::text(&p.start_date),
                        Value::text(&p.end_date),
                        Value::text(&p.overview),
                        Value::text(&p.legal_basis),
                    ]
                }
                Record::DepartmentPerformance(d) => {
                    let mut row = vec![
                        doc.clone(),
                        Value::Count(i as u64),
                        Value::Text("department_performance".into()),
                        tables_text(&d.source_tables),
                        Value::text(&d.title),
                        Value::Empty,
                        Value::text(&d.agency_name),
                        Value::text(&d.amount_unit),
                        Value::Empty,
                        Value::Empty,
                        Value::number(&d.budget_total),
                        Value::Empty,
                        Value::Empty,
                        Value::number(&d.budget_department),
                        Value::Empty,
                    ];
                    row.extend(std::iter::repeat_n(Value::Empty, 4));
                    row.push(Value::text(&d.goal));
                    row.extend(std::iter::repeat_n(Value::Empty, 7));
                    row
                }
                Record::BudgetLine(_) => continue,
            };
            debug_assert_eq!(row.len(), PROJECT_COLUMNS.len());
            rows.push(row);
        }
    }
    Sheet { name: "projects".into(), header: columns(&PROJECT_COLUMNS), rows, merges: Vec::new() }
}

/// Every indicator of every performance record. A department indicator's `name` goes to `level3`
/// (it is the indicator itself), its 指标权重 to `weight`.
pub fn indicators_sheet(extractions: &[&Extraction]) -> Sheet {
    let mut rows = Vec::new();
    for x in extractions {
        let doc = Value::Text(x.source.file_name.clone());
        for (i, r) in x.records.iter().enumerate() {
            match r {
                Record::ProjectPerformance(p) => {
                    for ind in &p.indicators {
                        rows.push(vec![
                            doc.clone(),
                            Value::Count(i as u64),
                            Value::text(&p.project_code),
                            Value::text(&p.project_name),
                            Value::text(&ind.level1),
                            Value::text(&ind.level2),
                            Value::text(&ind.level3),
                            Value::text(&ind.description),
                            Value::text(&ind.value),
                            Value::text(&ind.comparator),
                            Value::number(&ind.target),
                            Value::text(&ind.unit),
                            Value::text(&ind.basis),
                            Value::Empty,
                            Value::Text("project_performance".into()),
                        ]);
                    }
                }
                Record::DepartmentPerformance(d) => {
                    for ind in &d.indicators {
                        rows.push(vec![
                            doc.clone(),
                            Value::Count(i as u64),
                            Value::Empty,
                            Value::Empty,
                            Value::Empty,
                            Value::Empty,
                            Value::text(&ind.name),
                            Value::Empty,
                            Value::text(&ind.value),
                            Value::text(&ind.comparator),
                            Value::number(&ind.target),
                            Value::text(&ind.unit),
                            Value::Empty,
                            Value::number(&ind.weight),
                            Value::Text("department_performance".into()),
                        ]);
                    }
                }
                Record::BudgetLine(_) => {}
            }
        }
    }
    Sheet { name: "indicators".into(), header: columns(&INDICATOR_COLUMNS), rows, merges: Vec::new() }
}

pub fn warnings_sheet(extractions: &[&Extraction]) -> Sheet {
    let rows = extractions
        .iter()
        .flat_map(|x| {
            x.warnings.iter().map(|w| {
                vec![
                    Value::Text(x.source.file_name.clone()),
                    Value::Text(w.code.clone()),
                    Value::Text(w.message.clone()),
                    Value::count(w.table),
                    Value::count(w.row),
                ]
            })
        })
        .collect();
    Sheet { name: "warnings".into(), header: columns(&WARNING_COLUMNS), rows, merges: Vec::new() }
}

/// The sheet name of table `index` ("table_03").
pub fn table_sheet_name(index: usize) -> String {
    format!("table_{index:02}")
}

/// A table's grid as printed text, no header row. With `Fill` every slot of a spanning cell holds
/// its text; with `Blank` only the top-left one. The merges are listed either way.
pub fn table_sheet(table: &Table, merged: MergedCells) -> Sheet {
    let mut rows = vec![vec![Value::Empty; table.n_cols]; table.n_rows];
    let mut merges = Vec::new();
    for c in &table.cells {
        if c.row + c.row_span > table.n_rows || c.col + c.col_span > table.n_cols {
            continue; // outside the grid: the tiling check of the contract would have said so
        }
        let text = if c.text.is_empty() { Value::Empty } else { Value::Text(c.text.clone()) };
        for (r, row) in rows.iter_mut().enumerate().skip(c.row).take(c.row_span) {
            for (k, slot) in row.iter_mut().enumerate().skip(c.col).take(c.col_span) {
                let top_left = r == c.row && k == c.col;
                if top_left || merged == MergedCells::Fill {
                    *slot = text.clone();
                }
            }
        }
        if c.row_span > 1 || c.col_span > 1 {
            merges.push(Merge {
                first_row: c.row,
                first_col: c.col,
                last_row: c.row + c.row_span - 1,
                last_col: c.col + c.col_span - 1,
            });
        }
    }
    Sheet { name: table_sheet_name(table.index), header: Vec::new(), rows, merges }
}

fn columns(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// A printed figure ("1,234.50", "1932.33") → its value and an Excel number format that prints
/// it exactly the same way; None for anything else (codes such as "2010301" or "02" stay text:
/// a bare integer is a 科目 code as often as an amount).
pub fn printed_number(text: &str) -> Option<(f64, String)> {
    let t = text.trim();
    if t != text || t.is_empty() {
        return None;
    }
    let unsigned = t.strip_prefix('-').unwrap_or(t);
    let (int_part, frac_part) = match unsigned.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (unsigned, None),
    };
    let grouped = int_part.contains(',');
    let groups: Vec<&str> = int_part.split(',').collect();
    let int_ok = if grouped {
        (1..=3).contains(&groups[0].len())
            && !groups[0].starts_with('0')
            && groups[1..].iter().all(|g| g.len() == 3)
            && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()))
    } else {
        !int_part.is_empty()
            && int_part.bytes().all(|b| b.is_ascii_digit())
            && (int_part == "0" || !int_part.starts_with('0'))
    };
    let frac_ok = frac_part.is_none_or(|f| !f.is_empty() && f.len() <= 6 && f.bytes().all(|b| b.is_ascii_digit()));
    if !int_ok || !frac_ok || (!grouped && frac_part.is_none()) {
        return None;
    }
    let digits: String = t.chars().filter(|c| *c != ',').collect();
    let value = Decimal::from_str(&digits).ok()?;
    if value.mantissa().unsigned_abs() > 1u128 << 53 {
        return None; // beyond what an f64 holds exactly
    }
    let decimals = frac_part.map_or(0, str::len);
    let mut format = if grouped { "#,##0".to_string() } else { "0".to_string() };
    if decimals > 0 {
        format.push('.');
        format.push_str(&"0".repeat(decimals));
    }
    let as_f64: f64 = digits.parse().ok()?;
    (crate::decode::xlsx::render_number_format(as_f64, &format) == t).then_some((as_f64, format))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_numbers_keep_their_printed_form_and_codes_stay_text() {
        assert_eq!(printed_number("1,234.50"), Some((1234.5, "#,##0.00".into())));
        assert_eq!(printed_number("1932.33"), Some((1932.33, "0.00".into())));
        assert_eq!(printed_number("-12,000"), Some((-12000.0, "#,##0".into())));
        assert_eq!(printed_number("0.50"), Some((0.5, "0.00".into())));
        for text in ["2010301", "02", "1,23", "01.5", " 1.5", "1.", "abc", "1,234,56.0", "", "-"] {
            assert_eq!(printed_number(text), None, "{text}");
        }
    }
}
