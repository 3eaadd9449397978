// Where each captured packet came from (kernel-semantics items 15-18), and that forwarded
// packets are counted once even when NAT rewrote their outbound copy.

#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "fwbench/capture_analysis.hpp"
#include "fwbench/packet_description.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "path_cases6.hpp"
#include "path_fixtures.hpp"

namespace fwbench {
namespace {

struct Fixture {
    Host host;
    Ruleset rs;
    PacketPath path;
    PathState st;
    Fixture(const char* rules, const char* sysctl)
        : host(Host::from_json(std::string("{\"addr\":") + test::router_addr + ",\"route\":" + test::router_routes +
                                   ",\"rule\":" + test::router_rules + ",\"sysctl\":{" + sysctl + "}}",
                               "router.json")),
          rs(parse_ruleset(rules, {})),
          path(rs, host),
          st(rs, EngineOptions{}, host.sysctl()) {}
};

std::vector<std::uint8_t> l3(const char* d) { return build_ipv4(parse_packet_description(d).packet); }

std::vector<AnalyzedPacket> replay(Fixture& f, const std::vector<std::uint8_t>& file_bytes, const std::string& iface = "") {
    std::string path = testing::TempDir() + "replay.cap";
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(file_bytes.data()), static_cast<std::streamsize>(file_bytes.size()));
    CaptureReader reader(path);
    CaptureAnalysis rp(f.path, f.st, {iface, false, 2000000000ull});
    std::vector<AnalyzedPacket> out;
    CaptureRecord rec;
    while (reader.next(rec)) out.push_back(rp.feed(rec));
    return out;
}

TEST(CaptureAnalysis, AnyCaptureWithMasqueradedForwardingCountsEachPacketOnce) {
    Fixture f(
        "*nat\n-A POSTROUTING -o wan1 -j MASQUERADE\nCOMMIT\n*filter\n-A FORWARD -i lan0 -j ACCEPT\n-A FORWARD -m state --state ESTABLISHED -j "
        "ACCEPT\n-A FORWARD -j DROP\nCOMMIT\n",
        "\"ip_forward\":1");
    std::vector<CaptureFrame> frames = {
        {1000, sll2_frame(3, 0, l3("udp 192.0.2.50:4000 > 198.51.100.7:53 ttl=64")), 0, Direction::unknown, 0},
        // The outbound copy after MASQUERADE and TTL - 1.
        {1100, sll2_frame(2, 4, l3("udp 203.0.113.1:4000 > 198.51.100.7:53 ttl=63")), 0, Direction::unknown, 0},
        {5000, sll2_frame(2, 0, l3("udp 198.51.100.7:53 > 203.0.113.1:4000 ttl=50")), 0, Direction::unknown, 0},
        {5100, sll2_frame(3, 4, l3("udp 198.51.100.7:53 > 192.0.2.50:4000 ttl=49")), 0, Direction::unknown, 0},
        // The host's own query: outbound on wan1 with no inbound twin.
        {6000, sll2_frame(2, 4, l3("udp 203.0.113.1:5353 > 198.51.100.7:53 ttl=64")), 0, Direction::unknown, 0},
        // Looped back: the host talking to itself.
        {7000, sll2_frame(1, 0, l3("udp 127.0.0.1:5000 > 127.0.0.1:53")), 0, Direction::unknown, 0},
    };
    auto out = replay(f, write_pcap(linktype::linux_sll2, frames));
    ASSERT_EQ(out.size(), 6u);
    EXPECT_EQ(out[0].origin, CaptureOrigin::wire);
    EXPECT_EQ(out[0].iface, "lan0");
    EXPECT_EQ(out[0].result.fate, Fate::forwarded);
    EXPECT_EQ(out[1].origin, CaptureOrigin::forwarded_copy);
    EXPECT_EQ(out[1].copy_of, 0u);
    EXPECT_EQ(out[2].origin, CaptureOrigin::wire);
    EXPECT_EQ(out[2].result.fate, Fate::forwarded) << "the reply is un-NATed to 192.0.2.50 and forwarded";
    EXPECT_EQ(out[3].origin, CaptureOrigin::forwarded_copy);
    EXPECT_EQ(out[3].copy_of, 2u);
    EXPECT_EQ(out[4].origin, CaptureOrigin::local);
    EXPECT_EQ(out[4].result.fate, Fate::sent);
    EXPECT_EQ(out[5].origin, CaptureOrigin::local);
    EXPECT_EQ(out[5].result.fate, Fate::delivered);
    // FORWARD counted each forwarded packet once: rule 1 (lan0) once, rule 2 (reply) once.
    const Table& filter = *f.rs.table("filter");
    std::size_t ti = static_cast<std::size_t>(&filter - f.rs.tables.data());
    std::size_t fwd = static_cast<std::size_t>(filter.find_chain("FORWARD"));
    EXPECT_EQ(f.st.engine.rule(ti, fwd, 0).packets, 1u);
    EXPECT_EQ(f.st.engine.rule(ti, fwd, 1).packets, 1u);
    EXPECT_EQ(f.st.engine.rule(ti, fwd, 2).packets, 0u);
}

// A datagram conntrack reassembled leaves in pieces no larger than its largest fragment, and one
// without DF larger than the way out's MTU in pieces that fit it: every piece is the forwarded
// datagram's copy, none a packet of the host's own.
TEST(CaptureAnalysis, TheFragmentsAForwardedDatagramLeavesInAreItsCopies) {
    Fixture f("*filter\n-A FORWARD -m state --state NEW\nCOMMIT\n", "\"ip_forward\":1");
    std::vector<CaptureFrame> frames = {
        {1000, sll2_frame(2, 0, l3("udp 198.51.100.7:5000 > 192.0.2.50:53 mf=1 fragid=11 len=1380 datagram=2000")), 0, Direction::unknown, 0},
        {1100, sll2_frame(2, 0, l3("udp 198.51.100.7:5000 > 192.0.2.50:53 fragoff=1360 fragid=11 len=640")), 0, Direction::unknown, 0},
        {1200, sll2_frame(3, 4, l3("udp 198.51.100.7:5000 > 192.0.2.50:53 ttl=63 mf=1 fragid=11 len=1380 datagram=2000")), 0, Direction::unknown, 0},
        {1300, sll2_frame(3, 4, l3("udp 198.51.100.7:5000 > 192.0.2.50:53 ttl=63 fragoff=1360 fragid=11 len=640")), 0, Direction::unknown, 0},
        // 1500 bytes without DF through lan0's 1400: 1376 payload bytes, then 104.
        {2000, sll2_frame(2, 0, l3("udp 198.51.100.7:6000 > 192.0.2.50:53 len=1500 df=0")), 0, Direction::unknown, 0},
        {2100, sll2_frame(3, 4, l3("udp 198.51.100.7:6000 > 192.0.2.50:53 ttl=63 mf=1 len=1396 datagram=1500")), 0, Direction::unknown, 0},
        {2200, sll2_frame(3, 4, l3("udp 198.51.100.7:6000 > 192.0.2.50:53 ttl=63 fragoff=1376 len=124")), 0, Direction::unknown, 0},
    };
    auto out = replay(f, write_pcap(linktype::linux_sll2, frames));
    ASSERT_EQ(out.size(), 7u);
    EXPECT_EQ(out[0].result.fate, Fate::held);
    EXPECT_EQ(out[1].result.fate, Fate::forwarded);
    EXPECT_EQ(out[1].result.final_packet.length, 2000u);
    EXPECT_EQ(out[1].result.out_mtu, 1380u) << "the largest fragment, not lan0's 1400";
    for (std::size_t i : {2u, 3u}) {
        EXPECT_EQ(out[i].origin, CaptureOrigin::forwarded_copy) << i;
        EXPECT_EQ(out[i].copy_of, 1u) << i;
    }
    EXPECT_EQ(out[4].result.fate, Fate::forwarded);
    for (std::size_t i : {5u, 6u}) {
        EXPECT_EQ(out[i].origin, CaptureOrigin::forwarded_copy) << i;
        EXPECT_EQ(out[i].copy_of, 4u) << i;
    }
}

TEST(CaptureAnalysis, PlainEthernetNeedsAnInterfaceAndUsesMacsForDirection) {
    Fixture f("*filter\n-A INPUT -j ACCEPT\nCOMMIT\n", "");
    MacAddr wan_mac = *parse_mac("02:00:00:00:01:01"), peer = *parse_mac("02:00:00:00:01:fe");
    std::vector<CaptureFrame> frames = {
        {1000, ethernet_frame(peer, wan_mac, l3("tcp 198.51.100.7:40000 > 203.0.113.1:22 flags=S")), 0, Direction::unknown, 0},
        {2000, ethernet_frame(wan_mac, peer, l3("tcp 203.0.113.1:22 > 198.51.100.7:40000 flags=SA")), 0, Direction::unknown, 0},
    };
    auto bytes = write_pcap(linktype::ethernet, frames);
    try {
        replay(f, bytes);
        FAIL() << "a plain pcap needs --iface";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("packet 0: the capture does not say which interface"), std::string::npos) << e.what();
    }
    auto out = replay(f, bytes, "wan1");
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].origin, CaptureOrigin::wire);
    EXPECT_EQ(out[0].direction, Direction::inbound);
    EXPECT_EQ(out[0].result.fate, Fate::delivered);
    EXPECT_EQ(out[1].origin, CaptureOrigin::local) << "our own MAC as source: the host sent it";
    EXPECT_EQ(out[1].direction, Direction::outbound);
    EXPECT_EQ(out[1].result.fate, Fate::sent);
}

