//! Font fix-ups before pdf-extract sees the document. pdf-extract panics on Type0 fonts with a
//! predefined CMap other than Identity-H/V. The UCS-2 / UTF-16 ones (UniGB-UCS2-H and friends,
//! common in older Chinese producers) encode each character by its Unicode value, so they are
//! rewritten to Identity-H with an identity ToUnicode: same codes, same text. Other predefined
//! CMaps (GBK-EUC-H, B5pc-H …) are rewritten to Identity-H as well, keeping their ToUnicode:
//! their two-byte codes still decode through it, one-byte codes come out unreadable (counted
//! by the text-layer check) — the page keeps its other fonts' text instead of losing it all.
//!
//! pdf-extract also misreads the `c_first c_last w` form of a CID font's /W array (it takes the
//! width and the last CID from the wrong entries and stops one short), so every CID in such a
//! range falls back to /DW, usually 1000: half-width digits of WPS and Word CJK fonts come out a
//! full em wide, run past their cell border and lose their last characters ("7,877.76" →
//! "7,877"). [`normalize_cid_widths`] rewrites /W into the `c [w1 w2 …]` form it reads right.

use std::collections::BTreeMap;

use pdf_extract::{Dictionary, Document, Object, ObjectId, Stream};

fn is_unicode_cmap(name: &[u8]) -> bool {
    let name = String::from_utf8_lossy(name);
    // The -V forms differ only in writing direction, which pdf-extract does not model either way.
    name.starts_with("Uni") && (name.contains("UCS2") || name.contains("UTF16"))
}

