//! Delivery to the downstream API (CONTRACT §4) and the policy deciding what is worth retrying.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde::Serialize;
use serde_json::Value;

use super::breaker::{self, Breaker, BreakerState, PauseReason, ProbeRequest};
use super::metrics::Metrics;
use super::secret::Secret;
use crate::model::Extraction;

/// What to do with the outcome of one HTTP attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// 2xx: the API has it.
    Accepted,
    /// Worth another attempt after `after` (the server's Retry-After when it gave one).
    Retry { reason: String, after: Option<Duration> },
    /// The API refuses this request for good; retrying would give the same answer.
    Rejected { reason: String },
    /// 401 / 403: the API refuses the worker, not the request. Consuming pauses until it accepts
    /// the credentials again; the job goes back to the queue.
    CredentialsRefused { reason: String },
}

/// Classifies responses and spaces out retries: exponential backoff with full jitter (a random
/// delay up to the doubled base, never below half of it) so that workers that failed together do
/// not retry together. A job retries only briefly in its slot: a run of failures opens the
/// breaker (see `breaker.rs`), and no job waits past its hold limit.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub initial: Duration,
    pub max: Duration,
}

impl RetryPolicy {
    pub fn classify_status(&self, status: StatusCode, retry_after: Option<&str>) -> Verdict {
        if status.is_success() {
            return Verdict::Accepted;
        }
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Verdict::CredentialsRefused { reason: format!("HTTP {status}") };
        }
        let transient = status == StatusCode::REQUEST_TIMEOUT
            || status == StatusCode::TOO_MANY_REQUESTS
            || status.is_server_error();
        if transient {
            // Only the delta-seconds form; an HTTP date is rare from APIs and the backoff copes.
            let after = retry_after
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(|s| Duration::from_secs(s).min(self.max));
            Verdict::Retry { reason: format!("HTTP {status}"), after }
        } else {
            Verdict::Rejected { reason: format!("HTTP {status}") }
        }
    }

    pub fn classify_error(&self, error: &reqwest::Error) -> Verdict {
        if error.is_builder() {
            // A request we cannot even build (bad SINK_URL) will not improve by waiting.
            Verdict::Rejected { reason: format!("cannot build the request: {error}") }
        } else {
            // Connection refused / reset, timeouts, a body cut short: the network, not the request.
            Verdict::Retry { reason: error_chain(error), after: None }
        }
    }

    /// Delay before retry number `attempt` (0-based).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let ceiling = self.initial.saturating_mul(1u32 << attempt.min(20)).min(self.max);
        ceiling.mul_f64(0.5 + 0.5 * fastrand::f64())
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// `POST /extractions` body.
#[derive(Serialize)]
pub struct ExtractionPost<'a> {
    pub job_id: &'a str,
    pub metadata: &'a Value,
    pub extraction: &'a Extraction,
}

/// `POST /failures` body.
#[derive(Debug, Serialize)]
pub struct FailurePost<'a> {
    pub job_id: &'a str,
    pub metadata: &'a Value,
    pub file_name: &'a str,
    pub sha256: Option<&'a str>,
    pub code: &'a str,
    pub message: &'a str,
}

/// The downstream API client.
#[derive(Clone)]
pub struct Sink {
    base: String,
    http: reqwest::Client,
    policy: RetryPolicy,
    metrics: Arc<Metrics>,
    breaker: Arc<Breaker>,
    /// Sent as `Authorization: Bearer`; reqwest marks the header sensitive (kept out of its Debug).
    token: Option<Secret>,
}

/// How a delivery ended (retries are internal).
#[derive(Debug)]
pub enum Delivered {
    Accepted,
    Rejected(String),
    /// Not answered, and the job should stop waiting for it: give the job back to the queue.
    Deferred(Deferral),
}

/// Why a request stopped waiting for the API.
#[derive(Debug, Clone)]
pub enum Deferral {
    /// The breaker is open: consuming pauses and nothing is held meanwhile.
    Paused(PauseReason),
    /// The job would hold its delivery past the hold limit (half the broker's consumer timeout).
    HoldLimit,
}

impl Sink {
    pub fn new(base: &str, http: reqwest::Client, policy: RetryPolicy, metrics: Arc<Metrics>, breaker: Arc<Breaker>) -> Self {
        Sink { base: base.trim_end_matches('/').to_string(), http, policy, metrics, breaker, token: None }
    }

