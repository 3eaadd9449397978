#include "fwbench/replay_dataplane.hpp"

#include <rte_launch.h>
#include <rte_lcore.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "fwbench/capture.hpp"

namespace fwbench {

namespace {

std::uint64_t mix(std::uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

std::uint64_t addr_key(const IpAddr& a) {
    std::uint64_t k = 0;
    for (std::size_t i = 0; i < a.bytes.size(); ++i) k = mix(k ^ a.bytes[i] ^ (i << 8));
    return k;
}

// Union-find over flow keys, in the order they are first seen.
class FlowJoin {
public:
    std::uint32_t id(std::uint64_t key) {
        auto [it, added] = index_.try_emplace(key, static_cast<std::uint32_t>(parent_.size()));
        if (added) parent_.push_back(it->second);
        return it->second;
    }
    std::uint32_t find(std::uint32_t x) {
        while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
        return x;
    }
    void join(std::uint32_t a, std::uint32_t b) {
        a = find(a), b = find(b);
        if (a != b) parent_[std::max(a, b)] = std::min(a, b);  // the earliest key stays the root
    }

private:
    std::unordered_map<std::uint64_t, std::uint32_t> index_;
    std::vector<std::uint32_t> parent_;
};

// The ports conntrack keys a packet by: ICMP queries by their id, other port-less protocols by none.
std::pair<std::uint16_t, std::uint16_t> flow_ports(const Packet& p) {
    if (p.proto == proto::icmp) return {p.icmp_id, p.icmp_id};
    if (p.fragment || !p.l4_present) return {0, 0};
    return {p.sport, p.dport};
}

}  // namespace

std::uint64_t flow_key_of(const Packet& p) {
    auto [s, d] = flow_ports(p);
    return direction_free_flow_key(p.src, s, p.dst, d, p.proto);
}

std::uint64_t direction_free_flow_key(const IpAddr& a, std::uint16_t aport, const IpAddr& b, std::uint16_t bport, std::uint8_t proto) {
    std::uint64_t x = mix(addr_key(a) ^ aport), y = mix(addr_key(b) ^ bport);
    if (x > y) std::swap(x, y);
    return mix(x * 31 + y) ^ proto;
}

bool has_cross_flow_state(const Ruleset& rs) {
    for (const auto& t : rs.tables)
        for (const auto& c : t.chains)
            for (const auto& r : c.rules)
                for (const auto& m : r.matches)
                    if (is_stateful(m.spec)) return true;
    return false;
}

bool has_nat_targets(const Ruleset& rs) {
    for (const auto& t : rs.tables)
        for (const auto& c : t.chains)
            for (const auto& r : c.rules)
                for (const char* nat : {"SNAT", "DNAT", "MASQUERADE", "REDIRECT", "NETMAP"})
                    if (r.target && r.target->name == nat) return true;
    return false;
}

LoadedCapture load_capture(const PacketPath& path, const std::string& capture, const CaptureAnalysisOptions& opt,
                           const EngineOptions& engine_options) {
    LoadedCapture out;
    PathState st(path.ruleset(), engine_options, path.host().sysctl());
    CaptureAnalysis replay(path, st, opt);
    CaptureReader reader(capture);
    CaptureRecord rec;
    FlowJoin join;
    std::vector<std::uint32_t> keys;
    std::uint64_t first_ts = 0, last_ts = 0;
    const bool keep_bytes = path.reads_bytes();
    std::vector<std::uint8_t> arena;
    std::vector<std::pair<std::size_t, std::size_t>> spans;  // each kept packet's offset and length in the arena
    while (reader.next(rec)) {
        ++out.records;
        if (out.records == 1) first_ts = rec.timestamp_ns;
        last_ts = std::max(last_ts, rec.timestamp_ns);
        AnalyzedPacket rp = replay.feed(rec, false);
        if (rp.origin != CaptureOrigin::wire && rp.origin != CaptureOrigin::local) {
            ++out.not_processed[rp.origin == CaptureOrigin::forwarded_copy || rp.origin == CaptureOrigin::answer ? capture_origin_name(rp.origin)
                                                                                                                 : rp.reason];
            continue;
        }
        // Both tuples of a NATed packet, and the tuple an ICMP error quotes, are one flow.
        const std::uint32_t k = join.id(flow_key_of(rp.input));
        join.join(k, join.id(flow_key_of(rp.result.final_packet)));
        if (rp.input.icmp_quoted.present) {
            const auto& q = rp.input.icmp_quoted;
            join.join(k, join.id(direction_free_flow_key(q.src, q.sport, q.dst, q.dport, q.proto)));
        }
        keys.push_back(k);
        out.packets.push_back(rp.input);
        out.packets.back().bytes = {};  // the record's buffer is reused: pointed into the arena below
        if (keep_bytes) {
            spans.push_back({arena.size(), rp.input.bytes.size()});
            arena.insert(arena.end(), rp.input.bytes.begin(), rp.input.bytes.end());
        }
        out.origins.push_back(rp.path_origin);
    }
    if (keep_bytes) {
        auto kept = std::make_shared<const std::vector<std::uint8_t>>(std::move(arena));
        for (std::size_t i = 0; i < spans.size(); ++i) out.packets[i].bytes = std::span(kept->data() + spans[i].first, spans[i].second);
        out.bytes = std::move(kept);
    }
    out.truncated = reader.truncated();
    out.span_ns = last_ts - first_ts;
    std::unordered_map<std::uint32_t, std::uint32_t> dense;
    for (std::uint32_t k : keys) {
        auto [it, added] = dense.try_emplace(join.find(k), static_cast<std::uint32_t>(dense.size()));
        out.flows.push_back(it->second);
    }
    out.flow_count = static_cast<std::uint32_t>(dense.size());
    return out;
}

namespace {

struct alignas(64) WorkerShared {
    // Published after each burst, read by the progress line.
    std::atomic<std::uint64_t> packets{0}, dropped{0};
    std::atomic<bool> started{false}, ended{false};  // the worker has read its start time / returned
};

struct WorkerJob {
    const PacketPath* path = nullptr;
    const LoadedCapture* capture = nullptr;
    const ReplayOptions* opt = nullptr;
    // Its flows' packets, copied from the capture in capture order: the worker moves their time
    // on in place, pass after pass, and hands the path each one as it is (no copy per packet).
    std::vector<Packet> packets;
    std::vector<Origin> origins;
    std::unique_ptr<PathState> state;
    DatagramRewriter datagram;  // the state's view of its packets' bytes (-m string, -m u32)
    WorkerStats stats;
    WorkerShared* shared = nullptr;
    const std::atomic<bool>* stop = nullptr;
    std::chrono::steady_clock::time_point started, ended;
    std::string error;
};

int run_worker(WorkerJob& job) {
    try {
        const LoadedCapture& cap = *job.capture;
        const ReplayOptions& opt = *job.opt;
        const std::uint64_t pass_shift = cap.span_ns + 1000000000ull;
        PathResult result;
        std::uint64_t packets = 0, bytes = 0;
        std::uint64_t fates[fate_count] = {};
        constexpr std::size_t burst = 32;
        std::array<const Packet*, burst> in_burst{};
        const auto start = std::chrono::steady_clock::now();
        job.shared->started.store(true, std::memory_order_release);
        std::uint64_t pass = 0;
        for (;; ++pass) {
            if (opt.duration_s <= 0 && pass >= opt.repeat) break;
            if (job.stop->load(std::memory_order_relaxed)) break;
            const std::uint64_t shift = pass ? pass_shift : 0;
            for (std::size_t at = 0; at < job.packets.size(); at += burst) {
                const std::size_t end = std::min(job.packets.size(), at + burst);
                for (std::size_t i = at; i < end; ++i) {
                    if (i + 2 < end) __builtin_prefetch(&job.packets[i + 2]);
                    Packet& p = job.packets[i];
                    p.timestamp_ns += shift;
                    bytes += p.length;
                    in_burst[i - at] = &p;
                }
                if (!opt.null_path) {
                    const auto count_fate = [&](std::size_t, const PathResult& r) { ++fates[static_cast<std::size_t>(r.fate)]; };
                    if (!opt.bursts)
                        for (std::size_t i = at; i < end; ++i) {
                            job.path->process(job.packets[i], job.origins[i], *job.state, result, false);
                            count_fate(i, result);
                        }
                    else
                        job.path->process_burst(std::span(in_burst).first(end - at), std::span(job.origins).subspan(at, end - at), *job.state, result,
                                                count_fate);
                }
                packets += end - at;
                job.shared->packets.store(packets, std::memory_order_relaxed);
                job.shared->dropped.store(fates[static_cast<std::size_t>(Fate::dropped)] + fates[static_cast<std::size_t>(Fate::rejected)],
                                          std::memory_order_relaxed);
                if (opt.duration_s > 0 && job.stop->load(std::memory_order_relaxed)) break;
            }
        }
        const auto end = std::chrono::steady_clock::now();
        job.stats.seconds = std::chrono::duration<double>(end - start).count();
        job.started = start;
        job.ended = end;
        job.stats.packets = packets;
        job.stats.bytes = bytes;
        job.stats.passes = pass;
        std::copy(std::begin(fates), std::end(fates), job.stats.fates);
        job.stats.connections = job.state->conntrack.size();
    } catch (const std::exception& e) {
        job.error = e.what();
        return -1;
    }
    return 0;
}

int worker_main(void* arg) {
    auto& job = *static_cast<WorkerJob*>(arg);
    const int rc = run_worker(job);
    job.shared->ended.store(true, std::memory_order_release);
    return rc;
}

}  // namespace

ReplayResult run_replay(const PacketPath& path, const LoadedCapture& capture, const ReplayOptions& opt) {
    if (capture.packets.empty()) throw std::runtime_error("the capture has no packet the packet path processes: nothing to replay");
    if (opt.workers == 0) throw std::runtime_error("--workers must be at least 1");
    std::vector<unsigned> lcores;
    unsigned lcore;
    RTE_LCORE_FOREACH_WORKER(lcore) lcores.push_back(lcore);
    if (lcores.size() < opt.workers)
        throw std::runtime_error(std::to_string(opt.workers) + " workers need as many EAL worker lcores; EAL has " + std::to_string(lcores.size()) +
                                 " (fwbench gives EAL one per CPU unless --eal sets --lcores / -l)");

    std::atomic<bool> stop{false};
    // Before the jobs: their conntrack tables release their tuples into it as they go.
    std::unique_ptr<SharedTuples> tuples = opt.workers > 1 ? std::make_unique<SharedTuples>() : nullptr;
    std::vector<WorkerShared> shared(opt.workers);
    std::vector<WorkerJob> jobs(opt.workers);
    std::vector<std::uint64_t> flows_of(opt.workers, 0);
    for (unsigned w = 0; w < opt.workers; ++w) {
        jobs[w].path = &path;
        jobs[w].capture = &capture;
        jobs[w].opt = &opt;
        jobs[w].state = std::make_unique<PathState>(path.ruleset(), opt.engine, path.host().sysctl());
        jobs[w].state->flow_cache.enabled = opt.flow_cache;
        jobs[w].state->engine.datagram = &jobs[w].datagram;
        if (tuples) jobs[w].state->conntrack.share(tuples.get(), w);
        jobs[w].shared = &shared[w];
        jobs[w].stop = &stop;
        jobs[w].stats.lcore = lcores[w];
    }
    std::vector<unsigned> worker_of_flow(capture.flow_count);
    for (std::uint32_t f = 0; f < capture.flow_count; ++f) {
        worker_of_flow[f] = static_cast<unsigned>(mix(f + 0x9e3779b97f4a7c15ull) % opt.workers);
        ++flows_of[worker_of_flow[f]];
    }
    for (std::uint32_t i = 0; i < capture.packets.size(); ++i) {
        WorkerJob& job = jobs[worker_of_flow[capture.flows[i]]];
        job.packets.push_back(capture.packets[i]);
        job.origins.push_back(capture.origins[i]);
    }

    for (unsigned w = 0; w < opt.workers; ++w) {
        int rc = rte_eal_remote_launch(worker_main, &jobs[w], lcores[w]);
        if (rc != 0) {
            stop = true;
            for (unsigned v = 0; v < w; ++v) rte_eal_wait_lcore(lcores[v]);
            throw std::runtime_error("cannot launch a worker on lcore " + std::to_string(lcores[w]) + " (is it busy?)");
        }
    }
    // --duration counts from when the last worker started: every worker runs at least that long.
    for (unsigned w = 0; w < opt.workers; ++w)
        while (!shared[w].started.load(std::memory_order_acquire) && !shared[w].ended.load(std::memory_order_acquire)) std::this_thread::yield();
    const auto start = std::chrono::steady_clock::now();
    // The main lcore watches: progress once a second, the end of --duration.
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
    double next_report = 1.0, last_t = 0;
    std::uint64_t last_n = 0;
    // One figure a second: reserved up front, so that how long a run lasts does not decide how
    // many allocations it makes (a --repeat run of unknown length gets an hour's worth).
    std::vector<double> per_second_mpps;
    per_second_mpps.reserve(opt.duration_s > 0 ? static_cast<std::size_t>(opt.duration_s) + 2 : 3600);
    while (true) {
        bool running = false;
        for (unsigned w = 0; w < opt.workers; ++w) running = running || rte_eal_get_lcore_state(lcores[w]) != WAIT;
        if (!running) break;
        const double t = elapsed();
        if (opt.duration_s > 0 && t >= opt.duration_s) stop = true;
        if (t >= next_report) {  // each second's rate, for the spread; and the progress line
            std::uint64_t n = 0, dropped = 0;
            for (const auto& s : shared) {
                n += s.packets.load(std::memory_order_relaxed);
                dropped += s.dropped.load(std::memory_order_relaxed);
            }
            per_second_mpps.push_back(static_cast<double>(n - last_n) / (t - last_t) / 1e6);
            last_n = n;
            last_t = t;
            if (opt.progress) opt.progress(n, dropped, t);
            next_report += 1.0;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    std::string errors;
    for (unsigned w = 0; w < opt.workers; ++w) {
        rte_eal_wait_lcore(lcores[w]);
        if (!jobs[w].error.empty()) errors += (errors.empty() ? "" : "; ") + ("worker " + std::to_string(w) + ": " + jobs[w].error);
    }
    if (!errors.empty()) throw std::runtime_error(errors);

    ReplayResult res(path.ruleset());
    // Wall time from the first worker's start to the last one's end (the watcher polls, so its
    // own clock would add up to a poll interval).
    auto first = jobs[0].started, last = jobs[0].ended;
    for (const auto& j : jobs) first = std::min(first, j.started), last = std::max(last, j.ended);
    res.seconds = std::chrono::duration<double>(last - first).count();
    bool paced = false;  // the peers' ICMP buckets are per worker too
    for (const auto& j : jobs) paced = paced || j.state->icmp_peers.used();
    res.per_worker_state = opt.workers > 1 && (has_cross_flow_state(path.ruleset()) || paced);
    res.nat_across_workers = opt.workers > 1 && has_nat_targets(path.ruleset());
    if (tuples) res.shared_tuples = tuples->stats();
    res.per_second_mpps = std::move(per_second_mpps);
    for (unsigned w = 0; w < opt.workers; ++w) {
        jobs[w].stats.flows = flows_of[w];
        res.workers.push_back(jobs[w].stats);
        res.packets += jobs[w].stats.packets;
        res.bytes += jobs[w].stats.bytes;
        res.counters.add_counters(jobs[w].state->engine);
        res.flow_cache.add(jobs[w].state->flow_cache.stats);
    }
    return res;
}

}  // namespace fwbench
