#pragma once
// Connection tracking as nf_conntrack does it: a table of connections keyed by their original
// and reply tuples, a tracker per protocol (TCP state table of nf_conntrack_proto_tcp.c, UDP,
// ICMP echo pairs and errors, generic), the conntrack state each packet gets
// (NEW, ESTABLISHED, RELATED, INVALID, UNTRACKED), confirmation, timeouts driven by packet
// timestamps, and the NAT bindings of each connection.
//
// Lifecycle of a connection: `classify` on a packet's first hook finds its entry or prepares an
// unconfirmed one (held by the PacketContext, not yet in the table); NAT may bind it; `confirm`
// at the last hook inserts it, unless another connection already holds its reply tuple (NAT
// found no free port): then the packet is dropped, as __nf_conntrack_confirm drops it. A packet
// dropped before confirmation leaves nothing behind.
//
// Storage: both tuples of every connection in one open-addressing table (open_table.hpp: a lookup
// reads one or two cache lines); the connections with their source NAT set up also in lists by
// source (nf_nat_bysource), for NAT to give a client the mapping it had. Connections and the lists'
// nodes come from one pool; expired entries are swept when the table has doubled.
//
// TCP follows nf_conntrack_proto_tcp.c whole: the state table, window tracking (tcp_in_window:
// each direction's highest sequence sent, window and scale, SACK), ignored packets and the resync
// they allow, reopening from TIME_WAIT/CLOSE, the RST checks, and its timeouts (src/tcp_tracking).
//
// Not modelled yet: helpers and expectations (RELATED comes from ICMP errors only); zones.

#include <atomic>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "fwbench/flow_memo.hpp"
#include "fwbench/open_table.hpp"
#include "fwbench/packet.hpp"
#include "fwbench/recycling_allocator.hpp"

