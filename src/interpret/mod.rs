//! Stage 4: tables → typed budget records. Format-agnostic: sees only `model::Table`.

mod record;

pub use record::*;

use crate::model::{Table, Warning};

/// Reads the records out of a document's tables.
pub fn interpret(tables: &[Table]) -> (Vec<Record>, Vec<Warning>) {
    let _ = tables;
    (Vec::new(), Vec::new())
}
