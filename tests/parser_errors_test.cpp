// Bad input gets file:line:column and what was expected; unknown modules, options and targets
// are named; what iptables-restore or the kernel refuses is refused.

#include <gtest/gtest.h>

#include <set>

#include "fwbench/classbench.hpp"
#include "fwbench/classbench_trace.hpp"
#include "fwbench/parse_error.hpp"
#include "fwbench/ruleset_parser.hpp"

namespace fwbench {
namespace {

struct ErrorCase {
    const char* input;
    int line, column;
    const char* message;  // a substring of the message
};

const std::vector<ErrorCase> error_cases = {
    {"*filter\n-A INPUT -m nosuch -j ACCEPT\nCOMMIT\n", 2, 13, "unknown match module 'nosuch'"},
    {"*filter\n-A INPUT -p udp -m multiport --ports 1,2 --something-else -j ACCEPT\nCOMMIT\n", 2, 42,
     "unknown option '--something-else' (not an option of: multiport)"},
    {"*filter\n-A INPUT --dport 22 -j ACCEPT\nCOMMIT\n", 2, 10, "unknown option '--dport' (no match module loaded: missing -m?)"},
    {"*filter\n-A INPUT -j NOSUCHTARGET\nCOMMIT\n", 2, 13, "'NOSUCHTARGET' is neither a target fwbench knows nor a chain of table filter"},
    {"*filter\n-A INPUT -g missing\nCOMMIT\n", 2, 13, "goto to chain 'missing', which does not exist"},
    {"*filter\n:A - [0:0]\n:B - [0:0]\n-A A -j B\n-A B -j A\nCOMMIT\n", 5, 9, "loop of jumps in table filter: A -> B -> A"},
    {"*filter\n:A - [0:0]\n-A A -g A\nCOMMIT\n", 3, 9, "loop of jumps"},
    {"*filter\n-A INPUT -j DNAT --to-destination 192.0.2.1\nCOMMIT\n", 2, 13, "target DNAT is only valid in the nat table, not in filter"},
    {"*nat\n-A POSTROUTING -j DNAT --to-destination 192.0.2.1\nCOMMIT\n", 2, 19,
     "target DNAT is only valid in PREROUTING/OUTPUT, but chain POSTROUTING is reached from POSTROUTING"},
    {"*nat\n:X - [0:0]\n-A PREROUTING -j X\n-A X -j SNAT --to-source 192.0.2.1\nCOMMIT\n", 4, 9,
     "target SNAT is only valid in INPUT/POSTROUTING, but chain X is reached from PREROUTING"},
    {"*mangle\n-A INPUT -j REJECT\nCOMMIT\n", 2, 13, "target REJECT is only valid in the filter table"},
    {"*filter\n-A INPUT -j SECMARK --selctx system_u:object_r:ssh_server_packet_t:s0\nCOMMIT\n", 2, 13,
     "target SECMARK is only valid in the mangle or security table, not in filter"},
    {"*filter\n-A INPUT -o eth0 -j DROP\nCOMMIT\n", 2, 10, "can't use -o with INPUT"},
    {"*filter\n-A OUTPUT -i eth0 -j DROP\nCOMMIT\n", 2, 11, "can't use -i with OUTPUT"},
    {"*filter\n-A INPUT -m owner --uid-owner 0 -j DROP\nCOMMIT\n", 2, 10, "the owner match is only valid in OUTPUT/POSTROUTING"},
    {"*filter\n-A INPUT -m tcp --dport 22 -j DROP\nCOMMIT\n", 2, 10, "the tcp match needs \"-p tcp\""},
    {"*filter\n-A INPUT -m multiport --dports 22 -j DROP\nCOMMIT\n", 2, 10, "the multiport match needs \"-p tcp\""},
    {"*filter\n-A INPUT -p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15:16 -j DROP\nCOMMIT\n", 2, 39, "at most 15 ports"},
    {"*filter\n-A INPUT -s 300.1.2.3 -j DROP\nCOMMIT\n", 2, 13, "expected an IPv4 address, got '300.1.2.3'"},
    {"*filter\n-A INPUT -s 10.0.0.0/33 -j DROP\nCOMMIT\n", 2, 13, "prefix length 33 is longer than 32"},
    {"*filter\n-A INPUT ! -s 192.0.2.1,192.0.2.2 -j DROP\nCOMMIT\n", 2, 12, "'!' cannot be used with a list of addresses"},
    {"*filter\n-A INPUT -s 192.0.2.1,192.0.2.300 -j DROP\nCOMMIT\n", 2, 23, "expected an IPv4 address, got '192.0.2.300'"},
    {"*filter\n-A INPUT -p tcp --dport 99999 -j DROP\nCOMMIT\n", 2, 25, "expected a port or PORT:PORT range, got '99999'"},
    {"*filter\n-A INPUT -p foo -j DROP\nCOMMIT\n", 2, 13, "unknown protocol 'foo'"},
    {"*filter\n-A INPUT -i averyveryverylongname -j DROP\nCOMMIT\n", 2, 13, "longer than 15 characters"},
    {"*filter\n-A INPUT -o abcdefghijklmnop -j DROP\nCOMMIT\n", 2, 13, "longer than 15 characters"},  // 16 bytes: IFNAMSIZ holds 15
    {"*filter\n-A INPUT -m comment ! --comment x -j DROP\nCOMMIT\n", 2, 21, "'--comment' cannot be negated"},
    {"*filter\n-A INPUT ! ! -s 1.2.3.4 -j DROP\nCOMMIT\n", 2, 12, "double negation"},
    {"*filter\n-A INPUT -j DROP !\nCOMMIT\n", 2, 18, "'!' at the end of the rule negates nothing"},
    {"*filter\n-A INPUT -m comment --comment \"open\nCOMMIT\n", 2, 31, "unterminated quoted string"},
    {"*filter\n-A INPUT -p tcp --dport\nCOMMIT\n", 2, 24, "expected an argument after '--dport'"},
    {"*filter\n-A INPUT -j ACCEPT -j DROP\nCOMMIT\n", 2, 20, "a rule has only one target"},
    {"*filter\n-A NOPE -j ACCEPT\nCOMMIT\n", 2, 4, "chain 'NOPE' does not exist in table filter"},
    {"*filter\n:INPUT MAYBE [0:0]\nCOMMIT\n", 2, 8, "expected ACCEPT or DROP as the policy of built-in chain INPUT"},
    {"*filter\n:mine ACCEPT [0:0]\nCOMMIT\n", 2, 7, "expected '-' as the policy of user chain mine"},
    {"*filter\n:ACCEPT - [0:0]\nCOMMIT\n", 2, 1, "'ACCEPT' is a target name and cannot be a chain name"},
    {"*filter\n:PREROUTING - [0:0]\nCOMMIT\n", 2, 2, "chain PREROUTING is not a built-in chain of table filter"},
    {"*filter\n[1:x] -A INPUT -j DROP\nCOMMIT\n", 2, 1, "expected counters [PACKETS:BYTES]"},
    {"*nosuch\nCOMMIT\n", 1, 2, "unknown table 'nosuch'"},
    {"-A INPUT -j DROP\n", 1, 1, "expected '*TABLE' before '-A'"},
    {"*filter\n-A INPUT -j DROP\n", 2, 1, "expected COMMIT before the end of the input"},
    {"*filter\n*nat\n", 2, 1, "expected COMMIT for table 'filter' before a new table"},
    {"*filter\n-A INPUT -m state --state BOGUS -j DROP\nCOMMIT\n", 2, 27,
     "expected states from INVALID,NEW,RELATED,ESTABLISHED,UNTRACKED, got 'BOGUS'"},
    {"*filter\n-A INPUT -p icmp -m icmp --icmp-type no-such-type -j DROP\nCOMMIT\n", 2, 38, "expected an ICMP type name or TYPE[/CODE]"},
    {"*filter\n-A INPUT -m limit --limit 5/fortnight -j DROP\nCOMMIT\n", 2, 27, "expected a rate N[/second|/minute|/hour|/day]"},
    {"*filter\n-A INPUT -m hashlimit --hashlimit-upto 5/sec -j DROP\nCOMMIT\n", 2, 10, "the hashlimit match needs --hashlimit-name"},
    {"*filter\n-A INPUT -m set --match-set unknown src -j DROP\nCOMMIT\n", 2, 29,
     "ipset 'unknown' is not known: give its contents with --ipsets FILE"},
    {"# Generated by iptables-save v1.8.9\n*filter\n-A INPUT -m icmp6 --icmpv6-type 1 -j DROP\nCOMMIT\n", 3, 13,
     "the icmp6 match is for ip6tables (IPv6) only"},
    {"*filter\n-A INPUT -j REJECT --reject-with tcp-reset\nCOMMIT\n", 2, 13, "--reject-with tcp-reset needs \"-p tcp\""},
    {"# Generated by ip6tables-save v1.8.9\n*filter\n-A INPUT -m ipv6header --soft -j DROP\nCOMMIT\n", 3, 10, "the ipv6header match needs --header"},
    {"# Generated by ip6tables-save v1.8.9\n*filter\n-A INPUT -m ipv6header --header hop,nosuch -j DROP\nCOMMIT\n", 3, 33, "expected header names"},
    {"# Generated by ip6tables-save v1.8.9\n*filter\n-A INPUT -m frag --fragmore --fraglast -j DROP\nCOMMIT\n", 3, 10,
     "--fragmore and --fraglast exclude each other"},
    {"# Generated by ip6tables-save v1.8.9\n*filter\n-A INPUT -m frag --fragid 10:5 -j DROP\nCOMMIT\n", 3, 27, "MIN not above MAX"},
    {"# Generated by ip6tables-save v1.8.9\n*filter\n-A OUTPUT -m eui64 -j DROP\nCOMMIT\n", 3, 11, "eui64"},  // PREROUTING, INPUT, FORWARD only
    // hbh, dst, ah, esp, mh: what ip6tables and the kernel's checkentry refuse.
    {"# Generated by ip6tables-save v1.8.9\n*filter\n-A INPUT -m esp --espspi 5 -j DROP\nCOMMIT\n", 3, 10, "the esp match needs \"-p esp\""},
    {"# Generated by ip6tables-save v1.8.9\n*filter\n-A INPUT -m mh --mh-type 5 -j DROP\nCOMMIT\n", 3, 10,
     "the mh match needs \"-p mobility-header\""},
    {"# Generated by ip6tables-save v1.8.9\n*filter\n-A INPUT -p mh -m mh --mh-type nosuch -j DROP\nCOMMIT\n", 3, 32,
     "expected a mobility header type"},
    {"# Generated by ip6tables-save v1.8.9\n*filter\n-A INPUT -p mh -m mh --mh-type 5:3 -j DROP\nCOMMIT\n", 3, 32, "first is above its last"},
    {"# Generated by ip6tables-save v1.8.9\n*filter\n-A INPUT -m hbh --hbh-opts 0:3 -j DROP\nCOMMIT\n", 3, 28, "Pad1 (type 0) has no length"},
    {"# Generated by ip6tables-save v1.8.9\n*filter\n-A INPUT -m dst --dst-opts 1:256 -j DROP\nCOMMIT\n", 3, 28, "an option length from 0 to 255"},
    {"# Generated by ip6tables-save v1.8.9\n*filter\n-A INPUT -m hbh --hbh-opts 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17 -j DROP\nCOMMIT\n", 3, 28,
     "at most 16 options"},
    {"# Generated by iptables-save v1.8.9\n*filter\n-A INPUT -p ah -m ah --ahlen 4 -j DROP\nCOMMIT\n", 3, 30, "iptables' ah match has --ahspi only"},
    {"# Generated by iptables-save v1.8.9\n*filter\n-A INPUT -m ah --ahspi 4 -j DROP\nCOMMIT\n", 3, 10, "the ah match needs \"-p ah\""},
    // addrtype_mt_checkentry_v1: what IPv6 has no such address for.
    {"# Generated by ip6tables-save v1.8.9\n*filter\n-A INPUT -m addrtype --dst-type BROADCAST -j DROP\nCOMMIT\n", 3, 10,
     "ip6tables cannot match BROADCAST addresses"},
    {"# Generated by ip6tables-save v1.8.9\n*filter\n-A INPUT -m addrtype --src-type LOCAL,BLACKHOLE -j DROP\nCOMMIT\n", 3, 10,
     "ip6tables cannot match BLACKHOLE addresses"},
    {"# Generated by ip6tables-save v1.8.9\n*filter\n-A INPUT -m addrtype ! --dst-type PROHIBIT -j DROP\nCOMMIT\n", 3, 10,
     "ip6tables cannot match PROHIBIT, THROW, NAT or XRESOLVE addresses"},
    {"# Generated by ip6tables-save v1.8.9\n*filter\n-A INPUT -m addrtype --dst-type THROW -j DROP\nCOMMIT\n", 3, 10,
     "ip6tables cannot match PROHIBIT, THROW, NAT or XRESOLVE addresses"},
    {"# Generated by ip6tables-save v1.8.9\n*filter\n-A INPUT -m addrtype --dst-type UNSPEC,UNICAST,LOCAL,ANYCAST,MULTICAST,UNREACHABLE -j "
     "DROP\nCOMMIT\n",
     0, 0, nullptr},  // valid: every type IPv6 has
    {"# Generated by iptables-save v1.8.9\n*filter\n-A INPUT -m addrtype --dst-type BROADCAST,BLACKHOLE,PROHIBIT,THROW -j DROP\nCOMMIT\n", 0, 0,
     nullptr},  // valid in IPv4
    {"*raw\n-A PREROUTING -m rpfilter -j DROP\nCOMMIT\n", 0, 0, nullptr},  // valid: a control case
    {"*filter\n-A INPUT -m rpfilter -j DROP\nCOMMIT\n", 2, 10, "the rpfilter match is only valid in the raw and mangle tables"},
    {"*nat\n-A PREROUTING -j NOTRACK\nCOMMIT\n", 2, 18, "target NOTRACK is only valid in the raw table"},
    {"*filter\n-A INPUT -j MARK --set-mark\nCOMMIT\n", 2, 28, "expected an argument after '--set-mark'"},
    {"*filter\n-A INPUT -j MARK --set-mark zz\nCOMMIT\n", 2, 29, "MARK --set-mark: expected VALUE[/MASK], got 'zz'"},
    {"*filter\n-X INPUT\nCOMMIT\n", 2, 4, "cannot delete built-in chain INPUT"},
    // -m bpf: what the kernel would load but fwbench cannot know is refused by name.
    {"*filter\n-A INPUT -m bpf --bytecode \"2,32 0 0 4294963236,22 0 0 0\" -j DROP\nCOMMIT\n", 2, 10,
     "bpf: instruction 0 reads SKF_AD_CPU (the CPU the packet is processed on), which fwbench does not model"},
    {"*filter\n-A INPUT -m bpf --bytecode \"2,40 0 0 4292870156,22 0 0 0\" -j DROP\nCOMMIT\n", 2, 10,
     "bpf: instruction 0 reads the link-layer header (SKF_LL_OFF)"},
    {"*filter\n-A INPUT -m bpf --object-pinned /sys/fs/bpf/prog -j DROP\nCOMMIT\n", 2, 33,
     "bpf --object-pinned: '/sys/fs/bpf/prog' is a program pinned in the host's bpf filesystem"},
    {"*filter\n-A INPUT -m bpf --bytecode \"2,6 0 0 1\" -j DROP\nCOMMIT\n", 2, 28,
     "bpf --bytecode: parsed program length is less than the encoded length parameter"},
    {"*filter\n:A - [0:0]\n-A INPUT -j A\n-X A\nCOMMIT\n", 4, 4, "cannot delete chain A: rule at line 3 refers to it"},
};

// -m nfacct names an accounting object the kernel must hold: given the objects that exist, a rule
// naming another is refused where the name is (the kernel's ENOENT); not given, each is taken to
// exist.
TEST(ParserNfacct, ANameNoObjectHasIsRefusedWhenTheObjectsAreKnown) {
    const std::string rules = "*filter\n-A INPUT -m nfacct --nfacct-name wrong\nCOMMIT\n";
    const std::set<std::string> objects = {"test"};
    RulesetParseOptions opt;
    opt.source = "rules.txt";
    EXPECT_NO_THROW(parse_ruleset(rules, opt));
    opt.nfacct_objects = &objects;
    try {
        parse_ruleset(rules, opt);
        FAIL() << "no error";
    } catch (const ParseError& e) {
        EXPECT_EQ(e.line(), 2);
        EXPECT_EQ(e.column(), 34);
        EXPECT_NE(e.message().find("no accounting object 'wrong' exists"), std::string::npos) << e.what();
    }
    EXPECT_NO_THROW(parse_ruleset("*filter\n-A INPUT -m nfacct --nfacct-name test\nCOMMIT\n", opt));
}

class ParserErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ParserErrors, NamesTheProblemAndWhere) {
    const ErrorCase& c = GetParam();
    RulesetParseOptions opt;
    opt.source = "rules.txt";
    if (!c.message) {
        EXPECT_NO_THROW(parse_ruleset(c.input, opt));
        return;
    }
    try {
        parse_ruleset(c.input, opt);
        FAIL() << "no error for:\n" << c.input;
    } catch (const ParseError& e) {
        EXPECT_EQ(e.file(), "rules.txt");
        EXPECT_EQ(e.line(), c.line) << e.what();
        EXPECT_EQ(e.column(), c.column) << e.what();
        EXPECT_NE(e.message().find(c.message), std::string::npos) << "message: " << e.message() << "\nexpected: " << c.message;
        EXPECT_EQ(std::string(e.what()).rfind("rules.txt:" + std::to_string(c.line) + ":" + std::to_string(c.column) + ": ", 0), 0u);
    }
}

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << (c.message ? c.message : "(valid)"); }

