#pragma once
// Rules with the verdict iptables gives them, in the format of iptables' own extension tests
// (iptables-test.py reads extensions/*.t): a line `:CHAIN[,CHAIN...]` names the built-in chains
// the rules below are appended to, `*TABLE` the table (filter until one is named), and each rule
// line is `RULE;SAVED;OK|FAIL[;NFT|LEGACY[;RESULT]]` — SAVED is how iptables-save prints the
// rule (`=`: as written), FAIL that iptables refuses it; a variant field scopes the result to
// one backend (the other gets RESULT, else the opposite). Our own files may instead end in
// `;SINCE 1.8.10`: the verdict of iptables from that version on (older ones give the opposite),
// or `;SAVED-SINCE 1.8.10`: the saved form from that version on (older ones print it otherwise).
// `#` comments; `@` lines (shell commands) are skipped, but for `@nfacct add|del NAME`: from the
// first of them on, the file keeps the kernel's accounting objects, which a -m nfacct rule must
// name (the kernel refuses others); `%iptables [-t TABLE] -A|-I|-D CHAIN RULE`
// lines add or delete a rule the rules below are loaded beside (a RATEEST whose estimator they
// read), for fwbench and for the kernel alike. Files named lib(ipt|ip6t|xt)_* are IPv4, IPv6 and
// both, as iptables-test.py runs them.
//
// Used by the parity test (our own cases under tests/data/iptables-parity, kernel-checked) and
// by xt_corpus_report (any such corpus: how many of its rules fwbench reads as iptables does).

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fwbench/addr.hpp"

namespace fwbench::test {

// A rule the case is loaded beside (a `%iptables` line's).
struct XtSetupRule {
    std::string table = "filter";
    std::string chain;
    std::string rule;
    bool operator==(const XtSetupRule&) const = default;
};

struct XtCase {
    std::string file;  // base name
    int line = 0;  // 1-based
    std::string table = "filter";
    std::vector<std::string> chains;
    std::string rule;  // as written, shell quoting
    std::string saved;  // iptables-save's form, without "-A CHAIN "; for accepted rules
    bool accepted = false;  // for the nf_tables backend
    bool printed_unchecked = false;  // NOMATCH: loads, printed otherwise
    Family family = Family::ipv4;
    std::string since;  // "1.8.10": the verdict holds from that iptables version on
    std::string saved_since;  // "1.8.10": the saved form holds from that version on
    std::vector<XtSetupRule> setup;  // in the order they were added
    std::optional<std::set<std::string>> nfacct_objects;  // once an `@nfacct` line said which exist
};

// Throws std::runtime_error naming file and line on a malformed line.
std::vector<XtCase> read_xt_file(const std::string& path);

// What fwbench makes of one case in one chain: refused (with the positioned error) or loaded and
// printed (the rule's line without "-A CHAIN ").
struct XtOutcome {
    bool loaded = false;
    std::string printed;
    std::string error;
};
XtOutcome run_fwbench(const XtCase& c, const std::string& chain);

// The ruleset text of one case: its setup rules' tables, then its table (the setup rules of that
// table first), each with its built-in chains, the rule appended to `chain`.
std::string case_ruleset(const XtCase& c, const std::string& chain);

}  // namespace fwbench::test
