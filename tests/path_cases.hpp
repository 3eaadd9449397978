#pragma once
// The packet-path fixture table, shared by the model test (packet_path_test.cpp) and the
// kernel oracle test (kernel_oracle_test.cpp), which replays every case into the real kernel.
//
// packets: "wire PACKET" (arrives on the in= interface) or "local PACKET" (sent by a socket
// here; src 0.0.0.0 lets routing choose). PACKET is packet_description notation.
// fates:   FATE[:REASON][@table:CHAIN:N] per packet; FATE delivered|forwarded|sent|dropped|
//          rejected; REASON a DropReason name; table:CHAIN:N is the last chain the packet
//          traversed and the rule that ended that walk (N 1-based, 0 = the policy).
// counters: "table:CHAIN:N=packets" (N or P for the policy); every other counter must be 0.

#include <string>
#include <vector>

#include "path_fixtures.hpp"

namespace fwbench::test {

struct PathCase {
    const char* name;
    const char* sysctl;  // JSON object members, e.g. "\"ip_forward\":1"
    const char* rules;  // iptables-save text
    std::vector<const char*> packets;
    const char* fates;
    const char* counters;
    const char* kernel_skip = nullptr;  // why the kernel oracle cannot replay this case as written
    const char* sockets = nullptr;  // the host's listening sockets: a JSON array of `ss -Htuln` lines
    const char* routes = nullptr;  // the host's routes in place of router_routes
};

// The router of path_fixtures.hpp with the case's sysctls (and sockets), as fwbench reads --host.
inline std::string path_case_host_json(const PathCase& c) {
    std::string j = std::string("{\"addr\":") + router_addr + ",\"route\":" + (c.routes ? c.routes : router_routes) + ",\"rule\":" + router_rules +
                    ",\"sysctl\":{" + c.sysctl + "}";
    if (c.sockets) j += std::string(",\"sockets\":") + c.sockets;
    return j + "}";
}

// What the host's own stack answers (issue 13 §1): listening sockets on wan1's, lan0's and lo's
// addresses, as ss writes them — IPv4 any, IPv6 any taking IPv4 too, IPv6 only, bound to lo.
inline const char* router_sockets = R"(["tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:*", "tcp LISTEN 0 128 *:80 *:*",
  "tcp LISTEN 0 128 [::]:443 [::]:*", "tcp LISTEN 0 128 127.0.0.1%lo:25 0.0.0.0:*", "udp UNCONN 0 0 0.0.0.0:53 0.0.0.0:*"])";

// router_sockets and a transparent proxy's UDP socket on lan0's address.
inline const std::string router_sockets_tproxy = [] {
    std::string sockets = router_sockets;
    return sockets.insert(sockets.rfind(']'), R"(, "udp UNCONN 0 0 192.0.2.1:5300 0.0.0.0:*")");
}();

inline const char* seed_rules =
    "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
    "-A INPUT -s 127.0.0.0/8 -i lo -j ACCEPT\n-A INPUT -i wan1 -p tcp -m tcp --dport 22 -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n";

inline const char* counting_rules =  // one counting rule per table and hook, all interfaces visible
    "*raw\n-A PREROUTING -j ACCEPT\n-A OUTPUT -j ACCEPT\nCOMMIT\n"
    "*mangle\n-A PREROUTING -j ACCEPT\n-A INPUT -j ACCEPT\n-A FORWARD -j ACCEPT\n-A OUTPUT -j ACCEPT\n-A POSTROUTING -j ACCEPT\nCOMMIT\n"
    "*nat\n-A PREROUTING -j ACCEPT\n-A INPUT -j ACCEPT\n-A OUTPUT -j ACCEPT\n-A POSTROUTING -j ACCEPT\n"
    "-A POSTROUTING -o nowhere0 -j MASQUERADE\nCOMMIT\n"  // never reached; it makes conntrack (and so NAT) active
    "*filter\n-A INPUT -j ACCEPT\n-A FORWARD -j ACCEPT\n-A OUTPUT -j ACCEPT\nCOMMIT\n";

// FORWARD counts each conntrack state and drops INVALID; TCP_HANDSHAKE opens the connection the
// TCP window cases continue.
inline const char* tcp_window_rules =
    "*filter\n-A FORWARD -m conntrack --ctstate INVALID -j DROP\n-A FORWARD -m conntrack --ctstate NEW\n"
    "-A FORWARD -m conntrack --ctstate ESTABLISHED\nCOMMIT\n";
#define TCP_HANDSHAKE                                                                                      \
    "wire tcp 192.0.2.50:40000 > 198.51.100.7:443 in=lan0 flags=S seq=1000 win=1000 len=40",               \
        "wire tcp 198.51.100.7:443 > 192.0.2.50:40000 in=wan1 flags=SA seq=5000 ack=1001 win=1000 len=40", \
        "wire tcp 192.0.2.50:40000 > 198.51.100.7:443 in=lan0 flags=A seq=1001 ack=5001 win=1000 len=40"

