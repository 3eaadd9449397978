#include "fwbench/packet_description.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <vector>

#include "fwbench/names.hpp"
#include "fwbench/parse_error.hpp"
#include "fwbench/parse_util.hpp"
#include "fwbench/ruleset.hpp"

namespace fwbench {

namespace {

struct Words {
    std::string_view text;
    std::string source;
    std::size_t pos = 0, start = 0;
    bool next(std::string& w) {
        while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
        if (pos >= text.size()) return false;
        start = pos;
        while (pos < text.size() && text[pos] != ' ' && text[pos] != '\t') ++pos;
        w = std::string(text.substr(start, pos - start));
        return true;
    }
    [[noreturn]] void fail(const std::string& why) const { throw ParseError(source, 1, static_cast<int>(start) + 1, why); }
};

void endpoint(Words& in, const std::string& ep, Family& fam, IpAddr& addr, std::uint16_t& port) {
    std::string a = ep, p;
    if (!ep.empty() && ep[0] == '[') {
        auto close = ep.find(']');
        if (close == std::string::npos) in.fail("expected ']' after the IPv6 address");
        a = ep.substr(1, close - 1);
        if (close + 1 < ep.size()) p = ep.substr(close + 2);
        fam = Family::ipv6;
    } else if (auto colon = ep.find(':'); colon != std::string::npos && ep.find(':', colon + 1) == std::string::npos) {
        a = ep.substr(0, colon);
        p = ep.substr(colon + 1);
    } else if (ep.find(':') != std::string::npos) {
        fam = Family::ipv6;
    }
    auto parsed = parse_ip(a, fam);
    if (!parsed) in.fail("expected an address, got '" + a + "'");
    addr = *parsed;
    if (!p.empty()) {
        if (p.find_first_not_of("0123456789") != std::string::npos || p.size() > 5 || std::stoul(p) > 65535)
            in.fail("expected a port 0-65535, got '" + p + "'");
        port = static_cast<std::uint16_t>(std::stoul(p));
    }
}

// A segment routing header's list (sids=, lastentry=, srhtag= beside rt=4/N): its length and the
// three segments ip6t_srh reads, each known when its index is in the list. The list must reach
// Last Entry, so that no segment the kernel could read lies past the header in the frame built.
void describe_segment_list(Words& in, RoutingHeader& rt, const std::vector<std::array<std::uint8_t, 16>>& sids, int last_entry) {
    const bool srh_fields = !sids.empty() || last_entry >= 0 || rt.tag;
    if (!rt.present || rt.type != 4) {
        if (srh_fields) in.fail("sids=, lastentry= and srhtag= describe a segment routing header: give rt=4/SEGSLEFT beside them");
        return;
    }
    if (sids.empty()) in.fail("a segment routing header (rt=4/N) needs its segment list: sids=IPV6,... (index 0 first)");
    rt.last_entry = static_cast<std::uint8_t>(last_entry >= 0 ? last_entry : static_cast<int>(sids.size()) - 1);
    if (rt.last_entry >= sids.size()) in.fail("lastentry= is an index into sids=, which lists " + std::to_string(sids.size()) + " segments");
    rt.hdr_len_bytes = static_cast<std::uint16_t>(8 + 16 * sids.size());
    for (auto which : {RoutingHeader::previous_sid, RoutingHeader::next_sid, RoutingHeader::last_sid}) {
        const int index = rt.sid_index(which);
        if (index < 0 || index >= static_cast<int>(sids.size())) continue;
        rt.sids[which] = sids[static_cast<std::size_t>(index)];
        rt.sids_read = static_cast<std::uint8_t>(rt.sids_read | 1u << which);
    }
}

std::uint64_t number(Words& in, const std::string& v, std::uint64_t max, const std::string& key) {
    std::size_t used = 0;
    std::uint64_t n = 0;
    try {
        n = std::stoull(v, &used, 0);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != v.size() || v.empty() || n > max) in.fail("expected a number up to " + std::to_string(max) + " for " + key + ", got '" + v + "'");
    return n;
}

// chunks=NAME[/FLAGS],...: SCTP chunks by iptables' name or number, each with its flags byte; a
// last item LEN0 is a chunk header of length 0 (the walk's malformed end).
void parse_sctp_chunks(Words& in, const std::string& v, SctpChunks& c) {
    for (const auto part : detail::split(v, ',')) {
        const std::string item(part);
        if (c.malformed) in.fail("chunks=: LEN0 ends the list");
        if (item == "LEN0") {
            c.malformed = true;
            continue;
        }
        const auto slash = item.find('/');
        const std::string name = item.substr(0, slash);
        const SctpChunkName* known = find_sctp_chunk(name);
        const auto type = known ? known->type : static_cast<std::uint8_t>(number(in, name, 255, "chunks"));
        const auto flags = slash == std::string::npos ? 0 : static_cast<std::uint8_t>(number(in, item.substr(slash + 1), 255, "chunks"));
        c.add(type, flags);
        if (c.overflow) in.fail("chunks=: more than 16 distinct chunks");
    }
}

// hopopts= / dstopts=: TYPE[:LENGTH],... (Pad1, type 0, without a length), padded to a multiple of
// 8 bytes with Pad1 or PadN as a sender pads; the header's length follows.
void describe_options(Words& in, const std::string& v, const std::string& key, OptionsHeader& h) {
    h = OptionsHeader{};
    for (const auto text : detail::split(v, ',')) {
        const std::string part(text);
        const std::size_t colon = part.find(':');
        const auto type = static_cast<std::uint8_t>(number(in, part.substr(0, colon), 255, key));
        std::uint8_t length = 0;
        if (colon != std::string::npos) {
            if (type == 0) in.fail(key + ": Pad1 (type 0) has no length");
            length = static_cast<std::uint8_t>(number(in, part.substr(colon + 1), 255, key));
        } else if (type != 0) {
            in.fail(key + ": expected TYPE:LENGTH for option type " + std::to_string(type) + " (only Pad1, type 0, has no length)");
        }
        if (h.count == h.types.size()) in.fail(key + " takes at most 16 options");
        h.add(type, length);
    }
    std::size_t bytes = 2 + h.options_bytes();
    const std::size_t pad = (8 - bytes % 8) % 8;
    if (pad == 1) h.add(0, 0);
    else if (pad > 1) h.add(1, static_cast<std::uint8_t>(pad - 2));
    bytes += pad;
    if (bytes > 2048) in.fail(key + ": the options take " + std::to_string(bytes) + " bytes; an options header holds 2048");
    h.length = static_cast<std::uint16_t>(bytes);
}

// The options list as hopopts= / dstopts= say it.
std::string format_options(const OptionsHeader& h) {
    std::string out;
    for (std::size_t i = 0; i < h.count; ++i) {
        if (i) out += ',';
        out += std::to_string(h.types[i]);
        if (h.types[i] != 0) {
            out += ':';
            out += std::to_string(h.lengths[i]);
        }
    }
    return out;
}

// An interface name as the kernel allows it: never cut to fit IfaceName, never a name no device has.
IfaceName device(Words& in, const std::string& v, const std::string& key) {
    if (auto problem = interface_name_problem(v); !problem.empty())
        in.fail("expected an interface name after " + key + ": " + quoted_name(v) + " is " + problem);
    return IfaceName(v);
}

}  // namespace

PacketDescription parse_packet_description(std::string_view text, const std::string& source) {
    Words in{text, source};
    PacketDescription d;
    Packet& p = d.packet;
    std::string proto_word, src, arrow, dst;
    bool flags_given = false, length_given = false, ext_given = false, fragment_header_given = false, frag_offset_given = false, df_given = false,
         chunks_given = false;
    std::vector<std::uint8_t> options;  // TCP option bytes, in the order given
    std::vector<std::array<std::uint8_t, 16>> sids;  // a segment routing header's list (sids=)
    int last_entry = -1;  // lastentry=, else the list's last index
    if (!in.next(proto_word)) in.fail("expected a protocol (tcp, udp, icmp, ...)");
    auto pr = parse_protocol(proto_word == "icmpv6" ? "ipv6-icmp" : proto_word);
    if (!pr) in.fail("unknown protocol '" + proto_word + "'");
    if (!in.next(src)) in.fail("expected the source address");
    Family fam = Family::ipv4;
    endpoint(in, src, fam, p.src, p.sport);
    if (!in.next(arrow) || arrow != ">") in.fail("expected '>' between source and destination");
    if (!in.next(dst)) in.fail("expected the destination address");
    endpoint(in, dst, fam, p.dst, p.dport);
    p.family = fam;
    p.src.family = p.dst.family = fam;
    p.ip_header_len = fam == Family::ipv6 ? 40 : 20;  // no options, no extension headers
    p.proto = *pr;
    p.length = 60;
    p.ttl = 64;
    p.ct.state = CtState::untracked;
    std::string w;
    while (in.next(w)) {
        if (w == "from") {
            std::string l;
            if (!in.next(l) || l != "local") in.fail("expected 'from local'");
            d.local = true;
            continue;
        }
        if (w == "in") {
            std::string dev;
            if (!in.next(dev)) in.fail("expected an interface name after 'in'");
            p.in = device(in, dev, "'in'");
            continue;
        }
        if (w == "[established]") {
            d.established = true;
            continue;
        }
        auto eq = w.find('=');
        std::string k = w.substr(0, eq), v = eq == std::string::npos ? "" : w.substr(eq + 1);
        if (k == "in") p.in = device(in, v, "in=");
        else if (k == "out") p.out = device(in, v, "out=");
        else if (k == "mark") p.mark = static_cast<std::uint32_t>(number(in, v, 0xffffffffu, k));
        else if (k == "ctmark") p.ct.mark = static_cast<std::uint32_t>(number(in, v, 0xffffffffu, k));
        else if (k == "ctlabels") {
            for (const auto bit : detail::split(v, ',')) p.ct.set_label(static_cast<std::uint16_t>(number(in, std::string(bit), 127, k)));
        } else if (k == "ct") {
            if (v == "NEW") p.ct.state = CtState::new_;
            else if (v == "EST") p.ct.state = CtState::established;
            else if (v == "REL") p.ct.state = CtState::related;
            else if (v == "INV") p.ct.state = CtState::invalid;
            else if (v == "UNTRACKED") p.ct.state = CtState::untracked;
            else in.fail("expected ct=NEW|EST|REL|INV|UNTRACKED");
            if (p.ct.has_entry()) {
                p.ct.l4proto = p.proto;
                p.ct.orig = {p.src, p.dst, p.sport, p.dport};
                p.ct.reply = {p.dst, p.src, p.dport, p.sport};
            }
        } else if (k == "ctdir") p.ct.dir = v == "reply" ? CtDir::reply : CtDir::original;
        else if (k == "ctstatus") {
            std::istringstream parts(v);
            std::string s;
            while (std::getline(parts, s, ',')) {
                if (s == "snat") p.ct.status |= ct_status::src_nat;
                else if (s == "dnat") p.ct.status |= ct_status::dst_nat;
                else if (s == "assured") p.ct.status |= ct_status::assured;
                else if (s == "seen_reply") p.ct.status |= ct_status::seen_reply;
                else if (s == "confirmed") p.ct.status |= ct_status::confirmed;
                else if (s == "expected") p.ct.status |= ct_status::expected;
                else in.fail("unknown ctstatus '" + s + "'");
            }
        } else if (k == "ctorig" || k == "quoted") {
            std::string spec = v;
            std::uint8_t qproto = 0;
            if (k == "quoted") {
                auto colon = spec.find(':');
                auto qp = parse_protocol(spec.substr(0, colon));
                if (!qp || colon == std::string::npos) in.fail("expected quoted=PROTO:SRC:SPORT>DST:DPORT");
                qproto = *qp;
                spec = spec.substr(colon + 1);
            }
            auto gt = spec.find('>');
            if (gt == std::string::npos) in.fail("expected SRC:SPORT>DST:DPORT in " + k);
            Family f = fam;
            if (k == "ctorig") {
                endpoint(in, spec.substr(0, gt), f, p.ct.orig.src, p.ct.orig.sport);
                endpoint(in, spec.substr(gt + 1), f, p.ct.orig.dst, p.ct.orig.dport);
            } else {
                p.icmp_quoted.present = true;
                p.icmp_quoted.proto = qproto;
                endpoint(in, spec.substr(0, gt), f, p.icmp_quoted.src, p.icmp_quoted.sport);
                endpoint(in, spec.substr(gt + 1), f, p.icmp_quoted.dst, p.icmp_quoted.dport);
            }
        } else if (k == "len") {
            p.length = static_cast<std::uint32_t>(number(in, v, 65535, k));
            length_given = true;
        } else if (k == "ttl") p.ttl = static_cast<std::uint8_t>(number(in, v, 255, k));
        else if (k == "df") {
            p.df = number(in, v, 1, k) != 0;
            df_given = true;
        } else if (k == "tos") p.tos = static_cast<std::uint8_t>(number(in, v, 255, k));
        else if (k == "id") p.icmp_id = static_cast<std::uint16_t>(number(in, v, 65535, k));
        else if (k == "flags") {
            flags_given = true;
            p.tcp_flags = 0;
            for (char c : v) {
                switch (c) {
                    case 'F': p.tcp_flags |= tcp_flag::fin; break;
                    case 'S': p.tcp_flags |= tcp_flag::syn; break;
                    case 'R': p.tcp_flags |= tcp_flag::rst; break;
                    case 'P': p.tcp_flags |= tcp_flag::psh; break;
                    case 'A': p.tcp_flags |= tcp_flag::ack; break;
                    case 'U': p.tcp_flags |= tcp_flag::urg; break;
                    case 'E': p.tcp_flags |= tcp_flag::ece; break;
                    case 'C': p.tcp_flags |= tcp_flag::cwr; break;
                    default: in.fail(std::string("unknown TCP flag '") + c + "' (expected letters of FSRPAUEC)");
                }
            }
        } else if (k == "type") {
            auto slash = v.find('/');
            p.icmp_type = static_cast<std::uint8_t>(number(in, v.substr(0, slash), 255, k));
            if (slash != std::string::npos) p.icmp_code = static_cast<std::uint8_t>(number(in, v.substr(slash + 1), 255, k));
        } else if (k == "mac") {
            auto m = parse_mac(v);
            if (!m) in.fail("expected mac=XX:XX:XX:XX:XX:XX");
            p.has_mac = true;
            p.src_mac = *m;
        } else if (k == "t") {
            // Seconds as a decimal number; nanoseconds must fit 64 bits (about 584 years).
            std::size_t used = 0;
            double seconds = -1;
            try {
                seconds = std::stod(v, &used);
            } catch (const std::exception&) {
                used = 0;
            }
            if (used != v.size() || !(seconds >= 0) || seconds > 1.8e10) in.fail("expected t=SECONDS, a number from 0 to 18000000000");
            p.timestamp_ns = static_cast<std::uint64_t>(seconds * 1e9);
        } else if (k == "uid") {
            p.has_socket = true;
            p.uid = static_cast<std::uint32_t>(number(in, v, 0xffffffffu, k));
        } else if (k == "gid") {
            p.has_socket = true;
            p.gid = static_cast<std::uint32_t>(number(in, v, 0xffffffffu, k));
        } else if (k == "pkttype") {
            if (v == "broadcast") p.pkttype = PktType::broadcast;
            else if (v == "multicast") p.pkttype = PktType::multicast;
            else if (v == "host" || v == "unicast") p.pkttype = PktType::host;
            else in.fail("expected pkttype=host|broadcast|multicast");
        } else if (k == "frag") {
            p.fragment = v.empty() || number(in, v, 1, k) != 0;  // bare "frag" too
            if (!frag_offset_given) p.frag_offset = p.fragment ? 1480 : 0;
        } else if (k == "fragoff") {
            const std::uint64_t off = number(in, v, 65528, k);
            if (off % 8) in.fail("expected fragoff= a multiple of 8 (fragment offsets count 8-byte units); got " + v);
            p.frag_offset = static_cast<std::uint16_t>(off);
            p.fragment = off != 0;
            frag_offset_given = true;
        } else if (k == "datagram") {
            p.frag_datagram_length = static_cast<std::uint32_t>(number(in, v, 65535, k));
        } else if (k == "ext") {
            // IPv6 extension headers, in the order given: hop, dst, route, frag, ah.
            static constexpr std::pair<const char*, std::uint8_t> names[] = {
                {"hop", proto::ipv6_hop}, {"dst", proto::ipv6_dest}, {"route", proto::ipv6_route}, {"frag", proto::ipv6_frag}, {"ah", proto::ah}};
            std::size_t from = 0;
            while (from <= v.size()) {
                const std::size_t comma = std::min(v.find(',', from), v.size());
                const std::string name = v.substr(from, comma - from);
                const auto* it = std::find_if(std::begin(names), std::end(names), [&](const auto& n) { return name == n.first; });
                if (it == std::end(names)) in.fail("expected ext=HEADER[,HEADER...] of hop, dst, route, frag, ah; got '" + name + "'");
                if (p.ext_header_count == p.ext_headers.size()) in.fail("ext= takes at most 8 headers");
                p.ext_headers[p.ext_header_count++] = it->second;
                from = comma + 1;
            }
            ext_given = true;
        } else if (k == "mf") {
            p.more_fragments = number(in, v, 1, k) != 0;
            fragment_header_given = true;
        } else if (k == "fragid") {
            // IPv4: the header's identification, which reassembly keys on.
            p.frag_id = static_cast<std::uint32_t>(number(in, v, p.family == Family::ipv4 ? 0xffffu : 0xffffffffu, k));
            p.ip_id = static_cast<std::uint16_t>(p.frag_id);
            fragment_header_given = true;
        } else if (k == "fragres") {
            p.frag_reserved = number(in, v, 1, k) != 0;
            fragment_header_given = true;
        } else if (k == "physin") {
            p.bridged = true;
            p.physdev_in = device(in, v, "physin=");
        } else if (k == "physout") {
            p.bridged = true;
            p.physdev_out = device(in, v, "physout=");
        } else if (k == "opt") {
            // Kinds alone: EOL and NOP as one byte, any other kind with a length of 2.
            std::istringstream parts(v);
            std::string s;
            while (std::getline(parts, s, ',')) {
                const auto kind = static_cast<std::uint8_t>(number(in, s, 255, k));
                options.push_back(kind);
                if (kind >= 2) options.push_back(2);
            }
        } else if (k == "seq") p.tcp_seq = static_cast<std::uint32_t>(number(in, v, 0xffffffffu, k));
        else if (k == "ack") p.tcp_ack = static_cast<std::uint32_t>(number(in, v, 0xffffffffu, k));
        else if (k == "win") p.tcp_window = static_cast<std::uint16_t>(number(in, v, 65535, k));
        else if (k == "mss") {
            const auto mss = number(in, v, 65535, k);
            options.insert(options.end(), {2, 4, static_cast<std::uint8_t>(mss >> 8), static_cast<std::uint8_t>(mss)});
        } else if (k == "wscale") options.insert(options.end(), {3, 3, static_cast<std::uint8_t>(number(in, v, 255, k))});
        else if (k == "sackok") {
            if (!v.empty()) in.fail("expected sackok alone (SACK permitted)");
            options.insert(options.end(), {4, 2});
        } else if (k == "sack") {
            // LEFT-RIGHT blocks, comma-separated: one SACK option holding them all.
            std::istringstream parts(v);
            std::string s;
            std::vector<std::uint8_t> blocks;
            while (std::getline(parts, s, ',')) {
                const auto dash = s.find('-');
                if (dash == std::string::npos) in.fail("expected sack=LEFT-RIGHT[,LEFT-RIGHT...]");
                for (const std::string& edge : {s.substr(0, dash), s.substr(dash + 1)}) {
                    const auto e = static_cast<std::uint32_t>(number(in, edge, 0xffffffffu, k));
                    for (int shift = 24; shift >= 0; shift -= 8) blocks.push_back(static_cast<std::uint8_t>(e >> shift));
                }
            }
            options.push_back(5);
            options.push_back(static_cast<std::uint8_t>(2 + blocks.size()));
            options.insert(options.end(), blocks.begin(), blocks.end());
        } else if (k == "payload") {
            // The bytes after the transport header: printable characters as they are, \xHH for any byte, \\ for a backslash.
            for (std::size_t i = 0; i < v.size(); ++i) {
                if (v[i] != '\\') {
                    d.payload.push_back(static_cast<std::uint8_t>(v[i]));
                    continue;
                }
                if (i + 1 < v.size() && v[i + 1] == '\\') {
                    d.payload.push_back('\\');
                    ++i;
                    continue;
                }
                if (i + 3 >= v.size() || v[i + 1] != 'x' || !std::isxdigit(static_cast<unsigned char>(v[i + 2])) ||
                    !std::isxdigit(static_cast<unsigned char>(v[i + 3])))
                    in.fail("expected payload=TEXT with \\xHH for a byte and \\\\ for a backslash");
                d.payload.push_back(static_cast<std::uint8_t>(std::stoul(v.substr(i + 2, 2), nullptr, 16)));
                i += 3;
            }
            if (d.payload.empty()) in.fail("expected payload=TEXT (at least one byte)");
        } else if (k == "opts") {
            // The option bytes themselves, in hex: what a reproduction prints.
            if (v.size() % 2 || v.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
                in.fail("expected opts=HEX (pairs of hex digits)");
            for (std::size_t i = 0; i < v.size(); i += 2) options.push_back(static_cast<std::uint8_t>(std::stoul(v.substr(i, 2), nullptr, 16)));
        } else if (k == "hopopts" || k == "dstopts") {
            describe_options(in, v, k, k == "hopopts" ? p.hop_options : p.dest_options);
        } else if (k == "ahspi") {
            p.ah.present = true;
            p.ah.spi = static_cast<std::uint32_t>(number(in, v, 0xffffffffu, k));
        } else if (k == "ahlen") {
            const auto n = number(in, v, 1024, k);
            if (n < 12 || n % 4) in.fail("expected ahlen= the header's bytes, a multiple of 4 from 12 to 1024; got " + v);
            p.ah.present = true;
            p.ah.length = static_cast<std::uint16_t>(n);
        } else if (k == "ahres") {
            p.ah.present = true;
            p.ah.reserved_zero = number(in, v, 1, k) == 0;
        } else if (k == "chunks") {
            if (p.proto != proto::sctp) in.fail("chunks= describes an SCTP packet (sctp SRC:PORT > DST:PORT)");
            parse_sctp_chunks(in, v, p.sctp_chunks);
            chunks_given = true;
        } else if (k == "dccptype") {
            if (p.proto != proto::dccp) in.fail("dccptype= describes a DCCP packet (dccp SRC:PORT > DST:PORT)");
            p.dccp_type = static_cast<std::uint8_t>(number(in, v, 15, k));
        } else if (k == "dccpopts") {
            if (p.proto != proto::dccp) in.fail("dccpopts= describes a DCCP packet (dccp SRC:PORT > DST:PORT)");
            for (const auto kind : detail::split(v, ',')) p.set_dccp_option(static_cast<std::uint8_t>(number(in, std::string(kind), 255, k)));
        } else if (k == "cpi") {
            p.ipcomp_cpi = static_cast<std::uint16_t>(number(in, v, 65535, k));
            if (p.proto != proto::ipcomp) in.fail("cpi= describes an IPComp packet (ipcomp SRC > DST)");
        } else if (k == "espspi") {
            p.esp_spi = static_cast<std::uint32_t>(number(in, v, 0xffffffffu, k));
            if (p.proto != proto::esp) in.fail("espspi= describes an ESP packet (esp SRC > DST)");
        } else if (k == "mhtype" || k == "mhproto") {
            (k == "mhtype" ? p.mh_type : p.mh_payload_proto) = static_cast<std::uint8_t>(number(in, v, 255, k));
            if (p.proto != proto::mobility) in.fail(k + "= describes a mobility header (mh SRC > DST)");
        } else if (k == "rt") {
            auto slash = v.find('/');
            if (slash == std::string::npos) in.fail("expected rt=TYPE/SEGSLEFT");
            p.rt.present = true;
            p.rt.type = static_cast<std::uint8_t>(number(in, v.substr(0, slash), 255, k));
            p.rt.segments_left = static_cast<std::uint8_t>(number(in, v.substr(slash + 1), 255, k));
        } else if (k == "sids") {
            for (const auto sid : detail::split(v, ',')) {
                const auto a = parse_ip(sid, Family::ipv6);
                if (!a) in.fail("expected sids=IPV6,IPV6,... (the segment list, index 0 first), got '" + std::string(sid) + "'");
                sids.push_back(a->bytes);
            }
            if (sids.empty() || sids.size() > 127) in.fail("sids= lists 1 to 127 segments");
        } else if (k == "lastentry") {
            last_entry = static_cast<int>(number(in, v, 255, k));
        } else if (k == "srhtag") {
            p.rt.tag = static_cast<std::uint16_t>(number(in, v, 65535, k));
        } else {
            in.fail("unknown field '" + w + "' (expected from local, in IFACE, [established] or KEY=VALUE)");
        }
    }
    if (p.family == Family::ipv4 && (ext_given || p.frag_reserved || p.hop_options.length || p.dest_options.length || p.rt.present || !sids.empty() ||
                                     last_entry >= 0 || p.rt.tag))
        in.fail("ext=, fragres=, hopopts=, dstopts=, rt=, sids=, lastentry= and srhtag= describe IPv6 extension headers; this packet is IPv4");
    if (p.family == Family::ipv4 && p.ah.present && p.proto != proto::ah)
        in.fail("ahspi=, ahlen= and ahres= describe IPv4's AH as the upper layer (ah SRC > DST)");
    if (p.family == Family::ipv4 && p.proto == proto::ah) {
        p.ah.present = true;
        if (!p.ah.length) p.ah.length = 16;
    }
    // Fragments are rarely sent with DF; a whole datagram from Linux always is.
    if (p.family == Family::ipv4 && (p.fragment || p.more_fragments) && !df_given) p.df = false;
    if (p.frag_datagram_length) {
        if (p.fragment || !p.more_fragments) in.fail("datagram= describes a first fragment: it needs mf=1 and no fragoff=");
        if (length_given && p.frag_datagram_length <= p.length)
            in.fail("datagram=" + std::to_string(p.frag_datagram_length) + " is not longer than the fragment (len=" + std::to_string(p.length) + ")");
    }
    if (p.family == Family::ipv6) {
        auto listed = [&](std::uint8_t type) {
            return std::find(p.ext_headers.begin(), p.ext_headers.begin() + p.ext_header_count, type) != p.ext_headers.begin() + p.ext_header_count;
        };
        // rt= describes a routing header (of 8 bytes), placed first if not listed; a segment
        // routing header (rt=4/N) its segment list too, which sets its length.
        describe_segment_list(in, p.rt, sids, last_entry);
        if (p.rt.present) {
            if (p.rt.hdr_len_bytes < 8) p.rt.hdr_len_bytes = 8;
            if (!listed(proto::ipv6_route)) {
                if (p.ext_header_count == p.ext_headers.size()) in.fail("ext= takes at most 8 headers");
                std::copy_backward(p.ext_headers.begin(), p.ext_headers.begin() + p.ext_header_count, p.ext_headers.begin() + p.ext_header_count + 1);
                p.ext_headers[0] = proto::ipv6_route;
                ++p.ext_header_count;
            }
        }
        // Options (hopopts=, dstopts=) and AH (ahspi=, ahlen=, ahres=) bring their headers:
        // hop-by-hop first, the others after those listed.
        auto add_header = [&](std::uint8_t type, bool first) {
            if (listed(type)) return;
            if (p.ext_header_count == p.ext_headers.size()) in.fail("ext= takes at most 8 headers");
            if (first)
                std::copy_backward(p.ext_headers.begin(), p.ext_headers.begin() + p.ext_header_count, p.ext_headers.begin() + p.ext_header_count + 1);
            p.ext_headers[first ? 0 : p.ext_header_count] = type;
            ++p.ext_header_count;
        };
        if (p.hop_options.length) add_header(proto::ipv6_hop, true);
        if (p.dest_options.length) add_header(proto::ipv6_dest, false);
        if (p.ah.present) add_header(proto::ah, false);
        // An options header said without options holds one PadN, as the frames are built.
        for (OptionsHeader* h : {&p.hop_options, &p.dest_options})
            if (!h->length && listed(h == &p.hop_options ? proto::ipv6_hop : proto::ipv6_dest)) {
                h->length = 8;
                h->add(1, 4);
            }
        if (listed(proto::ah)) {
            p.ah.present = true;
            if (!p.ah.length) p.ah.length = 16;
        }
        // A fragment (frag=1, mf=1, fragid=, fragres=) has a fragment header: last, if not listed.
        const bool fragmented = p.fragment || fragment_header_given;
        if (fragmented && !listed(proto::ipv6_frag)) {
            if (p.ext_header_count == p.ext_headers.size()) in.fail("ext= takes at most 8 headers");
            p.ext_headers[p.ext_header_count++] = proto::ipv6_frag;
        }
        // The routing header's Next Header, as the frame is built: the header after it.
        const auto* route = std::find(p.ext_headers.begin(), p.ext_headers.begin() + p.ext_header_count, proto::ipv6_route);
        if (route != p.ext_headers.begin() + p.ext_header_count)
            p.rt.next_header = route + 1 != p.ext_headers.begin() + p.ext_header_count ? *(route + 1) : p.proto;
        for (std::size_t i = 0; i < p.ext_header_count; ++i)
            p.ip_header_len = static_cast<std::uint16_t>(p.ip_header_len + p.ipv6_extension_length(p.ext_headers[i]));
        if (p.length < p.ip_header_len) {
            if (length_given)
                in.fail("len=" + std::to_string(p.length) + " is shorter than the IPv6 headers (" + std::to_string(p.ip_header_len) + " bytes)");
            p.length = p.ip_header_len + (p.fragment ? 8u : p.proto == proto::tcp ? 20u : 8u);
        } else if (!length_given && p.ext_header_count) {
            p.length += p.ip_header_len - 40u;  // the extension headers come on top of the default's
        }
    }
    if (p.proto == proto::dccp && !p.fragment) {
        // The built frame pads its options with zeros, which the walk meets as kind 0.
        if (p.dccp_built_option_bytes() % 4) p.set_dccp_option(0);
        const std::uint32_t needed = p.ip_header_len + static_cast<std::uint32_t>(p.dccp_built_length());
        if (p.length < needed) {
            if (length_given) in.fail("len=" + std::to_string(p.length) + " is shorter than the headers (" + std::to_string(needed) + " bytes)");
            p.length = needed;
        }
    }
    if (p.proto == proto::sctp) {
        if (!chunks_given) p.sctp_chunks.add(0, 0);  // a DATA chunk: an SCTP packet has one at least
        const std::uint32_t needed = p.ip_header_len + static_cast<std::uint32_t>(p.sctp_built_length());
        if (p.length < needed && !p.fragment) {
            if (length_given)
                in.fail("len=" + std::to_string(p.length) + " is shorter than the headers and chunks (" + std::to_string(needed) + " bytes)");
            p.length = needed;
        }
    }
    if (!options.empty()) {
        if (p.proto != proto::tcp) in.fail("TCP options (opt, opts, mss, wscale, sackok, sack) on a packet that is not TCP");
        if (options.size() > 40) in.fail("TCP options take " + std::to_string(options.size()) + " bytes; a TCP header holds 40");
        p.set_tcp_option_bytes(options.data(), options.size());
        const std::uint32_t headers = std::uint32_t{p.ip_header_len} + p.tcp_header_len;
        if (p.length < headers) {
            if (length_given) in.fail("len=" + std::to_string(p.length) + " is shorter than the headers (" + std::to_string(headers) + " bytes)");
            p.length = headers;
        }
    }
    if (!d.payload.empty()) {
        if ((p.proto != proto::tcp && p.proto != proto::udp) || p.is_fragment())
            in.fail("payload= is for a TCP or UDP packet that is not a fragment");
        const std::uint32_t needed =
            std::uint32_t{p.ip_header_len} + (p.proto == proto::tcp ? p.tcp_header_len : 8u) + static_cast<std::uint32_t>(d.payload.size());
        if (length_given && p.length < needed)
            in.fail("len=" + std::to_string(p.length) + " is shorter than the headers and the payload (" + std::to_string(needed) + " bytes)");
        if (!length_given) p.length = needed;
    }
    // Without len=, at least what its headers take: an ICMPv6 error quotes a 40-byte IPv6 header.
    if (!length_given && p.family == Family::ipv6 && p.proto == proto::icmpv6 && p.icmp_quoted.present)
        p.length = std::max<std::uint32_t>(p.length, p.ip_header_len + 8u + 40 + 8);
    // A TCP packet said without flags is what a person means by "a connection to port 22": its
    // SYN (a packet with no flags at all is INVALID to conntrack); within [established], an ACK.
    if (p.proto == proto::tcp && !flags_given) p.tcp_flags = d.established ? tcp_flag::ack : tcp_flag::syn;
    return d;
}

std::string format_packet_description(const Packet& p, bool local) {
    auto endpoint = [&](const IpAddr& a, std::uint16_t port, bool ports) {
        std::string ip = format_ip(a);
        if (a.family == Family::ipv6 && ports) ip = "[" + ip + "]";
        return ports ? ip + ":" + std::to_string(port) : ip;
    };
    bool ports = proto_has_ports(p.proto);
    std::string proto_name = p.proto == proto::icmpv6 ? "icmpv6" : format_protocol(p.proto);
    std::string out = proto_name + " " + endpoint(p.src, p.sport, ports) + " > " + endpoint(p.dst, p.dport, ports);
    if (local) out += " from local";
    else if (!p.in.empty()) out += " in " + std::string(p.in.view());  // no device: "in" would take the next word as one
    if (p.proto == proto::tcp) {
        static const char letters[] = "FSRPAUEC";
        std::string flags;
        for (int i = 0; i < 8; ++i)
            if (p.tcp_flags & (1 << i)) flags += letters[i];
        out += " flags=" + flags;  // even none: no flags= would read back as a SYN
    }
    if (p.proto == proto::icmp || p.proto == proto::icmpv6) {
        out += " type=" + std::to_string(p.icmp_type) + "/" + std::to_string(p.icmp_code);
        if (p.icmp_id) out += " id=" + std::to_string(p.icmp_id);
    }
    if (p.proto == proto::tcp) {
        if (p.tcp_seq) out += " seq=" + std::to_string(p.tcp_seq);
        if (p.tcp_ack) out += " ack=" + std::to_string(p.tcp_ack);
        if (p.tcp_window != Packet{}.tcp_window) out += " win=" + std::to_string(p.tcp_window);
        if (p.tcp_option_len) {
            static const char hex[] = "0123456789abcdef";
            out += " opts=";
            for (std::size_t i = 0; i < p.tcp_option_len; ++i) {
                out += hex[p.tcp_option_bytes[i] >> 4];
                out += hex[p.tcp_option_bytes[i] & 15];
            }
        }
    }
    out += " len=" + std::to_string(p.length) + " ttl=" + std::to_string(p.ttl);
    if (p.tos) out += " tos=" + std::to_string(p.tos);
    if (p.mark) out += " mark=" + std::to_string(p.mark);
    if (p.fragment) out += " fragoff=" + std::to_string(p.frag_offset);
    if (p.family == Family::ipv4 && p.more_fragments) out += " mf=1";
    if (p.family == Family::ipv4 && (p.fragment || p.more_fragments) && p.ip_id) out += " fragid=" + std::to_string(p.ip_id);
    if (p.frag_datagram_length) out += " datagram=" + std::to_string(p.frag_datagram_length);
    if (p.family == Family::ipv6 && p.ext_header_count) {
        std::string ext;
        for (std::size_t i = 0; i < p.ext_header_count; ++i) {
            const std::uint8_t t = p.ext_headers[i];
            ext += (i ? "," : "");
            ext += t == proto::ipv6_hop     ? "hop"
                   : t == proto::ipv6_dest  ? "dst"
                   : t == proto::ipv6_route ? "route"
                   : t == proto::ipv6_frag  ? "frag"
                                            : "ah";
        }
        out += " ext=" + ext;
        const auto padn_only = [](const OptionsHeader& h) { return h.length == 8 && h.count == 1 && h.types[0] == 1 && h.lengths[0] == 4; };
        if (p.hop_options.length && !padn_only(p.hop_options)) out += " hopopts=" + format_options(p.hop_options);
        if (p.dest_options.length && !padn_only(p.dest_options)) out += " dstopts=" + format_options(p.dest_options);
        if (p.more_fragments) out += " mf=1";
        if (p.frag_id) out += " fragid=" + std::to_string(p.frag_id);
        if (p.frag_reserved) out += " fragres=1";
    }
    if (p.ah.present) {
        if (p.ah.spi) out += " ahspi=" + std::to_string(p.ah.spi);
        if (p.ah.length && p.ah.length != 16) out += " ahlen=" + std::to_string(p.ah.length);
        if (!p.ah.reserved_zero) out += " ahres=1";
    }
    if (p.proto == proto::esp && p.esp_spi) out += " espspi=" + std::to_string(p.esp_spi);
    if (p.proto == proto::ipcomp && p.ipcomp_cpi) out += " cpi=" + std::to_string(p.ipcomp_cpi);
    if (p.proto == proto::dccp && !p.fragment && p.l4_present) {
        if (p.dccp_type) out += " dccptype=" + std::to_string(p.dccp_type);
        std::string kinds;
        for (int kind = 0; kind < 256; ++kind)
            if (p.has_dccp_option(static_cast<std::uint8_t>(kind))) {
                if (!kinds.empty()) kinds += ',';
                kinds += std::to_string(kind);
            }
        if (!kinds.empty()) out += " dccpopts=" + kinds;
    }
    if (p.proto == proto::sctp && !p.fragment && p.l4_present) {
        const SctpChunks& c = p.sctp_chunks;
        if (!(c.count == 1 && c.types[0] == 0 && c.flags[0] == 0 && !c.malformed)) {
            std::string list;
            for (std::size_t i = 0; i < c.count; ++i) {
                const SctpChunkName* known = find_sctp_chunk(c.types[i]);
                if (!list.empty()) list += ',';
                list += known ? std::string(known->name) : std::to_string(c.types[i]);
                if (c.flags[i]) list += "/" + std::to_string(c.flags[i]);
            }
            if (c.malformed) list += list.empty() ? "LEN0" : ",LEN0";
            out += " chunks=" + list;
        }
    }
    if (p.proto == proto::mobility) {
        out += " mhtype=" + std::to_string(p.mh_type);
        if (p.mh_payload_proto != proto::ipv6_none) out += " mhproto=" + std::to_string(p.mh_payload_proto);
    }
    const bool v4_fragment = p.family == Family::ipv4 && (p.fragment || p.more_fragments);
    if (!p.df && !v4_fragment && !p.fragment) out += " df=0";
    if (p.df && v4_fragment) out += " df=1";
    if (p.timestamp_ns) out += " t=" + std::to_string(static_cast<double>(p.timestamp_ns) / 1e9);
    return out;
}

}  // namespace fwbench
