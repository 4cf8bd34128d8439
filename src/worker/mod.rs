//! The queue worker (CONTRACT §3, §4): RabbitMQ in, HTTP API out. No extraction logic here: it
//! calls [`crate::extract`] and nothing deeper.
//!
//! Reliability rules, in the order a job meets them:
//! - manual acks; a job is acked only after the API answered 2xx, after its failure was reported
//!   and its copy (with the error code in headers) confirmed on the dead-letter queue, or after a
//!   fresh copy of it was confirmed back on the job queue (below);
//! - `--concurrency` jobs at a time (a semaphore), `--prefetch` unacked deliveries per worker;
//! - no delivery is held for more than half the broker's consumer timeout (`--consumer-timeout-secs`):
//!   past that, a job still waiting for the API or a download goes back to the queue;
//! - "back to the queue" is always a republished copy (publisher confirm, then ack), never a nack:
//!   a copy starts the quorum queue's delivery counters at zero on every RabbitMQ version, so waiting
//!   out an outage, a drain or a pause never spends the document's delivery attempts;
//! - transient API errors are retried briefly; `--breaker-failures` of them in a row open the
//!   breaker (`breaker.rs`): in-flight jobs go back, the consumer is cancelled, the API is probed
//!   with jittered backoff, and consuming resumes once it answers;
//! - a delivery the broker redelivered (its worker crashed, was OOM-killed or lost the connection)
//!   is republished with the count of such losses in `x-yusuan-worker-losses`; at
//!   `--max-worker-losses` the job is reported as `internal_error` and dead-lettered by the worker,
//!   so a document that kills workers is never dead-lettered silently by the broker;
//! - a lost broker connection abandons the in-flight jobs (the broker redelivers them; the API is
//!   idempotent on the key) and reconnects with backoff;
//! - SIGTERM / SIGINT: stop consuming, let in-flight jobs finish for `--drain-timeout-secs`, give
//!   the rest back to the queue, exit 0.

pub mod breaker;
pub mod egress;
pub mod health;
pub mod job;
pub mod metrics;
pub mod publish;
pub mod queue;
pub mod secret;
pub mod shutdown;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use futures_util::StreamExt as _;
use lapin::options::{BasicAckOptions, BasicCancelOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions, BasicRejectOptions};
use lapin::types::{AMQPValue, FieldTable, LongString};
use lapin::{BasicProperties, Channel, Connection};
use tokio::sync::{watch, Semaphore};
use tracing::Instrument as _;

use crate::error::ExtractError;
use crate::model::Extraction;
use breaker::{Breaker, BreakerState};
use job::{FetchConfig, FetchError, Job, JobError, JobIdentity};
use metrics::Metrics;
use publish::{Deferral, Delivered, ExtractionPost, FailurePost, RetryPolicy, Sink};
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
    /// Bearer token sent to the API (`Authorization: Bearer …`); never logged. A 401 or 403
    /// pauses consuming until the API accepts it (nothing is dead-lettered for it).
    #[arg(long, env = "SINK_TOKEN", hide_env_values = true)]
    pub sink_token: Option<secret::Secret>,
    /// PEM file with the CA certificate(s) to trust for an https `SINK_URL` besides the system's
    /// roots (an internal API behind a private CA, mounted from a Secret).
    #[arg(long, env = "YUSUAN_SINK_CA")]
    pub sink_ca: Option<PathBuf>,
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
    /// Hosts job URLs may be downloaded from, comma-separated: `files.example.org`, `*.example.org`
    /// (names below it), an IP address, or `*` (any host). None by default: every http(s) download
    /// is refused until the operator names the portals' file hosts.
    #[arg(long, env = "YUSUAN_URL_ALLOW", value_delimiter = ',')]
    pub url_allow: Vec<String>,
    /// Let downloads connect to loopback, private, link-local, CGNAT, multicast and other
    /// non-public addresses (refused by default, whatever the host name).
    #[arg(long, env = "YUSUAN_URL_ALLOW_PRIVATE")]
    pub url_allow_private: bool,
    /// Non-public address ranges downloads may connect to all the same, comma-separated CIDRs
    /// (e.g. an internal file server's `10.20.0.0/16`).
    #[arg(long, env = "YUSUAN_URL_ALLOW_CIDR", value_delimiter = ',')]
    pub url_allow_cidr: Vec<String>,
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
    /// The broker's consumer timeout, seconds: RabbitMQ's `consumer_timeout` (30 min by default),
    /// or the queue's `x-consumer-timeout` / `consumer-timeout` policy where one is set. The worker
    /// holds no delivery longer than half of it: a job still waiting then goes back to the queue.
    #[arg(long, env = "YUSUAN_CONSUMER_TIMEOUT_SECS", default_value_t = 1800)]
    pub consumer_timeout_secs: u64,
    /// API requests in a row ending in a transient error (connection failure, timeout, 408, 429,
    /// 5xx) that pause consuming until a probe of the API gets an answer.
    #[arg(long, env = "YUSUAN_BREAKER_FAILURES", default_value_t = 5)]
    pub breaker_failures: u32,
    /// Times a job may lose its worker (the broker redelivers it after the worker holding it died,
    /// was OOM-killed or lost its connection) before it is reported as `internal_error` and
    /// dead-lettered instead of being tried again.
    #[arg(long, env = "YUSUAN_MAX_WORKER_LOSSES", default_value_t = 3)]
    pub max_worker_losses: u32,
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
    breaker: Arc<Breaker>,
    /// Longest a job may hold its delivery: half the broker's consumer timeout, so that a slow
    /// stage, a buffered delivery and the broker's own timer granularity all fit under it.
    hold_limit: Duration,
    max_worker_losses: u32,
    abandoned_here: AbandonedHere,
}

