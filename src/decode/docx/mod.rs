//! DOCX → explicit cell grids (w:tblGrid, w:gridSpan, w:vMerge, w:gridBefore/After) plus the
//! paragraphs printed before each table.
//!
//! Steps: `package::vet` opens the zip under the limits (entries, bytes per entry and in total,
//! compression ratio, all measured while inflating) and re-packs only XML parts that
//! `xml_scan::scan_part` accepted: well-formed as docx-rs's own parser reads them (docx-rs spins
//! for ever on some damaged XML), no DTD, nesting within the limit, and few enough paragraphs and
//! elements for docx-rs's in-memory model to stay within `package::DOCX_MODEL_BUDGET_BYTES`.
//! docx-rs parses that package; this module walks the body in document order.
//!
//! Decisions (tested in tests/docx_grid.rs):
//! - Cell text: the cell's paragraphs joined with "\n", each paragraph the concatenation of its
//!   runs, hyperlinks, content controls and tracked insertions (deletions and field instructions
//!   left out); tabs as "\t", breaks as "\n"; trimmed.
//! - Nested tables: the outer grid is kept as it is; the inner table's text (rows joined with
//!   "\n", cells with "\t") becomes part of the outer cell's text, and the inner table is also
//!   emitted as its own table right after its outer table (outer first, then inner tables in
//!   document order). An inner table's context is the paragraphs before it in the same cell.
//! - `header_rows`: the leading rows marked "repeat as header row" (`w:tblHeader`). When none is
//!   marked, a first row with vertically merged cells opens a multi-level header and the rows those
//!   merges cover are the header (see `header_block_from_merges`); otherwise 0. No guessing from
//!   words here: that is the records stage's job.
//! - `context`: up to 4 non-empty paragraphs between the previous table and this one, nearest
//!   last; `title` the nearest of them that ends in 表 or 表（…）.
//! - Merges implied by blank cells are not made here: the grid reports what the file says.
//! - Free text (`DocxDocument::text`, the extraction's `text`): every non-empty paragraph outside
//!   the tables, in document order, for the document-level checks. A DOCX has no pages until it is
//!   rendered, so `page` counts the hard page breaks the file holds: 1 + the page breaks
//!   (`w:br w:type="page"`, `w:pageBreakBefore`) and section ends before the paragraph (a
//!   paragraph is on the page it starts on). `top` is the paragraph's 0-based position in the
//!   document's free text, so (page, top) sorts in reading order as it does for a PDF.

mod grid;
pub(crate) mod package;
mod salvage;
pub(crate) mod xml_scan;

use std::sync::OnceLock;

use docx_rs::{
    DocumentChild, InsertChild, MoveToChild, Paragraph, ParagraphChild, ReadDocxOptions, ReaderError, Run,
    RunChild, StructuredDataTag, StructuredDataTagChild, TableCellContent, TableChild, TableRowChild,
};
use regex::Regex;

use crate::error::ExtractError;
use crate::limits::{Deadline, Limits};
use crate::model::{Table, TextBlock, Warning};

pub use grid::MAX_GRID_SLOTS;
use grid::{SourceCell, SourceRow, VMerge};

#[derive(Debug, Clone, Default)]
pub struct DocxDocument {
    pub tables: Vec<Table>,
    pub warnings: Vec<Warning>,
    /// The paragraphs outside tables, in document order (see the module notes for page / top).
    pub text: Vec<TextBlock>,
}

/// How many paragraphs before a table are kept as its context.
const CONTEXT_PARAGRAPHS: usize = 4;

pub fn decode(bytes: &[u8], limits: &Limits, deadline: &Deadline) -> Result<DocxDocument, ExtractError> {
    let package = package::vet(bytes, limits, deadline)?;
    deadline.check("parsing the DOCX")?;
    let options = ReadDocxOptions::default().with_image_previews(false);
    let docx = docx_rs::read_docx_with_options(&package.zip, options).map_err(reader_error)?;
    let mut walker =
        Walker { deadline, next_seq: 0, emitted: Vec::new(), context: Vec::new(), text: Vec::new(), page: 1 };
    walker.blocks(&docx.document.children)?;

    // The header marks were counted by the scanner in start-tag order; they apply only if the
    // scanner and this walk saw the same tables.
    let marks = &package.main_document.header_rows_per_table;
    let marks_agree = marks.len() == walker.next_seq;
    let text = std::mem::take(&mut walker.text);
    let tables = walker
        .emitted
        .into_iter()
        .enumerate()
        .map(|(index, (seq, mut table))| {
            table.index = index;
            let marked = if marks_agree { marks[seq].min(table.n_rows) } else { 0 };
            table.header_rows = if marked > 0 { marked } else { header_block_from_merges(&table) };
            table
        })
        .collect();
    let mut warnings = Vec::new();
    if !package.damage.is_empty() {
        warnings.push(Warning::new("damaged_document", package.damage.join("; ")));
    }
    Ok(DocxDocument { tables, warnings, text })
}

