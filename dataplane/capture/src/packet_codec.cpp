#include "fwbench/packet_codec.hpp"

// DPDK's checksums, header-only (static inline in rte_ip.h): this floor compiles with DPDK's
// headers and links none of its libraries, so the readers and their tests and fuzzers stay free
// of the EAL.
#include <rte_ip.h>

#include <algorithm>
#include <cstring>

namespace fwbench {

const char* malformation_name(Malformation m) {
    switch (m) {
        case Malformation::none: return "none";
        case Malformation::truncated_ip_header: return "truncated_ip_header";
        case Malformation::bad_version: return "bad_ip_version";
        case Malformation::bad_ihl: return "bad_ihl";
        case Malformation::bad_total_length: return "bad_total_length";
        case Malformation::snaplen_cut: return "snaplen_cut";
        case Malformation::bad_ip_checksum: return "bad_ip_checksum";
        case Malformation::unsupported_family: return "unsupported_family";
        case Malformation::ipv6_jumbogram: return "ipv6_jumbogram";
        case Malformation::bad_hop_by_hop: return "bad_hop_by_hop";
    }
    return "?";
}

namespace {

std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
std::uint32_t be32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | std::uint32_t{p[3]};
}
void put16(std::uint8_t* p, std::uint16_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}
void put32(std::uint8_t* p, std::uint32_t v) {
    put16(p, static_cast<std::uint16_t>(v >> 16));
    put16(p + 2, static_cast<std::uint16_t>(v));
}

IpAddr v4_at(const std::uint8_t* p) {
    IpAddr a;
    a.family = Family::ipv4;
    std::memcpy(a.bytes.data(), p, 4);
    return a;
}

IpAddr v6_at(const std::uint8_t* p) {
    IpAddr a;
    a.family = Family::ipv6;
    std::memcpy(a.bytes.data(), p, 16);
    return a;
}

// ipv6_ext_hdr: the headers ipv6_find_hdr steps over (NEXTHDR_NONE ends the walk).
bool ipv6_extension(std::uint8_t nh) {
    return nh == proto::ipv6_hop || nh == proto::ipv6_route || nh == proto::ipv6_frag || nh == proto::ah || nh == proto::ipv6_dest;
}

// An options header's TLVs as ip6t_hbh walks them: Pad1 is one byte, any other option its type,
// its length byte and that many bytes; the first 16, and whether one of them overruns the header.
void read_options(OptionsHeader& h, const std::uint8_t* hdr, std::size_t len) {
    h.length = static_cast<std::uint16_t>(len);
    std::size_t at = 2;
    while (at < len && h.count < h.types.size()) {
        const std::uint8_t type = hdr[at];
        if (type == 0) {
            h.add(0, 0);
            ++at;
            continue;
        }
        if (len - at < 2 || len - at < 2u + hdr[at + 1]) {
            h.overrun = true;
            h.add(type, len - at < 2 ? 0 : hdr[at + 1]);
            return;
        }
        if (type == 1 && std::any_of(hdr + at + 2, hdr + at + 2 + hdr[at + 1], [](std::uint8_t b) { return b != 0; }))
            h.nonzero_padn = static_cast<std::uint16_t>(h.nonzero_padn | 1u << h.count);
        h.add(type, hdr[at + 1]);
        at += 2u + hdr[at + 1];
    }
}

// struct ip_auth_hdr: next header, hdrlen, reserved (2), SPI (4), sequence (4): the 12 bytes
// ip6t_ah and ipt_ah read, wherever the header's own length ends.
void read_auth_header(AuthHeader& ah, const std::uint8_t* hdr, std::size_t avail) {
    ah.present = true;
    ah.cut = avail < 12;
    if (avail >= 2) ah.length = static_cast<std::uint16_t>((std::size_t{hdr[1]} + 2) * 4);
    if (avail >= 4) ah.reserved_zero = hdr[2] == 0 && hdr[3] == 0;
    if (avail >= 8) ah.spi = be32(hdr + 4);
}

// ipv6_find_hdr with target -1 over [data + start, end): where the upper-layer header starts and
// what it is, each extension header met, and what a fragment header says.
struct ExtWalk {
    std::size_t offset = 0;
    std::uint8_t proto = 0;
    bool cut = false;  // ended inside a header
    bool cut_in_hop_by_hop = false;
};

// A routing header of `len` bytes with `avail` bytes of the datagram from its start: the fields
// -m rt reads, and those -m srh reads of a segment routing header, the three segments wherever
// the datagram holds them (ip6t_srh reads them with skb_header_pointer, bounded by the packet).
void read_routing_header(RoutingHeader& rt, const std::uint8_t* h, std::size_t len, std::size_t avail) {
    rt.present = true;
    rt.next_header = h[0];
    rt.type = h[2];
    rt.segments_left = h[3];
    rt.hdr_len_bytes = static_cast<std::uint16_t>(len);
    rt.reserved_zero = be32(h + 4) == 0;
    rt.last_entry = h[4];
    rt.tag = be16(h + 6);
    for (auto which : {RoutingHeader::previous_sid, RoutingHeader::next_sid, RoutingHeader::last_sid}) {
        const int index = rt.sid_index(which);
        const std::size_t at = 8 + 16 * static_cast<std::size_t>(index);
        if (index < 0 || avail < at + 16) continue;
        std::memcpy(rt.sids[which].data(), h + at, 16);
        rt.sids_read = static_cast<std::uint8_t>(rt.sids_read | 1u << which);
    }
}

ExtWalk walk_ipv6_extensions(Packet* p, const std::uint8_t* data, std::size_t start, std::size_t end, std::uint8_t nh) {
    ExtWalk w;
    std::size_t at = start;
    while (ipv6_extension(nh)) {
        if (p && p->ext_header_count < p->ext_headers.size()) p->ext_headers[p->ext_header_count++] = nh;
        const std::size_t need = nh == proto::ipv6_frag ? 8 : 2;
        std::size_t len = 0;
        if (end - at >= need)
            len = nh == proto::ipv6_frag ? 8 : nh == proto::ah ? (std::size_t{data[at + 1]} + 2) * 4 : (std::size_t{data[at + 1]} + 1) * 8;
        if (len == 0 || end - at < len) {
            w.cut = true;
            w.cut_in_hop_by_hop = nh == proto::ipv6_hop;
            w.proto = nh;
            w.offset = at;
            return w;
        }
        const std::uint8_t next = data[at];
        if (nh == proto::ipv6_frag) {
            const std::uint16_t word = be16(data + at + 2);
            if (p) {
                p->more_fragments = (word & 1) != 0;
                p->frag_offset = static_cast<std::uint16_t>(word & ~0x7u);
                p->frag_id = be32(data + at + 4);
                p->frag_reserved = data[at + 1] != 0 || (word & 0x6) != 0;
            }
            if (word & ~0x7u) {
                // A non-first fragment: its next header is the upper layer as far as ip6tables
                // goes (ipv6_find_hdr returns it, with the fragment's offset).
                if (p) p->fragment = true;
                w.proto = next;
                w.offset = at + len;
                return w;
            }
        } else if ((nh == proto::ipv6_hop || nh == proto::ipv6_dest) && p) {
            OptionsHeader& h = nh == proto::ipv6_hop ? p->hop_options : p->dest_options;
            if (h.length == 0) read_options(h, data + at, len);
        } else if (nh == proto::ah && p && !p->ah.present) {
            read_auth_header(p->ah, data + at, end - at);
        } else if (nh == proto::ipv6_route && p && !p->rt.present) {
            read_routing_header(p->rt, data + at, len, end - at);
        }
        nh = next;
        at += len;
    }
    w.proto = nh;
    w.offset = at;
    return w;
}

// The transport header, when fully present in [l4, end).
// xt_sctp's match_packet walk: from the first chunk after the 12-byte common header, each next
// one its length rounded up to 4 further on, until the datagram ends; a chunk header it cannot
// read whole, or of length 0, ends the walk as malformed (as does the lack of any chunk).
void walk_sctp_chunks(SctpChunks& c, const std::uint8_t* l4, std::size_t avail) {
    std::size_t at = 12;
    do {
        if (avail - at < 4 || be16(l4 + at + 2) == 0) {
            c.malformed = true;
            return;
        }
        c.add(l4[at], l4[at + 1]);
        at += (static_cast<std::size_t>(be16(l4 + at + 2)) + 3) & ~std::size_t{3};
    } while (at < avail);
}

// xt_dccp's view of the header: the type, and dccp_find_option's walk over the options between
// the type's header and the data offset (a kind below 2 takes one byte, another its length, 0 as
// 1), each kind it meets noted.
void walk_dccp_options(Packet& p, const std::uint8_t* l4, std::size_t avail) {
    p.dccp_type = static_cast<std::uint8_t>((l4[8] >> 1) & 0x0f);
    const std::size_t header = Packet::dccp_header_length(p.dccp_type, l4[8] & 1);
    const std::size_t offset = std::size_t{l4[4]} * 4;
    if (offset < header || offset > avail) {
        p.dccp_options_bad = true;
        return;
    }
    const std::uint8_t* op = l4 + header;
    const std::size_t optlen = offset - header;
    for (std::size_t i = 0; i < optlen;) {
        p.set_dccp_option(op[i]);
        if (op[i] < 2 || i + 1 >= optlen) ++i;
        else i += op[i + 1] ? op[i + 1] : 1;
    }
}

void parse_l4(Packet& p, const std::uint8_t* l4, const std::uint8_t* end) {
    std::size_t avail = static_cast<std::size_t>(end - l4);
    p.l4_present = false;
    switch (p.proto) {
        case proto::tcp: {
            if (avail < 20) return;
            std::size_t doff = static_cast<std::size_t>(l4[12] >> 4) * 4;
            if (doff < 20 || doff > avail) return;
            p.sport = be16(l4);
            p.dport = be16(l4 + 2);
            p.tcp_seq = be32(l4 + 4);
            p.tcp_ack = be32(l4 + 8);
            p.tcp_flags = l4[13];
            p.tcp_window = be16(l4 + 14);
            p.set_tcp_option_bytes(l4 + 20, doff - 20);
            p.l4_present = true;
            return;
        }
        case proto::udp:
        case proto::udplite:
        case proto::sctp:
        case proto::dccp:
            if (avail < 4) return;
            p.sport = be16(l4);
            p.dport = be16(l4 + 2);
            p.l4_present = avail >= (p.proto == proto::sctp ? 12u : p.proto == proto::dccp ? 12u : 8u);
            if (p.proto == proto::sctp && p.l4_present) walk_sctp_chunks(p.sctp_chunks, l4, avail);
            if (p.proto == proto::dccp && p.l4_present) walk_dccp_options(p, l4, avail);
            return;
        case proto::icmp: {
            if (avail < 4) return;
            p.icmp_type = l4[0];
            p.icmp_code = l4[1];
            p.l4_present = true;
            if (avail >= 8) p.icmp_id = be16(l4 + 4);
            if (icmpv4_is_error(p.icmp_type) && avail >= 8 + 20) {
                const std::uint8_t* q = l4 + 8;
                std::size_t qihl = static_cast<std::size_t>(q[0] & 0x0f) * 4;
                if ((q[0] >> 4) == 4 && qihl >= 20 && avail >= 8 + qihl + 8) {
                    p.icmp_quoted.present = true;
                    p.icmp_quoted.src = v4_at(q + 12);
                    p.icmp_quoted.dst = v4_at(q + 16);
                    p.icmp_quoted.proto = q[9];
                    const std::uint8_t* ql4 = q + qihl;
                    if (q[9] == proto::icmp) {
                        p.icmp_quoted.sport = be16(ql4 + 4);  // id
                        p.icmp_quoted.dport = ql4[0];  // type
                    } else {
                        p.icmp_quoted.sport = be16(ql4);
                        p.icmp_quoted.dport = be16(ql4 + 2);
                    }
                }
            }
            return;
        }
        case proto::icmpv6: {
            if (p.family != Family::ipv6) {
                p.l4_present = true;
                return;
            }
            if (avail < 4) return;
            p.icmp_type = l4[0];
            p.icmp_code = l4[1];
            p.l4_present = true;
            if (avail >= 8) p.icmp_id = be16(l4 + 4);
            // An error (types below 128) quotes the offending datagram: its addresses, and the
            // ports (or an ICMPv6 query's id and type) behind its extension headers.
            if (l4[0] < 128 && avail >= 8 + 40 && (l4[8] >> 4) == 6) {
                const std::uint8_t* q = l4 + 8;
                p.icmp_quoted.present = true;
                p.icmp_quoted.src = v6_at(q + 8);
                p.icmp_quoted.dst = v6_at(q + 24);
                const std::size_t qsize = avail - 8;
                const ExtWalk w = walk_ipv6_extensions(nullptr, q, 40, qsize, q[6]);
                p.icmp_quoted.proto = w.proto;
                if (!w.cut && qsize - w.offset >= 4) {
                    const std::uint8_t* ql4 = q + w.offset;
                    if (w.proto == proto::icmpv6) {
                        if (qsize - w.offset >= 6) p.icmp_quoted.sport = be16(ql4 + 4);  // id
                        p.icmp_quoted.dport = ql4[0];  // type
                    } else {
                        p.icmp_quoted.sport = be16(ql4);
                        p.icmp_quoted.dport = be16(ql4 + 2);
                    }
                }
            }
            return;
        }
        case proto::ipcomp:  // struct ip_comp_hdr: next header, flags, CPI
            if (avail >= 4) p.ipcomp_cpi = be16(l4 + 2);
            p.l4_present = avail >= 4;
            return;
        case proto::esp:  // struct ip_esp_hdr: SPI, sequence (xt_esp reads both)
            if (avail >= 4) p.esp_spi = be32(l4);
            p.l4_present = avail >= 8;
            return;
        case proto::ah:  // IPv4's upper layer (IPv6's AH is an extension header)
            read_auth_header(p.ah, l4, avail);
            p.l4_present = !p.ah.cut;
            return;
        case proto::mobility:  // struct ip6_mh: payload proto, hdrlen, type, reserved, checksum
            if (avail >= 3) {
                p.mh_payload_proto = l4[0];
                p.mh_type = l4[2];
            }
            p.l4_present = avail >= 6;
            return;
        default: p.l4_present = true; return;
    }
}

}  // namespace

