//! Body rows of a table without rules between its rows, from text blocks. Evidence: wrapped
//! lines of one cell follow each other at the line spacing, rows are further apart (the cell
//! padding); a label vertically centred against the rows it covers crosses their boundaries and
//! spans them, while the other columns' blocks end and start there.

use super::text::{self, TextLine};

/// The text of one cell as it lies in one column: lines that follow each other at wrapping
/// distance. `top`/`bottom` in points; `col` the column of its chunks.
#[derive(Debug, Clone, Copy)]
pub struct Block {
    pub col: usize,
    pub top: f64,
    pub bottom: f64,
}

/// A row boundary may be crossed by at most this share of the columns with text around it
/// (labels spanning rows are few; a boundary that most columns' text crosses is no boundary).
const MAX_CROSSING_SHARE: f64 = 0.34;

/// Row boundaries between the body's lines and the blocks that span several rows, given the
/// column edges `xs` and the chunk gap that separates cells on a line.
pub fn body_rows(body: &[TextLine], xs: &[f64], chunk_gap: f64) -> (Vec<f64>, Vec<Block>) {
    let blocks = blocks(body, xs, chunk_gap);
    if blocks.is_empty() {
        return (Vec::new(), blocks);
    }
    let mut candidates: Vec<f64> = Vec::new();
    for col in 0..xs.len() - 1 {
        let mut own: Vec<&Block> = blocks.iter().filter(|b| b.col == col).collect();
        own.sort_by(|a, b| a.top.total_cmp(&b.top));
        candidates.extend(own.windows(2).map(|w| (w[0].bottom + w[1].top) / 2.0));
    }
    candidates.sort_by(f64::total_cmp);
    let mut breaks: Vec<f64> = Vec::new();
    for y in candidates {
        let crossing = blocks.iter().filter(|b| b.top < y && b.bottom > y).count();
        let around = columns_with_text_near(&blocks, y);
        if crossing as f64 > MAX_CROSSING_SHARE * around as f64 {
            continue;
        }
        // Two candidates with no block starting between them are the same boundary.
        match breaks.last() {
            Some(&last) if !blocks.iter().any(|b| b.top > last && b.top < y) => {}
            _ => breaks.push(y),
        }
    }
    (breaks, blocks)
}

/// Columns holding a block within a line's height of `y`, above or below.
fn columns_with_text_near(blocks: &[Block], y: f64) -> usize {
    let mut cols: Vec<usize> = blocks.iter().filter(|b| b.top < y + 20.0 && b.bottom > y - 20.0).map(|b| b.col).collect();
    cols.sort_unstable();
    cols.dedup();
    cols.len().max(1)
}

/// The body's chunks per column, joined into blocks where one follows the other at wrapping
/// distance ([`wrap_gap`]).
fn blocks(body: &[TextLine], xs: &[f64], chunk_gap: f64) -> Vec<Block> {
    let nc = xs.len() - 1;
    let mut per_col: Vec<Vec<(f64, f64, f64)>> = vec![Vec::new(); nc];
    for line in body {
        for ch in text::chunks(line, chunk_gap) {
            let c = xs.partition_point(|&e| e <= (ch.x0 + ch.x1) / 2.0).clamp(1, nc) - 1;
            per_col[c].push((line.top, line.bottom, line.size));
        }
    }
    for lines in &mut per_col {
        lines.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    let wrap = wrap_gap(&per_col, body);
    let mut out = Vec::new();
    for (col, lines) in per_col.iter().enumerate() {
        let mut current: Option<Block> = None;
        for &(top, bottom, _) in lines {
            match current.as_mut() {
                Some(b) if top - b.bottom <= wrap => b.bottom = b.bottom.max(bottom),
                _ => {
                    out.extend(current.take());
                    current = Some(Block { col, top, bottom });
                }
            }
        }
        out.extend(current);
    }
    out
}

/// The largest gap between two lines of one cell. The gaps between successive lines of each
/// column fall into groups; when the smallest group is tight (under half a glyph) and a clearly
/// wider group follows, wrapped lines are the first and rows the second, and the limit lies
/// between them. Otherwise (every row one line) lines closer than half the usual spacing
/// between the body's lines share a row, as a label centred beside a wrapped cell does.
fn wrap_gap(per_col: &[Vec<(f64, f64, f64)>], body: &[TextLine]) -> f64 {
    let mut gaps: Vec<f64> = per_col.iter().flat_map(|l| l.windows(2).map(|w| (w[1].0 - w[0].1).max(0.0))).collect();
    gaps.sort_by(f64::total_cmp);
    let mut sizes: Vec<f64> = body.iter().map(|l| l.size).collect();
    sizes.sort_by(f64::total_cmp);
    let size = sizes.get(sizes.len() / 2).copied().unwrap_or(0.0);
    if let Some(&tight) = gaps.first().filter(|&&g| g <= 0.5 * size) {
        if let Some(&wide) = gaps.iter().find(|&&g| g > 1.5 * tight + 1.0) {
            // The tight group's largest member below the jump.
            let upper = gaps.iter().copied().filter(|&g| g < wide).fold(tight, f64::max);
            if wide > 1.5 * upper + 1.0 && tight_gaps_are_wraps(per_col, upper) {
                return (upper + wide) / 2.0;
            }
        }
    }
    let mut line_gaps: Vec<f64> = body.windows(2).map(|w| w[1].top - w[0].bottom).collect();
    line_gaps.sort_by(f64::total_cmp);
    let typical = line_gaps.get(line_gaps.len() / 2).copied().unwrap_or(0.0);
    0.5 * typical - 1e-9
}

/// Whether the tight gaps (at most `upper`) are wraps inside cells, not rows all of one line:
/// after most of them, some other column has no line starting beside the next one.
fn tight_gaps_are_wraps(per_col: &[Vec<(f64, f64, f64)>], upper: f64) -> bool {
    let (mut tight, mut lonely) = (0, 0);
    for (c, lines) in per_col.iter().enumerate() {
        for w in lines.windows(2).filter(|w| w[1].0 - w[0].1 <= upper) {
            tight += 1;
            let next_top = w[1].0;
            let others_start_there = per_col
                .iter()
                .enumerate()
                .filter(|(k, l)| *k != c && !l.is_empty())
                .all(|(_, l)| l.iter().any(|x| (x.0 - next_top).abs() <= 1.0));
            lonely += usize::from(!others_start_there);
        }
    }
    tight > 0 && lonely * 2 >= tight
}
