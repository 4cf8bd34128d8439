//! `yusuan enqueue`: the backfill publisher — one job per .pdf/.docx file, publisher confirms.
//!
//! A file is counted as enqueued only once the broker confirmed its message. Files with the same
//! content (sha256) as one already enqueued in this run are skipped: a backfill directory often
//! holds the same report under several names.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use base64::Engine as _;
use futures_util::stream::{FuturesUnordered, StreamExt as _};
use lapin::options::BasicPublishOptions;
use lapin::{BasicProperties, Confirmation};
use serde_json::{json, Map, Value};

use crate::worker::queue::{self, QueueArgs, Topology};

/// `yusuan enqueue` flags.
#[derive(Debug, Clone, clap::Args)]
pub struct EnqueueArgs {
    /// Files and directories (searched recursively for .pdf and .docx). A file named explicitly is
    /// enqueued whatever its extension: the worker recognises the format by content.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub queue: QueueArgs,
    /// `key=value` echoed to the API in every job's metadata (year, region …); repeatable.
    #[arg(long = "metadata", value_name = "KEY=VALUE", value_parser = parse_metadata)]
    pub metadata: Vec<(String, String)>,
    /// List what would be enqueued; do not connect to the broker.
    #[arg(long)]
    pub dry_run: bool,
    /// Send `url: file://<absolute path>` instead of the content; the workers' `--files-root` must
    /// contain the files.
    #[arg(long)]
    pub by_reference: bool,
    /// Largest file sent inline, MiB; larger ones fail (use --by-reference for them).
    #[arg(long, env = "YUSUAN_MAX_INLINE_MB", default_value_t = 64)]
    pub max_inline_mb: u64,
    /// Publisher confirms awaited at once (pipelining; 1 = one message at a time).
    #[arg(long, default_value_t = 64)]
    pub confirm_window: usize,
}

fn parse_metadata(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("expected KEY=VALUE, got {s:?}")),
    }
}

/// The files to enqueue, in a stable order: explicit files as given, directories walked sorted.
pub fn collect_files(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
        if meta.is_file() {
            files.push(path.clone());
            continue;
        }
        for entry in walkdir::WalkDir::new(path).follow_links(true).sort_by_file_name() {
            let entry = entry.with_context(|| format!("walking {}", path.display()))?;
            if entry.file_type().is_file() && is_document_name(entry.path()) {
                files.push(entry.into_path());
            }
        }
    }
    Ok(files)
}

fn is_document_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf") || e.eq_ignore_ascii_case("docx"))
}

/// A fresh random job id (128 bits, hex): unique per job, unlike the content hash.
fn new_job_id() -> String {
    format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..))
}

/// One job message (CONTRACT §3).
fn job_body(job_id: &str, path: &Path, bytes: &[u8], metadata: &Map<String, Value>, by_reference: bool) -> anyhow::Result<Vec<u8>> {
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut job = json!({ "job_id": job_id, "file_name": file_name, "metadata": metadata });
    if by_reference {
        let absolute = path.canonicalize().with_context(|| format!("resolving {}", path.display()))?;
        let url = reqwest::Url::from_file_path(&absolute)
            .map_err(|()| anyhow::anyhow!("{} cannot be written as a file:// url", absolute.display()))?;
        job["url"] = json!(url.to_string());
    } else {
        job["content_base64"] = json!(base64::engine::general_purpose::STANDARD.encode(bytes));
    }
    Ok(serde_json::to_vec(&job)?)
}

#[derive(Default)]
struct Summary {
    enqueued: usize,
    bytes: u64,
    duplicates: usize,
    failed: Vec<(PathBuf, String)>,
}

pub fn run(args: EnqueueArgs) -> anyhow::Result<i32> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")?;
    runtime.block_on(run_async(args))
}

