#pragma once
// Which of iptables' built-in chains the running kernel has, read from nf_tables itself.
//
// Why: under iptables-nft a base chain exists only if the text restored named it, and keeps a
// policy counter only if the text declared it (ChainPresence, ruleset.hpp); iptables-save prints
// every built-in chain either way, so a dump of a live host cannot tell. The kernel can.
//
// How: one NFT_MSG_GETCHAIN dump over netlink (libmnl), each chain read by libnftnl as nft reads
// it, in the calling thread's network namespace. A base chain of iptables-nft's table has a hook;
// it has a policy counter when the kernel sends NFTA_CHAIN_COUNTERS, which nf_tables sends exactly
// when the chain was created with counters (nf_tables_fill_chain_info, nft_dump_stats).

#include <string>
#include <vector>

#include "fwbench/ruleset.hpp"

namespace fwbench {

struct KernelBaseChain {
    std::string table, chain;
    bool counted = false;  // keeps a policy counter
    bool operator==(const KernelBaseChain&) const = default;
};

// The base chains of the family's nf_tables tables (ip or ip6) in this namespace. Throws when
// nf_tables cannot be asked (no permission, no nf_tables).
std::vector<KernelBaseChain> kernel_base_chains(Family family);

// Sets each built-in chain's `named` of an iptables-nft ruleset from the kernel's chains (absent,
// uncounted or counted), and says so in chain_presence_source.
void apply_kernel_base_chains(Ruleset& rs, const std::vector<KernelBaseChain>& chains);

}  // namespace fwbench
