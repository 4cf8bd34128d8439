//! Ruling segments as drawn → merged lines: collinear pieces that touch or overlap become one
//! line (LibreOffice draws each cell border separately; Word/WPS draw each as a thin rectangle).

use crate::decode::pdf::{Orientation, Ruling};

/// Segments whose positions differ by at most this (points) are on the same line.
pub const POS_TOLERANCE: f64 = 1.0;
/// Collinear segments with a gap at most this wide are joined.
pub const GAP_TOLERANCE: f64 = 1.5;
/// Merged lines shorter than this are tick marks or glyph decorations, not rulings.
const MIN_LENGTH: f64 = 3.0;

/// A merged line: `pos` is y (horizontal) or x (vertical); `from..to` its extent.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Line {
    pub pos: f64,
    pub from: f64,
    pub to: f64,
}

impl Line {
    pub fn len(&self) -> f64 {
        self.to - self.from
    }
    pub fn is_empty(&self) -> bool {
        self.len() <= 0.0
    }
}

/// The page's merged horizontal and vertical lines, each sorted by (pos, from).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Lines {
    pub horizontal: Vec<Line>,
    pub vertical: Vec<Line>,
}

pub fn merge(rulings: &[Ruling]) -> Lines {
    let pick = |o: Orientation| -> Vec<Line> {
        rulings
            .iter()
            .filter(|r| r.orientation == o && r.to > r.from)
            .map(|r| Line { pos: r.pos, from: r.from, to: r.to })
            .collect()
    };
    Lines { horizontal: merge_collinear(pick(Orientation::Horizontal)), vertical: merge_collinear(pick(Orientation::Vertical)) }
}

/// Sort + sweep: group by position, then join touching intervals within each group. The merged
/// position is the length-weighted mean of its pieces.
pub fn merge_collinear(mut segs: Vec<Line>) -> Vec<Line> {
    segs.sort_by(|a, b| a.pos.total_cmp(&b.pos));
    let mut out = Vec::new();
    let mut i = 0;
    while i < segs.len() {
        let mut j = i + 1;
        while j < segs.len() && segs[j].pos - segs[j - 1].pos <= POS_TOLERANCE && segs[j].pos - segs[i].pos <= 2.0 * POS_TOLERANCE {
            j += 1;
        }
        let group = &mut segs[i..j];
        group.sort_by(|a, b| a.from.total_cmp(&b.from));
        let mut cur = group[0];
        let mut weight = cur.len().max(1e-6);
        let mut pos_sum = cur.pos * weight;
        for s in group.iter().skip(1) {
            if s.from <= cur.to + GAP_TOLERANCE {
                cur.to = cur.to.max(s.to);
                let w = s.len().max(1e-6);
                pos_sum += s.pos * w;
                weight += w;
            } else {
                cur.pos = pos_sum / weight;
                if cur.len() >= MIN_LENGTH {
                    out.push(cur);
                }
                cur = *s;
                weight = cur.len().max(1e-6);
                pos_sum = cur.pos * weight;
            }
        }
        cur.pos = pos_sum / weight;
        if cur.len() >= MIN_LENGTH {
            out.push(cur);
        }
        i = j;
    }
    out.sort_by(|a, b| a.pos.total_cmp(&b.pos).then(a.from.total_cmp(&b.from)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(pos: f64, from: f64, to: f64) -> Line {
        Line { pos, from, to }
    }

    #[test]
    fn touching_collinear_pieces_merge_and_gaps_stay_apart() {
        let merged = merge_collinear(vec![l(100.0, 10.0, 50.0), l(100.4, 50.5, 90.0), l(100.0, 95.0, 120.0), l(140.0, 10.0, 120.0)]);
        assert_eq!(merged.len(), 3);
        let joined = merged.iter().find(|m| m.from == 10.0 && m.pos < 120.0).unwrap();
        assert_eq!(joined.to, 90.0);
        assert!(joined.pos > 100.0 && joined.pos < 100.4);
        assert!(merged.contains(&l(100.0, 95.0, 120.0)));
        assert_eq!(merged[2].pos, 140.0);
    }

    #[test]
    fn rectangles_and_strokes_of_the_same_border_become_one_line() {
        // A thin filled rectangle's centre line and a stroked line 0.3pt away, overlapping.
        let rulings = [
            Ruling { orientation: Orientation::Vertical, pos: 30.0, from: 0.0, to: 60.0, width: 0.5 },
            Ruling { orientation: Orientation::Vertical, pos: 30.3, from: 40.0, to: 100.0, width: 1.0 },
            Ruling { orientation: Orientation::Horizontal, pos: 5.0, from: 0.0, to: 1.0, width: 1.0 },
        ];
        let lines = merge(&rulings);
        assert_eq!(lines.vertical.len(), 1);
        assert_eq!((lines.vertical[0].from, lines.vertical[0].to), (0.0, 100.0));
        // The 1pt horizontal piece is too short to be a ruling.
        assert!(lines.horizontal.is_empty());
    }
}
