//! Financial table checks: row totals, the 科目 hierarchy (类 = Σ 款, 款 = Σ 项 by code prefix,
//! 总计 = Σ 类), the same total across the tables of one document, and 科目 labels that
//! contradict their code or amount elsewhere in the document.
//!
//! A difference rounding can explain (half a printed step per addend, at least one step) is
//! reported as `rounding`; a larger one as `sum_mismatch` (row totals, 总计) or
//! `hierarchy_mismatch` (类 / 款).

use std::collections::{BTreeMap, HashMap, HashSet};

use rust_decimal::Decimal;

use crate::interpret::classify::{classify, FinancialKind, TableKind};
use crate::interpret::headers::{covering, label_key, row_cells, strip_list_number};
use crate::interpret::lines::{
    declared_header_rows, is_data_row, is_total_label, level_printed_right, subject_layout, subject_layouts, CodeColumns, SubjectLayout,
};
use crate::interpret::values::{canon, factor_of, is_malformed_amount, parse_amount, squash};
use crate::interpret::{BudgetLine, Record};
use crate::model::{Place, Table, Warning};

/// The table a line was printed in: the last of its source tables (a continuation table's lines
/// name the table they continue first).
fn home(line: &BudgetLine) -> usize {
    line.source_tables.last().copied().unwrap_or_default()
}

/// The table a line's row index refers to.
fn home_table<'t>(tables: &'t [Table], line: &BudgetLine) -> Option<&'t Table> {
    tables.iter().find(|t| t.index == home(line))
}

fn warn(code: &str, message: String, table: usize, row: Option<usize>) -> Warning {
    Warning::new(code, message).at(table, row)
}

/// The printed step of a table's amounts in 元: one unit of the last decimal printed (0.01 万元 in a
/// 2-decimal 万元 table, 1 万元 in a table printed in whole 万元).
fn printed_step(table: &Table, layout: Option<&SubjectLayout>, factor: Decimal) -> Decimal {
    let decimals = table
        .cells
        .iter()
        .filter(|c| c.row >= layout.map_or(0, |l| l.header.rows))
        .filter(|c| layout.is_none_or(|l| l.amounts.iter().any(|(col, _)| *col == c.col)))
        .filter(|c| parse_amount(&c.text, Decimal::ONE).is_some())
        .map(|c| canon(&c.text).split_once('.').map_or(0, |(_, frac)| frac.len().min(4)))
        .max()
        .unwrap_or(2);
    factor * Decimal::new(1, decimals as u32)
}

/// The largest difference rounding can explain when `n` printed amounts are added: half a printed
/// step each (each addend rounded by at most half a step), and never less than one step.
fn tolerance(step: Decimal, n: usize) -> Decimal {
    (step * Decimal::from(n) / Decimal::TWO).max(step)
}

/// `Some(code)` when `expected` and `actual` differ: `rounding` within the tolerance, else `larger`.
fn compare(expected: Decimal, actual: Decimal, tol: Decimal, larger: &'static str) -> Option<&'static str> {
    let diff = (expected - actual).abs();
    if diff.is_zero() {
        None
    } else if diff <= tol {
        Some("rounding")
    } else {
        Some(larger)
    }
}

fn is_total_key(key: &str) -> bool {
    key.ends_with("合计") || key.ends_with("小计") || key.ends_with("总计")
}

pub fn check_financial(tables: &[Table], records: &[Record]) -> Vec<Warning> {
    let mut by_table: BTreeMap<usize, Vec<&BudgetLine>> = BTreeMap::new();
    for rec in records {
        if let Record::BudgetLine(l) = rec {
            if let Some(&t) = l.source_tables.first() {
                by_table.entry(t).or_default().push(l);
            }
        }
    }
    let kinds: Vec<TableKind> = tables.iter().map(classify).collect();
    let mut out = Vec::new();
    let mut slips: Vec<Slip> = Vec::new();
    let mut totals: Vec<StatedTotal> = Vec::new();
    for (&t, lines) in &by_table {
        let Some(i) = tables.iter().position(|x| x.index == t) else { continue };
        let table = &tables[i];
        let unit = lines.first().and_then(|l| l.amount_unit.clone());
        let factor = factor_of(unit.as_deref());
        let layout = subject_layout(table);
        let step = printed_step(table, layout.as_ref(), factor);
        if let Some(layout) = layout {
            slips.extend(check_row_totals(tables, table, &layout, lines, factor, step));
            totals.extend(table_totals(tables, kinds[i], &layout, lines, factor));
        }
        slips.extend(check_hierarchy(lines, step));
    }
    for (table, kind) in tables.iter().zip(&kinds) {
        if matches!(kind, TableKind::Financial(_)) && subject_layout(table).is_none() {
            out.extend(check_plain_row_totals(table));
        }
    }
    let mut printing: Vec<(String, Warning)> = Vec::new();
    for lines in by_table.values() {
        printing.extend(check_printing(tables, lines));
    }
    // A table with an unreadable amount cannot be summed: its sums would report the amount we
    // could not read, not a slip of the document.
    let unreadable: HashSet<Option<usize>> =
        printing.iter().filter(|(_, w)| w.code == "malformed_amount").map(|(_, w)| w.table).collect();
    slips.retain(|s| !unreadable.contains(&s.warning.table));
    out.extend(one_warning_per_slip(slips));
    out.extend(one_warning_per_misprint(printing));
    out.extend(check_cross_table(&totals));
    out.extend(check_code_labels(&by_table));
    // The same mislabelled row in the 收支总表 and the 财政拨款收支总表 is one defect.
    let labels = check_summary_labels(tables, &kinds, &by_table).into_iter().map(|w| (w.message.clone(), w)).collect();
    out.extend(one_warning_per_misprint(labels));
    out.extend(one_warning_per_misprint(check_summary_figures(tables, &kinds, &by_table)));
    out
}

/// The fund scope a title speaks for: 财政拨款 (the 一般公共预算 tables are its part that 决算
/// and 预算 print alike) or the whole 部门.
fn fund_scope(title: &str) -> &'static str {
    let t = canon(title);
    if t.contains("财政拨款") || t.contains("一般公共预算") {
        "财政拨款"
    } else {
        "部门"
    }
}

