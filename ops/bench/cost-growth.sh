#!/usr/bin/env bash
# How cost grows, for the tables of docs/BENCHMARKS.md: one gateway (`sluice run`, -Xmx1g unless
# GATEWAY_HEAP says otherwise, GC log on) with the broker, the simulator and the load generator
# (`sluice bench --bootstrap`) each in a process of its own. Everything on 127.0.0.1 only.
#
#   ops/bench/cost-growth.sh                         # every run below
#   RUNS="cpu history" ops/bench/cost-growth.sh      # a subset of: cpu history sessions inflight
#   RATES="1000 2000 5000" HISTORIES="0 10 50 50x2048" SESSIONS="10000 1000000" INFLIGHT=10000 ...
#   PREWARM=60 WARMUP=10 DURATION=60 SIM_LATENCY=200 SLOW_LATENCY=5000 GATEWAY_HEAP=-Xmx1g ...
#
# - cpu: at each of RATES (unique requests), the gateway process's core-ms per request over the
#   measured phase (`--gateway-pid`: /proc/<pid>/stat), and per thread group from two `jcmd
#   Thread.print` (each thread's cpu=) DURATION s apart.
# - history: at HISTORY_RATE (1000), requests carrying N earlier messages (`--history N`, NxM:
#   `--history-bytes M`, default 100): overhead and the gateway's core-ms per request.
# - sessions: for each of SESSIONS, a fresh application (static membership, kafka.instance_id, so
#   a restart takes its partitions back at once instead of after session.timeout.ms) filled with that many live sessions
#   (`--prefill-sessions`; cache hits after the first), a DURATION s measurement at HISTORY_RATE,
#   then the state directory's size (du), the heap after a full GC (`jcmd GC.run`, then
#   `GC.heap_info`), and restore times: kill -9 and restart on the same state directory, then
#   kill -9, delete the state directory and restart (everything restored from the changelogs);
#   each the time from the restart to RUNNING on /health.
# - inflight: INFLIGHT requests held in flight (closed loop) against a second simulator answering
#   after SLOW_LATENCY ms (over h2c); the heap after GC from the gateway's GC log (the largest
#   after-GC figure while loaded), its full GCs (expected none), and the heap used at mid-run.
# Results: JSON and logs per run in $OUT (default /tmp/cost-growth), a markdown table per run kind
# on stdout. Needs the built jar, curl, python3, jcmd (the JDK's).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
jar="$root/topology/target/sluice.jar"
OUT="${OUT:-/tmp/cost-growth}"
RUNS="${RUNS:-cpu history sessions inflight}"
RATES="${RATES:-1000 2000 5000}"
HISTORIES="${HISTORIES:-0 10 50 50x2048}"
HISTORY_RATE="${HISTORY_RATE:-1000}"
SESSIONS="${SESSIONS:-10000 1000000}"
INFLIGHT="${INFLIGHT:-10000}"
PREWARM="${PREWARM:-60}"
WARMUP="${WARMUP:-10}"
DURATION="${DURATION:-60}"
SIM_LATENCY="${SIM_LATENCY:-200}"
SLOW_LATENCY="${SLOW_LATENCY:-5000}"
PARTITIONS="${PARTITIONS:-6}"
GUARANTEE="${GUARANTEE:-at_least_once}"
GATEWAY_HEAP="${GATEWAY_HEAP:--Xmx1g}"
RUNNING_TIMEOUT="${RUNNING_TIMEOUT:-600}"
SIM_PORT=18380 SLOW_SIM_PORT=18381 KAFKA_PORT=19392 HTTP_PORT=18390
[ -f "$jar" ] || { echo "cost-growth: build the jar first (./mvnw -B -q package -DskipTests)" >&2; exit 2; }
mkdir -p "$OUT"
rm -rf "$OUT/kafka" "$OUT"/state-* "$OUT"/*.json "$OUT"/*.progress "$OUT"/rows-*.tsv "$OUT"/gc-*.log
pids=()
gw_pid=""
prefix="llm."
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
state() { curl -s --max-time 1 "http://127.0.0.1:$HTTP_PORT/health" 2>/dev/null | sed -n 's/.*"state":"\([A-Z_]*\)".*/\1/p'; }
await_running() { # prints the seconds since $1 until /health says RUNNING
  for _ in $(seq 1 $((RUNNING_TIMEOUT * 5))); do
    [ "$(state)" = RUNNING ] && { elapsed "$1" "$(now)"; return 0; }
    kill -0 "$gw_pid" 2>/dev/null || { echo "cost-growth: the gateway exited (see its log)" >&2; exit 1; }
    sleep 0.2
  done
  echo "cost-growth: the gateway did not reach RUNNING within ${RUNNING_TIMEOUT}s" >&2; exit 1
}

