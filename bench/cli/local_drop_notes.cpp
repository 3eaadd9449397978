#include "local_drop_notes.hpp"

#include <algorithm>
#include <variant>

#include "fwbench/packet_path.hpp"

namespace fwbench {
namespace {

// Whether a packet can end here, dropped: DROP, REJECT, or a queue (no listener drops it).
bool can_drop(const Rule& r) {
    if (!r.target) return false;
    const TargetSpec& t = r.target->spec;
    if (const auto* s = std::get_if<StandardTarget>(&t)) return s->kind == StandardTarget::Kind::drop || s->kind == StandardTarget::Kind::queue;
    return std::holds_alternative<RejectTarget>(t) || std::holds_alternative<NfqueueTarget>(t);
}

}  // namespace

std::vector<std::string> chains_counting_unseen_local_drops(const Ruleset& rs) {
    struct Stop {
        const Table* table;
        Hook hook;
    };
    std::vector<Stop> stops;  // where the host's own packet passes, in order
    for (Hook h : {Hook::output, Hook::postrouting})
        for (std::string_view name : tables_in_hook_order(h, rs.backend))
            for (std::size_t ti = 0; ti < rs.tables.size(); ++ti)
                if (rs.tables[ti].name == name && rs.base_chain(ti, h) >= 0) stops.push_back({&rs.tables[ti], h});
    std::ptrdiff_t last = -1;
    for (std::size_t i = 0; i < stops.size(); ++i) {
        const Table& t = *stops[i].table;
        bool drops = false;
        for (const Chain& c : t.chains) {
            if (!(c.hooks & hook_bit(stops[i].hook))) continue;
            drops = drops ||
                    (c.builtin && c.name == (stops[i].hook == Hook::output ? "OUTPUT" : "POSTROUTING") && c.policy == StandardTarget::Kind::drop);
            drops = drops || std::any_of(c.rules.begin(), c.rules.end(), can_drop);
        }
        if (drops) last = static_cast<std::ptrdiff_t>(i);
    }
    std::vector<std::string> out;
    for (std::ptrdiff_t i = 0; i <= last; ++i) {
        const Stop& s = stops[static_cast<std::size_t>(i)];
        for (const Chain& c : s.table->chains) {
            if (!(c.hooks & hook_bit(s.hook)) || (!c.builtin && c.rules.empty())) continue;
            std::string label = s.table->name + " " + c.name;
            if (std::find(out.begin(), out.end(), label) == out.end()) out.push_back(std::move(label));
        }
    }
    return out;
}

}  // namespace fwbench
