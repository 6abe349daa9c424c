#!/usr/bin/env bash
# Scale-out on one machine: 1, 2 and 3 gateway instances (`sluice run`) of one application (one
# application.id, one consumer group), with the broker (`sluice broker`), the simulator (`sluice
# sim`) and the load generator (`sluice bench --bootstrap`) each in a process of its own.
# Everything listens on 127.0.0.1 only. On 2 cores this shows the mechanism and what a rebalance
# costs, not linear scaling: the instances share the cores with the broker and the generator.
#
#   ops/bench/scale-out.sh                      # 1, 2, 3 instances (about 14 minutes with defaults)
#   MAX_INSTANCES=2 RATE=2000 ops/bench/scale-out.sh
#   PREWARM=60 WARMUP=10 DURATION=60 REBALANCE_S=90 LEAD=15 SETTLE_S=5 ... # the knobs, defaults
#   PARTITIONS=6 SIM_LATENCY=200 GUARANTEE=at_least_once MAX_CONCURRENCY=2000 DRAIN=60 RUNNING_TIMEOUT=180
#   GATEWAY_JAVA_OPTS=... BENCH_JAVA_OPTS=...      # JVM options of the gateways and of the bench
#   KAFKA_PROPERTIES='{probing.rebalance.interval.ms: 60000}'  # the gateways' kafka.properties
#
# Per instance count N it records, in $OUT (default /tmp/scale-out), and as a markdown table on
# stdout:
# - steady-N: RATE requests/s for DURATION s after WARMUP s (`sluice bench` JSON: throughput,
#   overhead p50/p99, missing), and the CPU of every process over those DURATION s, from
#   /proc/<pid>/stat (utime + stime): each gateway's, the broker's, the simulator's, the bench's,
#   and the gateways' core-milliseconds per request;
# - rebalance-N (N > 1): load at RATE for REBALANCE_S s, instance N started LEAD s in. The time from
#   its start (a new JVM: start-up included) to its first RUNNING, and to every instance RUNNING
#   for SETTLE_S s in a row (polled on /health every 0.2 s), and the latency spike: the worst 5-s
#   p99 the bench printed from the instance's start to 10 s after the settle, beside the median
#   5-s p99 before it (the bench's progress lines are relative to its own start, so the window is
#   good to a second or two). The rebalance run's missing and duplicated responses are reported.
# After each start the new JVM gets PREWARM s of load (not recorded): on two cores a fresh JVM
# spends its first minute compiling (docs/BENCHMARKS.md).
#
# Needs: the built jar (topology/target/sluice.jar), curl, python3. Kills what it started on exit.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
jar="$root/topology/target/sluice.jar"
OUT="${OUT:-/tmp/scale-out}"
MAX_INSTANCES="${MAX_INSTANCES:-3}"
RATE="${RATE:-1000}"
PREWARM="${PREWARM:-60}"
WARMUP="${WARMUP:-10}"
DURATION="${DURATION:-60}"
REBALANCE_S="${REBALANCE_S:-90}"
LEAD="${LEAD:-15}"
SETTLE_S="${SETTLE_S:-5}"
RUNNING_TIMEOUT="${RUNNING_TIMEOUT:-180}"
DRAIN="${DRAIN:-60}"
SIM_LATENCY="${SIM_LATENCY:-200}"
PARTITIONS="${PARTITIONS:-6}"
GUARANTEE="${GUARANTEE:-at_least_once}"
MAX_CONCURRENCY="${MAX_CONCURRENCY:-2000}"
GATEWAY_JAVA_OPTS="${GATEWAY_JAVA_OPTS:-}"
BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS:-}"
KAFKA_PROPERTIES="${KAFKA_PROPERTIES:-{\}}"
SIM_PORT=18280 KAFKA_PORT=19292 HTTP_BASE=18290
[ -f "$jar" ] || { echo "scale-out: build the jar first (./mvnw -B -q package -DskipTests)" >&2; exit 2; }
[ "$LEAD" -lt "$REBALANCE_S" ] || { echo "scale-out: LEAD must be below REBALANCE_S" >&2; exit 2; }
mkdir -p "$OUT"
rm -rf "$OUT/kafka" "$OUT"/state-* "$OUT"/states-*.log "$OUT"/*.json "$OUT"/*.progress "$OUT"/rows.tsv
pids=()
gw_pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for _ in $(seq 1 60); do # at most 30 s for a clean stop, then kill -9
    alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.5
  done
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
now() { date +%s%3N; } # milliseconds
elapsed() { local d=$(( $2 - $1 )); printf '%d.%d\n' $(( d / 1000 )) $(( d % 1000 / 100 )); } # ms to s
cpu_ticks() { # pid: utime + stime in clock ticks (10 ms); the command "(java)" has no space
  local line rest
  read -r line < "/proc/$1/stat"
  rest=${line##*) }
  # shellcheck disable=SC2086 # split the fields
  set -- $rest
  echo $(( ${12} + ${13} ))
}
state_of() { # instance number: the Kafka Streams state from /health, or DOWN
  curl -s --max-time 1 "http://127.0.0.1:$((HTTP_BASE + $1))/health" 2>/dev/null \
    | sed -n 's/.*"state":"\([A-Z_]*\)".*/\1/p' | grep . || echo DOWN
}

