#pragma once
// Lint fixtures: a ruleset on the router of path_fixtures.hpp and the finding lint must report
// for it (kind and a piece of its message). The symbolic tests check fwbench reports them; the
// kernel-oracle tests replay each finding's packet into the kernel and check the rules it claims
// count the packet do, and those it claims never do, don't.

#include <string>
#include <vector>

#include "path_fixtures.hpp"

namespace fwbench::test {

struct LintCase {
    const char* name;
    std::string rules;
    const char* kind;  // the finding's kind
    const char* message;  // a piece of its message
    bool packet;  // the finding carries a demonstrating packet
};

inline std::string lint_filter(const std::string& body, const char* input_policy = "ACCEPT") {
    return std::string("*filter\n:INPUT ") + input_policy + " [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n" + body + "COMMIT\n";
}

inline std::vector<LintCase> lint_cases() {
    return {
        {"loopback from 127/8 only",
         lint_filter("-A INPUT -s 127.0.0.0/8 -i lo -j ACCEPT\n-A INPUT -i wan1 -p tcp -m tcp --dport 22 -j ACCEPT\n-A INPUT -j DROP\n"),
         "own-connection-dropped",
         "the host's own connection to 203.0.113.1:22 arrives on lo from 203.0.113.1 and is dropped by filter INPUT rule 3: -A INPUT -j DROP", true},
        {"an address accepted only on its device",
         lint_filter("-A INPUT -d 127.0.0.1/32 -j ACCEPT\n-A INPUT -d 203.0.113.1/32 -i wan1 -p tcp -m tcp --dport 22 -j ACCEPT\n", "DROP"),
         "own-connection-dropped",
         "the host's own connection to 203.0.113.1:22 arrives on lo from 203.0.113.1 and is dropped by filter INPUT policy DROP", true},
        {"a port-forward for one device",
         "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
         "-A PREROUTING -i wan1 -p tcp -m tcp --dport 2222 -j DNAT --to-destination 192.0.2.10:22\nCOMMIT\n",
         "port-forward-misses-own", "the host's own connections to 203.0.113.1:2222 are not forwarded to 192.0.2.10", true},
        {"a port-forward LAN hosts miss (hairpin)",
         "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
         "-A PREROUTING -i wan1 -p tcp -m tcp --dport 2222 -j DNAT --to-destination 192.0.2.10:22\nCOMMIT\n",
         "port-forward-misses-other-networks", "connections from lan0 to 203.0.113.1:2222 are not forwarded either", true},
        {"a rule shadowed by a wider one", lint_filter("-A INPUT -s 198.51.100.0/24 -j DROP\n-A INPUT -s 198.51.100.7/32 -p tcp -j ACCEPT\n"),
         "never-matches", "filter INPUT rule 2: -A INPUT -s 198.51.100.7/32 -p tcp -j ACCEPT never matches", true},
        // iptables refuses -o in INPUT itself, not in a chain INPUT jumps to.
        {"-o in a chain reached from INPUT", lint_filter(":from_input - [0:0]\n-A INPUT -j from_input\n-A from_input -o wan1 -j DROP\n"),
         "never-matches", "filter from_input rule 1: -A from_input -o wan1 -j DROP matches no packet at the hooks that reach it", false},
        {"a rule after a catch-all", lint_filter("-A FORWARD -j DROP\n-A FORWARD -p tcp -j ACCEPT\n"), "never-reached",
         "filter FORWARD rule 2: -A FORWARD -p tcp -j ACCEPT is never reached", false},
        {"a policy a catch-all makes dead", lint_filter("-A FORWARD -i lan0 -j ACCEPT\n-A FORWARD -j DROP\n"), "policy-never-decides",
         "filter FORWARD's policy ACCEPT never decides", false},
        {"a chain never jumped to", lint_filter(":orphan - [0:0]\n-A orphan -j DROP\n"), "chain-unused", "filter chain orphan is never jumped to",
         false},
        {"a narrower rule before a wider one with the same target",
         lint_filter("-A INPUT -s 198.51.100.7/32 -j DROP\n-A INPUT -s 198.51.100.0/24 -j DROP\n"), "redundant",
         "filter INPUT rule 1: -A INPUT -s 198.51.100.7/32 -j DROP is redundant", true},
        {"NOTRACK in raw PREROUTING for the host's own packets",
         "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -i lo -j NOTRACK\nCOMMIT\n" +
             lint_filter("-A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT\n-A INPUT -m conntrack --ctstate NEW -j ACCEPT\n"),
         "notrack-misses-own", "raw PREROUTING rule 1: -A PREROUTING -i lo -j NOTRACK meets the host's own packets to 203.0.113.1 already tracked",
         true},
        {"addrtype LOCAL and the host's broadcasts", lint_filter("-A INPUT -m addrtype --dst-type LOCAL -j ACCEPT\n", "DROP"),
         "addrtype-local-not-broadcast", "does not take broadcasts to the host: 203.0.113.255 reaches INPUT as BROADCAST, not LOCAL", true},
        {"a device the host does not have", lint_filter("-A FORWARD -i eth9 -j DROP\n"), "unknown-interface",
         "names eth9, a device the host does not have", false},
    };
}

inline std::string router_host_json() {
    return std::string(R"({"addr":)") + router_addr + R"(,"route":)" + router_routes + R"(,"rule":)" + router_rules + "}";
}

// The same router forwarding (net.ipv4.ip_forward 1).
inline std::string forwarding_router_host_json() {
    return std::string(R"({"addr":)") + router_addr + R"(,"route":)" + router_routes + R"(,"rule":)" + router_rules +
           R"(,"sysctl":{"net.ipv4.ip_forward":1}})";
}

}  // namespace fwbench::test
