//! Issue 17: what a job's url may make the worker fetch. Real HTTP servers on loopback; the
//! download policy is the one the worker builds from its flags.
//!
//! Loopback stands in for "inside the cluster": a policy that does not admit it must refuse every
//! path to it (literal address, a name resolving to it, a redirect into it), and a policy that
//! admits it (as `--url-allow-cidr 127.0.0.1/32` would) must still re-check each redirect.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::Value;

use yusuan::worker::egress::{download_client, DownloadPolicy};
use yusuan::worker::job::{fetch, FetchConfig, FetchError, Job, JobError};

/// A document server on loopback. `/doc` answers the bytes; `/to?u=URL` redirects to URL;
/// `/hop/N` redirects to `/hop/N-1` and `/hop/0` to `/doc`.
async fn server() -> String {
    server_on("127.0.0.1").await
}

async fn server_on(ip: &str) -> String {
    let app = axum::Router::new()
        .route("/doc", get(|| async { "%PDF-1.7 document" }))
        .route(
            "/to",
            get(|uri: axum::http::Uri| async move {
                let query = uri.query().unwrap_or_default().as_bytes().to_vec();
                let target = url::form_urlencoded::parse(&query).find(|(k, _)| k == "u").map(|(_, v)| v.into_owned());
                (StatusCode::FOUND, [(header::LOCATION, target.unwrap_or_default())]).into_response()
            }),
        )
        .route(
            "/hop/{n}",
            get(|axum::extract::Path(n): axum::extract::Path<u32>| async move {
                let next = if n == 0 { "/doc".to_string() } else { format!("/hop/{}", n - 1) };
                (StatusCode::FOUND, [(header::LOCATION, next)]).into_response()
            }),
        );
    let listener = tokio::net::TcpListener::bind((ip, 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn config(hosts: &[&str], allow_private: bool, ranges: &[&str]) -> FetchConfig {
    let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let policy = Arc::new(DownloadPolicy::new(&owned(hosts), allow_private, &owned(ranges)).unwrap());
    FetchConfig {
        max_bytes: 1 << 20,
        files_root: None,
        http: download_client(policy.clone(), Duration::from_secs(5), Duration::from_secs(5)).unwrap(),
        policy,
        download_timeout: Duration::from_secs(5),
    }
}

fn job(url: &str) -> Job {
    Job { job_id: "j".into(), file_name: "a.pdf".into(), content_base64: None, url: Some(url.into()), metadata: Value::Null }
}

/// The refusal's text; panics when the fetch was not refused as `invalid_job`.
async fn refused(url: &str, config: &FetchConfig) -> String {
    match fetch(&job(url), config).await {
        Err(FetchError::Permanent(e @ JobError::Invalid(_))) => {
            assert_eq!(e.code(), "invalid_job");
            e.to_string()
        }
        other => panic!("{url}: expected invalid_job, got {other:?}"),
    }
}

#[tokio::test]
async fn nothing_is_downloaded_until_hosts_are_allowed() {
    let base = server().await;
    let reason = refused(&format!("{base}/doc"), &config(&[], true, &[])).await;
    assert!(reason.contains("no --url-allow"), "{reason}");
}

#[tokio::test]
async fn a_host_outside_the_allowlist_is_refused() {
    let base = server().await;
    let reason = refused(&format!("{base}/doc"), &config(&["files.example.org"], true, &[])).await;
    assert!(reason.contains("\"127.0.0.1\" is not in --url-allow"), "{reason}");
    // Allowed, the same url downloads.
    let bytes = fetch(&job(&format!("{base}/doc")), &config(&["127.0.0.1"], true, &[])).await.unwrap();
    assert_eq!(bytes, b"%PDF-1.7 document");
}

#[tokio::test]
async fn non_public_addresses_are_refused_unless_admitted() {
    let base = server().await;
    let any = config(&["*"], false, &[]);
    // Nothing listens at these: were they attempted, the error would be a transient connect error.
    let metadata = refused("http://169.254.169.254/latest/meta-data/iam/", &any).await;
    assert!(metadata.contains("link-local"), "{metadata}");
    let private = refused("http://10.0.0.1/a.pdf", &any).await;
    assert!(private.contains("private"), "{private}");
    let mapped = refused("http://[::ffff:127.0.0.1]/a.pdf", &any).await;
    assert!(mapped.contains("IPv4-mapped"), "{mapped}");
    let ula = refused("http://[fd00::1]/a.pdf", &any).await;
    assert!(ula.contains("unique local"), "{ula}");
    let loopback = refused(&format!("{base}/doc"), &any).await;
    assert!(loopback.contains("loopback"), "{loopback}");
    // A name is checked on the addresses it resolves to, at connect time: `localhost` is allowed
    // as a host, yet every address it resolves to is loopback.
    let port = base.rsplit(':').next().unwrap();
    let by_name = refused(&format!("http://localhost:{port}/doc"), &config(&["localhost"], false, &[])).await;
    assert!(by_name.contains("loopback"), "{by_name}");
    // Admitted by range or by --url-allow-private, the same urls download.
    let ranged = config(&["127.0.0.1", "localhost"], false, &["127.0.0.0/8"]);
    assert_eq!(fetch(&job(&format!("{base}/doc")), &ranged).await.unwrap(), b"%PDF-1.7 document");
    let v4_localhost = format!("http://localhost:{port}/doc");
    // localhost may also resolve to ::1 (not in the range, dropped): the v4 address is used.
    assert_eq!(fetch(&job(&v4_localhost), &ranged).await.unwrap(), b"%PDF-1.7 document");
}

#[tokio::test]
async fn every_redirect_is_checked_again() {
    let base = server().await;
    let port = base.rsplit(':').next().unwrap();
    // Loopback admitted by range only: a redirect from it into another private range is refused.
    let ranged = config(&["*"], false, &["127.0.0.1/32"]);
    let into_private = refused(&format!("{base}/to?u=http://192.168.1.10/admin"), &ranged).await;
    assert!(into_private.contains("redirect to http://192.168.1.10/admin") && into_private.contains("private"), "{into_private}");
    let into_metadata = refused(&format!("{base}/to?u=http://169.254.169.254/"), &ranged).await;
    assert!(into_metadata.contains("link-local"), "{into_metadata}");
    // Into a host outside the allowlist.
    let listed = config(&["127.0.0.1"], false, &["127.0.0.1/32"]);
    let elsewhere = refused(&format!("{base}/to?u=http://internal.svc.cluster.local/"), &listed).await;
    assert!(elsewhere.contains("not in --url-allow"), "{elsewhere}");
    // Into a scheme that is not http(s): reqwest does not follow it at all; the redirect itself
    // is the answer, and a 3xx is no document.
    let scheme = refused(&format!("{base}/to?u=file:///etc/passwd"), &ranged).await;
    assert!(scheme.contains("HTTP 302"), "{scheme}");
    // Into an allowed name that resolves only to refused addresses: caught by the resolver when
    // the redirect is connected. The origin is 127.0.0.2, admitted by its own /32.
    let origin = server_on("127.0.0.2").await;
    let only_origin = config(&["127.0.0.2", "localhost"], false, &["127.0.0.2/32"]);
    let into_name = refused(&format!("{origin}/to?u=http://localhost:{port}/doc"), &only_origin).await;
    assert!(into_name.contains("\"localhost\" is at") && into_name.contains("loopback"), "{into_name}");
    // Five redirects are followed, the sixth is refused.
    assert_eq!(fetch(&job(&format!("{base}/hop/4")), &ranged).await.unwrap(), b"%PDF-1.7 document");
    let too_many = refused(&format!("{base}/hop/5"), &ranged).await;
    assert!(too_many.contains("more than 5 redirects"), "{too_many}");
}

#[tokio::test]
async fn refusals_do_not_quote_the_query_of_presigned_urls() {
    let base = server().await;
    let reason = refused(
        &format!("{base}/to?u=http://10.0.0.1/a.pdf%3FX-Amz-Signature%3Dsecretsig"),
        &config(&["*"], false, &["127.0.0.1/32"]),
    )
    .await;
    assert!(!reason.contains("secretsig"), "{reason}");
    assert!(reason.contains("http://10.0.0.1/a.pdf?…"), "{reason}");
}
