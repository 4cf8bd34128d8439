//! RabbitMQ side of the worker and the enqueuer: connection, the queue topology both declare, and
//! publishing with confirms.
//!
//! Topology (declared idempotently by whoever connects first, worker or enqueuer):
//! - `<queue>`: durable **quorum** queue, `x-delivery-limit` (a job that keeps killing workers stops
//!   being redelivered), dead-letters to `<queue>.dlx` with the at-least-once strategy (quorum
//!   queues dead-letter at-most-once otherwise, and that strategy needs `x-overflow=reject-publish`).
//! - `<queue>.dlx`: durable fanout exchange; `<dead-letter-queue>` (default `<queue>.dead`): durable
//!   quorum queue bound to it.
//!
//! Declaring a queue that exists with other arguments fails with PRECONDITION_FAILED; the error
//! message then says which flag differs from the broker's copy instead of a bare 406.

use std::time::Duration;

use anyhow::Context as _;
use lapin::options::{ConfirmSelectOptions, ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use lapin::{BasicProperties, Channel, Confirmation, Connection, ConnectionProperties, ExchangeKind};

/// Queue flags shared by `worker` and `enqueue`, so both declare the same topology.
#[derive(Debug, Clone, clap::Args)]
pub struct QueueArgs {
    /// AMQP broker URL; `amqps://` for TLS (port 5671 by default).
    #[arg(long, env = "AMQP_URL", default_value = "amqp://127.0.0.1:5672/%2f")]
    pub amqp_url: String,
    /// PEM file with the CA certificate(s) that signed the broker's certificate, trusted for
    /// `amqps://` besides the system's roots (a private CA, mounted from a Secret).
    #[arg(long, env = "YUSUAN_AMQP_CA")]
    pub amqp_ca: Option<std::path::PathBuf>,
    /// Queue the jobs travel on.
    #[arg(long, env = "YUSUAN_QUEUE", default_value = "yusuan.jobs")]
    pub queue: String,
    /// Deliveries of one job before the broker dead-letters it (a job that crashes or stalls workers
    /// repeatedly). Every return to the queue counts, including drains and broker restarts, so keep it
    /// well above 1.
    #[arg(long, env = "YUSUAN_DELIVERY_LIMIT", default_value_t = 10)]
    pub delivery_limit: u32,
    /// Dead-letter queue; default `<queue>.dead`.
    #[arg(long, env = "YUSUAN_DEAD_LETTER_QUEUE")]
    pub dead_letter_queue: Option<String>,
}

/// The names of one deployment's queue topology.
#[derive(Debug, Clone)]
pub struct Topology {
    pub queue: String,
    pub dead_letter_exchange: String,
    pub dead_letter_queue: String,
    pub delivery_limit: u32,
}

/// Header carrying a failed job's error code on its dead-lettered copy.
pub const ERROR_CODE_HEADER: &str = "x-yusuan-error-code";
/// Header carrying the human message of the failure.
pub const ERROR_MESSAGE_HEADER: &str = "x-yusuan-error-message";
/// Header on a job the worker gave back to the queue as a fresh copy: how many times so far a
/// worker holding the job was lost (the broker redelivered it after a crash, an OOM kill or a lost
/// connection). Our own count, because the broker's changes meaning between versions (below).
pub const WORKER_LOSSES_HEADER: &str = "x-yusuan-worker-losses";
/// Counters the broker keeps on a quorum-queue delivery. Up to 4.2 `x-delivery-count` counts every
/// return (nack, reject, a closed channel, a consumer timeout); from 4.3 it counts only returns
/// that signal failure (`basic.reject`, not `basic.nack`, and no consumer timeouts) and
/// `x-acquired-count` counts every delivery. A republished copy starts both from zero.
pub const BROKER_COUNT_HEADERS: [&str; 2] = ["x-delivery-count", "x-acquired-count"];

/// An integer header of a delivery (any of AMQP's integer types), if present and not negative.
pub fn header_count(headers: Option<&FieldTable>, name: &str) -> Option<u64> {
    let value = headers?.inner().get(name)?;
    let n: i128 = match value {
        AMQPValue::ShortShortInt(v) => (*v).into(),
        AMQPValue::ShortShortUInt(v) => (*v).into(),
        AMQPValue::ShortInt(v) => (*v).into(),
        AMQPValue::ShortUInt(v) => (*v).into(),
        AMQPValue::LongInt(v) => (*v).into(),
        AMQPValue::LongUInt(v) => (*v).into(),
        AMQPValue::LongLongInt(v) => (*v).into(),
        _ => return None,
    };
    u64::try_from(n).ok()
}

impl Topology {
    pub fn from_args(args: &QueueArgs) -> Self {
        Topology {
            queue: args.queue.clone(),
            dead_letter_exchange: format!("{}.dlx", args.queue),
            dead_letter_queue: args.dead_letter_queue.clone().unwrap_or_else(|| format!("{}.dead", args.queue)),
            delivery_limit: args.delivery_limit,
        }
    }

    /// Declares the exchange and both queues; safe to repeat.
    pub async fn declare(&self, channel: &Channel) -> anyhow::Result<()> {
        let durable = ExchangeDeclareOptions { durable: true, ..Default::default() };
        channel
            .exchange_declare(self.dead_letter_exchange.as_str().into(), ExchangeKind::Fanout, durable, FieldTable::default())
            .await
            .with_context(|| format!("declaring exchange {}", self.dead_letter_exchange))?;

        let mut dead_args = FieldTable::default();
        dead_args.insert("x-queue-type".into(), long_string("quorum"));
        self.declare_queue(channel, &self.dead_letter_queue, dead_args).await?;
        channel
            .queue_bind(
                self.dead_letter_queue.as_str().into(),
                self.dead_letter_exchange.as_str().into(),
                "".into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await
            .with_context(|| format!("binding {} to {}", self.dead_letter_queue, self.dead_letter_exchange))?;

        let mut job_args = FieldTable::default();
        job_args.insert("x-queue-type".into(), long_string("quorum"));
        job_args.insert("x-delivery-limit".into(), AMQPValue::LongInt(self.delivery_limit as i32));
        job_args.insert("x-dead-letter-exchange".into(), long_string(&self.dead_letter_exchange));
        job_args.insert("x-dead-letter-strategy".into(), long_string("at-least-once"));
        job_args.insert("x-overflow".into(), long_string("reject-publish"));
        self.declare_queue(channel, &self.queue, job_args).await
    }

    async fn declare_queue(&self, channel: &Channel, name: &str, args: FieldTable) -> anyhow::Result<()> {
        let options = QueueDeclareOptions { durable: true, ..Default::default() };
        channel.queue_declare(name.into(), options, args).await.with_context(|| {
            format!(
                "declaring quorum queue {name} (if it already exists with other arguments, e.g. another \
                 --delivery-limit or a classic queue type, delete it or use the same settings)"
            )
        })?;
        Ok(())
    }
}

fn long_string(s: &str) -> AMQPValue {
    AMQPValue::LongString(LongString::from(s.to_string()))
}

/// Where the broker is and which CA to trust for it: read once at startup, used on every
/// (re)connect. `Debug` shows the URL without its password.
#[derive(Clone)]
pub struct BrokerAddress {
    url: String,
    /// PEM text of `--amqp-ca`.
    ca_pem: Option<String>,
}

impl std::fmt::Debug for BrokerAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrokerAddress").field("url", &redact(&self.url)).field("private_ca", &self.ca_pem.is_some()).finish()
    }
}

