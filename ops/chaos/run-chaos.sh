#!/usr/bin/env bash
# The chaos suite of docs/RELIABILITY.md: four integration tests against real parts on loopback
# (the built jar as `sluice run` processes, an embedded broker, simulators). CI runs them at their
# default, CI size, as part of `./mvnw -B verify`; this script runs them alone, at CI size or longer.
#
#   ops/chaos/run-chaos.sh                 # all four, CI size
#   ops/chaos/run-chaos.sh --long          # all four, long: 10 kill cycles, 3 broker restarts of
#                                          # 30 s, 3 rebalance rounds, a 5-minute brown-out
#   ops/chaos/run-chaos.sh --long kill9    # one scenario: kill9, broker, rebalance, brownout
#   ops/chaos/run-chaos.sh -Dsluice.chaos.cycles=20 kill9   # any property of the tests
#
# Each test prints one summary line (what it did, requests, answered, lost, duplicated); they are
# appended to topology/target/chaos-summary.txt and printed at the end. Logs of the gateway
# processes: topology/target/chaos/<scenario>/.
set -euo pipefail
cd "$(dirname "$0")/../.."

props=()
tests=()
for arg in "$@"; do
  case "$arg" in
    --long)
      props+=(-Dsluice.chaos.cycles=10 -Dsluice.chaos.broker.restarts=3 -Dsluice.chaos.outage.s=30
        -Dsluice.chaos.rounds=3 -Dsluice.chaos.brownout.s=300) ;;
    -D*) props+=("$arg") ;;
    kill9) tests+=(ChaosKill9IT) ;;
    broker) tests+=(ChaosBrokerRestartIT) ;;
    rebalance) tests+=(ChaosRebalanceIT) ;;
    brownout) tests+=(ChaosBrownOutIT) ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "run-chaos.sh: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
done
if [ ${#tests[@]} -eq 0 ]; then
  tests=('Chaos*IT')
fi
selection=$(IFS=,; echo "${tests[*]}")

summary=topology/target/chaos-summary.txt
before=0
[ -f "$summary" ] && before=$(wc -l < "$summary")
status=0
./mvnw -B -pl topology -am -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dit.test="$selection" ${props[@]+"${props[@]}"} verify || status=$?
echo "== chaos summary (commit $(git rev-parse --short HEAD), $(date -u +%Y-%m-%dT%H:%MZ))"
[ -f "$summary" ] && tail -n +"$((before + 1))" "$summary"
exit "$status"
