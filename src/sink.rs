//! `yusuan sink`: the reference receiver of CONTRACT §4, storing extractions and failures in SQLite.
//!
//! What a user without a downstream API yet runs, what the compose demo and the worker tests run.
//! Idempotent on the `Idempotency-Key` header: a repeated key answers 200 with the stored id and
//! adds no row (the first delivery answers 201).
//!
//! Endpoints:
//! - `POST /extractions`, `POST /failures` — the contract's API.
//! - `GET /extractions` (summaries), `GET /extractions/{id}` (the stored body), `GET /failures`,
//!   `GET /stats`, `GET /healthz` — for humans and tests. The lists are in id order and paged:
//!   `?after=<last id seen>&limit=<n>` (default 1000, at most 10000).
//! - With `--token` (or `SINK_TOKEN`) every endpoint but `/healthz` requires
//!   `Authorization: Bearer <token>` and answers 401 otherwise, as a real API would.
//! - Testing aid: `POST /admin/fail?n=N` (or `--fail-first N` at start) makes the next N POSTs to
//!   `/extractions` or `/failures` answer 503, to exercise the worker's retries; `POST
//!   /admin/reject?n=N` makes the next N POSTs to `/extractions` answer 422, to exercise the
//!   worker's rejection path. Neither changes stored data.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use rusqlite::{params, OptionalExtension};
use serde_json::{json, Value};

/// `yusuan sink` flags.
#[derive(Debug, Clone, clap::Args)]
pub struct SinkArgs {
    /// Address to listen on (port 0: any free port; the bound address is logged).
    #[arg(long, env = "YUSUAN_SINK_LISTEN", default_value = "127.0.0.1:8088")]
    pub listen: String,
    /// SQLite database file (created if missing).
    #[arg(long, env = "YUSUAN_SINK_DB", default_value = "yusuan-sink.db")]
    pub db: PathBuf,
    /// Testing aid: answer 503 to the first N POSTs (see also `POST /admin/fail?n=N`).
    #[arg(long, env = "YUSUAN_SINK_FAIL_FIRST", default_value_t = 0)]
    pub fail_first: u64,
    /// Largest request body accepted, MiB (extraction documents of big reports are several MiB).
    #[arg(long, env = "YUSUAN_SINK_MAX_BODY_MB", default_value_t = 256)]
    pub max_body_mb: usize,
    /// Bearer token every request but `/healthz` must carry (401 otherwise); without it the sink
    /// accepts anyone (local use only).
    #[arg(long, env = "SINK_TOKEN", hide_env_values = true)]
    pub token: Option<crate::worker::secret::Secret>,
}

pub fn run(args: SinkArgs) -> anyhow::Result<i32> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")?;
    runtime.block_on(async {
        let sink = Sink::start(&args.listen, &args.db, args.fail_first, args.max_body_mb * 1024 * 1024).await?;
        sink.set_token(args.token.clone());
        tracing::info!(addr = %sink.addr, db = %args.db.display(), token_required = args.token.is_some(), "sink listening");
        // Print the address on stdout too: scripts starting the sink on port 0 read it there.
        println!("listening on {}", sink.addr);
        wait_for_stop_signal().await?;
        tracing::info!("sink stopping");
        Ok(0)
    })
}

async fn wait_for_stop_signal() -> anyhow::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    tokio::select! {
        _ = term.recv() => {},
        r = tokio::signal::ctrl_c() => r?,
    }
    Ok(())
}

/// A running sink (in this process).
pub struct Sink {
    pub addr: SocketAddr,
    state: Arc<Shared>,
}

