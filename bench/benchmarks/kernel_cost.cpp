// kernel_cost: what filtering costs the kernel per packet as rules grow, beside fwbench's
// engines on the same rulesets and packets, measured in one interleaved run
// (docs/kernel-oracle.md, "The kernel's matching cost").
//
// Method: a router namespace receives a UDP flood (sendmmsg, batches of 64) from its wan1 peer.
// veth runs the router's receive path inside the send, so the sending thread's CPU time is the
// packets' cost. Each configuration (N non-matching rules before the accepting one, per variant)
// is measured between two no-ruleset baselines in fresh namespaces; the cost above the
// baselines' mean is kept; configurations are shuffled in every repetition and the median of the
// repetitions reported. fwbench's engines — the linear reference, the compiled engine (its whole
// walk, counters included) and rte_acl (lookup on a prepared key) — classify the same packet
// against the same ruleset in the same repetition. Needs root.
//
// Output: a table, JSON (--json) and an SVG plot (--svg) of ns/packet against rule count; the
// headline is kernel/fwbench (linear and compiled) at 100, 1,000 and 10,000 rules.

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <random>
#include <sstream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "fwbench/acl_classifier.hpp"
#include "fwbench/classifier_factory.hpp"
#include "fwbench/eal.hpp"
#include "fwbench/kernel_oracle.hpp"
#include "fwbench/linear_engine.hpp"
#include "fwbench/packet_description.hpp"
#include "fwbench/ruleset_parser.hpp"

using namespace fwbench;

namespace {

const char* host_json = R"([
  {"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP"],"addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8}]},
  {"ifindex":2,"ifname":"wan1","flags":["BROADCAST","UP"],"address":"02:00:00:00:01:01",
   "addr_info":[{"family":"inet","local":"203.0.113.1","prefixlen":24}]}])";

std::string ruleset_text(const std::string& variant, int n) {
    std::ostringstream r;
    r << "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n";
    for (int i = 0; i < n; ++i) {
        if (variant.find("dport") != std::string::npos) r << "-A INPUT -p udp -m udp --dport " << (10000 + i % 50000) << " -j DROP\n";
        else r << "-A INPUT -s 10." << ((i >> 16) & 255) << "." << ((i >> 8) & 255) << "." << (i & 255) << "/32 -j DROP\n";
    }
    r << "-A INPUT -j ACCEPT\nCOMMIT\n";
    return r.str();
}

