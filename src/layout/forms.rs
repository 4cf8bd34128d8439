//! Forms and indicator tables printed without any rules (a 项目绩效目标表 set borderless): runs of
//! lines split into pieces that line up in columns, mostly words rather than figures, which the
//! figures-first reading of [`unruled`](super::unruled) leaves alone. Evidence: a run of table
//! lines (no prose, no title) close together, with several lines of three pieces or more whose
//! gaps line up in two column gaps or more; a line of short labels only (一级指标 | 二级指标 | …)
//! heads a table of its own, so it ends the run before it. The grid inside the found frame is
//! decided as for open tables ([`open::open_grid`](super::open)).

use crate::decode::pdf::Glyph;

use super::grid::CellGrid;
use super::open::{band_lines, chunks, ends_the_page, header_labels, open_grid_across, tabular, Frame, CELL_INDENT, CHUNK_GAP};
use super::overleaf::Overleaf;
use super::text::{self, height_and_gap, TextLine};

/// Lines of three pieces or more a run needs, and how many pieces such a line has.
const FORM_ROWS: usize = 4;
const FORM_COLUMNS: usize = 3;
/// Lines of three pieces or more a table cut by the page's foot needs (its header and a row).
const CUT_ROWS: usize = 2;
/// Lines of three pieces or more rows at a page top need under a table left open overleaf.
const OVERLEAF_ROWS: usize = 1;
/// A form's rows cut by the page break reach below this share of the page height.
const PAGE_FOOT: f64 = 0.7;
/// Lines further apart than this many line heights do not continue a run.
const FORM_LEADING: f64 = 2.6;
/// A line of labels heading a table is set at least this many times further below the line
/// before than the run's usual gap.
const HEADER_GAP: f64 = 1.5;

/// What the page before tells about this page's top.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageTop {
    /// Nothing runs on into this page (or the page is read alone).
    Fresh,
    /// An open table ran to the foot of the page before, with no rule closing it: rows at this
    /// page's top may be its rows, though too few of them line up to show a table alone
    /// (LibreOffice sets a form's last rows, （%） | 25% | 50% … and 绩效目标 beside its
    /// wrapped text, or an indicator table's last rows with each value on a line of its own).
    AfterOpenTable,
}

/// Tables without rules whose cells are mostly words, in the text outside `taken`, on a page
/// read alone.
pub fn form_tables(glyphs: &[Glyph], taken: &[[f64; 4]], page_width: f64, page_height: f64) -> Vec<(CellGrid, usize)> {
    form_tables_on(glyphs, taken, (page_width, page_height), (PageTop::Fresh, &Overleaf::NONE))
}

/// Tables without rules whose cells are mostly words, in the text outside `taken`, on a page of
/// `size` whose `top` may carry on a table from the page before, the parts of its tables cut by
/// its edges on the pages beside it in `beside`.
pub fn form_tables_on(glyphs: &[Glyph], taken: &[[f64; 4]], (page_width, page_height): (f64, f64), (top, beside): (PageTop, &Overleaf)) -> Vec<(CellGrid, usize)> {
    let lines = band_lines(glyphs, taken, 0.0, page_width, 0.0, page_height);
    let width = lines.iter().map(|l| l.x1).fold(f64::MIN, f64::max) - lines.iter().map(|l| l.x0).fold(f64::MAX, f64::min);
    let mut out = Vec::new();
    let mut i = 0;
    // Lines before this index belong to a run already.
    let mut free_from = 0;
    while i < lines.len() {
        if chunks(&lines[i]).len() < FORM_COLUMNS || !tabular(&lines[i], width) {
            i += 1;
            continue;
        }
        let end = run_end(&lines, i, width);
        let start = run_start(&lines, i, free_from, width);
        let start = start - title_rows_above(&lines, start, end, free_from);
        let from_page_top = free_from == 0 && runs_from_page_top(&lines[..end], start, width, page_height, top);
        let start = if from_page_top { 0 } else { start };
        // The page's first lines, under a table the page before left open at its foot.
        let overleaf = top == PageTop::AfterOpenTable && start == 0 && lines[0].top < PAGE_TOP * page_height;
        let run = &lines[start..end];
        i = end;
        free_from = end;
        // An indicator table's header and its first row or two at the foot of a page, or a
        // form's first rows there: the table runs on over the page break, so a few lines are
        // rows enough.
        // (A form's rows must reach the lower part of the page: a box of labels and shares
        // alone on a page, a chart's legend, is no form cut by the page break.)
        let last = &run[run.len() - 1];
        // Rows running on from the page before at the page top are the other half of a cut.
        let cut = from_page_top || (ends_the_page(glyphs, last, page_height) && (header_labels(&run[0]) || last.bottom > PAGE_FOOT * page_height));
        let (lines_needed, rows_needed) = if overleaf {
            (OVERLEAF_ROWS, CUT_ROWS)
        } else if cut {
            (CUT_ROWS, CUT_ROWS)
        } else {
            (FORM_ROWS, FORM_COLUMNS)
        };
        // Overleaf the rows may be a form's figures (（%） | 25% | 50% …): words are not asked.
        if !aligned(run, lines_needed, !overleaf) {
            continue;
        }
        let frame = frame_of(run);
        out.extend(open_grid_across(&frame, glyphs, taken, beside).filter(|(g, _)| g.n_cols() >= FORM_COLUMNS && g.n_rows() >= rows_needed));
    }
    out
}