    /// The bearer token for every request (`--sink-token`).
    pub fn with_token(mut self, token: Option<Secret>) -> Self {
        self.token = token;
        self
    }

    /// The idempotency key of CONTRACT §4: the same for every delivery of the same document.
    pub fn idempotency_key(extraction: &Extraction) -> String {
        format!("{}:{}", extraction.source.sha256, extraction.schema_version)
    }

    pub async fn post_extraction(&self, body: &ExtractionPost<'_>, deadline: Instant) -> Delivered {
        let key = Self::idempotency_key(body.extraction);
        let json = serde_json::to_vec(body).expect("the extraction document always serialises");
        self.post("extractions", &key, json, deadline).await
    }

    /// Failures carry a key too, so a redelivered failing job can be recognised:
    /// `failure:<job id>:<code>`, or `failure:message-<sha256 of the message>:<code>` for a message
    /// without a job id (two different unreadable messages must not collapse into one).
    pub fn failure_key(body: &FailurePost<'_>, message: &[u8]) -> String {
        if body.job_id.is_empty() {
            format!("failure:message-{}:{}", crate::sha256_hex(message), body.code)
        } else {
            format!("failure:{}:{}", body.job_id, body.code)
        }
    }

    pub async fn post_failure(&self, body: &FailurePost<'_>, key: &str, deadline: Instant) -> Delivered {
        let json = serde_json::to_vec(body).expect("a failure report always serialises");
        self.post("failures", key, json, deadline).await
    }

