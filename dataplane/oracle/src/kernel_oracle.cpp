#include "fwbench/kernel_oracle.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/fsuid.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "fwbench/capture.hpp"
#include "fwbench/datagram_rewriter.hpp"
#include "fwbench/ipset.hpp"
#include "fwbench/kernel_trace.hpp"
#include "fwbench/netns.hpp"
#include "fwbench/packet_codec.hpp"
#include "fwbench/packet_description.hpp"
#include "fwbench/parse_error.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "fwbench/subprocess.hpp"
#include "fwbench/ruleset_printer.hpp"

namespace fwbench {

namespace {

constexpr uid_t injector_uid = 61234;  // the raw socket's owner: packets of other sockets are replies

// A program inside a namespace, from an argument vector (subprocess.hpp): its output, or an
// exception naming the command and its error text.
std::string run_in(const NetNamespace& ns, std::vector<std::string> argv, std::string input = {}) {
    return run_program_checked({std::move(argv), std::move(input), ns.fd()});
}

}  // namespace

bool KernelOracle::available(std::string* why_not) {
    if (geteuid() != 0) {
        if (why_not) *why_not = "not root: creating network namespaces needs CAP_SYS_ADMIN";
        return false;
    }
    try {
        NetNamespace probe;
    } catch (const std::exception& e) {
        if (why_not) *why_not = e.what();
        return false;
    }
    for (const char* tool : {"ip", "iptables-restore", "nft"})
        if (find_program(tool).empty()) {
            if (why_not) *why_not = std::string("'") + tool + "' is not installed";
            return false;
        }
    return true;
}

KernelOracle::KernelOracle(const Host& host, const Ruleset& ruleset, KernelOracleOptions opt) : opt_(opt) {
    const bool as_written = !opt_.ruleset_text.empty();
    ipv6_ = ruleset.family == Family::ipv6;
    for (const Table& t : ruleset.tables)
        for (const Chain& ch : t.chains)
            for (const Rule& r : ch.rules) {
                tee_copies_ = tee_copies_ || (r.target && std::holds_alternative<TeeTarget>(r.target->spec));
                synproxy_answers_ = synproxy_answers_ || (r.target && std::holds_alternative<SynproxyTarget>(r.target->spec));
            }
    try {
        build(host);
        if (!opt_.ipsets.empty()) run_in(*router_, {"ipset", "restore"}, opt_.ipsets);
        // -m nfacct names accounting objects that must exist before the rule loads.
        std::set<std::string> accounts;
        for (const auto& t : ruleset.tables)
            for (const auto& c : t.chains)
                for (const auto& r : c.rules)
                    for (const auto& m : r.matches)
                        if (const auto* acct = std::get_if<NfacctMatch>(&m.spec)) accounts.insert(acct->name);
        for (const auto& name : accounts) run_in(*router_, {"nfacct", "add", name});
        const std::string restore = tool("restore");
        if (as_written) {
            run_in(*router_, {restore}, opt_.ruleset_text);
            readback_ = compare_readback(ruleset, run_in(*router_, {tool("save")}));
        } else {
            run_in(*router_, {restore}, format_ruleset(ruleset, nullptr, BuiltinChains::as_present));
        }
        if (opt_.trace_packets) start_trace();
        if (ipv6_) wait_for_ipv6_links(host);
    } catch (...) {
        teardown();
        throw;
    }
}

// A veth's carrier comes up a moment after `link set up` (linkwatch, up to a second), and addrconf
// finishes a device (its ff00::/8 route: multicast delivery) only then; an address becomes the
// host's (its local route, and a router's subnet anycast) when addrconf's DAD work runs, from a
// workqueue even without DAD, which a loaded machine runs late. Wait for every link that is up and
// each of its addresses, after the rest of the set-up, so that no packet arrives before the kernel
// is ready for it.
void KernelOracle::wait_for_ipv6_links(const Host& host) const {
    std::set<std::string> pending;  // "dev DEV" for a link's ff00::/8, "local ADDR" for an address
    for (const auto& itf : host.interfaces()) {
        if (!itf.loopback && itf.up && !host.sysctl().ip6_disabled_on(itf.name) && (!itf.mtu || itf.mtu >= 1280)) {
            pending.insert("dev " + itf.name);
            for (const auto& a : itf.addrs)
                if (a.addr.family == Family::ipv6 && !a.tentative && !a.dadfailed) pending.insert("local " + format_ip(a.addr));
        }
    }
    for (int tries = 0; tries < 100 && !pending.empty(); ++tries) {
        for (const auto& r : nlohmann::json::parse(run_in_router({"ip", "-6", "-j", "route", "show", "table", "local"}))) {
            if (r.value("dst", "") == "ff00::/8") pending.erase("dev " + r.value("dev", ""));
            if (r.value("type", "") == "local") pending.erase("local " + r.value("dst", ""));
        }
        if (!pending.empty()) usleep(50000);
    }
    if (!pending.empty()) throw std::runtime_error("IPv6 did not come up within 5 s: " + *pending.begin());
}

// iptables-restore, ip6tables-legacy-save, ...: the tool of the ruleset's family and backend.
std::string KernelOracle::tool(const char* verb) const {
    return std::string(ipv6_ ? "ip6tables" : "iptables") + (opt_.legacy ? "-legacy-" : "-") + verb;
}

void KernelOracle::build(const Host& host) {
    router_.emplace();
    const NetNamespace& router = *router_;
    auto ip = [&](std::vector<std::string> args) {
        args.insert(args.begin(), "ip");
        run_in(router, std::move(args));
    };
    auto without_ipv6 = [](const NetNamespace& ns) {
        ns.write_sysctl("net/ipv6/conf/all/disable_ipv6", "1");
        ns.write_sysctl("net/ipv6/conf/default/disable_ipv6", "1");
    };
    if (ipv6_) {
        // Exactly the host's addresses, usable at once: no link-local of the kernel's own making,
        // no duplicate address detection (the peers, without IPv6, would never answer it anyway).
        for (const char* conf : {"all", "default"}) {
            router.write_sysctl(std::string("net/ipv6/conf/") + conf + "/addr_gen_mode", "1");
            router.write_sysctl(std::string("net/ipv6/conf/") + conf + "/accept_dad", "0");
        }
    } else {
        without_ipv6(router);
    }
    ip({"link", "set", "dev", "lo", "up"});
    for (const auto& itf : host.interfaces())
        if (itf.loopback && itf.mtu) ip({"link", "set", "dev", itf.name, "mtu", std::to_string(itf.mtu)});
    // Each link: a veth pair made inside the router, its far end named eth0 in a peer namespace.
    // Names go after `name`/`dev` so that one spelled like an ip keyword stays a name.
    int n = 0;
    for (const auto& itf : host.interfaces()) {
        if (itf.loopback) continue;
        const NetNamespace& peer = peers_.emplace_back();
        without_ipv6(peer);
        Wire w;
        w.iface = itf.name;
        w.router_mac = itf.mac ? *itf.mac : MacAddr{{0x02, 0xfb, 0, 0, 0, static_cast<std::uint8_t>(n + 1)}};
        w.peer_mac = MacAddr{{0x02, 0xfb, 0, 0, 1, static_cast<std::uint8_t>(n + 1)}};
        ip({"link", "add", "name", itf.name, "address", format_mac(w.router_mac), "type", "veth", "peer", "name", "eth0", "netns", peer.proc_path(),
            "address", format_mac(w.peer_mac)});
        run_in(peer, {"ip", "link", "set", "dev", "lo", "up"});
        run_in(peer, {"ip", "link", "set", "dev", "eth0", "up"});
        // Both ends at the device's MTU: what arrives is at most that (a larger packet cannot be
        // injected: the injection says so), and forwarding out of it refuses larger DF packets.
        if (itf.mtu) {
            ip({"link", "set", "dev", itf.name, "mtu", std::to_string(itf.mtu)});
            run_in(peer, {"ip", "link", "set", "dev", "eth0", "mtu", std::to_string(itf.mtu)});
        }
        wires_.push_back(w);
        ++n;
    }
    // Sysctls before addresses: every value explicit, so nothing is inherited from the machine.
    // ip_forward first: writing it sets every device's forwarding, which the per-device values follow.
    const Sysctls& s = host.sysctl();
    auto flag = [](bool b) { return std::string(b ? "1" : "0"); };
    router.write_sysctl("net/ipv4/ip_forward", flag(s.ip_forward));
    router.write_sysctl("net/ipv4/conf/all/rp_filter", std::to_string(s.rp_filter_all));
    router.write_sysctl("net/ipv4/conf/default/rp_filter", std::to_string(s.rp_filter_default));
    router.write_sysctl("net/ipv4/conf/all/accept_local", flag(s.accept_local_all));
    router.write_sysctl("net/ipv4/conf/all/route_localnet", flag(s.route_localnet_all));
    router.write_sysctl("net/ipv4/conf/all/send_redirects", flag(s.send_redirects_all));
    router.write_sysctl("net/ipv4/conf/all/shared_media", flag(s.shared_media_all));
    router.write_sysctl("net/netfilter/nf_conntrack_tcp_loose", flag(s.tcp_loose));
    router.write_sysctl("net/netfilter/nf_conntrack_tcp_be_liberal", flag(s.tcp_be_liberal));
    router.write_sysctl("net/netfilter/nf_conntrack_tcp_ignore_invalid_rst", flag(s.tcp_ignore_invalid_rst));
    router.write_sysctl("net/netfilter/nf_conntrack_tcp_max_retrans", std::to_string(s.tcp_max_retrans));
    // Unpaced, the replay runs faster than the capture's clock: the per-destination ICMP limit is
    // turned off here and in the model (PathState::icmp_rate_limit).
    router.write_sysctl("net/ipv4/icmp_ratelimit", opt_.pace ? std::to_string(s.icmp_ratelimit_ms) : "0");
    router.write_sysctl("net/ipv4/icmp_ratemask", std::to_string(s.icmp_ratemask));
    router.write_sysctl("net/ipv4/ip_default_ttl", std::to_string(s.ip_default_ttl));
    router.write_sysctl("net/ipv4/tcp_rmem",
                        std::to_string(s.tcp_rmem[0]) + " " + std::to_string(s.tcp_rmem[1]) + " " + std::to_string(s.tcp_rmem[2]));
    router.write_sysctl("net/ipv4/ipfrag_time", std::to_string(s.ipfrag_time_s));
    // nf_defrag_ipv6's own directory exists once the module is loaded: written only when it must be.
    if (s.frag6_timeout_s != Sysctls{}.frag6_timeout_s)
        router.write_sysctl("net/netfilter/nf_conntrack_frag6_timeout", std::to_string(s.frag6_timeout_s));
    router.write_sysctl("net/ipv4/icmp_echo_ignore_all", flag(s.icmp_echo_ignore_all));
    router.write_sysctl("net/ipv4/icmp_echo_ignore_broadcasts", flag(s.icmp_echo_ignore_broadcasts));
    // The global ICMP budget (icmp_msgs_per_sec, randomised since 6.x) is not modelled: out of reach here.
    router.write_sysctl("net/ipv4/icmp_msgs_burst", "1000000");
    router.write_sysctl("net/ipv4/icmp_msgs_per_sec", "1000000");
    for (const auto& itf : host.interfaces()) {
        // A path component is the device's name as it is (eth0.10 too): no dots to escape.
        const std::string d = "net/ipv4/conf/" + itf.name + "/";
        auto get = [&](const std::map<std::string, int, std::less<>>& m, int fallback) {
            auto it = m.find(itf.name);
            return std::to_string(it == m.end() ? fallback : it->second);
        };
        router.write_sysctl(d + "rp_filter", get(s.rp_filter, s.rp_filter_default));
        router.write_sysctl(d + "accept_local", get(s.accept_local, 0));
        router.write_sysctl(d + "route_localnet", get(s.route_localnet, 0));
        router.write_sysctl(d + "forwarding", flag(s.forwarding_for(itf.name)));
        router.write_sysctl(d + "send_redirects", get(s.send_redirects, s.send_redirects_default ? 1 : 0));
        router.write_sysctl(d + "shared_media", get(s.shared_media, s.shared_media_default ? 1 : 0));
    }
    if (ipv6_) {
        router.write_sysctl("net/ipv6/conf/all/forwarding", flag(s.ip6_forward));
        router.write_sysctl("net/ipv6/icmp/ratelimit", opt_.pace ? std::to_string(s.icmp6_ratelimit_ms) : "0");
        router.write_sysctl("net/ipv6/icmp/error_anycast_as_unicast", flag(s.icmp6_error_anycast_as_unicast));
        for (const char* conf : {"all", "default"})
            router.write_sysctl(std::string("net/ipv6/conf/") + conf + "/hop_limit", std::to_string(s.ip6_hop_limit));
        for (const auto& itf : host.interfaces()) {
            const std::string d = "net/ipv6/conf/" + itf.name + "/";
            router.write_sysctl(d + "forwarding", flag(s.ip6_forwarding_for(itf.name)));
            router.write_sysctl(d + "hop_limit", std::to_string(s.ip6_hop_limit));
            if (s.ip6_disabled_on(itf.name)) router.write_sysctl(d + "disable_ipv6", "1");
            if (s.ip6_forwards_from(itf.name) && !s.ip6_forward) router.write_sysctl(d + "force_forwarding", "1");
        }
    }
    for (const auto& itf : host.interfaces()) {
        // The kernel lists a device's IPv6 addresses newest first within a scope: added last to
        // first, they list as the host does (source selection breaks its ties in that order).
        for (auto a6 = itf.addrs.rbegin(); ipv6_ && a6 != itf.addrs.rend(); ++a6) {
            const InterfaceAddress& a = *a6;
            if (a.addr.family == Family::ipv6) {
                if (itf.loopback && format_ip(a.addr) == "::1") continue;
                std::vector<std::string> args = {"-6",  "addr",   "add",  format_ip(a.addr) + "/" + std::to_string(a.prefixlen),
                                                 "dev", itf.name, "nodad"};
                if (a.noprefixroute) args.push_back("noprefixroute");
                if (a.deprecated) args.insert(args.end(), {"preferred_lft", "0"});
                ip(std::move(args));
            }
        }
        for (const auto& a : itf.addrs) {
            if (a.addr.family != Family::ipv4) continue;
            if (itf.loopback && format_ip(a.addr) == "127.0.0.1" && a.prefixlen == 8) continue;
            const std::string len = "/" + std::to_string(a.prefixlen);
            std::vector<std::string> args = a.peer ? std::vector<std::string>{"addr", "add", format_ip(a.addr), "peer", format_ip(*a.peer) + len}
                                                   : std::vector<std::string>{"addr", "add", format_ip(a.addr) + len};
            args.insert(args.end(), {"dev", itf.name});
            if (a.broadcast) args.insert(args.end(), {"broadcast", format_ip(*a.broadcast)});
            if (a.noprefixroute) args.push_back("noprefixroute");
            args.insert(args.end(), {"scope", std::to_string(a.scope)});  // MASQUERADE's choice reads it
            ip(std::move(args));
        }
        if (!itf.loopback && itf.up) ip({"link", "set", "dev", itf.name, "up"});
    }
    // Routes the kernel does not derive from addresses: everything outside table local, gateway
    // routes after the connected ones they go through.
    std::vector<std::vector<std::string>> later;
    auto add_routes = [&](std::uint32_t table) {
        const RouteTable* t = host.table(table);
        if (!t) return;
        for (const auto& r : t->routes()) {
            // A router without IPv6 (an IPv4 ruleset): a dumped host's IPv6 routes (fe80::/64 on
            // every link) have nowhere to go.
            const bool v6 = r.dst.addr.family == Family::ipv6;
            if (v6 && !ipv6_) continue;
            if (table == rt_table_local && (r.type == RouteType::local || r.type == RouteType::broadcast)) continue;
            // What addrconf makes for each address and device, the kernel has made already.
            if (v6 && table == rt_table_local && (r.type == RouteType::anycast || r.type == RouteType::multicast)) continue;
            std::vector<std::string> args = {v6 ? "-6" : "-4", "route", v6 ? "append" : "replace", route_type_name(r.type),
                                             r.prefixlen == 0 ? std::string("default") : format_prefix(r.dst)};
            if (r.gateway) args.insert(args.end(), {"via", format_ip(*r.gateway)});
            if (!r.dev.empty()) args.insert(args.end(), {"dev", r.dev});
            args.insert(args.end(), {"table", std::to_string(table)});
            if (r.metric) args.insert(args.end(), {"metric", std::to_string(r.metric)});
            if (r.prefsrc && r.type == RouteType::unicast) args.insert(args.end(), {"src", format_ip(*r.prefsrc)});
            if (r.tos) args.insert(args.end(), {"tos", std::to_string(r.tos)});
            if (r.mtu) args.insert(args.end(), {"mtu", std::to_string(r.mtu)});
            if (r.tclassid) args.insert(args.end(), {"realms", std::to_string(r.tclassid >> 16) + "/" + std::to_string(r.tclassid & 0xffff)});
            if (r.gateway) later.push_back(std::move(args));
            else ip(std::move(args));
        }
    };
    // IPv6's routes are appended as the host lists them, after the prefix routes addrconf made are gone:
    // routes of one prefix and metric are kept in the order they came (the first through any
    // device wins a lookup without one), and `replace` would overwrite the first of them whatever
    // its device (fib6_add_rt2node), as it would fe80::/64 of one link with another's.
    // addrconf made the prefix routes of the host's addresses at `link set up`: gone, the host's
    // own go in below, in its order.
    if (ipv6_) ip({"-6", "route", "flush", "table", "main"});
    for (std::uint32_t table = 1; table < 100000; ++table)
        if (host.table(table)) add_routes(table);
    for (auto& args : later) ip(std::move(args));
    // Policy rules: replace the defaults with the host's — only when they differ: adding any
    // rule sets the kernel's fib_has_custom_rules for good, which changes fib_validate_source.
    if (host.has_custom_rules()) {
        ip({"rule", "flush"});
        run_program({{"ip", "rule", "del", "priority", "0"}, {}, router.fd()});  // flush keeps it on some kernels: gone either way
    }
    auto add_rule = [&](const RoutingRule& r, bool v6) {
        std::vector<std::string> args = {"rule", "add", "priority", std::to_string(r.priority)};
        if (v6) args.insert(args.begin(), "-6");
        if (r.invert) args.push_back("not");
        if (r.from) args.insert(args.end(), {"from", format_prefix(*r.from)});
        if (r.to) args.insert(args.end(), {"to", format_prefix(*r.to)});
        if (r.fwmark) args.insert(args.end(), {"fwmark", std::to_string(*r.fwmark) + "/" + std::to_string(r.fwmask)});
        if (r.iif) args.insert(args.end(), {"iif", *r.iif});
        if (r.oif) args.insert(args.end(), {"oif", *r.oif});
        if (r.tos) args.insert(args.end(), {"tos", std::to_string(*r.tos)});
        switch (r.action) {
            case RoutingRule::Action::lookup: args.insert(args.end(), {"lookup", std::to_string(r.table)}); break;
            case RoutingRule::Action::blackhole: args.push_back("blackhole"); break;
            case RoutingRule::Action::unreachable: args.push_back("unreachable"); break;
            case RoutingRule::Action::prohibit: args.push_back("prohibit"); break;
            case RoutingRule::Action::goto_: args.insert(args.end(), {"goto", std::to_string(r.goto_priority)}); break;
            case RoutingRule::Action::nop: args.push_back("nop"); break;
        }
        if (r.suppress_prefixlength >= 0) args.insert(args.end(), {"suppress_prefixlength", std::to_string(r.suppress_prefixlength)});
        ip(std::move(args));
    };
    for (const auto& r : host.rules()) {
        if (!host.has_custom_rules()) break;
        if (r.family == Family::ipv4) add_rule(r, false);
    }
    // IPv6's two (local 0, main 32766) replaced the same way when the host's differ.
    const std::vector<RoutingRule>& rules6 = host.rules6();
    const auto plain_lookup = [](const RoutingRule& r, std::uint32_t priority, std::uint32_t table) {
        return r.priority == priority && r.table == table && r.action == RoutingRule::Action::lookup && !r.invert && !r.from && !r.to && !r.iif &&
               !r.oif && !r.fwmark && !r.tos && r.suppress_prefixlength < 0;
    };
    const bool custom6 = !(rules6.size() == 2 && plain_lookup(rules6[0], 0, rt_table_local) && plain_lookup(rules6[1], 32766, rt_table_main));
    if (ipv6_ && custom6) {
        ip({"-6", "rule", "flush"});
        run_program({{"ip", "-6", "rule", "del", "priority", "0"}, {}, router.fd()});
        for (const auto& r : rules6) add_rule(r, true);
    }
    // What the kernel sends itself. The router has no sockets, so its stack would answer every
    // packet delivered to it (a reset from a closed port, port unreachable, echo replies), which
    // fwbench does not model for hosts without a socket list: `sink` drops delivered packets after
    // every iptables chain and conntrack's confirmation (INT_MAX, registered before conntrack's
    // own hook, which then goes first), so the stack never sees them. `out` (before raw) passes
    // the injector's packets and the kernel's answers fwbench models (REJECT's resets and
    // destination unreachables, routing's unreachables, time exceeded, redirects of both
    // families), and drops
    // anything else. Neither chain uses conntrack: it must stay off unless the ruleset needs it.
    // With the host's sockets bound (stack_answers), the stack sees TCP and UDP, and its SYN-ACKs
    // may leave too.
    const bool stack = opt_.stack_answers && host.sockets();
    // -j TEE's copies leave without a socket (pskb_copy leaves skb->sk behind), as none of the
    // kernel's other packets the guard drops do (they come from its sockets) but IGMP's and MLD's
    // reports (igmpv3_newpack, mld_newpack: the socket is the hook's, not the packet's): with a
    // TEE rule, what still has no socket after the accepts above, and is not such a report, is a
    // copy.
    const bool tee = tee_copies_;
    // -j SYNPROXY's SYN-ACKs (synproxy_send_client_synack) leave without a socket too.
    const std::string synproxy = synproxy_answers_ ? "  meta l4proto tcp tcp flags & (fin | syn | rst | ack) == syn | ack accept\n" : "";
    run_in(router, {"nft", "-f", "-"},
           "table inet fwbench_oracle {\n chain out {\n  type filter hook output priority -500; policy drop;\n"
           "  meta skuid " +
               std::to_string(injector_uid) +
               " accept\n"
               "  meta nfproto ipv4 meta l4proto tcp tcp flags & rst == rst accept\n" +
               (stack ? "  meta nfproto ipv4 meta l4proto tcp tcp flags & (syn | ack) == syn | ack accept\n"
                        "  meta nfproto ipv4 icmp type echo-reply accept\n"
                      : "") +
               "  meta nfproto ipv4 icmp type { destination-unreachable, time-exceeded, redirect } accept\n"
               "  meta nfproto ipv6 meta l4proto tcp tcp flags & rst == rst accept\n"
               "  meta nfproto ipv6 icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem, nd-redirect } accept\n" +
               synproxy +
               (tee ? "  meta skuid 0-4294967295 drop\n  meta l4proto igmp drop\n"
                      "  meta nfproto ipv6 icmpv6 type { mld-listener-query, mld-listener-report, mld-listener-done, mld2-listener-report } drop\n"
                      "  accept\n"
                    : "") +
               " }\n"
               " chain sink {\n  type filter hook input priority 2147483647; policy drop;\n" +
               (stack ? "  ip daddr . meta l4proto . th dport @local_sockets drop\n"
                        "  meta nfproto ipv4 meta l4proto { tcp, udp } accept\n  meta nfproto ipv4 icmp type echo-request accept\n"
                      : "") +
               " }\n" + (stack ? " set local_sockets {\n  type ipv4_addr . inet_proto . inet_service;\n }\n" : "") + "}\n");
    if (stack) {
        bind_host_sockets(*host.sockets());
        stack_ = true;
    }

    // Injection sockets: AF_PACKET at each peer, a raw IP socket (owned by injector_uid) in the router.
    for (std::size_t i = 0; i < wires_.size(); ++i) {
        EnterNamespace in(peers_[i]);
        wires_[i].fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
        wires_[i].ifindex = static_cast<int>(if_nametoindex("eth0"));
        if (wires_[i].fd < 0 || wires_[i].ifindex == 0) throw std::runtime_error(std::string("cannot open a packet socket: ") + std::strerror(errno));
        if (opt_.capture_forwarded) {
            wires_[i].listen_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ALL));
            sockaddr_ll at{};
            at.sll_family = AF_PACKET;
            at.sll_protocol = htons(ETH_P_ALL);
            at.sll_ifindex = wires_[i].ifindex;
            if (wires_[i].listen_fd < 0 || bind(wires_[i].listen_fd, reinterpret_cast<sockaddr*>(&at), sizeof at) != 0)
                throw std::runtime_error(std::string("cannot listen on a peer link: ") + std::strerror(errno));
        }
    }
    // No ARP on the router's links: frames leave at once (to the router's own MAC), and no
    // neighbour resolution fails, which would make the kernel send host unreachables for the
    // packets it queued (ipv4_link_failure) seconds later, RELATED and indistinguishable from
    // REJECT's in the guard above.
    for (const auto& w : wires_) ip({"link", "set", "dev", w.iface, "arp", "off"});
    {
        EnterNamespace in(router);
        setfsuid(injector_uid);
        raw_fd_ = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
        setfsuid(0);
        if (raw_fd_ < 0) throw std::runtime_error(std::string("cannot open a raw socket: ") + std::strerror(errno));
        // Like an application that may broadcast (without it, sending to a broadcast address fails).
        int one = 1;
        setsockopt(raw_fd_, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
        if (ipv6_) {
            // IPPROTO_RAW over IPv6: the datagram carries its own header (IPV6_HDRINCL).
            setfsuid(injector_uid);
            raw6_fd_ = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
            setfsuid(0);
            if (raw6_fd_ < 0) throw std::runtime_error(std::string("cannot open a raw IPv6 socket: ") + std::strerror(errno));
        }
    }
}

