//! Tables without a full grid (issue 15): the seed project tables and the Shanghai 填报表 drawn
//! three-line and with no rules at all, flowing over page breaks; financial tables ruled only
//! between their column groups; and two-page 项目绩效目标表 forms whose second page has one column
//! fewer and no top rule. The contents are the other modules' documents (same data, same
//! records); only the rules, the page flow and, for the two-page forms, the drawing change.

use std::rc::Rc;

use yusuan::interpret::{ProjectPerformance, Record};

use crate::chongqing::{project_record, project_table, q, CqProject};
use crate::hebei::{self, PairKind};
use crate::model::*;

/// Three-line: a thick rule above and below, a thinner one under the header, nothing else. A form
/// without header rows (001, 004, Shanghai) gets its header rule under the indicator header row
/// (一级指标 | 二级指标 | …), where such forms print it.
fn three_line(t: &TableModel) -> Border {
    let rule_under = if t.header_rows > 0 {
        Some(t.header_rows - 1)
    } else {
        t.cells.iter().find(|c| c.text == "一级指标").map(|c| c.row)
    };
    Border::Ruled(Rules { top: true, bottom: true, thick: true, rule_under, ..Rules::default() })
}

fn no_rules(_: &TableModel) -> Border {
    Border::Ruled(Rules::default())
}

/// Vertical rules only, at the edges between the column groups the first header row names
/// ("收　　入" | "支　　出"; "功能分类科目" | 合计 | 基本支出 | 项目支出); no horizontal rule.
fn column_groups(t: &TableModel) -> Border {
    let groups = t.cells.iter().filter(|c| c.row == 0 && c.col > 0).fold(0u64, |m, c| m | 1 << c.col);
    Border::Ruled(Rules { groups, ..Rules::default() })
}

/// The same document with every table's rules replaced; with `flow`, without its page breaks, so
/// that tables run on and break across pages wherever the producer puts the break.
fn restyle(mut doc: DocModel, name: &str, rules: fn(&TableModel) -> Border, flow: bool, note: &str) -> DocModel {
    doc.name = name.to_string();
    doc.description = format!("{} — {note}", doc.description);
    doc.blocks = doc
        .blocks
        .into_iter()
        .filter(|b| !(flow && matches!(b, Block::PageBreak)))
        .map(|b| match b {
            Block::Table(mut t) => {
                t.border = rules(&t);
                Block::Table(t)
            }
            other => other,
        })
        .collect();
    doc
}

/// The tables `range` of a document with the paragraphs between them, their records and warnings
/// renumbered from 0. What was printed before the first of them is kept when `heading` is empty,
/// else replaced by `heading`.
fn excerpt(doc: DocModel, range: std::ops::Range<usize>, heading: Vec<Block>, name: &str, description: &str) -> DocModel {
    let keep_intro = heading.is_empty();
    let mut blocks = heading;
    let mut seen = 0;
    for b in doc.blocks {
        let keep = match b {
            Block::Table(_) => range.contains(&seen),
            // after table `seen - 1`, before table `seen`
            _ => (seen > range.start && seen < range.end) || (seen == range.start && keep_intro),
        };
        if matches!(b, Block::Table(_)) {
            seen += 1;
        }
        if keep {
            blocks.push(b);
        }
    }
    let records = doc.records.clone();
    let start = range.start;
    let kept = range.clone();
    DocModel {
        name: name.to_string(),
        description: description.to_string(),
        landscape: doc.landscape,
        blocks,
        warnings: doc
            .warnings
            .into_iter()
            .filter(|w| w.table.is_some_and(|t| range.contains(&t)))
            .map(|w| ExpectedWarning { table: w.table.map(|t| t - start), ..w })
            .collect(),
        records: Rc::new(move |fmt| {
            records(fmt)
                .into_iter()
                .filter_map(|mut r| {
                    let ts = source_tables(&mut r);
                    if !ts.iter().all(|t| kept.contains(t)) {
                        return None;
                    }
                    ts.iter_mut().for_each(|t| *t -= start);
                    Some(r)
                })
                .collect()
        }),
        docx_bookmarks: None,
    }
}