/// For a table with no row marked as header: when the first row holds vertically merged cells,
/// those open a multi-level column header (合计 spanning two rows beside 科目 over 类 | 款 | 项), and
/// the header block is the leading rows they cover, widened until no header cell reaches past it.
/// Without such a cell nothing in the grid says where a header ends, so 0. A block holding a
/// number is a form (label | value pairs), not a column header, so also 0.
pub(crate) fn header_block_from_merges(table: &Table) -> usize {
    let end = merged_leading_block(table);
    let holds_number = table.cells.iter().filter(|c| c.row < end).any(|c| is_number(&c.text));
    if holds_number {
        0
    } else {
        end
    }
}

fn is_number(text: &str) -> bool {
    let t = text.trim();
    t.chars().any(|c| c.is_ascii_digit())
        && t.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | '%' | '+'))
}

fn merged_leading_block(table: &Table) -> usize {
    let mut end = table.cells.iter().filter(|c| c.row == 0).map(|c| c.row + c.row_span).max().unwrap_or(0);
    if end <= 1 || end >= table.n_rows {
        return 0;
    }
    loop {
        let widened =
            table.cells.iter().filter(|c| c.row < end).map(|c| c.row + c.row_span).max().unwrap_or(end);
        if widened <= end {
            return end;
        }
        if widened >= table.n_rows {
            return 0;
        }
        end = widened;
    }
}

fn reader_error(e: ReaderError) -> ExtractError {
    match e {
        ReaderError::DocumentNotFoundError => {
            ExtractError::Truncated("the package has no main document part".into())
        }
        other => ExtractError::Truncated(format!("the document XML could not be read: {other}")),
    }
}

struct Walker<'a> {
    deadline: &'a Deadline,
    /// Tables started so far, counted in start order (outer before inner).
    next_seq: usize,
    /// Emitted tables with their start-order number.
    emitted: Vec<(usize, Table)>,
    /// Non-empty paragraphs since the previous top-level table.
    context: Vec<String>,
    /// Every non-empty paragraph outside tables, in document order.
    text: Vec<TextBlock>,
    /// 1 + the hard page breaks met so far.
    page: u32,
}

