#include "fwbench/host.hpp"

#include <algorithm>
#include <sstream>

#include <nlohmann/json.hpp>

#include "fwbench/matches.hpp"
#include "fwbench/names.hpp"
#include "fwbench/parse_error.hpp"
#include "fwbench/parse_util.hpp"

namespace fwbench {

const char* route_type_name(RouteType t) {
    switch (t) {
        case RouteType::unicast: return "unicast";
        case RouteType::local: return "local";
        case RouteType::broadcast: return "broadcast";
        case RouteType::anycast: return "anycast";
        case RouteType::multicast: return "multicast";
        case RouteType::blackhole: return "blackhole";
        case RouteType::unreachable: return "unreachable";
        case RouteType::prohibit: return "prohibit";
        case RouteType::throw_: return "throw";
        case RouteType::nat: return "nat";
    }
    return "?";
}

// --- route table: a binary trie over address bits ----------------------------------------------

struct RouteTable::Node {
    std::unique_ptr<Node> child[2];
    std::vector<std::size_t> routes;  // indexes into all_, sorted by metric
};

RouteTable::RouteTable() = default;
RouteTable::~RouteTable() = default;
RouteTable::RouteTable(RouteTable&&) noexcept = default;
RouteTable& RouteTable::operator=(RouteTable&&) noexcept = default;

namespace {
int bit_at(const IpAddr& a, int i) { return (a.bytes[static_cast<std::size_t>(i / 8)] >> (7 - i % 8)) & 1; }
}  // namespace

void RouteTable::add(Route r) {
    auto& root = r.dst.addr.family == Family::ipv4 ? root4_ : root6_;
    if (!root) root = std::make_unique<Node>();
    Node* n = root.get();
    for (int i = 0; i < r.prefixlen; ++i) {
        auto& c = n->child[bit_at(r.dst.addr, i)];
        if (!c) c = std::make_unique<Node>();
        n = c.get();
    }
    const bool v4 = r.dst.addr.family == Family::ipv4;
    all_.push_back(std::move(r));
    n->routes.push_back(all_.size() - 1);
    std::stable_sort(n->routes.begin(), n->routes.end(), [&](std::size_t a, std::size_t b) { return all_[a].metric < all_[b].metric; });
    if (!v4) return;
    ++routes4_;
    flat4_.clear();
    if (routes4_ > flat_limit) return;
    for (std::uint32_t i = 0; i < all_.size(); ++i) {
        const Route& x = all_[i];
        if (x.dst.addr.family != Family::ipv4) continue;
        const std::uint32_t mask = x.prefixlen == 0 ? 0 : ~std::uint32_t{0} << (32 - x.prefixlen);
        flat4_.push_back({x.dst.addr.v4_host() & mask, mask, x.tos, i});
    }
    // Longest prefix first; then as the trie node keeps them: by metric, in the order added.
    std::stable_sort(flat4_.begin(), flat4_.end(), [&](const FlatRoute& a, const FlatRoute& b) {
        if (a.mask != b.mask) return a.mask > b.mask;
        return all_[a.route].metric < all_[b.route].metric;
    });
}

const Route* RouteTable::lookup(const IpAddr& dst, std::uint8_t tos) const {
    if (dst.family == Family::ipv4 && routes4_ <= flat_limit) {
        const std::uint32_t d = dst.v4_host();
        for (const FlatRoute& f : flat4_)
            if ((d & f.mask) == f.net && (f.tos == 0 || f.tos == tos)) return &all_[f.route];
        return nullptr;
    }
    const Node* n = (dst.family == Family::ipv4 ? root4_ : root6_).get();
    const Route* best = nullptr;
    const int bits = address_bits(dst.family);
    for (int i = 0; n; ++i) {
        for (std::size_t idx : n->routes) {
            const Route& r = all_[idx];
            if (r.tos == 0 || r.tos == tos) {
                best = &r;
                break;
            }
        }
        if (i == bits) break;
        n = n->child[bit_at(dst, i)].get();
    }
    return best;
}

const Route* RouteTable::lookup_via(const IpAddr& dst, std::uint8_t tos, std::string_view dev) const {
    const Route* best = nullptr;
    for (const Route& r : all_) {
        if (r.dst.addr.family != dst.family || !r.dst.contains(dst) || (r.tos != 0 && r.tos != tos)) continue;
        const bool error =
            r.type == RouteType::blackhole || r.type == RouteType::unreachable || r.type == RouteType::prohibit || r.type == RouteType::throw_;
        if (!error && r.dev != dev) continue;
        if (!best || r.prefixlen > best->prefixlen || (r.prefixlen == best->prefixlen && r.metric < best->metric)) best = &r;
    }
    return best;
}

const Route* RouteTable::lookup6(const IpAddr& dst, std::string_view dev, bool strict) const {
    const Node* path[129];  // the nodes on dst's path, root first
    int depth = 0;
    const Node* n = root6_.get();
    for (int i = 0; n; ++i) {
        path[depth++] = n;
        if (i == 128) break;
        n = n->child[bit_at(dst, i)].get();
    }
    for (int d = depth; d-- > 0;) {  // fib6_backtrack: a shorter prefix when nothing here fits
        const std::vector<std::size_t>& here = path[d]->routes;  // by metric
        if (here.empty()) continue;
        const std::uint32_t lowest = all_[here.front()].metric;
        for (std::size_t idx : here) {
            const Route& r = all_[idx];
            // find_rr_leaf: among the lowest metric's routes one through dev wins, else the first;
            // strict, a route of a higher metric through dev rather than none.
            if ((dev.empty() || r.dev == dev) && (strict || r.metric == lowest)) return &r;
        }
        if (!strict) return &all_[here.front()];
    }
    return nullptr;
}

// --- sysctls ------------------------------------------------------------------------------------

namespace {
int per_dev(const std::map<std::string, int, std::less<>>& m, std::string_view dev, int fallback) {
    auto it = m.find(dev);
    return it == m.end() ? fallback : it->second;
}
}  // namespace

int Sysctls::rp_filter_for(std::string_view dev) const { return std::max(rp_filter_all, per_dev(rp_filter, dev, rp_filter_default)); }
bool Sysctls::accept_local_for(std::string_view dev) const { return accept_local_all || per_dev(accept_local, dev, 0); }
bool Sysctls::route_localnet_for(std::string_view dev) const { return route_localnet_all || per_dev(route_localnet, dev, 0); }
bool Sysctls::forwarding_for(std::string_view dev) const { return per_dev(forwarding, dev, ip_forward ? 1 : 0) != 0; }
bool Sysctls::ip6_forwarding_for(std::string_view dev) const { return per_dev(ip6_forwarding, dev, ip6_forward ? 1 : 0) != 0; }
bool Sysctls::ip6_forwards_from(std::string_view in) const { return ip6_forward || per_dev(ip6_force_forwarding, in, 0) != 0; }
bool Sysctls::ip6_disabled_on(std::string_view dev) const { return per_dev(ip6_disable, dev, ip6_disable_all ? 1 : 0) != 0; }
bool Sysctls::send_redirects_for(std::string_view dev) const {
    return send_redirects_all || per_dev(send_redirects, dev, send_redirects_default ? 1 : 0) != 0;
}
bool Sysctls::shared_media_for(std::string_view dev) const {
    return shared_media_all || per_dev(shared_media, dev, shared_media_default ? 1 : 0) != 0;
}

// --- JSON input ---------------------------------------------------------------------------------

namespace {

using json = nlohmann::json;

struct JsonReader {
    const std::string& source;
    [[noreturn]] void fail(const std::string& path, const std::string& msg) const { throw ParseError(source, 0, 0, path + ": " + msg); }
    std::string str(const json& j, const std::string& path) const {
        if (!j.is_string()) fail(path, "expected a string");
        return j.get<std::string>();
    }
    std::int64_t num(const json& j, const std::string& path) const {
        if (j.is_number_integer()) return j.get<std::int64_t>();
        if (j.is_string()) {
            auto v = detail::parse_uint(j.get<std::string>(), 0xffffffffu);
            if (v) return static_cast<std::int64_t>(*v);
        }
        fail(path, "expected a number");
    }
    // An interface name the kernel would accept (names.hpp); refused at its JSON path otherwise.
    std::string iface(const json& j, const std::string& path) const {
        std::string s = str(j, path);
        if (auto problem = interface_name_problem(s); !problem.empty()) fail(path, quoted_name(s) + " is " + problem);
        return s;
    }
    IpAddr addr(const json& j, const std::string& path) const {
        std::string s = str(j, path);
        auto a = parse_ip(s, s.find(':') != std::string::npos ? Family::ipv6 : Family::ipv4);
        if (!a) fail(path, "expected an IP address, got '" + s + "'");
        return *a;
    }
    // An address scope as ip prints it (/etc/iproute2/rt_scopes), or its number.
    std::uint8_t scope(const json& j, const std::string& path) const {
        if (j.is_string()) {
            static const std::pair<const char*, std::uint8_t> names[] = {{"global", rt_scope::universe}, {"universe", rt_scope::universe},
                                                                         {"site", rt_scope::site},       {"link", rt_scope::link},
                                                                         {"host", rt_scope::host},       {"nowhere", rt_scope::nowhere}};
            for (const auto& [n, v] : names)
                if (j.get<std::string>() == n) return v;
        }
        const std::int64_t v = num(j, path);
        if (v < 0 || v > 255) fail(path, "expected a scope (global, site, link, host, nowhere or 0-255)");
        return static_cast<std::uint8_t>(v);
    }
};

std::optional<RouteType> parse_route_type(std::string_view s) {
    static const std::pair<const char*, RouteType> names[] = {{"unicast", RouteType::unicast},
                                                              {"local", RouteType::local},
                                                              {"broadcast", RouteType::broadcast},
                                                              {"anycast", RouteType::anycast},
                                                              {"multicast", RouteType::multicast},
                                                              {"blackhole", RouteType::blackhole},
                                                              {"unreachable", RouteType::unreachable},
                                                              {"prohibit", RouteType::prohibit},
                                                              {"throw", RouteType::throw_},
                                                              {"nat", RouteType::nat}};
    for (const auto& [n, t] : names)
        if (s == n) return t;
    return std::nullopt;
}

// net.ipv6.conf.DEV.{forwarding,force_forwarding,disable_ipv6} -> (DEV, which).
std::optional<std::pair<std::string, std::string>> ipv6_conf_device(const std::string& k) {
    static const std::string prefix = "net.ipv6.conf.";
    if (k.rfind(prefix, 0) != 0) return std::nullopt;
    for (const char* what : {"forwarding", "force_forwarding", "disable_ipv6"}) {
        const std::string tail = std::string(".") + what;
        if (k.size() > prefix.size() + tail.size() && k.compare(k.size() - tail.size(), tail.size(), tail) == 0) {
            const std::string dev = k.substr(prefix.size(), k.size() - prefix.size() - tail.size());
            return std::make_pair(dev, std::string(what));
        }
    }
    return std::nullopt;
}

// Policy rules other than the three every namespace starts with (local 0, main 32766, default 32767).
bool differ_from_default_rules(const std::vector<RoutingRule>& rules) {
    const std::pair<std::uint32_t, std::uint32_t> defaults[] = {{0, rt_table_local}, {32766, rt_table_main}, {32767, rt_table_default}};
    std::size_t v4 = 0;
    for (const auto& r : rules) {
        if (r.family != Family::ipv4) continue;
        const bool plain = !r.invert && !r.from && !r.to && !r.iif && !r.oif && !r.fwmark && !r.tos && r.action == RoutingRule::Action::lookup &&
                           r.suppress_prefixlength < 0;
        if (v4 >= 3 || !plain || r.priority != defaults[v4].first || r.table != defaults[v4].second) return true;
        ++v4;
    }
    return v4 != 3;
}
}  // namespace

Host Host::from_json(std::string_view text, const std::string& source) {
    json doc;
    try {
        doc = json::parse(text);
    } catch (const json::parse_error& e) {
        throw ParseError(source, 0, static_cast<int>(e.byte), std::string("not valid JSON: ") + e.what());
    } catch (const json::exception& e) {  // out_of_range: a number too large for any type
        throw ParseError(source, 0, 0, std::string("not valid JSON here: ") + e.what());
    }
    std::string at = "$";
    try {
        return from_document(doc, source, at);
    } catch (const json::exception& e) {
        // The readers test the types they rely on; this catches the members they take on trust.
        std::string what = e.what();
        if (auto close = what.find("] "); close != std::string::npos) what = what.substr(close + 2);
        throw ParseError(source, 0, 0, at + ": a member has a JSON type fwbench cannot read here (" + what + ")");
    }
}

// Reads a host document section by section into a Host (a friend: it fills the private tables).
// `at` follows the element being read, for errors the section readers do not position.
struct HostReader {
    Host& h;
    JsonReader rd;
    std::string& at;
    std::uint32_t next_custom_table = 1000;

