#pragma once
// Rebuild and swap: how a running classifier takes a new ruleset.
//
// A CompiledRuleset owns a ruleset and the compiled engine built from it (the engine refers to
// the ruleset, so they live and die together). An EngineSlot holds the current one: a writer
// builds the next off the hot path and publishes it in one atomic store; a reader takes a
// snapshot at the start of each burst and classifies the whole burst with it, so no burst ever
// sees half of one ruleset and half of another. The old engine is freed when the last reader
// holding it lets go. Taking a snapshot costs an uncontended lock and a reference-count
// increment, once per burst, and never allocates. (A mutex, not std::atomic<std::shared_ptr>:
// GCC 12's implementation releases its internal lock with a relaxed store after a load, which
// ThreadSanitizer rightly reports as a race with the next store; this test runs under TSan.) Counters belong to a ruleset: a reader keeps an EngineState per snapshot it uses
// (iptables-restore without -c starts the new rules at zero too).

#include <memory>
#include <mutex>

#include "fwbench/compiled_engine.hpp"

namespace fwbench {

class CompiledRuleset {
public:
    CompiledRuleset(Ruleset rs, const HostView& host, const IpsetRegistry* ipsets = nullptr, CompiledEngineOptions opt = {})
        : rs_(std::move(rs)), engine_(rs_, host, ipsets, opt) {}
    CompiledRuleset(const CompiledRuleset&) = delete;
    CompiledRuleset& operator=(const CompiledRuleset&) = delete;

    const Ruleset& ruleset() const { return rs_; }
    const CompiledEngine& engine() const { return engine_; }

private:
    Ruleset rs_;  // declared first: the engine refers to it
    CompiledEngine engine_;
};

class EngineSlot {
public:
    explicit EngineSlot(std::shared_ptr<const CompiledRuleset> first) : current_(std::move(first)) {}

    std::shared_ptr<const CompiledRuleset> snapshot() const {
        std::lock_guard<std::mutex> hold(lock_);
        return current_;
    }
    void publish(std::shared_ptr<const CompiledRuleset> next) {
        std::shared_ptr<const CompiledRuleset> old;  // released after the lock: a reader may free it last
        std::lock_guard<std::mutex> hold(lock_);
        old = std::move(current_);
        current_ = std::move(next);
    }

private:
    mutable std::mutex lock_;
    std::shared_ptr<const CompiledRuleset> current_;
};

}  // namespace fwbench
