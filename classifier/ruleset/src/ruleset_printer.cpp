// Writes a Ruleset back in iptables-save form (optionally with -c counters).

#include <sstream>

#include "fwbench/ruleset_parser.hpp"
#include "fwbench/ruleset_printer.hpp"

namespace fwbench {

namespace {

// How an option's value is printed: raw, as xtables_save_string prints it (quoted unless it
// needs none), or always quoted with `"` and `\` escaped (libxt_LED's trigger id, connlabel's label).
enum class Quoting { raw, save_string, always };

// Quote as iptables-save's xtables_save_string does when a value needs it. Other values the
// extensions print raw: an empty one (time's --monthdays with no day left) is nothing.
std::string quote_if_needed(const std::string& v, Quoting quoting) {
    if (quoting == Quoting::always) {
        std::string out = "\"";
        for (char c : v) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        return out + "\"";
    }
    const bool always_style = quoting == Quoting::save_string;
    if (v.empty() && !always_style) return v;
    bool plain = !v.empty();
    for (char c : v) {
        bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        if (!always_style) safe = safe || (c != ' ' && c != '\t' && c != '"' && c != '\'' && c != '\\');
        if (!safe) plain = false;
    }
    if (!always_style && !v.empty() && v[0] == '!') plain = false;
    if (plain) return v;
    std::string out = "\"";
    for (char c : v) {
        if (c == '"' || c == '\\' || c == '\'') out += '\\';
        out += c;
    }
    return out + "\"";
}

// The options iptables saves through xtables_save_string: quoted unless [A-Za-z0-9_-]+. CT's
// --helper is printed bare, -m helper's through it; LED quotes its id always, connlabel its label, string its pattern.
Quoting option_quoting(const std::string& module, const std::string& name) {
    if ((module == "LED" && name == "led-trigger-id") || (module == "connlabel" && name == "label") ||
        (module == "string" && (name == "string" || name == "hex-string")) || (module == "u32" && name == "u32") ||
        (module == "bpf" && name == "bytecode"))
        return Quoting::always;
    const bool save_string = name == "comment" || name == "log-prefix" || name == "nflog-prefix" || name == "ulog-prefix" || name == "path" ||
                             (module == "helper" && name == "helper");
    return save_string ? Quoting::save_string : Quoting::raw;
}

void print_options(std::ostream& os, const std::string& module, const std::vector<RuleOption>& opts) {
    for (const auto& o : opts) {
        if (o.negated) os << " !";
        os << " --" << o.name;
        for (const auto& a : o.args) os << ' ' << quote_if_needed(a, option_quoting(module, o.name));
    }
}

const char* policy_name(StandardTarget::Kind k) { return k == StandardTarget::Kind::drop ? "DROP" : "ACCEPT"; }

}  // namespace

std::string rule_label(const Table& table, const Chain& chain, std::size_t index) {
    return table.name + " " + chain.name + " rule " + std::to_string(index + 1) + ": " + format_rule(chain.rules[index], chain.name);
}

std::string format_rule(const Rule& r, const std::string& chain) {
    std::ostringstream os;
    os << "-A " << chain;
    auto neg = [&](bool n) {
        if (n) os << " !";
    };
    if (r.ip.src) {
        neg(r.ip.src->negated);
        os << " -s " << format_prefix(r.ip.src->value);
    }
    if (r.ip.dst) {
        neg(r.ip.dst->negated);
        os << " -d " << format_prefix(r.ip.dst->value);
    }
    // `-i +` (any name) matches every packet and iptables-save leaves it out (save_iface skips
    // an all-zero mask); negated, it is kept.
    auto any_name = [](const auto& iface) { return !iface->negated && iface->value.wildcard && iface->value.name.empty(); };
    if (r.ip.in && !any_name(r.ip.in)) {
        neg(r.ip.in->negated);
        os << " -i " << r.ip.in->value.name << (r.ip.in->value.wildcard ? "+" : "");
    }
    if (r.ip.out && !any_name(r.ip.out)) {
        neg(r.ip.out->negated);
        os << " -o " << r.ip.out->value.name << (r.ip.out->value.wildcard ? "+" : "");
    }
    if (r.ip.proto) {
        neg(r.ip.proto->negated);
        os << " -p " << format_protocol(r.ip.proto->value);
    }
    if (r.ip.fragment) {
        neg(!*r.ip.fragment);
        os << " -f";
    }
    for (const auto& m : r.matches) {
        os << " -m " << m.module;
        print_options(os, m.module, m.options);
    }
    if (r.target) {
        const auto* j = std::get_if<JumpTarget>(&r.target->spec);
        os << (j && j->is_goto ? " -g " : " -j ") << r.target->name;
        print_options(os, r.target->name, r.target->options);
    }
    return os.str();
}

std::string format_ruleset(const Ruleset& rs, const CounterSource* counters, BuiltinChains builtins) {
    std::ostringstream os;
    // The backend mark iptables-nft-save writes, "(nf_tables)", or iptables-legacy's: read back,
    // the text loads under the backend it came from (the parser decides by this line).
    os << "# Generated by fwbench (" << (rs.family == Family::ipv4 ? "iptables" : "ip6tables") << "-save form) ("
       << (rs.backend == Backend::legacy ? "legacy" : "nf_tables") << ")\n";
    for (std::size_t ti = 0; ti < rs.tables.size(); ++ti) {
        const Table& t = rs.tables[ti];
        os << '*' << t.name << '\n';
        std::string flushes;
        for (std::size_t ci = 0; ci < t.chains.size(); ++ci) {
            const Chain& c = t.chains[ci];
            if (builtins == BuiltinChains::as_present && c.builtin && rs.presence(c) != ChainPresence::counted) {
                if (rs.presence(c) == ChainPresence::uncounted) flushes += "-F " + c.name + "\n";
                continue;
            }
            Counters pc = counters ? counters->policy(ti, ci) : c.input_counters;
            os << ':' << c.name << ' ' << (c.builtin ? policy_name(c.policy) : "-") << " [" << pc.packets << ':' << pc.bytes << "]\n";
        }
        os << flushes;
        for (std::size_t ci = 0; ci < t.chains.size(); ++ci) {
            const Chain& c = t.chains[ci];
            for (std::size_t ri = 0; ri < c.rules.size(); ++ri) {
                if (counters) {
                    Counters rc = counters->rule(ti, ci, ri);
                    os << '[' << rc.packets << ':' << rc.bytes << "] ";
                }
                os << format_rule(c.rules[ri], c.name) << '\n';
            }
        }
        os << "COMMIT\n";
    }
    return os.str();
}

}  // namespace fwbench
