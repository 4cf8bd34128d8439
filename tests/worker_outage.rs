//! Issue 13 against a real RabbitMQ: long API outages and documents that kill workers end with
//! nothing lost and nothing dead-lettered silently.
//!
//! - `compressed_outage_*`: the broker's consumer timeout is cut to 10 s, checked every second
//!   (for the test's length, under the exclusive broker lock, put back afterwards) and the API
//!   answers 503 for 60 s: six timeouts. The job queue allows a single broker return
//!   (`--delivery-limit 1`), so two broker timeouts of one job would dead-letter it.
//! - `without_the_breaker_*`: the same timeout, a breaker that never opens: the hold limit alone
//!   gives the jobs back in time.
//! - `outage_spanning_worker_restarts_*`: SIGTERM of a paused worker, kill -9 of a worker holding
//!   jobs, and a third worker that finishes once the API is back.
//! - `a_document_that_kills_workers_*`: a debug-build fault hook makes the worker abort on one
//!   file, as a crashing library or the OOM killer would; the test restarts workers like a
//!   supervisor does.
//! - `broker_counting_*`: measures what this broker version counts as a delivery attempt, and
//!   checks the two facts the worker relies on whatever the version.
//!
//! Shares the broker with tests/worker.rs through the same flock; the harness is
//! tests/common/broker.rs.

mod common;

use std::collections::HashMap;
use std::os::unix::process::ExitStatusExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicGetOptions, BasicNackOptions, BasicPublishOptions, BasicQosOptions, BasicRejectOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable};
use serde_json::Value;

use common::broker::{amqp_url, fixture, metric, rabbitmqctl, wait_until, BrokerLock, Harness, LIMIT};

/// Sets one of the node's `rabbit` application settings and puts the previous value back when
/// dropped (also when the test fails). Channels read both settings used here when they open.
struct RabbitSetting {
    key: &'static str,
    previous: String,
}

impl RabbitSetting {
    fn set(key: &'static str, value: u64) -> RabbitSetting {
        let previous = rabbitmqctl(&["eval", &format!("application:get_env(rabbit, {key}).")]);
        rabbitmqctl(&["eval", &format!("application:set_env(rabbit, {key}, {value}).")]);
        RabbitSetting { key, previous }
    }
}

impl Drop for RabbitSetting {
    fn drop(&mut self) {
        // `{ok,1800000}` or `undefined`.
        let key = self.key;
        let restore = match self.previous.strip_prefix("{ok,").and_then(|v| v.strip_suffix('}')) {
            Some(value) => format!("application:set_env(rabbit, {key}, {value})."),
            None => format!("application:unset_env(rabbit, {key})."),
        };
        let _ = Command::new("rabbitmqctl").args(["eval", &restore]).output();
    }
}

/// The harness of these tests: the job queue allows a single broker return (`--delivery-limit 1`)
/// and workers retry at their own pace (set per test by flag or environment).
async fn outage_harness(test: &str) -> Harness {
    Harness::new(test).await.with_flags(&["--delivery-limit", "1"], &["--delivery-limit", "1"])
}

/// `n` documents that extract, each with its own content (the enqueuer skips duplicates and the
/// API keys extractions by content): the two fixture PDFs with a PDF comment appended after
/// `%%EOF`, which readers ignore.
fn distinct_documents(dir: &Path, n: usize) -> Vec<PathBuf> {
    (0..n)
        .map(|i| {
            let source = if i % 2 == 0 { "project_a.pdf" } else { "project_b.pdf" };
            let mut bytes = std::fs::read(fixture(source)).unwrap();
            bytes.extend_from_slice(format!("\n% copy {i} for the outage tests\n").as_bytes());
            let path = dir.join(format!("doc_{i}.pdf"));
            std::fs::write(&path, bytes).unwrap();
            path
        })
        .collect()
}

