#include "fwbench/ruleset.hpp"

#include "fwbench/parse_util.hpp"

namespace fwbench {

const char* hook_chain_name(Hook h) {
    switch (h) {
        case Hook::prerouting: return "PREROUTING";
        case Hook::input: return "INPUT";
        case Hook::forward: return "FORWARD";
        case Hook::output: return "OUTPUT";
        case Hook::postrouting: return "POSTROUTING";
    }
    return "?";
}

int Table::find_chain(std::string_view n) const {
    for (std::size_t i = 0; i < chains.size(); ++i)
        if (chains[i].name == n) return static_cast<int>(i);
    return -1;
}

const Chain* Table::chain(std::string_view n) const {
    int i = find_chain(n);
    return i < 0 ? nullptr : &chains[static_cast<std::size_t>(i)];
}

const char* chain_presence_name(ChainPresence p) {
    switch (p) {
        case ChainPresence::absent: return "absent";
        case ChainPresence::uncounted: return "uncounted";
        case ChainPresence::counted: return "counted";
    }
    return "?";
}

const char* backend_name(Backend b) { return b == Backend::legacy ? "iptables-legacy" : "iptables-nft"; }

int Ruleset::base_chain(std::size_t table, Hook h) const {
    const Table& t = tables.at(table);
    const int c = t.find_chain(hook_chain_name(h));
    if (c < 0) return -1;
    const Chain& chain = t.chains[static_cast<std::size_t>(c)];
    return chain.builtin && presence(chain) != ChainPresence::absent ? c : -1;
}

const Table* Ruleset::table(std::string_view n) const {
    for (const auto& t : tables)
        if (t.name == n) return &t;
    return nullptr;
}

Table* Ruleset::table(std::string_view n) {
    for (auto& t : tables)
        if (t.name == n) return &t;
    return nullptr;
}

std::size_t Ruleset::rule_count() const {
    std::size_t n = 0;
    for (const auto& t : tables)
        for (const auto& c : t.chains) n += c.rules.size();
    return n;
}

bool is_known_table(std::string_view name) { return name == "raw" || name == "mangle" || name == "nat" || name == "filter" || name == "security"; }

std::vector<Hook> builtin_hooks(std::string_view table) {
    using H = Hook;
    if (table == "raw") return {H::prerouting, H::output};
    if (table == "mangle") return {H::prerouting, H::input, H::forward, H::output, H::postrouting};
    if (table == "nat") return {H::prerouting, H::input, H::output, H::postrouting};
    if (table == "filter" || table == "security") return {H::input, H::forward, H::output};
    return {};
}

namespace {
struct ProtoName {
    const char* name;
    std::uint8_t number;
};
// The names iptables prints (its built-in table), then common /etc/protocols names it also reads.
constexpr ProtoName proto_names[] = {
    {"tcp", 6},         {"udp", 17},       {"udplite", 136},   {"icmp", 1},       {"ipv6-icmp", 58}, {"esp", 50},
    {"ah", 51},         {"sctp", 132},     {"mh", 135},        {"dccp", 33},      {"gre", 47},       {"igmp", 2},
    {"icmpv6", 58},     {"ipv6-mh", 135},  {"ipip", 4},        {"ipencap", 4},    {"ipv6", 41},      {"ospf", 89},
    {"vrrp", 112},      {"pim", 103},      {"l2tp", 115},      {"ipcomp", 108},   {"rsvp", 46},      {"egp", 8},
    {"ipv6-route", 43}, {"ipv6-frag", 44}, {"ipv6-nonxt", 59}, {"ipv6-opts", 60}, {"hopopt", 0},     {"mobility-header", 135},
};
}  // namespace

std::optional<std::uint8_t> parse_protocol(std::string_view text) {
    auto l = detail::lower(text);
    if (l == "all") return std::uint8_t{0};
    for (const auto& p : proto_names)
        if (l == p.name) return p.number;
    if (auto v = detail::parse_uint(text, 255)) return static_cast<std::uint8_t>(*v);
    return std::nullopt;
}

std::string format_protocol(std::uint8_t proto) {
    switch (proto) {
        case 6: return "tcp";
        case 17: return "udp";
        case 136: return "udplite";
        case 1: return "icmp";
        case 58: return "ipv6-icmp";
        case 50: return "esp";
        case 51: return "ah";
        case 132: return "sctp";
        case 135: return "mobility-header";  // /etc/protocols' name, which iptables-save prints
        case 108: return "ipcomp";
        case 33: return "dccp";
        case 47: return "gre";
        default: return std::to_string(proto);
    }
}

bool is_stateful(const MatchSpec& m) {
    return std::holds_alternative<LimitMatch>(m) || std::holds_alternative<HashLimitMatch>(m) || std::holds_alternative<RecentMatch>(m) ||
           std::holds_alternative<StatisticMatch>(m) || std::holds_alternative<ConnlimitMatch>(m) || std::holds_alternative<NfacctMatch>(m) ||
           std::holds_alternative<QuotaMatch>(m);
}

bool has_effect(const MatchSpec& m) {
    const auto* label = std::get_if<ConnlabelMatch>(&m);
    return is_stateful(m) || (label && label->set);
}

const char* match_assumption(const MatchSpec& m) {
    if (const auto* h = std::get_if<HostStateMatch>(&m)) return h->assumption.c_str();
    if (const auto* t = std::get_if<TimeMatch>(&m); t && t->kerneltz)
        return "the kernel's timezone (sys_tz, which --kerneltz reads) is UTC, as it is unless the host's clock was set in local "
               "time at boot; the host description does not say";
    if (const auto* s = std::get_if<StringMatch>(&m); s && s->algo == TextSearch::Algo::bm)
        return "the pattern Boyer-Moore (--algo bm) found lies inside one piece of the socket buffer (its linear head or one page "
               "fragment), as the kernel's search needs: where the pieces begin no capture shows, and an occurrence across a boundary "
               "the kernel does not find (kmp finds it)";
    if (std::holds_alternative<MacMatch>(m) || std::holds_alternative<Eui64Match>(m))
        return "the frame's source MAC address, which the capture (without link-layer headers) or the described packet (without "
               "mac=) does not give, matched no rule's: so the kernel decides on a device without one (tun, ppp); on an Ethernet "
               "device it read the frame's";
    if (std::holds_alternative<BpfMatch>(m))
        return "an indirect load that landed in the link-layer header (SKF_LL_OFF) failed, ending the program with 0, as it does "
               "where the socket buffer has no link-layer header; fwbench does not model that header at the IP hooks";
    return nullptr;
}

bool is_terminating(const TargetSpec& t) {
    if (auto* s = std::get_if<StandardTarget>(&t)) return s->kind != StandardTarget::Kind::return_;
    return std::holds_alternative<RejectTarget>(t) || std::holds_alternative<NfqueueTarget>(t) || std::holds_alternative<NatTarget>(t) ||
           std::holds_alternative<TproxyTarget>(t);
}

}  // namespace fwbench
