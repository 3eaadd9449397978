#include "running_host.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "fwbench/subprocess.hpp"

namespace fwbench {

namespace {

// The running host's own tools, from argument vectors (no shell); their error text in the failure.
std::string run(std::vector<std::string> argv) {
    try {
        return run_program_checked({std::move(argv), {}, -1});
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string(e.what()) + "; give the host with --host FILE instead");
    }
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
    j["addr"] = nlohmann::json::parse(run({"ip", "-j", "addr", "show"}));
    j["route"] = nlohmann::json::parse(run({"ip", "-j", "route", "show", "table", "all"}));
    j["rule"] = nlohmann::json::parse(run({"ip", "-j", "rule", "show"}));
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

std::string running_ruleset(bool ipv6) { return run({ipv6 ? "ip6tables-save" : "iptables-save"}); }

}  // namespace fwbench
