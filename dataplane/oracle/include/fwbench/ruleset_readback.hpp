#pragma once
// Does fwbench read a ruleset as the kernel does? The kernel is given the user's own text; its
// iptables-save of what it loaded is then compared, rule for rule, with fwbench's model of the
// same text as fwbench prints it. A parser that misreads an option (the same way every time)
// would agree with itself if the kernel were given fwbench's printing; here it cannot.
//
// How: rules are compared per table and chain in order, after canonical_rule() on both sides:
// words are split as iptables-restore splits them (quotes), each match module's options are
// sorted (iptables-save prints some, e.g. hashlimit's, in its own order), a /32 on an address is
// dropped, options at their defaults that one side prints and the other does not are dropped
// (recent --mask 255.255.255.255 --rsource, LOG --log-level 4, REJECT --reject-with
// icmp-port-unreachable), statistic's --probability is compared as the kernel stores it, and
// MARK's --set-mark, --and-mark, --or-mark and --xor-mark become the --set-xmark VALUE/MASK
// iptables-save writes. Nothing else
// is forgiven: any other difference is reported as a misreading.

#include <string>
#include <string_view>
#include <vector>

#include "fwbench/ruleset.hpp"

namespace fwbench {

struct ReadbackDifference {
    std::string table, chain;
    int rule = 0;  // 1-based; 0: the chain itself (missing, or its policy)
    std::string fwbench, kernel;  // the rule as each reads it (fwbench's printing; the kernel's save)
};

// One "-A CHAIN ..." line in canonical form (see above).
std::string canonical_rule(std::string_view line);

// fwbench's model against the kernel's iptables-save (without -c) of the text it loaded.
std::vector<ReadbackDifference> compare_readback(const Ruleset& model, const std::string& kernel_save);

// "TABLE CHAIN rule N: fwbench reads ..., the kernel ...".
std::string describe_readback(const ReadbackDifference& d);

}  // namespace fwbench