    void interfaces(const json& addr_doc) {
        if (!addr_doc.is_array()) rd.fail("$.addr", "expected an array");
        for (std::size_t i = 0; i < addr_doc.size(); ++i) {
            const json& j = addr_doc[i];
            std::string path = at = "addr[" + std::to_string(i) + "]";
            if (!j.is_object()) rd.fail(path, "expected an object");
            Interface itf;
            itf.name = rd.iface(j.value("ifname", json()), path + ".ifname");
            if (j.contains("ifindex")) itf.index = static_cast<int>(rd.num(j["ifindex"], path + ".ifindex"));
            bool has_flags = j.contains("flags");
            itf.up = !has_flags;
            if (has_flags) {
                for (const auto& f : j["flags"]) {
                    std::string flag = rd.str(f, path + ".flags");
                    if (flag == "UP") itf.up = true;
                    if (flag == "LOOPBACK") itf.loopback = true;
                }
            }
            if (j.value("link_type", "") == "loopback") itf.loopback = true;
            if (j.contains("mtu")) {
                const double mtu = rd.num(j["mtu"], path + ".mtu");
                if (mtu < 68 || mtu > 16777216) rd.fail(path + ".mtu", "expected a device MTU, at least 68 (IPv4's minimum)");
                itf.mtu = static_cast<unsigned>(mtu);
            }
            if (j.contains("address") && j["address"].is_string()) {
                if (auto m = parse_mac(j["address"].get<std::string>())) itf.mac = *m;
            }
            if (j.contains("addr_info")) {
                const json& ai = j["addr_info"];
                for (std::size_t k = 0; k < ai.size(); ++k) {
                    std::string apath = at = path + ".addr_info[" + std::to_string(k) + "]";
                    const json& a = ai[k];
                    std::string fam = a.value("family", "");
                    if (fam != "inet" && fam != "inet6") continue;  // e.g. AF_PACKET entries
                    InterfaceAddress ia;
                    ia.addr = rd.addr(a.value("local", json()), apath + ".local");
                    if ((fam == "inet") != (ia.addr.family == Family::ipv4)) rd.fail(apath + ".local", "address does not match family " + fam);
                    ia.prefixlen = static_cast<int>(rd.num(a.value("prefixlen", json()), apath + ".prefixlen"));
                    if (ia.prefixlen < 0 || ia.prefixlen > address_bits(ia.addr.family)) rd.fail(apath + ".prefixlen", "out of range");
                    if (a.contains("broadcast")) ia.broadcast = rd.addr(a["broadcast"], apath + ".broadcast");
                    if (a.contains("address")) {
                        ia.peer = rd.addr(a["address"], apath + ".address");
                        if (ia.peer->family != ia.addr.family) rd.fail(apath + ".address", "peer address does not match family " + fam);
                    }
                    ia.secondary = a.value("secondary", false);
                    ia.scope = ia.addr.family == Family::ipv4 && ia.addr.bytes[0] == 127 ? rt_scope::host : rt_scope::universe;
                    if (a.contains("scope")) ia.scope = rd.scope(a["scope"], apath + ".scope");
                    ia.noprefixroute = a.value("noprefixroute", false);
                    ia.tentative = a.value("tentative", false);
                    ia.dadfailed = a.value("dadfailed", false);
                    ia.deprecated = a.value("deprecated", false);
                    itf.addrs.push_back(ia);
                }
            }
            if (h.interface(itf.name)) rd.fail(path + ".ifname", "interface " + quoted_name(itf.name) + " appears twice");
            h.interfaces_.push_back(std::move(itf));
        }
        if (!h.interface("lo")) {
            // Every network namespace has lo with 127.0.0.1/8; dumps of one interface may omit it.
            Interface lo;
            lo.name = "lo";
            lo.loopback = true;
            lo.index = 1;
            lo.addrs.push_back({*parse_ip("127.0.0.1", Family::ipv4), 8, std::nullopt, std::nullopt, false, false});
            h.interfaces_.insert(h.interfaces_.begin(), lo);
        }
    }

