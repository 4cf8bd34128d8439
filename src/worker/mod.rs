//! The queue worker (CONTRACT §3, §4): RabbitMQ in, HTTP API out. No extraction logic here: it
//! calls [`crate::extract`] and nothing deeper.
//!
//! Reliability rules, in the order a job meets them:
//! - manual acks; a job is acked only after the API answered 2xx, or after its failure was reported
//!   and its copy (with the error code in headers) confirmed on the dead-letter queue;
//! - `--concurrency` jobs at a time (a semaphore), `--prefetch` unacked deliveries per worker;
//! - extraction on the blocking pool under a timeout; transient HTTP errors retried without limit
//!   (the job holds its slot: an API outage stops consumption instead of burning the delivery limit);
//! - a lost broker connection abandons the in-flight jobs (the broker redelivers them; the API is
//!   idempotent on the key) and reconnects with backoff;
//! - SIGTERM / SIGINT: stop consuming, let in-flight jobs finish for `--drain-timeout-secs`, give
//!   the rest back to the queue, exit 0.

pub mod health;
pub mod job;
pub mod metrics;
pub mod publish;
pub mod queue;
pub mod shutdown;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use futures_util::StreamExt as _;
use lapin::options::{BasicAckOptions, BasicCancelOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions, BasicRejectOptions};
use lapin::types::{AMQPValue, FieldTable, LongString};
use lapin::{BasicProperties, Channel, Connection};
use tokio::sync::Semaphore;
use tracing::Instrument as _;

use crate::error::ExtractError;
use crate::model::Extraction;
use job::{FetchConfig, FetchError, Job, JobError, JobIdentity};
use metrics::Metrics;
use publish::{Delivered, ExtractionPost, FailurePost, RetryPolicy, Sink};
use queue::{QueueArgs, Topology};
use shutdown::Signal;

/// `yusuan worker` flags.
#[derive(Debug, Clone, clap::Args)]
pub struct WorkerArgs {
    #[command(flatten)]
    pub queue: QueueArgs,
    /// Base URL of the downstream API (`{SINK_URL}/extractions`, `{SINK_URL}/failures`).
    #[arg(long, env = "SINK_URL")]
    pub sink_url: String,
    /// Jobs processed at once; default: the number of CPU cores.
    #[arg(long, env = "YUSUAN_CONCURRENCY")]
    pub concurrency: Option<usize>,
    /// Unacknowledged deliveries the broker sends ahead; default: the concurrency (more would sit
    /// idle here while another worker could take them).
    #[arg(long, env = "YUSUAN_PREFETCH")]
    pub prefetch: Option<u16>,
    /// Directory `file://` job URLs may read from; without it `file://` URLs are refused.
    #[arg(long, env = "YUSUAN_FILES_ROOT")]
    pub files_root: Option<PathBuf>,
    /// Largest document fetched (inline or by URL), MiB.
    #[arg(long, env = "YUSUAN_MAX_DOWNLOAD_MB", default_value_t = 100)]
    pub max_download_mb: u64,
    /// Seconds in-flight jobs get to finish after SIGTERM before they are returned to the queue.
    #[arg(long, env = "YUSUAN_DRAIN_TIMEOUT_SECS", default_value_t = 30)]
    pub drain_timeout_secs: u64,
    /// Address of the `/healthz`, `/readyz` and `/metrics` endpoint (port 0: any free port, logged);
    /// empty: off.
    #[arg(long, env = "YUSUAN_METRICS_LISTEN", default_value = "127.0.0.1:9464")]
    pub metrics_listen: String,
    /// First retry delay for the API and downloads, milliseconds (doubles per attempt, jittered).
    #[arg(long, env = "YUSUAN_RETRY_INITIAL_MS", default_value_t = 500)]
    pub retry_initial_ms: u64,
    /// Longest delay between two retries, seconds.
    #[arg(long, env = "YUSUAN_RETRY_MAX_SECS", default_value_t = 60)]
    pub retry_max_secs: u64,
    /// Timeout of one HTTP request (POST to the API or download), seconds.
    #[arg(long, env = "YUSUAN_HTTP_TIMEOUT_SECS", default_value_t = 60)]
    pub http_timeout_secs: u64,
    #[command(flatten)]
    pub limits: crate::limits::LimitArgs,
}

pub fn run(args: WorkerArgs) -> anyhow::Result<()> {
    // `extract` catches panics of the PDF / DOCX libraries; the default hook would still print a
    // multi-line report for each. One log line is enough.
    std::panic::set_hook(Box::new(|info| tracing::warn!("panic caught inside extraction: {info}")));
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")?;
    let result = runtime.block_on(run_async(args));
    // An extraction still running on the blocking pool past the drain timeout must not hold up exit.
    runtime.shutdown_timeout(Duration::from_secs(1));
    result
}

