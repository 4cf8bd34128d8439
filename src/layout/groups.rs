//! Tables ruled only between column groups: financial tables whose only rules are vertical ones
//! at the edges of the first header row's cells (收入 | 支出; 功能分类科目 | 合计 | 财政拨款收入 …),
//! running the table's full height, and no horizontal rule at all. Evidence, in order:
//!
//! - the rules give the table's top and bottom (their extent) and the column boundaries they
//!   stand on; the text beside them gives its left and right, and a rule right of all the text
//!   keeps the groups beyond it that hold nothing on this page;
//! - inside each group the columns come from text alignment: the body's chunks and the header's
//!   leaf lines (a column holding no figure at all still has its header); text columns that
//!   never share a line and are joined by a label reaching into both, or are one header's and
//!   the other the body's, are one column (a centred total, a leaf header beside its codes);
//! - the first line holding a figure ends the header (no figure at all: a header over an empty
//!   row, when the rules run on below it); the header is read by groups — a group's centred
//!   first label heads its columns, each column's other text is one cell — and line by line
//!   where the groups do not explain it;
//! - body rows come from text blocks ([`rows::body_rows`]), as in open tables, their boundaries
//!   drawn where they cross the fewest blocks; a total centred on its group spans it.

use crate::decode::pdf::Glyph;

use super::grid::{CellGrid, GridCell};
use super::open::{self, Frame, HeaderCells, CHUNK_GAP};
use super::unruled;
use super::rows;
use super::rulings::Line;
use super::text::{self, TextLine};

/// A rule shorter than this (points) does not frame a table (two lines of text at least: a
/// continued table's last page may hold its repeated header and one row).
const MIN_RULE: f64 = 30.0;
/// Rules of one table start and end together within this (points).
const EXTENT_TOLERANCE: f64 = 4.0;
/// Header lines closer than this many glyph sizes (top to top) are wrapped lines of one row;
/// rows are further apart by their cells' padding.
const WRAP_PITCH: f64 = 1.9;
/// Financial tables are set with generous leading: a cell's wrapped lines may be most of a glyph
/// apart (LibreOffice: 7.2 pt between wrapped lines, 10.8 between rows at 9 pt), so wraps are
/// told from rows by the rows' own spacing.
const WRAPS: rows::Wrapping = rows::Wrapping::BelowRowGap(0.85);

/// Tables framed by loose vertical rules (not part of any ruled region), outside the areas
/// already `taken`. Each grid comes with the number of its header rows.
pub fn group_ruled_tables(verticals: &[Line], glyphs: &[Glyph], taken: &[[f64; 4]]) -> Vec<(CellGrid, usize)> {
    let mut rules: Vec<Line> = verticals
        .iter()
        .copied()
        .filter(|l| l.len() >= MIN_RULE)
        .filter(|l| !taken.iter().any(|b| l.pos >= b[0] && l.pos <= b[2] && l.to >= b[1] && l.from <= b[3]))
        .collect();
    rules.sort_by(|a, b| a.from.total_cmp(&b.from).then(a.pos.total_cmp(&b.pos)));
    let mut used = vec![false; rules.len()];
    let mut out = Vec::new();
    for i in 0..rules.len() {
        if used[i] {
            continue;
        }
        let first = rules[i];
        let mut at = Vec::new();
        for (j, l) in rules.iter().enumerate().skip(i) {
            if !used[j] && (l.from - first.from).abs() <= EXTENT_TOLERANCE && (l.to - first.to).abs() <= EXTENT_TOLERANCE {
                used[j] = true;
                at.push(l.pos);
            }
        }
        out.extend(frame(&at, first.from, first.to, glyphs, taken).and_then(|f| grouped_grid(&f, &at, glyphs, taken)));
    }
    out
}

/// The table's frame: top and bottom from the rules, left and right from the text between
/// them, the header ending above the first line holding a figure. `None` when no rule stands
/// inside the text (a rule beside a paragraph divides nothing).
fn frame(rules: &[f64], top: f64, bottom: f64, glyphs: &[Glyph], taken: &[[f64; 4]]) -> Option<Frame> {
    let lines = open::band_lines(glyphs, taken, f64::MIN / 4.0, f64::MAX / 4.0, top, bottom);
    let x0 = lines.iter().map(|l| l.x0).fold(f64::MAX, f64::min) - 1.0;
    let text_x1 = lines.iter().map(|l| l.x1).fold(f64::MIN, f64::max) + 1.0;
    // A rule right of all the text is the left edge of groups left empty on this page (the
    // part of a continued table holding no figure there): the table runs at least to it.
    let x1 = rules.iter().copied().filter(|&r| r >= text_x1 - 3.0).fold(text_x1, f64::max);
    if !rules.iter().any(|&r| r > x0 + 3.0 && r < x1 - 3.0) {
        return None;
    }
    let is_body = |l: &TextLine| open::chunks(l).iter().any(|c| unruled::looks_like_number(&l.text_between(c.x0, c.x1)));
    let last = &lines[lines.len() - 1];
    let inner_rules = rules.iter().filter(|&&r| r > x0 + 3.0 && r < x1 - 3.0).count();
    let top = top.min(lines[0].top - 1.0);
    let header_bottom = match lines.iter().position(is_body) {
        Some(0) => top,
        Some(k) => (lines[k - 1].bottom + lines[k].top) / 2.0,
        // No figure at all: a header over an empty row (a table the agency has nothing to
        // report in, "此表无数据") when the rules run on a row's height below the text and
        // divide it into three groups or more.
        None if bottom - last.bottom >= EMPTY_ROW * last.size && inner_rules >= 2 => last.bottom + 1.0,
        None => return None,
    };
    Some(Frame { x0, x1, top, header_bottom, bottom: bottom.max(last.bottom + 1.0), rules: Vec::new() })
}

