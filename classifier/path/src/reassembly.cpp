#include "fwbench/reassembly.hpp"

#include <algorithm>

namespace fwbench {

const char* frag_outcome_name(FragOutcome o) {
    switch (o) {
        case FragOutcome::held: return "held for reassembly";
        case FragOutcome::complete: return "completed its datagram";
        case FragOutcome::passed: return "passed as it is (not 8-byte aligned: its queue is dropped)";
        case FragOutcome::duplicate: return "a duplicate of queued bytes";
        case FragOutcome::overlap: return "overlaps queued fragments: the datagram is discarded (RFC 5722)";
        case FragOutcome::bad_end: return "past the datagram's end, or a second end that differs";
        case FragOutcome::empty: return "a fragment without payload";
        case FragOutcome::too_long: return "the datagram would be longer than 65535 bytes";
        case FragOutcome::ecn_mixed: return "fragments with and without ECN: the datagram is discarded";
        case FragOutcome::not_modelled: return "a first fragment too short for its transport header (its reassembly is not modelled)";
    }
    return "?";
}

namespace {

constexpr std::uint32_t max_datagram = 65535;

// Where an IPv6 fragment header ends: the fixed header, the extension headers before it, its 8 bytes.
std::uint32_t fragment_header_end(const Packet& p) {
    std::uint32_t at = 40;
    for (std::size_t i = 0; i < p.ext_header_count; ++i) {
        at += static_cast<std::uint32_t>(p.ipv6_extension_length(p.ext_headers[i]));
        if (p.ext_headers[i] == proto::ipv6_frag) break;
    }
    return at;
}

// ip4_frag_ecn / ip6_frag_ecn: one bit per ECN codepoint seen.
std::uint8_t ecn_bit(std::uint8_t tos) { return static_cast<std::uint8_t>(1u << (tos & 3)); }

// ip_frag_ecn_table: CE with ECT gives CE; not-ECT with anything else is invalid (0xff).
std::uint8_t combined_ecn(std::uint8_t seen) {
    const std::uint8_t not_ect = 1, ce = 8;
    if ((seen & not_ect) && seen != not_ect) return 0xff;
    return (seen & ce) && seen != ce ? 3 : 0;
}

// ipv6frag_thdr_truncated: a first fragment without its whole transport header (TCP's first 20
// bytes, UDP's or ICMPv6's 8, one byte of anything else) is let through unreassembled.
bool transport_header_cut6(const Packet& p) {
    const std::uint32_t need = p.proto == proto::tcp ? 20 : p.proto == proto::udp || p.proto == proto::icmpv6 ? 8 : 1;
    return !p.ext_headers_cut && p.length < std::uint32_t{p.ip_header_len} + need;
}

}  // namespace

Reassembly::Key Reassembly::key_of(const Packet& p, DefragUser user) {
    const bool v4 = p.family == Family::ipv4;
    std::array<char, 16> dev{};
    // fq_find: the device counts only for a link-local or multicast destination.
    if (!v4 && (v6::is_link_local(p.dst) || v6::is_multicast(p.dst))) dev = p.in.chars;
    return {p.family, p.src.bytes, p.dst.bytes, v4 ? std::uint32_t{p.ip_id} : p.frag_id, v4 ? p.proto : std::uint8_t{0}, user, dev};
}

// inet_frag_queue_insert: after the tail, or inside the runs by binary search.
FragOutcome Reassembly::insert(Queue& q, std::uint32_t offset, std::uint32_t end) {
    if (!q.have_tail || q.tail.end < end) {
        if (q.have_tail && offset < q.tail.end) return FragOutcome::overlap;
        if (q.have_tail && offset == q.tail.end) q.runs.back().end = end;  // fragrun_append_to_last
        else q.runs.push_back({offset, end});  // fragrun_create
        q.tail = {offset, end};
        q.have_tail = true;
        return FragOutcome::held;
    }
    // Runs are disjoint: the search meets the one run this fragment touches, if any.
    auto it = std::find_if(q.runs.begin(), q.runs.end(), [&](const Run& r) { return offset < r.end && end > r.start; });
    if (it != q.runs.end()) return offset >= it->start && end <= it->end ? FragOutcome::duplicate : FragOutcome::overlap;
    q.runs.insert(std::upper_bound(q.runs.begin(), q.runs.end(), offset, [](std::uint32_t o, const Run& r) { return o < r.start; }),
                  Run{offset, end});
    return FragOutcome::held;
}

FragOutcome Reassembly::complete(Queue& q, Packet& p) {
    const std::uint8_t ecn = combined_ecn(q.ecn);
    if (ecn == 0xff) return FragOutcome::ecn_mixed;
    Packet whole = q.head;
    whole.in = p.in;  // ip_frag_reasm / nf_ct_frag6_reasm: skb->dev = the completing fragment's
    whole.timestamp_ns = p.timestamp_ns;
    whole.bytes = {};  // the first fragment's bytes are not the datagram's: fwbench does not join them
    whole.tos = static_cast<std::uint8_t>(whole.tos | ecn);
    whole.fragment = false;
    whole.frag_offset = 0;
    whole.more_fragments = false;
    if (whole.family == Family::ipv4) {
        const std::uint32_t len = std::uint32_t{whole.ip_header_len} + q.len;
        if (len > max_datagram) return FragOutcome::too_long;
        whole.length = len;
        whole.frag_max_size = static_cast<std::uint16_t>(std::max(q.max_df_size, q.max_size));
        whole.df = q.max_df_size == q.max_size;  // DF only when the largest fragment had it
    } else {
        // The fragment header goes; the headers before it stay, those after it came in the payload.
        const std::uint32_t unfragmentable = fragment_header_end(whole) - 8;
        if (unfragmentable - 40 + q.len > max_datagram) return FragOutcome::too_long;
        whole.length = unfragmentable + q.len;
        auto* begin = whole.ext_headers.begin();
        auto* frag = std::find(begin, begin + whole.ext_header_count, std::uint8_t{proto::ipv6_frag});
        std::copy(frag + 1, begin + whole.ext_header_count, frag);
        whole.ext_headers[--whole.ext_header_count] = 0;
        whole.ip_header_len = static_cast<std::uint16_t>(whole.ip_header_len - 8);
        whole.frag_id = 0;
        whole.frag_reserved = false;
        whole.frag_max_size = static_cast<std::uint16_t>(40 + q.max_size);
    }
    p = whole;
    return FragOutcome::complete;
}

FragOutcome Reassembly::gather(Packet& p, DefragUser user, std::uint64_t timeout_s) {
    const bool v4 = p.family == Family::ipv4;
    const std::uint32_t offset = p.fragment ? p.frag_offset : 0;
    const std::uint32_t payload_start = v4 ? p.ip_header_len : fragment_header_end(p);
    if (!v4 && offset == 0 && transport_header_cut6(p)) return FragOutcome::passed;
    std::uint32_t end = offset + (p.length > payload_start ? p.length - payload_start : 0);
    if (!v4 && end > max_datagram) return FragOutcome::too_long;

    const Key key = key_of(p, user);
    auto found = queues_.find(key);
    if (found != queues_.end() && p.timestamp_ns >= found->second.expires_ns) {
        queues_.erase(found);  // its timer fired before this fragment came
        found = queues_.end();
        ++expired_;
    }
    if (found == queues_.end()) {
        found = queues_.emplace(key, Queue{}).first;
        found->second.expires_ns = p.timestamp_ns + timeout_s * 1'000'000'000ull;
    }
    Queue& q = found->second;
    auto kill = [&](FragOutcome why) {
        queues_.erase(found);
        return why;
    };
    if (!p.more_fragments) {
        if (end < q.len || (q.last_in && end != q.len)) return v4 ? kill(FragOutcome::bad_end) : FragOutcome::bad_end;
        q.last_in = true;
        q.len = end;
    } else {
        if (end & 7) {
            if (!v4) return kill(FragOutcome::passed);  // nf_ct_frag6_queue's -EPROTO: accepted as it is
            end &= ~7u;  // IPv4 trims it
        }
        if (end > q.len) {
            if (q.last_in) return v4 ? kill(FragOutcome::bad_end) : FragOutcome::bad_end;
            q.len = end;
        }
    }
    if (end == offset) return v4 ? kill(FragOutcome::empty) : FragOutcome::empty;
    if (const FragOutcome ins = insert(q, offset, end); ins != FragOutcome::held) return ins == FragOutcome::overlap ? kill(ins) : ins;

    q.meat += end - offset;
    q.ecn = static_cast<std::uint8_t>(q.ecn | ecn_bit(p.tos));
    // The largest fragment: IPv4 counts its header, IPv6 its payload length (40 added on completion).
    const std::uint32_t size = v4 ? end - offset + p.ip_header_len : p.length - 40;
    q.max_size = std::max(q.max_size, size);
    if (v4 && p.df) q.max_df_size = std::max(q.max_df_size, size);
    if (offset == 0) {
        q.first_in = true;
        q.head = p;
    }
    if (!(q.first_in && q.last_in && q.meat == q.len)) return FragOutcome::held;
    // The head's transport header is what the whole datagram shows: it must have been all there.
    const bool header_cut = v4 ? !q.head.l4_present && (proto_has_ports(q.head.proto) || q.head.proto == proto::icmp) : q.head.ext_headers_cut;
    const FragOutcome done = header_cut ? FragOutcome::not_modelled : complete(q, p);
    queues_.erase(found);
    return done;
}

}  // namespace fwbench