namespace fwbench {

class SharedTuples;

enum class TcpCtState : std::uint8_t { none, syn_sent, syn_recv, established, fin_wait, close_wait, last_ack, time_wait, close, syn_sent2 };
const char* tcp_ct_state_name(TcpCtState s);
const char* ct_state_name(CtState s);  // INVALID, NEW, ESTABLISHED, RELATED, UNTRACKED (as --ctstate says them)

struct ConnTuple {
    Family family = Family::ipv4;
    IpAddr src, dst;
    std::uint8_t proto = 0;
    std::uint16_t sport = 0, dport = 0;  // ICMP: sport = id, dport = type
    bool operator==(const ConnTuple&) const = default;
};
std::string format_tuple(const ConnTuple& t);

// The reply tuple a connection expects without NAT.
ConnTuple invert(const ConnTuple& t);

struct ConnTupleHash {
    std::size_t operator()(const ConnTuple& t) const;
};
// Equality as the bytes say (ConnTuple has no padding): one inlined compare of 40 bytes, where
// the member-wise one called memcmp twice.
struct ConnTupleEq {
    static_assert(std::has_unique_object_representations_v<ConnTuple>);
    bool operator()(const ConnTuple& a, const ConnTuple& b) const { return std::memcmp(&a, &b, sizeof(ConnTuple)) == 0; }
};

// One direction's view in TCP window tracking (struct ip_ct_tcp_state).
struct TcpWindow {
    std::uint32_t td_end = 0;  // highest sequence number sent, plus the segment
    std::uint32_t td_maxend = 0;  // highest acknowledged + window seen from the other side
    std::uint32_t td_maxwin = 0;  // largest window (0: this direction not seen yet)
    std::uint32_t td_maxack = 0;  // highest ack sent
    std::uint8_t td_scale = 0;
    std::uint8_t flags = 0;  // tcp_window_flag
};
namespace tcp_window_flag {  // IP_CT_TCP_FLAG_* and the two bits kept in last_flags
constexpr std::uint8_t window_scale = 0x01, sack_perm = 0x02, close_init = 0x04, be_liberal = 0x08, data_unacknowledged = 0x10, maxack_set = 0x20,
                       exp_challenge_ack = 0x40, simultaneous_open = 0x80;
}
// A connection's TCP tracking beyond its state (struct ip_ct_tcp).
struct TcpTracking {
    TcpWindow seen[2];  // by CtDir
    std::uint8_t last_index = 5, last_dir = 0;  // the last packet's flag class (TCP_*_SET) and direction
    std::uint8_t retrans = 0, last_wscale = 0, last_flags = 0;
    std::uint32_t last_seq = 0, last_ack = 0, last_end = 0;
    std::uint16_t last_win = 0;
};

// A connection's expiry time (ns). Other workers read it through SharedTuples while the
// connection's own worker refreshes it with every packet: relaxed atomic accesses, which are
// plain loads and stores on x86, so the read is no data race and costs the owner nothing.
class ExpiryTime {
public:
    ExpiryTime() = default;
    ExpiryTime(const ExpiryTime& o) : ns_(o) {}
    ExpiryTime& operator=(const ExpiryTime& o) { return *this = static_cast<std::uint64_t>(o); }
    ExpiryTime& operator=(std::uint64_t ns) {
        ns_.store(ns, std::memory_order_relaxed);
        return *this;
    }
    operator std::uint64_t() const { return ns_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> ns_{0};
};

struct Connection {
    std::uint64_t id = 0;
    ConnTuple orig, reply;  // reply reflects NAT bindings
    std::uint32_t status = 0;  // ct_status bits
    std::uint32_t mark = 0;
    std::array<std::uint64_t, 2> labels{};  // nf_conn_labels (-m connlabel)
    TcpCtState tcp = TcpCtState::none;
    TcpTracking tcp_track;
    ExpiryTime expires_ns;
    // nf_conn_acct's counters by CtDir: what nf_ct_refresh_acct and nf_ct_kill_acct add (the
    // packets a tracker refreshes the connection with, each its datagram's length).
    std::array<std::uint64_t, 2> acct_packets{}, acct_bytes{};
    bool confirmed = false;
    bool nat_src_done = false, nat_dst_done = false;  // nf_nat_initialized per manip type
    FlowMemo memo[2];  // by CtDir: the flow cache's (flow_cache.hpp); a new entry starts with none
    // The next older connection from the same source with its source NAT set up (nf_nat_bysource's
    // chain): Conntrack keeps these lists, newest first.
    std::shared_ptr<Connection> older_same_source;
};

// Why conntrack found a packet INVALID (ct_invalid_text says it in words, for explain).
enum class CtInvalid : std::uint8_t {
    none,
    fragment,  // a fragment defrag did not reassemble: a later one, or a first one let through (IPv6, not 8-byte aligned)
    truncated,  // no transport header to read ports from
    tcp_flags,  // an invalid TCP flag combination
    tcp_not_first,  // not a valid first packet of a TCP connection
    tcp_loose_off,  // mid-stream packet with nf_conntrack_tcp_loose=0
    tcp_transition,  // no transition from the connection's TCP state (CtAttachment::tcp_from)
    tcp_seq_over_window,  // data beyond what the receiver's window allows
    tcp_ack_over_window,  // acknowledges data not seen yet
    tcp_invalid_rst,  // a reset whose sequence number lies before what the other side acknowledged
    icmp_cannot_start,  // an ICMP type that is not a request (CtAttachment::icmp_type)
    icmp_error_no_quote,
    icmp_error_untracked,
};

// What conntrack decided for one packet (skb->_nfct and ctinfo).
struct CtAttachment {
    std::shared_ptr<Connection> conn;  // null: INVALID or UNTRACKED
    CtState state = CtState::invalid;
    CtDir dir = CtDir::original;
    bool is_new = false;  // created by this packet (unconfirmed)
    CtInvalid invalid = CtInvalid::none;  // why INVALID, for explain
    TcpCtState tcp_from = TcpCtState::none;  // tcp_transition: the state it came from
    std::uint8_t icmp_type = 0;  // icmp_cannot_start: the type
};
std::string ct_invalid_text(CtInvalid why, TcpCtState tcp_from, std::uint8_t icmp_type);

// The nf_conntrack TCP sysctls (kernel defaults).
struct ConntrackOptions {
    bool tcp_loose = true;  // pick up connections mid-stream
    bool tcp_be_liberal = false;  // out-of-window packets are not INVALID (RSTs still checked)
    bool tcp_ignore_invalid_rst = false;  // a reset before the acknowledged sequence is not INVALID
    int tcp_max_retrans = 3;  // retransmissions before the 5-minute retransmission timeout
};

// A packet's entry in the table as Conntrack::find found it (valid until the table changes).
struct CtEntryRef {
    ConnTuple tuple;
    std::pair<std::shared_ptr<Connection>, CtDir>* entry = nullptr;  // null: no live entry
    Connection* conn() const { return entry ? entry->first.get() : nullptr; }
    CtDir dir() const { return entry ? entry->second : CtDir::original; }
};

// A packet's lookup prepared ahead of its turn by a burst's first stage (PacketPath::process_burst):
// its tuple and the tuple's hash. Both depend on the packet alone, so they still hold after the
// packets before it in the burst have changed the table.
struct CtLookahead {
    ConnTuple tuple;
    std::uint32_t hash = 0;
    bool ready = false;  // false: nothing to look up (find(p) would find nothing)
};

class Conntrack {
public:
    explicit Conntrack(ConntrackOptions opt) : opt_(opt) {}
    Conntrack(const Conntrack&) = delete;
    Conntrack& operator=(const Conntrack&) = delete;
    Conntrack(Conntrack&&) = default;
    Conntrack& operator=(Conntrack&&) = default;
    ~Conntrack();  // unlinks the by-source lists one by one: a long one must not recurse