namespace {

// The checksums, DPDK's functions over the bytes in place. Each returns its sum in memory order
// (ready to store as it is), so it is copied, never put16. rte_ipv4_hdr is packed: any address
// will do.
const rte_ipv4_hdr* ip_header(const std::uint8_t* ip) { return reinterpret_cast<const rte_ipv4_hdr*>(ip); }

void store_sum(std::uint8_t* at, std::uint16_t sum) { std::memcpy(at, &sum, 2); }

// The header checksum over IHL*4 bytes.
void fill_ip_checksum(std::uint8_t* ip) {
    store_sum(ip + 10, 0);
    store_sum(ip + 10, rte_ipv4_cksum(ip_header(ip)));
}

// TCP or UDP over the segment the header's total length gives, with the pseudo-header; a UDP
// sum of zero is sent as all ones (RFC 768), which rte_ipv4_udptcp_cksum does.
void fill_udptcp_checksum(std::uint8_t* ip, std::uint8_t* l4, std::size_t field) {
    store_sum(l4 + field, 0);
    store_sum(l4 + field, rte_ipv4_udptcp_cksum(ip_header(ip), l4));
}

// ICMP: the whole message, no pseudo-header.
void fill_icmp_checksum(std::uint8_t* l4, std::size_t size) {
    store_sum(l4 + 2, 0);
    store_sum(l4 + 2, static_cast<std::uint16_t>(~rte_raw_cksum(l4, size)));
}

// An IPv4 header without options for `p` (TOS, TTL, protocol, addresses), `total` bytes long,
// with the given ID and flags/offset word, and its checksum.
void put_ipv4_header(std::uint8_t* ip, const Packet& p, std::size_t total, std::uint16_t id, std::uint16_t frag_word) {
    ip[0] = 0x45;
    ip[1] = p.tos;
    put16(ip + 2, static_cast<std::uint16_t>(total));
    put16(ip + 4, id);
    put16(ip + 6, frag_word);
    ip[8] = p.ttl;
    ip[9] = p.proto;
    std::memcpy(ip + 12, p.src.bytes.data(), 4);
    std::memcpy(ip + 16, p.dst.bytes.data(), 4);
    fill_ip_checksum(ip);
}

// An IPv6 header for `p` (traffic class, flow label, hop limit, addresses), `total` bytes long
// with the header, its next header `next`.
void put_ipv6_header(std::uint8_t* ip, const Packet& p, std::size_t total, std::uint8_t next) {
    put32(ip, 0x60000000u | std::uint32_t{p.tos} << 20 | (p.flow_label & 0xfffff));
    put16(ip + 4, static_cast<std::uint16_t>(total - 40));
    ip[6] = next;
    ip[7] = p.ttl;
    std::memcpy(ip + 8, p.src.bytes.data(), 16);
    std::memcpy(ip + 24, p.dst.bytes.data(), 16);
}

// A TCP header's fields for `p` (ports, sequence numbers, flags, window, options); the checksum
// is the caller's, over its family's pseudo-header.
void put_tcp_fields(std::uint8_t* l4, const Packet& p) {
    put16(l4, p.sport);
    put16(l4 + 2, p.dport);
    put32(l4 + 4, p.tcp_seq);
    put32(l4 + 8, p.tcp_ack);
    l4[12] = static_cast<std::uint8_t>((20 + p.tcp_option_len) / 4 << 4);
    l4[13] = p.tcp_flags;
    put16(l4 + 14, p.tcp_window);
    std::memcpy(l4 + 20, p.tcp_option_bytes.data(), p.tcp_option_len);
}

// A TCP header for `p`, and its checksum over the segment the IPv4 header at `ip` gives.
void put_tcp_header(std::uint8_t* ip, std::uint8_t* l4, const Packet& p) {
    put_tcp_fields(l4, p);
    fill_udptcp_checksum(ip, l4, 16);
}

}  // namespace

