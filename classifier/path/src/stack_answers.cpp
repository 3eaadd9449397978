// What the host's own stack sends back for a packet delivered to it, when the host lists its
// sockets (Host::sockets, `ss -Htuln`) and the run asks for it (PathState::stack_answers):
//  - TCP (tcp_v4_rcv): a segment for a connection a socket holds is that socket's business — not
//    modelled, and named. A listener answers a SYN with a SYN-ACK (tcp_conn_request) and an ACK
//    with a reset; anything else it drops. No socket at all: a reset for anything but a reset
//    (tcp_v4_send_reset).
//  - UDP (__udp4_lib_rcv): no socket for a unicast datagram: port unreachable (icmp_send, under
//    the ICMP rate limits). Broadcast and multicast datagrams get no error.
//  - ICMP (icmp_rcv, icmp_echo): an echo request gets an echo reply unless icmp_echo_ignore_all,
//    or icmp_echo_ignore_broadcasts for one sent to a broadcast or multicast address.
// The stack's packets are new local packets: conntrack finds their connection in OUTPUT (no
// nf_ct_attach: tcp_v4_send_reset builds a fresh skb, __udp4_lib_rcv resets the datagram's entry
// before icmp_send).

#include <algorithm>

#include "path_context.hpp"

namespace fwbench {

using namespace path_detail;

namespace {

// The MSS a SYN-ACK offers (ipv4_default_advmss): the MTU toward the peer (the route's mtu
// metric, else its device's) less 40, at least 256 and at most 65495. 1500 when the host
// description does not give the device's MTU.
std::uint16_t advertised_mss(const Host& host, const Packet& syn) {
    RouteQuery q;
    q.dst = syn.src;
    q.src = syn.dst;
    q.iif = "lo";
    const RouteResult r = host.lookup(q);
    unsigned mtu = 0;
    if (r.found && r.route) {
        mtu = r.route->mtu;
        if (const Interface* itf = host.interface(r.route->dev); !mtu && itf) mtu = itf->mtu;
    }
    if (!mtu) mtu = 1500;
    return static_cast<std::uint16_t>(std::clamp(mtu, 296u, 65535u) - 40);
}

// The SYN's first timestamp value, which the SYN-ACK echoes (0 when it has none).
std::uint32_t syn_tsval(const Packet& syn) {
    std::uint32_t tsval = 0;
    for_each_tcp_option(syn, [&](std::uint8_t kind, const std::uint8_t* data, int size) {
        if (kind != tcpopt_timestamp || size != 10) return true;
        tsval = std::uint32_t{data[0]} << 24 | std::uint32_t{data[1]} << 16 | std::uint32_t{data[2]} << 8 | data[3];
        return false;
    });
    return tsval;
}

// tcp_make_synack for a listener at the kernel's defaults (tcp_sack, tcp_timestamps and
// tcp_window_scaling 1; the host's tcp_rmem and rmem_max): the options the SYN offered, in
// tcp_options_write's order, and the window and scale tcp_select_initial_window gives a fresh
// request. The sequence number is the kernel's secret (secure_tcp_seq): fwbench sends 0.
Packet syn_ack_for(const Packet& syn, const Sysctls& sys, std::uint16_t mss) {
    const std::uint8_t ttl = sys.ip_default_ttl;
    Packet a = answer_to(syn, ttl);
    a.proto = proto::tcp;
    a.src = syn.dst;
    a.sport = syn.dport;
    a.dport = syn.sport;
    a.tcp_flags = tcp_flag::syn | tcp_flag::ack;
    a.tcp_seq = 0;
    a.tcp_ack = syn.tcp_seq + 1;
    const bool sack = syn.has_tcp_option(tcpopt_sack_perm), ts = syn.has_tcp_option(tcpopt_timestamp), wscale = syn.has_tcp_option(tcpopt_wscale);
    std::optional<std::uint8_t> scale;
    if (wscale) {
        // The largest buffer the socket may grow to, as a power of two, less 15 (at most 14).
        const std::uint32_t space = std::max(sys.tcp_rmem[2], sys.rmem_max);
        int log2 = 0;
        while (log2 < 31 && (space >> (log2 + 1))) ++log2;
        scale = static_cast<std::uint8_t>(std::clamp(log2 - 15, 0, 14));
    }
    std::uint8_t opt[40];
    const std::size_t n = write_synack_options(opt, mss, sack, ts ? std::optional(syn_tsval(syn)) : std::nullopt, scale);
    a.set_tcp_option_bytes(opt, n);
    a.length = 20u + a.tcp_header_len;
    // tcp_full_space: half the listener's buffer (tcp_rmem[1], the default scaling ratio), rounded
    // down to whole segments.
    const std::uint32_t seg = mss - (ts ? 12u : 0u);
    std::uint32_t space = sys.tcp_rmem[1] / 2;
    if (space > seg) space = space / seg * seg;
    a.tcp_window = static_cast<std::uint16_t>(std::min<std::uint32_t>(space, 65535));
    return a;
}

}  // namespace

void PacketPath::answer_from_stack(Ctx& c) const {
    const std::vector<HostSocket>* sockets = host_.sockets();
    if (!c.st.stack_answers || !sockets || c.p.family != Family::ipv4 || c.p.fragment || !c.p.l4_present) return;
    if (c.p.proto == proto::tcp) answer_tcp_from_stack(c);
    else if (c.p.proto == proto::udp) answer_udp_from_stack(c);
    else if (c.p.proto == proto::icmp && c.p.icmp_type == 8) answer_echo_from_stack(c);
}

void PacketPath::answer_echo_from_stack(Ctx& c) const {
    const Packet& p = c.p;
    const Sysctls& sys = host_.sysctl();
    const bool broadcast = c.route.type != RouteType::local;
    if (sys.icmp_echo_ignore_all || (broadcast && sys.icmp_echo_ignore_broadcasts)) return;
    // icmp_reply: the request's data back from the address it was sent to (fib_compute_spec_dst:
    // for a broadcast, the arrival device's address toward the sender), with its TOS; the ICMP
    // socket does not set DF. Echo replies are outside icmp_ratemask: never rate-limited.
    Packet a = answer_to(p, sys.ip_default_ttl);
    a.proto = proto::icmp;
    a.icmp_type = 0;
    a.icmp_code = 0;
    a.icmp_id = p.icmp_id;
    a.length = p.length;
    a.tos = p.tos;
    a.df = false;
    if (!broadcast) a.src = p.dst;
    else if (auto src = host_.select_address(p.in.view(), p.src, rt_scope::link)) a.src = *src;
    else return;
    process_answer(c, a, false, AnswerFrom::stack);
}

void PacketPath::answer_tcp_from_stack(Ctx& c) const {
    const Packet& p = c.p;
    // tcp_v4_rcv drops what was not sent to this host's address; a reset is never answered.
    if (p.pkttype != PktType::host || c.route.type != RouteType::local || p.tcp_header_len < 20 || (p.tcp_flags & tcp_flag::rst)) return;
    if (c.st.stack_connections.has(proto::tcp, p.dst, p.dport, p.src, p.sport)) {
        c.event(PathEventKind::stack_connection);
        return;
    }
    const std::uint8_t ttl = host_.sysctl().ip_default_ttl;
    if (c.socket_assigned || has_socket_for(*host_.sockets(), proto::tcp, p.dst, p.dport, p.in.view())) {
        // tcp_rcv_state_process in LISTEN: an ACK is reset, a SYN (without FIN) gets a SYN-ACK.
        if (p.tcp_flags & tcp_flag::ack) {
            Packet rst = tcp_reset_for(p, ttl);
            rst.tos = p.tos & 0xfc;
            return process_answer(c, rst, false, AnswerFrom::stack);
        }
        if (!(p.tcp_flags & tcp_flag::syn) || (p.tcp_flags & tcp_flag::fin)) return;
        c.st.stack_connections.add(proto::tcp, p.dst, p.dport, p.src, p.sport);
        return process_answer(c, syn_ack_for(p, host_.sysctl(), advertised_mss(host_, p)), false, AnswerFrom::stack);
    }
    // ip_send_unicast_reply: the segment's TOS without its ECN bits.
    Packet rst = tcp_reset_for(p, ttl);
    rst.tos = p.tos & 0xfc;
    process_answer(c, rst, false, AnswerFrom::stack);
}

void PacketPath::answer_udp_from_stack(Ctx& c) const {
    const Packet& p = c.p;
    if (c.route.type != RouteType::local) return;  // broadcast and multicast: delivered to whoever listens, no error
    if (c.st.stack_connections.has(proto::udp, p.dst, p.dport, p.src, p.sport)) return;
    if (c.socket_assigned || has_socket_for(*host_.sockets(), proto::udp, p.dst, p.dport, p.in.view())) return;
    send_icmp_error(c, 3, 3, AnswerFrom::stack);  // ICMP_PORT_UNREACH
}

}  // namespace fwbench
