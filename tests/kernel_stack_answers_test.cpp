// The host's own stack's answers as the kernel writes them: each packet goes into the router with
// the host's sockets bound, and the frame the kernel sends back is compared byte for byte with
// the one fwbench writes (write_answer_ipv4, what the port dataplane sends), except what the
// kernel draws or leaves to the device: the IP ID (and so the header checksum), a SYN-ACK's
// sequence number and timestamp value, and the TCP checksum (CHECKSUM_PARTIAL on veth).

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "fwbench/kernel_oracle.hpp"
#include "fwbench/packet_codec.hpp"
#include "fwbench/packet_description.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "path_cases.hpp"
#include "require_kernel.hpp"

namespace fwbench {
namespace {

// The TSval's offset in a TCP answer's datagram (20-byte IP header), or 0 without timestamps.
std::size_t tsval_offset(const std::vector<std::uint8_t>& d) {
    const std::size_t end = 20 + static_cast<std::size_t>(d[32] >> 4) * 4;
    for (std::size_t i = 40; i + 1 < end && i + 1 < d.size();) {
        if (d[i] == 0) break;
        if (d[i] == 1) {
            ++i;
            continue;
        }
        if (d[i] == 8) return i + 2;
        if (d[i + 1] < 2) break;
        i += d[i + 1];
    }
    return 0;
}

// The fixtures' router, listening as test::router_sockets says.
Host router_with_sockets() {
    test::PathCase c{};
    c.name = "stack answers";
    c.sysctl = "";
    c.sockets = test::router_sockets;
    return Host::from_json(test::path_case_host_json(c), "router.json");
}

TEST(KernelStackAnswers, BytesEqualTheKernels) {
    test::require_kernel();
    if (HasFatalFailure() || IsSkipped()) return;
    const Host host = router_with_sockets();
    RulesetParseOptions opt;
    opt.family = Family::ipv4;
    const Ruleset rs = parse_ruleset(
        "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -m conntrack --ctstate NEW\nCOMMIT\n", opt);
    PacketPath path(rs, host);
    PathState st(rs, EngineOptions{}, host.sysctl());
    st.icmp_rate_limit = false;  // an unpaced replay: the oracle turns icmp_ratelimit off
    KernelOracleOptions kopt;
    kopt.capture_forwarded = true;
    KernelOracle kernel(host, rs, kopt);

    const char* packets[] = {
        // SYNs to a listener: the SYN-ACK offers what the SYN offered (MSS, SACK, timestamps, scale).
        "tcp 198.51.100.7:40000 > 203.0.113.1:22 in=wan1 flags=S seq=1000 mss=1460 sackok opts=080a0000007b00000000 wscale=7 len=60",
        "tcp 198.51.100.7:40001 > 203.0.113.1:22 in=wan1 flags=S seq=2000 mss=1460 len=44",
        "tcp 198.51.100.7:40002 > 203.0.113.1:80 in=wan1 flags=S seq=3000 sackok wscale=2 len=48",
        "tcp 198.51.100.7:40003 > 203.0.113.1:22 in=wan1 flags=S seq=3500 opts=080a0000007b00000000 len=52",
        // Resets: from a closed port, and a listener's for an ACK; the TOS less its ECN bits.
        "tcp 198.51.100.7:40004 > 203.0.113.1:23 in=wan1 flags=S seq=4000 len=40 tos=0x12",
        "tcp 198.51.100.7:40005 > 203.0.113.1:22 in=wan1 flags=A seq=5000 ack=7000 len=50",
        "udp 198.51.100.7:5001 > 203.0.113.1:5353 in=wan1 len=60",
        "icmp 198.51.100.7 > 203.0.113.1 in=wan1 type=8 id=7 len=84 tos=0x10",
    };
    for (const char* text : packets) {
        SCOPED_TRACE(text);
        const Packet p = parse_packet_description(text).packet;
        const PathResult r = path.process(p, Origin::wire, st);
        ASSERT_EQ(r.answers.size(), 1u);
        const PathResult::Answer& a = r.answers[0];
        ASSERT_EQ(a.fate, Fate::sent);
        ASSERT_TRUE(a.by_stack);
        kernel.inject(p, Origin::wire);
        std::vector<LeftFrame> left = kernel.take_forwarded();
        for (int wait = 0; left.empty() && wait < 100; ++wait) {
            usleep(1000);
            left = kernel.take_forwarded();
        }
        ASSERT_EQ(left.size(), 1u) << "the kernel sent " << left.size() << " frames";
        EXPECT_EQ(left[0].iface, a.out_iface.view());
        std::vector<std::uint8_t> quoted = build_ipv4(p);
        ASSERT_TRUE(rewrite_ipv4(quoted.data(), quoted.size(), a.cause));
        std::vector<std::uint8_t> want(600);
        want.resize(write_answer_ipv4(a.packet, a.icmp_info, quoted.data(), quoted.size(), want.data(), want.size()));
        ASSERT_GT(want.size(), 0u);
        std::vector<std::uint8_t> got(left[0].frame.begin() + 14, left[0].frame.end());
        got.resize(std::min(got.size(), want.size()));  // Ethernet padding
        for (std::size_t i : {4, 5, 10, 11}) got[i] = want[i] = 0;
        if (a.packet.proto == proto::tcp) {
            for (std::size_t i : {36, 37}) got[i] = want[i] = 0;
            if (a.packet.tcp_flags & tcp_flag::syn) {
                for (std::size_t i = 24; i < 28; ++i) got[i] = want[i] = 0;
                if (const std::size_t ts = tsval_offset(want))
                    for (std::size_t i = ts; i < ts + 4 && i < got.size(); ++i) got[i] = want[i] = 0;
            }
        }
        std::size_t first = 0;
        while (first < want.size() && first < got.size() && got[first] == want[first]) ++first;
        EXPECT_EQ(got, want) << "first different byte " << first << ": kernel " << (first < got.size() ? int(got[first]) : -1) << ", fwbench "
                             << (first < want.size() ? int(want[first]) : -1);
    }
}

// icmp_ratelimit's bucket per destination, in real time: the oracle replays at the capture's
// pace with the host's icmp_ratelimit (1000 ms). A new peer's bucket holds six answers: of eight
// datagrams to a closed port within 70 ms, the first six get port unreachable; one 1.5 s later
// finds a token again. 7 answers, in fwbench and in the kernel.
TEST(KernelStackAnswers, PortUnreachablesKeepToTheRateLimitPaced) {
    test::require_kernel();
    if (HasFatalFailure() || IsSkipped()) return;
    const Host host = router_with_sockets();
    RulesetParseOptions opt;
    opt.family = Family::ipv4;
    const std::string rules =
        "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p icmp -m icmp --icmp-type 3/3\nCOMMIT\n";
    const Ruleset rs = parse_ruleset(rules, opt);
    PacketPath path(rs, host);
    PathState st(rs, EngineOptions{}, host.sysctl());
    st.icmp_rate_limit = true;
    KernelOracleOptions kopt;
    kopt.pace = true;
    kopt.ruleset_text = rules;
    DifferentialRun run(host, rs, kopt);
    std::uint64_t answered = 0;
    for (int i = 0; i < 9; ++i) {
        Packet p = parse_packet_description("udp 198.51.100.7:" + std::to_string(5000 + i) + " > 203.0.113.1:5353 in=wan1").packet;
        p.timestamp_ns = 1000000000ull + (i < 8 ? static_cast<std::uint64_t>(i) * 10000000ull : 1500000000ull);
        const PathResult r = path.process(p, Origin::wire, st, true);
        for (const auto& a : r.answers) answered += a.fate == Fate::sent ? 1 : 0;
        run.send(p, Origin::wire, r);
    }
    EXPECT_EQ(answered, 7u);
    const DifferentialResult result = run.finish(st.engine);
    EXPECT_TRUE(result.agree()) << result.report();
}

}  // namespace
}  // namespace fwbench