bool write_tee_copy_ipv4(std::uint8_t* ip, std::size_t size, const Packet& copy) {
    if (!rewrite_ipv4(ip, size, copy)) return false;
    ip[6] |= 0x40;
    fill_ip_checksum(ip);
    return true;
}

bool rewrite_ipv4(std::uint8_t* ip, std::size_t size, const Packet& after) {
    if (size < 20 || (ip[0] >> 4) != 4) return false;
    const std::size_t ihl = static_cast<std::size_t>(ip[0] & 0x0f) * 4, total = be16(ip + 2);
    if (ihl < 20 || total < ihl || total > size) return false;
    const bool first_fragment_or_whole = (be16(ip + 6) & 0x1fff) == 0;
    const bool whole_segment = first_fragment_or_whole && !(be16(ip + 6) & 0x2000) && after.l4_present;
    std::uint8_t* l4 = ip + ihl;
    const std::size_t seglen = total - ihl;
    // TCPMSS's added option: the header grows in front of the data (none, as xt_TCPMSS adds it only then).
    const std::size_t doff = whole_segment && ip[9] == proto::tcp && seglen >= 20 ? static_cast<std::size_t>(l4[12] >> 4) * 4 : 0;
    const std::size_t grow = doff && after.tcp_header_len > doff ? after.tcp_header_len - doff : 0;
    if (doff && (doff > seglen || after.tcp_header_len < doff)) return false;
    if (total + grow > size || total + grow > 0xffff) return false;
    ip[1] = after.tos;
    ip[8] = after.ttl;
    std::memcpy(ip + 12, after.src.bytes.data(), 4);
    std::memcpy(ip + 16, after.dst.bytes.data(), 4);
    if (grow) {
        std::memmove(l4 + doff + grow, l4 + doff, seglen - doff);
        put16(ip + 2, static_cast<std::uint16_t>(total + grow));
    }
    fill_ip_checksum(ip);
    // No whole segment to checksum, or a transport header too short to read (nothing in it was seen or changed).
    if (!whole_segment) return true;
    switch (ip[9]) {
        case proto::tcp:
            if (seglen < 20) return true;
            put16(l4, after.sport);
            put16(l4 + 2, after.dport);
            l4[13] = after.tcp_flags;  // as ECN left them
            // The options as TCPMSS left them (the same bytes otherwise).
            l4[12] = static_cast<std::uint8_t>((after.tcp_header_len / 4) << 4 | (l4[12] & 0x0f));
            std::memcpy(l4 + 20, after.tcp_option_bytes.data(), after.tcp_option_len);
            fill_udptcp_checksum(ip, l4, 16);
            break;
        case proto::udp:
            if (seglen < 8) return true;
            put16(l4, after.sport);
            put16(l4 + 2, after.dport);
            if (be16(l4 + 6) != 0) fill_udptcp_checksum(ip, l4, 6);  // a UDP checksum of 0 means none was sent: keep it so
            break;
        case proto::icmp:
            if (seglen < 8) return true;
            if (l4[0] == 8 || l4[0] == 0 || l4[0] == 13 || l4[0] == 14) put16(l4 + 4, after.icmp_id);  // queries: NAT maps the id
            fill_icmp_checksum(l4, seglen);
            break;
        default: break;
    }
    return true;
}

