// The compiled engine against the linear reference: random rulesets (fixed seeds) with every
// kind of condition — prefixes and negations, non-contiguous masks, interfaces and wildcards,
// port ranges, multiport, flags, ICMP types, marks, lengths, fragments, stateful matches placed
// before and after port conditions — long chains with jumps, gotos and RETURNs, and packets that
// include fragments and truncated headers. Verdicts, deciding rules, packets and every counter
// must be identical, packet by packet, for single lookups and for bursts of every size.

#include <gtest/gtest.h>

#include <set>

#include <filesystem>
#include <random>
#include <sstream>
#include <thread>

#include "fwbench/classbench.hpp"
#include "fwbench/parse_error.hpp"
#include "fwbench/compiled_engine.hpp"
#include "fwbench/engine_slot.hpp"
#include "fwbench/linear_engine.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "packet_dsl.hpp"
#include "must_run.hpp"

namespace fwbench {
namespace {

class Generator {
public:
    // forward: the base chain is FORWARD (rules may test -o, packets have an output device).
    // v6: ip6tables rules and IPv6 packets (addresses, prefixes up to /128, ICMPv6, no -f).
    explicit Generator(std::uint64_t seed, bool forward = false, bool v6 = false) : rng_(seed), forward_(forward), v6_(v6) {}
    const char* base() const { return forward_ ? "FORWARD" : "INPUT"; }

    std::string ruleset() {
        const int user_chains = pick(5);
        std::ostringstream out;
        out << "*filter\n:INPUT " << (pick(2) ? "ACCEPT" : "DROP") << " [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n";
        for (int c = 1; c <= user_chains; ++c) out << ":c" << c << " - [0:0]\n";
        auto chain_rules = [&](const std::string& name, int index, int count) {
            for (int i = 0; i < count; ++i) out << "-A " << name << rule(index, user_chains) << "\n";
        };
        chain_rules(base(), 0, 10 + pick(70));
        for (int c = 1; c <= user_chains; ++c) {
            std::ostringstream name;
            name << "c" << c;
            chain_rules(name.str(), c, 3 + pick(40));
        }
        out << "COMMIT\n";
        return out.str();
    }

    Packet packet(std::uint64_t index) {
        static const char* protos[] = {"tcp", "udp", "icmp", "tcp", "udp"};
        std::string proto = pick(12) == 0 ? "proto=47" : protos[pick(5)];
        std::ostringstream d;
        bool ports = proto == "tcp" || proto == "udp";
        auto host = [&](bool with_port) {
            const std::string a = v6_ ? "[" + addr() + "]" : addr();
            return with_port ? a + ":" + port() : a;
        };
        if (proto == "proto=47") d << "gre " << host(false) << " > " << host(false);
        else if (ports) d << proto << " " << host(true) << " > " << host(true);
        else if (v6_) d << "icmpv6 " << host(false) << " > " << host(false) << " type=" << (pick(2) ? "128/0" : pick(2) ? "1/4" : "129/0");
        else d << "icmp " << addr() << " > " << addr() << " type=" << (pick(2) ? "8/0" : "0/0");
        static const char* devices[] = {"eth0", "eth1", "wlan0", "eth10", "ppp0", "eth0", "e"};
        d << " in=" << devices[pick(7)];
        if (forward_) d << " out=" << devices[pick(7)];
        if (proto == "tcp") {
            static const char* flags[] = {"S", "SA", "A", "R", "FA", "PA", "SF"};
            d << " flags=" << flags[pick(7)];
        }
        static const char* states[] = {"NEW", "EST", "REL", "INV", "UNTRACKED"};
        if (pick(4)) d << " ct=" << states[pick(5)];
        if (pick(6) == 0) d << " ctstatus=" << (pick(2) ? "snat" : "dnat");
        if (pick(3) == 0) d << " mark=" << pick(4);
        d << " len=" << (v6_ ? 64 : 40) + pick(1400) << " t=" << index * 7 / 1000 << "." << (index * 7 % 1000) * 1000;
        if (pick(25) == 0) d << " frag";
        Packet p;
        try {
            p = test::packet(d.str());
        } catch (...) {
            ADD_FAILURE() << "bad generated packet: " << d.str();
        }
        if (ports && pick(40) == 0) p.l4_present = false;  // a truncated transport header
        return p;
    }

private:
    unsigned pick(unsigned n) { return static_cast<unsigned>(rng_() % n); }

