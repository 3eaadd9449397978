// -j TEE, parsed, checked and saved as libxt_TEE (revision 1) and xt_TEE's checkentry do: any
// table and hook, --gateway required (an address, never the unspecified one), --oif a device
// name cut to 15 characters (its 16 bytes with the NUL; "" names none).
#include <string>

#include "fwbench/parse_util.hpp"
#include "module_registry.hpp"

namespace fwbench::detail {
namespace {

TeeTarget& spec_of(TargetSpec& spec) { return std::get<TeeTarget>(spec); }

std::string apply_gateway(TargetSpec& spec, bool, std::vector<std::string>& args, const OptionContext& ctx) {
    const auto addr = parse_ip(args[0], ctx.family);
    if (!addr)
        return "expected an " + std::string(ctx.family == Family::ipv4 ? "IPv4" : "IPv6") + " address (fwbench resolves no host names), got '" +
               args[0] + "'";
    // tee_tg_check: 0.0.0.0 and :: are refused (EINVAL).
    if (unspecified_address(*addr)) return "TEE's gateway must not be the unspecified address " + format_ip(*addr) + " (xt_TEE refuses it)";
    spec_of(spec).gateway = *addr;
    return {};
}

// XTTYPE_STRING put into the 16-byte oif: cut to 15 characters, as iptables keeps and saves it.
std::string apply_oif(TargetSpec& spec, bool, std::vector<std::string>& args, const OptionContext&) {
    if (args[0].size() > 15) args[0].resize(15);
    spec_of(spec).oif = args[0];
    return {};
}

void save_tee(const TargetSpec& spec, std::vector<RuleOption>& options, const OptionContext&) {
    const auto& s = std::get<TeeTarget>(spec);
    options = {{"gateway", false, {format_ip(s.gateway)}}};
    if (!s.oif.empty()) options.push_back({"oif", false, {s.oif}});
}

}  // namespace

void add_tee_target(std::vector<TargetModuleDef>& t) {
    t.push_back({"TEE", {{"gateway", "", 1, false, apply_gateway}, {"oif", "", 1, false, apply_oif}}, [](const OptionContext& ctx) -> TargetSpec {
                     return TeeTarget{.gateway = IpAddr{ctx.family, {}}, .oif = {}};
                 }});
    t.back().rules.required = "gateway";
    t.back().save = save_tee;
}

}  // namespace fwbench::detail