    // A route's or rule's table: a number, a name already known, or a new name (from
    // rt_tables), numbered consistently within this host.
    std::uint32_t table_id(const json& j, const std::string& path) {
        if (j.is_number_integer()) return static_cast<std::uint32_t>(j.get<std::int64_t>());
        std::string s = rd.str(j, path);
        if (auto v = detail::parse_uint(s, 0xffffffffu)) return static_cast<std::uint32_t>(*v);
        for (const auto& [id, name] : h.table_names_)
            if (name == s) return id;
        h.table_names_[next_custom_table] = s;
        return next_custom_table++;
    }

    void routes(const json& route_doc) {
        if (route_doc.is_null()) {  // derived from the addresses, as the kernel derives them
            h.derive_routes(Family::ipv4, Host::DerivedTables::all);
            h.derive_routes(Family::ipv6, Host::DerivedTables::all);
            h.assumptions_.push_back({HostAssumption::Kind::routes_derived,
                                      "routes: none were given, so only the connected and local routes the kernel derives from the "
                                      "addresses, and no default route (give `ip -j route show table all` as \"route\")"});
            return;
        }
        if (!route_doc.is_array()) rd.fail("$.route", "expected an array (ip -j route show table all)");
        for (std::size_t i = 0; i < route_doc.size(); ++i) {
            const json& j = route_doc[i];
            std::string path = at = "route[" + std::to_string(i) + "]";
            Route r;
            if (j.contains("type")) {
                auto t = parse_route_type(rd.str(j["type"], path + ".type"));
                if (!t) rd.fail(path + ".type", "unknown route type '" + j["type"].get<std::string>() + "'");
                r.type = *t;
            }
            std::string dst = rd.str(j.value("dst", json()), path + ".dst");
            Family fam = dst.find(':') != std::string::npos ? Family::ipv6 : Family::ipv4;
            if (dst == "default") {
                // ip -j prints both families' default as "default": a gateway or preferred source
                // tells which, and so does "pref" (a router preference: IPv6 routes alone have
                // one); without any it is taken as IPv4's (dump-host writes IPv6's as ::/0).
                auto v6_text = [&](const char* key) {
                    return j.contains(key) && j[key].is_string() && j[key].get<std::string>().find(':') != std::string::npos;
                };
                fam = v6_text("gateway") || v6_text("prefsrc") || j.contains("pref") ? Family::ipv6 : Family::ipv4;
                r.dst = IpPrefix::any(fam);
                r.prefixlen = 0;
            } else {
                auto p = parse_prefix(dst, fam);
                if (!p.prefix) rd.fail(path + ".dst", p.error);
                r.dst = *p.prefix;
                r.prefixlen = mask_length(p.prefix->mask);
                // parse_prefix takes iptables' dotted masks, any bits set: a route's must be a
                // prefix (ip never prints one that is not).
                if (r.prefixlen < 0) rd.fail(path + ".dst", "expected ADDRESS/LENGTH (a mask of leading ones)");
            }
            if (j.contains("gateway")) r.gateway = rd.addr(j["gateway"], path + ".gateway");
            // An ECMP route picks its nexthop by fib_multipath_hash, keyed at boot by a random
            // seed: which device a packet leaves by is not knowable, so it is refused, not guessed.
            if (j.contains("nexthops"))
                rd.fail(path + ".nexthops",
                        "a multipath route (several nexthops) is not modelled: which nexthop the kernel picks "
                        "depends on a hash keyed at boot");
            if (j.contains("dev")) r.dev = rd.iface(j["dev"], path + ".dev");
            r.table = j.contains("table") ? table_id(j["table"], path + ".table") : rt_table_main;
            if (j.contains("prefsrc")) r.prefsrc = rd.addr(j["prefsrc"], path + ".prefsrc");
            if (j.contains("metric")) r.metric = static_cast<std::uint32_t>(rd.num(j["metric"], path + ".metric"));
            if (j.contains("tos")) r.tos = static_cast<std::uint8_t>(rd.num(j["tos"], path + ".tos"));
            if (j.contains("metrics")) {
                // ip -j route: an array of objects of metric names; only mtu changes a verdict.
                if (!j["metrics"].is_array()) rd.fail(path + ".metrics", "expected an array of metric objects");
                for (std::size_t m = 0; m < j["metrics"].size(); ++m) {
                    const json& o = j["metrics"][m];
                    const std::string mpath = path + ".metrics[" + std::to_string(m) + "]";
                    if (!o.is_object()) rd.fail(mpath, "expected an object of metric names and values");
                    if (o.contains("mtu")) {
                        const std::int64_t v = rd.num(o["mtu"], mpath + ".mtu");
                        if (v < 68 || v > 65535) rd.fail(mpath + ".mtu", "a route MTU is 68 to 65535");
                        r.mtu = static_cast<std::uint32_t>(v);
                    }
                }
            }
            if (j.contains("flow")) {
                if (fam != Family::ipv4) rd.fail(path + ".flow", "realms are IPv4's: an IPv6 route has none");
                r.tclassid = realms(j["flow"], path + ".flow");
                h.realms_ = h.realms_ || r.tclassid != 0;
            }
            if (!r.dev.empty() && !h.interface(r.dev)) rd.fail(path + ".dev", "no interface " + quoted_name(r.dev) + " in addr");
            h.tables_[r.table].add(std::move(r));
        }
        for (Family family : {Family::ipv4, Family::ipv6}) local_table(family);
    }

