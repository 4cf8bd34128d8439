//! DOCX → explicit cell grids (w:tblGrid, w:gridSpan, w:vMerge) plus the paragraphs before each table.

use crate::error::ExtractError;
use crate::limits::{Deadline, Limits};
use crate::model::{Table, Warning};

#[derive(Debug, Clone, Default)]
pub struct DocxDocument {
    pub tables: Vec<Table>,
    pub warnings: Vec<Warning>,
}

pub fn decode(bytes: &[u8], limits: &Limits, deadline: &Deadline) -> Result<DocxDocument, ExtractError> {
    let _ = (bytes, limits, deadline);
    Err(ExtractError::Unsupported("DOCX decoding is not built yet".into()))
}
