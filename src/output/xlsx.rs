//! One workbook per document with rust_xlsxwriter: the record sheets (amounts and percentages as
//! numbers with two decimals) and one sheet per table (merged regions kept as merges, printed
//! figures as numbers whose number format prints them as in the document).

use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};

use super::{
    budget_lines_sheet, indicators_sheet, printed_number, projects_sheet, table_sheet, warnings_sheet, MergedCells,
    Sheet, Value,
};
use crate::model::Extraction;

/// The sheet names in order: the four record sheets, then `table_NN` per table.
pub const RECORD_SHEETS: [&str; 4] = ["budget_lines", "projects", "indicators", "warnings"];

/// The workbook of one extraction, as bytes.
pub fn workbook(extraction: &Extraction, merged: MergedCells) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let docs = [extraction];
    for sheet in [budget_lines_sheet(&docs), projects_sheet(&docs), indicators_sheet(&docs), warnings_sheet(&docs)] {
        write_record_sheet(book.add_worksheet(), &sheet)?;
    }
    for table in &extraction.tables {
        write_table_sheet(book.add_worksheet(), &table_sheet(table, merged))?;
    }
    book.save_to_buffer()
}

fn write_record_sheet(ws: &mut Worksheet, sheet: &Sheet) -> Result<(), XlsxError> {
    ws.set_name(&sheet.name)?;
    let bold = Format::new().set_bold();
    let amount = Format::new().set_num_format("0.00");
    for (col, name) in sheet.header.iter().enumerate() {
        ws.write_string_with_format(0, col as u16, name, &bold)?;
    }
    for (r, row) in sheet.rows.iter().enumerate() {
        let r = (r + 1) as u32;
        for (col, value) in row.iter().enumerate() {
            let col = col as u16;
            match value {
                Value::Text(s) => {
                    ws.write_string(r, col, excel_text(s))?;
                }
                Value::Number(d) => {
                    ws.write_number_with_format(r, col, d.to_f64().unwrap_or(f64::NAN), &amount)?;
                }
                Value::Count(n) => {
                    ws.write_number(r, col, *n as f64)?;
                }
                Value::Empty => {}
            }
        }
    }
    if !sheet.header.is_empty() {
        ws.set_freeze_panes(1, 0)?;
    }
    Ok(())
}

fn write_table_sheet(ws: &mut Worksheet, sheet: &Sheet) -> Result<(), XlsxError> {
    ws.set_name(&sheet.name)?;
    let cell_format = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let mut merged_slot = vec![vec![false; sheet.rows.first().map_or(0, Vec::len)]; sheet.rows.len()];
    for m in &sheet.merges {
        // A merge must be written with its text; the top-left value is written over it below
        // (rust_xlsxwriter's way of putting a number into a merged range).
        ws.merge_range(m.first_row as u32, m.first_col as u16, m.last_row as u32, m.last_col as u16, "", &cell_format)?;
        for row in merged_slot.iter_mut().take(m.last_row + 1).skip(m.first_row) {
            for slot in row.iter_mut().take(m.last_col + 1).skip(m.first_col) {
                *slot = true;
            }
        }
        merged_slot[m.first_row][m.first_col] = false;
    }
    for (r, row) in sheet.rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            // Inside a merge only the top-left cell is kept by Excel; `Fill` text there is noise.
            if merged_slot[r][c] {
                continue;
            }
            write_printed(ws, r as u32, c as u16, value, &cell_format)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_over_excels_cell_limit_are_cut_at_it() {
        let long = "预".repeat(40_000);
        assert_eq!(excel_text(&long).chars().count(), 32_767);
        assert_eq!(excel_text("短"), "短");
        let mut book = Workbook::new();
        let sheet = Sheet {
            name: "warnings".into(),
            header: vec!["message".into()],
            rows: vec![vec![Value::Text(long)]],
            merges: Vec::new(),
        };
        write_record_sheet(book.add_worksheet(), &sheet).unwrap();
        assert!(book.save_to_buffer().is_ok());
    }
}

/// Excel holds at most 32 767 characters in a cell; a longer text (a very long 项目概况) is cut
/// there rather than failing the whole workbook. The JSON and CSV keep it whole.
fn excel_text(s: &str) -> &str {
    const MAX_CHARS: usize = 32_767;
    match s.char_indices().nth(MAX_CHARS) {
        Some((end, _)) => &s[..end],
        None => s,
    }
}

/// Writes a table cell: a printed figure as a number with the format that prints it the same,
/// anything else as text.
pub fn write_printed(ws: &mut Worksheet, row: u32, col: u16, value: &Value, base: &Format) -> Result<(), XlsxError> {
    match value {
        Value::Text(s) => match printed_number(s) {
            Some((number, code)) => {
                ws.write_number_with_format(row, col, number, &base.clone().set_num_format(code))?;
            }
            None => {
                ws.write_string_with_format(row, col, excel_text(s), base)?;
            }
        },
        Value::Number(d) => {
            ws.write_number_with_format(row, col, d.to_f64().unwrap_or(f64::NAN), base)?;
        }
        Value::Count(n) => {
            ws.write_number_with_format(row, col, *n as f64, base)?;
        }
        Value::Empty => {
            ws.write_blank(row, col, base)?;
        }
    }
    Ok(())
}
