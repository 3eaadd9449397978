#include "fwbench/classifier.hpp"

namespace fwbench {

void Classifier::run_burst(std::size_t table, Hook hook, Packet* const* packets, std::size_t n, EngineState& st, WalkResult* out) const {
    for (std::size_t i = 0; i < n; ++i) out[i] = run(table, hook, *packets[i], st);
}

}  // namespace fwbench
