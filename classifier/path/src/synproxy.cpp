// -j SYNPROXY's end of a walk (xt_SYNPROXY's synproxy_tg4 and synproxy_tg6, nf_synproxy_core):
// the walk stops at the target for a client's SYN (SYN without ACK, FIN or RST), a client's ACK
// (ACK without FIN, RST or SYN), and a fragment; other segments went on to the next rule.
//
// The segment's checksum is verified first (a bad one is dropped). A SYN is answered with a
// SYN-ACK built as synproxy_send_client_synack builds it — from the SYN's destination, the
// TCP options the client offered and the rule allows (an MSS only with --mss, the window scale,
// SACK and ECN only with timestamps), window 0, the host's default TTL or hop limit — and sent as
// the host's own packet through OUTPUT and POSTROUTING with the SYN's conntrack entry as an
// established reply (an untracked or invalid SYN has none to give: conntrack sees the SYN-ACK
// on its own, INVALID); the SYN itself goes no further. Its sequence
// number is a SYN cookie and its timestamp the host's clock: neither is predicted (0), and no
// rule fwbench runs on an answer reads them. An ACK passes only when its cookie is valid, which
// the host's secret decides: refused by name. So is a fragment, which conntrack's defragmentation
// (the target enables it) leaves only when reassembly fails.

#include "path_context.hpp"

namespace fwbench {

namespace {

// synproxy_options' bits, as xt_synproxy_info's.
constexpr std::uint8_t opt_mss = 0x01, opt_wscale = 0x02, opt_sack_perm = 0x04, opt_timestamp = 0x08, opt_ecn = 0x10;

struct ClientOptions {
    std::uint8_t options = 0;
    std::uint32_t tsval = 0;
};

// synproxy_parse_options over the SYN's options: a malformed option ends the walk, keeping what
// was read before it; a later timestamp replaces an earlier one.
ClientOptions client_options(const Packet& p) {
    ClientOptions o;
    path_detail::for_each_tcp_option(p, [&](std::uint8_t kind, const std::uint8_t* data, int size) {
        if (kind == path_detail::tcpopt_mss && size == 4) o.options |= opt_mss;
        if (kind == path_detail::tcpopt_wscale && size == 3) o.options |= opt_wscale;
        if (kind == path_detail::tcpopt_sack_perm && size == 2) o.options |= opt_sack_perm;
        if (kind == path_detail::tcpopt_timestamp && size == 10) {
            o.options |= opt_timestamp;
            o.tsval = std::uint32_t{data[0]} << 24 | std::uint32_t{data[1]} << 16 | std::uint32_t{data[2]} << 8 | data[3];
        }
        return true;
    });
    return o;
}

}  // namespace

namespace path_detail {

// synproxy_send_client_synack's segment for `syn`, with synproxy_build_options' layout.
Packet synproxy_synack_for(const Packet& syn, const SynproxyTarget& t, std::uint8_t ttl) {
    ClientOptions client = client_options(syn);
    if ((syn.tcp_flags & tcp_flag::ece) && (syn.tcp_flags & tcp_flag::cwr)) client.options |= opt_ecn;
    const std::uint8_t allowed = static_cast<std::uint8_t>((t.mss ? opt_mss : 0) | (t.wscale ? opt_wscale : 0) | (t.sack_perm ? opt_sack_perm : 0) |
                                                           (t.timestamp ? opt_timestamp : 0) | (t.ecn ? opt_ecn : 0));
    std::uint8_t options = client.options & allowed;
    if (!(options & opt_timestamp)) options &= static_cast<std::uint8_t>(~(opt_wscale | opt_sack_perm | opt_ecn));

    Packet a = answer_to(syn, ttl);
    a.proto = proto::tcp;
    a.src = syn.dst;
    a.sport = syn.dport;
    a.dport = syn.sport;
    a.tcp_flags = tcp_flag::syn | tcp_flag::ack | ((options & opt_ecn) ? tcp_flag::ece : 0);
    a.tcp_seq = 0;  // the SYN cookie
    a.tcp_ack = syn.tcp_seq + 1;
    a.tcp_window = 0;
    a.tos = 0;
    a.df = true;
    // The timestamp value is the host's clock with the options encoded in its low bits (0 here).
    std::uint8_t o[40] = {};
    const std::size_t n = path_detail::write_synack_options(o, (options & opt_mss) ? t.mss : std::nullopt, (options & opt_sack_perm) != 0,
                                                            (options & opt_timestamp) ? std::optional(client.tsval) : std::nullopt,
                                                            (options & opt_wscale) ? t.wscale : std::nullopt);
    a.set_tcp_option_bytes(o, n);
    a.tcp_header_len = static_cast<std::uint8_t>(20 + n);
    a.length = static_cast<std::uint16_t>(a.ip_header_len + a.tcp_header_len);
    return a;
}

}  // namespace path_detail

bool PacketPath::synproxy(Ctx& c, const Target& target) const {
    const Packet& p = c.p;
    if (p.fragment || !p.l4_present) {
        c.res.reason = DropReason::not_modelled;
        c.res.detail = path_detail::about(DropWhy::synproxy_fragment, p.dst);
        finish(c, Fate::dropped);
        return false;
    }
    if (!p.transport_checksum_verifies()) {
        // nf_ip_checksum / nf_ip6_checksum: NF_DROP (assumed not verified by the NIC before).
        c.res.checksum_assumed = true;
        c.res.reason = DropReason::netfilter;
        finish(c, Fate::dropped);
        return false;
    }
    if (p.tcp_flags & tcp_flag::ack) {
        c.res.reason = DropReason::not_modelled;
        c.res.detail = path_detail::about(DropWhy::synproxy_cookie, p.dst);
        finish(c, Fate::dropped);
        return false;
    }
    const bool v6 = p.family == Family::ipv6;
    const Packet answer =
        path_detail::synproxy_synack_for(p, std::get<SynproxyTarget>(target.spec), v6 ? host_.sysctl().ip6_hop_limit : host_.sysctl().ip_default_ttl);
    c.res.reason = DropReason::netfilter;
    process_answer(c, answer, false, AnswerFrom::synproxy);
    finish(c, Fate::rejected);
    return false;
}

}  // namespace fwbench
