//! Ruling lines from a page's drawing operations. pdf-extract reports only `S`, `f` and `F`, drops
//! line widths and ignores Form XObject matrices, so we walk the content operations ourselves:
//! q/Q, cm, w, colours, path construction, every painting operator, and Form XObjects with their
//! /Matrix. Stroked axis-aligned segments and thin filled rectangles become [`Ruling`]s.

use std::collections::HashSet;

use pdf_extract::content::Content;
use pdf_extract::{Dictionary, Document, Object, ObjectId};

use super::geometry::{Affine, PageFrame};
use super::{Orientation, Ruling, ShownString};

/// A filled rectangle at most this thick (points) is a line, not a shaded area.
const THIN_FILL: f64 = 3.0;
/// A stroked edge whose ends differ by less than this across its direction is axis-aligned.
const AXIS_TOLERANCE: f64 = 0.6;
/// Nested Form XObjects deeper than this are not followed (real documents use 1–3 levels).
const MAX_FORM_DEPTH: usize = 12;

/// What the walker found on a page.
#[derive(Debug, Default)]
pub struct PageDrawing {
    pub rulings: Vec<Ruling>,
    /// Images painted (XObject images and inline images): an image-only page has these and no text.
    pub images: usize,
    /// Font names, index 0 = unknown.
    pub fonts: Vec<String>,
    /// Every string shown by `Tj` / `TJ`, in the order pdf-extract reports them.
    pub strings: Vec<ShownString>,
    /// What the page's own content stream (not its forms) asks of pdf-extract's interpreter:
    /// whether it can share one run with the other pages (see `merged`).
    pub interp: InterpreterUse,
}

/// Resource lookups and graphics-state balance of a page's top-level content, as pdf-extract's
/// interpreter will see them.
#[derive(Debug, Default)]
pub struct InterpreterUse {
    /// `Content::decode` read the stream.
    pub decoded: bool,
    /// The walk stopped early (operation budget): the facts below are incomplete.
    pub truncated: bool,
    /// `Do` or an inline image: pdf-extract interprets XObjects (even images) as content with
    /// the page's resources, which a shared run could not reproduce exactly.
    pub paints_xobjects: bool,
    /// A `Q` without a matching `q`.
    pub restore_underflow: bool,
    /// `q` left open at the end of the stream.
    pub open_saves: usize,
    /// Names looked up by `Tf`, `gs`, `cs` / `CS` (device colour spaces excluded), in order.
    pub lookups: Vec<(ResourceKind, Vec<u8>)>,
}

/// The resource categories pdf-extract looks names up in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    Font,
    ExtGState,
    ColorSpace,
}

impl ResourceKind {
    pub fn key(self) -> &'static [u8] {
        match self {
            ResourceKind::Font => b"Font",
            ResourceKind::ExtGState => b"ExtGState",
            ResourceKind::ColorSpace => b"ColorSpace",
        }
    }
}

#[derive(Clone, Copy)]
struct GraphicsState {
    ctm: Affine,
    line_width: f64,
    stroke_invisible: bool,
    fill_invisible: bool,
    stroke_space: Space,
    fill_space: Space,
    font: u16,
}

#[derive(Clone, Copy)]
enum Edge {
    Move(f64, f64),
    Line(f64, f64),
    Curve(f64, f64),
}

struct Walker<'a> {
    doc: &'a Document,
    frame: PageFrame,
    out: PageDrawing,
    /// Form XObjects on the current stack, so a form that draws itself is not followed forever.
    forms_open: HashSet<ObjectId>,
    ops_budget: usize,
}

/// Walks the page's content (and forms it paints) and returns its rulings in display coordinates.
pub fn page_drawing(doc: &Document, content: &[u8], resources: Option<&Dictionary>, frame: PageFrame) -> PageDrawing {
    let out = PageDrawing { fonts: vec![String::new()], ..PageDrawing::default() };
    let mut walker = Walker { doc, frame, out, forms_open: HashSet::new(), ops_budget: 5_000_000 };
    let gs = GraphicsState { ctm: Affine::IDENTITY, line_width: 1.0, stroke_invisible: false, fill_invisible: false, stroke_space: Space::Additive, fill_space: Space::Additive, font: 0 };
    walker.run(content, resources, gs, 0);
    walker.out
}