impl Sink {
    /// Opens (or creates) the database, binds `listen` and serves in the background.
    pub async fn start(listen: &str, db: &Path, fail_first: u64, max_body_bytes: usize) -> anyhow::Result<Sink> {
        let store = Store::open(db)?;
        let state = Arc::new(Shared {
            store: Mutex::new(store),
            fail_remaining: AtomicU64::new(fail_first),
            answered_503: AtomicU64::new(0),
            reject_remaining: AtomicU64::new(0),
            token: Mutex::new(None),
            answered_401: AtomicU64::new(0),
        });
        let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("binding {listen}"))?;
        let addr = listener.local_addr()?;
        let app = Router::new()
            .route("/extractions", post(post_extraction).get(list_extractions))
            .route("/extractions/{id}", get(get_extraction))
            .route("/failures", post(post_failure).get(list_failures))
            .route("/stats", get(stats))
            .route("/healthz", get(|| async { "ok\n" }))
            .route("/admin/fail", post(admin_fail))
            .route("/admin/reject", post(admin_reject))
            .layer(axum::middleware::from_fn_with_state(state.clone(), require_token))
            .layer(DefaultBodyLimit::max(max_body_bytes))
            .with_state(state.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "the sink server stopped");
            }
        });
        Ok(Sink { addr, state })
    }

    /// Makes the next `n` POSTs answer 503 (same as `POST /admin/fail?n=N`).
    pub fn fail_next(&self, n: u64) {
        self.state.fail_remaining.store(n, Ordering::SeqCst);
    }

    /// Requires `Authorization: Bearer <token>` from now on (`None`: accept anyone). Tests change
    /// it while running, as an operator rotating the API's token would.
    pub fn set_token(&self, token: Option<crate::worker::secret::Secret>) {
        *self.state.token.lock().expect("token lock") = token;
    }

    /// Requests answered 401 so far.
    pub fn answered_401(&self) -> u64 {
        self.state.answered_401.load(Ordering::SeqCst)
    }

    /// Makes the next `n` POSTs to `/extractions` answer 422 (same as `POST /admin/reject?n=N`).
    pub fn reject_next(&self, n: u64) {
        self.state.reject_remaining.store(n, Ordering::SeqCst);
    }
}

struct Shared {
    store: Mutex<Store>,
    fail_remaining: AtomicU64,
    answered_503: AtomicU64,
    reject_remaining: AtomicU64,
    token: Mutex<Option<crate::worker::secret::Secret>>,
    answered_401: AtomicU64,
}

/// With a token set, every endpoint but `/healthz` answers 401 to a request without that bearer
/// token (checked before the body is read or anything is stored).
async fn require_token(
    State(state): State<Arc<Shared>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let expected = state.token.lock().expect("token lock").clone();
    if let Some(expected) = expected {
        let presented = request
            .headers()
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let allowed = request.uri().path() == "/healthz" || presented.is_some_and(|token| expected.matches(token));
        if !allowed {
            state.answered_401.fetch_add(1, Ordering::SeqCst);
            return (
                StatusCode::UNAUTHORIZED,
                [(axum::http::header::WWW_AUTHENTICATE, "Bearer")],
                Json(json!({"error": "a valid bearer token is required"})),
            )
                .into_response();
        }
    }
    next.run(request).await
}

/// The SQLite side. One connection behind a mutex: the sink's load is one worker fleet's
/// deliveries, far below what one SQLite writer handles.
struct Store {
    db: rusqlite::Connection,
}

/// What an insert found.
enum Stored {
    New(i64),
    Repeat(i64),
}

