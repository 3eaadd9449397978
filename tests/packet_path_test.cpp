// The packet path, one fixture table: a host, a ruleset, packets with their origin, the fate of
// each (with the drop reason or deciding rule) and every non-zero counter afterwards. Each
// kernel-semantics.md item has at least one case (named "item N: ...").
//
// packets: "wire PACKET" (arrives on the in= interface) or "local PACKET" (sent by a socket
// here; src 0.0.0.0 lets routing choose). PACKET is tests/packet_dsl notation.
// fates:   FATE[:REASON][@table:CHAIN:N] per packet; FATE delivered|forwarded|sent|dropped|
//          rejected; REASON a DropReason name; N 1-based, 0 = policy (the deciding walk).
// counters: "table:CHAIN:N=packets" (N or P for the policy); every other counter must be 0.

#include <gtest/gtest.h>

#include <sstream>

#include "fwbench/compiled_engine.hpp"
#include "fwbench/packet_path.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "fwbench/walk_cost.hpp"
#include "packet_dsl.hpp"
#include "path_case_check.hpp"
#include "path_cases.hpp"
#include "path_cases6.hpp"
#include "path_fixtures.hpp"

namespace fwbench {
namespace {

using test::PathCase;
const std::vector<PathCase>& cases = test::path_cases;

class PathFixture : public ::testing::TestWithParam<PathCase> {};
const auto headers_alone = [](const std::string& d) { return test::packet(d); };
const auto no_bytes = [](PathState&) {};
TEST_P(PathFixture, FatesAndCounters) {
    test::expect_fates_and_counters(GetParam(), test::path_case_host_json(GetParam()), Family::ipv4, headers_alone, no_bytes);
}

class Path6Fixture : public ::testing::TestWithParam<PathCase> {};
TEST_P(Path6Fixture, FatesAndCounters) {
    test::expect_fates_and_counters(GetParam(), test::path_case6_host_json(GetParam()), Family::ipv6, headers_alone, no_bytes);
}

std::string case_name(const ::testing::TestParamInfo<PathCase>& info) {
    std::string n;
    for (const char* p = info.param.name; *p && n.size() < 60; ++p) n += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
    return std::to_string(info.index) + "_" + n;
}

// The cases whose packets carry bytes run in the capture suite (bytes_path_test.cpp).
INSTANTIATE_TEST_SUITE_P(Items, PathFixture, ::testing::ValuesIn(test::cases_carrying_bytes(cases, false)), case_name);
INSTANTIATE_TEST_SUITE_P(Ipv6, Path6Fixture, ::testing::ValuesIn(test::cases_carrying_bytes(test::path_cases6, false)), case_name);

// A device without the UP flag is not running: the kernel's stack never sees what reaches it
// (no PREROUTING), as the real-ruleset oracle run with the sqrl_shorewall `ip addr` dump showed.
TEST(PacketPathDevices, NothingArrivesOnADownInterface) {
    Host host = Host::from_json(R"([{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP"],"link_type":"loopback",
        "addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8}]},
      {"ifindex":2,"ifname":"up0","flags":["BROADCAST","UP"],"addr_info":[{"family":"inet","local":"192.0.2.1","prefixlen":24}]},
      {"ifindex":3,"ifname":"down0","flags":["BROADCAST"],"addr_info":[{"family":"inet","local":"198.51.100.1","prefixlen":24}]}])",
                                "devices.json");
    Ruleset rs = parse_ruleset("*raw\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n", {});
    PacketPath path(rs, host);
    PathState st(rs, EngineOptions{}, host.sysctl());
    Packet on_up = test::packet("udp 192.0.2.9:1000 > 192.0.2.1:53 in=up0");
    Packet on_down = test::packet("udp 198.51.100.9:1000 > 198.51.100.1:53 in=down0");
    EXPECT_EQ(path.process(on_up, Origin::wire, st).fate, Fate::delivered);
    PathResult r = path.process(on_down, Origin::wire, st);
    EXPECT_EQ(r.fate, Fate::dropped);
    EXPECT_EQ(r.reason, DropReason::interface_down);
    EXPECT_TRUE(r.walks.empty()) << "PREROUTING must not see it";
}

// NAT with no address to map to drops the packet (the target's NF_DROP), its rule counted:
// REDIRECT on an arrival device without an address (nf_nat_redirect_ipv4); MASQUERADE when no
// device has an address of global scope ("ate my IP address"). MASQUERADE out of a device without
// one takes another device's, as inet_select_addr does (lan0's here, the first in order).
TEST(PacketPathNat, NatWithoutAnAddressToMapToDrops) {
    const auto host_with = [](const char* lan_scope) {
        return Host::from_json(std::string(R"({"addr":[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP"],"link_type":"loopback",
        "addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8,"scope":"host"}]},
      {"ifindex":2,"ifname":"lan0","flags":["BROADCAST","UP"],"addr_info":[{"family":"inet","local":"192.0.2.1","prefixlen":24,"scope":")") +
                                   lan_scope + R"("}]},
      {"ifindex":3,"ifname":"ppp0","flags":["POINTOPOINT","UP"],"addr_info":[]}],
     "route":[{"dst":"198.51.100.0/24","dev":"ppp0"},{"dst":"192.0.2.0/24","dev":"lan0","prefsrc":"192.0.2.1"}],
     "sysctl":{"ip_forward":1}})",
                               "ppp.json");
    };
    Ruleset rs = parse_ruleset(
        "*nat\n:PREROUTING ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A PREROUTING -i ppp0 -p tcp -j REDIRECT --to-ports 3128\n"
        "-A POSTROUTING -o ppp0 -j MASQUERADE\nCOMMIT\n",
        {});
    const Table& nat = rs.tables[0];
    ASSERT_EQ(nat.name, "nat");
    for (const char* scope : {"global", "link"}) {
        SCOPED_TRACE(std::string("lan0's address of scope ") + scope);
        const Host host = host_with(scope);
        PacketPath path(rs, host);
        PathState st(rs, EngineOptions{}, host.sysctl());
        const PathResult out = path.process(test::packet("udp 192.0.2.9:1000 > 198.51.100.7:53 in=lan0"), Origin::wire, st);
        if (std::string(scope) == "global") {
            EXPECT_EQ(out.fate, Fate::forwarded);
            EXPECT_EQ(format_ip(out.final_packet.src), "192.0.2.1");
        } else {
            EXPECT_EQ(out.fate, Fate::dropped);
            EXPECT_EQ(out.reason, DropReason::netfilter);
        }
        const PathResult redirected = path.process(test::packet("tcp 198.51.100.7:1000 > 192.0.2.1:80 in=ppp0 flags=S"), Origin::wire, st);
        EXPECT_EQ(redirected.fate, Fate::dropped);
        EXPECT_EQ(redirected.reason, DropReason::netfilter);
        const auto counter = [&](const char* chain) { return st.engine.rule(0, static_cast<std::size_t>(nat.find_chain(chain)), 0).packets; };
        EXPECT_EQ(counter("POSTROUTING"), 1u);
        EXPECT_EQ(counter("PREROUTING"), 1u);
    }
}

