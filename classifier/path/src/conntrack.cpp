#include "fwbench/conntrack.hpp"

#include "fwbench/shared_tuples.hpp"

#include "tcp_tracking.hpp"

#include <algorithm>
#include <cstring>

namespace fwbench {

const char* ct_state_name(CtState s) {
    switch (s) {
        case CtState::invalid: return "INVALID";
        case CtState::new_: return "NEW";
        case CtState::established: return "ESTABLISHED";
        case CtState::related: return "RELATED";
        case CtState::untracked: return "UNTRACKED";
    }
    return "?";
}

const char* tcp_ct_state_name(TcpCtState s) {
    static constexpr const char* names[] = {"NONE",       "SYN_SENT", "SYN_RECV",  "ESTABLISHED", "FIN_WAIT",
                                            "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE",       "SYN_SENT2"};
    return names[static_cast<int>(s)];
}

std::string format_tuple(const ConnTuple& t) {
    return std::to_string(t.proto) + " " + format_endpoint(t.src, t.sport) + " > " + format_endpoint(t.dst, t.dport);
}

std::size_t ConnTupleHash::operator()(const ConnTuple& t) const {
    // Eight bytes at a time, each word multiplied in (a byte at a time cost a multiply per byte,
    // 35 per lookup, on every packet).
    std::uint64_t w[4];
    std::memcpy(w, t.src.bytes.data(), 16);
    std::memcpy(w + 2, t.dst.bytes.data(), 16);
    std::uint64_t h = 0x9e3779b97f4a7c15ull ^ (std::uint64_t{t.proto} << 32 | std::uint64_t{t.sport} << 16 | t.dport);
    for (std::uint64_t v : w) {
        h ^= v;
        h *= 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    return static_cast<std::size_t>(h);
}

namespace {

// ICMP request types and the reply each expects (icmp_pkt_to_tuple / invmap).
std::optional<std::uint8_t> icmp_reply_type(std::uint8_t type, bool v6) {
    if (!v6) {
        switch (type) {
            case 8: return 0;  // echo
            case 0: return 8;
            case 13: return 14;  // timestamp
            case 14: return 13;
            case 15: return 16;  // info
            case 16: return 15;
            case 17: return 18;  // address mask
            case 18: return 17;
        }
    } else {
        switch (type) {
            case 128: return 129;
            case 129: return 128;
            case 139: return 140;  // node information
            case 140: return 139;
        }
    }
    return std::nullopt;
}

bool icmp_is_request(std::uint8_t type, bool v6) { return v6 ? (type == 128 || type == 139) : (type == 8 || type == 13 || type == 15 || type == 17); }

// noct_valid_new: MLD queries, reports and done (130-132, 143), router and neighbour
// solicitations and advertisements (133-136). A redirect (137) is tracked (and cannot start).
bool icmpv6_untracked_type(std::uint8_t type) { return (type >= 130 && type <= 136) || type == 143; }

// ICMPv6's untracked types and ICMP errors: classify decides them by their type, never by an
// entry of their own tuple.
bool classified_by_type(const Packet& p) {
    const bool v6 = p.proto == proto::icmpv6;
    if (v6 && p.l4_present && icmpv6_untracked_type(p.icmp_type)) return true;
    return (p.proto == proto::icmp || v6) && icmp_is_error(p.icmp_type, v6);
}

constexpr std::uint64_t sec = 1000000000ull;

}  // namespace

ConnTuple invert(const ConnTuple& t) {
    ConnTuple r = t;
    r.src = t.dst;
    r.dst = t.src;
    if (t.proto == proto::icmp || t.proto == proto::icmpv6) {
        r.sport = t.sport;  // the id stays
        auto rt = icmp_reply_type(static_cast<std::uint8_t>(t.dport), t.proto == proto::icmpv6);
        r.dport = rt ? *rt : t.dport;
    } else {
        r.sport = t.dport;
        r.dport = t.sport;
    }
    return r;
}

std::string ct_invalid_text(CtInvalid why, TcpCtState tcp_from, std::uint8_t icmp_type) {
    switch (why) {
        case CtInvalid::none: return "";
        case CtInvalid::fragment:
            return "a fragment conntrack's defrag did not reassemble (no transport header, or one that covers the whole datagram)";
        case CtInvalid::truncated: return "truncated transport header";
        case CtInvalid::tcp_flags: return "invalid TCP flag combination";
        case CtInvalid::tcp_not_first: return "not a valid first packet of a TCP connection";
        case CtInvalid::tcp_loose_off: return "mid-stream packet with nf_conntrack_tcp_loose=0";
        case CtInvalid::tcp_transition: return std::string("invalid TCP transition from ") + tcp_ct_state_name(tcp_from);
        case CtInvalid::tcp_seq_over_window: return "TCP segment beyond the receiver's window";
        case CtInvalid::tcp_ack_over_window: return "TCP acknowledgement of data not seen yet";
        case CtInvalid::tcp_invalid_rst: return "TCP reset before the acknowledged sequence number";
        case CtInvalid::icmp_cannot_start: return "ICMP type " + std::to_string(icmp_type) + " cannot start a connection";
        case CtInvalid::icmp_error_no_quote: return "ICMP error without a quoted header";
        case CtInvalid::icmp_error_untracked: return "ICMP error about an untracked flow";
    }
    return "?";
}

std::optional<ConnTuple> Conntrack::tuple_of(const Packet& p, CtInvalid& why_not) {
    ConnTuple t;
    t.family = p.family;
    t.src = p.src;
    t.dst = p.dst;
    t.proto = p.proto;
    // A later fragment has no transport header; a first one that defrag let through unreassembled
    // (IPv6: not 8-byte aligned) has one whose length and checksum cover the whole datagram, so
    // udp_error, tcp_error and icmpv6_error find it malformed.
    const bool checked_l4 = p.proto == proto::tcp || p.proto == proto::udp || p.proto == proto::udplite || p.proto == proto::icmpv6;
    if (p.fragment || (p.is_fragment() && p.more_fragments && checked_l4)) {
        why_not = CtInvalid::fragment;
        return std::nullopt;
    }
    switch (p.proto) {
        case proto::tcp:
        case proto::udp:
        case proto::udplite:
        case proto::sctp:
        case proto::dccp:
            if (!p.l4_present) {
                why_not = CtInvalid::truncated;
                return std::nullopt;
            }
            t.sport = p.sport;
            t.dport = p.dport;
            break;
        case proto::icmp:
        case proto::icmpv6:
            t.sport = p.icmp_id;
            t.dport = p.icmp_type;
            break;
        default: break;
    }
    return t;
}

void Conntrack::advance_clock(std::uint64_t now_ns) {
    if (now_ns > now_ns_) now_ns_ = now_ns;
}

void Conntrack::sweep() {
    // Entries past their time are already gone for lookups (live()); removing them only bounds
    // memory. So the table is swept when it has doubled since the last sweep, as a vector grows:
    // each sweep's cost is paid by the entries added since, a constant per new connection, and
    // the table stays within twice what it held after the last sweep. (A sweep of the whole
    // table every second of capture time grew with a long capture's connections: 60% of the
    // time at 1M packets; four buckets per packet, as the kernel's gc_worker goes, still 32%.)
    by_tuple_.erase_if([&](const ConnTuple&, const Entry& e) {
        if (live(*e.first)) return false;
        if (shared_) shared_->release(*e.first);
        return true;
    });
    for (auto it = by_source_.begin(); it != by_source_.end();) {
        for (std::shared_ptr<Connection>* link = &it->second; *link;) {
            if (live(**link)) link = &(*link)->older_same_source;
            else *link = std::move((*link)->older_same_source);
        }
        if (!it->second) it = by_source_.erase(it);
        else ++it;
    }
    sweep_at_ = std::max<std::size_t>(2 * by_tuple_.size(), 4096);
}

bool Conntrack::live(const Connection& c) const { return c.expires_ns >= now_ns_; }

void Conntrack::set_timeout(Connection& c, std::uint64_t now_ns) const {
    std::uint64_t t;
    switch (c.orig.proto) {
        case proto::udp:
        case proto::udplite: t = (c.status & ct_status::seen_reply) ? ((c.status & ct_status::assured) ? 120 * sec : 30 * sec) : 30 * sec; break;
        case proto::icmp:
        case proto::icmpv6: t = 30 * sec; break;
        case proto::tcp: t = 5ull * 24 * 3600 * sec; break;  // only for seed_established: the tracker times the rest
        default: t = 600 * sec; break;
    }
    c.expires_ns = now_ns + t;
}

namespace {

// nf_ct_acct_update: the packet and its length (skb->len, the whole datagram) in its direction.
void account(Connection& c, CtDir dir, const Packet& p) {
    const auto d = static_cast<std::size_t>(dir);
    ++c.acct_packets[d];
    c.acct_bytes[d] += p.length;
}

}  // namespace

Conntrack::Tracked Conntrack::track(Connection& c, CtDir dir, const Packet& p, bool is_new, CtAttachment& at) {
    switch (c.orig.proto) {
        case proto::tcp: {
            if (!tcp_flags_valid(p.tcp_flags)) {
                at.invalid = CtInvalid::tcp_flags;
                return Tracked::invalid;
            }
            if (is_new && !tcp_new(c, p, opt_, at.invalid)) return Tracked::invalid;
            const TcpTrackResult r = tcp_packet(c, dir, p, opt_, p.timestamp_ns);
            if (r.accounted) account(c, dir, p);
            switch (r.verdict) {
                case TcpVerdict::accept: return Tracked::accept;
                case TcpVerdict::accept_and_kill: return Tracked::accept_and_kill;
                case TcpVerdict::reopen: return Tracked::reopen;
                case TcpVerdict::invalid:
                    at.invalid = r.why;
                    at.tcp_from = r.from;
                    return Tracked::invalid;
            }
            return Tracked::invalid;
        }
        case proto::icmp:
        case proto::icmpv6: {
            bool v6 = c.orig.proto == proto::icmpv6;
            if (is_new && !icmp_is_request(p.icmp_type, v6)) {
                at.invalid = CtInvalid::icmp_cannot_start;
                at.icmp_type = p.icmp_type;
                return Tracked::invalid;
            }
            account(c, dir, p);
            return Tracked::accept;
        }
        default:
            if (dir == CtDir::reply && (c.orig.proto == proto::udp || c.orig.proto == proto::udplite) && (c.status & ct_status::seen_reply))
                c.status |= ct_status::assured;
            account(c, dir, p);
            return Tracked::accept;
    }
}

void Conntrack::forget(Connection& c) {
    // Unlinked first: the table still holds c, so dropping the list's reference cannot free it.
    unlink_source(c);
    if (shared_) shared_->release(c);
    const ConnTuple reply = c.reply;
    by_tuple_.erase(c.orig);
    by_tuple_.erase(reply);  // may free c
}

void Conntrack::unlink_source(Connection& c) {
    if (!c.nat_src_done) return;
    auto it = by_source_.find(source_key(c.orig));
    if (it == by_source_.end()) return;
    std::shared_ptr<Connection>* link = &it->second;
    while (*link && link->get() != &c) link = &(*link)->older_same_source;
    if (*link) *link = std::move(c.older_same_source);
    if (!it->second) by_source_.erase(it);
}

void Conntrack::share(SharedTuples* shared, unsigned worker) {
    shared_ = shared;
    worker_ = worker;
}

Conntrack::~Conntrack() {
    if (shared_) by_tuple_.for_each([&](const ConnTuple&, const Entry& e) { shared_->release(*e.first); });
    for (auto& [key, newest] : by_source_)
        while (newest) newest = std::move(newest->older_same_source);
}

std::optional<ConnTuple> Conntrack::lookup_tuple(const Packet& p) {
    const bool v6 = p.proto == proto::icmpv6;
    if (v6 && p.l4_present && icmpv6_untracked_type(p.icmp_type)) return std::nullopt;
    if ((p.proto == proto::icmp || v6) && icmp_is_error(p.icmp_type, v6)) {
        if (!p.icmp_quoted.present) return std::nullopt;
        return invert(ConnTuple{p.family, p.icmp_quoted.src, p.icmp_quoted.dst, p.icmp_quoted.proto, p.icmp_quoted.sport, p.icmp_quoted.dport});
    }
    CtInvalid why = CtInvalid::none;
    return tuple_of(p, why);
}

CtAttachment Conntrack::classify(const Packet& p) {
    advance_clock(p.timestamp_ns);
    CtAttachment at;
    bool icmp = p.proto == proto::icmp || p.proto == proto::icmpv6;
    // nf_conntrack_icmpv6_error: neighbour discovery and MLD are the stack's own: UNTRACKED.
    if (p.proto == proto::icmpv6 && p.l4_present && icmpv6_untracked_type(p.icmp_type)) {
        at.state = CtState::untracked;
        return at;
    }
    if (icmp && icmp_is_error(p.icmp_type, p.proto == proto::icmpv6)) {
        // icmp_error: an error about a tracked flow is RELATED to it; otherwise INVALID.
        if (!p.icmp_quoted.present) {
            at.invalid = CtInvalid::icmp_error_no_quote;
            return at;
        }
        ConnTuple quoted{p.family, p.icmp_quoted.src, p.icmp_quoted.dst, p.icmp_quoted.proto, p.icmp_quoted.sport, p.icmp_quoted.dport};
        // icmp_error_message: the quoted packet travelled the other way; its inverted tuple
        // is the direction this error travels in (and holds under NAT too).
        const Entry* entry = by_tuple_.find(invert(quoted));
        if (!entry) {
            at.invalid = CtInvalid::icmp_error_untracked;
            return at;
        }
        at.conn = entry->first;
        at.dir = entry->second;
        at.state = CtState::related;
        return at;
    }
    auto tuple = tuple_of(p, at.invalid);
    if (!tuple) return at;
    Entry* entry = by_tuple_.find(*tuple);
    if (entry && entry->first->expires_ns < p.timestamp_ns) {
        // Timed out since the last scan: gone for the kernel too.
        forget(*entry->first);
        entry = nullptr;
    }
    return track_entry(p, *tuple, entry, at);
}

CtAttachment Conntrack::classify(const Packet& p, const CtEntryRef& found) {
    if (!found.entry) return classify(p);
    advance_clock(p.timestamp_ns);
    return track_entry(p, found.tuple, found.entry, CtAttachment{});
}

CtAttachment Conntrack::track_entry(const Packet& p, const ConnTuple& tuple, Entry* entry, CtAttachment at) {
    if (entry) {
        auto conn = entry->first;
        CtDir dir = entry->second;
        switch (track(*conn, dir, p, false, at)) {
            case Tracked::invalid: return at;
            case Tracked::reopen: forget(*conn); break;  // nf_ct_kill and NF_REPEAT: looked up again, a new connection
            case Tracked::accept_and_kill: forget(*conn); [[fallthrough]];
            case Tracked::accept:
                // ctinfo was decided before tracking; SEEN_REPLY is set after it.
                at.state = dir == CtDir::reply || (conn->status & ct_status::seen_reply) ? CtState::established : CtState::new_;
                if (dir == CtDir::reply) conn->status |= ct_status::seen_reply;
                if (conn->orig.proto != proto::tcp) set_timeout(*conn, p.timestamp_ns);  // TCP's tracker sets its own
                at.conn = conn;
                at.dir = dir;
                return at;
        }
    }
    auto conn = std::allocate_shared<Connection>(RecyclingAllocator<Connection>(pool_));
    conn->id = next_id_++;
    conn->orig = tuple;
    conn->reply = invert(tuple);
    if (track(*conn, CtDir::original, p, true, at) == Tracked::invalid) return at;
    if (conn->orig.proto != proto::tcp) set_timeout(*conn, p.timestamp_ns);
    at.conn = conn;
    at.dir = CtDir::original;
    at.state = CtState::new_;
    at.is_new = true;
    return at;
}

CtEntryRef Conntrack::find(const Packet& p) { return find(p, look_ahead(p)); }

CtLookahead Conntrack::look_ahead(const Packet& p) const {
    CtLookahead ahead;
    if (classified_by_type(p)) return ahead;
    CtInvalid why = CtInvalid::none;
    const auto tuple = tuple_of(p, why);
    if (!tuple) return ahead;
    ahead.tuple = *tuple;
    ahead.hash = decltype(by_tuple_)::hash_of(*tuple);
    ahead.ready = true;
    by_tuple_.prefetch(ahead.hash);
    return ahead;
}

void Conntrack::prefetch_connection(const CtLookahead& ahead) const {
    if (!ahead.ready) return;
    const Entry* e = by_tuple_.peek(ahead.tuple, ahead.hash);
    if (!e) return;
    // What a replay reads: the tuples, status, mark, TCP's tracking and the expiry (the lines up to
    // the first memo), then the direction's memo.
    const Connection* c = e->first.get();
    const char* head = reinterpret_cast<const char*>(c);
    for (std::size_t at = 0; at < offsetof(Connection, memo); at += 64) __builtin_prefetch(head + at);
    const char* memo = reinterpret_cast<const char*>(&c->memo[static_cast<int>(e->second)]);
    __builtin_prefetch(memo);
    __builtin_prefetch(memo + sizeof(FlowMemo) - 1);
}

CtEntryRef Conntrack::find(const Packet& p, const CtLookahead& ahead) {
    CtEntryRef found;
    if (!ahead.ready) return found;
    Entry* entry = by_tuple_.find(ahead.tuple, ahead.hash);
    if (!entry || entry->first->expires_ns < p.timestamp_ns) return found;
    found.tuple = ahead.tuple;
    found.entry = entry;
    return found;
}

bool Conntrack::seed_established(const Packet& p) {
    CtInvalid why = CtInvalid::none;
    auto t = tuple_of(p, why);
    if (!t) return false;
    auto conn = std::allocate_shared<Connection>(RecyclingAllocator<Connection>(pool_));
    conn->id = next_id_++;
    conn->orig = invert(*t);
    conn->reply = *t;
    conn->status = ct_status::seen_reply | ct_status::assured;
    conn->tcp = TcpCtState::established;
    // Its sequence numbers were never seen: the windows are set up by the next packets of each
    // side, liberally (as for a connection picked up mid-stream), so none is out of window.
    conn->tcp_track.seen[0].flags = conn->tcp_track.seen[1].flags = tcp_window_flag::sack_perm | tcp_window_flag::be_liberal;
    set_timeout(*conn, p.timestamp_ns);
    CtAttachment at;
    at.conn = conn;
    return confirm(at);
}

bool Conntrack::confirm(const CtAttachment& ct) {
    if (!ct.conn || ct.conn->confirmed) return true;
    // Either tuple held by another live connection is a clash. NAT's search is what leaves a reply
    // tuple clashing; the original one classify found free, and one lookup more keeps an insert
    // from ever overwriting another connection's entry.
    if (reply_tuple_taken(ct.conn->reply, ct.conn.get()) || reply_tuple_taken(ct.conn->orig, ct.conn.get())) return false;
    if (shared_ && !shared_->claim(*ct.conn, worker_, now_ns_)) return false;
    ct.conn->confirmed = true;
    ct.conn->status |= ct_status::confirmed;
    if (by_tuple_.size() + 2 > sweep_at_) sweep();
    by_tuple_[ct.conn->orig] = {ct.conn, CtDir::original};
    by_tuple_[ct.conn->reply] = {ct.conn, CtDir::reply};
    if (ct.conn->nat_src_done) {
        std::shared_ptr<Connection>& newest = by_source_[source_key(ct.conn->orig)];
        ct.conn->older_same_source = std::move(newest);
        newest = ct.conn;
    }
    return true;
}

void Conntrack::describe(const CtAttachment& ct, Packet& p) {
    p.ct = ConntrackView{};
    p.ct.state = ct.state;
    p.ct.dir = ct.dir;
    if (!ct.conn) return;
    p.ct.status = ct.conn->status;
    p.ct.mark = ct.conn->mark;
    p.ct.labels = ct.conn->labels;
    p.ct.l4proto = ct.conn->orig.proto;
    p.ct.orig = {ct.conn->orig.src, ct.conn->orig.dst, ct.conn->orig.sport, ct.conn->orig.dport};
    p.ct.reply = {ct.conn->reply.src, ct.conn->reply.dst, ct.conn->reply.sport, ct.conn->reply.dport};
    p.ct.expires_s = static_cast<std::uint32_t>(ct.conn->expires_ns > p.timestamp_ns ? (ct.conn->expires_ns - p.timestamp_ns) / sec : 0);
    p.ct.packets = ct.conn->acct_packets;
    p.ct.bytes = ct.conn->acct_bytes;
}

bool Conntrack::reply_tuple_taken(const ConnTuple& reply, const Connection* self) const {
    // nf_conntrack_tuple_taken skips an entry past its time too.
    const Entry* entry = by_tuple_.find(reply);
    if (entry && entry->first.get() != self && live(*entry->first)) return true;
    return shared_ && shared_->held_elsewhere(reply, worker_, now_ns_);
}

bool Conntrack::reply_tuple_taken_evicting(const ConnTuple& reply, const Connection& self) {
    const Entry* entry = by_tuple_.find(reply);
    // Another worker's connection cannot be killed from here: its tuple stays taken.
    if (!entry || entry->first.get() == &self || !live(*entry->first)) return shared_ && shared_->held_elsewhere(reply, worker_, now_ns_);
    Connection& other = *entry->first;
    if (entry->second != CtDir::reply) return true;  // another connection's original tuple
    const bool may_kill = other.orig.proto == proto::tcp && other.tcp >= TcpCtState::time_wait && (other.status & ct_status::src_nat);
    // Serial arithmetic, as the kernel compares sequence numbers.
    const bool advanced = static_cast<std::int32_t>(self.tcp_track.seen[0].td_end - other.tcp_track.seen[0].td_end) > 0;
    if (!may_kill || !advanced) return true;
    forget(other);
    return false;
}

std::size_t Conntrack::size() const {
    std::size_t n = 0;
    by_tuple_.for_each([&](const ConnTuple&, const Entry& e) { n += e.second == CtDir::original && live(*e.first); });
    return n;
}

std::vector<std::shared_ptr<Connection>> Conntrack::connections() const {
    std::vector<std::shared_ptr<Connection>> out;
    by_tuple_.for_each([&](const ConnTuple&, const Entry& e) {
        if (e.second == CtDir::original && live(*e.first)) out.push_back(e.first);
    });
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a->id < b->id; });
    return out;
}

}  // namespace fwbench