    // nf_conntrack_in: find or create the packet's connection and track its protocol state.
    CtAttachment classify(const Packet& p);
    // The live entry classify would find for the packet, changing nothing: the flow cache's look
    // before it lets conntrack see the packet. None for a packet without a trackable tuple, one
    // classify decides by its ICMP type, or one whose entry is gone or past its time.
    CtEntryRef find(const Packet& p);
    // A burst's stages before find: the packet's tuple and hash, with its home slot asked for
    // from the cache; then, once the slot has arrived, the connection it holds now asked for too.
    // Neither changes anything: the connection may be another by the packet's turn, and find
    // looks again.
    CtLookahead look_ahead(const Packet& p) const;
    void prefetch_connection(const CtLookahead& ahead) const;
    // find(p) given look_ahead(p): the same entry, without computing the tuple and hash again.
    CtEntryRef find(const Packet& p, const CtLookahead& ahead);
    // The tuple classify looks the packet's connection up by: its own, an ICMP error's the quoted
    // packet's turned around. None when it has none (a later fragment, truncated, untracked ICMPv6).
    static std::optional<ConnTuple> lookup_tuple(const Packet& p);
    // Whether a connection live at `now_ns` holds `t` in this table.
    bool holds(const ConnTuple& t, std::uint64_t now_ns) const {
        const Entry* e = by_tuple_.find(t);
        return e && e->first->expires_ns >= now_ns;
    }
    // classify(p) for a packet `found` was found for, the table unchanged since: one lookup.
    CtAttachment classify(const Packet& p, const CtEntryRef& found);
    // __nf_conntrack_confirm: insert a new connection when its first packet leaves the last hook.
    // False, inserting nothing, when another live connection holds either of its tuples (a NAT
    // port search that found no free port leaves the reply tuple clashing): nf_ct_resolve_clash
    // cannot merge two different connections, and the packet is dropped (insert_failed).
    [[nodiscard]] bool confirm(const CtAttachment& ct);
    // Sets up, confirmed, the connection this packet replies to (as if the other side had
    // opened it): the packet will then be ESTABLISHED in the reply direction. For explain's
    // "[established]". Returns false when the packet has no trackable tuple, or when another
    // connection already holds one of the tuples.
    bool seed_established(const Packet& p);
    // Fills the packet's conntrack view from the attachment (what the matches see).
    static void describe(const CtAttachment& ct, Packet& p);

    // Workers that keep conntrack tables apart see one another's tuples through `shared`
    // (shared_tuples.hpp): NAT's search counts them as taken, confirmation refuses them, and this
    // table registers its connections there as worker `worker`. Before the first packet.
    void share(SharedTuples* shared, unsigned worker);

