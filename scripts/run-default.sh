#!/usr/bin/env bash
# Set up, build and run fwbench's main job on the bundled default workload (the README's first command).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
[ -d build ] || meson setup build
meson compile -C build
exec ./build/bench/fwbench --format classbench \
  --rules traces/classbench/acl1_seed.rules \
  --trace build/traces/acl1_seed.trace "$@"
