// The packets the kernel sends itself because of another: REJECT's TCP reset (nf_send_reset,
// net/ipv4/netfilter/nf_reject_ipv4.c), REJECT's ICMP errors (nf_send_unreach -> __icmp_send,
// net/ipv4/icmp.c) and the forwarding path's time exceeded (ip_forward). Each is built from the
// packet as the hook saw it, carries that packet's conntrack entry (nf_ct_attach: RELATED, the
// other direction), and leaves as a local packet: OUTPUT, POSTROUTING, and over lo PREROUTING and
// INPUT when it is for this host.

#include <algorithm>

#include "path_context.hpp"

namespace fwbench {

using namespace path_detail;

namespace {

// --reject-with NAME -> ICMP destination-unreachable code, or -1 for tcp-reset.
int reject_code(const std::string& with) {
    static constexpr struct {
        const char* name;
        int code;
    } codes[] = {{"icmp-net-unreachable", 0}, {"icmp-host-unreachable", 1}, {"icmp-proto-unreachable", 2}, {"icmp-port-unreachable", 3},
                 {"icmp-net-prohibited", 9},  {"icmp-host-prohibited", 10}, {"icmp-admin-prohibited", 13}};
    for (const auto& c : codes)
        if (with == c.name) return c.code;
    return -1;
}

constexpr int nr_icmp_types = 18;

// --reject-with NAME for ip6tables (the parser writes each alias as its full name) -> ICMPv6
// destination-unreachable code (reject_tg6), or -1 for tcp-reset.
int reject_code6(const std::string& with) {
    static constexpr struct {
        const char* name;
        int code;
    } codes[] = {{"icmp6-no-route", 0},         {"icmp6-adm-prohibited", 1}, {"icmp6-addr-unreachable", 3},
                 {"icmp6-port-unreachable", 4}, {"icmp6-policy-fail", 5},    {"icmp6-reject-route", 6}};
    for (const auto& c : codes)
        if (with == c.name) return c.code;
    return -1;
}

constexpr std::uint8_t icmp6_packet_too_big = 2, icmp6_parameter_problem = 4;

// The type of the option a parameter problem's pointer (`info`, from the network header) points
// at, in the hop-by-hop header the path answers such problems for: 0 when it points elsewhere.
std::uint8_t unrecognized_option_type(const Packet& p, std::uint32_t info) {
    if (!p.ext_header_count || p.ext_headers[0] != proto::ipv6_hop || info < 42) return 0;
    std::uint32_t at = 42;
    const OptionsHeader& h = p.hop_options;
    for (std::size_t i = 0; i < h.count; ++i) {
        if (at == info) return h.types[i];
        at += h.types[i] == 0 ? 1u : 2u + h.lengths[i];
    }
    return 0;
}

}  // namespace

namespace path_detail {

Packet answer_to(const Packet& old, std::uint8_t ttl) {
    Packet a;
    a.family = old.family;
    a.ip_header_len = old.family == Family::ipv6 ? 40 : 20;
    a.dst = old.src;
    a.timestamp_ns = old.timestamp_ns;
    a.ttl = ttl;
    return a;
}

Packet tcp_reset_for(const Packet& old, std::uint8_t ttl) {
    Packet a = answer_to(old, ttl);
    a.proto = proto::tcp;
    a.src = old.dst;
    a.sport = old.dport;
    a.dport = old.sport;
    a.length = old.family == Family::ipv6 ? 60 : 40;
    a.tcp_header_len = 20;
    a.tcp_window = 0;
    if (old.tcp_flags & tcp_flag::ack) {
        a.tcp_flags = tcp_flag::rst;
        a.tcp_seq = old.tcp_ack;
    } else {
        a.tcp_flags = tcp_flag::rst | tcp_flag::ack;
        a.tcp_ack = old.tcp_seq + ((old.tcp_flags & tcp_flag::syn) ? 1 : 0) + ((old.tcp_flags & tcp_flag::fin) ? 1 : 0) + old.tcp_payload_len();
    }
    return a;
}

std::size_t write_synack_options(std::uint8_t* out, std::optional<std::uint16_t> mss, bool sack_perm, std::optional<std::uint32_t> ts_echo,
                                 std::optional<std::uint8_t> wscale) {
    std::size_t n = 0;
    auto put32 = [&](std::uint32_t v) {
        for (int shift = 24; shift >= 0; shift -= 8) out[n++] = static_cast<std::uint8_t>(v >> shift);
    };
    if (mss) put32(std::uint32_t{tcpopt_mss} << 24 | 4u << 16 | *mss);
    if (ts_echo) {
        put32(sack_perm ? std::uint32_t{tcpopt_sack_perm} << 24 | 2u << 16 | tcpopt_timestamp << 8 | 10u
                        : std::uint32_t{tcpopt_nop} << 24 | tcpopt_nop << 16 | tcpopt_timestamp << 8 | 10u);
        put32(0);
        put32(*ts_echo);
    } else if (sack_perm) {
        put32(std::uint32_t{tcpopt_nop} << 24 | tcpopt_nop << 16 | tcpopt_sack_perm << 8 | 2u);
    }
    if (wscale) put32(std::uint32_t{tcpopt_nop} << 24 | tcpopt_wscale << 16 | 3u << 8 | *wscale);
    return n;
}

}  // namespace path_detail

// A new peer: an empty bucket last filled 60 s ago (rate_last = jiffies - 60 * HZ), so that
// its first fill gives it a full one.
IcmpPeers::Bucket& IcmpPeers::peer(std::uint32_t addr, std::int64_t now, unsigned hz) {
    return peers_.try_emplace(addr, Bucket{0, now - 60 * static_cast<std::int64_t>(hz), 0}).first->second;
}

namespace {
std::int64_t jiffies(std::uint64_t now_ns, unsigned hz) { return static_cast<std::int64_t>(now_ns / (1000000000ull / hz)); }
}  // namespace

// inet_peer_xrlim_allow for the peer `dst`: a bucket of up to 6 timeouts' worth of jiffies; each
// answer spends one timeout. Since Linux 6.13 the bucket is filled and capped only when a jiffy
// has passed since it was last touched: right after ip_error's check (same jiffy) it keeps what
// that left, even above the cap (icmp_ratelimit 0: always allowed, nothing taken).
bool IcmpPeers::xrlim_allow(Bucket& b, std::int64_t now, std::uint64_t timeout) {
    std::uint64_t tokens = b.tokens;
    if (now != b.last) {
        tokens = std::min(tokens + static_cast<std::uint64_t>(now - b.last), 6 * timeout);
        b.last = now;
    }
    bool allowed = tokens >= timeout;
    if (allowed) tokens -= timeout;
    b.tokens = tokens;
    return allowed;
}

bool IcmpPeers::allow(std::uint32_t dst, std::uint64_t now_ns, int ratelimit_ms, unsigned hz) {
    const std::int64_t now = jiffies(now_ns, hz);
    return xrlim_allow(peer(dst, now, hz), now, static_cast<std::uint64_t>(ratelimit_ms) * hz / 1000);
}

bool IcmpPeers::allow6(const IpAddr& dst, std::uint64_t now_ns, std::uint64_t timeout, unsigned hz) {
    const std::int64_t now = jiffies(now_ns, hz);
    Bucket& b = peers6_.try_emplace(dst.bytes, Bucket{0, now - 60 * static_cast<std::int64_t>(hz), 0}).first->second;
    return xrlim_allow(b, now, timeout);
}

// ip_error's check on the offending packet's source: ip_rt_error_cost (HZ) a message, up to
// ip_rt_error_burst (5 * HZ) saved.
bool IcmpPeers::allow_route_error(std::uint32_t src, std::uint64_t now_ns, unsigned hz) {
    const std::int64_t now = jiffies(now_ns, hz);
    Bucket& b = peer(src, now, hz);
    std::uint64_t tokens = std::min<std::uint64_t>(b.tokens + static_cast<std::uint64_t>(now - b.last), 5ull * hz);
    b.last = now;
    const bool allowed = tokens >= hz;
    if (allowed) tokens -= hz;
    b.tokens = tokens;
    return allowed;
}

// ip_rt_send_redirect's backoff for the redirected packet's source: after redirect_silence
// (HZ/50 << 10 jiffies) without one, start again (and empty the peer's bucket); at most
// redirect_number (9) redirects, the n-th at least redirect_load (HZ/50) << n jiffies after the
// last; each ignored one restarts the silence.
bool IcmpPeers::allow_redirect(std::uint32_t src, std::uint64_t now_ns, unsigned hz) {
    const std::int64_t now = jiffies(now_ns, hz), load = hz / 50, silence = load << 10;
    Bucket& b = peer(src, now, hz);
    if (now > b.last + silence) {
        b.tokens = 0;
        b.redirects = 0;
    }
    if (b.redirects >= 9) {
        b.last = now;
        return false;
    }
    if (b.redirects != 0 && now <= b.last + (load << b.redirects)) return false;
    b.last = now;
    ++b.redirects;
    return true;
}

void PacketPath::send_redirect(Ctx& c) const {
    const std::uint64_t now = c.st.icmp_rate_limit ? c.p.timestamp_ns : 0;  // unpaced: the clock taken as stopped
    if (!c.st.icmp_peers.allow_redirect(c.p.src.v4_host(), now, c.st.engine.options().hz))
        return withhold_answer(c, AnswerWithheld::redirect_backoff);
    send_icmp_error(c, 5, 1, AnswerFrom::path, c.redirect_to.v4_host());  // ICMP_REDIR_HOST
}

// ip6_forward, then ndisc_send_redirect, in their order: the destination's peer bucket (spent
// whatever follows), a link-local address on the arrival device, a next hop that is the
// destination or link-local, a neighbour source (no gateway back), the source's peer bucket.
// The message (rd_msg): ICMPv6 type 137 from that link-local address with hop limit 255, the
// target and destination, the target's link-layer address option (8 bytes on Ethernet: the
// kernel adds it when its neighbour entry is valid, assumed here and named in explain), and as
// much of the packet as fits 1280 bytes, in 8-byte units.
void PacketPath::send_redirect6(Ctx& c) const {
    const Packet& old = c.p;
    const std::string_view in = old.in.view();
    const unsigned hz = c.st.engine.options().hz;
    const std::uint64_t now = c.st.icmp_rate_limit ? old.timestamp_ns : 0;  // unpaced: the clock taken as stopped
    if (!c.st.icmp_peers.allow6(old.dst, now, hz, hz)) return withhold_answer(c, AnswerWithheld::redirect6_limited);
    const std::optional<IpAddr> from = host_.link_local6(in);
    if (!from) return withhold_answer(c, AnswerWithheld::no_link_local);
    const std::optional<IpAddr> gw = c.route.route ? c.route.route->gateway : std::nullopt;
    const IpAddr target = gw ? *gw : old.dst;
    if (!(target == old.dst) && !v6::is_link_local(target)) return withhold_answer(c, AnswerWithheld::target_not_link_local);
    const RouteResult back = host_.lookup6(RouteQuery{old.src, *from, "lo", in, 0, 0}, in, v6::needs_device(old.src));
    if (!back.found || !back.route || back.route->gateway) return withhold_answer(c, AnswerWithheld::source_not_neighbour);
    if (!c.st.icmp_peers.allow6(old.src, now, hz, hz)) return withhold_answer(c, AnswerWithheld::redirect6_limited);
    Packet a = answer_to(old, 255);
    a.src = *from;
    a.proto = proto::icmpv6;
    a.icmp_type = 137;
    a.icmp_code = 0;
    if (v6::needs_device(old.src)) a.out = old.in;
    const Interface* dev = host_.interface(in);
    const std::uint32_t target_option = dev && dev->loopback ? 0 : 8;
    const std::uint32_t room = 1280 - 40 - 40 - target_option;
    const std::uint32_t redirected = std::min(room, old.length + 8) & ~7u;
    a.length = 40 + 40 + target_option + redirected;
    process_answer(c, a, false, AnswerFrom::ndisc, 0);
}

void PacketPath::send_route_error(Ctx& c, std::uint8_t code) const {
    // Unpaced (the kernel's clock far ahead of the capture's), time is taken as stopped.
    const std::uint64_t now = c.st.icmp_rate_limit ? c.p.timestamp_ns : 0;
    if (!c.st.icmp_peers.allow_route_error(c.p.src.v4_host(), now, c.st.engine.options().hz))
        return withhold_answer(c, AnswerWithheld::route_error_limited);
    send_icmp_error(c, 3, code, AnswerFrom::path);
}

void PacketPath::withhold_answer(Ctx& c, AnswerWithheld why) const {
    c.event(PathEventKind::answer_withheld, [&](PathEvent& e) { e.port = static_cast<std::uint16_t>(why); });
}

void PacketPath::send_reject_answer(Ctx& c, const RejectTarget& reject) const {
    const Packet& old = c.p;
    const bool v6 = old.family == Family::ipv6;
    // nf_send_unreach and reject6_csum_ok: nf_reject_verify_csum verifies a packet's payload as a
    // 16-bit one's complement sum with the pseudo-header, unless its protocol's checksum is
    // optional (UDP's 0, GRE), another check (AH, ESP, SCTP) or partial (UDP-Lite, DCCP). TCP, UDP,
    // ICMP and ICMPv6 carry that sum; any other protocol's payload (IPComp's, or one fwbench does
    // not parse) is taken not to add up to it, and is not answered.
    const bool own_sum = old.proto == proto::tcp || old.proto == proto::udp || old.proto == proto::icmpv6 || old.proto == proto::icmp;
    const bool exempt = old.proto == proto::gre || old.proto == proto::ah || old.proto == proto::esp || old.proto == proto::sctp ||
                        old.proto == proto::udplite || old.proto == proto::dccp;
    if (own_sum && !old.transport_checksum_verifies()) {
        c.res.checksum_assumed = true;
        return withhold_answer(c, AnswerWithheld::checksum);
    }
    if (!own_sum && !exempt && !old.fragment) {
        c.res.checksum_assumed = true;
        return withhold_answer(c, AnswerWithheld::unchecksummed_protocol);
    }
    const int code = v6 ? reject_code6(reject.with) : reject_code(reject.with);
    if (code >= 0 && v6) return send_icmp6_error(c, 1, static_cast<std::uint8_t>(code), AnswerFrom::rule);
    if (code >= 0) return send_icmp_error(c, 3, static_cast<std::uint8_t>(code), AnswerFrom::rule);
    // nf_send_reset6: only between unicast addresses.
    if (v6 && (v6::is_any(old.src) || v6::is_multicast(old.src) || v6::is_any(old.dst) || v6::is_multicast(old.dst)))
        return withhold_answer(c, AnswerWithheld::broadcast);
    // nf_reject_ip_tcphdr_get: a first fragment's readable TCP header, not itself a reset.
    if (old.fragment) return withhold_answer(c, AnswerWithheld::fragment);
    if (old.proto != proto::tcp || !old.l4_present) return withhold_answer(c, AnswerWithheld::no_tcp_header);
    if (old.tcp_flags & tcp_flag::rst) return withhold_answer(c, AnswerWithheld::reset_to_reset);
    // From the packet's destination, whether or not it is ours (ip_route_me_harder allows any).
    const Packet a = tcp_reset_for(old, v6 ? host_.sysctl().ip6_hop_limit : host_.sysctl().ip_default_ttl);
    // nf_ct_set_closing: a reset for a confirmed TCP connection closes it (10 s).
    if (c.ct.conn && c.ct.conn->confirmed && c.ct.conn->orig.proto == proto::tcp && c.ct.conn->tcp != TcpCtState::close) {
        c.ct.conn->tcp = TcpCtState::close;
        c.ct.conn->expires_ns = old.timestamp_ns + 10ull * 1000000000ull;
    }
    process_answer(c, a, false, AnswerFrom::rule);
}

void PacketPath::send_icmp_error(Ctx& c, std::uint8_t type, std::uint8_t code, AnswerFrom from, std::uint32_t info) const {
    const Packet& old = c.p;
    // __icmp_send's refusals, in its order.
    if (c.route.type == RouteType::broadcast || c.route.type == RouteType::multicast || v4_lbcast(old.dst) || v4_multicast(old.dst))
        return withhold_answer(c, AnswerWithheld::broadcast);
    if (c.origin == Origin::wire && old.pkttype != PktType::host) return withhold_answer(c, AnswerWithheld::not_for_host);
    if (old.fragment) return withhold_answer(c, AnswerWithheld::fragment);
    if (old.proto == proto::icmp && (!old.l4_present || old.icmp_type > nr_icmp_types || icmpv4_is_error(old.icmp_type)))
        return withhold_answer(c, AnswerWithheld::about_an_error);
    Packet a = answer_to(old, host_.sysctl().ip_default_ttl);
    a.proto = proto::icmp;
    a.icmp_type = type;
    a.icmp_code = code;
    a.tos = static_cast<std::uint8_t>((old.tos & 0x1e) | 0xc0);
    a.df = false;  // __icmp_send's socket does not set DF
    // The error's source: the offending packet's destination when it was for this host,
    // else routing's choice (icmp_errors_use_inbound_ifaddr = 0).
    const bool for_us = c.local_delivery || (c.origin == Origin::local && c.route.type == RouteType::local);
    if (for_us) a.src = old.dst;
    a.length = 28 + std::min<std::uint32_t>(old.length, 548);  // room: 576 bytes in all
    quote_in_error(a, old);
    process_answer(c, a, true, from, info);
}

void PacketPath::send_icmp6_error(Ctx& c, std::uint8_t type, std::uint8_t code, AnswerFrom from, std::uint32_t info) const {
    const Packet& old = c.p;
    // icmp6_send's refusals, in its order: only packet too big, and a parameter problem about an
    // unrecognized option whose type says "answer even a multicast" (10xxxxxx: opt_unrec), answer
    // a multicast or a frame for another link-layer address; never to a source that is not one
    // node; never about an ICMPv6 error (a later fragment, which shows no ICMPv6 header, is answered).
    const bool answers_multicast =
        type == icmp6_packet_too_big || (type == icmp6_parameter_problem && code == 2 && unrecognized_option_type(old, info) >> 6 == 2);
    if (!answers_multicast && v6::is_multicast(old.dst)) return withhold_answer(c, AnswerWithheld::broadcast);
    if (!answers_multicast && c.origin == Origin::wire && old.pkttype != PktType::host) return withhold_answer(c, AnswerWithheld::not_for_host);
    if (v6::is_any(old.src) || v6::is_multicast(old.src)) return withhold_answer(c, AnswerWithheld::source_not_one_node);
    if (old.proto == proto::icmpv6 && (old.l4_present ? old.icmp_type < 128 : !old.fragment))
        return withhold_answer(c, AnswerWithheld::about_an_error);
    // icmpv6_route_lookup: the route back to the source says it is an anycast address (an
    // anycast route, or the prefix address of an on-link prefix).
    const std::string_view back_dev = c.origin == Origin::wire && v6::needs_device(old.src) ? old.in.view() : std::string_view();
    if (!host_.sysctl().icmp6_error_anycast_as_unicast && (host_.route_types6(old.src, back_dev) & addr_type::anycast))
        return withhold_answer(c, AnswerWithheld::anycast_source);
    Packet a = answer_to(old, host_.sysctl().ip6_hop_limit);
    a.proto = proto::icmpv6;
    a.icmp_type = type;
    a.icmp_code = code;
    // The error's source: the offending packet's destination when it is this host's (on the device
    // it came by, for a link-local one) or an anycast address of that device; else the route's
    // preferred source, else the address ipv6_dev_get_saddr gives on the arrival device.
    const std::string_view dev = c.origin == Origin::wire ? old.in.view() : c.out_dev.view();
    if (host_.is_local_address6(old.dst, dev) || host_.is_anycast_address6(old.dst, dev)) {
        a.src = old.dst;
    } else if (c.origin == Origin::wire) {
        const RouteResult back = host_.lookup6(RouteQuery{old.src, {}, "lo", "", 0, 0}, "", v6::needs_device(old.src));
        if (!(back.found && back.route && back.route->prefsrc))
            if (auto src = host_.select_source6(old.in.view(), old.src)) a.src = *src;
    }
    // A scoped (link-local) destination is routed out of the device the packet came by.
    if (c.origin == Origin::wire && v6::needs_device(old.src)) a.out = old.in;
    a.length = 48 + std::min<std::uint32_t>(old.length, 1232);  // room: 1280 bytes in all
    quote_in_error(a, old);
    process_answer(c, a, true, from, info);
}

// icmpv4_xrlim_allow / icmpv6_xrlim_allow, after routing, for an answer not leaving over lo: per
// destination. ICMP: the types in icmp_ratemask but fragmentation needed. ICMPv6: every error but
// packet too big (ratemask 0-1,3-127), a timeout shorter the wider the route's prefix. Unpaced,
// the oracle's rate limits are 0 and the clock is taken as stopped.
bool PacketPath::rate_limit_allows(const Ctx& c, const Ctx& a) const {
    const bool paced = c.st.icmp_rate_limit;
    const std::uint64_t now = paced ? a.p.timestamp_ns : 0;
    const unsigned hz = c.st.engine.options().hz;
    if (a.p.family == Family::ipv6) {
        if (a.p.icmp_type >= 128 || a.p.icmp_type == icmp6_packet_too_big) return true;
        std::uint64_t timeout = paced ? static_cast<std::uint64_t>(host_.sysctl().icmp6_ratelimit_ms) * hz / 1000 : 0;
        const int plen = a.route.route ? a.route.route->prefixlen : 128;
        if (plen < 128) timeout >>= (128 - plen) >> 5;
        return c.st.icmp_peers.allow6(a.p.dst, now, timeout, hz);
    }
    const bool limited =
        a.p.icmp_type <= nr_icmp_types && ((host_.sysctl().icmp_ratemask >> a.p.icmp_type) & 1) && !(a.p.icmp_type == 3 && a.p.icmp_code == 4);
    return !limited || c.st.icmp_peers.allow(a.p.dst.v4_host(), now, paced ? host_.sysctl().icmp_ratelimit_ms : 0, hz);
}

void PacketPath::process_answer(Ctx& c, const Packet& answer, bool icmp_error, AnswerFrom from, std::uint32_t icmp_info, const TeeTarget* tee,
                                std::pair<std::size_t, std::size_t> tee_at) const {
    // The packet's own result stays as it was; the answer adds its walks and events.
    const SavedOutcome outcome(c.res);
    const std::size_t hooks = c.res.hooks.size();

    Ctx a{answer, Origin::local, c.st, c.res, c.trace};
    a.p.in = IfaceName();
    a.p.pkttype = PktType::outgoing;
    a.p.ct = ConntrackView{};
    a.p.ct.state = CtState::invalid;
    a.duplicating = c.duplicating || from == AnswerFrom::tee;
    a.tee_copy = from == AnswerFrom::tee;
    a.notrack = a.tee_copy;  // nf_dup_ipv4/ipv6: nf_ct_set(IP_CT_UNTRACKED)
    // nf_ct_attach: the answer belongs to the packet's entry, as RELATED, in the other direction;
    // without an entry it is tracked on its own in OUTPUT. SYNPROXY's SYN-ACK (synproxy_send_tcp's
    // nf_ct_set) belongs to it as an established reply; an untracked SYN has none to give
    // (skb_nfct of IP_CT_UNTRACKED is NULL): conntrack sees the SYN-ACK on its own, INVALID.
    if (c.ct.conn && (from == AnswerFrom::rule || from == AnswerFrom::path || from == AnswerFrom::synproxy)) {
        a.ct.conn = c.ct.conn;
        a.ct.state = from == AnswerFrom::synproxy ? CtState::established : CtState::related;
        a.ct.dir = c.ct.dir == CtDir::original ? CtDir::reply : CtDir::original;
        a.has_ct = true;
        Conntrack::describe(a.ct, a.p);
    }
    c.event(PathEventKind::answer_sent, [&](PathEvent& e) {
        e.flag = icmp_error;
        e.addr = tee ? tee->gateway : answer.dst;
        if (tee) e.dev = IfaceName(std::string_view(tee->oif));
        e.tuple.proto = answer.proto;
        e.icmp_type = answer.proto == proto::icmp || answer.proto == proto::icmpv6 ? answer.icmp_type : answer.tcp_flags;
        e.port = answer.icmp_code;
        e.port2 = static_cast<std::uint16_t>(from);
    });
    const std::size_t first_walk = c.res.walks.size();
    c.res.out_iface = IfaceName();
    bool sent = tee ? route_tee_copy(a, *tee) : route_output(a, false);
    if (sent && icmp_error && a.out_dev.view() != "lo" && !rate_limit_allows(c, a)) {
        withhold_answer(c, AnswerWithheld::rate_limited);
    } else {
        // Its slot first: an answer's own walk may answer in turn (a REJECT in OUTPUT that
        // meets a RST), and the slot is where leave_from_output records it leaving.
        a.answer_slot = c.res.answers.size();
        c.res.answers.emplace_back();
        c.res.answers.back().first_walk = first_walk;
        c.res.answers.back().by_rule = from == AnswerFrom::rule || from == AnswerFrom::synproxy;
        c.res.answers.back().by_stack = from == AnswerFrom::stack;
        c.res.answers.back().cause = tee ? answer : c.p;
        c.res.answers.back().tee_copy = tee != nullptr;
        if (tee) {
            c.res.answers.back().tee_walk = tee_at.first;
            c.res.answers.back().tee_visit = tee_at.second;
        }
        c.res.answers.back().icmp_info = icmp_info;
        // Where a rule reads bytes, the answer is walked with the datagram the kernel writes for
        // it (a TEE copy has its packet's own). Its bytes last only while it is walked: the
        // results keep none of them.
        DatagramView* const view = sent && !tee && reads_bytes() ? c.st.engine.datagram : nullptr;
        if (view) a.p.bytes = view->begin_answer(a.p, icmp_info, c.p);
        const std::span<const std::uint8_t> written = a.p.bytes;
        if (sent && run_hook(a, Hook::output)) leave_from_output(a);
        PathResult::Answer& out = c.res.answers[a.answer_slot];
        if (out.out_iface.empty()) out.packet = a.p;
        out.fate = c.res.fate;
        out.reason = c.res.reason;
        out.detail = c.res.detail;
        out.end_walk = c.res.walks.size();
        if (view) {
            view->end_answer();
            for (std::size_t k = a.answer_slot; k < c.res.answers.size(); ++k) {
                PathResult::Answer& kept = c.res.answers[k];
                if (kept.packet.bytes.data() == written.data()) kept.packet.bytes = {};
                if (kept.cause.bytes.data() == written.data()) kept.cause.bytes = {};
            }
        }
    }
    c.event(PathEventKind::answer_done, [&](PathEvent& e) { e.port2 = static_cast<std::uint16_t>(from); });
    outcome.restore(c.res);
    c.res.hooks.resize(hooks);
}

}  // namespace fwbench
