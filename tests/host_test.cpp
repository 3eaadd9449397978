// The host model: routes derived from addresses as the kernel derives them (checked against a
// real kernel's dump), policy routing, addrtype, rpfilter, sysctls, and bad host files.

#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <set>

#include <nlohmann/json.hpp>

#include "fwbench/host.hpp"
#include "fwbench/matches.hpp"
#include "fwbench/parse_error.hpp"

namespace fwbench {
namespace {

// `ip -j addr show` and `ip -j route show table all` from a Linux 6.18 network namespace with
// wan1 203.0.113.1/24 and p1 198.51.100.1/31 (both up) and lo.
const char* kernel_addr = R"([
 {"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"link_type":"loopback","address":"00:00:00:00:00:00",
  "addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8,"scope":"host","label":"lo"}]},
 {"ifindex":2,"link":"wan1","ifname":"p1","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"link_type":"ether","address":"3e:2e:4f:65:47:f8",
  "addr_info":[{"family":"inet","local":"198.51.100.1","prefixlen":31,"scope":"global","label":"p1"}]},
 {"ifindex":3,"link":"p1","ifname":"wan1","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"link_type":"ether","address":"06:f9:e3:38:09:1b",
  "addr_info":[{"family":"inet","local":"203.0.113.1","prefixlen":24,"scope":"global","label":"wan1"}]}])";
const char* kernel_routes = R"([
 {"dst":"198.51.100.0/31","dev":"p1","protocol":"kernel","scope":"link","prefsrc":"198.51.100.1","flags":[]},
 {"dst":"203.0.113.0/24","dev":"wan1","protocol":"kernel","scope":"link","prefsrc":"203.0.113.1","flags":[]},
 {"type":"local","dst":"127.0.0.0/8","dev":"lo","table":"local","protocol":"kernel","scope":"host","prefsrc":"127.0.0.1","flags":[]},
 {"type":"local","dst":"127.0.0.1","dev":"lo","table":"local","protocol":"kernel","scope":"host","prefsrc":"127.0.0.1","flags":[]},
 {"type":"broadcast","dst":"127.255.255.255","dev":"lo","table":"local","protocol":"kernel","scope":"link","prefsrc":"127.0.0.1","flags":[]},
 {"type":"local","dst":"198.51.100.1","dev":"p1","table":"local","protocol":"kernel","scope":"host","prefsrc":"198.51.100.1","flags":[]},
 {"type":"local","dst":"203.0.113.1","dev":"wan1","table":"local","protocol":"kernel","scope":"host","prefsrc":"203.0.113.1","flags":[]},
 {"type":"broadcast","dst":"203.0.113.255","dev":"wan1","table":"local","protocol":"kernel","scope":"link","prefsrc":"203.0.113.1","flags":[]}])";

IpAddr v4(const char* s) { return *parse_ip(s, Family::ipv4); }

std::set<std::string> route_set(const Host& h) {
    std::set<std::string> out;
    for (std::uint32_t t : {rt_table_local, rt_table_main, rt_table_default}) {
        const RouteTable* table = h.table(t);
        if (!table) continue;
        for (const auto& r : table->routes())
            out.insert(std::string(route_type_name(r.type)) + " " + format_prefix(r.dst) + " dev " + r.dev + " table " + h.table_name(r.table) +
                       (r.prefsrc ? " src " + format_ip(*r.prefsrc) : ""));
    }
    return out;
}

TEST(Host, DerivedRoutesEqualTheKernelsOwn) {
    Host derived = Host::from_json(kernel_addr, "addr.json");
    Host dumped = Host::from_json(std::string("{\"addr\":") + kernel_addr + ",\"route\":" + kernel_routes + "}", "host.json");
    EXPECT_EQ(route_set(derived), route_set(dumped));
    EXPECT_EQ(route_set(dumped).size(), 8u);
}

struct LookupCase {
    const char* dst;
    const char* iif;
    std::uint32_t mark;
    RouteType type;
    const char* dev;  // nullptr: no route
};

