//! The one place that decides a page's table grids: rows, columns and spans. Evidence enters in
//! a fixed order, each kind in one function, and every grid says which evidence framed it:
//!
//! 1. Rules ([`ruled_grids`]): regions of crossing drawn lines give rows, columns and spans
//!    (a missing segment merges two slots, [`grid::grid_from_lines`]); text inside then corrects
//!    them where the rules say less than the text does: aligned text columns inside one ruled
//!    column split it, tall ruled rows of aligned lines split into rows, merges that only reflect
//!    undrawn column lines are undone (the repairs on [`CellGrid`]).
//! 2. Loose horizontal rules ([`open_grids`]): three-line tables, rows running to the page end
//!    or from the page top, a single box around aligned text, rules broken at column gutters;
//!    columns, header spans and rows come from text ([`open`]).
//! 3. Loose vertical rules ([`grouped_grids`]): financial tables ruled only between column
//!    groups; the rules frame the table and stand on column boundaries, text alignment inside
//!    each group gives the other columns, text lines the rows ([`groups`]).
//! 4. Text alone ([`text_grids`]): runs of lines whose chunks align in three columns or more,
//!    with the short lines just above as header ([`unruled::text_tables`]).
//! 5. Words alone ([`form_grids`]): borderless forms and indicator tables, lines of label and
//!    text pieces aligned in columns ([`forms::form_tables`]).
//!
//! A table cut by a page break is read with its other part's text as further evidence for its
//! columns ([`overleaf`](super::overleaf)), in steps 2 and 5.
//!
//! Cell text is set last, with the same assignment for every grid ([`CellGrid::fill_text`]).

use crate::decode::pdf::{Glyph, Page};

use super::grid::{self, CellGrid};
use super::forms::{self, PageTop};
use super::groups;
use super::open;
use super::overleaf::Overleaf;
use super::unruled;
use super::regions::Region;
use super::rulings::{Line, Lines};

/// What framed a grid: which evidence decided its outline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// Drawn lines on all sides (a connected region of horizontal and vertical rules).
    Ruled,
    /// Horizontal rules only (or a single box); columns from text alignment.
    Open,
    /// No rules at all: rows and columns from text alignment alone.
    Text,
}

/// A grid decided for one page, with its text filled in.
#[derive(Debug, Clone)]
pub struct Built {
    pub grid: CellGrid,
    pub framing: Framing,
    /// Rows above the header rule (open tables; 0 for ruled ones).
    pub header_rows: usize,
}

/// Every table grid on a page, top to bottom, and which glyphs landed in one.
pub fn page_grids(page: &Page, regions: &[Region], loose: &Lines, top: PageTop, overleaf: &Overleaf) -> (Vec<Built>, Vec<bool>) {
    let mut in_table = vec![false; page.glyphs.len()];
    let (mut built, boxes) = ruled_grids(regions, &page.glyphs, &mut in_table);
    let mut taken: Vec<[f64; 4]> = built.iter().map(|b| b.grid.bbox()).collect();
    built.extend(open_grids(page, &loose.horizontal, &taken, overleaf, &mut in_table));
    taken = built.iter().map(|b| b.grid.bbox()).collect();
    built.extend(boxed_grids(page, &boxes, &taken, &mut in_table));
    taken = built.iter().map(|b| b.grid.bbox()).collect();
    built.extend(grouped_grids(page, &loose.vertical, &taken, &mut in_table));
    taken = built.iter().map(|b| b.grid.bbox()).collect();
    built.extend(text_grids(page, &taken, &mut in_table));
    taken = built.iter().map(|b| b.grid.bbox()).collect();
    built.extend(form_grids(page, &taken, (top, overleaf), &mut in_table));
    built.sort_by(|a, b| a.grid.ys[0].total_cmp(&b.grid.ys[0]));
    (built, in_table)
}

/// Whether two boxes share more than a sliver (a point either way).
fn overlap(a: &[f64; 4], b: &[f64; 4]) -> bool {
    a[0] < b[2] - 1.0 && b[0] < a[2] - 1.0 && a[1] < b[3] - 1.0 && b[1] < a[3] - 1.0
}

/// Marks the glyphs a grid used as table text.
fn mark(in_table: &mut [bool], used: Vec<bool>) {
    for (slot, u) in in_table.iter_mut().zip(used) {
        *slot |= u;
    }
}

