#!/usr/bin/env bash
# Sluice's front door and Portkey's open-source gateway side by side on this machine: the same
# simulator (200 ms, OpenAI-compatible, streaming), the same load tool (`sluice bench http`),
# one after the other in one run. Everything listens on 127.0.0.1 only. Results: one JSON per run
# in $OUT (default /tmp/frontdoor-vs-portkey), and a table on stdout.
#
#   ops/bench/frontdoor-vs-portkey.sh                  # every run (about 25 minutes)
#   RUNS="saturated 1000" ops/bench/frontdoor-vs-portkey.sh   # a subset: saturated 500 1000 2000 stream eos c1
#   (c1: a third gateway whose JVM compiles with C1 only, -XX:TieredStopAtLevel=1, saturated and 1,000/s)
#   PREWARM=60 WARMUP=10 DURATION=30 IN_FLIGHT=512 ... # the knobs, with their defaults
#   GATEWAY_JAVA_OPTS=-XX:TieredStopAtLevel=1 ...      # JVM options of the Sluice gateways
#
# Each gateway is prewarmed once after it starts (PREWARM seconds of closed-loop load at
# IN_FLIGHT/2, not recorded), then every run has its own short WARMUP. A JVM on two cores spends
# its first minute under load compiling (C2 took 77 s of compiler CPU in the first 45 s here, while
# the gateway held 81-785/s): without the prewarm the first rows measure the JIT, not the gateway.
# Portkey (Node) is prewarmed the same way. PREWARM=0 measures a cold start.
#
# Needs: the built jar (topology/target/sluice.jar), Node.js and npm (Portkey is installed from
# the npm registry into ops/bench/portkey/node_modules on first use).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
jar="$root/topology/target/sluice.jar"
OUT="${OUT:-/tmp/frontdoor-vs-portkey}"
PREWARM="${PREWARM:-60}"
WARMUP="${WARMUP:-10}"
GATEWAY_JAVA_OPTS="${GATEWAY_JAVA_OPTS:-}"
DURATION="${DURATION:-30}"
IN_FLIGHT="${IN_FLIGHT:-512}"
RUNS="${RUNS:-saturated 500 1000 2000 stream eos c1}"
SIM_PORT=18080 PORTKEY_PORT=8787 KAFKA_PORT=19092 DOOR_PORT=4000 EOS_DOOR_PORT=4001 C1_DOOR_PORT=4002
mkdir -p "$OUT"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
await_http() { # url, seconds
  for _ in $(seq 1 "$2"); do curl -fs -o /dev/null "$1" && return 0; sleep 1; done
  echo "frontdoor-vs-portkey: $1 did not answer" >&2; exit 1
}

java -jar "$jar" sim --port $SIM_PORT --latency-ms 200 > "$OUT/sim.log" 2>&1 & pids+=($!)
PORTKEY_PORT=$PORTKEY_PORT "$root/ops/bench/portkey/run.sh" > "$OUT/portkey.log" 2>&1 & pids+=($!)
java -jar "$jar" broker --port $KAFKA_PORT --data-dir "$OUT/kafka" --registry-port 0 > "$OUT/broker.log" 2>&1 & pids+=($!)
await_http "http://127.0.0.1:$SIM_PORT/stats" 60
for _ in $(seq 1 90); do grep -q Ready "$OUT/broker.log" && break; sleep 1; done

