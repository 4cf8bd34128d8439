//! Issue 17: what a job's url may make the worker fetch. Real HTTP servers on loopback; the
//! download policy is the one the worker builds from its flags.
//!
//! Loopback stands in for "inside the cluster": a policy that does not admit it must refuse every
//! path to it (literal address, a name resolving to it, a redirect into it), and a policy that
//! admits it (as `--url-allow-cidr 127.0.0.1/32` would) must still re-check each redirect.

mod common;

use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::Value;

use yusuan::worker::egress::{download_client, DownloadPolicy};
use yusuan::worker::job::{fetch, FetchConfig, FetchError, Job, JobError};

use common::broker::{amqps_url, broker_ca, fixture, metric, wait_until, BrokerLock, Harness};

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

// ---- Against the real broker: the worker binary, the sink in this process ----
// The harness is tests/common/broker.rs; it shares the broker with tests/worker.rs.

#[tokio::test]
async fn the_sink_answers_401_without_the_right_token() {
    let dir = tempfile::tempdir().unwrap();
    let sink = yusuan::sink::Sink::start("127.0.0.1:0", &dir.path().join("sink.db"), 0, 1 << 20).await.unwrap();
    sink.set_token(Some("s3cret-token".parse().unwrap()));
    let base = format!("http://{}", sink.addr);
    let http = reqwest::Client::new();
    let body = serde_json::json!({"job_id": "j", "metadata": {}, "file_name": "a.pdf", "sha256": null, "code": "invalid_job", "message": "m"});
    let post = |token: Option<&'static str>| {
        let mut request = http.post(format!("{base}/failures")).header("idempotency-key", "failure:j:invalid_job").json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(post(None).await, 401, "no token");
    assert_eq!(post(Some("s3cret-toke")).await, 401, "a prefix of the token");
    assert_eq!(post(Some("wrong")).await, 401, "a wrong token");
    assert_eq!(http.get(format!("{base}/failures")).send().await.unwrap().status().as_u16(), 401, "listings too");
    assert_eq!(http.get(format!("{base}/healthz")).send().await.unwrap().status().as_u16(), 200, "health is open");
    assert_eq!(sink.answered_401(), 4);
    assert_eq!(post(Some("s3cret-token")).await, 201);
    let stored: Value = http.get(format!("{base}/failures")).bearer_auth("s3cret-token").send().await.unwrap().json().await.unwrap();
    assert_eq!(stored.as_array().unwrap().len(), 1, "only the authorised report was stored");
}

