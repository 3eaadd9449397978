#include "fwbench/capture.hpp"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fwbench/names.hpp"

namespace fwbench {

namespace {

constexpr std::uint32_t pcap_magic_us = 0xa1b2c3d4, pcap_magic_ns = 0xa1b23c4d;
constexpr std::uint32_t block_shb = 0x0A0D0D0A, block_idb = 1, block_pb = 2, block_spb = 3, block_epb = 6;
constexpr std::uint32_t byte_order_magic = 0x1A2B3C4D;

std::uint32_t bswap32(std::uint32_t v) { return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24); }
std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
std::uint32_t be32(const std::uint8_t* p) { return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3]; }

PktType sll_pkttype(std::uint16_t t) {
    switch (t) {
        case 1: return PktType::broadcast;
        case 2: return PktType::multicast;
        case 3: return PktType::otherhost;
        case 4: return PktType::outgoing;
        default: return PktType::host;
    }
}

}  // namespace

CaptureReader::CaptureReader(const std::string& path) : path_(path) {
    auto in = std::make_unique<std::ifstream>(path, std::ios::binary);
    if (!*in) throw std::runtime_error(path + ": cannot open the capture file");
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec || !std::filesystem::is_regular_file(path, ec)) {
        // A pipe or a device: no size to check records against, so read it all, as before.
        window_.assign(std::istreambuf_iterator<char>(*in), {});
        size_ = window_.size();
    } else {
        size_ = size;
        in_ = std::move(in);
    }
    start();
}

CaptureReader::CaptureReader(std::vector<std::uint8_t> bytes, std::string name) : path_(std::move(name)), window_(std::move(bytes)) {
    size_ = window_.size();
    start();
}

CaptureReader::~CaptureReader() = default;
CaptureReader::CaptureReader(CaptureReader&&) noexcept = default;

void CaptureReader::need(std::uint64_t at, std::uint64_t n) {
    if (at >= base_ && at + n <= base_ + window_.size()) return;
    // Records are read in file order: what lies before `at` is done with (the bytes kept are
    // moved to the front, at most one record's worth, once per chunk read).
    if (at < base_ || at + n > size_ || !in_) throw std::logic_error(path_ + ": capture reader window misuse (a bug in fwbench)");
    const std::uint64_t drop = std::min<std::uint64_t>(at - base_, window_.size());
    window_.erase(window_.begin(), window_.begin() + static_cast<std::ptrdiff_t>(drop));
    base_ += drop;
    const std::uint64_t have_to = base_ + window_.size();
    const std::uint64_t want = std::min<std::uint64_t>(size_, std::max<std::uint64_t>(at + n, have_to + chunk_bytes));
    const std::size_t old = window_.size();
    window_.resize(old + static_cast<std::size_t>(want - have_to));
    in_->read(reinterpret_cast<char*>(window_.data() + old), static_cast<std::streamsize>(want - have_to));
    if (static_cast<std::uint64_t>(in_->gcount()) != want - have_to)
        fail(have_to + static_cast<std::uint64_t>(in_->gcount()), "the file became shorter while it was being read");
}

void CaptureReader::start() {
    if (size_ < 4) fail(0, "not a capture file (shorter than any capture header)");
    need(0, std::min<std::uint64_t>(size_, 24));
    std::uint32_t magic;
    std::memcpy(&magic, ptr(0), 4);
    if (magic == block_shb) {
        pcapng_ = true;
        read_section_header(0);
        return;
    }
    if (magic == pcap_magic_us || magic == pcap_magic_ns) swapped_ = false;
    else if (bswap32(magic) == pcap_magic_us || bswap32(magic) == pcap_magic_ns) swapped_ = true;
    else fail(0, "not a pcap or pcapng file (unknown magic number)");
    nanos_ = (swapped_ ? bswap32(magic) : magic) == pcap_magic_ns;
    if (size_ < 24) fail(0, "truncated pcap file header");
    pcap_link_ = static_cast<std::uint16_t>(u32(20) & 0xffff);
    switch (pcap_link_) {
        case linktype::ethernet:
        case linktype::raw:
        case linktype::linux_sll:
        case linktype::ipv4:
        case linktype::ipv6:
        case linktype::linux_sll2: break;
        default:
            fail(20, "unsupported link type " + std::to_string(pcap_link_) + " (supported: Ethernet 1, raw 101/228/229, Linux SLL 113, SLL2 276)");
    }
    Interface itf;
    itf.link_type = pcap_link_;
    itf.snaplen = u32(16);
    itf.ts_units_per_sec = nanos_ ? 1000000000 : 1000000;
    interfaces_.push_back(itf);
    pos_ = 24;
}