// The kernel's dump without the entries `ip -j route` (no `table all`) leaves out, or one
// entry taken out: kernel_routes filtered by what each element says.
std::string kernel_routes_without(const std::function<bool(const nlohmann::json&)>& drop) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : nlohmann::json::parse(kernel_routes))
        if (!drop(r)) out.push_back(r);
    return std::string("{\"addr\":") + kernel_addr + ",\"route\":" + out.dump() + ",\"sysctl\":{\"ip_forward\":1}}";
}

TEST(Host, AMainOnlyDumpGetsTheKernelsLocalTable) {
    Host full =
        Host::from_json(std::string("{\"addr\":") + kernel_addr + ",\"route\":" + kernel_routes + ",\"sysctl\":{\"ip_forward\":1}}", "full.json");
    Host main_only = Host::from_json(kernel_routes_without([](const nlohmann::json& r) { return r.value("table", "") == "local"; }), "main.json");
    EXPECT_EQ(route_set(main_only), route_set(full));
    ASSERT_EQ(main_only.assumptions().size(), 1u);
    EXPECT_TRUE(main_only.assumed(HostAssumption::Kind::local_table_derived));
    EXPECT_NE(main_only.assumptions()[0].text.find("without `table all`"), std::string::npos) << main_only.assumptions()[0].text;
    EXPECT_TRUE(full.assumptions().empty());
}

// `ip -j route show table all` lists both families and prints both defaults as "default": an
// IPv6 one without a gateway (a PPP link's) is told by its router preference, IPv6's alone.
TEST(Host, ADefaultRouteIsReadInItsOwnFamily) {
    const std::string routes = R"([{"dst":"default","gateway":"203.0.113.254","dev":"wan1"},
        {"dst":"default","dev":"wan1","metric":1024,"flags":[],"pref":"medium"},
        {"dst":"default","via":"x","gateway":"2001:db8::fe","dev":"p1","pref":"medium"}])";
    const Host h = Host::from_json(std::string("{\"addr\":") + kernel_addr + ",\"route\":" + routes + "}", "host.json");
    const RouteTable* main = h.table(rt_table_main);
    ASSERT_NE(main, nullptr);
    std::set<std::string> defaults;
    for (const auto& r : main->routes())
        if (r.prefixlen == 0) defaults.insert(format_prefix(r.dst) + " dev " + r.dev);
    EXPECT_EQ(defaults, (std::set<std::string>{"0.0.0.0/0 dev wan1", "::/0 dev wan1", "::/0 dev p1"}));
}

TEST(Host, ALocalTableThatContradictsTheAddressesIsRefused) {
    std::string host = kernel_routes_without([](const nlohmann::json& r) { return r.value("dst", "") == "203.0.113.1"; });
    try {
        Host::from_json(host, "host.json");
        ADD_FAILURE() << "a local table without wan1's local route was accepted";
    } catch (const ParseError& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("no `local 203.0.113.1` route"), std::string::npos) << what;
        EXPECT_NE(what.find("to 'wan1'"), std::string::npos) << what;
    }
}

struct AssumptionCase {
    const char* description;
    std::string host;
    std::vector<HostAssumption::Kind> kinds;
};

TEST(Host, WhatTheDescriptionLeavesOutIsNamed) {
    using K = HostAssumption::Kind;
    const std::string addr = kernel_addr, routes = kernel_routes;
    const std::vector<AssumptionCase> cases = {
        {"addresses alone (ip -j addr, or pasted ip addr)", addr, {K::routes_derived, K::sysctls_default}},
        {"routes without sysctls", "{\"addr\":" + addr + ",\"route\":" + routes + "}", {K::sysctls_default}},
        {"sysctls without ip_forward", "{\"addr\":" + addr + ",\"route\":" + routes + ",\"sysctl\":{\"rp_filter\":1}}", {K::ip_forward_default}},
        {"everything", "{\"addr\":" + addr + ",\"route\":" + routes + ",\"sysctl\":{\"net.ipv4.ip_forward\":0}}", {}},
    };
    for (const auto& c : cases) {
        Host h = Host::from_json(c.host, "host.json");
        std::vector<K> kinds;
        for (const auto& a : h.assumptions()) kinds.push_back(a.kind);
        EXPECT_EQ(kinds, c.kinds) << c.description;
    }
}

