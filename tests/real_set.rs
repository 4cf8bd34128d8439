//! The real set: the hand-made truth in corpus/real is sound on its own, and — when the real
//! documents are on this machine (../shared/real, never committed) — yusuan holds the committed
//! real-set thresholds on them. Without the documents the scoring test says that it skipped.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use yusuan::eval::real::{evaluate, RealTruth};

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn real_truth_dir() -> PathBuf {
    manifest_dir().join("corpus/real")
}

fn real_docs() -> PathBuf {
    std::env::var_os("YUSUAN_REAL_DOCS").map(PathBuf::from).unwrap_or_else(|| manifest_dir().join("../shared/real"))
}

fn manifest_entries() -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(real_truth_dir().join("manifest.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["documents"].as_array().unwrap().clone()
}

#[test]
fn every_real_truth_file_is_listed_loads_and_tiles() {
    let entries = manifest_entries();
    assert_eq!(entries.len(), 29, "the development set has 29 documents");
    let mut files = BTreeSet::new();
    let mut records = 0;
    let mut defects = 0;
    for e in &entries {
        let file = e["file"].as_str().unwrap();
        assert!(files.insert(file.to_string()), "{file} listed twice");
        assert!(e["family"].as_str().unwrap().starts_with("real_"), "{file}: real families are named real_*");
        let path = real_truth_dir().join(e["truth"].as_str().unwrap());
        let truth: RealTruth = serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        assert_eq!(truth.file, file);
        assert_eq!(truth.sha256.len(), 64, "{file}: sha256 of the copy the truth was made for");
        assert!(!truth.checked.trim().is_empty(), "{file}: say what was checked and how");
        for t in &truth.tables {
            t.check_tiling().unwrap_or_else(|err| panic!("{file} table {}: {err}", t.index));
        }
        for d in &truth.defects {
            assert!(d.page >= 1 && truth.page_count.is_none_or(|n| d.page <= n), "{file}: defect page {}", d.page);
        }
        records += truth.records.len();
        defects += truth.defects.len();
    }
    // Every truth file on disk is in the manifest.
    for entry in std::fs::read_dir(real_truth_dir()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if let Some(stem) = name.strip_suffix(".truth.json") {
            assert!(entries.iter().any(|e| e["truth"] == name), "{stem} is not in corpus/real/manifest.json");
        }
    }
    assert!(records >= 2000, "only {records} records");
    assert!(defects >= 10, "only {defects} printed defects");
}

#[test]
fn real_set_holds_its_thresholds_when_the_documents_are_here() {
    let docs = real_docs();
    if !docs.is_dir() {
        eprintln!("SKIPPED: {} is absent; the real set is scored where the documents are", docs.display());
        return;
    }
    let thresholds = yusuan::eval::corpus::load_thresholds(&manifest_dir().join("corpus/thresholds.json")).unwrap();
    let report = evaluate(&real_truth_dir(), &docs, &thresholds, &yusuan::Limits::default()).unwrap();
    let scored = report.report.as_ref().expect("the documents are here, so the set is scored");
    let failing: Vec<String> = scored
        .checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| format!("{} {} = {:?} < {}", c.family, c.metric, c.value, c.minimum))
        .collect();
    assert!(failing.is_empty(), "real-set thresholds: {failing:#?}");
    assert!(report.missing_documents.is_empty(), "not found: {:?}", report.missing_documents);
    let m = &scored.overall.metrics;
    assert!(m.warning_precision.unwrap_or(1.0) >= 0.95 && m.warning_recall.unwrap_or(1.0) >= 0.95, "{m:?}");
}

/// A one-document corpus (the committed no-table DOCX) with a real-set manifest, so the command
/// runs in a moment and the only thing missing is the real documents.
fn small_corpus_with_real_truth(dir: &Path) {
    let src = manifest_dir().join("corpus/prose_docx");
    std::fs::create_dir_all(dir.join("prose_docx")).unwrap();
    std::fs::create_dir_all(dir.join("real")).unwrap();
    for f in ["budget_explanation_no_tables.docx", "budget_explanation_no_tables.truth.json"] {
        std::fs::copy(src.join(f), dir.join("prose_docx").join(f)).unwrap();
    }
    let manifest = serde_json::json!({"documents": [{
        "file": "prose_docx/budget_explanation_no_tables.docx",
        "truth": "prose_docx/budget_explanation_no_tables.truth.json",
        "family": "prose_docx"
    }]});
    std::fs::write(dir.join("manifest.json"), manifest.to_string()).unwrap();
    std::fs::copy(manifest_dir().join("corpus/thresholds.json"), dir.join("thresholds.json")).unwrap();
    std::fs::copy(real_truth_dir().join("manifest.json"), dir.join("real/manifest.json")).unwrap();
}

#[test]
fn eval_says_plainly_when_it_skipped_the_real_set() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    small_corpus_with_real_truth(&corpus);
    let absent = dir.path().join("no-real-documents-here");
    let run = |json: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_yusuan"));
        cmd.arg("eval").arg(&corpus).arg("--real-docs").arg(&absent);
        if json {
            cmd.arg("--json");
        }
        cmd.output().unwrap()
    };
    let out = run(false);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("== real documents") && text.contains("SKIPPED") && text.contains("absent"), "{text}");
    let v: serde_json::Value = serde_json::from_slice(&run(true).stdout).unwrap();
    assert!(v["real"]["skipped"].as_str().unwrap().contains("absent"));
    assert!(v["real"]["report"].is_null());
}
