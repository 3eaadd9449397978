#include "replay_run.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <algorithm>
#include <iomanip>
#include <iostream>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "fwbench/eal.hpp"
#include "fwbench/replay_dataplane.hpp"
#include "output.hpp"

namespace fwbench {

int run_replay_mode(const ReplayRunOptions& o) {
    if (o.repeat == 0 && o.duration_s <= 0) throw std::runtime_error("--repeat must be at least 1");
    auto ipsets = load_ipsets(o.sources);
    Host host = load_host(o.sources);
    Ruleset rs = load_ruleset(o.sources, ipsets ? &*ipsets : nullptr);
    ensure_eal(o.eal_args);
    PacketPath path(rs, host, ipsets ? &*ipsets : nullptr, make_engine(o, rs, host, ipsets ? &*ipsets : nullptr));
    EngineOptions eopt;
    eopt.seed = o.seed;
    CaptureAnalysisOptions copt;
    copt.iface = o.iface;
    copt.allow_unknown_interfaces = o.keep_going;

    auto t0 = std::chrono::steady_clock::now();
    LoadedCapture cap = load_capture(path, o.pcap, copt, eopt);
    const double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    ReplayOptions ropt;
    ropt.workers = o.workers;
    ropt.repeat = o.repeat;
    ropt.duration_s = o.duration_s;
    ropt.null_path = o.null_path;
    ropt.flow_cache = o.flow_cache;
    ropt.bursts = o.bursts;
    ropt.engine = eopt;
    const bool stdout_used = o.counters == "-" || o.json == "-" || o.list == "-";
    std::ostream& os = stdout_used ? std::cerr : std::cout;
    const bool live = !o.quiet && isatty(STDERR_FILENO);
    if (live)
        ropt.progress = [](std::uint64_t packets, std::uint64_t dropped, double s) {
            std::fprintf(stderr, "\r  %5.0f s  %14llu packets  %8.2f Mpps  %12llu dropped ", s, static_cast<unsigned long long>(packets),
                         static_cast<double>(packets) / s / 1e6, static_cast<unsigned long long>(dropped));
            std::fflush(stderr);
        };
    ReplayResult res = run_replay(path, cap, ropt);
    if (live) std::fprintf(stderr, "\n");

    const std::string engine_name = o.null_path ? std::string("none (--null-path)") : o.engine;
    auto mpps = [](std::uint64_t n, double s) { return s > 0 ? static_cast<double>(n) / s / 1e6 : 0.0; };
    write_counters(o, rs, res.counters);
    // min, median, max of the per-second rates (empty under a second).
    std::vector<double> spread;
    if (!res.per_second_mpps.empty()) {
        std::vector<double> r = res.per_second_mpps;
        std::sort(r.begin(), r.end());
        spread = {r.front(), r[r.size() / 2], r.back()};
    }
    if (res.seconds < 1.0)
        spdlog::warn(
            "the replay lasted {:.3f} s: too short for its rate to mean anything (start-up and caches weigh in); "
            "give --duration 5 or a larger --repeat",
            res.seconds);
    if (!o.json.empty()) {
        nlohmann::ordered_json j;
        j["rules"] = rs.source;
        j["capture"] = o.pcap;
        j["engine"] = engine_name;
        if (!o.null_path) j["bursts"] = o.bursts;
        if (!o.null_path) j["engine_details"] = stats_json(path.engine().stats());
        j["loaded"] = {{"records", cap.records},
                       {"packets", cap.packets.size()},
                       {"flows", cap.flow_count},
                       {"not_processed", cap.not_processed},
                       {"seconds", load_s}};
        j["workers"] = nlohmann::ordered_json::array();
        for (const auto& w : res.workers) {
            j["workers"].push_back({{"lcore", w.lcore},
                                    {"packets", w.packets},
                                    {"flows", w.flows},
                                    {"passes", w.passes},
                                    {"seconds", w.seconds},
                                    {"mpps", mpps(w.packets, w.seconds)},
                                    {"ns_per_packet", w.packets ? w.seconds * 1e9 / static_cast<double>(w.packets) : 0.0},
                                    {"fates", fates_json(w.fates)},
                                    {"connections", w.connections}});
        }
        j["packets"] = res.packets;
        j["bytes"] = res.bytes;
        j["seconds"] = res.seconds;
        j["mpps"] = mpps(res.packets, res.seconds);
        j["per_worker_state"] = res.per_worker_state;
        if (res.workers.size() > 1)
            j["shared_tuples"] = {{"nat_across_workers", res.nat_across_workers},
                                  {"claims", res.shared_tuples.claims},
                                  {"refused_claims", res.shared_tuples.refused_claims},
                                  {"taken_elsewhere", res.shared_tuples.taken_elsewhere}};
        j["per_second_mpps"] = res.per_second_mpps;
        if (!o.null_path) j["flow_cache"] = flow_cache_json(res.flow_cache, path, o.flow_cache);
        if (!spread.empty()) j["per_second_spread"] = {{"min", spread[0]}, {"median", spread[1]}, {"max", spread[2]}};
        Output out(o.json);
        out.stream() << j.dump(2) << '\n';
    }
    if (!o.quiet) {
        os << "fwbench replay: " << rs.source << " (" << rs.rule_count() << " rules, engine " << engine_name << ") on capture " << o.pcap << "\n";
        os << "  loaded once: " << cap.records << " records, " << cap.packets.size() << " for the packet path in " << cap.flow_count << " flows";
        for (const auto& [why, n] : cap.not_processed) os << ", " << n << " " << why;
        os << std::fixed << std::setprecision(2) << " (" << load_s << " s)\n";
        os << "  replayed " << res.packets << " packets by " << res.workers.size() << " worker" << (res.workers.size() > 1 ? "s" : "") << " in "
           << res.seconds << " s: " << mpps(res.packets, res.seconds) << " Mpps\n";
        if (!spread.empty())
            os << "  per second: " << std::setprecision(2) << spread[0] << " to " << spread[2] << " Mpps, median " << spread[1] << " ("
               << res.per_second_mpps.size() << " seconds)\n";
        for (std::size_t w = 0; w < res.workers.size(); ++w) {
            const WorkerStats& s = res.workers[w];
            os << "    worker " << w << " (lcore " << s.lcore << "): " << s.packets << " packets of " << s.flows << " flows, " << s.passes
               << " passes, " << std::setprecision(2) << mpps(s.packets, s.seconds) << " Mpps, " << std::setprecision(0)
               << (s.packets ? s.seconds * 1e9 / static_cast<double>(s.packets) : 0.0) << " ns/packet;" << fates_text(s.fates) << "\n";
        }
        if (!o.null_path) os << flow_cache_text(res.flow_cache, path, o.flow_cache, "  ");
        if (res.per_worker_state)
            os << "  note: the ruleset's rate/recent/nth/... matches or the host's ICMP rate limits (icmp_ratelimit, per peer) keep\n"
                  "        state across flows; each worker keeps its own (the kernel's is global), so counters can differ from one worker's\n";
        if (res.nat_across_workers)
            os << "  note: NAT binds against every worker's connections (" << res.shared_tuples.taken_elsewhere
               << " port searches met another worker's tuple), but workers run apart in capture time:\n"
                  "        where connections compete for a port, the binding can differ from capture order's, and a client's\n"
                  "        earlier mapping held by another worker is not offered (one worker gives capture order's answer)\n";
    }
    return 0;
}

}  // namespace fwbench
