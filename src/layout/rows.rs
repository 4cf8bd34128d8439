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
    /// It holds a word (a letter or a CJK character), not figures only: labels are words.
    pub words: bool,
    /// Left and right ends of its text.
    pub x0: f64,
    pub x1: f64,
    /// Its text runs over more than one line (wrapped at its cell's width).
    pub wrapped: bool,
    /// One glyph on each of its lines: a label set vertically (产/出/指/标), as tall as the rows
    /// it spans, not as one cell's text.
    pub stacked: bool,
}

/// A row boundary may be crossed by at most this share of the columns with text around it
/// (labels spanning rows are few; a boundary that most columns' text crosses is no boundary).
const MAX_CROSSING_SHARE: f64 = 0.34;

/// A label spanning rows is at most two wrapped lines tall (with this many glyph sizes to spare).
const LABEL_SLACK: f64 = 0.6;

/// Text within this many points of a row boundary (about a line's height) is text around it.
const NEAR: f64 = 20.0;

/// Successive lines of one cell are set at one pitch: their gaps agree within this many glyph
/// sizes (or a third of a point), and a gap wider by [`ROW_GAP_STEP`] or more is another row.
const SAME_PITCH: f64 = 0.05;
const ROW_GAP_STEP: f64 = 0.15;

/// A row boundary crossing a block further than this share of its height from its middle cuts
/// it off centre: no label centred on the boundary.
const OFF_CENTRE: f64 = 0.25;

/// Spans of rows a label is centred against count as equally near within its own height, but
/// no more than this many points (a label stacked a glyph a line is tall, and is centred on its
/// rows alone).
const TIE_CAP: f64 = 4.0;

/// Median glyph size of the lines.
pub(super) fn median_size(lines: &[TextLine]) -> f64 {
    let mut sizes: Vec<f64> = lines.iter().map(|l| l.size).collect();
    sizes.sort_by(f64::total_cmp);
    sizes.get(sizes.len() / 2).copied().unwrap_or(0.0)
}

/// How far apart a cell's wrapped lines may be.
#[derive(Debug, Clone, Copy)]
pub enum Wrapping {
    /// Wrapped lines set tight (under half a glyph apart), rows clearly further apart
    /// ([`wrap_gap`]).
    Tight,
    /// Wrapped lines closer than this share of the narrowest gap between rows, the rows seen
    /// where lines start in two columns at once (generous leading: a wrap may be most of a glyph
    /// apart). Falls back to [`Wrapping::Tight`] when no line starts in two columns.
    BelowRowGap(f64),
}

/// Row boundaries between the body's lines and the blocks that span several rows, given the
/// column edges `xs` and the chunk gap that separates cells on a line.
pub fn body_rows(body: &[TextLine], xs: &[f64], chunk_gap: f64) -> (Vec<f64>, Vec<Block>) {
    body_rows_with(body, xs, chunk_gap, Wrapping::Tight)
}

/// [`body_rows`] with the wrapping distance given.
pub fn body_rows_with(body: &[TextLine], xs: &[f64], chunk_gap: f64, wrapping: Wrapping) -> (Vec<f64>, Vec<Block>) {
    let (blocks, wrap) = blocks(body, xs, chunk_gap, wrapping);
    if blocks.is_empty() {
        return (Vec::new(), blocks);
    }
    let mut candidates: Vec<f64> = Vec::new();
    for col in 0..xs.len() - 1 {
        let mut own: Vec<&Block> = blocks.iter().filter(|b| b.col == col).collect();
        own.sort_by(|a, b| a.top.total_cmp(&b.top));
        // A label set a glyph a line is centred on its rows: the gap beside its ends is no row's.
        candidates.extend(own.windows(2).filter(|w| !w[0].stacked && !w[1].stacked).map(|w| (w[0].bottom + w[1].top) / 2.0));
    }
    // And below every block, halfway to the next text starting under it in any column.
    for b in &blocks {
        let next = blocks.iter().map(|o| o.top).filter(|&t| t >= b.bottom).fold(f64::MAX, f64::min);
        if next < f64::MAX {
            candidates.push((b.bottom + next) / 2.0);
        }
    }
    candidates.sort_by(f64::total_cmp);
    let mut breaks: Vec<f64> = Vec::new();
    let size = median_size(body);
    for y in candidates {
        let crossing: Vec<&Block> = blocks.iter().filter(|b| crosses(b, y)).collect();
        let around = columns_with_text_near(&blocks, y);
        // Only labels may cross a row boundary: a block of a line or two (a cell of wrapped
        // text taller than that is the row's own content, and the boundary is inside the row).
        let labels_only = crossing.iter().all(|b| b.bottom - b.top <= (2.0 + LABEL_SLACK) * size + wrap.max(0.0) || (b.stacked && b.wrapped));
        let few = crossing.len() as f64 <= MAX_CROSSING_SHARE * around as f64;
        if !labels_only || !(few || crossing_leading_labels(&crossing, &blocks)) {
            continue;
        }
        // Two candidates with no block starting between them are the same boundary (a label
        // crossing this one, centred in the gap between two rows, starts in it). A boundary
        // crosses a label through its middle; one that cuts a block off its middle (the last
        // line of a wrapped cell) moves to the other if that crosses fewer blocks.
        let between: Vec<&Block> = breaks.last().map(|&last| blocks.iter().filter(|b| b.top > last && b.top < y && b.bottom <= y).collect()).unwrap_or_default();
        match breaks.last_mut() {
            Some(last) if between.is_empty() && empty_row_under_label(&blocks, *last, y, size) => breaks.push(y),
            Some(last) if between.is_empty() => {
                let (was, now) = (off_centre(&blocks, *last), off_centre(&blocks, y));
                let crossed_before = crossings(&blocks, *last);
                if (was > OFF_CENTRE && crossing.len() < crossed_before) || (now < was && crossing.len() <= crossed_before) {
                    *last = y;
                }
            }
            // Only labels lie between the two, in a few columns: they sit centred on the gap
            // between two rows, and the boundary runs through their middle. Labels set beside
            // the first line of a cell wrapped in two (centred against rows further down, their
            // middle in that line) sit in the row `last` starts: the height under them runs
            // through it, no boundary.
            Some(last) if labels_in_gap(&between, &blocks, around) => {
                let (top, bottom) = between.iter().fold((f64::MAX, f64::MIN), |(t, b), x| (t.min(x.top), b.max(x.bottom)));
                let mid = (top + bottom) / 2.0;
                if centred_on_gap(&between, mid, &blocks, *last) {
                    *last = mid;
                }
            }
            _ => breaks.push(y),
        }
    }
    empty_rows_beside_labels(&mut breaks, &blocks, size);
    (breaks, blocks)
}

/// Evidence of an empty row: the boundary `last` runs through the middle of a wrapped label
/// that ends above the next candidate `y`, at least a glyph further down, and nothing else lies
/// between them. The label is centred on the boundary between its row and an empty row under
/// it (资金支出计 / 划（%） beside 3 月底 and an empty row of amounts), so `y` is a boundary of
/// its own, not the same one as `last` (where a label centred on the gap between two rows with
/// text would leave the next row's text starting between them).
fn empty_row_under_label(blocks: &[Block], last: f64, y: f64, size: f64) -> bool {
    let centred_label = |b: &Block| {
        let h = b.bottom - b.top;
        crosses(b, last) && b.bottom < y && (last - (b.top + b.bottom) / 2.0).abs() <= OFF_CENTRE * h && wrapped_row_label(b, blocks)
    };
    let mut inside = blocks.iter().filter(|b| b.top < y && b.bottom > last).peekable();
    y - last >= size && inside.peek().is_some() && inside.all(centred_label)
}

/// Whether a block is a label wrapped over lines that heads its rows: words over several lines
/// (not a glyph a line), and no text of a column before its own beside it (a value cell wrapped
/// beside a label is not one).
fn wrapped_row_label(b: &Block, blocks: &[Block]) -> bool {
    b.words && b.wrapped && !b.stacked && !blocks.iter().any(|o| o.col < b.col && o.top < b.bottom && o.bottom > b.top)
}

/// A label is off its row's centre by more than rounding when it is centred on that row and an
/// empty row under it (LibreOffice and Chromium centre a row-spanning label on its rows; an empty
/// row has no text of its own to show it).
const OFF_ROW_CENTRE: f64 = 0.2;

/// A label is at most this many glyphs wide (a paragraph's lines are wider).
const LABEL_GLYPHS: f64 = 8.0;