/// The first line of a run found at `first`: the lines of two pieces or more right above it, at
/// a row's distance (a form's 项目名称 | name row heads it), the labels set between two of
/// them ([`text::side_label`]) and a cell's first line wrapped around the first row
/// ([`text::cell_wrapped_around`]), down from `free_from`.
fn run_start(lines: &[TextLine], first: usize, free_from: usize, width: f64) -> usize {
    let mut start = first;
    while start > free_from {
        let (prev, next) = (&lines[start - 1], &lines[start]);
        let (height, gap) = height_and_gap(prev, next);
        let beside = start - 1 > free_from && text::side_label(&lines[start - 2], prev, next, CHUNK_GAP, FORM_LEADING);
        // The last line of a paragraph wrapped beside its label: the three lines are a row.
        let row_of_three = start >= free_from + 3
            && chunks(prev).len() == 1
            && text::label_beside_paragraph(&lines[start - 3], &lines[start - 2], prev, CHUNK_GAP, FORM_LEADING);
        if row_of_three && gap <= FORM_LEADING * height {
            start -= 3;
            continue;
        }
        // The first line of a cell wrapped around the run's first row: the row starts there.
        if lines.get(start + 1).is_some_and(|after| text::cell_wrapped_around(prev, next, after, CHUNK_GAP, FORM_LEADING)) {
            start -= 1;
            continue;
        }
        // Above such a line, the first line of a cell wrapped in three whose second lies on the
        // run's first row, flush with it (13022924P0 / 0JXC417313 / P beside 项目编码, over the
        // name's first line): the row starts there too.
        let flush_above_row = |p: &TextLine| {
            let (own, row) = (text::chunk_spans(p, CHUNK_GAP), text::chunk_spans(&lines[first], CHUNK_GAP));
            matches!(own[..], [piece] if row.iter().any(|q| (q.0 - piece.0).abs() < 1.0))
        };
        if start < first && flush_above_row(prev) && gap <= FORM_LEADING * height {
            start -= 1;
            continue;
        }
        if (chunks(prev).len() < 2 && !beside) || !tabular(prev, width) || gap > FORM_LEADING * height {
            break;
        }
        start -= 1;
    }
    start
}

/// Whether the lines above `start` up to the page top are rows of a table running on from the
/// page before: the first line on the page is near its top, no line is a title, and each is a
/// possible row or a cell's wrapped paragraph (starting well inside the run's left edge, where
/// no prose line starts), close below the one before. A table continued without rules has no
/// header to mark it, and LibreOffice sets a cell's value on a line of its own, centred against
/// the wrapped text beside it, so few of these lines split in several pieces; that nothing but
/// such lines stands above the run is the evidence. Where the page before left an open table
/// at its foot (`top`), a cell's paragraph wrapped over two lines or more does as well as a row
/// in several pieces (行政审批业 / 务经费, the use of a form cut by the break).
fn runs_from_page_top(lines: &[TextLine], start: usize, width: f64, page_height: f64, top: PageTop) -> bool {
    let Some(first) = lines.first() else { return false };
    let left = lines.iter().map(|l| l.x0).fold(f64::MAX, f64::min);
    let row = |l: &TextLine| {
        let cell_paragraph = l.x0 > left + CELL_INDENT * (l.bottom - l.top);
        !text::looks_like_title(&l.text()) && (tabular(l, width) || cell_paragraph)
    };
    let close = |k: usize| {
        let (height, gap) = height_and_gap(&lines[k - 1], &lines[k]);
        gap <= FORM_LEADING * height
    };
    // One of them is a row in several pieces: a lone short line above a table (单位：元 set
    // flush right under its title) is no row.
    let several = lines[..start].iter().any(|l| chunks(l).len() >= 2) || (top == PageTop::AfterOpenTable && start >= 2);
    start > 0 && first.top < PAGE_TOP * page_height && several && lines[..start].iter().all(row) && (1..=start).all(close)
}

/// A table running on from the page before starts above this share of the page height.
const PAGE_TOP: f64 = 0.2;

/// A form's title rows are at most this many lines (the title and its （2023年度）), centred on
/// the run within this share of its width, their tops apart by the run's pitch within this share.
const TITLE_ROWS: usize = 2;
const TITLE_CENTRE: f64 = 0.03;
const TITLE_PITCH: f64 = 0.1;

/// How many lines right above the run `start..end` are its title rows: centred one-piece lines
/// set at the run's own row pitch, the title row and the year row a form prints inside its
/// frame. A title above a table is parted from it by a wider gap than its rows are; these are
/// not, and without rules nothing else tells them apart.
fn title_rows_above(lines: &[TextLine], start: usize, end: usize, free_from: usize) -> usize {
    let run = &lines[start..end];
    let [first, second, ..] = run else { return 0 };
    let pitch = second.top - first.top;
    let x0 = run.iter().map(|l| l.x0).fold(f64::MAX, f64::min);
    let x1 = run.iter().map(|l| l.x1).fold(f64::MIN, f64::max);
    let mut k = start;
    while k > free_from && start - k < TITLE_ROWS {
        let (line, below) = (&lines[k - 1], &lines[k]);
        let centred = ((line.x0 + line.x1) - (x0 + x1)).abs() / 2.0 <= TITLE_CENTRE * (x1 - x0);
        let at_pitch = (below.top - line.top - pitch).abs() <= TITLE_PITCH * pitch;
        if chunks(line).len() != 1 || !centred || !at_pitch {
            break;
        }
        k -= 1;
    }
    start - k
}