    async fn send(&self, path: &str, key: &str, json: Vec<u8>) -> (Verdict, Option<reqwest::Response>) {
        let mut request = self
            .http
            .post(format!("{}/{path}", self.base))
            .header("content-type", "application/json")
            .header("idempotency-key", key);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token.expose());
        }
        let response = request.body(json).send().await;
        match response {
            Ok(r) => {
                let verdict =
                    self.policy.classify_status(r.status(), r.headers().get("retry-after").and_then(|v| v.to_str().ok()));
                (verdict, Some(r))
            }
            Err(e) => (self.policy.classify_error(&e), None),
        }
    }

    /// Posts until the API accepts or rejects, the breaker opens, or waiting longer would pass
    /// `deadline`. Transient errors are retried with backoff; each one counts towards opening the
    /// breaker, and the request that opens it becomes the probe.
    async fn post(&self, path: &'static str, key: &str, json: Vec<u8>, deadline: Instant) -> Delivered {
        let started = Instant::now();
        let mut breaker_state = self.breaker.subscribe();
        let mut attempt = 0u32;
        let result = loop {
            if let BreakerState::Open { reason, .. } = self.breaker.state() {
                break Delivered::Deferred(Deferral::Paused(reason));
            }
            // A request still running at the deadline is given up too: the job goes back rather than
            // hold its delivery for up to another --http-timeout-secs.
            let Ok((verdict, response)) = tokio::time::timeout_at(deadline.into(), self.send(path, key, json.clone())).await
            else {
                break Delivered::Deferred(Deferral::HoldLimit);
            };
            match verdict {
                Verdict::Accepted => {
                    self.breaker.record_answer();
                    break Delivered::Accepted;
                }
                Verdict::Rejected { reason } => {
                    self.breaker.record_answer();
                    let detail = match response {
                        Some(r) => r.text().await.unwrap_or_default(),
                        None => String::new(),
                    };
                    let detail: String = detail.chars().take(500).collect();
                    break Delivered::Rejected(if detail.is_empty() { reason } else { format!("{reason}: {detail}") });
                }
                Verdict::CredentialsRefused { reason } => {
                    // Not counted as an answer about the document: no retry would help, and no
                    // dead letter either. Pause; the probe resumes once the API accepts us.
                    let probe = || ProbeRequest { path, key: key.to_string(), json: json.clone() };
                    let refused = PauseReason::CredentialsRefused { status: reason };
                    self.metrics.credentials_refused.set(1);
                    if self.breaker.open(refused.clone(), probe) {
                        self.on_opened(path);
                    } else {
                        // Already paused for an outage: the reason is now the credentials.
                        self.breaker.update_reason(refused.clone());
                    }
                    break Delivered::Deferred(Deferral::Paused(refused));
                }
                Verdict::Retry { reason, after } => {
                    self.metrics.publish_retries.inc_by(path, 1);
                    let probe = || ProbeRequest { path, key: key.to_string(), json: json.clone() };
                    if self.breaker.record_failure(&reason, probe) {
                        self.on_opened(path);
                    }
                    if let BreakerState::Open { reason, .. } = self.breaker.state() {
                        break Delivered::Deferred(Deferral::Paused(reason));
                    }
                    let delay = after.unwrap_or_else(|| self.policy.backoff(attempt));
                    if Instant::now() + delay >= deadline {
                        break Delivered::Deferred(Deferral::HoldLimit);
                    }
                    tracing::warn!(endpoint = path, key, attempt, ?delay, "API not available ({reason}); retrying");
                    attempt += 1;
                    // Another job may open the breaker meanwhile: stop waiting then.
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        _ = breaker::opened(&mut breaker_state) => {}
                    }
                }
            }
        };
        self.metrics.publish_seconds.observe(started.elapsed().as_secs_f64());
        result
    }

    /// Bookkeeping when this worker's breaker opened, and the probing loop that closes it.
    fn on_opened(&self, path: &str) {
        let state = self.breaker.state();
        let BreakerState::Open { reason, .. } = &state else { return };
        self.metrics.breaker_pauses.inc_by(reason.label(), 1);
        self.metrics.consumer_paused.set(1);
        match reason {
            PauseReason::CredentialsRefused { .. } => tracing::error!(
                endpoint = path,
                %reason,
                "pausing: the API refuses our credentials; consuming stops and in-flight jobs go back to the queue until it accepts them"
            ),
            PauseReason::ApiUnavailable { .. } => tracing::warn!(
                endpoint = path,
                %reason,
                "pausing: consuming stops and in-flight jobs go back to the queue until the API answers"
            ),
        }
        let sink = self.clone();
        tokio::spawn(async move { sink.probe_until_answered().await });
    }

    /// While the breaker is open: re-post the probe request with jittered, growing delays (the
    /// retry policy's), until the API answers anything but a transient error or a 401/403.
    /// Refused credentials are logged as an error at most once a minute: an alert, not a flood.
    async fn probe_until_answered(&self) {
        const CREDENTIALS_LOG_INTERVAL: Duration = Duration::from_secs(60);
        let paused_at = Instant::now();
        let mut attempt = 0u32;
        let mut credentials_logged_at = Instant::now();
        loop {
            let delay = self.policy.backoff(attempt);
            attempt += 1;
            tokio::time::sleep(delay).await;
            let Some(probe) = self.breaker.probe_request() else { return };
            let (verdict, _) = self.send(probe.path, &probe.key, probe.json).await;
            match verdict {
                Verdict::Retry { reason, .. } => {
                    self.metrics.breaker_probes.inc_by("unavailable", 1);
                    tracing::info!(probe = attempt, ?delay, "API probe: still unavailable ({reason})");
                    self.breaker.update_reason(PauseReason::ApiUnavailable { last_error: reason });
                }
                Verdict::CredentialsRefused { reason } => {
                    self.metrics.breaker_probes.inc_by("refused", 1);
                    self.metrics.credentials_refused.set(1);
                    let refused = PauseReason::CredentialsRefused { status: reason };
                    if credentials_logged_at.elapsed() >= CREDENTIALS_LOG_INTERVAL {
                        credentials_logged_at = Instant::now();
                        tracing::error!(paused = ?paused_at.elapsed(), reason = %refused, "still paused: the API refuses our credentials");
                    } else {
                        tracing::debug!(probe = attempt, ?delay, "API probe: credentials still refused");
                    }
                    self.breaker.update_reason(refused);
                }
                // A rejection is an answer about that request: the API itself is up.
                Verdict::Accepted | Verdict::Rejected { .. } => {
                    self.metrics.breaker_probes.inc_by("answered", 1);
                    self.metrics.consumer_paused.set(0);
                    self.metrics.credentials_refused.set(0);
                    self.breaker.close();
                    tracing::info!(probes = attempt, paused = ?paused_at.elapsed(), "API probe answered: resuming");
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy { initial: Duration::from_millis(100), max: Duration::from_secs(10) }
    }

    #[test]
    fn classifies_statuses_like_the_contract() {
        let p = policy();
        for ok in [200, 201, 202, 204] {
            assert_eq!(p.classify_status(StatusCode::from_u16(ok).unwrap(), None), Verdict::Accepted);
        }
        for retry in [408, 429, 500, 502, 503, 504] {
            assert!(matches!(p.classify_status(StatusCode::from_u16(retry).unwrap(), None), Verdict::Retry { .. }), "{retry}");
        }
        for refused in [401, 403] {
            assert!(
                matches!(p.classify_status(StatusCode::from_u16(refused).unwrap(), None), Verdict::CredentialsRefused { .. }),
                "{refused}"
            );
        }
        for reject in [400, 404, 409, 413, 422] {
            assert!(matches!(p.classify_status(StatusCode::from_u16(reject).unwrap(), None), Verdict::Rejected { .. }), "{reject}");
        }
        // Retry-After in seconds is honoured, capped by the policy's maximum.
        assert_eq!(
            p.classify_status(StatusCode::SERVICE_UNAVAILABLE, Some("3")),
            Verdict::Retry { reason: "HTTP 503 Service Unavailable".into(), after: Some(Duration::from_secs(3)) }
        );
        assert!(matches!(
            p.classify_status(StatusCode::TOO_MANY_REQUESTS, Some("3600")),
            Verdict::Retry { after: Some(d), .. } if d == Duration::from_secs(10)
        ));
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let p = policy();
        for _ in 0..200 {
            let d0 = p.backoff(0);
            assert!(d0 >= Duration::from_millis(50) && d0 <= Duration::from_millis(100), "{d0:?}");
            let d3 = p.backoff(3);
            assert!(d3 >= Duration::from_millis(400) && d3 <= Duration::from_millis(800), "{d3:?}");
            let d30 = p.backoff(30);
            assert!(d30 >= Duration::from_secs(5) && d30 <= Duration::from_secs(10), "{d30:?}");
        }
    }

    #[test]
    fn failure_reports_match_the_schema() {
        let schema: Value =
            serde_json::from_str(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/sink-failure.schema.json")))
                .unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let metadata = serde_json::json!({"year": "2021"});
        let sha = "ab".repeat(32);
        for (sha256, code) in [(Some(sha.as_str()), "truncated"), (None, "invalid_job"), (Some(sha.as_str()), "rejected")] {
            let report = FailurePost { job_id: "j", metadata: &metadata, file_name: "a.pdf", sha256, code, message: "m" };
            let value = serde_json::to_value(&report).unwrap();
            assert!(validator.is_valid(&value), "{value}");
        }
        let unknown = FailurePost { job_id: "j", metadata: &metadata, file_name: "a", sha256: None, code: "oops", message: "" };
        assert!(!validator.is_valid(&serde_json::to_value(&unknown).unwrap()));
        // Every code the worker can produce is in the schema.
        for code in crate::error::ExtractError::CODES {
            let report = FailurePost { job_id: "j", metadata: &metadata, file_name: "a", sha256: None, code, message: "" };
            assert!(validator.is_valid(&serde_json::to_value(&report).unwrap()), "{code}");
        }
    }

    #[test]
    fn failure_keys_are_stable_per_job_and_distinct_for_anonymous_messages() {
        let metadata = Value::Null;
        let named = FailurePost { job_id: "j1", metadata: &metadata, file_name: "a", sha256: None, code: "truncated", message: "" };
        assert_eq!(Sink::failure_key(&named, b"x"), "failure:j1:truncated");
        assert_eq!(Sink::failure_key(&named, b"y"), "failure:j1:truncated");
        let anonymous = FailurePost { job_id: "", code: "invalid_job", ..named };
        assert_ne!(Sink::failure_key(&anonymous, b"garbage one"), Sink::failure_key(&anonymous, b"garbage two"));
        assert_eq!(Sink::failure_key(&anonymous, b"same"), Sink::failure_key(&anonymous, b"same"));
    }

    #[tokio::test]
    async fn connection_errors_are_retried() {
        // A port nothing listens on: connection refused.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let err = reqwest::Client::new().get(format!("http://{addr}/")).send().await.unwrap_err();
        assert!(matches!(policy().classify_error(&err), Verdict::Retry { .. }));
    }
}
