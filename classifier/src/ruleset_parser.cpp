// iptables-save / iptables-restore reader: file structure, rules, and validation.

#include "fwbench/ruleset_parser.hpp"

#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "fwbench/parse_error.hpp"
#include "line_lexer.hpp"
#include "module_registry.hpp"
#include "parse_util.hpp"

namespace fwbench {

using detail::Word;

namespace {

constexpr std::size_t max_chain_name = 28;  // XT_EXTENSION_MAXNAMELEN - 1
constexpr std::size_t max_iface_name = 15;  // IFNAMSIZ - 1

bool is_standard_verdict(std::string_view n) {
    return n == "ACCEPT" || n == "DROP" || n == "RETURN" || n == "QUEUE";
}

class Parser {
public:
    Parser(std::string_view text, const RulesetParseOptions& opt) : text_(text), opt_(opt) {
        rs_.source = opt.source;
        rs_.family = opt.family ? *opt.family : detect_family(text);
    }

    Ruleset run() {
        std::size_t pos = 0;
        while (pos <= text_.size()) {
            auto nl = text_.find('\n', pos);
            auto line = text_.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
            ++line_no_;
            line_text_ = line;
            handle_line(line);
            if (nl == std::string_view::npos) break;
            pos = nl + 1;
        }
        if (table_) fail(line_no_, 1, "expected COMMIT before the end of the input (table '" + table_->name + "' is still open)");
        return std::move(rs_);
    }

private:
    static Family detect_family(std::string_view text) {
        if (text.find("ip6tables-save") != std::string_view::npos ||
            text.find("ip6tables-restore") != std::string_view::npos)
            return Family::ipv6;
        // Otherwise the first literal address after -s/-d decides.
        std::istringstream in{std::string(text)};
        std::string w, prev;
        while (in >> w) {
            if (prev == "-s" || prev == "-d" || prev == "--source" || prev == "--destination")
                return w.find(':') != std::string::npos ? Family::ipv6 : Family::ipv4;
            if (w != "!") prev = w;
        }
        return Family::ipv4;
    }

    [[noreturn]] void fail(int line, int column, const std::string& msg) const {
        throw ParseError(opt_.source, line, column, msg);
    }

    void handle_line(std::string_view line) {
        std::string err;
        int err_col = 0;
        auto words = detail::split_words(line, &err, &err_col);
        if (!err.empty()) {
            if (lenient_rule_line(line)) return skip_rule(err);
            fail(line_no_, err_col, err);
        }
        if (words.empty() || words[0].text[0] == '#') return;
        const Word& first = words[0];

        if (first.text[0] == '*' && !first.quoted) return begin_table(words);
        if (first.is("COMMIT")) return commit(first);
        if (!table_) fail(line_no_, first.column, "expected '*TABLE' before '" + first.text + "'");
        if (first.text[0] == ':' && !first.quoted) return declare_chain(words);

        std::size_t i = 0;
        Counters counters;
        if (first.text.size() > 2 && first.text.front() == '[' && first.text.back() == ']') {
            counters = parse_counters(first);
            i = 1;
            if (words.size() < 2) fail(line_no_, first.column, "expected a rule after the counters");
        }
        const Word& cmd = words[i];
        if (cmd.is("-A") || cmd.is("--append") || cmd.is("-I") || cmd.is("--insert")) {
            try {
                add_rule(words, i, counters);
            } catch (const ParseError& e) {
                if (!opt_.lenient) throw;
                skip_rule(e.what());
            }
            return;
        }
        if (cmd.is("-N") || cmd.is("--new-chain")) return new_chain(words, i);
        if (cmd.is("-X") || cmd.is("--delete-chain")) return delete_chain(words, i);
        if (cmd.is("-F") || cmd.is("--flush")) return flush_chain(words, i);
        if (cmd.is("-P") || cmd.is("--policy")) return set_policy(words, i);
        if (cmd.is("-D") || cmd.is("--delete")) return delete_rule(words, i);
        fail(line_no_, cmd.column,
             "expected a rule (-A, -I), a chain command (-N, -X, -F, -P, -D), ':CHAIN POLICY' or COMMIT, got '" +
                 cmd.text + "'");
    }

