//! All pages through ONE pdf-extract run, for speed. pdf-extract builds each font afresh on every
//! page it interprets (its font cache is cleared per page), and building a font parses its
//! embedded Type1 program and its ToUnicode CMap with slow parser combinators: on table-heavy
//! documents that was three quarters of our CPU. Here the pages' content streams are joined into
//! the content of one synthetic page whose resources are the union of theirs, so each font is
//! built once per document. Between pages the join restores a fresh interpreter state and
//! strokes a one-point "page end" mark that tells the glyph sink where each page stops.
//!
//! The shared run must give each page exactly the glyphs its own run would. It is attempted
//! only when nothing in pdf-extract's interpretation of a page depends on which page it is:
//! - every name the page looks up (`Tf`, `gs`, `cs`/`CS`) resolves in its own resources, and a
//!   name means the same object on every page (pdf-extract caches fonts by name);
//! - no XObjects (pdf-extract runs forms, and even images, as content with inherited resources
//!   and the by-name font cache), no `Q` below the page's starting state (the page's own run
//!   ignores it; the shared run would restore the previous page's state);
//! - the page's MediaBox, ArtBox and Resources are read by pdf-extract without panicking.
//!
//! Anything else, a panic, an error or a missing mark, and the caller runs pages one by one as
//! before, so one bad page still loses only its own text. The trade-offs: pages whose shared run
//! panics are interpreted twice; the decode deadline is checked between chunks of pages (see
//! `SHARED_RUN_BYTES`) rather than between pages; a chunk's decoded operations are held at once
//! (peak memory grows by up to ~20 MiB).

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use pdf_extract::{Dictionary, Document, Object, ObjectId, Stream};

use super::geometry::PageFrame;
use super::glyphs::{DocumentSink, GlyphSink, PAGE_END_MARK_X};
use super::paths::{InterpreterUse, ResourceKind};

/// A page as the shared run needs it.
pub struct PageInput<'a> {
    pub id: ObjectId,
    pub frame: PageFrame,
    /// `Document::get_page_content`: the bytes pdf-extract would interpret for this page.
    pub content: &'a [u8],
    pub interp: &'a InterpreterUse,
}

/// Each page's glyph sink, filled by one pdf-extract run; `None` when the pages do not qualify or
/// the run did not complete cleanly (the caller then runs them one by one). `page_count` is the
/// document's number of pages: the synthetic page comes after them.
pub fn run(doc: &mut Document, pages: &[PageInput], page_count: u32) -> Option<Vec<GlyphSink>> {
    if pages.len() < 2 {
        return None;
    }
    let resources = shared_resources(doc, pages)?;
    let content = joined_content(pages);
    let synthetic = Synthetic::add(doc, resources, content)?;
    let mut sink = DocumentSink::new(pages.iter().map(|p| p.frame));
    let result = if doc.get_pages().get(&(page_count + 1)) == Some(&synthetic.page) {
        let doc_ref: &Document = doc;
        catch_unwind(AssertUnwindSafe(|| pdf_extract::output_doc_page(doc_ref, &mut sink, page_count + 1)))
    } else {
        Ok(Err(pdf_extract::OutputError::FormatError(std::fmt::Error)))
    };
    synthetic.remove(doc);
    match result {
        Ok(Ok(())) => sink.into_pages(),
        _ => None,
    }
}

/// The union of the resources the pages look up, or `None` when a page's lookups could go
/// differently in the shared run.
fn shared_resources(doc: &Document, pages: &[PageInput]) -> Option<Dictionary> {
    let mut by_name: HashMap<(ResourceKind, &[u8]), &Object> = HashMap::new();
    for page in pages {
        let i = page.interp;
        if !i.decoded || i.truncated || i.paints_xobjects || i.restore_underflow {
            return None;
        }
        let dict = doc.get_dictionary(page.id).ok()?;
        if !reads_boxes(doc, dict) {
            return None;
        }
        let resources = resources_as_pdf_extract_reads_them(doc, dict)?;
        for (kind, name) in &i.lookups {
            let category = resources?.get(kind.key()).ok().and_then(|o| deref(doc, o)).and_then(|o| o.as_dict().ok())?;
            let entry = category.get(name).ok()?;
            let target = deref(doc, entry)?;
            if *kind != ResourceKind::ColorSpace && target.as_dict().is_err() {
                return None;
            }
            match by_name.get(&(*kind, name.as_slice())) {
                Some(seen) if *seen != entry => return None,
                Some(_) => {}
                None => {
                    by_name.insert((*kind, name.as_slice()), entry);
                }
            }
        }
    }
    let mut categories: HashMap<ResourceKind, Dictionary> = HashMap::new();
    for ((kind, name), entry) in by_name {
        categories.entry(kind).or_default().set(name.to_vec(), entry.clone());
    }
    let mut resources = Dictionary::new();
    for (kind, dict) in categories {
        resources.set(kind.key().to_vec(), Object::Dictionary(dict));
    }
    Some(resources)
}

