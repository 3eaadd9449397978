// Routing on the packet path (net/ipv4/route.c, fib_frontend.c): input routing with its martian
// and source checks, output routing and its source choice, and rerouting after OUTPUT changed
// what the route was chosen on.
#include "path_context.hpp"

namespace fwbench {

using namespace path_detail;

bool PacketPath::drop_at_routing(Ctx& c, bool output, DropReason r, const DropDetail& detail) const {
    c.res.reason = r;
    c.res.detail = detail;
    c.event(PathEventKind::routing_dropped, [&](PathEvent& e) {
        e.flag = output;
        e.detail = detail;
    });
    finish(c, Fate::dropped);
    return false;
}

// Input routing found the packet the host's: it goes on to INPUT (c.route says why).
bool PacketPath::deliver_locally(Ctx& c) const {
    c.local_delivery = true;
    c.event(PathEventKind::routing_local, [&](PathEvent& e) {
        e.addr = c.p.dst;
        e.route = c.route;
        e.dev = c.p.in;
    });
    return true;
}

bool PacketPath::route_input(Ctx& c) const {
    if (c.p.family == Family::ipv6) return route_input6(c);
    const Sysctls& sys = host_.sysctl();
    std::string_view in = c.p.in.view();
    auto drop = [&](DropReason r, const DropDetail& detail) { return drop_at_routing(c, false, r, detail); };
    const IpAddr &s = c.p.src, &d = c.p.dst;
    // ip_route_input_slow's checks, in its order.
    if (v4_multicast(s) || v4_lbcast(s)) return drop(DropReason::martian_source, about(DropWhy::source_multicast_or_broadcast, s));
    bool broadcast = v4_lbcast(d) || (unspecified(s) && unspecified(d));
    if (!broadcast) {
        // Linux 5.3 made 0.0.0.0/8 ordinary unicast space: only 0.0.0.0 itself is a martian source.
        if (unspecified(s)) return drop(DropReason::martian_source, about(DropWhy::source_zero, s));
        if (v4_zeronet(d)) return drop(DropReason::martian_destination, about(DropWhy::destination_zeronet, d));
        if (v4_loopback(d)) {
            if (!sys.route_localnet_for(in)) return drop(DropReason::martian_destination, about(DropWhy::destination_loopback, d, in));
        } else if (v4_loopback(s)) {
            if (!sys.route_localnet_for(in)) return drop(DropReason::martian_source, about(DropWhy::source_loopback, s, in));
        }
        if (v4_multicast(d)) return drop(DropReason::not_modelled, about(DropWhy::multicast_destination, d));
    }
    RouteQuery q{d, s, in, "", c.p.mark, static_cast<std::uint8_t>(c.p.tos & 0x1e)};
    RouteResult r = broadcast ? RouteResult{true, RouteType::broadcast, nullptr, rt_table_local, 0} : host_.lookup(q);
    c.route = r;
    if (!r.found) {
        if (!sys.forwarding_for(in)) return drop(DropReason::forwarding_disabled, about(DropWhy::no_route_forwarding_off, d, in));
        drop(DropReason::no_route, about(DropWhy::no_route, d));
        send_route_error(c, 0);  // ENETUNREACH: network unreachable
        return false;
    }

    // fib_validate_source: is the source acceptable on this interface? source_on_link: its
    // positive answer, the way back is a route without gateway on the arrival device. itag: the
    // realm of the way back, as the source realm (fib_combine_itag), when routes have realms.
    bool source_on_link = false;
    std::uint32_t itag = 0;
    auto validate_source = [&](std::string_view oif) -> DropReason {
        if (unspecified(s)) return DropReason::none;
        int rpf = sys.rp_filter_for(in);
        bool accept_local = sys.accept_local_for(in);
        const bool custom_rules = host_.has_custom_rules();
        if (rpf == 0 && !host_.has_realms() && (oif != in || !sys.send_redirects_for(in)) && !custom_rules) {
            if (accept_local) return DropReason::none;
            return host_.is_local_address(s) ? DropReason::martian_source : DropReason::none;
        }
        const Interface* itf = host_.interface(in);
        bool no_addr = !itf || itf->addrs.empty();
        RouteQuery back{s, d, oif.empty() ? std::string_view("lo") : oif, "", 0, q.tos};
        RouteResult br = host_.lookup(back);
        // fib_lookup fails for blackhole/unreachable/prohibit routes as for no route at all:
        // the "last resort" then accepts unless rp_filter is on.
        bool error_route = br.found && (br.type == RouteType::blackhole || br.type == RouteType::unreachable || br.type == RouteType::prohibit);
        if (!br.found || error_route) return rpf ? DropReason::rp_filter : DropReason::none;
        if (br.type != RouteType::unicast && (br.type != RouteType::local || !accept_local)) return DropReason::martian_source;
        itag = br.route ? br.route->tclassid << 16 : 0;
        bool dev_match = br.route && br.route->dev == in;
        // (Without dev_match, a second lookup out of the arrival device can also find the source
        // on link; not modelled: no redirect is predicted then.)
        source_on_link = dev_match && !br.route->gateway;
        if (dev_match || no_addr) return dev_match || !rpf ? DropReason::none : DropReason::rp_filter;
        if (rpf == 1) return DropReason::rp_filter;
        return DropReason::none;
    };

    if (r.type == RouteType::broadcast || r.type == RouteType::local) {
        DropReason v = validate_source("");
        if (v != DropReason::none) return drop(v, about(v == DropReason::rp_filter ? DropWhy::reverse_path : DropWhy::source_is_local, s, in));
        c.p.route_realms = itag;  // ip_route_input_slow's local_input: the source realm alone
        return deliver_locally(c);
    }
    if (!sys.forwarding_for(in)) return drop(DropReason::forwarding_disabled, about(DropWhy::forwarding_off, d, in));
    if (auto why = error_route_reason(r.type)) {
        drop(*why, about_route(DropWhy::error_route, r.type, d));
        // ip_error: EHOSTUNREACH host unreachable, EACCES packet filtered; a blackhole is silent.
        if (r.type == RouteType::unreachable) send_route_error(c, 1);
        if (r.type == RouteType::prohibit) send_route_error(c, 13);
        return false;
    }
    if (r.type != RouteType::unicast) return drop(DropReason::martian_destination, about_route(DropWhy::route_type_not_unicast, r.type, d));
    c.out_dev = IfaceName(std::string_view(r.route->dev));
    DropReason v = validate_source(c.out_dev.view());
    if (v != DropReason::none) return drop(v, about(v == DropReason::rp_filter ? DropWhy::reverse_path : DropWhy::source_martian, s, in));
    // rt_set_nexthop: the route's realms, each half it leaves 0 taken from the way back (set_class_tag).
    c.p.route_realms = r.route->tclassid;
    if (!(c.p.route_realms & 0xffff)) c.p.route_realms |= itag & 0xffff;
    if (!(c.p.route_realms & 0xffff0000)) c.p.route_realms |= itag & 0xffff0000;
    if (c.out_dev.view() == in && source_on_link && sys.send_redirects_for(in)) {
        const std::optional<IpAddr>& gw = r.route->gateway;
        if (sys.shared_media_for(in) || (host_.on_link(in, s) && (!gw || host_.on_link(in, *gw)))) {
            c.redirect = true;
            c.redirect_to = gw ? *gw : d;
        }
    }
    c.event(PathEventKind::routing_forward, [&](PathEvent& e) {
        e.addr = d;
        e.route = r;
        e.dev = c.out_dev;
    });
    return true;
}

bool PacketPath::route_output(Ctx& c, bool reroute) const {
    if (c.p.family == Family::ipv6) return route_output6(c, reroute);
    auto drop = [&](DropReason r, const DropDetail& detail) { return drop_at_routing(c, true, r, detail); };
    // ip_route_output_key_hash_rcu: a limited-broadcast or multicast destination with a source
    // address and no bound device leaves through the device holding that source.
    if ((v4_lbcast(c.p.dst) || v4_multicast(c.p.dst)) && !unspecified(c.p.src)) {
        for (const auto& itf : host_.interfaces())
            for (const auto& a : itf.addrs)
                if (a.addr == c.p.src) {
                    c.take_route(RouteResult{true, v4_lbcast(c.p.dst) ? RouteType::broadcast : RouteType::multicast, nullptr, rt_table_local, 0});
                    c.p.route_realms = 0;
                    c.out_dev = IfaceName(std::string_view(itf.name));
                    if (!reroute) c.res.source = c.p.src;
                    c.event(PathEventKind::routing_output_by_source, [&](PathEvent& e) {
                        e.flag = reroute;
                        e.addr = c.p.dst;
                        e.addr2 = c.p.src;
                        e.dev = c.out_dev;
                    });
                    return true;
                }
    }
    RouteQuery q{c.p.dst, c.p.src, "lo", "", c.p.mark, static_cast<std::uint8_t>(c.p.tos & 0x1e)};
    RouteResult r = host_.lookup(q);
    if (!r.found) return drop(DropReason::no_route, about(DropWhy::no_route, c.p.dst));
    if (auto why = error_route_reason(r.type)) return drop(*why, about_route(DropWhy::error_route, r.type, c.p.dst));
    c.take_route(r);
    c.p.route_realms = r.route ? r.route->tclassid : 0;  // an output route has no way back to take a realm from
    // ip_route_output_key_hash_rcu: a local destination leaves over the loopback device.
    c.out_dev = r.type == RouteType::local ? IfaceName("lo") : IfaceName(std::string_view(r.route->dev));
    if (unspecified(c.p.src)) {
        if (r.route && r.route->prefsrc) c.p.src = *r.route->prefsrc;
        else if (r.type == RouteType::local) c.p.src = c.p.dst;
        else if (const Interface* itf = host_.interface(c.out_dev.view()))
            for (const auto& a : itf->addrs)
                if (a.addr.family == c.p.family) {
                    c.p.src = a.addr;
                    break;
                }
    }
    if (!reroute) c.res.source = c.p.src;
    if (v4_loopback(c.p.src) && c.out_dev.view() != "lo" && !host_.sysctl().route_localnet_for(c.out_dev.view()))
        return drop(DropReason::output_martian, about(DropWhy::source_cannot_leave, c.p.src, c.out_dev.view()));
    c.event(PathEventKind::routing_output, [&](PathEvent& e) {
        e.flag = reroute;
        e.addr = c.p.dst;
        e.route = r;
        e.dev = c.out_dev;
    });
    return true;
}

bool PacketPath::reroute_if_changed(Ctx& c) const {
    // ip_route_me_harder, called by mangle OUTPUT (iptable_mangle's hook) and nat OUTPUT when
    // they changed what the route was chosen on. The rest of OUTPUT still sees the device the
    // hook began with (its state->out); POSTROUTING sees the new one.
    if (c.p.dst == c.routed_dst && c.p.mark == c.routed_mark && (c.p.tos & 0x1e) == (c.routed_tos & 0x1e)) return true;
    return route_output(c, true);
}

}  // namespace fwbench
