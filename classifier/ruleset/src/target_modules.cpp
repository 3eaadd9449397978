// The targets: options, typed specs and where the kernel allows each (xt_target.table/.hooks).

#include <cstdio>

#include "module_registry.hpp"
#include "fwbench/parse_util.hpp"

// Module tables laid out by hand, an option per line: left as laid out.
// clang-format off
namespace fwbench::detail {

std::optional<std::pair<std::uint8_t, std::uint8_t>> parse_tos_value(std::string_view text);
std::optional<std::uint8_t> parse_dscp_class(std::string_view text);

namespace {

#define TAPPLY                                                                                 \
    []([[maybe_unused]] TargetSpec & spec_, [[maybe_unused]] bool neg, [[maybe_unused]] std::vector<std::string> & args, \
       [[maybe_unused]] const OptionContext & ctx) -> std::string
#define TSPEC(T) auto& s = std::get<T>(spec_)

constexpr HookMask H_PRE = hook_bit(Hook::prerouting), H_IN = hook_bit(Hook::input),
                   H_FWD = hook_bit(Hook::forward), H_OUT = hook_bit(Hook::output),
                   H_POST = hook_bit(Hook::postrouting);

// What the kernel's xt_target .proto = IPPROTO_TCP refuses: a rule without "-p tcp" (or negated).
// ECN's --ecn-tcp-cwr and --ecn-tcp-ece: the flag's bit in the TCP flags byte, set to 0 or 1.
template <std::uint32_t Bit>
std::string apply_ecn_tcp_bit(TargetSpec& spec_, bool, std::vector<std::string>& args, const OptionContext&) {
    auto& s = std::get<RewriteTarget>(spec_);
    auto v = parse_uint(args[0], 1);
    if (!v) return "expected 0 or 1, got '" + args[0] + "'";
    s.mask |= Bit;
    s.value = (s.value & ~Bit) | (*v ? Bit : 0);
    return {};
}

std::string need_tcp(const OptionContext& ctx, std::string_view what) {
    const auto& p = ctx.rule_proto;
    if (!p || p->negated || p->value != proto::tcp) return std::string(what) + " needs \"-p tcp\" in the rule";
    return {};
}

struct RejectName {
    const char* name;
    const char* alias;
};
// The names libipt_REJECT / libip6t_REJECT accept, with their short aliases.
constexpr RejectName reject_v4[] = {
    {"icmp-net-unreachable", "net-unreach"},   {"icmp-host-unreachable", "host-unreach"},
    {"icmp-proto-unreachable", "proto-unreach"}, {"icmp-port-unreachable", "port-unreach"},
    {"icmp-net-prohibited", "net-prohib"},     {"icmp-host-prohibited", "host-prohib"},
    {"tcp-reset", "tcp-rst"},                  {"icmp-admin-prohibited", "admin-prohib"}};
constexpr RejectName reject_v6[] = {
    {"icmp6-no-route", "no-route"},            {"icmp6-adm-prohibited", "adm-prohibited"},
    {"icmp6-addr-unreachable", "addr-unreach"}, {"icmp6-port-unreachable", "port-unreach"},
    {"tcp-reset", "tcp-rst"},                  {"icmp6-policy-fail", "policy-fail"},
    {"icmp6-reject-route", "reject-route"}};

std::string apply_reject_with(TargetSpec& spec_, bool, std::vector<std::string>& args, const OptionContext& ctx) {
    auto& s = std::get<RejectTarget>(spec_);
    const std::string& w = args[0];
    auto find = [&](const auto& table) {
        for (const auto& n : table)
            if (w == n.name || w == n.alias) {
                s.with = n.name;
                args[0] = n.name;
                return true;
            }
        return false;
    };
    if (ctx.family == Family::ipv4 ? find(reject_v4) : find(reject_v6)) return {};
    return ctx.family == Family::ipv4
               ? "expected a --reject-with type (icmp-port-unreachable, icmp-host-prohibited, tcp-reset, ...), got '" + w + "'"
               : "expected an ip6tables --reject-with type (icmp6-port-unreachable, icmp6-adm-prohibited, tcp-reset, ...), got '" + w + "'";
}

// libxt_NAT's parse_ports: PORT (a number or a service name), or LO-HI of numbers with an
// optional /BASE (a number 1-65535 or a service name) that shifts the map.
// `zero_base`: a base of 0 read as written — SNAT's, which the kernel holds as 0 and
// iptables-save writes so (iptables-restore refuses it; fwbench reads what the kernel runs).
std::string parse_nat_ports(std::string_view text, NatRange& r, bool zero_base = false) {
    const std::string whole(text);
    auto end = text.find_first_of("-/:");
    auto lo = parse_uint(text.substr(0, end), 65535);
    if (!lo) {
        auto named = parse_port(text);
        if (!named) return "port '" + whole + "' is neither a number 0-65535 nor a service name";
        r.has_ports = true;
        r.port_lo = r.port_hi = *named;
        return {};
    }
    r.has_ports = true;
    r.port_lo = r.port_hi = static_cast<std::uint16_t>(*lo);
    if (end == std::string_view::npos) return {};
    if (text[end] == ':') return "invalid port:port syntax in '" + whole + "' (a NAT port range takes a dash)";
    if (text[end] != '-') return "garbage after the port in '" + whole + "'";
    text = text.substr(end + 1);
    end = text.find('/');
    auto hi = parse_uint(text.substr(0, end), 65535);  // a range takes no service names
    if (!hi) return "expected a port number 0-65535 after '-' in '" + whole + "'";
    if (*hi < *lo) return "the port range in '" + whole + "' is reversed";
    r.port_hi = static_cast<std::uint16_t>(*hi);
    if (end == std::string_view::npos) return {};
    auto base_text = text.substr(end + 1);
    auto base = parse_uint(base_text, 65535);
    if (!base) base = parse_port(base_text);
    if (!base || (*base == 0 && !zero_base)) return "expected a base port 1-65535 or a service name after '/' in '" + whole + "'";
    r.port_base = static_cast<std::uint16_t>(*base);
    return {};
}

// libxt_NAT's parse_to: "ADDR[-ADDR][:PORTS]"; an IPv6 address takes ports only in brackets
// ("[ADDR[-ADDR]]:PORTS"), an IPv4 one never has brackets.
std::string parse_nat_range(const std::string& text, Family family, bool ports_only, bool zero_base, NatRange& r) {
    if (ports_only) {
        auto err = parse_nat_ports(text, r);
        if (err.empty() && r.port_base) return "a shifted port map (/BASE) is for DNAT and SNAT only, got '" + text + "'";
        return err;
    }
    std::string_view t = text;
    std::string_view addr_part, port_part;
    bool has_port = false;
    if (!t.empty() && t[0] == '[') {
        auto close = t.find(']');
        if (close == std::string_view::npos || family == Family::ipv4) return "invalid address format '" + text + "'";
        addr_part = t.substr(1, close - 1);
        if (close + 1 < t.size()) {
            if (t[close + 1] != ':') return "expected ':PORT' after ']' in '" + text + "'";
            port_part = t.substr(close + 2);
            has_port = true;
        }
    } else {
        auto colon = t.find(':');
        if (colon != std::string_view::npos && t.find(':', colon + 1) == std::string_view::npos) {  // one colon: a port
            addr_part = t.substr(0, colon);
            port_part = t.substr(colon + 1);
            has_port = true;
        } else {
            addr_part = t;
        }
    }
    if (has_port) {
        auto err = parse_nat_ports(port_part, r, zero_base);
        if (!err.empty()) return err;
    }
    if (!addr_part.empty()) {
        auto dash = addr_part.find('-');
        auto lo = parse_ip(addr_part.substr(0, dash), family);
        std::optional<IpAddr> hi = lo;
        if (dash != std::string_view::npos) hi = parse_ip(addr_part.substr(dash + 1), family);
        if (!lo || !hi) return "expected ADDR[-ADDR][:PORT[-PORT]], got '" + text + "'";
        r.has_addr = true;
        r.addr_lo = *lo;
        r.addr_hi = *hi;
    }
    if (!r.has_addr && !r.has_ports) return "expected a NAT address or port, got '" + text + "'";
    return {};
}

// libxt_NAT's sprint_range: what iptables-save prints for a range (IPv6 addresses bracketed when
// ports follow; MASQUERADE's and REDIRECT's --to-ports without the colon).
std::string format_nat_range(const NatRange& r, Family family, bool ports_only) {
    std::string out;
    const bool brackets = family == Family::ipv6 && r.has_ports;
    if (r.has_addr) {
        if (brackets) out += '[';
        out += format_ip(r.addr_lo);
        if (r.addr_hi != r.addr_lo) out += "-" + format_ip(r.addr_hi);
        if (brackets) out += ']';
    }
    if (r.has_ports) {
        if (!ports_only) out += ':';
        out += std::to_string(r.port_lo);
        if (r.port_hi != r.port_lo) out += "-" + std::to_string(r.port_hi);
        if (r.port_base) out += "/" + std::to_string(*r.port_base);
    }
    return out;
}

std::string apply_nat_to(TargetSpec& spec_, bool, std::vector<std::string>& args, const OptionContext& ctx) {
    auto& s = std::get<NatTarget>(spec_);
    NatRange r;
    bool ports_only = s.kind == NatTarget::Kind::masquerade || s.kind == NatTarget::Kind::redirect;
    auto err = parse_nat_range(args[0], ctx.family, ports_only, s.kind == NatTarget::Kind::snat, r);
    if (!err.empty()) return err;
    if (r.has_ports) {
        // libxt_NAT: ports need a protocol that has them (ICMP's id counts).
        const auto& p = ctx.rule_proto;
        const bool portok = p && !p->negated &&
                            (p->value == proto::tcp || p->value == proto::udp || p->value == proto::sctp || p->value == proto::dccp ||
                             p->value == proto::icmp);
        if (!portok) return "a port mapping needs \"-p tcp\", udp, sctp, dccp or icmp in the rule";
    }
    // SNAT's target (xt_nat revision 1) has no room for a base: iptables keeps the shift and
    // loses the base, so the kernel shifts from port 0, and iptables-save prints "/0".
    if (s.kind == NatTarget::Kind::snat && r.port_base) r.port_base = 0;
    args[0] = format_nat_range(r, ctx.family, ports_only);
    s.ranges.push_back(r);
    return {};
}

TargetSpec make_nat(NatTarget::Kind k) {
    NatTarget n;
    n.kind = k;
    return n;
}

std::vector<OptionDef<TargetSpec>> mark_options(bool connmark) {
    // MARK: mark = (mark & ~mask) ^ value. CONNMARK --set-*: the same on the connmark.
    std::vector<OptionDef<TargetSpec>> o = {
        {"set-xmark", "", 1, false, TAPPLY {
             auto vm = parse_value_mask(args[0]);
             if (!vm) return "expected VALUE[/MASK], got '" + args[0] + "'";
             if (auto* m = std::get_if<MarkTarget>(&spec_)) { m->value = vm->first; m->mask = vm->second; }
             else { auto& c = std::get<ConnmarkTarget>(spec_); c.mode = ConnmarkTarget::Mode::set; c.ctmark = vm->first; c.ctmask = vm->second; }
             return {};
         }},
        {"set-mark", "", 1, false, TAPPLY {
             auto vm = parse_value_mask(args[0]);
             if (!vm) return "expected VALUE[/MASK], got '" + args[0] + "'";
             std::uint32_t mask = vm->first | vm->second;  // libxt_MARK: mask = value | mask
             if (auto* m = std::get_if<MarkTarget>(&spec_)) { m->value = vm->first; m->mask = mask; }
             else { auto& c = std::get<ConnmarkTarget>(spec_); c.mode = ConnmarkTarget::Mode::set; c.ctmark = vm->first; c.ctmask = mask; }
             return {};
         }},
        {"and-mark", "", 1, false, TAPPLY {
             auto v = parse_uint(args[0], 0xffffffffu);
             if (!v) return "expected a 32-bit value, got '" + args[0] + "'";
             std::uint32_t mask = ~static_cast<std::uint32_t>(*v);
             if (auto* m = std::get_if<MarkTarget>(&spec_)) { m->value = 0; m->mask = mask; }
             else { auto& c = std::get<ConnmarkTarget>(spec_); c.mode = ConnmarkTarget::Mode::set; c.ctmark = 0; c.ctmask = mask; }
             return {};
         }},
        {"or-mark", "", 1, false, TAPPLY {
             auto v = parse_uint(args[0], 0xffffffffu);
             if (!v) return "expected a 32-bit value, got '" + args[0] + "'";
             auto val = static_cast<std::uint32_t>(*v);
             if (auto* m = std::get_if<MarkTarget>(&spec_)) { m->value = val; m->mask = val; }
             else { auto& c = std::get<ConnmarkTarget>(spec_); c.mode = ConnmarkTarget::Mode::set; c.ctmark = val; c.ctmask = val; }
             return {};
         }},
        {"xor-mark", "", 1, false, TAPPLY {
             auto v = parse_uint(args[0], 0xffffffffu);
             if (!v) return "expected a 32-bit value, got '" + args[0] + "'";
             auto val = static_cast<std::uint32_t>(*v);
             if (auto* m = std::get_if<MarkTarget>(&spec_)) { m->value = val; m->mask = 0; }
             else { auto& c = std::get<ConnmarkTarget>(spec_); c.mode = ConnmarkTarget::Mode::set; c.ctmark = val; c.ctmask = 0; }
             return {};
         }},
    };
    if (connmark) {
        o.push_back({"save-mark", "", 0, false, TAPPLY {
            TSPEC(ConnmarkTarget);
            s.mode = ConnmarkTarget::Mode::save;
            s.ctmask = 0xffffffff;  // defaults, narrowed by --mask/--nfmask/--ctmask
            return {};
        }});
        o.push_back({"restore-mark", "", 0, false, TAPPLY {
            TSPEC(ConnmarkTarget);
            s.mode = ConnmarkTarget::Mode::restore;
            s.ctmask = 0xffffffff;
            return {};
        }});
        o.push_back({"nfmask", "", 1, false, TAPPLY {
            TSPEC(ConnmarkTarget);
            auto v = parse_uint(args[0], 0xffffffffu);
            if (!v) return "expected a 32-bit mask, got '" + args[0] + "'";
            s.nfmask = static_cast<std::uint32_t>(*v);
            return {};
        }});
        o.push_back({"ctmask", "", 1, false, TAPPLY {
            TSPEC(ConnmarkTarget);
            auto v = parse_uint(args[0], 0xffffffffu);
            if (!v) return "expected a 32-bit mask, got '" + args[0] + "'";
            s.ctmask = static_cast<std::uint32_t>(*v);
            return {};
        }});
        o.push_back({"mask", "", 1, false, TAPPLY {
            TSPEC(ConnmarkTarget);
            auto v = parse_uint(args[0], 0xffffffffu);
            if (!v) return "expected a 32-bit mask, got '" + args[0] + "'";
            s.nfmask = s.ctmask = static_cast<std::uint32_t>(*v);
            return {};
        }});
    }
    return o;
}

std::string apply_ttl_target(TargetSpec& spec_, RewriteTarget::Kind k, std::vector<std::string>& args) {
    auto& s = std::get<RewriteTarget>(spec_);
    auto v = parse_uint(args[0], 255);
    if (!v) return "expected a value 0-255, got '" + args[0] + "'";
    if (k != RewriteTarget::Kind::ttl_set && *v == 0) return "increment/decrement by 0 is refused by the kernel";
    s.kind = k;
    s.value = static_cast<std::uint32_t>(*v);
    return {};
}

// The standard verdicts: ACCEPT, DROP, RETURN, QUEUE (no options).
void add_standard_targets(std::vector<TargetModuleDef>& t) {
    auto standard = [](StandardTarget::Kind k) {
        return TargetModuleDef{{}, {}, nullptr, nullptr, 0x1f, {}, k != StandardTarget::Kind::return_};
    };
    t.push_back(standard(StandardTarget::Kind::accept));
    t.back().name = "ACCEPT";
    t.back().make = [](const OptionContext&) -> TargetSpec { return StandardTarget{StandardTarget::Kind::accept}; };
    t.push_back(standard(StandardTarget::Kind::drop));
    t.back().name = "DROP";
    t.back().make = [](const OptionContext&) -> TargetSpec { return StandardTarget{StandardTarget::Kind::drop}; };
    t.push_back(standard(StandardTarget::Kind::return_));
    t.back().name = "RETURN";
    t.back().make = [](const OptionContext&) -> TargetSpec { return StandardTarget{StandardTarget::Kind::return_}; };
    t.push_back(standard(StandardTarget::Kind::queue));
    t.back().name = "QUEUE";
    t.back().make = [](const OptionContext&) -> TargetSpec { return StandardTarget{StandardTarget::Kind::queue}; };
}

// Verdicts with options: NFQUEUE, REJECT.
void add_queue_and_reject_targets(std::vector<TargetModuleDef>& t) {
    t.push_back({"NFQUEUE",
                 {{"queue-num", "", 1, false, TAPPLY {
                       TSPEC(NfqueueTarget);
                       auto v = parse_uint(args[0], 65535);
                       if (!v) return "expected a queue number 0-65535, got '" + args[0] + "'";
                       s.num = static_cast<std::uint16_t>(*v);
                       return {};
                   }},
                  {"queue-balance", "", 1, false, TAPPLY {
                       TSPEC(NfqueueTarget);
                       // libxt_NFQUEUE: two queues at least, the last below 65535 (queues_total is 16 bits).
                       std::string error;
                       auto r = parse_uint_range(args[0], 65534, error);
                       if (!r) return error;
                       if (args[0].find(':') == std::string::npos) return "expected FIRST:LAST, got '" + args[0] + "'";
                       if (r->lo >= r->hi) return "the first queue must be below the last, got '" + args[0] + "'";
                       s.num = static_cast<std::uint16_t>(r->lo);
                       s.balance_hi = static_cast<std::uint16_t>(r->hi);
                       args[0] = format_uint_range(*r);
                       return {};
                   }},
                  {"queue-bypass", "", 0, false, TAPPLY { TSPEC(NfqueueTarget); s.bypass = true; return {}; }},
                  {"queue-cpu-fanout", "", 0, false, TAPPLY { TSPEC(NfqueueTarget); s.fanout = true; return {}; }}},
                 [](const OptionContext&) -> TargetSpec { return NfqueueTarget{}; }, nullptr, 0x1f, {}, true});

    t.push_back({"REJECT", {{"reject-with", "", 1, false, apply_reject_with}},
                 [](const OptionContext& ctx) -> TargetSpec {
                     return RejectTarget{ctx.family == Family::ipv4 ? "icmp-port-unreachable" : "icmp6-port-unreachable"};
                 },
                 [](TargetSpec& spec_, const OptionContext& ctx) -> std::string {
                     return std::get<RejectTarget>(spec_).with == "tcp-reset" ? need_tcp(ctx, "--reject-with tcp-reset") : std::string();
                 },
                 static_cast<HookMask>(H_IN | H_FWD | H_OUT), "filter", true});
}

// Targets that log and let the walk go on: LOG, NFLOG, ULOG, TRACE.
void add_logging_targets(std::vector<TargetModuleDef>& t) {
    t.push_back({"LOG",
                 {{"log-prefix", "", 1, false, TAPPLY {
                       TSPEC(LogTarget);
                       if (args[0].size() > 29) return "a log prefix is at most 29 characters";
                       s.prefix = args[0];
                       return {};
                   }},
                  {"log-level", "", 1, false, TAPPLY {
                       TSPEC(LogTarget);
                       static constexpr const char* levels[] = {"emerg", "alert", "crit", "error", "warning", "notice", "info", "debug"};
                       for (int i = 0; i < 8; ++i)
                           if (args[0] == levels[i] || (i == 3 && args[0] == "err") || (i == 4 && args[0] == "warn") || (i == 0 && args[0] == "panic")) {
                               s.level = i;
                               args[0] = std::to_string(i);
                               return {};
                           }
                       auto v = parse_uint(args[0], 7);
                       if (!v) return "expected a log level 0-7 or a name (emerg ... debug), got '" + args[0] + "'";
                       s.level = static_cast<int>(*v);
                       return {};
                   }},
                  {"log-tcp-sequence", "", 0, false, TAPPLY { TSPEC(LogTarget); s.log_flags |= 0x01; return {}; }},
                  {"log-tcp-options", "", 0, false, TAPPLY { TSPEC(LogTarget); s.log_flags |= 0x02; return {}; }},
                  {"log-ip-options", "", 0, false, TAPPLY { TSPEC(LogTarget); s.log_flags |= 0x04; return {}; }},
                  {"log-uid", "", 0, false, TAPPLY { TSPEC(LogTarget); s.log_flags |= 0x08; return {}; }},
                  {"log-macdecode", "", 0, false, TAPPLY { TSPEC(LogTarget); s.log_flags |= 0x20; return {}; }}},
                 [](const OptionContext&) -> TargetSpec { return LogTarget{}; }, nullptr});

    t.push_back({"NFLOG",
                 {{"nflog-group", "", 1, false, TAPPLY {
                       TSPEC(LogTarget);
                       auto v = parse_uint(args[0], 65535);
                       if (!v) return "expected a group 0-65535, got '" + args[0] + "'";
                       s.group = static_cast<std::uint32_t>(*v);
                       return {};
                   }},
                  {"nflog-prefix", "", 1, false, TAPPLY {
                       TSPEC(LogTarget);
                       if (args[0].size() > 63) return "an NFLOG prefix is at most 63 characters";
                       s.prefix = args[0];
                       return {};
                   }},
                  {"nflog-range", "", 1, false, TAPPLY {
                       TSPEC(LogTarget);
                       auto v = parse_uint(args[0], 0xffffffffu);
                       if (!v) return "expected a number, got '" + args[0] + "'";
                       s.range = static_cast<std::uint32_t>(*v);
                       return {};
                   }},
                  {"nflog-size", "", 1, false, TAPPLY {
                       TSPEC(LogTarget);
                       auto v = parse_uint(args[0], 0xffffffffu);
                       if (!v) return "expected a number, got '" + args[0] + "'";
                       s.range = static_cast<std::uint32_t>(*v);
                       return {};
                   }},
                  {"nflog-threshold", "", 1, false, TAPPLY {
                       TSPEC(LogTarget);
                       auto v = parse_uint(args[0], 65535);
                       if (!v) return "expected a number, got '" + args[0] + "'";
                       s.threshold = static_cast<std::uint32_t>(*v);
                       return {};
                   }}},
                 [](const OptionContext&) -> TargetSpec { LogTarget l; l.kind = LogTarget::Kind::nflog; return l; }, nullptr});

    t.push_back({"ULOG",
                 {{"ulog-nlgroup", "", 1, false, TAPPLY {
                       TSPEC(LogTarget);
                       auto v = parse_uint(args[0], 32);
                       if (!v || *v == 0) return "expected a netlink group 1-32, got '" + args[0] + "'";
                       s.group = static_cast<std::uint32_t>(*v);
                       return {};
                   }},
                  {"ulog-prefix", "", 1, false, TAPPLY { TSPEC(LogTarget); s.prefix = args[0]; return {}; }},
                  {"ulog-cprange", "", 1, false, TAPPLY {
                       TSPEC(LogTarget);
                       auto v = parse_uint(args[0], 0xffffffffu);
                       if (!v) return "expected a number, got '" + args[0] + "'";
                       s.range = static_cast<std::uint32_t>(*v);
                       return {};
                   }},
                  {"ulog-qthreshold", "", 1, false, TAPPLY {
                       TSPEC(LogTarget);
                       auto v = parse_uint(args[0], 50);
                       if (!v) return "expected a number 1-50, got '" + args[0] + "'";
                       s.threshold = static_cast<std::uint32_t>(*v);
                       return {};
                   }}},
                 [](const OptionContext&) -> TargetSpec { LogTarget l; l.kind = LogTarget::Kind::ulog; l.group = 1; return l; },
                 nullptr, 0x1f, {}, false, Family::ipv4});

    t.push_back({"TRACE", {}, [](const OptionContext&) -> TargetSpec { return RewriteTarget{}; }, nullptr, 0x1f, "raw"});
}

// Packet and connection marks: MARK, CONNMARK, CLASSIFY.
void add_mark_targets(std::vector<TargetModuleDef>& t) {
    t.push_back({"MARK", mark_options(false), [](const OptionContext&) -> TargetSpec { return MarkTarget{}; },
                 nullptr});

    t.push_back({"CONNMARK", mark_options(true), [](const OptionContext&) -> TargetSpec { return ConnmarkTarget{}; },
                 nullptr});

    t.push_back({"CLASSIFY", {{"set-class", "", 1, false, TAPPLY {
                     TSPEC(RewriteTarget);
                     auto colon = args[0].find(':');
                     if (colon == std::string::npos) return "expected MAJOR:MINOR in hex, got '" + args[0] + "'";
                     auto major = parse_uint("0x" + args[0].substr(0, colon), 0xffff);
                     auto minor = parse_uint("0x" + args[0].substr(colon + 1), 0xffff);
                     if (!major || !minor) return "expected MAJOR:MINOR in hex, got '" + args[0] + "'";
                     s.value = static_cast<std::uint32_t>(*major << 16 | *minor);
                     char printed[10];
                     std::snprintf(printed, sizeof printed, "%04x:%04x", static_cast<unsigned>(*major), static_cast<unsigned>(*minor));
                     args[0] = printed;  // libxt_CLASSIFY saves "%04x:%04x"
                     return {};
                 }}},
                 [](const OptionContext&) -> TargetSpec { RewriteTarget r; r.kind = RewriteTarget::Kind::classify; return r; },
                 nullptr, static_cast<HookMask>(H_FWD | H_OUT | H_POST)});
}

// NAT: DNAT, SNAT, MASQUERADE, REDIRECT, NETMAP.
void add_nat_targets(std::vector<TargetModuleDef>& t) {
    t.push_back({"DNAT",
                 {{"to-destination", "to", 1, false, apply_nat_to},
                  {"random", "", 0, false, TAPPLY { TSPEC(NatTarget); s.random = true; return {}; }},
                  {"persistent", "", 0, false, TAPPLY { TSPEC(NatTarget); s.persistent = true; return {}; }}},
                 [](const OptionContext&) { return make_nat(NatTarget::Kind::dnat); },
                 [](TargetSpec& spec_, const OptionContext&) -> std::string {
                     auto& s = std::get<NatTarget>(spec_);
                     return s.ranges.empty() ? "DNAT needs --to-destination" : "";
                 },
                 static_cast<HookMask>(H_PRE | H_OUT), "nat", true});

    t.push_back({"SNAT",
                 {{"to-source", "to", 1, false, apply_nat_to},
                  {"random", "", 0, false, TAPPLY { TSPEC(NatTarget); s.random = true; return {}; }},
                  {"random-fully", "", 0, false, TAPPLY { TSPEC(NatTarget); s.random_fully = true; return {}; }},
                  {"persistent", "", 0, false, TAPPLY { TSPEC(NatTarget); s.persistent = true; return {}; }}},
                 [](const OptionContext&) { return make_nat(NatTarget::Kind::snat); },
                 [](TargetSpec& spec_, const OptionContext&) -> std::string {
                     auto& s = std::get<NatTarget>(spec_);
                     return s.ranges.empty() ? "SNAT needs --to-source" : "";
                 },
                 static_cast<HookMask>(H_POST | H_IN), "nat", true});

    t.push_back({"MASQUERADE",
                 {{"to-ports", "", 1, false, apply_nat_to},
                  {"random", "", 0, false, TAPPLY { TSPEC(NatTarget); s.random = true; return {}; }},
                  {"random-fully", "", 0, false, TAPPLY { TSPEC(NatTarget); s.random_fully = true; return {}; }}},
                 [](const OptionContext&) { return make_nat(NatTarget::Kind::masquerade); },
                 nullptr,
                 H_POST, "nat", true});

    t.push_back({"REDIRECT",
                 {{"to-ports", "", 1, false, apply_nat_to},
                  {"random", "", 0, false, TAPPLY { TSPEC(NatTarget); s.random = true; return {}; }}},
                 [](const OptionContext&) { return make_nat(NatTarget::Kind::redirect); },
                 nullptr,
                 static_cast<HookMask>(H_PRE | H_OUT), "nat", true});

    t.push_back({"NETMAP",
                 {{"to", "", 1, false, TAPPLY {
                     TSPEC(NatTarget);
                     auto p = parse_prefix(args[0], ctx.family);
                     if (!p.prefix) return p.error;
                     s.netmap_to = *p.prefix;
                     args[0] = format_prefix(*p.prefix);
                     return {};
                 }}},
                 [](const OptionContext& ctx) {
                     auto spec = make_nat(NatTarget::Kind::netmap);
                     std::get<NatTarget>(spec).netmap_to = IpPrefix::any(ctx.family);
                     return spec;
                 },
                 [](TargetSpec&, const OptionContext&) -> std::string { return {}; },
                 static_cast<HookMask>(H_PRE | H_POST | H_OUT | H_IN), "nat", true});
}

// Conntrack: NOTRACK, CT.
void add_conntrack_targets(std::vector<TargetModuleDef>& t) {
    t.push_back({"NOTRACK", {}, [](const OptionContext&) -> TargetSpec { CtTarget c; c.notrack = true; return c; },
                 nullptr, 0x1f, "raw"});

    t.push_back({"CT",
                 {{"notrack", "", 0, false, TAPPLY { TSPEC(CtTarget); s.notrack = true; return {}; }},
                  {"helper", "", 1, false, TAPPLY { TSPEC(CtTarget); s.helper = args[0]; return {}; }},
                  {"timeout", "", 1, false, TAPPLY { TSPEC(CtTarget); s.timeout = args[0]; return {}; }},
                  {"zone", "zone-orig zone-reply", 1, false, TAPPLY {
                       TSPEC(CtTarget);
                       // libxt_CT: a 16-bit zone id, or "mark" for the zone from the packet's mark.
                       if (args[0] != "mark" && !parse_uint(args[0], 65535)) return "expected a zone 0-65535 or 'mark', got '" + args[0] + "'";
                       s.zone = args[0];
                       return {};
                   }},
                  {"ctevents", "", 1, false, TAPPLY {
                       TSPEC(CtTarget);
                       for (auto e : split(args[0], ',')) s.ctevents.emplace_back(e);
                       return {};
                   }},
                  {"expevents", "", 1, false, TAPPLY {
                       TSPEC(CtTarget);
                       for (auto e : split(args[0], ',')) s.expevents.emplace_back(e);
                       return {};
                   }}},
                 [](const OptionContext&) -> TargetSpec { return CtTarget{}; }, nullptr, 0x1f, "raw"});
}

// Header rewriting: TCPMSS, TCPOPTSTRIP, CHECKSUM, DSCP, TOS, TTL, HL.
void add_header_rewriting_targets(std::vector<TargetModuleDef>& t) {
    // libxt_TCPMSS: the last of the two options wins (neither excludes the other); an MSS up to
    // 65535 less the IP header. xt_TCPMSS's check_hooks: clamping only where the packet has a
    // route (FORWARD, OUTPUT, POSTROUTING). The kernel's "only with --syn" check is iptables-
    // legacy's: nft_compat skips it.
    t.push_back({"TCPMSS",
                 {{"set-mss", "", 1, false, TAPPLY {
                       TSPEC(RewriteTarget);
                       const std::uint64_t max = ctx.family == Family::ipv4 ? 65535 - 20 : 65535 - 40;
                       auto v = parse_uint(args[0], max);
                       if (!v) return "expected an MSS value 0-" + std::to_string(max) + ", got '" + args[0] + "'";
                       s.kind = RewriteTarget::Kind::tcpmss_set;
                       s.value = static_cast<std::uint32_t>(*v);
                       return {};
                   }},
                  {"clamp-mss-to-pmtu", "", 0, false, TAPPLY { TSPEC(RewriteTarget); s.kind = RewriteTarget::Kind::tcpmss_clamp; s.value = 0; return {}; }}},
                 // One option required: add_option_rules.
                 [](const OptionContext&) -> TargetSpec { RewriteTarget r; r.kind = RewriteTarget::Kind::tcpmss_clamp; return r; },
                 [](TargetSpec&, const OptionContext& ctx) { return need_tcp(ctx, "TCPMSS"); }});
    t.back().hooks_for = [](const TargetSpec& spec_) -> HookMask {
        return std::get<RewriteTarget>(spec_).kind == RewriteTarget::Kind::tcpmss_clamp ? static_cast<HookMask>(H_FWD | H_OUT | H_POST) : HookMask{0x1f};
    };

    // libxt_TCPOPTSTRIP: option kinds by name or number (2-255), each once; saved as numbers in
    // kind order. xt_TCPOPTSTRIP: mangle only, -p tcp.
    t.push_back({"TCPOPTSTRIP",
                 {{"strip-options", "", 1, false, TAPPLY {
                       TSPEC(RewriteTarget);
                       static constexpr std::pair<std::string_view, std::uint8_t> names[] = {
                           {"wscale", 3}, {"mss", 2}, {"sack-permitted", 4}, {"sack", 5}, {"timestamp", 8}, {"md5", 19}};
                       for (const std::string_view part : split(args[0], ',')) {
                           const std::string item(part);
                           std::optional<std::uint64_t> kind;
                           for (const auto& [name, k] : names)
                               if (item == name) kind = k;
                           if (!kind) kind = parse_uint(item, 255);
                           if (!kind) return "bad TCP option value \"" + item + "\" (a kind up to 255, or mss, wscale, sack-permitted, sack, timestamp, md5)";
                           if (*kind < 2) return "TCP option value may not be 0 or 1 (" + item + ")";
                           if (s.strips(static_cast<std::uint8_t>(*kind))) return "TCP option \"" + item + "\" already specified";
                           s.strip[*kind >> 6] |= std::uint64_t{1} << (*kind & 63);
                       }
                       return {};
                   }}},
                 [](const OptionContext&) -> TargetSpec { RewriteTarget r; r.kind = RewriteTarget::Kind::tcpoptstrip; return r; },
                 [](TargetSpec&, const OptionContext& ctx) { return need_tcp(ctx, "TCPOPTSTRIP"); },
                 0x1f, "mangle"});

    t.push_back({"CHECKSUM", {{"checksum-fill", "", 0, false, TAPPLY { return {}; }}},
                 [](const OptionContext&) -> TargetSpec { RewriteTarget r; r.kind = RewriteTarget::Kind::checksum_fill; return r; },
                 nullptr, 0x1f, "mangle"});

    t.push_back({"DSCP",
                 {{"set-dscp", "", 1, false, TAPPLY {
                       TSPEC(RewriteTarget);
                       auto v = parse_uint(args[0], 63);
                       if (!v) return "expected a DSCP value 0-63, got '" + args[0] + "'";
                       s.value = static_cast<std::uint32_t>(*v);
                       args[0] = hex(s.value);
                       return {};
                   }},
                  {"set-dscp-class", "", 1, false, TAPPLY {
                       TSPEC(RewriteTarget);
                       auto v = parse_dscp_class(args[0]);
                       if (!v) return "expected a DSCP class, got '" + args[0] + "'";
                       s.value = *v;
                       return {};
                   }}},
                 [](const OptionContext&) -> TargetSpec { RewriteTarget r; r.kind = RewriteTarget::Kind::dscp; return r; },
                 nullptr, 0x1f, "mangle"});

    t.push_back({"TOS",
                 {{"set-tos", "", 1, false, TAPPLY {
                       TSPEC(RewriteTarget);
                       auto tv = parse_tos_value(args[0]);
                       if (!tv) return "expected a TOS name or VALUE[/MASK], got '" + args[0] + "'";
                       s.value = tv->first;
                       s.mask = tv->second;
                       args[0] = hex(s.value) + "/" + hex(s.mask);
                       return {};
                   }},
                  {"and-tos", "", 1, false, TAPPLY {
                       TSPEC(RewriteTarget);
                       auto v = parse_uint(args[0], 255);
                       if (!v) return "expected a value 0-255, got '" + args[0] + "'";
                       s.value = 0;
                       s.mask = static_cast<std::uint8_t>(~*v);
                       return {};
                   }},
                  {"or-tos", "", 1, false, TAPPLY {
                       TSPEC(RewriteTarget);
                       auto v = parse_uint(args[0], 255);
                       if (!v) return "expected a value 0-255, got '" + args[0] + "'";
                       s.value = s.mask = static_cast<std::uint32_t>(*v);
                       return {};
                   }},
                  {"xor-tos", "", 1, false, TAPPLY {
                       TSPEC(RewriteTarget);
                       auto v = parse_uint(args[0], 255);
                       if (!v) return "expected a value 0-255, got '" + args[0] + "'";
                       s.value = static_cast<std::uint32_t>(*v);
                       s.mask = 0;
                       return {};
                   }}},
                 [](const OptionContext&) -> TargetSpec { RewriteTarget r; r.kind = RewriteTarget::Kind::tos; return r; },
                 nullptr, 0x1f, "mangle"});

    t.push_back({"TTL",
                 {{"ttl-set", "", 1, false, TAPPLY { return apply_ttl_target(spec_, RewriteTarget::Kind::ttl_set, args); }},
                  {"ttl-dec", "", 1, false, TAPPLY { return apply_ttl_target(spec_, RewriteTarget::Kind::ttl_dec, args); }},
                  {"ttl-inc", "", 1, false, TAPPLY { return apply_ttl_target(spec_, RewriteTarget::Kind::ttl_inc, args); }}},
                 // One operation required: add_option_rules.
                 [](const OptionContext&) -> TargetSpec { RewriteTarget r; r.kind = RewriteTarget::Kind::ttl_set; return r; },
                 nullptr, 0x1f, "mangle", false, Family::ipv4});

    // ECN (libipt_ECN, ipt_ECN): the IP header's ECN field and TCP's ECE and CWR flags, in the
    // kernel's own encoding of an operation: --ecn-tcp-remove replaces the operation (an ECT given
    // before it is forgotten), the others add to it.
    t.push_back({"ECN",
                 {{"ecn-tcp-remove", "", 0, false, TAPPLY {
                       TSPEC(RewriteTarget);
                       s.mask = 0xc0;
                       s.value &= ~0xc0u;
                       return {};
                   }},
                  {"ecn-tcp-cwr", "", 1, false, apply_ecn_tcp_bit<0x80>},
                  {"ecn-tcp-ece", "", 1, false, apply_ecn_tcp_bit<0x40>},
                  {"ecn-ip-ect", "", 1, false, TAPPLY {
                       TSPEC(RewriteTarget);
                       auto v = parse_uint(args[0], 3);
                       if (!v) return "expected an ECT codepoint 0-3, got '" + args[0] + "'";
                       s.mask |= 0x03;
                       s.value = (s.value & ~0x03u) | static_cast<std::uint32_t>(*v);
                       return {};
                   }}},
                 [](const OptionContext&) -> TargetSpec { RewriteTarget r; r.kind = RewriteTarget::Kind::ecn; return r; },
                 [](TargetSpec& spec_, const OptionContext& ctx) -> std::string {
                     // ipt_ECN's checkentry: TCP operations only in a rule for TCP.
                     return std::get<RewriteTarget>(spec_).mask & 0xc0 ? need_tcp(ctx, "ECN's TCP operations") : std::string();
                 },
                 0x1f, "mangle", false, Family::ipv4});

    t.push_back({"HL",
                 {{"hl-set", "", 1, false, TAPPLY { return apply_ttl_target(spec_, RewriteTarget::Kind::ttl_set, args); }},
                  {"hl-dec", "", 1, false, TAPPLY { return apply_ttl_target(spec_, RewriteTarget::Kind::ttl_dec, args); }},
                  {"hl-inc", "", 1, false, TAPPLY { return apply_ttl_target(spec_, RewriteTarget::Kind::ttl_inc, args); }}},
                 [](const OptionContext&) -> TargetSpec { RewriteTarget r; r.kind = RewriteTarget::Kind::ttl_set; r.hop_limit = true; return r; },
                 nullptr, 0x1f, "mangle", false, Family::ipv6});
}

// What iptables checks of each target's options together (libxt_*.c option tables and
// x6_fcheck functions); see add_option_rules in match_modules.cpp.
void add_option_rules(std::vector<TargetModuleDef>& t) {
    constexpr std::string_view mark_ops = "set-xmark set-mark and-mark or-mark xor-mark";
    const struct { std::string_view target; OptionRules rules; } table[] = {
        {"CHECKSUM", {"checksum-fill", {}, {}}},
        {"AUDIT", {{}, {}, {}, "type"}},
        {"CLASSIFY", {"set-class", {}, {}}},
        {"CONNMARK", {"set-xmark set-mark and-mark or-mark xor-mark save-mark restore-mark",
                      {"set-xmark set-mark and-mark or-mark xor-mark save-mark restore-mark", "mask nfmask", "mask ctmask"}, {}}},
        {"DSCP", {"set-dscp set-dscp-class", {"set-dscp set-dscp-class"}, {}}},
        {"HL", {"hl-set hl-dec hl-inc", {"hl-set hl-dec hl-inc"}, {}}},
        {"IDLETIMER", {{}, {}, {}, "timeout label"}},
        {"SECMARK", {{}, {}, {}, "selctx"}},
        {"CONNSECMARK", {"save restore", {"save restore"}, {}, {}}},
        {"MARK", {mark_ops, {mark_ops}, {}}},
        {"NFQUEUE", {{}, {"queue-num queue-balance"}, {"queue-cpu-fanout queue-balance"}}},
        {"TCPMSS", {"set-mss clamp-mss-to-pmtu", {}, {}}},
        {"TOS", {"set-tos and-tos or-tos xor-tos", {"set-tos and-tos or-tos xor-tos"}, {}}},
        {"TTL", {"ttl-set ttl-dec ttl-inc", {"ttl-set ttl-dec ttl-inc"}, {}}},
        {"ECN", {"ecn-tcp-remove ecn-tcp-cwr ecn-tcp-ece ecn-ip-ect", {"ecn-tcp-remove ecn-tcp-cwr", "ecn-tcp-remove ecn-tcp-ece"}, {}}},
    };
    for (const auto& entry : table)
        for (auto& def : t)
            if (def.name == entry.target) def.rules = entry.rules;
}

// The save functions of the targets whose saved form is not the options as given (libxt_MARK,
// libxt_CONNMARK, libxt_DSCP, libxt_TOS, libxt_TCPMSS, libxt_TCPOPTSTRIP, libipt_REJECT/libip6t_REJECT,
// libxt_NFQUEUE).
void add_save_forms(std::vector<TargetModuleDef>& t) {
    using Options = std::vector<RuleOption>;
    auto set = [&](std::string_view name, void (*save)(const TargetSpec&, Options&, const OptionContext&)) {
        for (auto& def : t)
            if (def.name == name) def.save = save;
    };
    set("ECN", [](const TargetSpec& spec_, Options& options, const OptionContext&) {
        // ECN_save: both TCP flags cleared and nothing else is --ecn-tcp-remove.
        const auto& s = std::get<RewriteTarget>(spec_);
        options.clear();
        if (s.mask == 0xc0 && (s.value & 0xc0) == 0) {
            options.push_back({"ecn-tcp-remove", false, {}});
            return;
        }
        if (s.mask & 0x40) options.push_back({"ecn-tcp-ece", false, {s.value & 0x40 ? "1" : "0"}});
        if (s.mask & 0x80) options.push_back({"ecn-tcp-cwr", false, {s.value & 0x80 ? "1" : "0"}});
        if (s.mask & 0x03) options.push_back({"ecn-ip-ect", false, {std::to_string(s.value & 0x03)}});
    });
    set("MARK", [](const TargetSpec& spec_, Options& options, const OptionContext&) {
        const auto& s = std::get<MarkTarget>(spec_);
        options = {{"set-xmark", false, {hex(s.value) + "/" + hex(s.mask)}}};
    });
    set("CONNMARK", [](const TargetSpec& spec_, Options& options, const OptionContext&) {
        const auto& s = std::get<ConnmarkTarget>(spec_);
        if (s.mode == ConnmarkTarget::Mode::set) options = {{"set-xmark", false, {hex(s.ctmark) + "/" + hex(s.ctmask)}}};
        else
            options = {{s.mode == ConnmarkTarget::Mode::save ? "save-mark" : "restore-mark", false, {}},
                       {"nfmask", false, {hex(s.nfmask)}},
                       {"ctmask", false, {hex(s.ctmask)}}};
    });
    set("TCPMSS", [](const TargetSpec& spec_, Options& options, const OptionContext&) {
        const auto& s = std::get<RewriteTarget>(spec_);
        if (s.kind == RewriteTarget::Kind::tcpmss_clamp) options = {{"clamp-mss-to-pmtu", false, {}}};
        else options = {{"set-mss", false, {std::to_string(s.value)}}};
    });
    set("TCPOPTSTRIP", [](const TargetSpec& spec_, Options& options, const OptionContext&) {
        const auto& s = std::get<RewriteTarget>(spec_);
        std::string kinds;
        for (unsigned k = 0; k < 256; ++k)
            if (s.strips(static_cast<std::uint8_t>(k))) kinds.append(kinds.empty() ? "" : ",").append(std::to_string(k));
        if (kinds.empty()) options.clear();
        else options = {{"strip-options", false, {kinds}}};
    });
    set("DSCP", [](const TargetSpec& spec_, Options& options, const OptionContext&) {
        options = {{"set-dscp", false, {hex02(static_cast<std::uint8_t>(std::get<RewriteTarget>(spec_).value))}}};
    });
    set("TOS", [](const TargetSpec& spec_, Options& options, const OptionContext&) {
        const auto& s = std::get<RewriteTarget>(spec_);
        options = {{"set-tos", false, {hex02(static_cast<std::uint8_t>(s.value)) + "/" + hex02(static_cast<std::uint8_t>(s.mask))}}};
    });
    set("REJECT", [](const TargetSpec& spec_, Options& options, const OptionContext&) {
        options = {{"reject-with", false, {std::get<RejectTarget>(spec_).with}}};
    });
    set("NFQUEUE", [](const TargetSpec& spec_, Options& options, const OptionContext&) {
        const auto& s = std::get<NfqueueTarget>(spec_);
        options.clear();
        if (s.balance_hi > s.num) options.push_back({"queue-balance", false, {std::to_string(s.num) + ":" + std::to_string(s.balance_hi)}});
        else options.push_back({"queue-num", false, {std::to_string(s.num)}});
        if (s.bypass) options.push_back({"queue-bypass", false, {}});
        if (s.fanout) options.push_back({"queue-cpu-fanout", false, {}});
    });
    set("NFLOG", [](const TargetSpec&, Options& options, const OptionContext&) {
        // libxt_NFLOG writes the group only when it is not 0.
        std::erase_if(options, [](const RuleOption& o) { return o.name == "nflog-group" && o.args == std::vector<std::string>{"0"}; });
    });
}

// AUDIT and IDLETIMER (libxt_AUDIT, libxt_IDLETIMER; the kernel's checkentry functions): effects
// outside the packet, in any table and hook.
void add_side_effect_targets(std::vector<TargetModuleDef>& t) {
    t.push_back({"AUDIT",
                 {{"type", "", 1, false, TAPPLY {
                       args[0] = lower(args[0]);
                       if (args[0] != "accept" && args[0] != "drop" && args[0] != "reject")
                           return "bad action type value \"" + args[0] + "\" (expected accept, drop or reject)";
                       return {};
                   }}},
                 [](const OptionContext&) -> TargetSpec { return SideEffectTarget{}; }});
    t.push_back({"IDLETIMER",
                 {{"timeout", "", 1, false, TAPPLY {
                       TSPEC(SideEffectTarget);
                       // xt_IDLETIMER: more than 0, less than INT_MAX / 1000 (the timer's milliseconds).
                       auto v = parse_uint(args[0], 0xffffffffu);
                       if (!v || *v == 0 || *v >= 2147483647u / 1000) return "expected a timeout of 1 to 2147482 seconds, got '" + args[0] + "'";
                       s.timeout = static_cast<std::uint32_t>(*v);
                       args[0] = std::to_string(s.timeout);
                       return {};
                   }},
                  {"label", "", 1, false, TAPPLY {
                       TSPEC(SideEffectTarget);
                       // libxt_IDLETIMER copies at most 27 characters (the kernel's label holds 28 with
                       // its end); the kernel refuses an empty one.
                       if (args[0].empty()) return "an IDLETIMER label may not be empty";
                       if (args[0].size() > 27) args[0].resize(27);
                       s.label = args[0];
                       return {};
                   }},
                  {"alarm", "", 0, false, TAPPLY { TSPEC(SideEffectTarget); s.alarm = true; return {}; }},
                  {"send_nl_msg", "", 0, false, TAPPLY { return {}; }}},
                 [](const OptionContext&) -> TargetSpec { SideEffectTarget e; e.kind = SideEffectTarget::Kind::idletimer; return e; }});
    // SECMARK and CONNSECMARK (libxt_SECMARK, libxt_CONNSECMARK; xt_SECMARK's and
    // xt_CONNSECMARK's checkentry: mangle or security only). The context is resolved by the
    // host's security module when the rule loads, which fwbench takes to accept it.
    t.push_back({"SECMARK",
                 {{"selctx", "", 1, false, TAPPLY {
                       // XTOPT_PUT into the 256-byte context: at most 255 characters.
                       if (args[0].size() > 255) return "a security context of at most 255 characters, got " + std::to_string(args[0].size());
                       return {};
                   }}},
                 [](const OptionContext&) -> TargetSpec { SideEffectTarget e; e.kind = SideEffectTarget::Kind::secmark; return e; }});
    t.back().table = "mangle security";
    t.push_back({"CONNSECMARK",
                 {{"save", "", 0, false, TAPPLY { return {}; }}, {"restore", "", 0, false, TAPPLY { return {}; }}},
                 [](const OptionContext&) -> TargetSpec { SideEffectTarget e; e.kind = SideEffectTarget::Kind::connsecmark; return e; }});
    t.back().table = "mangle security";
    // LED (libxt_LED; xt_LED fires the trigger "netfilter-ID" and continues): the id is at most 16
    // characters (its 27 bytes less the prefix), the delay milliseconds or "inf" (any word
    // starting so, any case).
    t.push_back({"LED",
                 {{"led-trigger-id", "", 1, false, TAPPLY {
                       TSPEC(SideEffectTarget);
                       if (args[0].size() > 16) return "a LED trigger id of at most 16 characters, got " + std::to_string(args[0].size());
                       s.label = args[0];
                       return {};
                   }},
                  {"led-delay", "", 1, false, TAPPLY {
                       TSPEC(SideEffectTarget);
                       if (lower(std::string_view(args[0]).substr(0, 3)) == "inf") {
                           s.timeout = 0xffffffffu;
                           return {};
                       }
                       const auto v = parse_uint(args[0], 0xffffffffu);
                       if (!v) return "Delay value must be within range 0..4294967295, got '" + args[0] + "'";
                       s.timeout = static_cast<std::uint32_t>(*v);
                       return {};
                   }},
                  {"led-always-blink", "", 0, false, TAPPLY { TSPEC(SideEffectTarget); s.alarm = true; return {}; }}},
                 [](const OptionContext&) -> TargetSpec { SideEffectTarget e; e.kind = SideEffectTarget::Kind::led; return e; }});
    t.back().rules.required = "led-trigger-id";
    t.back().save = [](const TargetSpec& spec_, std::vector<RuleOption>& options, const OptionContext&) {
        // LED_save: the delay unless 0, printed with %d from its 32 unsigned bits ("inf" as -1).
        const auto& s = std::get<SideEffectTarget>(spec_);
        options.clear();
        options.push_back({"led-trigger-id", false, {s.label}});
        if (s.timeout) options.push_back({"led-delay", false, {std::to_string(static_cast<std::int32_t>(s.timeout))}});
        if (s.alarm) options.push_back({"led-always-blink", false, {}});
    };
}

std::vector<TargetModuleDef> build_target_modules() {
    std::vector<TargetModuleDef> t;
    // Registered per family of targets; order does not matter (looked up by name).
    add_standard_targets(t);
    add_queue_and_reject_targets(t);
    add_logging_targets(t);
    add_mark_targets(t);
    add_nat_targets(t);
    add_conntrack_targets(t);
    add_header_rewriting_targets(t);
    add_rateest_target(t);
    add_side_effect_targets(t);
    add_hmark_target(t);
    add_npt_targets(t);
    add_tproxy_target(t);
    add_tee_target(t);
    add_synproxy_target(t);
    add_option_rules(t);
    add_save_forms(t);
    return t;
}

}  // namespace

const std::vector<TargetModuleDef>& target_modules() {
    static const std::vector<TargetModuleDef> modules = build_target_modules();
    return modules;
}

const TargetModuleDef* find_target_module(std::string_view name) {
    for (const auto& t : target_modules())
        if (t.name == name) return &t;
    return nullptr;
}

}  // namespace fwbench::detail
    // clang-format on
