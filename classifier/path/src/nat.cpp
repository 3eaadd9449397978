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
    if (!nat) {
        // A null binding keeps the connection's addresses, but get_unique_tuple still runs: a
        // source whose reply tuple another connection already expects (its original tuple, say,
        // the same two endpoints the other way round) gets another source port, as SNAT would.
        // A destination without a range is never changed.
        const bool ports = proto_has_ports(conn.orig.proto);
        if (!src || !ports) return;
        const std::uint16_t before = conn.reply.dport;
        choose_nat_port(c, NatTarget{NatTarget::Kind::snat, {}, {}, false, false, false}, true, conn.reply.dport);
        if (conn.reply.dport != before) conn.status |= ct_status::src_nat;
        return;
    }

    IpAddr addr;
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
            if (!nat->ranges.empty() && nat->ranges.front().has_addr) addr = nat->ranges.front().addr_lo;  // the first range's first address
            break;
        case NatTarget::Kind::masquerade: {
            // nf_nat_masquerade_ipv4: inet_select_addr(out, next hop, RT_SCOPE_UNIVERSE) — the
            // output device's address on the next hop's subnet, not the route's preferred source.
            // nf_nat_masquerade_ipv6: ipv6_dev_get_saddr on the output device toward the destination.
            const IpAddr next_hop = c.route.route && c.route.route->gateway ? *c.route.route->gateway : c.p.dst;
            std::optional<IpAddr> a = c.p.family == Family::ipv6 ? host_.select_source6(c.out_dev.view(), c.p.dst)
                                                                 : host_.select_address(c.out_dev.view(), next_hop, rt_scope::universe);
            if (!a) {
                c.event(PathEventKind::masquerade_no_address, [&](PathEvent& e) { e.dev = c.out_dev; });
                return;
            }
            addr = *a;
            break;
        }
        case NatTarget::Kind::redirect: {
            std::optional<IpAddr> a;
            if (hook == Hook::output) a = c.p.family == Family::ipv6 ? *parse_ip("::1", Family::ipv6) : IpAddr::v4(0x7f000001u);  // loopback
            else a = device_address(c.p.in.view());
            if (!a) return;
            addr = *a;
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
    const bool ports = proto_has_ports(conn.orig.proto);
    if (src) {
        conn.reply.dst = addr;
        conn.status |= ct_status::src_nat;
    } else {
        conn.reply.src = addr;
        conn.status |= ct_status::dst_nat;
    }
    // The reply tuple's port that stands for the manipulated one: the source port for SNAT and
    // MASQUERADE, the destination port for DNAT and REDIRECT.
    if (ports) choose_nat_port(c, *nat, src, src ? conn.reply.dport : conn.reply.sport);
    c.event(PathEventKind::nat_binding, [&](PathEvent& e) {
        e.flag = src;
        e.tuple = conn.reply;
    });
}

