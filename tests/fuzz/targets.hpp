#pragma once
// The fuzz targets' bodies: the readers of what a user hands fwbench (issue 17: a host
// description or an ipset file may come from anyone). Each reads arbitrary bytes and may only
// refuse them with a ParseError — any other exception, a crash or a sanitizer report is a finding.
// Built two ways: as libFuzzer programs by scripts/fuzz.sh (clang, ASan/UBSan), and inside the
// unit tests, which replay every kept corpus and regression input (fuzz_regressions_test.cpp).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fwbench/host.hpp"
#include "fwbench/ip_addr_text.hpp"
#include "fwbench/ipset.hpp"
#include "fwbench/parse_error.hpp"

namespace fwbench::fuzz {

// Runs `read` on the input; a ParseError is the expected refusal, anything else escapes.
template <typename Read>
void refuse_only_with_parse_errors(const std::uint8_t* data, std::size_t size, Read&& read) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        read(text);
    } catch (const ParseError&) {
    }
}

// A host description as --host reads it: JSON (ip -j addr, or {addr, route, rule, sysctl}) or
// pasted `ip addr show` text, told apart as fwbench tells them apart.
inline void host_description(const std::uint8_t* data, std::size_t size) {
    refuse_only_with_parse_errors(data, size, [](std::string_view text) {
        Host h = looks_like_ip_addr_text(text) ? Host::from_json(ip_addr_text_to_json(text, "fuzz"), "fuzz") : Host::from_json(text, "fuzz");
        (void)h.interfaces().size();
    });
}

// `ipset save` text, as --ipsets reads it.
inline void ipset_file(const std::uint8_t* data, std::size_t size) {
    refuse_only_with_parse_errors(data, size, [](std::string_view text) { (void)IpsetRegistry::parse(text, "fuzz"); });
}

}  // namespace fwbench::fuzz
