#include "fwbench/ruleset_readback.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <optional>
#include <cstring>
#include <map>
#include <sstream>

#include "fwbench/ruleset_printer.hpp"

namespace fwbench {

namespace {

// Words as iptables-restore splits a line (whitespace; double quotes group, backslash escapes
// inside them), each in one canonical spelling: quotes are syntax, so a quoted word is written
// bare unless it needs them (whitespace, empty, or a leading '-' that would make it an option),
// and then quoted as iptables-save quotes (xtables_save_string). `"|>x"` and `|>x` are one word.
std::vector<std::string> words_of(std::string_view line) {
    std::vector<std::string> out;
    std::string cur;
    bool in_quotes = false, any = false, was_quoted = false;
    auto finish = [&] {
        const bool needs_quotes = was_quoted && (cur.empty() || cur[0] == '-' || cur.find_first_of(" \t") != std::string::npos);
        if (!needs_quotes) {
            out.push_back(cur);
        } else {
            std::string q = "\"";
            for (char c : cur) {
                if (c == '"' || c == '\\') q += '\\';
                q += c;
            }
            out.push_back(q + "\"");
        }
        cur.clear();
        any = was_quoted = false;
    };
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (in_quotes && c == '\\' && i + 1 < line.size()) {
            cur += line[++i];
        } else if (c == '"') {
            in_quotes = !in_quotes;
            any = was_quoted = true;
        } else if (!in_quotes && (c == ' ' || c == '\t')) {
            if (any) finish();
        } else {
            cur += c;
            any = true;
        }
    }
    if (any) finish();
    return out;
}

bool is_option(const std::string& w) { return w.size() > 1 && w[0] == '-'; }

// "A.B.C.D/32" -> "A.B.C.D"; anything else as it is.
std::string without_host_mask(const std::string& w) {
    if (w.size() > 3 && w.compare(w.size() - 3, 3, "/32") == 0 && std::count(w.begin(), w.end(), '.') == 3) return w.substr(0, w.size() - 3);
    return w;
}

// A number as iptables-save prints marks: lowercase hex.
std::string hex(std::uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%x", v);
    return buf;
}

std::optional<std::uint32_t> number(std::string_view text) {
    if (text.empty()) return std::nullopt;
    std::uint64_t v = 0;
    int base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        text.remove_prefix(2);
        base = 16;
    }
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
    if (ec != std::errc() || end != text.data() + text.size() || v > 0xffffffffu) return std::nullopt;
    return static_cast<std::uint32_t>(v);
}

// MARK's options as iptables-save writes them (libxt_MARK, revision 2): every form is
// "--set-xmark VALUE/MASK" (the new mark is (mark & ~MASK) ^ VALUE).
std::string mark_target_option(const std::string& opt) {
    const auto space = opt.find(' ');
    if (space == std::string::npos) return opt;
    const std::string name = opt.substr(0, space), arg = opt.substr(space + 1);
    const auto slash = arg.find('/');
    const auto value = number(arg.substr(0, slash));
    const auto mask = slash == std::string::npos ? std::optional<std::uint32_t>(0xffffffffu) : number(arg.substr(slash + 1));
    if (!value || !mask) return opt;
    if (name == "--set-mark") return "--set-xmark " + hex(*value) + "/" + hex(*mask | *value);
    if (name == "--set-xmark") return "--set-xmark " + hex(*value) + "/" + hex(*mask);
    if (slash != std::string::npos) return opt;
    if (name == "--and-mark") return "--set-xmark 0x0/" + hex(~*value);
    if (name == "--or-mark") return "--set-xmark " + hex(*value) + "/" + hex(*value);
    if (name == "--xor-mark") return "--set-xmark " + hex(*value) + "/0x0";
    return opt;
}

// Options at their defaults, which one side prints and the other may not: dropped from both.
// iptables-save adds recent's --mask and --rsource, and REJECT's default type (ip6tables-save too);
// it leaves out LOG's --log-level 4 (warning).
bool printed_default(const std::string& module, const std::string& opt) {
    if (module == "recent") return opt == "--mask 255.255.255.255" || opt == "--rsource";
    if (module == "LOG") return opt == "--log-level 4" || opt == "--log-level warning";
    if (module == "REJECT") return opt == "--reject-with icmp-port-unreachable" || opt == "--reject-with icmp6-port-unreachable";
    return false;
}

// statistic's --probability as the kernel keeps it (a 32-bit fraction of 2^31): iptables
// versions print it with different numbers of decimals.
std::string probability_option(const std::string& opt) {
    const std::string name = "--probability ";
    if (opt.rfind(name, 0) != 0) return opt;
    char* end = nullptr;
    const std::string value = opt.substr(name.size());
    const double p = std::strtod(value.c_str(), &end);
    if (end == value.c_str() || *end) return opt;
    return name + std::to_string(static_cast<std::uint64_t>(std::llround(p * 2147483648.0)));
}

}  // namespace

