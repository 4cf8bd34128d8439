//! Tables continued on the next page become one table. A part continues the previous one when
//! the previous part is the last thing on its page (only a page number may follow), this part is
//! the first on the next page with no title above it, and the column structure matches. Header
//! rows the producer repeated are dropped; rows are renumbered; every cell keeps its page and box.

use crate::decode::pdf::Glyph;
use crate::model::{Cell, Table};

use super::open;
use super::grid::{CellGrid, GridCell};
use super::text::looks_like_title;
use super::PageTable;

/// Column edges of two parts match within this (points).
const COLUMN_TOLERANCE: f64 = 3.0;
/// Open parts take their outer edges from their text: they match within this (points).
const OPEN_EDGE_TOLERANCE: f64 = 8.0;
/// A form's edge stands well inside a column of the part under it at least this share of that
/// column's width from its edges.
const INNER_EDGE_SHARE: f64 = 0.25;
/// A form's edge the part under it lacks is kept between two columns of the form holding text
/// in this many cells each.
const FORM_COLUMN_CELLS: usize = 2;
/// Lines after a table that still count as "the page ends here": page numbers, footers.
const MAX_FOOTER_LINES: usize = 2;
/// A heading left at the foot of a page for the table on the next: its title and the lines under
/// it ("部门：", the agency, "单位：万元" are three pieces when printed far apart).
const MAX_CARRIED_HEADING_LINES: usize = 5;
const MAX_FOOTER_CHARS: usize = 16;
/// At most this many header rows are compared for repetition.
const MAX_REPEATED_HEADER: usize = 6;

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

struct Building {
    table: Table,
    /// The first part was an open table (columns from text alignment).
    open: bool,
    /// Open tables: the header rows' text, to recognise a repeated header.
    open_header: String,
    /// Column edges of the last part, to compare with the next.
    xs: Vec<f64>,
    last_page: u32,
}

pub fn stitch(parts: Vec<PageTable>) -> Vec<Table> {
    let mut out: Vec<Building> = Vec::new();
    let n = parts.len();
    for i in 0..n {
        let part = &parts[i];
        let first_on_page = i == 0 || parts[i - 1].page != part.page;
        let continues = first_on_page
            && i > 0
            && is_last_on_page(&parts, i - 1)
            && out.last().is_some_and(|b| continues_previous(&parts[i - 1], part, b))
            && out.last().is_some_and(|b| b.last_page + 1 == part.page);
        if continues {
            let b = out.last_mut().expect("checked above");
            append(b, &parts[i - 1], part);
        } else {
            let carried = if first_on_page && i > 0 && is_last_on_page(&parts, i - 1) {
                title_left_on_page_before(&parts[i - 1], part)
            } else {
                Vec::new()
            };
            out.push(start(part, &carried));
        }
    }
    out.into_iter()
        .enumerate()
        .map(|(index, b)| Table { index, ..b.table })
        .collect()
}

fn is_last_on_page(parts: &[PageTable], i: usize) -> bool {
    parts.get(i + 1).is_none_or(|next| next.page != parts[i].page)
}

fn continues_previous(prev: &PageTable, part: &PageTable, b: &Building) -> bool {
    if part.page != prev.page + 1 {
        return false;
    }
    let table_rows = &leading_rows(&b.table.cells, MAX_REPEATED_HEADER);
    // Open tables take their columns from the text of each page, which may differ when a page
    // holds few rows: the outer edges (the rules) must agree; the columns are re-laid on append.
    let columns = if prev.ruled || part.ruled {
        same_columns(&prev.grid.xs, &part.grid.xs) || columns_under_label(&b.table, &b.xs, part, false).is_some()
    } else {
        same_outer_edges(&prev.grid.xs, &part.grid.xs) || (heads_a_form(b) && joint_columns(prev, part).is_some())
    };
    let restarted =
        if prev.ruled || part.ruled { restarts(table_rows, part) } else { restarts(table_rows, &regrid_open(part, &prev.grid.xs)) };
    // An open table closed by a rule under its last row ends on its page (a form closed above
    // the indicator table opening overleaf with its own rules and header), unless the next page
    // repeats its header: a producer that closes every page's part.
    let closed = !prev.ruled && !part.ruled && prev.closed_below && !ends_on_header_rule(prev) && !repeats_header(b, &cells_of(part, 0), part.header_rows);
    // A part opening with a header the table holds in none of its rows (a form complete on its
    // page, the indicator table overleaf headed 一级指标 | 二级指标 | …) starts a table: a
    // producer repeating a header overleaf repeats one its table printed. Unless one label runs
    // down the part's first column beside that header: the form's own row (绩效指标) heading
    // the indicator rows set in its value columns.
    let own_header = !prev.ruled
        && !part.ruled
        && row_of_labels(part, 0)
        && !holds_rows_like(&b.table.cells, &cells_of(part, 0), 1)
        && !one_label_down_first_column(part);
    runs_to_page_foot(prev) && at_page_top(part) && columns && !restarted && !closed && !own_header
}

/// Whether `part` opens its page: near the top, with no title above it.
fn at_page_top(part: &PageTable) -> bool {
    let no_title = part.lines_above.len() <= MAX_FOOTER_LINES && !part.lines_above.iter().any(|l| looks_like_title(l));
    no_title && part.grid.bbox()[1] < 0.4 * part.page_height
}

/// Whether the open table `prev`, the last on its page, runs on into `next`, the first on the
/// next page, as a page's first reading shows it: left open at its page's foot (no rule under
/// it), `next` opening its page without a title, their outer edges alike. The two parts are
/// then one table's ([`overleaf`](super::overleaf)) and decide its columns together.
pub(super) fn runs_on_overleaf(prev: &PageTable, next: &PageTable) -> bool {
    next.page == prev.page + 1
        && !prev.ruled
        && !next.ruled
        && !prev.closed_below
        && runs_to_page_foot(prev)
        && at_page_top(next)
        && same_outer_edges(&prev.grid.xs, &next.grid.xs)
}

/// Whether a table may run on overleaf: nothing but a footer (a page number, a short note)
/// below it, and it reaches the lower part of its page. Browsers move a row that does not fit
/// to the next page and leave the rest of the page blank: with nothing at all below the table,
/// its position does not matter.
pub(super) fn runs_to_page_foot(part: &PageTable) -> bool {
    let footer_only = part.lines_below.len() <= MAX_FOOTER_LINES
        && part.lines_below.iter().all(|l| l.chars().count() <= MAX_FOOTER_CHARS && !looks_like_title(l));
    let near_bottom = part.lines_below.is_empty() || part.grid.bbox()[3] > 0.6 * part.page_height;
    footer_only && near_bottom
}

/// Whether the last row of a part heads columns (一级指标 | 二级指标 | …): the rule under it is
/// a header rule, the rows it heads on the next page.
fn ends_on_header_rule(part: &PageTable) -> bool {
    row_of_labels(part, part.grid.n_rows().saturating_sub(1))
}

/// Whether a part's first column holds one short label down its rows (绩效指标): its text, all
/// cells together, is a label, set either as one cell below the first row reaching the part's
/// last row (绩效 / 指标 wrapped, the second line spanning the rows) or a glyph a row (绩 / 效 /
/// 指 / 标 stacked). An indicator table's first column holds several labels (产出指标, 效益指标).
fn one_label_down_first_column(part: &PageTable) -> bool {
    let cells: Vec<&GridCell> = part.grid.cells.iter().filter(|c| c.col == 0 && !squash(&c.text).is_empty()).collect();
    let text: String = cells.iter().map(|c| squash(&c.text)).collect();
    let below: Vec<&&GridCell> = cells.iter().filter(|c| c.row > 0).collect();
    let spans_down = matches!(below[..], [c] if c.row + c.row_span == part.grid.n_rows()) || (below.is_empty() && cells.iter().any(|c| c.row_span == part.grid.n_rows()));
    let stacked = cells.len() > 1 && cells.iter().all(|c| squash(&c.text).chars().count() == 1);
    !text.is_empty() && open::short_label(&text) && (spans_down || stacked)
}

/// Whether a part's `row` is a row of column labels (一级指标 | 二级指标 | …).
fn row_of_labels(part: &PageTable, row: usize) -> bool {
    let texts: Vec<&str> = part.grid.cells.iter().filter(|c| c.row == row && !c.text.trim().is_empty()).map(|c| c.text.as_str()).collect();
    open::column_labels(texts.into_iter())
}

/// Whether an open part's `header_rows` (its `cells`) repeat the table's header.
fn repeats_header(b: &Building, cells: &[Cell], header_rows: usize) -> bool {
    header_rows > 0 && header_text(cells, header_rows) == b.open_header
}

/// Whether `part` starts like a new instance of the same form rather than a continuation.
/// After the leading rows it repeats from the table's start (a repeated header, or a form's
/// repeated title rows), it begins with a full-width title row, or with the same label as the
/// table's row at that position but different content (a form that starts again: "项目名称 |
/// 另一个项目"). Codes (digits) are not labels: 类 205 repeats down a table.
fn restarts(table_rows: &[Vec<String>], part: &PageTable) -> bool {
    let part_cells: Vec<Cell> = cells_of(part, 0);
    let part_rows = leading_rows(&part_cells, table_rows.len().max(1));
    let k = table_rows.iter().zip(&part_rows).take_while(|(a, b)| a == b).count();
    let Some(row) = part_rows.get(k) else { return false };
    let mut row_k: Vec<&GridCell> = part.grid.cells.iter().filter(|c| c.row == k).collect();
    row_k.sort_by_key(|c| c.col);
    let title_row = row_k.len() == 1 && row_k[0].col_span == part.grid.n_cols() && part.grid.n_cols() > 1 && !row_k[0].text.trim().is_empty();
    let is_label = |t: &str| t.chars().any(|c| c.is_alphabetic());
    let same_label = match (table_rows.get(k).and_then(|r| r.first()), row.first()) {
        (Some(x), Some(y)) => is_label(x) && x == y && table_rows.get(k) != Some(row),
        _ => false,
    };
    // A form's row of a label and its value (项目名称 | name) again with another value, the
    // empty slots left out: a part laid on the table's columns slot by slot may put a label
    // spanning two columns into either.
    let texts = |r: &[String]| r.iter().filter(|t| !t.is_empty()).cloned().collect::<Vec<String>>();
    let (was, now) = (table_rows.get(k).map(|r| texts(r)).unwrap_or_default(), texts(row));
    let same_form_label = was.len() == 2 && now.len() == 2 && is_label(&was[0]) && was[0] == now[0] && was[1] != now[1];
    title_row || same_label || same_form_label
}

