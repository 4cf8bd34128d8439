//! Open tables: horizontal rules only (three-line tables: top, header and bottom rules), no
//! vertical lines. Columns come from text alignment: the x ranges covered by the body's text
//! chunks; header chunks that cover several columns get a column span, and a header cell with
//! nothing below it in the header spans down.

use crate::decode::pdf::Glyph;

use super::grid::{CellGrid, GridCell};
use super::overleaf::Overleaf;
use super::rulings::Line;
use super::rows::{self, Block};
use super::text::{self, looks_like_title, Chunk, Direction, TextLine};

/// Rules of one open table have the same extent within this (points).
const EXTENT_TOLERANCE: f64 = 8.0;
/// Text reaching this far (points) into an empty column beside its own spans it.
const SPAN_REACH: f64 = 4.0;
/// Two rules closer than this (points) with nothing between them are one double rule.
const DOUBLE_RULE_GAP: f64 = 4.0;
/// A table's header is at most this many lines (a three-level header, each level wrapped once).
const MAX_HEADER_LINES: usize = 6;
/// A header cell's line holds at most this many characters; a longer piece is a paragraph of
/// a form's row.
const PARAGRAPH_CHARS: usize = 24;
/// A rule shorter than this share of the page width does not frame a table.
const MIN_RULE_SHARE: f64 = 0.3;
/// Glyphs further apart than this many glyph sizes are in different cells.
pub(super) const CHUNK_GAP: f64 = 0.45;
/// A wide line starting this many line heights inside a frame is a form's paragraph cell.
pub(super) const CELL_INDENT: f64 = 4.0;
/// Rows further apart than this many line heights have no label set between them.
pub(super) const SIDE_LABEL_LEADING: f64 = 2.6;

pub(super) fn chunks(line: &TextLine) -> Vec<Chunk> {
    text::chunks(line, CHUNK_GAP)
}

fn inside(bbox: &[f64; 4], x: f64, y: f64) -> bool {
    x >= bbox[0] && x <= bbox[2] && y >= bbox[1] && y <= bbox[3]
}

/// Open tables framed by `rules` (horizontal lines not part of any ruled region), avoiding the
/// areas already `taken` by ruled tables. Cells come back without text. A table running over a
/// page break has no bottom rule on its first page (its rows run on to the page end) and no top
/// rule on the next (its rows start at the page top): such runs of aligned lines are included.
/// Each grid comes with the number of its header rows (lines above the header rule).
pub fn open_tables(rules: &[Line], glyphs: &[Glyph], taken: &[[f64; 4]], page_width: f64, page_height: f64) -> Vec<(CellGrid, usize)> {
    open_tables_across(rules, glyphs, taken, (page_width, page_height), &Overleaf::NONE)
}

/// [`open_tables`] on a page of `size` the parts of whose tables cut by its edges lie in
/// `overleaf`.
pub fn open_tables_across(rules: &[Line], glyphs: &[Glyph], taken: &[[f64; 4]], (page_width, page_height): (f64, f64), overleaf: &Overleaf) -> Vec<(CellGrid, usize)> {
    let mut candidates: Vec<Line> = join_across_gutters(rules)
        .into_iter()
        .filter(|l| l.len() >= MIN_RULE_SHARE * page_width)
        .filter(|l| !taken.iter().any(|b| inside(b, (l.from + l.to) / 2.0, l.pos)))
        .collect();
    candidates.sort_by(|a, b| a.pos.total_cmp(&b.pos));
    let mut out = Vec::new();
    let mut i = 0;
    // Whether the rule before `i` framed no table.
    let mut previous_unused = false;
    while i < candidates.len() {
        let first = candidates[i];
        let mut group = vec![first];
        let mut short: Vec<f64> = Vec::new();
        let mut short_ends: Vec<f64> = Vec::new();
        let mut j = i + 1;
        while j < candidates.len() {
            let l = candidates[j];
            let same_extent = (l.from - first.from).abs() <= EXTENT_TOLERANCE && (l.to - first.to).abs() <= EXTENT_TOLERANCE;
            if !same_extent {
                // Shorter rules inside the table (under a spanning header) do not end it.
                if l.from >= first.from - EXTENT_TOLERANCE && l.to <= first.to + EXTENT_TOLERANCE {
                    short.push(l.pos);
                    short_ends.extend([l.from, l.to]);
                    j += 1;
                    continue;
                }
                break;
            }
            let prev = *group.last().expect("group starts non-empty");
            let between = band_lines(glyphs, taken, first.from, first.to, prev.pos, l.pos);
            // A title between two rules, or nothing at all (a gap wider than a double rule's),
            // parts two tables: the bottom rule of one and the top rule of the next.
            let empty_gap = between.is_empty() && l.pos - prev.pos > DOUBLE_RULE_GAP;
            if empty_gap || between.iter().any(|tl| looks_like_title(&tl.text())) {
                break;
            }
            group.push(l);
            j += 1;
        }
        let (x0, x1) = (first.from, first.to);
        // Rows above a lone rule start below the rule before it: those above that rule are its
        // table's (two lone rules would otherwise both take the rows from the page top).
        let mut above = if i > 0 { candidates[i - 1].pos } else { 0.0 };
        // A shorter rule above that framed nothing, inside this one's extent: the header rule of
        // a table continued from the page before, drawn beside its leading label column
        // (绩效指标), the header lines above it; the rows above it are this table's too.
        let header = (i > 0 && previous_unused && group.len() == 1 && short.is_empty())
            .then(|| candidates[i - 1])
            .filter(|h| h.from > first.from + EXTENT_TOLERANCE && h.to <= first.to + EXTENT_TOLERANCE)
            .map(|h| h.pos);
        if header.is_some() {
            above = if i > 1 { candidates[i - 2].pos } else { 0.0 };
        }
        let frame = group_frame(&group, &short, (above, j == candidates.len(), header), glyphs, taken, page_height);
        // Where a shorter rule ends inside the table, a column edge stands: it is drawn under
        // the columns beside a label that spans the header.
        let edges: Vec<f64> = short_ends.iter().copied().filter(|&x| x > x0 + EXTENT_TOLERANCE && x < x1 - EXTENT_TOLERANCE).collect();
        if let Some(grid) = frame.and_then(|f| open_grid_with_edges(&f, &edges, glyphs, taken, overleaf)) {
            out.push(grid);
            i = j;
            previous_unused = false;
            continue;
        }
        i += 1;
        previous_unused = true;
    }
    out
}

/// The frame of one table from its group of same-width rules, the shorter rules inside it and
/// where the rule before it lies (0 for none), whether any rule follows below (`last_group`
/// when none does) and a header rule above it that framed no table of its own.
fn group_frame(group: &[Line], short: &[f64], (above, last_group, header): (f64, bool, Option<f64>), glyphs: &[Glyph], taken: &[[f64; 4]], page_height: f64) -> Option<Frame> {
    let (x0, x1) = (group[0].from, group[0].to);
    let mut rule_pos: Vec<f64> = group.iter().map(|l| l.pos).collect();
    if rule_pos.len() == 2 {
        // Top and bottom rules only: a shorter rule in the upper part (drawn under the
        // columns that have sub-headers, not under cells spanning both header rows) is the
        // header rule.
        let (top, bottom) = (rule_pos[0], rule_pos[1]);
        if let Some(&h) = short.iter().rev().find(|&&p| p > top + 2.0 && p < top + 0.4 * (bottom - top)) {
            rule_pos.insert(1, h);
        }
    }
    let last = rule_pos[rule_pos.len() - 1];
    if group.len() >= 2 {
        // Rows running on below the last rule to the page end: the table continues overleaf.
        // Only a table with a top and a header rule and no bottom rule runs on: below a
        // third rule come notes, not rows.
        // Rules further down start another table, so no rows run on to the page end.
        let open_below = rule_pos.len() == 2 && last_group;
        let bottom = if open_below { run_to_page_end(glyphs, taken, x0, x1, last, page_height, false) } else { None };
        // The first rules on a page, a header and a bottom rule, under lines running from the
        // page top: a three-line table continued from the page before, its top rule there and
        // the rows above its header rule here (a form's last rows and the 一级指标 header, which
        // alone may be in several pieces: a browser sets a label a little off its value's line).
        let continued = (above == 0.0 && rule_pos.len() == 2 && bottom.is_none())
            .then(|| run_from_page_top(glyphs, taken, x0, x1, (0.0, rule_pos[0]), page_height, 1))
            .flatten();
        if let Some(top) = continued {
            return Some(Frame { x0, x1, top, header_bottom: rule_pos[0], bottom: last, rules: rule_pos.clone() });
        }
        let header_bottom = if rule_pos.len() >= 3 || bottom.is_some() { rule_pos[1] } else { rule_pos[0] };
        Some(Frame { x0, x1, top: rule_pos[0], header_bottom, bottom: bottom.unwrap_or(last), rules: rule_pos.clone() })
    } else if let Some(&h) = short.first().filter(|_| last_group) {
        // A top rule and a shorter rule under the header (drawn beside a label that spans
        // it), the rows running on to the page end: a form continued overleaf.
        rows_under_header_rule(glyphs, taken, x0, x1, (group[0].pos, h), page_height)
            .map(|bottom| Frame { x0, x1, top: group[0].pos, header_bottom: group[0].pos, bottom, rules: vec![group[0].pos, h] })
    } else {
        // A lone rule closing rows that start at the page top: the continuation of a table,
        // its header over the header rule when one stands above.
        let closing = run_from_page_top(glyphs, taken, x0, x1, (above, group[0].pos), page_height, 2).map(|top| {
            let rules: Vec<f64> = header.into_iter().chain(rule_pos.iter().copied()).collect();
            Frame { x0, x1, top, header_bottom: header.unwrap_or(top), bottom: group[0].pos, rules }
        });
        // The page's last rule opening rows that run to the page end: a table without a header
        // (a form) starting at the page's foot and continued overleaf.
        let pos = group[0].pos;
        closing.or_else(|| {
            last_group
                .then(|| run_to_page_end(glyphs, taken, x0, x1, pos, page_height, true))
                .flatten()
                .map(|bottom| Frame { x0, x1, top: pos, header_bottom: pos, bottom, rules: vec![pos] })
        })
    }
}

/// Pieces of one horizontal rule drawn column by column with a gutter between them are up to
/// this far apart (points); further apart, they are rules of different tables side by side.
const GUTTER: f64 = 6.0;

/// Evidence: a rule broken only at column gutters (each column's piece drawn on its own) is one
/// rule across the table.
fn join_across_gutters(rules: &[Line]) -> Vec<Line> {
    let mut sorted = rules.to_vec();
    sorted.sort_by(|a, b| a.pos.total_cmp(&b.pos).then(a.from.total_cmp(&b.from)));
    let mut out: Vec<Line> = Vec::with_capacity(sorted.len());
    for l in sorted {
        // The piece just before on the same line: the last joined rule at this position.
        let same = out.iter_mut().rev().take_while(|p| l.pos - p.pos <= super::rulings::POS_TOLERANCE).find(|p| {
            (p.pos - l.pos).abs() <= super::rulings::POS_TOLERANCE && l.from >= p.from && l.from - p.to <= GUTTER
        });
        match same {
            Some(p) => p.to = p.to.max(l.to),
            None => out.push(l),
        }
    }
    out
}

/// Where an open table sits: its x range, top, the rule under its header (= top when it has no
/// header), bottom, and every rule inside.
pub(super) struct Frame {
    pub x0: f64,
    pub x1: f64,
    pub top: f64,
    pub header_bottom: f64,
    pub bottom: f64,
    pub rules: Vec<f64>,
}

/// A line that can be a table row: not a title, and either several chunks or one short chunk.
pub(super) fn tabular(line: &TextLine, width: f64) -> bool {
    let cs = chunks(line);
    !looks_like_title(&line.text()) && (cs.len() >= 2 || cs.iter().all(|c| c.x1 - c.x0 < 0.4 * width))
}

/// A form's row of a label and its value twice over: this many pieces or more.
const FORM_ROW_PIECES: usize = 4;

/// Lines that follow `from` down to the end of the page when all of them are table rows (a
/// page number may follow), two of them in several pieces, or one in [`FORM_ROW_PIECES`] when
/// `single_form_row` allows (the one row of a form under its top rule at the page foot, 项目编码
/// | code | 项目名称 | name): the bottom of the last one.
fn run_to_page_end(glyphs: &[Glyph], taken: &[[f64; 4]], x0: f64, x1: f64, from: f64, page_height: f64, single_form_row: bool) -> Option<f64> {
    let lines = lines_to_page_end(glyphs, taken, x0, x1, from, page_height);
    let last = lines.last()?;
    let multi = lines.iter().filter(|l| chunks(l).len() >= 2).count();
    let form_row = single_form_row && lines.len() == 1 && chunks(last).len() >= FORM_ROW_PIECES;
    // Text on the page outside the table's x range below `from` also ends the run.
    let outside = text_beside(glyphs, x0, x1, from, last.bottom);
    ((multi >= 2 || form_row) && !outside && ends_the_page(glyphs, last, page_height) && lines.iter().all(|l| tabular(l, x1 - x0)))
        .then_some(last.bottom + 1.0)
}

/// Under a top rule and a shorter header rule at `rules`, lines down to the page end (a page
/// number may follow) that keep within the rules' width, two or more of them under the header
/// rule in several pieces: the bottom of the last. Above the header rule a form prints wide
/// wrapped text and its own title rows, so these lines are not held to [`tabular`].
fn rows_under_header_rule(glyphs: &[Glyph], taken: &[[f64; 4]], x0: f64, x1: f64, rules: (f64, f64), page_height: f64) -> Option<f64> {
    let lines = lines_to_page_end(glyphs, taken, x0, x1, rules.0, page_height);
    let last = lines.last()?;
    let rows_below = lines.iter().filter(|l| l.top > rules.1 && chunks(l).len() >= 2).count();
    let outside = text_beside(glyphs, x0, x1, rules.0, last.bottom);
    (rows_below >= 2 && !outside && ends_the_page(glyphs, last, page_height)).then_some(last.bottom + 1.0)
}

/// The lines in `x0..x1` from `from` to the page end, without a page number on the last line.
fn lines_to_page_end<'a>(glyphs: &'a [Glyph], taken: &[[f64; 4]], x0: f64, x1: f64, from: f64, page_height: f64) -> Vec<TextLine<'a>> {
    let mut lines = band_lines(glyphs, taken, x0, x1, from, page_height);
    if lines.last().is_some_and(|l| l.glyphs.len() <= 8 && l.top > 0.85 * page_height && chunks(l).len() == 1 && page_number(&l.text())) {
        lines.pop();
    }
    lines
}

/// A page number as printed at a page foot: figures, dashes, 第 … 页 / 共 … 页. A short label
/// alone on a form's last line there (印章刻制资金) is a row.
fn page_number(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit()) && text.chars().all(|c| c.is_ascii_digit() || c.is_whitespace() || "-—–/第页共".contains(c))
}

/// Whether rows ending with the line `last` run to the page end: they reach the lower part of
/// the page, or the last is a row in several pieces and nothing but a page number follows it (a
/// browser moves a row that does not fit to the next page and leaves the rest of this one blank).
pub(super) fn ends_the_page(glyphs: &[Glyph], last: &TextLine, page_height: f64) -> bool {
    let below: Vec<&Glyph> = glyphs.iter().filter(|g| g.cy() > last.bottom && !g.ch.is_whitespace()).collect();
    let blank_below = below.len() <= 8 && below.iter().all(|g| g.top > 0.85 * page_height);
    last.bottom > 0.7 * page_height || (blank_below && chunks(last).len() >= 2)
}

/// Whether text stands left or right of `x0..x1` between `top` and `bottom` (a column of prose
/// beside: the lines are no table's rows running on).
fn text_beside(glyphs: &[Glyph], x0: f64, x1: f64, top: f64, bottom: f64) -> bool {
    glyphs.iter().any(|g| g.cy() > top && g.cy() < bottom && (g.cx() < x0 - 2.0 || g.cx() > x1 + 2.0) && !g.ch.is_whitespace())
}

/// Lines from the page top (below the rule `above`, 0 for none) down to `to` when all of them
/// are table rows, `min_multi` of them or more in several pieces: the top of the first. A wide
/// line starting well inside the frame is a row too: a form's paragraph cell beside its label
/// (绩效目标's text), where prose starts at the frame's left edge.
fn run_from_page_top(glyphs: &[Glyph], taken: &[[f64; 4]], x0: f64, x1: f64, (above, to): (f64, f64), page_height: f64, min_multi: usize) -> Option<f64> {
    let lines = band_lines(glyphs, taken, x0, x1, above, to);
    let first = lines.first()?;
    let multi = lines.iter().filter(|l| chunks(l).len() >= 2).count();
    let outside = text_beside(glyphs, x0, x1, f64::MIN, to);
    let row = |l: &TextLine| tabular(l, x1 - x0) || (l.x0 > x0 + CELL_INDENT * (l.bottom - l.top) && !looks_like_title(&l.text()));
    (multi >= min_multi && !outside && first.top < 0.2 * page_height && lines.iter().all(row)).then_some(first.top - 1.0)
}

/// A boundary inside the gap `[a, b]`: the middle of the widest part no `covers` span reaches
/// into, or the gap's middle when every part is covered.
fn boundary_in_gap(a: f64, b: f64, covers: &[(f64, f64)]) -> f64 {
    let mut inside: Vec<(f64, f64)> = covers.iter().filter(|c| c.1 > a && c.0 < b).map(|c| (c.0.max(a), c.1.min(b))).collect();
    inside.sort_by(|p, q| p.0.total_cmp(&q.0));
    let mut best: Option<(f64, f64)> = None;
    let mut cursor = a;
    for (s, e) in inside.iter().copied().chain([(b, b)]) {
        if s > cursor && best.is_none_or(|(bs, be)| s - cursor > be - bs) {
            best = Some((cursor, s));
        }
        cursor = cursor.max(e);
    }
    match best {
        Some((s, e)) if e - s > 0.5 => (s + e) / 2.0,
        _ => (a + b) / 2.0,
    }
}

