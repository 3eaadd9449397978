#pragma once
// The IPv6 packet-path fixture table, in the notation of path_cases.hpp, shared by the model test
// (packet_path_test.cpp) and the kernel oracle test (kernel_ipv6_oracle_test.cpp), which replays
// every case into a real IPv6 router. The expected fates and counters are worked out by hand
// from the kernel's code (net/ipv6/ip6_input.c, route.c, ip6_output.c, icmp.c, addrconf.c).

#include <string>
#include <vector>

#include "path_cases.hpp"

namespace fwbench::test {

// A router: wan1 2001:db8:1::1/64 and fe80::1 (default route via 2001:db8:1::fe), lan0
// 2001:db8:2::1/64 and fe80::2:1 (MTU 1400), lo with ::1. Error routes for 2001:db8:5::/64
// (unreachable), 2001:db8:6::/64 (prohibit), 2001:db8:7::/64 (blackhole); 2001:db8:8::/64 with an
// MTU of 1300. The local table is derived from the addresses (as the kernel's addrconf makes it).
inline const char* router6_addr = R"([
  {"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP"],"addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8},
   {"family":"inet6","local":"::1","prefixlen":128,"scope":"host"}]},
  {"ifindex":2,"ifname":"wan1","flags":["BROADCAST","UP"],"address":"02:00:00:00:01:01","mtu":1500,
   "addr_info":[{"family":"inet6","local":"2001:db8:1::1","prefixlen":64,"scope":"global"},
                {"family":"inet6","local":"fe80::1","prefixlen":64,"scope":"link"}]},
  {"ifindex":3,"ifname":"lan0","flags":["BROADCAST","UP"],"address":"02:00:00:00:02:01","mtu":1400,
   "addr_info":[{"family":"inet6","local":"2001:db8:2::1","prefixlen":64,"scope":"global"},
                {"family":"inet6","local":"fe80::2:1","prefixlen":64,"scope":"link"}]}])";

inline const char* router6_routes = R"([
  {"dst":"::/0","gateway":"2001:db8:1::fe","dev":"wan1","metric":1024},
  {"dst":"2001:db8:1::/64","dev":"wan1","metric":256},
  {"dst":"2001:db8:2::/64","dev":"lan0","metric":256},
  {"dst":"fe80::/64","dev":"wan1","metric":256},
  {"dst":"fe80::/64","dev":"lan0","metric":256},
  {"type":"unreachable","dst":"2001:db8:5::/64","metric":1024},
  {"type":"prohibit","dst":"2001:db8:6::/64","metric":1024},
  {"type":"blackhole","dst":"2001:db8:7::/64","metric":1024},
  {"dst":"2001:db8:8::/64","gateway":"2001:db8:1::fe","dev":"wan1","metric":1024,"metrics":[{"mtu":1300}]}])";

// The routes of router6_routes and the policy routing a transparent proxy sets up: what has mark
// 0x1 is looked up in table alt, which delivers everything locally.
inline const std::string router6_routes_tproxy = [] {
    std::string routes = router6_routes;
    return routes.insert(routes.rfind(']'), R"(,{"type":"local","dst":"::/0","dev":"lo","table":"alt","metric":1024})");
}();
inline const char* router6_rules_tproxy = R"([
  {"priority":0,"src":"all","table":"local"},
  {"priority":100,"src":"all","fwmark":"0x1","table":"alt"},
  {"priority":32766,"src":"all","table":"main"}])";

// The router with the case's sysctls; a case that gives its own routes (router6_routes_tproxy)
// has the rules that go with them.
inline std::string path_case6_host_json(const PathCase& c) {
    std::string j =
        std::string("{\"addr\":") + router6_addr + ",\"route\":" + (c.routes ? c.routes : router6_routes) + ",\"sysctl\":{" + c.sysctl + "}";
    if (c.routes) j += std::string(",\"rule6\":") + router6_rules_tproxy;
    if (c.sockets) j += std::string(",\"sockets\":") + c.sockets;
    return j + "}";
}

inline const char* seed6_rules =
    "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
    "-A INPUT -s ::1/128 -i lo -j ACCEPT\n-A INPUT -i wan1 -p tcp -m tcp --dport 22 -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n";

// OUTPUT counts the ICMPv6 errors the host sends, by type, and where from.
inline const char* errors6_rules =
    "*filter\n"
    "-A OUTPUT -p ipv6-icmp -m icmp6 --icmpv6-type no-route\n"
    "-A OUTPUT -p ipv6-icmp -m icmp6 --icmpv6-type communication-prohibited\n"
    "-A OUTPUT -p ipv6-icmp -m icmp6 --icmpv6-type beyond-scope\n"
    "-A OUTPUT -p ipv6-icmp -m icmp6 --icmpv6-type port-unreachable\n"
    "-A OUTPUT -p ipv6-icmp -m icmp6 --icmpv6-type packet-too-big\n"
    "-A OUTPUT -p ipv6-icmp -m icmp6 --icmpv6-type ttl-zero-during-transit\n"
    "-A OUTPUT -s 2001:db8:1::1/128\n-A OUTPUT -s 2001:db8:2::1/128\n-A OUTPUT -s fe80::2:1/128\nCOMMIT\n"
    "*mangle\n-A POSTROUTING -o wan1\n-A POSTROUTING -o lan0\nCOMMIT\n";

inline const char* forwarding6_on = "\"net.ipv6.conf.all.forwarding\":1";

// The AH, ESP and mobility-header rules and packets, replayed under each backend (two fixtures).
#define AH_ESP_MH_RULES                                                                                                          \
    "*mangle\n-A PREROUTING -m ah\n-A PREROUTING -m ah --ahspi 500:600\n-A PREROUTING -m ah ! --ahspi 500:600 --ahlen 16\n"      \
    "-A PREROUTING -m ah --ahlen 24 --ahres\n-A PREROUTING -p esp -m esp --espspi 7\n-A PREROUTING -p esp -m esp ! --espspi 7\n" \
    "-A PREROUTING -p mh -m mh --mh-type binding-update\n-A PREROUTING -p mobility-header -m mh ! --mh-type 3:5\n"               \
    "-A PREROUTING -p ah\nCOMMIT\n"
#define AH_ESP_MH_PACKETS                                                                                                               \
    "wire udp [2001:db8:9::7]:5000 > [2001:db8:2::50]:53 in=wan1 ahspi=550",                                                            \
        "wire udp [2001:db8:9::7]:5000 > [2001:db8:2::50]:53 in=wan1 ahspi=9 ahlen=24",                                                 \
        "wire udp [2001:db8:9::7]:5000 > [2001:db8:2::50]:53 in=wan1 ahspi=9 ahres=1",                                                  \
        "wire esp [2001:db8:9::7] > [2001:db8:2::50] in=wan1 espspi=7", "wire esp [2001:db8:9::7] > [2001:db8:2::50] in=wan1 espspi=8", \
        "wire mh [2001:db8:9::7] > [2001:db8:2::50] in=wan1 mhtype=5", "wire mh [2001:db8:9::7] > [2001:db8:2::50] in=wan1 mhtype=1",   \
        "wire esp [2001:db8:9::7] > [2001:db8:2::50] in=wan1 ext=ah ahspi=1 espspi=7"

