//! Hardening that belongs to decoding: page-tree loops and page limits, FlateDecode bombs.

use std::collections::HashSet;
use std::io::Read;

use pdf_extract::{Document, Object, ObjectId};

use crate::error::ExtractError;
use crate::limits::Limits;

/// The page objects in order. Walks the page tree ourselves first, because a tree whose /Kids
/// loop back (or repeat a subtree) would make lopdf's walk run for an astronomically long time.
pub fn page_ids(doc: &Document, max_pages: u32) -> Result<Vec<ObjectId>, ExtractError> {
    let root = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Pages").ok())
        .and_then(|p| p.as_reference().ok())
        .ok_or_else(|| ExtractError::Truncated("the document catalog has no page tree".into()))?;
    let mut seen: HashSet<ObjectId> = HashSet::new();
    let mut stack: Vec<ObjectId> = vec![root];
    let mut pages = 0u32;
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            return Err(ExtractError::Truncated("the page tree loops back on itself".into()));
        }
        let Ok(node) = doc.get_dictionary(id) else { continue };
        let is_pages_node = matches!(node.get(b"Type").and_then(Object::as_name), Ok(b"Pages"))
            || (node.get(b"Kids").is_ok() && !matches!(node.get(b"Type").and_then(Object::as_name), Ok(b"Page")));
        if is_pages_node {
            if let Ok(kids) = node.get(b"Kids").and_then(Object::as_array) {
                for kid in kids.iter().rev() {
                    if let Ok(k) = kid.as_reference() {
                        stack.push(k);
                    }
                }
            }
        } else {
            pages += 1;
            if pages > max_pages {
                return Err(ExtractError::TooLarge(format!("more than {max_pages} pages")));
            }
        }
    }
    // The tree is finite and small: lopdf's own numbering (which pdf-extract uses) is now safe.
    let ids: Vec<ObjectId> = doc.get_pages().into_values().collect();
    if ids.is_empty() {
        return Err(ExtractError::Truncated("the document has no pages".into()));
    }
    Ok(ids)
}

/// Inflates every FlateDecode stream ourselves, bounded by the limits, before lopdf or
/// pdf-extract would inflate it without bounds. Streams whose only filter is FlateDecode are
/// replaced by their plain content, so nothing inflates them twice.
pub fn inflate_streams(doc: &mut Document, limits: &Limits) -> Result<(), ExtractError> {
    let mut total: u64 = 0;
    for object in doc.objects.values_mut() {
        let Object::Stream(stream) = object else { continue };
        let Ok(filters) = stream.filters() else { continue };
        if !filters.iter().any(|f| *f == b"FlateDecode" || *f == b"Fl") {
            continue;
        }
        let only_flate = filters.len() == 1 && stream.dict.get(b"DecodeParms").is_err();
        let mut decoder = flate2::read::ZlibDecoder::new(stream.content.as_slice()).take(limits.max_stream_bytes + 1);
        let mut plain = Vec::new();
        let ok = decoder.read_to_end(&mut plain).is_ok();
        let n = plain.len() as u64;
        if n > limits.max_stream_bytes {
            return Err(ExtractError::TooLarge(format!(
                "a stream inflates to more than {} bytes",
                limits.max_stream_bytes
            )));
        }
        total += n;
        if total > limits.max_total_decompressed {
            return Err(ExtractError::TooLarge(format!(
                "streams inflate to more than {} bytes in total",
                limits.max_total_decompressed
            )));
        }
        if ok && only_flate {
            stream.set_plain_content(plain);
        }
    }
    Ok(())
}
