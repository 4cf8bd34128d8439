//! Financial table checks: row totals, the 科目 hierarchy (类 = Σ 款, 款 = Σ 项 by code prefix,
//! 总计 = Σ 类), the same total across the tables of one document, and 科目 labels that
//! contradict their code or amount elsewhere in the document.
//!
//! A difference no larger than the printed rounding (0.01 of the table's unit) is reported as
//! `rounding`; a larger one as `sum_mismatch` (row totals, 总计) or `hierarchy_mismatch` (类 / 款).

use std::collections::{BTreeMap, HashMap, HashSet};

use rust_decimal::Decimal;

use crate::interpret::classify::{classify, FinancialKind, TableKind};
use crate::interpret::headers::{covering, label_key, row_cells};
use crate::interpret::lines::{declared_header_rows, is_data_row, is_total_label, subject_layout, SubjectLayout};
use crate::interpret::values::{canon, factor_of, parse_amount, squash};
use crate::interpret::{BudgetLine, Record};
use crate::model::{Table, Warning};

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
    Warning { code: code.to_string(), message, table: Some(table), row }
}

/// The largest difference the printing can explain: one unit in the last printed decimal.
fn tolerance(unit: Option<&str>) -> Decimal {
    factor_of(unit) * Decimal::new(1, 2)
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
    let mut totals: Vec<StatedTotal> = Vec::new();
    for (&t, lines) in &by_table {
        let Some(i) = tables.iter().position(|x| x.index == t) else { continue };
        let table = &tables[i];
        let unit = lines.first().and_then(|l| l.amount_unit.clone());
        let tol = tolerance(unit.as_deref());
        let factor = factor_of(unit.as_deref());
        if let Some(layout) = subject_layout(table) {
            out.extend(check_row_totals(tables, table, &layout, lines, factor, tol));
            totals.extend(table_totals(tables, kinds[i], &layout, lines, factor));
        }
        out.extend(check_hierarchy(lines, tol));
    }
    for (table, kind) in tables.iter().zip(&kinds) {
        if matches!(kind, TableKind::Financial(_)) && subject_layout(table).is_none() {
            out.extend(check_plain_row_totals(table));
        }
    }
    out.extend(check_cross_table(&totals));
    out.extend(check_code_labels(&by_table));
    out.extend(check_summary_labels(tables, &kinds, &by_table));
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
    tol: Decimal,
) -> Option<(&'static str, Decimal, Decimal)> {
    let total = amount_at(table, r, t, factor);
    let values: Vec<Option<Decimal>> = parts.iter().map(|&c| amount_at(table, r, c, factor)).collect();
    if total.is_none() && values.iter().all(Option::is_none) {
        return None;
    }
    let sum: Decimal = values.iter().flatten().sum();
    let total = total.unwrap_or(Decimal::ZERO);
    compare(total, sum, tol, "sum_mismatch").map(|code| (code, total, sum))
}

fn check_row_totals(
    tables: &[Table],
    first: &Table,
    layout: &SubjectLayout,
    lines: &[&BudgetLine],
    factor: Decimal,
    tol: Decimal,
) -> Vec<Warning> {
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
            if let Some((code, total, sum)) = row_total_mismatch(table, r, *t, parts, factor, tol) {
                let column = own_layout.amounts.iter().find(|(c, _)| c == t).map(|(_, k)| k.as_str()).unwrap_or("");
                out.push(warn(
                    code,
                    format!(
                        "row {r} ({}): {column} = {total} but its parts sum to {sum}",
                        line.subject_name.as_deref().unwrap_or("")
                    ),
                    table.index,
                    Some(r),
                ));
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
    let tol = tolerance(ctx.unit.as_deref());
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
            if let Some((code, total, sum)) = row_total_mismatch(table, r, t, &parts, factor, tol) {
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
    tol: Decimal,
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
        if let Some(code) = compare(v, sum, tol, larger) {
            out.push((code, key.as_str(), v, sum));
        }
    }
    out
}

/// Parent 科目 = Σ children one level down by code prefix; the 总计 line = Σ top-level 科目.
fn check_hierarchy(lines: &[&BudgetLine], tol: Decimal) -> Vec<Warning> {
    let mut out = Vec::new();
    let coded: Vec<(&str, &BudgetLine)> = lines.iter().filter_map(|l| l.subject_code.as_deref().map(|c| (c, *l))).collect();
    for (code, parent) in &coded {
        let below: Vec<&(&str, &BudgetLine)> = coded.iter().filter(|(c, _)| c.len() > code.len() && c.starts_with(code)).collect();
        let Some(child_len) = below.iter().map(|(c, _)| c.len()).min() else { continue };
        let children: Vec<&BudgetLine> = below.iter().filter(|(c, _)| c.len() == child_len).map(|(_, l)| *l).collect();
        for (what, key, v, sum) in amount_sum_mismatches(parent, &children, tol, "hierarchy_mismatch") {
            out.push(warn(
                what,
                format!("科目 {code} {key} = {v} but its {} children sum to {sum}", children.len()),
                home(parent),
                parent.row,
            ));
        }
    }
    // 总计 = Σ 类 (the shortest codes).
    if let Some(top_len) = coded.iter().map(|(c, _)| c.len()).min() {
        let tops: Vec<&BudgetLine> = coded.iter().filter(|(c, _)| c.len() == top_len).map(|(_, l)| *l).collect();
        for total in lines.iter().filter(|l| l.subject_code.is_none() && l.subject_name.as_deref().is_some_and(is_total_label)) {
            for (code, key, v, sum) in amount_sum_mismatches(total, &tops, tol, "sum_mismatch") {
                out.push(warn(
                    code,
                    format!("{} {key} = {v} but the top-level 科目 sum to {sum}", total.subject_name.as_deref().unwrap_or("")),
                    home(total),
                    total.row,
                ));
            }
        }
    }
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
    let scope = ["一般公共预算", "政府性基金", "国有资本", "财政拨款"].into_iter().find(|s| title.contains(s)).unwrap_or("部门");
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
        let printed: HashSet<String> = table.cells.iter().map(|c| squash(&c.text)).collect();
        for r in 0..table.n_rows {
            let cells = row_cells(table, r);
            for (i, cell) in cells.iter().enumerate() {
                let label = squash(&cell.text);
                if !label.ends_with("支出") || is_total_label(&label) || classes.iter().any(|(n, _)| *n == label) {
                    continue;
                }
                let label_c = canon(&label);
                if label_c.starts_with(|c: char| "一二三四五六七八九十".contains(c)) || label_c.contains("本年") {
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
