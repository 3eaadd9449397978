#pragma once
// A read filter in tcpdump's language (`tcp port 22`, `host 192.0.2.7 and not arp`), compiled by
// libpcap's own compiler (pcap_compile) and run by its BPF interpreter (pcap_offline_filter) on
// each record's frame, link header included — what `tcpdump -r FILE EXPR` keeps.
//
// A filter program depends on the link type (where the IP header starts), and a pcapng file may
// mix them: one program is compiled per link type, when a record of that type first appears.
// An expression libpcap refuses is an error naming the expression and libpcap's words.

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace fwbench {

class CaptureFilter {
public:
    // Compiles for Ethernet at once, so a bad expression fails before any packet is read.
    explicit CaptureFilter(std::string expression);
    ~CaptureFilter();
    CaptureFilter(const CaptureFilter&) = delete;
    CaptureFilter& operator=(const CaptureFilter&) = delete;

    // Whether tcpdump would keep this record. Throws std::runtime_error when the expression does
    // not apply to the link type (e.g. `ether host ...` on raw IP).
    bool keeps(std::uint16_t link_type, const std::uint8_t* frame, std::uint32_t caplen, std::uint32_t origlen);
    const std::string& expression() const { return expression_; }

private:
    struct Program;
    Program& program_for(std::uint16_t link_type);
    std::string expression_;
    std::map<std::uint16_t, std::unique_ptr<Program>> programs_;
};

}  // namespace fwbench
