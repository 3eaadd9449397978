#include "fwbench/bdd_session.hpp"

#include <stdexcept>
#include <string>

namespace fwbench {
namespace {

bool session_open = false;

// BuDDy calls this on an error (out of memory, a bad variable); throwing unwinds through its C
// frames (built with unwind tables on amd64) and abandons the whole analysis, whose session is
// then ended by its destructor.
void throw_bdd_error(int code) { throw std::runtime_error(std::string("BDD package error: ") + bdd_errstring(code)); }

void silent_gc(int, bddGbcStat*) {}

}  // namespace

BddSession::BddSession(int variables) {
    if (session_open) throw std::logic_error("BddSession: BuDDy allows one session per process at a time");
    if (bdd_init(1 << 20, 1 << 18) < 0) throw std::runtime_error("BDD package: bdd_init failed");
    session_open = true;
    bdd_error_hook(throw_bdd_error);
    bdd_gbc_hook(silent_gc);
    bdd_setmaxincrease(1 << 22);
    bdd_setcacheratio(8);
    bdd_setvarnum(variables > 0 ? variables : 1);
}

BddSession::~BddSession() {
    bdd_done();
    session_open = false;
}

int BddSession::extend(int n) {
    int first = bdd_varnum();
    bdd_extvarnum(n);
    return first;
}

int BddSession::variables() const { return bdd_varnum(); }

long BddSession::nodes() const { return bdd_getnodenum(); }

}  // namespace fwbench