    // A route's "flow" as ip -j prints it: {"from": REALM, "to": REALM}, each a number or a name
    // of rt_realms. Only iproute2's one default name is known: the host's file is not read.
    std::uint32_t realms(const json& flow, const std::string& path) {
        if (!flow.is_object()) rd.fail(path, "expected an object with \"from\" and \"to\" realms");
        auto realm = [&](const char* key) -> std::uint32_t {
            if (!flow.contains(key)) return 0;
            const std::string text =
                flow[key].is_number() ? std::to_string(rd.num(flow[key], path + "." + key)) : rd.str(flow[key], path + "." + key);
            if (text == "cosmos") return 0;  // /etc/iproute2/rt_realms's "0 cosmos"
            auto v = detail::parse_uint(text, 0xffff);
            if (!v) rd.fail(path + "." + key, "expected a realm 0-65535 (a name of the host's rt_realms is not known here: give its number)");
            return static_cast<std::uint32_t>(*v);
        };
        return realm("from") << 16 | realm("to");
    }

    // `ip -j route` without `table all` dumps the main table alone, yet the kernel always has
    // the local table fib_add_ifaddr derives from the addresses: derived here the same way when
    // the dump has none of the family, and said so. A local table that is given must hold each
    // IPv4 address's `local` route; one that lacks it is from another moment or another host.
    void local_table(Family family) {
        const char* name = family == Family::ipv4 ? "IPv4" : "IPv6";
        const RouteTable* given = h.table(rt_table_local);
        bool any_given = false;
        if (given)
            for (const auto& r : given->routes()) any_given |= r.dst.addr.family == family;
        if (!any_given) {
            bool has_addresses = false;
            for (const auto& itf : h.interfaces_)
                for (const auto& a : itf.addrs) has_addresses |= itf.up && a.addr.family == family;
            if (!has_addresses) return;
            h.derive_routes(family, Host::DerivedTables::local_only);
            h.assumptions_.push_back({HostAssumption::Kind::local_table_derived,
                                      std::string("routes: the dump has no ") + name + " local table (`ip -j route` without `table all`), so its " +
                                          (family == Family::ipv4 ? "local and broadcast" : "local, anycast and multicast") +
                                          " routes are derived from the addresses as the kernel derives them"});
            return;
        }
        // An IPv6 address gets its local route only once duplicate address detection is done,
        // so a dump may rightly catch one without it.
        if (family == Family::ipv6) return;
        for (const auto& itf : h.interfaces_) {
            if (!itf.up) continue;
            for (const auto& a : itf.addrs) {
                if (a.addr.family != family) continue;
                const Route* r = given->lookup(a.addr);
                if (r && r->type == RouteType::local) continue;
                rd.fail("$.route", "the local table has no `local " + format_ip(a.addr) + "` route, but addr gives " + format_ip(a.addr) + " to " +
                                       quoted_name(itf.name) +
                                       " (the kernel adds one for each address of an interface that is up): the route dump and the "
                                       "addresses are not of the same host at the same moment");
            }
        }
    }

