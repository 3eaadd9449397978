#include "fwbench/kernel_trace.hpp"

#include <algorithm>

#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <libnftnl/trace.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <memory>
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
    auto add_walk = [&](std::size_t wi, std::size_t from, std::size_t to) {
        const HookWalk& w = r.walks[wi];
        const Table& t = rs.tables[w.table];
        for (std::size_t i = from; i < to; ++i) {
            const RuleVisit& v = w.visits[i];
            if (v.matched) out.push_back({t.name, t.chains[static_cast<std::size_t>(v.chain)].name, v.rule + 1});
        }
    };
    // A walk's rules in the order the kernel reports them: a rule after its expressions ran. A
    // TEE copy's walks (sent from within its rule) come before the TEE rule; a REJECT's answer
    // leaves while the REJECT rule runs: its OUTPUT and POSTROUTING rules come before that rule.
    // Its PREROUTING and INPUT over lo run at once where it was sent from a sender's process
    // context (a local packet's OUTPUT and POSTROUTING, and what they send: its transmit re-enables
    // softirqs inside the rule); from softirq context they wait for the backlog, after all else.
    std::vector<std::pair<std::size_t, std::size_t>> backlog;  // a walk, and the end of the answer it belongs to
    bool dry = false;  // finding where a walk's sends end, emitting nothing
    auto add = [&](std::size_t wi, std::size_t from, std::size_t to) {
        if (!dry) add_walk(wi, from, to);
    };
    // Walk wi and what it sent from within; returns the index after them. What a walk sends lies
    // inside the walks of whatever sent that walk (before `limit`): the answer that follows a TEE
    // copy's last walk was sent by the walk the copy came from, not by that last walk.
    auto emit_walk = [&](auto& self, std::size_t wi, bool process, std::size_t limit) -> std::size_t {
        const HookWalk& w = r.walks[wi];
        std::size_t from = 0, next = wi + 1;
        for (const PathResult::Answer& copy : r.answers) {
            if (!copy.tee_copy || copy.tee_walk != wi || copy.first_walk != next) continue;
            add(wi, from, copy.tee_visit);
            for (std::size_t aw = copy.first_walk; aw < copy.end_walk;) aw = self(self, aw, process, copy.end_walk);
            from = copy.tee_visit;
            next = copy.end_walk;
        }
        const auto sent_here = std::find_if(r.answers.begin(), r.answers.end(),
                                            [&](const auto& a) { return a.by_rule && a.first_walk == next && a.first_walk < limit; });
        if (sent_here == r.answers.end() || w.visits.size() <= from) {
            add(wi, from, w.visits.size());
            return next;
        }
        const PathResult::Answer& a = *sent_here;
        add(wi, from, w.visits.size() - 1);
        for (std::size_t aw = a.first_walk; aw < a.end_walk;) {
            const bool in_over_lo = r.walks[aw].hook == Hook::prerouting || r.walks[aw].hook == Hook::input;
            if (process || !in_over_lo) {
                aw = self(self, aw, process, a.end_walk);
                continue;
            }
            if (!dry) backlog.emplace_back(aw, a.end_walk);
            const bool was_dry = dry;
            dry = true;
            aw = self(self, aw, false, a.end_walk);
            dry = was_dry;
        }
        add(wi, w.visits.size() - 1, w.visits.size());
        return a.end_walk;
    };
    for (std::size_t wi = 0; wi < r.walks.size();) {
        const HookWalk& w = r.walks[wi];
        wi = emit_walk(emit_walk, wi, (w.hook == Hook::output || w.hook == Hook::postrouting) && w.in.empty(), r.walks.size());
    }
    for (std::size_t i = 0; i < backlog.size(); ++i) emit_walk(emit_walk, backlog[i].first, false, backlog[i].second);
    return out;
}

NftTraceListener::NftTraceListener() {
    socket_ = mnl_socket_open(NETLINK_NETFILTER);
    if (!socket_) throw std::runtime_error(std::string("cannot open a netfilter netlink socket: ") + std::strerror(errno));
    int group = NFNLGRP_NFTRACE;
    int buffer = 64 << 20;
    if (mnl_socket_bind(socket_, 0, MNL_SOCKET_AUTOPID) != 0 || mnl_socket_setsockopt(socket_, NETLINK_ADD_MEMBERSHIP, &group, sizeof group) != 0 ||
        setsockopt(mnl_socket_get_fd(socket_), SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof buffer) != 0 ||
        fcntl(mnl_socket_get_fd(socket_), F_SETFL, O_NONBLOCK) != 0) {
        std::string why = std::strerror(errno);
        mnl_socket_close(socket_);
        throw std::runtime_error("cannot listen to nf_tables trace events: " + why);
    }
}

