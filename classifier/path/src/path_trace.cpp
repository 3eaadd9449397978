// The words for what the packet path recorded: events, drop details, and why a rule did not
// match. Only explain calls these; the path itself never builds text.
#include "fwbench/packet_path.hpp"

#include <cstdio>
#include <sstream>

#include "fwbench/linear_engine.hpp"

namespace fwbench {

namespace {
// The error an answer is, by family and type.
std::string icmp_error_name(bool v6, std::uint8_t type) {
    if (v6) {
        switch (type) {
            case 1: return "ICMPv6 destination unreachable";
            case 2: return "ICMPv6 packet too big";
            case 3: return "ICMPv6 time exceeded";
            case 4: return "ICMPv6 parameter problem";
            default: return "ICMPv6 error";
        }
    }
    switch (type) {
        case 5: return "ICMP redirect";
        case 11: return "ICMP time exceeded";
        default: return "ICMP destination unreachable";
    }
}
}  // namespace

namespace {

std::string route_table(const Host& host, const RouteResult& r) { return "(table " + host.table_name(r.table) + ")"; }

std::string hex_word(std::uint32_t v) {
    char buf[12];
    std::snprintf(buf, sizeof buf, "%x", v);
    return buf;
}

// ADDR:PORT, an IPv6 address in brackets.
std::string endpoint(const IpAddr& a, std::uint16_t port) {
    const std::string text = format_ip(a);
    return (a.family == Family::ipv6 ? "[" + text + "]" : text) + ":" + std::to_string(port);
}

std::string gateway_of(const RouteResult& r) { return r.route && r.route->gateway ? " gateway " + format_ip(*r.route->gateway) : std::string(); }

const char* ct_state_word(CtState s) {
    switch (s) {
        case CtState::new_: return "NEW";
        case CtState::related: return "RELATED";
        default: return "ESTABLISHED";
    }
}

}  // namespace

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
        case DropReason::nat_redirect: return "nat_redirect";
        case DropReason::nat_icmp_checksum: return "nat_icmp_checksum";
        case DropReason::forward_socket_assigned: return "forward_socket_assigned";
        case DropReason::fragmentation_needed: return "fragmentation_needed";
        case DropReason::not_modelled: return "not_modelled";
        case DropReason::ipv6_disabled: return "ipv6_disabled";
        case DropReason::not_for_this_host: return "not_for_this_host";
        case DropReason::multicast_not_joined: return "multicast_not_joined";
        case DropReason::hop_limit_exceeded: return "hop_limit_exceeded";
        case DropReason::packet_too_big: return "packet_too_big";
        case DropReason::address_error: return "address_error";
        case DropReason::reassembly: return "reassembly";
        case DropReason::hop_by_hop_options: return "hop_by_hop_options";
        case DropReason::conntrack_clash: return "conntrack_clash";
    }
    return "?";
}