/// Texts of the first `n` rows, each row's cells (those starting in it) in column order.
fn leading_rows(cells: &[Cell], n: usize) -> Vec<Vec<String>> {
    (0..n)
        .map(|r| {
            let mut row: Vec<&Cell> = cells.iter().filter(|c| c.row == r).collect();
            row.sort_by_key(|c| c.col);
            row.iter().map(|c| squash(&c.text)).collect()
        })
        .take_while(|row: &Vec<String>| !row.is_empty())
        .collect()
}

/// Column structures match when the outer edges agree and every inner edge of one part is an
/// edge of the other (a part where two columns are merged throughout draws no line between them).
fn same_columns(a: &[f64], b: &[f64]) -> bool {
    let near = |x: f64, set: &[f64]| set.iter().any(|y| (x - y).abs() <= COLUMN_TOLERANCE);
    let (Some(a0), Some(a1), Some(b0), Some(b1)) = (a.first(), a.last(), b.first(), b.last()) else { return false };
    if (a0 - b0).abs() > COLUMN_TOLERANCE || (a1 - b1).abs() > COLUMN_TOLERANCE {
        return false;
    }
    a.iter().all(|&x| near(x, b)) || b.iter().all(|&x| near(x, a))
}

/// A continuation that leaves out the table's leading label column: the last row before the
/// page break lies under a label spanning rows in the first column (绩效指标 beside the whole
/// indicator block), and the next page prints only the columns right of it, spread over the full
/// width of the frame, so its inner edges are not the table's. Per column of `part`: the table's (col, span)
/// it continues, the slots of the last row right of the label in order. In an open table
/// (`open`) the label is centred on the rows it spans on this page and may leave empty cells
/// under it down to the page break ([`label_over_last_row`]).
fn columns_under_label(table: &Table, xs: &[f64], part: &PageTable, open: bool) -> Option<Vec<(usize, usize)>> {
    let last = table.n_rows.checked_sub(1)?;
    let mut slots: Vec<&Cell> = table.cells.iter().filter(|c| c.row <= last && last < c.row + c.row_span).collect();
    slots.sort_by_key(|c| c.col);
    let (label, empties) = label_over_last_row(table, 0)?;
    let is_label = table.cells[label].row_span > 1 || !empties.is_empty();
    let tolerance = if open { OPEN_EDGE_TOLERANCE } else { COLUMN_TOLERANCE };
    let (Some(t0), Some(t1), Some(p0), Some(p1)) = (xs.first(), xs.last(), part.grid.xs.first(), part.grid.xs.last()) else { return None };
    let same_frame = (t0 - p0).abs() <= tolerance && (t1 - p1).abs() <= tolerance;
    let one_fewer = slots.len() == part.grid.n_cols() + 1;
    // Re-spaced: most of the part's inner edges are none of the table's (a part whose columns
    // line up with the table's but one, merged or empty on its page, is laid on them instead).
    let inner = part.grid.xs.get(1..part.grid.xs.len().saturating_sub(1)).unwrap_or(&[]);
    let aligned = inner.iter().filter(|&&x| xs.iter().any(|&y| (x - y).abs() <= COLUMN_TOLERANCE)).count();
    let respaced = 2 * aligned < inner.len();
    (is_label && (open || empties.is_empty()) && same_frame && one_fewer && respaced).then(|| slots[1..].iter().map(|c| (c.col, c.col_span)).collect())
}

/// The label column `col` ends under at the table's last row: the index of the cell with words
/// there or, walking up, the first with text above cells that are all empty (an open table's
/// label centred on its rows), with the indexes of those empty cells.
fn label_over_last_row(table: &Table, col: usize) -> Option<(usize, Vec<usize>)> {
    let mut end = table.n_rows;
    let mut empties = Vec::new();
    loop {
        let i = table.cells.iter().position(|c| c.col == col && c.row + c.row_span == end && c.row < end)?;
        let c = &table.cells[i];
        if !c.text.trim().is_empty() {
            let same_width = empties.iter().all(|&e: &usize| table.cells[e].col_span == c.col_span);
            return (c.text.chars().any(char::is_alphabetic) && same_width).then_some((i, empties));
        }
        empties.push(i);
        end = c.row;
    }
}

/// Extends the label over the last row in column `col` (see [`label_over_last_row`]) down to
/// the last row, in place of the empty cells under it.
fn extend_label_to_last_row(table: &mut Table, col: usize) {
    let Some((label, empties)) = label_over_last_row(table, col) else { return };
    table.cells[label].row_span = table.n_rows - table.cells[label].row;
    let mut index = 0;
    table.cells.retain(|_| {
        index += 1;
        !empties.contains(&(index - 1))
    });
}

/// Appends a part printed without the table's leading label column (see
/// [`columns_under_label`]): its cells move to the columns they continue and the label grows
/// down beside them. In an open table the labels cut by the page break (the part's column
/// starts empty) first reach down to the break, so that the empty cells continue them.
fn append_under_label(b: &mut Building, part: &PageTable, columns: &[(usize, usize)]) {
    let mut cells = cells_of(part, 0);
    for c in &mut cells {
        let (first, _) = columns[c.col];
        let (end_col, end_span) = columns[(c.col + c.col_span - 1).min(columns.len() - 1)];
        c.col = first;
        c.col_span = end_col + end_span - first;
    }
    if b.open {
        extend_label_to_last_row(&mut b.table, 0);
        for c in cells.iter().filter(|c| c.row == 0 && c.text.trim().is_empty()) {
            extend_label_to_last_row(&mut b.table, c.col);
        }
    }
    let last = b.table.n_rows - 1;
    let label_row = b.table.cells.iter().find(|c| c.col == 0 && c.row <= last && last < c.row + c.row_span).map(|c| c.row);
    let k = repeated_rows(&b.table, &cells, part.grid.n_rows());
    append_cells(b, part, cells, k);
    let n_rows = b.table.n_rows;
    if let Some(label) = label_row.and_then(|row| b.table.cells.iter_mut().find(|c| c.col == 0 && c.row == row)) {
        label.row_span = n_rows - label.row;
    }
}

/// Open parts take their outer edges from their own text, and it is re-laid on the previous
/// part's columns. The left edges agree, or the part starts inside the previous part's first
/// column (a header centred over that column reached further left than this page's codes), on
/// an inner edge, or inside the second column (the first holds no text on this page: the label
/// beside the rows above, 绩效指标, is not printed again). The right edges agree, or the part
/// ends on one of the previous part's column edges (its last groups hold no text on this page,
/// and their rule is its right edge, [`super::groups`]), or either ends inside the other's last
/// column (a form's amounts above reached further right than the indicator values under them;
/// a part framed by its rules reaches further than the text of the part before).
fn same_outer_edges(prev: &[f64], part: &[f64]) -> bool {
    let (Some(a0), Some(a1), Some(b0), Some(b1)) = (prev.first(), prev.last(), part.first(), part.last()) else { return false };
    let inner = prev.get(1..prev.len().saturating_sub(1)).unwrap_or(&[]);
    let ends_on_inner_edge = inner.iter().any(|x| (x - b1).abs() <= COLUMN_TOLERANCE);
    // Either part's right edge inside the other's last column: text ending short of the edge
    // a rule or wider text gives the other.
    let part_inner = part.get(1..part.len().saturating_sub(1)).unwrap_or(&[]);
    let ends_in_last_column = inner.last().is_some_and(|x| b1 > x && b1 < a1) || part_inner.last().is_some_and(|x| a1 > x && a1 < b1);
    let starts_in_first_column = inner.first().is_some_and(|&x| b0 > a0 && b0 < &x);
    let starts_in_second_column = matches!(inner, [x, y, ..] if b0 > x && b0 < y);
    let starts_on_inner_edge = inner.iter().any(|x| (x - b0).abs() <= COLUMN_TOLERANCE);
    ((a0 - b0).abs() <= OPEN_EDGE_TOLERANCE || starts_in_first_column || starts_in_second_column || starts_on_inner_edge)
        && ((a1 - b1).abs() <= OPEN_EDGE_TOLERANCE || ends_on_inner_edge || ends_in_last_column)
}

/// A table of one page without header rows (a form): the part after it may be the indicator
/// table under the form, on columns of its own ([`joint_columns`]).
fn heads_a_form(b: &Building) -> bool {
    b.table.pages.len() == 1 && b.table.header_rows == 0
}