NftTraceListener::~NftTraceListener() {
    if (socket_) mnl_socket_close(socket_);
}

void NftTraceListener::set_handles(const std::string& nft_json, const std::string& family) {
    handles_.clear();
    auto doc = nlohmann::json::parse(nft_json);
    std::map<std::pair<std::string, std::string>, int> position;
    for (const auto& item : doc.at("nftables")) {
        auto it = item.find("rule");
        if (it == item.end() || it->value("family", "") != family) continue;
        std::string table = it->at("table").get<std::string>(), chain = it->at("chain").get<std::string>();
        int pos = ++position[{table, chain}];
        handles_[{table, it->at("handle").get<std::uint64_t>()}] = {chain, pos};
    }
}

namespace {

// libnftnl's trace object, freed however the parse ends.
struct TraceDeleter {
    void operator()(nftnl_trace* t) const { nftnl_trace_free(t); }
};

std::string trace_text(const nftnl_trace* t, std::uint16_t attr) {
    const char* s = nftnl_trace_is_set(t, attr) ? nftnl_trace_get_str(t, attr) : nullptr;
    return s ? s : "";
}

}  // namespace

std::optional<CountedRule> NftTraceListener::trace_event(const nlmsghdr* msg, const std::string& skip_prefix) const {
    std::unique_ptr<nftnl_trace, TraceDeleter> t(nftnl_trace_alloc());
    if (!t) throw std::runtime_error("out of memory for an nf_tables trace event");
    if (nftnl_trace_nlmsg_parse(msg, t.get()) < 0) return std::nullopt;  // not a trace event libnftnl can read
    const std::string table = trace_text(t.get(), NFTNL_TRACE_TABLE);
    if (!skip_prefix.empty() && table.rfind(skip_prefix, 0) == 0) return std::nullopt;
    const std::uint32_t type = nftnl_trace_get_u32(t.get(), NFTNL_TRACE_TYPE);
    if (type == NFT_TRACETYPE_POLICY) return CountedRule{table, trace_text(t.get(), NFTNL_TRACE_CHAIN), 0};
    if (type != NFT_TRACETYPE_RULE) return std::nullopt;
    // No handle, or handle 0, is no rule: the end of a base chain, reported (6.x) just before
    // its policy event.
    const std::uint64_t handle = nftnl_trace_is_set(t.get(), NFTNL_TRACE_RULE_HANDLE) ? nftnl_trace_get_u64(t.get(), NFTNL_TRACE_RULE_HANDLE) : 0;
    if (handle == 0) return std::nullopt;
    auto it = handles_.find({table, handle});
    if (it == handles_.end()) return CountedRule{table, trace_text(t.get(), NFTNL_TRACE_CHAIN) + " (handle " + std::to_string(handle) + ")", -1};
    return CountedRule{table, it->second.first, it->second.second};
}

std::vector<CountedRule> NftTraceListener::drain(const std::string& skip_prefix) {
    struct Drained {
        const NftTraceListener* self;
        const std::string* skip;
        std::vector<CountedRule> out;
    } drained{this, &skip_prefix, {}};
    // Messages of other types (none are expected on this group) are passed over.
    auto on_message = [](const nlmsghdr* h, void* data) -> int {
        auto* d = static_cast<Drained*>(data);
        if (h->nlmsg_type == ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_TRACE))
            if (auto counted = d->self->trace_event(h, *d->skip)) d->out.push_back(std::move(*counted));
        return MNL_CB_OK;
    };
    static thread_local std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE * 8);
    while (true) {
        const ssize_t n = mnl_socket_recvfrom(socket_, buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            if (errno == ENOBUFS) throw std::runtime_error("nf_tables trace events were lost (socket buffer overrun)");
            throw std::runtime_error(std::string("reading nf_tables trace events: ") + std::strerror(errno));
        }
        if (mnl_cb_run(buf.data(), static_cast<std::size_t>(n), 0, 0, on_message, &drained) < 0)
            throw std::runtime_error(std::string("reading nf_tables trace events: ") + std::strerror(errno));
    }
    return std::move(drained.out);
}

}  // namespace fwbench
