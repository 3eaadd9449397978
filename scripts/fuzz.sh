#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/fuzz_*.cpp) with clang under ASan/UBSan and runs each
# for SECONDS (default 60) from its corpus (tests/fuzz/corpus/TARGET, kept in the repository) and
# its regression inputs (tests/fuzz/regressions/TARGET). New inputs libFuzzer finds go to
# build-fuzz/corpus/TARGET, not into the repository. A crash, a sanitizer report or an exception
# other than a ParseError fails the script; keep the input it names as a regression case
# (tests/fuzz/regressions/TARGET/) when fixing it: the unit tests replay every one.
# The mutation sequence is seeded (FWBENCH_FUZZ_SEED, default 1), so a run repeats another's
# first inputs; give another seed to explore elsewhere.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then
  for f in tests/fuzz/fuzz_*.cpp; do t=${f#tests/fuzz/fuzz_}; targets+=("${t%.cpp}"); done
fi

out=build-fuzz
mkdir -p "$out/obj"
layers=(classifier/ruleset classifier/engine classifier/path dataplane/capture)  # what the readers need, no DPDK library
includes=()
for l in "${layers[@]}"; do includes+=("-I$l/include"); done
flags=(-std=c++20 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined "${includes[@]}"
       $(pkg-config --cflags nlohmann_json) $(pkg-config --cflags libdpdk))  # DPDK: headers only (the codec's checksums)
# The classifier's layers the readers live in, compiled again by clang for the fuzzers (meson
# builds with g++).
objs=()
pids=()
for src in $(for l in "${layers[@]}"; do echo "$l"/src/*.cpp; done); do
  obj="$out/obj/$(basename "${src%.cpp}").o"
  objs+=("$obj")
  newest=$(ls -t "$src" classifier/*/include/fwbench/*.hpp classifier/*/src/*.hpp dataplane/capture/include/fwbench/*.hpp | head -1)
  if [[ ! -f "$obj" || "$newest" -nt "$obj" ]]; then
    clang++ "${flags[@]}" -fsanitize=fuzzer-no-link -c "$src" -o "$obj" &
    pids+=($!)
    if ((${#pids[@]} >= $(nproc))); then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
  fi
done
for p in "${pids[@]}"; do wait "$p"; done

status=0
for t in "${targets[@]}"; do
  bin="$out/fuzz_$t"
  # libpcap: the capture layer's read filter (capture_filter.cpp) compiles with it.
  clang++ "${flags[@]}" -fsanitize=fuzzer -Itests/fuzz "tests/fuzz/fuzz_$t.cpp" "${objs[@]}" $(pkg-config --libs libpcap) -o "$bin"
  mkdir -p "$out/corpus/$t" "$out/crashes/$t"
  dirs=("$out/corpus/$t" "tests/fuzz/corpus/$t")
  [[ -d "tests/fuzz/regressions/$t" ]] && dirs+=("tests/fuzz/regressions/$t")
  echo "fuzz: $t for ${seconds}s"
  if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
       "$bin" -seed="${FWBENCH_FUZZ_SEED:-1}" -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$out/crashes/$t/" "${dirs[@]}" 2>"$out/$t.log"; then
    echo "fuzz: $t FAILED — the input is under $out/crashes/$t/; the log is $out/$t.log:" >&2
    grep -E 'ERROR|SUMMARY|terminate|what\(\)|runtime error' "$out/$t.log" | head -20 >&2
    status=1
  else
    grep -E 'stat::number_of_executed_units|cov:' "$out/$t.log" | tail -2
  fi
done
exit $status
