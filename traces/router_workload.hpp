#pragma once
// A realistic router workload, generated: host, ruleset and capture together, for the replay
// dataplane's tests and figures (and anyone who wants a router capture with known content).
//
// The router (documentation addresses only): wan1 203.0.113.1/24 with the default route via
// 203.0.113.254, lan0 192.0.2.1/24 (hosts behind MASQUERADE), dmz0 198.51.100.1/25 (servers
// reached by port forwards). Internet peers live in 198.51.100.128/25 (reached by the default
// route). The ruleset is the common stateful shape with hundreds of rules: conntrack
// ESTABLISHED/RELATED first, INVALID dropped, a blocklist of single addresses on the WAN side,
// per-host LAN restrictions, DNAT port forwards with their FORWARD accepts, MASQUERADE.
//
// The capture (pcapng, one raw-IP interface per device, with directions): flows interleaved in
// time, each with its packets in order — LAN clients' TCP connections (handshake, data both
// ways, FIN) and DNS queries to the internet, inbound connections to the port forwards,
// queries to the router's own DNS and SSH (its replies recorded outbound), pings, blocked
// sources and scans of closed ports. Only the inbound copy of a forwarded packet is recorded.
// Deterministic for a seed.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "fwbench/capture.hpp"

namespace fwbench {

struct RouterWorkload {
    std::string host_json;
    std::string rules;  // iptables-save text
    std::vector<std::uint8_t> capture;  // pcapng
    // What each interface receives, as Ethernet frames to its MAC (pcap): a DPDK port per
    // interface can replay these (net_pcap rx_pcap=, infinite_rx=1).
    std::vector<std::pair<std::string, std::vector<std::uint8_t>>> inbound_by_interface;
    std::uint64_t flows = 0, packets = 0;
};

struct RouterWorkloadOptions {
    std::uint64_t flows = 1000;
    std::uint64_t seed = 1;
    unsigned blocklist = 300;  // single-address DROP rules on the WAN side
    unsigned forwards = 20;  // DNAT port forwards
    // Stop starting flows once this many packets are made (0: `flows` decides alone).
    std::uint64_t max_packets = 0;
    // The mean gap between two flows' starts. The default's 40,000 client ports come back after
    // 160 s, when conntrack has forgotten their last connection; a smaller gap packs more flows
    // into conntrack's memory at once (4 us: a million flows within 4 s, all of them held), and
    // some flows then meet an earlier connection of their tuple (reopened from TIME_WAIT).
    std::uint64_t flow_gap_us = 4000;
    // Data segments per TCP connection, times this (1: one to seven request/answer pairs; 20: a
    // flow of a hundred packets and more, where the flow cache replays nearly everything).
    unsigned data_scale = 1;
    // The resolvers the LAN's DNS goes to (198.51.100.130 and up). One MASQUERADE address has
    // 64,512 source ports toward each: DNS flows held at once beyond that find none, and the
    // router drops them (as the kernel does); a million flows at once needs several.
    unsigned resolvers = 1;
};

// All of it in memory (tests; up to tens of thousands of flows).
RouterWorkload make_router_workload(const RouterWorkloadOptions& opt);

// The parts, for workloads of any size written as they are made (gen_router_workload):
std::string router_host_json();
std::string router_ruleset(const RouterWorkloadOptions& opt);
// The capture's frames, in timestamp order, to `sink`; returns how many.
std::uint64_t generate_router_traffic(const RouterWorkloadOptions& opt, const std::function<void(const CaptureFrame&)>& sink);
std::vector<CaptureInterface> router_capture_interfaces();  // the pcapng interfaces of frame.interface
// A frame as its interface receives it: Ethernet, from a peer's MAC to the interface's own.
std::vector<std::uint8_t> router_inbound_frame(const CaptureFrame& f);

}  // namespace fwbench