ParsedDatagram parse_ipv4(const std::uint8_t* data, std::size_t size, std::size_t wire_length) {
    ParsedDatagram r;
    if (size < 1) {
        r.error = Malformation::truncated_ip_header;
        return r;
    }
    std::uint8_t version = data[0] >> 4;
    if (version == 6) {
        r.error = Malformation::unsupported_family;
        return r;
    }
    if (version != 4) {
        r.error = Malformation::bad_version;
        return r;
    }
    if (size < 20) {
        r.error = Malformation::truncated_ip_header;
        return r;
    }
    std::size_t ihl = static_cast<std::size_t>(data[0] & 0x0f) * 4;
    if (ihl < 20) {
        r.error = Malformation::bad_ihl;
        return r;
    }
    if (size < ihl) {
        r.error = Malformation::truncated_ip_header;
        return r;
    }
    std::size_t total = be16(data + 2);
    if (total < ihl) {
        r.error = Malformation::bad_total_length;
        return r;
    }
    if (total > size) {
        // The capture holds fewer bytes than the datagram: cut by the snap length when the wire
        // length says the rest existed, else the datagram claims more than was sent.
        r.error = wire_length >= total ? Malformation::snaplen_cut : Malformation::bad_total_length;
        return r;
    }
    if (rte_raw_cksum(data, ihl) != 0xffff) {  // a correct header sums to all ones
        r.error = Malformation::bad_ip_checksum;
        return r;
    }
    Packet& p = r.packet;
    p.family = Family::ipv4;
    p.tos = data[1];
    p.length = static_cast<std::uint32_t>(total);
    p.ip_header_len = static_cast<std::uint16_t>(ihl);
    std::uint16_t frag = be16(data + 6);
    p.fragment = (frag & 0x1fff) != 0;
    p.frag_offset = static_cast<std::uint16_t>((frag & 0x1fff) << 3);
    p.more_fragments = (frag & 0x2000) != 0;
    p.df = (frag & 0x4000) != 0;
    p.ttl = data[8];
    p.ip_id = be16(data + 4);
    p.proto = data[9];
    p.src = v4_at(data + 12);
    p.dst = v4_at(data + 16);
    if (!p.fragment) parse_l4(p, data + ihl, data + total);
    else p.l4_present = false;
    return r;
}

namespace {

// The IPsec and mobility upper layers the matches read (ESP's SPI, IPv4's AH, the mobility
// header), and the bytes each takes at least: ESP SPI and sequence, AH its length, MH 8.
std::size_t ipsec_mobility_length(const Packet& p) {
    switch (p.proto) {
        case proto::esp: return 8;
        case proto::ipcomp: return 4;
        case proto::ah: return p.family == Family::ipv4 ? (p.ah.length ? p.ah.length : 16) : 0;
        case proto::mobility: return 8;
        case proto::sctp: return p.sctp_built_length();
        case proto::dccp: return p.dccp_built_length();
        default: return 0;
    }
}

// CRC32c (Castagnoli, reflected), as SCTP's checksum: the kernel's sctp_compute_cksum stores it
// little-endian.
std::uint32_t crc32c(const std::uint8_t* data, std::size_t n) {
    std::uint32_t crc = 0xffffffffu;
    for (std::size_t i = 0; i < n; ++i) {
        crc ^= data[i];
        for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1u)));
    }
    return ~crc;
}

