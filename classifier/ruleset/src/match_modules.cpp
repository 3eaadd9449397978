// The match modules: options, how each fills its typed spec, and where the module is allowed.
// Semantics follow the kernel's xt_*.c / ipt_*.c modules and iptables' libxt_*.c parsers.

#include <algorithm>
#include <functional>
#include <limits>

#include "fwbench/names.hpp"
#include "module_registry.hpp"
#include "fwbench/parse_util.hpp"

// Module tables laid out by hand, an option per line: left as laid out.
// clang-format off
namespace fwbench::detail {
namespace {

#define APPLY                                                                                  \
    [](MatchSpec & spec_, [[maybe_unused]] bool neg, [[maybe_unused]] std::vector<std::string> & args, \
       [[maybe_unused]] const OptionContext & ctx) -> std::string
#define SPEC(T) auto& s = std::get<T>(spec_)

constexpr HookMask H_PRE = hook_bit(Hook::prerouting), H_IN = hook_bit(Hook::input),
                   H_FWD = hook_bit(Hook::forward), H_OUT = hook_bit(Hook::output),
                   H_POST = hook_bit(Hook::postrouting);

std::string need_proto(const OptionContext& ctx, std::uint8_t proto, std::string_view module) {
    if (!ctx.rule_proto || ctx.rule_proto->value != proto || ctx.rule_proto->negated)
        return std::string("the ") + std::string(module) + " match needs \"-p " +
               format_protocol(proto) + "\" in the rule (the kernel refuses it otherwise)";
    return {};
}

// --- tcp / udp / udplite / sctp / dccp ---------------------------------------------------------

// An xtables range option (parse_uint_range: N, LO:HI, open ends) into `out`, its argument
// rewritten as iptables-save writes it. Returns the error, empty on success.
template <class T>
std::string apply_uint_range(Range<T>& out, std::vector<std::string>& args) {
    std::string error;
    auto r = parse_uint_range(args[0], std::numeric_limits<T>::max(), error);
    if (!r) return error;
    out = {static_cast<T>(r->lo), static_cast<T>(r->hi)};
    args[0] = format_uint_range(*r);
    return {};
}

// An option's argument cleared: iptables-save leaves the option out (a range that is all values).
void leave_out(std::vector<std::string>& args) { args.clear(); }

// The tcp/udp/sctp/dccp ports leave out a range of all ports (`--sport :`), as xt_tcpudp stores
// nothing to test; conntrack's keep it (omit_all false).
std::string apply_port(std::optional<Neg<PortRange>>& slot, bool neg, std::vector<std::string>& args, bool omit_all = true) {
    auto r = parse_port_range(args[0]);
    if (!r) {
        auto colon = args[0].find(':');
        if (colon != std::string::npos && parse_port_range(args[0].substr(0, colon)) && parse_port_range(args[0].substr(colon + 1)))
            return "invalid port range '" + args[0] + "' (min > max)";
        return "expected a port or PORT:PORT range, got '" + args[0] + "'";
    }
    slot = Neg<PortRange>{*r, neg};
    args[0] = format_port_range(*r);
    if (omit_all && !neg && r->lo == 0 && r->hi == 65535) leave_out(args);
    return {};
}

struct FlagName {
    const char* name;
    std::uint8_t bits;
};
// libxt_tcp's names: ECE and CWR have none (ALL is the six below them), so --tcp-flags cannot
// test them; -m ecn can.
constexpr FlagName tcp_flag_names[] = {{"FIN", 0x01}, {"SYN", 0x02}, {"RST", 0x04}, {"PSH", 0x08}, {"ACK", 0x10},
                                       {"URG", 0x20}, {"ALL", 0x3f}, {"NONE", 0x00}};
constexpr int single_flags = 6;

std::optional<std::uint8_t> parse_tcp_flags(std::string_view text) {
    std::uint8_t bits = 0;
    for (auto part : split(text, ',')) {
        bool found = false;
        for (const auto& f : tcp_flag_names)
            if (lower(part) == lower(f.name)) {
                bits |= f.bits;
                found = true;
            }
        if (!found) return std::nullopt;
    }
    return bits;
}

std::string format_tcp_flags(std::uint8_t bits) {
    if (bits == 0) return "NONE";
    std::string out;
    for (int i = 0; i < single_flags; ++i)
        if (bits & tcp_flag_names[i].bits) {
            if (!out.empty()) out += ',';
            out += tcp_flag_names[i].name;
        }
    return out;
}

template <std::uint8_t Proto>
MatchSpec make_l4(const OptionContext&) {
    L4PortsMatch m;
    m.protocol = Proto;
    return m;
}

template <std::uint8_t Proto>
std::string finish_l4(MatchSpec&, const OptionContext& ctx) {
    return need_proto(ctx, Proto, format_protocol(Proto));
}

// xt_tcpudp leaves a range of all ports out of iptables-save; sctp and dccp write it (OmitAll).
template <bool OmitAll = true>
std::vector<OptionDef<MatchSpec>> port_options() {
    return {
        {"sport", "source-port", 1, true, APPLY { SPEC(L4PortsMatch); return apply_port(s.sport, neg, args, OmitAll); }},
        {"dport", "destination-port", 1, true, APPLY { SPEC(L4PortsMatch); return apply_port(s.dport, neg, args, OmitAll); }},
    };
}

std::vector<OptionDef<MatchSpec>> tcp_options() {
    auto opts = port_options();
    opts.push_back({"tcp-flags", "", 2, true, APPLY {
        SPEC(L4PortsMatch);
        auto mask = parse_tcp_flags(args[0]), comp = parse_tcp_flags(args[1]);
        if (!mask) return "expected TCP flags (FIN,SYN,RST,PSH,ACK,URG,ALL,NONE) as mask, got '" + args[0] + "'";
        if (!comp) return "expected TCP flags as comparison, got '" + args[1] + "'";
        s.tcp_flags = Neg<TcpFlagsSpec>{{*mask, *comp}, neg};
        args = {format_tcp_flags(*mask), format_tcp_flags(*comp)};
        return {};
    }});
    opts.push_back({"syn", "", 0, true, APPLY {
        SPEC(L4PortsMatch);
        s.tcp_flags = Neg<TcpFlagsSpec>{{0x17, 0x02}, neg};
        return {};
    }});
    opts.push_back({"tcp-option", "", 1, true, APPLY {
        SPEC(L4PortsMatch);
        auto v = parse_uint(args[0], 255);
        if (!v) return "expected a TCP option number 0-255, got '" + args[0] + "'";
        s.tcp_option = Neg<std::uint8_t>{static_cast<std::uint8_t>(*v), neg};
        return {};
    }});
    return opts;
}

// --- icmp / icmp6 ------------------------------------------------------------------------------

struct IcmpName {
    const char* name;
    std::uint8_t type, code_lo, code_hi;
};
constexpr IcmpName icmp4_names[] = {
    {"any", 0xff, 0, 0xff}, {"echo-reply", 0, 0, 0xff}, {"pong", 0, 0, 0xff},
    {"destination-unreachable", 3, 0, 0xff}, {"network-unreachable", 3, 0, 0},
    {"host-unreachable", 3, 1, 1}, {"protocol-unreachable", 3, 2, 2}, {"port-unreachable", 3, 3, 3},
    {"fragmentation-needed", 3, 4, 4}, {"source-route-failed", 3, 5, 5}, {"network-unknown", 3, 6, 6},
    {"host-unknown", 3, 7, 7}, {"network-prohibited", 3, 9, 9}, {"host-prohibited", 3, 10, 10},
    {"TOS-network-unreachable", 3, 11, 11}, {"TOS-host-unreachable", 3, 12, 12},
    {"communication-prohibited", 3, 13, 13}, {"host-precedence-violation", 3, 14, 14},
    {"precedence-cutoff", 3, 15, 15}, {"source-quench", 4, 0, 0xff}, {"redirect", 5, 0, 0xff},
    {"network-redirect", 5, 0, 0}, {"host-redirect", 5, 1, 1}, {"TOS-network-redirect", 5, 2, 2},
    {"TOS-host-redirect", 5, 3, 3}, {"echo-request", 8, 0, 0xff}, {"ping", 8, 0, 0xff},
    {"router-advertisement", 9, 0, 0xff}, {"router-solicitation", 10, 0, 0xff},
    {"time-exceeded", 11, 0, 0xff}, {"ttl-exceeded", 11, 0, 0xff}, {"ttl-zero-during-transit", 11, 0, 0},
    {"ttl-zero-during-reassembly", 11, 1, 1}, {"parameter-problem", 12, 0, 0xff},
    {"ip-header-bad", 12, 0, 0}, {"required-option-missing", 12, 1, 1},
    {"timestamp-request", 13, 0, 0xff}, {"timestamp-reply", 14, 0, 0xff},
    {"address-mask-request", 17, 0, 0xff}, {"address-mask-reply", 18, 0, 0xff},
};
constexpr IcmpName icmp6_names[] = {
    {"destination-unreachable", 1, 0, 0xff}, {"no-route", 1, 0, 0},
    {"communication-prohibited", 1, 1, 1}, {"beyond-scope", 1, 2, 2}, {"address-unreachable", 1, 3, 3},
    {"port-unreachable", 1, 4, 4}, {"failed-policy", 1, 5, 5}, {"reject-route", 1, 6, 6},
    {"packet-too-big", 2, 0, 0xff}, {"time-exceeded", 3, 0, 0xff}, {"ttl-exceeded", 3, 0, 0xff},
    {"ttl-zero-during-transit", 3, 0, 0}, {"ttl-zero-during-reassembly", 3, 1, 1},
    {"parameter-problem", 4, 0, 0xff}, {"bad-header", 4, 0, 0}, {"unknown-header-type", 4, 1, 1},
    {"unknown-option", 4, 2, 2}, {"echo-request", 128, 0, 0xff}, {"ping", 128, 0, 0xff},
    {"echo-reply", 129, 0, 0xff}, {"pong", 129, 0, 0xff}, {"mld-listener-query", 130, 0, 0xff},
    {"mld-listener-report", 131, 0, 0xff}, {"mld-listener-done", 132, 0, 0xff},
    {"mld-listener-reduction", 132, 0, 0xff}, {"router-solicitation", 133, 0, 0xff},
    {"router-advertisement", 134, 0, 0xff}, {"neighbour-solicitation", 135, 0, 0xff},
    {"neighbor-solicitation", 135, 0, 0xff}, {"neighbour-advertisement", 136, 0, 0xff},
    {"neighbor-advertisement", 136, 0, 0xff}, {"redirect", 137, 0, 0xff},
};

template <bool V6>
std::string apply_icmp_type(MatchSpec& spec_, bool neg, std::vector<std::string>& args, const OptionContext&) {
    auto& s = std::get<IcmpMatch>(spec_);
    s.negated = neg;
    const std::string& t = args[0];
    // libxt_icmp.h's __parse_icmp: a name is any unambiguous beginning of one ("echo-req").
    std::string ambiguous;
    auto try_names = [&](const auto& table) {
        const IcmpName* found = nullptr;
        for (const auto& n : table) {
            if (lower(std::string_view(n.name).substr(0, t.size())) != lower(t) || t.size() > std::string_view(n.name).size()) continue;
            if (found) {
                ambiguous = "ambiguous ICMP type '" + t + "': '" + found->name + "' or '" + n.name + "'?";
                return false;
            }
            found = &n;
        }
        if (!found) return false;
        s.any = found->type == 0xff && !V6;
        s.type = found->type;
        s.code_lo = found->code_lo;
        s.code_hi = found->code_hi;
        return true;
    };
    bool named = V6 ? try_names(icmp6_names) : try_names(icmp4_names);
    if (!ambiguous.empty()) return ambiguous;
    if (!named) {
        auto slash = t.find('/');
        auto type = parse_uint(std::string_view(t).substr(0, slash), 255);
        if (!type) return std::string("expected an ICMP") + (V6 ? "v6" : "") + " type name or TYPE[/CODE], got '" + t + "'";
        s.type = static_cast<std::uint8_t>(*type);
        if (slash != std::string::npos) {
            // CODE or LO:HI, both ends written (libxt_icmp.h's parse_range, which takes a reversed
            // range as it is: it matches no code); saved as its first code, or none when whole.
            const std::string codes = t.substr(slash + 1);
            const auto colon = codes.find(':');
            auto lo = parse_uint(std::string_view(codes).substr(0, colon), 255);
            auto hi = colon == std::string::npos ? lo : parse_uint(std::string_view(codes).substr(colon + 1), 255);
            if (!lo || !hi) return "expected an ICMP code 0-255 or LO:HI after '/', got '" + codes + "'";
            s.code_lo = static_cast<std::uint8_t>(*lo);
            s.code_hi = static_cast<std::uint8_t>(*hi);
            s.any = !V6 && s.type == 0xff && s.code_lo == 0 && s.code_hi == 0xff;
        }
    }
    if (s.any) args[0] = "any";
    else if (s.code_lo == 0 && s.code_hi == 0xff) args[0] = std::to_string(s.type);
    else args[0] = std::to_string(s.type) + "/" + std::to_string(s.code_lo);
    return {};
}

std::string apply_multiport(MatchSpec& spec_, MultiportMatch::Which which, bool neg, std::vector<std::string>& args) {
    auto& s = std::get<MultiportMatch>(spec_);
    if (!s.ports.empty()) return "only one of --sports, --dports, --ports per multiport match";
    s.which = which;
    s.negated = neg;
    std::string canon;
    int slots = 0;
    for (auto part : split(args[0], ',')) {
        auto r = parse_port_range(part);
        if (!r) return "expected a port or PORT:PORT range in the list, got '" + std::string(part) + "'";
        s.ports.push_back(*r);
        slots += r->lo == r->hi ? 1 : 2;  // a range takes two of the 15 slots
        if (!canon.empty()) canon += ',';
        canon += format_port_range(*r);
    }
    if (slots > 15) return "the multiport match takes at most 15 ports (a range counts as two)";
    args[0] = canon;
    return {};
}

// --- state names -------------------------------------------------------------------------------

struct StateName {
    const char* name;
    std::uint8_t bit;
};
// In the order iptables-save prints them.
constexpr StateName state_names[] = {
    {"INVALID", ct_state_bit::invalid}, {"NEW", ct_state_bit::new_},
    {"RELATED", ct_state_bit::related}, {"ESTABLISHED", ct_state_bit::established},
    {"UNTRACKED", ct_state_bit::untracked}, {"SNAT", ct_state_bit::snat}, {"DNAT", ct_state_bit::dnat}};

std::string parse_states(std::string& text, bool allow_nat, std::uint8_t& out) {
    out = 0;
    for (auto part : split(text, ',')) {
        bool found = false;
        for (const auto& n : state_names)
            if (part == n.name && (allow_nat || !(n.bit & (ct_state_bit::snat | ct_state_bit::dnat)))) {
                out |= n.bit;
                found = true;
            }
        if (!found)
            return "expected states from INVALID,NEW,RELATED,ESTABLISHED,UNTRACKED" +
                   std::string(allow_nat ? ",SNAT,DNAT" : "") + ", got '" + std::string(part) + "'";
    }
    std::string canon;
    for (const auto& n : state_names)
        if (out & n.bit) {
            if (!canon.empty()) canon += ',';
            canon += n.name;
        }
    text = canon;
    return {};
}

// --- conntrack ---------------------------------------------------------------------------------

std::string apply_ct_addr(std::optional<Neg<IpPrefix>>& slot, bool neg, std::vector<std::string>& args, const OptionContext& ctx) {
    auto p = parse_prefix(args[0], ctx.family);
    if (!p.prefix) return p.error;
    slot = Neg<IpPrefix>{*p.prefix, neg};
    // xtables_ipmask_to_numeric: a full-length mask is not written.
    args[0] = mask_length(p.prefix->mask) == address_bits(ctx.family) ? format_ip(p.prefix->addr) : format_prefix(*p.prefix);
    return {};
}

struct StatusName {
    const char* name;
    std::uint32_t bit;
};
constexpr StatusName status_names[] = {{"NONE", 0}, {"EXPECTED", ct_status::expected},
                                       {"SEEN_REPLY", ct_status::seen_reply}, {"ASSURED", ct_status::assured},
                                       {"CONFIRMED", ct_status::confirmed}};

// --- addrtype ----------------------------------------------------------------------------------

constexpr const char* addr_type_names[] = {"UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST",
                                           "BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE"};

std::string apply_addr_type(std::optional<Neg<std::uint16_t>>& slot, bool neg, std::vector<std::string>& args) {
    std::uint16_t mask = 0;
    for (auto part : split(args[0], ',')) {
        bool found = false;
        for (int i = 0; i < 12; ++i)
            if (lower(part) == lower(addr_type_names[i])) {
                mask |= static_cast<std::uint16_t>(1u << i);
                found = true;
            }
        if (!found) return "expected address types (UNICAST, LOCAL, BROADCAST, MULTICAST, ...), got '" + std::string(part) + "'";
    }
    slot = Neg<std::uint16_t>{mask, neg};
    std::string canon;
    for (int i = 0; i < 12; ++i)
        if (mask & (1u << i)) {
            if (!canon.empty()) canon += ',';
            canon += addr_type_names[i];
        }
    args[0] = canon;
    return {};
}

// --- tos / dscp --------------------------------------------------------------------------------

struct TosName {
    const char* name;
    std::uint8_t value;
};
constexpr TosName tos_names[] = {{"Minimize-Delay", 0x10}, {"Maximize-Throughput", 0x08},
                                 {"Maximize-Reliability", 0x04}, {"Minimize-Cost", 0x02},
                                 {"Normal-Service", 0x00}};

constexpr TosName dscp_classes[] = {
    {"CS0", 0}, {"CS1", 8}, {"CS2", 16}, {"CS3", 24}, {"CS4", 32}, {"CS5", 40}, {"CS6", 48}, {"CS7", 56},
    {"BE", 0}, {"AF11", 10}, {"AF12", 12}, {"AF13", 14}, {"AF21", 18}, {"AF22", 20}, {"AF23", 22},
    {"AF31", 26}, {"AF32", 28}, {"AF33", 30}, {"AF41", 34}, {"AF42", 36}, {"AF43", 38}, {"EF", 46}};

}  // namespace

std::optional<std::pair<std::uint8_t, std::uint8_t>> parse_tos_value(std::string_view text) {
    for (const auto& n : tos_names)
        if (lower(text) == lower(n.name)) return std::pair<std::uint8_t, std::uint8_t>{n.value, 0x3f};
    auto vm = parse_value_mask(text);
    if (!vm || vm->first > 0xff) return std::nullopt;
    std::uint32_t mask = text.find('/') == std::string_view::npos ? 0xff : vm->second;
    if (mask > 0xff) return std::nullopt;
    return std::pair<std::uint8_t, std::uint8_t>{static_cast<std::uint8_t>(vm->first), static_cast<std::uint8_t>(mask)};
}

std::optional<std::uint8_t> parse_dscp_class(std::string_view text) {
    for (const auto& c : dscp_classes)
        if (lower(text) == lower(c.name)) return c.value;
    return std::nullopt;
}

namespace {

// --- misc helpers ------------------------------------------------------------------------------

std::string apply_ttl(MatchSpec& spec_, TtlMatch::Op op, bool neg, std::vector<std::string>& args) {
    auto& s = std::get<TtlMatch>(spec_);
    auto v = parse_uint(args[0], 255);
    if (!v) return "expected a value 0-255, got '" + args[0] + "'";
    if (neg && op != TtlMatch::Op::eq) return "only --ttl-eq/--hl-eq can be negated";
    s.op = neg ? TtlMatch::Op::ne : op;
    s.value = static_cast<std::uint8_t>(*v);
    return {};
}

std::optional<Range<std::uint32_t>> parse_id_range(std::string_view text) {
    auto dash = text.find('-');
    auto lo = parse_uint(text.substr(0, dash), 0xffffffffu);
    if (!lo) return std::nullopt;
    std::uint64_t hi = *lo;
    if (dash != std::string_view::npos) {
        auto h = parse_uint(text.substr(dash + 1), 0xffffffffu);
        if (!h) return std::nullopt;
        hi = *h;
    }
    return Range<std::uint32_t>{static_cast<std::uint32_t>(*lo), static_cast<std::uint32_t>(hi)};
}

// An owner's id or range; "root" is 0 on every host. Other names are the modeled host's, which
// fwbench does not see (iptables-save writes numbers).
std::optional<Range<std::uint32_t>> parse_owner_id(const std::string& text) {
    if (text == "root") return Range<std::uint32_t>{0, 0};
    return parse_id_range(text);
}

std::string apply_ip_range(std::optional<Neg<Range<IpAddr>>>& slot, bool neg, std::vector<std::string>& args, const OptionContext& ctx) {
    auto dash = args[0].find('-');
    auto lo = parse_ip(std::string_view(args[0]).substr(0, dash), ctx.family);
    std::optional<IpAddr> hi = lo;
    if (dash != std::string::npos) hi = parse_ip(std::string_view(args[0]).substr(dash + 1), ctx.family);
    if (!lo || !hi) return "expected ADDR[-ADDR], got '" + args[0] + "'";
    slot = Neg<Range<IpAddr>>{{*lo, *hi}, neg};
    return {};
}

std::string apply_prefix_len(int& slot, const std::string& text, Family family) {
    auto v = parse_uint(text, static_cast<std::uint64_t>(address_bits(family)));
    if (!v) return "expected a prefix length 0-" + std::to_string(address_bits(family)) + ", got '" + text + "'";
    slot = static_cast<int>(*v);
    return {};
}

std::string apply_policy_elem(MatchSpec& spec_, const std::function<std::string(PolicyMatch::Element&)>& fn) {
    auto& s = std::get<PolicyMatch>(spec_);
    if (s.elements.empty()) s.elements.emplace_back();
    return fn(s.elements.back());
}

// Ports and ICMP types: tcp, udp, udplite, sctp, dccp, icmp, icmp6, multiport.
void add_transport_matches(std::vector<MatchModuleDef>& m) {
    m.push_back({"tcp", tcp_options(), make_l4<proto::tcp>, finish_l4<proto::tcp>});

    m.push_back({"udp", port_options(), make_l4<proto::udp>, finish_l4<proto::udp>});

    m.push_back({"udplite", port_options(), make_l4<proto::udplite>, finish_l4<proto::udplite>});

    auto sctp_options = port_options<false>();
    sctp_options.push_back({"chunk-types", "", 2, true, apply_sctp_chunk_types});
    m.push_back({"sctp", std::move(sctp_options), make_l4<proto::sctp>, finish_l4<proto::sctp>});

    auto dccp_options = port_options<false>();
    dccp_options.push_back({"dccp-types", "", 1, true, APPLY {
        // libxt_dccp: names without regard to case; INVALID stands for the types 10 to 15.
        SPEC(L4PortsMatch);
        constexpr const char* names[] = {"REQUEST", "RESPONSE", "DATA", "ACK", "DATAACK", "CLOSEREQ", "CLOSE", "RESET", "SYNC", "SYNCACK", "INVALID"};
        std::uint16_t mask = 0;
        for (auto item : split(args[0], ',')) {
            if (item.empty()) continue;  // strtok passes over empty items
            const std::string word = lower(item);
            std::size_t i = 0;
            while (i < std::size(names) && lower(names[i]) != word) ++i;
            if (i == std::size(names)) return "unknown DCCP packet type '" + std::string(item) + "' (expected REQUEST, RESPONSE, DATA, ACK, DATAACK, CLOSEREQ, CLOSE, RESET, SYNC, SYNCACK or INVALID)";
            mask = static_cast<std::uint16_t>(mask | 1u << i);
        }
        if (mask & (1u << 10)) mask |= 0xf800;
        // print_types: the names in type order, INVALID last for all of 10 to 15.
        std::string printed;
        for (std::size_t i = 0; i < std::size(names); ++i)
            if (mask & (1u << i)) {
                if (!printed.empty()) printed += ',';
                printed += names[i];
            }
        args[0] = printed;
        s.dccp_types = Neg<std::uint16_t>{mask, neg};
        return {};
    }});
    dccp_options.push_back({"dccp-option", "", 1, true, APPLY {
        SPEC(L4PortsMatch);
        const auto v = parse_uint(args[0], 255);
        if (!v || *v == 0) return "expected an option kind 1-255, got '" + args[0] + "'";
        args[0] = std::to_string(*v);
        s.dccp_option = Neg<std::uint8_t>{static_cast<std::uint8_t>(*v), neg};
        return {};
    }});
    m.push_back({"dccp", std::move(dccp_options), make_l4<proto::dccp>, finish_l4<proto::dccp>});

    m.push_back({"icmp", {{"icmp-type", "", 1, true, apply_icmp_type<false>}},
                 [](const OptionContext&) -> MatchSpec { return IcmpMatch{}; },
                 [](MatchSpec&, const OptionContext& ctx) { return need_proto(ctx, proto::icmp, "icmp"); },
                 0x1f, {}, false, Family::ipv4});

    m.push_back({"icmp6", {{"icmpv6-type", "", 1, true, apply_icmp_type<true>}},
                 [](const OptionContext&) -> MatchSpec { IcmpMatch i; i.v6 = true; return i; },
                 [](MatchSpec&, const OptionContext& ctx) { return need_proto(ctx, proto::icmpv6, "icmp6"); },
                 0x1f, {}, false, Family::ipv6});

    m.push_back({"multiport",
                 {{"sports", "source-ports", 1, true, APPLY { return apply_multiport(spec_, MultiportMatch::Which::source, neg, args); }},
                  {"dports", "destination-ports", 1, true, APPLY { return apply_multiport(spec_, MultiportMatch::Which::destination, neg, args); }},
                  {"ports", "", 1, true, APPLY { return apply_multiport(spec_, MultiportMatch::Which::either, neg, args); }}},
                 [](const OptionContext&) -> MatchSpec { return MultiportMatch{}; },
                 [](MatchSpec& spec_, const OptionContext& ctx) -> std::string {
                     if (std::get<MultiportMatch>(spec_).ports.empty()) return "the multiport match needs --sports, --dports or --ports";
                     const auto& p = ctx.rule_proto;
                     bool ok = p && !p->negated &&
                               proto_has_ports(p->value);
                     return ok ? "" : "the multiport match needs \"-p tcp\", udp, udplite, sctp or dccp in the rule";
                 }});
}

// The connection a packet belongs to: state, conntrack, connlimit.
void add_conntrack_matches(std::vector<MatchModuleDef>& m) {
    m.push_back({"state", {{"state", "", 1, true, APPLY {
                     SPEC(StateMatch);
                     s.negated = neg;
                     return parse_states(args[0], false, s.states);
                 }}},
                 [](const OptionContext&) -> MatchSpec { return StateMatch{}; },
                 [](MatchSpec& spec_, const OptionContext&) -> std::string {
                     return std::get<StateMatch>(spec_).states ? "" : "the state match needs --state";
                 }});

    m.push_back({"conntrack",
                 {{"ctstate", "", 1, true, APPLY {
                       SPEC(ConntrackMatch);
                       std::uint8_t bits = 0;
                       auto err = parse_states(args[0], true, bits);
                       s.state = Neg<std::uint8_t>{bits, neg};
                       return err;
                   }},
                  {"ctproto", "", 1, true, APPLY {
                       SPEC(ConntrackMatch);
                       auto p = parse_protocol(args[0]);
                       if (!p) return "expected a protocol name or number, got '" + args[0] + "'";
                       // iptables 1.8.10 and later: conntrack keeps no protocol 0.
                       if (*p == 0) return neg ? "--ctproto 0 negated would always match" : "--ctproto 0 would never match";
                       s.proto = Neg<std::uint8_t>{*p, neg};
                       args[0] = std::to_string(*p);
                       return {};
                   }},
                  {"ctorigsrc", "", 1, true, APPLY { SPEC(ConntrackMatch); return apply_ct_addr(s.orig_src, neg, args, ctx); }},
                  {"ctorigdst", "", 1, true, APPLY { SPEC(ConntrackMatch); return apply_ct_addr(s.orig_dst, neg, args, ctx); }},
                  {"ctreplsrc", "", 1, true, APPLY { SPEC(ConntrackMatch); return apply_ct_addr(s.repl_src, neg, args, ctx); }},
                  {"ctrepldst", "", 1, true, APPLY { SPEC(ConntrackMatch); return apply_ct_addr(s.repl_dst, neg, args, ctx); }},
                  {"ctorigsrcport", "", 1, true, APPLY { SPEC(ConntrackMatch); return apply_port(s.orig_sport, neg, args, false); }},
                  {"ctorigdstport", "", 1, true, APPLY { SPEC(ConntrackMatch); return apply_port(s.orig_dport, neg, args, false); }},
                  {"ctreplsrcport", "", 1, true, APPLY { SPEC(ConntrackMatch); return apply_port(s.repl_sport, neg, args, false); }},
                  {"ctrepldstport", "", 1, true, APPLY { SPEC(ConntrackMatch); return apply_port(s.repl_dport, neg, args, false); }},
                  {"ctstatus", "", 1, true, APPLY {
                       SPEC(ConntrackMatch);
                       std::uint32_t bits = 0;
                       for (auto part : split(args[0], ',')) {
                           bool found = false;
                           for (const auto& n : status_names)
                               if (part == n.name) { bits |= n.bit; found = true; }
                           if (!found) return "expected statuses from NONE,EXPECTED,SEEN_REPLY,ASSURED,CONFIRMED, got '" + std::string(part) + "'";
                       }
                       s.status = Neg<std::uint32_t>{bits, neg};
                       return {};
                   }},
                  {"ctexpire", "", 1, true, APPLY {
                       SPEC(ConntrackMatch);
                       Range<std::uint32_t> r;
                       if (auto err = apply_uint_range(r, args); !err.empty()) return err;
                       s.expire = Neg<Range<std::uint32_t>>{r, neg};
                       return {};
                   }},
                  {"ctdir", "", 1, false, APPLY {
                       SPEC(ConntrackMatch);
                       if (args[0] == "ORIGINAL" || args[0] == "original") s.dir = CtDir::original;
                       else if (args[0] == "REPLY" || args[0] == "reply") s.dir = CtDir::reply;
                       else return "expected ORIGINAL or REPLY, got '" + args[0] + "'";
                       args[0] = s.dir == CtDir::original ? "ORIGINAL" : "REPLY";
                       return {};
                   }}},
                 [](const OptionContext&) -> MatchSpec { return ConntrackMatch{}; },
                 nullptr});

    m.push_back({"connbytes",
                 {{"connbytes", "", 1, true, APPLY {
                      SPEC(ConnbytesMatch);
                      std::string error;
                      const auto r = parse_uint_range(args[0], UINT64_MAX, error);
                      if (!r) return error;
                      // One number is a lower bound (xtables gives one value; the rest is 2^64 - 1).
                      s.from = r->lo;
                      s.to = args[0].find(':') == std::string::npos ? UINT64_MAX : r->hi;
                      if (neg) std::swap(s.from, s.to);
                      return {};
                  }},
                  {"connbytes-dir", "", 1, false, APPLY {
                      SPEC(ConnbytesMatch);
                      if (args[0] == "original") s.dir = ConnbytesMatch::Dir::original;
                      else if (args[0] == "reply") s.dir = ConnbytesMatch::Dir::reply;
                      else if (args[0] == "both") s.dir = ConnbytesMatch::Dir::both;
                      else return "expected original, reply or both, got '" + args[0] + "'";
                      return {};
                  }},
                  {"connbytes-mode", "", 1, false, APPLY {
                      SPEC(ConnbytesMatch);
                      if (args[0] == "packets") s.what = ConnbytesMatch::What::packets;
                      else if (args[0] == "bytes") s.what = ConnbytesMatch::What::bytes;
                      else if (args[0] == "avgpkt") s.what = ConnbytesMatch::What::avgpkt;
                      else return "expected packets, bytes or avgpkt, got '" + args[0] + "'";
                      return {};
                  }}},
                 [](const OptionContext&) -> MatchSpec { return ConnbytesMatch{}; }, nullptr});

    m.push_back({"connlimit",
                 {{"connlimit-upto", "", 1, false, APPLY {
                       SPEC(ConnlimitMatch);
                       auto v = parse_uint(args[0], 0xffffffffu);
                       if (!v) return "expected a number, got '" + args[0] + "'";
                       s.limit = static_cast<std::uint32_t>(*v);
                       s.above = false;
                       return {};
                   }},
                  {"connlimit-above", "", 1, true, APPLY {
                       SPEC(ConnlimitMatch);
                       auto v = parse_uint(args[0], 0xffffffffu);
                       if (!v) return "expected a number, got '" + args[0] + "'";
                       s.limit = static_cast<std::uint32_t>(*v);
                       s.above = !neg;
                       return {};
                   }},
                  {"connlimit-mask", "", 1, false, APPLY { SPEC(ConnlimitMatch); return apply_prefix_len(s.mask, args[0], ctx.family); }},
                  {"connlimit-saddr", "", 0, false, APPLY { SPEC(ConnlimitMatch); s.daddr = false; return {}; }},
                  {"connlimit-daddr", "", 0, false, APPLY { SPEC(ConnlimitMatch); s.daddr = true; return {}; }}},
                 [](const OptionContext& ctx) -> MatchSpec {
                     ConnlimitMatch c;
                     c.mask = address_bits(ctx.family);  // libxt_connlimit's default: the whole address
                     return c;
                 },
                 nullptr});
}

// --- ipv6header / frag ---------------------------------------------------------------------------

// The header names libip6t_ipv6header takes (its own, /etc/protocols', numbers), each with its
// mask bit; ip6tables-save writes the first of each bit's names, in bit order.
struct Ipv6HeaderName {
    const char* name;
    std::uint8_t bit;
};
constexpr Ipv6HeaderName ipv6_header_names[] = {
    {"hop-by-hop", ipv6header_bit::hop},  {"ipv6-opts", ipv6header_bit::dst},  {"ipv6-route", ipv6header_bit::route},
    {"ipv6-frag", ipv6header_bit::frag},  {"ah", ipv6header_bit::ah},          {"esp", ipv6header_bit::esp},
    {"ipv6-nonxt", ipv6header_bit::none}, {"protocol", ipv6header_bit::proto}, {"hop", ipv6header_bit::hop},
    {"hopopt", ipv6header_bit::hop},      {"0", ipv6header_bit::hop},          {"dst", ipv6header_bit::dst},
    {"60", ipv6header_bit::dst},          {"route", ipv6header_bit::route},    {"43", ipv6header_bit::route},
    {"frag", ipv6header_bit::frag},       {"44", ipv6header_bit::frag},        {"auth", ipv6header_bit::ah},
    {"51", ipv6header_bit::ah},           {"50", ipv6header_bit::esp},         {"none", ipv6header_bit::none},
    {"59", ipv6header_bit::none},         {"prot", ipv6header_bit::proto},     {"255", ipv6header_bit::proto}};

std::string apply_ipv6_headers(Ipv6HeaderMatch& s, bool neg, std::vector<std::string>& args) {
    std::uint8_t bits = 0;
    for (auto part : split(args[0], ',')) {
        bool found = false;
        for (const auto& n : ipv6_header_names)
            if (part == n.name) {
                bits |= n.bit;
                found = true;
                break;
            }
        if (!found)
            return "expected header names (hop-by-hop, ipv6-opts, ipv6-route, ipv6-frag, ah, esp, ipv6-nonxt, protocol, or hop, dst, route, "
                   "frag, auth, none, prot), got '" +
                   std::string(part) + "'";
    }
    s.headers = bits;
    s.negated = neg;
    std::string canon;
    for (std::uint8_t bit = 128; bit; bit >>= 1)
        if (bits & bit)
            for (const auto& n : ipv6_header_names)
                if (n.bit == bit) {
                    canon += (canon.empty() ? "" : ",") + std::string(n.name);
                    break;
                }
    args[0] = canon;
    return {};
}

// ID, MIN:MAX, MIN: or :MAX over 32 bits.
bool parse_id_range(const std::string& text, Range<std::uint32_t>& r) {
    const auto colon = text.find(':');
    const std::string_view t = text;
    const std::string_view lo_text = t.substr(0, colon), hi_text = colon == std::string::npos ? lo_text : t.substr(colon + 1);
    const auto lo = lo_text.empty() ? std::optional<std::uint64_t>(0) : parse_uint(lo_text, 0xffffffffu);
    const auto hi = hi_text.empty() ? std::optional<std::uint64_t>(0xffffffffu) : parse_uint(hi_text, 0xffffffffu);
    if (!lo || !hi || *lo > *hi) return false;
    r = {static_cast<std::uint32_t>(*lo), static_cast<std::uint32_t>(*hi)};
    return true;
}

// Addresses and header fields: iprange, addrtype, mac, length, tos, dscp, pkttype, rt, ipv6header, frag.
void add_header_matches(std::vector<MatchModuleDef>& m) {
    m.push_back({"iprange",
                 {{"src-range", "", 1, true, APPLY { SPEC(IpRangeMatch); return apply_ip_range(s.src, neg, args, ctx); }},
                  {"dst-range", "", 1, true, APPLY { SPEC(IpRangeMatch); return apply_ip_range(s.dst, neg, args, ctx); }}},
                 [](const OptionContext&) -> MatchSpec { return IpRangeMatch{}; },
                 [](MatchSpec& spec_, const OptionContext&) -> std::string {
                     auto& s = std::get<IpRangeMatch>(spec_);
                     return s.src || s.dst ? "" : "the iprange match needs --src-range or --dst-range";
                 }});
    // iprange_mt_save: the source range, then the destination's, each as LOW-HIGH in the
    // address's numeric form (inet_ntop's for IPv6: 2001:db8:2:0:ffff:: keeps its one zero field).
    m.back().save = [](const MatchSpec& spec, std::vector<RuleOption>& options, const OptionContext&) {
        const auto& s = std::get<IpRangeMatch>(spec);
        options.clear();
        auto range = [&](const char* name, const std::optional<Neg<Range<IpAddr>>>& r) {
            if (r) options.push_back({name, r->negated, {format_ip(r->value.lo) + "-" + format_ip(r->value.hi)}});
        };
        range("src-range", s.src);
        range("dst-range", s.dst);
    };

    m.push_back({"addrtype",
                 {{"src-type", "", 1, true, APPLY { SPEC(AddrTypeMatch); return apply_addr_type(s.src, neg, args); }},
                  {"dst-type", "", 1, true, APPLY { SPEC(AddrTypeMatch); return apply_addr_type(s.dst, neg, args); }},
                  {"limit-iface-in", "", 0, false, APPLY { SPEC(AddrTypeMatch); s.limit_iface_in = true; return {}; }},
                  {"limit-iface-out", "", 0, false, APPLY { SPEC(AddrTypeMatch); s.limit_iface_out = true; return {}; }}},
                 [](const OptionContext&) -> MatchSpec { return AddrTypeMatch{}; },
                 [](MatchSpec& spec_, const OptionContext& ctx) -> std::string {
                     auto& s = std::get<AddrTypeMatch>(spec_);
                     if (s.limit_iface_in && s.limit_iface_out) return "--limit-iface-in and --limit-iface-out exclude each other";
                     // addrtype_mt_checkentry_v1: IPv6 has no broadcast, and its route lookup
                     // tells only local, anycast and unreachable apart.
                     const std::uint16_t types = (s.src ? s.src->value : 0) | (s.dst ? s.dst->value : 0);
                     if (ctx.family == Family::ipv6) {
                         if (types & addr_type::blackhole) return "ip6tables cannot match BLACKHOLE addresses (the kernel refuses it)";
                         if (types >= addr_type::prohibit) return "ip6tables cannot match PROHIBIT, THROW, NAT or XRESOLVE addresses (the kernel refuses it)";
                         if (types & addr_type::broadcast) return "ip6tables cannot match BROADCAST addresses: IPv6 has none (the kernel refuses it)";
                     }
                     return {};
                 }});
    m.back().hooks_for = [](const MatchSpec& spec_) -> HookMask {
        const auto& s = std::get<AddrTypeMatch>(spec_);
        if (s.limit_iface_in) return H_PRE | H_IN | H_FWD;
        if (s.limit_iface_out) return H_OUT | H_FWD | H_POST;
        return 0x1f;
    };

    for (bool connmark : {false, true}) {
        m.push_back({connmark ? "connmark" : "mark",
                     {{"mark", "", 1, true, APPLY {
                         SPEC(MarkMatch);
                         auto vm = parse_value_mask(args[0]);
                         if (!vm) return "expected VALUE[/MASK], got '" + args[0] + "'";
                         s.value = vm->first;
                         s.mask = vm->second;
                         s.negated = neg;
                         args[0] = hex(s.value) + (s.mask == 0xffffffff ? "" : "/" + hex(s.mask));
                         return {};
                     }}},
                     connmark ? +[](const OptionContext&) -> MatchSpec { MarkMatch mm; mm.connmark = true; return mm; }
                              : +[](const OptionContext&) -> MatchSpec { return MarkMatch{}; },
                     nullptr});
    }

    m.push_back({"mac", {{"mac-source", "", 1, true, APPLY {
                     SPEC(MacMatch);
                     auto mac = parse_mac(args[0]);
                     if (!mac) return "expected a MAC address XX:XX:XX:XX:XX:XX, got '" + args[0] + "'";
                     s.mac = *mac;
                     s.negated = neg;
                     args[0] = format_mac(*mac);
                     return {};
                 }}},
                 [](const OptionContext&) -> MatchSpec { return MacMatch{}; }, nullptr,
                 static_cast<HookMask>(H_PRE | H_IN | H_FWD)});

    m.push_back({"length", {{"length", "", 1, true, APPLY {
                     SPEC(LengthMatch);
                     s.negated = neg;
                     return apply_uint_range(s.len, args);
                 }}},
                 [](const OptionContext&) -> MatchSpec { return LengthMatch{}; }, nullptr});

    m.push_back({"tos", {{"tos", "", 1, true, APPLY {
                     SPEC(TosMatch);
                     auto tv = parse_tos_value(args[0]);
                     if (!tv) return "expected a TOS name or VALUE[/MASK], got '" + args[0] + "'";
                     s.value = tv->first;
                     s.mask = tv->second;
                     s.negated = neg;
                     args[0] = hex(s.value) + "/" + hex(s.mask);
                     return {};
                 }}},
                 [](const OptionContext&) -> MatchSpec { return TosMatch{}; }, nullptr});

    m.push_back({"dscp",
                 {{"dscp", "", 1, true, APPLY {
                       SPEC(DscpMatch);
                       auto v = parse_uint(args[0], 63);
                       if (!v) return "expected a DSCP value 0-63, got '" + args[0] + "'";
                       s.dscp = static_cast<std::uint8_t>(*v);
                       s.negated = neg;
                       args[0] = hex(s.dscp);
                       return {};
                   }},
                  {"dscp-class", "", 1, true, APPLY {
                       SPEC(DscpMatch);
                       auto v = parse_dscp_class(args[0]);
                       if (!v) return "expected a DSCP class (CS0-7, AF11-43, EF, BE), got '" + args[0] + "'";
                       s.dscp = *v;
                       s.negated = neg;
                       return {};
                   }}},
                 [](const OptionContext&) -> MatchSpec { return DscpMatch{}; }, nullptr});

    for (bool hl : {false, true}) {
        std::vector<OptionDef<MatchSpec>> opts;
        if (!hl) {
            opts = {{"ttl-eq", "", 1, true, APPLY { return apply_ttl(spec_, TtlMatch::Op::eq, neg, args); }},
                    {"ttl-lt", "", 1, false, APPLY { return apply_ttl(spec_, TtlMatch::Op::lt, neg, args); }},
                    {"ttl-gt", "", 1, false, APPLY { return apply_ttl(spec_, TtlMatch::Op::gt, neg, args); }}};
        } else {
            opts = {{"hl-eq", "", 1, true, APPLY { return apply_ttl(spec_, TtlMatch::Op::eq, neg, args); }},
                    {"hl-lt", "", 1, false, APPLY { return apply_ttl(spec_, TtlMatch::Op::lt, neg, args); }},
                    {"hl-gt", "", 1, false, APPLY { return apply_ttl(spec_, TtlMatch::Op::gt, neg, args); }}};
        }
        m.push_back({hl ? "hl" : "ttl", opts,
                     hl ? +[](const OptionContext&) -> MatchSpec { TtlMatch t; t.hop_limit = true; return t; }
                        : +[](const OptionContext&) -> MatchSpec { return TtlMatch{}; },
                     nullptr, 0x1f, {}, false, hl ? Family::ipv6 : Family::ipv4});
    }

    m.push_back({"pkttype", {{"pkt-type", "", 1, true, APPLY {
                     SPEC(PktTypeMatch);
                     auto t = lower(args[0]);
                     if (t == "unicast" || t == "host") s.type = PktType::host;
                     else if (t == "broadcast") s.type = PktType::broadcast;
                     else if (t == "multicast") s.type = PktType::multicast;
                     else if (t == "otherhost") s.type = PktType::otherhost;
                     else return "expected unicast, broadcast or multicast, got '" + args[0] + "'";
                     s.negated = neg;
                     args[0] = t == "host" ? "unicast" : t;
                     return {};
                 }}},
                 [](const OptionContext&) -> MatchSpec { return PktTypeMatch{}; }, nullptr});

    m.push_back({"rt",
                 {{"rt-type", "", 1, true, APPLY {
                       SPEC(RtMatch);
                       auto v = parse_uint(args[0], 255);
                       if (!v) return "expected a routing header type, got '" + args[0] + "'";
                       s.type = Neg<std::uint8_t>{static_cast<std::uint8_t>(*v), neg};
                       return {};
                   }},
                  {"rt-segsleft", "", 1, true, APPLY {
                       SPEC(RtMatch);
                       Range<std::uint32_t> r;
                       if (auto err = apply_uint_range(r, args); !err.empty()) return err;
                       s.segsleft = Neg<Range<std::uint32_t>>{r, neg};
                       if (!neg && r.lo == 0 && r.hi == 0xffffffffu) leave_out(args);
                       return {};
                   }},
                  {"rt-len", "", 1, true, APPLY {
                       SPEC(RtMatch);
                       auto v = parse_uint(args[0], 0xffffffffu);
                       if (!v) return "expected a length, got '" + args[0] + "'";
                       s.len = Neg<std::uint32_t>{static_cast<std::uint32_t>(*v), neg};
                       return {};
                   }},
                  {"rt-0-res", "", 0, false, APPLY { SPEC(RtMatch); s.res0 = true; return {}; }}},
                 [](const OptionContext&) -> MatchSpec { return RtMatch{}; }, nullptr, 0x1f, {}, false,
                 Family::ipv6});

    m.push_back({"ipv6header",
                 {{"header", "", 1, true, APPLY { SPEC(Ipv6HeaderMatch); return apply_ipv6_headers(s, neg, args); }},
                  {"soft", "", 0, false, APPLY { SPEC(Ipv6HeaderMatch); s.soft = true; return {}; }}},
                 [](const OptionContext&) -> MatchSpec { return Ipv6HeaderMatch{}; },
                 [](MatchSpec& spec_, const OptionContext&) -> std::string {
                     return std::get<Ipv6HeaderMatch>(spec_).headers ? "" : "the ipv6header match needs --header";
                 },
                 0x1f, {}, false, Family::ipv6});

    m.push_back({"eui64", {}, [](const OptionContext&) -> MatchSpec { return Eui64Match{}; }, nullptr, H_PRE | H_IN | H_FWD, {}, false,
                 Family::ipv6});

    m.push_back({"frag",
                 {{"fragid", "", 1, true, APPLY {
                       SPEC(FragMatch);
                       Range<std::uint32_t> r;
                       if (!parse_id_range(args[0], r)) return "expected ID or MIN:MAX (0 to 4294967295, MIN not above MAX), got '" + args[0] + "'";
                       s.id = Neg<Range<std::uint32_t>>{r, neg};
                       args[0] = r.lo == r.hi ? std::to_string(r.lo) : std::to_string(r.lo) + ":" + std::to_string(r.hi);
                       if (!neg && r.lo == 0 && r.hi == 0xffffffffu) leave_out(args);
                       return {};
                   }},
                  // --fraglen is kept and printed, never tested: ip6t_frag ignores it.
                  {"fraglen", "", 1, true, APPLY {
                       (void)spec_;
                       if (!parse_uint(args[0], 0xffffffffu)) return "expected a length, got '" + args[0] + "'";
                       return {};
                   }},
                  {"fragres", "", 0, false, APPLY { SPEC(FragMatch); s.reserved = true; return {}; }},
                  {"fragfirst", "", 0, false, APPLY { SPEC(FragMatch); s.first = true; return {}; }},
                  {"fragmore", "", 0, false, APPLY { SPEC(FragMatch); s.more = true; return {}; }},
                  {"fraglast", "", 0, false, APPLY { SPEC(FragMatch); s.last = true; return {}; }}},
                 [](const OptionContext&) -> MatchSpec { return FragMatch{}; },
                 [](MatchSpec& spec_, const OptionContext&) -> std::string {
                     const auto& s = std::get<FragMatch>(spec_);
                     return s.more && s.last ? "--fragmore and --fraglast exclude each other" : "";
                 },
                 0x1f, {}, false, Family::ipv6});
}

// --- hbh / dst / ah / esp / mh -----------------------------------------------------------------

// An SPI or SPI range as libxt_esp and libip6t_ah read it, printed as their save prints it.
std::string apply_spi(Neg<Range<std::uint32_t>>& slot, bool neg, std::vector<std::string>& args) {
    Range<std::uint32_t> r;
    if (!parse_id_range(args[0], r)) return "expected SPI or MIN:MAX (0 to 4294967295, MIN not above MAX), got '" + args[0] + "'";
    slot = {r, neg};
    args[0] = r.lo == r.hi ? std::to_string(r.lo) : std::to_string(r.lo) + ":" + std::to_string(r.hi);
    if (!neg && r.lo == 0 && r.hi == 0xffffffffu) leave_out(args);
    return {};
}

// --hbh-opts / --dst-opts: TYPE[:LENGTH],... at most 16, as libip6t_hbh parses them (Pad1, type
// 0, has no length; a length of 255 is the kernel's "any").
std::string apply_options(OptionsMatch& s, std::vector<std::string>& args) {
    s.options.clear();
    std::string printed;
    for (auto part : split(args[0], ',')) {
        if (s.options.size() == 16) return "at most 16 options (IP6T_OPTS_OPTSNR)";
        const auto colon = part.find(':');
        const auto type = parse_uint(part.substr(0, colon), 255);
        if (!type) return "expected TYPE[:LENGTH] (0 to 255 each), got '" + std::string(part) + "'";
        OptionsMatch::Option o;
        o.type = static_cast<std::uint8_t>(*type);
        if (colon != std::string_view::npos) {
            if (o.type == 0) return "Pad1 (type 0) has no length";
            const auto len = parse_uint(part.substr(colon + 1), 255);
            if (!len) return "expected an option length from 0 to 255, got '" + std::string(part.substr(colon + 1)) + "'";
            o.length = static_cast<std::uint8_t>(*len);
            o.any_length = o.length == 255;
        }
        s.options.push_back(o);
        if (!printed.empty()) printed += ',';
        printed += std::to_string(o.type);
        if (!o.any_length) {
            printed += ':';
            printed += std::to_string(o.length);
        }
    }
    args[0] = printed;
    return {};
}

template <bool Destination>
std::vector<OptionDef<MatchSpec>> options_header_options() {
    constexpr std::string_view len = Destination ? "dst-len" : "hbh-len", opts = Destination ? "dst-opts" : "hbh-opts";
    return {{len, "", 1, true, APPLY {
                 SPEC(OptionsMatch);
                 const auto v = parse_uint(args[0], 0xffffffffu);
                 if (!v) return "expected the header's length in bytes, got '" + args[0] + "'";
                 s.length = Neg<std::uint32_t>{static_cast<std::uint32_t>(*v), neg};
                 args[0] = std::to_string(*v);
                 return {};
             }},
            {opts, "", 1, false, APPLY { SPEC(OptionsMatch); return apply_options(s, args); }}};
}

// The mobility header types libip6t_mh names (a name's prefix is enough, as there).
constexpr std::pair<std::string_view, std::uint8_t> mh_type_names[] = {
    {"binding-refresh-request", 0}, {"brr", 0}, {"home-test-init", 1}, {"hoti", 1}, {"careof-test-init", 2}, {"coti", 2},
    {"home-test", 3}, {"hot", 3}, {"careof-test", 4}, {"cot", 4}, {"binding-update", 5}, {"bu", 5},
    {"binding-acknowledgement", 6}, {"ba", 6}, {"binding-error", 7}, {"be", 7}};

std::optional<std::uint8_t> parse_mh_type(std::string_view text) {
    std::optional<std::uint8_t> found;
    for (const auto& [name, type] : mh_type_names)
        if (!text.empty() && name.size() >= text.size() && lower(name.substr(0, text.size())) == lower(text)) {
            if (!found || name.size() == text.size()) found = type;
        }
    if (found) return found;
    if (auto v = parse_uint(text, 255)) return static_cast<std::uint8_t>(*v);
    return std::nullopt;
}

void add_ipsec_matches(std::vector<MatchModuleDef>& m) {
    m.push_back({"hbh", options_header_options<false>(),
                 [](const OptionContext&) -> MatchSpec { return OptionsMatch{}; }, nullptr, 0x1f, {}, false, Family::ipv6});
    m.push_back({"dst", options_header_options<true>(),
                 [](const OptionContext&) -> MatchSpec { OptionsMatch o; o.destination = true; return o; }, nullptr, 0x1f, {}, false,
                 Family::ipv6});

    // ip6t_ah reads --ahspi, --ahlen and --ahres; ipt_ah only --ahspi, and needs -p ah (IPv4's AH
    // is the upper layer; IPv6's is found among the extension headers, whatever -p says).
    m.push_back({"ah",
                 {{"ahspi", "", 1, true, APPLY { SPEC(AhMatch); return apply_spi(s.spi, neg, args); }},
                  {"ahlen", "", 1, true, APPLY {
                       SPEC(AhMatch);
                       if (ctx.family == Family::ipv4) return "iptables' ah match has --ahspi only";
                       const auto v = parse_uint(args[0], 0xffffffffu);
                       if (!v) return "expected the header's length in bytes, got '" + args[0] + "'";
                       s.length = Neg<std::uint32_t>{static_cast<std::uint32_t>(*v), neg};
                       args[0] = std::to_string(*v);
                       return {};
                   }},
                  {"ahres", "", 0, false, APPLY {
                       SPEC(AhMatch);
                       if (ctx.family == Family::ipv4) return "iptables' ah match has --ahspi only";
                       s.reserved_zero = true;
                       return {};
                   }}},
                 [](const OptionContext&) -> MatchSpec { return AhMatch{}; },
                 [](MatchSpec&, const OptionContext& ctx) { return ctx.family == Family::ipv4 ? need_proto(ctx, proto::ah, "ah") : std::string(); }});

    m.push_back({"ipcomp",
                 {{"ipcompspi", "", 1, true, APPLY { SPEC(IpcompMatch); return apply_spi(s.cpi, neg, args); }},
                  {"compres", "", 0, false, APPLY { SPEC(IpcompMatch); s.compres = true; return {}; }}},
                 [](const OptionContext&) -> MatchSpec { return IpcompMatch{}; },
                 [](MatchSpec&, const OptionContext& ctx) { return need_proto(ctx, proto::ipcomp, "ipcomp"); }});

    m.push_back({"esp", {{"espspi", "", 1, true, APPLY { SPEC(EspMatch); return apply_spi(s.spi, neg, args); }}},
                 [](const OptionContext&) -> MatchSpec { return EspMatch{}; },
                 [](MatchSpec&, const OptionContext& ctx) { return need_proto(ctx, proto::esp, "esp"); }});

    m.push_back({"mh",
                 {{"mh-type", "", 1, true, APPLY {
                     SPEC(MhMatch);
                     const std::string_view t = args[0];
                     const auto colon = t.find(':');
                     const auto lo = colon == 0 ? std::optional<std::uint8_t>(0) : parse_mh_type(t.substr(0, colon));
                     const auto hi = colon == std::string_view::npos ? lo
                                     : colon + 1 == t.size()       ? std::optional<std::uint8_t>(255)
                                                                   : parse_mh_type(t.substr(colon + 1));
                     if (!lo || !hi) return "expected a mobility header type (a number or a name such as binding-update) or TYPE:TYPE, got '" + args[0] + "'";
                     if (*lo > *hi) return "the mobility header type range's first is above its last";
                     s.type = {{*lo, *hi}, neg};
                     args[0] = *lo == *hi ? std::to_string(*lo) : std::to_string(*lo) + ":" + std::to_string(*hi);
                     if (!neg && *lo == 0 && *hi == 255) leave_out(args);
                     return {};
                 }}},
                 [](const OptionContext&) -> MatchSpec { return MhMatch{}; },
                 [](MatchSpec&, const OptionContext& ctx) { return need_proto(ctx, proto::mobility, "mh"); }, 0x1f, {}, false,
                 Family::ipv6});
}

// What the host knows about the packet: owner, physdev, policy, rpfilter; and comment.
void add_host_matches(std::vector<MatchModuleDef>& m) {
    m.push_back({"comment", {{"comment", "", 1, false, APPLY {
                     SPEC(CommentMatch);
                     if (args[0].size() > 255) return "a comment is at most 255 characters";
                     s.text = args[0];
                     return {};
                 }}},
                 [](const OptionContext&) -> MatchSpec { return CommentMatch{}; }, nullptr});

    m.push_back({"owner",
                 {{"uid-owner", "", 1, true, APPLY {
                       SPEC(OwnerMatch);
                       auto r = parse_owner_id(args[0]);
                       if (!r) return "expected a numeric uid or UID-UID range (of user names only root, uid 0 on every host, is read), got '" + args[0] + "'";
                       s.uid = Neg<Range<std::uint32_t>>{*r, neg};
                       args[0] = r->lo == r->hi ? std::to_string(r->lo) : std::to_string(r->lo) + "-" + std::to_string(r->hi);
                       return {};
                   }},
                  {"gid-owner", "", 1, true, APPLY {
                       SPEC(OwnerMatch);
                       auto r = parse_owner_id(args[0]);
                       if (!r) return "expected a numeric gid or GID-GID range (of group names only root, gid 0 on every host, is read), got '" + args[0] + "'";
                       s.gid = Neg<Range<std::uint32_t>>{*r, neg};
                       args[0] = r->lo == r->hi ? std::to_string(r->lo) : std::to_string(r->lo) + "-" + std::to_string(r->hi);
                       return {};
                   }},
                  {"socket-exists", "", 0, true, APPLY { SPEC(OwnerMatch); s.socket_exists = Neg<bool>{true, neg}; return {}; }},
                  {"suppl-groups", "", 0, false, APPLY {
                       SPEC(OwnerMatch);
                       if (!s.gid) return "--suppl-groups needs --gid-owner before it";
                       s.suppl_groups = true;
                       return {};
                   }}},
                 [](const OptionContext&) -> MatchSpec { return OwnerMatch{}; }, nullptr,
                 static_cast<HookMask>(H_OUT | H_POST)});

    m.push_back({"physdev",
                 {{"physdev-is-in", "", 0, true, APPLY { SPEC(PhysdevMatch); s.is_in = Neg<bool>{true, neg}; return {}; }},
                  {"physdev-in", "", 1, true, APPLY { SPEC(PhysdevMatch); s.in = Neg<std::string>{args[0], neg}; return {}; }},
                  {"physdev-is-out", "", 0, true, APPLY { SPEC(PhysdevMatch); s.is_out = Neg<bool>{true, neg}; return {}; }},
                  {"physdev-out", "", 1, true, APPLY { SPEC(PhysdevMatch); s.out = Neg<std::string>{args[0], neg}; return {}; }},
                  {"physdev-is-bridged", "", 0, true, APPLY { SPEC(PhysdevMatch); s.is_bridged = Neg<bool>{true, neg}; return {}; }}},
                 [](const OptionContext&) -> MatchSpec { return PhysdevMatch{}; }, nullptr});

    m.push_back({"policy",
                 {{"dir", "", 1, false, APPLY {
                       SPEC(PolicyMatch);
                       if (args[0] == "in") s.dir_in = true;
                       else if (args[0] == "out") s.dir_in = false;
                       else return "expected in or out, got '" + args[0] + "'";
                       return {};
                   }},
                  {"pol", "", 1, false, APPLY {
                       SPEC(PolicyMatch);
                       if (args[0] == "none") s.pol_ipsec = false;
                       else if (args[0] == "ipsec") s.pol_ipsec = true;
                       else return "expected none or ipsec, got '" + args[0] + "'";
                       return {};
                   }},
                  {"strict", "", 0, false, APPLY { SPEC(PolicyMatch); s.strict = true; return {}; }},
                  {"reqid", "", 1, true, APPLY {
                       return apply_policy_elem(spec_, [&](PolicyMatch::Element& e) -> std::string {
                           auto v = parse_uint(args[0], 0xffffffffu);
                           if (!v) return "expected a number, got '" + args[0] + "'";
                           e.reqid = Neg<std::uint32_t>{static_cast<std::uint32_t>(*v), neg};
                           return {};
                       });
                   }},
                  {"spi", "", 1, true, APPLY {
                       return apply_policy_elem(spec_, [&](PolicyMatch::Element& e) -> std::string {
                           auto v = parse_uint(args[0], 0xffffffffu);
                           if (!v) return "expected a number, got '" + args[0] + "'";
                           e.spi = Neg<std::uint32_t>{static_cast<std::uint32_t>(*v), neg};
                           return {};
                       });
                   }},
                  {"proto", "", 1, true, APPLY {
                       return apply_policy_elem(spec_, [&](PolicyMatch::Element& e) -> std::string {
                           auto p = parse_protocol(args[0]);
                           if (!p || (*p != proto::esp && *p != proto::ah && *p != 108))
                               return "expected ah, esp or ipcomp, got '" + args[0] + "'";
                           e.proto = Neg<std::uint8_t>{*p, neg};
                           return {};
                       });
                   }},
                  {"mode", "", 1, true, APPLY {
                       return apply_policy_elem(spec_, [&](PolicyMatch::Element& e) -> std::string {
                           if (args[0] != "tunnel" && args[0] != "transport") return "expected tunnel or transport, got '" + args[0] + "'";
                           e.tunnel_mode = Neg<bool>{args[0] == "tunnel", neg};
                           return {};
                       });
                   }},
                  {"tunnel-src", "", 1, true, APPLY {
                       return apply_policy_elem(spec_, [&](PolicyMatch::Element& e) { return apply_ct_addr(e.tunnel_src, neg, args, ctx); });
                   }},
                  {"tunnel-dst", "", 1, true, APPLY {
                       return apply_policy_elem(spec_, [&](PolicyMatch::Element& e) { return apply_ct_addr(e.tunnel_dst, neg, args, ctx); });
                   }},
                  {"next", "", 0, false, APPLY { SPEC(PolicyMatch); s.elements.emplace_back(); return {}; }}},
                 [](const OptionContext&) -> MatchSpec { return PolicyMatch{}; },
                 [](MatchSpec& spec_, const OptionContext&) -> std::string {
                     // libxt_policy's policy_check.
                     const auto& s = std::get<PolicyMatch>(spec_);
                     if (!s.pol_ipsec) {
                         if (s.strict) return "--pol none but --strict given";
                         return s.elements.empty() ? "" : "--pol none but a policy element given";
                     }
                     if (s.strict && s.elements.empty())
                         return "--strict needs a policy element (--reqid, --spi, --tunnel-src, --tunnel-dst, --proto or --mode)";
                     for (std::size_t i = 0; i < s.elements.size(); ++i) {
                         const auto& e = s.elements[i];
                         if (s.strict && !e.reqid && !e.spi && !e.tunnel_src && !e.tunnel_dst && !e.proto && !e.tunnel_mode)
                             return "policy element " + std::to_string(i) + " is empty, and --strict needs one of --reqid, --spi, --tunnel-src, --tunnel-dst, --proto or --mode";
                         const bool tunnel = e.tunnel_mode && e.tunnel_mode->value != e.tunnel_mode->negated;
                         if ((e.tunnel_src || e.tunnel_dst) && !tunnel) return "--tunnel-src/--tunnel-dst is only valid with --mode tunnel";
                     }
                     return {};
                 }});
    m.back().hooks_for = [](const MatchSpec& spec_) -> HookMask {
        return std::get<PolicyMatch>(spec_).dir_in ? static_cast<HookMask>(H_PRE | H_IN | H_FWD)
                                                   : static_cast<HookMask>(H_OUT | H_FWD | H_POST);
    };

    m.push_back({"rpfilter",
                 {{"loose", "", 0, false, APPLY { SPEC(RpFilterMatch); s.loose = true; return {}; }},
                  {"validmark", "", 0, false, APPLY { SPEC(RpFilterMatch); s.validmark = true; return {}; }},
                  {"accept-local", "", 0, false, APPLY { SPEC(RpFilterMatch); s.accept_local = true; return {}; }},
                  {"invert", "", 0, false, APPLY { SPEC(RpFilterMatch); s.invert = true; return {}; }}},
                 [](const OptionContext&) -> MatchSpec { return RpFilterMatch{}; },
                 [](MatchSpec&, const OptionContext& ctx) -> std::string {
                     if (ctx.table != "raw" && ctx.table != "mangle") return "the rpfilter match is only valid in the raw and mangle tables";
                     return {};
                 },
                 H_PRE});

    // libipt_realm: VALUE[/MASK] by xtables_parse_val_mask, or a name of rt_realms (only
    // iproute2's default "cosmos", 0, is known: the host's file is not read); xt_realm reads the
    // route, so not in PREROUTING.
    m.push_back({"realm",
                 {{"realm", "", 1, true, APPLY {
                     SPEC(RealmMatch);
                     const auto vm = args[0] == "cosmos" ? std::pair<std::uint32_t, std::uint32_t>{0, 0xffffffffu} : parse_value_mask(args[0]);
                     if (!vm) return "expected a realm VALUE[/MASK] or 'cosmos' (another name of the host's rt_realms is not known here: give its number), got '" + args[0] + "'";
                     s.id = vm->first;
                     s.mask = vm->second;
                     s.negated = neg;
                     return {};
                 }}},
                 [](const OptionContext&) -> MatchSpec { return RealmMatch{}; }, nullptr, static_cast<HookMask>(H_IN | H_FWD | H_OUT | H_POST),
                 {}, false, Family::ipv4});
    m.back().save = [](const MatchSpec& spec, std::vector<RuleOption>& options, const OptionContext&) {
        // xtables_print_val_mask with rt_realms: a mask in hex beside the value, else the name.
        const auto& s = std::get<RealmMatch>(spec);
        std::string text = s.mask != 0xffffffffu ? hex(s.id) + "/" + hex(s.mask) : s.id == 0 ? "cosmos" : hex(s.id);
        options = {{"realm", s.negated, {std::move(text)}}};
    };
}

// Matches with state of their own: limit, hashlimit, recent, statistic, nfacct.
// --- matches decided by a named assumption (HostStateMatch) -------------------------------------

MatchSpec host_state(const char* assumption, bool defragments = false) {
    HostStateMatch h;
    h.assumption = assumption;
    h.defragments = defragments;
    return h;
}

// A flag option of such a match: its bit in `given`.
template <int Bit>
std::string given_flag(MatchSpec& spec_, bool, std::vector<std::string>&, const OptionContext&) {
    std::get<HostStateMatch>(spec_).given |= 1u << Bit;
    return {};
}

// --vport, --vportctl: a port (or a service name), saved as its number.
std::string apply_ipvs_port(MatchSpec& spec_, bool, std::vector<std::string>& args, const OptionContext&) {
    auto p = parse_port(args[0]);
    if (!p) return "expected a port, got '" + args[0] + "'";
    args[0] = std::to_string(*p);
    std::get<HostStateMatch>(spec_).given |= 4;
    return {};
}

// ipvs's options (libxt_ipvs): --ipvs alone, or any of the connection's properties.
std::vector<OptionDef<MatchSpec>> ipvs_options() {
    return {
        {"ipvs", "", 0, true, APPLY {
             SPEC(HostStateMatch);
             s.given |= neg ? 2u : 1u;  // bit 1: ! --ipvs
             return {};
         }},
        {"vproto", "", 1, true, APPLY {
             SPEC(HostStateMatch);
             auto p = parse_protocol(args[0]);
             if (!p) return "expected a protocol name or number, got '" + args[0] + "'";
             args[0] = std::to_string(*p);
             s.given |= 4;
             return {};
         }},
        {"vaddr", "", 1, true, APPLY {
             SPEC(HostStateMatch);
             auto pre = parse_prefix(args[0], ctx.family);
             if (!pre.prefix) return pre.error;
             // XTTYPE_HOSTMASK keeps the address's host bits: saved as written, the mask as a length.
             const auto host = parse_ip(std::string_view(args[0]).substr(0, args[0].find('/')), ctx.family);
             if (!host) return "expected an address, got '" + args[0] + "'";
             const int len = mask_length(pre.prefix->mask);
             args[0] = format_ip(*host);
             if (len != address_bits(ctx.family)) args[0] += "/" + (len >= 0 ? std::to_string(len) : format_ip(pre.prefix->mask));
             s.given |= 4;
             return {};
         }},
        {"vport", "", 1, true, apply_ipvs_port},
        {"vdir", "", 1, false, APPLY {
             SPEC(HostStateMatch);
             if (args[0] != "ORIGINAL" && args[0] != "REPLY") return "expected ORIGINAL or REPLY, got '" + args[0] + "'";
             s.given |= 4;
             return {};
         }},
        {"vmethod", "", 1, true, APPLY {
             SPEC(HostStateMatch);
             if (args[0] != "GATE" && args[0] != "IPIP" && args[0] != "MASQ") return "expected GATE, IPIP or MASQ, got '" + args[0] + "'";
             s.given |= 4;
             return {};
         }},
        {"vportctl", "", 1, true, apply_ipvs_port},
    };
}

// socket, cgroup, cpu, ipvs, helper, osf: parsed and saved as their extensions do; decided by the
// assumption each names (README, "What fwbench assumes").
void add_host_state_matches(std::vector<MatchModuleDef>& m) {
    m.push_back({"socket",
                 {{"transparent", "", 0, false, given_flag<0>}, {"nowildcard", "", 0, false, given_flag<1>},
                  {"restore-skmark", "", 0, false, given_flag<2>}},
                 [](const OptionContext&) {
                     // xt_socket's checkentry enables nf_defrag_ipv4/ipv6.
                     return host_state("no socket of the host is the packet's (the host's sockets are not known): -m socket never matches",
                                       true);
                 },
                 nullptr, static_cast<HookMask>(H_PRE | H_IN)});

    m.push_back({"cgroup",
                 {{"path", "", 1, true, APPLY { SPEC(HostStateMatch); s.given |= 1; return {}; }},
                  {"cgroup", "", 1, true, APPLY {
                      SPEC(HostStateMatch);
                      auto v = parse_uint(args[0], 0xffffffffu);
                      if (!v) return "expected a class id 0-4294967295, got '" + args[0] + "'";
                      args[0] = std::to_string(*v);
                      s.given |= 2;
                      return {};
                  }}},
                 [](const OptionContext&) {
                     return host_state("packets are taken to have no local socket, so no cgroup: -m cgroup never matches, negated or not, "
                                       "as the kernel answers for a packet without one");
                 },
                 nullptr, static_cast<HookMask>(H_OUT | H_POST | H_IN)});

    m.push_back({"cpu",
                 {{"cpu", "", 1, true, APPLY {
                     SPEC(HostStateMatch);
                     auto v = parse_uint(args[0], 0xffffffffu);
                     if (!v) return "expected a CPU number 0-4294967295, got '" + args[0] + "'";
                     args[0] = std::to_string(*v);
                     s.assumed = (*v == 0) != neg;
                     return {};
                 }}},
                 [](const OptionContext&) { return host_state("every packet is handled on CPU 0"); }, nullptr});

    m.push_back({"ipvs", ipvs_options(),
                 [](const OptionContext&) {
                     return host_state("the host has no IPVS virtual service, so no packet is IPVS traffic: only ! --ipvs matches");
                 },
                 [](MatchSpec& spec_, const OptionContext&) -> std::string {
                     auto& s = std::get<HostStateMatch>(spec_);
                     if ((s.given & 2) && (s.given & 4)) return "! --ipvs cannot be together with other options";
                     s.assumed = s.given == 2;
                     return {};
                 }});

    m.push_back({"helper",
                 {{"helper", "", 1, true, APPLY {
                     SPEC(HostStateMatch);
                     // xt_helper_info's name holds 29 characters: libxt copies no more.
                     if (args[0].size() > 29) args[0].erase(29);
                     s.assumed = neg;
                     return {};
                 }}},
                 [](const OptionContext&) {
                     HostStateMatch h;
                     h.assumption = "no connection is a conntrack helper's expectation (fwbench runs no helpers): -m helper never "
                                    "matches, ! --helper always does";
                     h.tracks_connections = true;  // xt_helper's checkentry turns conntrack on
                     return MatchSpec{h};
                 },
                 nullptr});

    m.push_back({"osf",
                 // nf_osf_match never reads NF_OSF_INVERT: a negated genre matches as the genre does.
                 {{"genre", "", 1, true, APPLY {
                      SPEC(HostStateMatch);
                      (void)neg;
                      s.assumed = false;
                      return {};
                  }},
                  {"ttl", "", 1, false, APPLY {
                      (void)spec_;
                      auto v = parse_uint(args[0], 2);
                      if (!v) return "expected a TTL check level 0-2, got '" + args[0] + "'";
                      args[0] = std::to_string(*v);
                      return {};
                  }},
                  {"log", "", 1, false, APPLY {
                      (void)spec_;
                      auto v = parse_uint(args[0], 2);
                      if (!v) return "expected a log level 0-2, got '" + args[0] + "'";
                      args[0] = std::to_string(*v);
                      return {};
                  }}},
                 [](const OptionContext&) {
                     return host_state(
                         "no OS fingerprint matches the sender (the kernel's fingerprints are loaded apart from the ruleset): -m osf never "
                         "matches, nor with ! --genre, whose ! the kernel ignores");
                 },
                 [](MatchSpec&, const OptionContext& ctx) { return need_proto(ctx, proto::tcp, "osf"); },
                 static_cast<HookMask>(H_PRE | H_IN | H_FWD)});
}

// TCP and IP header fields beyond the ports: ecn, tcpmss (libxt_ecn, libxt_tcpmss; the kernel's
// checkentry wants "-p tcp" for what reads the TCP header).
void add_tcp_header_matches(std::vector<MatchModuleDef>& m) {
    m.push_back({"ecn",
                 {{"ecn-tcp-ece", "", 0, true, APPLY { SPEC(EcnMatch); s.ece = Neg<bool>{true, neg}; return {}; }},
                  {"ecn-tcp-cwr", "", 0, true, APPLY { SPEC(EcnMatch); s.cwr = Neg<bool>{true, neg}; return {}; }},
                  {"ecn-ip-ect", "", 1, true, APPLY {
                      SPEC(EcnMatch);
                      auto v = parse_uint(args[0], 3);
                      if (!v) return "expected an ECN codepoint 0-3, got '" + args[0] + "'";
                      s.ip_ect = Neg<std::uint8_t>{static_cast<std::uint8_t>(*v), neg};
                      args[0] = std::to_string(*v);
                      return {};
                  }}},
                 [](const OptionContext&) -> MatchSpec { return EcnMatch{}; },
                 [](MatchSpec& spec_, const OptionContext& ctx) -> std::string {
                     const auto& s = std::get<EcnMatch>(spec_);
                     if ((s.ece || s.cwr) && !need_proto(ctx, proto::tcp, "ecn").empty())
                         return "the ecn match's --ecn-tcp-ece and --ecn-tcp-cwr need \"-p tcp\" in the rule (the kernel refuses them otherwise)";
                     return {};
                 }});

    m.push_back({"tcpmss",
                 {{"mss", "", 1, true, APPLY {
                     SPEC(TcpmssMatch);
                     s.negated = neg;
                     return apply_uint_range(s.mss, args);
                 }}},
                 [](const OptionContext&) -> MatchSpec { return TcpmssMatch{}; },
                 [](MatchSpec&, const OptionContext& ctx) { return need_proto(ctx, proto::tcp, "tcpmss"); }});
}

void add_rate_and_counter_matches(std::vector<MatchModuleDef>& m) {
    m.push_back({"quota", {{"quota", "", 1, true, APPLY {
                     SPEC(QuotaMatch);
                     auto v = parse_uint(args[0], UINT64_MAX);
                     if (!v) return "expected a byte count 0-18446744073709551615, got '" + args[0] + "'";
                     s.bytes = *v;
                     s.negated = neg;
                     args[0] = std::to_string(*v);
                     return {};
                 }}},
                 [](const OptionContext&) -> MatchSpec { return QuotaMatch{}; }, nullptr});

    m.push_back({"limit",
                 {{"limit", "", 1, false, APPLY {
                       SPEC(LimitMatch);
                       auto r = parse_rate(args[0], LimitMatch::scale);
                       if (!r) return "expected a rate N[/second|/minute|/hour|/day], got '" + args[0] + "'";
                       if (*r == 0) return "rate too fast: '" + args[0] + "'";
                       s.avg = static_cast<std::uint32_t>(*r);
                       return {};
                   }},
                  {"limit-burst", "", 1, false, APPLY {
                       SPEC(LimitMatch);
                       auto v = parse_uint(args[0], 10000);
                       if (!v) return "expected a burst 0-10000, got '" + args[0] + "'";
                       // iptables-nft hands the rule to nft's limit, which takes a burst of 0
                       // as its default of 5 (iptables-legacy's xt_limit refuses it).
                       s.burst = *v == 0 ? LimitMatch::default_burst : static_cast<std::uint32_t>(*v);
                       return {};
                   }}},
                 [](const OptionContext&) -> MatchSpec { LimitMatch l; l.avg = LimitMatch::scale * 3600 / 3; /* 3/hour */ return l; },
                 nullptr});
    m.back().save = [](const MatchSpec& spec, std::vector<RuleOption>& options, const OptionContext&) {
        // libxt_limit's limit_save: the rate from the interval kept, the burst when not the default.
        const auto& s = std::get<LimitMatch>(spec);
        options.clear();
        options.push_back({"limit", false, {print_xt_rate(s.avg, LimitMatch::scale).text}});
        if (s.burst != LimitMatch::default_burst) options.push_back({"limit-burst", false, {std::to_string(s.burst)}});
    };

    m.push_back({"recent",
                 {{"set", "", 0, true, APPLY { SPEC(RecentMatch); s.cmd = RecentMatch::Cmd::set; s.negated = neg; return {}; }},
                  {"rcheck", "", 0, true, APPLY { SPEC(RecentMatch); s.cmd = RecentMatch::Cmd::rcheck; s.negated = neg; return {}; }},
                  {"update", "", 0, true, APPLY { SPEC(RecentMatch); s.cmd = RecentMatch::Cmd::update; s.negated = neg; return {}; }},
                  {"remove", "", 0, true, APPLY { SPEC(RecentMatch); s.cmd = RecentMatch::Cmd::remove; s.negated = neg; return {}; }},
                  {"seconds", "", 1, false, APPLY {
                       SPEC(RecentMatch);
                       auto v = parse_uint(args[0], 0xffffffffu);
                       if (!v) return "expected seconds, got '" + args[0] + "'";
                       s.seconds = static_cast<std::uint32_t>(*v);
                       return {};
                   }},
                  {"reap", "", 0, false, APPLY { SPEC(RecentMatch); s.reap = true; return {}; }},
                  {"hitcount", "", 1, false, APPLY {
                       SPEC(RecentMatch);
                       auto v = parse_uint(args[0], 0xffffffffu);
                       if (!v) return "expected a hit count, got '" + args[0] + "'";
                       // xt_recent's checkentry refuses hit_count >= XT_RECENT_MAX_NSTAMPS (1 << 16).
                       if (*v > 65535) return "a hit count above 65535 is refused by the kernel (xt_recent), got '" + args[0] + "'";
                       s.hitcount = static_cast<std::uint32_t>(*v);
                       return {};
                   }},
                  {"rttl", "", 0, false, APPLY { SPEC(RecentMatch); s.rttl = true; return {}; }},
                  {"name", "", 1, false, APPLY { SPEC(RecentMatch); s.name = args[0]; return {}; }},
                  {"mask", "", 1, false, APPLY {
                       SPEC(RecentMatch);
                       auto a = parse_ip(args[0], ctx.family);
                       if (!a) return "expected an address mask, got '" + args[0] + "'";
                       s.mask = *a;
                       return {};
                   }},
                  {"rsource", "", 0, false, APPLY { SPEC(RecentMatch); s.rdest = false; return {}; }},
                  {"rdest", "", 0, false, APPLY { SPEC(RecentMatch); s.rdest = true; return {}; }}},
                 [](const OptionContext& ctx) -> MatchSpec {
                     RecentMatch r;
                     r.mask = prefix_mask(ctx.family, address_bits(ctx.family));
                     return r;
                 },
                 [](MatchSpec& spec_, const OptionContext&) -> std::string {
                     auto& s = std::get<RecentMatch>(spec_);
                     if (s.reap && s.seconds == 0) return "--reap needs --seconds";
                     return {};
                 }});

    m.push_back({"statistic",
                 {{"mode", "", 1, false, APPLY {
                       SPEC(StatisticMatch);
                       if (args[0] == "random") s.nth = false;
                       else if (args[0] == "nth") s.nth = true;
                       else return "expected random or nth, got '" + args[0] + "'";
                       return {};
                   }},
                  {"probability", "", 1, true, APPLY {
                       SPEC(StatisticMatch);
                       char* end = nullptr;
                       double p = std::strtod(args[0].c_str(), &end);
                       if (end == args[0].c_str() || *end || p < 0 || p > 1) return "expected a probability 0.0-1.0, got '" + args[0] + "'";
                       s.probability = static_cast<std::uint32_t>(0x80000000u * p + 0.5);
                       s.negated = neg;
                       return {};
                   }},
                  {"every", "", 1, true, APPLY {
                       SPEC(StatisticMatch);
                       auto v = parse_uint(args[0], 0xffffffffu);
                       if (!v || *v == 0) return "expected a number > 0, got '" + args[0] + "'";
                       s.every = static_cast<std::uint32_t>(*v - 1);
                       s.negated = neg;
                       return {};
                   }},
                  {"packet", "", 1, false, APPLY {
                       SPEC(StatisticMatch);
                       auto v = parse_uint(args[0], 0xffffffffu);
                       if (!v) return "expected a number, got '" + args[0] + "'";
                       s.packet = static_cast<std::uint32_t>(*v);
                       return {};
                   }}},
                 [](const OptionContext&) -> MatchSpec { return StatisticMatch{}; },
                 [](MatchSpec& spec_, const OptionContext&) -> std::string {
                     auto& s = std::get<StatisticMatch>(spec_);
                     if (s.nth && s.packet > s.every) return "--packet must be less than --every";
                     return {};
                 }});

    m.push_back({"nfacct", {{"nfacct-name", "", 1, false, APPLY {
                                 SPEC(NfacctMatch);
                                 if (auto problem = nfacct_name_problem(args[0]); !problem.empty()) return quoted_name(args[0]) + " is " + problem;
                                 // nfacct_mt_checkentry: nfnl_acct_find_get finds no object of that name.
                                 if (ctx.nfacct_objects && !ctx.nfacct_objects->count(args[0]))
                                     return "no accounting object " + quoted_name(args[0]) + " exists (nfacct list has none; the kernel refuses the rule: ENOENT)";
                                 s.name = args[0];
                                 return {};
                             }}},
                 [](const OptionContext&) -> MatchSpec { return NfacctMatch{}; },
                 [](MatchSpec& spec_, const OptionContext&) -> std::string {
                     return std::get<NfacctMatch>(spec_).name.empty() ? "the nfacct match needs --nfacct-name" : "";
                 }});
}

// ipset: set.
void add_set_matches(std::vector<MatchModuleDef>& m) {
    m.push_back({"set",
                 {{"match-set", "set", 2, true, APPLY {
                       SPEC(SetMatch);
                       if (auto problem = ipset_name_problem(args[0]); !problem.empty()) return quoted_name(args[0]) + " is " + problem;
                       if (!ctx.ipsets || !ctx.ipsets->find(args[0]))
                           return "ipset '" + args[0] + "' is not known: give its contents with --ipsets FILE (ipset save output)";
                       s.set_name = args[0];
                       s.negated = neg;
                       s.dirs.clear();
                       for (auto part : split(args[1], ',')) {
                           if (part == "src") s.dirs.push_back(true);
                           else if (part == "dst") s.dirs.push_back(false);
                           else return "expected src/dst flags such as src,dst, got '" + args[1] + "'";
                       }
                       return {};
                   }},
                  {"return-nomatch", "", 0, false, APPLY { SPEC(SetMatch); s.return_nomatch = true; return {}; }},
                  {"update-counters", "", 0, true, APPLY { SPEC(SetMatch); s.update_counters = !neg; return {}; }},
                  {"update-subcounters", "", 0, true, APPLY { SPEC(SetMatch); s.update_subcounters = !neg; return {}; }}},
                 [](const OptionContext&) -> MatchSpec { return SetMatch{}; },
                 [](MatchSpec& spec_, const OptionContext&) -> std::string {
                     return std::get<SetMatch>(spec_).set_name.empty() ? "the set match needs --match-set NAME FLAGS" : "";
                 }});
}

// What iptables checks of each module's options together (the extensions' option tables and
// x6_fcheck functions, libxt_*.c): the options one of which must be given, the groups that
// exclude each other, the options that need another beside them.
void add_option_rules(std::vector<MatchModuleDef>& m) {
    const struct { std::string_view module; OptionRules rules; } table[] = {
        {"addrtype", {"src-type dst-type", {"limit-iface-in limit-iface-out"}, {}}},
        {"comment", {"comment", {}, {}}},
        {"connbytes", {"", {}, {}, "connbytes connbytes-mode connbytes-dir"}},
        {"connlimit", {"connlimit-upto connlimit-above", {"connlimit-upto connlimit-above", "connlimit-saddr connlimit-daddr"}, {}}},
        {"connmark", {"mark", {}, {}}},
        {"cgroup", {"path cgroup", {"path cgroup"}, {}}},
        {"cpu", {"cpu", {}, {}}},
        {"helper", {"helper", {}, {}}},
        {"ecn", {"ecn-tcp-ece ecn-tcp-cwr ecn-ip-ect", {}, {}}},
        {"ipvs", {"ipvs vproto vaddr vport vdir vmethod vportctl", {}, {}}},
        {"osf", {"genre", {}, {}}},
        {"quota", {"quota", {}, {}}},
        {"realm", {"realm", {}, {}}},
        {"tcpmss", {"mss", {}, {}}},
        {"conntrack", {"ctstate ctproto ctorigsrc ctorigdst ctreplsrc ctrepldst ctorigsrcport ctorigdstport ctreplsrcport "
                       "ctrepldstport ctstatus ctexpire ctdir", {}, {}}},
        {"dscp", {"dscp dscp-class", {"dscp dscp-class"}, {}}},
        {"hl", {"hl-eq hl-lt hl-gt", {"hl-eq hl-lt hl-gt"}, {}}},
        {"length", {"length", {}, {}}},
        {"mac", {"mac-source", {}, {}}},
        {"mark", {"mark", {}, {}}},
        {"owner", {"uid-owner gid-owner socket-exists", {}, {}}},
        {"policy", {"dir", {}, {}}},
        {"pkttype", {"pkt-type", {}, {}}},
        {"recent", {"set rcheck update remove", {"set rcheck update remove", "rttl set", "rttl remove"}, {"reap seconds"}}},
        {"statistic", {"mode", {"probability every", "probability packet"}, {"every packet", "packet every"}}},
        {"tos", {"tos", {}, {}}},
        {"ttl", {"ttl-eq ttl-lt ttl-gt", {"ttl-eq ttl-lt ttl-gt"}, {}}},
    };
    for (const auto& entry : table)
        for (auto& def : m)
            if (def.name == entry.module) def.rules = entry.rules;
}

// The save functions of the extensions whose saved form is not the options as given
// (libxt_dscp, libxt_tos, libxt_connlimit, libxt_recent): defaults written out, one spelling.
void add_save_forms(std::vector<MatchModuleDef>& m) {
    using Options = std::vector<RuleOption>;
    auto set = [&](std::string_view name, void (*save)(const MatchSpec&, Options&, const OptionContext&)) {
        for (auto& def : m)
            if (def.name == name) def.save = save;
    };
    set("dscp", [](const MatchSpec& spec_, Options& options, const OptionContext&) {
        const auto& s = std::get<DscpMatch>(spec_);
        options = {{"dscp", s.negated, {hex02(s.dscp)}}};
    });
    set("tos", [](const MatchSpec& spec_, Options& options, const OptionContext&) {
        const auto& s = std::get<TosMatch>(spec_);
        options = {{"tos", s.negated, {hex02(s.value) + "/" + hex02(s.mask)}}};
    });
    set("connlimit", [](const MatchSpec& spec_, Options& options, const OptionContext& ctx) {
        const auto& s = std::get<ConnlimitMatch>(spec_);
        const int mask = s.mask < 0 ? address_bits(ctx.family) : s.mask;
        options = {{s.above ? "connlimit-above" : "connlimit-upto", false, {std::to_string(s.limit)}},
                   {"connlimit-mask", false, {std::to_string(mask)}},
                   {s.daddr ? "connlimit-daddr" : "connlimit-saddr", false, {}}};
    });
    set("recent", [](const MatchSpec& spec_, Options& options, const OptionContext&) {
        const auto& s = std::get<RecentMatch>(spec_);
        constexpr const char* commands[] = {"set", "rcheck", "update", "remove"};
        options = {{commands[static_cast<int>(s.cmd)], s.negated, {}}};
        if (s.seconds) options.push_back({"seconds", false, {std::to_string(s.seconds)}});
        if (s.reap) options.push_back({"reap", false, {}});
        if (s.hitcount) options.push_back({"hitcount", false, {std::to_string(s.hitcount)}});
        if (s.rttl) options.push_back({"rttl", false, {}});
        options.push_back({"name", false, {s.name}});
        options.push_back({"mask", false, {format_ip(s.mask)}});
        options.push_back({s.rdest ? "rdest" : "rsource", false, {}});
    });
    set("connbytes", [](const MatchSpec& spec_, Options& options, const OptionContext&) {
        // libxt_connbytes' print_from_to: the range low end first, `!` when the kernel holds it
        // reversed; the high end left out when it is 0 or 2^64 - 1.
        const auto& s = std::get<ConnbytesMatch>(spec_);
        const bool negated = s.from > s.to;
        const std::uint64_t from = negated ? s.to : s.from, to = negated ? s.from : s.to;
        std::string count = std::to_string(from);
        if (to && to < UINT64_MAX) count += ":" + std::to_string(to);
        constexpr const char* whats[] = {"packets", "bytes", "avgpkt"};
        constexpr const char* dirs[] = {"original", "reply", "both"};
        options = {{"connbytes", negated, {count}},
                   {"connbytes-mode", false, {whats[static_cast<int>(s.what)]}},
                   {"connbytes-dir", false, {dirs[static_cast<int>(s.dir)]}}};
    });
    set("ecn", [](const MatchSpec& spec_, Options& options, const OptionContext&) {
        const auto& s = std::get<EcnMatch>(spec_);
        options.clear();
        if (s.ece) options.push_back({"ecn-tcp-ece", s.ece->negated, {}});
        if (s.cwr) options.push_back({"ecn-tcp-cwr", s.cwr->negated, {}});
        if (s.ip_ect) options.push_back({"ecn-ip-ect", s.ip_ect->negated, {std::to_string(s.ip_ect->value)}});
    });
    set("ipvs", [](const MatchSpec&, Options& options, const OptionContext&) {
        // libxt_ipvs writes --ipvs only when it is the one option.
        if (options.size() > 1) std::erase_if(options, [](const RuleOption& o) { return o.name == "ipvs"; });
    });
}

std::vector<MatchModuleDef> build_match_modules() {
    std::vector<MatchModuleDef> m;
    // Registered per family of modules; order does not matter (looked up by name).
    add_transport_matches(m);
    add_conntrack_matches(m);
    add_header_matches(m);
    add_ipsec_matches(m);
    add_host_matches(m);
    add_rate_and_counter_matches(m);
    add_tcp_header_matches(m);
    add_host_state_matches(m);
    add_rateest_match(m);
    add_hashlimit_match(m);
    add_time_match(m);
    add_srh_match(m);
    add_cluster_match(m);
    add_connlabel_match(m);
    add_string_match(m);
    add_u32_match(m);
    add_bpf_match(m);
    add_set_matches(m);
    add_option_rules(m);
    add_save_forms(m);
    return m;
}

}  // namespace

const std::vector<MatchModuleDef>& match_modules() {
    static const std::vector<MatchModuleDef> modules = build_match_modules();
    return modules;
}

const MatchModuleDef* find_match_module(std::string_view name) {
    for (const auto& m : match_modules())
        if (m.name == name) return &m;
    // iptables accepts "-m icmpv6" and "-m ipv6-icmp" for icmp6 as well.
    if (name == "icmpv6" || name == "ipv6-icmp") return find_match_module("icmp6");
    return nullptr;
}

const MatchModuleDef* implicit_protocol_module(std::uint8_t p, Family family) {
    switch (p) {
        case proto::tcp: return find_match_module("tcp");
        case proto::udp: return find_match_module("udp");
        case proto::udplite: return find_match_module("udplite");
        case proto::sctp: return find_match_module("sctp");
        case proto::dccp: return find_match_module("dccp");
        case proto::icmp: return family == Family::ipv4 ? find_match_module("icmp") : nullptr;
        case proto::icmpv6: return family == Family::ipv6 ? find_match_module("icmp6") : nullptr;
        case proto::esp: return find_match_module("esp");
        case proto::ah: return find_match_module("ah");
        case proto::mobility: return family == Family::ipv6 ? find_match_module("mh") : nullptr;
        default: return nullptr;
    }
}

}  // namespace fwbench::detail
    // clang-format on