/// An empty body row is at least this many glyph sizes tall.
const EMPTY_ROW: f64 = 1.5;

/// Column edges: the rules, and inside each group the boundaries between its text columns.
/// `None` below three columns.
fn group_columns(f: &Frame, rules: &[f64], glyphs: &[Glyph], taken: &[[f64; 4]]) -> Option<Vec<f64>> {
    let mut edges: Vec<f64> = rules.iter().copied().filter(|&r| r > f.x0 + 3.0 && r < f.x1 - 3.0).collect();
    edges.insert(0, f.x0);
    edges.push(f.x1);
    edges.sort_by(f64::total_cmp);
    edges.dedup_by(|a, b| (*a - *b).abs() < 1.0);
    let mut xs = vec![f.x0];
    for w in edges.windows(2) {
        let (left, right) = (w[0] + 2.0, w[1] - 2.0);
        let body = open::band_lines(glyphs, taken, left, right, f.header_bottom, f.bottom);
        let header = open::band_lines(glyphs, taken, left, right, f.top, f.header_bottom);
        // Body chunks on lines of several cells, and the header's lines below its first (the
        // first is the group's own cell, spanning it).
        let mut spans: Vec<(f64, f64)> = body
            .iter()
            .map(open::chunks)
            .filter(|cs| cs.len() >= 2)
            .flat_map(|cs| cs.into_iter().map(|c| (c.x0, c.x1)))
            .collect();
        spans.extend(header.iter().skip(1).flat_map(|l| open::chunks(l).into_iter().map(|c| (c.x0, c.x1))));
        let columns = join_columns_never_on_one_line(text::merged_extents(spans), &body, &header[header.len().min(1)..]);
        if columns.len() >= 2 {
            let inner = open::column_edges(&columns, &[], w[0], w[1]);
            xs.extend_from_slice(&inner[1..inner.len() - 1]);
        }
        xs.push(w[1]);
    }
    (xs.len() >= 4).then_some(xs)
}

/// Text columns of one group that never hold text on one line are one column when something
/// joins them: a body line of one piece reaching into both (a label wider than the ones above
/// it, "二、财政专户管理资金" under "一、财政拨款", beside a total centred in the column), or one
/// holds only header text and the other only body text (a leaf header centred over codes set to
/// one side: "类" over "301"). Left to right, each join seen by the next pair. `header` are the
/// leaf lines (below the group's own heading).
fn join_columns_never_on_one_line(mut columns: Vec<(f64, f64)>, body: &[TextLine], header: &[TextLine]) -> Vec<(f64, f64)> {
    let spans = |lines: &[TextLine]| -> Vec<Vec<(f64, f64)>> { lines.iter().map(|l| open::chunks(l).iter().map(|c| (c.x0, c.x1)).collect()).collect() };
    let (body, header) = (spans(body), spans(header));
    let overlaps = |s: (f64, f64), c: (f64, f64)| s.0 < c.1 && s.1 > c.0;
    let holds = |lines: &[Vec<(f64, f64)>], c: (f64, f64)| lines.iter().flatten().any(|&s| overlaps(s, c));
    let mut i = 0;
    while i + 1 < columns.len() {
        let (x, y) = (columns[i], columns[i + 1]);
        let apart = |l: &Vec<(f64, f64)>| {
            l.iter().any(|&s| overlaps(s, x) && !overlaps(s, y)) && l.iter().any(|&s| overlaps(s, y) && !overlaps(s, x))
        };
        let together = body.iter().chain(&header).any(apart);
        let bridged = body.iter().any(|l| l.len() == 1 && overlaps(l[0], x) && overlaps(l[0], y));
        let split_roles = (!holds(&body, x) && !holds(&header, y)) || (!holds(&header, x) && !holds(&body, y));
        if !together && (bridged || split_roles) {
            columns[i] = (x.0, x.1.max(y.1));
            columns.remove(i + 1);
        } else {
            i += 1;
        }
    }
    columns
}

/// The column ranges `a..=b` between consecutive rules (and the table's edges).
fn groups_of(xs: &[f64], rules: &[f64]) -> Vec<(usize, usize)> {
    let nc = xs.len() - 1;
    let mut starts: Vec<usize> = rules.iter().map(|&r| xs.partition_point(|&e| e < r - 1.0)).filter(|&c| c > 0 && c < nc).collect();
    starts.push(0);
    starts.sort_unstable();
    starts.dedup();
    starts.iter().enumerate().map(|(i, &a)| (a, starts.get(i + 1).map_or(nc - 1, |&n| n - 1))).collect()
}

