#pragma once
// ipset contents, read from the output of `ipset save`, for `-m set --match-set NAME FLAGS`.
//
// Supported set types: hash:ip, hash:net, hash:ip,port, hash:net,port, hash:ip,port,ip,
// hash:ip,port,net, hash:net,net, hash:net,port,net, hash:net,iface, hash:mac, hash:ip,mac,
// bitmap:ip, bitmap:port, bitmap:ip,mac, list:set. Membership is tested the way the kernel does:
// each dimension read from the packet's source or destination according to the match flags;
// hash:net* entries marked `nomatch` exclude what they cover (longest prefix decides).
// A reference structure: linear over entries, clear rather than fast.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fwbench/addr.hpp"
#include "fwbench/packet.hpp"

namespace fwbench {

struct IpsetEntry {
    // One value per dimension of the set type, in the type's order.
    struct Dim {
        enum class Kind : std::uint8_t { net, port, mac, iface, setname } kind = Kind::net;
        IpPrefix net;  // net and ip (ip = full-length prefix)
        IpAddr range_hi;  // for ip ranges a-b in bitmap/hash:ip (inclusive)
        bool is_range = false;
        std::uint8_t proto = 0;  // port: protocol (tcp unless given)
        std::uint16_t port_lo = 0, port_hi = 0;
        MacAddr mac;
        std::string name;  // iface or set name
    };
    std::vector<Dim> dims;
    bool nomatch = false;
};

struct Ipset {
    std::string name;
    std::string type;  // "hash:ip", ...
    Family family = Family::ipv4;
    std::vector<IpsetEntry::Dim::Kind> dims;
    std::vector<IpsetEntry> entries;
};

class IpsetRegistry {
public:
    // Parses `ipset save` output; throws ParseError.
    static IpsetRegistry parse(std::string_view text, const std::string& source);

    const Ipset* find(std::string_view name) const;
    void add(Ipset set);
    bool empty() const { return sets_.empty(); }

    // Whether the packet is in the set, reading dimension i from the source when src_dirs[i].
    // Returns nullopt-like false for unknown sets (the parser rejects those up front).
    bool contains(std::string_view name, const Packet& p, const std::vector<bool>& src_dirs, bool return_nomatch, int depth = 0) const;

private:
    std::map<std::string, Ipset, std::less<>> sets_;
};

}  // namespace fwbench
