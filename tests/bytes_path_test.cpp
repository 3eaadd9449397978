// The packet-path fixture cases whose packets carry their bytes (payload=, for -m string and -m u32): their
// fates and counters, through both engines, with each described datagram built as the kernel
// oracle sends it (described_datagrams.hpp) and read through the capture floor's DatagramRewriter.
#include <gtest/gtest.h>

#include <cctype>
#include <stdexcept>
#include <string>

#include "described_datagrams.hpp"
#include "fwbench/packet_description.hpp"
#include "path_case_check.hpp"
#include "path_cases.hpp"
#include "path_cases6.hpp"

namespace fwbench {
namespace {

using test::PathCase;

void expect_case(const PathCase& c, const std::string& host_json, Family family) {
    test::DescribedDatagrams datagrams;  // outlives both engines' walks
    test::expect_fates_and_counters(
        c, host_json, family, [&](const std::string& d) { return datagrams.packet(parse_packet_description(d)); },
        [&](PathState& st) { datagrams.attach(st); });
}

class BytesPathFixture : public ::testing::TestWithParam<PathCase> {};
TEST_P(BytesPathFixture, FatesAndCounters) { expect_case(GetParam(), test::path_case_host_json(GetParam()), Family::ipv4); }
class BytesPath6Fixture : public ::testing::TestWithParam<PathCase> {};
TEST_P(BytesPath6Fixture, FatesAndCounters) { expect_case(GetParam(), test::path_case6_host_json(GetParam()), Family::ipv6); }

std::string case_name(const ::testing::TestParamInfo<PathCase>& info) {
    std::string n;
    for (const char* p = info.param.name; *p && n.size() < 60; ++p) n += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
    return std::to_string(info.index) + "_" + n;
}

INSTANTIATE_TEST_SUITE_P(Items, BytesPathFixture, ::testing::ValuesIn(test::cases_carrying_bytes(test::path_cases, true)), case_name);
INSTANTIATE_TEST_SUITE_P(Ipv6, BytesPath6Fixture, ::testing::ValuesIn(test::cases_carrying_bytes(test::path_cases6, true)), case_name);

// Without its bytes a packet meets -m string, -m u32 or -m bpf (each fixture's rules in turn)
// refused by name (the path suite's packets have none): the hook's tables are not walked,
// nothing is counted.
const PathCase& case_named(const std::string& prefix) {
    for (const PathCase& c : test::path_cases)
        if (std::string(c.name).rfind(prefix, 0) == 0) return c;
    throw std::runtime_error("no path fixture named " + prefix);
}

TEST(BytesPath, APacketWithoutItsBytesIsRefusedWhereAMatchWouldReadThem) {
    // The fixtures whose rules read bytes in PREROUTING, where a forwarded packet meets them.
    for (const PathCase& c : {case_named("string:"), case_named("u32:"), case_named("bpf:")}) {
        SCOPED_TRACE(c.name);
        const Host host = Host::from_json(test::path_case_host_json(c), "router.json");
        RulesetParseOptions opt;
        const Ruleset rs = parse_ruleset(c.rules, opt);
        PacketPath path(rs, host);
        test::DescribedDatagrams datagrams;
        for (bool attached : {false, true}) {
            PathState st(rs, EngineOptions{}, host.sysctl());
            if (attached) datagrams.attach(st);
            const PacketDescription d = parse_packet_description("udp 198.51.100.7:5000 > 192.0.2.50:53 in wan1");
            const PathResult r = path.process(d.packet, Origin::wire, st);
            EXPECT_EQ(r.fate, Fate::dropped);
            EXPECT_EQ(r.reason, DropReason::not_modelled);
            EXPECT_EQ(r.detail.why, DropWhy::bytes_unknown);
            EXPECT_TRUE(r.walks.empty());
            // With its bytes it goes through.
            const PathResult with =
                path.process(datagrams.packet(parse_packet_description("udp 198.51.100.7:5000 > 192.0.2.50:53 in wan1 payload=x")), Origin::wire, st);
            EXPECT_EQ(with.fate, attached ? Fate::forwarded : Fate::dropped);
        }
    }
}

// The host's answers are walked with the bytes the kernel writes for them: a reset is all fields,
// so it has them even when the segment it answers came without; an ICMP error quotes its cause,
// so without the cause's bytes its walk of OUTPUT (where the fixture's rules read bytes) is
// refused by name. The results keep no answer's bytes: they lasted only while it was walked.
TEST(BytesPath, AnAnswerIsWalkedWithTheBytesTheKernelWritesForIt) {
    const PathCase& c = case_named("bytes: REJECT's answers");
    const Host host = Host::from_json(test::path_case_host_json(c), "router.json");
    const Ruleset rs = parse_ruleset(c.rules, RulesetParseOptions{});
    PacketPath path(rs, host);
    test::DescribedDatagrams datagrams;
    PathState st(rs, EngineOptions{}, host.sysctl());
    datagrams.attach(st);
    struct Row {
        const char* packet;
        Fate answer_fate;
        DropWhy answer_why;
    };
    const Row rows[] = {
        {"tcp 198.51.100.7:40000 > 203.0.113.1:23 in wan1 flags=S", Fate::sent, DropWhy::none},
        {"tcp 198.51.100.7:40001 > 203.0.113.1:23 in wan1 flags=S payload=x", Fate::sent, DropWhy::none},
        {"udp 198.51.100.7:5000 > 203.0.113.1:53 in wan1", Fate::dropped, DropWhy::bytes_unknown},
        {"udp 198.51.100.7:5001 > 203.0.113.1:53 in wan1 payload=hello", Fate::sent, DropWhy::none},
    };
    for (const Row& row : rows) {
        SCOPED_TRACE(row.packet);
        const PathResult r = path.process(datagrams.packet(parse_packet_description(row.packet)), Origin::wire, st);
        EXPECT_EQ(r.fate, Fate::rejected);
        ASSERT_EQ(r.answers.size(), 1u);
        EXPECT_EQ(r.answers[0].fate, row.answer_fate);
        EXPECT_EQ(r.answers[0].detail.why, row.answer_why);
        EXPECT_TRUE(r.answers[0].packet.bytes.empty());
    }
}

}  // namespace
}  // namespace fwbench