    std::string addr() {
        static const char* pool6[] = {"2001:db8::1",       "2001:db8::77", "2001:db8:0:1::c8", "2001:db8:1::7",
                                      "2001:db8:1:80::82", "fd00::9",      "fe80::1",          "2001:db8:ffff::1"};
        if (v6_) return pool6[pick(8)];
        static const char* pool[] = {"192.0.2.1",      "192.0.2.77",  "192.0.2.200", "198.51.100.7",
                                     "198.51.100.130", "203.0.113.9", "10.1.2.3",    "10.200.0.1"};
        return pool[pick(8)];
    }
    std::string port() {
        static const unsigned common[] = {22, 53, 80, 443, 1000, 1024, 5000, 8080, 65535, 0};
        return std::to_string(pick(3) == 0 ? pick(65536) : common[pick(10)]);
    }
    std::string prefix() {
        if (v6_) {
            static const char* nets6[] = {"2001:db8::", "2001:db8:0:1::", "2001:db8:1::", "2001:db8:1:80::", "fd00::", "fe80::", "::"};
            static const int lens6[] = {16, 32, 48, 56, 64, 65, 127, 128, 0, 96};
            std::ostringstream o;
            o << nets6[pick(7)] << "/" << lens6[pick(10)];
            return o.str();
        }
        static const char* nets[] = {"192.0.2.0", "192.0.2.64", "198.51.100.0", "198.51.100.128", "203.0.113.0", "10.0.0.0", "0.0.0.0"};
        if (pick(20) == 0) return std::string(pick(2) ? "192.0.2.1/255.255.0.255" : "10.0.0.1/255.0.0.255");  // non-contiguous
        static const int lens[] = {8, 16, 24, 25, 26, 32, 0};
        std::ostringstream o;
        o << nets[pick(7)] << "/" << lens[pick(7)];
        return o.str();
    }
    std::string range() {
        unsigned a = pick(2) ? pick(1100) : pick(65536), b = a + pick(4) * pick(3000);
        std::ostringstream o;
        o << a;
        if (pick(3)) o << ":" << std::min(b, 65535u);
        return o.str();
    }

    std::string rule(int chain, int user_chains) {
        std::ostringstream r;
        if (pick(2)) r << (pick(8) == 0 ? " !" : "") << " -s " << prefix();
        if (pick(2)) r << (pick(8) == 0 ? " !" : "") << " -d " << prefix();
        static const char* patterns[] = {"eth+", "eth0", "wlan0", "eth1", "e+", "ppp+", "eth1+", "+"};
        if (pick(4) == 0) r << (pick(5) == 0 ? " !" : "") << " -i " << patterns[pick(8)];
        if (forward_ && pick(4) == 0) r << (pick(5) == 0 ? " !" : "") << " -o " << patterns[pick(8)];
        if (!v6_ && pick(15) == 0) r << (pick(2) ? " -f" : " ! -f");
        std::string proto;
        switch (pick(6)) {
            case 0:
            case 1: proto = "tcp"; break;
            case 2:
            case 3: proto = "udp"; break;
            case 4: proto = v6_ ? "ipv6-icmp" : "icmp"; break;
            default: break;
        }
        if (!proto.empty()) r << (pick(12) == 0 ? " ! -p " : " -p ") << proto;
        const bool positive_proto = !proto.empty() && r.str().find("! -p") == std::string::npos;
        // A stateful match sometimes comes before the port conditions: the compiled engine must
        // still reach it for packets the ports would reject.
        const bool stateful_first = pick(6) == 0;
        if (stateful_first) r << stateful();
        if (positive_proto && (proto == "tcp" || proto == "udp")) {
            if (pick(3)) {
                r << " -m " << proto;
                if (pick(2)) r << (pick(8) == 0 ? " !" : "") << " --sport " << range();
                if (pick(2)) r << (pick(8) == 0 ? " !" : "") << " --dport " << range();
                static const char* flag_tests[] = {" --syn",
                                                   " --tcp-flags SYN,ACK ACK",
                                                   " ! --syn",
                                                   " --tcp-flags SYN,RST SYN",
                                                   " --tcp-flags ALL NONE",
                                                   " --tcp-flags FIN,ACK FIN,ACK"};
                if (proto == "tcp" && pick(4) == 0) r << flag_tests[pick(6)];
            }
            if (pick(6) == 0) r << " -m multiport " << (pick(3) == 0 ? "--ports " : pick(2) ? "--dports " : "--sports ") << range() << "," << range();
        }
        static const char* icmp_types[] = {"8", "echo-reply", "any", "0/0", "3"};
        if (positive_proto && proto == "icmp" && pick(2)) r << " -m icmp" << (pick(8) == 0 ? " !" : "") << " --icmp-type " << icmp_types[pick(5)];
        static const char* icmp6_types[] = {"128", "echo-reply", "1/4", "destination-unreachable", "129/0"};
        if (positive_proto && proto == "ipv6-icmp" && pick(2))
            r << " -m icmp6" << (pick(8) == 0 ? " !" : "") << " --icmpv6-type " << icmp6_types[pick(5)];
        static const char* state_sets[] = {"NEW", "ESTABLISHED,RELATED", "INVALID", "UNTRACKED", "NEW,ESTABLISHED", "RELATED"};
        if (pick(5) == 0) r << " -m state" << (pick(6) == 0 ? " !" : "") << " --state " << state_sets[pick(6)];
        if (pick(7) == 0)
            r << " -m conntrack" << (pick(6) == 0 ? " !" : "") << " --ctstate "
              << (pick(4) == 0   ? "SNAT"
                  : pick(3) == 0 ? "DNAT,NEW"
                                 : state_sets[pick(6)]);
        if (pick(10) == 0) r << " -m mark " << (pick(5) == 0 ? "! " : "") << "--mark " << pick(4);
        if (pick(12) == 0) {
            const auto lo = 40 + pick(700);  // a range iptables loads: its first no greater than its last
            r << " -m length --length " << lo << ":" << lo + pick(800);
        }
        if (pick(10) == 0) r << " -m comment --comment \"c" << pick(100) << "\"";
        if (!stateful_first && pick(8) == 0) r << stateful();
        r << target(chain, user_chains);
        return r.str();
    }

