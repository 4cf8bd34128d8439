//! The one error type of the extraction core, with the contract's stable codes (CONTRACT §5).

use serde::Serialize;

/// Why a document could not be extracted. `code()` is the stable string portals and monitoring
/// key on; the message is for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    /// Neither a PDF nor a DOCX (sniffed from content, not the file name).
    #[error("not a PDF, DOCX or XLSX document: {0}")]
    NotADocument(String),
    /// Encrypted and the empty user password does not open it.
    #[error("the document is encrypted: {0}")]
    Encrypted(String),
    /// Cut short or damaged beyond what the reader can repair.
    #[error("the document is truncated or damaged: {0}")]
    Truncated(String),
    /// A configured limit was hit (input size, pages, decompressed bytes, zip entries, XML depth).
    #[error("limit exceeded: {0}")]
    TooLarge(String),
    /// Nothing readable: image-only pages or glyphs without a usable text mapping.
    #[error("no readable text layer: {0}")]
    NoTextLayer(String),
    /// The per-job time budget ran out.
    #[error("timed out: {0}")]
    Timeout(String),
    /// A valid file of a kind we do not read (.doc, .wps, a PDF feature we refuse).
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// A bug: a panic caught at the extraction boundary, or an invariant broken.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ExtractError {
    /// The stable code of CONTRACT §5.
    pub fn code(&self) -> &'static str {
        match self {
            ExtractError::NotADocument(_) => "not_a_document",
            ExtractError::Encrypted(_) => "encrypted",
            ExtractError::Truncated(_) => "truncated",
            ExtractError::TooLarge(_) => "too_large",
            ExtractError::NoTextLayer(_) => "no_text_layer",
            ExtractError::Timeout(_) => "timeout",
            ExtractError::Unsupported(_) => "unsupported",
            ExtractError::Internal(_) => "internal_error",
        }
    }

    /// The CLI's exit code for this error class (documented in the README).
    pub fn exit_code(&self) -> i32 {
        match self {
            ExtractError::NotADocument(_) => 10,
            ExtractError::Encrypted(_) => 11,
            ExtractError::Truncated(_) => 12,
            ExtractError::TooLarge(_) => 13,
            ExtractError::NoTextLayer(_) => 14,
            ExtractError::Timeout(_) => 15,
            ExtractError::Unsupported(_) => 16,
            ExtractError::Internal(_) => 17,
        }
    }

    /// All codes, for metrics labels and documentation.
    pub const CODES: [&'static str; 8] = [
        "not_a_document",
        "encrypted",
        "truncated",
        "too_large",
        "no_text_layer",
        "timeout",
        "unsupported",
        "internal_error",
    ];
}

/// The serialised form used in failure reports and dead-letter headers.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorReport {
    pub code: &'static str,
    pub message: String,
}

impl From<&ExtractError> for ErrorReport {
    fn from(e: &ExtractError) -> Self {
        ErrorReport { code: e.code(), message: e.to_string() }
    }
}
