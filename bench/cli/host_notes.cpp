#include "host_notes.hpp"

#include <cstdio>

namespace fwbench {

void write_assumptions(std::ostream& os, const Host& host, std::string_view indent) {
    for (const auto& a : host.assumptions()) os << indent << "assumed: " << a.text << '\n';
}

std::string assumption_hint(const Host& host, std::string_view reason, std::uint64_t count, std::uint64_t processed) {
    // A share this large is the host description speaking, not the traffic.
    if (processed == 0 || count * 20 < processed) return {};
    using K = HostAssumption::Kind;
    std::string fix;
    if (reason == "forwarding_disabled" && (host.assumed(K::sysctls_default) || host.assumed(K::ip_forward_default)))
        fix = "ip_forward was assumed 0 (not given): if this host routes, give \"sysctl\": {\"net.ipv4.ip_forward\": 1} in the host file";
    else if (reason == "no_route" && host.assumed(K::routes_derived))
        fix = "no routes were given, so there is no default route: give `ip -j route show table all` as \"route\" in the host file";
    if (fix.empty()) return {};
    char share[32];
    std::snprintf(share, sizeof share, "%.0f%%", 100.0 * static_cast<double>(count) / static_cast<double>(processed));
    std::string out = std::to_string(count);
    out.append(" packets (").append(share).append(" of those processed) were dropped as ").append(reason).append(": ").append(fix);
    return out;
}

}  // namespace fwbench
