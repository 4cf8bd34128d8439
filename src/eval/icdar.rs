//! `yusuan eval --icdar2013 DIR`: the ICDAR 2013 table competition set scored with the
//! competition's structure metric, precision / recall / F1 over adjacency relations between
//! neighbouring non-empty cells ([`super::metrics::adjacency_counts`]).
//!
//! The protocol follows the reference script shared/peers/tools/adjacency_f1.py so figures are
//! comparable with the peers' (pdfplumber's default scores F1 0.393): every ground-truth region
//! (one line-table of `icdar2013_gt.jsonl`) is compared with the extracted table on its page whose
//! cells' bounding box overlaps the region's box the most; relations are summed over the set.
//! Only the extracted cells on that page enter, so a table we stitched over pages is scored page
//! by page like the ground truth.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use super::matching::table_similarity;
use super::metrics::{adjacency_counts, Counts};
use super::report::{esc, hbar_chart, rate};
use super::extract_timed;
use crate::decode::pdf::geometry::PageFrame;
use crate::model::{Cell, Extraction, Table};

#[derive(Debug, Clone, Deserialize)]
pub struct GtDocument {
    pub doc: String,
    pub pdf: Option<String>,
    pub tables: Vec<GtTable>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GtTable {
    pub table_id: String,
    pub region_id: String,
    /// 1-based page of the region.
    pub page: u32,
    #[serde(default)]
    pub region_bboxes: Vec<GtRegion>,
    pub cells: Vec<GtCell>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GtRegion {
    pub page: u32,
    /// [x1, y1, x2, y2] in PDF user space, origin bottom-left.
    pub bbox: [f64; 4],
}

/// A ground-truth cell: rows and columns 0-based and inclusive. Signed: us-019 numbers a
/// header row -1 (its region's row-increment offset).
#[derive(Debug, Clone, Deserialize)]
pub struct GtCell {
    pub start_row: i64,
    pub end_row: i64,
    pub start_col: i64,
    pub end_col: i64,
    pub text: String,
}

impl GtTable {
    /// The cells as grid cells, shifted so the smallest row and column are at least 0; adjacency
    /// relations do not depend on where the numbering starts.
    pub fn grid_cells(&self) -> Vec<Cell> {
        let row0 = self.cells.iter().map(|c| c.start_row.min(c.end_row)).min().unwrap_or(0).min(0);
        let col0 = self.cells.iter().map(|c| c.start_col.min(c.end_col)).min().unwrap_or(0).min(0);
        self.cells
            .iter()
            .map(|c| Cell {
                row: (c.start_row - row0) as usize,
                col: (c.start_col - col0) as usize,
                row_span: (c.end_row - c.start_row).max(0) as usize + 1,
                col_span: (c.end_col - c.start_col).max(0) as usize + 1,
                text: c.text.clone(),
                page: None,
                bbox: None,
            })
            .collect()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct IcdarDocument {
    pub doc: String,
    pub pdf: String,
    pub regions: usize,
    /// Regions for which an extracted table was found on the page.
    pub found: usize,
    pub adjacency: Counts,
    pub f1: Option<f64>,
    pub pages: Option<u32>,
    pub seconds: f64,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IcdarReport {
    pub dir: String,
    pub regions: usize,
    pub found: usize,
    pub adjacency: Counts,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub f1: Option<f64>,
    pub pages: u64,
    pub seconds: f64,
    pub ms_per_page: Option<f64>,
    pub documents: Vec<IcdarDocument>,
}

pub fn load_ground_truth(dir: &Path) -> anyhow::Result<Vec<GtDocument>> {
    let path = dir.join("icdar2013_gt.jsonl");
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| serde_json::from_str(l).with_context(|| format!("{}: line {} is not a GT document", path.display(), i + 1)))
        .collect()
}

/// Each page's frame (MediaBox and /Rotate, inherited through the page tree), to map the ground
/// truth's user-space boxes onto the displayed page the extraction's boxes live on. Keyed by
/// 1-based page.
pub fn page_frames(bytes: &[u8]) -> HashMap<u32, PageFrame> {
    let mut frames = HashMap::new();
    let Ok(doc) = pdf_extract::Document::load_mem(bytes) else { return frames };
    for (number, id) in doc.get_pages() {
        let mut node = doc.get_dictionary(id).ok();
        let (mut media_box, mut rotate) = (None, None);
        // The page tree is at most a few levels deep; the bound guards against a looping tree.
        for _ in 0..32 {
            let Some(dict) = node else { break };
            if media_box.is_none() {
                if let Ok(mb) = dict.get_deref(b"MediaBox", &doc).and_then(|o| o.as_array()) {
                    let v: Vec<f64> = mb
                        .iter()
                        .filter_map(|o| doc.dereference(o).ok().and_then(|(_, o)| o.as_float().ok()))
                        .map(f64::from)
                        .collect();
                    if v.len() == 4 {
                        media_box = Some([v[0], v[1], v[2], v[3]]);
                    }
                }
            }
            if rotate.is_none() {
                rotate = dict.get_deref(b"Rotate", &doc).ok().and_then(|o| o.as_i64().ok());
            }
            node = dict.get(b"Parent").and_then(|p| p.as_reference()).and_then(|r| doc.get_dictionary(r)).ok();
        }
        if let Some(mb) = media_box {
            frames.insert(number, PageFrame::new(mb, rotate.unwrap_or(0)));
        }
    }
    frames
}

/// A ground-truth box [x1, y1, x2, y2] as a displayed-page box [x0, top, x1, bottom].
///
/// The competition's boxes are y-up from the bottom-left corner of the page *as displayed*: on
/// eu-015 (/Rotate 90, A4 portrait MediaBox) the tables sit at y 292..505 of a 595-point-high
/// landscape page, where our extraction finds them at top 86..308. So only the displayed height
/// matters, not the MediaBox orientation; on unrotated pages this is the plain y flip.
pub fn to_display_box(frame: &PageFrame, b: [f64; 4]) -> [f64; 4] {
    let (_, height) = frame.display_size();
    let (x0, x1) = (b[0].min(b[2]) - frame.llx, b[0].max(b[2]) - frame.llx);
    let (y0, y1) = (b[1].min(b[3]), b[1].max(b[3]));
    [x0, height - y1, x1, height - y0]
}

/// The bounding box (top-left origin) of a table's cells on one page, if they carry boxes.
fn table_box_on_page(t: &Table, page: u32) -> Option<[f64; 4]> {
    let mut b: Option<[f64; 4]> = None;
    for c in t.cells.iter().filter(|c| c.page == Some(page)) {
        if let Some(x) = c.bbox {
            b = Some(match b {
                None => x,
                Some(a) => [a[0].min(x[0]), a[1].min(x[1]), a[2].max(x[2]), a[3].max(x[3])],
            });
        }
    }
    b
}

fn overlap_area(a: [f64; 4], b: [f64; 4]) -> f64 {
    (a[2].min(b[2]) - a[0].max(b[0])).max(0.0) * (a[3].min(b[3]) - a[1].max(b[1])).max(0.0)
}

/// The extracted table that answers a ground-truth region: the largest box overlap on the
/// region's page; when our tables carry no boxes, the most similar table by content on that page.
fn find_table<'a>(gt: &GtTable, extracted: &'a [Table], frame: Option<&PageFrame>) -> Option<&'a Table> {
    let on_page: Vec<&Table> =
        extracted.iter().filter(|t| t.pages.contains(&gt.page) || t.cells.iter().any(|c| c.page == Some(gt.page))).collect();
    if let (Some(frame), Some(region)) = (frame, gt.region_bboxes.first()) {
        let gt_box = to_display_box(frame, region.bbox);
        let best = on_page
            .iter()
            .filter_map(|t| table_box_on_page(t, gt.page).map(|b| (overlap_area(b, gt_box), *t)))
            .filter(|(a, _)| *a > 0.0)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((_, t)) = best {
            return Some(t);
        }
        if on_page.iter().any(|t| table_box_on_page(t, gt.page).is_some()) {
            return None;
        }
    }
    let gt_table = Table {
        index: 0,
        pages: vec![gt.page],
        title: None,
        n_rows: 0,
        n_cols: 0,
        header_rows: 0,
        cells: gt.grid_cells(),
        context: vec![],
    };
    on_page
        .into_iter()
        .map(|t| (table_similarity(&gt_table, t), t))
        .filter(|(s, _)| *s >= super::matching::MIN_TABLE_SIMILARITY)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, t)| t)
}

