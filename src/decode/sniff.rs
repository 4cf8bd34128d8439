//! Format by content, never by file name: portals upload DOCX files named `.pdf` and vice versa.

use crate::error::ExtractError;
use crate::model::Format;

/// Decides whether `bytes` are a PDF, a DOCX or an XLSX workbook.
pub fn sniff(bytes: &[u8]) -> Result<Format, ExtractError> {
    if bytes.is_empty() {
        return Err(ExtractError::NotADocument("the file is empty".into()));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        // A zip: a WordprocessingML or SpreadsheetML package is ours. Look for the main part's name
        // in the local headers / central directory without unpacking anything.
        if contains(bytes, b"word/document.xml") {
            return Ok(Format::Docx);
        }
        // Writers put the workbook part after its relationships and theme; a cut-off workbook
        // still names one of them, and is then reported `truncated`, not `not_a_document`.
        if [&b"xl/workbook.xml"[..], b"xl/_rels/workbook.xml.rels", b"xl/worksheets/"].iter().any(|n| contains(bytes, n)) {
            return Ok(Format::Xlsx);
        }
        if contains(bytes, b"ppt/presentation.xml") {
            return Err(ExtractError::Unsupported("an Office file that is neither a document nor a workbook".into()));
        }
        return Err(ExtractError::NotADocument("a zip archive without word/document.xml or xl/workbook.xml".into()));
    }
    // PDF readers accept the header anywhere in the first KiB (some producers prepend junk). Zips
    // are recognised first: a DOCX whose first stored part happens to contain "%PDF-" is a DOCX.
    let head = &bytes[..bytes.len().min(1024)];
    if head.windows(5).any(|w| w == b"%PDF-") {
        return Ok(Format::Pdf);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        // A password-protected DOCX is an OLE container holding the encrypted package; its
        // directory names the stream in UTF-16LE.
        let encrypted_package: Vec<u8> =
            "EncryptedPackage".encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        if contains(bytes, &encrypted_package) {
            return Err(ExtractError::Encrypted("a password-protected Office document".into()));
        }
        return Err(ExtractError::Unsupported(
            "a legacy OLE document (.doc / .wps / .xls); convert it to .docx, .xlsx or PDF".into(),
        ));
    }
    Err(ExtractError::NotADocument("neither a PDF, a DOCX nor an XLSX (unknown magic bytes)".into()))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content() {
        assert_eq!(sniff(b"%PDF-1.7\n...").unwrap(), Format::Pdf);
        assert_eq!(sniff(b"\xef\xbb\xbfjunk%PDF-1.4").unwrap(), Format::Pdf);
        assert_eq!(sniff(b"PK\x03\x04....word/document.xml...").unwrap(), Format::Docx);
        assert_eq!(sniff(b"PK\x03\x04 %PDF-1.7 stored attachment word/document.xml").unwrap(), Format::Docx);
        assert_eq!(sniff(b"PK\x03\x04....xl/workbook.xml...").unwrap(), Format::Xlsx);
        assert_eq!(sniff(b"PK\x03\x04....xl/_rels/workbook.xml.rels...").unwrap(), Format::Xlsx);
        assert_eq!(sniff(b"PK\x03\x04....ppt/presentation.xml").unwrap_err().code(), "unsupported");
        assert_eq!(sniff(b"").unwrap_err().code(), "not_a_document");
        assert_eq!(sniff(b"PK\x03\x04 other zip").unwrap_err().code(), "not_a_document");
        assert_eq!(sniff(b"hello world").unwrap_err().code(), "not_a_document");
        let ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];
        assert_eq!(sniff(&ole).unwrap_err().code(), "unsupported");
        let mut protected = ole.to_vec();
        protected.extend("EncryptedPackage".encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(sniff(&protected).unwrap_err().code(), "encrypted");
    }
}
