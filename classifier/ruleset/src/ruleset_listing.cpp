#include "fwbench/ruleset_listing.hpp"

#include <cstdio>
#include <sstream>

#include "fwbench/addr.hpp"

namespace fwbench {

namespace {

const RuleOption* option(const std::vector<RuleOption>& opts, std::string_view name) {
    for (const auto& o : opts)
        if (o.name == name) return &o;
    return nullptr;
}

std::string arg(const RuleOption& o, std::size_t i = 0) { return i < o.args.size() ? o.args[i] : std::string(); }

// tcp/udp's "dpt:22" / "dpts:67:68" (the save form writes a range A:B).
std::string port_words(const char* one, const char* range, const RuleOption& o) {
    const std::string v = arg(o);
    const bool is_range = v.find(':') != std::string::npos;
    return std::string(" ") + (is_range ? range : one) + ":" + (o.negated ? "!" : "") + v;
}

std::string tcp_flag_mask(const std::string& list) {
    static const std::pair<const char*, unsigned> names[] = {{"FIN", 0x01}, {"SYN", 0x02}, {"RST", 0x04}, {"PSH", 0x08},
                                                             {"ACK", 0x10}, {"URG", 0x20}, {"ALL", 0x3f}, {"NONE", 0}};
    unsigned v = 0;
    std::istringstream in(list);
    for (std::string w; std::getline(in, w, ',');)
        for (const auto& [n, bit] : names)
            if (w == n) v |= bit;
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02X", v);
    return buf;
}

// The words `iptables -L -n` prints for a match, with its leading space; empty when fwbench
// does not know them (then the caller prints the save form).
std::string match_words(const Match& m) {
    const auto& o = m.options;
    std::string out;
    if (m.module == "tcp" || m.module == "udp") {
        out = " " + m.module;
        for (const auto& x : o) {
            if (x.name == "sport" || x.name == "source-port") out += port_words("spt", "spts", x);
            else if (x.name == "dport" || x.name == "destination-port") out += port_words("dpt", "dpts", x);
            else if (x.name == "tcp-flags")
                out += std::string(" flags:") + (x.negated ? "!" : "") + tcp_flag_mask(arg(x, 0)) + "/" + tcp_flag_mask(arg(x, 1));
            else if (x.name == "syn") out += std::string(" flags:") + (x.negated ? "!" : "") + "0x17/0x02";
            else return {};
        }
        return out;
    }
    if (m.module == "icmp") {
        const RuleOption* t = option(o, "icmp-type");
        if (!t || o.size() != 1) return {};
        const std::string v = arg(*t);
        const bool numeric = !v.empty() && v.find_first_not_of("0123456789/") == std::string::npos;
        if (!numeric) return {};  // names: iptables prints the numbers they stand for
        const auto slash = v.find('/');
        return std::string(" ") + (t->negated ? "!" : "") + "icmptype " + v.substr(0, slash) +
               (slash == std::string::npos ? "" : " code " + v.substr(slash + 1));
    }
    if (m.module == "conntrack" || m.module == "state") {
        for (const auto& x : o) {
            if (x.name == "ctstate" || x.name == "state")
                out += std::string(x.negated ? " ! " : " ") + (m.module == "state" ? "state " : "ctstate ") + arg(x);
            else if (x.name == "ctstatus") out += std::string(x.negated ? " ! " : " ") + "ctstatus " + arg(x);
            else return {};
        }
        return out;
    }
    if (m.module == "multiport") {
        for (const auto& x : o) {
            if (x.name != "dports" && x.name != "sports" && x.name != "ports" && x.name != "destination-ports" && x.name != "source-ports") return {};
            const std::string which = x.name[0] == 'd' ? "dports" : x.name[0] == 's' ? "sports" : "ports";
            out += " multiport " + which + " " + (x.negated ? " !" : "") + arg(x);
        }
        return out;
    }
    if (m.module == "comment") {
        const RuleOption* c = option(o, "comment");
        return c ? " /* " + arg(*c) + " */" : std::string();
    }
    if (m.module == "set") {
        const RuleOption* s = option(o, "match-set");
        if (!s || o.size() != 1) return {};
        return std::string(s->negated ? " ! " : " ") + "match-set " + arg(*s, 0) + " " + arg(*s, 1);
    }
    if (m.module == "mark") {
        const RuleOption* k = option(o, "mark");
        if (!k) return {};
        return std::string(" mark match ") + (k->negated ? "! " : "") + arg(*k);
    }
    if (m.module == "mac") {
        const RuleOption* k = option(o, "mac-source");
        if (!k) return {};
        std::string mac = arg(*k);
        for (auto& c : mac) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return std::string(" MAC ") + (k->negated ? "! " : "") + mac;
    }
    return {};
}

// The words after the match words for a target: " to:198.51.100.10:80", " reject-with ...".
std::string target_words(const Target& t) {
    const auto& o = t.options;
    if (t.name == "DNAT" || t.name == "SNAT") {
        const RuleOption* to = option(o, t.name == "DNAT" ? "to-destination" : "to-source");
        if (!to || o.size() != 1) return {};
        return " to:" + arg(*to);
    }
    if (t.name == "MASQUERADE") {
        if (o.empty()) return "";
        const RuleOption* p = option(o, "to-ports");
        return p && o.size() == 1 ? " masq ports: " + arg(*p) : std::string("?");
    }
    if (t.name == "REDIRECT") {
        const RuleOption* p = option(o, "to-ports");
        return p && o.size() == 1 ? " redir ports " + arg(*p) : std::string("?");
    }
    if (t.name == "REJECT") {
        const RuleOption* w = option(o, "reject-with");
        return " reject-with " + (w ? arg(*w) : std::string("icmp-port-unreachable"));
    }
    if (t.name == "LOG") {
        const RuleOption* level = option(o, "log-level");
        const RuleOption* prefix = option(o, "log-prefix");
        unsigned flags = 0;
        if (option(o, "log-tcp-sequence")) flags |= 1;
        if (option(o, "log-tcp-options")) flags |= 2;
        if (option(o, "log-ip-options")) flags |= 4;
        if (option(o, "log-uid")) flags |= 8;
        std::string out = " LOG flags " + std::to_string(flags) + " level " + (level ? arg(*level) : std::string("4"));
        if (prefix) out += " prefix \"" + arg(*prefix) + "\"";
        return out;
    }
    if (t.name == "MARK") {
        if (const RuleOption* s = option(o, "set-mark")) return " MARK set " + arg(*s);
        if (const RuleOption* s = option(o, "set-xmark")) {
            // iptables-save writes --set-mark V as --set-xmark V/0xffffffff; -L says "set V" for it.
            const std::string v = arg(*s);
            const auto slash = v.find('/');
            if (slash != std::string::npos && v.substr(slash + 1) == "0xffffffff") return " MARK set " + v.substr(0, slash);
            return " MARK xset " + v;
        }
        return "?";
    }
    if (o.empty()) return "";
    return "?";
}

std::string save_form(const std::vector<RuleOption>& opts) {
    std::string out;
    for (const auto& x : opts) {
        out += x.negated ? " ! --" : " --";
        out += x.name;
        for (const auto& a : x.args) out += " " + a;
    }
    return out;
}

std::string address(const std::optional<Neg<IpPrefix>>& p, Family family) {
    if (!p) return family == Family::ipv4 ? "0.0.0.0/0" : "::/0";
    std::string text = format_prefix(p->value);
    const std::string full = family == Family::ipv4 ? "/32" : "/128";
    if (text.size() > full.size() && text.compare(text.size() - full.size(), full.size(), full) == 0) text.resize(text.size() - full.size());
    return text;  // a negation is the column before it
}

std::string iface(const std::optional<Neg<IfacePattern>>& i) {
    if (!i) return "*";
    return (i->negated ? "!" : "") + i->value.name + (i->value.wildcard ? "+" : "");
}

void print_row(std::string& out, std::size_t num, const Counters& k, const Rule& r, Family family) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%-4zu %8llu %8llu ", num, static_cast<unsigned long long>(k.packets), static_cast<unsigned long long>(k.bytes));
    out += buf;
    const std::string target = r.target ? r.target->name : "";
    const std::string proto = r.ip.proto ? std::to_string(r.ip.proto->value) : "0";
    // As iptables' print_firewall: a column for a negation before the protocol and before
    // each address; the option column's trailing space and the in column's leading one.
    std::snprintf(buf, sizeof buf, "%-9s %c%-5s%c%c  %-6s %-6s %c%-19s %c%-19s ", target.c_str(), r.ip.proto && r.ip.proto->negated ? '!' : ' ',
                  proto.c_str(), r.ip.fragment && !*r.ip.fragment ? '!' : '-', r.ip.fragment ? 'f' : '-', iface(r.ip.in).c_str(),
                  iface(r.ip.out).c_str(), r.ip.src && r.ip.src->negated ? '!' : ' ', address(r.ip.src, family).c_str(),
                  r.ip.dst && r.ip.dst->negated ? '!' : ' ', address(r.ip.dst, family).c_str());
    out += buf;
    if (r.target)
        if (const auto* j = std::get_if<JumpTarget>(&r.target->spec); j && j->is_goto) out += "[goto] ";
    for (const auto& m : r.matches) {
        std::string words = match_words(m);
        out += words.empty() ? " -m " + m.module + save_form(m.options) : words;
    }
    if (r.target) {
        std::string words = target_words(*r.target);
        out += words == "?" ? save_form(r.target->options) : words;
    }
    out += '\n';
}

struct FileCounters : CounterSource {
    const Ruleset& rs;
    explicit FileCounters(const Ruleset& r) : rs(r) {}
    Counters rule(std::size_t t, std::size_t c, std::size_t r) const override { return rs.tables[t].chains[c].rules[r].input_counters; }
    Counters policy(std::size_t t, std::size_t c) const override { return rs.tables[t].chains[c].input_counters; }
};

}  // namespace

