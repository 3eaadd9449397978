// gen_router_workload: writes a generated router workload (traces/router_workload.hpp) into a
// directory: rules.v4, host.json and capture.pcapng, for fwbench --rules/--host/--pcap; and
// in-IFACE.pcap, what each interface receives as Ethernet frames, for DPDK ports
// (--port net_pcap0=wan1 --eal '--vdev=net_pcap0,rx_pcap=DIR/in-wan1.pcap,infinite_rx=1').

#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "router_workload.hpp"

int main(int argc, char** argv) {
    CLI::App app{"Write a generated router workload: rules.v4, host.json, capture.pcapng"};
    fwbench::RouterWorkloadOptions opt;
    std::string dir;
    app.add_option("-o,--output", dir, "directory to write into (created)")->required();
    app.add_option("--flows", opt.flows, "flows in the capture (at most 40000: each uses its own client port)")->check(CLI::Range(1, 40000));
    app.add_option("--seed", opt.seed, "random seed");
    app.add_option("--blocklist", opt.blocklist, "single-address DROP rules on the WAN side (at most 307)")->check(CLI::Range(0, 307));
    app.add_option("--forwards", opt.forwards, "DNAT port forwards (at most 100)")->check(CLI::Range(1, 100));
    CLI11_PARSE(app, argc, argv);
    fwbench::RouterWorkload w = fwbench::make_router_workload(opt);
    std::filesystem::create_directories(dir);
    auto write = [&](const std::string& name, const char* data, std::size_t size) {
        std::ofstream out(std::filesystem::path(dir) / name, std::ios::binary);
        out.write(data, static_cast<std::streamsize>(size));
        if (!out) {
            std::cerr << "gen_router_workload: cannot write " << (std::filesystem::path(dir) / name) << "\n";
            std::exit(1);
        }
    };
    write("rules.v4", w.rules.data(), w.rules.size());
    write("host.json", w.host_json.data(), w.host_json.size());
    write("capture.pcapng", reinterpret_cast<const char*>(w.capture.data()), w.capture.size());
    for (const auto& [iface, bytes] : w.inbound_by_interface)
        write("in-" + iface + ".pcap", reinterpret_cast<const char*>(bytes.data()), bytes.size());
    std::cout << dir << ": " << w.flows << " flows, " << w.packets << " packets\n";
    return 0;
}
