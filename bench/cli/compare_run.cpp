#include "compare_run.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "explain.hpp"
#include "fwbench/capture.hpp"
#include "fwbench/capture_analysis.hpp"
#include "fwbench/packet_description.hpp"
#include "fwbench/compiled_engine.hpp"
#include "fwbench/kernel_oracle.hpp"
#include "fwbench/layout_equivalence.hpp"
#include "fwbench/packet_path.hpp"
#include "rule_traffic.hpp"
#include "sources.hpp"
#include "fwbench/walk_cost.hpp"

namespace fwbench {

namespace {

// What a layout did with one packet, in the terms compare holds two layouts to.
struct Outcome {
    Fate fate = Fate::dropped;
    DropReason reason = DropReason::none;
    std::string way_out;  // the device it left by
    std::string after_nat;  // its addresses and ports as delivered or sent
    std::uint32_t mark = 0;
    std::string answers;  // what the kernel sent for it, in order
    std::string copies;  // TEE's copies of it: where each went, in order
};

std::string endpoint_text(const IpAddr& a, std::uint16_t port, std::uint8_t proto) {
    return proto_has_ports(proto) ? format_endpoint(a, port) : format_ip(a);
}

Outcome outcome_of(const PathResult& r) {
    Outcome o;
    o.fate = r.fate;
    o.reason = r.fate == Fate::dropped || r.fate == Fate::rejected ? r.reason : DropReason::none;
    if (r.fate == Fate::forwarded || r.fate == Fate::sent) o.way_out = std::string(r.out_iface.view());
    const Packet& f = r.final_packet;
    if (r.fate == Fate::delivered || r.fate == Fate::forwarded || r.fate == Fate::sent)
        o.after_nat = endpoint_text(f.src, f.sport, f.proto) + " > " + endpoint_text(f.dst, f.dport, f.proto);
    o.mark = r.fate == Fate::dropped ? 0 : f.mark;
    for (const auto& a : r.answers) {
        const Packet& p = a.packet;
        if (a.tee_copy) {
            if (!o.copies.empty()) o.copies += ", ";
            o.copies += a.fate == Fate::sent ? "out of " + std::string(a.out_iface.view()) + " with TTL " + std::to_string(p.ttl)
                                             : std::string("dropped (") + drop_reason_name(a.reason) + ")";
            continue;
        }
        if (!o.answers.empty()) o.answers += ", ";
        if (p.proto == proto::tcp) o.answers += "a TCP reset";
        else
            o.answers +=
                std::string(p.family == Family::ipv6 ? "ICMPv6 " : "ICMP ") + std::to_string(p.icmp_type) + "/" + std::to_string(p.icmp_code);
        o.answers += " to " + format_ip(p.dst);
    }
    return o;
}

std::string fate_text(const Outcome& o) {
    std::string t = fate_name(o.fate);
    if (o.reason != DropReason::none) t += std::string(" (") + drop_reason_name(o.reason) + ")";
    return t;
}

std::string outcome_line(const Outcome& o) {
    std::string t = fate_text(o);
    if (!o.way_out.empty()) t += " out of " + o.way_out;
    if (!o.after_nat.empty()) t += ", as " + o.after_nat;
    if (o.mark) t += ", mark " + std::to_string(o.mark);
    if (!o.answers.empty()) t += "; answered with " + o.answers;
    if (!o.copies.empty()) t += "; copied by TEE " + o.copies;
    return t;
}

// How two outcomes differ, as a kind that groups packets (empty: they do not). The first
// difference in this order names the kind: fate, way out, NAT, mark, answers, TEE's copies.
std::string difference_kind(const Outcome& a, const Outcome& b) {
    if (a.fate != b.fate || a.reason != b.reason) return "A " + fate_text(a) + ", B " + fate_text(b);
    if (a.way_out != b.way_out) return "both " + fate_text(a) + ", by different devices: A " + a.way_out + ", B " + b.way_out;
    if (a.after_nat != b.after_nat) return "both " + fate_text(a) + ", with different addresses or ports after NAT";
    if (a.mark != b.mark) return "both " + fate_text(a) + ", with different marks";
    if (a.answers != b.answers) return "both " + fate_text(a) + ", with different answers from the kernel";
    if (a.copies != b.copies) return "both " + fate_text(a) + ", with different copies sent by TEE";
    return {};
}

nlohmann::ordered_json outcome_json(const Outcome& o) {
    nlohmann::ordered_json j;
    j["fate"] = fate_name(o.fate);
    if (o.reason != DropReason::none) j["reason"] = drop_reason_name(o.reason);
    if (!o.way_out.empty()) j["out"] = o.way_out;
    if (!o.after_nat.empty()) j["as"] = o.after_nat;
    j["mark"] = o.mark;
    if (!o.answers.empty()) j["answers"] = o.answers;
    if (!o.copies.empty()) j["tee_copies"] = o.copies;
    return j;
}

struct Example {
    std::string packet;
    Outcome a, b;
    std::string explain_a, explain_b;
};

struct Kind {
    std::string name;
    std::uint64_t count = 0;
    std::vector<Example> examples;
};

// One layout: its ruleset, path and state, as one kernel would keep them. The path and the state
// refer to the ruleset: it stays where it was made however the layout moves.
struct Layout {
    std::unique_ptr<const Ruleset> rs;
    std::unique_ptr<PacketPath> path;
    std::unique_ptr<PathState> st;
    WalkCost cost;  // what the traffic's walks tested, for the kernel estimate
};

// The traffic both layouts were given, as packets the path takes (for the timing runs).
using Traffic = std::vector<std::pair<Packet, Origin>>;

class Comparison {
public:
    explicit Comparison(std::size_t examples) : examples_(examples) {}

