//! Scoring one document's extraction against its truth, and adding documents up per family.

use std::collections::BTreeMap;

use serde::Serialize;

use super::matching::{match_tables, table_similarity};
use super::metrics::{adjacency_counts, cell_counts, grits, Counts};
use super::real::Defect;
use super::records::{compare_records, FieldCount, FieldMismatch};
use crate::interpret::Record;
use crate::model::{Extraction, Format, Place, Table, Warning};

/// Raw counts, additive over documents; the rates are derived in [`Metrics`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct Scores {
    pub documents: usize,
    /// Documents whose extraction returned an error (all their tables count as missed).
    pub failed_documents: usize,
    pub tables: Counts,
    pub cells: Counts,
    pub adjacency: Counts,
    /// Expected tables that entered the GriTS means (missed tables with 0).
    pub grits_tables: usize,
    pub grits_topology_sum: f64,
    pub grits_content_sum: f64,
    /// Expected tables too large for GriTS (left out of the means).
    pub grits_skipped: usize,
    pub records: Counts,
    pub fields: FieldCount,
    pub warnings: Counts,
    /// Pages of the documents whose page count is known (PDF) and the seconds they took.
    pub pages: u64,
    pub paged_seconds: f64,
    pub seconds: f64,
}

impl Scores {
    pub fn add(&mut self, o: &Scores) {
        self.documents += o.documents;
        self.failed_documents += o.failed_documents;
        self.tables.add(o.tables);
        self.cells.add(o.cells);
        self.adjacency.add(o.adjacency);
        self.grits_tables += o.grits_tables;
        self.grits_topology_sum += o.grits_topology_sum;
        self.grits_content_sum += o.grits_content_sum;
        self.grits_skipped += o.grits_skipped;
        self.records.add(o.records);
        self.fields.add(o.fields);
        self.warnings.add(o.warnings);
        self.pages += o.pages;
        self.paged_seconds += o.paged_seconds;
        self.seconds += o.seconds;
    }

    pub fn metrics(&self) -> Metrics {
        let mean = |sum: f64| (self.grits_tables > 0).then(|| sum / self.grits_tables as f64);
        Metrics {
            table_precision: self.tables.precision(),
            table_recall: self.tables.recall(),
            cell_precision: self.cells.precision(),
            cell_recall: self.cells.recall(),
            cell_f1: self.cells.f1(),
            grits_topology: mean(self.grits_topology_sum),
            grits_content: mean(self.grits_content_sum),
            adjacency_precision: self.adjacency.precision(),
            adjacency_recall: self.adjacency.recall(),
            adjacency_f1: self.adjacency.f1(),
            record_field_accuracy: self.fields.accuracy(),
            warning_precision: self.warnings.precision(),
            warning_recall: self.warnings.recall(),
            ms_per_page: (self.pages > 0).then(|| 1000.0 * self.paged_seconds / self.pages as f64),
            ms_per_document: (self.documents > 0).then(|| 1000.0 * self.seconds / self.documents as f64),
        }
    }
}

/// The rates users read. None where the denominator is empty (e.g. no records expected).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Metrics {
    pub table_precision: Option<f64>,
    pub table_recall: Option<f64>,
    pub cell_precision: Option<f64>,
    pub cell_recall: Option<f64>,
    pub cell_f1: Option<f64>,
    pub grits_topology: Option<f64>,
    pub grits_content: Option<f64>,
    pub adjacency_precision: Option<f64>,
    pub adjacency_recall: Option<f64>,
    pub adjacency_f1: Option<f64>,
    pub record_field_accuracy: Option<f64>,
    pub warning_precision: Option<f64>,
    pub warning_recall: Option<f64>,
    pub ms_per_page: Option<f64>,
    pub ms_per_document: Option<f64>,
}

impl Metrics {
    /// A gated metric by its thresholds.json name.
    pub fn get(&self, name: &str) -> Option<f64> {
        match name {
            "table_recall" => self.table_recall,
            "table_precision" => self.table_precision,
            "cell_f1" => self.cell_f1,
            "grits_content" => self.grits_content,
            "adjacency_f1" => self.adjacency_f1,
            "record_field_accuracy" => self.record_field_accuracy,
            "warning_recall" => self.warning_recall,
            "warning_precision" => self.warning_precision,
            _ => None,
        }
    }
}

