//! Hardening that belongs to decoding: page-tree loops and page limits, FlateDecode bombs.

use std::collections::HashSet;
use std::io::Read;

use pdf_extract::{Document, Object, ObjectId};

use crate::error::ExtractError;
use crate::limits::Limits;

/// The page objects in order. Walks the page tree ourselves first, because a tree whose /Kids
/// loop back (or repeat a subtree) would make lopdf's walk run for an astronomically long time
/// or list pages many times. Such a tree is flattened: each page once, in first-seen order, with
/// the attributes it inherited copied onto it.
pub fn page_ids(doc: &mut Document, max_pages: u32) -> Result<Vec<ObjectId>, ExtractError> {
    let root = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Pages").ok())
        .and_then(|p| p.as_reference().ok())
        .ok_or_else(|| ExtractError::Truncated("the document catalog has no page tree".into()))?;
    let mut seen: HashSet<ObjectId> = HashSet::new();
    let mut stack: Vec<ObjectId> = vec![root];
    let mut pages: Vec<ObjectId> = Vec::new();
    let mut repeated = false;
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            repeated = true;
            continue;
        }
        let Ok(node) = doc.get_dictionary(id) else { continue };
        let type_name = node.get(b"Type").and_then(Object::as_name).ok();
        let is_pages_node = type_name == Some(b"Pages".as_slice()) || (node.get(b"Kids").is_ok() && type_name != Some(b"Page".as_slice()));
        if is_pages_node {
            if let Ok(kids) = node.get(b"Kids").and_then(Object::as_array) {
                for kid in kids.iter().rev() {
                    if let Ok(k) = kid.as_reference() {
                        stack.push(k);
                    }
                }
            }
        } else {
            pages.push(id);
            if pages.len() as u32 > max_pages {
                return Err(ExtractError::TooLarge(format!("more than {max_pages} pages")));
            }
        }
    }
    if pages.is_empty() {
        return Err(ExtractError::Truncated("the document has no pages".into()));
    }
    if repeated {
        flatten_page_tree(doc, root, &pages);
    }
    // The tree is now finite and each page appears once: lopdf's numbering (which pdf-extract
    // uses) is safe and agrees with ours.
    let ids: Vec<ObjectId> = doc.get_pages().into_values().collect();
    if ids.is_empty() {
        return Err(ExtractError::Truncated("the document has no pages".into()));
    }
    Ok(ids)
}

fn flatten_page_tree(doc: &mut Document, root: ObjectId, pages: &[ObjectId]) {
    hang_pages_under(doc, root, pages);
    if let Ok(node) = doc.get_object_mut(root).and_then(Object::as_dict_mut) {
        node.set("Kids", Object::Array(pages.iter().map(|&p| Object::Reference(p)).collect()));
        node.set("Count", pages.len() as i64);
    }
}

/// Makes `parent` the direct parent of every page, copying first what each page inherited from
/// the nodes above it (resources, boxes, rotation), so that dropping those nodes loses nothing.
/// Shared by the flattening of deep trees and the repair path's rebuilt tree.
pub(super) fn hang_pages_under(doc: &mut Document, parent: ObjectId, pages: &[ObjectId]) {
    const INHERITABLE: [&[u8]; 4] = [b"Resources", b"MediaBox", b"CropBox", b"Rotate"];
    for &id in pages {
        let mut inherited_values: Vec<(&[u8], Object)> = Vec::new();
        if let Ok(page) = doc.get_dictionary(id) {
            for key in INHERITABLE {
                if page.get(key).is_err() {
                    if let Some(v) = super::inherited(doc, page, key) {
                        inherited_values.push((key, v.clone()));
                    }
                }
            }
        }
        if let Ok(page) = doc.get_object_mut(id).and_then(Object::as_dict_mut) {
            for (key, v) in inherited_values {
                page.set(key, v);
            }
            page.set("Parent", Object::Reference(parent));
        }
    }
}

/// Inflates every FlateDecode stream ourselves, bounded by the limits, before lopdf or
/// pdf-extract would inflate it without bounds. Streams whose only filter is FlateDecode are
/// replaced by their plain content, so nothing inflates them twice. A stream whose compressed
/// data is damaged or cut short keeps what inflated up to the damage (lopdf's own inflate does the
/// same); the return value counts those streams.
pub fn inflate_streams(doc: &mut Document, limits: &Limits) -> Result<usize, ExtractError> {
    let mut total: u64 = 0;
    let mut damaged = 0;
    for object in doc.objects.values_mut() {
        let Object::Stream(stream) = object else { continue };
        let Ok(filters) = stream.filters() else { continue };
        if !filters.iter().any(|f| *f == b"FlateDecode" || *f == b"Fl") {
            continue;
        }
        let only_flate = filters.len() == 1 && stream.dict.get(b"DecodeParms").is_err();
        let (plain, ok) = inflate_bounded(&stream.content, limits, &mut total)?;
        if !ok {
            damaged += 1;
        }
        // An empty result of damaged data is left to lopdf, which retries it as raw deflate.
        if only_flate && (ok || !plain.is_empty()) {
            stream.set_plain_content(plain);
        }
    }
    Ok(damaged)
}

/// Inflates zlib data within the per-stream and per-document limits (`total` is the running
/// document total). The bool is false when the data is damaged or cut short: the bytes are then
/// what inflated before the damage.
pub fn inflate_bounded(data: &[u8], limits: &Limits, total: &mut u64) -> Result<(Vec<u8>, bool), ExtractError> {
    let mut decoder = flate2::read::ZlibDecoder::new(data).take(limits.max_stream_bytes + 1);
    let mut plain = Vec::new();
    // On an error read_to_end keeps the bytes read before it.
    let ok = decoder.read_to_end(&mut plain).is_ok();
    let n = plain.len() as u64;
    if n > limits.max_stream_bytes {
        return Err(ExtractError::TooLarge(format!("a stream inflates to more than {} bytes", limits.max_stream_bytes)));
    }
    *total += n;
    if *total > limits.max_total_decompressed {
        return Err(ExtractError::TooLarge(format!(
            "streams inflate to more than {} bytes in total",
            limits.max_total_decompressed
        )));
    }
    Ok((plain, ok))
}