fn num(o: &Object) -> Option<f64> {
    match o {
        Object::Integer(i) => Some(*i as f64),
        // lopdf keeps reals as f32: round to 1/1000 pt so 0.1-style values do not drift.
        Object::Real(r) => Some(((*r as f64) * 1000.0).round() / 1000.0),
        _ => None,
    }
}

fn nums<const N: usize>(ops: &[Object]) -> Option<[f64; N]> {
    if ops.len() < N {
        return None;
    }
    let mut out = [0.0; N];
    for (slot, o) in out.iter_mut().zip(&ops[ops.len() - N..]) {
        *slot = num(o)?;
    }
    Some(out)
}

/// How colour components of a colour space read: white is all-ones in gray and RGB, all-zeros
/// in CMYK and in tint spaces (Separation / DeviceN: 1 is full ink).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Space {
    Additive,
    Subtractive,
    /// Patterns, indexed spaces: never taken as white.
    Other,
}

/// Whether colour components paint (nearly) white: white borders are invisible and not rulings.
fn is_white(space: Space, comps: &[f64]) -> bool {
    if comps.is_empty() {
        return false;
    }
    match space {
        Space::Additive => comps.iter().all(|&c| c >= 0.97),
        Space::Subtractive => comps.iter().all(|&c| c <= 0.03),
        Space::Other => false,
    }
}

