//! Positioned glyphs from pdf-extract's output device, mapped onto the displayed page.

use pdf_extract::{ColorSpace, MediaBox, OutputDev, OutputError, Path, PathOp, Transform};

use super::geometry::{Affine, PageFrame};
use super::{Glyph, ShownString};

/// Share of the font size above the baseline that a glyph box covers (the rest is below it).
const ASCENT: f64 = 0.85;
const DESCENT: f64 = 0.15;

/// A glyph as pdf-extract reported it, in user space: baseline origin, advance and up vectors.
struct RawGlyph {
    ch: char,
    word: u32,
    origin: (f64, f64),
    adv: (f64, f64),
    up: (f64, f64),
}

/// Collects one page's glyphs. pdf-extract calls `begin_word` once per shown string, which lets
/// [`GlyphSink::finish`] attach the font and form transform the content walker recorded for it.
pub struct GlyphSink {
    frame: PageFrame,
    raw: Vec<RawGlyph>,
    word: u32,
}

impl GlyphSink {
    pub fn new(frame: PageFrame) -> Self {
        GlyphSink { frame, raw: Vec::new(), word: 0 }
    }

    /// Strings shown on the page.
    pub fn words(&self) -> u32 {
        self.word
    }

    /// Glyph boxes on the displayed page. With `strings` (one per shown string, aligned with
    /// pdf-extract's), each glyph gets its font and, inside Form XObjects, the form's transform.
    pub fn finish(self, strings: Option<&[ShownString]>) -> Vec<Glyph> {
        let mut out = Vec::with_capacity(self.raw.len());
        for g in &self.raw {
            let shown = strings.and_then(|s| s.get(g.word.saturating_sub(1) as usize));
            let base = shown.map(|s| s.base).unwrap_or(Affine::IDENTITY);
            let font = shown.map(|s| s.font).unwrap_or(0);
            let place = |x: f64, y: f64| {
                let (ux, uy) = base.apply(x, y);
                self.frame.to_display(ux, uy)
            };
            let o = place(g.origin.0, g.origin.1);
            let a = place(g.origin.0 + g.adv.0, g.origin.1 + g.adv.1);
            let u = place(g.origin.0 + g.up.0, g.origin.1 + g.up.1);
            let adv = (a.0 - o.0, a.1 - o.1);
            let up = (u.0 - o.0, u.1 - o.1);
            // The rendered font size is the length of the glyph's up vector.
            let up_len = (up.0 * up.0 + up.1 * up.1).sqrt();
            if !(up_len.is_finite() && o.0.is_finite() && o.1.is_finite() && adv.0.is_finite() && adv.1.is_finite()) || up_len <= 0.0 {
                continue;
            }
            let rotation = adv.1.atan2(adv.0).to_degrees();
            let mut x0 = f64::MAX;
            let mut x1 = f64::MIN;
            let mut y0 = f64::MAX;
            let mut y1 = f64::MIN;
            for (t, k) in [(0.0, -DESCENT), (1.0, -DESCENT), (0.0, ASCENT), (1.0, ASCENT)] {
                // `up` points towards the top of the glyph on the display (y down).
                let x = o.0 + adv.0 * t + up.0 * k;
                let y = o.1 + adv.1 * t + up.1 * k;
                x0 = x0.min(x);
                x1 = x1.max(x);
                y0 = y0.min(y);
                y1 = y1.max(y);
            }
            out.push(Glyph { ch: super::unify::unify(g.ch), x0, top: y0, x1, bottom: y1, size: up_len, font, rotation: rotation as f32 });
        }
        out
    }
}

impl OutputDev for GlyphSink {
    fn begin_page(&mut self, _page_num: u32, _media_box: &MediaBox, _art_box: Option<(f64, f64, f64, f64)>) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn output_character(&mut self, trm: &Transform, width: f64, _spacing: f64, font_size: f64, text: &str) -> Result<(), OutputError> {
        // Text rendering matrix: Trm = Tsm × Tm × CTM; the glyph's advance is width·font_size along
        // Trm's x axis and its height font_size along Trm's y axis.
        let origin = (trm.m31, trm.m32);
        let adv_len = if width > 0.0 { width } else { 0.5 } * font_size;
        let adv = (adv_len * trm.m11, adv_len * trm.m12);
        let up = (font_size * trm.m21, font_size * trm.m22);
        if text.chars().all(|c| c == ' ') && !text.is_empty() {
            // Spaces carry no ink; word gaps are measured from positions.
            return Ok(());
        }
        let mut chars = text.chars();
        let n = text.chars().count().max(1);
        // A ligature or multi-character mapping shares the advance; an unmapped code is kept as
        // U+FFFD so text-layer trust can count it.
        for i in 0..n {
            let ch = chars.next().unwrap_or('\u{FFFD}');
            let t = i as f64 / n as f64;
            self.raw.push(RawGlyph {
                ch,
                word: self.word,
                origin: (origin.0 + adv.0 * t, origin.1 + adv.1 * t),
                adv: (adv.0 / n as f64, adv.1 / n as f64),
                up,
            });
        }
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), OutputError> {
        self.word += 1;
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// The x of the one-point path stroked after each page when all pages share one pdf-extract run
/// (its y is the page number). A page that strokes exactly this is not a real document.
pub const PAGE_END_MARK_X: i64 = -31_415_926;

/// Collects the glyphs of several pages shown by one pdf-extract run, split where the
/// page-end marks are stroked.
pub struct DocumentSink {
    pages: Vec<GlyphSink>,
    /// Pages completed so far (marks seen in order).
    done: usize,
    /// Something arrived after the last page or a mark came out of order.
    misplaced: bool,
}

impl DocumentSink {
    pub fn new(frames: impl IntoIterator<Item = PageFrame>) -> Self {
        DocumentSink { pages: frames.into_iter().map(GlyphSink::new).collect(), done: 0, misplaced: false }
    }

    /// One sink per page when every page's mark came, in order; `None` otherwise.
    pub fn into_pages(self) -> Option<Vec<GlyphSink>> {
        (!self.misplaced && self.done == self.pages.len()).then_some(self.pages)
    }

    fn current(&mut self) -> Option<&mut GlyphSink> {
        let page = self.pages.get_mut(self.done);
        if page.is_none() {
            self.misplaced = true;
        }
        page
    }
}

impl OutputDev for DocumentSink {
    fn begin_page(&mut self, _page_num: u32, _media_box: &MediaBox, _art_box: Option<(f64, f64, f64, f64)>) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn output_character(&mut self, trm: &Transform, width: f64, spacing: f64, font_size: f64, text: &str) -> Result<(), OutputError> {
        match self.current() {
            Some(page) => page.output_character(trm, width, spacing, font_size, text),
            None => Ok(()),
        }
    }
    fn begin_word(&mut self) -> Result<(), OutputError> {
        match self.current() {
            Some(page) => page.begin_word(),
            None => Ok(()),
        }
    }
    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn stroke(&mut self, _ctm: &Transform, _colorspace: &ColorSpace, _color: &[f64], path: &Path) -> Result<(), OutputError> {
        if let [PathOp::MoveTo(x, y)] = path.ops.as_slice() {
            if *x == PAGE_END_MARK_X as f64 {
                if *y == (self.done + 1) as f64 {
                    self.done += 1;
                } else {
                    self.misplaced = true;
                }
            }
        }
        Ok(())
    }
}
