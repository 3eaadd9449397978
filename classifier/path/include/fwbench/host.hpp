#pragma once
// The host a ruleset runs on: interfaces and addresses, routing tables, policy routing rules
// and the sysctls that change the packet path — enough to route a packet as the kernel's
// fib_lookup does and to answer addrtype and rpfilter.
//
// What: built from the JSON of `ip -j addr show` alone (routes then derived as the kernel's
// fib_add_ifaddr derives them: local table `local ADDR`, `broadcast PREFIX|~MASK` below /31,
// the connected route in main, `local 127.0.0.0/8` on lo), or from an object
// {"addr": ..., "route": ..., "rule": ..., "sysctl": {...}, "sockets": ...} holding `ip -j addr
// show`, `ip -j route show table all`, `ip -j rule show`, sysctl values and the lines of
// `ss -Htuln` (host_sockets.hpp).
//
// How: each routing table is a binary trie over address bits (one per family); a lookup walks
// at most 32/128 nodes and keeps the deepest prefix with a usable route — no linear scan.
// Policy rules are kept sorted by priority and evaluated as fib_rules_lookup does.
//
// Invariants: tables and rules are immutable after construction; lookups never allocate.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "fwbench/addr.hpp"
#include "fwbench/host_sockets.hpp"
#include "fwbench/host_view.hpp"

