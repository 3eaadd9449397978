#pragma once
// The kernel's IPv4 packet path, offline: what happens to a packet from the wire or from a
// local socket, hook by hook and table by table, with routing, conntrack and NAT in between.
//
// How (net/ipv4/ip_input.c, ip_output.c, route.c, ip_forward.c):
//  - From the wire on NIC X: PREROUTING (raw, conntrack, mangle, nat) with in = X; input routing
//    (martians, source validation, rp_filter, route_localnet); then either local delivery,
//    INPUT (mangle, filter, security, nat) with in = X, or forwarding (ip_forward, TTL), FORWARD
//    (mangle, filter, security) with in = X and out = the route's device, then POSTROUTING
//    (mangle, nat) with out only.
//  - Locally generated: output routing first; a route of type local sends it over lo
//    (ip_route_output_key_hash_rcu), whatever device holds the address. OUTPUT (raw, conntrack,
//    mangle, nat, filter, security) and POSTROUTING with out = that device; a changed
//    destination, mark or TOS reroutes. Over lo it comes back: PREROUTING and INPUT with in = lo,
//    its conntrack entry carried over and its route kept (no martian checks).
//  - NAT chains see only the first packet of a connection; later packets, both directions, get
//    the connection's mapping. Conntrack confirms at the last hook; an earlier drop leaves nothing.
//  - Drops outside netfilter get named reasons (DropReason) and a typed detail (DropDetail).
//  - Fragments (reassembly.hpp): with conntrack (or -m socket), nf_defrag holds them before PREROUTING and
//    OUTPUT and the datagram goes on whole with the last to come (the others' fate: held);
//    IPv4's local delivery reassembles before INPUT with or without conntrack.
//
// Files: packet_path.cpp (hooks, tables, conntrack's place), routing.cpp (input and output
// routing, martians, rp_filter), nat.cpp (bindings and rewriting), path_trace.cpp (the words).
//
// State: a PathState holds the counters, the stateful matches and the connection table of one
// run; the Ruleset, the Host and the engine are shared and immutable.
//
// Costs: with tracing off and a reused PathResult, process() allocates nothing once its state
// has warmed up (tests/allocation_test.cpp counts): no text is built, events are only recorded
// when tracing, and conntrack recycles its entries.

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "fwbench/classifier.hpp"
#include "fwbench/conntrack.hpp"
#include "fwbench/fate.hpp"
#include "fwbench/flow_cache.hpp"
#include "fwbench/host.hpp"
#include "fwbench/path_trace.hpp"
#include "fwbench/reassembly.hpp"

