#pragma once
// Rulesets written back as iptables-save writes them: the form the kernel oracle loads, the
// reproductions of a disagreement, and `--counters` (iptables-save -c, counters from an engine).

#include <cstddef>
#include <cstdint>
#include <string>

#include "fwbench/ruleset.hpp"

namespace fwbench {

// Writes the ruleset in iptables-save form. With counters (a function giving a rule's and a
// policy's counters), in `iptables-save -c` form.
struct CounterSource {
    virtual ~CounterSource() = default;
    virtual Counters rule(std::size_t table, std::size_t chain, std::size_t rule) const = 0;
    virtual Counters policy(std::size_t table, std::size_t chain) const = 0;
};
// Which built-in chains the text declares: every one, as iptables-save prints them; or only those
// the kernel has (Ruleset::presence), for iptables-restore to create the same chains again, an
// uncounted one by a flush (a rule command) instead of a declaration.
enum class BuiltinChains : std::uint8_t { all, as_present };
std::string format_ruleset(const Ruleset& rs, const CounterSource* counters = nullptr, BuiltinChains builtins = BuiltinChains::all);
std::string format_rule(const Rule& rule, const std::string& chain);
// How reports name a rule: "TABLE CHAIN rule N: -A CHAIN ..." (N 1-based, counted in its chain).
std::string rule_label(const Table& table, const Chain& chain, std::size_t index);

}  // namespace fwbench
