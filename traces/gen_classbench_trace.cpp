// gen_classbench_trace: writes a ClassBench header trace for a filter set, the way ClassBench's
// trace generator does: pick a rule uniformly, pick a header inside it (each field uniformly
// within the rule's prefix or range), and repeat that header a Pareto-distributed number of
// times for locality of reference. Output lines: SRC DST SPORT DPORT PROTO 0 RULE (RULE is the
// 1-based generating rule, which is not always the header's first match).
//
// Deterministic for a given --seed, so traces can be regenerated rather than stored.

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>

#include <CLI/CLI.hpp>

#include "fwbench/classbench.hpp"
#include "fwbench/parse_error.hpp"

namespace {

std::uint32_t pick_in_prefix(const fwbench::IpPrefix& p, std::mt19937_64& rng) {
    std::uint32_t mask = p.mask.v4_host();
    return p.addr.v4_host() | (static_cast<std::uint32_t>(rng()) & ~mask);
}

std::uint16_t pick_in_range(const fwbench::PortRange& r, std::mt19937_64& rng) {
    std::uniform_int_distribution<std::uint32_t> d(r.lo, r.hi);
    return static_cast<std::uint16_t>(d(rng));
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Generate a ClassBench header trace for a filter set"};
    std::string rules_path, out_path = "-";
    std::uint64_t count = 100000, seed = 1;
    double pareto_a = 1.0, pareto_b = 0.1;
    app.add_option("rules", rules_path, "ClassBench filter set")->required();
    app.add_option("-o,--output", out_path, "output file, - for stdout");
    app.add_option("-n,--count", count, "number of headers");
    app.add_option("--seed", seed, "random seed");
    app.add_option("--pareto-a", pareto_a, "Pareto shape of the repeat count (locality)")->check(CLI::PositiveNumber);
    app.add_option("--pareto-b", pareto_b, "Pareto scale of the repeat count (0 = no repeats)")->check(CLI::NonNegativeNumber);
    CLI11_PARSE(app, argc, argv);

    std::vector<fwbench::ClassBenchRule> rules;
    try {
        rules = fwbench::read_classbench_rules(rules_path);
    } catch (const fwbench::ParseError& e) {
        std::cerr << "gen_classbench_trace: " << e.what() << '\n';
        return 2;
    }
    if (rules.empty()) {
        std::cerr << "gen_classbench_trace: " << rules_path << " holds no rules\n";
        return 2;
    }
    std::ofstream file;
    if (out_path != "-") {
        file.open(out_path);
        if (!file) {
            std::cerr << "gen_classbench_trace: cannot write " << out_path << '\n';
            return 2;
        }
    }
    std::ostream& out = out_path == "-" ? std::cout : file;

    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<std::size_t> pick_rule(0, rules.size() - 1);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    static constexpr std::uint8_t any_protocols[] = {6, 17, 1, 6, 17, 6};
    std::uint64_t written = 0;
    while (written < count) {
        std::size_t ri = pick_rule(rng);
        const auto& r = rules[ri];
        std::uint32_t src = pick_in_prefix(r.src, rng), dst = pick_in_prefix(r.dst, rng);
        std::uint16_t sp = pick_in_range(r.sport, rng), dp = pick_in_range(r.dport, rng);
        std::uint8_t proto = r.proto_mask == 0xff ? r.proto : any_protocols[rng() % 6];
        // Pareto-distributed repeats: b * (U^(-1/a) - 1), at least one copy.
        double u = 1.0 - unit(rng);
        auto copies = static_cast<std::uint64_t>(1 + std::floor(pareto_b * (std::pow(u, -1.0 / pareto_a) - 1.0)));
        if (copies > 10000) copies = 10000;
        for (std::uint64_t c = 0; c < copies && written < count; ++c, ++written)
            out << src << '\t' << dst << '\t' << sp << '\t' << dp << '\t' << unsigned{proto} << "\t0\t" << (ri + 1) << '\n';
    }
    return out ? 0 : 1;
}
