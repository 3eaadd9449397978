// -j TPROXY's verdict (xt_TPROXY's tproxy_tg4 and tproxy_tg6_v1): the target looks for a
// socket on the packet's own addresses (a connection the proxy already has), then for one
// listening on the target's address and port; a transparent one (IP_TRANSPARENT) takes the
// packet, which is accepted with its mark set and the socket assigned (ip_forward then drops
// it, local delivery hands it to that socket); anything else drops it.
//
// The host's listing (`ss -Htuln`) shows the listeners but not which are transparent: a listed
// socket TPROXY's lookup finds is taken to be transparent, as the proxy it was set up for is,
// and each such decision is counted for the report. Without a listing the target is taken to
// find none (every decision counted). Connections begin with the capture, so a connection's
// own socket is one an earlier packet was handed to: the listener that took it, found again.

#include "path_context.hpp"

namespace fwbench {

const char* tproxy_assumption(const Host& host) {
    return host.sockets() ? "the listed socket TPROXY hands the packet to is transparent (IP_TRANSPARENT, which ss does not show)"
                          : "the host's sockets are not listed: TPROXY finds no transparent socket and drops";
}

// nf_tproxy_laddr4 / nf_tproxy_laddr6 for an --on-ip left unspecified: the arrival device's
// first primary IPv4 address, or its first IPv6 address neither tentative nor deprecated (in
// the kernel's order, which `ip -j addr` lists); none: the packet's own destination.
IpAddr PacketPath::tproxy_local_address(const Ctx& c) const {
    if (const Interface* dev = host_.interface(c.p.in.view()))
        for (const InterfaceAddress& a : dev->addrs) {
            if (a.addr.family != c.p.family) continue;
            if (c.p.family == Family::ipv4 ? a.secondary : a.tentative || a.dadfailed || a.deprecated) continue;
            return a.addr;
        }
    return c.p.dst;
}

bool PacketPath::tproxy(Ctx& c, const Target& target) const {
    const auto& t = std::get<TproxyTarget>(target.spec);
    const IpAddr laddr = unspecified_address(t.laddr) ? tproxy_local_address(c) : t.laddr;
    const std::uint16_t lport = t.lport ? t.lport : c.p.dport;
    auto found = [&](TproxyFound what) {
        c.event(PathEventKind::tproxy, [&](PathEvent& e) {
            e.tproxy = what;
            e.addr = laddr;
            e.port = lport;
            e.icmp_type = c.p.proto;
            e.tries = c.p.mark;
        });
        if (what == TproxyFound::listed_socket || what == TproxyFound::unlisted) {
            auto& d = c.st.engine.assumed_target_decisions[&target];
            ++d.count;
            d.assumption = tproxy_assumption(host_);
        }
        return what == TproxyFound::listed_socket;
    };
    // skb_header_pointer of the transport header's first 8 bytes (the ports) fails: NF_DROP.
    if (!c.p.l4_present) return found(TproxyFound::short_header);
    const std::vector<HostSocket>* sockets = host_.sockets();
    if (!sockets) return found(TproxyFound::unlisted);
    if (!has_socket_for(*sockets, c.p.proto, laddr, lport, c.p.in.view())) return found(TproxyFound::no_socket);
    c.p.mark = (c.p.mark & ~t.mark_mask) ^ t.mark_value;
    c.socket_assigned = true;
    return found(TproxyFound::listed_socket);
}

}  // namespace fwbench
