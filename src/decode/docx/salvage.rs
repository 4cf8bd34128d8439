//! Reading what is left of a damaged DOCX: a zip whose central directory is missing or damaged is
//! read through its local file headers, an entry whose data is cut short or damaged keeps what
//! inflated before the damage, and an XML part cut short keeps its complete paragraphs and table
//! rows (the elements still open after the last complete one are closed).
//!
//! Bounded: local headers are found in one pass over the bytes, each entry inflates through the
//! same bounded reader as the undamaged path, and the XML repair is one pass of the XML reader.

use std::io::Read;

use quick_xml::events::Event;
use quick_xml::Reader;

use super::package::{is_xml_part, read_bounded};
use crate::error::ExtractError;
use crate::limits::{Deadline, Limits};

/// One part read from a local file header: its name, the bytes that inflated, and whether the
/// entry was whole (inflated to its end without error).
pub struct SalvagedPart {
    pub name: String,
    pub data: Vec<u8>,
    pub whole: bool,
}

const LOCAL_HEADER: &[u8] = b"PK\x03\x04";

/// The XML parts of the zip, read through the local file headers in file order. A later entry of
/// the same name (a block copied into the file) does not replace a whole earlier one.
pub fn local_entries(bytes: &[u8], limits: &Limits, deadline: &Deadline) -> Result<Vec<SalvagedPart>, ExtractError> {
    let mut parts: Vec<SalvagedPart> = Vec::new();
    let mut total: u64 = 0;
    let mut from = 0;
    let mut entries = 0u32;
    while let Some(p) = find(&bytes[from..], LOCAL_HEADER) {
        deadline.check("reading the DOCX local headers")?;
        let at = from + p;
        from = at + 4;
        let Some(h) = bytes.get(at..at + 30) else { break };
        let u16_at = |i: usize| u16::from_le_bytes([h[i], h[i + 1]]) as usize;
        let u32_at = |i: usize| u32::from_le_bytes([h[i], h[i + 1], h[i + 2], h[i + 3]]) as usize;
        let flags = u16_at(6);
        let method = u16_at(8);
        let compressed = u32_at(18);
        let (name_len, extra_len) = (u16_at(26), u16_at(28));
        let Some(name) = bytes.get(at + 30..at + 30 + name_len) else { break };
        let Ok(name) = std::str::from_utf8(name) else { continue };
        let name = name.replace('\\', "/").trim_start_matches('/').to_string();
        let data_start = at + 30 + name_len + extra_len;
        if data_start > bytes.len() {
            break;
        }
        entries += 1;
        if entries > limits.max_zip_entries {
            return Err(ExtractError::TooLarge(format!("the zip has more than {} entries", limits.max_zip_entries)));
        }
        // Bit 3: sizes follow the data (data descriptor); the deflate stream's own end says where
        // it stops. A size running past the end of the file is the file cut short.
        let sized = flags & 8 == 0 && compressed > 0;
        let data_end = if sized { data_start.saturating_add(compressed).min(bytes.len()) } else { bytes.len() };
        let raw = &bytes[data_start..data_end];
        if sized {
            // The next header is after this entry's data: signatures inside compressed data are
            // never taken for headers.
            from = data_end.max(from);
        }
        if !is_xml_part(&name) {
            continue;
        }
        let (data, whole) = match method {
            0 => (raw.to_vec(), sized && data_start + compressed <= bytes.len()),
            8 => inflate_partial(raw, &name, total, limits)?,
            _ => continue,
        };
        total += data.len() as u64;
        if data.is_empty() {
            continue;
        }
        if let Some(old) = parts.iter_mut().find(|p| p.name == name) {
            if !old.whole && (whole || data.len() > old.data.len()) {
                *old = SalvagedPart { name, data, whole };
            }
            continue;
        }
        parts.push(SalvagedPart { name, data, whole });
    }
    Ok(parts)
}

/// Inflates raw deflate data within the limits; on damage or a cut, what inflated before it.
fn inflate_partial(raw: &[u8], name: &str, total: u64, limits: &Limits) -> Result<(Vec<u8>, bool), ExtractError> {
    let mut decoder = PartialReader { inner: flate2::read::DeflateDecoder::new(raw), failed: false };
    let data = read_bounded(&mut decoder, name, raw.len().max(1) as u64, total, limits)?;
    Ok((data, !decoder.failed))
}