    void add(const std::string& packet, bool local, const PacketPath& pa, const PathResult& ra, const PacketPath& pb, const PathResult& rb) {
        ++packets_;
        const Outcome a = outcome_of(ra), b = outcome_of(rb);
        const std::string kind = difference_kind(a, b);
        if (kind.empty()) return;
        ++differing_;
        auto [it, fresh] = index_.try_emplace(kind, kinds_.size());
        if (fresh) kinds_.push_back(Kind{kind, 0, {}});
        Kind& k = kinds_[it->second];
        ++k.count;
        if (k.examples.size() < examples_)
            k.examples.push_back({packet, a, b, format_explanation(pa, ra, packet, local), format_explanation(pb, rb, packet, local)});
    }
    // Two readings of one capture record that are not both packets the path takes (a forwarded
    // copy under one layout, a packet of the wire under the other).
    void add_unpaired(const std::string& packet, const std::string& a, const std::string& b) {
        ++packets_;
        ++differing_;
        const std::string kind = "the capture's packet is read differently: A " + a + ", B " + b;
        auto [it, fresh] = index_.try_emplace(kind, kinds_.size());
        if (fresh) kinds_.push_back(Kind{kind, 0, {}});
        Kind& k = kinds_[it->second];
        ++k.count;
        if (k.examples.size() < examples_) k.examples.push_back({packet, {}, {}, {}, {}});
    }