TEST(Host, LookupFollowsRulesAndLongestPrefix) {
    std::string host = std::string(R"({"addr":)") + kernel_addr + R"(,
      "route":[
        {"dst":"default","gateway":"203.0.113.254","dev":"wan1"},
        {"dst":"203.0.113.0/24","dev":"wan1","prefsrc":"203.0.113.1"},
        {"dst":"default","gateway":"198.51.100.0","dev":"p1","table":"DSL"},
        {"type":"blackhole","dst":"192.0.2.0/24"},
        {"type":"unreachable","dst":"192.0.2.128/25"},
        {"type":"local","dst":"127.0.0.0/8","dev":"lo","table":"local"},
        {"type":"local","dst":"203.0.113.1","dev":"wan1","table":"local"},
        {"type":"local","dst":"198.51.100.1","dev":"p1","table":"local"},
        {"type":"broadcast","dst":"203.0.113.255","dev":"wan1","table":"local"}],
      "rule":[
        {"priority":0,"src":"all","table":"local"},
        {"priority":100,"src":"all","fwmark":"0x1/0xff","table":"DSL"},
        {"priority":200,"src":"all","iif":"p1","action":"prohibit"},
        {"priority":32766,"src":"all","table":"main"},
        {"priority":32767,"src":"all","table":"default"}]})";
    Host h = Host::from_json(host, "host.json");
    const std::vector<LookupCase> cases = {
        {"203.0.113.1", "lo", 0, RouteType::local, "wan1"},
        {"127.9.9.9", "lo", 0, RouteType::local, "lo"},
        {"203.0.113.255", "wan1", 0, RouteType::broadcast, "wan1"},
        {"203.0.113.77", "lo", 0, RouteType::unicast, "wan1"},
        {"8.8.8.8", "lo", 0, RouteType::unicast, "wan1"},
        {"8.8.8.8", "lo", 0x101, RouteType::unicast, "p1"},  // fwmark rule -> table DSL
        {"8.8.8.8", "lo", 0x102, RouteType::unicast, "wan1"},  // mask 0xff: 0x02 != 0x01
        {"8.8.8.8", "p1", 0, RouteType::prohibit, ""},  // iif rule
        {"192.0.2.7", "lo", 0, RouteType::blackhole, ""},
        {"192.0.2.200", "lo", 0, RouteType::unreachable, ""},  // longer prefix wins
    };
    for (const auto& c : cases) {
        RouteQuery q;
        q.dst = v4(c.dst);
        q.src = IpAddr::v4(0);
        q.iif = c.iif;
        q.mark = c.mark;
        RouteResult r = h.lookup(q);
        SCOPED_TRACE(std::string(c.dst) + " iif " + c.iif);
        ASSERT_TRUE(r.found);
        EXPECT_EQ(route_type_name(r.type), std::string(route_type_name(c.type)));
        EXPECT_EQ(r.route ? r.route->dev : "", c.dev);
    }
    Host no_default = Host::from_json(kernel_addr, "addr.json");
    RouteQuery q;
    q.dst = v4("8.8.8.8");
    q.iif = "lo";
    EXPECT_FALSE(no_default.lookup(q).found);
}

