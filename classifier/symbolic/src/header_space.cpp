#include "fwbench/header_space.hpp"

#include <algorithm>
#include <stdexcept>

namespace fwbench {
namespace {

constexpr const char* field_names[field_count] = {"in",   "out",    "ctstate", "ctsnat", "ctdnat",   "proto",    "fragment",
                                                  "dst",  "src",    "dport",   "sport",  "tcpflags", "icmptype", "icmpcode",
                                                  "mark", "ctmark", "tos",     "ttl",    "length",   "pkttype"};

int bits_for(std::size_t values) {
    int b = 1;
    while ((std::size_t{1} << b) < values) ++b;
    return b;
}

bool address_bit(const IpAddr& a, int i) { return (a.bytes[static_cast<std::size_t>(i / 8)] >> (7 - i % 8)) & 1; }
void set_address_bit(IpAddr& a, int i) { a.bytes[static_cast<std::size_t>(i / 8)] |= static_cast<std::uint8_t>(1u << (7 - i % 8)); }

// x <= hi and x >= lo over n variables from `first` (most significant first), built from the
// least significant bit up so each step is one node over the previous.
template <class Var, class LoBit, class HiBit>
bdd range_of(Var var, int n, LoBit lo_bit, HiBit hi_bit) {
    bdd le = bdd_true(), ge = bdd_true();
    for (int i = n - 1; i >= 0; --i) {
        bdd x = bdd_ithvar(var(i));
        le = hi_bit(i) ? (!x | le) : (!x & le);
        ge = lo_bit(i) ? (x & ge) : (x | ge);
    }
    return le & ge;
}

// Walks a cube (a single path of a BDD): each variable it fixes, with its value.
std::vector<std::pair<int, bool>> cube_literals(const bdd& cube) {
    std::vector<std::pair<int, bool>> out;
    bdd n = cube;
    while (n != bdd_true() && n != bdd_false()) {
        int v = bdd_var(n);
        bdd lo = bdd_low(n);
        if (lo == bdd_false()) {
            out.emplace_back(v, true);
            n = bdd_high(n);
        } else {
            out.emplace_back(v, false);
            n = lo;
        }
    }
    return out;
}

}  // namespace

const char* field_name(Field f) { return field_names[static_cast<int>(f)]; }

HeaderSpace::HeaderSpace(BddSession& session, Family family, const std::vector<std::string>& host_devices, const std::vector<IfacePattern>& patterns)
    : session_(session), family_(family) {
    auto have = [&](const std::string& n) { return std::find(witnesses_.begin(), witnesses_.end(), n) != witnesses_.end(); };
    witnesses_.push_back("");
    for (const auto& d : host_devices)
        if (!have(d)) witnesses_.push_back(d);
    host_witnesses_ = witnesses_.size();
    for (const auto& p : patterns)
        if (!p.wildcard && !p.name.empty() && !have(p.name)) witnesses_.push_back(p.name);
    std::vector<std::string> wildcards;
    for (const auto& p : patterns)
        if (p.wildcard && std::find(wildcards.begin(), wildcards.end(), p.name) == wildcards.end()) wildcards.push_back(p.name);
    std::sort(wildcards.begin(), wildcards.end());
    auto prefixed_by_longer = [&](const std::string& name, std::size_t than) {
        for (const auto& w : wildcards)
            if (w.size() > than && name.compare(0, w.size(), w) == 0) return true;
        return false;
    };
    for (const auto& w : wildcards) {
        // A name a device could have: the prefix and the first number that is no one's.
        std::string name;
        for (int n = 0; name.empty() || have(name) || prefixed_by_longer(name, w.size()); ++n) name = w + std::to_string(n);
        wildcard_witnesses_.emplace_back(w, witnesses_.size());
        witnesses_.push_back(name);
    }
    std::string other;
    for (int n = 0; other.empty() || have(other) || prefixed_by_longer(other, 0); ++n) other = "other" + std::to_string(n);
    bool all_wild = std::find(wildcards.begin(), wildcards.end(), std::string()) != wildcards.end();
    if (!all_wild) {
        other_witness_ = witnesses_.size();
        witnesses_.push_back(other);
    }

    const int addr = address_bits(family);
    const int iface_bits = bits_for(witnesses_.size());
    const int widths[field_count] = {iface_bits, iface_bits, 3, 1, 1, 8, 1, addr, addr, 16, 16, 8, 8, 8, 32, 32, 8, 8, 16, 2};
    // The variable order, which BDD sizes depend on: the enum's. Measured on 5,000-rule ClassBench
    // layouts (docs/compare.md), ports before addresses made fw1 faster and ipc1 slower.
    std::vector<int> order;
    for (int f = 0; f < field_count; ++f) order.push_back(f);
    // The mark and the connection mark interleave bit by bit: CONNMARK --save-mark and
    // --restore-mark make one a function of the other, and "mark != ctmark" is then a BDD of 32
    // nodes per bit rather than one that spells out every 32-bit value.
    int next = 0;
    for (int f : order) {
        const Field field = static_cast<Field>(f);
        auto& vars = vars_[static_cast<std::size_t>(f)];
        bits_[static_cast<std::size_t>(f)] = widths[f];
        if (field == Field::ctmark) continue;  // placed with the mark
        for (int i = 0; i < widths[f]; ++i) {
            vars.push_back(next++);
            if (field == Field::mark) vars_[static_cast<std::size_t>(Field::ctmark)].push_back(next++);
        }
    }
    if (session_.variables() < next) session_.extend(next - session_.variables());
}

HeaderSpace HeaderSpace::for_rulesets(BddSession& session, Family family, const Host* host, std::initializer_list<const Ruleset*> rulesets) {
    std::vector<std::string> devices;
    if (host)
        for (const auto& itf : host->interfaces()) devices.push_back(itf.name);
    std::vector<IfacePattern> patterns;
    for (const Ruleset* rs : rulesets)
        for (const auto& t : rs->tables)
            for (const auto& c : t.chains)
                for (const auto& r : c.rules) {
                    if (r.ip.in) patterns.push_back(r.ip.in->value);
                    if (r.ip.out) patterns.push_back(r.ip.out->value);
                }
    return HeaderSpace(session, family, devices, patterns);
}

bdd HeaderSpace::bit(Field f, int i) const { return bdd_ithvar(var(f, i)); }

bdd HeaderSpace::equals(Field f, std::uint64_t value) const { return masked(f, value, ~std::uint64_t{0}); }

bdd HeaderSpace::masked(Field f, std::uint64_t want, std::uint64_t mask) const {
    const int n = bits(f);
    bdd r = bdd_true();
    for (int i = n - 1; i >= 0; --i) {
        const int shift = n - 1 - i;
        if (!((mask >> shift) & 1)) continue;
        r &= ((want >> shift) & 1) ? bdd_ithvar(var(f, i)) : bdd_nithvar(var(f, i));
    }
    return r;
}

bdd HeaderSpace::in_range(Field f, std::uint64_t lo, std::uint64_t hi) const {
    const int n = bits(f);
    if (lo > hi) return bdd_false();
    return range_of([&](int i) { return var(f, i); }, n, [&](int i) { return (lo >> (n - 1 - i)) & 1; },
                    [&](int i) { return (hi >> (n - 1 - i)) & 1; });
}

bdd HeaderSpace::prefix(Field f, const IpPrefix& p) const {
    if (p.addr.family != family_) return bdd_false();
    bdd r = bdd_true();
    for (int i = bits(f) - 1; i >= 0; --i) {
        if (!address_bit(p.mask, i)) continue;
        r &= address_bit(p.addr, i) ? bdd_ithvar(var(f, i)) : bdd_nithvar(var(f, i));
    }
    return r;
}

bdd HeaderSpace::address_range(Field f, const IpAddr& lo, const IpAddr& hi) const {
    if (lo.family != family_ || hi.family != family_ || hi < lo) return bdd_false();
    return range_of([&](int i) { return var(f, i); }, bits(f), [&](int i) { return address_bit(lo, i); }, [&](int i) { return address_bit(hi, i); });
}

std::string HeaderSpace::interface_meaning(std::size_t w) const {
    if (w == 0) return "(none): no device";
    if (w < host_witnesses_) return witnesses_[w] + ": the host's";
    if (w == other_witness_ && w != 0) return witnesses_[w] + ": any device no rule names";
    for (const auto& [prefix, index] : wildcard_witnesses_)
        if (index == w) return witnesses_[w] + ": any " + prefix + "+ device no rule names";
    return witnesses_[w] + ": named by a rule, not the host's";
}

bdd HeaderSpace::interface_matches(Field f, const IfacePattern& p) const {
    bdd r = bdd_false();
    for (std::size_t w = 0; w < witnesses_.size(); ++w)
        if (p.matches(witnesses_[w])) r |= equals(f, w);
    return r;
}

bdd HeaderSpace::interface_is(Field f, std::string_view name) const {
    for (std::size_t w = 0; w < witnesses_.size(); ++w)
        if (witnesses_[w] == name) return equals(f, w);
    return bdd_false();
}

bdd HeaderSpace::atom(const std::string& key) {
    auto it = atom_index_.find(key);
    if (it != atom_index_.end()) return bdd_ithvar(atom_vars_[it->second]);
    atom_index_.emplace(key, atom_keys_.size());
    atom_keys_.push_back(key);
    atom_vars_.push_back(session_.extend(1));
    return bdd_ithvar(atom_vars_.back());
}

bdd HeaderSpace::valid() const {
    const bdd has_entry = in_range(Field::ct_state, 1, 3);
    return in_range(Field::in_iface, 0, witnesses_.size() - 1) & in_range(Field::out_iface, 0, witnesses_.size() - 1) &
           in_range(Field::ct_state, 0, 4) & (has_entry | !(bit(Field::ct_snat, 0) | bit(Field::ct_dnat, 0)));
}

Assignment HeaderSpace::pick(const bdd& region) const {
    if (region == bdd_false()) throw std::logic_error("HeaderSpace::pick: empty region");
    std::vector<signed char> fixed(static_cast<std::size_t>(session_.variables()), -1);
    for (const auto& [v, value] : cube_literals(bdd_satone(region))) fixed[static_cast<std::size_t>(v)] = value ? 1 : 0;
    // Free bits take a readable value's bits: any choice satisfies a cube.
    auto preferred = [](Field f) -> std::uint64_t {
        switch (f) {
            case Field::sport: return 40000;
            case Field::dport: return 80;
            case Field::ttl: return 64;
            case Field::length: return 60;
            case Field::ct_state: return 1;
            default: return 0;
        }
    };
    Assignment a;
    for (int f = 0; f < field_count; ++f) {
        const Field field = static_cast<Field>(f);
        const int n = bits(field);
        FieldValue& out = a.fields[static_cast<std::size_t>(f)];
        out.addr.family = family_;
        const std::uint64_t pref = preferred(field);
        for (int i = 0; i < n; ++i) {
            signed char v = fixed[static_cast<std::size_t>(var(field, i))];
            bool one = v >= 0 ? v == 1 : (n <= 64 && ((pref >> (n - 1 - i)) & 1));
            if (!one) continue;
            if (field == Field::src || field == Field::dst) set_address_bit(out.addr, i);
            else out.number |= std::uint64_t{1} << (n - 1 - i);
        }
    }
    a.atoms.resize(atom_vars_.size());
    for (std::size_t i = 0; i < atom_vars_.size(); ++i) a.atoms[i] = fixed[static_cast<std::size_t>(atom_vars_[i])] == 1;
    return a;
}

Assignment HeaderSpace::pick_typical(const bdd& region, const std::vector<IpAddr>& local, bool to_host) const {
    bdd r = region;
    auto prefer = [&](const bdd& c) {
        bdd narrowed = r & c;
        if (narrowed != bdd_false()) r = narrowed;
    };
    auto prefer_one_of = [&](Field f, const std::vector<IpAddr>& candidates) {
        for (const auto& a : candidates) {
            bdd narrowed = r & address(f, a);
            if (narrowed == bdd_false()) continue;
            r = narrowed;
            return;
        }
    };
    prefer(equals(Field::ct_state, static_cast<std::uint64_t>(CtState::new_)));
    prefer(!(bit(Field::ct_snat, 0) | bit(Field::ct_dnat, 0)));
    prefer(equals(Field::proto, proto::tcp) | equals(Field::proto, proto::udp) |
           equals(Field::proto, family_ == Family::ipv4 ? proto::icmp : proto::icmpv6));
    prefer(equals(Field::proto, proto::tcp));
    prefer(equals(Field::proto, proto::udp));
    prefer(equals(Field::tcp_flags, tcp_flag::syn));
    prefer(!bit(Field::fragment, 0));
    prefer(equals(Field::mark, 0));
    prefer(equals(Field::ctmark, 0));
    prefer(equals(Field::tos, 0));
    prefer(equals(Field::pkttype, 0));
    prefer(equals(Field::ttl, 64));
    prefer(equals(Field::length, 60));
    const IpAddr doc = *parse_ip(family_ == Family::ipv4 ? "198.51.100.7" : "2001:db8:ffff::7", family_);
    const IpAddr doc_dst = *parse_ip(family_ == Family::ipv4 ? "192.0.2.10" : "2001:db8::10", family_);
    // Devices: a real one rather than lo, and not the one it came in by.
    const bdd lo_in = interface_is(Field::in_iface, "lo"), lo_out = interface_is(Field::out_iface, "lo");
    prefer(!lo_in);
    prefer(!lo_out);
    for (std::size_t w = 1; w < witnesses_.size(); ++w) prefer(!(equals(Field::in_iface, w) & equals(Field::out_iface, w)));
    std::vector<IpAddr> own;
    for (const auto& a : local)
        if (a.family == family_ && !(family_ == Family::ipv4 ? (a.v4_host() >> 24) == 127 : v6::is_loopback(a))) own.push_back(a);
    std::vector<IpAddr> destinations = own;
    if (to_host) destinations.push_back(doc_dst);
    else destinations.insert(destinations.begin(), doc_dst);
    prefer_one_of(Field::dst, destinations);
    // Sources: documentation addresses, but not the destination now fixed; on lo, the host's own
    // addresses first (a packet there comes from the host itself).
    std::vector<IpAddr> sources{doc};
    if (family_ == Family::ipv4)
        for (const char* text : {"203.0.113.77", "192.0.2.77"}) sources.push_back(*parse_ip(text, family_));
    else sources.push_back(*parse_ip("2001:db8:fffe::7", family_));
    std::erase_if(sources, [&](const IpAddr& a) { return (r & !address(Field::dst, a)) == bdd_false(); });
    if (bdd lo = r & interface_is(Field::in_iface, "lo"); lo == r) sources.insert(sources.begin(), own.begin(), own.end());
    else sources.insert(sources.end(), own.begin(), own.end());
    prefer_one_of(Field::src, sources);
    prefer(equals(Field::dport, 22));
    prefer(equals(Field::sport, 40000));
    return pick(r);
}

bdd HeaderSpace::widen(const Assignment& a, const bdd& region, const bdd& domain) const {
    // Per field, the literals of the packet's value, most significant first; `kept[f]` of them stay.
    std::array<std::vector<bdd>, field_count> lits;
    std::array<std::size_t, field_count> kept{};
    for (int f = 0; f < field_count; ++f) {
        const Field field = static_cast<Field>(f);
        const FieldValue& v = a.fields[static_cast<std::size_t>(f)];
        for (int i = 0; i < bits(field); ++i) {
            const bool one = field == Field::src || field == Field::dst ? address_bit(v.addr, i) : ((v.number >> (bits(field) - 1 - i)) & 1);
            lits[static_cast<std::size_t>(f)].push_back(one ? bit(field, i) : !bit(field, i));
        }
        kept[static_cast<std::size_t>(f)] = lits[static_cast<std::size_t>(f)].size();
    }
    std::vector<bdd> atoms;
    for (std::size_t i = 0; i < atom_vars_.size(); ++i)
        atoms.push_back(i < a.atoms.size() && a.atoms[i] ? bdd_ithvar(atom_vars_[i]) : bdd_nithvar(atom_vars_[i]));
    std::vector<bool> atom_kept(atoms.size(), true);
    auto build = [&] {
        bdd c = bdd_true();
        for (std::size_t f = 0; f < field_count; ++f)
            for (std::size_t i = 0; i < kept[f]; ++i) c &= lits[f][i];
        for (std::size_t i = 0; i < atoms.size(); ++i)
            if (atom_kept[i]) c &= atoms[i];
        return c;
    };
    const bdd outside = domain & !region;
    auto inside = [&] { return (build() & outside) == bdd_false(); };
    if (!inside()) throw std::logic_error("HeaderSpace::widen: the packet is not in the region");
    for (std::size_t f = 0; f < field_count; ++f) {
        const std::size_t all = kept[f];
        kept[f] = 0;
        if (inside()) continue;
        kept[f] = all;
        // Interface indices and enums have no order worth widening: a field stays whole.
        const Field field = static_cast<Field>(f);
        if (field == Field::in_iface || field == Field::out_iface || field == Field::ct_state || field == Field::pkttype) continue;
        // Widen from the low bits: the shortest prefix of the value that stays inside.
        std::size_t lo = 0, hi = all;  // inside with `hi` bits kept
        while (lo + 1 < hi) {
            kept[f] = (lo + hi) / 2;
            if (inside()) hi = kept[f];
            else lo = kept[f];
        }
        kept[f] = hi;
    }
    for (std::size_t i = 0; i < atoms.size(); ++i) {
        atom_kept[i] = false;
        if (!inside()) atom_kept[i] = true;
    }
    return build();
}

bdd HeaderSpace::cube(const Assignment& a) const {
    bdd r = bdd_true();
    for (int f = 0; f < field_count; ++f) {
        const Field field = static_cast<Field>(f);
        if (field == Field::src || field == Field::dst) r &= address(field, a.fields[static_cast<std::size_t>(f)].addr);
        else r &= equals(field, a.fields[static_cast<std::size_t>(f)].number);
    }
    for (std::size_t i = 0; i < atom_vars_.size(); ++i)
        r &= i < a.atoms.size() && a.atoms[i] ? bdd_ithvar(atom_vars_[i]) : bdd_nithvar(atom_vars_[i]);
    return r;
}

Packet HeaderSpace::packet_of(const Assignment& a) const {
    Packet p;
    p.family = family_;
    p.src = a.fields[static_cast<int>(Field::src)].addr;
    p.dst = a.fields[static_cast<int>(Field::dst)].addr;
    p.proto = static_cast<std::uint8_t>(a.number(Field::proto));
    p.fragment = a.number(Field::fragment) != 0;
    if (p.fragment) p.frag_offset = 8;
    p.sport = static_cast<std::uint16_t>(a.number(Field::sport));
    p.dport = static_cast<std::uint16_t>(a.number(Field::dport));
    p.tcp_flags = static_cast<std::uint8_t>(a.number(Field::tcp_flags));
    p.icmp_type = static_cast<std::uint8_t>(a.number(Field::icmp_type));
    p.icmp_code = static_cast<std::uint8_t>(a.number(Field::icmp_code));
    p.mark = static_cast<std::uint32_t>(a.number(Field::mark));
    p.tos = static_cast<std::uint8_t>(a.number(Field::tos));
    p.ttl = static_cast<std::uint8_t>(a.number(Field::ttl));
    p.length = static_cast<std::uint32_t>(a.number(Field::length));
    p.pkttype = static_cast<PktType>(a.number(Field::pkttype));
    p.ip_header_len = family_ == Family::ipv4 ? 20 : 40;
    auto name = [&](Field f) {
        std::size_t w = a.number(f);
        return w < witnesses_.size() ? witnesses_[w] : std::string();
    };
    p.in = IfaceName(name(Field::in_iface));
    p.out = IfaceName(name(Field::out_iface));
    p.ct.state = static_cast<CtState>(std::min<std::uint64_t>(a.number(Field::ct_state), 4));
    p.ct.l4proto = p.proto;
    p.ct.mark = static_cast<std::uint32_t>(a.number(Field::ctmark));
    if (p.ct.has_entry()) {
        if (a.number(Field::ct_snat)) p.ct.status |= ct_status::src_nat;
        if (a.number(Field::ct_dnat)) p.ct.status |= ct_status::dst_nat;
    }
    return p;
}

Assignment HeaderSpace::assignment_of(const Packet& p) const {
    Assignment a;
    auto set = [&](Field f, std::uint64_t v) { a.fields[static_cast<int>(f)].number = v; };
    auto witness = [&](std::string_view name) -> std::uint64_t {
        for (std::size_t w = 0; w < witnesses_.size(); ++w)
            if (witnesses_[w] == name) return w;
        // Not a witness itself: the witness of the longest wildcard it starts with, else "other".
        std::size_t best = other_witness_, best_len = 0;
        for (const auto& [prefix, w] : wildcard_witnesses_)
            if (name.substr(0, prefix.size()) == prefix && (best == other_witness_ || prefix.size() >= best_len)) {
                best = w;
                best_len = prefix.size();
            }
        return best;
    };
    set(Field::in_iface, witness(p.in.view()));
    set(Field::out_iface, witness(p.out.view()));
    set(Field::ct_state, static_cast<std::uint64_t>(p.ct.state));
    set(Field::ct_snat, p.ct.has_entry() && (p.ct.status & ct_status::src_nat));
    set(Field::ct_dnat, p.ct.has_entry() && (p.ct.status & ct_status::dst_nat));
    set(Field::proto, p.proto);
    set(Field::fragment, p.fragment);
    a.fields[static_cast<int>(Field::dst)].addr = p.dst;
    a.fields[static_cast<int>(Field::src)].addr = p.src;
    set(Field::dport, p.dport);
    set(Field::sport, p.sport);
    set(Field::tcp_flags, p.tcp_flags);
    set(Field::icmp_type, p.icmp_type);
    set(Field::icmp_code, p.icmp_code);
    set(Field::mark, p.mark);
    set(Field::ctmark, p.ct.mark);
    set(Field::tos, p.tos);
    set(Field::ttl, p.ttl);
    set(Field::length, std::min<std::uint32_t>(p.length, 0xffff));
    set(Field::pkttype, p.pkttype == PktType::outgoing ? 0 : static_cast<std::uint64_t>(p.pkttype));
    a.atoms.assign(atom_vars_.size(), false);
    return a;
}

std::string HeaderSpace::describe_cube(const bdd& c) const {
    std::vector<signed char> fixed(static_cast<std::size_t>(session_.variables()), -1);
    for (const auto& [v, value] : cube_literals(c)) fixed[static_cast<std::size_t>(v)] = value ? 1 : 0;
    std::string out;
    auto add = [&](const std::string& s) {
        if (!out.empty()) out += ' ';
        out += s;
    };
    for (int f = 0; f < field_count; ++f) {
        const Field field = static_cast<Field>(f);
        const int n = bits(field);
        int count = 0;
        for (int i = 0; i < n; ++i) count += fixed[static_cast<std::size_t>(var(field, i))] >= 0;
        if (count == 0) continue;
        if (field == Field::src || field == Field::dst) {
            IpAddr value, mask;
            value.family = mask.family = family_;
            for (int i = 0; i < n; ++i) {
                signed char v = fixed[static_cast<std::size_t>(var(field, i))];
                if (v < 0) continue;
                set_address_bit(mask, i);
                if (v == 1) set_address_bit(value, i);
            }
            add(std::string(field_name(field)) + ' ' + format_prefix(IpPrefix{value, mask}));
            continue;
        }
        std::uint64_t value = 0, mask = 0;
        for (int i = 0; i < n; ++i) {
            signed char v = fixed[static_cast<std::size_t>(var(field, i))];
            if (v < 0) continue;
            mask |= std::uint64_t{1} << (n - 1 - i);
            if (v == 1) value |= std::uint64_t{1} << (n - 1 - i);
        }
        const std::uint64_t full = n == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1;
        if (field == Field::in_iface || field == Field::out_iface) {
            std::string names;
            for (std::size_t w = 0; w < witnesses_.size(); ++w)
                if ((w & mask) == value) {
                    if (!names.empty()) names += '|';
                    names += witnesses_[w].empty() ? std::string("(none)") : witnesses_[w];
                }
            add(std::string(field_name(field)) + ' ' + names);
        } else if (field == Field::ct_state) {
            static const char* states[] = {"INVALID", "NEW", "ESTABLISHED", "RELATED", "UNTRACKED"};
            std::string names;
            for (std::uint64_t s = 0; s < 5; ++s)
                if ((s & mask) == value) {
                    if (!names.empty()) names += '|';
                    names += states[s];
                }
            add("ctstate " + names);
        } else if (mask == full) {
            add(std::string(field_name(field)) + ' ' +
                (field == Field::proto ? format_protocol(static_cast<std::uint8_t>(value)) : std::to_string(value)));
        } else {
            char buf[48];
            std::snprintf(buf, sizeof buf, "0x%llx/0x%llx", static_cast<unsigned long long>(value), static_cast<unsigned long long>(mask));
            add(std::string(field_name(field)) + ' ' + buf);
        }
    }
    for (std::size_t i = 0; i < atom_vars_.size(); ++i) {
        signed char v = fixed[static_cast<std::size_t>(atom_vars_[i])];
        if (v < 0) continue;
        std::string text = v ? "[" : "not [";
        text += atom_keys_[i];
        text += ']';
        add(text);
    }
    return out.empty() ? "every packet" : out;
}

}  // namespace fwbench
