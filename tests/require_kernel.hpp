#pragma once
// For tests that need the real kernel (root, network namespaces): a failure in CI, a skip with
// the reason elsewhere (must_run.hpp). Call it first; the test returns when it failed or skipped.

#include <string>

#include "fwbench/kernel_oracle.hpp"
#include "must_run.hpp"

namespace fwbench::test {

inline void require_kernel() {
    std::string why;
    if (KernelOracle::available(&why)) return;
    FWBENCH_CANNOT_RUN("kernel oracle unavailable: " << why);
}

}  // namespace fwbench::test
