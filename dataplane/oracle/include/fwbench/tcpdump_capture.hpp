#pragma once
// A real `tcpdump -i any` inside a network namespace: what a user runs on a router to give
// fwbench its traffic, run by the tests that check fwbench's reading of such a capture against the
// kernel's own counters.
//
// How: tcpdump is started from an argument vector in the namespace (subprocess.hpp) with
// immediate mode, a 32 MB buffer and packet-buffered output, so each packet reaches the file as it
// is seen; the constructor returns once tcpdump says it is listening. finish() waits until the file
// has stopped growing (the last packets written), stops tcpdump with SIGINT as a person would, and
// reads its closing statistics. A capture from which the kernel dropped packets proves nothing:
// the caller checks `dropped_by_kernel`.
//
// The destructor kills tcpdump if finish() was not called (a failed test leaves nothing running);
// the capture file is the caller's.

#include <cstdint>
#include <memory>
#include <string>

#include "fwbench/netns.hpp"
#include "fwbench/subprocess.hpp"

namespace fwbench {

class TcpdumpCapture {
public:
    // Throws std::runtime_error (with tcpdump's own words) when tcpdump is missing or does not
    // start listening within 10 s. `filter`: a capture filter expression, empty for every packet.
    TcpdumpCapture(const NetNamespace& ns, std::string file, std::string filter = {});
    ~TcpdumpCapture();
    TcpdumpCapture(const TcpdumpCapture&) = delete;
    TcpdumpCapture& operator=(const TcpdumpCapture&) = delete;

    struct Summary {
        std::uint64_t captured = 0, dropped_by_kernel = 0;
        std::string said;  // tcpdump's standard error, for messages
    };
    // Stops the capture once the file has been quiet for 300 ms; throws when tcpdump fails or its
    // statistics are not where they should be.
    Summary finish();
    const std::string& file() const { return file_; }

private:
    std::string file_, out_, err_;
    std::unique_ptr<RunningProgram> tcpdump_;
};

}  // namespace fwbench