impl Store {
    fn open(path: &Path) -> anyhow::Result<Store> {
        let db = rusqlite::Connection::open(path).with_context(|| format!("opening {}", path.display()))?;
        db.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             CREATE TABLE IF NOT EXISTS extractions (
                 id              INTEGER PRIMARY KEY,
                 idempotency_key TEXT NOT NULL UNIQUE,
                 job_id          TEXT NOT NULL,
                 file_name       TEXT NOT NULL,
                 sha256          TEXT NOT NULL,
                 metadata        TEXT NOT NULL,
                 extraction      TEXT NOT NULL,
                 n_tables        INTEGER NOT NULL,
                 n_records       INTEGER NOT NULL,
                 n_warnings      INTEGER NOT NULL,
                 received_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                 repeats         INTEGER NOT NULL DEFAULT 0
             );
             CREATE TABLE IF NOT EXISTS failures (
                 id              INTEGER PRIMARY KEY,
                 idempotency_key TEXT UNIQUE,
                 job_id          TEXT NOT NULL,
                 file_name       TEXT NOT NULL,
                 sha256          TEXT,
                 code            TEXT NOT NULL,
                 message         TEXT NOT NULL,
                 metadata        TEXT NOT NULL,
                 received_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                 repeats         INTEGER NOT NULL DEFAULT 0
             );",
        )
        .context("creating the sink tables")?;
        Ok(Store { db })
    }

    fn insert_extraction(&mut self, key: &str, body: &ExtractionBody) -> rusqlite::Result<Stored> {
        let tx = self.db.transaction()?;
        let existing: Option<i64> =
            tx.query_row("SELECT id FROM extractions WHERE idempotency_key = ?1", [key], |r| r.get(0)).optional()?;
        let stored = match existing {
            Some(id) => {
                tx.execute("UPDATE extractions SET repeats = repeats + 1 WHERE id = ?1", [id])?;
                Stored::Repeat(id)
            }
            None => {
                tx.execute(
                    "INSERT INTO extractions (idempotency_key, job_id, file_name, sha256, metadata, extraction,
                                              n_tables, n_records, n_warnings)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    params![
                        key,
                        body.job_id,
                        body.file_name,
                        body.sha256,
                        body.metadata.to_string(),
                        body.extraction.to_string(),
                        body.n_tables,
                        body.n_records,
                        body.n_warnings
                    ],
                )?;
                Stored::New(tx.last_insert_rowid())
            }
        };
        tx.commit()?;
        Ok(stored)
    }

    fn insert_failure(&mut self, key: Option<&str>, f: &FailureBody) -> rusqlite::Result<Stored> {
        let tx = self.db.transaction()?;
        let existing: Option<i64> = match key {
            Some(key) => {
                tx.query_row("SELECT id FROM failures WHERE idempotency_key = ?1", [key], |r| r.get(0)).optional()?
            }
            None => None,
        };
        let stored = match existing {
            Some(id) => {
                tx.execute("UPDATE failures SET repeats = repeats + 1 WHERE id = ?1", [id])?;
                Stored::Repeat(id)
            }
            None => {
                tx.execute(
                    "INSERT INTO failures (idempotency_key, job_id, file_name, sha256, code, message, metadata)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![key, f.job_id, f.file_name, f.sha256, f.code, f.message, f.metadata.to_string()],
                )?;
                Stored::New(tx.last_insert_rowid())
            }
        };
        tx.commit()?;
        Ok(stored)
    }

    fn list_extractions(&self, page: Page) -> rusqlite::Result<Vec<Value>> {
        let mut stmt = self.db.prepare(
            "SELECT id, idempotency_key, job_id, file_name, sha256, metadata, n_tables, n_records, n_warnings,
                    received_at, repeats FROM extractions WHERE id > ?1 ORDER BY id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![page.after, page.limit], |r| {
            Ok(json!({
                "id": r.get::<_, i64>(0)?,
                "idempotency_key": r.get::<_, String>(1)?,
                "job_id": r.get::<_, String>(2)?,
                "file_name": r.get::<_, String>(3)?,
                "sha256": r.get::<_, String>(4)?,
                "metadata": parse_stored(&r.get::<_, String>(5)?),
                "tables": r.get::<_, i64>(6)?,
                "records": r.get::<_, i64>(7)?,
                "warnings": r.get::<_, i64>(8)?,
                "received_at": r.get::<_, String>(9)?,
                "repeats": r.get::<_, i64>(10)?,
            }))
        })?;
        rows.collect()
    }

    fn get_extraction(&self, id: i64) -> rusqlite::Result<Option<Value>> {
        self.db
            .query_row(
                "SELECT job_id, metadata, extraction, idempotency_key FROM extractions WHERE id = ?1",
                [id],
                |r| {
                    Ok(json!({
                        "id": id,
                        "idempotency_key": r.get::<_, String>(3)?,
                        "job_id": r.get::<_, String>(0)?,
                        "metadata": parse_stored(&r.get::<_, String>(1)?),
                        "extraction": parse_stored(&r.get::<_, String>(2)?),
                    }))
                },
            )
            .optional()
    }

    fn list_failures(&self, page: Page) -> rusqlite::Result<Vec<Value>> {
        let mut stmt = self.db.prepare(
            "SELECT id, idempotency_key, job_id, file_name, sha256, code, message, metadata, received_at, repeats
             FROM failures WHERE id > ?1 ORDER BY id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![page.after, page.limit], |r| {
            Ok(json!({
                "id": r.get::<_, i64>(0)?,
                "idempotency_key": r.get::<_, Option<String>>(1)?,
                "job_id": r.get::<_, String>(2)?,
                "file_name": r.get::<_, String>(3)?,
                "sha256": r.get::<_, Option<String>>(4)?,
                "code": r.get::<_, String>(5)?,
                "message": r.get::<_, String>(6)?,
                "metadata": parse_stored(&r.get::<_, String>(7)?),
                "received_at": r.get::<_, String>(8)?,
                "repeats": r.get::<_, i64>(9)?,
            }))
        })?;
        rows.collect()
    }

    fn stats(&self) -> rusqlite::Result<Value> {
        let (extractions, extraction_repeats): (i64, i64) = self
            .db
            .query_row("SELECT count(*), coalesce(sum(repeats), 0) FROM extractions", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let (failures, failure_repeats): (i64, i64) = self
            .db
            .query_row("SELECT count(*), coalesce(sum(repeats), 0) FROM failures", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(json!({
            "extractions": extractions,
            "extraction_repeats": extraction_repeats,
            "failures": failures,
            "failure_repeats": failure_repeats,
        }))
    }
}

/// A page of a listing: rows with `id > after`, at most `limit` of them. Clients page by passing
/// the last id they saw as `after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Page {
    after: i64,
    limit: i64,
}

