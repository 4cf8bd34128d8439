//! DOCX writer: WordprocessingML written directly (gridSpan, vMerge restart/continue, tblHeader,
//! cantSplit, landscape sections, per-cell borders), packed with `zip` at a fixed timestamp so the
//! same model always gives the same bytes.

use std::fmt::Write as _;
use std::io::Write as _;

use crate::model::{Align, Block, Border, DocModel, TableModel};

const A4_W: u32 = 11906;
const A4_H: u32 = 16838;
const MARGIN: u32 = 1134;
const BODY_FONT: &str = "Noto Serif CJK SC";
const HEAD_FONT: &str = "Noto Sans CJK SC";

pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn run(text: &str, pt: f32, bold: bool, font: &str) -> String {
    let sz = (pt * 2.0).round() as u32;
    format!(
        "<w:r><w:rPr><w:rFonts w:ascii=\"{font}\" w:hAnsi=\"{font}\" w:eastAsia=\"{font}\" w:cs=\"{font}\"/>{}<w:sz w:val=\"{sz}\"/><w:szCs w:val=\"{sz}\"/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r>",
        if bold { "<w:b/>" } else { "" },
        esc(text)
    )
}

/// The runs of a paragraph: text with a gap of several spaces is split around the gap, as Word
/// leaves "其中：财政    资金" in separate runs; the text read back is the same.
fn runs(text: &str, pt: f32, bold: bool, font: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("  ") {
        let j = rest[i..].find(|c: char| c != ' ').map(|k| i + k).unwrap_or(rest.len());
        if i > 0 {
            out.push_str(&run(&rest[..i], pt, bold, font));
        }
        out.push_str(&run(&rest[i..j], pt, bold, font));
        rest = &rest[j..];
    }
    if !rest.is_empty() {
        out.push_str(&run(rest, pt, bold, font));
    }
    out
}

fn para(text: &str, jc: &str, pt: f32, bold: bool, font: &str, spacing_after: u32) -> String {
    para_marked(text, jc, pt, bold, font, spacing_after, None)
}

/// A paragraph, optionally wrapped in a bookmark (id, name).
fn para_marked(text: &str, jc: &str, pt: f32, bold: bool, font: &str, spacing_after: u32, mark: Option<(usize, &str)>) -> String {
    let (start, end) = match mark {
        Some((id, name)) => (format!("<w:bookmarkStart w:id=\"{id}\" w:name=\"{}\"/>", esc(name)), format!("<w:bookmarkEnd w:id=\"{id}\"/>")),
        None => (String::new(), String::new()),
    };
    format!(
        "<w:p><w:pPr><w:spacing w:before=\"0\" w:after=\"{spacing_after}\" w:line=\"300\" w:lineRule=\"auto\"/><w:jc w:val=\"{jc}\"/></w:pPr>{start}{}{end}</w:p>",
        runs(text, pt, bold, font)
    )
}

fn sect_pr(landscape: bool) -> String {
    let (w, h, orient) = if landscape { (A4_H, A4_W, " w:orient=\"landscape\"") } else { (A4_W, A4_H, "") };
    format!(
        "<w:sectPr><w:pgSz w:w=\"{w}\" w:h=\"{h}\"{orient}/><w:pgMar w:top=\"1134\" w:right=\"{MARGIN}\" w:bottom=\"1134\" w:left=\"{MARGIN}\" w:header=\"567\" w:footer=\"567\" w:gutter=\"0\"/></w:sectPr>"
    )
}

fn border(side: &str, val: &str, sz: u32) -> String {
    if val == "nil" {
        format!("<w:{side} w:val=\"nil\"/>")
    } else {
        format!("<w:{side} w:val=\"{val}\" w:sz=\"{sz}\" w:space=\"0\" w:color=\"000000\"/>")
    }
}

