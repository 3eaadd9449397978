#pragma once
// The kernel's own log, read as the oracle of the LOG target's lines (packet_log.hpp).
//
// How: the LOG target of a network namespace other than the machine's own writes nothing unless
// net.netfilter.nf_log_all_netns is 1 (nf_log_allowed, "guard against containers flooding
// syslog"); this object sets it for its lifetime and puts back the value it found. It reads
// /dev/kmsg from the end it found at construction, so only messages written afterwards are
// returned, one record per read (the record's text after its "level,seq,time,flags;" head, up
// to the first newline).
//
// Lines are chosen by a prefix the caller puts in its LOG rules' --log-prefix, so other
// namespaces' messages and concurrent tests do not mix in.

#include <string>
#include <string_view>
#include <vector>

namespace fwbench {

class KernelLog {
public:
    // Throws std::runtime_error when the sysctl or /dev/kmsg cannot be used (not root).
    KernelLog();
    ~KernelLog();
    KernelLog(const KernelLog&) = delete;
    KernelLog& operator=(const KernelLog&) = delete;

    // The messages written since the last call that begin with `prefix`, in the kernel's order.
    std::vector<std::string> take(std::string_view prefix);
    // Messages the kernel overwrote before they were read (the ring buffer wrapped): lines lost.
    unsigned long lost() const { return lost_; }

private:
    int fd_ = -1;
    std::string old_all_netns_;
    unsigned long lost_ = 0;
};

}  // namespace fwbench
