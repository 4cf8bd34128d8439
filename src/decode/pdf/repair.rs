//! Rebuilding a PDF whose cross-reference data is unusable (cut short, damaged offsets, a broken
//! trailer): one linear scan of the bytes for `N G obj` headers, as poppler, pdfminer and mutool
//! do, and a lopdf `Document` built object by object from what parses. lopdf itself has no
//! recovery mode (its loader fails on a bad `startxref` or xref table), and its object parser is
//! private, so dictionaries are parsed through its public object-stream reader (see
//! `parse_direct`).
//!
//! Bounded: the headers, `endstream` and `trailer` keywords are each found by one pass over the
//! bytes; every object is then read once between its header and the next one, so the work is
//! linear in the file size. Object streams inflate within the same limits as every other stream.

use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

use pdf_extract::{Dictionary, Document, Object, ObjectId, Stream};
use regex::bytes::Regex;

use crate::error::ExtractError;
use crate::limits::{Deadline, Limits};

/// What the rebuild found and lost, for the `damaged_document` warning.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepairReport {
    /// Objects read from the bytes by the scan.
    pub objects_recovered: usize,
    /// Object headers whose object could not be parsed.
    pub objects_skipped: usize,
    /// Streams whose data ended before `endstream` (cut short or overwritten): kept up to there.
    pub streams_cut: usize,
    /// The catalog or page tree was missing and was rebuilt from the page objects found.
    pub page_tree_rebuilt: bool,
    /// Page-tree entries whose page object is lost (the pages are left out).
    pub pages_lost: usize,
}

impl RepairReport {
    /// One sentence for the warning.
    pub fn describe(&self) -> String {
        let mut parts = vec![format!(
            "cross-reference rebuilt by scanning the file: {} object(s) recovered",
            self.objects_recovered
        )];
        if self.objects_skipped > 0 {
            parts.push(format!("{} unreadable object(s) skipped", self.objects_skipped));
        }
        if self.streams_cut > 0 {
            parts.push(format!("{} stream(s) cut short, kept up to the damage", self.streams_cut));
        }
        if self.page_tree_rebuilt {
            parts.push("page tree rebuilt from the page objects found".to_string());
        }
        if self.pages_lost > 0 {
            parts.push(format!("{} page(s) unreadable and left out", self.pages_lost));
        }
        parts.join("; ")
    }
}

fn header_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // Object number, generation, `obj`. The byte before the number is checked by the caller
    // (the regex crate has no look-behind).
    RE.get_or_init(|| Regex::new(r"(?-u)([0-9]{1,10})[\x00\t\n\x0C\r ]+([0-9]{1,5})[\x00\t\n\x0C\r ]+obj").unwrap())
}

fn is_pdf_whitespace(b: u8) -> bool {
    matches!(b, 0 | b'\t' | b'\n' | 0x0C | b'\r' | b' ')
}

