//! Forms and indicator tables printed without any rules (a 项目绩效目标表 set borderless): runs of
//! lines split into pieces that line up in columns, mostly words rather than figures, which the
//! figures-first reading of [`unruled`](super::unruled) leaves alone. Evidence: a run of table
//! lines (no prose, no title) close together, with several lines of three pieces or more whose
//! gaps line up in two column gaps or more; a line of short labels only (一级指标 | 二级指标 | …)
//! heads a table of its own, so it ends the run before it. The grid inside the found frame is
//! decided as for open tables ([`open::open_grid`](super::open)).

use crate::decode::pdf::Glyph;

use super::grid::CellGrid;
use super::open::{band_lines, chunks, ends_the_page, open_grid, tabular, Frame, CHUNK_GAP};
use super::text::{self, TextLine};

/// Lines of three pieces or more a run needs, and how many pieces such a line has.
const FORM_ROWS: usize = 4;
const FORM_COLUMNS: usize = 3;
/// Lines of three pieces or more a table cut by the page's foot needs (its header and a row).
const CUT_ROWS: usize = 2;
/// Lines further apart than this many line heights do not continue a run.
const FORM_LEADING: f64 = 2.6;
/// A header label is at most this many characters (指标值确定依据).
const LABEL_CHARS: usize = 8;
/// A line of labels heading a table has at least this many of them, and is set at least this
/// many times further below the line before than the run's usual gap.
const HEADER_LABELS: usize = 4;
const HEADER_GAP: f64 = 1.5;

/// Tables without rules whose cells are mostly words, in the text outside `taken`.
pub fn form_tables(glyphs: &[Glyph], taken: &[[f64; 4]], page_width: f64, page_height: f64) -> Vec<(CellGrid, usize)> {
    let lines = band_lines(glyphs, taken, 0.0, page_width, 0.0, page_height);
    let width = lines.iter().map(|l| l.x1).fold(f64::MIN, f64::max) - lines.iter().map(|l| l.x0).fold(f64::MAX, f64::min);
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if chunks(&lines[i]).len() < FORM_COLUMNS || !tabular(&lines[i], width) {
            i += 1;
            continue;
        }
        let end = run_end(&lines, i, width);
        let run = &lines[i..end];
        i = end;
        // An indicator table's header and its first row or two at the foot of a page: the
        // table runs on over the page break, so a few lines are rows enough.
        let cut = header_labels(&run[0]) && ends_the_page(glyphs, &run[run.len() - 1], page_height);
        let (lines_needed, rows_needed) = if cut { (CUT_ROWS, CUT_ROWS) } else { (FORM_ROWS, FORM_COLUMNS) };
        if !aligned(run, lines_needed) {
            continue;
        }
        let frame = frame_of(run);
        out.extend(open_grid(&frame, glyphs, taken).filter(|(g, _)| g.n_cols() >= FORM_COLUMNS && g.n_rows() >= rows_needed));
    }
    out
}

/// The end of the run of table lines starting at `start`: lines close below each other, each a
/// possible row, up to a line of header labels set further below the line before than the run's
/// lines usually are (it starts the next table; a form's row of labels follows at the usual gap).
fn run_end(lines: &[TextLine], start: usize, width: f64) -> usize {
    let mut end = start + 1;
    // The gaps so far, kept sorted: the usual one is their median.
    let mut gaps: Vec<f64> = Vec::new();
    while end < lines.len() {
        let (prev, next) = (&lines[end - 1], &lines[end]);
        let height = (prev.bottom - prev.top).max(next.bottom - next.top);
        let gap = next.top - prev.bottom;
        let usual = gaps.get(gaps.len() / 2).copied().unwrap_or(gap);
        let new_table = header_labels(next) && gap > HEADER_GAP * usual.max(0.5);
        if gap > FORM_LEADING * height || !tabular(next, width) || new_table {
            break;
        }
        gaps.insert(gaps.partition_point(|&g| g < gap), gap);
        end += 1;
    }
    end
}