// A capture taken on lo itself holds each looped packet twice, leaving and arriving: the host's
// packet is counted once, from its arriving copy (docs/kernel-semantics.md item 16).
TEST(CaptureAnalysis, TheOutgoingCopyOnLoIsSkipped) {
    Fixture f("*filter\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n", "");
    auto packet = l3("tcp 203.0.113.1:40000 > 203.0.113.1:22 flags=S");
    std::vector<CaptureFrame> frames = {{1000, packet, 0, Direction::outbound, 0}, {1000, packet, 0, Direction::inbound, 0}};
    auto out = replay(f, write_pcapng({{linktype::raw, "lo"}}, frames));
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].origin, CaptureOrigin::skipped);
    EXPECT_EQ(out[0].reason, "lo_outgoing_copy");
    EXPECT_EQ(out[1].origin, CaptureOrigin::local);
    EXPECT_EQ(out[1].result.fate, Fate::delivered);
    const Table& filter = *f.rs.table("filter");
    const auto ti = static_cast<std::size_t>(&filter - f.rs.tables.data());
    EXPECT_EQ(f.st.engine.rule(ti, static_cast<std::size_t>(filter.find_chain("INPUT")), 0).packets, 1u) << "one packet, counted once";
}

TEST(CaptureAnalysis, PcapngInterfaceNamesAndMalformedPackets) {
    Fixture f("*filter\n-A INPUT -j ACCEPT\nCOMMIT\n", "");
    auto good = l3("udp 198.51.100.7:53 > 203.0.113.1:4000");
    auto bad = good;
    bad[10] ^= 0x55;  // IP header checksum
    std::vector<CaptureFrame> frames = {{1, good, 0, Direction::inbound, 0}, {2, bad, 0, Direction::inbound, 0}};
    auto out = replay(f, write_pcapng({{linktype::raw, "wan1"}}, frames));
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].iface, "wan1");
    EXPECT_EQ(out[0].result.fate, Fate::delivered);
    EXPECT_EQ(out[1].origin, CaptureOrigin::malformed);
    EXPECT_EQ(out[1].reason, "bad_ip_checksum");
}

}  // namespace
}  // namespace fwbench

