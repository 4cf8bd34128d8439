//! Evidence across a page break: a table cut by it is one table, with one set of columns, and
//! the text of both its parts shows where they lie. A form cut after its first four rows shows
//! too little of them alone (shanhaiguan's 3 月底 centred over 预算数 | 400000.00 hides the
//! edge between them), while the indicator rows overleaf show that edge on every line.
//!
//! Pages are first read each on its own. Where the last table of a page runs on into the first
//! of the next ([`cut_parts`](super::cut_parts)), both pages are read again, each
//! with the other part's text lines as further evidence for the columns of its part
//! ([`open::body_columns`](super::open)); rows and spans stay each page's own.

use crate::decode::pdf::Glyph;

use super::text::{self, Direction, TextLine};

/// Points an edge of the other part may stand off a gap between the joint columns: the edge
/// stands somewhere in its own part's gap, which this part's text may narrow.
const EDGE_SLACK: f64 = 2.0;

/// The columns and rows a part of a table shows read on its own page.
#[derive(Debug, Clone, Default)]
pub struct Shape {
    pub edges: Vec<f64>,
    pub rows: usize,
}

impl Shape {
    /// Whether `columns` (text extents, left to right) keep each inner edge of this part, whose
    /// text is `glyphs`: a gap between two of them holds it (within [`EDGE_SLACK`]), or lies
    /// beside it with none of the part's text between. An open edge stands anywhere in its gap,
    /// and a part of few lines leaves wide ones: moving it to the joint gap moves no text of the
    /// part to another column.
    fn kept_by<'g>(&self, columns: &[(f64, f64)], glyphs: impl Iterator<Item = &'g Glyph> + Clone) -> bool {
        let inner = self.edges.get(1..self.edges.len().saturating_sub(1)).unwrap_or(&[]);
        let text_between = |a: f64, b: f64| glyphs.clone().any(|g| g.cx() > a.min(b) && g.cx() < a.max(b));
        inner.iter().all(|&x| {
            columns.windows(2).any(|w| {
                let (left, right) = (w[0].1 - EDGE_SLACK, w[1].0 + EDGE_SLACK);
                (left..=right).contains(&x) || !text_between(x, x.clamp(left, right))
            })
        })
    }
}

/// The part of a table cut by one of a page's edges, as read on the neighbouring page.
#[derive(Debug, Clone)]
pub struct CutPart {
    /// This page's part of the table (its box in the first reading of the page): the frame
    /// that overlaps it takes the evidence.
    pub here: [f64; 4],
    /// This page's part as the first reading shows it.
    pub own: Shape,
    /// The other part's glyphs, moved to stand above this page's top (the part before) or below
    /// its foot (the part after): the other part's lines keep their order and spacing, and no
    /// line of either part comes near a line of the other.
    pub glyphs: Vec<Glyph>,
    /// The other part as its own page shows it.
    pub other: Shape,
}

/// A table's parts on the pages beside, for its frame on this page: their lines, and the
/// shapes both parts show read alone. The columns both parts share keep every edge of the part
/// with more rows, of both when as many (a part set overleaf on a grid of other columns shares
/// none with the table before it; both pages then keep their own, and the parts agree: each
/// page asks the same of the same lines).
#[derive(Debug, Default)]
pub struct Beside<'a> {
    pub before: Vec<TextLine<'a>>,
    pub after: Vec<TextLine<'a>>,
    cuts: Vec<&'a CutPart>,
}

impl Beside<'_> {
    pub fn is_empty(&self) -> bool {
        self.before.is_empty() && self.after.is_empty()
    }

    /// Whether the joint `columns` keep the edges of this page's part (`body`, its lines) and
    /// of each other part.
    pub fn kept_by(&self, columns: &[(f64, f64)], body: &[TextLine]) -> bool {
        self.cuts.iter().all(|c| {
            (c.other.rows < c.own.rows || c.other.kept_by(columns, self.before.iter().chain(&self.after).flat_map(|l| l.glyphs.iter().copied())))
                && (c.own.rows < c.other.rows || c.own.kept_by(columns, body.iter().flat_map(|l| l.glyphs.iter().copied())))
        })
    }
}

