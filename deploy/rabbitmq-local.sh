#!/usr/bin/env bash
# Starts (or stops) a local RabbitMQ node bound to loopback, for tests and local runs.
# No systemd on the CI machines: the node is started detached and polled until it answers.
#
# The node listens on 127.0.0.1:5672 (AMQP) and 127.0.0.1:5671 (AMQP over TLS). For the TLS
# listener every start makes a fresh test CA and a server certificate for localhost / 127.0.0.1
# (openssl), in ${YUSUAN_RABBITMQ_DIR:-/tmp/yusuan-rabbitmq}/tls:
#   ca.pem      the CA certificate: what a client trusts (`yusuan worker --amqp-ca`, tests/secure.rs)
#   server.pem  the server certificate, signed by the CA; server.key its key
# The CA's own key is deleted once it has signed: nothing else can ever be signed by it.
# The node's configuration is written to ${YUSUAN_RABBITMQ_DIR}/rabbitmq.conf and passed with
# RABBITMQ_CONFIG_FILE.
#
# `start` is a no-op when the node already runs with this TLS listener. A node running without it
# (started by hand, or by an older version of this script), or with a CA that is gone or about to
# expire, is restarted: first waiting (up to 5 min) for the test runs that use it to let go of the
# broker lock the tests share (tests/common/broker.rs).
#
# YUSUAN_RABBITMQ_PORT / YUSUAN_RABBITMQ_TLS_PORT (5672 / 5671) and RabbitMQ's own RABBITMQ_NODENAME
# run a second node beside the shared one (e.g. to try this script without restarting that one).
set -euo pipefail
port=${YUSUAN_RABBITMQ_PORT:-5672}
tls_port=${YUSUAN_RABBITMQ_TLS_PORT:-5671}
# RABBITMQ_NODE_PORT also places the node's distribution port (20000 + it).
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$port ERL_EPMD_ADDRESS=127.0.0.1

dir=${YUSUAN_RABBITMQ_DIR:-/tmp/yusuan-rabbitmq}
tls=$dir/tls
conf=$dir/rabbitmq.conf
# The lock the test binaries hold while they use the broker (shared, or exclusive when a test
# restarts the node); std::env::temp_dir() on their side.
tests_lock=${TMPDIR:-/tmp}/yusuan-rabbitmq-tests.lock

running() { rabbitmqctl -q status >/dev/null 2>&1; }

# The node answers on the TLS port with the certificate this script made, and the certificate is good for
# at least another day.
tls_is_ours() {
  rabbitmq-diagnostics -q listeners 2>/dev/null | grep -q "port: $tls_port, protocol: amqp/ssl" || return 1
  rabbitmqctl -q eval 'application:get_env(rabbit, ssl_options).' 2>/dev/null | grep -qF "\"$tls/ca.pem\"" || return 1
  [ -r "$tls/ca.pem" ] && openssl x509 -checkend 86400 -noout -in "$tls/server.pem" >/dev/null 2>&1
}

make_certificates() {
  rm -rf "$tls"
  mkdir -p "$tls"
  # Minimal openssl configurations: the system's openssl.cnf would add its own extensions.
  cat >"$tls/ca.cnf" <<'EOF'
[req]
distinguished_name = dn
x509_extensions = ca
prompt = no
[dn]
CN = yusuan test CA
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOF
  cat >"$tls/server.cnf" <<'EOF'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
  openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha256 -days 30 \
    -config "$tls/ca.cnf" -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>/dev/null
  openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha256 -subj /CN=localhost \
    -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
  openssl x509 -req -sha256 -days 30 -set_serial "0x$(openssl rand -hex 16)" -in "$tls/server.csr" \
    -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -extfile "$tls/server.cnf" -out "$tls/server.pem" 2>/dev/null
  rm -f "$tls/ca.key" "$tls/server.csr" "$tls/ca.cnf" "$tls/server.cnf"
  openssl verify -CAfile "$tls/ca.pem" "$tls/server.pem" >/dev/null
}

write_config() {
  cat >"$conf" <<EOF
# Written by deploy/rabbitmq-local.sh: a test node on loopback only.
listeners.tcp.1 = 127.0.0.1:$port
listeners.ssl.1 = 127.0.0.1:$tls_port
ssl_options.cacertfile = $tls/ca.pem
ssl_options.certfile = $tls/server.pem
ssl_options.keyfile = $tls/server.key
# Clients authenticate with user and password inside the TLS session; no client certificates.
ssl_options.verify = verify_none
ssl_options.fail_if_no_peer_cert = false
ssl_options.versions.1 = tlsv1.3
ssl_options.versions.2 = tlsv1.2
EOF
}

start_node() {
  make_certificates
  write_config
  # The Debian package runs the server as the rabbitmq user (its wrapper su's to it when started
  # by root): that user reads the key and the configuration.
  if [ "$(id -u)" = 0 ] && id rabbitmq >/dev/null 2>&1; then
    chown -R rabbitmq: "$dir"
  fi
  chmod 0755 "$dir" "$tls"
  chmod 0600 "$tls/server.key"
  chmod 0644 "$tls/ca.pem" "$tls/server.pem" "$conf"
  # The detached node must not inherit this script's lock descriptors (it would hold the locks
  # for its whole life).
  RABBITMQ_CONFIG_FILE=$conf rabbitmq-server -detached 8>&- 9>&-
  for _ in $(seq 1 90); do
    if rabbitmqctl -q await_startup --timeout 5 >/dev/null 2>&1; then
      if ! tls_is_ours; then
        echo "RabbitMQ started but without the TLS listener on $tls_port; see its log (rabbitmq-diagnostics log_location)" >&2
        exit 1
      fi
      echo "RabbitMQ up: amqp://127.0.0.1:$port, amqps://localhost:$tls_port (CA: $tls/ca.pem)"
      return 0
    fi
    sleep 1
  done
  echo "RabbitMQ did not start within 90 s" >&2
  exit 1
}

case "${1:-start}" in
  start)
    mkdir -p "$dir"
    # One start at a time: a second caller waits, then finds the node up and leaves it alone.
    exec 8>"$dir/.start.lock"
    flock -x 8
    if running; then
      if tls_is_ours; then
        echo "RabbitMQ already running (amqps://localhost:$tls_port, CA: $tls/ca.pem)"
        exit 0
      fi
      echo "RabbitMQ is running without this script's TLS listener (or its CA is gone or expires within a day): restarting it"
      exec 9>>"$tests_lock"
      if ! flock -x -w 300 9; then
        echo "test runs still hold $tests_lock after 5 min: not restarting under them" >&2
        exit 1
      fi
      rabbitmqctl -q stop
      for _ in $(seq 1 60); do running || break; sleep 1; done
    fi
    start_node
    ;;
  stop)
    rabbitmqctl -q stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