/// The header row of each header line: a line continues the row above when it covers the same
/// columns at wrapping distance.
fn header_line_rows(header: &[TextLine], xs: &[f64]) -> Vec<usize> {
    let col_set = |l: &TextLine| -> Vec<usize> {
        let mut v: Vec<usize> = open::chunks(l).iter().map(|c| open::col_of(xs, (c.x0 + c.x1) / 2.0)).collect();
        v.dedup();
        v
    };
    let mut rows = Vec::with_capacity(header.len());
    for (i, line) in header.iter().enumerate() {
        let row = match i.checked_sub(1) {
            None => 0,
            Some(p) => {
                let wrapped = col_set(&header[p]) == col_set(line) && line.top - header[p].top <= WRAP_PITCH * line.size;
                rows[p] + usize::from(!wrapped)
            }
        };
        rows.push(row);
    }
    rows
}

/// The grid of one table ruled between column groups in its frame.
fn grouped_grid(f: &Frame, rules: &[f64], glyphs: &[Glyph], taken: &[[f64; 4]]) -> Option<(CellGrid, usize)> {
    let xs = group_columns(f, rules, glyphs, taken)?;
    let header = open::band_lines(glyphs, taken, f.x0, f.x1, f.top, f.header_bottom);
    let body = open::band_lines(glyphs, taken, f.x0, f.x1, f.header_bottom, f.bottom);
    // One row of figures is a table when a header stands over it and the rules divide it into
    // three groups or more (a "三公" table: one line), and so is a header over an empty row
    // ([`frame`]); a lone margin rule beside a page's running head and folio divides nothing.
    let inner_rules = rules.iter().filter(|&&r| r > f.x0 + 3.0 && r < f.x1 - 3.0).count();
    if body.len() < 2 && (header.is_empty() || inner_rules < 2) {
        return None;
    }
    let groups = groups_of(&xs, rules);
    let (mut ys, cells, header_rows) = match headed_groups(&header, &xs, &groups) {
        Some(h) => h.into_cells(f, xs.clone()),
        None => line_header(f, header, xs.clone(), &groups),
    };
    let (mut breaks, blocks) = rows::body_rows_with(&body, &xs, CHUNK_GAP, WRAPS);
    settle_breaks(&mut breaks, &blocks);
    ys.extend(breaks);
    ys.push(f.bottom);
    ys.dedup_by(|a, b| (*a - *b).abs() < 0.5);
    let mut grid = cells.into_grid(ys, &blocks, false);
    span_centred_totals(&mut grid, &body, &groups);
    Some((grid, header_rows))
}

/// Evidence: a row boundary lies between the same lines wherever it is drawn in the gap
/// between them; drawn halfway under a short column's last line it may cut a longer line of
/// another column ("抗疫特别国债安排的支出" beside an empty 收入 column), so it moves to where
/// it crosses the fewest blocks: halfway under a block ending in that gap, or at the gap's
/// middle.
fn settle_breaks(breaks: &mut [f64], blocks: &[rows::Block]) {
    let crossed = |y: f64| rows::crossings(blocks, y);
    for y in breaks.iter_mut() {
        let above = blocks.iter().map(|b| b.top).filter(|&t| t <= *y).fold(f64::MIN, f64::max);
        let below = blocks.iter().map(|b| b.top).filter(|&t| t > *y).fold(f64::MAX, f64::min);
        if above == f64::MIN || below == f64::MAX {
            continue;
        }
        let ends = blocks.iter().map(|b| b.bottom).filter(|&e| e > above && e <= below);
        let best = ends.map(|e| (e + below) / 2.0).min_by_key(|&c| crossed(c));
        if let Some(c) = best.filter(|&c| crossed(c) < crossed(*y)) {
            *y = c;
        }
    }
}

/// A total centred on its group within this many glyph sizes spans the group.
const TOTAL_CENTRING: f64 = 1.5;

/// Evidence: a body row whose only text in a group of several columns is one short label
/// centred on the group ("合计" under 类 | 款 | 项 | 科目名称), not set at the left edge of any
/// other text in its column, is one cell across the group.
fn span_centred_totals(grid: &mut CellGrid, body: &[TextLine], groups: &[(usize, usize)]) {
    let starts: Vec<f64> = body.iter().flat_map(open::chunks).map(|c| c.x0).collect();
    for line in body {
        let pieces = open::chunks(line);
        let mid_y = (line.top + line.bottom) / 2.0;
        let Some(r) = grid.ys.windows(2).position(|w| w[0] <= mid_y && mid_y < w[1]) else { continue };
        for &(a, b) in groups.iter().filter(|(a, b)| b > a) {
            let (gx0, gx1) = (grid.xs[a], grid.xs[b + 1]);
            let inside: Vec<_> = pieces.iter().filter(|p| p.x1 > gx0 && p.x0 < gx1).collect();
            let [p] = inside[..] else { continue };
            let centred = ((p.x0 + p.x1) / 2.0 - (gx0 + gx1) / 2.0).abs() <= TOTAL_CENTRING * line.size;
            let aligned = starts.iter().filter(|&&x| (x - p.x0).abs() <= 1.0).count() > 1;
            let short = p.x1 - p.x0 <= (gx1 - gx0) / 3.0;
            let free = grid.cells.iter().filter(|c| c.row == r && (a..=b).contains(&c.col)).all(|c| c.row_span == 1 && c.col_span == 1);
            if !(centred && short && free) || aligned {
                continue;
            }
            grid.cells.retain(|c| !(c.row == r && (a..=b).contains(&c.col)));
            let (top, bottom) = (grid.ys[r], grid.ys[r + 1]);
            grid.cells.push(GridCell { row: r, col: a, row_span: 1, col_span: b - a + 1, bbox: [gx0, top, gx1, bottom], text: String::new() });
        }
    }
    grid.cells.sort_by_key(|c| (c.row, c.col));
}