    std::string stateful() {
        std::ostringstream o;
        switch (pick(4)) {
            case 0: o << " -m limit --limit " << 1 + pick(50) << "/sec --limit-burst " << 1 + pick(5); break;
            case 1: o << " -m statistic --mode nth --every " << 2 + pick(4) << " --packet 0"; break;
            case 2:
                o << " -m recent --name r" << pick(2);
                if (pick(2)) o << " --set";
                else o << " --rcheck --seconds 1";
                break;
            default:
                o << " -m hashlimit --hashlimit-upto " << 1 + pick(100) << "/sec --hashlimit-burst 2 --hashlimit-mode srcip --hashlimit-name h"
                  << pick(2);
        }
        return o.str();
    }

    std::string target(int chain, int user_chains) {
        unsigned t = pick(20);
        std::ostringstream o;
        if (t < 3 && chain < user_chains) {
            int to = chain + 1 + static_cast<int>(pick(static_cast<unsigned>(user_chains - chain)));
            o << (pick(4) == 0 ? " -g c" : " -j c") << to;
            return o.str();
        }
        if (t < 4 && chain > 0) return " -j RETURN";
        if (t < 7) return " -j ACCEPT";
        if (t < 9) return " -j DROP";
        if (t < 11) {
            o << " -j MARK --set-xmark " << pick(4) << "/0xffffffff";
            return o.str();
        }
        if (t < 12) return " -j LOG";
        if (t < 13) return " -j REJECT";
        return "";  // counting only
    }

