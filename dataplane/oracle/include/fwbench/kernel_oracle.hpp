#pragma once
// The real kernel as the oracle: build a host in network namespaces, load a ruleset with
// iptables-restore, inject packets as fwbench says they arrived, and read the counters back.
//
// Topology (docs/kernel-oracle.md): a router namespace holding the host's
// interfaces, names, MACs, addresses, routes, policy rules and sysctls; one peer namespace per
// non-loopback interface, joined by a veth pair created directly inside both namespaces.
// Packets from the wire are sent as Ethernet frames from the peer end (veth runs the router's
// receive path inside send(), so counters are final when it returns); locally generated
// packets are sent from a raw IP socket inside the router namespace, then the loopback backlog
// is given time to drain.
//
// The kernel's own replies that fwbench does not model would traverse OUTPUT and change
// counters: a separate nft table, at output priority -500 (before raw), accepts the injector's
// packets (its raw socket is created under a dedicated uid) and the answers fwbench models, and
// drops every other locally generated packet. Forwarded packets never traverse OUTPUT. When the
// host lists its sockets, the router binds them, and its stack answers TCP and UDP as the
// host's would (KernelOracleOptions::stack_answers).
//
// Everything lives in namespaces held only by this object's file descriptors (netns.hpp): they
// vanish with it, and with the process however it ends (SIGKILL included), leaving nothing on the
// machine. Only the addresses of the given host are configured. Every program is started from an
// argument vector (subprocess.hpp): the host's names reach ip as the bytes they are, never a shell.

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "fwbench/host.hpp"
#include "fwbench/ipset.hpp"
#include "fwbench/kernel_trace.hpp"
#include "fwbench/ruleset_readback.hpp"
#include "fwbench/netns.hpp"
#include "fwbench/packet.hpp"
#include "fwbench/packet_path.hpp"
#include "fwbench/ruleset.hpp"
#include "fwbench/ruleset_printer.hpp"

namespace fwbench {

struct KernelOracleOptions {
    bool legacy = false;  // iptables-legacy instead of the nf_tables backend
    // `ipset save` text restored in the router namespace before the ruleset, so -m set rules
    // load and match the same sets fwbench reads (run_differential parses it for the model too).
    std::string ipsets;
    // Record which rules counted each packet from nf_tables TRACE events (kernel_trace.hpp);
    // the nf_tables backend only (iptables-legacy's TRACE goes to the kernel log).
    bool trace_packets = false;
    // Inject each packet at its timestamp relative to the first one (sleeping as needed), so that
    // rate matches (limit, hashlimit, recent --seconds) see the gaps fwbench sees. Without it
    // packets go as fast as the replay can send them.
    bool pace = false;
    // The ruleset as the user wrote it: the kernel loads this text instead of fwbench's printing
    // of its model (so iptables-nft creates the base chains the text names, and only those), and
    // its iptables-save is then compared with the model, policy for policy and rule for rule
    // (readback(), ruleset_readback.hpp). Empty: fwbench's printing is loaded, declaring only
    // the built-in chains the model says the kernel has (BuiltinChains::as_present).
    std::string ruleset_text{};
    // Keep what the router forwards: each peer listens on its end of the link, and the router's
    // interfaces do without ARP (NOARP: frames leave at once, to the router's own MAC, instead of
    // waiting for neighbours that do not exist), so take_forwarded() gets every frame that left.
    bool capture_forwarded = false;
    // The host's own stack answers (PathState::stack_answers): when the host lists its sockets,
    // the router gets the same sockets, and its stack sees the TCP and UDP delivered to it (a
    // SYN-ACK from a listener, a reset or port unreachable from a closed port). Off for a
    // capture, which holds the stack's real answers: they are replayed as local packets.
    bool stack_answers = true;
};

struct LeftFrame {
    std::string iface;  // the router interface it left through
    std::vector<std::uint8_t> frame;  // Ethernet
};

class KernelOracle {
public:
    // Whether this process can create network namespaces (root, tools present); the reason when not.
    static bool available(std::string* why_not);

