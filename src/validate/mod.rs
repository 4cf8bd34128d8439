//! Stage 5: arithmetic and 科目 hierarchy checks over records and tables → warnings.
//!
//! Records are published whatever these checks find: a warning says where a document contradicts
//! itself (codes in schemas/README.md), it never hides or corrects a value.

mod bounded;
pub mod document;
pub mod prose;
mod finance;
mod identities;
mod project;
pub mod template;

use std::collections::HashMap;

use crate::interpret::project::project_segments;
use crate::interpret::Record;
use crate::model::{Table, Warning};

pub fn validate(tables: &[Table], records: &[Record]) -> Vec<Warning> {
    let mut warnings = Vec::new();
    // The k-th project read from a table is the table's k-th project segment.
    let mut segments: HashMap<usize, std::vec::IntoIter<(usize, usize)>> = HashMap::new();
    for rec in records {
        if let Record::ProjectPerformance(p) = rec {
            let rows = p.source_tables.first().and_then(|&t| {
                let table_segments = segments.entry(t).or_insert_with(|| {
                    tables.iter().find(|x| x.index == t).map(project_segments).unwrap_or_default().into_iter()
                });
                table_segments.next()
            });
            warnings.extend(project::check_project(tables, p, rows));
        }
    }
    warnings.extend(finance::check_financial(tables, records));
    let mut warnings = dedupe(warnings);
    // Identities across tables come after finance.rs: what it already reported is not said twice.
    identities::check_identities(tables, records, &mut warnings);
    dedupe(warnings)
}

/// One warning per (code, table, row): two checks that find the same row wrong (a row total and a
/// 类 sum, two columns of one row) say one thing about the document; their messages are joined.
fn dedupe(warnings: Vec<Warning>) -> Vec<Warning> {
    let mut out: Vec<Warning> = Vec::new();
    for w in warnings {
        match out.iter_mut().find(|o| o.code == w.code && o.table == w.table && o.row == w.row) {
            Some(o) => {
                o.message.push_str("; ");
                o.message.push_str(&w.message);
            }
            None => out.push(w),
        }
    }
    out
}
