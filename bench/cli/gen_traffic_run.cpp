#include "gen_traffic_run.hpp"

#include <fstream>
#include <iostream>
#include <optional>

#include <nlohmann/json.hpp>

#include "fwbench/capture.hpp"
#include "fwbench/packet_codec.hpp"
#include "fwbench/packet_description.hpp"
#include "fwbench/packet_path.hpp"
#include "rule_traffic.hpp"
#include "sources.hpp"

namespace fwbench {

namespace {

std::uint8_t sll_pkttype(PktType t) {
    switch (t) {
        case PktType::broadcast: return 1;
        case PktType::multicast: return 2;
        case PktType::otherhost: return 3;
        case PktType::outgoing: return 4;
        case PktType::host: break;
    }
    return 0;
}

// What a capture on `itf` shows of `p`: its datagram behind a LINUX_SLL2 header.
CaptureFrame frame_of(const Packet& p, const Interface& itf, std::uint8_t pkttype, std::uint64_t timestamp_ns) {
    const std::vector<std::uint8_t> l3 = build_datagram(p);
    CaptureFrame f;
    f.timestamp_ns = timestamp_ns;
    f.data = sll2_frame(static_cast<std::uint32_t>(itf.index), pkttype, l3, itf.loopback ? 772 : 1, p.family == Family::ipv6 ? 0x86dd : 0x0800);
    const std::optional<MacAddr> mac = pkttype == 4 ? itf.mac : p.has_mac ? std::optional<MacAddr>(p.src_mac) : std::nullopt;
    if (mac) std::copy(mac->bytes.begin(), mac->bytes.end(), f.data.begin() + 12);  // the header's link-layer address
    return f;
}

}  // namespace

CLI::App* add_gen_traffic_command(CLI::App& app, GenTrafficCli& cli) {
    auto* cmd = app.add_subcommand("gen-traffic", "write a capture of packets aimed at every rule of a ruleset, each with its origin");
    cmd->add_option("--rules", cli.rules, "iptables-save ruleset")->required();
    cmd->add_option("--rules6", cli.rules6, "ip6tables-save ruleset: its packets join the capture (a dual-stack capture)");
    cmd->add_option("--host", cli.host_path, "host JSON: ip -j addr, or {addr, route, rule, sysctl} (fwbench dump-host)")->required();
    cmd->add_option("--ipsets", cli.ipsets_path, "ipset save output for -m set");
    cmd->add_option("-o,--output", cli.output, "the capture to write (pcap, LINUX_SLL2, as tcpdump -i any writes it)")->required();
    cmd->add_option("--seed", cli.seed, "seed of the generated packets");
    cmd->add_option("--random-packets", cli.random_packets, "random packets beside those aimed at rules, per ruleset");
    cmd->add_flag("--no-boundaries", cli.no_boundaries, "leave out the packets just outside each rule's port ranges and prefixes");
    cmd->add_option("--add-compare", cli.add_compare, "a compare --json report: the packets of its differences join the capture");
    return cmd;
}

int run_gen_traffic(const GenTrafficCli& cli) {
    SourceOptions src;
    src.rules_path = cli.rules;
    src.host_path = cli.host_path;
    src.ipsets_path = cli.ipsets_path;
    const Host host = load_host(src);
    const std::optional<IpsetRegistry> ipsets = load_ipsets(src);
    const IpsetRegistry* sets = ipsets ? &*ipsets : nullptr;
    const Ruleset rs = load_ruleset(src, sets);
    const std::optional<Ruleset> rs6 = load_ruleset6(src, cli.rules6, rs, sets);
    const bool boundaries = !cli.no_boundaries;
    std::vector<std::pair<Packet, Origin>> traffic = traffic_for_ruleset(rs, host, cli.seed, cli.random_packets, boundaries);
    if (rs6)
        for (auto& t : traffic_for_ruleset(*rs6, host, cli.seed + 1, cli.random_packets, boundaries)) traffic.push_back(std::move(t));
    std::size_t from_compare = 0;
    if (!cli.add_compare.empty()) {
        const nlohmann::json report = nlohmann::json::parse(slurp(cli.add_compare));
        if (!report.contains("proof")) throw std::runtime_error(cli.add_compare + ": not a compare --json report with a proof");
        for (const auto& d : report["proof"]["differences"]) {
            if (!d.contains("replay") || !d["replay"].is_string()) continue;
            const PacketDescription pd = parse_packet_description(d["replay"].get<std::string>(), cli.add_compare);
            traffic.push_back({pd.packet, pd.local ? Origin::local : Origin::wire});
            ++from_compare;
        }
    }

    // Where the host's own packets appear: routing alone decides (a path over empty rulesets).
    Ruleset none4, none6;
    none4.family = Family::ipv4;
    none6.family = Family::ipv6;
    const PacketPath route4(none4, host), route6(none6, host);
    PathState st4(none4, EngineOptions{}, host.sysctl()), st6(none6, EngineOptions{}, host.sysctl());

    const std::uint64_t base = 1700000000ull * 1000000000ull;
    std::vector<CaptureFrame> frames;
    std::uint64_t wire = 0, local = 0, unroutable = 0;
    for (std::size_t i = 0; i < traffic.size(); ++i) {
        const auto& [p, origin] = traffic[i];
        const std::uint64_t t = base + (p.timestamp_ns ? p.timestamp_ns : i * 1000000ull);
        if (origin == Origin::wire) {
            const Interface* itf = host.interface(p.in.view());
            if (!itf) throw std::runtime_error("a packet for interface " + std::string(p.in.view()) + ", which the host does not have");
            frames.push_back(frame_of(p, *itf, sll_pkttype(p.pkttype), t));
            ++wire;
            continue;
        }
        const bool v6 = p.family == Family::ipv6;
        const PathResult r = (v6 ? route6 : route4).process(p, Origin::local, v6 ? st6 : st4);
        const Interface* out = host.interface(r.out_iface.view());
        if (!out || (r.fate != Fate::sent && r.fate != Fate::delivered)) {
            ++unroutable;  // no device would show it
            continue;
        }
        Packet shown = r.final_packet;
        shown.in = IfaceName();
        frames.push_back(frame_of(shown, *out, out->loopback ? 0 : 4, t));
        ++local;
    }
    const std::vector<std::uint8_t> bytes = write_pcap(linktype::linux_sll2, frames, true);
    std::ofstream f(cli.output, std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!f) throw std::runtime_error("cannot write " + cli.output);
    std::cout << "gen-traffic: " << frames.size() << " packets to " << cli.output << " (" << wire << " from the wire, " << local
              << " the host's own), aimed at every rule of " << cli.rules << (rs6 ? " and " + cli.rules6 : std::string()) << "\n";
    if (boundaries) std::cout << "  with the packets just outside each rule's port ranges and prefixes\n";
    if (!cli.add_compare.empty()) std::cout << "  with " << from_compare << " packets of the differences in " << cli.add_compare << "\n";
    if (unroutable) std::cout << "  " << unroutable << " packets of the host's own that routing refuses (no device would show them): not written\n";
    return 0;
}

}  // namespace fwbench