/// Scores one ground-truth region against an extraction; returns (counts, found).
pub fn score_region(gt: &GtTable, extracted: &[Table], frame: Option<&PageFrame>) -> (Counts, bool) {
    let gt_cells = gt.grid_cells();
    match find_table(gt, extracted, frame) {
        Some(t) => {
            let cells: Vec<Cell> =
                t.cells.iter().filter(|c| c.page.is_none_or(|p| p == gt.page)).cloned().collect();
            (adjacency_counts(&gt_cells, &cells), true)
        }
        None => (adjacency_counts(&gt_cells, &[]), false),
    }
}

/// One PDF's extraction (or error), its page frames, and the seconds it took.
type Extracted = (Result<Extraction, String>, HashMap<u32, PageFrame>, f64);

pub fn evaluate(dir: &Path) -> anyhow::Result<IcdarReport> {
    let gt = load_ground_truth(dir)?;
    let limits = crate::Limits::default();
    // Several GT sets share one PDF (eu-009b → eu-009a.pdf): extract each PDF once.
    let mut cache: BTreeMap<String, Extracted> = BTreeMap::new();
    let mut documents = Vec::new();
    let mut total = Counts::default();
    let (mut regions, mut found, mut pages, mut seconds) = (0usize, 0usize, 0u64, 0.0f64);
    for d in &gt {
        let Some(pdf) = d.pdf.clone() else { continue };
        let fresh = !cache.contains_key(&pdf);
        let entry = match cache.entry(pdf.clone()) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(v) => {
                let path = dir.join(&pdf);
                let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
                let (result, secs) = extract_timed(&path, &bytes, &limits);
                v.insert((result, page_frames(&bytes), secs))
            }
        };
        let (result, tops, secs) = entry;
        let no_tables = Vec::new();
        let tables = result.as_ref().map_or(&no_tables, |e| &e.tables);
        let mut counts = Counts::default();
        let mut doc_found = 0;
        for t in &d.tables {
            let (c, f) = score_region(t, tables, tops.get(&t.page));
            counts.add(c);
            doc_found += usize::from(f);
        }
        let page_count = result.as_ref().ok().and_then(|e| e.source.page_count);
        if fresh {
            seconds += *secs;
            pages += u64::from(page_count.unwrap_or(0));
        }
        total.add(counts);
        regions += d.tables.len();
        found += doc_found;
        documents.push(IcdarDocument {
            doc: d.doc.clone(),
            pdf,
            regions: d.tables.len(),
            found: doc_found,
            adjacency: counts,
            f1: counts.f1(),
            pages: page_count,
            seconds: *secs,
            error: result.as_ref().err().cloned(),
        });
    }
    Ok(IcdarReport {
        dir: dir.display().to_string(),
        regions,
        found,
        adjacency: total,
        precision: total.precision(),
        recall: total.recall(),
        f1: total.f1(),
        pages,
        seconds,
        ms_per_page: (pages > 0).then(|| 1000.0 * seconds / pages as f64),
        documents,
    })
}

