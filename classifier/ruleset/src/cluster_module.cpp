// -m cluster (libxt_cluster, the kernel's xt_cluster): parsed, checked and saved as iptables and
// the kernel's checkentry do.
#include <string>
#include <vector>

#include "fwbench/parse_util.hpp"
#include "module_registry.hpp"

namespace fwbench::detail {

namespace {

using Args = std::vector<std::string>;

ClusterMatch& spec_of(MatchSpec& spec) { return std::get<ClusterMatch>(spec); }

// XTTYPE_UINT32 bounded as the option's .min and .max bound it.
std::string read_u32(std::uint32_t& out, const std::string& arg, std::uint32_t min, std::uint32_t max) {
    std::uint64_t v = 0;
    if (std::string e = parse_xt_uint(arg, min, max, v); !e.empty()) return e;
    out = static_cast<std::uint32_t>(v);
    return {};
}

constexpr std::uint32_t nodes_max = 32;  // XT_CLUSTER_NODES_MAX

std::string apply_total(MatchSpec& spec, bool, Args& args, const OptionContext&) {
    return read_u32(spec_of(spec).total_nodes, args[0], 1, nodes_max);
}

std::string apply_local_node(MatchSpec& spec, bool negated, Args& args, const OptionContext&) {
    std::uint32_t node = 0;
    if (auto err = read_u32(node, args[0], 1, nodes_max); !err.empty()) return err;
    spec_of(spec).node_mask = 1u << (node - 1);
    spec_of(spec).negated = negated;
    return {};
}

// libxt_cluster bounds the mask as it bounds a node's number, 1 to 32.
std::string apply_nodemask(MatchSpec& spec, bool negated, Args& args, const OptionContext&) {
    spec_of(spec).negated = negated;
    return read_u32(spec_of(spec).node_mask, args[0], 1, nodes_max);
}

std::string apply_seed(MatchSpec& spec, bool, Args& args, const OptionContext&) { return read_u32(spec_of(spec).hash_seed, args[0], 0, 0xffffffffu); }

// cluster_check and xt_cluster_mt_checkentry: no node past the total.
std::string finish_cluster(MatchSpec& spec, const OptionContext&) {
    const auto& s = spec_of(spec);
    if (s.node_mask >= (std::uint64_t{1} << s.total_nodes)) return "cluster match: the local node (mask) is past --cluster-total-nodes";
    return {};
}

// cluster_save: always the mask, in hex, then the total and the seed.
void save_cluster(const MatchSpec& spec, std::vector<RuleOption>& options, const OptionContext&) {
    const auto& s = std::get<ClusterMatch>(spec);
    options = {{"cluster-local-nodemask", s.negated, {hex(s.node_mask, 8)}},
               {"cluster-total-nodes", false, {std::to_string(s.total_nodes)}},
               {"cluster-hash-seed", false, {hex(s.hash_seed, 8)}}};
}

}  // namespace

void add_cluster_match(std::vector<MatchModuleDef>& m) {
    m.push_back({"cluster",
                 {{"cluster-total-nodes", "", 1, false, apply_total},
                  {"cluster-local-node", "", 1, true, apply_local_node},
                  {"cluster-local-nodemask", "", 1, true, apply_nodemask},
                  {"cluster-hash-seed", "", 1, false, apply_seed}},
                 [](const OptionContext&) -> MatchSpec { return ClusterMatch{}; },
                 finish_cluster});
    m.back().rules.required = "cluster-total-nodes cluster-hash-seed";
    m.back().rules.one_of = "cluster-local-node cluster-local-nodemask";
    m.back().rules.exclusive = {"cluster-local-node cluster-local-nodemask"};
    m.back().save = save_cluster;
}

}  // namespace fwbench::detail
