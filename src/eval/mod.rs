//! Accuracy against ground truth (`yusuan eval`) and visual inspection (`yusuan inspect`).
//!
//! `eval` runs [`crate::extract`] on every corpus document that has a truth file, pairs tables by
//! content, and reports per family: table detection, cell F1, GriTS, ICDAR adjacency F1, record
//! field accuracy, warnings and time. Families below `thresholds.json` make it exit non-zero.

pub mod corpus;
pub mod icdar;
pub mod inspect;
pub mod matching;
pub mod metrics;
pub mod real;
pub mod records;
pub mod report;
pub mod score;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use corpus::Thresholds;
use records::FieldCount;
use score::{DocReport, Metrics, Scores};

/// `yusuan eval` flags.
#[derive(Debug, Clone, clap::Args)]
pub struct EvalArgs {
    /// Corpus directory holding documents with ground truth (manifest.json, thresholds.json).
    #[arg(default_value = "corpus")]
    pub corpus: PathBuf,
    /// Print the full report as JSON on stdout instead of the terminal table.
    #[arg(long)]
    pub json: bool,
    /// Also write a static HTML report (index.html with charts and mismatch views) into DIR.
    #[arg(long, value_name = "DIR")]
    pub html: Option<PathBuf>,
    /// Score the ICDAR 2013 table competition set in DIR (icdar2013_gt.jsonl + PDFs) instead of
    /// the corpus.
    #[arg(long, value_name = "DIR")]
    pub icdar2013: Option<PathBuf>,
    /// Only these families (repeatable).
    #[arg(long = "family", value_name = "F")]
    pub families: Vec<String>,
    /// Thresholds file (default: CORPUS/thresholds.json). Any family below its minimums makes
    /// eval exit with 3.
    #[arg(long, value_name = "FILE")]
    pub thresholds: Option<PathBuf>,
    /// The real published documents, scored against the hand-made truth in CORPUS/real/ when the
    /// folder is present (skipped, and said so, when it is not).
    #[arg(long, value_name = "DIR", env = "YUSUAN_REAL_DOCS", default_value = real::DEFAULT_DOCS_DIR)]
    pub real_docs: PathBuf,
    /// Leave the real set out.
    #[arg(long)]
    pub no_real: bool,
}

/// Exit code when some family is below its thresholds (errors exit 1 through main).
pub const EXIT_BELOW_THRESHOLD: i32 = 3;

/// One threshold test of one family.
#[derive(Debug, Clone, Serialize)]
pub struct ThresholdCheck {
    pub family: String,
    pub metric: String,
    pub minimum: f64,
    /// None when the family has nothing to measure for this metric (e.g. no records expected).
    pub value: Option<f64>,
    pub passed: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct FamilyReport {
    pub family: String,
    pub scores: Scores,
    pub metrics: Metrics,
    pub fields: BTreeMap<String, FieldCount>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    pub corpus: String,
    pub overall: FamilyReport,
    pub families: Vec<FamilyReport>,
    pub checks: Vec<ThresholdCheck>,
    pub passed: bool,
    pub documents: Vec<DocReport>,
    /// The real set's section (absent from the real set's own nested report and with --no-real).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub real: Option<real::RealReport>,
}

impl EvalReport {
    /// Documents by wall time, slowest first.
    pub fn slowest(&self, n: usize) -> Vec<&DocReport> {
        let mut docs: Vec<&DocReport> = self.documents.iter().collect();
        docs.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
        docs.truncate(n);
        docs
    }
}

pub fn run(args: EvalArgs) -> anyhow::Result<i32> {
    if let Some(dir) = &args.icdar2013 {
        let report = icdar::evaluate(dir)?;
        if args.json {
            println!("{}", serde_json::to_string_pretty(&report)?);
        } else {
            print!("{}", icdar::render_terminal(&report));
        }
        if let Some(out) = &args.html {
            icdar::write_html(&report, out)?;
            eprintln!("HTML report written to {}", out.join("index.html").display());
        }
        return Ok(0);
    }
    let docs = corpus::load(&args.corpus, &args.families)?;
    let thresholds_path = args.thresholds.clone().unwrap_or_else(|| args.corpus.join("thresholds.json"));
    let thresholds = corpus::load_thresholds(&thresholds_path)?;
    let limits = crate::Limits::default();
    let mut reports = Vec::new();
    // Drawn only when stderr is a terminal; CI logs stay clean.
    let bar = indicatif::ProgressBar::new(docs.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}").expect("static template"),
    );
    for doc in &docs {
        bar.set_message(doc.file.clone());
        bar.inc(1);
        let (result, seconds) = match std::fs::read(&doc.path) {
            Ok(bytes) => extract_timed(&doc.path, &bytes, &limits),
            Err(e) => anyhow::bail!("cannot read the corpus document {}: {e}", doc.path.display()),
        };
        reports.push(score::score_document(&doc.file, &doc.family, &doc.truth, result, seconds));
    }
    bar.finish_and_clear();
    let mut report = build_report(&args.corpus.display().to_string(), reports, &thresholds, "default");
    // The real set only with the whole corpus: a family filter names generated families.
    if !args.no_real && args.families.is_empty() {
        let real = real::evaluate(&args.corpus.join("real"), &args.real_docs, &thresholds, &limits)?;
        report.passed &= real.passed();
        report.real = Some(real);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report::render_terminal(&report));
    }
    if let Some(dir) = &args.html {
        report::write_html(&report, dir)?;
        eprintln!("HTML report written to {}", dir.join("index.html").display());
    }
    Ok(if report.passed { 0 } else { EXIT_BELOW_THRESHOLD })
}

