//! Opens the DOCX zip ourselves, under limits, before docx-rs sees anything.
//!
//! docx-rs trusts the zip's declared sizes (it pre-allocates the declared uncompressed size and
//! unwraps read errors), so it never reads the uploaded archive. Instead every XML part is
//! inflated here through a bounded reader (declared sizes are not trusted), vetted by the XML
//! scanner, and re-packed *stored* (no compression) into a fresh in-memory zip that only holds
//! what passed. Media and other binary parts are never inflated: tables do not need them.

use std::collections::HashSet;
use std::io::{Cursor, Read, Write};

use zip::result::ZipError;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use super::salvage;
use super::xml_scan::{scan_part, ScanReport};
use crate::error::ExtractError;
use crate::limits::{Deadline, Limits};

/// Entries smaller than this are not held to the compression-ratio limit: small XML parts of
/// repeated markup legitimately compress 100:1 and more, and cannot hurt anyone.
const RATIO_EXEMPT_BYTES: u64 = 1024 * 1024;

/// docx-rs keeps a whole parsed document in memory, at about 2.5 KiB per paragraph (each carries
/// a full paragraph-property struct) and a few hundred bytes per other element, measured here: a
/// 16 MB document.xml of real tables took 230 MB, one of 500 000 empty paragraphs (3 MB, and
/// compressible under the ratio limit) 1.2 GB. The byte limits cannot see that, so the scan's
/// element counts are priced at 3 KiB per paragraph and 512 B per other element and the document
/// refused (`too_large`) above this budget, keeping one DOCX job well under 1 GiB.
pub const DOCX_MODEL_BUDGET_BYTES: u64 = 600 * 1024 * 1024;

/// The vetted package: a stored zip with the XML parts only, and what the scan of the main
/// document part found.
pub struct VettedPackage {
    pub zip: Vec<u8>,
    pub main_document: ScanReport,
    /// What was repaired or lost when the package was damaged (empty for a whole one).
    pub damage: Vec<String>,
}

/// Vets the package; when it is damaged (`truncated`: a central directory missing or broken, an
/// entry cut short, an XML part that ends early) what is left is salvaged through the local file
/// headers (see `salvage`), and the package says what was repaired or lost.
pub fn vet(bytes: &[u8], limits: &Limits, deadline: &Deadline) -> Result<VettedPackage, ExtractError> {
    match vet_whole(bytes, limits, deadline) {
        Err(ExtractError::Truncated(why)) => salvage_package(bytes, limits, deadline, why),
        other => other,
    }
}

/// The damaged path: parts from the local headers, cut XML closed after its last complete
/// paragraph or table row, parts still unreadable left out. Without a readable main document
/// part the original error stands.
fn salvage_package(bytes: &[u8], limits: &Limits, deadline: &Deadline, why: String) -> Result<VettedPackage, ExtractError> {
    let mut parts = salvage::local_entries(bytes, limits, deadline)?;
    if !parts.iter().any(|p| p.name == "word/document.xml") {
        return Err(ExtractError::Truncated(why));
    }
    // docx-rs fails on a relationship whose part is gone (styles, numbering, … after a cut).
    let present: HashSet<String> = parts.iter().map(|p| p.name.clone()).collect();
    for part in parts.iter_mut().filter(|p| p.name == "word/_rels/document.xml.rels") {
        part.data = salvage::drop_missing_relationships(&part.data, "word/", &present);
    }
    let mut damage = vec![format!("package read through its local file headers ({why})")];
    let mut packer = Packer::new();
    let mut main_document = None;
    for part in parts {
        deadline.check("reading the DOCX package")?;
        let body = part.data.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(&part.data);
        let scanned = match scan_part(&part.name, body, limits.max_xml_depth) {
            Ok(report) if part.whole => Some((body.to_vec(), report)),
            Err(e @ (ExtractError::TooLarge(_) | ExtractError::Unsupported(_) | ExtractError::Timeout(_))) => return Err(e),
            _ => salvage::close_cut_xml(body).and_then(|repair| {
                let report = scan_part(&part.name, &repair.xml, limits.max_xml_depth).ok()?;
                damage.push(match repair.table_cut {
                    Some((table, rows)) => {
                        format!("{} cut short: table {table} cut after row {rows}, later content lost", part.name)
                    }
                    None => format!("{} cut short: kept up to its last complete paragraph", part.name),
                });
                Some((repair.xml, report))
            }),
        };
        match scanned {
            Some((xml, report)) => {
                if part.name == "word/document.xml" {
                    main_document = Some(report.clone());
                }
                packer.add(&part.name, &xml, &report)?;
            }
            None if part.name == "word/document.xml" => {
                return Err(ExtractError::Truncated(format!("{why}; word/document.xml has no complete paragraph left")));
            }
            None => damage.push(format!("{} unreadable, left out", part.name)),
        }
    }
    // The two parts docx-rs cannot open a package without, when they were lost (Word writes
    // [Content_Types].xml last): the minimal ones that lead to word/document.xml.
    for (name, xml) in [("[Content_Types].xml", MINIMAL_CONTENT_TYPES), ("_rels/.rels", MINIMAL_PACKAGE_RELS)] {
        if !packer.names.contains(name) {
            let report = scan_part(name, xml.as_bytes(), limits.max_xml_depth)?;
            packer.add(name, xml.as_bytes(), &report)?;
            damage.push(format!("{name} lost, replaced by a minimal one"));
        }
    }
    Ok(VettedPackage { zip: packer.finish()?, main_document: main_document.unwrap_or_default(), damage })
}

