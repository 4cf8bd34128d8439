//! The worker's Prometheus metrics, rendered in the text exposition format. A small hand-rolled
//! registry: a fixed set of metrics known at compile time needs no dynamic registration.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;

/// A counter per label value (`outcome`, `code`, `endpoint`).
#[derive(Default)]
pub struct LabeledCounter(Mutex<BTreeMap<String, u64>>);

impl LabeledCounter {
    pub fn inc_by(&self, label: &str, n: u64) {
        *self.0.lock().expect("metrics lock").entry(label.to_string()).or_default() += n;
    }
    pub fn get(&self, label: &str) -> u64 {
        self.0.lock().expect("metrics lock").get(label).copied().unwrap_or(0)
    }
    fn snapshot(&self) -> BTreeMap<String, u64> {
        self.0.lock().expect("metrics lock").clone()
    }
}

#[derive(Default)]
pub struct Counter(AtomicU64);

impl Counter {
    pub fn inc_by(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

#[derive(Default)]
pub struct Gauge(AtomicI64);

impl Gauge {
    pub fn add(&self, n: i64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }
    pub fn set(&self, n: i64) {
        self.0.store(n, Ordering::Relaxed);
    }
    pub fn get(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Cumulative histogram with fixed upper bounds (seconds).
pub struct Histogram {
    bounds: &'static [f64],
    inner: Mutex<HistogramState>,
}

#[derive(Default)]
struct HistogramState {
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    pub fn new(bounds: &'static [f64]) -> Self {
        Histogram { bounds, inner: Mutex::new(HistogramState { counts: vec![0; bounds.len()], sum: 0.0, count: 0 }) }
    }
    pub fn observe(&self, value: f64) {
        let mut state = self.inner.lock().expect("metrics lock");
        for (i, bound) in self.bounds.iter().enumerate() {
            if value <= *bound {
                state.counts[i] += 1;
            }
        }
        state.sum += value;
        state.count += 1;
    }
    pub fn count(&self) -> u64 {
        self.inner.lock().expect("metrics lock").count
    }
}

const DURATION_BOUNDS: &[f64] = &[0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0];

/// Every metric the worker exports.
pub struct Metrics {
    /// Jobs finished, by outcome: `delivered` (acked after a 2xx), `failed` (reported and
    /// dead-lettered), `returned` (given back to the queue: drain, connection loss).
    pub jobs: LabeledCounter,
    /// Failed jobs by error code.
    pub failures: LabeledCounter,
    pub extraction_seconds: Histogram,
    /// Time from the first POST attempt to the API's final answer, retries included.
    pub publish_seconds: Histogram,
    pub pages: Counter,
    pub tables: Counter,
    pub records: Counter,
    pub warnings: LabeledCounter,
    /// Retried POSTs by endpoint (`extractions`, `failures`), plus `download` retries.
    pub publish_retries: LabeledCounter,
    pub in_flight: Gauge,
    pub broker_connected: Gauge,
    pub broker_connects: Counter,
    /// Jobs given back to the queue by republishing them (the original delivery acked), by
    /// reason: `paused` (the breaker opened), `hold_limit`, `drain`, `redelivered` (the broker
    /// returned it after its worker was lost; the copy carries the count).
    pub requeued: LabeledCounter,
    /// 1 while the breaker holds consuming paused.
    pub consumer_paused: Gauge,
    /// Times the breaker opened, by reason.
    pub breaker_pauses: LabeledCounter,
    /// 1 while the API answers 401/403 to the worker's token (consuming is paused meanwhile).
    pub credentials_refused: Gauge,
    /// Probes sent while paused, by result: `unavailable` (still down), `refused` (401/403:
    /// the token is still refused), `answered` (resumed).
    pub breaker_probes: LabeledCounter,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            jobs: LabeledCounter::default(),
            failures: LabeledCounter::default(),
            extraction_seconds: Histogram::new(DURATION_BOUNDS),
            publish_seconds: Histogram::new(DURATION_BOUNDS),
            pages: Counter::default(),
            tables: Counter::default(),
            records: Counter::default(),
            warnings: LabeledCounter::default(),
            publish_retries: LabeledCounter::default(),
            in_flight: Gauge::default(),
            broker_connected: Gauge::default(),
            broker_connects: Counter::default(),
            requeued: LabeledCounter::default(),
            consumer_paused: Gauge::default(),
            breaker_pauses: LabeledCounter::default(),
            credentials_refused: Gauge::default(),
            breaker_probes: LabeledCounter::default(),
        }
    }
}

impl Metrics {
    /// Prometheus text format 0.0.4.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Outcomes and codes are always listed so that dashboards see zeros rather than gaps.
        let mut jobs = self.jobs.snapshot();
        for outcome in ["delivered", "failed", "returned"] {
            jobs.entry(outcome.to_string()).or_default();
        }
        labeled(&mut out, "yusuan_jobs_total", "Jobs finished, by outcome.", "outcome", &jobs);
        let mut failures = self.failures.snapshot();
        for code in crate::error::ExtractError::CODES.iter().chain(&["invalid_job", "rejected"]) {
            failures.entry(code.to_string()).or_default();
        }
        labeled(&mut out, "yusuan_job_failures_total", "Failed jobs, by error code.", "code", &failures);
        histogram(&mut out, "yusuan_extraction_duration_seconds", "Extraction wall time per job.", &self.extraction_seconds);
        histogram(
            &mut out,
            "yusuan_publish_duration_seconds",
            "Time to get the API's final answer for one POST, retries included.",
            &self.publish_seconds,
        );
        counter(&mut out, "yusuan_pages_total", "PDF pages extracted.", self.pages.get());
        counter(&mut out, "yusuan_tables_total", "Tables extracted.", self.tables.get());
        counter(&mut out, "yusuan_records_total", "Records extracted.", self.records.get());
        labeled(
            &mut out,
            "yusuan_validation_warnings_total",
            "Warnings in published extractions, by code.",
            "code",
            &self.warnings.snapshot(),
        );
        labeled(
            &mut out,
            "yusuan_retries_total",
            "Retried HTTP requests, by endpoint (extractions, failures, download).",
            "endpoint",
            &self.publish_retries.snapshot(),
        );
        gauge(&mut out, "yusuan_jobs_in_flight", "Jobs being processed now.", self.in_flight.get());
        gauge(&mut out, "yusuan_broker_connected", "1 while connected to the broker.", self.broker_connected.get());
        counter(&mut out, "yusuan_broker_connections_total", "Successful broker connections (1 + reconnects).", self.broker_connects.get());
        let mut requeued = self.requeued.snapshot();
        for reason in ["paused", "hold_limit", "drain", "redelivered"] {
            requeued.entry(reason.to_string()).or_default();
        }
        labeled(
            &mut out,
            "yusuan_jobs_requeued_total",
            "Jobs given back to the queue as a fresh copy (no delivery attempt spent), by reason.",
            "reason",
            &requeued,
        );
        gauge(&mut out, "yusuan_consumer_paused", "1 while consuming is paused by the API breaker.", self.consumer_paused.get());
        let mut pauses = self.breaker_pauses.snapshot();
        for reason in ["api_unavailable", "credentials_refused"] {
            pauses.entry(reason.to_string()).or_default();
        }
        labeled(&mut out, "yusuan_breaker_pauses_total", "Times the API breaker paused consuming, by reason.", "reason", &pauses);
        gauge(
            &mut out,
            "yusuan_api_credentials_refused",
            "1 while the API answers 401/403 to the worker's token (consuming paused).",
            self.credentials_refused.get(),
        );
        let mut probes = self.breaker_probes.snapshot();
        for result in ["unavailable", "refused", "answered"] {
            probes.entry(result.to_string()).or_default();
        }
        labeled(&mut out, "yusuan_breaker_probes_total", "API probes sent while paused, by result.", "result", &probes);
        out
    }
}

fn header(out: &mut String, name: &str, help: &str, kind: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn counter(out: &mut String, name: &str, help: &str, value: u64) {
    header(out, name, help, "counter");
    let _ = writeln!(out, "{name} {value}");
}

fn gauge(out: &mut String, name: &str, help: &str, value: i64) {
    header(out, name, help, "gauge");
    let _ = writeln!(out, "{name} {value}");
}

fn labeled(out: &mut String, name: &str, help: &str, label: &str, values: &BTreeMap<String, u64>) {
    header(out, name, help, "counter");
    for (k, v) in values {
        let _ = writeln!(out, "{name}{{{label}=\"{}\"}} {v}", escape(k));
    }
}

fn histogram(out: &mut String, name: &str, help: &str, h: &Histogram) {
    header(out, name, help, "histogram");
    let state = h.inner.lock().expect("metrics lock");
    for (bound, count) in h.bounds.iter().zip(&state.counts) {
        let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {count}");
    }
    let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {}", state.count);
    let _ = writeln!(out, "{name}_sum {}", state.sum);
    let _ = writeln!(out, "{name}_count {}", state.count);
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_histograms_and_labels() {
        let m = Metrics::default();
        m.jobs.inc_by("delivered", 2);
        m.failures.inc_by("truncated", 1);
        m.warnings.inc_by("sum_mismatch", 3);
        m.extraction_seconds.observe(0.2);
        m.extraction_seconds.observe(7.0);
        m.in_flight.add(1);
        let text = m.render();
        assert!(text.contains("yusuan_jobs_total{outcome=\"delivered\"} 2\n"));
        assert!(text.contains("yusuan_jobs_total{outcome=\"failed\"} 0\n"));
        assert!(text.contains("yusuan_job_failures_total{code=\"truncated\"} 1\n"));
        assert!(text.contains("yusuan_job_failures_total{code=\"timeout\"} 0\n"));
        assert!(text.contains("yusuan_validation_warnings_total{code=\"sum_mismatch\"} 3\n"));
        assert!(text.contains("yusuan_extraction_duration_seconds_bucket{le=\"0.1\"} 0\n"));
        assert!(text.contains("yusuan_extraction_duration_seconds_bucket{le=\"0.25\"} 1\n"));
        assert!(text.contains("yusuan_extraction_duration_seconds_bucket{le=\"10\"} 2\n"));
        assert!(text.contains("yusuan_extraction_duration_seconds_bucket{le=\"+Inf\"} 2\n"));
        assert!(text.contains("yusuan_extraction_duration_seconds_count 2\n"));
        assert!(text.contains("yusuan_jobs_in_flight 1\n"));
        assert!(text.contains("yusuan_consumer_paused 0\n"));
        assert!(text.contains("yusuan_jobs_requeued_total{reason=\"paused\"} 0\n"));
        assert!(text.contains("yusuan_breaker_probes_total{result=\"answered\"} 0\n"));
        assert_eq!(escape("a\"b"), "a\\\"b");
    }
}
