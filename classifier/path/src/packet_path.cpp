#include "fwbench/packet_path.hpp"

#include <array>
#include <span>
#include <stdexcept>

#include "fwbench/linear_engine.hpp"

namespace fwbench {

const char* origin_name(Origin o) { return o == Origin::wire ? "wire" : "local"; }

const char* fate_name(Fate f) {
    switch (f) {
        case Fate::delivered: return "delivered";
        case Fate::forwarded: return "forwarded";
        case Fate::sent: return "sent";
        case Fate::dropped: return "dropped";
        case Fate::rejected: return "rejected";
        case Fate::queued: return "queued";
    }
    return "?";
}

const char* drop_reason_name(DropReason r) {
    switch (r) {
        case DropReason::none: return "none";
        case DropReason::netfilter: return "netfilter";
        case DropReason::martian_source: return "martian_source";
        case DropReason::martian_destination: return "martian_destination";
        case DropReason::no_route: return "no_route";
        case DropReason::forwarding_disabled: return "forwarding_disabled";
        case DropReason::route_blackhole: return "route_blackhole";
        case DropReason::route_unreachable: return "route_unreachable";
        case DropReason::route_prohibit: return "route_prohibit";
        case DropReason::rp_filter: return "rp_filter";
        case DropReason::ttl_exceeded: return "ttl_exceeded";
        case DropReason::output_martian: return "output_martian";
        case DropReason::unknown_interface: return "unknown_interface";
        case DropReason::interface_down: return "interface_down";
        case DropReason::not_modelled: return "not_modelled";
    }
    return "?";
}

namespace {

enum TableId { t_raw, t_mangle, t_nat, t_filter, t_security };
constexpr const char* table_names[] = {"raw", "mangle", "nat", "filter", "security"};

// Tables in priority order per hook (raw -300, mangle -150, nat dst -100, filter 0, security 50
// under iptables-legacy but 150 under iptables-nft, nat src 100); conntrack (-200) sits after raw
// in PREROUTING and OUTPUT. Only INPUT's order depends on the backend.
std::span<const TableId> tables_for(Hook h, Backend backend) {
    static constexpr TableId prerouting[] = {t_raw, t_mangle, t_nat};
    static constexpr TableId input_nft[] = {t_mangle, t_filter, t_nat, t_security};
    static constexpr TableId input_legacy[] = {t_mangle, t_filter, t_security, t_nat};
    static constexpr TableId forward[] = {t_mangle, t_filter, t_security};
    static constexpr TableId output[] = {t_raw, t_mangle, t_nat, t_filter, t_security};
    static constexpr TableId postrouting[] = {t_mangle, t_nat};
    switch (h) {
        case Hook::prerouting: return prerouting;
        case Hook::input: return backend == Backend::nf_tables ? std::span<const TableId>(input_nft) : std::span<const TableId>(input_legacy);
        case Hook::forward: return forward;
        case Hook::output: return output;
        case Hook::postrouting: return postrouting;
    }
    return {};
}

bool v4_loopback(const IpAddr& a) { return a.family == Family::ipv4 && (a.v4_host() >> 24) == 127; }
bool v4_zeronet(const IpAddr& a) { return a.family == Family::ipv4 && (a.v4_host() >> 24) == 0; }
bool v4_multicast(const IpAddr& a) { return a.family == Family::ipv4 && (a.v4_host() >> 28) == 0xe; }
bool v4_lbcast(const IpAddr& a) { return a.family == Family::ipv4 && a.v4_host() == 0xffffffffu; }
bool unspecified(const IpAddr& a) {
    for (auto b : a.bytes)
        if (b) return false;
    return true;
}

// The NAT manipulation a hook performs (HOOK2MANIP): source at POSTROUTING and INPUT.
bool manip_src(Hook h) { return h == Hook::postrouting || h == Hook::input; }

}  // namespace

struct PacketPath::Ctx {
    Packet p;
    Origin origin;
    PathState& st;
    PathResult& res;
    bool trace;
    CtAttachment ct{};
    bool notrack = false;
    bool has_ct = false;  // conntrack has run for this packet
    std::string out_dev{};  // output/forward device from routing
    RouteResult route{};
    IpAddr routed_dst{};
    std::uint32_t routed_mark = 0;
    std::uint8_t routed_tos = 0;
    bool local_delivery = false;

