#include "fwbench/ip_addr_text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <vector>

#include "fwbench/addr.hpp"
#include "fwbench/names.hpp"
#include "fwbench/parse_error.hpp"

namespace fwbench {
namespace {

using json = nlohmann::ordered_json;

struct Token {
    std::string_view text;
    int column;  // 1-based
};

std::vector<Token> split(std::string_view line) {
    std::vector<Token> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
        std::size_t start = i;
        while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
        if (i > start) out.push_back({line.substr(start, i - start), static_cast<int>(start) + 1});
    }
    return out;
}

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

// A decimal number as ip prints indexes and MTUs (no sign, no base prefix), up to INT_MAX.
std::optional<std::int64_t> decimal(std::string_view s) {
    if (s.empty() || s.size() > 10 || !all_digits(s)) return std::nullopt;
    std::int64_t v = 0;
    for (char c : s) v = v * 10 + (c - '0');
    if (v > 0x7fffffff) return std::nullopt;
    return v;
}

// Where the first byte that is not UTF-8 is, or npos. The text becomes JSON, which holds UTF-8
// only; ip prints names and labels as the raw bytes the kernel keeps.
std::size_t first_non_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        if (len == 0 || i + len > s.size()) return i;
        std::uint32_t cp = len == 1 ? c : c & (0x7f >> len);
        for (std::size_t k = 1; k < len; ++k) {
            const auto d = static_cast<unsigned char>(s[i + k]);
            if ((d & 0xc0) != 0x80) return i;
            cp = cp << 6 | (d & 0x3f);
        }
        // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8 either.
        static const std::uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min_for_len[len] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return i;
        i += len;
    }
    return std::string_view::npos;
}

}  // namespace

bool looks_like_ip_addr_text(std::string_view text) {
    for (char c : text) {
        if (std::isspace(static_cast<unsigned char>(c))) continue;
        return c != '[' && c != '{';
    }
    return false;
}