/// Evidence from rules first, then from the text inside them (see the module comment). Also
/// returns the horizontal lines of single boxes, which frame no ruled grid.
fn ruled_grids(regions: &[Region], glyphs: &[Glyph], in_table: &mut [bool]) -> (Vec<Built>, Vec<Line>) {
    let mut out = Vec::new();
    let mut boxes = Vec::new();
    for region in regions {
        let Some(mut grid) = grid::ruled_grid(region) else {
            boxes.extend(region.horizontal.iter().copied());
            continue;
        };
        grid.split_columns_by_text(glyphs);
        grid.split_rows_by_text(glyphs);
        grid.split_false_merges(glyphs);
        if grid.n_cols() < 2 {
            continue;
        }
        let used = grid.fill_text(glyphs);
        // A region whose cells hold no text is a drawing, not a table: its glyphs stay free.
        if !grid.cells.iter().any(|c| !c.text.is_empty()) {
            continue;
        }
        mark(in_table, used);
        out.push(Built { grid, framing: Framing::Ruled, header_rows: 0 });
    }
    (out, boxes)
}

/// Open tables among the loose rules, outside the ruled ones.
fn open_grids(page: &Page, loose: &[Line], taken: &[[f64; 4]], overleaf: &Overleaf, in_table: &mut [bool]) -> Vec<Built> {
    let mut out = Vec::new();
    for (mut grid, header_rows) in open::open_tables_across(loose, &page.glyphs, taken, (page.width, page.height), overleaf) {
        let used = grid.fill_text(&page.glyphs);
        mark(in_table, used);
        out.push(Built { grid, framing: Framing::Open, header_rows });
    }
    out
}

/// Evidence: a single box is no ruled grid, but its top and bottom frame a table as two rules
/// do when the text inside lines up in three columns or more of mostly figures (a box around a
/// chart's legend or a paragraph does not).
fn boxed_grids(page: &Page, boxes: &[Line], taken: &[[f64; 4]], in_table: &mut [bool]) -> Vec<Built> {
    let mut out = Vec::new();
    for (mut grid, header_rows) in open::open_tables(boxes, &page.glyphs, taken, page.width, page.height) {
        let used = grid.fill_text(&page.glyphs);
        let values: Vec<&str> = grid.cells.iter().filter(|c| c.col > 0 && !c.text.is_empty()).map(|c| c.text.as_str()).collect();
        let figures = values.iter().filter(|t| unruled::looks_like_number(t)).count();
        if grid.n_cols() < 3 || values.is_empty() || (figures as f64) < unruled::FIGURE_SHARE * values.len() as f64 {
            continue;
        }
        mark(in_table, used);
        out.push(Built { grid, framing: Framing::Open, header_rows });
    }
    out
}

/// Evidence: vertical rules standing alone, the full height of a table, are the edges of its
/// column groups ([`groups`]).
fn grouped_grids(page: &Page, verticals: &[Line], taken: &[[f64; 4]], in_table: &mut [bool]) -> Vec<Built> {
    let mut out = Vec::new();
    for (mut grid, header_rows) in groups::group_ruled_tables(verticals, &page.glyphs, taken) {
        // Tables do not overlap: rules that frame one around another table (a rule down the
        // page margin) frame none.
        if taken.iter().any(|t| overlap(t, &grid.bbox())) {
            continue;
        }
        let used = grid.fill_text(&page.glyphs);
        mark(in_table, used);
        out.push(Built { grid, framing: Framing::Open, header_rows });
    }
    out
}

/// Tables without rules, in the text outside every other table. Lines typed with dashes are
/// rules here: left out of rows and cells, and counted as part of the table they sit in.
fn text_grids(page: &Page, taken: &[[f64; 4]], in_table: &mut [bool]) -> Vec<Built> {
    let is_text = unruled::not_typed_rules(&page.glyphs);
    let index: Vec<usize> = (0..page.glyphs.len()).filter(|&i| is_text[i]).collect();
    let text: Vec<Glyph> = index.iter().map(|&i| page.glyphs[i]).collect();
    let mut out = Vec::new();
    for (mut grid, header_rows) in unruled::text_tables(&text, taken, page.width, page.height) {
        let used = grid.fill_text(&text);
        for (k, _) in used.iter().enumerate().filter(|(_, &u)| u) {
            in_table[index[k]] = true;
        }
        let [x0, top, x1, bottom] = grid.bbox();
        for (i, g) in page.glyphs.iter().enumerate().filter(|(i, _)| !is_text[*i]) {
            in_table[i] |= g.cx() >= x0 && g.cx() <= x1 && g.cy() >= top && g.cy() <= bottom;
        }
        out.push(Built { grid, framing: Framing::Text, header_rows });
    }
    out
}