/// Whether a piece of text opens as an item of a numbered list ("1.保障专家评审经费", "2、…"):
/// a form's goals set line by line, which no header cell is (a header labels a column).
fn list_item(text: &str) -> bool {
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    let mut rest = text.chars().skip(digits);
    digits > 0 && matches!(rest.next(), Some('.' | '、' | '．')) && rest.next().is_some_and(char::is_alphabetic)
}

pub(super) fn band_lines<'a>(glyphs: &'a [Glyph], taken: &[[f64; 4]], x0: f64, x1: f64, top: f64, bottom: f64) -> Vec<TextLine<'a>> {
    let inside_band: Vec<&Glyph> = glyphs
        .iter()
        .filter(|g| {
            let (cx, cy) = (g.cx(), g.cy());
            !g.ch.is_whitespace()
                && g.upright()
                && cx >= x0 - 2.0
                && cx <= x1 + 2.0
                && cy > top
                && cy < bottom
                && !taken.iter().any(|b| inside(b, cx, cy))
        })
        .collect();
    text::lines(&inside_band, Direction::Upright)
}

/// Grid of one open table in its frame. Each step takes one kind of evidence: the body's text
/// columns give the columns ([`body_columns`]), the header's glyphs place the boundaries
/// ([`column_edges`]), rules or line spacing give the rows ([`row_edges`]), and the header's
/// text gives the header cells and their spans ([`HeaderCells`]).
pub(super) fn open_grid(f: &Frame, glyphs: &[Glyph], taken: &[[f64; 4]]) -> Option<(CellGrid, usize)> {
    open_grid_with_edges(f, &[], glyphs, taken, &Overleaf::NONE)
}

/// [`open_grid`] for a table whose part on a page beside may lie in `overleaf`.
pub(super) fn open_grid_across(f: &Frame, glyphs: &[Glyph], taken: &[[f64; 4]], overleaf: &Overleaf) -> Option<(CellGrid, usize)> {
    open_grid_with_edges(f, &[], glyphs, taken, overleaf)
}

/// [`open_grid`] with column edges known from rules (`edges`): a text column reaching over one
/// is two columns.
fn open_grid_with_edges(f: &Frame, edges: &[f64], glyphs: &[Glyph], taken: &[[f64; 4]], overleaf: &Overleaf) -> Option<(CellGrid, usize)> {
    let mut header = band_lines(glyphs, taken, f.x0, f.x1, f.top, f.header_bottom);
    // More lines above the header rule than a header has, or a paragraph among them: a form
    // set above its indicator table's header (Chromium draws the rule under 一级指标 | 二级指标
    // …; a page's first rows continuing a form, 项目当年绩效目标 and its text), read as rows.
    let whole;
    let paragraph = |l: &TextLine| {
        chunks(l).iter().any(|c| {
            let text = l.text_between(c.x0, c.x1);
            text.chars().count() > PARAGRAPH_CHARS || list_item(&text)
        })
    };
    let f = if header.len() > MAX_HEADER_LINES || header.iter().any(paragraph) {
        header.clear();
        whole = Frame { header_bottom: f.top, rules: f.rules.clone(), ..*f };
        &whole
    } else {
        f
    };
    let body = band_lines(glyphs, taken, f.x0, f.x1, f.header_bottom, f.bottom);
    // A table cut by a page break: its columns from the body lines of both its parts, in page
    // order, where they keep the other part's own (a part set on other columns overleaf stays
    // on its own).
    let beside = overleaf.beside([f.x0, f.top, f.x1, f.bottom]);
    let joint = (!beside.is_empty())
        .then(|| {
            let both: Vec<TextLine> = beside.before.iter().chain(&body).chain(&beside.after).cloned().collect();
            body_columns(&both)
        })
        .flatten()
        .filter(|columns| beside.kept_by(columns, &body));
    let columns = match joint {
        Some(columns) => columns,
        None => body_columns(&body)?,
    };
    let columns = split_at_edges(columns, edges);
    let xs = column_edges(&columns, &header, f.x0, f.x1);
    let (header, centred) = lift_centred_header_lines(header, &xs);
    let header = join_wrapped_header_lines(header, &xs);
    let (ys, rows) = row_edges(f, &header, &body, &xs);
    let nr = ys.len().checked_sub(1).filter(|&n| n >= 1)?;
    let header_rows = header.len().min(nr);
    let mut cells = HeaderCells::new(xs, header_rows);
    for (r, line) in header.iter().enumerate().take(header_rows) {
        cells.place_chunks(r, line);
    }
    for (r, line) in header.iter().enumerate().take(header_rows) {
        cells.widen_centred(r, line);
    }
    for (upper, line) in &centred {
        cells.span_two_rows(*upper, line);
    }
    cells.extend_down();
    // A form: no header (its labels sit beside their values, not above columns), and words.
    // Its parts on the pages beside count too: a form's last rows of figures overleaf (（%） | 25%
    // | 50% …) are still the form's.
    let form = header_rows == 0 && {
        let lines = beside.before.iter().chain(&body).chain(&beside.after);
        let pieces: Vec<String> = lines.flat_map(|l| chunks(l).into_iter().map(|c| l.text_between(c.x0, c.x1))).collect();
        text::mostly_words(&pieces)
    };
    let mut grid = cells.into_grid(ys, rows.blocks(), form);
    if let BodyRows::BetweenRules = rows {
        // Rules inside an open table may mark groups of rows: a group whose lines align in most
        // columns is several rows (a single wrapped cell does not qualify). Rows found from the
        // text's blocks are already decided by line spacing, and a label centred beside a wrapped
        // cell would look like another line there.
        let busy = (grid.n_cols() * 3).div_ceil(5).max(2);
        grid.split_rows_by_text_with(glyphs, 2, busy, 0);
    }
    Some((grid, header_rows))
}

/// Where the body's row edges came from.
enum BodyRows {
    /// Rules drawn between the body's rows (or between groups of them).
    BetweenRules,
    /// The body's text blocks ([`rows::body_rows`]), with those that span several rows.
    FromText(Vec<Block>),
}

impl BodyRows {
    fn blocks(&self) -> &[Block] {
        match self {
            BodyRows::BetweenRules => &[],
            BodyRows::FromText(blocks) => blocks,
        }
    }
}

/// A header label is at most this many characters (指标值确定依据).
const LABEL_CHARS: usize = 8;
/// A line of labels heading a table has at least this many of them.
const HEADER_LABELS: usize = 4;

/// A line of short labels only, four or more: the header of an indicator table.
pub(super) fn header_labels(line: &TextLine) -> bool {
    let pieces = text::chunk_spans(line, CHUNK_GAP);
    column_labels(pieces.iter().map(|&(x0, x1)| line.text_between(x0, x1)))
}

/// Texts that head columns: four or more, each a short label without figures.
pub(super) fn column_labels<S: AsRef<str>>(texts: impl ExactSizeIterator<Item = S>) -> bool {
    texts.len() >= HEADER_LABELS && texts.into_iter().all(|t| short_label(t.as_ref()))
}

/// A label as headers print them: a few characters, no figures.
pub(super) fn short_label(text: &str) -> bool {
    text.chars().count() <= LABEL_CHARS && !text.chars().any(|c| c.is_ascii_digit())
}

/// Columns: from the gaps each body line leaves between its chunks ([`text::columns_from_gaps`]),
/// a label set between two rows counted as a chunk of the row above ([`text::with_side_labels`]:
/// 二级指标's labels on lines of their own still stand in a column of their own), with the stretches between the merged extents of the chunks of lines with several chunks as
/// gaps too (a section label or wrapped text on a line of its own cannot bridge columns there).
/// `None` unless there are two columns or more.
pub(super) fn body_columns(body: &[TextLine]) -> Option<Vec<(f64, f64)>> {
    let found = text::line_pieces(body, CHUNK_GAP);
    let mut lines = text::with_side_labels(body, &found, SIDE_LABEL_LEADING);
    let several: Vec<Vec<(f64, f64)>> = lines.iter().filter(|l| l.len() >= 2).cloned().collect();
    let mut extents = Vec::new();
    for extent in text::merged_extents(several.iter().flatten().copied().collect()) {
        extents.extend(split_at_respected_gaps(extent, &several));
    }
    // A piece alone on its line clear of every column of the lines in several pieces stands in
    // a column of its own (绩效指标's second line under the header rule, beside no row).
    let apart: Vec<(f64, f64)> = lines
        .iter()
        .filter_map(|l| match l[..] {
            [p] if !extents.iter().any(|e| e.0 < p.1 && p.0 < e.1) => Some(p),
            _ => None,
        })
        .collect();
    if !apart.is_empty() && !extents.is_empty() {
        extents = text::merged_extents(extents.into_iter().chain(apart).collect());
    }
    for stack in stacked_labels(body) {
        extents = split_after_stack(extents, stack, &lines);
    }
    // A stretch narrower than a cell's two paddings parts no columns: text of one column set
    // centred beside text of the next set flush right (项目名称 ending 1.7 pt before the 0%
    // under it, both in 其中：财政资金's column).
    let size = rows::median_size(body);
    let separations: Vec<(f64, f64)> = extents.windows(2).map(|w| (w[0].1, w[1].0)).filter(|(a, b)| b - a >= MIN_SEPARATION * size).collect();
    // An indicator header under the first lines starts a part with columns of its own: the
    // form above it (whose rows of four short labels may look like a header: the last is it).
    let part_start = body.iter().rposition(header_labels).filter(|&k| k > 0);
    // A tail spread off a centred cell's line wants no column of its own; the line's extent,
    // tail included, still bridges the stretches between the columns above.
    text::drop_spread_tails(body, &found, &mut lines, SIDE_LABEL_LEADING);
    let columns = text::columns_from_gaps(&lines, size, &separations, part_start);
    (columns.len() >= 2).then_some(columns)
}

/// Glyph sizes a stretch between text columns spans at least to part them.
const MIN_SEPARATION: f64 = 0.3;

/// A label set a glyph a line (绩/效/指/标) stands on at least this many lines.
const STACKED_LINES: usize = 3;

/// The x ranges of labels set a glyph a line: one letter (not a figure) alone in its piece at one
/// place on [`STACKED_LINES`] lines or more, each within [`STACK_PITCH`] line heights of the one
/// above. Lines with nothing over that place in between do not break the stack: LibreOffice
/// sets the rows' wrapped text beside it on lines of their own (tongnan's 绩 / 效 / 指 / 标 beside
/// 病防治… and 提高工作人员…).
fn stacked_labels(body: &[TextLine]) -> Vec<(f64, f64)> {
    let pieces: Vec<Vec<Chunk>> = body.iter().map(chunks).collect();
    let single: Vec<Option<(f64, f64)>> = body
        .iter()
        .zip(&pieces)
        .map(|(l, cs)| {
            cs.iter().find_map(|c| {
                let t: Vec<char> = l.text_between(c.x0, c.x1).chars().filter(|ch| !ch.is_whitespace()).collect();
                (t.len() == 1 && t[0].is_alphabetic()).then_some((c.x0, c.x1))
            })
        })
        .collect();
    let same = |a: (f64, f64), b: (f64, f64)| (a.0 - b.0).abs() < 1.0 && (a.1 - b.1).abs() < 1.0;
    let mut out: Vec<(f64, f64)> = Vec::new();
    for (k, first) in single.iter().enumerate() {
        let Some(first) = *first else { continue };
        if out.iter().any(|&o| same(o, first)) {
            continue;
        }
        let (mut count, mut above) = (1, &body[k]);
        for (line, cs) in body.iter().zip(&pieces).skip(k + 1) {
            if !cs.iter().any(|c| c.x0 < first.1 && first.0 < c.x1) {
                continue;
            }
            let close = line.top - above.top <= STACK_PITCH * (above.bottom - above.top);
            if !(close && single_at(line, cs, first)) {
                break;
            }
            (count, above) = (count + 1, line);
        }
        if count >= STACKED_LINES {
            out.push(first);
        }
    }
    out
}

/// The glyphs of a stacked label are at most this many line heights apart, top to top.
const STACK_PITCH: f64 = 2.5;

/// Whether a line's only piece over `place` is one letter there.
fn single_at(line: &TextLine, pieces: &[Chunk], place: (f64, f64)) -> bool {
    let over: Vec<&Chunk> = pieces.iter().filter(|c| c.x0 < place.1 && place.0 < c.x1).collect();
    let [c] = over[..] else { return false };
    let t: Vec<char> = line.text_between(c.x0, c.x1).chars().filter(|ch| !ch.is_whitespace()).collect();
    t.len() == 1 && t[0].is_alphabetic() && (c.x0 - place.0).abs() < 1.0 && (c.x1 - place.1).abs() < 1.0
}

/// The extent holding a stacked label `stack` and text right of it split after the label: the
/// text starting right of it on the lines is another column (一级指标's labels beside 绩效指标),
/// though a form's label above (项目当年绩效目标) reaches over both.
fn split_after_stack(extents: Vec<(f64, f64)>, stack: (f64, f64), lines: &[Vec<(f64, f64)>]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(extents.len() + 1);
    for e in extents {
        let next = lines.iter().flatten().map(|p| p.0).filter(|&x| x > stack.1 && x < e.1).fold(f64::MAX, f64::min);
        if e.0 <= stack.0 + 1.0 && stack.1 < e.1 && next < e.1 {
            out.push((e.0, stack.1));
            out.push((next, e.1));
        } else {
            out.push(e);
        }
    }
    out
}

/// Inside a merged column extent, a stretch that at most this share of the pieces covering
/// the busiest stretch on either side of it runs across (and at least [`GAP_PEAK_PIECES`] pieces
/// on each side) is a column gap: wide text in a cell spanning several columns (a form's
/// 项目概况 beside its label) would otherwise join them all into one column.
const GAP_COVER_SHARE: f64 = 0.15;
const GAP_PEAK_PIECES: usize = 3;

/// One merged column extent split at the gaps inside it that only a few wide pieces cross.
fn split_at_respected_gaps(extent: (f64, f64), lines: &[Vec<(f64, f64)>]) -> Vec<(f64, f64)> {
    let inside: Vec<(f64, f64)> = lines.iter().flatten().copied().filter(|&(s, e)| s >= extent.0 && e <= extent.1).collect();
    let mut points: Vec<f64> = inside.iter().flat_map(|&(s, e)| [s, e]).collect();
    points.sort_by(f64::total_cmp);
    points.dedup_by(|a, b| (*a - *b).abs() < 1.0);
    // Stretches between successive piece ends, each with the number of pieces covering it (ends
    // within the point that made them one: 10 月底 starting 0.1 pt right of where 绩效指标描述
    // ends covers the stretch from there).
    let stretches: Vec<(f64, f64, usize)> =
        points.windows(2).map(|w| (w[0], w[1], inside.iter().filter(|&&(s, e)| s < w[0] + 1.0 && e > w[1] - 1.0).count())).collect();
    let peak = |range: &[(f64, f64, usize)]| range.iter().map(|s| s.2).max().unwrap_or(0);
    let mut out = Vec::new();
    let mut start = extent.0;
    let mut k = 0;
    while k < stretches.len() {
        let sides = peak(&stretches[..k]).min(peak(&stretches[k + 1..]));
        let thin = |c: usize| sides >= GAP_PEAK_PIECES && (c as f64) <= GAP_COVER_SHARE * sides as f64;
        if !thin(stretches[k].2) {
            k += 1;
            continue;
        }
        // The gap runs over the thin stretches that follow.
        let mut end = k;
        while end + 1 < stretches.len() && thin(stretches[end + 1].2) {
            end += 1;
        }
        out.push((start, stretches[k].0));
        start = stretches[end].1;
        k = end + 1;
    }
    out.push((start, extent.1));
    out
}

/// Columns split where a known edge falls inside one.
fn split_at_edges(columns: Vec<(f64, f64)>, edges: &[f64]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(columns.len() + edges.len());
    for (mut a, b) in columns {
        let mut inner: Vec<f64> = edges.iter().copied().filter(|&e| e > a + 1.0 && e < b - 1.0).collect();
        inner.sort_by(f64::total_cmp);
        for e in inner {
            out.push((a, e));
            a = e;
        }
        out.push((a, b));
    }
    out
}

/// Column boundaries: in each gap between body columns, the widest stretch no glyph of the last
/// header line covers (leaf headers are wider than the numbers under them; headers spanning
/// several columns sit on upper lines and must cross the boundary).
pub(super) fn column_edges(columns: &[(f64, f64)], header: &[TextLine], x0: f64, x1: f64) -> Vec<f64> {
    let header_glyphs: Vec<(f64, f64)> = header.last().map(|l| l.glyphs.iter().map(|g| (g.x0, g.x1)).collect()).unwrap_or_default();
    let mut xs = vec![x0.min(columns[0].0 - 1.0)];
    for w in columns.windows(2) {
        xs.push(boundary_in_gap(w[0].1, w[1].0, &header_glyphs));
    }
    xs.push(x1.max(columns[columns.len() - 1].1 + 1.0));
    xs
}

/// The column holding x on edges `xs`.
pub(super) fn col_of(xs: &[f64], x: f64) -> usize {
    let nc = xs.len() - 1;
    xs.partition_point(|&e| e <= x).clamp(1, nc) - 1
}

