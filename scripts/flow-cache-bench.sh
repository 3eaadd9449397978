#!/usr/bin/env bash
# The flow cache's figures (docs/flow-cache.md): the router workload replayed by one worker with
# the compiled engine, the cache on and off in alternate runs, RUNS runs each (default 3), the
# cache on without bursts (--no-bursts: packet by packet, no prefetching stages), and the replay
# dataplane's bare loop (--null-path) in the same rounds. Prints per workload the
# median ns/packet and Mpps of each, their range, the share of packets replayed, and the ratios.
#   scripts/flow-cache-bench.sh [WORKLOAD ...]     (default: short long)
# Workloads (generated into $FWBENCH_BENCH_DIR, default /tmp/fwbench-flow-bench, once):
#   short  gen_router_workload --flows 5000                         (7.5 packets a flow)
#   long   gen_router_workload --flows 2000 --data-scale 20         (81 packets a flow)
#   dense  gen_router_workload --flows 5000 --flow-gap-us 4         (the next one's baseline)
#   200k   gen_router_workload --flows 200000 --flow-gap-us 4       (170,000 connections held at once)
#   1m     gen_router_workload --flows 1000000 --flow-gap-us 4 --resolvers 8
#          (a million flows at once; their DNS needs more source ports toward one resolver than
#          one MASQUERADE address has: 8 resolvers. About 8 GB of memory for the replay.)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${FWBENCH_BUILD:-build}
dir=${FWBENCH_BENCH_DIR:-/tmp/fwbench-flow-bench}
runs=${RUNS:-3}
duration=${DURATION:-4}
workloads=("$@")
((${#workloads[@]})) || workloads=(short long)
mkdir -p "$dir"

generate() {
  case "$1" in
    short) echo "--flows 5000" ;;
    long) echo "--flows 2000 --data-scale 20" ;;
    dense) echo "--flows 5000 --flow-gap-us 4" ;;
    200k) echo "--flows 200000 --flow-gap-us 4" ;;
    1m) echo "--flows 1000000 --flow-gap-us 4 --resolvers 8" ;;
    *) echo "unknown workload $1 (short, long, dense, 200k, 1m)" >&2; exit 2 ;;
  esac
}

for w in "${workloads[@]}"; do
  args=$(generate "$w")
  [ -f "$dir/$w/capture.pcapng" ] || "$build/traces/gen_router_workload" -o "$dir/$w" $args >/dev/null
  for ((r = 1; r <= runs; r++)); do
    for mode in cache nocache nobursts null; do
      extra=()
      case $mode in nocache) extra=(--no-flow-cache) ;; nobursts) extra=(--no-bursts) ;; null) extra=(--null-path) ;; esac
      "$build/bench/fwbench" --rules "$dir/$w/rules.v4" --host "$dir/$w/host.json" --pcap "$dir/$w/capture.pcapng" \
        --engine compiled --duration "$duration" -q --json "$dir/$w-$mode-$r.json" "${extra[@]}"
    done
  done
  python3 - "$dir" "$w" "$runs" "$args" <<'EOF'
import json, statistics, sys
d, w, runs, args = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
def load(mode):
    out = []
    for r in range(1, runs + 1):
        j = json.load(open(f"{d}/{w}-{mode}-{r}.json"))
        out.append((j["workers"][0]["ns_per_packet"], j["workers"][0]["mpps"], j.get("flow_cache", {})))
    return out
modes = ("cache", "nocache", "nobursts", "null")
res = {m: load(m) for m in modes}
print(f"{w} (gen_router_workload {args}), {runs} runs each, one worker, compiled engine:")
med = {}
for m in modes:
    ns = sorted(x[0] for x in res[m]); mpps = sorted(x[1] for x in res[m])
    med[m] = (statistics.median(ns), statistics.median(mpps))
    line = f"  {m:8} {med[m][0]:7.1f} ns/packet ({ns[0]:.1f}-{ns[-1]:.1f})  {med[m][1]:6.2f} Mpps ({mpps[0]:.2f}-{mpps[-1]:.2f})"
    if m == "cache":
        fc = res[m][-1][2]
        total = fc["replayed"] + fc["walked"]
        line += f"  replayed {100.0 * fc['replayed'] / total:.1f}% ({fc['misses']})"
    print(line)
print(f"  cache / no cache: {med['cache'][0] / med['nocache'][0]:.2f} of the time per packet; "
      f"cached rate {100.0 * med['cache'][1] / med['null'][1]:.1f}% of the bare loop's; "
      f"bursts / packet by packet: {med['cache'][0] / med['nobursts'][0]:.2f} of the time per packet")
EOF
done