// DCCP as built (Packet::dccp_built_length): no extended sequence numbers, the options in kind order.
void put_dccp(std::uint8_t* l4, const Packet& p) {
    put16(l4, p.sport);
    put16(l4 + 2, p.dport);
    l4[4] = static_cast<std::uint8_t>(p.dccp_built_length() / 4);
    l4[8] = static_cast<std::uint8_t>(p.dccp_type << 1);
    std::size_t at = Packet::dccp_header_length(p.dccp_type, false);
    for (int k = 0; k < 256; ++k) {
        if (!p.has_dccp_option(static_cast<std::uint8_t>(k))) continue;
        l4[at++] = static_cast<std::uint8_t>(k);
        if (k >= 32) l4[at++] = 2;
    }
}

// SCTP as built (Packet::sctp_built_length): each chunk kept as 4 bytes (type, flags, length 4),
// the last one's length taking in the rest of the datagram, then a malformed walk's chunk of
// length 0 (or no chunk at all).
void put_sctp(std::uint8_t* l4, const Packet& p, std::size_t seglen) {
    put16(l4, p.sport);
    put16(l4 + 2, p.dport);
    std::size_t at = 12;
    const SctpChunks& c = p.sctp_chunks;
    for (std::size_t i = 0; i < c.count; ++i, at += 4) {
        l4[at] = c.types[i];
        l4[at + 1] = c.flags[i];
        const bool last = i + 1 == c.count && !c.malformed;
        put16(l4 + at + 2, static_cast<std::uint16_t>(last ? seglen - at : 4));
    }
    const std::uint32_t sum = crc32c(l4, seglen);
    for (int i = 0; i < 4; ++i) l4[8 + i] = static_cast<std::uint8_t>(sum >> (8 * i));
}

void put_ipsec_mobility(std::uint8_t* l4, const Packet& p) {
    switch (p.proto) {
        case proto::esp: put32(l4, p.esp_spi); break;
        case proto::ipcomp:
            l4[0] = proto::ipv6_none;  // what the compressed payload would be: nothing fwbench reads
            put16(l4 + 2, p.ipcomp_cpi);
            break;
        case proto::ah:
            if (p.family != Family::ipv4) break;
            l4[1] = static_cast<std::uint8_t>(ipsec_mobility_length(p) / 4 - 2);
            if (!p.ah.reserved_zero) l4[3] = 1;
            put32(l4 + 4, p.ah.spi);
            break;
        case proto::mobility:
            l4[0] = p.mh_payload_proto;
            l4[2] = p.mh_type;
            break;
        default: break;
    }
}

// An options header's TLVs as described (their data zero), then padding to its length: Pad1 for
// one byte, PadN for more (as the kernel and RFC 8200 pad).
void put_options(std::uint8_t* h, const OptionsHeader& o, std::size_t len) {
    std::size_t at = 2;
    if (o.count == 0) {
        h[2] = 1;  // PadN over the header's remaining bytes
        h[3] = static_cast<std::uint8_t>(len - 4);
        return;
    }
    for (std::size_t i = 0; i < o.count && at < len; ++i) {
        h[at] = o.types[i];
        if (o.types[i] == 0) {
            ++at;
            continue;
        }
        if (at + 1 < len) h[at + 1] = o.lengths[i];
        at += 2u + o.lengths[i];
    }
}

// A test's first fragment: the whole datagram built (its transport header's length and checksum
// cover it all), then cut to the fragment's length with the IP header's lengths redone.
std::vector<std::uint8_t> build_first_fragment(const Packet& p, std::vector<std::uint8_t> (*build)(const Packet&)) {
    Packet whole = p;
    whole.length = p.frag_datagram_length;
    whole.frag_datagram_length = 0;
    whole.more_fragments = false;
    std::vector<std::uint8_t> b = build(whole);
    const std::size_t headers = p.family == Family::ipv4 ? 20 : p.ip_header_len;
    b.resize(std::max<std::size_t>(p.length, headers));
    if (p.family == Family::ipv4) {
        put16(b.data() + 2, static_cast<std::uint16_t>(b.size()));
        put16(b.data() + 6, static_cast<std::uint16_t>((p.df ? 0x4000 : 0) | 0x2000));
        fill_ip_checksum(b.data());
    } else {
        put16(b.data() + 4, static_cast<std::uint16_t>(b.size() - 40));
        // M in the fragment header, wherever it stands among the extension headers.
        std::size_t at = 40;
        for (std::size_t i = 0; i < p.ext_header_count; ++i) {
            if (p.ext_headers[i] == proto::ipv6_frag) b[at + 3] |= 1;
            at += p.ipv6_extension_length(p.ext_headers[i]);
        }
    }
    return b;
}

}  // namespace

std::vector<std::uint8_t> build_ipv4(const Packet& p) { return build_ipv4(p, {}); }

