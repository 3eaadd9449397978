#include "packet_dsl.hpp"

#include <sstream>
#include <stdexcept>

#include "fwbench/ruleset.hpp"

namespace fwbench::test {

namespace {

[[noreturn]] void bad(const std::string& text, const std::string& why) {
    throw std::invalid_argument("packet '" + text + "': " + why);
}

void endpoint(const std::string& text, const std::string& ep, Family& fam, IpAddr& addr, std::uint16_t& port) {
    std::string a = ep, p;
    if (!ep.empty() && ep[0] == '[') {
        auto close = ep.find(']');
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
    if (!parsed) bad(text, "bad address '" + a + "'");
    addr = *parsed;
    if (!p.empty()) port = static_cast<std::uint16_t>(std::stoul(p));
}

}  // namespace

Packet packet(const std::string& text) {
    std::istringstream in(text);
    std::string proto_word, src, arrow, dst;
    if (!(in >> proto_word >> src >> arrow >> dst) || arrow != ">") bad(text, "expected PROTO SRC > DST");
    Packet p;
    Family fam = Family::ipv4;
    endpoint(text, src, fam, p.src, p.sport);
    endpoint(text, dst, fam, p.dst, p.dport);
    p.family = fam;
    p.src.family = p.dst.family = fam;
    auto pr = parse_protocol(proto_word == "icmpv6" ? "ipv6-icmp" : proto_word);
    if (!pr) bad(text, "bad protocol");
    p.proto = *pr;
    p.length = 60;
    p.ttl = 64;
    p.ct.state = CtState::untracked;
    std::string kv;
    while (in >> kv) {
        auto eq = kv.find('=');
        std::string k = kv.substr(0, eq), v = eq == std::string::npos ? "" : kv.substr(eq + 1);
        if (k == "in") p.in = IfaceName(v);
        else if (k == "out") p.out = IfaceName(v);
        else if (k == "mark") p.mark = static_cast<std::uint32_t>(std::stoul(v, nullptr, 0));
        else if (k == "ctmark") p.ct.mark = static_cast<std::uint32_t>(std::stoul(v, nullptr, 0));
        else if (k == "ct") {
            if (v == "NEW") p.ct.state = CtState::new_;
            else if (v == "EST") p.ct.state = CtState::established;
            else if (v == "REL") p.ct.state = CtState::related;
            else if (v == "INV") p.ct.state = CtState::invalid;
            else if (v == "UNTRACKED") p.ct.state = CtState::untracked;
            else bad(text, "bad ct state");
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
                else bad(text, "bad ctstatus");
            }
        } else if (k == "ctorig") {
            auto gt = v.find('>');
            Family f = fam;
            endpoint(text, v.substr(0, gt), f, p.ct.orig.src, p.ct.orig.sport);
            endpoint(text, v.substr(gt + 1), f, p.ct.orig.dst, p.ct.orig.dport);
        } else if (k == "len") p.length = static_cast<std::uint32_t>(std::stoul(v));
        else if (k == "ttl") p.ttl = static_cast<std::uint8_t>(std::stoul(v));
        else if (k == "tos") p.tos = static_cast<std::uint8_t>(std::stoul(v, nullptr, 0));
        else if (k == "flags") {
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
                    default: bad(text, "bad TCP flag");
                }
            }
        } else if (k == "type") {
            auto slash = v.find('/');
            p.icmp_type = static_cast<std::uint8_t>(std::stoul(v.substr(0, slash)));
            if (slash != std::string::npos) p.icmp_code = static_cast<std::uint8_t>(std::stoul(v.substr(slash + 1)));
        } else if (k == "mac") {
            auto m = parse_mac(v);
            if (!m) bad(text, "bad mac");
            p.has_mac = true;
            p.src_mac = *m;
        } else if (k == "t") p.timestamp_ns = static_cast<std::uint64_t>(std::stod(v) * 1e9);
        else if (k == "uid") {
            p.has_socket = true;
            p.uid = static_cast<std::uint32_t>(std::stoul(v));
        } else if (k == "gid") {
            p.has_socket = true;
            p.gid = static_cast<std::uint32_t>(std::stoul(v));
        } else if (k == "pkttype") {
            if (v == "broadcast") p.pkttype = PktType::broadcast;
            else if (v == "multicast") p.pkttype = PktType::multicast;
            else p.pkttype = PktType::host;
        } else if (k == "frag") {
            p.fragment = true;
        } else if (k == "physin") {
            p.bridged = true;
            p.physdev_in = IfaceName(v);
        } else if (k == "physout") {
            p.bridged = true;
            p.physdev_out = IfaceName(v);
        } else if (k == "opt") {
            std::istringstream parts(v);
            std::string s;
            while (std::getline(parts, s, ',')) p.set_tcp_option(static_cast<std::uint8_t>(std::stoul(s)));
        } else if (k == "quoted") {
            // quoted=PROTO:SRC:SPORT>DST:DPORT, the header an ICMP error quotes
            auto colon = v.find(':');
            auto qp = parse_protocol(v.substr(0, colon));
            if (!qp) bad(text, "bad quoted protocol");
            std::string rest = v.substr(colon + 1);
            auto gt = rest.find('>');
            Family f = fam;
            p.icmp_quoted.present = true;
            p.icmp_quoted.proto = *qp;
            endpoint(text, rest.substr(0, gt), f, p.icmp_quoted.src, p.icmp_quoted.sport);
            endpoint(text, rest.substr(gt + 1), f, p.icmp_quoted.dst, p.icmp_quoted.dport);
        } else if (k == "id") {
            p.icmp_id = static_cast<std::uint16_t>(std::stoul(v));
        } else if (k == "rt") {
            // rt=TYPE/SEGSLEFT
            auto slash = v.find('/');
            p.rt.present = true;
            p.rt.type = static_cast<std::uint8_t>(std::stoul(v.substr(0, slash)));
            p.rt.segments_left = static_cast<std::uint8_t>(std::stoul(v.substr(slash + 1)));
        } else {
            bad(text, "unknown field '" + k + "'");
        }
    }
    return p;
}

}  // namespace fwbench::test
