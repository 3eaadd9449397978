#include "fwbench/packet.hpp"

namespace fwbench {

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

}  // namespace fwbench