// The IPv6 router of path_cases6.hpp, forwarding, and an ip6tables ruleset for it.
Host forwarding_router6() { return Host::from_json(test::path_case6_host_json({"", test::forwarding6_on, "", {}, "", ""}), "router6.json"); }
Ruleset parse_ruleset6(const std::string& text) {
    RulesetParseOptions opt;
    opt.family = Family::ipv6;
    return parse_ruleset(text, opt);
}

// A packet one of the ruleset's header matches cannot read (the kernel would drop it at that
// rule: hotdrop, not modelled) is refused as not_modelled, named; a ruleset without such a match
// takes it. Each row: the rules' one match, a packet, and whether it is refused.
TEST(PacketPathHotdrop, PacketsAHeaderMatchCannotReadAreRefused) {
    const Host host = forwarding_router6();
    const std::string mh_bad = "mh [2001:db8:9::7] > [2001:db8:2::50] in=wan1 mhtype=5 mhproto=6";
    const std::string udp = "udp [2001:db8:9::7]:5000 > [2001:db8:2::50]:53 in=wan1";
    const struct {
        const char* match;
        std::string packet;
        void (*damage)(Packet&);
        bool refused;
    } rows[] = {
        {"-p mh -m mh --mh-type 5", mh_bad, nullptr, true},  // ip6t_mh: payload proto not "none"
        {"-p esp", mh_bad, nullptr, false},
        {"-m dst", udp + " ext=dst", [](Packet& p) { p.dest_options.overrun = true; }, true},
        {"-m hbh", udp + " ext=dst", [](Packet& p) { p.dest_options.overrun = true; }, false},  // its header is fine
        {"-m frag", udp + " ext=dst", [](Packet& p) { p.ext_headers_cut = true; }, true},
        {"-p esp -m esp --espspi 1", "esp [2001:db8:9::7] > [2001:db8:2::50] in=wan1", [](Packet& p) { p.l4_present = false; }, true},
        {"-m ah --ahspi 1", udp + " ahspi=1", [](Packet& p) { p.ah.cut = true; }, true},
        {"-m ah --ahspi 1", udp + " ahspi=2", nullptr, false},
        // xt_sctp: a chunk header of length 0 (or none at all) where the walk reads it.
        {"-p sctp -m sctp --chunk-types any DATA", "sctp [2001:db8:9::7]:1 > [2001:db8:2::50]:2 in=wan1 chunks=INIT,LEN0", nullptr, true},
        {"-p sctp -m sctp --chunk-types any DATA", "sctp [2001:db8:9::7]:1 > [2001:db8:2::50]:2 in=wan1 chunks=LEN0", nullptr, true},
        {"-p sctp -m sctp --dport 2", "sctp [2001:db8:9::7]:1 > [2001:db8:2::50]:2 in=wan1 chunks=LEN0", nullptr, false},
        {"-p sctp -m sctp --chunk-types any DATA", "sctp [2001:db8:9::7]:1 > [2001:db8:2::50]:2 in=wan1 chunks=INIT", nullptr, false},
        {"-p sctp -m sctp --chunk-types any DATA", "sctp [2001:db8:9::7]:1 > [2001:db8:2::50]:2 in=wan1 chunks=INIT",
         [](Packet& p) { p.sctp_chunks.overflow = true; }, true},
        // xt_dccp: options it cannot walk drop the packet under --dccp-option only.
        {"-p dccp -m dccp --dccp-option 5", "dccp [2001:db8:9::7]:1 > [2001:db8:2::50]:2 in=wan1", [](Packet& p) { p.dccp_options_bad = true; },
         true},
        {"-p dccp -m dccp --dccp-types DATA", "dccp [2001:db8:9::7]:1 > [2001:db8:2::50]:2 in=wan1", [](Packet& p) { p.dccp_options_bad = true; },
         false},
        {"-p dccp -m dccp --dccp-types DATA", "dccp [2001:db8:9::7]:1 > [2001:db8:2::50]:2 in=wan1", [](Packet& p) { p.l4_present = false; }, true},
        {"-p dccp -m dccp --dccp-option 5", "dccp [2001:db8:9::7]:1 > [2001:db8:2::50]:2 in=wan1 dccpopts=5", nullptr, false},
    };
    for (const auto& r : rows) {
        SCOPED_TRACE(std::string(r.match) + " on " + r.packet);
        const Ruleset rs = parse_ruleset6(std::string("*mangle\n-A PREROUTING ") + r.match + "\nCOMMIT\n");
        PacketPath path(rs, host);
        PathState st(rs, EngineOptions{}, host.sysctl());
        Packet p = test::packet(r.packet);
        if (r.damage) r.damage(p);
        const PathResult res = path.process(p, Origin::wire, st);
        if (r.refused) {
            EXPECT_EQ(res.fate, Fate::dropped);
            EXPECT_EQ(res.reason, DropReason::not_modelled);
            EXPECT_EQ(res.detail.why, DropWhy::header_match_hotdrop);
            EXPECT_TRUE(res.walks.empty()) << "no rule may see it";
        } else {
            EXPECT_EQ(res.fate, Fate::forwarded);
        }
    }
}