    // `ip -j rule show` ("rule") or `ip -6 -j rule show` ("rule6") into `out`.
    void rules(const json& rule_doc, Family family) {
        std::vector<RoutingRule>& out = family == Family::ipv4 ? h.rules_ : h.rules6_;
        const std::string key = family == Family::ipv4 ? "rule" : "rule6";
        if (rule_doc.is_null()) {  // those every namespace starts with (IPv6 has no `default` rule)
            out = {{0, false, {}, {}, {}, {}, {}, 0xffffffff, {}, RoutingRule::Action::lookup, rt_table_local},
                   {32766, false, {}, {}, {}, {}, {}, 0xffffffff, {}, RoutingRule::Action::lookup, rt_table_main}};
            if (family == Family::ipv4)
                out.push_back({32767, false, {}, {}, {}, {}, {}, 0xffffffff, {}, RoutingRule::Action::lookup, rt_table_default});
            for (auto& r : out) r.family = family;
            return;
        }
        if (!rule_doc.is_array())
            rd.fail("$." + key, family == Family::ipv4 ? "expected an array (ip -j rule show)" : "expected an array (ip -6 -j rule show)");
        for (std::size_t i = 0; i < rule_doc.size(); ++i) {
            const json& j = rule_doc[i];
            std::string path = at = key + "[" + std::to_string(i) + "]";
            RoutingRule r;
            r.family = family;
            r.priority = static_cast<std::uint32_t>(rd.num(j.value("priority", json()), path + ".priority"));
            r.invert = j.value("not", json()).is_null() ? false : true;
            auto prefix_of = [&](const char* key, const char* lenkey) -> std::optional<IpPrefix> {
                if (!j.contains(key)) return std::nullopt;
                std::string s = rd.str(j[key], path + "." + key);
                if (s == "all") return std::nullopt;
                Family fam = s.find(':') != std::string::npos ? Family::ipv6 : Family::ipv4;
                if (fam != family)
                    rd.fail(path + "." + key, "an " + std::string(fam == Family::ipv4 ? "IPv4" : "IPv6") + " prefix among the " +
                                                  (family == Family::ipv4 ? "IPv4" : "IPv6") + " rules");
                if (j.contains(lenkey)) s += "/" + std::to_string(rd.num(j[lenkey], path + "." + lenkey));
                auto p = parse_prefix(s, fam);
                if (!p.prefix) rd.fail(path + "." + key, p.error);
                return p.prefix;
            };
            r.from = prefix_of("src", "srclen");
            r.to = prefix_of("dst", "dstlen");
            if (j.contains("iif")) r.iif = rd.iface(j["iif"], path + ".iif");
            if (j.contains("oif")) r.oif = rd.iface(j["oif"], path + ".oif");
            if (j.contains("fwmark")) {
                auto vm = detail::parse_value_mask(rd.str(j["fwmark"], path + ".fwmark"));
                if (!vm) rd.fail(path + ".fwmark", "expected VALUE[/MASK]");
                r.fwmark = vm->first;
                r.fwmask = vm->second;
            }
            if (j.contains("fwmask")) r.fwmask = static_cast<std::uint32_t>(rd.num(j["fwmask"], path + ".fwmask"));
            if (j.contains("tos")) r.tos = static_cast<std::uint8_t>(rd.num(j["tos"], path + ".tos"));
            // A rule's realms fill in what the route leaves of the packet's (fib_rules' tclassid):
            // not modelled, and refused rather than read without them.
            for (const char* realm : {"flow_from", "flow_to"})
                if (j.contains(realm)) rd.fail(path + "." + realm, "a rule's realms are not modelled (a route's are)");
            if (j.contains("suppress_prefixlen"))
                r.suppress_prefixlength = static_cast<int>(rd.num(j["suppress_prefixlen"], path + ".suppress_prefixlen"));
            std::string action = j.value("action", "");
            if (action == "blackhole") r.action = RoutingRule::Action::blackhole;
            else if (action == "unreachable") r.action = RoutingRule::Action::unreachable;
            else if (action == "prohibit") r.action = RoutingRule::Action::prohibit;
            else if (action == "nop") r.action = RoutingRule::Action::nop;
            else if (action == "goto" || j.contains("goto")) {
                r.action = RoutingRule::Action::goto_;
                r.goto_priority = static_cast<std::uint32_t>(rd.num(j.value("goto", json()), path + ".goto"));
            } else if (!action.empty() && action != "to_tbl" && action != "lookup") {
                rd.fail(path + ".action", "unknown rule action '" + action + "'");
            }
            if (r.action == RoutingRule::Action::lookup) {
                if (!j.contains("table")) rd.fail(path + ".table", "expected the table the rule looks up");
                r.table = table_id(j["table"], path + ".table");
            }
            out.push_back(std::move(r));
        }
        std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.priority < b.priority; });
    }

    // Full names (net.ipv4.conf.wan1.rp_filter) or their short forms (ip_forward).
    void sysctls(const json& sysctl_doc) {
        if (sysctl_doc.is_null()) {
            h.assumptions_.push_back({HostAssumption::Kind::sysctls_default,
                                      "sysctls: none were given, so the kernel defaults: ip_forward 0 (the host does not forward), "
                                      "rp_filter 0, accept_local 0, route_localnet 0, send_redirects 1, nf_conntrack_tcp_loose 1, "
                                      "nf_conntrack_tcp_be_liberal 0, nf_conntrack_tcp_ignore_invalid_rst 0 (give them as "
                                      "\"sysctl\")"});
            return;
        }
        bool ip_forward_given = false;
        {
            if (!sysctl_doc.is_object()) rd.fail("$.sysctl", "expected an object of sysctl names and values");
            for (auto it = sysctl_doc.begin(); it != sysctl_doc.end(); ++it) {
                std::string key = it.key();
                std::string path = at = "sysctl." + key;
                auto& s = h.sysctl_;
                std::string k = key;
                for (auto& c : k)
                    if (c == '/') c = '.';
                if (k == "net.ipv4.tcp_rmem") {  // three numbers, as /proc writes them ("4096\t131072\t33554432")
                    std::istringstream in(rd.str(it.value(), path));
                    for (auto& v : s.tcp_rmem)
                        if (!(in >> v)) rd.fail(path, "expected the three numbers of tcp_rmem (min, default, max bytes)");
                    std::string rest;
                    if (in >> rest) rd.fail(path, "expected the three numbers of tcp_rmem (min, default, max bytes)");
                    continue;
                }
                int v = static_cast<int>(rd.num(it.value(), path));
                if (k == "net.core.rmem_max") {
                    s.rmem_max = static_cast<std::uint32_t>(v);
                    continue;
                }
                if (k == "net.ipv4.ip_forward" || k == "ip_forward" || k == "net.ipv4.conf.all.forwarding") {
                    s.ip_forward = v != 0;
                    ip_forward_given = true;
                } else if (k == "net.ipv6.conf.all.forwarding") s.ip6_forward = v != 0;
                else if (k == "net.ipv6.conf.all.disable_ipv6") s.ip6_disable_all = v != 0;
                else if (k == "net.ipv6.icmp.ratelimit") {
                    if (v < 0) rd.fail(path, "net.ipv6.icmp.ratelimit is milliseconds, 0 or more");
                    s.icmp6_ratelimit_ms = v;
                } else if (k == "net.ipv6.icmp.error_anycast_as_unicast") s.icmp6_error_anycast_as_unicast = v != 0;
                else if (k == "net.ipv6.conf.default.hop_limit" || k == "net.ipv6.conf.all.hop_limit") {
                    if (v < 1 || v > 255) rd.fail(path, "hop_limit is 1 to 255");
                    s.ip6_hop_limit = static_cast<std::uint8_t>(v);
                } else if (auto ip6_dev = ipv6_conf_device(k)) {
                    const auto& [dev, what] = *ip6_dev;
                    // all's forwarding and disable_ipv6 are read above; writing all's force_forwarding
                    // sets every device's, and the devices' are what a dump lists.
                    if (dev != "default" && dev != "all") {
                        if (auto problem = interface_name_problem(dev); !problem.empty()) rd.fail(path, quoted_name(dev) + " is " + problem);
                        if (!h.interface(dev)) rd.fail(path, "no interface " + quoted_name(dev) + " in addr");
                        (what == "forwarding" ? s.ip6_forwarding : what == "force_forwarding" ? s.ip6_force_forwarding : s.ip6_disable)[dev] = v;
                    }
                } else if (k == "net.netfilter.nf_conntrack_tcp_loose" || k == "nf_conntrack_tcp_loose") s.tcp_loose = v != 0;
                else if (k == "net.netfilter.nf_conntrack_tcp_be_liberal" || k == "nf_conntrack_tcp_be_liberal") s.tcp_be_liberal = v != 0;
                else if (k == "net.netfilter.nf_conntrack_tcp_ignore_invalid_rst" || k == "nf_conntrack_tcp_ignore_invalid_rst")
                    s.tcp_ignore_invalid_rst = v != 0;
                else if (k == "net.netfilter.nf_conntrack_tcp_max_retrans" || k == "nf_conntrack_tcp_max_retrans") {
                    if (v < 0 || v > 255) rd.fail(path, "nf_conntrack_tcp_max_retrans is 0 to 255 (a count the kernel keeps in 8 bits)");
                    s.tcp_max_retrans = v;
                } else if (k == "net.ipv4.ipfrag_time" || k == "net.netfilter.nf_conntrack_frag6_timeout") {
                    if (v < 0) rd.fail(path, k + " is seconds, 0 or more");
                    (k == "net.ipv4.ipfrag_time" ? s.ipfrag_time_s : s.frag6_timeout_s) = v;
                } else if (k == "net.ipv4.icmp_ratelimit") {
                    if (v < 0) rd.fail(path, "icmp_ratelimit is milliseconds, 0 or more");
                    s.icmp_ratelimit_ms = v;
                } else if (k == "net.ipv4.icmp_ratemask") s.icmp_ratemask = static_cast<std::uint32_t>(v);
                else if (k == "net.ipv4.icmp_echo_ignore_all") s.icmp_echo_ignore_all = v != 0;
                else if (k == "net.ipv4.icmp_echo_ignore_broadcasts") s.icmp_echo_ignore_broadcasts = v != 0;
                else if (k == "net.ipv4.ip_default_ttl") {
                    if (v < 1 || v > 255) rd.fail(path, "ip_default_ttl is 1 to 255");
                    s.ip_default_ttl = static_cast<std::uint8_t>(v);
                } else if (k == "rp_filter") s.rp_filter_all = v;
                else if (k == "accept_local") s.accept_local_all = v != 0;
                else if (k == "route_localnet") s.route_localnet_all = v != 0;
                else if (k.rfind("net.ipv4.conf.", 0) == 0) {
                    std::string rest = k.substr(14);
                    auto dot = rest.rfind('.');
                    if (dot == std::string::npos) rd.fail(path, "expected net.ipv4.conf.DEV.NAME");
                    std::string dev = rest.substr(0, dot), name = rest.substr(dot + 1);
                    // The kernel has a conf directory for each device and for all/default, no others.
                    if (dev != "all" && dev != "default") {
                        if (auto problem = interface_name_problem(dev); !problem.empty()) rd.fail(path, quoted_name(dev) + " is " + problem);
                        if (!h.interface(dev)) rd.fail(path, "no interface " + quoted_name(dev) + " in addr");
                    }
                    if (name == "rp_filter") {
                        if (v < 0 || v > 2) rd.fail(path, "rp_filter is 0, 1 or 2");
                        if (dev == "all") s.rp_filter_all = v;
                        else if (dev == "default") s.rp_filter_default = v;
                        else s.rp_filter[dev] = v;
                    } else if (name == "accept_local") {
                        if (dev == "all") s.accept_local_all = v != 0;
                        else if (dev != "default") s.accept_local[dev] = v;
                    } else if (name == "route_localnet") {
                        if (dev == "all") s.route_localnet_all = v != 0;
                        else if (dev != "default") s.route_localnet[dev] = v;
                    } else if (name == "forwarding") {
                        if (dev != "default") s.forwarding[dev] = v;
                    } else if (name == "send_redirects" || name == "shared_media") {
                        const bool redirects = name == "send_redirects";
                        if (dev == "all") (redirects ? s.send_redirects_all : s.shared_media_all) = v != 0;
                        else if (dev == "default") (redirects ? s.send_redirects_default : s.shared_media_default) = v != 0;
                        else (redirects ? s.send_redirects : s.shared_media)[dev] = v;
                    } else {
                        rd.fail(path,
                                "not a sysctl fwbench uses (rp_filter, accept_local, route_localnet, forwarding, send_redirects, shared_media)");
                    }
                } else {
                    rd.fail(path,
                            "not a sysctl fwbench uses (ip_forward, conf.*.rp_filter/accept_local/route_localnet/forwarding/send_redirects/"
                            "shared_media, nf_conntrack_tcp_loose/be_liberal/ignore_invalid_rst/max_retrans, "
                            "icmp_ratelimit, icmp_ratemask, icmp_echo_ignore_all, icmp_echo_ignore_broadcasts, ip_default_ttl, ipfrag_time, "
                            "nf_conntrack_frag6_timeout, "
                            "tcp_rmem, net.core.rmem_max, net.ipv6.conf.*.forwarding/force_forwarding/disable_ipv6/hop_limit, "
                            "net.ipv6.icmp.ratelimit/error_anycast_as_unicast)");
                }
            }
        }
        if (!ip_forward_given)
            h.assumptions_.push_back(
                {HostAssumption::Kind::ip_forward_default, "sysctls: ip_forward is not given, so 0, the kernel default (the host does not forward)"});
    }

    // The output of `ss -Htuln`: one string, or an array of its lines.
    void sockets(const json& doc) {
        std::string text;
        if (doc.is_string()) {
            text = doc.get<std::string>();
        } else if (doc.is_array()) {
            for (std::size_t i = 0; i < doc.size(); ++i) text += rd.str(doc[i], "$.sockets[" + std::to_string(i) + "]") + "\n";
        } else {
            rd.fail("$.sockets", "expected the output of `ss -Htuln`, as a string or an array of its lines");
        }
        SsListingError e;
        auto listed = parse_ss_listing(text, e);
        if (!listed) {
            const std::string where = doc.is_array() ? "$.sockets[" + std::to_string(e.line - 1) + "]" : "$.sockets line " + std::to_string(e.line);
            rd.fail(where, "column " + std::to_string(e.column) + ": " + e.what);
        }
        for (const HostSocket& s : *listed)
            if (!s.dev.empty() && !h.interface(s.dev)) rd.fail("$.sockets", s.text + ": no interface " + quoted_name(s.dev) + " in addr");
        h.sockets_ = std::move(*listed);
    }
};

