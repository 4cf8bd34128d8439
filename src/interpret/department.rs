//! 部门（单位）整体绩效目标表 → `DepartmentPerformance`.

use super::headers::{header_bottom, label_key, looks_like_title, right_of, row_cells, strip_list_number, table_context, text_at};
use super::record::{DepartmentIndicator, DepartmentPerformance};
use super::values::{canon, factor_of, find_unit, normalise_comparator, parse_amount, parse_number, parse_percent, squash};
use crate::model::{Cell, Table};

fn value_right<'t>(table: &'t Table, cell: &Cell) -> Option<&'t Cell> {
    let mut next = right_of(table, cell);
    while let Some(n) = next {
        if !n.text.trim().is_empty() {
            return Some(n);
        }
        next = right_of(table, n);
    }
    None
}

/// The indicator header row: 指标名称 | 指标权重 | 计量单位 | 指标性质 | 指标值.
fn indicator_header(table: &Table) -> Option<usize> {
    (0..table.n_rows).find(|&r| {
        let keys: Vec<String> = row_cells(table, r).iter().map(|c| label_key(&c.text)).collect();
        keys.iter().any(|k| k == "指标名称") && keys.iter().any(|k| k == "指标值" || k == "指标权重")
    })
}

pub fn read_department(table: &Table) -> DepartmentPerformance {
    let ctx = table_context(table);
    let mut unit = ctx.unit.clone();
    let mut title = ctx.title.clone();
    for c in table.cells.iter().filter(|c| c.row < 3) {
        if unit.is_none() && canon(&c.text).contains("单位:") {
            unit = find_unit(&c.text);
        }
        if looks_like_title(&c.text) && canon(&c.text).contains("整体绩效目标") {
            title = Some(c.text.trim().to_string());
        }
    }
    let factor = factor_of(unit.as_deref());
    let mut rec = DepartmentPerformance {
        title: title.as_deref().map(|t| squash(&strip_list_number(t))),
        agency_name: None,
        amount_unit: unit,
        source_tables: vec![table.index],
        ..DepartmentPerformance::default()
    };
    let header = indicator_header(table);
    let head = header.unwrap_or(table.n_rows);
    let mut cells: Vec<&Cell> = table.cells.iter().filter(|c| c.row < head).collect();
    cells.sort_by_key(|c| (c.row, c.col));
    for cell in cells {
        let k = label_key(&cell.text);
        let value = || value_right(table, cell).map(|v| v.text.trim().to_string());
        if (k.starts_with("部门") || k.starts_with("单位")) && k.ends_with("名称") && rec.agency_name.is_none() {
            rec.agency_name = value().map(|v| squash(&v));
        } else if k == "支出预算总量" || k == "预算支出总量" || k == "年度预算总额" {
            rec.budget_total = rec.budget_total.or_else(|| value().and_then(|v| parse_amount(&v, factor)));
        } else if k == "部门预算支出" || k == "单位预算支出" {
            rec.budget_department = rec.budget_department.or_else(|| value().and_then(|v| parse_amount(&v, factor)));
        } else if k.contains("整体绩效目标") && !looks_like_title(&cell.text) && rec.goal.is_none() {
            rec.goal = value();
        }
    }
    if rec.agency_name.is_none() {
        rec.agency_name = ctx.agency_name;
    }
    if let Some(h) = header {
        let col = |names: &[&str]| {
            row_cells(table, h).iter().find(|c| names.contains(&label_key(&c.text).as_str())).map(|c| c.col)
        };
        let (name, weight, unit_col, nature, value) = (
            col(&["指标名称"]),
            col(&["指标权重", "权重"]),
            col(&["计量单位", "单位"]),
            col(&["指标性质"]),
            col(&["指标值"]),
        );
        for r in header_bottom(table, h, &[name, weight, unit_col, nature, value])..table.n_rows {
            let text = |c: Option<usize>| c.map(|c| text_at(table, r, c).trim().to_string()).filter(|t| !t.is_empty());
            let ind = DepartmentIndicator {
                name: text(name),
                weight: text(weight).and_then(|w| parse_percent(&w)),
                unit: text(unit_col),
                comparator: text(nature).and_then(|n| normalise_comparator(&n)).map(str::to_string),
                value: text(value),
                target: text(value).and_then(|v| parse_number(&v)),
            };
            if ind.name.is_none() && ind.value.is_none() {
                continue;
            }
            rec.indicators.push(ind);
        }
    }
    rec
}
