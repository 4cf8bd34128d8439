//! Pairs expected tables with extracted ones. Tables are compared by content (the multiset of
//! their cell texts), never by index: an extra or a missed table must not shift every later
//! comparison. Where both sides know their pages, tables on disjoint pages never pair.

use std::collections::HashMap;

use super::metrics::norm_text;
use crate::model::Table;

/// Below this content similarity two tables are different tables.
pub const MIN_TABLE_SIMILARITY: f64 = 0.3;

/// Dice coefficient of the two tables' non-empty cell texts (as multisets, whitespace removed).
/// Tables with no text at all are similar when their shapes agree.
pub fn table_similarity(a: &Table, b: &Table) -> f64 {
    let bag = |t: &Table| {
        let mut m: HashMap<String, usize> = HashMap::new();
        for c in &t.cells {
            let s = norm_text(&c.text);
            if !s.is_empty() {
                *m.entry(s).or_insert(0) += 1;
            }
        }
        m
    };
    let (x, y) = (bag(a), bag(b));
    let (nx, ny): (usize, usize) = (x.values().sum(), y.values().sum());
    if nx + ny == 0 {
        return if (a.n_rows, a.n_cols) == (b.n_rows, b.n_cols) { 1.0 } else { 0.0 };
    }
    let common: usize = x.iter().map(|(k, &n)| n.min(y.get(k).copied().unwrap_or(0))).sum();
    2.0 * common as f64 / (nx + ny) as f64
}

fn pages_compatible(a: &Table, b: &Table) -> bool {
    a.pages.is_empty() || b.pages.is_empty() || a.pages.iter().any(|p| b.pages.contains(p))
}

/// One-to-one pairs (expected index, extracted index), most similar first, ties broken by
/// nearness in document order; returned sorted by expected index.
pub fn match_tables(expected: &[Table], extracted: &[Table]) -> Vec<(usize, usize)> {
    let mut cands: Vec<(f64, usize, usize)> = Vec::new();
    for (i, e) in expected.iter().enumerate() {
        for (j, p) in extracted.iter().enumerate() {
            if !pages_compatible(e, p) {
                continue;
            }
            let s = table_similarity(e, p);
            if s >= MIN_TABLE_SIMILARITY {
                cands.push((s, i, j));
            }
        }
    }
    cands.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.abs_diff(a.2).cmp(&b.1.abs_diff(b.2))).then(a.1.cmp(&b.1)));
    let mut used_e = vec![false; expected.len()];
    let mut used_p = vec![false; extracted.len()];
    let mut pairs = take_free_pairs(cands.into_iter().map(|(_, i, j)| (i, j)), &mut used_e, &mut used_p);
    pairs.sort();
    pairs
}

/// Greedy one-to-one pairing: walks `candidates` (expected index, extracted index) in the order
/// given, best first, and keeps each pair whose two sides are both still free. `used_e` / `used_p`
/// mark the sides already paired and are updated.
pub(crate) fn take_free_pairs(
    candidates: impl IntoIterator<Item = (usize, usize)>,
    used_e: &mut [bool],
    used_p: &mut [bool],
) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    for (i, j) in candidates {
        if !used_e[i] && !used_p[j] {
            used_e[i] = true;
            used_p[j] = true;
            pairs.push((i, j));
        }
    }
    pairs
}
