#pragma once
// The port dataplane: packets from DPDK ethdev ports — a NIC, net_af_packet or net_pcap on a
// kernel interface (live), net_pcap rx_pcap= (a file), net_ring, net_null — through the packet
// path, and, in forwarding mode, out of the port of their exit interface.
//
// Each port stands for one of the host's interfaces (`--port 0=wan1 --port net_pcap1=lan0`), so a
// frame received on it is exactly a captured frame inbound on that interface: the same decoding,
// origin and semantics (CaptureAnalysis, with no outbound-copy prediction, since a port only shows
// what arrives). Fates: forwarded packets are rewritten as the kernel sends them (addresses and
// ports after NAT, TTL - 1, TOS, IPv4 and transport checksums; the Ethernet source becomes the
// exit interface's MAC, the destination `next_hop_mac`, since fwbench keeps no neighbour table)
// and transmitted on the exit interface's port — counted as "no port" and freed when that
// interface has none; delivered packets are counted, or transmitted unchanged on the `local`
// port when one is named; dropped, rejected and queued ones are freed. So with net_pcap
// tx_pcap= ports, what comes out is a file a test can read.
//
// How: there is no distributor. Each worker lcore polls its own receive queue of every port
// (queue w for worker w: RSS with the symmetric key on NICs, so both directions of a flow reach
// one worker; for net_pcap, one rx_pcap= file per worker, which `split_capture` splits by the
// same hash) and owns the flows that arrive on it: its own PathState, no lock per packet. NAT
// breaks the symmetry — a masqueraded connection's replies carry another tuple, which the NIC
// hashes to any worker — so workers share their connections' tuples (SharedTuples): a frame whose
// tuple the receiving worker's table does not hold but another worker's connection does is handed
// to that worker through its ring (multi-producer), as VPP's NAT hands packets between threads.
// NAT's port search sees every worker's connections, so no two connections share a reply tuple
// and the kernel's port choice is kept (choosing ports by worker, as VPP does, would change the
// answer). A port with fewer queues than workers (a live net_pcap, net_af_packet) is polled by
// the first workers; its new flows go to the worker a hash of their direction-free tuple names.
// Counters are merged at the end. Each worker transmits on a TX queue of its own where the driver
// has enough, else the workers share queue 0 under a lock. The main lcore prints progress once a
// second and ends the run after `duration_s`, or once no port has delivered a packet for
// `idle_stop_s` (file-backed and test ports); a worker then finishes the frames handed to it.
// Ports are started with promiscuous mode asked for (not all drivers have it: ignored). Bad port
// names, ports that do not exist, interfaces the host does not have, ports that fail to start and
// net_pcap/net_ring ports with more inputs than workers are errors naming the port and what
// exists.
//
// What differs from the kernel with several workers (docs/dataplane.md): a fragmented datagram is
// reassembled by the worker its fragments reach (hashed on addresses alone, as a NIC does), whose
// table may not hold its connection; workers' rate-limit and ICMP-pacing state is their own.
//
// The kernel's own answers (REJECT's RST or ICMP error, time exceeded) leave by the port of the
// interface the model routed them to, built as the kernel writes them (write_answer_ipv4),
// to the sender's MAC when they go back out the port the cause came in on, else to the next hop.
//
// Not yet: IPv6 forwarding.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "fwbench/capture.hpp"
#include "fwbench/packet_path.hpp"
#include "fwbench/shared_tuples.hpp"

namespace fwbench {

struct PortMap {
    std::string device;  // an ethdev port id ("0") or name ("net_pcap0", "0000:3b:00.0")
    std::string iface;  // the host interface it stands for
};
// "DEVICE=IFACE"; throws std::runtime_error naming the spec when it is not that.
PortMap parse_port_map(const std::string& spec);

struct PortRunOptions {
    std::vector<PortMap> ports;
    std::string local_port;  // optional: a device that receives delivered packets
    bool forward = true;  // false: count fates only, transmit nothing
    bool null_path = false;  // receive and free only: the ports' and DPDK's own cost
    bool flow_cache = true;  // PathState::flow_cache.enabled for every worker
    unsigned mbufs = 8191;  // the dataplane's pool (net_pcap infinite_rx needs one per packet of its file)
    unsigned workers = 1;  // worker lcores, each polling its own queue of every port
    double duration_s = 0;  // > 0: stop after this long
    double idle_stop_s = 0;  // > 0: stop after this long without a received packet
    // Set to true: stop. A test that feeds ring ports stops them once it has seen what it fed
    // leave (an idle timeout would stop them early whenever the feeding thread is not scheduled).
    std::atomic<bool>* stop = nullptr;
    MacAddr next_hop_mac{{0x02, 0, 0, 0, 0, 0x01}};
    EngineOptions engine;
    std::function<void(std::uint64_t rx, std::uint64_t tx, std::uint64_t dropped, double seconds)> progress;
    // Counts each received frame once its worker is done with it (processed, or freed unprocessed):
    // a test that feeds ring ports a frame at a time waits on it, so that no frame is received
    // before the ones it depends on are processed (what a link's pace gives). Null: not counted.
    std::atomic<std::uint64_t>* frames_done = nullptr;
};

struct PortStats {
    std::string device, iface;
    std::uint16_t port_id = 0;
    std::uint64_t rx = 0, tx = 0, tx_failed = 0;
    std::uint64_t imissed = 0, ierrors = 0;  // the driver's own counts (rte_eth_stats)
};

struct PortRunResult {
    std::vector<PortStats> ports;
    std::uint64_t fates[fate_count] = {};
    std::map<std::string, std::uint64_t> not_processed;  // malformed, skipped (by reason)
    std::uint64_t forwarded_without_port = 0, rewrite_failed = 0;
    // Datagrams the path reassembled from fragments and forwarded: the port keeps no fragment's
    // bytes, so none is sent (freed, counted).
    std::uint64_t reassembled_not_sent = 0;
    std::uint64_t answers_sent = 0, answers_without_port = 0, answers_not_built = 0;  // the kernel's own answers
    // Forwarded datagrams cut to the way out's MTU (ip_fragment), the pieces sent, and those not
    // cut (IP options, no mbuf): not sent.
    std::uint64_t fragmented = 0, fragments_sent = 0, not_fragmented = 0;
    // Several workers: frames handed to the worker holding their connection, and those freed
    // because its ring was full; how the workers' connections met (SharedTuples).
    std::uint64_t handed_off = 0, handoff_full = 0;
    SharedTuples::Stats shared_tuples;
    struct Worker {
        unsigned lcore = 0;
        std::uint64_t packets = 0, connections = 0;
    };
    std::vector<Worker> workers;
    EngineState counters;
    FlowCacheStats flow_cache;  // every worker's added up
    double seconds = 0;
    explicit PortRunResult(const Ruleset& rs) : counters(rs, EngineOptions{}) {}
};

// Configures and starts the ports, runs until a stop condition, stops them (a tx_pcap file is
// complete once its port is closed: close_all_ports()).
PortRunResult run_ports(const PacketPath& path, const PortRunOptions& opt);

// Stops and closes every ethdev EAL probed, used or not (their drivers release what they hold
// and flush what they write: net_pcap's files and libpcap handles).
void close_all_ports();

}  // namespace fwbench
