#pragma once
// What a capture cannot show about the host's own packets and NAT: `tcpdump -i any` records a
// locally generated packet after POSTROUTING, so a connection that nat OUTPUT rewrote (DNAT,
// REDIRECT, NETMAP) or nat POSTROUTING rewrote (SNAT, MASQUERADE, NETMAP) is captured with its new
// addresses, and replaying it walks the nat chains with those: the kernel counted the rewriting
// rule, fwbench whatever the rewritten packet meets.
//
// LocalNatNotes finds such connections: a local packet whose nat OUTPUT (or POSTROUTING) walk
// did not end at a rewriting rule although its destination (or source) is one that rule writes.
// It cannot tell whether the kernel did rewrite it — the pre-NAT packet is gone — so it names the
// rules whose counters, and the packets whose walks, may be off. Setup scans the nat table once;
// each packet costs a look at its nat walks.

#include <cstdint>
#include <string>
#include <vector>

#include "fwbench/capture_analysis.hpp"
#include "fwbench/host.hpp"
#include "fwbench/ruleset.hpp"

namespace fwbench {

class LocalNatNotes {
public:
    LocalNatNotes(const Ruleset& rs, const Host& host);
    void add(const AnalyzedPacket& p);
    std::uint64_t packets() const { return packets_; }
    // The rewriting rules the suspect packets' addresses point at, as the summary names rules.
    std::vector<std::string> rules(const Ruleset& rs) const;
    // "TABLE CHAIN" of every chain whose counters those packets may have changed: the nat chains
    // on the way to those rules (the kernel's walk ended there, fwbench's went on), and the chains
    // with rules they passed before NAT with the addresses the capture does not show (raw and
    // mangle OUTPUT before a destination is written; all of OUTPUT and mangle POSTROUTING before
    // a source is).
    std::vector<std::string> chains(const Ruleset& rs) const;

private:
    struct Rewriter {
        int table, chain, rule;
        const NatTarget* nat;
        bool writes_destination;  // DNAT, REDIRECT, NETMAP in OUTPUT; else the source
        bool hit = false;  // some suspect packet pointed at it
    };
    bool could_have_written(const Rewriter& r, const Packet& p) const;
    std::vector<Rewriter> rewriters_;
    std::vector<IpAddr> own_;  // the host's addresses: what MASQUERADE writes
    std::uint64_t packets_ = 0;
};

}  // namespace fwbench