std::vector<std::uint8_t> build_ipv4(const Packet& p, std::span<const std::uint8_t> payload) {
    if (p.frag_datagram_length > p.length && !p.fragment) return build_first_fragment(p, build_ipv4);
    std::size_t l4len = 0;
    switch (p.proto) {
        case proto::tcp: l4len = 20u + p.tcp_option_len; break;
        case proto::udp:
        case proto::udplite: l4len = 8; break;
        case proto::icmp: l4len = p.icmp_quoted.present ? 8 + 20 + 8 : 8; break;
        default: l4len = ipsec_mobility_length(p); break;
    }
    std::size_t total = 20 + l4len;
    if (p.length > total) total = p.length;
    std::vector<std::uint8_t> b(total, 0);
    std::uint8_t* ip = b.data();
    put_ipv4_header(ip, p, total, p.ip_id,
                    static_cast<std::uint16_t>((p.df ? 0x4000 : 0) | (p.more_fragments ? 0x2000 : 0) | (p.fragment ? p.frag_offset >> 3 : 0)));
    if (p.fragment) return b;
    std::uint8_t* l4 = ip + 20;
    std::size_t seglen = total - 20;
    if (!payload.empty() && l4len + payload.size() <= seglen) std::memcpy(l4 + l4len, payload.data(), payload.size());
    switch (p.proto) {
        case proto::tcp: put_tcp_header(ip, l4, p); break;
        case proto::udp:
        case proto::udplite:
            put16(l4, p.sport);
            put16(l4 + 2, p.dport);
            put16(l4 + 4, static_cast<std::uint16_t>(seglen));
            fill_udptcp_checksum(ip, l4, 6);
            break;
        case proto::sctp: put_sctp(l4, p, seglen); break;
        case proto::dccp:
            put_dccp(l4, p);
            fill_udptcp_checksum(ip, l4, 6);
            break;
        case proto::icmp:
            l4[0] = p.icmp_type;
            l4[1] = p.icmp_code;
            put16(l4 + 4, p.icmp_id);
            if (p.icmp_quoted.present) {
                // The quoted datagram: an IPv4 header and the first 8 bytes of its transport header.
                std::uint8_t* q = l4 + 8;
                q[0] = 0x45;
                put16(q + 2, 28);
                q[8] = 64;
                q[9] = p.icmp_quoted.proto;
                std::memcpy(q + 12, p.icmp_quoted.src.bytes.data(), 4);
                std::memcpy(q + 16, p.icmp_quoted.dst.bytes.data(), 4);
                fill_ip_checksum(q);
                if (p.icmp_quoted.proto == proto::icmp) {
                    q[20] = static_cast<std::uint8_t>(p.icmp_quoted.dport);  // type
                    put16(q + 24, p.icmp_quoted.sport);  // id
                } else {
                    put16(q + 20, p.icmp_quoted.sport);
                    put16(q + 22, p.icmp_quoted.dport);
                }
            }
            fill_icmp_checksum(l4, seglen);
            break;
        default: put_ipsec_mobility(l4, p); break;
    }
    return b;
}

ParsedDatagram parse_ipv6(const std::uint8_t* data, std::size_t size, std::size_t wire_length) {
    ParsedDatagram r;
    if (size < 1) {
        r.error = Malformation::truncated_ip_header;
        return r;
    }
    if ((data[0] >> 4) == 4) {
        r.error = Malformation::unsupported_family;
        return r;
    }
    if ((data[0] >> 4) != 6) {
        r.error = Malformation::bad_version;
        return r;
    }
    if (size < 40) {
        r.error = Malformation::truncated_ip_header;
        return r;
    }
    const std::size_t payload = be16(data + 4);
    if (payload == 0 && data[6] == proto::ipv6_hop) {
        r.error = Malformation::ipv6_jumbogram;
        return r;
    }
    const std::size_t total = 40 + payload;
    if (total > size) {
        r.error = wire_length >= total ? Malformation::snaplen_cut : Malformation::bad_total_length;
        return r;
    }
    Packet& p = r.packet;
    p.family = Family::ipv6;
    const std::uint32_t first = be32(data);
    p.tos = static_cast<std::uint8_t>(first >> 20);
    p.flow_label = first & 0xfffff;
    p.length = static_cast<std::uint32_t>(total);
    p.ttl = data[7];
    p.src = v6_at(data + 8);
    p.dst = v6_at(data + 24);
    p.df = false;  // IPv6 routers never fragment: too big is answered whatever the sender set
    const ExtWalk w = walk_ipv6_extensions(&p, data, 40, total, data[6]);
    if (w.cut_in_hop_by_hop) {
        r.error = Malformation::bad_hop_by_hop;
        return r;
    }
    p.proto = w.proto;
    p.ip_header_len = static_cast<std::uint16_t>(w.offset);
    p.ext_headers_cut = w.cut;
    if (w.cut || p.fragment) p.l4_present = false;
    else parse_l4(p, data + w.offset, data + total);
    return r;
}

ParsedDatagram parse_datagram(const std::uint8_t* data, std::size_t size, std::size_t wire_length) {
    if (size >= 1 && (data[0] >> 4) == 6) return parse_ipv6(data, size, wire_length);
    return parse_ipv4(data, size, wire_length);
}

namespace {

// TCP, UDP or ICMPv6 over IPv6: RFC 8200's pseudo-header (the addresses, the upper-layer length,
// the upper-layer protocol) and the whole upper-layer message; 0 is sent as all ones for UDP.
void fill_ipv6_l4_checksum(const std::uint8_t* ip, std::uint8_t* l4, std::size_t len, std::uint8_t nh, std::size_t field) {
    store_sum(l4 + field, 0);
    std::uint8_t tail[8] = {static_cast<std::uint8_t>(len >> 24),
                            static_cast<std::uint8_t>(len >> 16),
                            static_cast<std::uint8_t>(len >> 8),
                            static_cast<std::uint8_t>(len),
                            0,
                            0,
                            0,
                            nh};
    std::uint32_t sum = std::uint32_t{rte_raw_cksum(ip + 8, 32)} + rte_raw_cksum(tail, 8) + rte_raw_cksum(l4, len);
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    std::uint16_t folded = static_cast<std::uint16_t>(~sum);
    if (folded == 0 && nh == proto::udp) folded = 0xffff;
    store_sum(l4 + field, folded);
}

}  // namespace

std::vector<std::uint8_t> build_ipv6(const Packet& p) { return build_ipv6(p, {}); }

std::vector<std::uint8_t> build_datagram(const Packet& p, std::span<const std::uint8_t> payload) {
    return p.family == Family::ipv6 ? build_ipv6(p, payload) : build_ipv4(p, payload);
}

