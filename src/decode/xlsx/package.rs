//! Opens the XLSX zip ourselves, under the same limits as a DOCX, before calamine sees anything.
//!
//! calamine reads entries with `read_to_end` and trusts the declared sizes, so it never reads the
//! uploaded archive. Every XML part is inflated here through the DOCX decoder's bounded reader
//! (entry, total and ratio limits measured while inflating), checked by the same XML scan (well
//! formed, no DTD, nesting within the limit), checked for what calamine trusts unchecked (cell
//! references within the sheet, a shared-string count it reserves up front), and re-packed *stored* into a fresh
//! in-memory zip holding only what passed. Binary parts (images, embedded objects, VBA, printer settings) are
//! never inflated and never re-packed: no table needs them, and nothing in them is executed.
//! External-link parts are XML and are kept (calamine ignores them): a link is never followed.

use std::collections::HashSet;
use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::decode::docx::package::{is_xml_part, read_bounded, zip_error};
use crate::decode::docx::xml_scan::scan_part;
use crate::error::ExtractError;
use crate::limits::{Deadline, Limits};

/// The vetted package: a stored zip of the XML parts that passed.
pub struct VettedPackage {
    pub zip: Vec<u8>,
}

impl VettedPackage {
    /// One vetted part by its normalised name, for the scans calamine does not do (number formats,
    /// borders). The parts are stored, so this is a copy, not an inflation.
    pub fn part(&self, name: &str) -> Option<Vec<u8>> {
        let mut archive = ZipArchive::new(Cursor::new(&self.zip[..])).ok()?;
        let mut entry = archive.by_name(name).ok()?;
        let mut data = Vec::with_capacity(entry.size() as usize);
        std::io::Read::read_to_end(&mut entry, &mut data).ok()?;
        Some(data)
    }
}

pub fn vet(bytes: &[u8], limits: &Limits, deadline: &Deadline) -> Result<VettedPackage, ExtractError> {
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
    for index in 0..archive.len() {
        deadline.check("reading the XLSX package")?;
        let mut entry = archive.by_index(index).map_err(|e| zip_error("a zip entry", e))?;
        let name = entry.name().to_string();
        if entry.is_dir() || !is_xml_part(&name) {
            continue;
        }
        // One name per part: a second entry of the same (normalised) name could otherwise be
        // read by calamine instead of the vetted one.
        let normalized = name.replace('\\', "/").trim_start_matches('/').to_string();
        if !seen.insert(normalized.to_ascii_lowercase()) {
            continue;
        }
        let compressed = entry.compressed_size().max(1);
        let data = read_bounded(&mut entry, &name, compressed, total, limits)?;
        total += data.len() as u64;
        let body = data.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(&data);
        scan_part(&name, body, limits.max_xml_depth)?;
        if normalized.starts_with("xl/") {
            super::scan::check_for_calamine(&name, body)?;
        }
        out.start_file(normalized.as_str(), stored)
            .map_err(|e| ExtractError::Internal(format!("re-packing {name}: {e}")))?;
        out.write_all(&data).map_err(|e| ExtractError::Internal(format!("re-packing {name}: {e}")))?;
    }
    let zip = out.finish().map_err(|e| ExtractError::Internal(format!("re-packing the package: {e}")))?.into_inner();
    Ok(VettedPackage { zip })
}