/// The amount a 类 line states for itself: its total column, or its only amount.
fn line_total(l: &BudgetLine) -> Option<Decimal> {
    let total = l.amounts.iter().find(|(k, _)| is_total_key(&label_key(k))).map(|(_, v)| *v);
    match total {
        Some(v) => v,
        None if l.amounts.len() == 1 => l.amounts.values().next().copied().flatten(),
        None => None,
    }
}

/// The 收支总表 against the 科目 tables of its fund scope: an expenditure row labelled with a 类's
/// name must print that 类's amount (`cross_table_mismatch`), and the 类 rows it lists must add up
/// to its 本年支出合计 (`rounding` / `sum_mismatch`). Only where every 科目 table of the scope
/// prints the 类 alike, and only over rows that are all 类 names, so that a layout this reading
/// does not know says nothing.
fn check_summary_figures(
    tables: &[Table],
    kinds: &[TableKind],
    by_table: &BTreeMap<usize, Vec<&BudgetLine>>,
) -> Vec<(String, Warning)> {
    // (scope, 类 name) → the amounts the expenditure 科目 tables print for it, with their places.
    let mut classes: BTreeMap<(&str, String), Vec<(Decimal, Place)>> = BTreeMap::new();
    for lines in by_table.values() {
        for l in lines.iter().filter(|l| l.subject_code.as_deref().is_some_and(|c| c.len() == 3)) {
            let title = l.table_title.as_deref().unwrap_or("");
            if canon(title).contains("收入") && !canon(title).contains("支出") {
                continue;
            }
            let (Some(name), Some(v)) = (&l.subject_name, line_total(l)) else { continue };
            let place = Place { table: home(l), row: l.row };
            classes.entry((fund_scope(title), squash(name))).or_default().push((v, place));
        }
    }
    let mut out = Vec::new();
    for (table, kind) in tables.iter().zip(kinds) {
        if *kind != TableKind::Financial(FinancialKind::IncomeExpenditureSummary) {
            continue;
        }
        let ctx = crate::interpret::headers::table_context(table);
        let scope = fund_scope(ctx.title.as_deref().unwrap_or(""));
        let factor = factor_of(ctx.unit.as_deref());
        let step = printed_step(table, None, factor);
        // (label column, amount column) → the 类 rows' amounts and the 本年支出合计 printed there.
        let mut columns: BTreeMap<(usize, usize), (Vec<Decimal>, bool, Option<(usize, Decimal)>)> = BTreeMap::new();
        for r in 0..table.n_rows {
            let cells = row_cells(table, r);
            for (i, cell) in cells.iter().enumerate() {
                let label = strip_list_number(&squash(&cell.text));
                let Some(next) = cells.get(i + 1) else { continue };
                let value = parse_amount(&next.text, factor);
                let column = columns.entry((cell.col, next.col)).or_insert((Vec::new(), true, None));
                if canon(&label) == "本年支出合计" {
                    column.2 = value.map(|v| (r, v));
                    continue;
                }
                let Some(printed) = classes.get(&(scope, label.clone())) else {
                    // An expenditure row with an amount that is no 类 (基本支出, 项目支出 …): the
                    // column is not a list of 类 and its sum says nothing.
                    if label.ends_with("支出") && column.2.is_none() && value.is_some_and(|v| !v.is_zero()) {
                        column.1 = false;
                    }
                    continue;
                };
                let Some(v) = value else { continue };
                column.0.push(v);
                let reference = printed[0].0;
                if printed.iter().all(|(x, _)| *x == reference) && v != reference {
                    let mut w = warn(
                        "cross_table_mismatch",
                        format!("{label} is {v} in this 收支总表 but {reference} in the 科目 tables"),
                        table.index,
                        Some(r),
                    );
                    w.related = printed.iter().map(|(_, p)| *p).collect();
                    out.push((format!("{label}|{v}|{reference}"), w));
                }
            }
        }
        for (parts, all_classes, total) in columns.into_values() {
            let Some((r, total)) = total else { continue };
            if !all_classes || parts.len() < 2 {
                continue;
            }
            let sum: Decimal = parts.iter().sum();
            if let Some(code) = compare(total, sum, tolerance(step, parts.len()), "sum_mismatch") {
                out.push((
                    format!("{}|{r}|本年支出合计", table.index),
                    warn(code, format!("本年支出合计 = {total} but its 类 rows sum to {sum}"), table.index, Some(r)),
                ));
            }
        }
    }
    out
}

