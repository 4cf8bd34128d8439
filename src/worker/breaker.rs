//! The API circuit breaker: one switch per worker that pauses consuming while the downstream API
//! cannot take deliveries, and resumes it by itself once a probe gets an answer.
//!
//! Why a breaker instead of retrying inside each job: a job that waits for the API holds its
//! delivery, and RabbitMQ takes a delivery back after `consumer_timeout` (30 min by default),
//! spending one of the quorum queue's delivery attempts each time. With the breaker open the worker
//! holds nothing: in-flight jobs are given back (republished, see `mod.rs`), the consumer is
//! cancelled, and only this module talks to the API, with one probe request at a time.
//!
//! The breaker does not know why it is paused beyond a [`PauseReason`]; whoever opens it names the
//! reason and the request to probe with: an unavailable API (a run of transient errors: connection
//! failures, 408, 429, 5xx), or an API that refuses the worker's credentials (401/403, issue 17:
//! a rotated or missing token is the operator's problem, not the document's, so the jobs wait in
//! the queue instead of being dead-lettered as `rejected`).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::watch;

/// Why consuming is paused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PauseReason {
    /// `threshold` API requests in a row ended in a transient error; `last_error` is the last one.
    ApiUnavailable { last_error: String },
    /// The API answered 401 or 403: it does not accept the worker's `--sink-token`.
    CredentialsRefused { status: String },
}

impl PauseReason {
    /// The `reason` label of the pause metrics.
    pub fn label(&self) -> &'static str {
        match self {
            PauseReason::ApiUnavailable { .. } => "api_unavailable",
            PauseReason::CredentialsRefused { .. } => "credentials_refused",
        }
    }
}

