//! Stage 1: bytes → document model. Knows PDF, DOCX and XLSX, nothing about budgets or table geometry.

pub mod docx;
pub mod pdf;
pub mod xlsx;
mod sniff;

pub use sniff::sniff;
