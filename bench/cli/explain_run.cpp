#include "explain_run.hpp"

#include <algorithm>
#include <iostream>
#include <map>
#include <sstream>

#include "explain.hpp"
#include "chain_notes.hpp"
#include "host_notes.hpp"
#include "fwbench/capture_analysis.hpp"
#include "fwbench/eal.hpp"
#include "fwbench/packet_codec.hpp"
#include "fwbench/packet_description.hpp"
#include "fwbench/packet_path.hpp"
#include "fwbench/packet_source.hpp"

namespace fwbench {

namespace {

// The explanation of a packet replayed from a capture (its frame gives the log lines' bytes).
std::string describe_replayed(const PacketPath& path, const AnalyzedPacket& rp, const FrameView& frame) {
    std::string head = "capture packet " + std::to_string(rp.index) + " on " + rp.iface + " (" + capture_origin_name(rp.origin) + ")";
    if (rp.origin == CaptureOrigin::wire || rp.origin == CaptureOrigin::local) {
        const Packet& p0 = rp.result.walks.empty() ? rp.result.final_packet : *rp.result.walks.front().seen;
        head += ": " + format_protocol(p0.proto) + " " + format_endpoint(p0.src, p0.sport) + " > " + format_endpoint(p0.dst, p0.dport);
        std::vector<LoggedLine> log;
        logged_lines(path.ruleset(), path.host(), rp, frame, log);
        return format_explanation(path, rp.result, head, rp.origin == CaptureOrigin::local, log);
    }
    if (rp.origin == CaptureOrigin::forwarded_copy)
        return "packet: " + head + "\n  the outbound copy of forwarded packet " + std::to_string(rp.copy_of) + " (explain that one)\n";
    if (rp.origin == CaptureOrigin::answer)
        return "packet: " + head + "\n  the kernel's answer to packet " + std::to_string(rp.copy_of) +
               " (explain that one: its path shows the answer's)\n";
    if (rp.origin == CaptureOrigin::answer_to_unseen)
        return "packet: " + head +
               "\n  the kernel's answer to a packet the capture does not show (the host's own packet, REJECTed in OUTPUT before any device "
               "saw it); not processed\n";
    return "packet: " + head + "\n  not processed: " + rp.reason + "\n";
}

}  // namespace

CLI::App* add_explain_command(CLI::App& app, ExplainCli& cli) {
    auto* explain = app.add_subcommand("explain", "trace packets through the host's packet path, rule by rule");
    SourceOptions& src = cli.sources;
    explain->add_option("--rules", src.rules_path, "iptables-save ruleset (default: the running host's)");
    explain->add_option("--host", src.host_path, "host JSON: ip -j addr, or {addr, route, rule, sysctl} (fwbench dump-host)");
    explain->add_option("--ipsets", src.ipsets_path, "ipset save output for -m set");
    explain->add_option("--rules6", cli.rules6,
                        "ip6tables-save ruleset for the IPv6 packets of a dual-stack run (--rules then gives the iptables one)");
    explain->add_option("--family", src.family, "4 or 6")->check(CLI::IsMember({0, 4, 6}));
    explain->add_flag("--lenient", src.lenient, "skip rules that do not parse");
    explain->add_option("--backend", src.backend, "iptables backend: nft or legacy (default: from the ruleset's header)")
        ->check(CLI::IsMember({"nft", "legacy"}));
    explain->add_option("--seed", cli.seed, "seed for -m statistic --mode random");
    explain->add_option("--pcap", cli.pcap, "capture whose packets PACKET indexes (from 0)");
    explain->add_option("--iface", cli.iface, "interface for captures that carry none");
    explain
        ->add_option("packets", cli.packets,
                     "packets, e.g. \"tcp 203.0.113.1:40000 > 203.0.113.1:22 from local\" or "
                     "\"udp 198.51.100.7:53 > 192.0.2.10:53 in wan1 [established]\", or an index into --pcap")
        ->required();
    explain->footer(
        "A PACKET is written as\n"
        "  PROTO SRC[:PORT] > DST[:PORT] (from local | in IFACE) [established] [KEY=VALUE ...]\n"
        "PROTO is a name or number (tcp, udp, icmp, 47); IPv6 addresses are written [ADDR]:PORT.\n"
        "'from local': sent by a socket on the host (SRC 0.0.0.0 lets routing choose the source);\n"
        "'in IFACE': arrived from the wire on IFACE. '[established]': the packet belongs to a connection\n"
        "already set up in the other direction. KEY=VALUE fields:\n"
        "  flags=FSRPAUEC  TCP flags (default: S, a new connection's SYN; A with [established]; flags= none)\n"
        "  len=N ttl=N tos=N mark=N ctmark=N  lengths and marks\n"
        "  type=T[/C] id=N  ICMP type, code and id; quoted=PROTO:SRC:SPORT>DST:DPORT  the packet an ICMP error quotes\n"
        "  out=IFACE mac=MAC uid=N gid=N pkttype=host|broadcast|multicast t=SECONDS frag=1 (a non-first fragment) opt=KINDS\n"
        "  IPv6: ext=hop,dst,route,frag,ah  extension headers; mf=0|1 fragid=N fragres=0|1  the fragment header's fields\n"
        "        hopopts=TYPE:LEN,... dstopts=...  options (0 alone: Pad1), padded to 8 bytes; ahspi=N ahlen=BYTES ahres=0|1  AH\n"
        "  esp: espspi=N   mh (mobility-header): mhtype=N mhproto=N   ah (IPv4): ahspi=N\n"
        "Examples:\n"
        "  fwbench explain --rules rules.v4 --host host.json \"tcp 203.0.113.1:40000 > 203.0.113.1:22 from local\"\n"
        "  fwbench explain --rules rules.v4 --host host.json \"udp 198.51.100.7:53 > 192.0.2.10:53 in wan1 [established]\"\n"
        "  fwbench explain --rules rules.v4 --host host.json --pcap capture.pcap 0 7\n"
        "  fwbench explain --rules rules.v4 --rules6 rules.v6 --host host.json --pcap dual-stack.pcap 0 7");
    return explain;
}

int run_explain(const ExplainCli& cli) {
    const SourceOptions& o = cli.sources;
    const std::vector<std::string>& packets = cli.packets;
    const std::string& pcap = cli.pcap;
    const std::string& iface = cli.iface;
    auto ipsets = load_ipsets(o);
    Host host = load_host(o);
    Ruleset rs = load_ruleset(o, ipsets ? &*ipsets : nullptr);
    const std::optional<Ruleset> rs6 = load_ruleset6(o, cli.rules6, rs, ipsets ? &*ipsets : nullptr);
    PacketPath path(rs, host, ipsets ? &*ipsets : nullptr);
    EngineOptions eopt;
    eopt.seed = cli.seed;
    PathState st(rs, eopt, host.sysctl());
    // A dual-stack run: IPv6 packets go through the ip6tables ruleset's path.
    std::unique_ptr<PacketPath> path6;
    std::unique_ptr<PathState> st6;
    if (rs6) {
        path6 = std::make_unique<PacketPath>(*rs6, host, ipsets ? &*ipsets : nullptr);
        st6 = std::make_unique<PathState>(*rs6, eopt, host.sysctl());
    }
    auto path_of = [&](Family f) -> const PacketPath& { return path6 && f == Family::ipv6 ? *path6 : path; };
    auto state_of = [&](Family f) -> PathState& { return st6 && f == Family::ipv6 ? *st6 : st; };
    bool first = true;
    std::ostringstream notes;
    write_assumptions(notes, host, "");
    write_base_chain_note(notes, rs, "");
    if (rs6) write_base_chain_note(notes, *rs6, "");
    if (!notes.str().empty()) {
        std::cout << notes.str();
        first = false;  // a blank line between them and the first packet
    }
    auto print = [&](const std::string& text) {
        if (!first) std::cout << '\n';
        first = false;
        std::cout << text;
    };
    // PACKET is a capture index (with --pcap) or a description.
    std::vector<std::uint64_t> indexes;
    std::vector<std::string> descriptions;
    for (const auto& p : packets) {
        bool numeric = !p.empty() && p.find_first_not_of("0123456789") == std::string::npos;
        if (numeric && pcap.empty()) throw std::runtime_error("packet '" + p + "' is an index: give the capture with --pcap");
        if (numeric) indexes.push_back(std::stoull(p));
        else descriptions.push_back(p);
    }
    if (!indexes.empty()) {
        // Replay the capture, through the same mbuf pipeline as --pcap, up to the last index
        // asked for: conntrack and stateful matches then hold what they held for each packet.
        std::uint64_t last = *std::max_element(indexes.begin(), indexes.end());
        ensure_eal();
        MbufPool pool("fwbench_explain", 1023);
        CaptureFileSource source(pcap, pool.get());
        const CaptureAnalysisOptions ropt{iface, false, 2000000000ull};
        const std::unique_ptr<CaptureAnalysis> analysis =
            rs6 ? std::make_unique<CaptureAnalysis>(path, st, *path6, *st6, ropt) : std::make_unique<CaptureAnalysis>(path, st, ropt);
        CaptureAnalysis& replay = *analysis;
        std::map<std::uint64_t, std::string> texts;
        rte_mbuf* m = nullptr;
        std::vector<std::uint8_t> scratch;
        while (source.rx_burst(&m, 1) == 1) {
            std::uint64_t index = packet_meta(m).index;
            bool wanted = std::find(indexes.begin(), indexes.end(), index) != indexes.end();
            AnalyzedPacket rp;
            const FrameView frame = frame_view(m, scratch);
            replay.feed(frame, rp, wanted);
            if (wanted) texts[index] = describe_replayed(path_of(rp.input.family), rp, frame);
            rte_pktmbuf_free(m);
            if (index >= last) break;
        }
        for (auto idx : indexes) {
            auto it = texts.find(idx);
            if (it == texts.end()) throw std::runtime_error("the capture has no packet " + std::to_string(idx));
            print(it->second);
        }
    }
    DatagramRewriter rewriter;  // the described packets' bytes as each hook holds them
    for (std::size_t i = 0; i < descriptions.size(); ++i) {
        PacketDescription d = parse_packet_description(descriptions[i], "packet " + std::to_string(i + 1));
        if (!d.local && d.packet.in.empty())
            throw std::runtime_error("packet " + std::to_string(i + 1) + ": say where it comes from: 'from local' or 'in IFACE'");
        const PacketPath& family_path = path_of(d.packet.family);
        PathState& family_state = state_of(d.packet.family);
        std::string note;
        if (d.established && !family_path.conntrack_active())
            note = "note: [established] changes nothing here: no rule of this ruleset needs conntrack, so the kernel tracks no connections\n";
        else if (d.established && !family_state.conntrack.seed_established(d.packet))
            throw std::runtime_error("packet " + std::to_string(i + 1) + ": [established] needs a trackable packet of a connection not tracked yet");
        const Origin origin = d.local ? Origin::local : Origin::wire;
        // A described packet's bytes are the ones kernel-check would send (build_ipv4: IP ID 0,
        // DF, no options; build_ipv6: no extension headers; its payload= after the transport
        // header): what -m string, -m u32 and -m bpf read. Its frame comes to the interface's MAC.
        const std::vector<std::uint8_t> datagram = build_datagram(d.packet, d.payload);
        d.packet.bytes = datagram;
        family_state.engine.datagram = &rewriter;
        PathResult r = family_path.process(d.packet, origin, family_state, true);
        std::vector<LoggedLine> log;
        logged_lines(family_path.ruleset(), r, origin, datagram.data(), datagram.size(), link_header_of_packet(d.packet, host), log);
        std::string text = format_explanation(family_path, r, descriptions[i], d.local, log);
        if (!log.empty())
            text +=
                "  (logs: a described packet's IP ID, TCP sequence numbers and window are fwbench's defaults, its sender's MAC\n"
                "   unknown; explain a capture's packet by index for the bytes it really had)\n";
        const Packet& got = r.final_packet;
        if (r.fate == Fate::delivered && !host.sockets() &&
            (got.proto == proto::tcp || got.proto == proto::udp || (got.proto == proto::icmp && got.icmp_type == 8)))
            text +=
                "  (the host description lists no sockets (\"sockets\": the lines of `ss -Htuln`, as `fwbench dump-host` writes\n"
                "   them): what the host's own stack sends back, a SYN-ACK from a listener, a reset or port unreachable from a\n"
                "   closed port, an echo reply, is not modelled)\n";
        print(note + text);
    }
    return 0;
}

}  // namespace fwbench
