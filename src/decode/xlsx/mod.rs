//! XLSX → one table per worksheet, plus the rows printed above it as the table's context.
//!
//! Steps: `package::vet` opens the zip under the DOCX limits and re-packs only the XML parts that
//! pass the same scan (well formed, no DTD, nesting within the limit). calamine reads the cell
//! values (shared strings, inline strings, the *cached* result of formulas: nothing is ever
//! recalculated, and external links are never followed) and the merged regions; `scan` reads what
//! calamine does not tell: each cell's number format and borders, and the print-title rows.
//!
//! Decisions (tested in tests/formats.rs and the corpus's `*_xlsx` families):
//! - Cell text: what Excel prints: numbers through their number format ("#,##0.00" →
//!   "1,234.50", `yyyy"年"m"月"d"日"` → "2023年1月1日"), strings as stored; trimmed.
//! - The table: the ruled rows (a bordered cell, as bureaus draw tables): the consecutive ruled
//!   rows from the first, and further down to the last ruled row holding text; columns from the first
//!   to the last holding text, a ruled cell or a merge. A sheet without any bordered cell: from the first row with two or more texts (a title
//!   row has one) to the last row with text.
//! - Merged regions → row/column spans (clipped to the table; a region overlapping an earlier one
//!   is dropped, so the cells still tile the grid).
//! - `context`: the texts of the rows above the table, row by row and left to right, nearest last
//!   (up to 4, as for DOCX); `title` the nearest of them that ends in 表, else the sheet name when
//!   it does, else none. Text below the table (notes) belongs to no table.
//! - `header_rows`: the sheet's print-title rows (打印标题, "repeat at top") inside the table, the
//!   XLSX counterpart of DOCX's repeated header rows; without them the leading merged block, as
//!   for DOCX.
//! - Hidden sheets and chart sheets are skipped: they are not printed.

mod numfmt;
mod package;
mod scan;

use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;

use calamine::{DataRef, Reader, SheetType, SheetVisible, Xlsx};

use crate::decode::docx::{header_block_from_merges, looks_like_title, MAX_GRID_SLOTS};
use crate::error::ExtractError;
use crate::limits::{Deadline, Limits};
use crate::model::{Cell, Table, Warning};

pub use numfmt::render as render_number_format;

/// How many rows above a table are kept as its context (as for DOCX paragraphs).
const CONTEXT_LINES: usize = 4;

#[derive(Debug, Clone, Default)]
pub struct XlsxDocument {
    pub tables: Vec<Table>,
    pub warnings: Vec<Warning>,
}

pub fn decode(bytes: &[u8], limits: &Limits, deadline: &Deadline) -> Result<XlsxDocument, ExtractError> {
    let package = package::vet(bytes, limits, deadline)?;
    deadline.check("parsing the XLSX")?;
    let styles = package.part("xl/styles.xml").map(|xml| scan::cell_styles(&xml)).unwrap_or_default();
    let workbook_scan = match (package.part("xl/workbook.xml"), package.part("xl/_rels/workbook.xml.rels")) {
        (Some(wb), Some(rels)) => scan::workbook(&wb, &rels),
        _ => return Err(ExtractError::Truncated("the package has no xl/workbook.xml or its relationships".into())),
    };
    let mut workbook: Xlsx<_> =
        Xlsx::new(Cursor::new(&package.zip[..])).map_err(|e| calamine_error("the workbook", e))?;
    workbook.load_merged_regions().map_err(|e| calamine_error("the merged regions", e))?;

    let mut tables = Vec::new();
    let mut warnings = Vec::new();
    let mut cells_read = 0u64;
    let sheets = workbook.sheets_metadata().to_vec();
    for sheet in sheets {
        deadline.check("reading XLSX sheets")?;
        if sheet.typ != SheetType::WorkSheet || sheet.visible != SheetVisible::Visible {
            continue;
        }
        let sheet_scan = workbook_scan
            .sheet_paths
            .iter()
            .find(|(name, _)| *name == sheet.name)
            .and_then(|(_, path)| package.part(path))
            .map(|xml| scan::sheet(&xml))
            .unwrap_or_default();
        let texts =
            sheet_texts(&mut workbook, &sheet.name, &sheet_scan, &styles, &mut cells_read, limits, deadline)?;
        if sheet_scan.formulas > 0 {
            warnings.push(Warning::new(
                "xlsx_formulas",
                format!(
                    "sheet {}: {} cells hold formulas; their saved results are read, nothing is recalculated",
                    sheet.name, sheet_scan.formulas
                ),
            ));
        }
        let merges: Vec<Region> = workbook
            .merged_regions_by_sheet(&sheet.name)
            .into_iter()
            .map(|(_, _, d)| Region { top: d.start.0, left: d.start.1, bottom: d.end.0, right: d.end.1 })
            .filter(|r| r.bottom >= r.top && r.right >= r.left)
            .collect();
        let bordered: Vec<(u32, u32)> = sheet_scan
            .styles
            .iter()
            .filter(|(_, &s)| styles.get(s as usize).is_some_and(|st| st.bordered))
            .map(|(&pos, _)| pos)
            .collect();
        let print_titles = workbook_scan.print_titles.get(&sheet.name).copied();
        if let Some(table) = sheet_table(&sheet.name, &texts, &merges, &bordered, print_titles)? {
            tables.push(table);
        }
    }
    for (index, table) in tables.iter_mut().enumerate() {
        table.index = index;
    }
    Ok(XlsxDocument { tables, warnings })
}

