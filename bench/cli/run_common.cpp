#include "run_common.hpp"

#include "fwbench/ruleset_parser.hpp"
#include "fwbench/ruleset_printer.hpp"
#include "output.hpp"

namespace fwbench {

void write_counters(const RunCommon& o, const Ruleset& rs, const CounterSource& counters) {
    if (o.counters.empty()) return;
    Output out(o.counters);
    out.stream() << format_ruleset(rs, &counters);
}

nlohmann::ordered_json fates_json(const std::uint64_t (&fates)[6]) {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    for (int k = 0; k < 6; ++k)
        if (fates[k]) j[fate_name(static_cast<Fate>(k))] = fates[k];
    return j;
}

std::string fates_text(const std::uint64_t (&fates)[6]) {
    std::string out;
    for (int k = 0; k < 6; ++k)
        if (fates[k]) out += std::string(" ") + fate_name(static_cast<Fate>(k)) + " " + std::to_string(fates[k]);
    return out;
}

}  // namespace fwbench
