#pragma once
// What the LOG target writes to the kernel log, offline: the line nf_log_syslog.c prints for a
// packet at the moment a LOG rule matches it, so the lines a user greps in dmesg can be
// reproduced from a capture.
//
// How: the kernel prints from the packet's bytes as they are at that moment (after DNAT, TTL
// decrement, MARK, TOS), so fwbench does the same. A traced walk records the packet as the walk
// began (HookWalk::seen) and the rules it matched; replaying the continuing targets of those rules
// in order (apply_continuing_target, the walk's own code) gives the packet at each LOG rule. Its
// changed fields are written into a copy of the datagram as captured (rewrite_ipv4), and the line
// is formatted from those bytes field by field as dump_ipv4_packet does: what the model does not
// carry (IP ID, flags, options, TCP sequence numbers, window, urgent pointer, UDP length, ICMP
// sequence) comes from the capture, as it came to the kernel.
//
// The link header (MAC=) is what the kernel keeps of the frame the packet arrived in: the
// Ethernet header of a capture's frame; zeros and type 0800 for the host's own packets over lo;
// nothing for a local broadcast's looped copy. A capture that did not keep it (tcpdump -i any
// keeps the sender's address only) gives what can be derived — the receiver of a packet to the
// host is the interface's own MAC — and writes '??' for each byte it cannot know.
//
// NFLOG does not reach the kernel log: its packets go to the nflog group's listener (ulogd,
// tcpdump -i nflog:N). Its lines are written in the same format, led by "nflog group N: ", so
// they can be grepped the same way; LOG's option flags do not apply to them.
//
// Costs: a line is a few hundred bytes built in a std::string; this runs only when the user asks
// for log lines, on traced results.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fwbench/capture.hpp"
#include "fwbench/capture_analysis.hpp"
#include "fwbench/frame.hpp"
#include "fwbench/host.hpp"
#include "fwbench/packet_path.hpp"

namespace fwbench {

// The bytes after MAC=, as the kernel's dump_mac_header finds them.
struct LoggedLinkHeader {
    enum class Kind : std::uint8_t {
        ethernet,  // 14 bytes: destination, source, type (a device of type ARPHRD_ETHER)
        loopback,  // lo: 14 bytes, both addresses zero
        none,  // no header (a tun device, a looped broadcast copy): "MAC= "
    };
    Kind kind = Kind::ethernet;
    std::array<std::uint8_t, 14> bytes{};
    std::uint16_t unknown = 0;  // bit i: byte i is not known (printed '??')
    bool complete() const { return kind == Kind::none || unknown == 0; }
};

// The header of a captured frame that arrived on `iface` (link type and bytes as captured).
LoggedLinkHeader link_header_of_frame(std::uint16_t link_type, const std::uint8_t* frame, std::size_t caplen, std::string_view iface,
                                      const Host& host);
// The header the kernel oracle's frames carry for a wire packet described without a frame: to
// the interface's MAC, from p.src_mac when the packet has one.
LoggedLinkHeader link_header_of_packet(const Packet& p, const Host& host);

// One LOG (or NFLOG) rule's line, formatted as the kernel's nf_log_ip_packet: `in`/`out` are the
// hook's devices (empty: none), `link` is printed only when there is an input device, `l3` the
// datagram as it is at the rule (its total length bounds what is read), `at_rule` the packet
// there (its mark; its socket's owner when `socket`: the packet still holds the local socket that
// sent it, in OUTPUT and POSTROUTING).
std::string nf_log_line(const LogTarget& target, std::string_view in, std::string_view out, const LoggedLinkHeader& link, const std::uint8_t* l3,
                        std::size_t size, const Packet& at_rule, bool socket);

struct LoggedLine {
    std::size_t walk = 0;  // index in PathResult::walks
    int chain = -1, rule = -1;  // the LOG rule, in that walk's table
    const LogTarget* target = nullptr;
    std::string text;  // without a newline
    bool link_incomplete = false;  // MAC= has bytes the capture did not keep
};

// The lines a traced path result logs, in the order the kernel prints them. `datagram` is the
// packet as it entered the path (captured, or built by build_ipv4); `wire_link` its frame's
// header (for wire packets; ignored for local ones, whose link header the path decides).
void logged_lines(const Ruleset& rs, const PathResult& res, Origin origin, const std::uint8_t* datagram, std::size_t size,
                  const LoggedLinkHeader& wire_link, std::vector<LoggedLine>& out);

// The same for a packet of a capture, from its frame as captured (the bytes the kernel printed
// from, and its link header); nothing for records the path did not process.
void logged_lines(const Ruleset& rs, const Host& host, const AnalyzedPacket& rp, const FrameView& frame, std::vector<LoggedLine>& out);

// Whether any rule of the ruleset logs (LOG, NFLOG, ULOG): tracing is needed for its lines.
bool ruleset_logs(const Ruleset& rs);

}  // namespace fwbench
