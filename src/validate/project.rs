//! Project checks: 预算数 = 财政资金 + 其他资金; the spending plan is non-decreasing and ends at 100.

use rust_decimal::Decimal;

use crate::interpret::headers::below;
use crate::interpret::project::{field_of, Field};
use crate::interpret::values::canon;
use crate::interpret::ProjectPerformance;
use crate::model::{Table, Warning};

/// The grid row of the first cell (in reading order) satisfying `pred`, in the record's first table
/// and within the record's rows of it.
fn row_of(
    tables: &[Table],
    p: &ProjectPerformance,
    rows: Option<(usize, usize)>,
    pred: impl Fn(&crate::model::Cell) -> bool,
) -> (Option<usize>, Option<usize>) {
    let Some(&t) = p.source_tables.first() else { return (None, None) };
    let Some(table) = tables.iter().find(|x| x.index == t) else { return (Some(t), None) };
    let (a, b) = rows.unwrap_or((0, table.n_rows));
    let mut cells: Vec<_> = table.cells.iter().filter(|c| c.row >= a && c.row < b).collect();
    cells.sort_by_key(|c| (c.row, c.col));
    let row = cells.into_iter().find(|c| pred(c)).map(|c| c.row);
    (Some(t), row)
}

fn warning(code: &str, message: String, at: (Option<usize>, Option<usize>)) -> Warning {
    Warning { code: code.to_string(), message, table: at.0, row: at.1 }
}

pub fn check_project(tables: &[Table], p: &ProjectPerformance, rows: Option<(usize, usize)>) -> Vec<Warning> {
    let mut out = Vec::new();
    let name = p.project_name.as_deref().unwrap_or("项目");
    if let (Some(total), Some(fiscal)) = (p.budget_total, p.budget_fiscal) {
        let other = p.budget_other.unwrap_or(Decimal::ZERO);
        if total != fiscal + other {
            let at = row_of(tables, p, rows, |c| field_of(&c.text) == Some(Field::Total));
            out.push(warning(
                "budget_split",
                format!("{name}: 预算数 {total} ≠ 财政资金 {fiscal} + 其他资金 {other}"),
                at,
            ));
        }
    }
    if let Some(plan) = &p.spending_plan {
        let values = [plan.mar, plan.jun, plan.oct, plan.dec];
        if values.iter().any(Option::is_some) {
            let present: Vec<Decimal> = values.iter().flatten().copied().collect();
            let decreasing = present.windows(2).any(|w| w[1] < w[0]);
            let ends_at_100 = plan.dec == Some(Decimal::ONE_HUNDRED);
            if decreasing || !ends_at_100 {
                let table = p.source_tables.first().and_then(|&t| tables.iter().find(|x| x.index == t));
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
                    (p.source_tables.first().copied(), row),
                ));
            }
        }
    }
    out
}
