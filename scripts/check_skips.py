#!/usr/bin/env python3
"""Prints every gtest case a meson test run skipped, with the reason the test gave, and fails
when one was skipped that may not be: with FWBENCH_REQUIRE_KERNEL=1 (CI) none may.

meson counts a gtest binary with skipped cases as one passed test ("Skipped: 0"); this reads
the cases out of meson's log.    usage: check_skips.py BUILD_DIR...
"""
import os
import re
import sys

def skipped_cases(log_text):
    """(case, reason) for each '[  SKIPPED ] Case (N ms)' line; the reason is the message
    gtest printed after 'Skipped' for that case."""
    found = []
    reason_lines = []
    collecting = False
    for line in log_text.splitlines():
        if line.startswith("[ RUN      ]"):
            reason_lines, collecting = [], False
        elif re.search(r": Skipped$", line):
            collecting = True
        elif line.startswith("[  SKIPPED ]"):
            m = re.match(r"\[  SKIPPED \] (\S+) \(\d+ ms\)$", line)
            if m:
                found.append((m.group(1), " ".join(l.strip() for l in reason_lines if l.strip())))
            collecting = False
        elif collecting:
            reason_lines.append(line)
    return found

def main():
    strict = os.environ.get("FWBENCH_REQUIRE_KERNEL") == "1"
    total = []
    for build in sys.argv[1:]:
        path = os.path.join(build, "meson-logs", "testlog.txt")
        with open(path, encoding="utf-8", errors="replace") as f:
            total += [(build, c, r) for c, r in skipped_cases(f.read())]
    if not total:
        print("skips: no test case was skipped")
        return 0
    print(f"skips: {len(total)} test case(s) skipped:")
    for build, case, reason in total:
        print(f"  {build}: {case}: {reason or '(no reason given)'}")
    if strict:
        print("skips: FWBENCH_REQUIRE_KERNEL=1 (CI): no test may skip here", file=sys.stderr)
        return 1
    return 0

if __name__ == "__main__":
    sys.exit(main())