/// A total column and the columns that add up to it.
type TotalGroup = (usize, Vec<usize>);

/// For each total column, the columns that add up to it: the other leaf columns under the same
/// parent header (or all amount columns for a top-level total), with a nested group represented
/// by its own 小计 where it has one.
fn total_groups(table: &Table, layout: &SubjectLayout) -> Vec<TotalGroup> {
    column_groups(table, layout.header.rows, &layout.amounts)
}

fn column_groups(table: &Table, h: usize, amounts: &[(usize, String)]) -> Vec<TotalGroup> {
    let amount_cols: Vec<usize> = amounts.iter().map(|(c, _)| *c).collect();
    let parent_range = |c: usize| -> Option<(usize, usize)> {
        let leaf = covering(table, h - 1, c)?;
        if leaf.row == 0 {
            return None;
        }
        let parent = covering(table, leaf.row - 1, c)?;
        (parent.col_span > 1).then_some((parent.col, parent.col + parent.col_span))
    };
    let totals: Vec<usize> = amounts.iter().filter(|(_, k)| is_total_key(&label_key(k))).map(|(c, _)| *c).collect();
    // A 其中 column is a part of another column, never an addend of a total.
    let amount_cols: Vec<usize> =
        amount_cols.into_iter().filter(|c| !amounts.iter().any(|(x, k)| x == c && canon(k).contains("其中"))).collect();
    let mut groups = Vec::new();
    for &t in &totals {
        let (lo, hi) = parent_range(t).unwrap_or((0, table.n_cols));
        let mut parts: Vec<usize> = Vec::new();
        let mut skip_until = 0;
        for &c in amount_cols.iter().filter(|&&c| c >= lo && c < hi && c != t) {
            if c < skip_until {
                continue;
            }
            // A nested group with its own total: count the total, not its members.
            if let Some((plo, phi)) = parent_range(c) {
                if (plo, phi) != (lo, hi) && plo >= lo && phi <= hi {
                    if let Some(&nested) = totals.iter().find(|&&x| x >= plo && x < phi) {
                        parts.push(nested);
                        skip_until = phi;
                        continue;
                    }
                }
            }
            if !totals.contains(&c) {
                parts.push(c);
            }
        }
        if !parts.is_empty() {
            groups.push((t, parts));
        }
    }
    groups
}

fn amount_at(table: &Table, r: usize, c: usize, factor: Decimal) -> Option<Decimal> {
    covering(table, r, c).filter(|cell| cell.row == r || cell.row_span == 1).and_then(|cell| parse_amount(&cell.text, factor))
}

/// Row `r`'s total column `t` against the sum of its `parts`: `(code, total, sum)` when they
/// differ (a blank total reads as 0); nothing when the row prints none of these columns.
fn row_total_mismatch(
    table: &Table,
    r: usize,
    t: usize,
    parts: &[usize],
    factor: Decimal,
    step: Decimal,
) -> Option<(&'static str, Decimal, Decimal)> {
    let total = amount_at(table, r, t, factor);
    let values: Vec<Option<Decimal>> = parts.iter().map(|&c| amount_at(table, r, c, factor)).collect();
    if total.is_none() && values.iter().all(Option::is_none) {
        return None;
    }
    let sum: Decimal = values.iter().flatten().sum();
    let total = total.unwrap_or(Decimal::ZERO);
    compare(total, sum, tolerance(step, values.len()), "sum_mismatch").map(|code| (code, total, sum))
}

