// split_capture: a capture's frames into one pcap file per receive queue, by the queue a NIC's
// RSS with the symmetric key would give each (rss.hpp): both directions of a flow in one file.
// For devices whose queues are files: `--vdev=net_pcap0,rx_pcap=P-q0.pcap,rx_pcap=P-q1.pcap`
// gives the port dataplane's workers a queue each, as a NIC's RSS would.
//   split_capture CAPTURE --queues N -o PREFIX [--iface NAME]
// writes PREFIX-q0.pcap ... PREFIX-q{N-1}.pcap (nanosecond pcap, the capture's link type), in
// capture order, and prints how many frames each got. A frame that is not IP, or whose headers
// do not parse, goes to queue 0, where a NIC puts what RSS does not hash. --iface keeps the
// records of one pcapng interface only.
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "fwbench/capture.hpp"
#include "fwbench/packet_codec.hpp"
#include "fwbench/rss.hpp"

using namespace fwbench;

int main(int argc, char** argv) {
    CLI::App app{"Splits a capture into one pcap per RSS queue (symmetric key)"};
    std::string capture, prefix, iface;
    unsigned queues = 2;
    app.add_option("capture", capture, "pcap or pcapng")->required();
    app.add_option("--queues", queues, "receive queues (files)")->check(CLI::Range(1u, 128u));
    app.add_option("-o,--output", prefix, "output prefix: PREFIX-qK.pcap")->required();
    app.add_option("--iface", iface, "only the records of this pcapng interface");
    CLI11_PARSE(app, argc, argv);
    try {
        CaptureReader reader(capture);
        CaptureRecord rec;
        std::vector<std::ofstream> out;
        std::vector<std::uint64_t> counts(queues, 0);
        std::uint16_t link_type = 0;
        std::vector<std::uint8_t> bytes;
        while (reader.next(rec)) {
            if (!iface.empty() && rec.iface != iface) continue;
            if (out.empty()) {
                link_type = rec.link_type;
                for (unsigned q = 0; q < queues; ++q) {
                    const std::string name = prefix + "-q" + std::to_string(q) + ".pcap";
                    out.emplace_back(name, std::ios::binary);
                    if (!out.back()) throw std::runtime_error("cannot write " + name);
                    bytes.clear();
                    append_pcap_header(bytes, link_type, true);
                    out.back().write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
                }
            } else if (rec.link_type != link_type) {
                throw std::runtime_error(capture + ": record " + std::to_string(rec.index) + " has link type " + std::to_string(rec.link_type) +
                                         ", the first had " + std::to_string(link_type) + ": a pcap file holds one (give --iface)");
            }
            unsigned q = 0;
            if (rec.problem.empty() && !rec.l3.empty()) {
                const ParsedDatagram d = parse_datagram(rec.l3.data(), rec.l3.size(), rec.l3_wire_length);
                if (d.error == Malformation::none) q = rss_queue(symmetric_rss_hash(d.packet), queues);
            }
            CaptureFrame f{rec.timestamp_ns, std::move(rec.frame), 0, Direction::unknown, rec.origlen};
            bytes.clear();
            append_pcap_record(bytes, f, true);
            rec.frame = std::move(f.data);
            out[q].write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
            ++counts[q];
        }
        if (out.empty()) throw std::runtime_error(capture + ": no record" + (iface.empty() ? "" : " on interface " + iface));
        for (unsigned q = 0; q < queues; ++q) {
            out[q].close();
            if (!out[q]) throw std::runtime_error("writing " + prefix + "-q" + std::to_string(q) + ".pcap failed");
            std::cout << prefix << "-q" << q << ".pcap: " << counts[q] << " frames\n";
        }
    } catch (const std::exception& e) {
        std::cerr << "split_capture: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