impl Page {
    const DEFAULT_LIMIT: i64 = 1000;
    const MAX_LIMIT: i64 = 10_000;

    fn from_query(query: Option<&str>) -> Result<Page, ApiError> {
        let mut page = Page { after: 0, limit: Self::DEFAULT_LIMIT };
        for pair in query.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let number = || {
                value
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *n >= 0)
                    .ok_or_else(|| error(StatusCode::BAD_REQUEST, format!("{key} must be a non-negative integer")))
            };
            match key {
                "after" => page.after = number()?,
                "limit" => page.limit = number()?.min(Self::MAX_LIMIT),
                _ => return Err(error(StatusCode::BAD_REQUEST, format!("unknown parameter {key:?} (after, limit)"))),
            }
        }
        Ok(page)
    }
}

fn parse_stored(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

/// The fields of a `POST /extractions` body the sink indexes; the document is stored as sent.
struct ExtractionBody {
    job_id: String,
    file_name: String,
    sha256: String,
    metadata: Value,
    extraction: Value,
    n_tables: i64,
    n_records: i64,
    n_warnings: i64,
}

struct FailureBody {
    job_id: String,
    file_name: String,
    sha256: Option<String>,
    code: String,
    message: String,
    metadata: Value,
}

/// A refused request: status and a message, answered as `{"error": message}`.
struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

fn error(status: StatusCode, message: impl Into<String>) -> ApiError {
    ApiError(status, message.into())
}

/// The testing aid: consumes one of the scheduled 503 answers, if any.
fn scheduled_outage(state: &Shared) -> Option<Response> {
    if take_one(&state.fail_remaining) {
        state.answered_503.fetch_add(1, Ordering::SeqCst);
        Some(error(StatusCode::SERVICE_UNAVAILABLE, "scheduled outage (testing aid: --fail-first / POST /admin/fail)").into_response())
    } else {
        None
    }
}

/// Takes one unit of a testing-aid counter, if any is left.
fn take_one(counter: &AtomicU64) -> bool {
    counter.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok()
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(v) => match v.to_str() {
            Ok(s) if !s.trim().is_empty() => Ok(Some(s.trim().to_string())),
            _ => Err(error(StatusCode::BAD_REQUEST, "the Idempotency-Key header is empty or not ASCII")),
        },
    }
}

fn parse_json(body: &Bytes) -> Result<Value, ApiError> {
    serde_json::from_slice(body).map_err(|e| error(StatusCode::BAD_REQUEST, format!("the body is not JSON: {e}")))
}

fn str_field(v: &Value, pointer: &str) -> Result<String, ApiError> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| error(StatusCode::UNPROCESSABLE_ENTITY, format!("{pointer} is missing or not a string")))
}

