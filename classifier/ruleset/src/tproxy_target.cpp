// -j TPROXY, parsed, checked and saved as libxt_TPROXY (revision 1) and xt_TPROXY's checkentry
// do: mangle PREROUTING only, a rule of -p tcp or -p udp (not negated), --on-port required.
// iptables-save writes all three options back, the defaults too.
#include <string>

#include "fwbench/parse_util.hpp"
#include "module_registry.hpp"

namespace fwbench::detail {
namespace {

TproxyTarget& spec_of(TargetSpec& spec) { return std::get<TproxyTarget>(spec); }

// XTTYPE_PORT reads the port with getaddrinfo: glibc's number, strtoul's decimal taken as an int
// (negative refused) and cut to 16 bits (99999 is port 34463; "" is 0), else a service name.
std::optional<std::uint16_t> parse_service_port(std::string_view text) {
    if (const auto n = parse_strtoul_int(text, 10)) return static_cast<std::uint16_t>(*n);
    if (text.empty()) return 0;
    return service_port(text);
}

std::string apply_on_port(TargetSpec& spec, bool, std::vector<std::string>& args, const OptionContext&) {
    const auto port = parse_service_port(args[0]);
    if (!port) return "expected a port number or service name, got '" + args[0] + "'";
    spec_of(spec).lport = *port;
    return {};
}

std::string apply_on_ip(TargetSpec& spec, bool, std::vector<std::string>& args, const OptionContext& ctx) {
    const auto addr = parse_ip(args[0], ctx.family);
    if (!addr)
        return "expected an " + std::string(ctx.family == Family::ipv4 ? "IPv4" : "IPv6") + " address (fwbench resolves no host names), got '" +
               args[0] + "'";
    spec_of(spec).laddr = *addr;
    return {};
}

std::string apply_tproxy_mark(TargetSpec& spec, bool, std::vector<std::string>& args, const OptionContext&) {
    const auto vm = parse_value_mask(args[0]);
    if (!vm) return "expected VALUE[/MASK] (32-bit numbers), got '" + args[0] + "'";
    spec_of(spec).mark_value = vm->first;
    spec_of(spec).mark_mask = vm->second;
    return {};
}

// tproxy_tg4_check / tproxy_tg6_check.
std::string finish_tproxy(TargetSpec&, const OptionContext& ctx) {
    const auto& p = ctx.rule_proto;
    if (!p || p->negated || (p->value != proto::tcp && p->value != proto::udp)) return "TPROXY needs \"-p tcp\" or \"-p udp\" in the rule";
    return {};
}

void save_tproxy(const TargetSpec& spec, std::vector<RuleOption>& options, const OptionContext&) {
    const auto& s = std::get<TproxyTarget>(spec);
    options = {{"on-port", false, {std::to_string(s.lport)}},
               {"on-ip", false, {format_ip(s.laddr)}},
               {"tproxy-mark", false, {hex(s.mark_value) + "/" + hex(s.mark_mask)}}};
}

}  // namespace

void add_tproxy_target(std::vector<TargetModuleDef>& t) {
    t.push_back({"TPROXY",
                 {{"on-port", "", 1, false, apply_on_port}, {"on-ip", "", 1, false, apply_on_ip}, {"tproxy-mark", "", 1, false, apply_tproxy_mark}},
                 [](const OptionContext& ctx) -> TargetSpec {
                     return TproxyTarget{.laddr = IpAddr{ctx.family, {}}};
                 },
                 finish_tproxy,
                 hook_bit(Hook::prerouting),
                 "mangle",
                 true});
    t.back().rules.required = "on-port";
    t.back().save = save_tproxy;
}

}  // namespace fwbench::detail
