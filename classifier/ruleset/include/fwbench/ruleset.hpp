#pragma once
// The ruleset model: tables of chains of rules, exactly as iptables-save / iptables-restore
// describe them, for IPv4 and IPv6 alike.
//
// What: a Ruleset holds the tables of one address family. A Table holds its built-in chains
// (always present, in hook order, with their policies) and its user chains in the order of the
// input. A Rule holds the ipt_ip part (-s -d -i -o -p -f), its matches in order, and an optional
// target. Each rule keeps the line it came from and its source text.
//
// Invariants (established by the parser, relied on by every engine):
//  - every JumpTarget names a user chain of the same table, and chain_index points at it;
//  - the jump graph has no cycles;
//  - every target and match is allowed in its table and in every hook that can reach its chain;
//  - each Match carries both its typed spec (for engines) and its options as printed by
//    iptables-save (for writing the ruleset back).
// Counters parsed from the input are kept (`input_counters`); engines count elsewhere.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fwbench/addr.hpp"
#include "fwbench/matches.hpp"
#include "fwbench/targets.hpp"

namespace fwbench {

enum class Hook : std::uint8_t { prerouting, input, forward, output, postrouting };
constexpr int hook_count = 5;
using HookMask = std::uint8_t;
constexpr HookMask hook_bit(Hook h) { return static_cast<HookMask>(1u << static_cast<int>(h)); }
const char* hook_chain_name(Hook h);  // "PREROUTING", ...

struct Counters {
    std::uint64_t packets = 0, bytes = 0;
    bool operator==(const Counters&) const = default;
};

// One option as iptables-save prints it: [!] --name args...
struct RuleOption {
    std::string name;
    bool negated = false;
    std::vector<std::string> args;
    bool operator==(const RuleOption&) const = default;
};

struct Match {
    std::string module;  // -m NAME
    std::vector<RuleOption> options;  // in iptables-save's order
    MatchSpec spec;
    int column = 0;  // of "-m" (or of the first option of an implicit match)
    bool operator==(const Match& o) const { return module == o.module && options == o.options && spec == o.spec; }
};

struct Target {
    std::string name;  // ACCEPT, DNAT, a user chain, ...
    std::vector<RuleOption> options;
    TargetSpec spec;
    int column = 0;  // of "-j" / "-g"
    bool operator==(const Target& o) const { return name == o.name && options == o.options && spec == o.spec; }
};

// An interface pattern: exact name, or a prefix when written with a trailing '+'.
struct IfacePattern {
    std::string name;  // without the '+'
    bool wildcard = false;
    bool matches(std::string_view iface) const { return wildcard ? iface.substr(0, name.size()) == name : iface == name; }
    bool operator==(const IfacePattern&) const = default;
};

// The part of a rule the kernel keeps in struct ipt_ip / ip6t_ip6.
struct IpHeaderSpec {
    std::optional<Neg<IpPrefix>> src, dst;
    std::optional<Neg<IfacePattern>> in, out;
    std::optional<Neg<std::uint8_t>> proto;  // absent = any ("-p all")
    std::optional<bool> fragment;  // -f: true; ! -f: false
    bool operator==(const IpHeaderSpec&) const = default;
};

struct Rule {
    IpHeaderSpec ip;
    std::vector<Match> matches;
    std::optional<Target> target;  // absent: a counting-only rule
    Counters input_counters;
    int line = 0;
    std::string text;  // the source line
    bool operator==(const Rule& o) const { return ip == o.ip && matches == o.matches && target == o.target; }
};

// Whether the kernel has a built-in chain. iptables-legacy registers every base chain of a table
// it loads. iptables-nft creates only the base chains the restored text names, and keeps a policy
// counter only for those it declares (checked with traffic, see docs/kernel-semantics.md):
enum class ChainPresence : std::uint8_t {
    absent,  // never named: no hook is registered, packets do not pass it
    uncounted,  // named only by a rule command (-A, -I, -D, -F): its policy decides but never counts
    counted,  // declared (':CHAIN POLICY [p:b]') or given a policy (-P)
};
const char* chain_presence_name(ChainPresence p);

struct Chain {
    std::string name;
    bool builtin = false;
    StandardTarget::Kind policy = StandardTarget::Kind::accept;  // built-in chains only
    // Built-in chains only: as the input names it (the parser) or as the kernel has it (read from
    // a running host). What the kernel does with it also depends on the backend: see presence().
    ChainPresence named = ChainPresence::counted;
    Counters input_counters;
    std::vector<Rule> rules;
    HookMask hooks = 0;  // the hooks from which this chain can be reached
    int line = 0;
};

struct Table {
    std::string name;
    std::vector<Chain> chains;  // built-in first (hook order), then user chains in input order

    int find_chain(std::string_view name) const;
    const Chain* chain(std::string_view name) const;
};

struct SkippedRule {
    std::string table, chain;
    int line = 0;
    std::string text, reason;
};

struct Diagnostic {
    int line = 0, column = 0;
    std::string message;
};

// Which of iptables' two kernel backends loads the ruleset. They differ in one place fwbench
// models: iptables-nft registers the security table's chains at priority 150, after nat INPUT
// (100); iptables-legacy's security table sits at NF_IP_PRI_SECURITY (50), before it.
enum class Backend : std::uint8_t { nf_tables, legacy };
const char* backend_name(Backend b);

struct Ruleset {
    Family family = Family::ipv4;
    // From the "# Generated by" line: "(legacy)", "iptables-legacy-save" or a version before 1.8
    // (when legacy was the only backend) mean legacy; otherwise nf_tables, today's default.
    Backend backend = Backend::nf_tables;
    std::string backend_reason;  // what decided it, for reports
    std::string source;  // file name, for messages
    std::vector<Table> tables;
    std::vector<SkippedRule> skipped;  // lenient parsing only
    // Rules kept although a current kernel would refuse them (found in real dumps of systems
    // that ran older kernels); each says what fwbench does with the rule.
    std::vector<Diagnostic> warnings;
    // Where the built-in chains' `named` came from, for reports: the text's names (as
    // iptables-restore creates chains from them), or the running kernel's base chains.
    std::string chain_presence_source = "the chains the text names, as iptables-restore creates them";

    // Whether the kernel has this built-in chain: as named under iptables-nft; every built-in
    // chain counts under iptables-legacy. User chains: counted.
    ChainPresence presence(const Chain& c) const { return !c.builtin || backend == Backend::legacy ? ChainPresence::counted : c.named; }
    // The built-in chain through which hook h enters tables[table], or -1 when the kernel has none
    // there (the table has no such hook, or the chain is absent).
    int base_chain(std::size_t table, Hook h) const;
    const Table* table(std::string_view name) const;
    Table* table(std::string_view name);
    std::size_t rule_count() const;
};

// Tables and their built-in chains.
bool is_known_table(std::string_view name);
std::vector<Hook> builtin_hooks(std::string_view table);

// Protocol names as iptables prints and reads them.
std::optional<std::uint8_t> parse_protocol(std::string_view text);
std::string format_protocol(std::uint8_t proto);

}  // namespace fwbench
