//! `/healthz`, `/readyz` and `/metrics` over HTTP for orchestrators and Prometheus.
//!
//! `/healthz` is liveness: it answers 200 as long as the process serves requests, with the state in
//! the body. A broker outage does not make the worker unhealthy (it reconnects by itself;
//! restarting it would not help). `/readyz` is readiness: 200 only while connected and consuming,
//! 503 while (re)connecting, paused by the API breaker (the body says why and for how long), or
//! draining.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use super::breaker::{Breaker, BreakerState};
use super::metrics::Metrics;
use super::shutdown::Signal;

#[derive(Clone)]
struct Health {
    metrics: Arc<Metrics>,
    breaker: Arc<Breaker>,
    stop: Signal,
}

/// Binds `listen` and serves in the background; returns the bound address (useful with port 0).
pub async fn serve(listen: &str, metrics: Arc<Metrics>, breaker: Arc<Breaker>, stop: Signal) -> anyhow::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding the metrics endpoint on {listen}"))?;
    let addr = listener.local_addr()?;
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .with_state(Health { metrics, breaker, stop });
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "the metrics endpoint stopped");
        }
    });
    Ok(addr)
}

/// What the worker is doing, and whether that counts as ready.
fn state(health: &Health) -> (bool, String) {
    if health.stop.is_fired() {
        (false, "draining\n".into())
    } else if let BreakerState::Open { reason, since } = health.breaker.state() {
        (false, format!("paused for {}s: {reason}; probing\n", since.elapsed().as_secs()))
    } else if health.metrics.broker_connected.get() != 1 {
        (false, "not connected to the broker (reconnecting)\n".into())
    } else {
        (true, "ok\n".into())
    }
}

async fn healthz(State(health): State<Health>) -> impl IntoResponse {
    (StatusCode::OK, state(&health).1)
}

async fn readyz(State(health): State<Health>) -> impl IntoResponse {
    match state(&health) {
        (true, text) => (StatusCode::OK, text),
        (false, text) => (StatusCode::SERVICE_UNAVAILABLE, text),
    }
}

async fn metrics_text(State(health): State<Health>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], health.metrics.render())
}
