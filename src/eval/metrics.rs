//! Table-structure metrics on logical cell grids: exact cell F1, GriTS-style topology and content
//! similarity, and the ICDAR 2013 adjacency-relation F1. Pure functions over `model::Cell`s so the
//! corpus and the ICDAR loader share them.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::model::{Cell, Table};

/// Matched / predicted / expected counts of some unit (cells, relations, tables …).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub matched: usize,
    pub predicted: usize,
    pub expected: usize,
}

impl Counts {
    pub fn new(matched: usize, predicted: usize, expected: usize) -> Self {
        Counts { matched, predicted, expected }
    }

    pub fn add(&mut self, other: Counts) {
        self.matched += other.matched;
        self.predicted += other.predicted;
        self.expected += other.expected;
    }

    /// None when nothing was predicted: a precision of nothing is not a number we can trust.
    pub fn precision(&self) -> Option<f64> {
        (self.predicted > 0).then(|| self.matched as f64 / self.predicted as f64)
    }

    pub fn recall(&self) -> Option<f64> {
        (self.expected > 0).then(|| self.matched as f64 / self.expected as f64)
    }

    /// 2·TP / (predicted + expected), which equals the harmonic mean of P and R and is 0 (not
    /// undefined) when one side is empty; None only when both are.
    pub fn f1(&self) -> Option<f64> {
        let n = self.predicted + self.expected;
        (n > 0).then(|| 2.0 * self.matched as f64 / n as f64)
    }
}

/// Text as compared everywhere in eval: all whitespace removed (schemas/README.md).
pub fn norm_text(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Exact cell matching: a predicted cell counts when the expected table has a cell at the same
/// top-left slot with the same spans and the same text (whitespace removed), and, where the
/// expected cell knows its page, on the same page. Empty cells count too: they are structure.
pub fn cell_counts(expected: &Table, predicted: &Table) -> Counts {
    let by_slot: HashMap<(usize, usize), &Cell> = expected.cells.iter().map(|c| ((c.row, c.col), c)).collect();
    let matched = predicted
        .cells
        .iter()
        .filter(|p| by_slot.get(&(p.row, p.col)).is_some_and(|e| cell_equal(e, p)))
        .count();
    Counts::new(matched, predicted.cells.len(), expected.cells.len())
}

/// Whether a predicted cell is exactly the expected one (the rule of [`cell_counts`]).
pub fn cell_equal(expected: &Cell, predicted: &Cell) -> bool {
    expected.row == predicted.row
        && expected.col == predicted.col
        && expected.row_span == predicted.row_span
        && expected.col_span == predicted.col_span
        && expected.page.is_none_or(|p| predicted.page == Some(p))
        && norm_text(&expected.text) == norm_text(&predicted.text)
}

// ---------------------------------------------------------------------------------------------
// ICDAR 2013 adjacency relations

/// Text as the ICDAR 2013 metric compares it: whitespace removed and lower-cased (the same
/// normalisation as the reference implementation in shared/peers/tools/adjacency_f1.py).
fn adjacency_text(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect()
}

/// The multiset of "proper adjacency relations" of a table: for every non-empty cell, its nearest
/// non-empty neighbour to the right on each of its rows and below on each of its columns, as
/// (text, neighbour text, direction). A pair of cells is one relation however many rows they share.
pub fn adjacency_relations(cells: &[Cell]) -> HashMap<(String, String, char), usize> {
    let texts: Vec<String> = cells.iter().map(|c| adjacency_text(&c.text)).collect();
    let mut at: HashMap<(usize, usize), usize> = HashMap::new();
    for (i, c) in cells.iter().enumerate() {
        if texts[i].is_empty() {
            continue;
        }
        for r in c.row..c.row + c.row_span.max(1) {
            for k in c.col..c.col + c.col_span.max(1) {
                // A later cell overwrites an earlier one on overlap, as in the reference.
                at.insert((r, k), i);
            }
        }
    }
    let mut counts = HashMap::new();
    if at.is_empty() {
        return counts;
    }
    let max_row = at.keys().map(|&(r, _)| r).max().unwrap_or(0);
    let max_col = at.keys().map(|&(_, k)| k).max().unwrap_or(0);
    let present: HashSet<usize> = at.values().copied().collect();
    let mut relations: HashSet<(usize, usize, char)> = HashSet::new();
    for &i in &present {
        let c = &cells[i];
        let (end_row, end_col) = (c.row + c.row_span.max(1) - 1, c.col + c.col_span.max(1) - 1);
        for r in c.row..=end_row {
            if let Some(&j) = (end_col + 1..=max_col).find_map(|k| at.get(&(r, k))) {
                relations.insert((i, j, 'h'));
            }
        }
        for k in c.col..=end_col {
            if let Some(&j) = (end_row + 1..=max_row).find_map(|r| at.get(&(r, k))) {
                relations.insert((i, j, 'v'));
            }
        }
    }
    for (a, b, d) in relations {
        *counts.entry((texts[a].clone(), texts[b].clone(), d)).or_insert(0) += 1;
    }
    counts
}

/// Adjacency-relation counts of a predicted table against an expected one (multiset intersection).
pub fn adjacency_counts(expected: &[Cell], predicted: &[Cell]) -> Counts {
    let e = adjacency_relations(expected);
    let p = adjacency_relations(predicted);
    let matched = p.iter().map(|(k, &n)| n.min(e.get(k).copied().unwrap_or(0))).sum();
    Counts::new(matched, p.values().sum(), e.values().sum())
}

// ---------------------------------------------------------------------------------------------
// GriTS (Smock et al., "GriTS: Grid table similarity metric for table structure recognition")

/// GriTS topology and content similarity of one table pair, each in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Grits {
    pub topology: f64,
    pub content: f64,
}