std::vector<std::uint8_t> build_ipv6(const Packet& p, std::span<const std::uint8_t> payload) {
    if (p.frag_datagram_length > p.length && !p.fragment) return build_first_fragment(p, build_ipv6);
    std::size_t headers = 40;
    for (std::size_t i = 0; i < p.ext_header_count; ++i) headers += p.ipv6_extension_length(p.ext_headers[i]);
    std::size_t l4len = 0;
    if (!p.fragment) switch (p.proto) {
            case proto::tcp: l4len = 20u + p.tcp_option_len; break;
            case proto::udp:
            case proto::udplite: l4len = 8; break;
            case proto::icmpv6: l4len = p.icmp_quoted.present ? 8 + 40 + 8 : 8; break;
            default: l4len = ipsec_mobility_length(p); break;
        }
    std::size_t total = std::max<std::size_t>(headers + l4len, p.length);
    std::vector<std::uint8_t> b(total, 0);
    std::uint8_t* ip = b.data();
    put_ipv6_header(ip, p, total, p.ext_header_count ? p.ext_headers[0] : p.proto);
    std::size_t at = 40;
    for (std::size_t i = 0; i < p.ext_header_count; ++i) {
        const std::uint8_t type = p.ext_headers[i];
        const std::size_t len = p.ipv6_extension_length(type);
        std::uint8_t* h = ip + at;
        h[0] = i + 1 < p.ext_header_count ? p.ext_headers[i + 1] : p.proto;
        switch (type) {
            case proto::ipv6_frag:
                put16(h + 2, static_cast<std::uint16_t>((p.fragment ? p.frag_offset & ~7u : 0u) | (p.frag_reserved ? 2u : 0u) |
                                                        (p.more_fragments ? 1u : 0u)));
                put32(h + 4, p.frag_id);
                break;
            case proto::ah:
                h[1] = static_cast<std::uint8_t>(len / 4 - 2);
                if (!p.ah.reserved_zero) h[3] = 1;
                put32(h + 4, p.ah.spi);
                break;
            case proto::ipv6_route:
                h[1] = static_cast<std::uint8_t>(len / 8 - 1);
                h[2] = p.rt.type;
                h[3] = p.rt.segments_left;
                h[4] = p.rt.last_entry;
                put16(h + 6, p.rt.tag);
                for (auto which : {RoutingHeader::previous_sid, RoutingHeader::next_sid, RoutingHeader::last_sid}) {
                    const auto sid_at = 8 + 16 * static_cast<std::size_t>(p.rt.sid_index(which));
                    if (p.rt.has_sid(which) && sid_at + 16 <= len) std::memcpy(h + sid_at, p.rt.sids[which].data(), 16);
                }
                break;
            default:
                h[1] = static_cast<std::uint8_t>(len / 8 - 1);
                put_options(h, type == proto::ipv6_hop ? p.hop_options : p.dest_options, len);
                break;
        }
        at += len;
    }
    if (p.fragment) return b;
    std::uint8_t* l4 = ip + at;
    const std::size_t seglen = total - at;
    if (!payload.empty() && l4len + payload.size() <= seglen) std::memcpy(l4 + l4len, payload.data(), payload.size());
    switch (p.proto) {
        case proto::tcp:
            put_tcp_fields(l4, p);
            fill_ipv6_l4_checksum(ip, l4, seglen, proto::tcp, 16);
            break;
        case proto::udp:
        case proto::udplite:
            put16(l4, p.sport);
            put16(l4 + 2, p.dport);
            put16(l4 + 4, static_cast<std::uint16_t>(seglen));
            fill_ipv6_l4_checksum(ip, l4, seglen, p.proto, 6);
            break;
        case proto::sctp: put_sctp(l4, p, seglen); break;
        case proto::dccp:
            put_dccp(l4, p);
            fill_ipv6_l4_checksum(ip, l4, seglen, proto::dccp, 6);
            break;
        case proto::icmpv6:
            l4[0] = p.icmp_type;
            l4[1] = p.icmp_code;
            put16(l4 + 4, p.icmp_id);
            if (p.icmp_quoted.present) {
                // The quoted datagram: an IPv6 header and the first 8 bytes of its transport header.
                std::uint8_t* q = l4 + 8;
                put32(q, 0x60000000u);
                put16(q + 4, 8);
                q[6] = p.icmp_quoted.proto;
                q[7] = 64;
                std::memcpy(q + 8, p.icmp_quoted.src.bytes.data(), 16);
                std::memcpy(q + 24, p.icmp_quoted.dst.bytes.data(), 16);
                if (p.icmp_quoted.proto == proto::icmpv6) {
                    q[40] = static_cast<std::uint8_t>(p.icmp_quoted.dport);  // type
                    put16(q + 44, p.icmp_quoted.sport);  // id
                } else {
                    put16(q + 40, p.icmp_quoted.sport);
                    put16(q + 42, p.icmp_quoted.dport);
                }
            }
            fill_ipv6_l4_checksum(ip, l4, seglen, proto::icmpv6, 2);
            break;
        default: put_ipsec_mobility(l4, p); break;
    }
    return b;
}

std::size_t write_answer_ipv4(const Packet& a, std::uint32_t icmp_info, const std::uint8_t* quoted, std::size_t quoted_size, std::uint8_t* out,
                              std::size_t room) {
    // A reset or a SYN-ACK (DF, like the sockets that send them), an echo reply, or an ICMP error quoting.
    const bool tcp = a.proto == proto::tcp;
    if (!tcp && a.proto != proto::icmp) return 0;
    if (a.proto == proto::icmp && a.icmp_type == 0) {
        // icmp_echo: the request's identifier, sequence number and data back (`quoted` is the
        // request), in a datagram without options.
        if (quoted_size < 20 || (quoted[0] >> 4) != 4) return 0;
        const std::size_t ihl = static_cast<std::size_t>(quoted[0] & 0x0f) * 4;
        if (ihl < 20 || quoted_size < ihl + 8) return 0;
        const std::size_t total = 20 + quoted_size - ihl;
        if (total > room) return 0;
        std::memset(out, 0, 20);
        put_ipv4_header(out, a, total, 0, 0);
        std::memcpy(out + 20, quoted + ihl, total - 20);
        out[20] = 0;  // echo reply
        out[21] = 0;
        fill_icmp_checksum(out + 20, total - 20);
        return total;
    }
    const std::size_t total = tcp ? 20u + a.tcp_header_len : std::min<std::size_t>(a.length, 28 + quoted_size);
    if (total < 28 || total > room) return 0;
    std::memset(out, 0, total);
    std::uint8_t* ip = out;
    put_ipv4_header(ip, a, total, 0, tcp ? 0x4000 : 0);
    std::uint8_t* l4 = ip + 20;
    if (tcp) {
        put_tcp_header(ip, l4, a);
        return total;
    }
    l4[0] = a.icmp_type;
    l4[1] = a.icmp_code;
    put32(l4 + 4, icmp_info);
    std::memcpy(l4 + 8, quoted, total - 28);
    fill_icmp_checksum(l4, total - 20);
    return total;
}