TEST(Host, AddressTypesAsInetDevAddrType) {
    Host h = Host::from_json(kernel_addr, "addr.json");
    EXPECT_EQ(h.address_type(v4("203.0.113.1"), ""), addr_type::local);
    EXPECT_EQ(h.address_type(v4("127.0.0.5"), ""), addr_type::local);
    EXPECT_EQ(h.address_type(v4("198.51.100.1"), ""), addr_type::local);
    EXPECT_EQ(h.address_type(v4("203.0.113.255"), ""), addr_type::broadcast);
    EXPECT_EQ(h.address_type(v4("255.255.255.255"), ""), addr_type::broadcast);
    EXPECT_EQ(h.address_type(v4("0.1.2.3"), ""), addr_type::broadcast);
    EXPECT_EQ(h.address_type(v4("224.0.0.1"), ""), addr_type::multicast);
    EXPECT_EQ(h.address_type(v4("203.0.113.2"), ""), addr_type::unicast);
    // --limit-iface-*: only routes through that device count.
    EXPECT_EQ(h.address_type(v4("203.0.113.1"), "wan1"), addr_type::local);
    EXPECT_EQ(h.address_type(v4("203.0.113.1"), "p1"), addr_type::unicast);
}

TEST(Host, ReversePathFilter) {
    Host h = Host::from_json(kernel_addr, "addr.json");
    Packet p;
    p.src = v4("203.0.113.9");
    p.dst = v4("203.0.113.1");
    p.in = IfaceName("wan1");
    EXPECT_TRUE(h.reverse_path_ok(p, false, false, false));
    p.in = IfaceName("p1");
    EXPECT_FALSE(h.reverse_path_ok(p, false, false, false));  // strict: the route back is via wan1
    EXPECT_TRUE(h.reverse_path_ok(p, true, false, false));  // loose: some route exists
    p.src = v4("8.8.8.8");
    EXPECT_FALSE(h.reverse_path_ok(p, true, false, false));  // no route back at all
    p.in = IfaceName("lo");
    EXPECT_TRUE(h.reverse_path_ok(p, false, false, false));  // loopback always passes
    p.in = IfaceName("wan1");
    p.src = v4("203.0.113.1");  // our own address from outside
    EXPECT_FALSE(h.reverse_path_ok(p, true, false, false));
    EXPECT_TRUE(h.reverse_path_ok(p, true, false, true));  // --accept-local
}

TEST(Host, Sysctls) {
    Host h = Host::from_json(std::string(R"({"addr":)") + kernel_addr + R"(,"sysctl":{
        "net.ipv4.ip_forward":"1","net.ipv4.conf.all.rp_filter":1,"net.ipv4.conf.wan1.rp_filter":2,
        "net.ipv4.conf.default.rp_filter":0,"net.ipv4.conf.p1.forwarding":0,"net.ipv4.conf.lo.route_localnet":1,
        "net.netfilter.nf_conntrack_tcp_loose":0,"net.ipv4.tcp_rmem":"4096\t87380\t6291456","net.core.rmem_max":212992,
        "net.ipv4.icmp_echo_ignore_broadcasts":0}})",
                             "host.json");
    const Sysctls& s = h.sysctl();
    EXPECT_TRUE(s.ip_forward);
    EXPECT_EQ(s.rp_filter_for("wan1"), 2);
    EXPECT_EQ(s.rp_filter_for("p1"), 1);  // max(all, dev)
    EXPECT_TRUE(s.forwarding_for("wan1"));
    EXPECT_FALSE(s.forwarding_for("p1"));
    EXPECT_TRUE(s.route_localnet_for("lo"));
    EXPECT_FALSE(s.route_localnet_for("wan1"));
    EXPECT_FALSE(s.tcp_loose);
    EXPECT_EQ(std::vector<std::uint32_t>(std::begin(s.tcp_rmem), std::end(s.tcp_rmem)), (std::vector<std::uint32_t>{4096, 87380, 6291456}));
    EXPECT_EQ(s.rmem_max, 212992u);
    EXPECT_FALSE(s.icmp_echo_ignore_broadcasts);

    Host defaults = Host::from_json(kernel_addr, "addr.json");
    EXPECT_FALSE(defaults.sysctl().ip_forward);
    EXPECT_EQ(defaults.sysctl().rp_filter_for("wan1"), 0);
    EXPECT_TRUE(defaults.sysctl().tcp_loose);
}