std::string format_table_listing(const Ruleset& rs, std::size_t table, const CounterSource* counters) {
    FileCounters from_file(rs);
    const CounterSource& k = counters ? *counters : from_file;
    const Table& t = rs.tables[table];
    std::string out;
    for (std::size_t ci = 0; ci < t.chains.size(); ++ci) {
        const Chain& c = t.chains[ci];
        if (ci) out += '\n';
        if (c.builtin) {
            const Counters p = k.policy(table, ci);
            out += "Chain " + c.name + " (policy " + (c.policy == StandardTarget::Kind::drop ? "DROP" : "ACCEPT") + " " + std::to_string(p.packets) +
                   " packets, " + std::to_string(p.bytes) + " bytes)\n";
        } else {
            std::size_t refs = 0;
            for (const auto& other : t.chains)
                for (const auto& r : other.rules)
                    if (r.target && r.target->name == c.name) ++refs;
            out += "Chain " + c.name + " (" + std::to_string(refs) + " references)\n";
        }
        out += "num      pkts      bytes target     prot opt in     out     source               destination         \n";
        for (std::size_t ri = 0; ri < c.rules.size(); ++ri) print_row(out, ri + 1, k.rule(table, ci, ri), c.rules[ri], rs.family);
    }
    return out;
}

std::string format_listing(const Ruleset& rs, const CounterSource* counters) {
    std::string out;
    for (std::size_t ti = 0; ti < rs.tables.size(); ++ti) {
        if (ti) out += '\n';
        out += "# table " + rs.tables[ti].name + " (iptables -t " + rs.tables[ti].name + " -L -v -n -x --line-numbers)\n";
        out += format_table_listing(rs, ti, counters);
    }
    return out;
}

}  // namespace fwbench
