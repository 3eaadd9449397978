// gen_classbench_scaled: a larger filter set in the shape of a given one, for the 100K-rule
// measurements (ClassBench's own db_generator and its seed files are not here).
//
// Each rule of the input is written `factor` times: first as it is, then as variants that keep
// its prefix lengths, port ranges and protocol and move each address prefix to a nearby one (a
// few random bits flipped among the last 8 bits of the prefix, so the set keeps its clustering:
// the same networks, more of their subnets). Variants follow their original, so priorities keep
// their order. Deterministic for a given --seed.
//
// --ipv6 writes the set in IPv6 (ClassBench-ng's IPv6 format), each rule carried over by
// classbench_to_ipv6: the IPv6 workloads of docs/compiled-engine.md (1K, 10K and 100K rules from
// acl1, fw1 and ipc1).

#include <cstdint>
#include <fstream>
#include <iostream>
#include <random>

#include <CLI/CLI.hpp>

#include "fwbench/classbench.hpp"
#include "fwbench/parse_error.hpp"

namespace {

std::string dotted(std::uint32_t a) {
    return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." + std::to_string((a >> 8) & 255) + "." + std::to_string(a & 255);
}

int prefix_len(const fwbench::IpPrefix& p) {
    std::uint32_t m = p.mask.v4_host();
    int n = 0;
    while (m & 0x80000000u) {
        ++n;
        m <<= 1;
    }
    return n;
}

std::uint32_t mask_of(int len) { return len == 0 ? 0 : ~0u << (32 - len); }

// The IPv4 prefix carried into IPv6 (classbench_to_ipv6), as text: ::/0 for any.
std::string ipv6_prefix(std::uint32_t addr, int len) {
    if (len == 0) return "::/0";
    return fwbench::format_ip(fwbench::classbench_ipv6_address(addr & mask_of(len))) + "/" + std::to_string(fwbench::classbench_ipv6_length(len));
}

// Flips one to three random bits among the last (up to) 8 bits of the prefix.
std::uint32_t nearby(std::uint32_t addr, int len, std::mt19937_64& rng) {
    if (len == 0) return addr;
    int window = len < 8 ? len : 8;
    int flips = 1 + static_cast<int>(rng() % 3);
    for (int i = 0; i < flips; ++i) addr ^= 1u << (32 - len + static_cast<int>(rng() % static_cast<unsigned>(window)));
    return addr;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Write a filter set `factor` times larger in the shape of a given ClassBench set"};
    std::string rules_path, out_path = "-";
    unsigned factor = 10;
    std::uint64_t seed = 1;
    bool ipv6 = false;
    app.add_option("rules", rules_path, "ClassBench filter set")->required();
    app.add_option("-x,--factor", factor, "rules per input rule")->check(CLI::Range(1u, 1000u));
    app.add_option("--seed", seed, "random seed");
    app.add_option("-o,--output", out_path, "output file (- for stdout)");
    app.add_flag("--ipv6", ipv6, "write the set in IPv6 (classbench_to_ipv6)");
    CLI11_PARSE(app, argc, argv);
    try {
        auto rules = fwbench::read_classbench_rules(rules_path);
        std::ofstream file;
        if (out_path != "-") {
            file.open(out_path);
            if (!file) throw std::runtime_error("cannot write " + out_path);
        }
        std::ostream& out = out_path == "-" ? std::cout : file;
        std::mt19937_64 rng(seed);
        char flags[32];
        for (const auto& r : rules) {
            const int sl = prefix_len(r.src), dl = prefix_len(r.dst);
            for (unsigned v = 0; v < factor; ++v) {
                std::uint32_t s = r.src.addr.v4_host(), d = r.dst.addr.v4_host();
                if (v) {
                    s = nearby(s, sl, rng);
                    d = nearby(d, dl, rng);
                }
                std::snprintf(flags, sizeof flags, "0x%02X/0x%02X", r.proto, r.proto_mask);
                if (ipv6) {
                    out << '@' << ipv6_prefix(s, sl) << '\t' << ipv6_prefix(d, dl);
                } else {
                    out << '@' << dotted(s) << '/' << sl << '\t' << dotted(d) << '/' << dl;
                }
                out << '\t' << r.sport.lo << " : " << r.sport.hi << '\t' << r.dport.lo << " : " << r.dport.hi << '\t' << flags << "\t0x0000/0x0000\n";
            }
        }
    } catch (const std::exception& e) {
        std::cerr << "gen_classbench_scaled: " << e.what() << '\n';
        return 2;
    }
    return 0;
}
