#include "shared_ruleset_cases.hpp"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "fwbench/ip_addr_text.hpp"
#include "fwbench/parse_error.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "fwbench/ruleset_printer.hpp"
#include "rule_traffic.hpp"

namespace fwbench::test {

std::vector<SharedRuleset> shared_rulesets(std::filesystem::path& dir) {
    namespace fs = std::filesystem;
    const char* env = std::getenv("FWBENCH_SHARED_DATA");
    dir = fs::path(env ? env : "../shared/data") / "rulesets";
    std::vector<SharedRuleset> out;
    if (!fs::is_directory(dir)) return out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        std::ifstream in(e.path(), std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        std::string text = ss.str();
        if (text.find("\nCOMMIT") == std::string::npos || text.find("*filter") == std::string::npos) continue;
        out.push_back({fs::relative(e.path(), dir).string(), std::move(text)});
    }
    return out;
}

std::set<std::string> matched_set_names(const std::string& text, bool single_direction_only) {
    std::set<std::string> names;
    for (std::size_t at = text.find("--match-set "); at != std::string::npos; at = text.find("--match-set ", at + 1)) {
        std::istringstream words(text.substr(at + 12, 200));
        std::string name, dirs;
        words >> name >> dirs;
        if (!single_direction_only || dirs.find(',') == std::string::npos) names.insert(name);
    }
    return names;
}

namespace {

// The host: the `ip addr` dump beside the ruleset when there is one that reads, else one made from
// the interfaces the rules name.
std::string host_for_case(const std::filesystem::path& dir, const std::string& rel, const Ruleset& rs, SharedRulesetNotes& notes) {
    namespace fs = std::filesystem;
    std::string host_json;
    for (const auto& sib : fs::directory_iterator((dir / rel).parent_path())) {
        std::string n = sib.path().filename().string();
        if (n.find("ip-addr") == std::string::npos && n.find("ip_addr") == std::string::npos) continue;
        std::ifstream hin(sib.path(), std::ios::binary);
        std::stringstream hs;
        hs << hin.rdbuf();
        try {
            host_json = ip_addr_text_to_json(hs.str(), sib.path().string());
            notes.hosts_from_dumps.push_back(rel + ": " + n);
        } catch (const ParseError& ex) {
            notes.hosts_from_dumps.push_back(rel + ": " + n + " does not read (" + ex.what() + "); a made-up host instead");
        }
    }
    return host_json.empty() ? host_for_ruleset(rs) : host_json;
}

}  // namespace

std::vector<SharedRulesetCase> shared_ruleset_cases(std::filesystem::path& dir, SharedRulesetNotes& notes) {
    std::vector<SharedRulesetCase> cases;
    for (const auto& [rel, file_text] : shared_rulesets(dir)) {
        SharedRulesetCase c;
        c.rel = rel;
        // A dump with a line of only spaces does not load (iptables-restore: "line N failed"):
        // replayed without it, as its owner's ruleset was before the dump was made.
        int blank_space_lines = 0;
        const std::string text = without_blank_space_lines(file_text, blank_space_lines);
        if (blank_space_lines)
            notes.without.push_back(rel + ": " + std::to_string(blank_space_lines) + " lines of only spaces (iptables-restore refuses one)");
        // ipsets the data does not include (Docker's docker-ext-bridges-v4): made up as hash:net
        // sets holding the host's connected networks (what Docker puts in its bridge set).
        const std::set<std::string> set_names = matched_set_names(text, true);
        std::string ipset_text;
        for (const auto& name : set_names) ipset_text += "create " + name + " hash:net family inet hashsize 64 maxelem 1024\n";
        if (!ipset_text.empty()) c.ipsets = IpsetRegistry::parse(ipset_text, rel + " made-up ipsets");
        try {
            RulesetParseOptions popt;
            popt.ipsets = c.ipsets ? &*c.ipsets : nullptr;
            c.rs = parse_ruleset(text, popt);
            c.rs.backend = Backend::nf_tables;  // whatever loaded it where it came from, iptables-nft loads it here
        } catch (const std::exception& ex) {
            notes.skipped.push_back(rel + ": fwbench refuses it (" + std::string(ex.what()) + ")");
            continue;
        }
        // Rules an old kernel loaded but this one refuses (a warning each): replayed without them.
        const bool rules_dropped = !c.rs.warnings.empty();
        if (rules_dropped) {
            std::set<int> lines;
            for (const auto& w : c.rs.warnings) lines.insert(w.line);
            for (auto& t : c.rs.tables)
                for (auto& ch : t.chains) std::erase_if(ch.rules, [&](const Rule& r) { return lines.count(r.line) > 0; });
            notes.without.push_back(rel + ": " + std::to_string(lines.size()) + " rules (" + c.rs.warnings[0].message.substr(0, 60) + "...)");
            c.rs.warnings.clear();
        }
        // statistic --mode random draws get_random_u32() in the kernel: made certain (probability
        // 1, which both sides evaluate exactly), the rest of such a ruleset is still compared.
        int made_certain = 0;
        for (auto& t : c.rs.tables)
            for (auto& ch : t.chains)
                for (auto& r : ch.rules)
                    for (auto& m : r.matches)
                        if (auto* st = std::get_if<StatisticMatch>(&m.spec); st && !st->nth) {
                            st->probability = 0x80000000u;
                            ++made_certain;
                        }
        if (made_certain) notes.certain.push_back(rel + ": " + std::to_string(made_certain) + " statistic --mode random rules");
        c.host_json = host_for_case(dir, rel, c.rs, notes);
        const Host host = Host::from_json(c.host_json, rel + " host");
        if (!set_names.empty()) {
            for (const auto& name : set_names)
                for (const auto& itf : host.interfaces())
                    for (const auto& a : itf.addrs)
                        if (!itf.loopback && a.addr.family == Family::ipv4 && a.prefixlen < 32)
                            ipset_text += "add " + name + " " +
                                          format_prefix(*parse_prefix(format_ip(a.addr) + "/" + std::to_string(a.prefixlen), Family::ipv4).prefix) +
                                          "\n";
            c.ipsets = IpsetRegistry::parse(ipset_text, rel + " made-up ipsets");
            c.kopt.ipsets = ipset_text;
            notes.made_up.push_back(rel + ": " + std::to_string(set_names.size()) + " hash:net sets of the host's connected networks");
        }
        c.rated = has_rate_match(c.rs);
        c.kopt.pace = c.rated;
        // A ruleset the test left as it is goes to the kernel as written (and is read back).
        if (!rules_dropped && made_certain == 0) c.kopt.ruleset_text = text;
        c.traffic = traffic_for_ruleset(c.rs, host, 7, 60);
        if (c.rated) {
            // Paced 10 ms apart (the kernel sees the gaps fwbench sees; local packets take 3 ms to
            // inject): no flow comes near a rate, so jiffy phase cannot tip a borderline packet.
            for (std::size_t i = 0; i < c.traffic.size(); ++i) c.traffic[i].first.timestamp_ns = 1000000000ull + i * 10000000ull;
            notes.paced.push_back(rel + ": " + std::to_string(c.traffic.size()) + " packets over " + std::to_string(c.traffic.size() * 10) + " ms");
        }
        cases.push_back(std::move(c));
    }
    return cases;
}

void SharedRulesetNotes::print(int replayed) const {
    auto list = [](const char* title, const std::vector<std::string>& items, bool even_empty) {
        if (items.empty() && !even_empty) return;
        std::cout << title;
        for (const auto& i : items) std::cout << "\n  " << i;
        std::cout << "\n";
    };
    std::cout << "replayed " << replayed << " real rulesets into the kernel; ";
    list("not replayed:", skipped, true);
    list("hosts from the ip addr dumps beside rulesets:", hosts_from_dumps, true);
    list("replayed with statistic --mode random made certain (probability 1):", certain, false);
    list("replayed with made-up ipsets:", made_up, false);
    list("replayed without the rules this kernel refuses:", without, false);
    list("paced to their timestamps (rate matches):", paced, false);
}

bool has_rate_match(const Ruleset& rs) {
    for (const auto& t : rs.tables)
        for (const auto& c : t.chains)
            for (const auto& r : c.rules)
                for (const auto& m : r.matches) {
                    const auto* recent = std::get_if<RecentMatch>(&m.spec);
                    if (std::holds_alternative<LimitMatch>(m.spec) || std::holds_alternative<HashLimitMatch>(m.spec) || (recent && recent->seconds))
                        return true;
                }
    return false;
}

}  // namespace fwbench::test
