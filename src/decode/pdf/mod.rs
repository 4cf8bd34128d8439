//! PDF → pages of positioned glyphs and ruling lines. pdf-extract gives the glyphs; our own walker
//! over lopdf content operations gives the ruling lines (pdf-extract misses most painting ops),
//! the font of each shown string, and the Form XObject matrices pdf-extract ignores.

mod fonts;
pub mod geometry;
mod glyphs;
mod guard;
mod merged;
mod paths;
pub mod repair;
mod textops;
mod unify;

use std::panic::{catch_unwind, AssertUnwindSafe};

use pdf_extract::{Dictionary, Document, Object, ObjectId};

use crate::error::ExtractError;
use crate::limits::{Deadline, Limits};
use crate::model::Warning;

use geometry::{Affine, PageFrame};

/// A decoded PDF: what the layout stage needs, nothing of lopdf.
#[derive(Debug, Clone, Default)]
pub struct PdfDocument {
    pub page_count: u32,
    pub pages: Vec<Page>,
    pub warnings: Vec<Warning>,
}

/// One page in top-left-origin points, after /Rotate has been applied.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// 1-based.
    pub number: u32,
    pub width: f64,
    pub height: f64,
    /// Glyphs in content-stream order (not reading order).
    pub glyphs: Vec<Glyph>,
    /// Font names (`/BaseFont`, subset prefix removed); `Glyph::font` indexes here. Entry 0 is ""
    /// for glyphs whose font could not be attributed.
    pub fonts: Vec<String>,
    /// Axis-aligned ruling segments as drawn (stroked lines, rectangle edges, thin filled rectangles).
    pub rulings: Vec<Ruling>,
    /// Images painted on the page.
    pub images: usize,
}

/// One glyph on the displayed page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Glyph {
    pub ch: char,
    pub x0: f64,
    pub top: f64,
    pub x1: f64,
    pub bottom: f64,
    /// Rendered font size in points.
    pub size: f64,
    /// Index into `Page::fonts`.
    pub font: u16,
    /// Direction of the baseline on the displayed page in degrees (0 = left to right, 90 = top to
    /// bottom, -90 = bottom to top).
    pub rotation: f32,
}

impl Glyph {
    pub fn upright(&self) -> bool {
        self.rotation.abs() < 10.0
    }
    pub fn cx(&self) -> f64 {
        (self.x0 + self.x1) / 2.0
    }
    pub fn cy(&self) -> f64 {
        (self.top + self.bottom) / 2.0
    }
    /// Replacement, private-use or control characters: the text layer does not say what is printed.
    pub fn unreadable(&self) -> bool {
        let c = self.ch;
        c == '\u{FFFD}' || ('\u{E000}'..='\u{F8FF}').contains(&c) || (c.is_control() && !c.is_whitespace())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    Horizontal,
    Vertical,
}

/// An axis-aligned line segment: `pos` is y for horizontal lines and x for vertical ones,
/// `from..to` the extent along the line, all in display points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ruling {
    pub orientation: Orientation,
    pub pos: f64,
    pub from: f64,
    pub to: f64,
    pub width: f64,
}

/// A shared pdf-extract run takes consecutive pages until their content reaches this many bytes
/// or pages: its decoded operations take about 75 times the content's size in memory (≈ 19 MiB
/// at this bound), and each run builds its fonts once (≈ 6 ms for three CJK Type1 fonts).
const SHARED_RUN_BYTES: usize = 256 << 10;
const SHARED_RUN_PAGES: usize = 64;

/// A page whose share of unreadable glyphs is above this gets `low_text_quality`.
const LOW_QUALITY_SHARE: f64 = 0.05;

