//! Glyphs → text lines → text, in reading order. Shared by cells, open tables and the context
//! lines above tables.

use crate::decode::pdf::Glyph;

/// Whether a character belongs to a script written without spaces between words.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF | 0x3000..=0x303F | 0x3040..=0x30FF | 0x3100..=0x312F | 0x3190..=0x31FF
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x2FA1F)
}

/// Reading frame of a group of glyphs: `u` along the baseline, `v` across lines (downwards in
/// text space). Upright text: u = x, v = y; text turned 90° clockwise reads top to bottom with
/// lines going leftwards; turned counter-clockwise it reads bottom to top, lines going right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Upright,
    Down,
    Up,
}

impl Direction {
    pub fn of(glyphs: &[&Glyph]) -> Direction {
        let (mut up, mut down, mut upright) = (0, 0, 0);
        for g in glyphs {
            let r = g.rotation;
            if (r - 90.0).abs() < 20.0 {
                down += 1;
            } else if (r + 90.0).abs() < 20.0 {
                up += 1;
            } else {
                upright += 1;
            }
        }
        if down > upright && down >= up {
            Direction::Down
        } else if up > upright {
            Direction::Up
        } else {
            Direction::Upright
        }
    }

    /// (u0, u1, v centre) of a glyph box in this frame.
    fn frame(&self, g: &Glyph) -> (f64, f64, f64) {
        match self {
            Direction::Upright => (g.x0, g.x1, g.cy()),
            Direction::Down => (g.top, g.bottom, -g.cx()),
            Direction::Up => (-g.bottom, -g.top, g.cx()),
        }
    }
}

/// One line of text: its glyphs in reading order.
#[derive(Debug, Clone)]
pub struct TextLine<'a> {
    pub glyphs: Vec<&'a Glyph>,
    pub x0: f64,
    pub top: f64,
    pub x1: f64,
    pub bottom: f64,
    /// Median glyph size.
    pub size: f64,
}

impl TextLine<'_> {
    pub fn text(&self) -> String {
        join_line(&self.glyphs, Direction::Upright)
    }

    /// The characters of the glyphs lying within `x0..x1` (a chunk's text), as they are.
    pub fn text_between(&self, x0: f64, x1: f64) -> String {
        self.glyphs.iter().filter(|g| g.x0 >= x0 - 0.1 && g.x1 <= x1 + 0.1).map(|g| g.ch).collect()
    }
}

/// Groups glyphs into lines (by the centre across the baseline) and orders each line along it.
pub fn lines<'a>(glyphs: &[&'a Glyph], dir: Direction) -> Vec<TextLine<'a>> {
    let mut keyed: Vec<(f64, &'a Glyph)> = glyphs.iter().map(|g| (dir.frame(g).2, *g)).collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<TextLine<'a>> = Vec::new();
    let mut current: Vec<&'a Glyph> = Vec::new();
    let mut line_v = 0.0;
    let mut line_size: f64 = 0.0;
    for (v, g) in keyed {
        if !current.is_empty() && (v - line_v).abs() > 0.5 * line_size.max(g.size) {
            out.push(finish_line(std::mem::take(&mut current), dir));
        }
        if current.is_empty() {
            line_v = v;
            line_size = g.size;
        } else {
            // Running mean keeps a line together when its glyphs drift slightly.
            let n = current.len() as f64;
            line_v = (line_v * n + v) / (n + 1.0);
            line_size = line_size.max(g.size);
        }
        current.push(g);
    }
    if !current.is_empty() {
        out.push(finish_line(current, dir));
    }
    out
}

fn finish_line(mut glyphs: Vec<&Glyph>, dir: Direction) -> TextLine<'_> {
    glyphs.sort_by(|a, b| dir.frame(a).0.total_cmp(&dir.frame(b).0));
    let x0 = glyphs.iter().map(|g| g.x0).fold(f64::MAX, f64::min);
    let x1 = glyphs.iter().map(|g| g.x1).fold(f64::MIN, f64::max);
    let top = glyphs.iter().map(|g| g.top).fold(f64::MAX, f64::min);
    let bottom = glyphs.iter().map(|g| g.bottom).fold(f64::MIN, f64::max);
    let mut sizes: Vec<f64> = glyphs.iter().map(|g| g.size).collect();
    sizes.sort_by(f64::total_cmp);
    let size = sizes[sizes.len() / 2];
    TextLine { glyphs, x0, top, x1, bottom, size }
}

/// The text of one line: a space where the gap between two glyphs is word-sized, except
/// between CJK characters (a CJK line has no spaces in the text layer's sense).
pub fn join_line(glyphs: &[&Glyph], dir: Direction) -> String {
    let mut s = String::with_capacity(glyphs.len() * 3);
    let mut prev: Option<(&Glyph, f64)> = None;
    for g in glyphs {
        let (u0, u1, _) = dir.frame(g);
        if let Some((p, p_end)) = prev {
            let gap = u0 - p_end;
            let threshold = 0.2 * g.size.max(p.size);
            if gap > threshold && !(is_cjk(p.ch) && is_cjk(g.ch)) {
                s.push(' ');
            }
        }
        s.push(g.ch);
        prev = Some((g, u1));
    }
    s
}

/// Joins wrapped lines: a space between two ASCII letters/digits, nothing otherwise (CJK text
/// and vertical labels written one character per line join without spaces).
pub fn join_lines<I: IntoIterator<Item = String>>(lines: I) -> String {
    let mut out = String::new();
    for line in lines {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let (Some(a), Some(b)) = (out.chars().last(), line.chars().next()) {
            if a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric() {
                out.push(' ');
            }
        }
        out.push_str(line);
    }
    out
}