const MINIMAL_CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
const MINIMAL_PACKAGE_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

/// The re-packed stored zip and the running memory-model cost of what went into it.
struct Packer {
    out: ZipWriter<Cursor<Vec<u8>>>,
    elements: u64,
    paragraphs: u64,
    names: HashSet<String>,
}

impl Packer {
    fn new() -> Self {
        Packer { out: ZipWriter::new(Cursor::new(Vec::new())), elements: 0, paragraphs: 0, names: HashSet::new() }
    }

    fn add(&mut self, name: &str, data: &[u8], report: &ScanReport) -> Result<(), ExtractError> {
        self.elements += report.elements;
        self.paragraphs += report.paragraphs;
        let model_cost = self.paragraphs * 3072 + (self.elements - self.paragraphs) * 512;
        if model_cost > DOCX_MODEL_BUDGET_BYTES {
            return Err(ExtractError::TooLarge(format!(
                "{} paragraphs and {} XML elements would take about {} MiB to read, \
                 over the DOCX budget of {} MiB",
                self.paragraphs,
                self.elements,
                model_cost >> 20,
                DOCX_MODEL_BUDGET_BYTES >> 20
            )));
        }
        self.names.insert(name.to_string());
        let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
        self.out.start_file(name, stored).map_err(|e| internal(name, e))?;
        self.out.write_all(data).map_err(|e| ExtractError::Internal(format!("re-packing {name}: {e}")))
    }

    fn finish(self) -> Result<Vec<u8>, ExtractError> {
        Ok(self.out.finish().map_err(|e| internal("the package", e))?.into_inner())
    }
}

fn vet_whole(bytes: &[u8], limits: &Limits, deadline: &Deadline) -> Result<VettedPackage, ExtractError> {
    let mut main_document: Option<ScanReport> = None;
    let (mut elements, mut paragraphs) = (0u64, 0u64);
    // docx-rs looks parts up with '\' turned into '/' and a leading '/' dropped: the normalised
    // name as it is, so that nothing unvetted can be found under an alias.
    let zip = vet_xml_parts(bytes, limits, deadline, "DOCX", str::to_string, |part| {
        elements += part.report.elements;
        paragraphs += part.report.paragraphs;
        let model_cost = paragraphs * 3072 + (elements - paragraphs) * 512;
        if model_cost > DOCX_MODEL_BUDGET_BYTES {
            return Err(ExtractError::TooLarge(format!(
                "{paragraphs} paragraphs and {elements} XML elements would take about {} MiB to read, \
                 over the DOCX budget of {} MiB",
                model_cost >> 20,
                DOCX_MODEL_BUDGET_BYTES >> 20
            )));
        }
        if part.normalized == "word/document.xml" {
            main_document = Some(part.report.clone());
        }
        Ok(())
    })?;
    Ok(VettedPackage { zip, main_document: main_document.unwrap_or_default(), damage: Vec::new() })
}

/// One XML part of an Office package, inflated within the limits and passed by the XML scan.
pub(crate) struct VettedPart<'a> {
    /// The entry's name as stored.
    pub name: &'a str,
    /// '\' turned into '/', a leading '/' dropped: how the readers look parts up.
    pub normalized: &'a str,
    /// The content without a UTF-8 byte-order mark.
    pub body: &'a [u8],
    pub report: ScanReport,
}