pub fn decode(bytes: &[u8], limits: &Limits, deadline: &Deadline) -> Result<PdfDocument, ExtractError> {
    let (mut doc, repair) = load(bytes, limits, deadline)?;
    let page_ids = guard::page_ids(&mut doc, limits.max_pages)?;
    let damaged_streams = guard::inflate_streams(&mut doc, limits)?;
    textops::expand_quote_operators(&mut doc, &page_ids);
    fonts::rewrite_predefined_cmaps(&mut doc);
    fonts::normalize_cid_widths(&mut doc);
    deadline.check("PDF loading")?;

    // Our walker first (rulings, fonts, what each page asks of pdf-extract), then pdf-extract's
    // glyphs: pages in chunks through one shared run each when they allow it, else page by page.
    // Chunks bound the memory a shared run holds (its joined content and decoded operations).
    let mut pages = Vec::with_capacity(page_ids.len());
    let mut failed_pages = Vec::new();
    let mut chunk: Vec<WalkedPage> = Vec::new();
    let mut chunk_bytes = 0usize;
    for (i, &id) in page_ids.iter().enumerate() {
        deadline.check("PDF page decoding")?;
        let part = walk_page(&doc, id, i as u32 + 1);
        chunk_bytes += part.content.len();
        chunk.push(part);
        if chunk_bytes >= SHARED_RUN_BYTES || chunk.len() >= SHARED_RUN_PAGES || i + 1 == page_ids.len() {
            for (page, text_ok) in glyph_chunk(&mut doc, std::mem::take(&mut chunk), page_ids.len() as u32, deadline)? {
                if !text_ok {
                    failed_pages.push(page.number);
                }
                pages.push(page);
            }
            chunk_bytes = 0;
        }
    }
    let mut warnings = Vec::new();
    let mut damage: Vec<String> = Vec::new();
    if let Some(report) = &repair {
        damage.push(report.describe());
    }
    if damaged_streams > 0 && repair.as_ref().is_none_or(|r| r.streams_cut == 0) {
        damage.push(format!("{damaged_streams} compressed stream(s) damaged, kept what inflated up to the damage"));
    }
    if repair.is_some() || damaged_streams > 0 {
        // Pages pdf-extract failed on, or left without a single glyph by the damage.
        let unreadable: Vec<u32> =
            pages.iter().filter(|p| failed_pages.contains(&p.number) || p.glyphs.is_empty()).map(|p| p.number).collect();
        if !unreadable.is_empty() {
            damage.push(format!("no text read from page(s) {}", list(&unreadable)));
        }
    }

    let mut readable_pages = 0;
    let mut low_quality = Vec::new();
    let mut image_only = Vec::new();
    for page in &pages {
        let total = page.glyphs.iter().filter(|g| !g.ch.is_whitespace()).count();
        let bad = page.glyphs.iter().filter(|g| g.unreadable()).count();
        if total > bad {
            readable_pages += 1;
        }
        if total > 0 && bad as f64 > LOW_QUALITY_SHARE * total as f64 {
            low_quality.push(page.number);
        } else if total == 0 && page.images > 0 {
            image_only.push(page.number);
        }
    }
    for &n in &failed_pages {
        if !low_quality.contains(&n) {
            low_quality.push(n);
        }
    }
    low_quality.sort_unstable();
    if readable_pages == 0 {
        if !damage.is_empty() {
            return Err(ExtractError::Truncated(format!("nothing readable is left: {}", damage.join("; "))));
        }
        let why = if !image_only.is_empty() {
            "every page is an image or has no text".to_string()
        } else if !low_quality.is_empty() {
            "the text uses fonts without a usable Unicode mapping".to_string()
        } else {
            "the document has no text".to_string()
        };
        return Err(ExtractError::NoTextLayer(why));
    }
    if !damage.is_empty() {
        warnings.push(Warning::new("damaged_document", damage.join("; ")));
    }
    if !low_quality.is_empty() {
        warnings.push(Warning::new(
            "low_text_quality",
            format!("unmapped, private-use or replacement characters on page(s) {}", list(&low_quality)),
        ));
    }
    if !image_only.is_empty() {
        warnings.push(Warning::new("image_only_page", format!("page(s) {} have images and no text", list(&image_only))));
    }
    Ok(PdfDocument { page_count: page_ids.len() as u32, pages, warnings })
}

fn list(pages: &[u32]) -> String {
    pages.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ")
}

