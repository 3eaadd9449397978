// Which built-in chains iptables-nft creates, asked of the kernel itself: each text below is
// restored by the real iptables-restore into a namespace of its own, and the kernel's base chains
// (kernel_base_chains) must be exactly what the parser says the text names (Chain::named) — every
// built-in chain of every table, absent, uncounted or counted.

#include <gtest/gtest.h>

#include "fwbench/kernel_chains.hpp"
#include "fwbench/netns.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "fwbench/subprocess.hpp"
#include "require_kernel.hpp"

namespace fwbench {
namespace {

using test::require_kernel;

std::string kernel_naming(const std::vector<KernelBaseChain>& chains, const std::string& table, const std::string& chain) {
    for (const auto& k : chains)
        if (k.table == table && k.chain == chain) return k.counted ? "counted" : "uncounted";
    return "absent";
}

TEST(KernelChains, TheParserNamesTheChainsIptablesNftCreates) {
    require_kernel();
    if (HasFatalFailure() || IsSkipped()) return;
    const char* texts[] = {
        "*filter\n:INPUT DROP [0:0]\nCOMMIT\n",  // the example: no FORWARD, no OUTPUT hook
        "*filter\n-A INPUT -j ACCEPT\n-I FORWARD -j ACCEPT\nCOMMIT\n",
        "*filter\n-P OUTPUT DROP\n-F INPUT\nCOMMIT\n",
        "*filter\n-F\nCOMMIT\n",  // -F without a chain creates none
        "*nat\n:PREROUTING ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -o wan1 -j MASQUERADE\nCOMMIT\n",  // pre-2.6.36 dumps
        "*mangle\n:X - [0:0]\n-A FORWARD -j X\n-A X -j RETURN\nCOMMIT\n*raw\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -j CT --notrack\nCOMMIT\n",
        "*filter\n-A INPUT -j ACCEPT\n-D INPUT 1\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n",
    };
    for (const char* text : texts) {
        SCOPED_TRACE(text);
        Ruleset rs = parse_ruleset(text, {});
        NetNamespace ns;
        run_program_checked({{"iptables-nft-restore"}, text, ns.fd()});
        std::vector<KernelBaseChain> kernel;
        {
            EnterNamespace in(ns);
            kernel = kernel_base_chains(Family::ipv4);
        }
        for (const auto& t : rs.tables)
            for (const auto& c : t.chains)
                if (c.builtin) {
                    EXPECT_EQ(chain_presence_name(c.named), kernel_naming(kernel, t.name, c.name)) << t.name << " " << c.name;
                }
        Ruleset read = rs;
        apply_kernel_base_chains(read, kernel);
        for (std::size_t t = 0; t < rs.tables.size(); ++t)
            for (std::size_t c = 0; c < rs.tables[t].chains.size(); ++c) EXPECT_EQ(read.tables[t].chains[c].named, rs.tables[t].chains[c].named);
    }
}

}  // namespace
}  // namespace fwbench