// A fixture table, one case per line: left as laid out.
// clang-format off
inline const std::vector<PathCase> path_cases6 = {
    // --- the seed, in IPv6 ---
    {"ipv6: the seed: the router's own connection to its WAN address arrives on lo from that address", forwarding6_on, seed6_rules,
     {"local tcp [2001:db8:1::1]:40000 > [2001:db8:1::1]:22 flags=S", "wire tcp [2001:db8:9::7]:40000 > [2001:db8:1::1]:22 in=wan1 flags=S"},
     "dropped:netfilter@filter:INPUT:3 delivered@filter:INPUT:2", "filter:INPUT:2=1 filter:INPUT:3=1 filter:OUTPUT:P=1"},
    {"ipv6: ::1 to itself passes the lo rule", forwarding6_on, seed6_rules,
     {"local tcp [::1]:40000 > [::1]:22 flags=S"}, "delivered@filter:INPUT:1", "filter:INPUT:1=1 filter:OUTPUT:P=1"},
    {"ipv6: a socket without a source to the LAN address: the source is that address, over lo", forwarding6_on,
     "*filter\n-A INPUT -i lo -s 2001:db8:2::1/128 -d 2001:db8:2::1/128\nCOMMIT\n",
     {"local udp [::]:5000 > [2001:db8:2::1]:53"}, "delivered", "filter:INPUT:1=1"},

    // --- source selection for the host's own packets ---
    {"ipv6: source selection: a remote destination takes the outgoing device's global address", forwarding6_on,
     "*mangle\n-A POSTROUTING -s 2001:db8:1::1/128 -o wan1\n-A POSTROUTING -s 2001:db8:2::1/128\n-A POSTROUTING -s fe80::/10\nCOMMIT\n",
     {"local udp [::]:5000 > [2001:db8:9::7]:53", "local udp [::]:5000 > [2001:db8:2::77]:53"},
     "sent sent", "mangle:POSTROUTING:1=1 mangle:POSTROUTING:2=1"},

    // --- forwarding ---
    {"ipv6: forwarded LAN to WAN, hop limit decremented before FORWARD", forwarding6_on,
     "*filter\n-A FORWARD -i lan0 -o wan1 -m hl --hl-eq 63\nCOMMIT\n*mangle\n-A PREROUTING -m hl --hl-eq 64\n-A POSTROUTING -m hl --hl-eq 63\nCOMMIT\n",
     {"wire tcp [2001:db8:2::50]:40000 > [2001:db8:9::7]:443 in=lan0 flags=S ttl=64"},
     "forwarded", "filter:FORWARD:1=1 mangle:PREROUTING:1=1 mangle:POSTROUTING:1=1"},
    {"ipv6: forwarding off: dropped after PREROUTING, silently", "\"net.ipv6.conf.all.forwarding\":0", errors6_rules,
     {"wire udp [2001:db8:2::50]:5000 > [2001:db8:9::7]:53 in=lan0"}, "dropped:forwarding_disabled", ""},
    {"ipv6: hop limit 1: time exceeded from the arrival device's address", forwarding6_on, errors6_rules,
     {"wire udp [2001:db8:2::50]:5000 > [2001:db8:9::7]:53 in=lan0 ttl=1"}, "dropped:hop_limit_exceeded",
     "filter:OUTPUT:6=1 filter:OUTPUT:8=1 mangle:POSTROUTING:2=1"},
    // Sources tie on every rule but the outgoing device's (5): ipv6_dev_get_saddr on the arrival device.
    {"ipv6: time exceeded for a packet that came in on lan0 from afar: lan0's address, not the first listed", forwarding6_on, errors6_rules,
     {"wire udp [2001:db8:9::7]:5000 > [2001:db8:2::50]:53 in=lan0 ttl=1"}, "dropped:hop_limit_exceeded",
     "filter:OUTPUT:6=1 filter:OUTPUT:8=1 mangle:POSTROUTING:1=1"},
    {"ipv6: larger than the way out's MTU: packet too big, never fragmented", forwarding6_on, errors6_rules,
     {"wire udp [2001:db8:9::7]:5000 > [2001:db8:2::50]:53 in=wan1 len=1450"}, "dropped:packet_too_big",
     "filter:OUTPUT:5=1 filter:OUTPUT:7=1 mangle:POSTROUTING:1=1"},
    // ip6_forward checks the device's MTU; the route's is met in ip6_fragment, after POSTROUTING.
    {"ipv6: a route's mtu metric below the device's: too big after POSTROUTING", forwarding6_on, errors6_rules,
     {"wire udp [2001:db8:2::50]:5000 > [2001:db8:8::9]:53 in=lan0 len=1350", "wire udp [2001:db8:2::50]:5000 > [2001:db8:8::9]:53 in=lan0 len=1300"},
     "dropped:packet_too_big forwarded", "filter:OUTPUT:5=1 filter:OUTPUT:8=1 mangle:POSTROUTING:1=2 mangle:POSTROUTING:2=1"},
    {"ipv6: a link-local source is not forwarded: destination beyond scope", forwarding6_on, errors6_rules,
     {"wire udp [fe80::99]:5000 > [2001:db8:9::7]:53 in=lan0"}, "dropped:address_error",
     "filter:OUTPUT:3=1 filter:OUTPUT:9=1 mangle:POSTROUTING:2=1"},

    // --- routing's refusals ---
    {"ipv6: an unreachable route: no route to destination", forwarding6_on, errors6_rules,
     {"wire udp [2001:db8:2::50]:5000 > [2001:db8:5::9]:53 in=lan0"}, "dropped:route_unreachable",
     "filter:OUTPUT:1=1 filter:OUTPUT:8=1 mangle:POSTROUTING:2=1"},
    {"ipv6: an unreachable route answers even when the host does not forward", "\"net.ipv6.conf.all.forwarding\":0", errors6_rules,
     {"wire udp [2001:db8:2::50]:5000 > [2001:db8:5::9]:53 in=lan0"}, "dropped:route_unreachable",
     "filter:OUTPUT:1=1 filter:OUTPUT:8=1 mangle:POSTROUTING:2=1"},
    {"ipv6: a prohibit route: communication administratively prohibited", forwarding6_on, errors6_rules,
     {"wire udp [2001:db8:2::50]:5000 > [2001:db8:6::9]:53 in=lan0"}, "dropped:route_prohibit",
     "filter:OUTPUT:2=1 filter:OUTPUT:8=1 mangle:POSTROUTING:2=1"},
    {"ipv6: a blackhole route says nothing", forwarding6_on, errors6_rules,
     {"wire udp [2001:db8:2::50]:5000 > [2001:db8:7::9]:53 in=lan0"}, "dropped:route_blackhole", ""},

    // --- ipv6_rcv's drops, before PREROUTING ---
    {"ipv6: ::1 from the wire, as source or destination, never reaches PREROUTING", forwarding6_on,
     "*raw\n-A PREROUTING\nCOMMIT\n",
     {"wire udp [::1]:5000 > [2001:db8:1::1]:53 in=wan1", "wire udp [2001:db8:9::7]:5000 > [::1]:53 in=wan1",
      "wire udp [2001:db8:9::7]:5000 > [2001:db8:1::1]:53 in=wan1"},
     "dropped:martian_source dropped:martian_destination delivered", "raw:PREROUTING:1=1"},
    {"ipv6: a multicast source, and interface-local multicast from the wire", forwarding6_on,
     "*raw\n-A PREROUTING\nCOMMIT\n",
     {"wire udp [ff02::5]:5000 > [2001:db8:1::1]:53 in=wan1", "wire udp [fe80::99]:5000 > [ff01::1]:53 in=wan1"},
     "dropped:martian_source dropped:martian_destination", ""},

    // --- multicast: only the groups a device joined reach INPUT ---
    {"ipv6: all-nodes and all-routers are joined, another group is not", forwarding6_on,
     "*mangle\n-A PREROUTING -d ff00::/8\nCOMMIT\n*filter\n-A INPUT -d ff00::/8\nCOMMIT\n",
     {"wire udp [fe80::99]:5000 > [ff02::1]:5353 in=lan0", "wire udp [fe80::99]:5000 > [ff02::2]:5353 in=lan0",
      "wire udp [fe80::99]:5000 > [ff02::1234]:5353 in=lan0"},
     "delivered delivered dropped:multicast_not_joined", "mangle:PREROUTING:1=3 filter:INPUT:1=2"},
    {"ipv6: all-routers is joined only by a router", "\"net.ipv6.conf.all.forwarding\":0",
     "*filter\n-A INPUT -d ff00::/8\nCOMMIT\n",
     {"wire udp [fe80::99]:5000 > [ff02::2]:5353 in=lan0", "wire udp [fe80::99]:5000 > [ff02::1]:5353 in=lan0"},
     "dropped:multicast_not_joined delivered", "filter:INPUT:1=1"},
    {"ipv6: neighbour solicitation to a solicited-node group is UNTRACKED", forwarding6_on,
     "*filter\n-A INPUT -m state --state UNTRACKED\n-A INPUT -m state --state NEW\nCOMMIT\n",
     {"wire icmpv6 [fe80::99] > [ff02::1:ff00:1] in=wan1 type=135 ttl=255", "wire icmpv6 [2001:db8:9::7] > [2001:db8:1::1] in=wan1 type=128 id=7"},
     "delivered delivered", "filter:INPUT:1=1 filter:INPUT:2=1"},

    // --- link-local destinations stay on their link ---
    {"ipv6: a link-local destination is the host's on its own device", forwarding6_on,
     "*filter\n-A INPUT -i lan0 -d fe80::2:1/128\nCOMMIT\n",
     {"wire udp [fe80::99]:5000 > [fe80::2:1]:53 in=lan0"}, "delivered", "filter:INPUT:1=1"},

    // --- REJECT ---
    {"ipv6: REJECT's default: port unreachable from the address the packet was sent to", forwarding6_on,
     "*filter\n-A INPUT -p udp -m udp --dport 53 -j REJECT\n-A OUTPUT -p ipv6-icmp -m icmp6 --icmpv6-type port-unreachable -s 2001:db8:1::1/128\nCOMMIT\n",
     {"wire udp [2001:db8:9::7]:5000 > [2001:db8:1::1]:53 in=wan1"}, "rejected:netfilter@filter:INPUT:1", "filter:INPUT:1=1 filter:OUTPUT:1=1"},
    {"ipv6: REJECT with tcp-reset in FORWARD: the reset comes from the rejected packet's destination", forwarding6_on,
     "*filter\n-A FORWARD -p tcp -m tcp --dport 25 -j REJECT --reject-with tcp-reset\n-A OUTPUT -p tcp -m tcp --tcp-flags RST RST -s 2001:db8:9::7/128\nCOMMIT\n",
     {"wire tcp [2001:db8:2::50]:40000 > [2001:db8:9::7]:25 in=lan0 flags=S"}, "rejected:netfilter@filter:FORWARD:1",
     "filter:FORWARD:1=1 filter:OUTPUT:1=1"},

    // --- conntrack and NAT ---
    {"ipv6: a forwarded connection: NEW then ESTABLISHED", forwarding6_on,
     "*filter\n-A FORWARD -m conntrack --ctstate NEW\n-A FORWARD -m conntrack --ctstate ESTABLISHED\nCOMMIT\n",
     {"wire tcp [2001:db8:2::50]:40000 > [2001:db8:9::7]:443 in=lan0 flags=S seq=1000",
      "wire tcp [2001:db8:9::7]:443 > [2001:db8:2::50]:40000 in=wan1 flags=SA seq=5000 ack=1001"},
     "forwarded forwarded", "filter:FORWARD:1=1 filter:FORWARD:2=1"},
    {"ipv6: MASQUERADE takes wan1's global address; the reply is translated back", forwarding6_on,
     "*nat\n-A POSTROUTING -o wan1 -j MASQUERADE\nCOMMIT\n*filter\n-A FORWARD -d 2001:db8:2::50/128 -m conntrack --ctstate ESTABLISHED\nCOMMIT\n",
     {"wire udp [2001:db8:2::50]:5000 > [2001:db8:9::7]:53 in=lan0", "wire udp [2001:db8:9::7]:53 > [2001:db8:1::1]:5000 in=wan1"},
     "forwarded forwarded", "nat:POSTROUTING:1=1 filter:FORWARD:1=1"},
    // --- more NAT ---
    {"ipv6: DNAT a WAN port to a LAN host, FORWARD sees the new destination", forwarding6_on,
     "*nat\n-A PREROUTING -i wan1 -p tcp -m tcp --dport 8080 -j DNAT --to-destination [2001:db8:2::50]:80\nCOMMIT\n"
     "*filter\n-A FORWARD -d 2001:db8:2::50/128 -p tcp -m tcp --dport 80 -m conntrack --ctstate DNAT\nCOMMIT\n",
     {"wire tcp [2001:db8:9::7]:40000 > [2001:db8:1::1]:8080 in=wan1 flags=S"}, "forwarded", "nat:PREROUTING:1=1 filter:FORWARD:1=1"},
    {"ipv6: REDIRECT delivers to the arrival device's first address", forwarding6_on,
     "*nat\n-A PREROUTING -i lan0 -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 3128\nCOMMIT\n"
     "*filter\n-A INPUT -d 2001:db8:2::1/128 -p tcp -m tcp --dport 3128\nCOMMIT\n",
     {"wire tcp [2001:db8:2::50]:40000 > [2001:db8:9::7]:80 in=lan0 flags=S"}, "delivered", "nat:PREROUTING:1=1 filter:INPUT:1=1"},
    {"ipv6: SNAT to another address of the WAN prefix; the reply is translated back before routing", forwarding6_on,
     "*nat\n-A POSTROUTING -o wan1 -j SNAT --to-source 2001:db8:1::100\nCOMMIT\n"
     "*filter\n-A FORWARD -i wan1 -d 2001:db8:2::50/128 -m conntrack --ctstate ESTABLISHED\nCOMMIT\n",
     {"wire udp [2001:db8:2::50]:5000 > [2001:db8:9::7]:53 in=lan0", "wire udp [2001:db8:9::7]:53 > [2001:db8:1::100]:5000 in=wan1"},
     "forwarded forwarded", "nat:POSTROUTING:1=1 filter:FORWARD:1=1"},

    // --- ICMPv6 through conntrack ---
    {"ipv6: an echo request and its reply: NEW then ESTABLISHED", forwarding6_on,
     "*filter\n-A FORWARD -p ipv6-icmp -m conntrack --ctstate NEW\n-A FORWARD -p ipv6-icmp -m conntrack --ctstate ESTABLISHED\nCOMMIT\n",
     {"wire icmpv6 [2001:db8:2::50] > [2001:db8:9::7] in=lan0 type=128 id=9", "wire icmpv6 [2001:db8:9::7] > [2001:db8:2::50] in=wan1 type=129 id=9"},
     "forwarded forwarded", "filter:FORWARD:1=1 filter:FORWARD:2=1"},
    {"ipv6: an error about a tracked flow is RELATED, about an unknown one INVALID", forwarding6_on,
     "*filter\n-A FORWARD -m conntrack --ctstate RELATED\n-A FORWARD -m conntrack --ctstate INVALID\nCOMMIT\n",
     {"wire udp [2001:db8:2::50]:5000 > [2001:db8:9::7]:53 in=lan0",
      "wire icmpv6 [2001:db8:9::7] > [2001:db8:2::50] in=wan1 type=1/4 quoted=udp:[2001:db8:2::50]:5000>[2001:db8:9::7]:53",
      "wire icmpv6 [2001:db8:9::7] > [2001:db8:2::50] in=wan1 type=1/4 quoted=udp:[2001:db8:2::50]:5001>[2001:db8:9::7]:53"},
     "forwarded forwarded forwarded", "filter:FORWARD:1=1 filter:FORWARD:2=1"},
    {"ipv6: NOTRACK in raw leaves a flow UNTRACKED", forwarding6_on,
     "*raw\n-A PREROUTING -p udp -m udp --dport 53 -j CT --notrack\nCOMMIT\n*filter\n-A FORWARD -m state --state UNTRACKED\nCOMMIT\n",
     {"wire udp [2001:db8:2::50]:5000 > [2001:db8:9::7]:53 in=lan0"}, "forwarded", "raw:PREROUTING:1=1 filter:FORWARD:1=1"},
    {"ipv6: a solicitation for another host's address reaches no joined group", forwarding6_on,
     "*filter\n-A INPUT -p ipv6-icmp\nCOMMIT\n*mangle\n-A PREROUTING -p ipv6-icmp\nCOMMIT\n",
     {"wire icmpv6 [fe80::99] > [ff02::1:ff00:77] in=wan1 type=135 ttl=255"}, "dropped:multicast_not_joined", "mangle:PREROUTING:1=1"},

    // --- the order of the checks ---
    {"ipv6: routing comes before the hop limit: an unreachable route answers a hop limit of 1", forwarding6_on, errors6_rules,
     {"wire udp [2001:db8:2::50]:5000 > [2001:db8:5::9]:53 in=lan0 ttl=1"}, "dropped:route_unreachable",
     "filter:OUTPUT:1=1 filter:OUTPUT:8=1 mangle:POSTROUTING:2=1"},
    {"ipv6: the subnet-router anycast address of a router's prefix is delivered", forwarding6_on,
     "*filter\n-A INPUT -d 2001:db8:2::/128\nCOMMIT\n",
     {"wire udp [2001:db8:2::50]:5000 > [2001:db8:2::]:53 in=lan0"}, "delivered", "filter:INPUT:1=1"},
    {"ipv6: a host that does not forward has no subnet-router anycast address", "\"net.ipv6.conf.all.forwarding\":0",
     "*filter\n-A INPUT -d 2001:db8:2::/128\nCOMMIT\n",
     {"wire udp [2001:db8:2::50]:5000 > [2001:db8:2::]:53 in=lan0"}, "dropped:forwarding_disabled", ""},

    // --- addrtype, as IPv6 means it (match_type6): a form, then an output route lookup ---
    {"ipv6: addrtype: the host's addresses are LOCAL and UNICAST at once; error routes are UNREACHABLE", forwarding6_on,
     "*mangle\n-A PREROUTING -m addrtype --dst-type LOCAL\n-A PREROUTING -m addrtype --dst-type UNICAST\n"
     "-A PREROUTING -m addrtype --dst-type LOCAL,UNICAST\n-A PREROUTING -m addrtype --dst-type MULTICAST\n"
     "-A PREROUTING -m addrtype --dst-type UNREACHABLE\n-A PREROUTING -m addrtype --dst-type ANYCAST\n"
     "-A PREROUTING -m addrtype --dst-type LOCAL --limit-iface-in\n-A PREROUTING -m addrtype ! --dst-type UNICAST\nCOMMIT\n",
     {"wire udp [2001:db8:9::7]:5000 > [2001:db8:1::1]:53 in=wan1", "wire udp [2001:db8:9::7]:5000 > [2001:db8:2::1]:53 in=wan1",
      "wire udp [2001:db8:9::7]:5000 > [2001:db8:2::50]:53 in=wan1", "wire udp [2001:db8:9::7]:5000 > [2001:db8:5::1]:53 in=wan1",
      "wire icmpv6 [2001:db8:9::7] > [ff02::1] in=wan1 type=128 id=7", "wire udp [2001:db8:9::7]:5000 > [2001:db8:1::]:53 in=wan1",
      "wire udp [2001:db8:9::7]:5000 > [fe80::1]:53 in=wan1"},
     "delivered delivered forwarded dropped:route_unreachable delivered delivered delivered",
     "mangle:PREROUTING:1=3 mangle:PREROUTING:2=6 mangle:PREROUTING:3=3 mangle:PREROUTING:4=1 mangle:PREROUTING:5=1 "
     "mangle:PREROUTING:6=1 mangle:PREROUTING:7=2 mangle:PREROUTING:8=1"},
    {"ipv6: addrtype: a prefix's own address reached on link is ANYCAST without an anycast route", "\"net.ipv6.conf.all.forwarding\":0",
     "*mangle\n-A PREROUTING -m addrtype --dst-type ANYCAST\n-A PREROUTING -m addrtype --dst-type ANYCAST --limit-iface-in\nCOMMIT\n",
     {"wire udp [2001:db8:2::50]:5000 > [2001:db8:2::]:53 in=lan0", "wire udp [2001:db8:9::7]:5000 > [2001:db8:2::]:53 in=wan1"},
     "dropped:forwarding_disabled dropped:forwarding_disabled", "mangle:PREROUTING:1=2 mangle:PREROUTING:2=1"},

    // --- rpfilter, as ip6t_rpfilter looks back (rpfilter_lookup_reverse6) ---
    {"ipv6: rpfilter: strict, loose, accept-local and invert on spoofed, local, link-local, anycast and unspecified sources", forwarding6_on,
     "*raw\n-A PREROUTING -m rpfilter\n-A PREROUTING -m rpfilter --loose\n-A PREROUTING -m rpfilter --accept-local\n"
     "-A PREROUTING -m rpfilter --invert\nCOMMIT\n",
     {"wire udp [2001:db8:2::50]:5000 > [2001:db8:9::7]:53 in=lan0", "wire udp [2001:db8:2::50]:5000 > [2001:db8:1::1]:53 in=wan1",
      "wire udp [2001:db8:9::7]:5000 > [2001:db8:2::50]:53 in=wan1", "wire udp [2001:db8:9::7]:5000 > [2001:db8:1::1]:53 in=lan0",
      "wire udp [2001:db8:5::1]:5000 > [2001:db8:1::1]:53 in=wan1", "wire udp [2001:db8:1::1]:5000 > [2001:db8:2::1]:53 in=wan1",
      "wire udp [fe80::7]:5000 > [fe80::1]:53 in=wan1", "wire udp [2001:db8:2::]:5000 > [2001:db8:9::7]:53 in=lan0",
      "wire udp [::]:5000 > [ff02::1]:53 in=lan0"},
     "forwarded delivered forwarded delivered delivered delivered delivered forwarded delivered",
     "raw:PREROUTING:1=4 raw:PREROUTING:2=6 raw:PREROUTING:3=5 raw:PREROUTING:4=5"},

    // --- the extension-header matches (no conntrack: each fragment passes the hooks on its own) ---
    {"ipv6: ipv6header: exactly these headers, or with --soft at least (or none) of them", forwarding6_on,
     "*mangle\n-A PREROUTING -m ipv6header --header hop,prot\n-A PREROUTING -m ipv6header --header frag --soft\n"
     "-A PREROUTING -m ipv6header ! --header frag --soft\n-A PREROUTING -m ipv6header --header prot\n"
     "-A PREROUTING -m ipv6header ! --header prot\n-A PREROUTING -m ipv6header --header esp\n"
     "-A PREROUTING -m ipv6header --header dst,none --soft\nCOMMIT\n",
     {"wire udp [2001:db8:9::7]:5000 > [2001:db8:1::1]:53 in=wan1", "wire udp [2001:db8:9::7]:5000 > [2001:db8:1::1]:53 in=wan1 ext=hop",
      "wire udp [2001:db8:9::7]:5000 > [2001:db8:1::1]:53 in=wan1 ext=hop,dst mf=1 fragid=9", "wire esp [2001:db8:9::7] > [2001:db8:1::1] in=wan1",
      "wire 59 [2001:db8:9::7] > [2001:db8:1::1] in=wan1 ext=dst", "wire udp [2001:db8:9::7]:5000 > [2001:db8:1::1]:53 in=wan1 frag=1 fragid=9"},
     "delivered delivered delivered delivered delivered delivered",
     "mangle:PREROUTING:1=1 mangle:PREROUTING:2=2 mangle:PREROUTING:3=4 mangle:PREROUTING:4=1 mangle:PREROUTING:5=5 "
     "mangle:PREROUTING:6=1 mangle:PREROUTING:7=1"},
    {"ipv6: frag: identification, first, more, last and reserved fields of the fragment header", forwarding6_on,
     "*mangle\n-A PREROUTING -m frag\n-A PREROUTING -m frag --fragid 9\n-A PREROUTING -m frag ! --fragid 5:10\n"
     "-A PREROUTING -m frag --fragfirst\n-A PREROUTING -m frag --fragmore\n-A PREROUTING -m frag --fraglast\n"
     "-A PREROUTING -m frag --fragres\n-A PREROUTING -m frag --fragid 9 --fraglen 99\nCOMMIT\n",
     {"wire udp [2001:db8:9::7]:5000 > [2001:db8:1::1]:53 in=wan1", "wire udp [2001:db8:9::7]:5000 > [2001:db8:1::1]:53 in=wan1 mf=1 fragid=9",
      "wire udp [2001:db8:9::7]:5000 > [2001:db8:1::1]:53 in=wan1 frag=1 fragid=20",
      "wire udp [2001:db8:9::7]:5000 > [2001:db8:1::1]:53 in=wan1 frag=1 mf=1 fragid=9 fragres=1",
      "wire udp [2001:db8:9::7]:5000 > [2001:db8:1::1]:53 in=wan1 fragid=3"},
     "delivered delivered delivered delivered delivered",
     "mangle:PREROUTING:1=4 mangle:PREROUTING:2=2 mangle:PREROUTING:3=2 mangle:PREROUTING:4=2 mangle:PREROUTING:5=2 "
     "mangle:PREROUTING:6=2 mangle:PREROUTING:7=3 mangle:PREROUTING:8=2"},

    {"ipv6: eui64: the source's interface identifier is the frame's MAC, universal/local bit flipped", forwarding6_on,
     "*mangle\n-A PREROUTING -m eui64\nCOMMIT\n*filter\n-A INPUT -m eui64\nCOMMIT\n",
     {"wire udp [2001:db8:9::200:5eff:fe00:107]:5000 > [2001:db8:1::1]:53 in=wan1 mac=00:00:5e:00:01:07",
      "wire udp [2001:db8:9::200:5eff:fe00:107]:5000 > [2001:db8:1::1]:53 in=wan1 mac=00:00:5e:00:01:08",
      "wire udp [fe80::200:5eff:fe00:107]:5000 > [fe80::1]:53 in=wan1 mac=00:00:5e:00:01:07",
      "wire udp [2001:db8:9::5eff:fe00:107]:5000 > [2001:db8:1::1]:53 in=wan1 mac=02:00:5e:00:01:07"},
     "delivered delivered delivered delivered", "mangle:PREROUTING:1=3 filter:INPUT:1=3"},

    // --- fragments: nf_defrag_ipv6 before PREROUTING when conntrack runs; INPUT sees them otherwise ---
    {"ipv6: fragments: with conntrack, nf_defrag_ipv6 reassembles before PREROUTING: one datagram, without its fragment header",
     forwarding6_on,
     "*filter\n-A INPUT -p udp -m udp --dport 53 -m state --state NEW\n-A INPUT -m frag\n-A INPUT -m ipv6header --header frag --soft\nCOMMIT\n",
     {"wire udp [2001:db8:9::7]:5000 > [2001:db8:1::1]:53 in=wan1 mf=1 fragid=5 len=1280 datagram=2000",
      "wire udp [2001:db8:9::7]:5000 > [2001:db8:1::1]:53 in=wan1 fragoff=1232 fragid=5 len=768"},
     "held delivered", "filter:INPUT:1=1"},
    {"ipv6: fragments: without conntrack INPUT sees each fragment (the stack reassembles after it); a later one matches -p udp, not --dport",
     forwarding6_on,
     "*filter\n-A INPUT -p udp -m udp --dport 53\n-A INPUT -m frag --fragmore\n-A INPUT -m frag --fraglast\n-A INPUT -p udp\nCOMMIT\n",
     {"wire udp [2001:db8:9::7]:5000 > [2001:db8:1::1]:53 in=wan1 mf=1 fragid=6 len=1280 datagram=2000",
      "wire udp [2001:db8:9::7]:5000 > [2001:db8:1::1]:53 in=wan1 fragoff=1232 fragid=6 len=768"},
     "delivered delivered", "filter:INPUT:1=1 filter:INPUT:2=1 filter:INPUT:3=1 filter:INPUT:4=2"},
    {"ipv6: fragments: a reassembled datagram larger than lan0's MTU is forwarded when its fragments fit, else packet too big",
     forwarding6_on,
     "*filter\n-A FORWARD -p udp -m state --state NEW\n-A OUTPUT -p ipv6-icmp -m icmp6 --icmpv6-type packet-too-big\nCOMMIT\n"
     "*mangle\n-A POSTROUTING -o lan0\nCOMMIT\n",
     {"wire udp [2001:db8:9::7]:5000 > [2001:db8:2::50]:53 in=wan1 mf=1 fragid=21 len=1280 datagram=2000",
      "wire udp [2001:db8:9::7]:5000 > [2001:db8:2::50]:53 in=wan1 fragoff=1232 fragid=21 len=768",
      "wire udp [2001:db8:9::7]:5001 > [2001:db8:2::50]:53 in=wan1 mf=1 fragid=22 len=1480 datagram=2000",
      "wire udp [2001:db8:9::7]:5001 > [2001:db8:2::50]:53 in=wan1 fragoff=1432 fragid=22 len=568"},
     "held forwarded held dropped:packet_too_big", "filter:FORWARD:1=1 mangle:POSTROUTING:1=1 filter:OUTPUT:1=1"},
    {"ipv6: fragments: a non-last fragment whose length is not a multiple of 8 goes on as it is (its queue is dropped), INVALID to conntrack",
     forwarding6_on, "*filter\n-A INPUT -p udp -m udp --dport 53 -m state --state NEW\n-A INPUT -m frag --fragfirst\nCOMMIT\n",
     {"wire udp [2001:db8:9::7]:5000 > [2001:db8:1::1]:53 in=wan1 mf=1 fragid=30 len=1283 datagram=2000"},
     "delivered", "filter:INPUT:2=1"},

    {"ipv6: hbh and dst: the first options header's length in bytes, and its options from the first in order", forwarding6_on,
     "*mangle\n-A PREROUTING -m hbh\n-A PREROUTING -m hbh --hbh-len 8\n-A PREROUTING -m hbh ! --hbh-len 8\n"
     "-A PREROUTING -m hbh --hbh-opts 5:2\n-A PREROUTING -m hbh --hbh-opts 5,1\n-A PREROUTING -m hbh --hbh-opts 5:2,1:0\n"
     "-A PREROUTING -m hbh --hbh-opts 30:6,0,0\n-A PREROUTING -m dst\n-A PREROUTING -m dst --dst-opts 1:4\n"
     "-A PREROUTING -m dst --dst-len 16 --dst-opts 30:10\n-A PREROUTING -m hbh --hbh-opts 5:4\nCOMMIT\n",
     {"wire udp [2001:db8:9::7]:5000 > [2001:db8:2::50]:53 in=wan1", "wire udp [2001:db8:9::7]:5000 > [2001:db8:2::50]:53 in=wan1 ext=hop", "wire udp [2001:db8:9::7]:5000 > [2001:db8:2::50]:53 in=wan1 hopopts=5:2", "wire udp [2001:db8:9::7]:5000 > [2001:db8:2::50]:53 in=wan1 hopopts=30:6,0,0", "wire udp [2001:db8:9::7]:5000 > [2001:db8:2::50]:53 in=wan1 ext=dst", "wire udp [2001:db8:9::7]:5000 > [2001:db8:2::50]:53 in=wan1 dstopts=30:10"},
     "forwarded forwarded forwarded forwarded forwarded forwarded",
     "mangle:PREROUTING:1=3 mangle:PREROUTING:2=2 mangle:PREROUTING:3=1 mangle:PREROUTING:4=1 mangle:PREROUTING:5=1 "
     "mangle:PREROUTING:6=1 mangle:PREROUTING:7=1 mangle:PREROUTING:8=2 mangle:PREROUTING:9=1 mangle:PREROUTING:10=1"},
    {"ipv6: ah finds the authentication header among the extension headers; esp and mh read the upper layer; under iptables-nft AH is the protocol (-p ah)",
     forwarding6_on,
     AH_ESP_MH_RULES,
     {AH_ESP_MH_PACKETS},
     "forwarded forwarded forwarded forwarded forwarded forwarded forwarded forwarded",
     "mangle:PREROUTING:1=4 mangle:PREROUTING:2=1 mangle:PREROUTING:3=2 mangle:PREROUTING:4=1 mangle:PREROUTING:5=1 "
     "mangle:PREROUTING:6=1 mangle:PREROUTING:7=1 mangle:PREROUTING:8=1 mangle:PREROUTING:9=4"},
    {"ipv6: ah finds the authentication header among the extension headers; under iptables-legacy -p sees the upper layer behind AH",
     forwarding6_on,
     "# Generated by ip6tables-save v1.8.9 (legacy)\n" AH_ESP_MH_RULES,
     {AH_ESP_MH_PACKETS},
     "forwarded forwarded forwarded forwarded forwarded forwarded forwarded forwarded",
     "mangle:PREROUTING:1=4 mangle:PREROUTING:2=1 mangle:PREROUTING:3=2 mangle:PREROUTING:4=1 mangle:PREROUTING:5=2 "
     "mangle:PREROUTING:6=1 mangle:PREROUTING:7=1 mangle:PREROUTING:8=1 "
     "mangle:PREROUTING:P=8 mangle:FORWARD:P=8 mangle:POSTROUTING:P=8"},

    {"ipv6: ip6_rcv_core checks the hop-by-hop options before PREROUTING: padding over 7 bytes, a router alert not of length 2, "
     "an unknown option whose type says discard",
     forwarding6_on, "*raw\n-A PREROUTING\nCOMMIT\n",
     {"wire udp [2001:db8:9::7]:5000 > [2001:db8:2::50]:53 in=wan1 hopopts=30:2", "wire udp [2001:db8:9::7]:5000 > [2001:db8:2::50]:53 in=wan1 hopopts=0,0,0,0,0,0,0,0", "wire udp [2001:db8:9::7]:5000 > [2001:db8:2::50]:53 in=wan1 hopopts=5:3", "wire udp [2001:db8:9::7]:5000 > [2001:db8:2::50]:53 in=wan1 hopopts=70:2", "wire udp [2001:db8:9::7]:5000 > [2001:db8:2::50]:53 in=wan1 hopopts=5:2,1:0"},
     "forwarded dropped:hop_by_hop_options dropped:hop_by_hop_options dropped:hop_by_hop_options forwarded", "raw:PREROUTING:1=2"},
    {"ipv6: an unknown hop-by-hop option whose type says answer: a parameter problem (unrecognized option) pointing at it (its "
     "offset 42, or 44 past a PadN), to a multicast destination too for type 10xxxxxx, not for 11xxxxxx",
     forwarding6_on,
     "*raw\n-A PREROUTING\nCOMMIT\n*filter\n-A OUTPUT -p ipv6-icmp -m icmp6 --icmpv6-type 4/2 -d 2001:db8:9::7\n"
     "-A OUTPUT -p ipv6-icmp -m icmp6 --icmpv6-type 4/2 -m length --length 108\n-A OUTPUT -p ipv6-icmp -m u32 --u32 \"44=44\"\nCOMMIT\n",
     {"wire udp [2001:db8:9::7]:5000 > [2001:db8:2::50]:53 in=wan1 hopopts=134:2 len=60 payload=abcd",
      "wire udp [2001:db8:9::7]:5001 > [2001:db8:1::1]:53 in=wan1 hopopts=1:0,198:2 payload=abcd",
      "wire udp [2001:db8:9::7]:5002 > [ff02::1]:53 in=wan1 hopopts=198:2", "wire udp [2001:db8:9::7]:5003 > [ff02::1]:53 in=wan1 hopopts=134:2 payload=abcdefgh",
      "wire udp [2001:db8:9::7]:5004 > [2001:db8:2::50]:53 in=wan1 hopopts=30:2,70:2,134:2"},
     "dropped:hop_by_hop_options dropped:hop_by_hop_options dropped:hop_by_hop_options dropped:hop_by_hop_options dropped:hop_by_hop_options",
     "filter:OUTPUT:1=3 filter:OUTPUT:2=2 filter:OUTPUT:3=1"},

    // --- redirects: ip6_forward, ndisc_send_redirect ---
    {"ipv6: forwarded back out of its arrival device to an on-link destination: the source gets a redirect first (from the "
     "device's link-local address, hop limit 255, INVALID to conntrack), then the packet goes on; a next hop that is not "
     "link-local draws none",
     forwarding6_on,
     "*filter\n-A FORWARD -i wan1 -o wan1\n"
     "-A OUTPUT -s fe80::1/128 -d 2001:db8:1::7/128 -p ipv6-icmp -m icmp6 --icmpv6-type 137 -m hl --hl-eq 255 -m state --state INVALID\n"
     "COMMIT\n*mangle\n-A POSTROUTING -o wan1\nCOMMIT\n",
     {"wire udp [2001:db8:1::7]:5000 > [2001:db8:1::9]:53 in=wan1", "wire udp [2001:db8:1::7]:5000 > [2001:db8:8::5]:53 in=wan1",
      "wire udp [2001:db8:1::7]:5001 > [2001:db8:1::9]:53 in=wan1 len=1400"},
     "forwarded forwarded forwarded", "filter:FORWARD:1=3 filter:OUTPUT:1=2 mangle:POSTROUTING:1=5"},

    // --- the host's own multicast: ip6_finish_output2 ---
    {"ipv6: the host's own multicast leaves by the device it names; a copy loops back (POSTROUTING again, then in on that "
     "device) when the device has joined the group; none for a group not joined",
     forwarding6_on,
     "*filter\n-A OUTPUT -d ff02::/16\n-A INPUT -d ff02::/16 -i wan1 -m pkttype --pkt-type multicast\nCOMMIT\n"
     "*mangle\n-A POSTROUTING -o wan1 -d ff02::/16\n-A PREROUTING -i wan1 -d ff02::/16\nCOMMIT\n",
     {"local udp [fe80::1]:5000 > [ff02::1]:5000 out=wan1 ttl=1", "local udp [fe80::1]:5000 > [ff02::fb]:5353 out=wan1 ttl=1",
      "local icmpv6 [2001:db8:1::1] > [ff02::1:ff00:9] out=wan1 type=135/0 ttl=255"},
     "sent sent sent", "filter:OUTPUT:1=3 mangle:POSTROUTING:1=4 mangle:PREROUTING:1=1 filter:INPUT:1=1"},

    // --- NETMAP: a prefix mapped onto another, host bits kept ---
    {"ipv6: NETMAP maps a destination prefix in PREROUTING and a source prefix in POSTROUTING", forwarding6_on,
     "*nat\n-A PREROUTING -d 2001:db8:1:0:1::/80 -i wan1 -j NETMAP --to 2001:db8:2::/80\n"
     "-A POSTROUTING -s 2001:db8:2::/64 -o wan1 -j NETMAP --to 2001:db8:1:0:2::/80\nCOMMIT\n"
     "*filter\n-A FORWARD -d 2001:db8:2::50/128\n-A FORWARD -s 2001:db8:2::77/128\n-A FORWARD -d 2001:db8:2::77/128\nCOMMIT\n",
     // The reply to the mapped source comes back to it: conntrack maps it back to 2001:db8:2::77.
     {"wire udp [2001:db8:9::7]:5000 > [2001:db8:1:0:1::50]:53 in=wan1", "wire udp [2001:db8:2::77]:5000 > [2001:db8:9::7]:53 in=lan0",
      "wire udp [2001:db8:9::7]:53 > [2001:db8:1:0:2::77]:5000 in=wan1"},
     "forwarded forwarded forwarded", "nat:PREROUTING:1=1 nat:POSTROUTING:1=1 filter:FORWARD:1=1 filter:FORWARD:2=1 filter:FORWARD:3=1"},

    // --- REJECT's other answers ---
    {"ipv6: REJECT adm-prohibited in FORWARD: the error's source is the arrival device's", forwarding6_on,
     "*filter\n-A FORWARD -j REJECT --reject-with icmp6-adm-prohibited\n"
     "-A OUTPUT -p ipv6-icmp -m icmp6 --icmpv6-type communication-prohibited -s 2001:db8:2::1/128 -o lan0\nCOMMIT\n",
     {"wire udp [2001:db8:2::50]:5000 > [2001:db8:9::7]:53 in=lan0"}, "rejected:netfilter@filter:FORWARD:1", "filter:FORWARD:1=1 filter:OUTPUT:1=1"},
    {"ipv6: REJECT policy-fail and reject-route answer with codes 5 and 6, a reset too", forwarding6_on,
     "*filter\n-A FORWARD -p tcp -j REJECT --reject-with icmp6-policy-fail\n-A FORWARD -j REJECT --reject-with reject-route\n"
     "-A OUTPUT -p ipv6-icmp -m icmp6 --icmpv6-type 1/5\n-A OUTPUT -p ipv6-icmp -m icmp6 --icmpv6-type 1/6\nCOMMIT\n",
     {"wire tcp [2001:db8:2::50]:40000 > [2001:db8:9::7]:80 in=lan0 flags=R", "wire udp [2001:db8:2::50]:5000 > [2001:db8:9::7]:53 in=lan0"},
     "rejected:netfilter@filter:FORWARD:1 rejected:netfilter@filter:FORWARD:2",
     "filter:FORWARD:1=1 filter:FORWARD:2=1 filter:OUTPUT:1=1 filter:OUTPUT:2=1"},
    {"ipv6: no error to an anycast source: the subnet-router address of lan0's prefix", forwarding6_on,
     "*filter\n-A FORWARD -j REJECT\n-A OUTPUT -p ipv6-icmp\nCOMMIT\n",
     {"wire udp [2001:db8:2::]:5000 > [2001:db8:9::7]:53 in=lan0"}, "rejected:netfilter@filter:FORWARD:1", "filter:FORWARD:1=1"},
    {"ipv6: error_anycast_as_unicast answers an anycast source", "\"net.ipv6.conf.all.forwarding\":1,\"net.ipv6.icmp.error_anycast_as_unicast\":1",
     "*filter\n-A FORWARD -j REJECT\n-A OUTPUT -p ipv6-icmp -d 2001:db8:2::/128\nCOMMIT\n",
     {"wire udp [2001:db8:2::]:5000 > [2001:db8:9::7]:53 in=lan0"}, "rejected:netfilter@filter:FORWARD:1", "filter:FORWARD:1=1 filter:OUTPUT:1=1"},
    {"ipv6: an error about a packet to an anycast address comes from that address", forwarding6_on,
     "*filter\n-A INPUT -j REJECT\n-A OUTPUT -p ipv6-icmp -s 2001:db8:1::/128\nCOMMIT\n",
     {"wire icmpv6 [fe80::7] > [2001:db8:1::] in=wan1 type=128 id=9"}, "rejected:netfilter@filter:INPUT:1", "filter:INPUT:1=1 filter:OUTPUT:1=1"},
    {"ipv6: REJECT in OUTPUT: the host's own packet is answered over lo", forwarding6_on,
     "*filter\n-A OUTPUT -p udp -m udp --dport 53 -j REJECT\n-A INPUT -i lo -p ipv6-icmp -m icmp6 --icmpv6-type port-unreachable -s 2001:db8:1::1/128\nCOMMIT\n",
     {"local udp [::]:5000 > [2001:db8:9::7]:53"}, "rejected:netfilter@filter:OUTPUT:1", "filter:OUTPUT:1=1 filter:INPUT:1=1"},
    {"ipv6: REJECT tcp-reset in INPUT: the reset leaves from the rejected packet's destination", forwarding6_on,
     "*filter\n-A INPUT -p tcp -m tcp --dport 23 -j REJECT --reject-with tcp-reset\n-A OUTPUT -p tcp -m tcp --tcp-flags RST RST -s 2001:db8:1::1/128 -o wan1\nCOMMIT\n",
     {"wire tcp [2001:db8:9::7]:40000 > [2001:db8:1::1]:23 in=wan1 flags=S"}, "rejected:netfilter@filter:INPUT:1", "filter:INPUT:1=1 filter:OUTPUT:1=1"},

    // --- prefix translation (ip6t_NPT); the translated addresses worked out by hand: the prefix
    // 2001:db8:a::/64 sums 8 more than 2001:db8:2::/64, so DNPT adds 8 to word 4 and SNPT takes
    // it away (0xffff, the other zero, written as 0) ---
    {"ipv6: DNPT translates the destination's prefix before routing, SNPT the source's after it, each leaving the address's "
     "checksum as it was",
     forwarding6_on,
     "*mangle\n-A PREROUTING -d 2001:db8:a::/64 -j DNPT --src-pfx 2001:db8:a::/64 --dst-pfx 2001:db8:2::/64\n"
     "-A PREROUTING -d 2001:db8:2:0:8::50/128\n-A POSTROUTING -s 2001:db8:2::/64 -o wan1 -j SNPT --src-pfx 2001:db8:2::/64 "
     "--dst-pfx 2001:db8:a::/64\n-A POSTROUTING -s 2001:db8:a::50/128\nCOMMIT\n*filter\n-A FORWARD -d 2001:db8:2:0:8::50/128\nCOMMIT\n",
     {"wire udp [2001:db8:9::7]:5000 > [2001:db8:a::50]:53 in=wan1", "wire udp [2001:db8:2:0:8::50]:53 > [2001:db8:9::7]:5000 in=lan0"},
     "forwarded forwarded", "mangle:PREROUTING:1=1 mangle:PREROUTING:2=1 mangle:POSTROUTING:1=1 mangle:POSTROUTING:2=1 filter:FORWARD:1=1"},
    // NPT's adjustment is its two prefixes' difference, so an address outside the source prefix
    // comes out with another sum and the transport checksum no longer verifies: 2001:db8:1::1
    // under 2001:db8:9::/48 -> 2001:db8:4::/48 becomes 2001:db8:4:5::1, and REJECT, which
    // verifies the checksum first (the looped packet was never verified before), answers nothing;
    // inside its prefix (2001:db8:1::/48 -> 2001:db8:4::/48: 2001:db8:4:fffc::1) it answers
    {"ipv6: REJECT answers no packet whose checksum NPT broke (an address outside the source prefix), one whose sum NPT kept",
     forwarding6_on,
     "*mangle\n-A POSTROUTING -s 2001:db8:1::1/128 -p tcp -j SNPT --src-pfx 2001:db8:9::/48 --dst-pfx 2001:db8:4::/48\n"
     "-A POSTROUTING -s 2001:db8:1::1/128 -p udp -j SNPT --src-pfx 2001:db8:1::/48 --dst-pfx 2001:db8:4::/48\n"
     "-A POSTROUTING -p ipv6-icmp\n-A POSTROUTING -d 2001:db8:4:fffc::1/128\nCOMMIT\n"
     "*filter\n-A INPUT -d 2001:db8:1::1/128 -j REJECT --reject-with icmp6-adm-prohibited\nCOMMIT\n",
     {"local tcp [2001:db8:1::1]:30012 > [2001:db8:1::1]:5000 flags=S", "local udp [2001:db8:1::1]:30013 > [2001:db8:1::1]:5000"},
     "rejected:netfilter@filter:INPUT:1 rejected:netfilter@filter:INPUT:1",
     "mangle:POSTROUTING:1=1 mangle:POSTROUTING:2=1 mangle:POSTROUTING:3=1 mangle:POSTROUTING:4=1 filter:INPUT:1=2"},
    // ...and NAT, which verifies a RELATED ICMPv6 error's checksum before it translates it, drops
    // an error whose destination DNPT took outside its prefix (2001:db8:2::77), not one inside it
    // (2001:db8:9::7 -> 2001:db8:4::7)
    {"ipv6: NAT drops a RELATED ICMPv6 error whose checksum NPT broke, passes one whose sum NPT kept", forwarding6_on,
     "*mangle\n-A OUTPUT -p ipv6-icmp -j DNPT --src-pfx 2001:db8:9::/48 --dst-pfx 2001:db8:4::/48\n"
     "-A POSTROUTING -p ipv6-icmp -m conntrack --ctstate RELATED\nCOMMIT\n*nat\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n"
     "*filter\n-A FORWARD -p udp -m udp --dport 80 -j REJECT --reject-with icmp6-port-unreachable\nCOMMIT\n",
     {"wire udp [2001:db8:2::77]:30004 > [2001:db8:9::130]:80 in=lan0", "wire udp [2001:db8:9::7]:30005 > [2001:db8:2::50]:80 in=wan1"},
     "rejected:netfilter@filter:FORWARD:1 rejected:netfilter@filter:FORWARD:1",
     "mangle:OUTPUT:1=2 mangle:POSTROUTING:1=1 filter:FORWARD:1=2"},

    // --- segment routing headers (ip6t_srh) on forwarded packets: the first has Segments Left 1
    // of Last Entry 2 (previous segment 2001:db8:9::7, next and last 2001:db8:2::50), the second
    // 0 of 1 (no next segment, the previous 2001:db8:2::51), the third 2 of 1 (which no srh test
    // matches), the fourth 1 of 1 (no previous segment, though its list has a third: even a
    // negated --srh-psid fails); the
    // kernel compares the Tag in the host's byte order: --srh-tag 7 matches the sixth's 0x0700, not the first's 7 ---
    {"ipv6: -m srh reads a segment routing header's fields and its previous, next and last segments as the kernel does",
     forwarding6_on,
     "*mangle\n-A FORWARD -m srh\n-A FORWARD -m srh --srh-next-hdr 17 --srh-hdr-len-eq 6\n"
     "-A FORWARD -m srh --srh-segs-left-gt 0 ! --srh-tag 7\n-A FORWARD -m srh --srh-psid 2001:db8:9::/48\n"
     "-A FORWARD -m srh ! --srh-psid 2001:db8:9::/48\n-A FORWARD -m srh --srh-nsid 2001:db8:2::50\n"
     "-A FORWARD -m srh --srh-lsid 2001:db8:2::/64 --srh-last-entry-lt 2\n-A FORWARD -m srh ! --srh-lsid 2001:db8:2::60\n"
     "-A FORWARD -m rt --rt-type 4 --rt-segsleft 2\n-A FORWARD -m srh --srh-tag 7\nCOMMIT\n",
     {"wire udp [2001:db8:9::7]:5000 > [2001:db8:2::50]:53 in=wan1 rt=4/1 sids=2001:db8:2::50,2001:db8:2::51,2001:db8:9::7 srhtag=7",
      "wire udp [2001:db8:9::7]:5000 > [2001:db8:2::50]:53 in=wan1 rt=4/0 sids=2001:db8:2::50,2001:db8:2::51",
      "wire udp [2001:db8:9::7]:5000 > [2001:db8:2::50]:53 in=wan1 rt=4/2 sids=2001:db8:2::50,2001:db8:2::51",
      "wire udp [2001:db8:9::7]:5000 > [2001:db8:2::50]:53 in=wan1 rt=4/1 sids=2001:db8:2::60,2001:db8:2::61,2001:db8:9::1 lastentry=1",
      "wire udp [2001:db8:9::7]:5000 > [2001:db8:2::50]:53 in=wan1",
      "wire udp [2001:db8:9::7]:5000 > [2001:db8:2::50]:53 in=wan1 rt=4/0 sids=2001:db8:2::50 srhtag=1792"},
     "forwarded forwarded forwarded forwarded forwarded forwarded",
     "mangle:FORWARD:1=4 mangle:FORWARD:2=2 mangle:FORWARD:3=2 mangle:FORWARD:4=1 mangle:FORWARD:5=1 mangle:FORWARD:6=1 "
     "mangle:FORWARD:7=3 mangle:FORWARD:8=3 mangle:FORWARD:9=1 mangle:FORWARD:10=1"},

    // --- cluster (xt_cluster) over IPv6: the kernel asks jhash2 for NF_CT_TUPLE_L3SIZE / sizeof(u32)
    // words, which is one, so only the source's first 32 bits are hashed (as they lie in memory);
    // seed 0xfeedcafe over 3 nodes puts 2001:dbc::/32 in bucket 0, 2001:db8::/32 and 2002:db8::/32
    // in 1, 2003::/32 in 2 (worked out by an independent implementation of the kernel's jhash) ---
    {"ipv6: cluster hashes only the first 32 bits of a connection's original source, as the kernel does", forwarding6_on,
     "*mangle\n-A PREROUTING -m cluster --cluster-total-nodes 3 --cluster-local-node 1 --cluster-hash-seed 0xfeedcafe\n"
     "-A PREROUTING -m cluster --cluster-total-nodes 3 --cluster-local-nodemask 6 --cluster-hash-seed 0xfeedcafe\n"
     "-A PREROUTING -m cluster --cluster-total-nodes 3 --cluster-local-node 2 --cluster-hash-seed 0xfeedcafe\nCOMMIT\n",
     {"wire udp [2001:db8:9::1]:5000 > [2001:db8:2::50]:53 in=wan1", "wire udp [2001:db8:9::5]:5000 > [2001:db8:2::50]:53 in=wan1",
      "wire udp [2001:dbc::7]:5000 > [2001:db8:2::50]:53 in=wan1", "wire udp [2003::1]:5000 > [2001:db8:2::50]:53 in=wan1",
      "wire udp [2002:db8::1]:5000 > [2001:db8:2::50]:53 in=wan1"},
     "forwarded forwarded forwarded forwarded forwarded", "mangle:PREROUTING:1=1 mangle:PREROUTING:2=4 mangle:PREROUTING:3=3"},

    // --- connlabel over IPv6: the label is the connection's, set by --set when tested (the rule's
    // later match fails for every packet), seen by the reply; another connection keeps its own ---
    {"ipv6: connlabel's --set labels the connection when tested; its reply sees the label", forwarding6_on,
     "*mangle\n-A PREROUTING -p udp -m connlabel --label 100 --set -m udp --dport 1\n-A PREROUTING -m connlabel --label 100\n"
     "-A PREROUTING -m connlabel ! --label 100\nCOMMIT\n",
     {"wire udp [2001:db8:9::1]:5000 > [2001:db8:2::50]:53 in=wan1", "wire udp [2001:db8:2::50]:53 > [2001:db8:9::1]:5000 in=lan0",
      "wire tcp [2001:db8:9::1]:40000 > [2001:db8:2::50]:80 in=wan1 flags=S"},
     "forwarded forwarded forwarded", "mangle:PREROUTING:2=2 mangle:PREROUTING:3=1"},

    // --- the host's own packets to link-local and LAN destinations ---
    {"ipv6: to a link-local destination without a zone: the first device's route and its link-local source", forwarding6_on,
     "*mangle\n-A POSTROUTING -o wan1 -s fe80::1/128\nCOMMIT\n",
     {"local udp [::]:5000 > [fe80::99]:53"}, "sent", "mangle:POSTROUTING:1=1"},
    {"ipv6: a local connection to the LAN prefix leaves lan0 from lan0's address", forwarding6_on,
     "*filter\n-A OUTPUT -o lan0 -s 2001:db8:2::1/128\nCOMMIT\n",
     {"local tcp [::]:40000 > [2001:db8:2::50]:22 flags=S"}, "sent", "filter:OUTPUT:1=1"},

    // --- -j TEE ---
    {"ipv6: -j TEE sends a copy from within its rule, routed to the gateway as its next hop, the hop limit one lower when copied "
     "in PREROUTING (not in OUTPUT); a link-local gateway on its --oif; a gateway with an unreachable route, or none through its "
     "--oif, drops the copy alone; the copy walks OUTPUT and POSTROUTING, where TEE copies nothing",
     forwarding6_on,
     "*mangle\n-A PREROUTING -p udp -m udp --dport 53 -j TEE --gateway 2001:db8:2::9\n"
     "-A PREROUTING -p udp -m udp --dport 54 -j TEE --gateway fe80::9 --oif lan0\n"
     "-A PREROUTING -p udp -m udp --dport 55 -j TEE --gateway 2001:db8:5::9\n"
     "-A PREROUTING -p udp -m udp --dport 56 -j TEE --gateway 2001:db8:1::fe --oif lan0\n"
     "-A OUTPUT -p udp -m udp --dport 5353 -j TEE --gateway 2001:db8:2::9\n-A POSTROUTING -o lan0\nCOMMIT\n"
     "*filter\n-A FORWARD -p udp\n-A OUTPUT -m hl --hl-eq 63\n-A OUTPUT -m hl --hl-eq 64\nCOMMIT\n",
     {"wire udp [2001:db8:2::50]:4000 > [2001:db8:9::7]:53 in=lan0", "wire udp [2001:db8:2::50]:4001 > [2001:db8:9::7]:54 in=lan0",
      "wire udp [2001:db8:2::50]:4002 > [2001:db8:9::7]:55 in=lan0", "wire udp [2001:db8:2::50]:4003 > [2001:db8:9::7]:56 in=lan0",
      "local udp [::]:5003 > [2001:db8:9::7]:5353"},
     "forwarded forwarded forwarded forwarded sent",
     "mangle:PREROUTING:1=1 mangle:PREROUTING:2=1 mangle:PREROUTING:3=1 mangle:PREROUTING:4=1 mangle:OUTPUT:1=2 mangle:POSTROUTING:1=3 "
     "filter:FORWARD:1=4 filter:OUTPUT:1=2 filter:OUTPUT:2=2"},
    // --- -j TPROXY ---
    {"ipv6: -j TPROXY hands a packet to the socket listening on its port (with --on-ip ::, at the arrival device's first "
     "address: its global one, listed before the link-local), sets the mark and accepts, and the mark's policy route delivers "
     "it; no socket there: dropped; a packet with its socket that routing forwards: dropped (ip6_forward)",
     forwarding6_on,
     "*mangle\n-A PREROUTING -p udp -m udp --dport 5000 -j TPROXY --on-port 53 --on-ip :: --tproxy-mark 0x1/0x1\n"
     "-A PREROUTING -p udp -m udp --dport 6000 -j TPROXY --on-port 5999 --on-ip :: --tproxy-mark 0x1/0x1\n"
     "-A PREROUTING -p udp -m udp --dport 7000 -j TPROXY --on-port 53 --on-ip :: --tproxy-mark 0x2/0x2\n"
     "-A PREROUTING -p udp -m udp --dport 9000 -j TPROXY --on-port 5300 --on-ip :: --tproxy-mark 0x1/0x1\n"
     "-A PREROUTING -p udp -m udp --dport 9001 -j TPROXY --on-port 5300 --on-ip 2001:db8:1::1 --tproxy-mark 0x1/0x1\n"
     "-A PREROUTING -p tcp -m tcp --dport 80 -j TPROXY --on-port 22 --on-ip :: --tproxy-mark 0x1/0x1\nCOMMIT\n"
     "*filter\n-A INPUT -m mark --mark 0x1/0x1\nCOMMIT\n",
     {"wire udp [2001:db8:2::50]:4000 > [2001:db8:9::7]:5000 in=lan0", "wire udp [2001:db8:2::50]:4001 > [2001:db8:9::7]:6000 in=lan0",
      "wire udp [2001:db8:2::50]:4002 > [2001:db8:9::7]:7000 in=lan0", "wire udp [2001:db8:2::50]:4003 > [2001:db8:9::7]:9000 in=lan0",
      "wire udp [2001:db8:2::50]:4004 > [2001:db8:9::7]:9001 in=lan0", "wire tcp [2001:db8:2::50]:40000 > [2001:db8:9::7]:80 in=lan0 flags=S"},
     "delivered dropped:netfilter@mangle:PREROUTING:2 dropped:forward_socket_assigned delivered dropped:netfilter@mangle:PREROUTING:5 delivered",
     "mangle:PREROUTING:1=1 mangle:PREROUTING:2=1 mangle:PREROUTING:3=1 mangle:PREROUTING:4=1 mangle:PREROUTING:5=1 mangle:PREROUTING:6=1 "
     "filter:INPUT:1=3",
     nullptr,
     R"(["udp UNCONN 0 0 [::]:53 [::]:*", "udp UNCONN 0 0 [2001:db8:2::1]:5300 [::]:*", "tcp LISTEN 0 128 [::]:22 [::]:*"])",
     router6_routes_tproxy.c_str()},
    // --- -m string: IPv6's bytes from its header on: "secret" in UDP's payload (byte 48 on), the
    // hop limit (byte 7) 63 once forwarded; a local packet's, its source chosen by routing; -m u32
    // reads the version and the payload length (8 and the 5 or 6 bytes) ---
    {"ipv6: string and u32 read the datagram's bytes from the IPv6 header, as the hook holds them",
     forwarding6_on,
     "*mangle\n-A PREROUTING -m string --string \"secret\" --algo bm --from 48\n-A PREROUTING -m string --string \"secret\" --algo kmp --from 49\n"
     "-A POSTROUTING -m string --hex-string \"|3f|\" --algo kmp --from 7 --to 8\n-A OUTPUT -m string --string \"local\" --algo kmp\n"
     "-A POSTROUTING -m u32 --u32 \"0>>28=6&&4>>16=13:14\"\nCOMMIT\n",
     {"wire udp [2001:db8:2::50]:4000 > [2001:db8:9::7]:53 in=lan0 payload=secret",
      "wire udp [2001:db8:2::50]:4001 > [2001:db8:9::7]:53 in=lan0 payload=public",
      "local udp [::]:5003 > [2001:db8:9::7]:5353 payload=local"},
     "forwarded forwarded sent",
     "mangle:PREROUTING:1=1 mangle:POSTROUTING:1=2 mangle:POSTROUTING:2=3 mangle:OUTPUT:1=1"},
    // --- -j SYNPROXY in FORWARD, IPv6: a SYN with ECE and CWR offering MSS, SACK, timestamps and
    // window scale gets MSS 1380, timestamps and ECE (the rule allows no SACK, no window scale:
    // 40 + 20 + 16 bytes); one offering only timestamps gets them and ECE (72 bytes); the SYN-ACK
    // leaves from the server's address with the host's hop limit; a FIN goes on and is forwarded ---
    {"ipv6: SYNPROXY answers a forwarded SYN from the server's address with the options the rule allows",
     forwarding6_on,
     "*raw\n-A PREROUTING -p tcp -m tcp --dport 443 -j CT --notrack\nCOMMIT\n"
     "*filter\n-A FORWARD -p tcp -m tcp --dport 443 -m conntrack --ctstate INVALID,UNTRACKED -j SYNPROXY --timestamp --mss 1380 --ecn\n"
     "-A FORWARD -p tcp -m tcp --dport 443\n-A OUTPUT -p tcp -m tcp --sport 443 --tcp-flags FIN,SYN,RST,ACK SYN,ACK\n"
     "-A OUTPUT -p tcp -m tcpmss --mss 1380\n-A OUTPUT -p tcp -m ecn --ecn-tcp-ece\n-A OUTPUT -p tcp -m tcp --tcp-option 3\n"
     "-A OUTPUT -m hl --hl-eq 64\n-A OUTPUT -m length --length 76\n-A OUTPUT -m length --length 72\nCOMMIT\n",
     {"wire tcp [2001:db8:2::50]:40000 > [2001:db8:9::7]:443 in=lan0 flags=SEC opts=020405b40402080a000000010000000001030307",
      "wire tcp [2001:db8:2::50]:40001 > [2001:db8:9::7]:443 in=lan0 flags=SEC opts=0101080a0000000100000000",
      "wire tcp [2001:db8:2::50]:40002 > [2001:db8:9::7]:443 in=lan0 flags=F"},
     "rejected:netfilter@filter:FORWARD:1 rejected:netfilter@filter:FORWARD:1 forwarded",
     "raw:PREROUTING:1=3 filter:FORWARD:1=3 filter:FORWARD:2=1 filter:OUTPUT:1=2 filter:OUTPUT:2=1 filter:OUTPUT:3=2 filter:OUTPUT:5=2 "
     "filter:OUTPUT:6=1 filter:OUTPUT:7=1"},
    // --- -m bpf: the protocol ancillary is 0x86dd; the next header (byte 6) UDP; the payload's
    // first word at 48 ("secr"); the forwarded hop limit (byte 7) 63; the local packet's length
    // (40 + 8 + 5) ---
    {"ipv6: bpf runs over the datagram's bytes from the IPv6 header",
     forwarding6_on,
     "*mangle\n-A PREROUTING -m bpf --bytecode \"4,32 0 0 4294963200,21 0 1 34525,6 0 0 1,6 0 0 0\"\n"
     "-A PREROUTING -m bpf --bytecode \"4,48 0 0 6,21 0 1 17,6 0 0 1,6 0 0 0\"\n"
     "-A PREROUTING -m bpf --bytecode \"4,32 0 0 48,21 0 1 1936024434,6 0 0 1,6 0 0 0\"\n"
     "-A POSTROUTING -m bpf --bytecode \"4,48 0 0 7,21 0 1 63,6 0 0 1,6 0 0 0\"\n"
     "-A OUTPUT -m bpf --bytecode \"4,128 0 0 0,21 0 1 53,6 0 0 1,6 0 0 0\"\nCOMMIT\n",
     {"wire udp [2001:db8:2::50]:4000 > [2001:db8:9::7]:53 in=lan0 payload=secret",
      "wire udp [2001:db8:2::50]:4001 > [2001:db8:9::7]:53 in=lan0 payload=public",
      "local udp [::]:5003 > [2001:db8:9::7]:5353 payload=local"},
     "forwarded forwarded sent",
     "mangle:PREROUTING:1=2 mangle:PREROUTING:2=2 mangle:PREROUTING:3=1 mangle:POSTROUTING:1=2 mangle:OUTPUT:1=1"},
    {"ipv6: bytes: REJECT's answers are read as the kernel writes them: an ICMPv6 error quoting the rejected datagram (its "
     "payload, the quoted next header, 1280 bytes at most, hop limit 64), a reset with RST,ACK",
     forwarding6_on,
     "*filter\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
     "-A INPUT -p udp -m udp --dport 53 -j REJECT --reject-with icmp6-adm-prohibited\n"
     "-A INPUT -p tcp -m tcp --dport 23 -j REJECT --reject-with tcp-reset\n"
     "-A OUTPUT -p ipv6-icmp -m u32 --u32 \"40>>16=0x101\"\n-A OUTPUT -p ipv6-icmp -m u32 --u32 \"52>>8&0xFF=0x11\"\n"
     "-A OUTPUT -p ipv6-icmp -m string --string \"hello\" --algo kmp\n-A OUTPUT -p ipv6-icmp -m u32 --u32 \"4>>16=0x4d8\"\n"
     "-A OUTPUT -m bpf --bytecode \"4,48 0 0 7,21 0 1 64,6 0 0 1,6 0 0 0\"\n"
     "-A OUTPUT -p tcp -m bpf --bytecode \"4,48 0 0 53,21 0 1 20,6 0 0 1,6 0 0 0\"\nCOMMIT\n",
     {"wire udp [2001:db8:9::7]:5000 > [2001:db8:1::1]:53 in=wan1 payload=hello",
      "wire tcp [2001:db8:9::7]:40000 > [2001:db8:1::1]:23 in=wan1 flags=S",
      "wire udp [2001:db8:9::7]:5001 > [2001:db8:1::1]:53 in=wan1 len=1400 payload=x"},
     "rejected:netfilter@filter:INPUT:1 rejected:netfilter@filter:INPUT:2 rejected:netfilter@filter:INPUT:1",
     "filter:INPUT:1=2 filter:INPUT:2=1 filter:OUTPUT:1=2 filter:OUTPUT:2=2 filter:OUTPUT:3=1 filter:OUTPUT:4=1 filter:OUTPUT:5=3 "
     "filter:OUTPUT:6=1 filter:OUTPUT:P=3"},
    {"ipv6: REDIRECT in OUTPUT of a packet first routed out of lan0: routed again to ::1 over lo (ip6_route_me_harder keeps only a "
     "multicast or link-local destination on the old route's device; random seed 9180)",
     forwarding6_on,
     "*nat\n-A OUTPUT -p tcp -m tcp --dport 443 -j REDIRECT\nCOMMIT\n*filter\n-A INPUT -i lo -p tcp -m tcp --dport 443\nCOMMIT\n",
     {"local tcp [::]:30000 > [2001:db8:2::50]:443 flags=S", "local tcp [2001:db8:2::1]:30001 > [2001:db8:2::50]:443 flags=S"},
     "delivered delivered",
     "nat:OUTPUT:1=2 filter:INPUT:1=2"},
    {"ipv6: REJECT answers ESP (nf_reject_verify_csum exempts it) but not IPComp, whose payload it verifies as if it carried "
     "TCP's checksum (random seed 28)",
     forwarding6_on,
     "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -j REJECT\n-A OUTPUT -p ipv6-icmp\nCOMMIT\n",
     {"wire ipcomp [2001:db8:2::50] > [2001:db8:9::130] in=lan0 len=84 cpi=512", "wire esp [2001:db8:2::50] > [2001:db8:9::130] in=lan0 len=84"},
     "rejected:netfilter@filter:FORWARD:1 rejected:netfilter@filter:FORWARD:1",
     "filter:FORWARD:1=2 filter:OUTPUT:1=1 filter:OUTPUT:P=1"},
};
// clang-format on

}  // namespace fwbench::test