namespace fwbench {

// The tables hook h passes, in the kernel's priority order under this backend ("raw", "mangle",
// ...): the order the packet path walks them.
std::vector<std::string_view> tables_in_hook_order(Hook h, Backend backend);

struct HookWalk {
    Hook hook;
    std::size_t table;  // index in the Ruleset
    const char* table_name;
    WalkResult walk;
    std::vector<RuleVisit> visits;  // when tracing
    IfaceName in, out;
    // When tracing: the packet as this walk began (a pointer, so that a walk recorded without
    // tracing does not build a few hundred bytes of Packet it never reads).
    std::shared_ptr<const Packet> seen;
};

// Why a REJECT sent nothing back (the kernel's own refusals, nf_reject_ipv4.c and __icmp_send).
enum class AnswerWithheld : std::uint8_t {
    none,
    reset_to_reset,  // no RST for a RST
    no_tcp_header,  // tcp-reset for a packet without a readable TCP header
    fragment,  // not the first fragment
    broadcast,  // no ICMP error about a broadcast or multicast packet
    not_for_host,  // no ICMP error about a frame not addressed to this host
    about_an_error,  // no ICMP error about an ICMP error
    rate_limited,  // icmp_ratelimit's per-destination bucket was empty
    route_error_limited,  // ip_error's per-source limit (one a second, five at once) was spent
    redirect_backoff,  // ip_rt_send_redirect's backoff for the source (or its nine were sent)
    source_not_one_node,  // icmp6_send: no error to an unspecified or multicast source
    anycast_source,  // icmpv6_route_lookup: no error to an anycast source (error_anycast_as_unicast 0)
    // IPv6 redirects (ip6_forward, ndisc_send_redirect)
    redirect6_limited,  // the redirected packet's destination's or source's peer bucket (1 a second, 6 at once) was empty
    no_link_local,  // the arrival device has no link-local address to send it from
    target_not_link_local,  // the next hop is neither the destination nor a link-local address
    source_not_neighbour,  // the route back to the source goes through a gateway
    // nf_reject's reject6_csum_ok: the transport checksum no longer verifies (NPT translated an
    // address outside its prefix); assumed not verified before (no NIC offload had)
    checksum,
    // nf_reject_verify_csum: a protocol without a checksum of its own (IPComp, one fwbench does
    // not parse) is verified as if its payload carried TCP's; assumed not to sum so
    unchecksummed_protocol,
};
const char* answer_withheld_name(AnswerWithheld w);

// The per-peer state of the ICMP messages the kernel sends (inet_peer rate_tokens, rate_last,
// n_redirects): icmp_send's bucket per destination, ip_error's per source of a packet routing
// refused and ip_rt_send_redirect's backoff per source of a redirected packet. The source is the
// message's destination: all three read and write one peer.
class IcmpPeers {
public:
    bool allow(std::uint32_t dst, std::uint64_t now_ns, int ratelimit_ms, unsigned hz);
    bool allow_route_error(std::uint32_t src, std::uint64_t now_ns, unsigned hz);
    bool allow_redirect(std::uint32_t src, std::uint64_t now_ns, unsigned hz);
    // icmpv6_xrlim_allow's bucket for an IPv6 destination (the IPv6 peers are a table of their
    // own): `timeout` jiffies a message.
    bool allow6(const IpAddr& dst, std::uint64_t now_ns, std::uint64_t timeout, unsigned hz);
    // Whether any answer was paced (a peer's bucket exists): state across flows.
    bool used() const { return !peers_.empty() || !peers6_.empty(); }

private:
    struct Bucket {
        std::uint64_t tokens = 0;  // jiffies
        std::int64_t last = 0;  // jiffies: a new peer's is 60 s before its first use
        unsigned redirects = 0;
    };
    Bucket& peer(std::uint32_t addr, std::int64_t now, unsigned hz);  // inet_getpeer, creating it
    static bool xrlim_allow(Bucket& b, std::int64_t now, std::uint64_t timeout);  // inet_peer_xrlim_allow
    std::unordered_map<std::uint32_t, Bucket> peers_;
    std::map<std::array<std::uint8_t, 16>, Bucket> peers6_;
};

struct PathResult {
    Fate fate = Fate::dropped;
    DropReason reason = DropReason::none;
    DropDetail detail;  // a drop outside netfilter: which check, about what (drop_detail_text)
    std::vector<HookWalk> walks;  // every table walk, in order
    std::vector<Hook> hooks;  // every hook the packet reached, in order (lo: twice the path)
    std::vector<PathEvent> trace;  // when tracing: routing/conntrack/NAT events and walks in order
    Packet final_packet;  // as delivered or sent (after NAT, TTL)
    IpAddr source;  // local packets: the source address output routing chose
    IfaceName out_iface;  // sent/forwarded through
    // Forwarded: the way out's MTU (the route's mtu metric, else the device's; 0 when the host
    // does not say). A datagram without DF larger than it leaves in fragments (ip_fragment).
    unsigned out_mtu = 0;
    CtState ct_state = CtState::untracked;
    // The outcome rests on the assumption that no NIC verified a transport checksum before NPT
    // broke it: REJECT withheld its answer, or NAT dropped a RELATED ICMPv6 error, for the broken sum
    // (an offloading NIC that had verified it would let both go).
    bool checksum_assumed = false;
    // Packets the kernel sent itself because of this one (REJECT's answer): each walked the
    // hooks after this packet's deciding walk; its walks are walks[first_walk, end_walk).
    struct Answer {
        Packet packet;  // as it crossed out_iface (after POSTROUTING); else as it was dropped
        Packet cause;  // the packet answered, as the kernel held it then (what an ICMP error quotes)
        std::uint32_t icmp_info = 0;  // an ICMP error's second word: a redirect's gateway
        Fate fate = Fate::dropped;
        // The device it left through: lo when it came back in to this host (delivered, or
        // dropped in PREROUTING/INPUT); empty when it never left.
        IfaceName out_iface;
        std::size_t first_walk = 0, end_walk = 0;
        bool by_rule = false;  // sent by a REJECT rule while it ran (else by the path or the stack)
        bool by_stack = false;  // the host's own stack answering a packet delivered to it
        // A copy -j TEE sent (not an answer: the packet itself as the rule saw it, untracked),
        // while walks[tee_walk] ran, at its visit tee_visit (when tracing).
        bool tee_copy = false;
        std::size_t tee_walk = 0, tee_visit = 0;
        DropReason reason = DropReason::none;  // dropped: why (DropReason::netfilter: by a rule of its walks)
        DropDetail detail;
    };
    std::vector<Answer> answers;
    // The packet's own walks are those outside every answer's [first_walk, end_walk): a REJECT's
    // answers and time exceeded follow them, a redirect comes between PREROUTING's and FORWARD's.
    bool is_own_walk(std::size_t i) const {
        for (const Answer& a : answers)
            if (i >= a.first_walk && i < a.end_walk) return false;
        return true;
    }
    const HookWalk* last_own_walk() const {
        for (std::size_t i = walks.size(); i-- > 0;)
            if (is_own_walk(i)) return &walks[i];
        return nullptr;
    }

