//! The two text-showing operators pdf-extract does not interpret: `'` (move to the next line and
//! show a string) and `"` (set word and character spacing, move to the next line, show).
//! Typewriter-style reports set whole tables with them, one `'` per line (us-034 of ICDAR 2013:
//! every row of both tables); pdf-extract skips them and the text is lost. Each is rewritten, in
//! the page and form content streams, into the operators it is defined as (`Tw`, `Tc`, `T*`,
//! `Tj`), before our walker and pdf-extract read the content, so both see the same strings.

use pdf_extract::content::{Content, Operation};
use pdf_extract::{Document, Object, ObjectId};

/// Rewrites `'` and `"` in the content streams of `pages` and of every Form XObject. A stream
/// that is still encoded (a filter other than Flate), does not parse or holds an inline image is
/// left as it is.
pub fn expand_quote_operators(doc: &mut Document, pages: &[ObjectId]) {
    let mut targets: Vec<ObjectId> = Vec::new();
    for &page in pages {
        let Ok(dict) = doc.get_dictionary(page) else { continue };
        match dict.get(b"Contents") {
            Ok(Object::Reference(id)) => targets.push(*id),
            Ok(Object::Array(parts)) => targets.extend(parts.iter().filter_map(|p| p.as_reference().ok())),
            _ => {}
        }
    }
    for (id, object) in &doc.objects {
        if let Object::Stream(s) = object {
            if s.dict.get(b"Subtype").and_then(Object::as_name).is_ok_and(|n| n == b"Form") {
                targets.push(*id);
            }
        }
    }
    targets.sort_unstable();
    targets.dedup();
    for id in targets {
        let Some(Object::Stream(stream)) = doc.objects.get_mut(&id) else { continue };
        if stream.dict.get(b"Filter").is_ok() || !may_use_quote_operators(&stream.content) {
            continue;
        }
        let Ok(content) = Content::decode(&stream.content) else { continue };
        let ops = &content.operations;
        // lopdf parses an inline image but cannot write it back: such streams stay as they are.
        if !ops.iter().any(|op| op.operator == "'" || op.operator == "\"") || ops.iter().any(|op| op.operator == "BI") {
            continue;
        }
        let Ok(bytes) = Content { operations: expanded(content.operations) }.encode() else { continue };
        stream.set_plain_content(bytes);
    }
}

/// A cheap test before parsing: a `'` or `"` right after a string's end (`)` or `>`, spaces
/// between). Apostrophes inside strings follow letters, so English text rarely triggers a parse.
fn may_use_quote_operators(content: &[u8]) -> bool {
    content.iter().enumerate().any(|(i, &b)| {
        (b == b'\'' || b == b'"') && content[..i].iter().rev().find(|c| !c.is_ascii_whitespace()).is_some_and(|&c| c == b')' || c == b'>')
    })
}

/// The operations with each `'` and `"` replaced by what it is defined as.
fn expanded(operations: Vec<Operation>) -> Vec<Operation> {
    let mut out = Vec::with_capacity(operations.len() + 8);
    for op in operations {
        match (op.operator.as_str(), op.operands.as_slice()) {
            ("'", [text]) => {
                out.push(Operation::new("T*", vec![]));
                out.push(Operation::new("Tj", vec![text.clone()]));
            }
            ("\"", [word_spacing, char_spacing, text]) => {
                out.push(Operation::new("Tw", vec![word_spacing.clone()]));
                out.push(Operation::new("Tc", vec![char_spacing.clone()]));
                out.push(Operation::new("T*", vec![]));
                out.push(Operation::new("Tj", vec![text.clone()]));
            }
            _ => out.push(op),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::limits::{Deadline, Limits};

    /// A one-page PDF whose content is `content`, with /F1 a Courier font.
    fn pdf_with_content(content: &str) -> Vec<u8> {
        let mut bytes = Vec::new();
        super::super::merged::tests::document(&[(content, "Courier")]).save_to(&mut bytes).unwrap();
        bytes
    }

    /// Text lines of page 1, top to bottom.
    fn lines(bytes: &[u8]) -> Vec<String> {
        let doc = super::super::decode(bytes, &Limits::default(), &Deadline::start(Duration::from_secs(60))).unwrap();
        let mut glyphs = doc.pages[0].glyphs.clone();
        glyphs.sort_by(|a, b| a.top.total_cmp(&b.top).then(a.x0.total_cmp(&b.x0)));
        let mut out: Vec<(f64, String)> = Vec::new();
        for g in glyphs.iter().filter(|g| !g.ch.is_whitespace()) {
            match out.last_mut() {
                Some((top, s)) if (g.top - *top).abs() < 1.0 => s.push(g.ch),
                _ => out.push((g.top, g.ch.to_string())),
            }
        }
        out.into_iter().map(|(_, s)| s).collect()
    }

    #[test]
    fn rows_shown_with_quote_operators_are_read_line_by_line() {
        // As us-034 sets its tables: a leading, then one `'` per row; `"` also sets spacing.
        let bytes = pdf_with_content("BT /F1 12 Tf 72 700 Td (Proportion 1.0 1.1) Tj 12.72 TL (0.99 .. 800 880)' (0.95 .. 160 176)' 0 0 (0.90 .. 80 88)\" ET");
        assert_eq!(lines(&bytes), ["Proportion1.01.1", "0.99..800880", "0.95..160176", "0.90..8088"]);
    }

    #[test]
    fn apostrophes_inside_strings_are_text_not_operators() {
        assert!(!may_use_quote_operators(b"BT (don't) Tj (\"quoted\") Tj ET"));
        assert!(may_use_quote_operators(b"BT (row)' ET"));
        assert!(may_use_quote_operators(b"BT 0 0 <0041> \" ET"));
        let bytes = pdf_with_content("BT /F1 12 Tf 72 700 Td (it's) Tj ET");
        assert_eq!(lines(&bytes), ["it’s"]);
    }

    #[test]
    fn a_stream_with_an_inline_image_is_left_as_it_is() {
        // lopdf would write the image back without ID and EI and lose the page's text.
        let bytes = pdf_with_content("BT /F1 12 Tf 72 700 Td (Head) Tj 12 TL (a)' ET q 1 0 0 1 9 9 cm BI /W 1 /H 1 /BPC 8 /CS /G ID x EI Q");
        assert_eq!(lines(&bytes), ["Head"]);
    }
}
