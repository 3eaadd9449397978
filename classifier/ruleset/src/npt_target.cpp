// -j SNPT and -j DNPT (libip6t_SNPT, libip6t_DNPT; the kernel's ip6t_NPT): IPv6-to-IPv6 network
// prefix translation, parsed, checked and saved as iptables and the kernel's checkentry do.
#include <string>
#include <tuple>

#include "fwbench/npt.hpp"
#include "fwbench/parse_util.hpp"
#include "module_registry.hpp"

namespace fwbench::detail {

namespace {

NptTarget& spec_of(TargetSpec& spec) { return std::get<NptTarget>(spec); }

// XTTYPE_HOSTMASK, whose mask NPT keeps as a length.
std::string apply_prefix(IpAddr& addr, int& len, const std::string& arg) {
    const auto hm = parse_xt_hostmask(arg, Family::ipv6);
    if (!hm) return "expected an IPv6 address[/length], got '" + arg + "'";
    addr = hm->addr;
    len = mask_length(hm->mask);
    if (len < 0) return "expected a prefix length 0-128 or a mask of leading ones, got '" + arg + "'";
    return {};
}

// ip6t_npt_checkentry: prefixes of at most 64 bits with no bit set past their length.
std::string finish_npt(TargetSpec& spec, const OptionContext&) {
    auto& s = spec_of(spec);
    for (auto [addr, len, name] : {std::tuple{&s.src_pfx, s.src_len, "--src-pfx"}, std::tuple{&s.dst_pfx, s.dst_len, "--dst-pfx"}}) {
        if (len > 64) return std::string("the kernel refuses ") + name + " longer than 64 bits";
        const IpAddr mask = prefix_mask(Family::ipv6, len);
        for (std::size_t i = 0; i < 16; ++i)
            if (addr->bytes[i] & ~mask.bytes[i]) return std::string("the kernel refuses ") + name + " with bits set past its length";
    }
    s.adjustment = npt_adjustment(s.src_pfx, s.dst_pfx);
    return {};
}

void save_npt(const TargetSpec& spec, std::vector<RuleOption>& options, const OptionContext&) {
    // libip6t_[SD]NPT's save: each prefix unless it is ::/0.
    const auto& s = std::get<NptTarget>(spec);
    options.clear();
    for (auto [addr, len, name] : {std::tuple{&s.src_pfx, s.src_len, "src-pfx"}, std::tuple{&s.dst_pfx, s.dst_len, "dst-pfx"}})
        if (!unspecified_address(*addr) || len != 0) options.push_back({name, false, {format_ip(*addr) + "/" + std::to_string(len)}});
}

void add_npt(std::vector<TargetModuleDef>& t, std::string_view name, bool source) {
    using Args = std::vector<std::string>;
    t.push_back({name,
                 {{"src-pfx", "", 1, false,
                   [](TargetSpec& s, bool, Args& a, const OptionContext&) { return apply_prefix(spec_of(s).src_pfx, spec_of(s).src_len, a[0]); }},
                  {"dst-pfx", "", 1, false,
                   [](TargetSpec& s, bool, Args& a, const OptionContext&) { return apply_prefix(spec_of(s).dst_pfx, spec_of(s).dst_len, a[0]); }}},
                 source
                 ? [](const OptionContext&) -> TargetSpec { return NptTarget{.source = true}; }
                 : [](const OptionContext&) -> TargetSpec { return NptTarget{}; },
                 finish_npt,
                 npt_hooks(source),
                 "mangle",
                 false,
                 Family::ipv6});
    t.back().rules.required = "src-pfx dst-pfx";
    t.back().save = save_npt;
}

}  // namespace

void add_npt_targets(std::vector<TargetModuleDef>& t) {
    add_npt(t, "SNPT", true);
    add_npt(t, "DNPT", false);
}

}  // namespace fwbench::detail
