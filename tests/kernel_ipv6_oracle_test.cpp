// The oracle builds IPv6 routers: an ip6tables ruleset is loaded with ip6tables-restore into a
// router holding the host's IPv6 addresses (and only those), IPv6 packets are injected from the
// wire and from a local socket, and ip6tables-save -c gives the kernel's counters. The first test's
// expected counters are worked out by hand from the ruleset; the fixtures' are fwbench's.

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "described_datagrams.hpp"
#include "fwbench/kernel_oracle.hpp"
#include "fwbench/packet_description.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "path_cases6.hpp"
#include "require_kernel.hpp"

namespace fwbench {
namespace {

const char* host_json = R"({"addr":[
 {"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP"],"link_type":"loopback","addr_info":[
  {"family":"inet","local":"127.0.0.1","prefixlen":8},{"family":"inet6","local":"::1","prefixlen":128,"scope":"host"}]},
 {"ifindex":2,"ifname":"wan1","flags":["UP"],"link_type":"ether","address":"02:00:5e:00:01:01","addr_info":[
  {"family":"inet6","local":"2001:db8:1::1","prefixlen":64,"scope":"global"}]},
 {"ifindex":3,"ifname":"lan0","flags":["UP"],"link_type":"ether","address":"02:00:5e:00:02:01","addr_info":[
  {"family":"inet6","local":"2001:db8:2::1","prefixlen":64,"scope":"global"}]}],
 "route":[{"dst":"2001:db8:1::/64","dev":"wan1","metric":256},{"dst":"2001:db8:2::/64","dev":"lan0","metric":256},
  {"dst":"default","gateway":"2001:db8:1::fe","dev":"wan1","metric":1024}],
 "sysctl":{"net.ipv6.conf.all.forwarding":1}})";

const char* rules =
    "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
    "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n"
    "-A INPUT -i lo -s ::1/128 -j ACCEPT\n"
    "-A FORWARD -i lan0 -o wan1 -j ACCEPT\n"
    "COMMIT\n";

// "TABLE CHAIN N" (N 0 for the policy) -> packets, from the kernel's ip6tables-save -c.
std::map<std::string, std::uint64_t> packet_counts(const Ruleset& rs, const std::string& saved) {
    std::map<std::string, std::uint64_t> out;
    RulesetParseOptions opt;
    opt.family = Family::ipv6;
    const Ruleset kernel = parse_ruleset(saved, opt);
    for (const auto& t : kernel.tables)
        for (const auto& c : t.chains) {
            if (rs.table(t.name) == nullptr) continue;
            if (c.builtin) out[t.name + " " + c.name + " 0"] = c.input_counters.packets;
            for (std::size_t r = 0; r < c.rules.size(); ++r)
                out[t.name + " " + c.name + " " + std::to_string(r + 1)] = c.rules[r].input_counters.packets;
        }
    return out;
}

