#include "port_run.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <iomanip>
#include <iostream>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "fwbench/capture.hpp"
#include "fwbench/eal.hpp"
#include "fwbench/port_dataplane.hpp"
#include "output.hpp"

namespace fwbench {

namespace {

// net_pcap with infinite_rx=1 loads its whole rx_pcap file into mbufs at queue setup, one per
// packet (of each of its files): the pool must hold them all besides what the rings and bursts take. Counted from the
// --vdev arguments, so the guide's command works as written (docs/nic-testing.md).
std::uint64_t mbufs_for_infinite_rx(const std::vector<std::string>& eal_args) {
    std::uint64_t records = 0;
    for (const auto& a : eal_args) {
        if (a.rfind("--vdev=net_pcap", 0) != 0 || a.find("infinite_rx=1") == std::string::npos) continue;
        // Every rx_pcap= of the device: one file per receive queue (split_capture's).
        for (auto at = a.find("rx_pcap="); at != std::string::npos; at = a.find("rx_pcap=", at + 8)) {
            const auto end = a.find(',', at);
            CaptureReader reader(a.substr(at + 8, end == std::string::npos ? std::string::npos : end - at - 8));
            CaptureRecord rec;
            while (reader.next(rec)) ++records;
        }
    }
    return records;
}

bool gives_memory(const std::vector<std::string>& eal_args) {
    for (const auto& a : eal_args)
        if (a == "-m" || a.rfind("--socket-mem", 0) == 0 || (a.rfind("-m", 0) == 0 && a.size() > 2)) return true;
    return false;
}

}  // namespace

int run_port_mode(const PortRunCli& o) {
    auto ipsets = load_ipsets(o.sources);
    Host host = load_host(o.sources);
    Ruleset rs = load_ruleset(o.sources, ipsets ? &*ipsets : nullptr);
    unsigned mbufs = o.mbufs;
    std::vector<std::string> eal_args = o.eal_args;
    if (const std::uint64_t held = mbufs_for_infinite_rx(eal_args)) {
        const std::uint64_t want = held + o.mbufs;
        if (want > 16u << 20)
            throw std::runtime_error("net_pcap infinite_rx files hold " + std::to_string(held) + " packets: too many to hold in mbufs");
        mbufs = static_cast<unsigned>(want);
        // About 2.5 KB an mbuf with its data room; EAL's default 256 MB is fwbench's.
        const std::uint64_t mb = 128 + want * 2560 / (1 << 20) * 3 / 2;
        if (!gives_memory(eal_args) && mb > 256) {
            eal_args.push_back("-m");
            eal_args.push_back(std::to_string(mb));
        }
        spdlog::info("net_pcap infinite_rx holds {} packets: a pool of {} mbufs", held, mbufs);
    }
    ensure_eal(eal_args);
    // Whatever happens from here, the devices EAL probed are closed on the way out (net_pcap
    // flushes its files; nothing is left open). Closing twice is harmless: a closed port is gone.
    struct ClosePorts {
        ~ClosePorts() { close_all_ports(); }
    } close_on_exit;
    PacketPath path(rs, host, ipsets ? &*ipsets : nullptr, make_engine(o, rs, host, ipsets ? &*ipsets : nullptr));
    PortRunOptions opt;
    for (const auto& spec : o.ports) opt.ports.push_back(parse_port_map(spec));
    opt.local_port = o.local_port;
    opt.forward = !o.no_forward;
    opt.null_path = o.null_path;
    opt.flow_cache = o.flow_cache;
    opt.mbufs = mbufs;
    opt.workers = o.workers;
    opt.duration_s = o.duration_s;
    opt.idle_stop_s = o.idle_stop_s;
    opt.engine.seed = o.seed;
    const bool live = !o.quiet && isatty(STDERR_FILENO);
    if (live)
        opt.progress = [](std::uint64_t rx, std::uint64_t tx, std::uint64_t dropped, double s) {
            std::fprintf(stderr, "\r  %5.0f s  rx %12llu  tx %12llu  dropped %12llu  %8.3f Mpps ", s, static_cast<unsigned long long>(rx),
                         static_cast<unsigned long long>(tx), static_cast<unsigned long long>(dropped), static_cast<double>(rx) / s / 1e6);
            std::fflush(stderr);
        };
    PortRunResult res = run_ports(path, opt);
    close_all_ports();  // now: the tx files are complete before the summary says so
    if (live) std::fprintf(stderr, "\n");
    std::uint64_t rx = 0, tx = 0;
    for (const auto& p : res.ports) rx += p.rx, tx += p.tx;
    write_counters(o, rs, res.counters);
    if (!o.json.empty()) {
        nlohmann::ordered_json j;
        j["rules"] = rs.source;
        j["seconds"] = res.seconds;
        j["ports"] = nlohmann::ordered_json::array();
        for (const auto& p : res.ports)
            j["ports"].push_back({{"device", p.device},
                                  {"iface", p.iface},
                                  {"port_id", p.port_id},
                                  {"rx", p.rx},
                                  {"tx", p.tx},
                                  {"tx_failed", p.tx_failed},
                                  {"imissed", p.imissed},
                                  {"ierrors", p.ierrors}});
        j["fates"] = fates_json(res.fates);
        j["not_processed"] = res.not_processed;
        j["forwarded_without_port"] = res.forwarded_without_port;
        j["reassembled_not_sent"] = res.reassembled_not_sent;
        j["rewrite_failed"] = res.rewrite_failed;
        j["answers"] = {{"sent", res.answers_sent}, {"without_port", res.answers_without_port}, {"not_built", res.answers_not_built}};
        j["fragmentation"] = {{"datagrams", res.fragmented}, {"fragments_sent", res.fragments_sent}, {"not_fragmented", res.not_fragmented}};
        j["handed_off"] = res.handed_off;
        j["handoff_full"] = res.handoff_full;
        if (res.workers.size() > 1)
            j["shared_tuples"] = {{"claims", res.shared_tuples.claims},
                                  {"refused_claims", res.shared_tuples.refused_claims},
                                  {"taken_elsewhere", res.shared_tuples.taken_elsewhere}};
        j["workers"] = nlohmann::ordered_json::array();
        for (const auto& w : res.workers) j["workers"].push_back({{"lcore", w.lcore}, {"packets", w.packets}, {"connections", w.connections}});
        j["rx"] = rx;
        j["mpps"] = res.seconds > 0 ? static_cast<double>(rx) / res.seconds / 1e6 : 0.0;
        j["tx"] = tx;
        if (!o.null_path) j["flow_cache"] = flow_cache_json(res.flow_cache, path, o.flow_cache);
        Output out(o.json);
        out.stream() << j.dump(2) << '\n';
    }
    if (!o.quiet) {
        std::ostream& os = (o.counters == "-" || o.json == "-" || o.list == "-") ? std::cerr : std::cout;
        os << "fwbench ports: " << rs.source << " (" << rs.rule_count() << " rules), " << res.ports.size() << " ports, " << std::fixed
           << std::setprecision(2) << res.seconds << " s\n";
        for (const auto& p : res.ports)
            os << "    " << p.device << " = " << p.iface << ": rx " << p.rx << ", tx " << p.tx
               << (p.tx_failed ? ", tx refused " + std::to_string(p.tx_failed) : "")
               << (p.imissed ? ", missed by the driver " + std::to_string(p.imissed) : "") << "\n";
        os << "  received " << rx << " packets: " << std::setprecision(3) << (res.seconds > 0 ? static_cast<double>(rx) / res.seconds / 1e6 : 0.0)
           << " Mpps" << (o.null_path ? " (--null-path: received and freed only)" : "") << "\n";
        for (std::size_t w = 0; w < res.workers.size(); ++w)
            os << "    worker " << w << " (lcore " << res.workers[w].lcore << "): " << res.workers[w].packets << " packets, "
               << res.workers[w].connections << " connections\n";
        if (res.workers.size() > 1)
            os << "  " << res.handed_off << " frames handed to the worker holding their connection (NAT's replies hash elsewhere); "
               << res.shared_tuples.taken_elsewhere << " NAT port searches met another worker's connection\n";
        if (res.handoff_full) os << "  " << res.handoff_full << " frames freed: a worker's hand-off ring was full\n";
        os << "  fates:" << fates_text(res.fates) << "\n";
        if (!o.null_path) os << flow_cache_text(res.flow_cache, path, o.flow_cache, "  ");
        for (const auto& [why, n] : res.not_processed) os << "  not processed: " << n << " " << why << "\n";
        if (res.reassembled_not_sent)
            os << "  " << res.reassembled_not_sent
               << " datagrams reassembled from fragments and forwarded were not sent: the port dataplane keeps no fragment's bytes (freed)\n";
        if (res.forwarded_without_port)
            os << "  " << res.forwarded_without_port << " forwarded packets left through an interface without a port (freed)\n";
        if (res.rewrite_failed) os << "  " << res.rewrite_failed << " forwarded packets could not be rewritten (freed)\n";
        if (res.answers_sent) os << "  " << res.answers_sent << " answers the kernel sends itself (REJECT, time exceeded) sent out of their ports\n";
        if (res.answers_without_port)
            os << "  " << res.answers_without_port << " of the kernel's answers left through an interface without a port (not sent)\n";
        if (res.fragmented)
            os << "  " << res.fragmented << " forwarded datagrams were larger than the way out's MTU: sent in " << res.fragments_sent
               << " fragments\n";
        if (res.not_fragmented)
            os << "  " << res.not_fragmented
               << " forwarded datagrams larger than the way out's MTU could not be cut (IP options, no mbuf): not sent\n";
        if (res.answers_not_built)
            os << "  " << res.answers_not_built << " of the kernel's answers could not be built (no mbuf, or a chained frame)\n";
    }
    return 0;
}

}  // namespace fwbench
