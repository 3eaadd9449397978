#pragma once
// What one packet carries through PacketPath::process, shared by the path's source files
// (packet_path.cpp, routing.cpp, nat.cpp); not part of the floor's interface.

#include "fwbench/packet_path.hpp"

namespace fwbench {

struct PacketPath::Ctx {
    Packet p;
    Origin origin;
    PathState& st;
    PathResult& res;
    bool trace;
    CtAttachment ct{};
    bool notrack = false;
    bool has_ct = false;  // conntrack has run for this packet
    IfaceName out_dev{};  // output/forward device from routing
    RouteResult route{};
    IpAddr routed_dst{};
    std::uint32_t routed_mark = 0;
    std::uint8_t routed_tos = 0;
    bool local_delivery = false;
    bool socket_assigned = false;  // TPROXY handed the packet to a transparent socket (skb->sk)
    // nf_skb_duplicated: this is -j TEE's copy, or an answer sent while it was: TEE sends no other.
    bool duplicating = false;
    bool tee_copy = false;  // this is -j TEE's copy itself
    // TEE's copy: the device its route gave it (nf_dup_ipv4_route sets skb->dev), which ip_output
    // and ip6_output pass POSTROUTING as the input device, a reroute in OUTPUT notwithstanding.
    IfaceName tee_dev{};
    // IPSKB_DOREDIRECT: forwarded back out of its arrival device to a source on that link; the
    // redirect names redirect_to, the route's next hop (its gateway, else the destination).
    bool redirect = false;
    IpAddr redirect_to{};
    // The flow cache: conntrack's answer when the cache's look had conntrack track the packet
    // already; whether this packet's path is being recorded, and what it is recorded under.
    std::optional<CtAttachment> tracked{};
    bool recording = false;
    bool memo_ready = false;  // conntrack's facts below are set
    PathKey key{};
    CtState memo_state = CtState::invalid;
    std::uint32_t memo_status = 0, memo_ctmark = 0;
    // Walking an answer: its slot in res.answers (leave_from_output records it crossing its device).
    std::size_t answer_slot = no_answer;
    static constexpr std::size_t no_answer = ~std::size_t{0};

    // Routing chose `r` for the packet as it is now: what a reroute after OUTPUT compares with.
    void take_route(const RouteResult& r) {
        route = r;
        routed_dst = p.dst;
        routed_mark = p.mark;
        routed_tos = p.tos;
    }

    // Records an event when tracing; `fill` sets its fields (not called otherwise).
    template <class Fill>
    void event(PathEventKind kind, Fill&& fill) {
        if (!trace) return;
        PathEvent& e = res.trace.emplace_back();
        e.kind = kind;
        fill(e);
    }
    void event(PathEventKind kind) {
        event(kind, [](PathEvent&) {});
    }
};

// The walk's Duplicator: it knows which walk sends the copy, the packet's own protocol (a walk of
// iptables-nft's may show AH in its place) and, when tracing, the walk's visits so far.
struct PacketPath::TeeSender final : Duplicator {
    TeeSender(const PacketPath& path, Ctx& c, Hook hook, std::size_t walk, std::uint8_t proto, bool l4_present, const std::vector<RuleVisit>* visits)
        : path(path), c(c), hook(hook), walk(walk), proto(proto), l4_present(l4_present), visits(visits) {}
    void duplicate(const TeeTarget& tee, const Packet& now) override { path.send_tee_copy(c, *this, tee, now); }