/// A header line between two others whose columns it shares with neither is a header cell
/// centred over both rows ("科目编码" beside "2024年预算数" over "合计 | 基本支出"): it is not a
/// row of its own but spans the two. Returns the remaining header lines and the lifted ones,
/// each with the index of the upper row it spans from.
pub(super) fn lift_centred_header_lines<'a>(mut header: Vec<TextLine<'a>>, xs: &[f64]) -> (Vec<TextLine<'a>>, Vec<(usize, TextLine<'a>)>) {
    let col_set = |l: &TextLine| -> Vec<usize> {
        let mut v: Vec<usize> = chunks(l).iter().map(|c| col_of(xs, (c.x0 + c.x1) / 2.0)).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let mut centred = Vec::new();
    let mut i = 1;
    while i + 1 < header.len() {
        let (a, m, b) = (col_set(&header[i - 1]), col_set(&header[i]), col_set(&header[i + 1]));
        if m.iter().all(|c| !a.contains(c) && !b.contains(c)) {
            let line = header.remove(i);
            centred.push((i - 1, line));
        } else {
            i += 1;
        }
    }
    (header, centred)
}

/// Evidence: successive header lines whose chunks each stay inside one column are the wrapped
/// lines of one row of leaf headers ("Percentage of / international / desired population"), not
/// rows of their own; a line with a chunk spanning columns, or centred over columns it leaves
/// empty ("收入" over 项目 | 预算数), is a header row of its own.
fn join_wrapped_header_lines<'a>(header: Vec<TextLine<'a>>, xs: &[f64]) -> Vec<TextLine<'a>> {
    let leaf = |l: &TextLine| {
        let cs = chunks(l);
        let used: Vec<usize> = cs.iter().map(|c| col_of(xs, (c.x0 + c.x1) / 2.0)).collect();
        cs.iter().all(|c| col_of(xs, c.x0 + 1.0) == col_of(xs, c.x1 - 1.0) && !centred_over_free_columns(xs, c, &used))
    };
    let mut out: Vec<TextLine<'a>> = Vec::with_capacity(header.len());
    let mut previous_leaf = false;
    for line in header {
        let is_leaf = leaf(&line);
        match out.last_mut() {
            Some(last) if previous_leaf && is_leaf => {
                last.glyphs.extend(line.glyphs);
                last.glyphs.sort_by(|a, b| a.x0.total_cmp(&b.x0));
                (last.x0, last.x1) = (last.x0.min(line.x0), last.x1.max(line.x1));
                (last.top, last.bottom, last.size) = (last.top.min(line.top), last.bottom.max(line.bottom), last.size.max(line.size));
            }
            _ => out.push(line),
        }
        previous_leaf = is_leaf;
    }
    out
}

/// Whether a chunk is centred over a group of two columns or more around its own that the
/// other chunks of its line (in columns `used`) leave free: its centre much nearer the group's
/// centre than its own column's (as [`HeaderCells::widen_centred`] decides).
fn centred_over_free_columns(xs: &[f64], ch: &Chunk, used: &[usize]) -> bool {
    let (nc, cc) = (xs.len() - 1, (ch.x0 + ch.x1) / 2.0);
    let c = col_of(xs, cc);
    let own = ((xs[c] + xs[c + 1]) / 2.0 - cc).abs();
    let free = |k: usize| k == c || !used.contains(&k);
    let lo = (0..=c).rev().take_while(|&k| free(k)).last().unwrap_or(c);
    let hi = (c..nc).take_while(|&k| free(k)).last().unwrap_or(c);
    (lo..=c).any(|a| (c..=hi).any(|b| a < b && ((xs[a] + xs[b + 1]) / 2.0 - cc).abs() < 0.35 * own))
}

/// Row edges: one per header line, then body rows — the bands between rules when rules separate
/// body rows, otherwise from the body's text blocks ([`rows::body_rows`]), which also gives the
/// blocks that span rows.
fn row_edges(f: &Frame, header: &[TextLine], body: &[TextLine], xs: &[f64]) -> (Vec<f64>, BodyRows) {
    let mut ys = vec![f.top];
    for w in header.windows(2) {
        ys.push((w[0].bottom + w[1].top) / 2.0);
    }
    if !header.is_empty() {
        ys.push(f.header_bottom);
    }
    let body_rules: Vec<f64> = f.rules.iter().copied().filter(|&p| p > f.header_bottom + 0.5 && p < f.bottom - 0.5).collect();
    let rows = if body_rules.len() >= 2 {
        ys.extend(body_rules);
        BodyRows::BetweenRules
    } else {
        let (breaks, found) = rows::body_rows(body, xs, CHUNK_GAP);
        ys.extend(breaks);
        BodyRows::FromText(found)
    };
    ys.push(f.bottom);
    ys.dedup_by(|a, b| (*a - *b).abs() < 0.5);
    (ys, rows)
}

/// The header's cells as they are decided: which cell owns each header slot.
pub(super) struct HeaderCells {
    xs: Vec<f64>,
    nc: usize,
    cells: Vec<GridCell>,
    owner: Vec<Option<usize>>,
}

impl HeaderCells {
    pub(super) fn new(xs: Vec<f64>, header_rows: usize) -> Self {
        let nc = xs.len() - 1;
        HeaderCells { xs, nc, cells: Vec::new(), owner: vec![None; header_rows * nc] }
    }

    fn header_rows(&self) -> usize {
        self.owner.len() / self.nc
    }

    fn own(&mut self, r: usize, cols: std::ops::RangeInclusive<usize>, idx: usize) {
        for c in cols {
            self.owner[r * self.nc + c] = Some(idx);
        }
    }

    /// The columns a header chunk reaches into by a fair share of its width (a spanning header
    /// is centred over its columns and reaches into each); its own column when none does.
    fn covered_columns(&self, ch: &Chunk) -> (usize, usize) {
        let width = (ch.x1 - ch.x0).max(1.0);
        let xs = &self.xs;
        let overlapping: Vec<usize> = (0..self.nc).filter(|&c| ch.x1.min(xs[c + 1]) - ch.x0.max(xs[c]) >= 0.2 * width).collect();
        match (overlapping.first(), overlapping.last()) {
            (Some(&a), Some(&b)) => (a, b),
            _ => {
                let c = col_of(xs, (ch.x0 + ch.x1) / 2.0);
                (c, c)
            }
        }
    }

    /// A header cell decided from other evidence (the column groups' headings): rows `rows`,
    /// columns `cols`, on free slots.
    pub(super) fn place_cell(&mut self, rows: std::ops::RangeInclusive<usize>, cols: std::ops::RangeInclusive<usize>) {
        let (row, col) = (*rows.start(), *cols.start());
        let (row_span, col_span) = (rows.end() + 1 - row, cols.end() + 1 - col);
        self.cells.push(GridCell { row, col, row_span, col_span, bbox: [0.0; 4], text: String::new() });
        let idx = self.cells.len() - 1;
        for r in rows {
            self.own(r, cols.clone(), idx);
        }
    }

    /// Evidence: header text covering columns. Each chunk of header row `r` gets the columns it
    /// covers; chunks falling in slots already taken merge with that cell.
    pub(super) fn place_chunks(&mut self, r: usize, line: &TextLine) {
        let nc = self.nc;
        for ch in chunks(line) {
            let (c0, c1) = self.covered_columns(&ch);
            let (c0, c1) = match (c0..=c1).find_map(|c| self.owner[r * nc + c]) {
                Some(existing) => {
                    let cell = &self.cells[existing];
                    (cell.col.min(c0), (cell.col + cell.col_span - 1).max(c1))
                }
                None => (c0, c1),
            };
            let cells = &self.cells;
            if (c0..=c1).any(|c| self.owner[r * nc + c].is_some_and(|o| cells[o].col < c0 || cells[o].col + cells[o].col_span - 1 > c1)) {
                continue;
            }
            if let Some(existing) = (c0..=c1).find_map(|c| self.owner[r * nc + c]) {
                let cell = &mut self.cells[existing];
                cell.col = c0;
                cell.col_span = c1 - c0 + 1;
                self.own(r, c0..=c1, existing);
            } else {
                self.cells.push(GridCell { row: r, col: c0, row_span: 1, col_span: c1 - c0 + 1, bbox: [0.0; 4], text: String::new() });
                self.own(r, c0..=c1, self.cells.len() - 1);
            }
        }
    }

    /// Evidence: a narrow header centred over several columns whose other slots are empty in its
    /// row spans them ("收入" over 项目 | 金额): its centre is much nearer the group's centre than
    /// its own column's.
    pub(super) fn widen_centred(&mut self, r: usize, line: &TextLine) {
        let nc = self.nc;
        for ch in chunks(line) {
            let cc = (ch.x0 + ch.x1) / 2.0;
            let c = col_of(&self.xs, cc);
            let Some(idx) = self.owner[r * nc + c] else { continue };
            if self.cells[idx].col_span != 1 {
                continue;
            }
            let own = ((self.xs[c] + self.xs[c + 1]) / 2.0 - cc).abs();
            if let Some((d, a, b)) = self.nearest_free_group(r, c, cc) {
                if d < 0.35 * own {
                    self.cells[idx].col = a;
                    self.cells[idx].col_span = b - a + 1;
                    self.own(r, a..=b, idx);
                }
            }
        }
    }

    /// Among the runs of columns `a..=b` around `c` (two or more) whose other slots in row `r`
    /// are free, the one whose centre is nearest `cc`: (distance, a, b).
    fn nearest_free_group(&self, r: usize, c: usize, cc: f64) -> Option<(f64, usize, usize)> {
        let (nc, xs) = (self.nc, &self.xs);
        let mut best: Option<(f64, usize, usize)> = None;
        for a in 0..=c {
            if (a..c).any(|k| self.owner[r * nc + k].is_some()) {
                continue;
            }
            for b in c..nc {
                if (c + 1..=b).any(|k| self.owner[r * nc + k].is_some()) {
                    break;
                }
                if a == b {
                    continue;
                }
                let d = ((xs[a] + xs[b + 1]) / 2.0 - cc).abs();
                if best.is_none_or(|(bd, _, _)| d < bd) {
                    best = Some((d, a, b));
                }
            }
        }
        best
    }

    /// Evidence: a cell between two rules (columns `a..=b`) alone in its header row `r` spans
    /// them: the rules are its edges.
    pub(super) fn span_between_rules(&mut self, r: usize, a: usize, b: usize) {
        let nc = self.nc;
        let mut owners: Vec<usize> = (a..=b).filter_map(|c| self.owner[r * nc + c]).collect();
        owners.dedup();
        let [only] = owners[..] else { return };
        let cell = &self.cells[only];
        if cell.row != r || cell.row_span != 1 || cell.col < a || cell.col + cell.col_span - 1 > b {
            return;
        }
        self.cells[only].col = a;
        self.cells[only].col_span = b - a + 1;
        self.own(r, a..=b, only);
    }

    /// Evidence: a header label vertically centred between header rows `upper` and `upper + 1`
    /// spans both, where both rows are free in its columns.
    pub(super) fn span_two_rows(&mut self, upper: usize, line: &TextLine) {
        let (r, nc) = (upper, self.nc);
        if r + 1 >= self.header_rows() {
            return;
        }
        for ch in chunks(line) {
            let (c0, c1) = self.covered_columns(&ch);
            if (c0..=c1).any(|c| self.owner[r * nc + c].is_some() || self.owner[(r + 1) * nc + c].is_some()) {
                continue;
            }
            self.cells.push(GridCell { row: r, col: c0, row_span: 2, col_span: c1 - c0 + 1, bbox: [0.0; 4], text: String::new() });
            let idx = self.cells.len() - 1;
            self.own(r, c0..=c1, idx);
            self.own(r + 1, c0..=c1, idx);
        }
    }

    /// Evidence: an empty header slot below a header cell — the cell spans down into it.
    pub(super) fn extend_down(&mut self) {
        let nc = self.nc;
        for r in 1..self.header_rows() {
            for c in 0..nc {
                if self.owner[r * nc + c].is_some() {
                    continue;
                }
                let Some(above) = self.owner[(r - 1) * nc + c] else { continue };
                let cell = &self.cells[above];
                let fits = (cell.col..cell.col + cell.col_span).all(|k| self.owner[r * nc + k].is_none());
                if fits && cell.row + cell.row_span == r {
                    let (col, span) = (cell.col, cell.col_span);
                    self.cells[above].row_span += 1;
                    self.own(r, col..=col + span - 1, above);
                }
            }
        }
    }

    /// The grid: the header cells, body blocks that cross row edges as cells spanning those
    /// rows, in a form the empty slots beside a cell joined to it ([`widen_into_empty_slots`]),
    /// every other slot a cell of its own, boxes from the edges. Each block's columns are
    /// decided first ([`block_columns`]), so a label spanning two grid columns holds both when
    /// another column's label looks for the rows it is centred against.
    pub(super) fn into_grid(self, ys: Vec<f64>, blocks: &[Block], form: bool) -> CellGrid {
        let (nc, nr, xs) = (self.nc, ys.len() - 1, self.xs);
        let mut cells = self.cells;
        let mut covered = vec![false; nr * nc];
        for cell in &cells {
            for r in cell.row..cell.row + cell.row_span {
                for c in cell.col..cell.col + cell.col_span {
                    covered[r * nc + c] = true;
                }
            }
        }
        // Rows each block reaches into by more than a point.
        let rows_of = |b: &Block| {
            (ys.partition_point(|&y| y <= b.top + 1.0).clamp(1, nr) - 1, ys.partition_point(|&y| y < b.bottom - 1.0).clamp(1, nr) - 1)
        };
        let mut holder: Vec<Option<usize>> = vec![None; nr * nc];
        for (i, b) in blocks.iter().enumerate() {
            let (r0, r1) = rows_of(b);
            for r in r0..=r1 {
                holder[r * nc + b.col].get_or_insert(i);
            }
        }
        let mut holds: Vec<bool> = holder.iter().map(Option::is_some).collect();
        let free_for = |b: &Block, c: usize| {
            let (r0, r1) = rows_of(b);
            (r0..=r1).all(|r| !holds[r * nc + c] && !covered[r * nc + c])
        };
        let spans: Vec<(usize, usize)> = blocks.iter().map(|b| block_columns(b, &xs, (centred_in_column(b, blocks), text_after(b, blocks)), |c| free_for(b, c))).collect();
        let spans = share_spans_on_one_axis(blocks, spans, free_for);
        for (b, &(c0, c1)) in blocks.iter().zip(&spans) {
            let (r0, r1) = rows_of(b);
            for r in r0..=r1 {
                holds[r * nc + c0..=r * nc + c1].fill(true);
            }
        }
        let partitioned = label_column_rows(blocks, &spans, &ys, rows_of, |r, c| !holds[r * nc + c] && !covered[r * nc + c]);
        // The extent of the text lying in rows r0..=r1 alone.
        let row_text = |r0: usize, r1: usize| {
            let within = blocks.iter().filter(|o| rows_of(o) == (r0, r1));
            within.fold(None, |e: Option<(f64, f64)>, o| Some(e.map_or((o.top, o.bottom), |(t, b)| (t.min(o.top), b.max(o.bottom)))))
        };
        for (i, (b, &(c0, c1))) in blocks.iter().zip(&spans).enumerate() {
            let (r0, r1) = rows_of(b);
            let free = |r: usize| (c0..=c1).all(|c| !holds[r * nc + c] && !covered[r * nc + c]);
            // A block sharing its rows with another of its column is one line of a cell, not
            // a label alone in it: its middle tells nothing of the cell's rows (绩效目标's text,
            // 1.… and 2.… a wrap apart, the first line no label centred on the row above).
            let alone = !blocks.iter().enumerate().any(|(j, o)| j != i && o.col == b.col && {
                let (a, z) = rows_of(o);
                a <= r1 && z >= r0
            });
            let centred = || if alone { rows::centred_rows(b, (r0, r1), &ys, row_text(r0, r1), free) } else { None };
            let (r0, r1) = partitioned[i].or_else(centred).unwrap_or((r0, r1));
            if (r1 <= r0 && c1 <= c0) || (r0..=r1).any(|r| (c0..=c1).any(|c| covered[r * nc + c])) {
                continue;
            }
            cells.push(GridCell { row: r0, col: c0, row_span: r1 - r0 + 1, col_span: c1 - c0 + 1, bbox: [0.0; 4], text: String::new() });
            for r in r0..=r1 {
                covered[r * nc + c0..=r * nc + c1].fill(true);
            }
        }
        if form {
            widen_into_empty_slots(&mut cells, &mut covered, &holder, blocks, &xs);
        }
        for r in 0..nr {
            for c in 0..nc {
                if !covered[r * nc + c] {
                    cells.push(GridCell { row: r, col: c, row_span: 1, col_span: 1, bbox: [0.0; 4], text: String::new() });
                }
            }
        }
        let xs = drop_unused_edges(xs, &mut cells);
        for cell in &mut cells {
            cell.bbox = [xs[cell.col], ys[cell.row], xs[cell.col + cell.col_span], ys[cell.row + cell.row_span]];
        }
        cells.sort_by_key(|c| (c.row, c.col));
        CellGrid { xs, ys, cells }
    }
}

/// Column edges that no cell starts or ends on, every row's cell there spanning across them:
/// text decided those columns (a figure set flush right under a label centred in the same cell,
/// caofeidian's 100% under 12 月底, parts two stretches of text), and the cells decided the
/// edge away. The edges are dropped and the cells re-indexed.
fn drop_unused_edges(xs: Vec<f64>, cells: &mut [GridCell]) -> Vec<f64> {
    let nc = xs.len() - 1;
    let used: Vec<bool> = (0..=nc).map(|k| k == 0 || k == nc || cells.iter().any(|c| c.col == k || c.col + c.col_span == k)).collect();
    if used.iter().all(|&u| u) {
        return xs;
    }
    // New index of each old edge: the number of used edges before it.
    let index: Vec<usize> = used.iter().scan(0, |n, &u| {
        let i = *n;
        *n += usize::from(u);
        Some(i)
    }).collect();
    for c in cells.iter_mut() {
        let end = index[c.col + c.col_span];
        c.col = index[c.col];
        c.col_span = end - c.col;
    }
    xs.into_iter().zip(used).filter(|&(_, u)| u).map(|(x, _)| x).collect()
}

/// How far apart (in lines) labels on one axis may be to share their columns: the next row or
/// the one after.
const AXIS_REACH: f64 = 4.5;

/// Evidence: one-line labels of one column set centred on one axis (项目资金总额, 其中：财政资金,
/// 上年结转资金 … under one another, each centred on the same point) sit in cells of the same
/// columns. Where the wider ones reach over a group of columns, a narrower one whose middle is
/// theirs takes the group too, its slots there being free: its own width says less about the
/// cell than theirs (a narrow label is near the middle of any stretch of text edges).
fn share_spans_on_one_axis(blocks: &[Block], mut spans: Vec<(usize, usize)>, free: impl Fn(&Block, usize) -> bool) -> Vec<(usize, usize)> {
    let mid = |b: &Block| (b.x0 + b.x1) / 2.0;
    for i in 0..blocks.len() {
        let b = &blocks[i];
        if !b.words || b.wrapped {
            continue;
        }
        let (c0, c1) = spans[i];
        let wider = (0..blocks.len())
            .filter(|&j| {
                let o = &blocks[j];
                j != i && o.col == b.col && o.words && !o.wrapped && (mid(o) - mid(b)).abs() < 1.0 && (o.top - b.top).abs() < AXIS_REACH * (b.bottom - b.top)
            })
            .map(|j| spans[j])
            .filter(|&(a, z)| a <= c0 && z >= c1 && z - a > c1 - c0 && (a..=z).all(|c| (c0..=c1).contains(&c) || free(b, c)))
            .max_by_key(|&(a, z)| z - a);
        // A label has its value after it on its line.
        if let Some(span) = wider.filter(|_| text_after(b, blocks)) {
            spans[i] = span;
        }
    }
    spans
}

