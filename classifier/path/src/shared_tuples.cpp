#include "fwbench/shared_tuples.hpp"

namespace fwbench {

bool SharedTuples::claim(const Connection& c, unsigned worker, std::uint64_t now_ns) {
    std::lock_guard<std::mutex> g(m_);
    for (const ConnTuple* t : {&c.orig, &c.reply}) {
        const Holder* h = table_.find(*t);
        if (h && h->worker != worker && h->conn != &c && live(*h, now_ns)) {
            ++stats_.refused_claims;
            return false;
        }
    }
    table_[c.orig] = {&c, worker};
    table_[c.reply] = {&c, worker};
    ++stats_.claims;
    return true;
}

void SharedTuples::release(const Connection& c) {
    std::lock_guard<std::mutex> g(m_);
    for (const ConnTuple* t : {&c.orig, &c.reply}) {
        const Holder* h = table_.find(*t);
        if (h && h->conn == &c) table_.erase(*t);
    }
}

bool SharedTuples::held_elsewhere(const ConnTuple& t, unsigned worker, std::uint64_t now_ns) {
    std::lock_guard<std::mutex> g(m_);
    const Holder* h = table_.find(t);
    const bool held = h && h->worker != worker && live(*h, now_ns);
    stats_.taken_elsewhere += held;
    return held;
}

std::optional<unsigned> SharedTuples::owner(const ConnTuple& t, std::uint64_t now_ns) const {
    std::lock_guard<std::mutex> g(m_);
    const Holder* h = table_.find(t);
    if (!h || !live(*h, now_ns)) return std::nullopt;
    return h->worker;
}

SharedTuples::Stats SharedTuples::stats() const {
    std::lock_guard<std::mutex> g(m_);
    return stats_;
}

std::size_t SharedTuples::size() const {
    std::lock_guard<std::mutex> g(m_);
    return table_.size();
}

}  // namespace fwbench
