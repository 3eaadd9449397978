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

// Decimal, 0x hex or 0 octal, as strtoul(.., 0) does in iptables (base 10: decimal only, leading
// zeros too); bounded by max.
std::optional<std::uint64_t> parse_uint(std::string_view text, std::uint64_t max, unsigned base = 0);
// What an extension reads as `(int)strtoul(text, &end, base)` over the whole text (base 0 or 10):
// leading blanks and a sign allowed, the unsigned long taken as an int. Nullopt when the text is
// not all one number, or when the int is negative — as a value past unsigned long is (strtoul's
// ULONG_MAX is -1 as an int).
std::optional<std::uint32_t> parse_strtoul_int(std::string_view text, unsigned base);
// xtables' XTTYPE_UINT8/16/32 with the option's .min and .max: the number into `out`, or an
// error naming the range (`out` untouched).
std::string parse_xt_uint(std::string_view text, std::uint64_t min, std::uint64_t max, std::uint64_t& out);
// A port number or a service name from the built-in table.
std::optional<std::uint16_t> parse_port(std::string_view text);
// A service name's port, from the built-in table.
std::optional<std::uint16_t> service_port(std::string_view name);
// "P", "LO:HI", ":HI", "LO:" (iptables' port range forms).
std::optional<PortRange> parse_port_range(std::string_view text, char sep = ':');
std::string format_port_range(const PortRange& r, char sep = ':');
// xtables' ranges of unsigned values (XTTYPE_*RC): "N", "LO:HI", ":HI" (from 0), "LO:" (to max),
// ":" (all); a reversed range is refused, as iptables 1.8.10 and later refuse it. Sets `error`
// (what was expected) and returns nullopt when the text is not such a range.
struct UintRange {
    std::uint64_t lo = 0, hi = 0;
};
std::optional<UintRange> parse_uint_range(std::string_view text, std::uint64_t max, std::string& error);
// As iptables-save prints one: "N" when both ends meet, else "LO:HI".
std::string format_uint_range(const UintRange& r);
// "VALUE[/MASK]"; mask defaults to all ones.
std::optional<std::pair<std::uint32_t, std::uint32_t>> parse_value_mask(std::string_view text);
// "0x" and lower-case hex digits, zero-padded to `width` digits.
std::string hex(std::uint32_t v, int width = 0);
// A byte as iptables-save writes TOS and DSCP values: "0x%02x".
std::string hex02(std::uint8_t v);
// The seconds of a rate's unit as libxt_limit and libxt_hashlimit read it: any prefix of second,
// minute, hour or day, in any case.
std::optional<std::uint64_t> rate_unit_seconds(std::string_view word);
// libxt_limit's "N[/unit]" (the unit any prefix of second, minute, hour or day, in any case; N
// read by C's atoi). Returns the interval per packet in units of 1/scale seconds, 0 when the
// rate is too fast for the scale, nullopt when it is no rate.
std::optional<std::uint64_t> parse_rate(std::string_view text, std::uint64_t scale);
// libxt's print_rate (limit, hashlimit): the rate whose interval is avg/scale seconds, in the
// largest unit whose count is still a fair approximation ("3/hour"). avg must not be 0.
struct PrintedRate {
    std::string text;
    std::uint64_t unit_seconds;
};
PrintedRate print_xt_rate(std::uint64_t avg, std::uint64_t scale);
std::vector<std::string_view> split(std::string_view text, char sep);
// xtables' XTTYPE_PLEN and XTTYPE_PLENMASK: a prefix length (C's base prefixes) up to the family's
// bits, or a mask written as an address (IPv4's as inet_aton reads one: a lone number is the whole
// address). The mask need not be a prefix: mask_length says -1 for one that is not.
std::optional<IpAddr> parse_xt_mask(std::string_view text, Family family);
// xtables' XTTYPE_HOSTMASK: ADDRESS[/MASK], the address kept whole (its host bits too), the mask
// as parse_xt_mask reads it, all ones when not given. Numeric addresses only (iptables would ask
// the resolver; fwbench reads no name service).
struct HostMask {
    IpAddr addr, mask;
};
std::optional<HostMask> parse_xt_hostmask(std::string_view text, Family family);
std::string lower(std::string_view text);
// Is `word` a non-empty prefix of `full`, without regard to case? (strncasecmp(word, full,
// strlen(word)), as extensions read abbreviated keywords: "min" for minute, "sp" for sport.)
bool abbreviates(std::string_view word, std::string_view full);

}  // namespace fwbench::detail