fn calamine_error(what: &str, e: calamine::XlsxError) -> ExtractError {
    ExtractError::Truncated(format!("{what} could not be read: {e}"))
}

/// Every non-empty cell of a sheet as printed, by (row, col).
fn sheet_texts(
    workbook: &mut Xlsx<Cursor<&[u8]>>,
    sheet: &str,
    scan: &scan::SheetScan,
    styles: &[scan::CellStyle],
    cells_read: &mut u64,
    limits: &Limits,
    deadline: &Deadline,
) -> Result<BTreeMap<(u32, u32), String>, ExtractError> {
    let mut texts = BTreeMap::new();
    let mut reader = workbook.worksheet_cells_reader(sheet).map_err(|e| calamine_error(sheet, e))?;
    while let Some(cell) = reader.next_cell().map_err(|e| calamine_error(sheet, e))? {
        let position = cell.get_position();
        let format = scan.styles.get(&position).and_then(|&s| styles.get(s as usize)).map(|s| s.format.as_str());
        let text = printed(cell.get_value(), format.unwrap_or("General"));
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        *cells_read += 1;
        if *cells_read > limits.max_xlsx_cells {
            // Budget workbooks hold thousands of cells; each read one is a String in a map.
            return Err(ExtractError::TooLarge(format!(
                "the workbook holds more than {} non-empty cells",
                limits.max_xlsx_cells
            )));
        }
        if *cells_read % 65_536 == 0 {
            deadline.check("reading XLSX cells")?;
        }
        texts.insert(position, text.to_string());
    }
    Ok(texts)
}

fn printed(value: &DataRef, format: &str) -> String {
    match value {
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Float(f) => numfmt::render(*f, format),
        DataRef::Int(i) => numfmt::render(*i as f64, format),
        DataRef::DateTime(d) => numfmt::render(d.as_f64(), format),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
        DataRef::Empty => String::new(),
    }
}

/// A merged region, 0-based inclusive.
#[derive(Debug, Clone, Copy)]
struct Region {
    top: u32,
    left: u32,
    bottom: u32,
    right: u32,
}

