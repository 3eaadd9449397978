#!/usr/bin/env bash
# The port dataplane's figures (docs/dataplane.md): the router workload's per-interface captures
# on three net_pcap ports with infinite_rx=1, one worker (one file a port) and two workers (each
# port's file split by split_capture into a queue per worker, as symmetric RSS splits it), each
# receive-and-free (--null-path) and forwarding with the compiled engine; RUNS rounds (default 3)
# of DURATION seconds (default 4). Prints medians, ranges and the ratios the issue's targets name.
#   scripts/ports-bench.sh [WORKLOAD]      (default short: gen_router_workload --flows 5000)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${FWBENCH_BUILD:-build}
dir=${FWBENCH_BENCH_DIR:-/tmp/fwbench-flow-bench}
runs=${RUNS:-3}
duration=${DURATION:-4}
w=${1:-short}
case "$w" in
  short) args="--flows 5000" ;;
  dense) args="--flows 5000 --flow-gap-us 4" ;;
  *) echo "unknown workload $w (short, dense)" >&2; exit 2 ;;
esac
mkdir -p "$dir"
[ -f "$dir/$w/in-wan1.pcap" ] || "$build/traces/gen_router_workload" -o "$dir/$w" $args >/dev/null
for i in wan1 lan0 dmz0; do
  [ -f "$dir/$w/split-$i-q1.pcap" ] || "$build/traces/split_capture" "$dir/$w/in-$i.pcap" --queues 2 -o "$dir/$w/split-$i" >/dev/null
done
vdevs() {  # one worker: a file a port; two: the split files, a queue each
  local n=0 out=""
  for i in wan1 lan0 dmz0; do
    if [ "$1" = 1 ]; then files="rx_pcap=$dir/$w/in-$i.pcap"
    else files="rx_pcap=$dir/$w/split-$i-q0.pcap,rx_pcap=$dir/$w/split-$i-q1.pcap"; fi
    out+=" --vdev=net_pcap$n,$files,infinite_rx=1"
    n=$((n + 1))
  done
  echo "${out# }"
}
for ((r = 1; r <= runs; r++)); do
  for workers in 1 2; do
    for mode in null fwd; do
      extra=()
      [ $mode = null ] && extra=(--null-path)
      "$build/bench/fwbench" --rules "$dir/$w/rules.v4" --host "$dir/$w/host.json" --engine compiled \
        --port net_pcap0=wan1 --port net_pcap1=lan0 --port net_pcap2=dmz0 --workers $workers --duration "$duration" \
        -q --json "$dir/ports-$w-$workers-$mode-$r.json" "${extra[@]}" --eal "$(vdevs $workers)" 2>/dev/null
    done
  done
done
python3 - "$dir" "$w" "$runs" "$args" <<'PY'
import json, statistics, sys
d, w, runs, args = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
med = {}
print(f"ports, {w} (gen_router_workload {args}), three net_pcap ports with infinite_rx, compiled engine, {runs} runs:")
for workers in (1, 2):
    for mode in ("null", "fwd"):
        js = [json.load(open(f"{d}/ports-{w}-{workers}-{mode}-{r}.json")) for r in range(1, runs + 1)]
        mpps = sorted(j["mpps"] for j in js)
        med[(workers, mode)] = statistics.median(mpps)
        extra = ""
        if mode == "fwd" and workers == 2:
            extra = f"  handed off {100.0 * js[-1]['handed_off'] / max(1, js[-1]['rx']):.1f}% of frames"
        print(f"  {workers} worker{'s' if workers > 1 else ' '} {'receive-and-free' if mode == 'null' else 'forwarding':17} "
              f"{med[(workers, mode)]:6.2f} Mpps ({mpps[0]:.2f}-{mpps[-1]:.2f}){extra}")
print(f"  one worker forwarding / receive-and-free: {100.0 * med[(1, 'fwd')] / med[(1, 'null')]:.1f}% (target 50%)")
print(f"  two workers / one, forwarding: {med[(2, 'fwd')] / med[(1, 'fwd')]:.2f}x (target 1.8x); "
      f"receive-and-free: {med[(2, 'null')] / med[(1, 'null')]:.2f}x")
PY
