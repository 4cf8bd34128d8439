//! `/healthz` and `/metrics` over HTTP for orchestrators and Prometheus.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use super::metrics::Metrics;
use super::shutdown::Signal;

#[derive(Clone)]
struct Health {
    metrics: Arc<Metrics>,
    stop: Signal,
}

/// Binds `listen` and serves in the background; returns the bound address (useful with port 0).
pub async fn serve(listen: &str, metrics: Arc<Metrics>, stop: Signal) -> anyhow::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding the metrics endpoint on {listen}"))?;
    let addr = listener.local_addr()?;
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_text))
        .with_state(Health { metrics, stop });
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "the metrics endpoint stopped");
        }
    });
    Ok(addr)
}

/// 200 while connected and consuming; 503 while (re)connecting or draining, so that a load
/// balancer or orchestrator sees the real state.
async fn healthz(State(health): State<Health>) -> impl IntoResponse {
    if health.stop.is_fired() {
        (StatusCode::SERVICE_UNAVAILABLE, "draining\n")
    } else if health.metrics.broker_connected.get() != 1 {
        (StatusCode::SERVICE_UNAVAILABLE, "not connected to the broker\n")
    } else {
        (StatusCode::OK, "ok\n")
    }
}

async fn metrics_text(State(health): State<Health>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], health.metrics.render())
}