    std::mt19937_64 rng_;
    bool forward_ = false, v6_ = false;
};

std::string counters_text(const Ruleset& rs, const EngineState& st) {
    std::ostringstream out;
    for (std::size_t t = 0; t < rs.tables.size(); ++t)
        for (std::size_t c = 0; c < rs.tables[t].chains.size(); ++c) {
            const Chain& ch = rs.tables[t].chains[c];
            for (std::size_t r = 0; r < ch.rules.size(); ++r) {
                Counters k = st.rule(t, c, r);
                if (k.packets) out << ch.name << ":" << r + 1 << "=" << k.packets << "/" << k.bytes << " ";
            }
            if (ch.builtin) out << ch.name << ":P=" << st.policy(t, c).packets << " ";
        }
    return out.str();
}

void expect_random_rulesets_equal_the_reference(Family family) {
    const bool v6 = family == Family::ipv6;
    int seeds = std::getenv("FWBENCH_COMPILED_SEEDS") ? std::atoi(std::getenv("FWBENCH_COMPILED_SEEDS")) : 300;
    ASSERT_GE(seeds, 50) << "FWBENCH_COMPILED_SEEDS=" << seeds << ": too few rulesets for the differential to mean anything";
    BasicHostView host({*parse_ip(v6 ? "2001:db8::1" : "192.0.2.1", family)}, {*parse_ip("192.0.2.255", Family::ipv4)});
    std::size_t compared = 0, exact = 0, filtered = 0, run_time = 0;
    for (int seed = 1; seed <= seeds; ++seed) {
        const bool forward = seed % 2 == 0;
        const Hook hook = forward ? Hook::forward : Hook::input;
        Generator gen(static_cast<std::uint64_t>(seed) + (v6 ? 60000 : 0), forward, v6);
        std::string text = gen.ruleset();
        RulesetParseOptions opt;
        opt.family = family;
        opt.source = "seed " + std::to_string(seed);
        Ruleset rs;
        try {
            rs = parse_ruleset(text, opt);
        } catch (const std::exception& e) {
            FAIL() << "seed " << seed << ": the generator wrote a ruleset fwbench refuses: " << e.what() << "\n" << text;
        }
        CompiledEngineOptions copt;
        copt.index_threshold = seed % 3 == 0 ? 1 : 8;  // trees on short chains too, sometimes
        copt.index.leaf_size = 1 + static_cast<unsigned>(seed % 8);
        CompiledEngine compiled(rs, host, nullptr, copt);
        LinearEngine linear(rs, host);
        exact += compiled.count(RuleCompilation::exact);
        filtered += compiled.count(RuleCompilation::filtered);
        run_time += compiled.count(RuleCompilation::run_time);
        EngineState st_linear(rs, EngineOptions{}), st_compiled(rs, EngineOptions{});
        for (std::uint64_t i = 0; i < 300; ++i) {
            Packet p = gen.packet(i);
            Packet a = p, b = p;
            WalkResult wl = linear.run(0, hook, a, st_linear);
            WalkResult wc = compiled.run(0, hook, b, st_compiled);
            ASSERT_EQ(std::make_tuple(wl.verdict, wl.chain, wl.rule, a.mark, wl.log_events),
                      std::make_tuple(wc.verdict, wc.chain, wc.rule, b.mark, wc.log_events))
                << "seed " << seed << " packet " << i << "\n"
                << text;
            ++compared;
        }
        ASSERT_EQ(counters_text(rs, st_linear), counters_text(rs, st_compiled)) << "seed " << seed << "\n" << text;
    }
    EXPECT_GT(exact, 0u);
    EXPECT_GT(filtered, 0u);
    EXPECT_GT(run_time, 0u);
    std::cout << compared << " packets on " << seeds << (v6 ? " random IPv6" : " random IPv4") << " rulesets: rules exact " << exact << ", filtered "
              << filtered << ", at run time " << run_time << "\n";
}

TEST(CompiledEngine, RandomRulesetsEqualTheReference) { expect_random_rulesets_equal_the_reference(Family::ipv4); }
TEST(CompiledEngine, RandomIpv6RulesetsEqualTheReference) { expect_random_rulesets_equal_the_reference(Family::ipv6); }

// run_burst gives run()'s answers at every burst size, bursts back to back.
TEST(CompiledEngine, BurstsOfEverySizeEqualSingleRuns) {
    BasicHostView host({*parse_ip("192.0.2.1", Family::ipv4)}, {*parse_ip("192.0.2.255", Family::ipv4)});
    for (int seed = 1; seed <= 30; ++seed) {
        const Hook hook = seed % 2 == 0 ? Hook::forward : Hook::input;
        const bool v6 = seed > 20;  // the last ten: ip6tables rulesets
        Generator gen(static_cast<std::uint64_t>(seed) + 1000, hook == Hook::forward, v6);
        RulesetParseOptions opt;
        opt.family = v6 ? Family::ipv6 : Family::ipv4;
        Ruleset rs = parse_ruleset(gen.ruleset(), opt);
        CompiledEngineOptions copt;
        copt.index_threshold = 1;
        CompiledEngine compiled(rs, host, nullptr, copt);
        std::vector<Packet> packets;
        for (std::uint64_t i = 0; i < 2400; ++i) packets.push_back(gen.packet(i));
        std::vector<Packet> single = packets, burst = packets;
        EngineState st_single(rs, EngineOptions{}), st_burst(rs, EngineOptions{});
        std::vector<WalkResult> want;
        for (auto& p : single) want.push_back(compiled.run(0, hook, p, st_single));
        std::size_t at = 0;
        for (std::size_t n = 0; at < burst.size(); n = (n + 1) % 71) {
            std::size_t m = std::min(n, burst.size() - at);
            std::vector<Packet*> ptrs;
            for (std::size_t j = 0; j < m; ++j) ptrs.push_back(&burst[at + j]);
            std::vector<WalkResult> got(m + 1);
            compiled.run_burst(0, hook, ptrs.data(), m, st_burst, got.data());
            for (std::size_t j = 0; j < m; ++j)
                ASSERT_EQ(std::make_tuple(got[j].verdict, got[j].chain, got[j].rule),
                          std::make_tuple(want[at + j].verdict, want[at + j].chain, want[at + j].rule))
                    << "seed " << seed << " burst of " << m << " packet " << at + j;
            at += m;
        }
        EXPECT_EQ(counters_text(rs, st_single), counters_text(rs, st_burst)) << "seed " << seed;
    }
}

// What the engine reports it compiled: exact rules (interfaces, states, flags and ICMP types
// included), filtered ones with what is left to run time.
TEST(CompiledEngine, ReportsWhatItCompiled) {
    RulesetParseOptions opt;
    opt.family = Family::ipv4;
    Ruleset rs = parse_ruleset(
        "*filter\n:INPUT DROP [0:0]\n"
        "-A INPUT -s 192.0.2.0/24 -p tcp -m tcp --dport 22 -j ACCEPT\n"
        "-A INPUT -i eth+ -p udp -m udp --dport 53 -m state --state NEW -j ACCEPT\n"
        "-A INPUT -m limit --limit 1/sec -p tcp -m tcp --dport 80 -j ACCEPT\n"
        "-A INPUT -m mark --mark 0x1 -j ACCEPT\n"
        "-A INPUT ! -i lo -m addrtype --dst-type LOCAL -p tcp -m tcp --syn -j ACCEPT\n"
        "-A INPUT -p icmp -m icmp --icmp-type 8 -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT\n"
        "COMMIT\n",
        opt);
    BasicHostView host({}, {});
    CompiledEngine engine(rs, host);
    EXPECT_EQ(engine.count(RuleCompilation::exact), 3u);
    EXPECT_EQ(engine.count(RuleCompilation::filtered), 2u);
    EXPECT_EQ(engine.count(RuleCompilation::run_time), 1u);
    ASSERT_EQ(engine.not_exact().size(), 3u);
    EXPECT_EQ(engine.not_exact()[0].rule, 3);
    EXPECT_EQ(engine.not_exact()[0].evaluated_at_run_time, "-m limit --limit 1/sec");
    EXPECT_EQ(engine.not_exact()[1].how, RuleCompilation::run_time);
    EXPECT_EQ(engine.not_exact()[1].evaluated_at_run_time, "-m mark --mark 0x1");
    EXPECT_EQ(engine.not_exact()[2].rule, 5);
    EXPECT_EQ(engine.not_exact()[2].evaluated_at_run_time, "-m addrtype --dst-type LOCAL");
}

// In raw, CT --notrack changes the conntrack state during the walk: states stay at run time
// there, and the walk sees the change as the reference does.
TEST(CompiledEngine, RawTableStatesStayAtRunTime) {
    RulesetParseOptions opt;
    opt.family = Family::ipv4;
    Ruleset rs = parse_ruleset(
        "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
        "-A PREROUTING -p udp -j CT --notrack\n"
        "-A PREROUTING -m state --state UNTRACKED -j DROP\n"
        "COMMIT\n",
        opt);
    BasicHostView host({}, {});
    CompiledEngine engine(rs, host);
    ASSERT_EQ(engine.not_exact().size(), 1u);
    EXPECT_EQ(engine.not_exact()[0].evaluated_at_run_time, "-m state --state UNTRACKED");
}

// A device's pattern bits (one hash probe for exact names, the wildcards otherwise) equal
// testing every pattern, for devices named by patterns, prefixes of them, and strangers.
TEST(CompiledEngine, InterfacePatternBitsEqualTestingEachPattern) {
    const std::vector<IfacePattern> patterns = {{"eth0", false},  {"eth", true},  {"eth1", false}, {"", true},
                                                {"wlan0", false}, {"eth1", true}, {"ppp", true},   {"veth0123456789a", false},
                                                {"br-", true},    {"e", false},   {"lo", false}};
    InterfacePatterns ifaces;
    for (std::size_t i = 0; i < patterns.size(); ++i) ASSERT_EQ(ifaces.id_of(patterns[i]), static_cast<int>(i));
    ASSERT_EQ(ifaces.id_of({"eth", true}), 1) << "a pattern seen before keeps its bit";
    EXPECT_EQ(ifaces.id_of({"0123456789abcdef", false}), -1) << "longer than any device name";
    const std::vector<std::string> devices = {
        "eth0",           "eth1",    "eth10", "eth", "et",     "e", "", "wlan0", "wlan00", "ppp0", "veth0123456789a",
        "veth0123456789", "br-1234", "lo",    "lo0", "eth0.10"};
    for (const auto& d : devices) {
        std::uint64_t want = 0;
        for (std::size_t i = 0; i < patterns.size(); ++i)
            if (patterns[i].matches(d)) want |= std::uint64_t{1} << i;
        EXPECT_EQ(ifaces.matching(IfaceName(d)), want) << "device '" << d << "'";
    }
    InterfacePatterns full;
    for (int i = 0; i < 64; ++i) ASSERT_EQ(full.id_of({"if" + std::to_string(i), i % 3 == 0}), i);
    EXPECT_EQ(full.id_of({"one-more", false}), -1) << "at most 64 patterns";
    EXPECT_EQ(full.matching(IfaceName("if63")), (std::uint64_t{1} << 63) | (std::uint64_t{1} << 6));  // if63+ and if6+
    EXPECT_EQ(full.matching(IfaceName("if1")), std::uint64_t{1} << 1);  // exact if1 (if1x patterns are not wildcards)
}

// One ClassBench set: every packet's verdict and deciding rule, one by one and in bursts.
void expect_classbench_set_equals_the_reference(const std::string& name, const std::vector<ClassBenchRule>& rules) {
    BasicHostView host({}, {});
    Ruleset rs = classbench_ruleset(rules, name);
    const bool v6 = rs.family == Family::ipv6;
    // A source no rule was drawn around (the policy, often).
    auto stray = [&](std::mt19937_64& rng) {
        const auto a = static_cast<std::uint32_t>(rng());
        return v6 ? classbench_ipv6_address(a) : IpAddr::v4(a);
    };
    LinearEngine linear(rs, host);
    CompiledEngine compiled(rs, host);
    EXPECT_EQ(compiled.count(RuleCompilation::exact), rules.size()) << name << ": every ClassBench rule is a box";
    EngineState sl(rs, EngineOptions{}), sc(rs, EngineOptions{});
    std::mt19937_64 rng(5);
    const int fwd = rs.tables[0].find_chain("FORWARD");
    for (int i = 0; i < 1500; ++i) {
        const auto& r = rules[rng() % rules.size()];
        Packet p = classbench_header(r, rng);
        if (!r.proto_mask) p.proto = static_cast<std::uint8_t>(rng() % 3 ? 6 : 17);
        if (i % 5 == 0) p.src = stray(rng);
        Packet a = p, b = p;
        WalkResult wl = linear.run(0, Hook::forward, a, sl), wc = compiled.run(0, Hook::forward, b, sc);
        ASSERT_EQ(std::make_pair(wl.verdict, wl.rule), std::make_pair(wc.verdict, wc.rule)) << name << " packet " << i;
        ASSERT_EQ(wc.chain, fwd);
    }
    EXPECT_EQ(counters_text(rs, sl), counters_text(rs, sc)) << name;
    // Bursts (the first-match chain needs no walk): the same answers and counters again.
    std::vector<Packet> burst;
    std::mt19937_64 again(5);
    for (int i = 0; i < 1500; ++i) {
        const auto& r = rules[again() % rules.size()];
        Packet p = classbench_header(r, again);
        if (!r.proto_mask) p.proto = static_cast<std::uint8_t>(again() % 3 ? 6 : 17);
        if (i % 5 == 0) p.src = stray(again);
        if (i % 97 == 0) p.fragment = true;  // not keyed: walked
        burst.push_back(p);
    }
    EngineState sb(rs, EngineOptions{}), sr(rs, EngineOptions{});
    std::vector<Packet*> ptrs;
    for (auto& p : burst) ptrs.push_back(&p);
    std::vector<WalkResult> got(burst.size());
    for (std::size_t at = 0; at < burst.size(); at += 37)
        compiled.run_burst(0, Hook::forward, ptrs.data() + at, std::min<std::size_t>(37, burst.size() - at), sb, got.data() + at);
    for (std::size_t i = 0; i < burst.size(); ++i) {
        Packet p = burst[i];
        WalkResult w = linear.run(0, Hook::forward, p, sr);
        ASSERT_EQ(std::make_tuple(w.verdict, w.chain, w.rule, w.target), std::make_tuple(got[i].verdict, got[i].chain, got[i].rule, got[i].target))
            << name << " burst packet " << i;
    }
    EXPECT_EQ(counters_text(rs, sr), counters_text(rs, sb)) << name;
}

// The ClassBench sets of ../shared/data (when present), and each carried into IPv6
// (classbench_to_ipv6: the IPv6 workloads).
TEST(CompiledEngine, ClassBenchSetsEqualTheReference) {
    namespace fs = std::filesystem;
    const char* env = std::getenv("FWBENCH_SHARED_DATA");
    fs::path dir = fs::path(env ? env : "../shared/data") / "classbench";
    if (!fs::is_directory(dir)) FWBENCH_CANNOT_RUN(dir << " is not present");
    int sets = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        std::string name = e.path().filename().string();
        if (name.find("LICENSE") != std::string::npos) continue;
        auto rules = read_classbench_rules(e.path().string());
        expect_classbench_set_equals_the_reference(name, rules);
        std::vector<ClassBenchRule> rules6;
        for (const auto& r : rules) rules6.push_back(classbench_to_ipv6(r));
        expect_classbench_set_equals_the_reference(name + " in IPv6", rules6);
        ++sets;
    }
    EXPECT_GT(sets, 0);
}

// The embedding's landmarks, worked out by hand: 192.0.2.1 is c000 0201; its first 16 bits go to
// bits 16-31, the next 8 to bits 40-47, then 4 to bits 56-59 and the last 4 to bits 124-127.
TEST(ClassBenchIpv6, TheEmbeddingKeepsStructureAndLandsOnIpv6Boundaries) {
    EXPECT_EQ(format_ip(classbench_ipv6_address(0xc0000201u)), "2001:c000:2::1");
    EXPECT_EQ(format_ip(classbench_ipv6_address(0xcb0071f0u)), "2001:cb00:71:f0::");
    const std::pair<int, int> lengths[] = {{0, 0}, {8, 24}, {16, 32}, {20, 44}, {24, 48}, {26, 58}, {28, 60}, {30, 126}, {31, 127}, {32, 128}};
    for (const auto& [v4, v6] : lengths) EXPECT_EQ(classbench_ipv6_length(v4), v6) << "/" << v4;
    // A set's prefixes keep their nesting: a host inside a /24 stays inside its /48.
    auto rules = parse_classbench_rules(
        "@192.0.2.1/32\t198.51.100.0/24\t0 : 65535\t53 : 53\t0x11/0xFF\t0x0000/0x0000\n"
        "@192.0.2.0/24\t0.0.0.0/0\t0 : 65535\t0 : 65535\t0x00/0x00\t0x0000/0x0000\n",
        "test");
    const ClassBenchRule host = classbench_to_ipv6(rules[0]), net = classbench_to_ipv6(rules[1]);
    EXPECT_EQ(format_prefix(host.src), "2001:c000:2::1/128");
    EXPECT_EQ(format_prefix(net.src), "2001:c000:2::/48");
    EXPECT_TRUE(net.src.contains(host.src.addr));
    EXPECT_EQ(format_prefix(host.dst), "2001:c633:64::/48");
    EXPECT_TRUE(net.dst.is_any());
}

// ClassBench-ng's IPv6 format reads back; a set mixing families is refused where it changes.
TEST(ClassBenchIpv6, ReadsIpv6SetsAndRefusesAMixedOne) {
    auto rules = parse_classbench_rules("@2001:db8::/32\t::/0\t0 : 65535\t80 : 80\t0x06/0xFF\t0x0000/0x0000\n", "v6");
    ASSERT_EQ(rules.size(), 1u);
    EXPECT_EQ(format_prefix(rules[0].src), "2001:db8::/32");
    EXPECT_EQ(classbench_ruleset(rules, "v6").family, Family::ipv6);
    try {
        parse_classbench_rules(
            "@2001:db8::/32\t::/0\t0 : 65535\t80 : 80\t0x06/0xFF\t0x0000/0x0000\n"
            "@192.0.2.0/24\t0.0.0.0/0\t0 : 65535\t80 : 80\t0x06/0xFF\t0x0000/0x0000\n",
            "mixed");
        ADD_FAILURE() << "a mixed set was read";
    } catch (const ParseError& e) {
        EXPECT_EQ(e.line(), 2);
        EXPECT_EQ(e.column(), 2) << "the source prefix, after the @";
        EXPECT_NE(std::string(e.what()).find("one set holds one family"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace fwbench

namespace fwbench {
namespace {

// A reader classifies bursts while a writer swaps rulesets: every burst is classified wholly by
// one ruleset (the snapshot it took), never by a mixture, and the reader never stops.
// Readers classify bursts while a writer keeps swapping rulesets: each generation g puts g % 7
// never-matching rules before two deciding ones, so the deciding rule's index tells which
// generation classified a packet. Every packet of a burst must name the generation of the
// snapshot its reader took (a whole snapshot, never half of one and half of another), and the
// readers must have seen several generations, or the swaps did not overlap the bursts. The test
// command also runs this under ThreadSanitizer (scripts/test.sh).
TEST(EngineSlot, ReadersSeeWholeSnapshotsWhileAWriterSwaps) {
    BasicHostView host;
    constexpr int padding_kinds = 7;
    auto build = [&](int generation) {
        std::string rules = "*filter\n:FORWARD DROP [0:0]\n";
        for (int i = 0; i < generation % padding_kinds; ++i) rules += "-A FORWARD -s 10.255.255.255/32 -j DROP\n";
        rules += "-A FORWARD -p tcp -m tcp --dport 80 -j ACCEPT\n-A FORWARD -p udp -m udp --dport 53 -j REJECT\nCOMMIT\n";
        Ruleset rs = parse_ruleset(rules, {});
        rs.source = std::to_string(generation);  // the generation, for the readers to check against
        return std::make_shared<const CompiledRuleset>(std::move(rs), host);
    };
    // Prebuilt, so the writer swaps as fast as it can.
    std::vector<std::shared_ptr<const CompiledRuleset>> generations;
    for (int g = 0; g < padding_kinds; ++g) generations.push_back(build(g));
    EngineSlot slot(generations[0]);

    constexpr int readers = 3, swaps = 20000;
    std::atomic<int> running{0}, torn{0}, bursts{0};
    std::atomic<bool> writer_done{false};
    std::vector<std::set<int>> seen(readers);
    std::vector<std::thread> threads;
    for (int r = 0; r < readers; ++r)
        threads.emplace_back([&, r] {
            std::vector<Packet> packets;
            for (int i = 0; i < 32; ++i)
                packets.push_back(test::packet(i % 2 ? "tcp 192.0.2.9:1000 > 198.51.100.7:80" : "udp 192.0.2.9:1000 > 198.51.100.7:53"));
            std::vector<Packet*> ptrs;
            for (auto& p : packets) ptrs.push_back(&p);
            WalkResult out[32];
            ++running;
            while (!writer_done.load()) {
                auto snap = slot.snapshot();
                const int generation = std::stoi(snap->ruleset().source);
                EngineState st(snap->ruleset(), EngineOptions{});
                snap->engine().run_burst(0, Hook::forward, ptrs.data(), ptrs.size(), st, out);
                for (int i = 0; i < 32; ++i) {
                    const int expect_rule = generation % padding_kinds + (i % 2 ? 0 : 1);
                    if (out[i].rule != expect_rule || out[i].verdict != (i % 2 ? Verdict::accept : Verdict::reject)) ++torn;
                }
                seen[static_cast<std::size_t>(r)].insert(generation);
                ++bursts;
            }
        });
    while (running.load() < readers) std::this_thread::yield();
    for (int i = 1; i <= swaps; ++i) slot.publish(i % 5 == 0 ? build(i) : generations[static_cast<std::size_t>(i % padding_kinds)]);
    writer_done = true;
    for (auto& t : threads) t.join();
    EXPECT_EQ(torn.load(), 0);
    EXPECT_GT(bursts.load(), readers);
    std::set<int> all;
    for (const auto& s : seen) all.insert(s.begin(), s.end());
    EXPECT_GE(all.size(), 2u) << "the readers saw one generation only: the swaps did not overlap their bursts";
}

}  // namespace
}  // namespace fwbench
