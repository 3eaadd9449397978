#pragma once
// `fwbench --pcap CAPTURE`: what the kernel did with every packet of a capture, as counters,
// verdicts, drop reasons and a summary per hook and origin.

#include <cstdint>
#include <string>
#include <vector>

#include "run_common.hpp"

namespace fwbench {

struct PcapRunOptions : RunCommon {
    std::string pcap, iface, verdicts;
    std::string packets;  // --packets: one JSON line per packet (file or -)
    std::string log;  // --log: the kernel log lines of LOG/NFLOG rules (file or -)
    std::string filter;  // --filter: tcpdump's expression; records it does not keep are not read
    std::string rules6;  // --rules6: the ip6tables ruleset of a dual-stack capture (--rules: the iptables one)
};

int run_pcap(const PcapRunOptions& o);

}  // namespace fwbench