TEST(Host, LoopbackIsAddedWhenTheDumpLacksIt) {
    Host h = Host::from_json(R"([{"ifname":"eth0","flags":["UP"],"addr_info":[{"family":"inet","local":"192.0.2.1","prefixlen":24}]}])", "a.json");
    ASSERT_NE(h.interface("lo"), nullptr);
    EXPECT_EQ(h.address_type(v4("127.0.0.1"), ""), addr_type::local);
}

TEST(Host, DownInterfacesHaveNoRoutes) {
    Host h =
        Host::from_json(R"([{"ifname":"eth0","flags":["BROADCAST"],"addr_info":[{"family":"inet","local":"192.0.2.1","prefixlen":24}]}])", "a.json");
    EXPECT_EQ(h.address_type(v4("192.0.2.1"), ""), addr_type::unicast);
}

TEST(Host, BadFilesNameTheJsonPath) {
    struct Bad {
        const char* json;
        const char* message;
    };
    const std::vector<Bad> bad = {
        {"{", "not valid JSON"},
        {"42", "expected the array of ip -j addr show"},
        {R"({"route":[]})", "expected an \"addr\" member"},
        {R"({"addr":[],"routes":[]})", "$.routes: unknown member"},
        {R"([{"ifname":"eth0","addr_info":[{"family":"inet","local":"192.0.2.300","prefixlen":24}]}])",
         "addr[0].addr_info[0].local: expected an IP address"},
        {R"([{"ifname":"eth0","addr_info":[{"family":"inet","local":"192.0.2.3","prefixlen":33}]}])", "addr[0].addr_info[0].prefixlen: out of range"},
        {R"([{"ifname":"eth0"},{"ifname":"eth0"}])", "addr[1].ifname: interface 'eth0' appears twice"},
        {R"({"addr":[],"route":[{"dst":"10.0.0.0/8","dev":"eth9"}]})", "route[0].dev: no interface 'eth9'"},
        {R"({"addr":[],"route":[{"type":"weird","dst":"10.0.0.0/8"}]})", "route[0].type: unknown route type 'weird'"},
        {R"({"addr":[],"route":[{"dst":"203.0.113.0/23.0.113.1"}]})", "route[0].dst: expected ADDRESS/LENGTH"},  // fuzz finding
        {R"({"addr":[],"rule":[{"priority":1,"src":"all"}]})", "rule[0].table: expected the table"},
        {R"({"addr":[],"sysctl":{"net.ipv4.tcp_syncookies":1}})", "sysctl.net.ipv4.tcp_syncookies: not a sysctl fwbench uses"},
        {R"({"addr":[],"sysctl":{"net.ipv4.conf.all.rp_filter":3}})", "rp_filter is 0, 1 or 2"},
        {R"({"addr":[],"route":[{"dst":"10.0.0.0/8","metrics":[{"mtu":20}]}]})", "route[0].metrics[0].mtu: a route MTU is 68 to 65535"},
        {R"({"addr":[],"route":[{"dst":"10.0.0.0/8","metrics":{"mtu":1400}}]})", "route[0].metrics: expected an array"},
        {R"({"addr":[],"route":[{"dst":"10.0.0.0/8","flow":{"to":"lan"}}]})", "route[0].flow.to: expected a realm 0-65535 (a name of the host's"},
        {R"({"addr":[],"route":[{"dst":"10.0.0.0/8","flow":{"from":"65536"}}]})", "route[0].flow.from: expected a realm 0-65535"},
        {R"({"addr":[],"route":[{"dst":"2001:db8::/32","flow":{"to":"5"}}]})", "route[0].flow: realms are IPv4's"},
        {R"({"addr":[],"rule":[{"priority":1,"src":"all","table":"main","flow_to":"4"}]})", "rule[0].flow_to: a rule's realms are not modelled"},
        {R"({"addr":[],"route":[{"dst":"default","nexthops":[{"gateway":"192.0.2.254","dev":"eth0"},{"gateway":"192.0.2.253","dev":"eth0"}]}]})",
         "route[0].nexthops: a multipath route (several nexthops) is not modelled"},
        {R"({"addr":[],"sysctl":{"net.netfilter.nf_conntrack_tcp_max_retrans":256}})", "nf_conntrack_tcp_max_retrans is 0 to 255"},
        {R"({"addr":[],"sysctl":{"net.ipv4.tcp_rmem":"4096 131072"}})", "sysctl.net.ipv4.tcp_rmem: expected the three numbers of tcp_rmem"},
        {R"({"addr":[],"sockets":42})", "$.sockets: expected the output of `ss -Htuln`"},
        {R"({"addr":[],"sockets":["tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:*","tcp ESTAB 0 0 192.0.2.1:22 192.0.2.9:4000"]})",
         "$.sockets[1]: column 5: expected LISTEN"},
        {R"({"addr":[],"sockets":"udp UNCONN 0 0 0.0.0.0:53 0.0.0.0:*\nraw UNCONN 0 0 0.0.0.0:1 0.0.0.0:*"})",
         "$.sockets line 2: column 1: expected tcp or udp"},
        {R"({"addr":[],"sockets":["tcp LISTEN 0 128 0.0.0.0:70000 0.0.0.0:*"]})", "column 18: expected a port from 1 to 65535"},
        {R"({"addr":[],"sockets":["tcp LISTEN 0 128 192.0.2.300:22 0.0.0.0:*"]})", "column 18: expected an IPv4 address, [IPv6] or *"},
        {R"({"addr":[],"sockets":["tcp LISTEN 0 128 [::g]:22 [::]:*"]})", "expected an IPv6 address between the brackets"},
        {R"({"addr":[],"sockets":["tcp LISTEN 0 128 0.0.0.0:22"]})", "expected Recv-Q, Send-Q, the local and the peer address"},
        {R"({"addr":[],"sockets":["udp UNCONN 0 0 127.0.0.53%eth9:53 0.0.0.0:*"]})", "no interface 'eth9' in addr"},
    };
    for (const auto& b : bad) {
        try {
            Host::from_json(b.json, "host.json");
            ADD_FAILURE() << "accepted: " << b.json;
        } catch (const ParseError& e) {
            EXPECT_NE(std::string(e.what()).find(b.message), std::string::npos) << e.what() << "\nexpected: " << b.message;
            EXPECT_EQ(e.file(), "host.json");
        }
    }
}

