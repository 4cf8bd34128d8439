//! `yusuan enqueue`: the backfill publisher — one job per .pdf/.docx/.xlsx file, publisher confirms.
//!
//! A file is counted as enqueued only once the broker confirmed its message. Messages are sent in
//! batches of `--confirm-window`; a batch is kept until confirmed, and what a lost connection left
//! unconfirmed is published again (same job id) after reconnecting, so a broker restart during a
//! backfill costs a pause, not jobs. Files with the same content (sha256) as one already enqueued
//! in this run are skipped: a backfill directory often holds the same report under several names.

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
    /// Files and directories (searched recursively for .pdf, .docx and .xlsx). A file named explicitly is
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
        .is_some_and(|e| ["pdf", "docx", "xlsx"].iter().any(|known| e.eq_ignore_ascii_case(known)))
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

/// A job ready to publish. The body is kept until the broker confirms it, so that it can be
/// published again (same job id) on a new connection.
struct Prepared {
    path: PathBuf,
    job_id: String,
    size: u64,
    body: Vec<u8>,
}

/// Batches are flushed at this many bytes of bodies too, bounding what is held for re-publishing.
const MAX_BATCH_BYTES: usize = 64 * 1024 * 1024;
/// Connection attempts for one batch before its jobs are counted as failed.
const MAX_ATTEMPTS: u32 = 6;

/// The broker side of the enqueuer: one confirm channel, reopened after a connection loss.
struct Publisher {
    broker: queue::BrokerAddress,
    topology: Topology,
    session: Option<(lapin::Connection, lapin::Channel)>,
}

impl Publisher {
    async fn channel(&mut self) -> anyhow::Result<lapin::Channel> {
        if let Some((connection, channel)) = &self.session {
            if connection.status().connected() && channel.status().connected() {
                return Ok(channel.clone());
            }
        }
        self.session = None;
        let connection = queue::connect(&self.broker, &format!("yusuan-enqueue-{}", std::process::id())).await?;
        let channel = queue::confirm_channel(&connection).await?;
        self.topology.declare(&channel).await?;
        self.session = Some((connection, channel.clone()));
        Ok(channel)
    }

    async fn close(&mut self) {
        if let Some((connection, _)) = self.session.take() {
            let _ = connection.close(200, "enqueue done".into()).await;
        }
    }

    /// Publishes a batch and waits for its confirms. Jobs whose publish or confirm was lost with
    /// the connection are published again on a new one (at-least-once: a job whose confirm alone
    /// was lost is queued twice under the same job id; the API is idempotent on the content).
    async fn flush(&mut self, batch: Vec<Prepared>, window: usize, summary: &mut Summary, bar: &indicatif::ProgressBar) {
        let mut todo = batch;
        let mut last_error = String::new();
        for attempt in 0..MAX_ATTEMPTS {
            if attempt > 0 {
                let delay = queue::reconnect_delay(attempt, std::time::Duration::from_secs(5));
                note(bar, format!("broker connection lost ({last_error}); publishing {} job(s) again in {delay:?}", todo.len()));
                tokio::time::sleep(delay).await;
            }
            let channel = match self.channel().await {
                Ok(c) => c,
                Err(e) => {
                    last_error = format!("{e:#}");
                    continue;
                }
            };
            let mut retry = Vec::new();
            let mut pending = FuturesUnordered::new();
            let mut items = todo.into_iter();
            loop {
                // Keep up to `window` confirms outstanding: one round trip per file would bound the rate.
                while pending.len() >= window.max(1) {
                    if let Some((item, result)) = pending.next().await {
                        settle(item, result, summary, bar, &mut retry, &mut last_error);
                    }
                }
                let Some(item) = items.next() else { break };
                let properties = BasicProperties::default()
                    .with_content_type("application/json".into())
                    .with_message_id(queue::short_string(&item.job_id))
                    .with_delivery_mode(2);
                let options = BasicPublishOptions { mandatory: true, ..Default::default() };
                let published = channel
                    .basic_publish("".into(), self.topology.queue.as_str().into(), options, &item.body, properties)
                    .await;
                match published {
                    Ok(confirm) => pending.push(async move { (item, confirm.await) }),
                    Err(e) => {
                        last_error = e.to_string();
                        retry.push(item);
                    }
                }
            }
            while let Some((item, result)) = pending.next().await {
                settle(item, result, summary, bar, &mut retry, &mut last_error);
            }
            if retry.is_empty() {
                return;
            }
            self.session = None;
            todo = retry;
        }
        for item in todo {
            summary.failed.push((item.path, format!("not confirmed after {MAX_ATTEMPTS} attempts: {last_error}")));
            bar.inc(1);
        }
    }
}

