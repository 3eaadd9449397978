#pragma once
// What the packet path tells explain: typed events, never text. The path records an event only
// when tracing (a PathEvent holds no heap memory, so even a traced packet allocates only the
// trace's storage); explain turns events into sentences (describe_event) and a drop's typed
// detail into words (drop_detail_text). Rule walks are events too, pointing at
// PathResult::walks.

#include <cstdint>
#include <string>

#include "fwbench/conntrack.hpp"
#include "fwbench/host.hpp"
#include "fwbench/packet.hpp"
#include "fwbench/reassembly.hpp"

namespace fwbench {

enum class DropReason : std::uint8_t {
    none,
    netfilter,  // a rule or a policy (see the decision)
    martian_source,  // multicast/broadcast/zeronet/loopback/own address as source
    martian_destination,  // loopback or zeronet destination from the wire
    no_route,
    forwarding_disabled,  // ip_forward / conf.DEV.forwarding off
    route_blackhole,
    route_unreachable,
    route_prohibit,
    rp_filter,  // reverse path check failed
    ttl_exceeded,
    output_martian,  // local packet with a 127/8 source leaving a non-loopback device
    unknown_interface,  // arrived on an interface the host does not have
    interface_down,  // arrived on an interface that is not up: a stopped device receives nothing
    nat_redirect,  // nf_nat drops an ICMP redirect about a connection it has NATed, or may yet
    nat_icmp_checksum,  // nf_nat_icmpv6_reply_translation: a RELATED ICMPv6 error whose checksum does not verify (NPT broke it)
    forward_socket_assigned,  // ip_forward / ip6_forward: TPROXY gave the packet a socket, and routing did not deliver it locally
    fragmentation_needed,  // forwarding: DF set and larger than the way out's MTU
    not_modelled,  // a path fwbench does not model (IPv4 multicast routing, a family without its ruleset)
    // IPv6
    ipv6_disabled,  // disable_ipv6 on the arrival device
    not_for_this_host,  // a frame for another host's link-layer address (PACKET_OTHERHOST)
    multicast_not_joined,  // ip6_mc_input: the arrival device has not joined the group
    hop_limit_exceeded,
    packet_too_big,  // forwarding: larger than the way out's MTU (IPv6 routers never fragment)
    address_error,  // ip6_forward: a source that must not be forwarded (unspecified, multicast, loopback, link-local)
    reassembly,  // fragment reassembly refused the fragment (DropDetail::frag says why)
    hop_by_hop_options,  // ip6_parse_tlv discarded the hop-by-hop header (DropDetail::hop says why)
    conntrack_clash,  // confirmation found another connection on the new one's reply tuple (NAT found no free port): insert_failed
};
const char* drop_reason_name(DropReason r);

// Which check dropped a packet outside netfilter, with what it was about. `addr` is the address
// the check looked at (source or destination, per `why`), `dev` the interface.
enum class DropWhy : std::uint8_t {
    none,
    family_without_ruleset,  // addr = the packet's destination (its family)
    unknown_interface,
    interface_down,
    ttl_expires,  // ttl
    larger_than_mtu,  // dev (the way out), mtu
    source_multicast_or_broadcast,  // addr = source
    source_zero,
    destination_zeronet,  // addr = destination
    destination_loopback,  // addr = destination, dev
    source_loopback,  // addr = source, dev
    multicast_destination,
    no_route_forwarding_off,  // addr = destination, dev
    no_route,  // addr = destination
    reverse_path,  // addr = source, dev
    source_is_local,  // addr = source, dev (accept_local=0)
    source_martian,  // addr = source, dev
    forwarding_off,  // dev
    error_route,  // route_type, addr = destination
    route_type_not_unicast,  // route_type, addr = destination
    source_cannot_leave,  // addr = source, dev
    // IPv6 (ip6_rcv_core, ip6_route_input, ip6_forward)
    ipv6_disabled,  // dev
    other_host,  // dev
    loopback_from_wire,  // addr (::1 as source or destination), dev
    multicast_scope,  // addr = destination (scope 0, or interface-local from the wire), dev
    group_not_joined,  // addr = destination, dev
    hop_limit_expires,  // ttl (the hop limit)
    source_not_forwardable,  // addr = source (unspecified, multicast or loopback)
    source_link_local,  // addr = source, dev (out): a link-local source cannot leave its link
    pkttype_not_host,  // dev: forwarding takes only frames sent to this host's link-layer address
    no_source_address,  // addr = destination, dev: no address of the host can be its source
    fragment_refused,  // frag (the FragOutcome), addr = destination
    header_match_hotdrop,  // a header match of the ruleset cannot read this packet (header_match_hotdrops)
    hop_options,  // hop (the HopOptionsVerdict), dev
    mtu_unknown,  // dev: TCPMSS --clamp-mss-to-pmtu needs its MTU, which the host description does not give
    hmark_unkept_bytes,  // an HMARK of the ruleset would hash the two bytes after an IPComp header
    ecn_on_fragment,  // an ECN of the ruleset sets TCP flags: on a later fragment it rewrites the payload
    npt_unmappable,  // an SNPT/DNPT of the ruleset cannot adjust this address: the kernel answers with a parameter problem
    cluster_pkttype,  // addr = destination: a cluster match of the ruleset would make this multicast frame one for the host
    tee_copy_loops_back,  // addr = destination: -j TEE's copy comes back to this host (over lo, or a broadcast's or multicast's clone)
    tee_copy_too_big,  // dev, mtu: -j TEE's copy (DF set) is larger than the way out's MTU
    bytes_unknown,  // a -m string, -m u32 or -m bpf reached from this hook reads the packet's bytes, which fwbench does not hold for it
    synproxy_cookie,  // -j SYNPROXY met a client's ACK: it passes only with a valid SYN cookie, which the host's secret decides
    synproxy_fragment,  // -j SYNPROXY met a fragment, whose payload it would read as a TCP header
};
struct DropDetail {
    DropWhy why = DropWhy::none;
    IpAddr addr;
    IfaceName dev;
    RouteType route_type = RouteType::unicast;
    std::uint8_t ttl = 0;
    unsigned mtu = 0;  // larger_than_mtu: dev's MTU
    FragOutcome frag = FragOutcome::held;  // fragment_refused
    HopOptionsVerdict hop = HopOptionsVerdict::pass;  // hop_options
};
std::string drop_detail_text(const DropDetail& d);

enum class PathEventKind : std::uint8_t {
    walk,  // a table walk: `walk` indexes PathResult::walks
    arrived,  // from the wire on `dev`
    conntrack_inactive,
    conntrack_untracked,  // NOTRACK in raw `hook`
    conntrack_stack_untracked,  // ICMPv6 neighbour discovery or MLD (`icmp_type`): conntrack leaves it untracked
    conntrack_entry,  // `tuple` (the original), `ct_state`, `ct_dir`, `flag`: a new connection
    conntrack_invalid,  // `invalid`, `tcp_from`, `icmp_type`
    conntrack_carried_over,
    conntrack_confirmed,
    conntrack_clash,  // not confirmed: another connection expects replies as `tuple`
    nat_not_traversed,  // `hook`; `flag`: the connection is established (else: no new connection)
    nat_already_mapped,  // `hook`
    nat_binding,  // `flag`: SNAT (else DNAT); `tuple`: the reply tuple expected
    nat_port_changed,  // `port` -> `port2` (flag: a source port), `port_choice` says how
    nat_port_search_failed,  // no free port in `tries` tries of `port`-`port2` (flag: a source port); `free_ports` left in it
    nat_rewrite,  // `hook`; `flag`: source (else destination); `addr`:`port` -> `addr2`:`port2`
    masquerade_no_address,  // `dev`
    routing_dropped,  // `flag`: output routing (else input); `detail` says why
    copy_not_followed,  // -j TEE's copy refused as not modelled: `detail` says why
    routing_local,  // input: `addr` (destination), `route`, `dev` (in)
    routing_forward,  // input: `addr` (destination), `route`, `dev` (out)
    routing_output,  // `flag`: rerouting; `addr` (destination), `route`, `dev` (out)
    routing_output_by_source,  // `flag`: rerouting; `addr` (destination), `addr2` (source), `dev`
    route_kept,  // looped back: the output route kept, local delivery on lo
    forwarding_ttl,  // dropped: PathResult::detail
    forwarded_out,  // `dev`
    sent_out,  // `dev`
    looped_back,
    broadcast_copy,  // `dev`
    broadcast_original,
    multicast_copy,  // IPv6: flag = a copy loops back on dev for group addr; else port = 1 when the kernel's own socket sent it
    // The host answers: `flag` an ICMP error (`icmp_type`, code `port`), else (`tuple.proto`) a TCP
    // reset or SYN-ACK (flags in `icmp_type`) or an echo reply; to `addr`; `port2` the AnswerFrom.
    answer_sent,
    answer_withheld,  // `port`: the AnswerWithheld
    answer_done,  // back to the rejected packet
    stack_connection,  // delivered on a connection one of the host's sockets holds: its answer is not modelled
    reassembly,  // `frag` (the FragOutcome); `flag`: by local delivery (else by conntrack's defrag); `addr`: the datagram's destination
    // -j TPROXY's look for a socket: `tproxy` says what it found, at `addr`:`port` for protocol
    // `icmp_type` (tcp or udp); a socket taken sets the mark to `tries`.
    tproxy,
};

enum class TproxyFound : std::uint8_t {
    listed_socket,  // a socket of the host's listing, taken to be transparent: accepted
    no_socket,  // none of the listing's sockets takes it: dropped
    unlisted,  // the host lists no sockets: taken to have no transparent one, dropped
    short_header,  // the transport header is too short for its ports: dropped
};

// How NAT chose a port it had to change (nf_nat_l4proto_unique_tuple's offset).
enum class NatPortChoice : std::uint8_t {
    first_free,  // a destination port: the range's first free one, as the kernel
    random_offset,  // a source port: the kernel starts from a random offset; fwbench's is another free port
    randomized,  // --random / --random-fully: the kernel draws the port even when the packet's is free
};

struct PathEvent {
    PathEventKind kind = PathEventKind::walk;
    Hook hook = Hook::prerouting;
    bool flag = false;
    int walk = -1;
    IfaceName dev;
    IpAddr addr, addr2;
    std::uint16_t port = 0, port2 = 0;
    RouteResult route;
    ConnTuple tuple;
    CtState ct_state = CtState::invalid;
    CtDir ct_dir = CtDir::original;
    CtInvalid invalid = CtInvalid::none;
    TcpCtState tcp_from = TcpCtState::none;
    std::uint8_t icmp_type = 0;
    std::uint32_t tries = 0, free_ports = 0;  // nat_port_search_failed
    NatPortChoice port_choice = NatPortChoice::first_free;
    FragOutcome frag = FragOutcome::held;
    TproxyFound tproxy = TproxyFound::no_socket;
    DropDetail detail;  // routing_dropped, copy_not_followed: why
};

// One event as a sentence ("routing (input): forward 203.0.113.9 via wan1 (table main)").
// Walk events have no sentence of their own (explain prints the walk): empty.
std::string describe_event(const PathEvent& e, const DropDetail& drop, const Host& host);

}  // namespace fwbench
