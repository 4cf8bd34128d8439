//! Generates yusuan's test corpus: budget documents recreated from the four seeds and the layouts
//! real uploads have, each as DOCX and PDF (LibreOffice, Chromium, filled-rectangle borders), each
//! with the expected extraction read from the generator's own model.
//!
//!     cargo run --example gen_corpus -- corpus/ [family-filter]
//!
//! Needs LibreOffice (`soffice`), Chromium, poppler-utils (`pdftotext`) and fonts-noto-cjk. See
//! corpus/README.md.

mod chongqing;
mod docx;
mod hebei;
mod html;
mod misc;
mod model;
mod open_tables;
mod produce;
mod review;
mod shanghai;

use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};
use yusuan::model::{Cell, Extraction, Format, Source, Table, Warning};

use model::{join, title_of, Border, DocModel, Fmt, MCell, Rules, TableModel};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Producer {
    Docx,
    LibreOffice,
    Chromium,
    /// LibreOffice's PDF with every stroked border rewritten as a thin filled rectangle.
    Rects,
}

impl Producer {
    fn name(self) -> &'static str {
        match self {
            Producer::Docx => "docx",
            Producer::LibreOffice => "libreoffice",
            Producer::Chromium => "chromium",
            Producer::Rects => "rects",
        }
    }
}

pub struct Family {
    pub name: &'static str,
    pub producer: Producer,
    pub docs: Vec<DocModel>,
}

fn families() -> Vec<Family> {
    use hebei::PairKind::*;
    use Producer::*;
    let fam = |name, producer, docs| Family { name, producer, docs };
    vec![
        fam("hebei_combined_docx", Docx, vec![hebei::shanhaiguan_doc("shanhaiguan_2021")]),
        fam("hebei_combined_pdf_lo", LibreOffice, vec![hebei::shanhaiguan_doc("shanhaiguan_2021")]),
        fam("hebei_combined_pdf_rects", Rects, vec![hebei::shanhaiguan_doc("shanhaiguan_2021")]),
        fam("hebei_pair_docx", Docx, vec![hebei::pair_doc("caofeidian_2021", Caofeidian, true, None)]),
        fam("hebei_pair_pdf_lo", LibreOffice, vec![hebei::pair_doc("caofeidian_2021", Caofeidian, false, None)]),
        fam("hebei_pair_pdf_chromium", Chromium, vec![hebei::pair_doc("caofeidian_2021_p1-4", Caofeidian, false, Some(4))]),
        fam("yutian_docx", Docx, vec![hebei::pair_doc("yutian_2024", Yutian, true, None)]),
        fam("yutian_pdf_lo", LibreOffice, vec![hebei::pair_doc("yutian_2024", Yutian, false, None)]),
        fam("chongqing_docx", Docx, vec![chongqing::tongnan_doc("tongnan_2021")]),
        fam("chongqing_pdf_lo", LibreOffice, vec![chongqing::tongnan_doc("tongnan_2021")]),
        fam("chongqing_pdf_rects", Rects, vec![chongqing::tongnan_doc("tongnan_2021")]),
        fam("shanghai_budget_docx", Docx, [shanghai::budget_docs(), shanghai::budget_docs_small()].concat()),
        fam("shanghai_budget_pdf_lo", LibreOffice, [shanghai::budget_docs(), shanghai::budget_docs_small()].concat()),
        fam("shanghai_budget_pdf_chromium", Chromium, shanghai::budget_docs()),
        fam("shanghai_perf_docx", Docx, [shanghai::perf_docs(), shanghai::perf_docs_small()].concat()),
        fam("shanghai_perf_pdf_lo", LibreOffice, [shanghai::perf_docs(), shanghai::perf_docs_small()].concat()),
        fam("shanghai_perf_pdf_chromium", Chromium, shanghai::perf_docs()),
        fam("threeline_docx", Docx, misc::threeline_docs()),
        fam("threeline_pdf_chromium", Chromium, misc::threeline_docs()),
        fam("threeline_pdf_lo", LibreOffice, misc::threeline_docs()),
        fam("prose_docx", Docx, vec![misc::prose_doc()]),
        fam("prose_pdf_lo", LibreOffice, vec![misc::prose_doc()]),
        fam("open_hrules_docx", Docx, open_tables::threeline_seed_docs()),
        fam("open_hrules_pdf_lo", LibreOffice, open_tables::threeline_seed_docs()),
        // Chromium's Type 3 fonts are heavy (0.5 MB a document): three seeds each, every seed once
        fam("open_hrules_pdf_chromium", Chromium, open_tables::only(open_tables::threeline_seed_docs(), &[0, 3, 4])),
        fam("open_norules_docx", Docx, open_tables::borderless_seed_docs()),
        fam("open_norules_pdf_lo", LibreOffice, open_tables::borderless_seed_docs()),
        fam("open_norules_pdf_chromium", Chromium, open_tables::only(open_tables::borderless_seed_docs(), &[1, 2, 4])),
        fam("open_colgroups_docx", Docx, open_tables::column_group_docs()),
        fam("open_colgroups_pdf_lo", LibreOffice, open_tables::column_group_docs()),
        fam("open_colgroups_pdf_chromium", Chromium, open_tables::column_group_docs()),
        fam("open_continued_docx", Docx, open_tables::continued_docs(false)),
        fam("open_continued_pdf_lo", LibreOffice, open_tables::continued_docs(true)),
        fam("open_continued_pdf_chromium", Chromium, open_tables::continued_docs(true)),
        fam("review_docx", Docx, review::review_docs()),
        fam("review_pdf_lo", LibreOffice, review::review_docs()),
    ]
}