std::uint32_t CaptureReader::u32(std::size_t at) const {
    std::uint32_t v;
    std::memcpy(&v, ptr(at), 4);
    return swapped_ ? bswap32(v) : v;
}

std::uint16_t CaptureReader::u16(std::size_t at) const {
    std::uint16_t v;
    std::memcpy(&v, ptr(at), 2);
    return swapped_ ? static_cast<std::uint16_t>(v >> 8 | v << 8) : v;
}

void CaptureReader::fail(std::size_t at, const std::string& msg) const { throw CaptureError(path_, at, count_, msg); }

void CaptureReader::read_section_header(std::size_t at) {
    if (at + 28 > size_) fail(at, "truncated pcapng section header");
    need(at, 28);
    std::uint32_t bom;
    std::memcpy(&bom, ptr(at + 8), 4);
    if (bom == byte_order_magic) swapped_ = false;
    else if (bswap32(bom) == byte_order_magic) swapped_ = true;
    else fail(at + 8, "bad pcapng byte-order magic");
    std::uint32_t len = u32(at + 4);
    if (len < 28 || len % 4 || at + len > size_) fail(at + 4, "bad pcapng section header length " + std::to_string(len));
    interfaces_.clear();  // interface ids are per section
    pos_ = at + len;
}

bool CaptureReader::next(CaptureRecord& r) { return pcapng_ ? next_pcapng(r) : next_pcap(r); }

bool CaptureReader::next_pcap(CaptureRecord& r) {
    if (pos_ >= size_) return false;
    if (pos_ + 16 > size_) {
        truncated_ = true;
        return false;
    }
    need(pos_, 16);
    std::uint32_t sec = u32(pos_), frac = u32(pos_ + 4), caplen = u32(pos_ + 8), origlen = u32(pos_ + 12);
    if (caplen > 0x4000000) fail(pos_ + 8, "impossible captured length " + std::to_string(caplen));
    if (!nanos_ && frac >= 1000000) fail(pos_ + 4, "microseconds field out of range");
    if (pos_ + 16 + caplen > size_) {
        truncated_ = true;
        return false;
    }
    need(pos_, 16 + std::uint64_t{caplen});
    r.reset();
    r.index = count_++;
    r.timestamp_ns = std::uint64_t{sec} * 1000000000ull + (nanos_ ? frac : std::uint64_t{frac} * 1000);
    r.caplen = caplen;
    r.origlen = origlen;
    r.link_type = pcap_link_;
    fill(r, ptr(pos_ + 16), caplen);
    pos_ += 16 + caplen;
    return true;
}

