#pragma once
// What fwbench says about one captured packet: its verdict line (--verdicts) and its JSON
// record (--packets), both from the AnalyzedPacket the capture analysis filled.
//
// The rule a verdict line names is the one that decided the packet's fate:
//  - dropped, rejected or queued by netfilter: the rule (or chain policy) that did it, in the
//    chain it belongs to (a user chain's rule is named in that chain);
//  - dropped by the kernel outside netfilter: `kernel:REASON:0`;
//  - accepted (delivered, forwarded or sent): the filter table's deciding rule in the last
//    filter chain the packet passed (INPUT when delivered, FORWARD when forwarded, OUTPUT when
//    the host sent it; for the host's own packets to itself, INPUT); a packet that passed no
//    filter chain names the last table walk it made; one that passed none, `-:-:0`.
// Rules are numbered from 1 within their chain, as iptables -L --line-numbers does; 0 is the
// chain's policy.

#include <ostream>
#include <string>

#include "fwbench/capture_analysis.hpp"
#include "fwbench/packet_log.hpp"
#include "fwbench/ruleset.hpp"

namespace fwbench {

// The walk whose verdict decided the packet, as above; nullptr when none did.
const HookWalk* deciding_walk(const PathResult& r);

struct VerdictLine {
    const char* verdict;  // ACCEPT, DROP, REJECT, QUEUE, COPY, MALFORMED, SKIPPED
    std::string where;  // table:CHAIN:N, kernel:REASON:0, of:INDEX, capture:REASON:0, -:-:0
};
VerdictLine verdict_line(const AnalyzedPacket& p, const Ruleset& rs);

// "table:CHAIN:N" for a walk's deciding rule (N from 1; 0 the policy).
std::string walk_rule(const HookWalk& w, const Ruleset& rs);

// One line of JSON (no newline): index, time, origin, interfaces, the tuple before and after
// NAT, conntrack state, mark, every table walk (hook, table, chain, rule, verdict), fate, drop
// reason, and the verdict line's answer; with `log`, the lines LOG and NFLOG rules wrote for it.
void write_packet_record(std::ostream& os, const AnalyzedPacket& p, const Ruleset& rs, const std::vector<LoggedLine>* log = nullptr);

}  // namespace fwbench