fn table_xml(t: &TableModel, text_width: u32, go_back: Option<(usize, usize)>) -> String {
    let total: f32 = t.widths.iter().sum();
    let grid: Vec<u32> = t.widths.iter().map(|w| (w / total * text_width as f32).round() as u32).collect();
    let mut x = String::new();
    x.push_str("<w:tbl><w:tblPr>");
    let _ = write!(x, "<w:tblW w:w=\"{}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/>", grid.iter().sum::<u32>());
    x.push_str("<w:tblBorders>");
    match t.border {
        Border::Grid => {
            for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
                x.push_str(&border(side, "single", 4));
            }
        }
        Border::ThreeLine => {
            x.push_str(&border("top", "single", 12));
            x.push_str(&border("bottom", "single", 12));
            for side in ["left", "right", "insideH", "insideV"] {
                x.push_str(&border(side, "nil", 0));
            }
        }
        // drawn cell by cell below
        Border::Ruled(_) => {
            for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
                x.push_str(&border(side, "nil", 0));
            }
        }
    }
    x.push_str("</w:tblBorders><w:tblLayout w:type=\"fixed\"/>");
    x.push_str("<w:tblCellMar><w:top w:w=\"28\" w:type=\"dxa\"/><w:left w:w=\"57\" w:type=\"dxa\"/><w:bottom w:w=\"28\" w:type=\"dxa\"/><w:right w:w=\"57\" w:type=\"dxa\"/></w:tblCellMar>");
    x.push_str("</w:tblPr><w:tblGrid>");
    for g in &grid {
        let _ = write!(x, "<w:gridCol w:w=\"{g}\"/>");
    }
    x.push_str("</w:tblGrid>");
    for r in 0..t.n_rows {
        x.push_str("<w:tr><w:trPr><w:cantSplit/>");
        if r < t.header_rows && t.repeat_header {
            x.push_str("<w:tblHeader/>");
        }
        x.push_str("</w:trPr>");
        let mut k = 0;
        while k < t.n_cols() {
            let cell = t.cell_at(r, k).expect("model tiles its grid");
            let w: u32 = grid[cell.col..cell.col + cell.cs].iter().sum();
            let mut tcpr = format!("<w:tcW w:w=\"{w}\" w:type=\"dxa\"/>");
            if cell.cs > 1 {
                let _ = write!(tcpr, "<w:gridSpan w:val=\"{}\"/>", cell.cs);
            }
            let starts_here = cell.row == r;
            if cell.rs > 1 {
                tcpr.push_str(if starts_here { "<w:vMerge w:val=\"restart\"/>" } else { "<w:vMerge/>" });
            }
            let mut borders = String::new();
            if t.borderless_rows.contains(&r) {
                borders.push_str(&border("top", "nil", 0));
                borders.push_str(&border("left", "nil", 0));
                borders.push_str(&border("right", "nil", 0));
                if cell.col > 0 || cell.col + cell.cs < t.n_cols() {
                    borders.push_str(&border("insideV", "nil", 0));
                }
            }
            if t.border == Border::ThreeLine && t.header_rows > 0 && r + 1 == t.header_rows {
                borders.push_str(&border("bottom", "single", 6));
            }
            if let Border::Ruled(rules) = t.border {
                // Every edge of every cell piece, so that neighbours agree on the edge between
                // them; a vertically merged cell has no edges inside it.
                let last = cell.row + cell.rs - 1;
                let top = if r == cell.row { rules.edge_h(r, t.n_rows) } else { None };
                let bottom = if r == last { rules.edge_h(r + 1, t.n_rows) } else { None };
                let left = rules.edge_v(cell.col, t.n_cols());
                let right = rules.edge_v(cell.col + cell.cs, t.n_cols());
                for (side, line) in [("top", top), ("left", left), ("bottom", bottom), ("right", right)] {
                    // eighths of a point
                    match line {
                        Some(l) => borders.push_str(&border(side, "single", (l.pt() * 8.0).round() as u32)),
                        None => borders.push_str(&border(side, "nil", 0)),
                    }
                }
            }
            if !borders.is_empty() {
                let _ = write!(tcpr, "<w:tcBorders>{borders}</w:tcBorders>");
            }
            if cell.vertical {
                tcpr.push_str("<w:textDirection w:val=\"tbRlV\"/>");
            }
            tcpr.push_str("<w:vAlign w:val=\"center\"/>");
            let _ = write!(x, "<w:tc><w:tcPr>{tcpr}</w:tcPr>");
            let jc = match cell.align {
                Align::Left => "left",
                Align::Center => "center",
                Align::Right => "right",
            };
            let paras = cell.paragraphs();
            if !starts_here || paras.is_empty() {
                x.push_str(&para("", jc, t.font_pt, false, BODY_FONT, 0));
            } else {
                for (k, p) in paras.iter().enumerate() {
                    let mark = if k == 0 && go_back == Some((cell.row, cell.col)) { Some((0, "_GoBack")) } else { None };
                    x.push_str(&para_marked(p, jc, t.font_pt, cell.bold || r < t.header_rows, BODY_FONT, 0, mark));
                }
            }
            x.push_str("</w:tc>");
            k = cell.col + cell.cs;
        }
        x.push_str("</w:tr>");
    }
    x.push_str("</w:tbl>");
    x
}