namespace fwbench {

enum class RouteType : std::uint8_t { unicast, local, broadcast, anycast, multicast, blackhole, unreachable, prohibit, throw_, nat };
const char* route_type_name(RouteType t);

constexpr std::uint32_t rt_table_local = 255, rt_table_main = 254, rt_table_default = 253;

namespace rt_scope {
constexpr std::uint8_t universe = 0, site = 200, link = 253, host = 254, nowhere = 255;
}

struct InterfaceAddress {
    IpAddr addr;
    int prefixlen = 32;
    std::optional<IpAddr> broadcast;
    std::optional<IpAddr> peer;  // `inet A peer B/len`: the prefix route is B's, not A's
    bool secondary = false, noprefixroute = false;
    // IPv6 (ip -j addr's flags): still in duplicate address detection, or failed it (no local
    // route: not the host's yet, or never); deprecated (a preferred lifetime run out: still local).
    bool tentative = false, dadfailed = false, deprecated = false;
    // RT_SCOPE_*: what the address may be a source for. From `ip -j addr`'s "scope"; when not
    // given, iproute2's default: host for 127.0.0.0/8, global otherwise.
    std::uint8_t scope = rt_scope::universe;
};

struct Interface {
    int index = 0;
    std::string name;
    bool up = true, loopback = false;
    std::optional<MacAddr> mac;
    std::vector<InterfaceAddress> addrs;
    unsigned mtu = 0;  // ip -j addr's "mtu"; 0 when the description does not say
};

struct Route {
    RouteType type = RouteType::unicast;
    IpPrefix dst;
    int prefixlen = 0;
    std::optional<IpAddr> gateway;
    std::string dev;  // empty for blackhole/unreachable/prohibit
    std::uint32_t table = rt_table_main;
    std::optional<IpAddr> prefsrc;
    std::uint32_t metric = 0;
    std::uint8_t tos = 0;
    // The route's mtu metric ("metrics":[{"mtu":N}]; 0: none): forwarding takes it over the
    // device's (ip_dst_mtu_maybe_forward).
    std::uint32_t mtu = 0;
    // The route's realms (`realm TO`, `realms FROM/TO`; ip -j's "flow"), as the kernel's
    // nh_tclassid keeps them: FROM in the upper 16 bits, TO in the lower. IPv4 only.
    std::uint32_t tclassid = 0;
};

struct RoutingRule {
    std::uint32_t priority = 0;
    bool invert = false;  // "not"
    std::optional<IpPrefix> from, to;
    std::optional<std::string> iif, oif;
    std::optional<std::uint32_t> fwmark;
    std::uint32_t fwmask = 0xffffffff;
    std::optional<std::uint8_t> tos;
    enum class Action : std::uint8_t { lookup, blackhole, unreachable, prohibit, goto_, nop } action = Action::lookup;
    std::uint32_t table = rt_table_main;
    std::uint32_t goto_priority = 0;
    int suppress_prefixlength = -1;
    Family family = Family::ipv4;
};

// The part of a flow routing looks at (struct flowi4).
struct RouteQuery {
    IpAddr dst, src;  // src may be unspecified (family set, bytes zero) for output
    std::string_view iif;  // "lo" for locally generated traffic (LOOPBACK_IFINDEX)
    std::string_view oif;  // output: a bound device, else empty
    std::uint32_t mark = 0;
    std::uint8_t tos = 0;
};

struct RouteResult {
    bool found = false;  // false: no route (ENETUNREACH)
    RouteType type = RouteType::unreachable;
    const Route* route = nullptr;  // nullptr for rule actions (blackhole/unreachable/prohibit)
    std::uint32_t table = 0;
    std::uint32_t rule_priority = 0;
};

struct Sysctls {
    bool ip_forward = false;
    int rp_filter_all = 0, rp_filter_default = 0;
    bool accept_local_all = false, route_localnet_all = false;
    // nf_conntrack's TCP tracking (ConntrackOptions): mid-stream pickup, liberal windows, resets
    // before the acknowledged sequence, retransmissions before the shorter timeout.
    bool tcp_loose = true, tcp_be_liberal = false, tcp_ignore_invalid_rst = false;
    int tcp_max_retrans = 3;
    // The ICMP errors the host sends itself (REJECT, forwarding): per destination a token bucket
    // of icmp_ratelimit ms for the types in icmp_ratemask (icmpv4_xrlim_allow), and their TTL.
    int icmp_ratelimit_ms = 1000;
    std::uint32_t icmp_ratemask = 0x1818;
    std::uint8_t ip_default_ttl = 64;
    // Echo requests the host's stack leaves unanswered: all of them, or those sent to a broadcast
    // or multicast address (icmp_echo_ignore_all 0, icmp_echo_ignore_broadcasts 1 by default).
    bool icmp_echo_ignore_all = false, icmp_echo_ignore_broadcasts = true;
    // A listener's receive buffers (tcp_rmem min/default/max, net.core.rmem_max): a SYN-ACK's window
    // and window scale. Linux 6.18's defaults on a machine of a few GiB or more.
    std::uint32_t tcp_rmem[3] = {4096, 131072, 33554432};
    std::uint32_t rmem_max = 4194304;
    // IPv6: ip6_forward reads all.forwarding only; a device's own value decides whether it is a
    // router there (all-routers group, subnet-router anycast). force_forwarding (Linux 6.17)
    // forwards what arrives on that device whatever all says.
    bool ip6_forward = false;
    std::map<std::string, int, std::less<>> ip6_forwarding, ip6_force_forwarding;  // net.ipv6.conf.DEV.*
    bool ip6_forwarding_for(std::string_view dev) const;
    bool ip6_forwards_from(std::string_view in) const;  // ip6_forward's first check
    // net.ipv6.conf.DEV.disable_ipv6 (all's value when the device's is not given): ipv6_rcv drops.
    bool ip6_disable_all = false;
    std::map<std::string, int, std::less<>> ip6_disable;
    bool ip6_disabled_on(std::string_view dev) const;
    // The errors the host sends itself: net.ipv6.icmp.ratelimit (ms, per destination, scaled by
    // the route's prefix length) for the types in ratemask (0-1,3-127: all errors but packet too
    // big); hop limit of what the host sends (conf.default.hop_limit).
    int icmp6_ratelimit_ms = 1000;
    std::uint8_t ip6_hop_limit = 64;
    // net.ipv6.icmp.error_anycast_as_unicast: errors to an anycast source are sent (default 0: not).
    bool icmp6_error_anycast_as_unicast = false;
    // ICMP redirects for packets forwarded back out of their arrival device (IN_DEV_TX_REDIRECTS,
    // IN_DEV_SHARED_MEDIA: all OR the device's; a device's starts as default's). Kernel default 1.
    bool send_redirects_all = true, send_redirects_default = true, shared_media_all = true, shared_media_default = true;
    // How long a reassembly queue waits for its fragments, from its first (seconds): IPv4's
    // net.ipv4.ipfrag_time, IPv6 conntrack's net.netfilter.nf_conntrack_frag6_timeout.
    int ipfrag_time_s = 30, frag6_timeout_s = 60;
    std::map<std::string, int, std::less<>> rp_filter, accept_local, route_localnet, forwarding;  // per device
    std::map<std::string, int, std::less<>> send_redirects, shared_media;  // per device

