// `ip addr` text, read as the JSON of `ip -j addr`: both dumps below were taken from one Linux
// 6.18 network namespace (veth pair wan1/p1, a secondary address, a peer address, IPv6 link-locals).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>

#include "fwbench/host.hpp"
#include "fwbench/ip_addr_text.hpp"
#include "fwbench/parse_error.hpp"

namespace fwbench {
namespace {

const char* namespace_text = R"(1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
    inet 127.0.0.1/8 scope host lo
       valid_lft forever preferred_lft forever
    inet6 ::1/128 scope host 
       valid_lft forever preferred_lft forever
2: p1@wan1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000
    link/ether e6:7f:0f:81:fd:99 brd ff:ff:ff:ff:ff:ff
    inet 198.51.100.1/31 scope global p1
       valid_lft forever preferred_lft forever
    inet 192.0.2.1 peer 192.0.2.2/32 scope global p1
       valid_lft forever preferred_lft forever
    inet6 fe80::e47f:fff:fe81:fd99/64 scope link tentative 
       valid_lft forever preferred_lft forever
3: wan1@p1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000
    link/ether 66:95:8a:c9:ab:d7 brd ff:ff:ff:ff:ff:ff
    inet 203.0.113.1/24 brd 203.0.113.255 scope global wan1
       valid_lft forever preferred_lft forever
    inet 203.0.113.7/24 scope global secondary wan1
       valid_lft forever preferred_lft forever
    inet6 fe80::6495:8aff:fec9:abd7/64 scope link tentative 
       valid_lft forever preferred_lft forever
)";

const char* namespace_json =
    R"([{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,"qdisc":"noqueue","operstate":"UNKNOWN","group":"default","txqlen":1000,"link_type":"loopback","address":"00:00:00:00:00:00","broadcast":"00:00:00:00:00:00","addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8,"scope":"host","label":"lo","valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet6","local":"::1","prefixlen":128,"scope":"host","valid_life_time":4294967295,"preferred_life_time":4294967295}]},{"ifindex":2,"link":"wan1","ifname":"p1","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","operstate":"UP","group":"default","txqlen":1000,"link_type":"ether","address":"e6:7f:0f:81:fd:99","broadcast":"ff:ff:ff:ff:ff:ff","addr_info":[{"family":"inet","local":"198.51.100.1","prefixlen":31,"scope":"global","label":"p1","valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet","local":"192.0.2.1","address":"192.0.2.2","prefixlen":32,"scope":"global","label":"p1","valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet6","local":"fe80::e47f:fff:fe81:fd99","prefixlen":64,"scope":"link","tentative":true,"valid_life_time":4294967295,"preferred_life_time":4294967295}]},{"ifindex":3,"link":"p1","ifname":"wan1","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","operstate":"UP","group":"default","txqlen":1000,"link_type":"ether","address":"66:95:8a:c9:ab:d7","broadcast":"ff:ff:ff:ff:ff:ff","addr_info":[{"family":"inet","local":"203.0.113.1","prefixlen":24,"broadcast":"203.0.113.255","scope":"global","label":"wan1","valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet","local":"203.0.113.7","prefixlen":24,"scope":"global","secondary":true,"label":"wan1","valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet6","local":"fe80::6495:8aff:fec9:abd7","prefixlen":64,"scope":"link","tentative":true,"valid_life_time":4294967295,"preferred_life_time":4294967295}]}])";

// `ip -j route show table all` of the same namespace.
const char* namespace_routes =
    R"([{"dst":"192.0.2.2","dev":"p1","protocol":"kernel","scope":"link","prefsrc":"192.0.2.1","flags":[]},{"dst":"198.51.100.0/31","dev":"p1","protocol":"kernel","scope":"link","prefsrc":"198.51.100.1","flags":[]},{"dst":"203.0.113.0/24","dev":"wan1","protocol":"kernel","scope":"link","prefsrc":"203.0.113.1","flags":[]},{"type":"local","dst":"127.0.0.0/8","dev":"lo","table":"local","protocol":"kernel","scope":"host","prefsrc":"127.0.0.1","flags":[]},{"type":"local","dst":"127.0.0.1","dev":"lo","table":"local","protocol":"kernel","scope":"host","prefsrc":"127.0.0.1","flags":[]},{"type":"broadcast","dst":"127.255.255.255","dev":"lo","table":"local","protocol":"kernel","scope":"link","prefsrc":"127.0.0.1","flags":[]},{"type":"local","dst":"192.0.2.1","dev":"p1","table":"local","protocol":"kernel","scope":"host","prefsrc":"192.0.2.1","flags":[]},{"type":"local","dst":"198.51.100.1","dev":"p1","table":"local","protocol":"kernel","scope":"host","prefsrc":"198.51.100.1","flags":[]},{"type":"local","dst":"203.0.113.1","dev":"wan1","table":"local","protocol":"kernel","scope":"host","prefsrc":"203.0.113.1","flags":[]},{"type":"local","dst":"203.0.113.7","dev":"wan1","table":"local","protocol":"kernel","scope":"host","prefsrc":"203.0.113.1","flags":[]},{"type":"broadcast","dst":"203.0.113.255","dev":"wan1","table":"local","protocol":"kernel","scope":"link","prefsrc":"203.0.113.1","flags":[]},{"dst":"fe80::/64","dev":"p1","protocol":"kernel","metric":256,"flags":[],"pref":"medium"},{"dst":"fe80::/64","dev":"wan1","protocol":"kernel","metric":256,"flags":[],"pref":"medium"},{"type":"local","dst":"::1","dev":"lo","table":"local","protocol":"kernel","metric":0,"flags":[],"pref":"medium"},{"type":"multicast","dst":"ff00::/8","dev":"p1","table":"local","protocol":"kernel","metric":256,"flags":[],"pref":"medium"},{"type":"multicast","dst":"ff00::/8","dev":"wan1","table":"local","protocol":"kernel","metric":256,"flags":[],"pref":"medium"}])";

