//! Tables without any rules, read from text alone: runs of lines whose chunks line up in three
//! columns or more and hold mostly figures, with the short lines just above as their header. The
//! grid inside the found frame is decided as for open tables ([`open::open_grid`]).

use crate::decode::pdf::Glyph;

use super::grid::CellGrid;
use super::open::{band_lines, chunks, open_grid, tabular, Frame, CHUNK_GAP};
pub use super::text::looks_like_number;
use super::text::{self, looks_like_title, Direction, TextLine};

/// Lines of a table without any rules: at least this many in a run, each of at least
/// [`TEXT_TABLE_COLUMNS`] chunks.
const TEXT_TABLE_ROWS: usize = 4;
const TEXT_TABLE_COLUMNS: usize = 3;
/// Lines further apart than this many line heights do not continue a run.
const TEXT_TABLE_LEADING: f64 = 2.6;

/// Evidence from text alone: tables with no rules at all. A run of consecutive lines, each a
/// possible row ([`tabular`]), with at least [`TEXT_TABLE_ROWS`] lines of
/// [`TEXT_TABLE_COLUMNS`] chunks or more whose gaps line up in two column gaps or more; the
/// lines just above it that are short or split into chunks (and no title) are its header.
pub fn text_tables(glyphs: &[Glyph], taken: &[[f64; 4]], page_width: f64, page_height: f64) -> Vec<(CellGrid, usize)> {
    let lines = band_lines(glyphs, taken, 0.0, page_width, 0.0, page_height);
    let mut out = Vec::new();
    let mut i = 0;
    // End of the last table found: the next table's header does not reach above it.
    let mut previous_end = 0;
    while i < lines.len() {
        let Some((start, end)) = text_run(&lines, i).and_then(|(s, e)| table_in_run(&lines, s, e)) else {
            // Not from here: a run may still start on a later line (a title or prose line in a
            // monospaced font splits into many chunks too).
            i += 1;
            continue;
        };
        i = end;
        let start = without_leading_prose(&lines, start, end);
        let body = &lines[start..end];
        let head = previous_end + text_header(&lines[previous_end..start], body);
        previous_end = end;
        let x0 = lines[head..end].iter().map(|l| l.x0).fold(f64::MAX, f64::min) - 1.0;
        let x1 = lines[head..end].iter().map(|l| l.x1).fold(f64::MIN, f64::max) + 1.0;
        let top = lines[head].top - 1.0;
        let header_bottom = if head < start { (lines[start - 1].bottom + body[0].top) / 2.0 } else { top };
        let bottom = body[body.len() - 1].bottom + 1.0;
        let frame = Frame { x0, x1, top, header_bottom, bottom, rules: vec![top, bottom] };
        out.extend(open_grid(&frame, glyphs, taken).filter(|(g, _)| g.n_cols() >= TEXT_TABLE_COLUMNS));
    }
    out
}

/// Whether a run's chunks line up in [`TEXT_TABLE_COLUMNS`] columns or more and the chunks after
/// the first on its many-chunk lines are mostly numbers (what tells a table from justified
/// prose or the labels of a chart).
fn aligned_and_numeric(body: &[TextLine]) -> bool {
    if column_count(body) < TEXT_TABLE_COLUMNS {
        return false;
    }
    let (mut numbers, mut all) = (0, 0);
    for line in body.iter().filter(|l| chunks(l).len() >= TEXT_TABLE_COLUMNS) {
        for (x0, x1) in text::chunk_spans(line, CHUNK_GAP).into_iter().skip(1) {
            let text = line.text_between(x0, x1);
            all += 1;
            numbers += usize::from(looks_like_number(&text));
        }
    }
    all > 0 && numbers as f64 >= FIGURE_SHARE * all as f64
}

/// Share of the value cells (after the label column) that must be figures before aligned text
/// without rules, or inside a single box, is taken for a table.
pub const FIGURE_SHARE: f64 = 0.6;

/// Evidence: a line of dashes typed as text ("-----") is a rule, not a row, and a run of dots
/// leading from a label to its figures ("0.99 ........ 800") is a leader, not text. Returns, per
/// glyph, whether it is text (false for the glyphs of both).
pub fn not_typed_rules(glyphs: &[Glyph]) -> Vec<bool> {
    let upright: Vec<&Glyph> = glyphs.iter().filter(|g| g.upright() && !g.ch.is_whitespace()).collect();
    let mut rule_glyphs = std::collections::HashSet::new();
    let key = |g: &Glyph| (g.x0.to_bits(), g.top.to_bits());
    for line in text::lines(&upright, Direction::Upright) {
        if line.glyphs.len() >= 5 && line.glyphs.iter().all(|g| matches!(g.ch, '-' | '_' | '=' | '─' | '—' | '━')) {
            rule_glyphs.extend(line.glyphs.iter().map(|g| key(g)));
            continue;
        }
        for run in line.glyphs.chunk_by(|a, b| is_leader_dot(a.ch) && is_leader_dot(b.ch)) {
            if run.len() >= LEADER_DOTS && is_leader_dot(run[0].ch) {
                rule_glyphs.extend(run.iter().map(|g| key(g)));
            }
        }
    }
    glyphs.iter().map(|g| !rule_glyphs.contains(&key(g))).collect()
}

