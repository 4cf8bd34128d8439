//! Stage 2/3 for PDF: ruling lines and glyphs → table regions → cell grids, stitched over pages.
//!
//! Per page: merge ruling segments into lines ([`rulings`]), group crossing lines into regions
//! ([`regions`]), then [`builder`] decides every grid from that evidence and the page's text
//! (ruled grids with spans, [`grid`]; open tables with columns from text alignment, [`open`];
//! tables without any rules, [`unruled`]),
//! then the text lines above each table are collected as its context and title. Pages are read in
//! order, each knowing whether the page before left an open table running at its foot
//! ([`forms::PageTop`]). Across pages, tables that continue are stitched ([`stitch`]).

pub mod builder;
pub mod forms;
pub mod grid;
pub mod groups;
pub mod open;
pub mod regions;
pub mod rows;
pub mod rulings;
pub mod stitch;
pub mod text;
pub mod unruled;

use crate::decode::pdf::{Glyph, Page};
use crate::error::ExtractError;
use crate::limits::Deadline;
use crate::model::{Table, TextBlock, Warning};

use builder::{Built, Framing};
use forms::PageTop;
use grid::CellGrid;
use regions::Region;
use rulings::Lines;
use text::{Direction, TextLine};

/// A table found on one page, before stitching.
#[derive(Debug, Clone)]
pub struct PageTable {
    pub page: u32,
    pub grid: CellGrid,
    /// Whether the grid came from drawn lines on all sides (false: open table from text alignment).
    pub ruled: bool,
    /// Text lines above the table on its page (after the previous table), top to bottom.
    pub lines_above: Vec<String>,
    /// Text lines below the table down to the next table or the page end.
    pub lines_below: Vec<String>,
    pub page_height: f64,
    /// Open tables: rows above the header rule (0 for ruled tables).
    pub header_rows: usize,
    /// Open tables: the glyphs inside the table, so a continuation can be re-laid on the
    /// columns of the part before it (empty for ruled tables).
    pub glyphs: Vec<Glyph>,
    /// A rule drawn along the table's bottom edge across its width: the producer closed the
    /// table here. An open table running on overleaf has no rule under its last row on this page.
    pub closed_below: bool,
}

/// A rule closes a table when it lies within this (points) of its bottom edge and covers this
/// share of its width.
const CLOSING_RULE_REACH: f64 = 1.5;
const CLOSING_RULE_SHARE: f64 = 0.8;

/// Whether one of the page's horizontal rules runs along the bottom edge of `bbox`.
fn closed_below(bbox: [f64; 4], horizontal: &[rulings::Line]) -> bool {
    let [x0, _, x1, bottom] = bbox;
    horizontal.iter().any(|l| (l.pos - bottom).abs() <= CLOSING_RULE_REACH && l.to.min(x1) - l.from.max(x0) >= CLOSING_RULE_SHARE * (x1 - x0))
}

/// What `yusuan inspect` draws for one page: merged lines, regions and grids.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct PageDebug {
    pub lines: Lines,
    pub regions: Vec<Region>,
    pub grids: Vec<CellGrid>,
}

pub fn debug_page(page: &Page) -> PageDebug {
    let lines = rulings::merge(&page.rulings);
    let (regions, _) = regions::connected_regions(&lines);
    let grids = page_tables(page).into_iter().map(|t| t.grid).collect();
    PageDebug { lines, regions, grids }
}

/// The tables of a PDF, its warnings, and its free text: every piece of text outside the tables,
/// page by page, top to bottom (the 目录 and the prose that document-level checks compare).
pub fn tables_from_pages(
    pages: &[Page],
    deadline: &Deadline,
) -> Result<(Vec<Table>, Vec<Warning>, Vec<TextBlock>), ExtractError> {
    let mut found: Vec<PageTable> = Vec::new();
    let mut text = Vec::new();
    for page in pages {
        deadline.check("table layout")?;
        // An open table the page before left running at its foot: rows at this page's top may
        // carry on with it though they show too little alignment to stand as a table alone.
        let top = match found.last() {
            Some(t) if t.page + 1 == page.number && !t.closed_below && stitch::runs_to_page_foot(t) => PageTop::AfterOpenTable,
            _ => PageTop::Fresh,
        };
        let (tables, paragraphs) = page_layout(page, top);
        found.extend(tables);
        // Text whose middle is outside the page box does not show (a heading left on the bottom edge).
        let printed = paragraphs.into_iter().filter(|p| (0.0..page.height).contains(&((p.top + p.bottom) / 2.0)));
        text.extend(printed.map(|p| TextBlock { page: page.number, top: p.top, text: p.text }));
    }
    deadline.check("table stitching")?;
    Ok((stitch::stitch(found), Vec::new(), text))
}

/// Lines of text are split into separate pieces where the gap is this many glyph sizes or more
/// ("单位：万元" printed at the right end of an agency line is its own paragraph).
const PARAGRAPH_GAP: f64 = 3.0;

/// Every table on one page, top to bottom, with the text lines around it.
pub fn page_tables(page: &Page) -> Vec<PageTable> {
    page_layout(page, PageTop::Fresh).0
}