impl<'a> Walker<'a> {
    fn run(&mut self, content: &[u8], resources: Option<&'a Dictionary>, mut gs: GraphicsState, depth: usize) {
        let Ok(content) = Content::decode(content) else { return };
        let top = depth == 0;
        if top {
            self.out.interp.decoded = true;
        }
        let mut saves = 0usize;
        // pdf-extract starts every form with a fresh CTM: its glyphs need the form's CTM afterwards.
        let base = if depth == 0 { Affine::IDENTITY } else { gs.ctm };
        let mut stack: Vec<GraphicsState> = Vec::new();
        let mut path: Vec<Edge> = Vec::new();
        let mut rects: Vec<[(f64, f64); 4]> = Vec::new();
        for op in &content.operations {
            if self.ops_budget == 0 {
                self.out.interp.truncated = true;
                return;
            }
            self.ops_budget -= 1;
            let o = &op.operands;
            if top {
                self.note_interpreter_use(&op.operator, o, &mut saves);
            }
            match op.operator.as_str() {
                "q" => stack.push(gs),
                "Q" => {
                    if let Some(prev) = stack.pop() {
                        gs = prev;
                    }
                }
                "cm" => {
                    if let Some(m) = nums::<6>(o) {
                        gs.ctm = Affine(m).then(&gs.ctm);
                    }
                }
                "w" => {
                    if let Some([w]) = nums::<1>(o) {
                        gs.line_width = w.abs();
                    }
                }
                "G" | "RG" | "K" | "SC" | "SCN" | "g" | "rg" | "k" | "sc" | "scn" => {
                    let comps: Vec<f64> = o.iter().filter_map(num).collect();
                    let operator = op.operator.as_str();
                    let stroking = operator.chars().next().is_some_and(|c| c.is_ascii_uppercase());
                    let space = match operator {
                        "G" | "g" | "RG" | "rg" => Space::Additive,
                        "K" | "k" => Space::Subtractive,
                        _ if stroking => gs.stroke_space,
                        _ => gs.fill_space,
                    };
                    if stroking {
                        gs.stroke_space = space;
                        gs.stroke_invisible = is_white(space, &comps);
                    } else {
                        gs.fill_space = space;
                        gs.fill_invisible = is_white(space, &comps);
                    }
                }
                "CS" | "cs" => {
                    let space = o.first().and_then(|n| n.as_name().ok()).map_or(Space::Other, |n| self.colour_space(n, resources));
                    if op.operator == "CS" {
                        gs.stroke_space = space;
                        gs.stroke_invisible = false;
                    } else {
                        gs.fill_space = space;
                        gs.fill_invisible = false;
                    }
                }
                "m" => {
                    if let Some([x, y]) = nums::<2>(o) {
                        let (x, y) = gs.ctm.apply(x, y);
                        path.push(Edge::Move(x, y));
                    }
                }
                "l" => {
                    if let Some([x, y]) = nums::<2>(o) {
                        let (x, y) = gs.ctm.apply(x, y);
                        path.push(Edge::Line(x, y));
                    }
                }
                "c" => {
                    if let Some([_, _, _, _, x, y]) = nums::<6>(o) {
                        let (x, y) = gs.ctm.apply(x, y);
                        path.push(Edge::Curve(x, y));
                    }
                }
                "v" | "y" => {
                    if let Some([_, _, x, y]) = nums::<4>(o) {
                        let (x, y) = gs.ctm.apply(x, y);
                        path.push(Edge::Curve(x, y));
                    }
                }
                "h" => {
                    if let Some(start) = subpath_start(&path) {
                        path.push(Edge::Line(start.0, start.1));
                    }
                }
                "re" => {
                    if let Some([x, y, w, h]) = nums::<4>(o) {
                        let corners = [
                            gs.ctm.apply(x, y),
                            gs.ctm.apply(x + w, y),
                            gs.ctm.apply(x + w, y + h),
                            gs.ctm.apply(x, y + h),
                        ];
                        rects.push(corners);
                    }
                }
                "S" | "s" | "f" | "F" | "f*" | "B" | "B*" | "b" | "b*" | "n" => {
                    let operator = op.operator.as_str();
                    let closes = matches!(operator, "s" | "b" | "b*");
                    let strokes = matches!(operator, "S" | "s" | "B" | "B*" | "b" | "b*");
                    let fills = matches!(operator, "f" | "F" | "f*" | "B" | "B*" | "b" | "b*");
                    if closes {
                        if let Some(start) = subpath_start(&path) {
                            path.push(Edge::Line(start.0, start.1));
                        }
                    }
                    if strokes && !gs.stroke_invisible {
                        self.stroke(&path, &rects, &gs);
                    }
                    if fills && !gs.fill_invisible {
                        self.fill(&path, &rects);
                    }
                    path.clear();
                    rects.clear();
                }
                "Tf" => {
                    if let Some(name) = o.first().and_then(|n| n.as_name().ok()) {
                        gs.font = self.font_index(name, resources);
                    }
                }
                "Tj" => self.out.strings.push(ShownString { font: gs.font, base }),
                "TJ" => {
                    if let Some(Ok(items)) = o.first().map(Object::as_array) {
                        for item in items {
                            if matches!(item, Object::String(..)) {
                                self.out.strings.push(ShownString { font: gs.font, base });
                            }
                        }
                    }
                }
                "BI" | "EI" => self.out.images += usize::from(op.operator == "BI"),
                "Do" if depth < MAX_FORM_DEPTH => {
                    if let Some(name) = o.first().and_then(|n| n.as_name().ok()) {
                        self.paint_xobject(name, resources, gs, depth);
                    }
                }
                _ => {}
            }
        }
        if top {
            self.out.interp.open_saves = saves;
        }
    }

    /// Records what pdf-extract's interpreter will do with this top-level operation that depends
    /// on the page: resource lookups, XObjects, and the `q` / `Q` balance.
    fn note_interpreter_use(&mut self, operator: &str, operands: &[Object], saves: &mut usize) {
        let interp = &mut self.out.interp;
        let name = || operands.first().and_then(|n| n.as_name().ok()).map(<[u8]>::to_vec);
        match operator {
            "q" => *saves += 1,
            "Q" => match saves.checked_sub(1) {
                Some(n) => *saves = n,
                None => interp.restore_underflow = true,
            },
            "Do" | "BI" => interp.paints_xobjects = true,
            "Tf" | "gs" | "cs" | "CS" => {
                let kind = match operator {
                    "Tf" => ResourceKind::Font,
                    "gs" => ResourceKind::ExtGState,
                    _ => ResourceKind::ColorSpace,
                };
                match name() {
                    // pdf-extract resolves these four itself, without the page's resources.
                    Some(n) if kind == ResourceKind::ColorSpace && matches!(n.as_slice(), b"DeviceGray" | b"DeviceRGB" | b"DeviceCMYK" | b"Pattern") => {}
                    Some(n) => interp.lookups.push((kind, n)),
                    // pdf-extract panics on a missing name operand; leave that page to its own run.
                    None => interp.truncated = true,
                }
            }
            _ => {}
        }
    }

