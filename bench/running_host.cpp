#include "running_host.hpp"

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace fwbench {

namespace {

std::string run(const std::string& cmd) {
    FILE* p = popen((cmd + " 2>/dev/null").c_str(), "r");
    if (!p) throw std::runtime_error("cannot run '" + cmd + "'");
    std::string out;
    char buf[65536];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int st = pclose(p);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        throw std::runtime_error("'" + cmd + "' failed (exit status " + std::to_string(WIFEXITED(st) ? WEXITSTATUS(st) : -1) +
                                 "); give the host with --host FILE instead");
    return out;
}

std::optional<int> read_int(const std::filesystem::path& p) {
    std::ifstream in(p);
    int v;
    if (in >> v) return v;
    return std::nullopt;
}

}  // namespace

std::string dump_running_host() {
    nlohmann::ordered_json j;
    j["addr"] = nlohmann::json::parse(run("ip -j addr show"));
    j["route"] = nlohmann::json::parse(run("ip -j route show table all"));
    j["rule"] = nlohmann::json::parse(run("ip -j rule show"));
    nlohmann::ordered_json sys = nlohmann::ordered_json::object();
    namespace fs = std::filesystem;
    if (auto v = read_int("/proc/sys/net/ipv4/ip_forward")) sys["net.ipv4.ip_forward"] = *v;
    if (auto v = read_int("/proc/sys/net/netfilter/nf_conntrack_tcp_loose")) sys["net.netfilter.nf_conntrack_tcp_loose"] = *v;
    std::error_code ec;
    for (const auto& dev : fs::directory_iterator("/proc/sys/net/ipv4/conf", ec)) {
        std::string name = dev.path().filename().string();
        for (const char* key : {"rp_filter", "accept_local", "route_localnet", "forwarding"}) {
            if (name == "default" && std::string(key) != "rp_filter") continue;
            if (auto v = read_int(dev.path() / key)) sys["net.ipv4.conf." + name + "." + key] = *v;
        }
    }
    j["sysctl"] = sys;
    return j.dump(1) + "\n";
}

std::string running_ruleset(bool ipv6) { return run(ipv6 ? "ip6tables-save" : "iptables-save"); }

}  // namespace fwbench