/// The tables of one page and the free text outside them.
fn page_layout(page: &Page, top: PageTop) -> (Vec<PageTable>, Vec<Paragraph>) {
    let lines = rulings::merge(&page.rulings);
    let (regions, loose) = regions::connected_regions(&lines);
    let (grids, in_table) = builder::page_grids(page, &regions, &loose, top);
    let free: Vec<&Glyph> = page.glyphs.iter().zip(&in_table).filter(|(g, &t)| !t && !g.ch.is_whitespace()).map(|(g, _)| g).collect();
    let text_lines = paragraphs(&free);
    let mut out = Vec::with_capacity(grids.len());
    for (i, Built { grid, framing, header_rows }) in grids.iter().enumerate() {
        let ruled = *framing == Framing::Ruled;
        let [x0, top, x1, bottom] = grid.bbox();
        let prev_bottom = if i > 0 { grids[i - 1].grid.bbox()[3] } else { f64::MIN };
        let next_top = grids.get(i + 1).map(|g| g.grid.bbox()[1]).unwrap_or(f64::MAX);
        let lines_above =
            text_lines.iter().filter(|l| l.bottom <= top + 1.0 && l.top >= prev_bottom - 1.0).map(|l| l.text.clone()).collect();
        let lines_below =
            text_lines.iter().filter(|l| l.top >= bottom - 1.0 && l.bottom <= next_top + 1.0).map(|l| l.text.clone()).collect();
        let glyphs = if ruled {
            Vec::new()
        } else {
            page.glyphs.iter().filter(|g| g.cx() >= x0 && g.cx() <= x1 && g.cy() >= top && g.cy() <= bottom).copied().collect()
        };
        out.push(PageTable {
            page: page.number,
            grid: grid.clone(),
            ruled,
            lines_above,
            lines_below,
            page_height: page.height,
            header_rows: *header_rows,
            glyphs,
            closed_below: ruled || closed_below([x0, top, x1, bottom], &lines.horizontal),
        });
    }
    (out, text_lines)
}

/// A piece of free text: one line, or part of a line set apart by a wide gap.
struct Paragraph {
    text: String,
    top: f64,
    bottom: f64,
}

fn paragraphs(glyphs: &[&Glyph]) -> Vec<Paragraph> {
    let upright: Vec<&Glyph> = glyphs.iter().copied().filter(|g| g.upright()).collect();
    let mut out = Vec::new();
    for line in text::lines(&upright, Direction::Upright) {
        let mut start = 0;
        for k in 1..=line.glyphs.len() {
            let split = k == line.glyphs.len() || line.glyphs[k].x0 - line.glyphs[k - 1].x1 > PARAGRAPH_GAP * line.size;
            if split {
                let piece = TextLine { glyphs: line.glyphs[start..k].to_vec(), ..line.clone() };
                let text = piece.text().trim().to_string();
                if !text.is_empty() {
                    out.push(Paragraph { text, top: line.top, bottom: line.bottom });
                }
                start = k;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::text::tests::put;

    #[test]
    fn rows_at_a_page_top_run_on_from_a_form_left_open_at_the_foot_of_the_page_before() {
        // caofeidian_2021 without rules pages 4 → 5 (open_norules, LibreOffice): the form
        // 6.印章刻制服务 starts at page 4's foot; page 5 opens with its last rows, too few in
        // several pieces to stand as a table alone. Read after page 4 they are its rows.
        let mut foot = Vec::new();
        put(&mut foot, 686.6, &[(76.0, "项目编码"), (138.1, "13020925P00009810002E"), (277.7, "项目名称"), (407.9, "印章刻制服务")]);
        put(&mut foot, 715.7, &[(148.3, "预算数"), (230.1, "69.75"), (262.6, "其中：财政资金"), (375.8, "69.75"), (417.8, "其他资金")]);
        put(&mut foot, 744.8, &[(76.0, "资金用途"), (138.1, "印章刻制资金")]);
        put(&mut foot, 764.9, &[(66.0, "资金支出计划"), (183.1, "3月底"), (283.9, "6月底"), (354.4, "10月底"), (455.3, "12月底")]);
        let mut top = Vec::new();
        put(&mut top, 60.1, &[(81.4, "（%）"), (235.3, "25%"), (313.8, "50%"), (381.1, "75%"), (510.8, "100%")]);
        put(&mut top, 80.3, &[(138.1, "1.1.保证机关正常运转")]);
        put(&mut top, 89.2, &[(76.0, "绩效目标")]);
        put(&mut top, 98.2, &[(138.1, "2.刻章补贴顺利拨付")]);
        let page = |number, glyphs| Page { number, width: 595.0, height: 842.0, glyphs, fonts: vec![String::new()], rulings: vec![], images: 0 };
        let pages = [page(4, foot), page(5, top.clone())];
        let (tables, _, _) = tables_from_pages(&pages, &Deadline::start(std::time::Duration::from_secs(60))).unwrap();
        assert_eq!(tables.iter().map(|t| t.pages.clone()).collect::<Vec<_>>(), vec![vec![4, 5]]);
        // Read alone, page 5's lines are text.
        assert!(page_tables(&page(5, top)).is_empty());
    }

    #[test]
    fn a_rule_along_the_bottom_edge_across_the_table_closes_it() {
        let rule = |pos, from, to| rulings::Line { pos, from, to };
        let bbox = [56.7, 596.6, 538.6, 737.0];
        assert!(closed_below(bbox, &[rule(736.95, 56.7, 538.6)]));
        // Under part of the table only (a rule under one column group), or a row further down.
        assert!(!closed_below(bbox, &[rule(736.95, 56.7, 300.0)]));
        assert!(!closed_below(bbox, &[rule(745.0, 56.7, 538.6)]));
    }
}