std::string canonical_rule(std::string_view line) {
    const std::vector<std::string> words = words_of(line);
    std::string out;
    std::size_t i = 0;
    // One option with its "!" and its arguments, up to the next option or "!".
    auto option_at = [&](std::size_t& k) {
        std::string opt;
        if (words[k] == "!") opt.append(words[k++]).append(" ");
        if (k < words.size()) opt.append(words[k++]);
        while (k < words.size() && !(is_option(words[k]) || words[k] == "!")) opt.append(" ").append(without_host_mask(words[k++]));
        return opt;
    };
    while (i < words.size()) {
        const bool module_start = (words[i] == "-m" || words[i] == "-j") && i + 1 < words.size();
        if (!module_start) {
            out.append(" ").append(without_host_mask(words[i++]));
            continue;
        }
        // A match (-m MODULE) or the target (-j TARGET) with its "--name" options, sorted: iptables
        // prints some modules' options in its own order. "-j", "-m" or an ipt_ip option ends them.
        const std::string kind = words[i], module = words[i + 1];
        i += 2;
        std::vector<std::string> opts;
        while (i < words.size()) {
            const bool negated_option = words[i] == "!" && i + 1 < words.size() && words[i + 1].rfind("--", 0) == 0;
            if (!negated_option && words[i].rfind("--", 0) != 0) break;
            std::string opt = option_at(i);
            if (printed_default(module, opt)) continue;
            if (kind == "-j" && module == "MARK") opt = mark_target_option(opt);
            if (module == "statistic") opt = probability_option(opt);
            opts.push_back(opt);
        }
        std::sort(opts.begin(), opts.end());
        out.append(" ").append(kind).append(" ").append(module);
        for (const auto& o : opts) out.append(" ").append(o);
    }
    return out.empty() ? out : out.substr(1);
}

std::vector<ReadbackDifference> compare_readback(const Ruleset& model, const std::string& kernel_save) {
    // The kernel's rules per (table, chain), in order.
    std::map<std::pair<std::string, std::string>, std::vector<std::string>> kernel;
    std::map<std::pair<std::string, std::string>, std::string> policies;  // "-" for user chains
    std::string table;
    std::istringstream in(kernel_save);
    for (std::string line; std::getline(in, line);) {
        const std::vector<std::string> words = words_of(line);
        if (line.rfind('*', 0) == 0) {
            table = line.substr(1);
        } else if (line.rfind(':', 0) == 0 && words.size() >= 2) {
            kernel[{table, words[0].substr(1)}];
            policies[{table, words[0].substr(1)}] = words[1];
        } else if (line.rfind("-A ", 0) == 0 && words.size() >= 2) {
            kernel[{table, words[1]}].push_back(line);
        }
    }
    std::vector<ReadbackDifference> out;
    for (const auto& t : model.tables)
        for (const auto& c : t.chains) {
            auto it = kernel.find({t.name, c.name});
            if (it == kernel.end()) {
                if (!c.rules.empty() || !c.builtin) out.push_back({t.name, c.name, 0, std::string("chain ").append(c.name), "no such chain"});
                continue;
            }
            if (c.builtin) {
                const std::string mine = c.policy == StandardTarget::Kind::drop ? "DROP" : "ACCEPT";
                const std::string& theirs = policies[{t.name, c.name}];
                if (mine != theirs) out.push_back({t.name, c.name, 0, "policy " + mine, "policy " + theirs});
            }
            const auto& lines = it->second;
            for (std::size_t r = 0; r < std::max(c.rules.size(), lines.size()); ++r) {
                std::string mine = r < c.rules.size() ? format_rule(c.rules[r], c.name) : std::string("(no rule)");
                // iptables-legacy-save leaves out an interface with an all-zero mask even when
                // negated (save_iface); iptables-nft keeps `! -i +` (its iifname "INVAL/D").
                if (model.backend == Backend::legacy)
                    for (const char* never : {" ! -i +", " ! -o +"})
                        for (auto at = mine.find(never); at != std::string::npos; at = mine.find(never)) mine.erase(at, std::strlen(never));
                const std::string theirs = r < lines.size() ? lines[r] : std::string("(no rule)");
                if (canonical_rule(mine) != canonical_rule(theirs)) out.push_back({t.name, c.name, static_cast<int>(r + 1), mine, theirs});
            }
        }
    return out;
}

std::string describe_readback(const ReadbackDifference& d) {
    return d.table + " " + d.chain + (d.rule ? " rule " + std::to_string(d.rule) : std::string()) + ": fwbench reads " + d.fwbench +
           "; the kernel loaded " + d.kernel;
}

}  // namespace fwbench
