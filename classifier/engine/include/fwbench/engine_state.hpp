#pragma once
// What one table walk answers (WalkResult, RuleVisit) and what it changes (EngineState): the
// types every engine shares (classifier.hpp).
//
// State: the Ruleset is immutable and shared; everything that changes per packet (counters,
// limit/hashlimit buckets, recent lists, statistic counters, connlimit sets, nfacct counters)
// lives in an EngineState, one per independent run (one per worker).

#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "fwbench/ipset.hpp"
#include "fwbench/packet.hpp"
#include "fwbench/ruleset.hpp"
#include "fwbench/ruleset_printer.hpp"

namespace fwbench {

// tproxy: the walk ended at -j TPROXY, whose verdict (accept, the packet handed to a transparent
// socket, or drop) depends on the host's sockets: the packet path decides it. synproxy: the walk
// ended at -j SYNPROXY on a client's SYN (the path answers it) or ACK (its cookie is the host's
// secret: the path refuses it).
enum class Verdict : std::uint8_t { accept, drop, reject, queue, tproxy, synproxy };
const char* verdict_name(Verdict v);

struct WalkResult {
    Verdict verdict = Verdict::accept;
    int chain = -1;  // chain of the deciding rule, or the base chain when the policy decided
    int rule = -1;  // 0-based index of the deciding rule; -1 = the policy
    std::uint32_t rules_evaluated = 0;
    const Target* target = nullptr;  // the deciding target (nullptr: policy)
    const NatTarget* nat = nullptr;  // a NAT target decided: the mapping to set up
    bool notrack = false;  // NOTRACK / CT --notrack applied
    std::uint32_t log_events = 0;  // LOG / NFLOG / ULOG hits during the walk
};

// One rule the walk tested, for explain (a kernel TRACE, offline).
struct RuleVisit {
    int chain = -1;
    int rule = -1;  // -1: the policy
    bool matched = false;
};

struct EngineOptions {
    std::uint64_t seed = 1;  // for -m statistic --mode random (the kernel uses get_random_u32)
    unsigned hz = 250;  // jiffies per second for limit/hashlimit/recent (Debian's CONFIG_HZ)
};

// A fixed-size key for per-flow state (hashlimit buckets, connlimit connections).
using FlowKey = std::array<std::uint8_t, 40>;

// Every counter a stretch of walks bumped, in the order the walks bumped them (the flow cache
// records a packet's walks with it, docs/flow-cache.md). Fixed capacity: a walk that matches more
// rules than it holds sets `overflowed` and is not recorded, never allocated for.
struct CountLog {
    struct Entry {
        std::uint16_t table = 0, chain = 0;
        std::int32_t rule = -1;  // -1: the chain's policy decided (counted or not)
    };
    static constexpr std::size_t capacity = 48;
    Entry entries[capacity];
    std::size_t size = 0;
    bool overflowed = false;
    void add(std::size_t t, std::size_t c, std::int32_t r) {
        if (size == capacity) {
            overflowed = true;
            return;
        }
        entries[size++] = {static_cast<std::uint16_t>(t), static_cast<std::uint16_t>(c), r};
    }
    void clear() {
        size = 0;
        overflowed = false;
    }
};

// Who sends -j TEE's copies: the walk only tells it, at the TEE rule, the packet as the walk holds
// it then; the packet path sends the copy at once (its walks of OUTPUT and POSTROUTING come
// before the rest of this walk, as nf_dup_ipv4 sends it from within the target).
class Duplicator {
public:
    virtual void duplicate(const TeeTarget& tee, const Packet& now) = 0;

protected:
    ~Duplicator() = default;
};

// The datagram a packet is, as the hook holds it: Packet::bytes with what the path and the walk
// have changed since (addresses, ports, TTL, TOS, TCP options; the checksums redone) written in.
// Implemented above the engines, by the floor that reads and writes datagrams (the capture
// floor's DatagramRewriter); the view it returns lasts until the next call. What -m string,
// -m u32 and -m bpf read.
class DatagramView {
public:
    // Empty: the packet has no bytes, or they do not hold the datagram its fields describe.
    virtual std::span<const std::uint8_t> now(const Packet& p) = 0;
    // The datagram of an answer the host builds whole (a RST, a SYN-ACK, an echo reply, an ICMP
    // error), from its fields and, where it quotes or echoes, from `cause` as the hook holds it
    // now: what the answer's Packet::bytes are while it is walked. Calls nest as answers do (an
    // answer's walk may answer in turn); each lasts until its end_answer(). Empty: the answer
    // is of a kind not written, or it quotes a cause without bytes.
    virtual std::span<const std::uint8_t> begin_answer(const Packet& answer, std::uint32_t icmp_info, const Packet& cause) = 0;
    virtual void end_answer() = 0;

protected:
    ~DatagramView() = default;
};

// Per-run mutable state: counters and the state of stateful matches.
class EngineState : public CounterSource {
public:
    EngineState(const Ruleset& rs, const EngineOptions& opt);