/// The end of the run of table lines starting at `start`: lines close below each other, each a
/// possible row, up to a line of header labels set further below the line before than the run's
/// lines usually are (it starts the next table; a form's row of labels follows at the usual gap).
fn run_end(lines: &[TextLine], start: usize, width: f64) -> usize {
    let mut end = start + 1;
    // The gaps so far, kept sorted: the usual one is their median.
    let mut gaps: Vec<f64> = Vec::new();
    let left = lines[start].x0;
    while end < lines.len() {
        let (height, gap) = height_and_gap(&lines[end - 1], &lines[end]);
        let next = &lines[end];
        let usual = gaps.get(gaps.len() / 2).copied().unwrap_or(gap);
        let new_table = header_labels(next) && gap > HEADER_GAP * usual.max(0.5);
        // A paragraph set in a form's value column (项目概况's text beside its label) is a
        // cell: it starts well inside the run's left edge, where no prose line starts. A
        // centred title starts there too, and ends the run: the next form's title row.
        let cell_paragraph = next.x0 > left + CELL_INDENT * height && !text::looks_like_title(&next.text());
        if gap > FORM_LEADING * height || !(tabular(next, width) || cell_paragraph) || new_table {
            break;
        }
        // Only gaps between rows set the usual spacing: the lines of a cell wrapped beside a
        // label one line high overlap (LibreOffice sets them closer than their height), and
        // where they are many their median would make any row gap look like a blank line.
        if gap > 0.0 {
            gaps.insert(gaps.partition_point(|&g| g < gap), gap);
        }
        end += 1;
    }
    end
}