std::string drop_detail_text(const DropDetail& d) {
    const std::string a = format_ip(d.addr);
    const std::string dev(d.dev.view());
    switch (d.why) {
        case DropWhy::none: return "";
        case DropWhy::family_without_ruleset:
            return std::string("an ") + (d.addr.family == Family::ipv6 ? "IPv6" : "IPv4") + " packet, and no " +
                   (d.addr.family == Family::ipv6 ? "ip6tables" : "iptables") + " ruleset to pass it through";
        case DropWhy::unknown_interface: return "interface '" + dev + "' is not in the host description";
        case DropWhy::interface_down: return "interface '" + dev + "' is down";
        case DropWhy::ttl_expires: return "TTL " + std::to_string(d.ttl) + " would expire in forwarding";
        case DropWhy::larger_than_mtu:
            if (d.addr.family == Family::ipv6) return "it is larger than the MTU of " + dev + " (" + std::to_string(d.mtu) + ")";
            return "it has DF set and is larger than the MTU of " + dev + " (" + std::to_string(d.mtu) + ")";
        case DropWhy::source_multicast_or_broadcast: return "martian source " + a + " (multicast or broadcast source)";
        case DropWhy::source_zero: return "martian source 0.0.0.0";
        case DropWhy::destination_zeronet: return "martian destination " + a + " (0.0.0.0/8)";
        case DropWhy::destination_loopback: return "martian destination " + a + " on " + dev + " (127.0.0.0/8 from the wire, route_localnet=0)";
        case DropWhy::source_loopback: return "martian source " + a + " on " + dev + " (127.0.0.0/8 from the wire, route_localnet=0)";
        case DropWhy::multicast_destination:
            return "multicast destination " + a +
                   (dev.empty() ? std::string(": multicast routing, and the host's own multicast without a device it leaves by, are not modelled")
                                : std::string(": interface-local groups and a hop limit of 0 only loop back, not modelled"));
        case DropWhy::no_route_forwarding_off: return "no route to " + a + " and forwarding is off on " + dev;
        case DropWhy::no_route: return "no route to " + a;
        case DropWhy::reverse_path: return "reverse path check failed for " + a + " on " + dev;
        case DropWhy::source_is_local: return "martian source " + a + " on " + dev + " (one of this host's addresses, accept_local=0)";
        case DropWhy::source_martian: return "martian source " + a + " on " + dev;
        case DropWhy::forwarding_off: return "forwarding is off on " + dev + " (ip_forward=0)";
        case DropWhy::error_route: return std::string(route_type_name(d.route_type)) + " route for " + a;
        case DropWhy::route_type_not_unicast: return std::string("route type ") + route_type_name(d.route_type) + " for " + a;
        case DropWhy::ipv6_disabled: return "IPv6 is disabled on " + dev + " (disable_ipv6=1)";
        case DropWhy::other_host: return "the frame was addressed to another host's link-layer address on " + dev;
        case DropWhy::loopback_from_wire: return "the loopback address " + a + " arrived from the wire on " + dev;
        case DropWhy::multicast_scope: return "multicast destination " + a + " of a scope that cannot arrive on " + dev;
        case DropWhy::group_not_joined: return dev + " has not joined the multicast group " + a;
        case DropWhy::hop_limit_expires: return "hop limit " + std::to_string(d.ttl) + " would expire in forwarding";
        case DropWhy::source_not_forwardable: return "source " + a + " is never forwarded (unspecified, multicast or loopback)";
        case DropWhy::source_link_local: return "link-local source " + a + " cannot be forwarded off its link (out " + dev + ")";
        case DropWhy::no_source_address: return "no address of this host can be the source toward " + a + (dev.empty() ? "" : " (via " + dev + ")");
        case DropWhy::pkttype_not_host: return "the frame on " + dev + " was not addressed to this host's link-layer address";
        case DropWhy::source_cannot_leave: return "source " + a + " cannot leave through " + dev;
        case DropWhy::fragment_refused: return std::string("a fragment of a datagram to ") + a + ": " + frag_outcome_name(d.frag);
        case DropWhy::hop_options: {
            const char* what = d.hop == HopOptionsVerdict::malformed        ? "an option runs past the header, or padding is over 7 bytes or not zero"
                               : d.hop == HopOptionsVerdict::discard_option ? "an unknown option whose type says discard"
                               : d.hop == HopOptionsVerdict::parameter_problem
                                   ? "an unknown option whose type says discard and answer (a parameter problem pointing at it)"
                               : d.hop == HopOptionsVerdict::router_alert_length
                                   ? "a router alert whose length is not 2"
                                   : "an option the kernel handles (jumbo, IOAM, CALIPSO) or more than 8 options, which fwbench "
                                     "does not model";
            return "the hop-by-hop options from " + dev + ": " + what;
        }
        case DropWhy::mtu_unknown:
            return "TCPMSS --clamp-mss-to-pmtu clamps to the MTU of " + dev + ", which the host description does not give (ip -j addr's \"mtu\")";
        case DropWhy::ecn_on_fragment:
            return "an ECN target of the ruleset sets TCP's ECE or CWR flag: on this later fragment of a TCP datagram the kernel reads "
                   "the payload as a TCP header and may rewrite it, which fwbench does not model";
        case DropWhy::npt_unmappable:
            return "an SNPT or DNPT of the ruleset translates this address to one whose words past its prefix are all 0xffff, so no "
                   "word can take the checksum adjustment: the kernel drops it and answers with an ICMPv6 parameter problem, which "
                   "fwbench does not model";
        case DropWhy::cluster_pkttype:
            return "a cluster match of the ruleset turns a frame sent to a multicast link-layer address, as this one to " + a +
                   " was, into one for the host when a walk reaches it (xt_cluster sets its packet type), which fwbench does not model";
        case DropWhy::bytes_unknown:
            return "a -m string, -m u32 or -m bpf reached from this hook reads the packet's bytes, which fwbench does not hold for it (the "
                   "host's own answers, a reassembled datagram, or a packet described without them)";
        case DropWhy::synproxy_cookie:
            return "-j SYNPROXY met a client's ACK, which it passes on (opening the connection to the server) only when the ACK carries a "
                   "valid SYN cookie, and drops otherwise: the cookie is made from the host's secret and clock, which fwbench does not know";
        case DropWhy::synproxy_fragment:
            return "-j SYNPROXY met a fragment, whose payload it would read as a TCP header, which fwbench does not model";
        case DropWhy::tee_copy_loops_back:
            return "-j TEE's copy of a packet to " + a +
                   " comes back to this host (routed over lo, or a broadcast's or joined multicast group's looped clone): the kernel takes "
                   "it in after the packet's own path, when TEE may copy it again, which fwbench does not model";
        case DropWhy::tee_copy_too_big:
            return "-j TEE's copy (DF set) is larger than the MTU of " + dev + " (" + std::to_string(d.mtu) +
                   "): the kernel drops it and answers its source (fragmentation needed, packet too big), which fwbench does not model";
        case DropWhy::hmark_unkept_bytes:
            return "an HMARK of the ruleset hashes the two bytes after this packet's IPComp header (its ports' mask reads them), which "
                   "fwbench does not keep";
        case DropWhy::header_match_hotdrop:
            return "a header match of the ruleset (-m rt, frag, hbh, dst, ah, esp, mh, tcpmss, ecn's TCP flags, sctp's --chunk-types or dccp's type "
                   "and options, hashlimit's port modes) cannot "
                   "read this packet's header (cut short or malformed: the kernel drops such a packet at that rule when its walk reaches it, a "
                   "hotdrop; or a later fragment, whose payload the kernel reads as a TCP header or as ports; the two bytes after an IPComp "
                   "header, which hashlimit reads as a destination port; or more than 16 distinct SCTP chunks, more "
                   "than fwbench keeps), which fwbench does not model";
    }
    return "?";
}