/// The text of a cell (or any block): lines in reading order, wrapped lines joined.
pub fn block_text(glyphs: &[&Glyph]) -> String {
    if glyphs.is_empty() {
        return String::new();
    }
    let dir = Direction::of(glyphs);
    let lines = lines(glyphs, dir);
    join_lines(lines.iter().map(|l| join_line(&l.glyphs, dir)))
}

/// A run of glyphs on one line with no cell-sized gap: the unit of column evidence from text.
#[derive(Debug, Clone, Copy)]
pub struct Chunk {
    pub x0: f64,
    pub x1: f64,
}

/// A line's chunks: glyphs further apart than `gap` glyph sizes start a new chunk. A bullet
/// ("•") belongs to the item it marks: a chunk of a bullet alone joins the text after it when
/// that follows within [`BULLET_GAP`] glyph sizes (a list inside a cell is no column of bullets).
pub fn chunks(line: &TextLine, gap: f64) -> Vec<Chunk> {
    let mut out: Vec<Chunk> = Vec::new();
    let mut bullet_alone = false;
    for g in &line.glyphs {
        match out.last_mut() {
            Some(c) if g.x0 - c.x1 <= gap * line.size || (bullet_alone && g.x0 - c.x1 <= BULLET_GAP * line.size) => {
                c.x1 = c.x1.max(g.x1);
                bullet_alone = false;
            }
            _ => {
                out.push(Chunk { x0: g.x0, x1: g.x1 });
                bullet_alone = is_bullet(g.ch);
            }
        }
    }
    out
}

/// Widest gap between a bullet and the text it marks, in glyph sizes.
const BULLET_GAP: f64 = 3.0;

fn is_bullet(c: char) -> bool {
    matches!(c, '•' | '●' | '▪' | '■' | '◦' | '‣' | '∙')
}

/// x extents of a line's chunks.
pub fn chunk_spans(line: &TextLine, gap: f64) -> Vec<(f64, f64)> {
    chunks(line, gap).into_iter().map(|c| (c.x0, c.x1)).collect()
}

/// Each line's pieces: its chunks `gap` glyph sizes apart ([`chunk_spans`]).
pub fn line_pieces(lines: &[TextLine], gap: f64) -> Vec<Vec<(f64, f64)>> {
    lines.iter().map(|l| chunk_spans(l, gap)).collect()
}

/// Each line's pieces (`found`, from [`line_pieces`]), with a lone label folded into the line
/// just above it when it sits between two rows ([`side_label`]): a label set against the block
/// of rows it heads (项目资金（元） beside its six amounts, midway between the third and the
/// fourth; 二级指标 labels between two indicators) is a piece of those rows, not a line of its
/// own. Its own line is left without pieces.
pub fn with_side_labels(lines: &[TextLine], found: &[Vec<(f64, f64)>], leading: f64) -> Vec<Vec<(f64, f64)>> {
    let mut spans = found.to_vec();
    for i in 1..lines.len().saturating_sub(1) {
        let three = [&lines[i - 1], &lines[i], &lines[i + 1]];
        if beside_rows(three, [&found[i - 1], &found[i], &found[i + 1]], leading) {
            let piece = found[i][0];
            spans[i - 1].insert(0, piece);
            spans[i].clear();
        }
    }
    spans
}

/// Takes out of each line's pieces (`spans`, as [`with_side_labels`] gives them) the tails a
/// producer spread off a centred cell's first line ([`drop_spread_tail`]), judged on the lines'
/// own pieces (`found`). The line under a wrapped cell's first line may come after another row's
/// line set between the two (a figure centred beside the wrapped label): lines within `leading`
/// line heights below count.
pub fn drop_spread_tails(lines: &[TextLine], found: &[Vec<(f64, f64)>], spans: &mut [Vec<(f64, f64)>], leading: f64) {
    for i in 0..lines.len() {
        for j in (i + 1..lines.len()).take_while(|&j| height_and_gap(&lines[i], &lines[j]).1 <= leading * (lines[i].bottom - lines[i].top)) {
            drop_spread_tail(&mut spans[i], &found[j], lines[i].size);
        }
    }
}

/// Two pieces of a line this many glyph sizes apart at most may be one cell's line spread out.
const SPREAD_GAP: f64 = 2.0;
/// A line centred on another lies within this (points) of its middle.
const CENTRED_WITHIN: f64 = 1.0;

/// Evidence: a label wrapped in its cell and set centred, its first line spread out by the
/// producer (其中：财政 资 / 金): the piece under two neighbouring pieces, inside their joint
/// extent, is centred on that extent and on neither piece. The two are one line of one cell:
/// the spread-off tail is no evidence of a column (else 资 alone stands in a column of its own),
/// and the cell's column is the one its first piece shows.
fn drop_spread_tail(pieces: &mut Vec<(f64, f64)>, below: &[(f64, f64)], size: f64) {
    let mid = |p: (f64, f64)| (p.0 + p.1) / 2.0;
    let mut k = 0;
    while k + 1 < pieces.len() {
        let (a, b) = (pieces[k], pieces[k + 1]);
        let joint = (a.0, b.1);
        let centred = below.iter().any(|&p| {
            p.0 > joint.0 && p.1 < joint.1 && (mid(p) - mid(joint)).abs() <= CENTRED_WITHIN && (mid(p) - mid(a)).abs() > CENTRED_WITHIN && (mid(p) - mid(b)).abs() > CENTRED_WITHIN
        });
        if b.0 - a.1 <= SPREAD_GAP * size && centred {
            pieces.remove(k + 1);
        } else {
            k += 1;
        }
    }
}

