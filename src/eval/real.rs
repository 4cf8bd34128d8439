//! The real set: published documents that are not ours (`../shared/real/`, never committed) scored
//! against the truth we made for them by hand (`corpus/real/`, format in its README).
//!
//! Three things differ from the generated corpus, and they are why this is its own loader: the
//! documents live outside the project (absent on a machine without them: then the set is skipped
//! and the report says so), the truth lists only the grids checked by hand (extracted tables
//! without a partner are not extra), and the expected warnings are printed defects located by
//! page, since the truth cannot know the extractor's table and row numbering.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::corpus::Thresholds;
use super::score::{score_against, ExpectedWarnings, Truth};
use super::EvalReport;
use crate::interpret::Record;
use crate::model::{Format, Table};

/// Where `yusuan eval` looks for the real documents unless told otherwise (relative to the
/// working directory: CI runs in a clone with `../shared` beside it).
pub const DEFAULT_DOCS_DIR: &str = "../shared/real";

/// Thresholds entries of the real set are named `real_*`; this one is their fallback.
pub const DEFAULT_THRESHOLDS_KEY: &str = "real_default";

/// One printed inconsistency of a real document, found by hand.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Defect {
    pub code: String,
    /// 1-based page where the wrong figure is printed.
    pub page: u32,
    /// Every other page the same defect shows on.
    #[serde(default)]
    pub related_pages: Vec<u32>,
    #[serde(default)]
    pub table_title: Option<String>,
    #[serde(default)]
    pub subject_code: Option<String>,
    #[serde(default)]
    pub subject_name: Option<String>,
    #[serde(default)]
    pub message: String,
}

impl Defect {
    /// The defect's pages, its own first.
    pub fn pages(&self) -> Vec<u32> {
        let mut pages = vec![self.page];
        pages.extend(self.related_pages.iter().filter(|&&p| p != self.page));
        pages
    }

