// The fwbench program end to end, on the bundled default workload and on bad input.

#include <gtest/gtest.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "fwbench/capture.hpp"
#include "fwbench/host.hpp"
#include "fwbench/matches.hpp"
#include "fwbench/netns.hpp"
#include "fwbench/packet_codec.hpp"
#include "fwbench/packet_description.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "fwbench/subprocess.hpp"
#include "command_words.hpp"
#include "must_run.hpp"

namespace {

struct Result {
    int status = -1;
    std::string out, err;
};

std::string env(const char* name) {
    const char* v = std::getenv(name);
    if (!v) throw std::runtime_error(std::string("test needs ") + name + " (run it through meson test)");
    return v;
}

// fwbench with the arguments of one line (command_words.hpp), no shell.
// Writes `frames`, on `interfaces`, to `path` as a pcapng file.
void write_capture(const std::string& path, const std::vector<fwbench::CaptureInterface>& interfaces,
                   const std::vector<fwbench::CaptureFrame>& frames) {
    const auto bytes = fwbench::write_pcapng(interfaces, frames);
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

Result run(const std::string& args) {
    std::vector<std::string> argv = fwbench::test::command_words(args);
    argv.insert(argv.begin(), env("FWBENCH_BIN"));
    fwbench::ProgramResult p = fwbench::run_program({argv, {}, -1});
    return {p.exit_status, std::move(p.out), std::move(p.err)};
}

std::string default_args() {
    return "--format classbench --rules " + env("FWBENCH_SOURCE") + "/traces/classbench/acl1_seed.rules --trace " + env("FWBENCH_DEFAULT_TRACE");
}

// The ClassBench semantics dpdk-test-acl gives a filter set, written out here on its own: a
// packet takes the first rule whose prefixes hold its addresses, whose port ranges hold its
// ports (for every protocol) and whose protocol is its protocol (mask 0xFF) or any (mask 0);
// every rule accepts, the chain's policy drops.
struct FirstMatch {
    struct Rule {
        std::uint32_t src, src_mask, dst, dst_mask;
        std::uint16_t sport_lo, sport_hi, dport_lo, dport_hi;
        unsigned proto, proto_mask;
    };
    std::vector<Rule> rules;
    explicit FirstMatch(const std::string& path) {
        std::ifstream in(path);
        auto mask = [](unsigned len) { return len == 0 ? 0u : ~0u << (32 - len); };
        for (std::string line; std::getline(in, line);) {
            unsigned s[4], sl, d[4], dl, sp0, sp1, dp0, dp1, pr, pm;
            if (std::sscanf(line.c_str(), "@%u.%u.%u.%u/%u %u.%u.%u.%u/%u %u : %u %u : %u %x/%x", &s[0], &s[1], &s[2], &s[3], &sl, &d[0], &d[1],
                            &d[2], &d[3], &dl, &sp0, &sp1, &dp0, &dp1, &pr, &pm) != 16)
                continue;
            Rule r{s[0] << 24 | s[1] << 16 | s[2] << 8 | s[3],
                   mask(sl),
                   d[0] << 24 | d[1] << 16 | d[2] << 8 | d[3],
                   mask(dl),
                   static_cast<std::uint16_t>(sp0),
                   static_cast<std::uint16_t>(sp1),
                   static_cast<std::uint16_t>(dp0),
                   static_cast<std::uint16_t>(dp1),
                   pr,
                   pm};
            rules.push_back(r);
        }
    }
    // 1-based rule, 0 for the policy.
    std::size_t decide(std::uint32_t src, std::uint32_t dst, unsigned sport, unsigned dport, unsigned proto) const {
        for (std::size_t i = 0; i < rules.size(); ++i) {
            const Rule& r = rules[i];
            if ((src & r.src_mask) == (r.src & r.src_mask) && (dst & r.dst_mask) == (r.dst & r.dst_mask) && sport >= r.sport_lo &&
                sport <= r.sport_hi && dport >= r.dport_lo && dport <= r.dport_hi && (r.proto_mask == 0 || proto == r.proto))
                return i + 1;
        }
        return 0;
    }
};

TEST(FwbenchCli, VerdictLinesAreTheFirstMatchingRules) {
    const FirstMatch filter(env("FWBENCH_SOURCE") + "/traces/classbench/acl1_seed.rules");
    ASSERT_EQ(filter.rules.size(), 942u);
    std::vector<std::string> expected;
    std::ifstream trace(env("FWBENCH_DEFAULT_TRACE"));
    for (std::string line; std::getline(trace, line);) {
        std::istringstream f(line);
        std::uint64_t src, dst, sport, dport, proto;
        f >> src >> dst >> sport >> dport >> proto;
        const std::size_t rule = filter.decide(static_cast<std::uint32_t>(src), static_cast<std::uint32_t>(dst), static_cast<unsigned>(sport),
                                               static_cast<unsigned>(dport), static_cast<unsigned>(proto));
        expected.push_back(std::to_string(expected.size()) +
                           (rule ? "\tACCEPT\tfilter:FORWARD:" + std::to_string(rule) : std::string("\tDROP\tfilter:FORWARD:0")));
    }
    ASSERT_EQ(expected.size(), 100000u);
    for (const char* engine : {"linear", "compiled"}) {
        SCOPED_TRACE(engine);
        Result v = run(default_args() + " -q --verdicts - --engine " + engine);
        ASSERT_EQ(v.status, 0) << v.err;
        std::istringstream lines(v.out);
        std::size_t index = 0, wrong = 0;
        for (std::string line; std::getline(lines, line); ++index)
            if (index >= expected.size() || line != expected[index]) {
                if (wrong++ < 5)
                    ADD_FAILURE() << "line " << index << ": " << line << "  expected: " << (index < expected.size() ? expected[index] : "(none)");
            }
        EXPECT_EQ(index, expected.size());
        EXPECT_EQ(wrong, 0u);
    }
}

TEST(FwbenchCli, VerdictLinesMatchJsonCounts) {
    Result v = run(default_args() + " -q --verdicts -");
    ASSERT_EQ(v.status, 0) << v.err;
    std::istringstream lines(v.out);
    std::string line;
    std::map<std::string, std::uint64_t> counts;
    std::size_t index = 0;
    static const std::regex format(R"((\d+)\t(ACCEPT|DROP|REJECT|QUEUE)\tfilter:FORWARD:(\d+))");
    while (std::getline(lines, line)) {
        std::smatch m;
        ASSERT_TRUE(std::regex_match(line, m, format)) << "line " << index << ": " << line;
        EXPECT_EQ(std::stoull(m[1]), index);
        ++counts[m[2]];
        ++index;
    }
    EXPECT_EQ(index, 100000u);

    Result j = run(default_args() + " -q --json -");
    ASSERT_EQ(j.status, 0) << j.err;
    auto doc = nlohmann::json::parse(j.out);
    EXPECT_EQ(doc["packets"], 100000);
    for (const auto& [verdict, n] : counts) EXPECT_EQ(doc["verdicts"][verdict], n) << verdict;
    ASSERT_EQ(doc["engines"].size(), 1u);
    EXPECT_EQ(doc["engines"][0]["name"], "linear");
    EXPECT_GT(doc["engines"][0]["ns_per_packet"].get<double>(), 0.0);
    EXPECT_GE(doc["engines"][0]["rules_evaluated_per_packet"].get<double>(), 1.0);
}

TEST(FwbenchCli, CountersAreIptablesSaveFormAndAddUpToThePackets) {
    Result c = run(default_args() + " -q --counters -");
    ASSERT_EQ(c.status, 0) << c.err;
    // First match wins and every rule has a terminal target: each packet counts exactly once,
    // on one rule or on the policy.
    fwbench::Ruleset rs;
    std::uint64_t total = 0;
    static const std::regex counted(R"(^\[(\d+):(\d+)\] -A FORWARD )");
    static const std::regex policy(R"(^:FORWARD DROP \[(\d+):(\d+)\]$)");
    std::istringstream lines(c.out);
    std::string line;
    bool saw_policy = false;
    while (std::getline(lines, line)) {
        std::smatch m;
        if (std::regex_search(line, m, counted) || std::regex_match(line, m, policy)) {
            saw_policy |= line[0] == ':';
            std::uint64_t packets = std::stoull(m[1]), bytes = std::stoull(m[2]);
            EXPECT_EQ(bytes, packets * 64) << line;  // ClassBench headers carry a nominal 64-byte length
            total += packets;
        }
    }
    EXPECT_TRUE(saw_policy);
    EXPECT_EQ(total, 100000u);
}

TEST(FwbenchCli, SummaryOnTheTerminal) {
    Result s = run(default_args());
    ASSERT_EQ(s.status, 0) << s.err;
    EXPECT_NE(s.out.find("packets: 100000"), std::string::npos) << s.out;
    EXPECT_NE(s.out.find("linear"), std::string::npos) << s.out;
}

TEST(FwbenchCli, IptablesRulesetIsCheckedAndWrittenBack) {
    std::string path = testing::TempDir() + "fwbench_rules.txt";
    std::ofstream(path)
        << "*filter\n:INPUT DROP [0:0]\n-A INPUT -i lo -s 127.0.0.0/8 -j ACCEPT\n-A INPUT -i wan1 -p tcp --dport 22 -j ACCEPT\nCOMMIT\n";
    Result r = run("--rules " + path + " -q --counters -");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find(":INPUT DROP [0:0]"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("[0:0] -A INPUT -s 127.0.0.0/8 -i lo -j ACCEPT"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("[0:0] -A INPUT -i wan1 -p tcp -m tcp --dport 22 -j ACCEPT"), std::string::npos) << r.out;
}

TEST(FwbenchCli, BadInputGivesPositionAndExitStatus2) {
    std::string path = testing::TempDir() + "fwbench_bad.txt";
    std::ofstream(path) << "*filter\n-A INPUT -p tcp -m tcp --dport 22 -m frobnicate -j ACCEPT\nCOMMIT\n";
    Result r = run("--rules " + path);
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find(path + ":2:38: unknown match module 'frobnicate'"), std::string::npos) << r.err;

    Result missing = run("--rules /nonexistent/rules");
    EXPECT_EQ(missing.status, 2);
    EXPECT_NE(missing.err.find("/nonexistent/rules"), std::string::npos) << missing.err;

    std::string trace = testing::TempDir() + "fwbench_bad.trace";
    std::ofstream(trace) << "1 2 3 4 6\n1 2 3\n";
    Result t = run("--format classbench --rules " + env("FWBENCH_SOURCE") + "/traces/classbench/acl1_seed.rules --trace " + trace);
    EXPECT_EQ(t.status, 2);
    EXPECT_NE(t.err.find(trace + ":2:"), std::string::npos) << t.err;

    Result wrong = run("--rules " + path + " --trace " + trace);
    EXPECT_EQ(wrong.status, 2);
    EXPECT_NE(wrong.err.find("needs --format classbench"), std::string::npos) << wrong.err;
}

}  // namespace

namespace {

std::string seed_args() {
    return "explain --rules " + env("FWBENCH_SOURCE") + "/traces/seed/rules.v4 --host " + env("FWBENCH_SOURCE") + "/traces/seed/host.json ";
}

TEST(FwbenchExplain, SeedScenarioNamesTheCause) {
    Result r =
        run(seed_args() + "'tcp 203.0.113.1:40000 > 203.0.113.1:22 flags=S from local' 'tcp 198.51.100.7:40000 > 203.0.113.1:22 flags=S in wan1'");
    ASSERT_EQ(r.status, 0) << r.err;
    auto second = r.out.find("packet: tcp 198.51.100.7");
    ASSERT_NE(second, std::string::npos) << r.out;
    std::string own = r.out.substr(0, second), outside = r.out.substr(second);
    // The router's own connection: sent over lo, so rule 1 sees source 203.0.113.1 and rule 2 sees in = lo.
    EXPECT_NE(own.find("sent over lo"), std::string::npos) << own;
    EXPECT_NE(own.find("INPUT / filter   in=lo"), std::string::npos) << own;
    EXPECT_NE(own.find("no match: -s 127.0.0.0/8: source 203.0.113.1 is not in 127.0.0.0/8"), std::string::npos) << own;
    EXPECT_NE(own.find("no match: -i wan1: the packet's input interface is lo"), std::string::npos) << own;
    EXPECT_NE(own.find("fate: dropped by filter INPUT rule 3: -A INPUT -j DROP"), std::string::npos) << own;
    // The same connection from outside arrives on wan1 and is accepted by rule 2.
    EXPECT_NE(outside.find("INPUT / filter   in=wan1"), std::string::npos) << outside;
    EXPECT_NE(outside.find("INPUT #2  -A INPUT -i wan1 -p tcp -m tcp --dport 22 -j ACCEPT\n          matched -> ACCEPT"), std::string::npos)
        << outside;
    EXPECT_NE(outside.find("fate: delivered"), std::string::npos) << outside;
}

// The seed in IPv6 (traces/seed/rules.v6 on the same dual-stack router): the router's own
// connection to its global address arrives on lo from that address, not from ::1.
TEST(FwbenchExplain, SeedScenarioInIpv6NamesTheCause) {
    const std::string seed = env("FWBENCH_SOURCE") + "/traces/seed/";
    Result r = run("explain --rules " + seed + "rules.v6 --host " + seed +
                   "host.json 'tcp [2001:db8:1::1]:40000 > [2001:db8:1::1]:22 flags=S from local' "
                   "'tcp [2001:db8:9::7]:40000 > [2001:db8:1::1]:22 flags=S in wan1'");
    ASSERT_EQ(r.status, 0) << r.err;
    auto second = r.out.find("packet: tcp [2001:db8:9::7]");
    ASSERT_NE(second, std::string::npos) << r.out;
    std::string own = r.out.substr(0, second), outside = r.out.substr(second);
    EXPECT_NE(own.find("sent over lo"), std::string::npos) << own;
    EXPECT_NE(own.find("INPUT / filter   in=lo out=-   [2001:db8:1::1]:40000 > [2001:db8:1::1]:22"), std::string::npos) << own;
    EXPECT_NE(own.find("no match: -s ::1/128: source 2001:db8:1::1 is not in ::1/128"), std::string::npos) << own;
    EXPECT_NE(own.find("fate: dropped by filter INPUT rule 3: -A INPUT -j DROP"), std::string::npos) << own;
    EXPECT_NE(outside.find("INPUT #2  -A INPUT -i wan1 -p tcp -m tcp --dport 22 -j ACCEPT\n          matched -> ACCEPT"), std::string::npos)
        << outside;
    EXPECT_NE(outside.find("fate: delivered"), std::string::npos) << outside;
}

TEST(FwbenchExplain, EstablishedAndErrors) {
    // The seed ruleset needs no conntrack: like the kernel, fwbench tracks nothing and says so.
    Result seed = run(seed_args() + "'udp 198.51.100.7:53 > 192.0.2.10:53 in wan1 [established]'");
    ASSERT_EQ(seed.status, 0) << seed.err;
    EXPECT_NE(seed.out.find("note: [established] changes nothing here"), std::string::npos) << seed.out;
    EXPECT_NE(seed.out.find("conntrack: not active (no rule needs it)"), std::string::npos) << seed.out;

    std::string rules = testing::TempDir() + "stateful.v4";
    std::ofstream(rules) << "*filter\n:FORWARD DROP [0:0]\n-A FORWARD -m state --state ESTABLISHED,RELATED -j ACCEPT\nCOMMIT\n";
    Result r = run("explain --rules " + rules + " --host " + env("FWBENCH_SOURCE") + "/traces/seed/host.json " +
                   "'udp 198.51.100.7:53 > 192.0.2.10:53 in wan1 [established]' 'udp 198.51.100.7:53 > 192.0.2.11:53 in wan1'");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("packet is ESTABLISHED (reply direction)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("fate: forwarded out of lan0"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("fate: dropped by the policy of filter FORWARD"), std::string::npos) << r.out;

    Result nowhere = run(seed_args() + "'udp 198.51.100.7:53 > 192.0.2.10:53'");
    EXPECT_EQ(nowhere.status, 2);
    EXPECT_NE(nowhere.err.find("say where it comes from"), std::string::npos) << nowhere.err;

    Result bad = run(seed_args() + "'udp 198.51.100.7:53 > 192.0.2.10:99999 in wan1'");
    EXPECT_EQ(bad.status, 2);
    EXPECT_NE(bad.err.find("packet 1:1:23: expected a port 0-65535"), std::string::npos) << bad.err;

    Result no_host = run("explain --rules " + env("FWBENCH_SOURCE") + "/traces/seed/rules.v4 'udp 1.2.3.4:1 > 5.6.7.8:2 in wan1'");
    EXPECT_EQ(no_host.status, 2);
    EXPECT_NE(no_host.err.find("--rules was given without --host"), std::string::npos) << no_host.err;

    // The other half of a mixed pair: a described host must not be given this machine's ruleset.
    Result no_rules = run("explain --host " + env("FWBENCH_SOURCE") + "/traces/seed/host.json 'udp 1.2.3.4:1 > 5.6.7.8:2 in wan1'");
    EXPECT_EQ(no_rules.status, 2);
    EXPECT_NE(no_rules.err.find("--host was given without --rules"), std::string::npos) << no_rules.err;
    Result pcap_no_rules =
        run("--host " + env("FWBENCH_SOURCE") + "/traces/seed/host.json --pcap " + env("FWBENCH_SOURCE") + "/traces/seed/capture.pcap -q");
    EXPECT_EQ(pcap_no_rules.status, 2);
    EXPECT_NE(pcap_no_rules.err.find("--host was given without --rules"), std::string::npos) << pcap_no_rules.err;
}

}  // namespace

namespace {

// --engine all: each engine over the same packets, the same verdict and deciding rule for every
// one, each engine's build time, memory and speed reported.
TEST(FwbenchCli, EngineAllAgreesAndReportsEachEngine) {
    Result j = run(default_args() + " -q --engine all --json -");
    ASSERT_EQ(j.status, 0) << j.err;
    auto doc = nlohmann::json::parse(j.out);
    ASSERT_EQ(doc["engines"].size(), 3u);
    EXPECT_EQ(doc["engines"][0]["name"], "linear");
    EXPECT_EQ(doc["engines"][1]["name"], "compiled");
    EXPECT_EQ(doc["engines"][2]["name"], "acl");
    EXPECT_FALSE(doc["engines"][2]["details"]["algorithm"].get<std::string>().empty());
    EXPECT_GT(doc["engines"][2]["ns_per_packet"].get<double>(), 0.0);
    EXPECT_EQ(doc["engines_agree"], true);
    EXPECT_GT(doc["engines"][1]["memory_bytes"].get<double>(), 0.0);
    EXPECT_GT(doc["engines"][1]["mpps"].get<double>(), 0.0);
    EXPECT_EQ(doc["engines"][1]["compiled"]["rules_exact"], doc["rule_count"]);
    EXPECT_EQ(doc["engines"][1]["compiled"]["rules_not_exact"].size(), 0u);
    // Each at its best as well: the lookup alone over keys made beforehand, for the two engines
    // that have one, each answer the deciding rule of the engine's own walk.
    EXPECT_FALSE(doc["engines"][0].contains("lookup_ns_per_packet"));
    for (int e : {1, 2}) {
        EXPECT_GT(doc["engines"][e]["lookup_ns_per_packet"].get<double>(), 0.0) << doc["engines"][e]["name"];
        EXPECT_EQ(doc["engines"][e]["lookup_disagreements"], 0) << doc["engines"][e]["name"];
    }
    EXPECT_TRUE(doc["timing"].contains("ns_per_packet"));
    EXPECT_TRUE(doc["timing"].contains("lookup_ns_per_packet"));
    // Verdict lines come from the first engine and equal the compiled engine's own.
    Result a = run(default_args() + " -q --engine linear --verdicts -");
    Result b = run(default_args() + " -q --engine compiled --verdicts -");
    Result c = run(default_args() + " -q --engine acl --verdicts -");
    ASSERT_EQ(a.status, 0) << a.err;
    ASSERT_EQ(b.status, 0) << b.err;
    ASSERT_EQ(c.status, 0) << c.err;
    EXPECT_EQ(a.out, b.out);
    EXPECT_EQ(a.out, c.out);
    Result summary = run(default_args() + " --engine all");
    EXPECT_NE(summary.out.find("the engines agree on every packet"), std::string::npos) << summary.out;
    EXPECT_NE(summary.out.find("the lookup alone, over keys made beforehand"), std::string::npos) << summary.out;
    EXPECT_EQ(summary.out.find("DISAGREES"), std::string::npos) << summary.out;
}

TEST(FwbenchPcap, EveryEngineTellsTheSameStory) {
    std::string args = "--rules " + env("FWBENCH_SOURCE") + "/traces/seed/rules.v4 --host " + env("FWBENCH_SOURCE") +
                       "/traces/seed/host.json --pcap " + env("FWBENCH_SOURCE") + "/traces/seed/capture.pcap -q";
    Result a = run(args + " --verdicts - --engine linear"), b = run(args + " --verdicts - --engine compiled");
    ASSERT_EQ(a.status, 0) << a.err;
    ASSERT_EQ(b.status, 0) << b.err;
    EXPECT_EQ(a.out, b.out);
    // rte_acl behind the path: the chains it takes on rte_acl, the rest on the reference; the same story.
    Result acl = run(args + " --verdicts - --engine acl");
    ASSERT_EQ(acl.status, 0) << acl.err;
    EXPECT_EQ(a.out, acl.out);
    Result all = run(args + " --engine all");
    EXPECT_EQ(all.status, 2);
    EXPECT_NE(all.err.find("with --pcap or --port choose --engine linear, compiled or acl"), std::string::npos) << all.err;
}

// The seed capture's verdict lines on the seed host, worked out by hand from its ruleset.
const char* seed_capture_verdicts =
    "0\tDROP\tfilter:INPUT:3\n1\tDROP\tfilter:INPUT:3\n2\tDROP\tfilter:INPUT:3\n"  // the router's own ssh, over lo
    "3\tACCEPT\tfilter:INPUT:2\n4\tACCEPT\tfilter:OUTPUT:0\n5\tACCEPT\tfilter:INPUT:2\n"  // the same from outside
    "6\tACCEPT\tfilter:FORWARD:0\n7\tCOPY\tof:6\n8\tACCEPT\tfilter:FORWARD:0\n9\tCOPY\tof:8\n"
    "10\tACCEPT\tfilter:FORWARD:0\n11\tCOPY\tof:10\n12\tSKIPPED\tcapture:not_ip_arp:0\n";

TEST(FwbenchPcap, SeedCaptureEndToEnd) {
    std::string args = "--rules " + env("FWBENCH_SOURCE") + "/traces/seed/rules.v4 --host " + env("FWBENCH_SOURCE") +
                       "/traces/seed/host.json --pcap " + env("FWBENCH_SOURCE") + "/traces/seed/capture.pcap";
    Result v = run(args + " -q --verdicts -");
    ASSERT_EQ(v.status, 0) << v.err;
    EXPECT_EQ(v.out, seed_capture_verdicts);
    Result j = run(args + " -q --json -");
    ASSERT_EQ(j.status, 0) << j.err;
    auto doc = nlohmann::json::parse(j.out);
    EXPECT_EQ(doc["packets"], 13);
    EXPECT_EQ(doc["origins"]["wire"], 5);
    EXPECT_EQ(doc["origins"]["local"], 4);
    EXPECT_EQ(doc["origins"]["forwarded_copy"], 3);
    EXPECT_EQ(doc["dropped_by_rule"]["filter INPUT rule 3: -A INPUT -j DROP"], 3);
    // The router's own SYNs passed PREROUTING (over lo) and died in INPUT.
    EXPECT_EQ(doc["hooks"]["PREROUTING"]["local"]["traversed"], 3);
    EXPECT_EQ(doc["hooks"]["INPUT"]["local"]["dropped"], 3);
    EXPECT_EQ(doc["hooks"]["FORWARD"]["wire"]["traversed"], 3);
    EXPECT_EQ(doc["hooks"]["POSTROUTING"]["local"]["traversed"], 4);
    Result c = run(args + " -q --counters -");
    ASSERT_EQ(c.status, 0) << c.err;
    EXPECT_EQ(c.err.find('\r'), std::string::npos) << "a progress bar on a stderr that is not a terminal";
    // A read filter leaves records out; those kept keep their index in the file (the seed's
    // ssh packets are its first six records).
    Result filtered = run(args + " -q --filter 'tcp port 22' --verdicts -");
    ASSERT_EQ(filtered.status, 0) << filtered.err;
    const std::string seed = seed_capture_verdicts;
    std::size_t six = 0;
    for (int i = 0; i < 6; ++i) six = seed.find('\n', six) + 1;
    EXPECT_EQ(filtered.out, seed.substr(0, six));
    Result bad = run(args + " -q --filter 'tcp port'");
    EXPECT_EQ(bad.status, 2);
    EXPECT_NE(bad.err.find("--filter 'tcp port': can't parse filter expression"), std::string::npos) << bad.err;
    EXPECT_NE(c.out.find("[2:112] -A INPUT -i wan1 -p tcp -m tcp --dport 22 -j ACCEPT"), std::string::npos) << c.out;
    EXPECT_NE(c.out.find("[3:180] -A INPUT -j DROP"), std::string::npos) << c.out;
    EXPECT_NE(c.out.find(":FORWARD ACCEPT [3:172]"), std::string::npos) << c.out;
    // The same counters as iptables -L -v -n -x --line-numbers lists them (its layout is checked
    // against iptables itself in KernelListing).
    Result l = run(args + " -q --list -");
    ASSERT_EQ(l.status, 0) << l.err;
    EXPECT_NE(l.out.find("Chain INPUT (policy ACCEPT 0 packets, 0 bytes)\n"), std::string::npos) << l.out;
    EXPECT_NE(l.out.find("\n3           3      180 DROP       0    --  *      *       0.0.0.0/0            0.0.0.0/0           \n"),
              std::string::npos)
        << l.out;
    EXPECT_NE(l.out.find("Chain FORWARD (policy ACCEPT 3 packets, 172 bytes)\n"), std::string::npos) << l.out;
}

}  // namespace

namespace {

TEST(FwbenchExplain, CaptureIndexes) {
    Result r = run(seed_args() + "--pcap " + env("FWBENCH_SOURCE") + "/traces/seed/capture.pcap 1 9");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("capture packet 1 on lo (local)"), std::string::npos) << r.out;
    // The seed ruleset has no rule that needs conntrack: the kernel tracks nothing.
    EXPECT_NE(r.out.find("conntrack: not active (no rule needs it)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("the outbound copy of forwarded packet 8"), std::string::npos) << r.out;
    Result missing = run(seed_args() + "--pcap " + env("FWBENCH_SOURCE") + "/traces/seed/capture.pcap 99");
    EXPECT_EQ(missing.status, 2);
    EXPECT_NE(missing.err.find("the capture has no packet 99"), std::string::npos) << missing.err;
    Result no_pcap = run(seed_args() + "3");
    EXPECT_EQ(no_pcap.status, 2);
    EXPECT_NE(no_pcap.err.find("give the capture with --pcap"), std::string::npos) << no_pcap.err;
}

}  // namespace

namespace {

TEST(FwbenchDumpHost, TheRunningHostReadsBack) {
    ASSERT_FALSE(fwbench::find_program("ip").empty()) << "dump-host reads the host through ip (iproute2, installed by scripts/setup.sh)";
    Result r = run("dump-host");
    ASSERT_EQ(r.status, 0) << r.err;
    fwbench::Host h = fwbench::Host::from_json(r.out, "dump-host");
    ASSERT_NE(h.interface("lo"), nullptr);
    EXPECT_EQ(h.address_type(*fwbench::parse_ip("127.0.0.1", fwbench::Family::ipv4), ""), fwbench::addr_type::local);
    // IPv6's routes are dumped too: lo's ::1 has its local route.
    if (std::filesystem::exists("/proc/sys/net/ipv6/conf/lo")) {
        const fwbench::RouteTable* local = h.table(fwbench::rt_table_local);
        ASSERT_NE(local, nullptr);
        const fwbench::Route* loopback = local->lookup(*fwbench::parse_ip("::1", fwbench::Family::ipv6));
        ASSERT_NE(loopback, nullptr) << r.out;
        EXPECT_EQ(loopback->type, fwbench::RouteType::local);
        EXPECT_NE(r.out.find("\"net.ipv6.conf.lo.forwarding\""), std::string::npos) << r.out;
    }
}

}  // namespace

namespace {

TEST(FwbenchKernelCheck, SeedCaptureAgreesWithTheKernel) {
    if (geteuid() != 0) FWBENCH_CANNOT_RUN("kernel-check needs root for network namespaces");
    std::string args = "kernel-check --rules " + env("FWBENCH_SOURCE") + "/traces/seed/rules.v4 --host " + env("FWBENCH_SOURCE") +
                       "/traces/seed/host.json --pcap " + env("FWBENCH_SOURCE") + "/traces/seed/capture.pcap";
    for (const char* backend : {" --backend nft", " --backend legacy"}) {
        Result r = run(args + backend);
        EXPECT_EQ(r.status, 0) << r.out << r.err;
        EXPECT_NE(r.out.find("9 packets replayed into the kernel"), std::string::npos) << r.out;
        EXPECT_NE(r.out.find("agree on every rule and policy counter"), std::string::npos) << r.out;
    }
}

// The same router checked in IPv6: the kernel's ip6tables counters and traces are fwbench's.
TEST(FwbenchKernelCheck, SeedIpv6AgreesWithTheKernel) {
    if (geteuid() != 0) FWBENCH_CANNOT_RUN("kernel-check needs root for network namespaces");
    const std::string seed = env("FWBENCH_SOURCE") + "/traces/seed/";
    Result r = run("kernel-check --rules " + seed + "rules.v6 --host " + seed +
                   "host.json 'tcp [2001:db8:1::1]:40000 > [2001:db8:1::1]:22 flags=S from local' "
                   "'tcp [2001:db8:9::7]:40000 > [2001:db8:1::1]:22 flags=S in wan1' 'tcp [::1]:40001 > [::1]:22 flags=S from local'");
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("3 packets replayed into the kernel (ip6tables-nft)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("agree on every rule and policy counter and, packet by packet"), std::string::npos) << r.out;
}

// A dual-stack capture on the seed router: the router's own SSH to its global IPv6 address over lo,
// one from outside over IPv6, one over IPv4.
std::string dual_stack_capture() {
    struct Rec {
        std::uint32_t itf;
        fwbench::Direction dir;
        const char* packet;
    };
    const Rec recs[] = {
        {0, fwbench::Direction::inbound, "tcp [2001:db8:9::7]:40000 > [2001:db8:1::1]:22 flags=S"},  // accepted by rule 2
        {2, fwbench::Direction::inbound, "tcp [2001:db8:1::1]:40001 > [2001:db8:1::1]:22 flags=S"},  // the host's own, on lo: rule 3
        {0, fwbench::Direction::inbound, "tcp 198.51.100.7:40000 > 203.0.113.1:22 flags=S"},  // IPv4, accepted by rule 2
    };
    std::vector<fwbench::CaptureFrame> frames;
    std::uint64_t t = 1700000000000000000ull;
    for (const auto& r : recs) {
        const fwbench::Packet p = fwbench::parse_packet_description(r.packet).packet;
        frames.push_back({t += 1000000, p.family == fwbench::Family::ipv6 ? fwbench::build_ipv6(p) : fwbench::build_ipv4(p), r.itf, r.dir, 0});
    }
    const std::string capture = testing::TempDir() + "fwbench_dual_stack.pcapng";
    write_capture(capture, {{fwbench::linktype::raw, "wan1"}, {fwbench::linktype::raw, "lan0"}, {fwbench::linktype::raw, "lo"}}, frames);
    return capture;
}

// Through the seed's ip6tables ruleset alone: the IPv6 packets take the IPv6 path, and the IPv4
// packet, with no iptables ruleset given, is counted as such rather than guessed at.
TEST(FwbenchPcap, AnIpv6CaptureThroughAnIp6tablesRuleset) {
    const std::string capture = dual_stack_capture();
    const std::string seed = env("FWBENCH_SOURCE") + "/traces/seed/";
    Result r = run("--rules " + seed + "rules.v6 --host " + seed + "host.json --pcap " + capture + " --counters - -q");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("[1:60] -A INPUT -i wan1 -p tcp -m tcp --dport 22 -j ACCEPT"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("[1:60] -A INPUT -j DROP"), std::string::npos) << r.out;
    Result j = run("--rules " + seed + "rules.v6 --host " + seed + "host.json --pcap " + capture + " --json - -q");
    ASSERT_EQ(j.status, 0) << j.err;
    EXPECT_NE(j.out.find("\"ipv4_without_iptables_ruleset\": 1"), std::string::npos) << j.out;
}

std::string write_temp(const std::string& name, const std::string& text);  // below

// The capture_cannot_show entry of `kind` in a --json document, or null.
const nlohmann::json* cannot_show_note(const nlohmann::json& doc, const std::string& kind) {
    for (const auto& n : doc["capture_cannot_show"])
        if (n["kind"] == kind) return &n;
    return nullptr;
}

// SNPT of a source outside its prefix breaks the transport checksum, and REJECT, which verifies
// it, then answers nothing: fwbench takes it that no NIC had verified the sum, and says so for
// each such packet (the one from 2001:db8:9::7; the host's own, inside the prefix, keeps its sum).
TEST(FwbenchPcap, ChecksumOffloadAssumptionIsNamed) {
    const std::string capture = dual_stack_capture();
    const std::string rules =
        write_temp("fwbench_npt_reject.v6",
                   "# Generated by ip6tables-save\n*mangle\n-A INPUT -j SNPT --src-pfx 2001:db8:1::/48 --dst-pfx 2001:db8:4::/48\nCOMMIT\n"
                   "*filter\n-A INPUT -j REJECT\nCOMMIT\n");
    const std::string args = "--rules " + rules + " --host " + env("FWBENCH_SOURCE") + "/traces/seed/host.json --pcap " + capture;
    Result r = run(args);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("note: 1 packets met a transport checksum SNPT or DNPT had broken"), std::string::npos) << r.out;
    Result j = run(args + " -q --json -");
    ASSERT_EQ(j.status, 0) << j.err;
    const auto doc = nlohmann::json::parse(j.out);
    const nlohmann::json* note = cannot_show_note(doc, "checksum_offload");
    ASSERT_NE(note, nullptr) << j.out;
    EXPECT_EQ((*note)["packets"], 1) << j.out;
}

// -j TEE on the seed capture (13 records: 5 from the wire, 4 of the host's own, 3 outbound
// copies, 1 ARP): PREROUTING copies every packet there (5 wire, 3 of the host's own over lo) to
// 192.0.2.9 on lan0, and INPUT every delivered one (2 wire, 3 over lo) to the host's own lan0
// address, which routes the copy back over lo: followed no further, each named. The capture holds
// none of the 8 copies to lan0.
TEST(FwbenchPcap, TeeCopiesAreCountedAndTheRefusedOnesNamed) {
    const std::string rules =
        write_temp("fwbench_tee.v4", "*mangle\n-A PREROUTING -j TEE --gateway 192.0.2.9\n-A INPUT -j TEE --gateway 192.0.2.1\nCOMMIT\n");
    const std::string args = "--rules " + rules + " --host " + env("FWBENCH_SOURCE") + "/traces/seed/host.json --pcap " + env("FWBENCH_SOURCE") +
                             "/traces/seed/capture.pcap";
    Result r = run(args);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("note: tee_copy_not_modelled: a TEE copy routed back to this host"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("8 packets forwarded or copied by TEE whose outbound copy is not in the capture"), std::string::npos) << r.out;
    Result j = run(args + " -q --json -");
    ASSERT_EQ(j.status, 0) << j.err;
    const auto doc = nlohmann::json::parse(j.out);
    EXPECT_EQ(doc["drop_reasons"].value("tee_copy_not_modelled", 0), 5) << j.out;
    Result e = run("explain --rules " + rules + " --host " + env("FWBENCH_SOURCE") +
                   "/traces/seed/host.json 'udp 198.51.100.7:5000 > 192.0.2.1:53 in wan1'");
    ASSERT_EQ(e.status, 0) << e.err;
    EXPECT_NE(e.out.find("TEE: a copy of the packet goes to gateway 192.0.2.9 at once"), std::string::npos) << e.out;
    EXPECT_NE(e.out.find("comes back to this host (routed over lo"), std::string::npos) << e.out;
}

// -m string on a capture: each packet's captured bytes are searched. Boyer-Moore's find rests on
// the occurrence lying inside one piece of the socket buffer, named with its rule and count; the
// REJECT's answers walk OUTPUT, which no -m string is reached from, so they are not refused.
// explain searches a described packet's payload=.
TEST(FwbenchPcap, StringSearchesTheCapturedBytes) {
    const std::string rules = write_temp("fwbench_string.v4",
                                         "*filter\n-A INPUT -p udp -m string --string \"secret\" --algo bm -j DROP\n"
                                         "-A INPUT -p udp -m string --string \"SECRET\" --algo kmp --icase\n-A INPUT -p udp -j REJECT\nCOMMIT\n");
    const char* recs[] = {"udp 198.51.100.7:5000 > 203.0.113.1:53 payload=secret", "udp 198.51.100.7:5001 > 203.0.113.1:53 payload=SeCrEt",
                          "udp 198.51.100.7:5002 > 203.0.113.1:53 payload=public"};
    std::vector<fwbench::CaptureFrame> frames;
    std::uint64_t t = 1700000000000000000ull;
    for (const char* d : recs) {
        const fwbench::PacketDescription pd = fwbench::parse_packet_description(d);
        frames.push_back({t += 1000000, fwbench::build_ipv4(pd.packet, pd.payload), 0, fwbench::Direction::inbound, 0});
    }
    const std::string capture = testing::TempDir() + "fwbench_string.pcapng";
    write_capture(capture, {{fwbench::linktype::raw, "wan1"}}, frames);
    const std::string host = env("FWBENCH_SOURCE") + "/traces/seed/host.json";
    const std::string args = "--rules " + rules + " --host " + host + " --pcap " + capture;
    Result r = run(args + " --counters -");
    ASSERT_EQ(r.status, 0) << r.err;
    // The packets are 20 + 8 + 6 bytes; each later rule sees what the earlier ones let by.
    EXPECT_NE(r.out.find("[1:34] -A INPUT -p udp -m string --string \"secret\" --algo bm -j DROP"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("[1:34] -A INPUT -p udp -m string --string \"SECRET\" --algo kmp --icase"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("[2:68] -A INPUT -p udp -j REJECT --reject-with icmp-port-unreachable"), std::string::npos) << r.out;
    Result j = run(args + " -q --json -");
    ASSERT_EQ(j.status, 0) << j.err;
    const auto doc = nlohmann::json::parse(j.out);
    const nlohmann::json* note = cannot_show_note(doc, "host_state");
    ASSERT_NE(note, nullptr) << j.out;
    EXPECT_EQ((*note)["decisions"], 1) << j.out;  // the one Boyer-Moore find
    EXPECT_EQ(doc["drop_reasons"].value("not_modelled", 0), 0) << j.out;
    Result e = run("explain --rules " + rules + " --host " + host + " 'udp 198.51.100.7:5000 > 203.0.113.1:53 in wan1 payload=top\\x20secret'");
    ASSERT_EQ(e.status, 0) << e.err;
    EXPECT_NE(e.out.find("DROP"), std::string::npos) << e.out;
}

// Both families in one run: --rules for IPv4, --rules6 for IPv6; --counters writes both forms
// (as iptables-save -c; ip6tables-save -c), --json the IPv6 counters under "ipv6".
TEST(FwbenchPcap, ADualStackCaptureInOneRun) {
    const std::string capture = dual_stack_capture();
    const std::string seed = env("FWBENCH_SOURCE") + "/traces/seed/";
    const std::string args = "--rules " + seed + "rules.v4 --rules6 " + seed + "rules.v6 --host " + seed + "host.json --pcap " + capture;
    Result r = run(args + " --counters - -q");
    ASSERT_EQ(r.status, 0) << r.err;
    const auto v6 = r.out.find("(ip6tables-save form)");
    ASSERT_NE(v6, std::string::npos) << r.out;
    const std::string v4_part = r.out.substr(0, v6), v6_part = r.out.substr(v6);
    EXPECT_NE(v4_part.find("[1:60] -A INPUT -i wan1 -p tcp -m tcp --dport 22 -j ACCEPT"), std::string::npos) << r.out;
    EXPECT_NE(v4_part.find("[0:0] -A INPUT -j DROP"), std::string::npos) << r.out;
    EXPECT_NE(v6_part.find("[1:60] -A INPUT -i wan1 -p tcp -m tcp --dport 22 -j ACCEPT"), std::string::npos) << r.out;
    EXPECT_NE(v6_part.find("[1:60] -A INPUT -j DROP"), std::string::npos) << r.out;
    Result j = run(args + " --json - -q");
    ASSERT_EQ(j.status, 0) << j.err;
    const auto doc = nlohmann::json::parse(j.out);
    EXPECT_EQ(doc["origins"].value("skipped", 0), 0) << j.out;
    EXPECT_EQ(doc["dropped_by_rule"].value("ip6tables filter INPUT rule 3: -A INPUT -j DROP", 0), 1) << j.out;
    EXPECT_EQ(doc["ipv6"]["rules"], seed + "rules.v6");
    Result wrong = run("--rules " + seed + "rules.v6 --rules6 " + seed + "rules.v6 --host " + seed + "host.json --pcap " + capture + " -q");
    EXPECT_NE(wrong.status, 0);
    EXPECT_NE(wrong.err.find("give the IPv4 one with --rules"), std::string::npos) << wrong.err;
}

// IPv4 fragments through the seed's ruleset (no conntrack): local delivery reassembles before
// INPUT, so INPUT counts one datagram of 2000 bytes; a first fragment whose rest never comes stays
// held, and the summary and JSON say so.
TEST(FwbenchPcap, FragmentsAreHeldAndTheirDatagramCountedOnce) {
    const char* recs[] = {"tcp 198.51.100.7:40000 > 203.0.113.1:22 flags=S mf=1 fragid=5 len=1500 datagram=2000",
                          "tcp 198.51.100.7:40000 > 203.0.113.1:22 fragoff=1480 fragid=5 len=520",
                          "tcp 198.51.100.7:40001 > 203.0.113.1:22 flags=S mf=1 fragid=6 len=1500 datagram=2000"};
    std::vector<fwbench::CaptureFrame> frames;
    std::uint64_t t = 1700000000000000000ull;
    for (const char* d : recs)
        frames.push_back({t += 1000000, fwbench::build_ipv4(fwbench::parse_packet_description(d).packet), 0, fwbench::Direction::inbound, 0});
    const std::string capture = testing::TempDir() + "fwbench_fragments.pcapng";
    write_capture(capture, {{fwbench::linktype::raw, "wan1"}}, frames);
    const std::string seed = env("FWBENCH_SOURCE") + "/traces/seed/";
    const std::string args = "--rules " + seed + "rules.v4 --host " + seed + "host.json --pcap " + capture;
    Result r = run(args + " --counters - --verdicts " + testing::TempDir() + "fragments.verdicts");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("[1:2000] -A INPUT -i wan1 -p tcp -m tcp --dport 22 -j ACCEPT"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("note: fragments of 1 datagrams were still waiting"), std::string::npos) << r.err;
    std::ifstream vf(testing::TempDir() + "fragments.verdicts");
    std::stringstream verdicts;
    verdicts << vf.rdbuf();
    EXPECT_NE(verdicts.str().find("0\tHELD"), std::string::npos) << verdicts.str();
    EXPECT_NE(verdicts.str().find("1\tACCEPT\tfilter:INPUT:2"), std::string::npos) << verdicts.str();
    EXPECT_NE(verdicts.str().find("2\tHELD"), std::string::npos) << verdicts.str();
    Result j = run(args + " --json - -q");
    ASSERT_EQ(j.status, 0) << j.err;
    const auto doc = nlohmann::json::parse(j.out);
    EXPECT_EQ(doc["reassembly"]["incomplete_datagrams"], 1) << j.out;
    EXPECT_EQ(doc["fates"]["wire"].value("held", 0), 2) << j.out;
    EXPECT_EQ(doc["fates"]["wire"].value("delivered", 0), 1) << j.out;
}

// An answer fwbench cannot walk is named, never silently left uncounted: REJECT answers a
// datagram reassembled from two fragments, whose bytes fwbench does not join, so the port
// unreachable quoting it cannot be shown to OUTPUT's -m u32. The summary and JSON count it
// (answer_not_modelled), and explain says where the answer stopped.
TEST(FwbenchPcap, AnAnswerFwbenchCannotWalkIsNamed) {
    const std::string rules = write_temp("fwbench_answer_refused.v4",
                                         "*filter\n-A INPUT -p udp -m state --state NEW -j REJECT\n"
                                         "-A OUTPUT -m u32 --u32 \"0>>22&0x3C@0>>16=0x35\"\nCOMMIT\n");
    const char* recs[] = {"udp 198.51.100.7:40000 > 203.0.113.1:53 mf=1 fragid=7 len=1500 datagram=1600",
                          "udp 198.51.100.7:40000 > 203.0.113.1:53 fragoff=1480 fragid=7 len=120"};
    std::vector<fwbench::CaptureFrame> frames;
    std::uint64_t t = 1700000000000000000ull;
    for (const char* d : recs)
        frames.push_back({t += 1000000, fwbench::build_ipv4(fwbench::parse_packet_description(d).packet), 0, fwbench::Direction::inbound, 0});
    const std::string capture = testing::TempDir() + "fwbench_answer_refused.pcapng";
    write_capture(capture, {{fwbench::linktype::raw, "wan1"}}, frames);
    const std::string args = "--rules " + rules + " --host " + env("FWBENCH_SOURCE") + "/traces/seed/host.json --pcap " + capture;
    Result r = run(args);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("answer_not_modelled"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("note: answer_not_modelled: an answer the host sends"), std::string::npos) << r.out;
    Result j = run(args + " --json - -q");
    ASSERT_EQ(j.status, 0) << j.err;
    const auto doc = nlohmann::json::parse(j.out);
    EXPECT_EQ(doc["drop_reasons"].value("answer_not_modelled", 0), 1) << j.out;
    EXPECT_EQ(doc["fates"]["wire"].value("rejected", 0), 1) << j.out;  // the datagram itself is decided
    Result e = run("explain --rules " + rules + " --host " + env("FWBENCH_SOURCE") + "/traces/seed/host.json --pcap " + capture + " 0 1");
    ASSERT_EQ(e.status, 0) << e.err;
    EXPECT_NE(e.out.find("not followed further (not modelled): a -m string, -m u32 or -m bpf reached from this hook reads the packet's bytes"),
              std::string::npos)
        << e.out;
}

// -m mac reads the frame's source MAC where the capture has it (wan1: Ethernet); where it has no
// link-layer header (lan0: raw IP) the MAC the kernel read is unknown, and the decision is named
// as an assumption (host_state), not silently made.
TEST(FwbenchPcap, AMacMatchWithoutTheFramesMacIsAnAssumption) {
    const std::string rules = write_temp("fwbench_mac.v4",
                                         "*filter\n-A INPUT -m mac --mac-source 02:aa:00:00:00:07\n"
                                         "-A FORWARD -m mac ! --mac-source 02:aa:00:00:00:07\nCOMMIT\n");
    const std::string capture = testing::TempDir() + "fwbench_mac.pcapng";
    {
        const fwbench::Packet ssh = fwbench::parse_packet_description("tcp 198.51.100.7:1000 > 203.0.113.1:22 flags=S").packet;
        const fwbench::Packet dns = fwbench::parse_packet_description("udp 192.0.2.50:4000 > 198.51.100.7:53 ttl=64").packet;
        const fwbench::MacAddr peer{{0x02, 0xaa, 0, 0, 0, 0x07}}, wan1{{0x02, 0x00, 0x5e, 0x00, 0x01, 0x01}};
        std::vector<fwbench::CaptureFrame> frames = {
            {1700000000000000000ull, fwbench::ethernet_frame(peer, wan1, fwbench::build_ipv4(ssh)), 0, fwbench::Direction::inbound, 0},
            {1700000000001000000ull, fwbench::build_ipv4(dns), 1, fwbench::Direction::inbound, 0}};
        write_capture(capture, {{fwbench::linktype::ethernet, "wan1"}, {fwbench::linktype::raw, "lan0"}}, frames);
    }
    const std::string args = "--rules " + rules + " --host " + env("FWBENCH_SOURCE") + "/traces/seed/host.json --pcap " + capture;
    Result r = run(args + " --counters -");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("[1:60] -A INPUT -m mac --mac-source 02:AA:00:00:00:07"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("[0:0] -A FORWARD -m mac ! --mac-source 02:AA:00:00:00:07"), std::string::npos) << r.out;
    Result j = run(args + " -q --json -");
    ASSERT_EQ(j.status, 0) << j.err;
    const auto doc = nlohmann::json::parse(j.out);
    const nlohmann::json* note = cannot_show_note(doc, "host_state");
    ASSERT_NE(note, nullptr) << j.out;
    EXPECT_EQ((*note)["decisions"], 1) << j.out;  // lan0's packet only: wan1's frame showed its MAC
    ASSERT_EQ((*note)["rules"].size(), 1u) << j.out;
    EXPECT_NE((*note)["rules"][0].get<std::string>().find("FORWARD"), std::string::npos) << j.out;
    EXPECT_NE((*note)["rules"][0].get<std::string>().find("the frame's source MAC address"), std::string::npos) << j.out;
}

// The shipped dual-stack demo (traces/seed/capture-dual.pcap): one run over both families, the
// story told in both (the router's own SSH dropped on lo), and each family's packets checked
// against the kernel — the kernel-check of one family replays that family's packets.
TEST(FwbenchSeedDualStack, OneRunExplainAndKernelCheck) {
    const std::string seed = env("FWBENCH_SOURCE") + "/traces/seed/";
    const std::string files = " --host " + seed + "host.json --pcap " + seed + "capture-dual.pcap";
    Result j = run("--rules " + seed + "rules.v4 --rules6 " + seed + "rules.v6" + files + " --json - -q");
    ASSERT_EQ(j.status, 0) << j.err;
    const auto doc = nlohmann::json::parse(j.out);
    EXPECT_EQ(doc["packets"], 23);
    EXPECT_EQ(doc["drop_reasons"], nlohmann::json({{"not_ip_arp", 1}})) << "only the ARP request is not processed";
    EXPECT_EQ(doc["dropped_by_rule"].value("filter INPUT rule 3: -A INPUT -j DROP", 0), 3);
    EXPECT_EQ(doc["dropped_by_rule"].value("ip6tables filter INPUT rule 3: -A INPUT -j DROP", 0), 3) << "two SYNs on lo, the solicitation";
    // explain and kernel-check take the two rulesets in one run too, each packet by its family.
    const std::string both = "--rules " + seed + "rules.v4 --rules6 " + seed + "rules.v6";
    Result e = run("explain " + both + files + " 0 13");
    ASSERT_EQ(e.status, 0) << e.err;
    EXPECT_NE(e.out.find("INPUT / filter   in=lo out=-   203.0.113.1:40000 > 203.0.113.1:22"), std::string::npos) << e.out;
    EXPECT_NE(e.out.find("INPUT / filter   in=lo out=-   [2001:db8:1::1]:40002 > [2001:db8:1::1]:22"), std::string::npos) << e.out;
    std::size_t drops = 0;
    for (std::size_t at = e.out.find("fate: dropped by filter INPUT rule 3"); at != std::string::npos;
         at = e.out.find("fate: dropped by filter INPUT rule 3", at + 1))
        ++drops;
    EXPECT_EQ(drops, 2u) << e.out;
    if (geteuid() != 0) FWBENCH_CANNOT_RUN("kernel-check needs root for network namespaces");
    Result k = run("kernel-check " + both + files);
    EXPECT_EQ(k.status, 0) << k.out << k.err;
    EXPECT_NE(k.out.find("9 packets replayed into the kernel (iptables-nft) and 8 IPv6 packets into another (ip6tables-nft)"), std::string::npos)
        << k.out;
    std::size_t agreements = 0;
    for (std::size_t at = k.out.find("agree on every rule and policy counter and, packet by packet"); at != std::string::npos;
         at = k.out.find("agree on every rule and policy counter and, packet by packet", at + 1))
        ++agreements;
    EXPECT_EQ(agreements, 2u) << "one agreement per family\n" << k.out;
    // An IPv6 packet without an ip6tables ruleset is refused, not replayed through the iptables one.
    Result r = run("kernel-check --rules " + seed + "rules.v4 --host " + seed + "host.json 'udp [2001:db8:9::7]:1000 > [2001:db8:1::1]:53 in wan1'");
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.err.find("packet 1 is IPv6 and " + seed + "rules.v4 an iptables ruleset: give the ip6tables one with --rules6"), std::string::npos)
        << r.err;
}

// A program run with its stderr on a pseudo-terminal (stdout discarded): what the terminal
// showed, and the exit status. No shell: the child execs the argument vector itself.
std::pair<std::string, int> run_on_terminal(const std::vector<std::string>& args) {
    int master = -1, slave = -1;
    if (openpty(&master, &slave, nullptr, nullptr, nullptr) != 0) throw std::runtime_error("openpty failed");
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const pid_t child = fork();
    if (child == 0) {
        close(master);
        dup2(slave, STDERR_FILENO);
        const int null = open("/dev/null", O_WRONLY);
        dup2(null, STDOUT_FILENO);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(slave);
    std::string shown;
    char buf[4096];
    for (ssize_t n; (n = read(master, buf, sizeof buf)) > 0;) shown.append(buf, static_cast<std::size_t>(n));  // EIO once the child is gone
    close(master);
    int status = 0;
    waitpid(child, &status, 0);
    return {shown, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

// On a terminal, a long run shows a progress bar on stderr (bytes read, packets, rate, time
// left) and erases it when done; off a terminal nothing (FwbenchPcap.SeedCaptureEndToEnd). A
// kernel-check of a few thousand packets lasts long enough to draw it.
TEST(FwbenchProgress, ATerminalSeesTheBarAndThenNotAnyMore) {
    if (geteuid() != 0) FWBENCH_CANNOT_RUN("kernel-check needs root for network namespaces");
    const std::string dir = testing::TempDir() + "fwbench_progress";
    const fwbench::ProgramResult gen = fwbench::run_program({{env("FWBENCH_GEN_ROUTER_WORKLOAD"), "-o", dir, "--flows", "1000"}, {}, -1});
    ASSERT_EQ(gen.exit_status, 0) << gen.err;
    const auto [shown, status] = run_on_terminal(
        {env("FWBENCH_BIN"), "kernel-check", "--rules", dir + "/rules.v4", "--host", dir + "/host.json", "--pcap", dir + "/capture.pcapng"});
    ASSERT_EQ(status, 0) << shown;
    const std::regex bar(R"(\r\[#* *\] +[0-9]+%  [0-9]+ packets  [0-9]+ packets/s  [0-9?ms]+ left)");
    EXPECT_TRUE(std::regex_search(shown, bar)) << shown;
    const std::string erased = "\r" + std::string(79, ' ') + "\r";
    EXPECT_NE(shown.find(erased), std::string::npos) << "the bar is erased when done: " << shown;
}

// The replay dataplane from the command line: passes, workers, JSON, counters; bad requests
// are errors with exit status 2 and a message, never a hang.
TEST(FwbenchReplay, RepeatWorkersJsonAndErrors) {
    std::string args = "--rules " + env("FWBENCH_SOURCE") + "/traces/seed/rules.v4 --host " + env("FWBENCH_SOURCE") +
                       "/traces/seed/host.json --pcap " + env("FWBENCH_SOURCE") + "/traces/seed/capture.pcap";
    Result j = run(args + " -q --repeat 4 --engine compiled --json -");
    ASSERT_EQ(j.status, 0) << j.err;
    EXPECT_NE(j.err.find("too short for its rate to mean anything"), std::string::npos) << j.err;
    auto doc = nlohmann::json::parse(j.out);
    EXPECT_TRUE(doc["per_second_mpps"].empty());
    EXPECT_EQ(doc["loaded"]["records"], 13);
    EXPECT_EQ(doc["loaded"]["packets"], 9);  // 3 forwarded copies and an ARP are not for the path
    EXPECT_EQ(doc["packets"], 36);
    ASSERT_EQ(doc["workers"].size(), 1u);
    EXPECT_EQ(doc["workers"][0]["passes"], 4);
    EXPECT_EQ(doc["workers"][0]["fates"]["dropped"], 12);
    // Counters add up over passes: the seed ruleset has no state.
    Result c = run(args + " -q --repeat 4 --counters -");
    ASSERT_EQ(c.status, 0) << c.err;
    EXPECT_NE(c.out.find("[12:720] -A INPUT -j DROP"), std::string::npos) << c.out;
    Result text = run(args + " --repeat 2");
    ASSERT_EQ(text.status, 0) << text.err;
    EXPECT_NE(text.out.find("replayed 18 packets by 1 worker"), std::string::npos) << text.out;
    // A run of two seconds: each second's rate, and their spread.
    Result timed = run(args + " -q --duration 2.5 --json -");
    ASSERT_EQ(timed.status, 0) << timed.err;
    EXPECT_EQ(timed.err.find("too short"), std::string::npos) << timed.err;
    auto timed_doc = nlohmann::json::parse(timed.out);
    ASSERT_GE(timed_doc["per_second_mpps"].size(), 2u) << timed.out;  // a third when stopping takes long (sanitizers)
    EXPECT_GT(timed_doc["per_second_spread"]["min"].get<double>(), 0.0);
    EXPECT_LE(timed_doc["per_second_spread"]["min"], timed_doc["per_second_spread"]["max"]);
    Result many = run(args + " --workers 100");
    EXPECT_EQ(many.status, 2);
    EXPECT_NE(many.err.find("100 workers need as many EAL worker lcores"), std::string::npos) << many.err;
    Result bad_eal = run(args + " --repeat 2 --eal '--no-such-eal-option'");
    EXPECT_EQ(bad_eal.status, 2);
    EXPECT_NE(bad_eal.err.find("DPDK EAL initialisation failed"), std::string::npos) << bad_eal.err;
    EXPECT_NE(bad_eal.err.find("--no-such-eal-option"), std::string::npos) << bad_eal.err;
    Result verdicts = run(args + " --repeat 2 --verdicts -");
    EXPECT_EQ(verdicts.status, 2);
    // Packet by packet: the same counters as in bursts, and the JSON says which it was.
    EXPECT_EQ(doc["bursts"], true);
    Result one_by_one = run(args + " -q --repeat 4 --no-bursts --counters - --json " + testing::TempDir() + "one-by-one.json");
    ASSERT_EQ(one_by_one.status, 0) << one_by_one.err;
    EXPECT_EQ(one_by_one.out, c.out);
    EXPECT_EQ(nlohmann::json::parse(std::ifstream(testing::TempDir() + "one-by-one.json"))["bursts"], false);
    // Outside the replay dataplane --no-bursts would change nothing: refused, not ignored.
    Result analysis = run(args + " --no-bursts");
    EXPECT_EQ(analysis.status, 2);
    EXPECT_NE(analysis.err.find("--no-bursts applies to the replay dataplane"), std::string::npos) << analysis.err;
}

// The flow cache in the replay's report: a rule at the head of FORWARD that reads TCP flags is
// tested by every forwarded TCP packet, so it is named as what forbids recording their paths;
// --no-flow-cache walks everything and the counters stay the same.
TEST(FwbenchReplay, TheFlowCacheNamesTheRulesThatForbidIt) {
    const std::string dir = testing::TempDir() + "fwbench_flow_cache_" + std::to_string(getpid());
    const fwbench::ProgramResult gen = fwbench::run_program({{env("FWBENCH_GEN_ROUTER_WORKLOAD"), "-o", dir, "--flows", "300"}, {}, -1});
    ASSERT_EQ(gen.exit_status, 0) << gen.err;
    std::string rules;
    {
        std::ifstream in(dir + "/rules.v4");
        for (std::string line; std::getline(in, line);) {
            if (line.rfind("-A FORWARD ", 0) == 0 && rules.find("--tcp-flags FIN FIN") == std::string::npos)
                rules += "-A FORWARD -p tcp -m tcp --tcp-flags FIN FIN\n";
            rules += line + "\n";
        }
    }
    std::ofstream(dir + "/flags.v4") << rules;
    const std::string args = "--rules " + dir + "/flags.v4 --host " + dir + "/host.json --pcap " + dir + "/capture.pcapng -q --repeat 2";
    Result cached = run(args + " --json -");
    ASSERT_EQ(cached.status, 0) << cached.err;
    const auto fc = nlohmann::json::parse(cached.out)["flow_cache"];
    EXPECT_EQ(fc["enabled"], true);
    ASSERT_FALSE(fc["rules_that_forbid_caching"].empty()) << fc.dump(2);
    const auto& first = fc["rules_that_forbid_caching"][0];
    EXPECT_EQ(first["table"], "filter");
    EXPECT_EQ(first["chain"], "FORWARD");
    EXPECT_EQ(first["rule"], 1);
    EXPECT_EQ(first["text"], "-A FORWARD -p tcp -m tcp --tcp-flags FIN FIN");
    EXPECT_EQ(first["why"], "reads the packet's TCP flags");
    EXPECT_GT(first["paths_not_recorded"].get<std::uint64_t>(), 0u);
    EXPECT_GT(fc["not_recorded"]["rule"].get<std::uint64_t>(), 0u);
    Result walked = run(args + " --no-flow-cache --json -");
    ASSERT_EQ(walked.status, 0) << walked.err;
    const auto off = nlohmann::json::parse(walked.out)["flow_cache"];
    EXPECT_EQ(off["enabled"], false);
    EXPECT_EQ(off["replayed"], 0);
    Result with = run(args + " --counters -"), without = run(args + " --no-flow-cache --counters -");
    ASSERT_EQ(with.status, 0) << with.err;
    EXPECT_EQ(with.out, without.out);
    std::filesystem::remove_all(dir);
}

}  // namespace

namespace {

// A capture taken on an interface the described host does not have is of another machine:
// fwbench stops and names it with the host's interfaces, or with --keep-going counts it.
TEST(FwbenchPcap, AnInterfaceTheHostLacksStopsTheRun) {
    const std::string capture = testing::TempDir() + "fwbench_eth9.pcapng";
    {
        fwbench::Packet p = fwbench::parse_packet_description("udp 198.51.100.7:40000 > 203.0.113.1:53 len=60").packet;
        const fwbench::MacAddr a{{2, 0, 0, 0, 0, 1}}, b{{2, 0, 0, 0, 0, 2}};
        write_capture(capture, {{fwbench::linktype::ethernet, "eth9"}},
                      {{1700000000000000000ull, fwbench::ethernet_frame(a, b, fwbench::build_ipv4(p)), 0, fwbench::Direction::inbound, 0}});
    }
    const std::string args = "--rules " + env("FWBENCH_SOURCE") + "/traces/seed/rules.v4 --host " + env("FWBENCH_SOURCE") +
                             "/traces/seed/host.json --pcap " + capture + " -q";
    Result stopped = run(args + " --json -");
    EXPECT_EQ(stopped.status, 2);
    EXPECT_NE(stopped.err.find("packet 0: interface 'eth9' is not in the host description (it has 'lo', 'wan1', 'lan0')"), std::string::npos)
        << stopped.err;
    Result counted = run(args + " --keep-going --json -");
    ASSERT_EQ(counted.status, 0) << counted.err;
    auto doc = nlohmann::json::parse(counted.out);
    EXPECT_EQ(doc["drop_reasons"]["unknown_interface"], 1) << counted.out;
    std::remove(capture.c_str());
    // --iface naming an interface the host lacks, even on a capture whose records name theirs.
    Result iface = run("--rules " + env("FWBENCH_SOURCE") + "/traces/seed/rules.v4 --host " + env("FWBENCH_SOURCE") +
                       "/traces/seed/host.json --pcap " + env("FWBENCH_SOURCE") + "/traces/seed/capture.pcap -q --iface eth9");
    EXPECT_EQ(iface.status, 2);
    EXPECT_NE(iface.err.find("--iface 'eth9' is not in the host description (it has 'lo', 'wan1', 'lan0')"), std::string::npos) << iface.err;
}

}  // namespace

namespace {

std::string write_temp(const std::string& name, const std::string& text) {
    const std::string path = testing::TempDir() + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

std::string seed_capture_args(const std::string& host) {
    return "--rules " + env("FWBENCH_SOURCE") + "/traces/seed/rules.v4 --host " + host + " --pcap " + env("FWBENCH_SOURCE") +
           "/traces/seed/capture.pcap";
}

// The seed host's routes as `ip -j route` prints them without `table all`: the main table
// alone. The kernel's local table is derived (the router's own address stays local, so its own
// ssh still dies in INPUT) and the summary says so.
TEST(FwbenchHostInputs, AMainOnlyRouteDumpGetsTheLocalTableAndSaysSo) {
    auto host = nlohmann::json::parse(std::ifstream(env("FWBENCH_SOURCE") + "/traces/seed/host.json"));
    nlohmann::json main_only = nlohmann::json::array();
    for (const auto& r : host["route"])
        if (r.value("table", "") != "local") main_only.push_back(r);
    ASSERT_LT(main_only.size(), host["route"].size());
    host["route"] = main_only;
    const std::string args = seed_capture_args(write_temp("fwbench_main_only_host.json", host.dump()));
    Result v = run(args + " -q --verdicts -");
    ASSERT_EQ(v.status, 0) << v.err;
    EXPECT_EQ(v.out, seed_capture_verdicts);
    Result text = run(args);
    ASSERT_EQ(text.status, 0) << text.err;
    EXPECT_NE(text.out.find("assumed: routes: the dump has no IPv4 local table (`ip -j route` without `table all`)"), std::string::npos) << text.out;
    Result j = run(args + " -q --json -");
    ASSERT_EQ(j.status, 0) << j.err;
    // The seed router is dual-stack: each family's local table is derived, and said.
    const auto assumptions = nlohmann::json::parse(j.out)["assumptions"];
    ASSERT_EQ(assumptions.size(), 2u) << j.out;
    EXPECT_NE(assumptions[0].get<std::string>().find("no IPv4 local table"), std::string::npos) << j.out;
    EXPECT_NE(assumptions[1].get<std::string>().find("no IPv6 local table (`ip -j route` without `table all`), so its local, anycast and multicast"),
              std::string::npos)
        << j.out;
}

// The seed host pasted as `ip addr` text: no routes, no sysctls. The host then does not
// forward, and the summary says what it assumed and which input would change the outcome.
TEST(FwbenchHostInputs, PastedIpAddrTextNamesWhatItAssumed) {
    const std::string text =
        "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n"
        "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n"
        "    inet 127.0.0.1/8 scope host lo\n"
        "2: wan1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000\n"
        "    link/ether 02:00:5e:00:01:01 brd ff:ff:ff:ff:ff:ff\n"
        "    inet 203.0.113.1/24 brd 203.0.113.255 scope global wan1\n"
        "3: lan0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000\n"
        "    link/ether 02:00:5e:00:02:01 brd ff:ff:ff:ff:ff:ff\n"
        "    inet 192.0.2.1/24 brd 192.0.2.255 scope global lan0\n";
    const std::string args = seed_capture_args(write_temp("fwbench_ip_addr.txt", text));
    Result r = run(args);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("assumed: routes: none were given"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("assumed: sysctls: none were given, so the kernel defaults: ip_forward 0"), std::string::npos) << r.out;
    // The three forwarded connections' packets (6, 8, 10) of the 12 processed: their outbound
    // copies (7, 9, 11), no longer forwarded, are the host's own packets, with no route out.
    EXPECT_NE(r.out.find("note: 3 packets (25% of those processed) were dropped as forwarding_disabled: ip_forward was assumed 0"), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("note: 3 packets (25% of those processed) were dropped as no_route: no routes were given"), std::string::npos) << r.out;
    Result v = run(args + " -q --verdicts -");
    ASSERT_EQ(v.status, 0) << v.err;
    EXPECT_NE(v.out.find("6\tDROP\tkernel:forwarding_disabled:0\n"), std::string::npos) << v.out;
}

}  // namespace

namespace {

struct NftCase {
    const char* description;
    const char* nft;  // `nft -f -` input, run first in a fresh network namespace
    const char* iptables;  // then `iptables-nft-restore --noflush` input
    int status;
    const char* says;  // in stderr
};

// Live mode on a host whose firewall is partly native nftables: iptables-save omits those
// tables, so fwbench refuses rather than answer without them. Each case runs in a network
// namespace of its own (netns.hpp: gone with its descriptor, even if the test is killed).
TEST(FwbenchHostInputs, NativeNftablesTablesAreRefusedInLiveMode) {
    if (geteuid() != 0) FWBENCH_CANNOT_RUN("network namespaces need root");
    const char* accept_all = "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n";
    const NftCase cases[] = {
        {"a native table that filters",
         "table inet fw {\n chain input {\n  type filter hook input priority 0; policy drop;\n  tcp dport 22 accept\n }\n}\n", accept_all, 2,
         "this host filters with native nftables (table inet fw)"},
        {"a native table named as iptables names its own",
         "table ip filter {\n chain input {\n  type filter hook input priority 0;\n  counter\n }\n}\n", "", 2, "(table ip filter)"},
        {"an empty native table beside iptables-nft's", "table inet fw {\n}\n", accept_all, 0,
         "change nothing here (no rules, accepting chains): table inet fw"},
        {"iptables-nft's own tables alone", "", "*filter\n:INPUT ACCEPT [0:0]\n:blocklist - [0:0]\n-A INPUT -j blocklist\nCOMMIT\n", 0, ""},
    };
    for (const auto& c : cases) {
        fwbench::NetNamespace ns;
        auto must = [&](std::vector<std::string> argv, const char* input) {
            fwbench::ProgramResult r = fwbench::run_program({std::move(argv), input, ns.fd()});
            ASSERT_EQ(r.exit_status, 0) << c.description << ": " << r.err;
        };
        must({"ip", "link", "set", "lo", "up"}, "");
        if (*c.nft) must({"nft", "-f", "-"}, c.nft);
        if (*c.iptables) must({"iptables-nft-restore", "--noflush"}, c.iptables);
        for (std::vector<std::string> command : {std::vector<std::string>{"explain", "udp 127.0.0.1:1 > 127.0.0.1:53 from local"}, {"dump-host"}}) {
            SCOPED_TRACE(std::string(c.description) + ": fwbench " + command[0]);
            command.insert(command.begin(), env("FWBENCH_BIN"));
            fwbench::ProgramResult r = fwbench::run_program({command, {}, ns.fd()});
            EXPECT_EQ(r.exit_status, c.status) << r.out << r.err;
            EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
        }
    }
}

// Under iptables-nft a base chain exists only when the restored text names it. From a file,
// fwbench models the chains the text names and says which it left out; on a live host it asks
// the kernel, and says so. The expectations are the text's own chain names.
TEST(FwbenchBaseChains, ChainsTheTextNeverNamesAreNamedAndNotWalked) {
    const std::string rules = write_temp("fwbench_unnamed.v4",
                                         "*nat\n:PREROUTING ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n"
                                         "*filter\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n");
    Result r = run("explain --rules " + rules + " --host " + env("FWBENCH_SOURCE") +
                   "/traces/seed/host.json 'tcp 198.51.100.7:1000 > 203.0.113.1:22 in wan1'");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("not created, packets do not pass them: nat INPUT, nat OUTPUT, filter FORWARD, filter OUTPUT"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("their policy decides but never counts: filter INPUT"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("from the chains the text names"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("INPUT / nat"), std::string::npos) << "nat INPUT does not exist, so the packet does not pass it:\n" << r.out;
    EXPECT_NE(r.out.find("INPUT / filter"), std::string::npos) << r.out;
}

TEST(FwbenchBaseChains, LiveModeAsksTheKernel) {
    if (geteuid() != 0) FWBENCH_CANNOT_RUN("network namespaces need root");
    fwbench::NetNamespace ns;
    auto must = [&](std::vector<std::string> argv, const char* input) {
        fwbench::ProgramResult r = fwbench::run_program({std::move(argv), input, ns.fd()});
        ASSERT_EQ(r.exit_status, 0) << r.err;
    };
    must({"ip", "link", "set", "lo", "up"}, "");
    must({"iptables-nft-restore"}, "*filter\n:OUTPUT ACCEPT [0:0]\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n");
    fwbench::ProgramResult r = fwbench::run_program({{env("FWBENCH_BIN"), "explain", "udp 127.0.0.1:1 > 127.0.0.1:53 from local"}, {}, ns.fd()});
    ASSERT_EQ(r.exit_status, 0) << r.err;
    // iptables-save in the namespace prints FORWARD too; the kernel has no such chain.
    EXPECT_NE(r.out.find("from the running kernel's nf_tables base chains"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("not created, packets do not pass them: filter FORWARD\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("their policy decides but never counts: filter INPUT\n"), std::string::npos) << r.out;
}

}  // namespace

namespace {

// A router with NAT beside its filter rules and a user chain: the verdict line names the rule
// that decided each packet, worked out by hand from the ruleset below, not the last table the
// packet passed (nat INPUT and nat POSTROUTING come after filter).
const char* nat_and_filter_rules =
    "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
    "-A POSTROUTING -o wan1 -j MASQUERADE\nCOMMIT\n"
    "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:blocklist - [0:0]\n"
    "-A INPUT -i lo -j ACCEPT\n"
    "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
    "-A INPUT -i wan1 -j blocklist\n"
    "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n"
    "-A INPUT -i lan0 -p udp -m udp --dport 53 -j ACCEPT\n"
    "-A FORWARD -i wan1 -j blocklist\n"
    "-A FORWARD -i lan0 -o wan1 -j ACCEPT\n"
    "-A blocklist -s 198.51.100.66/32 -j DROP\nCOMMIT\n";

std::string nat_and_filter_capture() {
    const std::string path = testing::TempDir() + "fwbench_nat_filter.pcapng";
    struct Rec {
        std::uint32_t itf;  // 0 wan1, 1 lan0
        fwbench::Direction dir;
        const char* packet;
    };
    const Rec recs[] = {
        {1, fwbench::Direction::inbound, "udp 192.0.2.50:4000 > 192.0.2.1:53"},  // 0: the router's DNS
        {1, fwbench::Direction::inbound, "tcp 192.0.2.50:4001 > 198.51.100.7:443 flags=S ttl=64"},  // 1: forwarded
        {0, fwbench::Direction::outbound, "tcp 203.0.113.1:4001 > 198.51.100.7:443 flags=S ttl=63"},  // 2: its copy, masqueraded
        {0, fwbench::Direction::inbound, "tcp 198.51.100.66:5000 > 203.0.113.1:22 flags=S"},  // 3: blocklisted, at the router
        {0, fwbench::Direction::inbound, "tcp 198.51.100.66:5000 > 192.0.2.50:80 flags=S"},  // 4: blocklisted, forwarded
        {0, fwbench::Direction::inbound, "udp 198.51.100.7:53 > 203.0.113.1:4000"},  // 5: nothing accepts it
    };
    std::vector<fwbench::CaptureFrame> frames;
    std::uint64_t t = 1700000000000000000ull;
    for (const auto& r : recs)
        frames.push_back({t += 1000000, fwbench::build_ipv4(fwbench::parse_packet_description(r.packet).packet), r.itf, r.dir, 0});
    write_capture(path, {{fwbench::linktype::raw, "wan1"}, {fwbench::linktype::raw, "lan0"}}, frames);
    return path;
}

std::string nat_and_filter_args() {
    return "--rules " + write_temp("fwbench_nat_filter.v4", nat_and_filter_rules) + " --host " + env("FWBENCH_SOURCE") +
           "/traces/seed/host.json --pcap " + nat_and_filter_capture() + " -q";
}

// Matches whose answer lies outside the capture and the host description (-m cpu, -m socket):
// the summary and the JSON name each rule, how many decisions its assumption made, and what
// was assumed; the counters follow the assumption (CPU 0: --cpu 0 counts every packet walked).
TEST(FwbenchPcap, HostStateMatchesAreDecidedByNamedAssumptions) {
    const std::string rules = write_temp("fwbench_host_state.v4",
                                         "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                                         "-A INPUT -m cpu --cpu 0\n-A INPUT -m cpu --cpu 1\nCOMMIT\n");
    const std::string args = "--rules " + rules + " --host " + env("FWBENCH_SOURCE") + "/traces/seed/host.json --pcap " + env("FWBENCH_SOURCE") +
                             "/traces/seed/capture.pcap";
    Result r = run(args);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("match and target decisions rest on what neither the capture nor the host description holds"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("filter INPUT rule 1: -A INPUT -m cpu --cpu 0 ("), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("assumed: every packet is handled on CPU 0)"), std::string::npos) << r.out;
    Result j = run(args + " -q --json -");
    ASSERT_EQ(j.status, 0) << j.err;
    const auto doc = nlohmann::json::parse(j.out);
    const nlohmann::json* note = cannot_show_note(doc, "host_state");
    ASSERT_NE(note, nullptr) << j.out;
    ASSERT_EQ((*note)["rules"].size(), 2u) << j.out;
    // Every packet that reached INPUT passed both rules: one decision each per packet.
    ASSERT_EQ(doc["rule_counters"].size(), 2u) << j.out;
    const auto first = doc["rule_counters"][0]["packets"].get<std::uint64_t>(), second = doc["rule_counters"][1]["packets"].get<std::uint64_t>();
    EXPECT_GT(first, 0u);
    EXPECT_EQ(second, 0u);
    EXPECT_EQ((*note)["decisions"].get<std::uint64_t>(), 2 * first);
}

// -j TPROXY's verdict rests on which sockets are transparent, which no listing shows: on a host
// description without sockets every decision is TPROXY finding none (the packet dropped), named
// with the rule and its count.
TEST(FwbenchPcap, TproxyDecisionsNameTheSocketsAssumed) {
    const std::string rules = write_temp(
        "fwbench_tproxy.v4", "*mangle\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp -j TPROXY --on-port 3129 --tproxy-mark 0x1/0x1\nCOMMIT\n");
    const std::string args = "--rules " + rules + " --host " + env("FWBENCH_SOURCE") + "/traces/seed/host.json --pcap " + env("FWBENCH_SOURCE") +
                             "/traces/seed/capture.pcap";
    Result r = run(args);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("mangle PREROUTING rule 1: -A PREROUTING -p tcp -j TPROXY --on-port 3129 --on-ip 0.0.0.0 --tproxy-mark 0x1/0x1 ("),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("assumed: the host's sockets are not listed: TPROXY finds no transparent socket and drops)"), std::string::npos) << r.out;
    Result j = run(args + " -q --json -");
    ASSERT_EQ(j.status, 0) << j.err;
    const auto doc = nlohmann::json::parse(j.out);
    const nlohmann::json* note = cannot_show_note(doc, "host_state");
    ASSERT_NE(note, nullptr) << j.out;
    ASSERT_EQ(doc["rule_counters"].size(), 1u) << j.out;
    const auto walked = doc["rule_counters"][0]["packets"].get<std::uint64_t>();
    EXPECT_GT(walked, 0u);
    EXPECT_EQ((*note)["decisions"].get<std::uint64_t>(), walked);
}

// explain says what -j TPROXY found: the listed socket it takes to be transparent (and the mark
// it sets), or none, which drops the packet.
TEST(FwbenchExplain, TproxySaysWhichSocketItFound) {
    auto host = nlohmann::json::parse(std::ifstream(env("FWBENCH_SOURCE") + "/traces/seed/host.json"));
    host["sockets"] = {"udp UNCONN 0 0 0.0.0.0:53 0.0.0.0:*"};
    const std::string host_file = write_temp("fwbench_tproxy_host.json", host.dump());
    const std::string rules =
        write_temp("fwbench_tproxy_explain.v4",
                   "*mangle\n-A PREROUTING -p udp -m udp --dport 5000 -j TPROXY --on-port 53 --on-ip 203.0.113.1 --tproxy-mark 0x1/0x1\n"
                   "-A PREROUTING -p udp -m udp --dport 5001 -j TPROXY --on-port 5999 --on-ip 203.0.113.1 --tproxy-mark 0x1/0x1\nCOMMIT\n");
    Result r = run("explain --rules " + rules + " --host " + host_file +
                   " 'udp 198.51.100.7:4000 > 198.51.100.9:5000 in wan1' 'udp 198.51.100.7:4000 > 198.51.100.9:5001 in wan1'");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("TPROXY: a socket of the host's listing takes udp 203.0.113.1:53 (taken to be transparent): mark 0x1, accepted with that "
                         "socket"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("TPROXY: no socket of the host's listing takes udp 203.0.113.1:5999: dropped"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("fate: dropped by mangle PREROUTING rule 2: -A PREROUTING -p udp -m udp --dport 5001 -j TPROXY"), std::string::npos)
        << r.out;
}

// -m time --kerneltz reads the kernel's timezone, which no host description gives: fwbench takes it
// as UTC and names the rule and the assumption; a time rule in UTC assumes nothing.
TEST(FwbenchPcap, KerneltzTimeRulesNameTheTimezoneTaken) {
    const std::string rules = write_temp("fwbench_kerneltz.v4",
                                         "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                                         "-A INPUT -m time --timestart 00:00 --timestop 12:00\n"
                                         "-A INPUT -m time --kerneltz --timestart 00:00 --timestop 12:00\nCOMMIT\n");
    const std::string args = "--rules " + rules + " --host " + env("FWBENCH_SOURCE") + "/traces/seed/host.json --pcap " + env("FWBENCH_SOURCE") +
                             "/traces/seed/capture.pcap";
    Result r = run(args);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(
        r.out.find("filter INPUT rule 2: -A INPUT -m time --timestart 00:00:00 --timestop 12:00:00 --datestop 2038-01-19T03:14:07 --kerneltz ("),
        std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("assumed: the kernel's timezone (sys_tz, which --kerneltz reads) is UTC"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("filter INPUT rule 1: -A INPUT -m time --timestart 00:00:00 --timestop 12:00:00 --datestop 2038-01-19T03:14:07 ("),
              std::string::npos)
        << r.out;
}

// fwbench runs no conntrack helper: the rules that assign one (CT --helper) are named with the
// packets they gave it (a rule whose packets the capture lacks is not), and -m helper's decisions
// with the assumption that no connection is a helper's expectation.
TEST(FwbenchPcap, ConntrackHelpersAreNamedAsNotRun) {
    const std::string rules = write_temp("fwbench_helper.v4",
                                         "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -p tcp -j CT --helper ftp\n"
                                         "-A PREROUTING -p sctp -j CT --helper sip\nCOMMIT\n"
                                         "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                                         "-A INPUT -m helper ! --helper ftp\nCOMMIT\n");
    const std::string args = "--rules " + rules + " --host " + env("FWBENCH_SOURCE") + "/traces/seed/host.json --pcap " + env("FWBENCH_SOURCE") +
                             "/traces/seed/capture.pcap";
    Result r = run(args);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("(CT --helper), which\n    fwbench does not run"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("      raw PREROUTING rule 1: -A PREROUTING -p tcp -j CT --helper ftp ("), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("-j CT --helper sip ("), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("filter INPUT rule 1: -A INPUT -m helper ! --helper ftp ("), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("assumed: no connection is a conntrack helper's expectation"), std::string::npos) << r.out;
    Result j = run(args + " -q --json -");
    ASSERT_EQ(j.status, 0) << j.err;
    const auto doc = nlohmann::json::parse(j.out);
    const nlohmann::json* helpers = nullptr;
    for (const auto& k : doc["capture_cannot_show"])
        if (k["kind"] == "conntrack_helpers") helpers = &k;
    ASSERT_NE(helpers, nullptr) << j.out;
    ASSERT_EQ((*helpers)["rules"].size(), 1u) << j.out;
    // Every TCP packet of the capture passed raw PREROUTING's first rule (none is the host's own).
    std::uint64_t tcp_rule_packets = 0;
    for (const auto& rule : doc["rule_counters"])
        if (rule["table"] == "raw" && rule["chain"] == "PREROUTING" && rule["rule"] == 1) tcp_rule_packets = rule["packets"].get<std::uint64_t>();
    EXPECT_GT(tcp_rule_packets, 0u) << j.out;
    EXPECT_EQ((*helpers)["packets"].get<std::uint64_t>(), tcp_rule_packets) << j.out;
}

// A capture records no sockets: with -m owner in the ruleset and the host's own packets in the
// capture, the summary and the JSON name the rules whose owner match fwbench decided as for
// socketless packets, instead of counting as if that were what happened.
TEST(FwbenchPcap, OwnerMatchesOnTheHostsOwnPacketsAreNamedAsUndecided) {
    const std::string rules = write_temp("fwbench_owner.v4",
                                         "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                                         "-A OUTPUT -m owner --uid-owner 1000 -j ACCEPT\nCOMMIT\n");
    const std::string args = "--rules " + rules + " --host " + env("FWBENCH_SOURCE") + "/traces/seed/host.json --pcap " + env("FWBENCH_SOURCE") +
                             "/traces/seed/capture.pcap";
    Result r = run(args);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("note: a capture records no sockets"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("      filter OUTPUT rule 1: -A OUTPUT -m owner --uid-owner 1000 -j ACCEPT\n"), std::string::npos) << r.out;
    Result j = run(args + " -q --json -");
    ASSERT_EQ(j.status, 0) << j.err;
    const auto doc = nlohmann::json::parse(j.out);
    ASSERT_EQ(doc["capture_cannot_show"].size(), 1u) << j.out;
    EXPECT_GT(doc["capture_cannot_show"][0]["packets"].get<int>(), 0);
    EXPECT_EQ(doc["capture_cannot_show"][0]["packets"], doc["origins"]["local"]);
    // Without an owner rule there is nothing to say.
    Result none = run("--rules " + env("FWBENCH_SOURCE") + "/traces/seed/rules.v4 --host " + env("FWBENCH_SOURCE") +
                      "/traces/seed/host.json --pcap " + env("FWBENCH_SOURCE") + "/traces/seed/capture.pcap");
    EXPECT_EQ(none.out.find("records no sockets"), std::string::npos) << none.out;
}

// The host's own packets are captured after NAT: a connection nat OUTPUT DNATed appears with
// the rewritten destination, and its replayed walk misses the DNAT rule (the kernel counted it,
// kernel-checked with a real tcpdump in issue 13). The summary and the JSON name the rule and
// count the connection, and only connections whose captured address that rule writes.
TEST(FwbenchPcap, LocalConnectionsNatMayHaveRewrittenAreNamed) {
    const std::string rules = write_temp("fwbench_local_nat.v4",
                                         "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
                                         "-A OUTPUT -d 192.0.2.99/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 198.51.100.7:8080\n"
                                         "-A POSTROUTING -o wan1 -j MASQUERADE\nCOMMIT\n");
    struct Rec {
        const char* packet;
        bool suspect;
    };
    const Rec recs[] = {
        {"tcp 203.0.113.1:40000 > 198.51.100.7:8080 flags=S", true},  // what the DNAT writes
        {"tcp 203.0.113.1:40001 > 198.51.100.9:443 flags=S", false},  // another destination
        {"tcp 203.0.113.1:40002 > 198.51.100.7:8081 flags=S", false},  // another port
        {"tcp 203.0.113.1:40000 > 198.51.100.7:8080 flags=A", false},  // the first connection again: no nat walk
    };
    std::vector<fwbench::CaptureFrame> frames;
    std::uint64_t t = 1700000000000000000ull;
    for (const auto& r : recs)
        frames.push_back({t += 1000000, fwbench::build_ipv4(fwbench::parse_packet_description(r.packet).packet), 0, fwbench::Direction::outbound, 0});
    const std::string capture = testing::TempDir() + "fwbench_local_nat.pcapng";
    write_capture(capture, {{fwbench::linktype::raw, "wan1"}}, frames);
    const std::string args = "--rules " + rules + " --host " + env("FWBENCH_SOURCE") + "/traces/seed/host.json --pcap " + capture;
    Result r = run(args);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("note: a capture shows the host's own packets after NAT: 1 of its connections"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("      nat OUTPUT rule 1: -A OUTPUT -d 192.0.2.99/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 198.51.100.7:8080\n"),
              std::string::npos)
        << r.out;
    Result j = run(args + " -q --json -");
    ASSERT_EQ(j.status, 0) << j.err;
    const auto doc = nlohmann::json::parse(j.out);
    ASSERT_EQ(doc["origins"]["local"], std::size(recs)) << j.out;
    ASSERT_EQ(doc["capture_cannot_show"].size(), 1u) << j.out;
    EXPECT_EQ(doc["capture_cannot_show"][0]["kind"], "local_nat");
    EXPECT_EQ(doc["capture_cannot_show"][0]["packets"], 1);
    EXPECT_EQ(doc["capture_cannot_show"][0]["rules"].size(), 1u);
    // The kernel's walk ended at the DNAT; fwbench's went on to nat OUTPUT's policy.
    EXPECT_EQ(doc["capture_cannot_show"][0]["chains"], nlohmann::json::array({"nat OUTPUT"})) << j.out;
    // Without the DNAT rule there is nothing to say.
    const std::string plain = write_temp("fwbench_local_nat_plain.v4",
                                         "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
                                         "-A POSTROUTING -o wan1 -j MASQUERADE\nCOMMIT\n");
    Result none = run("--rules " + plain + " --host " + env("FWBENCH_SOURCE") + "/traces/seed/host.json --pcap " + capture);
    EXPECT_EQ(none.out.find("after NAT"), std::string::npos) << none.out;
}

// Which counters a local connection NAT may have rewritten leaves unsettled: the nat chains on the
// way to the rewriting rule (the kernel's walk ended there, fwbench's went on), and the chains that
// saw the connection before NAT: raw and mangle OUTPUT before nat OUTPUT writes a destination; all
// of OUTPUT, and mangle POSTROUTING, before nat POSTROUTING writes a source. Chains after the
// rewrite (filter OUTPUT after a DNAT) and chains without rules are not named.
TEST(FwbenchPcap, LocalNatNotesNameTheChainsOnTheWayToTheRewrite) {
    const std::string others =
        "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp\nCOMMIT\n"
        "*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
        ":empty - [0:0]\n-A OUTPUT -p tcp\n-A POSTROUTING -p tcp\n-A POSTROUTING -j empty\nCOMMIT\n"
        "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp\nCOMMIT\n";
    const std::string nat_head = "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n";
    const struct {
        const char* what;
        std::string rules;
        const char* packet;  // the host's own first packet, as captured leaving wan1
        std::vector<std::string> chains;
    } cases[] = {
        {"a DNAT two jumps below nat OUTPUT",
         others + nat_head +
             ":services - [0:0]\n:web - [0:0]\n:unrelated - [0:0]\n-A OUTPUT -p tcp -j services\n-A OUTPUT -j unrelated\n"
             "-A services -d 192.0.2.99/32 -j web\n-A web -p tcp --dport 80 -j DNAT --to-destination 198.51.100.7:8080\n"
             "-A unrelated -p udp\nCOMMIT\n",
         "tcp 203.0.113.1:40000 > 198.51.100.7:8080 flags=S",
         {"raw OUTPUT", "mangle OUTPUT", "nat OUTPUT", "nat services", "nat web"}},
        {"an SNAT in a chain nat POSTROUTING jumps to",
         others + nat_head + ":out - [0:0]\n-A POSTROUTING -o wan1 -j out\n-A out -s 192.0.2.0/24 -j SNAT --to-source 203.0.113.1\nCOMMIT\n",
         "tcp 203.0.113.1:40001 > 198.51.100.9:443 flags=S",
         {"raw OUTPUT", "mangle OUTPUT", "filter OUTPUT", "mangle POSTROUTING", "nat POSTROUTING", "nat out"}},
    };
    for (const auto& c : cases) {
        const std::string capture = testing::TempDir() + "fwbench_local_nat_chains.pcapng";
        write_capture(
            capture, {{fwbench::linktype::raw, "wan1"}},
            {{1700000000000000000ull, fwbench::build_ipv4(fwbench::parse_packet_description(c.packet).packet), 0, fwbench::Direction::outbound, 0}});
        const std::string rules = write_temp("fwbench_local_nat_chains.v4", c.rules);
        Result j = run("--rules " + rules + " --host " + env("FWBENCH_SOURCE") + "/traces/seed/host.json --pcap " + capture + " -q --json -");
        ASSERT_EQ(j.status, 0) << c.what << ": " << j.err;
        const auto doc = nlohmann::json::parse(j.out);
        std::vector<std::string> named;
        for (const auto& note : doc["capture_cannot_show"])
            if (note["kind"] == "local_nat") named = note["chains"].get<std::vector<std::string>>();
        EXPECT_EQ(named, c.chains) << c.what << "\n" << j.out;
    }
}

// A capture holds the host's own packets only once they leave: those OUTPUT or POSTROUTING
// dropped are missing, and the kernel counted them in every chain they passed (kernel-checked on
// the real rulesets by KernelRealCaptures). fwbench names the chains up to the last table, in
// hook order, that can drop: nothing when nothing there can.
TEST(FwbenchPcap, ChainsThatCountTheHostsOwnDroppedPacketsAreNamed) {
    const std::string raw_and_mangle =
        "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp\nCOMMIT\n"
        "*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
        ":out_wan - [0:0]\n:unused - [0:0]\n-A OUTPUT -j MARK --set-xmark 0x1/0xffffffff\n-A POSTROUTING -o wan1 -j out_wan\n";
    const std::string filter_head = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n";
    const struct {
        const char* what;
        std::string rules;
        std::vector<std::string> chains;  // empty: no note
    } cases[] = {
        {"a REJECT in a chain filter OUTPUT jumps to",
         raw_and_mangle + "-A out_wan -p udp\n-A unused -j DROP\nCOMMIT\n" + filter_head +
             ":OUTPUT ACCEPT [0:0]\n:checks - [0:0]\n-A OUTPUT -j checks\n-A checks -d 192.0.2.7/32 -j REJECT\nCOMMIT\n",
         {"raw OUTPUT", "mangle OUTPUT", "filter OUTPUT", "filter checks"}},
        {"a DROP in mangle POSTROUTING's user chain names POSTROUTING's mangle too",
         raw_and_mangle + "-A out_wan -p udp -j DROP\nCOMMIT\n" + filter_head + ":OUTPUT ACCEPT [0:0]\nCOMMIT\n",
         {"raw OUTPUT", "mangle OUTPUT", "filter OUTPUT", "mangle POSTROUTING", "mangle out_wan"}},
        {"filter OUTPUT's DROP policy", filter_head + ":OUTPUT DROP [0:0]\n-A OUTPUT -o lo -j ACCEPT\nCOMMIT\n", {"filter OUTPUT"}},
        {"nothing drops in OUTPUT or POSTROUTING (a DROP in a chain no hook reaches, INPUT's DROP)",
         raw_and_mangle + "-A out_wan -p udp\n-A unused -j DROP\nCOMMIT\n*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                          "-A INPUT -p tcp -j REJECT\nCOMMIT\n",
         {}},
    };
    const std::string seed = env("FWBENCH_SOURCE") + "/traces/seed/";
    for (const auto& c : cases) {
        const std::string rules = write_temp("fwbench_local_drops.v4", c.rules);
        const std::string args = "--rules " + rules + " --host " + seed + "host.json --pcap " + seed + "capture.pcap";
        Result j = run(args + " -q --json -");
        ASSERT_EQ(j.status, 0) << c.what << ": " << j.err;
        const auto doc = nlohmann::json::parse(j.out);
        std::vector<std::string> named;
        for (const auto& note : doc["capture_cannot_show"])
            if (note["kind"] == "local_drops") named = note["chains"].get<std::vector<std::string>>();
        EXPECT_EQ(named, c.chains) << c.what;
        Result r = run(args);
        ASSERT_EQ(r.status, 0) << c.what << ": " << r.err;
        EXPECT_EQ(r.out.find("note: the ruleset can drop the host's own packets") != std::string::npos, !c.chains.empty()) << c.what << "\n" << r.out;
        for (const auto& chain : c.chains)
            EXPECT_NE(r.out.find("      " + chain + "\n"), std::string::npos) << c.what << ": " << chain << "\n" << r.out;
    }
}

// A capture's timestamps give the jiffies between packets only to within one (where the kernel's
// ticks fell is not recorded). With --limit 1/sec (250 jiffies a token at HZ 250), a packet 0.998 s
// after the one that took the token finds 249.5 jiffies: 249 leave it short, 250 would pass it.
// That decision is named as one the capture cannot settle; 0.9 s (225 or 226 jiffies, short
// either way) and 4 s later (a full bucket either way) are not.
TEST(FwbenchPcap, RateDecisionsWithinAJiffyAreNamed) {
    const std::string rules = write_temp("fwbench_limit_jiffy.v4",
                                         "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                                         "-A INPUT -p udp -m limit --limit 1/sec --limit-burst 1 -j ACCEPT\n-A INPUT -p udp -j DROP\nCOMMIT\n");
    auto capture = [](std::uint64_t second_after_ns) {
        const std::uint64_t t0 = 1700000000000000000ull;  // a whole number of jiffies at HZ 250
        const std::uint64_t at[] = {t0, t0 + second_after_ns, t0 + 5000000000ull};
        std::vector<fwbench::CaptureFrame> frames;
        for (std::uint64_t t : at)
            frames.push_back({t, fwbench::build_ipv4(fwbench::parse_packet_description("udp 198.51.100.7:4000 > 203.0.113.1:53").packet), 0,
                              fwbench::Direction::inbound, 0});
        const std::string path = testing::TempDir() + "fwbench_limit_jiffy_" + std::to_string(second_after_ns) + ".pcapng";
        write_capture(path, {{fwbench::linktype::raw, "wan1"}}, frames);
        return path;
    };
    const std::string args = "--rules " + rules + " --host " + env("FWBENCH_SOURCE") + "/traces/seed/host.json --pcap ";
    Result r = run(args + capture(998000000ull) + " --verdicts -");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("note: 1 rate decisions (limit, hashlimit) would have gone the other way"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("      filter INPUT rule 1: -A INPUT -p udp -m limit --limit 1/sec --limit-burst 1 -j ACCEPT\n"), std::string::npos)
        << r.err;
    EXPECT_EQ(r.out, "0\tACCEPT\tfilter:INPUT:1\n1\tDROP\tfilter:INPUT:2\n2\tACCEPT\tfilter:INPUT:1\n");
    Result j = run(args + capture(998000000ull) + " -q --json -");
    ASSERT_EQ(j.status, 0) << j.err;
    const auto doc = nlohmann::json::parse(j.out);
    ASSERT_EQ(doc["capture_cannot_show"].size(), 1u) << j.out;
    EXPECT_EQ(doc["capture_cannot_show"][0]["decisions"], 1);
    Result settled = run(args + capture(900000000ull));
    ASSERT_EQ(settled.status, 0) << settled.err;
    EXPECT_EQ(settled.out.find("rate decisions"), std::string::npos) << settled.out;
}

TEST(FwbenchPerPacket, VerdictLinesNameTheDecidingRule) {
    Result v = run(nat_and_filter_args() + " --verdicts -");
    ASSERT_EQ(v.status, 0) << v.err;
    EXPECT_EQ(v.out,
              "0\tACCEPT\tfilter:INPUT:5\n"
              "1\tACCEPT\tfilter:FORWARD:2\n"
              "2\tCOPY\tof:1\n"
              "3\tDROP\tfilter:blocklist:1\n"
              "4\tDROP\tfilter:blocklist:1\n"
              "5\tDROP\tfilter:INPUT:0\n");
}

TEST(FwbenchPerPacket, PacketRecordsAndRuleCounters) {
    Result p = run(nat_and_filter_args() + " --packets -");
    ASSERT_EQ(p.status, 0) << p.err;
    std::vector<nlohmann::json> records;
    std::istringstream lines(p.out);
    for (std::string line; std::getline(lines, line);) records.push_back(nlohmann::json::parse(line));
    ASSERT_EQ(records.size(), 6u) << p.out;
    const nlohmann::json& fwd = records[1];
    EXPECT_EQ(fwd["origin"], "wire");
    EXPECT_EQ(fwd["in"], "lan0");
    EXPECT_EQ(fwd["out"], "wan1");
    EXPECT_EQ(fwd["tuple"], nlohmann::json::parse(R"({"src":"192.0.2.50","dst":"198.51.100.7","proto":6,"sport":4001,"dport":443})"));
    EXPECT_EQ(fwd["tuple_after_nat"], nlohmann::json::parse(R"({"src":"203.0.113.1","dst":"198.51.100.7","proto":6,"sport":4001,"dport":443})"));
    EXPECT_EQ(fwd["ct"], "NEW");
    EXPECT_EQ(fwd["fate"], "forwarded");
    EXPECT_EQ(fwd["walks"], nlohmann::json::parse(R"([
        {"hook":"PREROUTING","table":"nat","chain":"PREROUTING","rule":0,"verdict":"ACCEPT"},
        {"hook":"FORWARD","table":"filter","chain":"FORWARD","rule":2,"verdict":"ACCEPT"},
        {"hook":"POSTROUTING","table":"nat","chain":"POSTROUTING","rule":1,"verdict":"ACCEPT"}])"));
    EXPECT_EQ(fwd["decided_by"], "filter:FORWARD:2");
    EXPECT_EQ(records[2]["origin"], "forwarded_copy");
    EXPECT_EQ(records[2]["copy_of"], 1);
    EXPECT_EQ(records[3]["reason"], "netfilter");
    EXPECT_EQ(records[3]["decided_by"], "filter:blocklist:1");
    EXPECT_EQ(records[0]["time"], "1700000000.001000000");

    Result j = run(nat_and_filter_args() + " --json -");
    ASSERT_EQ(j.status, 0) << j.err;
    auto doc = nlohmann::json::parse(j.out);
    std::set<std::string> dead;
    for (const auto& r : doc["dead_rules"]) dead.insert(r["table"].get<std::string>() + " " + r["chain"].get<std::string>() + " " + r["rule"].dump());
    EXPECT_EQ(dead, (std::set<std::string>{"filter INPUT 1", "filter INPUT 2", "filter INPUT 4"}));
    std::map<std::string, std::uint64_t> packets;
    for (const auto& r : doc["rule_counters"]) packets[r["chain"].get<std::string>() + " " + r["rule"].dump()] = r["packets"];
    EXPECT_EQ(packets["INPUT 3"], 2u);  // 3 and 5 arrive on wan1
    EXPECT_EQ(packets["blocklist 1"], 2u);
    EXPECT_EQ(packets["FORWARD 1"], 1u);
    EXPECT_EQ(doc["dropped_by_rule"]["filter blocklist rule 1: -A blocklist -s 198.51.100.66/32 -j DROP"], 2);
    EXPECT_EQ(doc["dropped_by_rule"]["filter INPUT policy"], 1);

    Result both = run(nat_and_filter_args() + " --verdicts - --counters -");
    EXPECT_EQ(both.status, 2);
    EXPECT_NE(both.err.find("only one of --verdicts, --counters, --json, --packets, --log and --list can be written to stdout"), std::string::npos)
        << both.err;
}

}  // namespace

namespace {

// "tcp A > B:22" is a connection's first packet, as a person means it: conntrack calls it NEW,
// not INVALID (a packet with no flags); flags= says none. explain --help gives the syntax.
// compare: the seed against itself with two disjoint rules swapped (the same: exit 0), against the
// usual fix (-i lo without -s 127.0.0.0/8: the host's own connection to its WAN address differs,
// exit 1, explained under both), and against a ruleset of the other family (exit 2).
TEST(FwbenchCompare, SeedLayoutsTheSameOrTheHostsOwnConnectionDiffers) {
    const std::string seed = env("FWBENCH_SOURCE") + "/traces/seed/";
    std::stringstream read;
    read << std::ifstream(seed + "rules.v4").rdbuf();
    const std::string text = read.str();
    const std::string lo = "-A INPUT -s 127.0.0.0/8 -i lo -j ACCEPT\n", ssh = "-A INPUT -i wan1 -p tcp -m tcp --dport 22 -j ACCEPT\n";
    ASSERT_NE(text.find(lo + ssh), std::string::npos);
    std::string swapped = text, fixed = text;
    swapped.replace(swapped.find(lo + ssh), (lo + ssh).size(), ssh + lo);
    fixed.replace(fixed.find(lo), lo.size(), "-A INPUT -i lo -j ACCEPT\n");
    const std::string swapped_path = testing::TempDir() + "compare_swapped.v4", fixed_path = testing::TempDir() + "compare_fixed.v4";
    std::ofstream(swapped_path) << swapped;
    std::ofstream(fixed_path) << fixed;
    const std::string base = "compare --host " + seed + "host.json --rules " + seed + "rules.v4 --rules ";

    const Result same = run(base + swapped_path);
    EXPECT_EQ(same.status, 0) << same.out << same.err;
    EXPECT_NE(same.out.find("the same on all"), std::string::npos) << same.out;
    EXPECT_NE(same.out.find("proved: A and B decide alike for every packet at every hook"), std::string::npos) << same.out;

    const Result differ = run(base + fixed_path + " --json -");
    EXPECT_EQ(differ.status, 1) << differ.out << differ.err;
    EXPECT_NE(differ.err.find("A dropped (netfilter), B delivered"), std::string::npos) << differ.err;
    EXPECT_NE(differ.err.find("tcp 203.0.113.1:40000 > 203.0.113.1:80 from local"), std::string::npos) << differ.err;
    EXPECT_NE(differ.err.find("fate: dropped by filter INPUT rule 3: -A INPUT -j DROP"), std::string::npos) << differ.err;
    // Over all packets: INPUT alone differs, on lo from any source outside 127/8; the example is
    // the seed's own story, confirmed by the linear engine.
    EXPECT_NE(differ.err.find("INPUT       differ on"), std::string::npos) << differ.err;
    EXPECT_NE(differ.err.find("INPUT: A DROP; B ACCEPT"), std::string::npos) << differ.err;
    EXPECT_NE(differ.err.find("region: in lo src 128.0.0.0/1"), std::string::npos) << differ.err;
    EXPECT_NE(differ.err.find("e.g. tcp 203.0.113.1:40000 > 203.0.113.1:22 flags=S len=60 ttl=64 in lo out (none) ctstate NEW"), std::string::npos)
        << differ.err;
    EXPECT_NE(differ.err.find("the linear engine confirms: A DROP"), std::string::npos) << differ.err;
    const auto doc = nlohmann::json::parse(differ.out);
    EXPECT_EQ(doc["proof"]["equivalent"], false) << differ.out;
    ASSERT_EQ(doc["proof"]["differences"].size(), 1u) << differ.out;
    EXPECT_EQ(doc["proof"]["differences"][0]["hook"], "INPUT") << differ.out;
    EXPECT_EQ(doc["proof"]["differences"][0]["confirmed"], true) << differ.out;
    for (const auto& h : doc["proof"]["hooks"]) EXPECT_EQ(h["difference_regions"], h["hook"] == "INPUT" ? 1 : 0) << h;
    EXPECT_EQ(doc["differing"], 1) << differ.out;
    ASSERT_EQ(doc["kinds"].size(), 1u) << differ.out;
    EXPECT_EQ(doc["kinds"][0]["examples"][0]["a"]["fate"], "dropped") << differ.out;
    EXPECT_EQ(doc["kinds"][0]["examples"][0]["b"]["fate"], "delivered") << differ.out;

    // On the seed's capture: the router's own SSH to its WAN address (3 packets over lo).
    const Result capture = run(base + fixed_path + " --pcap " + seed + "capture.pcap");
    EXPECT_EQ(capture.status, 1) << capture.out << capture.err;
    EXPECT_NE(capture.out.find("3 of 9 packets decided differently, in 1 kind"), std::string::npos) << capture.out;
    EXPECT_NE(capture.out.find("capture packet 0 on lo: tcp 203.0.113.1:40000 > 203.0.113.1:22 from local"), std::string::npos) << capture.out;

    // The dual-stack capture's IPv6 records are not this comparison's: counted, not compared.
    const Result dual = run(base + fixed_path + " --pcap " + seed + "capture-dual.pcap --examples 0");
    EXPECT_EQ(dual.status, 1) << dual.out << dual.err;
    EXPECT_NE(dual.out.find("14 capture records are no packet of the path under either layout"), std::string::npos) << dual.out;
    EXPECT_NE(dual.out.find("3 of 9 packets decided differently"), std::string::npos) << dual.out;

    const Result families = run(base + seed + "rules.v6");
    EXPECT_EQ(families.status, 2) << families.out << families.err;
    EXPECT_NE(families.err.find("compare takes two layouts of one family"), std::string::npos) << families.err;
    const Result one = run("compare --host " + seed + "host.json --rules " + seed + "rules.v4");
    EXPECT_EQ(one.status, 2) << one.err;
    EXPECT_NE(one.err.find("compare takes two layouts: --rules A --rules B"), std::string::npos) << one.err;
}

// compare tells the kinds apart: layouts that forward the same packets but SNAT them to another
// address, or mark them otherwise, differ in that alone.
TEST(FwbenchCompare, NatAndMarksAreDifferencesOfTheirOwn) {
    const std::string seed = env("FWBENCH_SOURCE") + "/traces/seed/";
    const auto layout = [](const std::string& name, const char* to, int mark) {
        const std::string path = testing::TempDir() + name;
        std::ofstream(path) << "*nat\n-A POSTROUTING -o wan1 -j SNAT --to-source " << to << "\nCOMMIT\n*mangle\n-A FORWARD -j MARK --set-mark "
                            << mark << "\nCOMMIT\n";
        return path;
    };
    const std::string a = layout("compare_nat_a.v4", "203.0.113.1", 1), b = layout("compare_nat_b.v4", "203.0.113.2", 1),
                      c = layout("compare_nat_c.v4", "203.0.113.1", 2);
    const Result nat = run("compare --host " + seed + "host.json --rules " + a + " --rules " + b + " --examples 1");
    EXPECT_EQ(nat.status, 1) << nat.out << nat.err;
    EXPECT_NE(nat.out.find("packets: both forwarded, with different addresses or ports after NAT"), std::string::npos) << nat.out;
    EXPECT_NE(nat.out.find(", as 203.0.113.1:"), std::string::npos) << nat.out;
    EXPECT_NE(nat.out.find(", as 203.0.113.2:"), std::string::npos) << nat.out;
    EXPECT_EQ(nat.out.find("different marks"), std::string::npos) << nat.out;
    // Over all packets: a connection's first packet out of wan1, at POSTROUTING only.
    EXPECT_NE(nat.out.find("POSTROUTING: A ACCEPT, SNAT 203.0.113.1; B ACCEPT, SNAT 203.0.113.2"), std::string::npos) << nat.out;
    EXPECT_NE(nat.out.find("region: out wan1 ctstate NEW"), std::string::npos) << nat.out;
    EXPECT_NE(nat.out.find("A and B differ at 1 hook"), std::string::npos) << nat.out;
    const Result mark = run("compare --host " + seed + "host.json --rules " + a + " --rules " + c + " --examples 1");
    EXPECT_EQ(mark.status, 1) << mark.out << mark.err;
    EXPECT_NE(mark.out.find("packets: both forwarded, with different marks"), std::string::npos) << mark.out;
    EXPECT_NE(mark.out.find("mark 1"), std::string::npos) << mark.out;
    EXPECT_NE(mark.out.find("mark 2"), std::string::npos) << mark.out;
    EXPECT_EQ(mark.out.find("after NAT"), std::string::npos) << mark.out;
    EXPECT_NE(mark.out.find("FORWARD: A ACCEPT, mark 0x1; B ACCEPT, mark 0x2"), std::string::npos) << mark.out;
    EXPECT_NE(mark.out.find("A and B differ at 1 hook"), std::string::npos) << mark.out;
}

// A TEE in FORWARD against none: the proof names TEE's region as not proved (it does not follow
// copies), and the packets show the difference, the copy's way and TTL, as a kind of its own.
TEST(FwbenchCompare, TeeCopiesAreADifferenceOfTheirOwn) {
    const std::string seed = env("FWBENCH_SOURCE") + "/traces/seed/";
    const std::string a = write_temp("compare_tee_a.v4", "*mangle\n-A FORWARD -j TEE --gateway 192.0.2.9\nCOMMIT\n");
    const std::string b = write_temp("compare_tee_b.v4", "*mangle\n-A FORWARD\nCOMMIT\n");
    const Result r = run("compare --host " + seed + "host.json --rules " + a + " --rules " + b + " --examples 1");
    EXPECT_EQ(r.status, 1) << r.out << r.err;
    EXPECT_NE(r.out.find("not proved: TEE --gateway 192.0.2.9 sends a copy of the packet through OUTPUT and POSTROUTING, which the proof does not "
                         "follow"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("packets: both forwarded, with different copies sent by TEE"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("out of wan1, as 198.51.100.47:40000 > 203.0.113.185:80; copied by TEE out of lan0 with TTL 63"), std::string::npos)
        << r.out;
}

// compare's cost: ten UDP rules before the SSH rule, flat or behind a jump for UDP. The two are
// proved alike; a TCP packet tests 11 rules in the flat layout and 2 in the jump tree, so the
// jump tree tests fewer rules and is cheaper in the kernel estimate; JSON carries the figures.
TEST(FwbenchCompare, AJumpTreeIsProvedAlikeAndCheaper) {
    const std::string seed = env("FWBENCH_SOURCE") + "/traces/seed/";
    std::string flat = "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n";
    std::string tree = flat + ":udp_in - [0:0]\n-A INPUT -p udp -j udp_in\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n";
    for (int i = 0; i < 10; ++i) {
        flat += "-A INPUT -p udp -m udp --dport " + std::to_string(1000 + i) + " -j ACCEPT\n";
        tree += "-A udp_in -p udp -m udp --dport " + std::to_string(1000 + i) + " -j ACCEPT\n";
    }
    flat += "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n";
    tree += "COMMIT\n";
    const std::string a = testing::TempDir() + "cost_flat.v4", b = testing::TempDir() + "cost_tree.v4";
    std::ofstream(a) << flat;
    std::ofstream(b) << tree;
    const Result r = run("compare --host " + seed + "host.json --rules " + a + " --rules " + b + " --cost-repetitions 3 --json -");
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_NE(r.err.find("proved: A and B decide alike for every packet at every hook"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("cheaper in the kernel: B by"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("median (min-max) of 3 runs"), std::string::npos) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    const auto& cost = doc["cost"];
    EXPECT_LT(cost["b"]["rules_tested_per_packet"].get<double>(), cost["a"]["rules_tested_per_packet"].get<double>()) << cost;
    EXPECT_LT(cost["b"]["kernel_estimate_ns_per_packet"].get<double>(), cost["a"]["kernel_estimate_ns_per_packet"].get<double>()) << cost;
    EXPECT_GT(cost["a"]["fwbench_compiled_ns_per_packet"]["median"].get<double>(), 0.0) << cost;

    // --kernel measures the same in the kernel (figures, not asserted: a benchmark's job) and
    // replays no difference, there being none.
    if (geteuid() != 0) FWBENCH_CANNOT_RUN("compare --kernel needs root for network namespaces");
    const Result k = run("compare --host " + seed + "host.json --rules " + a + " --rules " + b + " --cost-repetitions 1 --kernel --json -");
    EXPECT_EQ(k.status, 0) << k.out << k.err;
    EXPECT_NE(k.err.find("measured in the kernel (a flood of each of"), std::string::npos) << k.err;
    const auto kdoc = nlohmann::json::parse(k.out);
    EXPECT_GT(kdoc["cost"]["kernel_measured"]["samples"].get<int>(), 0) << k.out;
    EXPECT_GT(kdoc["cost"]["kernel_measured"]["baseline_ns_per_packet"].get<double>(), 0.0) << k.out;
    EXPECT_TRUE(kdoc["kernel"].empty()) << k.out;
}

// optimize: the ten UDP rules before SSH become one multiport rule (and SSH, hit most, moves
// above it where they commute); the result is written, proved alike by optimize itself and again by
// compare, and tests fewer rules per packet on the same traffic.
TEST(FwbenchOptimize, MergedAndReorderedThenProvedAlike) {
    const std::string seed = env("FWBENCH_SOURCE") + "/traces/seed/";
    std::string flat = "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n";
    for (int i = 0; i < 10; ++i) flat += "-A INPUT -p udp -m udp --dport " + std::to_string(1000 + i) + " -j ACCEPT\n";
    flat += "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n";
    const std::string in = testing::TempDir() + "optimize_in.v4", out = testing::TempDir() + "optimize_out.v4";
    std::ofstream(in) << flat;
    const Result r = run("optimize --rules " + in + " --host " + seed + "host.json -o " + out + " --json -");
    ASSERT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_NE(r.err.find("proved to decide as the original at every hook"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("filter INPUT rules 1,2,3,4,5,6,7,8,9,10 -> rule"), std::string::npos) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["rule_count"]["after"], 2) << r.out;
    EXPECT_LT(doc["rules_tested_per_packet"]["after"].get<double>(), doc["rules_tested_per_packet"]["before"].get<double>()) << r.out;
    std::stringstream written;
    written << std::ifstream(out).rdbuf();
    EXPECT_NE(written.str().find("-m multiport --dports 1000,1001,1002,1003,1004,1005,1006,1007,1008,1009"), std::string::npos) << written.str();
    const Result cmp = run("compare --no-traffic --host " + seed + "host.json --rules " + in + " --rules " + out);
    EXPECT_EQ(cmp.status, 0) << cmp.out << cmp.err;
    EXPECT_NE(cmp.out.find("proved: A and B decide alike for every packet at every hook"), std::string::npos) << cmp.out;
}

// lint on the seed: the router's own connections to its two addresses are dropped (warnings, exit
// 1), with the loopback rule that causes it and the fix; the fixed rules have none (exit 0, the
// dead policy is a note); JSON says the same; a capture adds the rules none of its packets hit.
TEST(FwbenchLint, TheSeedsPitfallFoundAndTheFixClean) {
    const std::string seed = env("FWBENCH_SOURCE") + "/traces/seed/";
    const Result r = run("lint --rules " + seed + "rules.v4 --host " + seed + "host.json --json -");
    EXPECT_EQ(r.status, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("warning [own-connection-dropped] the host's own connection to 203.0.113.1:22 arrives on lo from 203.0.113.1 and is "
                         "dropped by filter INPUT rule 3: -A INPUT -j DROP"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("loopback is accepted only from 127.0.0.0/8"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("fix: accept lo whatever the source: -A INPUT -i lo -j ACCEPT"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("packet: tcp 203.0.113.1:40000 > 203.0.113.1:22 from local"), std::string::npos) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["warnings"], 2) << r.out;
    EXPECT_EQ(doc["findings"][0]["kind"], "own-connection-dropped") << r.out;

    std::stringstream read;
    read << std::ifstream(seed + "rules.v4").rdbuf();
    std::string fixed = read.str();
    const std::string lo = "-A INPUT -s 127.0.0.0/8 -i lo -j ACCEPT\n";
    ASSERT_NE(fixed.find(lo), std::string::npos);
    fixed.replace(fixed.find(lo), lo.size(), "-A INPUT -i lo -j ACCEPT\n");
    const std::string fixed_path = testing::TempDir() + "lint_fixed.v4";
    std::ofstream(fixed_path) << fixed;
    const Result clean = run("lint --rules " + fixed_path + " --host " + seed + "host.json --pcap " + seed + "capture.pcap");
    EXPECT_EQ(clean.status, 0) << clean.out << clean.err;
    EXPECT_EQ(clean.out.find("own-connection-dropped"), std::string::npos) << clean.out;
    EXPECT_NE(clean.out.find("note [policy-never-decides] filter INPUT's policy ACCEPT never decides"), std::string::npos) << clean.out;
    EXPECT_NE(clean.out.find("0 warnings"), std::string::npos) << clean.out;
    // Under the fixed rules no packet of the seed capture reaches the final DROP.
    EXPECT_NE(clean.out.find("note [unhit] 1 of 3 rules counted none of the 9 packets of " + seed + "capture.pcap"), std::string::npos) << clean.out;
    EXPECT_NE(clean.out.find("rule: filter INPUT rule 3: -A INPUT -j DROP"), std::string::npos) << clean.out;

    const Result no_host = run("lint --rules " + seed + "rules.v4");
    EXPECT_EQ(no_host.status, 0) << no_host.out << no_host.err;
    EXPECT_NE(no_host.out.find("not checked: the host's own connections, port-forwards and interface names: no --host given"), std::string::npos)
        << no_host.out;
}

// gen-traffic writes a capture of packets aimed at every rule (both families of the seed): read
// back by --pcap with its origins, every rule of both rulesets counts at least one packet, and
// nothing is skipped or malformed. The boundary packets are the SSH rule's neighbours (ports 21
// and 23) in each family: 406 packets without them, 410 with.
TEST(FwbenchGenTraffic, EveryRuleOfTheSeedCountsItsPackets) {
    const std::string seed = env("FWBENCH_SOURCE") + "/traces/seed/";
    const std::string capture = testing::TempDir() + "gen_traffic_seed.pcap";
    const std::string inputs = "--rules " + seed + "rules.v4 --rules6 " + seed + "rules.v6 --host " + seed + "host.json";
    const Result gen = run("gen-traffic " + inputs + " -o " + capture);
    ASSERT_EQ(gen.status, 0) << gen.out << gen.err;
    EXPECT_NE(gen.out.find("gen-traffic: 410 packets to " + capture + " (408 from the wire, 2 the host's own)"), std::string::npos) << gen.out;
    const Result bare = run("gen-traffic " + inputs + " -o " + capture + ".bare --no-boundaries");
    EXPECT_NE(bare.out.find("gen-traffic: 406 packets"), std::string::npos) << bare.out;
    const Result read = run("--pcap " + capture + " " + inputs + " --counters -");
    ASSERT_EQ(read.status, 0) << read.out << read.err;
    EXPECT_NE(read.err.find("packets: 410"), std::string::npos) << read.err;
    EXPECT_EQ(read.err.find("skipped"), std::string::npos) << read.err;
    EXPECT_EQ(read.err.find("malformed"), std::string::npos) << read.err;
    int rules = 0;
    std::istringstream lines(read.out);
    for (std::string line; std::getline(lines, line);) {
        if (line.find("] -A ") == std::string::npos) continue;
        ++rules;
        EXPECT_NE(line.rfind("[0:", 0), 0u) << "a rule no generated packet reached: " << line;
    }
    EXPECT_EQ(rules, 6) << read.out;  // three in each family

    // The kernel, given the same capture, agrees per family, packet by packet.
    if (geteuid() != 0) FWBENCH_CANNOT_RUN("kernel-check needs root for network namespaces");
    const Result check = run("kernel-check --pcap " + capture + " " + inputs);
    EXPECT_EQ(check.status, 0) << check.out << check.err;
    EXPECT_NE(check.out.find("205 packets replayed into the kernel (iptables-nft) and 205 IPv6 packets into another"), std::string::npos)
        << check.out;
    std::size_t agree = 0;
    for (std::size_t at = 0; (at = check.out.find("agree on every rule and policy counter", at)) != std::string::npos; ++at) ++agree;
    EXPECT_EQ(agree, 2u) << check.out;
}

// A comparison's counterexamples carried into a capture: the seed against its fix differs in one
// region, whose packet (the router's own SSH to its WAN address) gen-traffic adds.
TEST(FwbenchGenTraffic, ACompareReportsDifferencesJoinTheCapture) {
    const std::string seed = env("FWBENCH_SOURCE") + "/traces/seed/";
    std::stringstream text;
    text << std::ifstream(seed + "rules.v4").rdbuf();
    std::string fixed = text.str();
    const std::string lo = "-A INPUT -s 127.0.0.0/8 -i lo -j ACCEPT\n";
    fixed.replace(fixed.find(lo), lo.size(), "-A INPUT -i lo -j ACCEPT\n");
    const std::string fixed_path = testing::TempDir() + "gen_fixed.v4", report = testing::TempDir() + "gen_compare.json";
    std::ofstream(fixed_path) << fixed;
    const Result cmp =
        run("compare --no-traffic --host " + seed + "host.json --rules " + seed + "rules.v4 --rules " + fixed_path + " --json " + report);
    EXPECT_EQ(cmp.status, 1) << cmp.out << cmp.err;
    const std::string capture = testing::TempDir() + "gen_with_compare.pcap";
    const Result gen = run("gen-traffic --rules " + seed + "rules.v4 --host " + seed + "host.json --no-boundaries --random-packets 0 -o " + capture +
                           " --add-compare " + report);
    ASSERT_EQ(gen.status, 0) << gen.out << gen.err;
    EXPECT_NE(gen.out.find("with 1 packets of the differences in " + report), std::string::npos) << gen.out;
    const Result explain = run("explain --rules " + seed + "rules.v4 --host " + seed + "host.json --pcap " + capture + " 3");
    EXPECT_NE(explain.out.find("capture packet 3 on lo (local): tcp 203.0.113.1:40000 > 203.0.113.1:22"), std::string::npos) << explain.out;
    EXPECT_NE(explain.out.find("fate: dropped by filter INPUT rule 3"), std::string::npos) << explain.out;
}

TEST(FwbenchExplain, TcpWithoutFlagsIsASyn) {
    const std::string rules = write_temp("fwbench_invalid_drop.v4",
                                         "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m conntrack --ctstate INVALID -j DROP\n"
                                         "-A INPUT -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT\nCOMMIT\n");
    const std::string args = "explain --rules " + rules + " --host " + env("FWBENCH_SOURCE") + "/traces/seed/host.json ";
    Result syn = run(args + "'tcp 198.51.100.7:40000 > 203.0.113.1:22 in wan1'");
    ASSERT_EQ(syn.status, 0) << syn.err;
    EXPECT_NE(syn.out.find("fate: delivered"), std::string::npos) << syn.out;
    Result none = run(args + "'tcp 198.51.100.7:40000 > 203.0.113.1:22 in wan1 flags='");
    ASSERT_EQ(none.status, 0) << none.err;
    EXPECT_NE(none.out.find("fate: dropped by filter INPUT rule 1"), std::string::npos) << none.out;
    Result help = run("explain --help");
    EXPECT_EQ(help.status, 0);
    EXPECT_NE(help.out.find("flags=FSRPAUEC  TCP flags (default: S"), std::string::npos) << help.out;
}

// --log writes what LOG rules write to the kernel log, from the captured bytes (the IP ID, the
// flags) and the packet at the rule (TTL decremented in FORWARD, the mark set before it). The
// expected lines are the kernel's format (tests/kernel_log_test.cpp holds fwbench's formatter to
// the kernel's own lines); a capture without link headers shows '??' where the MAC bytes were.
TEST(FwbenchPerPacket, LogLinesAreTheKernelsFromTheCapturedBytes) {
    const std::string rules = write_temp("fwbench_log.v4",
                                         "*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                                         ":POSTROUTING ACCEPT [0:0]\n-A FORWARD -j MARK --set-xmark 0x10/0xffffffff\nCOMMIT\n"
                                         "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                                         "-A INPUT -p tcp -m tcp --dport 22 -j LOG --log-prefix \"ssh: \"\n"
                                         "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n"
                                         "-A FORWARD -j LOG --log-prefix \"fwd: \" --log-level 6\n"
                                         "-A FORWARD -j NFLOG --nflog-prefix \"nf \" --nflog-group 5\n"
                                         "-A FORWARD -i lan0 -j ACCEPT\nCOMMIT\n");
    const std::string capture = testing::TempDir() + "fwbench_log.pcapng";
    {
        fwbench::Packet ssh = fwbench::parse_packet_description("tcp 198.51.100.7:1000 > 203.0.113.1:22 flags=S").packet;
        ssh.ip_id = 7;
        fwbench::Packet dns = fwbench::parse_packet_description("udp 192.0.2.50:4000 > 198.51.100.7:53 ttl=64").packet;
        dns.ip_id = 8;
        const fwbench::MacAddr peer{{0x02, 0xaa, 0, 0, 0, 0x07}}, wan1{{0x02, 0x00, 0x5e, 0x00, 0x01, 0x01}};
        std::vector<fwbench::CaptureFrame> frames = {
            {1700000000000000000ull, fwbench::ethernet_frame(peer, wan1, fwbench::build_ipv4(ssh)), 0, fwbench::Direction::inbound, 0},
            {1700000000001000000ull, fwbench::build_ipv4(dns), 1, fwbench::Direction::inbound, 0}};
        write_capture(capture, {{fwbench::linktype::ethernet, "wan1"}, {fwbench::linktype::raw, "lan0"}}, frames);
    }
    const std::string args = "--rules " + rules + " --host " + env("FWBENCH_SOURCE") + "/traces/seed/host.json --pcap " + capture;
    Result r = run(args + " --log -");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out,
              "ssh: IN=wan1 OUT= MAC=02:00:5e:00:01:01:02:aa:00:00:00:07:08:00 SRC=198.51.100.7 DST=203.0.113.1 LEN=60 TOS=0x00 PREC=0x00 "
              "TTL=64 ID=7 DF PROTO=TCP SPT=1000 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0 \n"
              "fwd: IN=lan0 OUT=wan1 MAC=??:??:??:??:??:??:??:??:??:??:??:??:08:00 SRC=192.0.2.50 DST=198.51.100.7 LEN=60 TOS=0x00 "
              "PREC=0x00 TTL=63 ID=8 DF PROTO=UDP SPT=4000 DPT=53 LEN=40 MARK=0x10 \n"
              "nflog group 5: nf IN=lan0 OUT=wan1 MAC=??:??:??:??:??:??:??:??:??:??:??:??:08:00 SRC=192.0.2.50 DST=198.51.100.7 LEN=60 "
              "TOS=0x00 PREC=0x00 TTL=63 ID=8 DF PROTO=UDP SPT=4000 DPT=53 LEN=40 MARK=0x10 \n");
    EXPECT_NE(r.err.find("log lines: 3\n    2 of them show '\?\?' in MAC="), std::string::npos) << r.err;

    Result p = run(args + " -q --packets -");
    ASSERT_EQ(p.status, 0) << p.err;
    std::istringstream lines(p.out);
    std::string first;
    std::getline(lines, first);
    EXPECT_EQ(nlohmann::json::parse(first)["log"], nlohmann::json::array({"ssh: IN=wan1 OUT= MAC=02:00:5e:00:01:01:02:aa:00:00:00:07:08:00 "
                                                                          "SRC=198.51.100.7 DST=203.0.113.1 LEN=60 TOS=0x00 PREC=0x00 "
                                                                          "TTL=64 ID=7 DF PROTO=TCP SPT=1000 DPT=22 WINDOW=64240 RES=0x00 "
                                                                          "SYN URGP=0 "}));

    // explain shows each line under the rule that wrote it: a capture's packet with its bytes, a
    // described one with fwbench's defaults (and says so).
    Result e = run("explain --rules " + rules + " --host " + env("FWBENCH_SOURCE") + "/traces/seed/host.json --pcap " + capture +
                   " 0 'tcp 203.0.113.1:1000 > 203.0.113.1:22 from local'");
    ASSERT_EQ(e.status, 0) << e.err;
    EXPECT_NE(e.out.find("          matched -> LOG\n          logs: ssh: IN=wan1 OUT= MAC=02:00:5e:00:01:01:02:aa:00:00:00:07:08:00 SRC=198.51.100.7 "
                         "DST=203.0.113.1 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=7 DF"),
              std::string::npos)
        << e.out;
    EXPECT_NE(e.out.find("logs: ssh: IN=lo OUT= MAC=00:00:00:00:00:00:00:00:00:00:00:00:08:00 SRC=203.0.113.1 DST=203.0.113.1 LEN=60"),
              std::string::npos)
        << e.out;
    EXPECT_NE(e.out.find("a described packet's IP ID, TCP sequence numbers and window are fwbench's defaults"), std::string::npos) << e.out;

    Result none = run("--rules " + write_temp("fwbench_nolog.v4", "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n") + " --host " + env("FWBENCH_SOURCE") +
                      "/traces/seed/host.json --pcap " + capture + " -q --log -");
    EXPECT_EQ(none.status, 0) << none.err;
    EXPECT_EQ(none.out, "");
    EXPECT_NE(none.err.find("no rule has a LOG or NFLOG target"), std::string::npos) << none.err;
    Result alone = run("--rules " + rules + " --log -");
    EXPECT_EQ(alone.status, 2) << alone.err;
    EXPECT_NE(alone.err.find("--log writes what LOG rules log for the packets of a capture: give --pcap"), std::string::npos) << alone.err;
}

}  // namespace

namespace {

struct UsageCase {
    const char* description;
    std::string args;
    int status;
    const char* out;  // in stdout ("" for none)
    const char* err;  // in stderr ("" for none)
};

// The command line behaves like its neighbours: usage errors exit 2 and point at the help,
// --version and help answer, and mismatches are said as what they are.
TEST(FwbenchCli, UsageAsOtherToolsHaveIt) {
    std::string version;  // as meson.build declares it
    {
        std::ifstream meson(env("FWBENCH_SOURCE") + "/meson.build");
        std::smatch m;
        for (std::string line; std::getline(meson, line);)
            if (std::regex_search(line, m, std::regex("version: '([^']+)'"))) {
                version = m[1];
                break;
            }
    }
    ASSERT_FALSE(version.empty());
    const std::string seed_rules = env("FWBENCH_SOURCE") + "/traces/seed/rules.v4";
    const UsageCase cases[] = {
        {"an unknown option", "--no-such-option", 2, "", "usage: fwbench [OPTIONS] | fwbench SUBCOMMAND"},
        {"an option without its value", "--rules", 2, "", "--rules"},
        {"a value outside the choices", "--rules " + seed_rules + " --engine fastest", 2, "", "fastest"},
        {"an unknown option of a subcommand", "kernel-check --legacy", 2, "", "fwbench SUBCOMMAND --help"},
        {"--version", "--version", 0, "", ""},
        {"help", "help", 0, "kernel-check", ""},
        {"--help", "--help", 0, "dump-host", ""},
        {"--family 6 on an IPv4 file", "--rules " + seed_rules + " --family 6", 2, "", "is an IPv4 ruleset (iptables-save output)"},
        {"--rules alone", "--rules " + seed_rules, 0, "no packets given", ""},
    };
    for (const auto& c : cases) {
        Result r = run(c.args);
        EXPECT_EQ(r.status, c.status) << c.description << "\n" << r.out << r.err;
        EXPECT_NE(r.out.find(c.out), std::string::npos) << c.description << ": " << r.out;
        EXPECT_NE(r.err.find(c.err), std::string::npos) << c.description << ": " << r.err;
    }
    EXPECT_EQ(run("--version").out, "fwbench " + version + "\n");
    EXPECT_EQ(run("--rules " + seed_rules).out.find("engine "), std::string::npos) << "an engine table over no packets";
}

}  // namespace