    // Builds the namespaces and loads the ruleset, written in iptables-save form with every
    // built-in chain declared (iptables-nft keeps no policy counters for chains a restore file
    // only appends to); throws std::runtime_error naming the step.
    KernelOracle(const Host& host, const Ruleset& ruleset, KernelOracleOptions opt = {});
    ~KernelOracle();
    KernelOracle(const KernelOracle&) = delete;
    KernelOracle& operator=(const KernelOracle&) = delete;

    // Injects one packet: from the wire on p.in, or from a local socket.
    void inject(const Packet& p, Origin origin);
    // The same with the datagram given byte for byte (IP options, flags, whatever a test needs);
    // `p` still says where it comes from (p.in, p.pkttype, p.src_mac, p.src and p.dst for a
    // local socket's addresses).
    void inject_datagram(const Packet& p, Origin origin, const std::vector<std::uint8_t>& datagram);
    // With trace_packets: the rules and policies that counted the packets injected since the
    // last call, in the order the kernel walked them.
    std::vector<CountedRule> take_trace();
    // With capture_forwarded: the frames that left the router since the last call.
    std::vector<LeftFrame> take_forwarded();
    // iptables-save -c of the router namespace.
    std::string counters() const;
    // Rules the kernel read differently from fwbench (ruleset_text given and loaded); empty
    // when every rule agrees.
    const std::vector<ReadbackDifference>& readback() const { return readback_; }
    // What the kernel was given: "the ruleset text as written", or fwbench's printing and why.
    std::string readback_source() const {
        return opt_.ruleset_text.empty() ? "fwbench's printing of its model (no ruleset text given)" : "the ruleset text as written";
    }
    // Loads an nft ruleset (nft -f) into the router namespace, beside the iptables one.
    void load_nft(const std::string& text);
    // Sends `count` copies of a wire frame on `iface` in sendmmsg batches of 64 and returns the
    // CPU time this thread spent (user + system): veth runs the router's receive path inside the
    // send, so that is what the packets cost the kernel (the kernel-cost benchmark).
    std::uint64_t flood(const Packet& p, std::size_t count);
    // Runs a program inside the router namespace (an argument vector, no shell), `input` on its
    // standard input; returns its output (throws naming the command and its error text on failure).
    std::string run_in_router(std::vector<std::string> argv, std::string input = {}) const;
    // The router namespace itself, for what runs beside the replay (a tcpdump -i any, say).
    const NetNamespace& router_namespace() const { return *router_; }

private:
    void build(const Host& host);
    void wait_for_ipv6_links(const Host& host) const;
    void start_trace();
    void bind_host_sockets(const std::vector<HostSocket>& sockets);
    void inject_local_ipv6(const Packet& p, const std::vector<std::uint8_t>& datagram);
    std::string tool(const char* verb) const;
    void teardown();  // closes sockets, removes the namespaces; safe to call twice
    std::optional<NetNamespace> router_;
    std::vector<NetNamespace> peers_;  // one per wire, in wires_' order
    struct Wire {
        std::string iface;
        int fd = -1, listen_fd = -1;
        int ifindex = 0;
        MacAddr router_mac, peer_mac;
    };
    std::vector<Wire> wires_;
    int raw_fd_ = -1;
    int raw6_fd_ = -1;  // IPv6 rulesets: the local injector's raw IPv6 socket
    bool ipv6_ = false;  // the ruleset is IPv6: the router has IPv6, ip6tables holds the rules
    bool tee_copies_ = false;  // the ruleset has -j TEE: the output guard lets its copies leave
    bool synproxy_answers_ = false;  // the ruleset has -j SYNPROXY: the output guard lets its SYN-ACKs leave
    std::vector<int> host_sockets_;  // the host's listening sockets, in the router (stack_answers)
    bool stack_ = false;  // the router's stack sees TCP and UDP delivered to it
    std::set<std::tuple<std::uint32_t, std::uint8_t, std::uint16_t>> local_socket_keys_;  // in the sink's local_sockets set
    KernelOracleOptions opt_;
    std::unique_ptr<NftTraceListener> trace_;
    bool paced_started_ = false;
    std::vector<ReadbackDifference> readback_;
    std::uint64_t pace_first_ts_ = 0, pace_start_ns_ = 0;
};

// Differences between fwbench's counters and the kernel's, rule by rule; empty when they agree.
struct CounterDifference {
    std::string table, chain;
    int rule = 0;  // 1-based; 0 = the policy
    Counters fwbench, kernel;
    std::string text;
};
// "TABLE CHAIN rule N: fwbench P/B, kernel P/B   RULE" (N = "policy" for the policy).
std::string describe_difference(const CounterDifference& d);

// The packet as the kernel must be given it: a local packet leaves with the source routing
// chose for it (fwbench's result), a wire packet as it arrived.
Packet packet_as_sent(const Packet& p, Origin origin, const PathResult& r);

// `ipsets`: the sets the ruleset was parsed with (the kernel's dump names them too).
std::vector<CounterDifference> compare_counters(const Ruleset& rs, const CounterSource& fwbench_counters, const std::string& kernel_iptables_save,
                                                const IpsetRegistry* ipsets = nullptr);

// A packet fwbench and the kernel counted under different rules (nf_tables TRACE events).
struct PacketDifference {
    std::size_t index = 0;  // 0-based, in the order packets were sent
    std::string label;  // how the caller names it ("packet 5": capture index 5); empty: "packet index+1"
    std::string packet;  // its description (fwbench explain syntax)
    std::vector<CountedRule> fwbench, kernel;
};

struct DifferentialResult {
    std::vector<ReadbackDifference> readback;  // rules the kernel read differently (KernelOracleOptions::ruleset_text)
    std::vector<CounterDifference> counters;
    std::vector<PacketDifference> packets;  // the first max_packet_differences
    std::size_t packets_compared = 0;  // packets whose trace was compared (0: no traces)
    std::size_t packets_differing = 0;
    static constexpr std::size_t max_packet_differences = 20;
    bool agree() const { return readback.empty() && counters.empty() && packets_differing == 0; }
    // The differences, one per line, each indented by `indent`; empty when they agree.
    std::string report(const std::string& indent = "  ") const;
};

// fwbench and the kernel side by side over one stream of packets: each packet fwbench has
// processed goes to the kernel as fwbench says it was sent; on the nf_tables backend the rules
// that counted it in the kernel are compared with fwbench's at once, and finish() compares every
// counter. The caller processes packets with trace = true (counted_rules needs the visits).
class DifferentialRun {
public:
    DifferentialRun(const Host& kernel_host, const Ruleset& rs, KernelOracleOptions opt = {});
    // `label` names the packet in the report (kernel-check: its capture index, as --verdicts).
    void send(const Packet& input, Origin origin, const PathResult& r, std::string label = {});
    DifferentialResult finish(const CounterSource& fwbench_counters, const IpsetRegistry* ipsets = nullptr);
    KernelOracle& kernel() { return kernel_; }
    bool traced() const { return traced_; }

private:
    static KernelOracleOptions with_trace(KernelOracleOptions o) {
        o.trace_packets = !o.legacy;
        return o;
    }
    const Ruleset& rs_;
    bool traced_;
    KernelOracle kernel_;
    DifferentialResult result_;
};

// One differential case: packets with their origins through fwbench (on `model_host`) and
// through the kernel (built from `kernel_host`, normally the same host).
struct DifferentialCase {
    Ruleset ruleset;
    std::vector<std::pair<Packet, Origin>> packets;
};
DifferentialResult run_differential(const Host& model_host, const Host& kernel_host, const DifferentialCase& c, KernelOracleOptions opt = {});

// Shrinks a disagreeing case: drops packets, then rules, one at a time, keeping every removal
// after which fwbench and the kernel still disagree. The result still disagrees and no single
// packet or rule can be removed from it. Costs one kernel replay per attempt.
DifferentialCase shrink_disagreement(const Host& model_host, const Host& kernel_host, DifferentialCase c, KernelOracleOptions opt = {});

// A command a person can run again: the ruleset and host (and ipsets, when given) written to
// files under `dir`.
std::string reproduction(const DifferentialCase& c, const std::string& host_json, const std::string& dir, const std::string& name,
                         const std::string& ipsets = "");

}  // namespace fwbench