namespace fwbench {
namespace {

// The hashed search for forwarded copies against the plain one it replaced, written out here:
// an outbound record is the copy of the oldest forwarded packet not yet matched, at most 2 s
// older, whose predicted copy (same addresses, ports and protocol, TTL - 1, out of the interface
// the route names) it equals. Random forwarding in both directions with duplicates, lost and
// late copies and the host's own look-alikes, over enough packets to grow the ring many times.
TEST(CaptureAnalysis, HashedCopyMatchingEqualsTheOldestPendingPrediction) {
    Fixture f("*filter\n-A FORWARD -j ACCEPT\nCOMMIT\n", "\"ip_forward\":1");
    std::mt19937_64 rng(20261202);
    struct Sent {
        std::uint64_t index, t;
        std::string out, copy;  // out interface, copy's description
        bool matched = false;
    };
    std::vector<Sent> sent;
    std::vector<CaptureFrame> frames;
    std::vector<std::int64_t> expected;  // per record: -1 not a copy, else the index it copies
    std::uint64_t t = 1000000000ull;
    std::size_t late = 0;
    auto peer = [&](bool lan) { return (lan ? "192.0.2." : "198.51.100.") + std::to_string(10 + rng() % 4); };
    for (int i = 0; i < 6000; ++i) {
        t += 1 + rng() % 3000000;  // up to 3 ms apart: thousands within a 2 s window
        const bool from_lan = rng() % 2;  // 768 combinations of fields: equal predictions pend together
        std::string src = peer(from_lan), dst = peer(!from_lan);
        unsigned sport = 1000 + rng() % 8, dport = 53, ttl = 60 + rng() % 3;
        const std::uint64_t kind = rng() % 10;
        std::string in = from_lan ? "lan0" : "wan1", out = from_lan ? "wan1" : "lan0";
        auto udp = [&](unsigned tt) {
            return "udp " + src + ":" + std::to_string(sport) + " > " + dst + ":" + std::to_string(dport) + " ttl=" + std::to_string(tt);
        };
        if (kind < 6) {  // forwarded: its inbound record
            frames.push_back({t, sll2_frame(in == "wan1" ? 2 : 3, 0, l3(udp(ttl).c_str())), 0, Direction::unknown, 0});
            expected.push_back(-1);
            sent.push_back({frames.size() - 1, t, out, udp(ttl - 1)});
        } else {  // an outbound record: the copy of a recent one (maybe late), or the host's own
            std::string desc = udp(ttl);
            const bool a_copy = kind < 9 && !sent.empty();
            if (a_copy) {
                // Mostly recent; one in ten from up to 2000 back, often past the window.
                const std::size_t back = rng() % 10 ? 50 : 2000;
                const Sent& s = sent[sent.size() - 1 - rng() % std::min<std::size_t>(sent.size(), back)];
                desc = s.copy;
                out = s.out;
            }
            frames.push_back({t, sll2_frame(out == "wan1" ? 2 : 3, 4, l3(desc.c_str())), 0, Direction::unknown, 0});
            std::int64_t copy_of = -1;
            for (auto& s : sent)
                if (!s.matched && s.out == out && s.copy == desc && s.t + 2000000000ull >= t) {
                    s.matched = true;
                    copy_of = static_cast<std::int64_t>(s.index);
                    break;
                }
            expected.push_back(copy_of);
            late += a_copy && copy_of < 0;  // its packet's prediction expired (or was matched before)
        }
    }
    auto out = replay(f, write_pcap(linktype::linux_sll2, frames));
    ASSERT_EQ(out.size(), expected.size());
    std::size_t copies = 0;
    for (std::size_t i = 0; i < out.size(); ++i) {
        SCOPED_TRACE("record " + std::to_string(i));
        if (expected[i] < 0) {
            EXPECT_NE(out[i].origin, CaptureOrigin::forwarded_copy);
        } else {
            ++copies;
            ASSERT_EQ(out[i].origin, CaptureOrigin::forwarded_copy);
            EXPECT_EQ(out[i].copy_of, static_cast<std::uint64_t>(expected[i]));
        }
    }
    EXPECT_GT(copies, 1000u);  // the cases under test happened, often
    EXPECT_GT(late, 20u);
}

}  // namespace
}  // namespace fwbench

