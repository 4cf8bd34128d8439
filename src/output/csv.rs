//! CSV files: UTF-8 with a byte-order mark (Excel opens Chinese text correctly only with it),
//! RFC 4180 quoting by the csv crate, amounts as plain decimals in 元.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{budget_lines_sheet, indicators_sheet, projects_sheet, table_sheet, warnings_sheet, MergedCells, Sheet};
use crate::model::Extraction;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Writes one sheet as `path`.
pub fn write_sheet(path: &Path, sheet: &Sheet) -> std::io::Result<()> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    file.write_all(BOM)?;
    let mut writer = ::csv::WriterBuilder::new().flexible(false).from_writer(file);
    if !sheet.header.is_empty() {
        writer.write_record(&sheet.header)?;
    }
    for row in &sheet.rows {
        writer.write_record(row.iter().map(|v| v.to_csv()))?;
    }
    writer.flush()?;
    Ok(())
}

/// The file name of a table's CSV: `<document stem>_table_<NN>.csv`.
pub fn table_file_name(document: &str, index: usize) -> String {
    let stem = Path::new(document).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    format!("{stem}_{}.csv", super::table_sheet_name(index))
}

/// One CSV per table of one document, into `dir`. Returns the paths written.
pub fn write_tables(dir: &Path, extraction: &Extraction, merged: MergedCells) -> std::io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for table in &extraction.tables {
        let path = dir.join(table_file_name(&extraction.source.file_name, table.index));
        write_sheet(&path, &table_sheet(table, merged))?;
        written.push(path);
    }
    Ok(written)
}

/// The record files of all documents together: records_budget_lines.csv, records_projects.csv,
/// records_indicators.csv and warnings.csv (each with a `document` column).
pub fn write_records(dir: &Path, extractions: &[&Extraction]) -> std::io::Result<Vec<PathBuf>> {
    let files = [
        ("records_budget_lines.csv", budget_lines_sheet(extractions)),
        ("records_projects.csv", projects_sheet(extractions)),
        ("records_indicators.csv", indicators_sheet(extractions)),
        ("warnings.csv", warnings_sheet(extractions)),
    ];
    let mut written = Vec::new();
    for (name, sheet) in files {
        let path = dir.join(name);
        write_sheet(&path, &sheet)?;
        written.push(path);
    }
    Ok(written)
}
