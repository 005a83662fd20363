#!/usr/bin/env bash
# npm test: every test, in three lanes side by side. The tests that run Galera or the chart
# as real pods (each starts a real node) take most of the time and mostly wait (state
# transfers, probes, idle gaps); they run in two lanes, everything else in a third. Each
# lane is node:test running its files one after the other; the output of each lane is
# printed whole when it ends, and the exit status is 1 if any test failed anywhere.
set -uo pipefail
cd "$(dirname "$0")/.."

# Balanced by their last measured times (s): failures 543, recovery 497, backup ~275,
# production ~160, overlays ~150, chart-pods 151, real-node ~30.
node_lane_1=(test/real-node.test.ts test/galera-failures.test.ts test/galera-backup.test.ts)
node_lane_2=(test/galera-overlays.test.ts test/galera-recovery.test.ts test/chart-pods.test.ts test/galera-production.test.ts)
shopt -s globstar nullglob
others=()
for file in policies/**/*.test.ts cli/**/*.test.ts generator/**/*.test.ts webhook/**/*.test.ts test/*.test.ts; do
  [ -f "$file" ] || continue
  case " ${node_lane_1[*]} ${node_lane_2[*]} " in *" $file "*) continue ;; esac
  others+=("$file")
done

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
run_lane() {
  local name=$1 lane=$2; shift 2
  local begin=$SECONDS
  GALERA_TEST_LANE=$lane node --test --test-reporter=spec "$@" > "$logs/$name.log" 2>&1
  local status=$?
  echo "== lane $name: $(( SECONDS - begin )) s, exit $status" >> "$logs/$name.log"
  return $status
}
run_lane real-node-1 1 "${node_lane_1[@]}" & lane1=$!
run_lane real-node-2 2 "${node_lane_2[@]}" & lane2=$!
run_lane others 0 "${others[@]}" & lane3=$!
failed=0
for lane in $lane3 $lane1 $lane2; do wait "$lane" || failed=1; done
for name in others real-node-1 real-node-2; do cat "$logs/$name.log"; done
exit $failed