INSTANTIATE_TEST_SUITE_P(Cases, ParserErrors, ::testing::ValuesIn(error_cases));

TEST(ParserLenient, SkipsAndListsBadRules) {
    RulesetParseOptions opt;
    opt.lenient = true;
    Ruleset rs = parse_ruleset("*filter\n-A INPUT -m nosuch -j DROP\n-A INPUT -j ACCEPT\n-A INPUT -j NOPE\nCOMMIT\n", opt);
    EXPECT_EQ(rs.table("filter")->chain("INPUT")->rules.size(), 1u);
    ASSERT_EQ(rs.skipped.size(), 2u);
    EXPECT_EQ(rs.skipped[0].line, 2);
    EXPECT_NE(rs.skipped[0].reason.find("nosuch"), std::string::npos);
    EXPECT_EQ(rs.skipped[1].line, 4);
}

TEST(ParserLenient, StructuralErrorsStillFail) {
    RulesetParseOptions opt;
    opt.lenient = true;
    EXPECT_THROW(parse_ruleset("*filter\n-A INPUT -j DROP\n", opt), ParseError);
    EXPECT_THROW(parse_ruleset("*filter\n:A - [0:0]\n-A A -j A\nCOMMIT\n", opt), ParseError);
}

TEST(ClassBenchErrors, FilterLinePositions) {
    try {
        parse_classbench_rules("@1.2.3.4/32\t5.6.7.8/32\t0 : 65535\t80 : 80\t0x06/0xFF\n@1.2.3.4/32\t5.6.7.8/32\t0 : 65535\t80 : 70\t0x06/0xFF\n",
                               "set");
        FAIL();
    } catch (const ParseError& e) {
        EXPECT_EQ(e.line(), 2);
        EXPECT_NE(e.message().find("destination port range is reversed"), std::string::npos) << e.what();
    }
    EXPECT_THROW(parse_classbench_rules("@1.2.3.4/32\t5.6.7.8/32\t0 : 65535\t80 : 80\t0x06/0x0F\n", "set"), ParseError);
    EXPECT_THROW(parse_classbench_rules("1.2.3.4/32\t5.6.7.8/32\t0 : 65535\t80 : 80\t0x06/0xFF\n", "set"), ParseError);
}

TEST(ClassBenchErrors, TraceLinePositions) {
    auto ok = parse_classbench_trace("1 2 3 4 6\n3232235777 167772161 1024 80 17 0 12\n", "trace");
    ASSERT_EQ(ok.packets.size(), 2u);
    EXPECT_EQ(ok.packets[1].src, IpAddr::v4(3232235777u));
    EXPECT_EQ(ok.packets[1].dport, 80);
    EXPECT_EQ(ok.generating_rule[1], 12u);
    try {
        parse_classbench_trace("1 2 3 4 6\n1 2 70000 4 6\n", "trace");
        FAIL();
    } catch (const ParseError& e) {
        EXPECT_EQ(e.line(), 2);
        EXPECT_EQ(e.column(), 5);
        EXPECT_NE(e.message().find("source port"), std::string::npos);
    }
    EXPECT_THROW(parse_classbench_trace("1 2 3\n", "trace"), ParseError);
    EXPECT_THROW(parse_classbench_trace("1 2 3 4 x\n", "trace"), ParseError);
}

}  // namespace
}  // namespace fwbench