// The members the text form carries, projected out of the real JSON.
nlohmann::json carried(const nlohmann::json& links) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& l : links) {
        nlohmann::json o;
        for (const char* k : {"ifindex", "ifname", "flags", "mtu", "operstate", "link_type", "address"})
            if (l.contains(k)) o[k] = l[k];
        o["addr_info"] = nlohmann::json::array();
        for (const auto& a : l["addr_info"]) {
            nlohmann::json b;
            for (const char* k : {"family", "local", "address", "prefixlen", "broadcast", "scope", "secondary", "noprefixroute", "label", "tentative",
                                  "dynamic", "deprecated"})
                if (a.contains(k)) b[k] = a[k];
            o["addr_info"].push_back(b);
        }
        out.push_back(o);
    }
    return out;
}

TEST(IpAddrText, ReadsWhatIpJsonSays) {
    ASSERT_TRUE(looks_like_ip_addr_text(namespace_text));
    ASSERT_FALSE(looks_like_ip_addr_text(namespace_json));
    auto from_text = nlohmann::json::parse(ip_addr_text_to_json(namespace_text, "ip-addr.txt"));
    EXPECT_EQ(from_text, carried(nlohmann::json::parse(namespace_json)));
}

TEST(IpAddrText, GivesTheSameHost) {
    Host a = Host::from_json(ip_addr_text_to_json(namespace_text, "ip-addr.txt"), "ip-addr.txt");
    Host b = Host::from_json(namespace_json, "ip-addr.json");
    ASSERT_EQ(a.interfaces().size(), b.interfaces().size());
    for (std::size_t i = 0; i < a.interfaces().size(); ++i) {
        const Interface& x = a.interfaces()[i];
        const Interface& y = b.interfaces()[i];
        EXPECT_EQ(x.name, y.name);
        EXPECT_EQ(x.up, y.up);
        EXPECT_EQ(x.loopback, y.loopback);
        EXPECT_EQ(x.mac.has_value(), y.mac.has_value()) << x.name;
        ASSERT_EQ(x.addrs.size(), y.addrs.size()) << x.name;
        for (std::size_t k = 0; k < x.addrs.size(); ++k) {
            EXPECT_EQ(format_ip(x.addrs[k].addr), format_ip(y.addrs[k].addr));
            EXPECT_EQ(x.addrs[k].prefixlen, y.addrs[k].prefixlen);
            EXPECT_EQ(x.addrs[k].secondary, y.addrs[k].secondary);
        }
    }
    EXPECT_TRUE(a.is_local_address(*parse_ip("203.0.113.7", Family::ipv4)));
}

std::set<std::string> ipv4_routes(const Host& h) {
    std::set<std::string> out;
    for (std::uint32_t t : {rt_table_local, rt_table_main}) {
        const RouteTable* table = h.table(t);
        if (!table) continue;
        for (const auto& r : table->routes())
            if (r.dst.addr.family == Family::ipv4)
                out.insert(std::string(route_type_name(r.type)) + " " + format_prefix(r.dst) + " dev " + r.dev + " table " + h.table_name(r.table) +
                           (r.prefsrc ? " src " + format_ip(*r.prefsrc) : ""));
    }
    return out;
}

// Routes derived from the text dump, a peer address among them, are the kernel's own.
TEST(IpAddrText, DerivedRoutesEqualTheKernels) {
    Host from_text = Host::from_json(ip_addr_text_to_json(namespace_text, "ip-addr.txt"), "ip-addr.txt");
    Host dumped = Host::from_json(std::string("{\"addr\":") + namespace_json + ",\"route\":" + namespace_routes + "}", "host.json");
    EXPECT_EQ(ipv4_routes(from_text), ipv4_routes(dumped));
    EXPECT_EQ(ipv4_routes(dumped).count("unicast 192.0.2.2/32 dev p1 table main src 192.0.2.1"), 1u);
}

struct BadText {
    const char* description;
    const char* text;
    int line, column;
    const char* says;
};

TEST(IpAddrText, BadInputIsPlaced) {
    const BadText cases[] = {
        {"anonymised address", "1: lo: <LOOPBACK,UP> mtu 65536\n    inet [PUBLIC IP HERE] scope global eth1\n", 2, 10, "expected an IPv4 address"},
        {"prefix too long", "2: eth0: <UP> mtu 1500\n    inet 192.0.2.1/33 scope global eth0\n", 2, 20, "prefix length up to 32"},
        {"IPv4 on an inet6 line", "2: eth0: <UP> mtu 1500\n    inet6 192.0.2.1/24 scope global\n", 2, 11, "expected an IPv6 address"},
        {"address before any interface", "    inet 192.0.2.1/24 scope global eth0\n", 1, 5, "before any interface"},
        {"not a header", "eth0: <UP> mtu 1500\n", 1, 1, "interface header"},
        {"bad mtu", "2: eth0: <UP> mtu big\n", 1, 19, "MTU"},
    };
    for (const auto& c : cases) {
        try {
            ip_addr_text_to_json(c.text, "dump");
            ADD_FAILURE() << c.description << ": accepted";
        } catch (const ParseError& e) {
            EXPECT_EQ(e.line(), c.line) << c.description << ": " << e.what();
            EXPECT_EQ(e.column(), c.column) << c.description << ": " << e.what();
            EXPECT_NE(e.message().find(c.says), std::string::npos) << c.description << ": " << e.what();
        }
    }
}

}  // namespace
}  // namespace fwbench