    // A capture record both layouts read as no packet of theirs (a forwarded copy, an answer, a
    // malformed or other-family record): not compared, counted.
    void add_not_compared() { ++not_compared_; }
    std::uint64_t not_compared() const { return not_compared_; }
    std::uint64_t packets() const { return packets_; }
    std::uint64_t differing() const { return differing_; }
    const std::vector<Kind>& kinds() const { return kinds_; }

private:
    std::size_t examples_;
    std::uint64_t packets_ = 0, differing_ = 0, not_compared_ = 0;
    std::vector<Kind> kinds_;
    std::map<std::string, std::size_t> index_;
};

std::string indent(const std::string& text, const std::string& by) {
    std::string out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) out += by + line + "\n";
    return out;
}

void compare_generated(const CompareCli& cli, const Host& host, const IpsetRegistry* ipsets, Layout& a, Layout& b, Comparison& cmp, Traffic& inputs) {
    // Aimed at every rule of A, then of B, with the packets just outside each rule: what either
    // layout singles out is tried on both.
    std::vector<std::pair<Packet, Origin>> traffic = traffic_for_ruleset(*a.rs, host, cli.seed, cli.random_packets, true);
    for (auto& t : traffic_for_ruleset(*b.rs, host, cli.seed + 1, cli.random_packets, true)) traffic.push_back(std::move(t));
    for (const auto& [p, origin] : traffic) {
        const bool local = origin == Origin::local;
        const PathResult ra = a.path->process(p, origin, *a.st, true);
        const PathResult rb = b.path->process(p, origin, *b.st, true);
        a.cost += walk_cost(*a.rs, ra, host, ipsets);
        b.cost += walk_cost(*b.rs, rb, host, ipsets);
        cmp.add(format_packet_description(p, local), local, *a.path, ra, *b.path, rb);
        inputs.emplace_back(p, origin);
    }
}

// The capture's packets go into `inputs` with their bytes kept in `kept` (-m string reads them when
// the timing walks them again).
void compare_capture(const CompareCli& cli, const Host& host, const IpsetRegistry* ipsets, Layout& a, Layout& b, Comparison& cmp, Traffic& inputs,
                     DatagramStore& kept) {
    CaptureReader reader(cli.pcap);
    CaptureAnalysisOptions opt;
    opt.iface = cli.iface;
    opt.trace = true;
    CaptureAnalysis ca(*a.path, *a.st, opt), cb(*b.path, *b.st, opt);
    CaptureRecord rec;
    const auto is_packet = [](CaptureOrigin o) { return o == CaptureOrigin::wire || o == CaptureOrigin::local; };
    while (reader.next(rec)) {
        const AnalyzedPacket ra = ca.feed(rec), rb = cb.feed(rec);
        const std::string head = "capture packet " + std::to_string(ra.index) + " on " + ra.iface;
        if (is_packet(ra.origin) && is_packet(rb.origin)) {
            const bool local = ra.origin == CaptureOrigin::local;
            cmp.add(head + ": " + format_packet_description(ra.input, local), local, *a.path, ra.result, *b.path, rb.result);
            a.cost += walk_cost(*a.rs, ra.result, host, ipsets);
            b.cost += walk_cost(*b.rs, rb.result, host, ipsets);
            Packet p = ra.input;
            kept.keep(p);
            inputs.emplace_back(p, local ? Origin::local : Origin::wire);
        } else if (ra.origin != rb.origin) {
            cmp.add_unpaired(head, capture_origin_name(ra.origin), capture_origin_name(rb.origin));
        } else {
            cmp.add_not_compared();
        }
    }
}

Layout load_layout(const CompareCli& cli, const std::string& rules, const Host& host, const IpsetRegistry* ipsets, std::optional<Family> family) {
    Layout l;
    RulesetParseOptions popt;
    popt.ipsets = ipsets;
    Ruleset rs = parse_ruleset_file_of_family(rules, popt, family ? (*family == Family::ipv6 ? 6 : 4) : cli.family);
    if (!cli.backend.empty()) rs.backend = cli.backend == "legacy" ? Backend::legacy : Backend::nf_tables;
    l.rs = std::make_unique<const Ruleset>(std::move(rs));
    l.path = std::make_unique<PacketPath>(*l.rs, host, ipsets);
    EngineOptions eo;
    eo.seed = cli.seed;
    l.st = std::make_unique<PathState>(*l.rs, eo, host.sysctl());
    return l;
}

// A difference's example as the hook sees it: headers, devices (none where the hook has none),
// conntrack's view and the marks, which a packet description alone does not all say.
std::string example_text(const Packet& p) {
    Packet headers = p;
    headers.in = IfaceName();
    headers.out = IfaceName();
    std::string s = format_packet_description(headers, false);
    s += " in ";
    s += p.in.empty() ? "(none)" : std::string(p.in.view());
    s += " out ";
    s += p.out.empty() ? "(none)" : std::string(p.out.view());
    s += " ctstate ";
    s += ct_state_name(p.ct.state);
    char buf[64];
    std::snprintf(buf, sizeof buf, " mark 0x%x ctmark 0x%x", p.mark, p.ct.mark);
    return s + buf;
}

std::string percent(double share) {
    char buf[32];
    if (share > 0 && share < 0.0001) return "under 0.01%";
    std::snprintf(buf, sizeof buf, "%.2f%%", share * 100);
    return buf;
}

void print_proof(std::ostream& out, const EquivalenceReport& r) {
    out << "  over all packets, hook by hook (a BDD proof over " << field_count << " header fields and " << r.interfaces.size()
        << " interface witnesses, " << std::fixed << std::setprecision(2) << r.seconds << " s):\n";
    out.unsetf(std::ios::floatfield);
    out << "    interfaces:";
    for (std::size_t i = 1; i < r.interfaces.size(); ++i) out << (i == 1 ? " " : "; ") << r.interfaces[i];
    out << "\n";
    for (const HookProof& h : r.hooks) {
        out << "    " << std::left << std::setw(12) << hook_chain_name(h.hook) << std::right;
        if (h.differences == 0) out << "the same";
        else
            out << "differ on " << percent(h.differing_share) << " of the header space, in " << h.differences << " region"
                << (h.differences == 1 ? "" : "s");
        out << " (A " << h.regions_a << " outcome" << (h.regions_a == 1 ? "" : "s") << ", B " << h.regions_b << ")";
        if (h.unmodelled_share > 0) out << "; " << percent(h.unmodelled_share) << " not proved: " << h.unmodelled_reasons.front();
        out << "\n";
    }
    for (const RegionDifference& d : r.differences) {
        out << "\n  " << hook_chain_name(d.hook) << ": A " << d.a << "; B " << d.b << " (" << percent(d.share) << " of the hook's header space)\n";
        out << "    region: " << d.region << "\n";
        out << "    e.g. " << example_text(d.example) << "\n";
        if (d.confirmed) out << "    the linear engine confirms: A " << d.concrete_a.describe() << "; B " << d.concrete_b.describe() << "\n";
        else
            out << "    NOT confirmed by the linear engine (both give " << d.concrete_a.describe()
                << "): the example's matches taken as free atoms cannot all hold as the region needs\n";
        if (d.replay) out << "    as a packet of the path: " << d.replay->text << "\n";
    }
    if (!r.limits.history.empty()) {
        out << "  assumed: these matches depend on history and answer alike wherever their text is the same:\n";
        for (const auto& m : r.limits.history) out << "    " << m << "\n";
    }
    if (!r.limits.opaque.empty()) {
        out << "  taken as free atoms (any answer, the same for the same text): \n";
        for (const auto& m : r.limits.opaque) out << "    " << m << "\n";
    }
    std::size_t differing = 0;
    for (const HookProof& h : r.hooks) differing += h.differences != 0;
    if (differing == 0 && r.complete()) out << "  proved: A and B decide alike for every packet at every hook\n";
    else if (differing == 0) out << "  proved alike for every packet the proof takes; the rest is named above as not proved\n";
    else out << "  A and B differ at " << differing << " hook" << (differing == 1 ? "" : "s") << "\n";
    out << "  not compared: LOG/NFLOG, counters; conntrack state and its NAT status bits are free, as they may be at any packet\n";
}

nlohmann::ordered_json proof_json(const EquivalenceReport& r) {
    nlohmann::ordered_json j;
    j["equivalent"] = r.equivalent();
    j["complete"] = r.complete();
    j["seconds"] = r.seconds;
    j["bdd_nodes"] = r.bdd_nodes;
    j["interfaces"] = r.interfaces;
    j["hooks"] = nlohmann::ordered_json::array();
    for (const HookProof& h : r.hooks)
        j["hooks"].push_back({{"hook", hook_chain_name(h.hook)},
                              {"outcomes_a", h.regions_a},
                              {"outcomes_b", h.regions_b},
                              {"difference_regions", h.differences},
                              {"differing_share", h.differing_share},
                              {"unmodelled_share", h.unmodelled_share},
                              {"unmodelled_reasons", h.unmodelled_reasons}});
    j["differences"] = nlohmann::ordered_json::array();
    for (const RegionDifference& d : r.differences)
        j["differences"].push_back({{"hook", hook_chain_name(d.hook)},
                                    {"a", d.a},
                                    {"b", d.b},
                                    {"share", d.share},
                                    {"region", d.region},
                                    {"example", example_text(d.example)},
                                    {"linear_a", d.concrete_a.describe()},
                                    {"linear_b", d.concrete_b.describe()},
                                    {"confirmed", d.confirmed},
                                    {"replay", d.replay ? nlohmann::ordered_json(d.replay->text) : nlohmann::ordered_json()},
                                    {"replay_origin", d.replay ? origin_name(d.replay->origin) : ""}});
    j["history_matches"] = r.limits.history;
    j["atoms"] = r.limits.opaque;
    return j;
}

// Which layout is cheaper on the traffic: the kernel's walk (rules tested, matches called, the
// estimate from them) and fwbench's whole path timed with each engine.
struct EngineTiming {
    std::string engine;
    double median_ns[2] = {}, min_ns[2] = {}, max_ns[2] = {};  // per packet, A and B
};
struct CostReport {
    WalkCost walk[2];
    KernelCostModel model;
    std::vector<EngineTiming> engines;
    int repetitions = 0;
};

// Each engine times both layouts over the traffic in alternation (A, B, A, B, ...), each run with
// a fresh state, so the machine's drift falls on both alike; the median and the range per packet.
CostReport measure_cost(const CompareCli& cli, const Host& host, const IpsetRegistry* ipsets, const Layout& a, const Layout& b,
                        const Traffic& inputs) {
    CostReport r;
    r.walk[0] = a.cost;
    r.walk[1] = b.cost;
    r.model = KernelCostModel::for_backend(a.rs->backend);
    r.repetitions = cli.cost_repetitions;
    for (const char* engine : {"linear", "compiled"}) {
        EngineTiming t;
        t.engine = engine;
        std::vector<double> runs[2];
        const Layout* layouts[2] = {&a, &b};
        std::unique_ptr<PacketPath> paths[2];
        for (int l = 0; l < 2; ++l) {
            std::shared_ptr<const Classifier> e;
            if (t.engine == "compiled") e = std::make_shared<CompiledEngine>(*layouts[l]->rs, host, ipsets);
            paths[l] = std::make_unique<PacketPath>(*layouts[l]->rs, host, ipsets, e);
        }
        DatagramRewriter datagram;  // the inputs' bytes as each hook holds them (-m string, -m u32)
        for (int rep = 0; rep < r.repetitions; ++rep)
            for (int l = 0; l < 2; ++l) {
                EngineOptions eo;
                eo.seed = cli.seed;
                PathState st(*layouts[l]->rs, eo, host.sysctl());
                st.engine.datagram = &datagram;
                PathResult res;
                const auto start = std::chrono::steady_clock::now();
                for (const auto& [p, origin] : inputs) paths[l]->process(p, origin, st, res);
                const auto ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
                runs[l].push_back(ns / static_cast<double>(inputs.size()));
            }
        for (int l = 0; l < 2; ++l) {
            std::sort(runs[l].begin(), runs[l].end());
            t.median_ns[l] = runs[l][runs[l].size() / 2];
            t.min_ns[l] = runs[l].front();
            t.max_ns[l] = runs[l].back();
        }
        r.engines.push_back(t);
    }
    return r;
}

// --kernel: the layouts' matching cost measured in the kernel by bench/kernel_cost's method — a
// flood of copies of a packet from the wire into a router namespace, the sending thread's CPU time
// per packet (veth runs the receive path inside the send) — for a sample of the traffic's wire
// packets, under A, under B and under no ruleset, alternating (baseline, A, B, baseline) so that
// each layout's cost is taken against the baselines around it; the median over repetitions.
struct KernelCost {
    double ns[2] = {};  // above the baseline, per packet, A and B
    double baseline = 0;
    std::size_t samples = 0;
    int repetitions = 0;
};

KernelCost measure_kernel_cost(const CompareCli& cli, const Host& host, const Layout& a, const Layout& b, const Traffic& inputs) {
    KernelCost k;
    std::vector<Packet> wire;
    for (const auto& [p, origin] : inputs)
        if (origin == Origin::wire) wire.push_back(p);
    if (wire.empty()) return k;
    const std::size_t step = std::max<std::size_t>(1, wire.size() / 16);
    std::vector<Packet> samples;
    for (std::size_t i = 0; i < wire.size() && samples.size() < 16; i += step) samples.push_back(wire[i]);
    k.samples = samples.size();
    k.repetitions = 3;
    Ruleset none;
    none.family = a.rs->family;
    KernelOracleOptions base_opt;
    base_opt.legacy = a.rs->backend == Backend::legacy;
    KernelOracle base(host, none, base_opt);
    std::unique_ptr<KernelOracle> routers[2];
    const Layout* layouts[2] = {&a, &b};
    for (int l = 0; l < 2; ++l) {
        KernelOracleOptions kopt;
        kopt.legacy = layouts[l]->rs->backend == Backend::legacy;
        kopt.ruleset_text = slurp(cli.rules[static_cast<std::size_t>(l)]);
        if (!cli.ipsets_path.empty()) kopt.ipsets = slurp(cli.ipsets_path);
        routers[l] = std::make_unique<KernelOracle>(host, *layouts[l]->rs, kopt);
    }
    constexpr std::size_t packets = 2000;
    auto per_packet = [&](KernelOracle& r, const Packet& p) {
        r.flood(p, 200);  // neighbour, route and conntrack entries in place
        return static_cast<double>(r.flood(p, packets)) / static_cast<double>(packets);
    };
    std::vector<double> reps[2], bases;
    for (int rep = 0; rep < k.repetitions; ++rep) {
        double sum[2] = {}, base_sum = 0;
        for (const Packet& p : samples) {
            const double before = per_packet(base, p);
            const double ca = per_packet(*routers[0], p), cb = per_packet(*routers[1], p);
            const double after = per_packet(base, p);
            const double baseline = (before + after) / 2;
            sum[0] += ca - baseline;
            sum[1] += cb - baseline;
            base_sum += baseline;
        }
        for (int l = 0; l < 2; ++l) reps[l].push_back(sum[l] / static_cast<double>(samples.size()));
        bases.push_back(base_sum / static_cast<double>(samples.size()));
    }
    for (int l = 0; l < 2; ++l) {
        std::sort(reps[l].begin(), reps[l].end());
        k.ns[l] = reps[l][reps[l].size() / 2];
    }
    std::sort(bases.begin(), bases.end());
    k.baseline = bases[bases.size() / 2];
    return k;
}

std::string fixed(double v, int digits) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

// "1.25x" of the larger over the smaller, and which is cheaper.
std::string cheaper(double a, double b) {
    const double ratio = std::max(a, b) / std::max(std::min(a, b), 1e-9);
    if (ratio < 1.01) return "neither (within 1%)";
    return (a < b ? "A" : "B") + std::string(" by ") + fixed(std::max(a, b) / std::max(std::min(a, b), 1e-9), 2) + "x";
}

void print_cost(std::ostream& out, const CostReport& r, std::size_t packets) {
    const double n = static_cast<double>(packets);
    auto row = [&](const std::string& name, const std::string& a, const std::string& b, const std::string& note) {
        out << "    " << std::left << std::setw(34) << name << std::setw(22) << a << std::setw(22) << b << std::right << note << "\n";
    };
    out << "\n  cost on this traffic (" << packets << " packets):\n";
    row("", "A", "B", "");
    row("rules tested per packet", fixed(static_cast<double>(r.walk[0].rules) / n, 2), fixed(static_cast<double>(r.walk[1].rules) / n, 2),
        "the kernel's walk, every table, answers included");
    row("matches called per packet", fixed(static_cast<double>(r.walk[0].matches) / n, 2), fixed(static_cast<double>(r.walk[1].matches) / n, 2), "");
    const double ka = r.walk[0].ns(r.model) / n, kb = r.walk[1].ns(r.model) / n;
    row("kernel estimate per packet", fixed(ka, 1) + " ns", fixed(kb, 1) + " ns", r.model.basis);
    for (const auto& e : r.engines)
        row("fwbench " + e.engine + " (whole path)", fixed(e.median_ns[0], 0) + " ns (" + fixed(e.min_ns[0], 0) + "-" + fixed(e.max_ns[0], 0) + ")",
            fixed(e.median_ns[1], 0) + " ns (" + fixed(e.min_ns[1], 0) + "-" + fixed(e.max_ns[1], 0) + ")",
            "median (min-max) of " + std::to_string(r.repetitions) + " runs, alternating");
    out << "  cheaper in the kernel: " << cheaper(ka, kb) << " (estimate; "
        << cheaper(static_cast<double>(r.walk[0].rules), static_cast<double>(r.walk[1].rules)) << " in rules tested)\n";
}

nlohmann::ordered_json cost_json(const CostReport& r, std::size_t packets) {
    const double n = static_cast<double>(packets);
    nlohmann::ordered_json j;
    j["packets"] = packets;
    j["kernel_model"] = r.model.basis;
    for (int l = 0; l < 2; ++l) {
        nlohmann::ordered_json side = {{"rules_tested_per_packet", static_cast<double>(r.walk[l].rules) / n},
                                       {"matches_called_per_packet", static_cast<double>(r.walk[l].matches) / n},
                                       {"kernel_estimate_ns_per_packet", r.walk[l].ns(r.model) / n}};
        for (const auto& e : r.engines)
            side["fwbench_" + e.engine + "_ns_per_packet"] = {{"median", e.median_ns[l]}, {"min", e.min_ns[l]}, {"max", e.max_ns[l]}};
        j[l == 0 ? "a" : "b"] = side;
    }
    j["repetitions"] = r.repetitions;
    return j;
}

// --kernel: each difference's packet through fwbench's path and a kernel router under A and
// under B. The kernel confirms a difference when it agrees with fwbench under both layouts
// (counters, and nf_tables traces) and fwbench's two outcomes differ.
struct KernelReplay {
    std::string packet;
    Outcome a, b;
    bool agree_a = false, agree_b = false;
    std::string report_a, report_b;
    bool confirmed() const { return agree_a && agree_b && !difference_kind(a, b).empty(); }
};

KernelReplay replay_in_kernel(const CompareCli& cli, const Host& host, const IpsetRegistry* ipsets, const Layout& a, const Layout& b,
                              const PathExample& e) {
    KernelReplay k;
    k.packet = e.text;
    const Layout* layouts[2] = {&a, &b};
    for (int l = 0; l < 2; ++l) {
        const Ruleset& rs = *layouts[l]->rs;
        PacketPath path(rs, host, ipsets);
        PathState st(rs, EngineOptions{}, host.sysctl());
        KernelOracleOptions kopt;
        kopt.legacy = rs.backend == Backend::legacy;
        kopt.ruleset_text = slurp(cli.rules[static_cast<std::size_t>(l)]);
        if (!cli.ipsets_path.empty()) kopt.ipsets = slurp(cli.ipsets_path);
        DifferentialRun run(host, rs, kopt);
        const PathResult r = path.process(e.packet, e.origin, st, true);
        run.send(e.packet, e.origin, r);
        const DifferentialResult result = run.finish(st.engine, ipsets);
        (l == 0 ? k.a : k.b) = outcome_of(r);
        (l == 0 ? k.agree_a : k.agree_b) = result.agree();
        (l == 0 ? k.report_a : k.report_b) = result.report("        ");
    }
    return k;
}

}  // namespace