/// Adds the documents up per family and overall and applies the thresholds (`default_key` names
/// the entry a family without its own falls back to).
pub fn build_report(
    corpus: &str,
    documents: Vec<DocReport>,
    thresholds: &BTreeMap<String, Thresholds>,
    default_key: &str,
) -> EvalReport {
    let mut by_family: BTreeMap<String, (Scores, BTreeMap<String, FieldCount>)> = BTreeMap::new();
    let mut overall = (Scores::default(), BTreeMap::<String, FieldCount>::new());
    for d in &documents {
        let fam = by_family.entry(d.family.clone()).or_default();
        for (acc_scores, acc_fields) in [(&mut fam.0, &mut fam.1), (&mut overall.0, &mut overall.1)] {
            acc_scores.add(&d.scores);
            for (k, v) in &d.fields {
                acc_fields.entry(k.clone()).or_default().add(*v);
            }
        }
    }
    let family_report = |family: String, scores: Scores, fields| FamilyReport {
        metrics: scores.metrics(),
        family,
        scores,
        fields,
    };
    let families: Vec<FamilyReport> =
        by_family.into_iter().map(|(f, (s, fields))| family_report(f, s, fields)).collect();
    let default = thresholds.get(default_key).cloned().unwrap_or_default();
    let mut checks = Vec::new();
    for f in &families {
        let entry = thresholds.get(&f.family).cloned().unwrap_or_default();
        for (metric, minimum) in entry.resolved(&default) {
            let value = f.metrics.get(metric);
            let passed = value.is_none_or(|v| v >= minimum);
            checks.push(ThresholdCheck { family: f.family.clone(), metric: metric.to_string(), minimum, value, passed });
        }
    }
    let passed = checks.iter().all(|c| c.passed);
    EvalReport {
        corpus: corpus.to_string(),
        overall: family_report("overall".to_string(), overall.0, overall.1),
        families,
        checks,
        passed,
        documents,
        real: None,
    }
}

/// Runs the extractor on a document's bytes, named by its file name as the CLI names it, and
/// times it: the result (or the error as [`error_text`]) and the seconds it took.
pub(crate) fn extract_timed(path: &Path, bytes: &[u8], limits: &crate::Limits) -> (Result<crate::Extraction, String>, f64) {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let started = Instant::now();
    let result = crate::extract(&name, bytes, limits).map_err(|e| error_text(&e));
    (result, started.elapsed().as_secs_f64())
}

/// An extraction error as one line led by its stable code ("unsupported: …"), without repeating
/// the code when the message already starts with it.
pub fn error_text(e: &crate::ExtractError) -> String {
    let text = e.to_string();
    if text.starts_with(e.code()) {
        text
    } else {
        format!("{}: {text}", e.code())
    }
}