// One packet from wan1 through a forwarding router whose mangle PREROUTING holds `rule`: refused
// before any rule sees it (not_modelled, for `why`), or forwarded.
void expect_refused_or_forwarded(const std::string& rule, const char* packet, bool refused, DropWhy why) {
    const Host host = Host::from_json(test::path_case_host_json({"", "\"ip_forward\":1", "", {}, "", "", nullptr, nullptr}), "router.json");
    RulesetParseOptions opt;
    const Ruleset rs = parse_ruleset("*mangle\n-A PREROUTING " + rule + "\nCOMMIT\n", opt);
    PacketPath path(rs, host);
    PathState st(rs, EngineOptions{}, host.sysctl());
    const PathResult res = path.process(test::packet(packet), Origin::wire, st);
    if (refused) {
        EXPECT_EQ(res.reason, DropReason::not_modelled);
        EXPECT_EQ(res.detail.why, why);
        EXPECT_TRUE(res.walks.empty()) << "no rule may see it";
    } else {
        EXPECT_EQ(res.fate, Fate::forwarded);
    }
}

// hashlimit hashing ports reads them at proto_ports_offset of whatever the packet carries: a later
// fragment's payload, the two bytes after IPComp's header (as a destination port), or a header cut
// short (a hotdrop). Those packets are refused before any rule sees them; what it can read is not.
TEST(PacketPathHashlimit, PortsItCannotReadAreRefused) {
    struct Row {
        const char* mode;
        const char* packet;
        bool refused;
    };
    const Row rows[] = {
        {"dstport", "udp 198.51.100.7:1 > 192.0.2.50:2 in=wan1 fragoff=1480 fragid=5 len=100", true},
        {"srcip,srcport", "esp 198.51.100.7 > 192.0.2.50 in=wan1 fragoff=1480 fragid=5 len=100", true},
        {"dstport", "ipcomp 198.51.100.7 > 192.0.2.50 in=wan1 cpi=300", true},
        {"srcport", "ipcomp 198.51.100.7 > 192.0.2.50 in=wan1 cpi=300", false},
        {"dstport", "icmp 198.51.100.7 > 192.0.2.50 in=wan1 type=8 frag=1", false},  // no ports: 0, fragment or not
        {"srcip", "udp 198.51.100.7:1 > 192.0.2.50:2 in=wan1 fragoff=1480 fragid=5 len=100", false},  // no port mode
        {"dstport", "esp 198.51.100.7 > 192.0.2.50 in=wan1 espspi=7", false},
    };
    for (const auto& r : rows) {
        SCOPED_TRACE(std::string(r.mode) + " on " + r.packet);
        expect_refused_or_forwarded(std::string("-m hashlimit --hashlimit-upto 1/hour --hashlimit-mode ") + r.mode + " --hashlimit-name h", r.packet,
                                    r.refused, DropWhy::header_match_hotdrop);
    }
}

// HMARK reads the 32 bits at IPComp's ports offset: its CPI and the two bytes after its header,
// which no packet record keeps. A packet whose hash would read them is refused before any rule
// sees it; one whose ports' mask leaves them out, or hashed by its connection, is not.
TEST(PacketPathHmark, IpcompBytesPastTheHeaderAreRefused) {
    struct Row {
        const char* target;
        const char* packet;
        bool refused;
    };
    const Row rows[] = {
        {"--hmark-tuple dport", "ipcomp 198.51.100.7 > 192.0.2.50 in=wan1 cpi=300", true},
        {"--hmark-tuple spi", "ipcomp 198.51.100.7 > 192.0.2.50 in=wan1 cpi=300", true},
        {"--hmark-tuple sport", "ipcomp 198.51.100.7 > 192.0.2.50 in=wan1 cpi=300", false},
        {"--hmark-tuple ct,dport", "ipcomp 198.51.100.7 > 192.0.2.50 in=wan1 cpi=300", false},
        {"--hmark-tuple dport", "udp 198.51.100.7:1 > 192.0.2.50:2 in=wan1", false},
    };
    for (const auto& r : rows) {
        SCOPED_TRACE(std::string(r.target) + " on " + r.packet);
        expect_refused_or_forwarded(std::string("-j HMARK ") + r.target + " --hmark-rnd 1 --hmark-mod 4", r.packet, r.refused,
                                    DropWhy::hmark_unkept_bytes);
    }
}

// xt_cluster turns a frame sent to a multicast link-layer address but a unicast IP address into
// one for the host (pkt_type PACKET_HOST) when a walk reaches it: refused before any rule sees it.
TEST(PacketPathCluster, AMulticastFrameToAUnicastAddressIsRefused) {
    const Host host = Host::from_json(test::path_case_host_json({"", "\"ip_forward\":1", "", {}, "", "", nullptr, nullptr}), "router.json");
    struct Row {
        const char* packet;
        bool refused;
    };
    const Row rows[] = {
        {"udp 198.51.100.7:1 > 192.0.2.50:2 in=wan1 pkttype=multicast", true},
        {"udp 198.51.100.7:1 > 192.0.2.50:2 in=wan1", false},
        {"udp 198.51.100.7:1 > 192.0.2.50:2 in=wan1 pkttype=broadcast", false},
    };
    const Ruleset rs = parse_ruleset(
        "*mangle\n-A PREROUTING -m cluster --cluster-total-nodes 2 --cluster-local-node 1 --cluster-hash-seed 1\nCOMMIT\n", RulesetParseOptions{});
    for (const auto& r : rows) {
        SCOPED_TRACE(r.packet);
        PacketPath path(rs, host);
        PathState st(rs, EngineOptions{}, host.sysctl());
        const PathResult res = path.process(test::packet(r.packet), Origin::wire, st);
        EXPECT_EQ(res.reason == DropReason::not_modelled && res.detail.why == DropWhy::cluster_pkttype, r.refused);
        EXPECT_EQ(res.walks.empty(), r.refused) << "no rule may see a refused packet; the others pass PREROUTING";
    }
}

