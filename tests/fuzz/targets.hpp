#pragma once
// The fuzz targets' bodies: the readers of what a user hands fwbench (a host description, an
// ipset file, a ruleset, a capture or a packet description may come from anyone). Each reads
// arbitrary bytes and may only refuse them with its reader's error (ParseError, CaptureError) —
// any other exception, a crash or a sanitizer report is a finding.
// Built two ways: as libFuzzer programs by scripts/fuzz.sh (clang, ASan/UBSan), and inside the
// unit tests, which replay every kept corpus and regression input (fuzz_regressions_test.cpp).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fwbench/capture.hpp"
#include "fwbench/host.hpp"
#include "fwbench/ip_addr_text.hpp"
#include "fwbench/ipset.hpp"
#include "fwbench/packet_codec.hpp"
#include "fwbench/packet_description.hpp"
#include "fwbench/packet_log.hpp"
#include "fwbench/parse_error.hpp"
#include "fwbench/ruleset_parser.hpp"

namespace fwbench::fuzz {

// Runs `read` on the input; a `Refusal` is the expected refusal, anything else escapes.
template <typename Refusal = ParseError, typename Read>
void refuse_only_with(const std::uint8_t* data, std::size_t size, Read&& read) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        read(text);
    } catch (const Refusal&) {
    }
}

// A host description as --host reads it: JSON (ip -j addr, or {addr, route, rule, sysctl}) or
// pasted `ip addr show` text, told apart as fwbench tells them apart.
inline void host_description(const std::uint8_t* data, std::size_t size) {
    refuse_only_with(data, size, [](std::string_view text) {
        Host h = looks_like_ip_addr_text(text) ? Host::from_json(ip_addr_text_to_json(text, "fuzz"), "fuzz") : Host::from_json(text, "fuzz");
        (void)h.interfaces().size();
    });
}

// `ipset save` text, as --ipsets reads it.
inline void ipset_file(const std::uint8_t* data, std::size_t size) {
    refuse_only_with(data, size, [](std::string_view text) { (void)IpsetRegistry::parse(text, "fuzz"); });
}

// iptables-save / iptables-restore text, as --rules reads it (with the sets of a small ipset file,
// so -m set rules can load).
inline void ruleset_text(const std::uint8_t* data, std::size_t size) {
    static const IpsetRegistry sets = IpsetRegistry::parse("create s hash:net family inet\nadd s 192.0.2.0/24\n", "fuzz sets");
    refuse_only_with(data, size, [](std::string_view text) {
        RulesetParseOptions opt;
        opt.ipsets = &sets;
        (void)parse_ruleset(text, opt).rule_count();
    });
}

// A packet description, as explain and kernel-check read them from the command line.
inline void packet_description(const std::uint8_t* data, std::size_t size) {
    refuse_only_with(data, size, [](std::string_view text) { (void)parse_packet_description(text, "fuzz"); });
}

// One frame through the link-layer decoder and the datagram parser, as every captured record
// and every DPDK frame goes: they report problems (LinkInfo::problem, a Malformation) and may
// not throw at all. The first byte picks the link type. Then the LOG line of its bytes, every
// flag on, whatever the parser said of them: the formatter reads only what the datagram holds.
inline void decode_frame(const std::uint8_t* data, std::size_t size, std::uint16_t link_type) {
    const LinkInfo link = decode_link(link_type, data, size);
    if (!link.problem.empty() || link.l3_offset > size) return;
    const ParsedDatagram d = parse_ipv4(data + link.l3_offset, size - link.l3_offset, size - link.l3_offset);
    (void)d.error;
    const ParsedDatagram v6 = parse_ipv6(data + link.l3_offset, size - link.l3_offset, size - link.l3_offset);
    (void)v6.error;
    static const Host host = Host::from_json(
        R"({"addr":[{"ifindex":2,"ifname":"eth0","address":"02:00:00:00:00:01","addr_info":[{"family":"inet","local":"192.0.2.1","prefixlen":24}]}]})",
        "fuzz host");
    LogTarget every_flag;
    every_flag.log_flags = 0x2f;
    (void)nf_log_line(every_flag, "eth0", "", link_header_of_frame(link_type, data, size, "eth0", host), data + link.l3_offset, size - link.l3_offset,
                      d.packet, true);
}

inline void link_frame(const std::uint8_t* data, std::size_t size) {
    static constexpr std::uint16_t types[] = {linktype::ethernet,   linktype::raw, linktype::linux_sll, linktype::ipv4, linktype::ipv6,
                                              linktype::linux_sll2, 0xffff};
    if (size == 0) return;
    decode_frame(data + 1, size - 1, types[data[0] % std::size(types)]);
}

// A capture file as --pcap reads it (pcap or pcapng, any link type): the reader refuses with a
// CaptureError; every record it yields goes through the decoder and parser.
inline void capture_file(const std::uint8_t* data, std::size_t size) {
    try {
        CaptureReader reader(std::vector<std::uint8_t>(data, data + size), "fuzz.pcap");
        CaptureRecord rec;
        for (int i = 0; i < 4096 && reader.next(rec); ++i) decode_frame(rec.frame.data(), rec.frame.size(), rec.link_type);
    } catch (const CaptureError&) {
    }
}

}  // namespace fwbench::fuzz
