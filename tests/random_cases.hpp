#pragma once
// A seeded generator of random rulesets and traffic for differential tests against the
// kernel: filter (and sometimes mangle and nat) tables with user chains reached by jumps and
// gotos, RETURNs, negations, interface wildcards, port ranges, multiport, TCP flags, ICMP types,
// conntrack states, marks, lengths, TTLs, addrtype, iprange; string, u32 and bpf over the
// packets' payloads, time, helper, srh, SYNPROXY for SYNs, CONNSECMARK; IPv6's extension-header
// matches (hbh, dst, ipv6header, frag, rt, mh, eui64) over traffic that carries those headers;
// limit and hashlimit by their bursts; built-in chains declared, given a
// policy by -P, named only by their rules or not at all, under either backend; connlabel
// (reading and setting), connbytes, cluster, realm; MARK, HMARK, ECN, SNPT, DNPT, LOG, REJECT
// (every --reject-with), DNAT, REDIRECT, SNAT and MASQUERADE (with --to-ports ranges) targets; TCP
// sequence numbers, windows and SYN options; packets from the wire and from local sockets, replies to earlier
// packets included, on the router of path_fixtures.hpp.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "fwbench/packet.hpp"
#include "fwbench/packet_path.hpp"

namespace fwbench::test {

struct RandomCase {
    std::string rules;  // iptables-save text
    std::vector<std::pair<Packet, Origin>> packets;
    // Each packet's bytes after its transport header (empty: zeros), for the tests that send
    // the packets with their datagrams (described_datagrams.hpp): what -m string, -m u32 and -m
    // bpf read.
    std::vector<std::vector<std::uint8_t>> payloads;
    bool legacy = false;  // loaded by iptables-legacy (counters only: its TRACE goes to the log)
    std::string host_json;  // the router: path_fixtures.hpp's, sometimes with a second wan1 address
    Family family = Family::ipv4;
};

// An iptables ruleset and IPv4 traffic on the router of path_fixtures.hpp.
RandomCase make_random_case(std::uint64_t seed);
// An ip6tables ruleset and IPv6 traffic on the router of path_cases6.hpp: the same rules in
// ip6tables' words (hl, icmp6, IPv6 address types and REJECT answers), the host's link-local,
// anycast and unbound sources, all-nodes echoes, error routes and packets over an MTU.
RandomCase make_random_case6(std::uint64_t seed);
// The same cases without the modules of the generator's third stream and later (connlabel,
// connbytes, cluster, realm, HMARK, ECN, SNPT, DNPT, TPROXY, TEE, string, u32, bpf, time, helper,
// srh, SYNPROXY, CONNSECMARK, the extension headers, limit, hashlimit), for the tests of the proof (classifier/symbolic), which names connlabel's --set
// as not modelled and takes the others as opaque conditions: a region those decide cannot be
// checked against one concrete packet.
RandomCase make_modelled_random_case(std::uint64_t seed);
RandomCase make_modelled_random_case6(std::uint64_t seed);

}  // namespace fwbench::test