    Counters rule(std::size_t t, std::size_t c, std::size_t r) const override { return rules_[t][c][r]; }
    Counters policy(std::size_t t, std::size_t c) const override { return policies_[t][c]; }
    void count_rule(std::size_t t, std::size_t c, std::size_t r, std::uint32_t bytes) {
        auto& k = rules_[t][c][r];
        ++k.packets;
        k.bytes += bytes;
        if (count_log) count_log->add(t, c, static_cast<std::int32_t>(r));
    }
    // A base chain iptables-nft created for a rule command decides by its policy but has no
    // policy counter (ChainPresence::uncounted): its count stays zero, as the kernel's does.
    void count_policy(std::size_t t, std::size_t c, std::uint32_t bytes) {
        if (count_log) count_log->add(t, c, -1);
        if (!policy_counted_[t][c]) return;
        auto& k = policies_[t][c];
        ++k.packets;
        k.bytes += bytes;
    }
    const std::map<std::string, Counters>& nfacct() const { return nfacct_; }
    // Adds another state's rule, policy and nfacct counters to these (workers' counters merged;
    // the other state must be of the same ruleset). Stateful match state is not merged.
    void add_counters(const EngineState& other);
    bool used_random() const { return used_random_; }

    // --- stateful match state (used by match evaluation) ---
    // The jiffies between two packets are known from capture timestamps only to within one: the
    // kernel's jiffy boundaries fall at a phase the capture does not record. A decision that the
    // other count would have turned is `unsettled` (counted, for the report to name).
    struct LimitState {
        bool started = false;
        std::uint64_t prev = 0;  // jiffies
        std::uint64_t prev_ns = 0;  // the timestamp prev was taken at
        std::uint32_t credit = 0;
        std::uint64_t unsettled = 0;
    };
    // xt_hashlimit's dsthash_ent: its expiry and rateinfo, as the table's settings made it.
    struct HashBucket {
        std::uint64_t expires = 0;  // jiffies
        std::uint64_t prev = 0;  // jiffies of the last refill (or window start)
        std::uint64_t prev_ns = 0;  // the timestamp prev was taken at
        std::uint64_t credit = 0, credit_cap = 0, cost = 0;  // token bucket (byte mode: cap counts refills)
        std::uint64_t current_rate = 0, rate = 0, burst = 0;  // rate match: this window's count, the limits
        std::uint32_t interval = 0;  // rate match: the window, seconds
        bool prev_window = false;  // rate match: the last window went over the rate
    };
    struct HashTable {
        const HashLimitMatch* config = nullptr;  // the first rule with this name sets it
        std::map<FlowKey, HashBucket> buckets;
        std::uint64_t unsettled = 0;
    };
    struct RecentEntry {
        std::vector<std::uint64_t> stamps;  // jiffies, circular
        std::size_t index = 0;
        std::uint8_t ttl = 0;
        std::uint64_t last = 0;
    };
    struct RecentTable {
        bool mask_set = false;  // the first rule that uses the table sets its --mask
        IpAddr mask;
        std::size_t stamp_capacity = 32;  // roundup_pow_of_two(max(ip_pkt_list_tot, hitcounts))
        std::map<IpAddr, RecentEntry> entries;
    };

    std::unordered_map<const Match*, LimitState> limits;
    std::map<std::string, HashTable> hashlimits;
    std::map<std::string, RecentTable> recent;
    std::unordered_map<const Match*, std::uint32_t> nth_counters;
    std::unordered_map<const Match*, std::uint64_t> quotas;  // bytes left, from the rule's --quota
    // Decisions of matches decided by a named assumption (HostStateMatch), per match.
    std::unordered_map<const Match*, std::uint64_t> assumed_decisions;
    // Decisions of targets decided by a named assumption (the packet path's, for -j TPROXY's
    // transparent sockets), per target, with the assumption's words.
    struct AssumedTargetDecisions {
        std::uint64_t count = 0;
        const char* assumption = nullptr;
    };
    std::unordered_map<const Target*, AssumedTargetDecisions> assumed_target_decisions;
    std::unordered_map<const Match*, std::map<IpAddr, std::set<FlowKey>>> connlimits;
    std::uint64_t next_random();
    void count_nfacct(const std::string& name, std::uint32_t bytes) {
        auto& k = nfacct_[name];
        ++k.packets;
        k.bytes += bytes;
    }

    const EngineOptions& options() const { return opt_; }

    // When set, every count is also logged there (the flow cache recording a packet's walks).
    CountLog* count_log = nullptr;
    // When set, each -j TEE the walk reaches is reported there; unset (an engine on its own), the
    // walk goes on as if the copy had been sent.
    Duplicator* duplicator = nullptr;

    // When set, -m string, -m u32 and -m bpf read the packet's bytes through it; unset (an engine on its own), or
    // for a packet without bytes, the match cannot be decided: it does not match and the decision
    // is counted in `undecided` (the packet path refuses such packets before their walk).
    DatagramView* datagram = nullptr;
    std::unordered_map<const Match*, std::uint64_t> undecided;

    // Packets an engine could not look up its own way and handed to the reference walk (rte_acl:
    // fragments and truncated headers, whose ports the kernel does not read).
    std::uint64_t reference_walks = 0;

private:
    EngineOptions opt_;
    std::vector<std::vector<std::vector<Counters>>> rules_;
    std::vector<std::vector<Counters>> policies_;
    std::vector<std::vector<char>> policy_counted_;
    std::map<std::string, Counters> nfacct_;
    std::uint64_t rng_;
    bool used_random_ = false;
};

}  // namespace fwbench