impl BrokerAddress {
    pub fn from_args(args: &QueueArgs) -> anyhow::Result<BrokerAddress> {
        let ca_pem = match &args.amqp_ca {
            None => None,
            Some(path) => {
                let text = std::fs::read_to_string(path).with_context(|| format!("reading --amqp-ca {}", path.display()))?;
                if !text.contains("-----BEGIN CERTIFICATE-----") {
                    anyhow::bail!("--amqp-ca {}: no PEM certificate in it", path.display());
                }
                // A CA for a plain connection would protect nothing: say so rather than let the
                // operator believe the link is encrypted.
                if !args.amqp_url.starts_with("amqps://") {
                    anyhow::bail!("--amqp-ca is set but the broker URL is not amqps://: the connection would not use TLS");
                }
                Some(text)
            }
        };
        Ok(BrokerAddress { url: args.amqp_url.clone(), ca_pem })
    }

    /// The URL for logs and errors.
    pub fn shown(&self) -> String {
        redact(&self.url)
    }
}

/// Connects once, naming the connection so it can be told apart in `rabbitmqctl list_connections`.
/// `amqps://` uses rustls with the system's roots plus `--amqp-ca`.
pub async fn connect(broker: &BrokerAddress, name: &str) -> anyhow::Result<Connection> {
    let properties = ConnectionProperties::default().with_connection_name(LongString::from(name.to_string()));
    let tls = lapin::tcp::OwnedTLSConfig { identity: None, cert_chain: broker.ca_pem.clone() };
    let runtime = lapin::runtime::default_runtime().context("the AMQP client's runtime")?;
    Connection::connect_with_config(&broker.url, properties, tls, runtime)
        .await
        .with_context(|| format!("connecting to {}", redact(&broker.url)))
}