namespace fwbench {
namespace {

// The kernel's own answers in a `tcpdump -i any` capture: each is the one the model sent for an
// earlier packet (a REJECT's RST or ICMP error, time exceeded), so it is not processed again as
// the host's own packet; its walks were counted with its cause. The expected answers are written
// out by hand as the kernel sends them (RFC 793's RST for a SYN, ICMP from the routed source).
TEST(CaptureAnalysis, TheKernelsAnswersAreRecognisedNotCountedAgain) {
    Fixture f(
        "*filter\n"
        "-A INPUT -p tcp --dport 25 -j REJECT --reject-with tcp-reset\n"
        "-A FORWARD -p udp --dport 53 -j REJECT\n"
        "-A OUTPUT -p tcp --dport 587 -j REJECT --reject-with tcp-reset\n"
        "COMMIT\n",
        "\"ip_forward\":1");
    struct Row {
        int ifindex, pkttype;  // 1 lo, 2 wan1, 3 lan0; 0 inbound, 4 outbound
        const char* packet;
        CaptureOrigin origin;
        std::uint64_t answer_to;
    };
    const Row rows[] = {
        {2, 0, "tcp 198.51.100.7:40000 > 203.0.113.1:25 flags=S ttl=50", CaptureOrigin::wire, 0},
        {2, 4, "tcp 203.0.113.1:25 > 198.51.100.7:40000 flags=RA ttl=64", CaptureOrigin::answer, 0},
        {3, 0, "udp 192.0.2.50:4000 > 198.51.100.7:53 ttl=64", CaptureOrigin::wire, 0},
        {3, 4, "icmp 192.0.2.1 > 192.0.2.50 type=3/3 ttl=64 quoted=udp:192.0.2.50:4000>198.51.100.7:53", CaptureOrigin::answer, 2},
        {2, 0, "udp 198.51.100.9:5000 > 192.0.2.50:123 ttl=1", CaptureOrigin::wire, 0},
        {2, 4, "icmp 203.0.113.1 > 198.51.100.9 type=11/0 ttl=64 quoted=udp:198.51.100.9:5000>192.0.2.50:123", CaptureOrigin::answer, 4},
        // The host's own SYN to port 587, rejected in OUTPUT, is in no capture; its RST comes in on lo.
        {1, 0, "tcp 198.51.100.7:587 > 203.0.113.1:41000 flags=RA ttl=64", CaptureOrigin::answer_to_unseen, 0},
        // Answers nothing predicted: another port, then the first RST again (its prediction was used).
        {2, 4, "tcp 203.0.113.1:25 > 198.51.100.7:40001 flags=RA ttl=64", CaptureOrigin::local, 0},
        {2, 4, "tcp 203.0.113.1:25 > 198.51.100.7:40000 flags=RA ttl=64", CaptureOrigin::local, 0},
        // The host to itself over lo: rejected in INPUT, answered over lo.
        {1, 0, "tcp 127.0.0.1:41001 > 127.0.0.1:25 flags=S ttl=64", CaptureOrigin::local, 0},
        {1, 0, "tcp 127.0.0.1:25 > 127.0.0.1:41001 flags=RA ttl=64", CaptureOrigin::answer, 9},
    };
    std::vector<CaptureFrame> frames;
    std::uint64_t t = 1000;
    for (const Row& r : rows) frames.push_back({t += 100, sll2_frame(r.ifindex, r.pkttype, l3(r.packet)), 0, Direction::unknown, 0});
    std::string path = testing::TempDir() + "answers.cap";
    const auto bytes = write_pcap(linktype::linux_sll2, frames);
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    CaptureReader reader(path);
    CaptureAnalysis analysis(f.path, f.st, {});
    CaptureRecord rec;
    for (const Row& r : rows) {
        SCOPED_TRACE(r.packet);
        ASSERT_TRUE(reader.next(rec));
        AnalyzedPacket out = analysis.feed(rec);
        EXPECT_EQ(capture_origin_name(out.origin), std::string(capture_origin_name(r.origin)));
        if (r.origin == CaptureOrigin::answer) {
            EXPECT_EQ(out.copy_of, r.answer_to);
        }
    }
    EXPECT_EQ(analysis.unseen_predicted_answers(), 0u);
    // Each REJECT rule counted its causes once (the SYNs from the wire and over lo, the DNS
    // query); OUTPUT's counted nothing: its packet is not in the capture.
    const Table& filter = *f.rs.table("filter");
    const std::size_t ti = static_cast<std::size_t>(&filter - f.rs.tables.data());
    auto packets = [&](const char* chain) { return f.st.engine.rule(ti, static_cast<std::size_t>(filter.find_chain(chain)), 0).packets; };
    EXPECT_EQ(packets("INPUT"), 2u);
    EXPECT_EQ(packets("FORWARD"), 1u);
    EXPECT_EQ(packets("OUTPUT"), 0u);
}

}  // namespace
}  // namespace fwbench

