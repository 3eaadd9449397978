// Names as the kernel and the netfilter tools allow them (names.hpp), and every reader that takes
// an interface name refusing what the kernel refuses — never cutting a name to fit. The kernel
// itself confirms the interface table in kernel_oracle_test.cpp (KernelNames).

#include <gtest/gtest.h>

#include <fstream>

#include "fwbench/capture.hpp"
#include "fwbench/host.hpp"
#include "fwbench/ip_addr_text.hpp"
#include "fwbench/ipset.hpp"
#include "fwbench/names.hpp"
#include "fwbench/packet_description.hpp"
#include "fwbench/parse_error.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "name_cases.hpp"

namespace fwbench {
namespace {

TEST(InterfaceNames, AsTheKernelsDevValidName) {
    for (const auto& c : test::interface_name_cases) {
        std::string problem = interface_name_problem(c.name);
        EXPECT_EQ(problem.empty(), c.valid) << quoted_name(c.name) << ": " << problem;
        if (!c.valid) {
            EXPECT_NE(problem.find(c.reason), std::string::npos) << quoted_name(c.name) << ": " << problem;
        }
    }
}

TEST(ObjectNames, IpsetAndNfacct) {
    struct Case {
        std::string name;
        bool valid;
    };
    const Case cases[] = {
        {"blocklist", true}, {"$(id>pw);`x`'\"", true}, {std::string(31, 'a'), true},    {std::string(32, 'a'), false}, {"", false},
        {"a b", false},      {"a\tb", false},           {std::string("a\0b", 3), false},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(ipset_name_problem(c.name).empty(), c.valid) << quoted_name(c.name);
        EXPECT_EQ(nfacct_name_problem(c.name).empty(), c.valid) << quoted_name(c.name);
    }
}

TEST(QuotedName, ControlBytesCannotReachTheTerminal) {
    EXPECT_EQ(quoted_name("wan1"), "'wan1'");
    EXPECT_EQ(quoted_name("a'b\\c"), "'a\\'b\\\\c'");
    EXPECT_EQ(quoted_name("\x1b[2Jx\n"), "'\\x1b[2Jx\\x0a'");
    EXPECT_EQ(quoted_name("w\xc3\xa9"), "'w\xc3\xa9'");  // UTF-8 text stays readable
}

std::string host_with(const std::string& name) {
    return R"({"addr":[{"ifname":")" + name + R"(","addr_info":[{"family":"inet","local":"192.0.2.1","prefixlen":24}]}]})";
}

// Each reader of interface names: a refusal at the field's place, quoting the name.
TEST(InterfaceNames, EveryReaderRefusesWhatTheKernelRefuses) {
    auto refused = [](auto&& read, const std::string& where) {
        try {
            read();
        } catch (const std::exception& e) {
            EXPECT_NE(std::string(e.what()).find(where), std::string::npos) << e.what();
            return true;
        }
        return false;
    };
    // Host JSON: the interface, a route's device, a rule's iif/oif, a per-device sysctl.
    EXPECT_TRUE(refused([] { Host::from_json(host_with("a:b"), "h.json"); }, "addr[0].ifname: 'a:b'"));
    EXPECT_TRUE(refused([] { Host::from_json(host_with("abcdefghijklmnop"), "h.json"); }, "16 bytes"));
    EXPECT_TRUE(
        refused([] { Host::from_json(R"({"addr":[{"ifname":"eth0"}],"route":[{"dst":"default","dev":"eth 0"}]})", "h.json"); }, "route[0].dev"));
    EXPECT_TRUE(refused([] { Host::from_json(R"({"addr":[{"ifname":"eth0"}],"rule":[{"priority":5,"iif":"a/b","table":"main"}]})", "h.json"); },
                        "rule[0].iif"));
    EXPECT_TRUE(refused([] { Host::from_json(R"({"addr":[{"ifname":"eth0"}],"sysctl":{"net.ipv4.conf.eth9.rp_filter":1}})", "h.json"); },
                        "no interface 'eth9'"));
    // A valid but unusual name is kept byte for byte, also in sysctl keys and routes.
    Host odd = Host::from_json(R"({"addr":[{"ifname":"$(id>x);`y`"}],"route":[{"dst":"default","dev":"$(id>x);`y`"}],)"
                               R"("sysctl":{"net.ipv4.conf.$(id>x);`y`.rp_filter":2}})",
                               "h.json");
    ASSERT_NE(odd.interface("$(id>x);`y`"), nullptr);
    EXPECT_EQ(odd.sysctl().rp_filter.at("$(id>x);`y`"), 2);
    // ip addr text: line and column of the name.
    EXPECT_TRUE(refused([] { ip_addr_text_to_json("1: lo: <LOOPBACK,UP> mtu 65536\n2: a:b: <UP> mtu 1500\n", "a.txt"); }, "a.txt:2:4"));
    EXPECT_TRUE(refused([] { ip_addr_text_to_json("2: a@b@if3: <UP> mtu 1500\n", "a.txt"); }, "'@LINK'"));
    EXPECT_EQ(Host::from_json(ip_addr_text_to_json("7: veth0@if8: <UP> mtu 1500\n", "a.txt"), "a.txt").interfaces().back().name, "veth0");
    // Packet descriptions: never cut to 15 bytes.
    EXPECT_TRUE(refused([] { parse_packet_description("tcp 1.2.3.4:1 > 5.6.7.8:2 in abcdefghijklmnop"); }, "16 bytes"));
    EXPECT_TRUE(refused([] { parse_packet_description("tcp 1.2.3.4:1 > 5.6.7.8:2 out=a/b"); }, "out="));
    EXPECT_EQ(parse_packet_description("tcp 1.2.3.4:1 > 5.6.7.8:2 in 123456789012345").packet.in.view(), "123456789012345");
    // ipset files: set names and the interfaces of hash:net,iface.
    EXPECT_TRUE(refused([] { IpsetRegistry::parse("create " + std::string(32, 's') + " hash:net family inet\n", "sets"); }, "sets:1:8"));
    EXPECT_TRUE(refused([] { IpsetRegistry::parse("create s hash:net,iface family inet\nadd s 10.0.0.0/8,a:b\n", "sets"); }, "sets:2"));
    EXPECT_TRUE(refused([] { IpsetRegistry::parse("create l list:set\nadd l " + std::string(32, 'x') + "\n", "sets"); }, "sets:2"));
    // Rulesets: nfacct and ipset names within their tools' bounds.
    RulesetParseOptions opt;
    EXPECT_TRUE(
        refused([&] { parse_ruleset("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m nfacct --nfacct-name " + std::string(32, 'n') + "\nCOMMIT\n", opt); },
                "32 bytes"));
}

// pcapng: an interface block naming a device no kernel could have is refused, with where it is.
TEST(InterfaceNames, CaptureInterfaceBlocks) {
    auto capture_naming = [](const std::string& name) {
        CaptureFrame f{1000, std::vector<std::uint8_t>(20, 0x45), 0, Direction::unknown, 0};
        auto bytes = write_pcapng({{linktype::raw, name}}, {f});
        std::string path = testing::TempDir() + "names_test.pcapng";
        std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        return path;
    };
    auto read_all = [](const std::string& path) {
        CaptureReader r(path);
        CaptureRecord rec;
        std::vector<std::string> names;
        while (r.next(rec)) names.push_back(rec.iface);
        return names;
    };
    EXPECT_EQ(read_all(capture_naming("$(id>x);`y`")), std::vector<std::string>{"$(id>x);`y`"});
    EXPECT_THROW(read_all(capture_naming("a/b")), CaptureError);
    try {
        CaptureReader r(capture_naming("a:b"));
        CaptureRecord rec;
        while (r.next(rec)) {
        }
        FAIL() << "a pcapng interface named 'a:b' was read";
    } catch (const CaptureError& e) {
        EXPECT_NE(std::string(e.what()).find("interface block 0 names its device 'a:b'"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace fwbench
