// The packet path's side of the flow cache (flow_cache.hpp, docs/flow-cache.md): which packets may
// replay, the replay itself, and recording a walked packet's path when all it read is in the key.

#include "path_context.hpp"

namespace fwbench {

using namespace path_detail;

namespace {

std::size_t at(FlowMiss m) { return static_cast<std::size_t>(m); }
std::size_t at(FlowRefusal r) { return static_cast<std::size_t>(r); }

}  // namespace

// IPv4 from the wire, or the host's own with its source given (routing does not choose it), with a
// transport header and nothing the key leaves out: no fragment (defrag keeps state), no IP options
// (routing reads them), no ICMP error (RELATED, and its quote is not in the key), not bridged or
// decapsulated. Header matches that can hotdrop read more than the key.
bool PacketPath::flow_candidate(const Packet& p, Origin origin, const PathState& st, bool trace) const {
    const bool source_given = origin == Origin::wire || !unspecified(p.src);
    return st.flow_cache.enabled && !trace && source_given && conntrack_active_ && hotdrop_matches_.empty() && p.family == Family::ipv4 &&
           rs_.family == Family::ipv4 && !p.is_fragment() && !p.frag_max_size && p.ip_header_len == 20 && p.l4_present && !p.icmp_quoted.present &&
           !p.bridged && !p.ipsec_in;
}

bool PacketPath::replay_flow(const Packet& p, Origin origin, PathState& st, PathResult& res, const CtLookahead* ahead,
                             std::optional<CtAttachment>& tracked) const {
    FlowCache& flows = st.flow_cache;
    const std::uint32_t generation = flows.generation_for(this, flow_facts_.rule_count());
    const auto miss = [&](FlowMiss why) {
        ++flows.stats.misses[at(why)];
        return false;
    };
    const CtEntryRef found = ahead ? st.conntrack.find(p, *ahead) : st.conntrack.find(p);
    Connection* const conn = found.conn();
    const CtDir dir = found.dir();
    if (!conn) return miss(FlowMiss::no_memo);
    FlowMemo& memo = conn->memo[static_cast<int>(dir)];
    if (!memo.program || memo.generation != generation) return miss(FlowMiss::no_memo);
    const PathProgram& program = flows.program(memo.program);
    if (!(memo.key == path_key_of(p, origin == Origin::local)) || conn->mark != memo.ctmark_in || (program.out_mtu && p.length > program.out_mtu))
        return miss(FlowMiss::key_changed);
    // Conntrack sees the packet now, before raw's walk (PREROUTING, or OUTPUT for the host's own):
    // raw's rules see no entry and change none, and the recorded raw walk (which the key decides)
    // accepted without NOTRACK.
    CtAttachment ct = st.conntrack.classify(p, found);
    if (ct.conn.get() != conn || ct.dir != dir || ct.is_new || ct.state != memo.state || conn->status != memo.status) {
        tracked = std::move(ct);
        return miss(FlowMiss::conntrack_changed);
    }
    // Every field of the result, as reset() and the walk would leave them (trace, answers and the
    // drop's detail stay empty on a recorded path).
    res.walks.clear();
    res.trace.clear();
    res.answers.clear();
    res.detail = DropDetail{};
    res.source = origin == Origin::local ? p.src : IpAddr{};  // output routing keeps a given source
    res.fate = program.fate;
    res.reason = program.reason;
    res.out_iface = program.out_iface;
    res.out_mtu = program.out_mtu;
    res.ct_state = ct.state;
    res.hooks.assign(program.hooks.begin(), program.hooks.end());
    for (const PathProgram::Walk& w : program.walks) {
        HookWalk& h = res.walks.emplace_back();
        h.hook = w.hook;
        h.table = w.table;
        h.table_name = w.table_name;
        h.walk = w.walk;
        h.in = w.in;
        h.out = w.out;
    }
    for (const CountLog::Entry& e : program.counts) {
        if (e.rule < 0) st.engine.count_policy(e.table, e.chain, p.length);
        else st.engine.count_rule(e.table, e.chain, static_cast<std::size_t>(e.rule), p.length);
    }
    conn->mark = memo.ctmark_out;
    Packet& out = res.final_packet;
    out = p;
    out.src = memo.src;
    out.dst = memo.dst;
    out.sport = memo.sport;
    out.dport = memo.dport;
    out.mark = memo.mark;
    out.ttl = static_cast<std::uint8_t>(out.ttl - program.ttl_decrement);
    out.in = program.final_in;
    out.out = program.final_out;
    out.pkttype = program.final_pkttype;
    Conntrack::describe(ct, out);
    ++flows.stats.replayed;
    return true;
}

void PacketPath::refuse_flow(Ctx& c, FlowRefusal why, std::size_t rule) const {
    if (!c.recording) return;
    c.recording = false;
    FlowCacheStats& stats = c.st.flow_cache.stats;
    ++stats.refusals[at(why)];
    if (why == FlowRefusal::rule && rule < stats.refused_by_rule.size()) ++stats.refused_by_rule[rule];
}

void PacketPath::record_flow(Ctx& c) const {
    FlowCache& flows = c.st.flow_cache;
    const PathResult& res = c.res;
    if (!c.memo_ready || !c.ct.conn || !c.ct.conn->confirmed) return refuse_flow(c, FlowRefusal::connection);
    if (!res.answers.empty() || c.redirect) return refuse_flow(c, FlowRefusal::answer);
    switch (res.fate) {
        case Fate::forwarded:
            if (res.out_mtu && c.p.length > res.out_mtu) return refuse_flow(c, FlowRefusal::fate);
            break;
        case Fate::delivered:
            // The stack answers a TCP segment for no socket's connection by its flags (a SYN, an
            // ACK, a RST): only one a socket holds gets the same (no) answer whatever it carries.
            if (c.st.stack_answers && host_.sockets() && c.p.proto == proto::tcp &&
                !c.st.stack_connections.has(proto::tcp, c.p.dst, c.p.dport, c.p.src, c.p.sport))
                return refuse_flow(c, FlowRefusal::stack);
            break;
        case Fate::dropped:
            if (res.reason != DropReason::netfilter) return refuse_flow(c, FlowRefusal::fate);
            break;
        case Fate::queued:
        case Fate::sent: break;
        case Fate::rejected:
        case Fate::held: return refuse_flow(c, FlowRefusal::fate);
    }
    // The program is built in the cache's scratch (its counts already logged walk by walk) and
    // interned: a path seen before allocates nothing.
    PathProgram& program = flows.scratch;
    program.hooks = res.hooks;
    program.walks.clear();
    for (const HookWalk& w : res.walks) program.walks.push_back({w.hook, static_cast<std::uint32_t>(w.table), w.table_name, w.in, w.out, w.walk});
    program.fate = res.fate;
    program.reason = res.reason;
    program.out_iface = res.out_iface;
    program.out_mtu = res.out_mtu;
    program.final_in = c.p.in;
    program.final_out = c.p.out;
    program.final_pkttype = c.p.pkttype;
    program.ttl_decrement = static_cast<std::uint8_t>(c.key.ttl - c.p.ttl);
    Connection& conn = *c.ct.conn;
    FlowMemo& memo = conn.memo[static_cast<int>(c.ct.dir)];
    memo.program = flows.intern(program);
    memo.generation = flows.generation_for(this, flow_facts_.rule_count());
    memo.key = c.key;
    memo.state = c.memo_state;
    memo.status = c.memo_status;
    memo.ctmark_in = c.memo_ctmark;
    memo.ctmark_out = conn.mark;
    memo.src = c.p.src;
    memo.dst = c.p.dst;
    memo.sport = c.p.sport;
    memo.dport = c.p.dport;
    memo.mark = c.p.mark;
    ++flows.stats.recorded;
}

}  // namespace fwbench