/// Above this many slot pairs (expected slots × predicted slots) GriTS is not computed: its
/// factored alignment visits every pair several times.
pub const GRITS_MAX_SLOT_PAIRS: usize = 40_000_000;

/// GriTS-Top and GriTS-Con by the factored 2D most-similar-substructure alignment: rows of the
/// two grids are aligned (each row pair scored by aligning its slots), then columns likewise, and
/// the similarity is 2·Σ reward over the aligned slots / (expected slots + predicted slots).
/// Topology rewards the IoU of each slot's cell extent relative to the slot; content the
/// LCS similarity of the covering cells' texts. None when the grids are too large to score.
pub fn grits(expected: &Table, predicted: &Table) -> Option<Grits> {
    let e = SlotGrid::new(expected);
    let p = SlotGrid::new(predicted);
    let (ne, np) = (e.rows * e.cols, p.rows * p.cols);
    if ne + np == 0 {
        return Some(Grits { topology: 1.0, content: 1.0 });
    }
    if ne == 0 || np == 0 {
        return Some(Grits { topology: 0.0, content: 0.0 });
    }
    if ne.saturating_mul(np) > GRITS_MAX_SLOT_PAIRS {
        return None;
    }
    let topology = |er: usize, ec: usize, pr: usize, pc: usize| iou(e.relspan(er, ec), p.relspan(pr, pc));
    let content_cache = TextSimilarityCache::new(&e, &p);
    let content = |er: usize, ec: usize, pr: usize, pc: usize| content_cache.get(e.cell(er, ec), p.cell(pr, pc));
    let top = factored_2dmss(&e, &p, &topology);
    let con = factored_2dmss(&e, &p, &content);
    let denom = (ne + np) as f64;
    Some(Grits { topology: 2.0 * top / denom, content: 2.0 * con / denom })
}

/// Each grid slot → the index of the cell covering it (None where no cell does).
struct SlotGrid<'a> {
    rows: usize,
    cols: usize,
    slots: Vec<Option<usize>>,
    cells: &'a [Cell],
    chars: Vec<Vec<char>>,
}

