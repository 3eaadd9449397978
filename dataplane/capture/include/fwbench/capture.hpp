#pragma once
// Capture files: the project's own reader and writer for pcap (micro- and nanosecond, either
// byte order) and pcapng (several sections and interfaces, if_name and if_tsresol, enhanced,
// simple and obsolete packet blocks, epb_flags direction), link types Ethernet (802.1Q/802.1ad
// tags), raw IP (101, 228, 229), Linux SLL (113) and SLL2 (276, what `tcpdump -i any` writes).
//
// Errors: a file that cannot be read as a capture (bad magic, an unknown link type in a pcap
// header, a pcapng block whose length is impossible) throws CaptureError with the byte offset
// and the index of the packet being read; a record cut off by the end of the file ends the
// reading with `truncated` set. Problems with one packet's link header are reported in the
// record (`problem`), and reading goes on. No read ever goes past the bytes of the file.

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "fwbench/addr.hpp"
#include "fwbench/packet.hpp"

namespace fwbench {

class CaptureError : public std::runtime_error {
public:
    CaptureError(const std::string& file, std::uint64_t offset, std::uint64_t packet, const std::string& msg)
        : std::runtime_error(file + ": packet " + std::to_string(packet) + " (byte " + std::to_string(offset) + "): " + msg) {}
};

namespace linktype {
constexpr std::uint16_t ethernet = 1, raw = 101, linux_sll = 113, ipv4 = 228, ipv6 = 229, linux_sll2 = 276;
}

enum class Direction : std::uint8_t { unknown, inbound, outbound };

struct CaptureRecord {
    std::uint64_t index = 0;  // from 0, in file order
    std::uint64_t timestamp_ns = 0;
    std::uint32_t caplen = 0, origlen = 0;
    std::uint16_t link_type = 0;
    std::string iface;  // pcapng if_name; empty when the capture has none
    int ifindex = -1;  // SLL2
    Direction direction = Direction::unknown;
    std::optional<PktType> pkttype;  // SLL/SLL2 packet type
    std::optional<MacAddr> src_mac, dst_mac;
    std::uint16_t ethertype = 0;  // of the L3 payload
    std::vector<std::uint8_t> l3;  // the network-layer bytes
    std::uint32_t l3_wire_length = 0;  // origlen minus the link header
    std::string problem;  // non-empty: why this record has no usable L3 payload
    std::vector<std::uint8_t> frame;  // the captured bytes, link header included

    // Back to a fresh record, keeping the byte vectors' storage: a reading loop that reuses one
    // record allocates only when a frame is longer than any before it.
    void reset() {
        std::vector<std::uint8_t> keep_l3 = std::move(l3), keep_frame = std::move(frame);
        std::string keep_iface = std::move(iface), keep_problem = std::move(problem);
        *this = CaptureRecord{};
        keep_l3.clear();
        keep_frame.clear();
        keep_iface.clear();
        keep_problem.clear();
        l3 = std::move(keep_l3);
        frame = std::move(keep_frame);
        iface = std::move(keep_iface);
        problem = std::move(keep_problem);
    }
};

// What a link header says, decoded from a frame's first bytes (no copy).
struct LinkInfo {
    std::size_t l3_offset = 0;
    std::uint16_t ethertype = 0;
    int ifindex = -1;
    Direction direction = Direction::unknown;
    std::optional<PktType> pkttype;
    std::optional<MacAddr> src_mac, dst_mac;
    std::string problem;  // non-empty: the frame has no usable L3 payload
};
LinkInfo decode_link(std::uint16_t link_type, const std::uint8_t* frame, std::size_t caplen);

// Reads a capture as a stream: a window of the file (a chunk, or one record when that is
// larger) is all it holds, so memory does not grow with the file. The file's size, known up
// front, is what records are checked against (a pipe has none: it is read whole first).
class CaptureReader {
public:
    // Throws CaptureError / std::runtime_error.
    explicit CaptureReader(const std::string& path);
    // The same over bytes already in memory; `name` stands for the file in errors.
    CaptureReader(std::vector<std::uint8_t> bytes, std::string name);
    ~CaptureReader();
    CaptureReader(CaptureReader&&) noexcept;
    bool next(CaptureRecord& r);
    bool truncated() const { return truncated_; }
    const std::string& path() const { return path_; }
    std::uint64_t bytes_read() const { return pos_; }  // through the last record returned
    std::uint64_t size() const { return size_; }

private:
    struct Interface {
        std::uint16_t link_type = 0;
        std::uint32_t snaplen = 0;
        std::string name;
        std::uint64_t ts_units_per_sec = 1000000;
    };
    static constexpr std::uint64_t chunk_bytes = 1 << 20;
    void start();  // the file header, from either constructor
    // Makes bytes [at, at + n) of the file readable through ptr(); at + n <= size_, and `at`
    // never goes backwards past the record being read.
    void need(std::uint64_t at, std::uint64_t n);
    const std::uint8_t* ptr(std::uint64_t at) const { return window_.data() + (at - base_); }
    bool next_pcap(CaptureRecord& r);
    bool next_pcapng(CaptureRecord& r);
    void read_section_header(std::size_t at);
    void fill(CaptureRecord& r, const std::uint8_t* data, std::size_t caplen);
    std::uint32_t u32(std::size_t at) const;
    std::uint16_t u16(std::size_t at) const;
    [[noreturn]] void fail(std::size_t at, const std::string& msg) const;

