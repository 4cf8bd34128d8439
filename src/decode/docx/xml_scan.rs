//! A cheap byte-level pass over each XML part before any XML library sees it.
//!
//! It refuses DTDs and entity declarations (XXE and billion-laughs need a DOCTYPE; WordprocessingML
//! never has one), refuses parts that are not UTF-8 (the byte checks below would be blind to them),
//! and measures element nesting so that a deeply nested part is refused before a recursive reader
//! walks it. On the main document part it also records which leading table rows carry
//! `w:tblHeader`, a property docx-rs does not keep.

use crate::error::ExtractError;

/// What the scan learnt about one part.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ScanReport {
    pub max_depth: u32,
    /// For every `w:tbl` in document order of its start tag (outer before inner), how many leading
    /// rows are marked `w:tblHeader`. Tables inside text boxes are left out: the decoder does not
    /// read text boxes, and the two numberings must agree.
    pub header_rows_per_table: Vec<usize>,
}

/// Scans one XML part. `part` names it in error messages.
pub fn scan_part(part: &str, xml: &[u8], max_depth: u32) -> Result<ScanReport, ExtractError> {
    if xml.starts_with(&[0xFF, 0xFE])
        || xml.starts_with(&[0xFE, 0xFF])
        || xml.iter().take(64).any(|&b| b == 0)
    {
        return Err(ExtractError::Unsupported(format!("{part}: XML parts that are not UTF-8 are not read")));
    }
    let mut tables = TableHeaderTracker::default();
    let mut depth: u32 = 0;
    let mut max_seen: u32 = 0;
    let mut i = 0;
    let n = xml.len();
    while i < n {
        let Some(off) = memchr(b'<', &xml[i..]) else { break };
        i += off;
        let rest = &xml[i..];
        if rest.starts_with(b"<?") {
            i = skip_past(xml, i + 2, b"?>");
        } else if rest.starts_with(b"<!--") {
            i = skip_past(xml, i + 4, b"-->");
        } else if rest.starts_with(b"<![CDATA[") {
            i = skip_past(xml, i + 9, b"]]>");
        } else if rest.starts_with(b"<!") {
            // <!DOCTYPE, <!ENTITY, <!ELEMENT …: any markup declaration means a DTD.
            let what = String::from_utf8_lossy(&rest[..rest.len().min(16)]).into_owned();
            return Err(ExtractError::Unsupported(format!(
                "{part}: DTD or entity declarations are not accepted (found {what:?}…)"
            )));
        } else if rest.starts_with(b"</") {
            let (name, end) = read_name(xml, i + 2);
            tables.on_end(local_name(name));
            depth = depth.saturating_sub(1);
            i = skip_tag(xml, end).0;
        } else {
            let (name, end) = read_name(xml, i + 1);
            let (after, self_closing) = skip_tag(xml, end);
            let attrs = &xml[end..after.min(n)];
            let local = local_name(name);
            tables.on_start(local, attrs);
            if self_closing {
                tables.on_end(local);
            } else {
                depth += 1;
                if depth > max_seen {
                    max_seen = depth;
                }
                if depth > max_depth {
                    return Err(ExtractError::TooLarge(format!(
                        "{part}: XML nesting deeper than the limit of {max_depth}"
                    )));
                }
            }
            i = after;
        }
    }
    Ok(ScanReport { max_depth: max_seen, header_rows_per_table: tables.finished })
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| b == needle)
}

/// Index just past the first `pat` at or after `from`, or the end of input.
fn skip_past(xml: &[u8], from: usize, pat: &[u8]) -> usize {
    if from >= xml.len() {
        return xml.len();
    }
    match xml[from..].windows(pat.len()).position(|w| w == pat) {
        Some(p) => from + p + pat.len(),
        None => xml.len(),
    }
}

fn read_name(xml: &[u8], from: usize) -> (&[u8], usize) {
    let mut end = from.min(xml.len());
    while end < xml.len() && !matches!(xml[end], b' ' | b'\t' | b'\r' | b'\n' | b'/' | b'>') {
        end += 1;
    }
    (&xml[from.min(end)..end], end)
}

/// From inside a tag, the index just past its `>` (quotes respected) and whether it was `/>`.
fn skip_tag(xml: &[u8], from: usize) -> (usize, bool) {
    let mut quote: Option<u8> = None;
    let mut prev = 0u8;
    let mut i = from;
    while i < xml.len() {
        let b = xml[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' => return (i + 1, prev == b'/'),
            None => {}
        }
        prev = b;
        i += 1;
    }
    (xml.len(), false)
}

