//! The committed corpus is sound: every manifest entry exists, its truth parses as an `Extraction`
//! and describes that very file, every table's cells tile its grid, the corpus is big enough, and a
//! few hand-checked cells of the seeds' trickiest tables hold what the seeds print. Nothing here
//! runs the extractor.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use yusuan::interpret::Record;
use yusuan::model::Table;
use yusuan::{Extraction, Format};

#[derive(serde::Deserialize)]
struct Manifest {
    documents: Vec<Entry>,
}

#[derive(serde::Deserialize)]
struct Entry {
    file: String,
    truth: String,
    family: String,
    producer: String,
    description: String,
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

fn manifest() -> Vec<Entry> {
    let text = std::fs::read_to_string(corpus().join("manifest.json")).expect("corpus/manifest.json");
    serde_json::from_str::<Manifest>(&text).expect("manifest parses").documents
}

fn truth(rel: &str) -> Extraction {
    let text = std::fs::read_to_string(corpus().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel} does not parse as an Extraction: {e}"))
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn text_at(t: &Table, row: usize, col: usize) -> String {
    t.cells.iter().find(|c| c.row == row && c.col == col).unwrap_or_else(|| panic!("no cell starts at ({row}, {col})")).text.clone()
}

fn projects(x: &Extraction) -> Vec<&yusuan::interpret::ProjectPerformance> {
    x.records.iter().filter_map(|r| if let Record::ProjectPerformance(p) = r { Some(p) } else { None }).collect()
}

#[test]
fn every_document_has_sound_truth() {
    let entries = manifest();
    let mut tables = 0;
    let mut cells = 0;
    let mut families = BTreeSet::new();
    let mut producers = BTreeSet::new();
    for e in &entries {
        assert!(e.file.starts_with(&format!("{}/", e.family)), "{}: not in its family's directory", e.file);
        assert!(!e.description.is_empty(), "{}: no description", e.file);
        let bytes = std::fs::read(corpus().join(&e.file)).unwrap_or_else(|err| panic!("{}: {err}", e.file));
        let x = truth(&e.truth);
        assert_eq!(x.schema_version, "1", "{}", e.truth);
        assert_eq!(x.source.sha256, hex::encode(Sha256::digest(&bytes)), "{}: sha256 differs from the file", e.truth);
        assert_eq!(x.source.file_name, Path::new(&e.file).file_name().unwrap().to_str().unwrap(), "{}", e.truth);
        let is_pdf = e.file.ends_with(".pdf");
        match x.source.format {
            Format::Pdf => {
                assert!(is_pdf, "{}", e.truth);
                assert!(bytes.starts_with(b"%PDF-"), "{}: not a PDF", e.file);
                assert_ne!(e.producer, "docx", "{}", e.file);
                let doc = pdf_extract::Document::load_mem(&bytes).unwrap_or_else(|err| panic!("{}: {err}", e.file));
                assert_eq!(x.source.page_count, Some(doc.get_pages().len() as u32), "{}: page_count", e.truth);
            }
            Format::Docx => {
                assert!(e.file.ends_with(".docx") && e.producer == "docx", "{}", e.truth);
                assert_eq!(x.source.page_count, None, "{}", e.truth);
                // An independent reader sees the same number of tables as the truth.
                let docx = docx_rs::read_docx(&bytes).unwrap_or_else(|err| panic!("{}: docx-rs cannot read it: {err}", e.file));
                let n = docx.document.children.iter().filter(|c| matches!(c, docx_rs::DocumentChild::Table(_))).count();
                assert_eq!(n, x.tables.len(), "{}: tables in the DOCX vs the truth", e.file);
            }
            Format::Xlsx => {
                assert!(e.file.ends_with(".xlsx") && e.producer == "xlsx", "{}", e.truth);
                assert_eq!(x.source.page_count, None, "{}", e.truth);
                // An independent reader sees one worksheet per truth table.
                let book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(&bytes))
                    .unwrap_or_else(|err| panic!("{}: calamine cannot read it: {err}", e.file));
                assert_eq!(calamine::Reader::sheet_names(&book).len(), x.tables.len(), "{}: sheets vs tables", e.file);
            }
        }
        for (i, t) in x.tables.iter().enumerate() {
            let at = format!("{} table {i}", e.truth);
            assert_eq!(t.index, i, "{at}: index");
            assert!(t.n_rows > 0 && t.n_cols > 0, "{at}: empty grid");
            assert!(t.header_rows < t.n_rows, "{at}: header_rows");
            t.check_tiling().unwrap_or_else(|err| panic!("{at}: {err}"));
            assert!(t.cells.iter().all(|c| c.bbox.is_none()), "{at}: bbox is never in truth");
            if is_pdf {
                let pages: BTreeSet<u32> = t.cells.iter().filter_map(|c| c.page).collect();
                if !t.pages.is_empty() {
                    assert!(t.cells.iter().all(|c| c.page.is_some()), "{at}: some cells without page");
                    assert_eq!(pages.into_iter().collect::<Vec<_>>(), t.pages, "{at}: pages vs cell pages");
                    assert!(t.pages.iter().all(|&p| p >= 1 && p <= x.source.page_count.unwrap()), "{at}: page out of range");
                }
            } else {
                assert!(t.pages.is_empty() && t.cells.iter().all(|c| c.page.is_none()), "{at}: DOCX has no pages");
            }
        }
        for w in &x.warnings {
            // A finding about the document as a whole (a table missing from the 目录's list, the
            // year of a section title) names no table; every other names one that exists.
            let Some(t) = w.table else {
                assert!(w.row.is_none(), "{}: a warning with a row but no table", e.truth);
                continue;
            };
            assert!(t < x.tables.len(), "{}: warning on table {t}", e.truth);
            if let Some(r) = w.row {
                assert!(r < x.tables[t].n_rows, "{}: warning row {r}", e.truth);
            }
        }
        for r in &x.records {
            let src = match r {
                Record::ProjectPerformance(p) => &p.source_tables,
                Record::BudgetLine(l) => &l.source_tables,
                Record::DepartmentPerformance(d) => &d.source_tables,
            };
            assert!(!src.is_empty() && src.iter().all(|&t| t < x.tables.len()), "{}: record source tables {src:?}", e.truth);
            if let Record::BudgetLine(l) = r {
                let t = &x.tables[l.source_tables[0]];
                let row = l.row.expect("budget lines carry their row");
                assert!(row >= t.header_rows && row < t.n_rows, "{}: budget line row {row}", e.truth);
                assert!(l.amounts.values().flatten().all(|a| a.scale() == 2), "{}: amounts with 2 decimals", e.truth);
            }
        }
        tables += x.tables.len();
        cells += x.tables.iter().map(|t| t.cells.len()).sum::<usize>();
        families.insert(e.family.clone());
        producers.insert(e.producer.clone());
    }
    eprintln!("corpus: {} families, {} documents, {tables} tables, {cells} cells", families.len(), entries.len());
    assert!(entries.len() >= 20, "only {} documents", entries.len());
    assert!(tables >= 150, "only {tables} tables");
    for p in ["docx", "libreoffice", "chromium", "rects", "xlsx"] {
        assert!(producers.contains(p), "no document from producer {p}");
    }
    // every family directory is in the manifest (corpus/real holds the real set's truth, listed
    // in its own manifest: tests/real_set.rs)
    for d in std::fs::read_dir(corpus()).unwrap() {
        let d = d.unwrap();
        if d.file_type().unwrap().is_dir() && d.file_name() != "real" {
            let name = d.file_name().into_string().unwrap();
            assert!(families.contains(&name), "corpus/{name} is not in the manifest");
        }
    }
}

/// The rect family really has no stroked ruling lines left, and LibreOffice's PDF of the same
/// document does.
#[test]
fn rect_family_borders_are_filled_rectangles() {
    use pdf_extract::content::Content;
    fn count(path: &str) -> (usize, usize) {
        let doc = pdf_extract::Document::load(corpus().join(path)).unwrap();
        let (mut strokes, mut rects) = (0, 0);
        for (_, page) in doc.get_pages() {
            let ops = Content::decode(&doc.get_page_content(page).unwrap()).unwrap().operations;
            strokes += ops.iter().filter(|o| o.operator == "S").count();
            rects += ops.iter().filter(|o| o.operator == "re").count();
        }
        (strokes, rects)
    }
    for fam in ["chongqing", "hebei_combined"] {
        let doc = if fam == "chongqing" { "tongnan_2021" } else { "shanhaiguan_2021" };
        let (s_lo, _) = count(&format!("{fam}_pdf_lo/{doc}.pdf"));
        let (s_rect, r_rect) = count(&format!("{fam}_pdf_rects/{doc}.pdf"));
        assert!(s_lo > 100, "{fam}: LibreOffice strokes its borders ({s_lo})");
        assert_eq!(s_rect, 0, "{fam}: strokes left in the rect family");
        assert!(r_rect >= s_lo, "{fam}: {r_rect} rectangles for {s_lo} strokes");
    }
}

// Hand-written expectations, read off the seed dumps, for the cells that are easiest to get wrong.

#[test]
fn seed_001_shanhaiguan() {
    for rel in ["hebei_combined_docx/shanhaiguan_2021.truth.json", "hebei_combined_pdf_lo/shanhaiguan_2021.truth.json"] {
        let x = truth(rel);
        assert_eq!(x.tables.len(), 7);
        let t = &x.tables[0];
        assert_eq!(t.title.as_deref(), Some("1.行政审批等专家评审费绩效目标表"));
        assert_eq!(text_at(t, 0, 1), "130303216DIAX82DQONDM");
        assert_eq!(text_at(t, 1, 2), "80000.00");
        // 预算规模及资金用途 spans two rows; 产出指标 spans its four indicator rows
        let label = t.cells.iter().find(|c| c.row == 1 && c.col == 0).unwrap();
        assert_eq!((label.row_span, squash(&label.text).as_str()), (2, "预算规模及资金用途"));
        let output = t.cells.iter().find(|c| c.text == "产出指标").unwrap();
        assert_eq!(output.row_span, 4);
        let p = projects(&x);
        assert_eq!(p.len(), 7);
        assert_eq!(p[0].budget_total.unwrap().to_string(), "80000.00");
        assert_eq!(p[0].budget_other.unwrap().to_string(), "0.00");
        assert_eq!(p[0].agency_code.as_deref(), Some("630001"));
        assert_eq!(p[0].indicators[0].unit.as_deref(), Some("百分比"));
        // project 4 prints an empty spending plan; project 7 prints ">95" where the others have "≥95"
        assert!(p[3].spending_plan.is_none());
        assert_eq!(p[6].indicators[0].comparator.as_deref(), Some(">"));
        assert_eq!(p[4].agency_name.as_deref(), Some("秦皇岛市山海关区人民政府政务服务中心"));
    }
}

#[test]
fn seed_002_caofeidian() {
    let x = truth("hebei_pair_docx/caofeidian_2021.truth.json");
    assert_eq!(x.tables.len(), 16);
    // the agency line is the info table's first row in the DOCX
    assert_eq!(text_at(&x.tables[0], 0, 0), "433001曹妃甸区行政审批局本级");
    assert_eq!(text_at(&x.tables[0], 2, 2), "299.65");
    let p = projects(&x);
    assert_eq!(p.len(), 8);
    assert_eq!(p[0].amount_unit.as_deref(), Some("万元"));
    assert_eq!(p[0].budget_total.unwrap().to_string(), "2996500.00");
    assert_eq!(p[0].budget_other, None);
    assert_eq!(p[2].spending_plan.as_ref().unwrap().mar.unwrap().to_string(), "0");
    assert_eq!(p[0].source_tables, vec![0, 1]);
    let pdf = truth("hebei_pair_pdf_lo/caofeidian_2021.truth.json");
    assert_eq!(pdf.tables[0].title.as_deref(), Some("1.购买第三方服务绩效目标表"));
    assert_eq!(pdf.tables[0].context.last().map(String::as_str), Some("单位：万元"));
    assert_eq!(text_at(&pdf.tables[0], 1, 2), "299.65");
}

#[test]
fn seed_003_yutian() {
    let x = truth("yutian_docx/yutian_2024.truth.json");
    let inds = &x.tables[1];
    // 绩效指标描述 spans two grid columns in the header only; data rows keep an empty spacer cell
    let head = inds.cells.iter().find(|c| c.row == 0 && c.col == 3).unwrap();
    assert_eq!((head.col_span, head.text.as_str()), (2, "绩效指标描述"));
    assert_eq!(text_at(inds, 1, 4), "");
    assert_eq!(text_at(inds, 1, 5), "100\n100%全部完成");
    let p = projects(&x);
    let first = &p[0].indicators[0];
    assert_eq!(squash(first.value.as_deref().unwrap()), "100100%全部完成");
    assert_eq!((first.comparator.as_deref(), first.target.map(|d| d.to_string()), first.unit.as_deref()), (None, Some("100".into()), None));
    let last = &p[0].indicators[8];
    assert_eq!((last.comparator.as_deref(), last.target.map(|d| d.to_string())), (Some(">="), Some("99".into())));
    assert_eq!(p[3].budget_total.unwrap().to_string(), "2160000.00");
    let pdf = truth("yutian_pdf_lo/yutian_2024.truth.json");
    assert_eq!(squash(&text_at(&pdf.tables[1], 1, 5)), "100100%全部完成");
}

#[test]
fn seed_004_tongnan() {
    for rel in ["chongqing_docx/tongnan_2021.truth.json", "chongqing_pdf_lo/tongnan_2021.truth.json", "chongqing_pdf_rects/tongnan_2021.truth.json"] {
        let x = truth(rel);
        assert_eq!(x.tables.len(), 14, "{rel}");
        // 494.82 in the 支出预算表 vs 494.83 in the 基本支出预算表, both kept and reported
        assert_eq!(text_at(&x.tables[1], 2, 3), "494.82");
        assert_eq!(text_at(&x.tables[2], 2, 2), "494.83");
        assert_eq!(text_at(&x.tables[5], 3, 2), "社会保险基金支出");
        assert_eq!(text_at(&x.tables[5], 3, 3), "39.70");
        let codes: Vec<(&str, Option<usize>, Option<usize>)> = x.warnings.iter().map(|w| (w.code.as_str(), w.table, w.row)).collect();
        assert_eq!(
            codes,
            vec![
                ("rounding", Some(1), Some(2)),             // 总计 基本支出 494.82 vs 类 rows 494.83
                ("cross_table_mismatch", Some(2), Some(2)), // 494.83 vs 494.82
                ("rounding", Some(2), Some(14)),            // 302 68.20 vs its 款 rows 68.19
                ("label_mismatch", Some(5), Some(3)),       // 社会保险基金支出 carrying 39.70
                ("rounding", Some(7), Some(1)),             // 部门支出总表 总计 494.82 again
            ]
        );
        // 三公: three header rows; 部门收入总表: 12 columns
        assert_eq!(x.tables[3].header_rows, 3);
        assert_eq!(x.tables[6].n_cols, 12);
        let line = x
            .records
            .iter()
            .find_map(|r| match r {
                Record::BudgetLine(l) if l.subject_code.as_deref() == Some("201") && l.source_tables == [1] => Some(l),
                _ => None,
            })
            .unwrap();
        assert_eq!(line.amounts["小计"].unwrap().to_string(), "18661100.00");
        let p = projects(&x);
        assert_eq!(p.len(), 4);
        assert_eq!(p[0].budget_total.unwrap().to_string(), "1655000.00");
        assert_eq!(p[0].indicators[0].level3.as_deref(), Some("入驻政务服务部门"));
        assert_eq!(p[0].indicators[10].level3.as_deref(), Some("优化企业开办时间，承诺压减时限"));
        assert_eq!(p[1].start_date.as_deref(), Some("2021-01-01"));
        let vertical = x.tables[10].cells.iter().find(|c| c.text == "绩效指标").unwrap();
        assert_eq!((vertical.col, vertical.row_span), (0, 1 + p[0].indicators.len()));
    }
    // the 基本支出预算表 continues on the next page (header repeated, listed once); so does the
    // 部门收入总表 (header not repeated)
    let pdf = truth("chongqing_pdf_lo/tongnan_2021.truth.json");
    assert_eq!(pdf.tables[2].pages.len(), 2);
    assert_eq!(pdf.tables[6].pages.len(), 2);
}

#[test]
fn shanghai_layouts() {
    for rel in ["shanghai_budget_pdf_lo/binjiang_education_2023.truth.json", "shanghai_budget_pdf_chromium/binjiang_education_2023.truth.json"] {
        let x = truth(rel);
        for i in [2, 3] {
            let n = x.tables[i].pages.len();
            assert!((3..=5).contains(&n), "{rel}: table {i} runs over {n} pages");
        }
        assert_eq!(text_at(&x.tables[2], 1, 0), "类");
        let line = x
            .records
            .iter()
            .find_map(|r| match r {
                Record::BudgetLine(l) if l.subject_code.as_deref() == Some("2050201") => Some(l),
                _ => None,
            })
            .unwrap();
        assert_eq!(line.subject_name.as_deref(), Some("学前教育"));
    }
    let perf = truth("shanghai_perf_docx/binjiang_perf_2023.truth.json");
    let t = &perf.tables[0];
    assert_eq!(text_at(t, 1, 0), "（2023年度）");
    let vertical = t.cells.iter().find(|c| c.text == "绩效指标").unwrap();
    assert!(vertical.row_span > 40);
    let p = projects(&perf);
    let odd = p[0].indicators.iter().find(|i| i.value.as_deref() == Some("＞6.00(次)")).unwrap();
    assert_eq!((odd.comparator.as_deref(), odd.target.map(|d| d.to_string()), odd.unit.as_deref()), (Some(">"), Some("6.00".into()), Some("次")));
    assert!(p[0].indicators.iter().any(|i| i.value.as_deref() == Some("开展至少1次团体心理治疗") && i.target.is_none()));
}

/// Each DOCX, read back with docx-rs (an independent reader), has exactly the grid the truth
/// describes: same cells at the same slots with the same spans and texts. vMerge continuation
/// cells extend the cell above; gridSpan widens a cell.
#[test]
fn docx_grids_match_truth() {
    let mut checked = 0;
    for e in manifest().iter().filter(|e| e.producer == "docx") {
        let bytes = std::fs::read(corpus().join(&e.file)).unwrap();
        let docx = docx_rs::read_docx(&bytes).unwrap();
        let x = truth(&e.truth);
        let tables = docx.document.children.iter().filter_map(|c| if let docx_rs::DocumentChild::Table(t) = c { Some(t) } else { None });
        for (i, (t, want)) in tables.zip(&x.tables).enumerate() {
            // (row, col, row_span, col_span, text)
            let mut cells: Vec<(usize, usize, usize, usize, String)> = Vec::new();
            for (r, row) in t.rows.iter().enumerate() {
                let docx_rs::TableChild::TableRow(row) = row;
                let mut col = 0;
                for rc in &row.cells {
                    let docx_rs::TableRowChild::TableCell(cell) = rc;
                    let prop = serde_json::to_value(&cell.property).unwrap();
                    let span = prop["gridSpan"].as_u64().unwrap_or(1) as usize;
                    let merge = prop["verticalMerge"].as_str().unwrap_or("");
                    if merge == "continue" {
                        let above = cells
                            .iter_mut()
                            .find(|c| c.1 == col && c.0 + c.2 == r)
                            .unwrap_or_else(|| panic!("{} table {i}: vMerge continue at ({r}, {col}) with nothing above", e.file));
                        above.2 += 1;
                    } else {
                        let paras: Vec<String> = cell
                            .children
                            .iter()
                            .filter_map(|c| if let docx_rs::TableCellContent::Paragraph(p) = c { Some(p.raw_text()) } else { None })
                            .collect();
                        cells.push((r, col, 1, span, paras.join("\n").trim().to_string()));
                    }
                    col += span;
                }
                assert_eq!(col, want.n_cols, "{} table {i} row {r}: grid width", e.file);
            }
            let mut truth_cells: Vec<(usize, usize, usize, usize, String)> =
                want.cells.iter().map(|c| (c.row, c.col, c.row_span, c.col_span, c.text.clone())).collect();
            cells.sort();
            truth_cells.sort();
            assert_eq!(cells, truth_cells, "{} table {i}", e.file);
            checked += 1;
        }
    }
    assert!(checked >= 50, "only {checked} DOCX tables checked");
}

/// Each XLSX, read back with calamine (an independent reader), holds the truth's grid where the
/// generator put it (below the table's context rows): the merged regions are the spans, and each
/// cell holds the text, or the number the text prints (figures are written as numbers).
#[test]
fn xlsx_grids_match_truth() {
    use calamine::{Data, Reader};
    let mut checked = 0;
    for e in manifest().iter().filter(|e| e.producer == "xlsx") {
        let bytes = std::fs::read(corpus().join(&e.file)).unwrap();
        let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        book.load_merged_regions().unwrap();
        let x = truth(&e.truth);
        let names = book.sheet_names();
        assert_eq!(names.len(), x.tables.len(), "{}", e.file);
        for (name, t) in names.iter().zip(&x.tables) {
            let at = format!("{} sheet {name}", e.file);
            let top = t.context.len() as u32;
            let mut merges: Vec<(u32, u32, u32, u32)> = book
                .merged_regions_by_sheet(name)
                .iter()
                .filter(|(_, _, d)| d.start.0 >= top)
                .map(|(_, _, d)| (d.start.0 - top, d.start.1, d.end.0 - top, d.end.1))
                .collect();
            merges.sort();
            let mut spans: Vec<(u32, u32, u32, u32)> = t
                .cells
                .iter()
                .filter(|c| c.row_span > 1 || c.col_span > 1)
                .map(|c| (c.row as u32, c.col as u32, (c.row + c.row_span - 1) as u32, (c.col + c.col_span - 1) as u32))
                .collect();
            spans.sort();
            assert_eq!(merges, spans, "{at}: merged regions vs spans");
            let range = book.worksheet_range(name).unwrap();
            for c in &t.cells {
                let got = range.get_value((top + c.row as u32, c.col as u32)).cloned().unwrap_or(Data::Empty);
                let want = match yusuan::output::printed_number(&c.text) {
                    Some((number, _)) => Data::Float(number),
                    None if c.text.is_empty() => Data::Empty,
                    None => Data::String(c.text.clone()),
                };
                assert_eq!(got, want, "{at} ({}, {})", c.row, c.col);
                checked += 1;
            }
        }
    }
    assert!(checked > 5000, "{checked} cells checked");
}
