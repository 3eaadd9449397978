// The parity fixtures (tests/data/iptables-parity) held to the real iptables: each rule appended
// by the iptables beside the kernel (iptables-nft, its command line, as iptables' own
// iptables-test.py runs its fixtures) to a table of a namespace of its own, then read back with
// iptables-save. A rule the fixture says iptables accepts must load and be saved
// in the fixture's form; one it says iptables refuses must not load. So the verdicts fwbench's
// parser is tested against (IptablesParity) are iptables' own, not fwbench's idea of them.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "command_words.hpp"
#include "fwbench/netns.hpp"
#include "fwbench/subprocess.hpp"
#include "require_kernel.hpp"
#include "xt_corpus.hpp"

namespace fwbench::test {
namespace {

// "1.8.10" -> {1, 8, 10}: the numbers a version begins with.
std::vector<int> parse_version(const std::string& text) {
    std::vector<int> parts;
    std::istringstream in(text);
    int n = 0;
    char dot = 0;
    while (in >> n) {
        parts.push_back(n);
        if (!(in >> dot) || dot != '.') break;
    }
    return parts;
}

// "iptables v1.8.9 (nf_tables)" -> {1, 8, 9}.
std::vector<int> iptables_version() {
    const std::string out = run_program_checked({{"iptables", "-V"}, "", -1});
    const auto v = out.find(" v");
    return v == std::string::npos ? std::vector<int>{} : parse_version(out.substr(v + 2));
}

// The saved lines of `chain`, without "-A CHAIN ".
std::string saved_rules(const std::string& save, const std::string& chain) {
    std::istringstream in(save);
    std::string line, out;
    const std::string prefix = "-A " + chain + " ";
    bool first = true;
    while (std::getline(in, line)) {
        if (line.rfind(prefix, 0) != 0) continue;
        if (!first) out.push_back('\n');
        out.append(line, prefix.size(), std::string::npos);
        first = false;
    }
    return out;
}

TEST(KernelIptablesParity, EveryFixtureIsIptablesOwnVerdict) {
    require_kernel();
    if (HasFatalFailure() || IsSkipped()) return;
    const std::vector<int> installed = iptables_version();
    ASSERT_GE(installed.size(), 2u) << "cannot read the version of iptables";
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(FWBENCH_SOURCE_DIR "/tests/data/iptables-parity"))
        if (e.path().extension() == ".t") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    std::size_t checked = 0, older = 0;
    std::set<std::string> unverifiable;
    for (const auto& file : files) {
        NetNamespace ns;
        std::set<std::string> setup_tables;  // the tables setup rules have been added to
        for (const auto& c : read_xt_file(file)) {  // tables created on first use, flushed per rule
            // A verdict iptables changed in a later version: the installed one gives the opposite.
            const bool before = !c.since.empty() && installed < parse_version(c.since);
            const bool accepted = before ? !c.accepted : c.accepted;
            older += before;
            const std::string tool = c.family == Family::ipv4 ? "iptables" : "ip6tables";
            for (const auto& chain : c.chains) {
                std::ostringstream where;
                where << c.file << ":" << c.line << " (" << tool << ", " << c.table << " " << chain << "): " << c.rule;
                SCOPED_TRACE(where.str());
                // As iptables-test.py runs them: `iptables -t TABLE -A CHAIN RULE` into an empty
                // table, beside the case's setup rules (emptied and added again each time).
                run_program_checked({{tool, "-t", c.table, "-F"}, "", ns.fd()});
                // Both families' setup rules go: the estimators they make are the namespace's.
                for (const auto& r : c.setup) setup_tables.insert(r.table);
                for (const auto& table : setup_tables)
                    for (const char* family_tool : {"iptables", "ip6tables"}) run_program_checked({{family_tool, "-t", table, "-F"}, "", ns.fd()});
                for (const auto& r : c.setup) {
                    std::vector<std::string> setup_argv{tool, "-t", r.table, "-A", r.chain};
                    for (auto& word : command_words(r.rule, '"')) setup_argv.push_back(std::move(word));
                    run_program_checked({setup_argv, "", ns.fd()});
                }
                std::vector<std::string> argv{tool, "-t", c.table, "-A", chain};
                for (auto& word : command_words(c.rule, '"')) argv.push_back(std::move(word));  // the fixtures quote "..."
                const ProgramResult restore = run_program({argv, "", ns.fd()});
                // A module this kernel was built without (IPVS here): iptables cannot say; named below.
                if (!restore.ok() && restore.err.find("not supported, missing kernel module?") != std::string::npos) {
                    unverifiable.insert(c.file + ":" + std::to_string(c.line) + " " + restore.err.substr(0, restore.err.find('\n')));
                    continue;
                }
                ++checked;
                if (!accepted) {
                    EXPECT_FALSE(restore.ok()) << "iptables loads it";
                    continue;
                }
                ASSERT_TRUE(restore.ok()) << "iptables refuses it: " << restore.err;
                const std::string save = run_program_checked({{tool + "-save", "-t", c.table}, "", ns.fd()});
                const bool saved_before = !c.saved_since.empty() && installed < parse_version(c.saved_since);
                older += saved_before;
                if (!c.printed_unchecked && !before && !saved_before) {
                    std::string expected;  // the setup rules of that chain, then the case's
                    for (const auto& r : c.setup)
                        if (r.table == c.table && r.chain == chain) expected.append(r.rule).append("\n");
                    EXPECT_EQ(saved_rules(save, chain), expected + c.saved);
                }
            }
        }
    }
    std::cout << checked << " fixture rules checked against iptables";
    for (std::size_t i = 0; i < installed.size(); ++i) std::cout << (i ? "." : " ") << installed[i];
    std::cout << " (" << older << " with the verdict or saved form of iptables before the version that changed it)\n";
    for (const auto& u : unverifiable) std::cout << "  not checked, this kernel lacks the module: " << u << "\n";
    EXPECT_GT(checked, 100u);
}

}  // namespace
}  // namespace fwbench::test
