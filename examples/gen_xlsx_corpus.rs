//! Writes the corpus's XLSX families from the DOCX truth: each table of a `*_docx` truth becomes a
//! worksheet laid out as bureaus publish their Excel tables, and the truth is the DOCX truth with
//! only the format-specific fields changed (file name, sha256, format).
//!
//!     cargo run --example gen_xlsx_corpus -- corpus/
//!
//! A sheet: the table's context paragraphs above it, one per row (the title merged across the
//! table's width, "单位：…" in the last column as Excel templates place it); then the table with
//! thin borders on every cell, its spans as merged regions, its printed figures as numbers whose
//! number format prints them as in the DOCX ("#,##0.00", "0.00"; codes such as "2010301" stay
//! text), and its header rows as print titles (打印标题). Sheet names are the titles (Excel allows
//! 31 characters) or "表<n>" for tables without one. The output is byte-for-byte reproducible:
//! the document properties carry a fixed date.

use std::collections::HashSet;
use std::path::PathBuf;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook};
use sha2::{Digest, Sha256};
use yusuan::model::{Extraction, Format as SourceFormat, Table};
use yusuan::output::Value;

/// (DOCX family, XLSX family) pairs: every DOCX family with tables.
const FAMILIES: [(&str, &str); 7] = [
    ("shanghai_budget_docx", "shanghai_budget_xlsx"),
    ("chongqing_docx", "chongqing_xlsx"),
    ("shanghai_perf_docx", "shanghai_perf_xlsx"),
    ("hebei_pair_docx", "hebei_pair_xlsx"),
    ("hebei_combined_docx", "hebei_combined_xlsx"),
    ("yutian_docx", "yutian_xlsx"),
    ("threeline_docx", "threeline_xlsx"),
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let corpus = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "corpus".into()));
    for (docx_family, xlsx_family) in FAMILIES {
        let out_dir = corpus.join(xlsx_family);
        std::fs::create_dir_all(&out_dir)?;
        let mut truths: Vec<PathBuf> = std::fs::read_dir(corpus.join(docx_family))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.to_string_lossy().ends_with(".truth.json"))
            .collect();
        truths.sort();
        for truth_path in truths {
            let docx_truth_text = std::fs::read_to_string(&truth_path)?;
            let mut truth: Extraction = serde_json::from_str(&docx_truth_text)?;
            let stem = truth_path.file_name().unwrap().to_string_lossy().trim_end_matches(".truth.json").to_string();
            let bytes = workbook(&truth.tables)?;
            let file_name = format!("{stem}.xlsx");
            std::fs::write(out_dir.join(&file_name), &bytes)?;
            truth.source.file_name = file_name.clone();
            truth.source.sha256 = hex::encode(Sha256::digest(&bytes));
            truth.source.format = SourceFormat::Xlsx;
            truth.source.page_count = None;
            // The DOCX truth's text with only its source line replaced: the same layout (sorted
            // keys, one cell per line) as every other truth file, and a diff of one line.
            let source_line = format!("  \"source\": {},", serde_json::to_value(&truth.source)?);
            let mut replaced = 0;
            let text: String = docx_truth_text
                .lines()
                .map(|line| {
                    if line.starts_with("  \"source\": ") {
                        replaced += 1;
                        source_line.clone()
                    } else {
                        line.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n")
                + "\n";
            let reread: Extraction = serde_json::from_str(&text)?;
            if replaced != 1 || reread != truth {
                return Err(format!("{}: the source line of the DOCX truth was not found once", truth_path.display()).into());
            }
            std::fs::write(out_dir.join(format!("{stem}.truth.json")), text)?;
            let cells: usize = truth.tables.iter().map(|t| t.cells.len()).sum();
            println!(
                "{xlsx_family}/{file_name}: {} sheets, {cells} cells, {} records, {} bytes",
                truth.tables.len(),
                truth.records.len(),
                bytes.len()
            );
        }
    }
    Ok(())
}

fn sheet_name(table: &Table, used: &mut HashSet<String>) -> String {
    let base: String = match &table.title {
        Some(title) => title.chars().filter(|c| !"[]:*?/\\'".contains(*c)).take(28).collect(),
        None => format!("表{}", table.index + 1),
    };
    let mut name = base.clone();
    let mut n = 2;
    while !used.insert(name.clone()) {
        name = format!("{base}{n}");
        n += 1;
    }
    name
}

fn workbook(tables: &[Table]) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut book = Workbook::new();
    let fixed = ExcelDateTime::from_ymd(2023, 1, 1)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&fixed).set_author("yusuan corpus"));
    let title_format = Format::new().set_bold().set_align(FormatAlign::Center);
    let cell_format = Format::new().set_border(FormatBorder::Thin).set_text_wrap().set_align(FormatAlign::VerticalCenter);
    let mut used = HashSet::new();
    for table in tables {
        let ws = book.add_worksheet();
        ws.set_name(sheet_name(table, &mut used))?;
        let last_col = (table.n_cols - 1) as u16;
        for (row, paragraph) in table.context.iter().enumerate() {
            let row = row as u32;
            if Some(paragraph) == table.title.as_ref() && last_col > 0 {
                ws.merge_range(row, 0, row, last_col, paragraph, &title_format)?;
            } else if paragraph.starts_with("单位") {
                ws.write_string(row, last_col, paragraph)?;
            } else {
                ws.write_string(row, 0, paragraph)?;
            }
        }
        let top = table.context.len() as u32;
        for col in 0..table.n_cols as u16 {
            ws.set_column_width(col, 14)?;
        }
        for cell in &table.cells {
            let (row, col) = (top + cell.row as u32, cell.col as u16);
            if cell.row_span > 1 || cell.col_span > 1 {
                let last_row = row + cell.row_span as u32 - 1;
                let last = col + cell.col_span as u16 - 1;
                ws.merge_range(row, col, last_row, last, "", &cell_format)?;
            }
            let value = if cell.text.is_empty() { Value::Empty } else { Value::Text(cell.text.clone()) };
            yusuan::output::xlsx::write_printed(ws, row, col, &value, &cell_format)?;
        }
        if table.header_rows > 0 {
            ws.set_repeat_rows(top, top + table.header_rows as u32 - 1)?;
        }
    }
    Ok(book.save_to_buffer()?)
}

