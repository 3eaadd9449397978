#include "fwbench/flow_cache.hpp"

#include <algorithm>

#include "fwbench/linear_engine.hpp"
#include "fwbench/overloaded.hpp"

namespace fwbench {

namespace {

// Why a match cannot be decided from the key (flow_memo.hpp's PathKey and the connection's
// tuple, state, status and mark): nullptr when it can.
const char* why_match_not_replayable(const MatchSpec& m) {
    return std::visit(
        Overloaded{
            [](const L4PortsMatch& l) -> const char* {
                if (l.tcp_flags) return "reads the packet's TCP flags";
                if (l.tcp_option) return "reads the packet's TCP options";
                if (l.sctp_chunks) return "reads the packet's SCTP chunks";
                if (l.dccp_types || l.dccp_option) return "reads the packet's DCCP type or options";
                return nullptr;
            },
            [](const ConntrackMatch& c) -> const char* { return c.expire ? "reads the connection's remaining time (--ctexpire)" : nullptr; },
            [](const LengthMatch&) -> const char* { return "reads the packet's length"; },
            [](const LimitMatch&) -> const char* { return "keeps state across packets (limit)"; },
            [](const HashLimitMatch&) -> const char* { return "keeps state across packets (hashlimit)"; },
            [](const RecentMatch&) -> const char* { return "keeps state across packets (recent)"; },
            [](const StatisticMatch&) -> const char* { return "keeps state across packets (statistic)"; },
            [](const NfacctMatch&) -> const char* { return "keeps state across packets (nfacct)"; },
            [](const ConnlimitMatch&) -> const char* { return "keeps state across packets (connlimit)"; },
            [](const PhysdevMatch&) -> const char* { return "reads bridge ports"; },
            [](const PolicyMatch&) -> const char* { return "reads IPsec policy"; },
            [](const RtMatch&) -> const char* { return "reads IPv6 extension headers"; },
            [](const SrhMatch&) -> const char* { return "reads IPv6 extension headers"; },
            [](const ClusterMatch&) -> const char* { return "hashes the connection's original source (cluster)"; },
            [](const ConnlabelMatch&) -> const char* { return "reads or sets the connection's labels (connlabel)"; },
            [](const StringMatch&) -> const char* { return "reads the packet's bytes (string)"; },
            [](const U32Match&) -> const char* { return "reads the packet's bytes (u32)"; },
            [](const BpfMatch&) -> const char* { return "reads the packet's bytes (bpf)"; },
            [](const Ipv6HeaderMatch&) -> const char* { return "reads IPv6 extension headers"; },
            [](const FragMatch&) -> const char* { return "reads IPv6 extension headers"; },
            [](const Eui64Match&) -> const char* { return "reads IPv6 extension headers"; },
            [](const OptionsMatch&) -> const char* { return "reads IP options"; },
            [](const AhMatch&) -> const char* { return "reads the AH header"; },
            [](const EspMatch&) -> const char* { return "reads the ESP header"; },
            [](const IpcompMatch&) -> const char* { return "reads the IPComp header"; },
            [](const MhMatch&) -> const char* { return "reads the mobility header"; },
            [](const EcnMatch& e) -> const char* { return e.ece || e.cwr ? "reads the packet's TCP flags (ecn)" : nullptr; },
            [](const TcpmssMatch&) -> const char* { return "reads the packet's TCP options (tcpmss)"; },
            [](const QuotaMatch&) -> const char* { return "keeps state across packets (quota)"; },
            [](const ConnbytesMatch&) -> const char* { return "reads the connection's packet and byte counts (connbytes)"; },
            [](const TimeMatch&) -> const char* { return "reads the packet's timestamp (time)"; },
            [](const RealmMatch&) -> const char* { return "reads the realms of the packet's route and of the way back (realm)"; },
            [](const HostStateMatch&) -> const char* { return "is decided by an assumption, each decision counted for the report"; },
            // Addresses, ports, ICMP type and code, protocol, conntrack's state, status, tuples
            // and mark, address types and route checks of the host, the packet's mark, TOS,
            // TTL, type and MAC, static sets, comments: all in the key or the tuple.
            [](const auto&) -> const char* { return nullptr; },
        },
        m);
}

const char* why_target_not_replayable(const TargetSpec& t) {
    if (std::holds_alternative<RejectTarget>(t)) return "answers the packet (REJECT)";
    if (std::holds_alternative<HmarkTarget>(t)) return "sets the mark from a hash of the packet (HMARK)";
    if (std::holds_alternative<NptTarget>(t)) return "rewrites an address's prefix (SNPT, DNPT)";
    if (std::holds_alternative<TproxyTarget>(t)) return "hands the packet to a transparent socket (TPROXY), each decision counted for the report";
    if (std::holds_alternative<TeeTarget>(t)) return "sends a copy of the packet (TEE)";
    if (std::holds_alternative<SynproxyTarget>(t)) return "answers SYNs and checks ACKs' cookies (SYNPROXY)";
    if (std::holds_alternative<RewriteTarget>(t)) return "rewrites the packet (TOS, DSCP, TTL, ECN, TCPMSS, TCPOPTSTRIP, CLASSIFY, CHECKSUM, TRACE)";
    return nullptr;
}

}  // namespace

FlowRuleFacts::FlowRuleFacts(const Ruleset& rs) {
    why_.resize(rs.tables.size());
    unreplayable_.resize(rs.tables.size());
    base_.resize(rs.tables.size());
    for (std::size_t t = 0; t < rs.tables.size(); ++t) {
        const Table& table = rs.tables[t];
        why_[t].resize(table.chains.size());
        unreplayable_[t].resize(table.chains.size());
        base_[t].resize(table.chains.size());
        for (std::size_t c = 0; c < table.chains.size(); ++c) {
            base_[t][c] = rule_count_;
            const auto& rules = table.chains[c].rules;
            rule_count_ += rules.size();
            for (std::size_t r = 0; r < rules.size(); ++r) {
                const char* why = nullptr;
                for (const Match& m : rules[r].matches)
                    if (!why) why = why_match_not_replayable(m.spec);
                if (!why && rules[r].target) why = why_target_not_replayable(rules[r].target->spec);
                why_[t][c].push_back(why);
                if (why) unreplayable_[t][c].push_back(static_cast<std::uint32_t>(r));
            }
        }
    }
}

FlowRuleFacts::RuleRef FlowRuleFacts::locate(std::size_t index) const {
    for (std::size_t t = 0; t < base_.size(); ++t)
        for (std::size_t c = 0; c < base_[t].size(); ++c)
            if (index >= base_[t][c] && index < base_[t][c] + why_[t][c].size()) return {t, c, index - base_[t][c]};
    return {0, 0, 0};
}

std::span<const std::uint32_t> FlowRuleFacts::not_replayable(std::size_t t, std::size_t c, std::size_t from, std::size_t to) const {
    const auto& v = unreplayable_[t][c];
    const auto lo = std::lower_bound(v.begin(), v.end(), static_cast<std::uint32_t>(from));
    const auto hi = std::lower_bound(lo, v.end(), static_cast<std::uint32_t>(to));
    return {v.data() + (lo - v.begin()), static_cast<std::size_t>(hi - lo)};
}

bool walk_replayable(const Ruleset& rs, const FlowRuleFacts& facts, std::size_t table, int base, const CountLog& log, std::size_t from,
                     std::size_t to, const Packet& seen, std::size_t& refused) {
    refused = facts.rule_count();
    if (base < 0) return from == to;
    const Table& t = rs.tables[table];
    struct Frame {
        std::size_t chain, next;
    };
    Frame stack[16];
    std::size_t depth = 0;
    std::size_t chain = static_cast<std::size_t>(base), i = 0, k = from;
    // Rules [i, end) of the chain were tested without a match: each must have failed from the key.
    const auto tested_unmatched = [&](std::size_t end) {
        for (std::uint32_t r : facts.not_replayable(table, chain, i, end))
            if (ip_header_matches(t.chains[chain].rules[r].ip, seen)) {
                refused = facts.index(table, chain, r);
                return false;
            }
        return true;
    };
    // Each step consumes a matched rule or returns from a chain a matched jump entered.
    for (std::size_t steps = 0; steps <= 2 * (to - from) + 1; ++steps) {
        const std::size_t size = t.chains[chain].rules.size();
        const bool next_here = k < to && log.entries[k].table == table && log.entries[k].chain == chain && log.entries[k].rule >= 0 &&
                               static_cast<std::size_t>(log.entries[k].rule) >= i;
        const std::size_t m = next_here ? static_cast<std::size_t>(log.entries[k].rule) : size;
        if (!tested_unmatched(m)) return false;
        if (!next_here) {  // off the end of the chain: back to the caller, or the policy
            if (depth == 0) return k + 1 == to && log.entries[k].rule == -1 && log.entries[k].chain == static_cast<std::size_t>(base);
            --depth;
            chain = stack[depth].chain;
            i = stack[depth].next;
            continue;
        }
        ++k;
        const Rule& rule = t.chains[chain].rules[m];
        if (facts.why_not(table, chain, m)) {
            refused = facts.index(table, chain, m);
            return false;
        }
        i = m + 1;
        if (!rule.target) continue;
        const TargetSpec& spec = rule.target->spec;
        if (const auto* s = std::get_if<StandardTarget>(&spec)) {
            if (s->kind != StandardTarget::Kind::return_) return k == to;
            if (depth == 0) {  // RETURN from the base chain: its policy
                if (k + 1 != to || log.entries[k].rule != -1) return false;
                return true;
            }
            --depth;
            chain = stack[depth].chain;
            i = stack[depth].next;
        } else if (const auto* j = std::get_if<JumpTarget>(&spec)) {
            if (!j->is_goto) {
                if (depth == std::size(stack)) return false;
                stack[depth++] = {chain, m + 1};
            }
            chain = static_cast<std::size_t>(j->chain_index);
            i = 0;
        } else if (is_terminating(spec)) {
            return k == to;
        }
        // Continuing targets (MARK, CONNMARK, LOG, CT) go on with the next rule.
    }
    return false;
}

bool PathProgram::same_as(const PathProgram& o) const {
    if (hooks != o.hooks || walks.size() != o.walks.size() || counts.size() != o.counts.size() || fate != o.fate || reason != o.reason ||
        out_iface != o.out_iface || out_mtu != o.out_mtu || final_in != o.final_in || final_out != o.final_out || ttl_decrement != o.ttl_decrement ||
        final_pkttype != o.final_pkttype)
        return false;
    for (std::size_t i = 0; i < walks.size(); ++i) {
        const Walk &a = walks[i], &b = o.walks[i];
        const WalkResult &x = a.walk, &y = b.walk;
        if (a.hook != b.hook || a.table != b.table || a.in != b.in || a.out != b.out || x.verdict != y.verdict || x.chain != y.chain ||
            x.rule != y.rule || x.rules_evaluated != y.rules_evaluated || x.target != y.target || x.nat != y.nat || x.notrack != y.notrack ||
            x.log_events != y.log_events)
            return false;
    }
    for (std::size_t i = 0; i < counts.size(); ++i)
        if (counts[i].table != o.counts[i].table || counts[i].chain != o.counts[i].chain || counts[i].rule != o.counts[i].rule) return false;
    return true;
}

std::uint64_t PathProgram::hash() const {
    std::uint64_t h = 0xcbf29ce484222325ull;
    const auto mix = [&](std::uint64_t v) {
        h ^= v;
        h *= 0x100000001b3ull;
    };
    mix(static_cast<std::uint64_t>(fate) << 8 | static_cast<std::uint64_t>(reason));
    for (Hook k : hooks) mix(static_cast<std::uint64_t>(k));
    for (const Walk& w : walks)
        mix(std::uint64_t{w.table} << 40 ^ static_cast<std::uint64_t>(w.walk.chain) << 20 ^ static_cast<std::uint32_t>(w.walk.rule));
    for (const CountLog::Entry& c : counts) mix(std::uint64_t{c.table} << 48 ^ std::uint64_t{c.chain} << 32 ^ static_cast<std::uint32_t>(c.rule));
    for (char ch : final_out.chars) mix(static_cast<unsigned char>(ch));
    return h;
}

const char* flow_miss_name(FlowMiss m) {
    switch (m) {
        case FlowMiss::not_candidate: return "not_candidate";
        case FlowMiss::no_memo: return "no_memo";
        case FlowMiss::key_changed: return "key_changed";
        case FlowMiss::conntrack_changed: return "conntrack_changed";
    }
    return "?";
}

const char* flow_refusal_name(FlowRefusal r) {
    switch (r) {
        case FlowRefusal::rule: return "rule";
        case FlowRefusal::answer: return "answer";
        case FlowRefusal::fate: return "fate";
        case FlowRefusal::stack: return "stack";
        case FlowRefusal::connection: return "connection";
        case FlowRefusal::too_many_counts: return "too_many_counts";
    }
    return "?";
}

void FlowCacheStats::add(const FlowCacheStats& o) {
    replayed += o.replayed;
    walked += o.walked;
    recorded += o.recorded;
    for (std::size_t i = 0; i < flow_miss_count; ++i) misses[i] += o.misses[i];
    for (std::size_t i = 0; i < flow_refusal_count; ++i) refusals[i] += o.refusals[i];
    if (refused_by_rule.size() < o.refused_by_rule.size()) refused_by_rule.resize(o.refused_by_rule.size());
    for (std::size_t i = 0; i < o.refused_by_rule.size(); ++i) refused_by_rule[i] += o.refused_by_rule[i];
}

std::uint32_t FlowCache::generation_for(const void* path, std::size_t rule_count) {
    if (path != path_) {
        path_ = path;
        ++generation_;
        programs_.clear();
        by_hash_.clear();
        stats.refused_by_rule.assign(rule_count, 0);
    }
    return generation_;
}

std::uint32_t FlowCache::intern(const PathProgram& p) {
    const std::uint64_t h = p.hash();
    for (auto [it, end] = by_hash_.equal_range(h); it != end; ++it)
        if (programs_[it->second - 1].same_as(p)) return it->second;
    programs_.push_back(p);
    const auto id = static_cast<std::uint32_t>(programs_.size());
    by_hash_.emplace(h, id);
    return id;
}

}  // namespace fwbench
