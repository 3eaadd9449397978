#include "fwbench/ipset.hpp"

#include "fwbench/names.hpp"
#include "fwbench/parse_error.hpp"
#include "fwbench/ruleset.hpp"
#include "line_lexer.hpp"
#include "fwbench/parse_util.hpp"

namespace fwbench {

namespace {

using Kind = IpsetEntry::Dim::Kind;

std::optional<std::vector<Kind>> dims_of(std::string_view type) {
    auto colon = type.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    auto method = type.substr(0, colon);
    if (method != "hash" && method != "bitmap" && method != "list") return std::nullopt;
    std::vector<Kind> dims;
    for (auto part : detail::split(type.substr(colon + 1), ',')) {
        if (part == "ip" || part == "net") dims.push_back(Kind::net);
        else if (part == "port") dims.push_back(Kind::port);
        else if (part == "mac") dims.push_back(Kind::mac);
        else if (part == "iface") dims.push_back(Kind::iface);
        else if (part == "set") dims.push_back(Kind::setname);
        else return std::nullopt;
    }
    return dims;
}

std::string parse_dim(std::string_view text, Kind kind, Family family, IpsetEntry::Dim& d) {
    d.kind = kind;
    switch (kind) {
        case Kind::net: {
            auto dash = text.find('-');
            if (dash != std::string_view::npos && text.find('/') == std::string_view::npos) {
                auto lo = parse_ip(text.substr(0, dash), family), hi = parse_ip(text.substr(dash + 1), family);
                if (!lo || !hi) return "expected ADDR-ADDR, got '" + std::string(text) + "'";
                d.net = IpPrefix{*lo, prefix_mask(family, address_bits(family))};
                d.range_hi = *hi;
                d.is_range = true;
                return {};
            }
            auto p = parse_prefix(text, family);
            if (!p.prefix) return p.error;
            d.net = *p.prefix;
            return {};
        }
        case Kind::port: {
            std::string_view port = text;
            d.proto = proto::tcp;
            if (auto colon = text.find(':'); colon != std::string_view::npos) {
                auto pr = parse_protocol(text.substr(0, colon));
                if (!pr) return "unknown protocol in '" + std::string(text) + "'";
                d.proto = *pr;
                port = text.substr(colon + 1);
            }
            auto r = detail::parse_port_range(port, '-');
            if (!r) return "expected [PROTO:]PORT[-PORT], got '" + std::string(text) + "'";
            d.port_lo = r->lo;
            d.port_hi = r->hi;
            return {};
        }
        case Kind::mac: {
            auto m = parse_mac(text);
            if (!m) return "expected a MAC address, got '" + std::string(text) + "'";
            d.mac = *m;
            return {};
        }
        case Kind::iface:
            // ipset takes a "physdev:" prefix for bridge ports; the name after it is a device's.
            if (auto problem = interface_name_problem(text.rfind("physdev:", 0) == 0 ? text.substr(8) : text); !problem.empty())
                return quoted_name(text) + " is " + problem;
            d.name = std::string(text);
            return {};
        case Kind::setname:
            if (auto problem = ipset_name_problem(text); !problem.empty()) return quoted_name(text) + " is " + problem;
            d.name = std::string(text);
            return {};
    }
    return {};
}

bool addr_in(const IpsetEntry::Dim& d, const IpAddr& a) {
    if (a.family != d.net.addr.family) return false;
    if (d.is_range) return d.net.addr <= a && a <= d.range_hi;
    return d.net.contains(a);
}

int specificity(const IpsetEntry& e) {
    int s = 0;
    for (const auto& d : e.dims)
        if (d.kind == Kind::net) s += d.is_range ? address_bits(d.net.addr.family) : mask_length(d.net.mask);
    return s;
}

}  // namespace

IpsetRegistry IpsetRegistry::parse(std::string_view text, const std::string& source) {
    IpsetRegistry reg;
    int line_no = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        auto nl = text.find('\n', pos);
        auto line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        ++line_no;
        pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
        std::string err;
        int err_col = 0;
        auto words = detail::split_words(line, &err, &err_col);
        if (!err.empty()) throw ParseError(source, line_no, err_col, err);
        if (words.empty() || words[0].text[0] == '#') continue;
        const auto& cmd = words[0];
        if (cmd.is("create") || cmd.is("-N")) {
            if (words.size() < 3) throw ParseError(source, line_no, cmd.column, "expected 'create NAME TYPE [options]'");
            Ipset s;
            s.name = words[1].text;
            if (auto problem = ipset_name_problem(s.name); !problem.empty())
                throw ParseError(source, line_no, words[1].column, quoted_name(s.name) + " is " + problem);
            s.type = words[2].text;
            auto dims = dims_of(s.type);
            if (!dims) throw ParseError(source, line_no, words[2].column, "unsupported set type '" + s.type + "'");
            s.dims = *dims;
            for (std::size_t i = 3; i + 1 < words.size(); ++i)
                if (words[i].is("family")) {
                    if (words[i + 1].is("inet")) s.family = Family::ipv4;
                    else if (words[i + 1].is("inet6")) s.family = Family::ipv6;
                    else throw ParseError(source, line_no, words[i + 1].column, "expected family inet or inet6");
                }
            if (reg.find(s.name)) throw ParseError(source, line_no, words[1].column, "set " + quoted_name(s.name) + " is created twice");
            reg.add(std::move(s));
        } else if (cmd.is("add") || cmd.is("-A")) {
            if (words.size() < 3) throw ParseError(source, line_no, cmd.column, "expected 'add NAME ENTRY'");
            auto it = reg.sets_.find(words[1].text);
            if (it == reg.sets_.end())
                throw ParseError(source, line_no, words[1].column, "set " + quoted_name(words[1].text) + " was not created before 'add'");
            Ipset& s = it->second;
            IpsetEntry e;
            auto parts = detail::split(words[2].text, ',');
            if (s.type.rfind("list:", 0) == 0) parts = {words[2].text};
            if (parts.size() != s.dims.size())
                throw ParseError(
                    source, line_no, words[2].column,
                    "expected " + std::to_string(s.dims.size()) + " comma-separated values for a " + s.type + " entry, got '" + words[2].text + "'");
            for (std::size_t i = 0; i < parts.size(); ++i) {
                IpsetEntry::Dim d;
                auto derr = parse_dim(parts[i], s.dims[i], s.family, d);
                if (!derr.empty()) throw ParseError(source, line_no, words[2].column, derr);
                e.dims.push_back(std::move(d));
            }
            for (std::size_t i = 3; i < words.size(); ++i)
                if (words[i].is("nomatch")) e.nomatch = true;
            s.entries.push_back(std::move(e));
        } else {
            throw ParseError(source, line_no, cmd.column, "expected 'create' or 'add' (ipset save output), got '" + cmd.text + "'");
        }
    }
    return reg;
}