    bool lenient_rule_line(std::string_view line) const {
        return opt_.lenient && table_ && line.find("-A ") != std::string_view::npos;
    }

    void skip_rule(const std::string& reason) {
        SkippedRule s;
        s.table = table_ ? table_->name : "";
        s.line = line_no_;
        s.text = std::string(line_text_);
        s.reason = reason;
        rs_.skipped.push_back(std::move(s));
    }

    Counters parse_counters(const Word& w) {
        auto inner = std::string_view(w.text).substr(1, w.text.size() - 2);
        auto colon = inner.find(':');
        auto p = detail::parse_uint(inner.substr(0, colon), UINT64_MAX);
        std::optional<std::uint64_t> b;
        if (colon != std::string_view::npos) b = detail::parse_uint(inner.substr(colon + 1), UINT64_MAX);
        if (!p || !b) fail(line_no_, w.column, "expected counters [PACKETS:BYTES], got '" + w.text + "'");
        return Counters{*p, *b};
    }

    // --- tables and chains -------------------------------------------------------------------

    void begin_table(const std::vector<Word>& words) {
        const Word& w = words[0];
        if (table_) fail(line_no_, w.column, "expected COMMIT for table '" + table_->name + "' before a new table");
        std::string name = w.text.substr(1);
        if (!is_known_table(name))
            fail(line_no_, w.column + 1, "unknown table '" + name + "' (expected raw, mangle, nat, filter or security)");
        if (words.size() > 1) fail(line_no_, words[1].column, "unexpected '" + words[1].text + "' after the table name");
        table_ = rs_.table(name);
        if (!table_) {
            Table t;
            t.name = name;
            for (Hook h : builtin_hooks(name)) {
                Chain c;
                c.name = hook_chain_name(h);
                c.builtin = true;
                c.hooks = hook_bit(h);
                t.chains.push_back(std::move(c));
            }
            rs_.tables.push_back(std::move(t));
            table_ = &rs_.tables.back();
        }
        table_line_ = line_no_;
    }

    void check_chain_name(const Word& w, std::string_view name) {
        if (name.empty()) fail(line_no_, w.column, "expected a chain name");
        if (name.size() > max_chain_name)
            fail(line_no_, w.column, "chain name '" + std::string(name) + "' is longer than 28 characters");
        if (name[0] == '-' || name[0] == '!')
            fail(line_no_, w.column, "a chain name cannot start with '-' or '!'");
        if (is_standard_verdict(name) || detail::find_target_module(name))
            fail(line_no_, w.column, "'" + std::string(name) + "' is a target name and cannot be a chain name");
    }

    Chain& create_user_chain(const Word& w, const std::string& name) {
        check_chain_name(w, name);
        Chain c;
        c.name = name;
        c.line = line_no_;
        table_->chains.push_back(std::move(c));
        return table_->chains.back();
    }

    void declare_chain(const std::vector<Word>& words) {
        const Word& w = words[0];
        std::string name = w.text.substr(1);
        if (words.size() < 2) fail(line_no_, w.column + static_cast<int>(w.text.size()), "expected a policy (ACCEPT, DROP or '-') after the chain name");
        const Word& pol = words[1];
        Counters counters;
        if (words.size() >= 3) counters = parse_counters(words[2]);
        if (words.size() > 3) fail(line_no_, words[3].column, "unexpected '" + words[3].text + "' after the chain counters");
        int idx = table_->find_chain(name);
        if (idx >= 0 && table_->chains[static_cast<std::size_t>(idx)].builtin) {
            Chain& c = table_->chains[static_cast<std::size_t>(idx)];
            if (pol.is("ACCEPT")) c.policy = StandardTarget::Kind::accept;
            else if (pol.is("DROP")) c.policy = StandardTarget::Kind::drop;
            else if (pol.is("-")) { /* restore --noflush style: keep the policy */ }
            else fail(line_no_, pol.column, "expected ACCEPT or DROP as the policy of built-in chain " + name + ", got '" + pol.text + "'");
            c.input_counters = counters;
            c.line = line_no_;
            return;
        }
        if (!pol.is("-"))
            fail(line_no_, pol.column, "expected '-' as the policy of user chain " + name + " (only built-in chains have policies), got '" + pol.text + "'");
        if (idx >= 0) {
            // iptables-restore: declaring an existing chain flushes it.
            table_->chains[static_cast<std::size_t>(idx)].rules.clear();
            return;
        }
        if (builtin_name(name))
            fail(line_no_, w.column + 1, "chain " + name + " is not a built-in chain of table " + table_->name);
        create_user_chain(w, name).input_counters = counters;
    }

