//! Stage 2/3 for PDF: ruling lines and glyphs → table regions → cell grids, stitched over pages.
//!
//! Per page: merge ruling segments into lines ([`rulings`]), group crossing lines into regions
//! ([`regions`]), then [`builder`] decides every grid from that evidence and the page's text
//! (ruled grids with spans, [`grid`]; open tables with columns from text alignment, [`open`];
//! tables without any rules, [`unruled`]),
//! then the text lines above each table are collected as its context and title. Pages are read in
//! order, each knowing whether the page before left an open table running at its foot
//! ([`forms::PageTop`]); the two pages an open table runs across are then read again, each with
//! the other part's text as evidence for the table's columns ([`overleaf`]). Across pages,
//! tables that continue are stitched ([`stitch`]).

pub mod builder;
pub mod forms;
pub mod grid;
pub mod groups;
pub mod open;
pub mod overleaf;
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
use overleaf::{CutPart, Overleaf, Shape};
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
    // First reading: each page on its own, knowing whether the page before left an open table
    // running at its foot (rows at this page's top may carry on with it though they show too
    // little alignment to stand as a table alone).
    let mut laid: Vec<(Vec<PageTable>, Vec<Paragraph>)> = Vec::with_capacity(pages.len());
    let mut tops = Vec::with_capacity(pages.len());
    // The page whose last table was left open at its foot.
    let mut open_at_foot: Option<u32> = None;
    for page in pages {
        deadline.check("table layout")?;
        let top = if open_at_foot.is_some_and(|n| n + 1 == page.number) { PageTop::AfterOpenTable } else { PageTop::Fresh };
        tops.push(top);
        let (tables, paragraphs) = page_layout(page, top, &Overleaf::NONE);
        if let Some(t) = tables.last() {
            open_at_foot = (!t.closed_below && stitch::runs_to_page_foot(t)).then_some(t.page);
        }
        laid.push((tables, paragraphs));
    }
    // Second reading of the pages a table runs across, with the other part's text as evidence
    // for its columns.
    let heights: Vec<f64> = pages.iter().map(|p| p.height).collect();
    let cuts = cut_parts(&laid.iter().map(|(t, _)| t.as_slice()).collect::<Vec<_>>(), &heights);
    for ((page, overleaf), (slot, &top)) in pages.iter().zip(cuts).zip(laid.iter_mut().zip(&tops)) {
        if !overleaf.is_empty() {
            deadline.check("table layout")?;
            *slot = page_layout(page, top, &overleaf);
        }
    }
    let mut found: Vec<PageTable> = Vec::new();
    let mut text = Vec::new();
    for (page, (tables, paragraphs)) in pages.iter().zip(laid) {
        found.extend(tables);
        // Text whose middle is outside the page box does not show (a heading left on the bottom edge).
        let printed = paragraphs.into_iter().filter(|p| (0.0..page.height).contains(&((p.top + p.bottom) / 2.0)));
        text.extend(printed.map(|p| TextBlock { page: page.number, top: p.top, text: p.text }));
    }
    deadline.check("table stitching")?;
    Ok((stitch::stitch(found), Vec::new(), text))
}

/// For each page, the parts of its tables cut by its edges, from the first reading of the pages
/// (`laid`, in page order; `heights`, each page's height): where the last table of a page runs
/// on into the first table of the next, each part is the other's evidence.
fn cut_parts(laid: &[&[PageTable]], heights: &[f64]) -> Vec<Overleaf> {
    let mut out: Vec<Overleaf> = vec![Overleaf::default(); laid.len()];
    for i in 1..laid.len() {
        let (Some(prev), Some(next)) = (laid[i - 1].last(), laid[i].first()) else { continue };
        if !stitch::runs_on_overleaf(prev, next) {
            continue;
        }
        let shape = |t: &PageTable| Shape { edges: t.grid.xs.clone(), rows: t.grid.n_rows() };
        // The body's glyphs: header lines are no evidence for columns here, as on the page.
        let moved = |t: &PageTable, dy: f64| {
            let body_top = t.grid.ys[t.header_rows.min(t.grid.n_rows())];
            t.glyphs.iter().filter(|g| g.cy() > body_top).map(|g| Glyph { top: g.top + dy, bottom: g.bottom + dy, ..*g }).collect()
        };
        out[i - 1].after = Some(CutPart { here: prev.grid.bbox(), own: shape(prev), glyphs: moved(next, heights[i - 1]), other: shape(next) });
        out[i].before = Some(CutPart { here: next.grid.bbox(), own: shape(next), glyphs: moved(prev, -heights[i - 1]), other: shape(prev) });
    }
    out
}