std::string describe_event(const PathEvent& e, const DropDetail& drop, const Host& host) {
    const std::string dev(e.dev.view());
    const char* chain = hook_chain_name(e.hook);
    switch (e.kind) {
        case PathEventKind::walk: return "";
        case PathEventKind::arrived: return "arrived on " + dev + " from the wire";
        case PathEventKind::conntrack_inactive: return "conntrack: not active (no rule needs it), the packet has no connection";
        case PathEventKind::conntrack_untracked:
            return e.flag ? std::string("conntrack: untracked (-j TEE's copy)") : std::string("conntrack: untracked (NOTRACK in raw ") + chain + ")";
        case PathEventKind::conntrack_stack_untracked:
            return "conntrack: UNTRACKED (ICMPv6 type " + std::to_string(e.icmp_type) + ": neighbour discovery and MLD are never tracked)";
        case PathEventKind::conntrack_entry:
            return std::string("conntrack: ") + (e.flag ? "new connection " : "connection ") + format_tuple(e.tuple) + ", packet is " +
                   ct_state_word(e.ct_state) + (e.ct_dir == CtDir::reply ? " (reply direction)" : "");
        case PathEventKind::conntrack_invalid: return "conntrack: INVALID (" + ct_invalid_text(e.invalid, e.tcp_from, e.icmp_type) + ")";
        case PathEventKind::conntrack_carried_over: return "conntrack: entry carried over from OUTPUT (looped back over lo)";
        case PathEventKind::conntrack_confirmed: return "conntrack: connection confirmed";
        case PathEventKind::conntrack_clash:
            return "conntrack: not confirmed, dropped: another connection already expects replies as " + format_tuple(e.tuple) +
                   " (the kernel counts it as insert_failed)";
        case PathEventKind::nat_not_traversed:
            return std::string("nat ") + chain + ": not traversed (" + (e.flag ? "not the first packet of its connection" : "no new connection") +
                   ")";
        case PathEventKind::nat_already_mapped:
            return std::string("nat ") + chain + ": not traversed (the connection's " +
                   (e.hook == Hook::postrouting || e.hook == Hook::input ? "source" : "destination") + " mapping is already set up)";
        case PathEventKind::nat_binding: return std::string(e.flag ? "SNAT" : "DNAT") + " binding: replies expected as " + format_tuple(e.tuple);
        case PathEventKind::nat_port_changed: {
            std::string s =
                std::string(e.flag ? "source" : "destination") + " port " + std::to_string(e.port) + " mapped to " + std::to_string(e.port2);
            switch (e.port_choice) {
                case NatPortChoice::first_free: return s + " (taken or outside --to-ports: the range's first free port)";
                case NatPortChoice::random_offset:
                    return s + " (taken or outside --to-ports: the kernel picks a free port from a random offset; which one may differ)";
                case NatPortChoice::randomized: return s + " (--random: the kernel draws the port; which one may differ)";
            }
            return s;
        }
        case PathEventKind::nat_port_search_failed: {
            std::string s = std::string("no free ") + (e.flag ? "source" : "destination") + " port in " + std::to_string(e.tries) + " tries of " +
                            std::to_string(e.port) + "-" + std::to_string(e.port2) + ": ";
            if (e.free_ports == 0) return s + "every port of the range is taken, so the kernel's search fails too";
            return s + std::to_string(e.free_ports) +
                   " are free, but the kernel tries at most 240 from random offsets and may have found one where fwbench did not";
        }
        case PathEventKind::nat_rewrite:
            return std::string("NAT ") + chain + ": " + (e.flag ? "source " : "destination ") + format_ip(e.addr) + ":" + std::to_string(e.port) +
                   " -> " + format_ip(e.addr2) + ":" + std::to_string(e.port2);
        case PathEventKind::masquerade_no_address: return "MASQUERADE: no address on " + dev + ", packet dropped";
        case PathEventKind::routing_dropped:
            return std::string("routing (") + (e.flag ? "output" : "input") + "): dropped, " +
                   drop_detail_text(e.detail.why != DropWhy::none ? e.detail : drop);
        case PathEventKind::copy_not_followed: return "not followed further (not modelled): " + drop_detail_text(e.detail);
        case PathEventKind::routing_local:
            return "routing (input): " + format_ip(e.addr) + " is " + route_type_name(e.route.type) + " " + route_table(host, e.route) +
                   ": local delivery, in " + dev;
        case PathEventKind::routing_forward:
            return "routing (input): forward " + format_ip(e.addr) + " via " + dev + gateway_of(e.route) + " " + route_table(host, e.route);
        case PathEventKind::routing_output: {
            const std::string how = e.route.type == RouteType::local ? " is local (table " + host.table_name(e.route.table) + ", route dev " +
                                                                           e.route.route->dev + "): sent over lo, whatever device holds the address"
                                                                     : " via " + dev + gateway_of(e.route) + " " + route_table(host, e.route);
            return std::string(e.flag ? "rerouting (output): " : "routing (output): ") + format_ip(e.addr) + how;
        }
        case PathEventKind::routing_output_by_source:
            return std::string(e.flag ? "rerouting" : "routing") + " (output): " + format_ip(e.addr) + " leaves through " + dev +
                   ", the device of source " + format_ip(e.addr2);
        case PathEventKind::route_kept: return "routing (input): route kept from output: local delivery, in lo";
        case PathEventKind::forwarding_ttl: return "forwarding: dropped, " + drop_detail_text(drop);
        case PathEventKind::forwarded_out: return "forwarded out of " + dev;
        case PathEventKind::sent_out: return "sent out of " + dev;
        case PathEventKind::looped_back: return "looped back: arrives on lo";
        case PathEventKind::broadcast_copy: return "broadcast: a copy loops back to the host on " + dev;
        case PathEventKind::broadcast_original: return "broadcast: the original goes on to POSTROUTING";
        case PathEventKind::multicast_copy:
            return e.flag ? "multicast: " + dev + " has joined " + format_ip(e.addr) +
                                ", so a copy loops back to the host (ip6_finish_output2; the sending socket's IPV6_MULTICAST_LOOP is "
                                "taken as on, its default): POSTROUTING again, then in on " +
                                dev
                          : "multicast: no copy loops back (" +
                                std::string(e.port ? "neighbour discovery and MLD leave from the kernel's own sockets, which never loop back"
                                                   : dev + " has not joined " + format_ip(e.addr)) +
                                ")";
        case PathEventKind::answer_sent: {
            if (static_cast<AnswerFrom>(e.port2) == AnswerFrom::ndisc)
                return "the host sends " + format_ip(e.addr) +
                       " a redirect (ICMPv6 type 137) from its link-local address, before forwarding the packet: neighbour discovery's own "
                       "message, attached to no connection (INVALID to conntrack); sized with the target's link-layer address option, "
                       "as the kernel sends it when its neighbour entry for the target is resolved (8 bytes fewer when it is not):";
            if (static_cast<AnswerFrom>(e.port2) == AnswerFrom::tee)
                return "TEE: a copy of the packet goes to gateway " + format_ip(e.addr) + (dev.empty() ? "" : " via " + dev) +
                       " at once, as the host's own packet without a socket (untracked; DF set; the TTL one lower when copied in PREROUTING or "
                       "INPUT); the walk goes on after it:";
            if (static_cast<AnswerFrom>(e.port2) == AnswerFrom::synproxy)
                return "SYNPROXY answers " + format_ip(e.addr) +
                       "'s SYN with a SYN-ACK as the host's own packet (window 0, the TCP options the client offered and the rule allows), "
                       "whose sequence number is a SYN cookie and timestamp the host's clock, neither predicted here; the SYN goes no "
                       "further:";
            const bool by_stack = static_cast<AnswerFrom>(e.port2) == AnswerFrom::stack;
            const std::string what = e.flag ? icmp_error_name(e.tuple.proto == proto::icmpv6, e.icmp_type) + " (type " + std::to_string(e.icmp_type) +
                                                  " code " + std::to_string(e.port) + ")"
                                     : e.tuple.proto == proto::icmp  ? std::string("an ICMP echo reply")
                                     : (e.icmp_type & tcp_flag::syn) ? std::string("a SYN-ACK from the listening socket")
                                                                     : std::string("a TCP reset");
            if (by_stack)
                return "the host's stack answers: " + what + " to " + format_ip(e.addr) +
                       ", a new local packet (conntrack looks up its connection in OUTPUT):";
            return "the host answers: " + what + " to " + format_ip(e.addr) +
                   ", RELATED to this packet's connection, leaving as the host's own packet:";
        }
        case PathEventKind::answer_withheld: return std::string("no answer is sent: ") + answer_withheld_name(static_cast<AnswerWithheld>(e.port));
        case PathEventKind::answer_done: return static_cast<AnswerFrom>(e.port2) == AnswerFrom::tee ? "(end of the copy)" : "(end of the answer)";
        case PathEventKind::stack_connection:
            return "delivered on a connection one of the host's sockets holds: what that socket sends back depends on its state (not modelled)";
        case PathEventKind::tproxy: {
            const std::string at = std::string(e.icmp_type == proto::tcp ? "tcp " : "udp ") + endpoint(e.addr, e.port);
            switch (e.tproxy) {
                case TproxyFound::listed_socket:
                    return "TPROXY: a socket of the host's listing takes " + at + " (taken to be transparent): mark 0x" + hex_word(e.tries) +
                           ", accepted with that socket";
                case TproxyFound::no_socket: return "TPROXY: no socket of the host's listing takes " + at + ": dropped";
                case TproxyFound::unlisted:
                    return "TPROXY: the host description lists no sockets, taken to have no transparent one at " + at + ": dropped";
                case TproxyFound::short_header: return "TPROXY: the transport header is too short for its ports: dropped";
            }
            return "?";
        }
        case PathEventKind::reassembly:
            return std::string("reassembly (") + (e.flag ? "local delivery" : "conntrack's defrag") + "): a fragment of a datagram to " +
                   format_ip(e.addr) + " " + frag_outcome_name(e.frag);
    }
    return "?";
}

