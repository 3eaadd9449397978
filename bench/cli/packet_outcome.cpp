#include "packet_outcome.hpp"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "fwbench/addr.hpp"

namespace fwbench {

namespace {

nlohmann::ordered_json tuple_json(const Packet& p) {
    nlohmann::ordered_json j = {{"src", format_ip(p.src)}, {"dst", format_ip(p.dst)}, {"proto", p.proto}};
    if (p.proto == proto::tcp || p.proto == proto::udp || p.proto == proto::sctp || p.proto == proto::udplite) {
        j["sport"] = p.sport;
        j["dport"] = p.dport;
    }
    return j;
}

const char* verdict_word(Fate f) {
    switch (f) {
        case Fate::rejected: return "REJECT";
        case Fate::queued: return "QUEUE";
        case Fate::held: return "HELD";
        case Fate::dropped: return "DROP";
        default: return "ACCEPT";
    }
}

}  // namespace

const HookWalk* deciding_walk(const PathResult& r) {
    if (!r.last_own_walk()) return nullptr;
    if (r.reason == DropReason::netfilter || r.fate == Fate::queued) return r.last_own_walk();
    if (r.reason != DropReason::none) return nullptr;  // the kernel's own drop, outside netfilter
    for (std::size_t i = r.walks.size(); i-- > 0;)
        if (r.is_own_walk(i) && std::string_view(r.walks[i].table_name) == "filter") return &r.walks[i];
    return r.last_own_walk();
}

namespace {

// The chain the walk's deciding rule belongs to (its base chain when the policy decided).
std::string_view deciding_chain(const HookWalk& w, const Ruleset& rs) {
    const Table& t = rs.tables[w.table];
    const int chain = w.walk.chain >= 0 ? w.walk.chain : t.find_chain(hook_chain_name(w.hook));
    return chain >= 0 ? std::string_view(t.chains[static_cast<std::size_t>(chain)].name) : std::string_view(hook_chain_name(w.hook));
}

}  // namespace

std::string walk_rule(const HookWalk& w, const Ruleset& rs) {
    std::string out = rs.tables[w.table].name;
    out.append(":").append(deciding_chain(w, rs));
    out.append(":").append(std::to_string(w.walk.rule + 1));
    return out;
}

VerdictLine verdict_line(const AnalyzedPacket& p, const Ruleset& rs) {
    switch (p.origin) {
        case CaptureOrigin::malformed: return {"MALFORMED", "capture:" + p.reason + ":0"};
        case CaptureOrigin::skipped: return {"SKIPPED", "capture:" + p.reason + ":0"};
        case CaptureOrigin::forwarded_copy: return {"COPY", "of:" + std::to_string(p.copy_of)};
        case CaptureOrigin::answer: return {"ANSWER", "to:" + std::to_string(p.copy_of)};
        case CaptureOrigin::answer_to_unseen: return {"ANSWER", "to:unseen"};
        default: break;
    }
    const PathResult& r = p.result;
    const char* verdict = verdict_word(r.fate);
    if (r.reason != DropReason::none && r.reason != DropReason::netfilter)
        return {verdict, std::string("kernel:") + drop_reason_name(r.reason) + ":0"};
    const HookWalk* w = deciding_walk(r);
    return {verdict, w ? walk_rule(*w, rs) : "-:-:0"};
}

void write_packet_record(std::ostream& os, const AnalyzedPacket& p, const Ruleset& rs, const std::vector<LoggedLine>* log) {
    nlohmann::ordered_json j;
    j["index"] = p.index;
    char time[32];
    std::snprintf(time, sizeof time, "%llu.%09llu", static_cast<unsigned long long>(p.timestamp_ns / 1000000000ull),
                  static_cast<unsigned long long>(p.timestamp_ns % 1000000000ull));
    j["time"] = time;
    j["origin"] = capture_origin_name(p.origin);
    j["iface"] = p.iface;
    const VerdictLine line = verdict_line(p, rs);
    if (p.origin == CaptureOrigin::malformed || p.origin == CaptureOrigin::skipped) {
        j["reason"] = p.reason;
    } else if (p.origin == CaptureOrigin::forwarded_copy) {
        j["copy_of"] = p.copy_of;
    } else if (p.origin == CaptureOrigin::answer) {
        j["answer_to"] = p.copy_of;
    } else if (p.origin == CaptureOrigin::answer_to_unseen) {
        j["reason"] = p.reason;
    } else {
        const PathResult& r = p.result;
        j["in"] = p.input.in.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(std::string(p.input.in.view()));
        j["out"] = r.out_iface.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(std::string(r.out_iface.view()));
        j["tuple"] = tuple_json(p.input);
        if (r.fate == Fate::delivered || r.fate == Fate::forwarded || r.fate == Fate::sent) j["tuple_after_nat"] = tuple_json(r.final_packet);
        j["ct"] = ct_state_name(r.ct_state);
        j["mark"] = r.final_packet.mark;
        auto walks = nlohmann::ordered_json::array();
        for (const auto& w : r.walks) {
            walks.push_back({{"hook", hook_chain_name(w.hook)},
                             {"table", w.table_name},
                             {"chain", std::string(deciding_chain(w, rs))},
                             {"rule", w.walk.rule + 1},
                             {"verdict", verdict_name(w.walk.verdict)}});
        }
        j["walks"] = walks;
        j["fate"] = fate_name(r.fate);
        j["reason"] = drop_reason_name(r.reason);
        if (log) {
            auto lines = nlohmann::ordered_json::array();
            for (const LoggedLine& l : *log) lines.push_back(l.text);
            j["log"] = lines;
        }
    }
    j["verdict"] = line.verdict;
    j["decided_by"] = line.where;
    os << j.dump() << '\n';
}

}  // namespace fwbench
