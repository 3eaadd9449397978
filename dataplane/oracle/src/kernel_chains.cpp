#include "fwbench/kernel_chains.hpp"

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace fwbench {

namespace {

struct SocketCloser {
    void operator()(mnl_socket* s) const { mnl_socket_close(s); }
};
struct ChainDeleter {
    void operator()(nftnl_chain* c) const { nftnl_chain_free(c); }
};

int on_chain(const nlmsghdr* msg, void* data) {
    auto& out = *static_cast<std::vector<KernelBaseChain>*>(data);
    std::unique_ptr<nftnl_chain, ChainDeleter> c(nftnl_chain_alloc());
    if (!c || nftnl_chain_nlmsg_parse(msg, c.get()) < 0) return MNL_CB_ERROR;
    if (!nftnl_chain_is_set(c.get(), NFTNL_CHAIN_HOOKNUM)) return MNL_CB_OK;  // a user chain
    out.push_back({nftnl_chain_get_str(c.get(), NFTNL_CHAIN_TABLE), nftnl_chain_get_str(c.get(), NFTNL_CHAIN_NAME),
                   nftnl_chain_is_set(c.get(), NFTNL_CHAIN_PACKETS)});
    return MNL_CB_OK;
}

}  // namespace

std::vector<KernelBaseChain> kernel_base_chains(Family family) {
    auto fail = [](const char* what) -> std::runtime_error {
        return std::runtime_error(std::string("cannot read the kernel's nf_tables chains (") + what + "): " + std::strerror(errno));
    };
    std::unique_ptr<mnl_socket, SocketCloser> sock(mnl_socket_open(NETLINK_NETFILTER));
    if (!sock) throw fail("socket");
    if (mnl_socket_bind(sock.get(), 0, MNL_SOCKET_AUTOPID) < 0) throw fail("bind");
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE * 4);
    const std::uint32_t seq = 1;
    nlmsghdr* nlh = nftnl_nlmsg_build_hdr(buf.data(), NFT_MSG_GETCHAIN, family == Family::ipv4 ? NFPROTO_IPV4 : NFPROTO_IPV6, NLM_F_DUMP, seq);
    if (mnl_socket_sendto(sock.get(), nlh, nlh->nlmsg_len) < 0) throw fail("send");
    const unsigned port = mnl_socket_get_portid(sock.get());
    std::vector<KernelBaseChain> out;
    while (true) {
        const ssize_t n = mnl_socket_recvfrom(sock.get(), buf.data(), buf.size());
        if (n < 0) throw fail("receive");
        const int r = mnl_cb_run(buf.data(), static_cast<std::size_t>(n), seq, port, on_chain, &out);
        if (r < 0) throw fail("dump");
        if (r == MNL_CB_STOP) break;
    }
    return out;
}

void apply_kernel_base_chains(Ruleset& rs, const std::vector<KernelBaseChain>& chains) {
    for (auto& t : rs.tables)
        for (auto& c : t.chains) {
            if (!c.builtin) continue;
            c.named = ChainPresence::absent;
            for (const auto& k : chains)
                if (k.table == t.name && k.chain == c.name) c.named = k.counted ? ChainPresence::counted : ChainPresence::uncounted;
        }
    rs.chain_presence_source = "the running kernel's nf_tables base chains";
}

}  // namespace fwbench