/// The columns an open table part `prev` (a form of one page) and the open part continuing it
/// share: the part's edges, and those of `prev` that stand well inside one of the part's columns
/// (a form's 项目性质 column starting inside 三级指标: the indicator texts across it span both).
/// Every other edge of `prev` has a part edge of its own nearest to it, in order, the outer
/// edges on the part's, and moving it there moves no text to another column (the text between
/// the two lies in a cell spanning both): open columns are placed in the gaps between text, and
/// a form above its indicator table leaves a wide gap where the indicator table's edge lies
/// elsewhere in it (a form's 项目类别 | 一般项目 over 三级指标 | 指标值). `None` unless the
/// shared columns are more than those of `prev`.
fn joint_columns(prev: &PageTable, part: &PageTable) -> Option<Vec<f64>> {
    let (xs, to) = (&prev.grid.xs, &part.grid.xs);
    if xs.len() < 2 || to.len() < 3 || edge_index(to, xs[0]) != 0 || edge_index(to, xs[xs.len() - 1]) != to.len() - 1 {
        return None;
    }
    let moves_no_text = |x: f64, y: f64| {
        let (lo, hi) = (x.min(y), x.max(y));
        prev.glyphs.iter().filter(|g| g.cx() > lo && g.cx() < hi && !g.ch.is_whitespace()).all(|g| {
            prev.grid.cells.iter().any(|c| {
                let [x0, top, x1, bottom] = c.bbox;
                x0 < lo && x1 > hi && g.cy() > top && g.cy() < bottom
            })
        })
    };
    // Cells of one column of `prev` holding text: a column of the form, not a slot beside a
    // spanning cell.
    let filled = |col: usize| prev.grid.cells.iter().filter(|c| c.col == col && c.col_span == 1 && !c.text.trim().is_empty()).count();
    let mut joint = to.clone();
    let mut last = 0;
    for (i, &x) in xs.iter().enumerate().take(xs.len() - 1).skip(1) {
        let k = edge_index(to, x);
        if k > last && k + 1 < to.len() && moves_no_text(x, to[k]) {
            last = k;
            continue;
        }
        let c = to.partition_point(|&e| e <= x).checked_sub(1).filter(|&c| c + 1 < to.len())?;
        let (left, right) = (to[c], to[c + 1]);
        let inside = (x - left).min(right - x) >= INNER_EDGE_SHARE * (right - left);
        // A form of one row (its first row at a page foot) shows each column once.
        let cells = FORM_COLUMN_CELLS.min(prev.grid.n_rows());
        if !inside || filled(i - 1) < cells || filled(i) < cells {
            return None;
        }
        joint.push(x);
    }
    joint.sort_by(f64::total_cmp);
    (joint.len() > xs.len()).then_some(joint)
}

/// An open part laid on the given column edges: every slot its own cell, text by glyph centre.
fn regrid_open(part: &PageTable, xs: &[f64]) -> PageTable {
    let nr = part.grid.n_rows();
    let nc = xs.len().saturating_sub(1);
    let ys = &part.grid.ys;
    let mut cells = Vec::with_capacity(nr * nc);
    for r in 0..nr {
        for c in 0..nc {
            cells.push(GridCell { row: r, col: c, row_span: 1, col_span: 1, bbox: [xs[c], ys[r], xs[c + 1], ys[r + 1]], text: String::new() });
        }
    }
    let mut grid = CellGrid { xs: xs.to_vec(), ys: ys.clone(), cells };
    grid.fill_text(&part.glyphs);
    PageTable { grid, ..part.clone() }
}

/// An open part laid on the table's columns with its own spans kept: each of its edges stands on
/// the nearest edge of the table's, in order, its right edge on the table's. Its left edge is the
/// table's, or an inner edge of it or right of one, inside that column (a page where the table's
/// first column holds no text, its rules starting at that column's edge, or its text starting in
/// the next column: the slots on its left are empty cells). A column of the part
/// over several of the table's spans them when its text runs across the table's edges between
/// them (the part's 绩效指标描述 printed over two columns of the form before it); otherwise
/// `None`, and the text is laid slot by slot ([`regrid_open`]).
fn on_table_columns(part: &PageTable, xs: &[f64]) -> Option<PageTable> {
    let map: Vec<usize> = part.grid.xs.iter().map(|&x| edge_index(xs, x)).collect();
    let first = *map.first()?;
    if first > 0 && part.grid.xs[0] < xs[first] - COLUMN_TOLERANCE {
        return None;
    }
    if map.windows(2).any(|w| w[1] <= w[0]) || map.last() != Some(&(xs.len() - 1)) {
        return None;
    }
    // Text of a column runs across `e`: a glyph across it, or two of one line meeting on it.
    let crosses = |column: &[&Glyph], e: f64| {
        column.iter().any(|g| {
            g.x0 < e && g.x1 >= e - 0.5 && column.iter().any(|h| h.x1 > e && h.x0 <= e + 0.5 && (h.top - g.top).abs() < 0.5 * g.size)
        })
    };
    for c in (0..map.len() - 1).filter(|&c| map[c + 1] - map[c] > 1) {
        let column: Vec<&Glyph> = part.glyphs.iter().filter(|g| g.cx() >= part.grid.xs[c] && g.cx() <= part.grid.xs[c + 1]).collect();
        if !(map[c] + 1..map[c + 1]).all(|k| crosses(&column, xs[k])) {
            return None;
        }
    }
    let (nr, nc, ys) = (part.grid.n_rows(), xs.len() - 1, &part.grid.ys);
    let mut covered = vec![false; nr * nc];
    let mut cells: Vec<GridCell> = Vec::with_capacity(nr * nc);
    for c in &part.grid.cells {
        let (c0, c1) = (map[c.col], map[c.col + c.col_span]);
        for r in c.row..c.row + c.row_span {
            covered[r * nc + c0..r * nc + c1].fill(true);
        }
        cells.push(GridCell { col: c0, col_span: c1 - c0, bbox: [xs[c0], c.bbox[1], xs[c1], c.bbox[3]], ..c.clone() });
    }
    for r in 0..nr {
        for c in (0..nc).filter(|&c| !covered[r * nc + c]) {
            cells.push(GridCell { row: r, col: c, row_span: 1, col_span: 1, bbox: [xs[c], ys[r], xs[c + 1], ys[r + 1]], text: String::new() });
        }
    }
    cells.sort_by_key(|c| (c.row, c.col));
    Some(PageTable { grid: CellGrid { xs: xs.to_vec(), ys: ys.clone(), cells }, ..part.clone() })
}

/// The letters of the header rows, sorted: a repeated header re-laid on the columns before
/// (every slot its own cell) may put a label centred against two rows into either of them.
fn header_text(cells: &[Cell], rows: usize) -> String {
    rows_text(cells, 0..rows)
}

/// The letters of the cells starting in `rows`, sorted: the same for a header however its
/// labels fall into rows and columns.
fn rows_text(cells: &[Cell], rows: std::ops::Range<usize>) -> String {
    let mut letters: Vec<char> = cells.iter().filter(|c| rows.contains(&c.row)).flat_map(|c| squash(&c.text).chars().collect::<Vec<_>>()).collect();
    letters.sort_unstable();
    letters.into_iter().collect()
}

/// Whether `rows` consecutive rows of `cells` read as the first `rows` rows of `part`.
fn holds_rows_like(cells: &[Cell], part: &[Cell], rows: usize) -> bool {
    let wanted = header_text(part, rows);
    let n_rows = cells.iter().map(|c| c.row + 1).max().unwrap_or(0);
    (0..n_rows.saturating_sub(rows - 1)).any(|r| rows_text(cells, r..r + rows) == wanted)
}

/// The union of two compatible column-edge lists.
fn union_edges(a: &[f64], b: &[f64]) -> Vec<f64> {
    let mut all: Vec<f64> = a.iter().chain(b).copied().collect();
    all.sort_by(f64::total_cmp);
    let mut out: Vec<f64> = Vec::new();
    for x in all {
        if out.last().is_none_or(|&l| x - l > COLUMN_TOLERANCE) {
            out.push(x);
        }
    }
    out
}

/// Index of the edge in `edges` nearest to `x`.
fn edge_index(edges: &[f64], x: f64) -> usize {
    (0..edges.len()).min_by(|&i, &j| (edges[i] - x).abs().total_cmp(&(edges[j] - x).abs())).unwrap_or(0)
}

/// Re-expresses cells laid out on column edges `from` on the finer edges `to`.
fn remap_columns(cells: &mut [Cell], from: &[f64], to: &[f64]) {
    if from.len() == to.len() {
        return;
    }
    for c in cells {
        let start = edge_index(to, from[c.col]);
        let end = edge_index(to, from[(c.col + c.col_span).min(from.len() - 1)]);
        c.col = start;
        c.col_span = end.saturating_sub(start).max(1);
    }
}

fn cells_of(part: &PageTable, row_offset: usize) -> Vec<Cell> {
    part.grid
        .cells
        .iter()
        .map(|c| Cell {
            row: c.row + row_offset,
            col: c.col,
            row_span: c.row_span,
            col_span: c.col_span,
            text: c.text.clone(),
            page: Some(part.page),
            bbox: Some(c.bbox.map(|v| (v * 100.0).round() / 100.0)),
        })
        .collect()
}

/// A new table's title printed at the foot of the page before, under that page's last table
/// (the title and "部门：…" line fit, the table did not): the lines from that title down, when the
/// new table has no title of its own above it.
fn title_left_on_page_before(prev: &PageTable, part: &PageTable) -> Vec<String> {
    if part.lines_above.iter().any(|l| looks_like_title(l)) {
        return Vec::new();
    }
    let Some(at) = prev.lines_below.iter().rposition(|l| looks_like_title(l)) else { return Vec::new() };
    let carried = &prev.lines_below[at..];
    // Only a short heading block: a page of prose ending in a sentence about a table is no title.
    if carried.len() > MAX_CARRIED_HEADING_LINES || carried.iter().any(|l| l.chars().count() > 60) {
        return Vec::new();
    }
    carried.to_vec()
}

/// A table from its first part; `carried` are heading lines printed for it at the foot of the
/// page before.
fn start(part: &PageTable, carried: &[String]) -> Building {
    let mut cells = cells_of(part, 0);
    let mut n_rows = part.grid.n_rows();
    let n_cols = part.grid.n_cols();
    let mut pages = vec![part.page];
    let mut carried = carried;
    // A form prints its title rows inside its frame (the part starts with a row of one cell
    // over every column, （2023年度）): a single title line left at the foot of the page before
    // is the first of those rows, cut off by the page break, not a title above the table.
    if let [title_line] = carried {
        if starts_with_title_row(part) {
            for c in &mut cells {
                c.row += 1;
            }
            let row = Cell { row: 0, col: 0, row_span: 1, col_span: n_cols, text: title_line.clone(), page: Some(part.page - 1), bbox: None };
            cells.insert(0, row);
            n_rows += 1;
            pages.insert(0, part.page - 1);
            carried = &[];
        }
    }
    let above: Vec<String> = carried.iter().chain(&part.lines_above).cloned().collect();
    let context: Vec<String> = above.iter().rev().take(4).rev().cloned().collect();
    let title = above.iter().rev().take(4).find(|l| looks_like_title(l)).cloned();
    let open_header = header_text(&cells, part.header_rows);
    let mut table = Table { index: 0, pages, title, n_rows, n_cols, header_rows: 0, cells, context };
    table.header_rows = if part.ruled { header_rows(&table) } else { part.header_rows };
    Building { table, open: !part.ruled, open_header, xs: part.grid.xs.clone(), last_page: part.page }
}