fn source_tables(r: &mut Record) -> &mut Vec<usize> {
    match r {
        Record::ProjectPerformance(p) => &mut p.source_tables,
        Record::BudgetLine(b) => &mut b.source_tables,
        Record::DepartmentPerformance(d) => &mut d.source_tables,
    }
}

/// The seed project tables and the Shanghai 填报表, each document restyled.
fn seed_forms(rules: fn(&TableModel) -> Border, tag: &str, note: &str) -> Vec<DocModel> {
    let tongnan = crate::chongqing::tongnan_doc("tongnan_2021");
    // 004's four 项目绩效目标表 are its tables 10–13 (after nine financial tables and the 整体绩效目标表)
    let tongnan_projects = excerpt(
        tongnan,
        10..14,
        vec![Block::Title("重庆市潼南区政务服务管理办公室2021年项目绩效目标".into())],
        "tongnan_2021_projects",
        "004 潼南 2021: the four Chongqing 项目绩效目标表 (vertical 绩效指标 label, 一级/二级 spanning rows, \"指标 1:\" items)",
    );
    vec![
        restyle(hebei::shanhaiguan_doc("x"), &format!("shanhaiguan_2021_{tag}"), rules, true, note),
        restyle(hebei::pair_doc("x", PairKind::Caofeidian, false, None), &format!("caofeidian_2021_{tag}"), rules, true, note),
        restyle(hebei::pair_doc("x", PairKind::Yutian, false, None), &format!("yutian_2024_{tag}"), rules, true, note),
        restyle(tongnan_projects, &format!("tongnan_2021_projects_{tag}"), rules, true, note),
        restyle(crate::shanghai::perf_docs().remove(0), &format!("binjiang_perf_2023_{tag}"), rules, true, note),
    ]
}

/// The documents at `keep` (positions in `docs`).
pub fn only(docs: Vec<DocModel>, keep: &[usize]) -> Vec<DocModel> {
    docs.into_iter().enumerate().filter(|(i, _)| keep.contains(i)).map(|(_, d)| d).collect()
}

pub fn threeline_seed_docs() -> Vec<DocModel> {
    seed_forms(three_line, "3line", "drawn three-line (thick top and bottom rules, a rule under the header / indicator header row, no verticals), projects running on over page breaks")
}

pub fn borderless_seed_docs() -> Vec<DocModel> {
    seed_forms(no_rules, "norules", "drawn without any rule, projects running on over page breaks")
}

/// Financial tables ruled only between their column groups: the Shanghai 司法局 budget (收支总表,
/// 13-column 收入预算总表, 支出预算总表 over pages without its header, 经济分类, 三公), 004's nine
/// financial tables (with the source's five inconsistencies) and a county department's tables.
pub fn column_group_docs() -> Vec<DocModel> {
    let note = "ruled only between column groups (vertical rules at the edges of the first header row's cells; no horizontal rule)";
    let fin = excerpt(crate::chongqing::tongnan_doc("x"), 0..9, Vec::new(), "x", "004 潼南 2021: the nine financial tables (万元) with the source's five inconsistencies");
    vec![
        restyle(crate::shanghai::budget_docs_small().remove(0), "binjiang_justice_2023_groups", column_groups, false, note),
        restyle(fin, "tongnan_2021_finance_groups", column_groups, false, note),
        restyle(crate::misc::threeline_docs().remove(1), "yuhe_market_2024_groups", column_groups, false, note),
    ]
}

// ---------------------------------------------------------------------------------------------
// A two-page 项目绩效目标表 whose second page has one column fewer and no top rule.

