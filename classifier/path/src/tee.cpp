// -j TEE's copy (net/netfilter/xt_TEE.c; nf_dup_ipv4 in net/ipv4/netfilter/nf_dup_ipv4.c,
// nf_dup_ipv6 in net/ipv6/netfilter/nf_dup_ipv6.c). The target copies the packet as the walk
// holds it and sends the copy at once, from within the rule, before the walk goes on:
//  - untracked (nf_ct_set IP_CT_UNTRACKED): conntrack and NAT pass it by;
//  - TTL or hop limit one lower when the rule is in PREROUTING or INPUT (unchecked: 0 becomes
//    255), and IPv4's DF set, so its source learns of a smaller MTU on the copy's way;
//  - routed to the gateway as its next hop: a route to the gateway's address with mark 0, the
//    packet's TOS and, when --oif names a device the host has, that device (a route through
//    another is passed over, and with none the gateway is taken to be on its link);
//  - then ip_local_out: OUTPUT and POSTROUTING as the host's own packet, without a socket.
// While it is sent nf_skb_duplicated is set: TEE rules its walks reach send no copy. A route
// that fails drops the copy without a word; the packet goes on either way.
//
// Not modelled, refused with a named reason: a copy that comes back to this host — routed over
// lo, or looped back as a broadcast's or joined multicast group's clone — which the kernel takes
// in after the packet's own path, when TEE may copy it again; and one larger than its way out's
// MTU (the kernel answers its source).

#include "path_context.hpp"

namespace fwbench {

using namespace path_detail;

void PacketPath::send_tee_copy(Ctx& c, const TeeSender& from, const TeeTarget& tee, const Packet& now) const {
    if (c.duplicating) return;
    Packet copy = now;
    copy.proto = from.proto;
    copy.l4_present = from.l4_present;
    if (copy.family == Family::ipv4) copy.df = true;
    if (from.hook == Hook::prerouting || from.hook == Hook::input) copy.ttl = static_cast<std::uint8_t>(copy.ttl - 1);
    copy.has_socket = false;  // pskb_copy leaves skb->sk behind
    copy.uid = copy.gid = 0;
    // The copy's walks log nothing for the flow cache's recording of this walk, which refuses
    // the packet anyway (TEE is not replayed).
    CountLog* const log = c.st.engine.count_log;
    c.st.engine.count_log = nullptr;
    const std::size_t visit = from.visits && !from.visits->empty() ? from.visits->size() - 1 : 0;
    process_answer(c, copy, false, AnswerFrom::tee, 0, &tee, {from.walk, visit});
    c.st.engine.count_log = log;
}

bool PacketPath::route_tee_copy(Ctx& a, const TeeTarget& tee) const {
    auto drop = [&](DropReason r, const DropDetail& detail) { return drop_at_routing(a, true, r, detail); };
    // xt_TEE keeps --oif's ifindex while a device of that name exists (-1 otherwise: no device).
    const Interface* oif = tee.oif.empty() ? nullptr : host_.interface(tee.oif);
    RouteResult r;
    if (a.p.family == Family::ipv6) {
        // ip6_route_output: with a device and no source address the lookup takes only routes
        // through it (RT6_LOOKUP_F_IFACE), as for a scoped gateway.
        const std::string_view dev = oif ? std::string_view(oif->name) : std::string_view();
        const bool strict = oif || v6::needs_device(tee.gateway);
        r = host_.lookup6(RouteQuery{tee.gateway, IpAddr{Family::ipv6, {}}, "lo", dev, 0, 0}, dev, strict);
    } else {
        RouteQuery q{tee.gateway, IpAddr{Family::ipv4, {}},
                     "lo",        oif ? std::string_view(oif->name) : std::string_view(),
                     0,           static_cast<std::uint8_t>(a.p.tos & 0x1e)};
        if (oif && !oif->up) return drop(DropReason::no_route, about(DropWhy::interface_down, {}, oif->name));
        r = oif ? host_.lookup_via_oif(q) : host_.lookup(q);
        // ip_route_output_key_hash_rcu: with an output device, a failed lookup takes the
        // destination to be on that device's link.
        if (oif && (!r.found || error_route_reason(r.type))) r = RouteResult{true, RouteType::unicast, nullptr, rt_table_main, 0};
    }
    if (!r.found) return drop(DropReason::no_route, about(DropWhy::no_route, tee.gateway));
    if (auto why = error_route_reason(r.type)) return drop(*why, about_route(DropWhy::error_route, r.type, tee.gateway));
    a.take_route(r);
    a.p.route_realms = r.route ? r.route->tclassid : 0;
    const bool to_host = r.type == RouteType::local || (a.p.family == Family::ipv6 && r.type == RouteType::anycast);
    a.out_dev = to_host ? IfaceName("lo") : r.route ? IfaceName(std::string_view(r.route->dev)) : IfaceName(std::string_view(oif->name));
    a.tee_dev = a.out_dev;
    a.event(PathEventKind::routing_output, [&](PathEvent& e) {
        e.addr = tee.gateway;
        e.route = r;
        e.dev = a.out_dev;
    });
    return true;
}

bool PacketPath::tee_copy_leaves(Ctx& a, bool after) const {
    auto refuse = [&](const DropDetail& detail) {
        a.event(PathEventKind::copy_not_followed, [&](PathEvent& e) { e.detail = detail; });
        a.res.reason = DropReason::not_modelled;
        a.res.detail = detail;
        finish(a, Fate::dropped);
        return false;
    };
    // ip_mc_output: a broadcast or multicast route's packet loops back a clone (the copy has no
    // socket to turn it off).
    if (!after) {
        const bool loops = a.route.type == RouteType::broadcast || a.route.type == RouteType::multicast;
        return loops && a.out_dev.view() != "lo" ? refuse(about(DropWhy::tee_copy_loops_back, a.p.dst)) : true;
    }
    if (a.out_dev.view() == "lo") return refuse(about(DropWhy::tee_copy_loops_back, a.p.dst));
    // ip6_finish_output2: a multicast destination the way out has joined loops back a clone
    // (neighbour discovery's and MLD's own never do, but their copy has no socket saying so).
    if (a.p.family == Family::ipv6 && v6::is_multicast(a.p.dst) && host_.joined_group6(a.out_dev.view(), a.p.dst))
        return refuse(about(DropWhy::tee_copy_loops_back, a.p.dst));
    const unsigned mtu = way_out_mtu(a);
    if (mtu && a.p.length > mtu) {
        DropDetail d = about(DropWhy::tee_copy_too_big, {}, a.out_dev.view());
        d.mtu = mtu;
        return refuse(d);
    }
    return true;
}

}  // namespace fwbench