java -jar "$jar" sim --port $SIM_PORT --latency-ms "$SIM_LATENCY" > "$OUT/sim.log" 2>&1 & pids+=($!)
java -jar "$jar" broker --port $KAFKA_PORT --data-dir "$OUT/kafka" --registry-port 0 > "$OUT/broker.log" 2>&1 & pids+=($!)
for _ in $(seq 1 90); do grep -q Ready "$OUT/broker.log" && break; sleep 1; done
grep -q Ready "$OUT/broker.log" || { echo "cost-growth: the broker did not start" >&2; exit 1; }
for _ in $(seq 1 60); do curl -fs -o /dev/null "http://127.0.0.1:$SIM_PORT/stats" && break; sleep 1; done

gateway() { # name, application id, simulator port, max_concurrency, http2; starts it, sets gw_pid
  cat > "$OUT/$1.yaml" <<YAML
kafka:
  bootstrap_servers: 127.0.0.1:$KAFKA_PORT
  application_id: $2
  instance_id: $2-1
  processing_guarantee: $GUARANTEE
  state_dir: $OUT/state-$2
topics: {partitions: $PARTITIONS, prefix: "$2."}
providers:
  sim: {type: openai, base_url: "http://127.0.0.1:$3/v1", timeout_ms: 60000, max_concurrency: $4, http2: $5}
models:
  bench: {deployments: [{provider: sim, model: sim-bench}]}
http: {port: $HTTP_PORT}
YAML
  # topics of its own per application: a new application id on a shared llm.requests would start
  # at its earliest offset and first work through every earlier run's requests
  java -jar "$jar" topics --config "$OUT/$1.yaml" --partitions "$PARTITIONS" >> "$OUT/topics.log" 2>&1
  prefix="$2."
  restart "$1"
}
restart() { # name: (re)starts the gateway of config $1, GC log appended
  # shellcheck disable=SC2086 # word splitting of the options is intended
  java $GATEWAY_HEAP "-Xlog:gc:file=$OUT/gc-$1.log:uptime:filecount=0" -jar "$jar" run --config "$OUT/$1.yaml" >> "$OUT/$1.log" 2>&1 &
  gw_pid=$!
  pids+=($gw_pid)
}
stop_gateway() { kill "$gw_pid" 2>/dev/null || true; for _ in $(seq 1 60); do kill -0 "$gw_pid" 2>/dev/null || return 0; sleep 0.5; done; kill -9 "$gw_pid" 2>/dev/null || true; }
bench() { # name, args...: the bench against the running gateway, in the foreground
  local name=$1; shift
  echo "== $name: sluice bench --bootstrap $* (load average $(cut -d" " -f1-3 /proc/loadavg))" >&2
  java -jar "$jar" bench --bootstrap "127.0.0.1:$KAFKA_PORT" --topic-prefix "$prefix" --gateway-pid "$gw_pid" --json "$OUT/$name.json" "$@" \
    > "$OUT/$name.out" 2> "$OUT/$name.progress" || echo "cost-growth: $name reported missing or duplicated responses" >&2
}
prewarm() { [ "$PREWARM" -gt 0 ] && bench "prewarm-$1" --rate 1000 --sim-latency-ms "$SIM_LATENCY" --warmup-s 0 --duration-s "$PREWARM"; return 0; }
threads() { jcmd "$gw_pid" Thread.print > "$OUT/$1.threads" 2>/dev/null || true; }

