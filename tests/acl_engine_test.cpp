// The rte_acl engine and its Classifier adapter against the linear reference on the rules it can express, and its refusals.

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <sstream>

#include "fwbench/acl_classifier.hpp"
#include "fwbench/acl_engine.hpp"
#include "fwbench/classbench.hpp"
#include "fwbench/eal.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "fwbench/ruleset_printer.hpp"
#include "packet_dsl.hpp"

namespace fwbench {
namespace {

Packet packet_in(const ClassBenchRule& r, std::mt19937_64& rng) {
    Packet p = classbench_header(r, rng);
    if (!r.proto_mask) p.proto = static_cast<std::uint8_t>(rng() % 2 ? 6 : 17);
    return p;
}

// Every packet: the same deciding rule as the linear engine.
void expect_same_as_linear(const Ruleset& rs, Hook hook, const std::vector<Packet>& packets, const std::string& what) {
    BasicHostView host;
    LinearEngine linear(rs, host);
    AclEngine acl(rs, 0, hook);
    EXPECT_NE(std::string(acl.algorithm()), "") << what;
    std::vector<std::int32_t> rules(packets.size());
    auto classify = [&](auto key_type) {
        using Key = decltype(key_type);
        std::vector<Key> keys(packets.size());
        std::vector<const Key*> ptrs;
        for (std::size_t i = 0; i < packets.size(); ++i) {
            ASSERT_TRUE(make_acl_key(packets[i], keys[i]));
            ptrs.push_back(&keys[i]);
        }
        acl.classify(ptrs.data(), ptrs.size(), rules.data());
    };
    if (rs.family == Family::ipv6) classify(AclKey6{});
    else classify(AclKey{});
    EngineState sl(rs, EngineOptions{}), sa(rs, EngineOptions{});
    for (std::size_t i = 0; i < packets.size(); ++i) {
        Packet p = packets[i];
        WalkResult wl = linear.run(0, hook, p, sl);
        WalkResult wa = acl.result(rules[i], packets[i], sa);
        ASSERT_EQ(std::make_tuple(wl.verdict, wl.chain, wl.rule), std::make_tuple(wa.verdict, wa.chain, wa.rule)) << what << " packet " << i;
    }
}

TEST(AclEngine, ClassBenchSetsEqualTheReference) {
    ensure_eal();
    namespace fs = std::filesystem;
    const char* env = std::getenv("FWBENCH_SHARED_DATA");
    fs::path dir = fs::path(env ? env : "../shared/data") / "classbench";
    std::vector<fs::path> files = {fs::path(FWBENCH_SOURCE_DIR) / "traces/classbench/acl1_seed.rules"};
    for (const char* name : {"acl1_1k", "fw1_1k", "ipc1_1k", "acl2_1k", "fw2_1k"})
        if (fs::exists(dir / name)) files.push_back(dir / name);
    if (files.size() == 1) std::cout << dir << " is not present: the bundled set only\n";
    for (const auto& f : files) {
        auto rules = read_classbench_rules(f.string());
        Ruleset rs = classbench_ruleset(rules, f.string());
        std::mt19937_64 rng(3);
        std::vector<Packet> packets;
        for (int i = 0; i < 3000; ++i) {
            Packet p = packet_in(rules[rng() % rules.size()], rng);
            if (i % 7 == 0) p.dst = IpAddr::v4(static_cast<std::uint32_t>(rng()));  // often no rule: the policy
            packets.push_back(p);
        }
        expect_same_as_linear(rs, Hook::forward, packets, f.filename().string());
        // The same set carried into IPv6 (classbench_to_ipv6), with its packets.
        std::vector<ClassBenchRule> rules6;
        for (const auto& r : rules) rules6.push_back(classbench_to_ipv6(r));
        Ruleset rs6 = classbench_ruleset(rules6, f.string() + " in IPv6");
        std::mt19937_64 rng6(3);
        std::vector<Packet> packets6;
        for (int i = 0; i < 3000; ++i) {
            Packet p = packet_in(rules6[rng6() % rules6.size()], rng6);
            if (i % 7 == 0) p.dst = classbench_ipv6_address(static_cast<std::uint32_t>(rng6()));
            packets6.push_back(p);
        }
        expect_same_as_linear(rs6, Hook::forward, packets6, f.filename().string() + " in IPv6");
    }
}

// iptables rules it can take: prefixes, protocols, tcp/udp port ranges, ACCEPT/DROP/REJECT.
TEST(AclEngine, IptablesFiveTupleRules) {
    ensure_eal();
    Ruleset rs = parse_ruleset(
        "*filter\n:INPUT DROP [0:0]\n"
        "-A INPUT -s 192.0.2.0/24 -p tcp -m tcp --dport 22 -j ACCEPT\n"
        "-A INPUT -p udp -m udp --sport 1000:2000 --dport 53 -j ACCEPT\n"
        "-A INPUT -d 198.51.100.7/32 -j REJECT\n"
        "-A INPUT -p tcp -m tcp --dport 80 -m comment --comment web -j ACCEPT\n"
        "-A INPUT -s 10.0.0.0/8 -j DROP\n"
        "COMMIT\n",
        {});
    std::vector<Packet> packets;
    for (const char* d : {"tcp 192.0.2.9:1000 > 198.51.100.7:22", "tcp 203.0.113.9:1000 > 198.51.100.7:22", "udp 203.0.113.9:1500 > 192.0.2.1:53",
                          "udp 203.0.113.9:999 > 192.0.2.1:53", "tcp 10.1.1.1:5 > 192.0.2.1:80", "icmp 10.1.1.1 > 192.0.2.1 type=8/0",
                          "icmp 203.0.113.9 > 192.0.2.1 type=8/0"})
        packets.push_back(test::packet(d));
    expect_same_as_linear(rs, Hook::input, packets, "iptables rules");
}

// IPv6 as DPDK lays it out (four 32-bit words an address): random ip6tables 5-tuple chains,
// prefixes of every length, against the linear engine, one by one and in bursts.
TEST(AclEngine, RandomIpv6ChainsEqualTheReference) {
    ensure_eal();
    BasicHostView host;
    static const char* nets[] = {"2001:db8::", "2001:db8:0:1::", "2001:db8:1::", "2001:db8:1:80::", "fd00::", "::"};
    static const char* addrs[] = {"2001:db8::1",       "2001:db8::77", "2001:db8:0:1::c8", "2001:db8:1::7",
                                  "2001:db8:1:80::82", "fd00::9",      "2001:db8:ffff::1"};
    std::size_t compared = 0, on_acl = 0;
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
        std::mt19937_64 rng(seed);
        auto pick = [&](std::uint64_t n) { return static_cast<unsigned>(rng() % n); };
        std::ostringstream t;
        t << "*filter\n:FORWARD " << (pick(2) ? "ACCEPT" : "DROP") << " [0:0]\n";
        const unsigned rules = 5 + pick(300);
        for (unsigned i = 0; i < rules; ++i) {
            t << "-A FORWARD";
            if (pick(3)) t << " -s " << nets[pick(6)] << "/" << (pick(129) & ~(pick(2) ? 0u : 7u));
            if (pick(3)) t << " -d " << nets[pick(6)] << "/" << pick(129);
            const unsigned proto = pick(4);
            if (proto == 1 || proto == 2) {
                const char* p = proto == 1 ? "tcp" : "udp";
                t << " -p " << p << " -m " << p;
                const bool sport = pick(2), dport = pick(2);
                if (sport) t << " --sport " << pick(1100);
                if (dport) {
                    const unsigned lo = pick(2000);
                    t << " --dport " << lo << ":" << lo + pick(3000);
                }
                if (!sport && !dport) t << " --dport 53";
            } else if (proto == 3) {
                t << " -p ipv6-icmp";
            }
            t << (pick(2) ? " -j ACCEPT" : " -j DROP") << "\n";
        }
        t << "COMMIT\n";
        const std::string text = t.str();
        RulesetParseOptions opt;
        opt.family = Family::ipv6;
        Ruleset rs = parse_ruleset(text, opt);
        AclClassifier acl(rs, host);
        ASSERT_FALSE(acl.why_on_reference(0, Hook::forward)) << *acl.why_on_reference(0, Hook::forward) << "\n" << text;
        LinearEngine linear(rs, host);
        std::vector<Packet> packets;
        for (int i = 0; i < 500; ++i) {
            const unsigned proto = pick(3);
            std::ostringstream d;
            d << (proto == 0 ? "tcp" : proto == 1 ? "udp" : "icmpv6") << " [" << addrs[pick(7)] << "]";
            if (proto < 2) d << ":" << pick(3000);
            d << " > [" << addrs[pick(7)] << "]";
            if (proto < 2) d << ":" << pick(4000);
            else d << " type=128/0";
            packets.push_back(test::packet(d.str()));
        }
        EngineState sl(rs, EngineOptions{}), sa(rs, EngineOptions{}), sb(rs, EngineOptions{});
        std::vector<Packet> burst = packets;
        std::vector<Packet*> ptrs;
        for (auto& p : burst) ptrs.push_back(&p);
        std::vector<WalkResult> out(packets.size());
        acl.run_burst(0, Hook::forward, ptrs.data(), ptrs.size(), sb, out.data());
        for (std::size_t i = 0; i < packets.size(); ++i) {
            Packet a = packets[i], b = packets[i];
            const WalkResult wl = linear.run(0, Hook::forward, a, sl);
            const WalkResult wa = acl.run(0, Hook::forward, b, sa);
            ASSERT_EQ(std::make_tuple(wl.verdict, wl.chain, wl.rule), std::make_tuple(wa.verdict, wa.chain, wa.rule))
                << "seed " << seed << " packet " << i << "\n"
                << text;
            ASSERT_EQ(std::make_tuple(wl.verdict, wl.chain, wl.rule), std::make_tuple(out[i].verdict, out[i].chain, out[i].rule))
                << "seed " << seed << " burst packet " << i;
            ++compared;
        }
        EXPECT_EQ(sa.reference_walks, 0u) << "every IPv6 packet keyed";
        EXPECT_EQ(format_ruleset(rs, &sa), format_ruleset(rs, &sl));
        EXPECT_EQ(format_ruleset(rs, &sb), format_ruleset(rs, &sl));
        ++on_acl;
    }
    std::cout << compared << " IPv6 packets on " << on_acl << " random chains: rte_acl equals the reference\n";
}

TEST(AclEngine, RefusesWhatItCannotExpressNamingTheRule) {
    ensure_eal();
    struct {
        const char* rule;
        const char* why;
    } cases[] = {
        {"-A INPUT -i eth0 -j ACCEPT", "-i eth0"},
        {"-A INPUT -m state --state ESTABLISHED -j ACCEPT", "-m state"},
        {"-A INPUT -p tcp -m tcp --dport 22 -j LOG", "-j LOG"},
        {"-A INPUT -s 192.0.2.0/24", "without a target"},
        {"-A INPUT ! -s 192.0.2.0/24 -j DROP", "! -s 192.0.2.0/24"},
    };
    for (const auto& c : cases) {
        Ruleset rs = parse_ruleset(std::string("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p udp -j ACCEPT\n") + c.rule + "\nCOMMIT\n", {});
        try {
            AclEngine acl(rs, 0, Hook::input);
            ADD_FAILURE() << c.rule << " was accepted";
        } catch (const AclNotApplicable& e) {
            std::string msg = e.what();
            EXPECT_NE(msg.find("rule 2"), std::string::npos) << msg;
            EXPECT_NE(msg.find(c.why), std::string::npos) << msg;
        }
    }
}

// The adapter behind the Classifier interface: INPUT (5-tuple rules) on rte_acl, FORWARD (-i)
// on the reference; a fragment, which has no ports to key, walked by the reference and counted.
// Bursts and single packets give the linear engine's verdicts, rules and counters.
TEST(AclClassifier, TakesWhatItCanAndHandsTheRestToTheReference) {
    ensure_eal();
    Ruleset rs = parse_ruleset(
        "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
        "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n"
        "-A INPUT -s 192.0.2.0/24 -j REJECT\n"
        "-A FORWARD -i eth1 -j DROP\n"
        "COMMIT\n",
        {});
    BasicHostView host;
    AclClassifier acl(rs, host);
    EXPECT_EQ(acl.why_on_reference(0, Hook::input), std::nullopt);
    ASSERT_TRUE(acl.why_on_reference(0, Hook::forward));
    EXPECT_NE(acl.why_on_reference(0, Hook::forward)->find("-i eth1"), std::string::npos) << *acl.why_on_reference(0, Hook::forward);
    // clang-format off
    const struct { const char* packet; Hook hook; Verdict verdict; int rule; } cases[] = {
        {"tcp 203.0.113.9:1000 > 198.51.100.7:22", Hook::input, Verdict::accept, 0},
        {"udp 192.0.2.9:1000 > 198.51.100.7:53", Hook::input, Verdict::reject, 1},
        {"udp 203.0.113.9:1000 > 198.51.100.7:53", Hook::input, Verdict::drop, -1},
        {"tcp 203.0.113.9 > 198.51.100.7 frag", Hook::input, Verdict::drop, -1},  // no ports: the reference
        {"udp 203.0.113.9:1000 > 198.51.100.7:53 in eth1", Hook::forward, Verdict::drop, 0},
        {"udp 203.0.113.9:1000 > 198.51.100.7:53 in eth0", Hook::forward, Verdict::accept, -1},
    };
    // clang-format on
    LinearEngine linear(rs, host);
    EngineState single(rs, EngineOptions{}), burst(rs, EngineOptions{}), reference(rs, EngineOptions{});
    for (Hook hook : {Hook::input, Hook::forward}) {
        std::vector<Packet> packets;
        std::vector<Packet*> ptrs;
        std::vector<const std::remove_reference_t<decltype(cases[0])>*> want;
        for (const auto& c : cases)
            if (c.hook == hook) {
                packets.push_back(test::packet(c.packet));
                want.push_back(&c);
            }
        for (auto& p : packets) ptrs.push_back(&p);
        std::vector<WalkResult> out(packets.size());
        acl.run_burst(0, hook, ptrs.data(), ptrs.size(), burst, out.data());
        for (std::size_t i = 0; i < packets.size(); ++i) {
            SCOPED_TRACE(want[i]->packet);
            Packet a = packets[i], b = packets[i];
            WalkResult one = acl.run(0, hook, a, single);
            WalkResult ref = linear.run(0, hook, b, reference);
            EXPECT_EQ(std::make_tuple(one.verdict, one.rule), std::make_tuple(want[i]->verdict, want[i]->rule));
            EXPECT_EQ(std::make_tuple(out[i].verdict, out[i].rule), std::make_tuple(want[i]->verdict, want[i]->rule));
            EXPECT_EQ(std::make_tuple(ref.verdict, ref.rule), std::make_tuple(want[i]->verdict, want[i]->rule));
        }
    }
    EXPECT_EQ(single.reference_walks, 1u);  // the fragment, on the chain rte_acl took
    EXPECT_EQ(burst.reference_walks, 1u);
    EXPECT_EQ(format_ruleset(rs, &single), format_ruleset(rs, &reference));
    EXPECT_EQ(format_ruleset(rs, &burst), format_ruleset(rs, &reference));
}

}  // namespace
}  // namespace fwbench