fn check_row_totals(
    tables: &[Table],
    first: &Table,
    layout: &SubjectLayout,
    lines: &[&BudgetLine],
    factor: Decimal,
    step: Decimal,
) -> Vec<Slip> {
    let mut out = Vec::new();
    // Column roles per table the lines were printed in: a continuation that repeated its header
    // has its own layout; one that did not shares the first table's columns.
    let mut layouts: HashMap<usize, Option<(SubjectLayout, Vec<TotalGroup>)>> = HashMap::new();
    for line in lines {
        let Some(r) = line.row else { continue };
        let Some(table) = home_table(tables, line) else { continue };
        let entry = layouts.entry(table.index).or_insert_with(|| {
            let (own, header_table) = if table.index == first.index {
                (Some(layout.clone()), first)
            } else if let Some(repeated) = subject_layout(table) {
                (Some(repeated), table)
            } else if table.n_cols == first.n_cols {
                (Some(layout.clone()), first)
            } else {
                (None, first)
            };
            own.map(|l| {
                let groups = total_groups(header_table, &l);
                (l, groups)
            })
        });
        let Some((own_layout, groups)) = entry.as_ref() else { continue };
        for (t, parts) in groups {
            if let Some((code, total, sum)) = row_total_mismatch(table, r, *t, parts, factor, step) {
                let column = own_layout.amounts.iter().find(|(c, _)| c == t).map(|(_, k)| k.as_str()).unwrap_or("");
                let warning = warn(
                    code,
                    format!(
                        "row {r} ({}): {column} = {total} but its parts sum to {sum}",
                        line.subject_name.as_deref().unwrap_or("")
                    ),
                    table.index,
                    Some(r),
                );
                out.push(Slip::of(warning, total - sum, line, format!("={column}")));
            }
        }
    }
    out
}

/// Row totals of a financial table without 科目 columns (三公, 政府采购, the expenditure half of a
/// 收支总表): its amount columns are those whose data cells are all numbers or blank.
fn check_plain_row_totals(table: &Table) -> Vec<Warning> {
    let h = declared_header_rows(table)
        .or_else(|| (0..table.n_rows).find(|&r| is_data_row(table, r)))
        .unwrap_or(table.n_rows);
    if h == 0 || h >= table.n_rows {
        return Vec::new();
    }
    let ctx = crate::interpret::headers::table_context(table);
    let factor = factor_of(ctx.unit.as_deref());
    let step = printed_step(table, None, factor);
    let header = crate::interpret::headers::Header::read(table, h);
    let amounts: Vec<(usize, String)> = (0..table.n_cols)
        .filter(|&c| !header.leaf[c].is_empty())
        .filter(|&c| covering(table, h - 1, c).is_some_and(|cell| cell.col == c))
        .filter(|&c| {
            let cells: Vec<&str> = (h..table.n_rows)
                .filter_map(|r| covering(table, r, c).filter(|x| x.row == r && x.col == c))
                .map(|x| x.text.trim())
                .filter(|t| !t.is_empty())
                .collect();
            !cells.is_empty() && cells.iter().all(|t| parse_amount(t, Decimal::ONE).is_some() || t.chars().all(|ch| "-—–－".contains(ch)))
        })
        .map(|c| (c, squash(&header.leaf[c])))
        .collect();
    let mut out = Vec::new();
    for (t, parts) in column_groups(table, h, &amounts) {
        for r in h..table.n_rows {
            if let Some((code, total, sum)) = row_total_mismatch(table, r, t, &parts, factor, step) {
                let name = amounts.iter().find(|(c, _)| *c == t).map(|(_, k)| k.as_str()).unwrap_or("");
                out.push(warn(code, format!("row {r}: {name} = {total} but its parts sum to {sum}"), table.index, Some(r)));
            }
        }
    }
    out
}