#[derive(Serialize, serde::Deserialize, Clone)]
struct ManifestEntry {
    file: String,
    truth: String,
    family: String,
    producer: String,
    description: String,
}

#[derive(Serialize, serde::Deserialize)]
struct Manifest {
    documents: Vec<ManifestEntry>,
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The expected extraction of one produced document, from the model.
fn truth(doc: &DocModel, fmt: Fmt, file_name: &str, bytes: &[u8], page_count: Option<u32>, pages: Option<&Vec<Vec<u32>>>) -> Extraction {
    let contexts = doc.contexts();
    let tables = doc
        .tables()
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let row_pages = pages.map(|p| &p[i]);
            let hidden = if fmt == Fmt::Pdf { unseen_columns(t) } else { Vec::new() };
            let mut cells: Vec<Cell> = without_columns(&t.cells, &hidden)
                .iter()
                .map(|c| Cell {
                    row: c.row,
                    col: c.col,
                    row_span: c.rs,
                    col_span: c.cs,
                    text: join(&c.text, fmt),
                    page: row_pages.map(|rp| rp[c.row]),
                    bbox: None,
                })
                .collect();
            cells.sort_by_key(|c| (c.row, c.col));
            let mut tp: Vec<u32> = row_pages.cloned().unwrap_or_default();
            tp.sort();
            tp.dedup();
            Table {
                index: i,
                pages: tp,
                title: title_of(&contexts[i]),
                n_rows: t.n_rows,
                n_cols: t.n_cols() - hidden.len(),
                header_rows: t.header_rows,
                cells,
                context: contexts[i].clone(),
            }
        })
        .collect();
    Extraction {
        schema_version: yusuan::SCHEMA_VERSION.to_string(),
        source: Source {
            file_name: file_name.to_string(),
            sha256: sha256_hex(bytes),
            format: if fmt == Fmt::Pdf { Format::Pdf } else { Format::Docx },
            page_count,
        },
        tables,
        records: (doc.records)(fmt),
        warnings: doc
            .warnings
            .iter()
            .map(|w| Warning { table: w.table, row: w.row, ..Warning::new(w.code, w.message.clone()) })
            .collect(),
        text: Vec::new(),
    }
}

/// Grid columns a PDF page shows no trace of: no rule drawn at their left edge and no text
/// starting in them in any row (a form's spare column under a spanning header, a last column left
/// empty). On paper such a column is only more width of the cells beside it, so the truth of a PDF
/// leaves it out; in a DOCX the grid itself says it is there. Ruled grids and tables drawn in
/// parts keep every column.
fn unseen_columns(t: &TableModel) -> Vec<usize> {
    let rules = match &t.border {
        Border::Grid => return Vec::new(),
        Border::ThreeLine => Rules::default(),
        Border::Ruled(r) => *r,
    };
    if rules.inside_v || !t.drawn.is_empty() {
        return Vec::new();
    }
    let drawn_left = |k: usize| rules.groups & (1 << k) != 0 || (k == 0 && rules.groups & 2 != 0);
    (0..t.n_cols())
        .filter(|&k| !drawn_left(k) && !t.cells.iter().any(|c| c.col == k && !c.text.trim().is_empty()))
        .collect()
}

