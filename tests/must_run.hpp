#pragma once
// Tests that cannot run on some machines (no root, no ../shared/data) say so in one way: where
// everything must run — FWBENCH_REQUIRE_KERNEL=1, which .ci/run sets — that is a failure; else a
// skip with its reason, which scripts/check_skips.py prints after the run.

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace fwbench::test {

inline bool everything_must_run() {
    const char* v = std::getenv("FWBENCH_REQUIRE_KERNEL");
    return v && std::string(v) == "1";
}

}  // namespace fwbench::test

// Use in a test body (it returns from it): a failure in CI, a skip elsewhere.
#define FWBENCH_CANNOT_RUN(reason)                                                                                    \
    do {                                                                                                              \
        if (::fwbench::test::everything_must_run()) FAIL() << "must run here (FWBENCH_REQUIRE_KERNEL=1): " << reason; \
        GTEST_SKIP() << reason;                                                                                       \
    } while (0)