/// Lines of text are split into separate pieces where the gap is this many glyph sizes or more
/// ("单位：万元" printed at the right end of an agency line is its own paragraph).
const PARAGRAPH_GAP: f64 = 3.0;

/// Every table on one page, top to bottom, with the text lines around it.
pub fn page_tables(page: &Page) -> Vec<PageTable> {
    page_layout(page, PageTop::Fresh, &Overleaf::NONE).0
}

/// The tables of one page and the free text outside them.
fn page_layout(page: &Page, top: PageTop, overleaf: &Overleaf) -> (Vec<PageTable>, Vec<Paragraph>) {
    let lines = rulings::merge(&page.rulings);
    let (regions, loose) = regions::connected_regions(&lines);
    let (grids, in_table) = builder::page_grids(page, &regions, &loose, top, overleaf);
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
    use crate::decode::pdf::{Orientation, Ruling};
    use crate::layout::text::tests::{put, spread};
    use crate::model::Cell;

    /// An A4 page of `glyphs` and `rulings`.
    fn page(number: u32, glyphs: Vec<Glyph>, rulings: Vec<Ruling>) -> Page {
        Page { number, width: 595.0, height: 842.0, glyphs, fonts: vec![String::new()], rulings, images: 0 }
    }

    /// A rule across the text width (56.7-538.6) at `pos`, as the three-line tables draw them.
    fn rule(pos: f64) -> Ruling {
        Ruling { orientation: Orientation::Horizontal, pos, from: 56.7, to: 538.6, width: 0.5 }
    }

    /// The stitched tables of `pages`.
    fn read(pages: &[Page]) -> Vec<Table> {
        tables_from_pages(pages, &Deadline::start(std::time::Duration::from_secs(60))).unwrap().0
    }

    /// The cell of `t` whose text, spaces left out, is `text` (on `page`, when given).
    fn cell<'a>(t: &'a Table, text: &str, page: Option<u32>) -> &'a Cell {
        let found = t.cells.iter().find(|c| c.text.replace(' ', "") == text && page.is_none_or(|p| c.page == Some(p)));
        found.unwrap_or_else(|| panic!("{text}: {:?}", t.cells))
    }

    /// The cell of `grid` whose text, spaces left out, starts with `text`.
    fn grid_cell<'a>(grid: &'a CellGrid, text: &str) -> &'a grid::GridCell {
        grid.cells.iter().find(|c| c.text.replace(' ', "").starts_with(text)).unwrap_or_else(|| panic!("{text}: {:?}", grid.cells))
    }

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
        let tables = read(&[page(4, foot, vec![]), page(5, top.clone(), vec![])]);
        assert_eq!(tables.iter().map(|t| t.pages.clone()).collect::<Vec<_>>(), vec![vec![4, 5]]);
        // Read alone, page 5's lines are text.
        assert!(page_tables(&page(5, top, vec![])).is_empty());
    }

    #[test]
    fn a_form_cut_after_its_first_rows_takes_the_columns_its_rows_overleaf_show() {
        // shanhaiguan_2021 three-line pages 4 → 5 (open_hrules, LibreOffice): the form
        // 6.民生热线综合服务平台建设经费 opens under a rule at page 4's foot and runs on over
        // page 5 into its indicator rows. On page 4 alone, 3 月底 centred across 预算数 |
        // 400000.00 hides the edge between them (the code and the paragraph cross it too); the
        // indicator rows overleaf show it on every line (二级指标 | 三级指标).
        let mut foot = Vec::new();
        spread(&mut foot, 711.0, 9.0, &[(67.5, 103.5, "项目编码"), (117.0, 238.6, "13030321HHG9MFXS7MP14"), (268.3, 304.3, "项目名称"), (369.6, 495.6, "民生热线综合服务平台建设经费")]);
        spread(&mut foot, 729.8, 9.0, &[(132.2, 159.2, "预算数"), (200.3, 243.3, "400000.00"), (254.8, 317.8, "其中：财政资金"), (360.9, 403.9, "400000.00"), (417.4, 453.4, "其他资金"), (530.9, 535.9, "0")]);
        spread(&mut foot, 731.1, 9.0, &[(63.0, 108.0, "预算规模及")]);
        spread(&mut foot, 747.2, 9.0, &[(67.5, 103.5, "资金用途")]);
        spread(&mut foot, 748.5, 9.0, &[(117.0, 450.0, "保证大厅各窗口的专网运行。保障机关正常工作高效运转。保障中心各项业务宣传。")]);
        spread(&mut foot, 767.3, 9.0, &[(63.0, 108.0, "资金支出计"), (167.7, 172.7, "3"), (174.5, 192.5, "月底"), (273.8, 278.8, "6"), (280.7, 298.7, "月底"), (352.0, 361.2, "10"), (363.1, 381.1, "月底"), (458.2, 467.4, "12"), (469.3, 487.3, "月底")]);
        let mut top = Vec::new();
        spread(&mut top, 60.0, 9.0, &[(67.8, 103.1, "划（%）"), (212.0, 243.3, "25.00%"), (292.2, 323.5, "50.00%"), (372.7, 403.9, "75.00%"), (500.4, 535.9, "100.00%")]);
        spread(&mut top, 78.7, 9.0, &[(117.0, 241.2, "1.保证大厅各窗口的专网运行。")]);
        spread(&mut top, 86.8, 9.0, &[(67.5, 103.5, "绩效目标")]);
        spread(&mut top, 94.9, 9.0, &[(117.0, 340.9, "2.保障机关正常工作高效运转。保障中心各项业务宣传。")]);
        spread(&mut top, 113.6, 9.0, &[(67.5, 103.5, "一级指标"), (127.7, 163.7, "二级指标"), (193.7, 229.7, "三级指标"), (299.4, 353.4, "绩效指标描述"), (421.9, 448.9, "指标值"), (469.9, 532.9, "指标值确定依据")]);
        spread(&mut top, 133.1, 9.0, &[(127.7, 163.7, "数量指标"), (180.2, 243.2, "综合事务保障率"), (249.0, 339.0, "保障日常事务高效运转"), (411.5, 430.5, "≥95"), (432.4, 459.4, "百分比"), (474.4, 528.4, "年度工作计划")]);
        spread(&mut top, 151.9, 9.0, &[(180.2, 243.2, "综合业务管理工")]);
        spread(&mut top, 159.9, 9.0, &[(127.7, 163.7, "质量指标"), (249.0, 348.0, "综合业务管理工作完成率"), (411.5, 430.5, "≥95"), (432.4, 459.4, "百分比"), (474.4, 528.4, "年度工作计划")]);
        spread(&mut top, 165.0, 9.0, &[(82.4, 91.4, "产")]);
        spread(&mut top, 168.0, 9.0, &[(193.7, 229.7, "作完成率")]);
        spread(&mut top, 174.0, 9.0, &[(82.4, 91.4, "出")]);
        spread(&mut top, 183.0, 9.0, &[(82.4, 91.4, "指")]);
        spread(&mut top, 186.8, 9.0, &[(249.0, 402.0, "按照要求和计划完成研究任务的项目在")]);
        spread(&mut top, 192.0, 9.0, &[(82.4, 91.4, "标")]);
        spread(&mut top, 194.8, 9.0, &[(127.7, 163.7, "时效指标"), (198.2, 225.2, "完成率"), (411.5, 430.5, "≥95"), (432.4, 459.4, "百分比"), (474.4, 528.4, "年度工作计划")]);
        spread(&mut top, 202.9, 9.0, &[(249.0, 384.0, "所有立项项目中的比例（百分比）")]);
        spread(&mut top, 221.7, 9.0, &[(127.7, 163.7, "成本指标"), (193.7, 229.7, "项目成本"), (249.0, 285.0, "项目成本"), (411.5, 430.5, "≥95"), (432.4, 459.4, "百分比"), (474.4, 528.4, "年度工作计划")]);
        spread(&mut top, 240.4, 9.0, &[(118.7, 172.7, "经济效益指标"), (189.2, 234.2, "综合利用率"), (249.0, 384.0, "基础设施建成后的利用、使用情况"), (411.5, 430.5, "≥95"), (432.4, 459.4, "百分比"), (474.4, 528.4, "年度工作计划")]);
        spread(&mut top, 259.2, 9.0, &[(118.7, 172.7, "社会效益指标"), (189.2, 234.2, "群众满意率"), (249.0, 339.0, "满足大厅办事群众需求"), (411.5, 430.5, "≥95"), (432.4, 459.4, "百分比"), (474.4, 528.4, "年度工作计划")]);
        spread(&mut top, 264.3, 9.0, &[(82.4, 91.4, "效")]);
        spread(&mut top, 273.3, 9.0, &[(82.4, 91.4, "益")]);
        spread(&mut top, 277.9, 9.0, &[(118.7, 172.7, "生态效益指标"), (193.7, 229.7, "资源消耗"), (249.0, 285.0, "资源消耗"), (411.5, 430.5, "≥95"), (432.4, 459.4, "百分比"), (474.4, 528.4, "年度工作计划")]);
        spread(&mut top, 282.3, 9.0, &[(82.4, 91.4, "指")]);
        spread(&mut top, 291.3, 9.0, &[(82.4, 91.4, "标")]);
        spread(&mut top, 296.7, 9.0, &[(118.7, 172.7, "可持续影响指")]);
        spread(&mut top, 304.7, 9.0, &[(202.7, 220.7, "人数"), (249.0, 267.0, "人数"), (411.5, 430.5, "≥95"), (432.4, 459.4, "百分比"), (474.4, 528.4, "年度工作计划")]);
        spread(&mut top, 312.8, 9.0, &[(141.2, 150.2, "标")]);
        spread(&mut top, 331.6, 9.0, &[(118.7, 172.7, "服务对象满意")]);
        spread(&mut top, 339.6, 9.0, &[(63.0, 108.0, "满意度指标"), (189.2, 234.2, "活动完成率"), (249.0, 303.0, "工作顺利完成"), (411.5, 430.5, "≥95"), (432.4, 459.4, "百分比"), (474.4, 528.4, "年度工作计划")]);
        spread(&mut top, 347.7, 9.0, &[(132.2, 159.2, "度指标")]);
        let tables = read(&[page(4, foot, vec![rule(707.05)]), page(5, top, vec![rule(129.5), rule(363.95)])]);
        assert_eq!(tables.len(), 1);
        let t = &tables[0];
        assert_eq!(t.pages, vec![4, 5]);
        let (budget, amount) = (cell(t, "预算数", None), cell(t, "400000.00", None));
        assert_eq!((budget.col, budget.col_span), (cell(t, "二级指标", None).col, 1));
        assert_eq!((amount.col, amount.col_span, amount.row), (cell(t, "三级指标", None).col, 1, budget.row));
        // 3 月底 spans the two columns it is centred over.
        let march = cell(t, "3月底", None);
        assert_eq!((march.col, march.col_span), (budget.col, 2));
    }

    #[test]
    fn a_line_of_a_cell_with_another_under_it_is_no_label_centred_on_the_row_above() {
        // caofeidian_2021 three-line page 5 (open_hrules, LibreOffice), the last rows of
        // 6.印章刻制服务 at the page top: 3 月底 … over 25% … (the slot under 3 月底 empty), then
        // 绩效目标 beside 1.… and 2.…, a wrap apart. 1.… alone is centred on the 25% row and its
        // own together, but it is the first line of its cell: the cell stays in its row.
        let mut g = Vec::new();
        spread(&mut g, 60.1, 10.0, &[(183.1, 188.7, "3"), (190.6, 210.6, "月底"), (283.9, 289.5, "6"), (291.5, 311.5, "月底"), (354.4, 364.7, "10"), (366.7, 386.7, "月底"), (455.3, 465.6, "12"), (467.6, 487.6, "月底")]);
        spread(&mut g, 61.2, 10.0, &[(66.0, 126.0, "资金支出计划")]);
        spread(&mut g, 79.1, 10.0, &[(81.4, 110.7, "（%）")]);
        spread(&mut g, 80.3, 10.0, &[(235.3, 255.6, "25%"), (313.8, 334.1, "50%"), (381.1, 401.4, "75%"), (510.8, 535.8, "100%")]);
        spread(&mut g, 100.4, 10.0, &[(138.1, 234.0, "1.1.保证机关正常运转")]);
        spread(&mut g, 109.4, 10.0, &[(76.0, 116.0, "绩效目标")]);
        spread(&mut g, 118.3, 10.0, &[(138.1, 226.9, "2.刻章补贴顺利拨付")]);
        let tables = page_tables(&page(5, g, vec![rule(135.85)]));
        assert_eq!(tables.len(), 1);
        let grid = &tables[0].grid;
        let (goal, text, share) = (grid_cell(grid, "绩效目标"), grid_cell(grid, "1.1.保证"), grid_cell(grid, "25%"));
        assert_eq!((text.row, text.row_span), (goal.row, 1), "{:?}", grid.cells);
        assert!(share.row < goal.row);
    }

    #[test]
    fn a_label_wrapped_over_two_rows_further_apart_than_its_lines_is_one_cell() {
        // caofeidian_2021 three-line page 4 (open_hrules, LibreOffice), the first rows of
        // 6.印章刻制服务 at the page foot under its top rule: 预算规模及资金 beside 预算数 (a
        // point off it), 用途 a wrap (17.9 pt) below, in the gap above 印章刻制资金's row (29 pt
        // on): one label over the two rows, not a row of its own.
        let mut g = Vec::new();
        spread(&mut g, 697.8, 10.0, &[(76.0, 116.0, "项目编码"), (138.1, 255.2, "13020925P00009810002E"), (277.7, 317.7, "项目名称"), (407.9, 467.9, "印章刻制服务")]);
        spread(&mut g, 718.0, 10.0, &[(262.6, 312.6, "其中：财政"), (322.8, 332.8, "资")]);
        spread(&mut g, 726.9, 10.0, &[(148.3, 178.3, "预算数"), (230.1, 255.6, "69.75"), (375.8, 401.3, "69.75"), (417.8, 457.8, "其他资金")]);
        spread(&mut g, 728.0, 10.0, &[(61.0, 131.0, "预算规模及资金")]);
        spread(&mut g, 735.9, 10.0, &[(292.7, 302.7, "金")]);
        spread(&mut g, 745.9, 10.0, &[(86.0, 106.0, "用途")]);
        spread(&mut g, 756.0, 10.0, &[(138.1, 198.1, "印章刻制资金")]);
        let tables = page_tables(&page(4, g, vec![rule(693.65)]));
        assert_eq!(tables.len(), 1);
        let grid = &tables[0].grid;
        let (label, budget, text) = (grid_cell(grid, "预算规模"), grid_cell(grid, "预算数"), grid_cell(grid, "印章刻制资金"));
        assert_eq!(label.text.replace(' ', ""), "预算规模及资金用途");
        assert_eq!((label.row, label.row_span), (budget.row, 2), "{:?}", grid.cells);
        assert_eq!(text.row, budget.row + 1);
        assert_eq!(grid.n_rows(), 3);
    }

    #[test]
    fn a_value_centred_in_its_column_at_a_page_top_keeps_to_it() {
        // yutian_2024 without rules pages 2 → 3 (open_norules, LibreOffice): the form
        // 2.行政审批业务经费 is cut after 预算规模及资金 / 用途; page 3 opens with that row's value
        // 行政审批业 / 务经费, centred in 预算数's column (161.2) and, by chance as closely, on the
        // empty label column and the one after. A value takes free columns only up to the next
        // text on a side: it stays in its column.
        let mut foot = Vec::new();
        spread(&mut foot, 685.1, 9.0, &[(134.6, 184.8, "13022924P0")]);
        spread(&mut foot, 693.1, 9.0, &[(335.8, 398.8, "行政审批业务经")]);
        spread(&mut foot, 701.2, 9.0, &[(76.3, 112.3, "项目编码"), (134.6, 185.3, "0JXC417313"), (277.1, 313.1, "项目名称")]);
        spread(&mut foot, 709.3, 9.0, &[(362.8, 371.8, "费")]);
        spread(&mut foot, 717.4, 9.0, &[(134.6, 140.4, "P")]);
        spread(&mut foot, 736.1, 9.0, &[(62.8, 125.8, "预算规模及资金"), (147.7, 174.7, "预算数"), (214.3, 257.3, "600000.00"), (263.5, 308.5, "其中：财政"), (317.7, 326.7, "资"), (358.9, 401.9, "600000.00"), (416.3, 452.3, "其他资金")]);
        spread(&mut foot, 752.3, 9.0, &[(85.3, 103.3, "用途"), (290.6, 299.6, "金")]);
        let mut top = Vec::new();
        spread(&mut top, 60.0, 9.0, &[(138.7, 183.7, "行政审批业")]);
        spread(&mut top, 76.1, 9.0, &[(147.7, 174.7, "务经费")]);
        spread(&mut top, 95.9, 9.0, &[(148.8, 153.8, "3"), (155.6, 173.6, "月底"), (282.6, 287.6, "6"), (289.5, 307.5, "月底"), (352.8, 362.0, "10"), (363.9, 381.9, "月底"), (419.7, 428.9, "12"), (430.8, 448.8, "月底")]);
        spread(&mut top, 98.3, 9.0, &[(67.3, 121.3, "资金支出计划")]);
        spread(&mut top, 114.5, 9.0, &[(81.1, 107.4, "（%）")]);
        spread(&mut top, 116.8, 9.0, &[(169.5, 187.8, "25%"), (308.7, 327.0, "50%"), (383.7, 401.9, "75%"), (438.3, 460.9, "100%")]);
        spread(&mut top, 136.7, 9.0, &[(135.1, 187.3, "1.保障行政审")]);
        spread(&mut top, 144.7, 9.0, &[(76.3, 112.3, "绩效目标")]);
        spread(&mut top, 152.8, 9.0, &[(138.7, 183.7, "批正常开展")]);
        let tables = read(&[page(2, foot, vec![]), page(3, top, vec![])]);
        assert_eq!(tables.len(), 1);
        let t = &tables[0];
        assert_eq!(t.pages, vec![2, 3]);
        // The project's name on page 2 reads the same; the value is page 3's.
        let (value, budget) = (cell(t, "行政审批业务经费", Some(3)), cell(t, "预算数", Some(2)));
        assert_eq!((value.col, value.col_span), (budget.col, 1), "{:?}", t.cells);
    }

    #[test]
    fn a_forms_rows_of_figures_overleaf_are_read_as_the_forms() {
        // caofeidian_2021 without rules pages 4 → 5 (open_norules, LibreOffice), its glyph boxes:
        // 6.印章刻制服务 cut after 资金支出计划's row; page 5 opens with （%） | 25% | 50% | 75% |
        // 100%, mostly figures. Read with the form's words overleaf, the part is the form's: 100%,
        // set flush right under 12 月底, reaches back over the empty slot before it, and no
        // seventh column stands between 12 月底 and 100%.
        let mut foot = Vec::new();
        spread(&mut foot, 686.6, 10.0, &[(76.0, 116.0, "项目编码"), (138.1, 255.2, "13020925P00009810002E"), (277.7, 317.7, "项目名称"), (407.9, 467.9, "印章刻制服务")]);
        spread(&mut foot, 706.7, 10.0, &[(262.6, 312.6, "其中：财政"), (322.8, 332.8, "资")]);
        spread(&mut foot, 715.7, 10.0, &[(148.3, 178.3, "预算数"), (230.1, 255.6, "69.75"), (375.8, 401.3, "69.75"), (417.8, 457.8, "其他资金")]);
        spread(&mut foot, 716.8, 10.0, &[(61.0, 131.0, "预算规模及资金")]);
        spread(&mut foot, 724.6, 10.0, &[(292.7, 302.7, "金")]);
        spread(&mut foot, 734.7, 10.0, &[(86.0, 106.0, "用途")]);
        spread(&mut foot, 744.8, 10.0, &[(138.1, 198.1, "印章刻制资金")]);
        spread(&mut foot, 764.9, 10.0, &[(66.0, 126.0, "资金支出计划"), (183.1, 188.7, "3"), (190.6, 210.6, "月底"), (283.9, 289.5, "6"), (291.5, 311.5, "月底"), (354.4, 364.7, "10"), (366.7, 386.7, "月底"), (455.3, 465.6, "12"), (467.6, 487.6, "月底")]);
        let mut top = Vec::new();
        spread(&mut top, 60.1, 10.0, &[(81.4, 110.7, "（%）"), (235.3, 255.6, "25%"), (313.8, 334.1, "50%"), (381.1, 401.4, "75%"), (510.8, 535.8, "100%")]);
        spread(&mut top, 80.3, 10.0, &[(138.1, 234.0, "1.1.保证机关正常运转")]);
        spread(&mut top, 89.2, 10.0, &[(76.0, 116.0, "绩效目标")]);
        spread(&mut top, 98.2, 10.0, &[(138.1, 226.9, "2.刻章补贴顺利拨付")]);
        let tables = read(&[page(4, foot, vec![]), page(5, top, vec![])]);
        assert_eq!(tables.len(), 1);
        let t = &tables[0];
        assert_eq!((t.pages.clone(), t.n_cols), (vec![4, 5], 6), "{:?}", t.cells);
        let (december, share) = (cell(t, "12月底", None), cell(t, "100%", None));
        assert_eq!((share.col, share.col_span), (december.col, december.col_span), "{:?}", t.cells);
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
