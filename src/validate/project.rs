//! Project checks: 预算数 = 财政资金 + 其他资金; the spending plan is non-decreasing and ends at 100.

use rust_decimal::Decimal;

use crate::interpret::headers::{below, label_key, right_of};
use crate::interpret::project::{field_of, Field};
use crate::interpret::values::{canon, factor_of, parse_amount};
use crate::interpret::ProjectPerformance;
use crate::model::{Table, Warning};

/// The grid row of the first cell (in reading order) satisfying `pred`, within the record's rows
/// of its table.
fn row_of(table: &Table, rows: Option<(usize, usize)>, pred: impl Fn(&crate::model::Cell) -> bool) -> Option<usize> {
    let (a, b) = rows.unwrap_or((0, table.n_rows));
    let mut cells: Vec<_> = table.cells.iter().filter(|c| c.row >= a && c.row < b).collect();
    cells.sort_by_key(|c| (c.row, c.col));
    cells.into_iter().find(|c| pred(c)).map(|c| c.row)
}

/// The 年度资金申请总额 printed in the record's rows of its table, in 元, with its row.
fn annual_request(table: &Table, p: &ProjectPerformance, rows: Option<(usize, usize)>) -> Option<(Decimal, usize)> {
    let (a, b) = rows.unwrap_or((0, table.n_rows));
    let factor = factor_of(p.amount_unit.as_deref());
    let label = table.cells.iter().find(|c| c.row >= a && c.row < b && label_key(&c.text) == "年度资金申请总额")?;
    let mut next = right_of(table, label);
    while let Some(n) = next {
        if let Some(v) = parse_amount(&n.text, factor) {
            return Some((v, label.row));
        }
        if !n.text.trim().is_empty() {
            break;
        }
        next = right_of(table, n);
    }
    below(table, label).and_then(|c| parse_amount(&c.text, factor)).map(|v| (v, label.row))
}

fn warning(code: &str, message: String, at: (Option<usize>, Option<usize>)) -> Warning {
    let mut w = Warning::new(code, message);
    (w.table, w.row) = at;
    w
}

pub fn check_project(tables: &[Table], p: &ProjectPerformance, rows: Option<(usize, usize)>) -> Vec<Warning> {
    let mut out = Vec::new();
    let name = p.project_name.as_deref().unwrap_or("项目");
    // The record's first table: the one its rows and labels are in.
    let at_table = p.source_tables.first().copied();
    let table = at_table.and_then(|t| tables.iter().find(|x| x.index == t));
    // Where the form states the year's request apart from a multi-year total (Shanghai 填报表:
    // 项目资金总额 / 年度资金申请总额), the year's split is what must add up.
    let annual = table.and_then(|t| annual_request(t, p, rows));
    let total = annual.map(|(v, _)| v).or(p.budget_total);
    if let (Some(total), Some(fiscal)) = (total, p.budget_fiscal) {
        let other = p.budget_other.unwrap_or(Decimal::ZERO);
        // The central 教育部 form splits the year's total into 财政拨款 + 上年结转 + 其他资金; the
        // Shanghai form counts 上年结转资金 inside 财政资金. Either reading that adds up is no finding.
        let with_carryover = p.budget_carryover.map(|c| fiscal + c + other);
        if total != fiscal + other && with_carryover != Some(total) {
            let row = match annual {
                Some((_, row)) => Some(row),
                None => table.and_then(|t| row_of(t, rows, |c| field_of(&c.text) == Some(Field::Total))),
            };
            out.push(warning(
                "budget_split",
                format!("{name}: 预算数 {total} ≠ 财政资金 {fiscal} + 其他资金 {other}"),
                (at_table, row),
            ));
        }
    }
    if let Some(plan) = &p.spending_plan {
        let values = [plan.mar, plan.jun, plan.oct, plan.dec];
        if values.iter().any(Option::is_some) {
            let present: Vec<Decimal> = values.iter().flatten().copied().collect();
            let decreasing = present.windows(2).any(|w| w[1] < w[0]);
            // A blank 12月底 is not a plan "ending" anywhere: an unfilled cell, or one the layout
            // could not place (a borderless form). Only a printed figure other than 100 is a
            // finding a reviewer can see on the page.
            let ends_elsewhere = plan.dec.is_some_and(|dec| dec != Decimal::ONE_HUNDRED);
            if decreasing || ends_elsewhere {
                let (a, b) = rows.unwrap_or((0, usize::MAX));
                let row = table.and_then(|t| {
                    t.cells
                        .iter()
                        .filter(|c| c.row >= a && c.row < b)
                        .find(|c| canon(&c.text) == "12月底" || canon(&c.text) == "3月底")
                        .and_then(|c| below(t, c))
                        .map(|c| c.row)
                });
                let what = if decreasing { "decreases" } else { "does not end at 100" };
                out.push(warning(
                    "spending_plan",
                    format!("{name}: spending plan {what}: {:?}", values.map(|v| v.map(|d| d.to_string()))),
                    (at_table, row),
                ));
            }
        }
    }
    out
}
