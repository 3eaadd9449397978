// -j HMARK, parsed, checked and saved as libxt_HMARK and xt_HMARK's checkentry do: each option
// sets its XT_HMARK bit, which is what iptables-save prints back (a tuple word sets the bit of
// the mask it fills with ones: `--hmark-tuple src` saves as `--hmark-src-prefix 32`); masks and
// values in the widths and hex forms libxt_HMARK prints.

#include <string>

#include "fwbench/parse_util.hpp"
#include "module_registry.hpp"

namespace fwbench::detail {
namespace {

using Flag = HmarkTarget::Flag;

HmarkTarget& spec_of(TargetSpec& spec) { return std::get<HmarkTarget>(spec); }

IpAddr all_ones(Family family) { return prefix_mask(family, address_bits(family)); }

// --hmark-tuple: words, each any prefix of ct, src, dst, sport, dport, proto, spi (in that order
// of preference, without regard to case).
std::string apply_tuple(TargetSpec& spec_, bool, std::vector<std::string>& args, const OptionContext& ctx) {
    auto& s = spec_of(spec_);
    const std::string& arg = args[0];
    if (arg.empty() || arg.back() == ',') return "--hmark-tuple wants a list of src,dst,sport,dport,proto,spi or ct, without spaces";
    for (auto word : split(arg, ',')) {
        if (abbreviates(word, "ct")) {
            s.flags |= Flag::ct;
        } else if (abbreviates(word, "src")) {
            s.src_mask = all_ones(ctx.family);
            s.flags |= Flag::saddr_mask;
        } else if (abbreviates(word, "dst")) {
            s.dst_mask = all_ones(ctx.family);
            s.flags |= Flag::daddr_mask;
        } else if (abbreviates(word, "sport")) {
            s.port_mask |= 0xffff0000u;
            s.flags |= Flag::sport_mask;
        } else if (abbreviates(word, "dport")) {
            s.port_mask |= 0x0000ffffu;
            s.flags |= Flag::dport_mask;
        } else if (abbreviates(word, "proto")) {
            s.proto_mask = 0xffff;
            s.flags |= Flag::proto_mask_given;
        } else if (abbreviates(word, "spi")) {
            s.port_mask = 0xffffffffu;
            s.flags |= Flag::spi_mask;
        } else {
            return "bad --hmark-tuple word '" + std::string(word) + "' (src, dst, sport, dport, proto, spi or ct)";
        }
    }
    return {};
}

// An option whose bit a --hmark-tuple word already set counts as given twice, as xtables counts
// it (the word sets the option's flag).
std::string once(const TargetSpec& spec_, std::uint32_t flag) {
    return std::get<HmarkTarget>(spec_).flags & flag ? "given twice (a --hmark-tuple word before it gives it too)" : "";
}

// XTTYPE_PLENMASK, kept as written even when it is no prefix (iptables 1.8.11; older ones made
// such a mask all ones).
std::string apply_prefix(IpAddr& slot, std::uint32_t flag, TargetSpec& spec_, const std::string& text, Family family) {
    if (std::string e = once(spec_, flag); !e.empty()) return e;
    const auto mask = parse_xt_mask(text, family);
    if (!mask) return "expected a prefix length 0-" + std::to_string(address_bits(family)) + " or a network mask, got '" + text + "'";
    slot = *mask;
    spec_of(spec_).flags |= flag;
    return {};
}

std::string apply_number(std::uint32_t& slot, std::uint32_t flag, TargetSpec& spec_, const std::string& text, std::uint64_t min, std::uint64_t max) {
    if (std::string e = once(spec_, flag); !e.empty()) return e;
    std::uint64_t v = 0;
    if (std::string e = parse_xt_uint(text, min, max, v); !e.empty()) return e;
    slot = static_cast<std::uint32_t>(v);
    spec_of(spec_).flags |= flag;
    return {};
}

// A 16-bit half of the ports' mask or value: the source port the high half, as the packet has them.
std::string apply_port_half(std::uint32_t& word, bool high, std::uint32_t flag, TargetSpec& spec_, const std::string& text) {
    std::uint32_t v = 0;
    if (std::string e = apply_number(v, flag, spec_, text, 0, 0xffff); !e.empty()) return e;
    word = high ? (word & 0x0000ffffu) | v << 16 : (word & 0xffff0000u) | v;
    return {};
}

constexpr std::uint32_t packet_options = Flag::saddr_mask | Flag::daddr_mask | Flag::spi_mask | Flag::sport_mask | Flag::dport_mask |
                                         Flag::proto_mask_given | Flag::sport | Flag::dport | Flag::spi;

// HMARK_check, then hmark_tg_check.
std::string finish_hmark(TargetSpec& spec_, const OptionContext&) {
    const auto& s = spec_of(spec_);
    if (!(s.flags & Flag::mod_given)) return "HMARK needs --hmark-mod";
    if (!(s.flags & Flag::rnd_given)) return "HMARK needs --hmark-rnd";
    if ((s.flags & Flag::spi_mask) && (s.flags & (Flag::sport_mask | Flag::dport_mask)))
        return "--hmark-spi-mask and --hmark-sport-mask or --hmark-dport-mask exclude each other";
    if (!(s.flags & (packet_options | Flag::ct))) return "HMARK needs --hmark-tuple or a mask of what to hash";
    if ((s.flags & Flag::spi) && (s.flags & (Flag::sport | Flag::dport))) return "the kernel refuses --hmark-spi with --hmark-sport or --hmark-dport";
    return {};
}

void save_hmark(const TargetSpec& spec_, std::vector<RuleOption>& options, const OptionContext&) {
    const auto& s = std::get<HmarkTarget>(spec_);
    options.clear();
    auto put = [&](std::uint32_t flag, const char* name, std::string arg) {
        if (s.flags & flag) options.push_back({name, false, {std::move(arg)}});
    };
    put(Flag::saddr_mask, "hmark-src-prefix", std::to_string(mask_length(s.src_mask)));  // -1: no prefix, as libxt prints it
    put(Flag::daddr_mask, "hmark-dst-prefix", std::to_string(mask_length(s.dst_mask)));
    put(Flag::sport_mask, "hmark-sport-mask", hex(s.port_mask >> 16, 4));
    put(Flag::dport_mask, "hmark-dport-mask", hex(s.port_mask & 0xffff, 4));
    put(Flag::spi_mask, "hmark-spi-mask", hex(s.port_mask, 8));
    put(Flag::sport, "hmark-sport", hex(s.port_set >> 16, 4));
    put(Flag::dport, "hmark-dport", hex(s.port_set & 0xffff, 4));
    put(Flag::spi, "hmark-spi", hex(s.port_set, 8));
    put(Flag::proto_mask_given, "hmark-proto-mask", hex(s.proto_mask, 2));
    put(Flag::rnd_given, "hmark-rnd", hex(s.rnd, 8));
    put(Flag::mod_given, "hmark-mod", std::to_string(s.mod));
    put(Flag::offset_given, "hmark-offset", std::to_string(s.offset));
    put(Flag::ct, "hmark-tuple", "ct");
}

}  // namespace

void add_hmark_target(std::vector<TargetModuleDef>& t) {
    using Args = std::vector<std::string>;
    // clang-format off
    t.push_back({"HMARK",
                 {{"hmark-tuple", "", 1, false, apply_tuple},
                  {"hmark-src-prefix", "", 1, false, [](TargetSpec& s, bool, Args& a, const OptionContext& c) { return apply_prefix(spec_of(s).src_mask, Flag::saddr_mask, s, a[0], c.family); }},
                  {"hmark-dst-prefix", "", 1, false, [](TargetSpec& s, bool, Args& a, const OptionContext& c) { return apply_prefix(spec_of(s).dst_mask, Flag::daddr_mask, s, a[0], c.family); }},
                  {"hmark-sport-mask", "", 1, false, [](TargetSpec& s, bool, Args& a, const OptionContext&) { return apply_port_half(spec_of(s).port_mask, true, Flag::sport_mask, s, a[0]); }},
                  {"hmark-dport-mask", "", 1, false, [](TargetSpec& s, bool, Args& a, const OptionContext&) { return apply_port_half(spec_of(s).port_mask, false, Flag::dport_mask, s, a[0]); }},
                  {"hmark-spi-mask", "", 1, false, [](TargetSpec& s, bool, Args& a, const OptionContext&) { return apply_number(spec_of(s).port_mask, Flag::spi_mask, s, a[0], 0, 0xffffffffu); }},
                  {"hmark-sport", "", 1, false, [](TargetSpec& s, bool, Args& a, const OptionContext&) { return apply_port_half(spec_of(s).port_set, true, Flag::sport, s, a[0]); }},
                  {"hmark-dport", "", 1, false, [](TargetSpec& s, bool, Args& a, const OptionContext&) { return apply_port_half(spec_of(s).port_set, false, Flag::dport, s, a[0]); }},
                  {"hmark-spi", "", 1, false, [](TargetSpec& s, bool, Args& a, const OptionContext&) { return apply_number(spec_of(s).port_set, Flag::spi, s, a[0], 0, 0xffffffffu); }},
                  {"hmark-proto-mask", "", 1, false, [](TargetSpec& s, bool, Args& a, const OptionContext&) {
                       std::uint32_t v = 0;
                       std::string e = apply_number(v, Flag::proto_mask_given, s, a[0], 0, 0xffff);
                       spec_of(s).proto_mask = static_cast<std::uint16_t>(v);
                       return e;
                   }},
                  {"hmark-rnd", "", 1, false, [](TargetSpec& s, bool, Args& a, const OptionContext&) { return apply_number(spec_of(s).rnd, Flag::rnd_given, s, a[0], 0, 0xffffffffu); }},
                  {"hmark-mod", "", 1, false, [](TargetSpec& s, bool, Args& a, const OptionContext&) { return apply_number(spec_of(s).mod, Flag::mod_given, s, a[0], 1, 0xffffffffu); }},
                  {"hmark-offset", "", 1, false, [](TargetSpec& s, bool, Args& a, const OptionContext&) { return apply_number(spec_of(s).offset, Flag::offset_given, s, a[0], 0, 0xffffffffu); }}},
                 [](const OptionContext&) -> TargetSpec { return HmarkTarget{}; },
                 finish_hmark});
    // clang-format on
    t.back().save = save_hmark;
}

}  // namespace fwbench::detail
