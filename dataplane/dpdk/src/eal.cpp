#include "fwbench/eal.hpp"

#include <rte_eal.h>
#include <rte_errno.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <mutex>
#include <stdexcept>

namespace fwbench {

namespace {
bool initialised = false;
std::mutex lock;
}  // namespace

bool eal_initialised() { return initialised; }

bool hugepages_available(std::size_t megabytes) {
    bool mounted = false;
    std::ifstream mounts("/proc/mounts");
    for (std::string line; std::getline(mounts, line);)
        if (line.find(" hugetlbfs ") != std::string::npos) mounted = true;
    if (!mounted) return false;
    std::size_t free_mb = 0;
    for (const auto& [dir, mb] : {std::pair<const char*, std::size_t>{"hugepages-2048kB", 2}, {"hugepages-1048576kB", 1024}}) {
        std::ifstream f(std::string("/sys/kernel/mm/hugepages/") + dir + "/free_hugepages");
        std::size_t pages = 0;
        if (f >> pages) free_mb += pages * mb;
    }
    return free_mb >= megabytes;
}

void ensure_eal(const std::vector<std::string>& extra_args) {
    std::lock_guard<std::mutex> guard(lock);
    if (initialised) return;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus < 1) cpus = 1;
    // The main lcore floats over every CPU (it mostly waits); one worker lcore is pinned to each CPU.
    std::string lcores = "--lcores=0@(0-" + std::to_string(cpus - 1) + ")";
    for (long c = 0; c < cpus; ++c) {
        // (appended piece by piece: GCC 12 warns falsely on a chain of temporaries here)
        lcores.push_back(',');
        lcores.append(std::to_string(c + 1));
        lcores.push_back('@');
        lcores.append(std::to_string(c));
    }
    // A core list of the user's (-l, -c, --lcores) replaces fwbench's: EAL refuses both.
    for (const auto& a : extra_args)
        if (a.rfind("-l", 0) == 0 || a.rfind("-c", 0) == 0 || a.rfind("--lcores", 0) == 0) lcores.clear();
    // Hugepages when the machine has them free (and mounted), unless told otherwise; without
    // them, ordinary memory. --in-memory keeps hugepage runs from sharing files between
    // processes, as --no-shconf does without hugepages.
    bool huge = hugepages_available(256);
    for (const auto& a : extra_args)
        if (a == "--no-huge" || a.rfind("--in-memory", 0) == 0 || a.rfind("--file-prefix", 0) == 0) huge = false;
    // Naming PCI devices (-a/--allow, -b/--block) means NICs are wanted: the PCI bus stays on.
    bool pci = false;
    for (const auto& a : extra_args)
        if (a.rfind("-a", 0) == 0 || a.rfind("--allow", 0) == 0 || a.rfind("-b", 0) == 0 || a.rfind("--block", 0) == 0) pci = true;
    std::vector<std::string> args = {"fwbench", lcores, huge ? "--in-memory" : "--no-huge", pci ? "" : "--no-pci", "-m", "256",
                                     huge ? "" : "--no-shconf", "--no-telemetry", "--log-level=error",
                                     // Let rte_acl (and drivers) use 512-bit vectors where the CPU has them; DPDK
                                     // caps itself at 256 bits otherwise (rte_acl's fastest method needs this).
                                     "--force-max-simd-bitwidth=512"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    args.erase(std::remove(args.begin(), args.end(), std::string()), args.end());
    // rte_eal_init keeps pointers into argv: give it storage that lives as long as the process.
    static std::vector<std::string> storage;
    static std::vector<char*> argv;
    storage = args;
    argv.clear();
    for (auto& s : storage) argv.push_back(s.data());
    argv.push_back(nullptr);
    int n = rte_eal_init(static_cast<int>(storage.size()), argv.data());
    if (n < 0) {
        std::string given;
        for (std::size_t i = 1; i < args.size(); ++i) given += (i > 1 ? " " : "") + args[i];
        throw std::runtime_error(std::string("DPDK EAL initialisation failed (") + rte_strerror(rte_errno) + ") with the EAL arguments '" + given +
                                 "' (fwbench's defaults, then --eal's and those after --); EAL's own complaint is printed above");
    }
    initialised = true;
}

}  // namespace fwbench