/// A worker with a wrong token pauses: nothing delivered, nothing dead-lettered, every job back in
/// the queue, /readyz and the metrics say why, one error line; restarted with the right token it
/// delivers everything. The token never appears in its log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_credentials_pause_the_worker_and_dead_letter_nothing() {
    const RIGHT: &str = "right-token-5f1c9a";
    const WRONG: &str = "wrong-token-77d0e2";
    let _lock = BrokerLock::shared().await;
    let mut h = Harness::new("auth").await.with_token(RIGHT);
    let docs = [fixture("project_a.pdf"), fixture("project_b.docx"), fixture("corrupt.pdf")];
    let paths: Vec<&std::path::Path> = docs.iter().map(|p| p.as_path()).collect();
    h.enqueue(&paths, &[]);
    // The wrong token by environment, the way the k8s Secret provides it.
    let w = h.start_worker(&["--concurrency", "2"], &[("SINK_TOKEN", WRONG)]);
    let paused = wait_until(Duration::from_secs(60), || async {
        let (status, body) = h.probe(w, "/readyz").await;
        (status == 503 && body.contains("refuses the worker's credentials")).then_some(body)
    })
    .await;
    assert!(paused.is_some(), "the worker did not pause on 401: {:?}", h.probe(w, "/readyz").await);
    // Keep it paused a while: probes go on being refused.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (_, metrics) = h.probe(w, "/metrics").await;
    assert_eq!(metric(&metrics, "yusuan_api_credentials_refused"), 1.0, "{metrics}");
    assert_eq!(metric(&metrics, "yusuan_consumer_paused"), 1.0);
    assert_eq!(metric(&metrics, "yusuan_breaker_pauses_total{reason=\"credentials_refused\"}"), 1.0);
    assert!(metric(&metrics, "yusuan_breaker_probes_total{result=\"refused\"}") >= 1.0, "{metrics}");
    assert_eq!(metric(&metrics, "yusuan_job_failures_total"), 0.0, "no job failed for a 401");
    assert_eq!(h.ready_in(&format!("{}.dead", h.queue)).await, 0, "nothing dead-lettered");
    assert!(h.sink.answered_401() >= 2, "the first POST and at least one probe were refused");
    assert_eq!(h.get("/stats").await["failures"], 0);
    assert_eq!(h.get("/stats").await["extractions"], 0);
    let all_back = wait_until(Duration::from_secs(10), || async { (h.ready().await == 3).then_some(()) }).await;
    assert!(all_back.is_some(), "every job is back in the queue, ready");
    let log = h.log(w);
    let error_lines = log.lines().filter(|l| l.contains("ERROR")).count();
    assert_eq!(error_lines, 1, "one error line per pause (and per minute after): {log}");
    h.stop(w).await;
    assert!(!h.log(w).contains(WRONG), "the token appears in the worker's log");

    // Fixed token, restarted worker: everything is delivered; the broken PDF is a real failure.
    let w2 = h.start_worker(&["--concurrency", "2", "--sink-token", RIGHT], &[]);
    let done = wait_until(Duration::from_secs(60), || async {
        let stats = h.get("/stats").await;
        (stats["extractions"].as_u64().unwrap_or(0) + stats["failures"].as_u64().unwrap_or(0) == 3).then_some(stats)
    })
    .await
    .expect("all three jobs arrive after the token is fixed");
    assert_eq!((done["extractions"].as_u64(), done["failures"].as_u64()), (Some(2), Some(1)), "{done}");
    let failures = h.get("/failures").await;
    assert_eq!(failures[0]["file_name"], "corrupt.pdf");
    assert_ne!(failures[0]["code"], "rejected", "a 401 is never a rejection");
    h.stop(w2).await;
    assert!(!h.log(w2).contains(RIGHT), "the token appears in the worker's log");
    assert_eq!(h.ready().await, 0);
    assert_eq!(h.ready_in(&format!("{}.dead", h.queue)).await, 1, "only the broken PDF is dead-lettered");
}

/// The flags reach the worker: a job for the metadata address and one for a host outside the
/// allowlist fail as `invalid_job` with the reason; an allowed loopback download extracts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_downloads_only_what_the_policy_allows() {
    let _lock = BrokerLock::shared().await;
    let mut h = Harness::new("egress").await;
    let pdf = std::fs::read(fixture("project_a.pdf")).unwrap();
    let app = axum::Router::new().route("/a.pdf", get(move || async move { pdf.clone() }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let w = h.start_worker(&["--url-allow", "127.0.0.1,169.254.169.254", "--url-allow-cidr", "127.0.0.1/32"], &[]);
    // The worker declares the queue once it consumes.
    let consuming = wait_until(Duration::from_secs(30), || async { h.log(w).contains("consuming").then_some(()) }).await;
    assert!(consuming.is_some());
    let job = |id: &str, url: String| serde_json::json!({"job_id": id, "file_name": format!("{id}.pdf"), "url": url, "metadata": {}});
    h.publish(&[
        job("allowed", format!("http://{addr}/a.pdf")),
        job("metadata", "http://169.254.169.254/latest/meta-data/".into()),
        job("elsewhere", "http://files.example.org/a.pdf?X-Amz-Signature=presigned-secret".into()),
    ])
    .await;
    let done = wait_until(Duration::from_secs(60), || async {
        let stats = h.get("/stats").await;
        (stats["extractions"].as_u64().unwrap_or(0) + stats["failures"].as_u64().unwrap_or(0) == 3).then_some(())
    })
    .await;
    assert!(done.is_some(), "{}", h.get("/stats").await);
    let extractions = h.get("/extractions").await;
    assert_eq!(extractions.as_array().unwrap().len(), 1);
    assert_eq!(extractions[0]["job_id"], "allowed");
    let failures = h.get("/failures").await;
    let by_job = |id: &str| failures.as_array().unwrap().iter().find(|f| f["job_id"] == id).cloned().unwrap();
    let metadata = by_job("metadata");
    assert_eq!(metadata["code"], "invalid_job");
    assert!(metadata["message"].as_str().unwrap().contains("link-local"), "{metadata}");
    let elsewhere = by_job("elsewhere");
    assert_eq!(elsewhere["code"], "invalid_job");
    assert!(elsewhere["message"].as_str().unwrap().contains("not in --url-allow"), "{elsewhere}");
    h.stop(w).await;
    assert!(!h.log(w).contains("presigned-secret"), "a presigned url's query reached the log");
    assert!(!failures.to_string().contains("presigned-secret"), "a presigned url's query reached a failure report");
}

// ---- TLS: the broker's own listener, and an https API behind a private CA ----

/// The API's side: a private CA made here and an HTTPS acceptor whose certificate (for
/// `localhost` / 127.0.0.1) it signed. The broker's CA is another one, made by
/// deploy/rabbitmq-local.sh for the node's TLS listener.
struct TestPki {
    ca_pem: String,
    server: tokio_rustls::TlsAcceptor,
}

fn test_pki() -> TestPki {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "yusuan test API CA");
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server_params = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    let server_cert = server_params.signed_by(&server_key, &ca).unwrap();
    let provider = Arc::new(tokio_rustls::rustls::crypto::aws_lc_rs::default_provider());
    let config = tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![server_cert.der().clone(), ca.der().clone()],
            tokio_rustls::rustls::pki_types::PrivateKeyDer::Pkcs8(server_key.serialize_der().into()),
        )
        .unwrap();
    TestPki { ca_pem: ca.pem(), server: tokio_rustls::TlsAcceptor::from(Arc::new(config)) }
}