for run in $RUNS; do
  case "$run" in
    cpu)
      t0=$(now); gateway cpu cost-cpu $SIM_PORT 2000 false; await_running "$t0" > /dev/null; prewarm cpu
      for rate in $RATES; do
        java -jar "$jar" bench --bootstrap "127.0.0.1:$KAFKA_PORT" --topic-prefix "$prefix" --gateway-pid "$gw_pid" --rate "$rate" \
          --sim-latency-ms "$SIM_LATENCY" --warmup-s "$WARMUP" --duration-s "$DURATION" --json "$OUT/cpu-$rate.json" \
          > "$OUT/cpu-$rate.out" 2> "$OUT/cpu-$rate.progress" &
        b=$!; pids+=($b)
        sleep $((WARMUP + 2)); threads "cpu-$rate-before"; sleep "$DURATION"; threads "cpu-$rate-after"
        wait "$b" || echo "cost-growth: cpu-$rate reported missing or duplicated responses" >&2
        echo "cpu-$rate" >> "$OUT/rows-cpu.tsv"
      done
      stop_gateway ;;
    history)
      t0=$(now); gateway history cost-history $SIM_PORT 2000 false; await_running "$t0" > /dev/null; prewarm history
      for h in $HISTORIES; do
        n=${h%x*}; m=100; [ "$h" != "$n" ] && m=${h#*x}
        bench "history-$h" --rate "$HISTORY_RATE" --sim-latency-ms "$SIM_LATENCY" --warmup-s "$WARMUP" \
          --duration-s "$DURATION" --history "$n" --history-bytes "$m"
        echo "history-$h $n $m" >> "$OUT/rows-history.tsv"
      done
      stop_gateway ;;
    sessions)
      for n in $SESSIONS; do
        t0=$(now); gateway "sessions-$n" "cost-sessions-$n" $SIM_PORT 2000 false; fresh=$(await_running "$t0")
        bench "sessions-$n" --rate "$HISTORY_RATE" --sim-latency-ms "$SIM_LATENCY" --warmup-s "$WARMUP" \
          --duration-s "$DURATION" --prefill-sessions "$n" --state-dir "$OUT/state-cost-sessions-$n"
        jcmd "$gw_pid" GC.run > /dev/null
        heap=$(jcmd "$gw_pid" GC.heap_info | sed -n 's/.*total \([0-9]*\)K, used \([0-9]*\)K.*/\2/p' | head -1)
        disk=$(du -sb "$OUT/state-cost-sessions-$n" | cut -f1)
        kill -9 "$gw_pid"; wait "$gw_pid" 2>/dev/null || true
        t0=$(now); restart "sessions-$n"; warm=$(await_running "$t0")
        kill -9 "$gw_pid"; wait "$gw_pid" 2>/dev/null || true
        rm -rf "$OUT/state-cost-sessions-$n"
        t0=$(now); restart "sessions-$n"; cold=$(await_running "$t0")
        stop_gateway
        echo "sessions-$n $n ${heap:-0} $disk $fresh $warm $cold" >> "$OUT/rows-sessions.tsv"
      done ;;
    inflight)
      java -jar "$jar" sim --port $SLOW_SIM_PORT --latency-ms "$SLOW_LATENCY" > "$OUT/slow-sim.log" 2>&1 & pids+=($!)
      slow_sim=$!
      for _ in $(seq 1 60); do curl -fs -o /dev/null "http://127.0.0.1:$SLOW_SIM_PORT/stats" && break; sleep 1; done
      t0=$(now); gateway inflight cost-inflight $SLOW_SIM_PORT $((INFLIGHT * 2)) true; await_running "$t0" > /dev/null
      start_line=$(wc -l < "$OUT/gc-inflight.log")
      java -jar "$jar" bench --bootstrap "127.0.0.1:$KAFKA_PORT" --topic-prefix "$prefix" --gateway-pid "$gw_pid" --mode closed \
        --in-flight "$INFLIGHT" --sim-latency-ms "$SLOW_LATENCY" --warmup-s "$WARMUP" --duration-s "$DURATION" \
        --json "$OUT/inflight.json" > "$OUT/inflight.out" 2> "$OUT/inflight.progress" &
      b=$!; pids+=($b)
      sleep $((WARMUP + 2 + DURATION / 2))
      mid=$(jcmd "$gw_pid" GC.heap_info | sed -n 's/.*total \([0-9]*\)K, used \([0-9]*\)K.*/\2/p' | head -1)
      wait "$b" || echo "cost-growth: inflight reported missing or duplicated responses" >&2
      echo "inflight $INFLIGHT ${mid:-0} $start_line" >> "$OUT/rows-inflight.tsv"
      stop_gateway; kill "$slow_sim" 2>/dev/null || true ;;
    *) echo "cost-growth: unknown run '$run'" >&2; exit 2 ;;
  esac
