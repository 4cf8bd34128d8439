//! A job message (CONTRACT §3) and fetching its document bytes: inline base64, http(s) download
//! with a size limit, or `file://` confined to `--files-root`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use serde::Deserialize;
use serde_json::Value;

use super::egress::{refusal_in, shown_url, DownloadPolicy};
use crate::error::ExtractError;

/// The job body as it arrives. Unknown fields are ignored (portals may add their own).
#[derive(Debug, Clone, Deserialize)]
pub struct Job {
    pub job_id: String,
    pub file_name: String,
    #[serde(default)]
    pub content_base64: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub metadata: Value,
}

/// Why a job failed for good. The code goes into the failure report and onto the dead-lettered
/// message; the extraction codes are CONTRACT §5, the two others are the worker's own.
#[derive(Debug, Clone, thiserror::Error)]
pub enum JobError {
    /// The document could not be extracted.
    #[error(transparent)]
    Extract(#[from] ExtractError),
    /// The message is not a valid job, or its document cannot be fetched (bad URL, a `file://` path
    /// outside `--files-root`, a download answered with a 4xx).
    #[error("invalid job: {0}")]
    Invalid(String),
    /// The downstream API refused the extraction with a 4xx other than 408 / 429.
    #[error("rejected by the API: {0}")]
    Rejected(String),
}

impl JobError {
    pub fn code(&self) -> &'static str {
        match self {
            JobError::Extract(e) => e.code(),
            JobError::Invalid(_) => "invalid_job",
            JobError::Rejected(_) => "rejected",
        }
    }
}

/// What is known of a message even when it is not a valid job: enough to report the failure.
#[derive(Debug, Clone, Default)]
pub struct JobIdentity {
    pub job_id: String,
    pub file_name: String,
    pub metadata: Value,
}

/// Parses a message body. On failure the identity holds whatever fields could be read (a job id
/// from the AMQP `message_id` when the body has none).
pub fn parse(body: &[u8], message_id: Option<&str>) -> Result<Job, (JobIdentity, JobError)> {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            let identity = JobIdentity { job_id: message_id.unwrap_or_default().to_string(), ..Default::default() };
            return Err((identity, JobError::Invalid(format!("the body is not JSON: {e}"))));
        }
    };
    let identity = JobIdentity {
        job_id: value
            .get("job_id")
            .and_then(Value::as_str)
            .or(message_id)
            .unwrap_or_default()
            .to_string(),
        file_name: value.get("file_name").and_then(Value::as_str).unwrap_or_default().to_string(),
        metadata: value.get("metadata").cloned().unwrap_or(Value::Null),
    };
    let job: Job = match serde_json::from_value(value) {
        Ok(job) => job,
        Err(e) => return Err((identity, JobError::Invalid(format!("not a job: {e}")))),
    };
    match (&job.content_base64, &job.url) {
        (Some(_), Some(_)) => Err((identity, JobError::Invalid("both content_base64 and url are set".into()))),
        (None, None) => Err((identity, JobError::Invalid("neither content_base64 nor url is set".into()))),
        _ if job.job_id.is_empty() => Err((identity, JobError::Invalid("job_id is empty".into()))),
        _ => Ok(job),
    }
}

impl Job {
    pub fn identity(&self) -> JobIdentity {
        JobIdentity { job_id: self.job_id.clone(), file_name: self.file_name.clone(), metadata: self.metadata.clone() }
    }
}

/// Where and how documents are fetched.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    /// Largest document accepted, inline or downloaded.
    pub max_bytes: u64,
    /// Canonical directory `file://` URLs must stay inside; `None` refuses all `file://` URLs.
    pub files_root: Option<PathBuf>,
    /// The download client: bound to `policy` (its resolver and redirect policy check every hop).
    pub http: reqwest::Client,
    pub policy: std::sync::Arc<DownloadPolicy>,
    pub download_timeout: Duration,
}

/// A fetch that may succeed if tried again (a download hitting a network error or a 5xx).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct Transient(pub String);