    fn paint_xobject(&mut self, name: &[u8], resources: Option<&'a Dictionary>, gs: GraphicsState, depth: usize) {
        let doc = self.doc;
        let Some(resources) = resources else { return };
        let Ok(xobjects) = resources.get_deref(b"XObject", doc).and_then(Object::as_dict) else { return };
        let Ok(entry) = xobjects.get(name) else { return };
        let id = entry.as_reference().ok();
        let Ok((_, object)) = doc.dereference(entry) else { return };
        let Ok(stream) = object.as_stream() else { return };
        match stream.dict.get(b"Subtype").and_then(Object::as_name) {
            Ok(b"Image") => self.out.images += 1,
            Ok(b"Form") => {
                if let Some(id) = id {
                    if !self.forms_open.insert(id) {
                        return;
                    }
                }
                let matrix = stream
                    .dict
                    .get(b"Matrix")
                    .and_then(Object::as_array)
                    .ok()
                    .and_then(|a| nums::<6>(a.as_slice()).filter(|_| a.len() == 6))
                    .map(Affine)
                    .unwrap_or(Affine::IDENTITY);
                let form_resources = stream
                    .dict
                    .get_deref(b"Resources", doc)
                    .and_then(Object::as_dict)
                    .ok()
                    .or(Some(resources));
                let content = stream.get_plain_content().unwrap_or_else(|_| stream.content.clone());
                let inner = GraphicsState { ctm: matrix.then(&gs.ctm), ..gs };
                self.run(&content, form_resources, inner, depth + 1);
                if let Some(id) = id {
                    self.forms_open.remove(&id);
                }
            }
            _ => {}
        }
    }

    fn colour_space(&self, name: &[u8], resources: Option<&'a Dictionary>) -> Space {
        let doc = self.doc;
        match name {
            b"DeviceGray" | b"CalGray" | b"G" | b"DeviceRGB" | b"CalRGB" | b"RGB" | b"Lab" => return Space::Additive,
            b"DeviceCMYK" | b"CMYK" => return Space::Subtractive,
            b"Pattern" => return Space::Other,
            _ => {}
        }
        let Some(def) = resources
            .and_then(|r| r.get_deref(b"ColorSpace", doc).and_then(Object::as_dict).ok())
            .and_then(|spaces| spaces.get_deref(name, doc).ok())
        else {
            return Space::Other;
        };
        let (family, rest) = match def {
            Object::Name(n) => (n.as_slice(), None),
            Object::Array(a) => match a.first().and_then(|f| f.as_name().ok()) {
                Some(n) => (n, a.get(1)),
                None => return Space::Other,
            },
            _ => return Space::Other,
        };
        match family {
            b"Separation" | b"DeviceN" | b"DeviceCMYK" => Space::Subtractive,
            b"DeviceGray" | b"CalGray" | b"DeviceRGB" | b"CalRGB" | b"Lab" => Space::Additive,
            b"ICCBased" => {
                let n = rest
                    .and_then(|r| doc.dereference(r).ok())
                    .and_then(|(_, o)| o.as_stream().ok())
                    .and_then(|s| s.dict.get(b"N").and_then(Object::as_i64).ok());
                if n == Some(4) {
                    Space::Subtractive
                } else {
                    Space::Additive
                }
            }
            _ => Space::Other,
        }
    }