Host Host::from_document(const json& doc, const std::string& source, std::string& at) {
    Host h;
    HostReader reader{h, JsonReader{source}, at};
    JsonReader& rd = reader.rd;
    json addr_doc, route_doc, rule_doc, rule6_doc, sysctl_doc, sockets_doc;
    if (doc.is_array()) {
        addr_doc = doc;
    } else if (doc.is_object()) {
        if (!doc.contains("addr")) rd.fail("$", "expected an \"addr\" member (the JSON of ip -j addr show)");
        for (auto it = doc.begin(); it != doc.end(); ++it)
            if (it.key() != "addr" && it.key() != "route" && it.key() != "rule" && it.key() != "rule6" && it.key() != "sysctl" &&
                it.key() != "sockets")
                rd.fail("$." + it.key(), "unknown member (expected addr, route, rule, rule6, sysctl, sockets)");
        addr_doc = doc["addr"];
        if (doc.contains("route")) route_doc = doc["route"];
        if (doc.contains("rule")) rule_doc = doc["rule"];
        if (doc.contains("rule6")) rule6_doc = doc["rule6"];
        if (doc.contains("sysctl")) sysctl_doc = doc["sysctl"];
        if (doc.contains("sockets")) sockets_doc = doc["sockets"];
    } else {
        rd.fail("$", "expected the array of ip -j addr show, or an object with addr/route/rule/sysctl");
    }
    reader.interfaces(addr_doc);
    h.table_names_ = {{rt_table_local, "local"}, {rt_table_main, "main"}, {rt_table_default, "default"}};
    reader.sysctls(sysctl_doc);  // before the routes: deriving IPv6's anycast routes reads forwarding
    reader.routes(route_doc);
    reader.rules(rule_doc, Family::ipv4);
    reader.rules(rule6_doc, Family::ipv6);
    if (!sockets_doc.is_null()) reader.sockets(sockets_doc);
    // Said in the order a reader checks a description: routes, then sysctls.
    std::stable_sort(h.assumptions_.begin(), h.assumptions_.end(), [](const HostAssumption& x, const HostAssumption& y) { return x.kind < y.kind; });
    h.custom_rules_ = differ_from_default_rules(h.rules_);  // once: source validation asks per packet
    return h;
}