fn is_delimiter(b: u8) -> bool {
    matches!(b, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

/// A found `N G obj` header: where the object's body starts.
struct Header {
    id: ObjectId,
    start: usize,
    body: usize,
}

fn find_headers(bytes: &[u8]) -> Vec<Header> {
    let mut out = Vec::new();
    for caps in header_regex().captures_iter(bytes) {
        let whole = caps.get(0).unwrap();
        let before_ok = whole.start() == 0 || {
            let b = bytes[whole.start() - 1];
            is_pdf_whitespace(b) || is_delimiter(b)
        };
        let after_ok = bytes.get(whole.end()).is_none_or(|&b| is_pdf_whitespace(b) || is_delimiter(b));
        if !before_ok || !after_ok {
            continue;
        }
        let num = std::str::from_utf8(&caps[1]).ok().and_then(|s| s.parse::<u32>().ok());
        let gen = std::str::from_utf8(&caps[2]).ok().and_then(|s| s.parse::<u16>().ok());
        if let (Some(num), Some(gen)) = (num, gen) {
            if num > 0 {
                out.push(Header { id: (num, gen), start: whole.start(), body: whole.end() });
            }
        }
    }
    out
}

/// Positions of every occurrence of `needle`, in order (one pass).
fn positions(bytes: &[u8], needle: &[u8]) -> Vec<usize> {
    let finder = regex::bytes::Regex::new(&regex::escape(std::str::from_utf8(needle).unwrap())).unwrap();
    finder.find_iter(bytes).map(|m| m.start()).collect()
}

/// lopdf's object parser is private; its object-stream reader is public and parses any direct
/// object (dictionary, array, …) at an offset. One object wrapped as a one-entry object stream.
pub(crate) fn parse_direct(bytes: &[u8]) -> Option<Object> {
    let mut content = b"1 0 ".to_vec();
    content.extend_from_slice(bytes);
    let mut dict = Dictionary::new();
    dict.set("Type", Object::Name(b"ObjStm".to_vec()));
    dict.set("N", 1);
    dict.set("First", 4);
    let mut stream = Stream::new(dict, content);
    let mut parsed = pdf_extract::ObjectStream::new(&mut stream).ok()?;
    parsed.objects.remove(&(1, 0))
}

/// Skips whitespace and comments.
fn skip_space(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() {
        if is_pdf_whitespace(bytes[i]) {
            i += 1;
        } else if bytes[i] == b'%' {
            while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                i += 1;
            }
        } else {
            break;
        }
    }
    i
}

fn find_in(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The `stream` keyword ending an object's dictionary (not `endstream`), within `body`.
fn stream_keyword(body: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(p) = find_in(&body[from..], b"stream") {
        let at = from + p;
        let after = body.get(at + 6).copied();
        let preceded_by_end = at >= 3 && &body[at - 3..at] == b"end";
        if !preceded_by_end && matches!(after, Some(b'\r') | Some(b'\n') | None) {
            return Some(at);
        }
        from = at + 6;
    }
    None
}

/// One object read from the scan: the object and whether it was whole.
struct Found {
    object: Object,
    complete: bool,
}

/// The document rebuilt from the bytes alone. `Err` when nothing usable is left (no page object).
pub fn rebuild(bytes: &[u8], limits: &Limits, deadline: &Deadline) -> Result<(Document, RepairReport), ExtractError> {
    let headers = find_headers(bytes);
    let endstreams = positions(bytes, b"endstream");
    let mut report = RepairReport::default();
    let mut found: BTreeMap<ObjectId, Found> = BTreeMap::new();
    let mut trailers: Vec<Dictionary> = Vec::new();

    let mut i = 0;
    while i < headers.len() {
        if i % 256 == 0 {
            deadline.check("PDF repair")?;
        }
        let h = &headers[i];
        let next = headers.get(i + 1).map_or(bytes.len(), |n| n.start);
        let body = &bytes[h.body..next];
        let mut skip_to = i + 1;
        let parsed = match stream_keyword(&body[..find_in(body, b"endobj").unwrap_or(body.len())]) {
            Some(kw) => {
                let dict = parse_direct(&body[..kw]).and_then(|o| o.as_dict().ok().cloned());
                let mut data_start = h.body + kw + 6;
                if bytes.get(data_start) == Some(&b'\r') {
                    data_start += 1;
                }
                if bytes.get(data_start) == Some(&b'\n') {
                    data_start += 1;
                }
                dict.map(|dict| {
                    let (data_end, complete) = stream_end(bytes, &dict, data_start, next, &endstreams);
                    // A stream whose own /Length is right may hold bytes that look like headers.
                    while skip_to < headers.len() && headers[skip_to].start < data_end {
                        skip_to += 1;
                    }
                    let end = data_end.max(data_start);
                    (Object::Stream(Stream::new(dict, bytes[data_start..end].to_vec())), complete)
                })
            }
            None => {
                let end = find_in(body, b"endobj");
                let text = &body[..end.unwrap_or(body.len())];
                parse_direct(text).map(|o| (o, end.is_some()))
            }
        };
        match parsed {
            Some((object, complete)) => {
                if let Object::Stream(s) = &object {
                    if !complete {
                        report.streams_cut += 1;
                    }
                    if s.dict.has_type(b"XRef") {
                        // An xref stream's dictionary is the trailer of its section.
                        trailers.push(s.dict.clone());
                        i = skip_to;
                        continue;
                    }
                }
                // Later copies win (incremental updates), unless only the earlier one is whole.
                let replace = found.get(&h.id).is_none_or(|old| complete || !old.complete);
                if replace {
                    found.insert(h.id, Found { object, complete });
                }
            }
            None => report.objects_skipped += 1,
        }
        i = skip_to;
    }

    for p in positions(bytes, b"trailer") {
        let at = skip_space(bytes, p + 7);
        if bytes[at..].starts_with(b"<<") {
            let end = (at + 4096).min(bytes.len());
            if let Some(Object::Dictionary(d)) = parse_direct(&bytes[at..end]) {
                trailers.push(d);
            }
        }
    }
    if trailers.iter().any(|t| t.get(b"Encrypt").is_ok()) {
        return Err(ExtractError::Truncated("an encrypted document with a damaged cross-reference table".into()));
    }

    let mut doc = Document::new();
    doc.version = version(bytes).to_string();
    let mut total_inflated: u64 = 0;
    let mut from_object_streams: Vec<(ObjectId, Object)> = Vec::new();
    for (id, f) in found {
        let mut object = f.object;
        if let Object::Stream(stream) = &mut object {
            if stream.dict.has_type(b"ObjStm") {
                if let Some(objects) = unpack_object_stream(stream, limits, &mut total_inflated)? {
                    from_object_streams.extend(objects);
                }
            }
        }
        doc.objects.insert(id, object);
    }
    report.objects_recovered = doc.objects.len();
    for (id, object) in from_object_streams {
        // As lopdf: an object written at the top level wins over a copy in an object stream.
        doc.objects.entry(id).or_insert(object);
    }
    doc.max_id = doc.objects.keys().map(|id| id.0).max().unwrap_or(0);

    let info = trailers.iter().rev().find_map(|t| t.get(b"Info").ok().cloned());
    let root = trailers
        .iter()
        .rev()
        .filter_map(|t| t.get(b"Root").and_then(Object::as_reference).ok())
        .find(|id| catalog_with_pages(&doc, *id))
        .or_else(|| {
            doc.objects
                .iter()
                .rev()
                .find(|(id, o)| o.as_dict().is_ok_and(|d| d.has_type(b"Catalog")) && catalog_with_pages(&doc, **id))
                .map(|(id, _)| *id)
        });
    let mut trailer = Dictionary::new();
    if let Some(info) = info {
        trailer.set("Info", info);
    }
    let (reachable, missing) = match root {
        Some(root) => walk_tree(&doc, root),
        None => (Vec::new(), 0),
    };
    let all_pages: Vec<ObjectId> = doc
        .objects
        .iter()
        .filter(|(_, o)| o.as_dict().is_ok_and(|d| d.has_type(b"Page")))
        .map(|(id, _)| *id)
        .collect();
    if all_pages.is_empty() {
        return Err(ExtractError::Truncated("no page object is readable".into()));
    }
    let orphans = all_pages.len() > reachable.len();
    match root {
        // The page tree reaches pages and nothing that was lost could have led elsewhere.
        Some(root) if !reachable.is_empty() && (missing == 0 || !orphans) => {
            trailer.set("Root", Object::Reference(root));
            report.pages_lost = missing;
        }
        _ => {
            let catalog = root.or_else(|| {
                doc.objects
                    .iter()
                    .rev()
                    .find(|(_, o)| o.as_dict().is_ok_and(|d| d.has_type(b"Catalog")))
                    .map(|(id, _)| *id)
            });
            let root = rebuild_page_tree(&mut doc, &all_pages, catalog);
            trailer.set("Root", Object::Reference(root));
            report.page_tree_rebuilt = true;
        }
    }
    trailer.set("Size", i64::from(doc.max_id) + 1);
    doc.trailer = trailer;
    Ok((doc, report))
}

/// Where a stream's data ends and whether `endstream` was found: the stream's own direct
/// /Length when `endstream` follows it, else the first `endstream` before the next object header,
/// else the next header or the end of the file (the stream was cut short).
fn stream_end(bytes: &[u8], dict: &Dictionary, data_start: usize, next: usize, endstreams: &[usize]) -> (usize, bool) {
    if let Ok(len) = dict.get(b"Length").and_then(Object::as_i64) {
        if len >= 0 {
            let end = data_start.saturating_add(len as usize);
            if end <= bytes.len() {
                let after = skip_space(bytes, end);
                if bytes[after..].starts_with(b"endstream") {
                    return (end, true);
                }
            }
        }
    }
    let k = endstreams.partition_point(|&p| p < data_start);
    match endstreams.get(k) {
        Some(&p) if p <= next => {
            let mut end = p;
            if end > data_start && bytes[end - 1] == b'\n' {
                end -= 1;
            }
            if end > data_start && bytes[end - 1] == b'\r' {
                end -= 1;
            }
            (end, true)
        }
        _ => (next, false),
    }
}

fn version(bytes: &[u8]) -> &str {
    let head = &bytes[..bytes.len().min(1024)];
    find_in(head, b"%PDF-")
        .and_then(|p| head.get(p + 5..p + 8))
        .and_then(|v| std::str::from_utf8(v).ok())
        .filter(|v| v.as_bytes()[0].is_ascii_digit())
        .unwrap_or("1.4")
}

/// An object stream's objects, inflated within the limits; a stream cut short gives the
/// objects that lie wholly in what inflated.
fn unpack_object_stream(
    stream: &mut Stream,
    limits: &Limits,
    total: &mut u64,
) -> Result<Option<Vec<(ObjectId, Object)>>, ExtractError> {
    let mut copy = stream.clone();
    if copy.filters().is_ok_and(|f| f.len() == 1 && (f[0] == b"FlateDecode" || f[0] == b"Fl")) {
        let (plain, _) = super::guard::inflate_bounded(&copy.content, limits, total)?;
        copy.set_plain_content(plain);
    } else if copy.dict.get(b"Filter").is_ok() {
        return Ok(None);
    }
    Ok(pdf_extract::ObjectStream::new(&mut copy).ok().map(|os| os.objects.into_iter().collect()))
}

fn catalog_with_pages(doc: &Document, id: ObjectId) -> bool {
    doc.get_dictionary(id)
        .ok()
        .and_then(|c| c.get(b"Pages").and_then(Object::as_reference).ok())
        .is_some_and(|p| doc.get_dictionary(p).is_ok())
}

/// The pages a catalog's tree reaches, and how many tree entries point at lost objects.
fn walk_tree(doc: &Document, root: ObjectId) -> (Vec<ObjectId>, usize) {
    let Some(pages_root) = doc
        .get_dictionary(root)
        .ok()
        .and_then(|c| c.get(b"Pages").and_then(Object::as_reference).ok())
    else {
        return (Vec::new(), 0);
    };
    let mut seen = HashSet::new();
    let mut stack = vec![pages_root];
    let mut pages = Vec::new();
    let mut missing = 0;
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        let Ok(node) = doc.get_dictionary(id) else {
            missing += 1;
            continue;
        };
        if node.has_type(b"Page") {
            pages.push(id);
        } else if let Ok(kids) = node.get(b"Kids").and_then(Object::as_array) {
            for kid in kids.iter().rev() {
                if let Ok(k) = kid.as_reference() {
                    stack.push(k);
                }
            }
        }
    }
    (pages, missing)
}

/// A flat page tree over every page object found, in object-number order (the order most
/// writers number pages in), under the catalog found or a new one. Attributes the pages
/// inherited from a parent still present are copied onto them first.
fn rebuild_page_tree(doc: &mut Document, pages: &[ObjectId], catalog: Option<ObjectId>) -> ObjectId {
    let pages_id = (doc.max_id + 1, 0);
    doc.max_id += 1;
    super::guard::hang_pages_under(doc, pages_id, pages);
    let mut node = Dictionary::new();
    node.set("Type", Object::Name(b"Pages".to_vec()));
    node.set("Kids", Object::Array(pages.iter().map(|&p| Object::Reference(p)).collect()));
    node.set("Count", pages.len() as i64);
    doc.objects.insert(pages_id, Object::Dictionary(node));
    match catalog.and_then(|c| doc.get_object_mut(c).and_then(Object::as_dict_mut).ok().map(|d| (c, d))) {
        Some((id, dict)) => {
            dict.set("Pages", Object::Reference(pages_id));
            id
        }
        None => {
            let id = (doc.max_id + 1, 0);
            doc.max_id += 1;
            let mut cat = Dictionary::new();
            cat.set("Type", Object::Name(b"Catalog".to_vec()));
            cat.set("Pages", Object::Reference(pages_id));
            doc.objects.insert(id, Object::Dictionary(cat));
            id
        }
    }
}

/// Whether a document lopdf loaded still needs the scan: an in-use cross-reference entry whose
/// object did not load (a damaged offset), or no catalog with a page tree.
pub fn needs_repair(doc: &Document) -> bool {
    use pdf_extract::xref::XrefEntry;
    let lost_entry = doc
        .reference_table
        .entries
        .iter()
        .any(|(&num, e)| matches!(e, XrefEntry::Normal { generation, .. } if !doc.objects.contains_key(&(num, *generation))));
    let root_ok = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .is_ok_and(|r| catalog_with_pages(doc, r));
    lost_entry || !root_ok
}

/// Joins a document lopdf loaded with the one the scan rebuilt. When the loaded one's catalog
/// and page tree are whole it stays the base and only gains the objects it lacks; otherwise the
/// rebuilt one (with its repaired page tree) is the base and gains what only lopdf read (objects
/// of streams the scan could not unpack). Returns how many objects the base gained and whether
/// the base is the rebuilt document.
pub fn merge(loaded: Document, rebuilt: Document) -> (Document, usize, bool) {
    let loaded_root_ok = loaded
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .is_ok_and(|r| catalog_with_pages(&loaded, r));
    let (mut base, other) = if loaded_root_ok { (loaded, rebuilt) } else { (rebuilt, loaded) };
    let mut added = 0;
    for (id, object) in other.objects {
        if let std::collections::btree_map::Entry::Vacant(slot) = base.objects.entry(id) {
            slot.insert(object);
            added += 1;
        }
    }
    base.max_id = base.max_id.max(other.max_id);
    (base, added, !loaded_root_ok)
}