    // Back to a fresh result, keeping the vectors' storage (a replay loop reuses one result).
    void reset() {
        fate = Fate::dropped;
        reason = DropReason::none;
        detail = DropDetail{};
        walks.clear();
        hooks.clear();
        trace.clear();
        final_packet = Packet{};
        out_mtu = 0;
        source = IpAddr{};
        out_iface = IfaceName();
        ct_state = CtState::untracked;
        checksum_assumed = false;
        answers.clear();
    }
};

// Who sends an answer: a REJECT rule, the path itself (time exceeded, routing's errors, redirects,
// fragmentation needed) or the host's stack for a delivered packet (tcp_v4_send_reset, a SYN-ACK,
// port unreachable).
// Who sends an answer: a rule (REJECT), the path (ICMP errors, RELATED to the packet's
// connection), the stack's sockets, or neighbour discovery (an IPv6 redirect: attached to no
// connection, and INVALID to conntrack, which neither tracks nor relates type 137).
// tee: not an answer but -j TEE's copy of the packet, sent the same way (nf_dup_ipv4/ipv6).
enum class AnswerFrom : std::uint8_t { rule, path, stack, ndisc, tee, synproxy };

// The connections the host's sockets hold — its own (a local packet came from a socket) and those
// its listeners took (after their SYN-ACK) — learned while the path answers for the stack: the
// socket answers those as its state says, which fwbench does not model. IPv4 only.
class StackConnections {
public:
    void add(std::uint8_t proto, const IpAddr& local, std::uint16_t lport, const IpAddr& remote, std::uint16_t rport) {
        keys_.insert(key(proto, local, lport, remote, rport));
    }
    bool has(std::uint8_t proto, const IpAddr& local, std::uint16_t lport, const IpAddr& remote, std::uint16_t rport) const {
        return keys_.count(key(proto, local, lport, remote, rport)) != 0;
    }

private:
    struct Key {
        std::uint64_t addrs, ports;  // local << 32 | remote; proto << 32 | lport << 16 | rport
        bool operator==(const Key&) const = default;
    };
    static Key key(std::uint8_t proto, const IpAddr& local, std::uint16_t lport, const IpAddr& remote, std::uint16_t rport) {
        return {(std::uint64_t{local.v4_host()} << 32) | remote.v4_host(), (std::uint64_t{proto} << 32) | (std::uint64_t{lport} << 16) | rport};
    }
    struct Hash {
        std::size_t operator()(const Key& k) const { return std::hash<std::uint64_t>()(k.addrs * 0x9e3779b97f4a7c15ull ^ k.ports); }
    };
    std::unordered_set<Key, Hash> keys_;
};

struct PathState {
    PathState(const Ruleset& rs, const EngineOptions& eopt, const Sysctls& sys)
        : engine(rs, eopt), conntrack(ConntrackOptions{sys.tcp_loose, sys.tcp_be_liberal, sys.tcp_ignore_invalid_rst, sys.tcp_max_retrans}) {}
    EngineState engine;
    Conntrack conntrack;
    IcmpPeers icmp_peers;
    Reassembly reassembly;
    // Apply icmp_ratelimit. Off for a kernel replay that is not paced: the kernel's clock then runs
    // faster than the capture's, so the oracle turns the limit off too (KernelOracleOptions::pace).
    // ip_error's own limit (route/error_cost, a global sysctl a namespace cannot change) still
    // holds there: with the clock taken as stopped, each source gets routing's first five errors.
    bool icmp_rate_limit = true;
    // Answer for the host's own stack (a SYN-ACK from a listener, a reset or port unreachable
    // from a closed port) when the host lists its sockets. CaptureAnalysis turns it off for a
    // capture: that holds the stack's real answers (their sequence numbers are the kernel's
    // secret), counted as the local packets they are.
    bool stack_answers = true;
    StackConnections stack_connections;
    // Replays the paths of flows it has seen (flow_cache.hpp); `flow_cache.enabled = false`
    // walks every packet. Either way every answer is the same.
    FlowCache flow_cache;
};

// What fwbench takes to be so when -j TPROXY looks for a transparent socket on `host`: which
// sockets are transparent no listing shows. Every decision rests on it when the host lists no
// sockets; with a listing, each packet handed to a listed socket.
const char* tproxy_assumption(const Host& host);

class PacketPath {
public:
    // `engine` walks the tables (built on the same rs, host and ipsets; every engine gives the
    // same answers); none: the linear reference.
    PacketPath(const Ruleset& rs, const Host& host, const IpsetRegistry* ipsets = nullptr, std::shared_ptr<const Classifier> engine = nullptr);