// A fixture table, one case per line: left as laid out.
// clang-format off
inline const std::vector<PathCase> path_cases = {
    // --- item 1: policy routing ---
    {"item 1: fwmark rule selects table alt (out lan0)", "",
     "*mangle\n-A OUTPUT -d 198.51.100.7/32 -j MARK --set-mark 0x1\n-A POSTROUTING -o lan0\n-A POSTROUTING -o wan1\nCOMMIT\n",
     {"local udp 0.0.0.0:5000 > 198.51.100.7:53", "local udp 0.0.0.0:5000 > 198.51.100.8:53"},
     "sent sent", "mangle:OUTPUT:1=1 mangle:POSTROUTING:1=1 mangle:POSTROUTING:2=1"},
    {"item 1: blackhole route drops local output before netfilter", "",
     "*filter\n-A OUTPUT -j ACCEPT\nCOMMIT\n", {"local udp 0.0.0.0:5000 > 198.51.100.200:53"}, "dropped:route_blackhole", ""},

    // --- item 2: local output goes over lo ---
    {"item 2: the seed: the router's own connection to its WAN address is dropped", "", seed_rules,
     {"local tcp 203.0.113.1:40000 > 203.0.113.1:22 flags=S", "wire tcp 198.51.100.7:40000 > 203.0.113.1:22 in=wan1 flags=S"},
     "dropped:netfilter@filter:INPUT:3 delivered@filter:INPUT:2", "filter:INPUT:3=1 filter:INPUT:2=1 filter:OUTPUT:P=1"},
    {"item 2: 127.0.0.1 to itself passes rule 1", "", seed_rules,
     {"local tcp 127.0.0.1:40000 > 127.0.0.1:22 flags=S"}, "delivered@filter:INPUT:1", "filter:INPUT:1=1 filter:OUTPUT:P=1"},
    {"item 2: OUTPUT and POSTROUTING see out lo, PREROUTING and INPUT in lo", "",
     "*mangle\n-A PREROUTING -i lo\n-A INPUT -i lo\n-A OUTPUT -o lo\n-A POSTROUTING -o lo\n-A OUTPUT -o lan0\nCOMMIT\n",
     {"local tcp 0.0.0.0:40000 > 192.0.2.1:22 flags=S"}, "delivered",
     "mangle:PREROUTING:1=1 mangle:INPUT:1=1 mangle:OUTPUT:1=1 mangle:POSTROUTING:1=1"},
    {"item 2: source chosen by routing is the destination for a local route", "",
     "*filter\n-A INPUT -s 192.0.2.1/32 -d 192.0.2.1/32 -i lo -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n",
     {"local udp 0.0.0.0:5000 > 192.0.2.1:53"}, "delivered@filter:INPUT:1", "filter:INPUT:1=1"},

    // --- item 3: from the wire the in-interface stays the NIC ---
    {"item 3: packet on wan1 for lan0's address is seen with -i wan1", "",
     "*filter\n-A INPUT -i wan1 -d 192.0.2.1/32 -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n",
     {"wire tcp 203.0.113.9:40000 > 192.0.2.1:22 in=wan1 flags=S"}, "delivered@filter:INPUT:1", "filter:INPUT:1=1"},

    // --- item 4: forwarding ---
    {"item 4: forwarded LAN to WAN: FORWARD in/out, POSTROUTING out", "\"ip_forward\":1",
     "*filter\n-A FORWARD -i lan0 -o wan1 -j ACCEPT\n-A FORWARD -j DROP\nCOMMIT\n*mangle\n-A POSTROUTING -o wan1\nCOMMIT\n",
     {"wire tcp 192.0.2.50:40000 > 198.51.100.7:443 in=lan0 flags=S"}, "forwarded", "filter:FORWARD:1=1 mangle:POSTROUTING:1=1"},
    {"item 4: forwarding off: dropped at routing after PREROUTING", "", counting_rules,
     {"wire tcp 192.0.2.50:40000 > 198.51.100.7:443 in=lan0 flags=S"}, "dropped:forwarding_disabled",
     "raw:PREROUTING:1=1 mangle:PREROUTING:1=1 nat:PREROUTING:1=1"},
    {"item 4: forwarding off on the arrival device alone drops there", "\"ip_forward\":1,\"net.ipv4.conf.lan0.forwarding\":0",
     "*filter\n-A FORWARD -j ACCEPT\nCOMMIT\n",
     {"wire udp 192.0.2.50:4000 > 198.51.100.7:53 in=lan0", "wire udp 198.51.100.7:53 > 192.0.2.50:4000 in=wan1"},
     "dropped:forwarding_disabled forwarded", "filter:FORWARD:1=1"},
    {"item 4: forwarded TTL is decremented before FORWARD; TTL 1 expires", "\"ip_forward\":1",
     "*filter\n-A FORWARD -m ttl --ttl-eq 63 -j ACCEPT\n-A FORWARD -j DROP\nCOMMIT\n",
     {"wire udp 192.0.2.50:4000 > 198.51.100.7:53 in=lan0 ttl=64", "wire udp 192.0.2.50:4000 > 198.51.100.7:53 in=lan0 ttl=1"},
     "forwarded@filter:FORWARD:1 dropped:ttl_exceeded", "filter:FORWARD:1=1"},

    // --- item 5: martians ---
    {"item 5: 127/8 source from the wire: PREROUTING counts it, INPUT never", "", counting_rules,
     {"wire udp 127.0.0.1:4000 > 203.0.113.1:53 in=wan1"}, "dropped:martian_source", "raw:PREROUTING:1=1 mangle:PREROUTING:1=1 nat:PREROUTING:1=1"},
    {"item 5: 127/8 destination from the wire", "", "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n",
     {"wire udp 203.0.113.9:4000 > 127.0.0.1:53 in=wan1"}, "dropped:martian_destination", ""},
    {"item 5: route_localnet=1 lets 127/8 in from the wire", "\"net.ipv4.conf.wan1.route_localnet\":1", "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n",
     {"wire udp 203.0.113.9:4000 > 127.0.0.1:53 in=wan1"}, "delivered@filter:INPUT:1", "filter:INPUT:1=1"},
    {"item 5: a local 127/8 source may not leave through wan1", "", "*filter\n-A OUTPUT -j ACCEPT\nCOMMIT\n",
     {"local udp 127.0.0.1:4000 > 198.51.100.7:53"}, "dropped:output_martian", ""},
    {"item 5: 0.0.0.0 and multicast sources are martian; 0.1.2.3 is unicast since Linux 5.3", "", "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n",
     {"wire udp 0.0.0.0:4000 > 203.0.113.1:53 in=wan1", "wire udp 224.0.0.5:4000 > 203.0.113.1:53 in=wan1", "wire udp 0.1.2.3:4000 > 203.0.113.1:53 in=wan1"},
     "dropped:martian_source dropped:martian_source delivered@filter:INPUT:1", "filter:INPUT:1=1"},

    // --- item 6: source validation ---
    {"item 6: our own address as source from the wire is martian", "", "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n",
     {"wire udp 192.0.2.1:4000 > 203.0.113.1:53 in=wan1"}, "dropped:martian_source", ""},
    {"item 6: accept_local=1 accepts it", "\"net.ipv4.conf.wan1.accept_local\":1", "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n",
     {"wire udp 192.0.2.1:4000 > 203.0.113.1:53 in=wan1"}, "delivered@filter:INPUT:1", "filter:INPUT:1=1"},
    {"item 6: strict rp_filter drops a LAN source arriving on wan1", "\"net.ipv4.conf.all.rp_filter\":1", "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n",
     {"wire udp 192.0.2.77:4000 > 203.0.113.1:53 in=wan1", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1"},
     "dropped:rp_filter delivered", "filter:INPUT:1=1"},
    {"item 6: loose rp_filter accepts any routable source", "\"net.ipv4.conf.all.rp_filter\":2", "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n",
     {"wire udp 192.0.2.77:4000 > 203.0.113.1:53 in=wan1"}, "delivered", "filter:INPUT:1=1"},
    {"item 6: a blackhole route back to the source is no martian (fib_lookup fails: last resort)", "", "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n",
     {"wire udp 198.51.100.130:4000 > 203.0.113.1:53 in=wan1"}, "delivered@filter:INPUT:1", "filter:INPUT:1=1"},
    {"item 6: ... but it fails a strict reverse path check", "\"net.ipv4.conf.all.rp_filter\":1", "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n",
     {"wire udp 198.51.100.130:4000 > 203.0.113.1:53 in=wan1"}, "dropped:rp_filter", ""},
    {"item 6: rp_filter is max(all, device)", "\"net.ipv4.conf.all.rp_filter\":0,\"net.ipv4.conf.wan1.rp_filter\":1", "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n",
     {"wire udp 192.0.2.77:4000 > 203.0.113.1:53 in=wan1"}, "dropped:rp_filter", ""},
    {"item 6: looped-back packets skip source validation", "\"net.ipv4.conf.all.rp_filter\":1", "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n",
     {"local udp 192.0.2.1:4000 > 203.0.113.1:53"}, "delivered", "filter:INPUT:1=1"},

    // --- item 7: broadcast ---
    {"item 7: subnet broadcast is delivered locally with in = the NIC", "", "*filter\n-A INPUT -i wan1 -m addrtype --dst-type BROADCAST -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n",
     {"wire udp 203.0.113.9:68 > 203.0.113.255:67 in=wan1", "wire udp 203.0.113.9:68 > 255.255.255.255:67 in=wan1"},
     "delivered@filter:INPUT:1 delivered@filter:INPUT:1", "filter:INPUT:1=2"},

    {"item 7: a local limited broadcast leaves through its source's device and a copy loops back in on it", "",
     "*filter\n-A OUTPUT -o lan0\n-A OUTPUT -o wan1\n-A INPUT -i lan0\n-A INPUT -i wan1\nCOMMIT\n*mangle\n-A POSTROUTING -o lan0\nCOMMIT\n",
     {"local udp 192.0.2.1:68 > 255.255.255.255:67", "local udp 203.0.113.1:68 > 255.255.255.255:67", "local udp 0.0.0.0:137 > 192.0.2.255:137"},
     "sent sent sent",
     "filter:OUTPUT:1=2 filter:OUTPUT:2=1 filter:INPUT:1=2 filter:INPUT:2=1 mangle:POSTROUTING:1=4"},

    // --- item 8: hook and table order ---
    {"item 8: every table of every hook, local delivery from the wire", "", counting_rules,
     {"wire tcp 198.51.100.7:40000 > 203.0.113.1:22 in=wan1 flags=S"}, "delivered@nat:INPUT:1",
     "raw:PREROUTING:1=1 mangle:PREROUTING:1=1 nat:PREROUTING:1=1 mangle:INPUT:1=1 filter:INPUT:1=1 nat:INPUT:1=1"},
    {"item 8: every table of every hook, forwarding", "\"ip_forward\":1", counting_rules,
     {"wire tcp 192.0.2.50:40000 > 198.51.100.7:443 in=lan0 flags=S"}, "forwarded",
     "raw:PREROUTING:1=1 mangle:PREROUTING:1=1 nat:PREROUTING:1=1 mangle:FORWARD:1=1 filter:FORWARD:1=1 mangle:POSTROUTING:1=1 nat:POSTROUTING:1=1"},
    {"item 8: every table of every hook, local output to the wire", "", counting_rules,
     {"local tcp 0.0.0.0:40000 > 198.51.100.7:443 flags=S"}, "sent",
     "raw:OUTPUT:1=1 mangle:OUTPUT:1=1 nat:OUTPUT:1=1 filter:OUTPUT:1=1 mangle:POSTROUTING:1=1 nat:POSTROUTING:1=1"},
    {"item 8 + 11: local to local: nat OUTPUT and POSTROUTING run, nat PREROUTING and INPUT do not", "", counting_rules,
     {"local tcp 0.0.0.0:40000 > 203.0.113.1:22 flags=S"}, "delivered",
     "raw:OUTPUT:1=1 mangle:OUTPUT:1=1 nat:OUTPUT:1=1 filter:OUTPUT:1=1 mangle:POSTROUTING:1=1 nat:POSTROUTING:1=1 "
     "raw:PREROUTING:1=1 mangle:PREROUTING:1=1 mangle:INPUT:1=1 filter:INPUT:1=1"},
    {"item 8: mangle PREROUTING's mark is seen by filter INPUT", "",
     "*mangle\n-A PREROUTING -i wan1 -j MARK --set-mark 0x7\nCOMMIT\n*filter\n-A INPUT -m mark --mark 0x7 -j DROP\nCOMMIT\n",
     {"wire tcp 198.51.100.7:40000 > 203.0.113.1:22 in=wan1 flags=S"}, "dropped:netfilter@filter:INPUT:1", "mangle:PREROUTING:1=1 filter:INPUT:1=1"},
    {"item 8: a raw DROP stops the packet before mangle", "", "*raw\n-A PREROUTING -j DROP\nCOMMIT\n*mangle\n-A PREROUTING\nCOMMIT\n",
     {"wire tcp 198.51.100.7:40000 > 203.0.113.1:22 in=wan1 flags=S"}, "dropped:netfilter@raw:PREROUTING:1", "raw:PREROUTING:1=1"},

    // --- item 9: interfaces each chain sees ---
    {"item 9: FORWARD sees both interfaces, POSTROUTING only the output", "\"ip_forward\":1",
     "*filter\n-A FORWARD -i lan0 -o wan1\nCOMMIT\n*nat\n-A POSTROUTING -o wan1\n-A PREROUTING -i lan0\n-A POSTROUTING -o nowhere0 -j MASQUERADE\nCOMMIT\n",
     {"wire udp 192.0.2.50:4000 > 198.51.100.7:53 in=lan0"}, "forwarded",
     "filter:FORWARD:1=1 nat:POSTROUTING:1=1 nat:PREROUTING:1=1"},

    {"item 9: a user chain reached from POSTROUTING sees a forwarded packet's input interface", "\"ip_forward\":1",
     "*mangle\n:x - [0:0]\n-A POSTROUTING -j x\n-A x -i lan0\n-A x -i wan1\nCOMMIT\n",
     {"wire udp 192.0.2.50:4000 > 198.51.100.7:53 in=lan0", "local udp 0.0.0.0:4000 > 198.51.100.7:53"},
     "forwarded sent", "mangle:POSTROUTING:1=2 mangle:x:1=1"},

    // --- item 10: rerouting after OUTPUT ---
    {"item 10: nat OUTPUT DNAT reroutes: the rest of OUTPUT still sees -o wan1, POSTROUTING sees lan0", "",
     "*nat\n-A OUTPUT -d 198.51.100.7/32 -p tcp -j DNAT --to-destination 192.0.2.50:8080\n-A POSTROUTING -o lan0\nCOMMIT\n"
     "*filter\n-A OUTPUT -o wan1 -d 192.0.2.50/32 -p tcp -m tcp --dport 8080 -j ACCEPT\n-A OUTPUT -j DROP\nCOMMIT\n",
     {"local tcp 0.0.0.0:40000 > 198.51.100.7:80 flags=S"}, "sent@nat:POSTROUTING:0", "nat:OUTPUT:1=1 nat:POSTROUTING:1=1 filter:OUTPUT:1=1"},
    {"item 10: mangle OUTPUT mark reroutes through table alt: filter OUTPUT still sees -o wan1, POSTROUTING lan0", "",
     "*mangle\n-A OUTPUT -p udp -j MARK --set-mark 0x1\n-A POSTROUTING -o lan0\nCOMMIT\n*filter\n-A OUTPUT -o wan1 -j ACCEPT\n-A OUTPUT -j DROP\nCOMMIT\n",
     {"local udp 0.0.0.0:5000 > 198.51.100.7:53"}, "sent@mangle:POSTROUTING:0", "mangle:OUTPUT:1=1 mangle:POSTROUTING:1=1 filter:OUTPUT:1=1"},
    {"item 11: nat PREROUTING sees the first packet only; the reply is un-NATed", "\"ip_forward\":1",
     "*nat\n-A PREROUTING -i wan1 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 192.0.2.50:80\nCOMMIT\n"
     "*filter\n-A FORWARD -d 192.0.2.50/32 -p tcp -m tcp --dport 80 -j ACCEPT\n-A FORWARD -m state --state ESTABLISHED -j ACCEPT\n-A FORWARD -j DROP\nCOMMIT\n",
     {"wire tcp 198.51.100.7:40000 > 203.0.113.1:8080 in=wan1 flags=S", "wire tcp 192.0.2.50:80 > 198.51.100.7:40000 in=lan0 flags=SA",
      "wire tcp 198.51.100.7:40000 > 203.0.113.1:8080 in=wan1 flags=A"},
     "forwarded@filter:FORWARD:1 forwarded@filter:FORWARD:2 forwarded@filter:FORWARD:1", "nat:PREROUTING:1=1 filter:FORWARD:1=2 filter:FORWARD:2=1"},
    {"item 11: a DNATed first packet is already --ctstate DNAT in FORWARD (the binding sets the status bit at once)", "\"ip_forward\":1",
     "*nat\n-A PREROUTING -i wan1 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 192.0.2.50:80\nCOMMIT\n"
     "*filter\n-A FORWARD -m conntrack --ctstate SNAT\n-A FORWARD -m conntrack --ctstate DNAT -m conntrack --ctrepldst 198.51.100.7 -j ACCEPT\n"
     "-A FORWARD -j DROP\nCOMMIT\n",
     {"wire tcp 198.51.100.7:40000 > 203.0.113.1:8080 in=wan1 flags=S"},
     "forwarded@filter:FORWARD:2", "nat:PREROUTING:1=1 filter:FORWARD:2=1"},
    {"a shifted port map: DNAT 8000-8099/8080 sends port 8085 to 8005, not to 8085 though it lies in the range", "\"ip_forward\":1",
     "*nat\n-A PREROUTING -i wan1 -p tcp -m tcp --dport 8080:8099 -j DNAT --to-destination 192.0.2.50:8000-8099/8080\nCOMMIT\n"
     "*filter\n-A FORWARD -d 192.0.2.50/32 -p tcp -m tcp --dport 8005 -j ACCEPT\n-A FORWARD -j DROP\nCOMMIT\n",
     {"wire tcp 198.51.100.7:40000 > 203.0.113.1:8085 in=wan1 flags=S"}, "forwarded@filter:FORWARD:1", "nat:PREROUTING:1=1 filter:FORWARD:1=1"},
    {"SNAT's shifted map loses its base (iptables-save: /0): source port 40000 goes to 1024 + 40000 mod 1024 = 1088", "\"ip_forward\":1",
     "*nat\n-A POSTROUTING -o wan1 -p tcp -j SNAT --to-source 203.0.113.1:1024-2047/1024\nCOMMIT\n"
     "*filter\n-A FORWARD -i lan0 -j ACCEPT\n-A FORWARD -m state --state ESTABLISHED -j ACCEPT\n-A FORWARD -j DROP\nCOMMIT\n",
     {"wire tcp 192.0.2.50:40000 > 198.51.100.7:80 in=lan0 flags=S", "wire tcp 198.51.100.7:80 > 203.0.113.1:1088 in=wan1 flags=SA"},
     "forwarded@nat:POSTROUTING:1 forwarded@filter:FORWARD:2", "nat:POSTROUTING:1=1 filter:FORWARD:1=1 filter:FORWARD:2=1"},
    {"item 11: a PREROUTING -i wan1 port-forward never applies to the host's own connection", "",
     "*nat\n-A PREROUTING -i wan1 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 192.0.2.50:80\nCOMMIT\n"
     "*filter\n-A INPUT -p tcp -m tcp --dport 8080 -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n",
     {"local tcp 0.0.0.0:40000 > 203.0.113.1:8080 flags=S"}, "delivered@filter:INPUT:1", "filter:INPUT:1=1"},
    {"item 11: Docker's nat OUTPUT --dst-type LOCAL rule does apply to it", "",
     "*nat\n:DOCKER - [0:0]\n-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER\n"
     "-A DOCKER -p tcp -m tcp --dport 8080 -j DNAT --to-destination 192.0.2.50:80\nCOMMIT\n",
     {"local tcp 0.0.0.0:40000 > 203.0.113.1:8080 flags=S"}, "sent", "nat:OUTPUT:1=1 nat:DOCKER:1=1"},
    {"item 11: SNAT/MASQUERADE rewrites the source on the way out", "\"ip_forward\":1",
     "*nat\n-A POSTROUTING -o wan1 -j MASQUERADE\nCOMMIT\n*filter\n-A FORWARD -s 203.0.113.1/32 -j DROP\nCOMMIT\n*mangle\n-A POSTROUTING -s 203.0.113.1/32\nCOMMIT\n",
     {"wire udp 192.0.2.50:4000 > 198.51.100.7:53 in=lan0", "wire udp 198.51.100.7:53 > 203.0.113.1:4000 in=wan1"},
     "forwarded forwarded", "nat:POSTROUTING:1=1"},
    {"item 11: two LAN hosts masqueraded from the same port get distinct replies", "\"ip_forward\":1",
     "*nat\n-A POSTROUTING -o wan1 -j MASQUERADE\nCOMMIT\n*filter\n-A FORWARD -d 192.0.2.50/32 -m state --state ESTABLISHED\n-A FORWARD -d 192.0.2.51/32 -m state --state ESTABLISHED\nCOMMIT\n",
     {"wire udp 192.0.2.50:5000 > 198.51.100.7:53 in=lan0", "wire udp 192.0.2.51:5000 > 198.51.100.7:53 in=lan0",
      "wire udp 198.51.100.7:53 > 203.0.113.1:5000 in=wan1", "wire udp 198.51.100.7:53 > 203.0.113.1:5001 in=wan1"},
     "forwarded forwarded forwarded forwarded", "nat:POSTROUTING:1=2 filter:FORWARD:1=1 filter:FORWARD:2=1",
     "the kernel picks the clashing connection's new port from a hash: the reply cannot be addressed to it in advance"},
    {"item 1 + 8: a mark set in mangle PREROUTING steers input routing (table alt via lan0)", "\"ip_forward\":1",
     "*mangle\n-A PREROUTING -i wan1 -d 198.51.100.9/32 -j MARK --set-mark 0x1\nCOMMIT\n*filter\n-A FORWARD -o lan0\n-A FORWARD -o wan1\nCOMMIT\n",
     {"wire udp 203.0.113.9:4000 > 198.51.100.9:53 in=wan1", "wire udp 203.0.113.9:4000 > 198.51.100.10:53 in=wan1"},
     "forwarded forwarded", "mangle:PREROUTING:1=1 filter:FORWARD:1=1 filter:FORWARD:2=1"},
    {"item 11: REDIRECT in OUTPUT maps to 127.0.0.1", "",
     "*nat\n-A OUTPUT -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 3128\nCOMMIT\n*filter\n-A INPUT -d 127.0.0.1/32 -i lo -p tcp -m tcp --dport 3128 -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n",
     {"local tcp 0.0.0.0:40000 > 198.51.100.7:80 flags=S"}, "delivered@filter:INPUT:1", "nat:OUTPUT:1=1 filter:INPUT:1=1"},
    {"item 11: a nat table that only ACCEPTs never sees a packet: no rule makes conntrack active", "",
     "*nat\n-A PREROUTING -j ACCEPT\n-A OUTPUT -j ACCEPT\nCOMMIT\n*filter\n-A INPUT -j ACCEPT\nCOMMIT\n",
     {"wire tcp 198.51.100.7:40000 > 203.0.113.1:22 in=wan1 flags=S", "local udp 0.0.0.0:4000 > 198.51.100.7:53"},
     "delivered@filter:INPUT:1 sent", "filter:INPUT:1=1"},
    {"item 11: nat never sees an INVALID packet", "",
     "*nat\n-A PREROUTING -j ACCEPT\nCOMMIT\n*filter\n-A INPUT -m conntrack --ctstate INVALID -j DROP\nCOMMIT\n",
     {"wire tcp 198.51.100.7:40000 > 203.0.113.1:22 in=wan1 flags=SF"}, "dropped:netfilter@filter:INPUT:1", "filter:INPUT:1=1"},

    // --- item 12: conntrack ---
    {"item 12: a local client's SYN is NEW in OUTPUT and NEW in INPUT; the reply is ESTABLISHED", "",
     "*filter\n-A OUTPUT -m state --state NEW\n-A INPUT -m state --state NEW\n-A INPUT -m state --state ESTABLISHED\nCOMMIT\n",
     {"local tcp 203.0.113.1:40000 > 203.0.113.1:22 flags=S", "local tcp 203.0.113.1:22 > 203.0.113.1:40000 flags=SA"},
     "delivered delivered", "filter:OUTPUT:1=1 filter:INPUT:1=1 filter:INPUT:2=1"},
    {"item 12: after the reply, the client's next packet is ESTABLISHED too", "",
     "*filter\n-A INPUT -m state --state NEW\n-A INPUT -m state --state ESTABLISHED\nCOMMIT\n",
     {"wire tcp 198.51.100.7:40000 > 203.0.113.1:22 in=wan1 flags=S", "local tcp 203.0.113.1:22 > 198.51.100.7:40000 flags=SA",
      "wire tcp 198.51.100.7:40000 > 203.0.113.1:22 in=wan1 flags=A"},
     "delivered sent delivered", "filter:INPUT:1=1 filter:INPUT:2=1"},
    {"item 12: a packet dropped before confirmation leaves no entry", "",
     "*filter\n-A INPUT -p tcp -m tcp --dport 22 -m recent --set --name once\n-A INPUT -m recent --rcheck --name once --hitcount 2 -m state --state NEW -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n",
     {"wire tcp 198.51.100.7:40000 > 203.0.113.1:22 in=wan1 flags=S t=0", "wire tcp 198.51.100.7:40000 > 203.0.113.1:22 in=wan1 flags=S t=1"},
     "dropped:netfilter@filter:INPUT:3 delivered@filter:INPUT:2", "filter:INPUT:1=2 filter:INPUT:2=1 filter:INPUT:3=1"},
    {"item 12: NOTRACK in raw PREROUTING does nothing to loopback packets", "",
     "*raw\n-A PREROUTING -i lo -j NOTRACK\nCOMMIT\n*filter\n-A INPUT -m state --state UNTRACKED -j DROP\nCOMMIT\n",
     {"local udp 127.0.0.1:4000 > 127.0.0.1:53"}, "delivered", "raw:PREROUTING:1=1"},
    {"item 12: NOTRACK in raw OUTPUT untracks it", "",
     "*raw\n-A OUTPUT -o lo -j NOTRACK\nCOMMIT\n*filter\n-A INPUT -m state --state UNTRACKED -j DROP\nCOMMIT\n",
     {"local udp 127.0.0.1:4000 > 127.0.0.1:53"}, "dropped:netfilter@filter:INPUT:1", "raw:OUTPUT:1=1 filter:INPUT:1=1"},
    {"item 12: a lone ACK is NEW with tcp_loose=1", "",
     "*filter\n-A INPUT -m state --state NEW -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n",
     {"wire tcp 198.51.100.7:40000 > 203.0.113.1:22 in=wan1 flags=A"}, "delivered@filter:INPUT:1", "filter:INPUT:1=1"},
    {"item 12: a lone ACK is INVALID with tcp_loose=0", "\"net.netfilter.nf_conntrack_tcp_loose\":0",
     "*filter\n-A INPUT -m state --state INVALID -j DROP\nCOMMIT\n",
     {"wire tcp 198.51.100.7:40000 > 203.0.113.1:22 in=wan1 flags=A"}, "dropped:netfilter@filter:INPUT:1", "filter:INPUT:1=1"},
    {"item 12: SYN+FIN is INVALID", "", "*filter\n-A INPUT -m conntrack --ctstate INVALID -j DROP\nCOMMIT\n",
     {"wire tcp 198.51.100.7:40000 > 203.0.113.1:22 in=wan1 flags=SF"}, "dropped:netfilter@filter:INPUT:1", "filter:INPUT:1=1"},
    {"item 12: ICMP echo request NEW, reply ESTABLISHED; an unsolicited reply INVALID", "",
     "*filter\n-A INPUT -m state --state NEW\n-A INPUT -m state --state ESTABLISHED\n-A INPUT -m state --state INVALID\nCOMMIT\n",
     {"local icmp 0.0.0.0 > 192.0.2.1 type=8", "local icmp 192.0.2.1 > 192.0.2.1 type=0", "wire icmp 198.51.100.7 > 203.0.113.1 in=wan1 type=0"},
     "delivered delivered delivered", "filter:INPUT:1=1 filter:INPUT:2=1 filter:INPUT:3=1"},
    {"item 12: an ICMP error about a tracked flow is RELATED", "",
     "*filter\n-A INPUT -m state --state RELATED -j ACCEPT\n-A INPUT -m state --state ESTABLISHED -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n",
     {"local udp 0.0.0.0:4000 > 198.51.100.7:53", "wire icmp 198.51.100.7 > 203.0.113.1 in=wan1 type=3/3 quoted=udp:203.0.113.1:4000>198.51.100.7:53",
      "wire icmp 198.51.100.7 > 203.0.113.1 in=wan1 type=3/3 quoted=udp:203.0.113.1:4001>198.51.100.7:53"},
     "sent delivered@filter:INPUT:1 dropped:netfilter@filter:INPUT:3", "filter:INPUT:1=1 filter:INPUT:3=1"},
    {"item 12: UDP reply is ESTABLISHED", "",
     "*filter\n-A INPUT -m state --state ESTABLISHED -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n",
     {"local udp 0.0.0.0:4000 > 198.51.100.7:53", "wire udp 198.51.100.7:53 > 203.0.113.1:4000 in=wan1", "wire udp 198.51.100.7:53 > 203.0.113.1:4001 in=wan1"},
     "sent delivered@filter:INPUT:1 dropped:netfilter@filter:INPUT:2", "filter:INPUT:1=1 filter:INPUT:2=1"},

    // --- issue 13 §5: TCP window tracking (the kernel's defaults unless a case says otherwise) ---
    // A forwarded connection from 192.0.2.50:40000 (lan0) to 198.51.100.7:443 (wan1); windows of
    // 1000 bytes; len=40 is a segment without data.
    {"tcp windows: a segment far beyond the receiver's window is INVALID", "\"ip_forward\":1", tcp_window_rules,
     {TCP_HANDSHAKE, "wire tcp 192.0.2.50:40000 > 198.51.100.7:443 in=lan0 flags=PA seq=10000 ack=5001 win=1000 len=140"},
     "forwarded forwarded forwarded dropped:netfilter@filter:FORWARD:1", "filter:FORWARD:1=1 filter:FORWARD:2=1 filter:FORWARD:3=2"},
    {"tcp windows: data just past the window is let through (the kernel's tolerance)", "\"ip_forward\":1", tcp_window_rules,
     {TCP_HANDSHAKE, "wire tcp 192.0.2.50:40000 > 198.51.100.7:443 in=lan0 flags=PA seq=1001 ack=5001 win=1000 len=1140"},
     "forwarded forwarded forwarded forwarded", "filter:FORWARD:2=1 filter:FORWARD:3=3"},
    {"tcp windows: acknowledging data never sent is INVALID", "\"ip_forward\":1", tcp_window_rules,
     {TCP_HANDSHAKE, "wire tcp 198.51.100.7:443 > 192.0.2.50:40000 in=wan1 flags=A seq=5001 ack=9999 win=1000 len=40"},
     "forwarded forwarded forwarded dropped:netfilter@filter:FORWARD:1", "filter:FORWARD:1=1 filter:FORWARD:2=1 filter:FORWARD:3=2"},
    {"tcp windows: with nf_conntrack_tcp_be_liberal=1 it is ESTABLISHED", "\"ip_forward\":1,\"net.netfilter.nf_conntrack_tcp_be_liberal\":1",
     tcp_window_rules,
     {TCP_HANDSHAKE, "wire tcp 198.51.100.7:443 > 192.0.2.50:40000 in=wan1 flags=A seq=5001 ack=9999 win=1000 len=40"},
     "forwarded forwarded forwarded forwarded", "filter:FORWARD:2=1 filter:FORWARD:3=3"},
    {"tcp windows: a stale retransmission of acknowledged data stays ESTABLISHED", "\"ip_forward\":1", tcp_window_rules,
     {TCP_HANDSHAKE, "wire tcp 192.0.2.50:40000 > 198.51.100.7:443 in=lan0 flags=PA seq=1001 ack=5001 win=1000 len=540",
      "wire tcp 198.51.100.7:443 > 192.0.2.50:40000 in=wan1 flags=A seq=5001 ack=1501 win=1000 len=40",
      "wire tcp 192.0.2.50:40000 > 198.51.100.7:443 in=lan0 flags=PA seq=1501 ack=5001 win=1000 len=1040",
      "wire tcp 198.51.100.7:443 > 192.0.2.50:40000 in=wan1 flags=A seq=5001 ack=2501 win=1000 len=40",
      "wire tcp 192.0.2.50:40000 > 198.51.100.7:443 in=lan0 flags=PA seq=1001 ack=5001 win=1000 len=140"},
     "forwarded forwarded forwarded forwarded forwarded forwarded forwarded forwarded", "filter:FORWARD:2=1 filter:FORWARD:3=7"},
    {"tcp windows: a reset before what the other side acknowledged is INVALID", "\"ip_forward\":1", tcp_window_rules,
     {TCP_HANDSHAKE, "wire tcp 192.0.2.50:40000 > 198.51.100.7:443 in=lan0 flags=R seq=500 win=0 len=40"},
     "forwarded forwarded forwarded dropped:netfilter@filter:FORWARD:1", "filter:FORWARD:1=1 filter:FORWARD:2=1 filter:FORWARD:3=2"},
    {"tcp windows: with nf_conntrack_tcp_ignore_invalid_rst=1 that reset is ESTABLISHED",
     "\"ip_forward\":1,\"net.netfilter.nf_conntrack_tcp_ignore_invalid_rst\":1", tcp_window_rules,
     {TCP_HANDSHAKE, "wire tcp 192.0.2.50:40000 > 198.51.100.7:443 in=lan0 flags=R seq=500 win=0 len=40"},
     "forwarded forwarded forwarded forwarded", "filter:FORWARD:2=1 filter:FORWARD:3=3"},
    {"tcp windows: window scaling both sides offered widens the window", "\"ip_forward\":1", tcp_window_rules,
     {"wire tcp 192.0.2.50:40000 > 198.51.100.7:443 in=lan0 flags=S seq=1000 win=1000 wscale=7 len=44",
      "wire tcp 198.51.100.7:443 > 192.0.2.50:40000 in=wan1 flags=SA seq=5000 ack=1001 win=100 wscale=7 len=44",
      "wire tcp 192.0.2.50:40000 > 198.51.100.7:443 in=lan0 flags=A seq=1001 ack=5001 win=1000 len=40",
      "wire tcp 198.51.100.7:443 > 192.0.2.50:40000 in=wan1 flags=A seq=5001 ack=1001 win=100 len=40",
      "wire tcp 192.0.2.50:40000 > 198.51.100.7:443 in=lan0 flags=PA seq=5000 ack=5001 win=1000 len=140"},
     "forwarded forwarded forwarded forwarded forwarded", "filter:FORWARD:2=1 filter:FORWARD:3=4"},
    {"tcp windows: offered by one side only, no scaling: the same segment is INVALID", "\"ip_forward\":1", tcp_window_rules,
     {"wire tcp 192.0.2.50:40000 > 198.51.100.7:443 in=lan0 flags=S seq=1000 win=1000 wscale=7 len=44",
      "wire tcp 198.51.100.7:443 > 192.0.2.50:40000 in=wan1 flags=SA seq=5000 ack=1001 win=100 len=40",
      "wire tcp 192.0.2.50:40000 > 198.51.100.7:443 in=lan0 flags=A seq=1001 ack=5001 win=1000 len=40",
      "wire tcp 198.51.100.7:443 > 192.0.2.50:40000 in=wan1 flags=A seq=5001 ack=1001 win=100 len=40",
      "wire tcp 192.0.2.50:40000 > 198.51.100.7:443 in=lan0 flags=PA seq=5000 ack=5001 win=1000 len=140"},
     "forwarded forwarded forwarded forwarded dropped:netfilter@filter:FORWARD:1",
     "filter:FORWARD:1=1 filter:FORWARD:2=1 filter:FORWARD:3=3"},
    {"tcp windows: a SYN after a reset reopens: the old entry goes, the SYN is NEW", "\"ip_forward\":1", tcp_window_rules,
     {TCP_HANDSHAKE, "wire tcp 192.0.2.50:40000 > 198.51.100.7:443 in=lan0 flags=R seq=1001 win=0 len=40",
      "wire tcp 192.0.2.50:40000 > 198.51.100.7:443 in=lan0 flags=S seq=2000 win=1000 len=40"},
     "forwarded forwarded forwarded forwarded forwarded", "filter:FORWARD:2=2 filter:FORWARD:3=3"},
    {"tcp windows: a reset as the only answer ends the entry: the next ACK is NEW", "\"ip_forward\":1", tcp_window_rules,
     {"wire tcp 192.0.2.50:40000 > 198.51.100.7:443 in=lan0 flags=S seq=1000 win=1000 len=40",
      "wire tcp 198.51.100.7:443 > 192.0.2.50:40000 in=wan1 flags=RA seq=0 ack=1001 win=0 len=40",
      "wire tcp 192.0.2.50:40000 > 198.51.100.7:443 in=lan0 flags=A seq=1001 ack=1 win=1000 len=40"},
     "forwarded forwarded forwarded", "filter:FORWARD:2=2 filter:FORWARD:3=1"},

    {"nat: a null binding whose reply tuple is taken gets another source port (get_unique_tuple)", "\"ip_forward\":1",
     "*nat\n-A PREROUTING -i wan1 -p tcp -j DNAT --to-destination 192.0.2.51\nCOMMIT\n*filter\n-A INPUT\n-A FORWARD\n-A OUTPUT\nCOMMIT\n",
     {"wire tcp 198.51.100.7:30001 > 192.0.2.1:8080 in=wan1 flags=A seq=1120 ack=77 len=40",
      "local tcp 192.0.2.1:8080 > 198.51.100.7:30001 flags=A seq=5000 ack=1120 len=40",
      "wire tcp 198.51.100.7:30001 > 192.0.2.1:8080 in=wan1 flags=A seq=1120 ack=77 len=40"},
     "forwarded sent forwarded", "nat:PREROUTING:1=1 filter:FORWARD:1=2 filter:OUTPUT:1=1"},

    // --- item 13: addrtype ---
    {"item 13: --dst-type LOCAL covers every own address and 127/8, whatever the interface", "",
     "*filter\n-A INPUT -m addrtype --dst-type LOCAL -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n",
     {"wire udp 198.51.100.7:4000 > 192.0.2.1:53 in=wan1", "local udp 0.0.0.0:4000 > 127.0.0.9:53"}, "delivered@filter:INPUT:1 delivered@filter:INPUT:1", "filter:INPUT:1=2"},
    {"item 13: --limit-iface-in restricts to the arrival interface's addresses", "",
     "*filter\n-A INPUT -m addrtype --dst-type LOCAL --limit-iface-in -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n",
     {"wire udp 198.51.100.7:4000 > 192.0.2.1:53 in=wan1", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1"},
     "dropped:netfilter@filter:INPUT:2 delivered@filter:INPUT:1", "filter:INPUT:1=1 filter:INPUT:2=1"},

    // --- item 14: counters ---
    {"item 14: bytes are the IP datagram length, policies count falls and RETURNs", "",
     "*filter\n:INPUT DROP [0:0]\n:sub - [0:0]\n-A INPUT -j sub\n-A sub -p udp -j RETURN\nCOMMIT\n",
     {"wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=1234"}, "dropped:netfilter@filter:INPUT:0", "filter:INPUT:1=1 filter:sub:1=1 filter:INPUT:P=1"},
    {"hashlimit byte rates: a bucket holds a second's credit and a packet costs its 16-byte chunks (4 datagrams of 1000 bytes at "
     "4kb/s); a burst refills the empty bucket whole, burst over rate times (8kb: twice)", "",
     "*filter\n-A INPUT -p udp -m hashlimit --hashlimit-upto 4kb/s --hashlimit-name bytes\n"
     "-A INPUT -p udp -m hashlimit --hashlimit-upto 4kb/s --hashlimit-burst 8kb --hashlimit-name refills\nCOMMIT\n",
     {"wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=1000 t=0.000", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=1000 t=0.001", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=1000 t=0.002", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=1000 t=0.003", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=1000 t=0.004", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=1000 t=0.005", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=1000 t=0.006", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=1000 t=0.007", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=1000 t=0.008", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=1000 t=0.009", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=1000 t=0.010", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=1000 t=0.011", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=1000 t=0.012", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=1000 t=0.013"},
     "delivered delivered delivered delivered delivered delivered delivered delivered delivered delivered delivered delivered delivered delivered", "filter:INPUT:1=4 filter:INPUT:2=12"},
    {"hashlimit --hashlimit-rate-match counts per window and never limits: up to the rate plus the burst in a window (3/sec and 2: "
     "5); a window over the rate fails the whole next one (3/sec: 10 packets in the first; 16b/s: 5000 bytes, then 500)", "",
     "*filter\n-A INPUT -p udp -m hashlimit --hashlimit-upto 3/sec --hashlimit-burst 2 --hashlimit-name packets --hashlimit-rate-match "
     "--hashlimit-htable-expire 10000\n"
     "-A INPUT -p udp -m hashlimit --hashlimit-upto 16b/s --hashlimit-burst 2kb --hashlimit-name window --hashlimit-rate-match\nCOMMIT\n",
     {"wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=500 t=0.000", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=500 t=0.001", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=500 t=0.002", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=500 t=0.003", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=500 t=0.004", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=500 t=0.005", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=500 t=0.006", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=500 t=0.007", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=500 t=0.008", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=500 t=0.009", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=500 t=1.200", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=500 t=2.400"},
     "delivered delivered delivered delivered delivered delivered delivered delivered delivered delivered delivered delivered", "filter:INPUT:1=6 filter:INPUT:2=4"},
    {"hashlimit buckets expire after the rate's unit unless --hashlimit-htable-expire says otherwise (1/sec: a second), and the "
     "table's garbage collection frees them: a bucket idle for 4.5 s starts full again (the collection's timer is deferrable: an "
     "idle CPU may run it late, so the idle time leaves it three and a half seconds)",
     "",
     "*filter\n-A INPUT -p udp -m hashlimit --hashlimit-upto 1/sec --hashlimit-name expiry\nCOMMIT\n",
     {"wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=100 t=0.000", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=100 t=0.001", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=100 t=0.002", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=100 t=0.003", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=100 t=0.004", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=100 t=0.005", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=100 t=4.500", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=100 t=4.501", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=100 t=4.502", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 len=100 t=4.503"},
     "delivered delivered delivered delivered delivered delivered delivered delivered delivered delivered", "filter:INPUT:1=9"},
    {"hashlimit rules that share a name share the first loaded rule's rate, burst and key (found on a home router's ruleset)", "",
     "*filter\n-A INPUT -m hashlimit --hashlimit-above 1000/sec --hashlimit-burst 5 --hashlimit-mode srcip --hashlimit-name s -j DROP\n"
     "-A INPUT -m hashlimit --hashlimit-above 1/min --hashlimit-burst 1 --hashlimit-mode dstip --hashlimit-name s -j DROP\n"
     "-A INPUT -j ACCEPT\nCOMMIT\n",
     {"wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1", "wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1 t=0.001"},
     "delivered@filter:INPUT:3 delivered@filter:INPUT:3", "filter:INPUT:3=2"},

    // --- the kernel's own packets (issue 13 §1) ---
    {"REJECT answers leave through OUTPUT and POSTROUTING, RELATED to the rejected packet's entry; the reset walks nat POSTROUTING, "
     "the ICMP errors do not; a forwarded packet with TTL 1 gets a time exceeded", "\"ip_forward\":1",
     "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
     "-A POSTROUTING -p tcp -m tcp --tcp-flags RST RST\nCOMMIT\n"
     "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
     "-A INPUT -p tcp -m tcp --dport 23 -j REJECT --reject-with tcp-reset\n-A INPUT -p udp -j REJECT\n"
     "-A OUTPUT -m conntrack --ctstate RELATED --ctdir REPLY\n-A OUTPUT -p icmp -m icmp --icmp-type 3/3\nCOMMIT\n",
     {"wire tcp 198.51.100.7:40000 > 203.0.113.1:23 in=wan1 flags=S", "wire udp 198.51.100.7:5000 > 203.0.113.1:53 in=wan1",
      "wire udp 198.51.100.7:5001 > 192.0.2.50:53 in=wan1 ttl=1"},
     "rejected:netfilter@filter:INPUT:1 rejected:netfilter@filter:INPUT:2 dropped:ttl_exceeded",
     "nat:PREROUTING:P=3 filter:INPUT:1=1 filter:INPUT:2=1 nat:POSTROUTING:1=1 nat:POSTROUTING:P=1 filter:OUTPUT:1=3 filter:OUTPUT:2=1 filter:OUTPUT:P=3"},
    {"routing's refusals while forwarding answer (ip_error): host unreachable for an unreachable route, packet filtered for a "
     "prohibit route, nothing for a blackhole; each is RELATED to the refused packet's entry; a source gets five at once, then "
     "one a second (route/error_cost), so the sixth from a source within a second is withheld", "\"ip_forward\":1",
     "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
     "-A OUTPUT -p icmp -m icmp --icmp-type 3/1\n-A OUTPUT -p icmp -m icmp --icmp-type 3/13\n-A OUTPUT -m conntrack --ctstate RELATED\nCOMMIT\n",
     {"wire udp 198.51.100.7:5000 > 198.51.100.33:53 in=wan1", "wire udp 198.51.100.8:5000 > 198.51.100.49:53 in=wan1",
      "wire udp 198.51.100.9:5000 > 198.51.100.200:53 in=wan1", "wire udp 198.51.100.7:5001 > 198.51.100.34:53 in=wan1",
      "wire udp 198.51.100.7:5002 > 198.51.100.35:53 in=wan1", "wire udp 198.51.100.7:5003 > 198.51.100.36:53 in=wan1",
      "wire udp 198.51.100.7:5004 > 198.51.100.37:53 in=wan1", "wire udp 198.51.100.7:5005 > 198.51.100.38:53 in=wan1"},
     "dropped:route_unreachable dropped:route_prohibit dropped:route_blackhole dropped:route_unreachable dropped:route_unreachable "
     "dropped:route_unreachable dropped:route_unreachable dropped:route_unreachable",
     "filter:OUTPUT:1=5 filter:OUTPUT:2=1 filter:OUTPUT:3=6 filter:OUTPUT:P=6",
     "unpaced, the oracle's icmp_ratelimit is 0, and icmp_send's bucket check caps the peer's tokens at 0 when a jiffy has "
     "passed since ip_error's: on a slow machine (ASan) a source's second error within a second may then be withheld. The "
     "next case checks the first answer per source, which no race changes"},
    {"routing's refusals while forwarding: each source's first error is sent, whatever jiffy icmp_send runs in",
     "\"ip_forward\":1",
     "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
     "-A OUTPUT -p icmp -m icmp --icmp-type 3/1\n-A OUTPUT -p icmp -m icmp --icmp-type 3/13\n-A OUTPUT -m conntrack --ctstate RELATED\nCOMMIT\n",
     {"wire udp 198.51.100.7:5000 > 198.51.100.33:53 in=wan1", "wire udp 198.51.100.8:5000 > 198.51.100.49:53 in=wan1",
      "wire udp 198.51.100.9:5000 > 198.51.100.200:53 in=wan1", "wire udp 198.51.100.10:5001 > 198.51.100.34:53 in=wan1"},
     "dropped:route_unreachable dropped:route_prohibit dropped:route_blackhole dropped:route_unreachable",
     "filter:OUTPUT:1=2 filter:OUTPUT:2=1 filter:OUTPUT:3=3 filter:OUTPUT:P=3"},
    {"a packet forwarded back out of its arrival device, from a source on that link, gets a redirect naming the next hop "
     "(the destination, or the route's gateway), sent before FORWARD decides and RELATED to the packet's entry; a source "
     "reached through a gateway gets none", "\"ip_forward\":1",
     "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -p udp -m udp --dport 9 -j DROP\n"
     "-A OUTPUT -p icmp -m icmp --icmp-type 5/1\n-A OUTPUT -m conntrack --ctstate RELATED\nCOMMIT\n",
     {"wire udp 192.0.2.50:4000 > 192.0.2.60:53 in=lan0", "wire udp 203.0.113.9:4000 > 198.51.100.7:9 in=wan1",
      "wire udp 198.51.100.7:4000 > 203.0.113.50:53 in=wan1"},
     "forwarded dropped:netfilter@filter:FORWARD:1 forwarded",
     "filter:FORWARD:1=1 filter:FORWARD:P=2 filter:OUTPUT:1=2 filter:OUTPUT:2=2 filter:OUTPUT:P=2"},
    {"with NAT in use, that redirect dies in nat OUTPUT: the packet's source manip is not set up yet when it is sent "
     "(nf_nat_icmp_reply_translation)", "\"ip_forward\":1",
     "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
     "-A POSTROUTING -o nowhere0 -j MASQUERADE\nCOMMIT\n"
     "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p icmp\nCOMMIT\n",
     {"wire udp 192.0.2.50:4000 > 192.0.2.60:53 in=lan0"}, "forwarded", "nat:PREROUTING:P=1 nat:POSTROUTING:P=1 filter:FORWARD:P=1"},
    {"forwarding refuses a DF datagram larger than the way out's MTU with fragmentation needed (3/4) naming that MTU, before the "
     "TTL is decremented and before FORWARD; without DF it is forwarded (fragmented after POSTROUTING, counted once)",
     "\"ip_forward\":1",
     "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p icmp -m icmp --icmp-type 3/4\n"
     "-A OUTPUT -m conntrack --ctstate RELATED\nCOMMIT\n",
     {"wire udp 198.51.100.7:4000 > 192.0.2.50:53 in=wan1 len=1450", "wire udp 198.51.100.7:4001 > 192.0.2.50:53 in=wan1 len=1450 df=0",
      "wire udp 198.51.100.7:4002 > 192.0.2.50:53 in=wan1 len=1400"},
     "dropped:fragmentation_needed forwarded forwarded", "filter:FORWARD:P=2 filter:OUTPUT:1=1 filter:OUTPUT:2=1 filter:OUTPUT:P=1"},
    {"a route's mtu metric is the way out's MTU when forwarding (ip_dst_mtu_maybe_forward), not the device's", "\"ip_forward\":1",
     "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p icmp -m icmp --icmp-type 3/4\n"
     "-A OUTPUT -m conntrack --ctstate RELATED\nCOMMIT\n",
     {"wire udp 192.0.2.50:4000 > 198.51.100.70:53 in=lan0 len=1350", "wire udp 192.0.2.50:4001 > 198.51.100.70:53 in=lan0 len=1300",
      "wire udp 192.0.2.50:4002 > 198.51.100.7:53 in=lan0 len=1350"},
     "dropped:fragmentation_needed forwarded forwarded", "filter:FORWARD:P=2 filter:OUTPUT:1=1 filter:OUTPUT:2=1 filter:OUTPUT:P=1"},
    {"the host's stack answers TCP for its sockets: a listener a SYN with a SYN-ACK (the options the SYN offered) and an ACK "
     "with a reset, nothing for SYN+FIN or a reset; no listener (an IPv6-only one, one bound to lo for another address): a "
     "reset; each is a new local packet of the reply direction; a reply on the host's own connection is its socket's",
     "", "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
     "-A OUTPUT -p tcp -m tcp --tcp-flags SYN,ACK,RST SYN,ACK\n-A OUTPUT -p tcp -m tcp --tcp-flags RST RST\n"
     "-A OUTPUT -m conntrack --ctstate ESTABLISHED\n-A OUTPUT -m conntrack --ctstate INVALID\nCOMMIT\n",
     {"wire tcp 198.51.100.7:40000 > 203.0.113.1:22 in=wan1 flags=S seq=1000 mss=1460 sackok wscale=7",
      "wire tcp 198.51.100.7:40001 > 203.0.113.1:80 in=wan1 flags=S seq=2000",
      "wire tcp 198.51.100.7:40002 > 203.0.113.1:443 in=wan1 flags=S seq=3000",
      "wire tcp 198.51.100.7:40003 > 203.0.113.1:23 in=wan1 flags=S seq=4000",
      "wire tcp 198.51.100.7:40004 > 203.0.113.1:22 in=wan1 flags=A seq=5000 ack=7000",
      "wire tcp 198.51.100.7:40005 > 203.0.113.1:22 in=wan1 flags=SF seq=6000",
      "wire tcp 198.51.100.7:40006 > 203.0.113.1:23 in=wan1 flags=R seq=1",
      "wire tcp 198.51.100.7:40007 > 192.0.2.1:25 in=wan1 flags=S seq=8000",
      "local tcp 127.0.0.1:45000 > 127.0.0.1:25 flags=S seq=9000",
      "local tcp 127.0.0.1:45001 > 127.0.0.1:26 flags=S seq=9100",
      "local tcp 203.0.113.1:45010 > 198.51.100.7:80 flags=S seq=9200",
      "wire tcp 198.51.100.7:80 > 203.0.113.1:45010 in=wan1 flags=SA seq=300 ack=9201"},
     "delivered delivered delivered delivered delivered delivered delivered delivered delivered delivered sent delivered",
     "filter:OUTPUT:1=3 filter:OUTPUT:2=5 filter:OUTPUT:3=8 filter:OUTPUT:P=11 filter:INPUT:P=13", nullptr, router_sockets},
    {"the host's stack answers UDP for its sockets: a datagram to a port no socket holds gets port unreachable, RELATED, over lo "
     "for the host's own; none for a bound port or a broadcast",
     "", "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
     "-A OUTPUT -p icmp -m icmp --icmp-type 3/3\n-A OUTPUT -m conntrack --ctstate RELATED\nCOMMIT\n",
     {"wire udp 198.51.100.7:5000 > 203.0.113.1:53 in=wan1", "wire udp 198.51.100.7:5001 > 203.0.113.1:5353 in=wan1",
      "wire udp 203.0.113.9:5002 > 203.0.113.255:5353 in=wan1", "local udp 127.0.0.1:45002 > 127.0.0.1:9999",
      "local udp 0.0.0.0:45003 > 203.0.113.1:53"},
     "delivered delivered delivered delivered delivered",
     "filter:OUTPUT:1=2 filter:OUTPUT:2=2 filter:OUTPUT:P=4 filter:INPUT:P=6", nullptr, router_sockets},
    {"the host's stack answers an echo request with an echo reply of its length, ESTABLISHED; not one sent to a broadcast "
     "address (icmp_echo_ignore_broadcasts), nor an echo reply",
     "", "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
     "-A OUTPUT -p icmp -m icmp --icmp-type 0\n-A OUTPUT -m conntrack --ctstate ESTABLISHED\nCOMMIT\n",
     {"wire icmp 198.51.100.7 > 203.0.113.1 in=wan1 type=8 id=7 len=84", "wire icmp 203.0.113.9 > 203.0.113.255 in=wan1 type=8 id=8",
      "local icmp 127.0.0.1 > 127.0.0.1 type=8 id=9", "wire icmp 198.51.100.7 > 203.0.113.1 in=wan1 type=0 id=10"},
     "delivered delivered delivered delivered", "filter:OUTPUT:1=2 filter:OUTPUT:2=2 filter:OUTPUT:P=3 filter:INPUT:P=5", nullptr,
     router_sockets},
    {"with icmp_echo_ignore_broadcasts 0 an echo request to a broadcast address is answered from the arrival device's address",
     "\"net.ipv4.icmp_echo_ignore_broadcasts\":0", "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
     "-A OUTPUT -s 203.0.113.1/32 -p icmp -m icmp --icmp-type 0\nCOMMIT\n",
     {"wire icmp 203.0.113.9 > 203.0.113.255 in=wan1 type=8 id=8", "wire icmp 203.0.113.9 > 255.255.255.255 in=wan1 type=8 id=9"},
     "delivered delivered", "filter:OUTPUT:1=2 filter:OUTPUT:P=2 filter:INPUT:P=2", nullptr, router_sockets},
    // --- fragments: conntrack's defrag before PREROUTING, local delivery's before INPUT ---
    {"fragments: with conntrack, nf_defrag_ipv4 holds the first fragment; the datagram passes every hook once, at its whole length",
     "", "*mangle\n-A PREROUTING -p udp -m udp --dport 53\n-A PREROUTING -f\nCOMMIT\n"
     "*filter\n-A INPUT -p udp -m udp --dport 53 -m state --state NEW\n-A INPUT -f\nCOMMIT\n",
     {"wire udp 198.51.100.7:5000 > 203.0.113.1:53 in=wan1 mf=1 fragid=7 len=1500 datagram=2000",
      "wire udp 198.51.100.7:5000 > 203.0.113.1:53 in=wan1 fragoff=1480 fragid=7 len=520"},
     "held delivered", "mangle:PREROUTING:1=1 filter:INPUT:1=1"},
    {"fragments: without conntrack each passes PREROUTING (a later one has no ports, -f matches it); local delivery reassembles before INPUT",
     "", "*mangle\n-A PREROUTING -p udp\n-A PREROUTING -p udp -m udp --dport 53\n-A PREROUTING -f\nCOMMIT\n"
     "*filter\n-A INPUT -p udp -m udp --dport 53\n-A INPUT -f\nCOMMIT\n",
     {"wire udp 198.51.100.7:5000 > 203.0.113.1:53 in=wan1 mf=1 fragid=8 len=1500 datagram=2000",
      "wire udp 198.51.100.7:5000 > 203.0.113.1:53 in=wan1 fragoff=1480 fragid=8 len=520"},
     "held delivered", "mangle:PREROUTING:1=2 mangle:PREROUTING:2=1 mangle:PREROUTING:3=1 filter:INPUT:1=1"},
    {"fragments: -m socket turns nf_defrag_ipv4 on without conntrack (xt_socket's checkentry): the datagram passes PREROUTING once, whole",
     "", "*mangle\n-A PREROUTING -p udp\n-A PREROUTING -p udp -m udp --dport 53\n-A PREROUTING -f\n-A PREROUTING -m socket\nCOMMIT\n"
     "*filter\n-A INPUT -p udp -m udp --dport 53\n-A INPUT -f\nCOMMIT\n",
     {"wire udp 198.51.100.7:5000 > 203.0.113.1:53 in=wan1 mf=1 fragid=10 len=1500 datagram=2000",
      "wire udp 198.51.100.7:5000 > 203.0.113.1:53 in=wan1 fragoff=1480 fragid=10 len=520"},
     "held delivered", "mangle:PREROUTING:1=1 mangle:PREROUTING:2=1 filter:INPUT:1=1"},
    {"fragments: the last may come first, and a fragment whose bytes are queued already is dropped; the stack answers the "
     "whole datagram (port unreachable, RELATED)",
     "", "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
     "-A INPUT -p udp -m state --state NEW\n-A OUTPUT -p icmp -m icmp --icmp-type 3/3 -m state --state RELATED\nCOMMIT\n",
     {"wire udp 198.51.100.7:5000 > 203.0.113.1:5353 in=wan1 fragoff=1480 fragid=9 len=520",
      "wire udp 198.51.100.7:5000 > 203.0.113.1:5353 in=wan1 fragoff=1480 fragid=9 len=520",
      "wire udp 198.51.100.7:5000 > 203.0.113.1:5353 in=wan1 mf=1 fragid=9 len=1500 datagram=2000"},
     "held dropped:reassembly delivered", "filter:INPUT:1=1 filter:INPUT:P=1 filter:OUTPUT:1=1 filter:OUTPUT:P=1", nullptr, router_sockets},
    {"fragments: one that overlaps queued bytes discards its datagram (RFC 5722); the next fragment starts a new one",
     "", "*filter\n-A INPUT -p udp -m state --state NEW\nCOMMIT\n",
     {"wire udp 198.51.100.7:5000 > 203.0.113.1:53 in=wan1 mf=1 fragid=10 len=1500 datagram=2000",
      "wire udp 198.51.100.7:5000 > 203.0.113.1:53 in=wan1 fragoff=1472 fragid=10 len=548",
      "wire udp 198.51.100.7:5000 > 203.0.113.1:53 in=wan1 fragoff=1480 fragid=10 len=520",
      "wire udp 198.51.100.7:5000 > 203.0.113.1:53 in=wan1 mf=1 fragid=10 len=1500 datagram=2000"},
     "held dropped:reassembly held delivered", "filter:INPUT:1=1"},
    {"fragments: a forwarded datagram larger than lan0's MTU leaves in fragments (no DF); with DF and a fragment over the MTU it "
     "is refused (fragmentation needed, from the largest fragment)",
     "\"ip_forward\":1", "*filter\n-A FORWARD -p udp -m state --state NEW\n-A OUTPUT -p icmp -m icmp --icmp-type 3/4\nCOMMIT\n"
     "*mangle\n-A POSTROUTING -o lan0\nCOMMIT\n",
     {"wire udp 198.51.100.7:5000 > 192.0.2.50:53 in=wan1 mf=1 fragid=11 len=1380 datagram=2000",
      "wire udp 198.51.100.7:5000 > 192.0.2.50:53 in=wan1 fragoff=1360 fragid=11 len=640",
      "wire udp 198.51.100.7:5001 > 192.0.2.50:53 in=wan1 mf=1 fragid=12 len=1380 datagram=2000 df=1",
      "wire udp 198.51.100.7:5001 > 192.0.2.50:53 in=wan1 fragoff=1360 fragid=12 len=640 df=1",
      "wire udp 198.51.100.7:5002 > 192.0.2.50:53 in=wan1 mf=1 fragid=13 len=1500 datagram=2000 df=1",
      "wire udp 198.51.100.7:5002 > 192.0.2.50:53 in=wan1 fragoff=1480 fragid=13 len=520 df=1"},
     "held forwarded held forwarded held dropped:fragmentation_needed",
     "filter:FORWARD:1=2 mangle:POSTROUTING:1=2 filter:OUTPUT:1=1"},
    {"ah and esp: the SPI of IPv4's upper-layer header (-p ah, -p esp); a later fragment has none", "\"ip_forward\":1",
     "*mangle\n-A PREROUTING -p ah -m ah --ahspi 500:600\n-A PREROUTING -p ah -m ah ! --ahspi 500:600\n"
     "-A PREROUTING -p esp -m esp --espspi 7\n-A PREROUTING -p esp -m esp ! --espspi 7:9\n-A PREROUTING -p esp\nCOMMIT\n",
     {"wire ah 198.51.100.7 > 192.0.2.50 in=wan1 ahspi=550", "wire ah 198.51.100.7 > 192.0.2.50 in=wan1 ahspi=9",
      "wire esp 198.51.100.7 > 192.0.2.50 in=wan1 espspi=7", "wire esp 198.51.100.7 > 192.0.2.50 in=wan1 espspi=10",
      "wire esp 198.51.100.7 > 192.0.2.50 in=wan1 fragoff=1480 fragid=5 len=100"},
     "forwarded forwarded forwarded forwarded forwarded",
     "mangle:PREROUTING:1=1 mangle:PREROUTING:2=1 mangle:PREROUTING:3=1 mangle:PREROUTING:4=1 mangle:PREROUTING:5=3"},
    {"hashlimit's port modes read the 32 bits at proto_ports_offset: ESP's SPI (its low half a destination port), AH's SPI four "
     "bytes in, and 0 for a protocol without ports (ICMP, GRE)",
     "\"ip_forward\":1",
     "*mangle\n-A PREROUTING -m hashlimit --hashlimit-upto 1/hour --hashlimit-burst 1 --hashlimit-mode dstport --hashlimit-name spi\n"
     "-A PREROUTING -m hashlimit --hashlimit-upto 1/hour --hashlimit-burst 1 --hashlimit-mode srcport --hashlimit-name spihigh\nCOMMIT\n",
     {"wire esp 198.51.100.7 > 192.0.2.50 in=wan1 espspi=66048", "wire esp 198.51.100.7 > 192.0.2.50 in=wan1 espspi=131584",
      "wire esp 198.51.100.7 > 192.0.2.50 in=wan1 espspi=66304", "wire icmp 198.51.100.7 > 192.0.2.50 in=wan1 type=8",
      "wire 47 198.51.100.7 > 192.0.2.50 in=wan1", "wire ah 198.51.100.7 > 192.0.2.50 in=wan1 ahspi=1024",
      "wire udp 198.51.100.7:5000 > 192.0.2.50:53 in=wan1"},
     "forwarded forwarded forwarded forwarded forwarded forwarded forwarded",
     "mangle:PREROUTING:1=5 mangle:PREROUTING:2=4"},
    {"ecn: TCP's ECE and CWR flags (each negated on its own) and the IP header's ECN field", "\"ip_forward\":1",
     "*mangle\n-A PREROUTING -p tcp -m ecn --ecn-tcp-ece --ecn-tcp-cwr\n-A PREROUTING -p tcp -m ecn ! --ecn-tcp-ece\n"
     "-A PREROUTING -m ecn --ecn-ip-ect 2\n-A PREROUTING -m ecn ! --ecn-ip-ect 0\nCOMMIT\n",
     {"wire tcp 198.51.100.7:40000 > 192.0.2.50:80 in=wan1 flags=SEC", "wire tcp 198.51.100.7:40001 > 192.0.2.50:80 in=wan1 flags=S tos=2",
      "wire udp 198.51.100.7:5000 > 192.0.2.50:53 in=wan1 tos=3"},
     "forwarded forwarded forwarded", "mangle:PREROUTING:1=1 mangle:PREROUTING:2=1 mangle:PREROUTING:3=1 mangle:PREROUTING:4=2"},
    {"tcpmss: the MSS option's value; a SYN without the option matches only negated", "\"ip_forward\":1",
     "*mangle\n-A PREROUTING -p tcp -m tcpmss --mss 1400:1460\n-A PREROUTING -p tcp -m tcpmss ! --mss 536\nCOMMIT\n",
     {"wire tcp 198.51.100.7:40000 > 192.0.2.50:80 in=wan1 flags=S mss=1460", "wire tcp 198.51.100.7:40001 > 192.0.2.50:80 in=wan1 flags=S mss=536",
      "wire tcp 198.51.100.7:40002 > 192.0.2.50:80 in=wan1 flags=S"},
     "forwarded forwarded forwarded", "mangle:PREROUTING:1=1 mangle:PREROUTING:2=2"},
    {"quota: a rule's bytes taken off packet by packet; one that does not fit spends the rest (negated: matches from then on)",
     "\"ip_forward\":1", "*mangle\n-A PREROUTING -p udp -m quota --quota 250\n-A PREROUTING -p udp -m quota ! --quota 100\nCOMMIT\n",
     {"wire udp 198.51.100.7:5000 > 192.0.2.50:53 in=wan1 len=100", "wire udp 198.51.100.7:5000 > 192.0.2.50:53 in=wan1 len=100",
      "wire udp 198.51.100.7:5000 > 192.0.2.50:53 in=wan1 len=100", "wire udp 198.51.100.7:5000 > 192.0.2.50:53 in=wan1 len=40"},
     "forwarded forwarded forwarded forwarded", "mangle:PREROUTING:1=2 mangle:PREROUTING:2=3"},
    {"socket and osf, decided by their assumptions (no local socket, no fingerprint), as the kernel answers a forwarded packet; "
     "nf_osf_match ignores --genre's !, so a negated genre never matches either",
     "\"ip_forward\":1",
     "*mangle\n-A PREROUTING -m socket\n-A PREROUTING -m socket --transparent\n-A PREROUTING -p udp\nCOMMIT\n"
     "*filter\n-A FORWARD -p tcp -m osf --genre Linux -j DROP\n-A FORWARD -p tcp -m osf ! --genre Linux -j DROP\n-A FORWARD -p tcp\nCOMMIT\n",
     {"wire udp 198.51.100.7:5000 > 192.0.2.50:53 in=wan1", "wire tcp 198.51.100.7:40000 > 192.0.2.50:80 in=wan1 flags=S mss=1460"},
     "forwarded forwarded@filter:FORWARD:0", "mangle:PREROUTING:3=1 filter:FORWARD:3=1"},
    {"rateest, decided by its assumption (every estimator idle, at 0), as the kernel answers while no packet feeds the RATEEST",
     "\"ip_forward\":1",
     "*raw\n-A OUTPUT -d 203.0.113.250/32 -j RATEEST --rateest-name idle1 --rateest-interval 250ms --rateest-ewmalog 500ms\n"
     "-A OUTPUT -d 203.0.113.250/32 -j RATEEST --rateest-name idle2 --rateest-interval 1s --rateest-ewmalog 4s\nCOMMIT\n"
     "*mangle\n-A PREROUTING -m rateest --rateest idle1 --rateest-lt --rateest-bps 8bit\n"
     "-A PREROUTING -m rateest --rateest idle1 --rateest-gt --rateest-pps 0\n-A PREROUTING -m rateest --rateest idle1 --rateest-eq --rateest-pps 0\n"
     "-A PREROUTING -m rateest --rateest1 idle1 --rateest-eq --rateest-bps --rateest2 idle2\n"
     "-A PREROUTING -m rateest --rateest1 idle1 ! --rateest-lt --rateest-pps --rateest2 idle2\n"
     "-A PREROUTING -m rateest --rateest-delta --rateest idle1 --rateest-bps1 8bit --rateest-lt --rateest-bps2 16bit\n"
     "-A PREROUTING -m rateest --rateest idle2 --rateest-eq --rateest-bps 8bit\nCOMMIT\n",
     {"wire udp 198.51.100.7:5000 > 192.0.2.50:53 in=wan1"},
     "forwarded", "mangle:PREROUTING:1=1 mangle:PREROUTING:3=1 mangle:PREROUTING:4=1 mangle:PREROUTING:5=1 mangle:PREROUTING:6=1"},
    {"sctp --chunk-types: any, all and only, flags per chunk (an entry keyed as iptables keys it: I_DATA's flags land on type 15)",
     "\"ip_forward\":1",
     "*mangle\n-A PREROUTING -p sctp -m sctp --chunk-types any INIT\n-A PREROUTING -p sctp -m sctp --chunk-types all DATA,SACK\n"
     "-A PREROUTING -p sctp -m sctp --chunk-types only DATA:BE\n-A PREROUTING -p sctp -m sctp ! --chunk-types any ABORT:T\n"
     "-A PREROUTING -p sctp -m sctp --dport 6000 --chunk-types any I_DATA:B\nCOMMIT\n",
     {"wire sctp 198.51.100.7:5000 > 192.0.2.50:6000 in=wan1 chunks=INIT", "wire sctp 198.51.100.7:5000 > 192.0.2.50:6000 in=wan1 chunks=DATA/3,SACK",
      "wire sctp 198.51.100.7:5000 > 192.0.2.50:6000 in=wan1 chunks=DATA/3", "wire sctp 198.51.100.7:5000 > 192.0.2.50:6000 in=wan1 chunks=DATA/1",
      "wire sctp 198.51.100.7:5000 > 192.0.2.50:6000 in=wan1 chunks=ABORT/1", "wire sctp 198.51.100.7:5000 > 192.0.2.50:6000 in=wan1 chunks=ABORT",
      "wire sctp 198.51.100.7:5000 > 192.0.2.50:6000 in=wan1 chunks=I_DATA", "wire sctp 198.51.100.7:5000 > 192.0.2.50:6001 in=wan1 chunks=I_DATA"},
     "forwarded forwarded forwarded forwarded forwarded forwarded forwarded forwarded",
     "mangle:PREROUTING:1=1 mangle:PREROUTING:2=1 mangle:PREROUTING:3=1 mangle:PREROUTING:4=7 mangle:PREROUTING:5=1"},
    {"connbytes: conntrack's packets, bytes and bytes per packet by direction, the packet in hand counted; a retransmitted SYN is not",
     "\"ip_forward\":1",
     "*mangle\n-A PREROUTING -p udp -m connbytes --connbytes 2 --connbytes-mode packets --connbytes-dir original\n"
     "-A PREROUTING -p udp -m connbytes --connbytes 0:1 --connbytes-mode packets --connbytes-dir reply\n"
     "-A PREROUTING -p udp -m connbytes ! --connbytes 150 --connbytes-mode bytes --connbytes-dir both\n"
     "-A PREROUTING -p udp -m connbytes --connbytes 60:80 --connbytes-mode avgpkt --connbytes-dir both\n"
     "-A PREROUTING -p tcp -m connbytes --connbytes 1:1 --connbytes-mode packets --connbytes-dir original\nCOMMIT\n",
     {"wire udp 198.51.100.7:5000 > 192.0.2.50:53 in=wan1 len=50", "wire udp 192.0.2.50:53 > 198.51.100.7:5000 in=lan0 len=100",
      "wire udp 198.51.100.7:5000 > 192.0.2.50:53 in=wan1 len=50", "wire udp 192.0.2.50:53 > 198.51.100.7:5000 in=lan0 len=100",
      "wire tcp 198.51.100.7:40000 > 192.0.2.50:80 in=wan1 flags=S", "wire tcp 198.51.100.7:40000 > 192.0.2.50:80 in=wan1 flags=S"},
     "forwarded forwarded forwarded forwarded forwarded forwarded",
     "mangle:PREROUTING:1=2 mangle:PREROUTING:2=3 mangle:PREROUTING:3=1 mangle:PREROUTING:4=3 mangle:PREROUTING:5=2"},
    {"dccp: the packet type (INVALID for 10 to 15) and the option kinds the option walk meets, each negated on its own", "\"ip_forward\":1",
     "*mangle\n-A PREROUTING -p dccp -m dccp --dccp-types REQUEST,RESPONSE\n-A PREROUTING -p dccp -m dccp ! --dccp-types DATA\n"
     "-A PREROUTING -p dccp -m dccp --dccp-types INVALID\n-A PREROUTING -p dccp -m dccp --dccp-option 44\n"
     "-A PREROUTING -p dccp -m dccp ! --dccp-option 32\nCOMMIT\n",
     {"wire dccp 198.51.100.7:5000 > 192.0.2.50:6000 in=wan1", "wire dccp 198.51.100.7:5000 > 192.0.2.50:6000 in=wan1 dccptype=2 dccpopts=44",
      "wire dccp 198.51.100.7:5000 > 192.0.2.50:6000 in=wan1 dccptype=12", "wire dccp 198.51.100.7:5000 > 192.0.2.50:6000 in=wan1 dccptype=3 dccpopts=32,44",
      "wire dccp 198.51.100.7:5000 > 192.0.2.50:6000 in=wan1 dccptype=4 dccpopts=1,40"},
     "forwarded forwarded forwarded forwarded forwarded",
     "mangle:PREROUTING:1=1 mangle:PREROUTING:2=4 mangle:PREROUTING:3=1 mangle:PREROUTING:4=2 mangle:PREROUTING:5=4"},
    {"ipcomp: the IPComp header's CPI (-p ipcomp); a later fragment has none", "\"ip_forward\":1",
     "*mangle\n-A PREROUTING -p ipcomp -m ipcomp --ipcompspi 300:400\n-A PREROUTING -p ipcomp -m ipcomp ! --ipcompspi 300\n"
     "-A PREROUTING -p ipcomp\nCOMMIT\n",
     {"wire ipcomp 198.51.100.7 > 192.0.2.50 in=wan1 cpi=350", "wire ipcomp 198.51.100.7 > 192.0.2.50 in=wan1 cpi=300",
      "wire ipcomp 198.51.100.7 > 192.0.2.50 in=wan1 fragoff=1480 fragid=6 len=100"},
     "forwarded forwarded forwarded", "mangle:PREROUTING:1=2 mangle:PREROUTING:2=1 mangle:PREROUTING:3=3"},
    {"TCPMSS: lowers the MSS option, never raises it; adds one (4 bytes, at most 536) to a segment without one and without data; "
     "clamps to the smaller MTU of the way out and the way back to the source, less 40",
     "\"ip_forward\":1",
     "*mangle\n-A FORWARD -p tcp -m tcp --dport 1 -j TCPMSS --set-mss 1000\n-A FORWARD -p tcp -m tcp --dport 2 -j TCPMSS --clamp-mss-to-pmtu\n"
     "-A POSTROUTING -p tcp -m tcpmss --mss 1000\n-A POSTROUTING -p tcp -m tcpmss --mss 900\n-A POSTROUTING -p tcp -m tcpmss --mss 536\n"
     "-A POSTROUTING -p tcp -m tcpmss --mss 1360\n-A POSTROUTING -p tcp -m tcpmss ! --mss 0:65535\n-A POSTROUTING -p tcp -m length --length 44\n"
     "COMMIT\n",
     {"wire tcp 192.0.2.50:40000 > 198.51.100.7:1 in=lan0 flags=S mss=1460 wscale=7 len=48",
      "wire tcp 192.0.2.50:40001 > 198.51.100.7:1 in=lan0 flags=S mss=900 len=44",
      "wire tcp 192.0.2.50:40002 > 198.51.100.7:1 in=lan0 flags=S len=40",
      "wire tcp 192.0.2.50:40003 > 198.51.100.7:1 in=lan0 flags=S len=50",
      "wire tcp 192.0.2.50:40004 > 198.51.100.7:1 in=lan0 flags=A sackok len=44",
      "wire tcp 192.0.2.50:40005 > 198.51.100.7:2 in=lan0 flags=S mss=1460 len=44",
      "wire tcp 198.51.100.7:40006 > 192.0.2.50:2 in=wan1 flags=S mss=65000 sackok len=48"},
     "forwarded forwarded forwarded forwarded forwarded forwarded forwarded",
     "mangle:FORWARD:1=5 mangle:FORWARD:2=2 mangle:POSTROUTING:1=1 mangle:POSTROUTING:2=1 mangle:POSTROUTING:3=2 mangle:POSTROUTING:4=2 "
     "mangle:POSTROUTING:5=1 mangle:POSTROUTING:6=3"},
    {"TCPOPTSTRIP: each listed option the option walk meets whole becomes NOPs, the header keeps its length; an option running past "
     "the header, or in its last byte, stays",
     "\"ip_forward\":1",
     "*mangle\n-A FORWARD -p tcp -j TCPOPTSTRIP --strip-options mss,sack-permitted\n-A POSTROUTING -p tcp -m tcp --tcp-option 2\n"
     "-A POSTROUTING -p tcp -m tcp --tcp-option 4\n-A POSTROUTING -p tcp -m tcp --tcp-option 3\n-A POSTROUTING -p tcp -m tcp --tcp-option 1\nCOMMIT\n",
     {"wire tcp 192.0.2.50:40000 > 198.51.100.7:80 in=lan0 flags=S mss=1460 sackok wscale=7 len=52",
      "wire tcp 192.0.2.50:40001 > 198.51.100.7:80 in=lan0 flags=S opts=02080000 len=44",
      "wire tcp 192.0.2.50:40002 > 198.51.100.7:80 in=lan0 flags=S opts=01010104 len=44"},
     "forwarded forwarded forwarded",
     "mangle:FORWARD:1=3 mangle:POSTROUTING:1=1 mangle:POSTROUTING:2=1 mangle:POSTROUTING:3=1 mangle:POSTROUTING:4=2"},
    {"HMARK: the mark is the hash of the packet's masked addresses (smaller first), ports (larger first), or ESP's SPI, and protocol, scaled to --hmark-mod plus --hmark-offset; an ICMP error hashes the header it quotes", "\"ip_forward\":1",
     "*mangle\n-A PREROUTING -j HMARK --hmark-tuple src,dst,sport,dport,proto --hmark-rnd 0x12345678 --hmark-mod 4 --hmark-offset 16\n-A PREROUTING -m mark --mark 16\n-A PREROUTING -m mark --mark 17\n-A PREROUTING -m mark --mark 18\n-A PREROUTING -m mark --mark 19\n-A PREROUTING -j HMARK --hmark-src-prefix 24 --hmark-sport-mask 0xff00 --hmark-dport 0x0101 --hmark-proto-mask 0x0f --hmark-rnd 0xabcdef01 --hmark-mod 3\n-A PREROUTING -m mark --mark 0\n-A PREROUTING -m mark --mark 1\n-A PREROUTING -m mark --mark 2\n-A PREROUTING -p esp -j HMARK --hmark-tuple spi,dst --hmark-rnd 7 --hmark-mod 5\n-A PREROUTING -p esp -m mark --mark 0\n-A PREROUTING -p esp -m mark --mark 1\n-A PREROUTING -p esp -m mark --mark 2\n-A PREROUTING -p esp -m mark --mark 3\n-A PREROUTING -p esp -m mark --mark 4\nCOMMIT\n",
     {"wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1", "wire udp 198.51.100.7:4001 > 203.0.113.1:53 in=wan1", "wire udp 198.51.100.8:4000 > 203.0.113.1:53 in=wan1", "wire tcp 198.51.100.7:40000 > 203.0.113.1:22 in=wan1 flags=S", "wire tcp 198.51.100.9:40000 > 192.0.2.50:80 in=wan1 flags=S", "wire esp 198.51.100.7 > 203.0.113.1 in=wan1 espspi=7", "wire esp 198.51.100.7 > 203.0.113.1 in=wan1 espspi=65536", "wire icmp 198.51.100.7 > 203.0.113.1 in=wan1 type=8", "wire icmp 198.51.100.7 > 203.0.113.1 in=wan1 type=3/3 quoted=udp:203.0.113.1:4000>198.51.100.7:53", "wire icmp 198.51.100.20 > 203.0.113.1 in=wan1 type=11/0 quoted=tcp:203.0.113.1:5000>198.51.100.9:443"},
     "delivered delivered delivered delivered forwarded delivered delivered delivered delivered delivered",
     "mangle:PREROUTING:1=10 mangle:PREROUTING:2=6 mangle:PREROUTING:4=2 mangle:PREROUTING:5=2 mangle:PREROUTING:6=10 mangle:PREROUTING:8=4 "
     "mangle:PREROUTING:9=6 mangle:PREROUTING:10=2 mangle:PREROUTING:11=1 mangle:PREROUTING:13=1"},
    {"HMARK --hmark-tuple ct hashes the connection's original source and reply source (the DNAT's new address once the first packet "
     "has set it up: the server's answers and the client's next segments) and their ports; a packet without a connection (the ACKs "
     "conntrack finds invalid before the answer) keeps its mark",
     "\"ip_forward\":1",
     "*nat\n-A PREROUTING -p tcp -m tcp --dport 8080 -j DNAT --to-destination 192.0.2.50:80\nCOMMIT\n"
     "*mangle\n-A PREROUTING -m conntrack --ctstate INVALID,UNTRACKED\n"
     "-A PREROUTING -j HMARK --hmark-tuple ct,src,dst,sport,dport --hmark-rnd 0x5 --hmark-mod 4 --hmark-offset 1\n"
     "-A PREROUTING -m mark --mark 0\n-A PREROUTING -m mark --mark 1\n-A PREROUTING -m mark --mark 2\n-A PREROUTING -m mark --mark 3\n"
     "-A PREROUTING -m mark --mark 4\nCOMMIT\n",
     {"wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=wan1", "wire udp 198.51.100.7:4001 > 203.0.113.1:53 in=wan1",
      "wire tcp 198.51.100.7:40000 > 203.0.113.1:8080 in=wan1 flags=S", "wire tcp 198.51.100.7:40000 > 203.0.113.1:8080 in=wan1 flags=A",
      "wire tcp 198.51.100.8:40000 > 203.0.113.1:8080 in=wan1 flags=S", "wire tcp 198.51.100.8:40000 > 203.0.113.1:8080 in=wan1 flags=A",
      "wire tcp 198.51.100.9:40001 > 203.0.113.1:22 in=wan1 flags=A",
      "wire tcp 192.0.2.50:80 > 198.51.100.7:40000 in=lan0 flags=SA", "wire tcp 192.0.2.50:80 > 198.51.100.8:40000 in=lan0 flags=SA",
      "wire tcp 198.51.100.7:40000 > 203.0.113.1:8080 in=wan1 flags=A", "wire tcp 198.51.100.8:40000 > 203.0.113.1:8080 in=wan1 flags=A"},
     "delivered delivered forwarded delivered forwarded delivered delivered forwarded forwarded forwarded forwarded",
     "nat:PREROUTING:1=2 mangle:PREROUTING:1=2 mangle:PREROUTING:2=11 mangle:PREROUTING:3=2 mangle:PREROUTING:4=5 mangle:PREROUTING:6=4"},

    // --- cluster (xt_cluster): the connection's original source hashed with jhash_1word over its
    // bytes as they lie in memory, scaled onto the nodes; the buckets worked out by an independent
    // implementation of the kernel's jhash: seed 0xfeedcafe over 2 nodes puts .4 and .5 in
    // bucket 0, the others in 1; seed 0x12345678 over 3 puts .4 and .5 in 0, .1 and .3 in 1, .2
    // and .6 in 2. The seventh is untracked: no connection, no match, even negated ---
    {"cluster: a connection's original source hashed onto the nodes, as the kernel hashes it", "\"ip_forward\":1",
     "*raw\n-A PREROUTING -s 198.51.100.7/32 -j CT --notrack\nCOMMIT\n*mangle\n"
     "-A PREROUTING -m cluster --cluster-total-nodes 2 --cluster-local-node 1 --cluster-hash-seed 0xfeedcafe\n"
     "-A PREROUTING -m cluster --cluster-total-nodes 3 --cluster-local-nodemask 5 --cluster-hash-seed 0x12345678\n"
     "-A PREROUTING -m cluster --cluster-total-nodes 3 ! --cluster-local-node 1 --cluster-hash-seed 0x12345678\nCOMMIT\n",
     {"wire udp 198.51.100.1:5000 > 192.0.2.50:53 in=wan1", "wire udp 198.51.100.2:5000 > 192.0.2.50:53 in=wan1",
      "wire udp 198.51.100.3:5000 > 192.0.2.50:53 in=wan1", "wire udp 198.51.100.4:5000 > 192.0.2.50:53 in=wan1",
      "wire udp 198.51.100.5:5000 > 192.0.2.50:53 in=wan1", "wire udp 198.51.100.6:5000 > 192.0.2.50:53 in=wan1",
      "wire udp 198.51.100.7:5000 > 192.0.2.50:53 in=wan1"},
     "forwarded forwarded forwarded forwarded forwarded forwarded forwarded",
     "raw:PREROUTING:1=1 mangle:PREROUTING:1=2 mangle:PREROUTING:2=4 mangle:PREROUTING:3=4"},
    // --- connlabel (xt_connlabel): a label bit of the connection. --set sets it when the match is
    // tested, matched or not by the rule's later matches (PREROUTING 1: no packet has port 1), and
    // then matches unless negated (3: never matches a connection; an untracked packet has none,
    // so the negation matches); later rules, hooks and packets of the connection see it ---
    {"connlabel: --set sets the connection's label when tested, whatever the rule's later matches say; later rules and packets "
     "see it",
     "\"ip_forward\":1",
     "*raw\n-A PREROUTING -s 198.51.100.9/32 -j CT --notrack\nCOMMIT\n*mangle\n"
     "-A PREROUTING -p udp -m connlabel --label 5 --set -m udp --dport 1\n-A PREROUTING -m connlabel --label 5\n"
     "-A PREROUTING -p tcp -m connlabel ! --label 6 --set\n-A PREROUTING -m connlabel --label 6\n"
     "-A PREROUTING -m connlabel ! --label 7\n-A PREROUTING -p udp -m udp --dport 53 -m connlabel --label 8 --set\n"
     "-A POSTROUTING -m connlabel --label 127\nCOMMIT\n"
     "*filter\n-A FORWARD -m connlabel --label 8\n-A FORWARD -m connlabel --label 127 --set\nCOMMIT\n",
     {"wire udp 198.51.100.7:5000 > 192.0.2.50:53 in=wan1", "wire udp 192.0.2.50:53 > 198.51.100.7:5000 in=lan0",
      "wire tcp 198.51.100.7:40000 > 192.0.2.50:80 in=wan1 flags=S", "wire tcp 192.0.2.50:80 > 198.51.100.7:40000 in=lan0 flags=SA",
      "wire udp 198.51.100.9:5000 > 192.0.2.50:53 in=wan1", "wire tcp 198.51.100.9:40001 > 192.0.2.50:80 in=wan1 flags=S"},
     "forwarded forwarded forwarded forwarded forwarded forwarded",
     "raw:PREROUTING:1=2 mangle:PREROUTING:2=2 mangle:PREROUTING:3=1 mangle:PREROUTING:4=2 mangle:PREROUTING:5=6 mangle:PREROUTING:6=1 "
     "mangle:POSTROUTING:1=4 filter:FORWARD:1=2 filter:FORWARD:2=4"},
    {"CONNMARK and connlabel --set in the nat table write the connection, which the NAT binding then reads back", "\"ip_forward\":1",
     "*nat\n-A PREROUTING -p udp -j CONNMARK --set-xmark 0x5/0xffffffff\n-A PREROUTING -p udp -m connlabel --label 3 --set\nCOMMIT\n"
     "*filter\n-A FORWARD -m connmark --mark 0x5\n-A FORWARD -m connlabel --label 3\nCOMMIT\n",
     {"wire udp 198.51.100.7:5000 > 192.0.2.50:53 in=wan1", "wire udp 192.0.2.50:53 > 198.51.100.7:5000 in=lan0"},
     "forwarded forwarded", "nat:PREROUTING:1=1 nat:PREROUTING:2=1 filter:FORWARD:1=2 filter:FORWARD:2=2"},
    {"ECN: --ecn-tcp-remove clears TCP's ECE and CWR, --ecn-ip-ect sets the IP header's ECN field, --ecn-tcp-ece sets ECE; later "
     "rules and the forwarded segment see them",
     "\"ip_forward\":1",
     "*mangle\n-A PREROUTING -p tcp -j ECN --ecn-tcp-remove\n-A PREROUTING -p tcp -m ecn ! --ecn-tcp-ece ! --ecn-tcp-cwr\n"
     "-A PREROUTING -j ECN --ecn-ip-ect 1\n-A PREROUTING -m ecn --ecn-ip-ect 1\n-A FORWARD -p tcp -j ECN --ecn-tcp-ece 1\n"
     "-A POSTROUTING -p tcp -m ecn --ecn-tcp-ece ! --ecn-tcp-cwr\n-A POSTROUTING -m tos --tos 0x1/0x3\nCOMMIT\n",
     {"wire tcp 198.51.100.7:40000 > 192.0.2.50:80 in=wan1 flags=SEC len=40", "wire tcp 198.51.100.7:40001 > 192.0.2.50:80 in=wan1 flags=A tos=3 len=40",
      "wire udp 198.51.100.7:5000 > 192.0.2.50:53 in=wan1 tos=2"},
     "forwarded forwarded forwarded",
     "mangle:PREROUTING:1=2 mangle:PREROUTING:2=2 mangle:PREROUTING:3=3 mangle:PREROUTING:4=3 mangle:FORWARD:1=2 mangle:POSTROUTING:1=2 "
     "mangle:POSTROUTING:2=3"},
    {"AUDIT, IDLETIMER and CONNSECMARK count their packets and the walk goes on", "\"ip_forward\":1",
     "*mangle\n-A PREROUTING -p udp -j AUDIT --type accept\n-A PREROUTING -p udp -j IDLETIMER --timeout 60 --label fwbench\n"
     "-A PREROUTING -p udp -j CONNSECMARK --save\n-A PREROUTING -p udp -j CONNSECMARK --restore\n-A PREROUTING -p udp\nCOMMIT\n",
     {"wire udp 198.51.100.7:5000 > 192.0.2.50:53 in=wan1", "wire udp 192.0.2.50:53 > 198.51.100.7:5000 in=lan0"},
     "forwarded forwarded", "mangle:PREROUTING:1=2 mangle:PREROUTING:2=2 mangle:PREROUTING:3=2 mangle:PREROUTING:4=2 mangle:PREROUTING:5=2"},
    {"-m helper: no connection here is a helper's expectation (the ftp helper CT gives the control connection sees no command "
     "in it), so --helper never matches and ! --helper always does",
     "\"ip_forward\":1",
     "*raw\n-A PREROUTING -p tcp --dport 21 -j CT --helper ftp\nCOMMIT\n*filter\n-A FORWARD -m helper --helper ftp\n"
     "-A FORWARD -m helper ! --helper ftp\n-A FORWARD -m helper --helper \"\"\nCOMMIT\n",
     {"wire tcp 198.51.100.7:40000 > 192.0.2.50:21 in=wan1 flags=S", "wire tcp 192.0.2.50:21 > 198.51.100.7:40000 in=lan0 flags=SA",
      "wire tcp 198.51.100.7:40000 > 192.0.2.50:21 in=wan1 flags=A", "wire udp 198.51.100.7:5000 > 192.0.2.50:53 in=wan1"},
     "forwarded forwarded forwarded forwarded", "raw:PREROUTING:1=2 filter:FORWARD:2=4"},
    {"-m realm reads the route's realms, a forwarded packet's source realm (a half its route leaves 0) and a delivered one's "
     "taken from the route back to its source; a local packet's from its route alone",
     "\"ip_forward\":1",
     "*mangle\n-A POSTROUTING -m realm ! --realm 0x90005\nCOMMIT\n*filter\n-A INPUT -m realm --realm 0x70000\n"
     "-A FORWARD -m realm --realm 0x50007\n-A FORWARD -m realm --realm 0x90005\n-A FORWARD -m realm --realm 0x30007\n"
     "-A FORWARD -m realm --realm 0x7/0xffff\n-A OUTPUT -m realm --realm 0x90005\nCOMMIT\n",
     {"wire udp 198.51.100.7:5000 > 192.0.2.50:53 in=wan1", "wire udp 192.0.2.50:53 > 198.51.100.7:5000 in=lan0",
      "wire udp 192.0.2.50:5001 > 203.0.113.1:53 in=lan0", "wire udp 203.0.113.77:5002 > 192.0.2.50:53 in=wan1",
      "local udp 0.0.0.0:5003 > 198.51.100.7:53"},
     "forwarded forwarded delivered forwarded sent",
     "mangle:POSTROUTING:1=2 filter:INPUT:1=1 filter:FORWARD:1=1 filter:FORWARD:2=1 filter:FORWARD:3=1 filter:FORWARD:4=2 filter:OUTPUT:1=1",
     nullptr, nullptr, router_routes_with_realms},
    {"-j TPROXY hands a packet to the socket listening on its port (the arrival device's first address when --on-ip is 0), "
     "sets the mark and accepts; the mark's policy route delivers it, to the socket TPROXY gave it (no port unreachable for "
     "UDP; a SYN-ACK from the address it was sent to for a SYN, a reset for an ACK); no socket there, or one bound to another "
     "device: dropped; a packet with its socket that routing forwards: dropped",
     "\"ip_forward\":1",
     "*mangle\n-A PREROUTING -p tcp -m tcp --dport 80 -j TPROXY --on-port 22 --on-ip 0.0.0.0 --tproxy-mark 0x1/0x1\n"
     "-A PREROUTING -p udp -m udp --dport 5000 -j TPROXY --on-port 53 --on-ip 0.0.0.0 --tproxy-mark 0x1/0x1\n"
     "-A PREROUTING -p udp -m udp --dport 6000 -j TPROXY --on-port 5999 --on-ip 0.0.0.0 --tproxy-mark 0x1/0x1\n"
     "-A PREROUTING -p udp -m udp --dport 7000 -j TPROXY --on-port 53 --on-ip 0.0.0.0 --tproxy-mark 0x2/0x2\n"
     "-A PREROUTING -p tcp -m tcp --dport 25 -j TPROXY --on-port 25 --on-ip 127.0.0.1 --tproxy-mark 0x1/0x1\n"
     "-A PREROUTING -p udp -m udp --dport 8000 -j TPROXY --on-port 0 --on-ip 192.0.2.1 --tproxy-mark 0x1/0x1\n"
     "-A PREROUTING -p udp -m udp --dport 9000 -j TPROXY --on-port 5300 --on-ip 0.0.0.0 --tproxy-mark 0x1/0x1\nCOMMIT\n"
     "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -m mark --mark 0x1/0x1\n"
     "-A OUTPUT -s 198.51.100.7/32 -p tcp -m tcp --tcp-flags SYN,ACK SYN,ACK\n-A OUTPUT -s 198.51.100.7/32 -p tcp -m tcp --tcp-flags RST RST\n"
     "-A OUTPUT -p icmp\nCOMMIT\n",
     {"wire udp 192.0.2.50:4000 > 198.51.100.7:5000 in=lan0", "wire udp 192.0.2.50:4001 > 198.51.100.7:6000 in=lan0",
      "wire udp 192.0.2.50:4002 > 198.51.100.7:7000 in=lan0", "wire tcp 192.0.2.50:40000 > 198.51.100.7:80 in=lan0 flags=S seq=1000",
      "wire tcp 192.0.2.50:40001 > 198.51.100.7:80 in=lan0 flags=A seq=2000 ack=3000", "wire tcp 192.0.2.50:40002 > 198.51.100.7:25 in=lan0 flags=S seq=1",
      "wire udp 192.0.2.50:4003 > 198.51.100.7:8000 in=lan0", "wire udp 192.0.2.50:4004 > 198.51.100.7:9000 in=lan0"},
     "delivered dropped:netfilter@mangle:PREROUTING:3 dropped:forward_socket_assigned delivered delivered dropped:netfilter@mangle:PREROUTING:5 "
     "dropped:netfilter@mangle:PREROUTING:6 delivered",
     "mangle:PREROUTING:1=2 mangle:PREROUTING:2=1 mangle:PREROUTING:3=1 mangle:PREROUTING:4=1 mangle:PREROUTING:5=1 mangle:PREROUTING:6=1 "
     "mangle:PREROUTING:7=1 filter:INPUT:1=4 filter:INPUT:P=4 filter:OUTPUT:1=1 filter:OUTPUT:2=1 filter:OUTPUT:P=2",
     nullptr, router_sockets_tproxy.c_str(), router_routes_tproxy},
    {"-j TEE sends a copy from within its rule, untracked, routed to the gateway as its next hop: TTL one lower when copied in "
     "PREROUTING (1 becomes 0, sent all the same), not in OUTPUT; the copy walks OUTPUT and POSTROUTING, where TEE copies nothing "
     "and the input device is the one its route gave it; "
     "--oif with no route through it takes the gateway to be on that link; a gateway without a route drops the copy alone",
     "\"ip_forward\":1",
     "*mangle\n:inchk - [0:0]\n-A PREROUTING -p udp -m udp --dport 53 -j TEE --gateway 192.0.2.9\n"
     "-A PREROUTING -p udp -m udp --dport 54 -j TEE --gateway 10.9.9.9 --oif lan0\n"
     "-A PREROUTING -p udp -m udp --dport 55 -j TEE --gateway 198.51.100.40\n"
     "-A OUTPUT -p udp -m udp --dport 5353 -j TEE --gateway 192.0.2.9\n-A POSTROUTING -o lan0 -j inchk\n-A inchk -i lan0\nCOMMIT\n"
     "*filter\n-A FORWARD -p udp\n-A OUTPUT -m conntrack --ctstate UNTRACKED -m ttl --ttl-eq 63\n"
     "-A OUTPUT -m conntrack --ctstate UNTRACKED -m ttl --ttl-eq 0\n-A OUTPUT -m conntrack --ctstate UNTRACKED -m ttl --ttl-eq 64\nCOMMIT\n",
     {"wire udp 192.0.2.50:4000 > 198.51.100.7:53 in=lan0", "wire udp 192.0.2.50:4001 > 198.51.100.7:54 in=lan0",
      "wire udp 192.0.2.50:4002 > 198.51.100.7:55 in=lan0", "local udp 0.0.0.0:5003 > 198.51.100.7:5353",
      "wire udp 192.0.2.50:4003 > 198.51.100.7:53 in=lan0 ttl=1"},
     "forwarded forwarded forwarded sent dropped:ttl_exceeded",
     "mangle:PREROUTING:1=2 mangle:PREROUTING:2=1 mangle:PREROUTING:3=1 mangle:OUTPUT:1=2 mangle:POSTROUTING:1=5 mangle:inchk:1=4 filter:FORWARD:1=3 "
     "filter:OUTPUT:1=2 filter:OUTPUT:2=1 filter:OUTPUT:3=1"},
    {"TEE: the copy leaves beside the packet, as the rule saw it (TTL one lower in PREROUTING, after forwarding's decrement in "
     "POSTROUTING), DF set",
     "\"ip_forward\":1",
     "*mangle\n-A PREROUTING -p udp -m udp --dport 53 -j TEE --gateway 192.0.2.9\n-A POSTROUTING -p tcp -j TEE --gateway 203.0.113.9\nCOMMIT\n",
     {"wire udp 192.0.2.50:4000 > 198.51.100.7:53 in=lan0 df=0", "wire tcp 203.0.113.7:40000 > 192.0.2.50:80 in=wan1 flags=S seq=7"},
     "forwarded forwarded",
     "mangle:PREROUTING:1=1 mangle:POSTROUTING:1=2"},
    {"-j TEE's copy rejected in OUTPUT: the answer comes back over lo from the backlog, when TEE copies again (the copy of the "
     "answer leaves), not while the first copy is sent",
     "",
     "*filter\n-A INPUT -j TEE --gateway 203.0.113.9\n"
     "-A OUTPUT -p udp -m conntrack --ctstate UNTRACKED -j REJECT --reject-with icmp-port-unreachable\n-A OUTPUT -p icmp\nCOMMIT\n",
     {"local udp 0.0.0.0:5000 > 192.0.2.1:53"},
     "delivered",
     "filter:INPUT:1=2 filter:OUTPUT:1=1 filter:OUTPUT:2=2"},
    {"unknown arrival interface is a named drop", "", "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n",
     {"wire udp 198.51.100.7:4000 > 203.0.113.1:53 in=eth7"}, "dropped:unknown_interface", "", "the packet arrives on an interface the host does not have"},
    // --- -m string (xt_string): the datagram's bytes from the network header, as the hook holds
    // them. "GET /secret" is UDP's payload at byte 28, "secret" at 33-38: --to 39 takes it in,
    // --to 38 cuts it, --from 40 is past the datagram. DNAT's new destination (192.0.2.60,
    // c000023c) is in the bytes in POSTROUTING, not in mangle's PREROUTING (before nat's); the TTL
    // byte (8) is 63 there. Boyer-Moore ignoring case misses "\xffb" in "x\xffb" (its table has
    // no entry for 0xff, which upper-cases to 0xdf), where KMP, and Boyer-Moore on the exact bytes,
    // find it ---
    {"string: searches the datagram's bytes from the network header, within --from and --to, with NAT's and TTL's rewrites; "
     "Boyer-Moore ignoring case misses what its table skips",
     "\"ip_forward\":1",
     "*nat\n-A PREROUTING -p udp -m udp --dport 5353 -j DNAT --to-destination 192.0.2.60:53\nCOMMIT\n"
     "*mangle\n-A PREROUTING -m string --string \"secret\" --algo bm\n-A PREROUTING -m string --string \"SECRET\" --algo kmp --icase\n"
     "-A PREROUTING -m string --string \"secret\" --algo kmp --from 40\n-A PREROUTING -m string --string \"secret\" --algo kmp --to 39\n"
     "-A PREROUTING -m string --string \"secret\" --algo kmp --to 38\n-A PREROUTING -m string ! --hex-string \"|c000023c|\" --algo kmp\n"
     "-A PREROUTING -m string --hex-string \"|ff62|\" --algo bm --from 28 --icase\n"
     "-A PREROUTING -m string --hex-string \"|ff62|\" --algo kmp --from 28 --icase\n"
     "-A PREROUTING -m string --hex-string \"|ff62|\" --algo bm --from 28\n"
     "-A POSTROUTING -m string --hex-string \"|c000023c|\" --algo kmp\n-A POSTROUTING -m string --hex-string \"|3f|\" --algo kmp --from 8 --to 9\n"
     "COMMIT\n",
     {"wire udp 198.51.100.7:5000 > 192.0.2.50:53 in=wan1 payload=GET\\x20/secret",
      "wire udp 198.51.100.7:5001 > 192.0.2.50:5353 in=wan1 payload=x\\xffb",
      "wire tcp 198.51.100.7:40000 > 192.0.2.50:80 in=wan1 flags=S payload=SeCrEt"},
     "forwarded forwarded forwarded",
     "nat:PREROUTING:1=1 mangle:PREROUTING:1=1 mangle:PREROUTING:2=2 mangle:PREROUTING:4=1 mangle:PREROUTING:6=3 mangle:PREROUTING:8=1 "
     "mangle:PREROUTING:9=1 mangle:POSTROUTING:1=1 mangle:POSTROUTING:2=3"},
    // --- -m u32 (xt_u32): 32-bit words of the same bytes. 1: IHL, then TCP's data offset, then
    // the first payload word ("GET "); 2: the protocol byte; 4: a word 100 bytes past the IP
    // header, only in the 200-byte datagram; 5: version and IHL shifted (0x45 >> 1 = 0x22); 6 the
    // negation; 7: the word at 44, past the 46-byte SYN's end (its last whole word is at 42); in
    // POSTROUTING, DNAT's destination and the forwarded TTL ---
    {"u32: tests words of the datagram's bytes as the hook holds them; a word past the end fails the match",
     "\"ip_forward\":1",
     "*nat\n-A PREROUTING -p udp -m udp --dport 5353 -j DNAT --to-destination 192.0.2.60:53\nCOMMIT\n"
     "*mangle\n-A PREROUTING -m u32 --u32 \"0>>22&0x3C@12>>26&0x3C@0=0x47455420\"\n-A PREROUTING -m u32 --u32 \"6&0xFF=0x11\"\n"
     "-A PREROUTING -m u32 --u32 \"0>>28=4\"\n-A PREROUTING -m u32 --u32 \"0>>22&0x3C@100=0:0xffffffff\"\n"
     "-A PREROUTING -m u32 --u32 \"0>>25&0x7F=0x22\"\n-A PREROUTING -m u32 ! --u32 \"0>>28=4\"\n"
     "-A PREROUTING -m u32 --u32 \"44=0:0xffffffff\"\n"
     "-A POSTROUTING -m u32 --u32 \"16=0xc000023c\"\n-A POSTROUTING -m u32 --u32 \"8>>24=63\"\nCOMMIT\n",
     {"wire tcp 198.51.100.7:40000 > 192.0.2.50:80 in=wan1 flags=S payload=GET\\x20/x",
      "wire udp 198.51.100.7:5000 > 192.0.2.50:5353 in=wan1 payload=hello",
      "wire udp 198.51.100.7:5001 > 192.0.2.50:53 in=wan1 len=200 payload=x"},
     "forwarded forwarded forwarded",
     "nat:PREROUTING:1=1 mangle:PREROUTING:1=1 mangle:PREROUTING:2=2 mangle:PREROUTING:3=3 mangle:PREROUTING:4=1 mangle:PREROUTING:5=3 "
     "mangle:PREROUTING:7=1 mangle:POSTROUTING:1=1 mangle:POSTROUTING:2=3"},
    // --- -j SYNPROXY on untracked segments to the host's port 80: each SYN answered with a SYN-ACK
    // sent through OUTPUT (the client's options as the rule allows them: MSS 1400 only where the
    // client sent an MSS, SACK and window scale only beside timestamps, so the fourth SYN's are
    // dropped; window 0; INVALID to
    // conntrack, the untracked SYN having no entry to give it), the SYN going no further; a RST
    // passes on to the next rule ---
    {"SYNPROXY answers a client's SYN with a SYN-ACK carrying the options it allows; other segments go on",
     "",
     "*raw\n-A PREROUTING -p tcp -m tcp --dport 80 -j CT --notrack\nCOMMIT\n"
     "*filter\n-A INPUT -p tcp -m tcp --dport 80 -m conntrack --ctstate INVALID,UNTRACKED -j SYNPROXY --sack-perm --timestamp --wscale 7 "
     "--mss 1400\n-A INPUT -p tcp -m tcp --dport 80\n"
     "-A OUTPUT -p tcp -m tcp --sport 80 --tcp-flags FIN,SYN,RST,ACK SYN,ACK\n-A OUTPUT -p tcp -m tcp --tcp-option 8\n"
     "-A OUTPUT -p tcp -m tcp --tcp-option 3\n-A OUTPUT -p tcp -m tcp --tcp-option 4\n-A OUTPUT -p tcp -m tcpmss --mss 1400\n"
     "-A OUTPUT -m conntrack --ctstate INVALID\n-A OUTPUT -m length --length 60\n-A OUTPUT -m length --length 44\n"
     "-A OUTPUT -m ttl --ttl-eq 64\nCOMMIT\n",
     {"wire tcp 198.51.100.7:40000 > 203.0.113.1:80 in=wan1 flags=S opts=020405b40402080a000000010000000001030307",
      "wire tcp 198.51.100.7:40001 > 203.0.113.1:80 in=wan1 flags=S",
      "wire tcp 198.51.100.7:40002 > 203.0.113.1:80 in=wan1 flags=S opts=020405b4",
      "wire tcp 198.51.100.7:40003 > 203.0.113.1:80 in=wan1 flags=S opts=020405b40103030704020101",
      "wire tcp 198.51.100.7:40004 > 203.0.113.1:80 in=wan1 flags=R"},
     "rejected:netfilter@filter:INPUT:1 rejected:netfilter@filter:INPUT:1 rejected:netfilter@filter:INPUT:1 "
     "rejected:netfilter@filter:INPUT:1 delivered",
     "raw:PREROUTING:1=5 filter:INPUT:1=5 filter:INPUT:2=1 filter:OUTPUT:1=4 filter:OUTPUT:2=1 filter:OUTPUT:3=1 filter:OUTPUT:4=1 "
     "filter:OUTPUT:5=3 filter:OUTPUT:6=4 filter:OUTPUT:7=1 filter:OUTPUT:8=2 filter:OUTPUT:9=4"},
    // --- -m bpf over the same bytes: 1 the protocol byte (iptables' own test program); 2 the
    // payload's first word behind 4 * IHL and TCP's data offset ("GET "); 3 the protocol
    // ancillary, then the length returned; 4-5 MARK's mark read back by the mark ancillary; 6 the
    // word at 44, past the 46-byte SYN's end (the program ends with 0); 7 a division by X = 0
    // (never matches); 8 1 << 33 is 2 (X's low five bits); 9-10 the protocol byte at SKF_NET_OFF
    // + 9, directly and through X; in POSTROUTING DNAT's destination and the forwarded TTL ---
    {"bpf: runs classic BPF over the datagram's bytes as the hook holds them, as the kernel runs it",
     "\"ip_forward\":1",
     "*nat\n-A PREROUTING -p udp -m udp --dport 5353 -j DNAT --to-destination 192.0.2.60:53\nCOMMIT\n"
     "*mangle\n-A PREROUTING -m bpf --bytecode \"4,48 0 0 9,21 0 1 6,6 0 0 1,6 0 0 0\"\n"
     "-A PREROUTING -m bpf --bytecode \"10,177 0 0 0,80 0 0 12,116 0 0 4,100 0 0 2,12 0 0 0,7 0 0 0,64 0 0 0,21 0 1 1195725856,6 0 0 1,"
     "6 0 0 0\"\n"
     "-A PREROUTING -m bpf --bytecode \"5,32 0 0 4294963200,21 0 2 2048,128 0 0 0,22 0 0 0,6 0 0 0\"\n"
     "-A PREROUTING -p udp -j MARK --set-mark 42\n-A PREROUTING -m bpf --bytecode \"4,32 0 0 4294963220,21 0 1 42,6 0 0 1,6 0 0 0\"\n"
     "-A PREROUTING -m bpf --bytecode \"2,32 0 0 44,6 0 0 1\"\n-A PREROUTING -m bpf --bytecode \"4,0 0 0 7,1 0 0 0,60 0 0 0,6 0 0 1\"\n"
     "-A PREROUTING -m bpf --bytecode \"6,0 0 0 1,1 0 0 33,108 0 0 0,21 0 1 2,6 0 0 1,6 0 0 0\"\n"
     "-A PREROUTING -m bpf --bytecode \"4,48 0 0 4293918729,21 0 1 17,6 0 0 1,6 0 0 0\"\n"
     "-A PREROUTING -m bpf --bytecode \"5,1 0 0 4293918720,80 0 0 9,21 0 1 17,6 0 0 1,6 0 0 0\"\n"
     "-A POSTROUTING -m bpf --bytecode \"4,32 0 0 16,21 0 1 3221226044,6 0 0 1,6 0 0 0\"\n"
     "-A POSTROUTING -m bpf --bytecode \"4,48 0 0 8,21 0 1 63,6 0 0 1,6 0 0 0\"\nCOMMIT\n",
     {"wire tcp 198.51.100.7:40000 > 192.0.2.50:80 in=wan1 flags=S payload=GET\\x20/x",
      "wire udp 198.51.100.7:5000 > 192.0.2.50:5353 in=wan1 payload=hello",
      "wire udp 198.51.100.7:5001 > 192.0.2.50:53 in=wan1 len=200 payload=x"},
     "forwarded forwarded forwarded",
     "nat:PREROUTING:1=1 mangle:PREROUTING:1=1 mangle:PREROUTING:2=1 mangle:PREROUTING:3=3 mangle:PREROUTING:4=2 mangle:PREROUTING:5=2 "
     "mangle:PREROUTING:6=1 mangle:PREROUTING:8=3 mangle:PREROUTING:9=2 mangle:PREROUTING:10=2 mangle:POSTROUTING:1=1 "
     "mangle:POSTROUTING:2=3"},
    {"bytes: REJECT's answers are read as the kernel writes them: an ICMP error quoting the rejected datagram (its payload, the "
     "quoted protocol, 576 bytes at most, no DF, TTL 64), a reset with DF and RST,ACK",
     "\"ip_forward\":1",
     "*filter\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
     "-A INPUT -p udp -m udp --dport 53 -j REJECT\n-A INPUT -p tcp -m tcp --dport 23 -j REJECT --reject-with tcp-reset\n"
     "-A OUTPUT -p icmp -m u32 --u32 \"0>>22&0x3C@0>>24=0x3\"\n-A OUTPUT -p icmp -m u32 --u32 \"0>>22&0x3C@14&0xFF=0x11\"\n"
     "-A OUTPUT -p icmp -m string --string \"hello\" --algo kmp\n-A OUTPUT -p icmp -m u32 --u32 \"0&0xFFFF=0x240\"\n"
     "-A OUTPUT -m u32 --u32 \"4&0x4000=0x4000\"\n"
     "-A OUTPUT -p tcp -m bpf --bytecode \"5,177 0 0 0,80 0 0 13,21 0 1 20,6 0 0 1,6 0 0 0\"\n"
     "-A OUTPUT -m bpf --bytecode \"4,48 0 0 8,21 0 1 64,6 0 0 1,6 0 0 0\"\nCOMMIT\n",
     {"wire udp 198.51.100.7:5000 > 203.0.113.1:53 in=wan1 payload=hello", "wire tcp 198.51.100.7:40000 > 203.0.113.1:23 in=wan1 flags=S",
      "wire udp 198.51.100.7:5001 > 203.0.113.1:53 in=wan1 len=700 payload=x"},
     "rejected:netfilter@filter:INPUT:1 rejected:netfilter@filter:INPUT:2 rejected:netfilter@filter:INPUT:1",
     "filter:INPUT:1=2 filter:INPUT:2=1 filter:OUTPUT:1=2 filter:OUTPUT:2=2 filter:OUTPUT:3=1 filter:OUTPUT:4=1 filter:OUTPUT:5=1 "
     "filter:OUTPUT:6=1 filter:OUTPUT:7=3 filter:OUTPUT:P=3"},
    {"TEE then REJECT in one walk: the copy's walks come before the TEE rule, the answer's before the REJECT rule (random seed 5416)",
     "\"ip_forward\":1",
     "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -j TEE --gateway 203.0.113.9\n"
     "-A FORWARD -d 203.0.113.9/32 -j REJECT\nCOMMIT\n",
     {"wire udp 192.0.2.51:30000 > 203.0.113.9:5000 in=lan0"},
     "rejected:netfilter@filter:FORWARD:2",
     "filter:FORWARD:1=1 filter:FORWARD:2=1 filter:OUTPUT:P=2"},
    {"SYNPROXY's SYN-ACK holds the SYN's unconfirmed entry as its reply; a reset REJECT sends for it is the entry's original "
     "direction (nf_ct_attach: RELATED) and confirms the entry as it leaves (to the host itself, over lo), so the SYN sent "
     "again finds it: nat PREROUTING sees only the first (random IPv6 seed 20267)",
     "\"ip_forward\":1",
     "*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n"
     "*filter\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --syn -j SYNPROXY --mss 1460\n"
     "-A OUTPUT -p tcp -m tcp --tcp-flags SYN,ACK SYN,ACK -j REJECT --reject-with tcp-reset\nCOMMIT\n",
     {"wire tcp 198.51.100.7:40000 > 203.0.113.1:22 in=wan1 flags=S opts=020405b4",
      "wire tcp 198.51.100.7:40000 > 203.0.113.1:22 in=wan1 flags=S opts=020405b4"},
     "rejected:netfilter@filter:INPUT:1 rejected:netfilter@filter:INPUT:1",
     "nat:PREROUTING:P=1 filter:INPUT:1=2 filter:INPUT:P=2 filter:OUTPUT:1=2 filter:OUTPUT:P=2"},
    {"REJECT answers a protocol whose payload nf_reject_verify_csum exempts (ESP, GRE, AH) but not IPComp, whose payload it "
     "verifies as if it carried TCP's checksum (random seed 28)",
     "\"ip_forward\":1",
     "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -j REJECT\n-A OUTPUT -p icmp\nCOMMIT\n",
     {"wire ipcomp 198.51.100.7 > 192.0.2.77 in=wan1 len=84 cpi=512", "wire esp 198.51.100.7 > 192.0.2.77 in=wan1 len=84",
      "wire gre 198.51.100.7 > 192.0.2.77 in=wan1 len=84", "wire ah 198.51.100.7 > 192.0.2.77 in=wan1 len=84 ahspi=5"},
     "rejected:netfilter@filter:FORWARD:1 rejected:netfilter@filter:FORWARD:1 rejected:netfilter@filter:FORWARD:1 "
     "rejected:netfilter@filter:FORWARD:1",
     "filter:FORWARD:1=4 filter:OUTPUT:1=3 filter:OUTPUT:P=3"},
};
// clang-format on

}  // namespace fwbench::test