impl<'a> SlotGrid<'a> {
    fn new(t: &'a Table) -> Self {
        let (rows, cols) = (t.n_rows, t.n_cols);
        let mut slots = vec![None; rows * cols];
        for (i, c) in t.cells.iter().enumerate() {
            for r in c.row..(c.row + c.row_span.max(1)).min(rows) {
                for k in c.col..(c.col + c.col_span.max(1)).min(cols) {
                    slots[r * cols + k] = Some(i);
                }
            }
        }
        let chars = t.cells.iter().map(|c| norm_text(&c.text).chars().collect()).collect();
        SlotGrid { rows, cols, slots, cells: &t.cells, chars }
    }

    fn cell(&self, r: usize, k: usize) -> Option<usize> {
        self.slots[r * self.cols + k]
    }

    /// The covering cell's extent relative to the slot, [col0, row0, col1, row1]; an uncovered
    /// slot is its own 1×1 box.
    fn relspan(&self, r: usize, k: usize) -> [f64; 4] {
        match self.cell(r, k) {
            Some(i) => {
                let c = &self.cells[i];
                let (r0, k0) = (c.row as f64 - r as f64, c.col as f64 - k as f64);
                [k0, r0, k0 + c.col_span.max(1) as f64, r0 + c.row_span.max(1) as f64]
            }
            None => [0.0, 0.0, 1.0, 1.0],
        }
    }
}

fn iou(a: [f64; 4], b: [f64; 4]) -> f64 {
    let ix = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let iy = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let inter = ix * iy;
    let union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
    if union <= 0.0 {
        0.0
    } else {
        inter / union
    }
}

/// LCS similarity between cell texts, computed once per (expected cell, predicted cell) pair:
/// the alignment visits each pair many times.
struct TextSimilarityCache<'g> {
    e: &'g SlotGrid<'g>,
    p: &'g SlotGrid<'g>,
    memo: std::cell::RefCell<HashMap<(usize, usize), f64>>,
}

impl<'g> TextSimilarityCache<'g> {
    fn new(e: &'g SlotGrid<'g>, p: &'g SlotGrid<'g>) -> Self {
        TextSimilarityCache { e, p, memo: Default::default() }
    }

    fn get(&self, e: Option<usize>, p: Option<usize>) -> f64 {
        let empty: &[char] = &[];
        let a = e.map_or(empty, |i| self.e.chars[i].as_slice());
        let b = p.map_or(empty, |i| self.p.chars[i].as_slice());
        if a == b {
            return 1.0;
        }
        if a.is_empty() || b.is_empty() {
            return 0.0;
        }
        let key = (e.unwrap_or(usize::MAX), p.unwrap_or(usize::MAX));
        if let Some(&v) = self.memo.borrow().get(&key) {
            return v;
        }
        let v = lcs_similarity(a, b);
        self.memo.borrow_mut().insert(key, v);
        v
    }
}

