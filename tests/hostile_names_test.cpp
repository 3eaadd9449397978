// Hostile but valid names through fwbench end to end (issue 17, docs/security.md). Interface,
// chain, ipset, nfacct names and comments made of shell syntax — each payload, if any shell ever
// read it, would create a canary file in the working directory — go through kernel-check as root,
// explain, --pcap and a dump-host round trip. Every run must work with the names as given (the
// kernel agreeing with fwbench) or refuse them with an error naming the field; no canary may
// appear. A SIGKILLed kernel-check must leave nothing behind.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "fwbench/capture.hpp"
#include "fwbench/host.hpp"
#include "fwbench/netns.hpp"
#include "fwbench/packet_codec.hpp"
#include "fwbench/packet_description.hpp"
#include "fwbench/subprocess.hpp"
#include "must_run.hpp"

namespace fwbench {
namespace {

namespace fs = std::filesystem;

std::string env(const char* name) {
    const char* v = std::getenv(name);
    if (!v) throw std::runtime_error(std::string("test needs ") + name + " (run it through meson test)");
    return v;
}

#define REQUIRE_ROOT() \
    if (geteuid() != 0) FWBENCH_CANNOT_RUN("needs root (network namespaces)")

// Interface names: 15 bytes at most, no '/', ':' or space — but anything a shell would act on.
const std::string wan = "$(>fwbc1)", lan = "`>fwbc2`;>fwbc3";
const std::string chain = "$(>fwbc4)", set = ";>fwbc5", account = "|>fwbc8";
const std::vector<std::string> canaries = {"fwbc1", "fwbc2", "fwbc3", "fwbc4", "fwbc5", "fwbc6", "fwbc7", "fwbc8"};

// The test runs in a scratch working directory of its own, where a payload that reached a shell
// would leave its canary.
class HostileNames : public ::testing::Test {
protected:
    void SetUp() override {
        home_ = fs::current_path();
        dir_ = fs::path(testing::TempDir()) / ("fwbench-hostile-" + std::to_string(getpid()));
        fs::create_directories(dir_);
        fs::current_path(dir_);
    }
    void TearDown() override {
        for (const auto& c : canaries) EXPECT_FALSE(fs::exists(dir_ / c)) << "a payload was executed: " << c << " exists";
        fs::current_path(home_);
        fs::remove_all(dir_);
    }
    std::string write(const std::string& name, const std::string& text) {
        std::ofstream(dir_ / name, std::ios::binary) << text;
        return (dir_ / name).string();
    }
    ProgramResult fwbench(std::vector<std::string> args, int netns_fd = -1) {
        args.insert(args.begin(), env("FWBENCH_BIN"));
        return run_program({std::move(args), {}, netns_fd});
    }
    // The seed router with its interfaces renamed.
    std::string host_file() {
        std::ifstream in(env("FWBENCH_SOURCE") + "/traces/seed/host.json");
        std::string text((std::istreambuf_iterator<char>(in)), {});
        auto doc = nlohmann::json::parse(text);
        std::string renamed = doc.dump();
        for (auto [from, to] : {std::pair<std::string, std::string>{"wan1", wan}, {"lan0", lan}})
            for (auto at = renamed.find(from); at != std::string::npos; at = renamed.find(from, at + to.size())) renamed.replace(at, from.size(), to);
        return write("host.json", renamed);
    }
    std::string rules_file() {
        return write("rules.v4", "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:" + chain +
                                     " - [0:0]\n"
                                     "-A INPUT -i lo -j ACCEPT\n"
                                     "-A INPUT -m set --match-set " +
                                     set +
                                     " src -j DROP\n"
                                     "-A INPUT -i " +
                                     wan + " -p tcp -m tcp --dport 22 -m comment --comment \"$(>fwbc6) `>fwbc7`\" -j " + chain +
                                     "\n"
                                     "-A INPUT -m nfacct --nfacct-name " +
                                     account +
                                     "\n"
                                     "-A " +
                                     chain +
                                     " -j ACCEPT\n"
                                     "-A FORWARD -i " +
                                     lan + " -o " + wan + " -j ACCEPT\nCOMMIT\n");
    }
    std::string ipsets_file() { return write("sets.save", "create " + set + " hash:net family inet\nadd " + set + " 198.51.100.0/24\n"); }
    const std::vector<std::string> packets = {"tcp 198.51.100.7:1000 > 203.0.113.1:22 in " + wan + " flags=S",
                                              "tcp 203.0.113.50:1000 > 203.0.113.1:22 in " + wan + " flags=S",
                                              "tcp 192.0.2.9:1000 > 203.0.113.50:80 in " + lan + " flags=S"};
    fs::path home_, dir_;
};

TEST_F(HostileNames, ExplainUsesThemAsGiven) {
    std::vector<std::string> args = {"explain", "--rules", rules_file(), "--host", host_file(), "--ipsets", ipsets_file()};
    args.insert(args.end(), packets.begin(), packets.end());
    ProgramResult r = fwbench(args);
    ASSERT_EQ(r.exit_status, 0) << r.err;
    EXPECT_NE(r.out.find("fate: dropped by filter INPUT rule 2: -A INPUT -m set --match-set " + set + " src -j DROP"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("fate: delivered"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("fate: forwarded out of " + wan), std::string::npos) << r.out;
}

TEST_F(HostileNames, KernelCheckBuildsThemAndAgrees) {
    REQUIRE_ROOT();
    for (const char* backend : {"nft", "legacy"}) {
        std::vector<std::string> args = {"kernel-check", "--rules",     rules_file(), "--host", host_file(),
                                         "--ipsets",     ipsets_file(), "--backend",  backend};
        args.insert(args.end(), packets.begin(), packets.end());
        ProgramResult r = fwbench(args);
        EXPECT_EQ(r.exit_status, 0) << backend << "\n" << r.out << r.err;
        EXPECT_NE(r.out.find("fwbench and the kernel agree"), std::string::npos) << r.out << r.err;
    }
}

TEST_F(HostileNames, InvalidNamesAreRefusedWithTheirField) {
    struct Case {
        std::string from, to, where;
    };
    const Case cases[] = {
        {"lan0", "l;id>/tmp/pw", "addr[2].ifname: 'l;id>/tmp/pw' is an interface name with '/'"},  // the reproduction
        {"lan0", "lan0:1", "addr[2].ifname: 'lan0:1' is an interface name with ':'"},
        {"lan0", "lan0-and-more-16", "addr[2].ifname: 'lan0-and-more-16' is an interface name of 16 bytes"},
    };
    std::ifstream in(env("FWBENCH_SOURCE") + "/traces/seed/host.json");
    const std::string seed((std::istreambuf_iterator<char>(in)), {});
    for (const auto& c : cases) {
        std::string text = seed;
        for (auto at = text.find(c.from); at != std::string::npos; at = text.find(c.from, at + c.to.size())) text.replace(at, c.from.size(), c.to);
        const std::string host = write("bad-host.json", text);
        for (const char* mode : {"kernel-check", "explain"}) {
            ProgramResult r = fwbench({mode, "--rules", env("FWBENCH_SOURCE") + "/traces/seed/rules.v4", "--host", host,
                                       "tcp 203.0.113.9:1000 > 203.0.113.1:22 in wan1 flags=S"});
            EXPECT_EQ(r.exit_status, 2) << mode << " " << c.to;
            EXPECT_NE(r.err.find(c.where), std::string::npos) << r.err;
        }
    }
    EXPECT_FALSE(fs::exists("/tmp/pw"));
    ProgramResult long_iface =
        fwbench({"explain", "--rules", env("FWBENCH_SOURCE") + "/traces/seed/rules.v4", "--host", env("FWBENCH_SOURCE") + "/traces/seed/host.json",
                 "tcp 203.0.113.9:1000 > 203.0.113.1:22 in wan1wan1wan1wan1 flags=S"});
    EXPECT_EQ(long_iface.exit_status, 2);
    EXPECT_NE(long_iface.err.find("16 bytes"), std::string::npos) << long_iface.err;
}

// A pcapng capture taken on devices with such names: --pcap reads it against the host, and
// kernel-check replays it.
TEST_F(HostileNames, CapturesNamingThem) {
    std::vector<CaptureFrame> frames;
    std::uint64_t t = 1'000'000'000;
    for (const auto& d : packets) {
        PacketDescription pd = parse_packet_description(d);
        std::uint32_t itf = pd.packet.in.view() == wan ? 0 : 1;
        frames.push_back({t += 1000, build_ipv4(pd.packet), itf, Direction::inbound, 0});
    }
    const auto bytes = write_pcapng({{linktype::raw, wan}, {linktype::raw, lan}}, frames);
    const std::string capture = write("capture.pcapng", std::string(bytes.begin(), bytes.end()));
    ProgramResult r =
        fwbench({"--rules", rules_file(), "--host", host_file(), "--ipsets", ipsets_file(), "--pcap", capture, "-q", "--verdicts", "-"});
    ASSERT_EQ(r.exit_status, 0) << r.err;
    EXPECT_EQ(r.out, "0\tDROP\tfilter:INPUT:2\n1\tACCEPT\tfilter:" + chain + ":1\n2\tACCEPT\tfilter:FORWARD:1\n");
    if (geteuid() != 0) return;  // the kernel half: HostileNames.KernelCheckBuildsThemAndAgrees says why it cannot run
    ProgramResult k = fwbench({"kernel-check", "--rules", rules_file(), "--host", host_file(), "--ipsets", ipsets_file(), "--pcap", capture});
    EXPECT_EQ(k.exit_status, 0) << k.out << k.err;
    EXPECT_NE(k.out.find("fwbench and the kernel agree"), std::string::npos) << k.out;
}

// A namespace whose devices carry such names: dump-host inside it, then --host reads the dump
// back with the same names, and kernel-check builds a router from it.
TEST_F(HostileNames, DumpHostRoundTrip) {
    REQUIRE_ROOT();
    NetNamespace ns;
    auto ip = [&](std::vector<std::string> args) {
        args.insert(args.begin(), "ip");
        return run_program({std::move(args), {}, ns.fd()});
    };
    const std::string odd = "a'b\"c\xc3\xa9";  // quotes and UTF-8
    ASSERT_TRUE(ip({"link", "set", "dev", "lo", "up"}).ok());
    ASSERT_TRUE(ip({"link", "add", "name", wan, "type", "veth", "peer", "name", odd}).ok());
    ASSERT_TRUE(ip({"addr", "add", "203.0.113.1/24", "dev", wan}).ok());
    ASSERT_TRUE(ip({"addr", "add", "192.0.2.1/24", "dev", odd}).ok());
    ASSERT_TRUE(ip({"link", "set", "dev", wan, "up"}).ok());
    ASSERT_TRUE(ip({"link", "set", "dev", odd, "up"}).ok());
    ns.write_sysctl("net/ipv4/conf/" + odd + "/rp_filter", "2");

    ProgramResult dump = fwbench({"dump-host"}, ns.fd());
    ASSERT_EQ(dump.exit_status, 0) << dump.err;
    Host h = Host::from_json(dump.out, "dump-host");
    std::set<std::string> names;
    for (const auto& itf : h.interfaces()) names.insert(itf.name);
    EXPECT_EQ(names, (std::set<std::string>{"lo", wan, odd}));
    EXPECT_EQ(h.sysctl().rp_filter.at(odd), 2);
    const std::string host = write("dumped.json", dump.out);
    ProgramResult k = fwbench({"kernel-check", "--rules", rules_file(), "--host", host, "--ipsets", ipsets_file(), packets[0], packets[1]});
    EXPECT_EQ(k.exit_status, 0) << k.out << k.err;
    EXPECT_NE(k.out.find("fwbench and the kernel agree"), std::string::npos) << k.out;
}

}  // namespace
}  // namespace fwbench

namespace fwbench {
namespace {

// The network namespaces a process holds through its descriptors ("net:[INODE]").
std::set<std::string> held_namespaces(int pid) {
    std::set<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
        std::string target = fs::read_symlink(e.path(), ec).string();
        if (!ec && target.rfind("net:[", 0) == 0) out.insert(target);
    }
    return out;
}

// Every namespace any process of the machine is in or holds open.
// Each network namespace some process is in or holds, with one such process.
std::map<std::string, std::string> namespaces_in_use() {
    std::map<std::string, std::string> out;
    std::error_code ec;
    for (const auto& p : fs::directory_iterator("/proc", ec)) {
        const std::string pid = p.path().filename().string();
        if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
        std::string cmd;
        std::getline(std::ifstream(p.path() / "cmdline"), cmd);
        std::replace(cmd.begin(), cmd.end(), '\0', ' ');
        const std::string who = "process " + pid + " (" + cmd + ")";
        std::string own = fs::read_symlink(p.path() / "ns" / "net", ec).string();
        if (!ec) out.emplace(own, who);
        for (const auto& n : held_namespaces(std::stoi(pid))) out.emplace(n, who);
    }
    return out;
}

std::string root_state() {
    std::string links = run_program({{"ip", "-o", "link", "show"}, {}, -1}).out;
    std::string tables = run_program({{"nft", "list", "tables"}, {}, -1}).out;
    std::string named = run_program({{"ip", "netns", "list"}, {}, -1}).out;
    // Interface indexes and flags change as other tests run; the names are what a leak would add.
    std::string names;
    std::istringstream in(links);
    for (std::string line; std::getline(in, line);) names += line.substr(0, line.find(": <")) + "\n";
    return names + "--\n" + tables + "--\n" + named;
}

// kernel-check killed with SIGKILL while its router exists: its namespaces, their veths and
// nftables tables are gone with it, nothing of it shows in the machine's own namespace, and the
// next kernel-check starts cleanly.
TEST(OracleLifetime, SigkillLeavesNothingBehind) {
    REQUIRE_ROOT();
    const std::string dir = testing::TempDir();
    // Two packets a minute apart, paced: the router stands while kernel-check waits to send the second.
    std::vector<CaptureFrame> frames;
    for (std::uint64_t t : {1'000'000'000ull, 61'000'000'000ull})
        frames.push_back(
            {t, build_ipv4(parse_packet_description("tcp 198.51.100.7:1000 > 203.0.113.1:22 flags=S").packet), 0, Direction::inbound, 0});
    const auto bytes = write_pcapng({{linktype::raw, "wan1"}}, frames);
    const std::string capture = dir + "paced.pcapng";
    std::ofstream(capture, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    const std::string seed = env("FWBENCH_SOURCE") + "/traces/seed/";
    const std::vector<std::string> args = {env("FWBENCH_BIN"), "kernel-check", "--rules", seed + "rules.v4", "--host",
                                           seed + "host.json", "--pcap",       capture,   "--pace"};

    const std::string before = root_state();
    // kernel-check also holds this machine's own namespace for a moment (to come back to it after
    // opening a socket inside the router): that one is not its to leave behind.
    const std::string home = fs::read_symlink("/proc/self/ns/net").string();
    std::set<std::string> held;
    {
        RunningProgram check({args, {}, -1}, dir + "killed.out", dir + "killed.err");
        // The seed host has two links: a router and two peers, all held by descriptors.
        for (int i = 0; i < 400 && held.size() < 3 && check.running(); ++i) {
            usleep(25000);
            held = held_namespaces(check.pid());
            held.erase(home);
        }
        ASSERT_EQ(held.size(), 3u) << "kernel-check did not build its router: " << std::ifstream(dir + "killed.err").rdbuf();
        check.kill_now(SIGKILL);
        EXPECT_EQ(check.wait(10), 128 + SIGKILL);
    }
    // A program kernel-check was running inside its router (ip, nft) outlives it by the moment
    // it takes to finish: give such orphans a few seconds, then nothing may hold a namespace.
    std::map<std::string, std::string> in_use = namespaces_in_use();
    auto still_held = [&] { return std::any_of(held.begin(), held.end(), [&](const std::string& ns) { return in_use.count(ns) != 0; }); };
    for (int i = 0; i < 100 && still_held(); ++i) {
        usleep(50000);
        in_use = namespaces_in_use();
    }
    for (const auto& ns : held) EXPECT_EQ(in_use.count(ns), 0u) << ns << " outlived the kernel-check that made it: held by " << in_use[ns];
    EXPECT_EQ(root_state(), before) << "kernel-check left devices, nftables tables or named namespaces behind";

    ProgramResult next = run_program({{env("FWBENCH_BIN"), "kernel-check", "--rules", seed + "rules.v4", "--host", seed + "host.json",
                                       "tcp 198.51.100.7:1000 > 203.0.113.1:22 in wan1 flags=S"},
                                      {},
                                      -1});
    EXPECT_EQ(next.exit_status, 0) << next.out << next.err;
    EXPECT_EQ(root_state(), before);
}

}  // namespace
}  // namespace fwbench