/// lopdf's load, and the scan of `repair` when lopdf cannot load the file or loads it with
/// objects lost (damaged offsets) or without a page tree. The report is `Some` only when the
/// scan changed the document.
fn load(bytes: &[u8], limits: &Limits, deadline: &Deadline) -> Result<(Document, Option<repair::RepairReport>), ExtractError> {
    let mut doc = match Document::load_mem(bytes) {
        Ok(doc) => doc,
        Err(e) => {
            let unrecoverable = matches!(
                e,
                pdf_extract::Error::Decryption(_) | pdf_extract::Error::InvalidPassword | pdf_extract::Error::AlreadyEncrypted | pdf_extract::Error::Unimplemented(_)
            );
            if unrecoverable {
                return Err(load_error(bytes, e));
            }
            return match repair::rebuild(bytes, limits, deadline) {
                Ok((doc, report)) => Ok((doc, Some(report))),
                Err(ExtractError::Timeout(t)) => Err(ExtractError::Timeout(t)),
                Err(ExtractError::TooLarge(t)) => Err(ExtractError::TooLarge(t)),
                Err(why) => Err(match load_error(bytes, e) {
                    ExtractError::Truncated(m) => ExtractError::Truncated(format!("{m}; {why}")),
                    other => other,
                }),
            };
        }
    };
    if doc.is_encrypted() {
        // lopdf tries the empty user password while loading; a document still encrypted needs one.
        if doc.decrypt("").is_err() {
            return Err(ExtractError::Encrypted("the empty user password does not open it".into()));
        }
        return Ok((doc, None));
    }
    if !repair::needs_repair(&doc) {
        return Ok((doc, None));
    }
    match repair::rebuild(bytes, limits, deadline) {
        Ok((rebuilt, mut report)) => {
            let (doc, added, scan_is_base) = repair::merge(doc, rebuilt);
            if !scan_is_base {
                if added == 0 {
                    // The scan found nothing lopdf had not read: the document is as lopdf loaded it.
                    return Ok((doc, None));
                }
                report.objects_recovered = added;
            }
            Ok((doc, Some(report)))
        }
        Err(ExtractError::Timeout(t)) => Err(ExtractError::Timeout(t)),
        Err(ExtractError::TooLarge(t)) => Err(ExtractError::TooLarge(t)),
        // Nothing better from the scan: keep what lopdf read.
        Err(_) => Ok((doc, None)),
    }
}

fn load_error(bytes: &[u8], e: pdf_extract::Error) -> ExtractError {
    use pdf_extract::Error as E;
    match e {
        E::Decryption(_) | E::InvalidPassword | E::AlreadyEncrypted => ExtractError::Encrypted(e.to_string()),
        E::Unimplemented(what) => ExtractError::Unsupported(what.to_string()),
        _ => {
            let tail = &bytes[bytes.len().saturating_sub(1024)..];
            if tail.windows(5).any(|w| w == b"%%EOF") {
                ExtractError::Truncated(format!("damaged PDF: {e}"))
            } else {
                ExtractError::Truncated(format!("the file ends early (no %%EOF): {e}"))
            }
        }
    }
}

/// Follows `/Parent` for an inheritable page attribute.
pub(crate) fn inherited<'a>(doc: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut dict = page;
    for _ in 0..64 {
        if let Ok(v) = dict.get(key) {
            return doc.dereference(v).ok().map(|(_, o)| o);
        }
        let parent = dict.get(b"Parent").ok()?.as_reference().ok()?;
        dict = doc.get_dictionary(parent).ok()?;
    }
    None
}

fn page_frame(doc: &Document, page: &Dictionary) -> PageFrame {
    let media_box = inherited(doc, page, b"MediaBox")
        .and_then(|o| o.as_array().ok())
        .and_then(|a| {
            let v: Vec<f64> = a
                .iter()
                .filter_map(|o| doc.dereference(o).ok().map(|(_, o)| o))
                .filter_map(|o| match o {
                    Object::Integer(i) => Some(*i as f64),
                    Object::Real(r) => Some(*r as f64),
                    _ => None,
                })
                .collect();
            (v.len() == 4).then(|| [v[0], v[1], v[2], v[3]])
        })
        .unwrap_or([0.0, 0.0, 612.0, 792.0]);
    let rotate = inherited(doc, page, b"Rotate").and_then(|o| o.as_i64().ok()).unwrap_or(0);
    PageFrame::new(media_box, rotate)
}