/// Whether the slot at index `i` is neither covered by a cell nor holding a block.
fn free_slot(covered: &[bool], holder: &[Option<usize>], i: usize) -> bool {
    !covered[i] && holder[i].is_none()
}

/// Evidence in a form: a row without text of its own (an empty row of amounts under 3 月底 |
/// 6 月底 …, beside the label spanning both) shows no cells; it is ruled as the row above it,
/// whose cells head its columns.
fn rule_empty_rows_as_above(cells: &mut Vec<GridCell>, covered: &mut [bool], holder: &[Option<usize>], nc: usize) {
    let nr = covered.len() / nc;
    for r in 1..nr {
        if !(0..nc).all(|c| holder[r * nc + c].is_none_or(|i| holder[(r - 1) * nc + c] == Some(i))) {
            continue;
        }
        let above: Vec<(usize, usize)> = cells.iter().filter(|x| x.row + x.row_span == r && x.col_span > 1).map(|x| (x.col, x.col_span)).collect();
        for (col, span) in above {
            if (col..col + span).all(|c| free_slot(covered, holder, r * nc + c)) {
                cells.push(GridCell { row: r, col, row_span: 1, col_span: span, bbox: [0.0; 4], text: String::new() });
                covered[r * nc + col..r * nc + col + span].fill(true);
            }
        }
    }
}

/// A block of words on one line: its cell may run on into the empty slots after it, unless it
/// is set centred within its own column: its middle is that of another line of the column, of
/// another width, whose cell is that column alone (the next column holds text in its row): 3 月底
/// centred as 预算数 is above it, beside its figure. A line starting where two others of its
/// column start is set flush left, its middle where it falls.
fn runs_on(i: usize, blocks: &[Block], holder: &[Option<usize>], nc: usize) -> bool {
    let b = &blocks[i];
    if !b.words || b.wrapped {
        return false;
    }
    let flush_left = blocks.iter().enumerate().filter(|&(j, o)| j != i && o.col == b.col && (o.x0 - b.x0).abs() < OFF_MIDDLE).count() >= 2;
    if flush_left {
        return true;
    }
    let (mid, width) = ((b.x0 + b.x1) / 2.0, b.x1 - b.x0);
    let one_column_cell = |r: usize, j: usize| b.col + 1 < nc && holder[r * nc + b.col + 1].is_some_and(|k| k != j);
    let centred_alone = (0..holder.len() / nc).any(|r| {
        holder[r * nc + b.col].is_some_and(|j| {
            let o = &blocks[j];
            j != i && ((o.x0 + o.x1) / 2.0 - mid).abs() < OFF_MIDDLE && ((o.x1 - o.x0) - width).abs() > OFF_MIDDLE && one_column_cell(r, j)
        })
    });
    !centred_alone
}

/// Two lines whose middles are this close (points) are centred on one axis.
const OFF_MIDDLE: f64 = 1.0;

/// Evidence in a form (a table of words): a form has no empty slots; a row with fewer cells than
/// the grid has columns has cells spanning them. Empty slots after a line of words in its row
/// belong to it (its text starts at the left and runs on; words wrapped at their column's width
/// show a cell of that column alone); empty slots before a figure belong to the figure (figures
/// are set flush right). Slots `covered` by a cell already stay as they are; `holder` gives the
/// block in each slot.
fn widen_into_empty_slots(cells: &mut Vec<GridCell>, covered: &mut [bool], holder: &[Option<usize>], blocks: &[Block], xs: &[f64]) {
    let nc = xs.len() - 1;
    let nr = covered.len() / nc;
    let free = |covered: &[bool], r: usize, c: usize| free_slot(covered, holder, r * nc + c);
    rule_empty_rows_as_above(cells, covered, holder, nc);
    for r in 0..nr {
        let mut c = 0;
        while c < nc {
            if !free(covered, r, c) {
                c += 1;
                continue;
            }
            let a = c;
            while c < nc && free(covered, r, c) {
                c += 1;
            }
            let b = c - 1;
            let index_at = |k: usize| (!covered[r * nc + k]).then(|| holder[r * nc + k]).flatten();
            let block_at = |k: usize| index_at(k).map(|i| &blocks[i]);
            // A one-line cell after the run whose text is centred over the run, its own columns
            // and the empty run after it (a form's value centred across the value columns)
            // spans them all.
            if let Some(k) = cells.iter().position(|x| x.row == r && x.row_span == 1 && x.col == b + 1) {
                let (col, span) = (cells[k].col, cells[k].col_span);
                let mut after = col + span;
                while after < nc && free(covered, r, after) {
                    after += 1;
                }
                let text = (col..col + span).find_map(|k| holder[r * nc + k]).map(|i| &blocks[i]).filter(|t| !t.wrapped);
                // Centred as block_columns asks: a wide left-aligned line lies near the middle of
                // any stretch it fills.
                let centred = text.is_some_and(|t| {
                    let off = |x0: f64, x1: f64| ((t.x0 + t.x1) / 2.0 - (x0 + x1) / 2.0).abs();
                    centred_over(off(xs[a], xs[after]), off(xs[col], xs[col + span]), t.bottom - t.top)
                });
                if centred {
                    cells[k].col = a;
                    cells[k].col_span = after - a;
                    covered[r * nc + a..r * nc + after].fill(true);
                    c = after;
                    continue;
                }
            }
            // A line of words before the run runs on over it; else a figure after it, set flush
            // right, is in a cell reaching back over it, no further than the heading over it
            // in the row above reaches (25% | | 50% under 3 月底 | | 6 月底).
            let heading_from = |k: usize| {
                let cell = cells.iter().find(|x| x.row + 1 == r && x.row_span == 1 && (x.col..x.col + x.col_span).contains(&k)).map(|x| x.col);
                // A line of words in that one slot alone is a cell of its own.
                let line = (r > 0 && !covered[(r - 1) * nc + k]).then(|| holder[(r - 1) * nc + k]).flatten().filter(|&i| blocks[i].words).map(|_| k);
                cell.or(line)
            };
            let widened = match (a.checked_sub(1).and_then(index_at), (b + 1 < nc).then(|| block_at(b + 1)).flatten()) {
                (Some(left), _) if runs_on(left, blocks, holder, nc) => Some((a - 1, b)),
                (_, Some(right)) if !right.words => Some((heading_from(b + 1).map_or(a, |h| h.max(a)), b + 1)).filter(|&(c0, _)| c0 <= b),
                _ => None,
            };
            if let Some((c0, c1)) = widened {
                cells.push(GridCell { row: r, col: c0, row_span: 1, col_span: c1 - c0 + 1, bbox: [0.0; 4], text: String::new() });
                covered[r * nc + c0..=r * nc + c1].fill(true);
                continue;
            }
            // A cell of words already spanning columns up to the run takes it too, wrapped or
            // not: its lines were not set within one column's width.
            let words_in = |x: &GridCell| (x.col..a).any(|k| holder[r * nc + k].is_some_and(|i| blocks[i].words));
            if let Some(cell) = cells.iter_mut().find(|x| x.row == r && x.row_span == 1 && x.col + x.col_span == a && x.col_span > 1 && words_in(x)) {
                cell.col_span += b + 1 - a;
                covered[r * nc + a..=r * nc + b].fill(true);
            }
        }
    }
}

/// Rows of the labels in columns of labels only (words, one column each, free slots between
/// them), decided together: each spans from where the label above ends to where the one below
/// starts, centred against its rows ([`rows::centred_partition`]). `None` for other blocks, and
/// for a column whose labels cannot all be centred (they are set otherwise).
fn label_column_rows(
    blocks: &[Block],
    spans: &[(usize, usize)],
    ys: &[f64],
    rows_of: impl Fn(&Block) -> (usize, usize),
    free: impl Fn(usize, usize) -> bool,
) -> Vec<Option<(usize, usize)>> {
    let mut out = vec![None; blocks.len()];
    let nc = spans.iter().map(|s| s.1 + 1).max().unwrap_or(0);
    let nr = ys.len() - 1;
    // Right to left: a column's labels span whole labels of the column right of it, decided
    // first.
    for col in (0..nc).rev() {
        // Blocks spanning columns (a form's labels above the indicators) are no labels of this
        // column; they hold their rows.
        let mut own: Vec<usize> = (0..blocks.len()).filter(|&i| blocks[i].col == col && spans[i] == (col, col)).collect();
        // Rows the column to the right has a label span across: none of this column's spans
        // starts there.
        let inside_right: Vec<bool> = {
            let mut inside = vec![false; nr];
            for i in (0..blocks.len()).filter(|&i| blocks[i].col == col + 1 && spans[i] == (col + 1, col + 1)) {
                let (a, z) = out[i].unwrap_or_else(|| rows_of(&blocks[i]));
                inside[a + 1..=z].fill(true);
            }
            inside
        };
        if own.iter().any(|&i| !blocks[i].words) {
            continue;
        }
        match own[..] {
            [] => continue,
            [i] => {
                out[i] = label_over_the_rest(&blocks[i], col, (nr, nc), &rows_of, &free);
                continue;
            }
            _ => {}
        }
        own.sort_by_key(|&i| rows_of(&blocks[i]).0);
        // Runs of labels with only free slots between them.
        let mut run: Vec<usize> = Vec::new();
        for (k, &i) in own.iter().enumerate() {
            run.push(i);
            let next = own.get(k + 1).map(|&j| rows_of(&blocks[j]).0);
            let joined = next.is_some_and(|n| (rows_of(&blocks[i]).1 + 1..n).all(|r| free(r, col)) && n > rows_of(&blocks[i]).1);
            if joined {
                continue;
            }
            let labels: Vec<(usize, usize, f64)> = run.iter().map(|&i| (rows_of(&blocks[i]).0, rows_of(&blocks[i]).1, (blocks[i].top + blocks[i].bottom) / 2.0)).collect();
            let mut lo = labels[0].0;
            while lo > 0 && free(lo - 1, col) {
                lo -= 1;
            }
            let mut hi = labels[labels.len() - 1].1;
            while hi + 1 < nr && free(hi + 1, col) {
                hi += 1;
            }
            let gaps = (lo..hi).any(|r| free(r, col));
            // A label spans rows whose items stand to its right: each of its rows holds text in a
            // column further right (form columns with sparse words have empty rows there).
            let items_beside = |&(a, z): &(usize, usize)| (a..=z).all(|r| (col + 1..nc).any(|c| !free(r, c)));
            // Whole labels of the column to the right where they allow it, else as centred.
            let last = run[run.len() - 1];
            let cut_last = hi == nr - 1 && level_with_its_row(&blocks[last], blocks, &rows_of);
            let partition = centred_run(&labels, (lo, hi), ys, |r| !inside_right[r], cut_last).filter(|rows| gaps && run.len() >= 2 && rows.iter().all(items_beside));
            if let Some(mut rows) = partition {
                // Rows left over under the last label down to the table's last row: the label is
                // cut by the page break (set at the top of its part, not centred) and spans them.
                if hi == nr - 1 {
                    rows.last_mut().expect("a run has labels").1 = hi;
                }
                for (&i, r) in run.iter().zip(rows) {
                    out[i] = Some(r);
                }
            }
            run.clear();
        }
    }
    out
}

/// The rows of a run of labels centred one after another over `lo..=hi` (whole labels of the
/// column to the right where `starts` allows, else as centred). With `cut_last` the run's last
/// label, cut by the page break at the table's foot, is printed at the top of its part, not
/// centred (效益指标 over the rows left on the page): the others are centred, it spans its
/// rows down to the foot.
fn centred_run(labels: &[(usize, usize, f64)], (lo, hi): (usize, usize), ys: &[f64], starts: impl Fn(usize) -> bool, cut_last: bool) -> Option<Vec<(usize, usize)>> {
    let centred = |labels: &[(usize, usize, f64)], hi: usize| rows::centred_partition_at(labels, (lo, hi), ys, &starts).or_else(|| rows::centred_partition(labels, (lo, hi), ys));
    let (head, last) = (&labels[..labels.len() - 1], labels[labels.len() - 1]);
    centred(labels, hi).or_else(|| {
        let mut rows = (cut_last && last.0 > lo && !head.is_empty()).then(|| centred(head, last.0 - 1)).flatten()?;
        rows.push((last.0, hi));
        Some(rows)
    })
}

/// Whether a block's top is level with a line of a column to its right starting in its row:
/// it is printed at the top of its cell, not centred on its rows.
fn level_with_its_row(b: &Block, blocks: &[Block], rows_of: &impl Fn(&Block) -> (usize, usize)) -> bool {
    blocks.iter().any(|o| o.col > b.col && (o.top - b.top).abs() < rows::OFF_LEVEL && rows_of(o).0 == rows_of(b).0)
}

/// Evidence: the only label of the leading column (a column of words, as the caller keeps to),
/// set at the top of its rows (the slot above it taken), every slot under it free down to the
/// table's last row (one row or more: a part cut by the page break may show one), and each of
/// those rows holding items to its right: it heads the rest of the
/// table (a form's 绩效指标 over all its indicator rows, printed at the top of its cell). `None`
/// otherwise.
fn label_over_the_rest(
    b: &Block,
    col: usize,
    (nr, nc): (usize, usize),
    rows_of: &impl Fn(&Block) -> (usize, usize),
    free: &impl Fn(usize, usize) -> bool,
) -> Option<(usize, usize)> {
    let (r0, r1) = rows_of(b);
    let at_top = r0 == 0 || !free(r0 - 1, col);
    let rest_free = (r1 + 1..nr).all(|r| free(r, col));
    let items_beside = (r0..nr).all(|r| (col + 1..nc).any(|c| !free(r, c)));
    (col == 0 && r1 + 1 < nr && at_top && rest_free && items_beside).then_some((r0, nr - 1))
}

/// The columns a block of words spans, among the columns beside its own that are `free` in its
/// rows. Evidence: its words reach well into them (a form's 项目名称 over the label column's two
/// grid columns), or it is centred over a group of them much nearer than over its own column
/// (a form's value set in the middle of the three indicator columns it spans, clear of each
/// one's edges).
fn block_columns(b: &Block, xs: &[f64], (set_centred, text_after): (bool, bool), free: impl Fn(usize) -> bool) -> (usize, usize) {
    if !b.words {
        return (b.col, b.col);
    }
    let nc = xs.len() - 1;
    let reaches = |c: usize| b.x1.min(xs[c + 1]) - b.x0.max(xs[c]) > SPAN_REACH && free(c);
    let (mut c0, mut c1) = (b.col, b.col);
    while c0 > 0 && reaches(c0 - 1) {
        c0 -= 1;
    }
    while c1 + 1 < nc && reaches(c1 + 1) {
        c1 += 1;
    }
    let cc = (b.x0 + b.x1) / 2.0;
    let off = |a: usize, z: usize| ((xs[a] + xs[z + 1]) / 2.0 - cc).abs();
    let own = off(c0, c1);
    let (lo, hi) = ((0..c0).rev().take_while(|&c| free(c)).last().unwrap_or(c0), (c1 + 1..nc).take_while(|&c| free(c)).last().unwrap_or(c1));
    // A block with nothing after it on its line, reaching into the free columns on a side, takes
    // all of them up to the next text: centred on some of them only, it is centred in its own
    // column by chance (行政审批业务经费 at a page top, centred in its column and, as closely, on
    // the empty label column and the one after). With text after it, it may be centred on some
    // (项目资金总额 over two of four empty columns before its value, 3 月底 before 6 月底).
    let whole = |&(a, z): &(usize, usize)| text_after || ((a == c0 || a == lo) && (z == c1 || z == hi));
    let centred = (lo..=c0).flat_map(|a| (c1..=hi).map(move |z| (a, z))).filter(|&(a, z)| (a, z) != (c0, c1)).filter(whole).min_by(|p, q| off(p.0, p.1).total_cmp(&off(q.0, q.1)));
    match centred {
        Some((a, z)) if set_centred && centred_over(off(a, z), own, b.bottom - b.top) => (a, z),
        _ => (c0, c1),
    }
}

/// A block is centred over a group of columns when its centre is nearer the group's centre
/// than this share of its distance from its own column's centre, and within this share of its
/// height (a glyph's height for one line: centring is exact up to rounding).
const CENTRED_SHARE: f64 = 0.35;
const CENTRED_SLACK: f64 = 0.6;

/// Whether a block of a later column lies beside `b` on its line(s).
fn text_after(b: &Block, blocks: &[Block]) -> bool {
    blocks.iter().any(|o| o.col > b.col && o.top < b.bottom && o.bottom > b.top)
}

/// Whether a block `height` tall, whose middle is `off` from a stretch's and `own` from its own
/// columns', is centred over the stretch ([`CENTRED_SHARE`], [`CENTRED_SLACK`]).
fn centred_over(off: f64, own: f64, height: f64) -> bool {
    off < CENTRED_SHARE * own && off <= CENTRED_SLACK * height.min(own)
}

