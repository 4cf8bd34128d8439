//! yusuan: Chinese government budget documents (PDF, DOCX, XLSX) → validated, structured data.
//!
//! The heart is [`extract`]: bytes in, [`Extraction`] out; no I/O, no async, no globals. The data
//! flows one way through the stages, one module each:
//!
//! ```text
//! decode (PDF → glyphs + ruling lines per page; DOCX → explicit cell grids)
//!   → layout (PDF only: ruling lines → table regions → cell grids, stitched over pages)
//!   → interpret (tables → typed records) → validate (arithmetic, 科目 hierarchy) → Extraction
//! ```
//!
//! The CLI, the queue worker and `eval` are thin shells around [`extract`].

pub mod decode;
pub mod enqueue;
pub mod error;
pub mod eval;
pub mod interpret;
pub mod layout;
pub mod limits;
pub mod model;
pub mod output;
pub mod sink;
pub mod validate;
pub mod worker;

use std::panic::{catch_unwind, AssertUnwindSafe};

use sha2::{Digest, Sha256};

pub use error::ExtractError;
pub use limits::Limits;
pub use model::{Extraction, Format, Table, TextBlock, SCHEMA_VERSION};

use limits::Deadline;
use model::Source;

/// Extracts tables, records and warnings from one PDF, DOCX or XLSX file.
///
/// `file_name` is only echoed into `source.file_name`: the format is sniffed from the bytes.
/// A panic anywhere below (the PDF and DOCX libraries panic on some damaged inputs) is caught
/// here and returned as `internal_error`, so no caller can be brought down by a document.
pub fn extract(file_name: &str, bytes: &[u8], limits: &Limits) -> Result<Extraction, ExtractError> {
    match catch_unwind(AssertUnwindSafe(|| extract_unguarded(file_name, bytes, limits))) {
        Ok(result) => result,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(ExtractError::Internal(format!("extraction panicked: {what}")))
        }
    }
}

fn extract_unguarded(file_name: &str, bytes: &[u8], limits: &Limits) -> Result<Extraction, ExtractError> {
    if bytes.len() as u64 > limits.max_input_bytes {
        return Err(ExtractError::TooLarge(format!(
            "input is {} bytes, the limit is {}",
            bytes.len(),
            limits.max_input_bytes
        )));
    }
    let deadline = Deadline::start(limits.time_budget);
    let format = decode::sniff(bytes)?;
    let (tables, mut warnings, page_count, text) = match format {
        Format::Pdf => {
            let doc = decode::pdf::decode(bytes, limits, &deadline)?;
            let (tables, layout_warnings, text) = layout::tables_from_pages(&doc.pages, &deadline)?;
            let mut warnings = doc.warnings;
            warnings.extend(layout_warnings);
            (tables, warnings, Some(doc.page_count), text)
        }
        Format::Docx => {
            let doc = decode::docx::decode(bytes, limits, &deadline)?;
            (doc.tables, doc.warnings, None, doc.text)
        }
        Format::Xlsx => {
            let doc = decode::xlsx::decode(bytes, limits, &deadline)?;
            (doc.tables, doc.warnings, None, Vec::new())
        }
    };
    deadline.check("interpretation")?;
    let (records, interpret_warnings) = interpret::interpret(&tables);
    warnings.extend(interpret_warnings);
    warnings.extend(validate::validate(&tables, &records));
    warnings.extend(validate::document::check_document(&tables, &text));
    warnings.extend(validate::prose::check_prose(&tables, &records, &text));
    warnings.extend(validate::template::check_template(&tables, &text));
    Ok(Extraction {
        schema_version: SCHEMA_VERSION.to_string(),
        source: Source { file_name: file_name.to_string(), sha256: sha256_hex(bytes), format, page_count },
        tables,
        records,
        warnings,
        text,
    })
}

/// Lower-case hex SHA-256: the document's identity in idempotency keys and dedup.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
