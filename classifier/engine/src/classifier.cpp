#include "fwbench/classifier.hpp"

namespace fwbench {

void Classifier::run_burst(std::size_t table, Hook hook, Packet* const* packets, std::size_t n, EngineState& st, WalkResult* out) const {
    for (std::size_t i = 0; i < n; ++i) out[i] = run(table, hook, *packets[i], st);
}

std::unique_ptr<PreparedLookup> Classifier::prepare_lookup(std::size_t, Hook, const std::vector<Packet>&) const { return nullptr; }

}  // namespace fwbench