    const PacketPath& path;
    Ctx& c;
    Hook hook;
    std::size_t walk;
    std::uint8_t proto;
    bool l4_present;
    const std::vector<RuleVisit>* visits;
};

namespace path_detail {

// What a PathResult says became of the packet. A copy the path sends its own way within the same
// result (a local broadcast's looped-back clone, the host's answer) overwrites it; the packet's
// own outcome is put back afterwards.
struct SavedOutcome {
    explicit SavedOutcome(const PathResult& r)
        : fate(r.fate),
          reason(r.reason),
          detail(r.detail),
          final_packet(r.final_packet),
          ct_state(r.ct_state),
          source(r.source),
          out_iface(r.out_iface) {}
    void restore(PathResult& r) const {
        r.fate = fate;
        r.reason = reason;
        r.detail = detail;
        r.final_packet = final_packet;
        r.ct_state = ct_state;
        r.source = source;
        r.out_iface = out_iface;
    }
    Fate fate;
    DropReason reason;
    DropDetail detail;
    Packet final_packet;
    CtState ct_state;
    IpAddr source;
    IfaceName out_iface;
};

inline bool v4_loopback(const IpAddr& a) { return a.family == Family::ipv4 && (a.v4_host() >> 24) == 127; }
inline bool v4_zeronet(const IpAddr& a) { return a.family == Family::ipv4 && (a.v4_host() >> 24) == 0; }
inline bool v4_multicast(const IpAddr& a) { return a.family == Family::ipv4 && (a.v4_host() >> 28) == 0xe; }
inline bool v4_lbcast(const IpAddr& a) { return a.family == Family::ipv4 && a.v4_host() == 0xffffffffu; }
inline bool unspecified(const IpAddr& a) {
    for (auto b : a.bytes)
        if (b) return false;
    return true;
}

// The drop an error route (blackhole, unreachable, prohibit) makes; none for the others. (Policy
// routing passes over a throw route, so no lookup answers one.)
inline std::optional<DropReason> error_route_reason(RouteType t) {
    switch (t) {
        case RouteType::blackhole: return DropReason::route_blackhole;
        case RouteType::unreachable: return DropReason::route_unreachable;
        case RouteType::prohibit: return DropReason::route_prohibit;
        default: return std::nullopt;
    }
}

// A routing drop's detail: which check, about which address, on which device (or route type).
inline DropDetail about(DropWhy why, const IpAddr& addr, std::string_view dev = {}) {
    DropDetail d;
    d.why = why;
    d.addr = addr;
    d.dev = IfaceName(dev);
    return d;
}
inline DropDetail about_route(DropWhy why, RouteType type, const IpAddr& dst) {
    DropDetail d = about(why, dst);
    d.route_type = type;
    return d;
}

// The header an ICMP or ICMPv6 error quotes: the offending packet's addresses and ports (an
// ICMP packet's id and type), what conntrack matches the error to.
inline void quote_in_error(Packet& error, const Packet& old) {
    const bool icmp = old.proto == proto::icmp || old.proto == proto::icmpv6;
    error.icmp_quoted.present = true;
    error.icmp_quoted.src = old.src;
    error.icmp_quoted.dst = old.dst;
    error.icmp_quoted.proto = old.proto;
    error.icmp_quoted.sport = icmp ? old.icmp_id : old.sport;
    error.icmp_quoted.dport = icmp ? old.icmp_type : old.dport;
}

// What every answer starts from: back to the packet's source, at its time, with the host's TTL.
Packet answer_to(const Packet& old, std::uint8_t ttl);
// The reset answering a TCP segment (nf_send_reset, tcp_v4_send_reset): from its destination to
// its source; sequence from its acknowledgement, else acknowledging what it carried.
Packet tcp_reset_for(const Packet& old, std::uint8_t ttl);
// -j SYNPROXY's SYN-ACK to a client's SYN (synproxy.cpp).
Packet synproxy_synack_for(const Packet& syn, const SynproxyTarget& t, std::uint8_t ttl);

constexpr std::uint8_t tcpopt_nop = 1, tcpopt_mss = 2, tcpopt_wscale = 3, tcpopt_sack_perm = 4, tcpopt_timestamp = 8;

// The TCP options of `p` as the kernel's option loops walk them (tcp_parse_options,
// synproxy_parse_options): an end-of-options ends the walk, a no-op is skipped, an option whose
// length is below 2 or runs past the end stops it. `f(kind, data, size)` sees each whole option
// (`data` past its kind and length byte, `size` its length) and returns false to stop early.
template <class F>
void for_each_tcp_option(const Packet& p, F&& f) {
    const std::uint8_t* b = p.tcp_option_bytes.data();
    int length = p.tcp_option_len;
    while (length > 0) {
        const std::uint8_t kind = *b++;
        if (kind == 0) return;
        if (kind == tcpopt_nop) {
            --length;
            continue;
        }
        if (length < 2) return;
        const int size = *b++;
        if (size < 2 || size > length) return;
        if (!f(kind, b, size)) return;
        b += size - 2;
        length -= size;
    }
}

// A SYN-ACK's options as tcp_options_write and synproxy_build_options both lay them out: the MSS
// when given; timestamps (value 0, the host's clock; echoing `ts_echo`) behind SACK-permitted or
// two no-ops, else SACK-permitted behind two no-ops; a no-op and the window scale when given.
// Writes at most 24 bytes to `out`; returns how many.
std::size_t write_synack_options(std::uint8_t* out, std::optional<std::uint16_t> mss, bool sack_perm, std::optional<std::uint32_t> ts_echo,
                                 std::optional<std::uint8_t> wscale);

// The NAT manipulation a hook performs (HOOK2MANIP): source at POSTROUTING and INPUT.
inline bool manip_src(Hook h) { return h == Hook::postrouting || h == Hook::input; }

}  // namespace path_detail

}  // namespace fwbench
