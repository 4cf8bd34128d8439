//! The harness of the tests that run the `yusuan` binary against the real RabbitMQ
//! (tests/worker.rs, tests/worker_outage.rs, tests/secure.rs).
//!
//! The broker is the node `bash deploy/rabbitmq-local.sh start` runs on loopback (`.ci/run` starts
//! it): AMQP on 127.0.0.1:5672 and AMQP over TLS on 127.0.0.1:5671, with a certificate signed by
//! the test CA that script makes at every start. `AMQP_URL`, `AMQPS_URL` and `YUSUAN_RABBITMQ_DIR`
//! point the tests elsewhere.
//!
//! Every test uses its own queue, runs the real binary as child processes (so it can kill -9 and
//! signal them) and an in-process sink on a free port. Waits are bounded.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use lapin::options::{BasicGetOptions, BasicPublishOptions, ConfirmSelectOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use serde_json::Value;

use yusuan::sink::Sink;

pub const BIN: &str = env!("CARGO_BIN_EXE_yusuan");

/// How long a test waits for jobs to arrive.
pub const LIMIT: Duration = Duration::from_secs(90);
/// How long [`Harness::assert_queue_drained`] lets a worker drain after SIGTERM before SIGKILL.
const DRAIN_STOP: Duration = Duration::from_secs(15);

/// Tests that restart the broker or change node-wide settings take it exclusively; all other
/// tests share it. A file lock (flock) rather than an in-process lock: the test binaries run in
/// parallel, and so do test runs of other checkouts on the same machine against the same node.
/// deploy/rabbitmq-local.sh takes it exclusively before it restarts a running node.
pub struct BrokerLock(#[allow(dead_code)] std::fs::File);

impl BrokerLock {
    pub async fn shared() -> BrokerLock {
        Self::take(false).await
    }

    pub async fn exclusive() -> BrokerLock {
        Self::take(true).await
    }

    async fn take(exclusive: bool) -> BrokerLock {
        let path = std::env::temp_dir().join("yusuan-rabbitmq-tests.lock");
        tokio::task::spawn_blocking(move || {
            use std::os::fd::AsRawFd as _;
            let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).unwrap();
            let operation = if exclusive { libc::LOCK_EX } else { libc::LOCK_SH };
            // SAFETY: flock on a file descriptor this function owns; the lock lives as long as the
            // File (and dies with the process, so a killed test run cannot leave it held).
            let rc = unsafe { libc::flock(file.as_raw_fd(), operation) };
            assert_eq!(rc, 0, "flock {}: {}", path.display(), std::io::Error::last_os_error());
            BrokerLock(file)
        })
        .await
        .unwrap()
    }
}

pub fn amqp_url() -> String {
    std::env::var("AMQP_URL").unwrap_or_else(|_| "amqp://127.0.0.1:5672/%2f".into())
}

/// The broker's TLS listener, by the name its certificate carries.
pub fn amqps_url() -> String {
    std::env::var("AMQPS_URL").unwrap_or_else(|_| "amqps://localhost:5671/%2f".into())
}

/// The CA that signed the TLS listener's certificate, made by deploy/rabbitmq-local.sh.
pub fn broker_ca() -> PathBuf {
    let dir = std::env::var_os("YUSUAN_RABBITMQ_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/tmp/yusuan-rabbitmq"));
    dir.join("tls/ca.pem")
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/worker")
}

pub fn fixture(name: &str) -> PathBuf {
    fixtures().join(name)
}