gateway() { # name, guarantee, door port, [JVM options, default $GATEWAY_JAVA_OPTS]
  cat > "$OUT/$1.yaml" <<YAML
kafka:
  bootstrap_servers: 127.0.0.1:$KAFKA_PORT
  application_id: bench-$1
  processing_guarantee: $2
  state_dir: $OUT/state-$1
providers:
  sim: {type: openai, base_url: "http://127.0.0.1:$SIM_PORT/v1", timeout_ms: 30000, max_concurrency: 2048}
models:
  gpt-4o-mini: {deployments: [{provider: sim, model: gpt-4o-mini}]}
cache: {enabled: false}
http: {port: 0}
front_door: {host: 127.0.0.1, port: $3, auth: none, max_in_flight: 8192}
YAML
  # shellcheck disable=SC2086 # word splitting of the options is intended
  java ${4-$GATEWAY_JAVA_OPTS} -jar "$jar" run --config "$OUT/$1.yaml" > "$OUT/$1.log" 2>&1 & pids+=($!)
  await_http "http://127.0.0.1:$3/v1/models" 120
  prewarm "$1" --url "http://127.0.0.1:$3/v1"
}
prewarm() { # name, args...
  local name=$1; shift
  [ "$PREWARM" -gt 0 ] || return 0
  echo "== prewarm $name for ${PREWARM}s: sluice bench http $*" >&2
  java -jar "$jar" bench http --warmup-s 0 --duration-s "$PREWARM" --in-flight $((IN_FLIGHT / 2)) "$@" \
    > "$OUT/prewarm-$name.json" 2> "$OUT/prewarm-$name.progress"
}

portkey=(--url "http://127.0.0.1:$PORTKEY_PORT/v1" -H x-portkey-provider:openai
  -H "x-portkey-custom-host:http://127.0.0.1:$SIM_PORT/v1" -H "Authorization:Bearer sk-bench")
sluice=(--url "http://127.0.0.1:$DOOR_PORT/v1")
bench() { # output name, args...
  local name=$1; shift
  echo "== $name: sluice bench http $* (load average $(cut -d" " -f1-3 /proc/loadavg))" >&2
  java -jar "$jar" bench http --warmup-s "$WARMUP" --duration-s "$DURATION" "$@" > "$OUT/$name.json" 2> "$OUT/$name.progress"
}

await_http "http://127.0.0.1:$PORTKEY_PORT/" 60
prewarm portkey "${portkey[@]}"
gateway alo at_least_once $DOOR_PORT
for run in $RUNS; do
  case "$run" in
    saturated)
      bench portkey-saturated "${portkey[@]}" --in-flight "$IN_FLIGHT"
      bench sluice-saturated "${sluice[@]}" --in-flight "$IN_FLIGHT" ;;
    500|1000|2000)
      bench "portkey-$run" "${portkey[@]}" --rate "$run"
      bench "sluice-$run" "${sluice[@]}" --rate "$run" ;;
    stream)
      bench portkey-stream-1000 "${portkey[@]}" --rate 1000 --stream
      bench sluice-stream-1000 "${sluice[@]}" --rate 1000 --stream ;;
    eos)
      gateway eos exactly_once_v2 $EOS_DOOR_PORT
      bench sluice-eos-saturated --url "http://127.0.0.1:$EOS_DOOR_PORT/v1" --in-flight "$IN_FLIGHT"
      bench sluice-eos-1000 --url "http://127.0.0.1:$EOS_DOOR_PORT/v1" --rate 1000 ;;
    c1)
      gateway c1 at_least_once $C1_DOOR_PORT -XX:TieredStopAtLevel=1
      bench sluice-c1-saturated --url "http://127.0.0.1:$C1_DOOR_PORT/v1" --in-flight "$IN_FLIGHT"
      bench sluice-c1-1000 --url "http://127.0.0.1:$C1_DOOR_PORT/v1" --rate 1000 ;;
    *) echo "frontdoor-vs-portkey: unknown run '$run'" >&2; exit 2 ;;
  esac
done

printf '%-22s %10s %8s %8s %10s %10s %10s %12s\n' run throughput ok failed p50_ms p99_ms ovh_p99 first_p99_ms
for f in "$OUT"/portkey-*.json "$OUT"/sluice-*.json; do
  [ -f "$f" ] || continue
  python3 - "$f" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
print('%-22s %10s %8s %8s %10.1f %10.1f %10.1f %12s' % (
    os.path.basename(sys.argv[1])[:-5], d['throughput_rps'], d['ok'], d['failed'],
    d['latency_p50_ms'], d['latency_p99_ms'], d['overhead_p99_ms'],
    d.get('first_content_p99_ms', '-')))
PY
done