CLI::App* add_compare_command(CLI::App& app, CompareCli& cli) {
    auto* cmd = app.add_subcommand("compare", "do two ruleset layouts decide the same? the same traffic through both, differences explained");
    cmd->add_option("--rules", cli.rules, "the two layouts: --rules A --rules B (iptables-save text each)")->required();
    cmd->add_option("--host", cli.host_path, "host JSON: ip -j addr, or {addr, route, rule, sysctl} (fwbench dump-host)")->required();
    cmd->add_option("--ipsets", cli.ipsets_path, "ipset save output for -m set (both layouts read it)");
    cmd->add_option("--pcap", cli.pcap, "the traffic: a capture (default: packets aimed at every rule of both layouts)");
    cmd->add_option("--iface", cli.iface, "interface for captures that carry none");
    cmd->add_option("--family", cli.family, "4 or 6 (default: from the rulesets)")->check(CLI::IsMember({0, 4, 6}));
    cmd->add_option("--backend", cli.backend, "iptables backend of both: nft or legacy (default: each ruleset's header)")
        ->check(CLI::IsMember({"nft", "legacy"}));
    cmd->add_option("--seed", cli.seed, "seed of the generated traffic and of -m statistic --mode random");
    cmd->add_option("--random-packets", cli.random_packets, "generated traffic: random packets per layout beside those aimed at its rules");
    cmd->add_option("--examples", cli.examples, "packets explained side by side per kind of difference");
    cmd->add_option("--json", cli.json, "the comparison as JSON (file or -)");
    cmd->add_flag("--no-proof", cli.no_proof, "compare on the traffic only");
    cmd->add_flag("--no-traffic", cli.no_traffic, "the proof over all packets only");
    cmd->add_flag("--kernel", cli.kernel, "replay each difference's packet into the real kernel under A and under B (network namespaces; root)");
    cmd->add_option("--cost-repetitions", cli.cost_repetitions, "timing runs per engine and layout over the traffic (median and range reported)")
        ->check(CLI::Range(1, 1000));
    cmd->footer(
        "Each layout runs in a host of its own (its own conntrack table, counters and rate state), as two kernels would.\n"
        "Over all packets: each hook's decision under A and B as BDDs, every region where they differ with an example the linear\n"
        "engine walks under both; matches not taken bit for bit, and those that depend on history, are named as the proof's limits.\n"
        "Exit status: 0 when the layouts decide the same (proved, and on the traffic), 1 when they differ, 2 on bad input,\n"
        "3 when --kernel finds the kernel disagreeing with fwbench.");
    return cmd;
}

