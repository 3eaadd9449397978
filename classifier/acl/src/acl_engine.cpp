#include "fwbench/acl_engine.hpp"

#include <rte_acl.h>
#include <rte_malloc.h>

#include <arpa/inet.h>

#include <atomic>
#include <cstddef>
#include <algorithm>
#include <cstring>
#include <type_traits>

#include "fwbench/compiled_engine.hpp"

#include "fwbench/chain_walk.hpp"

namespace fwbench {

namespace {

RTE_ACL_RULE_DEF(AclRule, 5);
RTE_ACL_RULE_DEF(AclRule6, 11);

rte_acl_field_def field_defs[5] = {
    {RTE_ACL_FIELD_TYPE_BITMASK, sizeof(std::uint8_t), 0, 0, offsetof(AclKey, proto)},
    {RTE_ACL_FIELD_TYPE_MASK, sizeof(std::uint32_t), 1, 1, offsetof(AclKey, src)},
    {RTE_ACL_FIELD_TYPE_MASK, sizeof(std::uint32_t), 2, 2, offsetof(AclKey, dst)},
    {RTE_ACL_FIELD_TYPE_RANGE, sizeof(std::uint16_t), 3, 3, offsetof(AclKey, sport)},
    {RTE_ACL_FIELD_TYPE_RANGE, sizeof(std::uint16_t), 4, 3, offsetof(AclKey, dport)},
};

// DPDK's ipv6 layout: the protocol, then each address word in an input word of its own, the
// two ports sharing the last.
rte_acl_field_def field_defs6[11] = {
    {RTE_ACL_FIELD_TYPE_BITMASK, sizeof(std::uint8_t), 0, 0, offsetof(AclKey6, proto)},
    {RTE_ACL_FIELD_TYPE_MASK, sizeof(std::uint32_t), 1, 1, offsetof(AclKey6, src) + 0},
    {RTE_ACL_FIELD_TYPE_MASK, sizeof(std::uint32_t), 2, 2, offsetof(AclKey6, src) + 4},
    {RTE_ACL_FIELD_TYPE_MASK, sizeof(std::uint32_t), 3, 3, offsetof(AclKey6, src) + 8},
    {RTE_ACL_FIELD_TYPE_MASK, sizeof(std::uint32_t), 4, 4, offsetof(AclKey6, src) + 12},
    {RTE_ACL_FIELD_TYPE_MASK, sizeof(std::uint32_t), 5, 5, offsetof(AclKey6, dst) + 0},
    {RTE_ACL_FIELD_TYPE_MASK, sizeof(std::uint32_t), 6, 6, offsetof(AclKey6, dst) + 4},
    {RTE_ACL_FIELD_TYPE_MASK, sizeof(std::uint32_t), 7, 7, offsetof(AclKey6, dst) + 8},
    {RTE_ACL_FIELD_TYPE_MASK, sizeof(std::uint32_t), 8, 8, offsetof(AclKey6, dst) + 12},
    {RTE_ACL_FIELD_TYPE_RANGE, sizeof(std::uint16_t), 9, 9, offsetof(AclKey6, sport)},
    {RTE_ACL_FIELD_TYPE_RANGE, sizeof(std::uint16_t), 10, 9, offsetof(AclKey6, dport)},
};

std::uint32_t prefix_length(std::uint32_t lo, std::uint32_t hi) {
    std::uint32_t span = hi - lo;  // 2^(32 - len) - 1
    std::uint32_t len = 32;
    while (span) {
        span >>= 1;
        --len;
    }
    return len;
}

std::size_t heap_bytes() {
    std::size_t total = 0;
    for (unsigned s = 0; s < RTE_MAX_NUMA_NODES; ++s) {
        rte_malloc_socket_stats stats{};
        if (rte_malloc_get_socket_stats(static_cast<int>(s), &stats) == 0) total += stats.heap_allocsz_bytes;
    }
    return total;
}

}  // namespace

bool make_acl_key(const Packet& p, AclKey& key) {
    PacketKey k;
    if (!compiled_key(p, k)) return false;
    key.proto = k.proto;
    key.src = htonl(k.src);
    key.dst = htonl(k.dst);
    key.sport = htons(k.sport);
    key.dport = htons(k.dport);
    return true;
}

bool make_acl_key(const Packet& p, AclKey6& key) {
    PacketKey6 k;
    if (!compiled_key6(p, k)) return false;
    key.proto = k.proto;
    for (int w = 0; w < 4; ++w) {
        key.src[w] = htonl(k.src[w]);
        key.dst[w] = htonl(k.dst[w]);
    }
    key.sport = htons(k.sport);
    key.dport = htons(k.dport);
    return true;
}

namespace {

// One rule's fields (rte_acl's priority and userdata set by the caller).
void fill_fields(AclRule& a, const RuleBox& b) {
    const bool any_proto = b.proto_lo == 0 && b.proto_hi == 0xff;
    a.field[0].value.u8 = any_proto ? 0 : b.proto_lo;
    a.field[0].mask_range.u8 = any_proto ? 0 : 0xff;
    a.field[1].value.u32 = b.src_lo;
    a.field[1].mask_range.u32 = prefix_length(b.src_lo, b.src_hi);
    a.field[2].value.u32 = b.dst_lo;
    a.field[2].mask_range.u32 = prefix_length(b.dst_lo, b.dst_hi);
    a.field[3].value.u16 = b.sport_lo;
    a.field[3].mask_range.u16 = b.sport_hi;
    a.field[4].value.u16 = b.dport_lo;
    a.field[4].mask_range.u16 = b.dport_hi;
}

void fill_fields(AclRule6& a, const RuleBox6& b) {
    const bool any_proto = b.proto_lo == 0 && b.proto_hi == 0xff;
    a.field[0].value.u8 = any_proto ? 0 : b.proto_lo;
    a.field[0].mask_range.u8 = any_proto ? 0 : 0xff;
    for (int w = 0; w < 4; ++w) {
        a.field[1 + w].value.u32 = b.src_lo[w];
        a.field[1 + w].mask_range.u32 = prefix_length(b.src_lo[w], b.src_hi[w]);
        a.field[5 + w].value.u32 = b.dst_lo[w];
        a.field[5 + w].mask_range.u32 = prefix_length(b.dst_lo[w], b.dst_hi[w]);
    }
    a.field[9].value.u16 = b.sport_lo;
    a.field[9].mask_range.u16 = b.sport_hi;
    a.field[10].value.u16 = b.dport_lo;
    a.field[10].mask_range.u16 = b.dport_hi;
}

}  // namespace

AclEngine::AclEngine(const Ruleset& rs, std::size_t table, Hook hook) : rs_(rs), table_(table) {
    if (rs.family == Family::ipv6) build<AclRule6, RuleBox6>(hook);
    else build<AclRule, RuleBox>(hook);
}

template <class AclRuleT, class Box>
void AclEngine::build(Hook hook) {
    const Ruleset& rs = rs_;
    const std::size_t table = table_;
    constexpr bool v6 = std::is_same_v<Box, RuleBox6>;
    const Table& t = rs.tables.at(table);
    chain_ = rs.base_chain(table, hook);
    if (chain_ < 0) throw AclNotApplicable("the kernel has no " + t.name + " " + hook_chain_name(hook) + " chain");
    const Chain& chain = t.chains[static_cast<std::size_t>(chain_)];
    if (chain.rules.size() >= RTE_ACL_MAX_PRIORITY) throw AclNotApplicable("more rules than rte_acl has priorities");

    std::vector<AclRuleT> rules;
    for (std::size_t i = 0; i < chain.rules.size(); ++i) {
        const Rule& r = chain.rules[i];
        auto refuse = [&](const std::string& why) {
            throw AclNotApplicable(t.name + " " + chain.name + " rule " + std::to_string(i + 1) + " (" +
                                   (r.text.empty() ? std::string("line ") + std::to_string(r.line) : r.text) + "): rte_acl cannot take " + why);
        };
        BasicRuleBoxShape<Box> shape;
        if constexpr (v6) shape = rule_box_shape6(r);
        else shape = rule_box_shape(r);
        if (!shape.exact) refuse(shape.residual);
        if (!r.target) refuse("a rule without a target (it counts and goes on)");
        const TargetSpec& spec = r.target->spec;
        const auto* standard = std::get_if<StandardTarget>(&spec);
        if (!(standard && standard->kind != StandardTarget::Kind::return_) && !std::holds_alternative<RejectTarget>(spec))
            refuse("-j " + r.target->name + " (only ACCEPT, DROP, QUEUE and REJECT end a first-match lookup)");
        if (shape.empty) continue;  // no packet meets it
        AclRuleT a{};
        a.data.category_mask = 1;
        a.data.priority = static_cast<std::int32_t>(chain.rules.size() - i);
        a.data.userdata = static_cast<std::uint32_t>(i + 1);
        fill_fields(a, shape.box);
        rules.push_back(a);
    }

    // rte_acl_build refuses a context without rules: a chain of none (or of rules no packet
    // meets) is decided by its policy, with no lookup.
    if (rules.empty()) {
        algorithm_ = "none (no rules: the policy decides)";
        return;
    }
    // rte_acl_create returns an existing context of the same name: every engine gets its own.
    static std::atomic<unsigned> serial{0};
    std::string name = "fwbench_acl_" + std::to_string(serial++);
    rte_acl_param param{};
    param.name = name.c_str();
    param.socket_id = SOCKET_ID_ANY;
    constexpr std::uint32_t fields = v6 ? 11 : 5;
    param.rule_size = RTE_ACL_RULE_SZ(fields);
    param.max_rule_num = static_cast<std::uint32_t>(std::max<std::size_t>(rules.size(), 1));
    const std::size_t before = heap_bytes();
    ctx_ = rte_acl_create(&param);
    if (!ctx_) throw std::runtime_error("rte_acl_create failed (is the EAL initialised?): " + std::string(std::strerror(rte_errno)));
    auto fail = [&](const std::string& what, int rc) {
        rte_acl_free(ctx_);
        ctx_ = nullptr;
        throw std::runtime_error(what + " failed: " + std::strerror(-rc));
    };
    if (int rc = rte_acl_add_rules(ctx_, reinterpret_cast<const rte_acl_rule*>(rules.data()), static_cast<std::uint32_t>(rules.size())); rc != 0)
        fail("rte_acl_add_rules", rc);
    rte_acl_config cfg{};
    cfg.num_categories = 1;
    cfg.num_fields = fields;
    if constexpr (v6) std::memcpy(cfg.defs, field_defs6, sizeof field_defs6);
    else std::memcpy(cfg.defs, field_defs, sizeof field_defs);
    int rc = rte_acl_build(ctx_, &cfg);
    if (rc != 0) fail("rte_acl_build", rc);
    memory_ = heap_bytes() - before;
    static const std::pair<enum rte_acl_classify_alg, const char*> algorithms[] = {{RTE_ACL_CLASSIFY_AVX512X32, "avx512x32"},
                                                                                   {RTE_ACL_CLASSIFY_AVX512X16, "avx512x16"},
                                                                                   {RTE_ACL_CLASSIFY_AVX2, "avx2"},
                                                                                   {RTE_ACL_CLASSIFY_SSE, "sse"},
                                                                                   {RTE_ACL_CLASSIFY_SCALAR, "scalar"}};
    for (const auto& [alg, label] : algorithms)
        if (rte_acl_set_ctx_classify(ctx_, alg) == 0) {
            algorithm_ = label;
            break;
        }
}

AclEngine::~AclEngine() {
    if (ctx_) rte_acl_free(ctx_);
}

void AclEngine::classify(const AclKey* const* keys, std::size_t n, std::int32_t* rule) const {
    classify_bytes(reinterpret_cast<const std::uint8_t**>(const_cast<const AclKey**>(keys)), n, rule);
}

void AclEngine::classify(const AclKey6* const* keys, std::size_t n, std::int32_t* rule) const {
    classify_bytes(reinterpret_cast<const std::uint8_t**>(const_cast<const AclKey6**>(keys)), n, rule);
}

void AclEngine::classify_bytes(const std::uint8_t** keys, std::size_t n, std::int32_t* rule) const {
    if (!ctx_) {
        std::fill(rule, rule + n, -1);
        return;
    }
    constexpr std::size_t chunk = 64;
    std::uint32_t results[chunk];
    for (std::size_t i = 0; i < n; i += chunk) {
        const std::size_t m = std::min(chunk, n - i);
        rte_acl_classify(ctx_, keys + i, results, static_cast<std::uint32_t>(m), 1);
        for (std::size_t j = 0; j < m; ++j) rule[i + j] = static_cast<std::int32_t>(results[j]) - 1;
    }
}

WalkResult AclEngine::result(std::int32_t rule, const Packet& p, EngineState& st) const {
    return detail::decide_first_match(rs_.tables[table_], table_, chain_, rule, p, st);
}

}  // namespace fwbench
