//! Stage 1: bytes → document model. Knows PDF and DOCX, nothing about budgets or table geometry.

pub mod docx;
pub mod pdf;
mod sniff;

pub use sniff::sniff;
