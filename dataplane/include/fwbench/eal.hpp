#pragma once
// DPDK's environment (EAL), initialised once per process. Defaults work on any machine: no
// hugepages, no PCI probing, no shared runtime files, the main lcore free to float over all
// CPUs and one worker lcore pinned to each CPU (the dataplane's workers). Extra arguments (fwbench --eal '...') are appended and may override them.

#include <string>
#include <vector>

namespace fwbench {

// Throws std::runtime_error with EAL's complaint when initialisation fails.
void ensure_eal(const std::vector<std::string>& extra_args = {});
bool eal_initialised();

}  // namespace fwbench
