//! Merged lines → table regions: horizontal and vertical lines that cross or touch form one
//! connected region (union-find over crossings).

use super::rulings::{Line, Lines};

/// How far (points) a line may stop short of another and still be taken as touching it.
const TOUCH: f64 = 2.0;

/// A group of connected ruling lines, with its bounding box `[x0, top, x1, bottom]`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Region {
    pub bbox: [f64; 4],
    pub horizontal: Vec<Line>,
    pub vertical: Vec<Line>,
}

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn find(&mut self, mut i: usize) -> usize {
        while self.0[i] != i {
            self.0[i] = self.0[self.0[i]];
            i = self.0[i];
        }
        i
    }
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.0[ra.max(rb)] = ra.min(rb);
        }
    }
}

pub fn crosses(h: &Line, v: &Line) -> bool {
    v.pos >= h.from - TOUCH && v.pos <= h.to + TOUCH && h.pos >= v.from - TOUCH && h.pos <= v.to + TOUCH
}

/// Connected components of the page's lines. Components with at least two horizontal and two
/// vertical lines are ruled tables (or boxes); the rest are returned as loose lines: horizontal
/// ones for open tables, vertical ones for tables ruled only between column groups.
pub fn connected_regions(lines: &Lines) -> (Vec<Region>, Lines) {
    let nh = lines.horizontal.len();
    let nv = lines.vertical.len();
    let mut uf = UnionFind((0..nh + nv).collect());
    // Vertical lines sorted by x: for each horizontal line only the verticals within its extent
    // are tested (binary search), so the sweep stays near-linear on large pages.
    let mut v_order: Vec<usize> = (0..nv).collect();
    v_order.sort_by(|&a, &b| lines.vertical[a].pos.total_cmp(&lines.vertical[b].pos));
    let v_pos: Vec<f64> = v_order.iter().map(|&i| lines.vertical[i].pos).collect();
    for (hi, h) in lines.horizontal.iter().enumerate() {
        let start = v_pos.partition_point(|&x| x < h.from - TOUCH);
        for &vi in &v_order[start..] {
            let v = &lines.vertical[vi];
            if v.pos > h.to + TOUCH {
                break;
            }
            if crosses(h, v) {
                uf.union(hi, nh + vi);
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, (Vec<Line>, Vec<Line>)> = Default::default();
    for i in 0..nh + nv {
        let root = uf.find(i);
        let entry = groups.entry(root).or_default();
        if i < nh {
            entry.0.push(lines.horizontal[i]);
        } else {
            entry.1.push(lines.vertical[i - nh]);
        }
    }
    let mut regions = Vec::new();
    let mut loose = Lines { horizontal: Vec::new(), vertical: Vec::new() };
    for (_, (h, v)) in groups {
        if h.len() >= 2 && v.len() >= 2 {
            let x0 = h.iter().map(|l| l.from).chain(v.iter().map(|l| l.pos)).fold(f64::MAX, f64::min);
            let x1 = h.iter().map(|l| l.to).chain(v.iter().map(|l| l.pos)).fold(f64::MIN, f64::max);
            let top = v.iter().map(|l| l.from).chain(h.iter().map(|l| l.pos)).fold(f64::MAX, f64::min);
            let bottom = v.iter().map(|l| l.to).chain(h.iter().map(|l| l.pos)).fold(f64::MIN, f64::max);
            regions.push(Region { bbox: [x0, top, x1, bottom], horizontal: h, vertical: v });
        } else {
            loose.horizontal.extend(h);
            loose.vertical.extend(v);
        }
    }
    regions.sort_by(|a, b| a.bbox[1].total_cmp(&b.bbox[1]).then(a.bbox[0].total_cmp(&b.bbox[0])));
    loose.horizontal.sort_by(|a, b| a.pos.total_cmp(&b.pos));
    loose.vertical.sort_by(|a, b| a.pos.total_cmp(&b.pos));
    (regions, loose)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(pos: f64, from: f64, to: f64) -> Line {
        Line { pos, from, to }
    }

    #[test]
    fn two_separate_grids_are_two_regions_and_a_lone_rule_is_loose() {
        let lines = Lines {
            horizontal: vec![l(10.0, 0.0, 100.0), l(50.0, 0.0, 100.0), l(200.0, 0.0, 100.0), l(260.0, 0.0, 100.0), l(400.0, 0.0, 300.0)],
            vertical: vec![l(0.0, 10.0, 50.0), l(100.0, 10.0, 50.0), l(0.0, 200.0, 260.0), l(99.0, 201.0, 259.0)],
        };
        let (regions, loose) = connected_regions(&lines);
        assert_eq!(regions.len(), 2);
        assert_eq!(regions[0].bbox, [0.0, 10.0, 100.0, 50.0]);
        assert_eq!(regions[1].horizontal.len(), 2);
        assert_eq!(loose.horizontal, vec![l(400.0, 0.0, 300.0)]);
        assert!(loose.vertical.is_empty());
    }
}