/// A Chongqing-layout project (004's 项目绩效目标表) long enough for two pages: eighteen 数量指标.
fn lab_project() -> CqProject {
    let n = |l3, v| q("产出指标", "数量指标", l3, v);
    let mut inds = vec![
        n("更新基础化学实验教学设备台套数", "≥120(台套)"),
        n("更新物理实验教学设备台套数", "≥85(台套)"),
        n("新建虚拟仿真实验项目数", "≥6(个)"),
        n("改造实验室间数", "=8(间)"),
        n("配置实验室安全监控点位", "≥64(个)"),
        n("开设实验课程门数", "≥42(门)"),
        n("受益学生人数", "≥6500(人)"),
        n("实验指导教师培训人次", "≥120(人次)"),
        n("编写实验讲义种数", "≥10(种)"),
        n("开放实验室周学时", "≥60(学时)"),
        n("危化品智能柜配置数", "=16(个)"),
        n("实验废弃物暂存间建设数", "=2(间)"),
        n("大型仪器共享机时", "≥3000(小时)"),
        n("学生创新实验项目立项数", "≥30(项)"),
        n("校企共建实验课程数", "≥4(门)"),
        n("实验室安全培训覆盖人数", "≥7000(人)"),
        n("设备维护保养次数", "≥4(次)"),
        n("实验教学资源库条目数", "≥500(条)"),
    ];
    inds.extend([
        q("产出指标", "质量指标", "设备验收合格率", "=100%"),
        q("产出指标", "质量指标", "实验开出率", "≥98%"),
        q("产出指标", "质量指标", "实验室安全检查合格率", "=100%"),
        q("产出指标", "质量指标", "仪器设备完好率", "≥95%"),
        q("产出指标", "时效指标", "设备采购完成时间", "≤9(月)"),
        q("产出指标", "时效指标", "实验室改造完成时间", "≤8(月)"),
        q("产出指标", "成本指标", "设备采购成本控制率", "≤100%"),
        q("产出指标", "成本指标", "实验室改造单间成本", "≤25(万元)"),
        q("效益指标", "社会效益指标", "学生实践创新能力", "明显提升"),
        q("效益指标", "社会效益指标", "实验室安全事故发生数", "=0(起)"),
        q("效益指标", "可持续影响指标", "设备使用年限", "≥8(年)"),
        q("效益指标", "可持续影响指标", "实验室开放共享机制", "长期有效"),
        q("满意度指标", "服务对象满意度指标", "学生满意度", "≥90%"),
        q("满意度指标", "服务对象满意度指标", "教师满意度", "≥90%"),
    ]);
    CqProject {
        name: "实验教学示范中心设备更新项目",
        dept: "重庆市教育委员会",
        unit_name: "重庆嘉陵学院",
        total: "860.00",
        nature: "一次",
        start: "2024年1月1日",
        end: "2024年12月31日",
        overview: "更新基础化学、大学物理实验教学设备，改造实验室8间，建设虚拟仿真实验项目和实验室安全监控系统，配置危化品智能柜及实验废弃物暂存间，提升实验教学条件和实验室安全管理水平。",
        basis: "《教育部关于加强高校实验室安全工作的意见》（教技函〔2019〕36号）、《重庆市教育事业发展“十四五”规划》",
        goal: "完成实验教学设备更新和实验室改造，实验开出率达到98%以上，实验室安全检查合格率100%，学生实践创新能力明显提升。",
        inds,
    }
}

