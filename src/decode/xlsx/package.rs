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

use std::io::Cursor;

use zip::ZipArchive;

use crate::decode::docx::package::vet_xml_parts;
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
    // One name per part, case-insensitively: a second entry of the same name could otherwise be
    // read by calamine instead of the vetted one.
    let zip = vet_xml_parts(bytes, limits, deadline, "XLSX", str::to_ascii_lowercase, |part| {
        if part.normalized.starts_with("xl/") {
            super::scan::check_for_calamine(part.name, part.body)?;
        }
        Ok(())
    })?;
    Ok(VettedPackage { zip })
}