fn count(v: &Value, key: &str) -> i64 {
    v.get(key).and_then(Value::as_array).map(|a| a.len() as i64).unwrap_or(0)
}

fn validate_extraction(body: &Value, key: &str) -> Result<ExtractionBody, ApiError> {
    let job_id = str_field(body, "/job_id")?;
    let extraction = body
        .get("extraction")
        .filter(|e| e.is_object())
        .ok_or_else(|| error(StatusCode::UNPROCESSABLE_ENTITY, "extraction is missing or not an object"))?;
    let sha256 = str_field(body, "/extraction/source/sha256")?;
    let schema_version = str_field(body, "/extraction/schema_version")?;
    let file_name = str_field(body, "/extraction/source/file_name")?;
    // The key is derived from the document; a mismatch means the client computes it wrongly and
    // would defeat deduplication.
    let expected = format!("{sha256}:{schema_version}");
    if key != expected {
        return Err(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("Idempotency-Key {key:?} does not match the document (expected {expected:?})"),
        ));
    }
    Ok(ExtractionBody {
        job_id,
        file_name,
        sha256,
        metadata: body.get("metadata").cloned().unwrap_or(Value::Null),
        n_tables: count(extraction, "tables"),
        n_records: count(extraction, "records"),
        n_warnings: count(extraction, "warnings"),
        extraction: extraction.clone(),
    })
}

fn validate_failure(body: &Value) -> Result<FailureBody, ApiError> {
    let sha256 = match body.get("sha256") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(error(StatusCode::UNPROCESSABLE_ENTITY, "sha256 must be a string or null")),
    };
    Ok(FailureBody {
        job_id: str_field(body, "/job_id")?,
        file_name: str_field(body, "/file_name")?,
        sha256,
        code: str_field(body, "/code")?,
        message: str_field(body, "/message")?,
        metadata: body.get("metadata").cloned().unwrap_or(Value::Null),
    })
}

/// Runs a database call off the async threads.
async fn with_store<T: Send + 'static>(
    state: &Arc<Shared>,
    f: impl FnOnce(&mut Store) -> rusqlite::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    let state = state.clone();
    let result = tokio::task::spawn_blocking(move || {
        let mut store = state.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut store)
    })
    .await;
    match result {
        Ok(Ok(v)) => Ok(v),
        // A database error is the sink's problem, not the request's: 500 makes the worker retry.
        Ok(Err(e)) => Err(error(StatusCode::INTERNAL_SERVER_ERROR, format!("database: {e}"))),
        Err(e) => Err(error(StatusCode::INTERNAL_SERVER_ERROR, format!("database task: {e}"))),
    }
}

fn stored_response(stored: Stored, key: Option<String>) -> Response {
    match stored {
        Stored::New(id) => (StatusCode::CREATED, Json(json!({"id": id, "idempotency_key": key, "duplicate": false}))).into_response(),
        Stored::Repeat(id) => (StatusCode::OK, Json(json!({"id": id, "idempotency_key": key, "duplicate": true}))).into_response(),
    }
}

async fn post_extraction(State(state): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(outage) = scheduled_outage(&state) {
        return outage;
    }
    let key = match idempotency_key(&headers) {
        Ok(Some(key)) => key,
        Ok(None) => return error(StatusCode::BAD_REQUEST, "the Idempotency-Key header is required").into_response(),
        Err(r) => return r.into_response(),
    };
    let parsed = match parse_json(&body).and_then(|v| validate_extraction(&v, &key)) {
        Ok(p) => p,
        Err(r) => return r.into_response(),
    };
    if take_one(&state.reject_remaining) {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "scheduled rejection (testing aid: POST /admin/reject)").into_response();
    }
    let k = key.clone();
    match with_store(&state, move |s| s.insert_extraction(&k, &parsed)).await {
        Ok(stored) => stored_response(stored, Some(key)),
        Err(r) => r.into_response(),
    }
}