/// The cells with the columns `hidden` taken out: a cell starting in one starts in the next
/// column (or goes, when that was its only column), a cell spanning one spans one column less.
fn without_columns(cells: &[MCell], hidden: &[usize]) -> Vec<MCell> {
    let before = |k: usize| hidden.iter().filter(|&&h| h < k).count();
    cells
        .iter()
        .filter_map(|c| {
            let first = (c.col..c.col + c.cs).find(|k| !hidden.contains(k))?;
            let kept = (c.col..c.col + c.cs).filter(|k| !hidden.contains(k)).count();
            Some(MCell { col: first - before(first), cs: kept, ..c.clone() })
        })
        .collect()
}

/// Pretty JSON, except that an object or array holding only scalars goes on one line (one cell,
/// one indicator per line): readable diffs at a third of the size.
fn write_json<T: Serialize>(path: &Path, v: &T) {
    fn flat(v: &serde_json::Value) -> bool {
        match v {
            serde_json::Value::Object(m) => m.values().all(|x| !x.is_object() && !x.is_array() || x.as_array().is_some_and(|a| a.iter().all(|y| !y.is_object() && !y.is_array()))),
            serde_json::Value::Array(a) => a.iter().all(|y| !y.is_object() && !y.is_array()),
            _ => true,
        }
    }
    fn put(v: &serde_json::Value, ind: usize, out: &mut String) {
        let pad = "  ".repeat(ind + 1);
        match v {
            serde_json::Value::Object(m) if !m.is_empty() && !flat(v) => {
                out.push_str("{\n");
                for (i, (k, x)) in m.iter().enumerate() {
                    out.push_str(&pad);
                    out.push_str(&serde_json::to_string(k).unwrap());
                    out.push_str(": ");
                    put(x, ind + 1, out);
                    out.push_str(if i + 1 < m.len() { ",\n" } else { "\n" });
                }
                out.push_str(&"  ".repeat(ind));
                out.push('}');
            }
            serde_json::Value::Array(a) if !a.is_empty() && !flat(v) => {
                out.push_str("[\n");
                for (i, x) in a.iter().enumerate() {
                    out.push_str(&pad);
                    put(x, ind + 1, out);
                    out.push_str(if i + 1 < a.len() { ",\n" } else { "\n" });
                }
                out.push_str(&"  ".repeat(ind));
                out.push(']');
            }
            _ => out.push_str(&serde_json::to_string(v).unwrap()),
        }
    }
    let value = serde_json::to_value(v).expect("serialises");
    let mut s = String::new();
    put(&value, 0, &mut s);
    s.push('\n');
    std::fs::write(path, s).expect("truth written");
}

