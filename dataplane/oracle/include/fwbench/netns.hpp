#pragma once
// Network namespaces that exist only as long as fwbench holds them.
//
// The kernel oracle (kernel_oracle.hpp) builds a router and its peers in namespaces of its own. A
// namespace here is created with unshare(CLONE_NEWNET) and kept by one file descriptor, never by a
// name under /run/netns: when the descriptor closes — the destructor, an exception, or the kernel
// closing it as fwbench dies of SIGKILL — the namespace goes, and with it its devices (a veth pair
// dies with either end), addresses, routes, iptables and nftables tables. Nothing can be left
// behind on the machine and there is nothing to sweep at the next start.
//
// Programs run inside one through ProgramRun::netns_fd (subprocess.hpp); `ip` names one after its
// `netns` keyword by proc_path(); sockets are opened inside one under an EnterNamespace guard.

#include <string>
#include <string_view>

namespace fwbench {

class NetNamespace {
public:
    // A new namespace holding only lo (down). Throws std::runtime_error (not root: EPERM).
    NetNamespace();
    ~NetNamespace();
    NetNamespace(NetNamespace&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    NetNamespace& operator=(NetNamespace&& other) noexcept;
    NetNamespace(const NetNamespace&) = delete;
    NetNamespace& operator=(const NetNamespace&) = delete;

    int fd() const { return fd_; }
    // /proc/PID/fd/N: the namespace as another process (ip link ... netns PATH) can open it.
    std::string proc_path() const;
    // Writes a sysctl of this namespace through /proc/sys, e.g. ("net/ipv4/ip_forward", "1"); each
    // path component is taken as it is (a device eth0.10 is the directory eth0.10). Throws naming it.
    void write_sysctl(std::string_view path, std::string_view value) const;

private:
    int fd_ = -1;
};

// Joins the calling thread to a namespace until destroyed (sockets created meanwhile belong to it).
class EnterNamespace {
public:
    explicit EnterNamespace(const NetNamespace& ns);
    ~EnterNamespace();
    EnterNamespace(const EnterNamespace&) = delete;
    EnterNamespace& operator=(const EnterNamespace&) = delete;

private:
    int home_ = -1;
};

}  // namespace fwbench
