// The flow cache (flow_cache.hpp, docs/flow-cache.md) changes no answer: the same packets through
// a path with the cache and one without give the same result, packet by packet (fate, reason,
// walks, hooks, the finished packet, conntrack's view, answers) and the same counters at the end
// — on the router workload under every engine, on the random cases, on the real rulesets. Each
// cause that must stop a replay has a fixture whose stale replay would give another answer, with
// the hand-written pattern of which packets replay.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fwbench/capture_analysis.hpp"
#include "fwbench/classifier_factory.hpp"
#include "fwbench/eal.hpp"
#include "fwbench/packet_description.hpp"
#include "fwbench/packet_path.hpp"
#include "fwbench/replay_dataplane.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "fwbench/ruleset_printer.hpp"
#include "described_datagrams.hpp"
#include "packet_dsl.hpp"
#include "path_fixtures.hpp"
#include "random_cases.hpp"
#include "router_workload.hpp"
#include "shared_ruleset_cases.hpp"

namespace fwbench {
namespace {

std::string addr(const IpAddr& a) { return format_ip(a); }

// Everything a PathResult says, in one text: two results are the same when their texts are.
std::string describe(const PathResult& r) {
    std::ostringstream os;
    const Packet& p = r.final_packet;
    os << fate_name(r.fate) << " reason=" << static_cast<int>(r.reason) << " why=" << static_cast<int>(r.detail.why)
       << " ct=" << static_cast<int>(r.ct_state) << " out=" << r.out_iface.view() << " mtu=" << r.out_mtu << " source=" << addr(r.source)
       << "\n  final " << addr(p.src) << ":" << p.sport << " > " << addr(p.dst) << ":" << p.dport << " proto=" << int(p.proto) << " len=" << p.length
       << " ttl=" << int(p.ttl) << " tos=" << int(p.tos) << " mark=" << p.mark << " in=" << p.in.view() << " out=" << p.out.view()
       << " pkttype=" << int(p.pkttype) << " icmp=" << int(p.icmp_type) << "/" << int(p.icmp_code) << " id=" << p.icmp_id << " prio=" << p.priority
       << " tcpopts=" << int(p.tcp_option_len) << " ct{" << int(p.ct.state) << "," << int(p.ct.dir) << "," << p.ct.status << "," << p.ct.mark << ","
       << int(p.ct.l4proto) << "," << p.ct.expires_s << "," << addr(p.ct.orig.src) << ":" << p.ct.orig.sport << ">" << addr(p.ct.orig.dst) << ":"
       << p.ct.orig.dport << "," << addr(p.ct.reply.src) << ":" << p.ct.reply.sport << ">" << addr(p.ct.reply.dst) << ":" << p.ct.reply.dport
       << "}\n  hooks";
    for (Hook h : r.hooks) os << " " << hook_chain_name(h);
    for (const HookWalk& w : r.walks)
        os << "\n  walk " << hook_chain_name(w.hook) << " " << w.table << ":" << w.table_name << " in=" << w.in.view() << " out=" << w.out.view()
           << " verdict=" << verdict_name(w.walk.verdict) << " at " << w.walk.chain << "/" << w.walk.rule << " tested=" << w.walk.rules_evaluated
           << " target=" << (w.walk.target != nullptr) << " nat=" << (w.walk.nat != nullptr) << " notrack=" << w.walk.notrack
           << " log=" << w.walk.log_events;
    for (const PathResult::Answer& a : r.answers)
        os << "\n  answer " << fate_name(a.fate) << " " << addr(a.packet.src) << " > " << addr(a.packet.dst) << " proto=" << int(a.packet.proto)
           << " walks " << a.first_walk << "-" << a.end_walk;
    return os.str();
}

// Two paths over one ruleset and host, one with the cache and one without, fed the same packets.
struct CachedAndNot {
    const PacketPath& path;
    PathState cached, walked;
    PathResult rc, rw;
    CachedAndNot(const PacketPath& p, const EngineOptions& eo = {})
        : path(p), cached(p.ruleset(), eo, p.host().sysctl()), walked(p.ruleset(), eo, p.host().sysctl()) {
        walked.flow_cache.enabled = false;
    }
    // Returns whether the cached side replayed the packet; a difference fails the test.
    bool feed(const Packet& p, Origin origin, const std::string& what) {
        const std::uint64_t before = cached.flow_cache.stats.replayed;
        path.process(p, origin, cached, rc);
        path.process(p, origin, walked, rw);
        EXPECT_EQ(describe(rc), describe(rw)) << what;
        return cached.flow_cache.stats.replayed != before;
    }
    void expect_same_counters(const std::string& what) const {
        EXPECT_EQ(format_ruleset(path.ruleset(), &cached.engine), format_ruleset(path.ruleset(), &walked.engine)) << what;
        EXPECT_EQ(cached.conntrack.size(), walked.conntrack.size()) << what;
    }
};

Host router_host() {
    return Host::from_json(std::string("{\"addr\":") + test::router_addr + ",\"route\":" + test::router_routes + ",\"rule\":" + test::router_rules +
                               ",\"sysctl\":{\"net.ipv4.ip_forward\":1}}",
                           "router fixture");
}

std::string write_temp(const std::string& name, const std::vector<std::uint8_t>& bytes) {
    std::string file = testing::TempDir() + "flow-cache-" + std::to_string(getpid()) + "-" + name;
    std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return file;
}

// The router workload's capture loaded under every engine, each handed to `check` with its path;
// the first engine whose check fails ends the run.
template <class Check>
void on_router_workload_under_every_engine(const char* file, Check check) {
    const RouterWorkload w = make_router_workload({600, 5, 300, 20});
    const Host host = Host::from_json(w.host_json, "router workload");
    const Ruleset rs = parse_ruleset(w.rules, {});
    const std::string capture = write_temp(file, w.capture);
    ensure_eal();
    for (const char* name : classifier_names) {
        SCOPED_TRACE(name);
        PacketPath path(rs, host, nullptr, make_classifier(name, rs, host));
        LoadedCapture cap = load_capture(path, capture, {}, EngineOptions{});
        ASSERT_GT(cap.packets.size(), 3000u);
        check(path, cap);
        if (testing::Test::HasFailure()) break;
    }
    std::filesystem::remove(capture);
}

// The router workload, three passes as the replay dataplane makes them (time moved on by the
// capture's span and a second each pass), under every engine.
TEST(FlowCache, RouterWorkloadAnswersAsWithoutItUnderEveryEngine) {
    on_router_workload_under_every_engine("router.pcapng", [](const PacketPath& path, const LoadedCapture& cap) {
        CachedAndNot run(path);
        std::uint64_t replayed = 0, packets = 0;
        for (std::uint64_t pass = 0; pass < 3; ++pass)
            for (std::size_t i = 0; i < cap.packets.size(); ++i) {
                Packet p = cap.packets[i];
                p.timestamp_ns += pass * (cap.span_ns + 1000000000ull);
                replayed += run.feed(p, cap.origins[i], "pass " + std::to_string(pass) + " packet " + std::to_string(i));
                ++packets;
                if (testing::Test::HasFailure()) return;
            }
        run.expect_same_counters("after three passes");
        // The workload's flows are short (a handshake, a few segments, a close): a first packet of
        // each direction and each state change walk; the cache must still replay most others.
        EXPECT_GT(replayed * 2, packets) << replayed << " of " << packets << " replayed";
    });
}

// Each random case's traffic three times over (connections live on: a second later each time).
void expect_random_cases_agree(test::RandomCase (*make)(std::uint64_t), int count) {
    std::uint64_t replayed = 0;
    for (int seed = 1; seed <= count; ++seed) {
        const test::RandomCase rc = make(static_cast<std::uint64_t>(seed));
        SCOPED_TRACE("seed " + std::to_string(seed) + "\n" + rc.rules);
        const Host host = Host::from_json(rc.host_json, "random case");
        RulesetParseOptions opt;
        opt.family = rc.family;
        Ruleset rs = parse_ruleset(rc.rules, opt);
        rs.backend = rc.legacy ? Backend::legacy : Backend::nf_tables;
        PacketPath path(rs, host);
        CachedAndNot run(path);
        test::DescribedDatagrams datagrams;  // the packets with their payloads: string, u32 and bpf read them
        datagrams.attach(run.cached);
        datagrams.attach(run.walked);
        for (std::uint64_t pass = 0; pass < 3; ++pass)
            for (std::size_t i = 0; i < rc.packets.size(); ++i) {
                Packet p = datagrams.packet(rc.packets[i].first, rc.payloads[i]);
                p.timestamp_ns += pass * 1000000000ull;
                replayed += run.feed(p, rc.packets[i].second, "pass " + std::to_string(pass) + " packet " + std::to_string(i));
                if (testing::Test::HasFailure()) return;
            }
        run.expect_same_counters("after three passes");
        if (testing::Test::HasFailure()) return;
    }
    std::printf("random cases: %llu packets replayed from the cache\n", static_cast<unsigned long long>(replayed));
    if (make == test::make_random_case) {
        EXPECT_GT(replayed, 0u);
    }
}

TEST(FlowCache, RandomCasesAnswerAsWithoutIt) { expect_random_cases_agree(test::make_random_case, 120); }
TEST(FlowCache, RandomIpv6CasesAnswerAsWithoutIt) { expect_random_cases_agree(test::make_random_case6, 120); }

TEST(FlowCache, RealRulesetsAnswerAsWithoutIt) {
    std::filesystem::path dir;
    test::SharedRulesetNotes notes;
    const auto cases = test::shared_ruleset_cases(dir, notes);
    ASSERT_GE(cases.size(), 13u) << "the real rulesets under " << dir;
    for (const auto& c : cases) {
        SCOPED_TRACE(c.rel);
        const Host host = Host::from_json(c.host_json, c.rel);
        PacketPath path(c.rs, host, c.ipsets ? &*c.ipsets : nullptr);
        CachedAndNot run(path);
        for (std::uint64_t pass = 0; pass < 3; ++pass)
            for (std::size_t i = 0; i < c.traffic.size(); ++i) {
                Packet p = c.traffic[i].first;
                p.timestamp_ns += pass * 1000000000ull;
                run.feed(p, c.traffic[i].second, "pass " + std::to_string(pass) + " packet " + std::to_string(i));
                if (HasFailure()) return;
            }
        run.expect_same_counters("after three passes");
    }
}

// A cause that must stop a replay: a ruleset, packets, and which of them replay ('R') or walk
// ('W'), written by hand. A replay the cause should have stopped gives another answer than the
// path without the cache (a counter, a verdict, an answer), which CachedAndNot reports.
struct InvalidationCase {
    const char* name;
    const char* rules;
    std::vector<const char*> packets;  // packet descriptions (from the wire, or "from local")
    const char* pattern;
};

constexpr const char* kForwardHead = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n";
#define OUT "udp 192.0.2.10:5000 > 198.51.100.7:53 in=lan0"
#define BACK "udp 198.51.100.7:53 > 192.0.2.10:5000 in=wan1"
#define SELF "udp 203.0.113.1:5000 > 203.0.113.1:53 from local"
#define PING "icmp 192.0.2.10 > 198.51.100.7 type=8/0 id=7 in=lan0"
#define PONG "icmp 198.51.100.7 > 192.0.2.10 type=0/0 id=7 in=wan1"

std::string forward_rules(const std::string& rules) { return kForwardHead + rules + "COMMIT\n"; }

const std::vector<InvalidationCase>& invalidation_cases() {
    static const std::vector<InvalidationCase> cases = {
        {"conntrack state: NEW, then ESTABLISHED once a reply is seen",
         "-A FORWARD -m conntrack --ctstate NEW -j ACCEPT\n-A FORWARD -m conntrack --ctstate ESTABLISHED -j ACCEPT\n",
         {OUT, OUT, OUT, BACK, OUT, OUT},
         "WWRWWR"},
        {"conntrack status: ASSURED set by the second reply",
         "-A FORWARD -m conntrack --ctstatus ASSURED\n-A FORWARD -j ACCEPT\n",
         {OUT, BACK, OUT, OUT, BACK, OUT, OUT},
         "WWWRWWR"},
        {"the key: TOS", "-A FORWARD -m tos --tos 0x10/0xff\n-A FORWARD -j ACCEPT\n", {OUT, OUT, OUT " tos=16", OUT " tos=16", OUT}, "WWWRW"},
        {"the key: TTL", "-A FORWARD -m ttl --ttl-lt 10\n-A FORWARD -j ACCEPT\n", {OUT, OUT, OUT " ttl=5", OUT " ttl=5", OUT " ttl=1"}, "WWWRW"},
        {"the key: the arrival device",
         "-A FORWARD -i lan0 -j ACCEPT\n",
         {OUT, OUT, OUT, "udp 192.0.2.10:5000 > 198.51.100.7:53 in=wan1", OUT},
         "WWRWW"},
        {"the key: the source MAC",
         "-A FORWARD -m mac --mac-source 02:00:00:00:09:01\n-A FORWARD -j ACCEPT\n",
         {OUT " mac=02:00:00:00:09:01", OUT " mac=02:00:00:00:09:01", OUT " mac=02:00:00:00:09:01", OUT " mac=02:00:00:00:09:02",
          OUT " mac=02:00:00:00:09:02"},
         "WWRWR"},
        {"the key: the ICMP code",
         "-A FORWARD -p icmp --icmp-type 8/1\n-A FORWARD -j ACCEPT\n",
         {"icmp 192.0.2.10 > 198.51.100.7 type=8/0 id=7 in=lan0", "icmp 192.0.2.10 > 198.51.100.7 type=8/0 id=7 in=lan0",
          "icmp 192.0.2.10 > 198.51.100.7 type=8/0 id=7 in=lan0", "icmp 192.0.2.10 > 198.51.100.7 type=8/1 id=7 in=lan0",
          "icmp 192.0.2.10 > 198.51.100.7 type=8/1 id=7 in=lan0"},
         "WWRWR"},
        {"a tested rule reads TCP flags: never recorded",
         "-A FORWARD -p tcp -m tcp --tcp-flags FIN FIN\n-A FORWARD -j ACCEPT\n",
         {"tcp 192.0.2.10:40000 > 198.51.100.7:80 in=lan0 flags=S seq=100", "tcp 198.51.100.7:80 > 192.0.2.10:40000 in=wan1 flags=SA seq=500 ack=101",
          "tcp 192.0.2.10:40000 > 198.51.100.7:80 in=lan0 flags=A seq=101 ack=501",
          "tcp 192.0.2.10:40000 > 198.51.100.7:80 in=lan0 flags=A seq=101 ack=501",
          "tcp 192.0.2.10:40000 > 198.51.100.7:80 in=lan0 flags=FA seq=101 ack=501"},
         "WWWWW"},
        {"a tested rule reads the length: never recorded",
         "-A FORWARD -m length --length 500:65535\n-A FORWARD -j ACCEPT\n",
         {OUT, OUT, OUT " len=600"},
         "WWW"},
        {"a tested rule keeps state (limit): never recorded",
         "-A FORWARD -m limit --limit 1/hour --limit-burst 1 -j ACCEPT\n",
         {OUT, OUT, OUT},
         "WWW"},
        {"a rule that reads TCP flags but fails on its addresses first does not stop the replay",
         "-A FORWARD -s 198.51.100.0/24 -p tcp -m tcp --tcp-flags FIN FIN -j DROP\n-A FORWARD -j ACCEPT\n",
         {OUT, OUT, OUT, OUT},
         "WWRR"},
        {"the connection's mark, set by a reply's walk (CONNMARK): the next request walks",
         "*mangle\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -m tos --tos 0x10/0xff -j CONNMARK --set-mark 0x1\nCOMMIT\n"
         "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -m connmark --mark 0x1\n-A FORWARD -j ACCEPT\nCOMMIT\n",
         {PING, PONG, PING, PING, PONG " tos=16", PING, PING},
         "WWWRWWR"},
        {"an ICMP redirect (its per-source backoff decides whether the next one is sent): never recorded",
         "-A FORWARD -j ACCEPT\n",
         {"udp 192.0.2.10:5000 > 192.0.2.20:53 in=lan0", "udp 192.0.2.10:5000 > 192.0.2.20:53 in=lan0", "udp 192.0.2.10:5000 > 192.0.2.20:53 in=lan0",
          "udp 192.0.2.10:5000 > 192.0.2.20:53 in=lan0"},
         "WWWW"},
        {"the host's own packets to its WAN address, over lo, replay; another socket owner walks (the owner match reads it)",
         "-A OUTPUT -m owner --uid-owner 1000\n-A INPUT -i lo -j ACCEPT\n",
         {SELF " uid=0", SELF " uid=0", SELF " uid=0", SELF " uid=1000", SELF " uid=1000", SELF " uid=0"},
         "WWRWRW"},
        {"a datagram too long for the way out (its route's MTU 1300), DF set",
         "-A FORWARD -j ACCEPT\n",
         {"udp 192.0.2.10:5000 > 198.51.100.70:53 in=lan0 len=1000", "udp 192.0.2.10:5000 > 198.51.100.70:53 in=lan0 len=1000",
          "udp 192.0.2.10:5000 > 198.51.100.70:53 in=lan0 len=1000", "udp 192.0.2.10:5000 > 198.51.100.70:53 in=lan0 len=1360"},
         "WWRW"},
    };
    return cases;
}

class FlowCacheInvalidation : public testing::TestWithParam<std::size_t> {};

TEST_P(FlowCacheInvalidation, StopsTheReplayWhereTheAnswerCouldDiffer) {
    const InvalidationCase& k = invalidation_cases()[GetParam()];
    SCOPED_TRACE(k.name);
    const std::string text = std::string(k.rules).find("*filter") == std::string::npos ? forward_rules(k.rules) : k.rules;
    // Conntrack runs only with a rule that needs it: every fixture has one (a state rule at least).
    const Ruleset rs = parse_ruleset(text + "*raw\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -m conntrack --ctstate INVALID\nCOMMIT\n", {});
    const Host host = router_host();
    PacketPath path(rs, host);
    CachedAndNot run(path);
    std::string pattern;
    for (std::size_t i = 0; i < k.packets.size(); ++i) {
        const PacketDescription d = parse_packet_description(k.packets[i], "fixture");
        Packet p = d.packet;
        p.timestamp_ns = 1000000000ull * (i + 1);
        pattern += run.feed(p, d.local ? Origin::local : Origin::wire, "packet " + std::to_string(i) + ": " + k.packets[i]) ? 'R' : 'W';
    }
    run.expect_same_counters("at the end");
    EXPECT_EQ(pattern, k.pattern) << "which packets replayed (R) and walked (W)";
}

INSTANTIATE_TEST_SUITE_P(Causes, FlowCacheInvalidation, testing::Range(std::size_t{0}, invalidation_cases().size()));

// A PathState moved to another path (a ruleset swapped for one of the same shape) forgets what
// it recorded under the first: the same flow's next packet walks, and the second path decides it.
TEST(FlowCache, AnotherPathForgetsEveryRecordedFlow) {
    const std::string tail = "*raw\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -m conntrack --ctstate INVALID\nCOMMIT\n";
    const Ruleset accept = parse_ruleset(forward_rules("-A FORWARD -j ACCEPT\n") + tail, {});
    const Ruleset drop = parse_ruleset(forward_rules("-A FORWARD -j DROP\n") + tail, {});
    const Host host = router_host();
    PacketPath first(accept, host), second(drop, host);
    PathState st(accept, EngineOptions{}, host.sysctl());
    PathResult res;
    for (int i = 0; i < 3; ++i) {
        Packet p = test::packet(OUT);
        p.timestamp_ns = 1000000000ull * static_cast<std::uint64_t>(i + 1);
        first.process(p, Origin::wire, st, res);
        EXPECT_EQ(res.fate, Fate::forwarded);
    }
    EXPECT_EQ(st.flow_cache.stats.replayed, 1u);
    Packet p = test::packet(OUT);
    p.timestamp_ns = 4000000000ull;
    second.process(p, Origin::wire, st, res);
    EXPECT_EQ(res.fate, Fate::dropped);
    EXPECT_EQ(st.flow_cache.stats.replayed, 1u);
}

// Bursts (PacketPath::process_burst) give what one packet after another gives: per packet the
// same result, and at the end the same counters, connections and flow-cache tallies (the same
// packets replayed, walked, recorded and missed for the same reasons). Burst sizes vary, one past
// max_burst among them, so flows begin, change state and end inside a burst and across bursts.
std::string tallies(const FlowCacheStats& s) {
    std::ostringstream os;
    os << "replayed=" << s.replayed << " walked=" << s.walked << " recorded=" << s.recorded << " misses";
    for (std::uint64_t m : s.misses) os << " " << m;
    os << " refusals";
    for (std::uint64_t r : s.refusals) os << " " << r;
    return os.str();
}

struct BurstsAndNot {
    const PacketPath& path;
    PathState bursts, one_by_one;
    PathResult rb, r1;
    std::size_t burst_sizes_used = 0;
    explicit BurstsAndNot(const PacketPath& p)
        : path(p), bursts(p.ruleset(), {}, p.host().sysctl()), one_by_one(p.ruleset(), {}, p.host().sysctl()) {}
    // Feeds `packets` in bursts of the sizes in turn; a difference fails the test.
    void feed(const std::vector<Packet>& packets, const std::vector<Origin>& origins, const std::string& what) {
        static constexpr std::size_t sizes[] = {1, 32, 5, PacketPath::max_burst + 1, 2, 17};
        std::vector<const Packet*> burst;
        std::vector<std::string> seen;
        for (std::size_t at = 0; at < packets.size();) {
            const std::size_t n = std::min(sizes[burst_sizes_used++ % std::size(sizes)], packets.size() - at);
            burst.clear();
            seen.clear();
            for (std::size_t i = at; i < at + n; ++i) burst.push_back(&packets[i]);
            path.process_burst(burst, std::span(origins).subspan(at, n), bursts, rb, [&](std::size_t i, const PathResult& r) {
                EXPECT_EQ(i, seen.size());
                seen.push_back(describe(r));
            });
            ASSERT_EQ(seen.size(), n) << what;
            for (std::size_t i = 0; i < n; ++i) {
                path.process(packets[at + i], origins[at + i], one_by_one, r1);
                ASSERT_EQ(seen[i], describe(r1)) << what << ": packet " << at + i << " (burst of " << n << ", its packet " << i << ")";
            }
            at += n;
        }
    }
    void expect_same_state(const std::string& what) const {
        EXPECT_EQ(format_ruleset(path.ruleset(), &bursts.engine), format_ruleset(path.ruleset(), &one_by_one.engine)) << what;
        EXPECT_EQ(bursts.conntrack.size(), one_by_one.conntrack.size()) << what;
        EXPECT_EQ(tallies(bursts.flow_cache.stats), tallies(one_by_one.flow_cache.stats)) << what;
    }
};

// The router workload, three passes as the replay dataplane makes them, under every engine.
TEST(PathBursts, RouterWorkloadAnswersAsPacketByPacket) {
    on_router_workload_under_every_engine("router-bursts.pcapng", [](const PacketPath& path, LoadedCapture& cap) {
        BurstsAndNot run(path);
        for (std::uint64_t pass = 0; pass < 3; ++pass) {
            if (pass)
                for (Packet& p : cap.packets) p.timestamp_ns += cap.span_ns + 1000000000ull;
            run.feed(cap.packets, cap.origins, "pass " + std::to_string(pass));
            if (testing::Test::HasFailure()) return;
        }
        run.expect_same_state("after three passes");
        // The burst stages did their work: most packets replayed, their lookups prepared.
        EXPECT_GT(run.bursts.flow_cache.stats.replayed * 2, 3 * cap.packets.size()) << tallies(run.bursts.flow_cache.stats);
    });
}

// Traffic of a random case or a real ruleset, three times over (a second later each time).
void expect_bursts_agree(const PacketPath& path, const std::vector<std::pair<Packet, Origin>>& traffic) {
    BurstsAndNot run(path);
    std::vector<Packet> packets;
    std::vector<Origin> origins;
    for (const auto& [p, origin] : traffic) packets.push_back(p), origins.push_back(origin);
    for (std::uint64_t pass = 0; pass < 3; ++pass) {
        for (Packet& p : packets) p.timestamp_ns += 1000000000ull;
        run.feed(packets, origins, "pass " + std::to_string(pass));
    }
    run.expect_same_state("after three passes");
}

TEST(PathBursts, RandomCasesAndRealRulesetsAnswerAsPacketByPacket) {
    for (auto make : {test::make_random_case, test::make_random_case6})
        for (int seed = 1; seed <= 120; ++seed) {
            const test::RandomCase rc = make(static_cast<std::uint64_t>(seed));
            SCOPED_TRACE("seed " + std::to_string(seed) + "\n" + rc.rules);
            RulesetParseOptions opt;
            opt.family = rc.family;
            Ruleset rs = parse_ruleset(rc.rules, opt);
            rs.backend = rc.legacy ? Backend::legacy : Backend::nf_tables;
            const Host host = Host::from_json(rc.host_json, "random case");
            expect_bursts_agree(PacketPath(rs, host), rc.packets);
            if (HasFailure()) return;
        }
    std::filesystem::path dir;
    test::SharedRulesetNotes notes;
    const auto cases = test::shared_ruleset_cases(dir, notes);
    ASSERT_GE(cases.size(), 13u) << "the real rulesets under " << dir;
    for (const auto& c : cases) {
        SCOPED_TRACE(c.rel);
        const Host host = Host::from_json(c.host_json, c.rel);
        expect_bursts_agree(PacketPath(c.rs, host, c.ipsets ? &*c.ipsets : nullptr), c.traffic);
        if (HasFailure()) return;
    }
}

}  // namespace
}  // namespace fwbench