    // Notes are for explain; `make` builds the text only when tracing.
    template <class Make>
    void note_if(Make&& make) {
        if (trace) res.trace.push_back({make(), -1});
    }
    void note(std::string text) {
        if (trace) res.trace.push_back({std::move(text), -1});
    }
};

PacketPath::PacketPath(const Ruleset& rs, const Host& host, const IpsetRegistry* ipsets, std::shared_ptr<const Classifier> engine)
    : rs_(rs), host_(host), ipsets_(ipsets), engine_(std::move(engine)) {
    if (!engine_) engine_ = std::make_shared<LinearEngine>(rs, host, ipsets);
    if (&engine_->ruleset() != &rs) throw std::invalid_argument("PacketPath: the engine was built on another ruleset");
    for (int t = 0; t < 5; ++t) {
        table_index_[t] = -1;
        for (std::size_t i = 0; i < rs.tables.size(); ++i)
            if (rs.tables[i].name == table_names[t]) table_index_[t] = static_cast<int>(i);
    }
    // The modules whose checkentry calls nf_ct_netns_get.
    for (const auto& t : rs.tables)
        for (const auto& c : t.chains)
            for (const auto& r : c.rules) {
                for (const auto& m : r.matches) {
                    const auto* mark = std::get_if<MarkMatch>(&m.spec);
                    if (std::holds_alternative<StateMatch>(m.spec) || std::holds_alternative<ConntrackMatch>(m.spec) ||
                        std::holds_alternative<ConnlimitMatch>(m.spec) || (mark && mark->connmark))
                        conntrack_active_ = true;
                }
                if (r.target && (std::holds_alternative<NatTarget>(r.target->spec) || std::holds_alternative<ConnmarkTarget>(r.target->spec) ||
                                 std::holds_alternative<CtTarget>(r.target->spec)))
                    conntrack_active_ = true;
            }
}

void PacketPath::finish(Ctx& c, Fate fate) const {
    c.res.fate = fate;
    c.res.final_packet = c.p;
    c.res.ct_state = c.ct.state;
}

void PacketPath::nat_bind(Ctx& c, Hook hook, const NatTarget* nat) const {
    Connection& conn = *c.ct.conn;
    bool src = manip_src(hook);
    if (src) conn.nat_src_done = true;
    else conn.nat_dst_done = true;
    if (!nat) return;  // a null binding: the connection keeps its addresses

    IpAddr addr;
    std::optional<std::uint16_t> port;
    auto first_range = [&](bool want_addr) {
        for (const auto& r : nat->ranges) {
            if (want_addr && r.has_addr) addr = r.addr_lo;
            if (r.has_ports) port = r.port_lo;
            break;
        }
    };
    auto device_address = [&](std::string_view dev) -> std::optional<IpAddr> {
        if (const Interface* itf = host_.interface(dev))
            for (const auto& a : itf->addrs)
                if (a.addr.family == c.p.family && !a.secondary) return a.addr;
        return std::nullopt;
    };
    switch (nat->kind) {
        case NatTarget::Kind::dnat:
        case NatTarget::Kind::snat:
            addr = src ? c.p.src : c.p.dst;
            first_range(true);
            break;
        case NatTarget::Kind::masquerade: {
            // The address the route to the destination would use on the output device.
            std::optional<IpAddr> a;
            if (c.route.route && c.route.route->prefsrc) a = *c.route.route->prefsrc;
            if (!a) a = device_address(c.out_dev);
            if (!a) {
                c.note_if([&] { return std::string("MASQUERADE: no address on " + c.out_dev + ", packet dropped"); });
                return;
            }
            addr = *a;
            first_range(false);
            break;
        }
        case NatTarget::Kind::redirect: {
            std::optional<IpAddr> a;
            if (hook == Hook::output) a = parse_ip("127.0.0.1", Family::ipv4);
            else a = device_address(c.p.in.view());
            if (!a) return;
            addr = *a;
            first_range(false);
            break;
        }
        case NatTarget::Kind::netmap: {
            const IpAddr& orig = src ? c.p.src : c.p.dst;
            addr = orig;
            for (int i = 0; i < 16; ++i)
                addr.bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(
                    (orig.bytes[static_cast<std::size_t>(i)] & ~nat->netmap_to.mask.bytes[static_cast<std::size_t>(i)]) |
                    (nat->netmap_to.addr.bytes[static_cast<std::size_t>(i)] & nat->netmap_to.mask.bytes[static_cast<std::size_t>(i)]));
            break;
        }
    }
    bool ports = conn.orig.proto == proto::tcp || conn.orig.proto == proto::udp || conn.orig.proto == proto::udplite ||
                 conn.orig.proto == proto::sctp || conn.orig.proto == proto::dccp;
    if (src) {
        conn.reply.dst = addr;
        if (ports && port) conn.reply.dport = *port;
        // get_unique_tuple: when another connection already expects replies on this tuple, the
        // kernel picks another source port (from a hashed offset; fwbench takes the next free one
        // in the range: counters do not depend on which).
        if (ports && c.st.conntrack.reply_tuple_taken(conn.reply, &conn)) {
            std::uint16_t lo = 1024, hi = 65535;
            for (const auto& r : nat->ranges)
                if (r.has_ports) {
                    lo = r.port_lo;
                    hi = r.port_hi;
                }
            std::uint32_t span = static_cast<std::uint32_t>(hi - lo) + 1;
            std::uint16_t start = conn.reply.dport;
            for (std::uint32_t i = 1; i <= span; ++i) {
                conn.reply.dport = static_cast<std::uint16_t>(lo + (static_cast<std::uint32_t>(start - lo) + i) % span);
                if (!c.st.conntrack.reply_tuple_taken(conn.reply, &conn)) break;
            }
            c.note_if([&] { return "source port " + std::to_string(start) + " already taken: mapped to " + std::to_string(conn.reply.dport); });
        }
        conn.status |= ct_status::src_nat;
    } else {
        conn.reply.src = addr;
        if (ports && port) conn.reply.sport = *port;
        conn.status |= ct_status::dst_nat;
    }
    c.note_if([&] { return std::string(std::string(src ? "SNAT" : "DNAT") + " binding: replies expected as " + format_tuple(conn.reply)); });
}

void PacketPath::nat_apply(Ctx& c, Hook hook) const {
    // nf_nat_packet: rewrite toward the inverse of the other direction's tuple.
    const Connection& conn = *c.ct.conn;
    bool src = manip_src(hook);
    std::uint32_t bit = src ? ct_status::src_nat : ct_status::dst_nat;
    if (c.ct.dir == CtDir::reply) bit = bit == ct_status::src_nat ? ct_status::dst_nat : ct_status::src_nat;
    if (!(conn.status & bit)) return;
    ConnTuple target = invert(c.ct.dir == CtDir::original ? conn.reply : conn.orig);
    bool ports = conn.orig.proto != proto::icmp && conn.orig.proto != proto::icmpv6;
    if (src) {
        if (c.p.src == target.src && (!ports || c.p.sport == target.sport)) return;
        c.note_if([&] {
            return std::string("NAT " + std::string(hook_chain_name(hook)) + ": source " + format_ip(c.p.src) + ":" + std::to_string(c.p.sport) +
                               " -> " + format_ip(target.src) + ":" + std::to_string(target.sport));
        });
        c.p.src = target.src;
        if (ports) c.p.sport = target.sport;
    } else {
        if (c.p.dst == target.dst && (!ports || c.p.dport == target.dport)) return;
        c.note_if([&] {
            return std::string("NAT " + std::string(hook_chain_name(hook)) + ": destination " + format_ip(c.p.dst) + ":" + std::to_string(c.p.dport) +
                               " -> " + format_ip(target.dst) + ":" + std::to_string(target.dport));
        });
        c.p.dst = target.dst;
        if (ports) c.p.dport = target.dport;
    }
}

bool PacketPath::run_hook(Ctx& c, Hook hook, bool loopback_in) const {
    c.res.hooks.push_back(hook);
    // The interfaces this hook shows the rules (kernel-semantics item 9).
    IfaceName in = c.p.in;
    IfaceName out{std::string_view(c.out_dev)};
    switch (hook) {
        case Hook::prerouting:
        case Hook::input: out = IfaceName(); break;
        case Hook::forward: break;
        case Hook::output: in = IfaceName(); break;
        // ip_output passes skb->dev as the input device: a forwarded packet's arrival interface
        // (iptables refuses -i in built-in POSTROUTING, but user chains reached from it see it);
        // locally generated packets have none.
        case Hook::postrouting: break;
    }
    for (TableId t : tables_for(hook, rs_.backend)) {
        if (t == t_mangle && (hook == Hook::prerouting || hook == Hook::output) && !c.has_ct) {
            // conntrack (priority -200) runs between raw and mangle.
            c.has_ct = true;
            if (!conntrack_active_) {
                c.ct = CtAttachment{};
                c.ct.state = CtState::invalid;
                c.note_if([&] { return std::string("conntrack: not active (no rule needs it), the packet has no connection"); });
            } else if (c.notrack) {
                c.ct = CtAttachment{};
                c.ct.state = CtState::untracked;
                c.note_if([&] { return std::string("conntrack: untracked (NOTRACK in raw " + std::string(hook_chain_name(hook)) + ")"); });
            } else {
                c.ct = c.st.conntrack.classify(c.p);
                if (c.ct.conn)
                    c.note_if([&] {
                        return std::string(std::string("conntrack: ") + (c.ct.is_new ? "new connection " : "connection ") +
                                           format_tuple(c.ct.conn->orig) + ", packet is " +
                                           (c.ct.state == CtState::new_      ? "NEW"
                                            : c.ct.state == CtState::related ? "RELATED"
                                                                             : "ESTABLISHED") +
                                           (c.ct.dir == CtDir::reply ? " (reply direction)" : ""));
                    });
                else c.note_if([&] { return std::string("conntrack: INVALID (" + ct_invalid_text(c.ct) + ")"); });
            }
            Conntrack::describe(c.ct, c.p);
        } else if (t == t_mangle && loopback_in && hook == Hook::prerouting) {
            c.note_if([&] { return std::string("conntrack: entry carried over from OUTPUT (looped back over lo)"); });
        }
        int ti = table_index_[t];
        if (ti < 0) continue;
        if (t == t_nat) {
            // nf_nat_inet_fn: no conntrack entry, no NAT; the chain sees only a connection's
            // first packet, before this manip type is set up.
            if (!c.ct.conn) continue;
            bool done = manip_src(hook) ? c.ct.conn->nat_src_done : c.ct.conn->nat_dst_done;
            bool first = c.ct.state == CtState::new_ || (c.ct.state == CtState::related && c.ct.dir == CtDir::original);
            if (!done && first) {
                c.p.in = in;
                c.p.out = out;
                HookWalk w{hook, static_cast<std::size_t>(ti), "nat", {}, {}, std::string(in.view()), std::string(out.view()), {}};
                if (c.trace) w.seen = c.p;
                w.walk = engine_->run(static_cast<std::size_t>(ti), hook, c.p, c.st.engine, c.trace ? &w.visits : nullptr);
                c.res.walks.push_back(std::move(w));
                if (c.trace) c.res.trace.push_back({"", static_cast<int>(c.res.walks.size() - 1)});
                const WalkResult& r = c.res.walks.back().walk;
                if (r.verdict != Verdict::accept) {
                    c.res.reason = DropReason::netfilter;
                    finish(c, r.verdict == Verdict::queue ? Fate::queued : Fate::dropped);
                    return false;
                }
                nat_bind(c, hook, r.nat);
                // The binding changes the entry at once (nf_nat_setup_info): later hooks see its
                // SNAT/DNAT status bits (--ctstate DNAT) and its new reply tuple.
                Conntrack::describe(c.ct, c.p);
            } else if (!done && c.trace) {
                c.note_if([&] {
                    return std::string(std::string("nat ") + hook_chain_name(hook) + ": not traversed (" +
                                       (c.ct.state == CtState::established ? "not the first packet of its connection" : "no new connection") + ")");
                });
            } else if (c.trace && first) {
                c.note_if([&] {
                    return std::string(std::string("nat ") + hook_chain_name(hook) + ": not traversed (the connection's " +
                                       (manip_src(hook) ? "source" : "destination") + " mapping is already set up)");
                });
            }
            nat_apply(c, hook);
            if (hook == Hook::output && !reroute_if_changed(c)) return false;
            continue;
        }
        c.p.in = in;
        c.p.out = out;
        HookWalk w{hook, static_cast<std::size_t>(ti), table_names[t], {}, {}, std::string(in.view()), std::string(out.view()), {}};
        if (c.trace) w.seen = c.p;
        w.walk = engine_->run(static_cast<std::size_t>(ti), hook, c.p, c.st.engine, c.trace ? &w.visits : nullptr);
        if (c.ct.conn) c.ct.conn->mark = c.p.ct.mark;  // CONNMARK writes the connection's mark
        const WalkResult r = w.walk;
        c.res.walks.push_back(std::move(w));
        if (c.trace) c.res.trace.push_back({"", static_cast<int>(c.res.walks.size() - 1)});
        if (r.notrack && t == t_raw && !c.has_ct) c.notrack = true;
        if (r.verdict == Verdict::accept) {
            if (hook == Hook::output && t == t_mangle && !reroute_if_changed(c)) return false;
            continue;
        }
        c.res.reason = DropReason::netfilter;
        finish(c, r.verdict == Verdict::reject ? Fate::rejected : r.verdict == Verdict::queue ? Fate::queued : Fate::dropped);
        return false;
    }
    c.p.in = in;
    c.p.out = out;
    if (hook == Hook::input || hook == Hook::postrouting) {
        // __nf_conntrack_confirm at the last hook (priority INT_MAX).
        if (c.ct.conn && c.ct.is_new && !c.ct.conn->confirmed) {
            c.st.conntrack.confirm(c.ct);
            c.note_if([&] { return std::string("conntrack: connection confirmed"); });
        }
    }
    return true;
}

bool PacketPath::reroute_if_changed(Ctx& c) const {
    // ip_route_me_harder, called by mangle OUTPUT (iptable_mangle's hook) and nat OUTPUT when
    // they changed what the route was chosen on. The rest of OUTPUT still sees the device the
    // hook began with (its state->out); POSTROUTING sees the new one.
    if (c.p.dst == c.routed_dst && c.p.mark == c.routed_mark && (c.p.tos & 0x1e) == (c.routed_tos & 0x1e)) return true;
    return route_output(c, true);
}

bool PacketPath::drop_at_routing(Ctx& c, const char* which, DropReason r, std::string detail) const {
    c.res.reason = r;
    c.res.reason_detail = std::move(detail);
    c.note_if([&] { return std::string("routing (") + which + "): dropped, " + c.res.reason_detail; });
    finish(c, Fate::dropped);
    return false;
}

static std::optional<DropReason> error_route_reason(RouteType t) {
    switch (t) {
        case RouteType::blackhole: return DropReason::route_blackhole;
        case RouteType::unreachable: return DropReason::route_unreachable;
        case RouteType::prohibit: return DropReason::route_prohibit;
        default: return std::nullopt;
    }
}

bool PacketPath::route_input(Ctx& c) const {
    const Sysctls& sys = host_.sysctl();
    std::string_view in = c.p.in.view();
    auto drop = [&](DropReason r, std::string detail) { return drop_at_routing(c, "input", r, std::move(detail)); };
    const IpAddr &s = c.p.src, &d = c.p.dst;
    // ip_route_input_slow's checks, in its order.
    if (v4_multicast(s) || v4_lbcast(s))
        return drop(DropReason::martian_source, "martian source " + format_ip(s) + " (multicast or broadcast source)");
    bool broadcast = v4_lbcast(d) || (unspecified(s) && unspecified(d));
    if (!broadcast) {
        // Linux 5.3 made 0.0.0.0/8 ordinary unicast space: only 0.0.0.0 itself is a martian source.
        if (unspecified(s)) return drop(DropReason::martian_source, "martian source 0.0.0.0");
        if (v4_zeronet(d)) return drop(DropReason::martian_destination, "martian destination " + format_ip(d) + " (0.0.0.0/8)");
        if (v4_loopback(d)) {
            if (!sys.route_localnet_for(in))
                return drop(DropReason::martian_destination,
                            "martian destination " + format_ip(d) + " on " + std::string(in) + " (127.0.0.0/8 from the wire, route_localnet=0)");
        } else if (v4_loopback(s)) {
            if (!sys.route_localnet_for(in))
                return drop(DropReason::martian_source,
                            "martian source " + format_ip(s) + " on " + std::string(in) + " (127.0.0.0/8 from the wire, route_localnet=0)");
        }
        if (v4_multicast(d)) return drop(DropReason::not_modelled, "multicast destination (multicast routing is not modelled)");
    }
    RouteQuery q{d, s, in, "", c.p.mark, static_cast<std::uint8_t>(c.p.tos & 0x1e)};
    RouteResult r = broadcast ? RouteResult{true, RouteType::broadcast, nullptr, rt_table_local, 0} : host_.lookup(q);
    c.route = r;
    if (!r.found) {
        if (!sys.forwarding_for(in))
            return drop(DropReason::forwarding_disabled, "no route to " + format_ip(d) + " and forwarding is off on " + std::string(in));
        return drop(DropReason::no_route, "no route to " + format_ip(d));
    }

    // fib_validate_source: is the source acceptable on this interface?
    auto validate_source = [&](std::string_view oif) -> DropReason {
        if (unspecified(s)) return DropReason::none;
        int rpf = sys.rp_filter_for(in);
        bool accept_local = sys.accept_local_for(in);
        const bool custom_rules = host_.has_custom_rules();
        if (rpf == 0 && oif != in && !custom_rules) {
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
        bool dev_match = br.route && br.route->dev == in;
        if (dev_match || no_addr) return dev_match || !rpf ? DropReason::none : DropReason::rp_filter;
        if (rpf == 1) return DropReason::rp_filter;
        return DropReason::none;
    };

    if (r.type == RouteType::broadcast || r.type == RouteType::local) {
        DropReason v = validate_source("");
        if (v != DropReason::none)
            return drop(v, v == DropReason::rp_filter
                               ? "reverse path check failed for " + format_ip(s) + " on " + std::string(in)
                               : "martian source " + format_ip(s) + " on " + std::string(in) + " (one of this host's addresses, accept_local=0)");
        c.local_delivery = true;
        c.note_if([&] {
            return std::string("routing (input): " + format_ip(d) + " is " + route_type_name(r.type) + " (table " + host_.table_name(r.table) +
                               "): local delivery, in " + std::string(in));
        });
        return true;
    }
    if (!sys.forwarding_for(in)) return drop(DropReason::forwarding_disabled, "forwarding is off on " + std::string(in) + " (ip_forward=0)");
    if (auto why = error_route_reason(r.type)) return drop(*why, std::string(route_type_name(r.type)) + " route for " + format_ip(d));
    if (r.type != RouteType::unicast)
        return drop(DropReason::martian_destination, std::string("route type ") + route_type_name(r.type) + " for " + format_ip(d));
    c.out_dev = r.route->dev;
    DropReason v = validate_source(c.out_dev);
    if (v != DropReason::none)
        return drop(v, v == DropReason::rp_filter ? "reverse path check failed for " + format_ip(s) + " on " + std::string(in)
                                                  : "martian source " + format_ip(s) + " on " + std::string(in));
    c.note_if([&] {
        return std::string("routing (input): forward " + format_ip(d) + " via " + c.out_dev +
                           (r.route->gateway ? " gateway " + format_ip(*r.route->gateway) : std::string()) + " (table " + host_.table_name(r.table) +
                           ")");
    });
    return true;
}

bool PacketPath::route_output(Ctx& c, bool reroute) const {
    auto drop = [&](DropReason r, std::string detail) { return drop_at_routing(c, "output", r, std::move(detail)); };
    // ip_route_output_key_hash_rcu: a limited-broadcast or multicast destination with a source
    // address and no bound device leaves through the device holding that source.
    if ((v4_lbcast(c.p.dst) || v4_multicast(c.p.dst)) && !unspecified(c.p.src)) {
        for (const auto& itf : host_.interfaces())
            for (const auto& a : itf.addrs)
                if (a.addr == c.p.src) {
                    c.route = RouteResult{true, v4_lbcast(c.p.dst) ? RouteType::broadcast : RouteType::multicast, nullptr, rt_table_local, 0};
                    c.routed_dst = c.p.dst;
                    c.routed_mark = c.p.mark;
                    c.routed_tos = c.p.tos;
                    c.out_dev = itf.name;
                    if (!reroute) c.res.source = c.p.src;
                    c.note_if([&] {
                        return std::string(reroute ? "rerouting" : "routing") + " (output): " + format_ip(c.p.dst) + " leaves through " + itf.name +
                               ", the device of source " + format_ip(c.p.src);
                    });
                    return true;
                }
    }
    RouteQuery q{c.p.dst, c.p.src, "lo", "", c.p.mark, static_cast<std::uint8_t>(c.p.tos & 0x1e)};
    RouteResult r = host_.lookup(q);
    if (!r.found) return drop(DropReason::no_route, "no route to " + format_ip(c.p.dst));
    if (auto why = error_route_reason(r.type)) return drop(*why, std::string(route_type_name(r.type)) + " route for " + format_ip(c.p.dst));
    c.route = r;
    c.routed_dst = c.p.dst;
    c.routed_mark = c.p.mark;
    c.routed_tos = c.p.tos;
    // ip_route_output_key_hash_rcu: a local destination leaves over the loopback device.
    c.out_dev = r.type == RouteType::local ? "lo" : r.route->dev;
    if (unspecified(c.p.src)) {
        if (r.route && r.route->prefsrc) c.p.src = *r.route->prefsrc;
        else if (r.type == RouteType::local) c.p.src = c.p.dst;
        else if (const Interface* itf = host_.interface(c.out_dev))
            for (const auto& a : itf->addrs)
                if (a.addr.family == c.p.family) {
                    c.p.src = a.addr;
                    break;
                }
    }
    if (!reroute) c.res.source = c.p.src;
    if (v4_loopback(c.p.src) && c.out_dev != "lo" && !host_.sysctl().route_localnet_for(c.out_dev))
        return drop(DropReason::output_martian, "source " + format_ip(c.p.src) + " cannot leave through " + c.out_dev);
    std::string how =
        r.type == RouteType::local
            ? " is local (table " + host_.table_name(r.table) + ", route dev " + r.route->dev + "): sent over lo, whatever device holds the address"
            : " via " + c.out_dev + (r.route->gateway ? " gateway " + format_ip(*r.route->gateway) : std::string()) + " (table " +
                  host_.table_name(r.table) + ")";
    c.note_if([&] { return std::string(std::string(reroute ? "rerouting (output): " : "routing (output): ") + format_ip(c.p.dst) + how); });
    return true;
}

std::string PacketPath::why_not(const Rule& r, const Packet& p, Hook hook) const {
    auto neg = [](bool n) { return n ? "! " : ""; };
    const IpHeaderSpec& ip = r.ip;
    if (ip.src && ip.src->value.contains(p.src) == ip.src->negated)
        return std::string(neg(ip.src->negated)) + "-s " + format_prefix(ip.src->value) + ": source " + format_ip(p.src) +
               (ip.src->negated ? " is in " : " is not in ") + format_prefix(ip.src->value);
    if (ip.dst && ip.dst->value.contains(p.dst) == ip.dst->negated)
        return std::string(neg(ip.dst->negated)) + "-d " + format_prefix(ip.dst->value) + ": destination " + format_ip(p.dst) +
               (ip.dst->negated ? " is in " : " is not in ") + format_prefix(ip.dst->value);
    auto iface = [&](const char* opt, const Neg<IfacePattern>& pat, const IfaceName& have, const char* what) {
        std::string name = pat.value.name + (pat.value.wildcard ? "+" : "");
        std::string h = have.empty() ? std::string("none (this hook has no ") + what + " interface)" : std::string(have.view());
        return std::string(neg(pat.negated)) + opt + " " + name + ": the packet's " + what + " interface is " + h;
    };
    if (ip.in && ip.in->value.matches(p.in.view()) == ip.in->negated) return iface("-i", *ip.in, p.in, "input");
    if (ip.out && ip.out->value.matches(p.out.view()) == ip.out->negated) return iface("-o", *ip.out, p.out, "output");
    if (ip.proto && (p.proto == ip.proto->value) == ip.proto->negated)
        return std::string(neg(ip.proto->negated)) + "-p " + format_protocol(ip.proto->value) + ": the packet is " + format_protocol(p.proto);
    if (ip.fragment && p.fragment != *ip.fragment)
        return std::string(*ip.fragment ? "-f" : "! -f") + ": the packet is " + (p.fragment ? "a non-first fragment" : "not a non-first fragment");
    for (const auto& m : r.matches) {
        std::string text = "-m " + m.module;
        for (const auto& o : m.options) {
            text += o.negated ? " ! --" : " --";
            text += o.name;
            for (const auto& a : o.args) text += " " + a;
        }
        if (is_stateful(m.spec)) return text + ": a stateful match (its state decided)";
        // A scratch state: evaluating a stateless match does not touch it.
        static const EngineOptions opts;
        EngineState scratch(rs_, opts);
        MatchContext ctx{hook, host_, ipsets_, scratch};
        if (!evaluate_match(m, p, ctx)) {
            std::string detail;
            if (std::holds_alternative<StateMatch>(m.spec) || std::holds_alternative<ConntrackMatch>(m.spec)) {
                static constexpr const char* names[] = {"INVALID", "NEW", "ESTABLISHED", "RELATED", "UNTRACKED"};
                detail = std::string(" (the packet is ") + names[static_cast<int>(p.ct.state)] + ")";
            } else if (const auto* l4 = std::get_if<L4PortsMatch>(&m.spec)) {
                (void)l4;
                detail = " (ports " + std::to_string(p.sport) + " > " + std::to_string(p.dport) + ")";
            }
            return text + ": does not match" + detail;
        }
    }
    return "matched";
}

void PacketPath::loop_back_broadcast(Ctx& c) const {
    // ip_mc_output clones a locally sent broadcast before the original's POSTROUTING: the clone
    // takes POSTROUTING, and dev_loopback_xmit hands it to netif_rx, which (in process context)
    // runs its PREROUTING and INPUT at once, on the device it left by, with the conntrack entry
    // and route kept. Only then does the original take POSTROUTING, whatever befell the clone
    // (nf_tables TRACE events show this order; it matters to stateful matches).
    const Packet original = c.p;
    const CtAttachment ct = c.ct;
    const bool notrack = c.notrack;
    const std::string dev = c.out_dev;
    const PathResult before = c.res;
    c.note_if([&] { return "broadcast: a copy loops back to the host on " + dev; });
    if (run_hook(c, Hook::postrouting)) {
        c.p.in = IfaceName(std::string_view(dev));
        c.p.pkttype = PktType::broadcast;
        c.out_dev.clear();
        if (run_hook(c, Hook::prerouting, true)) run_hook(c, Hook::input);
    }
    c.note_if([&] { return std::string("broadcast: the original goes on to POSTROUTING"); });
    PathResult copy = std::move(c.res);
    c.res = before;
    c.res.walks = std::move(copy.walks);
    c.res.trace = std::move(copy.trace);
    c.res.hooks = std::move(copy.hooks);
    c.p = original;
    c.ct = ct;
    c.notrack = notrack;
    c.out_dev = dev;
}

PathResult PacketPath::process(Packet p, Origin origin, PathState& st, bool trace) const {
    PathResult res;
    process(std::move(p), origin, st, res, trace);
    return res;
}

void PacketPath::process(Packet p, Origin origin, PathState& st, PathResult& res, bool trace) const {
    res.reset();
    Ctx c{std::move(p), origin, st, res, trace};
    // No conntrack entry yet: rules before conntrack (raw) see ct == NULL, i.e. INVALID.
    c.p.ct = ConntrackView{};
    c.p.ct.state = CtState::invalid;
    if (c.p.family != Family::ipv4 || rs_.family != Family::ipv4) {
        res.reason = DropReason::not_modelled;
        res.reason_detail = "IPv6 packet path (not modelled yet)";
        finish(c, Fate::dropped);
        return;
    }
    if (origin == Origin::wire) {
        if (!host_.interface(c.p.in.view())) {
            res.reason = DropReason::unknown_interface;
            res.reason_detail = "interface '" + std::string(c.p.in.view()) + "' is not in the host description";
            finish(c, Fate::dropped);
            return;
        }
        if (!host_.interface(c.p.in.view())->up) {
            // The kernel never sees it: a device that is not up (no UP flag) is not running.
            res.reason = DropReason::interface_down;
            res.reason_detail = "interface '" + std::string(c.p.in.view()) + "' is down";
            finish(c, Fate::dropped);
            return;
        }
        c.p.out = IfaceName();
        c.note_if([&] { return std::string("arrived on " + std::string(c.p.in.view()) + " from the wire"); });
        if (!run_hook(c, Hook::prerouting)) return;
        if (!route_input(c)) return;
        if (c.local_delivery) {
            if (!run_hook(c, Hook::input)) return;
            finish(c, Fate::delivered);
            return;
        }
        // ip_forward: TTL is checked, then decremented, before the FORWARD hook.
        if (c.p.ttl <= 1) {
            res.reason = DropReason::ttl_exceeded;
            res.reason_detail = "TTL " + std::to_string(c.p.ttl) + " would expire in forwarding";
            c.note_if([&] { return std::string("forwarding: dropped, " + res.reason_detail); });
            finish(c, Fate::dropped);
            return;
        }
        --c.p.ttl;
        if (!run_hook(c, Hook::forward)) return;
        if (!run_hook(c, Hook::postrouting)) return;
        res.out_iface = c.out_dev;
        c.note_if([&] { return std::string("forwarded out of " + c.out_dev); });
        finish(c, Fate::forwarded);
        return;
    }

    // Locally generated.
    c.p.in = IfaceName();
    c.p.pkttype = PktType::outgoing;
    if (!route_output(c, false)) return;
    if (!run_hook(c, Hook::output)) return;
    if (c.route.type == RouteType::broadcast && c.out_dev != "lo") loop_back_broadcast(c);
    if (!run_hook(c, Hook::postrouting)) return;
    res.out_iface = c.out_dev;
    if (c.out_dev != "lo") {
        c.note_if([&] { return std::string("sent out of " + c.out_dev); });
        finish(c, Fate::sent);
        return;
    }
    // Looped back: in = lo, the conntrack entry and the route come along.
    c.note_if([&] { return std::string("looped back: arrives on lo"); });
    c.p.in = IfaceName("lo");
    c.p.pkttype = PktType::host;
    c.out_dev.clear();
    if (!run_hook(c, Hook::prerouting, true)) return;
    c.note_if([&] { return std::string("routing (input): route kept from output: local delivery, in lo"); });
    if (!run_hook(c, Hook::input)) return;
    finish(c, Fate::delivered);
    return;
}

}  // namespace fwbench