/// Runs rabbitmqctl; panics with its error when it fails. Returns its output.
pub fn rabbitmqctl(args: &[&str]) -> String {
    let out = Command::new("rabbitmqctl").args(args).output().unwrap();
    assert!(out.status.success(), "rabbitmqctl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Polls `f` every 200 ms until it gives `Some`, or `None` after `limit`.
pub async fn wait_until<T, F, Fut>(limit: Duration, mut f: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = f().await {
            return Some(v);
        }
        if start.elapsed() > limit {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The sum of a metric's samples (all label sets) in a Prometheus text exposition; `name` may
/// carry labels (`yusuan_jobs_total{outcome="delivered"}`).
pub fn metric(metrics: &str, name: &str) -> f64 {
    metrics
        .lines()
        .filter(|l| !l.starts_with('#') && l.starts_with(name) && l[name.len()..].starts_with(['{', ' ']))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// Retries fast, so that tests of API outages do not wait for production backoff.
const FAST_RETRIES: &[&str] = &["--retry-initial-ms", "50", "--retry-max-secs", "1"];

/// Everything one test started: a sink, a queue and the workers. Kills the workers and deletes
/// the queues when dropped, and shows the workers' logs when the test failed.
pub struct Harness {
    pub queue: String,
    pub dir: tempfile::TempDir,
    pub sink: Sink,
    /// The sink's URL as workers get it.
    pub base: String,
    /// The client for the sink and the workers' metrics endpoints.
    pub http: reqwest::Client,
    /// The bearer token the sink requires, if any.
    pub token: Option<String>,
    /// The broker URL workers get (`enqueue` and the harness itself always use the plain one).
    pub worker_amqp_url: String,
    /// Flags every worker gets after its queue, sink, broker and metrics address.
    worker_flags: Vec<String>,
    /// Flags every `enqueue` gets.
    enqueue_flags: Vec<String>,
    /// Queues deleted when the harness is dropped: the job queue, its dead-letter queue and any
    /// a test adds.
    pub queues: Vec<String>,
    pub workers: Vec<Worker>,
}

pub struct Worker {
    pub child: Child,
    pub log: PathBuf,
}

impl Harness {
    /// A sink without a token; workers retry fast (`FAST_RETRIES`). Fails early and clearly when
    /// there is no broker.
    pub async fn new(test: &str) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let sink = Sink::start("127.0.0.1:0", &dir.path().join("sink.db"), 0, 64 << 20).await.unwrap();
        let base = format!("http://{}", sink.addr);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let queue = format!("yusuan.test.{test}.{}.{nanos}", std::process::id());
        if let Err(e) = lapin::Connection::connect(&amqp_url(), Default::default()).await {
            panic!("RabbitMQ is not reachable at {}: {e}; start it with `bash deploy/rabbitmq-local.sh start`", amqp_url());
        }
        Harness {
            queues: vec![queue.clone(), format!("{queue}.dead")],
            queue,
            dir,
            sink,
            base,
            http: reqwest::Client::new(),
            token: None,
            worker_amqp_url: amqp_url(),
            worker_flags: FAST_RETRIES.iter().map(|s| s.to_string()).collect(),
            enqueue_flags: Vec::new(),
            workers: Vec::new(),
        }
    }

    /// The sink requires this bearer token; listings are read with it.
    pub fn with_token(mut self, token: &str) -> Harness {
        self.sink.set_token(Some(token.parse().unwrap()));
        self.token = Some(token.to_string());
        self
    }

    /// Every worker and every `enqueue` gets these flags; they replace the fast retries of `new`.
    pub fn with_flags(mut self, worker: &[&str], enqueue: &[&str]) -> Harness {
        self.worker_flags = worker.iter().map(|s| s.to_string()).collect();
        self.enqueue_flags = enqueue.iter().map(|s| s.to_string()).collect();
        self
    }

    /// Starts `yusuan worker` on this test's queue and sink with `extra` flags; `env` adds
    /// environment variables (`SINK_TOKEN` is only set when given here). Returns its index.
    pub fn start_worker(&mut self, extra: &[&str], env: &[(&str, &str)]) -> usize {
        let n = self.workers.len();
        let log = self.dir.path().join(format!("worker-{n}.log"));
        let child = Command::new(BIN)
            .arg("worker")
            .args(["--queue", &self.queue, "--sink-url", &self.base, "--amqp-url", &self.worker_amqp_url])
            .args(["--metrics-listen", "127.0.0.1:0"])
            .args(&self.worker_flags)
            .args(extra)
            .env_remove("SINK_TOKEN")
            .envs(env.iter().copied())
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        self.workers.push(Worker { child, log });
        n
    }

    pub fn log(&self, n: usize) -> String {
        std::fs::read_to_string(&self.workers[n].log).unwrap_or_default()
    }

    /// The worker's metrics address, from its log line.
    pub async fn metrics_addr(&self, n: usize) -> String {
        let found = wait_until(Duration::from_secs(30), || async {
            self.log(n)
                .lines()
                .find(|l| l.contains("health and metrics endpoint listening"))
                .and_then(|l| l.split("addr=").nth(1))
                .map(|rest| rest.split_whitespace().next().unwrap_or_default().to_string())
        })
        .await;
        found.expect("the worker logs its metrics address")
    }

    /// (status, body) of one of the worker's endpoints; (0, the error) when it does not answer
    /// (a worker that just exited).
    pub async fn probe(&self, n: usize, path: &str) -> (u16, String) {
        let addr = self.metrics_addr(n).await;
        match self.http.get(format!("http://{addr}{path}")).send().await {
            Ok(r) => (r.status().as_u16(), r.text().await.unwrap_or_default()),
            Err(e) => (0, e.to_string()),
        }
    }

    pub async fn readyz(&self, n: usize) -> (u16, String) {
        self.probe(n, "/readyz").await
    }

    pub async fn metrics(&self, n: usize) -> String {
        self.probe(n, "/metrics").await.1
    }

    /// Waits until worker `n` says it is paused (the circuit breaker is open).
    pub async fn wait_paused(&self, n: usize) {
        let paused = wait_until(LIMIT, || async {
            let (status, body) = self.readyz(n).await;
            (status == 503 && body.starts_with("paused")).then_some(())
        })
        .await;
        assert!(paused.is_some(), "worker {n} pauses; /readyz says {:?}", self.readyz(n).await);
    }

    /// Runs `yusuan enqueue` on the plain broker URL; returns its summary (stderr).
    pub fn enqueue(&self, paths: &[impl AsRef<Path>], extra: &[&str]) -> String {
        let out = Command::new(BIN)
            .arg("enqueue")
            .args(["--queue", &self.queue, "--amqp-url", &amqp_url()])
            .args(&self.enqueue_flags)
            .args(extra)
            .args(paths.iter().map(AsRef::as_ref))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "enqueue failed: {stderr}");
        stderr
    }

    /// Publishes raw job bodies to the queue (declared by `enqueue` or a worker first).
    pub async fn publish(&self, bodies: &[Value]) {
        let connection = lapin::Connection::connect(&amqp_url(), Default::default()).await.unwrap();
        let channel = connection.create_channel().await.unwrap();
        channel.confirm_select(ConfirmSelectOptions::default()).await.unwrap();
        for body in bodies {
            let bytes = serde_json::to_vec(body).unwrap();
            let properties = lapin::BasicProperties::default().with_delivery_mode(2);
            channel
                .basic_publish("".into(), self.queue.as_str().into(), BasicPublishOptions::default(), &bytes, properties)
                .await
                .unwrap()
                .await
                .unwrap();
        }
        let _ = connection.close(200, "".into()).await;
    }

    /// A listing of the sink, with the token when one is required.
    pub async fn get(&self, path: &str) -> Value {
        let mut request = self.http.get(format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap().json().await.unwrap()
    }

    /// (file name, "extraction" | "failure", row) of every job the API has heard of.
    pub async fn arrivals(&self) -> Vec<(String, &'static str, Value)> {
        let mut all = Vec::new();
        for row in self.get("/extractions").await.as_array().unwrap() {
            all.push((row["file_name"].as_str().unwrap().to_string(), "extraction", row.clone()));
        }
        for row in self.get("/failures").await.as_array().unwrap() {
            all.push((row["file_name"].as_str().unwrap().to_string(), "failure", row.clone()));
        }
        all
    }

    /// Waits until `n` jobs arrived; panics (and the workers' logs are shown) after `limit`.
    pub async fn wait_for_arrivals(&self, n: usize, limit: Duration) -> Vec<(String, &'static str, Value)> {
        let done = wait_until(limit, || async {
            let a = self.arrivals().await;
            (a.len() >= n).then_some(a)
        })
        .await;
        match done {
            Some(a) => a,
            None => panic!("only {:?} of {n} jobs arrived within {limit:?}", self.arrivals().await),
        }
    }

    pub async fn answered_503(&self) -> u64 {
        self.get("/stats").await["answered_503"].as_u64().unwrap()
    }

    /// Messages ready in the job queue.
    pub async fn ready(&self) -> u32 {
        self.ready_in(&self.queue).await
    }

    /// Messages ready in a queue, asked of the queue itself: a passive declare is answered by the
    /// queue leader, while `rabbitmqctl list_queues` figures for quorum queues lag up to the 5 s
    /// statistics interval.
    pub async fn ready_in(&self, queue: &str) -> u32 {
        let connection = lapin::Connection::connect(&amqp_url(), Default::default()).await.unwrap();
        let channel = connection.create_channel().await.unwrap();
        let options = QueueDeclareOptions { passive: true, ..Default::default() };
        let declared = channel.queue_declare(queue.into(), options, Default::default()).await.unwrap();
        let _ = connection.close(200, "".into()).await;
        declared.message_count()
    }

    pub async fn wait_ready(&self, expected: u32) {
        let ok = wait_until(Duration::from_secs(30), || async { (self.ready().await == expected).then_some(()) }).await;
        assert!(ok.is_some(), "expected {expected} ready message(s), found {}", self.ready().await);
    }

    /// Takes every message off the dead-letter queue: (file name, headers).
    pub async fn dead_letters(&self) -> Vec<(String, FieldTable)> {
        let connection = lapin::Connection::connect(&amqp_url(), Default::default()).await.unwrap();
        let channel = connection.create_channel().await.unwrap();
        let mut out = Vec::new();
        while let Some(message) = channel
            .basic_get(format!("{}.dead", self.queue).as_str().into(), BasicGetOptions { no_ack: true })
            .await
            .unwrap()
        {
            let job: Value = serde_json::from_slice(&message.delivery.data).unwrap();
            let headers = message.delivery.properties.headers().clone().unwrap_or_default();
            out.push((job["file_name"].as_str().unwrap_or_default().to_string(), headers));
        }
        let _ = connection.close(200, "".into()).await;
        out
    }

    /// Nothing is left at the broker: with every worker stopped, an unacknowledged message would
    /// be back in the queue within moments. A worker gets SIGTERM first (it acknowledges what it
    /// finished and returns what it did not): the test's API sees a result before the worker's
    /// acknowledgement reaches the broker, and a SIGKILL in between would return a finished job
    /// (a race the loaded CI machine hit). One that does not exit in time is killed.
    pub async fn assert_queue_drained(&mut self) {
        for n in 0..self.workers.len() {
            if self.workers[n].child.try_wait().unwrap().is_none() {
                self.signal(n, "-TERM");
                let start = Instant::now();
                while self.workers[n].child.try_wait().unwrap().is_none() && start.elapsed() < DRAIN_STOP {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                if self.workers[n].child.try_wait().unwrap().is_none() {
                    self.kill9(n);
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(self.ready().await, 0, "no job left in or returned to the queue");
    }

    pub fn kill9(&mut self, n: usize) {
        self.workers[n].child.kill().unwrap(); // SIGKILL
        self.workers[n].child.wait().unwrap();
    }

    pub fn signal(&self, n: usize, signal: &str) {
        let status = Command::new("kill").args([signal, &self.workers[n].child.id().to_string()]).status().unwrap();
        assert!(status.success());
    }

    pub async fn wait_exit(&mut self, n: usize, limit: Duration) -> ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.workers[n].child.try_wait().unwrap() {
                return status;
            }
            assert!(start.elapsed() < limit, "worker {n} did not exit within {limit:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// SIGTERM, and the worker exits within 30 s.
    pub async fn stop(&mut self, n: usize) -> ExitStatus {
        self.signal(n, "-TERM");
        self.wait_exit(n, Duration::from_secs(30)).await
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        for (n, w) in self.workers.iter_mut().enumerate() {
            let _ = w.child.kill();
            let _ = w.child.wait();
            if std::thread::panicking() {
                let log = std::fs::read_to_string(&w.log).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(60).collect();
                eprintln!("---- worker {n} log (last lines) ----");
                for line in tail.iter().rev() {
                    eprintln!("{line}");
                }
            }
        }
        for queue in &self.queues {
            let _ = Command::new("rabbitmqctl")
                .args(["delete_queue", queue])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}