int run_compare(const CompareCli& cli) {
    if (cli.rules.size() != 2) throw std::runtime_error("compare takes two layouts: --rules A --rules B");
    SourceOptions src;
    src.host_path = cli.host_path;
    src.ipsets_path = cli.ipsets_path;
    const Host host = load_host(src);
    const std::optional<IpsetRegistry> ipsets = load_ipsets(src);
    const IpsetRegistry* sets = ipsets ? &*ipsets : nullptr;
    Layout a = load_layout(cli, cli.rules[0], host, sets, std::nullopt);
    Layout b = load_layout(cli, cli.rules[1], host, sets, a.rs->family);
    if (a.rs->family != b.rs->family)
        throw std::runtime_error(cli.rules[0] + " is " + (a.rs->family == Family::ipv6 ? "an ip6tables" : "an iptables") + " ruleset and " +
                                 cli.rules[1] + " is not: compare takes two layouts of one family");

    std::ostream& out = cli.json == "-" ? std::cerr : std::cout;
    out << "compare: A = " << cli.rules[0] << " (" << a.rs->rule_count() << " rules), B = " << cli.rules[1] << " (" << b.rs->rule_count()
        << " rules)\n";
    std::optional<EquivalenceReport> proof;
    std::vector<KernelReplay> replays;
    if (cli.kernel) {
        std::string why;
        if (!KernelOracle::available(&why)) throw std::runtime_error("compare --kernel: the kernel oracle is not available: " + why);
    }
    if (!cli.no_proof) {
        proof = prove_equivalence({a.rs.get(), sets}, {b.rs.get(), sets}, &host, cli.examples);
        print_proof(out, *proof);
        if (cli.kernel) {
            out << "\n  the differences' packets in the real kernel:\n";
            std::size_t without = 0;
            for (const RegionDifference& d : proof->differences) {
                if (!d.replay) {
                    ++without;
                    continue;
                }
                const KernelReplay& k = replays.emplace_back(replay_in_kernel(cli, host, sets, a, b, *d.replay));
                out << "    " << hook_chain_name(d.hook) << ": " << k.packet << "\n      A: " << outcome_line(k.a)
                    << (k.agree_a ? ", the kernel agrees" : ", the kernel DISAGREES") << "\n      B: " << outcome_line(k.b)
                    << (k.agree_b ? ", the kernel agrees" : ", the kernel DISAGREES") << "\n";
                if (!k.agree_a) out << k.report_a;
                if (!k.agree_b) out << k.report_b;
                if (k.confirmed()) out << "      the kernel confirms the difference\n";
                else if (k.agree_a && k.agree_b)
                    out << "      this packet's whole path is the same under both (the hook's difference does not change where it goes)\n";
            }
            if (without)
                out << "    " << without << " difference" << (without == 1 ? " has" : "s have")
                    << " no packet a replay can send (a state, mark or device of its own): not replayed\n";
        }
    }

    Comparison cmp(cli.examples);
    Traffic inputs;
    DatagramStore kept;  // the capture's bytes the inputs point at
    std::optional<CostReport> cost;
    std::optional<KernelCost> kernel_cost;
    const std::string traffic =
        cli.pcap.empty() ? "packets aimed at every rule of both layouts (seed " + std::to_string(cli.seed) + ")" : "the capture " + cli.pcap;
    if (!cli.no_traffic) {
        if (cli.pcap.empty()) compare_generated(cli, host, sets, a, b, cmp, inputs);
        else compare_capture(cli, host, sets, a, b, cmp, inputs, kept);
        out << (proof ? "\n" : "") << "  on " << traffic << ":\n";
        if (cmp.not_compared())
            out << "  " << cmp.not_compared() << " capture records are no packet of the path under either layout (forwarded copies, the kernel's "
                << "answers, malformed or of the other family): not compared\n";
        if (cmp.differing() == 0) {
            out << "  the same on all " << cmp.packets()
                << " packets: fate, drop reason, way out, addresses after NAT, mark, the kernel's answers and TEE's copies\n"
                << (proof ? "" : "  (agreement on this traffic, not a proof over all traffic)\n");
        } else {
            out << "  " << cmp.differing() << " of " << cmp.packets() << " packets decided differently, in " << cmp.kinds().size() << " kind"
                << (cmp.kinds().size() == 1 ? "" : "s") << ":\n";
            for (const Kind& k : cmp.kinds()) {
                out << "\n  " << k.count << " packet" << (k.count == 1 ? "" : "s") << ": " << k.name << "\n";
                for (const Example& e : k.examples) {
                    out << "    " << e.packet << "\n";
                    if (e.explain_a.empty()) continue;
                    out << "      A: " << outcome_line(e.a) << "\n      B: " << outcome_line(e.b) << "\n";
                    out << "      under A:\n" << indent(e.explain_a, "        ") << "      under B:\n" << indent(e.explain_b, "        ");
                }
            }
        }
    }
    if (!cli.no_traffic && !inputs.empty()) {
        cost = measure_cost(cli, host, sets, a, b, inputs);
        print_cost(out, *cost, inputs.size());
        if (cli.kernel) {
            kernel_cost = measure_kernel_cost(cli, host, a, b, inputs);
            if (kernel_cost->samples == 0) {
                out << "  measured in the kernel: no packet of the traffic comes from the wire (a flood sends wire packets): not measured\n";
            } else {
                out << "  measured in the kernel (a flood of each of " << kernel_cost->samples
                    << " packets of the traffic from the wire, CPU time per packet above "
                    << "a router with no ruleset, " << fixed(kernel_cost->baseline, 0) << " ns; median of " << kernel_cost->repetitions << "):\n"
                    << "    A " << fixed(kernel_cost->ns[0], 0) << " ns, B " << fixed(kernel_cost->ns[1], 0)
                    << " ns per packet; cheaper in the kernel, measured: " << cheaper(kernel_cost->ns[0], kernel_cost->ns[1])
                    << " (this machine's noise is about 100 ns per packet: docs/kernel-oracle.md)\n";
            }
        }
    }
    if (!cli.json.empty()) {
        nlohmann::ordered_json j;
        j["a"] = {{"rules", cli.rules[0]}, {"rule_count", a.rs->rule_count()}};
        j["b"] = {{"rules", cli.rules[1]}, {"rule_count", b.rs->rule_count()}};
        if (proof) j["proof"] = proof_json(*proof);
        if (cli.kernel) {
            j["kernel"] = nlohmann::ordered_json::array();
            for (const auto& k : replays)
                j["kernel"].push_back({{"packet", k.packet},
                                       {"a", outcome_json(k.a)},
                                       {"b", outcome_json(k.b)},
                                       {"kernel_agrees_a", k.agree_a},
                                       {"kernel_agrees_b", k.agree_b},
                                       {"confirmed", k.confirmed()}});
        }
        if (cost) j["cost"] = cost_json(*cost, inputs.size());
        if (kernel_cost && kernel_cost->samples)
            j["cost"]["kernel_measured"] = {{"a_ns_per_packet", kernel_cost->ns[0]},
                                            {"b_ns_per_packet", kernel_cost->ns[1]},
                                            {"baseline_ns_per_packet", kernel_cost->baseline},
                                            {"samples", kernel_cost->samples},
                                            {"repetitions", kernel_cost->repetitions}};
        if (!cli.no_traffic) j["traffic"] = traffic;
        j["packets"] = cmp.packets();
        j["not_compared"] = cmp.not_compared();
        j["differing"] = cmp.differing();
        j["kinds"] = nlohmann::ordered_json::array();
        for (const Kind& k : cmp.kinds()) {
            nlohmann::ordered_json kj = {{"kind", k.name}, {"count", k.count}, {"examples", nlohmann::ordered_json::array()}};
            for (const Example& e : k.examples) {
                nlohmann::ordered_json ej = {{"packet", e.packet}};
                if (!e.explain_a.empty()) {
                    ej["a"] = outcome_json(e.a);
                    ej["b"] = outcome_json(e.b);
                }
                kj["examples"].push_back(ej);
            }
            j["kinds"].push_back(kj);
        }
        if (cli.json == "-") std::cout << j.dump(2) << "\n";
        else std::ofstream(cli.json) << j.dump(2) << "\n";
    }
    for (const auto& k : replays)
        if (!k.agree_a || !k.agree_b) return 3;  // fwbench and the kernel disagree: that is fwbench's bug
    const bool same = cmp.differing() == 0 && (!proof || proof->equivalent());
    return same ? 0 : 1;
}

}  // namespace fwbench
