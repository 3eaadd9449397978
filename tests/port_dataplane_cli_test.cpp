// The port dataplane end to end, no NIC needed: net_pcap ports read a capture (rx_pcap) and
// write what leaves each interface (tx_pcap). What comes out of forwarding mode must be exactly
// the accepted forwarded packets, rewritten as the kernel sends them: MASQUERADE's source,
// TTL - 1, valid IPv4 and TCP/UDP checksums, the exit interface's MAC; nothing dropped or
// delivered leaves, but the kernel's own answers do (time exceeded, REJECT's RST), back to
// their senders. Bad ports are errors naming what exists.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "fwbench/capture.hpp"
#include "fwbench/netns.hpp"
#include "fwbench/subprocess.hpp"
#include "fwbench/packet_codec.hpp"
#include "fwbench/packet_description.hpp"
#include "command_words.hpp"
#include "must_run.hpp"
#include "checksum.hpp"

namespace fwbench {
namespace {

// This process's own scratch directory: two test runs at once must not share files.
std::string scratch() {
    static const std::string dir = [] {
        std::string d = testing::TempDir() + "fwbench-ports-" + std::to_string(getpid()) + "/";
        std::filesystem::create_directories(d);
        return d;
    }();
    return dir;
}

std::string env_or_fail(const char* name) {
    const char* v = std::getenv(name);
    if (!v) throw std::runtime_error(std::string("test needs ") + name + " (run it through meson test)");
    return v;
}

struct Ran {
    int status = -1;
    std::string out, err;
};

// fwbench with the arguments of one line (command_words.hpp), no shell; killed after 60 s.
Ran fwbench(const std::string& args) {
    std::string dir = scratch();
    std::vector<std::string> argv = test::command_words(args);
    argv.insert(argv.begin(), env_or_fail("FWBENCH_BIN"));
    Ran r;
    {
        RunningProgram p({argv, {}, -1}, dir + "ports.out", dir + "ports.err");
        r.status = p.wait(60);
    }
    std::ifstream o(dir + "ports.out"), e(dir + "ports.err");
    r.out.assign(std::istreambuf_iterator<char>(o), {});
    r.err.assign(std::istreambuf_iterator<char>(e), {});
    return r;
}

std::string write(const std::string& name, const std::string& text) {
    std::string file = scratch() + name;
    std::ofstream(file, std::ios::binary) << text;
    return file;
}

std::string write_bytes(const std::string& name, const std::vector<std::uint8_t>& bytes) {
    std::string file = scratch() + name;
    std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return file;
}

const MacAddr lan_mac{{0x02, 0, 0x5e, 0, 0x02, 0x01}}, wan_mac{{0x02, 0, 0x5e, 0, 0x01, 0x01}}, client_mac{{0x02, 0xaa, 0, 0, 0, 0x50}};

std::vector<std::uint8_t> frame(const std::string& description, const MacAddr& to) {
    Packet p = parse_packet_description(description).packet;
    p.ip_id = 7;
    return ethernet_frame(client_mac, to, build_ipv4(p));
}

bool transport_checksum_ok(const std::uint8_t* ip, std::size_t total) {
    const std::size_t ihl = static_cast<std::size_t>(ip[0] & 0x0f) * 4;
    const std::uint32_t pseudo = (ip[12] << 8 | ip[13]) + (ip[14] << 8 | ip[15]) + (ip[16] << 8 | ip[17]) + (ip[18] << 8 | ip[19]) + ip[9] +
                                 static_cast<std::uint32_t>(total - ihl);
    return test::internet_checksum(ip + ihl, total - ihl, pseudo) == 0;
}

TEST(FwbenchPorts, ForwardingWritesExactlyTheAcceptedPacketsRewritten) {
    const std::string host = env_or_fail("FWBENCH_SOURCE") + "/traces/seed/host.json";
    const std::string rules = write("ports.v4",
                                    "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
                                    "-A POSTROUTING -o wan1 -j MASQUERADE\nCOMMIT\n"
                                    "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                                    "-A FORWARD -p tcp -m tcp --dport 25 -j DROP\n"
                                    "-A FORWARD -p tcp -m tcp --dport 113 -j REJECT --reject-with tcp-reset\nCOMMIT\n");
    std::vector<CaptureFrame> lan = {
        {1000, frame("tcp 192.0.2.50:40000 > 198.51.100.7:443 flags=S len=60 ttl=64", lan_mac), 0, Direction::unknown, 0},
        {2000, frame("tcp 192.0.2.50:40001 > 198.51.100.7:25 flags=S len=60 ttl=64", lan_mac), 0, Direction::unknown, 0},  // dropped
        {3000, frame("udp 192.0.2.51:4000 > 198.51.100.9:53 len=120 ttl=30", lan_mac), 0, Direction::unknown, 0},
        {4000, frame("tcp 192.0.2.50:40002 > 192.0.2.1:22 flags=S len=60 ttl=64", lan_mac), 0, Direction::unknown, 0},  // delivered
        {5000, frame("tcp 192.0.2.52:40003 > 198.51.100.7:80 flags=S len=60 ttl=1", lan_mac), 0, Direction::unknown, 0},  // TTL expires
        {6000, frame("tcp 192.0.2.53:40004 > 198.51.100.7:113 flags=S len=60 ttl=64", lan_mac), 0, Direction::unknown, 0},  // rejected
    };
    const std::string in = write_bytes("lan_in.pcap", write_pcap(linktype::ethernet, lan));
    const std::string empty = write_bytes("empty.pcap", write_pcap(linktype::ethernet, {}));
    const std::string out_wan = scratch() + "wan_out.pcap", out_lan = scratch() + "lan_out.pcap";
    std::remove(out_wan.c_str());
    const std::string eal =
        "--eal '--vdev=net_pcap0,rx_pcap=" + in + ",tx_pcap=" + out_lan + " --vdev=net_pcap1,rx_pcap=" + empty + ",tx_pcap=" + out_wan + "'";
    Ran r = fwbench("--rules " + rules + " --host " + host + " --port net_pcap0=lan0 --port net_pcap1=wan1 --idle-stop 0.5 " + eal +
                    " -q --json - --counters " + scratch() + "ports_counters.v4");
    ASSERT_EQ(r.status, 0) << r.err << r.out;
    auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["rx"], 6);
    EXPECT_EQ(doc["tx"], 4);
    EXPECT_EQ(doc["fates"]["forwarded"], 2);
    EXPECT_EQ(doc["fates"]["dropped"], 2);
    EXPECT_EQ(doc["fates"]["delivered"], 1);
    EXPECT_EQ(doc["fates"]["rejected"], 1);
    EXPECT_EQ(doc["answers"]["sent"], 2);