TEST(KernelOracleIpv6, AnIpv6RouterCountsAsIp6tablesDoes) {
    test::require_kernel();
    if (HasFatalFailure() || IsSkipped()) return;
    RulesetParseOptions opt;
    opt.family = Family::ipv6;
    const Ruleset rs = parse_ruleset(rules, opt);
    ASSERT_EQ(rs.family, Family::ipv6);
    const Host host = Host::from_json(host_json, "host.json");
    KernelOracleOptions kopt;
    kopt.capture_forwarded = true;
    KernelOracle kernel(host, rs, kopt);
    const struct {
        const char* packet;
        Origin origin;
    } sent[] = {
        {"tcp [2001:db8:9::7]:40000 > [2001:db8:1::1]:22 flags=S in=wan1", Origin::wire},  // INPUT rule 1
        {"udp [2001:db8:9::7]:40000 > [2001:db8:1::1]:53 in=wan1", Origin::wire},  // INPUT policy
        {"tcp [2001:db8:2::50]:40001 > [2001:db8:9::7]:443 flags=S in=lan0", Origin::wire},  // FORWARD rule 1
        {"tcp [2001:db8:9::7]:443 > [2001:db8:2::50]:40001 flags=SA in=wan1", Origin::wire},  // FORWARD policy
        // The host's own connection to its own global address: over lo, from that address, not
        // ::1 (the seed's lesson in IPv6): OUTPUT's policy, then INPUT's policy.
        {"tcp [2001:db8:1::1]:40002 > [2001:db8:1::1]:8080 flags=S", Origin::local},
        {"tcp [::1]:40003 > [::1]:8080 flags=S", Origin::local},  // INPUT rule 2
    };
    for (const auto& s : sent) {
        const PacketDescription d = parse_packet_description(s.packet);
        ASSERT_EQ(d.packet.family, Family::ipv6) << s.packet;
        kernel.inject(d.packet, s.origin);
    }
    const std::map<std::string, std::uint64_t> got = packet_counts(rs, kernel.counters());
    const std::map<std::string, std::uint64_t> want = {
        {"filter INPUT 0", 2}, {"filter INPUT 1", 1}, {"filter INPUT 2", 1}, {"filter FORWARD 0", 1}, {"filter FORWARD 1", 1}, {"filter OUTPUT 0", 2},
    };
    EXPECT_EQ(got, want) << kernel.counters();
    // What left the router: the forwarded SYN, out of wan1.
    std::size_t out_wan1 = 0;
    for (const auto& f : kernel.take_forwarded()) out_wan1 += f.iface == "wan1" && f.frame.size() >= 14 && f.frame[12] == 0x86 && f.frame[13] == 0xdd;
    EXPECT_EQ(out_wan1, 1u);
}

// Every IPv6 path fixture replayed into a real IPv6 router: the counters and, packet by packet,
// the rules nf_tables traced must be fwbench's.
class KernelOracleIpv6Fixture : public ::testing::TestWithParam<test::PathCase> {};

TEST_P(KernelOracleIpv6Fixture, CountersAndTracesEqualTheKernels) {
    test::require_kernel();
    if (HasFatalFailure() || IsSkipped()) return;
    const test::PathCase& c = GetParam();
    const Host host = Host::from_json(test::path_case6_host_json(c), "router6.json");
    RulesetParseOptions opt;
    opt.family = Family::ipv6;
    const Ruleset rs = parse_ruleset(c.rules, opt);
    PacketPath path(rs, host);
    PathState st(rs, EngineOptions{}, host.sysctl());
    st.icmp_rate_limit = false;  // an unpaced replay: the oracle turns the ICMPv6 rate limit off
    KernelOracleOptions kopt;
    kopt.ruleset_text = c.rules;
    kopt.legacy = rs.backend == Backend::legacy;  // a fixture marked "(legacy)" loads into iptables-legacy, untraced
    DifferentialRun run(host, rs, kopt);
    ASSERT_EQ(run.traced(), !kopt.legacy);
    test::DescribedDatagrams datagrams;  // the packets' bytes, for -m string and -m u32
    datagrams.attach(st);
    for (const char* text : c.packets) {
        const std::string t = text;
        const Origin origin = t.rfind("wire ", 0) == 0 ? Origin::wire : Origin::local;
        const Packet p = datagrams.packet(parse_packet_description(t.substr(t.find(' ') + 1)));
        run.send(p, origin, path.process(p, origin, st, true));
    }
    const DifferentialResult result = run.finish(st.engine);
    EXPECT_EQ(result.packets_compared, kopt.legacy ? 0 : c.packets.size());  // untraced: counters only
    EXPECT_TRUE(result.agree()) << c.name << "\n" << result.report();
}

std::string case6_name(const ::testing::TestParamInfo<test::PathCase>& info) {
    std::string n;
    for (const char* p = info.param.name; *p && n.size() < 60; ++p) n += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
    return std::to_string(info.index) + "_" + n;
}

INSTANTIATE_TEST_SUITE_P(Ipv6PathFixtures, KernelOracleIpv6Fixture, ::testing::ValuesIn(test::path_cases6), case6_name);

}  // namespace
}  // namespace fwbench