fn main() {
    // `--truth-only`: keep the produced files as they are and write their truth again (a change
    // in how truth is derived from the model needs no new renderings, nor LibreOffice/Chromium).
    let truth_only = std::env::args().any(|a| a == "--truth-only");
    let args: Vec<String> = std::env::args().filter(|a| a != "--truth-only").collect();
    let out = PathBuf::from(args.get(1).map(String::as_str).unwrap_or("corpus"));
    let filter = args.get(2).cloned();
    std::fs::create_dir_all(&out).expect("corpus dir");
    let manifest_path = out.join("manifest.json");
    // With a filter, keep the other families' manifest entries.
    let mut entries: Vec<ManifestEntry> = if filter.is_some() {
        std::fs::read_to_string(&manifest_path)
            .ok()
            .and_then(|s| serde_json::from_str::<Manifest>(&s).ok())
            .map(|m| m.documents)
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let work = std::env::temp_dir().join(format!("gen_corpus_work_{}", std::process::id()));
    std::fs::create_dir_all(&work).expect("work dir");

    let fams = families();
    let order: Vec<&'static str> = fams.iter().map(|f| f.name).collect();
    for fam in fams {
        if let Some(f) = &filter {
            if !fam.name.contains(f.as_str()) {
                continue;
            }
        }
        entries.retain(|e| e.family != fam.name);
        let dir = out.join(fam.name);
        let ext = if fam.producer == Producer::Docx { "docx" } else { "pdf" };
        if !truth_only {
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("family dir");
            produce_files(&fam, &dir, &work);
        }
        write_truths(&fam, &dir, ext, &mut entries);
    }
    entries.sort_by_key(|e| (order.iter().position(|n| *n == e.family).unwrap_or(usize::MAX), e.file.clone()));
    write_json(&manifest_path, &Manifest { documents: entries });
    let _ = std::fs::remove_dir_all(&work);
}

/// Renders a family's documents into `dir` with its producer.
fn produce_files(fam: &Family, dir: &Path, work: &Path) {
    match fam.producer {
        Producer::Docx => {
            for d in &fam.docs {
                std::fs::write(dir.join(format!("{}.docx", d.name)), docx::write_docx(d)).expect("docx written");
            }
        }
        Producer::LibreOffice | Producer::Rects => {
            let fdir = work.join(fam.name);
            std::fs::create_dir_all(&fdir).expect("work dir");
            let inputs: Vec<PathBuf> = fam
                .docs
                .iter()
                .map(|d| {
                    let p = fdir.join(format!("{}.docx", d.name));
                    std::fs::write(&p, docx::write_docx(d)).expect("docx written");
                    p
                })
                .collect();
            for (d, pdf) in fam.docs.iter().zip(produce::libreoffice(&inputs, &fdir)) {
                let target = dir.join(format!("{}.pdf", d.name));
                std::fs::copy(&pdf, &target).expect("pdf copied");
                if fam.producer == Producer::Rects {
                    let n = produce::strokes_to_rects(&target);
                    assert!(n > 0, "no stroked borders found in {}", target.display());
                }
                produce::normalize(&target);
            }
        }
        Producer::Chromium => {
            let fdir = work.join(fam.name);
            std::fs::create_dir_all(&fdir).expect("work dir");
            for d in &fam.docs {
                let html = fdir.join(format!("{}.html", d.name));
                std::fs::write(&html, html::write_html(d)).expect("html written");
                let target = dir.join(format!("{}.pdf", d.name));
                produce::chromium(&html, &target, &fdir);
                produce::normalize(&target);
            }
        }
    }
}

/// Writes the truth of every document of a family, from its model and the produced file.
fn write_truths(fam: &Family, dir: &Path, ext: &str, entries: &mut Vec<ManifestEntry>) {
    for d in &fam.docs {
        let file_name = format!("{}.{ext}", d.name);
        let path = dir.join(&file_name);
        let bytes = std::fs::read(&path).expect("produced file");
        let (fmt, page_count, pages) = if ext == "pdf" {
            let tables = d.tables();
            let pages = produce::row_pages(&path, &tables, &d.contexts());
            if pages.is_none() && !tables.is_empty() {
                eprintln!("warning: {}/{}: table rows not all found by pdftotext; pages left null", fam.name, file_name);
            }
            for m in produce::missing_cells(&path, &tables, pages.as_ref()) {
                eprintln!("warning: {}/{file_name}: cell text not found where expected: {m}", fam.name);
            }
            (Fmt::Pdf, Some(produce::page_count(&path)), pages)
        } else {
            (Fmt::Docx, None, None)
        };
        let t = truth(d, fmt, &file_name, &bytes, page_count, pages.as_ref());
        let truth_name = format!("{}.truth.json", d.name);
        write_json(&dir.join(&truth_name), &t);
        let spans: Vec<String> = t.tables.iter().filter(|t| t.pages.len() > 1).map(|t| format!("#{}{:?}", t.index, t.pages)).collect();
        println!(
            "{}/{}: {} pages, {} tables, {} cells, {} records{}",
            fam.name,
            file_name,
            page_count.map(|p| p.to_string()).unwrap_or("-".into()),
            t.tables.len(),
            t.tables.iter().map(|t| t.cells.len()).sum::<usize>(),
            t.records.len(),
            if spans.is_empty() { String::new() } else { format!(", multi-page tables {}", spans.join(" ")) }
        );
        entries.push(ManifestEntry {
            file: format!("{}/{file_name}", fam.name),
            truth: format!("{}/{truth_name}", fam.name),
            family: fam.name.to_string(),
            producer: fam.producer.name().to_string(),
            description: d.description.clone(),
        });
    }
}