/// Each amount of `line` against the sum of the same amount over `parts`: `(code, key, value, sum)`
/// where they differ (`larger` beyond the tolerance; a blank reads as 0). An amount that neither the
/// line nor any part prints is skipped.
fn amount_sum_mismatches<'l>(
    line: &'l BudgetLine,
    parts: &[&BudgetLine],
    step: Decimal,
    larger: &'static str,
) -> Vec<(&'static str, &'l str, Decimal, Decimal)> {
    let mut out = Vec::new();
    for (key, value) in &line.amounts {
        let values: Vec<Decimal> = parts.iter().filter_map(|p| p.amounts.get(key).copied().flatten()).collect();
        if value.is_none() && values.is_empty() {
            continue;
        }
        let sum: Decimal = values.iter().sum();
        let v = value.unwrap_or(Decimal::ZERO);
        if let Some(code) = compare(v, sum, tolerance(step, values.len()), larger) {
            out.push((code, key.as_str(), v, sum));
        }
    }
    out
}

/// Parent 科目 = Σ children one level down by code prefix; the 总计 line = Σ top-level 科目.
fn check_hierarchy(lines: &[&BudgetLine], step: Decimal) -> Vec<Slip> {
    let mut out = Vec::new();
    let coded: Vec<(&str, &BudgetLine)> = lines.iter().filter_map(|l| l.subject_code.as_deref().map(|c| (c, *l))).collect();
    for (code, parent) in &coded {
        let below: Vec<&(&str, &BudgetLine)> = coded.iter().filter(|(c, _)| c.len() > code.len() && c.starts_with(code)).collect();
        let Some(child_len) = below.iter().map(|(c, _)| c.len()).min() else { continue };
        let children: Vec<&BudgetLine> = below.iter().filter(|(c, _)| c.len() == child_len).map(|(_, l)| *l).collect();
        for (what, key, v, sum) in amount_sum_mismatches(parent, &children, step, "hierarchy_mismatch") {
            let warning = warn(
                what,
                format!("科目 {code} {key} = {v} but its {} children sum to {sum}", children.len()),
                home(parent),
                parent.row,
            );
            out.push(Slip::of(warning, v - sum, parent, key.to_string()));
        }
    }
    // 总计 = Σ 类 (the shortest codes) of its own list: lines come block after block, and a total
    // closes the list above it (人员经费合计 under its block) or opens the list below it (a 合计
    // printed first); the lists are cut at each total line.
    let is_total = |l: &BudgetLine| l.subject_code.is_none() && l.subject_name.as_deref().is_some_and(is_total_label);
    let totals_at: Vec<usize> = (0..lines.len()).filter(|&i| is_total(lines[i])).collect();
    for (k, &i) in totals_at.iter().enumerate() {
        let previous = if k == 0 { 0 } else { totals_at[k - 1] + 1 };
        let next = totals_at.get(k + 1).copied().unwrap_or(lines.len());
        let coded_in = |range: std::ops::Range<usize>| -> Vec<&BudgetLine> {
            lines[range].iter().filter(|l| l.subject_code.is_some()).copied().collect()
        };
        let above = coded_in(previous..i);
        let list = if above.is_empty() { coded_in(i + 1..next) } else { above };
        let Some(top_len) = list.iter().filter_map(|l| l.subject_code.as_ref().map(String::len)).min() else { continue };
        let tops: Vec<&BudgetLine> =
            list.into_iter().filter(|l| l.subject_code.as_ref().is_some_and(|c| c.len() == top_len)).collect();
        let total = lines[i];
        for (code, key, v, sum) in amount_sum_mismatches(total, &tops, step, "sum_mismatch") {
            let warning = warn(
                code,
                format!("{} {key} = {v} but the top-level 科目 sum to {sum}", total.subject_name.as_deref().unwrap_or("")),
                home(total),
                total.row,
            );
            out.push(Slip::of(warning, v - sum, total, key.to_string()));
        }
    }
    out
}

