#pragma once
// BddSession: the lifetime of BuDDy (Debian's libbdd-dev), the BDD package the symbolic floor
// builds on.
//
// What: BuDDy keeps one node table per process. A session initialises it (bdd_init) with room
// to grow, silences its garbage-collection messages, turns its errors into exceptions, and ends it
// (bdd_done) when destroyed. Every `bdd` value must be destroyed before its session: objects that
// hold them are members declared after the session they use.
//
// Invariants: at most one session exists at a time (a second throws); variables are only added,
// never removed (extend()).
// Costs: the node table starts at 1M nodes (20 MB) and grows by up to 4M nodes at a time.

#include <bdd.h>

#include <string>

namespace fwbench {

class BddSession {
public:
    explicit BddSession(int variables);
    ~BddSession();
    BddSession(const BddSession&) = delete;
    BddSession& operator=(const BddSession&) = delete;

    // Adds `n` variables after the existing ones; returns the index of the first.
    int extend(int n);
    int variables() const;
    // The nodes in use, for reports.
    long nodes() const;
};

}  // namespace fwbench
