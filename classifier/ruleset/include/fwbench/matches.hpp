#pragma once
// Typed match specifications: one struct per iptables match module, holding exactly what the
// module's options say. The parser (match_modules.cpp) builds them; engines read them.
//
// Conventions: a `Neg<T>` is an option value with its `!`; absent options are std::nullopt.
// Port and value ranges are inclusive [lo, hi]. Nothing here depends on the address family except
// through IpAddr/IpPrefix, which carry their own family.

#include <array>
#include <cstdint>
#include <optional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "fwbench/addr.hpp"
#include "fwbench/classic_bpf.hpp"
#include "fwbench/packet.hpp"
#include "fwbench/text_search.hpp"

namespace fwbench {

template <class T>
struct Neg {
    T value{};
    bool negated = false;
    bool operator==(const Neg&) const = default;
};

template <class T>
struct Range {
    T lo{}, hi{};
    bool contains(T v) const { return lo <= v && v <= hi; }
    bool operator==(const Range&) const = default;
};
using PortRange = Range<std::uint16_t>;

// State bits shared by -m state and -m conntrack --ctstate (SNAT/DNAT only for conntrack).
namespace ct_state_bit {
constexpr std::uint8_t invalid = 1, new_ = 2, established = 4, related = 8, untracked = 16, snat = 32, dnat = 64;
}

// The state bit -m state tests; with_nat adds the SNAT/DNAT virtual states -m conntrack
// --ctstate also tests.
inline std::uint8_t ct_state_bits(const ConntrackView& ct, bool with_nat) {
    std::uint8_t bits = ct_state_bit::invalid;
    switch (ct.state) {
        case CtState::invalid: bits = ct_state_bit::invalid; break;
        case CtState::new_: bits = ct_state_bit::new_; break;
        case CtState::established: bits = ct_state_bit::established; break;
        case CtState::related: bits = ct_state_bit::related; break;
        case CtState::untracked: bits = ct_state_bit::untracked; break;
    }
    if (with_nat && ct.has_entry()) {
        if (ct.status & ct_status::src_nat) bits |= ct_state_bit::snat;
        if (ct.status & ct_status::dst_nat) bits |= ct_state_bit::dnat;
    }
    return bits;
}

struct TcpFlagsSpec {
    std::uint8_t mask = 0, comp = 0;
    bool operator==(const TcpFlagsSpec&) const = default;
};

// tcp, udp, udplite, sctp, dccp: the port options (and tcp's flag/option tests).
// sctp's --chunk-types (struct xt_sctp_info): the chunk types, how the packet's chunks must meet
// them, and flags to check for at most four types. A flag entry's type is what the kernel is
// given: libxt_sctp stores the index of the chunk's name in its table there, which is the type
// for DATA, ABORT and SHUTDOWN_COMPLETE only (I_DATA's flags are checked on chunks of type 15).
struct SctpChunkSpec {
    enum class Kind : std::uint8_t { any, all, only } kind = Kind::any;
    std::array<std::uint32_t, 8> types{};  // a bit per chunk type
    struct Flags {
        std::uint8_t chunk_type = 0, flags = 0, mask = 0;
        bool operator==(const Flags&) const = default;
    };
    std::array<Flags, 4> flag_info{};  // XT_NUM_SCTP_FLAGS
    std::uint8_t flag_count = 0;
    bool has(std::uint8_t type) const { return (types[type >> 5] >> (type & 31)) & 1; }
    void set(std::uint8_t type) { types[type >> 5] |= 1u << (type & 31); }
    bool operator==(const SctpChunkSpec&) const = default;
};

struct L4PortsMatch {
    std::uint8_t protocol = 0;  // which module: tcp, udp, udplite, sctp, dccp
    std::optional<Neg<PortRange>> sport, dport;
    std::optional<Neg<TcpFlagsSpec>> tcp_flags;  // tcp only (--syn sets it too)
    std::optional<Neg<std::uint8_t>> tcp_option;  // tcp only
    std::optional<Neg<SctpChunkSpec>> sctp_chunks;  // sctp only
    std::optional<Neg<std::uint16_t>> dccp_types;  // dccp only: a bit per packet type (INVALID brings 11-15 along)
    std::optional<Neg<std::uint8_t>> dccp_option;  // dccp only: an option kind 1-255
    // Reads more of the transport header than ports and TCP's fields: SCTP's chunks, DCCP's type
    // or options (a packet whose header cannot be read that far is a kernel hotdrop).
    bool reads_transport_extras() const { return sctp_chunks || dccp_types || dccp_option; }
    bool operator==(const L4PortsMatch&) const = default;
};

struct IcmpMatch {
    bool v6 = false;
    bool any = false;  // "any" type
    std::uint8_t type = 0;
    std::uint8_t code_lo = 0, code_hi = 0xff;
    bool negated = false;
    bool operator==(const IcmpMatch&) const = default;
};

struct MultiportMatch {
    enum class Which : std::uint8_t { source, destination, either } which = Which::either;
    std::vector<PortRange> ports;
    bool negated = false;
    bool operator==(const MultiportMatch&) const = default;
};

struct StateMatch {
    std::uint8_t states = 0;  // ct_state_bit
    bool negated = false;
    bool operator==(const StateMatch&) const = default;
};

struct ConntrackMatch {
    std::optional<Neg<std::uint8_t>> state;
    std::optional<Neg<std::uint8_t>> proto;
    std::optional<Neg<IpPrefix>> orig_src, orig_dst, repl_src, repl_dst;
    std::optional<Neg<PortRange>> orig_sport, orig_dport, repl_sport, repl_dport;
    std::optional<Neg<std::uint32_t>> status;  // ct_status bits
    std::optional<Neg<Range<std::uint32_t>>> expire;
    std::optional<CtDir> dir;
    bool operator==(const ConntrackMatch&) const = default;
};

struct IpRangeMatch {
    std::optional<Neg<Range<IpAddr>>> src, dst;
    bool operator==(const IpRangeMatch&) const = default;
};

// Route types as in include/uapi/linux/rtnetlink.h, as a bit mask (1 << RTN_*).
namespace addr_type {
constexpr std::uint16_t unspec = 1 << 0, unicast = 1 << 1, local = 1 << 2, broadcast = 1 << 3, anycast = 1 << 4, multicast = 1 << 5,
                        blackhole = 1 << 6, unreachable = 1 << 7, prohibit = 1 << 8, throw_ = 1 << 9, nat = 1 << 10, xresolve = 1 << 11;
}

struct AddrTypeMatch {
    std::optional<Neg<std::uint16_t>> src, dst;
    bool limit_iface_in = false, limit_iface_out = false;
    bool operator==(const AddrTypeMatch&) const = default;
};

// mark and connmark
struct MarkMatch {
    bool connmark = false;
    std::uint32_t value = 0, mask = 0xffffffff;
    bool negated = false;
    bool operator==(const MarkMatch&) const = default;
};

struct CommentMatch {
    std::string text;
    bool operator==(const CommentMatch&) const = default;
};

struct MacMatch {
    MacAddr mac;
    bool negated = false;
    bool operator==(const MacMatch&) const = default;
};

struct LengthMatch {
    Range<std::uint16_t> len;
    bool negated = false;
    bool operator==(const LengthMatch&) const = default;
};

struct TosMatch {
    std::uint8_t value = 0, mask = 0xff;
    bool negated = false;
    bool operator==(const TosMatch&) const = default;
};

struct DscpMatch {
    std::uint8_t dscp = 0;
    bool negated = false;
    bool operator==(const DscpMatch&) const = default;
};

// ttl (IPv4) and hl (IPv6)
struct TtlMatch {
    bool hop_limit = false;
    enum class Op : std::uint8_t { eq, ne, lt, gt } op = Op::eq;
    std::uint8_t value = 0;
    bool operator==(const TtlMatch&) const = default;
};

struct PktTypeMatch {
    PktType type = PktType::host;
    bool negated = false;
    bool operator==(const PktTypeMatch&) const = default;
};

struct OwnerMatch {
    std::optional<Neg<Range<std::uint32_t>>> uid, gid;
    std::optional<Neg<bool>> socket_exists;
    bool suppl_groups = false;
    bool operator==(const OwnerMatch&) const = default;
};

// Rates are kept in the kernel's units: average interval between packets scaled by
// XT_LIMIT_SCALE (10000 per second) for limit, by 1000000 for hashlimit (revision 2+).
struct LimitMatch {
    static constexpr std::uint32_t scale = 10000;  // XT_LIMIT_SCALE
    static constexpr std::uint32_t default_burst = 5;
    std::uint32_t avg = 0;  // seconds * scale / rate
    std::uint32_t burst = default_burst;
    bool operator==(const LimitMatch&) const = default;
};

// -m hashlimit as libxt_hashlimit fills revision 3's hashlimit_cfg3, which the kernel runs and
// iptables-save prints from (hashlimit_arith.hpp has the units).
struct HashLimitMatch {
    std::string name;  // cut to 254 characters, as libxt copies it
    // Packets: microseconds per packet (per window second under rate_match); bytes: bytes_to_cost
    // of the rate.
    std::uint64_t avg = 0;
    std::uint64_t burst = 5;  // packets; bytes: the burst in units of the rate's bytes (0: none)
    bool above = false;  // --hashlimit-above (XT_HASHLIMIT_INVERT; `! --hashlimit-upto` too)
    bool bytes = false;  // a byte rate (XT_HASHLIMIT_BYTES)
    bool rate_match = false;  // --hashlimit-rate-match: count per window, never limit
    bool mode_srcip = false, mode_dstip = false, mode_srcport = false, mode_dstport = false;
    // Its key holds ports, read wherever the packet's protocol has them (proto_ports_offset).
    bool hashes_ports() const { return mode_srcport || mode_dstport; }
    int srcmask = -1, dstmask = -1;  // -1 = full length
    std::uint32_t htable_size = 0, htable_max = 0;
    std::uint32_t htable_gcinterval_ms = 1000;
    std::uint32_t htable_expire_ms = 0;  // set from the rate's unit unless given (libxt's check)
    std::uint32_t interval = 0;  // rate match's window, seconds
    // What libxt's final check reads of the parse, cleared by it: the rate's unit in seconds
    // (15 for bytes) and which options were given.
    std::uint32_t unit_seconds = 1;
    bool burst_given = false, expire_given = false;
    bool operator==(const HashLimitMatch&) const = default;
};

struct RecentMatch {
    std::string name = "DEFAULT";
    enum class Cmd : std::uint8_t { set, rcheck, update, remove } cmd = Cmd::set;
    std::uint32_t seconds = 0;
    bool reap = false;
    std::uint32_t hitcount = 0;
    bool rttl = false;
    bool rdest = false;  // --rdest (else --rsource)
    IpAddr mask;  // --mask, all ones by default
    bool negated = false;
    bool operator==(const RecentMatch&) const = default;
};

struct SetMatch {
    std::string set_name;
    std::vector<bool> dirs;  // per dimension: true = src, false = dst
    bool negated = false;
    bool return_nomatch = false;
    bool update_counters = true, update_subcounters = true;
    bool operator==(const SetMatch&) const = default;
};

struct PhysdevMatch {
    std::optional<Neg<std::string>> in, out;
    std::optional<Neg<bool>> is_in, is_out, is_bridged;
    bool operator==(const PhysdevMatch&) const = default;
};

struct PolicyMatch {
    bool dir_in = true;
    bool pol_ipsec = false;  // --pol ipsec (else none)
    bool strict = false;
    struct Element {
        std::optional<Neg<std::uint32_t>> reqid, spi;
        std::optional<Neg<std::uint8_t>> proto;
        std::optional<Neg<bool>> tunnel_mode;
        std::optional<Neg<IpPrefix>> tunnel_src, tunnel_dst;
        bool operator==(const Element&) const = default;
    };
    std::vector<Element> elements;
    bool operator==(const PolicyMatch&) const = default;
};

struct StatisticMatch {
    bool nth = false;
    std::uint32_t probability = 0;  // random: matches when rand31 < probability (0x80000000 * p)
    std::uint32_t every = 0;  // nth: every n-th (stored as n - 1, as the kernel does)
    std::uint32_t packet = 0;  // nth: initial counter
    bool negated = false;
    bool operator==(const StatisticMatch&) const = default;
};

struct NfacctMatch {
    std::string name;
    bool operator==(const NfacctMatch&) const = default;
};

struct ConnlimitMatch {
    std::uint32_t limit = 0;
    bool above = true;  // --connlimit-above (else --connlimit-upto)
    int mask = -1;  // prefix length, -1 = full
    bool daddr = false;  // group by destination (else source)
    bool operator==(const ConnlimitMatch&) const = default;
};

struct RpFilterMatch {
    bool loose = false, validmark = false, accept_local = false, invert = false;
    bool operator==(const RpFilterMatch&) const = default;
};

struct RtMatch {
    std::optional<Neg<std::uint8_t>> type;
    std::optional<Neg<Range<std::uint32_t>>> segsleft;
    std::optional<Neg<std::uint32_t>> len;
    bool res0 = false;
    bool operator==(const RtMatch&) const = default;
};

// -m srh (ip6t_srh revision 1): a segment routing header's fields, each test negatable. As in
// struct ip6t_srh1, one value serves each field's -eq, -gt and -lt (the last one given sets it).
struct SrhMatch {
    enum Test : std::uint16_t {  // IP6T_SRH_*: which tests are given, and which are negated
        next_hdr = 0x0001,
        len_eq = 0x0002,
        len_gt = 0x0004,
        len_lt = 0x0008,
        segs_eq = 0x0010,
        segs_gt = 0x0020,
        segs_lt = 0x0040,
        last_eq = 0x0080,
        last_gt = 0x0100,
        last_lt = 0x0200,
        tag_eq = 0x0400,
        psid = 0x0800,
        nsid = 0x1000,
        lsid = 0x2000
    };
    std::uint16_t given = 0, negated = 0;
    std::uint8_t next_header = 0, hdr_len = 0, segments_left = 0, last_entry = 0;
    std::uint16_t tag = 0;
    // Previous, next and last segment (RoutingHeader::Sid order): the address as written, its mask.
    std::array<IpAddr, 3> sid_addr{}, sid_mask{};
    bool operator==(const SrhMatch&) const = default;
};

// -m ipv6header (ip6t_ipv6header): the set of headers the packet has, as bits (ipv6header_bit).
struct Ipv6HeaderMatch {
    std::uint8_t headers = 0;
    bool negated = false, soft = false;  // soft: the packet has at least (none of, negated) these
    bool operator==(const Ipv6HeaderMatch&) const = default;
};
namespace ipv6header_bit {  // ip6t_ipv6header.h's MASK_*
constexpr std::uint8_t hop = 128, dst = 64, route = 32, frag = 16, ah = 8, esp = 4, none = 2, proto = 1;
}

// -m frag (ip6t_frag): the fragment header's identification, reserved fields, offset and M flag.
struct FragMatch {
    std::optional<Neg<Range<std::uint32_t>>> id;
    bool reserved = false, first = false, more = false, last = false;
    bool operator==(const FragMatch&) const = default;
};

// -m eui64 (ip6t_eui64): the source address's interface identifier is the modified EUI-64 of the
// frame's source MAC address.
struct Eui64Match {
    bool operator==(const Eui64Match&) const = default;
};

// -m hbh / -m dst (ip6t_hbh, one module under two names): the first hop-by-hop or destination
// options header, its length in bytes, and its options from the first, each a type and, unless
// `any_length`, its data length, tested in order (the kernel's only mode, "strict").
struct OptionsMatch {
    struct Option {
        std::uint8_t type = 0;
        std::uint8_t length = 255;  // 255: any (the kernel's 0xFF)
        bool any_length = true;
        bool operator==(const Option&) const = default;
    };
    bool destination = false;  // -m dst (else -m hbh)
    std::optional<Neg<std::uint32_t>> length;
    std::vector<Option> options;  // at most 16 (IP6T_OPTS_OPTSNR)
    bool operator==(const OptionsMatch&) const = default;
};

// -m ah: the authentication header's SPI; ip6tables also its length in bytes ((hdrlen + 2) * 4,
// 0: not tested, as ip6t_ah reads it) and --ahres (the reserved field is 0). IPv4's ipt_ah
// reads AH as the upper layer (-p ah); IPv6's finds it among the extension headers.
struct AhMatch {
    Neg<Range<std::uint32_t>> spi{{0, 0xffffffffu}, false};
    std::optional<Neg<std::uint32_t>> length;
    bool reserved_zero = false;
    bool operator==(const AhMatch&) const = default;
};

// -m esp (xt_esp, -p esp): the ESP header's SPI.
struct EspMatch {
    Neg<Range<std::uint32_t>> spi{{0, 0xffffffffu}, false};
    bool operator==(const EspMatch&) const = default;
};

// -m ipcomp (xt_ipcomp, -p ipcomp): the IPComp header's CPI; --compres is kept and printed, never
// tested (xt_ipcomp ignores it).
struct IpcompMatch {
    Neg<Range<std::uint32_t>> cpi{{0, 0xffffffffu}, false};
    bool compres = false;
    bool operator==(const IpcompMatch&) const = default;
};

// -m mh (ip6t_mh, -p mh): the mobility header's type.
struct MhMatch {
    Neg<Range<std::uint8_t>> type{{0, 255}, false};
    bool operator==(const MhMatch&) const = default;
};

// ecn (xt_ecn): the IP header's ECN field (the low two bits of the TOS / traffic class) and the
// TCP header's ECE and CWR flags; each test negated on its own.
struct EcnMatch {
    std::optional<Neg<std::uint8_t>> ip_ect;  // 0-3
    std::optional<Neg<bool>> ece, cwr;  // the flag set (negated: clear)
    bool operator==(const EcnMatch&) const = default;
};

// tcpmss (xt_tcpmss): the TCP MSS option's value; a segment without one matches only negated.
struct TcpmssMatch {
    Range<std::uint16_t> mss;
    bool negated = false;
    bool operator==(const TcpmssMatch&) const = default;
};

// quota (xt_quota): matches while the rule's byte budget lasts (each packet's length taken off);
// negated, once it is spent. One budget per rule, shared by every packet through it.
struct QuotaMatch {
    std::uint64_t bytes = 0;
    bool negated = false;
    bool operator==(const QuotaMatch&) const = default;
};

// connbytes (xt_connbytes): the connection's packets, bytes, or bytes per packet, counted by
// conntrack in one direction or both (the packet in hand included), within [from, to]; a range
// with from above to is the negated one (below `to` or above `from`), as the kernel holds it.
// No connection (untracked, invalid): no match. The match turns conntrack's accounting on. All
// three options are required (the parser's OptionRules), so none of these defaults is ever used.
struct ConnbytesMatch {
    enum class What : std::uint8_t { packets, bytes, avgpkt };
    enum class Dir : std::uint8_t { original, reply, both };
    What what = What::packets;
    Dir dir = Dir::original;
    std::uint64_t from = 0, to = UINT64_MAX;
    bool operator==(const ConnbytesMatch&) const = default;
};

// socket, cgroup, cpu, ipvs, osf: matches whose answer lies in what neither a capture nor the
// host description holds (the packet's socket and its cgroup, the CPU that handles it, IPVS's
// connections, the sender's OS fingerprint). Decided by a named assumption: `assumed` is the
// answer under it (the rule's negations applied), every decision counted for the report to name.
struct HostStateMatch {
    std::string assumption;  // what fwbench takes to be so, in words
    bool assumed = false;
    std::uint32_t given = 0;  // the options given, a bit each (the module's own checks read it)
    bool tracks_connections = false;  // the module's checkentry turns conntrack on (helper)
    bool defragments = false;  // the module's checkentry turns nf_defrag on, conntrack or not (socket)
    bool operator==(const HostStateMatch&) const = default;
};

// -m time as libxt_time hands it to xt_time: seconds since the epoch (UTC, 32 bits) for the
// dates, seconds of the day for the times, a bit per month day (1-31) and weekday (1 Mon - 7 Sun).
struct TimeMatch {
    std::uint32_t date_start = 0, date_stop = 0x7fffffff;  // INT_MAX: libxt's "no end"
    static constexpr std::uint32_t max_daytime = 86399;  // XT_TIME_MAX_DAYTIME
    static constexpr std::uint32_t all_monthdays = 0xfffffffe;  // XT_TIME_ALL_MONTHDAYS
    static constexpr std::uint8_t all_weekdays = 0xfe;  // XT_TIME_ALL_WEEKDAYS
    std::uint32_t daytime_start = 0, daytime_stop = max_daytime;
    std::uint32_t monthdays = all_monthdays;
    std::uint8_t weekdays = all_weekdays;
    bool kerneltz = false;  // --kerneltz (--localtz): the kernel's timezone, not UTC
    bool contiguous = false;  // a range past midnight belongs to the day it started on
    bool operator==(const TimeMatch&) const = default;
};

// -m realm (xt_realm, IPv4): the realms of the packet's route (Packet::route_realms), masked.
struct RealmMatch {
    std::uint32_t id = 0, mask = 0xffffffff;
    bool negated = false;
    bool operator==(const RealmMatch&) const = default;
};

// -m cluster (xt_cluster): the connection's original source hashed (jhash with the seed) onto
// total_nodes buckets; matches when the bucket's bit is in node_mask (not, negated).
struct ClusterMatch {
    std::uint32_t total_nodes = 0, node_mask = 0, hash_seed = 0;
    bool negated = false;
    bool operator==(const ClusterMatch&) const = default;
};

// -m connlabel (xt_connlabel): bit `bit` of the connection's 128 label bits. With `set`, testing
// it sets the bit (and then matches, not negated), whatever the rule's later matches say: a match
// with an effect (has_effect), like recent's --set. No connection (invalid, untracked): no match,
// the negation matches.
struct ConnlabelMatch {
    std::uint16_t bit = 0;
    bool negated = false;
    bool set = false;
    bool operator==(const ConnlabelMatch&) const = default;
};

// -m string (xt_string): the pattern searched for in the datagram's bytes [from, to) counted from
// the network header, as the hook holds them (NAT's and TTL's rewrites included) and no further
// than the datagram's end; matches when found (not, negated). `search` is built from the other
// fields once, when the rule is parsed, and shared by copies of the rule.
struct StringMatch {
    TextSearch::Algo algo = TextSearch::Algo::bm;
    std::vector<std::uint8_t> pattern;
    bool ignore_case = false;
    std::uint16_t from = 0, to = 65535;
    bool negated = false;
    std::shared_ptr<const TextSearch> search;
    bool operator==(const StringMatch& o) const {
        return algo == o.algo && pattern == o.pattern && ignore_case == o.ignore_case && from == o.from && to == o.to && negated == o.negated;
    }
};

// -m u32 (xt_u32): tests on 32-bit words of the datagram's bytes, counted from the network header
// as the hook holds them (the same bytes -m string searches); all must hold (the match negated
// as a whole). A test's location is a word read at its first number, then each operation in turn:
// `&` masks, `<<` and `>>` shift (by less than 32: the kernel's checkentry refuses more),
// `@` moves the base by the value so far and reads the word at the number past it; a word past the
// datagram's end fails the whole match. Its value must fall in one of the ranges.
struct U32Match {
    enum class Op : std::uint8_t { read, mask, shift_left, shift_right, at };
    struct Step {
        Op op = Op::read;
        std::uint32_t number = 0;
        bool operator==(const Step&) const = default;
    };
    struct Test {
        std::vector<Step> location;
        std::vector<std::pair<std::uint32_t, std::uint32_t>> values;  // min, max
        bool operator==(const Test&) const = default;
    };
    std::vector<Test> tests;
    bool negated = false;
    bool operator==(const U32Match&) const = default;
};

// -m bpf (xt_bpf): a classic BPF program (classic_bpf.hpp) run over the datagram's bytes as the
// hook holds them (the same bytes -m string reads); the match holds when it returns other than 0.
// The program passed check_classic and unmodelled_load when the rule was parsed.
struct BpfMatch {
    std::vector<BpfInsn> program;
    bool operator==(const BpfMatch&) const = default;
};

using MatchSpec =
    std::variant<L4PortsMatch, IcmpMatch, MultiportMatch, StateMatch, ConntrackMatch, IpRangeMatch, AddrTypeMatch, MarkMatch, CommentMatch, MacMatch,
                 LengthMatch, TosMatch, DscpMatch, TtlMatch, PktTypeMatch, OwnerMatch, LimitMatch, HashLimitMatch, RecentMatch, SetMatch,
                 PhysdevMatch, PolicyMatch, StatisticMatch, NfacctMatch, ConnlimitMatch, RpFilterMatch, RtMatch, Ipv6HeaderMatch, FragMatch,
                 Eui64Match, OptionsMatch, AhMatch, EspMatch, MhMatch, EcnMatch, TcpmssMatch, QuotaMatch, HostStateMatch, IpcompMatch, ConnbytesMatch,
                 TimeMatch, RealmMatch, SrhMatch, ClusterMatch, ConnlabelMatch, StringMatch, U32Match, BpfMatch>;

// Whether the match reads the packet's bytes (Packet::bytes, through EngineState::datagram): string, u32, bpf.
inline bool reads_packet_bytes(const MatchSpec& m) {
    return std::holds_alternative<StringMatch>(m) || std::holds_alternative<U32Match>(m) || std::holds_alternative<BpfMatch>(m);
}

// True for matches whose answer depends on state kept across packets.
bool is_stateful(const MatchSpec& m);
// True when testing the match changes what a later test may see: the stateful ones, and
// connlabel's --set, which writes the connection's label. A walk must test such a match whenever
// the kernel would (an index must not skip the rule on a condition after it), and must not test it
// where the kernel would not.
bool has_effect(const MatchSpec& m);

// What fwbench takes to be so to decide the match, in words, when neither the packet nor the
// host description holds it (a HostStateMatch's assumption; --kerneltz's timezone); else null.
const char* match_assumption(const MatchSpec& m);

}  // namespace fwbench
