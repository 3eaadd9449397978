// canonical_rule: the spellings iptables-save and a person (or fwbench's printer) use for the
// same rule meet; different rules stay different. Expected forms written by hand from
// iptables' own save functions (libxt_MARK, libxt_recent, libxt_LOG, libipt_REJECT, libxt_statistic).

#include <gtest/gtest.h>

#include "fwbench/ruleset_parser.hpp"
#include "fwbench/ruleset_readback.hpp"

namespace fwbench {
namespace {

// clang-format off
const struct { const char* written; const char* saved; bool same; } spellings[] = {
    {"-A X -m hashlimit --hashlimit-name a --hashlimit-srcmask 8", "-A X -m hashlimit --hashlimit-srcmask 8 --hashlimit-name a", true},
    {"-A X -m conntrack --ctorigdst 192.0.2.1/32 -j ACCEPT", "-A X -m conntrack --ctorigdst 192.0.2.1 -j ACCEPT", true},
    {"-A X -m recent --set --name n", "-A X -m recent --set --name n --mask 255.255.255.255 --rsource", true},
    {"-A X -m recent --set --name n --rdest", "-A X -m recent --set --name n --mask 255.255.255.255 --rsource", false},
    {"-A X -j MARK --set-mark 0x7", "-A X -j MARK --set-xmark 0x7/0xffffffff", true},
    {"-A X -j MARK --set-mark 7/0xff", "-A X -j MARK --set-xmark 0x7/0xff", true},
    {"-A X -j MARK --or-mark 0x10", "-A X -j MARK --set-xmark 0x10/0x10", true},
    {"-A X -j MARK --and-mark 0xfe", "-A X -j MARK --set-xmark 0x0/0xffffff01", true},
    {"-A X -j MARK --xor-mark 0x3", "-A X -j MARK --set-xmark 0x3/0x0", true},
    {"-A X -j MARK --set-mark 0x7", "-A X -j MARK --set-xmark 0x8/0xffffffff", false},
    {"-A X -j LOG --log-prefix \"a b\" --log-level 4", "-A X -j LOG --log-prefix \"a b\"", true},
    {"-A X -j LOG --log-prefix \"a b\" --log-level 6", "-A X -j LOG --log-prefix \"a b\"", false},
    {"-A X -j LOG --log-prefix \"a b\"", "-A X -j LOG --log-prefix \"a c\"", false},
    {"-A X -p tcp -j REJECT", "-A X -p tcp -j REJECT --reject-with icmp-port-unreachable", true},
    {"-A X -p tcp -j REJECT --reject-with tcp-reset", "-A X -p tcp -j REJECT --reject-with icmp-port-unreachable", false},
    {"-A X -m statistic --mode random --probability 0.5000000000", "-A X -m statistic --mode random --probability 0.50000000000", true},
    {"-A X -m statistic --mode random --probability 0.25", "-A X -m statistic --mode random --probability 0.50000000000", false},
    {"-A X -p tcp -m tcp --dport 22 -j ACCEPT", "-A X -p tcp -m tcp --dport 23 -j ACCEPT", false},
    {"-A X ! -s 10.0.0.0/8 -j DROP", "-A X -s 10.0.0.0/8 -j DROP", false},
    {"-A X -m tcp ! --dport 22 -m state --state NEW", "-A X -m state --state NEW -m tcp ! --dport 22", false},  // match order is kept
    {"-A X -m comment --comment \"web and tls\"", "-A X -m comment --comment \"web\"", false},
    {"-A X -m nfacct --nfacct-name |>a", "-A X -m nfacct --nfacct-name  \"|>a\"", true},  // iptables-save quotes it
    {"-A X -m comment --comment \"say \\\"hi\\\"\"", "-A X -m comment --comment \"say \\\"hi\\\"\"", true},
    {"-A X -m comment --comment \"a b\"", "-A X -m comment --comment a b", false},
};
// clang-format on

TEST(Readback, CanonicalFormsMeetOnlyForTheSameRule) {
    for (const auto& c : spellings) {
        SCOPED_TRACE(std::string(c.written) + "  vs  " + c.saved);
        if (c.same) EXPECT_EQ(canonical_rule(c.written), canonical_rule(c.saved));
        else EXPECT_NE(canonical_rule(c.written), canonical_rule(c.saved));
    }
}

TEST(Readback, ReportsEachRuleAndPolicyReadDifferently) {
    Ruleset model =
        parse_ruleset("*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n", {});
    const std::string same =
        "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n";
    EXPECT_TRUE(compare_readback(model, same).empty());
    const std::string other =
        "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 2222 -j ACCEPT\n"
        "-A INPUT -j DROP\nCOMMIT\n";
    const auto diffs = compare_readback(model, other);
    ASSERT_EQ(diffs.size(), 3u);
    EXPECT_EQ(describe_readback(diffs[0]), "filter INPUT: fwbench reads policy DROP; the kernel loaded policy ACCEPT");
    EXPECT_EQ(diffs[1].rule, 1);
    EXPECT_EQ(diffs[2].rule, 2);
    EXPECT_EQ(diffs[2].fwbench, "(no rule)");
}

}  // namespace
}  // namespace fwbench