/// The hold limit for a broker consumer timeout, checked against the extraction budget: a job must
/// be able to extract within the time it may hold its delivery.
fn hold_limit(consumer_timeout: Duration, time_budget: Duration) -> anyhow::Result<Duration> {
    let hold = consumer_timeout / 2;
    if time_budget >= hold {
        anyhow::bail!(
            "--timeout-secs ({}) must be below half of --consumer-timeout-secs ({}): a job holds its \
             delivery for at most half the broker's consumer timeout, extraction included",
            time_budget.as_secs(),
            consumer_timeout.as_secs()
        );
    }
    Ok(hold)
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
    let mut api_client = reqwest::Client::builder();
    if let Some(path) = &args.sink_ca {
        let pem = std::fs::read(path).with_context(|| format!("reading --sink-ca {}", path.display()))?;
        let roots = reqwest::Certificate::from_pem_bundle(&pem).with_context(|| format!("--sink-ca {}", path.display()))?;
        if roots.is_empty() {
            anyhow::bail!("--sink-ca {}: no PEM certificate in it", path.display());
        }
        api_client = api_client.tls_certs_merge(roots);
    }
    let http = api_client
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(args.http_timeout_secs))
        .user_agent(concat!("yusuan/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("building the HTTP client")?;
    let policy = Arc::new(
        egress::DownloadPolicy::new(&args.url_allow, args.url_allow_private, &args.url_allow_cidr)
            .map_err(|e| anyhow::anyhow!(e))?,
    );
    if policy.refuses_all() {
        tracing::warn!("no --url-allow hosts: jobs with an http(s) url will fail as invalid_job");
    }
    let download_http = egress::download_client(
        policy.clone(),
        Duration::from_secs(10),
        Duration::from_secs(args.http_timeout_secs),
    )
    .context("building the download client")?;
    let metrics = Arc::new(Metrics::default());
    let retry = RetryPolicy {
        initial: Duration::from_millis(args.retry_initial_ms.max(1)),
        max: Duration::from_secs(args.retry_max_secs.max(1)),
    };
    let limits = args.limits.to_limits();
    let hold_limit = hold_limit(Duration::from_secs(args.consumer_timeout_secs), limits.time_budget)?;
    let breaker = Arc::new(Breaker::new(args.breaker_failures));
    let context = Arc::new(Context {
        sink: Sink::new(&args.sink_url, http, retry.clone(), metrics.clone(), breaker.clone())
            .with_token(args.sink_token.clone()),
        fetch: FetchConfig {
            max_bytes: args.max_download_mb * 1024 * 1024,
            files_root,
            http: download_http,
            policy,
            download_timeout: Duration::from_secs(args.http_timeout_secs),
        },
        extract_timeout: limits.time_budget + Duration::from_secs(5),
        limits,
        retry,
        topology: Topology::from_args(&args.queue),
        metrics: metrics.clone(),
        breaker: breaker.clone(),
        hold_limit,
        max_worker_losses: args.max_worker_losses.max(1),
        abandoned_here: AbandonedHere::default(),
    });

    let (stop_trigger, stop) = shutdown::channel();
    shutdown::on_stop_signals(stop_trigger)?;
    if !args.metrics_listen.is_empty() {
        let addr = health::serve(&args.metrics_listen, metrics.clone(), breaker, stop.clone()).await?;
        tracing::info!(%addr, "health and metrics endpoint listening");
    }
    tracing::info!(
        queue = %context.topology.queue,
        concurrency,
        prefetch,
        sink = %args.sink_url,
        sink_token = args.sink_token.is_some(),
        hold_limit = ?context.hold_limit,
        breaker_failures = args.breaker_failures,
        max_worker_losses = context.max_worker_losses,
        "worker starting"
    );
    let consumer = Consumer {
        broker: queue::BrokerAddress::from_args(&args.queue)?,
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
    /// False once the consumer was cancelled (paused, draining).
    consuming: bool,
}

struct Consumer {
    broker: queue::BrokerAddress,
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
                    self.drain(&mut session, &abandon_trigger).await;
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
        let connection = queue::connect(&self.broker, &format!("yusuan-worker-{pid}")).await?;
        match self.start_consuming(&connection).await {
            Ok((consume_channel, publish_channel, deliveries, consumer_tag)) => Ok(Session {
                connection,
                consume_channel,
                publish_channel,
                deliveries,
                consumer_tag,
                consuming: true,
            }),
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
        let (deliveries, consumer_tag) = self.basic_consume(&consume_channel).await?;
        Ok((consume_channel, publish_channel, deliveries, consumer_tag))
    }

    async fn basic_consume(&self, channel: &Channel) -> anyhow::Result<(lapin::Consumer, String)> {
        let consumer_tag = format!("yusuan-worker-{}-{}", std::process::id(), fastrand::u32(..));
        let deliveries = channel
            .basic_consume(
                self.context.topology.queue.as_str().into(),
                consumer_tag.as_str().into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .context("starting the consumer")?;
        Ok((deliveries, consumer_tag))
    }

    /// Consumes until stopped or the connection is lost; pauses while the breaker is open.
    async fn consume(&self, session: &mut Session, stop: &mut Signal, lost: Signal, abandon: Signal) -> SessionEnd {
        // lapin reports a dead connection to a consumer only when it next polls it; while every
        // slot is busy we are not polling, so the status is also watched on a timer.
        let mut health = tokio::time::interval(Duration::from_millis(500));
        let mut breaker = self.context.breaker.subscribe();
        loop {
            if let Some(end) = self.consume_until_paused(session, stop, &lost, &abandon, &mut breaker, &mut health).await {
                return end;
            }
            // Paused: hold nothing while the API is away. Running jobs give their deliveries back
            // by themselves (their POST returns `Deferred`); the consumer goes, and what the broker
            // had already sent is given back unstarted.
            let paused_at = Instant::now();
            match self.stop_consumer(session, RequeueReason::Paused).await {
                Ok(returned) => tracing::info!(returned, "consumer cancelled while paused"),
                Err(reason) => return SessionEnd::Lost(reason),
            }
            loop {
                tokio::select! {
                    _ = breaker::closed(&mut breaker) => break,
                    _ = stop.fired() => return SessionEnd::Stop,
                    _ = health.tick() => if let Some(reason) = session_broken(session) { return SessionEnd::Lost(reason) },
                }
            }
            match self.basic_consume(&session.consume_channel).await {
                Ok((deliveries, tag)) => {
                    session.deliveries = deliveries;
                    session.consumer_tag = tag;
                    session.consuming = true;
                }
                Err(e) => return SessionEnd::Lost(format!("{e:#}")),
            }
            tracing::info!(paused = ?paused_at.elapsed(), "consuming again");
        }
    }

    /// Takes deliveries while the breaker is closed. `None`: it opened.
    async fn consume_until_paused(
        &self,
        session: &mut Session,
        stop: &mut Signal,
        lost: &Signal,
        abandon: &Signal,
        breaker: &mut watch::Receiver<BreakerState>,
        health: &mut tokio::time::Interval,
    ) -> Option<SessionEnd> {
        loop {
            let permit = loop {
                tokio::select! {
                    p = self.slots.clone().acquire_owned() => break p.expect("the semaphore is never closed"),
                    _ = stop.fired() => return Some(SessionEnd::Stop),
                    _ = breaker::opened(breaker) => return None,
                    _ = health.tick() => if let Some(reason) = session_broken(session) { return Some(SessionEnd::Lost(reason)) },
                }
            };
            let next = loop {
                tokio::select! {
                    d = session.deliveries.next() => break d,
                    _ = stop.fired() => return Some(SessionEnd::Stop),
                    _ = breaker::opened(breaker) => return None,
                    _ = health.tick() => if let Some(reason) = session_broken(session) { return Some(SessionEnd::Lost(reason)) },
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
                Some(Err(e)) => return Some(SessionEnd::Lost(e.to_string())),
                None => return Some(SessionEnd::Lost("the broker cancelled the consumer".into())),
            }
        }
    }

    /// Cancels the consumer and gives back, unstarted, every delivery the broker sent before the
    /// cancel took effect (closing the channel would return them too, but as broker returns, which
    /// count as delivery attempts on RabbitMQ up to 4.2). Returns how many it gave back.
    async fn stop_consumer(&self, session: &mut Session, reason: RequeueReason) -> Result<usize, String> {
        if !session.consuming {
            return Ok(0);
        }
        session.consuming = false;
        session
            .consume_channel
            .basic_cancel(session.consumer_tag.as_str().into(), BasicCancelOptions::default())
            .await
            .map_err(|e| format!("cancelling the consumer: {e}"))?;
        // After cancel-ok lapin ends the stream behind the deliveries it had buffered.
        let mut returned = 0;
        loop {
            match tokio::time::timeout(Duration::from_secs(5), session.deliveries.next()).await {
                Ok(Some(Ok(delivery))) => {
                    returned += 1;
                    give_back_unstarted(&self.context, delivery, &session.publish_channel, reason).await;
                }
                Ok(Some(Err(e))) => return Err(e.to_string()),
                Ok(None) | Err(_) => break,
            }
        }
        Ok(returned)
    }

    /// Stops new deliveries, waits for the running jobs up to the drain timeout, then makes the
    /// stragglers give their deliveries back.
    async fn drain(&self, session: &mut Session, abandon: &shutdown::Trigger) {
        let started = Instant::now();
        if let Err(e) = self.stop_consumer(session, RequeueReason::Drain).await {
            tracing::warn!(error = %e, "cancelling the consumer failed; closing the connection will stop it");
        }
        let running = self.concurrency as usize - self.slots.available_permits();
        tracing::info!(running, timeout = ?self.drain_timeout, "draining");
        let all_done = self.slots.acquire_many(self.concurrency);
        match tokio::time::timeout(self.drain_timeout, all_done).await {
            Ok(_) => tracing::info!(elapsed = ?started.elapsed(), "drained: all in-flight jobs finished"),
            Err(_) => {
                abandon.fire();
                // Giving a job back is one confirmed publish and an ack: a moment each.
                let _ = tokio::time::timeout(Duration::from_secs(5), self.slots.acquire_many(self.concurrency)).await;
                tracing::warn!(
                    elapsed = ?started.elapsed(),
                    "drain timeout: unfinished jobs were returned to the queue"
                );
            }
        }
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

/// Why a job went back to the queue (the `reason` label of `yusuan_jobs_requeued_total`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RequeueReason {
    /// The API breaker opened.
    Paused,
    /// Holding the delivery any longer would approach the broker's consumer timeout.
    HoldLimit,
    /// SIGTERM / SIGINT and the drain timeout passed.
    Drain,
    /// The broker redelivered it after its worker was lost; the copy carries the count.
    Redelivered,
}

impl RequeueReason {
    fn label(self) -> &'static str {
        match self {
            RequeueReason::Paused => "paused",
            RequeueReason::HoldLimit => "hold_limit",
            RequeueReason::Drain => "drain",
            RequeueReason::Redelivered => "redelivered",
        }
    }
}

impl From<Deferral> for RequeueReason {
    fn from(deferral: Deferral) -> Self {
        match deferral {
            Deferral::Paused(_) => RequeueReason::Paused,
            Deferral::HoldLimit => RequeueReason::HoldLimit,
        }
    }
}

/// How one job ended.
enum Outcome {
    /// The API accepted the extraction: ack.
    Delivered,
    /// Reported and copied to the dead-letter queue: ack. `dead_lettered` false means the copy
    /// could not be published; the delivery is then rejected so that the broker dead-letters it.
    Failed { code: &'static str, dead_lettered: bool },
    /// Not finished: give it back to the queue as a fresh copy carrying `losses`, then ack.
    Requeue { reason: RequeueReason, losses: u32 },
    /// The connection is gone: nothing can be settled; the broker has returned the delivery.
    Abandoned,
}

/// One delivery being worked on.
struct Held<'a> {
    delivery: &'a lapin::message::Delivery,
    publish_channel: &'a Channel,
    /// Worker losses so far, this delivery's included: what a copy given back carries.
    losses: u32,
    /// The broker redelivered this message (see [`arrival`]).
    redelivered: bool,
    /// When the job must have let go of the delivery (the hold limit).
    deadline: Instant,
}

/// What a delivery says about lost workers when it arrives.
struct Arrival {
    /// Worker losses so far, this delivery's included.
    losses: u32,
    /// The broker redelivered this very message: its previous holder went away unsettled.
    redelivered: bool,
}

/// Worker losses a delivery has seen: the count carried by our header, plus one if the broker
/// redelivered this very message (its previous holder went away without settling it). Our worker
/// never returns a delivery to the broker itself (it republishes), so a broker redelivery means a
/// lost worker. Every version sets `redelivered` then; the broker counters are checked as well.
/// A redelivery of a job this worker itself abandoned when its own connection was lost is not the
/// document's doing and is not counted.
fn arrival(context: &Context, delivery: &lapin::message::Delivery) -> Arrival {
    let headers = delivery.properties.headers().as_ref();
    let carried = queue::header_count(headers, queue::WORKER_LOSSES_HEADER).unwrap_or(0).min(u32::MAX as u64 - 1) as u32;
    let redelivered = delivery.redelivered
        || queue::BROKER_COUNT_HEADERS.iter().any(|name| queue::header_count(headers, name).unwrap_or(0) > 0);
    let counted = redelivered && !context.abandoned_here.take(&delivery.data);
    if redelivered && !counted {
        tracing::info!("redelivered after this worker's own connection loss: not counted as a lost worker");
    }
    Arrival { losses: carried + u32::from(counted), redelivered }
}

/// Jobs this worker abandoned because its own broker connection or channel was lost (a broker
/// restart, a network cut, a consumer timeout), by the sha256 of the message body. The broker
/// redelivers them; if one comes back to this same worker, that loss is not counted against the
/// document. (Redelivered to another worker it is counted: only this one knows it is alive.)
/// Entries expire after an hour.
#[derive(Default)]
struct AbandonedHere(std::sync::Mutex<std::collections::HashMap<String, Instant>>);

impl AbandonedHere {
    const KEEP: Duration = Duration::from_secs(3600);

    /// Remembers a message body.
    fn remember(&self, body: &[u8]) {
        let mut map = self.0.lock().expect("abandoned-jobs lock");
        map.retain(|_, at| at.elapsed() < Self::KEEP);
        map.insert(crate::sha256_hex(body), Instant::now());
    }

    /// Whether this body was abandoned here (and forgets it: one redelivery per abandonment).
    fn take(&self, body: &[u8]) -> bool {
        let mut map = self.0.lock().expect("abandoned-jobs lock");
        if map.is_empty() {
            return false;
        }
        map.remove(&crate::sha256_hex(body)).is_some_and(|at| at.elapsed() < Self::KEEP)
    }
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
    let Arrival { losses, redelivered } = arrival(&context, &delivery);
    let held = Held {
        delivery: &delivery,
        publish_channel: &publish_channel,
        losses,
        redelivered,
        deadline: Instant::now() + context.hold_limit,
    };
    let outcome = tokio::select! {
        o = process(&context, &held, message_id.as_deref()) => o,
        _ = lost.fired() => Outcome::Abandoned,
        _ = abandon.fired() => Outcome::Requeue { reason: RequeueReason::Drain, losses },
    };
    if let Outcome::Abandoned = outcome {
        context.abandoned_here.remember(&delivery.data);
    }
    settle(&context, &delivery, &publish_channel, &outcome).await;
    let label = match &outcome {
        Outcome::Delivered => "delivered",
        Outcome::Failed { code, .. } => {
            metrics.failures.inc_by(code, 1);
            "failed"
        }
        Outcome::Requeue { .. } | Outcome::Abandoned => "returned",
    };
    metrics.jobs.inc_by(label, 1);
    metrics.in_flight.add(-1);
}

/// Acks, rejects or gives back the delivery according to the outcome.
async fn settle(context: &Context, delivery: &lapin::message::Delivery, publish_channel: &Channel, outcome: &Outcome) {
    let acker = &delivery.acker;
    let settled = match outcome {
        Outcome::Delivered => acker.ack(BasicAckOptions::default()).await,
        Outcome::Failed { dead_lettered: true, .. } => acker.ack(BasicAckOptions::default()).await,
        Outcome::Failed { dead_lettered: false, .. } => acker.reject(BasicRejectOptions { requeue: false }).await,
        Outcome::Requeue { reason, losses } => {
            match requeue(context, delivery, publish_channel, *losses).await {
                Ok(()) => {
                    context.metrics.requeued.inc_by(reason.label(), 1);
                    tracing::info!(reason = reason.label(), losses, "job given back to the queue");
                    acker.ack(BasicAckOptions::default()).await
                }
                Err(e) => {
                    // Last resort: the broker keeps it, at the price of a delivery attempt on
                    // versions that count nacks.
                    tracing::warn!(error = %format!("{e:#}"), "could not republish the job; returning it with a nack");
                    acker.nack(BasicNackOptions { requeue: true, multiple: false }).await
                }
            }
        }
        Outcome::Abandoned => return,
    };
    match settled {
        Ok(true) => {}
        // The channel died after the work was done: the broker redelivers and the API, being
        // idempotent on the key, answers the repeat with the stored id.
        Ok(false) | Err(_) => tracing::warn!("could not acknowledge (channel gone); the job will be redelivered"),
    }
}

/// Gives a job back to the queue as a new message: a confirmed publish of the same body and
/// properties with the worker-loss count in a header; the caller acks the original afterwards. A
/// new message starts the broker's delivery counters at zero on every RabbitMQ version, which a
/// nack or reject with requeue does not (see `queue::BROKER_COUNT_HEADERS`). Should the ack be lost
/// after the confirm, the job exists twice; the API's idempotency key makes the repeat harmless.
async fn requeue(context: &Context, delivery: &lapin::message::Delivery, channel: &Channel, losses: u32) -> anyhow::Result<()> {
    let mut headers = FieldTable::default();
    if let Some(original) = delivery.properties.headers() {
        for (name, value) in original.inner() {
            if !queue::BROKER_COUNT_HEADERS.contains(&name.as_str()) {
                headers.insert(name.clone(), value.clone());
            }
        }
    }
    headers.insert(queue::WORKER_LOSSES_HEADER.into(), AMQPValue::LongInt(losses.min(i32::MAX as u32) as i32));
    let properties = delivery.properties.clone().with_headers(headers);
    queue::publish_confirmed(channel, "", &context.topology.queue, &delivery.data, properties).await
}

/// A delivery the worker will not start (paused or draining): straight back to the queue.
async fn give_back_unstarted(context: &Context, delivery: lapin::message::Delivery, channel: &Channel, reason: RequeueReason) {
    let Arrival { losses, .. } = arrival(context, &delivery);
    settle(context, &delivery, channel, &Outcome::Requeue { reason, losses }).await;
    context.metrics.jobs.inc_by("returned", 1);
}

async fn process(context: &Context, held: &Held<'_>, message_id: Option<&str>) -> Outcome {
    let delivery = held.delivery;
    let job = match job::parse(&delivery.data, message_id) {
        Ok(job) => job,
        Err((identity, error)) => {
            record_identity(&identity);
            return fail(context, held, &identity, None, error).await;
        }
    };
    let identity = job.identity();
    record_identity(&identity);
    let (losses, redelivered) = (held.losses, held.redelivered);
    tracing::info!(redelivered = delivery.redelivered, losses, "job received");
    if losses >= context.max_worker_losses {
        return report_worker_killer(context, held, &job).await;
    }
    if redelivered {
        // Even when the loss was not counted: processing this very delivery again would let a
        // second crash spend another of the broker's attempts; the copy carries our count instead
        // and starts the broker's at zero.
        tracing::warn!(losses, max = context.max_worker_losses, "redelivered by the broker: the worker holding this job was lost");
        return Outcome::Requeue { reason: RequeueReason::Redelivered, losses };
    }
    if let BreakerState::Open { .. } = context.breaker.state() {
        return Outcome::Requeue { reason: RequeueReason::Paused, losses };
    }
    let bytes = match fetch_with_retries(context, &job, held.deadline).await {
        Ok(bytes) => bytes,
        Err(FetchEnd::Failed(error)) => return fail(context, held, &identity, None, error).await,
        Err(FetchEnd::HoldLimit) => return Outcome::Requeue { reason: RequeueReason::HoldLimit, losses },
    };
    if let BreakerState::Open { .. } = context.breaker.state() {
        // Paused while downloading: no extraction whose result could not be delivered now.
        return Outcome::Requeue { reason: RequeueReason::Paused, losses };
    }
    let sha256 = crate::sha256_hex(&bytes);
    debug_abort_hook(&job.file_name);
    let extraction = match extract_blocking(context, &job.file_name, bytes, held.deadline).await {
        Ok(Ok(extraction)) => extraction,
        Ok(Err(error)) => return fail(context, held, &identity, Some(&sha256), error.into()).await,
        Err(HoldLimitReached) => return Outcome::Requeue { reason: RequeueReason::HoldLimit, losses },
    };
    record_extraction(&context.metrics, &extraction);
    let post = ExtractionPost { job_id: &job.job_id, metadata: &job.metadata, extraction: &extraction };
    match context.sink.post_extraction(&post, held.deadline).await {
        Delivered::Accepted => {
            tracing::info!(
                key = %Sink::idempotency_key(&extraction),
                tables = extraction.tables.len(),
                records = extraction.records.len(),
                "delivered"
            );
            Outcome::Delivered
        }
        Delivered::Rejected(reason) => fail(context, held, &identity, Some(&sha256), JobError::Rejected(reason)).await,
        Delivered::Deferred(deferral) => Outcome::Requeue { reason: deferral.into(), losses },
    }
}

/// A job whose workers keep getting lost: reported and dead-lettered by the worker, before the
/// broker would drop it silently. Its bytes are read (never extracted) for the sha256 of the report.
async fn report_worker_killer(context: &Context, held: &Held<'_>, job: &Job) -> Outcome {
    let read = tokio::time::timeout(Duration::from_secs(30), job::fetch(job, &context.fetch)).await;
    let sha256 = match read {
        Ok(Ok(bytes)) => Some(crate::sha256_hex(&bytes)),
        _ => None,
    };
    let error = JobError::Extract(ExtractError::Internal(format!(
        "the document took {} workers down: each worker holding it was lost (a crash, an OOM kill or a \
         lost broker connection) before finishing it; it is not tried again",
        held.losses
    )));
    fail(context, held, &job.identity(), sha256.as_deref(), error).await
}

/// Testing aid, compiled into debug builds only (release builds never look at the variable): a job
/// whose `file_name` equals `YUSUAN_DEBUG_ABORT_ON_FILE_NAME` aborts the whole worker process where
/// its extraction would start, the way a crashing library or the OOM killer would take it down.
fn debug_abort_hook(file_name: &str) {
    #[cfg(debug_assertions)]
    if std::env::var("YUSUAN_DEBUG_ABORT_ON_FILE_NAME").is_ok_and(|target| target == file_name) {
        tracing::error!("YUSUAN_DEBUG_ABORT_ON_FILE_NAME names this job's file: aborting the process (testing aid)");
        std::process::abort();
    }
    #[cfg(not(debug_assertions))]
    let _ = file_name;
}

fn record_identity(identity: &JobIdentity) {
    let span = tracing::Span::current();
    span.record("job_id", identity.job_id.as_str());
    span.record("file", identity.file_name.as_str());
}

enum FetchEnd {
    Failed(JobError),
    HoldLimit,
}

async fn fetch_with_retries(context: &Context, job: &Job, deadline: Instant) -> Result<Vec<u8>, FetchEnd> {
    let mut attempt = 0;
    loop {
        let fetched = tokio::time::timeout_at(deadline.into(), job::fetch(job, &context.fetch)).await;
        match fetched {
            Ok(Ok(bytes)) => return Ok(bytes),
            Ok(Err(FetchError::Permanent(e))) => return Err(FetchEnd::Failed(e)),
            Ok(Err(FetchError::Transient(e))) => {
                let delay = context.retry.backoff(attempt);
                if Instant::now() + delay >= deadline {
                    return Err(FetchEnd::HoldLimit);
                }
                attempt += 1;
                context.metrics.publish_retries.inc_by("download", 1);
                tracing::warn!(error = %e, ?delay, "download failed; retrying");
                tokio::time::sleep(delay).await;
            }
            Err(_) => return Err(FetchEnd::HoldLimit),
        }
    }
}

/// The hold limit passed during the extraction.
struct HoldLimitReached;

/// Runs the CPU-bound extraction on the blocking pool so the runtime keeps serving heartbeats,
/// acks and the health endpoint.
async fn extract_blocking(
    context: &Context,
    file_name: &str,
    bytes: Vec<u8>,
    deadline: Instant,
) -> Result<Result<Extraction, ExtractError>, HoldLimitReached> {
    let limits = context.limits.clone();
    let name = file_name.to_string();
    let started = Instant::now();
    let task = tokio::task::spawn_blocking(move || crate::extract(&name, &bytes, &limits));
    let until_hold_limit = deadline.saturating_duration_since(started);
    let result = match tokio::time::timeout(context.extract_timeout.min(until_hold_limit), task).await {
        Ok(Ok(result)) => Ok(result),
        Ok(Err(join_error)) => Ok(Err(ExtractError::Internal(format!("the extraction task failed: {join_error}")))),
        // The thread cannot be killed; the core's own deadline ends it soon after. The startup
        // check keeps the budget below the hold limit, so this is a stage overrunning its budget.
        Err(_) if until_hold_limit < context.extract_timeout => Err(HoldLimitReached),
        Err(_) => Ok(Err(ExtractError::Timeout(format!(
            "extraction did not finish within {:?}",
            context.extract_timeout
        )))),
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

/// Reports a failed job to the API and copies it to the dead-letter queue with its code. If the
/// API cannot take the report now (paused, hold limit), the job goes back to the queue instead and
/// fails again, and is reported, on its next delivery.
async fn fail(context: &Context, held: &Held<'_>, identity: &JobIdentity, sha256: Option<&str>, error: JobError) -> Outcome {
    let delivery = held.delivery;
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
    match context.sink.post_failure(&report, &key, held.deadline).await {
        Delivered::Accepted => {}
        Delivered::Rejected(reason) => {
            // The dead-lettered copy still carries the code; nothing more can be done here.
            tracing::error!(%reason, "the API refused the failure report");
        }
        Delivered::Deferred(deferral) => {
            return Outcome::Requeue { reason: deferral.into(), losses: held.losses };
        }
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
        held.publish_channel,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hold_limit_is_half_the_consumer_timeout_and_must_fit_an_extraction() {
        let hold = hold_limit(Duration::from_secs(1800), Duration::from_secs(120)).unwrap();
        assert_eq!(hold, Duration::from_secs(900));
        assert_eq!(hold_limit(Duration::from_secs(10), Duration::from_secs(2)).unwrap(), Duration::from_secs(5));
        let refused = hold_limit(Duration::from_secs(60), Duration::from_secs(30)).unwrap_err().to_string();
        assert!(refused.contains("--timeout-secs (30)"), "{refused}");
    }

    #[test]
    fn an_abandoned_job_is_forgiven_once_and_only_that_job() {
        let abandoned = AbandonedHere::default();
        assert!(!abandoned.take(b"job one"));
        abandoned.remember(b"job one");
        assert!(!abandoned.take(b"job two"));
        assert!(abandoned.take(b"job one"));
        // A second redelivery of the same job is a second loss.
        assert!(!abandoned.take(b"job one"));
    }
}