bool Host::assumed(HostAssumption::Kind k) const {
    for (const auto& a : assumptions_)
        if (a.kind == k) return true;
    return false;
}

void Host::derive_routes(Family family, DerivedTables which) {
    // As fib_add_ifaddr does for each primary IPv4 address of an interface that is up.
    const bool main_too = which == DerivedTables::all;
    for (const auto& itf : interfaces_) {
        // A device that is down keeps its IPv6 addresses, and those past duplicate address
        // detection keep their local routes; IPv4 has none there.
        if (!itf.up && family == Family::ipv4) continue;
        for (const auto& a : itf.addrs) {
            if (a.addr.family != family) continue;
            if (a.addr.family != Family::ipv4) {
                derive_ipv6_routes(itf, a, main_too);
                continue;
            }
            Route local;
            local.type = RouteType::local;
            local.dst = IpPrefix{a.addr, prefix_mask(Family::ipv4, 32)};
            local.prefixlen = 32;
            local.dev = itf.name;
            local.table = rt_table_local;
            local.prefsrc = a.addr;
            if (a.secondary) {
                // A secondary's local route takes its primary's address as source (fib_add_ifaddr's prim).
                IpAddr m = prefix_mask(Family::ipv4, a.prefixlen);
                for (const auto& p : itf.addrs)
                    if (!p.secondary && p.addr.family == Family::ipv4 && p.prefixlen == a.prefixlen &&
                        apply_mask(p.addr, m) == apply_mask(a.addr, m)) {
                        local.prefsrc = p.addr;
                        break;
                    }
            }
            tables_[rt_table_local].add(local);
            if (a.secondary) continue;
            auto add_broadcast = [&](const IpAddr& b) {
                Route r;
                r.type = RouteType::broadcast;
                r.dst = IpPrefix{b, prefix_mask(Family::ipv4, 32)};
                r.prefixlen = 32;
                r.dev = itf.name;
                r.table = rt_table_local;
                r.prefsrc = a.addr;
                tables_[rt_table_local].add(r);
            };
            if (a.broadcast && a.broadcast->v4_host() != 0xffffffffu) add_broadcast(*a.broadcast);
            IpAddr mask = prefix_mask(Family::ipv4, a.prefixlen);
            // ifa_address: the peer when there is one, else the local address itself.
            IpAddr prefix = apply_mask(a.peer ? *a.peer : a.addr, mask);
            bool zeronet = (prefix.v4_host() >> 24) == 0;
            if (!zeronet && (prefix != a.addr || a.prefixlen < 32)) {
                if (!a.noprefixroute && (main_too || itf.loopback)) {
                    Route net;
                    net.type = itf.loopback ? RouteType::local : RouteType::unicast;
                    net.dst = IpPrefix{prefix, mask};
                    net.prefixlen = a.prefixlen;
                    net.dev = itf.name;
                    net.table = itf.loopback ? rt_table_local : rt_table_main;
                    net.prefsrc = a.addr;
                    tables_[net.table].add(net);
                }
                if (a.prefixlen < 31) add_broadcast(IpAddr::v4(prefix.v4_host() | ~mask.v4_host()));
            }
        }
    }
}

void Host::derive_ipv6_routes(const Interface& itf, const InterfaceAddress& a, bool main_too) {
    // addrconf: the prefix route as the address is added to a device that is up (even while the
    // address is tentative; lo's ::1 gets none), the local route once duplicate address detection
    // is done (on a device that is down too), and, on a device that forwards, the subnet-router anycast address of a prefix shorter than /127
    // (addrconf_join_anycast). Each device with IPv6 gets multicast ff00::/8 in the local table.
    auto add_once = [&](Route r) {
        RouteTable& t = tables_[r.table];
        for (const auto& have : t.routes())
            if (have.type == r.type && have.dst == r.dst && have.dev == r.dev) return;
        t.add(std::move(r));
    };
    auto route = [&](RouteType type, const IpAddr& dst, int len, std::uint32_t table, std::uint32_t metric) {
        Route r;
        r.type = type;
        r.dst = IpPrefix{apply_mask(dst, prefix_mask(Family::ipv6, len)), prefix_mask(Family::ipv6, len)};
        r.prefixlen = len;
        r.dev = itf.name;
        r.table = table;
        r.metric = metric;
        add_once(std::move(r));
    };
    const bool shared = itf.up && !itf.loopback;  // routes of the link itself
    if (shared) route(RouteType::multicast, *parse_ip("ff00::", Family::ipv6), 8, rt_table_local, 256);
    if (main_too && shared && !a.noprefixroute && !a.dadfailed) route(RouteType::unicast, a.addr, a.prefixlen, rt_table_main, 256);
    if (a.tentative || a.dadfailed) return;
    route(RouteType::local, a.addr, 128, rt_table_local, 0);
    if (shared && a.prefixlen < 127 && sysctl_.ip6_forwarding_for(itf.name))
        route(RouteType::anycast, apply_mask(a.addr, prefix_mask(Family::ipv6, a.prefixlen)), 128, rt_table_local, 0);
}

const Interface* Host::interface(std::string_view name) const {
    for (const auto& i : interfaces_)
        if (i.name == name) return &i;
    return nullptr;
}

const RouteTable* Host::table(std::uint32_t id) const {
    auto it = tables_.find(id);
    return it == tables_.end() ? nullptr : &it->second;
}

std::string Host::table_name(std::uint32_t id) const {
    auto it = table_names_.find(id);
    return it == table_names_.end() ? std::to_string(id) : it->second;
}

bool Host::is_local_address(const IpAddr& a) const {
    for (const auto& i : interfaces_)
        for (const auto& ia : i.addrs)
            if (ia.addr == a) return true;
    return false;
}

