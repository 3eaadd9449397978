#include "fwbench/capture_analysis.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include "fwbench/names.hpp"

namespace fwbench {

namespace {

// The transport fields a copy must equal: ports, or an ICMP message's type, code and query id
// (an error has none: the word there is unused, or a redirect's gateway).
std::pair<std::uint16_t, std::uint16_t> match_ports(const Packet& p) {
    if (p.proto == proto::icmp)
        return {static_cast<std::uint16_t>(p.icmp_type << 8 | p.icmp_code), icmpv4_is_error(p.icmp_type) ? std::uint16_t{0} : p.icmp_id};
    if (p.proto == proto::icmpv6)  // errors are types below 128
        return {static_cast<std::uint16_t>(p.icmp_type << 8 | p.icmp_code), p.icmp_type < 128 ? std::uint16_t{0} : p.icmp_id};
    return {p.sport, p.dport};
}

// How many frames a forwarded datagram leaves as: one, or the fragments the kernel cuts it into
// when it is larger than the way out's MTU (IPv4 without DF, or reassembled; IPv6 reassembled),
// each carrying the largest multiple of 8 payload bytes that fits.
std::size_t pieces_on_the_way_out(const PathResult& r) {
    const Packet& f = r.final_packet;
    const bool cut = r.out_mtu && f.length > r.out_mtu && (f.frag_max_size || (f.family == Family::ipv4 && !f.df));
    if (!cut) return 1;
    const bool v4 = f.family == Family::ipv4;
    // IPv6: the fixed header and the extension headers before the transport one stay in each piece, plus a fragment header.
    const std::size_t per_piece_headers = v4 ? f.ip_header_len : std::size_t{f.ip_header_len} + 8;
    if (r.out_mtu <= per_piece_headers + 8) return 1;
    const std::size_t room = (r.out_mtu - per_piece_headers) & ~std::size_t{7};
    const std::size_t payload = f.length - f.ip_header_len;
    return (payload + room - 1) / room;
}

}  // namespace

const char* capture_origin_name(CaptureOrigin o) {
    switch (o) {
        case CaptureOrigin::wire: return "wire";
        case CaptureOrigin::local: return "local";
        case CaptureOrigin::forwarded_copy: return "forwarded_copy";
        case CaptureOrigin::answer: return "answer";
        case CaptureOrigin::answer_to_unseen: return "answer_to_unseen";
        case CaptureOrigin::malformed: return "malformed";
        case CaptureOrigin::skipped: return "skipped";
    }
    return "?";
}

CaptureAnalysis::CaptureAnalysis(const PacketPath& path, PathState& st, CaptureAnalysisOptions opt) : opt_(std::move(opt)) {
    const std::size_t f = path.ruleset().family == Family::ipv6 ? 1 : 0;
    paths_[f] = &path;
    states_[f] = &st;
    check_options();
}

CaptureAnalysis::CaptureAnalysis(const PacketPath& path4, PathState& st4, const PacketPath& path6, PathState& st6, CaptureAnalysisOptions opt)
    : opt_(std::move(opt)) {
    if (path4.ruleset().family != Family::ipv4 || path6.ruleset().family != Family::ipv6)
        throw std::invalid_argument("a dual-stack capture needs an iptables ruleset and an ip6tables ruleset, in that order");
    if (&path4.host() != &path6.host()) throw std::invalid_argument("the IPv4 and IPv6 paths of one capture must run on one host");
    paths_[0] = &path4;
    states_[0] = &st4;
    paths_[1] = &path6;
    states_[1] = &st6;
    check_options();
}

void CaptureAnalysis::check_options() {
    for (PathState* st : states_)
        if (st && opt_.real_stack_answers) st->stack_answers = false;
    if (auto problem = interface_name_problem(opt_.iface); !opt_.iface.empty() && !problem.empty())
        throw std::invalid_argument("--iface " + quoted_name(opt_.iface) + ": " + problem);
    // Refused up front, even when no record turns out to need it: a capture taken elsewhere.
    if (!opt_.iface.empty() && !opt_.allow_unknown_interfaces && !host().interface(opt_.iface))
        throw std::invalid_argument("--iface " + quoted_name(opt_.iface) + " is not in the host description (it has " + host_interface_names() +
                                    "): give the host of the capture, or --keep-going");
}

std::string CaptureAnalysis::host_interface_names() const {
    std::string names;
    for (const auto& itf : host().interfaces()) names.append(names.empty() ? "" : ", ").append(quoted_name(itf.name));
    return names;
}

void CaptureAnalysis::expire(std::uint64_t now) {
    while (size_ && ring_[head_].timestamp_ns + opt_.prediction_window_ns < now) {
        if (!ring_[head_].seen) {
            ++unseen_[ring_[head_].answer];
            --pending_[ring_[head_].answer];
        }
        head_ = (head_ + 1) % ring_.size();
        ++head_seq_;
        --size_;
    }
}

std::size_t CaptureAnalysis::bucket_of(std::string_view iface, const IpAddr& src, const IpAddr& dst, std::uint8_t proto, std::uint8_t ttl,
                                       std::uint16_t sport, std::uint16_t dport, std::size_t buckets) {
    // The fields a copy must equal, eight bytes at a time; the bucket count is a power of two.
    std::uint64_t w[7] = {};
    std::memcpy(w, iface.data(), std::min<std::size_t>(iface.size(), 15));  // as IfaceName keeps it
    std::memcpy(w + 2, src.bytes.data(), 16);
    std::memcpy(w + 4, dst.bytes.data(), 16);
    w[6] = std::uint64_t{proto} << 40 | std::uint64_t{ttl} << 32 | std::uint64_t{sport} << 16 | dport;
    std::uint64_t h = 0x9e3779b97f4a7c15ull;
    for (std::uint64_t v : w) {
        h ^= v;
        h *= 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    return static_cast<std::size_t>(h ^ (h >> 29)) & (buckets - 1);
}

void CaptureAnalysis::rebuild_buckets() {
    buckets_.assign(ring_.size() * 2, 0);
    for (std::size_t i = 0; i < size_; ++i) {
        const std::uint64_t seq = head_seq_ + i;
        Prediction& p = at_seq(seq);
        std::uint64_t& head = buckets_[bucket_of(p.out.view(), p.src, p.dst, p.proto, p.ttl, p.sport, p.dport, buckets_.size())];
        p.older = head;
        head = seq + 1;
    }
}

void CaptureAnalysis::predict(const Prediction& p) {
    if (size_ == ring_.size()) {  // full: double it, oldest first
        std::vector<Prediction> bigger;
        bigger.reserve(std::max<std::size_t>(64, ring_.size() * 2));
        for (std::size_t i = 0; i < size_; ++i) bigger.push_back(ring_[(head_ + i) % ring_.size()]);
        bigger.resize(bigger.capacity());
        ring_ = std::move(bigger);
        head_ = 0;
        rebuild_buckets();
    }
    const std::uint64_t seq = head_seq_ + size_;
    Prediction& slot = at_seq(seq);
    slot = p;
    std::uint64_t& head = buckets_[bucket_of(p.out.view(), p.src, p.dst, p.proto, p.ttl, p.sport, p.dport, buckets_.size())];
    slot.older = head;
    head = seq + 1;
    ++size_;
    ++pending_[p.answer];
}

const CaptureAnalysis::Prediction* CaptureAnalysis::match_copy(std::string_view iface, const Packet& p) {
    if (!size_) return nullptr;
    // The oldest pending prediction it equals, as a scan from the ring's front would find.
    Prediction* found = nullptr;
    const auto [sport, dport] = match_ports(p);
    std::uint64_t link = buckets_[bucket_of(iface, p.src, p.dst, p.proto, p.ttl, sport, dport, buckets_.size())];
    while (link > head_seq_) {  // link - 1 >= head_seq_: not expired
        Prediction& it = at_seq(link - 1);
        if (!it.seen && it.out.view() == iface && it.src == p.src && it.dst == p.dst && it.proto == p.proto && it.ttl == p.ttl && it.sport == sport &&
            it.dport == dport)
            found = &it;
        link = it.older;
    }
    if (found) {
        found->seen = true;
        --pending_[found->answer];
    }
    return found;
}

void CaptureAnalysis::predict_answers(const AnalyzedPacket& out) {
    for (const auto& a : out.result.answers) {
        if (a.out_iface.empty()) continue;  // dropped before it reached a device
        const auto [sport, dport] = match_ports(a.packet);
        // TEE's copy is the packet itself leaving again: seen as a copy of it, not an answer.
        predict(
            {out.index, out.timestamp_ns, a.out_iface, a.packet.src, a.packet.dst, a.packet.proto, a.packet.ttl, sport, dport, false, !a.tee_copy});
    }
}

// A packet on lo the host cannot have sent of itself: a RST from another host's address, or an
// ICMP error about a datagram for another host. Only the kernel's answer to its own packet,
// rejected in OUTPUT before any device saw it, comes in over lo like that.
bool CaptureAnalysis::answers_an_unseen_packet(const Packet& p) const {
    const Host& host = this->host();
    if (p.proto == proto::tcp && p.l4_present && (p.tcp_flags & tcp_flag::rst)) return !host.is_local_address(p.src);
    const bool icmp_error =
        (p.proto == proto::icmp && (p.icmp_type == 3 || p.icmp_type == 11 || p.icmp_type == 12)) || (p.proto == proto::icmpv6 && p.icmp_type < 128);
    return icmp_error && p.icmp_quoted.present && !host.is_local_address(p.icmp_quoted.dst);
}

void CaptureAnalysis::feed(const CaptureRecord& rec, AnalyzedPacket& out, bool trace) {
    const PacketMeta meta = make_packet_meta(rec.index, rec.timestamp_ns, rec.origlen, rec.link_type, rec.direction, rec.iface);
    feed(FrameView{&meta, rec.frame.data(), rec.frame.size()}, out, trace);
}

void CaptureAnalysis::feed(const FrameView& frame, AnalyzedPacket& out, bool trace) {
    const PacketMeta& meta = *frame.meta;
    LinkInfo link = decode_link(meta.link_type, frame.data, frame.caplen);
    // Every field is set below or keeps its reset value; strings and the result keep their storage.
    out.index = meta.index;
    out.timestamp_ns = meta.timestamp_ns;
    out.origin = CaptureOrigin::skipped;
    out.direction = Direction::unknown;
    out.reason.clear();
    out.copy_of = 0;
    out.path_origin = Origin::wire;
    out.path_ns = 0;
    out.result.reset();
    expire(meta.timestamp_ns);
    const Host& host = this->host();

    // Which interface.
    std::string_view iface(meta.iface);
    if (iface.empty() && link.ifindex >= 0)
        for (const auto& itf : host.interfaces())
            if (itf.index == link.ifindex) iface = itf.name;
    if (iface.empty() && link.ifindex >= 0 && !opt_.iface.empty()) iface = opt_.iface;
    if (iface.empty() && link.ifindex >= 0)
        throw std::runtime_error("packet " + std::to_string(meta.index) + ": interface index " + std::to_string(link.ifindex) +
                                 " is not in the host description (give the host of the capture with --host)");
    if (iface.empty()) iface = opt_.iface;
    if (iface.empty())
        throw std::runtime_error("packet " + std::to_string(meta.index) +
                                 ": the capture does not say which interface it was taken on; give --iface NAME");
    out.iface = iface;
    if (!opt_.allow_unknown_interfaces && !host.interface(iface)) {
        throw std::runtime_error("packet " + std::to_string(meta.index) + ": interface " + quoted_name(std::string(iface)) +
                                 " is not in the host description (it has " + host_interface_names() +
                                 "): give the host of the capture, or --keep-going to count such packets as unknown_interface");
    }

    if (!link.problem.empty()) {
        out.reason = link.problem;
        return;
    }
    // Each family goes through its own ruleset: a packet of the other one is counted, not guessed.
    const bool v6 = link.ethertype == 0x86dd;
    const PacketPath* path = paths_[v6 ? 1 : 0];
    if (!path) {
        out.reason = v6 ? "ipv6_without_ip6tables_ruleset" : "ipv4_without_iptables_ruleset";
        return;
    }
    std::size_t wire = meta.origlen > link.l3_offset ? meta.origlen - link.l3_offset : 0;
    const std::uint8_t* l3 = frame.data + link.l3_offset;
    const std::size_t l3_size = frame.caplen - link.l3_offset;
    const ParsedDatagram& d = frame.parsed ? *frame.parsed : (parsed_ = v6 ? parse_ipv6(l3, l3_size, wire) : parse_ipv4(l3, l3_size, wire));
    if (d.error != Malformation::none) {
        out.origin = CaptureOrigin::malformed;
        out.reason = malformation_name(d.error);
        return;
    }
    Packet& p = out.input;
    p = d.packet;
    p.timestamp_ns = meta.timestamp_ns;
    if (p.length <= l3_size) p.bytes = std::span(l3, p.length);  // for -m string, -m u32 and -m bpf, while the frame lasts
    if (link.pkttype && *link.pkttype != PktType::outgoing) p.pkttype = *link.pkttype;
    if (link.src_mac) {
        p.has_mac = true;
        p.src_mac = *link.src_mac;
    }

    // Which direction.
    Direction dir = meta.direction != Direction::unknown ? meta.direction : link.direction;
    const Interface* itf = host.interface(iface);
    if (dir == Direction::unknown) {
        dir = Direction::inbound;
        if (itf && itf->mac && link.src_mac && *itf->mac == *link.src_mac && !itf->loopback) dir = Direction::outbound;
    }
    out.direction = dir;

    Origin origin;
    if (iface == "lo" || (itf && itf->loopback)) {
        if (dir == Direction::outbound) {
            out.reason = "lo_outgoing_copy";
            return;
        }
        if (const Prediction* answer = match_copy(iface, p)) {
            out.origin = CaptureOrigin::answer;
            out.copy_of = answer->index;
            return;
        }
        if (answers_an_unseen_packet(p)) {
            out.origin = CaptureOrigin::answer_to_unseen;
            out.reason = "answer_to_a_packet_the_capture_does_not_show";
            return;
        }
        origin = Origin::local;
        out.origin = CaptureOrigin::local;
    } else if (dir == Direction::inbound) {
        origin = Origin::wire;
        out.origin = CaptureOrigin::wire;
        p.in = IfaceName(iface);
    } else {
        if (const Prediction* copy = match_copy(iface, p)) {
            out.origin = copy->answer ? CaptureOrigin::answer : CaptureOrigin::forwarded_copy;
            out.copy_of = copy->index;
            return;
        }
        origin = Origin::local;
        out.origin = CaptureOrigin::local;
        // It left by this device: for a link-local or multicast destination, the one its socket
        // named (a scope id, IPV6_MULTICAST_IF), which routing takes.
        if (v6 && v6::needs_device(p.dst)) p.out = IfaceName(iface);
    }
    p.has_mac = p.has_mac && origin == Origin::wire;

    out.path_origin = origin;
    auto start = std::chrono::steady_clock::now();
    PathState& st = *states_[v6 ? 1 : 0];
    st.engine.datagram = &rewriter_;
    path->process(p, origin, st, out.result, trace);
    // The result's packets do not point at the frame's bytes (`input` does, while the frame lasts).
    out.result.final_packet.bytes = {};
    for (auto& a : out.result.answers) a.packet.bytes = a.cause.bytes = {};
    out.path_ns = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count());
    if (!opt_.predict_copies) return;
    if (out.result.fate == Fate::forwarded) {
        const Packet& f = out.result.final_packet;
        const auto [sport, dport] = match_ports(f);
        predict({meta.index, meta.timestamp_ns, out.result.out_iface, f.src, f.dst, f.proto, f.ttl, sport, dport, false});
        // Cut into pieces on the way out (ip_do_fragment, ip6_fragment): the later ones show no ports.
        for (std::size_t n = 1; n < pieces_on_the_way_out(out.result); ++n)
            predict({meta.index, meta.timestamp_ns, out.result.out_iface, f.src, f.dst, f.proto, f.ttl, 0, 0, false});
    }
    predict_answers(out);
}

}  // namespace fwbench