/// 2·|LCS| / (|a| + |b|); 1 for two empty strings.
pub fn lcs_similarity(a: &[char], b: &[char]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let mut prev = vec![0usize; b.len() + 1];
    let mut cur = vec![0usize; b.len() + 1];
    for &x in a {
        for (j, &y) in b.iter().enumerate() {
            cur[j + 1] = if x == y { prev[j] + 1 } else { prev[j + 1].max(cur[j]) };
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    2.0 * prev[b.len()] as f64 / (a.len() + b.len()) as f64
}

/// Weighted LCS alignment of two sequences; returns the best total reward.
fn align_1d(n: usize, m: usize, reward: impl Fn(usize, usize) -> f64) -> f64 {
    let mut prev = vec![0.0f64; m + 1];
    let mut cur = vec![0.0f64; m + 1];
    for i in 0..n {
        for j in 0..m {
            cur[j + 1] = (prev[j] + reward(i, j)).max(prev[j + 1]).max(cur[j]);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[m]
}

/// Outer alignment with traceback: pairs (i, j) of aligned outer indexes. Ties prefer the
/// diagonal, then the step that drops an expected index, as in the GriTS reference code.
fn align_outer(n: usize, m: usize, reward: impl Fn(usize, usize) -> f64) -> Vec<(usize, usize)> {
    let w = m + 1;
    let mut score = vec![0.0f64; (n + 1) * w];
    let mut step = vec![0u8; (n + 1) * w]; // 0 diagonal, 1 up (drop expected), 2 left (drop predicted)
    for i in 1..=n {
        for j in 1..=m {
            let diag = score[(i - 1) * w + j - 1] + reward(i - 1, j - 1);
            let up = score[(i - 1) * w + j];
            let left = score[i * w + j - 1];
            let best = diag.max(up).max(left);
            score[i * w + j] = best;
            step[i * w + j] = if diag == best {
                0
            } else if up == best {
                1
            } else {
                2
            };
        }
    }
    let mut pairs = Vec::new();
    let (mut i, mut j) = (n, m);
    while i > 0 && j > 0 {
        match step[i * w + j] {
            0 => {
                pairs.push((i - 1, j - 1));
                i -= 1;
                j -= 1;
            }
            1 => i -= 1,
            _ => j -= 1,
        }
    }
    pairs.reverse();
    pairs
}

/// The factored 2D-MSS: align rows (scoring each row pair by a 1D alignment of its slots), align
/// columns the same way, then sum the rewards over the aligned rows × aligned columns.
fn factored_2dmss(e: &SlotGrid, p: &SlotGrid, reward: &dyn Fn(usize, usize, usize, usize) -> f64) -> f64 {
    let rows = align_outer(e.rows, p.rows, |er, pr| align_1d(e.cols, p.cols, |ec, pc| reward(er, ec, pr, pc)));
    let cols = align_outer(e.cols, p.cols, |ec, pc| align_1d(e.rows, p.rows, |er, pr| reward(er, ec, pr, pc)));
    rows.iter()
        .flat_map(|&(er, pr)| cols.iter().map(move |&(ec, pc)| (er, ec, pr, pc)))
        .map(|(er, ec, pr, pc)| reward(er, ec, pr, pc))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(row: usize, col: usize, rs: usize, cs: usize, text: &str) -> Cell {
        Cell { row, col, row_span: rs, col_span: cs, text: text.into(), page: None, bbox: None }
    }

    fn table(n_rows: usize, n_cols: usize, cells: Vec<Cell>) -> Table {
        Table { index: 0, pages: vec![], title: None, n_rows, n_cols, header_rows: 0, cells, context: vec![] }
    }

    #[test]
    fn lcs_similarity_of_known_strings() {
        let s = |x: &str| x.chars().collect::<Vec<_>>();
        assert_eq!(lcs_similarity(&s("abcd"), &s("abcd")), 1.0);
        assert_eq!(lcs_similarity(&s("abcd"), &s("xbxd")), 0.5);
        assert_eq!(lcs_similarity(&s(""), &s("")), 1.0);
        assert_eq!(lcs_similarity(&s("ab"), &s("")), 0.0);
    }

    #[test]
    fn grits_of_identical_grids_is_one_and_of_a_missing_row_is_known() {
        let t = table(2, 2, vec![cell(0, 0, 1, 2, "h"), cell(1, 0, 1, 1, "a"), cell(1, 1, 1, 1, "b")]);
        let g = grits(&t, &t).unwrap();
        assert_eq!((g.topology, g.content), (1.0, 1.0));
        // Predicted keeps only the header row: 2 of 4 expected slots align perfectly.
        let p = table(1, 2, vec![cell(0, 0, 1, 2, "h")]);
        let g = grits(&t, &p).unwrap();
        assert!((g.content - 2.0 * 2.0 / 6.0).abs() < 1e-9, "{g:?}");
        // The header cell's relative extents are identical in both grids, so topology scores the same.
        assert!((g.topology - 2.0 * 2.0 / 6.0).abs() < 1e-9, "{g:?}");
    }
}
