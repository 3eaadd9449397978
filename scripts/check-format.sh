#!/usr/bin/env bash
# Fails when a C++ source differs from what clang-format makes of it (.clang-format: the code as it
# is written). Fix with: git ls-files '*.cpp' '*.hpp' | xargs clang-format -i
set -euo pipefail
cd "$(dirname "$0")/.."
git ls-files -z '*.cpp' '*.hpp' | xargs -0 clang-format --dry-run --Werror
echo "format: every C++ source is as clang-format writes it"