    static bool builtin_name(std::string_view n) {
        return n == "PREROUTING" || n == "INPUT" || n == "FORWARD" || n == "OUTPUT" || n == "POSTROUTING";
    }

    Chain& existing_chain(const Word& w) {
        int idx = table_->find_chain(w.text);
        if (idx < 0)
            fail(line_no_, w.column, "chain '" + w.text + "' does not exist in table " + table_->name +
                                         " (declare it with ':" + w.text + " - [0:0]' or -N)");
        return table_->chains[static_cast<std::size_t>(idx)];
    }

    const Word& arg(const std::vector<Word>& words, std::size_t i, const char* what) {
        if (i >= words.size()) {
            const Word& last = words.back();
            fail(line_no_, last.column + static_cast<int>(last.text.size()) + 1, std::string("expected ") + what);
        }
        return words[i];
    }

    void new_chain(const std::vector<Word>& words, std::size_t i) {
        const Word& w = arg(words, i + 1, "a chain name after -N");
        if (table_->find_chain(w.text) >= 0) fail(line_no_, w.column, "chain '" + w.text + "' already exists");
        create_user_chain(w, w.text);
    }

    void delete_chain(const std::vector<Word>& words, std::size_t i) {
        if (i + 1 >= words.size()) {  // -X: all user chains
            std::erase_if(table_->chains, [](const Chain& c) { return !c.builtin; });
            return;
        }
        const Word& w = words[i + 1];
        Chain& c = existing_chain(w);
        if (c.builtin) fail(line_no_, w.column, "cannot delete built-in chain " + w.text);
        for (const auto& other : table_->chains)
            for (const auto& r : other.rules)
                if (r.target && r.target->name == w.text)
                    fail(line_no_, w.column, "cannot delete chain " + w.text + ": rule at line " + std::to_string(r.line) + " refers to it");
        std::string name = w.text;
        std::erase_if(table_->chains, [&](const Chain& ch) { return ch.name == name; });
    }

    void flush_chain(const std::vector<Word>& words, std::size_t i) {
        if (i + 1 >= words.size()) {
            for (auto& c : table_->chains) c.rules.clear();
            return;
        }
        existing_chain(words[i + 1]).rules.clear();
    }

    void set_policy(const std::vector<Word>& words, std::size_t i) {
        Chain& c = existing_chain(arg(words, i + 1, "a chain name after -P"));
        const Word& pol = arg(words, i + 2, "a policy after the chain name");
        if (!c.builtin) fail(line_no_, pol.column, "only built-in chains have a policy");
        if (pol.is("ACCEPT")) c.policy = StandardTarget::Kind::accept;
        else if (pol.is("DROP")) c.policy = StandardTarget::Kind::drop;
        else fail(line_no_, pol.column, "expected ACCEPT or DROP, got '" + pol.text + "'");
    }

    void delete_rule(const std::vector<Word>& words, std::size_t i) {
        Chain& c = existing_chain(arg(words, i + 1, "a chain name after -D"));
        if (i + 2 < words.size() && i + 3 == words.size()) {
            if (auto n = detail::parse_uint(words[i + 2].text, 1u << 30)) {
                if (*n == 0 || *n > c.rules.size())
                    fail(line_no_, words[i + 2].column, "chain " + c.name + " has no rule " + words[i + 2].text);
                c.rules.erase(c.rules.begin() + static_cast<std::ptrdiff_t>(*n - 1));
                return;
            }
        }
        // -D CHAIN rule-spec: parse it as a rule and delete the first equal one.
        Rule r = parse_rule(words, i + 2, c);
        for (auto it = c.rules.begin(); it != c.rules.end(); ++it)
            if (*it == r) {
                c.rules.erase(it);
                return;
            }
        fail(line_no_, words[i].column, "no rule in chain " + c.name + " equals the rule to delete");
    }