bool CaptureReader::next_pcapng(CaptureRecord& r) {
    while (true) {
        if (pos_ >= size_) return false;
        if (pos_ + 12 > size_) {
            truncated_ = true;
            return false;
        }
        need(pos_, 12);
        std::uint32_t type;
        std::memcpy(&type, ptr(pos_), 4);
        if (type == block_shb) {
            read_section_header(pos_);
            continue;
        }
        type = u32(pos_);
        std::uint32_t len = u32(pos_ + 4);
        if (len < 12 || len % 4) fail(pos_ + 4, "bad pcapng block length " + std::to_string(len));
        if (pos_ + len > size_) {
            truncated_ = true;
            return false;
        }
        need(pos_, len);
        if (u32(pos_ + len - 4) != len) fail(pos_ + len - 4, "pcapng block lengths at start and end differ");
        std::size_t body = pos_ + 8, end = pos_ + len - 4;
        std::size_t block_at = pos_;
        pos_ += len;
        auto options = [&](std::size_t at, auto&& on_option) {
            while (at + 4 <= end) {
                std::uint16_t code = u16(at), olen = u16(at + 2);
                if (code == 0) break;
                if (at + 4 + olen > end) fail(at, "pcapng option runs past its block");
                on_option(code, at + 4, olen);
                at += 4 + ((olen + 3u) & ~3u);
            }
        };
        if (type == block_idb) {
            if (body + 8 > end) fail(block_at, "truncated interface description block");
            Interface itf;
            itf.link_type = u16(body);
            itf.snaplen = u32(body + 4);
            options(body + 8, [&](std::uint16_t code, std::size_t at, std::uint16_t olen) {
                if (code == 2) {
                    // if_name: the device the packets were taken on, so a name the kernel could give one.
                    itf.name.assign(reinterpret_cast<const char*>(ptr(at)), strnlen(reinterpret_cast<const char*>(ptr(at)), olen));
                    if (auto problem = interface_name_problem(itf.name); !problem.empty())
                        fail(at,
                             "interface block " + std::to_string(interfaces_.size()) + " names its device " + quoted_name(itf.name) + ", " + problem);
                }
                if (code == 9 && olen >= 1) {
                    std::uint8_t res = *ptr(at);
                    std::uint64_t units = 1;
                    int exp = res & 0x7f;
                    if (exp > 18) fail(at, "if_tsresol out of range");
                    for (int i = 0; i < exp; ++i) units *= (res & 0x80) ? 2 : 10;
                    itf.ts_units_per_sec = units;
                }
            });
            interfaces_.push_back(itf);
            continue;
        }
        if (type != block_epb && type != block_spb && type != block_pb) continue;  // NRB, ISB, DSB, custom
        r.reset();
        r.index = count_++;
        std::uint32_t ifid = 0, caplen = 0, origlen = 0;
        std::uint64_t ts = 0;
        std::size_t data_at = 0;
        if (type == block_epb) {
            if (body + 20 > end) fail(block_at, "truncated enhanced packet block");
            ifid = u32(body);
            ts = std::uint64_t{u32(body + 4)} << 32 | u32(body + 8);
            caplen = u32(body + 12);
            origlen = u32(body + 16);
            data_at = body + 20;
        } else if (type == block_pb) {
            if (body + 20 > end) fail(block_at, "truncated packet block");
            ifid = u16(body);
            ts = std::uint64_t{u32(body + 4)} << 32 | u32(body + 8);
            caplen = u32(body + 12);
            origlen = u32(body + 16);
            data_at = body + 20;
        } else {
            if (body + 4 > end) fail(block_at, "truncated simple packet block");
            origlen = u32(body);
            data_at = body + 4;
            caplen = static_cast<std::uint32_t>(std::min<std::size_t>(origlen, end - data_at));
            if (!interfaces_.empty() && interfaces_[0].snaplen && caplen > interfaces_[0].snaplen) caplen = interfaces_[0].snaplen;
        }
        if (ifid >= interfaces_.size()) fail(body, "packet refers to interface " + std::to_string(ifid) + ", which no interface block described");
        if (data_at + caplen > end) fail(body, "captured length " + std::to_string(caplen) + " runs past the block");
        const Interface& itf = interfaces_[ifid];
        if (itf.ts_units_per_sec == 1000000000) {
            r.timestamp_ns = ts;
        } else {
            // Coarser units can name instants past what 64-bit nanoseconds hold (the year 2554).
            const long double ns = static_cast<long double>(ts) * 1e9L / static_cast<long double>(itf.ts_units_per_sec);
            if (!(ns < 18446744073709551615.0L))
                fail(body, "timestamp " + std::to_string(ts) + " in units of 1/" + std::to_string(itf.ts_units_per_sec) +
                               " s is past what fwbench represents (64-bit nanoseconds since 1970)");
            r.timestamp_ns = static_cast<std::uint64_t>(ns);
        }
        r.caplen = caplen;
        r.origlen = origlen;
        r.link_type = itf.link_type;
        r.iface = itf.name;
        if (type == block_epb) {
            std::size_t opt_at = data_at + ((caplen + 3u) & ~3u);
            options(opt_at, [&](std::uint16_t code, std::size_t at, std::uint16_t olen) {
                if (code == 2 && olen >= 4) {
                    std::uint32_t flags = u32(at);
                    if ((flags & 3) == 1) r.direction = Direction::inbound;
                    else if ((flags & 3) == 2) r.direction = Direction::outbound;
                }
            });
        }
        fill(r, ptr(data_at), caplen);
        return true;
    }
}