/// What the lines' rows print wrong in themselves: a 科目 code level printed with the wrong width
/// ("2" for 款 02, "7" for 类 210: `code_defect`, with the code the hierarchy gives), and an amount
/// whose thousands grouping is broken ("1,6": `malformed_amount`, read as no amount).
///
/// Each comes with what identifies the misprint across tables (level, printed text, code read).
fn check_printing(tables: &[Table], lines: &[&BudgetLine]) -> Vec<(String, Warning)> {
    let mut out = Vec::new();
    let mut layouts: HashMap<usize, Vec<SubjectLayout>> = HashMap::new();
    let first_table = lines.first().and_then(|l| l.source_tables.first()).and_then(|&t| tables.iter().find(|x| x.index == t));
    let first_layouts = first_table.map(subject_layouts).unwrap_or_default();
    for line in lines {
        let (Some(r), Some(table)) = (line.row, home_table(tables, line)) else { continue };
        let blocks = layouts.entry(table.index).or_insert_with(|| {
            let own = subject_layouts(table);
            if own.is_empty() && first_table.is_some_and(|f| f.n_cols == table.n_cols) {
                first_layouts.clone()
            } else {
                own
            }
        });
        let text = |c: usize| covering(table, r, c).filter(|cell| cell.row == r).map(|cell| squash(&cell.text)).unwrap_or_default();
        for layout in blocks.iter() {
            if let CodeColumns::Split(cols) = &layout.code {
                let wrong = cols
                    .iter()
                    .enumerate()
                    .map(|(level, &c)| (level, text(c)))
                    // A label merged over the code columns ("合计") is not a code.
                    .filter(|(level, t)| !t.is_empty() && t.chars().all(|ch| ch.is_ascii_digit()) && !level_printed_right(t, *level));
                for (level, printed) in wrong {
                    let level_name = ["类", "款", "项"].get(level).copied().unwrap_or("级");
                    let key = format!("{level}|{printed}|{}", line.subject_code.as_deref().unwrap_or(""));
                    out.push((key, warn(
                        "code_defect",
                        format!(
                            "{level_name} printed \"{printed}\" in the row of {}; read as 科目 {}",
                            line.subject_name.as_deref().unwrap_or(""),
                            line.subject_code.as_deref().unwrap_or("?")
                        ),
                        table.index,
                        Some(r),
                    )));
                }
            }
            for (c, key) in &layout.amounts {
                let printed = text(*c);
                if is_malformed_amount(&printed) {
                    let what = format!("{}|{}|{printed}", table.index, r);
                    out.push((what, warn(
                        "malformed_amount",
                        format!(
                            "{key} of {} is printed \"{printed}\": not an amount (thousands not grouped by three), read as none",
                            line.subject_name.as_deref().unwrap_or("")
                        ),
                        table.index,
                        Some(r),
                    )));
                }
            }
        }
    }
    out
}

/// The same misprint in several tables (a 类 printed "7" in the 功能分类 table and again in the
/// 支出总表) is one defect: one warning, at its first place, the others in `related`.
fn one_warning_per_misprint(found: Vec<(String, Warning)>) -> Vec<Warning> {
    let mut out: Vec<(String, Warning)> = Vec::new();
    for (key, w) in found {
        match out.iter_mut().find(|(k, first)| *k == key && first.code == w.code) {
            Some((_, first)) => {
                let place = Place { table: w.table.unwrap_or_default(), row: w.row };
                let own = Place { table: first.table.unwrap_or_default(), row: first.row };
                if place != own && !first.related.contains(&place) {
                    first.related.push(place);
                }
            }
            None => out.push((key, w)),
        }
    }
    out.into_iter().map(|(_, w)| w).collect()
}

/// An arithmetic finding and what identifies the printed slip behind it: the difference and the
/// 科目 of the row it was found on.
struct Slip {
    warning: Warning,
    /// |printed − sum|.
    delta: Decimal,
    /// The row's 科目 code; "" for a total row.
    subject: String,
    /// The amount column summed down the hierarchy, or "=" and the total column of a row sum: a
    /// slip carries on along its own column only.
    column: String,
}

impl Slip {
    fn of(warning: Warning, difference: Decimal, line: &BudgetLine, column: String) -> Slip {
        Slip { warning, delta: difference.abs(), subject: line.subject_code.clone().unwrap_or_default(), column }
    }

    /// Are two findings one printed slip? The same difference on one 科目 lineage of one table (a 项
    /// printed 1.00 off shows again in its 款, its 类 and the total row), or on the same 科目 in
    /// two tables (the same wrong figure printed twice).
    fn same_slip(&self, other: &Slip) -> bool {
        if self.delta != other.delta || self.column != other.column {
            return false;
        }
        let lineage = self.subject.starts_with(&other.subject) || other.subject.starts_with(&self.subject);
        if self.warning.table == other.warning.table {
            lineage
        } else {
            !self.subject.is_empty() && self.subject == other.subject && self.warning.code == other.warning.code
        }
    }
}

