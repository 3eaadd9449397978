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

#include "fwbench/host.hpp"
#include "fwbench/ip_addr_text.hpp"
#include "fwbench/ipset.hpp"
#include "fwbench/packet_description.hpp"
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

}  // namespace fwbench::fuzz
