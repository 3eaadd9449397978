#include "sources.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "fwbench/kernel_chains.hpp"
#include "fwbench/ip_addr_text.hpp"
#include "fwbench/parse_error.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "running_host.hpp"

namespace fwbench {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::optional<IpsetRegistry> load_ipsets(const SourceOptions& o) {
    if (o.ipsets_path.empty()) return std::nullopt;
    return IpsetRegistry::parse(slurp(o.ipsets_path), o.ipsets_path);
}

Ruleset parse_ruleset_file_of_family(const std::string& path, const RulesetParseOptions& opt, int family) {
    try {
        return parse_ruleset_file(path, opt);
    } catch (const ParseError&) {
        // An address of the other family is a file of the other family: said as such.
        if (!family) throw;
        RulesetParseOptions other = opt;
        other.family = family == 4 ? Family::ipv6 : Family::ipv4;
        try {
            (void)parse_ruleset_file(path, other);
        } catch (const ParseError&) {
            throw;  // not that either: the first error stands
        }
        throw std::runtime_error("--family " + std::to_string(family) + " was given, but " + path + " is an IPv" + (family == 4 ? "6" : "4") +
                                 " ruleset (" + (family == 4 ? "ip6tables-save" : "iptables-save") + " output): drop --family, or give the IPv" +
                                 std::to_string(family) + " one");
    }
}

std::optional<Ruleset> load_ruleset6(const SourceOptions& o, const std::string& rules6, const Ruleset& rs, const IpsetRegistry* ipsets) {
    if (rules6.empty()) return std::nullopt;
    if (rs.family != Family::ipv4)
        throw std::runtime_error("--rules6 gives the ip6tables ruleset beside an iptables one, but --rules " + rs.source +
                                 " is an IPv6 ruleset: give the IPv4 one with --rules");
    SourceOptions s6 = o;
    s6.rules_path = rules6;
    s6.family = 6;
    return load_ruleset(s6, ipsets);
}

Ruleset load_ruleset(const SourceOptions& o, const IpsetRegistry* ipsets) {
    RulesetParseOptions opt;
    if (o.family) opt.family = o.family == 4 ? Family::ipv4 : Family::ipv6;
    opt.ipsets = ipsets;
    opt.lenient = o.lenient;
    Ruleset rs;
    // A described host with this machine's ruleset would be a mix of two hosts: refused as
    // --rules without --host is (load_host).
    if (o.rules_path.empty() && !o.host_path.empty())
        throw std::runtime_error(
            "--host was given without --rules: give the ruleset too (iptables-save writes it), "
            "or neither to use the running host");
    if (o.rules_path.empty()) {
        opt.source = "iptables-save (running host)";
        rs = parse_ruleset(running_ruleset(o.family == 6), opt);
    } else {
        opt.source = o.rules_path;
        rs = parse_ruleset_file_of_family(o.rules_path, opt, o.family);
    }
    if (!o.backend.empty()) {
        rs.backend = o.backend == "legacy" ? Backend::legacy : Backend::nf_tables;
        rs.backend_reason = "--backend " + o.backend;
    }
    // iptables-save prints every built-in chain; which of them iptables-nft created, the kernel says.
    if (o.rules_path.empty() && rs.backend == Backend::nf_tables) {
        try {
            apply_kernel_base_chains(rs, kernel_base_chains(rs.family));
        } catch (const std::exception& e) {
            rs.chain_presence_source = "iptables-save's chains, assumed all created with counters";
            spdlog::warn("{}: {}", e.what(), "every built-in chain iptables-save printed is assumed to exist and count its policy");
        }
    }
    for (const auto& s : rs.skipped) spdlog::warn("skipped rule at line {}: {}", s.line, s.reason);
    for (const auto& w : rs.warnings) spdlog::warn("{}:{}:{}: {}", rs.source, w.line, w.column, w.message);
    return rs;
}

Host load_host(const SourceOptions& o) {
    if (!o.host_path.empty()) {
        std::string text = slurp(o.host_path);
        // `ip addr` text (what people paste beside a ruleset) or the JSON forms.
        if (looks_like_ip_addr_text(text)) return Host::from_json(ip_addr_text_to_json(text, o.host_path), o.host_path);
        return Host::from_json(text, o.host_path);
    }
    if (!o.rules_path.empty())
        throw std::runtime_error(
            "--rules was given without --host: give the host too (fwbench dump-host writes it), "
            "or neither to use the running host");
    return Host::from_json(dump_running_host(), "running host");
}

}  // namespace fwbench