// ip6t_NPT adjusts the first word past a prefix longer than 48 bits that is not 0xffff; an
// address whose four are all 0xffff after the translation cannot be adjusted, and the kernel drops
// it with an ICMPv6 parameter problem, which fwbench does not predict: refused before any rule
// sees it, where such a target could run (DNPT: PREROUTING and OUTPUT).
TEST(PacketPathNpt, AnAddressNoWordCanAdjustIsRefused) {
    const Host host = forwarding_router6();
    struct Row {
        const char* packet;
        bool refused;
    };
    const Row rows[] = {
        {"udp [2001:db8:9::7]:1 > [2001:db8:a:0:ffff:ffff:ffff:ffff]:2 in=wan1", true},
        {"udp [2001:db8:9::7]:1 > [2001:db8:a:0:ffff:ffff:ffff:fffe]:2 in=wan1", false},
        {"udp [2001:db8:9::7]:1 > [2001:db8:a:0:fffe:ffff:ffff:ffff]:2 in=wan1", false},
    };
    RulesetParseOptions opt;
    opt.family = Family::ipv6;
    const Ruleset rs = parse_ruleset("*mangle\n-A PREROUTING -j DNPT --src-pfx 2001:db8:a::/64 --dst-pfx 2001:db8:2::/64\nCOMMIT\n", opt);
    for (const auto& r : rows) {
        SCOPED_TRACE(r.packet);
        PacketPath path(rs, host);
        PathState st(rs, EngineOptions{}, host.sysctl());
        const PathResult res = path.process(test::packet(r.packet), Origin::wire, st);
        if (r.refused) {
            EXPECT_EQ(res.reason, DropReason::not_modelled);
            EXPECT_EQ(res.detail.why, DropWhy::npt_unmappable);
            EXPECT_TRUE(res.walks.empty()) << "no rule may see it";
        } else {
            EXPECT_EQ(res.fate, Fate::forwarded);
        }
    }
}

// -j SYNPROXY's segments, one row per kind (the answered SYN and the segment that goes on are
// kernel-confirmed by the path fixtures): a client's ACK passes only with a valid SYN cookie, which
// the host's secret decides, so fwbench refuses it by name after counting the rules up to the
// target (either way the kernel ends its walk there); a SYN whose checksum an NPT broke is dropped
// (nf_ip6_checksum); an ACK with FIN is not the client's ACK and goes on.
TEST(PacketPathSynproxy, AClientsAckIsRefusedByNameAndABrokenChecksumDropped) {
    const Host host = forwarding_router6();
    struct Row {
        const char* packet;
        Fate fate;
        DropReason reason;
        DropWhy why;
    };
    const Row rows[] = {
        {"tcp [2001:db8:2::50]:40000 > [2001:db8:9::7]:443 in=lan0 flags=A", Fate::dropped, DropReason::not_modelled, DropWhy::synproxy_cookie},
        {"tcp [2001:db8:2::50]:40000 > [2001:db8:9::7]:443 in=lan0 flags=S", Fate::rejected, DropReason::netfilter, DropWhy::none},
        {"tcp [2001:db8:2::50]:40000 > [2001:db8:a::7]:443 in=lan0 flags=S", Fate::dropped, DropReason::netfilter, DropWhy::none},
        {"tcp [2001:db8:2::50]:40000 > [2001:db8:9::7]:443 in=lan0 flags=FA", Fate::forwarded, DropReason::none, DropWhy::none},
    };
    RulesetParseOptions opt;
    opt.family = Family::ipv6;
    // 2001:db8:a::7 is mapped into 2001:db8:2::/64 by a DNPT whose source prefix it is not in: its
    // checksum no longer verifies.
    const Ruleset rs = parse_ruleset(
        "*mangle\n-A PREROUTING -d 2001:db8:a::7 -j DNPT --src-pfx 2001:db8:b::/64 --dst-pfx 2001:db8:9::/64\nCOMMIT\n"
        "*filter\n-A FORWARD -p tcp -m tcp --dport 443 -j SYNPROXY --timestamp\n-A FORWARD -p tcp\nCOMMIT\n",
        opt);
    for (const auto& r : rows) {
        SCOPED_TRACE(r.packet);
        PacketPath path(rs, host);
        PathState st(rs, EngineOptions{}, host.sysctl());
        const PathResult res = path.process(test::packet(r.packet), Origin::wire, st);
        EXPECT_EQ(res.fate, r.fate);
        EXPECT_EQ(res.reason, r.reason);
        EXPECT_EQ(res.detail.why, r.why);
        EXPECT_EQ(res.answers.size(), r.fate == Fate::rejected ? 1u : 0u);
        EXPECT_EQ(res.checksum_assumed, r.fate == Fate::dropped && r.reason == DropReason::netfilter);
        EXPECT_EQ(res.walks.empty(), false) << "the rules up to the target are counted";
    }
}