/// The parts of tables cut by a page's top and foot edges.
#[derive(Debug, Clone, Default)]
pub struct Overleaf {
    /// The part on the page before of the table running on into this page's first.
    pub before: Option<CutPart>,
    /// The part on the next page of the table this page's last runs on into.
    pub after: Option<CutPart>,
}

impl Overleaf {
    /// A page read on its own.
    pub const NONE: Overleaf = Overleaf { before: None, after: None };

    /// Whether a neighbouring page holds part of a table of this page.
    pub fn is_empty(&self) -> bool {
        self.before.is_none() && self.after.is_none()
    }

    /// For the table framed by `[x0, top, x1, bottom]`, its parts on the page before and on the
    /// next: empty for a table no break cuts.
    pub fn beside(&self, frame: [f64; 4]) -> Beside<'_> {
        let mut out = Beside::default();
        for (cut, lines) in [(&self.before, &mut out.before), (&self.after, &mut out.after)] {
            if let Some(c) = cut.as_ref().filter(|c| overlaps(c.here, frame)) {
                *lines = lines_of(c);
                out.cuts.push(c);
            }
        }
        out
    }
}

fn overlaps(a: [f64; 4], b: [f64; 4]) -> bool {
    a[1] < b[3] && a[3] > b[1] && a[0] < b[2] && a[2] > b[0]
}

/// The lines of `cut`: all of them, its glyphs being its table's (a table framed by its text,
/// a form, may print wider on the other page).
fn lines_of(cut: &CutPart) -> Vec<TextLine<'_>> {
    let glyphs: Vec<&Glyph> = cut.glyphs.iter().filter(|g| !g.ch.is_whitespace() && g.upright()).collect();
    text::lines(&glyphs, Direction::Upright)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::text::tests::word;

    /// A part's glyphs: each row a list of (x, text) at 9 pt, 20 points apart.
    fn part(rows: &[&[(f64, &str)]]) -> Vec<Glyph> {
        let mut g = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            for &(x, t) in row.iter() {
                g.extend(word(t, x, 100.0 + 20.0 * i as f64, 9.0));
            }
        }
        g
    }

    #[test]
    fn joint_columns_keep_every_edge_of_a_part_or_stay_unused() {
        // A part: 二级指标 | 三级指标 | 指标值, its edges at 120 and 200, on four rows.
        let row: &[(f64, &str)] = &[(60.0, "数量指标"), (130.0, "完成率"), (210.0, "≥95")];
        let g = part(&[row; 4]);
        let four = Shape { edges: vec![50.0, 120.0, 200.0, 260.0], rows: 4 };
        let kept = |columns: &[(f64, f64)]| four.kept_by(columns, g.iter());
        // Joint columns with gaps at both edges keep them.
        assert!(kept(&[(60.0, 96.0), (130.0, 157.0), (210.0, 240.0)]));
        // A joint column running across 120 does not: the part was set on other columns.
        assert!(!kept(&[(60.0, 157.0), (210.0, 240.0)]));
        // A joint gap beside an edge with none of the part's text between keeps it (the edge
        // stands anywhere in the part's gap 157-210) ...
        assert!(kept(&[(60.0, 96.0), (130.0, 190.0), (195.0, 240.0)]));
        // ... one with text of the part between does not (完成率 would change columns).
        assert!(!kept(&[(60.0, 96.0), (100.0, 125.0), (135.0, 240.0)]));
    }

    #[test]
    fn only_the_frame_over_the_cut_part_takes_the_other_parts_lines() {
        let g = part(&[&[(60.0, "数量指标"), (130.0, "完成率")]]);
        let shape = Shape { edges: vec![50.0, 120.0, 260.0], rows: 1 };
        let cut = CutPart { here: [50.0, 700.0, 260.0, 800.0], own: shape.clone(), glyphs: g, other: shape };
        let overleaf = Overleaf { before: None, after: Some(cut) };
        assert_eq!(overleaf.beside([50.0, 690.0, 260.0, 790.0]).after.len(), 1);
        assert!(overleaf.beside([50.0, 100.0, 260.0, 300.0]).is_empty());
        assert!(Overleaf::NONE.beside([50.0, 690.0, 260.0, 790.0]).is_empty());
    }
}