/// A reader that ends (instead of failing) at the first read error, remembering it.
struct PartialReader<R> {
    inner: R,
    failed: bool,
}

impl<R: Read> Read for PartialReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.failed {
            return Ok(0);
        }
        match self.inner.read(buf) {
            Ok(n) => Ok(n),
            Err(_) => {
                self.failed = true;
                Ok(0)
            }
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// What `close_cut_xml` kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlRepair {
    pub xml: Vec<u8>,
    /// When the cut fell inside a table: the table's number (1-based, outer tables in document
    /// order) and the rows of it that were kept.
    pub table_cut: Option<(usize, usize)>,
}

/// An XML part cut short or damaged, ended after its last complete paragraph (outside tables) or
/// table row (of an outer table), with the elements still open there closed. `None` when not
/// even one such element is complete.
pub fn close_cut_xml(xml: &[u8]) -> Option<XmlRepair> {
    let mut reader = Reader::from_reader(xml);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Vec<u8>> = Vec::new();
    // The last safe place to cut: the byte offset and the elements open there.
    let mut cut: Option<(usize, Vec<Vec<u8>>, Option<(usize, usize)>)> = None;
    let mut tables_seen = 0usize;
    let mut rows_in_table = 0usize;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                let name = e.name().as_ref().to_vec();
                if local(&name) == b"tbl" && !stack.iter().any(|n| local(n) == b"tbl") {
                    tables_seen += 1;
                    rows_in_table = 0;
                }
                stack.push(name);
            }
            Ok(Event::End(e)) => {
                let name = e.name().as_ref().to_vec();
                stack.pop();
                let tables_open = stack.iter().filter(|n| local(n) == b"tbl").count();
                let end = reader.buffer_position() as usize;
                match local(&name) {
                    b"p" if tables_open == 0 => cut = Some((end, stack.clone(), None)),
                    b"tr" if tables_open == 1 => {
                        rows_in_table += 1;
                        cut = Some((end, stack.clone(), Some((tables_seen, rows_in_table))));
                    }
                    b"tbl" if tables_open == 0 => cut = Some((end, stack.clone(), None)),
                    _ => {}
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    let (end, open, table_cut) = cut?;
    let mut out = xml[..end].to_vec();
    for name in open.iter().rev() {
        out.extend_from_slice(b"</");
        out.extend_from_slice(name);
        out.push(b'>');
    }
    Some(XmlRepair { xml: out, table_cut })
}

/// A relationships part without the internal relationships whose target part is not in
/// `present` (targets are relative to `base`, e.g. "word/").
pub fn drop_missing_relationships(rels: &[u8], base: &str, present: &std::collections::HashSet<String>) -> Vec<u8> {
    static RELATIONSHIP: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    let re = RELATIONSHIP.get_or_init(|| regex::bytes::Regex::new(r"<Relationship\b[^>]*?/>").unwrap());
    let target = |rel: &[u8]| -> Option<String> {
        let text = std::str::from_utf8(rel).ok()?;
        if text.contains("TargetMode=\"External\"") {
            return None;
        }
        let at = text.find("Target=\"")? + 8;
        let end = text[at..].find('"')? + at;
        let t = &text[at..end];
        Some(match t.strip_prefix('/') {
            Some(abs) => abs.to_string(),
            None => format!("{base}{t}"),
        })
    };
    re.replace_all(rels, |c: &regex::bytes::Captures| match target(&c[0]) {
        Some(t) if !present.contains(&t) => Vec::new(),
        _ => c[0].to_vec(),
    })
    .into_owned()
}

fn local(name: &[u8]) -> &[u8] {
    name.rsplit(|&b| b == b':').next().unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_complete_rows_and_closes_what_is_open() {
        let xml = br#"<w:document xmlns:w="x"><w:body><w:p><w:r><w:t>a</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>cu"#;
        let r = close_cut_xml(xml).unwrap();
        assert_eq!(r.table_cut, Some((1, 1)));
        assert!(r.xml.ends_with(b"</w:tr></w:tbl></w:body></w:document>"), "{}", String::from_utf8_lossy(&r.xml));
    }

    #[test]
    fn nothing_complete_is_none() {
        assert_eq!(close_cut_xml(br#"<w:document xmlns:w="x"><w:body><w:p><w:r>"#), None);
    }
}