done

python3 - "$OUT" <<'PY'
import json, os, re, sys
out = sys.argv[1]
def rows(kind):
    p = os.path.join(out, 'rows-%s.tsv' % kind)
    return [l.split() for l in open(p)] if os.path.exists(p) else []
def j(name): return json.load(open(os.path.join(out, name + '.json')))
def gw(s): return s['cpu'].get('gateway_process_core_ms_per_request', float('nan'))
def groups(name):  # thread group -> cpu ms, from a jcmd Thread.print
    g = {}
    for line in open(os.path.join(out, name + '.threads')):
        m = re.match(r'^"(.+?)" .*cpu=([\d.]+)ms', line)
        if m:
            k = re.sub(r'\d+', '#', re.sub(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', '*', m.group(1)))
            g[k] = g.get(k, 0) + float(m.group(2))
    return g
if rows('cpu'):
    print('\n| rate | throughput /s | overhead p50 ms | overhead p99 ms | gateway cores | gateway core-ms / request | top thread groups, core-ms / request |')
    print('|---|---|---|---|---|---|---|')
    for (name,) in rows('cpu'):
        s = j(name); n = max(1, s['answered'])
        try:
            b, a = groups(name + '-before'), groups(name + '-after')
            d = sorted(((a[k] - b.get(k, 0), k) for k in a), reverse=True)[:5]
            top = '; '.join('%s %.3f' % (k, v / n) for v, k in d)
        except OSError:
            top = '-'
        print('| %s | %d | %.1f | %.1f | %.2f | %.3f | %s |' % (name[4:], s['throughput_rps'], s['overhead_p50_ms'],
              s['overhead_p99_ms'], s['cpu'].get('gateway_process_cores', 0), gw(s), top))
if rows('history'):
    print('\n| history messages | bytes each | throughput /s | overhead p50 ms | overhead p99 ms | missing | gateway core-ms / request |')
    print('|---|---|---|---|---|---|---|')
    for name, n, m in rows('history'):
        s = j(name)
        print('| %s | %s | %d | %.1f | %.1f | %d | %.3f |' % (n, m, s['throughput_rps'], s['overhead_p50_ms'],
              s['overhead_p99_ms'], s['missing'], gw(s)))
if rows('sessions'):
    print('\n| live sessions | filled | prefill /s | overhead p50 ms | overhead p99 ms | gateway core-ms / request | state on disk MiB | heap after full GC MiB | first start (empty), to RUNNING s | restart after kill -9 on its state, to RUNNING s | restart after kill -9 without state (restore from changelogs), to RUNNING s |')
    print('|---|---|---|---|---|---|---|---|---|---|---|')
    for name, n, heap_k, disk, fresh, warm, cold in rows('sessions'):
        s = j(name); p = s.get('prefill', {})
        print('| %s | %s | %s | %.1f | %.1f | %.3f | %.0f | %.0f | %s | %s | %s |' % (n, p.get('sessions_filled', '-'),
              p.get('rate_per_s', '-'), s['overhead_p50_ms'], s['overhead_p99_ms'], gw(s), int(disk) / 2**20,
              int(heap_k) / 1024, fresh, warm, cold))
if rows('inflight'):
    print('\n| in flight | answered /s | heap used at mid-run MiB | largest heap after a GC under load MiB | full GCs | GC pauses | gateway core-ms / request |')
    print('|---|---|---|---|---|---|---|')
    for _, n, mid_k, start in rows('inflight'):
        s = j('inflight')
        lines = open(os.path.join(out, 'gc-inflight.log')).read().splitlines()[int(start):]
        after = [int(m.group(1)) for m in (re.search(r'->(\d+)M\(', l) for l in lines) if m]
        full = sum(1 for l in lines if 'Pause Full' in l)
        print('| %s | %d | %.0f | %s | %d | %d | %.3f |' % (n, s['throughput_rps'], int(mid_k) / 1024,
              max(after) if after else '-', full, len(after), gw(s)))
PY
