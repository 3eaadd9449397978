#!/usr/bin/env bash
# The capture-size benchmark of docs/captures.md: `fwbench --pcap` over generated router
# captures of 100K, 1M and 10M packets (gen_router_workload --packets), compiled engine, one core.
# For each size it runs fwbench RUNS times and prints the medians: the whole analysis's rate
# (reading, mbufs, origins, packet path, counting; from --json "analysis", start-up excluded),
# ns per packet, and peak memory (GNU time's maximum resident set); then the ratio of the
# largest size's ns per packet to the smallest's (linear time: 1.0).
#   scripts/bench-captures.sh [SIZE ...]        default: 100000 1000000 10000000
# FWBENCH_BENCH_DIR (default /tmp/fwbench-captures) keeps the generated captures between runs
# (10M packets: about 7 GB with the per-interface copies); FWBENCH_BENCH_RUNS (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${FWBENCH_BUILD:-build}
dir=${FWBENCH_BENCH_DIR:-/tmp/fwbench-captures}
runs=${FWBENCH_BENCH_RUNS:-3}
sizes=("$@")
if ((${#sizes[@]} == 0)); then sizes=(100000 1000000 10000000); fi
[ -x /usr/bin/time ] || { echo "bench-captures: needs GNU time (apt-get install time)"; exit 2; }
meson compile -C "$build" fwbench gen_router_workload >/dev/null

median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

printf '%10s %12s %12s %10s %12s\n' packets "packets/s" "ns/packet" "peak MB" "file MB"
first_ns="" last_ns=""
for n in "${sizes[@]}"; do
  w="$dir/rw-$n"
  [ -f "$w/capture.pcapng" ] || "$build/traces/gen_router_workload" -o "$w" --packets "$n" >/dev/null
  rates=() mems=()
  for ((r = 0; r < runs; r++)); do
    /usr/bin/time -f '%M' -o "$w/time.txt" "$build/bench/fwbench" --rules "$w/rules.v4" --host "$w/host.json" \
      --pcap "$w/capture.pcapng" --engine compiled -q --json "$w/report.json"
    rates+=("$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["analysis"]["packets_per_second"])' "$w/report.json")")
    mems+=("$(cat "$w/time.txt")")
  done
  rate=$(printf '%s\n' "${rates[@]}" | median)
  mem_kb=$(printf '%s\n' "${mems[@]}" | median)
  ns=$(python3 -c "print(1e9 / $rate)")
  [ -n "$first_ns" ] || first_ns=$ns
  last_ns=$ns
  printf '%10d %12.0f %12.0f %10.1f %12.1f\n' "$n" "$rate" "$ns" "$(python3 -c "print($mem_kb / 1024)")" \
    "$(python3 -c "import os; print(os.path.getsize('$w/capture.pcapng') / 2**20)")"
done
python3 -c "print('ns/packet, largest size over smallest: %.2f' % ($last_ns / $first_ns))"
