// TCPMSS and TCPOPTSTRIP, as the kernel's xt_TCPMSS (tcpmss_mangle_packet) and xt_TCPOPTSTRIP
// (tcpoptstrip_mangle_packet) rewrite a segment's options.
#include <algorithm>
#include <cstring>

#include "fwbench/linear_engine.hpp"

namespace fwbench {

namespace {

constexpr std::uint8_t tcpopt_mss = 2, tcpolen_mss = 4;

// The option walk's step (xt_TCPMSS's optlen): EOL, NOP and a length of 0 take one byte.
std::size_t option_step(const std::uint8_t* opt, std::size_t i) { return opt[i] <= 1 || opt[i + 1] == 0 ? 1 : opt[i + 1]; }

}  // namespace

int mss_option_offset(const Packet& p) {
    const std::uint8_t* opt = p.tcp_option_bytes.data();
    const std::size_t optlen = p.tcp_option_len;
    for (std::size_t i = 0; i + tcpolen_mss <= optlen; i += option_step(opt, i))
        if (opt[i] == tcpopt_mss && opt[i + 1] == tcpolen_mss) return static_cast<int>(i);
    return -1;
}

bool apply_tcpmss(const RewriteTarget& rw, Packet& p) {
    if (p.fragment) return true;  // no TCP header in a later fragment
    if (!p.l4_present) return false;  // the segment is shorter than its header says
    const std::uint32_t headers = p.family == Family::ipv4 ? 20 + 20 : 40 + 20;  // minlen: the IP header without options
    std::uint32_t mss = rw.value;
    if (rw.kind == RewriteTarget::Kind::tcpmss_clamp) {
        if (!p.path_mtu) return true;  // no route known (the engines alone): nothing to clamp to
        if (p.path_mtu <= headers) return false;  // "unknown or invalid path-MTU"
        mss = std::min<std::uint32_t>(p.path_mtu - headers, 0xffff);
    }
    std::uint8_t* opt = p.tcp_option_bytes.data();
    if (const int at = mss_option_offset(p); at >= 0) {
        const std::uint32_t old = static_cast<std::uint32_t>(opt[at + 2] << 8 | opt[at + 3]);
        if (old > mss) {  // never raised, even by --set-mss
            opt[at + 2] = static_cast<std::uint8_t>(mss >> 8);
            opt[at + 3] = static_cast<std::uint8_t>(mss);
        }
        return true;
    }
    const std::size_t optlen = p.tcp_option_len;
    // No MSS option: one is added in front of the others, unless data follows the header (the
    // option would move it) or the header is already at its largest.
    if (p.tcp_payload_len() > 0 || p.tcp_header_len >= 60) return true;
    // The peer would otherwise assume the default MSS (RFC 1122; IPv6's minimum MTU less 60).
    mss = std::min<std::uint32_t>(mss, p.family == Family::ipv4 ? 536 : 1220);
    std::uint8_t grown[40] = {tcpopt_mss, tcpolen_mss, static_cast<std::uint8_t>(mss >> 8), static_cast<std::uint8_t>(mss)};
    std::memcpy(grown + tcpolen_mss, opt, optlen);
    p.set_tcp_option_bytes(grown, optlen + tcpolen_mss);
    p.length += tcpolen_mss;
    return true;
}

bool apply_tcpoptstrip(const RewriteTarget& rw, Packet& p) {
    if (p.fragment) return true;
    if (!p.l4_present) return false;  // the segment is shorter than its header says
    std::uint8_t opt[40];
    std::memcpy(opt, p.tcp_option_bytes.data(), sizeof opt);
    const std::size_t optlen = p.tcp_option_len;
    // Each option the walk meets whole becomes NOPs; the walk stops at the header's last byte.
    for (std::size_t i = 0, step = 0; i + 1 < optlen; i += step) {
        step = option_step(opt, i);
        if (i + step > optlen) break;
        if (rw.strips(opt[i])) std::memset(opt + i, 1, step);
    }
    p.set_tcp_option_bytes(opt, optlen);
    return true;
}

}  // namespace fwbench