    CaptureReader reader(out_wan);
    CaptureRecord rec;
    std::vector<Packet> sent;
    while (reader.next(rec)) {
        LinkInfo link = decode_link(rec.link_type, rec.frame.data(), rec.frame.size());
        ASSERT_TRUE(link.src_mac.has_value());
        EXPECT_EQ(*link.src_mac, wan_mac) << "frames leave with the exit interface's MAC";
        ParsedDatagram d = parse_ipv4(rec.frame.data() + link.l3_offset, rec.frame.size() - link.l3_offset);
        ASSERT_EQ(d.error, Malformation::none) << "IPv4 header checksum and lengths";
        EXPECT_TRUE(transport_checksum_ok(rec.frame.data() + link.l3_offset, d.packet.length)) << "packet " << rec.index;
        sent.push_back(d.packet);
    }
    ASSERT_EQ(sent.size(), 2u);
    auto brief = [](const Packet& p) {
        return std::to_string(p.proto) + " " + format_ip(p.src) + ":" + std::to_string(p.sport) + " > " + format_ip(p.dst) + ":" +
               std::to_string(p.dport) + " len=" + std::to_string(p.length) + " ttl=" + std::to_string(p.ttl);
    };
    EXPECT_EQ(brief(sent[0]), "6 203.0.113.1:40000 > 198.51.100.7:443 len=60 ttl=63");
    EXPECT_EQ(brief(sent[1]), "17 203.0.113.1:4000 > 198.51.100.9:53 len=120 ttl=29");
    // Back out of the LAN port, to each sender's MAC: the time exceeded quoting the expired
    // packet as it arrived (RFC 792: its IP header and more), then the RST for the SYN to 113
    // (RFC 793: acknowledging its sequence number and all it occupied). Nothing else: no local
    // sink was named.
    CaptureReader lan_out(out_lan);
    std::vector<std::vector<std::uint8_t>> back;
    while (lan_out.next(rec)) {
        LinkInfo link = decode_link(rec.link_type, rec.frame.data(), rec.frame.size());
        ASSERT_TRUE(link.src_mac.has_value());
        EXPECT_EQ(*link.src_mac, lan_mac);
        EXPECT_TRUE(std::equal(rec.frame.begin(), rec.frame.begin() + 6, client_mac.bytes.begin())) << "to the sender's MAC";
        back.emplace_back(rec.frame.begin() + static_cast<std::ptrdiff_t>(link.l3_offset), rec.frame.end());
    }
    ASSERT_EQ(back.size(), 2u);
    ParsedDatagram exceeded = parse_ipv4(back[0].data(), back[0].size());
    ASSERT_EQ(exceeded.error, Malformation::none);
    EXPECT_EQ(brief(exceeded.packet), "1 192.0.2.1:0 > 192.0.2.52:0 len=88 ttl=64");
    EXPECT_EQ(std::make_tuple(exceeded.packet.icmp_type, exceeded.packet.icmp_code, exceeded.packet.tos), std::make_tuple(11, 0, 0xc0));
    EXPECT_EQ(test::internet_checksum(back[0].data() + 20, back[0].size() - 20), 0) << "ICMP checksum";
    const std::vector<std::uint8_t> expired = build_ipv4([] {
        Packet p = parse_packet_description("tcp 192.0.2.52:40003 > 198.51.100.7:80 flags=S len=60 ttl=1").packet;
        p.ip_id = 7;
        return p;
    }());
    EXPECT_TRUE(std::equal(expired.begin(), expired.end(), back[0].begin() + 28)) << "the whole expired datagram, quoted";
    ParsedDatagram reset = parse_ipv4(back[1].data(), back[1].size());
    ASSERT_EQ(reset.error, Malformation::none);
    EXPECT_EQ(brief(reset.packet), "6 198.51.100.7:113 > 192.0.2.53:40004 len=40 ttl=64");
    EXPECT_EQ(reset.packet.tcp_flags, tcp_flag::rst | tcp_flag::ack);
    EXPECT_EQ(reset.packet.tcp_ack, 21u) << "sequence 0, + 1 for the SYN, + its 20 bytes of data (len=60, 40 of headers)";
    EXPECT_TRUE(transport_checksum_ok(back[1].data(), back[1].size()));
}

// With the host's sockets listed (and no --local device, whose stack would answer), the port
// answers for the host's stack out of the port the packet came in by, to the sender's MAC: a
// SYN-ACK from the listener on 22 (acknowledging the SYN), a reset from closed 23, port
// unreachable from UDP 9, an echo reply carrying the request's data.
// lan0 and wan1 as net_pcap ports, each reading `NAME_lan_in.pcap` / `NAME_wan_in.pcap` (the
// frames given) and writing what leaves by it to lan_out / wan_out; `args` are fwbench's others.
struct TwoPorts {
    Ran ran;
    std::string lan_out, wan_out;
};
TwoPorts run_lan_wan(const std::string& name, const std::vector<CaptureFrame>& lan, const std::vector<CaptureFrame>& wan, const std::string& args) {
    const std::string lan_in = write_bytes(name + "_lan_in.pcap", write_pcap(linktype::ethernet, lan));
    const std::string wan_in = write_bytes(name + "_wan_in.pcap", write_pcap(linktype::ethernet, wan));
    TwoPorts t{{}, scratch() + name + "_lan_out.pcap", scratch() + name + "_wan_out.pcap"};
    std::remove(t.lan_out.c_str());
    std::remove(t.wan_out.c_str());
    const std::string eal =
        "--eal '--vdev=net_pcap0,rx_pcap=" + lan_in + ",tx_pcap=" + t.lan_out + " --vdev=net_pcap1,rx_pcap=" + wan_in + ",tx_pcap=" + t.wan_out + "'";
    t.ran = fwbench(args + " --port net_pcap0=lan0 --port net_pcap1=wan1 --idle-stop 0.5 " + eal);
    return t;
}

TEST(FwbenchPorts, TheHostsStackAnswersLeaveByTheArrivalPort) {
    auto doc = nlohmann::json::parse(std::ifstream(env_or_fail("FWBENCH_SOURCE") + "/traces/seed/host.json"));
    doc["sockets"] = {"tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:*"};
    const std::string host = write("sockets_host.json", doc.dump());
    const std::string rules = write("stack.v4", "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n");
    std::vector<CaptureFrame> lan = {
        {1000, frame("tcp 192.0.2.50:40000 > 192.0.2.1:22 flags=S seq=100 mss=1460 len=44", lan_mac), 0, Direction::unknown, 0},
        {2000, frame("tcp 192.0.2.50:40001 > 192.0.2.1:23 flags=S seq=200 len=40", lan_mac), 0, Direction::unknown, 0},
        {3000, frame("udp 192.0.2.50:4000 > 192.0.2.1:9 len=40", lan_mac), 0, Direction::unknown, 0},
        {4000, frame("icmp 192.0.2.50 > 192.0.2.1 type=8 id=5 len=60", lan_mac), 0, Direction::unknown, 0},
    };
    const TwoPorts ports = run_lan_wan("stack", lan, {}, "--rules " + rules + " --host " + host + " -q --json -");
    const Ran& r = ports.ran;
    const std::string &out_lan = ports.lan_out, &out_wan = ports.wan_out;
    ASSERT_EQ(r.status, 0) << r.err << r.out;
    auto out = nlohmann::json::parse(r.out);
    EXPECT_EQ(out["fates"]["delivered"], 4);
    EXPECT_EQ(out["answers"]["sent"], 4);
    CaptureReader lan_out(out_lan);
    CaptureRecord rec;
    std::vector<Packet> back;
    while (lan_out.next(rec)) {
        LinkInfo link = decode_link(rec.link_type, rec.frame.data(), rec.frame.size());
        EXPECT_TRUE(std::equal(rec.frame.begin(), rec.frame.begin() + 6, client_mac.bytes.begin())) << "to the sender's MAC";
        ParsedDatagram d = parse_ipv4(rec.frame.data() + link.l3_offset, rec.frame.size() - link.l3_offset);
        ASSERT_EQ(d.error, Malformation::none);
        if (d.packet.proto != proto::icmp) EXPECT_TRUE(transport_checksum_ok(rec.frame.data() + link.l3_offset, d.packet.length));
        else EXPECT_EQ(test::internet_checksum(rec.frame.data() + link.l3_offset + 20, d.packet.length - 20), 0) << "ICMP checksum";
        back.push_back(d.packet);
    }
    ASSERT_EQ(back.size(), 4u);
    EXPECT_EQ(std::make_tuple(back[0].sport, back[0].dport, back[0].tcp_flags, back[0].tcp_ack, back[0].length),
              std::make_tuple(22, 40000, tcp_flag::syn | tcp_flag::ack, 101u, 44u))
        << "a SYN-ACK offering only an MSS, as the SYN did";
    EXPECT_EQ(std::make_tuple(back[1].sport, back[1].tcp_flags, back[1].tcp_ack), std::make_tuple(23, tcp_flag::rst | tcp_flag::ack, 201u));
    EXPECT_EQ(std::make_tuple(back[2].icmp_type, back[2].icmp_code, back[2].icmp_quoted.dport), std::make_tuple(3, 3, 9));
    EXPECT_EQ(std::make_tuple(back[3].icmp_type, back[3].icmp_id, back[3].length), std::make_tuple(0, 5, 60u));
    CaptureReader wan_out(out_wan);
    EXPECT_FALSE(wan_out.next(rec)) << "nothing leaves by wan1";
}

// A forwarded datagram without DF larger than the way out's MTU (lan0: 1400) leaves in fragments,
// as ip_do_fragment cuts it: 1376 payload bytes (the largest multiple of 8 that fits), then the
// rest, offsets in 8-byte units, MF on all but the last, the same ID, and together the datagram's
// payload. With DF it is refused with fragmentation needed instead (out of wan1, by where it came).
TEST(FwbenchPorts, ForwardedDatagramsLargerThanTheMtuLeaveInFragments) {
    auto doc = nlohmann::json::parse(std::ifstream(env_or_fail("FWBENCH_SOURCE") + "/traces/seed/host.json"));
    for (auto& itf : doc["addr"])
        if (itf["ifname"] == "lan0") itf["mtu"] = 1400;
        else if (itf["ifname"] == "wan1") itf["mtu"] = 1500;
    const std::string host = write("mtu_host.json", doc.dump());
    const std::string rules = write("mtu.v4", "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n");
    const std::string big = "udp 198.51.100.9:53 > 192.0.2.50:4000 len=1450 ttl=30";
    std::vector<CaptureFrame> wan = {
        {1000, frame(big + " df=0", wan_mac), 0, Direction::unknown, 0},
        {2000, frame(big + " df=1", wan_mac), 0, Direction::unknown, 0},
    };
    const TwoPorts ports = run_lan_wan("mtu", {}, wan, "--rules " + rules + " --host " + host + " -q --json -");
    const Ran& r = ports.ran;
    const std::string &out_lan = ports.lan_out, &out_wan = ports.wan_out;
    ASSERT_EQ(r.status, 0) << r.err << r.out;
    auto out = nlohmann::json::parse(r.out);
    EXPECT_EQ(out["fates"]["forwarded"], 1);
    EXPECT_EQ(out["fragmentation"]["datagrams"], 1);
    EXPECT_EQ(out["fragmentation"]["fragments_sent"], 2);
    EXPECT_EQ(out["answers"]["sent"], 1);
    Packet sent_packet = parse_packet_description(big + " df=0").packet;
    sent_packet.ip_id = 7;
    const std::vector<std::uint8_t> original = build_ipv4(sent_packet);
    CaptureReader lan_out(out_lan);
    CaptureRecord rec;
    std::vector<std::uint8_t> payload;
    std::vector<std::tuple<int, int, int, int>> pieces;  // length, MF, offset, ID
    while (lan_out.next(rec)) {
        const std::uint8_t* ip = rec.frame.data() + 14;
        ParsedDatagram d = parse_ipv4(ip, rec.frame.size() - 14);
        ASSERT_EQ(d.error, Malformation::none) << "header checksum and lengths";
        EXPECT_EQ(d.packet.ttl, 29);
        pieces.emplace_back(ip[2] << 8 | ip[3], (ip[6] >> 5) & 1, (ip[6] & 0x1f) << 8 | ip[7], ip[4] << 8 | ip[5]);
        payload.insert(payload.end(), ip + 20, ip + (ip[2] << 8 | ip[3]));
    }
    EXPECT_EQ(pieces, (std::vector<std::tuple<int, int, int, int>>{{1396, 1, 0, 7}, {74, 0, 172, 7}}));
    EXPECT_TRUE(payload.size() == original.size() - 20 && std::equal(payload.begin(), payload.end(), original.begin() + 20))
        << "the fragments carry the datagram's payload, in order";
    CaptureReader wan_out(out_wan);
    ASSERT_TRUE(wan_out.next(rec)) << "the DF datagram's fragmentation needed";
    ParsedDatagram needed = parse_ipv4(rec.frame.data() + 14, rec.frame.size() - 14);
    EXPECT_EQ(std::make_tuple(needed.packet.icmp_type, needed.packet.icmp_code), std::make_tuple(3, 4));
}

// Needs root (network namespaces); a skip says why, and is a failure under
// FWBENCH_REQUIRE_KERNEL=1 (CI).
bool can_use_namespaces(std::string& why) {
    if (geteuid() != 0) {
        why = "not root";
        return false;
    }
    return true;
}

// A live af_packet port on a veth inside a namespace of the test's own receives injected frames
// and counts them exactly as fwbench counts the same frames read from a capture.
TEST(FwbenchPorts, LiveAfPacketPortEqualsTheCapture) {
    std::string why;
    if (!can_use_namespaces(why)) FWBENCH_CANNOT_RUN("live port test needs network namespaces: " << why);
    const std::string host = env_or_fail("FWBENCH_SOURCE") + "/traces/seed/host.json";
    const std::string rules = write("live.v4",
                                    "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                                    "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
                                    "-A INPUT -i wan1 -p tcp -m tcp --dport 22 -j ACCEPT\n"
                                    "-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT\n"
                                    "-A INPUT -p udp -m udp --dport 53\n"
                                    "-A FORWARD -p tcp -m tcp --dport 25 -j DROP\nCOMMIT\n");
    std::vector<CaptureFrame> frames;
    std::uint64_t t = 1000;
    for (int i = 0; i < 60; ++i) {
        const std::string peer = "198.51.100." + std::to_string(10 + i % 7);
        const std::string port = std::to_string(30000 + i);
        const char* kinds[] = {"tcp %P:%S > 203.0.113.1:22 flags=S",   "tcp %P:%S > 203.0.113.1:80 flags=S", "udp %P:%S > 203.0.113.1:53 len=80",
                               "icmp %P > 203.0.113.1 type=8/0 id=%S", "tcp %P:%S > 192.0.2.50:25 flags=S",  "tcp %P:%S > 192.0.2.50:443 flags=S"};
        std::string d = kinds[i % 6];
        for (auto at = d.find("%P"); at != std::string::npos; at = d.find("%P")) d.replace(at, 2, peer);
        for (auto at = d.find("%S"); at != std::string::npos; at = d.find("%S")) d.replace(at, 2, port);
        frames.push_back({t += 1000, frame(d, wan_mac), 0, Direction::unknown, 0});
    }
    frames.push_back({t += 1000, ethernet_frame(client_mac, MacAddr{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}, {0, 1, 8, 0, 6, 4, 0, 1}, 0, 0x0806), 0,
                      Direction::unknown, 0});  // ARP: skipped both ways
    const std::string capture = write_bytes("live.pcap", write_pcap(linktype::ethernet, frames));

    // A namespace of the test's own, gone with its descriptor (netns.hpp).
    const std::string dir = scratch();
    NetNamespace ns;
    ns.write_sysctl("net/ipv6/conf/all/disable_ipv6", "1");
    ns.write_sysctl("net/ipv6/conf/default/disable_ipv6", "1");
    auto in_ns = [&](std::vector<std::string> argv) { return run_program({std::move(argv), {}, ns.fd()}); };
    ASSERT_TRUE(in_ns({"ip", "link", "add", "name", "veth-fw", "type", "veth", "peer", "name", "veth-inj"}).ok());
    ASSERT_TRUE(in_ns({"ip", "link", "set", "dev", "veth-fw", "up"}).ok());
    ASSERT_TRUE(in_ns({"ip", "link", "set", "dev", "veth-inj", "up"}).ok());
    // fwbench in the namespace, on an af_packet port over veth-fw standing for wan1. It stops when
    // no frame came for 5 s: on a loaded machine the injector (beside fwbench's busy-polling
    // worker) once stalled 1.5 s mid-capture, and fwbench stopped after the first 32 frames.
    const std::string live_json = dir + "live.json", live_counters = dir + "live_counters.v4";
    RunningProgram live_run(
        {{env_or_fail("FWBENCH_BIN"), "--rules", rules, "--host", host, "--port", "net_af_packet0=wan1", "--idle-stop", "5", "--duration", "40",
          "--no-forward", "-q", "--json", live_json, "--counters", live_counters, "--eal", "--vdev=net_af_packet0,iface=veth-fw"},
         {},
         ns.fd()},
        dir + "live.out", dir + "live.err");
    // Ready when its packet socket is bound (its namespace's /proc/net/packet lists it), plus a
    // moment for the port to start.
    auto packet_sockets = [&] {
        std::ifstream in("/proc/" + std::to_string(live_run.pid()) + "/net/packet");
        std::string line;
        int lines = 0;
        while (std::getline(in, line)) ++lines;
        return lines - 1;  // the header
    };
    bool ready = false;
    for (int i = 0; i < 200 && !ready && live_run.running(); ++i) {
        ready = packet_sockets() > 0;
        if (!ready) usleep(50000);
    }
    ASSERT_TRUE(ready) << "fwbench did not open its af_packet port: " << std::ifstream(dir + "live.err").rdbuf();
    usleep(500000);
    ASSERT_TRUE(in_ns({env_or_fail("FWBENCH_INJECT"), "veth-inj", capture}).ok());
    EXPECT_EQ(live_run.wait(40), 0) << std::ifstream(dir + "live.err").rdbuf();  // it stops 5 s after the last frame
    std::ifstream jf(live_json);
    ASSERT_TRUE(jf.good()) << std::ifstream(dir + "live.err").rdbuf();
    auto doc = nlohmann::json::parse(jf);
    EXPECT_EQ(doc["rx"], 61) << doc.dump();
    EXPECT_EQ(doc["ports"][0]["imissed"], 0);

    Ran replay = fwbench("--rules " + rules + " --host " + host + " --pcap " + capture + " --iface wan1 -q --counters -");
    ASSERT_EQ(replay.status, 0) << replay.err;
    std::ifstream lc(live_counters);
    std::string live((std::istreambuf_iterator<char>(lc)), {});
    EXPECT_EQ(live, replay.out) << "the same frames, live and from the capture, must count the same";
    EXPECT_NE(live.find("[10:"), std::string::npos) << live;  // the SSH SYNs, accepted
}

// Two workers (the first polls the ports and hands flows over) forward the same packets and
// count the same as one.
TEST(FwbenchPorts, TwoWorkersForwardAndCountAsOne) {
    const std::string host = env_or_fail("FWBENCH_SOURCE") + "/traces/seed/host.json";
    const std::string rules = write("ports2.v4",
                                    "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
                                    "-A POSTROUTING -o wan1 -j MASQUERADE\nCOMMIT\n"
                                    "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                                    "-A FORWARD -m conntrack --ctstate ESTABLISHED -j ACCEPT\n"
                                    "-A FORWARD -p tcp -m tcp --dport 25 -j DROP\n-A FORWARD -i lan0 -m conntrack --ctstate NEW -j ACCEPT\nCOMMIT\n");
    std::vector<CaptureFrame> lan;
    std::uint64_t t = 1000;
    for (int i = 0; i < 120; ++i) {
        const std::string c = "192.0.2." + std::to_string(20 + i % 40), port = std::to_string(41000 + i % 40);
        const char* dport = i % 7 == 0 ? "25" : "443";
        const char* flags = i < 40 ? "S" : "A";  // a SYN, then packets no reply has made ESTABLISHED
        lan.push_back({t += 1000, frame("tcp " + c + ":" + port + " > 198.51.100.7:" + dport + " flags=" + flags + " len=60 ttl=64", lan_mac), 0,
                       Direction::unknown, 0});
    }
    const std::string in = write_bytes("lan_in2.pcap", write_pcap(linktype::ethernet, lan));
    const std::string empty = write_bytes("empty3.pcap", write_pcap(linktype::ethernet, {}));
    auto run_with = [&](int workers) {
        const std::string out = scratch() + "wan_out" + std::to_string(workers) + ".pcap";
        const std::string eal = "--eal '--vdev=net_pcap0,rx_pcap=" + in + ",tx_pcap=" + scratch() +
                                "lan_out2.pcap --vdev=net_pcap1,rx_pcap=" + empty + ",tx_pcap=" + out + "'";
        const std::string counters = scratch() + "counters" + std::to_string(workers) + ".v4";
        Ran r = fwbench("--rules " + rules + " --host " + host + " --port net_pcap0=lan0 --port net_pcap1=wan1 --idle-stop 0.5 --workers " +
                        std::to_string(workers) + " " + eal + " -q --json - --counters " + counters);
        EXPECT_EQ(r.status, 0) << r.err;
        auto doc = nlohmann::json::parse(r.out);
        EXPECT_EQ(doc["workers"].size(), static_cast<std::size_t>(workers));
        for (const auto& w : doc["workers"]) EXPECT_GT(w["packets"].get<int>(), 20) << "every worker gets flows";
        std::ifstream cf(counters);
        r.out.assign(std::istreambuf_iterator<char>(cf), {});
        std::multiset<std::string> frames;
        CaptureReader reader(out);
        CaptureRecord rec;
        while (reader.next(rec)) frames.insert(std::string(rec.frame.begin(), rec.frame.end()));
        return std::make_pair(r.out, frames);
    };
    auto one = run_with(1), two = run_with(2);
    EXPECT_EQ(one.first, two.first) << "counters";
    EXPECT_GT(one.second.size(), 30u);
    EXPECT_NE(one.first.find("-A FORWARD -p tcp -m tcp --dport 25 -j DROP"), std::string::npos);
    EXPECT_EQ(one.first.find("[0:0] -A FORWARD -p tcp -m tcp --dport 25 -j DROP"), std::string::npos) << "the port-25 packets were counted";
    EXPECT_TRUE(one.second == two.second) << "the same frames leave wan1";
}

TEST(FwbenchPorts, BadPortsAreClearErrors) {
    const std::string host = env_or_fail("FWBENCH_SOURCE") + "/traces/seed/host.json";
    const std::string rules = env_or_fail("FWBENCH_SOURCE") + "/traces/seed/rules.v4";
    Ran missing = fwbench("--rules " + rules + " --host " + host + " --port 3=wan1 --idle-stop 0.2");
    EXPECT_EQ(missing.status, 2);
    EXPECT_NE(missing.err.find("port 3 does not exist; DPDK has: none"), std::string::npos) << missing.err;
    const std::string empty = write_bytes("empty2.pcap", write_pcap(linktype::ethernet, {}));
    Ran noiface = fwbench("--rules " + rules + " --host " + host + " --port net_pcap0=eth9 --idle-stop 0.2 --eal '--vdev=net_pcap0,rx_pcap=" + empty +
                          ",tx_pcap=" + scratch() + "x.pcap'");
    EXPECT_EQ(noiface.status, 2);
    EXPECT_NE(noiface.err.find("the host has no interface 'eth9'"), std::string::npos) << noiface.err;
    Ran malformed = fwbench("--rules " + rules + " --host " + host + " --port wan1");
    EXPECT_EQ(malformed.status, 2);
    EXPECT_NE(malformed.err.find("expected DEVICE=IFACE"), std::string::npos) << malformed.err;
}

}  // namespace
}  // namespace fwbench

