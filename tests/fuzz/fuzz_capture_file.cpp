// libFuzzer entry for fwbench::fuzz::capture_file (targets.hpp); built and run by scripts/fuzz.sh.
#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fwbench::fuzz::capture_file(data, size);
    return 0;
}
