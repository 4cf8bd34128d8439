//! The producers: LibreOffice (DOCX → PDF), Chromium (HTML → PDF), and the filled-rectangle
//! rewrite of LibreOffice's stroked borders. Plus what the truth needs to know about a produced
//! PDF: its page count and on which page each table row landed (asked of poppler's pdftotext).

use std::path::{Path, PathBuf};
use std::process::Command;

use pdf_extract::{content::Content, content::Operation, Document, Object};

use crate::model::TableModel;

/// Converts DOCX files to PDF with one LibreOffice run; returns the PDF paths in the same order.
pub fn libreoffice(docx_files: &[PathBuf], work: &Path) -> Vec<PathBuf> {
    // soffice with nothing to convert waits forever
    if docx_files.is_empty() {
        return Vec::new();
    }
    let out = work.join("lo_out");
    let profile = work.join("lo_profile");
    std::fs::create_dir_all(&out).expect("LibreOffice output dir");
    let status = Command::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args(["--headless", "--norestore", "--convert-to", "pdf", "--outdir"])
        .arg(&out)
        .args(docx_files)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("soffice runs");
    assert!(status.success(), "soffice failed: {status}");
    docx_files
        .iter()
        .map(|f| {
            let p = out.join(f.with_extension("pdf").file_name().unwrap());
            assert!(p.exists(), "soffice did not write {}", p.display());
            p
        })
        .collect()
}

/// Prints one HTML file to PDF with headless Chromium.
pub fn chromium(html: &Path, pdf: &Path, work: &Path) {
    let profile = work.join(format!("chrome_{}", html.file_stem().unwrap().to_string_lossy()));
    let status = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("chromium runs");
    assert!(status.success() && pdf.exists(), "chromium failed on {}", html.display());
    let _ = std::fs::remove_dir_all(profile);
}

fn num(o: &Object) -> Option<f32> {
    match o {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) => Some(*r),
        _ => None,
    }
}

fn real(v: f32) -> Object {
    Object::Real((v * 1000.0).round() / 1000.0)
}

/// Rewrites every stroked path made only of horizontal and vertical segments into thin filled
/// rectangles (`x y w h re f`) the width of the pen, as Word and WPS draw table borders. Returns
/// how many segments were converted.
pub fn strokes_to_rects(pdf: &Path) -> usize {
    let mut doc = Document::load(pdf).expect("LibreOffice PDF loads");
    let pages: Vec<_> = doc.get_pages().into_values().collect();
    let mut converted = 0;
    for page in pages {
        let content = doc.get_page_content(page).expect("page content");
        let ops = Content::decode(&content).expect("content decodes").operations;
        let mut out: Vec<Operation> = Vec::with_capacity(ops.len());
        let mut width = 1.0f32;
        let mut width_stack: Vec<f32> = Vec::new();
        let mut stroke_rgb: Vec<Object> = vec![real(0.0), real(0.0), real(0.0)];
        let mut rgb_stack: Vec<Vec<Object>> = Vec::new();
        // The path under construction: its operations (to replay if it is not convertible) and
        // its segments.
        let mut path_ops: Vec<Operation> = Vec::new();
        let mut segs: Vec<(f32, f32, f32, f32)> = Vec::new();
        let mut cur: Option<(f32, f32)> = None;
        let mut convertible = true;
        for op in ops {
            let operator = op.operator.clone();
            let o = operator.as_str();
            match o {
                "q" => {
                    width_stack.push(width);
                    rgb_stack.push(stroke_rgb.clone());
                    out.push(op);
                }
                "Q" => {
                    width = width_stack.pop().unwrap_or(1.0);
                    stroke_rgb = rgb_stack.pop().unwrap_or_else(|| vec![real(0.0), real(0.0), real(0.0)]);
                    out.push(op);
                }
                "w" => {
                    width = op.operands.first().and_then(num).unwrap_or(1.0);
                    out.push(op);
                }
                "RG" => {
                    stroke_rgb = op.operands.clone();
                    out.push(op);
                }
                "G" => {
                    let g = op.operands.first().and_then(num).unwrap_or(0.0);
                    stroke_rgb = vec![real(g), real(g), real(g)];
                    out.push(op);
                }
                "m" => {
                    let (x, y) = (num(&op.operands[0]).unwrap_or(0.0), num(&op.operands[1]).unwrap_or(0.0));
                    cur = Some((x, y));
                    path_ops.push(op);
                }
                "l" => {
                    let (x, y) = (num(&op.operands[0]).unwrap_or(0.0), num(&op.operands[1]).unwrap_or(0.0));
                    if let Some((x0, y0)) = cur {
                        if (x - x0).abs() < 0.01 || (y - y0).abs() < 0.01 {
                            segs.push((x0, y0, x, y));
                        } else {
                            convertible = false;
                        }
                    }
                    cur = Some((x, y));
                    path_ops.push(op);
                }
                "c" | "v" | "y" | "h" | "re" => {
                    convertible = false;
                    path_ops.push(op);
                }
                "S" if convertible && !segs.is_empty() => {
                    out.push(Operation::new("q", vec![]));
                    out.push(Operation::new("rg", stroke_rgb.clone()));
                    for &(x0, y0, x1, y1) in &segs {
                        let half = width.max(0.1) / 2.0;
                        let (rx, ry, rw, rh) = if (y1 - y0).abs() < 0.01 {
                            // horizontal: extend by half the pen at both ends, as a square cap would
                            (x0.min(x1) - half, y0 - half, (x1 - x0).abs() + 2.0 * half, 2.0 * half)
                        } else {
                            (x0 - half, y0.min(y1) - half, 2.0 * half, (y1 - y0).abs() + 2.0 * half)
                        };
                        out.push(Operation::new("re", vec![real(rx), real(ry), real(rw), real(rh)]));
                        converted += 1;
                    }
                    out.push(Operation::new("f", vec![]));
                    out.push(Operation::new("Q", vec![]));
                    path_ops.clear();
                    segs.clear();
                    cur = None;
                    convertible = true;
                }
                "S" | "s" | "f" | "F" | "f*" | "B" | "B*" | "b" | "b*" | "n" | "W" | "W*" => {
                    out.append(&mut path_ops);
                    out.push(op);
                    if !matches!(o, "W" | "W*") {
                        segs.clear();
                        cur = None;
                        convertible = true;
                    }
                }
                _ => {
                    if path_ops.is_empty() {
                        out.push(op);
                    } else {
                        path_ops.push(op);
                    }
                }
            }
        }
        out.append(&mut path_ops);
        let bytes = Content { operations: out }.encode().expect("content encodes");
        doc.change_page_content(page, bytes).expect("page content replaced");
    }
    doc.compress();
    doc.save(pdf).expect("rewritten PDF saved");
    converted
}