/// One expected table, one extracted table, or a pair of them.
#[derive(Debug, Clone, Serialize)]
pub struct TableComparison {
    pub expected: Option<usize>,
    pub extracted: Option<usize>,
    /// Content similarity that paired them (absent for unpaired tables).
    pub similarity: Option<f64>,
    pub expected_shape: Option<(usize, usize)>,
    pub extracted_shape: Option<(usize, usize)>,
    pub cells: Counts,
    pub adjacency: Counts,
    pub grits_topology: Option<f64>,
    pub grits_content: Option<f64>,
}

impl TableComparison {
    pub fn is_perfect(&self) -> bool {
        self.expected.is_some()
            && self.extracted.is_some()
            && self.cells.matched == self.cells.expected
            && self.cells.matched == self.cells.predicted
    }
}

/// A warning as reported (code, table, row).
#[derive(Debug, Clone, Serialize)]
pub struct WarningBrief {
    pub code: String,
    pub table: Option<usize>,
    pub row: Option<usize>,
    pub message: String,
    /// The pages the warning (or the printed defect) is on, where known.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pages: Vec<u32>,
    /// A document-level finding's prose sentence and the cell it compares (Warning.quote / .cell).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<crate::model::CellRef>,
}

impl From<&Warning> for WarningBrief {
    fn from(w: &Warning) -> Self {
        WarningBrief {
            code: w.code.clone(),
            table: w.table,
            row: w.row,
            message: w.message.clone(),
            pages: w.text_pages.clone(),
            quote: w.quote.clone(),
            cell: w.cell.clone(),
        }
    }
}

/// At most this many field mismatches are kept per document (the count is always exact).
const MAX_MISMATCHES_KEPT: usize = 300;

#[derive(Debug, Clone, Serialize)]
pub struct DocReport {
    pub file: String,
    pub family: String,
    pub format: Option<Format>,
    pub pages: Option<u32>,
    pub seconds: f64,
    /// The extraction error code and message when `extract` failed.
    pub error: Option<String>,
    pub scores: Scores,
    pub tables: Vec<TableComparison>,
    pub fields: BTreeMap<String, FieldCount>,
    pub field_mismatch_count: usize,
    pub field_mismatches: Vec<FieldMismatch>,
    pub warnings_missing: Vec<WarningBrief>,
    pub warnings_unexpected: Vec<WarningBrief>,
    /// Every document-level finding raised (those that quote the prose or name the free text's
    /// pages), TRUE or not: what a reviewer reads in the HTML report.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub document_findings: Vec<WarningBrief>,
    /// The grids, kept for the HTML report's side-by-side views (not in the JSON).
    #[serde(skip)]
    pub expected_tables: Vec<Table>,
    #[serde(skip)]
    pub extracted_tables: Vec<Table>,
}

/// What a document is scored against: the corpus's complete truth, or the real set's hand-made
/// truth (grids checked by hand only, printed defects instead of table/row warnings).
pub struct Truth<'a> {
    pub tables: &'a [Table],
    /// False when `tables` lists only some of the document's tables (the grids checked by hand):
    /// an extracted table without a truth partner is then not counted as extra.
    pub all_tables: bool,
    pub records: &'a [Record],
    pub warnings: ExpectedWarnings<'a>,
    pub format: Format,
    pub page_count: Option<u32>,
}