#[derive(Debug, Clone, thiserror::Error)]
pub enum FetchError {
    #[error(transparent)]
    Permanent(#[from] JobError),
    #[error("transient: {0}")]
    Transient(#[from] Transient),
}

impl From<ExtractError> for FetchError {
    fn from(e: ExtractError) -> Self {
        FetchError::Permanent(JobError::Extract(e))
    }
}

fn invalid(message: impl Into<String>) -> FetchError {
    FetchError::Permanent(JobError::Invalid(message.into()))
}

fn too_large(size: u64, limit: u64) -> FetchError {
    ExtractError::TooLarge(format!("the document is {size} bytes, the limit is {limit}")).into()
}

/// The document's bytes.
pub async fn fetch(job: &Job, config: &FetchConfig) -> Result<Vec<u8>, FetchError> {
    if let Some(b64) = &job.content_base64 {
        // Refuse before decoding: base64 is 4 characters per 3 bytes.
        let decoded_len = (b64.len() as u64 / 4) * 3;
        if decoded_len > config.max_bytes + 3 {
            return Err(too_large(decoded_len, config.max_bytes));
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .map_err(|e| invalid(format!("content_base64 is not valid base64: {e}")))?;
        if bytes.len() as u64 > config.max_bytes {
            return Err(too_large(bytes.len() as u64, config.max_bytes));
        }
        return Ok(bytes);
    }
    let url = job.url.as_deref().unwrap_or_default();
    // The url itself is not quoted: a presigned url carries its credentials in the query.
    let parsed = reqwest::Url::parse(url).map_err(|e| invalid(format!("the url does not parse: {e}")))?;
    match parsed.scheme() {
        "file" => read_file_url(&parsed, config).await,
        "http" | "https" => {
            config.policy.check_url(&parsed).map_err(|refusal| invalid(format!("download refused: {refusal}")))?;
            download(parsed, config).await
        }
        other => Err(invalid(format!("url scheme {other:?} is not supported (http, https, file)"))),
    }
}

async fn read_file_url(url: &reqwest::Url, config: &FetchConfig) -> Result<Vec<u8>, FetchError> {
    let Some(root) = &config.files_root else {
        return Err(invalid("file:// urls are refused: the worker was started without --files-root"));
    };
    let path = url.to_file_path().map_err(|()| invalid(format!("{url} is not a local file path")))?;
    let canonical = confine(&path, root)?;
    let meta = tokio::fs::metadata(&canonical)
        .await
        .map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))?;
    if !meta.is_file() {
        return Err(invalid(format!("{} is not a regular file", path.display())));
    }
    if meta.len() > config.max_bytes {
        return Err(too_large(meta.len(), config.max_bytes));
    }
    tokio::fs::read(&canonical)
        .await
        .map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))
}

/// Resolves symlinks and `..` before comparing, so neither can lead outside the root.
fn confine(path: &Path, root: &Path) -> Result<PathBuf, FetchError> {
    let canonical = path
        .canonicalize()
        .map_err(|e| invalid(format!("cannot resolve {}: {e}", path.display())))?;
    if canonical.starts_with(root) {
        Ok(canonical)
    } else {
        Err(invalid(format!("{} is outside --files-root {}", path.display(), root.display())))
    }
}

