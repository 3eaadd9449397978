// Our own rules in iptables' extension-test format (tests/data/iptables-parity/*.t, one file
// per module; tests/xt_corpus.hpp): every rule iptables accepts loads and prints as
// iptables-save prints it, every rule it refuses is refused with a positioned error. The
// verdicts and saved forms were written from iptables' extensions and are confirmed against the
// real iptables by the kernel-oracle suite (KernelIptablesParity).

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "xt_corpus.hpp"

namespace fwbench::test {
namespace {

std::vector<std::string> parity_files() {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(FWBENCH_SOURCE_DIR "/tests/data/iptables-parity"))
        if (e.path().extension() == ".t") out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
}

TEST(IptablesParity, EveryRuleReadAsIptablesReadsIt) {
    const auto files = parity_files();
    ASSERT_GE(files.size(), 1u);
    std::size_t cases = 0;
    for (const auto& file : files)
        for (const auto& c : read_xt_file(file))
            for (const auto& chain : c.chains) {
                SCOPED_TRACE(c.file + ":" + std::to_string(c.line) + " (IPv" + (c.family == Family::ipv4 ? "4" : "6") + ", " + c.table + " " + chain +
                             "): " + c.rule);
                ++cases;
                auto o = run_fwbench(c, chain);
                if (c.accepted) {
                    ASSERT_TRUE(o.loaded) << o.error;
                    if (!c.printed_unchecked) {
                        EXPECT_EQ(o.printed, c.saved);
                    }
                } else {
                    ASSERT_FALSE(o.loaded) << "printed as: " << o.printed;
                    // Positioned: "FILE:LINE:LINE:COLUMN: message" — the rule is on line 2+ of its text.
                    EXPECT_EQ(o.error.find(c.file + ":" + std::to_string(c.line) + ":"), 0u) << o.error;
                    EXPECT_EQ(o.error.find("(not a ParseError)"), std::string::npos) << o.error;
                }
            }
    EXPECT_GT(cases, 0u);
}

}  // namespace
}  // namespace fwbench::test
