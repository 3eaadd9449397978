#include "xt_corpus.hpp"

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include "fwbench/parse_error.hpp"
#include "fwbench/parse_util.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "fwbench/ruleset_printer.hpp"

namespace fwbench::test {
namespace {

std::vector<std::string> split_strings(std::string_view text, char sep) {
    std::vector<std::string> out;
    for (auto part : detail::split(text, sep)) out.emplace_back(part);
    return out;
}

std::string trim_right(std::string s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\r' || s.back() == '\n' || s.back() == '\t')) s.pop_back();
    return s;
}

// The result for the nf_tables backend (iptables-test.py's variant_res with EXECUTABLE nft).
std::string nft_result(const std::vector<std::string>& f) {
    std::string res = trim_right(f[2]);
    if (f.size() <= 3) return res;
    std::string variant = trim_right(f[3]);
    if (variant == "NFT" || variant.rfind("SINCE ", 0) == 0 || variant.rfind("SAVED-SINCE ", 0) == 0) return res;
    if (f.size() > 4 && !trim_right(f[4]).empty() && trim_right(f[4]) != "=") return trim_right(f[4]);
    if (res == "OK") return "FAIL";
    return "OK";  // FAIL and NOMATCH invert to OK
}

const char* builtin_chains(const std::string& table) {
    if (table == "filter" || table == "security") return "INPUT FORWARD OUTPUT";
    if (table == "nat") return "PREROUTING INPUT OUTPUT POSTROUTING";
    if (table == "raw") return "PREROUTING OUTPUT";
    return "PREROUTING INPUT FORWARD OUTPUT POSTROUTING";
}

// `iptables [-t TABLE] -A|-I|-D CHAIN RULE...` (words split at spaces): adds the rule to, or
// deletes it from, the rules later cases are loaded beside.
void apply_setup_command(const std::string& command, std::vector<XtSetupRule>& setup, const std::string& where) {
    auto words = split_strings(command, ' ');
    std::erase(words, "");
    XtSetupRule r;
    std::size_t k = 1;
    if (words.empty() || (words[0] != "iptables" && words[0] != "ip6tables")) throw std::runtime_error(where + ": expected '%iptables ...'");
    if (k + 1 < words.size() && words[k] == "-t") {
        r.table = words[k + 1];
        k += 2;
    }
    if (k + 1 >= words.size() || (words[k] != "-A" && words[k] != "-I" && words[k] != "-D"))
        throw std::runtime_error(where + ": expected -A, -I or -D CHAIN RULE after the table");
    const std::string command_word = words[k];
    r.chain = words[k + 1];
    for (std::size_t i = k + 2; i < words.size(); ++i) r.rule += (r.rule.empty() ? "" : " ") + words[i];
    if (command_word == "-D") std::erase(setup, r);
    else setup.push_back(std::move(r));
}

}  // namespace

std::vector<XtCase> read_xt_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(path + ": cannot open");
    std::string base = path.substr(path.find_last_of('/') + 1);
    std::vector<Family> families{Family::ipv4};
    if (base.rfind("libip6t_", 0) == 0) families = {Family::ipv6};
    else if (base.rfind("libxt_", 0) == 0) families = {Family::ipv4, Family::ipv6};
    else if (base.rfind("ip6-", 0) == 0) families = {Family::ipv6};  // our own files: ip4-, ip6-, xt-
    else if (base.rfind("xt-", 0) == 0) families = {Family::ipv4, Family::ipv6};

