#pragma once
// The kernel's per-packet story: which rules and policies counted a packet, read from nf_tables
// TRACE events, beside the same list from fwbench's packet path.
//
// How: a netlink socket (libmnl, NETLINK_NETFILTER) joined to NFNLGRP_NFTRACE inside the router
// namespace, with a 64 MiB receive buffer forced (SO_RCVBUFFORCE): `nft monitor trace` and
// `xtables-monitor` lose events above a few hundred packets per second, a large buffer drained
// after every packet loses none. Each NFT_MSG_TRACE message is read by libnftnl's own trace
// parser (nftnl_trace_nlmsg_parse), as nft monitor reads it. A table of the replay's own sets `meta nftrace` on every IPv4
// packet entering prerouting and on the injector's packets in output, before any iptables table.
//
// What an event means (nf_tables_core.c, nft_do_chain): a RULE event is sent for each rule whose
// expressions all ran — a rule that continues (LOG, MARK, a bare counter) or gives a verdict
// (ACCEPT, DROP, a jump) — which is exactly when iptables-nft's counter in that rule counts; a
// POLICY event when a base chain's policy decides. RETURN events (a user chain fell off its end)
// count nothing and are not kept. iptables-nft makes one nft rule per iptables rule, in order, so
// a rule's handle maps to its 1-based position in its chain (`nft -j -a list ruleset`).
//
// Invariant: events are read after each injected packet has finished its way through the kernel
// (veth delivery runs inside send(); loopback delivery is waited for), so the events drained
// after a packet are that packet's own.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fwbench/packet_path.hpp"

struct mnl_socket;
struct nlmsghdr;
#include "fwbench/ruleset.hpp"

namespace fwbench {

// One rule or policy that counted a packet: rule is 1-based, 0 for the chain's policy.
struct CountedRule {
    std::string table, chain;
    int rule = 0;
    bool operator==(const CountedRule&) const = default;
};
// "filter INPUT 3", "filter INPUT policy".
std::string format_counted(const CountedRule& c);
std::string format_counted(const std::vector<CountedRule>& list);

// What fwbench counted for a packet, in the order the kernel would; `r` must come from
// PacketPath::process with trace = true.
std::vector<CountedRule> counted_rules(const Ruleset& rs, const PathResult& r);

class NftTraceListener {
public:
    // Opens the socket in the current network namespace; throws std::runtime_error.
    NftTraceListener();
    ~NftTraceListener();
    NftTraceListener(const NftTraceListener&) = delete;
    NftTraceListener& operator=(const NftTraceListener&) = delete;

    // Reads the handles of every rule of the ip family's tables from `nft -j -a list ruleset`
    // output, so that events can name rules by their position.
    void set_handles(const std::string& nft_json, const std::string& family = "ip");
    // Every event received since the last call, as counted rules; tables whose name starts with
    // `skip_prefix` (the replay's own) are left out. Throws when the kernel reported lost events.
    std::vector<CountedRule> drain(const std::string& skip_prefix);

private:
    // One NFT_MSG_TRACE message as a counted rule, or nothing when it counts nothing (RETURN, end
    // of chain) or comes from a skipped table.
    std::optional<CountedRule> trace_event(const nlmsghdr* msg, const std::string& skip_prefix) const;

    mnl_socket* socket_ = nullptr;
    // (table, rule handle) -> (chain, 1-based position)
    std::map<std::pair<std::string, std::uint64_t>, std::pair<std::string, int>> handles_;
};

}  // namespace fwbench
