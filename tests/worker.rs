//! The worker, the enqueuer and the sink together against a real RabbitMQ (started by `.ci/run`,
//! or by hand: `bash deploy/rabbitmq-local.sh start`). The harness is tests/common/broker.rs.
//!
//! Each job must end up exactly once at the API, as an extraction (keyed `<sha256>:1`) or as a
//! failure with its code. The documents are tests/fixtures/worker (see its README): four small
//! hand-made ones that extract, and broken files that must fail with known codes.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use common::broker::{amqp_url, fixture, fixtures, metric, rabbitmqctl, wait_until, BrokerLock, Harness, BIN, LIMIT};

fn sha256_file(path: &Path) -> String {
    yusuan::sha256_hex(&std::fs::read(path).unwrap())
}

/// (ready, unacknowledged) messages of a queue, from the broker itself.
fn queue_counts(queue: &str) -> (u64, u64) {
    let out = Command::new("rabbitmqctl")
        .args(["list_queues", "-q", "--no-table-headers", "name", "messages_ready", "messages_unacknowledged"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for line in text.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.len() == 3 && cols[0] == queue {
            return (cols[1].parse().unwrap(), cols[2].parse().unwrap());
        }
    }
    panic!("queue {queue} not listed by rabbitmqctl: {text}");
}

/// Each file exactly once; extractions keyed by the file's content; failures carry its sha256
/// when the bytes were read.
fn assert_each_once(arrivals: &[(String, &'static str, Value)], files: &[PathBuf]) -> HashMap<String, (String, Value)> {
    let mut by_name: HashMap<String, (String, Value)> = HashMap::new();
    for (name, kind, row) in arrivals {
        let previous = by_name.insert(name.clone(), (kind.to_string(), row.clone()));
        assert!(previous.is_none(), "{name} arrived twice: {arrivals:?}");
    }
    assert_eq!(by_name.len(), files.len(), "arrivals: {arrivals:?}");
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let (kind, row) = by_name.get(&name).unwrap_or_else(|| panic!("{name} never arrived"));
        let sha = sha256_file(file);
        if kind == "extraction" {
            assert_eq!(row["idempotency_key"], format!("{sha}:1"));
        } else {
            // Only a document refused before its bytes were read (too large to fetch, or not
            // fetchable at all) has no sha256.
            let unread = matches!(row["code"].as_str(), Some("too_large" | "invalid_job")) && row["sha256"].is_null();
            if !unread {
                assert_eq!(row["sha256"], sha, "failure of {name}");
            }
            assert!(!row["code"].as_str().unwrap().is_empty());
        }
    }
    by_name
}

/// These tests need jobs held mid-way while the API answers 503 (retrying in their slot), so the
/// breaker, which would give them back and pause, is set out of reach. The breaker itself is
/// tested in tests/worker_outage.rs.
const HOLD_THROUGH_OUTAGE: &[&str] = &["--breaker-failures", "1000000"];

fn documents() -> Vec<PathBuf> {
    ["project_a.docx", "project_a.pdf", "project_b.docx", "project_b.pdf"].iter().map(|n| fixture(n)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn happy_path_every_document_arrives_once() {
    let _shared = BrokerLock::shared().await;
    let mut h = Harness::new("happy").await;
    // The same content under another name is enqueued once.
    let copy = h.dir.path().join("copy_of_a.pdf");
    std::fs::copy(fixture("project_a.pdf"), &copy).unwrap();
    let docs = documents();
    let mut paths: Vec<&Path> = docs.iter().map(PathBuf::as_path).collect();
    paths.push(&copy);
    let summary = h.enqueue(&paths, &["--metadata", "year=2021", "--metadata", "region=测试"]);
    assert!(summary.contains("enqueued 4 job(s)"), "{summary}");
    assert!(summary.contains("1 duplicate(s) skipped"), "{summary}");

    h.start_worker(&["--concurrency", "1"], &[]);
    h.start_worker(&["--concurrency", "1"], &[]);
    let arrivals = h.wait_for_arrivals(4, LIMIT).await;
    let by_name = assert_each_once(&arrivals, &docs);
    for (name, (kind, row)) in &by_name {
        assert_eq!(kind, "extraction", "{name}: {row}");
        assert_eq!(row["metadata"]["year"], "2021");
        assert_eq!(row["metadata"]["region"], "测试");
        // Hand-made fixtures: each holds one table (a 绩效目标表 in project_a, a 科目 table with
        // two 科目 rows in project_b).
        assert_eq!(row["tables"], 1, "{name}");
        if name.starts_with("project_b") {
            assert_eq!(row["records"], 2, "{name}");
        }
        // The stored body is the job's extraction document.
        let stored = h.get(&format!("/extractions/{}", row["id"])).await;
        let format = if name.ends_with(".pdf") { "pdf" } else { "docx" };
        assert_eq!(stored["extraction"]["source"]["format"], format);
        assert_eq!(stored["extraction"]["source"]["file_name"], name.as_str());
        assert_eq!(stored["extraction"]["schema_version"], "1");
    }
    // Nothing arrives late: no job was in flight twice.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(h.arrivals().await.len(), 4);

    let mut finished = 0.0;
    for n in 0..2 {
        assert_eq!(h.probe(n, "/healthz").await, (200, "ok\n".to_string()));
        assert_eq!(h.probe(n, "/readyz").await, (200, "ok\n".to_string()));
        let m = h.metrics(n).await;
        finished += metric(&m, "yusuan_jobs_total");
        assert_eq!(metric(&m, "yusuan_jobs_in_flight"), 0.0);
        assert_eq!(metric(&m, "yusuan_broker_connected"), 1.0);
    }
    assert_eq!(finished, 4.0);
    h.assert_queue_drained().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_job_redelivers_and_loses_nothing() {
    let _shared = BrokerLock::shared().await;
    let mut h = Harness::new("kill9").await;
    // The API is down, so the worker holds the job mid-way (extracted, retrying the POST).
    h.sink.fail_next(1_000_000);
    let doc = fixture("project_b.docx");
    h.enqueue(&[&doc], &[]);
    h.start_worker(HOLD_THROUGH_OUTAGE, &[]);
    assert!(wait_until(LIMIT, || async { (h.answered_503().await >= 2).then_some(()) }).await.is_some());
    assert_eq!(h.ready().await, 0, "the job is with the worker");
    h.kill9(0);
    // It was not acknowledged: the broker gives it back as soon as the connection dies.
    h.wait_ready(1).await;
    assert!(h.arrivals().await.is_empty());

    h.sink.fail_next(0);
    h.start_worker(&[], &[]);
    let arrivals = h.wait_for_arrivals(1, LIMIT).await;
    assert_each_once(&arrivals, &[doc]);
    assert!(h.log(1).contains("redelivered=true"), "the second worker got a redelivery");
    h.assert_queue_drained().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_outage_is_retried_and_nothing_is_acked_early() {
    let _shared = BrokerLock::shared().await;
    let mut h = Harness::new("outage").await;
    h.sink.fail_next(1_000_000);
    let docs = vec![fixture("project_a.docx"), fixture("project_b.pdf")];
    h.enqueue(&[&docs[0], &docs[1]], &[]);
    h.start_worker(&["--concurrency", "2", HOLD_THROUGH_OUTAGE[0], HOLD_THROUGH_OUTAGE[1]], &[]);
    // While the API answers 503 both jobs stay unacknowledged at the broker. The broker's
    // unacked figure lags up to 5 s, so it is read after the outage has lasted longer than that.
    assert!(wait_until(LIMIT, || async { (h.answered_503().await >= 2).then_some(()) }).await.is_some());
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert_eq!(queue_counts(&h.queue), (0, 2), "both jobs delivered and not acknowledged");
    assert!(h.arrivals().await.is_empty());
    assert!(h.answered_503().await >= 8, "the worker kept retrying");
    h.sink.fail_next(0);

    let arrivals = h.wait_for_arrivals(2, LIMIT).await;
    assert_each_once(&arrivals, &docs);
    let outage = h.answered_503().await;
    let m = h.metrics(0).await;
    // Every 503 was followed by a retry, none was taken as an answer.
    assert_eq!(metric(&m, "yusuan_retries_total"), outage as f64, "{m}");
    assert_eq!(metric(&m, "yusuan_jobs_total"), 2.0);
    // Backoff: 8 retries over two jobs starting at 50 ms and doubling (jitter at most halves a
    // delay) cannot take less than 0.75 s in total.
    let waited = metric(&m, "yusuan_publish_duration_seconds_sum");
    assert!(waited > 0.7, "retries were spaced out: {waited}");
    h.assert_queue_drained().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrupt_file_is_reported_dead_lettered_and_the_next_job_runs() {
    let _shared = BrokerLock::shared().await;
    let mut h = Harness::new("corrupt").await;
    let bad = fixture("not_a_document.pdf");
    let cut = fixture("corrupt.pdf");
    let good = fixture("project_b.docx");
    h.enqueue(&[&bad, &cut, &good], &["--metadata", "upload=42"]);
    h.start_worker(&["--concurrency", "1"], &[]);
    let arrivals = h.wait_for_arrivals(3, LIMIT).await;
    let by_name = assert_each_once(&arrivals, &[bad.clone(), cut, good]);
    let (kind, row) = &by_name["not_a_document.pdf"];
    assert_eq!(kind, "failure");
    assert_eq!(row["code"], "not_a_document");
    assert_eq!(row["metadata"]["upload"], "42");
    let (kind, row) = &by_name["corrupt.pdf"];
    assert_eq!(kind, "failure");
    assert_eq!(row["code"], "truncated", "a PDF cut short after its first object");
    // The job after the bad ones was processed normally.
    assert_eq!(by_name["project_b.docx"].0, "extraction");

    // The dead-letter queue holds the job with its code.
    let mut codes = HashMap::new();
    for (file_name, headers) in h.dead_letters().await {
        let code = match headers.inner().get("x-yusuan-error-code") {
            Some(lapin::types::AMQPValue::LongString(s)) => String::from_utf8_lossy(s.as_bytes()).into_owned(),
            other => panic!("dead-lettered without a code header: {other:?}"),
        };
        codes.insert(file_name, code);
    }
    assert_eq!(codes.get("not_a_document.pdf").map(String::as_str), Some("not_a_document"));
    assert_eq!(codes.get("corrupt.pdf").map(String::as_str), Some("truncated"));
    // Only failed jobs are dead-lettered.
    assert_eq!(codes.len(), 2, "{codes:?}");
    // The worker carried on.
    assert!(h.workers[0].child.try_wait().unwrap().is_none());
    h.assert_queue_drained().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broker_restart_during_a_run_reconnects_and_finishes() {
    let _exclusive = BrokerLock::exclusive().await;
    let mut h = Harness::new("restart").await;
    let docs = documents();
    let paths: Vec<&Path> = docs.iter().map(PathBuf::as_path).collect();
    // Keep the jobs in flight while the broker goes away.
    h.sink.fail_next(1_000_000);
    h.enqueue(&paths, &[]);
    h.start_worker(&["--concurrency", "2", HOLD_THROUGH_OUTAGE[0], HOLD_THROUGH_OUTAGE[1]], &[]);
    assert!(wait_until(LIMIT, || async { (h.answered_503().await >= 2).then_some(()) }).await.is_some());

    rabbitmqctl(&["stop_app"]);
    // The API comes back while the broker is away; jobs of the lost connection must not be acked
    // (they cannot be) and must be redone after the reconnect.
    h.sink.fail_next(0);
    // The worker notices: not ready, but alive.
    let noticed = wait_until(Duration::from_secs(10), || async { (h.probe(0, "/readyz").await.0 == 503).then_some(()) }).await;
    assert!(noticed.is_some(), "readiness reflects the lost broker");
    assert_eq!(h.probe(0, "/healthz").await.0, 200);
    tokio::time::sleep(Duration::from_secs(1)).await;
    rabbitmqctl(&["start_app"]);
    rabbitmqctl(&["await_startup"]);

    let arrivals = h.wait_for_arrivals(4, LIMIT).await;
    assert_each_once(&arrivals, &docs);
    let m = h.metrics(0).await;
    assert!(metric(&m, "yusuan_broker_connections_total") >= 2.0, "{m}");
    assert_eq!(metric(&m, "yusuan_broker_connected"), 1.0);
    // The jobs it abandoned with the lost connection came back to it: not the documents' doing,
    // so no worker loss was counted against them.
    assert!(h.log(0).contains("not counted as a lost worker"), "{}", h.log(0));
    assert!(h.workers[0].child.try_wait().unwrap().is_none(), "the worker survived");
    h.assert_queue_drained().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_returns_unfinished_jobs_and_exits_within_the_drain_timeout() {
    let _shared = BrokerLock::shared().await;
    let mut h = Harness::new("sigterm").await;
    h.sink.fail_next(1_000_000);
    h.enqueue(&[&fixture("project_a.pdf")], &[]);
    h.start_worker(&["--drain-timeout-secs", "2", HOLD_THROUGH_OUTAGE[0], HOLD_THROUGH_OUTAGE[1]], &[]);
    assert!(wait_until(LIMIT, || async { (h.answered_503().await >= 1).then_some(()) }).await.is_some());
    let addr = h.metrics_addr(0).await;
    let started = Instant::now();
    h.signal(0, "-TERM");
    // While draining the worker tells its orchestrator it is not ready, but still alive.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let ready = h.http.get(format!("http://{addr}/readyz")).send().await.unwrap();
    assert_eq!(ready.status().as_u16(), 503);
    assert_eq!(ready.text().await.unwrap(), "draining\n");
    let alive = h.http.get(format!("http://{addr}/healthz")).send().await.unwrap();
    assert_eq!(alive.status().as_u16(), 200);
    let status = wait_until(Duration::from_secs(15), || {
        let done = h.workers[0].child.try_wait().unwrap();
        async move { done }
    })
    .await
    .expect("the worker exits after SIGTERM");
    let took = started.elapsed();
    assert!(status.success(), "exit status {status:?}");
    assert!(took >= Duration::from_millis(1800), "it waited for the in-flight job: {took:?}");
    assert!(took < Duration::from_secs(8), "it exited soon after the 2 s drain timeout: {took:?}");
    // The job is back on the queue, not lost and not acked.
    h.wait_ready(1).await;
    assert!(h.arrivals().await.is_empty());
    assert!(h.log(0).contains("drain timeout"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_in_flight_jobs_finish() {
    let _shared = BrokerLock::shared().await;
    let mut h = Harness::new("drain").await;
    h.sink.fail_next(1_000_000);
    let doc = fixture("project_a.docx");
    h.enqueue(&[&doc], &[]);
    h.start_worker(&["--drain-timeout-secs", "30", HOLD_THROUGH_OUTAGE[0], HOLD_THROUGH_OUTAGE[1]], &[]);
    assert!(wait_until(LIMIT, || async { (h.answered_503().await >= 1).then_some(()) }).await.is_some());
    h.signal(0, "-INT");
    // The API recovers during the drain: the job completes and is acked before the worker exits.
    tokio::time::sleep(Duration::from_millis(300)).await;
    h.sink.fail_next(0);
    let status = wait_until(Duration::from_secs(20), || {
        let done = h.workers[0].child.try_wait().unwrap();
        async move { done }
    })
    .await
    .expect("the worker exits after SIGINT");
    assert!(status.success());
    assert_each_once(&h.arrivals().await, &[doc]);
    assert!(h.log(0).contains("drained: all in-flight jobs finished"));
    h.assert_queue_drained().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_rejection_is_reported_and_dead_lettered() {
    let _shared = BrokerLock::shared().await;
    let mut h = Harness::new("rejected").await;
    // The first extraction posted is refused with a 422: not retried, reported as `rejected`.
    h.sink.reject_next(1);
    let docs = documents();
    let paths: Vec<&Path> = docs.iter().map(PathBuf::as_path).collect();
    h.enqueue(&paths, &[]);
    h.start_worker(&["--concurrency", "1"], &[]);
    let arrivals = h.wait_for_arrivals(docs.len(), LIMIT).await;
    let by_name = assert_each_once(&arrivals, &docs);
    // All four fixtures extract; exactly the first one posted was rejected, the others accepted.
    let rejected: Vec<&String> = by_name.iter().filter(|(_, (_, row))| row["code"] == "rejected").map(|(n, _)| n).collect();
    let extracted = by_name.values().filter(|(kind, _)| kind == "extraction").count();
    assert_eq!((rejected.len(), extracted), (1, 3), "{by_name:?}");
    assert!(by_name[rejected[0].as_str()].1["message"].as_str().unwrap().contains("422"));
    let m = h.metrics(0).await;
    assert_eq!(metric(&m, "yusuan_job_failures_total{code=\"rejected\"}"), 1.0, "{m}");
    assert_eq!(metric(&m, "yusuan_retries_total"), 0.0, "a 422 is not retried");
    h.assert_queue_drained().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_by_reference_are_read_only_inside_the_files_root() {
    let _shared = BrokerLock::shared().await;
    let mut h = Harness::new("byref").await;
    let root = h.dir.path().join("uploads");
    std::fs::create_dir(&root).unwrap();
    let inside = root.join("inside.docx");
    std::fs::copy(fixture("project_b.docx"), &inside).unwrap();
    // Outside the root: a job pointing at it must not be read.
    let outside = h.dir.path().join("outside.pdf");
    std::fs::copy(fixture("project_b.pdf"), &outside).unwrap();
    h.enqueue(&[&inside, &outside], &["--by-reference"]);
    h.start_worker(&["--files-root", root.to_str().unwrap()], &[]);
    let arrivals = h.wait_for_arrivals(2, LIMIT).await;
    let mut by_name = HashMap::new();
    for (name, kind, row) in arrivals {
        assert!(by_name.insert(name, (kind, row)).is_none());
    }
    let (kind, row) = &by_name["outside.pdf"];
    assert_eq!(*kind, "failure");
    assert_eq!(row["code"], "invalid_job");
    assert_eq!(row["sha256"], Value::Null, "the bytes were never read");
    assert!(row["message"].as_str().unwrap().contains("outside --files-root"), "{row}");
    // The file inside was read and extracted.
    let (kind, row) = &by_name["inside.docx"];
    assert_eq!(*kind, "extraction", "{row}");
    assert_eq!(row["idempotency_key"], format!("{}:1", sha256_file(&inside)));
    h.assert_queue_drained().await;
}

#[test]
fn enqueue_dry_run_lists_jobs_without_a_broker() {
    // Port 1 has no broker: a dry run must not try to connect.
    let out = Command::new(BIN)
        .args(["enqueue", "--dry-run", "--amqp-url", "amqp://127.0.0.1:1/%2f", "--queue", "unused"])
        .arg(fixtures())
        .arg(fixture("project_a.pdf"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // 7 documents in the fixtures directory; project_a.pdf named again is a duplicate.
    assert!(stderr.contains("would enqueue 7 job(s)"), "{stderr}");
    assert!(stderr.contains("1 duplicate(s) skipped"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_end_jobs_as_timeout_and_too_large_failures() {
    let _shared = BrokerLock::shared().await;
    let docs = vec![fixture("project_a.pdf"), fixture("project_b.docx")];
    let paths: Vec<&Path> = docs.iter().map(PathBuf::as_path).collect();
    for (flags, code) in [(["--timeout-secs", "0"], "timeout"), (["--max-download-mb", "0"], "too_large")] {
        let mut h = Harness::new(code).await;
        h.enqueue(&paths, &[]);
        h.start_worker(&flags, &[]);
        let arrivals = h.wait_for_arrivals(2, LIMIT).await;
        let by_name = assert_each_once(&arrivals, &docs);
        for (name, (kind, row)) in &by_name {
            assert_eq!((kind.as_str(), row["code"].as_str().unwrap()), ("failure", code), "{name}: {row}");
        }
        let m = h.metrics(0).await;
        assert_eq!(metric(&m, &format!("yusuan_job_failures_total{{code=\"{code}\"}}")), 2.0, "{m}");
        h.assert_queue_drained().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_that_are_not_jobs_are_reported_as_invalid_job() {
    let _shared = BrokerLock::shared().await;
    let mut h = Harness::new("invalid").await;
    // Declare the topology the way the worker does, then publish messages no enqueuer would.
    h.enqueue(&[&fixture("project_a.docx")], &[]);
    let connection = lapin::Connection::connect(&amqp_url(), Default::default()).await.unwrap();
    let channel = connection.create_channel().await.unwrap();
    let bodies: [(&[u8], Option<&str>); 3] = [
        (b"not json at all", None),
        (b"{\"file_name\": \"no-id.pdf\"}", None),
        (b"{\"job_id\": \"j-both\", \"file_name\": \"x.pdf\", \"content_base64\": \"\", \"url\": \"http://x/\"}", Some("m-3")),
    ];
    for (body, message_id) in bodies {
        let mut properties = lapin::BasicProperties::default();
        if let Some(id) = message_id {
            properties = properties.with_message_id(id.into());
        }
        channel
            .basic_publish("".into(), h.queue.as_str().into(), Default::default(), body, properties)
            .await
            .unwrap();
    }
    h.start_worker(&[], &[]);
    let arrivals = h.wait_for_arrivals(4, LIMIT).await;
    let invalid: Vec<&Value> =
        arrivals.iter().filter(|(_, _, row)| row["code"] == "invalid_job").map(|(_, _, row)| row).collect();
    assert_eq!(invalid.len(), 3, "each bad message is its own failure: {arrivals:?}");
    assert!(invalid.iter().all(|row| row["sha256"].is_null()));
    assert!(invalid.iter().any(|row| row["job_id"] == "j-both"));
    assert!(invalid.iter().any(|row| row["file_name"] == "no-id.pdf"));
    // The real job among them was extracted as usual.
    assert!(arrivals.iter().any(|(name, kind, _)| name == "project_a.docx" && *kind == "extraction"));
    let _ = connection.close(200, "".into()).await;
    h.assert_queue_drained().await;
}

/// Sets the broker's memory high watermark for a test and puts the previous value back when
/// dropped (also when the test fails): a watermark of 0 blocks every publisher on the node.
struct MemoryAlarm(String);

impl MemoryAlarm {
    fn raise() -> MemoryAlarm {
        let previous = rabbitmqctl(&["eval", "vm_memory_monitor:get_vm_memory_high_watermark()."]);
        assert!(previous.parse::<f64>().is_ok(), "current watermark: {previous:?}");
        rabbitmqctl(&["set_vm_memory_high_watermark", "0"]);
        MemoryAlarm(previous)
    }
}

impl Drop for MemoryAlarm {
    fn drop(&mut self) {
        let _ = Command::new("rabbitmqctl").args(["set_vm_memory_high_watermark", &self.0]).output();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enqueue_survives_a_broker_restart_and_publishes_every_job() {
    let _exclusive = BrokerLock::exclusive().await;
    let h = Harness::new("enqrestart").await;
    // Declare the topology first, so that the blocked run below only waits on its publishes.
    h.enqueue(&[&fixture("project_a.docx")], &["--confirm-window", "1"]);
    let docs = documents();
    let alarm = MemoryAlarm::raise();
    // With the node refusing to accept messages the enqueuer is stuck on its first confirm; the
    // broker then restarts under it.
    let mut enqueue = Command::new(BIN)
        .args(["enqueue", "--queue", &h.queue, "--amqp-url", &amqp_url(), "--confirm-window", "1"])
        .args(&docs[1..])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(enqueue.try_wait().unwrap().is_none(), "the enqueuer waits for its confirms");
    rabbitmqctl(&["stop_app"]);
    tokio::time::sleep(Duration::from_secs(1)).await;
    rabbitmqctl(&["start_app"]);
    rabbitmqctl(&["await_startup"]);
    drop(alarm);

    let status = wait_until(LIMIT, || {
        let done = enqueue.try_wait().unwrap();
        async move { done }
    })
    .await
    .expect("the enqueuer finishes after the restart");
    let mut stderr = String::new();
    std::io::Read::read_to_string(enqueue.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "{stderr}");
    assert!(stderr.contains("enqueued 3 job(s)"), "{stderr}");
    assert!(stderr.contains("publishing 1 job(s) again"), "it noticed and republished: {stderr}");

    // Every job is in the queue, once per file (a job whose confirm alone was lost could be there
    // twice under the same job id; with the node blocked nothing was accepted before the restart).
    let connection = lapin::Connection::connect(&amqp_url(), Default::default()).await.unwrap();
    let channel = connection.create_channel().await.unwrap();
    let mut names = Vec::new();
    while let Some(message) = channel
        .basic_get(h.queue.as_str().into(), lapin::options::BasicGetOptions { no_ack: true })
        .await
        .unwrap()
    {
        let job: Value = serde_json::from_slice(&message.delivery.data).unwrap();
        names.push(job["file_name"].as_str().unwrap().to_string());
    }
    names.sort();
    assert_eq!(names, ["project_a.docx", "project_a.pdf", "project_b.docx", "project_b.pdf"]);
}

/// An XLSX workbook goes the same way as a PDF or a DOCX: found by `enqueue` in a directory,
/// extracted by the worker, stored by the sink with `source.format` "xlsx".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xlsx_workbook_is_enqueued_extracted_and_delivered() {
    let _shared = BrokerLock::shared().await;
    let mut h = Harness::new("xlsx").await;
    let folder = h.dir.path().join("workbooks");
    std::fs::create_dir_all(&folder).unwrap();
    let workbook = folder.join("tongnan_2021.xlsx");
    std::fs::copy(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus/chongqing_xlsx/tongnan_2021.xlsx"), &workbook)
        .unwrap();
    std::fs::write(folder.join("notes.txt"), "not a document").unwrap();
    let summary = h.enqueue(&[&folder], &[]);
    assert!(summary.contains("enqueued 1 job(s)"), "{summary}");
    h.start_worker(&["--concurrency", "1"], &[]);
    let arrivals = h.wait_for_arrivals(1, LIMIT).await;
    let by_name = assert_each_once(&arrivals, std::slice::from_ref(&workbook));
    let (kind, row) = &by_name["tongnan_2021.xlsx"];
    assert_eq!(kind, "extraction", "{row}");
    assert_eq!(row["tables"], 14);
    assert_eq!(row["records"], 88);
    let stored = h.get(&format!("/extractions/{}", row["id"])).await;
    assert_eq!(stored["extraction"]["source"]["format"], "xlsx");
    h.assert_queue_drained().await;
}
