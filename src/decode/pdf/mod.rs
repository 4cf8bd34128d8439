//! PDF → pages of positioned glyphs and ruling lines. pdf-extract gives the glyphs; our own walker
//! over lopdf content operations gives the ruling lines (pdf-extract misses most painting ops).

use crate::error::ExtractError;
use crate::limits::{Deadline, Limits};
use crate::model::Warning;

/// A decoded PDF: what the layout stage needs, nothing of lopdf.
#[derive(Debug, Clone, Default)]
pub struct PdfDocument {
    pub page_count: u32,
    pub pages: Vec<Page>,
    pub warnings: Vec<Warning>,
}

/// One page in top-left-origin points, after /Rotate has been applied.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// 1-based.
    pub number: u32,
    pub width: f64,
    pub height: f64,
}

pub fn decode(bytes: &[u8], limits: &Limits, deadline: &Deadline) -> Result<PdfDocument, ExtractError> {
    let _ = (bytes, limits, deadline);
    Err(ExtractError::Unsupported("PDF decoding is not built yet".into()))
}
