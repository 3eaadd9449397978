#include "fwbench/port_dataplane.hpp"

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <thread>

#include "fwbench/capture_replay.hpp"
#include "fwbench/packet_codec.hpp"
#include "fwbench/packet_source.hpp"

namespace fwbench {

PortMap parse_port_map(const std::string& spec) {
    auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
        throw std::runtime_error("--port '" + spec + "': expected DEVICE=IFACE, e.g. 0=wan1 or net_pcap0=lan0");
    return {spec.substr(0, eq), spec.substr(eq + 1)};
}

namespace {

std::string port_list() {
    std::string out;
    std::uint16_t id;
    RTE_ETH_FOREACH_DEV(id) {
        char name[RTE_ETH_NAME_MAX_LEN] = {};
        rte_eth_dev_get_name_by_port(id, name);
        out += (out.empty() ? "" : ", ") + std::to_string(id) + " (" + name + ")";
    }
    return out.empty() ? "none (give devices with --eal, e.g. --vdev=net_pcap0,iface=eth0, or bind a NIC)" : out;
}

std::uint16_t find_port(const std::string& device) {
    std::uint16_t id = 0;
    bool numeric = !device.empty() && device.find_first_not_of("0123456789") == std::string::npos;
    if (numeric) {
        unsigned long v = std::stoul(device);
        if (v > RTE_MAX_ETHPORTS || !rte_eth_dev_is_valid_port(static_cast<std::uint16_t>(v)))
            throw std::runtime_error("port " + device + " does not exist; DPDK has: " + port_list());
        return static_cast<std::uint16_t>(v);
    }
    if (rte_eth_dev_get_port_by_name(device.c_str(), &id) != 0)
        throw std::runtime_error("port '" + device + "' does not exist; DPDK has: " + port_list());
    return id;
}

struct OpenPort {
    PortMap map;
    std::uint16_t id = 0;
    MacAddr mac;  // the host interface's (the source of frames it sends)
};

struct Job {
    const PacketPath* path = nullptr;
    const PortRunOptions* opt = nullptr;
    std::vector<OpenPort>* ports = nullptr;
    int local_port = -1;  // index into ports
    rte_mempool* pool = nullptr;
    PathState* state = nullptr;
    PortRunResult* result = nullptr;
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> rx{0}, tx{0}, dropped{0};
    std::atomic<std::uint64_t> last_rx_ns{0};
    std::string error;
};

std::uint64_t now_ns() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

// Sends one mbuf on a port (queue 0); frees it when the driver refuses.
bool send_one(std::uint16_t port, rte_mbuf* m) {
    if (rte_eth_tx_burst(port, 0, &m, 1) == 1) return true;
    rte_pktmbuf_free(m);
    return false;
}

int port_worker(void* arg) {
    Job& job = *static_cast<Job*>(arg);
    try {
        auto& ports = *job.ports;
        const PortRunOptions& opt = *job.opt;
        PortRunResult& res = *job.result;
        CaptureReplayOptions ropt;
        ropt.predict_copies = false;
        CaptureReplay replay(*job.path, *job.state, ropt);
        std::vector<std::uint8_t> scratch;
        std::uint64_t index = 0, rx = 0, tx = 0, dropped = 0;
        rte_mbuf* burst[32];
        while (!job.stop.load(std::memory_order_relaxed)) {
            bool any = false;
            for (std::size_t pi = 0; pi < ports.size(); ++pi) {
                const std::uint16_t n = rte_eth_rx_burst(ports[pi].id, 0, burst, 32);
                if (!n) continue;
                any = true;
                const std::uint64_t now = now_ns();
                if (opt.null_path) {
                    res.ports[pi].rx += n;
                    rte_pktmbuf_free_bulk(burst, n);
                    rx += n;
                    job.rx.store(rx, std::memory_order_relaxed);
                    job.last_rx_ns.store(now, std::memory_order_relaxed);
                    continue;
                }
                for (std::uint16_t i = 0; i < n; ++i) {
                    rte_mbuf* m = burst[i];
                    PacketMeta& meta = packet_meta(m);
                    meta = PacketMeta{};
                    meta.index = index++;
                    meta.timestamp_ns = now;
                    meta.origlen = rte_pktmbuf_pkt_len(m);
                    meta.link_type = linktype::ethernet;
                    meta.direction = Direction::inbound;
                    std::memcpy(meta.iface, ports[pi].map.iface.data(), std::min(ports[pi].map.iface.size(), sizeof meta.iface - 1));
                    ++res.ports[pi].rx;
                    ReplayedPacket rp = replay.feed(frame_view(m, scratch), false);
                    if (rp.origin != CaptureOrigin::wire && rp.origin != CaptureOrigin::local) {
                        ++res.not_processed[rp.reason.empty() ? capture_origin_name(rp.origin) : rp.reason];
                        rte_pktmbuf_free(m);
                        continue;
                    }
                    const Fate fate = rp.result.fate;
                    ++res.fates[static_cast<std::size_t>(fate)];
                    if (fate == Fate::forwarded && opt.forward) {
                        int out = -1;
                        for (std::size_t q = 0; q < ports.size(); ++q)
                            if (ports[q].map.iface == rp.result.out_iface) out = static_cast<int>(q);
                        if (out < 0) {
                            ++res.forwarded_without_port;
                            rte_pktmbuf_free(m);
                            continue;
                        }
                        // In place: the frame is one segment when it came from a port's pool
                        // (data room larger than the MTU); a chained frame is linearised first.
                        if (m->nb_segs > 1 && rte_pktmbuf_linearize(m) != 0) {
                            ++res.rewrite_failed;
                            rte_pktmbuf_free(m);
                            continue;
                        }
                        LinkInfo link = decode_link(linktype::ethernet, rte_pktmbuf_mtod(m, const std::uint8_t*), rte_pktmbuf_data_len(m));
                        auto* bytes = rte_pktmbuf_mtod(m, std::uint8_t*);
                        if (!rewrite_ipv4(bytes + link.l3_offset, rte_pktmbuf_data_len(m) - link.l3_offset, rp.result.final_packet)) {
                            ++res.rewrite_failed;
                            rte_pktmbuf_free(m);
                            continue;
                        }
                        std::memcpy(bytes, opt.next_hop_mac.bytes.data(), 6);
                        std::memcpy(bytes + 6, ports[static_cast<std::size_t>(out)].mac.bytes.data(), 6);
                        if (send_one(ports[static_cast<std::size_t>(out)].id, m)) {
                            ++res.ports[static_cast<std::size_t>(out)].tx;
                            ++tx;
                        } else {
                            ++res.ports[static_cast<std::size_t>(out)].tx_failed;
                        }
                        continue;
                    }
                    if (fate == Fate::delivered && opt.forward && job.local_port >= 0) {
                        auto lp = static_cast<std::size_t>(job.local_port);
                        if (send_one(ports[lp].id, m)) ++res.ports[lp].tx;
                        else ++res.ports[lp].tx_failed;
                        continue;
                    }
                    if (fate == Fate::dropped || fate == Fate::rejected) ++dropped;
                    rte_pktmbuf_free(m);
                }
                rx += n;
                job.rx.store(rx, std::memory_order_relaxed);
                job.tx.store(tx, std::memory_order_relaxed);
                job.dropped.store(dropped, std::memory_order_relaxed);
                job.last_rx_ns.store(now, std::memory_order_relaxed);
            }
            if (!any) rte_pause();
        }
    } catch (const std::exception& e) {
        job.error = e.what();
        return -1;
    }
    return 0;
}

}  // namespace

void close_ports(const std::vector<PortMap>& ports) {
    for (const auto& p : ports) {
        std::uint16_t id;
        try {
            id = find_port(p.device);
        } catch (const std::exception&) {
            continue;
        }
        rte_eth_dev_stop(id);
        rte_eth_dev_close(id);
    }
}

PortRunResult run_ports(const PacketPath& path, const PortRunOptions& opt) {
    if (opt.ports.empty()) throw std::runtime_error("no --port given");
    const Host& host = path.host();
    std::vector<OpenPort> ports;
    for (const auto& map : opt.ports) {
        const Interface* itf = host.interface(map.iface);
        if (!itf) throw std::runtime_error("--port " + map.device + "=" + map.iface + ": the host has no interface '" + map.iface + "'");
        OpenPort p{map, find_port(map.device), itf->mac.value_or(MacAddr{})};
        for (const auto& other : ports)
            if (other.id == p.id || other.map.iface == map.iface)
                throw std::runtime_error("--port " + map.device + "=" + map.iface + ": that port or interface is mapped twice");
        ports.push_back(p);
    }
    int local_port = -1;
    if (!opt.local_port.empty()) {
        const std::uint16_t id = find_port(opt.local_port);
        for (std::size_t i = 0; i < ports.size(); ++i)
            if (ports[i].id == id) local_port = static_cast<int>(i);
        if (local_port < 0) throw std::runtime_error("--local " + opt.local_port + ": map it to an interface with --port too");
    }
    unsigned worker = RTE_MAX_LCORE;
    {
        unsigned l;
        RTE_LCORE_FOREACH_WORKER(l) {
            worker = l;
            break;
        }
    }
    if (worker == RTE_MAX_LCORE) throw std::runtime_error("ports need an EAL worker lcore; EAL has none (check --eal's core list)");

    static unsigned pools = 0;
    MbufPool pool("fwbench_ports" + std::to_string(pools++), opt.mbufs);
    for (const auto& p : ports) {
        rte_eth_conf conf{};
        rte_eth_dev_info info{};
        if (rte_eth_dev_info_get(p.id, &info) != 0) throw std::runtime_error("port " + p.map.device + ": cannot read its device info");
        int rc = rte_eth_dev_configure(p.id, 1, 1, &conf);
        if (rc != 0) throw std::runtime_error("port " + p.map.device + " (" + info.driver_name + "): configure failed: " + rte_strerror(-rc));
        rc = rte_eth_rx_queue_setup(p.id, 0, 1024, static_cast<unsigned>(rte_eth_dev_socket_id(p.id)), nullptr, pool.get());
        if (rc != 0)
            throw std::runtime_error("port " + p.map.device + " (" + info.driver_name + "): RX queue setup failed: " + rte_strerror(-rc) +
                                     " (a pool of " + std::to_string(opt.mbufs) +
                                     " mbufs; net_pcap with infinite_rx needs one per packet of its file: raise --mbufs, and EAL's -m)");
        rc = rte_eth_tx_queue_setup(p.id, 0, 1024, static_cast<unsigned>(rte_eth_dev_socket_id(p.id)), nullptr);
        if (rc != 0) throw std::runtime_error("port " + p.map.device + ": TX queue setup failed: " + rte_strerror(-rc));
        rc = rte_eth_dev_start(p.id);
        if (rc != 0) throw std::runtime_error("port " + p.map.device + ": start failed: " + rte_strerror(-rc));
        rte_eth_promiscuous_enable(p.id);  // not every driver has it; the ports still work
        rte_eth_stats_reset(p.id);
    }

    PortRunResult res(path.ruleset());
    for (const auto& p : ports) res.ports.push_back({p.map.device, p.map.iface, p.id});
    PathState state(path.ruleset(), opt.engine, host.sysctl());
    Job job;
    job.path = &path;
    job.opt = &opt;
    job.ports = &ports;
    job.local_port = local_port;
    job.pool = pool.get();
    job.state = &state;
    job.result = &res;
    const auto start = std::chrono::steady_clock::now();
    job.last_rx_ns = now_ns();
    if (rte_eal_remote_launch(port_worker, &job, worker) != 0) throw std::runtime_error("cannot launch the port worker on lcore " + std::to_string(worker));
    double next_report = 1.0;
    while (rte_eal_get_lcore_state(worker) != WAIT) {
        const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (opt.duration_s > 0 && t >= opt.duration_s) job.stop = true;
        if (opt.idle_stop_s > 0 && static_cast<double>(now_ns() - job.last_rx_ns.load()) / 1e9 >= opt.idle_stop_s) job.stop = true;
        if (opt.progress && t >= next_report) {
            opt.progress(job.rx.load(), job.tx.load(), job.dropped.load(), t);
            next_report += 1.0;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    rte_eal_wait_lcore(worker);
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (std::size_t i = 0; i < ports.size(); ++i) {
        rte_eth_stats st{};
        if (rte_eth_stats_get(ports[i].id, &st) == 0) {
            res.ports[i].imissed = st.imissed;
            res.ports[i].ierrors = st.ierrors;
        }
        rte_eth_dev_stop(ports[i].id);
    }
    if (!job.error.empty()) throw std::runtime_error("port worker: " + job.error);
    res.counters.add_counters(state.engine);
    return res;
}

}  // namespace fwbench
