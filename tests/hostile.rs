//! Hostile and broken input. Every file is built here (or committed small under
//! tests/fixtures/hostile/: the two encrypted PDFs, made with qpdf from the plain text PDF built
//! below, and a password-protected DOCX made with msoffcrypto-tool). Each case states its exact outcome; each must end within 30 s, and the CLI runs of the
//! default-limit cases must stay under 1 GiB of resident memory with the documented exit code.
//!
//! PDF cases exercise the `pdf` engineer's decoder (src/decode/pdf); DOCX and sniffing cases this
//! branch's code.

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use docx_rs::{Docx, Paragraph, Run, Table as WTable, TableCell, TableRow};
use flate2::write::ZlibEncoder;
use flate2::Compression;
use yusuan::{ExtractError, Extraction, Format, Limits};

const MIB: usize = 1024 * 1024;
const TIME_LIMIT: Duration = Duration::from_secs(30);
const RSS_LIMIT_KIB: u64 = 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Outcome {
    /// Extracted; `tables` tables; format as sniffed.
    Ok {
        format: Format,
        tables: usize,
    },
    Error(&'static str),
}

struct Case {
    name: &'static str,
    file_name: &'static str,
    bytes: Vec<u8>,
    limits: Limits,
    expected: Outcome,
}

impl Case {
    fn new(name: &'static str, file_name: &'static str, bytes: Vec<u8>, expected: Outcome) -> Self {
        Case { name, file_name, bytes, limits: Limits::default(), expected }
    }
    fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
    fn default_limits(&self) -> bool {
        format!("{:?}", self.limits) == format!("{:?}", Limits::default())
    }
}

// ---------------------------------------------------------------- PDF builders

/// A PDF from object bodies numbered 1.., with a correct xref table; object 1 is the catalog.
fn pdf_from_objects(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1)
            .as_bytes(),
    );
    out
}

fn stream(dict_extra: &str, data: &[u8]) -> Vec<u8> {
    let mut s = format!("<< /Length {}{dict_extra} >>\nstream\n", data.len()).into_bytes();
    s.extend_from_slice(data);
    s.extend_from_slice(b"\nendstream");
    s
}

const PAGE_TEXT: &[u8] = b"BT /F1 12 Tf 72 720 Td (Budget notes: this page has text and no table.) Tj ET";
const FONT: &[u8] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";

fn text_pdf_with_kids(kids: &str, count: usize) -> Vec<u8> {
    pdf_from_objects(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!("<< /Type /Pages /Kids [{kids}] /Count {count} >>").into_bytes(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_vec(),
        stream("", PAGE_TEXT),
        FONT.to_vec(),
    ])
}

/// Two distinct page objects sharing one content stream and font.
fn two_page_pdf() -> Vec<u8> {
    let page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>";
    pdf_from_objects(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>".to_vec(),
        page.to_vec(),
        stream("", PAGE_TEXT),
        FONT.to_vec(),
        page.to_vec(),
    ])
}

fn text_pdf() -> Vec<u8> {
    text_pdf_with_kids("3 0 R", 1)
}

fn image_only_pdf() -> Vec<u8> {
    pdf_from_objects(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /XObject << /Im1 5 0 R >> >> >>".to_vec(),
        stream("", b"q 400 0 0 500 97 200 cm /Im1 Do Q"),
        stream(" /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8", &[0, 255, 255, 0]),
    ])
}

/// A page whose content stream inflates to `inflated` bytes of spaces.
fn flate_bomb_pdf(inflated: usize) -> Vec<u8> {
    let mut enc = ZlibEncoder::new(Vec::new(), Compression::best());
    let chunk = vec![b' '; MIB];
    for _ in 0..inflated / MIB {
        enc.write_all(&chunk).unwrap();
    }
    let packed = enc.finish().unwrap();
    pdf_from_objects(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_vec(),
        stream(" /Filter /FlateDecode", &packed),
        FONT.to_vec(),
    ])
}

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

// ---------------------------------------------------------------- DOCX builders

fn valid_docx() -> Vec<u8> {
    let cell = |t: &str| TableCell::new().add_paragraph(Paragraph::new().add_run(Run::new().add_text(t)));
    let docx =
        Docx::new().add_paragraph(Paragraph::new().add_run(Run::new().add_text("部门收支总表"))).add_table(
            WTable::new(vec![
                TableRow::new(vec![cell("项目"), cell("预算数")]),
                TableRow::new(vec![cell("合计"), cell("100.00")]),
            ])
            .set_grid(vec![2000, 2000]),
        );
    let mut out = Cursor::new(Vec::new());
    docx.build().pack(&mut out).unwrap();
    out.into_inner()
}

