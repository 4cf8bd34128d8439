//! deploy/ stays true to the binary: every environment variable the manifests set is one the
//! command they run actually reads, and the image builds the way CI builds.

use std::collections::BTreeSet;
use std::process::Command;

fn help(sub: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_yusuan")).args([sub, "--help"]).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// Names like `YUSUAN_FOO`, `AMQP_URL`, `SINK_URL` set as `NAME: value` / `- NAME=value` in a file.
fn env_names(text: &str) -> BTreeSet<String> {
    let re = regex::Regex::new(r"(?m)^\s*-?\s*((?:YUSUAN|AMQP|SINK)_[A-Z_]+)\s*[:=]").unwrap();
    re.captures_iter(text).map(|c| c[1].to_string()).collect()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/").to_string() + path).unwrap()
}

#[test]
fn manifest_environment_variables_are_flags_of_the_commands_they_run() {
    let worker = help("worker");
    let sink = help("sink");
    let enqueue = help("enqueue");
    let known = |name: &str| {
        // Secrets are listed without their value (`hide_env_values`): `[env: SINK_TOKEN]`.
        let needles = [format!("[env: {name}="), format!("[env: {name}]")];
        let reads = |help: &str| needles.iter().any(|n| help.contains(n.as_str()));
        reads(&worker) || reads(&sink) || reads(&enqueue) || name == "RUST_LOG"
    };
    for file in ["deploy/compose.yaml", "deploy/k8s/configmap.yaml", "deploy/k8s/secret.yaml"] {
        let names = env_names(&read(file));
        assert!(!names.is_empty(), "{file} sets no variables?");
        for name in names {
            assert!(known(&name), "{file} sets {name}, which no yusuan command reads");
        }
    }
}

#[test]
fn metrics_port_is_the_same_in_image_manifests_and_probes() {
    let worker = help("worker");
    assert!(worker.contains("9464"), "worker's default metrics port");
    for file in ["deploy/Dockerfile", "deploy/k8s/deployment.yaml", "deploy/k8s/configmap.yaml", "deploy/compose.yaml"] {
        assert!(read(file).contains("9464"), "{file} does not use the metrics port 9464");
    }
    let deployment = read("deploy/k8s/deployment.yaml");
    assert!(deployment.contains("readinessProbe:\n            httpGet: { path: /readyz"), "readiness follows the broker connection");
    assert!(deployment.contains("livenessProbe:\n            httpGet: { path: /healthz"), "liveness on /healthz");
}

#[test]
fn image_builds_like_ci() {
    let dockerfile = read("deploy/Dockerfile");
    let ci = read(".ci/run");
    let build = "cargo build --release --locked";
    assert!(dockerfile.contains(build), "Dockerfile builds with `{build}`");
    assert!(ci.contains(build), ".ci/run builds with `{build}` too");
    assert!(dockerfile.contains("USER 10001"), "the image runs as non-root");
}