/// A line of short labels only, four or more: the header of an indicator table.
fn header_labels(line: &TextLine) -> bool {
    let pieces = text::chunk_spans(line, CHUNK_GAP);
    pieces.len() >= HEADER_LABELS
        && pieces.iter().all(|&(x0, x1)| {
            let t = line.text_between(x0, x1);
            t.chars().count() <= LABEL_CHARS && !t.chars().any(|c| c.is_ascii_digit())
        })
}

/// Whether a run is a table of words: `rows` lines or more of several pieces whose gaps line up
/// in two column gaps or more, and fewer figures among the pieces than a figures table holds
/// (those are read by [`unruled`](super::unruled)).
fn aligned(run: &[TextLine], rows: usize) -> bool {
    let many: Vec<&TextLine> = run.iter().filter(|l| chunks(l).len() >= FORM_COLUMNS).collect();
    if many.len() < rows {
        return false;
    }
    let spans: Vec<Vec<(f64, f64)>> = many.iter().map(|l| text::chunk_spans(l, CHUNK_GAP)).collect();
    let gaps = text::column_gaps(&spans, rows);
    let pieces: Vec<String> =
        many.iter().zip(&spans).flat_map(|(l, line_spans)| line_spans.iter().map(|&(x0, x1)| l.text_between(x0, x1))).collect();
    gaps.len() + 1 >= FORM_COLUMNS && text::mostly_words(&pieces)
}