// -j TEE's copy (nf_dup_ipv4) as the path sends it, one row per case: the packet as the TEE rule
// saw it, its TTL one lower when copied in PREROUTING (unchecked: 0 becomes 255) and not in
// POSTROUTING (after ip_forward's decrement), DF set; routed to the gateway (an --oif the host does
// not have restricts nothing); the packet goes on either way. What fwbench does not model is
// refused by name: a copy routed back to this host over lo, and one larger than its way out's MTU
// (lan0's is 1400).
TEST(PacketPathTee, TheCopyIsThePacketAsTheRuleSawIt) {
    const Host host = Host::from_json(test::path_case_host_json({"", "\"ip_forward\":1", "", {}, "", "", nullptr, nullptr}), "router.json");
    struct Row {
        const char* rule;
        const char* packet;
        bool df;  // the packet's own DF
        Fate copy_fate;
        const char* copy_out;
        int copy_ttl;  // -1: not sent
        DropReason copy_reason;
        DropWhy copy_why;
        Fate original = Fate::forwarded;
    };
    const Row rows[] = {
        {"-A PREROUTING -j TEE --gateway 192.0.2.9", "udp 192.0.2.50:1 > 198.51.100.7:2 in=lan0 ttl=10", true, Fate::sent, "lan0", 9,
         DropReason::none, DropWhy::none},
        {"-A PREROUTING -j TEE --gateway 192.0.2.9", "udp 192.0.2.50:1 > 198.51.100.7:2 in=lan0 ttl=10", false, Fate::sent, "lan0", 9,
         DropReason::none, DropWhy::none},
        {"-A PREROUTING -j TEE --gateway 192.0.2.9", "udp 192.0.2.50:1 > 198.51.100.7:2 in=lan0 ttl=0", true, Fate::sent, "lan0", 255,
         DropReason::none, DropWhy::none, Fate::dropped},
        {"-A POSTROUTING -j TEE --gateway 192.0.2.9", "udp 192.0.2.50:1 > 198.51.100.7:2 in=lan0 ttl=10", true, Fate::sent, "lan0", 9,
         DropReason::none, DropWhy::none},
        {"-A PREROUTING -j TEE --gateway 203.0.113.9 --oif lan9", "udp 192.0.2.50:1 > 198.51.100.7:2 in=lan0 ttl=10", true, Fate::sent, "wan1", 9,
         DropReason::none, DropWhy::none},
        {"-A PREROUTING -j TEE --gateway 198.51.100.40", "udp 192.0.2.50:1 > 198.51.100.7:2 in=lan0 ttl=10", true, Fate::dropped, "", -1,
         DropReason::route_unreachable, DropWhy::error_route},
        {"-A PREROUTING -j TEE --gateway 192.0.2.1", "udp 192.0.2.50:1 > 198.51.100.7:2 in=lan0 ttl=10", true, Fate::dropped, "", -1,
         DropReason::not_modelled, DropWhy::tee_copy_loops_back},
        {"-A PREROUTING -j TEE --gateway 192.0.2.9", "udp 192.0.2.50:1 > 198.51.100.7:2 in=lan0 len=1401", true, Fate::dropped, "", -1,
         DropReason::not_modelled, DropWhy::tee_copy_too_big},
        {"-A PREROUTING -j TEE --gateway 192.0.2.9", "udp 192.0.2.50:1 > 198.51.100.7:2 in=lan0 len=1400", true, Fate::sent, "lan0", 63,
         DropReason::none, DropWhy::none},
    };
    for (const auto& r : rows) {
        SCOPED_TRACE(std::string(r.rule) + " / " + r.packet + (r.df ? "" : " (no DF)"));
        const Ruleset rs = parse_ruleset(std::string("*mangle\n") + r.rule + "\nCOMMIT\n", RulesetParseOptions{});
        PacketPath path(rs, host);
        PathState st(rs, EngineOptions{}, host.sysctl());
        Packet p = test::packet(r.packet);
        p.df = r.df;
        const PathResult res = path.process(p, Origin::wire, st);
        EXPECT_EQ(res.fate, r.original) << "the packet goes on as it would without the copy";
        ASSERT_EQ(res.answers.size(), r.original == Fate::forwarded ? 1u : 2u) << "the copy (and time exceeded for TTL 0)";
        const PathResult::Answer& copy = res.answers[0];
        EXPECT_TRUE(copy.tee_copy);
        EXPECT_FALSE(copy.by_rule);
        EXPECT_EQ(copy.fate, r.copy_fate);
        EXPECT_EQ(copy.out_iface.view(), r.copy_out);
        if (r.copy_ttl >= 0) {
            EXPECT_EQ(copy.packet.ttl, r.copy_ttl);
            EXPECT_TRUE(copy.packet.df);
            EXPECT_EQ(copy.packet.dst, p.dst) << "the copy keeps its addresses: the gateway is only its next hop";
            EXPECT_EQ(copy.packet.src, p.src);
        }
        EXPECT_EQ(res.reason, r.original == Fate::forwarded ? DropReason::none : DropReason::ttl_exceeded) << "the copy's drop is its own";
        EXPECT_EQ(copy.reason, r.copy_reason);
        EXPECT_EQ(copy.detail.why, r.copy_why);
    }
}

// ip6_forward's and ndisc_send_redirect's peer buckets (inet_peer_xrlim_allow, 1*HZ, six at
// once): one source sending back out of its arrival device gets six redirects at once, then one
// a second (worked out from net/ipv4/inetpeer.c: a new peer's bucket starts full).
TEST(PacketPathRedirect6, SixAtOnceThenOneASecond) {
    const Host host = forwarding_router6();
    const Ruleset rs = parse_ruleset6("*filter\n-A FORWARD\nCOMMIT\n");
    PacketPath path(rs, host);
    PathState st(rs, EngineOptions{}, host.sysctl());
    st.icmp_rate_limit = true;  // paced: the packets' own times
    const auto redirects = [&](double t) {
        Packet p = test::packet("udp [2001:db8:1::7]:5000 > [2001:db8:1::9]:53 in=wan1");
        p.timestamp_ns = static_cast<std::uint64_t>(t * 1e9);
        const PathResult r = path.process(p, Origin::wire, st);
        EXPECT_EQ(r.fate, Fate::forwarded);
        std::size_t n = 0;
        for (const auto& a : r.answers) n += a.packet.icmp_type == 137 && a.packet.ttl == 255 && format_ip(a.packet.src) == "fe80::1";
        return n;
    };
    std::size_t at_once = 0;
    for (int i = 0; i < 8; ++i) at_once += redirects(10.0 + i * 0.001);
    EXPECT_EQ(at_once, 6u);
    EXPECT_EQ(redirects(10.5), 0u);
    EXPECT_EQ(redirects(11.1), 1u);

    // Its length: 40 + rd_msg's 40 + the target's link-layer option (8) + the packet's first bytes
    // with the option's 8, in 8-byte units, up to 1280 in all (ndisc_send_redirect's rd_len).
    for (const auto& [len, want] : {std::pair{60u, 152u}, std::pair{64u, 160u}, std::pair{1400u, 1280u}}) {
        PathState fresh(rs, EngineOptions{}, host.sysctl());
        Packet p = test::packet("udp [2001:db8:1::7]:5000 > [2001:db8:1::9]:53 in=wan1 len=" + std::to_string(len));
        const PathResult r = path.process(p, Origin::wire, fresh);
        ASSERT_EQ(r.answers.size(), 1u) << len;
        EXPECT_EQ(r.answers[0].packet.length, want) << len;
    }
}

