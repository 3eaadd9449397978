#include "random_cases.hpp"

#include <algorithm>
#include <random>
#include <sstream>

#include "fwbench/addr.hpp"
#include "fwbench/packet_description.hpp"
#include "path_cases6.hpp"
#include "path_fixtures.hpp"

namespace fwbench::test {

namespace {

class Gen {
public:
    explicit Gen(std::uint64_t seed)
        : rng_(seed),
          later_(seed ^ 0x9e3779b97f4a7c15ull),
          newer_(seed ^ 0xc2b2ae3d27d4eb4full),
          newest_(seed ^ 0x165667b19e3779f9ull),
          latest_(seed ^ 0x27d4eb2f165667c5ull),
          ext_(seed ^ 0x85ebca77c2b2ae63ull),
          rate_(seed ^ 0xd6e8feb86659fd93ull) {}
    std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(rng_() % n); }
    bool chance(int percent) { return below(100) < static_cast<std::uint32_t>(percent); }
    // A second stream for what the generator learned later (issue 18's modules): every case's
    // earlier draws, and so its rules and traffic, stay what they were.
    std::uint32_t later_below(std::uint32_t n) { return static_cast<std::uint32_t>(later_() % n); }
    bool later_chance(int percent) { return later_below(100) < static_cast<std::uint32_t>(percent); }
    // A third, for the modules of issue 18's later stops (connlabel, connbytes, cluster, HMARK):
    // the first two streams' draws stay what they were.
    // Off: none of them (the cases the proof models, make_modelled_random_case).
    bool newer_modules = true;
    std::uint32_t newer_below(std::uint32_t n) { return static_cast<std::uint32_t>(newer_() % n); }
    bool newer_chance(int percent) { return newer_modules && newer_below(100) < static_cast<std::uint32_t>(percent); }
    template <class T>
    const T& newer_pick(const std::vector<T>& v) {
        return v[newer_below(static_cast<std::uint32_t>(v.size()))];
    }
    // A fourth, for TPROXY (off with the third's modules): the first three streams' draws stay
    // what they were.
    std::uint32_t newest_below(std::uint32_t n) { return static_cast<std::uint32_t>(newest_() % n); }
    bool newest_chance(int percent) { return newer_modules && newest_below(100) < static_cast<std::uint32_t>(percent); }
    // A fifth, for issue 18's last modules (string, u32, bpf, time, helper, srh, quota, tcpmss,
    // SYNPROXY, CONNSECMARK, esp, ah, ipcomp), the payloads and the IPsec packets (off with the
    // third's modules): the first four streams' draws stay what they were.
    std::uint32_t latest_below(std::uint32_t n) { return static_cast<std::uint32_t>(latest_() % n); }
    bool latest_chance(int percent) { return newer_modules && latest_below(100) < static_cast<std::uint32_t>(percent); }
    template <class T>
    const T& latest_pick(const std::vector<T>& v) {
        return v[latest_below(static_cast<std::uint32_t>(v.size()))];
    }
    // A sixth, for IPv6's extension headers (the traffic's and the matches reading them: hbh, dst,
    // ipv6header, frag, rt, mh, eui64; off with the third's modules): the first five streams'
    // draws stay what they were.
    std::uint32_t ext_below(std::uint32_t n) { return static_cast<std::uint32_t>(ext_() % n); }
    bool ext_chance(int percent) { return newer_modules && ext_below(100) < static_cast<std::uint32_t>(percent); }
    template <class T>
    const T& ext_pick(const std::vector<T>& v) {
        return v[ext_below(static_cast<std::uint32_t>(v.size()))];
    }
    // A seventh, for limit and hashlimit at rates an unpaced replay cannot refill (per hour, per
    // minute): their bursts decide (off with the third's modules); the first six streams' draws stay.
    std::uint32_t rate_below(std::uint32_t n) { return static_cast<std::uint32_t>(rate_() % n); }
    bool rate_chance(int percent) { return newer_modules && rate_below(100) < static_cast<std::uint32_t>(percent); }
    template <class T>
    const T& rate_pick(const std::vector<T>& v) {
        return v[rate_below(static_cast<std::uint32_t>(v.size()))];
    }
    int next_table_name = 0;  // hashlimit's tables, one per rule
    template <class T>
    const T& pick(const std::vector<T>& v) {
        return v[below(static_cast<std::uint32_t>(v.size()))];
    }

private:
    std::mt19937_64 rng_, later_, newer_, newest_, latest_, ext_, rate_;
};

// What the families' cases say differently: the router's addresses and those around it, and
// the words ip6tables uses for ICMP, the hop limit, address types, REJECT's answers and NAT.
struct Vocabulary {
    Family family;
    std::vector<std::string> addresses;  // rule prefixes are cut from these
    std::vector<int> prefix_lengths;
    std::string icmp_proto, icmp_module, icmp_option;  // -p ICMP_PROTO -m ICMP_MODULE ICMP_OPTION TYPE
    std::vector<std::string> icmp_types;
    std::string hop_limit_option;  // its -gt / -lt follow
    std::vector<std::string> addrtypes;
    std::string iprange;
    std::vector<std::string> reject_with;
    std::string dnat_prefix;  // DNAT's address, less its last digit (0 or 1)
    std::string snat_to;
    std::string loopback;
    std::vector<std::string> own, remote;
    // TEE's gateways: on wan1's link, beyond its default route, and behind an unreachable route
    // (the copy dropped); all where wan1's MTU of 1500 lets any copy leave.
    std::vector<std::string> tee_gateways;
};

const Vocabulary ipv4_words = {
    Family::ipv4,
    {"203.0.113.1", "203.0.113.7", "203.0.113.9", "203.0.113.200", "198.51.100.7", "198.51.100.9", "198.51.100.130", "192.0.2.1", "192.0.2.50",
     "192.0.2.51", "192.0.2.77", "192.0.2.255", "127.0.0.1"},
    {8, 16, 24, 25, 28, 32, 32},
    "icmp",
    "icmp",
    "--icmp-type",
    {"8", "0", "3/3", "3", "any", "echo-request"},
    "-m ttl --ttl-",
    {"LOCAL", "UNICAST", "BROADCAST", "LOCAL,BROADCAST"},
    "192.0.2.40-192.0.2.60",
    {"icmp-net-unreachable", "icmp-host-unreachable", "icmp-port-unreachable", "icmp-proto-unreachable", "icmp-net-prohibited",
     "icmp-host-prohibited", "icmp-admin-prohibited", "tcp-reset"},
    "192.0.2.5",
    "203.0.113.1",
    "127.0.0.1",
    {"203.0.113.1", "192.0.2.1"},
    {"198.51.100.7", "198.51.100.9", "198.51.100.130", "203.0.113.7", "203.0.113.9", "192.0.2.50", "192.0.2.51", "192.0.2.77"},
    {"203.0.113.9", "198.51.100.9", "198.51.100.40"},
};

// The IPv6 router of path_cases6.hpp: wan1 2001:db8:1::1, lan0 2001:db8:2::1 (MTU 1400), error
// routes for 2001:db8:5/6/7::/64, an MTU of 1300 toward 2001:db8:8::/64.
const Vocabulary ipv6_words = {
    Family::ipv6,
    {"2001:db8:1::1", "2001:db8:1::7", "2001:db8:9::7", "2001:db8:9::130", "2001:db8:2::1", "2001:db8:2::50", "2001:db8:2::51", "2001:db8:2::77",
     "2001:db8:3::7", "fe80::1", "2001:db8:5::1", "ff02::1", "::1"},
    {16, 32, 48, 64, 64, 120, 128, 128},
    "ipv6-icmp",
    "icmp6",
    "--icmpv6-type",
    {"128", "129", "1/4", "1", "echo-request", "destination-unreachable"},
    "-m hl --hl-",
    {"LOCAL", "UNICAST", "MULTICAST", "LOCAL,UNICAST", "ANYCAST", "UNREACHABLE"},
    "2001:db8:2::40-2001:db8:2::60",
    {"icmp6-no-route", "icmp6-adm-prohibited", "icmp6-addr-unreachable", "icmp6-port-unreachable", "icmp6-policy-fail", "icmp6-reject-route",
     "no-route", "tcp-reset"},
    "2001:db8:2::5",
    "2001:db8:1::1",
    "::1",
    {"2001:db8:1::1", "2001:db8:2::1"},
    {"2001:db8:9::7", "2001:db8:9::130", "2001:db8:3::7", "2001:db8:1::7", "2001:db8:2::50", "2001:db8:2::51", "2001:db8:2::77"},
    {"2001:db8:1::7", "2001:db8:9::9", "2001:db8:5::9"},
};

std::string prefix(Gen& g, const Vocabulary& v) {
    std::string a = g.pick(v.addresses);
    return a + "/" + std::to_string(g.pick(v.prefix_lengths));
}

const std::vector<std::uint16_t> ports = {22, 53, 80, 443, 8080, 1024, 5000};

std::string port_spec(Gen& g) {
    std::uint16_t p = g.pick(ports);
    if (g.chance(30)) return std::to_string(p) + ":" + std::to_string(p + g.below(2000));
    return std::to_string(p);
}

// The words the traffic's payloads are made of (random_payload), which -m string looks for.
const std::vector<std::string> payload_words = {"GET / HTTP/1.1\r\n", "Host: fwbench\r\n", "secret=", "HTTP/1.1 200 OK\r\n", "get"};

// The matches that read the datagram's bytes, each drawn now and then: -m string over the whole
// datagram or a window of it (either algorithm, a case-folded search, a hex pattern), -m u32 tests
// of header fields, ports and the payload's first word, -m bpf programs over the same. None reads
// a field the kernel draws (an IPv4 ID, an IPv6 flow label) or a checksum (partial on the host's
// own packets).
std::string byte_matches(Gen& g, const Vocabulary& v, const std::string& proto, bool proto_negated) {
    std::ostringstream r;
    const bool v6 = v.family == Family::ipv6;
    const bool port_proto = !proto_negated && (proto == "tcp" || proto == "udp");
    auto neg = [&](int pct) { return g.latest_chance(pct) ? "! " : ""; };
    auto hex = [](std::uint32_t n) {
        std::ostringstream h;
        h << "0x" << std::hex << n;
        return h.str();
    };
    if (g.latest_chance(3)) {
        static const std::vector<std::string> patterns = {"GET", "fwbench", "HTTP/1.1", "Host:", "secret", "OK"};
        r << " -m string";
        if (g.latest_chance(20)) r << " " << neg(25) << "--hex-string \"|48 54|TP\"";
        else r << " " << neg(25) << "--string \"" << g.latest_pick(patterns) << "\"";
        r << " --algo " << (g.latest_chance(50) ? "bm" : "kmp");
        if (g.latest_chance(40)) {
            static const std::vector<std::uint32_t> froms = {0, 20, 28, 40, 48, 60}, tos = {40, 60, 64, 100, 200};
            const std::uint32_t from = g.latest_pick(froms), to = std::max(from, g.latest_pick(tos));
            r << " --from " << from << " --to " << to;
        }
        if (g.latest_chance(25)) r << " --icase";
    }
    if (g.latest_chance(3)) {
        const std::uint32_t port = g.latest_pick(ports);
        std::vector<std::string> tests;
        if (!v6) {
            tests = {"6&0xFF=0x6",
                     "6&0xFF=0x11",
                     "6&0xFF=0x1",
                     "8>>24=0x1:0x40",
                     "0&0xFFFF=0x0:0x64",
                     "0>>22&0x3C@12>>26&0x3C@0=0x47455420",
                     "0>>22&0x3C@8=0x47455420"};
            if (port_proto) tests.insert(tests.end(), {"0>>22&0x3C@0>>16=" + hex(port), "0>>22&0x3C@0&0xFFFF=" + hex(port)});
        } else {
            tests = {"4>>8&0xFF=0x6",   "4>>8&0xFF=0x11", "4>>8&0xFF=0x3a", "4&0xFF=0x40",
                     "4&0xFF=0x1:0x3f", "4>>16=0x0:0x64", "48=0x47455420",  "0>>28=0x6"};
            if (port_proto) tests.insert(tests.end(), {"40>>16=" + hex(port), "40&0xFFFF=" + hex(port)});
        }
        r << " -m u32 " << neg(25) << "--u32 \"" << g.latest_pick(tests);
        if (g.latest_chance(20)) r << "&&" << g.latest_pick(tests);
        r << "\"";
    }
    if (g.latest_chance(3)) {
        const std::uint32_t port = g.latest_pick(ports);
        // Both families: the length over 100, the length returned (any length matches), the mark
        // MARK sets.
        std::vector<std::string> programs = {"4,128 0 0 0,37 0 1 100,6 0 0 1,6 0 0 0", "2,128 0 0 0,22 0 0 0",
                                             "4,32 0 0 4294963220,21 0 1 1,6 0 0 1,6 0 0 0"};
        if (!v6) {
            programs.insert(programs.end(),
                            {"4,48 0 0 9,21 0 1 6,6 0 0 1,6 0 0 0", "4,48 0 0 9,21 0 1 17,6 0 0 1,6 0 0 0", "4,48 0 0 8,21 0 1 64,6 0 0 1,6 0 0 0",
                             "4,32 0 0 4294963200,21 0 1 2048,6 0 0 1,6 0 0 0",
                             "10,177 0 0 0,80 0 0 12,116 0 0 4,100 0 0 2,12 0 0 0,7 0 0 0,64 0 0 0,21 0 1 1195725856,6 0 0 1,6 0 0 0"});
            if (port_proto) programs.push_back("5,177 0 0 0,72 0 0 2,21 0 1 " + std::to_string(port) + ",6 0 0 1,6 0 0 0");
        } else {
            programs.insert(programs.end(),
                            {"4,48 0 0 6,21 0 1 6,6 0 0 1,6 0 0 0", "4,48 0 0 6,21 0 1 17,6 0 0 1,6 0 0 0", "4,48 0 0 7,21 0 1 64,6 0 0 1,6 0 0 0",
                             "4,32 0 0 4294963200,21 0 1 34525,6 0 0 1,6 0 0 0", "4,32 0 0 48,21 0 1 1195725856,6 0 0 1,6 0 0 0"});
            if (port_proto) programs.push_back("4,40 0 0 42,21 0 1 " + std::to_string(port) + ",6 0 0 1,6 0 0 0");
        }
        r << " -m bpf --bytecode \"" << g.latest_pick(programs) << "\"";
    }
    return r.str();
}

// -m time, -m helper and (IPv6) -m srh, from the same stream. time: whole hours of the day,
// weekdays, days of the month and dates, which the kernel reads from its clock when it matches —
// the oracle's test stamps the traffic with the clock's time when it replays it, and an hour's
// boundary falls inside a replay's few milliseconds too seldom to matter. helper: no connection of
// the random traffic has one (no CT --helper), so it tells a match against a missing helper and
// its negation. srh: the random traffic has no segment routing header, and without one the match
// fails whatever it tests.
std::string clock_and_helper_matches(Gen& g, const Vocabulary& v) {
    std::ostringstream r;
    auto hour = [](std::uint32_t h) { return std::string(h < 10 ? "0" : "") + std::to_string(h) + ":00"; };
    if (g.latest_chance(3)) {
        // One test each: whole hours of the day (across midnight when the start is later), some
        // weekdays, some days of the month, or a date the clock is past or not yet at.
        r << " -m time";
        switch (g.latest_below(4)) {
            case 0: {
                const std::uint32_t start = g.latest_below(24), stop = g.latest_below(24);
                r << " --timestart " << hour(start) << " --timestop " << hour(stop);
                if (start > stop && g.latest_chance(50)) r << " --contiguous";
                break;
            }
            case 1: {
                static const std::vector<std::string> days = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
                std::string list;
                for (const auto& d : days)
                    if (g.latest_chance(50)) list += (list.empty() ? "" : ",") + d;
                r << " --weekdays " << (list.empty() ? "Sun" : list);
                break;
            }
            case 2: {
                std::string list;
                for (int d = 1; d <= 31; ++d)
                    if (g.latest_chance(50)) list += (list.empty() ? "" : ",") + std::to_string(d);
                r << " --monthdays " << (list.empty() ? "1" : list);
                break;
            }
            default: {
                static const std::vector<std::string> dates = {"2020-01-01T00:00:00", "2024-06-01T12:00:00", "2035-01-01T00:00:00"};
                r << (g.latest_chance(50) ? " --datestart " : " --datestop ") << g.latest_pick(dates);
            }
        }
    }
    if (g.latest_chance(2)) {
        static const std::vector<std::string> helpers = {"ftp", "sip", "irc"};
        r << " -m helper " << (g.latest_chance(40) ? "! " : "") << "--helper " << g.latest_pick(helpers);
    }
    if (v.family == Family::ipv6 && g.latest_chance(2)) {
        static const std::vector<std::string> tests = {"--srh-next-hdr 17", "! --srh-next-hdr 6", "--srh-segs-left-gt 0", "! --srh-last-entry-eq 1",
                                                       "--srh-hdr-len-lt 9"};
        r << " -m srh " << g.latest_pick(tests);
    }
    return r.str();
}

// What follows a packet's transport header, from the fifth stream: text made of payload_words,
// bytes of any value, or nothing (the datagram's zeros).
std::vector<std::uint8_t> random_payload(Gen& g, const Packet& p) {
    const std::uint32_t headers = std::uint32_t{p.ip_header_len} + (p.proto == proto::tcp ? p.tcp_header_len : 8u);
    const std::uint32_t room = p.length > headers ? p.length - headers : 0;
    std::vector<std::uint8_t> out;
    const std::uint32_t kind = g.newer_modules ? g.latest_below(10) : 9;
    while (out.size() < room && kind < 9) {
        if (kind < 6) {
            const std::string& w = g.latest_pick(payload_words);
            out.insert(out.end(), w.begin(), w.end());
        } else {
            out.push_back(static_cast<std::uint8_t>(g.latest_below(256)));
        }
    }
    out.resize(std::min<std::size_t>(out.size(), room));
    return out;
}

struct ChainInfo {
    std::string name;
    bool builtin;
    bool in_ok, out_ok;  // may use -i / -o (built-in chains: per hook)
};

// IPv6's extension-header matches (the sixth stream), over the headers the traffic sometimes
// carries (with_extension_headers): -m hbh and -m dst (lengths, options), -m ipv6header (exactly
// or, with --soft, at least these headers), -m frag, -m rt, and -m eui64 where its hooks allow it
// (PREROUTING, INPUT, FORWARD: built-in chains only, as a user chain may be reached from others).
std::string extension_header_matches(Gen& g, const Vocabulary& v, const ChainInfo& c) {
    if (v.family != Family::ipv6) return {};
    std::ostringstream r;
    auto neg = [&](int pct) { return g.ext_chance(pct) ? "! " : ""; };
    if (g.ext_chance(3)) {
        static const std::vector<std::string> options = {"5:2", "30:2", "1:4", "30:2,0", "5:2,30:6", "1"};
        r << " -m hbh";
        if (g.ext_chance(50)) r << " " << neg(30) << "--hbh-len " << g.ext_pick(std::vector<int>{8, 16});
        if (g.ext_chance(50)) r << " --hbh-opts " << g.ext_pick(options);
    }
    if (g.ext_chance(3)) {
        static const std::vector<std::string> options = {"30:6", "1:4", "30:2,0", "1:10", "30"};
        r << " -m dst";
        if (g.ext_chance(50)) r << " " << neg(30) << "--dst-len " << g.ext_pick(std::vector<int>{8, 16});
        if (g.ext_chance(50)) r << " --dst-opts " << g.ext_pick(options);
    }
    if (g.ext_chance(3)) {
        static const std::vector<std::string> headers = {"hop", "dst", "route", "frag", "hop,frag", "prot", "hop,prot", "hop,dst,route,frag,prot",
                                                         "none"};
        r << " -m ipv6header " << neg(30) << "--header " << g.ext_pick(headers) << (g.ext_chance(50) ? " --soft" : "");
    }
    if (g.ext_chance(3)) {
        static const std::vector<std::string> fields = {"",           " --fragfirst", " --fragmore",      " --fraglast",
                                                        " --fragres", " --fragid 9",  " ! --fragid 5:10", " --fragid 1:4000000"};
        r << " -m frag" << g.ext_pick(fields);
    }
    if (g.ext_chance(3)) {
        r << " -m rt";
        if (g.ext_chance(50)) r << " " << neg(30) << "--rt-type " << g.ext_pick(std::vector<int>{0, 4});
        if (g.ext_chance(50)) r << " " << neg(30) << "--rt-segsleft " << g.ext_pick(std::vector<std::string>{"0", "1:2", "2", "1:"});
        if (g.ext_chance(30)) r << " " << neg(30) << "--rt-len 8";
    }
    if (c.builtin && (c.name == "PREROUTING" || c.name == "INPUT" || c.name == "FORWARD") && g.ext_chance(3)) r << " -m eui64";
    return r.str();
}

// -m limit and -m hashlimit (the seventh stream) at a rate no replay of a fraction of a second
// refills: each rule's burst, or each of its hash buckets' (by source or destination address or
// port, under a mask), decides which packets match (--hashlimit-upto) or go over (--hashlimit-above).
std::string rate_matches(Gen& g, const Vocabulary& v) {
    if (!g.rate_chance(4)) return {};
    const std::string per = g.rate_chance(70) ? "/hour" : "/minute";
    const std::string burst = std::to_string(1 + g.rate_below(4));
    if (g.rate_chance(30)) return " -m limit --limit " + std::to_string(1 + g.rate_below(3)) + per + " --limit-burst " + burst;
    static const std::vector<std::string> modes = {"srcip", "dstip", "srcip,dstport", "dstip,dstport", "srcport", "srcip,dstip"};
    std::string r = std::string(" -m hashlimit ") + (g.rate_chance(50) ? "--hashlimit-upto " : "--hashlimit-above ") +
                    std::to_string(1 + g.rate_below(3)) + per + " --hashlimit-burst " + burst;
    if (g.rate_chance(80)) r += " --hashlimit-mode " + g.rate_pick(modes);
    if (g.rate_chance(30))
        r += " --hashlimit-srcmask " +
             std::to_string(v.family == Family::ipv6 ? g.rate_pick(std::vector<int>{48, 64, 120}) : g.rate_pick(std::vector<int>{16, 24, 28}));
    return r + " --hashlimit-name r" + std::to_string(g.next_table_name++);
}

std::string rule_body(Gen& g, const Vocabulary& v, const std::string& table, const ChainInfo& c, const std::vector<std::string>& later_chains) {
    std::ostringstream r;
    auto neg = [&](int pct) { return g.chance(pct) ? "! " : ""; };
    if (g.chance(35)) r << " " << neg(20) << "-s " << prefix(g, v);
    if (g.chance(35)) r << " " << neg(20) << "-d " << prefix(g, v);
    static const std::vector<std::string> ifaces = {"wan1", "lan0", "lo", "wan+", "lan+", "eth+", "+"};
    std::string in_clause;  // "wan1", "! lan+", ...
    if (c.in_ok && g.chance(30)) {
        in_clause = neg(20);
        in_clause += g.pick(ifaces);
        r << " " << (in_clause[0] == '!' ? "! -i " + in_clause.substr(2) : "-i " + in_clause);
    }
    if (c.out_ok && g.chance(30)) r << " " << neg(20) << "-o " << g.pick(ifaces);
    std::string proto;
    bool proto_negated = false;
    if (g.chance(60)) {
        const std::vector<std::string> protos = {"tcp", "udp", v.icmp_proto};
        proto = g.pick(protos);
        proto_negated = g.chance(15);
        r << " " << (proto_negated ? "! " : "") << "-p " << proto;
    }
    if (!proto_negated && (proto == "tcp" || proto == "udp")) {
        if (g.chance(50)) {
            r << " -m " << proto;
            // One negated port at most: iptables-nft before 1.8.11 (the oracle's is 1.8.9) loads
            // `! --sport A ! --dport B` as one compare of both, which matches otherwise
            // (docs/kernel-oracle.md). The draws stay as they were.
            bool sport_negated = false;
            if (g.chance(50)) {
                const char* n = neg(20);
                sport_negated = *n != '\0';
                r << " " << n << "--sport " << port_spec(g);
            }
            if (g.chance(70)) {
                const char* n = neg(20);
                r << " " << (sport_negated ? "" : n) << "--dport " << port_spec(g);
            }
            if (proto == "tcp" && g.chance(30)) {
                if (g.chance(50)) r << " " << neg(20) << "--syn";
                else r << " " << neg(20) << "--tcp-flags SYN,ACK,FIN,RST " << (g.chance(50) ? "ACK" : "SYN,ACK");
            }
        } else if (g.chance(40)) {
            r << " -m multiport " << neg(20) << (g.chance(50) ? "--dports " : "--ports ") << g.pick(ports) << "," << port_spec(g);
        }
    }
    if (!proto_negated && proto == v.icmp_proto && g.chance(60))
        r << " -m " << v.icmp_module << " " << neg(20) << v.icmp_option << " " << g.pick(v.icmp_types);
    if (g.chance(30)) {
        static const std::vector<std::string> states = {"NEW", "ESTABLISHED", "RELATED,ESTABLISHED", "INVALID", "NEW,ESTABLISHED", "UNTRACKED"};
        if (g.chance(50)) r << " -m state " << neg(20) << "--state " << g.pick(states);
        else r << " -m conntrack " << neg(20) << "--ctstate " << g.pick(states) << (g.chance(20) ? ",DNAT" : "");
    }
    if (g.chance(15)) r << " -m mark " << neg(20) << "--mark 0x" << g.below(4) << (g.chance(50) ? "/0x3" : "");
    if (g.chance(10)) r << " -m length " << neg(20) << "--length " << 40 + g.below(60) << ":" << 100 + g.below(100);
    auto later_neg = [&](int pct) { return g.later_chance(pct) ? "! " : ""; };
    if (g.later_chance(6)) {
        r << " -m ecn";
        if (!proto_negated && proto == "tcp" && g.later_chance(50))
            r << " " << later_neg(30) << (g.later_chance(50) ? "--ecn-tcp-ece" : "--ecn-tcp-cwr");
        r << " " << later_neg(30) << "--ecn-ip-ect " << g.later_below(4);
    }
    auto newer_neg = [&](int pct) { return g.newer_chance(pct) ? "! " : ""; };
    if (g.newer_chance(6)) r << " -m connlabel " << newer_neg(25) << "--label " << g.newer_below(3) << (g.newer_chance(40) ? " --set" : "");
    if (g.newer_chance(4)) {
        static const std::vector<std::string> dirs = {"original", "reply", "both"}, modes = {"packets", "bytes", "avgpkt"};
        const std::string mode = g.newer_pick(modes);
        const std::uint32_t from = mode == "packets" ? g.newer_below(4) : 40 + g.newer_below(200);
        r << " -m connbytes " << newer_neg(20) << "--connbytes " << from;
        if (g.newer_chance(60)) r << ":" << from + (mode == "packets" ? g.newer_below(4) : g.newer_below(400));
        r << " --connbytes-dir " << g.newer_pick(dirs) << " --connbytes-mode " << mode;
    }
    if (g.newer_chance(4)) {
        const std::uint32_t nodes = 1 + g.newer_below(4);
        r << " -m cluster --cluster-total-nodes " << nodes << " " << newer_neg(20) << "--cluster-local-node " << 1 + g.newer_below(nodes)
          << " --cluster-hash-seed 0x" << std::hex << g.newer_below(0xffff) << std::dec;
    }
    // xt_realm may not sit where PREROUTING reaches (a user chain could be): built-in chains only.
    if (v.family == Family::ipv4 && c.builtin && c.name != "PREROUTING" && g.newer_chance(5)) {
        static const std::vector<std::string> realms = {"0x3", "0x7", "0x0", "0x70000/0xffff0000", "0x3/0xffff"};
        r << " -m realm " << newer_neg(20) << "--realm " << g.newer_pick(realms);
    }
    r << byte_matches(g, v, proto, proto_negated) << clock_and_helper_matches(g, v) << extension_header_matches(g, v, c) << rate_matches(g, v);
    // -m quota (each rule's own byte allowance, spent by the packets it matches, answers and
    // copies included) and -m tcpmss (the MSS a segment offers: SYNs carry one now and then).
    if (g.latest_chance(3))
        r << " -m quota " << (g.latest_chance(30) ? "! " : "") << "--quota " << g.latest_pick(std::vector<int>{0, 100, 500, 2000});
    if (proto == "tcp" && !proto_negated && g.latest_chance(5)) {
        static const std::vector<std::string> ranges = {"1460", "536:1460", "1400:1500", "100:500", "1200:"};
        r << " -m tcpmss " << (g.latest_chance(30) ? "! " : "") << "--mss " << g.latest_pick(ranges);
    }
    if (g.chance(10)) r << " " << v.hop_limit_option << (g.chance(50) ? "gt " : "lt ") << g.pick(std::vector<int>{1, 2, 63, 64, 200});
    if (g.chance(12)) {
        r << " -m addrtype " << neg(20) << (g.chance(60) ? "--dst-type " : "--src-type ") << g.pick(v.addrtypes);
        // IPv6's lookup bound to the arrival device (where a built-in chain has one).
        if (v.family == Family::ipv6 && c.builtin && c.in_ok && g.chance(20)) r << " --limit-iface-in";
    }
    if (g.chance(8)) r << " -m iprange " << neg(20) << "--dst-range " << v.iprange;

    // Target.
    std::vector<std::string> targets = {"ACCEPT", "DROP", "RETURN", "", "LOG", "MARK"};
    if (table == "filter") targets.push_back("REJECT");
    if (!later_chains.empty()) {
        targets.push_back("jump");
        targets.push_back("jump");
        targets.push_back("goto");
    }
    if (table == "nat") targets = {"ACCEPT", "RETURN", "", "NAT", "NAT"};
    std::string t = g.pick(targets);
    if (t == "jump") r << " -j " << g.pick(later_chains);
    else if (t == "goto") r << " -g " << g.pick(later_chains);
    else if (t == "LOG") r << " -j LOG --log-prefix \"rnd \"";
    else if (t == "MARK") r << " -j MARK --set-xmark 0x" << g.below(4) << "/0x" << (g.chance(50) ? "3" : "ffffffff");
    else if (t == "REJECT") {
        // Every answer REJECT can send; tcp-reset only where iptables allows it (-p tcp).
        r << " -j REJECT";
        if (g.chance(60)) {
            const std::string& w = g.pick(v.reject_with);
            if (w != "tcp-reset" || (proto == "tcp" && !proto_negated)) r << " --reject-with " << w;
        }
    } else if (t == "NAT") {
        const bool port_proto = !proto_negated && (proto == "tcp" || proto == "udp");
        const bool v6 = v.family == Family::ipv6;
        if ((c.name == "PREROUTING" || c.name == "OUTPUT") && port_proto && g.chance(20)) {
            r << " -j REDIRECT";
            if (g.chance(50)) r << " --to-ports 30000-30005";
        } else if (v6 && c.name == "PREROUTING" && in_clause != "wan1" && !in_clause.empty()) {
            // IPv6 DNAT only for what arrives on wan1: a LAN host's packet sent back out of lan0
            // would draw a redirect (see wire_destinations).
            r << " -j ACCEPT";
        } else if (c.name == "PREROUTING" || c.name == "OUTPUT") {
            if (v6 && c.name == "PREROUTING" && in_clause.empty()) r << " -i wan1";
            const std::string to = v.dnat_prefix + std::to_string(g.below(2));
            r << " -j DNAT --to-destination ";
            if (port_proto) r << (v6 ? "[" + to + "]" : to) << ':' << g.pick(ports);
            else r << to;
        } else if (c.name == "POSTROUTING") {
            // --to-ports ranges the traffic's source ports (30000 up) fall inside and outside of:
            // an in-range port is kept unless its tuple is taken (nf_nat_l4proto_unique_tuple).
            static const std::vector<std::string> ranges = {"30000-30005", "30003-30003", "1024-65535", "40000-40010"};
            const bool masquerade = g.chance(50);
            const bool with_ports = port_proto && g.chance(50);
            if (masquerade) r << " -j MASQUERADE";
            else r << " -j SNAT --to-source " << (v6 && with_ports ? "[" + v.snat_to + "]" : v.snat_to);
            if (with_ports) r << (masquerade ? " --to-ports " : ":") << g.pick(ranges);
        } else r << " -j ACCEPT";
    } else if (!t.empty()) r << " -j " << t;
    // In place of the target drawn (whose draws are made all the same): HMARK, a mark hashed from
    // the packet or its connection, which -m mark rules read; in mangle, IPv4's ECN (rewriting
    // the ECN field, or TCP's ECE and CWR) and IPv6's prefix translation (SNPT where a packet
    // leaves or is delivered, DNPT where it arrives or is sent; built-in chains only, as their
    // hooks are checked at load).
    std::string newer_target;
    if (table != "nat" && g.newer_chance(5)) {
        static const std::vector<std::string> tuples = {"src,dst,sport,dport,proto", "ct,src,dst,sport,dport", "src,dst", "sport,dport,proto"};
        newer_target = " -j HMARK --hmark-tuple " + g.newer_pick(tuples) + " --hmark-rnd 0x" + std::to_string(1 + g.newer_below(9)) +
                       " --hmark-mod 4" + (g.newer_chance(50) ? " --hmark-offset 0" : "");
    } else if (table == "mangle" && v.family == Family::ipv4 && g.newer_chance(5)) {
        const bool tcp = proto == "tcp" && !proto_negated;
        newer_target = tcp && g.newer_chance(50) ? " -j ECN --ecn-tcp-remove" : " -j ECN --ecn-ip-ect " + std::to_string(g.newer_below(4));
    } else if (table == "mangle" && v.family == Family::ipv6 && c.builtin && g.newer_chance(6)) {
        // wan1's prefix and the LAN's, each onto the other, or a remote one onto one no route knows;
        // mostly only for addresses inside the translated prefix (tested as an address range, so
        // that the rule's own -s or -d stays), as NPT is configured and where the mapping keeps the
        // transport checksum, sometimes for any (the checksum then breaks, and REJECT answers
        // nothing: the oracle's packets were never verified before, as fwbench assumes).
        struct NptMap {
            std::string from, range, to;
        };
        static const std::vector<NptMap> maps = {{"2001:db8:2::/64", "2001:db8:2::-2001:db8:2::ffff:ffff:ffff:ffff", "2001:db8:1::/64"},
                                                 {"2001:db8:1::/64", "2001:db8:1::-2001:db8:1::ffff:ffff:ffff:ffff", "2001:db8:2::/64"},
                                                 {"2001:db8:9::/48", "2001:db8:9::-2001:db8:9:ffff:ffff:ffff:ffff:ffff", "2001:db8:4::/48"}};
        const NptMap& m = g.newer_pick(maps);
        const std::string map = " --src-pfx " + m.from + " --dst-pfx " + m.to;
        const bool confined = g.newer_chance(70);
        if (c.name == "INPUT" || c.name == "POSTROUTING")
            newer_target = (confined ? " -m iprange --src-range " + m.range : std::string()) + " -j SNPT" + map;
        else if (c.name == "OUTPUT") newer_target = (confined ? " -m iprange --dst-range " + m.range : std::string()) + " -j DNPT" + map;
        else if (c.name == "PREROUTING") {
            // Only for what arrives on the side the translated prefix leaves by the other: a packet
            // sent back out of the device it came by draws a redirect (see wire_destinations),
            // whose bytes (the next hop's MAC) no host description gives.
            const std::string across = m.to == "2001:db8:2::/64" ? "wan1" : "lan0";
            if (in_clause.empty() || in_clause == across)
                newer_target = (in_clause.empty() ? " -i " + across : std::string()) +
                               (confined ? " -m iprange --dst-range " + m.range : std::string()) + " -j DNPT" + map;
        }
    }
    // TPROXY where the kernel takes it (mangle PREROUTING, -p tcp or udp): the random router lists
    // no sockets, so it finds none and drops, and its checkentry turns defragmentation on.
    if (newer_target.empty() && table == "mangle" && c.builtin && c.name == "PREROUTING" && !proto_negated && (proto == "tcp" || proto == "udp") &&
        g.newest_chance(20))
        newer_target = " -j TPROXY --on-port " + std::to_string(g.newest_below(2) ? 3129 : 0) + " --tproxy-mark 0x1/0x1";
    // TEE, in any table and chain: each copy walks OUTPUT and POSTROUTING, untracked. Only for a
    // unicast destination not the host's (IPv6's addrtype calls the host's addresses UNICAST as
    // well as LOCAL, and its subnet-router anycast addresses ANYCAST): a copy that comes back to the host (routed over lo once
    // a mark set in OUTPUT reroutes it, or a broadcast's or multicast's looped clone) fwbench
    // refuses, and the kernel may copy it again.
    else if (newer_target.empty() && g.newest_chance(5))
        newer_target = " -m addrtype --dst-type UNICAST -m addrtype ! --dst-type LOCAL,ANYCAST -j TEE --gateway " +
                       v.tee_gateways[g.newest_below(static_cast<std::uint32_t>(v.tee_gateways.size()))] +
                       (g.newest_below(3) == 0 ? " --oif wan1" : "");
    // In place of the rule drawn (whose draws are made all the same), now and then: SYNPROXY where
    // the kernel takes it (filter INPUT and FORWARD, -p tcp), for SYNs only (--syn: a client's ACK
    // passes only with a valid cookie, which the host's secret decides and fwbench refuses by
    // name). A SYN is answered with a SYN-ACK through OUTPUT and POSTROUTING and goes no further.
    if (newer_target.empty() && table == "filter" && c.builtin && (c.name == "INPUT" || c.name == "FORWARD") && g.latest_chance(10)) {
        std::string synproxy = " -p tcp -m tcp --syn -j SYNPROXY";
        if (g.latest_chance(60)) synproxy += " --sack-perm";
        if (g.latest_chance(60)) synproxy += " --timestamp";
        if (g.latest_chance(50)) synproxy += " --wscale " + std::to_string(g.latest_below(15));
        if (g.latest_chance(70)) synproxy += " --mss " + std::to_string(536 + g.latest_below(1000));
        if (g.latest_chance(20)) synproxy += " --ecn";
        return synproxy;
    }
    // In place of the rule drawn, now and then: -m esp, -m ah (IPv4's) or -m ipcomp, for the IPsec
    // packets the traffic sometimes carries, counting or accepting.
    if (newer_target.empty() && g.latest_chance(5)) {
        static const std::vector<std::string> spis = {"256", "512", "256:512", "65536", "1:300"};
        const std::uint32_t which = g.latest_below(v.family == Family::ipv6 ? 2 : 3);
        const std::string neg_spi = g.latest_chance(30) ? "! " : "";
        std::string ipsec = which == 0   ? " -p esp -m esp " + neg_spi + "--espspi " + g.latest_pick(spis)
                            : which == 1 ? " -p ipcomp -m ipcomp " + neg_spi + "--ipcompspi " + g.latest_pick(spis)
                                         : " -p ah -m ah " + neg_spi + "--ahspi " + g.latest_pick(spis);
        return ipsec + (g.latest_chance(30) ? " -j ACCEPT" : "");
    }
    // In place of the rule drawn, now and then: the extension-header matches alone (drawn again
    // until there is one), counting or accepting, so that they decide more often.
    if (newer_target.empty() && v.family == Family::ipv6 && g.ext_chance(6)) {
        std::string alone;
        for (int tries = 0; alone.empty() && tries < 20; ++tries) alone = extension_header_matches(g, v, c);
        if (!alone.empty()) return alone + (g.ext_chance(30) ? " -j ACCEPT" : "");
    }
    // In place of the rule drawn, now and then: -m mh, for the mobility headers the IPv6 traffic
    // sometimes carries.
    if (newer_target.empty() && v.family == Family::ipv6 && g.ext_chance(3)) {
        static const std::vector<std::string> types = {"binding-update", "3:5", "0", "binding-refresh-request:6", "10"};
        return " -p mh -m mh " + std::string(g.ext_chance(30) ? "! " : "") + "--mh-type " + g.ext_pick(types) +
               (g.ext_chance(30) ? " -j ACCEPT" : "");
    }
    // CONNSECMARK in mangle, in place of the target drawn: the connection's security mark, which
    // no rule reads, but its checkentry turns conntrack on. (SECMARK needs a security module to
    // know its context, which the oracle's kernel has none of: it does not load there.)
    if (newer_target.empty() && table == "mangle" && g.latest_chance(4))
        newer_target = g.latest_chance(50) ? " -j CONNSECMARK --save" : " -j CONNSECMARK --restore";
    if (newer_target.empty()) return r.str();
    std::string text = r.str();
    if (const auto at = text.find(" -j "); at != std::string::npos) text.erase(at);
    if (const auto at = text.find(" -g "); at != std::string::npos) text.erase(at);
    return text + newer_target;
}

void table_text(Gen& g, const Vocabulary& v, std::ostringstream& out, const std::string& table, const std::vector<ChainInfo>& builtins) {
    int users = static_cast<int>(table == "nat" ? 0 : g.below(4));
    std::vector<std::string> user_names;
    for (int i = 0; i < users; ++i) {
        std::string name = "u";
        name += std::to_string(i);
        user_names.push_back(name);
    }
    out << "*" << table << "\n";
    // Most built-in chains are declared; some get their policy from -P, some are named only by
    // their -A lines or not at all (ChainPresence: iptables-nft creates only named chains).
    for (const auto& b : builtins) {
        const char* policy = table == "filter" && g.chance(40) ? "DROP" : "ACCEPT";
        const std::uint32_t naming = g.below(10);
        if (naming < 7) out << ":" << b.name << " " << policy << " [0:0]\n";
        else if (naming == 7) out << "-P " << b.name << " " << policy << "\n";
    }
    for (const auto& u : user_names) out << ":" << u << " - [0:0]\n";
    for (const auto& b : builtins) {
        int n = static_cast<int>(g.below(6));
        for (int i = 0; i < n; ++i) out << "-A " << b.name << rule_body(g, v, table, b, user_names) << "\n";
    }
    for (int i = 0; i < users; ++i) {
        // A user chain may jump only to later ones: no loops.
        std::vector<std::string> later(user_names.begin() + i + 1, user_names.end());
        ChainInfo c{user_names[static_cast<std::size_t>(i)], false, true, true};
        int n = static_cast<int>(g.below(5));
        for (int k = 0; k < n; ++k) out << "-A " << c.name << rule_body(g, v, table, c, later) << "\n";
    }
    out << "COMMIT\n";
}

}  // namespace