fn local_name(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|&b| b == b':') {
        Some(p) => &name[p + 1..],
        None => name,
    }
}

/// Follows `w:tbl` / `w:tr` / `w:tblHeader` to count each table's leading header rows.
#[derive(Default)]
struct TableHeaderTracker {
    finished: Vec<usize>,
    open: Vec<OpenTable>,
    /// Open `w:txbxContent` elements: tables in text boxes are not counted.
    in_text_box: u32,
}

struct OpenTable {
    slot: usize,
    leading_run: bool,
    row_is_header: bool,
}

impl TableHeaderTracker {
    fn on_start(&mut self, local: &[u8], attrs: &[u8]) {
        match local {
            b"txbxContent" | b"Fallback" => self.in_text_box += 1,
            _ if self.in_text_box > 0 => {}
            b"tbl" => {
                self.finished.push(0);
                self.open.push(OpenTable {
                    slot: self.finished.len() - 1,
                    leading_run: true,
                    row_is_header: false,
                });
            }
            b"tr" => {
                if let Some(t) = self.open.last_mut() {
                    t.row_is_header = false;
                }
            }
            b"tblHeader" => {
                if let Some(t) = self.open.last_mut() {
                    t.row_is_header = on_off_value(attrs);
                }
            }
            _ => {}
        }
    }

    fn on_end(&mut self, local: &[u8]) {
        match local {
            b"txbxContent" | b"Fallback" => self.in_text_box = self.in_text_box.saturating_sub(1),
            _ if self.in_text_box > 0 => {}
            b"tbl" => {
                self.open.pop();
            }
            b"tr" => {
                if let Some(t) = self.open.last_mut() {
                    if t.leading_run && t.row_is_header {
                        self.finished[t.slot] += 1;
                    } else {
                        t.leading_run = false;
                    }
                    t.row_is_header = false;
                }
            }
            _ => {}
        }
    }
}

/// An OOXML on/off property: present without `w:val` means on; `false`, `0`, `off` mean off.
fn on_off_value(attrs: &[u8]) -> bool {
    let text = String::from_utf8_lossy(attrs);
    for part in text.split_whitespace() {
        if let Some((key, value)) = part.split_once('=') {
            if key == "val" || key.ends_with(":val") {
                let v = value.trim_matches(|c| matches!(c, '"' | '\'' | '/' | '>'));
                return !matches!(v, "false" | "0" | "off");
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_depth_ignoring_comments_cdata_and_attributes() {
        let xml = br#"<?xml version="1.0"?><a x="1>2"><b/><!-- <c><c><c> --><d><![CDATA[<e><e>]]></d></a>"#;
        let r = scan_part("t", xml, 10).unwrap();
        assert_eq!(r.max_depth, 2);
        assert_eq!(scan_part("t", xml, 1).unwrap_err().code(), "too_large");
    }

    #[test]
    fn refuses_dtds_and_non_utf8() {
        let xxe = br#"<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]><w>&x;</w>"#;
        assert_eq!(scan_part("t", xxe, 10).unwrap_err().code(), "unsupported");
        let utf16 = [0xFF, 0xFE, b'<', 0, b'a', 0, b'/', 0, b'>', 0];
        assert_eq!(scan_part("t", &utf16, 10).unwrap_err().code(), "unsupported");
    }

    #[test]
    fn counts_leading_header_rows_per_table_in_start_order() {
        let xml = br#"<w:body>
          <w:tbl><w:tr><w:trPr><w:tblHeader/></w:trPr><w:tc><w:p/></w:tc></w:tr>
                 <w:tr><w:trPr><w:tblHeader w:val="true"/></w:trPr><w:tc>
                    <w:tbl><w:tr><w:tc/></w:tr></w:tbl>
                 </w:tc></w:tr>
                 <w:tr><w:tc/></w:tr>
                 <w:tr><w:trPr><w:tblHeader/></w:trPr></w:tr></w:tbl>
          <w:p><w:r><mc:AlternateContent><mc:Choice><w:txbxContent><w:tbl><w:tr/></w:tbl></w:txbxContent></mc:Choice>
             <mc:Fallback><w:tbl/></mc:Fallback></mc:AlternateContent></w:r></w:p>
          <w:tbl><w:tr><w:trPr><w:tblHeader w:val="0"/></w:trPr></w:tr></w:tbl>
        </w:body>"#;
        let r = scan_part("t", xml, 50).unwrap();
        assert_eq!(r.header_rows_per_table, vec![2, 0, 0]);
    }
}
