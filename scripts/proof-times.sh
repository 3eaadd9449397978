#!/usr/bin/env bash
# How long `fwbench compare` takes to prove two layouts alike (or find where they differ) over
# all packets: ClassBench sets (acl1, fw1, ipc1 from ../shared/data/classbench) cut to 600 and
# 5,000 rules, as a flat chain against a jump tree by protocol (alike) and against the jump tree
# with one rule's target flipped (differ), and the 598-rule real ruleset of ../shared/data against
# itself. Prints the median of 3 runs of the proof's own time (its JSON "seconds") per pair, and
# the process's peak memory. docs/compare.md records the figures.
# Usage: scripts/proof-times.sh [build dir]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
data=${FWBENCH_SHARED_DATA:-../shared/data}
fwbench=$build/bench/fwbench
gen=$build/traces/gen_layouts
host=traces/seed/host.json
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median_of_3() {  # A B -> "median_seconds peak_kb verdict"
  local times=() kb=0 verdict
  for _ in 1 2 3; do
    /usr/bin/time -f '%M' -o "$work/mem" "$fwbench" compare --rules "$1" --rules "$2" --host "$host" --no-traffic --json "$work/proof.json" \
      >/dev/null || true
    times+=("$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["proof"]["seconds"])' "$work/proof.json")")
    local m; m=$(tail -1 "$work/mem")
    kb=$(( m > kb ? m : kb ))
    verdict=$(python3 -c 'import json,sys; print("alike" if json.load(open(sys.argv[1]))["proof"]["equivalent"] else "differ")' "$work/proof.json")
  done
  printf '%s %s %s\n' "$(printf '%s\n' "${times[@]}" | sort -g | sed -n 2p)" "$kb" "$verdict"
}

printf '%-10s %6s %-22s %10s %10s %s\n' set rules pair seconds peak_MB verdict
for set in acl1_10k fw1_10k ipc1_10k; do
  for n in 600 5000; do
    for layout in flat jump-tree edited; do "$gen" "$data/classbench/$set" --rules "$n" --layout "$layout" -o "$work/$layout.v4"; done
    for pair in jump-tree edited; do
      read -r s kb verdict < <(median_of_3 "$work/flat.v4" "$work/$pair.v4")
      printf '%-10s %6s %-22s %10.3f %10.0f %s\n' "${set%_10k}" "$n" "flat vs $pair" "$s" "$((kb / 1024))" "$verdict"
    done
  done
done
real=$data/rulesets/net-network/configs_medium-sized-company/iptables-save.iptables_mainfw_31.01.2016
read -r s kb verdict < <(median_of_3 "$real" "$real")
printf '%-10s %6s %-22s %10.3f %10.0f %s\n' real 598 "itself" "$s" "$((kb / 1024))" "$verdict"