java -jar "$jar" sim --port $SIM_PORT --latency-ms "$SIM_LATENCY" > "$OUT/sim.log" 2>&1 & pids+=($!)
sim_pid=$!
java -jar "$jar" broker --port $KAFKA_PORT --data-dir "$OUT/kafka" --registry-port 0 > "$OUT/broker.log" 2>&1 & pids+=($!)
broker_pid=$!
for _ in $(seq 1 90); do grep -q Ready "$OUT/broker.log" && break; sleep 1; done
grep -q Ready "$OUT/broker.log" || { echo "scale-out: the broker did not start" >&2; exit 1; }
for _ in $(seq 1 60); do curl -fs -o /dev/null "http://127.0.0.1:$SIM_PORT/stats" && break; sleep 1; done

config() { # instance number
  cat > "$OUT/gateway-$1.yaml" <<YAML
kafka:
  bootstrap_servers: 127.0.0.1:$KAFKA_PORT
  application_id: scale-out
  processing_guarantee: $GUARANTEE
  state_dir: $OUT/state-$1
  properties: $KAFKA_PROPERTIES
topics: {partitions: $PARTITIONS}
providers:
  sim: {type: openai, base_url: "http://127.0.0.1:$SIM_PORT/v1", timeout_ms: 30000, max_concurrency: $MAX_CONCURRENCY}
models:
  bench: {deployments: [{provider: sim, model: sim-bench}]}
http: {port: $((HTTP_BASE + $1))}
YAML
}
config 1
java -jar "$jar" topics --config "$OUT/gateway-1.yaml" --partitions "$PARTITIONS" > "$OUT/topics.log" 2>&1

start_gateway() { # instance number
  config "$1"
  # shellcheck disable=SC2086 # word splitting of the options is intended
  java $GATEWAY_JAVA_OPTS -jar "$jar" run --config "$OUT/gateway-$1.yaml" > "$OUT/gateway-$1.log" 2>&1 &
  pids+=($!)
  gw_pids[$1]=$!
}
# Waits until every instance 1..$1 is RUNNING for SETTLE_S s in a row; prints
# "<first RUNNING of instance $1> <settled>" in seconds since $2; the states seen go to a log.
await_settled() {
  local n=$1 t0=$2 first="" stable="" t all i s line
  for _ in $(seq 1 $((RUNNING_TIMEOUT * 5))); do
    t=$(now); all=1; line=""
    for i in $(seq 1 "$n"); do
      s=$(state_of "$i"); line="$line $i:$s"
      [ "$s" = RUNNING ] || all=0
      [ "$i" = "$n" ] && [ "$s" = RUNNING ] && [ -z "$first" ] && first=$t
    done
    echo "$(elapsed "$t0" "$t")$line" >> "$OUT/states-$n.log"
    if [ $all = 1 ] && [ -n "$first" ]; then
      [ -n "$stable" ] || stable=$t
      if [ $(( t - stable )) -ge $(( SETTLE_S * 1000 )) ]; then
        echo "$(elapsed "$t0" "$first") $(elapsed "$t0" "$stable")"
        return 0
      fi
    else
      stable=""
    fi
    sleep 0.2
  done
  echo "scale-out: instances 1..$n not all RUNNING within ${RUNNING_TIMEOUT}s (see $OUT/states-$n.log)" >&2
  exit 1
}
bench() { # name, warm-up s, duration s; runs in the background, sets bench_pid
  echo "== $1: sluice bench --bootstrap, $RATE/s, warm-up $2 s, $3 s (load average $(cut -d" " -f1-3 /proc/loadavg))" >&2
  # shellcheck disable=SC2086 # word splitting of the options is intended
  java $BENCH_JAVA_OPTS -jar "$jar" bench --bootstrap "127.0.0.1:$KAFKA_PORT" --rate "$RATE" \
    --sim-latency-ms "$SIM_LATENCY" --warmup-s "$2" --duration-s "$3" --drain-s "$DRAIN" --json "$OUT/$1.json" \
    > "$OUT/$1.out" 2> "$OUT/$1.progress" &
  bench_pid=$!
  pids+=($bench_pid)
}
finish_bench() { # name: waits for the bench; its exit code 1 (something missing) is recorded, not fatal
  wait "$bench_pid" || echo "scale-out: $1 reported missing or duplicated responses" >&2
}
steady() { # instance count
  local n=$1 i t_a t_b
  bench "steady-$n" "$WARMUP" "$DURATION"
  sleep $((WARMUP + 2)) # the bench JVM's start, then its warm-up
  declare -A before
  t_a=$(now)
  for i in $(seq 1 "$n"); do before[gw$i]=$(cpu_ticks "${gw_pids[$i]}"); done
  before[broker]=$(cpu_ticks $broker_pid); before[sim]=$(cpu_ticks $sim_pid); before[bench]=$(cpu_ticks "$bench_pid")
  sleep "$DURATION"
  t_b=$(now)
  local cpu=""
  for i in $(seq 1 "$n"); do cpu="$cpu gw$i=$(( $(cpu_ticks "${gw_pids[$i]}") - ${before[gw$i]} ))"; done
  cpu="$cpu broker=$(( $(cpu_ticks $broker_pid) - ${before[broker]} )) sim=$(( $(cpu_ticks $sim_pid) - ${before[sim]} ))"
  cpu="$cpu bench=$(( $(cpu_ticks "$bench_pid") - ${before[bench]} ))"
  finish_bench "steady-$n"
  echo "steady $n $(elapsed "$t_a" "$t_b")$cpu" >> "$OUT/rows.tsv"
}
prewarm() {
  [ "$PREWARM" -gt 0 ] || return 0
  bench "prewarm-$1" 0 "$PREWARM"
  finish_bench "prewarm-$1"
}