    // For wire packets p.in names the arrival interface; for local ones p.src may be left
    // unspecified (zero) to let routing choose it, and p.has_socket/uid/gid describe the socket.
    PathResult process(Packet p, Origin origin, PathState& st, bool trace = false) const;
    // The same into `res` (reset first): its storage is reused, so a loop over packets does not
    // allocate a result per packet.
    void process(const Packet& p, Origin origin, PathState& st, PathResult& res, bool trace = false) const;

    // A burst in order, each packet exactly as process() would take it one after the other (the
    // same results, counters and state): `done(i, res)` sees packet i's result in `res`, which is
    // reused. The burst goes through stages as VPP's vectors do, for what misses the cache at
    // scale, the connection table: every packet's conntrack tuple and hash are computed and its
    // slot prefetched, then the connection each slot holds is prefetched, then each packet takes
    // its path with its lookup prepared. The stages before the path only read and prefetch, and a
    // tuple and hash depend on the packet alone: the path still looks the entry up in its turn.
    static constexpr std::size_t max_burst = 64;
    template <class Done>
    void process_burst(std::span<const Packet* const> packets, std::span<const Origin> origins, PathState& st, PathResult& res, Done&& done) const {
        std::array<CtLookahead, max_burst> ahead;
        for (std::size_t at = 0; at < packets.size(); at += max_burst) {
            const std::size_t n = std::min(max_burst, packets.size() - at);
            prepare_burst(packets.subspan(at, n), origins.subspan(at, n), st, std::span(ahead).first(n));
            for (std::size_t i = 0; i < n; ++i) {
                process_prepared(*packets[at + i], origins[at + i], st, res, &ahead[i], false);
                done(at + i, static_cast<const PathResult&>(res));
            }
        }
    }

    // Why a rule did not match a packet: its first condition that fails, in evaluation order
    // (ip_header_mismatch, then the matches), e.g. "-s 127.0.0.0/8: source 203.0.113.1 is not in
    // 127.0.0.0/8". Stateful matches are not re-evaluated (that would change their state): they
    // are named as the likely cause.
    std::string why_not(const Rule& rule, const Packet& seen, Hook hook) const;