// ip6_finish_output2 loops a copy of the host's own multicast back when the device has joined the
// group and the socket loops (sockets do by default); the kernel's neighbour discovery and MLD
// sockets never do (ndisc_net_init and igmp6_net_init clear their loop). All nodes is joined by
// every device. (A raw socket loops, so the kernel oracle cannot replay the first row.)
TEST(PacketPathMulticast6, TheKernelsOwnNeighbourDiscoveryNeverLoopsBack) {
    const Host host = forwarding_router6();
    const Ruleset rs = parse_ruleset6("*mangle\n-A PREROUTING\nCOMMIT\n");
    PacketPath path(rs, host);
    const struct {
        const char* packet;
        bool loops_back;
    } rows[] = {
        {"icmpv6 [fe80::1] > [ff02::1] type=136/0 ttl=255 out=wan1", false},  // an unsolicited neighbour advertisement
        {"icmpv6 [fe80::1] > [ff02::1] type=143/0 ttl=1 out=wan1", false},  // an MLDv2 report
        {"icmpv6 [fe80::1] > [ff02::1] type=128/0 ttl=1 out=wan1", true},  // an echo request from a socket
        {"udp [fe80::1]:5000 > [ff02::1]:5000 ttl=1 out=wan1", true},
    };
    for (const auto& r : rows) {
        PathState st(rs, EngineOptions{}, host.sysctl());
        const PathResult res = path.process(test::packet(r.packet), Origin::local, st);
        EXPECT_EQ(res.fate, Fate::sent) << r.packet;
        EXPECT_EQ(std::count(res.hooks.begin(), res.hooks.end(), Hook::prerouting), r.loops_back ? 1 : 0) << r.packet;
    }
}

// iptables-nft registers the security table at priority 150, after nat INPUT (100);
// iptables-legacy registers it at NF_IP_PRI_SECURITY (50), before. So only under nf_tables does
// security INPUT see the source nat INPUT wrote (the kernel oracle's per-packet traces found it).
TEST(PacketPathBackends, SecurityInputFollowsNatInputOnlyUnderNfTables) {
    std::string host_json =
        std::string("{\"addr\":") + test::router_addr + ",\"route\":" + test::router_routes + ",\"rule\":" + test::router_rules + ",\"sysctl\":{}}";
    Host host = Host::from_json(host_json, "router.json");
    const char* rules =
        "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
        "-A INPUT -p udp -j SNAT --to-source 192.0.2.99\nCOMMIT\n"
        "*security\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
        "-A INPUT -s 198.51.100.7/32\n-A INPUT -s 192.0.2.99/32\nCOMMIT\n";
    struct {
        Backend backend;
        std::uint64_t original_source, rewritten_source;
    } cases[] = {{Backend::nf_tables, 0, 1}, {Backend::legacy, 1, 0}};
    for (const auto& c : cases) {
        Ruleset rs = parse_ruleset(rules, {});
        rs.backend = c.backend;
        PacketPath path(rs, host);
        PathState st(rs, EngineOptions{}, host.sysctl());
        PathResult r = path.process(test::packet("udp 198.51.100.7:1000 > 203.0.113.1:53 in=wan1"), Origin::wire, st);
        EXPECT_EQ(r.fate, Fate::delivered);
        std::size_t sec = 1;
        ASSERT_EQ(rs.tables[sec].name, "security");
        EXPECT_EQ(st.engine.rule(sec, 0, 0).packets, c.original_source) << backend_name(c.backend);
        EXPECT_EQ(st.engine.rule(sec, 0, 1).packets, c.rewritten_source) << backend_name(c.backend);
    }
}

// The backend comes from iptables-save's header: iptables-nft-save marks "(nf_tables)";
// iptables-legacy-save and every iptables before 1.8 mark nothing; no header means nf_tables.
TEST(PacketPathBackends, BackendFromTheGeneratedByLine) {
    struct {
        const char* header;
        Backend want;
    } cases[] = {
        {"# Generated by iptables-nft-save v1.8.9 (nf_tables) on Mon Nov 30 17:04:34 2026\n", Backend::nf_tables},
        {"# Generated by iptables-save v1.8.7 (nf_tables) on Tue Jan  4 10:00:00 2022\n", Backend::nf_tables},
        {"# Generated by iptables-save v1.8.9 on Mon Nov 30 17:04:34 2026\n", Backend::legacy},
        {"# Generated by iptables-save v1.8.4 (legacy) on Tue Jan  4 10:00:00 2022\n", Backend::legacy},
        {"# Generated by iptables-save v1.4.21 on Sun Jan 31 14:02:31 2016\n", Backend::legacy},
        {"", Backend::nf_tables},
    };
    for (const auto& c : cases) {
        Ruleset rs = parse_ruleset(std::string(c.header) + "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n", {});
        EXPECT_EQ(rs.backend, c.want) << c.header << rs.backend_reason;
        EXPECT_FALSE(rs.backend_reason.empty());
    }
}

}  // namespace
}  // namespace fwbench

