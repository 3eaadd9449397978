#include "fwbench/kernel_trace.hpp"

#include <arpa/inet.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>

namespace fwbench {

std::string format_counted(const CountedRule& c) {
    if (c.rule < 0) return c.table + " " + c.chain;  // a rule the handle map does not know
    return c.table + " " + c.chain + " " + (c.rule ? std::to_string(c.rule) : std::string("policy"));
}

std::string format_counted(const std::vector<CountedRule>& list) {
    if (list.empty()) return "(no rule)";
    std::string out;
    for (const auto& c : list) out += (out.empty() ? "" : ", ") + format_counted(c);
    return out;
}

std::vector<CountedRule> counted_rules(const Ruleset& rs, const PathResult& r) {
    std::vector<CountedRule> out;
    for (const auto& w : r.walks) {
        const Table& t = rs.tables[w.table];
        for (const auto& v : w.visits) {
            if (!v.matched) continue;
            out.push_back({t.name, t.chains[static_cast<std::size_t>(v.chain)].name, v.rule + 1});
        }
    }
    return out;
}

NftTraceListener::NftTraceListener() {
    fd_ = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_NETFILTER);
    if (fd_ < 0) throw std::runtime_error(std::string("cannot open a netfilter netlink socket: ") + std::strerror(errno));
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    int group = NFNLGRP_NFTRACE;
    int buffer = 64 << 20;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
        setsockopt(fd_, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof group) != 0 ||
        setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof buffer) != 0) {
        std::string why = std::strerror(errno);
        close(fd_);
        throw std::runtime_error("cannot listen to nf_tables trace events: " + why);
    }
}

NftTraceListener::~NftTraceListener() {
    if (fd_ >= 0) close(fd_);
}

void NftTraceListener::set_handles(const std::string& nft_json) {
    handles_.clear();
    auto doc = nlohmann::json::parse(nft_json);
    std::map<std::pair<std::string, std::string>, int> position;
    for (const auto& item : doc.at("nftables")) {
        auto it = item.find("rule");
        if (it == item.end() || it->value("family", "") != "ip") continue;
        std::string table = it->at("table").get<std::string>(), chain = it->at("chain").get<std::string>();
        int pos = ++position[{table, chain}];
        handles_[{table, it->at("handle").get<std::uint64_t>()}] = {chain, pos};
    }
}

namespace {

// Netlink attributes of one message: type -> payload, bounds-checked.
struct Attr {
    const std::uint8_t* data = nullptr;
    std::size_t len = 0;
};

void parse_attrs(const std::uint8_t* p, std::size_t len, Attr* out, std::size_t max_type) {
    while (len >= sizeof(nlattr)) {
        nlattr a;
        std::memcpy(&a, p, sizeof a);
        if (a.nla_len < sizeof(nlattr) || a.nla_len > len) return;
        std::size_t type = a.nla_type & NLA_TYPE_MASK;
        if (type <= max_type) out[type] = {p + NLA_HDRLEN, static_cast<std::size_t>(a.nla_len) - NLA_HDRLEN};
        std::size_t step = NLA_ALIGN(a.nla_len);
        if (step >= len) return;
        p += step;
        len -= step;
    }
}

std::uint32_t be32(const Attr& a) {
    std::uint32_t v = 0;
    if (a.len >= 4) std::memcpy(&v, a.data, 4);
    return ntohl(v);
}

std::uint64_t be64(const Attr& a) {
    std::uint64_t v = 0;
    if (a.len >= 8)
        for (int i = 0; i < 8; ++i) v = (v << 8) | a.data[i];
    return v;
}

std::string text(const Attr& a) {
    std::size_t n = a.len;
    while (n > 0 && a.data[n - 1] == 0) --n;
    return std::string(reinterpret_cast<const char*>(a.data), n);
}

}  // namespace

std::optional<CountedRule> NftTraceListener::trace_event(const std::uint8_t* msg, std::size_t len, const std::string& skip_prefix) const {
    Attr attrs[NFTA_TRACE_MAX + 1];
    const std::size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(nfgenmsg));
    parse_attrs(msg + off, len - off, attrs, NFTA_TRACE_MAX);
    std::string table = text(attrs[NFTA_TRACE_TABLE]);
    if (!skip_prefix.empty() && table.rfind(skip_prefix, 0) == 0) return std::nullopt;
    std::uint32_t type = be32(attrs[NFTA_TRACE_TYPE]);
    if (type == NFT_TRACETYPE_POLICY) return CountedRule{table, text(attrs[NFTA_TRACE_CHAIN]), 0};
    if (type != NFT_TRACETYPE_RULE) return std::nullopt;
    std::uint64_t handle = be64(attrs[NFTA_TRACE_RULE_HANDLE]);
    // Handle 0 is no rule: the end of a base chain, reported (6.x) just before its policy event.
    if (handle == 0) return std::nullopt;
    auto it = handles_.find({table, handle});
    if (it == handles_.end()) return CountedRule{table, text(attrs[NFTA_TRACE_CHAIN]) + " (handle " + std::to_string(handle) + ")", -1};
    return CountedRule{table, it->second.first, it->second.second};
}

std::vector<CountedRule> NftTraceListener::drain(const std::string& skip_prefix) {
    std::vector<CountedRule> out;
    alignas(nlmsghdr) static thread_local std::uint8_t buf[1 << 16];
    while (true) {
        ssize_t n = recv(fd_, buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            if (errno == ENOBUFS) throw std::runtime_error("nf_tables trace events were lost (socket buffer overrun)");
            throw std::runtime_error(std::string("reading nf_tables trace events: ") + std::strerror(errno));
        }
        std::size_t left = static_cast<std::size_t>(n);
        const std::uint8_t* p = buf;
        while (left >= sizeof(nlmsghdr)) {
            nlmsghdr h;
            std::memcpy(&h, p, sizeof h);
            if (h.nlmsg_len < sizeof h || h.nlmsg_len > left) break;
            if (h.nlmsg_type == ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_TRACE) && h.nlmsg_len >= NLMSG_HDRLEN + sizeof(nfgenmsg))
                if (auto counted = trace_event(p, h.nlmsg_len, skip_prefix)) out.push_back(std::move(*counted));
            std::size_t step = NLMSG_ALIGN(h.nlmsg_len);
            if (step >= left) break;
            p += step;
            left -= step;
        }
    }
    return out;
}

}  // namespace fwbench