/// Each file arrived exactly once, as an extraction keyed by its content.
fn assert_all_extracted_once(arrivals: &[(String, &'static str, Value)], files: &[PathBuf]) {
    let mut by_name: HashMap<&str, (&str, &Value)> = HashMap::new();
    for (name, kind, row) in arrivals {
        assert!(by_name.insert(name, (kind, row)).is_none(), "{name} arrived twice: {arrivals:?}");
    }
    assert_eq!(by_name.len(), files.len(), "{arrivals:?}");
    for file in files {
        let name = file.file_name().unwrap().to_str().unwrap();
        let (kind, row) = by_name.get(name).unwrap_or_else(|| panic!("{name} never arrived"));
        assert_eq!(*kind, "extraction", "{name}: {row}");
        let sha = yusuan::sha256_hex(&std::fs::read(file).unwrap());
        assert_eq!(row["idempotency_key"], format!("{sha}:1"));
    }
}

/// What the test saw, second by second, for the closing note.
struct Timeline {
    start: Instant,
    events: Vec<(f64, String)>,
}

impl Timeline {
    fn note(&mut self, what: impl Into<String>) {
        let what = what.into();
        eprintln!("[{:6.1}s] {what}", self.start.elapsed().as_secs_f64());
        self.events.push((self.start.elapsed().as_secs_f64(), what));
    }
}

/// A plain consumer that takes one message and never acks it: the broker's consumer timeout
/// closes its channel. Proves the timeout is in force during the test.
async fn hold_one_message_unacked(queue: &str) -> (lapin::Connection, lapin::Channel) {
    let connection = lapin::Connection::connect(&amqp_url(), Default::default()).await.unwrap();
    let channel = connection.create_channel().await.unwrap();
    let mut args = FieldTable::default();
    args.insert("x-queue-type".into(), AMQPValue::LongString("quorum".into()));
    let durable = QueueDeclareOptions { durable: true, ..Default::default() };
    channel.queue_declare(queue.into(), durable, args).await.unwrap();
    channel
        .basic_publish("".into(), queue.into(), BasicPublishOptions::default(), b"held", Default::default())
        .await
        .unwrap()
        .await
        .unwrap();
    channel.basic_qos(1, BasicQosOptions::default()).await.unwrap();
    let mut consumer = channel
        .basic_consume(queue.into(), "control".into(), BasicConsumeOptions::default(), FieldTable::default())
        .await
        .unwrap();
    let first = tokio::time::timeout(Duration::from_secs(10), consumer.next()).await.unwrap();
    assert!(matches!(first, Some(Ok(_))), "the control consumer gets its message");
    // Keep the consumer alive (and its delivery unacked) with the channel.
    tokio::spawn(async move { while consumer.next().await.is_some() {} });
    (connection, channel)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compressed_outage_pauses_probes_resumes_and_loses_nothing() {
    // The consumer timeout is a node-wide setting: no other test may run meanwhile.
    let _exclusive = BrokerLock::exclusive().await;
    // RabbitMQ 3.10 checks consumer timeouts on each channel's tick, once a minute by default:
    // a tick of 1 s makes the 10 s timeout bite at 10 s. (3.12+ also take the queue argument
    // `x-consumer-timeout`; 4.3 cancels the consumer instead of closing the channel.)
    let _timeout = RabbitSetting::set("consumer_timeout", 10_000);
    let _tick = RabbitSetting::set("channel_tick_interval", 1_000);
    let mut h = outage_harness("outage").await;
    let docs = distinct_documents(h.dir.path(), 8);
    h.sink.fail_next(1 << 40);
    h.enqueue(&docs, &[]);
    let control_queue = format!("{}.control", h.queue);
    h.queues.push(control_queue.clone());
    let (_control_connection, control) = hold_one_message_unacked(&control_queue).await;
    let mut t = Timeline { start: Instant::now(), events: Vec::new() };
    let outage = Duration::from_secs(60);
    h.start_worker(
        &["--concurrency", "2", "--consumer-timeout-secs", "10", "--timeout-secs", "2"],
        &[("YUSUAN_RETRY_INITIAL_MS", "200"), ("YUSUAN_RETRY_MAX_SECS", "8")],
    );
    t.note("worker started (concurrency 2, consumer timeout 10 s, delivery limit 1); the API answers 503");

    let (mut paused, mut probes, mut control_closed) = (false, 0.0, false);
    let mut held_while_paused = Vec::new();
    while t.start.elapsed() < outage {
        let (status, body) = h.readyz(0).await;
        let m = h.metrics(0).await;
        let now_paused = metric(&m, "yusuan_consumer_paused") == 1.0;
        if now_paused != paused {
            paused = now_paused;
            if paused {
                t.note(format!(
                    "paused: /readyz {status} {:?}; jobs given back {}",
                    body.trim(),
                    metric(&m, "yusuan_jobs_requeued_total")
                ));
            } else {
                t.note("consuming again (still 503: it pauses again)");
            }
        }
        let now_probes = metric(&m, "yusuan_breaker_probes_total");
        if now_probes > probes {
            probes = now_probes;
            t.note(format!("probe {probes}: still unavailable ({} answers of 503 so far)", h.answered_503().await));
        }
        if paused && status == 503 && t.start.elapsed() > Duration::from_secs(5) {
            // Exact count from the queue leader: all eight ready means the worker holds none.
            held_while_paused.push(8 - h.ready().await);
        }
        if !control_closed && !control.status().connected() {
            control_closed = true;
            t.note("control consumer holding an unacked message: channel closed by the broker (consumer timeout)");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(paused, "the worker is paused at the end of the outage");
    assert!(!held_while_paused.is_empty() && held_while_paused.iter().all(|&n| n == 0), "held while paused: {held_while_paused:?}");
    assert!(control_closed, "the broker enforced the 10 s consumer timeout during the test");

    h.sink.fail_next(0);
    t.note("the API answers 2xx again");
    let mut delivered = 0usize;
    let back = Instant::now();
    while delivered < 8 {
        assert!(back.elapsed() < LIMIT, "only {delivered} of 8 jobs arrived after the outage");
        let m = h.metrics(0).await;
        if paused && metric(&m, "yusuan_consumer_paused") == 0.0 {
            paused = false;
            t.note(format!("resumed after probe {}", metric(&m, "yusuan_breaker_probes_total")));
        }
        let now = h.arrivals().await.len();
        if now > delivered {
            delivered = now;
            t.note(format!("{now} of 8 delivered"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let arrivals = h.arrivals().await;
    assert_all_extracted_once(&arrivals, &docs);
    assert!(h.dead_letters().await.is_empty(), "nothing dead-lettered");
    let m = h.metrics(0).await;
    assert_eq!(metric(&m, "yusuan_jobs_total{outcome=\"delivered\"}"), 8.0, "{m}");
    assert!(metric(&m, "yusuan_breaker_pauses_total") >= 1.0, "{m}");
    assert_eq!(metric(&m, "yusuan_breaker_probes_total{result=\"answered\"}"), metric(&m, "yusuan_breaker_pauses_total"), "{m}");
    assert!(metric(&m, "yusuan_jobs_requeued_total{reason=\"paused\"}") >= 2.0, "the in-flight jobs were given back: {m}");
    // One connection for the whole run: the broker never timed out one of the worker's consumers
    // (3.10 closes the channel then, and the worker would have reconnected).
    assert_eq!(metric(&m, "yusuan_broker_connections_total"), 1.0, "{m}");
    assert!(!h.log(0).contains("broker connection lost"));
    assert_eq!(h.readyz(0).await.0, 200);
    eprintln!(
        "timeline: {} events, {} probes, {} answers of 503 in all",
        t.events.len(),
        metric(&m, "yusuan_breaker_probes_total"),
        h.answered_503().await
    );
    h.assert_queue_drained().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_breaker_the_hold_limit_still_beats_the_consumer_timeout() {
    // A slow or flapping API may never open the breaker; the hold limit alone must then keep
    // every delivery away from the broker's consumer timeout.
    let _exclusive = BrokerLock::exclusive().await;
    let _timeout = RabbitSetting::set("consumer_timeout", 10_000);
    let _tick = RabbitSetting::set("channel_tick_interval", 1_000);
    let mut h = outage_harness("hold").await;
    let docs = distinct_documents(h.dir.path(), 4);
    h.sink.fail_next(1 << 40);
    h.enqueue(&docs, &[]);
    h.start_worker(
        &["--concurrency", "2", "--consumer-timeout-secs", "10", "--timeout-secs", "2", "--breaker-failures", "1000000"],
        &[("YUSUAN_RETRY_INITIAL_MS", "100"), ("YUSUAN_RETRY_MAX_SECS", "1")],
    );
    // 25 s of 503: two and a half consumer timeouts.
    tokio::time::sleep(Duration::from_secs(25)).await;
    let m = h.metrics(0).await;
    // Each job is given back after at most 5 s (half the timeout), so within 25 s at least four.
    assert!(metric(&m, "yusuan_jobs_requeued_total{reason=\"hold_limit\"}") >= 4.0, "{m}");
    assert_eq!(metric(&m, "yusuan_breaker_pauses_total"), 0.0, "{m}");
    h.sink.fail_next(0);
    let arrivals = h.wait_for_arrivals(4, LIMIT).await;
    assert_all_extracted_once(&arrivals, &docs);
    assert!(h.dead_letters().await.is_empty(), "nothing dead-lettered");
    let m = h.metrics(0).await;
    assert_eq!(metric(&m, "yusuan_broker_connections_total"), 1.0, "the broker never timed out a consumer: {m}");
    assert!(!h.log(0).contains("broker connection lost"));
    h.assert_queue_drained().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outage_spanning_worker_restarts_loses_nothing() {
    let _shared = BrokerLock::shared().await;
    let mut h = outage_harness("restart").await;
    let docs = distinct_documents(h.dir.path(), 4);
    h.sink.fail_next(1 << 40);
    h.enqueue(&docs, &[]);
    let pausing = ["--concurrency", "2", "--retry-initial-ms", "50", "--retry-max-secs", "1", "--breaker-failures", "3"];

    // A pauses, holds nothing, and stops at once on SIGTERM.
    h.start_worker(&pausing, &[]);
    h.wait_paused(0).await;
    assert_eq!(h.ready().await, 4, "a paused worker holds no job");
    h.signal(0, "-TERM");
    let status = h.wait_exit(0, Duration::from_secs(10)).await;
    assert!(status.success(), "{status:?}");

    // B never pauses (a threshold it cannot reach) and keeps two jobs while retrying: kill -9. The
    // broker returns both, spending the one return the queue allows (--delivery-limit 1).
    h.start_worker(&["--concurrency", "2", "--retry-initial-ms", "50", "--retry-max-secs", "1", "--breaker-failures", "1000000"], &[]);
    let before = h.answered_503().await;
    let holding = wait_until(LIMIT, || async {
        (h.ready().await == 2 && h.answered_503().await >= before + 4).then_some(())
    })
    .await;
    assert!(holding.is_some(), "B holds two jobs");
    h.workers[1].child.kill().unwrap();
    h.workers[1].child.wait().unwrap();
    let returned = wait_until(Duration::from_secs(30), || async { (h.ready().await == 4).then_some(()) }).await;
    assert!(returned.is_some(), "the broker returned B's jobs");

    // C: the two returned jobs go back as copies counting one lost worker; it pauses again until
    // the API is back, then delivers all four.
    h.start_worker(&pausing, &[]);
    h.wait_paused(2).await;
    h.sink.fail_next(0);
    let arrivals = h.wait_for_arrivals(4, LIMIT).await;
    assert_all_extracted_once(&arrivals, &docs);
    assert!(h.dead_letters().await.is_empty(), "nothing dead-lettered");
    let m = h.metrics(2).await;
    assert_eq!(metric(&m, "yusuan_jobs_requeued_total{reason=\"redelivered\"}"), 2.0, "{m}");
    assert!(metric(&m, "yusuan_breaker_probes_total{result=\"answered\"}") >= 1.0, "{m}");
    assert!(h.log(2).contains("redelivered by the broker"));
    assert!(h.log(0).contains("drained: all in-flight jobs finished"), "A had nothing in flight");
    h.assert_queue_drained().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_that_kills_workers_is_reported_and_dead_lettered_by_the_worker() {
    let _shared = BrokerLock::shared().await;
    let mut h = outage_harness("poison").await;
    let mut docs = distinct_documents(h.dir.path(), 3);
    let poison = h.dir.path().join("poison.pdf");
    std::fs::rename(&docs[1], &poison).unwrap();
    docs[1] = poison.clone();
    h.enqueue(&docs, &[]);
    let flags = ["--concurrency", "1", "--max-worker-losses", "3"];
    let env = [("YUSUAN_DEBUG_ABORT_ON_FILE_NAME", "poison.pdf")];
    // The test restarts a worker whenever one dies, as Kubernetes restarts a pod.
    h.start_worker(&flags, &env);
    let mut deaths = Vec::new();
    let start = Instant::now();
    while h.arrivals().await.len() < 3 {
        assert!(start.elapsed() < LIMIT, "not all jobs arrived: {:?}; deaths {deaths:?}", h.arrivals().await);
        let last = h.workers.len() - 1;
        if let Some(status) = h.workers[last].child.try_wait().unwrap() {
            deaths.push(status);
            assert!(deaths.len() <= 3, "more workers died than --max-worker-losses allows: {deaths:?}");
            h.start_worker(&flags, &env);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(deaths.len(), 3, "{deaths:?}");
    assert!(deaths.iter().all(|s| s.signal() == Some(libc::SIGABRT)), "{deaths:?}");
    let last = h.workers.len() - 1;
    assert!(h.workers[last].child.try_wait().unwrap().is_none(), "the reporting worker lives on");
    assert!(h.log(last).contains("the document took 3 workers down"));

    let arrivals = h.arrivals().await;
    assert_eq!(arrivals.len(), 3, "{arrivals:?}");
    for (name, kind, row) in &arrivals {
        if name == "poison.pdf" {
            assert_eq!(*kind, "failure");
            assert_eq!(row["code"], "internal_error");
            let message = row["message"].as_str().unwrap();
            assert!(message.contains("the document took 3 workers down"), "{message}");
            assert_eq!(row["sha256"], yusuan::sha256_hex(&std::fs::read(&poison).unwrap()));
        } else {
            assert_eq!(*kind, "extraction", "{name}: {row}");
        }
    }
    // Dead-lettered by the worker with its code; the broker's own dead-lettering would have added
    // an x-death header (reason delivery_limit) and no code.
    let dead = h.dead_letters().await;
    assert_eq!(dead.len(), 1, "{dead:?}");
    let (name, headers) = &dead[0];
    assert_eq!(name, "poison.pdf");
    let headers = headers.inner();
    assert!(!headers.contains_key("x-death"), "{headers:?}");
    match headers.get("x-yusuan-error-code") {
        Some(AMQPValue::LongString(code)) => assert_eq!(code.as_bytes(), b"internal_error"),
        other => panic!("no error code header: {other:?}"),
    }
    h.assert_queue_drained().await;
}

/// (redelivered, x-delivery-count, x-acquired-count) of a delivery.
fn counters(delivery: &lapin::message::Delivery) -> (bool, Option<i64>, Option<i64>) {
    let headers = delivery.properties.headers().clone().unwrap_or_default();
    let count = |name: &str| match headers.inner().get(name) {
        Some(AMQPValue::LongLongInt(v)) => Some(*v),
        Some(AMQPValue::LongInt(v)) => Some((*v).into()),
        Some(AMQPValue::LongUInt(v)) => Some((*v).into()),
        Some(AMQPValue::ShortInt(v)) => Some((*v).into()),
        _ => None,
    };
    (delivery.redelivered, count("x-delivery-count"), count("x-acquired-count"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broker_counting_is_measured_and_a_republished_copy_starts_from_zero() {
    let _shared = BrokerLock::shared().await;
    let h = outage_harness("counting").await;
    let version = rabbitmqctl(&["version"]);
    let connection = lapin::Connection::connect(&amqp_url(), Default::default()).await.unwrap();
    let setup = connection.create_channel().await.unwrap();
    let mut args = FieldTable::default();
    args.insert("x-queue-type".into(), AMQPValue::LongString("quorum".into()));
    args.insert("x-delivery-limit".into(), AMQPValue::LongInt(10));
    let durable = QueueDeclareOptions { durable: true, ..Default::default() };
    setup.queue_declare(h.queue.as_str().into(), durable, args).await.unwrap();
    setup
        .basic_publish("".into(), h.queue.as_str().into(), BasicPublishOptions::default(), b"job", Default::default())
        .await
        .unwrap()
        .await
        .unwrap();
    let get = |channel: lapin::Channel, queue: String| async move {
        let fetched = wait_until(Duration::from_secs(10), || {
            let (channel, queue) = (channel.clone(), queue.clone());
            async move { channel.basic_get(queue.as_str().into(), BasicGetOptions { no_ack: false }).await.unwrap() }
        })
        .await;
        fetched.expect("the message is back").delivery
    };
    let mut measured = Vec::new();
    let channel = connection.create_channel().await.unwrap();
    let first = get(channel.clone(), h.queue.clone()).await;
    measured.push(("first delivery", counters(&first)));
    first.acker.nack(BasicNackOptions { requeue: true, multiple: false }).await.unwrap();
    let after_nack = get(channel.clone(), h.queue.clone()).await;
    measured.push(("after basic.nack requeue", counters(&after_nack)));
    after_nack.acker.reject(BasicRejectOptions { requeue: true }).await.unwrap();
    let after_reject = get(channel.clone(), h.queue.clone()).await;
    measured.push(("after basic.reject requeue", counters(&after_reject)));
    // Unacked on a channel that closes: what a crashed or disconnected worker leaves behind.
    channel.close(200, "".into()).await.unwrap();
    let channel = connection.create_channel().await.unwrap();
    let after_close = get(channel.clone(), h.queue.clone()).await;
    measured.push(("after its channel closed", counters(&after_close)));
    // What the worker does instead of returning: publish a copy (broker counters dropped), ack.
    let mut headers = FieldTable::default();
    headers.insert("x-yusuan-worker-losses".into(), AMQPValue::LongInt(1));
    let properties = lapin::BasicProperties::default().with_headers(headers);
    channel
        .basic_publish("".into(), h.queue.as_str().into(), BasicPublishOptions::default(), &after_close.data, properties)
        .await
        .unwrap()
        .await
        .unwrap();
    after_close.acker.ack(BasicAckOptions::default()).await.unwrap();
    let copy = get(channel.clone(), h.queue.clone()).await;
    measured.push(("republished copy", counters(&copy)));
    copy.acker.ack(BasicAckOptions::default()).await.unwrap();
    for (when, (redelivered, delivery_count, acquired_count)) in &measured {
        eprintln!("RabbitMQ {version}, {when}: redelivered={redelivered} x-delivery-count={delivery_count:?} x-acquired-count={acquired_count:?}");
    }
    // What the worker relies on, whatever the version counts: a delivery left unacked by a
    // vanished consumer comes back flagged, and a copy starts from zero like a new message.
    assert!(measured[3].1 .0, "redelivered after the channel closed: {measured:?}");
    assert_eq!(measured[4].1, measured[0].1, "{measured:?}");
    assert!(!measured[4].1 .0 && measured[4].1 .1.unwrap_or(0) == 0 && measured[4].1 .2.unwrap_or(0) == 0, "{measured:?}");
    assert_eq!(copy.properties.headers().clone().unwrap_or_default().inner().get("x-yusuan-worker-losses"), Some(&AMQPValue::LongInt(1)));
    let _ = connection.close(200, "".into()).await;
}