pub fn render_terminal(r: &IcdarReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "ICDAR 2013 table competition ({}), adjacency relations of non-empty cells:", r.dir);
    let _ = writeln!(
        out,
        "  {} GT regions in {} GT documents, {} matched to an extracted table",
        r.regions,
        r.documents.len(),
        r.found
    );
    let _ = writeln!(
        out,
        "  relations: {} correct, {} extracted, {} expected",
        r.adjacency.matched, r.adjacency.predicted, r.adjacency.expected
    );
    let _ = writeln!(out, "  adjacency P={} R={} F1={}", rate(r.precision), rate(r.recall), rate(r.f1));
    let _ = writeln!(
        out,
        "  time: {:.1} s for {} pages ({} ms/page)",
        r.seconds,
        r.pages,
        r.ms_per_page.map_or("—".into(), |v| format!("{v:.1}"))
    );
    let errors: Vec<&IcdarDocument> = r.documents.iter().filter(|d| d.error.is_some()).collect();
    if !errors.is_empty() {
        let _ = writeln!(out, "  extraction errors:");
        for d in errors {
            let _ = writeln!(out, "    {}: {}", d.doc, d.error.as_deref().unwrap_or(""));
        }
    }
    let mut worst: Vec<&IcdarDocument> = r.documents.iter().collect();
    worst.sort_by(|a, b| a.f1.unwrap_or(0.0).total_cmp(&b.f1.unwrap_or(0.0)));
    let _ = writeln!(out, "  lowest F1:");
    for d in worst.iter().take(10) {
        let _ = writeln!(out, "    {:<10} F1 {}  ({} of {} regions found)", d.doc, rate(d.f1), d.found, d.regions);
    }
    out
}

pub fn write_html(r: &IcdarReport, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>yusuan eval: ICDAR 2013</title><style>body{{font-family:sans-serif;margin:24px}} table{{border-collapse:collapse;font-size:13px}} td,th{{border:1px solid #ccc;padding:3px 7px}}</style></head><body><h1>ICDAR 2013 table competition</h1><p id="summary">Adjacency relations: P {} · R {} · F1 {} ({} correct, {} extracted, {} expected); {} of {} GT regions matched; {:.1} s for {} pages.</p>"#,
        rate(r.precision),
        rate(r.recall),
        rate(r.f1),
        r.adjacency.matched,
        r.adjacency.predicted,
        r.adjacency.expected,
        r.found,
        r.regions,
        r.seconds,
        r.pages
    );
    let rows: Vec<(String, Vec<Option<f64>>)> = r.documents.iter().map(|d| (d.doc.clone(), vec![d.f1])).collect();
    h.push_str(&hbar_chart("Adjacency F1 per document", &["F1"], &rows, 1.0, &|v| format!("{v:.3}")));
    h.push_str("<table><tr><th>doc</th><th>regions found</th><th>correct/extracted/expected</th><th>F1</th><th>ms</th><th>error</th></tr>");
    for d in &r.documents {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}/{}</td><td>{}/{}/{}</td><td>{}</td><td>{:.1}</td><td>{}</td></tr>",
            esc(&d.doc),
            d.found,
            d.regions,
            d.adjacency.matched,
            d.adjacency.predicted,
            d.adjacency.expected,
            rate(d.f1),
            d.seconds * 1000.0,
            esc(d.error.as_deref().unwrap_or(""))
        );
    }
    h.push_str("</table></body></html>\n");
    let path = dir.join("index.html");
    std::fs::write(&path, h).with_context(|| format!("cannot write {}", path.display()))
}
