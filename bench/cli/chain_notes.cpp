#include "chain_notes.hpp"

#include <string>
#include <vector>

namespace fwbench {

namespace {

std::vector<std::string> chains_with(const Ruleset& rs, ChainPresence presence) {
    std::vector<std::string> out;
    for (const auto& t : rs.tables)
        for (const auto& c : t.chains)
            if (c.builtin && rs.presence(c) == presence) out.push_back(t.name + " " + c.name);
    return out;
}

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out.append(out.empty() ? "" : ", ").append(n);
    return out;
}

}  // namespace

void write_base_chain_note(std::ostream& os, const Ruleset& rs, std::string_view indent) {
    const auto absent = chains_with(rs, ChainPresence::absent), uncounted = chains_with(rs, ChainPresence::uncounted);
    if (absent.empty() && uncounted.empty()) return;
    os << indent << "base chains (" << backend_name(rs.backend) << " creates only those named; from " << rs.chain_presence_source << "):\n";
    if (!absent.empty()) os << indent << "  not created, packets do not pass them: " << joined(absent) << "\n";
    if (!uncounted.empty()) os << indent << "  created by a rule command, their policy decides but never counts: " << joined(uncounted) << "\n";
}

nlohmann::ordered_json base_chains_json(const Ruleset& rs) {
    return {{"source", rs.chain_presence_source},
            {"absent", chains_with(rs, ChainPresence::absent)},
            {"uncounted", chains_with(rs, ChainPresence::uncounted)}};
}

}  // namespace fwbench