/// Evidence of an empty row: a wrapped label that no boundary crosses, beside one-line cells set
/// level with one another, whose middle lies below theirs by more than [`OFF_ROW_CENTRE`] of a
/// glyph and whose last line hangs below them — while the table's cells are set centred on their
/// rows elsewhere (a one-line cell level with the middle of a wrapped one beside it). Top-aligned
/// cells put a taller label's middle below its row's by the same geometry, so without that
/// evidence the label stays in its row. The boundary runs under the row's cells.
fn empty_rows_beside_labels(breaks: &mut Vec<f64>, blocks: &[Block], size: f64) {
    let mut added = Vec::new();
    for label in blocks.iter().filter(|b| b.x1 - b.x0 <= LABEL_GLYPHS * size && wrapped_row_label(b, blocks)) {
        if breaks.iter().any(|&y| crosses(label, y)) {
            continue;
        }
        let beside: Vec<&Block> = blocks.iter().filter(|o| o.col != label.col && o.top < label.bottom && o.bottom > label.top).collect();
        let level = beside.first().is_some_and(|f| beside.iter().all(|o| !o.wrapped && (o.top - f.top).abs() < 1.0));
        if !level {
            continue;
        }
        let bottom = beside.iter().map(|o| o.bottom).fold(f64::MIN, f64::max);
        let middle = (beside[0].top + beside[0].bottom) / 2.0;
        if (label.top + label.bottom) / 2.0 - middle > OFF_ROW_CENTRE * size && label.bottom > bottom + OFF_ROW_CENTRE * size {
            added.push((bottom + label.bottom) / 2.0);
        }
    }
    // The table-wide evidence is looked for only once a label asks for it (it compares every
    // wrapped block with every other).
    if !added.is_empty() && cells_centred_on_rows(blocks, size) {
        breaks.extend(added);
        breaks.sort_by(f64::total_cmp);
    }
}

/// Whether some one-line block sits level with the middle of a wrapped block of another column
/// beside it, below its first line: the table's cells are set centred on their rows.
fn cells_centred_on_rows(blocks: &[Block], size: f64) -> bool {
    blocks.iter().filter(|w| w.wrapped && !w.stacked).any(|w| {
        let mid = (w.top + w.bottom) / 2.0;
        blocks.iter().any(|o| !o.wrapped && o.col != w.col && o.top > w.top + 0.5 * size && ((o.top + o.bottom) / 2.0 - mid).abs() < OFF_ROW_CENTRE * size)
    })
}

/// How far off the middle of the blocks running across the height `y` it lies, at most, as a
/// share of their height (0 where none does). Labels set a glyph a line are centred on all
/// their rows, not on one boundary, and do not count.
fn off_centre(blocks: &[Block], y: f64) -> f64 {
    blocks.iter().filter(|b| !b.stacked && crosses(b, y)).map(|b| (y - (b.top + b.bottom) / 2.0).abs() / (b.bottom - b.top)).fold(0.0, f64::max)
}

/// Whether a block runs across the height `y`.
fn crosses(b: &Block, y: f64) -> bool {
    b.top < y && b.bottom > y
}

/// Whether labels found between the boundary `last` and the next candidate, their middle at
/// `mid`, sit centred on a gap between rows: through their middle runs no other block but those
/// crossing `last` too (a label reaching over both).
fn centred_on_gap(labels: &[&Block], mid: f64, blocks: &[Block], last: f64) -> bool {
    blocks.iter().filter(|b| crosses(b, mid) && !labels.iter().any(|l| std::ptr::eq(*l, *b))).all(|b| crosses(b, last))
}

/// How many blocks run across the height `y`.
pub(super) fn crossings(blocks: &[Block], y: f64) -> usize {
    blocks.iter().filter(|b| crosses(b, y)).count()
}

/// Whether the blocks found between two row boundaries are labels centred on one boundary rather
/// than a row: words (a lone amount is a sparse row's), in at most [`MAX_CROSSING_SHARE`] of the (three or more) columns with text
/// around or in the leading ones ([`leading_label_columns`]), and their columns are empty in the rows just above and below (the rows they span),
/// where a sparse row's cells have neighbours in their column.
fn labels_in_gap(between: &[&Block], blocks: &[Block], around: usize) -> bool {
    let mut cols: Vec<usize> = between.iter().map(|b| b.col).collect();
    cols.sort_unstable();
    cols.dedup();
    let few = cols.len() as f64 <= MAX_CROSSING_SHARE * around as f64;
    around >= 3 && (few || leading_label_columns(&cols, between, blocks)) && between.iter().all(|b| b.words && alone(b, blocks))
}

/// Whether no other block of the block's column lies within twice its height above or below it:
/// a label spanning rows has its rows' slots to itself.
fn alone(b: &Block, blocks: &[Block]) -> bool {
    let h = b.bottom - b.top;
    blocks.iter().filter(|o| o.col == b.col && (o.top, o.bottom) != (b.top, b.bottom)).all(|o| o.bottom < b.top - 2.0 * h || o.top > b.bottom + 2.0 * h)
}

/// Whether the blocks crossing a boundary are labels alone in leading columns
/// ([`leading_label_columns`]): hierarchy labels centred on the boundary they cross.
fn crossing_leading_labels(crossing: &[&Block], blocks: &[Block]) -> bool {
    let mut cols: Vec<usize> = crossing.iter().map(|b| b.col).collect();
    cols.sort_unstable();
    cols.dedup();
    crossing.iter().all(|b| b.words && alone(b, blocks)) && leading_label_columns(&cols, crossing, blocks)
}

/// Whether the columns `cols` of the blocks between two boundaries come before every other
/// column with text around them, and two columns or more follow: the labels of a hierarchy
/// (一级指标 | 二级指标 beside 三级指标 | 指标值) centred on one boundary, more of the columns than
/// [`MAX_CROSSING_SHARE`] allows for labels alone.
fn leading_label_columns(cols: &[usize], between: &[&Block], blocks: &[Block]) -> bool {
    let (top, bottom) = between.iter().fold((f64::MAX, f64::MIN), |(t, b), x| (t.min(x.top), b.max(x.bottom)));
    // A column whose text there is a taller label reaching over the whole band (绩效指标 set a
    // glyph a line beside 产出指标 | 数量指标) is a label column too, not one of the rows'.
    let spanned = |c: usize| blocks.iter().filter(|b| b.col == c && b.top < bottom + NEAR && b.bottom > top - NEAR).all(|b| b.words && b.top <= top && b.bottom >= bottom);
    let mut rest: Vec<usize> = columns_near(blocks, (top + bottom) / 2.0).into_iter().filter(|&c| !cols.contains(&c) && !spanned(c)).collect();
    rest.sort_unstable();
    rest.len() >= 2 && cols.iter().all(|&c| c < rest[0])
}

/// Columns holding a block within a line's height of `y`, above or below.
fn columns_with_text_near(blocks: &[Block], y: f64) -> usize {
    columns_near(blocks, y).len().max(1)
}

/// The columns holding a block within a line's height of `y`, in order.
fn columns_near(blocks: &[Block], y: f64) -> Vec<usize> {
    let mut cols: Vec<usize> = blocks.iter().filter(|b| b.top < y + NEAR && b.bottom > y - NEAR).map(|b| b.col).collect();
    cols.sort_unstable();
    cols.dedup();
    cols
}

/// Chunks starting within this (points) of each other are set flush; a chunk takes the column of
/// one flush with it at most this many line heights above.
const FLUSH: f64 = 0.5;
const FLUSH_LINES: f64 = 2.2;

