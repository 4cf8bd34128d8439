//! Identities across the tables of one document, as a 预算/决算公开 reviewer checks them:
//!
//! - the "三公" table: 合计 = 因公出国（境）费 + 公务用车购置及运行费 + 公务接待费, and
//!   公务用车购置及运行费 = 购置费 + 运行费, under each measure it prints (预算数, 决算数);
//! - 基本支出 = 人员经费 + 公用经费: the 经济分类 基本支出 table's two parts against the 基本支出
//!   the 功能分类 table of the same fund scope prints;
//! - the 收支总表's totals against the totals of the 收入总表 and the 支出总表;
//! - inside a 收支总表 (决算 above all): 总计 = 本年支出合计 + 结余分配 + 年末结转和结余, and on the
//!   income side 总计 = 本年收入合计 + 使用非财政拨款结余 + 年初结转和结余.
//!
//! finance.rs already sums a table's columns where its header groups them (a 三公 table whose 合计
//! is a column over its items) and compares the same total across the 科目 tables: an identity it
//! has already reported is not reported again (one defect, one warning). A difference within
//! rounding of the printed step is `rounding`; a larger one `identity_mismatch`, at one place with
//! the other side in `related`.

use rust_decimal::Decimal;

use crate::interpret::classify::{classify, FinancialKind, TableKind};
use crate::interpret::headers::{covering, label_key, row_cells, strip_list_number, table_context};
use crate::interpret::lines::is_total_label;
use crate::interpret::values::{canon, factor_of, parse_amount};
use crate::interpret::{BudgetLine, Record};
use crate::model::{Place, Table, Warning};

/// Adds the identity findings to `warnings` (finance.rs's, already deduplicated). An identity that
/// fails in a table where finance.rs already reported an arithmetic finding is the same printed
/// slip carried on (a 302 one cent off makes 公用经费合计 and then 基本支出 one cent off): its
/// places go into that warning's `related`, not into a warning of their own.
pub fn check_identities(tables: &[Table], records: &[Record], warnings: &mut Vec<Warning>) {
    let kinds: Vec<TableKind> = tables.iter().map(classify).collect();
    let mut found = Vec::new();
    for (table, kind) in tables.iter().zip(&kinds) {
        // A 三公 table is known by its title, or by its header where the title was printed over
        // two lines and read cut short (Jiangsu's "…“三公”经费、会议费、培训费支出预" / "算表").
        let items_in_header = |t: &Table| {
            let header: Vec<Item> = t.cells.iter().filter(|c| c.row < t.header_rows).filter_map(|c| Item::of(&c.text)).collect();
            header.contains(&Item::Abroad) && header.contains(&Item::Reception)
        };
        match kind {
            TableKind::Financial(FinancialKind::ThreePublic) => found.extend(three_public(table)),
            _ if items_in_header(table) => found.extend(three_public(table)),
            TableKind::Financial(FinancialKind::IncomeExpenditureSummary) => found.extend(summary_grand_totals(table)),
            _ => {}
        }
    }
    let lines: Vec<&BudgetLine> = records
        .iter()
        .filter_map(|r| if let Record::BudgetLine(l) = r { Some(l) } else { None })
        .collect();
    found.extend(basic_split(&lines));
    found.extend(summary_vs_details(tables, &kinds));
    for w in found {
        let arithmetic = |a: &Warning| {
            matches!(a.code.as_str(), "sum_mismatch" | "rounding" | "cross_table_mismatch" | "hierarchy_mismatch")
        };
        // The same slip: finance.rs found it in the identity's own table, or at the very row the
        // identity compares with (a 支出总表 whose 合计 misses its parts is the 合计 the 收支总表
        // disagrees with).
        let same = |a: &Warning| {
            a.table.is_some()
                && (a.table == w.table || w.related.iter().any(|p| a.table == Some(p.table) && a.row == p.row))
        };
        match warnings.iter_mut().find(|a| arithmetic(a) && same(a)) {
            Some(earlier) => {
                let own = earlier.table.map(|t| Place { table: t, row: earlier.row });
                let places = w.table.map(|t| Place { table: t, row: w.row }).into_iter().chain(w.related);
                for p in places {
                    if Some(p) != own && !earlier.related.contains(&p) {
                        earlier.related.push(p);
                    }
                }
            }
            None => warnings.push(w),
        }
    }
}

