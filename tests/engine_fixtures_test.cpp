// The linear reference engine, case by case: a ruleset snippet, the packets sent through one
// hook, the verdict of each packet (optionally with the deciding rule), and every non-zero
// counter afterwards (all other rule and policy counters must be zero).
//
// verdicts: "ACCEPT DROP@INPUT:2 ..." — VERDICT[@CHAIN:N], N 1-based, 0 = the policy.
// counters: "INPUT:1=2 INPUT:P=1 ..." — CHAIN:N=PACKETS[/BYTES], P = the policy counter.

#include <gtest/gtest.h>

#include <sstream>

#include "fwbench/compiled_engine.hpp"
#include "fwbench/linear_engine.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "packet_dsl.hpp"

namespace fwbench {
namespace {

struct EngineCase {
    const char* name;
    const char* table;
    Hook hook;
    const char* rules;  // body of the table, or a whole file when it starts with '*'
    std::vector<const char*> packets;
    const char* verdicts;
    const char* counters;
    const char* ipsets = nullptr;
};

constexpr Hook IN = Hook::input, FWD = Hook::forward, OUT = Hook::output, PRE = Hook::prerouting, POST = Hook::postrouting;

// A fixture table, one case per line: left as laid out.
// clang-format off
const std::vector<EngineCase> cases = {
    // --- basics ---
    {"empty chain applies the ACCEPT policy", "filter", IN, "", {"tcp 192.0.2.9:1000 > 192.0.2.1:22 in=eth0"}, "ACCEPT@INPUT:0", "INPUT:P=1/60"},
    {"empty chain applies the DROP policy", "filter", IN, ":INPUT DROP [0:0]", {"tcp 192.0.2.9:1000 > 192.0.2.1:22 in=eth0"}, "DROP@INPUT:0", "INPUT:P=1/60"},
    {"first matching rule decides", "filter", IN, "-A INPUT -p tcp -j DROP\n-A INPUT -p tcp -j ACCEPT", {"tcp 192.0.2.9:1 > 192.0.2.1:22"}, "DROP@INPUT:1", "INPUT:1=1"},
    {"non-matching rules are skipped", "filter", IN, "-A INPUT -p udp -j DROP\n-A INPUT -s 10.0.0.0/8 -j DROP\n-A INPUT -j ACCEPT", {"tcp 192.0.2.9:1 > 192.0.2.1:22"}, "ACCEPT@INPUT:3", "INPUT:3=1"},
    {"a rule without target counts and continues", "filter", IN, ":INPUT DROP [0:0]\n-A INPUT -p tcp\n-A INPUT -p tcp", {"tcp 192.0.2.9:1 > 192.0.2.1:22 len=100"}, "DROP@INPUT:0", "INPUT:1=1/100 INPUT:2=1/100 INPUT:P=1/100"},
    {"REJECT is terminal", "filter", IN, "-A INPUT -p tcp -j REJECT --reject-with tcp-reset\n-A INPUT -j ACCEPT", {"tcp 192.0.2.9:1 > 192.0.2.1:22"}, "REJECT@INPUT:1", "INPUT:1=1"},
    {"counters add the datagram length of each packet", "filter", IN, "-A INPUT -j ACCEPT", {"udp 192.0.2.9:1 > 192.0.2.1:53 len=80", "udp 192.0.2.9:1 > 192.0.2.1:53 len=1500"}, "ACCEPT ACCEPT", "INPUT:1=2/1580"},
    {"NFQUEUE is terminal with a queue verdict", "filter", IN, "-A INPUT -j NFQUEUE --queue-num 3", {"udp 192.0.2.9:1 > 192.0.2.1:53"}, "QUEUE@INPUT:1", "INPUT:1=1"},

    // --- jumps, gotos, RETURN ---
    {"jump into a user chain that decides", "filter", IN, ":A - [0:0]\n-A INPUT -j A\n-A A -j DROP", {"tcp 192.0.2.9:1 > 192.0.2.1:22"}, "DROP@A:1", "INPUT:1=1 A:1=1"},
    {"falling off a user chain returns to the next rule", "filter", IN, ":A - [0:0]\n-A INPUT -j A\n-A INPUT -j DROP\n-A A -p udp -j ACCEPT", {"tcp 192.0.2.9:1 > 192.0.2.1:22"}, "DROP@INPUT:2", "INPUT:1=1 INPUT:2=1"},
    {"RETURN in a user chain resumes after the jump", "filter", IN, ":A - [0:0]\n-A INPUT -j A\n-A INPUT -j DROP\n-A A -j RETURN\n-A A -j ACCEPT", {"tcp 192.0.2.9:1 > 192.0.2.1:22"}, "DROP@INPUT:2", "INPUT:1=1 A:1=1 INPUT:2=1"},
    {"RETURN in the base chain applies the policy and counts it", "filter", IN, ":INPUT DROP [0:0]\n-A INPUT -p tcp -j RETURN\n-A INPUT -j ACCEPT", {"tcp 192.0.2.9:1 > 192.0.2.1:22"}, "DROP@INPUT:0", "INPUT:1=1 INPUT:P=1"},
    {"goto does not push a return point", "filter", IN, ":A - [0:0]\n:B - [0:0]\n-A INPUT -j A\n-A INPUT -j DROP\n-A A -g B\n-A A -j ACCEPT\n-A B -j RETURN", {"tcp 192.0.2.9:1 > 192.0.2.1:22"}, "DROP@INPUT:2", "INPUT:1=1 A:1=1 B:1=1 INPUT:2=1"},
    {"goto from the base chain then falling off applies the policy", "filter", IN, ":INPUT DROP [0:0]\n:B - [0:0]\n-A INPUT -g B\n-A INPUT -j ACCEPT\n-A B -p udp -j ACCEPT", {"tcp 192.0.2.9:1 > 192.0.2.1:22"}, "DROP@INPUT:0", "INPUT:1=1 INPUT:P=1"},
    {"three levels of jumps unwind in order", "filter", IN, ":A - [0:0]\n:B - [0:0]\n:C - [0:0]\n-A INPUT -j A\n-A INPUT -j ACCEPT\n-A A -j B\n-A A -j DROP\n-A B -j C\n-A C -j RETURN", {"tcp 192.0.2.9:1 > 192.0.2.1:22"}, "DROP@A:2", "INPUT:1=1 A:1=1 B:1=1 C:1=1 A:2=1"},
    {"a chain can be entered twice in one walk", "filter", IN, ":A - [0:0]\n-A INPUT -j A\n-A INPUT -j A\n-A INPUT -j ACCEPT\n-A A -j LOG", {"tcp 192.0.2.9:1 > 192.0.2.1:22"}, "ACCEPT@INPUT:3", "INPUT:1=1 INPUT:2=1 INPUT:3=1 A:1=2"},
    {"a jump whose matches fail is not taken", "filter", IN, ":A - [0:0]\n-A INPUT -p udp -j A\n-A INPUT -j ACCEPT\n-A A -j DROP", {"tcp 192.0.2.9:1 > 192.0.2.1:22"}, "ACCEPT@INPUT:2", "INPUT:2=1"},
    {"goto inside a jumped chain returns to the jumper's caller", "filter", IN, ":A - [0:0]\n:B - [0:0]\n-A INPUT -j A\n-A INPUT -j REJECT\n-A A -g B\n-A A -j ACCEPT\n-A B -p tcp", {"tcp 192.0.2.9:1 > 192.0.2.1:22"}, "REJECT@INPUT:2", "INPUT:1=1 A:1=1 B:1=1 INPUT:2=1"},

    // --- non-terminating targets ---
    {"LOG continues", "filter", IN, "-A INPUT -j LOG --log-prefix \"in: \"\n-A INPUT -j DROP", {"tcp 192.0.2.9:1 > 192.0.2.1:22"}, "DROP@INPUT:2", "INPUT:1=1 INPUT:2=1"},
    {"NFLOG continues", "filter", IN, "-A INPUT -j NFLOG --nflog-group 5\n-A INPUT -j DROP", {"tcp 192.0.2.9:1 > 192.0.2.1:22"}, "DROP@INPUT:2", "INPUT:1=1 INPUT:2=1"},
    {"MARK --set-mark is seen by later rules", "*mangle\n-A PREROUTING -j MARK --set-mark 0x5\n-A PREROUTING -m mark --mark 0x5 -j DROP\nCOMMIT\n", PRE, "", {"tcp 192.0.2.9:1 > 192.0.2.1:22"}, "DROP@PREROUTING:2", "PREROUTING:1=1 PREROUTING:2=1"},
    {"MARK --or-mark keeps other bits", "*mangle\n-A PREROUTING -j MARK --or-mark 0x10\n-A PREROUTING -m mark --mark 0x11 -j DROP\nCOMMIT\n", PRE, "", {"tcp 192.0.2.9:1 > 192.0.2.1:22 mark=0x1"}, "DROP@PREROUTING:2", "PREROUTING:1=1 PREROUTING:2=1"},
    {"MARK --and-mark clears bits", "*mangle\n-A PREROUTING -j MARK --and-mark 0xf0\n-A PREROUTING -m mark --mark 0x10 -j DROP\nCOMMIT\n", PRE, "", {"tcp 192.0.2.9:1 > 192.0.2.1:22 mark=0x1f"}, "DROP@PREROUTING:2", "PREROUTING:1=1 PREROUTING:2=1"},
    {"MARK --set-xmark value/mask", "*mangle\n-A PREROUTING -j MARK --set-xmark 0x2/0xf\n-A PREROUTING -m mark --mark 0x102 -j DROP\nCOMMIT\n", PRE, "", {"tcp 192.0.2.9:1 > 192.0.2.1:22 mark=0x10f"}, "DROP@PREROUTING:2", "PREROUTING:1=1 PREROUTING:2=1"},
    {"CONNMARK --save-mark then connmark match", "*mangle\n-A PREROUTING -j CONNMARK --save-mark\n-A PREROUTING -m connmark --mark 0x7 -j DROP\nCOMMIT\n", PRE, "", {"tcp 192.0.2.9:1 > 192.0.2.1:22 mark=0x7 ct=NEW"}, "DROP@PREROUTING:2", "PREROUTING:1=1 PREROUTING:2=1"},
    {"connlabel reads the connection's label bits; no connection, only the negation matches", "filter", IN, "-A INPUT -m connlabel --label 127 -j DROP\n-A INPUT -m connlabel --label 3 -j REJECT\n-A INPUT -m connlabel ! --label 64 -j ACCEPT", {"tcp 192.0.2.9:1 > 192.0.2.1:22 ct=EST ctlabels=3,127", "tcp 192.0.2.9:1 > 192.0.2.1:22 ct=EST ctlabels=3,63", "tcp 192.0.2.9:1 > 192.0.2.1:22 ct=EST ctlabels=64", "tcp 192.0.2.9:1 > 192.0.2.1:22 ct=INV ctlabels=3"}, "DROP@INPUT:1 REJECT@INPUT:2 ACCEPT@INPUT:0 ACCEPT@INPUT:3", "INPUT:1=1 INPUT:2=1 INPUT:3=1 INPUT:P=1"},
    {"connlabel --set labels the connection when tested, though a later match of its rule fails; a later rule sees it", "filter", IN, "-A INPUT -p tcp -m connlabel --label 9 --set -m tcp --dport 1 -j ACCEPT\n-A INPUT -m connlabel --label 9 -j DROP", {"tcp 192.0.2.9:1 > 192.0.2.1:22 ct=EST", "tcp 192.0.2.9:1 > 192.0.2.1:22 ct=UNTRACKED", "udp 192.0.2.9:1 > 192.0.2.1:53 ct=EST"}, "DROP@INPUT:2 ACCEPT@INPUT:0 ACCEPT@INPUT:0", "INPUT:2=1 INPUT:P=2"},
    {"connlabel ! --label --set sets the bit and does not match; the rule after sees the bit", "filter", IN, "-A INPUT -m connlabel ! --label 9 --set -j ACCEPT\n-A INPUT -m connlabel --label 9 -j DROP", {"tcp 192.0.2.9:1 > 192.0.2.1:22 ct=NEW", "tcp 192.0.2.9:1 > 192.0.2.1:22 ct=UNTRACKED"}, "DROP@INPUT:2 ACCEPT@INPUT:1", "INPUT:1=1 INPUT:2=1"},
    {"CONNMARK --restore-mark then mark match", "*mangle\n-A PREROUTING -j CONNMARK --restore-mark\n-A PREROUTING -m mark --mark 0x9 -j DROP\nCOMMIT\n", PRE, "", {"tcp 192.0.2.9:1 > 192.0.2.1:22 ctmark=0x9 ct=EST"}, "DROP@PREROUTING:2", "PREROUTING:1=1 PREROUTING:2=1"},
    {"TOS --set-tos then tos match", "*mangle\n-A PREROUTING -j TOS --set-tos 0x10/0xff\n-A PREROUTING -m tos --tos Minimize-Delay -j DROP\nCOMMIT\n", PRE, "", {"tcp 192.0.2.9:1 > 192.0.2.1:22"}, "DROP@PREROUTING:2", "PREROUTING:1=1 PREROUTING:2=1"},
    {"TTL --ttl-dec then ttl match", "*mangle\n-A PREROUTING -j TTL --ttl-dec 1\n-A PREROUTING -m ttl --ttl-eq 63 -j DROP\nCOMMIT\n", PRE, "", {"tcp 192.0.2.9:1 > 192.0.2.1:22 ttl=64"}, "DROP@PREROUTING:2", "PREROUTING:1=1 PREROUTING:2=1"},
    {"DSCP --set-dscp-class then dscp match", "*mangle\n-A POSTROUTING -j DSCP --set-dscp-class EF\n-A POSTROUTING -m dscp --dscp 46 -j DROP\nCOMMIT\n", POST, "", {"udp 192.0.2.1:1 > 198.51.100.1:5060 out=eth0"}, "DROP@POSTROUTING:2", "POSTROUTING:1=1 POSTROUTING:2=1"},
    {"NOTRACK in raw continues", "*raw\n-A PREROUTING -j NOTRACK\n-A PREROUTING -j ACCEPT\nCOMMIT\n", PRE, "", {"udp 192.0.2.9:1 > 192.0.2.1:53"}, "ACCEPT@PREROUTING:2", "PREROUTING:1=1 PREROUTING:2=1"},
    {"DNAT ends the walk with ACCEPT", "*nat\n-A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 192.0.2.2:8080\n-A PREROUTING -j DROP\nCOMMIT\n", PRE, "", {"tcp 198.51.100.7:999 > 203.0.113.1:80 in=wan1"}, "ACCEPT@PREROUTING:1", "PREROUTING:1=1"},
    {"MASQUERADE ends the walk with ACCEPT", "*nat\n-A POSTROUTING -o wan1 -j MASQUERADE\nCOMMIT\n", POST, "", {"tcp 192.0.2.5:999 > 198.51.100.7:80 out=wan1", "tcp 192.0.2.5:999 > 192.0.2.7:80 out=lan0"}, "ACCEPT@POSTROUTING:1 ACCEPT@POSTROUTING:0", "POSTROUTING:1=1"},

    // --- which base chains the kernel has (ChainPresence): a whole file, read as written ---
    {"iptables-nft: a chain named only by -A decides by its policy but never counts it", "*filter\n-A INPUT -p udp -j DROP\nCOMMIT\n", IN, "", {"tcp 192.0.2.9:1 > 192.0.2.1:22"}, "ACCEPT@INPUT:0", ""},
    {"iptables-nft: -P gives the chain its policy counter", "*filter\n-P INPUT DROP\n-A INPUT -p udp -j ACCEPT\nCOMMIT\n", IN, "", {"tcp 192.0.2.9:1 > 192.0.2.1:22"}, "DROP@INPUT:0", "INPUT:P=1"},
    {"iptables-nft: -F CHAIN creates the chain, uncounted", "*filter\n-F INPUT\nCOMMIT\n", IN, "", {"tcp 192.0.2.9:1 > 192.0.2.1:22"}, "ACCEPT@INPUT:0", ""},
    {"iptables-nft: a chain the text never names is not walked", "*filter\n:FORWARD DROP [0:0]\n-A FORWARD -j DROP\nCOMMIT\n", IN, "", {"tcp 192.0.2.9:1 > 192.0.2.1:22"}, "ACCEPT", ""},
    {"iptables-legacy counts every base chain's policy", "# Generated by iptables-save v1.8.9 (legacy) on Mon Nov 30 17:04:34 2026\n*filter\n-A INPUT -p udp -j DROP\nCOMMIT\n", IN, "", {"tcp 192.0.2.9:1 > 192.0.2.1:22"}, "ACCEPT@INPUT:0", "INPUT:P=1"},

    // --- negations ---
    {"! -s matches other sources", "filter", IN, "-A INPUT ! -s 192.0.2.0/24 -j DROP", {"tcp 198.51.100.1:1 > 192.0.2.1:22", "tcp 192.0.2.5:1 > 192.0.2.1:22"}, "DROP ACCEPT", "INPUT:1=1 INPUT:P=1"},
    {"old-style -s ! X negates too", "filter", IN, "-A INPUT -s ! 192.0.2.0/24 -j DROP", {"tcp 198.51.100.1:1 > 192.0.2.1:22", "tcp 192.0.2.5:1 > 192.0.2.1:22"}, "DROP ACCEPT", "INPUT:1=1 INPUT:P=1"},
    {"! -i on the arrival interface", "filter", IN, "-A INPUT ! -i lo -j DROP", {"tcp 127.0.0.1:1 > 127.0.0.1:22 in=lo", "tcp 192.0.2.9:1 > 192.0.2.1:22 in=eth0"}, "ACCEPT DROP", "INPUT:1=1 INPUT:P=1"},
    {"! -p", "filter", IN, "-A INPUT ! -p tcp -j DROP", {"udp 192.0.2.9:1 > 192.0.2.1:53", "tcp 192.0.2.9:1 > 192.0.2.1:22"}, "DROP ACCEPT", "INPUT:1=1 INPUT:P=1"},
    {"! --dport", "filter", IN, "-A INPUT -p tcp ! --dport 22 -j DROP", {"tcp 192.0.2.9:1 > 192.0.2.1:80", "tcp 192.0.2.9:1 > 192.0.2.1:22"}, "DROP ACCEPT", "INPUT:1=1 INPUT:P=1"},
    {"old-style --dport ! 22", "filter", IN, "-A INPUT -p tcp -m tcp --dport ! 22 -j DROP", {"tcp 192.0.2.9:1 > 192.0.2.1:80", "tcp 192.0.2.9:1 > 192.0.2.1:22"}, "DROP ACCEPT", "INPUT:1=1 INPUT:P=1"},
    {"! --syn catches non-SYN packets", "filter", IN, "-A INPUT -p tcp ! --syn -m state --state NEW -j DROP", {"tcp 192.0.2.9:1 > 192.0.2.1:80 flags=A ct=NEW", "tcp 192.0.2.9:1 > 192.0.2.1:80 flags=S ct=NEW"}, "DROP ACCEPT", "INPUT:1=1 INPUT:P=1"},
    {"! --state", "filter", IN, "-A INPUT -m state ! --state ESTABLISHED,RELATED -j DROP", {"tcp 192.0.2.9:1 > 192.0.2.1:80 ct=EST", "tcp 192.0.2.9:1 > 192.0.2.1:80 ct=NEW"}, "ACCEPT DROP", "INPUT:1=1 INPUT:P=1"},
    {"! -f matches first fragments and unfragmented packets", "filter", IN, "-A INPUT ! -f -j DROP", {"udp 192.0.2.9:1 > 192.0.2.1:53", "udp 192.0.2.9:1 > 192.0.2.1:53 frag"}, "DROP ACCEPT", "INPUT:1=1 INPUT:P=1"},
    {"! -o matches when INPUT has no output interface", "filter", FWD, "-A FORWARD ! -o eth1 -j DROP", {"tcp 192.0.2.9:1 > 198.51.100.1:80 in=eth0 out=eth1", "tcp 192.0.2.9:1 > 198.51.100.1:80 in=eth0 out=eth2"}, "ACCEPT DROP", "FORWARD:1=1 FORWARD:P=1"},

    // --- interface names and wildcards ---
    {"eth+ matches any eth interface", "filter", IN, "-A INPUT -i eth+ -j DROP", {"tcp 192.0.2.9:1 > 192.0.2.1:22 in=eth0", "tcp 192.0.2.9:1 > 192.0.2.1:22 in=eth10", "tcp 192.0.2.9:1 > 192.0.2.1:22 in=wlan0"}, "DROP DROP ACCEPT", "INPUT:1=2 INPUT:P=1"},
    {"-i lo does not match loben", "filter", IN, "-A INPUT -i lo -j DROP", {"tcp 192.0.2.9:1 > 192.0.2.1:22 in=loben", "tcp 127.0.0.1:1 > 127.0.0.1:22 in=lo"}, "ACCEPT DROP", "INPUT:1=1 INPUT:P=1"},
    {"-i lo+ matches loben", "filter", IN, "-A INPUT -i lo+ -j DROP", {"tcp 192.0.2.9:1 > 192.0.2.1:22 in=loben"}, "DROP", "INPUT:1=1"},
    {"-i + matches every interface", "filter", IN, "-A INPUT -i + -j DROP", {"tcp 192.0.2.9:1 > 192.0.2.1:22 in=anything"}, "DROP", "INPUT:1=1"},

    // --- prefixes and ranges ---
    {"a dotted netmask", "filter", IN, "-A INPUT -s 192.0.2.0/255.255.255.0 -j DROP", {"tcp 192.0.2.200:1 > 192.0.2.1:22", "tcp 192.0.3.1:1 > 192.0.2.1:22"}, "DROP ACCEPT", "INPUT:1=1 INPUT:P=1"},
    {"a non-contiguous netmask", "filter", IN, "-A INPUT -s 10.0.0.1/255.0.0.255 -j DROP", {"tcp 10.77.3.1:1 > 192.0.2.1:22", "tcp 10.77.3.2:1 > 192.0.2.1:22"}, "DROP ACCEPT", "INPUT:1=1 INPUT:P=1"},
    {"host bits are cleared as iptables does", "filter", IN, "-A INPUT -s 41.10.56.224/20 -j DROP", {"tcp 41.10.48.1:1 > 192.0.2.1:22"}, "DROP", "INPUT:1=1"},
    {"port range bounds are inclusive", "filter", IN, "-A INPUT -p udp --dport 1000:2000 -j DROP", {"udp 192.0.2.9:1 > 192.0.2.1:999", "udp 192.0.2.9:1 > 192.0.2.1:1000", "udp 192.0.2.9:1 > 192.0.2.1:2000", "udp 192.0.2.9:1 > 192.0.2.1:2001"}, "ACCEPT DROP DROP ACCEPT", "INPUT:1=2 INPUT:P=2"},
    {"multiport with a range", "filter", IN, "-A INPUT -p tcp -m multiport --dports 22,8000:8080 -j DROP", {"tcp 192.0.2.9:1 > 192.0.2.1:22", "tcp 192.0.2.9:1 > 192.0.2.1:8042", "tcp 192.0.2.9:1 > 192.0.2.1:80"}, "DROP DROP ACCEPT", "INPUT:1=2 INPUT:P=1"},
    {"multiport --ports matches either side", "filter", IN, "-A INPUT -p udp -m multiport --ports 53 -j DROP", {"udp 192.0.2.9:53 > 192.0.2.1:4000", "udp 192.0.2.9:4000 > 192.0.2.1:53", "udp 192.0.2.9:1 > 192.0.2.1:2"}, "DROP DROP ACCEPT", "INPUT:1=2 INPUT:P=1"},
    {"iprange source range", "filter", IN, "-A INPUT -m iprange --src-range 192.0.2.10-192.0.2.20 -j DROP", {"tcp 192.0.2.10:1 > 192.0.2.1:22", "tcp 192.0.2.21:1 > 192.0.2.1:22"}, "DROP ACCEPT", "INPUT:1=1 INPUT:P=1"},
    {"length range", "filter", IN, "-A INPUT -m length --length 0:100 -j DROP", {"udp 192.0.2.9:1 > 192.0.2.1:53 len=100", "udp 192.0.2.9:1 > 192.0.2.1:53 len=101"}, "DROP ACCEPT", "INPUT:1=1/100 INPUT:P=1/101"},
    {"ttl-lt", "filter", IN, "-A INPUT -m ttl --ttl-lt 10 -j DROP", {"udp 192.0.2.9:1 > 192.0.2.1:53 ttl=9", "udp 192.0.2.9:1 > 192.0.2.1:53 ttl=10"}, "DROP ACCEPT", "INPUT:1=1 INPUT:P=1"},
    {"icmp type and code", "filter", IN, "-A INPUT -p icmp --icmp-type fragmentation-needed -j DROP\n-A INPUT -p icmp --icmp-type echo-request -j REJECT", {"icmp 192.0.2.9 > 192.0.2.1 type=3/4", "icmp 192.0.2.9 > 192.0.2.1 type=3/3", "icmp 192.0.2.9 > 192.0.2.1 type=8/0"}, "DROP ACCEPT REJECT", "INPUT:1=1 INPUT:2=1 INPUT:P=1"},
    {"tcp-flags mask and comparison", "filter", IN, "-A INPUT -p tcp --tcp-flags SYN,ACK SYN,ACK -j DROP", {"tcp 192.0.2.9:1 > 192.0.2.1:22 flags=SA", "tcp 192.0.2.9:1 > 192.0.2.1:22 flags=S", "tcp 192.0.2.9:1 > 192.0.2.1:22 flags=SAP"}, "DROP ACCEPT DROP", "INPUT:1=2 INPUT:P=1"},
    {"tcp-option present", "filter", IN, "-A INPUT -p tcp --tcp-option 8 -j DROP", {"tcp 192.0.2.9:1 > 192.0.2.1:22 opt=2,8", "tcp 192.0.2.9:1 > 192.0.2.1:22 opt=2"}, "DROP ACCEPT", "INPUT:1=1 INPUT:P=1"},

    // --- fragments and protocols ---
    {"port matches fail on non-first fragments", "filter", IN, "-A INPUT -p udp --dport 53 -j DROP", {"udp 192.0.2.9:1 > 192.0.2.1:53 frag"}, "ACCEPT@INPUT:0", "INPUT:P=1"},
    {"-f matches non-first fragments", "filter", IN, "-A INPUT -f -j DROP", {"udp 192.0.2.9:1 > 192.0.2.1:53 frag", "udp 192.0.2.9:1 > 192.0.2.1:53"}, "DROP ACCEPT", "INPUT:1=1 INPUT:P=1"},
    {"-p all matches every protocol", "filter", IN, "-A INPUT -p all -j DROP", {"gre 192.0.2.9 > 192.0.2.1"}, "DROP", "INPUT:1=1"},
    {"protocol by number", "filter", IN, "-A INPUT -p 47 -j DROP", {"gre 192.0.2.9 > 192.0.2.1", "esp 192.0.2.9 > 192.0.2.1"}, "DROP ACCEPT", "INPUT:1=1 INPUT:P=1"},

    // --- conntrack ---
    {"state NEW vs ESTABLISHED", "filter", IN, "-A INPUT -m state --state ESTABLISHED -j ACCEPT\n-A INPUT -j DROP", {"tcp 192.0.2.9:1 > 192.0.2.1:22 ct=EST", "tcp 192.0.2.9:1 > 192.0.2.1:22 ct=NEW"}, "ACCEPT@INPUT:1 DROP@INPUT:2", "INPUT:1=1 INPUT:2=1"},
    {"conntrack --ctstate INVALID", "filter", IN, "-A INPUT -m conntrack --ctstate INVALID -j DROP", {"tcp 192.0.2.9:1 > 192.0.2.1:22 ct=INV", "tcp 192.0.2.9:1 > 192.0.2.1:22 ct=EST"}, "DROP ACCEPT", "INPUT:1=1 INPUT:P=1"},
    {"conntrack --ctstate DNAT from the entry's status", "filter", FWD, "-A FORWARD -m conntrack --ctstate DNAT -j ACCEPT\n-A FORWARD -j DROP", {"tcp 198.51.100.9:1 > 192.0.2.2:8080 ct=NEW ctstatus=dnat", "tcp 198.51.100.9:1 > 192.0.2.2:8080 ct=NEW"}, "ACCEPT DROP", "FORWARD:1=1 FORWARD:2=1"},
    {"conntrack --ctdir REPLY", "filter", IN, "-A INPUT -m conntrack --ctdir REPLY -j DROP", {"tcp 192.0.2.9:1 > 192.0.2.1:22 ct=EST ctdir=reply", "tcp 192.0.2.9:1 > 192.0.2.1:22 ct=EST ctdir=orig"}, "DROP ACCEPT", "INPUT:1=1 INPUT:P=1"},
    {"conntrack --ctorigdst sees the pre-DNAT address", "filter", FWD, "-A FORWARD -m conntrack --ctorigdst 203.0.113.1 -j DROP", {"tcp 198.51.100.9:1 > 192.0.2.2:8080 ct=NEW ctorig=198.51.100.9:1>203.0.113.1:80"}, "DROP", "FORWARD:1=1"},
    {"conntrack options other than --ctstate never match untracked packets", "filter", IN, "-A INPUT -m conntrack --ctproto tcp -j DROP\n-A INPUT -m conntrack --ctstate UNTRACKED -j REJECT", {"tcp 192.0.2.9:1 > 192.0.2.1:22 ct=UNTRACKED"}, "REJECT@INPUT:2", "INPUT:2=1"},
    {"connmark does not match without a conntrack entry", "filter", IN, "-A INPUT -m connmark --mark 0x0 -j DROP", {"tcp 192.0.2.9:1 > 192.0.2.1:22 ct=UNTRACKED", "tcp 192.0.2.9:1 > 192.0.2.1:22 ct=EST"}, "ACCEPT DROP", "INPUT:1=1 INPUT:P=1"},

    // --- stateful matches ---
    {"limit: burst, then refill by time", "filter", IN, "-A INPUT -m limit --limit 1/sec --limit-burst 2 -j ACCEPT\n-A INPUT -j DROP", {"icmp 192.0.2.9 > 192.0.2.1 type=8 t=0", "icmp 192.0.2.9 > 192.0.2.1 type=8 t=0", "icmp 192.0.2.9 > 192.0.2.1 type=8 t=0.5", "icmp 192.0.2.9 > 192.0.2.1 type=8 t=1.5"}, "ACCEPT ACCEPT DROP ACCEPT", "INPUT:1=3 INPUT:2=1"},
    {"limit is not consulted when an earlier match fails", "filter", IN, "-A INPUT -p udp -m limit --limit 1/hour --limit-burst 1 -j ACCEPT\n-A INPUT -j DROP", {"tcp 192.0.2.9:1 > 192.0.2.1:22 t=0", "udp 192.0.2.9:1 > 192.0.2.1:53 t=0", "udp 192.0.2.9:1 > 192.0.2.1:53 t=1"}, "DROP ACCEPT DROP", "INPUT:1=1 INPUT:2=2"},
    // The kernel tests a rule's matches in order: a stateful match before a failing one still
    // changes its state. An engine that tested the later match first (the compiled engine
    // narrowing its box by it) would keep the token and accept the second packet.
    {"a stateful match changes its state even when a later match fails", "filter", IN, "-A INPUT -p tcp -m limit --limit 1/hour --limit-burst 1 -m tcp --dport 80 -j ACCEPT\n-A INPUT -j DROP", {"tcp 192.0.2.9:1 > 192.0.2.1:443 t=0", "tcp 192.0.2.9:1 > 192.0.2.1:80 t=1"}, "DROP@INPUT:2 DROP@INPUT:2", "INPUT:2=2"},
    {"hashlimit keeps one bucket per source", "filter", IN, "-A INPUT -m hashlimit --hashlimit-upto 1/min --hashlimit-burst 1 --hashlimit-mode srcip --hashlimit-name t -j ACCEPT\n-A INPUT -j DROP", {"udp 192.0.2.9:1 > 192.0.2.1:53 t=0", "udp 192.0.2.9:1 > 192.0.2.1:53 t=1", "udp 192.0.2.10:1 > 192.0.2.1:53 t=1"}, "ACCEPT DROP ACCEPT", "INPUT:1=2 INPUT:2=1"},
    {"same-name hashlimit rules share the first loaded rule's rate and burst", "filter", IN, "-A INPUT -m hashlimit --hashlimit-above 1000/sec --hashlimit-burst 5 --hashlimit-mode srcip --hashlimit-name s -j DROP\n-A INPUT -m hashlimit --hashlimit-above 1/min --hashlimit-burst 1 --hashlimit-mode dstip --hashlimit-name s -j DROP\n-A INPUT -j ACCEPT", {"udp 192.0.2.9:1 > 192.0.2.1:53 t=0", "udp 192.0.2.9:1 > 192.0.2.1:53 t=1"}, "ACCEPT ACCEPT", "INPUT:3=2"},
    {"hashlimit-above inverts", "filter", IN, "-A INPUT -m hashlimit --hashlimit-above 1/min --hashlimit-burst 1 --hashlimit-name a -j DROP", {"udp 192.0.2.9:1 > 192.0.2.1:53 t=0", "udp 192.0.2.9:1 > 192.0.2.1:53 t=1"}, "ACCEPT DROP", "INPUT:1=1 INPUT:P=1"},
    {"recent: --set then --rcheck with hitcount", "filter", IN, "-A INPUT -p tcp --dport 22 -m recent --set --name ssh\n-A INPUT -p tcp --dport 22 -m recent --rcheck --seconds 60 --hitcount 3 --name ssh -j DROP", {"tcp 192.0.2.9:1 > 192.0.2.1:22 t=0", "tcp 192.0.2.9:1 > 192.0.2.1:22 t=1", "tcp 192.0.2.9:1 > 192.0.2.1:22 t=2", "tcp 192.0.2.8:1 > 192.0.2.1:22 t=3"}, "ACCEPT ACCEPT DROP ACCEPT", "INPUT:1=4 INPUT:2=1 INPUT:P=3"},
    {"recent: old hits fall out of --seconds", "filter", IN, "-A INPUT -m recent --set --name w\n-A INPUT -m recent --rcheck --seconds 10 --hitcount 2 --name w -j DROP", {"udp 192.0.2.9:1 > 192.0.2.1:53 t=0", "udp 192.0.2.9:1 > 192.0.2.1:53 t=20", "udp 192.0.2.9:1 > 192.0.2.1:53 t=21"}, "ACCEPT ACCEPT DROP", "INPUT:1=3 INPUT:2=1 INPUT:P=2"},
    // --- time, on the packet's timestamp (UTC): Mon 2024-03-04 10:30 and 23:30, Tue 00:30, Sat 03-09 12:00, Thu 02-29 12:00 ---
    {"time: office hours on weekdays", "filter", IN, "-A INPUT -m time --timestart 09:00 --timestop 17:00 --weekdays Mon,Tue,Wed,Thu,Fri -j ACCEPT\n-A INPUT -j DROP", {"udp 192.0.2.9:1 > 192.0.2.1:53 t=1709548200", "udp 192.0.2.9:1 > 192.0.2.1:53 t=1709595000", "udp 192.0.2.9:1 > 192.0.2.1:53 t=1709985600"}, "ACCEPT DROP DROP", "INPUT:1=1 INPUT:2=2"},
    {"time: a range past midnight; its small hours are the next day's", "filter", IN, "-A INPUT -m time --timestart 23:00 --timestop 01:00 --weekdays Mon -j ACCEPT\n-A INPUT -j DROP", {"udp 192.0.2.9:1 > 192.0.2.1:53 t=1709548200", "udp 192.0.2.9:1 > 192.0.2.1:53 t=1709595000", "udp 192.0.2.9:1 > 192.0.2.1:53 t=1709598600"}, "DROP ACCEPT DROP", "INPUT:1=1 INPUT:2=2"},
    {"time: --contiguous keeps the small hours on the day the range began", "filter", IN, "-A INPUT -m time --timestart 23:00 --timestop 01:00 --weekdays Mon --contiguous -j ACCEPT\n-A INPUT -j DROP", {"udp 192.0.2.9:1 > 192.0.2.1:53 t=1709548200", "udp 192.0.2.9:1 > 192.0.2.1:53 t=1709595000", "udp 192.0.2.9:1 > 192.0.2.1:53 t=1709598600"}, "DROP ACCEPT ACCEPT", "INPUT:1=2 INPUT:2=1"},
    {"time: month days, a leap day among them, and their negation", "filter", IN, "-A INPUT -m time --monthdays 29 -j ACCEPT\n-A INPUT -m time ! --monthdays 4,5 -j DROP", {"udp 192.0.2.9:1 > 192.0.2.1:53 t=1709208000", "udp 192.0.2.9:1 > 192.0.2.1:53 t=1709548200", "udp 192.0.2.9:1 > 192.0.2.1:53 t=1709985600"}, "ACCEPT ACCEPT DROP", "INPUT:1=1 INPUT:2=1 INPUT:P=1"},
    {"time: dates bound the seconds since the epoch, both ends included", "filter", IN, "-A INPUT -m time --datestart 2024-03-04T10:30:00 --datestop 2024-03-05 -j ACCEPT\n-A INPUT -j DROP", {"udp 192.0.2.9:1 > 192.0.2.1:53 t=1709548200", "udp 192.0.2.9:1 > 192.0.2.1:53 t=1709595000", "udp 192.0.2.9:1 > 192.0.2.1:53 t=1709598600", "udp 192.0.2.9:1 > 192.0.2.1:53 t=1709208000"}, "ACCEPT ACCEPT DROP DROP", "INPUT:1=2 INPUT:2=2"},
    {"recent: --rcheck without an entry does not match", "filter", IN, "-A INPUT -m recent --rcheck --name none -j DROP", {"udp 192.0.2.9:1 > 192.0.2.1:53"}, "ACCEPT", "INPUT:P=1"},
    {"recent: --remove deletes the entry", "filter", IN, "-A INPUT -p udp -m recent --set --name r\n-A INPUT -p tcp -m recent --remove --name r\n-A INPUT -p icmp -m recent --rcheck --name r -j DROP", {"udp 192.0.2.9:1 > 192.0.2.1:53", "icmp 192.0.2.9 > 192.0.2.1 type=8", "tcp 192.0.2.9:1 > 192.0.2.1:22", "icmp 192.0.2.9 > 192.0.2.1 type=8"}, "ACCEPT DROP ACCEPT ACCEPT", "INPUT:1=1 INPUT:2=1 INPUT:3=1 INPUT:P=3"},
    {"statistic nth: every third packet", "filter", IN, "-A INPUT -m statistic --mode nth --every 3 --packet 0 -j DROP", {"udp 192.0.2.9:1 > 192.0.2.1:53", "udp 192.0.2.9:1 > 192.0.2.1:53", "udp 192.0.2.9:1 > 192.0.2.1:53", "udp 192.0.2.9:1 > 192.0.2.1:53"}, "ACCEPT ACCEPT DROP ACCEPT", "INPUT:1=1 INPUT:P=3"},
    {"statistic random with probability 1 and 0", "filter", IN, "-A INPUT -p udp -m statistic --mode random --probability 1.0 -j DROP\n-A INPUT -p tcp -m statistic --mode random --probability 0.0 -j DROP", {"udp 192.0.2.9:1 > 192.0.2.1:53", "tcp 192.0.2.9:1 > 192.0.2.1:22"}, "DROP ACCEPT", "INPUT:1=1 INPUT:P=1"},
    {"connlimit counts distinct connections per source", "filter", IN, "-A INPUT -p tcp -m connlimit --connlimit-above 2 -j REJECT", {"tcp 192.0.2.9:1 > 192.0.2.1:22 ct=NEW", "tcp 192.0.2.9:2 > 192.0.2.1:22 ct=NEW", "tcp 192.0.2.9:1 > 192.0.2.1:22 ct=EST", "tcp 192.0.2.9:3 > 192.0.2.1:22 ct=NEW"}, "ACCEPT ACCEPT ACCEPT REJECT", "INPUT:1=1 INPUT:P=3"},
    {"nfacct always matches", "filter", IN, "-A INPUT -m nfacct --nfacct-name seen -j DROP", {"udp 192.0.2.9:1 > 192.0.2.1:53"}, "DROP", "INPUT:1=1"},

    // --- other matches ---
    {"addrtype --dst-type LOCAL", "filter", OUT, "-A OUTPUT -m addrtype --dst-type LOCAL -j DROP", {"tcp 192.0.2.1:1 > 192.0.2.1:22 out=lo", "tcp 192.0.2.1:1 > 127.0.0.5:22 out=lo", "tcp 192.0.2.1:1 > 198.51.100.1:22 out=eth0"}, "DROP DROP ACCEPT", "OUTPUT:1=2 OUTPUT:P=1"},
    {"addrtype --dst-type BROADCAST", "filter", IN, "-A INPUT -m addrtype --dst-type BROADCAST -j DROP", {"udp 192.0.2.9:68 > 255.255.255.255:67 in=eth0", "udp 192.0.2.9:68 > 192.0.2.255:67 in=eth0", "udp 192.0.2.9:68 > 192.0.2.1:67 in=eth0"}, "DROP DROP ACCEPT", "INPUT:1=2 INPUT:P=1"},
    {"owner --uid-owner in OUTPUT", "filter", OUT, "-A OUTPUT -m owner --uid-owner 1000 -j DROP", {"tcp 192.0.2.1:1 > 198.51.100.1:80 out=eth0 uid=1000", "tcp 192.0.2.1:1 > 198.51.100.1:80 out=eth0 uid=0", "tcp 192.0.2.1:1 > 198.51.100.1:80 out=eth0"}, "DROP ACCEPT ACCEPT", "OUTPUT:1=1 OUTPUT:P=2"},
    {"owner: negated test holds without a socket", "filter", OUT, "-A OUTPUT -m owner ! --uid-owner 0 -j DROP", {"tcp 192.0.2.1:1 > 198.51.100.1:80 out=eth0"}, "DROP", "OUTPUT:1=1"},
    {"mac --mac-source", "filter", IN, "-A INPUT -m mac --mac-source 02:00:00:00:00:01 -j DROP", {"udp 192.0.2.9:1 > 192.0.2.1:53 mac=02:00:00:00:00:01", "udp 192.0.2.9:1 > 192.0.2.1:53 mac=02:00:00:00:00:02"}, "DROP ACCEPT", "INPUT:1=1 INPUT:P=1"},
    {"pkttype broadcast", "filter", IN, "-A INPUT -m pkttype --pkt-type broadcast -j DROP", {"udp 192.0.2.9:1 > 255.255.255.255:53 pkttype=broadcast", "udp 192.0.2.9:1 > 192.0.2.1:53"}, "DROP ACCEPT", "INPUT:1=1 INPUT:P=1"},
    {"comment always matches", "filter", IN, "-A INPUT -m comment --comment \"a \\\"b\\\" !c\" -j DROP", {"udp 192.0.2.9:1 > 192.0.2.1:53"}, "DROP", "INPUT:1=1"},
    {"set match on the destination", "filter", FWD, "-A FORWARD -m set --match-set blocked dst -j DROP", {"tcp 192.0.2.9:1 > 198.51.100.7:80", "tcp 192.0.2.9:1 > 198.51.100.8:80"}, "DROP ACCEPT", "FORWARD:1=1 FORWARD:P=1",
     "create blocked hash:net family inet\nadd blocked 198.51.100.0/29\nadd blocked 198.51.100.4/30 nomatch\nadd blocked 198.51.100.7\n"},
    {"set nomatch entries exclude", "filter", FWD, "-A FORWARD -m set --match-set nets src -j DROP", {"tcp 10.1.2.3:1 > 198.51.100.7:80", "tcp 10.9.2.3:1 > 198.51.100.7:80"}, "DROP ACCEPT", "FORWARD:1=1 FORWARD:P=1",
     "create nets hash:net family inet\nadd nets 10.0.0.0/8\nadd nets 10.9.0.0/16 nomatch\n"},
    {"policy --pol none matches plain traffic", "filter", IN, "-A INPUT -m policy --dir in --pol none -j DROP", {"udp 192.0.2.9:1 > 192.0.2.1:53"}, "DROP", "INPUT:1=1"},
    {"physdev --physdev-is-bridged only on bridged packets", "filter", FWD, "-A FORWARD -m physdev --physdev-is-bridged -j DROP", {"udp 192.0.2.9:1 > 192.0.2.1:53 physin=veth0", "udp 192.0.2.9:1 > 192.0.2.1:53"}, "DROP ACCEPT", "FORWARD:1=1 FORWARD:P=1"},

    // --- IPv6 ---
    {"ip6tables: icmpv6 type", "*filter\n-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type neighbour-solicitation -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n", IN, "",
     {"icmpv6 [2001:db8::9] > [2001:db8::1] type=135", "icmpv6 [2001:db8::9] > [2001:db8::1] type=128"}, "ACCEPT DROP", "INPUT:1=1 INPUT:2=1"},
    // TCPMSS (xt_TCPMSS): counters take the length as the rule saw it, so a rule after the target counts the grown segment.
    {"TCPMSS --set-mss lowers the MSS option and never raises it; a later tcpmss match reads it", "mangle", FWD,
     "-A FORWARD -p tcp -j TCPMSS --set-mss 1000\n-A FORWARD -p tcp -m tcpmss --mss 1000\n-A FORWARD -p tcp -m tcpmss --mss 900",
     {"tcp 192.0.2.9:1 > 198.51.100.1:80 flags=S mss=1460 len=44", "tcp 192.0.2.9:1 > 198.51.100.1:80 flags=S mss=900 len=44"}, "ACCEPT ACCEPT",
     "FORWARD:1=2/88 FORWARD:2=1/44 FORWARD:3=1/44 FORWARD:P=2/88"},
    {"TCPMSS adds an MSS option of at most 536 to a segment without one and without data: 4 bytes longer", "mangle", FWD,
     "-A FORWARD -p tcp -j TCPMSS --set-mss 1000\n-A FORWARD -p tcp -m tcpmss --mss 536\n-A FORWARD -p tcp -m tcpmss ! --mss 0:65535",
     {"tcp 192.0.2.9:1 > 198.51.100.1:80 flags=S len=40", "tcp 192.0.2.9:1 > 198.51.100.1:80 flags=S len=41", "tcp 192.0.2.9:1 > 198.51.100.1:80 flags=A wscale=2 len=44"},
     "ACCEPT ACCEPT ACCEPT", "FORWARD:1=3/125 FORWARD:2=2/92 FORWARD:3=1/41 FORWARD:P=3/133"},
    {"TCPMSS --clamp-mss-to-pmtu without a route (the engines alone, no host) leaves the segment as it is", "mangle", FWD,
     "-A FORWARD -p tcp -j TCPMSS --clamp-mss-to-pmtu\n-A FORWARD -p tcp -m tcpmss --mss 1460",
     {"tcp 192.0.2.9:1 > 198.51.100.1:80 flags=S mss=1460 len=44"}, "ACCEPT", "FORWARD:1=1/44 FORWARD:2=1/44 FORWARD:P=1/44"},
    {"ip6tables: TCPMSS adds an MSS option of at most 1220", "*mangle\n-A FORWARD -p tcp -j TCPMSS --set-mss 1400\n-A FORWARD -p tcp -m tcpmss --mss 1220\nCOMMIT\n", FWD, "",
     {"tcp [2001:db8::9]:1 > [2001:db8::1]:80 flags=S len=60"}, "ACCEPT", "FORWARD:1=1/60 FORWARD:2=1/64"},
    {"ip6tables: hl and prefix", "*filter\n-A INPUT -s 2001:db8::/32 -m hl --hl-eq 255 -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n", IN, "",
     {"udp [2001:db8::9]:1 > [2001:db8::1]:53 ttl=255", "udp [2001:db8::9]:1 > [2001:db8::1]:53 ttl=64", "udp [2001:db9::9]:1 > [2001:db8::1]:53 ttl=255"}, "ACCEPT DROP DROP", "INPUT:1=1 INPUT:2=2"},
    {"ip6tables: rt type 0", "*filter\n-A INPUT -m rt --rt-type 0 -j DROP\nCOMMIT\n", IN, "",
     {"udp [2001:db8::9]:1 > [2001:db8::1]:53 rt=0/1", "udp [2001:db8::9]:1 > [2001:db8::1]:53 rt=2/1", "udp [2001:db8::9]:1 > [2001:db8::1]:53"}, "DROP ACCEPT ACCEPT", "INPUT:1=1"},
    // 16 segments make a routing header of 8 + 16 * 16 = 264 bytes, past one byte's reach.
    {"ip6tables: rt length in bytes past 255", "*filter\n-A INPUT -m rt --rt-len 264 -j DROP\nCOMMIT\n", IN, "",
     {"udp [2001:db8::9]:1 > [2001:db8::1]:53 rt=4/0 sids=2001:db8::1,2001:db8::2,2001:db8::3,2001:db8::4,2001:db8::5,2001:db8::6,2001:db8::7,2001:db8::8,2001:db8::9,2001:db8::a,2001:db8::b,2001:db8::c,2001:db8::d,2001:db8::e,2001:db8::f,2001:db8::10", "udp [2001:db8::9]:1 > [2001:db8::1]:53 rt=4/0 sids=2001:db8::1"}, "DROP ACCEPT", "INPUT:1=1"},
};
// clang-format on

void PrintTo(const EngineCase& c, std::ostream* os) { *os << c.name; }

class EngineFixture : public ::testing::TestWithParam<EngineCase> {};

TEST_P(EngineFixture, VerdictsAndCounters) {
    const EngineCase& c = GetParam();
    // A table body comes after a declaration of each built-in chain (as iptables-save writes
    // them), so every policy counts; a whole file is read as written (ChainPresence).
    std::string declarations;
    for (Hook h : builtin_hooks(c.table)) declarations += std::string(":") + hook_chain_name(h) + " ACCEPT [0:0]\n";
    std::string text = c.rules[0] == '*' ? c.rules : std::string("*") + c.table + "\n" + declarations + c.rules + "\nCOMMIT\n";
    if (c.table[0] == '*' || c.table[0] == '#') text = c.table;
    std::optional<IpsetRegistry> ipsets;
    if (c.ipsets) ipsets = IpsetRegistry::parse(c.ipsets, "ipsets");
    RulesetParseOptions opt;
    opt.source = c.name;
    opt.ipsets = ipsets ? &*ipsets : nullptr;
    Ruleset rs = parse_ruleset(text, opt);
    ASSERT_EQ(rs.tables.size(), 1u) << text;

    BasicHostView host({*parse_ip("192.0.2.1", Family::ipv4)}, {*parse_ip("192.0.2.255", Family::ipv4)});
    const Table& t = rs.tables[0];
    // The linear engine, and the compiled one with a tree on every chain and with its defaults
    // (short chains scan boxes): each must give the expected verdicts and counters.
    for (int variant = 0; variant < 3; ++variant) {
        SCOPED_TRACE(variant == 0 ? "linear engine" : variant == 1 ? "compiled engine, trees everywhere" : "compiled engine");
        EngineState st(rs, EngineOptions{});
        LinearEngine linear(rs, host, ipsets ? &*ipsets : nullptr);
        CompiledEngineOptions copt;
        if (variant == 1) copt.index_threshold = 1;
        CompiledEngine compiled(rs, host, ipsets ? &*ipsets : nullptr, copt);
        auto run = [&](Packet& p) { return variant == 0 ? linear.run(0, c.hook, p, st) : compiled.run(0, c.hook, p, st); };

        std::istringstream expected(c.verdicts);
        for (std::size_t i = 0; i < c.packets.size(); ++i) {
            Packet p = test::packet(c.packets[i]);
            WalkResult w = run(p);
            std::string want;
            ASSERT_TRUE(expected >> want) << "missing expected verdict for packet " << i;
            auto at = want.find('@');
            EXPECT_EQ(verdict_name(w.verdict), want.substr(0, at)) << "packet " << i << ": " << c.packets[i];
            if (at != std::string::npos) {
                std::string got = t.chains[static_cast<std::size_t>(w.chain)].name + ":" + std::to_string(w.rule + 1);
                EXPECT_EQ(got, want.substr(at + 1)) << "deciding rule of packet " << i << ": " << c.packets[i];
            }
        }
        std::string extra;
        EXPECT_FALSE(expected >> extra) << "more verdicts expected than packets";

        // Every counter: the listed ones as given, all others zero.
        std::map<std::string, std::pair<std::uint64_t, std::int64_t>> want;  // key -> (packets, bytes or -1)
        std::istringstream cs(c.counters);
        std::string tok;
        while (cs >> tok) {
            auto eq = tok.find('='), slash = tok.find('/');
            std::uint64_t pk = std::stoull(tok.substr(eq + 1, slash - eq - 1));
            std::int64_t by = slash == std::string::npos ? -1 : std::stoll(tok.substr(slash + 1));
            want[tok.substr(0, eq)] = {pk, by};
        }
        for (std::size_t ci = 0; ci < t.chains.size(); ++ci) {
            auto check = [&](const std::string& key, Counters got) {
                auto it = want.find(key);
                std::uint64_t wp = it == want.end() ? 0 : it->second.first;
                EXPECT_EQ(got.packets, wp) << "packets of " << key;
                if (it != want.end() && it->second.second >= 0) {
                    EXPECT_EQ(got.bytes, static_cast<std::uint64_t>(it->second.second)) << "bytes of " << key;
                }
                if (it != want.end()) want.erase(it);
            };
            for (std::size_t ri = 0; ri < t.chains[ci].rules.size(); ++ri)
                check(t.chains[ci].name + ":" + std::to_string(ri + 1), st.rule(0, ci, ri));
            if (t.chains[ci].builtin) check(t.chains[ci].name + ":P", st.policy(0, ci));
        }
        EXPECT_TRUE(want.empty()) << "expected counters name no rule: " << (want.empty() ? "" : want.begin()->first);
    }
}

std::string case_name(const ::testing::TestParamInfo<EngineCase>& info) {
    std::string n;
    for (const char* p = info.param.name; *p; ++p) n += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
    return std::to_string(info.index) + "_" + n.substr(0, 60);
}

INSTANTIATE_TEST_SUITE_P(Cases, EngineFixture, ::testing::ValuesIn(cases), case_name);

TEST(EngineFixtures, AtLeastSixtyCases) { EXPECT_GE(cases.size(), 60u); }

// What xt_TCPMSS drops (tcpmss_mangle_packet returns -1) or leaves, on packets the description
// language does not write: a TCP header cut short, a path MTU no larger than the headers, a
// header already at 60 bytes, a later fragment.
TEST(EngineTcpmss, DropsOrLeavesWhatTheKernelDoes) {
    RewriteTarget set;
    set.kind = RewriteTarget::Kind::tcpmss_set;
    set.value = 1000;
    RewriteTarget clamp;
    clamp.kind = RewriteTarget::Kind::tcpmss_clamp;
    const Packet syn = test::packet("tcp 192.0.2.9:1 > 198.51.100.1:80 flags=S mss=1460 len=44");
    Packet p = syn;
    p.l4_present = false;
    EXPECT_FALSE(apply_tcpmss(set, p)) << "a TCP header cut short is dropped";
    p = syn;
    p.path_mtu = 40;  // IPv4's 20 and TCP's 20: nothing left for an MSS
    EXPECT_FALSE(apply_tcpmss(clamp, p));
    p.path_mtu = 41;
    EXPECT_TRUE(apply_tcpmss(clamp, p));
    EXPECT_EQ(p.tcp_option_bytes[2] << 8 | p.tcp_option_bytes[3], 1);
    p = syn;
    p.path_mtu = 65535u + 40;  // an IPv6 route's largest MTU on an IPv4 packet: the MSS field's largest value at most
    EXPECT_TRUE(apply_tcpmss(clamp, p));
    EXPECT_EQ(p.tcp_option_bytes[2] << 8 | p.tcp_option_bytes[3], 1460);
    p = syn;
    p.fragment = true;
    p.l4_present = false;
    EXPECT_TRUE(apply_tcpmss(set, p)) << "a later fragment has no TCP header to rewrite";
    const std::uint8_t nops[40] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                                   1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    p = test::packet("tcp 192.0.2.9:1 > 198.51.100.1:80 flags=S len=80");
    p.set_tcp_option_bytes(nops, 40);
    EXPECT_TRUE(apply_tcpmss(set, p));
    EXPECT_EQ(p.length, 80u) << "a 60-byte header has no room for the option";
    EXPECT_EQ(p.tcp_header_len, 60);
}

TEST(EngineRandom, StatisticRandomIsDeterministicForASeed) {
    Ruleset rs = parse_ruleset("*filter\n-A INPUT -m statistic --mode random --probability 0.5 -j DROP\nCOMMIT\n", {});
    BasicHostView host;
    auto run = [&](std::uint64_t seed) {
        EngineState st(rs, EngineOptions{seed, 250});
        LinearEngine e(rs, host);
        std::string pattern;
        for (int i = 0; i < 200; ++i) {
            Packet p = test::packet("udp 192.0.2.9:1 > 192.0.2.1:53");
            pattern += e.run(0, Hook::input, p, st).verdict == Verdict::drop ? 'D' : 'A';
        }
        EXPECT_TRUE(st.used_random());
        return pattern;
    };
    std::string a = run(7), b = run(7), c = run(8);
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
    auto drops = std::count(a.begin(), a.end(), 'D');
    EXPECT_GT(drops, 60);  // p = 0.5 over 200 packets: far from either bound
    EXPECT_LT(drops, 140);
}

}  // namespace
}  // namespace fwbench
