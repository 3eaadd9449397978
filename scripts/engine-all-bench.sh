#!/usr/bin/env bash
# `fwbench --engine all` on ClassBench sets, RUNS times each (default 3): per set and engine the
# median ns/packet of the whole walk (keys made from packets, looked up, counters bumped) and of
# the lookup alone over keys made beforehand, with their ranges, and the ratio rte_acl / compiled
# of each (above 1: the compiled engine is faster). docs/compiled-engine.md holds the figures.
#   scripts/engine-all-bench.sh [SET ...]     (default: acl1_10k fw1_10k ipc1_10k)
# SETs are names under ../shared/data/classbench (FWBENCH_SHARED_DATA overrides); each gets a
# 100,000-header trace (gen_classbench_trace, seed 1) in $FWBENCH_BENCH_DIR (/tmp/fwbench-engine-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${FWBENCH_BUILD:-build}
data=${FWBENCH_SHARED_DATA:-../shared/data}
dir=${FWBENCH_BENCH_DIR:-/tmp/fwbench-engine-bench}
runs=${RUNS:-3}
sets=("$@")
((${#sets[@]})) || sets=(acl1_10k fw1_10k ipc1_10k)
mkdir -p "$dir"
for s in "${sets[@]}"; do
  rules="$data/classbench/$s"
  [ -f "$rules" ] || { echo "no ClassBench set $rules" >&2; exit 2; }
  [ -f "$dir/$s.trace" ] || "$build/traces/gen_classbench_trace" "$rules" -o "$dir/$s.trace" -n 100000 --seed 1
  for ((r = 1; r <= runs; r++)); do
    "$build/bench/fwbench" --format classbench --rules "$rules" --trace "$dir/$s.trace" --engine all -q --json "$dir/$s-$r.json"
  done
  python3 - "$dir" "$s" "$runs" <<'PY'
import json, statistics, sys
d, s, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
docs = [json.load(open(f"{d}/{s}-{r}.json")) for r in range(1, runs + 1)]
print(f"{s} ({docs[0]['rule_count']} rules, {docs[0]['packets']} packets), {runs} runs, ns/packet median (range):")
med = {}
for e in docs[0]["engines"]:
    name = e["name"]
    rows = [next(x for x in doc["engines"] if x["name"] == name) for doc in docs]
    for key in ("ns_per_packet", "lookup_ns_per_packet"):
        v = sorted(x.get(key, 0) for x in rows)
        if not v[-1]:
            continue
        med[(name, key)] = statistics.median(v)
        bad = sum(x.get("lookup_disagreements", 0) for x in rows)
        what = "whole walk" if key == "ns_per_packet" else "lookup alone"
        print(f"  {name:9} {what:12} {statistics.median(v):9.1f} ({v[0]:.1f}-{v[-1]:.1f})" + (f"  DISAGREES {bad}" if bad else ""))
    if name == "compiled":
        print(f"  {'':9} {'build s':12} {statistics.median(x['build_seconds'] for x in rows):9.3f}  memory {rows[0]['memory_bytes'] / 2**20:.1f} MiB")
    if name == "acl" and "details" in rows[0]:
        print(f"  {'':9} {'algorithm':12} {rows[0]['details'].get('algorithm', '?')}  memory {rows[0]['memory_bytes'] / 2**20:.1f} MiB")
for key, what in (("ns_per_packet", "whole walk"), ("lookup_ns_per_packet", "lookup alone")):
    if ("acl", key) in med and ("compiled", key) in med:
        print(f"  rte_acl / compiled, {what}: {med[('acl', key)] / med[('compiled', key)]:.2f}")
PY
done