std::string ip_addr_text_to_json(std::string_view text, const std::string& source) {
    if (std::size_t bad = first_non_utf8(text); bad != std::string_view::npos) {
        std::size_t line_start = text.rfind('\n', bad == 0 ? 0 : bad - 1);
        line_start = line_start == std::string_view::npos || bad == 0 ? 0 : line_start + 1;
        const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(bad), '\n'));
        static const char hex[] = "0123456789abcdef";
        const auto c = static_cast<unsigned char>(text[bad]);
        throw ParseError(source, line, static_cast<int>(bad - line_start) + 1,
                         std::string("byte 0x") + hex[c >> 4] + hex[c & 15] +
                             " is not UTF-8 text; fwbench reads host descriptions as UTF-8 (a name in another encoding cannot be given)");
    }
    json links = json::array();
    int line_no = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        auto fail = [&](int column, const std::string& what) { throw ParseError(source, line_no, column, what); };
        std::vector<Token> t = split(line);
        if (t.empty() || t[0].text[0] == '#') continue;
        bool indented = std::isspace(static_cast<unsigned char>(line[0]));
        if (!indented) {
            // "3: eth0.10@eth0: <BROADCAST,UP> mtu 1500 qdisc ... state UP ..."
            std::string_view idx = t[0].text;
            if (idx.back() != ':' || !all_digits(idx.substr(0, idx.size() - 1)))
                fail(t[0].column, "expected an interface header ('INDEX: NAME: <FLAGS> ...') or an indented address line");
            if (t.size() < 2 || t[1].text.back() != ':')
                fail(t.size() < 2 ? static_cast<int>(line.size()) + 1 : t[1].column, "expected 'NAME:' after the index");
            // "NAME@LINK:" names the device a veth or VLAN sits on. A name may itself hold an '@',
            // which the text cannot tell from that suffix: a second '@' is refused, not guessed.
            std::string_view name = t[1].text.substr(0, t[1].text.size() - 1);
            if (auto at = name.find('@'); at != std::string_view::npos) {
                if (name.find('@', at + 1) != std::string_view::npos)
                    fail(t[1].column, "cannot tell the interface name from its '@LINK' suffix in " + quoted_name(name) +
                                          "; give the host as ip -j addr show instead");
                name = name.substr(0, at);
            }
            if (auto problem = interface_name_problem(name); !problem.empty()) fail(t[1].column, quoted_name(name) + " is " + problem);
            auto index = decimal(idx.substr(0, idx.size() - 1));
            if (!index) fail(t[0].column, "expected an interface index up to 2147483647");
            json link = {{"ifindex", *index}, {"ifname", std::string(name)}};
            json flags = json::array();
            for (std::size_t k = 2; k < t.size(); ++k) {
                std::string_view tok = t[k].text;
                if (tok.size() >= 2 && tok.front() == '<' && tok.back() == '>') {
                    std::string_view inner = tok.substr(1, tok.size() - 2);
                    while (!inner.empty()) {
                        std::size_t comma = inner.find(',');
                        flags.push_back(std::string(inner.substr(0, comma)));
                        if (comma == std::string_view::npos) break;
                        inner.remove_prefix(comma + 1);
                    }
                } else if (tok == "mtu" && k + 1 < t.size()) {
                    auto mtu = decimal(t[k + 1].text);
                    if (!mtu) fail(t[k + 1].column, "expected the MTU, a number up to 2147483647");
                    link["mtu"] = *mtu;
                    ++k;
                } else if (tok == "state" && k + 1 < t.size()) {
                    link["operstate"] = std::string(t[k + 1].text);
                    ++k;
                }
            }
            link["flags"] = flags;
            link["addr_info"] = json::array();
            links.push_back(std::move(link));
            continue;
        }
        std::string_view key = t[0].text;
        if (key.rfind("link/", 0) == 0) {
            if (links.empty()) fail(t[0].column, "a link line before any interface header");
            links.back()["link_type"] = std::string(key.substr(5));
            if (t.size() > 1) links.back()["address"] = std::string(t[1].text);
            continue;
        }
        if (key != "inet" && key != "inet6") continue;  // lifetimes, altnames, details
        if (links.empty()) fail(t[0].column, "an address line before any interface header");
        bool v6 = key == "inet6";
        if (t.size() < 2)
            fail(static_cast<int>(line.size()) + 1,
                 std::string("expected an ") + (v6 ? "IPv6" : "IPv4") + " address after '" + std::string(key) + "'");
        auto prefix_of = [&](const Token& tok) {
            std::string_view a = tok.text;
            int len = v6 ? 128 : 32;
            if (auto slash = a.find('/'); slash != std::string_view::npos) {
                std::string_view l = a.substr(slash + 1);
                if (!all_digits(l) || l.size() > 3 || std::stoi(std::string(l)) > len)
                    fail(tok.column + static_cast<int>(slash) + 1, std::string("expected a prefix length up to ") + std::to_string(len));
                len = std::stoi(std::string(l));
                a = a.substr(0, slash);
            }
            if (!parse_ip(a, v6 ? Family::ipv6 : Family::ipv4))
                fail(tok.column, std::string("expected an ") + (v6 ? "IPv6" : "IPv4") + " address, got '" + std::string(tok.text) + "'");
            return std::pair<std::string, int>(std::string(a), len);
        };
        auto [local, len] = prefix_of(t[1]);
        json a = {{"family", v6 ? "inet6" : "inet"}, {"local", local}, {"prefixlen", len}};
        for (std::size_t k = 2; k < t.size(); ++k) {
            std::string_view tok = t[k].text;
            bool has_value = k + 1 < t.size();
            if (tok == "peer" && has_value) {
                auto [peer, plen] = prefix_of(t[k + 1]);
                a["address"] = peer;
                a["prefixlen"] = plen;
                ++k;
            } else if (tok == "brd" && has_value) {
                if (!parse_ip(t[k + 1].text, v6 ? Family::ipv6 : Family::ipv4)) fail(t[k + 1].column, "expected a broadcast address");
                a["broadcast"] = std::string(t[k + 1].text);
                ++k;
            } else if (tok == "scope" && has_value) {
                a["scope"] = std::string(t[k + 1].text);
                ++k;
            } else if (tok == "secondary" || tok == "noprefixroute" || tok == "dynamic" || tok == "deprecated" || tok == "tentative") {
                a[std::string(tok)] = true;
            } else if (k + 1 == t.size()) {
                a["label"] = std::string(tok);
            }
        }
        links.back()["addr_info"].push_back(std::move(a));
    }
    return links.dump();
}

}  // namespace fwbench