/// One sheet's cells → its table (None when the sheet holds no text).
fn sheet_table(
    sheet_name: &str,
    texts: &BTreeMap<(u32, u32), String>,
    merges: &[Region],
    bordered: &[(u32, u32)],
    print_titles: Option<(u32, u32)>,
) -> Result<Option<Table>, ExtractError> {
    let Some(last_text_row) = texts.keys().map(|&(r, _)| r).max() else { return Ok(None) };
    let mut texts_per_row: BTreeMap<u32, usize> = BTreeMap::new();
    for &(r, _) in texts.keys() {
        *texts_per_row.entry(r).or_default() += 1;
    }
    let (top, bottom) = if bordered.is_empty() {
        let first = texts_per_row.iter().find(|(_, &n)| n >= 2).map(|(&r, _)| r);
        (first.unwrap_or(last_text_row), last_text_row)
    } else {
        let rows: std::collections::BTreeSet<u32> = bordered.iter().map(|&(r, _)| r).collect();
        let first = rows.first().copied().unwrap_or(0);
        // The ruled block: consecutive bordered rows from the first, blank ruled rows included
        // (an empty table still prints its empty data row); past a gap, down to the last ruled row
        // holding text: a borderless row inside a table does not end it, stray ruled empty cells
        // or an unruled note below do not stretch it.
        let mut block_end = first;
        while rows.contains(&(block_end + 1)) {
            block_end += 1;
        }
        let last_ruled_text = rows.iter().rev().find(|r| texts_per_row.contains_key(r)).copied().unwrap_or(first);
        (first, block_end.max(last_ruled_text))
    };
    // A merge starting in the table may reach below its last text row (a blank spanning cell).
    let bottom = merges
        .iter()
        .filter(|m| m.top >= top && m.top <= bottom)
        .map(|m| m.bottom)
        .fold(bottom, u32::max)
        .min(bottom.saturating_add(1_000));
    let in_rows = |r: u32| r >= top && r <= bottom;
    // Columns: those holding text or a ruled cell in the table's rows.
    let columns = || texts.keys().chain(bordered.iter()).filter(|(r, _)| in_rows(*r)).map(|&(_, c)| c);
    let Some(left) = columns().min() else { return Ok(None) };
    let right = columns().max().unwrap_or(left);
    let right = merges
        .iter()
        .filter(|m| in_rows(m.top) && m.left >= left && m.left <= right)
        .map(|m| m.right)
        .fold(right, u32::max);
    let n_rows = (bottom - top + 1) as usize;
    let n_cols = (right - left + 1) as usize;
    if n_cols > MAX_GRID_SLOTS || n_rows.saturating_mul(n_cols) > MAX_GRID_SLOTS {
        return Err(ExtractError::TooLarge(format!(
            "sheet {sheet_name}: a table of {n_rows}×{n_cols} slots exceeds the limit of {MAX_GRID_SLOTS}"
        )));
    }

    // Spans from the merges, clipped to the table; overlaps dropped so the cells tile the grid.
    let mut covered = vec![false; n_rows * n_cols];
    let mut spans: HashMap<(usize, usize), (usize, usize)> = HashMap::new();
    for m in merges {
        let (t, l) = (m.top.max(top), m.left.max(left));
        let (b, r) = (m.bottom.min(bottom), m.right.min(right));
        if t > b || l > r || (t == b && l == r) {
            continue;
        }
        let (t, l, b, r) = ((t - top) as usize, (l - left) as usize, (b - top) as usize, (r - left) as usize);
        let free = (t..=b).all(|row| (l..=r).all(|col| !covered[row * n_cols + col]));
        if !free {
            continue;
        }
        for row in t..=b {
            for col in l..=r {
                covered[row * n_cols + col] = true;
            }
        }
        spans.insert((t, l), (b - t + 1, r - l + 1));
    }
    let mut cells = Vec::new();
    for row in 0..n_rows {
        for col in 0..n_cols {
            let span = spans.get(&(row, col)).copied();
            if span.is_none() && covered[row * n_cols + col] {
                continue; // inside a merge, not its top-left
            }
            let (row_span, col_span) = span.unwrap_or((1, 1));
            let text = texts.get(&(top + row as u32, left + col as u32)).cloned().unwrap_or_default();
            cells.push(Cell { row, col, row_span, col_span, text, page: None, bbox: None });
        }
    }

    let mut context: Vec<String> =
        texts.range(..(top, 0)).map(|(_, text)| text.clone()).collect::<Vec<_>>();
    let title = context
        .iter()
        .rev()
        .find(|p| looks_like_title(p))
        .cloned()
        .or_else(|| looks_like_title(sheet_name).then(|| sheet_name.to_string()));
    let keep_from = context.len().saturating_sub(CONTEXT_LINES);
    context.drain(..keep_from);
    let mut table = Table {
        index: 0,
        pages: Vec::new(),
        title,
        n_rows,
        n_cols,
        header_rows: 0,
        cells,
        context,
    };
    table.header_rows = match print_titles {
        Some((first, last)) if first <= top && last >= top => ((last - top + 1) as usize).min(n_rows),
        _ => header_block_from_merges(&table),
    };
    Ok(Some(table))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(items: &[((u32, u32), &str)]) -> BTreeMap<(u32, u32), String> {
        items.iter().map(|(p, t)| (*p, t.to_string())).collect()
    }

    #[test]
    fn borders_title_rows_merges_and_print_titles_make_the_table() {
        let texts = texts(&[
            ((0, 0), "某单位收支总表"),
            ((1, 3), "单位：万元"),
            ((2, 0), "收入"),
            ((2, 2), "支出"),
            ((3, 0), "项目"),
            ((3, 1), "预算数"),
            ((3, 2), "项目"),
            ((3, 3), "预算数"),
            ((4, 0), "一般公共预算"),
            ((4, 1), "1,932.33"),
            ((7, 0), "备注：本表无数据"),
        ]);
        let merges = [Region { top: 0, left: 0, bottom: 0, right: 3 }, Region { top: 2, left: 0, bottom: 2, right: 1 }, Region { top: 2, left: 2, bottom: 2, right: 3 }];
        // Borders on the table rows 2..=4, and one stray ruled cell far below.
        let mut bordered: Vec<(u32, u32)> = (2..=4).flat_map(|r| (0..4).map(move |c| (r, c))).collect();
        bordered.push((40, 0));
        let table = sheet_table("Sheet1", &texts, &merges, &bordered, Some((2, 3))).unwrap().unwrap();
        assert_eq!((table.n_rows, table.n_cols), (3, 4));
        assert_eq!(table.title.as_deref(), Some("某单位收支总表"));
        assert_eq!(table.context, ["某单位收支总表", "单位：万元"]);
        assert_eq!(table.header_rows, 2);
        table.check_tiling().unwrap();
        let first = &table.cells[0];
        assert_eq!((first.text.as_str(), first.col_span), ("收入", 2));
        assert_eq!(table.text_rows()[2], ["一般公共预算", "1,932.33", "", ""]);

        // An empty ruled data row under the table is part of it (an empty table prints one).
        let with_empty_row: Vec<(u32, u32)> = (2..=5).flat_map(|r| (0..4).map(move |c| (r, c))).collect();
        let table = sheet_table("Sheet1", &texts, &merges, &with_empty_row, None).unwrap().unwrap();
        assert_eq!(table.n_rows, 4);
        assert_eq!(table.header_rows, 0, "no print titles, and row 0's merges do not reach down");

        // Without borders: the first row with two texts starts the table.
        let table = sheet_table("收支总表", &texts, &merges, &[], None).unwrap().unwrap();
        assert_eq!(table.n_rows, 6); // rows 2..=7, the note included: nothing says where it ends
        assert_eq!(table.context, ["某单位收支总表", "单位：万元"]);
    }

    #[test]
    fn huge_extent_is_refused_and_overlapping_merges_dropped() {
        let far = texts(&[((0, 0), "a"), ((0, 1), "b"), ((1_048_575, 16_383), "far")]);
        let err = sheet_table("s", &far, &[], &[], None).unwrap_err();
        assert_eq!(err.code(), "too_large");
        let small = texts(&[((0, 0), "a"), ((0, 1), "b"), ((1, 0), "c")]);
        let merges = [Region { top: 0, left: 0, bottom: 1, right: 0 }, Region { top: 1, left: 0, bottom: 1, right: 1 }];
        let table = sheet_table("s", &small, &merges, &[], None).unwrap().unwrap();
        table.check_tiling().unwrap();
        assert_eq!(table.cells[0].row_span, 2);
    }
}