    std::vector<XtCase> out;
    std::string line, table = "filter";
    std::vector<std::string> chains;
    std::vector<XtSetupRule> setup;
    std::optional<std::set<std::string>> nfacct;
    for (int no = 1; std::getline(in, line); ++no) {
        line = trim_right(line);
        if (line.rfind("@nfacct ", 0) == 0) {
            const auto words = split_strings(line, ' ');
            if (words.size() != 3 || (words[1] != "add" && words[1] != "del"))
                throw std::runtime_error(path + ":" + std::to_string(no) + ": expected @nfacct add|del NAME");
            if (!nfacct) nfacct.emplace();
            if (words[1] == "add") nfacct->insert(words[2]);
            else nfacct->erase(words[2]);
            continue;
        }
        if (line.empty() || line[0] == '#' || line[0] == '@') continue;
        if (line[0] == '%') {
            apply_setup_command(line.substr(1), setup, path + ":" + std::to_string(no));
            continue;
        }
        if (line[0] == '*') {
            table = line.substr(1);
            continue;
        }
        if (line[0] == ':') {
            chains = split_strings(std::string_view(line).substr(1), ',');
            continue;
        }
        auto f = split_strings(line, ';');
        if (f.size() < 3 || chains.empty())
            throw std::runtime_error(path + ":" + std::to_string(no) + ": expected RULE;SAVED;OK|FAIL after a :CHAIN line");
        std::string res = nft_result(f);
        if (res != "OK" && res != "FAIL" && res != "NOMATCH")
            throw std::runtime_error(path + ":" + std::to_string(no) + ": expected OK, FAIL or NOMATCH, got '" + res + "'");
        for (Family fam : families) {
            XtCase c;
            c.file = base;
            c.line = no;
            c.table = table;
            c.chains = chains;
            c.rule = f[0];
            c.nfacct_objects = nfacct;
            c.saved = f[1] == "=" ? f[0] : f[1];
            c.accepted = res != "FAIL";
            c.printed_unchecked = res == "NOMATCH";
            c.family = fam;
            c.setup = setup;
            const std::string variant = f.size() > 3 ? trim_right(f[3]) : "";
            if (variant.rfind("SINCE ", 0) == 0) c.since = variant.substr(6);
            if (variant.rfind("SAVED-SINCE ", 0) == 0) c.saved_since = variant.substr(12);
            out.push_back(std::move(c));
        }
    }
    return out;
}

std::string case_ruleset(const XtCase& c, const std::string& chain) {
    std::vector<std::string> tables;
    for (const auto& r : c.setup)
        if (r.table != c.table && std::find(tables.begin(), tables.end(), r.table) == tables.end()) tables.push_back(r.table);
    tables.push_back(c.table);
    std::string text;
    for (const auto& table : tables) {
        text.append("*").append(table).append("\n");
        for (auto name : detail::split(builtin_chains(table), ' ')) text.append(":").append(name).append(" ACCEPT [0:0]\n");
        for (const auto& r : c.setup)
            if (r.table == table) text.append("-A ").append(r.chain).append(" ").append(r.rule).append("\n");
        if (table == c.table) text.append("-A ").append(chain).append(" ").append(c.rule).append("\n");
        text.append("COMMIT\n");
    }
    return text;
}

XtOutcome run_fwbench(const XtCase& c, const std::string& chain) {
    RulesetParseOptions opt;
    opt.source = c.file + ":" + std::to_string(c.line);
    opt.family = c.family;
    if (c.nfacct_objects) opt.nfacct_objects = &*c.nfacct_objects;
    XtOutcome out;
    try {
        Ruleset rs = parse_ruleset(case_ruleset(c, chain), opt);
        // The case's own rules: those of its chain after the setup rules there.
        const auto setup_here =
            std::count_if(c.setup.begin(), c.setup.end(), [&](const XtSetupRule& r) { return r.table == c.table && r.chain == chain; });
        for (const auto& t : rs.tables)
            for (const auto& ch : t.chains)
                for (std::size_t i = 0; i < ch.rules.size(); ++i) {
                    if (t.name != c.table || ch.name != chain || static_cast<std::ptrdiff_t>(i) < setup_here) continue;
                    const Rule& r = ch.rules[i];
                    std::string line = format_rule(r, ch.name);
                    std::string prefix = "-A " + ch.name;
                    if (line.rfind(prefix, 0) == 0) line = line.substr(prefix.size());
                    if (!line.empty() && line[0] == ' ') line = line.substr(1);
                    if (!out.printed.empty()) out.printed += "\n";
                    out.printed += line;
                }
        out.loaded = true;
    } catch (const ParseError& e) {
        out.error = e.what();
    } catch (const std::exception& e) {
        out.error = std::string("(not a ParseError) ") + e.what();
    }
    return out;
}

}  // namespace fwbench::test