    const Ruleset& ruleset() const { return rs_; }
    const Host& host() const { return host_; }
    const Classifier& engine() const { return *engine_; }
    const FlowRuleFacts& flow_facts() const { return flow_facts_; }
    // Whether conntrack runs at all: since Linux 4.10 its hooks are registered in a network
    // namespace only when a rule needs it (state, conntrack, connmark, connlimit, NAT and CT
    // targets). Without it packets carry no connection, and nat chains see nothing.
    bool conntrack_active() const { return conntrack_active_; }
    // Whether a -m string, -m u32 or -m bpf of the ruleset reads packets' bytes (Packet::bytes): callers that hold
    // them keep them for the walks.
    bool reads_bytes() const { return reads_bytes_hooks_ != 0; }

private:
    struct Ctx;
    void prepare_burst(std::span<const Packet* const> packets, std::span<const Origin> origins, PathState& st, std::span<CtLookahead> ahead) const;
    // process() with the packet's conntrack lookup prepared by prepare_burst (null: not prepared).
    void process_prepared(const Packet& p, Origin origin, PathState& st, PathResult& res, const CtLookahead* ahead, bool trace) const;
    void walk_path(Ctx& c) const;
    // The flow cache (flow_cache.cpp's rules, packet_path_flows.cpp): whether a packet may
    // replay; the replay, true when it happened (else `tracked` may hold conntrack's answer,
    // which the walk then uses instead of asking again); recording a walked packet's path.
    bool flow_candidate(const Packet& p, Origin origin, const PathState& st, bool trace) const;
    bool replay_flow(const Packet& p, Origin origin, PathState& st, PathResult& res, const CtLookahead* ahead,
                     std::optional<CtAttachment>& tracked) const;
    void refuse_flow(Ctx& c, FlowRefusal why, std::size_t rule = ~std::size_t{0}) const;
    void record_flow(Ctx& c) const;
    bool run_hook(Ctx& c, Hook hook, bool loopback_in = false) const;
    void track(Ctx& c, Hook hook) const;
    const WalkResult& walk_table(Ctx& c, Hook hook, int table, const char* name, const IfaceName& in, const IfaceName& out) const;
    bool route_input(Ctx& c) const;
    // nf_defrag (PREROUTING, OUTPUT) or ip_local_deliver: false when the fragment stays queued or
    // is refused; true with c.p the whole datagram (or a fragment let through as it is).
    bool defragment(Ctx& c, DefragUser user) const;
    bool deliver_locally(Ctx& c) const;
    bool drop_at_routing(Ctx& c, bool output, DropReason r, const DropDetail& detail) const;
    void loop_back_copy(Ctx& c, PktType pkttype) const;
    void loop_back_broadcast(Ctx& c) const;
    bool route_output(Ctx& c, bool reroute) const;
    // IPv6 (routing6.cpp): ip6_rcv_core's drops, input routing, ip6_forward's checks up to FORWARD,
    // output routing with source selection.
    bool receive6(Ctx& c) const;
    bool route_input6(Ctx& c) const;
    bool forward6(Ctx& c) const;
    bool route_mtu_exceeded6(Ctx& c) const;
    bool gro_merged(const Ctx& c, unsigned mtu) const;
    bool route_output6(Ctx& c, bool reroute) const;
    // ip_forward up to FORWARD: TTL, DF and the MTU, the TTL's decrement, a redirect.
    bool forward4(Ctx& c) const;
    bool reroute_if_changed(Ctx& c) const;
    // False: the target drops the packet (no address to map to).
    bool nat_bind(Ctx& c, Hook hook, const NatTarget* nat) const;
    // -j TPROXY's verdict (tproxy.cpp): true when a socket takes the packet (its mark then set
    // and the socket assigned), false when the target drops it.
    bool tproxy(Ctx& c, const Target& target) const;
    // -j SYNPROXY's end of a walk (synproxy.cpp): a client's SYN answered, an ACK refused (its
    // cookie's validity is the host's secret); false: the packet goes no further.
    bool synproxy(Ctx& c, const Target& target) const;
    IpAddr tproxy_local_address(const Ctx& c) const;

public:
    struct NatRange2;  // nat.cpp

private:
    void setup_nat(Ctx& c, const NatRange2& range, bool src) const;
    ConnTuple unique_tuple(Ctx& c, const ConnTuple& orig, const NatRange2& range, bool src) const;
    void choose_nat_key(Ctx& c, ConnTuple& t, const NatRange2& range, bool src) const;
    struct NatPortSearch {
        bool found = false;
        std::uint32_t tries = 0;
    };
    // `key` is a field of `t`.
    NatPortSearch search_nat_key(Ctx& c, ConnTuple& t, std::uint16_t& key, std::uint16_t offset, std::uint32_t min, std::uint32_t size) const;
    std::uint32_t free_nat_keys(Ctx& c, ConnTuple& t, std::uint16_t& key, std::uint32_t min, std::uint32_t size) const;
    void nat_apply(Ctx& c, Hook hook) const;
    void finish(Ctx& c, Fate fate) const;
    unsigned mtu_exceeded(const Ctx& c) const;
    unsigned way_out_mtu(const Ctx& c) const;  // the route's mtu metric, else the out device's (0: unknown)
    // TCPMSS --clamp-mss-to-pmtu's MTU (Packet::path_mtu), or 0 with `unknown` naming a device
    // whose MTU the host description does not give.
    unsigned tcpmss_path_mtu(const Ctx& c, IfaceName& unknown) const;
    // A local packet after OUTPUT: POSTROUTING, then out of its device or back in over lo.
    void leave_from_output(Ctx& c) const;
    void send_reject_answer(Ctx& c, const RejectTarget& reject) const;
    void send_icmp_error(Ctx& c, std::uint8_t type, std::uint8_t code, AnswerFrom from, std::uint32_t info = 0) const;
    // icmp6_send: an ICMPv6 error about the packet (`info`: packet too big's MTU).
    void send_icmp6_error(Ctx& c, std::uint8_t type, std::uint8_t code, AnswerFrom from, std::uint32_t info = 0) const;
    // ip_rt_send_redirect: a redirect to the source of a packet forwarded back out of its
    // arrival device, naming the next hop, after the per-source backoff.
    void send_redirect(Ctx& c) const;
    // ip6_forward / ndisc_send_redirect: a redirect to the source of a packet forwarded back out
    // of its arrival device, before FORWARD; the packet goes on.
    void send_redirect6(Ctx& c) const;
    void loop_back_multicast6(Ctx& c) const;
    // ip_error: destination unreachable for a packet routing refused (no route, unreachable or
    // prohibit route) while forwarding, after its own per-source limit.
    void send_route_error(Ctx& c, std::uint8_t code) const;
    void withhold_answer(Ctx& c, AnswerWithheld why) const;
    bool rate_limit_allows(const Ctx& c, const Ctx& answer) const;
    // nf_ct_attach: a REJECT's or the path's answer carries its cause's connection; the stack's
    // are looked up in OUTPUT like any local packet (tcp_v4_send_reset builds a new one,
    // __udp4_lib_rcv resets the datagram's before icmp_send).
    // `tee`: -j TEE's copy (from = tee), routed to its gateway; tee_at: the walk and visit that sent it.
    void process_answer(Ctx& c, const Packet& answer, bool icmp_error, AnswerFrom from, std::uint32_t icmp_info = 0, const TeeTarget* tee = nullptr,
                        std::pair<std::size_t, std::size_t> tee_at = {}) const;
    // -j TEE (tee.cpp): the copy of c.p as the walk of `hook` held it at the rule, sent at once;
    // its route, to the gateway as the next hop.
    struct TeeSender;
    void send_tee_copy(Ctx& c, const TeeSender& from, const TeeTarget& tee, const Packet& now) const;
    bool route_tee_copy(Ctx& a, const TeeTarget& tee) const;
    // False (refused, not modelled) when the copy would come back to this host — over lo, or as a
    // broadcast or multicast's looped clone, which the kernel handles after the packet's own path
    // and TEE may copy again — or is too big for its way out. Before POSTROUTING (`after` false):
    // a broadcast or multicast route, whose clone loops back first; after it, the rest.
    bool tee_copy_leaves(Ctx& a, bool after) const;
    // The host's stack, for a packet delivered to it (stack_answers.cpp).
    void answer_from_stack(Ctx& c) const;
    void answer_tcp_from_stack(Ctx& c) const;
    void answer_udp_from_stack(Ctx& c) const;
    void answer_echo_from_stack(Ctx& c) const;

