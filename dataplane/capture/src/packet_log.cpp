// The kernel's LOG line (net/netfilter/nf_log_syslog.c: nf_log_dump_packet_common,
// dump_mac_header, dump_ipv4_packet and the TCP/UDP helpers), field for field from a datagram's
// bytes. Each early return mirrors one of the kernel's: a header it cannot read ends the line
// there, without the UID and MARK fields that would follow.

#include "fwbench/packet_log.hpp"

#include <algorithm>
#include <cstring>

#include "fwbench/chain_walk.hpp"
#include "fwbench/packet_codec.hpp"

namespace fwbench {

namespace {

// xt_LOG's flags (include/uapi/linux/netfilter/xt_LOG.h).
constexpr std::uint8_t log_tcpseq = 0x01, log_tcpopt = 0x02, log_ipopt = 0x04, log_uid = 0x08, log_macdecode = 0x20;

std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
std::uint32_t be32(const std::uint8_t* p) { return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3]; }

void hex_byte(std::string& s, std::uint8_t b, bool upper) {
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    s += digits[b >> 4];
    s += digits[b & 15];
}
void number(std::string& s, std::uint64_t v) { s += std::to_string(v); }
void hex_number(std::string& s, std::uint32_t v) {  // %x
    char buf[9];
    int n = 0;
    do {
        buf[n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    while (n) s += buf[--n];
}
void dotted(std::string& s, const std::uint8_t* a) {
    for (int i = 0; i < 4; ++i) {
        if (i) s += '.';
        number(s, a[i]);
    }
}
void field(std::string& s, const char* name, std::uint64_t v) {
    s += name;
    number(s, v);
    s += ' ';
}
void hex_bytes(std::string& s, const std::uint8_t* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) hex_byte(s, p[i], true);
}
void incomplete(std::string& s, std::size_t bytes) {
    s += "INCOMPLETE [";
    number(s, bytes);
    s += " bytes] ";
}

// What only the outermost header prints (the kernel's `!iphoff`).
struct Outer {
    const Packet& at_rule;
    bool socket;  // the packet still holds its local socket (OUTPUT, POSTROUTING)
};

// nf_log_dump_tcp_header; false: the line ends here.
bool dump_tcp(std::string& s, const std::uint8_t* d, std::size_t len, std::size_t off, bool fragment, std::uint8_t flags) {
    s += "PROTO=TCP ";
    if (fragment) return true;
    if (off + 20 > len) {
        incomplete(s, len - off);
        return false;
    }
    const std::uint8_t* th = d + off;
    field(s, "SPT=", be16(th));
    field(s, "DPT=", be16(th + 2));
    if (flags & log_tcpseq) {
        field(s, "SEQ=", be32(th + 4));
        field(s, "ACK=", be32(th + 8));
    }
    field(s, "WINDOW=", be16(th + 14));
    s += "RES=0x";
    hex_byte(s, static_cast<std::uint8_t>((th[12] & 0x0e) << 2), false);  // the reserved bits, as (word & 0x0E000000) >> 22
    s += ' ';
    static constexpr struct {
        std::uint8_t bit;
        const char* name;
    } flag_names[] = {{0x80, "CWR "}, {0x40, "ECE "}, {0x20, "URG "}, {0x10, "ACK "}, {0x08, "PSH "}, {0x04, "RST "}, {0x02, "SYN "}, {0x01, "FIN "}};
    if (th[12] & 0x01) s += "AE ";
    for (const auto& f : flag_names)
        if (th[13] & f.bit) s += f.name;
    field(s, "URGP=", be16(th + 18));
    const std::size_t header = static_cast<std::size_t>(th[12] >> 4) * 4;
    if ((flags & log_tcpopt) && header > 20) {
        if (off + header > len) {
            s += "OPT (TRUNCATED)";
            return false;
        }
        s += "OPT (";
        hex_bytes(s, th + 20, header - 20);
        s += ") ";
    }
    return true;
}

bool dump_udp(std::string& s, const std::uint8_t* d, std::size_t len, std::size_t off, std::uint8_t proto, bool fragment) {
    s += proto == proto::udp ? "PROTO=UDP " : "PROTO=UDPLITE ";
    if (fragment) return true;
    if (off + 8 > len) {
        incomplete(s, len - off);
        return false;
    }
    field(s, "SPT=", be16(d + off));
    field(s, "DPT=", be16(d + off + 2));
    field(s, "LEN=", be16(d + off + 4));
    return true;
}

// What an ICMP message of each type must hold for the kernel to print it whole.
std::size_t icmp_required_length(std::uint8_t type) {
    switch (type) {
        case 0:
        case 8: return 4;
        case 3:
        case 4:
        case 5:
        case 11:
        case 12: return 8 + 20;
        case 13:
        case 14: return 20;
        case 17:
        case 18: return 12;
        default: return 0;
    }
}

void dump_ipv4(std::string& s, const std::uint8_t* d, std::size_t len, std::size_t off, std::uint8_t flags, const Outer* outer);

void dump_icmp(std::string& s, const std::uint8_t* d, std::size_t len, std::size_t off, std::size_t l4, bool fragment, std::uint8_t flags) {
    s += "PROTO=ICMP ";
    if (fragment) return;
    if (l4 + 8 > len) {
        incomplete(s, len - l4);
        return;
    }
    const std::uint8_t* ic = d + l4;
    field(s, "TYPE=", ic[0]);
    field(s, "CODE=", ic[1]);
    const std::size_t required = icmp_required_length(ic[0]);
    if (required && len - l4 < required) {
        incomplete(s, len - l4);
        return;
    }
    switch (ic[0]) {
        case 0:
        case 8:
            field(s, "ID=", be16(ic + 4));
            field(s, "SEQ=", be16(ic + 6));
            break;
        case 12: field(s, "PARAMETER=", ic[4]); break;
        case 5:
            s += "GATEWAY=";
            dotted(s, ic + 4);
            s += ' ';
            [[fallthrough]];
        case 3:
        case 4:
        case 11:
            if (off == 0) {  // the quoted datagram, one level deep
                s += '[';
                dump_ipv4(s, d, len, l4 + 8, flags, nullptr);
                s += "] ";
            }
            if (ic[0] == 3 && ic[1] == 4) field(s, "MTU=", be16(ic + 6));
            break;
        default: break;
    }
}

void dump_ipv4(std::string& s, const std::uint8_t* d, std::size_t len, std::size_t off, std::uint8_t flags, const Outer* outer) {
    if (off + 20 > len) {
        s += "TRUNCATED";
        return;
    }
    const std::uint8_t* ih = d + off;
    s += "SRC=";
    dotted(s, ih + 12);
    s += " DST=";
    dotted(s, ih + 16);
    s += ' ';
    field(s, "LEN=", be16(ih + 2));
    s += "TOS=0x";
    hex_byte(s, ih[1] & 0x1e, true);
    s += " PREC=0x";
    hex_byte(s, ih[1] & 0xe0, true);
    s += ' ';
    field(s, "TTL=", ih[8]);
    field(s, "ID=", be16(ih + 4));
    const std::uint16_t frag = be16(ih + 6);
    if (frag & 0x8000) s += "CE ";
    if (frag & 0x4000) s += "DF ";
    if (frag & 0x2000) s += "MF ";
    if (frag & 0x1fff) {
        s += "FRAG:";
        number(s, frag & 0x1fff);
        s += ' ';
    }
    const std::size_t ihl = static_cast<std::size_t>(ih[0] & 0x0f) * 4;
    if ((flags & log_ipopt) && ihl > 20) {
        if (off + ihl > len) {
            s += "TRUNCATED";
            return;
        }
        s += "OPT (";
        hex_bytes(s, ih + 20, ihl - 20);
        s += ") ";
    }
    const bool fragment = (frag & 0x1fff) != 0;
    const std::size_t l4 = off + ihl;
    switch (ih[9]) {
        case proto::tcp:
            if (!dump_tcp(s, d, len, l4, fragment, flags)) return;
            break;
        case proto::udp:
        case proto::udplite:
            if (!dump_udp(s, d, len, l4, ih[9], fragment)) return;
            break;
        case proto::icmp: dump_icmp(s, d, len, off, l4, fragment, flags); break;
        case proto::ah:
            if (fragment) break;  // the kernel checks before it names the protocol
            s += "PROTO=AH ";
            if (l4 + 12 > len) {
                incomplete(s, len - l4);
                break;
            }
            s += "SPI=0x";
            hex_number(s, be32(d + l4 + 4));
            s += ' ';
            break;
        case proto::esp:
            s += "PROTO=ESP ";
            if (fragment) break;
            if (l4 + 8 > len) {
                incomplete(s, len - l4);
                break;
            }
            s += "SPI=0x";
            hex_number(s, be32(d + l4));
            s += ' ';
            break;
        default: field(s, "PROTO=", ih[9]); break;
    }
    if (!outer) return;
    if ((flags & log_uid) && outer->socket) {
        // The kernel prints the socket's owner; a capture does not say who that was.
        if (outer->at_rule.has_socket) {
            field(s, "UID=", outer->at_rule.uid);
            field(s, "GID=", outer->at_rule.gid);
        } else {
            s += "UID=? GID=? ";
        }
    }
    if (outer->at_rule.mark) {
        s += "MARK=0x";
        hex_number(s, outer->at_rule.mark);
        s += ' ';
    }
}

void mac_bytes(std::string& s, const LoggedLinkHeader& link, std::size_t from, std::size_t n, char sep) {
    for (std::size_t i = from; i < from + n; ++i) {
        if (i > from && sep) s += sep;
        if (link.unknown & (1u << i)) s += "??";
        else hex_byte(s, link.bytes[i], false);
    }
}

void dump_mac(std::string& s, const LoggedLinkHeader& link, std::uint8_t flags) {
    if ((flags & log_macdecode) && link.kind == LoggedLinkHeader::Kind::ethernet) {
        s += "MACSRC=";
        mac_bytes(s, link, 6, 6, ':');
        s += " MACDST=";
        mac_bytes(s, link, 0, 6, ':');
        s += " MACPROTO=";
        mac_bytes(s, link, 12, 2, 0);
        s += ' ';
        return;
    }
    s += "MAC=";
    if (link.kind != LoggedLinkHeader::Kind::none) mac_bytes(s, link, 0, 14, ':');
    s += ' ';
}

LoggedLinkHeader ethernet_header(const std::optional<MacAddr>& dst, const std::optional<MacAddr>& src, std::uint16_t type) {
    LoggedLinkHeader h;
    if (dst) std::memcpy(h.bytes.data(), dst->bytes.data(), 6);
    else h.unknown |= 0x003f;
    if (src) std::memcpy(h.bytes.data() + 6, src->bytes.data(), 6);
    else h.unknown |= 0x0fc0;
    h.bytes[12] = static_cast<std::uint8_t>(type >> 8);
    h.bytes[13] = static_cast<std::uint8_t>(type);
    return h;
}

LoggedLinkHeader loopback_header() {
    LoggedLinkHeader h;
    h.kind = LoggedLinkHeader::Kind::loopback;
    h.bytes[12] = 0x08;
    return h;
}

std::optional<MacAddr> interface_mac(const Host& host, std::string_view iface) {
    const Interface* itf = host.interface(iface);
    return itf ? itf->mac : std::nullopt;
}

// link_header_of_frame, for a frame whose link header is already decoded (`li`).
LoggedLinkHeader link_header_decoded(const LinkInfo& li, std::uint16_t link_type, const std::uint8_t* frame, std::size_t caplen,
                                     std::string_view iface, const Host& host) {
    if (iface == "lo") return loopback_header();
    std::uint16_t hatype = 0;  // ARPHRD_* of an SLL/SLL2 record
    if (link_type == linktype::linux_sll && caplen >= 4) hatype = be16(frame + 2);
    if (link_type == linktype::linux_sll2 && caplen >= 10) hatype = be16(frame + 8);
    switch (link_type) {
        case linktype::ethernet: return ethernet_header(li.dst_mac, li.src_mac, li.ethertype);
        case linktype::linux_sll:
        case linktype::linux_sll2: {
            if (hatype == 772) return loopback_header();
            if (hatype != 1) {  // tun (NONE), PPP and other headerless devices
                LoggedLinkHeader h;
                h.kind = LoggedLinkHeader::Kind::none;
                return h;
            }
            // tcpdump -i any keeps the sender's address; the receiver follows from the packet type.
            std::optional<MacAddr> dst;
            if (li.pkttype == PktType::host) dst = interface_mac(host, iface);
            else if (li.pkttype == PktType::broadcast) dst = MacAddr{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
            else if (li.pkttype == PktType::multicast && caplen >= li.l3_offset + 20 && li.ethertype == 0x0800) {
                const std::uint8_t* ip_dst = frame + li.l3_offset + 16;  // RFC 1112: 01:00:5e and the group's low 23 bits
                dst = MacAddr{{0x01, 0x00, 0x5e, static_cast<std::uint8_t>(ip_dst[1] & 0x7f), ip_dst[2], ip_dst[3]}};
            }
            return ethernet_header(dst, li.src_mac, li.ethertype);
        }
        default: {
            // No link header in the capture: a device without a MAC has none; otherwise only the
            // type is known.
            LoggedLinkHeader h = ethernet_header(std::nullopt, std::nullopt, li.ethertype ? li.ethertype : 0x0800);
            if (!interface_mac(host, iface)) h.kind = LoggedLinkHeader::Kind::none;
            return h;
        }
    }
}

}  // namespace

LoggedLinkHeader link_header_of_frame(std::uint16_t link_type, const std::uint8_t* frame, std::size_t caplen, std::string_view iface,
                                      const Host& host) {
    return link_header_decoded(decode_link(link_type, frame, caplen), link_type, frame, caplen, iface, host);
}

LoggedLinkHeader link_header_of_packet(const Packet& p, const Host& host) {
    std::optional<MacAddr> dst =
        p.pkttype == PktType::broadcast ? std::optional<MacAddr>(MacAddr{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}) : interface_mac(host, p.in.view());
    std::optional<MacAddr> src;
    if (p.has_mac) src = p.src_mac;
    if (p.in.view() == "lo") return loopback_header();
    return ethernet_header(dst, src, 0x0800);
}

std::string nf_log_line(const LogTarget& target, std::string_view in, std::string_view out, const LoggedLinkHeader& link, const std::uint8_t* l3,
                        std::size_t size, const Packet& at_rule, bool socket) {
    std::string s;
    const bool log = target.kind == LogTarget::Kind::log;
    const std::uint8_t flags = log ? target.log_flags : 0;
    if (!log) {
        s += "nflog group ";
        number(s, target.group);
        s += ": ";
    }
    s += target.prefix;
    s += "IN=";
    s += in;
    s += " OUT=";
    s += out;
    s += ' ';
    if (!in.empty()) dump_mac(s, link, flags);
    // The kernel's skb ends where the IP header's total length says (ip_rcv trims the padding).
    std::size_t len = size;
    if (size >= 4 && be16(l3 + 2) < len) len = be16(l3 + 2);
    const Outer outer{at_rule, socket};
    dump_ipv4(s, l3, len, 0, flags, &outer);
    return s;
}

namespace {

// A REJECT answer's datagram as the kernel writes it (write_answer_ipv4), an ICMP error quoting
// the rejected packet's bytes as that rule saw them.
std::vector<std::uint8_t> answer_datagram(const PathResult::Answer& a, const std::vector<std::uint8_t>& rejected) {
    std::vector<std::uint8_t> b(40 + 576);
    b.resize(write_answer_ipv4(a.packet, a.icmp_info, rejected.data(), rejected.size(), b.data(), b.size()));
    return b;
}

}  // namespace

void logged_lines(const Ruleset& rs, const PathResult& res, Origin origin, const std::uint8_t* datagram, std::size_t size,
                  const LoggedLinkHeader& wire_link, std::vector<LoggedLine>& out) {
    std::vector<std::uint8_t> bytes, rejected;
    std::vector<std::vector<std::uint8_t>> answers(res.answers.size());
    WalkResult scratch;
    for (std::size_t wi = 0; wi < res.walks.size(); ++wi) {
        const HookWalk& w = res.walks[wi];
        // Inside a REJECT's answer: its own bytes, no socket, no link header but lo's.
        std::size_t answer = res.answers.size();
        for (std::size_t i = 0; i < res.answers.size(); ++i)
            if (wi >= res.answers[i].first_walk && wi < res.answers[i].end_walk) answer = i;
        const bool answering = answer < res.answers.size();
        const bool rejecting = std::any_of(res.answers.begin(), res.answers.end(), [&](const auto& a) { return a.first_walk == wi + 1; });
        if (w.walk.log_events == 0 && !rejecting) continue;
        const Table& table = rs.tables[w.table];
        // Where the packet came in, the kernel keeps that frame's header; the host's own packets
        // looped over lo get lo's, and a local broadcast's looped copy none (dev_loopback_xmit).
        LoggedLinkHeader link = wire_link;
        if (origin == Origin::local || answering) {
            if (w.in.view() == "lo") link = loopback_header();
            else link.kind = LoggedLinkHeader::Kind::none;
        }
        const bool socket = !answering && origin == Origin::local && (w.hook == Hook::output || w.hook == Hook::postrouting);
        if (answering && answers[answer].empty()) {
            // Not a rule's: the path's own (time exceeded, routing's, a redirect) quotes the packet
            // as the kernel held it then.
            const PathResult::Answer& a = res.answers[answer];
            if (!a.by_rule) {
                rejected.assign(datagram, datagram + size);
                if (a.tee_copy) write_tee_copy_ipv4(rejected.data(), rejected.size(), a.cause);
                else rewrite_ipv4(rejected.data(), rejected.size(), a.cause);
            }
            // TEE's copy is the packet itself (as the TEE rule saw it, TTL and DF as sent).
            answers[answer] = a.tee_copy ? rejected : answer_datagram(a, rejected);
        }
        const std::uint8_t* data = answering ? answers[answer].data() : datagram;
        const std::size_t data_size = answering ? answers[answer].size() : size;
        if (!w.seen) continue;  // walked without tracing: no visits to log
        Packet p = *w.seen;
        for (const RuleVisit& v : w.visits) {
            if (!v.matched || v.rule < 0) continue;
            const Rule& rule = table.chains[static_cast<std::size_t>(v.chain)].rules[static_cast<std::size_t>(v.rule)];
            if (!rule.target) continue;
            if (const auto* lt = std::get_if<LogTarget>(&rule.target->spec)) {
                bytes.assign(data, data + data_size);
                rewrite_ipv4(bytes.data(), bytes.size(), p);
                LoggedLine& line = out.emplace_back();
                line.walk = wi;
                line.chain = v.chain;
                line.rule = v.rule;
                line.target = lt;
                line.text = nf_log_line(*lt, w.in.view(), w.out.view(), link, bytes.data(), bytes.size(), p, socket);
                line.link_incomplete = !w.in.empty() && !link.complete();
                if (answering && res.answers[answer].packet.proto == proto::icmp) {
                    // The kernel draws an ICMP error's IP ID (ip_select_ident): not known here.
                    if (auto at = line.text.find(" ID=0 "); at != std::string::npos) line.text.replace(at, 6, " ID=? ");
                }
            }
            detail::apply_continuing_target(rule.target->spec, p, scratch);
        }
        if (rejecting) {
            rejected.assign(data, data + data_size);
            rewrite_ipv4(rejected.data(), rejected.size(), p);
        }
    }
}

void logged_lines(const Ruleset& rs, const Host& host, const AnalyzedPacket& rp, const FrameView& frame, std::vector<LoggedLine>& out) {
    if (rp.origin != CaptureOrigin::wire && rp.origin != CaptureOrigin::local) return;
    const LinkInfo li = decode_link(frame.meta->link_type, frame.data, frame.caplen);
    logged_lines(rs, rp.result, rp.path_origin, frame.data + li.l3_offset, frame.caplen - li.l3_offset,
                 link_header_decoded(li, frame.meta->link_type, frame.data, frame.caplen, rp.iface, host), out);
}

bool ruleset_logs(const Ruleset& rs) {
    for (const auto& t : rs.tables)
        for (const auto& c : t.chains)
            for (const auto& r : c.rules)
                if (r.target && std::holds_alternative<LogTarget>(r.target->spec)) return true;
    return false;
}

}  // namespace fwbench