std::size_t write_answer_ipv6(const Packet& a, std::uint32_t icmp_info, const std::uint8_t* quoted, std::size_t quoted_size, std::uint8_t* out,
                              std::size_t room) {
    const bool tcp = a.proto == proto::tcp;
    if (!tcp && (a.proto != proto::icmpv6 || a.icmp_type >= 128)) return 0;
    const std::size_t total = tcp ? 40u + a.tcp_header_len : std::min<std::size_t>(a.length, 48 + quoted_size);
    if (total < 48 || total > room || (tcp && a.tcp_header_len != 20u + a.tcp_option_len)) return 0;
    std::memset(out, 0, total);
    put_ipv6_header(out, a, total, a.proto);
    std::uint8_t* l4 = out + 40;
    if (tcp) {
        put_tcp_fields(l4, a);
        fill_ipv6_l4_checksum(out, l4, total - 40, proto::tcp, 16);
        return total;
    }
    l4[0] = a.icmp_type;
    l4[1] = a.icmp_code;
    put32(l4 + 4, icmp_info);
    std::memcpy(l4 + 8, quoted, total - 48);
    fill_ipv6_l4_checksum(out, l4, total - 40, proto::icmpv6, 2);
    return total;
}

std::size_t write_answer(const Packet& a, std::uint32_t icmp_info, std::span<const std::uint8_t> quoted, std::uint8_t* out, std::size_t room) {
    return a.family == Family::ipv6 ? write_answer_ipv6(a, icmp_info, quoted.data(), quoted.size(), out, room)
                                    : write_answer_ipv4(a, icmp_info, quoted.data(), quoted.size(), out, room);
}

std::size_t write_ipv4_fragment(const std::uint8_t* datagram, std::size_t size, std::size_t from, std::size_t n, std::uint8_t* out,
                                std::size_t room) {
    if (size < 20 || (datagram[0] >> 4) != 4) return 0;
    const std::size_t ihl = static_cast<std::size_t>(datagram[0] & 0x0f) * 4, total = be16(datagram + 2);
    if (ihl != 20 || total > size || total < ihl || from % 8 || from + n > total - ihl || ihl + n > room) return 0;
    std::memcpy(out, datagram, ihl);
    std::memcpy(out + ihl, datagram + ihl + from, n);
    const std::uint16_t flags = be16(datagram + 6);
    const bool last = from + n == total - ihl;
    const std::uint16_t offset = static_cast<std::uint16_t>((flags & 0x1fff) + from / 8);
    // More fragments follow unless this is the datagram's last piece (itself the last fragment).
    const bool more = !last || (flags & 0x2000);
    put16(out + 2, static_cast<std::uint16_t>(ihl + n));
    put16(out + 6, static_cast<std::uint16_t>((flags & 0x4000) | (more ? 0x2000 : 0) | offset));
    fill_ip_checksum(out);
    return ihl + n;
}

bool rewrite_ipv6(std::uint8_t* ip, std::size_t size, const Packet& after) {
    if (size < 40 || (ip[0] >> 4) != 6) return false;
    const std::size_t total = 40u + be16(ip + 4), l4_at = after.ip_header_len;
    if (total > size || l4_at < 40 || l4_at > total || total > 0xffff) return false;
    const bool whole_segment = !after.is_fragment() && after.l4_present;
    std::uint8_t* l4 = ip + l4_at;
    const std::size_t seglen = total - l4_at;
    const std::size_t doff = whole_segment && after.proto == proto::tcp && seglen >= 20 ? static_cast<std::size_t>(l4[12] >> 4) * 4 : 0;
    const std::size_t grow = doff && after.tcp_header_len > doff ? after.tcp_header_len - doff : 0;
    if (doff && (doff > seglen || after.tcp_header_len < doff)) return false;
    if (total + grow > size || total + grow - 40 > 0xffff) return false;
    put32(ip, (be32(ip) & 0xf00fffffu) | std::uint32_t{after.tos} << 20);
    ip[7] = after.ttl;
    std::memcpy(ip + 8, after.src.bytes.data(), 16);
    std::memcpy(ip + 24, after.dst.bytes.data(), 16);
    if (grow) {
        std::memmove(l4 + doff + grow, l4 + doff, seglen - doff);
        put16(ip + 4, static_cast<std::uint16_t>(total + grow - 40));
    }
    if (!whole_segment) return true;
    switch (after.proto) {
        case proto::tcp:
            if (seglen < 20) return true;
            put16(l4, after.sport);
            put16(l4 + 2, after.dport);
            l4[13] = after.tcp_flags;
            l4[12] = static_cast<std::uint8_t>((after.tcp_header_len / 4) << 4 | (l4[12] & 0x0f));
            std::memcpy(l4 + 20, after.tcp_option_bytes.data(), after.tcp_option_len);
            fill_ipv6_l4_checksum(ip, l4, seglen + grow, proto::tcp, 16);
            break;
        case proto::udp:
        case proto::udplite:
            if (seglen < 8) return true;
            put16(l4, after.sport);
            put16(l4 + 2, after.dport);
            fill_ipv6_l4_checksum(ip, l4, seglen, after.proto, 6);
            break;
        case proto::icmpv6:
            if (seglen < 8) return true;
            if (l4[0] == 128 || l4[0] == 129) put16(l4 + 4, after.icmp_id);  // echo: NAT maps the id
            fill_ipv6_l4_checksum(ip, l4, seglen, proto::icmpv6, 2);
            break;
        default: break;
    }
    return true;
}

std::size_t write_datagram_now(const Packet& p, std::uint8_t* out, std::size_t room) {
    const std::size_t n = p.bytes.size();
    if (n == 0 || n > room) return 0;
    std::memcpy(out, p.bytes.data(), n);
    if (p.family == Family::ipv6) return rewrite_ipv6(out, room, p) ? 40u + be16(out + 4) : 0;
    if (!rewrite_ipv4(out, room, p)) return 0;
    // DF as the packet has it now (-j TEE's copy sets it); rewrite_ipv4 leaves the flags be.
    if (((out[6] & 0x40) != 0) != p.df) {
        out[6] ^= 0x40;
        fill_ip_checksum(out);
    }
    return be16(out + 2);
}

}  // namespace fwbench
