#pragma once
// Typed target specifications: what each iptables target does, in the kernel's own terms
// (MARK and CONNMARK are reduced to their xmark form, TOS to value/mask, and so on).

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "fwbench/addr.hpp"

namespace fwbench {

// ACCEPT, DROP, RETURN, and the QUEUE family.
struct StandardTarget {
    enum class Kind : std::uint8_t { accept, drop, return_, queue } kind = Kind::accept;
    bool operator==(const StandardTarget&) const = default;
};

// -j CHAIN or -g CHAIN to a user chain of the same table.
struct JumpTarget {
    std::string chain;
    bool is_goto = false;
    int chain_index = -1;  // resolved when the table is validated
    bool operator==(const JumpTarget& o) const { return chain == o.chain && is_goto == o.is_goto; }
};

struct RejectTarget {
    std::string with;  // canonical --reject-with name
    bool operator==(const RejectTarget&) const = default;
};

struct NfqueueTarget {
    std::uint16_t num = 0, balance_hi = 0;
    bool bypass = false, fanout = false;
    bool operator==(const NfqueueTarget&) const = default;
};

// LOG, NFLOG, ULOG: observe and continue.
struct LogTarget {
    enum class Kind : std::uint8_t { log, nflog, ulog } kind = Kind::log;
    std::string prefix;
    int level = 4;  // LOG
    std::uint8_t log_flags = 0;
    std::uint32_t group = 0;  // NFLOG / ULOG
    std::uint32_t range = 0, threshold = 0;
    bool operator==(const LogTarget&) const = default;
};

// MARK: mark = (mark & ~mask) ^ value.
struct MarkTarget {
    std::uint32_t value = 0, mask = 0;
    bool operator==(const MarkTarget&) const = default;
};

struct ConnmarkTarget {
    enum class Mode : std::uint8_t { set, save, restore } mode = Mode::set;
    std::uint32_t ctmark = 0, ctmask = 0, nfmask = 0xffffffff;
    bool operator==(const ConnmarkTarget&) const = default;
};

struct NatRange {
    bool has_addr = false;
    IpAddr addr_lo, addr_hi;
    bool has_ports = false;
    std::uint16_t port_lo = 0, port_hi = 0;
    // A shifted port map (`PORT-PORT/BASE`, NF_NAT_RANGE_PROTO_OFFSET): port p maps to
    // port_lo + (p - BASE) mod the range's size.
    std::optional<std::uint16_t> port_base;
    bool operator==(const NatRange&) const = default;
};

// DNAT, SNAT, MASQUERADE, REDIRECT, NETMAP: end the walk with ACCEPT and set up a mapping.
struct NatTarget {
    enum class Kind : std::uint8_t { dnat, snat, masquerade, redirect, netmap } kind = Kind::dnat;
    std::vector<NatRange> ranges;  // DNAT/SNAT --to-*; MASQUERADE/REDIRECT: ports only
    IpPrefix netmap_to;  // NETMAP --to
    bool random = false, random_fully = false, persistent = false;
    bool operator==(const NatTarget&) const = default;
};

// NOTRACK and CT.
struct CtTarget {
    bool notrack = false;
    std::string helper, timeout;
    std::string zone;  // as written: N, mark, orig/reply variants
    std::vector<std::string> ctevents, expevents;
    bool operator==(const CtTarget&) const = default;
};

// Header rewrites that continue the walk: TOS/DSCP/TTL/HL/TCPMSS/TCPOPTSTRIP/CHECKSUM/CLASSIFY,
// and TRACE.
struct RewriteTarget {
    enum class Kind : std::uint8_t {
        tos,
        dscp,
        ttl_set,
        ttl_inc,
        ttl_dec,
        tcpmss_set,
        tcpmss_clamp,
        tcpoptstrip,
        checksum_fill,
        classify,
        ecn,  // ipt_ECN: value's bits 0-1 the ECT codepoint, 0x40 ECE, 0x80 CWR; mask says which are set
        trace
    } kind = Kind::trace;
    std::uint32_t value = 0, mask = 0;  // tos: value/mask; dscp: value; ttl: value; classify: major<<16|minor
    bool hop_limit = false;  // HL rather than TTL
    std::array<std::uint64_t, 4> strip{};  // tcpoptstrip: the TCP option kinds to strip, a bit each
    bool strips(std::uint8_t kind) const { return (strip[kind >> 6] >> (kind & 63)) & 1; }
    bool operator==(const RewriteTarget&) const = default;
};

// RATEEST: feeds the packet to the kernel's rate estimator of that name (xt_RATEEST), which
// -m rateest reads; continues the walk. `interval` and `ewma_log` as the kernel holds them
// (gen_estimator's: the interval 2^(interval+2)/4 s, the averaging 2^ewma_log intervals).
struct RateEstimatorTarget {
    std::string name;
    std::int8_t interval = 0;
    std::uint8_t ewma_log = 0;
    // The times as written (in microseconds; both options are required), while the rule is parsed:
    // its last check turns them into the two above and clears them.
    std::uint32_t given_interval_us = 0, given_ewmalog_us = 0;
    bool operator==(const RateEstimatorTarget&) const = default;
};

// Targets whose effect lies outside the packet and the walk, which continues: AUDIT (an audit
// record of the packet, xt_AUDIT) and IDLETIMER (a timer the rule's packets restart, whose
// expiry the host's sysfs shows, xt_IDLETIMER).
struct SideEffectTarget {
    // audit, idletimer; secmark and connsecmark: the packet's and the connection's security marks,
    // which only the LSM's policy reads (no rule can); led: a LED trigger fired.
    enum class Kind : std::uint8_t { audit, idletimer, secmark, connsecmark, led } kind = Kind::audit;
    std::uint32_t timeout = 0;  // IDLETIMER: seconds; LED: the delay in ms (0xffffffff: "inf")
    std::string label;  // IDLETIMER; LED: the trigger's id (without xt_LED's "netfilter-")
    bool alarm = false;  // IDLETIMER: an alarm timer (revision 1); LED: --led-always-blink
    bool operator==(const SideEffectTarget&) const = default;
};

// -j HMARK (xt_hmark_info): the packet's mark from a hash of its addresses, ports (or SPI) and
// protocol, each masked, or of its connection's (--hmark-tuple ct): hash scaled to `mod`, plus
// `offset`. The ports' mask and set are 32 bits as the packet carries them (source port high,
// or the SPI).
struct HmarkTarget {
    // XT_HMARK_* option bits: what iptables-save prints back.
    enum Flag : std::uint32_t {
        saddr_mask = 1u << 0,
        daddr_mask = 1u << 1,
        spi = 1u << 2,
        spi_mask = 1u << 3,
        sport = 1u << 4,
        dport = 1u << 5,
        sport_mask = 1u << 6,
        dport_mask = 1u << 7,
        proto_mask_given = 1u << 8,
        rnd_given = 1u << 9,
        mod_given = 1u << 10,
        offset_given = 1u << 11,
        ct = 1u << 12,
    };
    std::uint32_t flags = 0;
    IpAddr src_mask, dst_mask;  // all zero unless given
    std::uint32_t port_mask = 0, port_set = 0;
    std::uint16_t proto_mask = 0;
    std::uint32_t rnd = 0, mod = 1, offset = 0;
    bool operator==(const HmarkTarget&) const = default;
};

// -j SNPT / -j DNPT (ip6t_NPT, RFC 6296): the source (SNPT) or destination (DNPT) address's
// prefix replaced by dst_pfx, one 16-bit word then adjusted so the address's checksum is kept
// (`adjustment`, as the kernel's checkentry computes it). Stateless: conntrack is not told.
struct NptTarget {
    bool source = false;  // SNPT
    IpAddr src_pfx{Family::ipv6, {}}, dst_pfx{Family::ipv6, {}};
    int src_len = 0, dst_len = 0;
    std::uint16_t adjustment = 0;
    bool operator==(const NptTarget&) const = default;
};

// -j TPROXY (xt_TPROXY, mangle PREROUTING, -p tcp or udp): hands the packet to a transparent
// socket, found on the packet's own addresses (a connection the proxy has) or listening on
// laddr:lport (laddr unspecified: the arriving device's first primary address; lport 0: the
// packet's destination port). Found: the mark becomes (mark & ~mark_mask) ^ mark_value and the
// packet is accepted with the socket assigned; not found: dropped. Which sockets are transparent
// no listing shows, so the walk ends with Verdict::tproxy and the packet path decides.
struct TproxyTarget {
    IpAddr laddr;  // the family's unspecified address when --on-ip is not given
    std::uint16_t lport = 0;
    std::uint32_t mark_value = 0, mark_mask = 0;
    bool operator==(const TproxyTarget&) const = default;
};

// -j TEE (xt_TEE, any table and hook): a copy of the packet, untracked, routed with `gateway` as
// its next hop (restricted to `oif` when named) and sent as the host's own packet through OUTPUT
// and POSTROUTING; the packet itself goes on. The engines report the copy to the packet path
// (EngineState::duplicator), which sends it.
struct TeeTarget {
    IpAddr gateway;
    std::string oif;  // empty: any device
    bool operator==(const TeeTarget&) const = default;
};

// -j SYNPROXY (xt_SYNPROXY, INPUT and FORWARD, -p tcp): a client's SYN (SYN without ACK, FIN or
// RST) is answered with a SYN/ACK whose sequence number is a SYN cookie, and goes no further; a
// client's ACK (ACK without FIN, RST or SYN) is passed on only when it carries a valid cookie,
// else dropped; every other segment goes on to the next rule. The options say which of the
// client's TCP options the SYN/ACK may echo (the MSS it announces, window scale, SACK, timestamps,
// ECN). The walk ends with Verdict::synproxy on a SYN or an ACK and the packet path decides.
struct SynproxyTarget {
    bool sack_perm = false, timestamp = false, ecn = false;
    std::optional<std::uint8_t> wscale;  // xt_synproxy_info's 8-bit field
    std::optional<std::uint16_t> mss;  // and 16-bit
    bool operator==(const SynproxyTarget&) const = default;
};

using TargetSpec =
    std::variant<StandardTarget, JumpTarget, RejectTarget, NfqueueTarget, LogTarget, MarkTarget, ConnmarkTarget, NatTarget, CtTarget, RewriteTarget,
                 RateEstimatorTarget, SideEffectTarget, HmarkTarget, NptTarget, TproxyTarget, TeeTarget, SynproxyTarget>;

// Does the walk end at this target (ACCEPT, DROP, REJECT, NAT, ...)? Jumps and RETURN are not
// terminating in this sense; LOG/MARK/... continue.
bool is_terminating(const TargetSpec& t);

}  // namespace fwbench