    void add_rule(const std::vector<Word>& words, std::size_t i, Counters counters) {
        bool insert = words[i].is("-I") || words[i].is("--insert");
        Chain& c = existing_chain(arg(words, i + 1, "a chain name"));
        std::size_t first = i + 2;
        std::size_t position = insert ? 0 : c.rules.size();
        if (insert && first < words.size()) {
            if (auto n = detail::parse_uint(words[first].text, 1u << 30)) {
                if (*n == 0 || *n > c.rules.size() + 1)
                    fail(line_no_, words[first].column, "cannot insert at position " + words[first].text + " of chain " + c.name);
                position = *n - 1;
                ++first;
            }
        }
        Rule r = parse_rule(words, first, c);
        if (r.line < 0) return;  // a rule for the other family (-4/-6): iptables-restore skips it
        r.input_counters = counters.packets || counters.bytes ? counters : r.input_counters;
        // Index again: parse_rule may not add chains, but be safe with references.
        c.rules.insert(c.rules.begin() + static_cast<std::ptrdiff_t>(position), std::move(r));
    }

    // --- rules -------------------------------------------------------------------------------

    Rule parse_rule(const std::vector<Word>& words, std::size_t i, const Chain& chain) {
        Rule r;
        r.line = line_no_;
        r.text = std::string(line_text_);
        detail::OptionContext ctx;
        ctx.family = rs_.family;
        ctx.ipsets = opt_.ipsets;
        ctx.table = table_->name;

        bool neg = false;
        int neg_col = 0;
        std::vector<std::size_t> loaded;  // indexes into r.matches, load order
        std::vector<const detail::MatchModuleDef*> defs;
        const detail::TargetModuleDef* tdef = nullptr;
        std::vector<std::set<std::string>> seen_opts;  // per match, for duplicate detection
        std::set<std::string> seen_target_opts;
        std::set<std::string> seen_ip;

        auto take_neg = [&](const Word& opt, bool allowed) {
            bool n = neg;
            if (n && !allowed) fail(line_no_, neg_col, "'" + opt.text + "' cannot be negated");
            neg = false;
            return n;
        };
        // The old form "-s ! ADDR": a "!" after the option.
        auto old_neg = [&](std::size_t& k, bool current) {
            if (k + 1 < words.size() && words[k + 1].is("!")) {
                if (current) fail(line_no_, words[k + 1].column, "double negation");
                ++k;
                return true;
            }
            return current;
        };
        auto once = [&](const Word& w, const std::string& key) {
            if (!seen_ip.insert(key).second) fail(line_no_, w.column, "'" + w.text + "' given twice in one rule");
        };

        for (std::size_t k = i; k < words.size(); ++k) {
            const Word& w = words[k];
            if (w.is("!")) {
                if (neg) fail(line_no_, w.column, "double negation");
                neg = true;
                neg_col = w.column;
                continue;
            }
            if (w.quoted || w.text.empty() || w.text[0] != '-')
                fail(line_no_, w.column, "expected an option, got '" + w.text + "'");
            const std::string& o = w.text;

            if (o == "-s" || o == "--source" || o == "--src" || o == "-d" || o == "--destination" || o == "--dst") {
                bool is_src = o == "-s" || o == "--source" || o == "--src";
                once(w, is_src ? "s" : "d");
                bool n = old_neg(k, take_neg(w, true));
                const Word& a = arg(words, ++k, "an address after -s/-d");
                if (a.text.find(',') != std::string::npos)
                    fail(line_no_, a.column, "address lists ('" + a.text + "') expand into one rule per address in iptables; write one rule per address");
                auto p = parse_prefix(a.text, rs_.family);
                if (!p.prefix) fail(line_no_, a.column, p.error);
                (is_src ? r.ip.src : r.ip.dst) = Neg<IpPrefix>{*p.prefix, n};
            } else if (o == "-i" || o == "--in-interface" || o == "-o" || o == "--out-interface") {
                bool is_in = o == "-i" || o == "--in-interface";
                once(w, is_in ? "i" : "o");
                bool n = old_neg(k, take_neg(w, true));
                const Word& a = arg(words, ++k, "an interface name after -i/-o");
                IfacePattern pat;
                pat.name = a.text;
                if (!pat.name.empty() && pat.name.back() == '+') {
                    pat.wildcard = true;
                    pat.name.pop_back();
                }
                if (a.text.size() > max_iface_name)
                    fail(line_no_, a.column, "interface name '" + a.text + "' is longer than 15 characters");
                if (chain.builtin) {
                    bool in_only = chain.name == "PREROUTING" || chain.name == "INPUT";
                    bool out_only = chain.name == "OUTPUT" || chain.name == "POSTROUTING";
                    if ((!is_in && in_only) || (is_in && out_only))
                        fail(line_no_, w.column, "can't use " + std::string(is_in ? "-i" : "-o") + " with " + chain.name +
                                                     " (that hook has no " + (is_in ? "input" : "output") + " interface)");
                }
                (is_in ? r.ip.in : r.ip.out) = Neg<IfacePattern>{pat, n};
            } else if (o == "-p" || o == "--protocol") {
                once(w, "p");
                bool n = old_neg(k, take_neg(w, true));
                const Word& a = arg(words, ++k, "a protocol after -p");
                auto p = parse_protocol(a.text);
                if (!p) fail(line_no_, a.column, "unknown protocol '" + a.text + "' (expected a name such as tcp, udp, icmp, or a number 0-255)");
                if (*p != 0 || n) r.ip.proto = Neg<std::uint8_t>{*p, n};
                ctx.rule_proto = r.ip.proto;
            } else if (o == "-f" || o == "--fragment") {
                once(w, "f");
                if (rs_.family == Family::ipv6) fail(line_no_, w.column, "-f is not available in ip6tables (use -m frag)");
                r.ip.fragment = !take_neg(w, true);
            } else if (o == "-4" || o == "--ipv4" || o == "-6" || o == "--ipv6") {
                take_neg(w, false);
                bool v4 = o == "-4" || o == "--ipv4";
                if (v4 != (rs_.family == Family::ipv4)) {
                    r.line = -1;  // for the other family
                    return r;
                }
            } else if (o == "-c" || o == "--set-counters") {
                take_neg(w, false);
                const Word& p = arg(words, ++k, "a packet count after -c");
                const Word& b = arg(words, ++k, "a byte count after -c PACKETS");
                auto pv = detail::parse_uint(p.text, UINT64_MAX), bv = detail::parse_uint(b.text, UINT64_MAX);
                if (!pv) fail(line_no_, p.column, "expected a packet count, got '" + p.text + "'");
                if (!bv) fail(line_no_, b.column, "expected a byte count, got '" + b.text + "'");
                r.input_counters = Counters{*pv, *bv};
            } else if (o == "-m" || o == "--match") {
                take_neg(w, false);
                const Word& a = arg(words, ++k, "a match module name after -m");
                const auto* def = detail::find_match_module(a.text);
                if (!def) fail(line_no_, a.column, "unknown match module '" + a.text + "' (fwbench does not implement it)");
                if (def->family && *def->family != rs_.family)
                    fail(line_no_, a.column, "the " + std::string(def->name) + " match is for " +
                                                 (*def->family == Family::ipv4 ? "iptables (IPv4)" : "ip6tables (IPv6)") + " only");
                load_match(r, def, ctx, w.column, defs, seen_opts);
            } else if (o == "-j" || o == "--jump" || o == "-g" || o == "--goto") {
                take_neg(w, false);
                if (r.target) fail(line_no_, w.column, "a rule has only one target");
                bool is_goto = o == "-g" || o == "--goto";
                const Word& a = arg(words, ++k, "a target or chain name after -j/-g");
                Target t;
                t.name = a.text;
                t.column = a.column;
                tdef = is_goto ? nullptr : detail::find_target_module(a.text);
                if (tdef) {
                    if (tdef->family && *tdef->family != rs_.family)
                        fail(line_no_, a.column, "target " + a.text + " is for " +
                                                     (*tdef->family == Family::ipv4 ? "iptables (IPv4)" : "ip6tables (IPv6)") + " only");
                    t.spec = tdef->make(ctx);
                } else {
                    if (a.text.empty()) fail(line_no_, a.column, "expected a target or chain name");
                    t.spec = JumpTarget{a.text, is_goto, -1};
                }
                r.target = std::move(t);
            } else if (o.size() > 2 && o[0] == '-' && o[1] == '-') {
                std::string name = o.substr(2);
                // Target options bind first, then the most recently loaded match (as getopt sees
                // iptables' merged option table), then an implicit protocol match.
                if (tdef) {
                    if (const auto* od = tdef->find_option(name)) {
                        if (!seen_target_opts.insert(std::string(od->name)).second)
                            fail(line_no_, w.column, "'" + o + "' given twice for target " + r.target->name);
                        bool n = take_neg(w, od->negatable);
                        auto args = read_args(words, k, *od, w, n);
                        auto err = od->apply(r.target->spec, n, args, ctx);
                        if (!err.empty()) fail(line_no_, words[k].column, r.target->name + " " + o + ": " + err);
                        r.target->options.push_back(RuleOption{std::string(od->name), n, std::move(args)});
                        continue;
                    }
                }
                const detail::OptionDef<MatchSpec>* od = nullptr;
                std::size_t mi = 0;
                for (std::size_t j = defs.size(); j-- > 0;)
                    if ((od = defs[j]->find_option(name))) {
                        mi = j;
                        break;
                    }
                if (!od && r.ip.proto && !r.ip.proto->negated) {
                    const auto* implicit = detail::implicit_protocol_module(r.ip.proto->value, rs_.family);
                    bool already = false;
                    for (const auto* d : defs) already |= d == implicit;
                    if (implicit && !already && implicit->find_option(name)) {
                        load_match(r, implicit, ctx, w.column, defs, seen_opts);
                        mi = defs.size() - 1;
                        od = implicit->find_option(name);
                    }
                }
                if (!od) {
                    std::string where;
                    for (const auto* d : defs) where += (where.empty() ? "" : ", ") + std::string(d->name);
                    if (tdef) where += (where.empty() ? "target " : ", target ") + r.target->name;
                    fail(line_no_, w.column, "unknown option '" + o + "'" +
                                                 (where.empty() ? std::string(" (no match module loaded: missing -m?)")
                                                                : " (not an option of: " + where + ")"));
                }
                if (defs[mi]->name != "policy" && !seen_opts[mi].insert(std::string(od->name)).second)
                    fail(line_no_, w.column, "'" + o + "' given twice for the " + std::string(defs[mi]->name) + " match");
                bool n = take_neg(w, od->negatable);
                auto args = read_args(words, k, *od, w, n);
                Match& m = r.matches[mi];
                auto err = od->apply(m.spec, n, args, ctx);
                if (!err.empty()) fail(line_no_, words[k].column, m.module + " " + o + ": " + err);
                m.options.push_back(RuleOption{std::string(od->name), n, std::move(args)});
            } else {
                fail(line_no_, w.column, "unknown option '" + o + "'");
            }
        }
        if (neg) fail(line_no_, neg_col, "'!' at the end of the rule negates nothing");

        for (std::size_t j = 0; j < r.matches.size(); ++j) {
            if (defs[j]->finish) {
                auto err = defs[j]->finish(r.matches[j].spec, ctx);
                if (!err.empty()) fail(line_no_, r.matches[j].column, err);
            }
            sort_options(r.matches[j].options, defs[j]->options);
            if (const auto* rm = std::get_if<RecentMatch>(&r.matches[j].spec); rm && rm->hitcount > 255)
                rs_.warnings.push_back({line_no_, r.matches[j].column,
                                        "recent --hitcount " + std::to_string(rm->hitcount) +
                                            " is above the kernel's limit of 255: Linux 4.10 and later refuse this rule; "
                                            "fwbench keeps it, and it never matches (no address keeps that many hits)"});
        }
        if (tdef) {
            if (tdef->finish) {
                auto err = tdef->finish(r.target->spec, ctx);
                if (!err.empty()) fail(line_no_, r.target->column, err);
            }
            sort_options(r.target->options, tdef->options);
        }
        return r;
    }

