// gen_router_workload: writes a generated router workload (traces/router_workload.hpp) into a
// directory: rules.v4, host.json and capture.pcapng, for fwbench --rules/--host/--pcap; and
// in-IFACE.pcap, what each interface receives as Ethernet frames, for DPDK ports
// (--port net_pcap0=wan1 --eal '--vdev=net_pcap0,rx_pcap=DIR/in-wan1.pcap,infinite_rx=1').
// The captures are written as the traffic is made, so their size is bounded by the disk only
// (--packets 10000000 writes about 3 GB).

#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "router_workload.hpp"

namespace {

// A file written a buffer at a time; any failure ends the program naming the file.
class OutFile {
public:
    explicit OutFile(std::filesystem::path path) : path_(std::move(path)), out_(path_, std::ios::binary) { check(); }
    std::vector<std::uint8_t>& buffer() { return buffer_; }
    void flush_if_full() {
        if (buffer_.size() >= (1u << 20)) flush();
    }
    void flush() {
        out_.write(reinterpret_cast<const char*>(buffer_.data()), static_cast<std::streamsize>(buffer_.size()));
        buffer_.clear();
        check();
    }
    ~OutFile() {
        flush();
        out_.close();
        check();
    }

private:
    void check() {
        if (!out_) {
            std::cerr << "gen_router_workload: cannot write " << path_ << "\n";
            std::exit(1);
        }
    }
    std::filesystem::path path_;
    std::ofstream out_;
    std::vector<std::uint8_t> buffer_;
};

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Write a generated router workload: rules.v4, host.json, capture.pcapng"};
    fwbench::RouterWorkloadOptions opt;
    std::string dir;
    std::uint64_t packets = 0;
    app.add_option("-o,--output", dir, "directory to write into (created)")->required();
    auto* flows =
        app.add_option("--flows", opt.flows, "flows in the capture (a flow starts every --flow-gap-us on average)")->check(CLI::Range(1, 100000000));
    app.add_option("--packets", packets, "packets in the capture: flows are made until there are this many, and the capture ends there")
        ->check(CLI::Range(1, 1000000000))
        ->excludes(flows);
    app.add_option("--seed", opt.seed, "random seed");
    app.add_option("--blocklist", opt.blocklist, "single-address DROP rules on the WAN side (at most 307)")->check(CLI::Range(0, 307));
    app.add_option("--forwards", opt.forwards, "DNAT port forwards (at most 100)")->check(CLI::Range(1, 100));
    app.add_option("--flow-gap-us", opt.flow_gap_us,
                   "mean microseconds between two flows' starts (default 4000); 4 holds a million flows in conntrack at once")
        ->check(CLI::Range(1, 1000000));
    app.add_option("--data-scale", opt.data_scale, "data segments per TCP connection, times this (default 1); 20 makes long flows")
        ->check(CLI::Range(1, 1000));
    app.add_option("--resolvers", opt.resolvers,
                   "resolvers the LAN's DNS goes to (default 1); one MASQUERADE address has 64,512 ports toward each, so a million "
                   "flows at once needs 8")
        ->check(CLI::Range(1, 16));
    CLI11_PARSE(app, argc, argv);
    if (packets) {
        opt.flows = ~std::uint64_t{0};
        opt.max_packets = packets;
    }
    const std::filesystem::path out = dir;
    std::filesystem::create_directories(out);
    {
        OutFile rules(out / "rules.v4"), host(out / "host.json");
        const std::string r = fwbench::router_ruleset(opt), h = fwbench::router_host_json();
        rules.buffer().assign(r.begin(), r.end());
        host.buffer().assign(h.begin(), h.end());
    }
    OutFile capture(out / "capture.pcapng");
    fwbench::append_pcapng_header(capture.buffer(), fwbench::router_capture_interfaces());
    std::vector<std::unique_ptr<OutFile>> inbound;
    for (const auto& itf : fwbench::router_capture_interfaces()) {
        inbound.push_back(std::make_unique<OutFile>(out / ("in-" + itf.name + ".pcap")));
        fwbench::append_pcap_header(inbound.back()->buffer(), fwbench::linktype::ethernet);
    }
    std::uint64_t written = 0;
    fwbench::generate_router_traffic(opt, [&](const fwbench::CaptureFrame& f) {
        if (packets && written == packets) return;  // the capture ends here
        ++written;
        fwbench::append_pcapng_packet(capture.buffer(), f);
        capture.flush_if_full();
        if (f.direction == fwbench::Direction::inbound) {
            OutFile& in = *inbound[f.interface];
            fwbench::append_pcap_record(in.buffer(), {f.timestamp_ns, fwbench::router_inbound_frame(f), 0, fwbench::Direction::unknown, 0});
            in.flush_if_full();
        }
    });
    std::cout << dir << ": " << written << " packets\n";
    return 0;
}
