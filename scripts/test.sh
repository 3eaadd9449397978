#!/usr/bin/env bash
# Set up, build and run the whole test suite (the README's second command): once in the
# release build, then again in an ASan/UBSan build so memory and undefined-behaviour errors fail,
# then where threads meet under ThreadSanitizer (the engine slot, workers' shared tuples). After each build, every
# skipped test case is printed with its reason; with FWBENCH_REQUIRE_KERNEL=1 (CI) a skip fails
# the run (scripts/check_skips.py). Then each fuzz target for
# FWBENCH_FUZZ_SECONDS (default 60) under libFuzzer (scripts/fuzz.sh).
# FWBENCH_SKIP_SANITIZERS=1 runs only the release build (for quick local iterations), without
# the sanitizer build and the fuzzers.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/check-format.sh

[ -d build ] || meson setup build
meson compile -C build
meson test -C build --print-errorlogs "$@"
./scripts/check_skips.py build

if [ "${FWBENCH_SKIP_SANITIZERS:-0}" != 1 ]; then
  [ -d build-asan ] || meson setup build-asan -Db_sanitize=address,undefined -Dbuildtype=debug
  meson compile -C build-asan
  # Every case but KernelIptablesParity, which runs the installed iptables some 1,300 times and
  # fwbench only through the parser: IptablesParity (ruleset suite) reads the same fixtures here.
  # Nor the path fixtures against the kernel (PathFixtures, Ipv6PathFixtures: seven minutes here),
  # whose every packet fwbench walks under these sanitizers in the path and capture suites, the
  # kernel's side being the release run's; and 30 random cases of each family, not 120 (the
  # release run replays the 120 and checks their floors). What these keep is fwbench's code on
  # the random traffic and the oracle's own code under the sanitizers; the release run is the
  # kernel differential.
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 FWBENCH_RANDOM_CASES=30 \
    GTEST_FILTER='-KernelIptablesParity.*:PathFixtures/*:Ipv6PathFixtures/*' \
    meson test -C build-asan --print-errorlogs --timeout-multiplier 4 "$@"
  ./scripts/check_skips.py build-asan
  # Where threads meet under ThreadSanitizer: the engine slot's readers and writer; workers'
  # conntrack tables sharing their tuples (SharedTuples).
  [ -d build-tsan ] || meson setup build-tsan -Db_sanitize=thread -Dbuildtype=debug
  meson compile -C build-tsan tests/engine_tests tests/path_tests
  TSAN_OPTIONS=halt_on_error=1 ./build-tsan/tests/engine_tests --gtest_filter='EngineSlot.*'
  TSAN_OPTIONS=halt_on_error=1 ./build-tsan/tests/path_tests --gtest_filter='SharedTuples.*'
  ./scripts/fuzz.sh "${FWBENCH_FUZZ_SECONDS:-60}"
fi