/// The frame around a run; its first line is the header when it is a line of labels.
fn frame_of(run: &[TextLine]) -> Frame {
    let x0 = run.iter().map(|l| l.x0).fold(f64::MAX, f64::min) - 1.0;
    let x1 = run.iter().map(|l| l.x1).fold(f64::MIN, f64::max) + 1.0;
    let top = run[0].top - 1.0;
    let bottom = run[run.len() - 1].bottom + 1.0;
    let header_bottom = match run.get(1) {
        Some(next) if header_labels(&run[0]) => (run[0].bottom + next.top) / 2.0,
        _ => top,
    };
    Frame { x0, x1, top, header_bottom, bottom, rules: vec![top, bottom] }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::text::tests::word;

    fn put(g: &mut Vec<Glyph>, y: f64, pieces: &[(f64, &str)]) {
        for &(x, t) in pieces {
            g.extend(word(t, x, y, 9.0));
        }
    }

    #[test]
    fn a_borderless_form_and_the_indicator_table_under_it_are_two_tables() {
        // yutian_2024 (open_norules): the project form, then the indicator table headed by a
        // line of labels; no rules anywhere.
        let mut g = Vec::new();
        put(&mut g, 100.0, &[(60.0, "项目编码"), (140.0, "P001"), (260.0, "项目名称"), (340.0, "优化营商环境")]);
        put(&mut g, 116.0, &[(60.0, "预算数"), (140.0, "135000.00"), (260.0, "其他资金"), (340.0, "0.00")]);
        put(&mut g, 132.0, &[(60.0, "资金用途"), (140.0, "改革经费"), (260.0, "实施单位"), (340.0, "行政审批局")]);
        put(&mut g, 148.0, &[(60.0, "绩效目标"), (140.0, "优化服务"), (260.0, "项目性质"), (340.0, "一次性")]);
        put(&mut g, 180.0, &[(60.0, "一级指标"), (140.0, "二级指标"), (260.0, "三级指标"), (340.0, "指标值")]);
        for i in 0..4 {
            let y = 200.0 + 18.0 * i as f64;
            put(&mut g, y, &[(60.0, "产出指标"), (140.0, "数量指标"), (260.0, "办件数量"), (340.0, "≥100件")]);
        }
        let tables = form_tables(&g, &[], 595.0, 842.0);
        let shapes: Vec<(usize, usize, usize)> = tables.iter().map(|(t, h)| (*h, t.n_rows(), t.n_cols())).collect();
        assert_eq!(shapes, vec![(0, 4, 4), (1, 5, 4)]);
    }

    #[test]
    fn a_form_row_of_one_line_of_words_runs_on_over_the_empty_slots_after_it() {
        // caofeidian_2021 (open_norules): 资金用途's text, one line beside its label, is a cell
        // over the rest of the row; the wrapped 绩效目标 text stays in its column.
        let mut g = Vec::new();
        put(&mut g, 100.0, &[(60.0, "项目编码"), (140.0, "P001"), (260.0, "项目名称"), (340.0, "优化营商环境")]);
        put(&mut g, 116.0, &[(60.0, "预算数"), (140.0, "135000.00"), (260.0, "其他资金"), (340.0, "0.00")]);
        put(&mut g, 132.0, &[(60.0, "实施单位"), (140.0, "审批局"), (260.0, "项目性质"), (340.0, "一次性")]);
        put(&mut g, 148.0, &[(60.0, "资金用途"), (140.0, "改革经费")]);
        put(&mut g, 164.0, &[(60.0, "主管部门"), (140.0, "审批局"), (260.0, "资金来源"), (340.0, "财政")]);
        put(&mut g, 180.0, &[(60.0, "绩效目标"), (140.0, "优化服务")]);
        put(&mut g, 190.0, &[(140.0, "提升效能")]);
        // Two lines of a list reaching past their column: a cell over the rest of the row.
        put(&mut g, 212.0, &[(60.0, "项目概况"), (140.0, "1.保障审批局专家评审经费项目")]);
        put(&mut g, 222.0, &[(140.0, "2.保障审批业务")]);
        let tables = form_tables(&g, &[], 595.0, 842.0);
        let [(grid, _)] = &tables[..] else { panic!("one form expected, got {}", tables.len()) };
        let at = |row: usize| grid.cells.iter().filter(|c| c.row == row).map(|c| (c.col, c.col_span)).collect::<Vec<_>>();
        assert_eq!(grid.n_cols(), 4);
        assert_eq!(at(3), vec![(0, 1), (1, 3)]);
        assert_eq!(at(5), vec![(0, 1), (1, 1), (2, 1), (3, 1)]);
        assert_eq!(at(6), vec![(0, 1), (1, 3)]);
    }

    #[test]
    fn an_indicator_header_and_one_row_at_the_page_foot_are_a_table_cut_by_the_break() {
        // yutian_2024 (open_norules, LibreOffice) page 1: the indicator table's header and its
        // first row end the page; the rest is on page 2. Higher up the page the same two lines
        // are no table.
        let lines = |top: f64| {
            let mut g = Vec::new();
            put(&mut g, top, &[(60.0, "一级指标"), (140.0, "二级指标"), (260.0, "三级指标"), (340.0, "指标值")]);
            put(&mut g, top + 19.0, &[(60.0, "产出指标"), (140.0, "数量指标"), (260.0, "一件事一次办"), (340.0, "100%")]);
            g
        };
        let shapes = |g: &[Glyph]| form_tables(g, &[], 595.0, 842.0).iter().map(|(t, h)| (*h, t.n_rows(), t.n_cols())).collect::<Vec<_>>();
        assert_eq!(shapes(&lines(690.0)), vec![(1, 2, 4)]);
        let mut g = lines(300.0);
        put(&mut g, 340.0, &[(60.0, "（二）购买第三方服务，优化政务服务。绩效目标：提高窗口服务水平。")]);
        assert!(shapes(&g).is_empty());
    }

    #[test]
    fn columns_of_figures_or_of_latin_words_are_no_form() {
        let mut g = Vec::new();
        for i in 0..5 {
            put(&mut g, 100.0 + 16.0 * i as f64, &[(60.0, "Working"), (200.0, "Paper"), (340.0, "Series")]);
        }
        assert!(form_tables(&g, &[], 595.0, 842.0).is_empty());
        let mut g = Vec::new();
        for i in 0..5 {
            put(&mut g, 100.0 + 16.0 * i as f64, &[(60.0, "合计"), (200.0, "1,000.00"), (340.0, "2,000.00")]);
        }
        assert!(form_tables(&g, &[], 595.0, 842.0).is_empty());
    }
}