/// A channel in publisher-confirm mode.
pub async fn confirm_channel(connection: &Connection) -> anyhow::Result<Channel> {
    let channel = connection.create_channel().await.context("opening a channel")?;
    channel.confirm_select(ConfirmSelectOptions::default()).await.context("enabling publisher confirms")?;
    Ok(channel)
}

/// Publishes one persistent message and waits for the broker's confirm: `Ok` only once the broker
/// has taken responsibility for it (written to a quorum of its replicas).
pub async fn publish_confirmed(
    channel: &Channel,
    exchange: &str,
    routing_key: &str,
    body: &[u8],
    properties: BasicProperties,
) -> anyhow::Result<()> {
    let options = lapin::options::BasicPublishOptions { mandatory: true, ..Default::default() };
    let confirm = channel
        .basic_publish(exchange.into(), routing_key.into(), options, body, properties.with_delivery_mode(2))
        .await
        .context("publishing")?
        .await
        .context("waiting for the publisher confirm")?;
    match confirm {
        Confirmation::Ack(None) => Ok(()),
        Confirmation::Ack(Some(returned)) => {
            anyhow::bail!("the broker could not route the message: {}", returned.reply_text)
        }
        Confirmation::Nack(_) => anyhow::bail!("the broker refused the message (negative confirm)"),
        Confirmation::NotRequested => anyhow::bail!("publisher confirms are not enabled on this channel"),
    }
}

/// Retry delay for reconnecting: doubles from 250 ms to `max`, with jitter so that a fleet of
/// workers does not reconnect in lockstep after a broker restart.
pub fn reconnect_delay(attempt: u32, max: Duration) -> Duration {
    let base = Duration::from_millis(250).saturating_mul(1u32 << attempt.min(16));
    let capped = base.min(max);
    capped.mul_f64(0.5 + fastrand::f64() * 0.5)
}

/// The URL without its password, for logs.
pub fn redact(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

pub fn short_string(s: &str) -> ShortString {
    // Header values and ids longer than 255 bytes are cut at a character boundary.
    let mut end = s.len().min(255);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    ShortString::from(&s[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_headers_are_read_whatever_their_width() {
        let mut headers = FieldTable::default();
        headers.insert("x-delivery-count".into(), AMQPValue::LongLongInt(3));
        headers.insert("x-acquired-count".into(), AMQPValue::LongUInt(7));
        headers.insert(WORKER_LOSSES_HEADER.into(), AMQPValue::LongInt(2));
        headers.insert("negative".into(), AMQPValue::LongInt(-1));
        headers.insert("text".into(), long_string("4"));
        assert_eq!(header_count(Some(&headers), "x-delivery-count"), Some(3));
        assert_eq!(header_count(Some(&headers), "x-acquired-count"), Some(7));
        assert_eq!(header_count(Some(&headers), WORKER_LOSSES_HEADER), Some(2));
        assert_eq!(header_count(Some(&headers), "negative"), None);
        assert_eq!(header_count(Some(&headers), "text"), None);
        assert_eq!(header_count(Some(&headers), "absent"), None);
        assert_eq!(header_count(None, "x-delivery-count"), None);
    }
}
