// Evaluation of each match module against a packet, following the kernel's xt_*.c match
// functions (including their behaviour on non-first fragments and missing headers).

#include <algorithm>

#include "fwbench/hashlimit_arith.hpp"
#include "fwbench/jhash.hpp"
#include "fwbench/linear_engine.hpp"
#include "fwbench/overloaded.hpp"

namespace fwbench {

namespace {

bool port_ok(const std::optional<Neg<PortRange>>& r, std::uint16_t port) { return !r || (r->value.contains(port) != r->negated); }

std::uint8_t state_bit(const ConntrackView& ct) { return ct_state_bits(ct, false); }

bool prefix_ok(const std::optional<Neg<IpPrefix>>& p, const IpAddr& a) { return !p || (p->value.contains(a) != p->negated); }

bool in_range(const Range<IpAddr>& r, const IpAddr& a) { return a.family == r.lo.family && r.lo <= a && a <= r.hi; }

// Whole seconds and the rest apart: timestamp_ns * hz overflows 64 bits for any date after 1972
// at HZ 250 (it wrapped, shifting the jiffies' phase by an arbitrary amount).
std::uint64_t jiffies(const Packet& p, unsigned hz) {
    return p.timestamp_ns / 1000000000ull * hz + p.timestamp_ns % 1000000000ull * hz / 1000000000ull;
}

// The jiffies between two timestamps at the other phase of the kernel's clock: an interval of d
// jiffies (not a whole number) crosses floor(d) or floor(d) + 1 boundaries, depending on where
// the kernel's ticks fall; `model` is the count taken (at phase 0). Equal to `model` when the
// interval is a whole number of jiffies.
std::uint64_t other_jiffy_count(std::uint64_t from_ns, std::uint64_t to_ns, unsigned hz, std::uint64_t model) {
    // Past a day every bucket is full whatever the count (and the product below stays in 64 bits).
    if (to_ns < from_ns || to_ns - from_ns > 86400ull * 1000000000ull) return model;
    const std::uint64_t scaled = (to_ns - from_ns) * hz;
    const std::uint64_t floor_d = scaled / 1000000000u;
    if (scaled % 1000000000u == 0) return model;
    return model == floor_d ? floor_d + 1 : floor_d;
}

// xt_limit's constants for a given HZ: CREDITS_PER_JIFFY = largest power of two <= MAX_CPJ.
std::uint32_t limit_credits_per_jiffy(unsigned hz) {
    std::uint32_t max_cpj = 0xffffffffu / (hz * 60u * 60u * 24u);
    std::uint32_t p = 1;
    while (p * 2 <= max_cpj) p *= 2;
    return p;
}

std::uint32_t limit_user2credits(std::uint32_t user, unsigned hz) {
    std::uint32_t cpj = limit_credits_per_jiffy(hz);
    if (user > 0xffffffffu / (hz * cpj)) return (user / 10000u) * hz * cpj;
    return static_cast<std::uint32_t>(static_cast<std::uint64_t>(user) * hz * cpj / 10000u);
}

bool eval_limit(const Match& m, const LimitMatch& l, const Packet& p, EngineState& st) {
    unsigned hz = st.options().hz;
    auto& s = st.limits[&m];
    std::uint64_t now = jiffies(p, hz);
    std::uint32_t cap = limit_user2credits(l.avg * l.burst, hz);  // u32 product, as in the kernel
    std::uint32_t cost = limit_user2credits(l.avg, hz);
    if (!s.started) {
        s.started = true;
        s.prev = now;
        s.prev_ns = p.timestamp_ns;
        s.credit = cap;
    }
    auto credit_after = [&](std::uint64_t jiffies_passed) {
        return std::min<std::uint64_t>(s.credit + jiffies_passed * limit_credits_per_jiffy(hz), cap);
    };
    const std::uint64_t passed = now - s.prev;
    const std::uint64_t credit = credit_after(passed);
    if ((credit >= cost) != (credit_after(other_jiffy_count(s.prev_ns, p.timestamp_ns, hz, passed)) >= cost)) ++s.unsettled;
    s.prev = now;
    s.prev_ns = p.timestamp_ns;
    s.credit = static_cast<std::uint32_t>(credit);
    if (s.credit >= cost) {
        s.credit -= cost;
        return true;
    }
    return false;
}

struct KeyWriter {
    FlowKey key{};
    std::size_t n = 0;
    void put(std::uint8_t b) { key[n++] = b; }
    void put16(std::uint16_t v) {
        put(static_cast<std::uint8_t>(v >> 8));
        put(static_cast<std::uint8_t>(v));
    }
    void put_addr(const IpAddr& a) {
        for (int i = 0; i < 16; ++i) put(a.bytes[static_cast<std::size_t>(i)]);
    }
    void put_masked(const IpAddr& a, int len) { put_addr(apply_mask(a, prefix_mask(a.family, len < 0 ? address_bits(a.family) : len))); }
};

// --- hashlimit: xt_hashlimit's hashlimit_mt_common, revision 3 ---------------------------------
// A bucket is made and refilled by the table's settings (the first loaded rule of the name:
// rateinfo_init and rateinfo_recalc read hinfo->cfg); the rule's own mode decides how it is spent
// (rate match or token bucket, bytes or packets, above or up to), as the kernel's does.

using Bucket = EngineState::HashBucket;

void hashlimit_init(Bucket& b, const HashLimitMatch& table, std::uint64_t now, unsigned hz) {
    namespace hl = hashlimit;
    b.prev = now;
    if (table.rate_match) {
        b.prev_window = false;
        b.current_rate = 0;
        if (table.bytes) {
            b.rate = hl::cost_to_bytes(static_cast<std::uint32_t>(table.avg));
            b.burst = table.burst ? table.burst * b.rate : b.rate;
        } else {
            b.rate = hl::user2rate(table.avg);
            b.burst = table.burst + b.rate;
        }
        b.interval = table.interval;
    } else if (table.bytes) {
        b.credit = hl::credits_per_jiffy_bytes(hz) * hz;
        b.cost = hl::user2credits_byte(static_cast<std::uint32_t>(table.avg), hz);
        b.credit_cap = table.burst;
    } else {
        b.credit = hl::user2credits(table.avg * table.burst, hz);
        b.cost = hl::user2credits(table.avg, hz);
        b.credit_cap = b.credit;
    }
}

void hashlimit_recalc(Bucket& b, const HashLimitMatch& table, std::uint64_t now, unsigned hz) {
    namespace hl = hashlimit;
    const std::uint64_t delta = now > b.prev ? now - b.prev : 0;
    if (delta == 0) return;
    if (table.rate_match) {
        const std::uint64_t interval = std::uint64_t{b.interval} * hz;
        if (delta < interval) return;
        b.prev = now;
        // Over the rate: the window's count per jiffy against the rate per second, in the kernel's
        // integers (the count times the window's jiffies, the jiffies passed times the rate).
        b.prev_window = b.current_rate * interval > delta * b.rate;
        b.current_rate = 0;
        return;
    }
    b.prev = now;
    std::uint64_t cap = 0;
    if (table.bytes) {
        const std::uint64_t before = b.credit;
        b.credit += hl::credits_per_jiffy_bytes(hz) * delta;
        cap = hl::credits_per_jiffy_bytes(hz) * hz;
        if (before >= b.credit) {  // wrapped
            b.credit = cap;
            return;
        }
    } else {
        b.credit += delta * hl::credits_per_jiffy(hz);
        cap = b.credit_cap;
    }
    if (b.credit > cap) b.credit = cap;
}

// hashlimit_byte_cost: a packet's 16-byte chunks at the bucket's cost, at most a second's credit;
// an empty bucket with refills left is refilled whole.
std::uint64_t hashlimit_byte_cost(Bucket& b, std::uint32_t len, unsigned hz) {
    const std::uint64_t full = hashlimit::credits_per_jiffy_bytes(hz) * hz;
    std::uint64_t cost = (std::uint64_t{len} >> hashlimit::byte_shift) + 1;
    cost = std::min(cost * b.cost, full);
    if (b.credit < cost && b.credit_cap) {
        --b.credit_cap;
        b.credit = full;
    }
    return static_cast<std::uint32_t>(cost);
}

// Spends the packet from the bucket by the rule's own mode; true when under the limit.
bool hashlimit_spend(Bucket& b, const HashLimitMatch& rule, std::uint32_t len, unsigned hz) {
    if (rule.rate_match) {
        b.current_rate += rule.bytes ? len : 1;
        return !b.prev_window && b.current_rate <= b.burst;
    }
    const std::uint64_t cost = rule.bytes ? hashlimit_byte_cost(b, len, hz) : b.cost;
    if (b.credit < cost) return false;
    b.credit -= cost;
    return true;
}

FlowKey hashlimit_key(const HashLimitMatch& cfg, const Packet& p) {
    KeyWriter kw;
    if (cfg.mode_srcip) kw.put_masked(p.src, cfg.srcmask);
    if (cfg.mode_dstip) kw.put_masked(p.dst, cfg.dstmask);
    if (cfg.hashes_ports()) {
        // hashlimit_init_dst: the 32 bits at proto_ports_offset, ESP's and AH's SPI and IPComp's
        // CPI included; 0 for any other protocol. (What a later fragment, a header cut short or
        // IPComp's destination half would give, the path refuses: header_match_hotdrops.)
        const std::uint32_t ports = p.fragment ? 0 : wire_ports(p.proto, p).value_or(0);
        kw.put16(cfg.mode_srcport ? static_cast<std::uint16_t>(ports >> 16) : 0);
        kw.put16(cfg.mode_dstport ? static_cast<std::uint16_t>(ports & 0xffff) : 0);
    }
    return kw.key;
}

std::uint64_t msecs_to_jiffies(std::uint64_t ms, unsigned hz) { return (ms * hz + 999) / 1000; }

bool eval_hashlimit(const HashLimitMatch& h, const Packet& p, EngineState& st) {
    const unsigned hz = st.options().hz;
    auto& table = st.hashlimits[h.name];
    if (!table.config) table.config = &h;
    const HashLimitMatch& cfg = *table.config;
    const FlowKey key = hashlimit_key(cfg, p);
    const std::uint64_t now = jiffies(p, hz);
    const auto len = static_cast<std::uint32_t>(p.length);
    auto fresh = [&] {
        Bucket b;
        b.expires = now + msecs_to_jiffies(cfg.htable_expire_ms, hz);
        hashlimit_init(b, cfg, now, hz);
        b.prev_ns = p.timestamp_ns;
        return b;
    };
    // What an existing bucket decides when the walk reaches it at `at` jiffies.
    auto refilled = [&](Bucket b, std::uint64_t at) {
        const std::uint64_t before = b.prev;
        b.expires = now + msecs_to_jiffies(cfg.htable_expire_ms, hz);
        hashlimit_recalc(b, cfg, at, hz);
        if (b.prev != before) b.prev_ns = p.timestamp_ns;
        return b;
    };
    auto it = table.buckets.find(key);
    Bucket next;
    if (it == table.buckets.end()) {
        next = fresh();
    } else if (now >= it->second.expires) {
        // Expired: the table's garbage collection, every gc_interval at a phase the capture does
        // not show, freed it or not yet. The model takes it freed (a fresh bucket); a decision
        // the kept bucket would have turned is unsettled.
        next = fresh();
        if (now < it->second.expires + msecs_to_jiffies(cfg.htable_gcinterval_ms, hz)) {
            Bucket kept = refilled(it->second, now), model = next;
            if (hashlimit_spend(kept, h, len, hz) != hashlimit_spend(model, h, len, hz)) ++table.unsettled;
        }
    } else {
        const Bucket& b = it->second;
        next = refilled(b, now);
        const std::uint64_t delta = now > b.prev ? now - b.prev : 0;
        const std::uint64_t other = other_jiffy_count(b.prev_ns, p.timestamp_ns, hz, delta);
        if (other != delta) {
            Bucket alt = refilled(b, b.prev + other), model = next;
            if (hashlimit_spend(alt, h, len, hz) != hashlimit_spend(model, h, len, hz)) ++table.unsettled;
        }
    }
    const bool under = hashlimit_spend(next, h, len, hz);
    table.buckets.insert_or_assign(key, next);
    return under != h.above;
}

constexpr std::size_t recent_entries = 200;  // ip_list_tot

bool eval_recent(const RecentMatch& r, const Packet& p, Hook hook, EngineState& st) {
    unsigned hz = st.options().hz;
    std::uint64_t now = jiffies(p, hz);
    bool ret = r.negated;
    IpAddr addr = r.rdest ? p.dst : p.src;
    std::uint8_t ttl = p.ttl;
    // The kernel uses the TTL as seen before forwarding.
    if (hook == Hook::forward || hook == Hook::postrouting) ttl = static_cast<std::uint8_t>(ttl + 1);
    auto& table = st.recent[r.name];
    if (!table.mask_set) {
        table.mask_set = true;
        table.mask = r.mask;
    }
    IpAddr key = apply_mask(addr, table.mask);
    auto it = table.entries.find(key);
    if (it != table.entries.end() && r.rttl && it->second.ttl != ttl) it = table.entries.end();
    if (it == table.entries.end()) {
        if (r.cmd != RecentMatch::Cmd::set) return ret;
        if (table.entries.size() >= recent_entries) {
            // Evict the least recently updated entry, as the kernel's LRU list does.
            auto oldest = std::min_element(table.entries.begin(), table.entries.end(),
                                           [](const auto& a, const auto& b) { return a.second.last < b.second.last; });
            table.entries.erase(oldest);
        }
        EngineState::RecentEntry e;
        e.stamps.push_back(now);
        e.index = 1;
        e.ttl = ttl;
        e.last = now;
        table.entries[key] = e;
        return !ret;
    }
    auto& e = it->second;
    if (r.cmd == RecentMatch::Cmd::set) {
        ret = !ret;
    } else if (r.cmd == RecentMatch::Cmd::remove) {
        table.entries.erase(it);
        return !ret;
    } else if (r.seconds || r.hitcount) {
        std::uint64_t since = now >= r.seconds * static_cast<std::uint64_t>(hz) ? now - r.seconds * static_cast<std::uint64_t>(hz) : 0;
        std::uint32_t hits = 0;
        for (auto stamp : e.stamps) {
            if (r.seconds && since > stamp) continue;
            if (!r.hitcount || ++hits >= r.hitcount) {  // unreachable when hitcount > stamp capacity
                ret = !ret;
                break;
            }
        }
        if (r.reap) std::erase_if(e.stamps, [&](std::uint64_t s) { return since > s; });
    } else {
        ret = !ret;
    }
    if (r.cmd == RecentMatch::Cmd::set || (r.cmd == RecentMatch::Cmd::update && ret)) {
        if (e.stamps.size() < table.stamp_capacity) {
            e.stamps.push_back(now);
        } else {
            e.stamps[e.index % table.stamp_capacity] = now;
        }
        e.index = (e.index + 1) % table.stamp_capacity;
        e.ttl = ttl;
        e.last = now;
    }
    return ret;
}

bool eval_statistic(const Match& m, const StatisticMatch& s, EngineState& st) {
    bool ret = s.negated;
    if (s.nth) {
        auto [it, created] = st.nth_counters.try_emplace(&m, s.packet);
        std::uint32_t next = it->second == s.every ? 0 : it->second + 1;
        it->second = next;
        if (next == 0) ret = !ret;
    } else {
        if ((static_cast<std::uint32_t>(st.next_random()) & 0x7fffffffu) < s.probability) ret = !ret;
    }
    return ret;
}

bool eval_connlimit(const Match& m, const ConnlimitMatch& c, const Packet& p, EngineState& st) {
    const IpAddr& a = c.daddr ? p.dst : p.src;
    IpAddr key = apply_mask(a, prefix_mask(a.family, c.mask < 0 ? address_bits(a.family) : c.mask));
    // The connection this packet belongs to: its conntrack original tuple, else its own.
    KeyWriter conn;
    const CtTuple* t = p.ct.has_entry() ? &p.ct.orig : nullptr;
    IpAddr s = t ? t->src : p.src, d = t ? t->dst : p.dst;
    std::uint16_t sp = t ? t->sport : p.sport, dp = t ? t->dport : p.dport;
    conn.put_addr(s);
    conn.put_addr(d);
    conn.put(p.proto);
    conn.put16(sp);
    conn.put16(dp);
    auto& conns = st.connlimits[&m][key];
    conns.insert(conn.key);
    std::size_t n = conns.size();
    return c.above ? n > c.limit : n <= c.limit;
}

bool eval_conntrack(const ConntrackMatch& c, const Packet& p) {
    const ConntrackView& ct = p.ct;
    if (c.state) {
        std::uint8_t bits = ct_state_bits(ct, true);
        if (((c.state->value & bits) != 0) == c.state->negated) return false;
    }
    if (!ct.has_entry()) return c.state.has_value();
    if (c.dir && (ct.dir == *c.dir) == false) return false;
    if (c.proto && ((ct.l4proto == c.proto->value) == c.proto->negated)) return false;
    if (!prefix_ok(c.orig_src, ct.orig.src) || !prefix_ok(c.orig_dst, ct.orig.dst) || !prefix_ok(c.repl_src, ct.reply.src) ||
        !prefix_ok(c.repl_dst, ct.reply.dst))
        return false;
    if (!port_ok(c.orig_sport, ct.orig.sport) || !port_ok(c.orig_dport, ct.orig.dport) || !port_ok(c.repl_sport, ct.reply.sport) ||
        !port_ok(c.repl_dport, ct.reply.dport))
        return false;
    if (c.status && (((c.status->value & ct.status) != 0) == c.status->negated)) return false;
    if (c.expire && (c.expire->value.contains(ct.expires_s) == c.expire->negated)) return false;
    return true;
}

bool eval_policy(const PolicyMatch& pm, const Packet& p) {
    // fwbench models no IPsec SAs: a packet is "ipsec" when its metadata says so, and then
    // matches elements only by existence (no SA details are known).
    bool has = pm.dir_in ? p.ipsec_in : p.ipsec_out;
    if (!pm.pol_ipsec) return !has;  // --pol none
    if (!has) return false;
    for (const auto& e : pm.elements)
        if (e.reqid || e.spi || e.proto || e.tunnel_mode || e.tunnel_src || e.tunnel_dst) return false;
    return true;
}

bool eval_rt(const RtMatch& r, const Packet& p) {
    if (!p.rt.present) return false;
    if (r.type && ((p.rt.type == r.type->value) == r.type->negated)) return false;
    if (r.segsleft && (r.segsleft->value.contains(p.rt.segments_left) == r.segsleft->negated)) return false;
    if (r.len && ((p.rt.hdr_len_bytes == r.len->value) == r.len->negated)) return false;
    if (r.res0 && !p.rt.reserved_zero) return false;
    return true;
}

// ip6t_srh compares the header's Tag, in network order, with the rule's, in the host's: on a
// little-endian host (x86, arm64) --srh-tag 7 matches the Tag 0x0700 (kernel-confirmed).
std::uint16_t kernel_srh_tag(std::uint16_t rule_tag) { return static_cast<std::uint16_t>((rule_tag >> 8) | (rule_tag << 8)); }

// ip6t_srh's srh1_mt6: the first routing header, when it is a segment routing header whose
// Segments Left is within its Last Entry; then each test given, and each segment read at its
// index (none before the first segment or past the last, none the datagram does not hold).
bool eval_srh(const SrhMatch& m, const Packet& p) {
    const RoutingHeader& rt = p.rt;
    if (p.family != Family::ipv6 || !rt.present || rt.type != 4 || rt.segments_left > rt.last_entry) return false;
    const auto test = [&](SrhMatch::Test t, bool holds) { return !(m.given & t) || holds != ((m.negated & t) != 0); };
    const unsigned hdrlen = rt.hdr_len_bytes / 8u - 1u;  // the header's own length byte
    if (!test(SrhMatch::next_hdr, rt.next_header == m.next_header) || !test(SrhMatch::len_eq, hdrlen == m.hdr_len) ||
        !test(SrhMatch::len_gt, hdrlen > m.hdr_len) || !test(SrhMatch::len_lt, hdrlen < m.hdr_len) ||
        !test(SrhMatch::segs_eq, rt.segments_left == m.segments_left) || !test(SrhMatch::segs_gt, rt.segments_left > m.segments_left) ||
        !test(SrhMatch::segs_lt, rt.segments_left < m.segments_left) || !test(SrhMatch::last_eq, rt.last_entry == m.last_entry) ||
        !test(SrhMatch::last_gt, rt.last_entry > m.last_entry) || !test(SrhMatch::last_lt, rt.last_entry < m.last_entry) ||
        !test(SrhMatch::tag_eq, rt.tag == kernel_srh_tag(m.tag)))
        return false;
    for (auto [t, which] : {std::pair{SrhMatch::psid, RoutingHeader::previous_sid}, std::pair{SrhMatch::nsid, RoutingHeader::next_sid},
                            std::pair{SrhMatch::lsid, RoutingHeader::last_sid}}) {
        if (!(m.given & t)) continue;
        if (which == RoutingHeader::previous_sid && rt.segments_left == rt.last_entry) return false;
        if (!rt.has_sid(which)) return false;
        const IpAddr& mask = m.sid_mask[which];
        if (!test(t, apply_mask(IpAddr{Family::ipv6, rt.sids[which]}, mask) == apply_mask(m.sid_addr[which], mask))) return false;
    }
    return true;
}

// xt_cluster_mt: the connection's original source hashed as its bytes lie in memory (the kernel's
// `(__force u32)`, on a little-endian host), scaled onto the nodes. For IPv6 the kernel asks
// jhash2 for NF_CT_TUPLE_L3SIZE / sizeof(u32) words, which is 1: only the first 32 bits count
// (kernel-confirmed). No connection (invalid, untracked): no match, even negated.
bool eval_cluster(const ClusterMatch& m, const Packet& p) {
    if (!p.ct.has_entry()) return false;
    const auto* b = p.ct.orig.src.bytes.data();
    const std::uint32_t first_word = std::uint32_t{b[0]} | std::uint32_t{b[1]} << 8 | std::uint32_t{b[2]} << 16 | std::uint32_t{b[3]} << 24;
    const std::uint32_t hash = jhash::word1(first_word, m.hash_seed);  // jhash2 of one word is jhash_1word
    return ((m.node_mask >> jhash::scale(hash, m.total_nodes)) & 1u) != m.negated;
}

// xt_connlabel's connlabel_mt: without a connection (invalid, untracked) only the negation
// matches; a set bit matches, and so does an unset one with --set, which sets it
// (apply_match_effect).
bool eval_connlabel(const ConnlabelMatch& m, const Packet& p) {
    if (!p.ct.has_entry()) return m.negated;
    return (p.ct.has_label(m.bit) || m.set) != m.negated;
}

// The datagram as the hook holds it, for a match that reads its bytes (reads_packet_bytes). Without
// them (no view, or a packet without bytes) the match is undecided: counted, and empty returned.
std::span<const std::uint8_t> bytes_now(const Match& m, const Packet& p, EngineState& st) {
    const std::span<const std::uint8_t> d = st.datagram && !p.bytes.empty() ? st.datagram->now(p) : std::span<const std::uint8_t>{};
    if (d.empty()) ++st.undecided[&m];
    return d;
}

// xt_string's string_mt: skb_find_text over the bytes [from, to) of the datagram as the hook holds
// it, cut at its end; without them no match (bytes_now). A
// Boyer-Moore find rests on the occurrence lying inside one piece of the socket buffer, which
// no capture shows: counted as an assumed decision (match_assumption words it).
bool eval_string(const Match& m, const StringMatch& s, const Packet& p, EngineState& st) {
    const std::span<const std::uint8_t> d = bytes_now(m, p, st);
    if (d.empty()) return false;
    const std::size_t end = std::min<std::size_t>(s.to, d.size());
    const auto found = s.from < end ? s.search->find(d.subspan(s.from, end - s.from)) : TextSearch::Found::not_found;
    if (found == TextSearch::Found::in_one_block) ++st.assumed_decisions[&m];
    return (found != TextSearch::Found::not_found) != s.negated;
}

// xt_u32's u32_match_it over the datagram as the hook holds it, in its unsigned 32-bit arithmetic:
// a word read past the end (or an `@` whose sum wraps) fails the whole match before its negation.
bool eval_u32(const Match& m, const U32Match& s, const Packet& p, EngineState& st) {
    const std::span<const std::uint8_t> d = bytes_now(m, p, st);
    if (d.empty()) return false;
    const auto len = static_cast<std::uint32_t>(d.size());
    const auto word = [&](std::uint32_t at) {
        return std::uint32_t{d[at]} << 24 | std::uint32_t{d[at + 1]} << 16 | std::uint32_t{d[at + 2]} << 8 | std::uint32_t{d[at + 3]};
    };
    const auto holds = [&]() {
        for (const auto& t : s.tests) {
            std::uint32_t at = 0, pos = t.location[0].number;
            if (len < 4 || pos > len - 4) return false;
            std::uint32_t val = word(pos);
            for (std::size_t i = 1; i < t.location.size(); ++i) {
                const std::uint32_t n = t.location[i].number;
                switch (t.location[i].op) {
                    case U32Match::Op::read: break;
                    case U32Match::Op::mask: val &= n; break;
                    case U32Match::Op::shift_left: val <<= n; break;  // n < 32: checkentry refuses more
                    case U32Match::Op::shift_right: val >>= n; break;
                    case U32Match::Op::at:
                        if (at + val < at) return false;
                        at += val;
                        pos = n;
                        if (at + 4 < at || len < at + 4 || pos > len - at - 4) return false;
                        val = word(at + pos);
                        break;
                }
            }
            bool in_range = false;
            for (const auto& [lo, hi] : t.values) in_range = in_range || (lo <= val && val <= hi);
            if (!in_range) return false;
        }
        return true;
    };
    return holds() != s.negated;
}

// xt_bpf's bpf_mt: the program over the datagram as the hook holds it; it matches when it returns
// other than 0 (there is no negation). Without the bytes no match (bytes_now). An indirect load
// that lands in the link-layer header fails, counted as an assumed decision (match_assumption).
bool eval_bpf(const Match& m, const BpfMatch& s, const Packet& p, EngineState& st) {
    const std::span<const std::uint8_t> d = bytes_now(m, p, st);
    if (d.empty()) return false;
    const BpfContext ctx{d, static_cast<std::uint16_t>(p.family == Family::ipv4 ? 0x0800 : 0x86dd), p.mark};
    const BpfRun run = run_classic(s.program, ctx);
    if (run.link_layer) ++st.assumed_decisions[&m];
    return run.result != 0;
}

// ip6t_ipv6header: the extension headers before the upper layer, then ESP, no next header, or a
// protocol. A header chain cut short matches nothing.
bool eval_ipv6header(const Ipv6HeaderMatch& m, const Packet& p) {
    if (p.family != Family::ipv6 || p.ext_headers_cut) return false;
    std::uint8_t have = 0;
    for (std::size_t i = 0; i < p.ext_header_count; ++i) switch (p.ext_headers[i]) {
            case proto::ipv6_hop: have |= ipv6header_bit::hop; break;
            case proto::ipv6_dest: have |= ipv6header_bit::dst; break;
            case proto::ipv6_route: have |= ipv6header_bit::route; break;
            case proto::ipv6_frag: have |= ipv6header_bit::frag; break;
            case proto::ah: have |= ipv6header_bit::ah; break;
            default: break;
        }
    have |= p.proto == proto::esp ? ipv6header_bit::esp : p.proto == proto::ipv6_none ? ipv6header_bit::none : ipv6header_bit::proto;
    const std::uint8_t inverted = m.negated ? 0xff : 0;
    if (m.soft) return ((have ^ m.headers ^ inverted) & m.headers) == 0;
    return (have == m.headers) != m.negated;
}

// ip6t_frag: no fragment header, no match.
bool eval_frag(const FragMatch& m, const Packet& p) {
    if (p.family != Family::ipv6) return false;
    bool has_header = false;
    for (std::size_t i = 0; i < p.ext_header_count; ++i) has_header |= p.ext_headers[i] == proto::ipv6_frag;
    if (!has_header) return false;
    if (m.id && (m.id->value.contains(p.frag_id) == m.id->negated)) return false;
    if (m.reserved && p.frag_reserved) return false;
    if (m.first && p.fragment) return false;
    if (m.more && !p.more_fragments) return false;
    if (m.last && p.more_fragments) return false;
    return true;
}

// A packet from the wire whose frame's source MAC fwbench was not given (a capture without
// link-layer headers, a packet described without mac=): the kernel read the frame's, or found
// none on a device without one (tun, ppp), where -m mac and -m eui64 do not match. Decided so,
// and counted as an assumed decision (match_assumption words it). Over lo the kernel itself has
// none that these read: decided, not assumed.
bool mac_unknown(const Match& m, const Packet& p, EngineState& st) {
    if (p.has_mac) return false;
    if (!p.in.empty() && p.in.view() != "lo") ++st.assumed_decisions[&m];
    return true;
}

// ip6t_eui64: the source MAC, its universal/local bit flipped, ff:fe in its middle, is the
// source address's last 64 bits. Without a MAC header (the host's own packets), no match.
bool eval_eui64(const Match& m, const Packet& p, EngineState& st) {
    if (p.family != Family::ipv6 || mac_unknown(m, p, st)) return false;
    const auto& mac = p.src_mac.bytes;
    const std::uint8_t eui64[8] = {static_cast<std::uint8_t>(mac[0] ^ 0x02), mac[1], mac[2], 0xff, 0xfe, mac[3], mac[4], mac[5]};
    return std::equal(eui64, eui64 + 8, p.src.bytes.begin() + 8);
}

// ip6t_hbh (-m hbh and -m dst): the first such header; its length in bytes; then the rule's
// options against the header's from its first, in order: a type, and unless any, its length.
bool eval_options(const OptionsMatch& m, const Packet& p) {
    if (p.family != Family::ipv6) return false;
    const OptionsHeader& h = m.destination ? p.dest_options : p.hop_options;
    if (!h.length) return false;
    if (m.length && ((h.length == m.length->value) == m.length->negated)) return false;
    if (m.options.empty()) return true;
    // The kernel stops when the header has no byte left for the next type: the rule fails then.
    std::size_t left = h.length - 2u;
    for (std::size_t i = 0; i < m.options.size(); ++i) {
        if (left < 1 || i >= h.count) return false;
        if (h.types[i] != m.options[i].type) return false;
        if (h.types[i] != 0 && !m.options[i].any_length && h.lengths[i] != m.options[i].length) return false;
        const std::size_t used = h.types[i] == 0 ? 1 : 2u + h.lengths[i];
        left = used > left ? 0 : left - used;
    }
    return true;
}

// ip6t_ah finds the first AH among the extension headers; ipt_ah reads IPv4's upper layer (-p
// ah), never in a later fragment.
bool eval_ah(const AhMatch& m, const Packet& p) {
    if (p.family == Family::ipv4 && (p.fragment || p.proto != proto::ah || !p.l4_present)) return false;
    if (!p.ah.present || p.ah.cut) return false;
    if (m.spi.value.contains(p.ah.spi) == m.spi.negated) return false;
    if (m.length && m.length->value && ((p.ah.length == m.length->value) == m.length->negated)) return false;
    return !(m.reserved_zero && !p.ah.reserved_zero);
}

// xt_esp: the upper layer's SPI, never in a later fragment.
bool eval_esp(const EspMatch& m, const Packet& p) {
    if (p.fragment || p.proto != proto::esp || !p.l4_present) return false;
    return m.spi.value.contains(p.esp_spi) != m.spi.negated;
}

// xt_ipcomp: the CPI, never in a later fragment.
bool eval_ipcomp(const IpcompMatch& m, const Packet& p) {
    if (p.fragment || p.proto != proto::ipcomp || !p.l4_present) return false;
    return m.cpi.value.contains(p.ipcomp_cpi) != m.cpi.negated;
}

// ip6t_mh: the mobility header's type, never in a later fragment (a payload protocol other than
// none makes the kernel drop the packet: header_match_hotdrops).
bool eval_mh(const MhMatch& m, const Packet& p) {
    if (p.fragment || p.proto != proto::mobility || !p.l4_present || p.mh_payload_proto != proto::ipv6_none) return false;
    return m.type.value.contains(p.mh_type) != m.type.negated;
}

// xt_sctp's match_packet over the chunks the walk met (a malformed walk never gets here:
// header_match_hotdrops): a flag entry for the chunk's type decides whether the chunk counts.
bool eval_sctp_chunks(const SctpChunkSpec& s, const SctpChunks& c) {
    auto counts = [&](std::uint8_t type, std::uint8_t flags) {
        if (!s.has(type)) return false;
        for (std::size_t i = 0; i < s.flag_count; ++i)
            if (s.flag_info[i].chunk_type == type) return (flags & s.flag_info[i].mask) == s.flag_info[i].flags;
        return true;
    };
    switch (s.kind) {
        case SctpChunkSpec::Kind::any:
            for (std::size_t i = 0; i < c.count; ++i)
                if (counts(c.types[i], c.flags[i])) return true;
            return false;
        case SctpChunkSpec::Kind::all: {
            auto missing = s.types;  // each type listed needs a chunk that counts
            for (std::size_t i = 0; i < c.count; ++i)
                if (counts(c.types[i], c.flags[i])) missing[c.types[i] >> 5] &= ~(1u << (c.types[i] & 31));
            return std::all_of(missing.begin(), missing.end(), [](std::uint32_t w) { return w == 0; });
        }
        case SctpChunkSpec::Kind::only:
            for (std::size_t i = 0; i < c.count; ++i)
                if (!counts(c.types[i], c.flags[i])) return false;
            return true;
    }
    return false;
}

// xt_ecn: the ECN field of the IP header; ECE and CWR of the TCP header.
bool eval_ecn(const EcnMatch& m, const Packet& p) {
    if (m.ip_ect && ((p.tos & 0x03) == m.ip_ect->value) == m.ip_ect->negated) return false;
    if ((m.ece || m.cwr) && !p.l4_present) return false;  // no TCP header to read: no match
    if (m.ece && ((p.tcp_flags & tcp_flag::ece) != 0) == m.ece->negated) return false;
    if (m.cwr && ((p.tcp_flags & tcp_flag::cwr) != 0) == m.cwr->negated) return false;
    return true;
}

// xt_tcpmss: the first well-formed MSS option; a segment without one matches only negated.
bool eval_tcpmss(const TcpmssMatch& m, const Packet& p) {
    const int at = mss_option_offset(p);
    if (at < 0) return m.negated;
    const auto& op = p.tcp_option_bytes;
    const auto mss = static_cast<std::uint16_t>(op[static_cast<std::size_t>(at) + 2] << 8 | op[static_cast<std::size_t>(at) + 3]);
    return m.mss.contains(mss) != m.negated;
}

// xt_connbytes: the connection's counters (this packet included) in the direction asked for;
// avgpkt divides bytes by packets (0 without packets).
// --- time: xt_time's time_mt, on the packet's timestamp --------------------------------------

// localtime_3: the day of the month from the days since the epoch, by the kernel's tables (years
// 1970-2039; a later day runs past 2039's December as the kernel's does).
std::uint32_t kernel_monthday(std::uint32_t dse) {
    static constexpr std::uint16_t since_year[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    static constexpr std::uint16_t since_leapyear[] = {0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335};
    std::uint32_t year = 2039, days_before = 0;
    for (;; --year) {
        days_before = static_cast<std::uint32_t>((year - 1970) * 365 + (year - 1969) / 4 - (year - 1901) / 100 + (year - 1601) / 400);
        if (days_before <= dse || year == 1970) break;
    }
    const std::uint32_t w = dse - days_before;
    const bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    const std::uint16_t* table = leap ? since_leapyear : since_year;
    std::size_t i = 11;
    while (i > 0 && table[i] > w) --i;
    return w - table[i] + 1;
}

bool eval_time(const TimeMatch& t, const Packet& p) {
    // The kernel reads its clock as it processes the packet: the capture's timestamp, to the
    // second. --kerneltz takes sys_tz as 0 minutes west (UTC; the report names the assumption).
    std::int64_t stamp = static_cast<std::int64_t>(p.timestamp_ns / 1000000000ull);
    if (stamp < t.date_start || stamp > t.date_stop) return false;
    const auto packet_time = static_cast<std::uint32_t>(stamp % 86400);
    if (t.daytime_start < t.daytime_stop) {
        if (packet_time < t.daytime_start || packet_time > t.daytime_stop) return false;
    } else {
        if (packet_time < t.daytime_start && packet_time > t.daytime_stop) return false;
        // --contiguous: the small hours belong to the day the range started on.
        if (t.contiguous && packet_time <= t.daytime_stop) stamp -= 86400;
    }
    const auto dse = static_cast<std::uint32_t>(stamp / 86400);
    const std::uint32_t weekday = (4 + dse - 1) % 7 + 1;
    if (!(t.weekdays & (1u << weekday))) return false;
    if (t.monthdays != TimeMatch::all_monthdays && !(t.monthdays & (1u << (kernel_monthday(dse) & 31)))) return false;
    return true;
}

bool eval_connbytes(const ConnbytesMatch& m, const Packet& p) {
    if (!p.ct.has_entry()) return false;
    const auto& pk = p.ct.packets;
    const auto& by = p.ct.bytes;
    auto in_dir = [&](const std::array<std::uint64_t, 2>& c) {
        switch (m.dir) {
            case ConnbytesMatch::Dir::original: return c[0];
            case ConnbytesMatch::Dir::reply: return c[1];
            case ConnbytesMatch::Dir::both: break;
        }
        return c[0] + c[1];
    };
    std::uint64_t what = 0;
    switch (m.what) {
        case ConnbytesMatch::What::packets: what = in_dir(pk); break;
        case ConnbytesMatch::What::bytes: what = in_dir(by); break;
        case ConnbytesMatch::What::avgpkt: {
            const std::uint64_t packets = in_dir(pk);
            what = packets ? in_dir(by) / packets : 0;
            break;
        }
    }
    if (m.to >= m.from) return what >= m.from && what <= m.to;
    return what < m.to || what > m.from;
}

// xt_quota: a packet that fits in what is left takes its length off and matches; one that does
// not empties the budget (no packet matches after it, however small).
bool eval_quota(const Match& m, const QuotaMatch& q, const Packet& p, EngineState& st) {
    auto [it, created] = st.quotas.try_emplace(&m, q.bytes);
    bool ret = q.negated;
    if (it->second >= p.length) {
        it->second -= p.length;
        ret = !ret;
    } else {
        it->second = 0;
    }
    return ret;
}

}  // namespace

void apply_match_effect(const Match& m, Packet& p) {
    const auto* label = std::get_if<ConnlabelMatch>(&m.spec);
    if (label && label->set && p.ct.has_entry()) p.ct.set_label(label->bit);
}

bool header_match_hotdrops(const MatchSpec& m, const Packet& p) {
    const bool upper = !p.fragment && !p.l4_present;  // the upper layer's header is cut short
    if (std::holds_alternative<RtMatch>(m) || std::holds_alternative<FragMatch>(m)) return p.family == Family::ipv6 && p.ext_headers_cut;
    if (const auto* o = std::get_if<OptionsMatch>(&m))
        return p.family == Family::ipv6 && (p.ext_headers_cut || (o->destination ? p.dest_options : p.hop_options).overrun);
    if (std::holds_alternative<AhMatch>(m)) {
        if (p.family == Family::ipv4) return p.proto == proto::ah && upper;
        return p.ext_headers_cut || (p.ah.present && p.ah.cut);
    }
    if (std::holds_alternative<EspMatch>(m)) return p.proto == proto::esp && upper;
    if (std::holds_alternative<IpcompMatch>(m)) return p.proto == proto::ipcomp && upper;
    // xt_tcpmss and xt_ecn's TCP part read the TCP header at the transport offset: a segment cut
    // short is dropped (tcpmss) or not matched (ecn); a later fragment's payload is read as one.
    if (std::holds_alternative<TcpmssMatch>(m)) return p.proto == proto::tcp && (p.fragment || !p.l4_present);
    if (const auto* e = std::get_if<EcnMatch>(&m)) return (e->ece || e->cwr) && p.proto == proto::tcp && p.fragment;
    // xt_sctp walks the chunks whenever the ports let it: one it cannot read drops the packet.
    // xt_dccp drops one whose header is cut short, or whose options it cannot walk.
    if (const auto* l4 = std::get_if<L4PortsMatch>(&m); l4 && l4->reads_transport_extras()) {
        if (p.proto != l4->protocol || p.fragment) return false;
        if (l4->sctp_chunks) return !p.l4_present || p.sctp_chunks.malformed || p.sctp_chunks.overflow;
        return !p.l4_present || (l4->dccp_option && p.dccp_options_bad);
    }
    // xt_hashlimit hashing ports reads them at proto_ports_offset of what the packet carries: a
    // later fragment's payload, the two bytes after IPComp's header (its destination port), which
    // fwbench does not keep; a header cut short drops the packet.
    if (const auto* h = std::get_if<HashLimitMatch>(&m); h && h->hashes_ports()) {
        const bool v4_ah = p.family == Family::ipv4 && p.proto == proto::ah;
        if (!(proto_has_ports(p.proto) || p.proto == proto::esp || p.proto == proto::ipcomp || v4_ah)) return false;
        if (p.fragment) return true;
        if (v4_ah) return !p.ah.present || p.ah.cut;
        return !p.l4_present || (p.proto == proto::ipcomp && h->mode_dstport);
    }
    if (std::holds_alternative<MhMatch>(m))
        return p.family == Family::ipv6 && p.proto == proto::mobility && !p.fragment && (!p.l4_present || p.mh_payload_proto != proto::ipv6_none);
    return false;
}

IpMismatch ip_header_mismatch(const IpHeaderSpec& ip, const Packet& p) {
    if (ip.src && (ip.src->value.contains(p.src) == ip.src->negated)) return IpMismatch::src;
    if (ip.dst && (ip.dst->value.contains(p.dst) == ip.dst->negated)) return IpMismatch::dst;
    if (ip.in && (ip.in->value.matches(p.in.view()) == ip.in->negated)) return IpMismatch::in;
    if (ip.out && (ip.out->value.matches(p.out.view()) == ip.out->negated)) return IpMismatch::out;
    if (ip.proto && ((p.proto == ip.proto->value) == ip.proto->negated)) return IpMismatch::proto;
    if (ip.fragment && (p.fragment != *ip.fragment)) return IpMismatch::fragment;
    return IpMismatch::none;
}

bool evaluate_match(const Match& m, const Packet& p, const MatchContext& ctx) {
    return std::visit(Overloaded{
                          [&](const L4PortsMatch& s) {
                              if (p.fragment || !p.l4_present) return false;
                              if (!port_ok(s.sport, p.sport) || !port_ok(s.dport, p.dport)) return false;
                              if (s.tcp_flags && (((p.tcp_flags & s.tcp_flags->value.mask) == s.tcp_flags->value.comp) == s.tcp_flags->negated))
                                  return false;
                              if (s.tcp_option && (p.has_tcp_option(s.tcp_option->value) == s.tcp_option->negated)) return false;
                              if (s.sctp_chunks && (eval_sctp_chunks(s.sctp_chunks->value, p.sctp_chunks) == s.sctp_chunks->negated)) return false;
                              if (s.dccp_types && (((s.dccp_types->value >> (p.dccp_type & 15)) & 1) != 0) == s.dccp_types->negated) return false;
                              if (s.dccp_option && p.has_dccp_option(s.dccp_option->value) == s.dccp_option->negated) return false;
                              return true;
                          },
                          [&](const IcmpMatch& s) {
                              if (p.fragment || !p.l4_present) return false;
                              bool hit = s.any || (p.icmp_type == s.type && s.code_lo <= p.icmp_code && p.icmp_code <= s.code_hi);
                              return hit != s.negated;
                          },
                          [&](const MultiportMatch& s) {
                              if (p.fragment || !p.l4_present) return false;
                              for (const auto& r : s.ports) {
                                  bool hit = false;
                                  switch (s.which) {
                                      case MultiportMatch::Which::source: hit = r.contains(p.sport); break;
                                      case MultiportMatch::Which::destination: hit = r.contains(p.dport); break;
                                      case MultiportMatch::Which::either: hit = r.contains(p.sport) || r.contains(p.dport); break;
                                  }
                                  if (hit) return !s.negated;
                              }
                              return s.negated;
                          },
                          [&](const StateMatch& s) { return ((s.states & state_bit(p.ct)) != 0) != s.negated; },
                          [&](const ConntrackMatch& s) { return eval_conntrack(s, p); },
                          [&](const IpRangeMatch& s) {
                              if (s.src && (in_range(s.src->value, p.src) == s.src->negated)) return false;
                              if (s.dst && (in_range(s.dst->value, p.dst) == s.dst->negated)) return false;
                              return true;
                          },
                          [&](const AddrTypeMatch& s) {
                              std::string_view dev;
                              if (s.limit_iface_in) dev = p.in.view();
                              if (s.limit_iface_out) dev = p.out.view();
                              if (s.src && ctx.host.has_address_type(p.src, s.src->value, dev) == s.src->negated) return false;
                              if (s.dst && ctx.host.has_address_type(p.dst, s.dst->value, dev) == s.dst->negated) return false;
                              return true;
                          },
                          [&](const MarkMatch& s) {
                              std::uint32_t v = s.connmark ? p.ct.mark : p.mark;
                              // connmark on a packet without a conntrack entry does not match (ct == NULL).
                              if (s.connmark && !p.ct.has_entry()) return false;
                              return ((v & s.mask) == s.value) != s.negated;
                          },
                          [&](const CommentMatch&) { return true; },
                          [&](const MacMatch& s) {
                              // xt_mac: only on Ethernet-like input with a MAC header.
                              if (mac_unknown(m, p, ctx.state)) return false;
                              return (p.src_mac == s.mac) != s.negated;
                          },
                          [&](const LengthMatch& s) { return s.len.contains(static_cast<std::uint16_t>(p.length)) != s.negated; },
                          [&](const TosMatch& s) { return ((p.tos & s.mask) == s.value) != s.negated; },
                          [&](const DscpMatch& s) { return ((p.tos >> 2) == s.dscp) != s.negated; },
                          [&](const TtlMatch& s) {
                              switch (s.op) {
                                  case TtlMatch::Op::eq: return p.ttl == s.value;
                                  case TtlMatch::Op::ne: return p.ttl != s.value;
                                  case TtlMatch::Op::lt: return p.ttl < s.value;
                                  case TtlMatch::Op::gt: return p.ttl > s.value;
                              }
                              return false;
                          },
                          [&](const PktTypeMatch& s) {
                              PktType t = p.pkttype == PktType::outgoing ? PktType::host : p.pkttype;
                              return (t == s.type) != s.negated;
                          },
                          [&](const OwnerMatch& s) {
                              if (!p.has_socket) {
                                  // xt_owner: without a socket the match holds only if every given test is negated.
                                  bool all_negated = true;
                                  if (s.uid) all_negated &= s.uid->negated;
                                  if (s.gid) all_negated &= s.gid->negated;
                                  if (s.socket_exists) all_negated &= s.socket_exists->negated;
                                  return all_negated;
                              }
                              if (s.socket_exists && s.socket_exists->negated) return false;
                              if (s.uid && (s.uid->value.contains(p.uid) == s.uid->negated)) return false;
                              if (s.gid && (s.gid->value.contains(p.gid) == s.gid->negated)) return false;
                              return true;
                          },
                          [&](const LimitMatch& s) { return eval_limit(m, s, p, ctx.state); },
                          [&](const HashLimitMatch& s) { return eval_hashlimit(s, p, ctx.state); },
                          [&](const RecentMatch& s) { return eval_recent(s, p, ctx.hook, ctx.state); },
                          [&](const SetMatch& s) {
                              bool in = ctx.ipsets && ctx.ipsets->contains(s.set_name, p, s.dirs, s.return_nomatch);
                              return in != s.negated;
                          },
                          [&](const PhysdevMatch& s) {
                              if (!p.bridged) {
                                  // xt_physdev: not bridged: only "! --physdev-is-bridged"-style tests can match.
                                  if (s.is_bridged && !s.is_bridged->negated) return false;
                                  if (s.is_in && !s.is_in->negated) return false;
                                  if (s.is_out && !s.is_out->negated) return false;
                                  if (s.in && !s.in->negated) return false;
                                  if (s.out && !s.out->negated) return false;
                                  return true;
                              }
                              if (s.is_bridged && s.is_bridged->negated) return false;
                              if (s.is_in && (p.physdev_in.empty() != s.is_in->negated)) return false;
                              if (s.is_out && (p.physdev_out.empty() != s.is_out->negated)) return false;
                              auto dev_ok = [](const std::optional<Neg<std::string>>& want, const IfaceName& have) {
                                  if (!want) return true;
                                  IfacePattern pat{want->value, false};
                                  if (!pat.name.empty() && pat.name.back() == '+') {
                                      pat.name.pop_back();
                                      pat.wildcard = true;
                                  }
                                  return pat.matches(have.view()) != want->negated;
                              };
                              return dev_ok(s.in, p.physdev_in) && dev_ok(s.out, p.physdev_out);
                          },
                          [&](const PolicyMatch& s) { return eval_policy(s, p); },
                          [&](const StatisticMatch& s) { return eval_statistic(m, s, ctx.state); },
                          [&](const NfacctMatch& s) {
                              ctx.state.count_nfacct(s.name, p.length);
                              return true;
                          },
                          [&](const ConnlimitMatch& s) { return eval_connlimit(m, s, p, ctx.state); },
                          [&](const RpFilterMatch& s) {
                              bool ok = ctx.host.reverse_path_ok(p, s.loose, s.validmark, s.accept_local);
                              return ok != s.invert;
                          },
                          [&](const RtMatch& s) { return eval_rt(s, p); },
                          [&](const SrhMatch& s) { return eval_srh(s, p); },
                          [&](const ClusterMatch& s) { return eval_cluster(s, p); },
                          [&](const ConnlabelMatch& s) { return eval_connlabel(s, p); },
                          [&](const StringMatch& s) { return eval_string(m, s, p, ctx.state); },
                          [&](const U32Match& s) { return eval_u32(m, s, p, ctx.state); },
                          [&](const BpfMatch& s) { return eval_bpf(m, s, p, ctx.state); },
                          [&](const Ipv6HeaderMatch& s) { return eval_ipv6header(s, p); },
                          [&](const FragMatch& s) { return eval_frag(s, p); },
                          [&](const Eui64Match&) { return eval_eui64(m, p, ctx.state); },
                          [&](const OptionsMatch& s) { return eval_options(s, p); },
                          [&](const AhMatch& s) { return eval_ah(s, p); },
                          [&](const EspMatch& s) { return eval_esp(s, p); },
                          [&](const MhMatch& s) { return eval_mh(s, p); },
                          [&](const EcnMatch& s) { return eval_ecn(s, p); },
                          [&](const TcpmssMatch& s) { return eval_tcpmss(s, p); },
                          [&](const QuotaMatch& s) { return eval_quota(m, s, p, ctx.state); },
                          [&](const ConnbytesMatch& s) { return eval_connbytes(s, p); },
                          [&](const TimeMatch& s) {
                              if (s.kerneltz) ++ctx.state.assumed_decisions[&m];  // the report names the timezone taken
                              return eval_time(s, p);
                          },
                          [&](const IpcompMatch& s) { return eval_ipcomp(s, p); },
                          [&](const RealmMatch& s) { return ((p.route_realms & s.mask) == s.id) != s.negated; },
                          [&](const HostStateMatch& s) {
                              ++ctx.state.assumed_decisions[&m];  // the report names each rule decided so
                              return s.assumed;
                          },
                      },
                      m.spec);
}

}  // namespace fwbench
