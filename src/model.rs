//! The extraction document of CONTRACT §2: what `extract` returns, the CLI prints, the worker
//! publishes and `eval` compares. Every stage meets here; field names are the contract's.

use serde::{Deserialize, Serialize};

use crate::interpret::Record;

pub const SCHEMA_VERSION: &str = "1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extraction {
    pub schema_version: String,
    pub source: Source,
    pub tables: Vec<Table>,
    pub records: Vec<Record>,
    pub warnings: Vec<Warning>,
    /// The document's text outside its tables (目录, headings, 情况说明 prose), page by page, top
    /// to bottom; for a DOCX its paragraphs outside tables in document order (page = 1 + hard page
    /// breaks before it, top = its position in the text); empty for XLSX. An addition to the contract: the
    /// document-level checks compare it with the tables.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub text: Vec<TextBlock>,
}

/// One piece of free text: a printed line, or the part of a line set apart by a wide gap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextBlock {
    /// 1-based page.
    pub page: u32,
    /// Top edge in PDF points, origin top-left of the page.
    pub top: f64,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Pdf,
    Docx,
    Xlsx,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub file_name: String,
    /// Lower-case hex SHA-256 of the input bytes; with the schema version it is the idempotency key.
    pub sha256: String,
    pub format: Format,
    /// Pages of a PDF; for DOCX the count of pages is not known without rendering, so null.
    pub page_count: Option<u32>,
}

/// One logical table: a table continued over page breaks is one `Table`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// 0-based position in the document.
    pub index: usize,
    /// 1-based pages the table covers (empty for DOCX).
    pub pages: Vec<u32>,
    /// The title printed above the table, when one was found.
    pub title: Option<String>,
    pub n_rows: usize,
    pub n_cols: usize,
    /// How many leading rows are header rows (0 when unknown).
    pub header_rows: usize,
    /// Every logical cell once, at its top-left grid slot; together they tile the grid.
    pub cells: Vec<Cell>,
    /// The short paragraphs printed just before the table, nearest last (title, agency line,
    /// "单位：万元"). An addition to the contract: the records stage reads agency and unit here.
    #[serde(default)]
    pub context: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub row: usize,
    pub col: usize,
    pub row_span: usize,
    pub col_span: usize,
    pub text: String,
    /// 1-based page (PDF only).
    pub page: Option<u32>,
    /// `[x0, top, x1, bottom]` in PDF points, origin top-left of the page (PDF only).
    pub bbox: Option<[f64; 4]>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    /// Stable code (`sum_mismatch`, `rounding`, `low_text_quality`, …).
    pub code: String,
    pub message: String,
    /// Index of the table concerned, if any.
    pub table: Option<usize>,
    /// Grid row concerned, if any.
    pub row: Option<usize>,
    /// Every other place the same printed defect shows (the 类 that inherits a 款's slip, the same
    /// figure in another table): one defect is one warning, with all its places. An addition to
    /// the contract.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Place>,
    /// Pages of the free text (目录, 情况说明 prose) a document-level finding quotes. An addition to
    /// the contract.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub text_pages: Vec<u32>,
    /// The prose sentence a document-level finding quotes, as printed with whitespace removed
    /// (its pages in `text_pages`). An addition to the contract.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    /// The table cell a document-level finding compares the prose with. An addition to the
    /// contract.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cell: Option<CellRef>,
}

/// One printed cell a finding points at: where it is and what it prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellRef {
    pub table: usize,
    pub row: usize,
    pub col: usize,
    /// 1-based page (PDF only).
    pub page: Option<u32>,
    pub text: String,
}

/// A (table, row) place in the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Place {
    pub table: usize,
    pub row: Option<usize>,
}

impl Warning {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Warning {
            code: code.to_string(),
            message: message.into(),
            table: None,
            row: None,
            related: Vec::new(),
            text_pages: Vec::new(),
            quote: None,
            cell: None,
        }
    }
    pub fn at(mut self, table: usize, row: Option<usize>) -> Self {
        self.table = Some(table);
        self.row = row;
        self
    }
}

impl Table {
    /// The cell whose area covers grid slot (row, col), if any.
    pub fn cell_at(&self, row: usize, col: usize) -> Option<&Cell> {
        self.cells.iter().find(|c| {
            row >= c.row && row < c.row + c.row_span && col >= c.col && col < c.col + c.col_span
        })
    }

    /// Checks the contract's tiling invariant: every grid slot covered by exactly one cell, no
    /// cell outside the grid, no zero spans. Returns a description of the first violation.
    pub fn check_tiling(&self) -> Result<(), String> {
        let mut covered = vec![0u8; self.n_rows * self.n_cols];
        for c in &self.cells {
            if c.row_span == 0 || c.col_span == 0 {
                return Err(format!("cell at ({}, {}) has a zero span", c.row, c.col));
            }
            if c.row + c.row_span > self.n_rows || c.col + c.col_span > self.n_cols {
                return Err(format!(
                    "cell at ({}, {}) span {}x{} leaves the {}x{} grid",
                    c.row, c.col, c.row_span, c.col_span, self.n_rows, self.n_cols
                ));
            }
            for r in c.row..c.row + c.row_span {
                for k in c.col..c.col + c.col_span {
                    let slot = &mut covered[r * self.n_cols + k];
                    if *slot > 0 {
                        return Err(format!("slot ({r}, {k}) is covered twice"));
                    }
                    *slot = 1;
                }
            }
        }
        match covered.iter().position(|&v| v == 0) {
            Some(i) => Err(format!("slot ({}, {}) is not covered", i / self.n_cols, i % self.n_cols)),
            None => Ok(()),
        }
    }

    /// The text grid with each cell's text at its top-left slot and "" elsewhere; handy for
    /// interpreting rows and for tests.
    pub fn text_rows(&self) -> Vec<Vec<String>> {
        let mut rows = vec![vec![String::new(); self.n_cols]; self.n_rows];
        for c in &self.cells {
            if c.row < self.n_rows && c.col < self.n_cols {
                rows[c.row][c.col] = c.text.clone();
            }
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(row: usize, col: usize, rs: usize, cs: usize) -> Cell {
        Cell { row, col, row_span: rs, col_span: cs, text: String::new(), page: None, bbox: None }
    }

    fn table(cells: Vec<Cell>, n_rows: usize, n_cols: usize) -> Table {
        Table { index: 0, pages: vec![], title: None, n_rows, n_cols, header_rows: 0, cells, context: vec![] }
    }

    #[test]
    fn tiling_accepts_spans_and_rejects_gaps_and_overlaps() {
        let ok = table(vec![cell(0, 0, 2, 1), cell(0, 1, 1, 1), cell(1, 1, 1, 1)], 2, 2);
        assert!(ok.check_tiling().is_ok());
        let gap = table(vec![cell(0, 0, 2, 1), cell(0, 1, 1, 1)], 2, 2);
        assert_eq!(gap.check_tiling().unwrap_err(), "slot (1, 1) is not covered");
        let overlap = table(vec![cell(0, 0, 2, 2), cell(1, 1, 1, 1)], 2, 2);
        assert!(overlap.check_tiling().unwrap_err().contains("covered twice"));
        let outside = table(vec![cell(0, 0, 1, 3)], 1, 2);
        assert!(outside.check_tiling().unwrap_err().contains("leaves"));
    }
}
