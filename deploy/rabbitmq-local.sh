#!/usr/bin/env bash
# Starts (or stops) a local RabbitMQ node bound to loopback, for tests and local runs.
# No systemd on the CI machines: the node is started detached and polled until it answers.
set -euo pipefail
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 ERL_EPMD_ADDRESS=127.0.0.1
case "${1:-start}" in
  start)
    if rabbitmqctl -q status >/dev/null 2>&1; then echo "RabbitMQ already running"; exit 0; fi
    rabbitmq-server -detached
    for _ in $(seq 1 90); do
      if rabbitmqctl -q await_startup --timeout 5 >/dev/null 2>&1; then echo "RabbitMQ up"; exit 0; fi
      sleep 1
    done
    echo "RabbitMQ did not start within 90 s" >&2
    exit 1
    ;;
  stop)
    rabbitmqctl -q stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
