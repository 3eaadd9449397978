// -j SYNPROXY, parsed, checked and saved as libxt_SYNPROXY and xt_SYNPROXY's checkentry do: every
// option optional and given once; --wscale and --mss read as 32-bit numbers and kept in the
// target's 8-bit and 16-bit fields (iptables stores them so, and saves what it stored); the rule
// must say "-p tcp" (not negated); INPUT and FORWARD only, in any table that has them.
#include <string>

#include "fwbench/parse_util.hpp"
#include "module_registry.hpp"

namespace fwbench::detail {
namespace {

SynproxyTarget& spec_of(TargetSpec& spec) { return std::get<SynproxyTarget>(spec); }

std::string apply_flag(TargetSpec& spec, std::vector<std::string>&, bool SynproxyTarget::*flag) {
    spec_of(spec).*flag = true;
    return {};
}

// XTTYPE_UINT32, stored in xt_synproxy_info's narrower field: the value modulo its width.
std::string read_uint32(const std::string& arg, std::uint64_t& out) { return parse_xt_uint(arg, 0, 0xffffffffu, out); }

std::string apply_wscale(TargetSpec& spec, bool, std::vector<std::string>& args, const OptionContext&) {
    std::uint64_t v = 0;
    if (auto e = read_uint32(args[0], v); !e.empty()) return e;
    spec_of(spec).wscale = static_cast<std::uint8_t>(v);
    return {};
}

std::string apply_mss(TargetSpec& spec, bool, std::vector<std::string>& args, const OptionContext&) {
    std::uint64_t v = 0;
    if (auto e = read_uint32(args[0], v); !e.empty()) return e;
    spec_of(spec).mss = static_cast<std::uint16_t>(v);
    return {};
}

// synproxy_tg4_check / synproxy_tg6_check: TCP, not negated (EINVAL).
std::string finish_synproxy(TargetSpec&, const OptionContext& ctx) {
    const auto& p = ctx.rule_proto;
    if (!p || p->negated || p->value != proto::tcp) return "SYNPROXY needs \"-p tcp\" in the rule";
    return {};
}

// SYNPROXY_save's order.
void save_synproxy(const TargetSpec& spec, std::vector<RuleOption>& options, const OptionContext&) {
    const auto& s = std::get<SynproxyTarget>(spec);
    options.clear();
    if (s.sack_perm) options.push_back({"sack-perm", false, {}});
    if (s.timestamp) options.push_back({"timestamp", false, {}});
    if (s.wscale) options.push_back({"wscale", false, {std::to_string(*s.wscale)}});
    if (s.mss) options.push_back({"mss", false, {std::to_string(*s.mss)}});
    if (s.ecn) options.push_back({"ecn", false, {}});
}

}  // namespace

void add_synproxy_target(std::vector<TargetModuleDef>& t) {
    t.push_back({"SYNPROXY",
                 {{"sack-perm", "", 0, false,
                   [](TargetSpec& spec, bool, std::vector<std::string>& args, const OptionContext&) {
                       return apply_flag(spec, args, &SynproxyTarget::sack_perm);
                   }},
                  {"timestamp", "", 0, false,
                   [](TargetSpec& spec, bool, std::vector<std::string>& args, const OptionContext&) {
                       return apply_flag(spec, args, &SynproxyTarget::timestamp);
                   }},
                  {"wscale", "", 1, false, apply_wscale},
                  {"mss", "", 1, false, apply_mss},
                  {"ecn", "", 0, false,
                   [](TargetSpec& spec, bool, std::vector<std::string>& args, const OptionContext&) {
                       return apply_flag(spec, args, &SynproxyTarget::ecn);
                   }}},
                 [](const OptionContext&) -> TargetSpec { return SynproxyTarget{}; },
                 finish_synproxy,
                 static_cast<HookMask>(hook_bit(Hook::input) | hook_bit(Hook::forward))});
    t.back().save = save_synproxy;
}

}  // namespace fwbench::detail
