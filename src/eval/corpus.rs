//! The corpus on disk: `manifest.json`, the truth files and `thresholds.json`
//! (format: /work/wt/corpus_format.md, kept in corpus/README.md).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};

use crate::model::Extraction;

#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    pub documents: Vec<ManifestEntry>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ManifestEntry {
    /// Path of the document relative to the corpus directory.
    pub file: String,
    /// Path of its truth file; documents without one are not scored.
    #[serde(default)]
    pub truth: Option<String>,
    pub family: String,
    #[serde(default)]
    pub producer: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// A document to score: where it is and what it must give.
#[derive(Debug, Clone)]
pub struct CorpusDocument {
    pub file: String,
    pub path: PathBuf,
    pub family: String,
    pub truth: Extraction,
}

/// Reads the manifest and every truth file it names. Families filter the documents (empty: all).
pub fn load(dir: &Path, families: &[String]) -> anyhow::Result<Vec<CorpusDocument>> {
    let manifest_path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&manifest_path)
        .with_context(|| format!("cannot read the corpus manifest {}", manifest_path.display()))?;
    let manifest: Manifest =
        serde_json::from_str(&text).with_context(|| format!("{} is not a valid manifest", manifest_path.display()))?;
    let mut docs = Vec::new();
    for entry in manifest.documents {
        let Some(truth_rel) = entry.truth.as_deref() else { continue };
        if !families.is_empty() && !families.iter().any(|f| f == &entry.family) {
            continue;
        }
        let truth_path = dir.join(truth_rel);
        let truth_text = std::fs::read_to_string(&truth_path)
            .with_context(|| format!("cannot read the truth file {}", truth_path.display()))?;
        let truth: Extraction = serde_json::from_str(&truth_text)
            .with_context(|| format!("{} is not a valid extraction document", truth_path.display()))?;
        docs.push(CorpusDocument { path: dir.join(&entry.file), file: entry.file, family: entry.family, truth });
    }
    if docs.is_empty() {
        if families.is_empty() {
            bail!("{} lists no document with ground truth", manifest_path.display());
        }
        bail!("{} lists no document with ground truth in the families {}", manifest_path.display(), families.join(", "));
    }
    Ok(docs)
}

/// Minimums for one family; a missing value falls back to the "default" entry, and a metric
/// absent from both is not gated.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table_recall: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table_precision: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cell_f1: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grits_content: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjacency_f1: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_field_accuracy: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning_recall: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning_precision: Option<f64>,
}

impl Thresholds {
    /// (metric name, minimum) pairs of this entry over `fallback`.
    pub fn resolved(&self, fallback: &Thresholds) -> Vec<(&'static str, f64)> {
        let pick = |a: Option<f64>, b: Option<f64>| a.or(b);
        [
            ("table_recall", pick(self.table_recall, fallback.table_recall)),
            ("table_precision", pick(self.table_precision, fallback.table_precision)),
            ("cell_f1", pick(self.cell_f1, fallback.cell_f1)),
            ("grits_content", pick(self.grits_content, fallback.grits_content)),
            ("adjacency_f1", pick(self.adjacency_f1, fallback.adjacency_f1)),
            ("record_field_accuracy", pick(self.record_field_accuracy, fallback.record_field_accuracy)),
            ("warning_recall", pick(self.warning_recall, fallback.warning_recall)),
            ("warning_precision", pick(self.warning_precision, fallback.warning_precision)),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect()
    }
}

/// `thresholds.json`: `{"default": {...}, "<family>": {...}, ...}`; keys starting with `_` are
/// comments.
pub fn load_thresholds(path: &Path) -> anyhow::Result<BTreeMap<String, Thresholds>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read the thresholds {}", path.display()))?;
    let raw: BTreeMap<String, serde_json::Value> =
        serde_json::from_str(&text).with_context(|| format!("{} is not a JSON object", path.display()))?;
    let mut out = BTreeMap::new();
    for (family, value) in raw {
        if family.starts_with('_') {
            continue;
        }
        let t: Thresholds = serde_json::from_value(value)
            .with_context(|| format!("{}: the entry \"{family}\" is not a thresholds object", path.display()))?;
        out.insert(family, t);
    }
    Ok(out)
}