/// Whether `label` is a lone piece set between the rows `prev` and `next` (no further apart
/// than `leading` line heights), centred between them and left of all their pieces, of which
/// each has two or more: a label set against the block of rows it heads.
pub fn side_label(prev: &TextLine, label: &TextLine, next: &TextLine, gap: f64, leading: f64) -> bool {
    let [above, own, below] = [prev, label, next].map(|l| chunk_spans(l, gap));
    beside_rows([prev, label, next], [&above, &own, &below], leading)
}

/// Whether `label` is a lone piece set between the two lines of a paragraph wrapped in its
/// cell beside it (绩效目标 between 1.保证… and 2.保障…): each line one piece, both starting at
/// one place right of the label, the label centred between them no further apart than
/// `leading` line heights. The three lines are one row of a form.
pub fn label_beside_paragraph(prev: &TextLine, label: &TextLine, next: &TextLine, gap: f64, leading: f64) -> bool {
    let [above, own, below] = [prev, label, next].map(|l| chunk_spans(l, gap));
    let ([a], [piece], [b]) = (&above[..], &own[..], &below[..]) else { return false };
    between_lines(prev, label, next, leading) && (a.0 - b.0).abs() < 1.0 && a.0 > piece.1
}

/// Whether `first` and `second` are the two lines of one cell wrapped around the row `row`
/// (a project code too long for its cell, 13020925P00010510001 / G, beside 项目编码 | 项目名称
/// | name set centred on the row): one piece each, starting at one place or centred on one
/// (建设项目环评执 / 行率), in a gap between the row's pieces, the row centred between them no
/// further apart than `leading` line heights.
pub fn cell_wrapped_around(first: &TextLine, row: &TextLine, second: &TextLine, gap: f64, leading: f64) -> bool {
    let [above, own, below] = [first, row, second].map(|l| chunk_spans(l, gap));
    let ([a], [b]) = (&above[..], &below[..]) else { return false };
    let (x0, x1) = (a.0.min(b.0), a.1.max(b.1));
    let one_cell = (a.0 - b.0).abs() < 1.0 || ((a.0 + a.1) - (b.0 + b.1)).abs() / 2.0 < 1.0;
    own.len() >= 2 && between_lines(first, row, second, leading) && one_cell && own.iter().all(|p| p.1 <= x0 || p.0 >= x1)
}

/// Whether `label`'s middle lies between the middles of `prev` and `next`, set no further
/// apart than `leading` line heights.
fn between_lines(prev: &TextLine, label: &TextLine, next: &TextLine, leading: f64) -> bool {
    let centre = |l: &TextLine| (l.top + l.bottom) / 2.0;
    let (height, gap) = height_and_gap(prev, next);
    centre(prev) < centre(label) && centre(label) < centre(next) && gap <= leading * height
}

/// [`side_label`] on three successive lines and their pieces.
fn beside_rows([prev, label, next]: [&TextLine; 3], [above, own, below]: [&[(f64, f64)]; 3], leading: f64) -> bool {
    let [piece] = own[..] else { return false };
    let left_of = |pieces: &[(f64, f64)]| pieces.len() >= 2 && pieces.iter().all(|&(x0, _)| x0 > piece.1);
    between_lines(prev, label, next, leading) && left_of(above) && left_of(below)
}

/// The taller height of two successive lines and the gap between them.
pub fn height_and_gap(prev: &TextLine, next: &TextLine) -> (f64, f64) {
    ((prev.bottom - prev.top).max(next.bottom - next.top), next.top - prev.bottom)
}

/// Gaps between text columns: the chunk extents of lines with two or more chunks, merged where
/// they overlap; a gap is kept only when at least `min_rows` lines have several chunks, those
/// lines are at least half of all lines, and no chunk of any line (single-chunk lines included)
/// crosses it. Returns the gap midpoints.
pub fn column_gaps(lines: &[Vec<(f64, f64)>], min_rows: usize) -> Vec<f64> {
    let multi: Vec<&Vec<(f64, f64)>> = lines.iter().filter(|l| l.len() >= 2).collect();
    if multi.len() < min_rows || multi.len() * 2 < lines.len() {
        return Vec::new();
    }
    let columns = merged_extents(multi.iter().flat_map(|l| l.iter().copied()).collect());
    columns
        .windows(2)
        .map(|w| (w[0].1 + w[1].0) / 2.0)
        .filter(|&x| !lines.iter().flatten().any(|&(s, e)| s < x && e > x))
        .collect()
}

/// Intervals sorted and merged where they overlap: the x ranges text columns occupy.
pub fn merged_extents(mut spans: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut columns: Vec<(f64, f64)> = Vec::new();
    for (s, e) in spans {
        match columns.last_mut() {
            Some(c) if s <= c.1 => c.1 = c.1.max(e),
            _ => columns.push((s, e)),
        }
    }
    columns
}

