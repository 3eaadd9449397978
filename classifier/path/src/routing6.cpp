// IPv6 on the packet path (net/ipv6/ip6_input.c, route.c, ip6_output.c): ipv6_rcv's checks
// before PREROUTING, input routing (local, anycast, multicast, forward or the error routes),
// ip6_forward's checks before FORWARD, and output routing with the kernel's source selection.
#include "path_context.hpp"

namespace fwbench {

using namespace path_detail;

namespace {

constexpr std::uint8_t icmp6_dest_unreach = 1, icmp6_packet_too_big = 2, icmp6_time_exceeded = 3, icmp6_parameter_problem = 4;
constexpr std::uint8_t param_problem_unrecognized_option = 2;
constexpr std::uint8_t unreach_no_route = 0, unreach_adm_prohibited = 1, unreach_not_neighbour = 2;
constexpr unsigned ipv6_min_mtu = 1280;

}  // namespace

// ip6_rcv_core's drops, in its order (a truncated or malformed header never gets here: the
// capture reader counts it).
bool PacketPath::receive6(Ctx& c) const {
    const std::string_view in = c.p.in.view();
    const IpAddr &s = c.p.src, &d = c.p.dst;
    auto drop = [&](DropReason r, const DropDetail& detail) { return drop_at_routing(c, false, r, detail); };
    if (c.p.pkttype == PktType::otherhost) return drop(DropReason::not_for_this_host, about(DropWhy::other_host, d, in));
    if (host_.sysctl().ip6_disabled_on(in)) return drop(DropReason::ipv6_disabled, about(DropWhy::ipv6_disabled, d, in));
    const bool lo = in == "lo";
    if (!lo && v6::is_loopback(s)) return drop(DropReason::martian_source, about(DropWhy::loopback_from_wire, s, in));
    if (!lo && v6::is_loopback(d)) return drop(DropReason::martian_destination, about(DropWhy::loopback_from_wire, d, in));
    // Interface-local multicast only ever loops back; scope 0 is reserved.
    if (v6::is_multicast(d) && ((!lo && v6::multicast_scope(d) == 1) || v6::multicast_scope(d) == 0))
        return drop(DropReason::martian_destination, about(DropWhy::multicast_scope, d, in));
    if (v6::is_multicast(s)) return drop(DropReason::martian_source, about(DropWhy::source_multicast_or_broadcast, s, in));
    // ipv6_parse_hopopts, last in ip6_rcv_core: the options of a hop-by-hop header (only ever first).
    if (c.p.ext_header_count && c.p.ext_headers[0] == proto::ipv6_hop && c.p.hop_options.length) {
        const HopOptionsJudgement j = judge_hop_options(c.p.hop_options);
        if (j.verdict != HopOptionsVerdict::pass) {
            DropDetail detail = about(DropWhy::hop_options, d, in);
            // ip6_tlvopt_unknown: an option of type 11xxxxxx to a multicast destination is
            // discarded without an answer.
            const bool answered = j.verdict == HopOptionsVerdict::parameter_problem && !((j.type >> 6) == 3 && v6::is_multicast(d));
            detail.hop = j.verdict == HopOptionsVerdict::parameter_problem && !answered ? HopOptionsVerdict::discard_option : j.verdict;
            drop(j.verdict == HopOptionsVerdict::not_modelled ? DropReason::not_modelled : DropReason::hop_by_hop_options, detail);
            // icmpv6_param_prob: pointing at the option, from the network header (the hop-by-hop
            // header follows the fixed one).
            if (answered) send_icmp6_error(c, icmp6_parameter_problem, param_problem_unrecognized_option, AnswerFrom::path, 40u + j.offset);
            return false;
        }
    }
    return true;
}

bool PacketPath::route_input6(Ctx& c) const {
    const std::string_view in = c.p.in.view();
    const IpAddr& d = c.p.dst;
    auto drop = [&](DropReason r, const DropDetail& detail) { return drop_at_routing(c, false, r, detail); };
    // ip6_route_input_lookup: a link-local, multicast or loopback destination is looked up on the
    // arrival device only (RT6_LOOKUP_F_IFACE).
    const RouteQuery q{d, c.p.src, in, "", c.p.mark, 0};
    const RouteResult r = host_.lookup6(q, in, v6::needs_device(d));
    c.route = r;
    // ip6_pkt_drop for the null entry, an unreachable or throw route (no route), a prohibit route
    // (administratively prohibited); a blackhole says nothing. Whether or not the host forwards.
    if (!r.found || r.type == RouteType::unreachable || r.type == RouteType::throw_) {
        drop(r.found ? DropReason::route_unreachable : DropReason::no_route,
             r.found ? about_route(DropWhy::error_route, r.type, d) : about(DropWhy::no_route, d));
        send_icmp6_error(c, icmp6_dest_unreach, unreach_no_route, AnswerFrom::path);
        return false;
    }
    if (r.type == RouteType::prohibit) {
        drop(DropReason::route_prohibit, about_route(DropWhy::error_route, r.type, d));
        send_icmp6_error(c, icmp6_dest_unreach, unreach_adm_prohibited, AnswerFrom::path);
        return false;
    }
    if (r.type == RouteType::blackhole) return drop(DropReason::route_blackhole, about_route(DropWhy::error_route, r.type, d));
    if (r.type == RouteType::local || r.type == RouteType::anycast || v6::is_multicast(d)) {
        // ip6_mc_input: only the groups the device has joined go on to INPUT.
        if (v6::is_multicast(d) && !host_.joined_group6(in, d))
            return drop(DropReason::multicast_not_joined, about(DropWhy::group_not_joined, d, in));
        return deliver_locally(c);
    }
    if (r.type != RouteType::unicast) return drop(DropReason::martian_destination, about_route(DropWhy::route_type_not_unicast, r.type, d));
    c.out_dev = IfaceName(std::string_view(r.route->dev));
    c.event(PathEventKind::routing_forward, [&](PathEvent& e) {
        e.addr = d;
        e.route = r;
        e.dev = c.out_dev;
    });
    return true;
}

// ip6_forward up to the FORWARD hook: forwarding on, a frame for this host, the hop limit, the
// source, the MTU (a router never fragments IPv6), then the hop limit's decrement.
bool PacketPath::forward6(Ctx& c) const {
    const std::string_view in = c.p.in.view();
    auto drop = [&](DropReason r, const DropDetail& detail) {
        c.res.reason = r;
        c.res.detail = detail;
        finish(c, Fate::dropped);
        return false;
    };
    if (!host_.sysctl().ip6_forwards_from(in)) {
        DropDetail d = about(DropWhy::forwarding_off, c.p.dst, in);
        return drop(DropReason::forwarding_disabled, d);
    }
    if (c.p.pkttype != PktType::host) return drop(DropReason::not_for_this_host, about(DropWhy::pkttype_not_host, c.p.dst, in));
    if (c.socket_assigned) return drop(DropReason::forward_socket_assigned, {});
    if (c.p.ttl <= 1) {
        DropDetail d = about(DropWhy::hop_limit_expires, c.p.dst, in);
        d.ttl = c.p.ttl;
        drop(DropReason::hop_limit_exceeded, d);
        c.event(PathEventKind::forwarding_ttl);
        send_icmp6_error(c, icmp6_time_exceeded, 0, AnswerFrom::path);
        return false;
    }
    if (c.out_dev.view() == in) {
        // Back out of its arrival device: a redirect first, unless it came from IPsec.
        if (!c.p.ipsec_in) send_redirect6(c);
    } else {
        const IpAddr& s = c.p.src;
        if (v6::is_any(s) || v6::is_multicast(s) || v6::is_loopback(s))
            return drop(DropReason::address_error, about(DropWhy::source_not_forwardable, s, in));
        if (v6::is_link_local(s)) {
            drop(DropReason::address_error, about(DropWhy::source_link_local, s, c.out_dev.view()));
            send_icmp6_error(c, icmp6_dest_unreach, unreach_not_neighbour, AnswerFrom::path);
            return false;
        }
    }
    // ip6_dst_mtu_maybe_forward: the way out's device MTU (a route's mtu metric counts only after
    // POSTROUTING: route_mtu_exceeded6), at least IPV6_MIN_MTU.
    const Interface* out = host_.interface(c.out_dev.view());
    // ip6_pkt_too_big: a datagram conntrack reassembled is too big only if one of its fragments was.
    const auto too_big = [&](unsigned mtu) { return c.p.frag_max_size ? c.p.frag_max_size > mtu : !gro_merged(c, mtu); };
    if (const unsigned mtu = out && out->mtu ? std::max(out->mtu, ipv6_min_mtu) : 0; mtu && c.p.length > mtu && too_big(mtu)) {
        DropDetail d = about(DropWhy::larger_than_mtu, c.p.dst, c.out_dev.view());
        d.mtu = mtu;
        drop(DropReason::packet_too_big, d);
        send_icmp6_error(c, icmp6_packet_too_big, 0, AnswerFrom::path, mtu);
        return false;
    }
    --c.p.ttl;
    return true;
}

// ip6_finish_output -> ip6_fragment, after POSTROUTING: a forwarded packet larger than the route's
// mtu metric (the device's MTU was checked before FORWARD) is not fragmented but dropped, and the
// sender told; it has passed FORWARD and POSTROUTING (and their counters) by then.
bool PacketPath::route_mtu_exceeded6(Ctx& c) const {
    const unsigned mtu = c.route.route ? c.route.route->mtu : 0;
    // ip6_fragment: a reassembled datagram goes out in pieces of its largest fragment, if that fits.
    if (!mtu || c.p.length <= mtu || (c.p.frag_max_size ? c.p.frag_max_size <= mtu : gro_merged(c, mtu))) return false;
    c.res.reason = DropReason::packet_too_big;
    c.res.detail = about(DropWhy::larger_than_mtu, c.p.dst, c.out_dev.view());
    c.res.detail.mtu = mtu;
    finish(c, Fate::dropped);
    send_icmp6_error(c, icmp6_packet_too_big, 0, AnswerFrom::path, mtu);
    return true;
}

bool PacketPath::route_output6(Ctx& c, bool reroute) const {
    auto drop = [&](DropReason r, const DropDetail& detail) { return drop_at_routing(c, true, r, detail); };
    const IpAddr& d = c.p.dst;
    // A multicast destination leaves by the device the socket chose (IPV6_MULTICAST_IF, a scope
    // id): without one, which the kernel picks is the socket's doing. Interface-local groups and a
    // hop limit of 0 only ever loop back, not modelled.
    if (v6::is_multicast(d) && (c.p.out.empty() || v6::multicast_scope(d) <= 1 || c.p.ttl == 0))
        return drop(DropReason::not_modelled, about(DropWhy::multicast_destination, d, c.p.out.view()));
    // A scoped destination goes out of its given device (a link-local address's zone). Routed
    // again after OUTPUT changed it (ip6_route_me_harder), only a multicast or link-local
    // destination stays on the device of the route it had: a loopback one (REDIRECT's ::1) does not.
    const bool bound = reroute ? v6::is_multicast(d) || v6::is_link_local(d) : v6::needs_device(d);
    const std::string_view oif = bound ? c.p.out.view() : std::string_view();
    const RouteQuery q{d, c.p.src, "lo", oif, c.p.mark, 0};
    const RouteResult r = host_.lookup6(q, oif, v6::needs_device(d));
    if (!r.found) return drop(DropReason::no_route, about(DropWhy::no_route, d));
    if (auto why = error_route_reason(r.type)) return drop(*why, about_route(DropWhy::error_route, r.type, d));
    c.take_route(r);
    // ip6_rt_get_dev_rcu: a local or anycast route's packets leave over the loopback device.
    const bool to_host = r.type == RouteType::local || r.type == RouteType::anycast;
    c.out_dev = to_host ? IfaceName("lo") : IfaceName(std::string_view(r.route->dev));
    if (v6::is_any(c.p.src)) {
        // ip6_route_get_saddr: the route's preferred source, else ipv6_dev_get_saddr on its device.
        if (r.route && r.route->prefsrc) c.p.src = *r.route->prefsrc;
        else if (auto src = host_.select_source6(r.route ? std::string_view(r.route->dev) : std::string_view(), d)) c.p.src = *src;
        else return drop(DropReason::no_route, about(DropWhy::no_source_address, d, r.route ? std::string_view(r.route->dev) : std::string_view()));
    }
    if (!reroute) c.res.source = c.p.src;
    c.event(PathEventKind::routing_output, [&](PathEvent& e) {
        e.flag = reroute;
        e.addr = d;
        e.route = r;
        e.dev = c.out_dev;
    });
    return true;
}

}  // namespace fwbench