namespace {

// The router of path_fixtures.hpp; in some cases wan1 holds a second primary address whose
// subnet holds some destinations: MASQUERADE then takes the address that fits the next hop
// (inet_select_addr), not the device's first.
std::string ipv4_router(Gen& g) {
    const bool two_addresses = g.chance(30);
    std::string addr = router_addr, routes = router_routes;
    if (two_addresses) {
        const std::string first = R"({"family":"inet","local":"203.0.113.1","prefixlen":24})";
        addr.replace(addr.find(first), first.size(), first + R"(,{"family":"inet","local":"198.51.100.1","prefixlen":24})");
        routes.insert(routes.rfind(']'), R"(,{"dst":"198.51.100.0/24","dev":"wan1","prefsrc":"198.51.100.1"},)"
                                         R"({"type":"local","dst":"198.51.100.1","dev":"wan1","table":"local","prefsrc":"198.51.100.1"},)"
                                         R"({"type":"broadcast","dst":"198.51.100.255","dev":"wan1","table":"local","prefsrc":"198.51.100.1"})");
    }
    // Route realms (-m realm reads them): the subnets' routes carry some, in some cases.
    if (g.newer_chance(60)) {
        for (const auto& [route, flow] :
             {std::pair<std::string, std::string>{R"("dst":"203.0.113.0/24","dev":"wan1","prefsrc":"203.0.113.1")",
                                                  R"(,"flow":{"from":"9","to":"3"})"},
              std::pair<std::string, std::string>{R"("dst":"192.0.2.0/24","dev":"lan0","prefsrc":"192.0.2.1")", R"(,"flow":{"to":"7"})"}}) {
            const auto at = routes.find(route);
            if (at != std::string::npos) routes.insert(at + route.size(), flow);
        }
    }
    // No ICMP redirects: after a peer's first, whether the kernel sends another depends on the
    // jiffies between them (ip_rt_send_redirect's backoff), which an unpaced replay does not
    // control — a loaded machine turned one case. The path fixtures check redirects.
    return std::string("{\"addr\":") + addr + ",\"route\":" + routes + ",\"rule\":" + router_rules +
           ",\"sysctl\":{\"ip_forward\":1,\"net.ipv4.conf.all.send_redirects\":0,\"net.ipv4.conf.default.send_redirects\":0}}";
}

// The IPv6 router of path_cases6.hpp, forwarding; in some cases wan1 holds a second global
// address, 2001:db8:3::1/64, which source selection's longest-prefix rule picks for
// 2001:db8:3::7 (the host's own packets, MASQUERADE). The local table is derived.
std::string ipv6_router(Gen& g) {
    std::string addr = router6_addr, routes = router6_routes;
    if (g.chance(30)) {
        const std::string first = R"({"family":"inet6","local":"2001:db8:1::1","prefixlen":64,"scope":"global"})";
        addr.replace(addr.find(first), first.size(), first + R"(,{"family":"inet6","local":"2001:db8:3::1","prefixlen":64,"scope":"global"})");
        routes.insert(routes.rfind(']'), R"(,{"dst":"2001:db8:3::/64","dev":"wan1","metric":256})");
    }
    return std::string("{\"addr\":") + addr + ",\"route\":" + routes + ",\"sysctl\":{\"net.ipv6.conf.all.forwarding\":1}}";
}

bool is_one_of(const std::string& a, const std::vector<std::string>& list) { return std::find(list.begin(), list.end(), a) != list.end(); }

// Where `a` is seen from the router: itself (""), behind lan0 or behind wan1.
std::string side(const Vocabulary& v, const std::string& a) {
    if (a == v.loopback || is_one_of(a, v.own)) return "";
    if (v.family == Family::ipv6 && (a == "::" || a == "fe80::1" || a == "fe80::2:1")) return "";
    return a.rfind(v.family == Family::ipv4 ? "192.0.2." : "2001:db8:2:", 0) == 0 ? "lan0" : "wan1";
}

// The destinations of packets from the wire arriving on `in`. IPv6's never route back out of
// `in`: that draws a redirect, whose peer buckets refill with the jiffies between packets (and
// are emptied by an ICMPv6 error when the oracle's icmp ratelimit is 0), which an unpaced replay
// does not control; the path fixtures check redirects. wan1's reach the host (its link-local,
// anycast and global addresses), the LAN and the error routes; lan0's the host, wan1's side
// (2001:db8:8:: with its 1300-byte MTU) and an error route. IPv4 sends no redirects
// (send_redirects 0), for the same reason.
const std::vector<std::string>& wire_destinations(const Vocabulary& v, const std::string& in) {
    static const std::vector<std::string> ipv4 = {"203.0.113.1", "192.0.2.1",   "198.51.100.7", "198.51.100.130",
                                                  "192.0.2.50",  "192.0.2.255", "203.0.113.9"};
    static const std::vector<std::string> from_wan = {"2001:db8:1::1",  "2001:db8:2::1", "fe80::1",       "2001:db8:1::", "2001:db8:2::50",
                                                      "2001:db8:2::77", "2001:db8:5::1", "2001:db8:6::1", "2001:db8:7::1"};
    static const std::vector<std::string> from_lan = {"2001:db8:2::1",   "2001:db8:1::1", "fe80::2:1",     "2001:db8:2::", "2001:db8:9::7",
                                                      "2001:db8:9::130", "2001:db8:3::7", "2001:db8:8::1", "2001:db8:5::1"};
    if (v.family == Family::ipv4) return ipv4;
    return in == "lan0" ? from_lan : from_wan;
}

// A packet from the wire given IPv6 extension headers (the sixth stream), its payload as long as
// before: hop-by-hop options (padding, a router alert, options to skip, one whose type says
// "discard" and ones that say "discard and answer", which ip6_rcv_core drops before PREROUTING,
// answering with a parameter problem), destination options (options to skip:
// the host answers others with a parameter problem after INPUT), a type 0 routing header (with
// segments left only where the packet passes through: the host answers one addressed to it with a
// parameter problem) and a fragment header: atomic, or a later fragment whose first never comes
// (a first fragment left waiting would draw a time-exceeded error a minute on; not of TCP).
Packet with_extension_headers(Gen& g, const Packet& p, bool to_host, bool rules_read_bytes, bool rules_hash_ports) {
    static const std::vector<std::string> hop_options = {"1:4", "5:2", "30:2", "0,0,30:0", "5:2,30:6", "1:12", "65:2", "134:2", "1:0,198:4"};
    static const std::vector<std::string> dest_options = {"1:4", "30:6", "30:2,0", "1:10", "30:14"};
    std::string ext, fields;
    auto add = [&](const char* header) {
        if (!ext.empty()) ext += ',';
        ext += header;
    };
    if (g.ext_chance(50)) {
        add("hop");
        fields += " hopopts=" + g.ext_pick(hop_options);
    }
    if (g.ext_chance(40)) {
        add("dst");
        fields += " dstopts=" + g.ext_pick(dest_options);
    }
    if (g.ext_chance(30)) {
        add("route");
        fields += " rt=0/" + std::to_string(to_host ? 0 : g.ext_below(3));
    }
    // Not where a rule reads bytes: fwbench does not join a reassembled datagram's (README), and
    // refuses it, and an answer quoting it, at such a rule's hooks.
    if (!rules_read_bytes && (ext.empty() || g.ext_chance(35))) {
        add("frag");
        fields += " fragid=" + std::to_string(1 + g.ext_below(1u << 30));
        // A later fragment of TCP only atomic: the kernel reads its payload as a TCP header where -m
        // tcpmss or ecn's TCP flags look, which fwbench refuses (packet_path's hotdrop matches); and
        // none where hashlimit hashes ports, which it reads in a later fragment's payload too.
        if (p.proto != proto::tcp && g.ext_chance(40) && !rules_hash_ports)
            fields += " fragoff=" + std::to_string(8 * (1 + g.ext_below(150))) + (g.ext_chance(30) ? " mf=1" : "");
        if (g.ext_chance(10)) fields += " fragres=1";
    }
    if (ext.empty()) {
        add("hop");
        fields += " hopopts=1:4";
    }
    // Described again with the headers: the length grows by theirs.
    std::string text = format_packet_description(p, false) + " ext=" + ext + fields;
    const std::string length = " len=" + std::to_string(p.length);
    const std::size_t at = text.find(length);
    const std::string roomy = " len=" + std::to_string(p.length + 2048);  // room for any headers
    text.replace(at, length.size(), roomy);
    const Packet first = parse_packet_description(text, "random").packet;
    text.replace(at, roomy.size(), " len=" + std::to_string(p.length + first.ip_header_len - p.ip_header_len));
    Packet q = parse_packet_description(text, "random").packet;
    q.timestamp_ns = p.timestamp_ns;
    return q;
}

// Does a hashlimit rule of `rules` hash ports (--hashlimit-mode with srcport or dstport)?
bool hashes_ports(const std::string& rules) {
    for (std::size_t at = rules.find("--hashlimit-mode "); at != std::string::npos; at = rules.find("--hashlimit-mode ", at + 1)) {
        const std::size_t start = at + 17, end = rules.find(' ', start);
        if (rules.substr(start, end - start).find("port") != std::string::npos) return true;
    }
    return false;
}

RandomCase make_case(std::uint64_t seed, const Vocabulary& v, bool newer_modules) {
    Gen g(seed);
    g.newer_modules = newer_modules;
    RandomCase rc;
    const bool v6 = v.family == Family::ipv6;
    rc.family = v.family;
    rc.host_json = v6 ? ipv6_router(g) : ipv4_router(g);
    std::ostringstream rules;
    if (g.chance(35))
        table_text(g, v, rules, "mangle",
                   {{"PREROUTING", true, true, false},
                    {"INPUT", true, true, false},
                    {"FORWARD", true, true, true},
                    {"OUTPUT", true, false, true},
                    {"POSTROUTING", true, false, true}});
    if (g.chance(35))
        table_text(
            g, v, rules, "nat",
            {{"PREROUTING", true, true, false}, {"INPUT", true, true, false}, {"OUTPUT", true, false, true}, {"POSTROUTING", true, false, true}});
    table_text(g, v, rules, "filter", {{"INPUT", true, true, false}, {"FORWARD", true, true, true}, {"OUTPUT", true, false, true}});
    rc.rules = rules.str();

    const std::uint8_t icmp = v6 ? proto::icmpv6 : proto::icmp;
    const std::uint8_t echo_request = v6 ? 128 : 8, echo_reply = v6 ? 129 : 0;
    const std::uint32_t ip_header = v6 ? 40 : 20;
    // TCP sequence numbers: mostly those of a real exchange, sometimes far ahead, stale or
    // anything, so that window tracking (tcp_in_window) finds some segments INVALID or ignores them.
    auto sequence_near = [&](std::uint32_t expected) -> std::uint32_t {
        switch (g.below(10)) {
            case 0: return expected + 100000u;
            case 1: return expected - 3000u;
            case 2: return static_cast<std::uint32_t>(g.below(1u << 31)) * 2u;
            default: return expected;
        }
    };
    auto next_sequence = [](const Packet& q) {
        return q.tcp_seq + q.tcp_payload_len() + ((q.tcp_flags & tcp_flag::syn) ? 1u : 0u) + ((q.tcp_flags & tcp_flag::fin) ? 1u : 0u);
    };
    static const std::vector<std::uint16_t> windows = {64240, 64240, 1000, 100, 0};
    // A SYN's options, sometimes: window scale (whose agreement scales later windows), SACK permitted.
    auto syn_options = [&](Packet& q) {
        std::vector<std::uint8_t> o;
        if (g.chance(50)) o.insert(o.end(), {2, 4, 0x05, 0xb4});
        if (g.chance(40)) o.insert(o.end(), {1, 3, 3, static_cast<std::uint8_t>(g.below(15))});
        if (g.chance(40)) o.insert(o.end(), {1, 1, 4, 2});
        q.set_tcp_option_bytes(o.data(), o.size());
    };
    auto tcp_length = [&](const Packet& q) { return std::uint32_t{q.ip_header_len} + q.tcp_header_len + g.below(120); };
    auto address = [&](const std::string& text) { return *parse_ip(text, v.family); };

    int n = 15 + static_cast<int>(g.below(25));
    std::uint16_t next_port = 30000;
    std::uint64_t t = 0;
    for (int i = 0; i < n; ++i) {
        t += 1000000;  // 1 ms apart
        if (!rc.packets.empty() && g.chance(25)) {
            // A reply to an earlier packet, from the side it went to.
            const auto& [prev, prev_origin] = rc.packets[g.below(static_cast<std::uint32_t>(rc.packets.size()))];
            if (prev.proto == proto::tcp || prev.proto == proto::udp || (prev.proto == icmp && prev.icmp_type == echo_request)) {
                Packet r = prev;
                std::swap(r.src, r.dst);
                std::swap(r.sport, r.dport);
                const std::string from = format_ip(r.src), to = format_ip(r.dst), from_side = side(v, from);
                // IPv6: no answer to an unbound or link-local source, none from a link-local
                // address, and none that would leave by the side it came from (a redirect).
                // Nor from the host to a packet with extension headers (its sockets send none).
                const bool replyable = !v6 || (to != "::" && to.rfind("fe80:", 0) != 0 && from.rfind("fe80:", 0) != 0 &&
                                               (from_side.empty() || from_side != side(v, to)) && !(from_side.empty() && r.ext_header_count));
                if (replyable) {
                    if (r.proto == icmp) r.icmp_type = echo_reply;
                    if (r.proto == proto::tcp) {
                        r.tcp_flags = g.chance(60) ? (tcp_flag::syn | tcp_flag::ack) : g.chance(80) ? tcp_flag::ack : tcp_flag::rst | tcp_flag::ack;
                        r.tcp_ack = sequence_near(next_sequence(prev));
                        r.tcp_seq = g.chance(70) ? 5000u : static_cast<std::uint32_t>(g.below(1u << 31)) * 2u;
                        r.tcp_window = g.pick(windows);
                        r.set_tcp_option_bytes(nullptr, 0);
                        if (r.tcp_flags & tcp_flag::syn) syn_options(r);
                        r.length = tcp_length(r);
                    }
                    r.timestamp_ns = t;
                    r.ttl = 64;
                    r.mark = 0;
                    if (from_side.empty()) {
                        r.in = IfaceName();
                        // A reply to a long IPv6 packet: no longer than IPv6's least MTU, as a
                        // socket's datagram larger than its route's MTU leaves in fragments, which
                        // the oracle's raw socket cannot send (EMSGSIZE).
                        if (v6) r.length = std::min<std::uint32_t>(r.length, 1280);
                        rc.packets.push_back({r, Origin::local});
                    } else {
                        r.in = IfaceName(from_side);
                        if (from_side == "lan0") r.length = std::min<std::uint32_t>(r.length, 1400);  // lan0's MTU
                        rc.packets.push_back({r, Origin::wire});
                    }
                    continue;
                }
            }
        }
        if (!rc.packets.empty() && g.chance(20)) {
            // The next segment of an earlier TCP packet, from the same side.
            const auto& [prev, prev_origin] = rc.packets[g.below(static_cast<std::uint32_t>(rc.packets.size()))];
            if (prev.proto == proto::tcp) {
                Packet c = prev;
                static const std::vector<std::uint8_t> later = {tcp_flag::ack, tcp_flag::ack | tcp_flag::psh, tcp_flag::fin | tcp_flag::ack,
                                                                tcp_flag::rst, tcp_flag::syn};
                c.tcp_flags = g.pick(later);
                c.tcp_seq = sequence_near(next_sequence(prev));
                c.tcp_window = g.pick(windows);
                c.set_tcp_option_bytes(nullptr, 0);
                c.length = tcp_length(c);
                c.timestamp_ns = t;
                c.mark = 0;
                rc.packets.push_back({c, prev_origin});
                continue;
            }
        }
        Packet p;
        p.family = v.family;
        p.ip_header_len = static_cast<std::uint16_t>(ip_header);
        p.timestamp_ns = t;
        const std::vector<std::uint8_t> protos = {proto::tcp, proto::tcp, proto::udp, proto::udp, icmp};
        p.proto = g.pick(protos);
        bool local = g.chance(30);
        if (local) {
            std::string src = g.chance(20) ? v.loopback : g.pick(v.own);
            if (v6 && src != v.loopback && g.chance(25)) src = "::";  // unbound: source selection picks
            p.src = address(src);
            p.dst = address(g.chance(40) ? g.pick(v.own) : g.pick(v.remote));
            if (src == v.loopback && g.chance(70)) p.dst = p.src;
        } else {
            std::string s = g.pick(v.remote);
            const std::string home = side(v, s), other = home == "lan0" ? "wan1" : "lan0";
            std::string in = g.chance(85) ? home : other;
            if (v6 && g.chance(5)) {
                s = "fe80::7";  // a link-local source: delivered, or "beyond scope" when forwarded
                in = "wan1";
            }
            p.src = address(s);
            p.in = IfaceName(in);
            p.dst = address(g.pick(wire_destinations(v, in)));
        }
        if (p.proto == icmp) {
            const std::vector<std::uint8_t> types = {echo_request, echo_request, echo_reply, static_cast<std::uint8_t>(v6 ? 200 : 13)};
            p.icmp_type = g.pick(types);
            p.icmp_id = static_cast<std::uint16_t>(1 + g.below(1000));
            // An echo request to all nodes, sometimes.
            if (v6 && !local && p.icmp_type == echo_request && g.chance(15)) p.dst = address("ff02::1");
        } else {
            p.sport = next_port++;
            p.dport = g.pick(ports);
        }
        if (p.proto == proto::tcp) {
            static const std::vector<std::uint8_t> flags = {tcp_flag::syn,
                                                            tcp_flag::syn,
                                                            tcp_flag::ack,
                                                            tcp_flag::syn | tcp_flag::ack,
                                                            tcp_flag::fin | tcp_flag::ack,
                                                            tcp_flag::rst,
                                                            tcp_flag::syn | tcp_flag::fin};
            p.tcp_flags = g.pick(flags);
            static const std::vector<std::uint32_t> starts = {0, 1000, 0xfffffc00u};  // the last wraps within a segment or two
            p.tcp_seq = g.chance(75) ? g.pick(starts) : static_cast<std::uint32_t>(g.below(1u << 31)) * 2u;
            if (p.tcp_flags & tcp_flag::ack) p.tcp_ack = static_cast<std::uint32_t>(g.below(1u << 31)) * 2u;
            p.tcp_window = g.pick(windows);
            if (p.tcp_flags & tcp_flag::syn) syn_options(p);
        }
        p.length = p.proto == proto::tcp ? tcp_length(p) : ip_header + 20 + g.below(160);
        // IPv6 from the wire, sometimes larger than lan0's MTU (1400) or 2001:db8:8::/64's (1300),
        // never larger than the arrival device's (the peer could not send it).
        if (v6 && !local && g.chance(5)) p.length = 1300 + g.below(p.in.view() == "lan0" ? 100 : 200);
        static const std::vector<std::uint8_t> ttls = {64, 64, 64, 1, 2, 255};
        p.ttl = g.pick(ttls);
        // The frame's source MAC, sometimes (the oracle's peer's own otherwise, which fwbench is not
        // told): a documentation MAC, often the one the source address's EUI-64 identifier is
        // made from (-m eui64).
        if (v6 && !local && p.src.bytes[0] != 0xfe && g.ext_chance(15)) {
            static const std::vector<MacAddr> macs = {MacAddr{{0x00, 0x00, 0x5e, 0x00, 0x53, 0x01}}, MacAddr{{0x00, 0x00, 0x5e, 0x00, 0x53, 0xaa}}};
            p.has_mac = true;
            p.src_mac = g.ext_pick(macs);
            if (g.ext_chance(60)) {
                const auto& m = p.src_mac.bytes;
                const std::uint8_t eui64[8] = {static_cast<std::uint8_t>(m[0] ^ 0x02), m[1], m[2], 0xff, 0xfe, m[3], m[4], m[5]};
                std::copy(eui64, eui64 + 8, p.src.bytes.begin() + 8);
            }
        }
        if (v6 && !local && p.length < 1200 && g.ext_chance(40)) {
            // To the host: its own addresses, its subnet-router anycast ones and all nodes.
            const std::string to = format_ip(p.dst);
            const bool reads_bytes = rc.rules.find(" -m string ") != std::string::npos || rc.rules.find(" -m u32 ") != std::string::npos ||
                                     rc.rules.find(" -m bpf ") != std::string::npos;
            p = with_extension_headers(g, p, side(v, to).empty() || to.back() == ':' || to.rfind("ff", 0) == 0, reads_bytes, hashes_ports(rc.rules));
        }
        rc.packets.push_back({p, local ? Origin::local : Origin::wire});
    }
    rc.legacy = g.chance(15);
    // Now and then a few IPsec packets passing through (ESP, IPComp where no HMARK rule is, and
    // IPv4's AH as its upper layer), which -m esp, -m ah and -m ipcomp read; never to the host,
    // whose handling of them (which protocol handlers its kernel has loaded) no description gives.
    if (g.newer_modules && g.latest_chance(40)) {
        const int extra = 1 + static_cast<int>(g.latest_below(4));
        for (int i = 0; i < extra; ++i) {
            Packet p;
            p.family = v.family;
            p.ip_header_len = static_cast<std::uint16_t>(ip_header);
            t += 1000000;
            p.timestamp_ns = t;
            std::vector<std::uint8_t> protos = {proto::esp, proto::esp};
            if (!v6) protos.push_back(proto::ah);
            // HMARK hashes the two bytes after an IPComp header, which fwbench does not keep: it
            // refuses such a packet where HMARK is in the ruleset.
            // hashlimit hashing ports reads the same two bytes (as a destination port).
            if (rc.rules.find("-j HMARK") == std::string::npos && !hashes_ports(rc.rules)) protos.push_back(proto::ipcomp);
            p.proto = g.latest_pick(protos);
            static const std::vector<std::uint32_t> spis = {256, 512, 0x10000};
            p.esp_spi = g.latest_pick(spis);
            p.ipcomp_cpi = static_cast<std::uint16_t>(g.latest_pick(spis) & 0xffff);
            p.ah.present = p.proto == proto::ah;
            p.ah.spi = g.latest_pick(spis);
            p.ah.length = 16;
            const bool from_lan = g.latest_chance(50);
            p.src = address(v6 ? (from_lan ? "2001:db8:2::50" : "2001:db8:9::7") : (from_lan ? "192.0.2.50" : "198.51.100.7"));
            p.dst = address(v6 ? (from_lan ? "2001:db8:9::130" : "2001:db8:2::77") : (from_lan ? "198.51.100.130" : "192.0.2.77"));
            p.in = IfaceName(from_lan ? "lan0" : "wan1");
            p.length = ip_header + 16 + g.latest_below(100);
            p.ttl = 64;
            rc.packets.push_back({p, Origin::wire});
        }
    }
    // And a few IPv6 mobility headers passing through, which -m mh reads (never to the host, for
    // the same reason).
    if (v6 && g.ext_chance(40)) {
        const int extra = 1 + static_cast<int>(g.ext_below(3));
        for (int i = 0; i < extra; ++i) {
            const bool from_lan = g.ext_chance(50);
            t += 1000000;
            Packet p = parse_packet_description(
                           std::string("mh ") + (from_lan ? "2001:db8:2::50 > 2001:db8:9::130 in lan0" : "2001:db8:9::7 > 2001:db8:2::77 in wan1") +
                               " mhtype=" + std::to_string(g.ext_pick(std::vector<int>{0, 1, 3, 5, 6, 10})),
                           "random")
                           .packet;
            p.timestamp_ns = t;
            rc.packets.push_back({p, Origin::wire});
        }
    }
    for (const auto& [p, origin] : rc.packets) rc.payloads.push_back(random_payload(g, p));
    return rc;
}

}  // namespace

RandomCase make_random_case(std::uint64_t seed) { return make_case(seed, ipv4_words, true); }
RandomCase make_random_case6(std::uint64_t seed) { return make_case(seed, ipv6_words, true); }
RandomCase make_modelled_random_case(std::uint64_t seed) { return make_case(seed, ipv4_words, false); }
RandomCase make_modelled_random_case6(std::uint64_t seed) { return make_case(seed, ipv6_words, false); }

}  // namespace fwbench::test