for n in $(seq 1 "$MAX_INSTANCES"); do
  if [ "$n" = 1 ]; then
    t0=$(now)
    start_gateway 1
    times=$(await_settled 1 "$t0")
    echo "start 1 $times" >> "$OUT/rows.tsv"
  else
    bench "rebalance-$n" 0 "$REBALANCE_S"
    sleep "$LEAD"
    t0=$(now)
    start_gateway "$n"
    times=$(await_settled "$n" "$t0")
    echo "rebalance $n $times $LEAD" >> "$OUT/rows.tsv"
    finish_bench "rebalance-$n"
  fi
  prewarm "$n"
  steady "$n"
done

python3 - "$OUT" "$SETTLE_S" "$REBALANCE_S" <<'PY'
import json, os, re, statistics, sys
out, settle_s, rebalance_s = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
rows = {}
for line in open(os.path.join(out, 'rows.tsv')):
    f = line.split()
    rows.setdefault(int(f[1]), {})[f[0]] = f[2:]
def progress(name):  # (elapsed s, p99 ms) of every 5-s line in which something was answered
    pts = []
    for line in open(os.path.join(out, name + '.progress')):
        m = re.match(r'\s*(?:warm-up|measure)\s+(\d+)s\s+answered ([\d,]+)/s .* p99 ([\d.]+) ms', line)
        if m and float(m.group(3)) > 0:  # an interval with no answer has p99 0
            pts.append((int(m.group(1)), float(m.group(3))))
    return pts
print('| instances | throughput /s | overhead p50 ms | overhead p99 ms | missing | gateway CPU, cores each | gateway core-ms / request | broker cores | simulator cores | bench cores | start to first RUNNING s | to all RUNNING, settled s | 5-s p99 before ms | worst 5-s p99 during rebalance ms | rebalance run missing / duplicates |')
print('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|')
for n in sorted(rows):
    r = rows[n]
    s = json.load(open(os.path.join(out, 'steady-%d.json' % n)))
    secs = float(r['steady'][0])
    cpu = dict(kv.split('=') for kv in r['steady'][1:])
    cores = {k: int(v) / 100.0 / secs for k, v in cpu.items()}  # ticks of 10 ms
    gws = [cores['gw%d' % i] for i in range(1, n + 1)]
    per_req = sum(gws) * 1000 / max(1, s['throughput_rps'])
    if 'start' in r:
        first, settled = r['start'][0], r['start'][1]
        before = spike = reb = '-'
    else:
        first, settled, lead = r['rebalance'][0], r['rebalance'][1], float(r['rebalance'][2])
        pts = progress('rebalance-%d' % n)
        pre = [p for t, p in pts if t <= lead]
        during = [p for t, p in pts if lead < t <= lead + float(settled) + settle_s + 10]
        before = '%.1f' % statistics.median(pre) if pre else '-'
        spike = '%.1f' % max(during) if during else '-'
        if lead + float(settled) + settle_s + 10 > rebalance_s:
            print('scale-out: rebalance-%d ended before its window did; raise REBALANCE_S' % n, file=sys.stderr)
        rj = json.load(open(os.path.join(out, 'rebalance-%d.json' % n)))
        reb = '%d / %d' % (rj['missing'], rj['duplicates'])
    print('| %d | %d | %.1f | %.1f | %d | %s | %.2f | %.2f | %.2f | %.2f | %s | %s | %s | %s | %s |' % (
        n, s['throughput_rps'], s['overhead_p50_ms'], s['overhead_p99_ms'], s['missing'],
        ', '.join('%.2f' % c for c in gws), per_req, cores['broker'], cores['sim'], cores['bench'],
        first, settled, before, spike, reb))
PY
