#include "fwbench/port_dataplane.hpp"

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_pause.h>
#include <rte_ring.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "fwbench/capture_analysis.hpp"
#include "fwbench/names.hpp"
#include "fwbench/packet_codec.hpp"
#include "fwbench/packet_source.hpp"
#include "fwbench/replay_dataplane.hpp"
#include "fwbench/rss.hpp"

namespace fwbench {

PortMap parse_port_map(const std::string& spec) {
    auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
        throw std::runtime_error("--port " + quoted_name(spec) + ": expected DEVICE=IFACE, e.g. 0=wan1 or net_pcap0=lan0");
    std::string iface = spec.substr(eq + 1);
    if (auto problem = interface_name_problem(iface); !problem.empty())
        throw std::runtime_error("--port " + quoted_name(spec) + ": " + quoted_name(iface) + " is " + problem);
    return {spec.substr(0, eq), iface};
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

// Receive queues: one per worker where the driver has them. A device whose queues are its inputs
// (net_pcap's rx_pcap= files, net_ring's rings) must have no more than workers poll: every one
// is read, or frames would sit unread.
std::uint16_t receive_queues(const OpenPort& p, const rte_eth_dev_info& info, unsigned workers) {
    const std::string driver = info.driver_name ? info.driver_name : "";
    const bool queues_are_inputs = driver == "net_pcap" || driver == "net_ring";
    if (queues_are_inputs && info.max_rx_queues > workers)
        throw std::runtime_error("port " + p.map.device + " (" + driver + ") has " + std::to_string(info.max_rx_queues) +
                                 " receive queues and --workers " + std::to_string(workers) + " polls " + std::to_string(workers) +
                                 ": give as many workers as queues (each polls one), or fewer inputs");
    return static_cast<std::uint16_t>(std::max<unsigned>(1, std::min<unsigned>(workers, info.max_rx_queues)));
}

struct Shared;

struct Worker {
    unsigned index = 0, lcore = 0;
    std::unique_ptr<PathState> state;
    std::unique_ptr<CaptureAnalysis> replay;
    rte_ring* ring = nullptr;  // frames other workers hand to this one (several workers)
    std::uint64_t fates[fate_count] = {};
    std::map<std::string, std::uint64_t, std::less<>> not_processed;  // looked up by name without a temporary string
    AnalyzedPacket analyzed;  // reused for every frame: no allocation per packet
    std::uint64_t forwarded_without_port = 0, rewrite_failed = 0, processed = 0, dropped = 0, reassembled_not_sent = 0;
    std::uint64_t answers_sent = 0, answers_without_port = 0, answers_not_built = 0;
    std::uint64_t fragmented = 0, fragments_sent = 0, not_fragmented = 0;
    std::uint8_t quoted[1600];  // the answered datagram as the kernel held it (an ICMP error quotes 548 bytes of it)
    std::vector<std::uint64_t> rx, tx, tx_failed;  // per port
    std::uint64_t handed_off = 0, handoff_full = 0;
    std::vector<std::uint8_t> scratch;
    // The steering's parse of the frame in hand (several workers), handed to the path when this
    // worker processes the frame itself: each frame is parsed once.
    ParsedDatagram parsed;
    bool has_parse = false;
    Shared* shared = nullptr;
    std::string error;
};

struct Shared {
    const PortRunOptions* opt = nullptr;
    std::vector<OpenPort>* ports = nullptr;
    std::vector<std::uint16_t> rx_queues;  // per port: queue q is polled by worker q
    std::vector<std::uint16_t> tx_queues;  // per port: queues configured (one per worker, or 1)
    std::vector<std::unique_ptr<std::mutex>> tx_locks;  // per port, when workers share queue 0
    int local_port = -1;
    unsigned workers = 1;
    SharedTuples* tuples = nullptr;  // several workers: every worker's connections' tuples
    std::vector<Worker>* all = nullptr;
    std::atomic<bool> stop{false};
    std::atomic<unsigned> polling{0};  // workers still polling their queues (and so handing frames over)
    std::atomic<std::uint64_t> rx_total{0}, last_rx_ns{0};
};

std::uint64_t now_ns() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

bool send_one(Shared& sh, Worker& w, std::size_t port, rte_mbuf* m) {
    const std::uint16_t id = (*sh.ports)[port].id;
    std::uint16_t sent;
    if (sh.tx_queues[port] >= sh.workers) {  // a queue of its own for every worker
        sent = rte_eth_tx_burst(id, static_cast<std::uint16_t>(w.index), &m, 1);
    } else {  // fewer queues than workers: all of them share queue 0, under its lock
        std::lock_guard<std::mutex> g(*sh.tx_locks[port]);
        sent = rte_eth_tx_burst(id, 0, &m, 1);
    }
    if (sent == 1) {
        ++w.tx[port];
        return true;
    }
    ++w.tx_failed[port];
    rte_pktmbuf_free(m);
    return false;
}

int port_of(const std::vector<OpenPort>& ports, std::string_view iface) {
    for (std::size_t q = 0; q < ports.size(); ++q)
        if (ports[q].map.iface == iface) return static_cast<int>(q);
    return -1;
}

// The answers the kernel sent because of frame `m` (still as received), each in an mbuf of its
// own out of its port.
void send_answers(Shared& sh, Worker& w, const rte_mbuf* m, const AnalyzedPacket& rp) {
    const auto& ports = *sh.ports;
    const auto* frame = rte_pktmbuf_mtod(m, const std::uint8_t*);
    const LinkInfo link = decode_link(linktype::ethernet, frame, rte_pktmbuf_data_len(m));
    for (const PathResult::Answer& a : rp.result.answers) {
        if (a.fate != Fate::sent) continue;
        const int out = port_of(ports, a.out_iface.view());
        if (out < 0) {
            ++w.answers_without_port;
            continue;
        }
        std::size_t quoted = 0;
        if (link.problem.empty() && m->nb_segs == 1) {
            quoted = std::min<std::size_t>(rte_pktmbuf_data_len(m) - link.l3_offset, sizeof w.quoted);
            std::memcpy(w.quoted, frame + link.l3_offset, quoted);
            // TEE's copy is the whole datagram as it left (TTL and DF as sent); an answer quotes
            // the datagram as the kernel held it, in at most 576 bytes.
            if (!(a.tee_copy ? write_tee_copy_ipv4(w.quoted, quoted, a.packet) : rewrite_ipv4(w.quoted, quoted, a.cause))) quoted = 0;
        }
        const bool copy = a.tee_copy && quoted;
        const std::size_t room = a.tee_copy ? quoted : 576;
        rte_mbuf* answer = rte_pktmbuf_alloc(m->pool);
        auto* bytes = answer ? reinterpret_cast<std::uint8_t*>(rte_pktmbuf_append(answer, static_cast<std::uint16_t>(14 + room))) : nullptr;
        std::size_t len = 0;
        if (bytes && copy) {
            std::memcpy(bytes + 14, w.quoted, quoted);
            len = quoted;
        } else if (bytes && quoted && !a.tee_copy) {
            len = write_answer_ipv4(a.packet, a.icmp_info, w.quoted, quoted, bytes + 14, 576);
        }
        if (!len) {
            ++w.answers_not_built;
            if (answer) rte_pktmbuf_free(answer);
            continue;
        }
        rte_pktmbuf_trim(answer, static_cast<std::uint16_t>(room - len));
        const bool back_to_sender = rp.input.has_mac && a.out_iface.view() == rp.iface;
        std::memcpy(bytes, back_to_sender ? rp.input.src_mac.bytes.data() : sh.opt->next_hop_mac.bytes.data(), 6);
        std::memcpy(bytes + 6, ports[static_cast<std::size_t>(out)].mac.bytes.data(), 6);
        bytes[12] = 0x08;
        bytes[13] = 0x00;
        if (send_one(sh, w, static_cast<std::size_t>(out), answer)) ++w.answers_sent;
    }
}

// ip_do_fragment: a forwarded datagram without DF larger than the way out's MTU leaves in pieces
// of at most that MTU (payloads in multiples of 8 bytes), each in an mbuf of its own behind the
// frame's (rewritten) Ethernet header; the original is freed. One with IP options is not cut
// (the kernel copies only some options into later fragments): counted, not sent.
void send_fragments(Shared& sh, Worker& w, std::size_t out, rte_mbuf* m, std::size_t l3, unsigned mtu) {
    const auto* frame = rte_pktmbuf_mtod(m, const std::uint8_t*);
    const std::uint8_t* ip = frame + l3;
    const std::size_t size = rte_pktmbuf_data_len(m) - l3, total = static_cast<std::size_t>(ip[2] << 8 | ip[3]);
    const std::size_t chunk = (mtu - 20) & ~std::size_t{7};
    bool cut = (ip[0] & 0x0f) == 5 && total <= size && total > 20 && chunk > 0;
    for (std::size_t from = 0; cut && from < total - 20; from += chunk) {
        const std::size_t n = std::min(chunk, total - 20 - from);
        rte_mbuf* piece = rte_pktmbuf_alloc(m->pool);
        auto* bytes = piece ? reinterpret_cast<std::uint8_t*>(rte_pktmbuf_append(piece, static_cast<std::uint16_t>(l3 + 20 + n))) : nullptr;
        if (!bytes || !write_ipv4_fragment(ip, size, from, n, bytes + l3, 20 + n)) {
            if (piece) rte_pktmbuf_free(piece);
            cut = false;
            break;
        }
        std::memcpy(bytes, frame, l3);
        if (send_one(sh, w, out, piece)) ++w.fragments_sent;
    }
    ++(cut ? w.fragmented : w.not_fragmented);
    rte_pktmbuf_free(m);
}

// One received frame (its metadata filled by its receiver) through the path, then out; `parsed`:
// its network layer as the steering parsed it, or null.
void process(Shared& sh, Worker& w, rte_mbuf* m, const ParsedDatagram* parsed = nullptr) {
    auto& ports = *sh.ports;
    const PortRunOptions& opt = *sh.opt;
    AnalyzedPacket& rp = w.analyzed;
    FrameView view = frame_view(m, w.scratch);
    view.parsed = parsed;
    w.replay->feed(view, rp, false);
    struct Done {  // whichever way the frame leaves this function
        std::atomic<std::uint64_t>* count;
        ~Done() {
            if (count) count->fetch_add(1, std::memory_order_release);
        }
    } done{opt.frames_done};
    ++w.processed;
    if (rp.origin != CaptureOrigin::wire && rp.origin != CaptureOrigin::local) {
        const std::string_view why = rp.reason.empty() ? std::string_view(capture_origin_name(rp.origin)) : std::string_view(rp.reason);
        auto it = w.not_processed.find(why);
        if (it == w.not_processed.end()) it = w.not_processed.emplace(std::string(why), 0).first;
        ++it->second;
        rte_pktmbuf_free(m);
        return;
    }
    const Fate fate = rp.result.fate;
    ++w.fates[static_cast<std::size_t>(fate)];
    if (!rp.result.answers.empty() && opt.forward) send_answers(sh, w, m, rp);
    if (fate == Fate::forwarded && opt.forward) {
        const int out = port_of(ports, rp.result.out_iface.view());
        if (out < 0) {
            ++w.forwarded_without_port;
            rte_pktmbuf_free(m);
            return;
        }
        if (rp.result.final_packet.frag_max_size) {  // reassembled: this frame holds only its last fragment
            ++w.reassembled_not_sent;
            rte_pktmbuf_free(m);
            return;
        }
        // In place: a chained frame is linearised first.
        if (m->nb_segs > 1 && rte_pktmbuf_linearize(m) != 0) {
            ++w.rewrite_failed;
            rte_pktmbuf_free(m);
            return;
        }
        LinkInfo link = decode_link(linktype::ethernet, rte_pktmbuf_mtod(m, const std::uint8_t*), rte_pktmbuf_data_len(m));
        const Packet& f = rp.result.final_packet;
        // TCPMSS's added option makes the datagram longer than the frame holds.
        const std::size_t room = rte_pktmbuf_data_len(m) - link.l3_offset;
        if (f.length > room && !rte_pktmbuf_append(m, static_cast<std::uint16_t>(f.length - room))) {
            ++w.rewrite_failed;
            rte_pktmbuf_free(m);
            return;
        }
        auto* bytes = rte_pktmbuf_mtod(m, std::uint8_t*);
        if (!rewrite_ipv4(bytes + link.l3_offset, rte_pktmbuf_data_len(m) - link.l3_offset, f)) {
            ++w.rewrite_failed;
            rte_pktmbuf_free(m);
            return;
        }
        std::memcpy(bytes, opt.next_hop_mac.bytes.data(), 6);
        std::memcpy(bytes + 6, ports[static_cast<std::size_t>(out)].mac.bytes.data(), 6);
        if (rp.result.out_mtu && f.length > rp.result.out_mtu && !f.df)
            return send_fragments(sh, w, static_cast<std::size_t>(out), m, link.l3_offset, rp.result.out_mtu);
        send_one(sh, w, static_cast<std::size_t>(out), m);
        return;
    }
    if (fate == Fate::delivered && opt.forward && sh.local_port >= 0) {
        send_one(sh, w, static_cast<std::size_t>(sh.local_port), m);
        return;
    }
    if (fate == Fate::dropped || fate == Fate::rejected) ++w.dropped;
    rte_pktmbuf_free(m);
}

// Which worker processes a frame that worker `w` received on port `pi`: the one whose
// connection holds its tuple (the receiver's own table first: no lock), else a new flow's
// receiver when the port gives every worker a queue (RSS keeps a flow's packets on one), else,
// from a port with fewer queues than workers, the queue a NIC's symmetric RSS would give it.
unsigned owner_of(Shared& sh, Worker& w, std::size_t pi, rte_mbuf* m, std::uint64_t now) {
    // Parsed as CaptureAnalysis::feed parses it (the same bytes and wire length), so the path
    // can take this parse as its own.
    w.has_parse = false;
    const FrameView v = frame_view(m, w.scratch);
    const LinkInfo link = decode_link(linktype::ethernet, v.data, v.caplen);
    if (link.problem.empty() && link.ethertype == 0x0800) {
        const std::size_t origlen = v.meta->origlen;
        w.parsed = parse_ipv4(v.data + link.l3_offset, v.caplen - link.l3_offset, origlen > link.l3_offset ? origlen - link.l3_offset : 0);
        w.has_parse = true;
    }
    if (w.has_parse && w.parsed.error == Malformation::none) {
        if (const auto tuple = Conntrack::lookup_tuple(w.parsed.packet)) {
            if (w.state->conntrack.holds(*tuple, now)) return w.index;
            if (auto owner = sh.tuples->owner(*tuple, now)) return *owner;
        }
    }
    if (sh.rx_queues[pi] >= sh.workers) return w.index;
    // As a NIC would spread it; a fragment by its addresses alone, so a datagram's stay together.
    return w.has_parse && w.parsed.error == Malformation::none ? rss_queue(symmetric_rss_hash(w.parsed.packet), sh.workers) : 0;
}

// The frames other workers handed to this one.
unsigned drain_handoffs(Shared& sh, Worker& w) {
    void* burst[32];
    const unsigned n = rte_ring_sc_dequeue_burst(w.ring, burst, 32, nullptr);
    for (unsigned i = 0; i < n; ++i) process(sh, w, static_cast<rte_mbuf*>(burst[i]));
    return n;
}

// Every worker: polls its queue of each port (queue `index`), processes the frames it owns and
// hands the others over; at the stop, it finishes what is handed to it once no worker polls.
int worker_main(void* arg) {
    Worker& w = *static_cast<Worker*>(arg);
    Shared& sh = *w.shared;
    bool polling = true;
    try {
        auto& ports = *sh.ports;
        const PortRunOptions& opt = *sh.opt;
        rte_mbuf* burst[32];
        while (!sh.stop.load(std::memory_order_relaxed)) {
            bool any = false;
            for (std::size_t pi = 0; pi < ports.size(); ++pi) {
                if (w.index >= sh.rx_queues[pi]) continue;
                const std::uint16_t n = rte_eth_rx_burst(ports[pi].id, static_cast<std::uint16_t>(w.index), burst, 32);
                if (!n) continue;
                any = true;
                const std::uint64_t now = now_ns();
                w.rx[pi] += n;
                std::uint64_t index = sh.rx_total.fetch_add(n, std::memory_order_relaxed);
                sh.last_rx_ns.store(now, std::memory_order_relaxed);
                if (opt.null_path) {
                    rte_pktmbuf_free_bulk(burst, n);
                    if (opt.frames_done) opt.frames_done->fetch_add(n, std::memory_order_release);
                    continue;
                }
                for (std::uint16_t i = 0; i < n; ++i) {
                    rte_mbuf* m = burst[i];
                    packet_meta(m) =
                        make_packet_meta(index++, now, rte_pktmbuf_pkt_len(m), linktype::ethernet, Direction::inbound, ports[pi].map.iface);
                    const unsigned owner = sh.workers > 1 ? owner_of(sh, w, pi, m, now) : w.index;
                    if (owner == w.index) {
                        process(sh, w, m, w.has_parse ? &w.parsed : nullptr);
                    } else if (rte_ring_mp_enqueue((*sh.all)[owner].ring, m) == 0) {
                        ++w.handed_off;
                    } else {
                        ++w.handoff_full;
                        rte_pktmbuf_free(m);
                        if (opt.frames_done) opt.frames_done->fetch_add(1, std::memory_order_release);
                    }
                }
            }
            if (w.ring && drain_handoffs(sh, w)) any = true;
            if (!any) rte_pause();
        }
        polling = false;
        sh.polling.fetch_sub(1);
        // Nothing is handed over once no worker polls: then an empty ring stays empty.
        while (w.ring) {
            const bool last = sh.polling.load() == 0;
            if (!drain_handoffs(sh, w)) {
                if (last) break;
                rte_pause();
            }
        }
    } catch (const std::exception& e) {
        w.error = e.what();
        sh.stop = true;
        if (polling) sh.polling.fetch_sub(1);
        return -1;
    }
    return 0;
}

}  // namespace

void close_all_ports() {
    std::uint16_t id;
    RTE_ETH_FOREACH_DEV(id) {
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
    std::vector<unsigned> lcores;
    {
        unsigned l;
        RTE_LCORE_FOREACH_WORKER(l) lcores.push_back(l);
    }
    const unsigned workers = std::max(1u, opt.workers);
    if (lcores.size() < workers)
        throw std::runtime_error(std::to_string(workers) + " workers need as many EAL worker lcores; EAL has " + std::to_string(lcores.size()) +
                                 " (fwbench gives EAL one per CPU unless --eal sets --lcores / -l)");

    static unsigned pools = 0;
    const unsigned pool_id = pools++;
    MbufPool pool("fwbench_ports" + std::to_string(pool_id), opt.mbufs);
    Shared sh;
    for (const auto& p : ports) {
        rte_eth_conf conf{};
        // The symmetric key (rss.hpp): both directions of a flow reach one queue. rte_eth_conf
        // wants it writable.
        std::array<std::uint8_t, 52> rss_key = symmetric_rss_key();
        rte_eth_dev_info info{};
        if (rte_eth_dev_info_get(p.id, &info) != 0) throw std::runtime_error("port " + p.map.device + ": cannot read its device info");
        // A TX queue per worker where the driver has them; else the workers share queue 0.
        const auto txq = static_cast<std::uint16_t>(std::max<unsigned>(1, std::min<unsigned>(workers, info.max_tx_queues)));
        const auto rxq = receive_queues(p, info, workers);
        if (rxq > 1 && info.flow_type_rss_offloads) {
            conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
            conf.rx_adv_conf.rss_conf.rss_key = rss_key.data();
            conf.rx_adv_conf.rss_conf.rss_key_len =
                static_cast<std::uint8_t>(std::min<std::size_t>(rss_key.size(), info.hash_key_size ? info.hash_key_size : 40));
            conf.rx_adv_conf.rss_conf.rss_hf = (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) & info.flow_type_rss_offloads;
        }
        int rc = rte_eth_dev_configure(p.id, rxq, txq, &conf);
        if (rc != 0) throw std::runtime_error("port " + p.map.device + " (" + info.driver_name + "): configure failed: " + rte_strerror(-rc));
        for (std::uint16_t q = 0; q < rxq; ++q) {
            rc = rte_eth_rx_queue_setup(p.id, q, 1024, static_cast<unsigned>(rte_eth_dev_socket_id(p.id)), nullptr, pool.get());
            if (rc != 0)
                throw std::runtime_error("port " + p.map.device + " (" + info.driver_name + "): RX queue setup failed: " + rte_strerror(-rc) +
                                         " (a pool of " + std::to_string(opt.mbufs) +
                                         " mbufs; net_pcap with infinite_rx needs one per packet of its file: raise --mbufs, and EAL's -m)");
        }
        for (std::uint16_t q = 0; q < txq; ++q) {
            rc = rte_eth_tx_queue_setup(p.id, q, 1024, static_cast<unsigned>(rte_eth_dev_socket_id(p.id)), nullptr);
            if (rc != 0) throw std::runtime_error("port " + p.map.device + ": TX queue setup failed: " + rte_strerror(-rc));
        }
        rc = rte_eth_dev_start(p.id);
        if (rc != 0) throw std::runtime_error("port " + p.map.device + ": start failed: " + rte_strerror(-rc));
        rte_eth_promiscuous_enable(p.id);  // not every driver has it; the ports still work
        rte_eth_stats_reset(p.id);
        sh.rx_queues.push_back(rxq);
        sh.tx_queues.push_back(txq);
        sh.tx_locks.push_back(std::make_unique<std::mutex>());
    }

    PortRunResult res(path.ruleset());
    for (const auto& p : ports) res.ports.push_back({p.map.device, p.map.iface, p.id});
    sh.opt = &opt;
    sh.ports = &ports;
    sh.local_port = local_port;
    sh.workers = workers;
    // Before the workers: their conntrack tables release their tuples into it as they go.
    std::unique_ptr<SharedTuples> tuples = workers > 1 ? std::make_unique<SharedTuples>() : nullptr;
    sh.tuples = tuples.get();
    sh.polling = workers;
    std::vector<Worker> all(workers);
    sh.all = &all;
    CaptureAnalysisOptions ropt;
    ropt.predict_copies = false;
    ropt.real_stack_answers = local_port >= 0;  // delivered packets reach a real stack behind --local
    struct RingFree {
        std::vector<rte_ring*> rings;
        ~RingFree() {
            for (auto* r : rings) rte_ring_free(r);
        }
    } rings;
    for (unsigned w = 0; w < workers; ++w) {
        Worker& k = all[w];
        k.index = w;
        k.lcore = lcores[w];
        k.shared = &sh;
        k.state = std::make_unique<PathState>(path.ruleset(), opt.engine, host.sysctl());
        k.state->flow_cache.enabled = opt.flow_cache;
        if (tuples) k.state->conntrack.share(tuples.get(), w);
        k.replay = std::make_unique<CaptureAnalysis>(path, *k.state, ropt);
        k.rx.assign(ports.size(), 0);
        k.tx.assign(ports.size(), 0);
        k.tx_failed.assign(ports.size(), 0);
        if (workers > 1) {  // any worker may hand frames to any other
            const std::string name = "fwbp" + std::to_string(pool_id) + "_" + std::to_string(w);
            k.ring = rte_ring_create(name.c_str(), 8192, SOCKET_ID_ANY, RING_F_SC_DEQ);
            if (!k.ring) throw std::runtime_error("cannot create the hand-off ring of worker " + std::to_string(w) + ": " + rte_strerror(rte_errno));
            rings.rings.push_back(k.ring);
        }
    }
    const auto start = std::chrono::steady_clock::now();
    sh.last_rx_ns = now_ns();
    for (unsigned w = workers; w-- > 0;) {
        if (rte_eal_remote_launch(worker_main, &all[w], all[w].lcore) != 0) {
            sh.stop = true;
            sh.polling -= w + 1;  // those not launched
            for (unsigned v = w + 1; v < workers; ++v) rte_eal_wait_lcore(all[v].lcore);
            throw std::runtime_error("cannot launch a port worker on lcore " + std::to_string(all[w].lcore));
        }
    }
    double next_report = 1.0;
    auto running = [&] {
        for (const auto& k : all)
            if (rte_eal_get_lcore_state(k.lcore) != WAIT) return true;
        return false;
    };
    while (running()) {
        const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (opt.duration_s > 0 && t >= opt.duration_s) sh.stop = true;
        if (opt.idle_stop_s > 0 && static_cast<double>(now_ns() - sh.last_rx_ns.load()) / 1e9 >= opt.idle_stop_s) sh.stop = true;
        if (opt.stop && opt.stop->load(std::memory_order_acquire)) sh.stop = true;
        if (opt.progress && t >= next_report) {
            std::uint64_t tx = 0, dropped = 0;  // read without synchronisation: a progress estimate
            for (const auto& k : all) {
                for (auto n : k.tx) tx += n;
                dropped += k.dropped;
            }
            opt.progress(sh.rx_total.load(), tx, dropped, t);
            next_report += 1.0;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    for (const auto& k : all) rte_eal_wait_lcore(k.lcore);
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (std::size_t i = 0; i < ports.size(); ++i) {
        rte_eth_stats st{};
        if (rte_eth_stats_get(ports[i].id, &st) == 0) {
            res.ports[i].imissed = st.imissed;
            res.ports[i].ierrors = st.ierrors;
        }
        rte_eth_dev_stop(ports[i].id);
    }
    std::string errors;
    for (const auto& k : all)
        if (!k.error.empty()) errors += (errors.empty() ? "" : "; ") + ("worker " + std::to_string(k.index) + ": " + k.error);
    if (!errors.empty()) throw std::runtime_error(errors);
    for (const auto& k : all) {
        for (std::size_t f = 0; f < fate_count; ++f) res.fates[f] += k.fates[f];
        for (const auto& [why, n] : k.not_processed) res.not_processed[why] += n;
        res.forwarded_without_port += k.forwarded_without_port;
        res.reassembled_not_sent += k.reassembled_not_sent;
        res.rewrite_failed += k.rewrite_failed;
        res.answers_sent += k.answers_sent;
        res.answers_without_port += k.answers_without_port;
        res.answers_not_built += k.answers_not_built;
        res.fragmented += k.fragmented;
        res.fragments_sent += k.fragments_sent;
        res.not_fragmented += k.not_fragmented;
        res.handed_off += k.handed_off;
        res.handoff_full += k.handoff_full;
        for (std::size_t i = 0; i < ports.size(); ++i) {
            res.ports[i].rx += k.rx[i];
            res.ports[i].tx += k.tx[i];
            res.ports[i].tx_failed += k.tx_failed[i];
        }
        res.counters.add_counters(k.state->engine);
        res.flow_cache.add(k.state->flow_cache.stats);
        res.workers.push_back({k.lcore, k.processed, k.state->conntrack.size()});
    }
    if (tuples) res.shared_tuples = tuples->stats();
    return res;
}

}  // namespace fwbench