/// The warnings a document must raise.
pub enum ExpectedWarnings<'a> {
    /// By code, table (through the table pairing) and row, as the generator knows them.
    AtRows(&'a [Warning]),
    /// Printed defects located by page: a raised warning is TRUE when it has the defect's code and
    /// one of its places is on one of the defect's pages.
    Defects(&'a [Defect]),
}

/// Scores one corpus document. `extracted` is the extractor's result (or its error message).
pub fn score_document(
    file: &str,
    family: &str,
    truth: &Extraction,
    extracted: Result<Extraction, String>,
    seconds: f64,
) -> DocReport {
    let spec = Truth {
        tables: &truth.tables,
        all_tables: true,
        records: &truth.records,
        warnings: ExpectedWarnings::AtRows(&truth.warnings),
        format: truth.source.format,
        page_count: truth.source.page_count,
    };
    score_against(file, family, &spec, extracted, seconds)
}

/// Scores one document against `truth`.
pub fn score_against(
    file: &str,
    family: &str,
    truth: &Truth<'_>,
    extracted: Result<Extraction, String>,
    seconds: f64,
) -> DocReport {
    let (ext, error) = match extracted {
        Ok(e) => (Some(e), None),
        Err(msg) => (None, Some(msg)),
    };
    let empty_tables: Vec<Table> = Vec::new();
    let ext_tables = ext.as_ref().map_or(&empty_tables, |e| &e.tables);
    let pairs = match_tables(truth.tables, ext_tables);
    let mut s = Scores { documents: 1, failed_documents: usize::from(error.is_some()), seconds, ..Default::default() };
    let counted_extracted = if truth.all_tables { ext_tables.len() } else { pairs.len() };
    s.tables = Counts::new(pairs.len(), counted_extracted, truth.tables.len());

    let mut comparisons = Vec::new();
    let partner: BTreeMap<usize, usize> = pairs.iter().copied().collect();
    for (i, e) in truth.tables.iter().enumerate() {
        let c = match partner.get(&i) {
            Some(&j) => {
                let p = &ext_tables[j];
                let g = grits(e, p);
                TableComparison {
                    expected: Some(i),
                    extracted: Some(j),
                    similarity: Some(table_similarity(e, p)),
                    expected_shape: Some((e.n_rows, e.n_cols)),
                    extracted_shape: Some((p.n_rows, p.n_cols)),
                    cells: cell_counts(e, p),
                    adjacency: adjacency_counts(&e.cells, &p.cells),
                    grits_topology: g.map(|g| g.topology),
                    grits_content: g.map(|g| g.content),
                }
            }
            None => TableComparison {
                expected: Some(i),
                extracted: None,
                similarity: None,
                expected_shape: Some((e.n_rows, e.n_cols)),
                extracted_shape: None,
                cells: Counts::new(0, 0, e.cells.len()),
                adjacency: adjacency_counts(&e.cells, &[]),
                grits_topology: Some(0.0),
                grits_content: Some(0.0),
            },
        };
        match (c.grits_topology, c.grits_content) {
            (Some(t), Some(k)) => {
                s.grits_tables += 1;
                s.grits_topology_sum += t;
                s.grits_content_sum += k;
            }
            _ => s.grits_skipped += 1,
        }
        comparisons.push(c);
    }
    let paired_extracted: Vec<usize> = pairs.iter().map(|&(_, j)| j).collect();
    for (j, p) in ext_tables.iter().enumerate() {
        if paired_extracted.contains(&j) || !truth.all_tables {
            continue;
        }
        comparisons.push(TableComparison {
            expected: None,
            extracted: Some(j),
            similarity: None,
            expected_shape: None,
            extracted_shape: Some((p.n_rows, p.n_cols)),
            cells: Counts::new(0, p.cells.len(), 0),
            adjacency: adjacency_counts(&[], &p.cells),
            grits_topology: None,
            grits_content: None,
        });
    }
    for c in &comparisons {
        s.cells.add(c.cells);
        s.adjacency.add(c.adjacency);
    }

    let no_records = Vec::new();
    let rc = compare_records(truth.records, ext.as_ref().map_or(&no_records, |e| &e.records));
    s.records = Counts::new(rc.matched, rc.extracted, rc.expected);
    s.fields = rc.total();

    let no_warnings = Vec::new();
    let raised = ext.as_ref().map_or(&no_warnings, |e| &e.warnings);
    let to_expected_table: BTreeMap<usize, usize> = pairs.iter().map(|&(i, j)| (j, i)).collect();
    let (matched, missing, unexpected, expected_count) = match truth.warnings {
        ExpectedWarnings::AtRows(expected) => {
            let (m, missing, unexpected) = match_warnings(expected, raised, &to_expected_table);
            (m, missing, unexpected, expected.len())
        }
        ExpectedWarnings::Defects(defects) => {
            let (m, missing, unexpected) = match_defects(defects, raised, ext_tables);
            (m, missing, unexpected, defects.len())
        }
    };
    s.warnings = Counts::new(matched, raised.len(), expected_count);

    let pages = ext.as_ref().and_then(|e| e.source.page_count).or(truth.page_count);
    if let Some(n) = pages {
        s.pages = u64::from(n);
        s.paged_seconds = seconds;
    }
    let field_mismatch_count = rc.mismatches.len();
    let mut field_mismatches = rc.mismatches;
    field_mismatches.truncate(MAX_MISMATCHES_KEPT);
    DocReport {
        file: file.to_string(),
        family: family.to_string(),
        format: ext.as_ref().map(|e| e.source.format).or(Some(truth.format)),
        pages,
        seconds,
        error,
        scores: s,
        tables: comparisons,
        fields: rc.fields,
        field_mismatch_count,
        field_mismatches,
        warnings_missing: missing,
        warnings_unexpected: unexpected,
        document_findings: raised.iter().filter(|w| is_document_finding(w)).map(WarningBrief::from).collect(),
        expected_tables: truth.tables.to_vec(),
        extracted_tables: ext.map(|e| e.tables).unwrap_or_default(),
    }
}

/// A finding of the document-level checks: it quotes the prose, points at a cell for it, or names
/// the free text's pages.
pub fn is_document_finding(w: &Warning) -> bool {
    w.quote.is_some() || w.cell.is_some() || !w.text_pages.is_empty()
}

/// Pairs raised warnings with expected ones: same code, and the same table (through the table
/// pairing) and row wherever the truth names them.
fn match_warnings(
    expected: &[Warning],
    raised: &[Warning],
    to_expected_table: &BTreeMap<usize, usize>,
) -> (usize, Vec<WarningBrief>, Vec<WarningBrief>) {
    let mut used = vec![false; raised.len()];
    let mut missing = Vec::new();
    let mut matched = 0;
    for e in expected {
        let hit = raised.iter().enumerate().position(|(j, r)| {
            !used[j]
                && r.code == e.code
                && e.table.is_none_or(|t| r.table.and_then(|rt| to_expected_table.get(&rt).copied()) == Some(t))
                && e.row.is_none_or(|row| r.row == Some(row))
        });
        match hit {
            Some(j) => {
                used[j] = true;
                matched += 1;
            }
            None => missing.push(WarningBrief::from(e)),
        }
    }
    let unexpected = raised.iter().zip(&used).filter(|(_, &u)| !u).map(|(w, _)| WarningBrief::from(w)).collect();
    (matched, missing, unexpected)
}

/// The pages of a place: the page of the row's first cell that has one, else every page of the
/// table (a warning about the whole table).
fn place_pages(tables: &[Table], place: Place) -> Vec<u32> {
    let Some(table) = tables.iter().find(|t| t.index == place.table) else { return Vec::new() };
    let row_page = place.row.and_then(|r| {
        let mut cells: Vec<_> = table.cells.iter().filter(|c| c.row == r && c.page.is_some()).collect();
        cells.sort_by_key(|c| c.col);
        cells.first().and_then(|c| c.page)
    });
    match row_page {
        Some(p) => vec![p],
        None => table.pages.clone(),
    }
}

/// Every page a raised warning shows on: its own place and its related places.
pub fn warning_pages(w: &Warning, tables: &[Table]) -> Vec<u32> {
    let mut pages: Vec<u32> = Vec::new();
    let own = w.table.map(|t| Place { table: t, row: w.row });
    for place in own.into_iter().chain(w.related.iter().copied()) {
        pages.extend(place_pages(tables, place));
    }
    pages.extend(w.text_pages.iter().copied());
    pages.sort_unstable();
    pages.dedup();
    pages
}

/// Pairs raised warnings with printed defects: same code, and a page in common. Each defect takes
/// the first free warning that qualifies.
fn match_defects(defects: &[Defect], raised: &[Warning], tables: &[Table]) -> (usize, Vec<WarningBrief>, Vec<WarningBrief>) {
    let raised_pages: Vec<Vec<u32>> = raised.iter().map(|w| warning_pages(w, tables)).collect();
    let mut used = vec![false; raised.len()];
    let mut missing = Vec::new();
    let mut matched = 0;
    for d in defects {
        let pages = d.pages();
        let hit = (0..raised.len())
            .find(|&j| !used[j] && raised[j].code == d.code && raised_pages[j].iter().any(|p| pages.contains(p)));
        match hit {
            Some(j) => {
                used[j] = true;
                matched += 1;
            }
            None => missing.push(WarningBrief {
                code: d.code.clone(),
                table: None,
                row: None,
                message: d.describe(),
                pages,
                quote: None,
                cell: None,
            }),
        }
    }
    let unexpected = raised
        .iter()
        .zip(&used)
        .zip(raised_pages)
        .filter(|((_, &u), _)| !u)
        .map(|((w, _), pages)| WarningBrief { pages, ..WarningBrief::from(w) })
        .collect();
    (matched, missing, unexpected)
}
