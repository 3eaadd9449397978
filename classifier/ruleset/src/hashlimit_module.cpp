// -m hashlimit, parsed, checked and saved as libxt_hashlimit (revision 3) and xt_hashlimit's
// checkentry do. The spec holds what the extension hands the kernel (hashlimit_cfg3), and the
// saved form is printed back from those numbers, as iptables-save does: so a rate or burst
// saves as the kernel keeps it ("1000b/s" as "992b/s", "7/s" as "7/sec", a rate-match rate per
// second with its window as the interval), never as written.

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cinttypes>
#include <cstdlib>
#include <string>
#include <utility>

#include "fwbench/hashlimit_arith.hpp"
#include "fwbench/parse_util.hpp"
#include "module_registry.hpp"

namespace fwbench::detail {
namespace {

namespace hl = fwbench::hashlimit;

constexpr std::uint64_t burst_max = 1000000;  // XT_HASHLIMIT_BURST_MAX
constexpr std::uint32_t byte_unit_seconds = 15;  // XT_HASHLIMIT_BYTE_EXPIRE
constexpr std::uint32_t byte_burst_expire_ms = 60000;  // XT_HASHLIMIT_BYTE_EXPIRE_BURST
constexpr std::size_t name_max = 254;  // NAME_MAX less the terminator: libxt cuts the name there
// The kernel's HZ for checkentry's overflow check (Debian's CONFIG_HZ, as EngineOptions::hz).
constexpr unsigned kernel_hz = 250;

HashLimitMatch& spec_of(MatchSpec& spec) { return std::get<HashLimitMatch>(spec); }

// C's atoll, which libxt reads rates with: leading blanks, a sign, digits, the rest ignored;
// saturating as glibc's strtoll does.
std::uint64_t c_atoll(const std::string& text) { return static_cast<std::uint64_t>(std::strtoll(text.c_str(), nullptr, 10)); }

// libxt's get_factor: the letter before "b/s" or after a burst's number.
std::uint64_t size_factor(char c) { return c == 'm' ? 1024 * 1024 : c == 'k' ? 1024 : 1; }

enum class Parsed { no, yes, refused };

// parse_bytes: "N[k|m]b/s" (anything holding "b/s" after a non-zero number); the unit before
// "b/s" is the character just before it.
Parsed parse_byte_rate(HashLimitMatch& s, const std::string& arg, std::string& error) {
    const auto at = arg.find("b/s");
    if (at == std::string::npos || at == 0) return Parsed::no;
    const std::uint64_t r = c_atoll(arg);
    if (r == 0) return Parsed::no;
    const std::uint64_t cost = hl::bytes_to_cost(r * size_factor(arg[at - 1]));
    if (cost == 0) {
        error = "rate too high '" + arg + "'";
        return Parsed::refused;
    }
    s.avg = cost;
    s.bytes = true;
    s.unit_seconds = byte_unit_seconds;
    return Parsed::yes;
}

// parse_rate: "N[/unit]", the unit any prefix of second, minute, hour or day in any case.
Parsed parse_packet_rate(HashLimitMatch& s, const std::string& arg, std::string& error) {
    std::uint64_t unit = 1;
    if (const auto slash = arg.find('/'); slash != std::string::npos) {
        const auto seconds = rate_unit_seconds(std::string_view(arg).substr(slash + 1));
        if (!seconds) return Parsed::no;
        unit = *seconds;
    }
    const std::uint64_t r = c_atoll(arg);
    if (r == 0) return Parsed::no;
    const std::uint64_t avg = hl::scale * unit / r;
    if (avg == 0) {
        error = "rate too fast '" + arg + "' (at most 1000000/sec)";
        return Parsed::refused;
    }
    s.avg = avg;
    s.unit_seconds = static_cast<std::uint32_t>(unit);
    return Parsed::yes;
}

std::string apply_rate(MatchSpec& spec, bool above, std::vector<std::string>& args) {
    auto& s = spec_of(spec);
    s.above = above;
    std::string error;
    Parsed p = parse_byte_rate(s, args[0], error);
    if (p == Parsed::no) p = parse_packet_rate(s, args[0], error);
    if (p == Parsed::no) return "expected a rate N[/second|/minute|/hour|/day] or N[k|m]b/s, got '" + args[0] + "'";
    return error;
}

// parse_burst: a number (C's base prefixes), at most 1000000 unless a k or m follows, which
// multiplies it.
std::string apply_burst(MatchSpec& spec, bool, std::vector<std::string>& args, const OptionContext&) {
    const std::string& arg = args[0];
    const char* text = arg.c_str();
    const char* p = text;
    while (std::isspace(static_cast<unsigned char>(*p))) ++p;
    char* end = nullptr;
    errno = 0;
    const std::uint64_t v = *p == '-' ? 0 : std::strtoumax(text, &end, 0);
    const bool read = *p != '-' && end != text && errno != ERANGE && v >= 1;
    if (!read || (*end == '\0' && v > burst_max)) return "expected a burst 1-1000000 (or a size N[k|m] under a byte rate), got '" + arg + "'";
    auto& s = spec_of(spec);
    s.burst = v * size_factor(*end);
    s.burst_given = true;
    return {};
}

std::string apply_mode(MatchSpec& spec, bool, std::vector<std::string>& args, const OptionContext&) {
    auto& s = spec_of(spec);
    // strtok over ",|": empty words are skipped.
    std::string words = args[0];
    std::replace(words.begin(), words.end(), '|', ',');
    for (auto word : split(words, ',')) {
        if (word.empty()) continue;
        if (word == "srcip") s.mode_srcip = true;
        else if (word == "dstip") s.mode_dstip = true;
        else if (word == "srcport") s.mode_srcport = true;
        else if (word == "dstport") s.mode_dstport = true;
        else return "expected modes from srcip,srcport,dstip,dstport, got '" + std::string(word) + "'";
    }
    return {};
}

// XTTYPE_PLEN: a prefix length (C's base prefixes), or a mask written as an address; the kernel
// refuses a mask that is no prefix (libxt hands it 255).
std::string apply_mask(int& slot, const std::string& text, Family family) {
    const int bits = address_bits(family);
    const auto mask = parse_xt_mask(text, family);
    if (!mask) return "expected a prefix length 0-" + std::to_string(bits) + " or a network mask, got '" + text + "'";
    const int length = mask_length(*mask);
    if (length < 0) return "the kernel refuses the mask '" + text + "' (not a prefix)";
    slot = length == bits ? -1 : length;
    return {};
}

std::string apply_u32(std::uint32_t& slot, const std::string& text) {
    auto v = parse_uint(text, 0xffffffffu);
    if (!v) return "expected a number 0-4294967295, got '" + text + "'";
    slot = static_cast<std::uint32_t>(*v);
    return {};
}

std::string apply_name(MatchSpec& spec, bool, std::vector<std::string>& args, const OptionContext&) {
    std::string name = args[0].substr(0, name_max);
    // xt_check_proc_name: the name is a file under /proc/net/ipt_hashlimit.
    if (name.empty()) return "expected a name, got an empty one";
    if (name == "." || name == ".." || name.find('/') != std::string::npos)
        return "the kernel refuses the name '" + name + "' (it names a /proc file: not '.', '..' or one with '/')";
    spec_of(spec).name = std::move(name);
    return {};
}

std::string apply_interval(MatchSpec& spec, bool, std::vector<std::string>& args, const OptionContext&) {
    const int v = std::atoi(args[0].c_str());  // parse_interval: atoi, then > 0
    if (v <= 0) return "expected a window of 1 or more seconds, got '" + args[0] + "'";
    spec_of(spec).interval = static_cast<std::uint32_t>(v);
    return {};
}

// hashlimit_mt_check (libxt's final check), then the kernel's hashlimit_mt_check_common.
std::string finish_hashlimit(MatchSpec& spec, const OptionContext&) {
    auto& s = spec_of(spec);
    if (s.name.empty()) return "the hashlimit match needs --hashlimit-name";
    if (s.avg == 0) return "the hashlimit match needs --hashlimit-upto or --hashlimit-above";
    if (!s.expire_given) s.htable_expire_ms = s.unit_seconds * 1000;
    if (s.bytes) {
        std::uint32_t burst = 0;
        if (s.burst_given) {
            const std::uint64_t rate_bytes = hl::cost_to_bytes(s.avg);
            if (s.burst < rate_bytes) return "a burst cannot be smaller than the rate's " + std::to_string(rate_bytes) + " bytes";
            // libxt divides the burst cut to 32 bits, but tests the remainder of the whole.
            burst = static_cast<std::uint32_t>(static_cast<std::uint32_t>(s.burst) / rate_bytes);
            if (s.burst % rate_bytes) ++burst;
            if (!s.expire_given) s.htable_expire_ms = byte_burst_expire_ms;
        }
        s.burst = burst;
    } else if (s.burst > burst_max) {
        return "expected a burst 1-1000000, got " + std::to_string(s.burst);
    }
    if (s.rate_match) {
        if (!s.bytes) s.avg /= s.unit_seconds;
        if (s.interval == 0) s.interval = s.bytes ? 1 : s.unit_seconds;
    }
    s.unit_seconds = 1;
    s.burst_given = s.expire_given = false;

    if (s.htable_gcinterval_ms == 0) return "the kernel refuses a garbage-collection interval of 0";
    if (s.htable_expire_ms == 0) return "the kernel refuses an expiry of 0";
    if (s.rate_match) {
        if (s.avg > hl::u32_max) return "the kernel refuses this rate under --hashlimit-rate-match (out of range)";
    } else if (s.bytes) {
        if (hl::user2credits_byte(static_cast<std::uint32_t>(s.avg), kernel_hz) == 0) return "the kernel refuses this byte rate (too high)";
    } else if (hl::user2credits(s.avg * s.burst, kernel_hz) < hl::user2credits(s.avg, kernel_hz)) {
        return "the kernel refuses this rate and burst: their credits overflow (out of range; a slower rate wants a smaller burst)";
    }
    return {};
}

// --- the saved form: libxt's hashlimit_mt_save -------------------------------------------------

struct SizeUnit {
    const char* name;
    std::uint64_t size;
};
constexpr SizeUnit size_units[] = {{"m", 1024 * 1024}, {"k", 1024}, {"", 1}};

// print_bytes: the rate in the largest unit that gives back the same avg, the burst in the
// largest unit not above it (rounded down).
std::string print_byte_rate(std::uint64_t avg) {
    const std::uint64_t r = hl::cost_to_bytes(avg);
    std::size_t i = 0;
    for (; i + 1 < std::size(size_units); ++i)
        // libxt's mask is a 32-bit ~(thresh - 1): the rate's upper 32 bits are cleared with it.
        if (r >= size_units[i].size && hl::bytes_to_cost(r & static_cast<std::uint32_t>(~(size_units[i].size - 1))) == avg) break;
    return std::to_string(r / size_units[i].size) + size_units[i].name + "b/s";
}

std::string print_byte_burst(std::uint64_t avg, std::uint64_t burst) {
    const std::uint64_t r = hl::cost_to_bytes(avg) * burst;
    std::size_t i = 0;
    for (; i + 1 < std::size(size_units); ++i)
        if (r >= size_units[i].size) break;
    return std::to_string(r / size_units[i].size) + size_units[i].name + "b";
}

void save_hashlimit(const MatchSpec& spec, std::vector<RuleOption>& options, const OptionContext& ctx) {
    const auto& s = std::get<HashLimitMatch>(spec);
    options.clear();
    auto put = [&](const char* name, std::string arg) { options.push_back({name, false, {std::move(arg)}}); };
    std::string rate;
    std::uint64_t quantum_ms = 0;
    if (s.bytes) {
        rate = print_byte_rate(s.avg);
        quantum_ms = s.burst ? byte_burst_expire_ms : byte_unit_seconds * 1000;
    } else {
        const PrintedRate printed = print_xt_rate(s.avg, hl::scale);
        rate = printed.text;
        quantum_ms = printed.unit_seconds * 1000;  // the expiry iptables-save leaves out
    }
    put(s.above ? "hashlimit-above" : "hashlimit-upto", rate);
    if (!s.bytes) put("hashlimit-burst", std::to_string(s.burst));
    else if (s.burst) put("hashlimit-burst", print_byte_burst(s.avg, s.burst));
    std::string mode;
    for (auto [on, word] : {std::pair{s.mode_srcip, "srcip"}, {s.mode_srcport, "srcport"}, {s.mode_dstip, "dstip"}, {s.mode_dstport, "dstport"}})
        if (on) {
            if (!mode.empty()) mode += ',';
            mode += word;
        }
    if (!mode.empty()) put("hashlimit-mode", mode);
    put("hashlimit-name", s.name);
    if (s.htable_size) put("hashlimit-htable-size", std::to_string(s.htable_size));
    if (s.htable_max) put("hashlimit-htable-max", std::to_string(s.htable_max));
    if (s.htable_gcinterval_ms != 1000) put("hashlimit-htable-gcinterval", std::to_string(s.htable_gcinterval_ms));
    if (s.htable_expire_ms != quantum_ms) put("hashlimit-htable-expire", std::to_string(s.htable_expire_ms));
    const int full = address_bits(ctx.family);
    if (s.srcmask >= 0 && s.srcmask != full) put("hashlimit-srcmask", std::to_string(s.srcmask));
    if (s.dstmask >= 0 && s.dstmask != full) put("hashlimit-dstmask", std::to_string(s.dstmask));
    if (s.rate_match) {
        options.push_back({"hashlimit-rate-match", false, {}});
        if (s.interval != 1) put("hashlimit-rate-interval", std::to_string(s.interval));
    }
}

}  // namespace

void add_hashlimit_match(std::vector<MatchModuleDef>& m) {
    // clang-format off
    m.push_back({"hashlimit",
                 {{"hashlimit-upto", "hashlimit", 1, true, [](MatchSpec& s, bool neg, std::vector<std::string>& a, const OptionContext&) { return apply_rate(s, neg, a); }},
                  {"hashlimit-above", "", 1, true, [](MatchSpec& s, bool neg, std::vector<std::string>& a, const OptionContext&) { return apply_rate(s, !neg, a); }},
                  {"hashlimit-burst", "", 1, false, apply_burst},
                  {"hashlimit-mode", "", 1, false, apply_mode},
                  {"hashlimit-srcmask", "", 1, false, [](MatchSpec& s, bool, std::vector<std::string>& a, const OptionContext& ctx) { return apply_mask(spec_of(s).srcmask, a[0], ctx.family); }},
                  {"hashlimit-dstmask", "", 1, false, [](MatchSpec& s, bool, std::vector<std::string>& a, const OptionContext& ctx) { return apply_mask(spec_of(s).dstmask, a[0], ctx.family); }},
                  {"hashlimit-name", "", 1, false, apply_name},
                  {"hashlimit-htable-size", "", 1, false, [](MatchSpec& s, bool, std::vector<std::string>& a, const OptionContext&) { return apply_u32(spec_of(s).htable_size, a[0]); }},
                  {"hashlimit-htable-max", "", 1, false, [](MatchSpec& s, bool, std::vector<std::string>& a, const OptionContext&) { return apply_u32(spec_of(s).htable_max, a[0]); }},
                  {"hashlimit-htable-gcinterval", "", 1, false, [](MatchSpec& s, bool, std::vector<std::string>& a, const OptionContext&) { return apply_u32(spec_of(s).htable_gcinterval_ms, a[0]); }},
                  {"hashlimit-htable-expire", "", 1, false, [](MatchSpec& s, bool, std::vector<std::string>& a, const OptionContext&) {
                       spec_of(s).expire_given = true;
                       return apply_u32(spec_of(s).htable_expire_ms, a[0]);
                   }},
                  {"hashlimit-rate-match", "", 0, false, [](MatchSpec& s, bool, std::vector<std::string>&, const OptionContext&) { spec_of(s).rate_match = true; return std::string(); }},
                  {"hashlimit-rate-interval", "", 1, false, apply_interval}},
                 [](const OptionContext&) -> MatchSpec { return HashLimitMatch{}; },
                 finish_hashlimit});
    // clang-format on
    m.back().rules.exclusive = {"hashlimit-upto hashlimit-above"};
    m.back().save = save_hashlimit;
}

}  // namespace fwbench::detail
