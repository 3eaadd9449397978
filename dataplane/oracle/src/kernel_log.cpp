#include "fwbench/kernel_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fwbench {

namespace {

constexpr const char* all_netns = "/proc/sys/net/netfilter/nf_log_all_netns";

std::string read_value(const char* path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string v = ss.str();
    while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
    if (!in && v.empty()) throw std::runtime_error(std::string("cannot read ") + path);
    return v;
}

void write_value(const char* path, const std::string& v) {
    std::ofstream out(path);
    out << v << "\n";
    out.flush();
    if (!out) throw std::runtime_error(std::string("cannot write ") + path + " (needs root in the machine's own network namespace)");
}

}  // namespace

KernelLog::KernelLog() {
    old_all_netns_ = read_value(all_netns);
    fd_ = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd_ < 0) throw std::runtime_error(std::string("cannot open /dev/kmsg: ") + std::strerror(errno));
    if (lseek(fd_, 0, SEEK_END) < 0) {
        int e = errno;
        close(fd_);
        throw std::runtime_error(std::string("cannot seek /dev/kmsg: ") + std::strerror(e));
    }
    try {
        write_value(all_netns, "1");
    } catch (...) {
        close(fd_);
        throw;
    }
}

KernelLog::~KernelLog() {
    try {
        write_value(all_netns, old_all_netns_);
    } catch (...) {
        // Nothing more can be done from a destructor; the value stays 1 (it only lets
        // namespaces' LOG rules reach the log).
    }
    if (fd_ >= 0) close(fd_);
}

std::vector<std::string> KernelLog::take(std::string_view prefix) {
    std::vector<std::string> lines;
    char buf[8192];
    for (;;) {
        ssize_t n = read(fd_, buf, sizeof buf);
        if (n < 0) {
            if (errno == EPIPE) {  // records were overwritten before this read: skip to the oldest left
                ++lost_;
                continue;
            }
            if (errno == EINTR) continue;
            break;  // EAGAIN: nothing more
        }
        std::string_view rec(buf, static_cast<std::size_t>(n));
        auto semi = rec.find(';');
        if (semi == std::string_view::npos) continue;
        std::string_view text = rec.substr(semi + 1);
        text = text.substr(0, text.find('\n'));
        if (text.substr(0, prefix.size()) == prefix) lines.emplace_back(text);
    }
    return lines;
}

}  // namespace fwbench
