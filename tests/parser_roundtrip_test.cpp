// Every match module and target: parse a rule, print it back in iptables-save form, parse that
// again; the typed rule and the printed text must be stable, and the printed form must be the
// canonical one iptables-save would write.

#include <gtest/gtest.h>

#include "fwbench/ruleset_parser.hpp"
#include "fwbench/ruleset_printer.hpp"

namespace fwbench {
namespace {

struct RoundTrip {
    const char* table;
    const char* rule;  // an -A line
    const char* canonical;  // how fwbench prints it (nullptr: the same as `rule`)
    Family family = Family::ipv4;
};

const std::vector<RoundTrip> round_trips = {
    // ipt_ip part
    {"filter", "-A INPUT -s 192.0.2.1", "-A INPUT -s 192.0.2.1/32"},
    {"filter", "-A INPUT ! -s 192.0.2.0/24 -d 198.51.100.0/255.255.255.0 -j DROP", "-A INPUT ! -s 192.0.2.0/24 -d 198.51.100.0/24 -j DROP"},
    {"filter", "-A INPUT -s ! 10.0.0.0/8 -j DROP", "-A INPUT ! -s 10.0.0.0/8 -j DROP"},
    {"filter", "-A INPUT -s 10.0.0.1/255.0.0.255 -j DROP", "-A INPUT -s 10.0.0.1/255.0.0.255 -j DROP"},
    {"filter", "-A FORWARD -i eth+ ! -o wan1 -p udp -f -j DROP", nullptr},
    {"filter", "-A INPUT -p 47 -j ACCEPT", "-A INPUT -p gre -j ACCEPT"},
    {"filter", "-A INPUT -p ICMP -j ACCEPT", "-A INPUT -p icmp -j ACCEPT"},
    {"filter", "-A INPUT ! -f -j ACCEPT", nullptr},
    // tcp / udp / udplite / sctp / dccp
    {"filter", "-A INPUT -p tcp --dport 22 -j ACCEPT", "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT"},
    {"filter", "-A INPUT -p tcp -m tcp --sport 1024: --dport :1023 -j ACCEPT", "-A INPUT -p tcp -m tcp --sport 1024:65535 --dport 0:1023 -j ACCEPT"},
    {"filter", "-A INPUT -p tcp -m tcp --syn -j ACCEPT", "-A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT"},
    {"filter", "-A INPUT -p tcp -m tcp ! --tcp-flags ALL NONE --tcp-option 8 -j DROP",
     "-A INPUT -p tcp -m tcp ! --tcp-flags FIN,SYN,RST,PSH,ACK,URG NONE --tcp-option 8 -j DROP"},
    {"filter", "-A INPUT -p tcp -m tcp --dport ssh -j ACCEPT", "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT"},
    {"filter", "-A INPUT -p udp -m udp ! --sport 67:68 ! --dport 67:68 -j ACCEPT", nullptr},
    {"filter", "-A INPUT -p udplite -m udplite --dport 5000 -j ACCEPT", nullptr},
    {"filter", "-A INPUT -p sctp -m sctp --dport 3868 -j ACCEPT", nullptr},
    {"filter", "-A INPUT -p dccp -m dccp --dport 5004 -j ACCEPT", nullptr},
    // icmp / icmp6
    {"filter", "-A INPUT -p icmp -m icmp --icmp-type echo-request -j ACCEPT", "-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT"},
    {"filter", "-A INPUT -p icmp -m icmp --icmp-type 3/4 -j ACCEPT", nullptr},
    {"filter", "-A INPUT -p icmp -m icmp ! --icmp-type any -j ACCEPT", nullptr},
    {"filter", "-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type neighbour-solicitation -j ACCEPT",
     "-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 135 -j ACCEPT", Family::ipv6},
    {"filter", "-A INPUT -p icmpv6 -m icmpv6 --icmpv6-type 1/4 -j ACCEPT", "-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 1/4 -j ACCEPT",
     Family::ipv6},
    // multiport, state, conntrack
    {"filter", "-A INPUT -p tcp -m multiport --dports 80,443,8000:8080 -j ACCEPT", nullptr},
    {"filter", "-A INPUT -p udp -m multiport ! --sports 53 -j ACCEPT", nullptr},
    {"filter", "-A INPUT -p udp -m multiport --ports 8080:8081,8082 -j ACCEPT", nullptr},
    {"filter", "-A INPUT -m state --state NEW,ESTABLISHED,RELATED -j ACCEPT", "-A INPUT -m state --state NEW,RELATED,ESTABLISHED -j ACCEPT"},
    {"filter", "-A INPUT -m state ! --state INVALID,UNTRACKED -j ACCEPT", nullptr},
    {"filter", "-A INPUT -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT --ctproto tcp -j DROP",
     "-A INPUT -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT --ctproto 6 -j DROP"},
    {"filter", "-A FORWARD -m conntrack --ctorigsrc 192.0.2.0/24 --ctorigdst 203.0.113.1 ! --ctreplsrc 10.0.0.1 --ctrepldst 10.0.0.0/8 -j ACCEPT",
     nullptr},  // iptables-save writes no /32 on conntrack's addresses
    {"filter", "-A FORWARD -m conntrack --ctorigsrcport 1000:2000 --ctorigdstport 80 --ctreplsrcport 8080 --ctrepldstport 1024 -j ACCEPT", nullptr},
    {"filter", "-A FORWARD -m conntrack --ctstatus ASSURED --ctexpire 10:100 --ctdir REPLY -j ACCEPT", nullptr},
    // addresses and types
    {"filter", "-A INPUT -m iprange --src-range 192.0.2.10-192.0.2.20 ! --dst-range 198.51.100.1-198.51.100.9 -j ACCEPT", nullptr},
    {"nat", "-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j ACCEPT", nullptr},
    {"filter", "-A INPUT -m addrtype --src-type UNICAST,BROADCAST --limit-iface-in -j ACCEPT", nullptr},
    // marks, misc header fields
    {"filter", "-A INPUT -m mark --mark 0x4000/0x4000 -j ACCEPT", nullptr},
    {"filter", "-A INPUT -m mark ! --mark 1 -j ACCEPT", "-A INPUT -m mark ! --mark 0x1 -j ACCEPT"},
    {"filter", "-A INPUT -m connmark --mark 0x10/0xf0 -j ACCEPT", nullptr},
    {"filter", "-A INPUT -m comment --comment \"a \\\"b\\\" !c\" -j ACCEPT", nullptr},
    {"filter", "-A INPUT -m comment --comment plain -j ACCEPT", nullptr},
    {"filter", "-A INPUT -m mac --mac-source 02:00:00:aa:bb:cc -j ACCEPT", "-A INPUT -m mac --mac-source 02:00:00:AA:BB:CC -j ACCEPT"},
    {"filter", "-A INPUT -m length --length 0:128 -j ACCEPT", nullptr},
    {"filter", "-A INPUT -m tos --tos Minimize-Delay -j ACCEPT", "-A INPUT -m tos --tos 0x10/0x3f -j ACCEPT"},
    {"filter", "-A INPUT -m dscp ! --dscp 0x2e -j ACCEPT", nullptr},
    {"filter", "-A INPUT -m dscp --dscp-class AF41 -j ACCEPT", "-A INPUT -m dscp --dscp 0x22 -j ACCEPT"},
    {"filter", "-A INPUT -m ttl --ttl-gt 5 -j ACCEPT", nullptr},
    {"filter", "-A INPUT -m ttl ! --ttl-eq 64 -j ACCEPT", nullptr},
    {"filter", "-A INPUT -m hl --hl-lt 2 -j DROP", nullptr, Family::ipv6},
    {"filter", "-A INPUT -m pkttype --pkt-type broadcast -j DROP", nullptr},
    {"filter", "-A OUTPUT -m owner --uid-owner 105 ! --gid-owner 100-200 -j ACCEPT", nullptr},
    {"filter", "-A OUTPUT -m owner ! --socket-exists -j ACCEPT", nullptr},
    // SECMARK's context is resolved by the host's security module when the rule loads (the kernel
    // oracle's has none): held here, as iptables-save prints it.
    {"security", "-A INPUT -j SECMARK --selctx system_u:object_r:ssh_server_packet_t:s0", nullptr},
    {"mangle", "-A PREROUTING -j SECMARK --selctx system_u:object_r:firewalld_exec_t:s0", nullptr},
    // stateful
    {"filter", "-A INPUT -m limit --limit 3/min --limit-burst 10 -j LOG --log-prefix \"lim: \" --log-level 4", nullptr},
    {"filter",
     "-A INPUT -p icmp -m hashlimit --hashlimit-above 10/sec --hashlimit-burst 20 --hashlimit-mode srcip --hashlimit-srcmask 8 --hashlimit-name "
     "aflood -j DROP",
     // libxt_hashlimit saves the masks after the name and the table's settings.
     "-A INPUT -p icmp -m hashlimit --hashlimit-above 10/sec --hashlimit-burst 20 --hashlimit-mode srcip --hashlimit-name aflood "
     "--hashlimit-srcmask 8 -j DROP"},
    {"filter", "-A INPUT -m recent --set --name ssh --mask 255.255.255.255 --rsource", nullptr},
    {"filter", "-A INPUT -m recent ! --update --seconds 60 --hitcount 3 --rttl --name ssh --rdest -j DROP",
     "-A INPUT -m recent ! --update --seconds 60 --hitcount 3 --rttl --name ssh --mask 255.255.255.255 --rdest -j DROP"},
    {"filter", "-A INPUT -m recent --rcheck --seconds 10 --reap --name x -j DROP",
     "-A INPUT -m recent --rcheck --seconds 10 --reap --name x --mask 255.255.255.255 --rsource -j DROP"},
    {"filter", "-A INPUT -m recent --remove --name x", "-A INPUT -m recent --remove --name x --mask 255.255.255.255 --rsource"},
    {"nat", "-A OUTPUT -m statistic --mode random --probability 0.33333 -j ACCEPT", nullptr},
    {"nat", "-A OUTPUT -m statistic --mode nth --every 3 --packet 2 -j ACCEPT", nullptr},
    {"filter", "-A INPUT -m nfacct --nfacct-name ct_invalid -j DROP", nullptr},
    {"filter", "-A INPUT -p tcp -m connlimit --connlimit-above 16 --connlimit-mask 24 --connlimit-saddr -j REJECT",
     "-A INPUT -p tcp -m connlimit --connlimit-above 16 --connlimit-mask 24 --connlimit-saddr -j REJECT --reject-with icmp-port-unreachable"},
    {"filter", "-A INPUT -m connlimit --connlimit-upto 4 --connlimit-daddr -j ACCEPT",
     "-A INPUT -m connlimit --connlimit-upto 4 --connlimit-mask 32 --connlimit-daddr -j ACCEPT"},
    // host and bridge
    {"raw", "-A PREROUTING -m rpfilter --loose --validmark --invert -j DROP", nullptr},
    {"filter", "-A FORWARD -m physdev --physdev-in veth+ ! --physdev-out eth0 --physdev-is-bridged -j ACCEPT", nullptr},
    {"filter",
     "-A INPUT -m policy --dir in --pol ipsec --strict --reqid 1 --proto esp --mode tunnel --tunnel-src 192.0.2.1 --next --proto ah -j ACCEPT",
     nullptr},  // nor on policy's
    {"filter", "-A INPUT -m policy --dir in --pol none -j ACCEPT", nullptr},
    {"filter", "-A INPUT -m rt --rt-type 0 --rt-segsleft 0:5 -j DROP", nullptr, Family::ipv6},
    // ipv6header names as ip6tables-save writes them (checked on ip6tables 1.8.9), in its order.
    {"filter", "-A INPUT -m ipv6header --header prot,frag,hop,dst,route,auth,esp,none -j DROP",
     "-A INPUT -m ipv6header --header hop-by-hop,ipv6-opts,ipv6-route,ipv6-frag,ah,esp,ipv6-nonxt,protocol -j DROP", Family::ipv6},
    {"filter", "-A INPUT -m ipv6header ! --header 44 --soft -j DROP", "-A INPUT -m ipv6header ! --header ipv6-frag --soft -j DROP", Family::ipv6},
    {"filter", "-A INPUT -m frag --fragid 5:10 --fraglen 8 --fragres --fragfirst --fragmore -j DROP", nullptr, Family::ipv6},
    {"filter", "-A INPUT -m frag ! --fragid 7:7 --fraglast -j DROP", "-A INPUT -m frag ! --fragid 7 --fraglast -j DROP", Family::ipv6},
    {"filter", "-A INPUT -m frag --fragid 5: -j DROP", "-A INPUT -m frag --fragid 5:4294967295 -j DROP", Family::ipv6},
    {"filter", "-A INPUT -m eui64 -j ACCEPT", nullptr, Family::ipv6},
    // hbh, dst, ah, esp, mh as ip6tables-save and iptables-save 1.8.9 print them (checked on this machine).
    {"filter", "-A INPUT -m hbh --hbh-len 8 --hbh-opts 1:4,0,5 -j ACCEPT", nullptr, Family::ipv6},
    {"filter", "-A INPUT -m hbh ! --hbh-len 16 -j ACCEPT", nullptr, Family::ipv6},
    {"filter", "-A INPUT -m hbh --hbh-opts 5:255,0 -j ACCEPT", "-A INPUT -m hbh --hbh-opts 5,0 -j ACCEPT", Family::ipv6},
    {"filter", "-A INPUT -m dst --dst-len 8 --dst-opts 201:2 -j ACCEPT", nullptr, Family::ipv6},
    {"filter", "-A INPUT -m ah --ahspi 500:600 --ahlen 4 --ahres -j ACCEPT", nullptr, Family::ipv6},
    {"filter", "-A INPUT -m ah ! --ahspi 7:7 ! --ahlen 4 -j ACCEPT", "-A INPUT -m ah ! --ahspi 7 ! --ahlen 4 -j ACCEPT", Family::ipv6},
    {"filter", "-A INPUT -p esp -m esp --espspi 100:200 -j ACCEPT", nullptr, Family::ipv6},
    {"filter", "-A INPUT -p esp -m esp ! --espspi 5 -j ACCEPT", nullptr, Family::ipv6},
    {"filter", "-A INPUT -p mobility-header -m mh --mh-type binding-update -j ACCEPT", "-A INPUT -p mobility-header -m mh --mh-type 5 -j ACCEPT",
     Family::ipv6},
    {"filter", "-A INPUT -p mh -m mh ! --mh-type hot:cot -j ACCEPT", "-A INPUT -p mobility-header -m mh ! --mh-type 3:4 -j ACCEPT", Family::ipv6},
    {"filter", "-A INPUT -p mh -m mh --mh-type 6: -j ACCEPT", "-A INPUT -p mobility-header -m mh --mh-type 6:255 -j ACCEPT", Family::ipv6},
    {"filter", "-A INPUT -p ah -m ah --ahspi 5:9 -j ACCEPT", nullptr},
    {"filter", "-A INPUT -p esp -m esp --espspi 5 -j ACCEPT", nullptr},
    {"filter", "-A INPUT -p esp --espspi 5 -j ACCEPT", "-A INPUT -p esp -m esp --espspi 5 -j ACCEPT"},
    {"filter", "-A FORWARD -m set --match-set docker-ext-bridges-v4 dst -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", nullptr},
    // targets
    {"filter", "-A INPUT -p tcp -j REJECT --reject-with tcp-reset", nullptr},
    {"filter", "-A INPUT -j REJECT --reject-with icmp-host-prohibited", nullptr},
    {"filter", "-A INPUT -j REJECT --reject-with host-prohib", "-A INPUT -j REJECT --reject-with icmp-host-prohibited"},
    {"filter", "-A INPUT -j REJECT --reject-with icmp6-adm-prohibited", nullptr, Family::ipv6},
    {"filter", "-A INPUT -j RETURN", nullptr},
    {"filter", "-A INPUT -j NFQUEUE --queue-num 4 --queue-bypass", nullptr},
    {"filter", "-A INPUT -j LOG --log-level debug --log-prefix \"x y\" --log-tcp-options --log-uid",
     "-A INPUT -j LOG --log-prefix \"x y\" --log-level 7 --log-tcp-options --log-uid"},
    {"filter", "-A INPUT -j NFLOG --nflog-group 2 --nflog-prefix drop --nflog-threshold 10", nullptr},
    {"filter", "-A INPUT -j ULOG --ulog-nlgroup 1 --ulog-prefix u", nullptr},
    {"mangle", "-A PREROUTING -j MARK --set-xmark 0x1/0xffffffff", nullptr},
    {"mangle", "-A PREROUTING -j MARK --set-mark 0x1", "-A PREROUTING -j MARK --set-xmark 0x1/0xffffffff"},
    {"nat", "-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000", "-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000"},
    {"mangle", "-A PREROUTING -j MARK --and-mark 0xff", "-A PREROUTING -j MARK --set-xmark 0x0/0xffffff00"},
    {"mangle", "-A PREROUTING -j MARK --xor-mark 0x2", "-A PREROUTING -j MARK --set-xmark 0x2/0x0"},
    {"mangle", "-A PREROUTING -j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xff", nullptr},
    {"mangle", "-A POSTROUTING -j CONNMARK --save-mark --mask 0xffff", "-A POSTROUTING -j CONNMARK --save-mark --nfmask 0xffff --ctmask 0xffff"},
    {"mangle", "-A PREROUTING -j CONNMARK --set-xmark 0x2/0xff", nullptr},
    {"nat", "-A PREROUTING -i wan1 -p tcp -m tcp --dport 80 -j DNAT --to-destination 192.0.2.2:8080", nullptr},
    {"nat", "-A PREROUTING -p udp -j DNAT --to-destination 192.0.2.2-192.0.2.9:1000-2000 --random --persistent", nullptr},
    // A range of one address or one port prints as that address or port (libxt_DNAT print_range).
    {"nat", "-A PREROUTING -p tcp -j DNAT --to-destination 192.0.2.5-192.0.2.5:80-80", "-A PREROUTING -p tcp -j DNAT --to-destination 192.0.2.5:80"},
    {"nat", "-A POSTROUTING -o wan1 -j SNAT --to-source 203.0.113.1-203.0.113.1", "-A POSTROUTING -o wan1 -j SNAT --to-source 203.0.113.1"},
    {"nat", "-A POSTROUTING -o wan1 -j SNAT --to-source 203.0.113.1 --random-fully", nullptr},
    {"nat", "-A POSTROUTING -o wan1 -p tcp -j MASQUERADE --to-ports 1024-65535", nullptr},
    {"nat", "-A POSTROUTING -o wan1 -j MASQUERADE", nullptr},
    {"nat", "-A PREROUTING -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 3128", nullptr},
    {"nat", "-A PREROUTING -d 10.1.0.0/16 -j NETMAP --to 10.2.0.0/16", nullptr},
    {"nat", "-A PREROUTING -p tcp -j DNAT --to-destination [2001:db8::2]:8080", nullptr, Family::ipv6},
    {"nat", "-A POSTROUTING -j SNAT --to-source 2001:db8::2-2001:db8::2", "-A POSTROUTING -j SNAT --to-source 2001:db8::2", Family::ipv6},
    {"raw", "-A PREROUTING -j NOTRACK", nullptr},
    {"raw", "-A OUTPUT -o lo -j CT --notrack", nullptr},
    {"raw", "-A PREROUTING -p tcp -m tcp --dport 21 -j CT --helper ftp", nullptr},
    {"raw", "-A PREROUTING -j TRACE", nullptr},
    {"mangle", "-A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu", nullptr},
    {"mangle", "-A POSTROUTING -p tcp -j TCPMSS --set-mss 1400", nullptr},
    {"mangle", "-A POSTROUTING -p udp -m udp --dport 68 -j CHECKSUM --checksum-fill", nullptr},
    {"mangle", "-A POSTROUTING -j CLASSIFY --set-class 1:10", "-A POSTROUTING -j CLASSIFY --set-class 0001:0010"},
    {"mangle", "-A POSTROUTING -j DSCP --set-dscp 0x2e", nullptr},
    {"mangle", "-A POSTROUTING -j DSCP --set-dscp-class EF", "-A POSTROUTING -j DSCP --set-dscp 0x2e"},
    {"mangle", "-A PREROUTING -j TOS --set-tos 0x10/0x3f", nullptr},
    {"mangle", "-A PREROUTING -j TOS --set-tos Minimize-Delay", "-A PREROUTING -j TOS --set-tos 0x10/0x3f"},
    {"mangle", "-A PREROUTING -j TTL --ttl-set 64", nullptr},
    {"mangle", "-A PREROUTING -j TTL --ttl-dec 1", nullptr},
    {"mangle", "-A PREROUTING -j HL --hl-inc 1", nullptr, Family::ipv6},
};

std::string chain_of(const std::string& rule) {
    auto a = rule.find("-A ") + 3;
    return rule.substr(a, rule.find(' ', a) - a);
}

std::string wrap(const RoundTrip& rt) {
    std::string chain = chain_of(rt.rule);
    std::string text = std::string("*") + rt.table + "\n";
    bool builtin = chain == "PREROUTING" || chain == "INPUT" || chain == "FORWARD" || chain == "OUTPUT" || chain == "POSTROUTING";
    if (!builtin) text += ":" + chain + " - [0:0]\n";
    return text + rt.rule + "\nCOMMIT\n";
}

IpsetRegistry test_ipsets() {
    return IpsetRegistry::parse("create docker-ext-bridges-v4 hash:net family inet\nadd docker-ext-bridges-v4 192.0.2.0/24\n", "ipsets");
}

class RoundTripTest : public ::testing::TestWithParam<RoundTrip> {};

TEST_P(RoundTripTest, ParsePrintParse) {
    const RoundTrip& rt = GetParam();
    IpsetRegistry ipsets = test_ipsets();
    RulesetParseOptions opt;
    opt.family = rt.family;
    opt.ipsets = &ipsets;
    Ruleset first = parse_ruleset(wrap(rt), opt);
    const Table* t = first.table(rt.table);
    ASSERT_NE(t, nullptr);
    const Chain* c = t->chain(chain_of(rt.rule));
    ASSERT_NE(c, nullptr);
    ASSERT_EQ(c->rules.size(), 1u);
    std::string printed = format_rule(c->rules[0], c->name);
    EXPECT_EQ(printed, rt.canonical ? rt.canonical : rt.rule);

    Ruleset second = parse_ruleset(format_ruleset(first), opt);
    const Chain* c2 = second.table(rt.table)->chain(c->name);
    ASSERT_NE(c2, nullptr);
    ASSERT_EQ(c2->rules.size(), 1u);
    EXPECT_TRUE(c2->rules[0] == c->rules[0]) << "the reparsed rule differs: " << format_rule(c2->rules[0], c->name);
    EXPECT_EQ(format_rule(c2->rules[0], c->name), printed);
}

void PrintTo(const RoundTrip& r, std::ostream* os) { *os << r.rule; }

INSTANTIATE_TEST_SUITE_P(Modules, RoundTripTest, ::testing::ValuesIn(round_trips));

TEST(RoundTrip, CountersAndPoliciesSurvive) {
    const char* text =
        "*filter\n:INPUT DROP [12:3400]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [5:600]\n:my-chain - [0:0]\n"
        "[3:180] -A INPUT -i lo -j ACCEPT\n[0:0] -A INPUT -j my-chain\n-A my-chain -g my-chain2\n:my-chain2 - [0:0]\nCOMMIT\n";
    // my-chain2 is declared after its use: iptables-restore accepts that within one table.
    Ruleset rs = parse_ruleset(text, {});
    const Table& t = *rs.table("filter");
    EXPECT_EQ(t.chain("INPUT")->policy, StandardTarget::Kind::drop);
    EXPECT_EQ(t.chain("INPUT")->input_counters, (Counters{12, 3400}));
    EXPECT_EQ(t.chain("INPUT")->rules[0].input_counters, (Counters{3, 180}));
    EXPECT_EQ(t.chain("INPUT")->rules[0].line, 6);
    EXPECT_EQ(t.chain("INPUT")->rules[0].text, "[3:180] -A INPUT -i lo -j ACCEPT");
    Ruleset again = parse_ruleset(format_ruleset(rs), {});
    EXPECT_EQ(again.table("filter")->chain("INPUT")->input_counters, (Counters{12, 3400}));
    EXPECT_EQ(format_ruleset(again), format_ruleset(rs));
}

TEST(RoundTrip, RestoreNoflushCommands) {
    const char* text =
        "*nat\n-N KUBE-SVC\n-A KUBE-SVC -j ACCEPT\n-A PREROUTING -j KUBE-SVC\n-I PREROUTING 1 -p udp -j RETURN\n"
        "-N TMP\n-X TMP\n-F KUBE-SVC\n-A KUBE-SVC -j MARK --set-mark 1\n-D PREROUTING 1\nCOMMIT\n"
        "*filter\n-P FORWARD DROP\n-A FORWARD -c 10 200 -j ACCEPT\nCOMMIT\n";
    Ruleset rs = parse_ruleset(text, {});
    const Table& nat = *rs.table("nat");
    ASSERT_EQ(nat.chain("PREROUTING")->rules.size(), 1u);
    EXPECT_EQ(nat.chain("PREROUTING")->rules[0].target->name, "KUBE-SVC");
    ASSERT_EQ(nat.chain("KUBE-SVC")->rules.size(), 1u);
    EXPECT_EQ(nat.chain("KUBE-SVC")->rules[0].target->name, "MARK");
    EXPECT_EQ(nat.chain("TMP"), nullptr);
    EXPECT_EQ(rs.table("filter")->chain("FORWARD")->policy, StandardTarget::Kind::drop);
    EXPECT_EQ(rs.table("filter")->chain("FORWARD")->rules[0].input_counters, (Counters{10, 200}));
}

TEST(RoundTrip, AddressListsExpandLikeIptables) {
    Ruleset rs = parse_ruleset("*filter\n-A INPUT -s 192.0.2.1,192.0.2.2 -d 198.51.100.0/24,203.0.113.9 -j DROP\n-A INPUT -j ACCEPT\nCOMMIT\n", {});
    const auto& rules = rs.table("filter")->chain("INPUT")->rules;
    ASSERT_EQ(rules.size(), 5u);
    EXPECT_EQ(format_rule(rules[0], "INPUT"), "-A INPUT -s 192.0.2.1/32 -d 198.51.100.0/24 -j DROP");
    EXPECT_EQ(format_rule(rules[1], "INPUT"), "-A INPUT -s 192.0.2.1/32 -d 203.0.113.9/32 -j DROP");
    EXPECT_EQ(format_rule(rules[2], "INPUT"), "-A INPUT -s 192.0.2.2/32 -d 198.51.100.0/24 -j DROP");
    EXPECT_EQ(format_rule(rules[3], "INPUT"), "-A INPUT -s 192.0.2.2/32 -d 203.0.113.9/32 -j DROP");
    EXPECT_EQ(rules[3].line, 2);
    // -D with the same list deletes all four.
    Ruleset del =
        parse_ruleset("*filter\n-A INPUT -s 192.0.2.1,192.0.2.2 -j DROP\n-A INPUT -j ACCEPT\n-D INPUT -s 192.0.2.1,192.0.2.2 -j DROP\nCOMMIT\n", {});
    ASSERT_EQ(del.table("filter")->chain("INPUT")->rules.size(), 1u);
}

TEST(RoundTrip, RulesForTheOtherFamilyAreSkippedLikeIptablesRestore) {
    Ruleset rs = parse_ruleset("*filter\n-A INPUT -6 -j DROP\n-A INPUT -4 -j ACCEPT\nCOMMIT\n", {});
    ASSERT_EQ(rs.table("filter")->chain("INPUT")->rules.size(), 1u);
    EXPECT_EQ(rs.table("filter")->chain("INPUT")->rules[0].target->name, "ACCEPT");
}

}  // namespace
}  // namespace fwbench
