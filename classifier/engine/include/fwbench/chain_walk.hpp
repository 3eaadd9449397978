#pragma once
// The chain walk both engines share: ipt_do_table's jumps, gotos, RETURNs, policies, counters
// and target effects. The engines differ only in how they find the next rule that may match
// (`next_candidate(chain, i)`: the first rule at or after i worth testing, the linear engine
// says i itself) and how they test it (`matches(chain, i, rule)`).
//
// `base` is the built-in chain of the hook in `t`, or -1 when the table has none.
// `Stack` holds the return points of jumps: InlineStack for the linear engine (no allocation
// unless jumps nest deeper than its inline frames), a fixed array for the compiled one (which
// refuses deeper rulesets at construction).

#include <vector>

#include "fwbench/linear_engine.hpp"
#include "fwbench/npt.hpp"

namespace fwbench::detail {

struct Frame {
    int chain;
    std::size_t next;
};

// Return points kept inline up to `inline_frames` deep, on the heap beyond: any depth walks, and
// ordinary rulesets never allocate.
template <std::size_t inline_frames>
class InlineStack {
public:
    bool empty() const { return size_ == 0; }
    void push_back(const Frame& f) {
        if (size_ < inline_frames) frames_[size_] = f;
        else spill_.push_back(f);
        ++size_;
    }
    const Frame& back() const { return size_ <= inline_frames ? frames_[size_ - 1] : spill_.back(); }
    void pop_back() {
        if (size_ > inline_frames) spill_.pop_back();
        --size_;
    }

private:
    Frame frames_[inline_frames];  // not cleared: only pushed frames are read
    std::vector<Frame> spill_;
    std::size_t size_ = 0;
};

// Effects of the targets that let the walk continue. False: the target dropped the packet
// instead (TCPMSS on a segment it cannot rewrite).
inline bool apply_continuing_target(const TargetSpec& spec, Packet& p, WalkResult& res) {
    if (const auto* m = std::get_if<MarkTarget>(&spec)) {
        p.mark = (p.mark & ~m->mask) ^ m->value;
    } else if (const auto* c = std::get_if<ConnmarkTarget>(&spec)) {
        if (!p.ct.has_entry()) return true;  // xt_CONNMARK does nothing without a conntrack entry
        switch (c->mode) {
            case ConnmarkTarget::Mode::set: p.ct.mark = (p.ct.mark & ~c->ctmask) ^ c->ctmark; break;
            case ConnmarkTarget::Mode::save: p.ct.mark = (p.ct.mark & ~c->ctmask) ^ (p.mark & c->nfmask); break;
            case ConnmarkTarget::Mode::restore: p.mark = (p.mark & ~c->nfmask) ^ (p.ct.mark & c->ctmask); break;
        }
    } else if (const auto* h = std::get_if<HmarkTarget>(&spec)) {
        apply_hmark(*h, p);
    } else if (const auto* n = std::get_if<NptTarget>(&spec)) {
        // ip6t_NPT: an address it cannot adjust is dropped (with an ICMPv6 parameter problem,
        // which the path refuses to predict: it stops such packets before the walk). The
        // adjustment is the prefixes' difference, so an address outside the source prefix comes
        // out with another sum, and the transport checksum, which covers it, no longer verifies.
        IpAddr& addr = n->source ? p.src : p.dst;
        const std::uint16_t before = npt_address_sum(addr);
        if (!npt_map_prefix(addr, n->dst_pfx, n->src_len, n->dst_len, n->adjustment)) return false;
        p.checksum_error = npt_detail::fold(std::uint32_t{p.checksum_error} + npt_address_sum(addr) + (0xffffu - before));
        return true;
    } else if (std::holds_alternative<LogTarget>(spec)) {
        ++res.log_events;
    } else if (const auto* ct = std::get_if<CtTarget>(&spec)) {
        if (ct->notrack) res.notrack = true;
    } else if (const auto* rw = std::get_if<RewriteTarget>(&spec)) {
        switch (rw->kind) {
            case RewriteTarget::Kind::tos: p.tos = static_cast<std::uint8_t>((p.tos & ~rw->mask) ^ rw->value); break;
            case RewriteTarget::Kind::dscp: p.tos = static_cast<std::uint8_t>((p.tos & 0x03) | (rw->value << 2)); break;
            case RewriteTarget::Kind::ttl_set: p.ttl = static_cast<std::uint8_t>(rw->value); break;
            case RewriteTarget::Kind::ttl_inc: p.ttl = static_cast<std::uint8_t>(p.ttl + rw->value > 255 ? 255 : p.ttl + rw->value); break;
            case RewriteTarget::Kind::ttl_dec: p.ttl = static_cast<std::uint8_t>(p.ttl < rw->value ? 0 : p.ttl - rw->value); break;
            case RewriteTarget::Kind::tcpmss_set:
            case RewriteTarget::Kind::tcpmss_clamp: return apply_tcpmss(*rw, p);
            case RewriteTarget::Kind::tcpoptstrip: return apply_tcpoptstrip(*rw, p);
            case RewriteTarget::Kind::classify: p.priority = rw->value; break;
            case RewriteTarget::Kind::ecn:
                // ipt_ECN: the ECT codepoint, then TCP's ECE and CWR; a TCP header it cannot read
                // drops the packet. (A later fragment's payload it reads as a TCP header: the path
                // refuses those.)
                if (rw->mask & 0x03) p.tos = static_cast<std::uint8_t>((p.tos & ~0x03) | (rw->value & 0x03));
                if ((rw->mask & 0xc0) && p.proto == proto::tcp && !p.fragment) {
                    if (!p.l4_present) return false;
                    p.tcp_flags = static_cast<std::uint8_t>((p.tcp_flags & ~(rw->mask & 0xc0)) | (rw->value & rw->mask & 0xc0));
                }
                break;
            case RewriteTarget::Kind::checksum_fill:
            case RewriteTarget::Kind::trace: break;
        }
    }
    return true;
}

inline Verdict verdict_of(StandardTarget::Kind k) {
    switch (k) {
        case StandardTarget::Kind::accept: return Verdict::accept;
        case StandardTarget::Kind::drop: return Verdict::drop;
        case StandardTarget::Kind::queue: return Verdict::queue;
        case StandardTarget::Kind::return_: break;
    }
    return Verdict::accept;
}

// The walk's result when a chain's first matching rule decides (every rule ends the walk): the
// rule's counter and verdict, or, with `rule` < 0, the policy's. Used where a lookup, not a
// walk, found the rule (the compiled engine's first-match bursts, rte_acl).
inline WalkResult decide_first_match(const Table& t, std::size_t table_index, int chain, int rule, const Packet& p, EngineState& st) {
    WalkResult w;
    const Chain& c = t.chains[static_cast<std::size_t>(chain)];
    w.chain = chain;
    w.rule = rule;
    if (rule < 0) {
        st.count_policy(table_index, static_cast<std::size_t>(chain), p.length);
        w.verdict = verdict_of(c.policy);
        return w;
    }
    const Rule& r = c.rules[static_cast<std::size_t>(rule)];
    st.count_rule(table_index, static_cast<std::size_t>(chain), static_cast<std::size_t>(rule), p.length);
    w.target = &*r.target;
    const auto* standard = std::get_if<StandardTarget>(&r.target->spec);
    w.verdict = standard ? verdict_of(standard->kind) : Verdict::reject;
    return w;
}

template <class Stack, class NextCandidate, class Matches>
WalkResult walk_table(const Table& t, std::size_t table_index, int base, Packet& p, EngineState& st, std::vector<RuleVisit>* visits, Stack& stack,
                      NextCandidate&& next_candidate, Matches&& matches) {
    WalkResult res;
    if (base < 0) return res;  // the table has no chain for this hook: it accepts untouched

    int chain = base;
    std::size_t i = 0;

    auto apply_policy = [&] {
        const Chain& bc = t.chains[static_cast<std::size_t>(base)];
        st.count_policy(table_index, static_cast<std::size_t>(base), p.length);
        if (visits) visits->push_back({base, -1, true});
        res.verdict = verdict_of(bc.policy);
        res.chain = base;
        res.rule = -1;
        res.target = nullptr;
    };

    // Falling off the end of a chain and RETURN are the same: back to the last jump's next
    // rule, or, with no jump to return to, the base chain's policy (the kernel's underflow rule).
    // Returns false when the policy decided.
    auto return_from_chain = [&] {
        if (stack.empty()) {
            apply_policy();
            return false;
        }
        chain = stack.back().chain;
        i = stack.back().next;
        stack.pop_back();
        return true;
    };

    while (true) {
        const Chain& c = t.chains[static_cast<std::size_t>(chain)];
        if (i >= c.rules.size()) {
            if (!return_from_chain()) return res;
            continue;
        }
        i = next_candidate(chain, i);
        if (i >= c.rules.size()) {
            if (!return_from_chain()) return res;
            continue;
        }
        const Rule& r = c.rules[i];
        ++res.rules_evaluated;
        bool matched = matches(chain, i, r);
        if (visits) visits->push_back({chain, static_cast<int>(i), matched});
        if (!matched) {
            ++i;
            continue;
        }
        st.count_rule(table_index, static_cast<std::size_t>(chain), i, p.length);
        if (!r.target) {
            ++i;
            continue;
        }
        const TargetSpec& spec = r.target->spec;
        auto decide = [&](Verdict v) {
            res.verdict = v;
            res.chain = chain;
            res.rule = static_cast<int>(i);
            res.target = &*r.target;
        };
        if (const auto* s = std::get_if<StandardTarget>(&spec)) {
            if (s->kind != StandardTarget::Kind::return_) {
                decide(verdict_of(s->kind));
                return res;
            }
            if (!return_from_chain()) return res;
            continue;
        }
        if (const auto* j = std::get_if<JumpTarget>(&spec)) {
            if (!j->is_goto) stack.push_back({chain, i + 1});
            chain = j->chain_index;
            i = 0;
            continue;
        }
        if (std::holds_alternative<RejectTarget>(spec)) {
            decide(Verdict::reject);
            return res;
        }
        if (std::holds_alternative<NfqueueTarget>(spec)) {
            decide(Verdict::queue);
            return res;
        }
        if (std::holds_alternative<TproxyTarget>(spec)) {
            decide(Verdict::tproxy);
            return res;
        }
        if (std::holds_alternative<SynproxyTarget>(spec)) {
            // synproxy_tg4/tg6: a client's SYN or ACK ends the walk (the path answers the SYN,
            // and cannot tell whether the ACK's cookie is valid), as does a segment whose TCP
            // header the target would read from a fragment; every other segment goes on.
            const std::uint8_t f = p.tcp_flags;
            const bool syn = (f & tcp_flag::syn) && !(f & (tcp_flag::ack | tcp_flag::fin | tcp_flag::rst));
            const bool ack = (f & tcp_flag::ack) && !(f & (tcp_flag::fin | tcp_flag::rst | tcp_flag::syn));
            if (syn || ack || p.fragment || !p.l4_present) {
                decide(Verdict::synproxy);
                return res;
            }
            ++i;
            continue;
        }
        if (const auto* tee = std::get_if<TeeTarget>(&spec)) {
            if (st.duplicator) st.duplicator->duplicate(*tee, p);
            ++i;
            continue;
        }
        if (const auto* n = std::get_if<NatTarget>(&spec)) {
            decide(Verdict::accept);
            res.nat = n;
            return res;
        }
        if (!apply_continuing_target(spec, p, res)) {
            decide(Verdict::drop);
            return res;
        }
        ++i;
    }
}

}  // namespace fwbench::detail
