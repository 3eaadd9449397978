#pragma once
// HeaderSpace: the packets a hook can see, as BDD variables — the ground the symbolic analysis
// (hook_decision.hpp) stands on.
//
// What: every field a stateless rule can test gets a block of variables, most significant bit
// first: the input and output interface (an index into the interface witnesses, below),
// conntrack's state and its SNAT/DNAT status bits, the protocol, the non-first-fragment flag,
// destination and source address, ports, TCP flags, ICMP type and code, the packet mark and the
// connection mark, TOS, TTL, length and pkttype. Matches fwbench does not model bit for bit get
// an "atom": one free variable per distinct match text, shared by both layouts (atom()).
//
// Interfaces: names matter to rules only through -i/-o patterns, so a finite set of witness
// names stands for every name: "" (no device: OUTPUT's input, INPUT's output), the host's
// devices, every exact name a rule uses, one name beyond each wildcard pattern ("eth+" gives
// "eth0", or the first free number: an "eth" device no rule names), and one name no pattern
// matches ("other0"). Two names with the
// same witness are matched alike by every rule of both layouts.
//
// Variables go field by field in the enum's order, most significant bit first, but for the mark and
// the connection mark, which interleave bit by bit (CONNMARK copies one to the other).
// Invariants: the layout is fixed at construction (atoms are appended after the fields); a
// Packet round-trips through assignment_of / packet_of for every modelled field.
// Costs: IPv4 about 290 variables, IPv6 about 480, plus the interface bits and atoms.

#include <bdd.h>

#include <array>
#include <initializer_list>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "fwbench/bdd_session.hpp"
#include "fwbench/host.hpp"
#include "fwbench/packet.hpp"
#include "fwbench/ruleset.hpp"

namespace fwbench {

enum class Field : std::uint8_t {
    in_iface,
    out_iface,
    ct_state,  // CtState's value: invalid 0, new 1, established 2, related 3, untracked 4
    ct_snat,
    ct_dnat,
    proto,
    fragment,
    dst,
    src,
    dport,
    sport,
    tcp_flags,
    icmp_type,
    icmp_code,
    mark,
    ctmark,
    tos,
    ttl,
    length,
    pkttype,  // PktType host 0, broadcast 1, multicast 2, otherhost 3
};
constexpr int field_count = 20;
const char* field_name(Field f);

// A field's value, wide enough for an IPv6 address (bytes, most significant first); fields of up
// to 64 bits use `number`.
struct FieldValue {
    std::uint64_t number = 0;
    IpAddr addr;
};

// One packet as the variables see it: a value per field, and each atom's truth.
struct Assignment {
    std::array<FieldValue, field_count> fields{};
    std::vector<bool> atoms;
    std::uint64_t number(Field f) const { return fields[static_cast<int>(f)].number; }
};

class HeaderSpace {
public:
    // Interfaces: the host's devices and every name the rulesets' patterns use.
    HeaderSpace(BddSession& session, Family family, const std::vector<std::string>& host_devices, const std::vector<IfacePattern>& patterns);
    // The space for these rulesets on this host (may be null): its devices, their rules' -i/-o.
    static HeaderSpace for_rulesets(BddSession& session, Family family, const Host* host, std::initializer_list<const Ruleset*> rulesets);

    Family family() const { return family_; }
    // The BDD variable of bit i (0 = most significant) of field f.
    int var(Field f, int i) const { return vars_[static_cast<std::size_t>(f)][static_cast<std::size_t>(i)]; }
    int bits(Field f) const { return bits_[static_cast<int>(f)]; }

    // The variable of bit `i` (0 = most significant) of field f, as a BDD.
    bdd bit(Field f, int i) const;
    bdd equals(Field f, std::uint64_t value) const;
    bdd in_range(Field f, std::uint64_t lo, std::uint64_t hi) const;
    // (value & mask) == want, for fields of up to 64 bits.
    bdd masked(Field f, std::uint64_t want, std::uint64_t mask) const;
    // Addresses (Field::src or Field::dst): a masked prefix (any mask), an inclusive range.
    bdd prefix(Field f, const IpPrefix& p) const;
    bdd address_range(Field f, const IpAddr& lo, const IpAddr& hi) const;
    bdd address(Field f, const IpAddr& a) const { return prefix(f, IpPrefix{a, prefix_mask(family_, address_bits(family_))}); }

    // Interfaces: the witnesses, "" first; the input or output interface matching a pattern.
    const std::vector<std::string>& interfaces() const { return witnesses_; }
    // True when the witness stands for names the host does not have (rules' names, "any other").
    bool interface_is_hosts(std::size_t witness) const { return witness < host_witnesses_; }
    // What a witness stands for: "lan0: the host's", "eth0: any eth+ device no rule names", ...
    std::string interface_meaning(std::size_t witness) const;
    bdd interface_matches(Field f, const IfacePattern& p) const;
    bdd interface_is(Field f, std::string_view name) const;

    // An atom: a free variable standing for a match fwbench does not model bit for bit, one per
    // distinct key (the match as iptables-save writes it). Created on first use.
    bdd atom(const std::string& key);
    const std::vector<std::string>& atom_keys() const { return atom_keys_; }

    // Every value each field may take (interface indices, ct state and pkttype within their
    // enums, SNAT/DNAT status only on a connection), for every hook.
    bdd valid() const;

    // A satisfying assignment of `region` (nonempty), free bits chosen low but for the choices
    // that make a readable packet (a port-carrying protocol's ports, TTL 64).
    Assignment pick(const bdd& region) const;
    // A packet of `region` a person would recognise: constraints added one at a time while the
    // region keeps a packet — a NEW TCP SYN, no marks, from a documentation address or (on lo)
    // one of `local`, to one of `local`, port 22 — then pick() fills the rest.
    // `to_host`: the hook sees packets for the host (PREROUTING, INPUT, OUTPUT), so the
    // destination is one of `local` by preference, else a documentation address.
    Assignment pick_typical(const bdd& region, const std::vector<IpAddr>& local, bool to_host) const;
    // The widest cube around one packet of `region` that stays inside it, field by field: a field
    // dropped when any value of it stays inside, else widened from its low bits (an address to
    // its shortest prefix). A readable piece of the region that contains the example.
    // Only packets of `domain` count (the hook's: its devices, valid states).
    bdd widen(const Assignment& a, const bdd& region, const bdd& domain) const;
    // The single assignment as a conjunction of all variables (for membership tests).
    bdd cube(const Assignment& a) const;
    // A packet of this family at `hook` with the assignment's headers and metadata.
    Packet packet_of(const Assignment& a) const;
    Assignment assignment_of(const Packet& p) const;
    // The region as readable constraints, one per field it fixes ("dst 203.0.113.1/32").
    std::string describe_cube(const bdd& cube) const;

private:
    BddSession& session_;
    Family family_;
    std::array<std::vector<int>, field_count> vars_;
    std::array<int, field_count> bits_{};
    std::vector<std::string> witnesses_;
    std::size_t host_witnesses_ = 0;
    std::vector<std::pair<std::string, std::size_t>> wildcard_witnesses_;  // pattern prefix, its witness
    std::size_t other_witness_ = 0;  // the name no pattern matches (absent under "-i +": "" stands in)
    std::vector<std::string> atom_keys_;
    std::vector<int> atom_vars_;
    std::map<std::string, std::size_t, std::less<>> atom_index_;
};

}  // namespace fwbench