async fn download(url: reqwest::Url, config: &FetchConfig) -> Result<Vec<u8>, FetchError> {
    let shown = shown_url(&url);
    let mut response = config
        .http
        .get(url)
        .timeout(config.download_timeout)
        .send()
        .await
        .map_err(|e| match refusal_in(&e) {
            // The policy stopped a redirect or refused every address the host resolved to.
            Some(refusal) => invalid(format!("download refused: {refusal}")),
            None => Transient(format!("downloading {shown}: {}", without_url(e))).into(),
        })?;
    let status = response.status();
    if status.is_server_error() || status.as_u16() == 408 || status.as_u16() == 429 {
        return Err(Transient(format!("downloading {shown}: HTTP {status}")).into());
    }
    if !status.is_success() {
        return Err(invalid(format!("downloading {shown}: HTTP {status}")));
    }
    if let Some(len) = response.content_length() {
        if len > config.max_bytes {
            return Err(too_large(len, config.max_bytes));
        }
    }
    // Count while streaming: Content-Length can be absent or wrong.
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| Transient(format!("downloading {shown}: {}", without_url(e))))?
    {
        if (bytes.len() + chunk.len()) as u64 > config.max_bytes {
            return Err(too_large((bytes.len() + chunk.len()) as u64, config.max_bytes));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// reqwest's error text names the full URL (query included); the caller names the shown form.
fn without_url(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Downloads from loopback allowed: the test servers listen there.
    fn config(root: Option<PathBuf>) -> FetchConfig {
        let policy = std::sync::Arc::new(DownloadPolicy::new(&["127.0.0.1".into()], true, &[]).unwrap());
        FetchConfig {
            max_bytes: 16,
            files_root: root,
            http: super::super::egress::download_client(policy.clone(), Duration::from_secs(5), Duration::from_secs(5))
                .unwrap(),
            policy,
            download_timeout: Duration::from_secs(5),
        }
    }

    #[test]
    fn parses_jobs_and_keeps_identity_of_bad_ones() {
        let job = parse(br#"{"job_id":"j1","file_name":"a.pdf","content_base64":"JVBERg==","metadata":{"year":2021}}"#, None)
            .unwrap();
        assert_eq!(job.job_id, "j1");
        assert_eq!(job.metadata["year"], 2021);

        let (identity, err) = parse(br#"{"job_id":"j2","file_name":"b.pdf"}"#, None).unwrap_err();
        assert_eq!(identity.job_id, "j2");
        assert_eq!(identity.file_name, "b.pdf");
        assert_eq!(err.code(), "invalid_job");

        let (identity, err) = parse(b"not json", Some("m-7")).unwrap_err();
        assert_eq!(identity.job_id, "m-7");
        assert_eq!(err.code(), "invalid_job");

        let both = br#"{"job_id":"j3","file_name":"c","content_base64":"","url":"http://x"}"#;
        assert_eq!(parse(both, None).unwrap_err().1.code(), "invalid_job");
    }

    #[tokio::test]
    async fn inline_content_respects_the_size_limit() {
        let mut job = parse(br#"{"job_id":"j","file_name":"a","content_base64":"aGVsbG8="}"#, None).unwrap();
        assert_eq!(fetch(&job, &config(None)).await.unwrap(), b"hello");
        job.content_base64 = Some(base64::engine::general_purpose::STANDARD.encode([0u8; 40]));
        match fetch(&job, &config(None)).await {
            Err(FetchError::Permanent(e)) => assert_eq!(e.code(), "too_large"),
            other => panic!("expected too_large, got {other:?}"),
        }
        job.content_base64 = Some("@@@".into());
        match fetch(&job, &config(None)).await {
            Err(FetchError::Permanent(e)) => assert_eq!(e.code(), "invalid_job"),
            other => panic!("expected invalid_job, got {other:?}"),
        }
    }

    /// A real HTTP server on loopback: `/doc` (the bytes), `/big` (over the limit, no
    /// Content-Length: streamed), `/missing` (404), `/down` (503).
    async fn document_server() -> String {
        use axum::body::Body;
        use axum::http::StatusCode;
        use axum::routing::get;
        let app = axum::Router::new()
            .route("/doc", get(|| async { "%PDF-1.7 ok" }))
            .route(
                "/big",
                get(|| async {
                    let chunks = (0..8).map(|_| Ok::<_, std::io::Error>(vec![b'x'; 8]));
                    Body::from_stream(futures_util::stream::iter(chunks))
                }),
            )
            .route("/missing", get(|| async { StatusCode::NOT_FOUND }))
            .route("/down", get(|| async { StatusCode::SERVICE_UNAVAILABLE }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{addr}")
    }

    #[tokio::test]
    async fn downloads_classify_errors_and_respect_the_size_limit() {
        let base = document_server().await;
        let job = |path: &str| Job {
            job_id: "j".into(),
            file_name: "x.pdf".into(),
            content_base64: None,
            url: Some(format!("{base}{path}")),
            metadata: Value::Null,
        };
        assert_eq!(fetch(&job("/doc"), &config(None)).await.unwrap(), b"%PDF-1.7 ok");
        match fetch(&job("/big"), &config(None)).await {
            Err(FetchError::Permanent(e)) => assert_eq!(e.code(), "too_large"),
            other => panic!("expected too_large, got {other:?}"),
        }
        assert!(matches!(fetch(&job("/missing"), &config(None)).await, Err(FetchError::Permanent(JobError::Invalid(_)))));
        assert!(matches!(fetch(&job("/down"), &config(None)).await, Err(FetchError::Transient(_))));
    }

    #[tokio::test]
    async fn file_urls_stay_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(root.join("in.pdf"), b"inside").unwrap();
        std::fs::write(dir.path().join("out.pdf"), b"outside").unwrap();
        let root = root.canonicalize().unwrap();
        let job_for = |path: &Path| Job {
            job_id: "j".into(),
            file_name: "x".into(),
            content_base64: None,
            url: Some(reqwest::Url::from_file_path(path).unwrap().to_string()),
            metadata: Value::Null,
        };
        let inside = job_for(&root.join("in.pdf"));
        assert_eq!(fetch(&inside, &config(Some(root.clone()))).await.unwrap(), b"inside");
        // Without --files-root every file:// url is refused.
        assert!(matches!(fetch(&inside, &config(None)).await, Err(FetchError::Permanent(JobError::Invalid(_)))));
        // `..` out of the root.
        let escape = Job { url: Some(format!("file://{}/../out.pdf", root.display())), ..inside.clone() };
        assert!(matches!(fetch(&escape, &config(Some(root.clone()))).await, Err(FetchError::Permanent(JobError::Invalid(_)))));
        // A symlink inside the root pointing out of it.
        std::os::unix::fs::symlink(dir.path().join("out.pdf"), root.join("link.pdf")).unwrap();
        let link = job_for(&root.join("link.pdf"));
        assert!(matches!(fetch(&link, &config(Some(root.clone()))).await, Err(FetchError::Permanent(JobError::Invalid(_)))));
        let ftp = Job { url: Some("ftp://example.org/a.pdf".into()), ..inside };
        assert!(matches!(fetch(&ftp, &config(Some(root))).await, Err(FetchError::Permanent(JobError::Invalid(_)))));
    }
}