const Ipset* IpsetRegistry::find(std::string_view name) const {
    auto it = sets_.find(name);
    return it == sets_.end() ? nullptr : &it->second;
}

void IpsetRegistry::add(Ipset set) {
    std::string name = set.name;
    sets_[name] = std::move(set);
}

bool IpsetRegistry::contains(std::string_view name, const Packet& p, const std::vector<bool>& src_dirs, bool return_nomatch, int depth) const {
    const Ipset* s = find(name);
    if (!s || depth > 6) return false;
    if (s->type.rfind("list:", 0) == 0) {
        for (const auto& e : s->entries)
            if (contains(e.dims[0].name, p, src_dirs, return_nomatch, depth + 1)) return true;
        return false;
    }
    if (s->family != p.family) return false;
    if (src_dirs.size() < s->dims.size()) return false;  // the kernel needs a flag per dimension
    const IpsetEntry* best = nullptr;
    for (const auto& e : s->entries) {
        bool all = true;
        for (std::size_t i = 0; i < e.dims.size() && all; ++i) {
            const auto& d = e.dims[i];
            bool src = src_dirs[i];
            switch (d.kind) {
                case Kind::net: all = addr_in(d, src ? p.src : p.dst); break;
                case Kind::port: {
                    std::uint16_t port = src ? p.sport : p.dport;
                    all = !p.fragment && p.l4_present && p.proto == d.proto && d.port_lo <= port && port <= d.port_hi;
                    break;
                }
                case Kind::mac: all = src && p.has_mac && p.src_mac == d.mac; break;
                case Kind::iface: all = (src ? p.in : p.out).view() == d.name; break;
                case Kind::setname: all = false; break;
            }
        }
        if (all && (!best || specificity(e) > specificity(*best))) best = &e;
    }
    if (!best) return false;
    return best->nomatch ? return_nomatch : true;
}

}  // namespace fwbench
