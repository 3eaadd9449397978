#include "fwbench/capture_analysis.hpp"

#include <chrono>
#include <cstring>
#include <stdexcept>

#include "fwbench/names.hpp"

namespace fwbench {

const char* capture_origin_name(CaptureOrigin o) {
    switch (o) {
        case CaptureOrigin::wire: return "wire";
        case CaptureOrigin::local: return "local";
        case CaptureOrigin::forwarded_copy: return "forwarded_copy";
        case CaptureOrigin::malformed: return "malformed";
        case CaptureOrigin::skipped: return "skipped";
    }
    return "?";
}

CaptureAnalysis::CaptureAnalysis(const PacketPath& path, PathState& st, CaptureAnalysisOptions opt) : path_(path), st_(st), opt_(std::move(opt)) {
    if (auto problem = interface_name_problem(opt_.iface); !opt_.iface.empty() && !problem.empty())
        throw std::invalid_argument("--iface " + quoted_name(opt_.iface) + ": " + problem);
}

void CaptureAnalysis::expire(std::uint64_t now) {
    while (!predictions_.empty() && predictions_.front().timestamp_ns + opt_.prediction_window_ns < now) {
        predictions_.pop_front();
        ++unseen_;
    }
}

AnalyzedPacket CaptureAnalysis::feed(const CaptureRecord& rec, bool trace) {
    const PacketMeta meta = make_packet_meta(rec.index, rec.timestamp_ns, rec.origlen, rec.link_type, rec.direction, rec.iface);
    return feed(FrameView{&meta, rec.frame.data(), rec.frame.size()}, trace);
}

AnalyzedPacket CaptureAnalysis::feed(const FrameView& frame, bool trace) {
    const PacketMeta& meta = *frame.meta;
    LinkInfo link = decode_link(meta.link_type, frame.data, frame.caplen);
    AnalyzedPacket out;
    out.index = meta.index;
    expire(meta.timestamp_ns);
    const Host& host = path_.host();

    // Which interface.
    std::string iface(meta.iface);
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

    if (!link.problem.empty()) {
        out.origin = CaptureOrigin::skipped;
        out.reason = link.problem;
        return out;
    }
    if (link.ethertype == 0x86dd) {
        out.origin = CaptureOrigin::skipped;
        out.reason = "ipv6_not_modelled";
        return out;
    }
    std::size_t wire = meta.origlen > link.l3_offset ? meta.origlen - link.l3_offset : 0;
    ParsedDatagram d = parse_ipv4(frame.data + link.l3_offset, frame.caplen - link.l3_offset, wire);
    if (d.error != Malformation::none) {
        out.origin = CaptureOrigin::malformed;
        out.reason = malformation_name(d.error);
        return out;
    }
    Packet p = d.packet;
    p.timestamp_ns = meta.timestamp_ns;
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
            out.origin = CaptureOrigin::skipped;
            out.reason = "lo_outgoing_copy";
            return out;
        }
        origin = Origin::local;
        out.origin = CaptureOrigin::local;
    } else if (dir == Direction::inbound) {
        origin = Origin::wire;
        out.origin = CaptureOrigin::wire;
        p.in = IfaceName(iface);
    } else {
        for (auto it = predictions_.begin(); it != predictions_.end(); ++it) {
            if (it->out == iface && it->src == p.src && it->dst == p.dst && it->proto == p.proto && it->ttl == p.ttl && it->sport == p.sport &&
                it->dport == p.dport) {
                out.origin = CaptureOrigin::forwarded_copy;
                out.copy_of = it->index;
                predictions_.erase(it);
                return out;
            }
        }
        origin = Origin::local;
        out.origin = CaptureOrigin::local;
    }
    p.has_mac = p.has_mac && origin == Origin::wire;

    out.input = p;
    out.path_origin = origin;
    auto start = std::chrono::steady_clock::now();
    out.result = path_.process(p, origin, st_, trace);
    out.path_ns = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count());
    if (out.result.fate == Fate::forwarded && opt_.predict_copies) {
        const Packet& f = out.result.final_packet;
        predictions_.push_back({meta.index, meta.timestamp_ns, out.result.out_iface, f.src, f.dst, f.proto, f.ttl, f.sport, f.dport});
    }
    return out;
}

}  // namespace fwbench