/// The header read line by line (when the groups do not explain it, [`headed_groups`]): lines
/// of one column set at wrapping distance are one row, labels centred between rows span them.
/// Returns the header's row edges from the top, its cells, and the number of header rows.
fn line_header(f: &Frame, header: Vec<TextLine>, xs: Vec<f64>, groups: &[(usize, usize)]) -> (Vec<f64>, HeaderCells, usize) {
    let (header, centred) = open::lift_centred_header_lines(header, &xs);
    let row_of = header_line_rows(&header, &xs);
    let header_rows = row_of.last().map_or(0, |r| r + 1);
    let mut ys = vec![f.top];
    for (i, w) in header.windows(2).enumerate() {
        if row_of[i + 1] != row_of[i] {
            ys.push((w[0].bottom + w[1].top) / 2.0);
        }
    }
    if header_rows > 0 {
        ys.push(f.header_bottom);
    }
    let mut cells = HeaderCells::new(xs, header_rows);
    for (line, &r) in header.iter().zip(&row_of) {
        cells.place_chunks(r, line);
    }
    // A label centred between two lines of one wrapped row belongs to that row.
    let (same_row, between_rows): (Vec<_>, Vec<_>) = centred.iter().partition(|(upper, _)| row_of.get(upper + 1) == Some(&row_of[*upper]));
    for (upper, line) in same_row {
        cells.place_chunks(row_of[*upper], line);
    }
    if header_rows > 0 {
        for &(a, b) in groups {
            cells.span_between_rules(0, a, b);
        }
    }
    for (line, &r) in header.iter().zip(&row_of) {
        cells.widen_centred(r, line);
    }
    for (upper, line) in between_rows {
        cells.span_two_rows(row_of[*upper], line);
    }
    cells.extend_down();
    (ys, cells, header_rows)
}

/// A piece of header text: a chunk of a line with its own glyphs' top and bottom.
#[derive(Debug, Clone, Copy)]
struct Piece {
    x0: f64,
    x1: f64,
    top: f64,
    bottom: f64,
    size: f64,
}

fn pieces(header: &[TextLine]) -> Vec<Piece> {
    let mut out = Vec::new();
    for line in header {
        for c in open::chunks(line) {
            let own = line.glyphs.iter().filter(|g| g.x0 >= c.x0 - 0.1 && g.x1 <= c.x1 + 0.1);
            let (top, bottom) = own.fold((f64::MAX, f64::MIN), |(t, b), g| (t.min(g.top), b.max(g.bottom)));
            out.push(Piece { x0: c.x0, x1: c.x1, top, bottom, size: line.size });
        }
    }
    out
}

/// A heading's letters may be spaced out ("收　　入") up to this many glyph sizes apart.
const HEADING_LETTER_GAP: f64 = 3.0;
/// A heading is centred on its group within this share of the group's width.
const HEADING_CENTRING: f64 = 0.15;

/// The header read by column groups: a group of several columns whose first header line is one
/// label centred on the group, with text below it, is headed by that label (row 0, spanning the
/// group); every column's other header text is one cell (wrapped lines, however far apart, and a
/// label centred against both rows), under the heading or spanning the whole header. `None`
/// when a piece of text crosses a column edge other than as a heading.
struct HeadedGroups {
    /// Header cells: rows `r0..=r1`, columns `c0..=c1`.
    cells: Vec<(usize, usize, usize, usize)>,
    /// Between the headings and the text under them, when a group is headed.
    split: Option<f64>,
}

fn headed_groups(header: &[TextLine], xs: &[f64], groups: &[(usize, usize)]) -> Option<HeadedGroups> {
    let all = pieces(header);
    if all.is_empty() {
        return None;
    }
    let mut headings: Vec<(usize, usize, f64)> = Vec::new();
    let mut leaves: Vec<Piece> = Vec::new();
    for &(a, b) in groups {
        let (gx0, gx1) = (xs[a], xs[b + 1]);
        let mut own: Vec<Piece> = all.iter().copied().filter(|p| (p.x0 + p.x1) / 2.0 > gx0 && (p.x0 + p.x1) / 2.0 < gx1).collect();
        own.sort_by(|p, q| p.top.total_cmp(&q.top).then(p.x0.total_cmp(&q.x0)));
        match group_heading(&own, gx0, gx1).filter(|_| b > a) {
            Some((bottom, k)) => {
                headings.push((a, b, bottom));
                leaves.extend(own.split_off(k).into_iter().filter(|p| p.top >= bottom - 0.5));
            }
            None => leaves.extend(own),
        }
    }
    if leaves.iter().any(|p| {
        let c = open::col_of(xs, (p.x0 + p.x1) / 2.0);
        p.x0 < xs[c] - 2.0 || p.x1 > xs[c + 1] + 2.0
    }) {
        return None;
    }
    let split = if headings.is_empty() {
        None
    } else {
        let above = headings.iter().map(|h| h.2).fold(f64::MIN, f64::max);
        let under_heading = |p: &&Piece| headings.iter().any(|h| (xs[h.0]..xs[h.1 + 1]).contains(&((p.x0 + p.x1) / 2.0)));
        let below = leaves.iter().filter(under_heading).map(|p| p.top).fold(f64::MAX, f64::min);
        if below <= above {
            return None;
        }
        Some((above + below) / 2.0)
    };
    let last = usize::from(split.is_some());
    let mut cells: Vec<(usize, usize, usize, usize)> = headings.iter().map(|h| (0, 0, h.0, h.1)).collect();
    for c in 0..xs.len() - 1 {
        let headed = headings.iter().any(|h| (h.0..=h.1).contains(&c));
        cells.push((usize::from(headed), last, c, c));
    }
    Some(HeadedGroups { cells, split })
}