pub fn document_xml(doc: &DocModel) -> String {
    let mut body = String::new();
    let mut landscape = doc.landscape;
    let width = |l: bool| if l { A4_H - 2 * MARGIN } else { A4_W - 2 * MARGIN };
    let mut prev_table = false;
    let mut table_index = 0;
    let mut toc = 0;
    for b in &doc.blocks {
        let is_table = matches!(b, Block::Table(_));
        match b {
            Block::Title(t) => body.push_str(&para(t, "center", 16.0, true, HEAD_FONT, 200)),
            Block::Heading(t) => {
                let name = format!("_Toc_4_4_{:010}", toc + 1);
                let mark = doc.docx_bookmarks.map(|_| (toc + 1, name.as_str()));
                toc += 1;
                body.push_str(&para_marked(t, "left", 12.0, true, HEAD_FONT, 120, mark));
            }
            Block::Para(t) => body.push_str(&para(t, "both", 10.5, false, BODY_FONT, 80)),
            Block::Right(t) => body.push_str(&para(t, "right", 9.0, false, BODY_FONT, 40)),
            Block::Table(t) => {
                // Two tables in a row would merge into one in Word: keep them apart with an
                // empty paragraph, as real documents do.
                if prev_table {
                    body.push_str(&para("", "left", 6.0, false, BODY_FONT, 0));
                }
                let go_back = doc.docx_bookmarks.filter(|b| b.0 == table_index).map(|b| (b.1, b.2));
                if t.drawn.is_empty() {
                    body.push_str(&table_xml(t, width(landscape), go_back));
                }
                for (i, part) in t.drawn.iter().enumerate() {
                    if i > 0 {
                        body.push_str("<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>");
                    }
                    body.push_str(&table_xml(part, width(landscape), None));
                }
                table_index += 1;
            }
            Block::PageBreak => body.push_str("<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>"),
            Block::Section(l) => {
                let _ = write!(body, "<w:p><w:pPr>{}</w:pPr></w:p>", sect_pr(landscape));
                landscape = *l;
            }
        }
        prev_table = is_table;
    }
    if prev_table {
        body.push_str(&para("", "left", 6.0, false, BODY_FONT, 0));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><w:body>{body}{}</w:body></w:document>",
        sect_pr(landscape)
    )
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/><Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/><Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/></Types>";

const RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/><Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/></Relationships>";

const DOC_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/></Relationships>";

fn styles_xml() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii=\"{BODY_FONT}\" w:hAnsi=\"{BODY_FONT}\" w:eastAsia=\"{BODY_FONT}\" w:cs=\"{BODY_FONT}\"/><w:sz w:val=\"21\"/><w:szCs w:val=\"21\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after=\"0\"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/></w:style><w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/><w:tblPr><w:tblCellMar><w:left w:w=\"108\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style></w:styles>"
    )
}

fn core_xml(title: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>{}</dc:title><dc:creator>yusuan gen_corpus</dc:creator><dcterms:created xsi:type=\"dcterms:W3CDTF\">2026-01-01T00:00:00Z</dcterms:created></cp:coreProperties>",
        esc(title)
    )
}

pub fn write_docx(doc: &DocModel) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default());
        let parts: Vec<(&str, String)> = vec![
            ("[Content_Types].xml", CONTENT_TYPES.to_string()),
            ("_rels/.rels", RELS.to_string()),
            ("word/_rels/document.xml.rels", DOC_RELS.to_string()),
            ("word/document.xml", document_xml(doc)),
            ("word/styles.xml", styles_xml()),
            ("docProps/core.xml", core_xml(&doc.name)),
        ];
        for (name, content) in parts {
            z.start_file(name, opts).expect("zip entry");
            z.write_all(content.as_bytes()).expect("zip write");
        }
        z.finish().expect("zip finish");
    }
    buf.into_inner()
}
