// The host model against a live kernel: the IPv6 routes fwbench derives from an `ip -j addr`
// dump (and the forwarding sysctls) are the routes the kernel itself made for those addresses,
// read back with `ip -j route show table all`.

#include <gtest/gtest.h>

#include <set>
#include <string>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "fwbench/host.hpp"
#include "fwbench/netns.hpp"
#include "fwbench/subprocess.hpp"
#include "require_kernel.hpp"

namespace fwbench {
namespace {

void run_in(const NetNamespace& ns, std::vector<std::string> argv) { run_program_checked({std::move(argv), {}, ns.fd()}); }

std::set<std::string> ipv6_routes(const Host& h) {
    std::set<std::string> out;
    for (std::uint32_t t : {rt_table_local, rt_table_main, rt_table_default}) {
        const RouteTable* table = h.table(t);
        if (!table) continue;
        for (const auto& r : table->routes())
            if (r.dst.addr.family == Family::ipv6)
                out.insert(std::string(route_type_name(r.type)) + " " + format_prefix(r.dst) + " dev " + r.dev + " table " + h.table_name(r.table));
    }
    return out;
}

TEST(KernelHost, Ipv6RoutesDerivedFromAddressesAreTheKernels) {
    test::require_kernel();
    if (HasFatalFailure() || IsSkipped()) return;
    NetNamespace ns;
    // Link-local addresses skip duplicate address detection, as the `nodad` ones below do: a
    // tentative address has no local route yet (covered by its own case below).
    for (const char* conf : {"all", "default"}) ns.write_sysctl(std::string("net/ipv6/conf/") + conf + "/accept_dad", "0");
    run_in(ns, {"ip", "link", "set", "lo", "up"});
    run_in(ns, {"ip", "link", "add", "wan1", "type", "veth", "peer", "name", "lan0"});
    run_in(ns, {"ip", "link", "add", "p1", "type", "veth", "peer", "name", "p2"});  // p2 stays down, p1 has no carrier: no IPv6
    const std::vector<std::vector<std::string>> addresses = {
        {"2001:db8:1::1/64", "wan1"},  {"2001:db8:1::2/64", "wan1"},  // one prefix route for both
        {"fd00:1::1/48", "wan1"},      {"2001:db8:2::1/64", "lan0", "noprefixroute"},
        {"2001:db8:9::9/128", "lan0"}, {"2001:db8:3::1/127", "lan0"},  // no anycast for /127
        {"2001:db8:4::1/64", "p2"},  // a device that is down: the local route only
    };
    for (const auto& a : addresses) {
        std::vector<std::string> argv = {"ip", "addr", "add", a[0], "dev", a[1], "nodad"};
        if (a.size() > 2) argv.push_back(a[2]);
        run_in(ns, argv);
    }
    for (const char* dev : {"wan1", "lan0", "p1"}) run_in(ns, {"ip", "link", "set", dev, "up"});
    // Forwarding on lan0 alone: its prefixes (link-local's too) get subnet-router anycast routes.
    ns.write_sysctl("net/ipv6/conf/lan0/forwarding", "1");
    // A veth pair's carrier comes up a moment after `link set up` (linkwatch), and addrconf
    // configures a device (its ff00::/8 route) only then: wait for the kernel to get there, up to
    // 5 s, as a host would be by the time someone dumps it.
    nlohmann::json routes;
    for (int tries = 0; tries < 50; ++tries) {
        routes = nlohmann::json::parse(run_program_checked({{"ip", "-6", "-j", "route", "show", "table", "all"}, {}, ns.fd()}));
        int ready = 0;
        for (const auto& r : routes) ready += r.value("dst", "") == "ff00::/8" && (r.value("dev", "") == "wan1" || r.value("dev", "") == "lan0");
        if (ready == 2) break;
        usleep(100000);
    }
    const std::string addr = run_program_checked({{"ip", "-j", "addr", "show"}, {}, ns.fd()});
    for (const auto& r : nlohmann::json::parse(run_program_checked({{"ip", "-4", "-j", "route", "show", "table", "all"}, {}, ns.fd()})))
        routes.push_back(r);
    const std::string sysctl = R"({"net.ipv6.conf.lan0.forwarding":1})";
    const Host derived = Host::from_json("{\"addr\":" + addr + ",\"sysctl\":" + sysctl + "}", "ip -j addr");
    const Host dumped = Host::from_json("{\"addr\":" + addr + ",\"route\":" + routes.dump() + ",\"sysctl\":" + sysctl + "}", "ip -j route");
    const std::set<std::string> kernel = ipv6_routes(dumped), mine = ipv6_routes(derived);
    EXPECT_EQ(mine, kernel);
    // The cases the set must hold, so an empty comparison cannot pass.
    for (const char* want : {"anycast 2001:db8:2::/128 dev lan0 table local", "local 2001:db8:1::2/128 dev wan1 table local",
                             "unicast 2001:db8:9::9/128 dev lan0 table main", "local 2001:db8:4::1/128 dev p2 table local"})
        EXPECT_EQ(kernel.count(want), 1u) << want;
    std::string listing;
    for (const auto& r : kernel) listing += "  " + r + "\n";
    std::cout << kernel.size() << " IPv6 routes of the kernel derived alike:\n" << listing;
}

// An address still in duplicate address detection has its prefix route but no local route.
TEST(KernelHost, ATentativeIpv6AddressHasNoLocalRouteYet) {
    test::require_kernel();
    if (HasFatalFailure() || IsSkipped()) return;
    NetNamespace ns;
    ns.write_sysctl("net/ipv6/conf/default/accept_dad", "1");
    ns.write_sysctl("net/ipv6/conf/default/dad_transmits", "100");  // DAD lasts for the test
    run_in(ns, {"ip", "link", "add", "wan1", "type", "veth", "peer", "name", "lan0"});
    run_in(ns, {"ip", "addr", "add", "2001:db8:1::1/64", "dev", "wan1"});
    for (const char* dev : {"wan1", "lan0"}) run_in(ns, {"ip", "link", "set", dev, "up"});
    const std::string addr = run_program_checked({{"ip", "-j", "addr", "show"}, {}, ns.fd()});
    ASSERT_NE(addr.find("\"tentative\":true"), std::string::npos) << addr;
    const std::string routes = run_program_checked({{"ip", "-6", "-j", "route", "show", "table", "all"}, {}, ns.fd()});
    const Host derived = Host::from_json(addr, "ip -j addr");
    const Host dumped = Host::from_json("{\"addr\":" + addr + ",\"route\":" + routes + "}", "ip -j route");
    EXPECT_EQ(ipv6_routes(derived), ipv6_routes(dumped));
    EXPECT_EQ(ipv6_routes(dumped).count("local 2001:db8:1::1/128 dev wan1 table local"), 0u);
    EXPECT_EQ(ipv6_routes(dumped).count("unicast 2001:db8:1::/64 dev wan1 table main"), 1u);
}

// dump-host on a host whose IPv6 default route has no gateway (a PPP link's): ip prints it as
// "default", as IPv4's; the description must keep it IPv6's, and the host no IPv4 default.
TEST(KernelHost, DumpHostKeepsAGatewaylessIpv6DefaultIpv6s) {
    test::require_kernel();
    if (HasFatalFailure() || IsSkipped()) return;
    const char* fwbench = std::getenv("FWBENCH_BIN");
    ASSERT_TRUE(fwbench) << "FWBENCH_BIN is not set (meson test sets it)";
    NetNamespace ns;
    ns.write_sysctl("net/ipv6/conf/default/accept_dad", "0");
    run_in(ns, {"ip", "link", "add", "wan1", "type", "veth", "peer", "name", "lan0"});
    run_in(ns, {"ip", "addr", "add", "192.0.2.1/24", "dev", "wan1"});
    run_in(ns, {"ip", "addr", "add", "2001:db8:1::1/64", "dev", "wan1", "nodad"});
    for (const char* dev : {"lo", "wan1", "lan0"}) run_in(ns, {"ip", "link", "set", dev, "up"});
    run_in(ns, {"ip", "-6", "route", "add", "default", "dev", "wan1"});
    const Host h = Host::from_json(run_program_checked({{fwbench, "dump-host"}, {}, ns.fd()}), "dump-host");
    const RouteTable* main = h.table(rt_table_main);
    ASSERT_NE(main, nullptr);
    EXPECT_EQ(main->lookup(*parse_ip("198.51.100.7", Family::ipv4)), nullptr) << "an IPv4 default route appeared";
    const Route* v6 = main->lookup(*parse_ip("2001:db8:77::1", Family::ipv6));
    ASSERT_NE(v6, nullptr);
    EXPECT_EQ(v6->prefixlen, 0);
    EXPECT_EQ(v6->dev, "wan1");
}

}  // namespace
}  // namespace fwbench