fn deref<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Object> {
    match o {
        Object::Reference(id) => doc.get_object(*id).ok(),
        _ => Some(o),
    }
}

/// pdf-extract's `get_inherited` for Resources: the first ancestor-or-self whose entry is a
/// dictionary, skipping entries of other types. `Some(None)`: no resources (it uses an empty
/// dictionary); `None`: a dangling reference, which panics in pdf-extract.
fn resources_as_pdf_extract_reads_them<'a>(doc: &'a Document, page: &'a Dictionary) -> Option<Option<&'a Dictionary>> {
    let mut dict = page;
    for _ in 0..64 {
        if let Ok(v) = dict.get(b"Resources") {
            if let Ok(d) = deref(doc, v)?.as_dict() {
                return Some(Some(d));
            }
        }
        let Ok(parent) = dict.get(b"Parent").and_then(Object::as_reference) else { return Some(None) };
        let Ok(next) = doc.get_dictionary(parent) else { return Some(None) };
        dict = next;
    }
    None
}

/// Whether pdf-extract reads this page's MediaBox (inherited) and ArtBox without panicking: both
/// arrays of at least four direct numbers. Its own run panics otherwise; the shared run would not.
fn reads_boxes(doc: &Document, page: &Dictionary) -> bool {
    let numbers = |o: &Object| match deref(doc, o).map(Object::as_array) {
        Some(Ok(a)) => a.len() >= 4 && a.iter().all(|x| matches!(x, Object::Integer(_) | Object::Real(_))),
        _ => false,
    };
    if let Ok(art) = page.get(b"ArtBox") {
        if !numbers(art) {
            return false;
        }
    }
    let mut dict = page;
    for _ in 0..64 {
        if let Ok(v) = dict.get(b"MediaBox") {
            return numbers(v);
        }
        let Some(parent) = dict.get(b"Parent").and_then(Object::as_reference).ok().and_then(|p| doc.get_dictionary(p).ok()) else {
            return false;
        };
        dict = parent;
    }
    false
}

/// Each page wrapped in `q … Q` (plus a `Q` for every `q` it leaves open) so the next starts from
/// the initial graphics and text state; `n` drops a pending path, `BT ET` resets the text line
/// matrix (kept outside the graphics state), and the page-end mark follows.
fn joined_content(pages: &[PageInput]) -> Vec<u8> {
    let total: usize = pages.iter().map(|p| p.content.len() + 64).sum();
    let mut out = Vec::with_capacity(total);
    for (i, page) in pages.iter().enumerate() {
        out.extend_from_slice(b"q\n");
        out.extend_from_slice(page.content);
        out.push(b'\n');
        for _ in 0..=page.interp.open_saves {
            out.extend_from_slice(b"Q\n");
        }
        out.extend_from_slice(format!("n BT ET {} {} m S\n", PAGE_END_MARK_X, i + 1).as_bytes());
    }
    out
}

/// The synthetic last page added to the page tree for the shared run, and what it replaced.
struct Synthetic {
    root: ObjectId,
    page: ObjectId,
    content: ObjectId,
    count: Option<Object>,
}

