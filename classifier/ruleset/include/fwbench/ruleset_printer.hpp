#pragma once
// Rulesets written back as iptables-save writes them: the form the kernel oracle loads, the
// reproductions of a disagreement, and `--counters` (iptables-save -c, counters from an engine).

#include <cstddef>
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
std::string format_ruleset(const Ruleset& rs, const CounterSource* counters = nullptr);
std::string format_rule(const Rule& rule, const std::string& chain);

}  // namespace fwbench