// get_unique_tuple's port (nf_nat_core.c), after the address: the packet's own port is kept when
// it lies in the --to-ports range (or no range is given) and no other connection expects replies
// on the resulting tuple; a one-port range is taken as it is. Otherwise
// nf_nat_l4proto_unique_tuple searches the range (without one: 1-511, 600-1023 or 1024-65535 by
// the port's class; a destination port without a range is never changed) from an offset: 0 for
// destination ports, a random one for source ports (and for --random, --random-fully, which skip
// the keeping) — fwbench, which cannot draw the kernel's random number, searches from the port's
// own place and says so (counters do not depend on which free port it is).
//
// The search is bounded (softirq must not scan 64,512 ports): NF_NAT_MAX_ATTEMPTS (128) tries,
// then rounds of 64, 32 and 16 from new random offsets (fwbench's: drawn from the connection's
// tuple, so a run is repeatable). In the last NF_NAT_HARDER_THRESH (32) tries of a round a new TCP
// connection may take the port of an SNATed one in TIME_WAIT (Conntrack::reply_tuple_taken_evicting).
// A search that finds nothing leaves the last port tried; confirmation then drops the packet.
void PacketPath::choose_nat_port(Ctx& c, const NatTarget& nat, bool src, std::uint16_t& port) const {
    Connection& conn = *c.ct.conn;
    std::optional<std::pair<std::uint16_t, std::uint16_t>> range;
    for (const auto& r : nat.ranges) {
        if (r.has_ports) range = std::minmax(r.port_lo, r.port_hi);
        break;
    }
    const bool randomized = nat.random || nat.random_fully;
    if (!randomized) {
        const auto taken = [&] { return c.st.conntrack.reply_tuple_taken(conn.reply, &conn); };
        if (range ? port >= range->first && port <= range->second && (range->first == range->second || !taken()) : !taken()) return;
    }
    std::uint32_t min = 0, size = 0;
    if (range) {
        min = range->first;
        size = static_cast<std::uint32_t>(range->second - range->first) + 1;
    } else if (!src) {
        return;
    } else if (port < 512) {
        min = 1, size = 511;
    } else if (port < 1024) {
        min = 600, size = 424;
    } else {
        min = 1024, size = 64512;
    }
    const std::uint16_t before = port;
    const NatPortSearch search = search_nat_port(c, src, min, size, port);
    if (!search.found) {
        c.event(PathEventKind::nat_port_search_failed, [&](PathEvent& e) {
            e.port = static_cast<std::uint16_t>(min);
            e.port2 = static_cast<std::uint16_t>(min + size - 1);
            e.flag = src;
            e.tries = search.tries;
            e.free_ports = free_nat_ports(c, min, size, port);
        });
        return;
    }
    // A one-port range is the mapping the rule asks for, not a choice: the binding says it.
    if ((port == before && !randomized) || size == 1) return;
    c.event(PathEventKind::nat_port_changed, [&](PathEvent& e) {
        e.port = before;
        e.port2 = port;
        e.flag = src;
        e.port_choice = randomized ? NatPortChoice::randomized : src ? NatPortChoice::random_offset : NatPortChoice::first_free;
    });
}

// nf_nat_l4proto_unique_tuple's rounds over [min, min + size), `port` (a field of the reply
// tuple) set to each port tried. The offset is a u16 that wraps, as the kernel's.
PacketPath::NatPortSearch PacketPath::search_nat_port(Ctx& c, bool src, std::uint32_t min, std::uint32_t size, std::uint16_t& port) const {
    constexpr std::uint32_t max_attempts = 128, harder_threshold = max_attempts / 4;
    Connection& conn = *c.ct.conn;
    const bool may_evict = conn.orig.proto == proto::tcp && conn.tcp == TcpCtState::syn_sent;
    std::uint16_t offset = src && port >= min ? static_cast<std::uint16_t>(port - min) : 0;
    std::uint32_t attempts = std::min(size, max_attempts);
    NatPortSearch out;
    for (std::uint32_t round = 1;; ++round) {
        for (std::uint32_t i = 0; i < attempts; ++i, ++offset) {
            port = static_cast<std::uint16_t>(min + offset % size);
            ++out.tries;
            const bool taken = may_evict && attempts - i <= harder_threshold ? c.st.conntrack.reply_tuple_taken_evicting(conn.reply, conn)
                                                                             : c.st.conntrack.reply_tuple_taken(conn.reply, &conn);
            if (!taken) {
                out.found = true;
                return out;
            }
        }
        if (attempts >= size || attempts < 16) return out;
        attempts /= 2;
        // The kernel's get_random_u16(); fwbench's from the tuple and the round: repeatable.
        offset = static_cast<std::uint16_t>(ConnTupleHash{}(conn.orig) * (2 * round + 1) >> 16);
    }
}

// How many ports of the range no other connection holds (for the trace of a failed search: zero
// means the kernel's search fails whatever its offsets; more, that its random ones may find one).
std::uint32_t PacketPath::free_nat_ports(Ctx& c, std::uint32_t min, std::uint32_t size, std::uint16_t& port) const {
    const Connection& conn = *c.ct.conn;
    const std::uint16_t tried = port;
    std::uint32_t free = 0;
    for (std::uint32_t i = 0; i < size; ++i) {
        port = static_cast<std::uint16_t>(min + i);
        free += !c.st.conntrack.reply_tuple_taken(conn.reply, &conn);
    }
    port = tried;
    return free;
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
