// libFuzzer entry for fwbench::fuzz::link_frame (targets.hpp); built and run by scripts/fuzz.sh.
#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fwbench::fuzz::link_frame(data, size);
    return 0;
}