impl std::fmt::Display for PauseReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PauseReason::ApiUnavailable { last_error } => write!(f, "the API is unavailable ({last_error})"),
            PauseReason::CredentialsRefused { status } => write!(
                f,
                "the API refuses the worker's credentials ({status}); check --sink-token / SINK_TOKEN"
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BreakerState {
    /// Consuming.
    Closed,
    /// Paused since `since`; probing the API.
    Open { reason: PauseReason, since: Instant },
}

impl BreakerState {
    pub fn is_open(&self) -> bool {
        matches!(self, BreakerState::Open { .. })
    }
}

/// The request a paused worker probes the API with: the one that opened the breaker. Re-posting a
/// real request tests exactly what failed and needs no health endpoint from the API; it is safe
/// because every POST carries an idempotency key (the job it came from is back in the queue and
/// will post the same key again).
#[derive(Debug, Clone)]
pub struct ProbeRequest {
    pub path: &'static str,
    pub key: String,
    pub json: Vec<u8>,
}

pub struct Breaker {
    state: watch::Sender<BreakerState>,
    consecutive_failures: AtomicU32,
    threshold: u32,
    probe: Mutex<Option<ProbeRequest>>,
}

impl Breaker {
    /// `threshold`: transient failures in a row (over all jobs of the worker) that open it.
    pub fn new(threshold: u32) -> Self {
        Breaker {
            state: watch::Sender::new(BreakerState::Closed),
            consecutive_failures: AtomicU32::new(0),
            threshold: threshold.max(1),
            probe: Mutex::new(None),
        }
    }

    pub fn state(&self) -> BreakerState {
        self.state.borrow().clone()
    }

    pub fn is_open(&self) -> bool {
        self.state.borrow().is_open()
    }

    pub fn subscribe(&self) -> watch::Receiver<BreakerState> {
        self.state.subscribe()
    }

    /// The API answered (2xx, or a 4xx that is about the request): it is up.
    pub fn record_answer(&self) {
        self.consecutive_failures.store(0, Ordering::Relaxed);
    }

    /// A request ended in a transient error. Returns true when this failure opened the breaker;
    /// the caller then starts probing.
    pub fn record_failure(&self, last_error: &str, probe: impl FnOnce() -> ProbeRequest) -> bool {
        let failures = self.consecutive_failures.fetch_add(1, Ordering::Relaxed) + 1;
        failures >= self.threshold
            && self.open(PauseReason::ApiUnavailable { last_error: last_error.to_string() }, probe)
    }

    /// Opens the breaker for `reason` unless it is open already. Returns true if it was closed.
    pub fn open(&self, reason: PauseReason, probe: impl FnOnce() -> ProbeRequest) -> bool {
        let mut opened = false;
        self.state.send_if_modified(|state| {
            if state.is_open() {
                return false;
            }
            *self.probe.lock().expect("breaker lock") = Some(probe());
            *state = BreakerState::Open { reason, since: Instant::now() };
            opened = true;
            true
        });
        opened
    }

    /// A probe got an answer: resume.
    pub fn close(&self) {
        self.consecutive_failures.store(0, Ordering::Relaxed);
        self.probe.lock().expect("breaker lock").take();
        self.state.send_replace(BreakerState::Closed);
    }

    /// The request to probe with while open.
    pub fn probe_request(&self) -> Option<ProbeRequest> {
        self.probe.lock().expect("breaker lock").clone()
    }

    /// Keeps the pause reason current while probing (the API may fail differently over time).
    pub fn update_reason(&self, reason: PauseReason) {
        self.state.send_if_modified(|state| match state {
            BreakerState::Open { reason: current, .. } if *current != reason => {
                *current = reason;
                true
            }
            _ => false,
        });
    }

    /// How long it has been open, if it is.
    pub fn open_for(&self) -> Option<Duration> {
        match &*self.state.borrow() {
            BreakerState::Open { since, .. } => Some(since.elapsed()),
            BreakerState::Closed => None,
        }
    }
}

/// Resolves once the breaker is open (immediately if it is).
pub async fn opened(rx: &mut watch::Receiver<BreakerState>) {
    if rx.wait_for(BreakerState::is_open).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Resolves once the breaker is closed (immediately if it is).
pub async fn closed(rx: &mut watch::Receiver<BreakerState>) {
    if rx.wait_for(|s| !s.is_open()).await.is_err() {
        std::future::pending::<()>().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe() -> ProbeRequest {
        ProbeRequest { path: "extractions", key: "k".into(), json: b"{}".to_vec() }
    }

    #[test]
    fn opens_after_the_threshold_of_failures_in_a_row_and_answers_reset_the_count() {
        let b = Breaker::new(3);
        assert!(!b.record_failure("HTTP 503", probe));
        assert!(!b.record_failure("HTTP 503", probe));
        b.record_answer();
        assert!(!b.record_failure("HTTP 503", probe));
        assert!(!b.record_failure("HTTP 503", probe));
        assert!(!b.is_open());
        // The third in a row opens it, once; later failures do not open it again.
        assert!(b.record_failure("HTTP 502", probe));
        assert!(!b.record_failure("HTTP 503", probe));
        match b.state() {
            BreakerState::Open { reason: PauseReason::ApiUnavailable { last_error }, .. } => {
                assert_eq!(last_error, "HTTP 502")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(b.probe_request().unwrap().key, "k");
        b.close();
        assert!(!b.is_open());
        assert!(b.probe_request().is_none());
        // Closing starts the count afresh.
        assert!(!b.record_failure("HTTP 503", probe));
    }

    #[tokio::test]
    async fn waiters_see_open_and_close() {
        let b = std::sync::Arc::new(Breaker::new(1));
        let mut rx = b.subscribe();
        let open_waiter = tokio::spawn(async move {
            opened(&mut rx).await;
            rx
        });
        assert!(b.record_failure("HTTP 503", probe));
        let mut rx = tokio::time::timeout(Duration::from_secs(1), open_waiter).await.unwrap().unwrap();
        let close_waiter = tokio::spawn(async move { closed(&mut rx).await });
        b.update_reason(PauseReason::ApiUnavailable { last_error: "connection refused".into() });
        assert!(b.is_open());
        assert!(b.open_for().is_some());
        b.close();
        tokio::time::timeout(Duration::from_secs(1), close_waiter).await.unwrap().unwrap();
        assert!(b.open_for().is_none());
    }
}