/// Whether a run is a table of words: `rows` lines or more of several pieces whose gaps line up
/// in two column gaps or more, and (when `words` asks) fewer figures among the pieces than a
/// figures table holds (those are read by [`unruled`](super::unruled)). A label set centred
/// against the rows it heads is counted with them ([`text::with_side_labels`]).
fn aligned(run: &[TextLine], rows: usize, words: bool) -> bool {
    let (many, spans): (Vec<&TextLine>, Vec<Vec<(f64, f64)>>) =
        run.iter().zip(text::with_side_labels(run, &text::line_pieces(run, CHUNK_GAP), FORM_LEADING)).filter(|(_, s)| s.len() >= FORM_COLUMNS).unzip();
    if many.len() < rows {
        return false;
    }
    let gaps = text::column_gaps(&spans, rows);
    let pieces: Vec<String> =
        many.iter().zip(&spans).flat_map(|(l, line_spans)| line_spans.iter().map(|&(x0, x1)| l.text_between(x0, x1))).collect();
    gaps.len() + 1 >= FORM_COLUMNS && (!words || text::mostly_words(&pieces))
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
    use crate::layout::text::tests::put;

    #[test]
    fn a_forms_indicator_header_at_its_row_gap_continues_the_form_though_wrapped_lines_overlap() {
        // tongnan_2021_projects without rules page 2 (open_norules, LibreOffice): the second
        // form's paragraphs wrap at 8.1 pt, closer than their 9 pt glyphs, as often as its rows
        // are apart; 绩 | 一级指标 | … follows 标 at the gap between rows. One table, as the
        // truth's 16 × 6 grid (绩效指标 spans the indicator rows), not a form and a table.
        let mut g = Vec::new();
        put(&mut g, 495.5, &[(77.4, "项目名称"), (286.8, "政务服务工作站建设经费")]);
        put(&mut g, 514.2, &[(77.4, "主管部门"), (194.3, "区政务服务管理办"), (354.4, "实施单位"), (442.5, "区政务服务管理办")]);
        put(&mut g, 533.0, &[(68.4, "资金总额（万"), (331.9, "项目性质（常年或一")]);
        put(&mut g, 541.0, &[(313.8, "36"), (469.5, "一次")]);
        put(&mut g, 549.1, &[(86.4, "元）"), (363.4, "次）")]);
        put(&mut g, 567.9, &[(68.4, "项目起始时间"), (198.0, "2021年3月1日"), (345.4, "项目终止时间"), (441.6, "2021年12月31日")]);
        put(&mut g, 586.6, &[(136.8, "在邮政、银行、广场等场所设置自助设备，并派导办人员或以镇企合作等方式，为办事群众提供业务")]);
        put(&mut g, 594.7, &[(77.4, "项目概况")]);
        put(&mut g, 602.8, &[(136.8, "查询、证照打印、自助申报等服务。")]);
        put(&mut g, 621.5, &[(77.4, "立项依据"), (136.8, "渝府办发〔2020〕30号、潼南府办发〔2020〕30号")]);
        put(&mut g, 640.3, &[(63.9, "项目当年绩效目")]);
        put(&mut g, 648.3, &[(136.8, "打通政务服务“最后一公里”，提升企业、群众办事满意度。")]);
        put(&mut g, 656.4, &[(90.9, "标")]);
        put(&mut g, 675.2, &[(61.9, "绩"), (87.0, "一级指标"), (147.3, "二级指标"), (289.4, "三级指标"), (465.0, "指标值")]);
        put(&mut g, 691.3, &[(61.9, "效"), (87.0, "产出指标"), (199.4, "指标1:在潼南城区内2个地点配置自助查询和证照打")]);
        put(&mut g, 707.5, &[(61.9, "指"), (147.3, "数量指标"), (199.4, "印设备，并派导办人员或以政企合作方式，为群众提"), (436.6, "服务群众3万人次/年")]);
        put(&mut g, 723.6, &[(61.9, "标"), (199.4, "供服务。")]);
        put(&mut g, 745.0, &[(147.3, "质量指标"), (199.4, "指标1:政务服务向“最后一公里”拓展延伸，让群众"), (441.1, "有效评价2万条/年")]);
        put(&mut g, 761.1, &[(199.4, "“就近办事”，提升社会效益、公众信任程度。")]);
        let mut tables = form_tables(&g, &[], 595.0, 842.0);
        let [(grid, _)] = &mut tables[..] else { panic!("one table expected, got {}", tables.len()) };
        grid.fill_text(&g);
        let texts: Vec<&str> = grid.cells.iter().map(|c| c.text.as_str()).collect();
        assert!(texts.contains(&"项目名称") && texts.iter().any(|t| t.starts_with("一级指标")), "{texts:?}");
    }

    #[test]
    fn rows_running_on_from_the_page_before_at_the_page_top_are_a_table() {
        // tongnan_2021_projects without rules page 3 (open_norules, LibreOffice): the page opens
        // with the indicator rows of page 2's last form, no header; each value sits on a line of
        // its own centred against the wrapped text beside it, so few lines split in three.
        let mut g = Vec::new();
        put(&mut g, 60.0, &[(199.4, "指标1:政务服务全天24小时“不打烊”，年度实现")]);
        put(&mut g, 68.0, &[(147.3, "时效指标"), (530.9, "0")]);
        put(&mut g, 76.1, &[(199.4, "“零”超时办结件。")]);
        put(&mut g, 94.9, &[(199.4, "指标1:一是2个地点配置自助申报设备、自助查询和")]);
        put(&mut g, 102.9, &[(147.3, "成本指标"), (463.6, "36万元")]);
        put(&mut g, 111.0, &[(199.4, "证照打印一体机；二是导办人员或政企合作经费。")]);
        put(&mut g, 129.8, &[(138.3, "经济效益指标"), (199.4, "指标1:节约办事成本，提高社会效率。"), (445.6, "办件量3万件/年")]);
        put(&mut g, 148.5, &[(199.4, "指标1:打通政务服务“最后一公里”，工作人员服务")]);
        put(&mut g, 164.7, &[(138.3, "社会效益指标"), (199.4, "始终做到举止文明、热情礼貌、用语规范、服务高"), (451.3, "好评率≧90%")]);
        put(&mut g, 180.8, &[(87.0, "效益指标"), (199.4, "效，细节体现个性化。")]);
        put(&mut g, 199.6, &[(199.4, "指标1:政务服务机构及时了解，响应企业和群众服务")]);
        put(&mut g, 207.6, &[(138.3, "可持续影响指")]);
        put(&mut g, 215.7, &[(199.4, "需求，持续提升服务质量和效率，更好服务企业和群"), (451.3, "好评率≧90%")]);
        put(&mut g, 223.8, &[(160.8, "标")]);
        put(&mut g, 231.9, &[(199.4, "众的良性互动机制。")]);
        put(&mut g, 250.6, &[(138.3, "服务对象满意"), (199.4, "指标1:多渠道行使监督权，综合评价模式更加健全，")]);
        put(&mut g, 258.7, &[(82.5, "满意度指标"), (451.3, "好评率≧90%")]);
        put(&mut g, 266.8, &[(151.8, "度指标"), (199.4, "实现服务“零投诉”。")]);
        let mut tables = form_tables(&g, &[], 595.0, 842.0);
        let [(grid, _)] = &mut tables[..] else { panic!("one table expected, got {}", tables.len()) };
        grid.fill_text(&g);
        // From the page's first line, the value column included.
        assert!(grid.ys[0] < 60.0, "{:?}", grid.ys);
        assert!(grid.cells.iter().any(|c| c.text == "0") && grid.cells.iter().any(|c| c.text == "36万元"));
    }

    #[test]
    fn a_lone_unit_line_above_a_form_at_the_page_top_is_no_row() {
        // shanhaiguan_2021 without rules page 3 (open_norules, LibreOffice): 单位：元 flush right
        // above the form's first row, the page's first line. The form starts below it.
        let mut g = Vec::new();
        put(&mut g, 80.0, &[(380.0, "单位：元")]);
        put(&mut g, 100.0, &[(60.0, "项目编码"), (140.0, "P001"), (260.0, "项目名称"), (340.0, "优化营商环境")]);
        put(&mut g, 116.0, &[(60.0, "预算数"), (140.0, "135000.00"), (260.0, "其他资金"), (340.0, "0.00")]);
        put(&mut g, 132.0, &[(60.0, "资金用途"), (140.0, "改革经费"), (260.0, "实施单位"), (340.0, "行政审批局")]);
        put(&mut g, 148.0, &[(60.0, "绩效目标"), (140.0, "优化服务"), (260.0, "项目性质"), (340.0, "一次性")]);
        let tables = form_tables(&g, &[], 595.0, 842.0);
        let [(grid, _)] = &tables[..] else { panic!("one form expected, got {}", tables.len()) };
        assert!(grid.ys[0] > 89.0, "{:?}", grid.ys);
    }

    #[test]
    fn a_code_wrapped_around_the_forms_first_row_belongs_to_it() {
        // caofeidian_2021 without rules page 4 (open_norules, LibreOffice): the project code is
        // too long for its cell and wraps (…10510001 / G); 项目编码 | 项目名称 | name are
        // centred on the row, between the code's two lines. The code's first line is the row's.
        let mut g = Vec::new();
        put(&mut g, 93.8, &[(140.0, "13020925P00010510001")]);
        put(&mut g, 100.0, &[(60.0, "项目编码"), (260.0, "项目名称"), (340.0, "审批大厅群企服务经费")]);
        put(&mut g, 106.2, &[(140.0, "G")]);
        put(&mut g, 126.0, &[(60.0, "预算数"), (140.0, "135000.00"), (260.0, "其他资金"), (340.0, "0.00")]);
        put(&mut g, 142.0, &[(60.0, "资金用途"), (140.0, "改革经费"), (260.0, "实施单位"), (340.0, "行政审批局")]);
        put(&mut g, 158.0, &[(60.0, "绩效目标"), (140.0, "优化服务"), (260.0, "项目性质"), (340.0, "一次性")]);
        let mut tables = form_tables(&g, &[], 595.0, 842.0);
        let [(grid, _)] = &mut tables[..] else { panic!("one form expected, got {}", tables.len()) };
        grid.fill_text(&g);
        assert!(grid.ys[0] < 93.8, "{:?}", grid.ys);
        assert!(grid.cells.iter().any(|c| c.text.replace(" ", "") == "13020925P00010510001G"), "{:?}", grid.cells.iter().map(|c| &c.text).collect::<Vec<_>>());
    }

    #[test]
    fn rows_at_the_page_top_under_a_table_left_open_overleaf_need_less_alignment() {
        // caofeidian_2021 without rules page 5 (open_norules, LibreOffice): the form begun at
        // page 4's foot ends here, its spending plan's second line (（%） | 25% | 50% …) and
        // 绩效目标 beside its two-line text, then a blank stretch. One line in several pieces, and
        // figures: alone on a page that is no table; under a table left open overleaf it is.
        let mut g = Vec::new();
        put(&mut g, 60.1, &[(81.4, "（%）"), (235.3, "25%"), (313.8, "50%"), (381.1, "75%"), (510.8, "100%")]);
        put(&mut g, 80.3, &[(138.1, "1.1.保证机关正常运转")]);
        put(&mut g, 89.2, &[(76.0, "绩效目标")]);
        put(&mut g, 98.2, &[(138.1, "2.刻章补贴顺利拨付")]);
        assert!(form_tables(&g, &[], 595.0, 842.0).is_empty());
        let tables = form_tables_on(&g, &[], (595.0, 842.0), (PageTop::AfterOpenTable, &Overleaf::NONE));
        let [(grid, _)] = &tables[..] else { panic!("one table expected, got {}", tables.len()) };
        assert!(grid.ys[0] < 60.1 && grid.n_cols() >= 3, "{:?} {:?}", grid.ys, grid.xs);
        // Further down the page, the same lines are no rows running on.
        let mut lower = Vec::new();
        put(&mut lower, 300.0, &[(81.4, "（%）"), (235.3, "25%"), (313.8, "50%"), (381.1, "75%"), (510.8, "100%")]);
        put(&mut lower, 320.0, &[(76.0, "绩效目标"), (138.1, "1.1.保证机关正常运转")]);
        assert!(form_tables_on(&lower, &[], (595.0, 842.0), (PageTop::AfterOpenTable, &Overleaf::NONE)).is_empty());
    }

    #[test]
    fn a_cells_paragraph_at_the_page_top_under_a_table_left_open_overleaf_runs_on_from_it() {
        // yutian_2024 without rules page 3 (open_norules, LibreOffice): the form 2.行政审批业务
        // 经费 begun at page 2's foot goes on with its use wrapped in two lines (行政审批业 / 务经
        // 费), one piece each, over its spending plan and goal.
        let mut g = Vec::new();
        put(&mut g, 59.95, &[(138.7, "行政审批业")]);
        put(&mut g, 76.05, &[(147.7, "务经费")]);
        put(&mut g, 95.85, &[(148.8, "3月底"), (282.6, "6月底"), (352.8, "10月底"), (419.7, "12月底")]);
        put(&mut g, 98.25, &[(67.3, "资金支出计划")]);
        put(&mut g, 114.45, &[(81.1, "（%）")]);
        put(&mut g, 116.75, &[(169.5, "25%"), (308.7, "50%"), (383.7, "75%"), (438.3, "100%")]);
        put(&mut g, 136.65, &[(135.1, "1.保障行政审")]);
        put(&mut g, 144.65, &[(76.3, "绩效目标")]);
        put(&mut g, 152.75, &[(138.7, "批正常开展")]);
        let top_of = |page_top: PageTop| form_tables_on(&g, &[], (595.0, 842.0), (page_top, &Overleaf::NONE)).first().map(|(grid, _)| grid.ys[0]);
        assert!(top_of(PageTop::AfterOpenTable).is_some_and(|y| y < 59.95), "{:?}", top_of(PageTop::AfterOpenTable));
        // Read alone, the page's two first lines are no rows.
        assert!(top_of(PageTop::Fresh).is_none_or(|y| y > 85.05), "{:?}", top_of(PageTop::Fresh));
    }

    #[test]
    fn a_code_wrapped_in_three_lines_around_the_first_row_starts_the_form() {
        // yutian_2024 without rules page 2 (open_norules, LibreOffice): the form 2.行政审批业务
        // 经费 at the page foot. Its code wraps in three lines (13022924P0 / 0JXC417313 / P), the
        // second on the row's line beside the centred 项目编码 and 项目名称; the name wraps in two
        // around that line, its first line between the code's first two.
        let mut g = Vec::new();
        put(&mut g, 685.05, &[(134.6, "13022924P0")]);
        put(&mut g, 693.05, &[(335.8, "行政审批业务经")]);
        put(&mut g, 701.15, &[(76.3, "项目编码"), (134.6, "0JXC417313"), (277.1, "项目名称")]);
        put(&mut g, 709.25, &[(362.8, "费")]);
        put(&mut g, 717.35, &[(134.6, "P")]);
        put(&mut g, 736.05, &[(62.8, "预算规模及资金"), (147.7, "预算数"), (214.3, "600000.00"), (263.5, "其中：财政"), (317.7, "资"), (358.9, "600000.00"), (416.3, "其他资金")]);
        put(&mut g, 752.25, &[(85.3, "用途"), (290.6, "金")]);
        let tables = form_tables(&g, &[], 595.0, 842.0);
        let [(grid, _)] = &tables[..] else { panic!("one table expected, got {}", tables.len()) };
        assert!(grid.ys[0] < 685.05, "{:?}", grid.ys);
    }

    #[test]
    fn a_centred_cell_wrapped_around_the_first_row_overleaf_belongs_to_it() {
        // shanhaiguan_2021 without rules page 6 (open_norules, LibreOffice): the indicator
        // table's last rows run on from page 5; the first row's 三级指标 wraps centred
        // (建设项目环评执 / 行率) around the row's other cells, the page's first line.
        let mut g = Vec::new();
        put(&mut g, 60.0, &[(180.2, "建设项目环评执")]);
        put(&mut g, 68.0, &[(118.7, "生态效益指标"), (249.0, "建设项目环评执行率"), (411.5, "≥95百分比"), (474.4, "年度工作计划")]);
        put(&mut g, 76.1, &[(202.7, "行率")]);
        put(&mut g, 94.9, &[(118.7, "可持续影响指"), (180.2, "该项目持续收益")]);
        put(&mut g, 102.9, &[(249.0, "投资总额"), (411.5, "≥95百分比"), (474.4, "年度工作计划")]);
        put(&mut g, 111.0, &[(141.2, "标"), (202.7, "年限")]);
        let mut tables = form_tables_on(&g, &[], (595.0, 842.0), (PageTop::AfterOpenTable, &Overleaf::NONE));
        let [(grid, _)] = &mut tables[..] else { panic!("one table expected, got {}", tables.len()) };
        grid.fill_text(&g);
        assert!(grid.ys[0] < 60.0, "{:?}", grid.ys);
        assert!(grid.cells.iter().any(|c| c.text.replace(' ', "") == "建设项目环评执行率" && c.bbox[0] < 200.0), "{:?}", grid.cells.iter().map(|c| &c.text).collect::<Vec<_>>());
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
    fn a_label_beside_its_wrapped_paragraph_at_the_page_top_is_the_first_row_of_the_run() {
        // shanhaiguan_2021 without rules page 5 (open_norules, LibreOffice): the page opens with
        // the form's last row, 绩效目标 centred between the two lines of its text (one piece
        // each), then the indicator header and rows. The three lines are the run's first row.
        let mut g = Vec::new();
        put(&mut g, 60.0, &[(110.0, "1.保证大厅各窗口的专网运行。")]);
        put(&mut g, 68.0, &[(60.0, "绩效目标")]);
        put(&mut g, 76.0, &[(110.0, "2.保障机关正常工作高效运转。")]);
        put(&mut g, 100.0, &[(60.0, "一级指标"), (140.0, "二级指标"), (260.0, "三级指标"), (340.0, "指标值")]);
        for i in 0..4 {
            let y = 120.0 + 18.0 * i as f64;
            put(&mut g, y, &[(60.0, "产出指标"), (140.0, "数量指标"), (260.0, "综合事务保障率"), (340.0, "≥95百分比")]);
        }
        let tables = form_tables(&g, &[], 595.0, 842.0);
        assert_eq!(tables.len(), 1);
        let (grid, _) = &tables[0];
        assert!(grid.ys[0] < 60.0, "{:?}", grid.ys);
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
    fn a_forms_name_row_paragraph_cells_and_the_indicator_rows_below_are_one_run() {
        // tongnan_2021_projects (open_norules, LibreOffice) page 1: the form's 项目概况 text
        // wraps over the value columns (a wide line, as prose is), and 一级指标 | 二级指标 …
        // follows at the gap rows have. All one table, as the page draws it (the truth's 30 × 6
        // grid), not a form cut at the paragraph and an indicator table of its own.
        let mut g = Vec::new();
        // The form's first row has two pieces only: it heads the run all the same.
        put(&mut g, 99.8, &[(77.0, "项目名称"), (273.0, "区行政服务中心日常运行经费")]);
        put(&mut g, 118.5, &[(77.0, "主管部门"), (194.0, "区政务服务管理办"), (354.0, "实施单位"), (451.0, "区政务服务管理办")]);
        put(&mut g, 137.2, &[(68.0, "资金总额（万"), (303.0, "165.5"), (332.0, "项目性质（常年或一"), (469.0, "常年")]);
        put(&mut g, 153.4, &[(86.0, "元）"), (363.0, "次）")]);
        put(&mut g, 172.2, &[(68.0, "项目起始时间"), (198.0, "2021年1月1日"), (345.0, "项目终止时间"), (441.0, "2021年12月31日")]);
        // Paragraphs of four and three lines wrapped at 8.1 pt, closer than their 9 pt glyphs.
        put(&mut g, 190.9, &[(136.8, "潼南区行政服务中心日常运行：水电、宽带服务、律师服务、中心宣传印刷、标识标牌、设施设备维")]);
        put(&mut g, 199.0, &[(136.8, "护及物业管理费等，保障行政服务中心办公场所水电、宽带、律师服务、宣传印刷、标识标牌正常")]);
        put(&mut g, 203.0, &[(77.0, "项目概况")]);
        put(&mut g, 207.1, &[(136.8, "运转，保障设施设备维护及物业管理工作有序开展，为办事群众和入驻部门提供良好的办公环境")]);
        put(&mut g, 215.2, &[(136.8, "和服务条件。")]);
        put(&mut g, 233.9, &[(136.8, "潼南委发〔2018〕12号、潼委办〔2018〕21号、潼委编〔2019〕110号、《重庆市潼南区政务服务")]);
        put(&mut g, 238.0, &[(77.0, "立项依据")]);
        put(&mut g, 242.0, &[(136.8, "管理办公室职能配置、内设机构和人员编制规定》")]);
        put(&mut g, 260.7, &[(63.0, "项目当年绩效目"), (136.8, "保障行政服务中心正常运行，顺利开展行政审批服务工作；推进行政审批服务便利化、网络化，方便")]);
        put(&mut g, 268.8, &[(136.8, "企业、群众办事，提升政务服务质量和群众满意度，优化营商环境，促进全区经济社会高质量发展")]);
        put(&mut g, 276.9, &[(90.0, "标"), (136.8, "和社会和谐稳定。")]);
        put(&mut g, 295.6, &[(87.0, "一级指标"), (147.0, "二级指标"), (289.0, "三级指标"), (465.0, "指标值")]);
        for (k, (three, value)) in [("指标1:入驻政务服务部门；", "28个"), ("指标2:办事窗口；", "182个"), ("指标3:中心工作人员；", "262名"), ("指标4:政务服务事项；", "1187项")].into_iter().enumerate() {
            put(&mut g, 314.3 + 18.75 * k as f64, &[(199.0, three), (465.0, value)]);
        }
        put(&mut g, 351.8, &[(147.0, "数量指标")]);
        let tables = form_tables(&g, &[], 595.0, 842.0);
        let [(grid, _)] = &tables[..] else { panic!("one table expected, got {}", tables.len()) };
        let tops: Vec<f64> = grid.ys.clone();
        assert!(tops[0] < 99.8 && *tops.last().unwrap() > 380.0, "{tops:?}");
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
    fn a_forms_first_rows_at_the_page_foot_are_a_table_cut_by_the_break() {
        // yutian_2024 (open_norules, LibreOffice) page 2: project 2's form starts at the foot of
        // the page with two rows of several pieces (its code and name, its budget); the rest of
        // the form is on page 3. Higher up the page the same two lines are no table.
        let lines = |top: f64| {
            let mut g = Vec::new();
            put(&mut g, top, &[(60.0, "项目编码"), (140.0, "0JXC417313"), (260.0, "项目名称"), (340.0, "行政审批业务经费")]);
            put(&mut g, top + 19.0, &[(60.0, "预算规模"), (140.0, "预算数"), (200.0, "600000.00"), (260.0, "其中：财政资金"), (340.0, "600000.00")]);
            g
        };
        let shapes = |g: &[Glyph]| form_tables(g, &[], 595.0, 842.0).iter().map(|(t, _)| t.n_rows()).collect::<Vec<_>>();
        assert_eq!(shapes(&lines(740.0)), vec![2]);
        let mut g = lines(300.0);
        put(&mut g, 340.0, &[(60.0, "（二）购买第三方服务，优化政务服务。绩效目标：提高窗口服务水平。")]);
        assert!(shapes(&g).is_empty());
    }

    #[test]
    fn the_next_forms_centred_title_ends_the_run_above_it() {
        // binjiang_perf_2023 without rules (open_norules, Chromium) page 3: the first project's
        // last indicator rows, then the second project's 填报表 title and （2023年度） rows,
        // centred, at the same pitch, then its form. The title starts as far inside the run's
        // left edge as a paragraph cell does, but it is a title.
        let mut g = Vec::new();
        let y = |k: usize| 60.0 + 15.75 * k as f64;
        for k in 0..4 {
            put(&mut g, y(k), &[(64.0, "影响力指标"), (164.0, "长效管理"), (227.0, &format!("心理健康指标{k}")), (456.0, "健全")]);
        }
        put(&mut g, y(4), &[(212.0, "上海市滨江区财政项目支出绩效目标填报表")]);
        put(&mut g, y(5), &[(270.0, "（2023年度）")]);
        for k in 6..10 {
            put(&mut g, y(k), &[(64.0, "项目性质"), (164.0, "经常性项目"), (297.0, "项目类别"), (505.0, "一般项目")]);
        }
        let rows: Vec<usize> = form_tables(&g, &[], 595.0, 842.0).iter().map(|(t, _)| t.n_rows()).collect();
        assert_eq!(rows, vec![4, 6]);
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

    /// binjiang_perf_2023 without rules (open_norules, Chromium), page 1: the 填报表's title rows
    /// and its form, every line 15.75 pt below the one before; 项目资金（元） is set midway
    /// between its third and fourth amount rows, a line of its own. `title_gap` is added above
    /// the 项目名称 row.
    fn chromium_form(title_gap: f64) -> Vec<Glyph> {
        let mut g = Vec::new();
        let y = |k: f64| 105.0 + 15.75 * k;
        put(&mut g, y(0.0) - title_gap, &[(212.0, "上海市滨江区财政项目支出绩效目标填报表")]);
        put(&mut g, y(1.0) - title_gap, &[(270.0, "（2023年度）")]);
        put(&mut g, y(2.0), &[(77.4, "项目名称"), (279.0, "中小学生心理健康教育提升项目")]);
        put(&mut g, y(3.0), &[(77.4, "项目性质"), (163.8, "新增项目"), (297.0, "项目类别"), (457.4, "一般项目")]);
        put(&mut g, y(4.0), &[(77.4, "主管部门"), (145.8, "上海市滨江区教育局"), (297.0, "实施单位"), (434.9, "上海市滨江区教育局")]);
        put(&mut g, y(5.0), &[(68.4, "计划开始日期"), (153.3, "2023年1月1日"), (288.0, "计划完成日期"), (441.9, "2023年12月31日")]);
        let amounts = ["项目资金总额", "年度资金申请总额", "其中：财政资金", "其中：当年财政拨款", "上年结转资金", "其他资金"];
        for (k, name) in amounts.into_iter().enumerate() {
            put(&mut g, y(6.0 + k as f64), &[(240.0, name), (489.0, "1,620,000.00")]);
        }
        put(&mut g, y(8.5), &[(63.9, "项目资金（元）")]);
        g
    }

    #[test]
    fn a_label_set_between_two_rows_counts_with_them_and_title_rows_at_the_forms_pitch_are_its_rows() {
        // Without 项目资金（元） counted with the row above it, three lines of the form have
        // three pieces or more: too few for a form, and the page had no table at all.
        let tables = form_tables(&chromium_form(0.0), &[], 595.0, 842.0);
        let [(grid, 0)] = &tables[..] else { panic!("one form expected, got {}", tables.len()) };
        // The title and the year line, centred on the form at its own pitch, are its first rows.
        assert_eq!(grid.n_rows(), 12);
        assert!(grid.ys[0] < 105.0);
        // Set further above than the form's rows are apart, they are a title above it.
        let tables = form_tables(&chromium_form(10.0), &[], 595.0, 842.0);
        let [(grid, 0)] = &tables[..] else { panic!("one form expected, got {}", tables.len()) };
        assert_eq!(grid.n_rows(), 10);
    }

    #[test]
    fn labels_on_lines_of_their_own_stand_in_columns_of_their_own() {
        // binjiang_perf_2023 three-line (open_hrules, Chromium), page 2: the indicator header,
        // 绩效指标's second line alone under it, then indicators with their values; every
        // 一级/二级 label is set between two rows on a line of its own.
        let mut g = Vec::new();
        put(&mut g, 61.3, &[(54.3, "绩效"), (89.7, "一级指标"), (163.7, "二级指标"), (297.0, "三级指标"), (461.9, "指标值")]);
        put(&mut g, 72.6, &[(54.3, "指标")]);
        for k in 0..12 {
            let y = 77.8 + 15.75 * k as f64;
            put(&mut g, y, &[(226.7, &format!("心理健康指标{k}")), (455.9, "≥120(个)")]);
            if k % 4 == 1 {
                put(&mut g, y + 7.9, &[(163.7, "数量指标")]);
            }
            if k == 5 {
                put(&mut g, y + 7.9 + 0.5, &[(89.7, "产出指标")]);
            }
        }
        let tables = form_tables(&g, &[], 595.0, 842.0);
        let [(grid, 1)] = &tables[..] else { panic!("one table with its header expected, got {}", tables.len()) };
        assert_eq!(grid.n_cols(), 5, "{:?}", grid.xs);
        assert!(grid.xs[1] > 72.3 && grid.xs[1] < 89.7, "{:?}", grid.xs);
        assert!(grid.xs[2] > 125.7 && grid.xs[2] < 163.7, "{:?}", grid.xs);
    }
}
