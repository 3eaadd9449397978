// Every real ruleset under ../shared/data/rulesets (IPv4 and IPv6) parses, keeps one rule per
// -A line, and survives a print/parse round trip. The folder is optional: without it these
// tests skip and say why. Files are found by content (a "*table" line and COMMIT), not by name.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "fwbench/parse_error.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "fwbench/ruleset_printer.hpp"
#include "must_run.hpp"
#include "text_lines.hpp"

namespace fwbench {
namespace {

namespace fs = std::filesystem;

fs::path shared_rulesets() {
    const char* env = std::getenv("FWBENCH_SHARED_DATA");
    return fs::path(env ? env : "../shared/data") / "rulesets";
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool looks_like_ruleset(const std::string& text) {
    return std::regex_search(text, std::regex("(^|\n)\\*(filter|nat|mangle|raw|security)\\s*\n")) && text.find("\nCOMMIT") != std::string::npos;
}

std::vector<fs::path> ruleset_files() {
    std::vector<fs::path> files;
    if (!fs::is_directory(shared_rulesets())) return files;
    for (const auto& e : fs::recursive_directory_iterator(shared_rulesets()))
        if (e.is_regular_file() && looks_like_ruleset(slurp(e.path()))) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    return files;
}

std::size_t append_lines(const std::string& text) {
    static const std::regex a(R"(^(\[\d+:\d+\] )?-A )");
    std::size_t n = 0;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) n += std::regex_search(line, a);
    return n;
}

// The sets the moby dump refers to (Docker creates it; its contents do not affect parsing).
const IpsetRegistry docker_sets = IpsetRegistry::parse(
    "create docker-ext-bridges-v4 hash:net family inet hashsize 1024 maxelem 65536\n"
    "add docker-ext-bridges-v4 192.0.2.0/24\n",
    "docker-ipsets");

TEST(SharedRulesets, FolderPresentOrSkip) {
    if (!fs::is_directory(shared_rulesets())) FWBENCH_CANNOT_RUN(shared_rulesets() << " is not present: nothing to parse");
    EXPECT_GE(ruleset_files().size(), 15u) << "fewer rulesets found than the folder is known to hold";
}

TEST(SharedRulesets, EveryFileParsesAndRoundTrips) {
    auto files = ruleset_files();
    if (files.empty()) FWBENCH_CANNOT_RUN(shared_rulesets() << " is not present: nothing to parse");
    bool saw_v6 = false;
    for (const auto& f : files) {
        SCOPED_TRACE(f.string());
        std::string rel = fs::relative(f, shared_rulesets()).string();
        std::string text = slurp(f);
        RulesetParseOptions opt;
        opt.source = rel;
        // A dump ending with a line of one space: iptables-restore refuses it ("line 46 failed",
        // checked in a namespace), so fwbench must; the rest is checked without that line.
        int blank_space_lines = 0;
        const std::string without = test::without_blank_space_lines(text, blank_space_lines);
        if (blank_space_lines) {
            try {
                parse_ruleset(text, opt);
                ADD_FAILURE() << "a line of only spaces must not parse";
            } catch (const ParseError& e) {
                EXPECT_NE(e.message().find("a line of only spaces or tabs"), std::string::npos) << e.what();
            }
            text = without;
        }
        opt.ipsets = &docker_sets;
        // One file is a parser stress test with an invented multiport option and icmp6 in an
        // IPv4 table: iptables-restore refuses it, so must fwbench; leniently, exactly those rules go.
        bool stress = rel == "iptables-semantics/iptables-save";
        if (stress) {
            try {
                parse_ruleset(text, opt);
                ADD_FAILURE() << "the stress file must not parse strictly";
            } catch (const ParseError& e) {
                EXPECT_EQ(e.line(), 12);
                EXPECT_EQ(e.column(), 55);
                EXPECT_NE(e.message().find("unknown option '--something-else'"), std::string::npos) << e.what();
            }
            opt.lenient = true;
        }
        Ruleset rs;
        try {
            rs = parse_ruleset(text, opt);
        } catch (const ParseError& e) {
            ADD_FAILURE() << e.what();
            continue;
        }
        saw_v6 |= rs.family == Family::ipv6;
        std::vector<int> skipped_lines;
        for (const auto& s : rs.skipped) skipped_lines.push_back(s.line);
        if (stress) EXPECT_EQ(skipped_lines, (std::vector<int>{12, 40, 41}));
        else EXPECT_TRUE(rs.skipped.empty());
        EXPECT_EQ(rs.rule_count() + rs.skipped.size(), append_lines(text)) << "one rule per -A line";

        EXPECT_TRUE(rs.warnings.empty()) << (rs.warnings.empty() ? "" : rs.warnings[0].message);

        std::string printed = format_ruleset(rs);
        RulesetParseOptions again_opt;
        again_opt.source = rel + " (printed)";
        again_opt.family = rs.family;
        again_opt.ipsets = &docker_sets;
        Ruleset again;
        try {
            again = parse_ruleset(printed, again_opt);
        } catch (const ParseError& e) {
            ADD_FAILURE() << e.what() << "\n" << printed;
            continue;
        }
        EXPECT_EQ(format_ruleset(again), printed);
        ASSERT_EQ(again.tables.size(), rs.tables.size());
        for (std::size_t t = 0; t < rs.tables.size(); ++t) {
            ASSERT_EQ(again.tables[t].chains.size(), rs.tables[t].chains.size());
            for (std::size_t c = 0; c < rs.tables[t].chains.size(); ++c) {
                const auto& a = rs.tables[t].chains[c];
                const auto& b = again.tables[t].chains[c];
                EXPECT_EQ(a.name, b.name);
                EXPECT_EQ(a.policy, b.policy);
                EXPECT_EQ(a.input_counters, b.input_counters);
                ASSERT_EQ(a.rules.size(), b.rules.size());
                for (std::size_t r = 0; r < a.rules.size(); ++r)
                    EXPECT_TRUE(a.rules[r] == b.rules[r]) << "line " << a.rules[r].line << ": " << a.rules[r].text;
            }
        }
    }
    EXPECT_TRUE(saw_v6) << "the folder holds ip6tables dumps; none was read as IPv6";
}

}  // namespace
}  // namespace fwbench
