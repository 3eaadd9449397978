#!/usr/bin/env bash
# Set up, build and run the whole test suite (the README's second command).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
[ -d build ] || meson setup build
meson compile -C build
meson test -C build --print-errorlogs "$@"