namespace fwbench {
namespace {

// The path records typed events; explain's words come from describe_event and drop_detail_text.
// Each case: a packet through the router (ip_forward on, a port forward to 192.0.2.10:80,
// MASQUERADE out of wan1) and the story explain tells, walks left out. Written from the kernel's
// order of events (PREROUTING with conntrack, routing, FORWARD, POSTROUTING, confirmation).
struct StoryCase {
    const char* packet;
    Origin origin;
    const char* story;  // the events' sentences, one per line (a nat chain walked is a walk, not a sentence)
};

// clang-format off
const StoryCase story_cases[] = {
    {"tcp 198.51.100.7:40000 > 203.0.113.1:8080 in=wan1 flags=S", Origin::wire,
     "arrived on wan1 from the wire\n"
     "conntrack: new connection 6 198.51.100.7:40000 > 203.0.113.1:8080, packet is NEW\n"
     "DNAT binding: replies expected as 6 192.0.2.10:80 > 198.51.100.7:40000\n"
     "NAT PREROUTING: destination 203.0.113.1:8080 -> 192.0.2.10:80\n"
     "routing (input): forward 192.0.2.10 via lan0 (table main)\n"
     "conntrack: connection confirmed\n"
     "forwarded out of lan0\n"},
    {"udp 192.0.2.7:5000 > 198.51.100.9:53 in=lan0", Origin::wire,
     "arrived on lan0 from the wire\n"
     "conntrack: new connection 17 192.0.2.7:5000 > 198.51.100.9:53, packet is NEW\n"
     "routing (input): forward 198.51.100.9 via wan1 gateway 203.0.113.254 (table main)\n"
     "SNAT binding: replies expected as 17 198.51.100.9:53 > 203.0.113.1:5000\n"
     "NAT POSTROUTING: source 192.0.2.7:5000 -> 203.0.113.1:5000\n"
     "conntrack: connection confirmed\n"
     "forwarded out of wan1\n"},
    {"udp 198.51.100.7:1 > 127.0.0.1:53 in=wan1", Origin::wire,
     "arrived on wan1 from the wire\n"
     "conntrack: new connection 17 198.51.100.7:1 > 127.0.0.1:53, packet is NEW\n"
     "routing (input): dropped, martian destination 127.0.0.1 on wan1 (127.0.0.0/8 from the wire, route_localnet=0)\n"},
    {"udp 192.0.2.7:5000 > 198.51.100.200:53 in=lan0", Origin::wire,
     "arrived on lan0 from the wire\n"
     "conntrack: new connection 17 192.0.2.7:5000 > 198.51.100.200:53, packet is NEW\n"
     "routing (input): dropped, blackhole route for 198.51.100.200\n"},
    {"udp 192.0.2.7:5000 > 198.51.100.9:53 in=lan0 ttl=1", Origin::wire,
     "arrived on lan0 from the wire\n"
     "conntrack: new connection 17 192.0.2.7:5000 > 198.51.100.9:53, packet is NEW\n"
     "routing (input): forward 198.51.100.9 via wan1 gateway 203.0.113.254 (table main)\n"
     "forwarding: dropped, TTL 1 would expire in forwarding\n"
     "the host answers: ICMP time exceeded (type 11 code 0) to 192.0.2.7, RELATED to this packet's connection, leaving as the host's own "
     "packet:\nrouting (output): 192.0.2.7 via lan0 (table main)\nsent out of lan0\n(end of the answer)\n"},
    {"tcp 198.51.100.7:40000 > 203.0.113.1:22 in=wan1 flags=A", Origin::wire,
     "arrived on wan1 from the wire\n"
     "conntrack: new connection 6 198.51.100.7:40000 > 203.0.113.1:22, packet is NEW\n"
     "routing (input): 203.0.113.1 is local (table local): local delivery, in wan1\n"
     "conntrack: connection confirmed\n"},
    {"udp 0.0.0.0:5000 > 203.0.113.1:53", Origin::local,
     "routing (output): 203.0.113.1 is local (table local, route dev wan1): sent over lo, whatever device holds the address\n"
     "conntrack: new connection 17 203.0.113.1:5000 > 203.0.113.1:53, packet is NEW\n"
     "conntrack: connection confirmed\n"
     "looped back: arrives on lo\n"
     "conntrack: entry carried over from OUTPUT (looped back over lo)\n"
     "nat PREROUTING: not traversed (the connection's destination mapping is already set up)\n"
     "routing (input): route kept from output: local delivery, in lo\n"
     "nat INPUT: not traversed (the connection's source mapping is already set up)\n"},
    {"udp 10.0.0.1:1 > 203.0.113.1:53 in=eth9", Origin::wire, ""},  // no such interface: nothing happened to tell
};
// clang-format on

TEST(PathStory, ExplainTellsTheEventsInTheKernelsOrder) {
    std::string host_json = std::string("{\"addr\":") + test::router_addr + ",\"route\":" + test::router_routes + ",\"rule\":" + test::router_rules +
                            ",\"sysctl\":{\"net.ipv4.ip_forward\":1}}";
    Host host = Host::from_json(host_json, "router.json");
    Ruleset rs = parse_ruleset(
        "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
        "-A PREROUTING -i wan1 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 192.0.2.10:80\n"
        "-A POSTROUTING -o wan1 -j MASQUERADE\nCOMMIT\n",
        {});
    for (const auto& c : story_cases) {
        SCOPED_TRACE(c.packet);
        PacketPath path(rs, host);
        PathState st(rs, EngineOptions{}, host.sysctl());
        PathResult r = path.process(test::packet(c.packet), c.origin, st, true);
        std::string story;
        for (const auto& e : r.trace)
            if (e.kind != PathEventKind::walk) story += describe_event(e, r.detail, host) + "\n";
        EXPECT_EQ(story, c.story);
    }
    // Untraced, the same packet records no event at all.
    PacketPath path(rs, host);
    PathState st(rs, EngineOptions{}, host.sysctl());
    EXPECT_TRUE(path.process(test::packet(story_cases[0].packet), Origin::wire, st, false).trace.empty());
}

// A drop's detail is typed; its words name what the check looked at.
TEST(PathStory, DropDetailsNameWhatWasChecked) {
    std::string host_json = std::string("{\"addr\":") + test::router_addr + ",\"route\":" + test::router_routes + ",\"rule\":" + test::router_rules +
                            ",\"sysctl\":{\"net.ipv4.ip_forward\":0}}";
    Host host = Host::from_json(host_json, "router.json");
    Ruleset rs = parse_ruleset("*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n", {});
    PacketPath path(rs, host);
    PathState st(rs, EngineOptions{}, host.sysctl());
    // clang-format off
    const struct { const char* packet; Origin origin; DropReason reason; const char* words; } cases[] = {
        {"udp 192.0.2.7:1 > 198.51.100.9:53 in=lan0", Origin::wire, DropReason::forwarding_disabled, "forwarding is off on lan0 (ip_forward=0)"},
        {"udp 224.0.0.1:1 > 192.0.2.1:53 in=lan0", Origin::wire, DropReason::martian_source, "martian source 224.0.0.1 (multicast or broadcast source)"},
        {"udp 203.0.113.1:1 > 203.0.113.1:53 in=wan1", Origin::wire, DropReason::martian_source, "martian source 203.0.113.1 on wan1 (one of this host's addresses, accept_local=0)"},
        {"udp 10.0.0.1:1 > 192.0.2.1:53 in=eth9", Origin::wire, DropReason::unknown_interface, "interface 'eth9' is not in the host description"},
        {"udp 127.0.0.5:1 > 198.51.100.9:53", Origin::local, DropReason::output_martian, "source 127.0.0.5 cannot leave through wan1"},
    };
    // clang-format on
    for (const auto& c : cases) {
        SCOPED_TRACE(c.packet);
        PathResult r = path.process(test::packet(c.packet), c.origin, st);
        EXPECT_EQ(r.fate, Fate::dropped);
        EXPECT_EQ(r.reason, c.reason) << drop_reason_name(r.reason);
        EXPECT_EQ(drop_detail_text(r.detail), c.words);
    }
}

}  // namespace
}  // namespace fwbench