async fn run_async(args: EnqueueArgs) -> anyhow::Result<i32> {
    let files = collect_files(&args.paths)?;
    let metadata: Map<String, Value> = args.metadata.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
    let topology = Topology::from_args(&args.queue);
    let max_inline = args.max_inline_mb * 1024 * 1024;

    let channel = if args.dry_run {
        None
    } else {
        let connection = queue::connect(&args.queue.amqp_url, &format!("yusuan-enqueue-{}", std::process::id())).await?;
        let channel = queue::confirm_channel(&connection).await?;
        topology.declare(&channel).await?;
        Some((connection, channel))
    };

    let bar = indicatif::ProgressBar::new(files.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {per_sec} eta {eta} {msg}").expect("static template"),
    );
    let started = Instant::now();
    let mut summary = Summary::default();
    let mut seen = HashSet::new();
    let mut pending = FuturesUnordered::new();
    for path in &files {
        bar.set_message(path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
        let bytes = match tokio::fs::read(path).await {
            Ok(b) => b,
            Err(e) => {
                summary.failed.push((path.clone(), format!("cannot read: {e}")));
                bar.inc(1);
                continue;
            }
        };
        if !seen.insert(crate::sha256_hex(&bytes)) {
            summary.duplicates += 1;
            bar.inc(1);
            continue;
        }
        if !args.by_reference && bytes.len() as u64 > max_inline {
            summary.failed.push((
                path.clone(),
                format!("{} bytes exceed --max-inline-mb {} (use --by-reference)", bytes.len(), args.max_inline_mb),
            ));
            bar.inc(1);
            continue;
        }
        let job_id = new_job_id();
        let body = match job_body(&job_id, path, &bytes, &metadata, args.by_reference) {
            Ok(b) => b,
            Err(e) => {
                summary.failed.push((path.clone(), format!("{e:#}")));
                bar.inc(1);
                continue;
            }
        };
        let Some((_, channel)) = &channel else {
            bar.println(format!("would enqueue {} ({} bytes, job {job_id})", path.display(), bytes.len()));
            summary.enqueued += 1;
            summary.bytes += bytes.len() as u64;
            bar.inc(1);
            continue;
        };
        let properties = BasicProperties::default()
            .with_content_type("application/json".into())
            .with_message_id(queue::short_string(&job_id))
            .with_delivery_mode(2);
        let options = BasicPublishOptions { mandatory: true, ..Default::default() };
        let size = bytes.len() as u64;
        match channel.basic_publish("".into(), topology.queue.as_str().into(), options, &body, properties).await {
            Ok(confirm) => pending.push(async move { (path.clone(), size, confirm.await) }),
            Err(e) => summary.failed.push((path.clone(), format!("publishing: {e}"))),
        }
        // Keep a window of confirms outstanding: one round trip per file would bound the rate.
        while pending.len() >= args.confirm_window.max(1) {
            if let Some(done) = pending.next().await {
                settle(done, &mut summary, &bar);
            }
        }
    }
    while let Some(done) = pending.next().await {
        settle(done, &mut summary, &bar);
    }
    bar.finish_and_clear();
    if let Some((connection, _)) = channel {
        let _ = connection.close(200, "enqueue done".into()).await;
    }

    let elapsed = started.elapsed().as_secs_f64();
    for (path, why) in &summary.failed {
        eprintln!("failed: {}: {why}", path.display());
    }
    eprintln!(
        "{} {} job(s) ({:.1} MiB) to {} in {:.1} s ({:.1} jobs/s); {} duplicate(s) skipped; {} failed",
        if args.dry_run { "would enqueue" } else { "enqueued" },
        summary.enqueued,
        summary.bytes as f64 / (1024.0 * 1024.0),
        topology.queue,
        elapsed,
        summary.enqueued as f64 / elapsed.max(1e-9),
        summary.duplicates,
        summary.failed.len()
    );
    Ok(if summary.failed.is_empty() { 0 } else { 1 })
}

fn settle(
    (path, size, result): (PathBuf, u64, lapin::Result<Confirmation>),
    summary: &mut Summary,
    bar: &indicatif::ProgressBar,
) {
    match result {
        Ok(Confirmation::Ack(None)) => {
            summary.enqueued += 1;
            summary.bytes += size;
        }
        Ok(Confirmation::Ack(Some(returned))) => {
            summary.failed.push((path, format!("unroutable: {}", returned.reply_text)))
        }
        Ok(Confirmation::Nack(_)) => summary.failed.push((path, "the broker refused the message".into())),
        Ok(Confirmation::NotRequested) => summary.failed.push((path, "publisher confirms not enabled".into())),
        Err(e) => summary.failed.push((path, format!("no confirm: {e}"))),
    }
    bar.inc(1);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_documents_recursively_and_explicit_files_as_given() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        for name in ["a/1.pdf", "a/b/2.DOCX", "a/b/notes.txt", "a/3.doc", "4.pdf"] {
            std::fs::write(root.join(name), name).unwrap();
        }
        let files = collect_files(&[root.join("a"), root.join("a/b/notes.txt")]).unwrap();
        let names: Vec<String> = files.iter().map(|p| p.strip_prefix(root).unwrap().display().to_string()).collect();
        assert_eq!(names, ["a/1.pdf", "a/b/2.DOCX", "a/b/notes.txt"]);
        assert!(collect_files(&[root.join("missing")]).is_err());
    }

    #[test]
    fn job_bodies_follow_the_contract() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("报告.pdf");
        std::fs::write(&path, b"%PDF-1.4").unwrap();
        let mut metadata = Map::new();
        metadata.insert("year".into(), json!("2021"));
        let inline: Value = serde_json::from_slice(&job_body("j1", &path, b"%PDF-1.4", &metadata, false).unwrap()).unwrap();
        assert_eq!(inline["job_id"], "j1");
        assert_eq!(inline["file_name"], "报告.pdf");
        assert_eq!(inline["content_base64"], "JVBERi0xLjQ=");
        assert_eq!(inline["metadata"]["year"], "2021");
        assert!(inline.get("url").is_none());
        let by_ref: Value = serde_json::from_slice(&job_body("j2", &path, b"", &metadata, true).unwrap()).unwrap();
        assert!(by_ref["url"].as_str().unwrap().starts_with("file:///"));
        assert!(by_ref.get("content_base64").is_none());
        assert_eq!(parse_metadata("region=重庆").unwrap(), ("region".into(), "重庆".into()));
        assert!(parse_metadata("novalue").is_err());
        assert_ne!(new_job_id(), new_job_id());
    }

    #[test]
    fn job_bodies_match_the_job_schema() {
        let schema: Value =
            serde_json::from_str(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/job.schema.json"))).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.docx");
        std::fs::write(&path, b"PK").unwrap();
        for by_reference in [false, true] {
            let body: Value = serde_json::from_slice(&job_body("j", &path, b"PK", &Map::new(), by_reference).unwrap()).unwrap();
            assert!(validator.is_valid(&body), "{body}");
            // The worker reads what the enqueuer writes.
            assert!(crate::worker::job::parse(body.to_string().as_bytes(), None).is_ok());
        }
        let both = json!({"job_id": "j", "file_name": "a", "content_base64": "", "url": "http://x/"});
        assert!(!validator.is_valid(&both));
        let neither = json!({"job_id": "j", "file_name": "a"});
        assert!(!validator.is_valid(&neither));
    }
}