    fn font_index(&mut self, name: &[u8], resources: Option<&'a Dictionary>) -> u16 {
        let doc = self.doc;
        let font = resources
            .and_then(|r| r.get_deref(b"Font", doc).and_then(Object::as_dict).ok())
            .and_then(|fonts| fonts.get_deref(name, doc).and_then(Object::as_dict).ok());
        let Some(font) = font else { return 0 };
        // Type3 fonts (Chromium embeds CJK that way) have no /BaseFont: their /Name, else the
        // resource name, still tells fonts apart.
        let base_font = font
            .get_deref(b"BaseFont", doc)
            .and_then(Object::as_name)
            .or_else(|_| font.get_deref(b"Name", doc).and_then(Object::as_name))
            .unwrap_or(name);
        let full = String::from_utf8_lossy(base_font);
        // Subset fonts are named "ABCDEF+RealName".
        let real = match full.split_once('+') {
            Some((tag, rest)) if tag.len() == 6 && tag.chars().all(|c| c.is_ascii_uppercase()) => rest,
            _ => &full,
        };
        if let Some(i) = self.out.fonts.iter().position(|f| f == real) {
            return i as u16;
        }
        if self.out.fonts.len() >= u16::MAX as usize {
            return 0;
        }
        self.out.fonts.push(real.to_string());
        (self.out.fonts.len() - 1) as u16
    }

    fn push_ruling(&mut self, a: (f64, f64), b: (f64, f64), width: f64) {
        let (ax, ay) = self.frame.to_display(a.0, a.1);
        let (bx, by) = self.frame.to_display(b.0, b.1);
        let (dx, dy) = ((bx - ax).abs(), (by - ay).abs());
        if dx < AXIS_TOLERANCE && dy >= AXIS_TOLERANCE {
            self.out.rulings.push(Ruling {
                orientation: Orientation::Vertical,
                pos: (ax + bx) / 2.0,
                from: ay.min(by),
                to: ay.max(by),
                width,
            });
        } else if dy < AXIS_TOLERANCE && dx >= AXIS_TOLERANCE {
            self.out.rulings.push(Ruling {
                orientation: Orientation::Horizontal,
                pos: (ay + by) / 2.0,
                from: ax.min(bx),
                to: ax.max(bx),
                width,
            });
        }
    }

    fn stroke(&mut self, path: &[Edge], rects: &[[(f64, f64); 4]], gs: &GraphicsState) {
        let width = gs.line_width * gs.ctm.scale();
        let mut current: Option<(f64, f64)> = None;
        for edge in path {
            match *edge {
                Edge::Move(x, y) => current = Some((x, y)),
                Edge::Line(x, y) => {
                    if let Some(from) = current {
                        self.push_ruling(from, (x, y), width);
                    }
                    current = Some((x, y));
                }
                Edge::Curve(x, y) => current = Some((x, y)),
            }
        }
        for r in rects {
            // A stroked rectangle thinner than a line is drawn as a line: keep only its long axis.
            if let Some((a, b, thickness)) = thin_rect_axis(r) {
                self.push_ruling(a, b, thickness.max(width));
            } else {
                for i in 0..4 {
                    self.push_ruling(r[i], r[(i + 1) % 4], width);
                }
            }
        }
    }

    fn fill(&mut self, path: &[Edge], rects: &[[(f64, f64); 4]]) {
        for r in rects {
            if let Some((a, b, thickness)) = thin_rect_axis(r) {
                self.push_ruling(a, b, thickness);
            }
        }
        // Thin filled polygons (m l l l h f), as some producers draw borders.
        let mut start = 0;
        while start < path.len() {
            let mut end = start + 1;
            while end < path.len() && !matches!(path[end], Edge::Move(..)) {
                end += 1;
            }
            let sub = &path[start..end];
            if (4..=5).contains(&sub.len()) && sub.iter().all(|e| !matches!(e, Edge::Curve(..))) {
                let pts: Vec<(f64, f64)> = sub
                    .iter()
                    .map(|e| match *e {
                        Edge::Move(x, y) | Edge::Line(x, y) | Edge::Curve(x, y) => (x, y),
                    })
                    .collect();
                let (x0, x1) = pts.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
                let (y0, y1) = pts.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
                let axis_aligned = pts.windows(2).all(|w| {
                    (w[0].0 - w[1].0).abs() < AXIS_TOLERANCE || (w[0].1 - w[1].1).abs() < AXIS_TOLERANCE
                });
                if axis_aligned {
                    let quad = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)];
                    if let Some((a, b, thickness)) = thin_rect_axis(&quad) {
                        self.push_ruling(a, b, thickness);
                    }
                }
            }
            start = end;
        }
    }
}