/// Dots in a row at least this long are a leader (an ellipsis has three).
const LEADER_DOTS: usize = 4;

fn is_leader_dot(c: char) -> bool {
    matches!(c, '.' | '·' | '…' | '․')
}

/// The table a run of possible rows `start..end` holds. Evidence that tables stacked without
/// rules end at a blank line: the run up to the first gap of a blank line or more (beyond the
/// run's usual spacing) whose lines above line up on their own in more columns than the whole
/// run does (the next table's columns lie elsewhere and blur the alignment). Otherwise the whole
/// run when its chunks line up ([`aligned_and_numeric`]): a table whose groups of rows are set
/// apart by blank lines keeps its columns as a whole and stays one table.
fn table_in_run(lines: &[TextLine], start: usize, end: usize) -> Option<(usize, usize)> {
    let whole = aligned_and_numeric(&lines[start..end]).then(|| column_count(&lines[start..end]));
    let gap = |k: usize| lines[k].top - lines[k - 1].bottom;
    let usual = usual_gap(&lines[start..end]);
    let blank = |k: &usize| gap(*k) > usual + (lines[*k].bottom - lines[*k].top).max(lines[*k - 1].bottom - lines[*k - 1].top);
    let above_blank = (start + 1..end)
        .filter(blank)
        .filter_map(|k| trimmed_run(lines, start, k))
        .find(|&(s, e)| aligned_and_numeric(&lines[s..e]) && whole.is_none_or(|n| column_count(&lines[s..e]) > n));
    above_blank.or(whole.map(|_| (start, end)))
}

/// Text columns the lines line up in.
fn column_count(body: &[TextLine]) -> usize {
    let spans: Vec<Vec<(f64, f64)>> = body.iter().map(|l| text::chunk_spans(l, CHUNK_GAP)).collect();
    text::column_gaps(&spans, TEXT_TABLE_ROWS).len() + 1
}

/// The run of possible rows starting at line `i`, when it holds enough many-chunk lines.
fn text_run(lines: &[TextLine], i: usize) -> Option<(usize, usize)> {
    let many = |l: &TextLine| chunks(l).len() >= TEXT_TABLE_COLUMNS;
    let width = lines[i].x1 - lines[i].x0;
    if !many(&lines[i]) || !tabular(&lines[i], width) {
        return None;
    }
    let mut end = i + 1;
    while end < lines.len() {
        let (prev, next) = (&lines[end - 1], &lines[end]);
        let height = (prev.bottom - prev.top).max(next.bottom - next.top);
        if next.top - prev.bottom > TEXT_TABLE_LEADING * height || !tabular(next, width) {
            break;
        }
        end += 1;
    }
    trimmed_run(lines, i, end)
}

/// The run `i..end` ending on a many-chunk line (a single label after the last row belongs
/// elsewhere), when enough of its lines are many-chunk ones.
fn trimmed_run(lines: &[TextLine], i: usize, mut end: usize) -> Option<(usize, usize)> {
    let many = |l: &TextLine| chunks(l).len() >= TEXT_TABLE_COLUMNS;
    while end > i && !many(&lines[end - 1]) {
        end -= 1;
    }
    let rows = lines[i..end].iter().filter(|l| many(l)).count();
    (rows >= TEXT_TABLE_ROWS && rows * 2 >= end - i).then_some((i, end))
}

/// Index of the first header line above the body `body`: the lines directly above it, up to
/// three, that are close, no title, and either split into chunks or short. Header lines are set
/// as the body is: above the first, a gap of a blank line more than the body's usual spacing
/// ends the header (a rule, drawn or typed, may stand between header and body).
fn text_header(above: &[TextLine], body: &[TextLine]) -> usize {
    let first = &body[0];
    let usual = usual_gap(body);
    let mut head = above.len();
    let mut below = first;
    while head > 0 && above.len() - head < 3 {
        let l = &above[head - 1];
        let height = (l.bottom - l.top).max(below.bottom - below.top);
        let gap = below.top - l.bottom;
        let apart = gap > TEXT_TABLE_LEADING * height || (head < above.len() && gap > usual + height);
        let short = chunks(l).iter().all(|c| c.x1 - c.x0 < 0.4 * (first.x1 - first.x0));
        if apart || looks_like_title(&l.text()) || !(short || chunks(l).len() >= 2) {
            break;
        }
        head -= 1;
        below = l;
    }
    head
}

/// The median gap between successive lines.
fn usual_gap(lines: &[TextLine]) -> f64 {
    let mut gaps: Vec<f64> = lines.windows(2).map(|w| w[1].top - w[0].bottom).collect();
    gaps.sort_by(f64::total_cmp);
    gaps.get(gaps.len() / 2).copied().unwrap_or(0.0)
}

