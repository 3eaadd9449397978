// NAT on the packet path (nf_nat_core.c, nf_nat_proto.c): the binding a connection's first packet
// sets up in a nat chain, and the rewriting every packet of the connection gets from it.
#include "path_context.hpp"

namespace fwbench {

using namespace path_detail;

void PacketPath::nat_bind(Ctx& c, Hook hook, const NatTarget* nat) const {
    Connection& conn = *c.ct.conn;
    bool src = manip_src(hook);
    if (src) conn.nat_src_done = true;
    else conn.nat_dst_done = true;
    if (!nat) return;  // a null binding: the connection keeps its addresses

    IpAddr addr;
    std::optional<std::uint16_t> port;
    auto first_range = [&](bool want_addr) {
        for (const auto& r : nat->ranges) {
            if (want_addr && r.has_addr) addr = r.addr_lo;
            if (r.has_ports) port = r.port_lo;
            break;
        }
    };
    auto device_address = [&](std::string_view dev) -> std::optional<IpAddr> {
        if (const Interface* itf = host_.interface(dev))
            for (const auto& a : itf->addrs)
                if (a.addr.family == c.p.family && !a.secondary) return a.addr;
        return std::nullopt;
    };
    switch (nat->kind) {
        case NatTarget::Kind::dnat:
        case NatTarget::Kind::snat:
            addr = src ? c.p.src : c.p.dst;
            first_range(true);
            break;
        case NatTarget::Kind::masquerade: {
            // nf_nat_masquerade_ipv4: inet_select_addr(out, next hop, RT_SCOPE_UNIVERSE) — the
            // output device's address on the next hop's subnet, not the route's preferred source.
            const IpAddr next_hop = c.route.route && c.route.route->gateway ? *c.route.route->gateway : c.p.dst;
            std::optional<IpAddr> a = host_.select_address(c.out_dev.view(), next_hop, rt_scope::universe);
            if (!a) {
                c.event(PathEventKind::masquerade_no_address, [&](PathEvent& e) { e.dev = c.out_dev; });
                return;
            }
            addr = *a;
            first_range(false);
            break;
        }
        case NatTarget::Kind::redirect: {
            std::optional<IpAddr> a;
            if (hook == Hook::output) a = IpAddr::v4(0x7f000001u);  // 127.0.0.1
            else a = device_address(c.p.in.view());
            if (!a) return;
            addr = *a;
            first_range(false);
            break;
        }
        case NatTarget::Kind::netmap: {
            const IpAddr& orig = src ? c.p.src : c.p.dst;
            addr = orig;
            for (std::size_t i = 0; i < 16; ++i)
                addr.bytes[i] = static_cast<std::uint8_t>((orig.bytes[i] & ~nat->netmap_to.mask.bytes[i]) |
                                                          (nat->netmap_to.addr.bytes[i] & nat->netmap_to.mask.bytes[i]));
            break;
        }
    }
    bool ports = conn.orig.proto == proto::tcp || conn.orig.proto == proto::udp || conn.orig.proto == proto::udplite ||
                 conn.orig.proto == proto::sctp || conn.orig.proto == proto::dccp;
    if (src) {
        conn.reply.dst = addr;
        if (ports && port) conn.reply.dport = *port;
        // get_unique_tuple: when another connection already expects replies on this tuple, the
        // kernel picks another source port (from a hashed offset; fwbench takes the next free one
        // in the range: counters do not depend on which).
        if (ports && c.st.conntrack.reply_tuple_taken(conn.reply, &conn)) {
            std::uint16_t lo = 1024, hi = 65535;
            for (const auto& r : nat->ranges)
                if (r.has_ports) {
                    lo = r.port_lo;
                    hi = r.port_hi;
                }
            std::uint32_t span = static_cast<std::uint32_t>(hi - lo) + 1;
            std::uint16_t start = conn.reply.dport;
            for (std::uint32_t i = 1; i <= span; ++i) {
                conn.reply.dport = static_cast<std::uint16_t>(lo + (static_cast<std::uint32_t>(start - lo) + i) % span);
                if (!c.st.conntrack.reply_tuple_taken(conn.reply, &conn)) break;
            }
            c.event(PathEventKind::nat_port_taken, [&](PathEvent& e) {
                e.port = start;
                e.port2 = conn.reply.dport;
            });
        }
        conn.status |= ct_status::src_nat;
    } else {
        conn.reply.src = addr;
        if (ports && port) conn.reply.sport = *port;
        conn.status |= ct_status::dst_nat;
    }
    c.event(PathEventKind::nat_binding, [&](PathEvent& e) {
        e.flag = src;
        e.tuple = conn.reply;
    });
}

void PacketPath::nat_apply(Ctx& c, Hook hook) const {
    // nf_nat_packet: rewrite toward the inverse of the other direction's tuple.
    const Connection& conn = *c.ct.conn;
    bool src = manip_src(hook);
    std::uint32_t bit = src ? ct_status::src_nat : ct_status::dst_nat;
    if (c.ct.dir == CtDir::reply) bit = bit == ct_status::src_nat ? ct_status::dst_nat : ct_status::src_nat;
    if (!(conn.status & bit)) return;
    ConnTuple target = invert(c.ct.dir == CtDir::original ? conn.reply : conn.orig);
    bool ports = conn.orig.proto != proto::icmp && conn.orig.proto != proto::icmpv6;
    IpAddr& addr = src ? c.p.src : c.p.dst;
    std::uint16_t& port = src ? c.p.sport : c.p.dport;
    const IpAddr& to_addr = src ? target.src : target.dst;
    const std::uint16_t to_port = src ? target.sport : target.dport;
    if (addr == to_addr && (!ports || port == to_port)) return;
    c.event(PathEventKind::nat_rewrite, [&](PathEvent& e) {
        e.hook = hook;
        e.flag = src;
        e.addr = addr;
        e.port = port;
        e.addr2 = to_addr;
        e.port2 = to_port;
    });
    addr = to_addr;
    if (ports) port = to_port;
}

}  // namespace fwbench