/// Whether an open part's first row is one cell with text over all its columns: a title row
/// printed inside the table's frame.
fn starts_with_title_row(part: &PageTable) -> bool {
    let first: Vec<&GridCell> = part.grid.cells.iter().filter(|c| c.row == 0).collect();
    !part.ruled && part.grid.n_cols() > 1 && matches!(first[..], [c] if c.col_span == part.grid.n_cols() && !c.text.trim().is_empty())
}

/// Leading header rows: the rows covered by row 0's cells, extended while a cell spanning
/// several columns ends right above the next row (its sub-headers are in that row).
pub fn header_rows(t: &Table) -> usize {
    if t.n_rows <= 1 {
        return t.n_rows.min(1);
    }
    let mut h = t.cells.iter().filter(|c| c.row == 0).map(|c| c.row_span).max().unwrap_or(1);
    let is_number = |s: &str| {
        let t: String = s.chars().filter(|c| !matches!(c, ',' | '%' | ' ' | '-' | '.')).collect();
        !t.is_empty() && t.chars().all(|c| c.is_ascii_digit())
    };
    loop {
        let parent = t.cells.iter().any(|c| c.row < h && c.row + c.row_span == h && c.col_span > 1);
        // Sub-headers are labels: a row holding a number is data.
        let labels_below = t.cells.iter().filter(|c| c.row == h).all(|c| !is_number(&c.text));
        if !parent || !labels_below || h + 1 >= t.n_rows {
            break;
        }
        h += t.cells.iter().filter(|c| c.row == h).map(|c| c.row_span).max().unwrap_or(1);
    }
    h.min(t.n_rows)
}

/// How many leading rows of `part` repeat the table's first rows (same texts and spans, and no
/// cell crossing the boundary), capped by [`MAX_REPEATED_HEADER`].
fn repeated_rows(table: &Table, part: &[Cell], part_rows: usize) -> usize {
    let limit = MAX_REPEATED_HEADER.min(table.n_rows).min(part_rows.saturating_sub(1));
    for k in (1..=limit).rev() {
        let head_a: Vec<&Cell> = table.cells.iter().filter(|c| c.row < k).collect();
        let head_b: Vec<&Cell> = part.iter().filter(|c| c.row < k).collect();
        if head_a.len() != head_b.len() || head_a.iter().chain(&head_b).any(|c| c.row + c.row_span > k) {
            continue;
        }
        let key = |c: &&Cell| (c.row, c.col, c.row_span, c.col_span, squash(&c.text));
        let mut a: Vec<_> = head_a.iter().map(key).collect();
        let mut b: Vec<_> = head_b.iter().map(key).collect();
        a.sort();
        b.sort();
        if a == b && a.iter().any(|x| !x.4.is_empty()) {
            return k;
        }
    }
    0
}

/// Appends `part` to the table `b`, whose last part is `prev`.
fn append(b: &mut Building, prev: &PageTable, part: &PageTable) {
    if b.open && !part.ruled {
        if let Some(columns) = columns_under_label(&b.table, &b.xs, part, true) {
            return append_under_label(b, part, &columns);
        }
        // The part's own columns are the better evidence for its page when they are as many as
        // the table's (its spans stay); otherwise its text is laid on the table's columns. A
        // form of one page above the indicator table it heads, whose columns the part's do not
        // fit, first takes the columns both share. (Such a table is its one part, `prev`: its
        // text decides.)
        let part = if part.grid.n_cols() + 1 == b.xs.len() {
            part.clone()
        } else if let Some(laid) = on_table_columns(part, &b.xs) {
            laid
        } else {
            if let Some(joint) = joint_columns(prev, part).filter(|_| heads_a_form(b)) {
                remap_columns(&mut b.table.cells, &b.xs, &joint);
                b.table.n_cols = joint.len() - 1;
                b.xs = joint;
            }
            on_table_columns(part, &b.xs).unwrap_or_else(|| regrid_open(part, &b.xs))
        };
        let cells = cells_of(&part, 0);
        let k = if repeats_header(b, &cells, part.header_rows) { part.header_rows } else { 0 };
        return append_cells(b, &part, cells, k);
    }
    if !same_columns(&b.xs, &part.grid.xs) {
        if let Some(columns) = columns_under_label(&b.table, &b.xs, part, false) {
            return append_under_label(b, part, &columns);
        }
    }
    let edges = union_edges(&b.xs, &part.grid.xs);
    remap_columns(&mut b.table.cells, &b.xs, &edges);
    b.table.n_cols = edges.len() - 1;
    let mut cells = cells_of(part, 0);
    remap_columns(&mut cells, &part.grid.xs, &edges);
    let k = repeated_rows(&b.table, &cells, part.grid.n_rows());
    b.xs = edges;
    append_cells(b, part, cells, k);
}