LinkInfo decode_link(std::uint16_t link_type, const std::uint8_t* d, std::size_t n) {
    LinkInfo li;
    std::size_t hdr = 0;
    std::uint16_t proto = 0;
    auto need = [&](std::size_t k, const char* what) {
        if (n < k) {
            li.problem = std::string("truncated_") + what;
            return false;
        }
        return true;
    };
    switch (link_type) {
        case linktype::ethernet: {
            if (!need(14, "ethernet_header")) return li;
            MacAddr dst, src;
            std::memcpy(dst.bytes.data(), d, 6);
            std::memcpy(src.bytes.data(), d + 6, 6);
            li.dst_mac = dst;
            li.src_mac = src;
            hdr = 12;
            proto = be16(d + hdr);
            hdr += 2;
            for (int tags = 0; (proto == 0x8100 || proto == 0x88a8 || proto == 0x9100) && tags < 4; ++tags) {
                if (!need(hdr + 4, "vlan_tag")) return li;
                proto = be16(d + hdr + 2);
                hdr += 4;
            }
            break;
        }
        case linktype::linux_sll: {
            if (!need(16, "sll_header")) return li;
            std::uint16_t t = be16(d);
            li.pkttype = sll_pkttype(t);
            li.direction = t == 4 ? Direction::outbound : Direction::inbound;
            if (be16(d + 2) == 1 && be16(d + 4) == 6) {
                MacAddr m;
                std::memcpy(m.bytes.data(), d + 6, 6);
                li.src_mac = m;
            }
            proto = be16(d + 14);
            hdr = 16;
            break;
        }
        case linktype::linux_sll2: {
            if (!need(20, "sll2_header")) return li;
            proto = be16(d);
            li.ifindex = static_cast<int>(be32(d + 4));
            std::uint8_t t = d[10];
            li.pkttype = sll_pkttype(t);
            li.direction = t == 4 ? Direction::outbound : Direction::inbound;
            if (be16(d + 8) == 1 && d[11] == 6) {
                MacAddr m;
                std::memcpy(m.bytes.data(), d + 12, 6);
                li.src_mac = m;
            }
            hdr = 20;
            break;
        }
        case linktype::raw:
        case linktype::ipv4:
        case linktype::ipv6:
            if (!need(1, "ip_header")) return li;
            proto = (d[0] >> 4) == 6 ? 0x86dd : (d[0] >> 4) == 4 ? 0x0800 : 0;
            if (link_type == linktype::ipv4) proto = 0x0800;
            if (link_type == linktype::ipv6) proto = 0x86dd;
            break;
        default: li.problem = "unsupported_link_type_" + std::to_string(link_type); return li;
    }
    li.ethertype = proto;
    li.l3_offset = hdr;
    if (proto != 0x0800 && proto != 0x86dd) li.problem = proto == 0x0806 ? "not_ip_arp" : "not_ip";
    return li;
}

