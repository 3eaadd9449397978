// `ss -Htuln` read into the host's listening sockets (host_sockets.hpp).

#include "fwbench/host_sockets.hpp"

#include "fwbench/names.hpp"
#include "fwbench/packet.hpp"

namespace fwbench {

namespace {

struct Field {
    std::string_view text;
    std::size_t column;  // 1-based
};

std::vector<Field> fields_of(std::string_view line) {
    std::vector<Field> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        if (i > start) out.push_back({line.substr(start, i - start), start + 1});
    }
    return out;
}

// ADDR[%DEV]:PORT as ss writes a local address; false with `why` when it is not one.
bool read_local(std::string_view text, HostSocket& s, std::string& why) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon + 1 == text.size()) {
        why = "expected ADDRESS:PORT, the socket's local address";
        return false;
    }
    std::uint32_t port = 0;
    for (char c : text.substr(colon + 1)) {
        if (c < '0' || c > '9' || port > 65535) {
            why = "expected a port number after the last ':'";
            return false;
        }
        port = port * 10 + static_cast<std::uint32_t>(c - '0');
    }
    if (port == 0 || port > 65535) {
        why = "expected a port from 1 to 65535";
        return false;
    }
    s.port = static_cast<std::uint16_t>(port);
    std::string_view addr = text.substr(0, colon);
    if (const auto pct = addr.find('%'); pct != std::string_view::npos) {
        s.dev = std::string(addr.substr(pct + 1));
        if (auto problem = interface_name_problem(s.dev); !problem.empty()) {
            why = "the bound device " + quoted_name(s.dev) + " is " + problem;
            return false;
        }
        addr = addr.substr(0, pct);
    }
    s.text = std::string(text);
    if (addr == "*") {  // IPv6 any, taking IPv4 too (IPV6_V6ONLY off)
        s.ipv6 = true;
        s.takes_ipv6 = true;
        return true;
    }
    if (addr.size() >= 2 && addr.front() == '[' && addr.back() == ']') {
        const std::string_view inner = addr.substr(1, addr.size() - 2);
        const auto v6 = parse_ip(inner, Family::ipv6);
        if (!v6) {
            why = "expected an IPv6 address between the brackets";
            return false;
        }
        // ::ffff:A.B.C.D takes that IPv4 address; any other IPv6 address (or [::], an IPv6-only
        // socket) takes no IPv4 packet.
        static constexpr std::uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        bool is_mapped = true;
        for (int i = 0; i < 12; ++i) is_mapped = is_mapped && v6->bytes[static_cast<std::size_t>(i)] == mapped[i];
        s.takes_ipv4 = is_mapped;
        s.takes_ipv6 = !is_mapped;
        if (!is_mapped && !unspecified_address(*v6)) s.v6_addr = *v6;
        s.ipv6 = true;
        if (is_mapped)
            s.v4_addr = IpAddr::v4((std::uint32_t{v6->bytes[12]} << 24) | (std::uint32_t{v6->bytes[13]} << 16) | (std::uint32_t{v6->bytes[14]} << 8) |
                                   v6->bytes[15]);
        return true;
    }
    const auto v4 = parse_ip(addr, Family::ipv4);
    if (!v4) {
        why = "expected an IPv4 address, [IPv6] or *";
        return false;
    }
    if (!unspecified_address(*v4)) s.v4_addr = *v4;
    return true;
}

}  // namespace

std::optional<std::vector<HostSocket>> parse_ss_listing(std::string_view text, SsListingError& error) {
    std::vector<HostSocket> out;
    std::size_t line_no = 0;
    while (!text.empty()) {
        ++line_no;
        const auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        const std::vector<Field> f = fields_of(line);
        if (f.empty()) continue;
        auto fail = [&](std::size_t column, std::string what) {
            error = {line_no, column, std::move(what)};
            return std::nullopt;
        };
        // ss -tuln starts each line with the Netid; ss -tln or -uln do not.
        std::size_t at = 0;
        HostSocket s;
        std::string_view state = f[0].text;
        if (f[0].text == "tcp" || f[0].text == "udp") {
            s.proto = f[0].text == "tcp" ? proto::tcp : proto::udp;
            if (f.size() < 2) return fail(f[0].column + f[0].text.size(), "expected the socket's state after its Netid");
            at = 1;
            state = f[1].text;
        } else if (state == "LISTEN") {
            s.proto = proto::tcp;
        } else if (state == "UNCONN") {
            s.proto = proto::udp;
        } else {
            return fail(f[0].column, "expected tcp or udp, the Netid of `ss -Htuln` (this is '" + std::string(f[0].text) + "')");
        }
        const char* expected_state = s.proto == proto::tcp ? "LISTEN" : "UNCONN";
        if (state != expected_state)
            return fail(f[at].column, std::string("expected ") + expected_state + ": list only listening sockets, as `ss -Htuln` does (this is '" +
                                          std::string(state) + "')");
        // State, Recv-Q, Send-Q, Local, Peer (then ss -p's process column).
        if (f.size() < at + 5) return fail(line.size() + 1, "expected Recv-Q, Send-Q, the local and the peer address after the state");
        std::string why;
        if (!read_local(f[at + 3].text, s, why)) return fail(f[at + 3].column, why);
        out.push_back(std::move(s));
    }
    return out;
}

bool has_socket_for(const std::vector<HostSocket>& sockets, std::uint8_t proto, const IpAddr& dst, std::uint16_t port, std::string_view dev) {
    const bool v6 = dst.family == Family::ipv6;
    for (const HostSocket& s : sockets) {
        if (s.proto != proto || s.port != port || !(v6 ? s.takes_ipv6 : s.takes_ipv4)) continue;
        if (const auto& bound = v6 ? s.v6_addr : s.v4_addr; bound && *bound != dst) continue;
        if (!s.dev.empty() && s.dev != dev) continue;
        return true;
    }
    return false;
}

}  // namespace fwbench