    int rp_filter_for(std::string_view dev) const;  // max(all, dev), as IN_DEV_RPFILTER
    bool accept_local_for(std::string_view dev) const;
    bool route_localnet_for(std::string_view dev) const;
    bool forwarding_for(std::string_view dev) const;
    bool send_redirects_for(std::string_view dev) const;
    bool shared_media_for(std::string_view dev) const;
};

class RouteTable {
public:
    RouteTable();
    ~RouteTable();
    RouteTable(RouteTable&&) noexcept;
    RouteTable& operator=(RouteTable&&) noexcept;

    void add(Route r);
    // Longest-prefix match; among routes of that prefix, the first whose TOS fits, lowest
    // metric first. Returns nullptr when nothing covers dst.
    const Route* lookup(const IpAddr& dst, std::uint8_t tos = 0) const;
    // fib6_table_lookup: the longest prefix with a usable route; within it the lowest metric,
    // preferring a route through `dev` (rt6_score_route). `strict` (RT6_LOOKUP_F_IFACE) takes only
    // routes through `dev`, backing off to shorter prefixes. nullptr when nothing fits.
    const Route* lookup6(const IpAddr& dst, std::string_view dev, bool strict) const;
    // IPv4's lookup with an output device (fib_lookup_good_nhc with flowi4_oif): as lookup(), but
    // a route through another device is passed over (error routes have none and still answer).
    const Route* lookup_via(const IpAddr& dst, std::uint8_t tos, std::string_view dev) const;
    const std::vector<Route>& routes() const { return all_; }

private:
    struct Node;
    std::unique_ptr<Node> root4_, root6_;
    std::vector<Route> all_;  // for listing (ip route show)
    // A host's IPv4 tables are short: scanning them in (prefix length, metric) order is the
    // trie's answer without its pointer chase (up to 32 dependent reads). Used up to
    // flat_limit routes; longer tables use the trie.
    static constexpr std::size_t flat_limit = 64;
    struct FlatRoute {
        std::uint32_t net = 0, mask = 0;
        std::uint8_t tos = 0;
        std::uint32_t route = 0;  // index into all_
    };
    std::vector<FlatRoute> flat4_;
    std::size_t routes4_ = 0;
};

// What the host description did not say and fwbench took instead: each is named in the output,
// and the kinds let a summary say which input would change an outcome it explains.
struct HostAssumption {
    enum class Kind : std::uint8_t {
        routes_derived,  // no route dump: connected and local routes only, no default route
        local_table_derived,  // a route dump without the local table (ip -j route without table all)
        sysctls_default,  // no sysctl section: every sysctl at its kernel default
        ip_forward_default,  // a sysctl section without ip_forward: 0, the kernel default
    };
    Kind kind;
    std::string text;
};

class Host : public HostView {
public:
    // Parses either form; throws ParseError naming the JSON path of a bad value.
    static Host from_json(std::string_view text, const std::string& source);

    const std::vector<Interface>& interfaces() const { return interfaces_; }
    const Interface* interface(std::string_view name) const;
    const std::vector<RoutingRule>& rules() const { return rules_; }
    const RouteTable* table(std::uint32_t id) const;
    std::string table_name(std::uint32_t id) const;
    const Sysctls& sysctl() const { return sysctl_; }
    bool is_local_address(const IpAddr& a) const;  // configured on some interface
    // Policy rules other than the three every namespace starts with (local 0, main 32766,
    // default 32767): the kernel's fib_has_custom_rules, which makes fib_validate_source do the
    // full reverse lookup even with rp_filter off.
    bool has_custom_rules() const { return custom_rules_; }
    // fib_num_tclassid_users: an IPv4 route has realms, so every source is validated by a full
    // reverse lookup, which also gives the source's realm (fib_validate_source).
    bool has_realms() const { return realms_; }
    const std::vector<HostAssumption>& assumptions() const { return assumptions_; }
    bool assumed(HostAssumption::Kind k) const;
    // The listening sockets ("sockets", `ss -Htuln`); nullptr when the description does not list
    // them, so the host's own stack answers cannot be known.
    const std::vector<HostSocket>* sockets() const { return sockets_ ? &*sockets_ : nullptr; }

    // fib_lookup: policy rules in priority order, then the tables they name.
    RouteResult lookup(const RouteQuery& q) const;
    // The same restricted to the output device q.oif (an IPv4 flow with flowi4_oif): the rules'
    // oif selectors see it, and the tables take only routes through it.
    RouteResult lookup_via_oif(const RouteQuery& q) const;