impl Walker<'_> {
    fn blocks(&mut self, children: &[DocumentChild]) -> Result<(), ExtractError> {
        for child in children {
            match child {
                DocumentChild::Paragraph(p) => self.paragraph(p),
                DocumentChild::Table(t) => self.top_level_table(t)?,
                DocumentChild::StructuredDataTag(sdt) => self.block_sdt(sdt)?,
                _ => {}
            }
        }
        Ok(())
    }

    fn block_sdt(&mut self, sdt: &StructuredDataTag) -> Result<(), ExtractError> {
        for child in &sdt.children {
            match child {
                StructuredDataTagChild::Paragraph(p) => self.paragraph(p),
                StructuredDataTagChild::Table(t) => self.top_level_table(t)?,
                StructuredDataTagChild::StructuredDataTag(inner) => self.block_sdt(inner)?,
                StructuredDataTagChild::Run(r) => {
                    let mut text = String::new();
                    run_text(r, &mut text);
                    self.push_context(text);
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn paragraph(&mut self, p: &Paragraph) {
        if p.property.page_break_before == Some(true) {
            self.page += 1;
        }
        self.push_context(paragraph_text(p));
        // A break inside the paragraph or the end of a section puts what follows on a new page.
        self.page += page_breaks(&p.children) as u32 + u32::from(p.property.section_property.is_some());
    }

    fn push_context(&mut self, text: String) {
        let text = text.trim();
        if !text.is_empty() {
            self.context.push(text.to_string());
            let top = self.text.len() as f64;
            self.text.push(TextBlock { page: self.page, top, text: text.to_string() });
        }
    }

    fn top_level_table(&mut self, t: &docx_rs::Table) -> Result<(), ExtractError> {
        let context = std::mem::take(&mut self.context);
        let mut nested = Vec::new();
        let (seq, table) = self.table(t, context, &mut nested)?;
        if let Some(table) = table {
            self.emitted.push((seq, table));
        }
        self.emitted.extend(nested);
        Ok(())
    }

    /// Builds one table; tables nested in its cells are appended to `nested` (in start order).
    /// Returns None for a table without rows or columns.
    fn table(
        &mut self,
        t: &docx_rs::Table,
        context: Vec<String>,
        nested: &mut Vec<(usize, Table)>,
    ) -> Result<(usize, Option<Table>), ExtractError> {
        self.deadline.check("reading DOCX tables")?;
        let seq = self.next_seq;
        self.next_seq += 1;
        let mut rows = Vec::new();
        for TableChild::TableRow(row) in &t.rows {
            if row.property.del.is_some() {
                continue; // a tracked row deletion: not part of the table as it reads
            }
            let props = serde_json::to_value(&row.property).unwrap_or_default();
            let mut source = SourceRow {
                grid_before: json_count(&props, "gridBefore"),
                grid_after: json_count(&props, "gridAfter"),
                cells: Vec::new(),
            };
            for TableRowChild::TableCell(cell) in &row.cells {
                let props = serde_json::to_value(&cell.property).unwrap_or_default();
                let v_merge = match props.get("verticalMerge").and_then(|v| v.as_str()) {
                    Some("restart") => VMerge::Restart,
                    Some("continue") => VMerge::Continue,
                    _ => VMerge::None,
                };
                let text = self.cell_text(&cell.children, nested)?;
                source.cells.push(SourceCell {
                    grid_span: json_count(&props, "gridSpan").max(1),
                    v_merge,
                    text,
                });
            }
            rows.push(source);
        }
        let grid = grid::build(t.grid.len(), &rows)?;
        if grid.n_rows == 0 || grid.n_cols == 0 {
            return Ok((seq, None));
        }
        let title = context.iter().rev().find(|p| looks_like_title(p)).cloned();
        let keep_from = context.len().saturating_sub(CONTEXT_PARAGRAPHS);
        Ok((
            seq,
            Some(Table {
                index: 0,
                pages: Vec::new(),
                title,
                n_rows: grid.n_rows,
                n_cols: grid.n_cols,
                header_rows: 0,
                cells: grid.cells,
                context: context[keep_from..].to_vec(),
            }),
        ))
    }

    fn cell_text(
        &mut self,
        children: &[TableCellContent],
        nested: &mut Vec<(usize, Table)>,
    ) -> Result<String, ExtractError> {
        let mut pieces: Vec<String> = Vec::new();
        let mut local_context: Vec<String> = Vec::new();
        for child in children {
            match child {
                TableCellContent::Paragraph(p) => {
                    let text = paragraph_text(p);
                    note_context(&mut local_context, &text);
                    pieces.push(text);
                }
                TableCellContent::Table(inner) => {
                    pieces.push(self.nested_table(inner, &mut local_context, nested)?);
                }
                TableCellContent::StructuredDataTag(sdt) => {
                    self.cell_sdt(sdt, &mut pieces, &mut local_context, nested)?;
                }
                TableCellContent::TableOfContents(_) => {}
            }
        }
        Ok(pieces.join("\n").trim().to_string())
    }

    fn cell_sdt(
        &mut self,
        sdt: &StructuredDataTag,
        pieces: &mut Vec<String>,
        local_context: &mut Vec<String>,
        nested: &mut Vec<(usize, Table)>,
    ) -> Result<(), ExtractError> {
        for child in &sdt.children {
            match child {
                StructuredDataTagChild::Paragraph(p) => {
                    let text = paragraph_text(p);
                    note_context(local_context, &text);
                    pieces.push(text);
                }
                StructuredDataTagChild::Run(r) => {
                    let mut text = String::new();
                    run_text(r, &mut text);
                    pieces.push(text);
                }
                StructuredDataTagChild::Table(inner) => {
                    pieces.push(self.nested_table(inner, local_context, nested)?);
                }
                StructuredDataTagChild::StructuredDataTag(inner) => {
                    self.cell_sdt(inner, pieces, local_context, nested)?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Builds a table found inside a cell, queues it for emission and returns its text for the
    /// outer cell.
    fn nested_table(
        &mut self,
        inner: &docx_rs::Table,
        local_context: &mut Vec<String>,
        nested: &mut Vec<(usize, Table)>,
    ) -> Result<String, ExtractError> {
        let mut deeper = Vec::new();
        let (seq, table) = self.table(inner, std::mem::take(local_context), &mut deeper)?;
        let mut text = String::new();
        if let Some(table) = table {
            text = table
                .text_rows()
                .iter()
                .map(|row| row.join("\t").trim_end().to_string())
                .collect::<Vec<_>>()
                .join("\n");
            nested.push((seq, table));
        }
        nested.extend(deeper);
        Ok(text)
    }
}

fn note_context(context: &mut Vec<String>, text: &str) {
    let text = text.trim();
    if !text.is_empty() {
        context.push(text.to_string());
    }
}

/// A non-negative count from docx-rs's serialised property struct; absent or null is 0.
fn json_count(props: &serde_json::Value, key: &str) -> usize {
    props.get(key).and_then(|v| v.as_u64()).map(|v| v as usize).unwrap_or(0)
}

pub(crate) fn looks_like_title(paragraph: &str) -> bool {
    static TITLE: OnceLock<Regex> = OnceLock::new();
    TITLE
        .get_or_init(|| Regex::new(r"表\s*(?:[（(][^（）()]*[）)])?$").expect("title pattern compiles"))
        .is_match(paragraph.trim())
}

/// The text of a paragraph as it reads: runs, hyperlinks, content controls, insertions and
/// moved-in text; deletions, moved-out text and field instructions left out.
pub(crate) fn paragraph_text(p: &Paragraph) -> String {
    let mut out = String::new();
    paragraph_children_text(&p.children, &mut out);
    out
}

fn paragraph_children_text(children: &[ParagraphChild], out: &mut String) {
    for child in children {
        match child {
            ParagraphChild::Run(r) => run_text(r, out),
            ParagraphChild::Insert(ins) => {
                for c in &ins.children {
                    if let InsertChild::Run(r) = c {
                        run_text(r, out);
                    }
                }
            }
            ParagraphChild::MoveTo(mv) => {
                for c in &mv.children {
                    if let MoveToChild::Run(r) = c {
                        run_text(r, out);
                    }
                }
            }
            ParagraphChild::Hyperlink(h) => paragraph_children_text(&h.children, out),
            ParagraphChild::StructuredDataTag(sdt) => inline_sdt_text(sdt, out),
            _ => {}
        }
    }
}

fn inline_sdt_text(sdt: &StructuredDataTag, out: &mut String) {
    for child in &sdt.children {
        match child {
            StructuredDataTagChild::Run(r) => run_text(r, out),
            StructuredDataTagChild::Paragraph(p) => paragraph_children_text(&p.children, out),
            StructuredDataTagChild::StructuredDataTag(inner) => inline_sdt_text(inner, out),
            _ => {}
        }
    }
}

/// The hard page breaks (`w:br w:type="page"`) among a paragraph's runs. docx-rs keeps the break
/// type private; its serialised form names it.
fn page_breaks(children: &[ParagraphChild]) -> usize {
    let in_run = |r: &Run| {
        r.children
            .iter()
            .filter(|c| match c {
                RunChild::Break(b) => serde_json::to_value(b).is_ok_and(|v| v["breakType"] == "page"),
                _ => false,
            })
            .count()
    };
    children
        .iter()
        .map(|child| match child {
            ParagraphChild::Run(r) => in_run(r),
            ParagraphChild::Insert(ins) => {
                ins.children.iter().map(|c| if let InsertChild::Run(r) = c { in_run(r) } else { 0 }).sum()
            }
            ParagraphChild::Hyperlink(h) => page_breaks(&h.children),
            _ => 0,
        })
        .sum()
}

fn run_text(run: &Run, out: &mut String) {
    for child in &run.children {
        match child {
            RunChild::Text(t) => out.push_str(&t.text),
            RunChild::Tab(_) | RunChild::PTab(_) => out.push('\t'),
            RunChild::Break(_) | RunChild::CarriageReturn(_) => out.push('\n'),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_end_in_biao() {
        assert!(looks_like_title("1.购买第三方服务绩效目标表"));
        assert!(looks_like_title("部门收支总表（2021年）"));
        assert!(looks_like_title("一般公共预算支出表 (万元) "));
        assert!(!looks_like_title("单位：万元"));
        assert!(!looks_like_title("433001曹妃甸区行政审批局本级"));
        assert!(!looks_like_title("表格说明如下"));
    }
}