fn subpath_start(path: &[Edge]) -> Option<(f64, f64)> {
    path.iter().rev().find_map(|e| match *e {
        Edge::Move(x, y) => Some((x, y)),
        _ => None,
    })
}

/// The two ends of a centre line and the thickness it stands for.
type CentreLine = ((f64, f64), (f64, f64), f64);

/// For an axis-aligned rectangle at most [`THIN_FILL`] thick: the centre line's ends and the
/// thickness. (Rotated rectangles and large shaded areas give `None`.)
fn thin_rect_axis(r: &[(f64, f64); 4]) -> Option<CentreLine> {
    let (x0, x1) = r.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (y0, y1) = r.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let aligned = (0..4).all(|i| {
        let (p, q) = (r[i], r[(i + 1) % 4]);
        (p.0 - q.0).abs() < AXIS_TOLERANCE || (p.1 - q.1).abs() < AXIS_TOLERANCE
    });
    if !aligned {
        return None;
    }
    let (w, h) = (x1 - x0, y1 - y0);
    if h <= THIN_FILL && w > h {
        let y = (y0 + y1) / 2.0;
        Some(((x0, y), (x1, y), h))
    } else if w <= THIN_FILL && h > w {
        let x = (x0 + x1) / 2.0;
        Some(((x, y0), (x, y1), w))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> PageFrame {
        PageFrame::new([0.0, 0.0, 200.0, 100.0], 0)
    }

    fn walk(content: &str) -> PageDrawing {
        let doc = Document::with_version("1.5");
        page_drawing(&doc, content.as_bytes(), None, frame())
    }

    #[test]
    fn stroked_lines_and_rect_edges_become_rulings_in_display_space() {
        let d = walk("q 2 0 0 2 0 0 cm 0.5 w 10 10 m 50 10 l S Q 0 0 10 10 re S");
        // The first line is scaled ×2 by cm: y = 20 up → 80 down from the top.
        let h: Vec<_> = d.rulings.iter().filter(|r| r.orientation == Orientation::Horizontal).collect();
        assert!(h.iter().any(|r| (r.pos - 80.0).abs() < 1e-6 && (r.from - 20.0).abs() < 1e-6 && (r.to - 100.0).abs() < 1e-6 && (r.width - 1.0).abs() < 1e-6));
        // The stroked 10×10 rectangle gives four edges.
        assert_eq!(d.rulings.len(), 5);
    }

    #[test]
    fn thin_filled_rectangles_become_lines_and_shading_does_not() {
        let d = walk("10 50 100 0.5 re f 10 10 0.75 80 re f* 20 20 50 30 re f");
        assert_eq!(d.rulings.len(), 2);
        assert!(d.rulings.iter().any(|r| r.orientation == Orientation::Horizontal && (r.pos - 49.75).abs() < 1e-6));
        assert!(d.rulings.iter().any(|r| r.orientation == Orientation::Vertical && (r.to - r.from - 80.0).abs() < 1e-6));
    }

    #[test]
    fn every_painting_operator_paints_and_n_and_white_do_not() {
        let d = walk("0 0 m 10 0 l B* 0 5 m 10 5 l b 0 9 m 10 9 l n 1 G 0 20 m 10 20 l S");
        // B* strokes one edge; b closes (back along the same line) and strokes; n and the white stroke paint nothing.
        assert_eq!(d.rulings.len(), 3);
        assert!(d.rulings.iter().all(|r| r.pos > 90.0));
    }

    #[test]
    fn curves_are_not_rulings() {
        let d = walk("0 0 m 10 10 20 10 30 0 c S");
        assert!(d.rulings.is_empty());
    }
}
