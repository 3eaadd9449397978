#include "running_host.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

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

// iptables-nft keeps its rules in nf_tables tables of its own: the iptables table names, in the
// families iptables, ip6tables, arptables and ebtables use, whose base chains are named as
// iptables names its built-in chains. Any other table was made with nft (or firewalld, or
// nftables.conf), and iptables-save does not show it.
bool iptables_nft_table(const std::string& family, const std::string& name, const std::set<std::string>& base_chains) {
    static const std::set<std::string> families = {"ip", "ip6", "arp", "bridge"};
    static const std::set<std::string> tables = {"filter", "nat", "mangle", "raw", "security", "broute"};
    static const std::set<std::string> builtin = {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING", "BROUTING"};
    if (!families.count(family) || !tables.count(name)) return false;
    for (const auto& c : base_chains)
        if (!builtin.count(c)) return false;
    return true;
}

struct NftTable {
    std::set<std::string> base_chains;
    std::size_t rules = 0;
    bool drop_policy = false;
};

// Native nftables tables that can change a packet's fate: refused, since fwbench would answer as
// if they were not there. Empty ones with accepting chains change nothing, and are only named.
void refuse_native_nftables() {
    // Live mode reads both the host and the ruleset: one look is enough.
    static bool looked = false;
    if (looked) return;
    looked = true;
    std::string listing;
    try {
        listing = run_program_checked({{"nft", "-j", "list", "ruleset"}, {}, -1});
    } catch (const std::exception& e) {
        spdlog::warn("cannot look for native nftables tables beside iptables-save's ({}): a firewall made with nft would be missed", e.what());
        return;
    }
    std::map<std::string, NftTable> tables;  // "family name"
    for (const auto& item : nlohmann::json::parse(listing).value("nftables", nlohmann::json::array())) {
        if (item.contains("table")) {
            tables[item["table"].value("family", "") + " " + item["table"].value("name", "")];
        } else if (item.contains("chain")) {
            const auto& c = item["chain"];
            NftTable& t = tables[c.value("family", "") + " " + c.value("table", "")];
            if (c.contains("hook")) t.base_chains.insert(c.value("name", ""));
            if (c.value("policy", "accept") != "accept") t.drop_policy = true;
        } else if (item.contains("rule")) {
            const auto& r = item["rule"];
            ++tables[r.value("family", "") + " " + r.value("table", "")].rules;
        }
    }
    std::string refused, harmless;
    for (const auto& [key, t] : tables) {
        auto space = key.find(' ');
        if (iptables_nft_table(key.substr(0, space), key.substr(space + 1), t.base_chains)) continue;
        std::string& list = t.rules || t.drop_policy ? refused : harmless;
        list.append(list.empty() ? "" : ", ").append("table ").append(key);
    }
    if (!harmless.empty())
        spdlog::warn("native nftables tables beside iptables-save's change nothing here (no rules, accepting chains): {}", harmless);
    if (!refused.empty())
        throw std::runtime_error("this host filters with native nftables (" + refused +
                                 "), which iptables-save does not show and fwbench does not read yet: its answers would ignore them");
}

}  // namespace