/// A ToUnicode CMap mapping every 2-byte code to the same UTF-16 value (surrogates excluded).
fn identity_to_unicode() -> Vec<u8> {
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CMapName /Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let blocks: Vec<u16> = (0u16..=0xFF).filter(|hi| !(0xD8..=0xDF).contains(hi)).collect();
    for chunk in blocks.chunks(100) {
        s.push_str(&format!("{} beginbfrange\n", chunk.len()));
        for hi in chunk {
            s.push_str(&format!("<{hi:02X}00> <{hi:02X}FF> <{hi:02X}00>\n"));
        }
        s.push_str("endbfrange\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s.into_bytes()
}

pub fn rewrite_predefined_cmaps(doc: &mut Document) {
    let targets: Vec<(ObjectId, bool)> = doc
        .objects
        .iter()
        .filter_map(|(id, o)| {
            let d: &Dictionary = o.as_dict().ok()?;
            if d.get(b"Subtype").and_then(Object::as_name).ok()? != b"Type0" {
                return None;
            }
            let enc = d.get(b"Encoding").and_then(Object::as_name).ok()?;
            if enc == b"Identity-H" || enc == b"Identity-V" {
                return None;
            }
            // Unicode CMaps get an identity ToUnicode when they lack one; other predefined
            // CMaps keep whatever ToUnicode they have.
            Some((*id, d.get(b"ToUnicode").is_ok() || !is_unicode_cmap(enc)))
        })
        .collect();
    if targets.is_empty() {
        return;
    }
    let cmap_id = doc.add_object(Object::Stream(Stream::new(Dictionary::new(), identity_to_unicode())));
    for (id, has_to_unicode) in targets {
        if let Ok(d) = doc.get_object_mut(id).and_then(Object::as_dict_mut) {
            d.set("Encoding", Object::Name(b"Identity-H".to_vec()));
            if !has_to_unicode {
                d.set("ToUnicode", Object::Reference(cmap_id));
            }
        }
    }
}

/// CID widths a document may expand from /W ranges, over all its fonts. A CJK font lists a few
/// thousand CIDs; this bounds the work a hostile /W (ranges over all 65,536 CIDs, repeated) can
/// cause. Fonts beyond it keep their /W as it was (pdf-extract then reads their ranges as /DW).
const MAX_EXPANDED_WIDTHS: usize = 1 << 20;

/// Rewrites every CID font's /W into the list form (`c [w1 w2 …]`, direct integers and reals)
/// and a real /DW into an integer, which is what pdf-extract parses correctly. Widths equal to
/// /DW are left out (the fallback gives them). Fonts whose /W is already in that form are kept.
pub fn normalize_cid_widths(doc: &mut Document) {
    let mut budget = MAX_EXPANDED_WIDTHS;
    // CID font dictionaries: objects of their own, or direct dictionaries in a Type0 font's
    // /DescendantFonts (the path within the object is (id, None) or (id, Some(index))).
    let mut targets: Vec<(ObjectId, Option<usize>)> = Vec::new();
    for (id, o) in &doc.objects {
        let Ok(d) = o.as_dict() else { continue };
        if is_cid_font(d) {
            targets.push((*id, None));
        } else if d.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Type0".as_slice()) {
            if let Ok(kids) = d.get(b"DescendantFonts").and_then(Object::as_array) {
                for (k, kid) in kids.iter().enumerate() {
                    if kid.as_dict().is_ok_and(is_cid_font) {
                        targets.push((*id, Some(k)));
                    }
                }
            }
        }
    }
    for (id, kid) in targets {
        let Some(font) = cid_font(doc, id, kid) else { continue };
        let Some((w, dw)) = widths_to_rewrite(doc, font, &mut budget) else { continue };
        let Some(font) = cid_font_mut(doc, id, kid) else { continue };
        font.set("W", w);
        if let Some(dw) = dw {
            font.set("DW", dw);
        }
    }
}

fn is_cid_font(d: &Dictionary) -> bool {
    matches!(d.get(b"Subtype").and_then(Object::as_name), Ok(b"CIDFontType0") | Ok(b"CIDFontType2"))
}

fn cid_font(doc: &Document, id: ObjectId, kid: Option<usize>) -> Option<&Dictionary> {
    let d = doc.objects.get(&id)?.as_dict().ok()?;
    match kid {
        None => Some(d),
        Some(k) => d.get(b"DescendantFonts").ok()?.as_array().ok()?.get(k)?.as_dict().ok(),
    }
}

fn cid_font_mut(doc: &mut Document, id: ObjectId, kid: Option<usize>) -> Option<&mut Dictionary> {
    let d = doc.objects.get_mut(&id)?.as_dict_mut().ok()?;
    match kid {
        None => Some(d),
        Some(k) => d.get_mut(b"DescendantFonts").ok()?.as_array_mut().ok()?.get_mut(k)?.as_dict_mut().ok(),
    }
}

fn number(doc: &Document, o: &Object) -> Option<f64> {
    match doc.dereference(o).ok()?.1 {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(*r as f64),
        _ => None,
    }
}

/// A CID: an integer (or a real holding one) in 0..=65535.
fn cid(doc: &Document, o: &Object) -> Option<u32> {
    let v = number(doc, o)?;
    (v.fract() == 0.0 && (0.0..=65535.0).contains(&v)).then_some(v as u32)
}

fn width_object(w: f64) -> Object {
    if w.fract() == 0.0 && w.abs() < 1e9 {
        Object::Integer(w as i64)
    } else {
        Object::Real(w as f32)
    }
}

/// The font's /W in list form and its /DW as an integer, when either needs rewriting. Parsing
/// stops at the first malformed entry (the widths before it are kept).
fn widths_to_rewrite(doc: &Document, font: &Dictionary, budget: &mut usize) -> Option<(Object, Option<Object>)> {
    let w_obj = font.get(b"W").ok()?;
    let entries = doc.dereference(w_obj).ok()?.1.as_array().ok()?;
    let dw_obj = font.get(b"DW").ok().and_then(|o| doc.dereference(o).ok()).map(|(_, o)| o);
    let dw = dw_obj.and_then(|o| number(doc, o)).unwrap_or(1000.0);
    let dw_rewrite = matches!(dw_obj, Some(Object::Real(_))).then(|| Object::Integer(dw.round() as i64));
    let mut needs_rewrite = matches!(w_obj, Object::Reference(_));
    let mut widths: BTreeMap<u32, f64> = BTreeMap::new();
    let mut i = 0;
    while i < entries.len() {
        let Some(first) = cid(doc, &entries[i]) else { break };
        needs_rewrite |= !matches!(entries[i], Object::Integer(_));
        let Some(next) = entries.get(i + 1) else { break };
        if let Ok((_, Object::Array(list))) = doc.dereference(next) {
            needs_rewrite |= matches!(next, Object::Reference(_)) || list.iter().any(|o| !matches!(o, Object::Integer(_) | Object::Real(_)));
            let n = list.len().min(65536 - first as usize);
            if n > *budget {
                return None;
            }
            *budget -= n;
            for (k, o) in list.iter().take(n).enumerate() {
                let Some(v) = number(doc, o) else { break };
                widths.insert(first + k as u32, v);
            }
            i += 2;
        } else {
            // `c_first c_last w`: the form pdf-extract misreads.
            needs_rewrite = true;
            let (Some(last), Some(v)) = (cid(doc, next), entries.get(i + 2).and_then(|o| number(doc, o))) else { break };
            if last >= first {
                let n = (last - first + 1) as usize;
                if n > *budget {
                    return None;
                }
                *budget -= n;
                for c in first..=last {
                    widths.insert(c, v);
                }
            }
            i += 3;
        }
    }
    if !needs_rewrite {
        return dw_rewrite.map(|dw| (w_obj.clone(), Some(dw)));
    }
    // Runs of consecutive CIDs whose width differs from /DW, each as `c [w1 w2 …]`.
    let mut out: Vec<Object> = Vec::new();
    let mut run: Vec<Object> = Vec::new();
    let mut run_start = 0u32;
    let mut prev: Option<u32> = None;
    for (&c, &v) in widths.iter().filter(|e| *e.1 != dw) {
        if prev.is_some_and(|p| p + 1 != c) && !run.is_empty() {
            out.push(Object::Integer(run_start as i64));
            out.push(Object::Array(std::mem::take(&mut run)));
        }
        if run.is_empty() {
            run_start = c;
        }
        run.push(width_object(v));
        prev = Some(c);
    }
    if !run.is_empty() {
        out.push(Object::Integer(run_start as i64));
        out.push(Object::Array(run));
    }
    Some((Object::Array(out), dw_rewrite))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(i: i64) -> Object {
        Object::Integer(i)
    }

    fn cid_font_with(w: Vec<Object>, dw: Option<Object>) -> (Document, ObjectId) {
        let mut doc = Document::with_version("1.5");
        let mut d = Dictionary::new();
        d.set("Type", Object::Name(b"Font".to_vec()));
        d.set("Subtype", Object::Name(b"CIDFontType2".to_vec()));
        d.set("W", Object::Array(w));
        if let Some(dw) = dw {
            d.set("DW", dw);
        }
        let id = doc.add_object(d);
        (doc, id)
    }

    fn w_of(doc: &Document, id: ObjectId) -> Vec<Object> {
        doc.get_dictionary(id).unwrap().get(b"W").unwrap().as_array().unwrap().clone()
    }

    #[test]
    fn ranges_become_lists_and_widths_equal_to_dw_are_dropped() {
        // WPS: `3 [500] 11 29 500` (space, then digits and punctuation half width), plus a range
        // at /DW and a run that continues the first one.
        let (mut doc, id) = cid_font_with(
            vec![int(3), Object::Array(vec![int(500)]), int(11), int(13), int(500), int(20), int(30), int(1000), int(14), Object::Array(vec![Object::Real(250.5)])],
            None,
        );
        normalize_cid_widths(&mut doc);
        assert_eq!(
            w_of(&doc, id),
            vec![int(3), Object::Array(vec![int(500)]), int(11), Object::Array(vec![int(500), int(500), int(500), Object::Real(250.5)])]
        );
    }

    #[test]
    fn list_form_is_kept_and_a_real_dw_becomes_an_integer() {
        let w = vec![int(1), Object::Array(vec![int(500), int(600)])];
        let (mut doc, id) = cid_font_with(w.clone(), Some(Object::Real(1000.0)));
        normalize_cid_widths(&mut doc);
        assert_eq!(w_of(&doc, id), w);
        assert_eq!(doc.get_dictionary(id).unwrap().get(b"DW").unwrap(), &int(1000));
    }

    #[test]
    fn hostile_ranges_are_bounded_and_malformed_entries_end_the_list() {
        // Every CID over and over: the budget stops the expansion, the font is left as it was.
        let mut w = Vec::new();
        for _ in 0..40 {
            w.extend([int(0), int(65535), int(500)]);
        }
        let (mut doc, id) = cid_font_with(w.clone(), None);
        normalize_cid_widths(&mut doc);
        assert_eq!(w_of(&doc, id), w);
        // A CID out of range or a name where a width belongs: parsing stops there.
        let (mut doc, id) = cid_font_with(vec![int(5), int(6), int(400), int(70000), int(70001), int(3), int(9)], None);
        normalize_cid_widths(&mut doc);
        assert_eq!(w_of(&doc, id), vec![int(5), Object::Array(vec![int(400), int(400)])]);
        let (mut doc, id) = cid_font_with(vec![int(5), int(6), Object::Name(b"x".to_vec())], None);
        normalize_cid_widths(&mut doc);
        assert_eq!(w_of(&doc, id), Vec::<Object>::new());
    }
}
