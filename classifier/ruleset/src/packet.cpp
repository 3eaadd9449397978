#include "fwbench/packet.hpp"

namespace fwbench {

std::size_t Packet::dccp_built_option_bytes() const {
    std::size_t n = 0;
    for (int kind = 0; kind < 256; ++kind)
        if (has_dccp_option(static_cast<std::uint8_t>(kind))) n += kind < 32 ? 1 : 2;
    return n;
}

void Packet::set_tcp_option_bytes(const std::uint8_t* bytes, std::size_t n) {
    if (n > tcp_option_bytes.size()) n = tcp_option_bytes.size();
    tcp_option_bytes = {};
    if (n) std::memcpy(tcp_option_bytes.data(), bytes, n);
    tcp_option_len = static_cast<std::uint8_t>((n + 3) / 4 * 4);
    tcp_header_len = static_cast<std::uint8_t>(20 + tcp_option_len);
    tcp_options = {};
    // xt_tcpudp's tcp_find_option: kinds 0 (EOL) and 1 (NOP) are one byte and the walk goes on
    // past an EOL; any other kind is skipped by its length byte, a length of 0 counting as 1.
    for (std::size_t i = 0; i < tcp_option_len;) {
        const std::uint8_t kind = tcp_option_bytes[i];
        set_tcp_option(kind);
        if (kind < 2 || i + 1 >= tcp_option_len) ++i;
        else i += tcp_option_bytes[i + 1] ? tcp_option_bytes[i + 1] : 1;
    }
}

HopOptionsJudgement judge_hop_options(const OptionsHeader& h) {
    constexpr std::uint8_t pad1 = 0, padn = 1, router_alert = 5, calipso = 0x07, ioam = 0x31, jumbo = 0xc2;
    unsigned padding = 0, options = 0;
    std::uint16_t offset = 2;  // past the next header and length bytes
    for (std::size_t i = 0; i < h.count; ++i) {
        const std::uint8_t type = h.types[i];
        if (h.overrun && i + 1 == h.count) return {HopOptionsVerdict::malformed};
        const std::uint16_t at = offset;
        offset = static_cast<std::uint16_t>(offset + (type == pad1 ? 1u : 2u + h.lengths[i]));
        if (type == pad1 || type == padn) {
            padding += type == pad1 ? 1u : 2u + h.lengths[i];
            if (padding > 7 || ((h.nonzero_padn >> i) & 1)) return {HopOptionsVerdict::malformed};
            continue;
        }
        if (++options > 8) return {HopOptionsVerdict::not_modelled};
        padding = 0;
        if (type == router_alert) {
            if (h.lengths[i] != 2) return {HopOptionsVerdict::router_alert_length};
        } else if (type == calipso || type == ioam || type == jumbo) {
            return {HopOptionsVerdict::not_modelled};
        } else if ((type >> 6) == 1) {
            return {HopOptionsVerdict::discard_option};
        } else if ((type >> 6) != 0) {
            return {HopOptionsVerdict::parameter_problem, type, at};  // ip6_tlvopt_unknown: 10 always, 11 unless multicast
        }
    }
    // More options than the 16 recorded: the rest is unseen.
    if (h.count == h.types.size() && 2 + h.options_bytes() < h.length) return {HopOptionsVerdict::not_modelled};
    return {HopOptionsVerdict::pass};
}

}  // namespace fwbench