std::string nft_set_text(int n) {
    std::ostringstream r;
    r << "table ip cost {\n set s { type ipv4_addr;";
    if (n) {
        r << " elements = { ";
        for (int i = 0; i < n; ++i) r << (i ? ", " : "") << "10." << ((i >> 16) & 255) << "." << ((i >> 8) & 255) << "." << (i & 255);
        r << " }";
    }
    r << " }\n chain in { type filter hook input priority 0; policy accept; ip saddr @s drop\n }\n}\n";
    return r.str();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

std::string svg_plot(const std::vector<int>& sizes, const std::map<std::string, std::vector<double>>& series) {
    const double W = 760, H = 480, L = 70, R = 180, T = 30, B = 50;
    double ymax = 1;
    for (const auto& [name, ys] : series)
        for (double y : ys) ymax = std::max(ymax, y);
    auto x_of = [&](int n) { return L + (std::log10(std::max(n, 1)) / std::log10(std::max(sizes.back(), 10))) * (W - L - R); };
    auto y_of = [&](double y) { return H - B - (std::log10(std::max(y, 1.0)) / std::log10(ymax * 1.2)) * (H - T - B); };
    std::ostringstream s;
    s << "<svg xmlns='http://www.w3.org/2000/svg' width='" << W << "' height='" << H << "' font-family='sans-serif' font-size='12'>\n";
    s << "<rect width='100%' height='100%' fill='white'/>\n";
    s << "<line x1='" << L << "' y1='" << H - B << "' x2='" << W - R << "' y2='" << H - B << "' stroke='black'/>\n";
    s << "<line x1='" << L << "' y1='" << T << "' x2='" << L << "' y2='" << H - B << "' stroke='black'/>\n";
    for (int n : sizes) s << "<text x='" << x_of(n) << "' y='" << H - B + 18 << "' text-anchor='middle'>" << n << "</text>\n";
    for (double y = 1; y <= ymax * 1.2; y *= 10) s << "<text x='" << L - 8 << "' y='" << y_of(y) + 4 << "' text-anchor='end'>" << y << "</text>\n";
    s << "<text x='" << (L + W - R) / 2 << "' y='" << H - 10 << "' text-anchor='middle'>rules before the accepting one (log)</text>\n";
    s << "<text x='15' y='" << (T + H - B) / 2 << "' transform='rotate(-90 15 " << (T + H - B) / 2
      << ")' text-anchor='middle'>ns/packet above baseline (log)</text>\n";
    static const char* colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};
    int k = 0;
    for (const auto& [name, ys] : series) {
        const char* c = colors[k % 6];
        s << "<polyline fill='none' stroke='" << c << "' stroke-width='2' points='";
        for (std::size_t i = 0; i < sizes.size(); ++i) s << x_of(sizes[i]) << "," << y_of(ys[i]) << " ";
        s << "'/>\n<text x='" << W - R + 10 << "' y='" << T + 20 + 18 * k << "' fill='" << c << "'>" << name << "</text>\n";
        ++k;
    }
    s << "</svg>\n";
    return s.str();
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"kernel_cost: the kernel's per-packet filtering cost against rule count, beside fwbench's engines"};
    std::vector<int> sizes = {0, 10, 100, 1000, 10000};
    std::vector<std::string> variants = {"legacy", "nft", "nftset"};
    int reps = 5;
    std::size_t packets = 10000;
    std::string json_path, svg_path;
    app.add_option("--sizes", sizes, "rule counts")->delimiter(',');
    app.add_option("--variants", variants, "legacy, nft, nftset, legacy-dport, nft-dport")->delimiter(',');
    app.add_option("--reps", reps, "repetitions (median reported)");
    app.add_option("--packets", packets, "packets per measurement");
    app.add_option("--json", json_path, "write the figures as JSON");
    app.add_option("--svg", svg_path, "write the plot as SVG");
    CLI11_PARSE(app, argc, argv);
    ensure_eal();  // rte_acl allocates from DPDK memory

    std::string why;
    if (!KernelOracle::available(&why)) {
        std::cerr << "kernel_cost: cannot run: " << why << "\n";
        return 2;
    }
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 1 : 0, &set);
    sched_setaffinity(0, sizeof set, &set);

    Host host = Host::from_json(host_json, "kernel_cost host");
    Packet pkt = parse_packet_description("udp 198.51.100.7:40000 > 203.0.113.1:9 in wan1 len=64").packet;
    Ruleset empty;
    auto kernel_ns = [&](const std::string& variant, int n) {
        bool legacy = variant.rfind("legacy", 0) == 0;
        Ruleset rs = variant == "nftset" || variant == "baseline" ? empty : parse_ruleset(ruleset_text(variant, n), {});
        KernelOracle kr(host, rs, KernelOracleOptions{legacy, {}});
        if (variant == "nftset") kr.load_nft(nft_set_text(n));
        kr.flood(pkt, 2000);  // warm caches, neighbour and route entries
        return static_cast<double>(kr.flood(pkt, packets)) / static_cast<double>(packets);
    };
    // fwbench's engines on the same ruleset and packet, each through the Classifier interface
    // in bursts of 64: the whole job (keys, lookup, counters) for every engine.
    auto fwbench_ns = [&](const std::string& kind, int n, const std::string& engine) {
        Ruleset rs = parse_ruleset(ruleset_text(kind, n), {});
        BasicHostView hv;
        EngineState st(rs, EngineOptions{});
        std::size_t count = engine == "linear" ? std::max<std::size_t>(200, packets / std::max(1, n / 100)) : packets;
        std::unique_ptr<Classifier> classifier = make_classifier(engine, rs, hv);
        if (const auto* acl = dynamic_cast<const AclClassifier*>(classifier.get()))
            if (auto why = acl->why_on_reference(0, Hook::input)) throw std::runtime_error("kernel_cost: rte_acl cannot take the ruleset: " + *why);
        constexpr std::size_t burst = 64;
        Packet copies[burst];
        Packet* ptrs[burst];
        WalkResult walks[burst];
        for (std::size_t i = 0; i < burst; ++i) ptrs[i] = &copies[i];
        auto t0 = std::chrono::steady_clock::now();
        for (std::size_t i = 0; i < count; i += burst) {
            for (auto& c : copies) c = pkt;
            classifier->run_burst(0, Hook::input, ptrs, burst, st, walks);
        }
        std::size_t done = (count + burst - 1) / burst * burst;
        return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() / static_cast<double>(done);
    };

    std::map<std::string, std::map<int, std::vector<double>>> samples;
    std::mt19937 rng(1);
    std::vector<std::pair<std::string, int>> configs;
    for (const auto& v : variants)
        for (int n : sizes) configs.push_back({v, n});
    for (int rep = 0; rep < reps; ++rep) {
        std::shuffle(configs.begin(), configs.end(), rng);
        for (const auto& [v, n] : configs) {
            double before = kernel_ns("baseline", 0);
            double cost = kernel_ns(v, n);
            double after = kernel_ns("baseline", 0);
            samples["kernel " + v][n].push_back(cost - (before + after) / 2);
            samples["baseline"][0].push_back((before + after) / 2);
            std::cerr << "\rrep " << rep + 1 << "/" << reps << "  " << v << " " << n << "            " << std::flush;
        }
        for (int n : sizes) {
            bool dport = std::any_of(variants.begin(), variants.end(), [](const std::string& v) { return v.find("dport") != std::string::npos; });
            for (const char* engine : {"linear", "compiled", "acl"}) {
                samples[std::string("fwbench ") + engine + " -s"][n].push_back(fwbench_ns("addr", n, engine));
                if (dport) samples[std::string("fwbench ") + engine + " --dport"][n].push_back(fwbench_ns("dport", n, engine));
            }
        }
    }
    std::cerr << "\r" << std::string(60, ' ') << "\r";

    std::map<std::string, std::vector<double>> series;
    for (const auto& [name, by_n] : samples) {
        if (name == "baseline") continue;
        for (int n : sizes) series[name].push_back(median(by_n.at(n)));
    }
    double baseline = median(samples["baseline"][0]);
    std::cout << "kernel path baseline (no ruleset): " << std::fixed << std::setprecision(0) << baseline << " ns/packet\n";
    std::cout << std::left << std::setw(8) << "rules";
    for (const auto& [name, ys] : series) std::cout << std::right << std::setw(22) << name;
    std::cout << "\n";
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        std::cout << std::left << std::setw(8) << sizes[i];
        for (const auto& [name, ys] : series) std::cout << std::right << std::setw(22) << std::setprecision(0) << ys[i];
        std::cout << "\n";
    }
    nlohmann::ordered_json j;
    j["method"] = "UDP sendmmsg flood into a router namespace; sender thread CPU time minus paired no-ruleset baselines; median of reps";
    j["packets_per_measurement"] = packets;
    j["reps"] = reps;
    j["baseline_ns_per_packet"] = baseline;
    j["sizes"] = sizes;
    j["ns_per_packet_above_baseline"] = series;
    std::cout << "kernel/fwbench (same rules, same packet):\n";
    for (const char* engine : {"linear", "compiled"}) {
        const auto& fw = series[std::string("fwbench ") + engine + " -s"];
        for (std::size_t i = 0; i < sizes.size(); ++i) {
            if (sizes[i] != 100 && sizes[i] != 1000 && sizes[i] != 10000) continue;
            std::cout << "  fwbench " << engine << ", " << sizes[i] << " rules:";
            for (const char* k : {"kernel legacy", "kernel nft", "kernel nftset"}) {
                auto it = series.find(k);
                if (it == series.end() || fw[i] <= 0) continue;
                double ratio = it->second[i] / fw[i];
                std::cout << "  " << k << " " << std::setprecision(2) << ratio;
                j[std::string("ratio_kernel_over_fwbench_") + engine][k][std::to_string(sizes[i])] = ratio;
            }
            std::cout << "\n";
        }
    }
    if (!json_path.empty()) std::ofstream(json_path) << j.dump(2) << "\n";
    if (!svg_path.empty()) std::ofstream(svg_path) << svg_plot(sizes, series);
    return 0;
}
