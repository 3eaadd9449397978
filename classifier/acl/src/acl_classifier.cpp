#include "fwbench/acl_classifier.hpp"

#include <algorithm>

namespace fwbench {

AclClassifier::AclClassifier(const Ruleset& rs, const HostView& host, const IpsetRegistry* ipsets) : rs_(rs), reference_(rs, host, ipsets) {
    chains_.resize(rs.tables.size());
    refused_.resize(rs.tables.size());
    for (std::size_t t = 0; t < rs.tables.size(); ++t)
        for (std::size_t h = 0; h < hook_count; ++h) {
            const Hook hook = static_cast<Hook>(h);
            if (rs.base_chain(t, hook) < 0) continue;
            try {
                chains_[t][h] = std::make_unique<AclEngine>(rs, t, hook);
            } catch (const AclNotApplicable& e) {
                refused_[t][h] = e.what();
            }
        }
}

std::optional<std::string> AclClassifier::why_on_reference(std::size_t table, Hook hook) const {
    if (acl_for(table, hook)) return std::nullopt;
    if (table < refused_.size() && !refused_[table][static_cast<std::size_t>(hook)].empty()) return refused_[table][static_cast<std::size_t>(hook)];
    return std::string("the kernel has no ") + hook_chain_name(hook) + " chain in this table";
}

WalkResult AclClassifier::run(std::size_t table, Hook hook, Packet& p, EngineState& st, std::vector<RuleVisit>* visits) const {
    const AclEngine* acl = acl_for(table, hook);
    // Tracing asks for every rule tested, which only the reference walk knows.
    if (!acl || visits) return reference_.run(table, hook, p, st, visits);
    return rs_.family == Family::ipv6 ? run_keyed<AclKey6>(*acl, table, hook, p, st) : run_keyed<AclKey>(*acl, table, hook, p, st);
}

template <class Key>
WalkResult AclClassifier::run_keyed(const AclEngine& acl, std::size_t table, Hook hook, Packet& p, EngineState& st) const {
    Key key;
    if (!make_acl_key(p, key)) {
        ++st.reference_walks;
        return reference_.run(table, hook, p, st);
    }
    const Key* keys[1] = {&key};
    std::int32_t rule = -1;
    acl.classify(keys, 1, &rule);
    return acl.result(rule, p, st);
}

void AclClassifier::run_burst(std::size_t table, Hook hook, Packet* const* packets, std::size_t n, EngineState& st, WalkResult* out) const {
    const AclEngine* acl = acl_for(table, hook);
    if (!acl) {
        for (std::size_t i = 0; i < n; ++i) out[i] = reference_.run(table, hook, *packets[i], st);
        return;
    }
    if (rs_.family == Family::ipv6) run_burst_keyed<AclKey6>(*acl, table, hook, packets, n, st, out);
    else run_burst_keyed<AclKey>(*acl, table, hook, packets, n, st, out);
}

template <class Key>
void AclClassifier::run_burst_keyed(const AclEngine& acl, std::size_t table, Hook hook, Packet* const* packets, std::size_t n, EngineState& st,
                                    WalkResult* out) const {
    constexpr std::size_t chunk = 64;
    Key keys[chunk];
    const Key* keyed[chunk];
    std::int32_t rules[chunk];
    bool has_key[chunk];
    for (std::size_t i = 0; i < n; i += chunk) {
        const std::size_t m = std::min(chunk, n - i);
        std::size_t k = 0;
        for (std::size_t j = 0; j < m; ++j) {
            has_key[j] = make_acl_key(*packets[i + j], keys[j]);
            if (has_key[j]) keyed[k++] = &keys[j];
        }
        acl.classify(keyed, k, rules);
        // Results in packet order: counters and stateful state change as one packet at a time would.
        std::size_t r = 0;
        for (std::size_t j = 0; j < m; ++j) {
            Packet& p = *packets[i + j];
            if (has_key[j]) {
                out[i + j] = acl.result(rules[r++], p, st);
            } else {
                ++st.reference_walks;
                out[i + j] = reference_.run(table, hook, p, st);
            }
        }
    }
}

namespace {

template <class Key>
class AclLookup final : public PreparedLookup {
public:
    AclLookup(const AclEngine& acl, std::vector<Key> keys) : acl_(acl), keys_(std::move(keys)) {
        for (const Key& k : keys_) ptrs_.push_back(&k);
    }
    std::size_t size() const override { return keys_.size(); }
    void run(std::int32_t* out) const override {
        constexpr std::size_t burst = 64;
        for (std::size_t i = 0; i < ptrs_.size(); i += burst) acl_.classify(ptrs_.data() + i, std::min(burst, ptrs_.size() - i), out + i);
    }

private:
    const AclEngine& acl_;
    std::vector<Key> keys_;
    std::vector<const Key*> ptrs_;
};

template <class Key>
std::unique_ptr<PreparedLookup> acl_lookup(const AclEngine& acl, const std::vector<Packet>& packets) {
    std::vector<Key> keys(packets.size());
    for (std::size_t i = 0; i < packets.size(); ++i)
        if (!make_acl_key(packets[i], keys[i])) return nullptr;
    return std::make_unique<AclLookup<Key>>(acl, std::move(keys));
}

}  // namespace

std::unique_ptr<PreparedLookup> AclClassifier::prepare_lookup(std::size_t table, Hook hook, const std::vector<Packet>& packets) const {
    const AclEngine* acl = acl_for(table, hook);
    if (!acl || !acl->has_lookup()) return nullptr;
    return rs_.family == Family::ipv6 ? acl_lookup<AclKey6>(*acl, packets) : acl_lookup<AclKey>(*acl, packets);
}

ClassifierStats AclClassifier::stats() const {
    ClassifierStats s;
    std::uint64_t taken = 0;
    const char* algorithm = "";
    for (std::size_t t = 0; t < chains_.size(); ++t)
        for (std::size_t h = 0; h < hook_count; ++h) {
            if (const AclEngine* acl = chains_[t][h].get()) {
                ++taken;
                s.memory_bytes += acl->memory_bytes();
                if (acl->has_lookup() || !*algorithm) algorithm = acl->algorithm();
            } else if (!refused_[t][h].empty()) {
                s.notes.emplace_back(rs_.tables[t].name + " " + hook_chain_name(static_cast<Hook>(h)) + " walked by the reference", refused_[t][h]);
            }
        }
    s.counts.emplace_back("chains_on_rte_acl", taken);
    s.notes.insert(s.notes.begin(), {"algorithm", algorithm});
    return s;
}

}  // namespace fwbench