namespace fwbench {
namespace {

// RFC 1191: fragmentation needed carries the next hop's MTU in the low half of its second word;
// RFC 792: then the offending datagram, here cut at 576 bytes in all. lan0's MTU is 1400.
TEST(AnswerBytes, FragmentationNeededCarriesTheNextHopMtu) {
    Fixture f("*filter\nCOMMIT\n", "\"ip_forward\":1");
    Packet p = parse_packet_description("udp 198.51.100.7:4000 > 192.0.2.50:53 in=wan1 len=1450").packet;
    p.ip_id = 9;
    PathResult r = f.path.process(p, Origin::wire, f.st, false);
    EXPECT_EQ(r.reason, DropReason::fragmentation_needed);
    ASSERT_EQ(r.answers.size(), 1u);
    const std::vector<std::uint8_t> offending = build_ipv4(p);
    std::vector<std::uint8_t> bytes(600);
    bytes.resize(write_answer_ipv4(r.answers[0].packet, r.answers[0].icmp_info, offending.data(), offending.size(), bytes.data(), bytes.size()));
    ASSERT_EQ(bytes.size(), 576u);
    EXPECT_EQ(std::vector<int>(bytes.begin() + 20, bytes.begin() + 22), (std::vector<int>{3, 4}));
    EXPECT_EQ(std::vector<int>(bytes.begin() + 24, bytes.begin() + 28), (std::vector<int>{0, 0, 0x05, 0x78})) << "1400";
    EXPECT_TRUE(std::equal(bytes.begin() + 28, bytes.end(), offending.begin()));
}

}  // namespace
}  // namespace fwbench