impl Synthetic {
    fn add(doc: &mut Document, resources: Dictionary, content: Vec<u8>) -> Option<Synthetic> {
        // New objects take the next ids; a hostile file can have used them all.
        if doc.max_id > u32::MAX - 2 {
            return None;
        }
        let root = doc.catalog().ok()?.get(b"Pages").ok()?.as_reference().ok()?;
        // Only a direct /Kids array can take the page (after `guard::page_ids` it always is one
        // for flattened trees; others are left alone).
        doc.get_dictionary(root).ok()?.get(b"Kids").ok()?.as_array().ok()?;
        let content = doc.add_object(Object::Stream(Stream::new(Dictionary::new(), content)));
        let mut page = Dictionary::new();
        page.set("Type", Object::Name(b"Page".to_vec()));
        page.set("Parent", Object::Reference(root));
        page.set("MediaBox", Object::Array([0, 0, 612, 792].into_iter().map(Object::Integer).collect()));
        page.set("Resources", Object::Dictionary(resources));
        page.set("Contents", Object::Reference(content));
        let page = doc.add_object(Object::Dictionary(page));
        let node = doc.get_object_mut(root).ok()?.as_dict_mut().ok()?;
        let count = node.get(b"Count").ok().cloned();
        if let Ok(Object::Array(kids)) = node.get_mut(b"Kids") {
            kids.push(Object::Reference(page));
        }
        let n = count.as_ref().and_then(|c| c.as_i64().ok()).unwrap_or(0);
        node.set("Count", n + 1);
        Some(Synthetic { root, page, content, count })
    }

    fn remove(self, doc: &mut Document) {
        if let Ok(node) = doc.get_object_mut(self.root).and_then(Object::as_dict_mut) {
            if let Ok(Object::Array(kids)) = node.get_mut(b"Kids") {
                if kids.last() == Some(&Object::Reference(self.page)) {
                    kids.pop();
                }
            }
            match self.count {
                Some(c) => node.set("Count", c),
                None => {
                    node.remove(b"Count");
                }
            }
        }
        doc.objects.remove(&self.page);
        doc.objects.remove(&self.content);
    }
}

#[cfg(test)]
pub(super) mod tests {
    use std::time::Duration;

    use pdf_extract::{dictionary, Dictionary, Document, Object, Stream};

    use super::super::{decode_page, finish_page, walk_page, Glyph};
    use crate::limits::{Deadline, Limits};