    std::string path_;
    std::unique_ptr<std::istream> in_;  // null when every byte is already in window_
    std::uint64_t size_ = 0;  // of the file
    std::vector<std::uint8_t> window_;  // file bytes [base_, base_ + window_.size())
    std::uint64_t base_ = 0;
    bool pcapng_ = false, swapped_ = false, nanos_ = false, truncated_ = false;
    std::uint16_t pcap_link_ = 0;
    std::size_t pos_ = 0;
    std::uint64_t count_ = 0;
    std::vector<Interface> interfaces_;
};

// Writers, for tests and generated captures.
struct CaptureFrame {
    std::uint64_t timestamp_ns = 0;
    std::vector<std::uint8_t> data;  // including the link header
    std::uint32_t interface = 0;  // pcapng interface index
    Direction direction = Direction::unknown;
    std::uint32_t origlen = 0;  // 0: data.size()
};

std::vector<std::uint8_t> write_pcap(std::uint16_t link_type, const std::vector<CaptureFrame>& frames, bool nanos = false,
                                     std::uint32_t snaplen = 262144);
struct CaptureInterface {
    std::uint16_t link_type = linktype::ethernet;
    std::string name;
};
std::vector<std::uint8_t> write_pcapng(const std::vector<CaptureInterface>& interfaces, const std::vector<CaptureFrame>& frames);
// The same a piece at a time, appended to `b`, for captures written as they are made.
void append_pcap_header(std::vector<std::uint8_t>& b, std::uint16_t link_type, bool nanos = false, std::uint32_t snaplen = 262144);
void append_pcap_record(std::vector<std::uint8_t>& b, const CaptureFrame& f, bool nanos = false);
void append_pcapng_header(std::vector<std::uint8_t>& b, const std::vector<CaptureInterface>& interfaces);
void append_pcapng_packet(std::vector<std::uint8_t>& b, const CaptureFrame& f);

// Link headers around an L3 datagram.
std::vector<std::uint8_t> ethernet_frame(const MacAddr& src, const MacAddr& dst, const std::vector<std::uint8_t>& l3, std::uint16_t vlan = 0,
                                         std::uint16_t ethertype = 0x0800);
// SLL2 as tcpdump -i any writes it: pkttype 0 host, 1 broadcast, 2 multicast, 3 otherhost, 4 outgoing.
std::vector<std::uint8_t> sll2_frame(std::uint32_t ifindex, std::uint8_t pkttype, const std::vector<std::uint8_t>& l3, std::uint16_t arphrd = 1,
                                     std::uint16_t protocol = 0x0800);
std::vector<std::uint8_t> sll_frame(std::uint8_t pkttype, const std::vector<std::uint8_t>& l3, std::uint16_t protocol = 0x0800);

}  // namespace fwbench