/// The printed step of a table's figures in its own unit: one unit of the most decimals printed.
fn step_of(values: &[&str]) -> Decimal {
    let decimals = values
        .iter()
        .filter(|t| parse_amount(t, Decimal::ONE).is_some())
        .map(|t| canon(t).split_once('.').map_or(0, |(_, f)| f.len().min(4)))
        .max()
        .unwrap_or(2);
    Decimal::new(1, decimals as u32)
}

/// `Some(code)` when `total` and `sum` of `n` printed addends differ: `rounding` within half a step
/// per addend (at least one step), `identity_mismatch` beyond.
fn judge(total: Decimal, sum: Decimal, n: usize, step: Decimal) -> Option<&'static str> {
    let diff = (total - sum).abs();
    let tol = (step * Decimal::from(n) / Decimal::TWO).max(step);
    if diff.is_zero() {
        None
    } else if diff <= tol {
        Some("rounding")
    } else {
        Some("identity_mismatch")
    }
}

fn warn(code: &str, message: String, table: usize, row: Option<usize>, related: Vec<Place>) -> Warning {
    let mut w = Warning::new(code, message).at(table, row);
    w.related = related;
    w
}

// ---------------------------------------------------------------------------------------------
// 三公: 合计 = 因公出国（境） + 公务用车购置及运行 + 公务接待; 车 = 购置 + 运行.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    Total,
    Abroad,
    Cars,
    Purchase,
    Running,
    Reception,
}

impl Item {
    fn of(text: &str) -> Option<Item> {
        let t = canon(text).replace(['"', '“', '”', '‘', '’'], "");
        let t = strip_list_number(&t);
        let t = t.strip_prefix("其中:").unwrap_or(&t);
        if t == "合计" || t == "三公经费合计" || t == "三公经费小计" {
            Some(Item::Total)
        } else if t.starts_with("因公出国(境)") || t.starts_with("因公出国") {
            Some(Item::Abroad)
        } else if t.starts_with("公务用车购置及运行") {
            Some(Item::Cars)
        } else if t == "公务用车购置费" || t == "公务用车购置" || t == "购置费" {
            Some(Item::Purchase)
        } else if matches!(t, "公务用车运行费" | "公务用车运行维护费" | "运行费" | "运行维护费") {
            Some(Item::Running)
        } else if t.starts_with("公务接待") {
            Some(Item::Reception)
        } else {
            None
        }
    }

    fn name(self) -> &'static str {
        match self {
            Item::Total => "合计",
            Item::Abroad => "因公出国（境）费",
            Item::Cars => "公务用车购置及运行费",
            Item::Purchase => "购置费",
            Item::Running => "运行费",
            Item::Reception => "公务接待费",
        }
    }
}

/// The 三公 table printed as columns (the items in its header, the figures in the rows below):
/// for each item, its figure columns with the measure each prints ("预算数", "决算数", or "" for
/// the only one). A label spanning others' labels (公务用车购置及运行费 over 小计 | 购置费 | 运行费)
/// keeps the columns no other label claims (its 小计).
fn item_columns(table: &Table, h: usize) -> Vec<(Item, Vec<(usize, String)>)> {
    let header: Vec<&crate::model::Cell> = table.cells.iter().filter(|c| c.row < h).collect();
    let mut labels: Vec<(Item, &crate::model::Cell)> = header.iter().filter_map(|c| Item::of(&c.text).map(|i| (i, *c))).collect();
    // The 三公 total is the column of the "三公" heading that none of its items claims (its 合计 or
    // 小计). A 合计 outside that heading adds more (Jiangsu: 三公 + 会议费 + 培训费), and without
    // the heading a 合计 is the 三公 total only where the table prints no other expense beside it.
    let group = header.iter().find(|c| c.col_span > 1 && canon(&c.text).contains("三公"));
    let others = header.iter().any(|c| ["会议费", "培训费"].iter().any(|k| canon(&c.text).contains(k)));
    labels.retain(|(i, _)| *i != Item::Total || (group.is_none() && !others));
    if let Some(g) = group {
        labels.insert(0, (Item::Total, *g));
    }
    let mut out: Vec<(Item, Vec<(usize, String)>)> = Vec::new();
    for (item, cell) in &labels {
        if out.iter().any(|(i, _)| i == item) {
            continue;
        }
        // A 合计 under the cars' label is its 小计, not the table's total.
        if *item == Item::Total
            && labels.iter().any(|(i, c)| *i == Item::Cars && c.row < cell.row && c.col <= cell.col && cell.col < c.col + c.col_span)
        {
            continue;
        }
        let claimed_by_other = |col: usize| {
            labels.iter().any(|(i, c)| i != item && c.row > cell.row && c.col <= col && col < c.col + c.col_span)
        };
        let cols: Vec<(usize, String)> = (cell.col..cell.col + cell.col_span)
            .filter(|&col| !claimed_by_other(col))
            .filter_map(|col| {
                let leaf = covering(table, h - 1, col)?;
                if leaf.col != col {
                    return None;
                }
                let key = label_key(&leaf.text);
                let measure = if leaf.row > cell.row && (key.ends_with("预算数") || key.ends_with("决算数")) {
                    key[key.len() - "预算数".len()..].to_string()
                } else {
                    String::new()
                };
                Some((col, measure))
            })
            .collect();
        if !cols.is_empty() {
            out.push((*item, cols));
        }
    }
    out
}

