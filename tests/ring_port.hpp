#pragma once
// Ring ports for tests of the port dataplane: net_ring devices whose rings a test fills and
// drains itself, and run_ports on the main lcore while a thread of the test feeds them.

#include <rte_eth_ring.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <chrono>
#include <functional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <iterator>
#include <memory>
#include <utility>
#include <vector>

#include "fwbench/capture.hpp"
#include "fwbench/packet_codec.hpp"
#include "fwbench/port_dataplane.hpp"
#include "fwbench/rss.hpp"
#include "router_workload.hpp"

namespace fwbench::test {

// A port on a receive and a transmit ring per queue (at most two), named uniquely.
struct RingPort {
    rte_ring* rx[2] = {};
    rte_ring* tx[2] = {};
    unsigned queues;
    std::string name;
    RingPort(const std::string& n, unsigned count) : queues(count), name("net_ring_" + n) {
        for (unsigned q = 0; q < queues; ++q) {
            rx[q] = rte_ring_create((n + "_rx" + std::to_string(q)).c_str(), 256, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
            tx[q] = rte_ring_create((n + "_tx" + std::to_string(q)).c_str(), 256, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
        }
        if (rte_eth_from_rings(n.c_str(), rx, queues, tx, queues, SOCKET_ID_ANY) < 0) throw std::runtime_error("cannot make ring port " + n);
    }
    unsigned sent() const { return rte_ring_count(tx[0]) + (queues > 1 ? rte_ring_count(tx[1]) : 0); }
    // The frames transmitted, as bytes, freeing their mbufs.
    std::multiset<std::string> take_sent() {
        std::multiset<std::string> out;
        for (unsigned q = 0; q < queues; ++q) {
            rte_ring* r = tx[q];
            void* m;
            while (rte_ring_sc_dequeue(r, &m) == 0) {
                auto* mb = static_cast<rte_mbuf*>(m);
                out.insert(std::string(rte_pktmbuf_mtod(mb, const char*), rte_pktmbuf_data_len(mb)));
                rte_pktmbuf_free(mb);
            }
        }
        return out;
    }
};

inline bool wait_for(const std::function<bool()>& done) {
    for (int i = 0; i < 5000 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return done();
}

// run_ports on this (the main) lcore while `feed` fills the ports from a thread of its own, and
// stops them once `feed` returns (it waits for what it fed to leave); an error of either is
// rethrown once both are done.
inline PortRunResult run_while_feeding(const PacketPath& path, PortRunOptions opt, const std::function<void()>& feed) {
    std::string feeder_error, run_error;
    std::atomic<bool> fed{false};
    opt.stop = &fed;
    std::thread feeder([&] {
        try {
            feed();
        } catch (const std::exception& e) {
            feeder_error = e.what();
        }
        fed.store(true, std::memory_order_release);
    });
    PortRunResult res(path.ruleset());
    try {
        res = run_ports(path, opt);
    } catch (const std::exception& e) {
        run_error = e.what();
    }
    fed.store(true, std::memory_order_release);
    feeder.join();
    if (!run_error.empty() || !feeder_error.empty()) throw std::runtime_error(run_error + feeder_error);
    return res;
}

// The router workload the lockstep tests run (PortQueues against one worker, KernelOraclePorts
// against the kernel): 300 flows, seed 12.
inline RouterWorkloadOptions lockstep_workload() {
    RouterWorkloadOptions wopt;
    wopt.flows = 300;
    wopt.seed = 12;
    return wopt;
}

// A frame arriving at the router from the wire, and its parse (for the queue RSS gives it).
struct Arrival {
    std::string iface;
    std::vector<std::uint8_t> frame;  // Ethernet
    Packet packet;
};

// The router workload's frames from the wire, in capture order (the router's own, recorded
// leaving, are left out: ports only receive).
inline std::vector<Arrival> router_workload_arrivals(const RouterWorkloadOptions& wopt) {
    std::vector<Arrival> arrivals;
    const std::vector<CaptureInterface> interfaces = router_capture_interfaces();
    generate_router_traffic(wopt, [&](const CaptureFrame& f) {
        if (f.direction == Direction::outbound) return;
        Arrival a{interfaces.at(f.interface).name, router_inbound_frame(f), {}};
        const LinkInfo link = decode_link(linktype::ethernet, a.frame.data(), a.frame.size());
        a.packet = parse_ipv4(a.frame.data() + link.l3_offset, a.frame.size() - link.l3_offset).packet;
        arrivals.push_back(std::move(a));
    });
    return arrivals;
}

struct SentFrame {
    std::string iface;
    std::string frame;  // Ethernet, as transmitted
};

struct LockstepRun {
    PortRunResult res;
    std::vector<std::vector<SentFrame>> left;  // by arrival: the frames that left because of it
};

// `arrivals` through ring ports named by `ifaces`, one ring per worker on each, each frame on the
// queue a NIC's symmetric RSS gives it, in lockstep: each frame once the one before is done (as a
// link's pace gives), so what leaves after it is its doing.
inline LockstepRun run_in_lockstep(const PacketPath& path, const std::vector<Arrival>& arrivals, const std::vector<std::string>& ifaces,
                                   unsigned workers, rte_mempool* pool, const std::string& tag) {
    std::vector<std::unique_ptr<RingPort>> ports;
    PortRunOptions opt;
    for (const std::string& iface : ifaces) {
        ports.push_back(std::make_unique<RingPort>(tag + std::to_string(workers) + iface, workers));
        opt.ports.push_back({ports.back()->name, iface});
    }
    std::atomic<std::uint64_t> done{0};
    opt.workers = workers;
    opt.frames_done = &done;
    LockstepRun out{PortRunResult(path.ruleset()), {}};
    out.res = run_while_feeding(path, opt, [&] {
        for (std::size_t i = 0; i < arrivals.size(); ++i) {
            const Arrival& a = arrivals[i];
            const auto at = std::find(ifaces.begin(), ifaces.end(), a.iface);
            if (at == ifaces.end()) throw std::runtime_error("arrival " + std::to_string(i) + " on " + a.iface + ", which has no port");
            RingPort& port = *ports[static_cast<std::size_t>(at - ifaces.begin())];
            rte_mbuf* m = rte_pktmbuf_alloc(pool);
            if (!m) throw std::runtime_error("mbuf pool empty at arrival " + std::to_string(i));
            std::memcpy(rte_pktmbuf_append(m, static_cast<std::uint16_t>(a.frame.size())), a.frame.data(), a.frame.size());
            if (rte_ring_sp_enqueue(port.rx[rss_queue(symmetric_rss_hash(a.packet), workers)], m) != 0) throw std::runtime_error("ring full");
            if (!wait_for([&] { return done.load(std::memory_order_acquire) == i + 1; }))
                throw std::runtime_error("arrival " + std::to_string(i) + " was not processed");
            out.left.emplace_back();
            for (std::size_t p = 0; p < ports.size(); ++p)
                for (const std::string& f : ports[p]->take_sent()) out.left.back().push_back({ifaces[p], f});
        }
    });
    for (std::size_t p = 0; p < ports.size(); ++p)
        if (ports[p]->sent()) throw std::runtime_error(ifaces[p] + ": frames left after the last arrival was done");
    return out;
}

}  // namespace fwbench::test