/// Rows `rows` of the logical table as a table of their own, without grid column `drop` and with
/// its own column widths: a cell that starts above the first row keeps its box (empty, as
/// LibreOffice draws the part of a merged cell on the next page) over the rows it still covers.
fn part(t: &TableModel, rows: std::ops::Range<usize>, drop: Option<usize>, widths: &[f32], border: Border) -> TableModel {
    let mut p = TableModel::new(widths);
    p.font_pt = t.font_pt;
    p.border = border;
    p.header_rows = 0;
    p.n_rows = rows.len();
    for c in &t.cells {
        let (top, bottom) = (c.row.max(rows.start), (c.row + c.rs).min(rows.end));
        if top >= bottom || drop.is_some_and(|d| c.col == d && c.cs == 1) {
            continue;
        }
        let shift = |k: usize| if drop.is_some_and(|d| k > d) { k - 1 } else { k };
        let cs = if drop.is_some_and(|d| c.col <= d && d < c.col + c.cs) { c.cs - 1 } else { c.cs };
        p.cells.push(MCell {
            row: top - rows.start,
            col: shift(c.col),
            rs: bottom - top,
            cs,
            text: if top == c.row { c.text.clone() } else { String::new() },
            ..c.clone()
        });
    }
    assert_eq!(p.cells.iter().map(|c| c.rs * c.cs).sum::<usize>(), p.n_rows * p.n_cols(), "a drawn part does not tile its grid");
    p
}

/// One two-page form: drawn as page 1 (rows before `split`, every column) and, after a page
/// break, page 2 (the rest, without the 绩效指标 column, columns of other widths, no top rule).
/// The DOCX family (`split` None) holds the logical table alone.
fn continued_doc(name: &str, ruled: bool, split: Option<usize>) -> DocModel {
    let mut t = project_table(&lab_project());
    // 项目名称 … 项目当年绩效目标 are rows 0–6; row 7 holds the 一级指标 | 二级指标 … headings
    let header_row = 7;
    let (first, second) = if ruled {
        let all = Rules { top: true, bottom: true, sides: true, inside_h: true, inside_v: true, ..Rules::default() };
        (all, Rules { top: false, ..all })
    } else {
        let three = Rules { top: true, bottom: false, thick: true, rule_under: Some(header_row), ..Rules::default() };
        (three, Rules { top: false, bottom: true, thick: true, ..Rules::default() })
    };
    t.border = Border::Ruled(Rules { bottom: true, ..first });
    if let Some(s) = split {
        // page 2: 一级 | 二级 | 三级 (two grid columns) | 指标值, none at page 1's widths
        t.drawn = vec![
            part(&t, 0..s, None, &t.widths.clone(), Border::Ruled(first)),
            part(&t, s..t.n_rows, Some(0), &[17.0, 19.0, 22.0, 16.0, 26.0], Border::Ruled(second)),
        ];
    }
    let title = "重庆嘉陵学院2024年项目支出绩效目标表";
    let blocks = vec![Block::Heading(title.into()), Block::Right("单位：万元".into()), Block::Table(t)];
    let record = move |fmt: Fmt| match project_record(&lab_project(), fmt, 0) {
        // the heading above the table is its title
        Record::ProjectPerformance(p) => Record::ProjectPerformance(ProjectPerformance { title: Some(title.into()), ..p }),
        other => other,
    };
    DocModel {
        name: name.to_string(),
        description: format!(
            "Two-page 项目绩效目标表 in 004's Chongqing layout (万元), {}; {}",
            if ruled { "ruled in full" } else { "three-line" },
            if split.is_some() {
                "page 2 drawn with one column fewer (no 绩效指标 column, other widths) and no top rule; 产出指标 / 数量指标 span the page break"
            } else {
                "the logical table as one DOCX table"
            }
        ),
        landscape: false,
        docx_bookmarks: None,
        blocks,
        warnings: vec![],
        records: Rc::new(move |fmt| vec![record(fmt)]),
    }
}

/// Row 8 is the first indicator; page 1 ends inside the 数量指标 block (16 of its 18 rows).
const FORM_SPLIT: usize = 8 + 16;

pub fn continued_docs(pdf: bool) -> Vec<DocModel> {
    let split = pdf.then_some(FORM_SPLIT);
    vec![continued_doc("jialing_lab_2024_ruled", true, split), continued_doc("jialing_lab_2024_threeline", false, split)]
}