fn no_table_docx() -> Vec<u8> {
    let docx =
        Docx::new().add_paragraph(Paragraph::new().add_run(Run::new().add_text("只有文字，没有表格。")));
    let mut out = Cursor::new(Vec::new());
    docx.build().pack(&mut out).unwrap();
    out.into_inner()
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
const DOC_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>"#;

/// A DOCX package from (name, content) parts, deflated; the three package parts are added.
fn docx_package(parts: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let base = [
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes().to_vec()),
        ("_rels/.rels", RELS.as_bytes().to_vec()),
        ("word/_rels/document.xml.rels", DOC_RELS.as_bytes().to_vec()),
    ];
    for (name, body) in base.iter().map(|(n, b)| (*n, b)).chain(parts.iter().map(|(n, b)| (*n, b))) {
        zip.start_file(name, opts).unwrap();
        zip.write_all(body).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn document_xml(body: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    )
    .into_bytes()
}

/// A document.xml of `size` bytes: a valid part padded with whitespace (compresses ~1000:1).
fn padded_document(size: usize) -> Vec<u8> {
    let mut xml = document_xml("<w:p><w:r><w:t>x</w:t></w:r></w:p>");
    let close = xml.split_off(xml.len() - "</w:body></w:document>".len());
    xml.resize(size - close.len(), b' ');
    xml.extend_from_slice(&close);
    xml
}

fn zip_of(names_and_bodies: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for (name, body) in names_and_bodies {
        zip.start_file(*name, opts).unwrap();
        zip.write_all(body).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

// ---------------------------------------------------------------- the cases

fn docx_cases() -> Vec<Case> {
    use Outcome::*;
    let valid = valid_docx();
    let mut random = vec![0u8; 64 * 1024];
    let mut rng = fastrand::Rng::with_seed(7);
    rng.fill(&mut random);
    random[0] = b'R'; // not accidentally a magic number

    let many_entries = {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts =
            zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        zip.start_file("word/document.xml", opts).unwrap();
        zip.write_all(&document_xml("")).unwrap();
        for i in 0..10_001 {
            zip.start_file(format!("customXml/item{i}.bin"), opts).unwrap();
        }
        zip.finish().unwrap().into_inner()
    };
    let deep = {
        let depth = 100_000;
        let body = format!(
            "{}{}",
            "<w:sdt><w:sdtContent>".repeat(depth / 2),
            "</w:sdtContent></w:sdt>".repeat(depth / 2)
        );
        docx_package(&[("word/document.xml", document_xml(&body))])
    };
    let nested_tables_just_under_limit = {
        // 84 tables nested in each other: XML depth 2 + 84*3 = 254, just under the default limit of
        // 256. Must decode on a test thread's 2 MiB stack, not overflow it.
        let levels = 84;
        let open = r#"<w:tbl><w:tblGrid><w:gridCol w:w="100"/></w:tblGrid><w:tr><w:tc>"#.repeat(levels);
        let close = "<w:p/></w:tc></w:tr></w:tbl>".repeat(levels);
        docx_package(&[("word/document.xml", document_xml(&format!("{open}{close}")))])
    };
    let xxe = docx_package(&[(
        "word/document.xml",
        br#"<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>"#.to_vec(),
    )]);
    let laughs = docx_package(&[(
        "word/document.xml",
        br#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>"#.to_vec(),
    )]);
    let xxe_in_styles = docx_package(&[
        ("word/document.xml", document_xml("<w:p/>")),
        ("word/styles.xml", br#"<?xml version="1.0"?><!DOCTYPE s [<!ENTITY e SYSTEM "http://127.0.0.1:9/x">]><w:styles>&e;</w:styles>"#.to_vec()),
    ]);
    let utf16 = {
        let text = String::from_utf8(document_xml("<w:p/>")).unwrap();
        let mut bytes = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        docx_package(&[("word/document.xml", bytes)])
    };
    let span_bomb = {
        let row =
            r#"<w:tr><w:tc><w:tcPr><w:gridSpan w:val="2000000000"/></w:tcPr><w:p/></w:tc></w:tr>"#.repeat(50);
        docx_package(&[("word/document.xml", document_xml(&format!("<w:tbl>{row}</w:tbl>")))])
    };
    // Under every byte limit (stored: ratio 1; 3 MB), yet 500 000 paragraphs would take docx-rs
    // about 1.2 GB to hold.
    let paragraph_bomb = {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored =
            zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        for (name, body) in [
            ("[Content_Types].xml", CONTENT_TYPES.as_bytes().to_vec()),
            ("_rels/.rels", RELS.as_bytes().to_vec()),
            ("word/document.xml", document_xml(&"<w:p/>".repeat(500_000))),
        ] {
            zip.start_file(name, stored).unwrap();
            zip.write_all(&body).unwrap();
        }
        zip.finish().unwrap().into_inner()
    };
    // A table of 50 000 rows × 4 numbered cells: ~13 MB of XML deflated about 30:1, inside the
    // ratio and size limits; 200 000 paragraphs are over the DOCX model budget.
    let table_bomb = {
        let mut body = String::from("<w:tbl>");
        for i in 0..50_000 {
            body.push_str("<w:tr>");
            for k in 0..4 {
                body.push_str(&format!("<w:tc><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:tc>", i * 4 + k));
            }
            body.push_str("</w:tr>");
        }
        body.push_str("</w:tbl>");
        docx_package(&[("word/document.xml", document_xml(&body))])
    };
    let mut header_only_zip = b"PK\x03\x04\x14\x00\x00\x00\x08\x00".to_vec();
    header_only_zip.extend_from_slice(b"word/document.xml");

    let no_ratio_limit = Limits { max_zip_ratio: u64::MAX, ..Limits::default() };
    vec![
        Case::new("empty", "empty.pdf", Vec::new(), Error("not_a_document")),
        Case::new("random bytes", "random.docx", random, Error("not_a_document")),
        Case::new("valid docx", "ok.docx", valid.clone(), Ok { format: Format::Docx, tables: 1 }),
        Case::new(
            "docx named .pdf",
            "really-a-docx.pdf",
            valid.clone(),
            Ok { format: Format::Docx, tables: 1 },
        ),
        Case::new(
            "docx without tables",
            "prose.docx",
            no_table_docx(),
            Ok { format: Format::Docx, tables: 0 },
        ),
        // Cut in half: the local file headers before the cut still hold the document part, which
        // the salvage path reads (issue 16: recover what is readable, with a damaged_document warning).
        Case::new("truncated docx", "cut.docx", valid[..valid.len() / 2].to_vec(), Ok { format: Format::Docx, tables: 1 }),
        Case::new("header-only docx", "header.docx", header_only_zip, Error("truncated")),
        Case::new(
            "zip without a document",
            "other.zip",
            zip_of(&[("a.txt", b"hello")]),
            Error("not_a_document"),
        ),
        Case::new(
            "xlsx without relationships",
            "book.xlsx",
            zip_of(&[("xl/workbook.xml", b"<workbook/>")]),
            Error("truncated"),
        ),
        Case::new(
            "pptx",
            "slides.pptx",
            zip_of(&[("ppt/presentation.xml", b"<presentation/>")]),
            Error("unsupported"),
        ),
        Case::new(
            "legacy .doc",
            "old.doc",
            [&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1][..], &[0u8; 504]].concat(),
            Error("unsupported"),
        ),
        // Word's "encrypt with password" (made with msoffcrypto-tool): an OLE container.
        Case::new(
            "password-protected docx",
            "locked.docx",
            fixture("password_protected.docx"),
            Error("encrypted"),
        ),
        Case::new(
            "zip bomb (ratio)",
            "bomb.docx",
            docx_package(&[("word/document.xml", padded_document(40 * MIB))]),
            Error("too_large"),
        ),
        Case::new(
            "zip bomb (entry size)",
            "bomb2.docx",
            docx_package(&[("word/document.xml", padded_document(12 * MIB))]),
            Error("too_large"),
        )
        .with_limits(Limits { max_zip_entry_bytes: 8 * MIB as u64, ..no_ratio_limit.clone() }),
        Case::new(
            "zip bomb (total)",
            "bomb3.docx",
            docx_package(&[
                ("word/document.xml", padded_document(5 * MIB)),
                ("word/styles.xml", padded_document(5 * MIB)),
                ("word/numbering.xml", padded_document(5 * MIB)),
            ]),
            Error("too_large"),
        )
        .with_limits(Limits {
            max_zip_entry_bytes: 8 * MIB as u64,
            max_total_decompressed: 12 * MIB as u64,
            ..no_ratio_limit
        }),
        Case::new("10 001 zip entries", "entries.docx", many_entries, Error("too_large")),
        Case::new("deeply nested XML", "deep.docx", deep, Error("too_large")),
        Case::new(
            "84 nested tables",
            "nested.docx",
            nested_tables_just_under_limit,
            Ok { format: Format::Docx, tables: 84 },
        ),
        Case::new("XXE", "xxe.docx", xxe, Error("unsupported")),
        Case::new("billion laughs", "lol.docx", laughs, Error("unsupported")),
        Case::new("XXE in styles.xml", "xxe2.docx", xxe_in_styles, Error("unsupported")),
        Case::new("UTF-16 document part", "utf16.docx", utf16, Error("unsupported")),
        Case::new("gridSpan bomb", "span.docx", span_bomb, Error("too_large")),
        Case::new("paragraph bomb (stored zip)", "paras.docx", paragraph_bomb, Error("too_large")),
        Case::new("table bomb under the ratio limit", "rows.docx", table_bomb, Error("too_large")),
        Case::new("no time left", "slow.docx", valid, Error("timeout"))
            .with_limits(Limits { time_budget: Duration::ZERO, ..Limits::default() }),
    ]
}

fn pdf_cases() -> Vec<Case> {
    use Outcome::*;
    let text = text_pdf();
    vec![
        Case::new("pdf without tables", "prose.pdf", text.clone(), Ok { format: Format::Pdf, tables: 0 }),
        Case::new(
            "pdf named .docx",
            "really-a-pdf.docx",
            text.clone(),
            Ok { format: Format::Pdf, tables: 0 },
        ),
        Case::new("header-only pdf", "header.pdf", b"%PDF-1.7\n".to_vec(), Error("truncated")),
        // Cut inside the page's content stream: nothing left to repair a page from.
        Case::new("truncated pdf", "cut.pdf", text[..text.len() * 2 / 5].to_vec(), Error("truncated")),
        // A page tree that lists itself next to a real page: the cycle is cut, the page read once.
        Case::new(
            "cyclic page tree",
            "cycle.pdf",
            text_pdf_with_kids("3 0 R 2 0 R", 2),
            Ok { format: Format::Pdf, tables: 0 },
        ),
        Case::new(
            "two pages, no limit hit",
            "two.pdf",
            two_page_pdf(),
            Ok { format: Format::Pdf, tables: 0 },
        ),
        Case::new("more pages than the limit", "pages.pdf", two_page_pdf(), Error("too_large"))
            .with_limits(Limits { max_pages: 1, ..Limits::default() }),
        Case::new("pdf with no time left", "slow.pdf", text_pdf(), Error("timeout"))
            .with_limits(Limits { time_budget: Duration::ZERO, ..Limits::default() }),
        // A page tree that is nothing but a loop: no page to read, damaged (README: exit 12).
        Case::new("page tree of only a loop", "loop.pdf", text_pdf_with_kids("2 0 R", 1), Error("truncated")),
        Case::new("flate bomb", "bomb.pdf", flate_bomb_pdf(80 * MIB), Error("too_large")),
        Case::new("image-only pdf", "scan.pdf", image_only_pdf(), Error("no_text_layer")),
        Case::new(
            "encrypted, user password",
            "locked.pdf",
            fixture("encrypted_user_password.pdf"),
            Error("encrypted"),
        ),
        Case::new(
            "encrypted, empty user password",
            "owner-locked.pdf",
            fixture("encrypted_empty_user_password.pdf"),
            Ok { format: Format::Pdf, tables: 0 },
        ),
    ]
}

// ---------------------------------------------------------------- XLSX builders and cases

const XLSX_CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#;
const XLSX_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;

/// An XLSX package of one sheet plus `extra` parts (which replace the defaults of the same name),
/// deflated.
fn xlsx_package(sheet_xml: &[u8], extra: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut parts: Vec<(&str, Vec<u8>)> = vec![
        ("[Content_Types].xml", XLSX_CONTENT_TYPES.as_bytes().to_vec()),
        ("_rels/.rels", XLSX_RELS.as_bytes().to_vec()),
        ("xl/workbook.xml", WORKBOOK_XML.as_bytes().to_vec()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes().to_vec()),
        ("xl/worksheets/sheet1.xml", sheet_xml.to_vec()),
    ];
    for (name, body) in extra {
        parts.retain(|(n, _)| n != name);
        parts.push((name, body.clone()));
    }
    for (name, body) in parts {
        zip.start_file(name, opts).unwrap();
        zip.write_all(&body).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn sheet_xml(head: &str, rows: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{head}<sheetData>{rows}</sheetData></worksheet>"#
    )
    .into_bytes()
}

fn inline(r: &str, text: &str) -> String {
    format!(r#"<c r="{r}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// A two-row table: 项目 | 预算数, 合计 | 100.
fn small_table_rows() -> String {
    format!(
        r#"<row r="1">{}{}</row><row r="2">{}<c r="B2"><v>100</v></c></row>"#,
        inline("A1", "项目"),
        inline("B1", "预算数"),
        inline("A2", "合计")
    )
}

/// A sheet part of `size` bytes: a valid table padded with whitespace (compresses ~1000:1).
fn padded_sheet(size: usize) -> Vec<u8> {
    let mut xml = sheet_xml("", &small_table_rows());
    let close = xml.split_off(xml.len() - "</sheetData></worksheet>".len());
    xml.resize(size - close.len(), b' ');
    xml.extend_from_slice(&close);
    xml
}

fn written_xlsx() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "部门收支总表").unwrap();
    ws.write_string(1, 0, "项目").unwrap();
    ws.write_string(1, 1, "预算数").unwrap();
    ws.write_string(2, 0, "合计").unwrap();
    ws.write_number(2, 1, 100.0).unwrap();
    book.save_to_buffer().unwrap()
}

/// A workbook whose only formula calls a web service on `url` and whose external link points at
/// `url`; both carry saved results.
fn linking_xlsx(url: &str) -> Vec<u8> {
    let rows = format!(
        r#"<row r="1">{}{}</row><row r="2">{}<c r="B2"><f>WEBSERVICE("{url}")</f><v>42</v></c></row><row r="3">{}<c r="B3"><f>[1]Sheet1!A1</f><v>7</v></c></row>"#,
        inline("A1", "项目"),
        inline("B1", "预算数"),
        inline("A2", "远程"),
        inline("A3", "外部")
    );
    let workbook = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets><externalReferences><externalReference r:id="rId2"/></externalReferences></workbook>"#;
    let rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLink" Target="externalLinks/externalLink1.xml"/></Relationships>"#;
    let link = r#"<?xml version="1.0" encoding="UTF-8"?><externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><externalBook r:id="rId1"><sheetNames><sheetName val="Sheet1"/></sheetNames><sheetDataSet><sheetData sheetId="0"><row r="1"><cell r="A1"><v>7</v></cell></row></sheetData></sheetDataSet></externalBook></externalLink>"#;
    let link_rels = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" Target="{url}" TargetMode="External"/></Relationships>"#
    );
    xlsx_package(
        &sheet_xml("", &rows),
        &[
            ("xl/workbook.xml", workbook.as_bytes().to_vec()),
            ("xl/_rels/workbook.xml.rels", rels.as_bytes().to_vec()),
            ("xl/externalLinks/externalLink1.xml", link.as_bytes().to_vec()),
            ("xl/externalLinks/_rels/externalLink1.xml.rels", link_rels.into_bytes()),
        ],
    )
}

fn xlsx_cases() -> Vec<Case> {
    use Outcome::*;
    let written = written_xlsx();
    let minimal = xlsx_package(&sheet_xml("", &small_table_rows()), &[]);
    let no_ratio_limit = Limits { max_zip_ratio: u64::MAX, ..Limits::default() };
    // The dimension claims the whole sheet (17 billion cells); only two rows exist.
    let huge_dimension = xlsx_package(&sheet_xml(r#"<dimension ref="A1:XFD1048576"/>"#, &small_table_rows()), &[]);
    // Cells really at both corners: the table's extent is the whole sheet.
    let far_corner = xlsx_package(
        &sheet_xml("", &format!(r#"{}<row r="1048576">{}</row>"#, small_table_rows(), inline("XFD1048576", "角"))),
        &[],
    );
    // 20 000 merged regions each claiming the whole sheet.
    let merge_bomb = xlsx_package(
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{}</sheetData><mergeCells count="20000">{}</mergeCells></worksheet>"#,
            small_table_rows(),
            r#"<mergeCell ref="A1:XFD1048576"/>"#.repeat(20_000)
        )
        .as_bytes(),
        &[],
    );
    let deep = xlsx_package(&sheet_xml("", &format!("{}{}", "<x>".repeat(50_000), "</x>".repeat(50_000))), &[]);
    let xxe_strings = xlsx_package(
        &sheet_xml("", r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#),
        &[(
            "xl/sharedStrings.xml",
            br#"<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY e SYSTEM "file:///etc/passwd">]><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&e;</t></si></sst>"#.to_vec(),
        )],
    );
    let laughs = xlsx_package(
        &sheet_xml("", &small_table_rows()),
        &[(
            "xl/workbook.xml",
            br#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="&lol1;" sheetId="1"/></sheets></workbook>"#.to_vec(),
        )],
    );
    // 100 100 one-digit cells (1 000 columns × 101 rows): inside the byte and grid limits, over a
    // cell limit of 100 000 (the default, 1 000 000, is the same check at ten times the time).
    let cell_bomb = {
        let column = |mut c: usize| {
            let mut name = String::new();
            c += 1;
            while c > 0 {
                name.insert(0, (b'A' + ((c - 1) % 26) as u8) as char);
                c = (c - 1) / 26;
            }
            name
        };
        let columns: Vec<String> = (0..1000).map(column).collect();
        let mut rows = String::with_capacity(3 * MIB);
        for r in 1..=101 {
            rows.push_str(&format!(r#"<row r="{r}">"#));
            for c in &columns {
                rows.push_str(&format!(r#"<c r="{c}{r}"><v>1</v></c>"#));
            }
            rows.push_str("</row>");
        }
        xlsx_package(&sheet_xml("", &rows), &[])
    };
    vec![
        Case::new("100 100 cells", "cells.xlsx", cell_bomb, Error("too_large"))
            .with_limits(Limits { max_xlsx_cells: 100_000, ..Limits::default() }),
        Case::new("valid xlsx (rust_xlsxwriter)", "ok.xlsx", written.clone(), Ok { format: Format::Xlsx, tables: 1 }),
        Case::new("minimal hand-made xlsx", "min.xlsx", minimal.clone(), Ok { format: Format::Xlsx, tables: 1 }),
        Case::new("xlsx named .pdf", "really-a-workbook.pdf", written.clone(), Ok { format: Format::Xlsx, tables: 1 }),
        Case::new("truncated xlsx", "cut.xlsx", written[..written.len() / 2].to_vec(), Error("truncated")),
        Case::new(
            "xlsx zip bomb (ratio)",
            "bomb.xlsx",
            xlsx_package(&padded_sheet(40 * MIB), &[]),
            Error("too_large"),
        ),
        Case::new(
            "xlsx zip bomb (entry size)",
            "bomb2.xlsx",
            xlsx_package(&padded_sheet(12 * MIB), &[]),
            Error("too_large"),
        )
        .with_limits(Limits { max_zip_entry_bytes: 8 * MIB as u64, ..no_ratio_limit.clone() }),
        Case::new("huge declared sheet dimension", "dimension.xlsx", huge_dimension, Ok { format: Format::Xlsx, tables: 1 }),
        Case::new("cells at both corners of the sheet", "corners.xlsx", far_corner, Error("too_large")),
        Case::new("20 000 sheet-wide merges", "merges.xlsx", merge_bomb, Error("too_large")),
        Case::new(
            "formula and external link (saved results)",
            "links.xlsx",
            linking_xlsx("http://127.0.0.1:9/remote.xlsx"),
            Ok { format: Format::Xlsx, tables: 1 },
        ),
        Case::new("deeply nested sheet XML", "deep.xlsx", deep, Error("too_large")),
        Case::new(
            "shared strings declaring 10^12 entries",
            "reserve.xlsx",
            xlsx_package(
                &sheet_xml("", r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>0</v></c></row>"#),
                &[(
                    "xl/sharedStrings.xml",
                    br#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="999999999999"><si><t>a</t></si></sst>"#.to_vec(),
                )],
            ),
            Error("truncated"),
        ),
        Case::new(
            "cell reference past u32",
            "overflow.xlsx",
            xlsx_package(&sheet_xml("", &format!(r#"<row r="1">{}{}</row>"#, inline("A1", "a"), inline("B99999999999", "b"))), &[]),
            Error("truncated"),
        ),
        Case::new(
            "reversed merge range",
            "reversed.xlsx",
            xlsx_package(
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{}</sheetData><mergeCells count="1"><mergeCell ref="B2:A1"/></mergeCells></worksheet>"#,
                    small_table_rows()
                )
                .as_bytes(),
                &[],
            ),
            Error("truncated"),
        ),
        Case::new("XXE in sharedStrings.xml", "xxe.xlsx", xxe_strings, Error("unsupported")),
        Case::new("billion laughs in workbook.xml", "lol.xlsx", laughs, Error("unsupported")),
        Case::new("no time left (xlsx)", "slow.xlsx", minimal, Error("timeout"))
            .with_limits(Limits { time_budget: Duration::ZERO, ..Limits::default() }),
    ]
}

// ---------------------------------------------------------------- running them

fn outcome_of(result: &Result<Extraction, ExtractError>) -> Outcome {
    match result {
        Result::Ok(x) => Outcome::Ok { format: x.source.format, tables: x.tables.len() },
        Err(e) => Outcome::Error(e.code()),
    }
}

/// Runs the cases one after another in this process, as a worker would, and after each checks
/// that a valid document still extracts.
fn run_in_process(cases: &[Case]) -> Vec<String> {
    let baseline = valid_docx();
    let mut failures = Vec::new();
    for case in cases {
        let started = Instant::now();
        let result = yusuan::extract(case.file_name, &case.bytes, &case.limits);
        let took = started.elapsed();
        let got = outcome_of(&result);
        eprintln!(
            "{:<32} {:>9} bytes  {:>8.1?}  {:?}",
            case.name,
            case.bytes.len(),
            took,
            result.as_ref().err()
        );
        if got != case.expected {
            failures.push(format!(
                "{}: expected {:?}, got {:?} ({:?})",
                case.name,
                case.expected,
                got,
                result.err()
            ));
        }
        if took > TIME_LIMIT {
            failures.push(format!("{}: took {took:?}", case.name));
        }
        let next = yusuan::extract("next.docx", &baseline, &Limits::default());
        if outcome_of(&next) != (Outcome::Ok { format: Format::Docx, tables: 1 }) {
            failures.push(format!("after {}: the next job failed: {:?}", case.name, next.err()));
        }
    }
    failures
}

fn exit_code_of(outcome: Outcome) -> i32 {
    match outcome {
        Outcome::Ok { .. } => 0,
        Outcome::Error(code) => {
            let e = [
                ExtractError::NotADocument(String::new()),
                ExtractError::Encrypted(String::new()),
                ExtractError::Truncated(String::new()),
                ExtractError::TooLarge(String::new()),
                ExtractError::NoTextLayer(String::new()),
                ExtractError::Timeout(String::new()),
                ExtractError::Unsupported(String::new()),
                ExtractError::Internal(String::new()),
            ]
            .into_iter()
            .find(|e| e.code() == code)
            .expect("a known code");
            e.exit_code()
        }
    }
}

/// Runs the default-limit cases through the real CLI (`yusuan extract FILE`), each in its own
/// process under GNU time: exit code, one stderr line naming the code, wall time, peak RSS.
fn run_cli(cases: &[Case], dir: &Path) -> Vec<String> {
    let time = Path::new("/usr/bin/time");
    let mut failures = Vec::new();
    for (i, case) in cases.iter().filter(|c| c.default_limits()).enumerate() {
        let file = dir.join(format!("{i:02}-{}", case.file_name));
        std::fs::write(&file, &case.bytes).unwrap();
        let rss_file = dir.join(format!("{i:02}.rss"));
        let started = Instant::now();
        let output = if time.exists() {
            Command::new(time)
                .arg("-f")
                .arg("%M")
                .arg("-o")
                .arg(&rss_file)
                .arg(env!("CARGO_BIN_EXE_yusuan"))
                .arg("extract")
                .arg(&file)
                .output()
        } else {
            Command::new(env!("CARGO_BIN_EXE_yusuan")).arg("extract").arg(&file).output()
        }
        .expect("the CLI runs");
        let took = started.elapsed();
        let expected = exit_code_of(case.expected);
        let code = output.status.code();
        let stderr = String::from_utf8_lossy(&output.stderr);
        if code != Some(expected) {
            failures.push(format!("CLI {}: exit {code:?}, expected {expected}; stderr {stderr}", case.name));
        }
        if let Outcome::Error(name) = case.expected {
            if !stderr.contains(name) {
                failures.push(format!("CLI {}: stderr does not name {name}: {stderr}", case.name));
            }
        }
        if took > TIME_LIMIT {
            failures.push(format!("CLI {}: took {took:?}", case.name));
        }
        if let Some(kib) =
            std::fs::read_to_string(&rss_file).ok().and_then(|s| s.trim().lines().last()?.parse::<u64>().ok())
        {
            eprintln!("CLI {:<28} exit {code:?}  {took:>8.1?}  peak RSS {} MiB", case.name, kib / 1024);
            if kib > RSS_LIMIT_KIB {
                failures.push(format!("CLI {}: peak RSS {kib} KiB", case.name));
            }
        }
    }
    failures
}

#[test]
fn hostile_docx_and_sniffing_cases_end_in_their_expected_outcome() {
    let cases = docx_cases();
    let failures = run_in_process(&cases);
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn hostile_pdf_cases_end_in_their_expected_outcome() {
    let cases = pdf_cases();
    let failures = run_in_process(&cases);
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn hostile_xlsx_cases_end_in_their_expected_outcome() {
    let cases = xlsx_cases();
    let failures = run_in_process(&cases);
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn cli_exit_codes_time_and_memory_on_hostile_xlsx_files() {
    let dir = tempfile::tempdir().unwrap();
    let failures = run_cli(&xlsx_cases(), dir.path());
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Formulas are never recalculated and external links never followed: a listener on loopback
/// named by a WEBSERVICE formula and by the external-link part receives no connection, and the
/// cells hold the saved results.
#[test]
fn xlsx_formulas_and_external_links_are_never_evaluated_or_fetched() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}/remote.xlsx", listener.local_addr().unwrap());
    let x = yusuan::extract("links.xlsx", &linking_xlsx(&url), &Limits::default()).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("the workbook's link was fetched: {other:?}"),
    }
    assert_eq!(x.tables[0].text_rows(), [["项目", "预算数"], ["远程", "42"], ["外部", "7"]]);
    assert!(x.warnings.iter().any(|w| w.code == "xlsx_formulas"), "{:?}", x.warnings);
}

#[test]
fn cli_exit_codes_time_and_memory_on_hostile_docx_files() {
    let dir = tempfile::tempdir().unwrap();
    let failures = run_cli(&docx_cases(), dir.path());
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn cli_exit_codes_time_and_memory_on_hostile_pdf_files() {
    let dir = tempfile::tempdir().unwrap();
    let failures = run_cli(&pdf_cases(), dir.path());
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Every input the fuzzers found (tests/fixtures/crashers/MANIFEST.tsv) ends in its recorded
/// outcome within 30 s, one after another in this process.
#[test]
fn fuzz_crashers_end_in_their_recorded_outcome() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/crashers");
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).expect("crashers manifest");
    let mut failures = Vec::new();
    let mut count = 0;
    for line in manifest.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split('\t').collect();
        let (file, target, expected) = (fields[0], fields[1], fields[2]);
        let mut bytes = std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        if file.ends_with(".gz") {
            let mut plain = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut plain).unwrap();
            bytes = plain;
        }
        if target == "docx" && !bytes.starts_with(b"PK\x03\x04") {
            bytes = docx_package(&[("word/document.xml", bytes)]);
        }
        let started = Instant::now();
        let result = yusuan::extract(file, &bytes, &Limits::default());
        let took = started.elapsed();
        let got = match &result {
            Result::Ok(_) => "ok",
            Err(e) => e.code(),
        };
        if got != expected || took > TIME_LIMIT {
            failures.push(format!("{file}: expected {expected}, got {got} in {took:?} ({:?})", result.err()));
        }
        count += 1;
    }
    assert!(count > 0);
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn xxe_target_is_never_read() {
    // The refusal happens before any XML library runs; make sure no text of the target leaks
    // through another path either (a part docx-rs would read without the scanner).
    let secret = std::env::temp_dir().join("yusuan-xxe-secret.txt");
    std::fs::write(&secret, "TOP-SECRET-CONTENT").unwrap();
    let xml = format!(
        r#"<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY s SYSTEM "file://{}">]><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:tbl><w:tr><w:tc><w:p><w:r><w:t>&s;</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>"#,
        secret.display()
    );
    let result = yusuan::extract(
        "xxe.docx",
        &docx_package(&[("word/document.xml", xml.into_bytes())]),
        &Limits::default(),
    );
    assert_eq!(result.unwrap_err().code(), "unsupported");
}

/// Seeded mutations of every part calamine and the XLSX scans read (worksheet, shared strings,
/// styles, workbook, relationships): each mutant ends quickly in a typed outcome, never in a
/// caught panic (`internal_error`) or a hang. A cheap stand-in for a fuzzer that runs in CI.
#[test]
fn mutated_xlsx_parts_end_in_typed_outcomes() {
    let sheet = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:C4"/><sheetData><row r="1"><c r="A1" t="s" s="1"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="s" s="1"><v>2</v></c><c r="B2" s="1"><v>1</v></c><c r="C2" s="2"><v>1234.5</v></c></row><row r="3"><c r="A3" t="inlineStr" s="1"><is><t>合计</t></is></c><c r="B3" s="3"><v>44927</v></c><c r="C3" s="2"><f>SUM(C2:C2)</f><v>1234.5</v></c></row><row r="4"><c r="A4" t="b"><v>1</v></c><c r="B4" t="e"><v>#DIV/0!</v></c></row></sheetData><mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells></worksheet>"#.as_bytes().to_vec();
    let strings = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3"><si><t>部门收支总表</t></si><si><r><t>单位</t></r><r><t>：元</t></r></si><si><t xml:space="preserve"> 项目 </t></si></sst>"#.as_bytes().to_vec();
    let styles = r##"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="2"><numFmt numFmtId="164" formatCode="#,##0.00;[Red]\-#,##0.00"/><numFmt numFmtId="165" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts><borders count="2"><border/><border><left style="thin"/><right style="thin"/></border></borders><cellXfs count="4"><xf numFmtId="0" borderId="0"/><xf numFmtId="0" borderId="1"/><xf numFmtId="164" borderId="1"/><xf numFmtId="165" borderId="1"/></cellXfs></styleSheet>"##.as_bytes().to_vec();
    let workbook = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="收支总表" sheetId="1" r:id="rId1"/></sheets><definedNames><definedName name="_xlnm.Print_Titles" localSheetId="0">'收支总表'!$1:$2</definedName></definedNames></workbook>"#.as_bytes().to_vec();
    let rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#.as_bytes().to_vec();
    let parts: Vec<(&str, Vec<u8>)> = vec![
        ("xl/worksheets/sheet1.xml", sheet),
        ("xl/sharedStrings.xml", strings),
        ("xl/styles.xml", styles),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", rels),
    ];
    let package = |parts: &[(&str, Vec<u8>)]| xlsx_package(&parts[0].1, &parts[1..]);
    // The unmutated workbook is read as meant, so the mutants start from a working path.
    let base = yusuan::extract("base.xlsx", &package(&parts), &Limits::default()).unwrap();
    assert_eq!(base.tables.len(), 1);
    assert_eq!(base.tables[0].text_rows()[1], ["项目", "1", "1,234.50"]);
    assert_eq!(base.tables[0].text_rows()[2][1], "2023年1月1日");

    // 2 000 run in about 3 s in a debug build; 20 000 (about 27 s) found the three calamine traps
    // now checked before it reads anything (reference overflow, reversed range, string reserve).
    // Longer campaigns: YUSUAN_MUTANTS=N YUSUAN_MUTATION_SEED=S cargo test --test hostile mutated
    let env_number = |name: &str, default: u64| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    let mutants = env_number("YUSUAN_MUTANTS", 2000) as usize;
    const INTERESTING: &[u8] = b"<>/\"'=&;:#$!-.0123456789 AZaz\x00\xff\xe4";
    let mut rng = fastrand::Rng::with_seed(env_number("YUSUAN_MUTATION_SEED", 14));
    let mut failures = Vec::new();
    let mut outcomes: std::collections::BTreeMap<String, usize> = Default::default();
    for i in 0..mutants {
        let mut mutant = parts.clone();
        let which = rng.usize(..mutant.len());
        let body = &mut mutant[which].1;
        for _ in 0..rng.usize(1..6) {
            if body.is_empty() {
                break;
            }
            let at = rng.usize(..body.len());
            // Half of the operations keep the XML well formed (digits and letters of references,
            // indexes, spans and values), so that mutants get past the scan into calamine.
            if rng.bool() {
                let digits: Vec<usize> = (0..body.len()).filter(|&k| body[k].is_ascii_alphanumeric()).collect();
                let k = digits[rng.usize(..digits.len())];
                match (body[k].is_ascii_digit(), rng.u8(..3)) {
                    (true, 0) => body[k] = b'0' + rng.u8(..10),
                    (true, 1) => {
                        body.splice(k..k, b"99999999999".iter().copied());
                    }
                    (true, _) => {
                        body.splice(k..k, b"-".iter().copied());
                    }
                    (false, _) if body[k].is_ascii_uppercase() => body[k] = b'A' + rng.u8(..26),
                    (false, _) => body[k] = b'a' + rng.u8(..26),
                }
                continue;
            }
            match rng.u8(..4) {
                0 => body[at] = INTERESTING[rng.usize(..INTERESTING.len())],
                1 => {
                    let end = (at + rng.usize(1..40)).min(body.len());
                    body.drain(at..end);
                }
                2 => {
                    let end = (at + rng.usize(1..60)).min(body.len());
                    let copy = body[at..end].to_vec();
                    let to = rng.usize(..body.len());
                    body.splice(to..to, copy);
                }
                _ => body[at] = rng.u8(..),
            }
        }
        let started = Instant::now();
        let result = yusuan::extract("mutant.xlsx", &package(&mutant), &Limits::default());
        let took = started.elapsed();
        let outcome = match &result {
            Result::Ok(_) => "ok".to_string(),
            Err(e) => e.code().to_string(),
        };
        *outcomes.entry(outcome.clone()).or_default() += 1;
        if outcome == "internal_error" || took > Duration::from_secs(5) {
            failures.push(format!("mutant {i} of {}: {outcome} in {took:?}: {:?}", mutant[which].0, result.err()));
        }
    }
    eprintln!("{mutants} mutants: {outcomes:?}");
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(outcomes.len() >= 2, "the mutations reach more than one outcome: {outcomes:?}");
}