namespace fwbench {
namespace {

// ip_rt_send_redirect's backoff for one source at HZ 250 (redirect_load 5 jiffies, the n-th
// redirect more than 5 << n after the last; nine at most; 5120 jiffies of silence start over),
// worked by hand from net/ipv4/route.c.
TEST(IcmpPeers, RedirectsBackOffAsTheKernelDoes) {
    IcmpPeers peers;
    const std::uint32_t src = 0xc0000232;  // 192.0.2.50
    auto at = [](std::uint64_t jiffy) { return jiffy * 4000000ull; };  // 4 ms a jiffy
    struct Step {
        std::uint64_t jiffy;
        bool sent;
    };
    const Step steps[] = {
        {0, true},  // a new peer: its silence long past, so the first is sent
        {5, false},    {10, false},  // the second must come more than 5 << 1 after jiffy 0
        {11, true},  // the third more than 5 << 2 after jiffy 11
        {31, false},   {32, true},  // then 5 << 3 after 32
        {72, false},   {73, true},  // 5 << 4 after 73
        {153, false},  {154, true}, {315, true}, {636, true}, {1277, true},  // 5 << 5 .. 5 << 8 after each
        {2558, true},  // the ninth
        {3000, false},  // nine sent: none; the attempt restarts the silence
        {8000, false},  // not 5120 after 3000; restarts it again
        {13121, true},  // 5121 after 8000: the peer starts over
    };
    for (const Step& s : steps) EXPECT_EQ(peers.allow_redirect(src, at(s.jiffy), 250), s.sent) << "jiffy " << s.jiffy;
}

}  // namespace
}  // namespace fwbench

namespace fwbench {
namespace {

// What a walk cost the kernel, counted by hand: a TCP packet to port 80 from 198.51.100.7 tests
// rule 1 (its -s differs: no match called), rule 2 (-p tcp holds: the tcp match is called and
// fails), rule 3 (matches; no match module) in INPUT; OUTPUT has no rule. 3 rules, 1 match.
TEST(WalkCost, RulesTestedAndMatchesCalledCountedAsTheKernelWalks) {
    const std::string json =
        std::string(R"({"addr":)") + test::router_addr + R"(,"route":)" + test::router_routes + R"(,"rule":)" + test::router_rules + "}";
    const Host host = Host::from_json(json, "router.json");
    const Ruleset rs = parse_ruleset(
        "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -s 192.0.2.0/24 -j ACCEPT\n"
        "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n",
        {});
    PacketPath path(rs, host, nullptr);
    PathState st(rs, EngineOptions{}, host.sysctl());
    const Packet p = test::packet("tcp 198.51.100.7:40000 > 203.0.113.1:80 in wan1");
    const PathResult r = path.process(p, Origin::wire, st, true);
    const WalkCost cost = walk_cost(rs, r, host, nullptr);
    EXPECT_EQ(cost.rules, 3u);
    EXPECT_EQ(cost.matches, 1u);
    const KernelCostModel nft = KernelCostModel::for_backend(Backend::nf_tables);
    EXPECT_DOUBLE_EQ(cost.ns(nft), 3 * nft.rule_ns + nft.match_ns);
    // To port 22 the tcp match holds and rule 2 accepts: 2 rules, 1 match.
    const PathResult r22 = path.process(test::packet("tcp 198.51.100.7:40001 > 203.0.113.1:22 in wan1"), Origin::wire, st, true);
    const WalkCost c22 = walk_cost(rs, r22, host, nullptr);
    EXPECT_EQ(c22.rules, 2u);
    EXPECT_EQ(c22.matches, 1u);
}

}  // namespace
}  // namespace fwbench
