#pragma once
// DPDK's environment (EAL), initialised once per process. Defaults work on any machine: 2 MiB or
// 1 GiB hugepages when at least 256 MiB of them are free and hugetlbfs is mounted (else ordinary
// memory, --no-huge), no PCI probing (unless -a/-b name devices), no shared runtime files, the main lcore free to float over all
// CPUs and one worker lcore pinned to each CPU (the dataplane's workers). Extra arguments (fwbench --eal '...') are appended and may override them.

#include <cstddef>
#include <string>
#include <vector>

namespace fwbench {

// Throws std::runtime_error with EAL's complaint when initialisation fails.
void ensure_eal(const std::vector<std::string>& extra_args = {});
bool eal_initialised();
// Whether hugetlbfs is mounted and at least `megabytes` of hugepages are free.
bool hugepages_available(std::size_t megabytes);

}  // namespace fwbench
