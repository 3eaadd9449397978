#pragma once
// The linear reference engine: walks a table's chain for one packet exactly as the kernel's
// ipt_do_table / ip6t_do_table does. It is the specification the faster engines are tested
// against, so it is written to be read, not to be fast.
//
// How: rules are tried in order; a rule matches when its ipt_ip part (-s -d -i -o -p -f) and
// then each of its matches, in order, match (evaluation stops at the first that does not, so a
// later stateful match is not consulted). A matching rule's counter is increased whatever its
// target. A jump pushes the return point, a goto does not; RETURN, or falling off the end of a
// user chain, pops; at base-chain level both apply the chain's policy and increase the policy
// counter. Non-terminating targets (LOG, MARK, CONNMARK, TOS, ...) apply their effect to the
// packet and the walk continues; ACCEPT, DROP, REJECT, QUEUE/NFQUEUE and the NAT targets end it.
//
// State: in an EngineState (engine_state.hpp), one per independent run.
//
// Cost: rules_evaluated counts the rules whose matches were tried, the kernel's linear cost.

#include <optional>
#include <vector>

#include "fwbench/classifier.hpp"
#include "fwbench/engine_state.hpp"
#include "fwbench/host_view.hpp"

namespace fwbench {

class LinearEngine final : public Classifier {
public:
    LinearEngine(const Ruleset& rs, const HostView& host, const IpsetRegistry* ipsets = nullptr) : rs_(rs), host_(host), ipsets_(ipsets) {}

    const char* name() const override { return "linear"; }
    WalkResult run(std::size_t table, Hook hook, Packet& p, EngineState& st, std::vector<RuleVisit>* visits = nullptr) const override;
    ClassifierStats stats() const override { return {}; }
    const Ruleset& ruleset() const override { return rs_; }

    // One rule tested as the walk tests it: ipt_ip first, then each match in order (the compiled
    // engine calls it for the rules it cannot decide from their boxes).
    bool rule_matches(const Rule& r, Packet& p, Hook hook, EngineState& st) const;

private:
    const Ruleset& rs_;
    const HostView& host_;
    const IpsetRegistry* ipsets_;
};

// Evaluates one match (exposed for tests and for engines that fall back to it at run time).
struct MatchContext {
    Hook hook;
    const HostView& host;
    const IpsetRegistry* ipsets;
    EngineState& state;
};
bool evaluate_match(const Match& m, const Packet& p, const MatchContext& ctx);
// What testing `m` does to the packet's connection, whether or not it matched: connlabel's --set
// sets its bit (the walk writes the connection back). The stateful matches keep their effects in
// EngineState, through evaluate_match.
void apply_match_effect(const Match& m, Packet& p);
// True when the kernel's module for `m` could not read the header it tests in `p` and would drop
// the packet on the spot ("hotdrop": no counter, no verdict of the rule's), as ip6t_rt, ip6t_frag,
// ip6t_hbh, ip6t_ah, ipt_ah, xt_esp and ip6t_mh do: an extension header chain cut short, an
// option running past its header, AH, ESP or a mobility header cut short, a mobility header
// whose payload protocol is not "none". fwbench does not model the hotdrop (the path refuses
// such a packet when the ruleset has such a match: PacketPath).
bool header_match_hotdrops(const MatchSpec& m, const Packet& p);
// The ipt_ip condition (-s -d -i -o -p -f) a packet fails first, in ip_packet_match's order, or
// none: the one test the walk uses and explain words (PacketPath::why_not).
enum class IpMismatch : std::uint8_t { none, src, dst, in, out, proto, fragment };
IpMismatch ip_header_mismatch(const IpHeaderSpec& ip, const Packet& p);
inline bool ip_header_matches(const IpHeaderSpec& ip, const Packet& p) { return ip_header_mismatch(ip, p) == IpMismatch::none; }
// Where the first MSS option (kind 2, length 4) starts in p.tcp_option_bytes, walked as
// xt_tcpmss and xt_TCPMSS both walk the options (EOL, NOP and a length of 0 one byte each); -1
// when there is none.
int mss_option_offset(const Packet& p);
// TCPMSS (xt_TCPMSS) on `p`: lowers the MSS option to the value, or to Packet::path_mtu less the
// IP and TCP headers, never raising it; a segment without the option and without data gets one
// (4 bytes more, the MSS at most the family's default, 536 or 1220). False: the kernel drops the
// packet (a TCP header cut short, or a path MTU no larger than the headers).
bool apply_tcpmss(const RewriteTarget& rw, Packet& p);
// TCPOPTSTRIP (xt_TCPOPTSTRIP) on `p`: each option of a kind listed, met whole by the option
// walk, becomes NOPs (the header keeps its length). False: a TCP header cut short (dropped).
bool apply_tcpoptstrip(const RewriteTarget& rw, Packet& p);
// HMARK (xt_HMARK) on `p`: the mark from the hash of the packet's tuple (or its connection's,
// --hmark-tuple ct), scaled to --hmark-mod plus --hmark-offset; left as it is where the kernel
// finds no tuple (no connection; an ICMP error quoting no header).
void apply_hmark(const HmarkTarget& h, Packet& p);
// Would HMARK hash bytes no packet record keeps (the two after an IPComp header)? The path
// refuses such a packet as not modelled.
bool hmark_reads_unkept_bytes(const HmarkTarget& h, const Packet& p);
// The 32 bits the kernel reads at proto_ports_offset of `proto`'s header (HMARK, hashlimit): the
// ports (source high), ESP's or AH's SPI, IPComp's CPI high (the two bytes after its header, low,
// fwbench does not keep: 0). Nullopt: a protocol without them, or a header not present whole.
std::optional<std::uint32_t> wire_ports(std::uint8_t proto, const Packet& p);

}  // namespace fwbench