std::string dump_running_host() {
    // A host file is read beside an iptables-save of the same host: one whose firewall is partly
    // native nftables would be analysed without that part.
    refuse_native_nftables();
    nlohmann::ordered_json j;
    j["addr"] = nlohmann::json::parse(run({"ip", "-j", "addr", "show"}));
    // Each family on its own: `ip -j route show table all` lists IPv6's routes too, and prints
    // both families' default route as "default".
    j["route"] = nlohmann::ordered_json::parse(run({"ip", "-4", "-j", "route", "show", "table", "all"}));
    // IPv6's routes too (ip without -6 lists IPv4's alone), when the host has IPv6 at all.
    // ip prints IPv6's ::/0 as "default", as it does 0.0.0.0/0: written out, so that a default
    // route without a gateway (a PPP link's) is not read as IPv4's.
    if (std::filesystem::exists("/proc/sys/net/ipv6"))
        for (auto r : nlohmann::ordered_json::parse(run({"ip", "-6", "-j", "route", "show", "table", "all"}))) {
            if (r.is_object() && r.value("dst", "") == "default") r["dst"] = "::/0";
            j["route"].push_back(r);
        }
    j["rule"] = nlohmann::json::parse(run({"ip", "-j", "rule", "show"}));
    if (std::filesystem::exists("/proc/sys/net/ipv6")) j["rule6"] = nlohmann::json::parse(run({"ip", "-6", "-j", "rule", "show"}));
    nlohmann::ordered_json sys = nlohmann::ordered_json::object();
    namespace fs = std::filesystem;
    if (auto v = read_int("/proc/sys/net/ipv4/ip_forward")) sys["net.ipv4.ip_forward"] = *v;
    for (const char* name :
         {"nf_conntrack_tcp_loose", "nf_conntrack_tcp_be_liberal", "nf_conntrack_tcp_ignore_invalid_rst", "nf_conntrack_tcp_max_retrans"})
        if (auto v = read_int(std::string("/proc/sys/net/netfilter/") + name)) sys[std::string("net.netfilter.") + name] = *v;
    for (const char* name : {"icmp_ratelimit", "icmp_ratemask", "icmp_echo_ignore_all", "icmp_echo_ignore_broadcasts", "ip_default_ttl"})
        if (auto v = read_int(std::string("/proc/sys/net/ipv4/") + name)) sys[std::string("net.ipv4.") + name] = *v;
    {  // a listener's buffers: the window and window scale of its SYN-ACKs
        std::ifstream rmem("/proc/sys/net/ipv4/tcp_rmem");
        std::uint64_t a, b, c;
        if (rmem >> a >> b >> c) sys["net.ipv4.tcp_rmem"] = std::to_string(a) + " " + std::to_string(b) + " " + std::to_string(c);
        if (auto v = read_int("/proc/sys/net/core/rmem_max")) sys["net.core.rmem_max"] = *v;
    }
    std::error_code ec;
    for (const auto& dev : fs::directory_iterator("/proc/sys/net/ipv4/conf", ec)) {
        std::string name = dev.path().filename().string();
        for (const char* key : {"rp_filter", "accept_local", "route_localnet", "forwarding", "send_redirects", "shared_media"}) {
            const std::string k = key;
            if (name == "default" && k != "rp_filter" && k != "send_redirects" && k != "shared_media") continue;
            if (auto v = read_int(dev.path() / key)) sys["net.ipv4.conf." + name + "." + key] = *v;
        }
    }
    for (const auto& dev : fs::directory_iterator("/proc/sys/net/ipv6/conf", ec)) {
        const std::string name = dev.path().filename().string();
        if (name == "default") continue;
        for (const char* key : {"forwarding", "force_forwarding", "disable_ipv6"})
            if (auto v = read_int(dev.path() / key)) sys["net.ipv6.conf." + name + "." + key] = *v;
    }
    if (auto v = read_int("/proc/sys/net/ipv6/icmp/ratelimit")) sys["net.ipv6.icmp.ratelimit"] = *v;
    if (auto v = read_int("/proc/sys/net/ipv6/conf/default/hop_limit")) sys["net.ipv6.conf.default.hop_limit"] = *v;
    j["sysctl"] = sys;
    // The listening sockets decide what the host's own stack answers (a reset or port
    // unreachable from a closed port, a SYN-ACK from a listener).
    nlohmann::ordered_json sockets = nlohmann::ordered_json::array();
    const std::string listing = run({"ss", "-Htuln"});
    for (std::size_t at = 0; at < listing.size();) {
        const std::size_t nl = std::min(listing.find('\n', at), listing.size());
        if (nl > at) sockets.push_back(listing.substr(at, nl - at));
        at = nl + 1;
    }
    j["sockets"] = sockets;
    return j.dump(1) + "\n";
}

std::string running_ruleset(bool ipv6) {
    refuse_native_nftables();
    return run({ipv6 ? "ip6tables-save" : "iptables-save"});
}

}  // namespace fwbench
