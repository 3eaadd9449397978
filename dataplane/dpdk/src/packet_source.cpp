#include "fwbench/packet_source.hpp"

#include <rte_errno.h>

#include <cstring>
#include <stdexcept>

namespace fwbench {

MbufPool::MbufPool(const std::string& name, unsigned count, std::uint16_t data_room) {
    std::uint16_t priv = static_cast<std::uint16_t>(RTE_ALIGN(sizeof(PacketMeta), RTE_MBUF_PRIV_ALIGN));
    pool_ = rte_pktmbuf_pool_create(name.c_str(), count, count > 512 ? 256 : 0, priv, data_room, SOCKET_ID_ANY);
    if (!pool_) throw std::runtime_error("cannot create mbuf pool '" + name + "': " + rte_strerror(rte_errno));
}

MbufPool::~MbufPool() { rte_mempool_free(pool_); }

CaptureFileSource::CaptureFileSource(const std::string& path, rte_mempool* pool, CaptureFilter* filter)
    : reader_(path), pool_(pool), filter_(filter) {}

std::uint16_t CaptureFileSource::rx_burst(rte_mbuf** pkts, std::uint16_t n) {
    std::uint16_t got = 0;
    CaptureRecord& rec = record_;
    while (got < n && reader_.next(rec)) {
        if (filter_ && !filter_->keeps(rec.link_type, rec.frame.data(), rec.caplen, rec.origlen)) {
            ++filtered_out_;
            continue;
        }
        rte_mbuf* head = rte_pktmbuf_alloc(pool_);
        if (!head) throw std::runtime_error("mbuf pool exhausted while reading " + reader_.path());
        // Copy the frame, chaining segments when it does not fit one mbuf.
        std::size_t done = 0;
        rte_mbuf* seg = head;
        while (true) {
            std::size_t room = rte_pktmbuf_tailroom(seg);
            std::size_t take = std::min(room, rec.frame.size() - done);
            if (take) {
                // Appending through the head keeps its pkt_len right (it appends to the last segment).
                char* dst = rte_pktmbuf_append(head, static_cast<std::uint16_t>(take));
                std::memcpy(dst, rec.frame.data() + done, take);
                done += take;
            }
            if (done == rec.frame.size()) break;
            rte_mbuf* next = rte_pktmbuf_alloc(pool_);
            if (!next) {
                rte_pktmbuf_free(head);
                throw std::runtime_error("mbuf pool exhausted while reading " + reader_.path());
            }
            if (rte_pktmbuf_chain(head, next) != 0) {
                rte_pktmbuf_free(head);
                rte_pktmbuf_free(next);
                throw std::runtime_error("frame of packet " + std::to_string(rec.index) + " needs too many mbuf segments");
            }
            seg = next;
        }
        // The direction from pcapng epb_flags; the link header may refine it.
        packet_meta(head) = make_packet_meta(rec.index, rec.timestamp_ns, rec.origlen, rec.link_type, rec.direction, rec.iface);
        pkts[got++] = head;
    }
    return got;
}

FrameView frame_view(rte_mbuf* m, std::vector<std::uint8_t>& scratch) {
    FrameView v;
    v.meta = &packet_meta(m);
    v.caplen = rte_pktmbuf_pkt_len(m);
    if (m->nb_segs == 1) {
        v.data = rte_pktmbuf_mtod(m, const std::uint8_t*);
        return v;
    }
    scratch.resize(v.caplen);
    v.data = static_cast<const std::uint8_t*>(rte_pktmbuf_read(m, 0, static_cast<std::uint32_t>(v.caplen), scratch.data()));
    return v;
}

}  // namespace fwbench