// ss -Htuln as ss 6.1 prints it (with -p's process column on one line), and who takes an IPv4
// packet: the socket's address or any, `*` (IPv6 taking IPv4) but not `[::]` (IPv6 only), a
// mapped address, a bound device only for packets arriving on it.
TEST(Host, ListeningSocketsAsSsListsThem) {
    const std::string host = std::string(R"({"addr":)") + kernel_addr + R"x(,"sockets":[
      "udp UNCONN 0      0                 0.0.0.0:53 0.0.0.0:*",
      "udp UNCONN 0      0            127.0.0.1%lo:55 0.0.0.0:*",
      "tcp LISTEN 0      128               0.0.0.0:22 0.0.0.0:* users:((\"sshd\",pid=5209,fd=3))",
      "tcp LISTEN 0      128    [::ffff:127.0.0.1]:26       *:*",
      "tcp LISTEN 0      128                  [::]:24    [::]:*",
      "tcp LISTEN 0      128                     *:23       *:*",
      "tcp LISTEN 0      128          203.0.113.1:25 0.0.0.0:*"]})x";
    const Host h = Host::from_json(host, "host.json");
    ASSERT_NE(h.sockets(), nullptr);
    ASSERT_EQ(h.sockets()->size(), 7u);
    const IpAddr wan = *parse_ip("203.0.113.1", Family::ipv4), p1 = *parse_ip("198.51.100.1", Family::ipv4),
                 loop = *parse_ip("127.0.0.1", Family::ipv4);
    struct Lookup {
        std::uint8_t proto;
        IpAddr dst;
        std::uint16_t port;
        const char* dev;
        bool taken;
    };
    const Lookup lookups[] = {
        {proto::udp, wan, 53, "wan1", true},   {proto::tcp, wan, 53, "wan1", false}, {proto::udp, loop, 55, "lo", true},
        {proto::udp, loop, 55, "wan1", false}, {proto::udp, wan, 55, "lo", false},   {proto::tcp, p1, 22, "p1", true},
        {proto::tcp, loop, 26, "lo", true},    {proto::tcp, wan, 26, "wan1", false}, {proto::tcp, wan, 24, "wan1", false},
        {proto::tcp, wan, 23, "wan1", true},   {proto::tcp, wan, 25, "wan1", true},  {proto::tcp, p1, 25, "p1", false},
    };
    for (const auto& l : lookups)
        EXPECT_EQ(has_socket_for(*h.sockets(), l.proto, l.dst, l.port, l.dev), l.taken)
            << (l.proto == proto::tcp ? "tcp " : "udp ") << format_ip(l.dst) << ":" << l.port << " on " << l.dev;
    EXPECT_EQ(Host::from_json(kernel_addr, "host.json").sockets(), nullptr);  // not listed: not known
}

}  // namespace
}  // namespace fwbench