std::string PacketPath::why_not(const Rule& r, const Packet& p, Hook hook) const {
    auto neg = [](bool n) { return n ? "! " : ""; };
    const IpHeaderSpec& ip = r.ip;
    auto iface = [&](const char* opt, const Neg<IfacePattern>& pat, const IfaceName& have, const char* what) {
        std::string name = pat.value.name + (pat.value.wildcard ? "+" : "");
        std::string h = have.empty() ? std::string("none (this hook has no ") + what + " interface)" : std::string(have.view());
        return std::string(neg(pat.negated)) + opt + " " + name + ": the packet's " + what + " interface is " + h;
    };
    switch (ip_header_mismatch(ip, p)) {
        case IpMismatch::src:
            return std::string(neg(ip.src->negated)) + "-s " + format_prefix(ip.src->value) + ": source " + format_ip(p.src) +
                   (ip.src->negated ? " is in " : " is not in ") + format_prefix(ip.src->value);
        case IpMismatch::dst:
            return std::string(neg(ip.dst->negated)) + "-d " + format_prefix(ip.dst->value) + ": destination " + format_ip(p.dst) +
                   (ip.dst->negated ? " is in " : " is not in ") + format_prefix(ip.dst->value);
        case IpMismatch::in: return iface("-i", *ip.in, p.in, "input");
        case IpMismatch::out: return iface("-o", *ip.out, p.out, "output");
        case IpMismatch::proto:
            return std::string(neg(ip.proto->negated)) + "-p " + format_protocol(ip.proto->value) + ": the packet is " + format_protocol(p.proto);
        case IpMismatch::fragment:
            return std::string(*ip.fragment ? "-f" : "! -f") + ": the packet is " +
                   (p.fragment ? "a non-first fragment" : "not a non-first fragment");
        case IpMismatch::none: break;
    }
    for (const auto& m : r.matches) {
        std::string text = "-m " + m.module;
        for (const auto& o : m.options) {
            text += o.negated ? " ! --" : " --";
            text += o.name;
            for (const auto& a : o.args) text += " " + a;
        }
        if (is_stateful(m.spec)) return text + ": a stateful match (its state decided)";
        // What the walk read is the labels as the rules before this one left them.
        if (std::holds_alternative<ConnlabelMatch>(m.spec)) return text + ": the connection's labels, as the walk had set them, decided";
        // The bytes the walk searched are not at hand here (the walk's DatagramView had them).
        if (reads_packet_bytes(m.spec)) return text + ": the packet's bytes, as the walk read them, decided (not read again here)";
        // A scratch state: evaluating a stateless match does not touch it.
        static const EngineOptions opts;
        EngineState scratch(rs_, opts);
        MatchContext ctx{hook, host_, ipsets_, scratch};
        if (!evaluate_match(m, p, ctx)) {
            std::string detail;
            if (std::holds_alternative<StateMatch>(m.spec) || std::holds_alternative<ConntrackMatch>(m.spec)) {
                detail = std::string(" (the packet is ") + ct_state_name(p.ct.state) + ")";
            } else if (std::holds_alternative<L4PortsMatch>(m.spec)) {
                detail = " (ports " + std::to_string(p.sport) + " > " + std::to_string(p.dport) + ")";
            }
            return text + ": does not match" + detail;
        }
    }
    return "matched";
}

}  // namespace fwbench
