#!/usr/bin/env bash
# Set up, build and run fwbench's main job on the bundled default (the README's first command):
# the seed scenario — a router whose own SSH to its WAN address is dropped — from its capture,
# then the story of the first dropped packet, rule by rule.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
[ -d build ] || meson setup build
meson compile -C build
seed=(--rules traces/seed/rules.v4 --host traces/seed/host.json)
./build/bench/fwbench "${seed[@]}" --pcap traces/seed/capture.pcap "$@"
echo
./build/bench/fwbench explain "${seed[@]}" --pcap traces/seed/capture.pcap 0