// The host's listening sockets, bound in the router: an IPv4 socket for an IPv4 address or any,
// an IPv6 one taking IPv4 too for `*` and ::ffff: addresses, an IPv6-only one for `[::]` and
// an IPv6 address (bound only when the router has IPv6). Each is transparent (IP_TRANSPARENT), so
// -j TPROXY can hand it packets.
void KernelOracle::bind_host_sockets(const std::vector<HostSocket>& sockets) {
    EnterNamespace in(*router_);
    for (const HostSocket& s : sockets) {
        if (!s.takes_ipv4 && !ipv6_) continue;
        const int type = s.proto == proto::tcp ? SOCK_STREAM : SOCK_DGRAM;
        const int fd = socket(s.ipv6 ? AF_INET6 : AF_INET, type | SOCK_CLOEXEC, 0);
        if (fd < 0) throw std::runtime_error("cannot open a socket for " + s.text + ": " + std::strerror(errno));
        host_sockets_.push_back(fd);
        int one = 1, zero = 0;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        // Transparent, as fwbench takes a listed socket -j TPROXY finds to be (tproxy_assumption);
        // no other lookup the host's stack makes reads it.
        if (setsockopt(fd, s.ipv6 ? IPPROTO_IPV6 : IPPROTO_IP, s.ipv6 ? IPV6_TRANSPARENT : IP_TRANSPARENT, &one, sizeof one) != 0)
            throw std::runtime_error("cannot make the socket for " + s.text + " transparent: " + std::strerror(errno));
        if (!s.dev.empty() && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, s.dev.c_str(), static_cast<socklen_t>(s.dev.size())) != 0)
            throw std::runtime_error("cannot bind a socket to " + s.dev + ": " + std::strerror(errno));
        int bound;
        if (s.ipv6) {
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, s.takes_ipv4 ? &zero : &one, sizeof zero);
            sockaddr_in6 at{};
            at.sin6_family = AF_INET6;
            at.sin6_port = htons(s.port);
            if (s.v6_addr) {
                std::memcpy(at.sin6_addr.s6_addr, s.v6_addr->bytes.data(), 16);
            } else if (s.v4_addr) {
                at.sin6_addr.s6_addr[10] = at.sin6_addr.s6_addr[11] = 0xff;
                const std::uint32_t a = htonl(s.v4_addr->v4_host());
                std::memcpy(&at.sin6_addr.s6_addr[12], &a, 4);
            }
            bound = bind(fd, reinterpret_cast<sockaddr*>(&at), sizeof at);
        } else {
            sockaddr_in at{};
            at.sin_family = AF_INET;
            at.sin_port = htons(s.port);
            at.sin_addr.s_addr = s.v4_addr ? htonl(s.v4_addr->v4_host()) : htonl(INADDR_ANY);
            bound = bind(fd, reinterpret_cast<sockaddr*>(&at), sizeof at);
        }
        if (bound != 0 || (type == SOCK_STREAM && listen(fd, 128) != 0))
            throw std::runtime_error("cannot bind the host's socket " + s.text + " in the router: " + std::strerror(errno));
    }
}

