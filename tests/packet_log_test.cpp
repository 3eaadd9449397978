// What MAC= shows in a LOG line, for each kind of capture a user has: the frame's own Ethernet
// header, what an SLL/SLL2 record (tcpdump -i any) lets be derived, lo's zeros, nothing for a
// device without a link header, and '??' for the bytes no capture kept. The kernel's side of
// the format is held to the kernel's own lines in tests/kernel_log_test.cpp.

#include <gtest/gtest.h>

#include <functional>

#include "fwbench/packet_codec.hpp"
#include "fwbench/packet_description.hpp"
#include "fwbench/packet_log.hpp"

namespace fwbench {
namespace {

const char* host_json = R"({"addr":[
  {"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP"],"address":"00:00:00:00:00:00","addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8}]},
  {"ifindex":2,"ifname":"wan1","flags":["BROADCAST","UP"],"address":"02:00:5e:00:01:01","addr_info":[{"family":"inet","local":"203.0.113.1","prefixlen":24}]},
  {"ifindex":3,"ifname":"tun0","flags":["POINTOPOINT","UP"],"addr_info":[{"family":"inet","local":"10.8.0.1","prefixlen":24}]}]})";

std::vector<std::uint8_t> datagram(const char* description) { return build_ipv4(parse_packet_description(description).packet); }

struct LinkCase {
    const char* what;
    std::uint16_t link_type;
    std::function<std::vector<std::uint8_t>()> frame;
    const char* iface;
    std::uint8_t log_flags;
    const char* shows;  // the line between "OUT= " and "SRC="
};

TEST(LoggedLinkHeader, EachCaptureKindShowsWhatItKept) {
    const Host host = Host::from_json(host_json, "host");
    const MacAddr peer{{0x02, 0xaa, 0, 0, 0, 0x07}}, wan1{{0x02, 0x00, 0x5e, 0x00, 0x01, 0x01}};
    const auto to_host = [] { return datagram("udp 198.51.100.7:1000 > 203.0.113.1:53"); };
    const LinkCase cases[] = {
        {"ethernet", linktype::ethernet, [&] { return ethernet_frame(peer, wan1, to_host()); }, "wan1", 0,
         "MAC=02:00:5e:00:01:01:02:aa:00:00:00:07:08:00 "},
        {"ethernet, --log-macdecode", linktype::ethernet, [&] { return ethernet_frame(peer, wan1, to_host()); }, "wan1", 0x20,
         "MACSRC=02:aa:00:00:00:07 MACDST=02:00:5e:00:01:01 MACPROTO=0800 "},
        {"ethernet with an 802.1Q tag (the kernel strips it)", linktype::ethernet, [&] { return ethernet_frame(peer, wan1, to_host(), 100); }, "wan1",
         0, "MAC=02:00:5e:00:01:01:02:aa:00:00:00:07:08:00 "},
        {"sll2 to the host: the receiver is the interface", linktype::linux_sll2, [&] { return sll2_frame(2, 0, to_host()); }, "wan1", 0,
         "MAC=02:00:5e:00:01:01:02:03:04:05:06:07:08:00 "},
        {"sll2 broadcast", linktype::linux_sll2, [&] { return sll2_frame(2, 1, datagram("udp 203.0.113.9:68 > 255.255.255.255:67")); }, "wan1", 0,
         "MAC=ff:ff:ff:ff:ff:ff:02:03:04:05:06:07:08:00 "},
        {"sll2 multicast: the group's MAC", linktype::linux_sll2,
         [&] { return sll2_frame(2, 2, datagram("udp 203.0.113.9:5353 > 224.0.0.251:5353")); }, "wan1", 0,
         "MAC=01:00:5e:00:00:fb:02:03:04:05:06:07:08:00 "},
        {"sll2 to another host: the receiver is unknown", linktype::linux_sll2, [&] { return sll2_frame(2, 3, to_host()); }, "wan1", 0,
         "MAC=??:??:??:??:??:??:02:03:04:05:06:07:08:00 "},
        {"sll2, --log-macdecode, receiver unknown", linktype::linux_sll2, [&] { return sll2_frame(2, 3, to_host()); }, "wan1", 0x20,
         "MACSRC=02:03:04:05:06:07 MACDST=??:??:??:??:??:?? MACPROTO=0800 "},
        {"sll2 from a tun device: no link header", linktype::linux_sll2, [&] { return sll2_frame(3, 0, to_host(), 0xfffe); }, "tun0", 0, "MAC= "},
        {"sll on lo", linktype::linux_sll, [&] { return sll_frame(0, datagram("udp 127.0.0.1:1000 > 127.0.0.1:53")); }, "lo", 0,
         "MAC=00:00:00:00:00:00:00:00:00:00:00:00:08:00 "},
        {"raw IP on an Ethernet interface: only the type is known", linktype::raw, to_host, "wan1", 0,
         "MAC=??:??:??:??:??:??:??:??:??:??:??:??:08:00 "},
        {"raw IP on a device without a MAC", linktype::raw, to_host, "tun0", 0, "MAC= "},
    };
    for (const auto& c : cases) {
        const std::vector<std::uint8_t> frame = c.frame();
        const LoggedLinkHeader link = link_header_of_frame(c.link_type, frame.data(), frame.size(), c.iface, host);
        LogTarget target;
        target.log_flags = c.log_flags;
        const std::vector<std::uint8_t> l3 = to_host();
        const std::string line = nf_log_line(target, c.iface, "", link, l3.data(), l3.size(), Packet{}, false);
        const std::string head = std::string("IN=") + c.iface + " OUT= ";
        ASSERT_EQ(line.rfind(head, 0), 0u) << c.what << ": " << line;
        EXPECT_EQ(line.substr(head.size(), line.find(" SRC=") + 1 - head.size()), c.shows) << c.what;
        EXPECT_EQ(link.complete(), std::string(c.shows).find("??") == std::string::npos) << c.what;
    }
}

// What a capture cannot say is said: the owner of a local socket (--log-uid) is printed as '?'
// unless the packet carries it; an outgoing packet without a socket prints none.
TEST(LoggedLine, SocketOwnerKnownUnknownOrAbsent) {
    LogTarget target;
    target.log_flags = 0x08;
    const std::vector<std::uint8_t> l3 = datagram("udp 203.0.113.1:1000 > 198.51.100.7:53");
    Packet owned;
    owned.has_socket = true;
    owned.uid = 1000;
    owned.gid = 100;
    const LoggedLinkHeader none;
    EXPECT_NE(nf_log_line(target, "", "wan1", none, l3.data(), l3.size(), owned, true).find("LEN=40 UID=1000 GID=100 "), std::string::npos);
    EXPECT_NE(nf_log_line(target, "", "wan1", none, l3.data(), l3.size(), Packet{}, true).find("LEN=40 UID=? GID=? "), std::string::npos);
    EXPECT_EQ(nf_log_line(target, "wan1", "lan0", none, l3.data(), l3.size(), owned, false).find("UID="), std::string::npos);
}

}  // namespace
}  // namespace fwbench
