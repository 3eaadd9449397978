// The packet-path fixture cases whose packets carry their bytes (payload=, for -m string and -m u32): their
// fates and counters, through both engines, with each described datagram built as the kernel
// oracle sends it (described_datagrams.hpp) and read through the capture floor's DatagramRewriter.
#include <gtest/gtest.h>

#include <cctype>
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
TEST(BytesPath, APacketWithoutItsBytesIsRefusedWhereAMatchWouldReadThem) {
    const std::vector<PathCase> cases = test::cases_carrying_bytes(test::path_cases, true);
    ASSERT_EQ(cases.size(), 3u);  // string, u32, bpf
    for (const PathCase& c : cases) {
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

}  // namespace
}  // namespace fwbench
