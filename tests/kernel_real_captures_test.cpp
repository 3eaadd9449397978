// The real rulesets again, as a user meets them: a real `tcpdump -i any` runs in the kernel router
// while the traffic aimed at every rule goes through it, the router's own `fwbench dump-host`
// describes it, and `fwbench --pcap` reads that capture. fwbench's counters must be the kernel's
// wherever the capture shows what happened; where it cannot (the host's own packets dropped
// before they left, sockets for -m owner, addresses NAT wrote before the capture saw them, where
// jiffies fell), fwbench must say so itself, naming the rules and chains whose counters the
// capture cannot settle, and only those may differ.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "fwbench/kernel_oracle.hpp"
#include "fwbench/packet_path.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "fwbench/ruleset_printer.hpp"
#include "fwbench/subprocess.hpp"
#include "fwbench/tcpdump_capture.hpp"
#include "must_run.hpp"
#include "require_kernel.hpp"
#include "shared_ruleset_cases.hpp"

namespace fwbench {
namespace {

std::string scratch(const std::string& name) { return testing::TempDir() + "fwbench-real-capture-" + std::to_string(getpid()) + "-" + name; }

void write_file(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// Counters read back from an iptables-save -c text fwbench wrote of the same ruleset.
struct SavedCounters : CounterSource {
    Ruleset saved;
    Counters rule(std::size_t t, std::size_t c, std::size_t r) const override { return saved.tables[t].chains[c].rules[r].input_counters; }
    Counters policy(std::size_t t, std::size_t c) const override { return saved.tables[t].chains[c].input_counters; }
};

// What fwbench said the capture cannot show, note by note: rule labels ("filter OUTPUT rule 3:
// ...") and chains ("filter OUTPUT").
struct UnsettledNote {
    std::string kind, what;
    std::set<std::string> rules, chains;
};

std::vector<UnsettledNote> unsettled_from(const nlohmann::json& report) {
    std::vector<UnsettledNote> notes;
    for (const auto& entry : report.at("capture_cannot_show")) {
        UnsettledNote n{entry.at("kind").get<std::string>(), entry.at("what").get<std::string>(), {}, {}};
        if (entry.contains("rules"))
            for (const auto& r : entry["rules"]) n.rules.insert(r.get<std::string>());
        if (entry.contains("chains"))
            for (const auto& c : entry["chains"]) n.chains.insert(c.get<std::string>());
        notes.push_back(std::move(n));
    }
    return notes;
}

// Whether fwbench named this difference: its chain, or its rule, is in a note. A difference only
// the local_drops note names must go one way (the kernel counted packets the capture lacks).
bool named(const std::vector<UnsettledNote>& notes, const Ruleset& rs, const CounterDifference& d) {
    const Table& t = *rs.table(d.table);
    const Chain& c = t.chains[static_cast<std::size_t>(t.find_chain(d.chain))];
    const std::string label = d.rule == 0 ? std::string() : rule_label(t, c, static_cast<std::size_t>(d.rule - 1));
    bool by_drops = false;
    for (const auto& n : notes) {
        if (!n.chains.count(d.table + " " + d.chain) && !(d.rule && n.rules.count(label))) continue;
        if (n.kind != "local_drops") return true;
        by_drops = true;
    }
    return by_drops && d.kernel.packets > d.fwbench.packets;
}

std::string kinds(const std::vector<UnsettledNote>& notes) {
    std::string out;
    for (const auto& n : notes) out += " " + n.kind;
    return out;
}

// The router as `ip -j` shows it, with the sysctls the oracle set from the case's host
// (icmp_ratelimit 0 when the replay is not paced, as the oracle runs it then).
std::string router_host_json(const KernelOracle& kernel, const std::string& case_host_json, bool paced) {
    nlohmann::json sysctl = nlohmann::json::object();
    const nlohmann::json given = nlohmann::json::parse(case_host_json);
    if (given.is_object() && given.contains("sysctl")) sysctl = given["sysctl"];
    if (!paced) sysctl["net.ipv4.icmp_ratelimit"] = 0;
    nlohmann::json host;
    host["addr"] = nlohmann::json::parse(kernel.run_in_router({"ip", "-j", "addr", "show"}));
    host["route"] = nlohmann::json::parse(kernel.run_in_router({"ip", "-j", "route", "show", "table", "all"}));
    host["rule"] = nlohmann::json::parse(kernel.run_in_router({"ip", "-j", "rule", "show"}));
    host["sysctl"] = sysctl;
    return host.dump(1);
}

TEST(KernelRealCaptures, SharedRulesetsOnRealTcpdumpCapturesAgreeOrAreNamed) {
    test::require_kernel();
    if (HasFatalFailure() || IsSkipped()) return;
    if (find_program("tcpdump").empty()) FWBENCH_CANNOT_RUN("tcpdump is not installed (scripts/setup.sh installs it)");
    const char* fwbench = std::getenv("FWBENCH_BIN");
    ASSERT_TRUE(fwbench) << "FWBENCH_BIN is not set (meson test sets it)";
    std::filesystem::path dir;
    test::SharedRulesetNotes notes;
    std::vector<test::SharedRulesetCase> cases = test::shared_ruleset_cases(dir, notes);
    if (!std::filesystem::is_directory(dir)) FWBENCH_CANNOT_RUN(dir << " is not present: no real rulesets to replay");
    int compared = 0, agreed = 0;
    std::vector<std::string> summaries;
    for (auto& c : cases) {
        const Host host = Host::from_json(c.host_json, c.rel + " host");
        const IpsetRegistry* ipsets = c.ipsets ? &*c.ipsets : nullptr;
        KernelOracleOptions kopt = c.kopt;
        kopt.capture_forwarded = true;  // frames leave at once (no neighbours to resolve), as on a real router
        std::unique_ptr<KernelOracle> kernel;
        try {
            kernel = std::make_unique<KernelOracle>(host, c.rs, kopt);
        } catch (const std::exception& ex) {
            notes.skipped.push_back(c.rel + ": the kernel here refuses it: " + std::string(ex.what()).substr(0, 200));
            continue;
        }
        const std::string capture = scratch("router.pcap");
        std::optional<TcpdumpCapture> tcpdump(std::in_place, kernel->router_namespace(), capture);
        PacketPath path(c.rs, host, ipsets);
        PathState st(c.rs, EngineOptions{}, host.sysctl());
        st.icmp_rate_limit = c.rated;
        std::map<std::string, int> sent;  // by origin and fate in fwbench's model, for the summary
        for (auto& [p, origin] : c.traffic) {
            const PathResult r = path.process(p, origin, st);
            ++sent[std::string(origin_name(origin)) + " " + fate_name(r.fate)];
            kernel->inject(packet_as_sent(p, origin, r), origin);
        }
        const TcpdumpCapture::Summary said = tcpdump->finish();
        tcpdump.reset();
        ASSERT_EQ(said.dropped_by_kernel, 0u) << c.rel << ": tcpdump lost packets, the capture proves nothing: " << said.said;
        const std::string kernel_counters = kernel->counters();

        // fwbench as a user on that router runs it: the router's own addresses, routes and
        // policy rules, the ruleset the kernel loaded, the capture. (Not dump-host: it rightly
        // refuses a host with native nftables, and the oracle's harness is such a table.)
        const std::string host_file = scratch("host.json"), rules_file = scratch("rules"), ipset_file = scratch("ipsets"),
                          counters_file = scratch("counters"), json_file = scratch("report.json");
        write_file(host_file, router_host_json(*kernel, c.host_json, c.rated));
        write_file(rules_file, c.kopt.ruleset_text.empty() ? format_ruleset(c.rs, nullptr, BuiltinChains::as_present) : c.kopt.ruleset_text);
        std::vector<std::string> argv = {fwbench,  "--rules", rules_file,   "--backend",   "nft",    "--host",  host_file,
                                         "--pcap", capture,   "--counters", counters_file, "--json", json_file, "-q"};
        if (!c.kopt.ipsets.empty()) {
            write_file(ipset_file, c.kopt.ipsets);
            argv.insert(argv.end(), {"--ipsets", ipset_file});
        }
        const ProgramResult run = run_program({argv, {}, -1});
        ASSERT_EQ(run.exit_status, 0) << c.rel << ": " << display_command(argv) << "\n" << run.err;
        const nlohmann::json report = nlohmann::json::parse(read_file(json_file));
        EXPECT_EQ(report.at("packets").get<std::uint64_t>(), said.captured) << c.rel << ": fwbench read fewer packets than tcpdump captured";
        SavedCounters mine;
        RulesetParseOptions popt;
        popt.ipsets = ipsets;
        mine.saved = parse_ruleset(read_file(counters_file), popt);
        const std::vector<UnsettledNote> unsettled = unsettled_from(report);
        const std::vector<CounterDifference> differences = compare_counters(c.rs, mine, kernel_counters, ipsets);
        std::string unnamed, accounted;
        for (const auto& d : differences) (named(unsettled, c.rs, d) ? accounted : unnamed) += "  " + describe_difference(d) + "\n";
        std::string what;
        for (const auto& n : unsettled) what += "  - " + n.kind + ": " + n.what + "\n";
        EXPECT_TRUE(unnamed.empty()) << c.rel << " (" << said.captured << " captured records of " << c.traffic.size()
                                     << " packets sent): counters differ where fwbench named nothing the capture cannot show:\n"
                                     << unnamed << "named as unsettled:\n"
                                     << what << accounted << "origins: " << report.at("origins").dump();
        ++compared;
        agreed += differences.empty();
        std::string sent_text;
        for (const auto& [k, n] : sent) sent_text += (sent_text.empty() ? "" : ", ") + std::to_string(n) + " " + k;
        summaries.push_back(
            c.rel + ": sent " + sent_text + "; " + std::to_string(said.captured) + " records, " +
            (differences.empty() ? std::string("every counter the kernel's") : std::to_string(differences.size()) + " counters differ, each named") +
            " (origins " + report.at("origins").dump() + (unsettled.empty() ? "" : ", notes:" + kinds(unsettled)) + ")");
        for (const auto& f : {capture, host_file, rules_file, ipset_file, counters_file, json_file}) unlink(f.c_str());
    }
    std::cout << "real tcpdump -i any captures of " << compared << " real rulesets, " << agreed << " with every counter the kernel's:\n";
    for (const auto& s : summaries) std::cout << "  " << s << "\n";
    notes.print(compared);
    EXPECT_GE(compared, 16) << "fewer real rulesets reached the kernel than the 13 IPv4 and 3 IPv6 of the README";
}

}  // namespace
}  // namespace fwbench
