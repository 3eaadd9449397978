#include "fwbench/classbench_trace.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

#include "fwbench/parse_error.hpp"

namespace fwbench {

ClassBenchTrace parse_classbench_trace(std::string_view text, const std::string& source) {
    ClassBenchTrace trace;
    int line_no = 0;
    std::size_t pos = 0;
    static constexpr const char* names[] = {"source address", "destination address", "source port", "destination port", "protocol", "flags",
                                            "rule id"};
    static constexpr std::uint64_t limits[] = {0xffffffffu, 0xffffffffu, 65535, 65535, 255, 0xffffffffu, 0xffffffffu};
    while (pos < text.size()) {
        auto nl = text.find('\n', pos);
        auto line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
        ++line_no;
        std::uint64_t f[7] = {};
        int nfields = 0;
        std::size_t i = 0;
        while (true) {
            while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
            if (i >= line.size()) break;
            if (nfields == 7)
                throw ParseError(source, line_no, static_cast<int>(i) + 1, "expected at most 7 fields (SRC DST SPORT DPORT PROTO [FLAGS] [RULE])");
            std::uint64_t v = 0;
            auto [end, ec] = std::from_chars(line.data() + i, line.data() + line.size(), v);
            std::size_t used = static_cast<std::size_t>(end - (line.data() + i));
            bool sep_ok = i + used == line.size() || line[i + used] == ' ' || line[i + used] == '\t' || line[i + used] == '\r';
            if (ec != std::errc() || used == 0 || !sep_ok || v > limits[nfields])
                throw ParseError(
                    source, line_no, static_cast<int>(i) + 1,
                    std::string("expected the ") + names[nfields] + " as an unsigned decimal number up to " + std::to_string(limits[nfields]));
            f[nfields++] = v;
            i += used;
        }
        if (nfields == 0) continue;
        if (nfields < 5) throw ParseError(source, line_no, static_cast<int>(line.size()) + 1, std::string("expected the ") + names[nfields]);
        Packet p;
        p.family = Family::ipv4;
        p.src = IpAddr::v4(static_cast<std::uint32_t>(f[0]));
        p.dst = IpAddr::v4(static_cast<std::uint32_t>(f[1]));
        p.sport = static_cast<std::uint16_t>(f[2]);
        p.dport = static_cast<std::uint16_t>(f[3]);
        p.proto = static_cast<std::uint8_t>(f[4]);
        p.length = classbench_packet_length;
        p.in = IfaceName("cb0");
        p.out = IfaceName("cb1");
        trace.packets.push_back(p);
        trace.generating_rule.push_back(nfields >= 7 ? static_cast<std::uint32_t>(f[6]) : 0);
    }
    return trace;
}

ClassBenchTrace read_classbench_trace(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ParseError(path, 0, 0, "cannot open the ClassBench trace file");
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_classbench_trace(ss.str(), path);
}

}  // namespace fwbench