void CaptureReader::fill(CaptureRecord& r, const std::uint8_t* d, std::size_t n) {
    r.frame.assign(d, d + n);
    LinkInfo li = decode_link(r.link_type, d, n);
    r.problem = li.problem;
    r.ethertype = li.ethertype;
    r.src_mac = li.src_mac;
    r.dst_mac = li.dst_mac;
    if (li.ifindex >= 0) r.ifindex = li.ifindex;
    if (li.pkttype) r.pkttype = li.pkttype;
    if (li.direction != Direction::unknown) r.direction = li.direction;
    if (!li.problem.empty()) return;
    r.l3.assign(d + li.l3_offset, d + n);
    r.l3_wire_length = r.origlen > li.l3_offset ? r.origlen - static_cast<std::uint32_t>(li.l3_offset) : 0;
}

// --- writers ------------------------------------------------------------------------------------

namespace {
void put32le(std::vector<std::uint8_t>& b, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void put16le(std::vector<std::uint8_t>& b, std::uint16_t v) {
    b.push_back(static_cast<std::uint8_t>(v));
    b.push_back(static_cast<std::uint8_t>(v >> 8));
}
void put16be(std::vector<std::uint8_t>& b, std::uint16_t v) {
    b.push_back(static_cast<std::uint8_t>(v >> 8));
    b.push_back(static_cast<std::uint8_t>(v));
}
void pad4(std::vector<std::uint8_t>& b) {
    while (b.size() % 4) b.push_back(0);
}
}  // namespace

void append_pcap_header(std::vector<std::uint8_t>& b, std::uint16_t link_type, bool nanos, std::uint32_t snaplen) {
    put32le(b, nanos ? pcap_magic_ns : pcap_magic_us);
    put16le(b, 2);
    put16le(b, 4);
    put32le(b, 0);
    put32le(b, 0);
    put32le(b, snaplen);
    put32le(b, link_type);
}

void append_pcap_record(std::vector<std::uint8_t>& b, const CaptureFrame& f, bool nanos) {
    put32le(b, static_cast<std::uint32_t>(f.timestamp_ns / 1000000000ull));
    put32le(b, static_cast<std::uint32_t>(nanos ? f.timestamp_ns % 1000000000ull : (f.timestamp_ns % 1000000000ull) / 1000));
    put32le(b, static_cast<std::uint32_t>(f.data.size()));
    put32le(b, f.origlen ? f.origlen : static_cast<std::uint32_t>(f.data.size()));
    b.insert(b.end(), f.data.begin(), f.data.end());
}

std::vector<std::uint8_t> write_pcap(std::uint16_t link_type, const std::vector<CaptureFrame>& frames, bool nanos, std::uint32_t snaplen) {
    std::vector<std::uint8_t> b;
    append_pcap_header(b, link_type, nanos, snaplen);
    for (const auto& f : frames) append_pcap_record(b, f, nanos);
    return b;
}

namespace {
void append_block(std::vector<std::uint8_t>& b, std::uint32_t type, const std::vector<std::uint8_t>& body) {
    std::uint32_t len = static_cast<std::uint32_t>(12 + body.size());
    put32le(b, type);
    put32le(b, len);
    b.insert(b.end(), body.begin(), body.end());
    put32le(b, len);
}
}  // namespace

void append_pcapng_header(std::vector<std::uint8_t>& b, const std::vector<CaptureInterface>& interfaces) {
    {
        std::vector<std::uint8_t> shb;
        put32le(shb, byte_order_magic);
        put16le(shb, 1);
        put16le(shb, 0);
        put32le(shb, 0xffffffff);
        put32le(shb, 0xffffffff);
        append_block(b, block_shb, shb);
    }
    for (const auto& itf : interfaces) {
        std::vector<std::uint8_t> idb;
        put16le(idb, itf.link_type);
        put16le(idb, 0);
        put32le(idb, 262144);
        if (!itf.name.empty()) {
            put16le(idb, 2);
            put16le(idb, static_cast<std::uint16_t>(itf.name.size()));
            idb.insert(idb.end(), itf.name.begin(), itf.name.end());
            pad4(idb);
        }
        put16le(idb, 9);  // if_tsresol: nanoseconds
        put16le(idb, 1);
        idb.push_back(9);
        pad4(idb);
        put16le(idb, 0);
        put16le(idb, 0);
        append_block(b, block_idb, idb);
    }
}

void append_pcapng_packet(std::vector<std::uint8_t>& b, const CaptureFrame& f) {
    // The enhanced packet block written in place: no body copied through a temporary.
    const std::size_t start = b.size();
    put32le(b, block_epb);
    put32le(b, 0);  // its length, below
    put32le(b, f.interface);
    put32le(b, static_cast<std::uint32_t>(f.timestamp_ns >> 32));
    put32le(b, static_cast<std::uint32_t>(f.timestamp_ns));
    put32le(b, static_cast<std::uint32_t>(f.data.size()));
    put32le(b, f.origlen ? f.origlen : static_cast<std::uint32_t>(f.data.size()));
    b.insert(b.end(), f.data.begin(), f.data.end());
    pad4(b);
    if (f.direction != Direction::unknown) {
        put16le(b, 2);
        put16le(b, 4);
        put32le(b, f.direction == Direction::inbound ? 1u : 2u);
        put16le(b, 0);
        put16le(b, 0);
    }
    const std::uint32_t len = static_cast<std::uint32_t>(b.size() - start + 4);
    put32le(b, len);
    for (int i = 0; i < 4; ++i) b[start + 4 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(len >> (8 * i));
}

std::vector<std::uint8_t> write_pcapng(const std::vector<CaptureInterface>& interfaces, const std::vector<CaptureFrame>& frames) {
    std::vector<std::uint8_t> b;
    append_pcapng_header(b, interfaces);
    for (const auto& f : frames) append_pcapng_packet(b, f);
    return b;
}

std::vector<std::uint8_t> ethernet_frame(const MacAddr& src, const MacAddr& dst, const std::vector<std::uint8_t>& l3, std::uint16_t vlan,
                                         std::uint16_t ethertype) {
    std::vector<std::uint8_t> f(dst.bytes.begin(), dst.bytes.end());
    f.insert(f.end(), src.bytes.begin(), src.bytes.end());
    if (vlan) {
        put16be(f, 0x8100);
        put16be(f, vlan);
    }
    put16be(f, ethertype);
    f.insert(f.end(), l3.begin(), l3.end());
    return f;
}

std::vector<std::uint8_t> sll2_frame(std::uint32_t ifindex, std::uint8_t pkttype, const std::vector<std::uint8_t>& l3, std::uint16_t arphrd,
                                     std::uint16_t protocol) {
    std::vector<std::uint8_t> f;
    put16be(f, protocol);
    put16be(f, 0);
    put16be(f, static_cast<std::uint16_t>(ifindex >> 16));
    put16be(f, static_cast<std::uint16_t>(ifindex));
    put16be(f, arphrd);
    f.push_back(pkttype);
    f.push_back(6);
    for (int i = 0; i < 8; ++i) f.push_back(i < 6 ? static_cast<std::uint8_t>(0x02 + i) : 0);
    f.insert(f.end(), l3.begin(), l3.end());
    return f;
}

std::vector<std::uint8_t> sll_frame(std::uint8_t pkttype, const std::vector<std::uint8_t>& l3, std::uint16_t protocol) {
    std::vector<std::uint8_t> f;
    put16be(f, pkttype);
    put16be(f, 1);
    put16be(f, 6);
    for (int i = 0; i < 8; ++i) f.push_back(i < 6 ? static_cast<std::uint8_t>(0x02 + i) : 0);
    put16be(f, protocol);
    f.insert(f.end(), l3.begin(), l3.end());
    return f;
}

}  // namespace fwbench