    /// One line for reports: where and what.
    pub fn describe(&self) -> String {
        let what = [self.table_title.as_deref(), self.subject_code.as_deref(), self.subject_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        format!("p{} {what}: {}", self.page, self.message)
    }
}

/// A real document's truth file (`corpus/real/<stem>.truth.json`).
#[derive(Debug, Clone, Deserialize)]
pub struct RealTruth {
    pub file: String,
    pub sha256: String,
    #[serde(default)]
    pub page_count: Option<u32>,
    #[serde(default)]
    pub checked: String,
    #[serde(default)]
    pub tables: Vec<Table>,
    #[serde(default)]
    pub records: Vec<Record>,
    #[serde(default)]
    pub defects: Vec<Defect>,
}

#[derive(Debug, Clone, Deserialize)]
struct Manifest {
    documents: Vec<ManifestEntry>,
}

#[derive(Debug, Clone, Deserialize)]
struct ManifestEntry {
    file: String,
    truth: String,
    family: String,
}

/// The real set's section of the report.
#[derive(Debug, Clone, Serialize)]
pub struct RealReport {
    /// Where the documents were looked for.
    pub docs_dir: String,
    /// Why nothing was scored (the folder is absent), or None.
    pub skipped: Option<String>,
    /// Documents listed in the manifest but not found in `docs_dir`.
    pub missing_documents: Vec<String>,
    /// The scores, in the corpus report's shape (None when skipped).
    pub report: Option<Box<EvalReport>>,
}

impl RealReport {
    /// Passed when skipped (nothing to gate) or when every real threshold holds.
    pub fn passed(&self) -> bool {
        self.report.as_ref().is_none_or(|r| r.passed)
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Scores the real set: the truth in `truth_dir` (its manifest.json) against the documents in
/// `docs_dir`. A missing `docs_dir` is not an error: the report says the set was skipped.
pub fn evaluate(
    truth_dir: &Path,
    docs_dir: &Path,
    thresholds: &BTreeMap<String, Thresholds>,
    limits: &crate::Limits,
) -> anyhow::Result<RealReport> {
    let docs_label = docs_dir.display().to_string();
    let manifest_path = truth_dir.join("manifest.json");
    if !manifest_path.is_file() {
        return Ok(RealReport {
            skipped: Some(format!("{} is absent: this corpus holds no real-set truth", manifest_path.display())),
            docs_dir: docs_label,
            missing_documents: Vec::new(),
            report: None,
        });
    }
    if !docs_dir.is_dir() {
        return Ok(RealReport {
            skipped: Some(format!("{docs_label} is absent: the real documents are not on this machine")),
            docs_dir: docs_label,
            missing_documents: Vec::new(),
            report: None,
        });
    }
    let text = std::fs::read_to_string(&manifest_path)
        .with_context(|| format!("cannot read the real-set manifest {}", manifest_path.display()))?;
    let manifest: Manifest =
        serde_json::from_str(&text).with_context(|| format!("{} is not a valid manifest", manifest_path.display()))?;
    let mut reports = Vec::new();
    let mut missing = Vec::new();
    for entry in &manifest.documents {
        let truth_path = truth_dir.join(&entry.truth);
        let truth_text = std::fs::read_to_string(&truth_path)
            .with_context(|| format!("cannot read the truth file {}", truth_path.display()))?;
        let truth: RealTruth = serde_json::from_str(&truth_text)
            .with_context(|| format!("{} is not a valid real-set truth file", truth_path.display()))?;
        if truth.file != entry.file {
            bail!("{} is the truth of {}, but the manifest lists it for {}", truth_path.display(), truth.file, entry.file);
        }
        let doc_path: PathBuf = docs_dir.join(&entry.file);
        let Ok(bytes) = std::fs::read(&doc_path) else {
            missing.push(entry.file.clone());
            continue;
        };
        let (result, seconds) = if sha256_hex(&bytes) != truth.sha256 {
            // Scoring another copy against this truth would report its differences as our errors.
            (Err(format!("{} is not the copy the truth was made for (sha256 differs)", doc_path.display())), 0.0)
        } else {
            super::extract_timed(&doc_path, &bytes, limits)
        };
        let format = if entry.file.to_ascii_lowercase().ends_with(".docx") { Format::Docx } else { Format::Pdf };
        let spec = Truth {
            tables: &truth.tables,
            all_tables: false,
            records: &truth.records,
            warnings: ExpectedWarnings::Defects(&truth.defects),
            format,
            page_count: truth.page_count,
        };
        reports.push(score_against(&entry.file, &entry.family, &spec, result, seconds));
    }
    let report = super::build_report(&docs_label, reports, thresholds, DEFAULT_THRESHOLDS_KEY);
    Ok(RealReport { docs_dir: docs_label, skipped: None, missing_documents: missing, report: Some(Box::new(report)) })
}

/// One row per real document: what a reviewer of the real set reads first.
pub fn document_rows(report: &EvalReport) -> Vec<Vec<String>> {
    use super::report::rate;
    report
        .documents
        .iter()
        .map(|d| {
            let s = &d.scores;
            let m = s.metrics();
            let false_warnings = s.warnings.predicted - s.warnings.matched;
            let missed = s.warnings.expected - s.warnings.matched;
            vec![
                d.file.clone(),
                d.error.as_ref().map_or_else(|| format!("{}/{}", s.tables.matched, s.tables.expected), |_| "error".into()),
                rate(m.cell_f1),
                format!("{}/{}/{}", s.records.matched, s.records.expected, s.records.predicted),
                rate(m.record_field_accuracy),
                format!("{}/{}/{}", s.warnings.matched, false_warnings, missed),
            ]
        })
        .collect()
}

/// Column names of [`document_rows`].
pub const DOCUMENT_COLUMNS: [&str; 6] =
    ["document", "grids m/e", "cell F1", "records m/e/x", "field acc", "warnings TRUE/FALSE/missed"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_absent_folder_is_skipped_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("manifest.json"), r#"{"documents": []}"#).unwrap();
        let absent = dir.path().join("no-such-folder");
        let r = evaluate(dir.path(), &absent, &BTreeMap::new(), &crate::Limits::default()).unwrap();
        assert!(r.report.is_none());
        assert!(r.skipped.as_deref().unwrap().contains("absent"), "{:?}", r.skipped);
        assert!(r.passed());
    }

    #[test]
    fn a_defect_lists_its_own_page_first_once() {
        let d = Defect {
            code: "hierarchy_mismatch".into(),
            page: 9,
            related_pages: vec![12, 9, 14],
            table_title: Some("支出表".into()),
            subject_code: Some("20103".into()),
            subject_name: None,
            message: "off by 1.00".into(),
        };
        assert_eq!(d.pages(), vec![9, 12, 14]);
        assert_eq!(d.describe(), "p9 支出表 20103: off by 1.00");
    }
}