    std::size_t size() const;  // live connections (a walk over the table: for reports)
    // Whether another connection already expects replies on this tuple (nf_nat_used_tuple).
    bool reply_tuple_taken(const ConnTuple& reply, const Connection* self) const;
    // nf_nat_used_tuple_harder's eviction, for a new TCP connection in SYN_SENT late in its port
    // search: `reply` is taken as reply_tuple_taken says, except that a connection holding it as
    // its reply tuple, SNATed, in TIME_WAIT or later, whose client `self`'s has passed in
    // sequence, is killed to free it (nf_nat_may_kill, nf_seq_has_advanced): then not taken.
    bool reply_tuple_taken_evicting(const ConnTuple& reply, const Connection& self);
    std::vector<std::shared_ptr<Connection>> connections() const;
    // find_appropriate_src: the newest live connection from the same source (address, port or
    // id, protocol) whose source NAT is set up and whose mapped source `in_range` accepts; its
    // mapping, toward `orig`'s destination. NAT gives a client one mapping for all its peers.
    template <class InRange>
    std::optional<ConnTuple> earlier_source_mapping(const ConnTuple& orig, InRange in_range) const {
        auto it = by_source_.find(source_key(orig));
        if (it == by_source_.end()) return std::nullopt;
        for (const Connection* c = it->second.get(); c; c = c->older_same_source.get()) {
            if (!live(*c)) continue;
            ConnTuple mapped = invert(c->reply);
            mapped.dst = orig.dst;
            mapped.dport = orig.dport;
            if (in_range(mapped)) return mapped;
        }
        return std::nullopt;
    }

private:
    static ConnTuple source_key(const ConnTuple& orig) {
        ConnTuple k;
        k.family = orig.family;
        k.src = orig.src;
        k.proto = orig.proto;
        k.sport = orig.sport;
        return k;
    }
    static std::optional<ConnTuple> tuple_of(const Packet& p, CtInvalid& why_not);
    void advance_clock(std::uint64_t now_ns);  // what live() measures against; sweep() removes
    enum class Tracked : std::uint8_t { accept, invalid, reopen, accept_and_kill };
    Tracked track(Connection& c, CtDir dir, const Packet& p, bool is_new, CtAttachment& at);
    using Entry = std::pair<std::shared_ptr<Connection>, CtDir>;
    // classify once the tuple is known and its live entry (null: none) found.
    CtAttachment track_entry(const Packet& p, const ConnTuple& tuple, Entry* entry, CtAttachment at);
    void forget(Connection& c);  // removes both tuples and its by-source link (nf_ct_kill)
    void set_timeout(Connection& c, std::uint64_t now_ns) const;

    ConntrackOptions opt_;
    // Connections and by_source_'s nodes come from one pool (by_tuple_ grows its own array): once
    // the number of connections stops growing, creating and expiring them allocates nothing.
    std::shared_ptr<BlockPool> pool_ = std::make_shared<BlockPool>();
    OpenTable<ConnTuple, Entry, ConnTupleHash, ConnTupleEq> by_tuple_;
    // nf_nat_bysource: the newest confirmed connection with its source manip set up, by
    // source_key; Connection::older_same_source links the rest. Nodes come from the pool too.
    using SourceEntry = std::pair<const ConnTuple, std::shared_ptr<Connection>>;
    std::unordered_map<ConnTuple, std::shared_ptr<Connection>, ConnTupleHash, std::equal_to<ConnTuple>, RecyclingAllocator<SourceEntry>> by_source_{
        16, ConnTupleHash{}, std::equal_to<ConnTuple>{}, RecyclingAllocator<SourceEntry>(pool_)};
    void unlink_source(Connection& c);
    std::uint64_t next_id_ = 1;
    void sweep();  // removes the entries past their time
    std::size_t sweep_at_ = 4096;  // table entries at which confirm() sweeps first
    std::uint64_t now_ns_ = 0;  // the latest packet time seen: what "expired" is measured against
    bool live(const Connection& c) const;
    SharedTuples* shared_ = nullptr;
    unsigned worker_ = 0;
};

}  // namespace fwbench