/// What a column boundary costs where no piece of any line runs across it; each line whose
/// piece runs across it adds up to [`CROSSING_COST`] (that piece is a cell spanning columns,
/// common in forms). A gap between two pieces of a line left without a boundary costs its width
/// in glyph sizes beyond the first, at most [`MERGED_GAP_COST`] (those pieces become one cell: a
/// gap of a glyph or less is as likely spaces between words of a cell, a wide one is a column
/// gap).
const BOUNDARY_COST: f64 = 0.5;
const CROSSING_COST: f64 = 0.4;
const MERGED_GAP_COST: f64 = 2.0;
/// Gap ends closer than this (points) are one: a spanning piece starting a point after the
/// text above ends does not make a boundary of its own.
const END_TOLERANCE: f64 = 1.5;
/// A boundary's cost falls by this much per point of its stretch's width (up to two glyphs):
/// of two places otherwise equal, the wider gutter.
const WIDTH_PREFERENCE: f64 = 0.001;
/// How many of the x positions differ by [`END_TOLERANCE`] or more.
fn distinct_ends(xs: impl Iterator<Item = f64>) -> usize {
    let mut xs: Vec<f64> = xs.collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup_by(|a, b| (*a - *b).abs() < END_TOLERANCE);
    xs.len()
}

/// Pieces of different widths aligned on a stretch's end, beyond the first
/// [`ALIGNED_FREE_PIECES`], each take this off its cost, at most [`ALIGNED_BONUS_CAP`]: a column
/// edge many lines share outweighs a few spanning cells of a form above across it.
const ALIGNED_PIECE_BONUS: f64 = 0.1;
const ALIGNED_FREE_PIECES: usize = 2;
const ALIGNED_BONUS_CAP: f64 = 1.0;
/// A part of a table (a form above its indicator rows, `part_start` where the indicator header
/// starts them) has a column of its own where this many pieces of different widths lie
/// aligned.
const PART_EDGE_LINES: usize = 3;
/// A piece across a boundary counts fully once its shorter side is this share of it or more.
const OVERHANG_WEIGHT: f64 = 4.0;

/// Text columns of a table whose cells span columns in some rows (a form: 项目编码 | code over
/// two columns | 项目名称 | name over two), from the gaps between each line's pieces rather than
/// from where the pieces lie: merging the pieces' extents joins every column a spanning piece
/// touches. The boundaries are the set that costs least ([`BOUNDARY_COST`], [`MERGED_GAP_COST`]):
/// each line's gaps want a boundary, each boundary wants no piece across it. `lines` holds each
/// line's pieces (x0, x1); `size` is the glyph size; `separations` the stretches between text
/// columns as the pieces' extents show them. Returns the column extents between the chosen
/// boundaries, left to right.
pub fn columns_from_gaps(lines: &[Vec<(f64, f64)>], size: f64, separations: &[(f64, f64)], part_start: Option<usize>) -> Vec<(f64, f64)> {
    // (left, right, cost when left without a boundary) of every gap between a line's pieces.
    let mut gaps: Vec<(f64, f64, f64)> = Vec::new();
    for line in lines {
        let mut pieces = line.clone();
        pieces.sort_by(|a, b| a.0.total_cmp(&b.0));
        gaps.extend(pieces.windows(2).filter(|w| w[1].0 > w[0].1).map(|w| (w[0].1, w[1].0, ((w[1].0 - w[0].1) / size.max(1.0) - 1.0).clamp(0.0, MERGED_GAP_COST))));
    }
    // Stretches between columns found from where the text lies part text that never shares a
    // line (a label column whose labels sit beside wrapped text of the next): they want a
    // boundary as much.
    gaps.extend(separations.iter().map(|&(a, b)| (a, b, MERGED_GAP_COST)));
    // Candidate boundaries: the stretches between successive piece ends (closer ends are one)
    // inside a gap, each with its cost.
    let mut ends: Vec<f64> = lines.iter().flatten().flat_map(|&(a, b)| [a, b]).collect();
    ends.sort_by(f64::total_cmp);
    ends.dedup_by(|a, b| (*a - *b).abs() < END_TOLERANCE);
    let candidates: Vec<(f64, f64, f64, bool)> = ends
        .windows(2)
        .filter(|w| gaps.iter().any(|g| g.0 <= w[0] + END_TOLERANCE && g.1 >= w[1] - END_TOLERANCE))
        .map(|w| {
            let mid = (w[0] + w[1]) / 2.0;
            // Each line's piece across it, weighed by how much of the piece lies on its shorter
            // side: a cell spanning two columns reaches well into both, a piece overhanging a
            // boundary by a glyph hardly does.
            let free = match part_start {
                Some(k) if part_column_starts(&lines[..k], (w[0], w[1])) => k..lines.len(),
                _ => 0..0,
            };
            let across: f64 = lines
                .iter()
                .enumerate()
                .filter(|(k, _)| !free.contains(k))
                .filter_map(|(_, l)| piece_across(l, mid))
                .map(|p| (OVERHANG_WEIGHT * (mid - p.0).min(p.1 - mid) / (p.1 - p.0)).min(1.0))
                .sum();
            let parted = separations.iter().any(|&(a, b)| a <= w[0] + END_TOLERANCE && b >= w[1] - END_TOLERANCE);
            // Pieces of different widths starting where the stretch ends (a left-aligned
            // column) or ending where it starts (right-aligned figures) mark a column edge.
            // Pieces of one width may as well be centred (二级指标's labels of four glyphs).
            let starting = distinct_ends(lines.iter().flatten().filter(|p| (p.0 - w[1]).abs() < END_TOLERANCE).map(|p| p.1));
            let ending = distinct_ends(lines.iter().flatten().filter(|p| (p.1 - w[0]).abs() < END_TOLERANCE).map(|p| p.0));
            let aligned = (ALIGNED_PIECE_BONUS * starting.max(ending).saturating_sub(ALIGNED_FREE_PIECES) as f64).min(ALIGNED_BONUS_CAP);
            // Of two stretches as good, the wider gutter.
            (w[0], w[1], BOUNDARY_COST + CROSSING_COST * across - aligned - WIDTH_PREFERENCE * (w[1] - w[0]).min(2.0 * size), parted)
        })
        .collect();
    let chosen = cheapest_boundaries(&candidates, &gaps, lines);
    let x0 = lines.iter().flatten().map(|p| p.0).fold(f64::MAX, f64::min);
    let x1 = lines.iter().flatten().map(|p| p.1).fold(f64::MIN, f64::max);
    let mut columns = Vec::with_capacity(chosen.len() + 1);
    let mut start = x0;
    for k in chosen {
        columns.push((start, candidates[k].0));
        start = candidates[k].1;
    }
    columns.push((start, x1));
    columns
}