namespace fwbench {
namespace {

// Route lookup, short tables (scanned flat) and long ones (the trie), against the definition:
// the longest prefix covering the address, then the lowest metric, then the first added, among
// routes whose TOS fits.
TEST(RouteTable, FlatScanAndTrieEqualLongestPrefixThenMetric) {
    std::mt19937_64 rng(9);
    for (int round = 0; round < 40; ++round) {
        const std::size_t count = round % 2 ? 70 + rng() % 40 : 1 + rng() % 60;
        RouteTable table;
        std::vector<Route> added;
        for (std::size_t i = 0; i < count; ++i) {
            Route r;
            r.prefixlen = static_cast<int>(rng() % 4 == 0 ? 0 : 8 + rng() % 25);
            std::uint32_t base = 0xC0000200u + static_cast<std::uint32_t>(rng() % 4) * 0x100u;  // 192.0.2.0 .. 192.0.5.0
            if (rng() % 3 == 0) base = static_cast<std::uint32_t>(rng());
            r.dst = IpPrefix{IpAddr::v4(base), IpAddr::v4(r.prefixlen ? ~std::uint32_t{0} << (32 - r.prefixlen) : 0)};
            r.metric = static_cast<std::uint32_t>(rng() % 3);
            r.tos = rng() % 5 == 0 ? 0x10 : 0;
            r.dev = std::to_string(i);
            table.add(r);
            added.push_back(r);
        }
        for (int q = 0; q < 300; ++q) {
            std::uint32_t a = 0xC0000200u + static_cast<std::uint32_t>(rng() % 0x400);
            if (q % 4 == 0) a = static_cast<std::uint32_t>(rng());
            const std::uint8_t tos = q % 3 == 0 ? 0x10 : 0;
            const Route* want = nullptr;
            for (const Route& r : added) {
                const std::uint32_t mask = r.prefixlen ? ~std::uint32_t{0} << (32 - r.prefixlen) : 0;
                if ((a & mask) != (r.dst.addr.v4_host() & mask) || (r.tos != 0 && r.tos != tos)) continue;
                if (!want || r.prefixlen > want->prefixlen || (r.prefixlen == want->prefixlen && r.metric < want->metric)) want = &r;
            }
            const Route* got = table.lookup(IpAddr::v4(a), tos);
            ASSERT_EQ(got ? got->dev : "none", want ? want->dev : "none") << "round " << round << " (" << count << " routes), address " << a;
        }
    }
}

}  // namespace
}  // namespace fwbench