/// One warning per printed slip, at its deepest place (the most specific 科目: where the wrong
/// figure is), with every other place it shows in `related`. The count of warnings is then the
/// count of defects a reviewer has to look at.
fn one_warning_per_slip(mut slips: Vec<Slip>) -> Vec<Warning> {
    // Deepest first; among equals, hierarchy before row sums, in document order.
    let rank = |code: &str| match code {
        "hierarchy_mismatch" => 0,
        "sum_mismatch" => 1,
        _ => 2,
    };
    slips.sort_by(|a, b| {
        b.subject
            .len()
            .cmp(&a.subject.len())
            .then(rank(&a.warning.code).cmp(&rank(&b.warning.code)))
            .then(a.warning.table.cmp(&b.warning.table))
            .then(a.warning.row.cmp(&b.warning.row))
    });
    let mut groups: Vec<(Slip, Vec<Place>)> = Vec::new();
    for slip in slips {
        let place = Place { table: slip.warning.table.unwrap_or_default(), row: slip.warning.row };
        match groups.iter_mut().find(|(head, _)| head.same_slip(&slip)) {
            Some((head, places)) => {
                let own = Place { table: head.warning.table.unwrap_or_default(), row: head.warning.row };
                if place != own && !places.contains(&place) {
                    places.push(place);
                }
            }
            None => groups.push((slip, Vec::new())),
        }
    }
    let mut out: Vec<Warning> = groups
        .into_iter()
        .map(|(head, mut places)| {
            places.sort();
            let mut w = head.warning;
            if !places.is_empty() {
                let also: Vec<String> = places.iter().map(|p| format!("table {} row {}", p.table, p.row.map_or("-".into(), |r| r.to_string()))).collect();
                w.message.push_str(&format!(" (the same {} shows at {})", head.delta, also.join(", ")));
            }
            w.related = places;
            w
        })
        .collect();
    out.sort_by_key(|w| (w.table, w.row));
    out
}

/// A total a table's total row states, under its document-wide name (scope + concept), with where
/// it is printed.
struct StatedTotal {
    concept: String,
    value: Decimal,
    table: usize,
    row: Option<usize>,
}

/// What a table's total row states, under document-wide names: the grand total of spending
/// ("总计"), 基本支出, 项目支出. A 基本支出 table's own total is the document's 基本支出.
fn table_totals(
    tables: &[Table],
    kind: TableKind,
    layout: &SubjectLayout,
    lines: &[&BudgetLine],
    factor: Decimal,
) -> Vec<StatedTotal> {
    // Totals compare only within one fund scope: a 一般公共预算 table's 基本支出 is a part of the
    // department's 基本支出, not the same number.
    let title = canon(lines.first().and_then(|l| l.table_title.as_deref()).unwrap_or(""));
    let fund = ["一般公共预算", "政府性基金", "国有资本", "财政拨款"].into_iter().find(|s| title.contains(s)).unwrap_or("部门");
    // An income table's total is compared with income tables only: in a 决算 本年收入合计 and
    // 本年支出合计 differ by 结转结余 by design, and the 收支总表 is where 总计 meets 总计.
    let side = if title.contains("收入") && !title.contains("支出") { "收入" } else { "" };
    let scope = format!("{fund}{side}");
    let Some(total) = lines.iter().find(|l| l.subject_code.is_none() && l.subject_name.as_deref().is_some_and(is_total_label)) else {
        return Vec::new();
    };
    let Some(r) = total.row else { return Vec::new() };
    let Some(home_t) = home_table(tables, total) else { return Vec::new() };
    let mut out = Vec::new();
    let mut first_total = true;
    for (c, key) in &layout.amounts {
        let k = label_key(key);
        let concept = if is_total_key(&k) {
            if !first_total {
                continue;
            }
            first_total = false;
            match kind {
                TableKind::Financial(FinancialKind::EconomicBasicExpenditure) => "基本支出".to_string(),
                TableKind::Financial(FinancialKind::GovernmentFund) => continue,
                _ => "总计".to_string(),
            }
        } else if k == "基本支出" || k == "项目支出" {
            k
        } else {
            continue;
        };
        if let Some(v) = amount_at(home_t, r, *c, factor) {
            out.push(StatedTotal { concept: format!("{scope}{concept}"), value: v, table: home_t.index, row: Some(r) });
        }
    }
    out
}

fn check_cross_table(totals: &[StatedTotal]) -> Vec<Warning> {
    // The same total printed at the same precision must read the same everywhere: rounding explains
    // a sum that misses its parts by a cent, not one number printed two ways. The value most tables
    // print is the reference (the first on a tie); every table printing another is reported.
    let mut out = Vec::new();
    let mut concepts: Vec<&str> = Vec::new();
    for t in totals {
        if !concepts.contains(&t.concept.as_str()) {
            concepts.push(&t.concept);
        }
    }
    for concept in concepts {
        let group: Vec<&StatedTotal> = totals.iter().filter(|t| t.concept == concept).collect();
        let count = |v: Decimal| group.iter().filter(|t| t.value == v).count();
        let first_at = |v: Decimal| group.iter().position(|t| t.value == v);
        let Some(reference) = group.iter().map(|t| t.value).max_by_key(|&v| (count(v), std::cmp::Reverse(first_at(v)))) else {
            continue;
        };
        let holders: Vec<String> = group.iter().filter(|t| t.value == reference).map(|t| t.table.to_string()).collect();
        for t in group.iter().filter(|t| t.value != reference) {
            out.push(warn(
                "cross_table_mismatch",
                format!("{concept} is {} here but {reference} in table(s) {}", t.value, holders.join(", ")),
                t.table,
                t.row,
            ));
        }
    }
    out
}

