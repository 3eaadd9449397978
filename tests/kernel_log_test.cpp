// The LOG target's lines against the kernel's own: the same datagrams are given to a kernel in a
// namespace whose rules LOG them and to fwbench, and every line the kernel writes to its log
// must be the line fwbench writes (packet_log.hpp), byte for byte. Needs root (the kernel log and
// nf_log_all_netns); without it the tests skip and say why, unless FWBENCH_REQUIRE_KERNEL=1.

#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "fwbench/capture_analysis.hpp"
#include "fwbench/kernel_log.hpp"
#include "fwbench/kernel_oracle.hpp"
#include "fwbench/packet_codec.hpp"
#include "fwbench/packet_description.hpp"
#include "fwbench/packet_log.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "must_run.hpp"
#include "require_kernel.hpp"
#include "router_workload.hpp"
#include "checksum.hpp"

namespace fwbench {
namespace {

using test::require_kernel;

// A prefix no other namespace's rules use, so concurrent LOG lines do not mix in.
std::string run_token() { return "fwb" + std::to_string(getpid() % 100000) + " "; }

std::vector<std::string> fwbench_lines(const Ruleset& rs, const PathResult& res, Origin origin, const std::vector<std::uint8_t>& datagram,
                                       const LoggedLinkHeader& link) {
    std::vector<LoggedLine> lines;
    logged_lines(rs, res, origin, datagram.data(), datagram.size(), link, lines);
    std::vector<std::string> text;
    for (const auto& l : lines) text.push_back(l.text);
    return text;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string s;
    for (const auto& l : lines) s += "  [" + l + "]\n";
    return s.empty() ? "  (none)\n" : s;
}

// --- crafted datagrams: every header the kernel's dump_ipv4_packet prints ---

void put16(std::vector<std::uint8_t>& b, std::size_t at, std::uint16_t v) {
    b[at] = static_cast<std::uint8_t>(v >> 8);
    b[at + 1] = static_cast<std::uint8_t>(v);
}
void put32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
    put16(b, at, static_cast<std::uint16_t>(v >> 16));
    put16(b, at + 2, static_cast<std::uint16_t>(v));
}

struct Crafted {
    const char* name;
    std::uint8_t tos = 0, ttl = 64, proto = 0;
    std::uint16_t id = 0x1234, frag = 0x4000;  // flags and offset
    std::vector<std::uint8_t> options;  // IP options (a multiple of 4 bytes)
    std::vector<std::uint8_t> l4;  // everything after the IP header
    const char* dst = "203.0.113.1";
};

std::vector<std::uint8_t> datagram_of(const Crafted& c) {
    std::size_t ihl = 20 + c.options.size();
    std::vector<std::uint8_t> b(ihl + c.l4.size(), 0);
    b[0] = static_cast<std::uint8_t>(0x40 | (ihl / 4));
    b[1] = c.tos;
    put16(b, 2, static_cast<std::uint16_t>(b.size()));
    put16(b, 4, c.id);
    put16(b, 6, c.frag);
    b[8] = c.ttl;
    b[9] = c.proto;
    std::uint8_t src[4] = {198, 51, 100, 7};
    std::copy(src, src + 4, b.begin() + 12);
    IpAddr dst = *parse_ip(c.dst, Family::ipv4);
    std::copy(dst.bytes.begin(), dst.bytes.begin() + 4, b.begin() + 16);
    std::copy(c.options.begin(), c.options.end(), b.begin() + 20);
    std::copy(c.l4.begin(), c.l4.end(), b.begin() + static_cast<std::ptrdiff_t>(ihl));
    put16(b, 10, test::internet_checksum(b.data(), ihl));
    return b;
}

std::vector<std::uint8_t> tcp_header(std::uint16_t sport, std::uint16_t dport, std::uint8_t flags, std::vector<std::uint8_t> options = {},
                                     std::uint8_t reserved = 0, std::uint16_t urg = 0) {
    std::vector<std::uint8_t> t(20 + options.size(), 0);
    put16(t, 0, sport);
    put16(t, 2, dport);
    put32(t, 4, 3542447248u);
    put32(t, 8, 17);
    t[12] = static_cast<std::uint8_t>(((20 + options.size()) / 4) << 4 | reserved);
    t[13] = flags;
    put16(t, 14, 65495);
    put16(t, 18, urg);
    std::copy(options.begin(), options.end(), t.begin() + 20);
    return t;
}

// An IPv4 header and 8 bytes of its transport header, as an ICMP error quotes them.
std::vector<std::uint8_t> quoted(std::uint8_t proto, std::uint16_t sport, std::uint16_t dport) {
    std::vector<std::uint8_t> l4(8, 0);
    put16(l4, 0, sport);
    put16(l4, 2, dport);
    const Crafted inner{"quoted", 0, 1, proto, 77, 0x4000, {}, l4, "192.0.2.50"};
    auto b = datagram_of(inner);
    put16(b, 2, 1400);  // the quoted datagram was longer than what is quoted of it
    put16(b, 10, 0);
    put16(b, 10, test::internet_checksum(b.data(), 20));
    return b;
}

std::vector<std::uint8_t> icmp(std::uint8_t type, std::uint8_t code, std::uint32_t rest, std::vector<std::uint8_t> body = {}) {
    std::vector<std::uint8_t> m(8 + body.size(), 0);
    m[0] = type;
    m[1] = code;
    put32(m, 4, rest);
    for (std::size_t i = 0; i < body.size(); ++i) m[8 + i] = body[i];
    return m;
}

std::vector<Crafted> crafted_datagrams() {
    const std::vector<std::uint8_t> syn_options = {0x02, 0x04, 0xff, 0xd7, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x01,
                                                   0x02, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07};
    std::vector<Crafted> v;
    auto add = [&](Crafted c) { v.push_back(std::move(c)); };
    add({"tcp syn with options", 0x10, 64, proto::tcp, 0x1234, 0x4000, {}, tcp_header(33732, 22, 0x02, syn_options)});
    add({"tcp every flag, reserved bits and AE, urgent pointer", 0xff, 3, proto::tcp, 1, 0, {}, tcp_header(1, 65535, 0xff, {}, 0x0f, 513)});
    add({"tcp header cut short", 0, 64, proto::tcp, 9, 0x4000, {}, {0x01, 0x02, 0x00, 0x16, 0, 0, 0, 0, 0, 0}});
    add({"tcp options cut short", 0, 64, proto::tcp, 9, 0x4000, {}, [] {
             auto t = tcp_header(5000, 80, 0x10);
             t[12] = 0xf0;  // a data offset of 60 bytes in a 20-byte segment
             return t;
         }()});
    add({"udp", 0xb8, 200, proto::udp, 0xffff, 0, {}, {0x9c, 0x40, 0x00, 0x35, 0x00, 0x0c, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef}});
    add({"udplite", 0, 64, proto::udplite, 2, 0, {}, {0x9c, 0x40, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00}});
    add({"first fragment of udp", 0, 64, proto::udp, 4242, 0x2000, {}, {0x9c, 0x40, 0x00, 0x35, 0x05, 0xdc, 0x00, 0x00, 1, 2, 3, 4, 5, 6, 7, 8}});
    add({"later fragment of udp", 0, 64, proto::udp, 4242, 0x00b9, {}, {1, 2, 3, 4, 5, 6, 7, 8}});
    add({"later fragment of tcp, more to come", 0, 64, proto::tcp, 4243, 0x2010, {}, {1, 2, 3, 4, 5, 6, 7, 8}});
    add({"later fragment of icmp", 0, 64, proto::icmp, 4244, 0x0010, {}, {1, 2, 3, 4, 5, 6, 7, 8}});
    add({"later fragment of ah", 0, 64, proto::ah, 4245, 0x0010, {}, {1, 2, 3, 4, 5, 6, 7, 8}});
    add({"later fragment of esp", 0, 64, proto::esp, 4246, 0x0010, {}, {1, 2, 3, 4, 5, 6, 7, 8}});
    add({"reserved (evil) bit", 0, 64, proto::udp, 5, 0x8000, {}, {0x9c, 0x40, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00}});
    add({"ip options: router alert, nop, end",
         0,
         1,
         proto::udp,
         6,
         0x4000,
         {0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00},
         {0x9c, 0x40, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00}});
    add({"icmp echo request", 0, 64, proto::icmp, 7, 0x4000, {}, icmp(8, 0, 0x0abc0003, {'p', 'i', 'n', 'g'})});
    add({"icmp echo reply", 0, 64, proto::icmp, 7, 0x4000, {}, icmp(0, 0, 0x0abc0004)});
    add({"icmp fragmentation needed, quoting udp", 0xc0, 64, proto::icmp, 8, 0, {}, icmp(3, 4, 1400, quoted(proto::udp, 40000, 53))});
    add({"icmp time exceeded, quoting tcp", 0xc0, 64, proto::icmp, 9, 0, {}, icmp(11, 0, 0, quoted(proto::tcp, 40000, 443))});
    add({"icmp port unreachable, quoting icmp", 0xc0, 64, proto::icmp, 10, 0, {}, icmp(3, 3, 0, quoted(proto::icmp, 0x0800, 0x1234))});
    add({"icmp redirect, quoting udp", 0xc0, 64, proto::icmp, 11, 0, {}, icmp(5, 1, 0xc0000201, quoted(proto::udp, 1, 2))});
    add({"icmp parameter problem", 0xc0, 64, proto::icmp, 12, 0, {}, icmp(12, 0, 0x14000000, quoted(proto::udp, 3, 4))});
    add({"icmp error too short to quote", 0xc0, 64, proto::icmp, 13, 0, {}, icmp(3, 1, 0, {0x45, 0, 0, 20})});
    add({"icmp timestamp too short", 0, 64, proto::icmp, 14, 0, {}, icmp(13, 0, 0x00010001)});
    add({"icmp header cut short", 0, 64, proto::icmp, 15, 0, {}, {8, 0, 0, 0}});
    add({"icmp of an unknown type", 0, 64, proto::icmp, 16, 0, {}, icmp(42, 7, 0)});
    add({"ah", 0, 64, proto::ah, 17, 0, {}, {17, 4, 0, 0, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1, 0, 0, 0, 0}});
    add({"ah cut short", 0, 64, proto::ah, 18, 0, {}, {17, 4, 0, 0, 0xde, 0xad}});
    add({"esp", 0, 64, proto::esp, 19, 0, {}, {0x00, 0x00, 0x10, 0x01, 0, 0, 0, 9, 1, 2, 3, 4}});
    add({"esp cut short", 0, 64, proto::esp, 20, 0, {}, {0x00, 0x00}});
    add({"gre", 0, 64, proto::gre, 21, 0, {}, {0, 0, 0x08, 0x00}});
    add({"sctp", 0, 64, proto::sctp, 22, 0, {}, {0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0}});
    add({"forwarded udp, to be marked", 0x04, 64, proto::udp, 23, 0x4000, {}, {0x9c, 0x41, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00}, "192.0.2.50"});
    return v;
}

// Every kind of header nf_log_syslog.c prints, with every LOG option: fwbench's line is the
// kernel's. Two LOG rules per hook: one with every flag, one with --log-macdecode (whose MAC
// fields differ); in mangle, after a MARK, so MARK= shows.
TEST(KernelLogLines, EveryHeaderKindIsPrintedAsTheKernelPrintsIt) {
    require_kernel();
    if (HasFatalFailure() || IsSkipped()) return;
    const std::string token = run_token();
    RouterWorkload w = make_router_workload({1, 1, 0, 0});
    Host host = Host::from_json(w.host_json, "router_workload host");
    std::ostringstream rules;
    rules << "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
          << "-A PREROUTING -j LOG --log-prefix \"" << token
          << "all \" --log-level 6 --log-tcp-sequence --log-tcp-options --log-ip-options --log-uid\n"
          << "-A PREROUTING -j LOG --log-prefix \"" << token << "mac \" --log-macdecode\nCOMMIT\n"
          << "*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
          << "-A FORWARD -p udp -j MARK --set-xmark 0x2a/0xffffffff\n"
          << "-A FORWARD -j LOG --log-prefix \"" << token << "fwd \"\n"
          << "-A POSTROUTING -j LOG --log-prefix \"" << token << "post \" --log-level 7\nCOMMIT\n"
          << "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n";
    Ruleset rs = parse_ruleset(rules.str(), {});
    KernelLog klog;
    KernelOracle kernel(host, rs);
    PacketPath path(rs, host);
    PathState st(rs, EngineOptions{}, host.sysctl());
    st.icmp_rate_limit = false;  // an unpaced replay: the oracle turns icmp_ratelimit off
    std::size_t compared = 0;
    for (const Crafted& c : crafted_datagrams()) {
        std::vector<std::uint8_t> d = datagram_of(c);
        ParsedDatagram parsed = parse_ipv4(d.data(), d.size());
        ASSERT_EQ(parsed.error, Malformation::none) << c.name;
        Packet p = parsed.packet;
        p.in = IfaceName("wan1");
        p.has_mac = true;
        p.src_mac = MacAddr{{0x02, 0x00, 0x5e, 0x10, 0x00, 0x07}};
        kernel.inject_datagram(p, Origin::wire, d);
        std::vector<std::string> theirs = klog.take(token);
        PathResult res = path.process(p, Origin::wire, st, true);
        std::vector<std::string> ours = fwbench_lines(rs, res, Origin::wire, d, link_header_of_packet(p, host));
        EXPECT_EQ(ours, theirs) << c.name << "\nkernel:\n" << joined(theirs) << "fwbench:\n" << joined(ours);
        compared += theirs.size();
    }
    EXPECT_EQ(klog.lost(), 0u);
    EXPECT_GE(compared, 2 * crafted_datagrams().size());
}

// The router workload with a LOG rule first in every built-in chain of every table: each hook
// shows its devices (POSTROUTING a forwarded packet's arrival device too), the frame's MAC
// where there is an input device (lo's zeros for the host's own packets), and the packet as it
// is there — after DNAT and MASQUERADE, with TTL decremented when forwarded.
TEST(KernelLogLines, EveryHookLogsWhatTheKernelLogs) {
    require_kernel();
    if (HasFatalFailure() || IsSkipped()) return;
    const std::string token = run_token();
    RouterWorkload w = make_router_workload({120, 21, 30, 20});
    Host host = Host::from_json(w.host_json, "router_workload host");
    // A LOG rule before the first rule of each built-in chain, and a raw table.
    std::istringstream in(w.rules);
    std::ostringstream text;
    text << "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -j LOG --log-prefix \"" << token
         << "raw-PRE \"\n-A OUTPUT -j LOG --log-prefix \"" << token << "raw-OUT \"\nCOMMIT\n";
    std::string table, line;
    std::vector<std::string> builtins;
    bool logged = false;
    while (std::getline(in, line)) {
        if (line.rfind("*", 0) == 0) {
            table = line.substr(1);
            builtins.clear();
            logged = false;
        } else if (line.rfind(":", 0) == 0 && line.find(" - ") == std::string::npos) {
            builtins.push_back(line.substr(1, line.find(' ') - 1));
        } else if (!logged && (line.rfind("-A", 0) == 0 || line == "COMMIT")) {
            for (const auto& chain : builtins)
                text << "-A " << chain << " -j LOG --log-prefix \"" << token << table << "-" << chain.substr(0, 4) << " \"\n";
            logged = true;
        }
        text << line << "\n";
    }
    Ruleset rs = parse_ruleset(text.str(), {});
    KernelLog klog;
    KernelOracle kernel(host, rs);
    PacketPath path(rs, host);
    PathState st(rs, EngineOptions{}, host.sysctl());
    st.icmp_rate_limit = false;  // an unpaced replay: the oracle turns icmp_ratelimit off
    std::string file = testing::TempDir() + "router_workload_log.pcapng";
    std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(w.capture.data()), static_cast<std::streamsize>(w.capture.size()));
    CaptureAnalysis replay(path, st, {"", true, 2000000000ull});
    CaptureReader reader(file);
    CaptureRecord rec;
    std::size_t lines = 0, packets = 0, with_lo_mac = 0, postrouting_with_in = 0, broadcast_copy = 0;
    auto compare = [&](Packet p, Origin origin, const PathResult& res, const std::string& what) {
        p.has_mac = true;
        p.src_mac = MacAddr{{0x02, 0x00, 0x5e, 0x10, 0x00, static_cast<std::uint8_t>(packets)}};
        kernel.inject(p, origin);
        std::vector<std::string> theirs = klog.take(token);
        std::vector<std::uint8_t> d = build_ipv4(p);
        std::vector<std::string> ours = fwbench_lines(rs, res, origin, d, link_header_of_packet(p, host));
        // An ICMP error the kernel sent itself has an IP ID it drew; fwbench says ID=?.
        for (std::size_t i = 0; i < ours.size() && i < theirs.size(); ++i)
            if (auto at = ours[i].find(" ID=? "); at != std::string::npos) {
                const std::size_t id = theirs[i].find(" ID="), end = id == std::string::npos ? id : theirs[i].find(' ', id + 4);
                if (end != std::string::npos) theirs[i] = theirs[i].substr(0, id) + " ID=?" + theirs[i].substr(end);
            }
        EXPECT_EQ(ours, theirs) << what << " (" << format_packet_description(p, origin == Origin::local) << ")\nkernel:\n"
                                << joined(theirs) << "fwbench:\n"
                                << joined(ours);
        return ours;
    };
    // The capture, then the host's own packets to itself and a broadcast it sends.
    while (reader.next(rec)) {
        AnalyzedPacket rp = replay.feed(rec);
        if (rp.origin != CaptureOrigin::wire && rp.origin != CaptureOrigin::local) continue;
        std::vector<std::string> ours = compare(rp.input, rp.path_origin, rp.result, "capture packet " + std::to_string(rec.index));
        if (HasFailure()) return;
        for (const auto& l : ours) {
            with_lo_mac += l.find("IN=lo OUT= MAC=00:00:00:00:00:00:00:00:00:00:00:00:08:00 ") != std::string::npos;
            postrouting_with_in += l.find("-POST IN=wan1 OUT=") != std::string::npos || l.find("-POST IN=lan0 OUT=") != std::string::npos;
        }
        lines += ours.size();
        ++packets;
    }
    for (const char* d : {"tcp 203.0.113.1:40000 > 203.0.113.1:22 flags=S from local", "udp 127.0.0.1:5000 > 127.0.0.1:53 from local",
                          "udp 192.0.2.1:68 > 192.0.2.255:67 from local", "tcp 192.0.2.1:40001 > 203.0.113.1:80 flags=S from local"}) {
        Packet p = parse_packet_description(d).packet;
        p.ip_id = 4321;  // a raw socket's datagram keeps a non-zero ID
        PathResult res = path.process(p, Origin::local, st, true);
        for (const auto& l : compare(p, Origin::local, res, d)) {
            with_lo_mac += l.find("IN=lo OUT= MAC=00:00:00:00:00:00:00:00:00:00:00:00:08:00 ") != std::string::npos;
            broadcast_copy += l.find("IN=lan0 OUT= MAC= ") != std::string::npos;
        }
    }
    EXPECT_EQ(klog.lost(), 0u);
    EXPECT_GT(packets, 500u);
    EXPECT_GT(lines, 2 * packets);
    EXPECT_GT(with_lo_mac, 2u);
    EXPECT_GT(broadcast_copy, 0u);
    EXPECT_GT(postrouting_with_in, 0u);
    std::cout << lines << " log lines of " << packets << " packets equal the kernel's\n";
}

}  // namespace
}  // namespace fwbench