fn three_public(table: &Table) -> Vec<Warning> {
    let h = table.header_rows;
    if h == 0 || h >= table.n_rows {
        return Vec::new();
    }
    let factor = factor_of(table_context(table).unit.as_deref());
    let columns = item_columns(table, h);
    let cols_of = |item: Item| columns.iter().find(|(i, _)| *i == item).map(|(_, c)| c.as_slice());
    let (Some(total), Some(abroad), Some(cars), Some(reception)) =
        (cols_of(Item::Total), cols_of(Item::Abroad), cols_of(Item::Cars), cols_of(Item::Reception))
    else {
        return Vec::new();
    };
    let body: Vec<&str> = table.cells.iter().filter(|c| c.row >= h).map(|c| c.text.as_str()).collect();
    let step = step_of(&body) * factor;
    let mut out = Vec::new();
    for r in h..table.n_rows {
        let value = |cols: &[(usize, String)], measure: &str| -> Option<Option<Decimal>> {
            let (col, _) = cols.iter().find(|(_, m)| m == measure)?;
            Some(covering(table, r, *col).filter(|c| c.row == r).and_then(|c| parse_amount(&c.text, factor)))
        };
        let measures: Vec<&String> = total.iter().map(|(_, m)| m).collect();
        for measure in measures {
            let identities: [(Item, &[(usize, String)], Vec<(Item, &[(usize, String)])>); 2] = [
                (Item::Total, total, vec![(Item::Abroad, abroad), (Item::Cars, cars), (Item::Reception, reception)]),
                (
                    Item::Cars,
                    cars,
                    match (cols_of(Item::Purchase), cols_of(Item::Running)) {
                        (Some(p), Some(q)) => vec![(Item::Purchase, p), (Item::Running, q)],
                        _ => Vec::new(),
                    },
                ),
            ];
            for (whole_item, whole_cols, parts) in identities {
                if parts.is_empty() {
                    continue;
                }
                let Some(whole) = value(whole_cols, measure) else { continue };
                let part_values: Option<Vec<Option<Decimal>>> = parts.iter().map(|(_, c)| value(c, measure)).collect();
                let Some(part_values) = part_values else { continue };
                // A row printing none of them (a note row) says nothing; a blank reads as 0.
                if whole.is_none() && part_values.iter().all(Option::is_none) {
                    continue;
                }
                let whole = whole.unwrap_or_default();
                let sum: Decimal = part_values.iter().flatten().sum();
                if let Some(code) = judge(whole, sum, parts.len(), step) {
                    let named: Vec<String> = parts
                        .iter()
                        .zip(&part_values)
                        .map(|((i, _), v)| format!("{} {}", i.name(), v.unwrap_or_default() / factor))
                        .collect();
                    let of = if measure.is_empty() { String::new() } else { format!(" ({measure})") };
                    out.push(warn(
                        code,
                        format!(
                            "\"{}\" row {r}{of}: {} = {} but {} = {}",
                            table.title.as_deref().unwrap_or("三公"),
                            whole_item.name(),
                            whole / factor,
                            named.join(" + "),
                            sum / factor
                        ),
                        table.index,
                        Some(r),
                        Vec::new(),
                    ));
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// 收支总表: 总计 = 本年合计 + what is carried (结余分配, 年末结转和结余; 年初结转和结余 …).

/// One labelled figure of a summary table: the label's column, the amount's column, its row.
struct Labelled {
    label_col: usize,
    amount_col: usize,
    row: usize,
    label: String,
    value: Option<Decimal>,
}

/// Every (label, figure to its right) pair of a summary table, labels without their list numbers.
fn labelled_figures(table: &Table, factor: Decimal) -> Vec<Labelled> {
    let mut out = Vec::new();
    for r in 0..table.n_rows {
        let cells = row_cells(table, r);
        for (i, cell) in cells.iter().enumerate() {
            let label = canon(&cell.text);
            if label.is_empty() || parse_amount(&label, Decimal::ONE).is_some() {
                continue;
            }
            let Some(next) = cells.get(i + 1) else { continue };
            out.push(Labelled {
                label_col: cell.col,
                amount_col: next.col,
                row: r,
                label,
                value: parse_amount(&next.text, factor),
            });
        }
    }
    out
}

fn is_numbered(label: &str) -> bool {
    strip_list_number(label) != label
}

/// "本年收入合计", "本年支出合计", "当年收入小计": the year's own total, before what is carried.
fn is_year_total(label: &str) -> bool {
    let t = strip_list_number(label);
    (t.starts_with("本年") || t.starts_with("当年")) && (t.ends_with("合计") || t.ends_with("小计"))
}

fn summary_grand_totals(table: &Table) -> Vec<Warning> {
    let factor = factor_of(table_context(table).unit.as_deref());
    let figures = labelled_figures(table, factor);
    let body: Vec<&str> = table.cells.iter().map(|c| c.text.as_str()).collect();
    let step = step_of(&body) * factor;
    let mut out = Vec::new();
    let mut columns: Vec<(usize, usize)> = figures.iter().map(|f| (f.label_col, f.amount_col)).collect();
    columns.sort();
    columns.dedup();
    for (lc, ac) in columns {
        let column: Vec<&Labelled> = figures.iter().filter(|f| f.label_col == lc && f.amount_col == ac).collect();
        let Some(year_at) = column.iter().position(|f| is_year_total(&f.label)) else { continue };
        // The grand total below it: 总计, or a 合计 closing a column whose year total is a 小计
        // (Jiangsu: 当年收入小计 … 收入合计).
        let Some(grand_at) = column[year_at + 1..]
            .iter()
            .position(|f| {
                let t = strip_list_number(&f.label);
                t.ends_with("总计") || (is_total_label(&t) && !is_year_total(&t))
            })
            .map(|i| year_at + 1 + i)
        else {
            continue;
        };
        let (year, grand) = (column[year_at], column[grand_at]);
        let (Some(year_value), Some(grand_value)) = (year.value, grand.value) else { continue };
        // What is carried: the rows between. An unnumbered heading followed by numbered rows
        // (年初财政拨款结转和结余 / 一、一般公共预算财政拨款 / 二、…) counts once: its own figure
        // where it prints one, else its rows'.
        let between = &column[year_at + 1..grand_at];
        let mut carried = Decimal::ZERO;
        let mut n = 1;
        let mut names = Vec::new();
        let mut i = 0;
        while i < between.len() {
            let head = between[i];
            let children: Vec<&Labelled> = between[i + 1..].iter().take_while(|f| is_numbered(&f.label)).copied().collect();
            if !is_numbered(&head.label) && !children.is_empty() {
                let v = head.value.unwrap_or_else(|| children.iter().filter_map(|c| c.value).sum());
                carried += v;
                n += if head.value.is_some() { 1 } else { children.len() };
                names.push(format!("{} {}", head.label, v / factor));
                i += 1 + children.len();
            } else {
                if let Some(v) = head.value {
                    carried += v;
                    n += 1;
                    names.push(format!("{} {}", head.label, v / factor));
                }
                i += 1;
            }
        }
        if let Some(code) = judge(grand_value, year_value + carried, n, step) {
            out.push(warn(
                code,
                format!(
                    "\"{}\": {} = {} but {} {}{} = {}",
                    table.title.as_deref().unwrap_or("收支总表"),
                    grand.label,
                    grand_value / factor,
                    year.label,
                    year_value / factor,
                    names.iter().map(|x| format!(" + {x}")).collect::<String>(),
                    (year_value + carried) / factor
                ),
                table.index,
                Some(grand.row),
                vec![Place { table: table.index, row: Some(year.row) }],
            ));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// 基本支出 = 人员经费 + 公用经费 (经济分类表 vs 功能分类表).

/// The fund scope a title speaks for, as finance.rs scopes its totals.
fn fund_scope(title: &str) -> &'static str {
    let t = canon(title);
    ["一般公共预算", "政府性基金", "国有资本", "财政拨款"].into_iter().find(|s| t.contains(s)).unwrap_or("部门")
}

fn total_line<'l>(lines: &[&'l BudgetLine], name: impl Fn(&str) -> bool) -> Option<&'l BudgetLine> {
    lines.iter().copied().find(|l| l.subject_code.is_none() && l.subject_name.as_deref().is_some_and(|n| name(&canon(n))))
}

fn amount_keyed(line: &BudgetLine, key: &str) -> Option<Decimal> {
    line.amounts.iter().find(|(k, _)| label_key(k) == key).and_then(|(_, v)| *v)
}

fn place_of(line: &BudgetLine) -> Place {
    Place { table: line.source_tables.last().copied().unwrap_or_default(), row: line.row }
}

fn basic_split(lines: &[&BudgetLine]) -> Vec<Warning> {
    // Lines by their table (first source table), with its title.
    let mut tables: Vec<(usize, Vec<&BudgetLine>)> = Vec::new();
    for l in lines {
        let Some(&t) = l.source_tables.first() else { continue };
        match tables.iter_mut().find(|(x, _)| *x == t) {
            Some((_, v)) => v.push(l),
            None => tables.push((t, vec![l])),
        }
    }
    let title = |ls: &[&BudgetLine]| canon(ls.first().and_then(|l| l.table_title.as_deref()).unwrap_or(""));
    let mut out = Vec::new();
    for (_, econ) in &tables {
        let t = title(econ);
        if !t.contains("基本支出") || t.contains("功能") {
            continue;
        }
        // The parts: 人员经费 / 公用经费 columns of its total row with no 合计 column beside them
        // (a 合计 column is summed by finance.rs and compared across tables there), or two
        // 人员经费合计 / 公用经费合计 rows (a 决算 table printing the two as side-by-side blocks).
        let (staff, office, place) = if let Some(total) = total_line(econ, |n| n == "合计" || n == "总计") {
            let has_total_column = total.amounts.keys().any(|k| matches!(label_key(k).as_str(), "合计" | "小计" | "总计"));
            match (amount_keyed(total, "人员经费"), amount_keyed(total, "公用经费")) {
                (Some(s), Some(o)) if !has_total_column => (s, o, place_of(total)),
                _ => continue,
            }
        } else {
            let (Some(s), Some(o)) = (total_line(econ, |n| n == "人员经费合计"), total_line(econ, |n| n == "公用经费合计")) else {
                continue;
            };
            let value = |l: &BudgetLine| if l.amounts.len() == 1 { l.amounts.values().next().copied().flatten() } else { None };
            let (Some(sv), Some(ov)) = (value(s), value(o)) else { continue };
            (sv, ov, place_of(s))
        };
        let scope = fund_scope(&t);
        // The 功能分类 tables of the same scope that print a 基本支出 column on their total row.
        for (_, func) in &tables {
            let ft = title(func);
            if ft.contains("基本支出") || ft.contains("收入") || fund_scope(&ft) != scope {
                continue;
            }
            let Some(total) = total_line(func, |n| is_total_label(n)) else { continue };
            let Some(basic) = amount_keyed(total, "基本支出") else { continue };
            // Amounts are in 元; a table printed in 万元 to 2 decimals has a step of 100 元.
            let unit = econ.first().and_then(|l| l.amount_unit.as_deref());
            let step = factor_of(unit) * Decimal::new(1, 2);
            if let Some(code) = judge(basic, staff + office, 2, step) {
                out.push(warn(
                    code,
                    format!(
                        "基本支出 is {basic} 元 in \"{ft}\" but 人员经费 {staff} + 公用经费 {office} = {} 元 in \"{t}\"",
                        staff + office
                    ),
                    place.table,
                    place.row,
                    vec![place_of(total)],
                ));
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// 收支总表 totals = the 收入总表's and the 支出总表's totals.

fn summary_vs_details(tables: &[Table], kinds: &[TableKind]) -> Vec<Warning> {
    let income = tables.iter().find(|t| detail_side(t) == Some("收入"));
    let spending = tables.iter().find(|t| detail_side(t) == Some("支出"));
    let mut out = Vec::new();
    for (table, kind) in tables.iter().zip(kinds) {
        if *kind != TableKind::Financial(FinancialKind::IncomeExpenditureSummary) {
            continue;
        }
        let ctx = table_context(table);
        if fund_scope(ctx.title.as_deref().unwrap_or("")) != "部门" {
            continue;
        }
        let factor = factor_of(ctx.unit.as_deref());
        let figures = labelled_figures(table, factor);
        for (side, detail) in [("收入", &income), ("支出", &spending)] {
            // A detail table printing no unit of its own is in the document's unit, which the
            // 收支总表 prints (西南大学 2021: 收入预算表 in 万元 under the 收支总表's 单位 line).
            let Some((value, place, title)) = detail.and_then(|t| grid_total(t, factor)) else { continue };
            let (value, place, title) = (&value, &place, &title);
            // The side's year total and grand total ("本年收入合计", "收入总计"; 预算 tables print
            // only the latter, or "收入合计"): the detail table may state either.
            let stated: Vec<&Labelled> = figures
                .iter()
                .filter(|f| {
                    let t = strip_list_number(&f.label);
                    t.contains(side) && (t.ends_with("合计") || t.ends_with("总计") || t.ends_with("小计"))
                })
                .filter(|f| f.value.is_some())
                .collect();
            if stated.is_empty() || stated.iter().any(|f| f.value == Some(*value)) {
                continue;
            }
            let first = stated[0];
            let printed = first.value.unwrap_or_default();
            let body: Vec<&str> = table.cells.iter().map(|c| c.text.as_str()).collect();
            let step = step_of(&body) * factor;
            if let Some(code) = judge(printed, *value, 1, step) {
                out.push(warn(
                    code,
                    format!(
                        "{} is {} in \"{}\" but the total of \"{title}\" is {}",
                        first.label,
                        printed / factor,
                        table.title.as_deref().unwrap_or("收支总表"),
                        *value / factor
                    ),
                    table.index,
                    Some(first.row),
                    vec![*place],
                ));
            }
        }
    }
    out
}

/// Which side of the 部门 收支总表 a detail table itemises: the 收入总表 / 收入决算表 ("收入"), the
/// 支出总表 / 支出决算表 ("支出"); a fund's own table (财政拨款, 一般公共预算 …) or a part of the
/// spending (基本支出, 项目支出) is none.
fn detail_side(table: &Table) -> Option<&'static str> {
    let title = canon(table.title.as_deref()?);
    if fund_scope(&title) != "部门" || title.contains("基本支出") || title.contains("项目支出") {
        return None;
    }
    let ends = |side: &str| ["决算表", "预算总表", "总表", "预算表"].iter().any(|k| title.ends_with(&format!("{side}{k}")));
    if ends("收入") && !title.contains("支出") {
        Some("收入")
    } else if ends("支出") && !title.contains("收入") {
        Some("支出")
    } else {
        None
    }
}

/// A table's grand total as its grid prints it: the first amount right of a 合计 / 总计 that opens
/// its row, with the place and the table's title.
fn grid_total(table: &Table, document_factor: Decimal) -> Option<(Decimal, Place, String)> {
    let factor = table_context(table).unit.map_or(document_factor, |u| factor_of(Some(&u)));
    (table.header_rows..table.n_rows).find_map(|r| {
        let cells = row_cells(table, r);
        let first = cells.iter().position(|c| !c.text.trim().is_empty())?;
        let label = canon(&cells[first].text);
        // "合计", "总计", "收入总计" (Jiangsu prints it first); a 小计 is a part's.
        if !is_total_label(&label) || label.ends_with("小计") {
            return None;
        }
        let value = cells[first + 1..].iter().find_map(|c| parse_amount(&c.text, factor))?;
        Some((value, Place { table: table.index, row: Some(r) }, table.title.clone().unwrap_or_default()))
    })
    .or_else(|| {
        // A one-row table whose first column is headed 合计 (Jiangsu's 支出预算总表: 合计 | 基本支出 |
        // 项目支出 … over a single row of figures).
        let h = table.header_rows;
        if h == 0 || table.n_rows != h + 1 {
            return None;
        }
        let head = covering(table, h - 1, 0)?;
        if canon(&head.text) != "合计" {
            return None;
        }
        let value = parse_amount(&covering(table, h, 0)?.text, factor)?;
        Some((value, Place { table: table.index, row: Some(h) }, table.title.clone().unwrap_or_default()))
    })
}
