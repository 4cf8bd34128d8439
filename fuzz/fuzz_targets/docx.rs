#![no_main]
//! The DOCX path through `yusuan::extract`. An input that starts like a zip is a whole file;
//! anything else is taken as the main document part (word/document.xml) and packed into a valid
//! package first, so that mutations reach the XML scanner, docx-rs and the grid builder instead of
//! dying at the zip CRC check.

use std::io::{Cursor, Write};

use libfuzzer_sys::fuzz_target;

mod common;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
const DOC_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>"#;

fn package(document_xml: &[u8]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for (name, body) in [
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", RELS.as_bytes()),
        ("word/_rels/document.xml.rels", DOC_RELS.as_bytes()),
        ("word/document.xml", document_xml),
    ] {
        zip.start_file(name, opts).expect("zip entry");
        zip.write_all(body).expect("zip write");
    }
    zip.finish().expect("zip finish").into_inner()
}

fuzz_target!(init: common::init(), |data: &[u8]| {
    if data.starts_with(b"PK\x03\x04") {
        common::run("fuzz.docx", data);
    } else {
        common::run("fuzz.docx", &package(data));
    }
});