/// Evidence: lines at the top of a run whose chunks cross the column gaps of the lines below
/// are prose, a title or a spanning header in a monospaced font (words split into chunks), not
/// rows. Returns the first line of the run, past up to three such lines, from which the rest
/// lines up in the most columns.
fn without_leading_prose(lines: &[TextLine], start: usize, end: usize) -> usize {
    let mut best = (column_count(&lines[start..end]), start);
    for s in start + 1..=(start + 3).min(end.saturating_sub(TEXT_TABLE_ROWS)) {
        let n = column_count(&lines[s..end]);
        if n > best.0 {
            best = (n, s);
        }
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::open::tests::figures_table;
    use crate::layout::text::tests::word;

    #[test]
    fn a_table_without_rules_is_read_from_aligned_figures() {
        let mut g = word("Table 3. Imports by country", 60.0, 80.0, 10.0);
        g.extend(figures_table(105.0));
        // A line of typed dashes under the header is a rule, not a row.
        g.extend(word("--------------------------------------", 60.0, 114.0, 10.0));
        let text: Vec<Glyph> = g.iter().zip(not_typed_rules(&g)).filter(|(_, keep)| *keep).map(|(g, _)| *g).collect();
        assert_eq!(text.len() + 38, g.len());
        let grids = text_tables(&text, &[], 595.0, 842.0);
        assert_eq!(grids.len(), 1);
        let (mut grid, header_rows) = grids.into_iter().next().unwrap();
        // The header line splits into the same columns as the rows: it is the first row.
        assert_eq!((header_rows, grid.n_rows(), grid.n_cols()), (0, 6, 4));
        grid.fill_text(&text);
        let at = |r: usize, c: usize| grid.cells.iter().find(|x| x.row == r && x.col == c).unwrap().text.clone();
        assert_eq!((at(0, 1), at(1, 0), at(5, 2)), ("2009".into(), "Austria".into(), "41,500".into()));
        // The title stays outside the table.
        assert!(grid.bbox()[1] > 90.0);
    }

    #[test]
    fn prose_and_label_columns_are_no_table_without_rules() {
        let mut g = Vec::new();
        for i in 0..6 {
            let y = 100.0 + 15.0 * i as f64;
            g.extend(word("项目资金", 60.0, y, 10.0));
            g.extend(word("主要用于", 200.0, y, 10.0));
            g.extend(word("专家评审", 340.0, y, 10.0));
        }
        assert!(text_tables(&g, &[], 595.0, 842.0).is_empty());
        // Figures in fewer than three columns are no table either (a list of amounts).
        let mut g = Vec::new();
        for i in 0..6 {
            g.extend(word(&format!("科目{i}"), 60.0, 100.0 + 15.0 * i as f64, 10.0));
            g.extend(word("1,000.00", 300.0, 100.0 + 15.0 * i as f64, 10.0));
        }
        assert!(text_tables(&g, &[], 595.0, 842.0).is_empty());
    }

    #[test]
    fn tables_stacked_without_rules_end_at_a_blank_line_and_leaders_are_no_text() {
        // Typewriter tables set solid (12 pt pitch, 10 pt glyphs), one blank line apart; the
        // second's header spans its columns and crosses the first's column gaps. Labels lead to
        // their figures with dots. A line of prose in the same font, a blank line above, splits
        // into words as a row splits into cells.
        let mut g = word("by design effect and specified proportion", 60.0, 76.0, 10.0);
        let mut y = 100.0;
        for (table, xs) in [(0, [200.0, 260.0, 320.0]), (1, [190.0, 250.0, 310.0])] {
            g.extend(word("Design-effect-samples", 205.0, y, 10.0));
            y += 12.0;
            for i in 0..5 {
                g.extend(word(&format!("0.{table}{i}"), 60.0, y, 10.0));
                g.extend(word("........", 90.0, y, 10.0));
                for (k, x) in xs.into_iter().enumerate() {
                    g.extend(word(&format!("{}{k}", 10 + i), x, y, 10.0));
                }
                y += 12.0;
            }
            y += 12.0;
        }
        let text: Vec<Glyph> = g.iter().zip(not_typed_rules(&g)).filter(|(_, keep)| *keep).map(|(g, _)| *g).collect();
        assert_eq!(text.len() + 10 * 8, g.len());
        let grids = text_tables(&text, &[], 595.0, 842.0);
        assert_eq!(grids.len(), 2);
        for (table, (mut grid, _)) in grids.into_iter().enumerate() {
            assert_eq!((grid.n_rows(), grid.n_cols()), (6, 4));
            grid.fill_text(&text);
            let at = |r: usize, c: usize| grid.cells.iter().find(|x| x.row == r && x.col == c).unwrap().text.clone();
            assert_eq!((at(1, 0), at(5, 3)), (format!("0.{table}0"), "142".to_string()));
            assert!(grid.bbox()[1] > 90.0);
        }
    }
}
