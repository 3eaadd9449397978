// -j TPROXY, parsed, checked and saved as libxt_TPROXY (revision 1) and xt_TPROXY's checkentry
// do: mangle PREROUTING only, a rule of -p tcp or -p udp (not negated), --on-port required.
// iptables-save writes all three options back, the defaults too.
#include <cctype>
#include <string>

#include "fwbench/parse_util.hpp"
#include "module_registry.hpp"

namespace fwbench::detail {
namespace {

TproxyTarget& spec_of(TargetSpec& spec) { return std::get<TproxyTarget>(spec); }

// XTTYPE_PORT reads the port with getaddrinfo: a service name, or glibc's number, which is
// strtoul's (base 10, leading blanks and a sign allowed, the whole text) taken as an int and
// refused when negative, then cut to 16 bits (99999 is port 34463; "" is 0).
std::optional<std::uint16_t> parse_service_port(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    bool minus = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) minus = text[i++] == '-';
    const std::size_t digits = i;
    std::uint64_t value = 0;
    bool overflow = false;
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
        const std::uint64_t digit = static_cast<std::uint64_t>(text[i] - '0');
        if (value > (UINT64_MAX - digit) / 10) overflow = true;
        value = value * 10 + digit;
    }
    if (i != text.size() || (i == digits && digits != 0)) return service_port(text);
    if (overflow) value = UINT64_MAX;  // strtoul's ULONG_MAX
    else if (minus) value = 0 - value;
    if (static_cast<std::int32_t>(static_cast<std::uint32_t>(value)) < 0) return std::nullopt;
    return static_cast<std::uint16_t>(value);
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
