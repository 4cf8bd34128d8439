//! A reviewer's plain-text view of an extraction's findings (`yusuan extract --review`): for each
//! warning its code and message, and for the document-level ones the prose sentence with its pages
//! and the table cell it disagrees with. The JSON document is unchanged; this only reads it.

use std::fmt::Write as _;

use crate::model::{Extraction, Warning};

pub fn review(extraction: &Extraction) -> String {
    let mut out = String::new();
    let n = extraction.warnings.len();
    let _ = writeln!(out, "{}: {n} finding{}", extraction.source.file_name, if n == 1 { "" } else { "s" });
    for (i, w) in extraction.warnings.iter().enumerate() {
        let _ = writeln!(out, "{}. [{}] {}", i + 1, w.code, w.message);
        if let Some(q) = &w.quote {
            let _ = writeln!(out, "   prose{}: “{q}”", pages(&w.text_pages));
        } else if !w.text_pages.is_empty() {
            let _ = writeln!(out, "   prose{}", pages(&w.text_pages));
        }
        if let Some(cell) = cell_line(extraction, w) {
            let _ = writeln!(out, "   {cell}");
        }
    }
    out
}

fn pages(pages: &[u32]) -> String {
    match pages {
        [] => String::new(),
        [p] => format!(" (page {p})"),
        _ => format!(" (pages {})", pages.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ")),
    }
}

/// "table 3 “收支预算总表” row 3 col 5 (page 10): 12,323.48"; the table and row when the warning
/// names no cell.
fn cell_line(extraction: &Extraction, w: &Warning) -> Option<String> {
    let table_index = w.cell.as_ref().map(|c| c.table).or(w.table)?;
    let title = extraction
        .tables
        .iter()
        .find(|t| t.index == table_index)
        .and_then(|t| t.title.as_deref())
        .map(|t| format!(" “{}”", t.split_whitespace().collect::<String>()))
        .unwrap_or_default();
    Some(match &w.cell {
        Some(c) => {
            let page = c.page.map(|p| format!(" (page {p})")).unwrap_or_default();
            format!("table {table_index}{title} row {} col {}{page}: {}", c.row, c.col, c.text.split_whitespace().collect::<String>())
        }
        None => match w.row {
            Some(r) => format!("table {table_index}{title} row {r}"),
            None => format!("table {table_index}{title}"),
        },
    })
}