/// A column holds text wholly inside it on at least this many lines (a space inside one
/// line's cell makes no column).
const COLUMN_LINES: usize = 2;

/// The piece of a line running across `x` by more than [`END_TOLERANCE`] on both sides.
fn piece_across(line: &[(f64, f64)], x: f64) -> Option<(f64, f64)> {
    line.iter().find(|p| p.0 < x - END_TOLERANCE && p.1 > x + END_TOLERANCE).copied()
}

/// Whether a stretch `(left, right)` is an edge of the columns of a part of a table (`lines`,
/// the part above another): the first pieces right of it on its lines that do not cross it make
/// a column starting where the stretch ends, three widths or more, left-aligned or centred on
/// one middle (a form's 实施单位 | 项目性质 | 项目终止时间). The other part's pieces across it are
/// cells spanning that part's columns.
fn part_column_starts(lines: &[Vec<(f64, f64)>], (left, right): (f64, f64)) -> bool {
    let mid = (left + right) / 2.0;
    let after: Vec<(f64, f64)> = lines
        .iter()
        .filter(|l| piece_across(l, mid).is_none())
        .filter_map(|l| l.iter().find(|p| p.0 >= right - END_TOLERANCE).copied())
        .collect();
    let starts = |x: f64| (x - right).abs() < END_TOLERANCE;
    let centred_on_a_start = |a: &(f64, f64)| after.iter().any(|b| starts(b.0) && ((b.0 + b.1) - (a.0 + a.1)).abs() / 2.0 < END_TOLERANCE);
    let column: Vec<(f64, f64)> = after.iter().filter(|a| starts(a.0) || centred_on_a_start(a)).copied().collect();
    distinct_ends(column.iter().map(|p| p.1 - p.0)) >= PART_EDGE_LINES && column.iter().any(|p| starts(p.0))
}

/// The candidates (left, right, cost, inside a separation) to draw as boundaries so that their
/// costs plus the costs of the gaps (left, right, cost) holding none of them are least, every
/// column between two holding text of [`COLUMN_LINES`] lines unless separations bound it: a
/// shortest path over the candidates from left to right, where stepping from one boundary to the
/// next pays for the gaps lying wholly between. A column holds text of one line at least.
fn cheapest_boundaries(candidates: &[(f64, f64, f64, bool)], gaps: &[(f64, f64, f64)], lines: &[Vec<(f64, f64)>]) -> Vec<usize> {
    let n = candidates.len();
    let need = COLUMN_LINES.min(lines.iter().filter(|l| !l.is_empty()).count());
    // Cost of the gaps between two boundaries (None: the table's edge); None when too few
    // lines have text between them.
    let between = |from: Option<usize>, to: Option<usize>| -> Option<f64> {
        let lo = from.map_or(f64::MIN, |i| candidates[i].1) - END_TOLERANCE;
        let hi = to.map_or(f64::MAX, |j| candidates[j].0) + END_TOLERANCE;
        let holding = lines.iter().filter(|l| l.iter().any(|p| p.0 >= lo && p.1 <= hi)).take(need).count();
        let parted = |k: Option<usize>| k.is_none_or(|k| candidates[k].3);
        (holding >= need || (holding >= 1 && parted(from) && parted(to))).then(|| gaps.iter().filter(|g| g.0 >= lo && g.1 <= hi).map(|g| g.2).sum())
    };
    // best[j]: least cost of the boundaries up to candidate j drawn, and the one before it.
    let mut best: Vec<Option<(f64, Option<usize>)>> = Vec::with_capacity(n);
    for j in 0..n {
        let mut pick: Option<(f64, Option<usize>)> = between(None, Some(j)).map(|c| (c, None));
        for i in 0..j {
            let Some((so_far, _)) = best[i] else { continue };
            if let Some(c) = between(Some(i), Some(j)).map(|c| so_far + c) {
                if pick.is_none_or(|(p, _)| c < p) {
                    pick = Some((c, Some(i)));
                }
            }
        }
        best.push(pick.map(|(c, before)| (c + candidates[j].2, before)));
    }
    let mut last: (f64, Option<usize>) = (between(None, None).unwrap_or(f64::MAX), None);
    for j in 0..n {
        let Some((so_far, _)) = best[j] else { continue };
        if let Some(c) = between(Some(j), None).map(|c| so_far + c) {
            if c < last.0 {
                last = (c, Some(j));
            }
        }
    }
    let mut chosen = Vec::new();
    let mut at = last.1;
    while let Some(j) = at {
        chosen.push(j);
        at = best[j].and_then(|b| b.1);
    }
    chosen.reverse();
    chosen
}

