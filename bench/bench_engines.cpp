// Micro-benchmarks of the classification engines on ClassBench workloads (Google Benchmark).
// Figures, not tests: compare engines as ratios within one run.
//
// Sets: the bundled acl1 1K, and every set under ../shared/data/classbench when present
// (FWBENCH_SHARED_DATA overrides the location). Headers are generated in-process with the same
// method as traces/gen_classbench_trace (fixed seed), outside the timed region.

#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

#include "fwbench/classbench.hpp"
#include "fwbench/linear_engine.hpp"

namespace {

using namespace fwbench;
namespace fs = std::filesystem;

std::vector<Packet> headers_for(const std::vector<ClassBenchRule>& rules, std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<Packet> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto& r = rules[rng() % rules.size()];
        Packet p;
        p.src = IpAddr::v4(r.src.addr.v4_host() | (static_cast<std::uint32_t>(rng()) & ~r.src.mask.v4_host()));
        p.dst = IpAddr::v4(r.dst.addr.v4_host() | (static_cast<std::uint32_t>(rng()) & ~r.dst.mask.v4_host()));
        p.sport = static_cast<std::uint16_t>(r.sport.lo + rng() % (r.sport.hi - r.sport.lo + 1u));
        p.dport = static_cast<std::uint16_t>(r.dport.lo + rng() % (r.dport.hi - r.dport.lo + 1u));
        p.proto = r.proto_mask ? r.proto : 6;
        p.length = 64;
        out.push_back(p);
    }
    return out;
}

void bench_linear(benchmark::State& state, const std::string& path) {
    auto rules = read_classbench_rules(path);
    Ruleset rs = classbench_ruleset(rules, path);
    auto packets = headers_for(rules, 4096, 1);
    BasicHostView host;
    LinearEngine engine(rs, host);
    EngineState st(rs, EngineOptions{});
    std::size_t i = 0;
    std::uint64_t evaluated = 0;
    for (auto _ : state) {
        Packet p = packets[i++ & 4095];
        auto w = engine.run(0, Hook::forward, p, st);
        evaluated += w.rules_evaluated;
        benchmark::DoNotOptimize(w);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.counters["rules"] = static_cast<double>(rules.size());
    state.counters["rules_evaluated_per_packet"] =
        benchmark::Counter(static_cast<double>(evaluated) / static_cast<double>(state.iterations()));
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::pair<std::string, std::string>> sets = {{"acl1_seed", FWBENCH_SOURCE_DIR "/traces/classbench/acl1_seed.rules"}};
    const char* env = std::getenv("FWBENCH_SHARED_DATA");
    fs::path shared = fs::path(env ? env : FWBENCH_SOURCE_DIR "/../shared/data") / "classbench";
    if (fs::is_directory(shared)) {
        std::vector<fs::path> files;
        for (const auto& e : fs::directory_iterator(shared))
            if (e.is_regular_file() && e.path().filename().string().find("LICENSE") == std::string::npos) files.push_back(e.path());
        std::sort(files.begin(), files.end());
        for (const auto& f : files) sets.emplace_back(f.filename().string(), f.string());
    } else {
        std::fprintf(stderr, "bench_engines: %s not present, benchmarking the bundled set only\n", shared.c_str());
    }
    for (const auto& [name, path] : sets)
        benchmark::RegisterBenchmark(("linear/" + name).c_str(), bench_linear, path);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
}
