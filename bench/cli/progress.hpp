#pragma once
// A progress bar on the terminal for long runs: how far (the bytes of a capture file read, or
// the packets of a trace), packets, rate and time left, redrawn at most five times a second on
// stderr. Silent when stderr is not a terminal or the run is quiet; erased when done.
//
// update() is called per packet: it reads the clock once every 4096 calls, so it costs nothing
// a hot loop would notice.

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace fwbench {

class ProgressBar {
public:
    // `total`: the units of done in update() (bytes of a file, or packets); 0: unknown.
    ProgressBar(std::uint64_t total, bool quiet) : total_(total), enabled_(!quiet && isatty(STDERR_FILENO) != 0), start_(Clock::now()) {}
    ProgressBar(const ProgressBar&) = delete;
    ProgressBar& operator=(const ProgressBar&) = delete;
    ~ProgressBar() {
        if (shown_) std::fprintf(stderr, "\r%*s\r", 79, "");
    }

    void update(std::uint64_t done, std::uint64_t packets) {
        if (!enabled_ || (++calls_ & 4095) != 0) return;
        const auto now = Clock::now();
        const double elapsed = std::chrono::duration<double>(now - start_).count();
        if (elapsed < 0.5 || std::chrono::duration<double>(now - last_).count() < 0.2) return;
        last_ = now;
        shown_ = true;
        const double part = total_ ? static_cast<double>(done) / static_cast<double>(total_) : 0;
        const int width = 30, filled = static_cast<int>(width * (part > 1 ? 1 : part));
        const double rate = static_cast<double>(packets) / elapsed;
        std::string left = "?";
        if (part > 0.001) {
            const auto s = static_cast<long long>(elapsed / part - elapsed);
            left = std::to_string(s / 60) + "m" + (s % 60 < 10 ? "0" : "") + std::to_string(s % 60) + "s";
        }
        std::fprintf(stderr, "\r[%s%s] %3.0f%%  %llu packets  %.0f packets/s  %s left   ", std::string(static_cast<std::size_t>(filled), '#').c_str(),
                     std::string(static_cast<std::size_t>(width - filled), ' ').c_str(), 100 * part, static_cast<unsigned long long>(packets), rate,
                     left.c_str());
        std::fflush(stderr);
    }

private:
    using Clock = std::chrono::steady_clock;
    std::uint64_t total_, calls_ = 0;
    bool enabled_, shown_ = false;
    Clock::time_point start_, last_{};
};

}  // namespace fwbench