KernelOracle::~KernelOracle() { teardown(); }

void KernelOracle::teardown() {
    trace_.reset();
    for (auto& w : wires_) {
        if (w.fd >= 0) close(w.fd);
        if (w.listen_fd >= 0) close(w.listen_fd);
    }
    wires_.clear();
    if (raw_fd_ >= 0) close(raw_fd_);
    raw_fd_ = -1;
    if (raw6_fd_ >= 0) close(raw6_fd_);
    raw6_fd_ = -1;
    for (int fd : host_sockets_) close(fd);
    host_sockets_.clear();
    // Closing the descriptors removes the namespaces, and with them every device, address, route
    // and table the replay made (netns.hpp).
    peers_.clear();
    router_.reset();
}

std::vector<LeftFrame> KernelOracle::take_forwarded() {
    std::vector<LeftFrame> out;
    std::vector<std::uint8_t> buf(65536);
    for (const auto& w : wires_) {
        if (w.listen_fd < 0) continue;
        while (true) {
            sockaddr_ll from{};
            socklen_t len = sizeof from;
            ssize_t n = recvfrom(w.listen_fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
            if (n < 0) break;  // EAGAIN: nothing more
            if (from.sll_pkttype == PACKET_OUTGOING) continue;  // the injector's own frames
            out.push_back({w.iface, std::vector<std::uint8_t>(buf.begin(), buf.begin() + n)});
        }
    }
    return out;
}

void KernelOracle::inject(const Packet& p, Origin origin) {
    if (opt_.pace) {
        auto now_ns = [] {
            timespec ts{};
            clock_gettime(CLOCK_MONOTONIC, &ts);
            return std::uint64_t(ts.tv_sec) * 1000000000ull + std::uint64_t(ts.tv_nsec);
        };
        if (!paced_started_) {
            paced_started_ = true;
            pace_first_ts_ = p.timestamp_ns;
            pace_start_ns_ = now_ns();
        }
        std::uint64_t due = pace_start_ns_ + (p.timestamp_ns > pace_first_ts_ ? p.timestamp_ns - pace_first_ts_ : 0);
        for (std::uint64_t now = now_ns(); now < due; now = now_ns()) {
            std::uint64_t left = due - now;
            timespec nap{static_cast<time_t>(left / 1000000000ull), static_cast<long>(left % 1000000000ull)};
            nanosleep(&nap, nullptr);
        }
    }
    if (p.bytes.empty()) return inject_datagram(p, origin, build_datagram(p));
    // A packet with its bytes (a payload -m string, -m u32 or -m bpf reads) is sent as those bytes, with what
    // sending it chose (a local packet's source) written in.
    std::vector<std::uint8_t> datagram(p.bytes.size() + 64);
    datagram.resize(write_datagram_now(p, datagram.data(), datagram.size()));
    if (datagram.empty()) throw std::runtime_error("a packet whose bytes are not the datagram it describes");
    inject_datagram(p, origin, datagram);
}

void KernelOracle::inject_datagram(const Packet& p, Origin origin, const std::vector<std::uint8_t>& datagram) {
    if (origin == Origin::wire) {
        for (const auto& w : wires_) {
            if (w.iface != p.in.view()) continue;
            MacAddr dst = p.pkttype == PktType::broadcast ? MacAddr{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}} : w.router_mac;
            MacAddr src = p.has_mac ? p.src_mac : w.peer_mac;
            auto frame = ethernet_frame(src, dst, datagram, 0, p.family == Family::ipv6 ? 0x86dd : 0x0800);
            sockaddr_ll to{};
            to.sll_family = AF_PACKET;
            to.sll_ifindex = w.ifindex;
            to.sll_halen = 6;
            std::memcpy(to.sll_addr, dst.bytes.data(), 6);
            if (sendto(w.fd, frame.data(), frame.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0)
                throw std::runtime_error(std::string("cannot inject on ") + w.iface + ": " + std::strerror(errno));
            return;
        }
        throw std::runtime_error("no interface " + std::string(p.in.view()) + " to inject on");
    }
    if (p.family == Family::ipv6) return inject_local_ipv6(p, datagram);
    // A local TCP or UDP packet comes from a socket, which takes what comes back to it. The raw
    // injector has none there, so the sink keeps those packets from the stack, which would
    // otherwise answer them from a closed port (as fwbench's StackConnections does not).
    if (stack_ && p.l4_present && (p.proto == proto::tcp || p.proto == proto::udp) &&
        local_socket_keys_.insert({p.src.v4_host(), p.proto, p.sport}).second)
        run_in(*router_, {"nft", "add", "element", "inet", "fwbench_oracle", "local_sockets",
                          "{ " + format_ip(p.src) + " . " + (p.proto == proto::tcp ? "tcp" : "udp") + " . " + std::to_string(p.sport) + " }"});
    // Bound to the packet's source, the route lookup sees it as a socket bound there would (a
    // 127/8 source is refused on a non-loopback device); a source that is not ours stays unbound.
    sockaddr_in from{};
    from.sin_family = AF_INET;
    std::memcpy(&from.sin_addr, p.src.bytes.data(), 4);
    if (bind(raw_fd_, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) {
        from.sin_addr.s_addr = INADDR_ANY;
        bind(raw_fd_, reinterpret_cast<sockaddr*>(&from), sizeof from);
    }
    sockaddr_in to{};
    to.sin_family = AF_INET;
    std::memcpy(&to.sin_addr, p.dst.bytes.data(), 4);
    if (sendto(raw_fd_, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0) {
        // The kernel refused to route it (EINVAL, ENETUNREACH, EPERM): like fwbench's routing drops.
        return;
    }
    // Looped-back packets finish their way in the backlog softirq, after sendto returns.
    usleep(3000);
}

void KernelOracle::inject_local_ipv6(const Packet& p, const std::vector<std::uint8_t>& datagram) {
    if (raw6_fd_ < 0) throw std::runtime_error("an IPv6 packet for a router built for an IPv4 ruleset");
    sockaddr_in6 from{};
    from.sin6_family = AF_INET6;
    std::memcpy(&from.sin6_addr, p.src.bytes.data(), 16);
    if (bind(raw6_fd_, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) {
        from.sin6_addr = in6addr_any;
        bind(raw6_fd_, reinterpret_cast<sockaddr*>(&from), sizeof from);
    }
    sockaddr_in6 to{};
    to.sin6_family = AF_INET6;
    std::memcpy(&to.sin6_addr, p.dst.bytes.data(), 16);
    // A multicast destination leaves by the device the packet names, as a socket's scope id (or
    // IPV6_MULTICAST_IF) makes it.
    if (v6::is_multicast(p.dst) && !p.out.empty()) {
        EnterNamespace in(*router_);
        to.sin6_scope_id = if_nametoindex(std::string(p.out.view()).c_str());
    }
    if (sendto(raw6_fd_, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0) return;  // refused by routing
    usleep(3000);
}

void KernelOracle::start_trace() {
    if (opt_.legacy) throw std::runtime_error("per-packet traces need the nf_tables backend (iptables-legacy's TRACE only logs)");
    {
        EnterNamespace in(*router_);
        trace_ = std::make_unique<NftTraceListener>();
    }
    // Before every iptables table (raw is at -300): every packet of the ruleset's family arriving,
    // and every one leaving that the guard let through (the injector's and REJECT's answers).
    const std::string family = ipv6_ ? "ip6" : "ip";
    run_in(*router_, {"nft", "-f", "-"},
           "table " + family +
               " fwbench_trace {\n chain pre {\n  type filter hook prerouting priority -450;\n  meta nftrace set 1\n }\n"
               " chain out {\n  type filter hook output priority -450;\n  meta nftrace set 1\n }\n}\n");
    trace_->set_handles(run_in_router({"nft", "-j", "-a", "list", "ruleset"}), family);
}

std::vector<CountedRule> KernelOracle::take_trace() {
    if (!trace_) throw std::logic_error("take_trace without KernelOracleOptions::trace_packets");
    return trace_->drain("fwbench_");
}

void KernelOracle::load_nft(const std::string& text) { run_in(*router_, {"nft", "-f", "-"}, text); }

std::uint64_t KernelOracle::flood(const Packet& p, std::size_t count) {
    for (const auto& w : wires_) {
        if (w.iface != p.in.view()) continue;
        auto frame = ethernet_frame(w.peer_mac, w.router_mac, build_ipv4(p));
        sockaddr_ll to{};
        to.sll_family = AF_PACKET;
        to.sll_ifindex = w.ifindex;
        to.sll_halen = 6;
        std::memcpy(to.sll_addr, w.router_mac.bytes.data(), 6);
        constexpr unsigned batch = 64;
        iovec iov[batch];
        mmsghdr msgs[batch];
        for (unsigned i = 0; i < batch; ++i) {
            iov[i] = {frame.data(), frame.size()};
            msgs[i] = {};
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_hdr.msg_name = &to;
            msgs[i].msg_hdr.msg_namelen = sizeof to;
        }
        auto cpu_ns = [] {
            rusage u{};
            getrusage(RUSAGE_THREAD, &u);
            return (std::uint64_t(u.ru_utime.tv_sec) + std::uint64_t(u.ru_stime.tv_sec)) * 1000000000ull +
                   (std::uint64_t(u.ru_utime.tv_usec) + std::uint64_t(u.ru_stime.tv_usec)) * 1000ull;
        };
        std::uint64_t start = cpu_ns();
        for (std::size_t sent = 0; sent < count;) {
            unsigned n = static_cast<unsigned>(std::min<std::size_t>(batch, count - sent));
            int r = sendmmsg(w.fd, msgs, n, 0);
            if (r <= 0) throw std::runtime_error(std::string("sendmmsg failed: ") + std::strerror(errno));
            sent += static_cast<std::size_t>(r);
        }
        return cpu_ns() - start;
    }
    throw std::runtime_error("no interface " + std::string(p.in.view()) + " to flood");
}

std::string KernelOracle::run_in_router(std::vector<std::string> argv, std::string input) const {
    return run_in(*router_, std::move(argv), std::move(input));
}

std::string KernelOracle::counters() const { return run_in_router({tool("save"), "-c"}); }

std::string describe_difference(const CounterDifference& d) {
    return d.table + " " + d.chain + " " + (d.rule ? "rule " + std::to_string(d.rule) : std::string("policy")) + ": fwbench " +
           std::to_string(d.fwbench.packets) + "/" + std::to_string(d.fwbench.bytes) + ", kernel " + std::to_string(d.kernel.packets) + "/" +
           std::to_string(d.kernel.bytes) + "   " + d.text;
}

Packet packet_as_sent(const Packet& p, Origin origin, const PathResult& r) {
    Packet sent = p;
    if (origin == Origin::local && !unspecified_address(r.source)) sent.src = r.source;
    return sent;
}

std::vector<CounterDifference> compare_counters(const Ruleset& rs, const CounterSource& mine, const std::string& kernel_text,
                                                const IpsetRegistry* ipsets) {
    RulesetParseOptions opt;
    opt.ipsets = ipsets;
    opt.source = "kernel iptables-save";
    opt.family = rs.family;
    Ruleset kernel = parse_ruleset(kernel_text, opt);
    std::vector<CounterDifference> diffs;
    for (std::size_t ti = 0; ti < rs.tables.size(); ++ti) {
        const Table& t = rs.tables[ti];
        const Table* kt = kernel.table(t.name);
        for (std::size_t ci = 0; ci < t.chains.size(); ++ci) {
            const Chain& c = t.chains[ci];
            const Chain* kc = kt ? kt->chain(c.name) : nullptr;
            for (std::size_t ri = 0; ri < c.rules.size(); ++ri) {
                Counters k = kc && ri < kc->rules.size() ? kc->rules[ri].input_counters : Counters{};
                Counters f = mine.rule(ti, ci, ri);
                if (k != f) diffs.push_back({t.name, c.name, static_cast<int>(ri + 1), f, k, format_rule(c.rules[ri], c.name)});
            }
            if (c.builtin) {
                Counters k = kc ? kc->input_counters : Counters{};
                Counters f = mine.policy(ti, ci);
                if (k != f) diffs.push_back({t.name, c.name, 0, f, k, ":" + c.name + " policy"});
            }
        }
    }
    return diffs;
}

std::string DifferentialResult::report(const std::string& indent) const {
    std::string out;
    for (const auto& d : readback) out += indent + describe_readback(d) + "\n";
    for (const auto& d : counters) out += indent + describe_difference(d) + "\n";
    for (const auto& d : packets)
        out += indent + (d.label.empty() ? "packet " + std::to_string(d.index + 1) : d.label) + " (" + d.packet + ")\n" + indent +
               "  fwbench counted: " + format_counted(d.fwbench) + "\n" + indent + "  kernel counted:  " + format_counted(d.kernel) + "\n";
    if (packets_differing > packets.size())
        out += indent + "... and " + std::to_string(packets_differing - packets.size()) + " more packets counted differently\n";
    return out;
}

DifferentialRun::DifferentialRun(const Host& kernel_host, const Ruleset& rs, KernelOracleOptions opt)
    : rs_(rs), traced_(!opt.legacy), kernel_(kernel_host, rs, with_trace(opt)) {}

void DifferentialRun::send(const Packet& input, Origin origin, const PathResult& r, std::string label) {
    kernel_.inject(packet_as_sent(input, origin, r), origin);
    if (!traced_) return;
    std::vector<CountedRule> kernel = kernel_.take_trace();
    std::vector<CountedRule> mine = counted_rules(rs_, r);
    std::size_t index = result_.packets_compared++;
    if (kernel == mine) return;
    ++result_.packets_differing;
    if (result_.packets.size() < DifferentialResult::max_packet_differences)
        result_.packets.push_back(
            {index, std::move(label), format_packet_description(input, origin == Origin::local), std::move(mine), std::move(kernel)});
}

DifferentialResult DifferentialRun::finish(const CounterSource& fwbench_counters, const IpsetRegistry* ipsets) {
    result_.readback = kernel_.readback();
    result_.counters = compare_counters(rs_, fwbench_counters, kernel_.counters(), ipsets);
    return result_;
}

DifferentialResult run_differential(const Host& model_host, const Host& kernel_host, const DifferentialCase& c, KernelOracleOptions opt) {
    std::optional<IpsetRegistry> ipsets;
    if (!opt.ipsets.empty()) ipsets = IpsetRegistry::parse(opt.ipsets, "ipsets");
    PacketPath path(c.ruleset, model_host, ipsets ? &*ipsets : nullptr);
    PathState st(c.ruleset, EngineOptions{}, model_host.sysctl());
    st.icmp_rate_limit = opt.pace;
    st.stack_answers = opt.stack_answers;
    DatagramRewriter datagrams;  // the packets' bytes, where they carry them
    st.engine.datagram = &datagrams;
    DifferentialRun run(kernel_host, c.ruleset, opt);
    for (const auto& [p, origin] : c.packets) run.send(p, origin, path.process(p, origin, st, run.traced()));
    return run.finish(st.engine, ipsets ? &*ipsets : nullptr);
}

DifferentialCase shrink_disagreement(const Host& model_host, const Host& kernel_host, DifferentialCase c, KernelOracleOptions opt) {
    auto disagrees = [&](const DifferentialCase& x) { return !run_differential(model_host, kernel_host, x, opt).agree(); };
    for (std::size_t i = c.packets.size(); i-- > 0;) {
        if (c.packets.size() == 1) break;
        DifferentialCase trial = c;
        trial.packets.erase(trial.packets.begin() + static_cast<std::ptrdiff_t>(i));
        if (disagrees(trial)) c = std::move(trial);
    }
    for (std::size_t t = c.ruleset.tables.size(); t-- > 0;)
        for (std::size_t ch = c.ruleset.tables[t].chains.size(); ch-- > 0;)
            for (std::size_t r = c.ruleset.tables[t].chains[ch].rules.size(); r-- > 0;) {
                DifferentialCase trial = c;
                auto& rules = trial.ruleset.tables[t].chains[ch].rules;
                rules.erase(rules.begin() + static_cast<std::ptrdiff_t>(r));
                if (disagrees(trial)) c = std::move(trial);
            }
    return c;
}

std::string reproduction(const DifferentialCase& c, const std::string& host_json, const std::string& dir, const std::string& name,
                         const std::string& ipsets) {
    std::string rules = dir + "/" + name + ".v4", host = dir + "/" + name + "-host.json";
    auto write = [](const std::string& path, const std::string& text) {
        FILE* f = std::fopen(path.c_str(), "w");
        if (!f) throw std::runtime_error(path + ": cannot write the reproduction: " + std::strerror(errno));
        bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
        ok = std::fclose(f) == 0 && ok;
        if (!ok) throw std::runtime_error(path + ": cannot write the reproduction: " + std::strerror(errno));
    };
    write(rules, format_ruleset(c.ruleset, nullptr, BuiltinChains::as_present));
    write(host, host_json);
    std::vector<std::string> argv = {"fwbench", "kernel-check", "--rules", rules, "--host", host};
    if (!ipsets.empty()) {
        std::string sets = dir + "/" + name + "-ipsets.save";
        write(sets, ipsets);
        argv.insert(argv.end(), {"--ipsets", sets});
    }
    for (const auto& [p, origin] : c.packets) argv.push_back(format_packet_description(p, origin == Origin::local));
    return display_command(argv);  // quoted for a person's shell: names may hold any byte it reads
}

}  // namespace fwbench