/// The same 科目编码 printed with different names in two tables (a name cut short by a narrow
/// column is the same name).
fn check_code_labels(by_table: &BTreeMap<usize, Vec<&BudgetLine>>) -> Vec<Warning> {
    let mut out = Vec::new();
    let mut seen: HashMap<String, (String, usize)> = HashMap::new();
    for (&t, lines) in by_table {
        for l in lines {
            let (Some(code), Some(name)) = (&l.subject_code, &l.subject_name) else { continue };
            let name = squash(name);
            match seen.get(code) {
                None => {
                    seen.insert(code.clone(), (name, t));
                }
                Some((other, ot)) => {
                    if !(other.starts_with(&name) || name.starts_with(other.as_str())) {
                        out.push(warn(
                            "label_mismatch",
                            format!("科目 {code} is \"{name}\" here but \"{other}\" in table {ot}"),
                            home(l),
                            l.row,
                        ));
                    }
                }
            }
        }
    }
    out
}

/// In the summary tables without 科目 codes (收支总表), an expenditure label whose amount is that of
/// a 类 of another name: the row is mislabelled (潼南 prints 社会保险基金支出 for the 39.70 of
/// 208 社会保障和就业支出).
fn check_summary_labels(
    tables: &[Table],
    kinds: &[TableKind],
    by_table: &BTreeMap<usize, Vec<&BudgetLine>>,
) -> Vec<Warning> {
    // 类 name → amounts from the functional tables (first total column).
    let mut classes: Vec<(String, Decimal)> = Vec::new();
    for lines in by_table.values() {
        for l in lines.iter().filter(|l| l.subject_code.as_deref().is_some_and(|c| c.len() == 3)) {
            let Some(name) = &l.subject_name else { continue };
            // The row's grand total: a plain 合计 / 小计 / 总计 column before a group's 小计.
            let total = l
                .amounts
                .iter()
                .find(|(k, _)| matches!(label_key(k).as_str(), "合计" | "小计" | "总计"))
                .or_else(|| l.amounts.iter().find(|(k, _)| is_total_key(&label_key(k))));
            let Some(v) = total.and_then(|(_, v)| *v) else { continue };
            let name = squash(name);
            if !v.is_zero() && !classes.iter().any(|(n, x)| *n == name && *x == v) {
                classes.push((name, v));
            }
        }
    }
    if classes.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (table, kind) in tables.iter().zip(kinds) {
        if *kind != TableKind::Financial(FinancialKind::IncomeExpenditureSummary) {
            continue;
        }
        let factor = factor_of(crate::interpret::headers::table_context(table).unit.as_deref());
        // Every text the table prints: a class it lists under its own name is not mislabelled.
        // Numbered rows ("三、医疗卫生与计划生育支出") are compared without their number.
        let unnumbered = |text: &str| strip_list_number(&squash(text));
        let printed: HashSet<String> = table.cells.iter().map(|c| unnumbered(&c.text)).collect();
        for r in 0..table.n_rows {
            let cells = row_cells(table, r);
            for (i, cell) in cells.iter().enumerate() {
                let label = unnumbered(&cell.text);
                if !label.ends_with("支出") || is_total_label(&label) || classes.iter().any(|(n, _)| *n == label) {
                    continue;
                }
                let label_c = canon(&label);
                if label_c.contains("本年") {
                    continue;
                }
                // Expenditure items that are not 功能分类 classes.
                const NOT_CLASSES: &[&str] =
                    &["基本支出", "项目支出", "上缴上级支出", "事业单位经营支出", "对附属单位补助支出", "对下级单位补助支出"];
                if NOT_CLASSES.contains(&label_c.as_str()) {
                    continue;
                }
                let Some(v) = cells.get(i + 1).and_then(|n| parse_amount(&n.text, factor)) else { continue };
                // The class whose amount this is, when the table does not list it under its own name.
                if let Some((name, _)) = classes.iter().find(|(n, x)| *x == v && !printed.contains(n)) {
                    out.push(warn(
                        "label_mismatch",
                        format!("\"{label}\" carries {v}, the amount of 类 \"{name}\", and no 类 of its name"),
                        table.index,
                        Some(r),
                    ));
                }
            }
        }
    }
    out
}