/// Whether a block is set centred where it stands: another block of its column of another width
/// has the same middle, and it does not share its left or right end with two blocks of other
/// widths (flush text whose middle meets another's by chance); or its column's text is set flush
/// (two blocks of other widths share an end) and it shares neither end with any (a form's
/// "3 月底" over figures set flush right). Only then does its place say it is centred over a
/// group of columns (a flush-left name beside empty code columns sits near their middle by
/// chance).
fn centred_in_column(b: &Block, blocks: &[Block]) -> bool {
    let others = || blocks.iter().filter(|o| o.col == b.col && ((o.x1 - o.x0) - (b.x1 - b.x0)).abs() > 3.0);
    let mid = (b.x0 + b.x1) / 2.0;
    let same_mid = others().any(|o| ((o.x0 + o.x1) / 2.0 - mid).abs() < 1.0);
    let sharing = |end: fn(&Block) -> f64, x: f64| others().filter(|o| (end(o) - x).abs() < 1.0).count();
    let (left, right): (fn(&Block) -> f64, fn(&Block) -> f64) = (|o| o.x0, |o| o.x1);
    let flush = sharing(left, b.x0) >= 2 || sharing(right, b.x1) >= 2;
    let column_flush = others().any(|o| sharing(left, o.x0) >= 2 || sharing(right, o.x1) >= 2);
    let off_the_column = column_flush && sharing(left, b.x0) == 0 && sharing(right, b.x1) == 0;
    (same_mid && !flush) || off_the_column
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::layout::text::tests::{put, spread, word};

    #[test]
    fn a_form_value_centred_over_the_value_columns_and_a_figure_set_flush_right_span_the_empty_slots() {
        // jialing_lab_2024 three-line page 1 (open_continued, LibreOffice), its column edges and
        // text ends as the page sets them. Row 0: the project name (273-399) is centred over all
        // the value columns (2-5), not over the two its middle falls in. Row 1: 860.00 is flush
        // right in a cell of columns 2-3, beside a label wrapped in two lines (资金总额（万 / 元）)
        // that already spans the two label columns: the figure, not the label, takes column 2.
        let xs = [55.0, 80.0, 131.7, 194.3, 328.6, 436.4, 540.0];
        let block = |col: usize, x0: f64, x1: f64, words: bool, wrapped: bool| Block { col, top: 0.0, bottom: 9.0, words, x0, x1, wrapped, stacked: false };
        let blocks = [block(1, 77.4, 113.4, true, false), block(4, 273.3, 399.3, true, false), block(1, 68.4, 122.4, true, true), block(3, 295.8, 322.8, false, false)];
        let cell = |row: usize, col: usize, col_span: usize| GridCell { row, col, row_span: 1, col_span, bbox: [0.0; 4], text: String::new() };
        let mut cells = vec![cell(0, 0, 2), cell(0, 3, 2), cell(1, 0, 2)];
        let nc = xs.len() - 1;
        let mut covered = vec![false; 2 * nc];
        for c in &cells {
            covered[c.row * nc + c.col..c.row * nc + c.col + c.col_span].fill(true);
        }
        let mut holder = vec![None; 2 * nc];
        for (i, (row, b)) in [0, 0, 1, 1].into_iter().zip(&blocks).enumerate() {
            holder[row * nc + b.col] = Some(i);
        }
        widen_into_empty_slots(&mut cells, &mut covered, &holder, &blocks, &xs);
        let mut got: Vec<(usize, usize, usize)> = cells.iter().map(|c| (c.row, c.col, c.col_span)).collect();
        got.sort_unstable();
        assert_eq!(got, vec![(0, 0, 2), (0, 2, 4), (1, 0, 2), (1, 2, 2)]);
        assert!(covered[..2 * nc - 2].iter().all(|&c| c), "{covered:?}");
    }

    #[test]
    fn the_last_label_cut_by_the_page_break_is_printed_at_the_top_of_its_rows_and_spans_them() {
        // yutian_2024 three-line page 4 (open_hrules, LibreOffice), the indicator table's part
        // above the page break, rows as laid out there (row 0 the header): 产出指标 centred on
        // rows 1-4; 效益指标, whose rows run on overleaf, printed at the top of row 5 level with
        // the first line of its description, over rows 5-6.
        let ys = [420.0, 440.0, 478.0, 512.0, 560.0, 627.0, 695.0, 750.0];
        let block = |col: usize, top: f64, bottom: f64| Block { col, top, bottom, words: true, x0: 0.0, x1: 0.0, wrapped: bottom - top > 10.0, stacked: false };
        let mut blocks = vec![block(0, 529.0, 538.0), block(0, 632.0, 641.0)];
        for (top, bottom) in [(455.0, 464.0), (490.0, 499.0), (530.0, 539.0), (589.0, 598.0), (648.0, 676.0), (699.0, 727.0)] {
            blocks.push(block(1, top, bottom));
            blocks.push(block(2, if top == 648.0 { 632.0 } else { top }, bottom));
        }
        let spans: Vec<(usize, usize)> = blocks.iter().map(|b| (b.col, b.col)).collect();
        let rows_of = |b: &Block| (ys.partition_point(|&y| y <= b.top + 1.0) - 1, ys.partition_point(|&y| y < b.bottom - 1.0) - 1);
        let free = |r: usize, c: usize| r > 0 && !blocks.iter().any(|b| b.col == c && (rows_of(b).0..=rows_of(b).1).contains(&r));
        let out = label_column_rows(&blocks, &spans, &ys, rows_of, free);
        assert_eq!((out[0], out[1]), (Some((1, 4)), Some((5, 6))));
    }

    #[test]
    fn a_leading_label_at_the_top_of_its_cell_heads_the_rows_under_it_though_one_row_follows() {
        // tongnan_2021 three-line (open_hrules, LibreOffice): 绩效指标, printed at the top of its
        // cell, its indicator header beside it and one row under it before the page break, the
        // slots under it free and each row holding items to its right.
        let label = Block { col: 0, top: 700.0, bottom: 709.0, words: true, x0: 60.0, x1: 96.0, wrapped: false, stacked: false };
        let rows_of = |_: &Block| (1, 1);
        let held = |r: usize, c: usize| c > 0 || r == 0;
        assert_eq!(label_over_the_rest(&label, 0, (3, 3), &rows_of, &|r, c| !held(r, c)), Some((1, 2)));
        // A row under it with nothing beside: no rows of its.
        assert_eq!(label_over_the_rest(&label, 0, (3, 3), &rows_of, &|r, c| !(held(r, c) && r < 2)), None);
    }

    #[test]
    fn a_month_centred_in_its_column_and_the_figures_under_the_months_leave_a_spacer_column_empty() {
        // yutian_2024 three-line page 1 (open_hrules, LibreOffice), the form's 预算数 and 资金支出
        // 计划 rows, their text ends as the page sets them; column 0 is the labels' (covered).
        // Column 2 is a spacer in the month rows: 3 月底 is centred as 预算数 (a cell of column 1
        // alone, its figure beside it) and does not run on; 50% sits under 6 月底, a heading of
        // column 3 alone, and reaches back no further.
        let xs = [56.7, 130.2, 201.46, 260.46, 331.41, 409.1, 538.6];
        let nc = xs.len() - 1;
        let widen = |with_budget_label: bool| {
            let block = |col: usize, x0: f64, x1: f64, words: bool| Block { col, top: 0.0, bottom: 9.0, words, x0, x1, wrapped: false, stacked: false };
            let mut rows: Vec<Vec<Block>> = vec![
                vec![block(2, 215.1, 257.4, false), block(3, 263.5, 326.7, true), block(4, 359.7, 402.0, false), block(5, 416.3, 452.3, true)],
                vec![block(1, 148.8, 173.6, true), block(3, 282.6, 307.5, true), block(4, 352.8, 381.9, true), block(5, 419.7, 448.8, true)],
                vec![block(1, 169.5, 187.8, false), block(3, 308.7, 327.0, false), block(4, 383.7, 401.9, false), block(5, 438.3, 460.9, false)],
            ];
            if with_budget_label {
                rows[0].insert(0, block(1, 147.7, 174.7, true));
            }
            let mut blocks = Vec::new();
            let mut holder = vec![None; 3 * nc];
            for (r, row) in rows.into_iter().enumerate() {
                for b in row {
                    holder[r * nc + b.col] = Some(blocks.len());
                    blocks.push(b);
                }
            }
            let mut cells = vec![GridCell { row: 0, col: 0, row_span: 3, col_span: 1, bbox: [0.0; 4], text: String::new() }];
            let mut covered = vec![false; 3 * nc];
            (0..3).for_each(|r| covered[r * nc] = true);
            widen_into_empty_slots(&mut cells, &mut covered, &holder, &blocks, &xs);
            (covered[nc + 2], covered[2 * nc + 2])
        };
        assert_eq!(widen(true), (false, false));
        // Without 预算数 nothing shows the month centred in its column: it runs on.
        assert_eq!(widen(false), (true, false));
    }

    #[test]
    fn a_piece_off_its_column_flush_text_is_centred_over_the_columns_around() {
        // shanhaiguan_2021 three-line page 1 (open_hrules, LibreOffice), the form's 资金支出计划
        // rows: "3 月底" is centred over columns 1-2 (the cell of 25.00% below it); column 2's
        // edge stands at its left end, so its middle falls in column 2 alone. The figures of
        // column 2 are set flush right, and the month shares neither end with them.
        let xs = [56.7, 112.5, 165.7, 252.85, 337.76, 410.65, 455.8, 538.6];
        let block = |col: usize, x0: f64, x1: f64, words: bool| Block { col, top: 0.0, bottom: 9.0, words, x0, x1, wrapped: false, stacked: false };
        let month = block(2, 167.7, 192.5, true);
        let blocks = [month, block(2, 205.3, 243.3, false), block(2, 212.0, 243.3, false), block(2, 193.7, 229.7, true)];
        assert!(centred_in_column(&month, &blocks));
        // (6 月底 follows it on its line.)
        assert_eq!(block_columns(&month, &xs, (true, true), |_| true), (1, 2));
        // A name set where another of its column starts is flush left, wherever its middle.
        let name = block(2, 193.7, 220.0, true);
        let flush = [name, block(2, 205.3, 243.3, false), block(2, 212.0, 243.3, false), block(2, 193.7, 229.7, true)];
        assert!(!centred_in_column(&name, &flush));
    }

    #[test]
    fn the_only_label_of_the_leading_column_set_at_its_top_heads_the_rest_of_the_table() {
        // binjiang_perf_2023 three-line page 1 (open_hrules, LibreOffice): 绩效/指标 stacked in
        // two lines at the top of the indicator rows, nothing under it in its column, every row
        // with an indicator to its right.
        let ys: Vec<f64> = (0..=6).map(|r| 20.0 * r as f64).collect();
        let block = |col: usize, top: f64, bottom: f64| Block { col, top, bottom, words: true, x0: 0.0, x1: 9.0, wrapped: false, stacked: false };
        let mut blocks = vec![block(0, 2.0, 38.0)];
        blocks.extend((0..6).map(|r| block(1, 20.0 * r as f64 + 5.0, 20.0 * r as f64 + 14.0)));
        let rows_of = |b: &Block| (ys.partition_point(|&y| y <= b.top + 1.0) - 1, ys.partition_point(|&y| y < b.bottom - 1.0) - 1);
        let spans: Vec<(usize, usize)> = blocks.iter().map(|b| (b.col, b.col)).collect();
        let holds = |blocks: &[Block], r: usize, c: usize| blocks.iter().any(|b| b.col == c && (rows_of(b).0..=rows_of(b).1).contains(&r));
        let got = label_column_rows(&blocks, &spans, &ys, rows_of, |r, c| !holds(&blocks, r, c));
        assert_eq!(got[0], Some((0, 5)));
        // Set lower, with free slots above it as well, it is centred on some rows, not heading.
        blocks[0] = block(0, 42.0, 78.0);
        let got = label_column_rows(&blocks, &spans, &ys, rows_of, |r, c| !holds(&blocks, r, c));
        assert_eq!(got[0], None);
    }

    fn rule(pos: f64) -> Line {
        Line { pos, from: 50.0, to: 450.0 }
    }

    /// A rule across the page's text width (`rule` stops short of the 指标值 column).
    fn page_rule(pos: f64) -> Line {
        Line { pos, from: 51.0, to: 544.5 }
    }

    /// shanhaiguan_2021's indicator header line at `header_top`, then six rows under it from 110.
    fn indicator_header_and_rows(g: &mut Vec<Glyph>, header_top: f64) {
        for (x, h) in [(62.0, "一级指标"), (124.0, "二级指标"), (192.0, "三级指标"), (300.0, "绩效指标描述"), (425.0, "指标值")] {
            g.extend(word(h, x, header_top, 9.0));
        }
        for i in 0..6 {
            let y = 110.0 + 25.0 * i as f64;
            g.extend(word("数量指标", 124.0, y, 9.0));
            g.extend(word(&format!("综合事务{i}"), 192.0, y, 9.0));
            g.extend(word("≥95百分比", 425.0, y, 9.0));
        }
    }

    #[test]
    fn the_pages_last_rule_over_rows_running_to_the_page_end_opens_a_form_continued_overleaf() {
        // caofeidian_2021 three-line page 4 (open_hrules, LibreOffice): 6.印章刻制服务's form
        // starts under its top rule at the page foot, its 资金支出计划 rows on page 5. No rule
        // closes it; the lines above the rule are its title and 单位：万元.
        let mut g = Vec::new();
        put(&mut g, 654.0, &[(56.8, "433001"), (93.1, "曹妃甸区行政审批局本级")]);
        put(&mut g, 676.6, &[(493.8, "单位：万元")]);
        put(&mut g, 697.8, &[(76.0, "项目编码"), (138.1, "13020925P00009810002E"), (277.7, "项目名称"), (407.9, "印章刻制服务")]);
        put(&mut g, 718.0, &[(262.6, "其中：财政"), (322.8, "资")]);
        put(&mut g, 726.9, &[(148.3, "预算数"), (230.1, "69.75"), (375.8, "69.75"), (417.8, "其他资金")]);
        put(&mut g, 728.0, &[(61.0, "预算规模及资金")]);
        put(&mut g, 735.9, &[(292.7, "金")]);
        put(&mut g, 745.9, &[(86.0, "用途")]);
        put(&mut g, 756.0, &[(138.1, "印章刻制资金")]);
        let tables = open_tables(&[Line { pos: 693.65, from: 56.7, to: 538.6 }], &g, &[], 595.0, 842.0);
        assert_eq!(tables.len(), 1);
        let (grid, header_rows) = &tables[0];
        assert_eq!(*header_rows, 0);
        assert!((grid.bbox()[1] - 693.65).abs() < 0.5 && grid.bbox()[3] > 765.0, "{:?}", grid.bbox());
        assert!(grid.n_rows() >= 3, "{:?}", grid.ys);
        // shanhaiguan_2021 three-line page 4 (Chromium): the form's first row alone under the
        // rule, label | value twice over, the rest overleaf.
        let mut one_row = Vec::new();
        put(&mut one_row, 700.0, &[(50.3, "7.青龙帮扶杨树底下村修桥资金绩效目标表")]);
        put(&mut one_row, 762.0, &[(62.0, "项目编码"), (112.0, "13030321NEG38EA8AQ73W"), (255.0, "项目名称"), (380.0, "青龙帮扶杨树底下村修桥资金")]);
        let tables = open_tables(&[Line { pos: 755.0, from: 51.0, to: 544.5 }], &one_row, &[], 595.0, 842.0);
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].0.n_rows(), 1);
        // A table above whose rows end at the rule: it closes them and opens none.
        let mut above = Vec::new();
        put(&mut above, 640.0, &[(76.0, "项目编码"), (138.1, "13020925P000"), (277.7, "项目名称"), (407.9, "印章刻制服务")]);
        put(&mut above, 660.0, &[(76.0, "绩效目标"), (138.1, "1.保证按时拨付")]);
        let tables = open_tables(&[Line { pos: 693.65, from: 56.7, to: 538.6 }], &above, &[], 595.0, 842.0);
        assert!(tables.iter().all(|(grid, _)| grid.bbox()[1] < 693.0), "{:?}", tables.iter().map(|t| t.0.bbox()).collect::<Vec<_>>());
    }

    #[test]
    fn rows_from_the_page_top_above_the_first_two_rules_are_the_continued_tables_rows() {
        // shanhaiguan_2021 three-line page 4 (open_hrules, Chromium): a form's 绩效目标 row and the
        // 一级指标 header at the page top, then the header rule and the bottom rule; the top rule
        // is on page 3. Chromium sets the label a little off its value's two lines.
        let mut g = Vec::new();
        g.extend(word("1.保障专家评审经费", 112.0, 52.0, 9.0));
        g.extend(word("绩效目标", 62.0, 57.0, 9.0));
        g.extend(word("2.保障审批业务专项业务顺利", 112.0, 63.0, 9.0));
        indicator_header_and_rows(&mut g, 79.0);
        let tables = open_tables(&[page_rule(100.0), page_rule(265.0)], &g, &[], 595.0, 842.0);
        assert_eq!(tables.len(), 1);
        let (grid, header_rows) = &tables[0];
        assert!(grid.bbox()[1] < 52.0, "{:?}", grid.bbox());
        // The numbered goals are the form's rows, not header lines
        // (a_forms_numbered_goals_above_the_header_rule_at_a_page_top_are_rows_not_header_lines).
        assert_eq!(*header_rows, 0);
        // Lower on the page, the same lines are text above a table framed by its two rules.
        let low: Vec<Glyph> = g.iter().map(|x| Glyph { top: x.top + 300.0, bottom: x.bottom + 300.0, ..*x }).collect();
        let tables = open_tables(&[page_rule(400.0), page_rule(565.0)], &low, &[], 595.0, 842.0);
        assert_eq!(tables.len(), 1);
        assert!(tables[0].0.bbox()[1] > 399.0, "{:?}", tables[0].0.bbox());
    }

    #[test]
    fn a_forms_paragraph_cell_at_the_page_top_is_a_row_of_the_continued_table() {
        // shanhaiguan_2021 three-line page 5 (open_hrules, LibreOffice): the form cut at the foot
        // of page 4 runs on at the page top with its percentages and 绩效目标's paragraph, wider
        // than a table line is, starting in the value column; then the indicator header, the
        // header rule, the rows and the bottom rule.
        let top = || {
            let mut g = Vec::new();
            for (x, t) in [(62.0, "划（%）"), (130.0, "25.00%"), (230.0, "50.00%"), (330.0, "75.00%"), (430.0, "100.00%")] {
                g.extend(word(t, x, 52.0, 9.0));
            }
            // Its label 绩效目标 is set beside the paragraph's middle, off this line.
            g.extend(word("2.保障机关正常工作高效运转。保障中心各项业务宣传。保障大厅运行。", 113.0, 70.0, 9.0));
            indicator_header_and_rows(&mut g, 88.0);
            g
        };
        let tables = open_tables(&[page_rule(100.0), page_rule(265.0)], &top(), &[], 595.0, 842.0);
        assert_eq!(tables.len(), 1);
        assert!(tables[0].0.bbox()[1] < 52.0, "{:?}", tables[0].0.bbox());
        // A line of prose from the frame's left edge: the page's text, no rows of the table.
        let mut prose = top();
        prose.retain(|g| g.top != 70.0);
        prose.extend(word("绩效目标：保障机关正常工作高效运转。保障中心各项业务宣传。保障大厅运行。", 56.0, 70.0, 9.0));
        let tables = open_tables(&[page_rule(100.0), page_rule(265.0)], &prose, &[], 595.0, 842.0);
        assert!(tables.iter().all(|(t, _)| t.bbox()[1] > 52.0), "{:?}", tables.iter().map(|(t, _)| t.bbox()).collect::<Vec<_>>());
    }

    #[test]
    fn a_shorter_header_rule_at_the_page_top_heads_the_rows_its_bottom_rule_closes() {
        // binjiang_perf_2023 three-line page 4 (open_hrules, Chromium): the second project's
        // indicator table continues from page 3 with its header line at the page top, a header
        // rule drawn beside 绩效指标's column (from 75.75), its rows, and the bottom rule over the
        // whole width (from 51).
        let mut g = Vec::new();
        for (x, h) in [(89.7, "一级指标"), (163.7, "二级指标"), (297.0, "三级指标"), (461.9, "指标值")] {
            g.extend(word(h, x, 61.0, 9.0));
        }
        for i in 0..8 {
            let y = 80.0 + 15.75 * i as f64;
            g.extend(word("产出指标", 89.7, y, 9.0));
            g.extend(word(&format!("法律援助指标{i}"), 226.7, y, 9.0));
            g.extend(word("≥95%", 461.9, y, 9.0));
        }
        let header_rule = Line { pos: 73.1, from: 75.75, to: 544.5 };
        let bottom_rule = Line { pos: 210.0, from: 51.0, to: 544.5 };
        let tables = open_tables(&[header_rule, bottom_rule], &g, &[], 595.0, 842.0);
        let [(grid, header_rows)] = &tables[..] else { panic!("one table expected, got {}", tables.len()) };
        assert!(grid.bbox()[1] < 61.0, "{:?}", grid.bbox());
        assert_eq!((*header_rows, grid.n_rows()), (1, 9));
    }

    #[test]
    fn an_edge_no_cell_starts_or_ends_on_is_dropped() {
        // caofeidian_2021 three-line (open_hrules, LibreOffice) page 1, the form's cells as its
        // text placed them: 12 月底 (centred) and 100% (flush right) parted the last cell at
        // 470.5, and every row's cell there spans across it.
        let xs = vec![56.7, 134.55, 217.5, 258.82, 343.59, 402.08, 470.5, 538.6];
        let cell = |row: usize, col: usize, col_span: usize| GridCell { row, col, row_span: 1, col_span, bbox: [0.0; 4], text: String::new() };
        let spans: [&[(usize, usize)]; 3] = [&[(0, 1), (1, 2), (3, 1), (4, 3)], &[(0, 1), (1, 1), (2, 1), (3, 1), (4, 1), (5, 2)], &[(0, 1), (1, 2), (3, 1), (4, 1), (5, 2)]];
        let mut cells: Vec<GridCell> = spans.iter().enumerate().flat_map(|(r, row)| row.iter().map(move |&(c, n)| cell(r, c, n))).collect();
        let kept = drop_unused_edges(xs.clone(), &mut cells);
        assert_eq!(kept, vec![56.7, 134.55, 217.5, 258.82, 343.59, 402.08, 538.6]);
        let row0: Vec<(usize, usize)> = cells.iter().filter(|c| c.row == 0).map(|c| (c.col, c.col_span)).collect();
        assert_eq!(row0, vec![(0, 1), (1, 2), (3, 1), (4, 2)]);
        assert!(cells.iter().filter(|c| c.row == 2).any(|c| (c.col, c.col_span) == (5, 1)));
        // One row whose figure stands in the last column alone keeps the edge.
        let mut cells: Vec<GridCell> = spans.iter().enumerate().flat_map(|(r, row)| row.iter().map(move |&(c, n)| cell(r, c, n))).collect();
        cells.retain(|c| !(c.row == 2 && c.col == 5));
        cells.extend([cell(2, 5, 1), cell(2, 6, 1)]);
        assert_eq!(drop_unused_edges(xs.clone(), &mut cells), xs);
    }

    #[test]
    fn rows_from_the_page_top_closed_by_a_rule_are_one_table_though_another_rule_follows() {
        // binjiang_perf_2023 (three-line, LO and Chromium): a table's last rows at the page top,
        // its bottom rule, then the top rule of the next form. Both rules stand alone; only the
        // first closes the rows above it.
        let mut g = Vec::new();
        for i in 0..4 {
            let y = 60.0 + 18.0 * i as f64;
            g.extend(word(&format!("指标{i}"), 60.0, y, 10.0));
            g.extend(word(&format!("≥{i}(个)"), 300.0, y, 10.0));
        }
        let tables = open_tables(&[rule(135.0), rule(150.0)], &g, &[], 595.0, 842.0);
        assert_eq!(tables.len(), 1, "{:?}", tables.iter().map(|(t, _)| t.bbox()).collect::<Vec<_>>());
        let bbox = tables[0].0.bbox();
        assert!((bbox[3] - 135.0).abs() < 1.0 && bbox[1] < 60.0, "{bbox:?}");
    }

    #[test]
    fn wrapped_leaf_headers_are_one_row_and_a_centred_group_label_is_its_own() {
        let body = |g: &mut Vec<Glyph>| {
            for (i, y) in [150.0, 165.0, 180.0].into_iter().enumerate() {
                g.extend(word(&format!("Row{i}"), 60.0, y, 10.0));
                g.extend(word(&format!("{i}.10"), 200.0, y, 10.0));
                g.extend(word(&format!("{i}.20"), 330.0, y, 10.0));
            }
        };
        // Headers wrapped over three lines, set bottom-aligned, each inside its column.
        let mut g = word("Share", 330.0, 104.0, 10.0);
        g.extend(word("Amount", 200.0, 116.0, 10.0));
        g.extend(word("of", 330.0, 116.0, 10.0));
        g.extend(word("Item", 60.0, 128.0, 10.0));
        g.extend(word("(yuan)", 200.0, 128.0, 10.0));
        g.extend(word("total", 330.0, 128.0, 10.0));
        body(&mut g);
        let rules = [rule(100.0), rule(140.0), rule(200.0)];
        let (mut grid, header_rows) = open_tables(&rules, &g, &[], 595.0, 842.0).remove(0);
        assert_eq!((header_rows, grid.n_rows(), grid.n_cols()), (1, 4, 3));
        grid.fill_text(&g);
        let at = |r: usize, c: usize| grid.cells.iter().find(|x| x.row == r && x.col == c).unwrap().text.clone();
        assert_eq!((at(0, 1), at(0, 2)), ("Amount(yuan)".to_string(), "Share of total".to_string()));

        // A group label centred over the first two columns, leaves under it: two header rows.
        let mut g = word("Inc", 155.0, 110.0, 10.0);
        g.extend(word("Item", 60.0, 125.0, 10.0));
        g.extend(word("Amount", 200.0, 125.0, 10.0));
        g.extend(word("Share", 330.0, 125.0, 10.0));
        body(&mut g);
        let (grid, header_rows) = open_tables(&rules, &g, &[], 595.0, 842.0).remove(0);
        assert_eq!((header_rows, grid.n_rows()), (2, 5));
    }

    #[test]
    fn a_label_set_a_glyph_a_line_stands_in_a_column_of_its_own_though_a_form_label_reaches_over_it() {
        // tongnan_2021 without rules page 1 (open_norules, LibreOffice): 绩/效/指/标 at 61.9–70.9
        // beside the 一级指标 labels from 87; the form's labels above (项目当年绩效目 from 63.9,
        // 资金总额（万 from 68.4) reach over both, so the pieces' extents run together.
        let mut g = Vec::new();
        put(&mut g, 100.0, &[(63.9, "项目当年绩效目"), (136.8, "保障行政服务中心正常运行")]);
        put(&mut g, 120.0, &[(68.4, "资金总额（万"), (301.6, "165.5"), (331.9, "项目性质")]);
        put(&mut g, 140.0, &[(68.4, "项目起始时间"), (198.4, "2021年1月1日")]);
        put(&mut g, 160.0, &[(87.0, "一级指标"), (138.0, "二级指标"), (250.0, "三级指标"), (440.0, "指标值")]);
        put(&mut g, 180.0, &[(87.0, "产出指标"), (138.0, "数量指标"), (199.0, "指标1"), (470.0, "28个")]);
        put(&mut g, 200.0, &[(61.9, "绩"), (138.0, "质量指标"), (199.0, "指标2"), (470.0, "30%")]);
        put(&mut g, 220.0, &[(61.9, "效"), (199.0, "指标3"), (470.0, "≥80%")]);
        put(&mut g, 240.0, &[(61.9, "指"), (87.0, "效益指标"), (138.0, "成本指标"), (199.0, "指标4"), (470.0, "65万元")]);
        put(&mut g, 260.0, &[(61.9, "标"), (199.0, "指标5"), (470.0, "11万元")]);
        let body = band_lines(&g, &[], 0.0, 600.0, 0.0, 842.0);
        let columns = body_columns(&body).unwrap();
        assert!(columns.windows(2).any(|w| w[0].1 <= 71.0 && w[1].0 >= 86.0), "{columns:?}");
    }

    #[test]
    fn a_short_label_starting_where_a_wide_header_ends_covers_the_gap_it_starts() {
        // shanhaiguan_2021 three-line page 1 (open_hrules, Chromium), 1.行政审批等专家评审费:
        // 10 月底 starts 0.1 pt right of where 绩效指标描述 ends, in the stretch before 80000.00.
        // Counted as covering it, that stretch is no gap only wide text crosses, and the edge
        // between 其中：财政资金's column and the next stands left of 10 月底, not through it.
        let mut g = Vec::new();
        spread(&mut g, 546.9, 9.0, &[(62.3, 98.3, "项目编码"), (112.7, 226.7, "130303216DIAX82DQONDM"), (268.0, 304.0, "项目名称"), (390.8, 480.8, "行政审批等专家评审费")]);
        spread(&mut g, 562.6, 9.0, &[(128.5, 155.5, "预算数"), (204.4, 241.9, "80000.00"), (254.5, 317.5, "其中：财政资金"), (368.9, 406.4, "80000.00"), (420.7, 456.7, "其他资金"), (536.5, 541.5, "0")]);
        spread(&mut g, 564.9, 9.0, &[(57.8, 102.8, "预算规模及")]);
        spread(&mut g, 576.1, 9.0, &[(62.3, 98.3, "资金用途")]);
        spread(&mut g, 578.4, 9.0, &[(112.7, 211.7, "保障审批局专家评审经费")]);
        spread(&mut g, 594.1, 9.0, &[(165.8, 188.8, "3月底"), (274.5, 297.5, "6月底"), (354.2, 382.2, "10月底"), (462.9, 490.9, "12月底")]);
        spread(&mut g, 596.4, 9.0, &[(57.8, 102.8, "资金支出计")]);
        spread(&mut g, 607.6, 9.0, &[(62.7, 98.0, "划（%）")]);
        spread(&mut g, 609.9, 9.0, &[(211.1, 241.9, "25.00%"), (293.3, 324.1, "50.00%"), (375.6, 406.4, "75.00%"), (505.7, 541.5, "100.00%")]);
        spread(&mut g, 625.6, 9.0, &[(112.7, 219.2, "1.保障审批局专家评审经费")]);
        spread(&mut g, 630.9, 9.0, &[(62.3, 98.3, "绩效目标")]);
        spread(&mut g, 636.9, 9.0, &[(112.7, 246.2, "2.保障审批业务专项业务顺利开展")]);
        spread(&mut g, 652.6, 9.0, &[(62.3, 98.3, "一级指标"), (124.0, 160.0, "二级指标"), (191.6, 227.6, "三级指标"), (300.1, 354.1, "绩效指标描述"), (425.2, 452.2, "指标值"), (474.8, 537.8, "指标值确定依据")]);
        spread(&mut g, 669.1, 9.0, &[(124.0, 160.0, "数量指标"), (178.1, 241.1, "综合事务保障率"), (247.9, 337.9, "保障日常事务高效运转"), (415.7, 461.7, "≥95百分比"), (479.3, 533.3, "年度工作计划")]);
        spread(&mut g, 684.9, 9.0, &[(178.1, 241.1, "网络数据平台建")]);
        spread(&mut g, 690.6, 9.0, &[(76.1, 85.1, "产")]);
        spread(&mut g, 690.9, 9.0, &[(124.0, 160.0, "质量指标"), (247.9, 373.9, "网络数据平台建设任务完成情况"), (415.7, 461.7, "≥95百分比"), (479.3, 533.3, "年度工作计划")]);
        spread(&mut g, 696.9, 9.0, &[(178.1, 241.1, "设任务完成情况")]);
        spread(&mut g, 699.6, 9.0, &[(76.1, 85.1, "出")]);
        spread(&mut g, 708.6, 9.0, &[(76.1, 85.1, "指")]);
        spread(&mut g, 711.9, 9.0, &[(178.1, 241.1, "网络安全建设正")]);
        spread(&mut g, 717.6, 9.0, &[(76.1, 85.1, "标")]);
        spread(&mut g, 717.9, 9.0, &[(124.0, 160.0, "时效指标"), (247.9, 319.9, "正式运行截止时间"), (415.7, 461.7, "≥95百分比"), (479.3, 533.3, "年度工作计划")]);
        spread(&mut g, 723.9, 9.0, &[(187.1, 232.1, "式运行时间")]);
        spread(&mut g, 739.6, 9.0, &[(124.0, 160.0, "成本指标"), (191.6, 227.6, "项目成本"), (247.9, 283.9, "项目成本"), (415.7, 461.7, "≥95百分比"), (479.3, 533.3, "年度工作计划")]);
        let body = band_lines(&g, &[], 0.0, 600.0, 0.0, 842.0);
        let columns = body_columns(&body).unwrap();
        // No column starts inside 10 月底 (354.2-382.2).
        assert!(!columns.iter().any(|c| c.0 > 355.0 && c.0 < 381.0), "{columns:?}");
    }

    #[test]
    fn text_centred_ending_just_before_a_flush_right_figure_under_it_parts_no_columns() {
        // caofeidian_2021 three-line page 2 (open_hrules, LibreOffice), 3.平台建设费: 项目名称,
        // centred in 其中：财政资金's column, ends 1.7 pt before the 0% set flush right under it in
        // the same column; the form has no column between them (资 is the spread tail of
        // 其中：财政 · 资 / 金).
        let mut g = Vec::new();
        spread(&mut g, 600.8, 10.0, &[(76.0, 116.0, "项目编码"), (138.1, 254.1, "13020925P000100100014"), (277.7, 317.7, "项目名称"), (412.9, 462.9, "平台建设费")]);
        spread(&mut g, 621.0, 10.0, &[(262.6, 312.6, "其中：财政"), (322.8, 332.8, "资")]);
        spread(&mut g, 629.9, 10.0, &[(148.3, 178.3, "预算数"), (231.1, 255.7, "18.70"), (376.8, 401.4, "18.70"), (417.8, 457.8, "其他资金")]);
        spread(&mut g, 631.0, 10.0, &[(61.0, 131.0, "预算规模及资金")]);
        spread(&mut g, 638.9, 10.0, &[(292.7, 302.7, "金")]);
        spread(&mut g, 648.9, 10.0, &[(86.0, 106.0, "用途")]);
        spread(&mut g, 659.0, 10.0, &[(138.1, 178.1, "平台建设")]);
        spread(&mut g, 679.2, 10.0, &[(183.1, 188.7, "3"), (190.6, 210.6, "月底"), (283.9, 289.5, "6"), (291.5, 311.5, "月底"), (354.4, 364.7, "10"), (366.7, 386.7, "月底"), (455.3, 465.6, "12"), (467.6, 487.6, "月底")]);
        spread(&mut g, 680.3, 10.0, &[(66.0, 126.0, "资金支出计划")]);
        spread(&mut g, 698.2, 10.0, &[(81.4, 110.7, "（%）")]);
        spread(&mut g, 699.3, 10.0, &[(240.9, 255.6, "0%"), (319.4, 334.1, "0%"), (386.6, 401.3, "0%"), (510.8, 535.8, "100%")]);
        spread(&mut g, 719.5, 10.0, &[(76.0, 116.0, "绩效目标"), (138.1, 276.1, "1.保证年底平台建设费顺利拨付")]);
        let body = band_lines(&g, &[], 0.0, 600.0, 0.0, 842.0);
        let columns = body_columns(&body).unwrap();
        // No column boundary between 项目名称 and the 0% under it.
        assert!(!columns.windows(2).any(|w| w[0].1 <= 318.0 && w[1].0 >= 319.0), "{columns:?}");
    }

    #[test]
    fn a_label_set_a_glyph_a_line_between_other_rows_lines_still_stands_in_a_column_of_its_own() {
        // tongnan_2021 without rules page 2 (open_norules, LibreOffice), the first form: 绩 / 效
        // / 指 / 标 16.2 pt apart, each on a line of its own between the lines of the rows'
        // wrapped text (病防治…, 提高工作人员…), which start right of the stack.
        let mut g = Vec::new();
        put(&mut g, 207.5, &[(63.9, "项目当年绩效目"), (136.8, "增强行政服务中心的凝聚力和向心力")]);
        put(&mut g, 242.4, &[(87.0, "一级指标"), (147.3, "二级指标"), (289.4, "三级指标"), (465.0, "指标值")]);
        put(&mut g, 261.1, &[(147.3, "数量指标"), (199.4, "行政服务中心工作人员培训服务。"), (465.6, "300人")]);
        put(&mut g, 279.9, &[(147.3, "质量指标"), (199.4, "改善政务服务环境。"), (451.3, "满意度≧90%")]);
        put(&mut g, 297.3, &[(87.0, "产出指标"), (147.3, "时效指标"), (199.4, "2021年年底前完成。"), (443.5, "2021年12月完成")]);
        put(&mut g, 317.4, &[(199.4, "行政许可相关法律知识、文明礼仪")]);
        put(&mut g, 325.4, &[(61.9, "绩"), (147.3, "成本指标"), (423.5, "300元/人")]);
        put(&mut g, 333.5, &[(199.4, "病防治、心理健康辅导等培训")]);
        put(&mut g, 341.6, &[(61.9, "效")]);
        put(&mut g, 352.3, &[(199.4, "提高工作人员服务质量，增强行政")]);
        put(&mut g, 357.7, &[(61.9, "指")]);
        put(&mut g, 366.3, &[(138.3, "经济效益指标"), (451.3, "满意度≧90%")]);
        put(&mut g, 373.9, &[(61.9, "标")]);
        put(&mut g, 387.2, &[(87.0, "效益指标"), (138.3, "社会效益指标"), (199.4, "激发工作人员工作热情。"), (451.3, "办结率≧95%")]);
        let body = band_lines(&g, &[], 0.0, 600.0, 0.0, 842.0);
        let columns = body_columns(&body).unwrap();
        assert!(columns.windows(2).any(|w| w[0].1 <= 71.0 && w[1].0 >= 86.0), "{columns:?}");
    }

    #[test]
    fn three_line_table_columns_from_alignment_and_header_spans() {
        let mut g = Vec::new();
        // Header row 1: "项目" over column 0 (no sub-header: spans down), "2021年预算" over columns 1–2.
        g.extend(word("项目", 60.0, 105.0, 10.0));
        g.extend(word("2021年预算", 260.0, 105.0, 10.0));
        // Header row 2: sub-headers.
        g.extend(word("基本", 200.0, 120.0, 10.0));
        g.extend(word("项目", 330.0, 120.0, 10.0));
        // Body: three rows of three columns.
        for (i, y) in [145.0, 160.0, 175.0].into_iter().enumerate() {
            g.extend(word(&format!("支出{i}"), 60.0, y, 10.0));
            g.extend(word(&format!("{i}.10"), 200.0, y, 10.0));
            g.extend(word(&format!("{i}.20"), 330.0, y, 10.0));
        }
        let grids = open_tables(&[rule(100.0), rule(135.0), rule(190.0)], &g, &[], 595.0, 842.0);
        assert_eq!(grids.len(), 1);
        let (mut grid, header_rows) = grids.into_iter().next().unwrap();
        assert_eq!(header_rows, 2);
        assert_eq!((grid.n_rows(), grid.n_cols()), (5, 3));
        grid.fill_text(&g);
        let at = |r: usize, c: usize| grid.cells.iter().find(|x| x.row == r && x.col == c).cloned().unwrap();
        assert_eq!((at(0, 0).text.as_str(), at(0, 0).row_span), ("项目", 2));
        assert_eq!((at(0, 1).text.as_str(), at(0, 1).col_span), ("2021年预算", 2));
        assert_eq!(at(1, 1).text, "基本");
        assert_eq!(at(4, 2).text, "2.20");
        let table = crate::model::Table {
            index: 0,
            pages: vec![],
            title: None,
            n_rows: 5,
            n_cols: 3,
            header_rows: 0,
            cells: grid
                .cells
                .iter()
                .map(|c| crate::model::Cell { row: c.row, col: c.col, row_span: c.row_span, col_span: c.col_span, text: c.text.clone(), page: None, bbox: None })
                .collect(),
            context: vec![],
        };
        assert!(table.check_tiling().is_ok());
    }

    #[test]
    fn a_form_above_the_header_rule_is_rows_not_header_lines() {
        // shanhaiguan_2021 (open_hrules, Chromium): the rules are the top, the one under
        // 一级指标 | 二级指标 … and the bottom; the project form's wrapped lines above the second
        // rule are rows of the table (预算规模及 / 资金用途 one cell), not one header row each.
        let mut g = Vec::new();
        put(&mut g, 105.0, &[(60.0, "项目编码"), (150.0, "P001"), (260.0, "项目名称"), (360.0, "专家评审费")]);
        put(&mut g, 125.0, &[(60.0, "预算规模及"), (150.0, "预算数"), (260.0, "80000.00"), (360.0, "其他资金")]);
        put(&mut g, 136.0, &[(60.0, "资金用途")]);
        put(&mut g, 156.0, &[(60.0, "资金支出计"), (150.0, "3月底"), (260.0, "6月底"), (360.0, "12月底")]);
        put(&mut g, 167.0, &[(60.0, "划（%）")]);
        put(&mut g, 187.0, &[(60.0, "绩效目标"), (150.0, "保障审批局专家评审经费")]);
        put(&mut g, 207.0, &[(60.0, "一级指标"), (150.0, "二级指标"), (260.0, "三级指标"), (360.0, "指标值")]);
        for (i, y) in [230.0, 250.0, 270.0].into_iter().enumerate() {
            put(&mut g, y, &[(60.0, "产出指标"), (150.0, "数量指标"), (260.0, "保障率"), (360.0, &format!("≥9{i}%"))]);
        }
        let grids = open_tables(&[rule(100.0), rule(220.0), rule(285.0)], &g, &[], 595.0, 842.0);
        assert_eq!(grids.len(), 1);
        let (mut grid, header_rows) = grids.into_iter().next().unwrap();
        assert_eq!(header_rows, 0);
        assert_eq!((grid.n_rows(), grid.n_cols()), (8, 4));
        grid.fill_text(&g);
        let at = |r: usize, c: usize| grid.cells.iter().find(|x| x.row == r && x.col == c).cloned().unwrap();
        assert_eq!(at(1, 0).text, "预算规模及资金用途");
        assert_eq!(at(4, 0).text, "一级指标");
    }

    #[test]
    fn a_forms_paragraph_row_above_the_header_rule_at_a_page_top_is_a_row() {
        // tongnan_2021 three-line page 2 (open_hrules, Chromium): the page opens with the
        // previous page's form going on, 项目当年绩效目标 beside its text wrapped in two lines, then
        // 一级指标 | 二级指标 | 三级指标 | 指标值 with the rule under it. Three lines above the rule
        // are few enough for a header, but a paragraph is no header cell: the form's row is a row,
        // its label and text one cell each.
        let mut g = Vec::new();
        put(&mut g, 60.0, &[(54.0, "项目当年绩效目标"), (133.0, "增强行政服务中心的凝聚力和向心力，提高中心工作人员规范服务意识")]);
        put(&mut g, 72.0, &[(133.0, "量。")]);
        put(&mut g, 88.0, &[(60.0, "一级指标"), (133.0, "二级指标"), (260.0, "三级指标"), (420.0, "指标值")]);
        for (i, y) in [110.0, 126.0, 142.0].into_iter().enumerate() {
            put(&mut g, y, &[(60.0, "产出指标"), (133.0, "数量指标"), (200.0, "行政服务中心工作人员培训"), (420.0, &format!("30{i}人"))]);
        }
        let grids = open_tables(&[rule(100.0), rule(155.0)], &g, &[], 595.0, 842.0);
        assert_eq!(grids.len(), 1);
        let (mut grid, header_rows) = grids.into_iter().next().unwrap();
        assert_eq!(header_rows, 0);
        grid.fill_text(&g);
        let at = |r: usize, c: usize| grid.cells.iter().find(|x| x.row == r && x.col == c).cloned().unwrap();
        assert_eq!(at(0, 0).text, "项目当年绩效目标");
        assert!(at(0, 1).text.starts_with("增强") && at(0, 1).text.ends_with("量。"), "{:?}", at(0, 1));
        assert_eq!(at(1, 0).text, "一级指标");
    }

    #[test]
    fn labels_centred_on_one_axis_share_the_columns_the_wider_ones_reach_over() {
        // binjiang_perf_2023 three-line page 3 (open_hrules, LibreOffice): 项目资金总额 and
        // 其中：当年财政拨款 are centred on one point over columns 2 and 3; the wider reaches
        // into column 2, the narrower stays inside column 3 though its cell is the same.
        let block = |col: usize, top: f64, x0: f64, x1: f64| Block { col, top, bottom: top + 9.0, words: true, x0, x1, wrapped: false, stacked: false };
        let blocks = vec![
            block(3, 100.0, 302.5, 356.5),
            block(4, 100.0, 470.0, 530.0),
            block(3, 118.0, 288.9, 370.1),
            block(4, 118.0, 470.0, 530.0),
            // Centred on the same point with no value after it: left as it is.
            block(3, 136.0, 302.5, 356.5),
        ];
        let spans = vec![(3, 3), (4, 4), (2, 3), (4, 4), (3, 3)];
        assert_eq!(share_spans_on_one_axis(&blocks, spans.clone(), |_, _| true), vec![(2, 3), (4, 4), (2, 3), (4, 4), (3, 3)]);
        // Column 2 taken in the narrower label's row: it keeps its own.
        assert_eq!(share_spans_on_one_axis(&blocks, spans.clone(), |b, c| c != 2 || b.top != 100.0), spans);
    }

    #[test]
    fn an_empty_form_row_is_ruled_as_the_row_above_it() {
        // shanhaiguan_2021 three-line page 3 (open_hrules, LibreOffice and Chromium): the row of
        // amounts under 3 月底 | 6 月底 | 10 月底 | 12 月底 is empty, 资金支出计 / 划（%） spanning
        // both; its cells are the month row's (3 月底 over two columns), not one per column.
        let block = |col: usize, top: f64, bottom: f64| Block { col, top, bottom, words: true, x0: 0.0, x1: 0.0, wrapped: false, stacked: false };
        let blocks = vec![block(0, 0.0, 30.0), block(1, 0.0, 9.0), block(3, 0.0, 9.0), block(1, 40.0, 49.0)];
        let cell = |row: usize, col: usize, row_span: usize, col_span: usize| GridCell { row, col, row_span, col_span, bbox: [0.0; 4], text: String::new() };
        let (nc, nr) = (4, 3);
        let mut holder: Vec<Option<usize>> = vec![None; nr * nc];
        (holder[0], holder[nc]) = (Some(0), Some(0));
        (holder[1], holder[3], holder[2 * nc + 1]) = (Some(1), Some(2), Some(3));
        let lay = |holder: &[Option<usize>]| {
            let mut cells = vec![cell(0, 0, 2, 1), cell(0, 1, 1, 2), cell(0, 3, 1, 1), cell(2, 1, 1, 1)];
            let mut covered = vec![false; nr * nc];
            for x in &cells {
                for r in x.row..x.row + x.row_span {
                    covered[r * nc + x.col..r * nc + x.col + x.col_span].fill(true);
                }
            }
            widen_into_empty_slots(&mut cells, &mut covered, holder, &blocks, &[0.0, 10.0, 20.0, 30.0, 40.0]);
            cells.into_iter().filter(|x| x.row == 1).map(|x| (x.col, x.col_span)).collect::<Vec<_>>()
        };
        assert_eq!(lay(&holder), vec![(1, 2)]);
        // With text of its own (an amount under 6 月底), the row is no empty row.
        holder[nc + 3] = Some(3);
        assert_eq!(lay(&holder), vec![]);
    }

    #[test]
    fn a_forms_numbered_goals_above_the_header_rule_at_a_page_top_are_rows_not_header_lines() {
        // shanhaiguan_2021 three-line page 4 (open_hrules, Chromium): the page opens with the
        // previous page's form going on, 绩效目标 beside its goals set one a line (1.保障专家评审
        // 经费 / 2.保障审批业务专项业务顺利, each short enough for a header cell), then 一级指标 |
        // 二级指标 | … with the rule under it. A numbered item is no header cell: the lines above
        // the rule are the form's rows, not header rows (read as header lines, each line was a
        // row of its own). Overleaf of its page the part is laid on the page before's columns,
        // where both goals fall in one cell.
        let mut g = Vec::new();
        put(&mut g, 61.3, &[(112.7, "1.保障专家评审经费")]);
        put(&mut g, 66.6, &[(62.3, "绩效目标")]);
        put(&mut g, 72.6, &[(112.7, "2.保障审批业务专项业务顺利")]);
        put(&mut g, 88.3, &[(62.3, "一级指标"), (124.0, "二级指标"), (191.6, "三级指标"), (300.1, "绩效指标描述"), (425.2, "指标值")]);
        put(&mut g, 104.8, &[(124.0, "数量指标"), (178.1, "综合事务保障率"), (247.9, "保障日常事务高效运转"), (415.7, "≥95百分比")]);
        put(&mut g, 120.6, &[(178.1, "网络数据平台建")]);
        put(&mut g, 126.6, &[(124.0, "质量指标"), (247.9, "网络数据平台建设任务完成情况"), (415.7, "≥95百分比")]);
        put(&mut g, 132.6, &[(178.1, "设任务完成情况")]);
        put(&mut g, 153.6, &[(124.0, "时效指标"), (191.6, "运行时间"), (247.9, "正式运行截止时间"), (415.7, "≥95百分比")]);
        put(&mut g, 175.3, &[(124.0, "成本指标"), (191.6, "项目成本"), (247.9, "项目成本"), (415.7, "≥95百分比")]);
        let grids = open_tables(&[rule(101.0), rule(188.0)], &g, &[], 595.0, 842.0);
        assert_eq!(grids.len(), 1);
        let (mut grid, header_rows) = grids.into_iter().next().unwrap();
        assert_eq!(header_rows, 0);
        grid.fill_text(&g);
        let at = |r: usize, c: usize| grid.cells.iter().find(|x| x.row == r && x.col == c).cloned().unwrap();
        assert_eq!(at(0, 0).text, "绩效目标");
        assert!(at(0, 1).text.starts_with("1.保障"), "{:?}", at(0, 1));
        assert!(grid.cells.iter().any(|x| x.col == 0 && x.text == "一级指标"));
        assert!(!list_item("2024年预算数") && !list_item("10月底") && list_item("2、保障运转"));
    }

    #[test]
    fn a_header_cell_centred_beside_a_spanning_header_spans_both_header_rows() {
        let mut g = Vec::new();
        // Upper header line: "预算数" centred over columns 1–2; between the lines, "科目" (column
        // 0) vertically centred; lower line: sub-headers of columns 1 and 2.
        g.extend(word("预算数", 281.0, 104.0, 10.0));
        g.extend(word("科目", 60.0, 111.0, 10.0));
        g.extend(word("合计", 200.0, 118.0, 10.0));
        g.extend(word("基本", 330.0, 118.0, 10.0));
        for (i, y) in [145.0, 160.0, 175.0].into_iter().enumerate() {
            g.extend(word(&format!("支出{i}"), 60.0, y, 10.0));
            g.extend(word(&format!("{i}.10"), 200.0, y, 10.0));
            g.extend(word(&format!("{i}.20"), 330.0, y, 10.0));
        }
        let (mut grid, header_rows) = open_tables(&[rule(100.0), rule(135.0), rule(190.0)], &g, &[], 595.0, 842.0).remove(0);
        assert_eq!(header_rows, 2);
        grid.fill_text(&g);
        let at = |r: usize, c: usize| grid.cells.iter().find(|x| x.row == r && x.col == c).cloned().unwrap();
        assert_eq!((at(0, 0).text.as_str(), at(0, 0).row_span), ("科目", 2));
        assert_eq!((at(0, 1).text.as_str(), at(0, 1).col_span), ("预算数", 2));
        assert_eq!(at(1, 2).text, "基本");
    }

    #[test]
    fn a_narrow_header_centred_over_two_columns_spans_them() {
        let mut g = Vec::new();
        g.extend(word("收入", 150.0, 105.0, 10.0));
        g.extend(word("支出", 350.0, 105.0, 10.0));
        for (i, y) in [125.0, 140.0, 155.0].into_iter().enumerate() {
            g.extend(word(&format!("项目{i}"), 60.0, y, 10.0));
            g.extend(word(&format!("{i}.00"), 230.0, y, 10.0));
            g.extend(word(&format!("支出{i}"), 270.0, y, 10.0));
            g.extend(word(&format!("{i}.50"), 420.0, y, 10.0));
        }
        let (mut grid, _) = open_tables(&[rule(100.0), rule(120.0), rule(170.0)], &g, &[], 595.0, 842.0).remove(0);
        assert_eq!(grid.n_cols(), 4);
        grid.fill_text(&g);
        let at = |r: usize, c: usize| grid.cells.iter().find(|x| x.row == r && x.col == c).cloned().unwrap();
        assert_eq!((at(0, 0).text.as_str(), at(0, 0).col_span), ("收入", 2));
        assert_eq!((at(0, 2).text.as_str(), at(0, 2).col_span), ("支出", 2));
    }

    #[test]
    fn wrapped_lines_set_loose_stay_in_their_cell_and_a_label_centred_on_the_row_gap_spans_both() {
        // yutian_2024 (LibreOffice): 9 pt glyphs at a 16.2 pt pitch, so a cell's wrapped lines
        // are 7.2 pt apart and rows at least 9.8 pt; "效益指标" sits centred on the gap between
        // its two rows.
        let mut g = Vec::new();
        for (x, h) in [(60.0, "一级指标"), (140.0, "二级指标"), (220.0, "指标描述"), (400.0, "指标值")] {
            g.extend(word(h, x, 62.0, 9.0));
        }
        let lines = |g: &mut Vec<Glyph>, x: f64, top: f64, texts: &[&str]| {
            for (i, t) in texts.iter().enumerate() {
                g.extend(word(t, x, top + 16.2 * i as f64, 9.0));
            }
        };
        // Row A (81..171): a six-line description, its label and value centred.
        lines(&mut g, 220.0, 81.0, &["完成窗口服务区", "审前服务区", "休息等候区", "自助服务区", "投资建设区", "视频监控区"]);
        lines(&mut g, 140.0, 121.5, &["社会效益"]);
        lines(&mut g, 400.0, 113.4, &["100", "完成全年"]);
        // Row B (180.8..): the value's two lines start 9.8 pt under row A's last line.
        lines(&mut g, 400.0, 180.8, &["90", "按期完成"]);
        lines(&mut g, 140.0, 188.9, &["生态效益"]);
        lines(&mut g, 220.0, 188.9, &["结合工作实际"]);
        // The label of both rows, centred on the gap between them.
        lines(&mut g, 60.0, 171.5, &["效益指标"]);
        // Row C: one line.
        for (x, t) in [(60.0, "满意度"), (140.0, "满意度指标"), (220.0, "回访"), (400.0, "95")] {
            lines(&mut g, x, 230.0, &[t]);
        }
        let (mut grid, header_rows) = open_tables(&[rule(57.0), rule(77.0), rule(250.0)], &g, &[], 595.0, 842.0).remove(0);
        assert_eq!((header_rows, grid.n_rows(), grid.n_cols()), (1, 4, 4));
        grid.fill_text(&g);
        let at = |r: usize, c: usize| grid.cells.iter().find(|x| x.row == r && x.col == c).cloned().unwrap();
        assert_eq!(at(1, 2).text, "完成窗口服务区审前服务区休息等候区自助服务区投资建设区视频监控区");
        assert_eq!((at(1, 3).text.as_str(), at(2, 3).text.as_str()), ("100完成全年", "90按期完成"));
        assert_eq!((at(1, 0).text.as_str(), at(1, 0).row_span), ("效益指标", 2));
    }

    #[test]
    fn a_form_under_a_top_rule_and_a_short_header_rule_runs_to_the_page_end_with_an_edge_at_the_rule_end() {
        // jialing_lab_2024 / binjiang_perf_2023 (three-line forms): the header rule starts right
        // of the vertical 绩效指标 label column, the rows run on to the page end, and a form row
        // above the header prints wide wrapped text across the columns.
        let mut g = Vec::new();
        g.extend(word("项目概况", 90.0, 110.0, 9.0));
        g.extend(word("更新基础化学大学物理实验教学设备改造实验室建设虚拟仿真", 150.0, 110.0, 9.0));
        for (x, h) in [(90.0, "一级指标"), (150.0, "二级指标"), (300.0, "指标值")] {
            g.extend(word(h, x, 130.0, 9.0));
        }
        for i in 0..30 {
            let y = 150.0 + 20.0 * i as f64;
            g.extend(word(&format!("指标{i}"), 150.0, y, 9.0));
            g.extend(word(&format!("≥{i}(个)"), 300.0, y, 9.0));
        }
        for (i, ch) in "绩效指标".chars().enumerate() {
            g.extend(word(&ch.to_string(), 60.0, 400.0 + 16.0 * i as f64, 9.0));
        }
        let header_rule = Line { pos: 145.0, from: 80.0, to: 450.0 };
        let tables = open_tables(&[Line { pos: 100.0, from: 50.0, to: 450.0 }, header_rule], &g, &[], 595.0, 842.0);
        assert_eq!(tables.len(), 1);
        let (grid, _) = &tables[0];
        assert!(grid.bbox()[3] > 730.0, "runs to the page end: {:?}", grid.bbox());
        // The label column, the 一级/二级 columns split at the rule's end and past the wide text,
        // and the values.
        assert!(grid.xs.iter().any(|&x| (x - 80.0).abs() < 1.0), "{:?}", grid.xs);
        assert_eq!(grid.n_cols(), 4, "{:?}", grid.xs);
    }

    #[test]
    fn body_words_reaching_into_an_empty_column_beside_span_it() {
        // jialing_lab_2024: "项目当年绩效目标" is set over the 绩效指标 label column and the
        // 一级指标 column, both empty in its row.
        let mut g = Vec::new();
        for (x, h) in [(60.0, "指标"), (140.0, "一级指标"), (300.0, "指标值")] {
            g.extend(word(h, x, 105.0, 10.0));
        }
        g.extend(word("项目当年绩效目标", 60.0, 125.0, 10.0));
        g.extend(word("完成", 300.0, 125.0, 10.0));
        for i in 0..8 {
            let y = 145.0 + 20.0 * i as f64;
            g.extend(word("绩", 60.0, y, 10.0));
            g.extend(word(&format!("产出{i}"), 140.0, y, 10.0));
            g.extend(word(&format!("≥{i}"), 300.0, y, 10.0));
        }
        let (mut grid, _) = open_tables(&[rule(100.0), rule(120.0), rule(310.0)], &g, &[], 595.0, 842.0).remove(0);
        grid.fill_text(&g);
        let label = grid.cells.iter().find(|c| c.text == "项目当年绩效目标").expect("label cell");
        assert_eq!((label.row, label.col, label.col_span), (1, 0, 2));
        let value = grid.cells.iter().find(|c| c.text == "完成").unwrap();
        assert_eq!((value.col, value.col_span), (2, 1));
    }

    #[test]
    fn rows_ending_early_on_a_page_left_blank_below_still_run_to_its_end() {
        // jialing_lab_2024 (Chromium): the browser moved the rows that did not fit to the next
        // page; under the last row only the page number is printed.
        let mut g = Vec::new();
        for (x, h) in [(90.0, "一级指标"), (200.0, "二级指标"), (300.0, "指标值")] {
            g.extend(word(h, x, 130.0, 9.0));
        }
        for i in 0..12 {
            let y = 150.0 + 20.0 * i as f64;
            g.extend(word(&format!("指标{i}"), 200.0, y, 9.0));
            g.extend(word(&format!("≥{i}(个)"), 300.0, y, 9.0));
        }
        let rules = [Line { pos: 100.0, from: 50.0, to: 450.0 }, Line { pos: 145.0, from: 80.0, to: 450.0 }];
        let mut with_number = g.clone();
        with_number.extend(word("3", 290.0, 800.0, 9.0));
        let tables = open_tables(&rules, &with_number, &[], 595.0, 842.0);
        assert_eq!(tables.len(), 1);
        assert!((tables[0].0.bbox()[3] - 380.0).abs() < 2.0, "{:?}", tables[0].0.bbox());
        // Prose under the rows: the table does not run on, and these rules frame none.
        let mut with_prose = g;
        with_prose.extend(word("以上绩效目标由本部门负责解释并接受社会监督。", 60.0, 420.0, 9.0));
        assert!(open_tables(&rules, &with_prose, &[], 595.0, 842.0).is_empty());
    }

    #[test]
    fn a_form_framed_by_two_rules_and_a_three_line_table_under_it_are_two_tables() {
        // yutian_2024 (open_hrules): a project form between two rules, then 20 pt lower the
        // indicator table's top and header rules, its rows running on to the page end.
        let mut g = Vec::new();
        for (y, row) in [(385.0, ["项目编码", "P001", "项目名称"]), (405.0, ["预算数", "135000.00", "其他资金"])] {
            for (x, text) in [60.0, 200.0, 340.0].into_iter().zip(row) {
                g.extend(word(text, x, y, 10.0));
            }
        }
        for (x, h) in [(60.0, "一级指标"), (200.0, "二级指标"), (340.0, "指标值")] {
            g.extend(word(h, x, 680.0, 10.0));
        }
        for (i, y) in [700.0, 720.0, 740.0, 760.0].into_iter().enumerate() {
            for (x, text) in [60.0, 200.0, 340.0].into_iter().zip(["产出指标", "数量指标", "100"]) {
                g.extend(word(&format!("{text}{i}"), x, y, 10.0));
            }
        }
        let tables = open_tables(&[rule(375.0), rule(425.0), rule(675.0), rule(695.0)], &g, &[], 595.0, 842.0);
        let shapes: Vec<(usize, usize, f64)> = tables.iter().map(|(t, h)| (*h, t.n_rows(), t.bbox()[3])).collect();
        assert_eq!(shapes.len(), 2, "{shapes:?}");
        // The form: no header, its two rows, ending at its bottom rule.
        assert_eq!((shapes[0].0, shapes[0].1), (0, 2));
        assert!((shapes[0].2 - 425.0).abs() < 1.0);
        // The indicator table: its header and the four rows down to the page end.
        assert_eq!((shapes[1].0, shapes[1].1), (1, 5));
    }

    #[test]
    fn rows_running_to_the_page_end_without_a_bottom_rule_belong_to_the_table() {
        let mut g = Vec::new();
        g.extend(word("科目", 60.0, 705.0, 10.0));
        g.extend(word("金额", 300.0, 705.0, 10.0));
        for (i, y) in [725.0, 745.0, 765.0, 785.0].into_iter().enumerate() {
            g.extend(word(&format!("支出{i}"), 60.0, y, 10.0));
            g.extend(word(&format!("{i}.00"), 300.0, y, 10.0));
        }
        let (grid, header_rows) = open_tables(&[rule(700.0), rule(720.0)], &g, &[], 595.0, 842.0).remove(0);
        assert_eq!((header_rows, grid.n_rows()), (1, 5));
        // The continuation on the next page: rows from the page top closed by one rule.
        let mut g = Vec::new();
        for (i, y) in [60.0, 80.0].into_iter().enumerate() {
            g.extend(word(&format!("支出{i}"), 60.0, y, 10.0));
            g.extend(word(&format!("{i}.00"), 300.0, y, 10.0));
        }
        let (grid, header_rows) = open_tables(&[rule(100.0)], &g, &[], 595.0, 842.0).remove(0);
        assert_eq!((header_rows, grid.n_rows()), (0, 2));
    }

    #[test]
    fn a_lone_rule_or_prose_between_rules_is_no_table() {
        let g = word("这是一段正文没有任何列", 60.0, 105.0, 10.0);
        assert!(open_tables(&[rule(100.0), rule(130.0)], &g, &[], 595.0, 842.0).is_empty());
        assert!(open_tables(&[rule(100.0)], &g, &[], 595.0, 842.0).is_empty());
    }

    /// Three rows of a label and three figures, and a header line, starting at `top`.
    pub(crate) fn figures_table(top: f64) -> Vec<Glyph> {
        let mut g = Vec::new();
        g.extend(word("Item", 60.0, top, 10.0));
        for (x, h) in [(250.0, "2009"), (330.0, "2010"), (410.0, "2011")] {
            g.extend(word(h, x, top, 10.0));
        }
        for (i, name) in ["Austria", "Brazil", "Canada", "Denmark", "Egypt"].into_iter().enumerate() {
            let y = top + 20.0 + 15.0 * i as f64;
            g.extend(word(name, 60.0, y, 10.0));
            g.extend(word(&format!("{i}0,400"), 250.0, y, 10.0));
            g.extend(word(&format!("{i}1,500"), 330.0, y, 10.0));
            g.extend(word(&format!("{i}2.5"), 410.0, y, 10.0));
        }
        g
    }

    #[test]
    fn rules_broken_at_column_gutters_are_one_rule() {
        let g = figures_table(105.0);
        // Each rule drawn in two pieces with a 3 pt gutter at x = 300.
        let pieces: Vec<Line> =
            [100.0, 120.0, 200.0].into_iter().flat_map(|y| [Line { pos: y, from: 50.0, to: 300.0 }, Line { pos: y + 0.1, from: 303.0, to: 450.0 }]).collect();
        let (mut grid, header_rows) = open_tables(&pieces, &g, &[], 595.0, 842.0).remove(0);
        assert_eq!((header_rows, grid.n_rows(), grid.n_cols()), (1, 6, 4));
        grid.fill_text(&g);
        assert_eq!(grid.cells.iter().find(|c| c.row == 5 && c.col == 3).unwrap().text, "42.5");
        // Pieces further apart than a gutter are separate rules: too short to frame a table.
        let apart: Vec<Line> = [100.0, 120.0, 185.0].into_iter().flat_map(|y| [Line { pos: y, from: 50.0, to: 200.0 }, Line { pos: y, from: 300.0, to: 450.0 }]).collect();
        assert!(open_tables(&apart, &g, &[], 595.0, 842.0).is_empty());
    }

    #[test]
    fn a_three_line_indicator_table_keeps_wrapped_cells_and_spans_a_centred_label() {
        let mut g = Vec::new();
        for (x, h) in [(60.0, "一级指标"), (140.0, "二级指标"), (220.0, "指标描述"), (400.0, "指标值")] {
            g.extend(word(h, x, 105.0, 10.0));
        }
        // Row A: a description wrapped over three lines (2 pt apart), its label and value centred
        // against them; row B, 8 pt below: one line. "产出指标" is centred against both rows.
        for (i, text) in ["完成窗口服务区", "休息等候区自助", "服务区建设"].into_iter().enumerate() {
            g.extend(word(text, 220.0, 125.0 + 12.0 * i as f64, 10.0));
        }
        g.extend(word("数量指标", 140.0, 137.0, 10.0));
        g.extend(word("100", 400.0, 137.0, 10.0));
        g.extend(word("质量指标", 140.0, 167.0, 10.0));
        g.extend(word("开办企业耗时", 220.0, 167.0, 10.0));
        g.extend(word("90", 400.0, 167.0, 10.0));
        g.extend(word("产出指标", 60.0, 146.0, 10.0));
        let (mut grid, header_rows) = open_tables(&[rule(100.0), rule(120.0), rule(185.0)], &g, &[], 595.0, 842.0).remove(0);
        assert_eq!((header_rows, grid.n_rows(), grid.n_cols()), (1, 3, 4));
        grid.fill_text(&g);
        let at = |r: usize, c: usize| grid.cells.iter().find(|x| x.row == r && x.col == c).cloned().unwrap();
        assert_eq!((at(1, 0).text.as_str(), at(1, 0).row_span), ("产出指标", 2));
        assert_eq!(at(1, 2).text, "完成窗口服务区休息等候区自助服务区建设");
        assert_eq!((at(1, 1).text.as_str(), at(1, 3).text.as_str()), ("数量指标", "100"));
        assert_eq!((at(2, 1).text.as_str(), at(2, 2).text.as_str(), at(2, 3).text.as_str()), ("质量指标", "开办企业耗时", "90"));
    }

    #[test]
    fn form_values_centred_over_columns_span_them_and_a_paragraph_keeps_its_last_line() {
        // A form framed by a top and a bottom rule: labels, values in the columns of the
        // indicator part below, some values set centred over two columns.
        let mut g = word("项目性质", 60.0, 110.0, 10.0);
        g.extend(word("新增项目", 170.0, 110.0, 10.0));
        g.extend(word("项目类别", 300.0, 110.0, 10.0));
        g.extend(word("主管部门", 60.0, 130.0, 10.0));
        g.extend(word("教育局局", 170.0, 130.0, 10.0));
        g.extend(word("实施单位", 300.0, 130.0, 10.0));
        // Centred over columns 1-2 (about 122..450: the column edge lies in the middle of the
        // gap after 项目总目标), both with one middle (286.5).
        g.extend(word("项目名称", 60.0, 150.0, 10.0));
        g.extend(word("中小学生心理健康教育", 236.5, 150.0, 10.0));
        g.extend(word("项目资金", 60.0, 170.0, 10.0));
        g.extend(word("总额合计金额", 256.5, 170.0, 10.0));
        // A paragraph over columns 1-2 whose short last line falls into column 1.
        g.extend(word("用三年时间构建覆盖全区中小学的心理健康教育服务体系", 140.0, 190.0, 10.0));
        g.extend(word("形成家校社协同的心理健康工作格局学生心理健康素养", 140.0, 204.0, 10.0));
        g.extend(word("形成家校社协同的心理健康工作格局学生心理健康素养", 140.0, 218.0, 10.0));
        g.extend(word("持续下降。", 140.0, 232.0, 10.0));
        g.extend(word("项目总目标", 55.0, 211.0, 10.0));
        // The indicator rows under the form, which show the columns.
        for i in 0..14 {
            let y = 260.0 + 20.0 * i as f64;
            g.extend(word("产出", 60.0, y, 10.0));
            g.extend(word("指标名称", 170.0, y, 10.0));
            g.extend(word(&format!("{}", 10 * (i + 1)), 300.0, y, 10.0));
        }
        let rules = [rule(100.0), rule(540.0)];
        let (mut grid, _) = open_tables(&rules, &g, &[], 595.0, 842.0).remove(0);
        grid.fill_text(&g);
        assert_eq!((grid.n_rows(), grid.n_cols()), (19, 3));
        let at = |r: usize, c: usize| grid.cells.iter().find(|x| x.row == r && x.col == c).unwrap();
        assert_eq!((at(1, 2).col_span, at(1, 2).text.as_str()), (1, "实施单位"));
        assert_eq!((at(2, 1).col_span, at(2, 1).text.as_str()), (2, "中小学生心理健康教育"));
        assert_eq!((at(3, 1).col_span, at(3, 1).text.as_str()), (2, "总额合计金额"));
        let paragraph = at(4, 1);
        assert_eq!((paragraph.row_span, paragraph.col_span), (1, 2));
        assert!(paragraph.text.ends_with("持续下降。"), "{}", paragraph.text);
        assert_eq!(at(4, 0).text, "项目总目标");
    }

    #[test]
    fn labels_centred_against_their_items_partition_the_column_and_the_last_runs_to_the_end() {
        // Items in every row (16 pt apart), 一级 labels beside them: the first centred against
        // rows 0-3, the second set at the top of the rows left on the page (cut by the break).
        // A column of remarks further right has nothing beside it: no spans there.
        let mut g = Vec::new();
        for i in 0..8 {
            let y = 130.0 + 16.0 * i as f64;
            g.extend(word(&format!("指标{i}"), 170.0, y, 10.0));
            g.extend(word(&format!("{}", 10 * (i + 1)), 300.0, y, 10.0));
        }
        g.extend(word("数量指标", 60.0, 154.0, 10.0));
        g.extend(word("质量指标", 60.0, 194.0, 10.0));
        g.extend(word("备注", 400.0, 146.0, 10.0));
        g.extend(word("说明", 400.0, 226.0, 10.0));
        let rules = [rule(100.0), rule(127.0), rule(250.0)];
        let (mut grid, _) = open_tables(&rules, &g, &[], 595.0, 842.0).remove(0);
        grid.fill_text(&g);
        let at = |r: usize, c: usize| grid.cells.iter().find(|x| x.row <= r && r < x.row + x.row_span && x.col == c).unwrap();
        let first_body = grid.cells.iter().find(|x| x.text == "指标0").unwrap().row;
        let label = |r: usize| (at(first_body + r, 0).row - first_body, at(first_body + r, 0).row_span, at(first_body + r, 0).text.clone());
        assert_eq!(label(0), (0, 4, "数量指标".to_string()));
        assert_eq!(label(4), (4, 4, "质量指标".to_string()));
        assert_eq!((at(first_body + 1, 3).row_span, at(first_body + 6, 3).row_span), (1, 1));
    }
}
