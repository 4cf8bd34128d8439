//! Resource limits applied inside the extraction core. Every limit hit is `ExtractError::TooLarge`
//! (or `Timeout` for the time budget), never an abort.

use std::time::{Duration, Instant};

use crate::error::ExtractError;

#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest input file accepted.
    pub max_input_bytes: u64,
    /// Most pages read from one PDF.
    pub max_pages: u32,
    /// Largest decompressed size of one PDF stream (FlateDecode bombs).
    pub max_stream_bytes: u64,
    /// Largest decompressed size of all streams / zip entries of one document together.
    pub max_total_decompressed: u64,
    /// Most entries in a DOCX zip.
    pub max_zip_entries: u32,
    /// Largest uncompressed size of one zip entry.
    pub max_zip_entry_bytes: u64,
    /// Largest compression ratio of one zip entry (uncompressed / compressed).
    pub max_zip_ratio: u64,
    /// Deepest XML element nesting accepted.
    pub max_xml_depth: u32,
    /// Most non-empty cells read from one XLSX workbook (each becomes a string in memory; a sheet
    /// of millions of tiny cells fits under the byte limits).
    pub max_xlsx_cells: u64,
    /// Wall-time budget for one extraction; checked cooperatively between stages and pages.
    pub time_budget: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 100 * 1024 * 1024,
            max_pages: 2_000,
            max_stream_bytes: 64 * 1024 * 1024,
            max_total_decompressed: 512 * 1024 * 1024,
            max_zip_entries: 10_000,
            max_zip_entry_bytes: 256 * 1024 * 1024,
            max_zip_ratio: 200,
            max_xml_depth: 256,
            max_xlsx_cells: 1_000_000,
            time_budget: Duration::from_secs(120),
        }
    }
}

/// A started time budget. Stages call `check()` at natural boundaries (each page, each table) so a
/// pathological document ends in `timeout` instead of occupying a worker forever.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    at: Instant,
    budget: Duration,
}

impl Deadline {
    pub fn start(budget: Duration) -> Self {
        Deadline { at: Instant::now() + budget, budget }
    }

    pub fn check(&self, stage: &str) -> Result<(), ExtractError> {
        if Instant::now() > self.at {
            Err(ExtractError::Timeout(format!(
                "extraction exceeded its {:?} budget during {stage}",
                self.budget
            )))
        } else {
            Ok(())
        }
    }
}

/// The limits as command-line flags (each with an environment variable), shared by `extract`,
/// `worker` and `eval` so that one document behaves the same wherever it is run.
#[derive(Debug, Clone, clap::Args)]
pub struct LimitArgs {
    /// Largest input file in MiB.
    #[arg(long, env = "YUSUAN_MAX_INPUT_MB", default_value_t = 100)]
    pub max_input_mb: u64,
    /// Most PDF pages read.
    #[arg(long, env = "YUSUAN_MAX_PAGES", default_value_t = 2000)]
    pub max_pages: u32,
    /// Largest decompressed PDF stream or zip entry, MiB.
    #[arg(long, env = "YUSUAN_MAX_STREAM_MB", default_value_t = 64)]
    pub max_stream_mb: u64,
    /// Largest total decompressed size of one document, MiB.
    #[arg(long, env = "YUSUAN_MAX_TOTAL_MB", default_value_t = 512)]
    pub max_total_mb: u64,
    /// Deepest XML nesting accepted in a DOCX part.
    #[arg(long, env = "YUSUAN_MAX_XML_DEPTH", default_value_t = 256)]
    pub max_xml_depth: u32,
    /// Wall-time budget of one extraction, seconds.
    #[arg(long, env = "YUSUAN_TIMEOUT_SECS", default_value_t = 120)]
    pub timeout_secs: u64,
}

impl LimitArgs {
    pub fn to_limits(&self) -> Limits {
        const MIB: u64 = 1024 * 1024;
        Limits {
            max_input_bytes: self.max_input_mb * MIB,
            max_pages: self.max_pages,
            max_stream_bytes: self.max_stream_mb * MIB,
            max_total_decompressed: self.max_total_mb * MIB,
            max_zip_entry_bytes: self.max_stream_mb * MIB,
            max_xml_depth: self.max_xml_depth,
            time_budget: Duration::from_secs(self.timeout_secs),
            ..Limits::default()
        }
    }
}
