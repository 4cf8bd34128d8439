//! A validating pass over each XML part before docx-rs sees it, with the XML parser docx-rs
//! itself uses (quick-xml, same version and settings) and the same decoding steps.
//!
//! Why: docx-rs's element readers loop until they meet their own end tag, swallow some errors of
//! child readers, and treat the end of the document as just another event. After any XML error
//! (a bad name, attribute, entity, or a part that ends inside an element) its parser only says
//! "end of document", and the reader waiting for its end tag spins for ever (found by fuzzing).
//! So a part docx-rs would stumble on is refused here as `truncated`.
//!
//! Also: DTDs are refused (`unsupported`; XXE and entity expansion need a DOCTYPE and
//! WordprocessingML never has one), parts that are not UTF-8 are refused, element nesting is
//! measured without recursion (`too_large` above the limit), elements and paragraphs are counted
//! for the memory budget, and on the main document part the leading `w:tblHeader` rows of each
//! table are recorded (docx-rs does not keep that property).

use quick_xml::escape::unescape;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use crate::error::ExtractError;

/// What the scan learnt about one part.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ScanReport {
    pub max_depth: u32,
    /// Elements in the part (start tags, self-closing included).
    pub elements: u64,
    /// Of those, paragraphs (any `…:p`): the most expensive element once parsed by docx-rs.
    pub paragraphs: u64,
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
    let damaged = |what: String| ExtractError::Truncated(format!("{part}: damaged XML: {what}"));
    let mut reader = Reader::from_reader(xml);
    {
        // docx-rs's settings (reader/xml_parser.rs).
        let config = reader.config_mut();
        config.trim_text(false);
        config.check_end_names = true;
        config.expand_empty_elements = false;
    }
    let mut tables = TableHeaderTracker::default();
    let mut depth: u32 = 0;
    let mut max_seen: u32 = 0;
    let (mut elements, mut paragraphs) = (0u64, 0u64);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let event = reader.read_event_into(&mut buf).map_err(|e| damaged(e.to_string()))?;
        match event {
            Event::Start(ref start) | Event::Empty(ref start) => {
                let self_closing = matches!(event, Event::Empty(_));
                let header_mark = check_start(start, &reader).map_err(damaged)?;
                let name = start.local_name();
                let local = name.as_ref();
                elements += 1;
                if local == b"p" {
                    paragraphs += 1;
                }
                tables.on_start(local, header_mark);
                if self_closing {
                    tables.on_end(local);
                } else {
                    depth += 1;
                    max_seen = max_seen.max(depth);
                    if depth > max_depth {
                        return Err(ExtractError::TooLarge(format!(
                            "{part}: XML nesting deeper than the limit of {max_depth}"
                        )));
                    }
                }
            }
            Event::End(ref end) => {
                // check_end_names has matched it against the open element.
                tables.on_end(end.local_name().as_ref());
                depth = depth.saturating_sub(1);
            }
            Event::Text(text) => {
                text.xml_content(XmlVersion::Implicit1_0).map_err(|e| damaged(e.to_string()))?;
            }
            Event::GeneralRef(reference) => {
                // As docx-rs resolves references: character references, the five predefined
                // entities, nothing else (an undeclared entity is an error there too).
                let is_char = reference.resolve_char_ref().map_err(|e| damaged(e.to_string()))?.is_some();
                if !is_char {
                    let name = reference.xml_content(XmlVersion::Implicit1_0).map_err(|e| damaged(e.to_string()))?;
                    if !matches!(name.as_ref(), "lt" | "gt" | "amp" | "apos" | "quot") {
                        unescape(&format!("&{name};")).map_err(|e| damaged(e.to_string()))?;
                    }
                }
            }
            Event::CData(text) => {
                reader.decoder().decode(text.as_ref()).map_err(|e| damaged(e.to_string()))?;
            }
            Event::DocType(_) => {
                return Err(ExtractError::Unsupported(format!(
                    "{part}: DTD or entity declarations are not accepted"
                )));
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if depth != 0 {
        return Err(damaged(format!("the part ends inside {depth} open element(s)")));
    }
    Ok(ScanReport { max_depth: max_seen, elements, paragraphs, header_rows_per_table: tables.finished })
}

/// Decodes a start tag's attributes as docx-rs does (errors included); returns, for a
/// `tblHeader` element, whether it is on.
fn check_start(start: &BytesStart<'_>, reader: &Reader<&[u8]>) -> Result<bool, String> {
    let mut attributes = start.attributes();
    let mut on = true;
    for attribute in attributes.with_checks(false) {
        let attribute = attribute.map_err(|e| e.to_string())?;
        let value = attribute
            .decoded_and_normalized_value(XmlVersion::Implicit1_0, reader.decoder())
            .map_err(|e| e.to_string())?;
        if attribute.key.local_name().as_ref() == b"val" {
            on = !matches!(value.as_ref(), "false" | "0" | "off");
        }
    }
    Ok(on)
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
    fn on_start(&mut self, local: &[u8], header_mark_on: bool) {
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
                    t.row_is_header = header_mark_on;
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
    fn refuses_parts_that_end_inside_an_element_or_close_out_of_order() {
        for bad in [
            &b"<a><b></b>"[..],
            b"<a><b></a></b>",
            b"<a></a></a>",
            b"<a><b",
            b"<a x=\"1>",
            b"<a><!-- never closed",
            b"<a>< b/></a>",
            // found by fuzzing: an invalid element name inside a cell property made docx-rs spin
            br#"<w:tc><w:tcPr><w:tcW w:w="1735"/><1349" w:type="dxa"/></w:tcPr></w:tc>"#,
            b"<a>&undeclared;</a>",
            b"<a b=\"&#xD800;\"/>",
        ] {
            let err = scan_part("t", bad, 10).unwrap_err();
            assert_eq!(err.code(), "truncated", "{:?}", String::from_utf8_lossy(bad));
        }
        assert!(scan_part("t", b"<a><b/>text > more<c></c></a>", 10).is_ok());
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
