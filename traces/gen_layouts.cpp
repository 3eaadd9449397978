// gen_layouts: two layouts of one filter set, for `fwbench compare` at scale (docs/compare.md).
//
// A ClassBench filter set's first N rules become an iptables FORWARD chain (policy DROP), every
// third rule DROP and the others ACCEPT, so the order matters. Layouts:
//   flat       the rules in order, one chain;
//   jump-tree  FORWARD sends TCP to fw_tcp, UDP to fw_udp and the rest to fw_other, each chain
//              holding, in order, the rules that can match its protocol: decides as flat does;
//   edited     the jump tree with one rule's target flipped (the middle rule of fw_tcp): differs
//              from flat exactly where that rule decides.
// Ports are written for TCP and UDP rules (-m tcp/-m udp); a rule of another or any protocol keeps
// its addresses and protocol only (iptables has no port match for it). Deterministic.

#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "fwbench/classbench.hpp"
#include "fwbench/parse_error.hpp"

namespace {

using fwbench::ClassBenchRule;

std::string rule_text(const ClassBenchRule& r, bool drop) {
    std::string s = "-s " + fwbench::format_prefix(r.src) + " -d " + fwbench::format_prefix(r.dst);
    const bool exact = r.proto_mask == 0xff;
    if (exact) s += " -p " + std::to_string(r.proto);
    if (exact && (r.proto == 6 || r.proto == 17)) {
        const std::string m = r.proto == 6 ? "tcp" : "udp";
        std::string ports;
        if (!(r.sport.lo == 0 && r.sport.hi == 65535)) ports += " --sport " + std::to_string(r.sport.lo) + ":" + std::to_string(r.sport.hi);
        if (!(r.dport.lo == 0 && r.dport.hi == 65535)) ports += " --dport " + std::to_string(r.dport.lo) + ":" + std::to_string(r.dport.hi);
        if (!ports.empty()) s += " -m " + m + ports;
    }
    return s + (drop ? " -j DROP" : " -j ACCEPT");
}

bool can_match(const ClassBenchRule& r, int proto) {  // proto -1: neither TCP nor UDP
    if (r.proto_mask != 0xff) return true;
    if (proto < 0) return r.proto != 6 && r.proto != 17;
    return r.proto == proto;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"gen_layouts: two layouts of a ClassBench filter set as iptables rulesets"};
    std::string input, output = "-", layout = "flat";
    std::size_t count = 0;
    app.add_option("filters", input, "ClassBench filter set")->required();
    app.add_option("--rules", count, "the first N rules (default: all)");
    app.add_option("--layout", layout, "flat, jump-tree or edited")->check(CLI::IsMember({"flat", "jump-tree", "edited"}));
    app.add_option("-o", output, "output file (default: standard output)");
    CLI11_PARSE(app, argc, argv);
    try {
        std::vector<ClassBenchRule> rules = fwbench::read_classbench_rules(input);
        if (count && count < rules.size()) rules.resize(count);
        std::ofstream file;
        if (output != "-") file.open(output);
        std::ostream& out = output == "-" ? std::cout : file;
        out << "# gen_layouts " << input << " --rules " << rules.size() << " --layout " << layout << "\n*filter\n:INPUT ACCEPT [0:0]\n"
            << ":FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n";
        auto drop = [](std::size_t i) { return i % 3 == 2; };
        if (layout == "flat") {
            for (std::size_t i = 0; i < rules.size(); ++i) out << "-A FORWARD " << rule_text(rules[i], drop(i)) << "\n";
        } else {
            out << ":fw_tcp - [0:0]\n:fw_udp - [0:0]\n:fw_other - [0:0]\n";
            out << "-A FORWARD -p tcp -j fw_tcp\n-A FORWARD -p udp -j fw_udp\n-A FORWARD -j fw_other\n";
            std::size_t tcp_rules = 0;
            for (const auto& r : rules) tcp_rules += can_match(r, 6);
            std::size_t flipped = layout == "edited" ? tcp_rules / 2 : rules.size() + 1, tcp_seen = 0;
            for (auto [chain, proto] : {std::pair{"fw_tcp", 6}, std::pair{"fw_udp", 17}, std::pair{"fw_other", -1}})
                for (std::size_t i = 0; i < rules.size(); ++i) {
                    if (!can_match(rules[i], proto)) continue;
                    bool d = drop(i);
                    if (proto == 6 && tcp_seen++ == flipped) d = !d;
                    out << "-A " << chain << " " << rule_text(rules[i], d) << "\n";
                }
        }
        out << "COMMIT\n";
    } catch (const std::exception& e) {
        std::cerr << "gen_layouts: " << e.what() << "\n";
        return 2;
    }
    return 0;
}
