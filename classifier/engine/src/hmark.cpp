// HMARK (xt_HMARK): the packet's mark from a hash of its addresses, ports (or SPI) and protocol,
// or of its connection's tuples; the kernel's tuple rules followed field by field, so the mark
// is the kernel's for every packet the kernel would hash.

#include <optional>
#include <utility>

#include "fwbench/jhash.hpp"
#include "fwbench/linear_engine.hpp"

namespace fwbench {

namespace {

struct HmarkTuple {
    std::uint32_t src = 0, dst = 0;  // masked address words, host order
    std::uint32_t ports = 0;  // after the ports' mask and set, larger half first
    std::uint8_t proto = 0;
};

// hmark_addr_mask: IPv4's word, or the XOR of IPv6's four masked words.
std::uint32_t masked_address(const IpAddr& a, const IpAddr& mask) {
    if (a.family == Family::ipv4) return a.word(0) & mask.word(0);
    return (a.word(0) & mask.word(0)) ^ (a.word(1) & mask.word(1)) ^ (a.word(2) & mask.word(2)) ^ (a.word(3) & mask.word(3));
}

// hmark_swap_ports: the 32 bits read where the ports are (source high), masked and set, then the
// larger half first.
std::uint32_t swapped_ports(std::uint32_t wire, const HmarkTarget& h) {
    const std::uint32_t hp = (wire & h.port_mask) | h.port_set;
    const std::uint32_t src = hp >> 16, dst = hp & 0xffff;
    return dst > src ? dst << 16 | src : src << 16 | dst;
}

bool is_icmp_error(std::uint8_t type) { return type == 3 || type == 4 || type == 5 || type == 11 || type == 12; }

// hmark_pkt_set_htuple_ipv4 / _ipv6. Nullopt: the kernel found no tuple and leaves the mark.
std::optional<HmarkTuple> packet_tuple(const HmarkTarget& h, const Packet& p) {
    HmarkTuple t;
    const bool v4 = p.family == Family::ipv4;
    bool frag = v4 ? p.fragment || p.more_fragments || p.frag_offset : false;
    if (!v4)
        for (std::uint8_t i = 0; i < p.ext_header_count; ++i) frag = frag || p.ext_headers[i] == proto::ipv6_frag;
    if (!v4 && p.ext_headers_cut) return t;  // ipv6_find_hdr fails: the kernel hashes a zero tuple
    const bool icmp_error =
        p.l4_present && !frag &&
        (v4 ? p.proto == proto::icmp && is_icmp_error(p.icmp_type) : p.proto == proto::icmpv6 && p.icmp_type != 0 && p.icmp_type < 128);
    if (icmp_error) {
        // The header the error quotes stands in for the packet's.
        if (!p.icmp_quoted.present) return std::nullopt;
        const auto& q = p.icmp_quoted;
        t.src = masked_address(q.src, h.src_mask);
        t.dst = masked_address(q.dst, h.dst_mask);
        t.proto = q.proto;
        if (q.proto != proto::icmp && q.proto != proto::icmpv6 && proto_has_ports(q.proto))
            t.ports = swapped_ports(std::uint32_t{q.sport} << 16 | q.dport, h);
        return t;
    }
    t.src = masked_address(p.src, h.src_mask);
    t.dst = masked_address(p.dst, h.dst_mask);
    // IPv6's walk stops at an AH (IP6_FH_F_AUTH): its SPI is hashed as ESP's is.
    t.proto = !v4 && p.ah.present ? proto::ah : p.proto;
    if (t.proto == proto::icmp || t.proto == proto::icmpv6 || frag) return t;
    if (auto wire = wire_ports(t.proto, p)) t.ports = swapped_ports(*wire, h);
    return t;
}

// hmark_ct_set_htuple: the connection's original source and reply source, and their ports.
std::optional<HmarkTuple> connection_tuple(const HmarkTarget& h, const Packet& p) {
    if (!p.ct.has_entry()) return std::nullopt;
    HmarkTuple t;
    t.src = masked_address(p.ct.orig.src, h.src_mask);
    t.dst = masked_address(p.ct.reply.src, h.dst_mask);
    t.proto = p.ct.l4proto;
    if (t.proto != proto::icmp) t.ports = swapped_ports(std::uint32_t{p.ct.orig.sport} << 16 | p.ct.reply.sport, h);
    return t;
}

}  // namespace

// The 32 bits at proto_ports_offset, when the header holds them: ports, ESP's SPI, AH's SPI.
std::optional<std::uint32_t> wire_ports(std::uint8_t proto, const Packet& p) {
    if (!p.l4_present) return std::nullopt;  // skb_copy_bits fails: no ports, not swapped
    if (proto_has_ports(proto)) return std::uint32_t{p.sport} << 16 | p.dport;
    if (proto == proto::esp) return p.esp_spi;
    if (proto == proto::ah && p.ah.present && !p.ah.cut) return p.ah.spi;
    // IPComp's CPI, then two bytes past its header (hmark_reads_unkept_bytes refuses a packet
    // whose hash would read them).
    if (proto == proto::ipcomp) return std::uint32_t{p.ipcomp_cpi} << 16;
    return std::nullopt;
}

bool hmark_reads_unkept_bytes(const HmarkTarget& h, const Packet& p) {
    // IPComp's ports are its CPI and the two bytes after its header, which no packet keeps.
    return !(h.flags & HmarkTarget::Flag::ct) && p.proto == proto::ipcomp && p.l4_present && (h.port_mask & 0xffff) != 0;
}

void apply_hmark(const HmarkTarget& h, Packet& p) {
    const auto t = h.flags & HmarkTarget::Flag::ct ? connection_tuple(h, p) : packet_tuple(h, p);
    if (!t) return;
    std::uint32_t src = t->src, dst = t->dst;
    if (dst < src) std::swap(src, dst);
    const std::uint32_t hash = jhash::words3(src, dst, t->ports, h.rnd) ^ (t->proto & h.proto_mask);
    p.mark = jhash::scale(hash, h.mod) + h.offset;
}

}  // namespace fwbench