namespace {
// fib_rules_lookup: the rules in priority order; `table_lookup(id)` is the family's table lookup.
template <class TableLookup>
RouteResult lookup_by_rules(const std::vector<RoutingRule>& rules, const RouteQuery& q, TableLookup&& table_lookup) {
    RouteResult res;
    std::uint32_t min_priority = 0;
    for (const auto& r : rules) {
        if (r.priority < min_priority) continue;
        if (r.family != q.dst.family && (r.from || r.to)) continue;
        bool m = true;
        if (r.from && !r.from->contains(q.src)) m = false;
        if (r.to && !r.to->contains(q.dst)) m = false;
        if (r.iif && *r.iif != q.iif) m = false;
        if (r.oif && *r.oif != q.oif) m = false;
        if (r.fwmark && ((q.mark ^ *r.fwmark) & r.fwmask)) m = false;
        if (r.tos && *r.tos != q.tos) m = false;
        if (m == r.invert) continue;
        switch (r.action) {
            case RoutingRule::Action::nop: continue;
            case RoutingRule::Action::goto_: min_priority = r.goto_priority; continue;
            case RoutingRule::Action::blackhole:
            case RoutingRule::Action::unreachable:
            case RoutingRule::Action::prohibit:
                res.found = true;
                res.type = r.action == RoutingRule::Action::blackhole     ? RouteType::blackhole
                           : r.action == RoutingRule::Action::unreachable ? RouteType::unreachable
                                                                          : RouteType::prohibit;
                res.rule_priority = r.priority;
                return res;
            case RoutingRule::Action::lookup: {
                const Route* route = table_lookup(r.table);
                if (!route || route->type == RouteType::throw_) continue;
                if (r.suppress_prefixlength >= 0 && route->prefixlen <= r.suppress_prefixlength) continue;
                res.found = true;
                res.type = route->type;
                res.route = route;
                res.table = r.table;
                res.rule_priority = r.priority;
                return res;
            }
        }
    }
    return res;
}
}  // namespace

RouteResult Host::lookup(const RouteQuery& q) const {
    return lookup_by_rules(rules_, q, [&](std::uint32_t id) {
        const RouteTable* t = table(id);
        return t ? t->lookup(q.dst, q.tos) : nullptr;
    });
}

RouteResult Host::lookup_via_oif(const RouteQuery& q) const {
    return lookup_by_rules(rules_, q, [&](std::uint32_t id) {
        const RouteTable* t = table(id);
        return t ? t->lookup_via(q.dst, q.tos, q.oif) : nullptr;
    });
}

RouteResult Host::lookup6(const RouteQuery& q, std::string_view dev, bool strict) const {
    return lookup_by_rules(rules6_, q, [&](std::uint32_t id) {
        const RouteTable* t = table(id);
        return t ? t->lookup6(q.dst, dev, strict) : nullptr;
    });
}

std::uint16_t Host::address_type(const IpAddr& a, std::string_view dev) const {
    // __inet_dev_addr_type: 0/8 and 255.255.255.255 are BROADCAST, multicast MULTICAST, else
    // the type of the local table's route (restricted to `dev` when given), else UNICAST.
    if (a.family == Family::ipv4) {
        std::uint32_t v = a.v4_host();
        if ((v >> 24) == 0 || v == 0xffffffffu) return addr_type::broadcast;
        if ((v >> 28) == 0xe) return addr_type::multicast;
    } else if (a.bytes[0] == 0xff) {
        return addr_type::multicast;
    }
    const RouteTable* local = table(rt_table_local);
    const Route* r = local ? local->lookup(a) : nullptr;
    if (!r || (!dev.empty() && r->dev != dev)) return addr_type::unicast;
    return static_cast<std::uint16_t>(1u << (r->type == RouteType::unicast       ? 1
                                             : r->type == RouteType::local       ? 2
                                             : r->type == RouteType::broadcast   ? 3
                                             : r->type == RouteType::anycast     ? 4
                                             : r->type == RouteType::multicast   ? 5
                                             : r->type == RouteType::blackhole   ? 6
                                             : r->type == RouteType::unreachable ? 7
                                             : r->type == RouteType::prohibit    ? 8
                                             : r->type == RouteType::throw_      ? 9
                                                                                 : 10));
}

bool Host::reverse_path_ok(const Packet& p, bool loose, bool validmark, bool accept_local) const {
    // ipt_rpfilter: loopback traffic always passes; otherwise route back to the source.
    if (p.in.view() == "lo") return true;
    if (p.family == Family::ipv6) return reverse_path_ok6(p, loose, validmark, accept_local);
    if (p.family == Family::ipv4 && p.src.v4_host() == 0) {
        std::uint32_t d = p.dst.v4_host();
        if (d == 0xffffffffu || (d >> 8) == 0xe00000u) return true;  // lbcast, 224.0.0.0/24
    }
    RouteQuery q;
    q.dst = p.src;
    q.src = p.dst;
    q.iif = "lo";
    q.mark = validmark ? p.mark : 0;
    q.tos = p.tos & 0x1e;
    RouteResult r = lookup(q);
    if (!r.found) return false;
    if (r.type != RouteType::unicast) {
        if (r.type != RouteType::local || !accept_local) return false;
    }
    if (loose) return true;
    return r.route && r.route->dev == p.in.view();
}

namespace {
// inet_ifa_match: `addr` in the address's subnet (a point-to-point address's: its peer's).
bool inet_ifa_match(const InterfaceAddress& a, const IpAddr& addr) {
    const IpAddr mask = prefix_mask(Family::ipv4, a.prefixlen);
    return IpPrefix{apply_mask(a.peer ? *a.peer : a.addr, mask), mask}.contains(addr);
}
}  // namespace

bool Host::on_link(std::string_view dev, const IpAddr& addr) const {
    const Interface* itf = interface(dev);
    return itf && std::any_of(itf->addrs.begin(), itf->addrs.end(),
                              [&](const InterfaceAddress& a) { return a.addr.family == Family::ipv4 && inet_ifa_match(a, addr); });
}

std::optional<IpAddr> Host::select_address(std::string_view dev, const IpAddr& dst, std::uint8_t scope) const {
    const bool any_dst = unspecified_address(dst);
    const auto primary_v4 = [](const InterfaceAddress& a) { return a.addr.family == Family::ipv4 && !a.secondary; };
    if (const Interface* itf = interface(dev)) {
        // route_localnet lets 127/8 (scope host) count as scope link on this device.
        const std::uint8_t localnet_scope = sysctl_.route_localnet_for(dev) ? rt_scope::link : rt_scope::host;
        std::optional<IpAddr> first;
        for (const auto& a : itf->addrs) {
            if (!primary_v4(a) || std::min(a.scope, localnet_scope) > scope) continue;
            if (any_dst || inet_ifa_match(a, dst)) return a.addr;
            if (!first) first = a.addr;
        }
        if (first) return first;
    }
    // in_dev_select_addr over every device, lo first (it is first in the kernel's device list).
    const auto device_choice = [&](const Interface& itf) -> std::optional<IpAddr> {
        for (const auto& a : itf.addrs)
            if (primary_v4(a) && a.scope != rt_scope::link && a.scope <= scope) return a.addr;
        return std::nullopt;
    };
    if (const Interface* lo = interface("lo"))
        if (auto a = device_choice(*lo)) return a;
    for (const auto& itf : interfaces_)
        if (itf.name != "lo")
            if (auto a = device_choice(itf)) return a;
    return std::nullopt;
}

}  // namespace fwbench
