#include "fwbench/capture_filter.hpp"

#include <pcap/pcap.h>

#include <stdexcept>

namespace fwbench {

struct CaptureFilter::Program {
    bpf_program bpf{};
    ~Program() { pcap_freecode(&bpf); }
};

CaptureFilter::CaptureFilter(std::string expression) : expression_(std::move(expression)) { program_for(DLT_EN10MB); }

CaptureFilter::~CaptureFilter() = default;

CaptureFilter::Program& CaptureFilter::program_for(std::uint16_t link_type) {
    auto it = programs_.find(link_type);
    if (it != programs_.end()) return *it->second;
    // The capture files' link types are LINKTYPE values; pcap_open_dead wants the DLT, the same
    // number for every type fwbench reads but raw IP (LINKTYPE 101, DLT_RAW 12 or 14).
    pcap_t* dead = pcap_open_dead(link_type == 101 ? DLT_RAW : link_type, 262144);
    if (!dead) throw std::runtime_error("--filter: libpcap cannot open a handle for link type " + std::to_string(link_type));
    auto program = std::make_unique<Program>();
    const int failed = pcap_compile(dead, &program->bpf, expression_.c_str(), 1, PCAP_NETMASK_UNKNOWN);
    std::string why = failed ? pcap_geterr(dead) : "";
    pcap_close(dead);
    if (failed) throw std::runtime_error("--filter '" + expression_ + "': " + why + " (link type " + std::to_string(link_type) + ")");
    return *programs_.emplace(link_type, std::move(program)).first->second;
}

bool CaptureFilter::keeps(std::uint16_t link_type, const std::uint8_t* frame, std::uint32_t caplen, std::uint32_t origlen) {
    pcap_pkthdr header{};
    header.caplen = caplen;
    header.len = origlen ? origlen : caplen;
    return pcap_offline_filter(&program_for(link_type).bpf, &header, frame) != 0;
}

}  // namespace fwbench
