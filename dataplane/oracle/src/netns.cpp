#include "fwbench/netns.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "fwbench/names.hpp"

namespace fwbench {

namespace {

// This thread's namespace: /proc/thread-self, since /proc/self follows the main thread only.
int open_current() {
    int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error(std::string("cannot open this thread's network namespace: ") + std::strerror(errno));
    return fd;
}

void join(int fd, const char* what) {
    if (setns(fd, CLONE_NEWNET) != 0) throw std::runtime_error(std::string("cannot ") + what + " a network namespace: " + std::strerror(errno));
}

}  // namespace

NetNamespace::NetNamespace() {
    int home = open_current();
    if (unshare(CLONE_NEWNET) != 0) {
        int e = errno;
        close(home);
        throw std::runtime_error(std::string("cannot create a network namespace: ") + std::strerror(e) +
                                 (e == EPERM ? " (creating one needs root: CAP_SYS_ADMIN)" : ""));
    }
    fd_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    int e = errno;
    // Back home first, whatever happened: the thread must not stay in the new namespace.
    int back = setns(home, CLONE_NEWNET);
    close(home);
    if (back != 0) std::abort();  // the thread would keep running in the wrong namespace
    if (fd_ < 0) throw std::runtime_error(std::string("cannot hold the new network namespace: ") + std::strerror(e));
}

NetNamespace::~NetNamespace() {
    if (fd_ >= 0) close(fd_);
}

NetNamespace& NetNamespace::operator=(NetNamespace&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) close(fd_);
        fd_ = other.fd_;
        other.fd_ = -1;
    }
    return *this;
}

std::string NetNamespace::proc_path() const { return "/proc/" + std::to_string(getpid()) + "/fd/" + std::to_string(fd_); }

void NetNamespace::write_sysctl(std::string_view path, std::string_view value) const {
    const std::string file = "/proc/sys/" + std::string(path);
    EnterNamespace in(*this);  // /proc/sys/net resolves to the namespace of the thread that opens it
    int fd = open(file.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("cannot set sysctl " + quoted_name(path) + ": " + std::strerror(errno));
    ssize_t n = write(fd, value.data(), value.size());
    int e = errno;
    close(fd);
    if (n != static_cast<ssize_t>(value.size()))
        throw std::runtime_error("cannot set sysctl " + quoted_name(path) + " to " + std::string(value) + ": " + std::strerror(e));
}

EnterNamespace::EnterNamespace(const NetNamespace& ns) : home_(open_current()) {
    try {
        join(ns.fd(), "enter");
    } catch (...) {
        close(home_);
        throw;
    }
}

EnterNamespace::~EnterNamespace() {
    if (setns(home_, CLONE_NEWNET) != 0) std::abort();  // the thread would keep running in the wrong namespace
    close(home_);
}

}  // namespace fwbench
