// NAT on the packet path (nf_nat_core.c, nf_nat_proto.c): the binding a connection's first packet
// sets up in a nat chain, and the rewriting every packet of the connection gets from it.
#include "path_context.hpp"

namespace fwbench {

using namespace path_detail;

// A nat target's mapping as nf_nat_setup_info receives it (struct nf_nat_range2).
struct PacketPath::NatRange2 {
    bool map_ips = false;  // NF_NAT_RANGE_MAP_IPS: min_addr..max_addr
    IpAddr min_addr, max_addr;
    bool proto_specified = false;  // NF_NAT_RANGE_PROTO_SPECIFIED: min_port..max_port
    std::uint16_t min_port = 0, max_port = 0;
    std::optional<std::uint16_t> base_port;  // NF_NAT_RANGE_PROTO_OFFSET: the port that maps to min_port
    bool random_all = false;  // --random, --random-fully
    bool persistent = false;
};

namespace {

bool has_ids(std::uint8_t proto) { return proto == proto::icmp || proto == proto::icmpv6; }

// The field nf_nat_l4proto_unique_tuple changes: the source or destination port, or an ICMP
// query's id (its tuple's sport, whichever the manip).
std::uint16_t& nat_key(ConnTuple& t, bool src) { return has_ids(t.proto) || src ? t.sport : t.dport; }

bool address_in(const IpAddr& a, const PacketPath::NatRange2& r) { return !r.map_ips || (r.min_addr <= a && a <= r.max_addr); }

// l4proto_in_range: the key within the range (protocols without one always are).
bool key_in(ConnTuple t, bool src, const PacketPath::NatRange2& r) {
    if (!proto_has_ports(t.proto) && !has_ids(t.proto)) return true;
    const std::uint16_t k = nat_key(t, src);
    return k >= r.min_port && k <= r.max_port;
}

// nf_in_range, for a source manip.
// A shifted port map is never "in range" (nf_nat_core.c in_range): every port is shifted.
bool in_range(const ConnTuple& t, const PacketPath::NatRange2& r) {
    return address_in(t.src, r) && (!r.proto_specified || (!r.base_port && key_in(t, true, r)));
}

std::uint32_t rol32(std::uint32_t w, int s) { return w << s | w >> (32 - s); }

// The kernel's jhash2 (Bob Jenkins' lookup3 over 32-bit words).
std::uint32_t jhash2(const std::uint32_t* k, std::uint32_t length, std::uint32_t initval) {
    std::uint32_t a = 0xdeadbeef + (length << 2) + initval, b = a, c = a;
    while (length > 3) {
        a += k[0], b += k[1], c += k[2];
        a -= c, a ^= rol32(c, 4), c += b;
        b -= a, b ^= rol32(a, 6), a += c;
        c -= b, c ^= rol32(b, 8), b += a;
        a -= c, a ^= rol32(c, 16), c += b;
        b -= a, b ^= rol32(a, 19), a += c;
        c -= b, c ^= rol32(b, 4), b += a;
        length -= 3, k += 3;
    }
    switch (length) {
        case 3: c += k[2]; [[fallthrough]];
        case 2: b += k[1]; [[fallthrough]];
        case 1:
            a += k[0];
            c ^= b, c -= rol32(b, 14);
            a ^= c, a -= rol32(c, 11);
            b ^= a, b -= rol32(a, 25);
            c ^= b, c -= rol32(b, 16);
            a ^= c, a -= rol32(c, 4);
            b ^= a, b -= rol32(a, 14);
            c ^= b, c -= rol32(b, 24);
            break;
        default: break;
    }
    return c;
}

// An address's 32-bit words as the kernel loads them from union nf_inet_addr on a little-endian
// machine (x86: the network-order bytes read as a native u32), and back.
std::uint32_t memory_word(const IpAddr& a, int i) {
    const auto* b = a.bytes.data() + 4 * i;
    return std::uint32_t{b[0]} | std::uint32_t{b[1]} << 8 | std::uint32_t{b[2]} << 16 | std::uint32_t{b[3]} << 24;
}
void set_host_word(IpAddr& a, int i, std::uint32_t host_order) {
    for (int k = 0; k < 4; ++k) a.bytes[4 * i + k] = static_cast<std::uint8_t>(host_order >> (24 - 8 * k));
}

// find_best_ips_proto: one address of the range, from a hash of the source and destination
// addresses (--persistent: of the source only), so a client keeps its address.
void pick_address(ConnTuple& t, const PacketPath::NatRange2& r, bool src) {
    if (!r.map_ips) return;
    IpAddr& var = src ? t.src : t.dst;
    if (r.min_addr == r.max_addr) {
        var = r.min_addr;
        return;
    }
    const int max = t.family == Family::ipv6 ? 3 : 0;
    std::uint32_t words[4];
    for (int i = 0; i < 4; ++i) words[i] = memory_word(t.src, i);  // all of u3, zero beyond IPv4's
    const IpAddr dst = t.dst;
    std::uint32_t j = jhash2(words, 4, r.persistent ? 0 : memory_word(dst, max));  // ^ the zone's id, 0
    bool full_range = false;
    for (int i = 0; i <= max; ++i) {
        std::uint32_t minip = 0, dist = ~std::uint32_t{0};
        if (!full_range) {
            minip = r.min_addr.word(i);
            dist = r.max_addr.word(i) - minip + 1;
        }
        set_host_word(var, i, minip + static_cast<std::uint32_t>((std::uint64_t{j} * dist) >> 32));  // reciprocal_scale
        if (var.word(i) != r.max_addr.word(i)) full_range = true;
        if (!r.persistent) j ^= memory_word(dst, i);
    }
}

}  // namespace

bool PacketPath::nat_bind(Ctx& c, Hook hook, const NatTarget* nat) const {
    Connection& conn = *c.ct.conn;
    const bool src = manip_src(hook);
    if (src) conn.nat_src_done = true;
    else conn.nat_dst_done = true;
    NatRange2 range;
    range.map_ips = true;
    if (!nat) {
        // __nf_nat_alloc_null_binding: the connection's own address as a one-address range. It
        // still takes a unique tuple: a source whose reply tuple another connection already
        // expects (its original tuple, say, the same two endpoints the other way round) gets
        // another source port, as SNAT would.
        range.min_addr = range.max_addr = src ? conn.reply.dst : conn.reply.src;
        setup_nat(c, range, src);
        return true;
    }
    std::optional<IpAddr> addr;
    switch (nat->kind) {
        case NatTarget::Kind::dnat:
        case NatTarget::Kind::snat:
            range.map_ips = false;
            if (!nat->ranges.empty() && nat->ranges.front().has_addr) {
                range.map_ips = true;
                range.min_addr = nat->ranges.front().addr_lo;
                range.max_addr = nat->ranges.front().addr_hi;
            }
            break;
        case NatTarget::Kind::masquerade: {
            // nf_nat_masquerade_ipv4: inet_select_addr(out, next hop, RT_SCOPE_UNIVERSE) — the
            // output device's address on the next hop's subnet, not the route's preferred source.
            // nf_nat_masquerade_ipv6: ipv6_dev_get_saddr on the output device toward the destination.
            const IpAddr next_hop = c.route.route && c.route.route->gateway ? *c.route.route->gateway : c.p.dst;
            addr = c.p.family == Family::ipv6 ? host_.select_source6(c.out_dev.view(), c.p.dst)
                                              : host_.select_address(c.out_dev.view(), next_hop, rt_scope::universe);
            if (!addr) {
                // nf_nat_masquerade_ipv4: "%s ate my IP address", NF_DROP.
                c.event(PathEventKind::masquerade_no_address, [&](PathEvent& e) { e.dev = c.out_dev; });
                return false;
            }
            break;
        }
        case NatTarget::Kind::redirect: {
            if (hook == Hook::output) addr = c.p.family == Family::ipv6 ? *parse_ip("::1", Family::ipv6) : IpAddr::v4(0x7f000001u);  // loopback
            else if (const Interface* itf = host_.interface(c.p.in.view()))
                for (const auto& a : itf->addrs)
                    if (a.addr.family == c.p.family && !a.secondary) {
                        addr = a.addr;
                        break;
                    }
            if (!addr) return false;  // nf_nat_redirect_ipv4: no address on the arrival device, NF_DROP
            break;
        }
        case NatTarget::Kind::netmap: {
            const IpAddr& orig = src ? c.p.src : c.p.dst;
            addr = orig;
            for (std::size_t i = 0; i < 16; ++i)
                addr->bytes[i] = static_cast<std::uint8_t>((orig.bytes[i] & ~nat->netmap_to.mask.bytes[i]) |
                                                           (nat->netmap_to.addr.bytes[i] & nat->netmap_to.mask.bytes[i]));
            break;
        }
    }
    if (addr) range.min_addr = range.max_addr = *addr;
    if (nat->kind != NatTarget::Kind::netmap)
        for (const auto& r : nat->ranges) {
            if (r.has_ports) {
                range.proto_specified = true;
                std::tie(range.min_port, range.max_port) = std::minmax(r.port_lo, r.port_hi);
                range.base_port = r.port_base;
            }
            break;
        }
    range.random_all = nat->random || nat->random_fully;
    range.persistent = nat->persistent;
    setup_nat(c, range, src);
    c.event(PathEventKind::nat_binding, [&](PathEvent& e) {
        e.flag = src;
        e.tuple = conn.reply;
    });
    return true;
}

// nf_nat_setup_info: the connection's reply tuple becomes the inverse of get_unique_tuple's
// answer, and the SNAT or DNAT status bit is set only when that changed anything.
void PacketPath::setup_nat(Ctx& c, const NatRange2& range, bool src) const {
    Connection& conn = *c.ct.conn;
    const ConnTuple curr = invert(conn.reply);
    const ConnTuple t = unique_tuple(c, curr, range, src);
    if (t == curr) return;
    conn.reply = invert(t);
    conn.status |= src ? ct_status::src_nat : ct_status::dst_nat;
}

// get_unique_tuple (nf_nat_core.c): for a source, the connection's own tuple when it lies in
// the range and is free, else the mapping an earlier connection from the same source got
// (find_appropriate_src) when it is in range and free; otherwise the range's address for this
// pair of hosts, the packet's own port (or id) when in range and free (a one-port range: that
// port, free or not), and failing that a search for a free one.
ConnTuple PacketPath::unique_tuple(Ctx& c, const ConnTuple& orig, const NatRange2& range, bool src) const {
    const Connection& conn = *c.ct.conn;
    const auto used = [&](const ConnTuple& t) { return c.st.conntrack.reply_tuple_taken(invert(t), &conn); };
    if (src && !range.random_all) {
        if (in_range(orig, range)) {
            if (!used(orig)) return orig;
        } else if (auto earlier = c.st.conntrack.earlier_source_mapping(orig, [&](const ConnTuple& t) { return in_range(t, range); })) {
            if (!used(*earlier)) return *earlier;
        }
    }
    ConnTuple t = orig;
    pick_address(t, range, src);
    const bool keyed = proto_has_ports(t.proto) || has_ids(t.proto);
    if (!range.random_all) {
        if (range.proto_specified) {
            if (!range.base_port && key_in(t, src, range) && (range.min_port == range.max_port || !used(t))) return t;
        } else if (!used(t)) {
            return t;
        }
    }
    if (keyed) choose_nat_key(c, t, range, src);
    return t;
}

// nf_nat_l4proto_unique_tuple's range (without one given: an ICMP id's 0-65535, a source port's
// class, 1-511, 600-1023 or 1024-65535; a destination port without a range is never changed) and
// its offset: 0 for a destination's port, a random one for a source's and for --random,
// --random-fully — fwbench, which cannot draw the kernel's random number, searches from the
// port's own place and says so (counters do not depend on which free port it is).
//
// The search is bounded (softirq must not scan 64,512 ports): NF_NAT_MAX_ATTEMPTS (128) tries,
// then rounds of 64, 32 and 16 from new random offsets (fwbench's: drawn from the connection's
// tuple, so a run is repeatable). In the last NF_NAT_HARDER_THRESH (32) tries of a round a new TCP
// connection may take the port of an SNATed one in TIME_WAIT (Conntrack::reply_tuple_taken_evicting).
// A search that finds nothing leaves the last port tried; confirmation then drops the packet.
void PacketPath::choose_nat_key(Ctx& c, ConnTuple& t, const NatRange2& range, bool src) const {
    std::uint16_t& key = nat_key(t, src);
    std::uint32_t min = 0, size = 0;
    if (range.proto_specified) {
        min = range.min_port;
        size = static_cast<std::uint32_t>(range.max_port - range.min_port) + 1;
    } else if (has_ids(t.proto)) {
        min = 0, size = 65536;
    } else if (!src) {
        return;
    } else if (key < 512) {
        min = 1, size = 511;
    } else if (key < 1024) {
        min = 600, size = 424;
    } else {
        min = 1024, size = 64512;
    }
    const std::uint16_t before = key;
    const bool random_offset = range.random_all || src;
    // The offset: a shifted map's (the port's distance from its base, a u16 that wraps) before all.
    const std::uint16_t offset = range.base_port               ? static_cast<std::uint16_t>(key - *range.base_port)
                                 : random_offset && key >= min ? static_cast<std::uint16_t>(key - min)
                                                               : std::uint16_t{0};
    const NatPortSearch search = search_nat_key(c, t, key, offset, min, size);
    if (!search.found) {
        c.event(PathEventKind::nat_port_search_failed, [&](PathEvent& e) {
            e.port = static_cast<std::uint16_t>(min);
            e.port2 = static_cast<std::uint16_t>(min + size - 1);
            e.flag = src;
            e.tries = search.tries;
            e.free_ports = free_nat_keys(c, t, key, min, size);
        });
        return;
    }
    // A one-port range is the mapping the rule asks for, not a choice: the binding says it.
    if ((key == before && !range.random_all) || size == 1 || range.base_port) return;
    c.event(PathEventKind::nat_port_changed, [&](PathEvent& e) {
        e.port = before;
        e.port2 = key;
        e.flag = src;
        e.port_choice = range.random_all ? NatPortChoice::randomized : random_offset ? NatPortChoice::random_offset : NatPortChoice::first_free;
    });
}

// nf_nat_l4proto_unique_tuple's rounds over [min, min + size), `key` (a field of `t`) set to each
// port tried. The offset is a u16 that wraps, as the kernel's.
PacketPath::NatPortSearch PacketPath::search_nat_key(Ctx& c, ConnTuple& t, std::uint16_t& key, std::uint16_t offset, std::uint32_t min,
                                                     std::uint32_t size) const {
    constexpr std::uint32_t max_attempts = 128, harder_threshold = max_attempts / 4;
    Connection& conn = *c.ct.conn;
    const bool may_evict = conn.orig.proto == proto::tcp && conn.tcp == TcpCtState::syn_sent;
    std::uint32_t attempts = std::min(size, max_attempts);
    NatPortSearch out;
    for (std::uint32_t round = 1;; ++round) {
        for (std::uint32_t i = 0; i < attempts; ++i, ++offset) {
            key = static_cast<std::uint16_t>(min + offset % size);
            ++out.tries;
            const ConnTuple reply = invert(t);
            const bool taken = may_evict && attempts - i <= harder_threshold ? c.st.conntrack.reply_tuple_taken_evicting(reply, conn)
                                                                             : c.st.conntrack.reply_tuple_taken(reply, &conn);
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

// How many keys of the range no other connection holds (for the trace of a failed search: zero
// means the kernel's search fails whatever its offsets; more, that its random ones may find one).
std::uint32_t PacketPath::free_nat_keys(Ctx& c, ConnTuple& t, std::uint16_t& key, std::uint32_t min, std::uint32_t size) const {
    const std::uint16_t tried = key;
    std::uint32_t free = 0;
    for (std::uint32_t i = 0; i < size; ++i) {
        key = static_cast<std::uint16_t>(min + i);
        free += !c.st.conntrack.reply_tuple_taken(invert(t), c.ct.conn.get());
    }
    key = tried;
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
    // An ICMP query's id is its tuple's key whichever the manip (nf_nat_icmp_manip_pkt); the
    // errors RELATED to a connection keep theirs.
    const bool query = has_ids(conn.orig.proto) && c.p.proto == conn.orig.proto && !icmp_is_error(c.p.icmp_type, c.p.proto == proto::icmpv6);
    const bool ports = !has_ids(conn.orig.proto) || query;
    IpAddr& addr = src ? c.p.src : c.p.dst;
    std::uint16_t& port = query ? c.p.icmp_id : src ? c.p.sport : c.p.dport;
    const IpAddr& to_addr = src ? target.src : target.dst;
    const std::uint16_t to_port = query || src ? target.sport : target.dport;
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