    const Ruleset& rs_;
    const Host& host_;
    const IpsetRegistry* ipsets_;
    std::shared_ptr<const Classifier> engine_;
    int table_index_[5];  // raw, mangle, nat, filter, security -> index in rs_ or -1
    // Per table (as table_index_) and hook: the kernel has that base chain (Ruleset::base_chain).
    bool has_chain_[5][hook_count] = {};
    // nf_nat registers its hooks for every hook once the first nat base chain registers
    // (nf_nat_register_fn): with any nat chain, every nat hook sets up bindings.
    bool nat_hooks_ = false;
    bool conntrack_active_ = false;
    // nf_defrag's hooks (before PREROUTING and OUTPUT) are registered by conntrack and by modules
    // that need whole datagrams without it (xt_socket): then fragments are reassembled first.
    bool defrag_active_ = false;
    bool clamps_mss_ = false;  // a rule's target is TCPMSS --clamp-mss-to-pmtu
    bool has_tee_ = false;  // a rule's target is TEE: walks may send copies from within
    std::vector<const HmarkTarget*> hmarks_;  // the ruleset's HMARK targets
    std::vector<const NptTarget*> npts_;  // the ruleset's SNPT and DNPT targets
    bool sets_tcp_ecn_ = false;  // a rule's target is ECN setting TCP's ECE or CWR
    // The hooks from which a chain with a -m string, -m u32 or -m bpf is reached: a packet there needs its
    // bytes (Packet::bytes).
    HookMask reads_bytes_hooks_ = 0;
    bool has_cluster_ = false;  // a rule has -m cluster, which turns a multicast frame to a unicast address into one for the host
    // One of each header match the ruleset has that can hotdrop (header_match_hotdrops).
    std::vector<MatchSpec> hotdrop_matches_;
    FlowRuleFacts flow_facts_;
};

}  // namespace fwbench
