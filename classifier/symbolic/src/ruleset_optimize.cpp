#include "fwbench/ruleset_optimize.hpp"

#include <algorithm>

#include "fwbench/ruleset_parser.hpp"
#include "fwbench/ruleset_printer.hpp"

namespace fwbench {
namespace {

// "N" or "LO:HI", as iptables writes a port or a range. (Built by appending: GCC 12 warns falsely
// about "x" + std::string temporaries under -Werror=restrict.)
std::string port_text(std::uint16_t lo, std::uint16_t hi) {
    std::string s = std::to_string(lo);
    if (hi != lo) {
        s += ':';
        s += std::to_string(hi);
    }
    return s;
}

// A rule while the chain is rewritten: the rule, where it came from, its hits.
struct Slot {
    Rule rule;
    std::vector<int> from;  // 0-based original rules
    std::uint64_t hits = 0;
};

// One rule standing for slots[i, j): their original rules and their hits.
Slot joined(const Rule& rule, const std::vector<Slot>& slots, std::size_t i, std::size_t j) {
    Slot s{rule, {}, 0};
    for (std::size_t k = i; k < j; ++k) {
        s.from.insert(s.from.end(), slots[k].from.begin(), slots[k].from.end());
        s.hits += slots[k].hits;
    }
    return s;
}

// The single destination port of a rule's TCP/UDP match and the rule's text without it, when
// the rule's only port test is that one.
struct PortSplit {
    std::uint8_t proto = 0;
    std::uint16_t lo = 0, hi = 0;
    std::string rest;  // the rule's text with " -m tcp --dport N" taken out
};

bool ends_walk(const Rule& r) { return r.target && is_terminating(r.target->spec); }

// Only rules that end the walk merge: a rule that lets the walk go on (MARK, CHECKSUM, LOG) acts
// once per rule a packet matches, and one merged rule would act once.
std::optional<PortSplit> split_port(const Rule& r, const std::string& chain) {
    if (!ends_walk(r) || !r.ip.proto || r.ip.proto->negated) return std::nullopt;
    const std::uint8_t p = r.ip.proto->value;
    if (p != proto::tcp && p != proto::udp) return std::nullopt;
    const L4PortsMatch* l4 = nullptr;
    for (const auto& m : r.matches) {
        if (std::holds_alternative<MultiportMatch>(m.spec)) return std::nullopt;
        if (const auto* x = std::get_if<L4PortsMatch>(&m.spec)) {
            if (l4) return std::nullopt;
            l4 = x;
        }
    }
    if (!l4 || l4->sport || l4->tcp_flags || l4->tcp_option || !l4->dport || l4->dport->negated) return std::nullopt;
    const std::string text = format_rule(r, chain);
    const std::string module = p == proto::tcp ? " -m tcp" : " -m udp";
    std::string piece = module;
    piece += " --dport ";
    piece += port_text(l4->dport->value.lo, l4->dport->value.hi);
    const auto at = text.find(piece);
    if (at == std::string::npos) return std::nullopt;
    std::string rest = text.substr(0, at);
    rest += text.substr(at + piece.size());
    return PortSplit{p, l4->dport->value.lo, l4->dport->value.hi, rest};
}

// One rule parsed alone, in its table and chain (its target must not jump: the chain it names
// would not exist there).
std::optional<Rule> parse_one(const std::string& table, const Chain& chain, const std::string& text, Family family,
                              const IpsetRegistry* sets = nullptr) {
    std::string in = "*";
    in += table;
    in += "\n:";
    in += chain.name;
    in += chain.builtin ? " ACCEPT [0:0]\n" : " - [0:0]\n";
    in += text;
    in += "\nCOMMIT\n";
    RulesetParseOptions opt;
    opt.family = family;
    opt.ipsets = sets;
    try {
        const Ruleset one = parse_ruleset(in, opt);
        const Chain* c = one.tables.at(0).chain(chain.name);
        if (!c || c->rules.size() != 1) return std::nullopt;
        return c->rules[0];
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

// Runs of adjacent rules that differ only in their destination port become multiport rules.
void merge_ports(const std::string& table, const Chain& chain, std::vector<Slot>& slots, Family family, std::size_t& merged) {
    std::vector<Slot> out;
    for (std::size_t i = 0; i < slots.size();) {
        const auto first = split_port(slots[i].rule, chain.name);
        std::size_t j = i + 1;
        std::size_t ports = first ? (first->lo == first->hi ? 1 : 2) : 0;
        std::string list = first ? port_text(first->lo, first->hi) : std::string();
        while (first && j < slots.size()) {
            const auto next = split_port(slots[j].rule, chain.name);
            const std::size_t cost = next ? (next->lo == next->hi ? 1 : 2) : 0;
            if (!next || next->rest != first->rest || next->proto != first->proto || ports + cost > 15) break;
            list += ',';
            list += port_text(next->lo, next->hi);
            ports += cost;
            ++j;
        }
        if (j - i < 2 || std::holds_alternative<JumpTarget>(slots[i].rule.target->spec)) {
            out.push_back(slots[i]);
            ++i;
            continue;
        }
        // Insert the multiport match where the port match was: after -p PROTO.
        const std::string proto_word = first->proto == proto::tcp ? " -p tcp" : " -p udp";
        std::string text = first->rest;
        const auto at = text.find(proto_word);
        if (at == std::string::npos) {
            out.push_back(slots[i]);
            ++i;
            continue;
        }
        std::string multiport = " -m multiport --dports ";
        multiport += list;
        text.insert(at + proto_word.size(), multiport);
        const std::optional<Rule> rule = parse_one(table, chain, text, family);
        if (!rule) {
            out.push_back(slots[i]);
            ++i;
            continue;
        }
        out.push_back(joined(*rule, slots, i, j));
        merged += j - i - 1;
        i = j;
    }
    slots = std::move(out);
}

// Runs of adjacent rules that differ only in their source (-s) become one rule matching a set of
// those sources. Runs shorter than 4 stay: a set lookup costs about a few rule tests.
void merge_sources(const std::string& table, const Chain& chain, std::vector<Slot>& slots, Family family, IpsetRegistry& sets, std::string& sets_text,
                   std::size_t& made, std::size_t& merged) {
    auto rest_of = [&](const Rule& r) -> std::optional<std::string> {
        if (!ends_walk(r) || !r.ip.src || r.ip.src->negated || std::holds_alternative<JumpTarget>(r.target->spec)) return std::nullopt;
        Rule without = r;
        without.ip.src.reset();
        return format_rule(without, chain.name);
    };
    std::vector<Slot> out;
    for (std::size_t i = 0; i < slots.size();) {
        const auto first = rest_of(slots[i].rule);
        std::size_t j = i + 1;
        while (first && j < slots.size() && rest_of(slots[j].rule) == first) ++j;
        if (!first || j - i < 4) {
            out.push_back(slots[i]);
            ++i;
            continue;
        }
        std::string name = "fwb_";
        name += chain.name.substr(0, 16);
        name += '_';
        name += std::to_string(++made);
        Ipset set;
        set.name = name;
        set.type = "hash:net";
        set.family = family;
        set.dims = {IpsetEntry::Dim::Kind::net};
        std::string set_text =
            "create " + name + " hash:net family " + (family == Family::ipv4 ? "inet" : "inet6") + " hashsize 1024 maxelem 65536\n";
        for (std::size_t k = i; k < j; ++k) {
            IpsetEntry e;
            IpsetEntry::Dim d;
            d.kind = IpsetEntry::Dim::Kind::net;
            d.net = slots[k].rule.ip.src->value;
            e.dims.push_back(d);
            set.entries.push_back(e);
            set_text += "add " + name + " " + format_prefix(d.net) + "\n";
        }
        sets.add(set);
        // The run's text without -s, the set match before the target.
        std::string text = *first;
        const auto at = text.find(" -j ");
        std::string match = " -m set --match-set ";
        match += name;
        match += " src";
        text.insert(at == std::string::npos ? text.size() : at, match);
        const std::optional<Rule> rule = parse_one(table, chain, text, family, &sets);
        if (!rule) {
            out.push_back(slots[i]);
            ++i;
            continue;
        }
        sets_text += set_text;  // only the sets a rule of the result names are written
        out.push_back(joined(*rule, slots, i, j));
        merged += j - i - 1;
        i = j;
    }
    slots = std::move(out);
}

bool has_history(const Rule& r) {
    return std::any_of(r.matches.begin(), r.matches.end(), [](const Match& m) { return has_effect(m.spec); });
}

// A jump tree by input device: where a chain (reached only where packets have an input device)
// has at least 4 rules for each of at least two devices (-i NAME), each such device gets a chain
// of its own holding, in order, every rule a packet from it can match (its own rules and those
// for any device), and the chain keeps `-i NAME -g BRANCH` for each, then the rules for the other
// devices. A packet from a device with a branch walks exactly the rules it walked before, in the
// same order, and the branch's end returns as the chain's end did (a goto); any other packet walks
// the rest, which are its rules in their order. Returns the chain's new rules.
struct Branch {
    std::string name;
    std::vector<Slot> slots;
};
std::vector<Slot> jump_tree(const Chain& chain, const std::vector<Slot>& slots, std::vector<Branch>& branches) {
    constexpr HookMask with_input = hook_bit(Hook::prerouting) | hook_bit(Hook::input) | hook_bit(Hook::forward);
    if (chain.hooks == 0 || (chain.hooks & ~with_input)) return slots;
    auto device_of = [](const Rule& r) -> std::optional<std::string> {
        if (r.ip.in && !r.ip.in->negated && !r.ip.in->value.wildcard) return r.ip.in->value.name;
        return std::nullopt;
    };
    std::vector<std::pair<std::string, std::size_t>> devices;  // in order of first use
    for (const auto& s : slots)
        if (auto d = device_of(s.rule)) {
            auto it = std::find_if(devices.begin(), devices.end(), [&](const auto& p) { return p.first == *d; });
            if (it == devices.end()) devices.emplace_back(*d, 1);
            else ++it->second;
        }
    std::erase_if(devices, [](const auto& p) { return p.second < 4; });
    if (devices.size() < 2) return slots;
    std::vector<Slot> rest;
    for (const auto& [dev, count] : devices) {
        std::string name = "fwb_";
        name += chain.name.substr(0, 10);
        name += '_';
        name += dev.substr(0, 13);
        Branch b{name, {}};
        for (const auto& s : slots) {
            const auto d = device_of(s.rule);
            if (!d || *d == dev) b.slots.push_back(s);
        }
        Rule go;
        go.ip.in = Neg<IfacePattern>{IfacePattern{dev, false}, false};
        Target target;
        target.name = name;
        target.spec = JumpTarget{name, true, -1};
        go.target = target;
        rest.push_back({go, {}, 0});
        branches.push_back(std::move(b));
    }
    for (const auto& s : slots) {
        const auto d = device_of(s.rule);
        if (!d || std::none_of(devices.begin(), devices.end(), [&](const auto& p) { return p.first == *d; })) rest.push_back(s);
    }
    return rest;
}

}  // namespace

RuleHits rule_hits(const Ruleset& rs, const CounterSource& counters) {
    RuleHits hits(rs.tables.size());
    for (std::size_t t = 0; t < rs.tables.size(); ++t) {
        hits[t].resize(rs.tables[t].chains.size());
        for (std::size_t c = 0; c < rs.tables[t].chains.size(); ++c)
            for (std::size_t r = 0; r < rs.tables[t].chains[c].rules.size(); ++r) hits[t][c].push_back(counters.rule(t, c, r).packets);
    }
    return hits;
}

OptimizeResult optimize_ruleset(const Ruleset& rs, const RuleHits& hits, const Host* host, const IpsetRegistry* ipsets) {
    OptimizeResult result;
    Ruleset out = rs;
    IpsetRegistry sets = ipsets ? *ipsets : IpsetRegistry{};
    std::vector<std::vector<std::vector<Slot>>> tables(rs.tables.size());
    for (std::size_t t = 0; t < rs.tables.size(); ++t) {
        tables[t].resize(rs.tables[t].chains.size());
        for (std::size_t c = 0; c < rs.tables[t].chains.size(); ++c) {
            const Chain& chain = rs.tables[t].chains[c];
            auto& slots = tables[t][c];
            for (std::size_t r = 0; r < chain.rules.size(); ++r) slots.push_back({chain.rules[r], {static_cast<int>(r)}, hits.at(t).at(c).at(r)});
            merge_ports(rs.tables[t].name, chain, slots, rs.family, result.merged);
            merge_sources(rs.tables[t].name, chain, slots, rs.family, sets, result.ipsets_text, result.sets, result.merged);
        }
    }

    // Hot rules earlier, where they commute with the rule above (BDDs over the original ruleset's
    // header space; the rules' own matches, as the first rule of a walk sees them).
    {
        BddSession session(1);
        HeaderSpace space = HeaderSpace::for_rulesets(session, rs.family, host, {&rs});
        ProofLimits limits;
        HookDecision decision(space, rs, host, ipsets, limits);
        for (std::size_t t = 0; t < rs.tables.size(); ++t)
            for (std::size_t c = 0; c < rs.tables[t].chains.size(); ++c) {
                const Chain& chain = rs.tables[t].chains[c];
                auto& slots = tables[t][c];
                std::vector<Hook> hooks;
                for (int h = 0; h < hook_count; ++h)
                    if (chain.hooks & (1u << h)) hooks.push_back(static_cast<Hook>(h));
                if (hooks.empty()) continue;
                // Each rule's packets, taken once before any move and moved with their rule (the
                // decision caches a rule's BDD by its address, which a swap gives to another rule).
                std::vector<bdd> regions;
                for (const Slot& slot : slots) {
                    bdd b = bdd_false();
                    for (Hook h : hooks) b |= decision.rule_match(slot.rule, h) & decision.hook_domain(h);
                    regions.push_back(b);
                }
                auto commute = [&](std::size_t upper, std::size_t lower) -> bool {
                    const Rule& u = slots[upper].rule;
                    const Rule& l = slots[lower].rule;
                    if (!ends_walk(u) || !ends_walk(l) || has_history(u) || has_history(l)) return false;
                    if (u.target->spec == l.target->spec) return true;  // either decides alike
                    return (regions[upper] & regions[lower]) == bdd_false();
                };
                for (bool changed = true; changed;) {
                    changed = false;
                    for (std::size_t i = 1; i < slots.size(); ++i)
                        if (slots[i].hits > slots[i - 1].hits && commute(i - 1, i)) {
                            std::swap(regions[i - 1], regions[i]);
                            std::swap(slots[i - 1], slots[i]);
                            changed = true;
                        }
                }
                // The rules now above some rule they came after.
                for (std::size_t i = 0; i < slots.size(); ++i)
                    for (std::size_t j = i + 1; j < slots.size(); ++j)
                        if (slots[j].from.front() < slots[i].from.front()) {
                            ++result.moved;
                            break;
                        }
            }
    }

    for (std::size_t t = 0; t < rs.tables.size(); ++t)
        for (std::size_t c = 0; c < rs.tables[t].chains.size(); ++c) {
            const Chain& chain = rs.tables[t].chains[c];
            auto place = [&](Chain& into, const std::vector<Slot>& slots) {
                into.rules.clear();
                for (std::size_t i = 0; i < slots.size(); ++i) {
                    into.rules.push_back(slots[i].rule);
                    RuleMove m{rs.tables[t].name, into.name, {}, static_cast<int>(i) + 1, chain.name};
                    for (int f : slots[i].from) m.from.push_back(f + 1);
                    result.moves.push_back(std::move(m));
                }
            };
            std::vector<Branch> branches;
            std::vector<Slot> rest = jump_tree(chain, tables[t][c], branches);
            place(out.tables[t].chains[c], rest);
            for (auto& b : branches) {
                std::vector<Slot> slots = std::move(b.slots);
                Chain made;
                made.name = b.name;
                place(made, slots);
                out.tables[t].chains.push_back(std::move(made));
                ++result.branches;
            }
        }
    result.text = format_ruleset(out, nullptr, BuiltinChains::as_present);
    RulesetParseOptions opt;
    opt.family = rs.family;
    opt.ipsets = &sets;
    opt.source = "the optimized ruleset";
    Ruleset reread = parse_ruleset(result.text, opt);
    reread.backend = rs.backend;
    result.ipsets = std::move(sets);
    result.proof = prove_equivalence({&rs, ipsets}, {&reread, &*result.ipsets}, host, 3);
    if (!result.proof.equivalent()) {
        result.refused = "the rewritten ruleset was not proved to decide as the original (a bug in a rewrite): not written";
        return result;
    }
    if (!result.proof.complete()) {
        result.refused = "part of the header space is outside the proof (see its limits): not written";
        return result;
    }
    result.rules = std::move(reread);
    return result;
}

}  // namespace fwbench