/// HTTPS in front of the sink on loopback: terminates TLS with the test certificate and forwards
/// the plain bytes to the sink, the way a TLS-terminating ingress would. Returns its port.
async fn https_front(acceptor: tokio_rustls::TlsAcceptor, sink: std::net::SocketAddr) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else { return };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A client that does not trust the CA aborts the handshake: nothing to forward.
                let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                let Ok(mut plain) = tokio::net::TcpStream::connect(sink).await else { return };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    port
}

/// The broker's TLS listener (`amqps_url()`) and the path of the CA that signed its certificate,
/// both from deploy/rabbitmq-local.sh. Checked with a connection of our own first, so that a node
/// without them fails here, saying what to do, rather than as a worker that never delivers.
async fn broker_tls() -> (String, String) {
    const START_IT: &str = "run `bash deploy/rabbitmq-local.sh start` (it restarts a node that runs without TLS)";
    let ca = broker_ca();
    let pem = std::fs::read_to_string(&ca)
        .unwrap_or_else(|e| panic!("no CA for the broker's TLS listener at {}: {e}; {START_IT}", ca.display()));
    let url = amqps_url();
    let tls = lapin::tcp::OwnedTLSConfig { identity: None, cert_chain: Some(pem) };
    let runtime = lapin::runtime::default_runtime().unwrap();
    match lapin::Connection::connect_with_config(&url, Default::default(), tls, runtime).await {
        Ok(connection) => {
            let _ = connection.close(200, "".into()).await;
        }
        Err(e) => panic!("no TLS listener at {url} with a certificate from {}: {e}; {START_IT}", ca.display()),
    }
    (url, ca.to_str().unwrap().to_string())
}

/// The worker's connections as the broker lists them: (ssl, ssl_protocol) of the one named by
/// worker `pid` (the worker names its connections `yusuan-worker-<pid>`).
fn broker_side_tls(pid: u32) -> Option<(String, String)> {
    let listing = common::broker::rabbitmqctl(&["list_connections", "-q", "--no-table-headers", "ssl", "ssl_protocol", "client_properties"]);
    let name = format!("yusuan-worker-{pid}\"");
    listing.lines().find(|l| l.contains(&name)).map(|l| {
        let mut columns = l.split_whitespace();
        (columns.next().unwrap_or_default().to_string(), columns.next().unwrap_or_default().to_string())
    })
}

