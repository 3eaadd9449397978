// libFuzzer entry for fwbench::fuzz::packet_description (targets.hpp); built and run by scripts/fuzz.sh.
#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fwbench::fuzz::packet_description(data, size);
    return 0;
}