async fn post_failure(State(state): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(outage) = scheduled_outage(&state) {
        return outage;
    }
    let key = match idempotency_key(&headers) {
        Ok(key) => key,
        Err(r) => return r.into_response(),
    };
    let parsed = match parse_json(&body).and_then(|v| validate_failure(&v)) {
        Ok(p) => p,
        Err(r) => return r.into_response(),
    };
    let k = key.clone();
    match with_store(&state, move |s| s.insert_failure(k.as_deref(), &parsed)).await {
        Ok(stored) => stored_response(stored, key),
        Err(r) => r.into_response(),
    }
}

async fn list_extractions(State(state): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Response {
    let page = match Page::from_query(query.as_deref()) {
        Ok(p) => p,
        Err(r) => return r.into_response(),
    };
    match with_store(&state, move |s| s.list_extractions(page)).await {
        Ok(rows) => Json(rows).into_response(),
        Err(r) => r.into_response(),
    }
}

async fn get_extraction(State(state): State<Arc<Shared>>, UrlPath(id): UrlPath<i64>) -> Response {
    match with_store(&state, move |s| s.get_extraction(id)).await {
        Ok(Some(v)) => Json(v).into_response(),
        Ok(None) => error(StatusCode::NOT_FOUND, format!("no extraction {id}")).into_response(),
        Err(r) => r.into_response(),
    }
}

async fn list_failures(State(state): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Response {
    let page = match Page::from_query(query.as_deref()) {
        Ok(p) => p,
        Err(r) => return r.into_response(),
    };
    match with_store(&state, move |s| s.list_failures(page)).await {
        Ok(rows) => Json(rows).into_response(),
        Err(r) => r.into_response(),
    }
}

async fn stats(State(state): State<Arc<Shared>>) -> Response {
    let answered = state.answered_503.load(Ordering::SeqCst);
    let remaining = state.fail_remaining.load(Ordering::SeqCst);
    match with_store(&state, |s| s.stats()).await {
        Ok(mut v) => {
            v["answered_503"] = json!(answered);
            v["fail_remaining"] = json!(remaining);
            Json(v).into_response()
        }
        Err(r) => r.into_response(),
    }
}

fn query_n(query: Option<&str>) -> Option<u64> {
    query.unwrap_or_default().split('&').find_map(|pair| pair.strip_prefix("n=")).and_then(|v| v.parse::<u64>().ok())
}

async fn admin_reject(State(state): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Response {
    match query_n(query.as_deref()) {
        Some(n) => {
            state.reject_remaining.store(n, Ordering::SeqCst);
            tracing::info!(n, "testing aid: the next POSTs to /extractions answer 422");
            Json(json!({ "reject_next": n })).into_response()
        }
        None => error(StatusCode::BAD_REQUEST, "use POST /admin/reject?n=N").into_response(),
    }
}

async fn admin_fail(State(state): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Response {
    match query_n(query.as_deref()) {
        Some(n) => {
            state.fail_remaining.store(n, Ordering::SeqCst);
            tracing::info!(n, "testing aid: the next POSTs answer 503");
            Json(json!({ "fail_next": n })).into_response()
        }
        None => error(StatusCode::BAD_REQUEST, "use POST /admin/fail?n=N").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn start() -> (Sink, tempfile::TempDir, reqwest::Client) {
        let dir = tempfile::tempdir().unwrap();
        let sink = Sink::start("127.0.0.1:0", &dir.path().join("sink.db"), 0, 1 << 20).await.unwrap();
        (sink, dir, reqwest::Client::new())
    }

    fn extraction_body(sha: &str) -> Value {
        json!({
            "job_id": "j1",
            "metadata": {"year": "2021"},
            "extraction": {
                "schema_version": "1",
                "source": {"file_name": "a.pdf", "sha256": sha, "format": "pdf", "page_count": 1},
                "tables": [], "records": [], "warnings": [{"code": "rounding", "message": "m", "table": null, "row": null}]
            }
        })
    }

    #[tokio::test]
    async fn extractions_are_idempotent_on_the_key() {
        let (sink, _dir, http) = start().await;
        let url = format!("http://{}/extractions", sink.addr);
        let first = http.post(&url).header("Idempotency-Key", "ab:1").json(&extraction_body("ab")).send().await.unwrap();
        assert_eq!(first.status(), 201);
        let first: Value = first.json().await.unwrap();
        let again = http.post(&url).header("Idempotency-Key", "ab:1").json(&extraction_body("ab")).send().await.unwrap();
        assert_eq!(again.status(), 200);
        let again: Value = again.json().await.unwrap();
        assert_eq!(first["id"], again["id"]);
        assert_eq!(again["duplicate"], true);

        let rows: Vec<Value> = http.get(&url).send().await.unwrap().json().await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["repeats"], 1);
        assert_eq!(rows[0]["warnings"], 1);
        assert_eq!(rows[0]["metadata"]["year"], "2021");
        let stored: Value =
            http.get(format!("{url}/{}", first["id"])).send().await.unwrap().json().await.unwrap();
        assert_eq!(stored["extraction"]["source"]["sha256"], "ab");

        // No key, or a key that is not the document's: refused with a 4xx (the worker does not retry).
        let missing = http.post(&url).json(&extraction_body("ab")).send().await.unwrap();
        assert_eq!(missing.status(), 400);
        let wrong = http.post(&url).header("Idempotency-Key", "cd:1").json(&extraction_body("ab")).send().await.unwrap();
        assert_eq!(wrong.status(), 422);
        let not_json = http.post(&url).header("Idempotency-Key", "ab:1").body("{").send().await.unwrap();
        assert_eq!(not_json.status(), 400);

        // The rejection testing aid answers 422 and stores nothing.
        let r = http.post(format!("http://{}/admin/reject?n=1", sink.addr)).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let rejected = http.post(&url).header("Idempotency-Key", "ef:1").json(&extraction_body("ef")).send().await.unwrap();
        assert_eq!(rejected.status(), 422);
        let accepted = http.post(&url).header("Idempotency-Key", "ef:1").json(&extraction_body("ef")).send().await.unwrap();
        assert_eq!(accepted.status(), 201);
        let rows: Vec<Value> = http.get(&url).send().await.unwrap().json().await.unwrap();
        assert_eq!(rows.len(), 2);

        // Paging by id.
        let first_page: Vec<Value> = http.get(format!("{url}?limit=1")).send().await.unwrap().json().await.unwrap();
        assert_eq!(first_page.len(), 1);
        let next: Vec<Value> = http
            .get(format!("{url}?after={}&limit=1", first_page[0]["id"]))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(next.len(), 1);
        assert_ne!(next[0]["id"], first_page[0]["id"]);
        assert_eq!(http.get(format!("{url}?limit=-1")).send().await.unwrap().status(), 400);
        assert_eq!(http.get(format!("{url}?page=2")).send().await.unwrap().status(), 400);
    }

    #[tokio::test]
    async fn failures_are_stored_and_outages_are_scheduled() {
        let (sink, _dir, http) = start().await;
        let base = format!("http://{}", sink.addr);
        let failure = json!({"job_id": "j9", "metadata": {}, "file_name": "x.pdf", "sha256": null,
                             "code": "truncated", "message": "cut short"});
        let r = http.post(format!("{base}/admin/fail?n=2")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        for _ in 0..2 {
            let r = http.post(format!("{base}/failures")).json(&failure).send().await.unwrap();
            assert_eq!(r.status(), 503);
        }
        let r = http.post(format!("{base}/failures")).header("Idempotency-Key", "f:j9").json(&failure).send().await.unwrap();
        assert_eq!(r.status(), 201);
        let r = http.post(format!("{base}/failures")).header("Idempotency-Key", "f:j9").json(&failure).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let rows: Vec<Value> = http.get(format!("{base}/failures")).send().await.unwrap().json().await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["code"], "truncated");
        assert_eq!(rows[0]["sha256"], Value::Null);
        let stats: Value = http.get(format!("{base}/stats")).send().await.unwrap().json().await.unwrap();
        assert_eq!(stats["answered_503"], 2);
        assert_eq!(stats["failures"], 1);
        assert_eq!(stats["failure_repeats"], 1);
        let bad = json!({"job_id": "j9"});
        assert_eq!(http.post(format!("{base}/failures")).json(&bad).send().await.unwrap().status(), 422);
    }
}