namespace fwbench {
namespace {

// An IPv6 capture through an ip6tables ruleset: forwarding with MASQUERADE, its copies recognised,
// the host's own packets; IPv4 packets of the same capture are counted under their own reason,
// not passed through a ruleset of the other family.
TEST(CaptureAnalysisIpv6, AnIpv6CaptureGoesThroughTheIp6tablesRuleset) {
    const test::PathCase host_case{"", "\"net.ipv6.conf.all.forwarding\":1", "", {}, "", ""};
    const Host host = Host::from_json(test::path_case6_host_json(host_case), "router6.json");
    RulesetParseOptions opt;
    opt.family = Family::ipv6;
    const Ruleset rs = parse_ruleset(
        "*nat\n-A POSTROUTING -o wan1 -j MASQUERADE\nCOMMIT\n*filter\n-A FORWARD -i lan0 -j ACCEPT\n"
        "-A FORWARD -m state --state ESTABLISHED -j ACCEPT\n-A FORWARD -j DROP\nCOMMIT\n",
        opt);
    PacketPath path(rs, host);
    PathState st(rs, EngineOptions{}, host.sysctl());
    auto l3v6 = [](const char* d) { return build_ipv6(parse_packet_description(d).packet); };
    constexpr std::uint16_t ipv6_type = 0x86dd;
    const std::vector<CaptureFrame> frames = {
        {1000, sll2_frame(3, 0, l3v6("udp [2001:db8:2::50]:4000 > [2001:db8:9::7]:53 ttl=64"), 1, ipv6_type), 0, Direction::unknown, 0},
        // Its copy out of wan1: MASQUERADE gave it wan1's global address, the hop limit one less.
        {1100, sll2_frame(2, 4, l3v6("udp [2001:db8:1::1]:4000 > [2001:db8:9::7]:53 ttl=63"), 1, ipv6_type), 0, Direction::unknown, 0},
        {5000, sll2_frame(2, 0, l3v6("udp [2001:db8:9::7]:53 > [2001:db8:1::1]:4000 ttl=50"), 1, ipv6_type), 0, Direction::unknown, 0},
        {5100, sll2_frame(3, 4, l3v6("udp [2001:db8:9::7]:53 > [2001:db8:2::50]:4000 ttl=49"), 1, ipv6_type), 0, Direction::unknown, 0},
        // From a host the FORWARD chain drops.
        {6000, sll2_frame(2, 0, l3v6("udp [2001:db8:9::8]:53 > [2001:db8:2::50]:4000 ttl=50"), 1, ipv6_type), 0, Direction::unknown, 0},
        // IPv4, with only an ip6tables ruleset to go through.
        {7000, sll2_frame(3, 0, l3("udp 192.0.2.50:4000 > 198.51.100.7:53")), 0, Direction::unknown, 0},
        // The host to itself over lo, from its global address.
        {8000, sll2_frame(1, 0, l3v6("tcp [2001:db8:1::1]:40000 > [2001:db8:1::1]:22 flags=S"), 772, ipv6_type), 0, Direction::unknown, 0},
    };
    const std::string file = testing::TempDir() + "ipv6.cap";
    const auto bytes = write_pcap(linktype::linux_sll2, frames);
    std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    CaptureReader reader(file);
    CaptureAnalysis analysis(path, st, {"", false, 2000000000ull});
    std::vector<AnalyzedPacket> out;
    CaptureRecord rec;
    while (reader.next(rec)) out.push_back(analysis.feed(rec));
    ASSERT_EQ(out.size(), frames.size());
    EXPECT_EQ(out[0].origin, CaptureOrigin::wire);
    EXPECT_EQ(out[0].result.fate, Fate::forwarded);
    EXPECT_EQ(out[1].origin, CaptureOrigin::forwarded_copy);
    EXPECT_EQ(out[1].copy_of, 0u);
    EXPECT_EQ(out[2].result.fate, Fate::forwarded) << "the reply is translated back to 2001:db8:2::50";
    EXPECT_EQ(out[3].origin, CaptureOrigin::forwarded_copy);
    EXPECT_EQ(out[3].copy_of, 2u);
    EXPECT_EQ(out[4].result.fate, Fate::dropped);
    EXPECT_EQ(out[5].origin, CaptureOrigin::skipped);
    EXPECT_EQ(out[5].reason, "ipv4_without_iptables_ruleset");
    EXPECT_EQ(out[6].origin, CaptureOrigin::local);
    EXPECT_EQ(out[6].result.fate, Fate::delivered);
    const Table& filter = *rs.table("filter");
    const std::size_t ti = static_cast<std::size_t>(&filter - rs.tables.data());
    const std::size_t fwd = static_cast<std::size_t>(filter.find_chain("FORWARD"));
    EXPECT_EQ(st.engine.rule(ti, fwd, 0).packets, 1u);  // lan0's query, once
    EXPECT_EQ(st.engine.rule(ti, fwd, 1).packets, 1u);  // the reply
    EXPECT_EQ(st.engine.rule(ti, fwd, 2).packets, 1u);  // the stranger
}

// The host's own neighbour discovery, MLD and link-scope multicast, as `tcpdump -i any` shows them
// leaving lan0: each leaves by the device it was captured on (for a multicast or link-local
// destination, the one its socket named), through OUTPUT and POSTROUTING.
TEST(CaptureAnalysisIpv6, TheHostsOwnMulticastLeavesByTheDeviceItWasCapturedOn) {
    const test::PathCase host_case{"", "\"net.ipv6.conf.all.forwarding\":1", "", {}, "", ""};
    const Host host = Host::from_json(test::path_case6_host_json(host_case), "router6.json");
    RulesetParseOptions opt;
    opt.family = Family::ipv6;
    const Ruleset rs = parse_ruleset("*filter\n-A OUTPUT -o lan0\n-A OUTPUT\nCOMMIT\n", opt);
    PacketPath path(rs, host);
    PathState st(rs, EngineOptions{}, host.sysctl());
    auto l3v6 = [](const char* d) { return build_ipv6(parse_packet_description(d).packet); };
    constexpr std::uint16_t ipv6_type = 0x86dd;
    const char* sent[] = {
        "icmpv6 [2001:db8:2::1] > [ff02::1:ff00:50] type=135/0 ttl=255",  // a neighbour solicitation
        "icmpv6 [fe80::2:1] > [ff02::16] type=143/0 ttl=1",  // an MLDv2 report
        "udp [fe80::2:1]:5353 > [ff02::fb]:5353 ttl=255",  // mDNS
        "icmpv6 [fe80::2:1] > [fe80::50] type=136/0 ttl=255",  // a unicast neighbour advertisement
    };
    std::vector<CaptureFrame> frames;
    for (const char* d : sent) frames.push_back({1000, sll2_frame(3, 4, l3v6(d), 1, ipv6_type), 0, Direction::unknown, 0});
    const std::string file = testing::TempDir() + "ipv6-own-multicast.cap";
    const auto bytes = write_pcap(linktype::linux_sll2, frames);
    std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    CaptureReader reader(file);
    CaptureAnalysis analysis(path, st, {"", false, 2000000000ull});
    CaptureRecord rec;
    std::size_t i = 0;
    while (reader.next(rec)) {
        const AnalyzedPacket a = analysis.feed(rec);
        EXPECT_EQ(a.origin, CaptureOrigin::local) << sent[i];
        EXPECT_EQ(a.result.fate, Fate::sent) << sent[i] << ": " << drop_reason_name(a.result.reason);
        EXPECT_EQ(a.result.out_iface.view(), "lan0") << sent[i];
        ++i;
    }
    EXPECT_EQ(i, std::size(sent));
    const Table& filter = *rs.table("filter");
    const std::size_t ti = static_cast<std::size_t>(&filter - rs.tables.data());
    EXPECT_EQ(st.engine.rule(ti, static_cast<std::size_t>(filter.find_chain("OUTPUT")), 0).packets, std::size(sent));
}

}  // namespace
}  // namespace fwbench
