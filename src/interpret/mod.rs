//! Stage 4: tables → typed budget records. Format-agnostic: sees only `model::Table`.
//!
//! Each table is classified ([`classify::classify`]) and read by its kind: project tables of every
//! layout into `ProjectPerformance`, tables with a 科目 column into `BudgetLine`s, the 整体绩效目标表
//! into `DepartmentPerformance`. Tables of no budget kind stay tables: no records, no warning.

pub mod classify;
mod department;
pub mod headers;
pub mod lines;
pub mod project;
mod record;
pub mod values;

pub use record::*;

use crate::model::{Table, Warning};
use classify::TableKind;

/// Reads the records out of a document's tables.
pub fn interpret(tables: &[Table]) -> (Vec<Record>, Vec<Warning>) {
    let mut records: Vec<Record> = Vec::new();
    // The record an indicator-only table belongs to: the Hebei pair prints the project information
    // and the indicators as two consecutive tables that make one record.
    let mut open_project: Option<usize> = None;
    // The financial table a headless table may continue.
    let mut open_lines: Option<lines::LineTable> = None;
    // The indicator block (and its record) a headless table may continue.
    let mut open_block: Option<(usize, project::IndicatorBlock)> = None;
    // The unit printed last, for a table that prints none of its own.
    let mut document_unit: Option<String> = None;
    for table in tables {
        let kind = classify::classify(table);
        let own_unit = headers::table_context(table).unit;
        match kind {
            TableKind::Project => {
                open_lines = None;
                for rec in project::read_projects(table) {
                    let waiting_for_indicators = rec.indicators.is_empty();
                    records.push(Record::ProjectPerformance(rec));
                    open_project = waiting_for_indicators.then_some(records.len() - 1);
                }
                open_block = project::indicator_block(table).map(|b| (records.len() - 1, b));
            }
            TableKind::ProjectIndicators => {
                open_lines = None;
                let indicators = project::read_indicator_table(table);
                let target = open_project.take().filter(|&i| matches!(records.get(i), Some(Record::ProjectPerformance(_))));
                open_block = project::indicator_block(table).map(|b| (target.unwrap_or(records.len()), b));
                match target.and_then(|i| records.get_mut(i)) {
                    Some(Record::ProjectPerformance(p)) => {
                        project::complete_information(table, p);
                        p.indicators = indicators;
                        p.source_tables.push(table.index);
                    }
                    _ => {
                        // Indicators with no information table before them: still a project.
                        let ctx = headers::table_context(table);
                        records.push(Record::ProjectPerformance(ProjectPerformance {
                            title: ctx.title.as_deref().map(headers::strip_list_number),
                            agency_code: ctx.agency_code,
                            agency_name: ctx.agency_name,
                            amount_unit: ctx.unit,
                            indicators,
                            source_tables: vec![table.index],
                            ..ProjectPerformance::default()
                        }));
                    }
                }
            }
            TableKind::Department => {
                open_project = None;
                open_lines = None;
                open_block = None;
                records.push(Record::DepartmentPerformance(department::read_department(table)));
            }
            TableKind::Financial(_) => {
                open_project = None;
                open_block = None;
                let (found, line_table) = lines::read_budget_lines(table, open_lines.as_ref(), document_unit.as_deref());
                records.extend(found.into_iter().map(Record::BudgetLine));
                open_lines = line_table;
            }
            TableKind::Other => {
                let continued = open_lines.as_mut().and_then(|doc| lines::read_continuation(table, doc));
                match continued {
                    Some(found) => records.extend(found.into_iter().map(Record::BudgetLine)),
                    None => open_lines = None,
                }
                let more = open_block.as_mut().and_then(|(i, block)| {
                    project::read_indicator_continuation(table, block).map(|found| (*i, found))
                });
                match more {
                    Some((i, found)) => {
                        if let Some(Record::ProjectPerformance(p)) = records.get_mut(i) {
                            p.indicators.extend(found);
                            p.source_tables.push(table.index);
                        }
                    }
                    None => open_block = None,
                }
            }
        }
        if own_unit.is_some() {
            document_unit = own_unit;
        }
    }
    (records, Vec::new())
}