/// Evidence: words aligned in columns with no rules at all, as borderless forms print them
/// ([`forms`]); last, so that every other reading of the page has its text first.
fn form_grids(page: &Page, taken: &[[f64; 4]], (top, overleaf): (PageTop, &Overleaf), in_table: &mut [bool]) -> Vec<Built> {
    let mut out = Vec::new();
    for (mut grid, header_rows) in forms::form_tables_on(&page.glyphs, taken, (page.width, page.height), (top, overleaf)) {
        let used = grid.fill_text(&page.glyphs);
        mark(in_table, used);
        out.push(Built { grid, framing: Framing::Text, header_rows });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::pdf::{Orientation, Ruling};
    use crate::layout::text::tests::{put, word};
    use crate::layout::{regions, rulings};

    fn boxed_page(glyphs: Vec<Glyph>) -> Page {
        let side = |orientation, pos, from, to| Ruling { orientation, pos, from, to, width: 0.5 };
        let rulings = vec![
            side(Orientation::Horizontal, 95.0, 50.0, 470.0),
            side(Orientation::Horizontal, 200.0, 50.0, 470.0),
            side(Orientation::Vertical, 50.0, 95.0, 200.0),
            side(Orientation::Vertical, 470.0, 95.0, 200.0),
        ];
        Page { number: 1, width: 595.0, height: 842.0, glyphs, fonts: vec![String::new()], rulings, images: 0 }
    }

    fn grids(page: &Page) -> Vec<Built> {
        let (regions, loose) = regions::connected_regions(&rulings::merge(&page.rulings));
        page_grids(page, &regions, &loose, PageTop::Fresh, &Overleaf::NONE).0
    }

    #[test]
    fn a_rule_down_the_margin_frames_no_table_around_another() {
        // eu-027 (ICDAR 2013): a ruled table, a running head above it, a footer with the page
        // number below, and a vertical rule down the right margin beside rotated text.
        let side = |orientation, pos, from, to| Ruling { orientation, pos, from, to, width: 0.5 };
        let mut rulings = vec![side(Orientation::Vertical, 544.0, 82.0, 819.0)];
        for y in [156.0, 176.0, 196.0, 216.0] {
            rulings.push(side(Orientation::Horizontal, y, 76.0, 520.0));
        }
        for x in [76.0, 300.0, 520.0] {
            rulings.push(side(Orientation::Vertical, x, 156.0, 216.0));
        }
        let mut g = word("Appendix C: Summary", 76.0, 80.0, 12.0);
        g.extend(word("Statistics", 330.0, 80.0, 12.0));
        for (i, y) in [160.0, 180.0, 200.0].into_iter().enumerate() {
            g.extend(word(&format!("Variable{i}"), 80.0, y, 10.0));
            g.extend(word(&format!("{}.25", i + 1), 310.0, y, 10.0));
        }
        g.extend(word("Working Paper", 440.0, 805.0, 8.0));
        g.extend(word("39", 553.0, 805.0, 8.0));
        let page = Page { number: 3, width: 595.0, height: 842.0, glyphs: g, fonts: vec![String::new()], rulings, images: 0 };
        let built = grids(&page);
        assert_eq!(built.len(), 1, "{:?}", built.iter().map(|b| b.grid.bbox()).collect::<Vec<_>>());
        assert_eq!(built[0].framing, Framing::Ruled);
    }

    #[test]
    fn a_box_around_aligned_figures_is_a_table_and_around_a_legend_is_not() {
        let mut g = Vec::new();
        for (i, name) in ["Charged", "Sentenced", "No prison", "1-12 months"].into_iter().enumerate() {
            let y = 105.0 + 20.0 * i as f64;
            g.extend(word(name, 60.0, y, 10.0));
            for (k, x) in [200.0, 290.0, 380.0].into_iter().enumerate() {
                g.extend(word(&format!("{}{k}", 20 + i), x, y, 10.0));
            }
        }
        let built = grids(&boxed_page(g));
        assert_eq!(built.len(), 1);
        assert_eq!(built[0].framing, Framing::Open);
        assert_eq!((built[0].grid.n_rows(), built[0].grid.n_cols()), (4, 4));
        assert_eq!(built[0].grid.cells.iter().find(|c| c.row == 3 && c.col == 3).unwrap().text, "232");

        // A chart legend in a box: labels and shares, no table.
        let mut g = Vec::new();
        for (i, name) in ["财政拨款", "事业收入", "其他收入"].into_iter().enumerate() {
            let y = 105.0 + 20.0 * i as f64;
            g.extend(word(name, 60.0, y, 10.0));
            g.extend(word("上年结转", 200.0, y, 10.0));
            g.extend(word("25.27%", 380.0, y, 10.0));
        }
        assert!(grids(&boxed_page(g)).is_empty());
    }

    #[test]
    fn a_three_line_tables_last_row_of_wrapped_cells_and_centred_ones_stays_one_row() {
        // yutian_2024 three-line page 5 (open_hrules, LibreOffice): 9 pt glyphs at a 16.2 pt
        // pitch; the last row's four wrapped cells (满意度指 / 标 …) hold two lines, 调查满意度
        // and 调查日志 sit centred between them. The rows come from the text's line spacing;
        // the split of a ruled group of rows into aligned lines must not cut this row in three.
        // The page's first row continues one from the page before (100 at its top).
        let side = |pos| Ruling { orientation: Orientation::Horizontal, pos, from: 56.7, to: 538.6, width: 0.5 };
        let rulings = vec![side(57.4), side(77.4), side(247.0)];
        let mut g = Vec::new();
        for (x, h) in [(60.5, "一级指标"), (108.7, "二级指标"), (176.1, "三级指标"), (273.1, "绩效指标描述"), (395.0, "指标值"), (463.8, "指标值确定依据")] {
            g.extend(word(h, x, 61.5, 9.0));
        }
        put(&mut g, 80.2, &[(368.0, "100")]);
        put(&mut g, 96.4, &[(368.0, "所需的系统对接服")]);
        put(&mut g, 104.4, &[(104.2, "生态效益指"), (158.1, "印章后续服务、软")]);
        put(&mut g, 112.5, &[(237.9, "符合环保要求"), (368.0, "务、系统运维服务、"), (454.8, "系统查询，数据抽查")]);
        put(&mut g, 120.6, &[(122.2, "标"), (180.6, "件对接")]);
        put(&mut g, 128.7, &[(368.0, "软件技术服务完全相")]);
        put(&mut g, 144.8, &[(368.0, "符")]);
        put(&mut g, 163.6, &[(156.0, "安排刻章企业入驻"), (237.9, "开展玉田县辖区内新开办企")]);
        put(&mut g, 171.6, &[(104.2, "可持续影响"), (368.0, "100")]);
        put(&mut g, 179.7, &[(156.0, "审批大厅，方便企"), (237.9, "业免费刻制首套公章中标企"), (477.3, "现场验收")]);
        put(&mut g, 187.8, &[(117.7, "指标"), (368.0, "安排区域完成入驻")]);
        put(&mut g, 195.9, &[(156.0, "业就近办理"), (237.9, "业入驻区域，方便企业办理")]);
        put(&mut g, 214.6, &[(60.5, "满意度指"), (108.7, "服务对象满"), (156.0, "刻章企业满意度调"), (368.0, "≥99")]);
        put(&mut g, 222.7, &[(237.9, "调查满意度"), (477.3, "调查日志")]);
        put(&mut g, 230.8, &[(74.0, "标"), (108.7, "意度指标"), (189.6, "查"), (368.0, "满意度不低于99%")]);
        let page = Page { number: 5, width: 595.0, height: 842.0, glyphs: g, fonts: vec![String::new()], rulings, images: 0 };
        let built = grids(&page);
        assert_eq!(built.len(), 1);
        let grid = &built[0].grid;
        assert_eq!(grid.n_rows(), 4, "header, 生态效益指标, 可持续影响指标, 满意度指标: {:?}", grid.ys);
        let at = |r: usize, c: usize| grid.cells.iter().find(|x| x.row == r && x.col == c).map(|x| x.text.clone()).unwrap_or_default();
        assert_eq!(at(3, 0), "满意度指标");
        assert_eq!(at(3, 3), "调查满意度");
        assert_eq!(at(3, 4), "≥99满意度不低于99%");
    }
}
