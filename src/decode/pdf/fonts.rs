//! Font fix-ups before pdf-extract sees the document. pdf-extract panics on Type0 fonts with a
//! predefined CMap other than Identity-H/V. The UCS-2 / UTF-16 ones (UniGB-UCS2-H and friends,
//! common in older Chinese producers) encode each character by its Unicode value, so they are
//! rewritten to Identity-H with an identity ToUnicode: same codes, same text. Other predefined
//! CMaps (GBK-EUC-H, B5pc-H …) are rewritten to Identity-H as well, keeping their ToUnicode:
//! their two-byte codes still decode through it, one-byte codes come out unreadable (counted
//! by the text-layer check) — the page keeps its other fonts' text instead of losing it all.

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