async fn run_async(args: EnqueueArgs) -> anyhow::Result<i32> {
    let files = collect_files(&args.paths)?;
    let metadata: Map<String, Value> = args.metadata.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
    let topology = Topology::from_args(&args.queue);
    let max_inline = args.max_inline_mb * 1024 * 1024;
    let window = args.confirm_window.max(1);

    let mut publisher = Publisher { broker: queue::BrokerAddress::from_args(&args.queue)?, topology: topology.clone(), session: None };
    if !args.dry_run {
        // Fail fast on a wrong URL or credentials, before reading any file.
        publisher.channel().await?;
    }

    let bar = indicatif::ProgressBar::new(files.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {per_sec} eta {eta} {msg}").expect("static template"),
    );
    let started = Instant::now();
    let mut summary = Summary::default();
    let mut seen = HashSet::new();
    let mut batch: Vec<Prepared> = Vec::new();
    let mut batch_bytes = 0usize;
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
        if args.dry_run {
            note(&bar, format!("would enqueue {} ({} bytes, job {job_id})", path.display(), bytes.len()));
            summary.enqueued += 1;
            summary.bytes += bytes.len() as u64;
            bar.inc(1);
            continue;
        }
        batch_bytes += body.len();
        batch.push(Prepared { path: path.clone(), job_id, size: bytes.len() as u64, body });
        if batch.len() >= window || batch_bytes >= MAX_BATCH_BYTES {
            publisher.flush(std::mem::take(&mut batch), window, &mut summary, &bar).await;
            batch_bytes = 0;
        }
    }
    if !batch.is_empty() {
        publisher.flush(batch, window, &mut summary, &bar).await;
    }
    bar.finish_and_clear();
    publisher.close().await;

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

/// A line on stderr above the progress bar (also when stderr is not a terminal and the bar is hidden).
fn note(bar: &indicatif::ProgressBar, line: String) {
    bar.suspend(|| eprintln!("{line}"));
}

fn settle(
    item: Prepared,
    result: lapin::Result<Confirmation>,
    summary: &mut Summary,
    bar: &indicatif::ProgressBar,
    retry: &mut Vec<Prepared>,
    last_error: &mut String,
) {
    match result {
        Ok(Confirmation::Ack(None)) => {
            summary.enqueued += 1;
            summary.bytes += item.size;
        }
        Ok(Confirmation::Ack(Some(returned))) => {
            summary.failed.push((item.path, format!("unroutable: {}", returned.reply_text)))
        }
        Ok(Confirmation::Nack(_)) => summary.failed.push((item.path, "the broker refused the message".into())),
        Ok(Confirmation::NotRequested) => summary.failed.push((item.path, "publisher confirms not enabled".into())),
        // The connection went away before the confirm: the broker may or may not have the
        // message. Publish it again.
        Err(e) => {
            *last_error = e.to_string();
            retry.push(item);
            return;
        }
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
        for name in ["a/1.pdf", "a/b/2.DOCX", "a/b/5.xlsx", "a/b/notes.txt", "a/3.doc", "a/6.xls", "4.pdf"] {
            std::fs::write(root.join(name), name).unwrap();
        }
        let files = collect_files(&[root.join("a"), root.join("a/b/notes.txt")]).unwrap();
        let names: Vec<String> = files.iter().map(|p| p.strip_prefix(root).unwrap().display().to_string()).collect();
        assert_eq!(names, ["a/1.pdf", "a/b/2.DOCX", "a/b/5.xlsx", "a/b/notes.txt"]);
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