    template <class Spec>
    static void sort_options(std::vector<RuleOption>& opts, const std::vector<detail::OptionDef<Spec>>& defs) {
        auto rank = [&](const RuleOption& o) {
            for (std::size_t i = 0; i < defs.size(); ++i)
                if (defs[i].name == o.name) return i;
            return defs.size();
        };
        // Policy elements are order-sensitive (--next separates them): keep them as written.
        bool ordered = false;
        for (const auto& o : opts) ordered |= o.name == "next";
        if (!ordered) std::stable_sort(opts.begin(), opts.end(), [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
    }

    void load_match(Rule& r, const detail::MatchModuleDef* def, const detail::OptionContext& ctx, int column,
                    std::vector<const detail::MatchModuleDef*>& defs, std::vector<std::set<std::string>>& seen) {
        Match m;
        m.module = std::string(def->name);
        m.spec = def->make(ctx);
        m.column = column;
        r.matches.push_back(std::move(m));
        defs.push_back(def);
        seen.emplace_back();
    }

    template <class Spec>
    std::vector<std::string> read_args(const std::vector<Word>& words, std::size_t& k,
                                       const detail::OptionDef<Spec>& od, const Word& opt, bool& neg) {
        if (od.nargs > 0 && k + 1 < words.size() && words[k + 1].is("!")) {
            // Old form: "--dport ! 22".
            if (neg) fail(line_no_, words[k + 1].column, "double negation");
            if (!od.negatable) fail(line_no_, words[k + 1].column, "'" + opt.text + "' cannot be negated");
            neg = true;
            ++k;
        }
        std::vector<std::string> args;
        for (int a = 0; a < od.nargs; ++a) {
            if (k + 1 >= words.size()) {
                const Word& last = words.back();
                fail(line_no_, last.column + static_cast<int>(last.text.size()) + 1,
                     "expected " + std::string(od.nargs == 1 ? "an argument" : "two arguments") + " after '" + opt.text + "'");
            }
            args.push_back(words[++k].text);
        }
        return args;
    }

    // --- validation at COMMIT ----------------------------------------------------------------

    void commit(const Word& w) {
        if (!table_) fail(line_no_, w.column, "COMMIT without a table ('*TABLE' line)");
        validate_table(*table_);
        table_ = nullptr;
    }

    void validate_table(Table& t) {
        // Resolve jumps.
        for (auto& c : t.chains) {
            for (auto it = c.rules.begin(); it != c.rules.end();) {
                try {
                    resolve_jump(t, *it);
                    ++it;
                } catch (const ParseError& e) {
                    if (!opt_.lenient) throw;
                    rs_.skipped.push_back({t.name, c.name, it->line, it->text, e.what()});
                    it = c.rules.erase(it);
                }
            }
        }
        // Loops: a chain reachable from itself through jumps or gotos.
        std::vector<int> state(t.chains.size(), 0);  // 0 new, 1 on stack, 2 done
        std::vector<std::string> path;
        std::function<void(std::size_t)> dfs = [&](std::size_t ci) {
            state[ci] = 1;
            path.push_back(t.chains[ci].name);
            for (const auto& r : t.chains[ci].rules) {
                const auto* j = r.target ? std::get_if<JumpTarget>(&r.target->spec) : nullptr;
                if (!j) continue;
                auto next = static_cast<std::size_t>(j->chain_index);
                if (state[next] == 1) {
                    std::string cycle;
                    bool on = false;
                    for (const auto& p : path) {
                        on |= p == j->chain;
                        if (on) cycle += p + " -> ";
                    }
                    throw ParseError(opt_.source, r.line, r.target->column,
                                     "loop of jumps in table " + t.name + ": " + cycle + j->chain + " (iptables-restore refuses it)");
                }
                if (state[next] == 0) dfs(next);
            }
            path.pop_back();
            state[ci] = 2;
        };
        for (std::size_t i = 0; i < t.chains.size(); ++i)
            if (state[i] == 0) dfs(i);

        // Hooks each chain can be reached from.
        for (auto& c : t.chains)
            if (!c.builtin) c.hooks = 0;
        bool changed = true;
        while (changed) {
            changed = false;
            for (auto& c : t.chains)
                for (const auto& r : c.rules) {
                    const auto* j = r.target ? std::get_if<JumpTarget>(&r.target->spec) : nullptr;
                    if (!j) continue;
                    auto& dst = t.chains[static_cast<std::size_t>(j->chain_index)];
                    HookMask before = dst.hooks;
                    dst.hooks |= c.hooks;
                    changed |= dst.hooks != before;
                }
        }
        // Targets and matches in tables and hooks that allow them.
        for (auto& c : t.chains) {
            for (auto it = c.rules.begin(); it != c.rules.end();) {
                try {
                    check_placement(t, c, *it);
                    ++it;
                } catch (const ParseError& e) {
                    if (!opt_.lenient) throw;
                    rs_.skipped.push_back({t.name, c.name, it->line, it->text, e.what()});
                    it = c.rules.erase(it);
                }
            }
        }
    }

    void resolve_jump(Table& t, Rule& r) {
        if (!r.target) return;
        auto* j = std::get_if<JumpTarget>(&r.target->spec);
        if (!j) return;
        int idx = t.find_chain(j->chain);
        if (idx < 0) {
            if (j->is_goto)
                throw ParseError(opt_.source, r.line, r.target->column, "goto to chain '" + j->chain + "', which does not exist in table " + t.name);
            throw ParseError(opt_.source, r.line, r.target->column,
                             "'" + j->chain + "' is neither a target fwbench knows nor a chain of table " + t.name);
        }
        if (t.chains[static_cast<std::size_t>(idx)].builtin)
            throw ParseError(opt_.source, r.line, r.target->column, "cannot jump to built-in chain " + j->chain);
        j->chain_index = idx;
    }

    static std::string hooks_text(HookMask m) {
        std::string s;
        for (int h = 0; h < hook_count; ++h)
            if (m & (1u << h)) s += (s.empty() ? "" : "/") + std::string(hook_chain_name(static_cast<Hook>(h)));
        return s.empty() ? "none" : s;
    }

    void check_placement(const Table& t, const Chain& c, const Rule& r) {
        for (const auto& m : r.matches) {
            const auto* def = detail::find_match_module(m.module);
            HookMask allowed = def->hooks_for ? def->hooks_for(m.spec) : def->hooks;
            if (c.hooks & ~allowed)
                throw ParseError(opt_.source, r.line, m.column,
                                 "the " + m.module + " match is only valid in " + hooks_text(allowed) + ", but chain " + c.name +
                                     " is reached from " + hooks_text(c.hooks));
        }
        if (!r.target) return;
        const auto* def = std::holds_alternative<JumpTarget>(r.target->spec) ? nullptr : detail::find_target_module(r.target->name);
        if (!def) return;
        if (!def->table.empty() && def->table != t.name)
            throw ParseError(opt_.source, r.line, r.target->column,
                             "target " + r.target->name + " is only valid in the " + std::string(def->table) + " table, not in " + t.name);
        HookMask allowed = def->hooks_for ? def->hooks_for(r.target->spec) : def->hooks;
        if (c.hooks & ~allowed)
            throw ParseError(opt_.source, r.line, r.target->column,
                             "target " + r.target->name + " is only valid in " + hooks_text(allowed) + ", but chain " + c.name +
                                 " is reached from " + hooks_text(c.hooks));
    }

    std::string_view text_;
    const RulesetParseOptions& opt_;
    Ruleset rs_;
    Table* table_ = nullptr;
    int table_line_ = 0;
    int line_no_ = 0;
    std::string_view line_text_;
};

}  // namespace

Ruleset parse_ruleset(std::string_view text, const RulesetParseOptions& options) {
    return Parser(text, options).run();
}

Ruleset parse_ruleset_file(const std::string& path, RulesetParseOptions options) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ParseError(path, 0, 0, "cannot open the ruleset file");
    std::stringstream ss;
    ss << in.rdbuf();
    if (options.source == "<input>") options.source = path;
    return parse_ruleset(ss.str(), options);
}

}  // namespace fwbench
