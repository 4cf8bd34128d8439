#!/usr/bin/env bash
# Throughput of the queue worker on a corpus: documents and pages per second with N workers.
#
#   benches/worker_throughput.sh BIN CORPUS_DIR WORKERS [ROUNDS] [CONCURRENCY]
#
# BIN is a built `yusuan` (use a release build for figures worth quoting). The corpus is enqueued
# ROUNDS times (each round is a separate `yusuan enqueue` run, so the same documents become new
# jobs; the sink answers their repeats by key without storing them twice) onto a fresh queue
# BEFORE the workers start, so the measurement covers consuming, extracting and publishing only.
# The clock runs from starting the workers until the sink has received every job (extraction or
# failure). Pages come from the workers' yusuan_pages_total metric (PDF pages of extracted jobs).
# Needs a running RabbitMQ (AMQP_URL), curl and python3.
set -euo pipefail
BIN=${1:?yusuan binary}; CORPUS=${2:?corpus dir}; WORKERS=${3:?workers}; ROUNDS=${4:-5}; CONCURRENCY=${5:-}
AMQP_URL=${AMQP_URL:-amqp://127.0.0.1:5672/%2f}
QUEUE="yusuan.bench.$$.$(date +%s)"
WORK=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rabbitmqctl delete_queue "$QUEUE" >/dev/null 2>&1 || true
  rabbitmqctl delete_queue "$QUEUE.dead" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

json() { python3 -c "import sys, json; d = json.load(sys.stdin); print($1)"; }

"$BIN" sink --listen 127.0.0.1:0 --db "$WORK/sink.db" > "$WORK/sink.out" 2> "$WORK/sink.err" &
pids+=($!)
for _ in $(seq 50); do grep -q "listening on" "$WORK/sink.out" 2>/dev/null && break; sleep 0.1; done
SINK="http://$(awk '/listening on/ {print $3}' "$WORK/sink.out")"

jobs=0
for r in $(seq "$ROUNDS"); do
  out=$("$BIN" enqueue --queue "$QUEUE" --amqp-url "$AMQP_URL" --metadata round="$r" "$CORPUS" 2>&1 | tail -1)
  n=$(sed -n 's/^enqueued \([0-9]*\) job.*/\1/p' <<< "$out")
  jobs=$((jobs + n))
done
echo "queue $QUEUE: $jobs jobs ($ROUNDS rounds of $CORPUS)"

start=$(date +%s.%N)
worker_pids=()
for w in $(seq "$WORKERS"); do
  args=(worker --queue "$QUEUE" --amqp-url "$AMQP_URL" --sink-url "$SINK" --metrics-listen 127.0.0.1:0)
  [ -n "$CONCURRENCY" ] && args+=(--concurrency "$CONCURRENCY")
  NO_COLOR=1 RUST_LOG=info "$BIN" "${args[@]}" > /dev/null 2> "$WORK/worker-$w.log" &
  pids+=($!)
  worker_pids+=($!)
done
while :; do
  done_jobs=$(curl -sf "$SINK/stats" | json 'd["extractions"] + d["extraction_repeats"] + d["failures"] + d["failure_repeats"]')
  [ "$done_jobs" -ge "$jobs" ] && break
  sleep 0.2
done
end=$(date +%s.%N)

# CPU seconds the workers used (user + system): on a shared machine the wall clock depends on the
# neighbours' load, CPU time per document much less.
ticks=$(getconf CLK_TCK)
cpu=0
for p in "${worker_pids[@]}"; do
  t=$(awk '{print $14 + $15}' "/proc/$p/stat")
  cpu=$((cpu + t))
done
cpu_secs=$(python3 -c "print($cpu / $ticks)")
load=$(cut -d' ' -f1 /proc/loadavg)

pages=0
for w in $(seq "$WORKERS"); do
  addr=$(sed -n 's/.*health and metrics endpoint listening addr=\([^ ]*\).*/\1/p' "$WORK/worker-$w.log" | head -1)
  p=$(curl -sf "http://$addr/metrics" | awk '$1 == "yusuan_pages_total" {print $2}')
  pages=$((pages + p))
done
stats=$(curl -sf "$SINK/stats")
python3 - "$start" "$end" "$jobs" "$pages" "$WORKERS" "$stats" "$cpu_secs" "$load" <<'PY'
import json, sys
start, end, jobs, pages, workers, stats = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], json.loads(sys.argv[6])
cpu, load = float(sys.argv[7]), sys.argv[8]
secs = end - start
ok = stats["extractions"] + stats["extraction_repeats"]
failed = stats["failures"] + stats["failure_repeats"]
print(f"workers={workers} jobs={jobs} (extracted {ok}, failed {failed}) pages={pages} "
      f"time={secs:.2f}s docs/s={jobs / secs:.2f} pages/s={pages / secs:.2f} "
      f"worker_cpu={cpu:.2f}s cpu_ms/doc={1000 * cpu / jobs:.0f} load1={load}")
PY