fn append_cells(b: &mut Building, part: &PageTable, cells: Vec<Cell>, k: usize) {
    let offset = b.table.n_rows;
    // Per column: the first row of the part holding text, and whether a label in it spans rows
    // (an open table's 一级指标 column: its empty cells are the rows a label covers).
    let nc = b.table.n_cols.max(part.grid.n_cols());
    let mut first_text = vec![usize::MAX; nc];
    let mut label_column = vec![false; nc];
    for c in cells.iter().filter(|c| c.row >= k && c.col < nc && !c.text.trim().is_empty()) {
        first_text[c.col] = first_text[c.col].min(c.row - k + offset);
        label_column[c.col] |= c.row_span > 1;
    }
    // A label spanning rows down to the page break (a form's 绩效指标 printed at the top of its
    // cell, 效益指标 centred on rows of both pages) runs on over the part's rows that leave its
    // column empty, down to the part's first text there.
    for (col, label) in label_column.iter_mut().enumerate() {
        *label |= b.table.cells.iter().any(|a| a.col == col && a.row_span > 1 && a.row + a.row_span == offset && !a.text.trim().is_empty());
    }
    let mut cells = cells;
    cells.sort_by_key(|c| (c.row, c.col));
    for mut c in cells.into_iter().filter(|c| c.row >= k) {
        c.row = c.row - k + offset;
        let leading = c.row == offset || (c.col < nc && label_column[c.col] && c.row < first_text[c.col]);
        if leading && c.text.trim().is_empty() {
            // A merged cell cut by the page break: the producer draws its rest as an empty cell
            // at the top of the next page (an open table leaves the rows a label covers empty
            // down to the next label). It extends the cell above instead.
            let row = c.row;
            let above = b.table.cells.iter_mut().find(|a| {
                a.col == c.col
                    && a.col_span == c.col_span
                    && a.row + a.row_span == row
                    && !a.text.trim().is_empty()
                    && (a.row_span > 1 || c.row_span > 1 || label_column[c.col.min(nc - 1)])
            });
            if let Some(a) = above {
                a.row_span += c.row_span;
                continue;
            }
        }
        b.table.cells.push(c);
    }
    b.table.n_rows += part.grid.n_rows() - k;
    if !b.table.pages.contains(&part.page) {
        b.table.pages.push(part.page);
    }
    b.last_page = part.page;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::text::tests::word;

    fn part(page: u32, top: f64, rows: &[&[&str]], above: &[&str], below: &[&str]) -> PageTable {
        let xs = vec![50.0, 150.0, 250.0];
        let ys: Vec<f64> = (0..=rows.len()).map(|i| top + 20.0 * i as f64).collect();
        let mut cells = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            for (c, text) in row.iter().enumerate() {
                cells.push(GridCell { row: r, col: c, row_span: 1, col_span: 1, bbox: [xs[c], ys[r], xs[c + 1], ys[r + 1]], text: text.to_string() });
            }
        }
        PageTable {
            page,
            grid: CellGrid { xs, ys, cells },
            ruled: true,
            lines_above: above.iter().map(|s| s.to_string()).collect(),
            lines_below: below.iter().map(|s| s.to_string()).collect(),
            page_height: 842.0,
            header_rows: 0,
            glyphs: Vec::new(),
            // Drawn rules close a ruled part; open parts run on unless a test closes them.
            closed_below: false,
        }
    }

    /// The one table the parts stitch into, its cells tiling its grid.
    fn one_tiled_table(parts: Vec<PageTable>) -> Table {
        let mut tables = stitch(parts);
        assert_eq!(tables.len(), 1);
        let t = tables.remove(0);
        assert!(t.check_tiling().is_ok(), "{:?}", t.check_tiling());
        t
    }

    fn rows(n: usize, from: usize) -> Vec<[String; 2]> {
        (from..from + n).map(|i| [format!("科目{i}"), format!("{i}.00")]).collect()
    }

    fn as_refs(v: &[[String; 2]]) -> Vec<Vec<&str>> {
        v.iter().map(|r| vec![r[0].as_str(), r[1].as_str()]).collect()
    }

    #[test]
    fn a_table_running_to_the_next_page_is_stitched_and_its_repeated_header_dropped() {
        let body1 = rows(30, 0);
        let body2 = rows(5, 30);
        let mut r1: Vec<Vec<&str>> = vec![vec!["科目名称", "金额"]];
        r1.extend(as_refs(&body1));
        let mut r2: Vec<Vec<&str>> = vec![vec!["科目名称", "金额"]];
        r2.extend(as_refs(&body2));
        let r1s: Vec<&[&str]> = r1.iter().map(|r| r.as_slice()).collect();
        let r2s: Vec<&[&str]> = r2.iter().map(|r| r.as_slice()).collect();
        let a = part(1, 100.0, &r1s, &["单位：万元", "基本支出预算表"], &["- 1 -"]);
        let b = part(2, 60.0, &r2s, &[], &["- 2 -"]);
        let tables = stitch(vec![a, b]);
        assert_eq!(tables.len(), 1);
        let t = &tables[0];
        assert_eq!(t.pages, vec![1, 2]);
        assert_eq!(t.n_rows, 36);
        assert_eq!(t.title.as_deref(), Some("基本支出预算表"));
        assert!(t.check_tiling().is_ok());
        let last = t.cell_at(35, 0).unwrap();
        assert_eq!((last.text.as_str(), last.page), ("科目34", Some(2)));
        assert_eq!(t.cell_at(31, 1).unwrap().text, "30.00");
    }

    #[test]
    fn a_new_title_or_different_columns_start_a_new_table() {
        let body = rows(30, 0);
        let r: Vec<Vec<&str>> = as_refs(&body);
        let rs: Vec<&[&str]> = r.iter().map(|r| r.as_slice()).collect();
        let a = part(1, 100.0, &rs, &[], &[]);
        let b = part(2, 60.0, &rs[..3], &["部门收入总表"], &[]);
        assert_eq!(stitch(vec![a.clone(), b]).len(), 2);
        let mut c = part(2, 60.0, &rs[..3], &[], &[]);
        c.grid.xs[1] = 190.0;
        assert_eq!(stitch(vec![a.clone(), c]).len(), 2);
        // A table that ends high on its page, followed by text, is complete.
        let short = part(1, 100.0, &rs[..3], &[], &["（一）说明"]);
        let d = part(2, 60.0, &rs[..3], &[], &[]);
        assert_eq!(stitch(vec![short, d]).len(), 2);
    }

    #[test]
    fn a_form_that_starts_again_on_the_next_page_is_a_new_table() {
        let mut first: Vec<Vec<&str>> = vec![vec!["项目名称", "培训服务经费"]];
        let body = rows(30, 0);
        first.extend(as_refs(&body));
        let second: Vec<Vec<&str>> = vec![vec!["项目名称", "工作站建设经费"], vec!["主管部门", "政务办"]];
        let r1: Vec<&[&str]> = first.iter().map(|r| r.as_slice()).collect();
        let r2: Vec<&[&str]> = second.iter().map(|r| r.as_slice()).collect();
        let a = part(1, 100.0, &r1, &[], &[]);
        let b = part(2, 60.0, &r2, &[], &[]);
        assert_eq!(stitch(vec![a, b]).len(), 2);
    }

    #[test]
    fn a_part_whose_merged_columns_draw_no_line_still_continues() {
        // Page 1 has no line at x=150 (its two columns merged throughout); page 2 has it.
        let body = rows(30, 0);
        let r: Vec<Vec<&str>> = as_refs(&body);
        let rs: Vec<&[&str]> = r.iter().map(|r| r.as_slice()).collect();
        let mut a = part(1, 100.0, &rs, &[], &[]);
        a.grid.xs = vec![50.0, 250.0];
        a.grid.cells.retain(|c| c.col == 0);
        for c in &mut a.grid.cells {
            c.bbox[2] = 250.0;
        }
        let more = rows(2, 30);
        let r2: Vec<Vec<&str>> = as_refs(&more);
        let r2s: Vec<&[&str]> = r2.iter().map(|r| r.as_slice()).collect();
        let b = part(2, 60.0, &r2s, &[], &[]);
        let t = &one_tiled_table(vec![a, b]);
        assert_eq!((t.n_rows, t.n_cols), (32, 2));
        assert_eq!(t.cell_at(0, 1).unwrap().col_span, 2);
        assert_eq!(t.cell_at(31, 1).unwrap().text, "31.00");
    }

    #[test]
    fn a_code_repeated_at_the_top_of_the_next_page_is_no_restart() {
        // Three pages of one table: the second and third parts both start with 类 "205".
        let body: Vec<[String; 2]> = (0..30).map(|i| ["205".to_string(), format!("{i}.00")]).collect();
        let r: Vec<Vec<&str>> = as_refs(&body);
        let rs: Vec<&[&str]> = r.iter().map(|r| r.as_slice()).collect();
        let mut first: Vec<&[&str]> = vec![&["科目编码", "金额"]];
        first.extend(&rs);
        let tables = stitch(vec![part(1, 100.0, &first, &[], &[]), part(2, 60.0, &rs, &[], &[]), part(3, 60.0, &rs[..3], &[], &[])]);
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].pages, vec![1, 2, 3]);
        assert_eq!(tables[0].n_rows, 64);
    }

    #[test]
    fn a_merged_cell_cut_by_the_page_break_is_rejoined() {
        let body = rows(30, 0);
        let r: Vec<Vec<&str>> = as_refs(&body);
        let rs: Vec<&[&str]> = r.iter().map(|r| r.as_slice()).collect();
        let mut a = part(1, 100.0, &rs, &[], &[]);
        // Column 0 of the last five rows on page 1 is one merged cell "产出指标".
        a.grid.cells.retain(|c| !(c.col == 0 && c.row >= 25));
        a.grid.cells.push(GridCell { row: 25, col: 0, row_span: 5, col_span: 1, bbox: [50.0, 600.0, 150.0, 700.0], text: "产出指标".into() });
        let more = rows(4, 30);
        let r2: Vec<Vec<&str>> = as_refs(&more);
        let r2s: Vec<&[&str]> = r2.iter().map(|r| r.as_slice()).collect();
        let mut b = part(2, 60.0, &r2s, &[], &[]);
        // Its rest on page 2: an empty merged cell over the first three rows.
        b.grid.cells.retain(|c| !(c.col == 0 && c.row < 3));
        b.grid.cells.push(GridCell { row: 0, col: 0, row_span: 3, col_span: 1, bbox: [50.0, 60.0, 150.0, 120.0], text: String::new() });
        let t = &one_tiled_table(vec![a, b]);
        let merged = t.cell_at(31, 0).unwrap();
        assert_eq!((merged.row, merged.row_span, merged.text.as_str()), (25, 8, "产出指标"));
    }

    #[test]
    fn a_label_cut_by_the_page_break_covers_the_empty_rows_under_it() {
        // yutian_2024 (open_hrules): "产出指标" is in the last row on page 1; page 2 starts
        // with three rows whose label column is empty, then "效益指标" spanning two rows.
        let mut a = part(1, 600.0, &[&["一级指标", "二级指标"], &["产出指标", "数量指标"]], &[], &[]);
        a.ruled = false;
        let mut b = part(2, 60.0, &[&["", "质量指标"], &["", "时效指标"], &["", "成本指标"], &["效益指标", "社会效益"], &["", "生态效益"]], &[], &[]);
        b.ruled = false;
        b.grid.cells.retain(|c| !(c.col == 0 && c.row >= 3));
        b.grid.cells.push(GridCell { row: 3, col: 0, row_span: 2, col_span: 1, bbox: [50.0, 120.0, 150.0, 160.0], text: "效益指标".into() });
        let t = &one_tiled_table(vec![a, b]);
        let label = t.cell_at(3, 0).unwrap();
        assert_eq!((label.row, label.row_span, label.text.as_str()), (1, 4, "产出指标"));
        assert_eq!(t.cell_at(5, 0).map(|c| (c.row, c.row_span)), Some((5, 2)));
    }

    #[test]
    fn a_part_printed_without_the_leading_label_column_continues_under_that_label() {
        // jialing_lab (open_continued): page 1 ends under 绩效指标, a label spanning rows in
        // column 0 beside 一级/二级/三级; page 2 prints only those three columns, re-spaced over the
        // full width, its first 一级 cell the empty rest of 产出指标.
        let body: Vec<[String; 2]> = (0..30).map(|i| [format!("指标{i}"), format!("≥{i}")]).collect();
        let r: Vec<Vec<&str>> = as_refs(&body);
        let rs: Vec<&[&str]> = r.iter().map(|r| r.as_slice()).collect();
        let mut a = part(1, 100.0, &rs, &[], &[]);
        let xs = [50.0, 70.0, 130.0, 200.0, 250.0];
        a.grid.xs = xs.to_vec();
        for c in &mut a.grid.cells {
            c.col += 2;
            c.bbox[0] = xs[c.col];
            c.bbox[2] = xs[c.col + 1];
        }
        let ys = a.grid.ys.clone();
        a.grid.cells.push(GridCell { row: 0, col: 0, row_span: 30, col_span: 1, bbox: [50.0, ys[0], 70.0, ys[30]], text: "绩效指标".into() });
        a.grid.cells.push(GridCell { row: 0, col: 1, row_span: 30, col_span: 1, bbox: [70.0, ys[0], 130.0, ys[30]], text: "产出指标".into() });
        let more = [["", "指标30", "≥30"], ["", "指标31", "≥31"], ["效益指标", "指标32", "≥32"]];
        let mut b = part(2, 60.0, &[], &[], &[]);
        b.grid.xs = vec![50.0, 110.0, 190.0, 250.0];
        b.grid.ys = (0..=3).map(|i| 60.0 + 20.0 * i as f64).collect();
        for (row, texts) in more.iter().enumerate() {
            for (col, text) in texts.iter().enumerate().filter(|&(col, _)| !(col == 0 && row == 1)) {
                let row_span = if (row, col) == (0, 0) { 2 } else { 1 };
                let bbox = [b.grid.xs[col], b.grid.ys[row], b.grid.xs[col + 1], b.grid.ys[row + row_span]];
                b.grid.cells.push(GridCell { row, col, row_span, col_span: 1, bbox, text: text.to_string() });
            }
        }
        let t = &one_tiled_table(vec![a.clone(), b.clone()]);
        assert_eq!((t.n_rows, t.n_cols), (33, 4));
        let outer = t.cell_at(32, 0).unwrap();
        assert_eq!((outer.row, outer.row_span, outer.text.as_str()), (0, 33, "绩效指标"));
        let cut = t.cell_at(31, 1).unwrap();
        assert_eq!((cut.row, cut.row_span, cut.text.as_str()), (0, 32, "产出指标"));
        assert_eq!(t.cell_at(32, 1).unwrap().text, "效益指标");
        assert_eq!(t.cell_at(31, 2).unwrap().text, "指标31");
        // Without a label over the last row the narrower part is another table.
        a.grid.cells.retain(|c| c.col != 0);
        a.grid.cells.extend((0..30).map(|row| GridCell { row, col: 0, row_span: 1, col_span: 1, bbox: [50.0, ys[row], 70.0, ys[row + 1]], text: String::new() }));
        assert_eq!(stitch(vec![a, b]).len(), 2);
    }

    /// An open part on column edges `xs` from rows of texts, each slot its own cell, except the
    /// `(row, col, row_span)` labels given.
    fn open_part(page: u32, top: f64, xs: &[f64], rows: &[&[&str]], spans: &[(usize, usize, usize)]) -> PageTable {
        let mut p = part(page, top, &[], &[], &[]);
        p.ruled = false;
        p.grid.xs = xs.to_vec();
        p.grid.ys = (0..=rows.len()).map(|i| top + 20.0 * i as f64).collect();
        let covered = |r: usize, c: usize| spans.iter().any(|&(sr, sc, n)| sc == c && r > sr && r < sr + n);
        for (row, texts) in rows.iter().enumerate() {
            for (col, text) in texts.iter().enumerate().filter(|&(col, _)| !covered(row, col)) {
                let row_span = spans.iter().find(|&&(sr, sc, _)| (sr, sc) == (row, col)).map_or(1, |s| s.2);
                let bbox = [xs[col], p.grid.ys[row], xs[col + 1], p.grid.ys[row + row_span]];
                p.grid.cells.push(GridCell { row, col, row_span, col_span: 1, bbox, text: text.to_string() });
            }
        }
        p
    }

    #[test]
    fn an_open_table_ends_on_its_page_closed_by_a_rule_or_before_a_header_it_never_printed() {
        // caofeidian_2021 three-line page 2 → 3 (open_hrules, LibreOffice): a project's form
        // closes with its bottom rule at the page's foot; page 3 opens the indicator table with
        // its own top rule and header: two tables.
        let xs = [50.0, 110.0, 170.0, 250.0, 330.0, 420.0];
        let form: Vec<&[&str]> = vec![
            &["项目编码", "13020925P0001", "", "项目名称", "平台建设费"],
            &["预算规模及资金用途", "预算数", "18.70", "其中：财政资金", "18.70"],
            &["资金支出计划（%）", "3月底", "6月底", "10月底", "12月底"],
            &["绩效目标", "1.保证年底平台建设费顺利拨付", "", "", ""],
        ];
        let indicators: Vec<&[&str]> = vec![
            &["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值"],
            &["产出指标", "数量指标", "人员数量", "人员数量", "≥24人"],
            &["", "质量指标", "验收合格比%", "验收合格比%", "≥92%"],
        ];
        let mut closed = open_part(2, 660.0, &xs, &form, &[]);
        closed.closed_below = true;
        let mut next = open_part(3, 60.0, &xs, &indicators, &[]);
        next.header_rows = 1;
        let tables = stitch(vec![closed.clone(), next.clone()]);
        assert_eq!(tables.iter().map(|t| t.pages.clone()).collect::<Vec<_>>(), vec![vec![2], vec![3]]);
        // Without rules (caofeidian_2021 without rules, LibreOffice) the header overleaf, which
        // the form never printed, starts the indicator table all the same.
        let running_on = open_part(2, 660.0, &xs, &form, &[]);
        assert_eq!(stitch(vec![running_on.clone(), next.clone()]).len(), 2);
        // Unless the form's row label runs down the first column beside that header, the
        // indicator rows set in the form's value columns (binjiang_perf_2023 and tongnan_2021:
        // 绩效 / 指标 wrapped, the second line spanning the rows; or 绩 / 效 / 指 / 标 stacked).
        let xs6 = [50.0, 70.0, 110.0, 170.0, 250.0, 330.0, 420.0];
        let beside: Vec<&[&str]> = vec![
            &["绩效", "一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值"],
            &["指标", "产出指标", "数量指标", "人员数量", "人员数量", "≥24人"],
            &["", "", "质量指标", "验收合格比%", "验收合格比%", "≥92%"],
            &["", "", "时效指标", "按期完成率", "按期完成率", "≥98%"],
        ];
        let mut wrapped = open_part(3, 60.0, &xs6, &beside, &[(1, 0, 3), (1, 1, 3)]);
        wrapped.header_rows = 1;
        assert_eq!(stitch(vec![running_on.clone(), wrapped]).len(), 1);
        let stacked_rows: Vec<Vec<&str>> = beside.iter().zip(["绩", "效", "指", "标"]).map(|(r, g)| [&[g][..], &r[1..]].concat()).collect();
        let stacked_refs: Vec<&[&str]> = stacked_rows.iter().map(|r| &r[..]).collect();
        let mut stacked = open_part(3, 60.0, &xs6, &stacked_refs, &[]);
        stacked.header_rows = 1;
        assert_eq!(stitch(vec![running_on, stacked]).len(), 1);
        // Closed under a row of column labels, the rule is the header rule of rows overleaf.
        let mut headed = open_part(2, 660.0, &xs, &[form[0], form[1], indicators[0]], &[]);
        headed.closed_below = true;
        let mut rows = open_part(3, 60.0, &xs, &indicators[1..], &[]);
        rows.header_rows = 0;
        assert_eq!(stitch(vec![headed, rows]).len(), 1);
    }

    #[test]
    fn an_open_part_without_the_leading_label_column_continues_under_labels_centred_above() {
        // jialing_lab three-line (open_continued, Chromium): 绩效指标 and 产出指标 are centred on
        // their rows on page 1 and leave the cells under them empty down to the page break; page 2
        // prints 一级/二级/三级/指标值 re-spaced over the full width, no edge lining up with page 1's.
        let first: Vec<&[&str]> = vec![
            &["", "一级指标", "三级指标", "指标值"],
            &["", "", "指标1", "≥1"],
            &["绩效指标", "产出指标", "指标2", "≥2"],
            &["", "", "指标3", "≥3"],
            &["", "", "指标4", "≥4"],
            &["", "", "指标5", "≥5"],
        ];
        let a = open_part(1, 600.0, &[50.0, 70.0, 130.0, 200.0, 250.0], &first, &[(2, 0, 2), (2, 1, 2)]);
        let second: Vec<&[&str]> = vec![&["", "指标6", "≥6"], &["效益指标", "指标7", "≥7"]];
        let b = open_part(2, 60.0, &[50.0, 110.0, 180.0, 250.0], &second, &[]);
        let t = &one_tiled_table(vec![a.clone(), b]);
        assert_eq!((t.n_rows, t.n_cols), (8, 4));
        let outer = t.cell_at(7, 0).unwrap();
        assert_eq!((outer.row, outer.row_span, outer.text.as_str()), (2, 6, "绩效指标"));
        let cut = t.cell_at(6, 1).unwrap();
        assert_eq!((cut.row, cut.row_span, cut.text.as_str()), (2, 5, "产出指标"));
        assert_eq!((t.cell_at(7, 1).unwrap().text.as_str(), t.cell_at(7, 2).unwrap().text.as_str()), ("效益指标", "指标7"));
        // A part whose columns line up with the table's but one is laid on the table's columns.
        let aligned = open_part(2, 60.0, &[50.0, 130.0, 200.0, 250.0], &second, &[]);
        let t = &stitch(vec![a, aligned])[0];
        assert_ne!(t.cell_at(7, 0).map(|c| c.text.as_str()), Some("绩效指标"));
    }

    #[test]
    fn an_open_part_with_a_column_over_two_of_the_table_keeps_its_spans_where_its_text_crosses() {
        // shanhaiguan_2021 three-line (open_hrules, LibreOffice): page 1 is a form of five value
        // columns over the indicator header; page 2 holds indicator rows only, its 绩效指标描述
        // column over two of page 1's (its text runs across the edge between them), its own
        // edges a few points off page 1's, 产出指标 spanning two rows.
        let first: Vec<&[&str]> = vec![&["项目编码", "1303", "项目名称", "评审费", "x"], &["一级指标", "二级指标", "绩效指标描述", "", "指标值"]];
        let a = open_part(1, 600.0, &[50.0, 110.0, 170.0, 250.0, 330.0, 420.0], &first, &[]);
        let second: Vec<&[&str]> = vec![&["产出指标", "数量指标", "保障日常事务高效运转", "≥95"], &["", "质量指标", "项目成本", "≥95"]];
        let mut b = open_part(2, 60.0, &[50.0, 113.0, 176.0, 335.0, 420.0], &second, &[(0, 0, 2)]);
        b.glyphs = word("保障日常事务高效运转", 180.0, 62.0, 10.0);
        let t = &one_tiled_table(vec![a.clone(), b.clone()]);
        assert_eq!((t.n_rows, t.n_cols), (4, 5));
        let label = t.cell_at(3, 0).unwrap();
        assert_eq!((label.row, label.row_span, label.text.as_str()), (2, 2, "产出指标"));
        let described = t.cell_at(3, 3).unwrap();
        assert_eq!((described.col, described.col_span, described.text.as_str()), (2, 2, "项目成本"));
        assert_eq!(t.cell_at(3, 4).unwrap().text, "≥95");
        // Text that never crosses the edge between the two columns spans nothing: it is laid
        // slot by slot, each glyph where its centre falls.
        b.glyphs = word("项目成本", 180.0, 82.0, 10.0);
        let t = &stitch(vec![a, b])[0];
        assert_eq!(t.cell_at(3, 3).unwrap().col_span, 1);
    }

    #[test]
    fn a_label_spanning_rows_to_the_page_break_runs_on_over_the_rows_that_leave_its_column_empty() {
        // binjiang_perf_2023 three-line (open_hrules, LibreOffice): 绩效指标 is printed at the top
        // of its cell on page 1; page 2's rows leave its column empty.
        let first: Vec<&[&str]> = vec![&["项目名称", "x", "y"], &["绩效指标", "一级指标", "指标值"], &["", "产出指标", "≥1"]];
        let a = open_part(1, 600.0, &[50.0, 80.0, 200.0, 300.0], &first, &[(1, 0, 2)]);
        let second: Vec<&[&str]> = vec![&["", "效益指标", "≥2"], &["", "满意度指标", "≥3"]];
        let b = open_part(2, 60.0, &[50.0, 80.0, 200.0, 300.0], &second, &[]);
        let t = &one_tiled_table(vec![a, b]);
        let label = t.cell_at(4, 0).unwrap();
        assert_eq!((label.row, label.row_span, label.text.as_str()), (1, 4, "绩效指标"));
        // shanhaiguan_2021 (open_hrules, LibreOffice): 效益指标 centred on its rows of page 1
        // runs on over the rows of page 2 down to the next label there.
        let second: Vec<&[&str]> = vec![&["", "生态效益指标", "≥2"], &["", "可持续影响指标", "≥3"], &["满意度指标", "服务对象满意度", "≥4"]];
        let first: Vec<&[&str]> = vec![&["项目名称", "x", "y"], &["效益指标", "经济效益指标", "≥0"], &["", "社会效益指标", "≥1"]];
        let a = open_part(1, 600.0, &[50.0, 80.0, 200.0, 300.0], &first, &[(1, 0, 2)]);
        let b = open_part(2, 60.0, &[50.0, 80.0, 200.0, 300.0], &second, &[]);
        let t = &stitch(vec![a, b])[0];
        assert!(t.check_tiling().is_ok(), "{:?}", t.check_tiling());
        let label = t.cell_at(4, 0).unwrap();
        assert_eq!((label.row, label.row_span, label.text.as_str()), (1, 4, "效益指标"));
        assert_eq!(t.cell_at(5, 0).unwrap().text, "满意度指标");
    }

    #[test]
    fn an_open_form_starting_again_overleaf_is_a_new_table_wherever_its_label_falls() {
        // tongnan_2021_projects three-line (open_hrules, LibreOffice): page 1 ends with the first
        // project's last row; page 2 starts the next project's form, 项目名称 | another name. Laid
        // on page 1's columns slot by slot, 项目名称 (spanning the first two columns there) falls
        // into the second.
        let first: Vec<&[&str]> = vec![&["项目名称", "", "区行政服务中心日常运行经费", ""], &["主管部门", "", "区政务服务管理办", "实施单位"], &["", "", "指标", "≥1"]];
        let a = open_part(1, 600.0, &[50.0, 75.0, 130.0, 400.0, 540.0], &first, &[]);
        let second: Vec<&[&str]> = vec![&["项目名称", "行政服务中心工作人员培训服务", ""], &["主管部门", "区行政服务管理办", "实施单位"]];
        let mut b = open_part(2, 60.0, &[50.0, 132.0, 402.0, 540.0], &second, &[]);
        b.glyphs = word("项目名称", 82.0, 62.0, 10.0);
        b.glyphs.extend(word("行政服务中心工作人员培训服务", 140.0, 62.0, 10.0));
        b.glyphs.extend(word("主管部门", 82.0, 82.0, 10.0));
        b.glyphs.extend(word("区行政服务管理办", 140.0, 82.0, 10.0));
        b.glyphs.extend(word("实施单位", 410.0, 82.0, 10.0));
        assert_eq!(stitch(vec![a.clone(), b.clone()]).len(), 2);
        // The same label with the same value is the form's own row repeated: it continues.
        b.glyphs = word("项目名称", 82.0, 62.0, 10.0);
        b.glyphs.extend(word("区行政服务中心日常运行经费", 140.0, 62.0, 10.0));
        b.glyphs.extend(word("主管部门", 82.0, 82.0, 10.0));
        b.glyphs.extend(word("区政务服务管理办", 140.0, 82.0, 10.0));
        b.glyphs.extend(word("实施单位", 410.0, 82.0, 10.0));
        assert_eq!(stitch(vec![a, b]).len(), 1);
    }

    #[test]
    fn an_open_part_ending_on_an_inner_edge_of_the_part_before_continues_it() {
        // Page 2 of a table ruled between column groups: its last group holds no figure there,
        // so the part ends on the rule at 250, an inner edge of page 1's columns.
        let body = rows(30, 0);
        let r: Vec<Vec<&str>> = as_refs(&body);
        let rs: Vec<&[&str]> = r.iter().map(|r| r.as_slice()).collect();
        let mut a = part(1, 100.0, &rs, &[], &[]);
        a.ruled = false;
        a.grid.xs = vec![50.0, 150.0, 250.0, 350.0];
        let third: Vec<GridCell> = (0..30).map(|r| GridCell { row: r, col: 2, row_span: 1, col_span: 1, bbox: [250.0, 0.0, 350.0, 0.0], text: "1.00".into() }).collect();
        a.grid.cells.extend(third);
        let rs2: Vec<&[&str]> = rs[..2].to_vec();
        let mut b = part(2, 60.0, &rs2, &[], &[]);
        b.ruled = false;
        b.glyphs = ["科目30", "科目31"].iter().enumerate().flat_map(|(i, s)| word(s, 55.0, 62.0 + 20.0 * i as f64, 10.0)).collect();
        b.glyphs.extend(["30.00", "31.00"].iter().enumerate().flat_map(|(i, s)| word(s, 155.0, 62.0 + 20.0 * i as f64, 10.0)));
        let t = &one_tiled_table(vec![a.clone(), b.clone()]);
        assert_eq!((t.n_rows, t.n_cols), (32, 3));
        assert_eq!(t.cell_at(31, 1).unwrap().text, "31.00");
        assert_eq!(t.cell_at(31, 2).unwrap().text, "");
        // A part whose codes start right of the header centred over the first column before.
        let mut inset = b.clone();
        inset.grid.xs[0] = 62.0;
        assert_eq!(stitch(vec![a.clone(), inset]).len(), 1);
        // Ending between two of the edges before is another table's edge, not a continuation.
        b.grid.xs = vec![50.0, 150.0, 200.0];
        assert_eq!(stitch(vec![a, b]).len(), 2);
    }

    #[test]
    fn an_open_part_without_the_first_column_keeps_its_spans_on_the_columns_before() {
        // Page 1: a narrow first column (a label set down the side), then labels and values.
        let body = rows(30, 0);
        let r: Vec<Vec<&str>> = as_refs(&body);
        let rs: Vec<&[&str]> = r.iter().map(|r| r.as_slice()).collect();
        let mut a = part(1, 100.0, &rs, &[], &[]);
        a.ruled = false;
        a.grid.xs = vec![30.0, 50.0, 150.0, 250.0];
        for c in &mut a.grid.cells {
            c.col += 1;
        }
        a.grid.cells.extend((0..30).map(|r| GridCell { row: r, col: 0, row_span: 1, col_span: 1, bbox: [30.0, 0.0, 50.0, 0.0], text: String::new() }));
        // Page 2: its rules start at 50 (nothing in the first column), its middle edge found a
        // little off from its own text, a label spanning two rows.
        let mut b = part(2, 60.0, &[&["数量指标", "x"], &["", "y"]], &[], &[]);
        b.ruled = false;
        b.grid.xs = vec![50.0, 156.0, 250.0];
        b.grid.cells.retain(|c| !(c.row == 1 && c.col == 0));
        b.grid.cells[0].row_span = 2;
        let t = &one_tiled_table(vec![a.clone(), b.clone()]);
        assert_eq!((t.n_rows, t.n_cols), (32, 3));
        let label = t.cell_at(30, 1).unwrap();
        assert_eq!((label.text.as_str(), label.row_span, label.col_span), ("数量指标", 2, 1));
        assert_eq!((t.cell_at(31, 2).unwrap().text.as_str(), t.cell_at(31, 0).unwrap().text.as_str()), ("y", ""));
    }

    #[test]
    fn an_open_part_starting_in_the_second_column_continues_under_the_label_with_its_spans() {
        // binjiang_perf_2023 without rules (open_norules, LibreOffice): page 2 leaves 绩效指标's
        // column empty, so its text starts inside 一级指标's column, and its indicator values
        // end short of the form's amounts on page 1; its 时效指标 spans two rows.
        let first: Vec<&[&str]> = vec![
            &["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
            &["", "产出指标", "数量指标", "指标1", "≥1"],
            &["", "", "", "指标2", "≥2"],
        ];
        let a = open_part(1, 600.0, &[58.9, 80.0, 139.0, 224.4, 411.0, 537.0], &first, &[(0, 0, 3), (1, 1, 2), (1, 2, 2)]);
        let second: Vec<&[&str]> = vec![&["", "时效指标", "指标3", "≥3"], &["", "", "指标4", "≥4"], &["效果指标", "经济效益", "指标5", "≥5"]];
        let b = open_part(2, 60.0, &[88.7, 141.6, 224.4, 404.9, 497.1], &second, &[(0, 1, 2)]);
        let t = &one_tiled_table(vec![a, b]);
        assert_eq!((t.n_rows, t.n_cols), (6, 5));
        let kept = t.cell_at(4, 2).unwrap();
        assert_eq!((kept.row, kept.row_span, kept.text.as_str()), (3, 2, "时效指标"));
        assert_eq!(t.cell_at(5, 1).unwrap().text, "效果指标");
        let label = t.cell_at(5, 0).unwrap();
        assert_eq!((label.row, label.text.as_str()), (0, "绩效指标"));
    }

    #[test]
    fn an_open_part_framed_by_its_rules_reaching_past_the_text_before_continues_it() {
        // binjiang_perf_2023 three-line (open_hrules, Chromium): page 2's columns come from its
        // text alone (values end at 528.4); page 3's last rows sit above the bottom rule, which
        // frames them out to 544.5.
        let first: Vec<&[&str]> = vec![&["绩效", "一级指标", "二级指标", "三级指标", "指标值"], &["指标", "产出指标", "数量指标", "指标1", "≥1"]];
        let a = open_part(2, 600.0, &[53.3, 81.0, 135.7, 222.2, 392.6, 528.4], &first, &[]);
        let b = open_part(3, 60.0, &[51.0, 147.0, 213.2, 400.6, 544.5], &[&["影响力指标", "长效管理", "指标2", "健全"]], &[]);
        let tables = stitch(vec![a.clone(), b]);
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].n_rows, 3);
        // Ending well inside the last column's text before is no continuation of it.
        let short = open_part(3, 60.0, &[51.0, 147.0, 213.2, 380.0], &[&["影响力指标", "长效管理", "指标2"]], &[]);
        assert_eq!(stitch(vec![a, short]).len(), 2);
    }

    #[test]
    fn a_title_line_left_at_the_page_foot_is_the_first_title_row_of_the_form_overleaf() {
        // binjiang_perf_2023 (open_norules and open_hrules, LibreOffice): the second project's
        // 填报表 title is the last line of page 2, under the first project's table; page 3 starts
        // with its （2023年度） row over the whole form.
        let a = open_part(2, 600.0, &[50.0, 150.0, 250.0], &[&["指标9", "≥9"]], &[]);
        let mut a = PageTable { lines_below: vec!["上海市滨江区财政项目支出绩效目标填报表".into()], ..a };
        a.page_height = 842.0;
        let form: Vec<&[&str]> = vec![&["（2023年度）", ""], &["项目名称", "法律援助"]];
        let mut b = open_part(3, 60.0, &[50.0, 150.0, 250.0], &form, &[]);
        b.grid.cells.retain(|c| !(c.row == 0 && c.col == 1));
        b.grid.cells[0].col_span = 2;
        let tables = stitch(vec![a.clone(), b.clone()]);
        assert_eq!(tables.len(), 2);
        let t = &tables[1];
        assert_eq!((t.n_rows, t.pages.clone(), t.title.clone()), (3, vec![2, 3], None));
        assert!(t.check_tiling().is_ok(), "{:?}", t.check_tiling());
        let title = t.cell_at(0, 1).unwrap();
        assert_eq!((title.text.as_str(), title.col_span, title.page), ("上海市滨江区财政项目支出绩效目标填报表", 2, Some(2)));
        assert_eq!(t.cell_at(1, 0).unwrap().text, "（2023年度）");
        // A table starting with rows of several cells keeps the line as its title.
        let plain = open_part(3, 60.0, &[50.0, 150.0, 250.0], &[&["项目名称", "法律援助"]], &[]);
        let t = &stitch(vec![a, plain])[1];
        assert_eq!((t.n_rows, t.title.as_deref()), (1, Some("上海市滨江区财政项目支出绩效目标填报表")));
    }

    #[test]
    fn a_form_takes_the_finer_columns_of_the_indicator_table_overleaf_where_its_text_allows() {
        // binjiang_perf_2023 without rules (open_norules, Chromium): page 1 holds the form
        // alone (four columns: its labels centred over 绩效指标 | 一级指标), page 2 the
        // indicator table with its header (five columns). The form's edge between 项目类别 and
        // its value stands at 420, the indicators' between 三级指标 and 指标值 at 392.6: the
        // form has no text between the two.
        let form: Vec<&[&str]> = vec![&["项目性质", "新增项目", "项目类别", "一般项目"], &["主管部门", "教育局", "实施单位", "教育局"]];
        let mut a = open_part(1, 130.0, &[62.9, 134.9, 215.0, 420.0, 542.5], &form, &[]);
        a.glyphs = word("项目性质", 77.4, 132.0, 9.0);
        for (x, t) in [(163.8, "新增项目"), (297.0, "项目类别"), (457.4, "一般项目")] {
            a.glyphs.extend(word(t, x, 132.0, 9.0));
        }
        let indicators: Vec<&[&str]> = vec![&["绩效", "一级指标", "二级指标", "三级指标", "指标值"], &["指标", "产出指标", "数量指标", "指标1", "≥1"]];
        let mut b = open_part(2, 60.0, &[53.3, 81.0, 135.7, 222.2, 392.6, 528.4], &indicators, &[]);
        b.header_rows = 1;
        let t = &one_tiled_table(vec![a.clone(), b.clone()]);
        assert_eq!((t.n_rows, t.n_cols), (4, 5));
        let label = t.cell_at(0, 1).unwrap();
        assert_eq!((label.text.as_str(), label.col, label.col_span), ("项目性质", 0, 2));
        assert_eq!((t.cell_at(0, 3).unwrap().text.as_str(), t.cell_at(0, 4).unwrap().text.as_str()), ("项目类别", "一般项目"));
        // Text of the form between the two edges would change columns: two tables.
        a.glyphs.extend(word("类", 400.0, 132.0, 9.0));
        assert_eq!(stitch(vec![a.clone(), b.clone()]).len(), 2);
        // Under a table with its own header (a financial table), a part is laid on its columns.
        a.glyphs.truncate(a.glyphs.len() - 1);
        a.header_rows = 1;
        assert_eq!(stitch(vec![a, b])[0].n_cols, 4);
    }

    #[test]
    fn a_form_and_the_indicator_table_overleaf_share_the_columns_of_both() {
        // tongnan_2021 three-line (open_hrules, Chromium): page 1 ends with a project's form
        // (label | value | 实施单位 | value, edges 53/130/329/434/542), page 2 goes on with its
        // indicator table (绩效指标 | 一级 | 二级 | 三级指标 | 指标值, edges 51/72/130/193/422/545).
        // The form's edge at 329 stands inside 三级指标, whose text runs across it: the table has
        // both parts' edges, the form's value and the 三级指标 texts spanning two columns each.
        let form: Vec<&[&str]> = vec![
            &["主管部门", "区政务服务管理办", "实施单位", "区政务服务管理办"],
            &["资金总额（万元）", "9", "项目性质", "常年"],
            &["项目起始时间", "2021.1.1", "项目终止时间", "2021.12.31"],
        ];
        let mut a = open_part(1, 700.0, &[53.0, 130.0, 329.0, 434.0, 542.0], &form, &[]);
        for (row, texts) in form.iter().enumerate() {
            for (x, t) in [72.0, 192.6, 356.2, 446.8].into_iter().zip(texts.iter()) {
                a.glyphs.extend(word(t, x, 702.0 + 20.0 * row as f64, 9.0));
            }
        }
        let indicators: Vec<&[&str]> =
            vec![&["绩效", "一级指标", "二级指标", "三级指标", "指标值"], &["指标", "产出指标", "数量指标", "行政许可相关法律知识、文明礼仪、廉政教育", "300人"]];
        let mut b = open_part(2, 60.0, &[51.0, 72.0, 130.0, 193.0, 422.0, 545.0], &indicators, &[]);
        b.glyphs = word("行政许可相关法律知识、文明礼仪、廉政教育", 197.0, 82.0, 9.0);
        let t = &one_tiled_table(vec![a.clone(), b.clone()]);
        assert_eq!((t.n_rows, t.n_cols), (5, 6));
        let at = |r: usize, c: usize| t.cell_at(r, c).map(|x| (x.text.clone(), x.col, x.col_span)).unwrap();
        assert_eq!(at(0, 0), ("主管部门".to_string(), 0, 2));
        assert_eq!(at(0, 2), ("区政务服务管理办".to_string(), 2, 2));
        assert_eq!(at(0, 4), ("实施单位".to_string(), 4, 1));
        assert_eq!(at(4, 3), ("行政许可相关法律知识、文明礼仪、廉政教育".to_string(), 3, 2));
        // The form's outer edges stand on the part's: one starting at the part's second edge
        // shares no columns with it.
        let mut shifted = a.clone();
        shifted.grid.xs[0] = 70.0;
        assert!(joint_columns(&shifted, &b).is_none());
        // A form of one row (shanhaiguan Chromium page 4: its first row under its top rule at
        // the page foot) shows each column once: the columns are still shared.
        let mut one_row = a.clone();
        one_row.grid.cells.retain(|c| c.row == 0);
        one_row.grid.ys.truncate(2);
        one_row.glyphs.retain(|g| g.top < 710.0);
        assert_eq!(stitch(vec![one_row, b.clone()])[0].n_cols, 6);
        // A form column holding text in one cell only (a misplaced edge) is no column of the
        // table: the part is laid on the form's columns.
        a.grid.cells.retain(|c| !(c.col == 2 && c.row > 0));
        assert_eq!(stitch(vec![a, b])[0].n_cols, 4);
    }

    #[test]
    fn a_repeated_open_header_is_dropped_whichever_row_its_centred_label_falls_in() {
        // Page 1: 合计 spans both header rows. Page 2 repeats the header; re-laid on page 1's
        // columns (every slot its own cell) its 合计 falls in the second row.
        let body = rows(30, 0);
        let mut r: Vec<Vec<&str>> = vec![vec!["", "合计"], vec!["名称", ""]];
        r.extend(as_refs(&body));
        let rs: Vec<&[&str]> = r.iter().map(|r| r.as_slice()).collect();
        let mut a = part(1, 100.0, &rs, &[], &[]);
        a.ruled = false;
        a.header_rows = 2;
        a.grid.cells.retain(|c| (c.row, c.col) != (1, 1));
        a.grid.cells.iter_mut().filter(|c| (c.row, c.col) == (0, 1)).for_each(|c| c.row_span = 2);
        let r2: Vec<Vec<&str>> = vec![vec!["", ""], vec!["名称", "合计"], vec!["科目30", "30.00"]];
        let r2s: Vec<&[&str]> = r2.iter().map(|r| r.as_slice()).collect();
        let mut b = part(2, 60.0, &r2s, &[], &[]);
        b.ruled = false;
        b.header_rows = 2;
        for (row, texts) in r2.iter().enumerate() {
            for (col, text) in texts.iter().enumerate() {
                b.glyphs.extend(word(text, 55.0 + 100.0 * col as f64, 62.0 + 20.0 * row as f64, 10.0));
            }
        }
        let tables = stitch(vec![a, b]);
        assert_eq!(tables.len(), 1);
        let t = &tables[0];
        assert_eq!(t.n_rows, 33);
        assert_eq!(t.cell_at(32, 0).unwrap().text, "科目30");
    }

    #[test]
    fn titles_are_recognised() {
        assert!(looks_like_title("1.购买第三方服务绩效目标表"));
        assert!(looks_like_title("部门收支总表（续）"));
        assert!(!looks_like_title("单位：万元"));
    }
}
