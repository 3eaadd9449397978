#pragma once
// The flow cache: a packet whose path is already known — the same connection and direction,
// conntrack's same answer, the same key (flow_memo.hpp) — replays that path instead of walking
// it: the same walks and verdicts, every counter the walks bumped, NAT's rewrite, the route's
// device, the marks. Exact, not approximate: docs/flow-cache.md gives the argument; the tests
// compare cache on and off packet by packet.
//
// How: a packet that may be replayed (IPv4 from the wire, or the host's own with its source given;
// not a fragment, no IP options, a transport header; flow_candidate) is looked up in conntrack
// without changing it (Conntrack::find). If its direction has a memo of this path's generation,
// the key matches and the length fits the recorded way out's MTU, conntrack tracks the packet
// (its state machine, timeouts) and, when its answer is the recorded one (not a new entry, the
// same state and status bits), the program replays. Otherwise the packet walks the path,
// conntrack's answer carried into it, and the path records a new program when everything it read
// is in the key:
//  - every rule a walk tested decides from the key alone (FlowRuleFacts: no per-packet field
//    such as length, TCP flags or options, no state such as limit or recent, no rewriting or
//    answering target), or failed on its IP header part, which reads only the key and tuple;
//  - no answer was sent or withheld (ICMP errors, REJECT, the stack's, redirects: rate state);
//  - a drop was netfilter's; a delivered packet's stack answer cannot depend on its flags.
// Programs are interned: the flows that share a path share one program.
//
// Invariants: a program is immutable once interned; a memo names its path by generation, so a
// FlowCache moved to another PacketPath forgets every memo at once. The hot path (a replay)
// allocates nothing once the result's vectors have grown; recording allocates only for a new
// program.
//
// Costs: two FlowMemos in every connection (2 x 128 bytes: an entry is 440 bytes with them); per
// program its hooks, walks and counts.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "fwbench/engine_state.hpp"
#include "fwbench/fate.hpp"
#include "fwbench/flow_memo.hpp"
#include "fwbench/path_trace.hpp"
#include "fwbench/ruleset.hpp"

namespace fwbench {

// Which rules decide from a flow's key alone. Built once per ruleset.
class FlowRuleFacts {
public:
    explicit FlowRuleFacts(const Ruleset& rs);
    // Why the rule cannot be replayed from the key ("reads TCP flags", ...), nullptr when it can.
    const char* why_not(std::size_t t, std::size_t c, std::size_t r) const { return why_[t][c][r]; }
    // The rules of chain c in [from, to) that cannot, ascending.
    std::span<const std::uint32_t> not_replayable(std::size_t t, std::size_t c, std::size_t from, std::size_t to) const;
    // A dense index of every rule, for the per-rule refusal counts.
    std::size_t index(std::size_t t, std::size_t c, std::size_t r) const { return base_[t][c] + r; }
    struct RuleRef {
        std::size_t table, chain, rule;
    };
    RuleRef locate(std::size_t index) const;
    std::size_t rule_count() const { return rule_count_; }

private:
    std::vector<std::vector<std::vector<const char*>>> why_;
    std::vector<std::vector<std::vector<std::uint32_t>>> unreplayable_;
    std::vector<std::vector<std::size_t>> base_;
    std::size_t rule_count_ = 0;
};

// Whether one table walk, given the counters it bumped in order (log[from, to)), tested only
// rules that decide from the key: the linear walk's control flow is rebuilt from the matched
// rules, and each rule it tested without a match must either be replayable or have failed its IP
// header part on `seen` (the packet as walked). On refusal `refused` is the dense index of the
// rule that forbids it (or rule_count() when the log does not describe a walk).
bool walk_replayable(const Ruleset& rs, const FlowRuleFacts& facts, std::size_t table, int base, const CountLog& log, std::size_t from,
                     std::size_t to, const Packet& seen, std::size_t& refused);

// One recorded path, shared by every flow whose packets take it.
struct PathProgram {
    struct Walk {
        Hook hook = Hook::prerouting;
        std::uint32_t table = 0;
        const char* table_name = "";
        IfaceName in, out;
        WalkResult walk;
    };
    std::vector<Hook> hooks;
    std::vector<Walk> walks;
    std::vector<CountLog::Entry> counts;
    Fate fate = Fate::dropped;
    DropReason reason = DropReason::none;
    IfaceName out_iface;  // PathResult::out_iface
    unsigned out_mtu = 0;
    IfaceName final_in, final_out;  // the finished packet's devices
    PktType final_pkttype = PktType::host;  // the host's own packets: outgoing, or host back over lo
    std::uint8_t ttl_decrement = 0;

    bool same_as(const PathProgram& o) const;
    std::uint64_t hash() const;
};

// Why a packet did not replay, or why its path was not recorded.
enum class FlowMiss : std::uint8_t {
    not_candidate,  // IPv6, a fragment, IP options, no transport header, tracing, cache off
    no_memo,  // its direction has nothing recorded (a first packet, or never recordable)
    key_changed,  // in device, mark, TOS, TTL, ICMP code, MAC, the entry's mark, or too long for the way out
    conntrack_changed,  // a new entry, another state or status (SEEN_REPLY, ASSURED), INVALID
};
constexpr std::size_t flow_miss_count = 4;
const char* flow_miss_name(FlowMiss m);

enum class FlowRefusal : std::uint8_t {
    rule,  // a tested rule reads more than the key (FlowRuleFacts::why_not names it)
    answer,  // an answer was sent or withheld (rate state), or a redirect
    fate,  // a drop outside netfilter, rejected, held, or too long for the way out
    stack,  // delivered where the stack's answer depends on the packet's flags
    connection,  // no entry, a new one, RELATED or INVALID
    too_many_counts,  // more rules matched than a program records
};
constexpr std::size_t flow_refusal_count = 6;
const char* flow_refusal_name(FlowRefusal r);

struct FlowCacheStats {
    std::uint64_t replayed = 0, walked = 0, recorded = 0;
    std::uint64_t misses[flow_miss_count] = {};
    std::uint64_t refusals[flow_refusal_count] = {};
    std::vector<std::uint64_t> refused_by_rule;  // by FlowRuleFacts::index
    void add(const FlowCacheStats& o);
};

// One run's cache (in PathState): the interned programs and the tallies.
class FlowCache {
public:
    bool enabled = true;
    FlowCacheStats stats;

    // The generation memos of `path` must carry; a cache first used by another path (or none)
    // forgets its programs and starts a new generation.
    std::uint32_t generation_for(const void* path, std::size_t rule_count);
    std::uint32_t intern(const PathProgram& p);  // 1-based id
    const PathProgram& program(std::uint32_t id) const { return programs_[id - 1]; }

    // Recording's scratch, reused packet after packet: one walk's counts, and the program being
    // recorded (its counts gathered walk by walk).
    CountLog log;
    PathProgram scratch;

private:
    const void* path_ = nullptr;
    std::uint32_t generation_ = 0;
    std::vector<PathProgram> programs_;
    std::unordered_multimap<std::uint64_t, std::uint32_t> by_hash_;
};

}  // namespace fwbench