/// Everything a job needs, shared by all jobs.
struct Context {
    sink: Sink,
    fetch: FetchConfig,
    limits: crate::Limits,
    /// Outer timeout around the blocking extraction: the core's own cooperative budget plus slack
    /// for a stage that does not check it often enough.
    extract_timeout: Duration,
    retry: RetryPolicy,
    topology: Topology,
    metrics: Arc<Metrics>,
}

async fn run_async(args: WorkerArgs) -> anyhow::Result<()> {
    let concurrency = args
        .concurrency
        .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))
        .max(1);
    let prefetch = args.prefetch.unwrap_or(concurrency.min(u16::MAX as usize) as u16).max(1);
    let files_root = match &args.files_root {
        Some(root) => Some(root.canonicalize().with_context(|| format!("--files-root {}", root.display()))?),
        None => None,
    };
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(args.http_timeout_secs))
        .user_agent(concat!("yusuan/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("building the HTTP client")?;
    let metrics = Arc::new(Metrics::default());
    let retry = RetryPolicy {
        initial: Duration::from_millis(args.retry_initial_ms.max(1)),
        max: Duration::from_secs(args.retry_max_secs.max(1)),
    };
    let limits = args.limits.to_limits();
    let context = Arc::new(Context {
        sink: Sink::new(&args.sink_url, http.clone(), retry.clone(), metrics.clone()),
        fetch: FetchConfig {
            max_bytes: args.max_download_mb * 1024 * 1024,
            files_root,
            http,
            download_timeout: Duration::from_secs(args.http_timeout_secs),
        },
        extract_timeout: limits.time_budget + Duration::from_secs(5),
        limits,
        retry,
        topology: Topology::from_args(&args.queue),
        metrics: metrics.clone(),
    });

    let (stop_trigger, stop) = shutdown::channel();
    shutdown::on_stop_signals(stop_trigger)?;
    if !args.metrics_listen.is_empty() {
        let addr = health::serve(&args.metrics_listen, metrics.clone(), stop.clone()).await?;
        tracing::info!(%addr, "health and metrics endpoint listening");
    }
    tracing::info!(
        queue = %context.topology.queue,
        concurrency,
        prefetch,
        sink = %args.sink_url,
        "worker starting"
    );
    let consumer = Consumer {
        url: args.queue.amqp_url.clone(),
        context,
        slots: Arc::new(Semaphore::new(concurrency)),
        concurrency: concurrency as u32,
        prefetch,
        drain_timeout: Duration::from_secs(args.drain_timeout_secs),
    };
    consumer.run(stop).await
}

/// One broker connection's worth of state.
struct Session {
    connection: Connection,
    consume_channel: Channel,
    publish_channel: Channel,
    deliveries: lapin::Consumer,
    consumer_tag: String,
}

struct Consumer {
    url: String,
    context: Arc<Context>,
    slots: Arc<Semaphore>,
    concurrency: u32,
    prefetch: u16,
    drain_timeout: Duration,
}

enum SessionEnd {
    Stop,
    Lost(String),
}

impl Consumer {
    async fn run(&self, mut stop: Signal) -> anyhow::Result<()> {
        // Fired when the drain timeout expires: jobs still running give their delivery back.
        let (abandon_trigger, abandon) = shutdown::channel();
        let mut failed_connects = 0u32;
        loop {
            let session = tokio::select! {
                s = self.open_session() => s,
                _ = stop.fired() => break,
            };
            let mut session = match session {
                Ok(s) => s,
                Err(e) => {
                    let delay = queue::reconnect_delay(failed_connects, Duration::from_secs(10));
                    failed_connects += 1;
                    tracing::warn!(error = %format!("{e:#}"), ?delay, "cannot start consuming; retrying");
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => continue,
                        _ = stop.fired() => break,
                    }
                }
            };
            failed_connects = 0;
            self.context.metrics.broker_connected.set(1);
            self.context.metrics.broker_connects.inc_by(1);
            tracing::info!(queue = %self.context.topology.queue, "consuming");

            let (lost_trigger, lost) = shutdown::channel();
            let end = self.consume(&mut session, &mut stop, lost, abandon.clone()).await;
            self.context.metrics.broker_connected.set(0);
            match end {
                SessionEnd::Lost(reason) => {
                    // The broker has already requeued everything unacked on the dead connection;
                    // jobs still running on it could not ack anyway.
                    tracing::warn!(%reason, "broker connection lost; abandoning in-flight jobs and reconnecting");
                    lost_trigger.fire();
                    let _ = session.connection.close(320, "connection lost".into()).await;
                }
                SessionEnd::Stop => {
                    self.drain(&session, &abandon_trigger).await;
                    lost_trigger.fire();
                    let _ = session.connection.close(200, "worker stopped".into()).await;
                    break;
                }
            }
        }
        tracing::info!("worker stopped");
        Ok(())
    }

    async fn open_session(&self) -> anyhow::Result<Session> {
        let pid = std::process::id();
        let connection = queue::connect(&self.url, &format!("yusuan-worker-{pid}")).await?;
        match self.start_consuming(&connection).await {
            Ok((consume_channel, publish_channel, deliveries, consumer_tag)) => {
                Ok(Session { connection, consume_channel, publish_channel, deliveries, consumer_tag })
            }
            Err(e) => {
                // Do not leave a half-set-up connection open at the broker on every retry.
                let _ = connection.close(200, "setup failed".into()).await;
                Err(e)
            }
        }
    }

    async fn start_consuming(&self, connection: &Connection) -> anyhow::Result<(Channel, Channel, lapin::Consumer, String)> {
        let consume_channel = connection.create_channel().await.context("opening a channel")?;
        self.context.topology.declare(&consume_channel).await?;
        consume_channel
            .basic_qos(self.prefetch, BasicQosOptions::default())
            .await
            .context("setting the prefetch")?;
        let publish_channel = queue::confirm_channel(connection).await?;
        let consumer_tag = format!("yusuan-worker-{}-{}", std::process::id(), fastrand::u32(..));
        let deliveries = consume_channel
            .basic_consume(
                self.context.topology.queue.as_str().into(),
                consumer_tag.as_str().into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .context("starting the consumer")?;
        Ok((consume_channel, publish_channel, deliveries, consumer_tag))
    }

    async fn consume(&self, session: &mut Session, stop: &mut Signal, lost: Signal, abandon: Signal) -> SessionEnd {
        // lapin reports a dead connection to a consumer only when it next polls it; while every
        // slot is busy we are not polling, so the status is also watched on a timer.
        let mut health = tokio::time::interval(Duration::from_millis(500));
        loop {
            let permit = loop {
                tokio::select! {
                    p = self.slots.clone().acquire_owned() => break p.expect("the semaphore is never closed"),
                    _ = stop.fired() => return SessionEnd::Stop,
                    _ = health.tick() => if let Some(reason) = session_broken(session) { return SessionEnd::Lost(reason) },
                }
            };
            let next = loop {
                tokio::select! {
                    d = session.deliveries.next() => break d,
                    _ = stop.fired() => return SessionEnd::Stop,
                    _ = health.tick() => if let Some(reason) = session_broken(session) { return SessionEnd::Lost(reason) },
                }
            };
            match next {
                Some(Ok(delivery)) => {
                    let context = self.context.clone();
                    let publish_channel = session.publish_channel.clone();
                    let (lost, abandon) = (lost.clone(), abandon.clone());
                    tokio::spawn(async move {
                        handle_delivery(context, delivery, publish_channel, lost, abandon).await;
                        drop(permit);
                    });
                }
                Some(Err(e)) => return SessionEnd::Lost(e.to_string()),
                None => return SessionEnd::Lost("the broker cancelled the consumer".into()),
            }
        }
    }

    /// Stops new deliveries, waits for the running jobs up to the drain timeout, then makes the
    /// stragglers give their deliveries back.
    async fn drain(&self, session: &Session, abandon: &shutdown::Trigger) {
        let started = Instant::now();
        if let Err(e) = session
            .consume_channel
            .basic_cancel(session.consumer_tag.as_str().into(), BasicCancelOptions::default())
            .await
        {
            tracing::warn!(error = %e, "cancelling the consumer failed; closing the connection will stop it");
        }
        let running = self.concurrency as usize - self.slots.available_permits();
        tracing::info!(running, timeout = ?self.drain_timeout, "draining");
        let all_done = self.slots.acquire_many(self.concurrency);
        match tokio::time::timeout(self.drain_timeout, all_done).await {
            Ok(_) => tracing::info!(elapsed = ?started.elapsed(), "drained: all in-flight jobs finished"),
            Err(_) => {
                abandon.fire();
                // Returning a delivery is one frame; the jobs only need a moment to do it.
                let _ = tokio::time::timeout(Duration::from_secs(2), self.slots.acquire_many(self.concurrency)).await;
                tracing::warn!(
                    elapsed = ?started.elapsed(),
                    "drain timeout: unfinished jobs were returned to the queue"
                );
            }
        }
        // Deliveries prefetched but never started are unacked; closing the channel returns them.
    }
}

fn session_broken(session: &Session) -> Option<String> {
    if !session.connection.status().connected() {
        Some("the connection is closed".into())
    } else if !session.consume_channel.status().connected() {
        Some("the consumer channel is closed".into())
    } else if !session.publish_channel.status().connected() {
        // E.g. the dead-letter exchange was deleted under us: reconnecting declares it again.
        Some("the publishing channel is closed".into())
    } else {
        None
    }
}

/// How one job ended.
enum Outcome {
    /// The API accepted the extraction: ack.
    Delivered,
    /// Reported and copied to the dead-letter queue: ack. `dead_lettered` false means the copy
    /// could not be published; the delivery is then rejected so that the broker dead-letters it.
    Failed { code: &'static str, dead_lettered: bool },
    /// Not finished: give the delivery back to the queue.
    Returned(&'static str),
}

/// Every log line of one job carries its id and file through this span (filled in once the
/// message is parsed).
async fn handle_delivery(
    context: Arc<Context>,
    delivery: lapin::message::Delivery,
    publish_channel: Channel,
    lost: Signal,
    abandon: Signal,
) {
    let span = tracing::info_span!("job", job_id = tracing::field::Empty, file = tracing::field::Empty);
    handle_delivery_in_span(context, delivery, publish_channel, lost, abandon).instrument(span).await
}

async fn handle_delivery_in_span(
    context: Arc<Context>,
    delivery: lapin::message::Delivery,
    publish_channel: Channel,
    mut lost: Signal,
    mut abandon: Signal,
) {
    let metrics = context.metrics.clone();
    metrics.in_flight.add(1);
    let message_id = delivery.properties.message_id().as_ref().map(|s| s.to_string());
    let outcome = tokio::select! {
        o = process(&context, &delivery, &publish_channel, message_id.as_deref()) => o,
        _ = lost.fired() => Outcome::Returned("connection lost"),
        _ = abandon.fired() => Outcome::Returned("drain timeout"),
    };
    let acker = &delivery.acker;
    let settled = match &outcome {
        Outcome::Delivered => acker.ack(BasicAckOptions::default()).await,
        Outcome::Failed { dead_lettered: true, .. } => acker.ack(BasicAckOptions::default()).await,
        Outcome::Failed { dead_lettered: false, .. } => acker.reject(BasicRejectOptions { requeue: false }).await,
        Outcome::Returned(_) => acker.nack(BasicNackOptions { requeue: true, multiple: false }).await,
    };
    let label = match &outcome {
        Outcome::Delivered => "delivered",
        Outcome::Failed { code, .. } => {
            metrics.failures.inc_by(code, 1);
            "failed"
        }
        Outcome::Returned(why) => {
            tracing::info!(reason = why, "job returned to the queue");
            "returned"
        }
    };
    match settled {
        Ok(true) => {}
        // The channel died after the work was done: the broker redelivers and the API, being
        // idempotent on the key, answers the repeat with the stored id.
        Ok(false) | Err(_) if !matches!(outcome, Outcome::Returned(_)) => {
            tracing::warn!("could not acknowledge (channel gone); the job will be redelivered")
        }
        _ => {}
    }
    metrics.jobs.inc_by(label, 1);
    metrics.in_flight.add(-1);
}

async fn process(
    context: &Context,
    delivery: &lapin::message::Delivery,
    publish_channel: &Channel,
    message_id: Option<&str>,
) -> Outcome {
    let job = match job::parse(&delivery.data, message_id) {
        Ok(job) => job,
        Err((identity, error)) => {
            record_identity(&identity);
            return fail(context, delivery, publish_channel, &identity, None, error).await;
        }
    };
    let identity = job.identity();
    record_identity(&identity);
    tracing::info!(redelivered = delivery.redelivered, "job received");
    let bytes = match fetch_with_retries(context, &job).await {
        Ok(bytes) => bytes,
        Err(error) => return fail(context, delivery, publish_channel, &identity, None, error).await,
    };
    let sha256 = crate::sha256_hex(&bytes);
    let extraction = match extract_blocking(context, &job.file_name, bytes).await {
        Ok(extraction) => extraction,
        Err(error) => return fail(context, delivery, publish_channel, &identity, Some(&sha256), error.into()).await,
    };
    record_extraction(&context.metrics, &extraction);
    let post = ExtractionPost { job_id: &job.job_id, metadata: &job.metadata, extraction: &extraction };
    match context.sink.post_extraction(&post).await {
        Delivered::Accepted => {
            tracing::info!(
                key = %Sink::idempotency_key(&extraction),
                tables = extraction.tables.len(),
                records = extraction.records.len(),
                "delivered"
            );
            Outcome::Delivered
        }
        Delivered::Rejected(reason) => {
            fail(context, delivery, publish_channel, &identity, Some(&sha256), JobError::Rejected(reason)).await
        }
    }
}

fn record_identity(identity: &JobIdentity) {
    let span = tracing::Span::current();
    span.record("job_id", identity.job_id.as_str());
    span.record("file", identity.file_name.as_str());
}

async fn fetch_with_retries(context: &Context, job: &Job) -> Result<Vec<u8>, JobError> {
    let mut attempt = 0;
    loop {
        match job::fetch(job, &context.fetch).await {
            Ok(bytes) => return Ok(bytes),
            Err(FetchError::Permanent(e)) => return Err(e),
            Err(FetchError::Transient(e)) => {
                let delay = context.retry.backoff(attempt);
                attempt += 1;
                context.metrics.publish_retries.inc_by("download", 1);
                tracing::warn!(error = %e, ?delay, "download failed; retrying");
                tokio::time::sleep(delay).await;
            }
        }
    }
}

/// Runs the CPU-bound extraction on the blocking pool so the runtime keeps serving heartbeats,
/// acks and the health endpoint.
async fn extract_blocking(context: &Context, file_name: &str, bytes: Vec<u8>) -> Result<Extraction, ExtractError> {
    let limits = context.limits.clone();
    let name = file_name.to_string();
    let started = Instant::now();
    let task = tokio::task::spawn_blocking(move || crate::extract(&name, &bytes, &limits));
    let result = match tokio::time::timeout(context.extract_timeout, task).await {
        Ok(Ok(result)) => result,
        Ok(Err(join_error)) => Err(ExtractError::Internal(format!("the extraction task failed: {join_error}"))),
        // The thread cannot be killed; the core's own deadline ends it soon after.
        Err(_) => Err(ExtractError::Timeout(format!(
            "extraction did not finish within {:?}",
            context.extract_timeout
        ))),
    };
    context.metrics.extraction_seconds.observe(started.elapsed().as_secs_f64());
    result
}

fn record_extraction(metrics: &Metrics, extraction: &Extraction) {
    metrics.pages.inc_by(extraction.source.page_count.unwrap_or(0) as u64);
    metrics.tables.inc_by(extraction.tables.len() as u64);
    metrics.records.inc_by(extraction.records.len() as u64);
    for warning in &extraction.warnings {
        metrics.warnings.inc_by(&warning.code, 1);
    }
}

/// Reports a failed job to the API and copies it to the dead-letter queue with its code.
async fn fail(
    context: &Context,
    delivery: &lapin::message::Delivery,
    publish_channel: &Channel,
    identity: &JobIdentity,
    sha256: Option<&str>,
    error: JobError,
) -> Outcome {
    let code = error.code();
    let message = error.to_string();
    tracing::warn!(code, %message, "job failed");
    let report = FailurePost {
        job_id: &identity.job_id,
        metadata: &identity.metadata,
        file_name: &identity.file_name,
        sha256,
        code,
        message: &message,
    };
    let key = Sink::failure_key(&report, &delivery.data);
    if let Delivered::Rejected(reason) = context.sink.post_failure(&report, &key).await {
        // The dead-lettered copy still carries the code; nothing more can be done here.
        tracing::error!(%reason, "the API refused the failure report");
    }
    let mut headers = delivery.properties.headers().clone().unwrap_or_default();
    headers.insert(queue::ERROR_CODE_HEADER.into(), AMQPValue::LongString(LongString::from(code.to_string())));
    headers.insert(queue::ERROR_MESSAGE_HEADER.into(), AMQPValue::LongString(LongString::from(message.clone())));
    let mut properties = BasicProperties::default()
        .with_content_type("application/json".into())
        .with_headers(headers);
    if !identity.job_id.is_empty() {
        properties = properties.with_message_id(queue::short_string(&identity.job_id));
    }
    let published = queue::publish_confirmed(
        publish_channel,
        &context.topology.dead_letter_exchange,
        &context.topology.queue,
        &delivery.data,
        properties,
    )
    .await;
    if let Err(e) = &published {
        tracing::warn!(error = %format!("{e:#}"), "could not publish to the dead-letter queue; rejecting instead");
    }
    Outcome::Failed { code, dead_lettered: published.is_ok() }
}
