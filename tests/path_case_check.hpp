#pragma once
// The check of one packet-path fixture case (path_cases.hpp, path_cases6.hpp): its fates and every
// counter, through the linear and the compiled engine. The path suite runs the cases whose
// packets are headers alone (packet_path_test.cpp); the capture suite those that carry their bytes
// (payload=, for -m string and -m u32: bytes_path_test.cpp), which only the capture floor can build.

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "fwbench/compiled_engine.hpp"
#include "fwbench/linear_engine.hpp"
#include "fwbench/packet_path.hpp"
#include "fwbench/path_trace.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "path_cases.hpp"
#include "path_fixtures.hpp"

namespace fwbench::test {

// A case whose packets carry bytes (a payload= in a description).
inline bool carries_bytes(const PathCase& c) {
    for (const char* p : c.packets)
        if (std::string(p).find(" payload=") != std::string::npos) return true;
    return false;
}

inline std::vector<PathCase> cases_carrying_bytes(const std::vector<PathCase>& all, bool with) {
    std::vector<PathCase> out;
    for (const auto& c : all)
        if (carries_bytes(c) == with) out.push_back(c);
    return out;
}

// One case of a fixture table, on its family's router: `packet_of(description)` makes each
// packet, `prepare(state)` readies each engine's state.
template <class PacketOf, class Prepare>
void expect_fates_and_counters(const PathCase& c, const std::string& host_json, Family family, PacketOf&& packet_of, Prepare&& prepare) {
    Host host = Host::from_json(host_json, "router.json");
    RulesetParseOptions opt;
    opt.source = c.name;
    opt.family = family;
    Ruleset rs = parse_ruleset(c.rules, opt);
    // Both engines walk the tables: the compiled one must tell the same story.
    const std::shared_ptr<const Classifier> engines[] = {std::make_shared<LinearEngine>(rs, host), std::make_shared<CompiledEngine>(rs, host)};
    for (const auto& engine : engines) {
        SCOPED_TRACE(std::string(engine->name()) + " engine");
        PacketPath path(rs, host, nullptr, engine);
        PathState st(rs, EngineOptions{}, host.sysctl());
        st.icmp_rate_limit = false;  // as the kernel oracle replays the cases: unpaced
        prepare(st);

        std::istringstream fates(c.fates);
        for (std::size_t i = 0; i < c.packets.size(); ++i) {
            std::string text = c.packets[i];
            Origin origin = text.rfind("wire ", 0) == 0 ? Origin::wire : Origin::local;
            Packet p = packet_of(text.substr(text.find(' ') + 1));
            PathResult r = path.process(p, origin, st, true);
            std::string want;
            ASSERT_TRUE(fates >> want) << "no expected fate for packet " << i;
            std::string got = fate_name(r.fate);
            if (r.reason != DropReason::none) got += std::string(":") + drop_reason_name(r.reason);
            auto at = want.find('@');
            if (at != std::string::npos) {
                ASSERT_FALSE(r.walks.empty()) << "packet " << i;
                // The packet's own last walk: a REJECT's answer walks after it.
                const HookWalk& w = *r.last_own_walk();
                const Table& t = rs.tables[w.table];
                int chain = w.walk.chain >= 0 ? w.walk.chain : t.find_chain(hook_chain_name(w.hook));
                got += "@" + t.name + ":" + t.chains[static_cast<std::size_t>(chain)].name + ":" + std::to_string(w.walk.rule + 1);
            }
            std::string story;
            for (const auto& item : r.trace)
                story +=
                    "\n    " + (item.kind == PathEventKind::walk ? std::string("[walk ") + r.walks[static_cast<std::size_t>(item.walk)].table_name +
                                                                       " " + hook_chain_name(r.walks[static_cast<std::size_t>(item.walk)].hook) + "]"
                                                                 : describe_event(item, r.detail, host));
            EXPECT_EQ(got, want) << "packet " << i << ": " << text << story;
        }

        // FWBENCH_DUMP_ACTUAL=1 prints every non-zero counter, to review when a case changes.
        if (std::getenv("FWBENCH_DUMP_ACTUAL")) {
            std::string all;
            for (std::size_t ti = 0; ti < rs.tables.size(); ++ti)
                for (std::size_t ci = 0; ci < rs.tables[ti].chains.size(); ++ci) {
                    const auto& ch = rs.tables[ti].chains[ci];
                    for (std::size_t ri = 0; ri < ch.rules.size(); ++ri)
                        if (auto k = st.engine.rule(ti, ci, ri); k.packets)
                            all += " " + rs.tables[ti].name + ":" + ch.name + ":" + std::to_string(ri + 1) + "=" + std::to_string(k.packets);
                    if (ch.builtin)
                        if (auto k = st.engine.policy(ti, ci); k.packets)
                            all += " " + rs.tables[ti].name + ":" + ch.name + ":P=" + std::to_string(k.packets);
                }
            std::printf("ACTUAL %s |%s\n", c.name, all.c_str());
        }
        std::map<std::string, std::uint64_t> want;
        std::istringstream cs(c.counters);
        std::string tok;
        while (cs >> tok) want[tok.substr(0, tok.find('='))] = std::stoull(tok.substr(tok.find('=') + 1));
        for (std::size_t ti = 0; ti < rs.tables.size(); ++ti) {
            const Table& t = rs.tables[ti];
            for (std::size_t ci = 0; ci < t.chains.size(); ++ci) {
                auto check = [&](const std::string& key, Counters got) {
                    auto it = want.find(key);
                    EXPECT_EQ(got.packets, it == want.end() ? 0u : it->second) << key;
                    if (it != want.end()) want.erase(it);
                };
                for (std::size_t ri = 0; ri < t.chains[ci].rules.size(); ++ri)
                    check(t.name + ":" + t.chains[ci].name + ":" + std::to_string(ri + 1), st.engine.rule(ti, ci, ri));
                if (t.chains[ci].builtin) check(t.name + ":" + t.chains[ci].name + ":P", st.engine.policy(ti, ci));
            }
        }
        EXPECT_TRUE(want.empty()) << "expected counters name no rule: " << (want.empty() ? "" : want.begin()->first);
    }
}

}  // namespace fwbench::test