    /// A document with one page per (content, base font of its `/F1`); pages naming the same
    /// base font share one font object, as producers do.
    pub(crate) fn document(pages: &[(&str, &str)]) -> Document {
        let mut doc = Document::with_version("1.5");
        let root = doc.new_object_id();
        let mut kids = Vec::new();
        let mut fonts = std::collections::HashMap::new();
        for (content, font) in pages {
            let font = *fonts.entry(*font).or_insert_with(|| {
                doc.add_object(dictionary! {
                    "Type" => "Font", "Subtype" => "Type1", "BaseFont" => Object::Name(font.as_bytes().to_vec()),
                })
            });
            let content = doc.add_object(Stream::new(Dictionary::new(), content.as_bytes().to_vec()));
            let page = doc.add_object(dictionary! {
                "Type" => "Page",
                "Parent" => root,
                "MediaBox" => vec![0.into(), 0.into(), 600.into(), 800.into()],
                "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
                "Contents" => content,
            });
            kids.push(Object::Reference(page));
        }
        let count = kids.len() as i64;
        doc.objects.insert(root, Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }));
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => root });
        doc.trailer.set("Root", catalog);
        doc
    }

    /// Each page's glyphs as its own pdf-extract run gives them (the behaviour to keep).
    fn one_by_one(doc: &Document) -> Vec<Vec<Glyph>> {
        let ids: Vec<_> = doc.get_pages().into_values().collect();
        ids.iter().enumerate().map(|(i, &id)| decode_page(doc, walk_page(doc, id, i as u32 + 1)).0.glyphs).collect()
    }

    fn shared(doc: &mut Document) -> Option<Vec<Vec<Glyph>>> {
        let ids: Vec<_> = doc.get_pages().into_values().collect();
        let parts: Vec<_> = ids.iter().enumerate().map(|(i, &id)| walk_page(doc, id, i as u32 + 1)).collect();
        let inputs: Vec<_> = parts
            .iter()
            .map(|p| super::PageInput { id: p.id, frame: p.frame.unwrap(), content: &p.content, interp: &p.drawing.interp })
            .collect();
        let sinks = super::run(doc, &inputs, ids.len() as u32)?;
        drop(inputs);
        Some(parts.into_iter().zip(sinks).map(|(part, sink)| finish_page(part, sink).glyphs).collect())
    }

    fn text(glyphs: &[Glyph]) -> String {
        glyphs.iter().map(|g| g.ch).collect()
    }

    #[test]
    fn shared_run_gives_each_page_its_own_glyphs_from_a_fresh_state() {
        // Page 1 leaves a `q` open with a translation, a font size and character spacing set,
        // and a path pending; page 2 must still start from the initial state.
        let mut doc = document(&[
            ("q 1 0 0 1 100 50 cm 0 0 m 5 5 l BT /F1 20 Tf 3 Tc 10 700 Td (Ab) Tj ET", "Helvetica"),
            ("BT /F1 12 Tf 72 600 Td (Cd) Tj 0 -14 Td [(E) -200 (f)] TJ ET", "Helvetica"),
            ("BT /F1 9 Tf 1 0 0 1 40 40 Tm (Gh) Tj ET", "Helvetica"),
        ]);
        let expected = one_by_one(&doc);
        assert_eq!(expected.iter().map(|g| text(g)).collect::<Vec<_>>(), ["Ab", "CdEf", "Gh"]);
        let pages_before = doc.get_pages().len();
        let got = shared(&mut doc).expect("these pages qualify for a shared run");
        assert_eq!(got, expected);
        // Page 2's first glyph sits where its own Td put it: 72 pt from the left, not shifted by page 1's cm.
        assert!((got[1][0].x0 - 72.0).abs() < 1e-6);
        // The synthetic page is gone again.
        assert_eq!(doc.get_pages().len(), pages_before);
    }

    #[test]
    fn pages_that_depend_on_their_own_run_are_not_shared() {
        // A `Q` below the page's starting state is ignored by its own run.
        let mut doc = document(&[("BT /F1 12 Tf 72 600 Td (Ab) Tj ET", "Helvetica"), ("Q BT /F1 12 Tf 72 600 Td (Cd) Tj ET", "Helvetica")]);
        assert!(shared(&mut doc).is_none());
        // The same resource name meaning different fonts on two pages (pdf-extract caches by name).
        let mut doc = document(&[("BT /F1 12 Tf 72 600 Td (Ab) Tj ET", "Helvetica"), ("BT /F1 12 Tf 72 600 Td (Cd) Tj ET", "Courier")]);
        assert!(shared(&mut doc).is_none());
        // A name missing from the page's own resources (its own run panics on it).
        let mut doc = document(&[("BT /F1 12 Tf 72 600 Td (Ab) Tj ET", "Helvetica"), ("BT /F2 12 Tf 72 600 Td (Cd) Tj ET", "Helvetica")]);
        assert!(shared(&mut doc).is_none());
        // XObjects.
        let mut doc = document(&[("BT /F1 12 Tf 72 600 Td (Ab) Tj ET", "Helvetica"), ("/Im0 Do", "Helvetica")]);
        assert!(shared(&mut doc).is_none());
    }

    #[test]
    fn a_panicking_page_loses_only_its_own_text() {
        // `Tj` with a number panics inside pdf-extract: the shared run fails, pages run one by one.
        let mut doc = document(&[
            ("BT /F1 12 Tf 72 600 Td (Ab) Tj ET", "Helvetica"),
            ("BT /F1 12 Tf 72 600 Td 5 Tj ET", "Helvetica"),
            ("BT /F1 12 Tf 72 600 Td (Ef) Tj ET", "Helvetica"),
        ]);
        assert!(shared(&mut doc).is_none());
        let mut bytes = Vec::new();
        doc.save_to(&mut bytes).unwrap();
        let decoded = super::super::decode(&bytes, &Limits::default(), &Deadline::start(Duration::from_secs(60))).unwrap();
        let texts: Vec<String> = decoded.pages.iter().map(|p| text(&p.glyphs)).collect();
        assert_eq!(texts, ["Ab", "", "Ef"]);
        assert!(decoded.warnings.iter().any(|w| w.code == "low_text_quality"));
    }
}
