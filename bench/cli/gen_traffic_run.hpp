#pragma once
// `fwbench gen-traffic --rules R --host H -o OUT.pcap`: traffic aimed at every rule of a ruleset
// (traces/rule_traffic: a packet built to satisfy each rule's addresses, interfaces, protocol,
// ports, flags and types, and random packets), written as `tcpdump -i any` writes a capture
// (LINUX_SLL2), so that `--pcap`, `explain --pcap`, `kernel-check --pcap` and `compare --pcap`
// read each packet with the origin it was made with:
//   - from the wire: arriving on its interface (the host's ifindex), as sent to the host,
//     broadcast or multicast, with its source MAC when it has one;
//   - the host's own: leaving by the device routing picks for it (outgoing), or arriving on lo
//     when it goes to one of the host's addresses, with the source routing chose.
// Each aimed packet is followed by its neighbours just outside the rule's port ranges and prefixes
// (--no-boundaries leaves them out), and --add-compare adds the packets of the differences a
// `compare --json` report found (their "replay" packets), so a capture can carry a comparison's
// counterexamples to kernel-check or to the next compare.
// A capture shows packets only on devices: the host's own packets are written where they would
// leave, whatever OUTPUT then does to them (fwbench's reading of the capture replays them as
// local packets, so OUTPUT still decides).

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

namespace fwbench {

struct GenTrafficCli {
    std::string rules, rules6, host_path, ipsets_path, output;
    std::uint64_t seed = 1;
    int random_packets = 200;
    bool no_boundaries = false;
    std::string add_compare;  // a `compare --json` report: its differences' packets join the capture
};

CLI::App* add_gen_traffic_command(CLI::App& app, GenTrafficCli& cli);
int run_gen_traffic(const GenTrafficCli& cli);

}  // namespace fwbench