pub fn page_count(pdf: &Path) -> u32 {
    Document::load(pdf).expect("PDF loads").get_pages().len() as u32
}

fn stripped(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// For every table, the page of every row, found by walking pdftotext's raw text page by page in
/// document order: each row's most distinctive cell text must appear after the previous row's.
/// Rows never split (cantSplit / break-inside: avoid), so a row has one page. None when any row
/// cannot be placed; the truth then says null.
///
/// The strict walk looks for the row's longest cell text (or its first six characters) from the
/// cursor on. Where a renderer prints wrapped lines of neighbouring cells interleaved ("资金支出计
/// 3 月底 6 月底 … 划（%）", as open tables come out), that text is not contiguous and the strict
/// walk runs ahead to a later table; only then the lenient walk is tried, which accepts any of the
/// row's cell texts or their starts, and tries every one on the current page before a later page.
/// Either walk steps over the rest of a row once it has placed it.
pub fn row_pages(pdf: &Path, tables: &[&TableModel], contexts: &[Vec<String>]) -> Option<Vec<Vec<u32>>> {
    let out = Command::new("pdftotext").args(["-raw", "-enc", "UTF-8"]).arg(pdf).arg("-").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let pages: Vec<String> = text.split('\u{c}').map(stripped).collect();
    walk_rows(&pages, tables, contexts, false).or_else(|| walk_rows(&pages, tables, contexts, true))
}

fn walk_rows(pages: &[String], tables: &[&TableModel], contexts: &[Vec<String>], lenient: bool) -> Option<Vec<Vec<u32>>> {
    // Finds the first of `probes` at or after the cursor, page by page; returns (page, end
    // offset, which probe).
    let seek = |probes: &[String], page: usize, pos: usize| -> Option<(usize, usize, usize)> {
        for (p, text) in pages.iter().enumerate().skip(page) {
            let from = if p == page { pos } else { 0 };
            if from <= text.len() {
                for (k, probe) in probes.iter().enumerate() {
                    if let Some(i) = text[from..].find(probe.as_str()) {
                        return Some((p, from + i + probe.len(), k));
                    }
                }
            }
        }
        None
    };
    let mut page = 0usize;
    let mut pos = 0usize;
    let mut result = Vec::new();
    for (t, context) in tables.iter().zip(contexts) {
        // Anchor on the lines printed above the table, so a row's text met earlier in the prose
        // does not count.
        for line in context {
            if let Some((p, np, _)) = seek(&[stripped(line)], page, pos) {
                page = p;
                pos = np;
            }
        }
        let mut rows = Vec::new();
        for r in 0..t.n_rows {
            // the cells that start in this row, longest text first
            let mut cells: Vec<(usize, String)> = t.cells.iter().filter(|c| c.row == r).map(|c| (c.col, stripped(&c.text))).filter(|c| !c.1.is_empty()).collect();
            // among equally long texts the last first, as the walk has always taken them
            cells.reverse();
            cells.sort_by_key(|c| std::cmp::Reverse(c.1.chars().count()));
            if cells.is_empty() {
                // an empty row: same page as the previous row
                rows.push(page as u32 + 1);
                continue;
            }
            let prefix = |s: &String| s.chars().take(6).collect::<String>();
            // (probe, the column of its cell)
            let probes: Vec<(String, usize)> = if lenient {
                cells.iter().map(|c| (c.1.clone(), c.0)).chain(cells.iter().map(|c| (prefix(&c.1), c.0))).collect()
            } else {
                vec![(cells[0].1.clone(), cells[0].0), (prefix(&cells[0].1), cells[0].0)]
            };
            let texts: Vec<String> = probes.iter().map(|p| p.0.clone()).collect();
            let found = if lenient {
                seek(&texts, page, pos)
            } else {
                seek(&texts[..1], page, pos).or_else(|| seek(&texts[1..], page, pos).map(|(p, np, k)| (p, np, k + 1)))
            };
            let (p, mut np, k) = found?;
            // The text found is the first print of it: of the row's cells with that text, the
            // leftmost (a prefix stands for its own cell).
            let col = cells.iter().filter(|c| c.1 == texts[k]).map(|c| c.0).min().unwrap_or(probes[k].1);
            // Step over the row's cells right of the one found, printed after it, so that the
            // next row is not placed on text of this one (a 类 row and its only 款 print the same
            // amounts; every indicator row ends in the same "≥95 百分比 年度工作计划").
            let text = &pages[p];
            let mut right: Vec<&crate::model::MCell> = t.cells.iter().filter(|c| c.row == r && c.col > col).collect();
            right.sort_by_key(|c| c.col);
            for cell in right {
                let want = stripped(&cell.text);
                let end = (text.len().min(np + 120 + want.len())..=text.len()).find(|&e| text.is_char_boundary(e)).unwrap_or(text.len());
                if let Some(i) = (!want.is_empty()).then(|| text[np..end].find(&want)).flatten() {
                    np += i + want.len();
                }
            }
            page = p;
            pos = np;
            rows.push(page as u32 + 1);
        }
        result.push(rows);
    }
    Some(result)
}

/// Whether `want` is in `hay` whole, or as the lines a renderer wrapped it into, printed in order
/// with other cells' lines between them (pdftotext prints a table line by line across cells): at
/// most 8 pieces of 2 or more characters, each within 300 bytes after the previous one.
fn found_as_lines(hay: &str, want: &str) -> bool {
    fn rest_from(hay: &str, want: &[char], cursor: usize, pieces_left: usize) -> bool {
        if want.is_empty() {
            return true;
        }
        if pieces_left == 0 {
            return false;
        }
        let end = (hay.len().min(cursor + 300 + 4 * want.len())..=hay.len()).find(|&e| hay.is_char_boundary(e)).unwrap_or(hay.len());
        let window = &hay[cursor..end];
        // the longest start of what is left that is in the window: a whole wrapped line
        let shortest = if want.len() >= 2 { 2 } else { 1 };
        (shortest..=want.len())
            .rev()
            .find_map(|n| {
                let piece: String = want[..n].iter().collect();
                window.find(&piece).map(|i| (n, cursor + i + piece.len()))
            })
            .is_some_and(|(n, next)| rest_from(hay, &want[n..], next, pieces_left - 1))
    }
    if hay.contains(want) {
        return true;
    }
    let chars: Vec<char> = want.chars().collect();
    // the first piece may be anywhere on the page: try each place its first two characters are
    let head: String = chars.iter().take(2).collect();
    hay.match_indices(&head).take(64).any(|(i, _)| rest_from(hay, &chars, i, 8))
}

/// Self-check of a produced PDF: every non-empty cell's text (whitespace removed) must be in
/// pdftotext's raw text of the page its row is on (or anywhere, when pages are unknown). Returns
/// the cells that are not, e.g. text a producer clipped.
pub fn missing_cells(pdf: &Path, tables: &[&TableModel], pages: Option<&Vec<Vec<u32>>>) -> Vec<String> {
    let Ok(out) = Command::new("pdftotext").args(["-raw", "-enc", "UTF-8"]).arg(pdf).arg("-").output() else {
        return vec!["pdftotext did not run".into()];
    };
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let page_texts: Vec<String> = text.split('\u{c}').map(stripped).collect();
    let all = stripped(&text);
    let mut missing = Vec::new();
    for (i, t) in tables.iter().enumerate() {
        for c in &t.cells {
            let want = stripped(&c.text);
            if want.is_empty() {
                continue;
            }
            let hay = match pages {
                Some(p) => &page_texts[p[i][c.row] as usize - 1],
                None => &all,
            };
            if !found_as_lines(hay, &want) {
                missing.push(format!("table {i} ({}, {}): {want}", c.row, c.col));
            }
        }
    }
    missing
}

/// Makes a produced PDF byte-for-byte reproducible: drops the creation / modification dates and
/// the file ID that LibreOffice and Chromium stamp on every run, so regenerating the corpus does
/// not churn the committed files.
pub fn normalize(pdf: &Path) {
    let mut doc = Document::load(pdf).expect("produced PDF loads");
    if let Ok(info) = doc.trailer.get(b"Info").and_then(Object::as_reference) {
        if let Ok(Object::Dictionary(d)) = doc.get_object_mut(info) {
            d.remove(b"CreationDate");
            d.remove(b"ModDate");
        }
    }
    doc.trailer.remove(b"ID");
    doc.trailer.remove(b"DocChecksum");
    doc.compress();
    doc.save(pdf).expect("normalized PDF saved");
}
