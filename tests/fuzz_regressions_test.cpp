// Every input kept for the fuzz targets — their seed corpora and each finding fixed since
// (tests/fuzz/regressions) — replayed through the same target bodies in every build, so a fixed
// finding stays fixed without clang or libFuzzer (scripts/fuzz.sh runs the fuzzers themselves).

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "fuzz/targets.hpp"

namespace fwbench {
namespace {

namespace fs = std::filesystem;

TEST(FuzzRegressions, KeptInputsAreRefusedOnlyAsTheirReadersRefuse) {
    const std::pair<const char*, std::function<void(const std::uint8_t*, std::size_t)>> targets[] = {
        {"host_description", fuzz::host_description},     {"ipset_file", fuzz::ipset_file}, {"ruleset_text", fuzz::ruleset_text},
        {"packet_description", fuzz::packet_description}, {"link_frame", fuzz::link_frame}, {"capture_file", fuzz::capture_file},
    };
    const fs::path root = fs::path(FWBENCH_SOURCE_DIR) / "tests" / "fuzz";
    for (const auto& [name, target] : targets) {
        std::size_t inputs = 0;
        for (const char* kind : {"corpus", "regressions"}) {
            const fs::path dir = root / kind / name;
            if (!fs::exists(dir)) continue;
            for (const auto& e : fs::directory_iterator(dir)) {
                std::ifstream in(e.path(), std::ios::binary);
                std::string bytes((std::istreambuf_iterator<char>(in)), {});
                ++inputs;
                try {
                    target(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
                } catch (const std::exception& ex) {
                    ADD_FAILURE() << e.path() << ": " << ex.what();
                }
            }
        }
        EXPECT_GE(inputs, 2u) << name << ": its corpus is missing under " << root;
    }
}

}  // namespace
}  // namespace fwbench