/// Every XML part of an Office zip once (by `same_name` of its normalised name), in archive
/// order: inflated through [`read_bounded`] under the entry, total and ratio limits, checked by
/// the XML scan, handed to `each` for the format's own checks, and re-packed *stored* into a
/// fresh zip — the returned bytes, which are all a reader library ever sees. Binary parts are
/// never inflated. Shared by the DOCX and XLSX readers.
pub(crate) fn vet_xml_parts(
    bytes: &[u8],
    limits: &Limits,
    deadline: &Deadline,
    format: &str,
    same_name: impl Fn(&str) -> String,
    mut each: impl FnMut(&VettedPart<'_>) -> Result<(), ExtractError>,
) -> Result<Vec<u8>, ExtractError> {
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| zip_error("the zip directory", e))?;
    if archive.len() as u64 > u64::from(limits.max_zip_entries) {
        return Err(ExtractError::TooLarge(format!(
            "the zip has {} entries, the limit is {}",
            archive.len(),
            limits.max_zip_entries
        )));
    }
    let mut out = ZipWriter::new(Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let mut seen = HashSet::new();
    let mut total: u64 = 0;
    let reading = format!("reading the {format} package");
    for index in 0..archive.len() {
        deadline.check(&reading)?;
        let mut entry = archive.by_index(index).map_err(|e| zip_error("a zip entry", e))?;
        let name = entry.name().to_string();
        if entry.is_dir() || !is_xml_part(&name) {
            continue;
        }
        let normalized = name.replace('\\', "/").trim_start_matches('/').to_string();
        if !seen.insert(same_name(&normalized)) {
            continue;
        }
        let compressed = entry.compressed_size().max(1);
        let data = read_bounded(&mut entry, &name, compressed, total, limits)?;
        total += data.len() as u64;
        let body = data.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(&data);
        let report = scan_part(&name, body, limits.max_xml_depth)?;
        each(&VettedPart { name: &name, normalized: &normalized, body, report })?;
        out.start_file(normalized.as_str(), stored).map_err(|e| internal(&name, e))?;
        out.write_all(&data).map_err(|e| ExtractError::Internal(format!("re-packing {name}: {e}")))?;
    }
    Ok(out.finish().map_err(|e| internal("the package", e))?.into_inner())
}

/// Inflates one entry in chunks, stopping as soon as it passes the entry, total or ratio limit:
/// a bomb is refused after reading just past the limit, never inflated in full.
pub(crate) fn read_bounded(
    entry: &mut impl Read,
    name: &str,
    compressed: u64,
    total_so_far: u64,
    limits: &Limits,
) -> Result<Vec<u8>, ExtractError> {
    let mut data = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n =
            entry.read(&mut chunk).map_err(|e| ExtractError::Truncated(format!("zip entry {name}: {e}")))?;
        if n == 0 {
            return Ok(data);
        }
        data.extend_from_slice(&chunk[..n]);
        let read = data.len() as u64;
        if read > limits.max_zip_entry_bytes {
            return Err(ExtractError::TooLarge(format!(
                "zip entry {name} inflates beyond the limit of {} bytes",
                limits.max_zip_entry_bytes
            )));
        }
        if total_so_far + read > limits.max_total_decompressed {
            return Err(ExtractError::TooLarge(format!(
                "the zip inflates beyond the total limit of {} bytes",
                limits.max_total_decompressed
            )));
        }
        if read > RATIO_EXEMPT_BYTES && read / compressed > limits.max_zip_ratio {
            return Err(ExtractError::TooLarge(format!(
                "zip entry {name} inflates more than {}:1 (the ratio limit)",
                limits.max_zip_ratio
            )));
        }
    }
}

/// Parts docx-rs may parse as XML. Everything else (media, fonts, embeddings) stays packed.
pub(crate) fn is_xml_part(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".xml") || lower.ends_with(".rels")
}

pub(crate) fn zip_error(what: &str, e: ZipError) -> ExtractError {
    match e {
        ZipError::UnsupportedArchive(m) => ExtractError::Unsupported(format!("{what}: {m}")),
        other => ExtractError::Truncated(format!("{what}: {other}")),
    }
}

fn internal(what: &str, e: ZipError) -> ExtractError {
    ExtractError::Internal(format!("re-packing {what}: {e}"))
}
