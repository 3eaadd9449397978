// Micro-benchmarks of the classification engines on ClassBench workloads (Google Benchmark).
// Figures, not tests: compare engines as ratios within one run.
//
// Sets: the bundled acl1 1K, and every set under ../shared/data/classbench when present
// (FWBENCH_SHARED_DATA overrides the location). Headers are generated in-process with the same
// method as traces/gen_classbench_trace (fixed seed), outside the timed region.

#include <benchmark/benchmark.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <type_traits>

#include "fwbench/acl_engine.hpp"
#include "fwbench/box_index.hpp"
#include "fwbench/classbench.hpp"
#include "fwbench/compiled_engine.hpp"
#include "fwbench/eal.hpp"
#include "fwbench/host.hpp"
#include "fwbench/packet_path.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "rule_traffic.hpp"
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
        Packet p = classbench_header(r, rng);
        if (!r.proto_mask) p.proto = 6;
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
    state.counters["rules_evaluated_per_packet"] = benchmark::Counter(static_cast<double>(evaluated) / static_cast<double>(state.iterations()));
}

// The compiled engine's whole walk (counters included) for bursts of 64 packets.
void bench_compiled(benchmark::State& state, const std::string& path) {
    auto rules = read_classbench_rules(path);
    Ruleset rs = classbench_ruleset(rules, path);
    auto packets = headers_for(rules, 4096, 1);
    BasicHostView host;
    auto start = std::chrono::steady_clock::now();
    CompiledEngine engine(rs, host);
    double build_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    EngineState st(rs, EngineOptions{});
    std::vector<Packet*> ptrs;
    for (auto& p : packets) ptrs.push_back(&p);
    WalkResult out[64];
    std::size_t i = 0;
    for (auto _ : state) {
        engine.run_burst(0, Hook::forward, &ptrs[i & 4095], 64, st, out);
        i += 64;
        benchmark::DoNotOptimize(out);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 64);
    state.counters["rules"] = static_cast<double>(rules.size());
    state.counters["build_ms"] = build_ms;
    state.counters["memory_MiB"] = static_cast<double>(engine.memory_bytes()) / (1 << 20);
    state.counters["ns_per_packet"] =
        benchmark::Counter(static_cast<double>(state.iterations()) * 64, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// DPDK rte_acl at the fastest classify method available, bursts of 64 prepared keys.
void bench_acl(benchmark::State& state, const std::string& path) {
    ensure_eal();
    auto rules = read_classbench_rules(path);
    if (rules.size() > 50000) {
        // rte_acl needed 0.6-0.9 GiB to build fw1/ipc1 10K (docs/compiled-engine.md, rte_acl).
        state.SkipWithError("rte_acl is not built above 50,000 rules here (memory)");
        return;
    }
    Ruleset rs = classbench_ruleset(rules, path);
    auto start = std::chrono::steady_clock::now();
    AclEngine acl(rs, 0, Hook::forward);
    double build_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    auto packets = headers_for(rules, 4096, 1);
    auto timed = [&](auto key_type) {
        using Key = decltype(key_type);
        std::vector<Key> keys(packets.size());
        std::vector<const Key*> ptrs;
        for (std::size_t i = 0; i < packets.size(); ++i) {
            make_acl_key(packets[i], keys[i]);
            ptrs.push_back(&keys[i]);
        }
        std::int32_t out[64];
        std::size_t i = 0;
        for (auto _ : state) {
            acl.classify(&ptrs[i & 4095], 64, out);
            i += 64;
            benchmark::DoNotOptimize(out);
        }
    };
    if (rs.family == Family::ipv6) timed(AclKey6{});
    else timed(AclKey{});
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 64);
    state.SetLabel(acl.algorithm());
    state.counters["rules"] = static_cast<double>(rules.size());
    state.counters["build_ms"] = build_ms;
    state.counters["memory_MiB"] = static_cast<double>(acl.memory_bytes()) / (1 << 20);
    state.counters["ns_per_packet"] =
        benchmark::Counter(static_cast<double>(state.iterations()) * 64, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// Real rulesets: traffic aimed at every rule goes through the packet path once; each table walk
// it made (table, hook, the packet as the walk began) is then replayed through one engine.
void bench_real(benchmark::State& state, const std::string& path, bool compiled) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    Ruleset rs;
    try {
        rs = parse_ruleset(text.str(), {});
    } catch (const std::exception& e) {
        state.SkipWithError(e.what());
        return;
    }
    if (rs.family != Family::ipv4) {
        state.SkipWithError("IPv6: the packet path is IPv4 only");
        return;
    }
    Host host = Host::from_json(host_for_ruleset(rs), path + " host");
    struct Recorded {
        std::size_t table;
        Hook hook;
        Packet packet;
    };
    std::vector<Recorded> walks;
    {
        PacketPath pp(rs, host);
        PathState st(rs, EngineOptions{}, host.sysctl());
        for (auto& [p, origin] : traffic_for_ruleset(rs, host, 7, 200))
            for (const auto& w : pp.process(p, origin, st, true).walks) walks.push_back({w.table, w.hook, *w.seen});
    }
    if (walks.empty()) {
        state.SkipWithError("no table walks");
        return;
    }
    LinearEngine linear(rs, host);
    std::unique_ptr<CompiledEngine> engine;
    if (compiled) engine = std::make_unique<CompiledEngine>(rs, host);
    EngineState st(rs, EngineOptions{});
    std::size_t i = 0;
    std::uint64_t evaluated = 0;
    for (auto _ : state) {
        const Recorded& r = walks[i++ % walks.size()];
        Packet p = r.packet;
        WalkResult w = compiled ? engine->run(r.table, r.hook, p, st) : linear.run(r.table, r.hook, p, st);
        evaluated += w.rules_evaluated;
        benchmark::DoNotOptimize(w);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.counters["rules"] = static_cast<double>(rs.rule_count());
    state.counters["walks"] = static_cast<double>(walks.size());
    state.counters["rules_evaluated_per_walk"] = static_cast<double>(evaluated) / static_cast<double>(state.iterations());
    state.counters["ns_per_walk"] =
        benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// The compiled index alone: first matching rule for bursts of 64 prepared keys.
template <class Box>
void bench_box_index_of(benchmark::State& state, const std::vector<ClassBenchRule>& rules, BoxIndexOptions opt) {
    std::vector<Box> boxes;
    for (const auto& r : rules) {
        if constexpr (std::is_same_v<Box, RuleBox6>) boxes.push_back(classbench_box6(r));
        else boxes.push_back(classbench_box(r));
    }
    auto start = std::chrono::steady_clock::now();
    BasicBoxIndex<Box> ix(boxes, opt);
    double build_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    auto packets = headers_for(rules, 4096, 1);
    std::vector<typename BoxLayout<Box>::Key> keys;
    for (const auto& p : packets) {
        typename BoxLayout<Box>::Key k;
        if constexpr (std::is_same_v<Box, RuleBox6>) compiled_key6(p, k);
        else compiled_key(p, k);
        keys.push_back(k);
    }
    double trees = 0, nodes = 0, checked = 0;
    for (const auto& k : keys) {
        LookupCost c = ix.cost_of(k);
        trees += c.trees, nodes += c.nodes, checked += c.boxes;
    }
    state.counters["trees"] = trees / static_cast<double>(keys.size());
    state.counters["nodes"] = nodes / static_cast<double>(keys.size());
    state.counters["boxes"] = checked / static_cast<double>(keys.size());
    std::uint32_t out[64];
    std::size_t i = 0;
    for (auto _ : state) {
        ix.first_burst(&keys[i & 4095], 64, out);
        i += 64;
        benchmark::DoNotOptimize(out);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 64);
    auto st = ix.stats();
    state.counters["rules"] = static_cast<double>(rules.size());
    state.counters["build_ms"] = build_ms;
    state.counters["memory_MiB"] = static_cast<double>(ix.memory_bytes()) / (1 << 20);
    state.counters["leaves"] = static_cast<double>(st.leaves);
    state.counters["depth"] = static_cast<double>(st.max_depth);
    state.counters["bit_vectors"] = ix.bit_vectors() ? 1 : 0;
    state.counters["ns_per_packet"] =
        benchmark::Counter(static_cast<double>(state.iterations()) * 64, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void bench_box_index(benchmark::State& state, const std::string& path, BoxIndexOptions opt) {
    auto rules = read_classbench_rules(path);
    if (!rules.empty() && rules.front().src.addr.family == Family::ipv6) bench_box_index_of<RuleBox6>(state, rules, opt);
    else bench_box_index_of<RuleBox>(state, rules, opt);
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
    // FWBENCH_EXTRA_SETS: a directory of more sets (e.g. the 100K sets gen_classbench_scaled writes).
    if (const char* extra = std::getenv("FWBENCH_EXTRA_SETS")) {
        std::vector<fs::path> files;
        for (const auto& e : fs::directory_iterator(extra))
            if (e.is_regular_file()) files.push_back(e.path());
        std::sort(files.begin(), files.end());
        for (const auto& f : files) sets.emplace_back(f.filename().string(), f.string());
    }
    for (const auto& [name, path] : sets) {
        benchmark::RegisterBenchmark(("linear/" + name).c_str(), bench_linear, path);
        benchmark::RegisterBenchmark(("box_index/" + name).c_str(), bench_box_index, path, BoxIndexOptions{});
        BoxIndexOptions trees;  // the trees where the index would take bit vectors: both in one run
        trees.bit_vectors = false;
        benchmark::RegisterBenchmark(("box_trees/" + name).c_str(), bench_box_index, path, trees);
        // FWBENCH_INDEX_VARIANTS="LEAF,SPACE,BITS,REPLICATION;...": more index settings, side by
        // side with the defaults in the same run (tuning on a noisy machine).
        if (const char* v = std::getenv("FWBENCH_INDEX_VARIANTS")) {
            std::istringstream list(v);
            for (std::string item; std::getline(list, item, ';');) {
                BoxIndexOptions opt;
                char sep;
                std::istringstream fields(item);
                fields >> opt.leaf_size >> sep >> opt.space_factor >> sep >> opt.max_cut_bits >> sep >> opt.max_replication;
                benchmark::RegisterBenchmark(("box_index[" + item + "]/" + name).c_str(), bench_box_index, path, opt);
            }
        }
        benchmark::RegisterBenchmark(("compiled/" + name).c_str(), bench_compiled, path);
        benchmark::RegisterBenchmark(("acl/" + name).c_str(), bench_acl, path);
    }
    fs::path real = fs::path(env ? env : FWBENCH_SOURCE_DIR "/../shared/data") / "rulesets";
    if (fs::is_directory(real)) {
        std::vector<fs::path> files;
        for (const auto& e : fs::recursive_directory_iterator(real)) {
            if (!e.is_regular_file()) continue;
            std::ifstream in(e.path(), std::ios::binary);
            std::stringstream text;
            text << in.rdbuf();
            if (text.str().find("*filter") != std::string::npos && text.str().find("\nCOMMIT") != std::string::npos &&
                text.str().find("ip6tables") == std::string::npos)
                files.push_back(e.path());
        }
        std::sort(files.begin(), files.end());
        for (const auto& f : files) {
            std::string name = f.parent_path().filename().string() + "/" + f.filename().string();
            benchmark::RegisterBenchmark(("real_linear/" + name).c_str(), bench_real, f.string(), false);
            benchmark::RegisterBenchmark(("real_compiled/" + name).c_str(), bench_real, f.string(), true);
        }
    }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
}