namespace fwbench {
namespace {

// docs/nic-testing.md's commands for a machine without a generator, run as the guide prints
// them: only ./build/ (this build's directory) and /tmp/rw (this test's scratch) are replaced.
// The guide's commands for real NICs are run too, with net_null devices in place of the PCI
// addresses, so every option they use is one fwbench takes.
TEST(NicGuide, ItsCommandsRunAsWritten) {
    std::ifstream doc(env_or_fail("FWBENCH_SOURCE") + "/docs/nic-testing.md");
    std::vector<std::string> blocks;  // each ```sh block, continuation lines joined
    bool in_block = false;
    for (std::string line; std::getline(doc, line);) {
        if (line.rfind("```", 0) == 0) {
            if (!in_block && line == "```sh") blocks.emplace_back();
            in_block = !in_block && line == "```sh";
            continue;
        }
        if (!in_block) continue;
        std::string& b = blocks.back();
        if (!b.empty() && b.back() == '\\') b.pop_back();
        else if (!b.empty()) b += '\n';
        while (!line.empty() && line.front() == ' ' && !b.empty() && b.back() != '\n') line.erase(0, 1);
        b += (b.empty() || b.back() == '\n') ? line : " " + line;
    }
    const std::string fwbench_bin = env_or_fail("FWBENCH_BIN");
    const std::string build = fwbench_bin.substr(0, fwbench_bin.size() - std::string("bench/fwbench").size());
    const std::string rw = scratch() + "rw";
    auto as_here = [&](std::string command) {
        for (std::size_t at; (at = command.find("./build/")) != std::string::npos;) command.replace(at, 8, build);
        for (std::size_t at = 0; (at = command.find("/tmp/rw", at)) != std::string::npos; at += rw.size()) command.replace(at, 7, rw);
        return command;
    };
    auto run_line = [&](const std::string& line) {
        RunningProgram p({test::command_words(line), {}, -1}, scratch() + "guide.out", scratch() + "guide.err");
        const int status = p.wait(60);
        std::ifstream o(scratch() + "guide.out"), e(scratch() + "guide.err");
        return Ran{status, std::string(std::istreambuf_iterator<char>(o), {}), std::string(std::istreambuf_iterator<char>(e), {})};
    };
    int ran = 0;
    for (const auto& block : blocks) {
        if (block.find("net_pcap0=wan1") == std::string::npos) continue;  // section 4's blocks: one worker, then two
        std::istringstream lines(block);
        for (std::string line; std::getline(lines, line);) {
            SCOPED_TRACE(line);
            Ran r = run_line(as_here(line));
            ASSERT_EQ(r.status, 0) << r.out << r.err;
            if (line.find("fwbench ") != std::string::npos) {
                EXPECT_NE(r.out.find("fates: delivered"), std::string::npos) << r.out;
            }
            ++ran;
        }
    }
    EXPECT_EQ(ran, 6) << "the guide's net_pcap blocks: generate and run; split three files and run with two workers";
    for (const auto& block : blocks) {
        const auto at = block.find("./build/bench/fwbench --rules rules.v4 --host host.json --engine compiled");
        if (at == std::string::npos) continue;  // the section-3 block, for real NICs
        std::string line = block.substr(at, block.find('\n', at) - at);
        for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{{"0000:3b:00.0=", "net_null0="},
                                                                                       {"0000:3b:00.1=", "net_null1="},
                                                                                       {"-a 0000:3b:00.0", "--vdev=net_null0"},
                                                                                       {"-a 0000:3b:00.1", "--vdev=net_null1"},
                                                                                       {"--duration 60", "--duration 1"},
                                                                                       {"rules.v4", rw + "/rules.v4"},
                                                                                       {"host.json", rw + "/host.json"},
                                                                                       {"result.json", scratch() + "result.json"},
                                                                                       {"counters.v4", scratch() + "counters.v4"}})
            if (auto p = line.find(from); p != std::string::npos) line.replace(p, from.size(), to);
        SCOPED_TRACE(line);
        Ran r = run_line(as_here(line));
        EXPECT_EQ(r.status, 0) << r.out << r.err;
        ++ran;
    }
    EXPECT_EQ(ran, 7) << "the guide's NIC command";
}

}  // namespace
}  // namespace fwbench