/// Whether a table's pieces of text are a form's: fewer figures than half of them and Chinese
/// words in half or more (a page of Latin prose set in columns lines up as well, and forms are a
/// trait of the budget documents read here).
pub fn mostly_words<S: AsRef<str>>(pieces: &[S]) -> bool {
    let figures = pieces.iter().filter(|p| looks_like_number(p.as_ref())).count();
    let chinese = pieces.iter().filter(|p| p.as_ref().chars().any(is_cjk)).count();
    !pieces.is_empty() && figures * 2 < pieces.len() && chinese * 2 >= pieces.len()
}

/// A figure as tables print it: digits with separators, a sign, a percent, or a dash for none.
pub fn looks_like_number(text: &str) -> bool {
    let t = text.trim();
    let is_dash = !t.is_empty() && t.chars().all(|c| matches!(c, '-' | '—' | '–' | '.'));
    is_dash || (t.chars().any(|c| c.is_ascii_digit()) && t.chars().all(|c| c.is_ascii_digit() || ",.%()+-−$ ".contains(c)))
}

/// Whether a line reads as a table title ("…表", "…表（续）", "…表(2021)", "Table 2. …").
pub fn looks_like_title(line: &str) -> bool {
    let t: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    if t.ends_with('表') {
        return true;
    }
    // English reports: "Table 2. …", "TABLE 3 …", appendix tables "Table A-3. …", "Table B.1".
    let lower = t.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("table") {
        let rest = rest.as_bytes();
        let numbered = match rest {
            [d, ..] if d.is_ascii_digit() => true,
            [l, sep, d, ..] if l.is_ascii_lowercase() && matches!(sep, b'-' | b'.') && d.is_ascii_digit() => true,
            [l, d, ..] => l.is_ascii_lowercase() && d.is_ascii_digit(),
            _ => false,
        };
        if numbered {
            return true;
        }
    }
    for (open, close) in [('（', '）'), ('(', ')')] {
        if t.ends_with(close) {
            if let Some(i) = t.rfind(open) {
                if t[..i].ends_with('表') {
                    return true;
                }
            }
        }
    }
    false
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn glyph(ch: char, x: f64, top: f64, size: f64) -> Glyph {
        Glyph { ch, x0: x, top, x1: x + size * if is_cjk(ch) { 1.0 } else { 0.5 }, bottom: top + size, size, font: 0, rotation: 0.0 }
    }

    pub fn word(s: &str, x: f64, top: f64, size: f64) -> Vec<Glyph> {
        let mut out = Vec::new();
        let mut x = x;
        for ch in s.chars() {
            let g = glyph(ch, x, top, size);
            x = g.x1;
            out.push(g);
        }
        out
    }

    /// Words 9 pt tall at their (x, text) on the line whose top is `y`: a line of a page as
    /// pdftotext reports its pieces.
    pub fn put(g: &mut Vec<Glyph>, y: f64, pieces: &[(f64, &str)]) {
        pieces.iter().for_each(|&(x, t)| g.extend(word(t, x, y, 9.0)));
    }

    /// Words `size` pt tall on the line whose top is `y`, each word's glyphs spread evenly over
    /// its box (x0, x1) as pdftotext -bbox reports it.
    pub fn spread(g: &mut Vec<Glyph>, y: f64, size: f64, words: &[(f64, f64, &str)]) {
        for &(x0, x1, text) in words {
            let w = (x1 - x0) / text.chars().count() as f64;
            for (k, ch) in text.chars().enumerate() {
                let x = x0 + w * k as f64;
                g.push(Glyph { ch, x0: x, top: y, x1: x + w, bottom: y + size, size, font: 0, rotation: 0.0 });
            }
        }
    }

    #[test]
    fn a_tail_spread_off_a_centred_labels_first_line_is_no_piece_of_its_own() {
        // caofeidian_2021 three-line page 2 (open_hrules, LibreOffice): 其中：财政资金 wraps in its
        // cell as 其中：财政 · 资 / 金, the first line spread a glyph apart, 金 centred under the
        // whole of it; the row's figures sit on a line between the two.
        let lay = |below_x: f64| {
            let mut g = word("其中：财政", 262.6, 621.0, 10.0);
            g.extend(word("资", 322.8, 621.0, 10.0));
            for (x, t) in [(148.3, "预算数"), (231.1, "18.70"), (376.8, "18.70"), (417.8, "其他资金")] {
                g.extend(word(t, x, 629.9, 10.0));
            }
            g.extend(word("金", below_x, 638.9, 10.0));
            g
        };
        let pieces_of_the_label = |g: &[Glyph]| {
            let refs: Vec<&Glyph> = g.iter().collect();
            let lines = lines(&refs, Direction::Upright);
            let found = line_pieces(&lines, 0.45);
            let mut spans = with_side_labels(&lines, &found, 2.6);
            drop_spread_tails(&lines, &found, &mut spans, 2.6);
            let k = lines.iter().position(|l| l.text().starts_with("其中")).unwrap();
            spans[k].clone()
        };
        assert_eq!(pieces_of_the_label(&lay(292.7)).len(), 1);
        // 金 set flush left under 其中 is no centring evidence: the two pieces stay.
        assert_eq!(pieces_of_the_label(&lay(262.6)).len(), 2);
    }

    #[test]
    fn wrapped_cjk_joins_without_spaces_and_latin_with_one() {
        let mut gs = word("网络数据平", 10.0, 10.0, 10.0);
        gs.extend(word("台建设", 10.0, 22.0, 10.0));
        let refs: Vec<&Glyph> = gs.iter().collect();
        assert_eq!(block_text(&refs), "网络数据平台建设");
        let mut gs = word("total", 10.0, 10.0, 10.0);
        gs.extend(word("spend", 10.0, 22.0, 10.0));
        let refs: Vec<&Glyph> = gs.iter().collect();
        assert_eq!(block_text(&refs), "total spend");
    }

    #[test]
    fn vertical_labels_one_character_per_line_are_joined() {
        let gs: Vec<Glyph> = "绩效指标".chars().enumerate().map(|(i, c)| glyph(c, 20.0, 10.0 + 14.0 * i as f64, 10.0)).collect();
        // Arrival order scrambled: reading order comes from positions.
        let refs: Vec<&Glyph> = vec![&gs[2], &gs[0], &gs[3], &gs[1]];
        assert_eq!(block_text(&refs), "绩效指标");
    }

    #[test]
    fn rotated_text_reads_along_its_baseline() {
        // Bottom-to-top text (rotation -90): "AB" with A below B.
        let a = Glyph { ch: 'A', x0: 10.0, top: 50.0, x1: 20.0, bottom: 56.0, size: 10.0, font: 0, rotation: -90.0 };
        let b = Glyph { ch: 'B', x0: 10.0, top: 44.0, x1: 20.0, bottom: 50.0, size: 10.0, font: 0, rotation: -90.0 };
        assert_eq!(block_text(&[&b, &a]), "AB");
    }

    #[test]
    fn a_bullet_joins_the_item_it_marks() {
        let mut gs = word("•", 10.0, 0.0, 10.0);
        gs.extend(word("Reported", 25.0, 0.0, 10.0));
        gs.extend(word("12", 120.0, 0.0, 10.0));
        let refs: Vec<&Glyph> = gs.iter().collect();
        let line = &lines(&refs, Direction::Upright)[0];
        let spans = chunk_spans(line, 0.45);
        assert_eq!(spans.len(), 2);
        assert_eq!((spans[0].0, spans[1].0), (10.0, 120.0));
    }

    #[test]
    fn appendix_tables_are_titles_and_words_after_table_are_not() {
        assert!(looks_like_title("Table A-3. Example of constructing mean absolute percentage errors"));
        assert!(looks_like_title("Table B.1: Sample sizes"));
        assert!(looks_like_title("TABLE 3 Imports"));
        assert!(!looks_like_title("Tables and figures"));
        assert!(!looks_like_title("Table tennis results"));
    }

    #[test]
    fn word_gaps_become_spaces() {
        let mut gs = word("Net", 0.0, 0.0, 10.0);
        gs.extend(word("sales", 20.0, 0.0, 10.0));
        let refs: Vec<&Glyph> = gs.iter().collect();
        assert_eq!(block_text(&refs), "Net sales");
    }

    #[test]
    fn form_columns_come_from_the_gaps_lines_share() {
        // caofeidian_2021 (open_norules) project form, piece extents as LibreOffice set them:
        // the project code and name each run over two columns, 3月底 is centred over two, and
        // the one-line gap inside 其中：财政  资 is a space in a cell.
        let lines = vec![
            vec![(76.0, 116.0), (138.0, 255.0), (277.0, 317.0), (402.0, 472.0)],
            vec![(262.0, 312.0), (322.0, 332.0)],
            vec![(61.0, 131.0), (148.0, 178.0), (224.0, 255.0), (370.0, 401.0), (417.0, 457.0)],
            vec![(292.0, 302.0)],
            vec![(86.0, 106.0)],
            vec![(138.0, 208.0)],
            vec![(66.0, 126.0), (183.0, 210.0), (283.0, 311.0), (354.0, 386.0), (455.0, 487.0)],
            vec![(81.0, 110.0), (235.0, 255.0), (313.0, 334.0), (381.0, 401.0), (510.0, 535.0)],
            vec![(76.0, 116.0), (138.0, 256.0)],
        ];
        let columns = columns_from_gaps(&lines, 10.0, &[], None);
        let gaps: Vec<(f64, f64)> = columns.windows(2).map(|w| (w[0].1, w[1].0)).collect();
        assert_eq!(gaps, vec![(131.0, 138.0), (210.0, 224.0), (255.0, 262.0), (334.0, 354.0), (401.0, 417.0)]);
        // The 绩效目标 text of the next form overhangs 其中's start by 4 pt: the boundary stays
        // before 其中, not through it.
        let mut lines = lines;
        lines[8] = vec![(76.0, 116.0), (138.0, 266.0)];
        let columns = columns_from_gaps(&lines, 10.0, &[], None);
        assert!(columns[2].1 >= 255.0 && columns[3].0 <= 266.0, "{columns:?}");
    }

    #[test]
    fn a_left_aligned_column_under_a_form_keeps_its_edge_though_the_forms_values_cross_it() {
        // jialing_lab_2024 three-line page 1 (open_continued, LibreOffice): a form whose values
        // run from x 136 over the indicator columns, then 一级指标 | 二级指标 | 三级指标 | 指标值
        // with the 三级指标 texts left-aligned at 199 (their widths differ) and the only 二级指标
        // label of the page, 数量指标, on a line of its own. The edge between 二级指标 and 三级指标
        // is crossed by six form lines; the aligned starts outweigh them.
        let mut lines = vec![
            vec![(77.0, 113.0), (273.0, 399.0)],
            vec![(77.0, 113.0), (194.0, 266.0), (354.0, 390.0), (451.0, 505.0)],
            vec![(68.0, 122.0), (331.0, 412.0)],
            vec![(295.0, 323.0), (469.0, 487.0)],
            vec![(86.0, 104.0), (363.0, 381.0)],
            vec![(68.0, 122.0), (198.0, 262.0), (345.0, 399.0), (441.0, 515.0)],
            vec![(136.0, 532.0)],
            vec![(77.0, 113.0)],
            vec![(136.0, 496.0)],
            vec![(136.0, 528.0)],
            vec![(77.0, 113.0)],
            vec![(136.0, 208.0)],
            vec![(63.0, 126.0), (136.0, 532.0)],
            vec![(90.0, 99.0), (136.0, 244.0)],
            vec![(87.0, 123.0), (147.0, 183.0), (289.0, 325.0), (465.0, 492.0)],
        ];
        let three = [334.0, 316.0, 298.0, 262.0, 298.0, 271.0, 253.0, 289.0, 271.0, 271.0, 280.0, 298.0, 271.0, 298.0, 280.0, 298.0];
        for (k, end) in three.into_iter().enumerate() {
            lines.push(vec![(199.4, end), (456.0, 500.0)]);
            if k == 7 {
                lines.push(vec![(61.0, 70.0), (87.0, 123.0), (147.0, 183.0)]);
            }
        }
        // The stretches between the pieces' merged extents, as body_columns finds them.
        let separations = [(126.9, 136.8), (325.4, 331.9), (334.4, 345.4), (399.3, 454.6)];
        let columns = columns_from_gaps(&lines, 9.0, &separations, None);
        assert!(columns.iter().any(|c| c.0 >= 183.0 && c.0 <= 199.4), "{columns:?}");
        // Labels of one width starting at one x may be centred: without the 三级指标 texts' spread
        // of widths, the same lines leave no edge there.
        let centred: Vec<Vec<(f64, f64)>> =
            lines.iter().map(|l| l.iter().map(|&(a, b)| if a == 199.4 { (199.4, 271.0) } else { (a, b) }).collect()).collect();
        let columns = columns_from_gaps(&centred, 9.0, &separations, None);
        assert!(!columns.iter().any(|c| c.0 >= 183.0 && c.0 <= 199.4), "{columns:?}");
    }

    #[test]
    fn a_form_above_its_indicator_header_keeps_its_own_column_edge_that_indicator_texts_cross() {
        // tongnan_2021 three-line page 1 (open_hrules, LibreOffice): the form's 实施单位 |
        // 项目性质（常年或一/次） | 项目终止时间 are centred on one middle (372.4) in a column starting
        // at 331.9, right of 165.5 set flush right at 323.8; under the indicator header, nine of
        // the 三级指标 texts (from 199.4) run across that edge. The part above the header has
        // the edge; the texts below span it.
        let mut lines = vec![
            vec![(77.4, 113.4), (277.8, 394.8)],
            vec![(77.4, 113.4), (194.3, 266.3), (354.4, 390.4), (442.5, 514.5)],
            vec![(68.4, 122.4), (331.9, 412.9)],
            vec![(301.6, 323.8), (469.5, 487.5)],
            vec![(86.4, 104.4), (363.4, 381.4)],
            vec![(68.4, 122.4), (198.4, 262.2), (345.4, 399.4), (441.6, 515.4)],
            vec![(136.8, 532.8)],
            vec![(77.4, 113.4)],
            vec![(136.8, 217.8)],
            vec![(77.4, 113.4), (136.8, 421.1)],
            vec![(63.9, 126.9), (136.8, 532.8)],
            vec![(90.9, 99.9), (136.8, 208.8)],
            vec![(82.5, 127.5), (138.3, 192.3), (289.0, 325.0), (469.0, 496.0)],
        ];
        for end in [307.0, 271.0, 289.0, 289.0, 316.0, 352.0, 316.0, 280.0, 370.0, 361.0, 406.0, 262.0, 298.0, 373.0, 400.0, 388.0, 400.0] {
            lines.push(vec![(199.4, end), (465.0, 497.0)]);
        }
        let edge = |columns: &[(f64, f64)]| columns.windows(2).any(|w| w[0].1 <= 324.0 && w[1].0 >= 331.0);
        let columns = columns_from_gaps(&lines, 9.0, &[], Some(12));
        assert!(edge(&columns), "{columns:?}");
        // Taken as one part, the crossing texts outweigh the form's three lines.
        let columns = columns_from_gaps(&lines, 9.0, &[], None);
        assert!(!edge(&columns), "{columns:?}");
    }

    #[test]
    fn no_column_is_drawn_without_text() {
        // binjiang_perf_2023 three-line page 2 (open_hrules, LibreOffice): a separation from
        // 202 to 228 holds two candidate stretches (202–220, 220–228). Both bound by the
        // separation, a column between them would hold nothing.
        let mut lines = vec![vec![(148.0, 220.0)], vec![(166.0, 202.0)]];
        for end in [300.0, 318.0, 291.0, 336.0] {
            lines.push(vec![(228.0, end), (457.0, 485.0)]);
        }
        lines.push(vec![(166.0, 202.0), (228.0, 309.0), (457.0, 485.0)]);
        let columns = columns_from_gaps(&lines, 9.0, &[(202.0, 228.0), (363.0, 446.0)], None);
        assert!(columns.iter().all(|c| c.1 > c.0), "{columns:?}");
    }
}