/// The group's heading among its header pieces (sorted top to bottom): the first line's pieces,
/// letters at most [`HEADING_LETTER_GAP`] apart, centred on the group, with text below. Its
/// bottom and how many pieces it takes.
fn group_heading(own: &[Piece], gx0: f64, gx1: f64) -> Option<(f64, usize)> {
    let first = own.first()?;
    let k = own.iter().take_while(|p| p.top < first.top + 0.5 * first.size).count();
    let line = &own[..k];
    let spaced = line.windows(2).all(|w| w[1].x0 - w[0].x1 <= HEADING_LETTER_GAP * first.size);
    let (x0, x1) = (line[0].x0, line[k - 1].x1);
    let centred = ((x0 + x1) / 2.0 - (gx0 + gx1) / 2.0).abs() <= HEADING_CENTRING * (gx1 - gx0);
    let bottom = line.iter().map(|p| p.bottom).fold(f64::MIN, f64::max);
    let below = own[k..].iter().any(|p| p.top >= bottom - 0.5);
    (spaced && centred && below).then_some((bottom, k))
}

impl HeadedGroups {
    /// The header's row edges from the frame's top, its cells and the number of header rows.
    fn into_cells(self, f: &Frame, xs: Vec<f64>) -> (Vec<f64>, HeaderCells, usize) {
        let mut ys = vec![f.top];
        ys.extend(self.split);
        ys.push(f.header_bottom);
        let header_rows = ys.len() - 1;
        let mut cells = HeaderCells::new(xs, header_rows);
        for (r0, r1, c0, c1) in self.cells {
            cells.place_cell(r0..=r1, c0..=c1);
        }
        (ys, cells, header_rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::text::tests::word;

    fn rule(pos: f64, from: f64, to: f64) -> Line {
        Line { pos, from, to }
    }

    /// Lines of `(text, x)` pieces, one line every 20 points from `top`, glyphs of size 10.
    fn page(lines: &[&[(&str, f64)]], top: f64) -> Vec<Glyph> {
        let mut g = Vec::new();
        for (i, pieces) in lines.iter().enumerate() {
            for &(s, x) in pieces.iter() {
                g.extend(word(s, x, top + 20.0 * i as f64, 10.0));
            }
        }
        g
    }

    #[test]
    fn a_rule_right_of_all_the_text_keeps_the_empty_group_beyond_it() {
        // A continued table's last page: the 项目支出 group right of the rule at 400 holds no
        // figure here, so the text ends before that rule.
        let g = page(
            &[
                &[("210", 60.0), ("卫生健康支出", 100.0), ("2,602.22", 240.0), ("2,602.22", 340.0)],
                &[("221", 60.0), ("住房保障支出", 100.0), ("5,147.21", 240.0), ("5,147.21", 340.0)],
                &[("221", 60.0), ("住房改革支出", 100.0), ("5,147.21", 240.0), ("5,147.21", 340.0)],
            ],
            60.0,
        );
        let rules = [rule(300.0, 55.0, 125.0), rule(400.0, 55.0, 125.0)];
        let tables = group_ruled_tables(&rules, &g, &[]);
        assert_eq!(tables.len(), 1);
        let (grid, header_rows) = &tables[0];
        assert_eq!(*header_rows, 0);
        assert_eq!(grid.xs.last().copied(), Some(400.0));
        assert_eq!((grid.n_rows(), grid.n_cols()), (3, 4));
    }

    #[test]
    fn rows_of_wrapped_labels_with_centred_codes_stay_apart() {
        // LibreOffice at 8 pt: wrapped label lines 6.3 apart, a code and its figures centred
        // beside them; a one-line row follows its neighbour 11.1 apart, but a row of two wrapped
        // lines follows the one before only 9.3 apart, and no column starts a line there.
        let mut g = Vec::new();
        let mut line = |pieces: &[(&str, f64)], top: f64| {
            for &(s, x) in pieces {
                g.extend(word(s, x, top, 8.0));
            }
        };
        let wrapped = |top: f64| [top, top + 7.2, top + 14.4];
        line(&[("201", 60.0), ("一般公共服务支出", 104.0), ("1866.11", 205.0), ("1866.11", 265.0)], 100.0);
        let [a, b, c] = wrapped(119.1);
        line(&[("政府办公厅及相关", 104.0)], a);
        line(&[("20103", 60.0), ("1866.11", 205.0), ("1866.11", 265.0)], b);
        line(&[("机构事务", 104.0)], c);
        line(&[("2010301", 60.0), ("行政运行", 104.0), ("428.61", 205.0), ("428.61", 265.0)], 152.5);
        for (top, code, first, second) in [(173.4, "2080505", "机关事业单位基本养老保", "险缴费支出"), (205.1, "2080506", "机关事业单位职业年金缴", "费支出")] {
            let [a, b, c] = wrapped(top);
            line(&[(first, 104.0)], a);
            line(&[(code, 60.0), ("15.83", 205.0), ("15.83", 265.0)], b);
            line(&[(second, 104.0)], c);
        }
        line(&[("210", 60.0), ("卫生健康支出", 104.0), ("14.64", 205.0), ("14.64", 265.0)], 238.6);
        let rules = [rule(200.0, 95.0, 250.0), rule(260.0, 95.0, 250.0)];
        let tables = group_ruled_tables(&rules, &g, &[]);
        assert_eq!(tables.len(), 1);
        let (grid, _) = &tables[0];
        assert_eq!((grid.n_rows(), grid.n_cols()), (6, 4));
    }

    #[test]
    fn a_group_heading_spans_its_group_and_single_column_groups_span_the_header() {
        // 科目 heads 科目编码 | 科目名称, 事业收入预算 heads two columns; 合计 is centred against
        // both header rows and 一般公共预算拨款收入 wraps over four lines, as far apart as rows.
        let mut g = Vec::new();
        let mut line = |pieces: &[(&str, f64)], top: f64| {
            for &(s, x) in pieces {
                g.extend(word(s, x, top, 8.0));
            }
        };
        line(&[("科目", 120.0), ("一般公", 245.0), ("事业收入预算", 290.0)], 100.0);
        line(&[("共预算", 245.0), ("非教育", 285.0), ("教育收", 325.0)], 115.8);
        line(&[("合计", 210.0)], 123.0);
        line(&[("科目编码", 63.0), ("科目名称", 135.0), ("拨款收", 245.0), ("收费收", 285.0), ("费收入", 325.0)], 130.1);
        line(&[("入", 245.0)], 144.5);
        line(&[("201", 60.0), ("一般公共服务支出", 104.0), ("1866.11", 205.0), ("1866.11", 245.0), ("1.00", 285.0), ("2.00", 325.0)], 165.0);
        line(&[("208", 60.0), ("社会保障和就业支出", 104.0), ("39.70", 205.0), ("39.70", 245.0), ("3.00", 285.0), ("4.00", 325.0)], 186.0);
        let rules: Vec<Line> = [200.0, 240.0, 280.0, 360.0].into_iter().map(|x| rule(x, 95.0, 200.0)).collect();
        let tables = group_ruled_tables(&rules, &g, &[]);
        assert_eq!(tables.len(), 1);
        let (mut grid, header_rows) = tables.into_iter().next().unwrap();
        grid.fill_text(&g);
        assert_eq!(header_rows, 2);
        assert_eq!((grid.n_rows(), grid.n_cols()), (4, 6));
        let at = |r: usize, c: usize| grid.cells.iter().find(|x| x.row <= r && r < x.row + x.row_span && x.col <= c && c < x.col + x.col_span).unwrap();
        assert_eq!((at(0, 0).col_span, at(0, 0).text.as_str()), (2, "科目"));
        assert_eq!(at(1, 1).text, "科目名称");
        assert_eq!((at(0, 2).row_span, at(0, 2).text.as_str()), (2, "合计"));
        assert_eq!((at(0, 3).row_span, at(0, 3).text.as_str()), (2, "一般公共预算拨款收入"));
        assert_eq!((at(0, 4).col_span, at(0, 4).text.as_str()), (2, "事业收入预算"));
        assert_eq!(at(1, 5).text, "教育收费收入");
        assert_eq!(at(3, 5).text, "4.00");
    }

    /// The text of the cell covering slot `(r, c)`.
    fn text_at(grid: &CellGrid, r: usize, c: usize) -> String {
        grid.cells.iter().find(|x| x.row <= r && r < x.row + x.row_span && x.col <= c && c < x.col + x.col_span).unwrap().text.clone()
    }

    #[test]
    fn a_total_centred_in_the_label_column_makes_no_column_of_its_own() {
        // "收入总计" and "项目" are centred in the label column, the labels start at its left;
        // they never share a line, and a long label reaches into both.
        let g = page(
            &[
                &[("收入", 200.0), ("支出", 590.0)],
                &[("项目", 150.0), ("预算数", 335.0), ("项目", 500.0), ("预算数", 700.0)],
                &[("一、财政拨款", 60.0), ("65,425.45", 355.0), ("公共安全支出", 425.0), ("43,912.22", 720.0)],
                &[("二、财政专户管理资金", 60.0), ("社会保障和就业支出", 425.0), ("13,763.61", 720.0)],
                &[("收入总计", 150.0), ("65,425.45", 355.0), ("支出总计", 500.0), ("65,425.45", 720.0)],
            ],
            100.0,
        );
        let tables = group_ruled_tables(&[rule(420.0, 95.0, 200.0)], &g, &[]);
        assert_eq!(tables.len(), 1);
        let (mut grid, header_rows) = tables.into_iter().next().unwrap();
        grid.fill_text(&g);
        assert_eq!((header_rows, grid.n_rows(), grid.n_cols()), (2, 5, 4));
        assert_eq!(text_at(&grid, 1, 0), "项目");
        assert_eq!(text_at(&grid, 3, 0), "二、财政专户管理资金");
        assert_eq!(text_at(&grid, 4, 0), "收入总计");
        assert_eq!(text_at(&grid, 4, 1), "65,425.45");
    }

    #[test]
    fn a_leaf_header_beside_the_codes_under_it_is_their_column() {
        // "类" and "款" are centred in their columns, the codes under them set to the right;
        // "科目名称" is right of the names under it.
        let g = page(
            &[
                &[("经济分类科目", 150.0), ("合计", 320.0), ("人员经费", 420.0)],
                &[("类", 63.0), ("款", 113.0), ("科目名称", 200.0)],
                &[("301", 78.0), ("01", 128.0), ("基本工资", 145.0), ("2,937.35", 320.0), ("2,937.35", 420.0)],
                &[("301", 78.0), ("02", 128.0), ("津贴补贴", 145.0), ("2,457.68", 320.0), ("2,457.68", 420.0)],
                &[("302", 78.0), ("商品和服务支出", 145.0), ("3,531.15", 320.0), ("3,531.15", 420.0)],
            ],
            100.0,
        );
        let rules = [rule(300.0, 95.0, 200.0), rule(400.0, 95.0, 200.0)];
        let tables = group_ruled_tables(&rules, &g, &[]);
        assert_eq!(tables.len(), 1);
        let (mut grid, header_rows) = tables.into_iter().next().unwrap();
        grid.fill_text(&g);
        assert_eq!((header_rows, grid.n_rows(), grid.n_cols()), (2, 5, 5));
        assert_eq!(text_at(&grid, 0, 0), "经济分类科目");
        assert_eq!([text_at(&grid, 1, 0), text_at(&grid, 1, 1), text_at(&grid, 1, 2)], ["类", "款", "科目名称"]);
        assert_eq!([text_at(&grid, 2, 0), text_at(&grid, 2, 1), text_at(&grid, 2, 2)], ["301", "01", "基本工资"]);
        assert_eq!(text_at(&grid, 4, 1), "");
    }

    #[test]
    fn one_row_of_figures_under_a_header_is_a_table_and_without_one_is_not() {
        let header: &[&[(&str, f64)]] = &[
            &[("公务用车购置及运行费", 400.0)],
            &[("合计", 105.0), ("因公出国（境）费", 200.0), ("公务接待费", 690.0)],
            &[("小计", 350.0), ("公务用车购置费", 440.0), ("公务用车运行费", 560.0)],
        ];
        let mut g = page(header, 100.0);
        let figures: &[(&str, f64)] = &[("77,648.87", 120.0), ("54,739.51", 373.0), ("54,739.51", 596.0), ("22,909.36", 700.0)];
        g.extend(page(&[figures], 165.0));
        let rules = [rule(170.0, 95.0, 180.0), rule(300.0, 95.0, 180.0), rule(650.0, 95.0, 180.0)];
        let tables = group_ruled_tables(&rules, &g, &[]);
        assert_eq!(tables.len(), 1);
        let (mut grid, header_rows) = tables.into_iter().next().unwrap();
        grid.fill_text(&g);
        assert_eq!((header_rows, grid.n_rows(), grid.n_cols()), (2, 3, 6));
        assert_eq!(text_at(&grid, 0, 3), "公务用车购置及运行费");
        assert_eq!([text_at(&grid, 2, 0), text_at(&grid, 2, 2), text_at(&grid, 2, 3), text_at(&grid, 2, 4)], ["77,648.87", "54,739.51", "", "54,739.51"]);
        // One rule (a page's margin line beside its running head and folio) divides nothing.
        assert!(group_ruled_tables(&[rule(300.0, 95.0, 180.0)], &g, &[]).is_empty());
        // The same line of figures between the rules with nothing over it.
        let alone = page(&[figures], 165.0);
        assert!(group_ruled_tables(&[rule(170.0, 160.0, 200.0), rule(300.0, 160.0, 200.0)], &alone, &[]).is_empty());
    }

    #[test]
    fn a_total_centred_on_its_group_spans_the_group() {
        let g = page(
            &[
                &[("经济分类科目", 150.0), ("合计", 320.0), ("人员经费", 420.0)],
                &[("类", 63.0), ("款", 113.0), ("科目名称", 200.0)],
                &[("合计", 171.0), ("38,883.87", 320.0), ("35,351.72", 420.0)],
                &[("301", 78.0), ("01", 128.0), ("基本工资", 145.0), ("2,937.35", 320.0), ("2,937.35", 420.0)],
                &[("301", 78.0), ("02", 128.0), ("津贴补贴", 145.0), ("2,457.68", 320.0), ("2,457.68", 420.0)],
                // A label set where the others start stays in its column, centred or not.
                &[("302", 78.0), ("商品和服务支出", 145.0), ("3,531.15", 320.0), ("3,531.15", 420.0)],
            ],
            100.0,
        );
        let rules = [rule(300.0, 95.0, 220.0), rule(400.0, 95.0, 220.0)];
        let tables = group_ruled_tables(&rules, &g, &[]);
        assert_eq!(tables.len(), 1);
        let (mut grid, _) = tables.into_iter().next().unwrap();
        grid.fill_text(&g);
        assert_eq!(grid.cells.iter().filter(|c| c.row == 2).count(), 3);
        let total = grid.cells.iter().find(|c| c.row == 2 && c.col == 0).unwrap();
        assert_eq!((total.col_span, total.text.as_str()), (3, "合计"));
        assert_eq!(grid.cells.iter().filter(|c| c.row == 5).count(), 5);
    }

    #[test]
    fn a_row_boundary_does_not_cut_a_line_beside_an_empty_column() {
        // 抗疫特别国债安排的支出 has a row of its own: the 收入 side is empty there, and halfway
        // between its lines the boundary would cut through it.
        let mut g = Vec::new();
        let rows: &[(&[(&str, f64)], f64)] = &[
            (&[("收入", 169.0), ("支出", 408.0)], 100.0),
            (&[("项目", 120.0), ("预算数", 236.0), ("项目", 361.0), ("预算数", 477.0)], 120.0),
            (&[("一般公共预算拨款收入", 60.0), ("1932.33", 263.0), ("一般公共服务支出", 300.0), ("1866.11", 504.0)], 140.0),
            (&[("抗疫特别国债安排的支出", 300.0)], 160.0),
            (&[("本年收入合计", 60.0), ("1932.33", 263.0), ("本年支出合计", 300.0), ("1932.33", 504.0)], 180.0),
            (&[("上年结转", 60.0)], 200.0),
        ];
        for &(pieces, top) in rows {
            for &(s, x) in pieces {
                g.extend(word(s, x, top, 9.0));
            }
        }
        let tables = group_ruled_tables(&[rule(297.0, 95.0, 215.0)], &g, &[]);
        assert_eq!(tables.len(), 1);
        let (mut grid, header_rows) = tables.into_iter().next().unwrap();
        grid.fill_text(&g);
        assert_eq!((header_rows, grid.n_rows(), grid.n_cols()), (2, 6, 4));
        assert_eq!([text_at(&grid, 3, 0), text_at(&grid, 3, 2)], ["", "抗疫特别国债安排的支出"]);
        assert_eq!([text_at(&grid, 4, 0), text_at(&grid, 4, 2)], ["本年收入合计", "本年支出合计"]);
    }

    #[test]
    fn a_repeated_header_and_one_row_at_a_page_top_is_a_table() {
        // Chromium moves the last row of 政府采购预算表 to the next page, under the header again.
        let mut g = Vec::new();
        g.extend([("采购品目", 129.5), ("采购方式", 302.4), ("预算金额", 450.7)].iter().flat_map(|&(s, x)| word(s, x, 60.0, 10.0)));
        g.extend([("合计", 54.0), ("147.05", 511.0)].iter().flat_map(|&(s, x)| word(s, x, 77.0, 10.0)));
        let rules = [rule(248.6, 57.0, 90.8), rule(396.4, 57.0, 90.8)];
        let tables = group_ruled_tables(&rules, &g, &[]);
        assert_eq!(tables.len(), 1);
        let (grid, header_rows) = &tables[0];
        assert_eq!((*header_rows, grid.n_rows(), grid.n_cols()), (1, 2, 3));
    }

    #[test]
    fn a_header_over_an_empty_row_is_a_table_and_header_text_alone_is_not() {
        // 政府性基金预算支出表 of an agency without such funds: the header, and the rules running on
        // one empty row below it.
        let mut g = Vec::new();
        let lines: &[(&[(&str, f64)], f64)] = &[
            (&[("本年政府性基金预算财政拨款支出", 355.6)], 228.9),
            (&[("科目编码", 77.4), ("科目名称", 202.7)], 238.3),
            (&[("合计", 336.9), ("基本支出", 405.0), ("项目支出", 482.2)], 247.7),
        ];
        for &(pieces, top) in lines {
            for &(s, x) in pieces {
                g.extend(word(s, x, top, 8.0));
            }
        }
        let tables = group_ruled_tables(&[rule(133.8, 225.7, 284.1), rule(307.3, 225.7, 284.1)], &g, &[]);
        assert_eq!(tables.len(), 1);
        let (mut grid, header_rows) = tables.into_iter().next().unwrap();
        grid.fill_text(&g);
        assert_eq!((header_rows, grid.n_rows(), grid.n_cols()), (2, 3, 5));
        assert_eq!((text_at(&grid, 1, 0), text_at(&grid, 0, 3), text_at(&grid, 1, 3)), ("科目编码".into(), "本年政府性基金预算财政拨款支出".into(), "基本支出".into()));
        assert!((0..5).all(|c| text_at(&grid, 2, c).is_empty()));
        // Rules ending with the text frame no empty row: nothing to read as a table.
        assert!(group_ruled_tables(&[rule(133.8, 225.7, 258.0), rule(307.3, 225.7, 258.0)], &g, &[]).is_empty());
    }
}
