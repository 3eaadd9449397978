#pragma once
// The table of iptables match modules and targets fwbench understands: for each, its options
// (canonical name as iptables-save prints it, aliases, argument count, whether `!` is allowed),
// how each option fills the typed spec, and where the module may be used (tables, hooks,
// protocol). The ruleset parser is generic over this table.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fwbench/ipset.hpp"
#include "fwbench/ruleset.hpp"

namespace fwbench::detail {

struct OptionContext {
    Family family = Family::ipv4;
    std::optional<Neg<std::uint8_t>> rule_proto;  // -p of the rule being parsed
    const IpsetRegistry* ipsets = nullptr;
    const std::set<std::string>* nfacct_objects = nullptr;  // null: every name taken to exist
    std::string_view table;
};

// Applies one option to a spec; may rewrite args into the form iptables-save prints.
// Returns an error message, empty on success.
template <class Spec>
using ApplyFn = std::string (*)(Spec& spec, bool negated, std::vector<std::string>& args, const OptionContext& ctx);

template <class Spec>
struct OptionDef {
    std::string_view name{};  // canonical, without "--"
    std::string_view aliases{};  // space separated, without "--"
    int nargs = 1;  // -1: one optional argument (the next word unless it starts with '-' or is '!')
    bool negatable = false;
    ApplyFn<Spec> apply = nullptr;
    bool matches(std::string_view opt) const;
};

// How iptables checks a module's options together: xtables' per-option XTOPT_MAND, .excl and
// .also, and the "at least one of" checks of the extensions' x6_fcheck. Names without "--".
struct OptionRules {
    std::string_view one_of{};  // space separated: at least one must be given
    std::vector<std::string_view> exclusive{};  // groups, space separated: at most one of each
    std::vector<std::string_view> also{};  // "A B C": A needs B or C beside it
    std::string_view required{};  // space separated: each must be given (XTOPT_MAND on several)
};

template <class Spec>
struct ModuleDef {
    std::string_view name{};
    std::vector<OptionDef<Spec>> options{};
    Spec (*make)(const OptionContext& ctx) = nullptr;
    // Checks the whole spec once all options are read; returns an error message or empty.
    std::string (*finish)(Spec& spec, const OptionContext& ctx) = nullptr;
    HookMask hooks = 0x1f;  // hooks where it may be used
    std::string_view table{};  // empty = any table; else the tables, space separated
    bool terminating = false;  // targets only
    std::optional<Family> family{};  // family-specific modules (icmp, icmp6, ttl, hl, rt)
    HookMask (*hooks_for)(const Spec& spec) = nullptr;  // when the options narrow the hooks
    OptionRules rules{};
    // Rewrites the options (as given, in the table's order) as iptables-save writes them, from
    // the spec (the extension's save function): defaults written out, aliases under the one name
    // iptables keeps. Null: as given.
    void (*save)(const Spec& spec, std::vector<RuleOption>& options, const OptionContext& ctx) = nullptr;

    const OptionDef<Spec>* find_option(std::string_view opt) const;
};

using MatchModuleDef = ModuleDef<MatchSpec>;
using TargetModuleDef = ModuleDef<TargetSpec>;

// sctp's --chunk-types MATCH CHUNKS (sctp_chunk_types.cpp).
std::string apply_sctp_chunk_types(MatchSpec& spec, bool negated, std::vector<std::string>& args, const OptionContext& ctx);

// -j HMARK (hmark_target.cpp).
void add_hmark_target(std::vector<TargetModuleDef>& t);
void add_npt_targets(std::vector<TargetModuleDef>& t);
// -j TPROXY (tproxy_target.cpp).
void add_tproxy_target(std::vector<TargetModuleDef>& t);
void add_tee_target(std::vector<TargetModuleDef>& t);
void add_synproxy_target(std::vector<TargetModuleDef>& t);

// -m time (time_module.cpp).
void add_time_match(std::vector<MatchModuleDef>& m);

// -m srh (srh_module.cpp).
void add_srh_match(std::vector<MatchModuleDef>& m);

// -m cluster (cluster_module.cpp).
void add_cluster_match(std::vector<MatchModuleDef>& m);

// -m connlabel (connlabel_module.cpp).
void add_connlabel_match(std::vector<MatchModuleDef>& m);
// -m string (string_module.cpp).
void add_string_match(std::vector<MatchModuleDef>& m);
// -m u32 (u32_module.cpp).
void add_u32_match(std::vector<MatchModuleDef>& m);
// -m bpf (bpf_module.cpp).
void add_bpf_match(std::vector<MatchModuleDef>& m);

// -m hashlimit (hashlimit_module.cpp).
void add_hashlimit_match(std::vector<MatchModuleDef>& m);

// The rate estimator pair (rate_estimator_modules.cpp): -m rateest and -j RATEEST.
void add_rateest_match(std::vector<MatchModuleDef>& m);
void add_rateest_target(std::vector<TargetModuleDef>& t);

const MatchModuleDef* find_match_module(std::string_view name);
const TargetModuleDef* find_target_module(std::string_view name);
// The module loaded implicitly for options after "-p NAME" (tcp, udp, icmp, ...), if any.
const MatchModuleDef* implicit_protocol_module(std::uint8_t proto, Family family);

template <class Spec>
bool OptionDef<Spec>::matches(std::string_view opt) const {
    if (opt == name) return true;
    std::size_t start = 0;
    while (start < aliases.size()) {
        auto end = aliases.find(' ', start);
        if (end == std::string_view::npos) end = aliases.size();
        if (aliases.substr(start, end - start) == opt) return true;
        start = end + 1;
    }
    return false;
}

template <class Spec>
const OptionDef<Spec>* ModuleDef<Spec>::find_option(std::string_view opt) const {
    for (const auto& o : options)
        if (o.matches(opt)) return &o;
    return nullptr;
}

}  // namespace fwbench::detail