/// A page after our own walk over its content, before pdf-extract's glyphs.
struct WalkedPage {
    id: ObjectId,
    number: u32,
    /// `None` when the page object is not a dictionary (the page comes out empty).
    frame: Option<PageFrame>,
    content: Vec<u8>,
    drawing: paths::PageDrawing,
}

/// pdf-extract's glyphs for walked pages: one shared run when they qualify, else page by page.
fn glyph_chunk(doc: &mut Document, chunk: Vec<WalkedPage>, page_count: u32, deadline: &Deadline) -> Result<Vec<(Page, bool)>, ExtractError> {
    let inputs: Vec<merged::PageInput> = chunk
        .iter()
        .filter_map(|p| Some(merged::PageInput { id: p.id, frame: p.frame?, content: &p.content, interp: &p.drawing.interp }))
        .collect();
    let shared = if inputs.len() == chunk.len() { merged::run(doc, &inputs, page_count) } else { None };
    drop(inputs);
    let mut out = Vec::with_capacity(chunk.len());
    match shared {
        Some(sinks) => {
            for (part, sink) in chunk.into_iter().zip(sinks) {
                out.push((finish_page(part, sink), true));
            }
        }
        None => {
            for part in chunk {
                deadline.check("PDF page decoding")?;
                out.push(decode_page(doc, part));
            }
        }
    }
    Ok(out)
}

/// Rulings and fonts from our walker over the page's content.
fn walk_page(doc: &Document, id: ObjectId, number: u32) -> WalkedPage {
    let Ok(dict) = doc.get_dictionary(id) else {
        return WalkedPage { id, number, frame: None, content: Vec::new(), drawing: paths::PageDrawing::default() };
    };
    let frame = page_frame(doc, dict);
    let resources = inherited(doc, dict, b"Resources").and_then(|o| o.as_dict().ok());
    let content = doc.get_page_content(id).unwrap_or_default();
    let drawing = paths::page_drawing(doc, &content, resources, frame);
    WalkedPage { id, number, frame: Some(frame), content, drawing }
}

/// One page on its own through pdf-extract. The bool is false when pdf-extract could not read the
/// page's text (it panicked or failed), which the caller reports.
fn decode_page(doc: &Document, part: WalkedPage) -> (Page, bool) {
    let Some(frame) = part.frame else {
        return (Page { number: part.number, width: 612.0, height: 792.0, ..Page::default() }, false);
    };
    let mut sink = glyphs::GlyphSink::new(frame);
    // pdf-extract panics on some fonts and damaged streams: lose this page's text, not the document.
    let text_ok = matches!(
        catch_unwind(AssertUnwindSafe(|| pdf_extract::output_doc_page(doc, &mut sink, part.number))),
        Ok(Ok(()))
    );
    (finish_page(part, sink), text_ok)
}

/// Glyphs from pdf-extract joined with our walker's fonts and form transforms.
fn finish_page(part: WalkedPage, sink: glyphs::GlyphSink) -> Page {
    let frame = part.frame.unwrap_or(PageFrame::new([0.0, 0.0, 612.0, 792.0], 0));
    let (width, height) = frame.display_size();
    let drawing = part.drawing;
    let aligned = sink.words() as usize == drawing.strings.len();
    let mut glyphs = sink.finish(if aligned { Some(&drawing.strings) } else { None });
    if !aligned {
        for g in &mut glyphs {
            g.font = 0;
        }
    }
    Page {
        number: part.number,
        width,
        height,
        glyphs,
        fonts: drawing.fonts,
        rulings: drawing.rulings,
        images: drawing.images,
    }
}

/// The transform a shown string's glyph positions still need: pdf-extract runs Form XObjects
/// with a fresh CTM, so their text lands where the form's Matrix × CTM says only after this.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ShownString {
    pub font: u16,
    pub base: Affine,
}
