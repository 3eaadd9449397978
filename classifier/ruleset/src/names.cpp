#include "fwbench/names.hpp"

#include "fwbench/parse_util.hpp"

namespace fwbench {

namespace {

// lib/ctype.c marks these bytes _S: the C locale's six plus 0xA0 (no-break space in Latin-1).
bool kernel_isspace(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0; }

std::string byte_text(unsigned char c) {
    static const char hex[] = "0123456789abcdef";
    if (c >= 0x21 && c < 0x7f) return {'\'', static_cast<char>(c), '\''};
    return {'b', 'y', 't', 'e', ' ', '0', 'x', hex[c >> 4], hex[c & 15]};
}

// The rule shared by the netlink object names: a length bound and no byte that ends or splits it.
std::string object_name_problem(std::string_view name, std::size_t max_len, const char* what) {
    if (name.empty()) return std::string("an empty ") + what;
    if (name.size() > max_len)
        return std::string("a ") + what + " of " + std::to_string(name.size()) + " bytes (at most " + std::to_string(max_len) + ")";
    for (unsigned char c : name) {
        if (c == '\0') return std::string("a ") + what + " with a NUL byte";
        if (c == ' ' || (c >= '\t' && c <= '\r')) return std::string("a ") + what + " with whitespace (" + byte_text(c) + ")";
    }
    return {};
}

}  // namespace

std::string interface_name_problem(std::string_view name) {
    constexpr std::size_t max_len = 15;  // IFNAMSIZ - 1
    if (name.empty()) return "an empty interface name";
    if (name.size() > max_len) return "an interface name of " + std::to_string(name.size()) + " bytes (the kernel allows 1-15)";
    if (name == "." || name == "..") return "a name the kernel keeps for directories, not devices";
    // devinet_sysctl_register refuses the names of the conf/all and conf/default directories.
    if (name == "all" || name == "default") return "a name the kernel keeps for its net.ipv4.conf.all/default sysctls (EINVAL)";
    for (unsigned char c : name) {
        if (c == '\0') return "an interface name with a NUL byte";
        if (c == '/' || c == ':') return "an interface name with " + byte_text(c) + " (the kernel allows no '/' or ':')";
        // dev_prep_valid_name: a '%' is a template (eth%d) the kernel fills in, so no device is named with one.
        if (c == '%') return "an interface name with '%' (the kernel reads it as a template such as eth%d and picks the name itself)";
        if (kernel_isspace(c)) return "an interface name with a space character, " + byte_text(c) + " (the kernel allows none)";
    }
    return {};
}

std::string quoted_name(std::string_view name) {
    static const char hex[] = "0123456789abcdef";
    std::string out = "'";
    for (unsigned char c : name) {
        if (c == '\\' || c == '\'') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c == 0x7f) {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "'";
}

std::string ipset_name_problem(std::string_view name) { return object_name_problem(name, 31, "set name"); }

std::string nfacct_name_problem(std::string_view name) { return object_name_problem(name, 31, "nfacct name"); }

const SctpChunkName sctp_chunk_names[22] = {
    {"DATA", 0, "----IUBE"},
    {"INIT", 1, "--------"},
    {"INIT_ACK", 2, "--------"},
    {"SACK", 3, "--------"},
    {"HEARTBEAT", 4, "--------"},
    {"HEARTBEAT_ACK", 5, "--------"},
    {"ABORT", 6, "-------T"},
    {"SHUTDOWN", 7, "--------"},
    {"SHUTDOWN_ACK", 8, "--------"},
    {"ERROR", 9, "--------"},
    {"COOKIE_ECHO", 10, "--------"},
    {"COOKIE_ACK", 11, "--------"},
    {"ECN_ECNE", 12, "--------"},
    {"ECN_CWR", 13, "--------"},
    {"SHUTDOWN_COMPLETE", 14, "-------T"},
    {"I_DATA", 64, "----IUBE"},
    {"RE_CONFIG", 130, "--------"},
    {"PAD", 132, "--------"},
    {"ASCONF", 193, "--------"},
    {"ASCONF_ACK", 128, "--------"},
    {"FORWARD_TSN", 192, "--------"},
    {"I_FORWARD_TSN", 194, "--------"},
};

const SctpChunkName* find_sctp_chunk(std::string_view name) {
    const std::string wanted = detail::lower(name);
    for (const auto& c : sctp_chunk_names)
        if (detail::lower(c.name) == wanted) return &c;
    return nullptr;
}

const SctpChunkName* find_sctp_chunk(std::uint8_t type) {
    for (const auto& c : sctp_chunk_names)
        if (c.type == type) return &c;
    return nullptr;
}

}  // namespace fwbench