    // inet_select_addr (net/ipv4/devinet.c): the IPv4 source `dev` gives toward `dst` (0.0.0.0:
    // any) for addresses of at most `scope` — MASQUERADE's choice, with dst the next hop. The
    // first primary address of the device whose subnet holds dst, else its first primary one;
    // a device with none (lo's 127.0.0.1 is scope host) gives the first primary address of that
    // scope, not scope link, of the devices in order, lo first. nullopt when there is none.
    std::optional<IpAddr> select_address(std::string_view dev, const IpAddr& dst, std::uint8_t scope) const;
    // inet_addr_onlink for one address: in the subnet of one of dev's IPv4 addresses.
    bool on_link(std::string_view dev, const IpAddr& a) const;

    // IPv6 (host_ipv6.cpp). fib6_rule_lookup: the policy rules of `ip -6 rule` ("rule6"; the
    // kernel's two, local 0 and main 32766, when not given), each table by lookup6 with `dev` the
    // arrival device (input) or bound device (output). `strict`: the destination is link-local,
    // multicast or loopback (rt6_need_strict), so only routes through `dev` count.
    RouteResult lookup6(const RouteQuery& q, std::string_view dev, bool strict) const;
    const std::vector<RoutingRule>& rules6() const { return rules6_; }
    // ipv6_dev_get_saddr: the source for `dst` by RFC 6724's rules as the kernel applies them
    // (same address, scope, not deprecated, outgoing interface, label, longest matching prefix),
    // ties to the address listed first. Candidates: `dst_dev`'s addresses only for a multicast or
    // link-local destination, else every device's with `dst_dev` preferred. Tentative addresses
    // are never chosen. nullopt: no address fits (EADDRNOTAVAIL).
    std::optional<IpAddr> select_source6(std::string_view dst_dev, const IpAddr& dst) const;
    // ipv6_chk_mcast_addr: `dev` has joined `group` — all-nodes, the solicited-node group of each
    // of its addresses (and subnet-router anycasts), all-routers where it forwards.
    bool joined_group6(std::string_view dev, const IpAddr& group) const;
    // ipv6_chk_addr(addr, dev, strict): one of the host's IPv6 addresses, not tentative; when
    // `dev` is given, a link-local or loopback one (strict: any one) must be on that device.
    bool is_local_address6(const IpAddr& a, std::string_view dev = {}, bool strict = false) const;
    // ipv6_chk_acast_addr_src: `a` is an anycast address of `dev` (of any device when `dev` is
    // empty or the loopback): a subnet-router anycast address a forwarding device joined for
    // each prefix of its shorter than /127 (addrconf_join_anycast).
    bool is_anycast_address6(const IpAddr& a, std::string_view dev) const;
    // The device's first link-local address that is not tentative (ipv6_get_lladdr).
    std::optional<IpAddr> link_local6(std::string_view dev) const;

    // HostView
    std::uint16_t address_type(const IpAddr& a, std::string_view dev) const override;
    std::uint16_t route_types6(const IpAddr& a, std::string_view dev) const override;
    bool reverse_path_ok(const Packet& p, bool loose, bool validmark, bool accept_local) const override;

private:
    // ip6t_rpfilter's rpfilter_lookup_reverse6 (the loopback already passed).
    bool reverse_path_ok6(const Packet& p, bool loose, bool validmark, bool accept_local) const;
    // from_json's reading of a parsed document; `at` follows the JSON path being read, so that a
    // member of the wrong JSON type can be reported where it is.
    friend struct HostReader;  // host.cpp: the JSON reader, a section at a time
    static Host from_document(const nlohmann::json& doc, const std::string& source, std::string& at);
    enum class DerivedTables : std::uint8_t { all, local_only };
    void derive_routes(Family family, DerivedTables which);
    void derive_ipv6_routes(const Interface& itf, const InterfaceAddress& a, bool main_too);
    std::vector<Interface> interfaces_;
    std::map<std::uint32_t, RouteTable> tables_;
    std::map<std::uint32_t, std::string> table_names_;
    std::vector<RoutingRule> rules_;
    std::vector<RoutingRule> rules6_;
    bool custom_rules_ = false;  // has_custom_rules(), decided when the rules are read
    bool realms_ = false;  // has_realms(), decided when the routes are read
    Sysctls sysctl_;
    std::vector<HostAssumption> assumptions_;
    std::optional<std::vector<HostSocket>> sockets_;
};

}  // namespace fwbench
