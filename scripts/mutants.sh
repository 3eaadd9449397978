#!/usr/bin/env bash
# Re-runs the mutants of tests/mutants/: each patch breaks one thing on purpose and names the
# test that must catch it ("Killed-by: MESON_TEST GTEST_FILTER"). The script copies the tracked
# files of the working tree to a scratch directory (nothing here is touched), builds it once, then
# for each patch applies it, rebuilds only that test's programs, runs the test with the filter,
# and reverts the patch. A mutant the named test does not fail SURVIVED: the script exits 1.
#   scripts/mutants.sh [tests/mutants/NN-name.patch ...]    (default: all of them)
# FWBENCH_MUTANT_DIR (default /tmp/fwbench-mutants) holds the copy and its build.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
work=${FWBENCH_MUTANT_DIR:-/tmp/fwbench-mutants}
patches=("$@")
if ((${#patches[@]} == 0)); then patches=(tests/mutants/*.patch); fi

rm -rf "$work/staging"
mkdir -p "$work/staging" "$work/src"
git ls-files -z | (cd "$repo" && xargs -0 tar cf -) | tar xf - -C "$work/staging"
# Only what differs is copied, stamped now: tar keeps each file's own time, which can be older
# than an object a previous run built from other contents (a reverted mutant), and ninja would
# then keep that object.
(cd "$work/staging" && find . -type f -print0) | while IFS= read -r -d '' f; do
  if ! cmp -s "$work/staging/$f" "$work/src/$f"; then
    mkdir -p "$(dirname "$work/src/$f")"
    cp "$work/staging/$f" "$work/src/$f"
  fi
done
ln -sfn "$repo/../shared" "$work/shared"  # the tests read ../shared/data beside the source
[ -d "$work/build" ] || meson setup "$work/build" "$work/src" >/dev/null
echo "mutants: building the unmutated copy in $work/build"
meson compile -C "$work/build" >/dev/null

# The programs each meson test runs.
targets_of() {
  case "$1" in
    fwbench-cli) echo "cli_tests fwbench inject_frames" ;;
    kernel-oracle) echo "kernel_oracle_tests fwbench" ;;
    *) echo "${1}_tests" ;;
  esac
}

killed=0 survived=0
for p in "${patches[@]}"; do
  name=$(basename "$p" .patch)
  read -r test filter < <(sed -n 's/^Killed-by: //p' "$p")
  if ! patch --batch -s -p1 -d "$work/src" < "$p" >"$work/$name.patch.log" 2>&1; then
    echo "mutants: $p does not apply to this tree ($work/$name.patch.log): make it again"; exit 2
  fi
  status=killed
  if ! meson compile -C "$work/build" $(targets_of "$test") >"$work/$name.build.log" 2>&1; then
    status="killed (does not build: $work/$name.build.log)"
  elif meson test -C "$work/build" --no-rebuild "$test" --test-args="--gtest_filter=$filter" >"$work/$name.test.log" 2>&1; then
    status=SURVIVED
    # A filter that selects no test passes without testing anything: say so.
    if grep -q '^\[==========\] 0 tests from 0 test suites ran' "$work/build/meson-logs/testlog.txt"; then
      status="SURVIVED (the filter selects no test)"
    fi
  fi
  patch --batch -s -R -p1 -d "$work/src" < "$p"
  if [[ $status == SURVIVED* ]]; then survived=$((survived + 1)); else killed=$((killed + 1)); fi
  printf '%-40s %-16s %-40s %s\n' "$name" "$test" "$filter" "$status"
done
echo "mutants: $killed killed, $survived survived"
((survived == 0))