/// The worker consumes over amqps:// from the broker's own TLS listener, trusting its CA with
/// `--amqp-ca`, and delivers to an https API whose certificate another private CA signed,
/// trusted with `--sink-ca`. Without the API's CA, or without the broker's, it delivers nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amqps_and_https_with_a_private_ca() {
    let _lock = BrokerLock::shared().await;
    let (amqps, broker_ca) = broker_tls().await;
    let pki = test_pki();
    let mut h = Harness::new("tls").await.with_token("tls-token");
    let sink_ca_file = h.dir.path().join("api-ca.pem");
    std::fs::write(&sink_ca_file, &pki.ca_pem).unwrap();
    let sink_ca = sink_ca_file.to_str().unwrap().to_string();
    let https_port = https_front(pki.server.clone(), h.sink.addr).await;
    h.worker_amqp_url = amqps;
    h.base = format!("https://localhost:{https_port}");
    h.http = reqwest::Client::builder()
        .tls_certs_merge(reqwest::Certificate::from_pem_bundle(pki.ca_pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    h.enqueue(&[fixture("project_a.docx")], &[]);
    let consuming = |log: &str| log.contains("consuming queue=");

    // Without the API's CA: TLS to the API fails, the API counts as unavailable, nothing arrives.
    let blind = h.start_worker(&["--amqp-ca", &broker_ca, "--breaker-failures", "2"], &[("SINK_TOKEN", "tls-token")]);
    let paused = wait_until(Duration::from_secs(60), || async {
        let (status, body) = h.readyz(blind).await;
        (status == 503 && body.contains("unavailable")).then_some(body)
    })
    .await;
    assert!(paused.is_some(), "without --sink-ca the https API cannot be trusted: {:?}", h.readyz(blind).await);
    assert!(consuming(&h.log(blind)), "amqps with --amqp-ca connected: {}", h.log(blind));
    assert!(h.log(blind).contains("UnknownIssuer"), "the API's certificate was the problem: {}", h.log(blind));
    assert_eq!(h.get("/stats").await["extractions"], 0);
    h.stop(blind).await;

    // With both CAs: consumed over the broker's TLS listener, delivered over https.
    let w = h.start_worker(&["--amqp-ca", &broker_ca, "--sink-ca", &sink_ca], &[("SINK_TOKEN", "tls-token")]);
    let delivered = wait_until(Duration::from_secs(60), || async {
        (h.get("/stats").await["extractions"].as_u64() == Some(1)).then_some(())
    })
    .await;
    assert!(delivered.is_some(), "{}", h.log(w));
    // The worker counts the job once the broker has its ack, just after the API stored it.
    let counted = wait_until(Duration::from_secs(10), || async {
        let metrics = h.metrics(w).await;
        (metric(&metrics, "yusuan_jobs_total{outcome=\"delivered\"}") == 1.0).then_some(())
    })
    .await;
    assert!(counted.is_some(), "{}", h.metrics(w).await);
    // The broker itself terminates the worker's TLS session.
    let (ssl, protocol) = broker_side_tls(h.workers[w].child.id()).expect("the broker lists the worker's connection");
    assert_eq!(ssl, "true", "the broker sees a TLS connection");
    assert!(protocol.starts_with("tlsv1."), "{protocol}");
    h.stop(w).await;

    // amqps without the broker's CA: the connection is refused (the system roots do not know
    // it), and the job waiting in the queue stays there.
    h.enqueue(&[fixture("project_b.docx")], &[]);
    let untrusting = h.start_worker(&["--sink-ca", &sink_ca], &[("SINK_TOKEN", "tls-token")]);
    let retried = wait_until(Duration::from_secs(30), || async {
        h.log(untrusting).contains("cannot start consuming").then_some(())
    })
    .await;
    assert!(retried.is_some(), "{}", h.log(untrusting));
    assert!(h.log(untrusting).contains("UnknownIssuer"), "the broker's certificate was the problem: {}", h.log(untrusting));
    assert!(!consuming(&h.log(untrusting)), "{}", h.log(untrusting));
    let metrics = h.metrics(untrusting).await;
    assert_eq!(metric(&metrics, "yusuan_broker_connections_total"), 0.0, "{metrics}");
    assert_eq!(h.ready().await, 1, "the second job is still in the queue");
    assert_eq!(h.get("/stats").await["extractions"], 1, "nothing more was delivered");
}