/// The body's chunks per column, joined into blocks where one follows the other at wrapping
/// distance ([`wrap_gap`]), and that distance.
fn blocks(body: &[TextLine], xs: &[f64], chunk_gap: f64, wrapping: Wrapping) -> (Vec<Block>, f64) {
    let nc = xs.len() - 1;
    let mut per_col: Vec<Vec<(f64, f64, f64)>> = vec![Vec::new(); nc];
    // Tops of the chunks holding a word, and every chunk's top with its x extent, per column.
    let mut worded: Vec<Vec<f64>> = vec![Vec::new(); nc];
    let mut extents: Vec<Vec<(f64, f64, f64)>> = vec![Vec::new(); nc];
    // Tops of the chunks of a single glyph, per column.
    let mut single: Vec<Vec<f64>> = vec![Vec::new(); nc];
    // Every chunk placed so far: (x0, top, column).
    let mut placed: Vec<(f64, f64, usize)> = Vec::new();
    for line in body {
        for ch in text::chunks(line, chunk_gap) {
            // A chunk is in the column of its middle, unless it starts where a chunk of a line
            // just above starts (within two lines): lines of one cell set flush left, whose
            // middles may fall either side of an edge (绩效目标's 1.… and 2.…).
            let flush = placed.iter().rev().find(|&&(x0, top, _)| (x0 - ch.x0).abs() < FLUSH && line.top - top <= FLUSH_LINES * line.size && line.top > top);
            let c = flush.map_or_else(|| xs.partition_point(|&e| e <= (ch.x0 + ch.x1) / 2.0).clamp(1, nc) - 1, |f| f.2);
            placed.push((ch.x0, line.top, c));
            // The chunk's own height (a label centred beside a line joins that line, a little off it).
            let own: Vec<&&crate::decode::pdf::Glyph> = line.glyphs.iter().filter(|g| g.x0 >= ch.x0 && g.x1 <= ch.x1).collect();
            let (top, bottom) = own.iter().fold((f64::MAX, f64::MIN), |(t, b), g| (t.min(g.top), b.max(g.bottom)));
            per_col[c].push((top, bottom, line.size));
            extents[c].push((top, ch.x0, ch.x1));
            if own.iter().any(|g| g.ch.is_alphabetic()) {
                worded[c].push(top);
            }
            if own.len() == 1 {
                single[c].push(top);
            }
        }
    }
    for lines in &mut per_col {
        lines.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    let wrap = wrap_gap(&per_col, &worded, body, wrapping);
    let mut out = Vec::new();
    for (col, lines) in per_col.iter().enumerate() {
        let mut current: Option<Block> = None;
        for &(top, bottom, _) in lines {
            let words = worded[col].contains(&top);
            // A glyph alone on its line in the column (every piece there a single glyph).
            let at = |tops: &[f64]| tops.iter().filter(|&&t| t == top).count();
            let lone = at(&single[col]) == extents[col].iter().filter(|e| e.0 == top).count();
            let (x0, x1) = extents[col].iter().filter(|e| e.0 == top).fold((f64::MAX, f64::MIN), |(a, b), e| (a.min(e.1), b.max(e.2)));
            match current.as_mut() {
                Some(b) if top - b.bottom <= wrap => {
                    b.bottom = b.bottom.max(bottom);
                    b.words |= words;
                    (b.x0, b.x1) = (b.x0.min(x0), b.x1.max(x1));
                    b.stacked &= lone;
                    b.wrapped = true;
                }
                _ => {
                    out.extend(current.take());
                    current = Some(Block { col, top, bottom, words, x0, x1, wrapped: false, stacked: lone });
                }
            }
        }
        out.extend(current);
    }
    join_wrapped_labels(&mut out, &per_col, median_size(body));
    join_paragraph_ends(&mut out, xs, wrap);
    (out, wrap)
}

/// Evidence: a label wrapped over the two rows it spans, set centred on them (LibreOffice puts
/// 社会公众或服务对 / 象满意度 beside rows one line each, 16.1 pt apart where the rows are 18.7):
/// two successive one-line blocks of one column of words, less than a glyph apart, on one axis
/// (starting or centred at one place), the upper the wider (the line that filled the cell), each
/// beside a line of another column but not level with it (off by half a point or more, as
/// centring two lines on two rows of another pitch sets them), the lines beside them further
/// apart than the label's own lines; or the lower line beside none, in the gap above the next
/// row (rows much further apart than the label's lines). Level with the rows' lines, lines are
/// rows of their own.
fn join_wrapped_labels(blocks: &mut Vec<Block>, per_col: &[Vec<(f64, f64, f64)>], size: f64) {
    let beside = |col: usize, top: f64| {
        let others = per_col.iter().enumerate().filter(|&(c, _)| c != col).flat_map(|(_, l)| l.iter().map(|x| x.0));
        others.filter(|&u| (u - top).abs() < 0.5 * size).min_by(|u, v| (u - top).abs().total_cmp(&(v - top).abs()))
    };
    let mut i = 0;
    while i + 1 < blocks.len() {
        let (a, b) = (blocks[i], blocks[i + 1]);
        let gap = b.top - a.bottom;
        let one_axis = (a.x0 - b.x0).abs() < 1.0 || ((a.x0 + a.x1) - (b.x0 + b.x1)).abs() / 2.0 < 1.0;
        // Looked up last: it scans every line of the other columns.
        let centred_on_rows = || match (beside(a.col, a.top), beside(b.col, b.top)) {
            (Some(ra), Some(rb)) => (ra - a.top).abs() >= OFF_LEVEL && (rb - b.top).abs() >= OFF_LEVEL && rb - ra > b.top - a.top + OFF_LEVEL,
            // The lower line in the gap between two rows further apart than the label's lines
            // (预算规模及资金 beside 预算数, 用途 above the next row by a glyph).
            (Some(ra), None) => (ra - a.top).abs() >= OFF_LEVEL,
            _ => false,
        };
        let wrapped_label = a.col == b.col
            && a.words
            && b.words
            && !a.wrapped
            && !b.wrapped
            && !a.stacked
            && gap > 0.0
            && gap < size
            && one_axis
            && (a.x1 - a.x0) - (b.x1 - b.x0) >= size
            && centred_on_rows();
        if wrapped_label {
            let joined = &mut blocks[i];
            joined.bottom = b.bottom;
            (joined.x0, joined.x1) = (a.x0.min(b.x0), a.x1.max(b.x1));
            joined.wrapped = true;
            blocks.remove(i + 1);
        } else {
            i += 1;
        }
    }
}

/// A line this far (points) from the line beside it is not level with it.
pub(super) const OFF_LEVEL: f64 = 0.5;

/// Evidence: the short last line of a paragraph wrapped across several columns (a form's 项目
/// 总目标 set over the indicator columns) starts where the lines above start, at wrapping distance
/// under them, and is theirs, though its middle falls into another column.
fn join_paragraph_ends(blocks: &mut Vec<Block>, xs: &[f64], wrap: f64) {
    let mut i = 0;
    while i < blocks.len() {
        let b = blocks[i];
        let above = blocks.iter().position(|a| {
            a.col != b.col
                && (a.x0 - b.x0).abs() < 1.0
                && b.x1 < a.x1 - 1.0
                && a.x1 > xs[b.col + 1]
                && b.top - a.bottom > -0.5
                && b.top - a.bottom <= wrap
        });
        match above {
            Some(k) => {
                let a = &mut blocks[k];
                a.bottom = a.bottom.max(b.bottom);
                a.words |= b.words;
                blocks.remove(i);
            }
            None => i += 1,
        }
    }
}

/// The largest gap between two lines of one cell. The gaps between successive lines of each
/// column fall into groups. When the smallest group is tight (under half a glyph) and a clearly
/// wider group follows, wrapped lines are the first and rows the second. Set loose, a cell's
/// wrapped lines still follow each other at one pitch, so the narrowest gaps agree closely
/// ([`SAME_PITCH`]); when a wider gap follows them ([`ROW_GAP_STEP`]), in a column that shows
/// both, and they are wraps ([`tight_gaps_are_wraps`]), the limit lies between the two.
/// Otherwise (every row one line) lines closer than half the usual spacing between the body's
/// lines share a row, as a label centred beside a wrapped cell does.
fn wrap_gap(per_col: &[Vec<(f64, f64, f64)>], worded: &[Vec<f64>], body: &[TextLine], wrapping: Wrapping) -> f64 {
    let size = median_size(body);
    if let Wrapping::BelowRowGap(share) = wrapping {
        if let Some(row_gap) = shared_row_gap(per_col) {
            let mut all: Vec<f64> = per_col.iter().flat_map(|l| l.windows(2).map(|w| (w[1].0 - w[0].1).max(0.0))).collect();
            all.sort_by(f64::total_cmp);
            return split_below(&all, share * row_gap, size);
        }
    }
    // Gaps between lines one under the other; chunks of one line (side by side in a column)
    // overlap and are no gap.
    let mut gaps: Vec<f64> = per_col.iter().flat_map(|l| l.windows(2).map(|w| w[1].0 - w[0].1)).filter(|&g| g > 0.0).collect();
    gaps.sort_by(f64::total_cmp);
    // Wrapped lines set tight (under half a glyph apart) and a clear jump (a third of a glyph or
    // more) to the next gap: rows.
    let jump = gaps.windows(2).position(|w| w[0] <= 0.5 * size && w[1] - w[0] >= (0.3 * size).max(0.5 * w[0]));
    if let Some(k) = jump {
        let (upper, wide) = (gaps[k], gaps[k + 1]);
        if tight_gaps_are_wraps(per_col, upper) {
            return (upper + wide) / 2.0;
        }
    }
    // Wrapped lines set loose: a group of gaps at one pitch, then a smaller step to the rows.
    let same = (SAME_PITCH * size).max(0.3);
    let pitch_group = gaps.windows(2).take_while(|w| w[1] - w[0] <= same).count();
    if let (Some(&upper), Some(&wide)) = (gaps.get(pitch_group), gaps.get(pitch_group + 1)) {
        // Columns must show both: lines at the pitch and, further apart, the lines that start
        // the next rows: two of them in one column (a column of one-line rows shows the pitch
        // only, bar one odd gap as a sparse column's over its empty cells; a column of labels
        // only wide gaps), or one line start right under wrapped lines (the last starting
        // alone) that two columns agree on (a form cut by a page break shows two rows only: a
        // wrapped code and a wrapped name, then the next row's 预算数 and its figure).
        let gap = |w: &[(f64, f64, f64)]| w[1].0 - w[0].1;
        let at_pitch = |w: &[(f64, f64, f64)]| gap(w) > 0.0 && gap(w) <= upper;
        let repeated = per_col.iter().any(|l| l.windows(2).any(at_pitch) && l.windows(2).filter(|w| gap(w) >= wide).count() >= 2);
        let after_wraps: Vec<f64> = per_col
            .iter()
            .enumerate()
            .flat_map(|(c, l)| l.windows(3).filter(move |w| at_pitch(&w[..2]) && !starts_beside(per_col, c, w[1].0) && gap(&w[1..]) >= wide).map(|w| w[2].0))
            .collect();
        let agreed = after_wraps.iter().any(|&t| after_wraps.iter().filter(|&&o| (o - t).abs() <= 1.0).count() >= 2);
        let both = repeated || agreed;
        if pitch_group >= 1 && both && wide - upper >= (ROW_GAP_STEP * size).max(1.0) && tight_gaps_are_wraps(per_col, upper) {
            return (upper + wide) / 2.0;
        }
    }
    // Every gap at one pitch, none wider to show the rows (a cell's wrapped lines at a page
    // foot, the rows under it overleaf): gaps after which lines of words start alone are wraps.
    // A figure is never wrapped: under another line it starts a row (合计 | | 147.05 under a row
    // of one line).
    let words_after_gaps = per_col.iter().zip(worded).all(|(l, w)| l.windows(2).filter(|p| p[1].0 > p[0].1).all(|p| w.contains(&p[1].0)));
    if let Some(&widest) = gaps.last().filter(|_| pitch_group + 1 == gaps.len() && words_after_gaps) {
        if tight_gaps_are_wraps(per_col, widest) {
            return widest + 0.5 * (ROW_GAP_STEP * size).max(1.0);
        }
    }
    let mut line_gaps: Vec<f64> = body.windows(2).map(|w| w[1].top - w[0].bottom).collect();
    line_gaps.sort_by(f64::total_cmp);
    let typical = line_gaps.get(line_gaps.len() / 2).copied().unwrap_or(0.0);
    0.5 * typical - 1e-9
}

/// A wrapping limit lowered to the widest clear jump (a quarter glyph or more) among the gaps
/// under it: rows whose next line starts in one column only (a code centred beside a wrapped
/// label) are not seen by [`shared_row_gap`], and their gaps sit above the wraps' own.
fn split_below(gaps: &[f64], limit: f64, size: f64) -> f64 {
    let under: Vec<f64> = gaps.iter().copied().filter(|&g| g <= limit).collect();
    let widest = under.windows(2).max_by(|a, b| (a[1] - a[0]).total_cmp(&(b[1] - b[0])));
    match widest {
        Some(w) if w[1] - w[0] >= 0.25 * size => (w[0] + w[1]) / 2.0,
        _ => limit,
    }
}

/// The narrowest gap above a line that starts beside a line of another column: such lines
/// begin a row, so the gap is one between rows.
fn shared_row_gap(per_col: &[Vec<(f64, f64, f64)>]) -> Option<f64> {
    per_col
        .iter()
        .enumerate()
        .flat_map(|(c, lines)| lines.windows(2).filter(move |w| starts_beside(per_col, c, w[1].0)).map(|w| w[1].0 - w[0].1))
        .filter(|&g| g > 0.0)
        .min_by(f64::total_cmp)
}

/// Whether a line of a column other than `col` starts at `top` (within a point).
fn starts_beside(per_col: &[Vec<(f64, f64, f64)>], col: usize, top: f64) -> bool {
    per_col.iter().enumerate().any(|(k, l)| k != col && l.iter().any(|x| (x.0 - top).abs() <= 1.0))
}

/// Whether the tight gaps (at most `upper`) are wraps inside cells, not rows all of one line:
/// after most of them (more than half), some other column has no line starting beside the next
/// one. Pieces of one column that overlap (a figure centred beside a wrapped label) are side
/// by side, no gap. In a form, a row under a cell spanning the value columns (项目概况) starts
/// in two columns only, so rows are lonely there about as often as not: a tie is no evidence.
fn tight_gaps_are_wraps(per_col: &[Vec<(f64, f64, f64)>], upper: f64) -> bool {
    let (mut tight, mut lonely) = (0, 0);
    for (c, lines) in per_col.iter().enumerate() {
        for w in lines.windows(2).filter(|w| w[1].0 - w[0].1 > 0.0 && w[1].0 - w[0].1 <= upper) {
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
    tight > 0 && lonely * 2 > tight
}

/// What leaving rows at the run's top or bottom to no label costs (points): they belong to a
/// label on the page before or after, which is rare, so a partition that covers them wins
/// when it centres as well.
const UNCOVERED_COST: f64 = 1.0;
/// Labels are centred within this (points) or the column is not set centred: half a glyph, as
/// row edges found from text sit halfway to the next text, which may start in another column.
const CENTRED_TOLERANCE: f64 = 4.5;

/// Evidence: labels of one column each vertically centred against the rows they span, one after
/// another. `labels` are (first row, last row, middle y) of each, top to bottom, `run` the rows
/// the column has for them (`lo..=hi`), `ys` the row edges. The spans partitioning the run (rows
/// at its top or bottom may be left over: a label cut by a page break) whose middles are nearest
/// the labels' middles; `None` unless every label is centred within [`CENTRED_TOLERANCE`].
pub fn centred_partition(labels: &[(usize, usize, f64)], run: (usize, usize), ys: &[f64]) -> Option<Vec<(usize, usize)>> {
    centred_partition_at(labels, run, ys, |_| true)
}

/// [`centred_partition`] with the spans starting only at rows `starts` allows (beside the
/// run's first row) and ending only before such rows (or at the run's last): a label of one
/// level spans whole labels of the next (产出指标 over 数量指标 … 成本指标, never half of one).
pub fn centred_partition_at(labels: &[(usize, usize, f64)], run: (usize, usize), ys: &[f64], starts: impl Fn(usize) -> bool) -> Option<Vec<(usize, usize)>> {
    let (lo, hi) = run;
    let ends = |e: usize| e == hi || starts(e + 1);
    let n = labels.len();
    let off = |s: usize, e: usize, m: f64| ((ys[s] + ys[e + 1]) / 2.0 - m).abs();
    // best[i][e]: least cost of labels 0..=i with label i ending at row e, and where it starts.
    let mut best: Vec<Vec<Option<(f64, usize)>>> = vec![vec![None; hi + 1]; n];
    for i in 0..n {
        let (o0, o1, m) = labels[i];
        let last_end = labels.get(i + 1).map_or(hi, |l| l.0.saturating_sub(1));
        for e in (o1..=last_end.max(o1)).filter(|&e| i + 1 == n || ends(e)) {
            let firsts: Vec<(f64, usize)> = if i == 0 {
                (lo..=o0).filter(|&s| s == lo || starts(s)).map(|s| (if s > lo { UNCOVERED_COST } else { 0.0 }, s)).collect()
            } else {
                (labels[i - 1].1..o0).filter_map(|pe| best[i - 1][pe].map(|(c, _)| (c, pe + 1))).collect()
            };
            best[i][e] = firsts.into_iter().map(|(c, s)| (c + off(s, e, m), s)).min_by(|a, b| a.0.total_cmp(&b.0));
        }
    }
    let (_, mut e) = (labels[n - 1].1..=hi)
        .filter(|&e| ends(e))
        .filter_map(|e| best[n - 1][e].map(|(c, _)| (c + if e < hi { UNCOVERED_COST } else { 0.0 }, e)))
        .min_by(|a, b| a.0.total_cmp(&b.0))?;
    let mut out = vec![(0, 0); n];
    for i in (0..n).rev() {
        let (_, s) = best[i][e]?;
        if off(s, e, labels[i].2) > CENTRED_TOLERANCE {
            return None;
        }
        out[i] = (s, e);
        e = s.saturating_sub(1);
    }
    Some(out)
}

/// Evidence: a label vertically centred against the rows it covers. The rows `a..=b` around
/// the block's own rows `r0..=r1` whose column slots hold no other block, chosen so that their
/// middle is nearest the block's middle; `None` unless that is clearly nearer than the block's
/// own rows' middle, or where the block sits in one row level with the middle of the text that
/// lies in that row alone (`row_text`, top and bottom): its row is as tall as that text, and the
/// row's edges found halfway to the text around may stand off centre (a label beside, centred on
/// two rows, starts right under the row's last line).
pub fn centred_rows(block: &Block, (r0, r1): (usize, usize), ys: &[f64], row_text: Option<(f64, f64)>, column_free: impl Fn(usize) -> bool) -> Option<(usize, usize)> {
    let nr = ys.len() - 1;
    let mid = (block.top + block.bottom) / 2.0;
    if r0 == r1 && row_text.is_some_and(|(top, bottom)| ((top + bottom) / 2.0 - mid).abs() < OFF_LEVEL) {
        return None;
    }
    let off = |a: usize, b: usize| ((ys[a] + ys[b + 1]) / 2.0 - mid).abs();
    let mut lo = r0;
    while lo > 0 && column_free(lo - 1) {
        lo -= 1;
    }
    let mut hi = r1;
    while hi + 1 < nr && column_free(hi + 1) {
        hi += 1;
    }
    let spans: Vec<(usize, usize)> = (lo..=r0).flat_map(|a| (r1..=hi).map(move |b| (a, b))).collect();
    let nearest = spans.iter().map(|&(a, b)| off(a, b)).fold(f64::MAX, f64::min);
    // A label centred on a row boundary (words reaching into two rows or more): spans whose middle is
    // as near as the nearest, within the block's own height, are equally good, since a label
    // centred against its four rows is also centred against the middle two; the widest of them
    // is the label's. A block inside one row keeps the nearest span (an amount between two blank
    // cells of its column is centred against all three rows, and against its own).
    let tie = if r1 > r0 && block.words { (block.bottom - block.top).min(TIE_CAP) } else { 0.0 };
    // A figure leaves its own rows only for a span clearly nearer (a quarter of its height).
    let stay = if block.words { 0.0 } else { 0.25 * (block.bottom - block.top) };
    if tie == 0.0 && off(r0, r1) <= nearest + stay {
        // Its own rows are as near as any (equal rows around a figure): it stays in them.
        return None;
    }
    let (a, b) = spans
        .into_iter()
        .filter(|&(a, b)| off(a, b) <= nearest + tie && off(a, b) < 0.15 * (ys[b + 1] - ys[a]))
        .max_by(|&(a, b), &(c, d)| (b - a).cmp(&(d - c)).then(off(c, d).total_cmp(&off(a, b))))?;
    ((a, b) != (r0, r1)).then_some((a, b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::pdf::Glyph;
    use crate::layout::text::tests::{put, spread, word};
    use crate::layout::text::Direction;

    /// [`body_rows`] of the glyphs' lines on columns `xs`.
    fn rows_of(g: &[Glyph], xs: &[f64]) -> (Vec<f64>, Vec<Block>) {
        let refs: Vec<&Glyph> = g.iter().collect();
        body_rows(&text::lines(&refs, Direction::Upright), xs, 0.45)
    }

    /// Boundaries strictly between the tops `a` and `b`.
    fn breaks_between(breaks: &[f64], a: f64, b: f64) -> usize {
        breaks.iter().filter(|&&y| y > a && y < b).count()
    }

    #[test]
    fn lines_of_one_cell_set_flush_left_stay_in_one_column_across_an_edge_their_middles_straddle() {
        // shanhaiguan_2021 without rules page 1 (open_norules, LibreOffice): 绩效目标's text
        // 1.保障审批局专家评审经费 / 2.保障审批业务专项业务顺利开展, both from 117.0, their middles
        // (170, 184) either side of the 二级指标 | 三级指标 edge at 176.45. Both are one cell's:
        // no row boundary between them, and the one above them runs clear of 1.….
        let xs = [62.0, 112.5, 176.45, 246.1, 345.5, 407.7, 464.05, 536.91];
        let mut g: Vec<Glyph> = Vec::new();
        spread(&mut g, 684.5, 9.0, &[(167.7, 172.7, "3"), (174.5, 192.5, "月底"), (273.8, 278.8, "6"), (280.7, 298.7, "月底"), (352.0, 361.2, "10"), (363.1, 381.1, "月底"), (458.2, 467.4, "12"), (469.3, 487.3, "月底")]);
        spread(&mut g, 685.8, 9.0, &[(63.0, 108.0, "资金支出计")]);
        spread(&mut g, 702.0, 9.0, &[(67.8, 103.1, "划（%）")]);
        spread(&mut g, 703.3, 9.0, &[(212.0, 243.3, "25.00%"), (292.2, 323.5, "50.00%"), (372.7, 403.9, "75.00%"), (500.4, 535.9, "100.00%")]);
        spread(&mut g, 722.0, 9.0, &[(117.0, 223.2, "1.保障审批局专家评审经费")]);
        spread(&mut g, 730.1, 9.0, &[(67.5, 103.5, "绩效目标")]);
        spread(&mut g, 738.2, 9.0, &[(117.0, 250.9, "2.保障审批业务专项业务顺利开展")]);
        let (breaks, _) = rows_of(&g, &xs);
        assert_eq!(breaks_between(&breaks, 722.0, 738.2), 0, "{breaks:?}");
        assert_eq!(breaks_between(&breaks, 712.3, 722.0), 1, "{breaks:?}");
    }

    #[test]
    fn a_label_centred_on_a_boundary_and_ending_above_the_next_row_spans_an_empty_row() {
        // shanhaiguan_2021 three-line page 3 (open_hrules, LibreOffice), its pieces as laid out
        // there: 资金支出计 / 划（%） spans the 3 月底 row and the empty row of amounts under it;
        // its lines (16.1 pt apart) are centred on the boundary between them, and 绩效目标
        // starts a row further down.
        let lay = |second: Option<f64>| {
            let mut g: Vec<Glyph> = Vec::new();
            put(&mut g, 540.5, &[(67.5, "项目编码"), (117.0, "13030321ZRRK9DQ3GKQMC"), (268.3, "项目名称"), (329.2, "跨省通办及省内通办网络建设及设备费")]);
            put(&mut g, 560.5, &[(63.0, "预算规模及")]);
            put(&mut g, 559.2, &[(132.2, "预算数"), (200.2, "200000.00"), (254.8, "其中：财政资金"), (360.8, "200000.00"), (417.4, "其他资金"), (530.9, "0")]);
            put(&mut g, 576.7, &[(67.5, "资金用途")]);
            put(&mut g, 578.0, &[(117.0, "跨省通办及省内通办网络建设及设备费")]);
            put(&mut g, 599.1, &[(63.0, "资金支出计")]);
            put(&mut g, 596.7, &[(167.7, "3月底"), (273.8, "6月底"), (352.0, "10月底"), (458.2, "12月底")]);
            if let Some(top) = second {
                put(&mut g, top, &[(67.8, "划（%）")]);
            }
            put(&mut g, 636.4, &[(67.5, "绩效目标"), (117.0, "1.跨省通办及省内通办网络建设及设备费")]);
            put(&mut g, 655.1, &[(67.5, "一级指标"), (127.7, "二级指标"), (193.7, "三级指标"), (299.4, "绩效指标描述"), (421.9, "指标值"), (469.9, "指标值确定依据")]);
            put(&mut g, 674.6, &[(127.7, "数量指标"), (180.2, "综合事务保障率"), (249.0, "保障日常事务高效运转"), (411.5, "≥95百分比"), (474.4, "年度工作计划")]);
            put(&mut g, 693.4, &[(180.2, "网络数据平台建")]);
            put(&mut g, 701.4, &[(127.7, "质量指标"), (249.0, "网络数据平台建设任务完成情况"), (411.5, "≥95百分比"), (474.4, "年度工作计划")]);
            put(&mut g, 706.5, &[(82.4, "产")]);
            put(&mut g, 709.5, &[(180.2, "设任务完成情况")]);
            put(&mut g, 715.5, &[(82.4, "出")]);
            put(&mut g, 724.5, &[(82.4, "指")]);
            put(&mut g, 728.3, &[(180.2, "网络安全建设正")]);
            put(&mut g, 733.5, &[(82.4, "标")]);
            put(&mut g, 736.3, &[(127.7, "时效指标"), (249.0, "正式运行截止时间"), (411.5, "≥95百分比"), (474.4, "年度工作计划")]);
            put(&mut g, 744.4, &[(189.2, "式运行时间")]);
            put(&mut g, 763.2, &[(127.7, "成本指标"), (193.7, "项目成本"), (249.0, "项目成本"), (411.5, "≥95百分比"), (474.4, "年度工作计划")]);
            let (breaks, _) = rows_of(&g, &[56.7, 112.5, 165.7, 246.1, 325.1, 407.7, 464.1, 538.6]);
            breaks_between(&breaks, 596.7, 636.4)
        };
        assert_eq!(lay(Some(615.2)), 2);
        // A label of one line beside its row: the row and 绩效目标's, one boundary.
        assert_eq!(lay(None), 1);
    }

    #[test]
    fn a_label_hanging_below_its_rows_middle_where_cells_are_centred_spans_an_empty_row() {
        // shanhaiguan_2021 three-line page 3 (open_hrules, Chromium): Chromium gives the empty
        // row under 3 月底 a few points only, so 资金支出计 / 划（%） (12 pt apart) stays beside the
        // 3 月底 row, its middle 3 pt below the row's; elsewhere one-line cells sit level with
        // the middle of a wrapped cell beside them (质量指标 beside 网络数据平台建 / 设任务完成情况).
        let lay = |label_top: f64| {
            let mut g: Vec<Glyph> = Vec::new();
            put(&mut g, 355.3, &[(112.7, "跨省通办及省内通办网络建设及设备费")]);
            put(&mut g, 374.1, &[(165.8, "3月底"), (274.5, "6月底"), (354.2, "10月底"), (462.9, "12月底")]);
            put(&mut g, label_top, &[(57.8, "资金支出计")]);
            put(&mut g, label_top + 12.0, &[(62.7, "划（%）")]);
            put(&mut g, 398.1, &[(62.3, "绩效目标"), (112.7, "1.跨省通办及省内通办网络建设及设备费")]);
            put(&mut g, 430.3, &[(124.0, "数量指标"), (178.1, "综合事务保障率"), (254.5, "保障日常事务高效运转")]);
            put(&mut g, 446.1, &[(178.1, "网络数据平台建")]);
            put(&mut g, 452.1, &[(124.0, "质量指标"), (254.5, "网络数据平台建设任务完成情况")]);
            put(&mut g, 458.1, &[(178.1, "设任务完成情况")]);
            let (breaks, _) = rows_of(&g, &[55.0, 110.0, 170.0, 250.0, 340.0, 450.0, 540.0]);
            breaks_between(&breaks, 374.1, 398.1)
        };
        assert_eq!(lay(371.1), 2);
        // Centred on the 3 月底 row: a taller row, no empty one.
        assert_eq!(lay(368.1), 1);
    }

    #[test]
    fn the_gap_above_a_label_set_a_glyph_a_line_is_no_row_boundary() {
        // shanhaiguan_2021 three-line page 5 (open_hrules, Chromium): 产 / 出 / 指 / 标 is
        // centred on its four rows, so the gap between 一级指标 and its top lies where it falls
        // (through 数（个）, the last line of the wrapped 贫困村脱贫出列 beside 数量指标); the rows
        // part where 劳动力转移培训 starts.
        let mut g: Vec<Glyph> = Vec::new();
            put(&mut g, 139.3, &[(62.3, "一级指标"), (124.0, "二级指标"), (191.6, "三级指标"), (300.1, "绩效指标描述"), (425.2, "指标值"), (474.8, "指标值确定依据")]);
            put(&mut g, 155.8, &[(178.1, "贫困村脱贫出列")]);
            put(&mut g, 161.8, &[(124.0, "数量指标"), (247.9, "建档立卡贫困村脱贫出列数量"), (417.7, ">95百分比"), (479.3, "年度工作计划")]);
            put(&mut g, 167.8, &[(191.6, "数（个）")]);
            put(&mut g, 183.6, &[(178.1, "劳动力转移培训")]);
            put(&mut g, 188.8, &[(247.9, "贫困县年度劳动力转移培训人数占贫困")]);
            put(&mut g, 194.5, &[(76.1, "产")]);
            put(&mut g, 194.8, &[(124.0, "质量指标"), (187.1, "计划完成率"), (415.7, "≥95百分比"), (479.3, "年度工作计划")]);
            put(&mut g, 200.8, &[(247.9, "县年度劳动力转移培训计划数量的比例")]);
            put(&mut g, 203.5, &[(76.1, "出")]);
            put(&mut g, 206.8, &[(196.5, "（%）")]);
            put(&mut g, 212.5, &[(76.1, "指")]);
            put(&mut g, 221.5, &[(76.1, "标")]);
            put(&mut g, 222.6, &[(178.1, "贫困县农民增长")]);
            put(&mut g, 227.8, &[(124.0, "时效指标"), (247.9, "贫困县农民人均纯收入的同比增长比率"), (415.7, "≥95百分比"), (479.3, "年度工作计划")]);
            put(&mut g, 233.8, &[(192.0, "率（%）")]);
            put(&mut g, 249.6, &[(178.1, "贫困户帮扶责任")]);
            put(&mut g, 255.6, &[(124.0, "成本指标"), (247.9, "建档立卡的贫困户帮扶责任人数量"), (415.7, "≥95百分比"), (479.3, "年度工作计划")]);
            put(&mut g, 261.6, &[(187.1, "人数（人）")]);
        let (breaks, _) = rows_of(&g, &[55.0, 110.0, 170.0, 245.0, 410.0, 470.0, 545.0]);
        assert!(!breaks.iter().any(|&y| y > 155.8 && y < 176.8), "{breaks:?}");
        assert_eq!(breaks_between(&breaks, 176.8, 183.6), 1, "{breaks:?}");
    }

    #[test]
    fn a_label_wrapped_and_centred_on_its_two_rows_is_one_block() {
        // binjiang_perf_2023 three-line page 4 (open_hrules, LibreOffice): 社会公众或服务对 /
        // 象满意度 spans two one-line rows 18.7 pt apart; its lines, 16.1 apart, are centred on
        // them, each 1.3 pt off the row's line beside it.
        let lay = |label_tops: [f64; 2], second_row: f64| {
            let mut g: Vec<Glyph> = Vec::new();
            for (top, pieces) in [
                (304.6, &[(166.5, "生态效益"), (228.3, "线上办理业务占比"), (457.6, "≥50%")][..]),
                (323.4, &[(228.3, "受援人满意度"), (457.6, "≥95%")][..]),
                (second_row, &[(228.3, "咨询群众满意度"), (457.6, "≥90%")][..]),
                (360.9, &[(166.5, "长效管理"), (228.3, "法律援助工作制度健全性"), (462.3, "健全")][..]),
            ] {
                pieces.iter().for_each(|&(x, t)| g.extend(word(t, x, top, 9.0)));
            }
            g.extend(word("社会公众或服务对", 148.5, label_tops[0], 9.0));
            g.extend(word("象满意度", 166.5, label_tops[1], 9.0));
            let (_, blocks) = rows_of(&g, &[140.0, 225.0, 450.0, 500.0]);
            blocks.into_iter().filter(|b| b.col == 0).map(|b| (b.top, b.bottom)).collect::<Vec<_>>()
        };
        assert_eq!(lay([324.7, 340.8], 342.1), vec![(304.6, 313.6), (324.7, 349.8), (360.9, 369.9)]);
        // Level with the lines of rows 15.8 pt apart (as Chromium sets labels of one row each):
        // two blocks.
        assert_eq!(lay([323.4, 339.2], 339.2).len(), 4);
    }

    #[test]
    fn a_rows_wrapped_lines_at_a_page_foot_are_one_row_though_no_row_gap_shows() {
        // yutian_2024 three-line page 1 (open_hrules, LibreOffice): the indicator table's first
        // row at the page foot, its rows continued overleaf. 68项一件事一次办工作推 / 进 and
        // 100 / 100%全部完成 wrap 16.1 pt apart, the only gap the part shows; the second line
        // starts alone in two columns and holds words.
        let xs = [56.7, 100.1, 153.1, 235.0, 350.7, 451.8, 538.6];
        let lay = |second: &[(f64, &str)]| {
            let mut g: Vec<Glyph> = Vec::new();
            put(&mut g, 699.35, &[(60.5, "产出指标"), (108.7, "数量指标"), (158.1, "“一件事一次办”"), (237.9, "68项一件事一次办工作推"), (368.0, "100"), (454.8, "省政务平台数据提取")]);
            put(&mut g, 715.45, second);
            breaks_between(&rows_of(&g, &xs).0, 699.35, 724.45)
        };
        assert_eq!(lay(&[(237.9, "进"), (368.0, "100%全部完成")]), 0);
        // A figure on the next line is never a wrap (yuhe_market_2024 three-line Chromium page 2:
        // 合计 | | 147.05 under a row of one line).
        assert_eq!(lay(&[(60.5, "合计"), (368.0, "147.05")]), 1);
    }

    #[test]
    fn a_form_cut_by_a_page_break_after_two_rows_keeps_its_wrapped_cells_whole() {
        // yutian_2024 three-line page 2 (open_hrules, LibreOffice): the form 2.行政审批业务经费 at
        // the page foot, two of its rows there. The code wraps in three lines and the name in
        // two (16.1 pt apart, 项目编码 and 项目名称 centred beside them); 预算数 and its figure
        // start the next row 18.7 pt under the wrapped lines: no column shows two row gaps, but
        // both wrapped columns show that one.
        let mut g: Vec<Glyph> = Vec::new();
        put(&mut g, 689.55, &[(134.6, "13022924P0")]);
        put(&mut g, 697.55, &[(335.8, "行政审批业务经")]);
        put(&mut g, 705.65, &[(76.3, "项目编码"), (134.6, "0JXC417313"), (277.1, "项目名称")]);
        put(&mut g, 713.75, &[(362.8, "费")]);
        put(&mut g, 721.85, &[(134.6, "P")]);
        put(&mut g, 740.55, &[(62.8, "预算规模及资金"), (147.7, "预算数"), (214.3, "600000.00"), (263.5, "其中：财政"), (317.7, "资"), (358.9, "600000.00"), (416.3, "其他资金")]);
        put(&mut g, 756.75, &[(85.3, "用途"), (290.6, "金")]);
        let (breaks, _) = rows_of(&g, &[56.7, 130.2, 201.46, 260.46, 331.41, 409.1, 538.6]);
        assert_eq!(breaks_between(&breaks, 689.55, 730.85), 0, "{breaks:?}");
        assert_eq!(breaks_between(&breaks, 730.85, 740.55), 1, "{breaks:?}");
    }

    #[test]
    fn a_boundary_lies_where_the_blocks_crossing_it_are_centred_on_it() {
        // yutian_2024 three-line page 5 (open_hrules, LibreOffice), the form 4.政务服务中心场地租赁
        // 项目. The 预算数 row holds 其中：财政 · 资 / 金 (wrapped, 资 a glyph spread off the first
        // line); 预算规模及资金 / 用途, centred on that row and the one under it, starts beside 金.
        // The first boundary found runs through 其中：财政资金 a little off its middle; the row
        // ends where the two-row label is centred, above the wrapped use (办公场地租 / 赁), which
        // the month row follows.
        let mut g: Vec<Glyph> = Vec::new();
        put(&mut g, 321.25, &[(134.6, "13022924P0")]);
        put(&mut g, 329.25, &[(335.8, "政务服务中心场")]);
        put(&mut g, 337.35, &[(76.3, "项目编码"), (134.6, "0JXC417943"), (277.1, "项目名称")]);
        put(&mut g, 345.45, &[(344.8, "地租赁项目")]);
        put(&mut g, 353.55, &[(134.6, "3")]);
        put(&mut g, 372.25, &[(263.5, "其中：财政"), (317.7, "资")]);
        put(&mut g, 380.35, &[(147.7, "预算数"), (210.1, "2160000.00"), (354.6, "2160000.00"), (416.3, "其他资金")]);
        put(&mut g, 388.45, &[(290.6, "金")]);
        put(&mut g, 389.75, &[(62.8, "预算规模及资金")]);
        put(&mut g, 405.85, &[(85.3, "用途")]);
        put(&mut g, 407.15, &[(138.7, "办公场地租")]);
        put(&mut g, 423.35, &[(156.7, "赁")]);
        put(&mut g, 443.15, &[(148.8, "3月底"), (282.6, "6月底"), (352.8, "10月底"), (419.7, "12月底")]);
        put(&mut g, 445.55, &[(67.3, "资金支出计划")]);
        put(&mut g, 461.65, &[(81.1, "（%）")]);
        put(&mut g, 464.05, &[(169.5, "25%"), (308.7, "50%"), (383.7, "75%"), (438.3, "100%")]);
        let (breaks, blocks) = rows_of(&g, &[56.7, 130.2, 201.46, 260.46, 331.41, 409.1, 538.6]);
        assert_eq!(breaks_between(&breaks, 372.25, 397.45), 0, "{breaks:?}");
        assert_eq!(breaks_between(&breaks, 397.45, 407.15), 1, "{breaks:?}");
        assert_eq!(breaks_between(&breaks, 432.35, 443.15), 1, "{breaks:?}");
        // 其中：财政 · 资 / 金 is no label set a glyph a line, though 资 is alone in its piece.
        assert!(blocks.iter().any(|b| b.col == 3 && b.top == 372.25 && b.wrapped && !b.stacked));
    }

    #[test]
    fn a_forms_one_line_rows_are_rows_though_some_start_in_two_columns_only() {
        // tongnan_2021 three-line page 2 (open_hrules, Chromium), the form at the page foot as
        // its columns there lie: rows 15.8 pt apart, two of them 21.7 (项目性质（常年或一 / 次）
        // wrapped, 1227 centred beside it). 项目概况's row starts in two columns only, under
        // cells spanning the others; the wrapped label's pieces overlap 1227's and are no gap.
        let mut g: Vec<Glyph> = Vec::new();
        let rows: [(f64, &[(f64, &str)]); 7] = [
            (698.8, &[(72.5, "项目名称"), (287.7, "政务中心办公用房租赁费")]),
            (714.6, &[(72.5, "主管部门"), (192.6, "区政务服务管理办"), (356.2, "实施单位"), (446.8, "区政务服务管理办")]),
            (730.3, &[(342.7, "项目性质（常年或一")]),
            (736.3, &[(54.5, "资金总额（万元）"), (304.4, "1227"), (473.8, "常年")]),
            (742.3, &[(365.2, "次）")]),
            (758.1, &[(63.5, "项目起始时间"), (200.2, "2021年1月1日"), (347.2, "项目终止时间"), (449.3, "2021年12月31日")]),
            (773.8, &[(72.5, "项目概况"), (142.0, "潼南区行政服务中心租赁费用")]),
        ];
        for (top, pieces) in rows {
            put(&mut g, top, pieces);
        }
        let (breaks, _) = rows_of(&g, &[51.0, 135.0, 280.0, 420.0, 544.5]);
        assert_eq!(breaks.len(), 4, "five rows: {breaks:?}");
        assert!(breaks[1] > 723.6 && breaks[1] < 730.3, "{breaks:?}");
    }

    #[test]
    fn labels_of_the_leading_columns_centred_on_a_row_gap_leave_one_boundary_there() {
        // jialing_lab_2024 three-line page 2 (open_continued): 满意度指标 | 服务对象满意度指标 sit
        // centred on the gap between 学生满意度 and 教师满意度, two of the four columns.
        let mut g: Vec<Glyph> = Vec::new();
        for (top, three, value) in [(76.0, "实验室开放共享机制", "长期有效"), (100.0, "学生满意度", "≥90%"), (124.0, "教师满意度", "≥90%")] {
            g.extend(word(three, 205.0, top, 10.0));
            g.extend(word(value, 355.0, top, 10.0));
        }
        g.extend(word("满意度指标", 55.0, 112.0, 10.0));
        g.extend(word("服务对象满意", 115.0, 112.0, 10.0));
        let (breaks, _) = rows_of(&g, &[50.0, 110.0, 200.0, 350.0, 450.0]);
        assert_eq!(breaks.len(), 2, "{breaks:?}");
        assert!((breaks[1] - 117.0).abs() < 1.0, "{breaks:?}");
        // Chromium sets the rows tighter: the labels reach into both rows' lines and cross the
        // boundary between them, which still stands.
        let mut g: Vec<Glyph> = Vec::new();
        for (top, three, value) in [(84.0, "实验室开放共享机制", "长期有效"), (100.0, "学生满意度", "≥90%"), (116.0, "教师满意度", "≥90%")] {
            g.extend(word(three, 205.0, top, 10.0));
            g.extend(word(value, 355.0, top, 10.0));
        }
        g.extend(word("满意度指标", 55.0, 108.0, 10.0));
        g.extend(word("服务对象满意", 115.0, 108.0, 10.0));
        let (breaks, _) = rows_of(&g, &[50.0, 110.0, 200.0, 350.0, 450.0]);
        assert_eq!(breaks.len(), 2, "{breaks:?}");
        assert!((breaks[1] - 113.0).abs() < 1.0, "{breaks:?}");
    }

    #[test]
    fn labels_beside_the_first_line_of_a_wrapped_cell_leave_its_row_whole() {
        // tongnan_2021 three-line page 1 (open_hrules, LibreOffice): 效益指标 | 社会效益指标 are
        // centred against the rows they span, which sets them beside the first line of 指标 2's
        // two lines, its figure centred on both; the row above (指标 1) ends 5.8 pt higher. The
        // boundary stays in the gap above 指标 2, none runs under the labels through its row.
        let mut g: Vec<Glyph> = Vec::new();
        g.extend(word("指标1:提高办事效率，为企业和办事群众提供优质服", 199.4, 600.25, 9.0));
        g.extend(word("务，间接促进社会投资，助推经济发展。", 199.4, 616.45, 9.0));
        g.extend(word("满意度≧90%", 433.3, 608.35, 9.0));
        g.extend(word("经济效益指标", 138.3, 608.35, 9.0));
        g.extend(word("指标1:推进行政审批服务网络化、便利化。", 199.4, 635.15, 9.0));
        g.extend(word("满意度≧90%", 451.3, 635.15, 9.0));
        g.extend(word("效益指标", 87.0, 652.65, 9.0));
        g.extend(word("社会效益指标", 138.3, 652.65, 9.0));
        g.extend(word("指标2:改善政务环境，提供服务质量，方便企业、群", 199.4, 653.75, 9.0));
        g.extend(word("众办事。", 199.4, 669.95, 9.0));
        g.extend(word("满意度≧90%", 451.3, 661.85, 9.0));
        g.extend(word("指标1:推进行政审批服务便利化，改善政务服务环", 199.4, 688.85, 9.0));
        g.extend(word("境，优化政务服务质量，方便企业、群众办事。", 199.4, 704.95, 9.0));
        g.extend(word("满意度≧90%", 451.3, 696.85, 9.0));
        let (breaks, _) = rows_of(&g, &[55.0, 80.0, 133.0, 195.0, 425.0, 540.0]);
        assert!(breaks.iter().any(|&y| y > 644.0 && y < 653.0), "{breaks:?}");
        assert!(!breaks.iter().any(|&y| y > 653.0 && y < 679.0), "{breaks:?}");
    }

    #[test]
    fn labels_centred_on_their_rows_text_are_centred_on_the_rows() {
        // tongnan_2021 three-line page 1 (open_hrules, LibreOffice), 二级指标's labels and the row
        // edges found from the text: 社会效益指标 (middle 658.05) is centred on its two rows'
        // text (635.15 to 681.75), but the edges sit at 627.15 and 680.8 (halfway to text that
        // starts in another column), 4.1 pt off: within a glyph's half.
        let mut ys = vec![0.0; 7];
        ys.extend([
            276.05, 295.55, 314.30, 333.80, 352.55, 371.30, 390.05, 408.75, 427.55, 446.25, 465.05, 483.80, 502.55, 521.30, 540.05, 558.80,
            577.55, 596.30, 627.15, 649.30, 680.80, 715.70, 760.45, 776.45,
        ]);
        let labels = [
            (7, 7, 285.45),
            (10, 10, 343.15),
            (13, 14, 408.75),
            (16, 17, 465.05),
            (21, 21, 549.45),
            (24, 24, 613.75),
            (26, 26, 658.05),
            (27, 27, 702.30),
            (28, 28, 747.30),
        ];
        let rows = centred_partition(&labels, (7, 29), &ys).expect("every label centred");
        assert_eq!(rows, vec![(7, 7), (8, 12), (13, 14), (15, 18), (19, 23), (24, 24), (25, 26), (27, 27), (28, 29)]);
    }

    #[test]
    fn labels_in_a_row_gap_beside_a_stacked_label_leave_one_boundary_there() {
        // jialing_lab_2024 three-line page 1 (open_continued, LibreOffice): 产出指标 | 数量指标
        // sit in the gap between two rows, beside 绩/效/指/标 set a glyph a line in the column
        // before them. The stack reaches over the labels: their column is a label column too,
        // and the gap is one boundary, not a row of labels.
        let mut g: Vec<Glyph> = Vec::new();
        for top in [379.9, 398.6, 417.4, 436.1, 454.9, 473.6, 492.4, 511.1, 529.9] {
            g.extend(word("更新物理实验教学", 199.4, top, 9.0));
            g.extend(word("≥85(台套)", 456.0, top, 9.0));
        }
        // A cell of two lines wrapped at the pitch the stack is set at (LibreOffice's 项目概况).
        g.extend(word("更新基础化学、大学物理实验教学设备", 199.4, 345.0, 9.0));
        g.extend(word("系统，配置危化品智能柜", 199.4, 361.2, 9.0));
        g.extend(word("产出指标", 87.0, 464.2, 9.0));
        g.extend(word("数量指标", 147.3, 464.2, 9.0));
        for (ch, top) in [("绩", 430.3), ("效", 446.4), ("指", 462.6), ("标", 478.7)] {
            g.extend(word(ch, 61.9, top, 9.0));
        }
        let (breaks, _) = rows_of(&g, &[55.0, 80.0, 140.0, 190.0, 450.0, 510.0]);
        assert_eq!(breaks.len(), 9, "{breaks:?}");
        assert!(breaks.iter().any(|&y| (y - 468.7).abs() < 1.5), "{breaks:?}");
    }

    #[test]
    fn a_boundary_below_wrapped_cells_runs_where_it_crosses_none_of_them() {
        // shanhaiguan_2021 three-line page 2 (open_hrules, LibreOffice), the last two rows: in the
        // first, 可持续影响指/标 and 网络安全稳定运/行 are wrapped, the other columns' one line
        // centred between their lines; in the second, 服务对象满意/度指标 is wrapped. The
        // boundary halfway under the centred lines would cut the wrapped cells' last lines off;
        // the gap under them is the same boundary, crossing nothing. (The candidate halfway
        // between the stack and the label under it, 满意度指标, falls on those last lines.)
        let mut g: Vec<Glyph> = Vec::new();
        // The row above, and 效/益/指/标 stacked beside the rows it spans, ending in the first.
        g.extend(word("生态效益指标", 118.7, 206.35, 9.0));
        g.extend(word("资源消耗", 249.0, 206.35, 9.0));
        g.extend(word("≥95百分比", 411.5, 206.35, 9.0));
        g.extend(word("年度工作计划", 474.4, 206.35, 9.0));
        for (k, ch) in ["效", "益", "指", "标"].iter().enumerate() {
            g.extend(word(ch, 82.4, 192.75 + 9.0 * k as f64, 9.0));
        }
        g.extend(word("可持续影响指", 118.7, 225.15, 9.0));
        g.extend(word("标", 141.2, 241.25, 9.0));
        g.extend(word("网络安全稳定运", 180.2, 225.15, 9.0));
        g.extend(word("行", 207.2, 241.25, 9.0));
        g.extend(word("网络安全稳定运行", 249.0, 233.15, 9.0));
        g.extend(word("≥95百分比", 411.5, 233.15, 9.0));
        g.extend(word("年度工作计划", 474.4, 233.15, 9.0));
        g.extend(word("服务对象满意", 118.7, 260.05, 9.0));
        g.extend(word("度指标", 132.2, 276.15, 9.0));
        g.extend(word("满意度指标", 63.0, 268.05, 9.0));
        g.extend(word("活动完成率", 189.2, 268.05, 9.0));
        g.extend(word("工作顺利完成", 249.0, 268.05, 9.0));
        g.extend(word("≥95百分比", 411.5, 268.05, 9.0));
        g.extend(word("年度工作计划", 474.4, 268.05, 9.0));
        let (breaks, _) = rows_of(&g, &[56.7, 113.35, 176.45, 246.1, 397.75, 466.9, 538.6]);
        assert!(breaks.iter().any(|&y| y > 250.25 && y < 260.05), "{breaks:?}");
        assert!(!breaks.iter().any(|&y| y > 234.15 && y < 250.25), "{breaks:?}");
    }

    #[test]
    fn a_label_stacked_a_glyph_a_line_spans_its_rows_and_leaves_their_boundaries() {
        // shanhaiguan_2021 (open_norules, LibreOffice): 产/出/指/标 set one glyph a line beside
        // four rows, the second and third of two wrapped lines each. The stack is taller than a
        // label of two lines but crosses the row boundaries as any label does.
        let mut g: Vec<Glyph> = Vec::new();
        for (top, two, three) in [(100.0, "数量指标", "综合事务保障率"), (124.0, "质量指标", "网络数据平台建"), (160.0, "时效指标", "网络安全建设正"), (196.0, "成本指标", "项目成本")] {
            g.extend(word(two, 120.0, top, 9.0));
            g.extend(word(three, 200.0, top, 9.0));
        }
        g.extend(word("设任务完成情况", 200.0, 136.0, 9.0));
        g.extend(word("式运行时间", 200.0, 172.0, 9.0));
        for (k, ch) in ["产", "出", "指", "标"].iter().enumerate() {
            g.extend(word(ch, 82.0, 131.0 + 10.0 * k as f64, 9.0));
        }
        let (breaks, blocks) = rows_of(&g, &[60.0, 110.0, 190.0, 320.0]);
        assert_eq!(breaks.len(), 3, "{breaks:?}");
        let stack = blocks.iter().find(|b| b.col == 0).unwrap();
        assert!(stack.stacked && stack.wrapped);
        let ys: Vec<f64> = [95.0].into_iter().chain(breaks.iter().copied()).chain([210.0]).collect();
        assert_eq!(centred_rows(stack, (1, 2), &ys, None, |_| true), Some((0, 3)));
    }

    #[test]
    fn labels_centred_one_after_another_partition_their_column() {
        // Rows 20 pt apart from y = 100. Rows 0-3 continue a label of the page before; then a
        // label centred against rows 4-9 (middle 240), one against rows 10-15 (middle 360) and
        // one against rows 16-17 (middle 440).
        let ys: Vec<f64> = (0..=18).map(|i| 100.0 + 20.0 * i as f64).collect();
        let labels = [(6, 7, 240.0), (12, 13, 360.5), (16, 17, 440.0)];
        assert_eq!(centred_partition(&labels, (0, 17), &ys), Some(vec![(4, 9), (10, 15), (16, 17)]));
        // The first label alone is as centred against rows 0-13, which the second needs.
        let alone = Block { col: 0, top: 235.0, bottom: 245.0, words: true, x0: 0.0, x1: 20.0, wrapped: false, stacked: false };
        assert_ne!(centred_rows(&alone, (6, 7), &ys, None, |r| !(12..=13).contains(&r)), Some((4, 9)));
        // A label far off the middle of any rows it could span: the column is not set centred.
        let off = [(6, 7, 240.0), (12, 12, 345.0), (16, 17, 440.0)];
        assert_eq!(centred_partition(&off, (4, 17), &ys), None);
    }

    #[test]
    fn a_figure_level_with_its_rows_text_stays_in_its_row_though_rows_around_centre_on_it() {
        // yutian_2024 three-line page 4 (open_hrules, LibreOffice), the form 3.优化营商环境刻章服务
        // 经费: 750000.00 beside 其中：财政 / 金 in the 预算数 row, between a code wrapped in three
        // lines above and a use wrapped in three below. The row's lower edge lies right under 金
        // (预算规模及资金 / 用途, centred on two rows, starts there), so the row's middle is 4 pt
        // above the figure's and the three rows' middle is nearer; the row's text is centred on it.
        let figure = Block { col: 2, top: 262.95, bottom: 271.95, words: false, x0: 214.4, x1: 257.4, wrapped: false, stacked: false };
        let ys = [199.05, 246.0, 280.25, 336.55];
        assert_eq!(centred_rows(&figure, (1, 1), &ys, None, |_| true), Some((0, 2)));
        assert_eq!(centred_rows(&figure, (1, 1), &ys, Some((254.95, 280.05)), |_| true), None);
    }

    #[test]
    fn labels_of_one_level_span_whole_labels_of_the_next() {
        // binjiang_perf_2023 without rules (open_norules): 产出指标 and 效果指标 a few points off
        // the middles of their rows, so that splitting 效果指标's 二级 label (rows 2-5) is nearer
        // to centred; spans starting only where a label of the next column starts are whole.
        let ys: Vec<f64> = (0..=6).map(|i| 10.0 * i as f64).collect();
        let labels = [(1, 1, 13.0), (4, 4, 43.0)];
        assert_eq!(centred_partition(&labels, (0, 5), &ys), Some(vec![(0, 2), (3, 5)]));
        assert_eq!(centred_partition_at(&labels, (0, 5), &ys, |r| r == 0 || r == 2), Some(vec![(0, 1), (2, 5)]));
    }
}
