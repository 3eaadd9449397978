#pragma once
// Small value parsers shared by the match and target modules. Each returns nullopt (or an error
// string) instead of throwing, so the caller can attach file:line:column.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fwbench/matches.hpp"

namespace fwbench::detail {

// Decimal, 0x hex or 0 octal, as strtoul(.., 0) does in iptables; bounded by max.
std::optional<std::uint64_t> parse_uint(std::string_view text, std::uint64_t max);
// A port number or a service name from the built-in table.
std::optional<std::uint16_t> parse_port(std::string_view text);
// "P", "LO:HI", ":HI", "LO:" (iptables' port range forms).
std::optional<PortRange> parse_port_range(std::string_view text, char sep = ':');
std::string format_port_range(const PortRange& r, char sep = ':');
// "VALUE[/MASK]"; mask defaults to all ones.
std::optional<std::pair<std::uint32_t, std::uint32_t>> parse_value_mask(std::string_view text);
std::string hex(std::uint32_t v);
// "N/second" etc. Returns the interval per packet in units of 1/scale seconds.
std::optional<std::uint64_t> parse_rate(std::string_view text, std::uint64_t scale);
std::vector<std::string_view> split(std::string_view text, char sep);
std::string lower(std::string_view text);

}  // namespace fwbench::detail
