#include "fwbench/packet_path.hpp"

#include "path_context.hpp"

#include <array>
#include <span>
#include <stdexcept>

#include "fwbench/linear_engine.hpp"
#include "fwbench/npt.hpp"

namespace fwbench {

using namespace path_detail;

const char* answer_withheld_name(AnswerWithheld w) {
    switch (w) {
        case AnswerWithheld::none: return "none";
        case AnswerWithheld::reset_to_reset: return "no TCP reset for a reset";
        case AnswerWithheld::no_tcp_header: return "tcp-reset needs a readable TCP header";
        case AnswerWithheld::fragment: return "only a first fragment is answered";
        case AnswerWithheld::broadcast: return "no ICMP error about a broadcast or multicast packet";
        case AnswerWithheld::not_for_host: return "no ICMP error about a frame not addressed to this host";
        case AnswerWithheld::about_an_error: return "no ICMP error about an ICMP error";
        case AnswerWithheld::rate_limited: return "icmp_ratelimit: the destination's token bucket is empty";
        case AnswerWithheld::route_error_limited: return "routing's error limit: one a second per source (route/error_cost)";
        case AnswerWithheld::redirect_backoff: return "redirect backoff: too soon after the last redirect to this source, or nine sent";
        case AnswerWithheld::source_not_one_node: return "no ICMPv6 error to an unspecified or multicast source";
        case AnswerWithheld::anycast_source: return "no ICMPv6 error to an anycast source";
        case AnswerWithheld::redirect6_limited:
            return "no redirect: the peer bucket of the packet's destination or source is empty (one a second, six at once)";
        case AnswerWithheld::no_link_local: return "no redirect: the arrival device has no link-local address";
        case AnswerWithheld::target_not_link_local: return "no redirect: the next hop is neither the destination nor link-local";
        case AnswerWithheld::source_not_neighbour: return "no redirect: the source is reached through a gateway, not a neighbour";
        case AnswerWithheld::checksum:
            return "REJECT answers only a packet whose transport checksum verifies, and NPT translated an address outside its source "
                   "prefix, which the checksum covers (assumed: no NIC had verified the checksum before, as none does for a packet "
                   "from a raw socket or a veth)";
        case AnswerWithheld::unchecksummed_protocol:
            return "REJECT answers a packet of this protocol only when its payload sums as a TCP checksum would (nf_reject_verify_csum "
                   "exempts only UDP without a checksum, GRE, AH, ESP, SCTP, UDP-Lite and DCCP), which a protocol without such a sum "
                   "does not (assumed: fwbench does not add the payload up)";
    }
    return "?";
}

const char* origin_name(Origin o) { return o == Origin::wire ? "wire" : "local"; }

const char* fate_name(Fate f) {
    switch (f) {
        case Fate::delivered: return "delivered";
        case Fate::forwarded: return "forwarded";
        case Fate::sent: return "sent";
        case Fate::dropped: return "dropped";
        case Fate::rejected: return "rejected";
        case Fate::queued: return "queued";
        case Fate::held: return "held";
    }
    return "?";
}

namespace {

// An sctp or dccp match reading past the ports (chunks, DCCP's type or options): it can hotdrop.
bool reads_transport_extras(const MatchSpec& m) {
    const auto* l4 = std::get_if<L4PortsMatch>(&m);
    return l4 && l4->reads_transport_extras();
}

// A hashlimit hashing ports: it reads them wherever the packet's protocol has them.
bool hashes_ports(const MatchSpec& m) {
    const auto* h = std::get_if<HashLimitMatch>(&m);
    return h && h->hashes_ports();
}

enum TableId { t_raw, t_mangle, t_nat, t_filter, t_security };
constexpr const char* table_names[] = {"raw", "mangle", "nat", "filter", "security"};

// Tables in priority order per hook (raw -300, mangle -150, nat dst -100, filter 0, security 50
// under iptables-legacy but 150 under iptables-nft, nat src 100); conntrack (-200) sits after raw
// in PREROUTING and OUTPUT. Only INPUT's order depends on the backend.
std::span<const TableId> tables_for(Hook h, Backend backend) {
    static constexpr TableId prerouting[] = {t_raw, t_mangle, t_nat};
    static constexpr TableId input_nft[] = {t_mangle, t_filter, t_nat, t_security};
    static constexpr TableId input_legacy[] = {t_mangle, t_filter, t_security, t_nat};
    static constexpr TableId forward[] = {t_mangle, t_filter, t_security};
    static constexpr TableId output[] = {t_raw, t_mangle, t_nat, t_filter, t_security};
    static constexpr TableId postrouting[] = {t_mangle, t_nat};
    switch (h) {
        case Hook::prerouting: return prerouting;
        case Hook::input: return backend == Backend::nf_tables ? std::span<const TableId>(input_nft) : std::span<const TableId>(input_legacy);
        case Hook::forward: return forward;
        case Hook::output: return output;
        case Hook::postrouting: return postrouting;
    }
    return {};
}

}  // namespace

std::vector<std::string_view> tables_in_hook_order(Hook h, Backend backend) {
    std::vector<std::string_view> out;
    for (TableId t : tables_for(h, backend)) out.push_back(table_names[t]);
    return out;
}

PacketPath::PacketPath(const Ruleset& rs, const Host& host, const IpsetRegistry* ipsets, std::shared_ptr<const Classifier> engine)
    : rs_(rs), host_(host), ipsets_(ipsets), engine_(std::move(engine)), flow_facts_(rs) {
    if (!engine_) engine_ = std::make_shared<LinearEngine>(rs, host, ipsets);
    if (&engine_->ruleset() != &rs) throw std::invalid_argument("PacketPath: the engine was built on another ruleset");
    for (int t = 0; t < 5; ++t) {
        table_index_[t] = -1;
        for (std::size_t i = 0; i < rs.tables.size(); ++i)
            if (rs.tables[i].name == table_names[t]) table_index_[t] = static_cast<int>(i);
        for (int h = 0; h < hook_count && table_index_[t] >= 0; ++h)
            has_chain_[t][h] = rs.base_chain(static_cast<std::size_t>(table_index_[t]), static_cast<Hook>(h)) >= 0;
    }
    for (bool present : has_chain_[t_nat]) nat_hooks_ = nat_hooks_ || present;
    // The modules whose checkentry calls nf_ct_netns_get.
    for (const auto& t : rs.tables)
        for (const auto& c : t.chains)
            for (const auto& r : c.rules) {
                for (const auto& m : r.matches) {
                    const bool header = std::holds_alternative<RtMatch>(m.spec) || std::holds_alternative<FragMatch>(m.spec) ||
                                        std::holds_alternative<OptionsMatch>(m.spec) || std::holds_alternative<AhMatch>(m.spec) ||
                                        std::holds_alternative<EspMatch>(m.spec) || std::holds_alternative<MhMatch>(m.spec) ||
                                        std::holds_alternative<TcpmssMatch>(m.spec) || std::holds_alternative<EcnMatch>(m.spec) ||
                                        std::holds_alternative<IpcompMatch>(m.spec) || reads_transport_extras(m.spec) || hashes_ports(m.spec);
                    const auto same_kind = [&](const MatchSpec& seen) {
                        if (reads_transport_extras(m.spec))
                            return reads_transport_extras(seen) && std::get<L4PortsMatch>(seen).protocol == std::get<L4PortsMatch>(m.spec).protocol;
                        const auto* o = std::get_if<OptionsMatch>(&seen);
                        const auto* h = std::get_if<HashLimitMatch>(&seen);
                        return seen.index() == m.spec.index() && (!o || o->destination == std::get<OptionsMatch>(m.spec).destination) &&
                               (!h || h->mode_dstport == std::get<HashLimitMatch>(m.spec).mode_dstport);
                    };
                    if (header && std::none_of(hotdrop_matches_.begin(), hotdrop_matches_.end(), same_kind)) hotdrop_matches_.push_back(m.spec);
                    const auto* mark = std::get_if<MarkMatch>(&m.spec);
                    const auto* host_state = std::get_if<HostStateMatch>(&m.spec);
                    if (std::holds_alternative<StateMatch>(m.spec) || std::holds_alternative<ConntrackMatch>(m.spec) ||
                        std::holds_alternative<ConnlimitMatch>(m.spec) || std::holds_alternative<ConnbytesMatch>(m.spec) ||
                        (mark && mark->connmark) || (host_state && host_state->tracks_connections) || std::holds_alternative<ClusterMatch>(m.spec) ||
                        std::holds_alternative<ConnlabelMatch>(m.spec))
                        conntrack_active_ = true;
                    has_cluster_ = has_cluster_ || std::holds_alternative<ClusterMatch>(m.spec);
                    defrag_active_ = defrag_active_ || (host_state && host_state->defragments);
                }
                if (const auto* rw = r.target ? std::get_if<RewriteTarget>(&r.target->spec) : nullptr) {
                    clamps_mss_ = clamps_mss_ || rw->kind == RewriteTarget::Kind::tcpmss_clamp;
                    sets_tcp_ecn_ = sets_tcp_ecn_ || (rw->kind == RewriteTarget::Kind::ecn && (rw->mask & 0xc0));
                }
                if (const auto* h = r.target ? std::get_if<HmarkTarget>(&r.target->spec) : nullptr) hmarks_.push_back(h);
                if (const auto* n = r.target ? std::get_if<NptTarget>(&r.target->spec) : nullptr) npts_.push_back(n);
                // xt_TPROXY's checkentry enables nf_defrag_ipv4/ipv6.
                if (r.target && std::holds_alternative<TproxyTarget>(r.target->spec)) defrag_active_ = true;
                // xt_SYNPROXY's checkentry enables conntrack (nf_ct_netns_get), and with it defragmentation.
                if (r.target && std::holds_alternative<SynproxyTarget>(r.target->spec)) conntrack_active_ = defrag_active_ = true;
                has_tee_ = has_tee_ || (r.target && std::holds_alternative<TeeTarget>(r.target->spec));
                if (r.target && (std::holds_alternative<NatTarget>(r.target->spec) || std::holds_alternative<ConnmarkTarget>(r.target->spec) ||
                                 std::holds_alternative<CtTarget>(r.target->spec)))
                    conntrack_active_ = true;
            }
    // The hooks a chain with a -m string, -m u32 or -m bpf is reached from.
    for (const auto& t : rs.tables)
        for (const auto& c : t.chains)
            for (const auto& r : c.rules)
                for (const auto& m : r.matches)
                    if (reads_packet_bytes(m.spec)) reads_bytes_hooks_ |= c.hooks;
}

void PacketPath::finish(Ctx& c, Fate fate) const {
    c.res.fate = fate;
    c.res.final_packet = c.p;
    c.res.ct_state = c.ct.state;
}

// conntrack (priority -200, between raw and mangle) on the packet's first hook.
void PacketPath::track(Ctx& c, Hook hook) const {
    c.has_ct = true;
    if (!conntrack_active_) {
        c.ct = CtAttachment{};
        c.ct.state = CtState::invalid;
        c.event(PathEventKind::conntrack_inactive);
    } else if (c.notrack) {
        c.ct = CtAttachment{};
        c.ct.state = CtState::untracked;
        c.event(PathEventKind::conntrack_untracked, [&](PathEvent& e) {
            e.hook = hook;
            e.flag = c.tee_copy;
        });
    } else {
        if (c.tracked) {
            c.ct = std::move(*c.tracked);
            c.tracked.reset();
        } else {
            c.ct = c.st.conntrack.classify(c.p);
        }
        if (c.recording) {
            const bool replayable_state = c.ct.state == CtState::established || c.ct.state == CtState::new_;
            if (!c.ct.conn || c.ct.is_new || !replayable_state) {
                refuse_flow(c, FlowRefusal::connection);
            } else {
                c.memo_ready = true;
                c.memo_state = c.ct.state;
                c.memo_status = c.ct.conn->status;
                c.memo_ctmark = c.ct.conn->mark;
            }
        }
        const PathEventKind kind = c.ct.conn                          ? PathEventKind::conntrack_entry
                                   : c.ct.state == CtState::untracked ? PathEventKind::conntrack_stack_untracked
                                                                      : PathEventKind::conntrack_invalid;
        c.event(kind, [&](PathEvent& e) {
            if (c.ct.conn) e.tuple = c.ct.conn->orig;
            e.ct_state = c.ct.state;
            e.ct_dir = c.ct.dir;
            e.flag = c.ct.is_new;
            e.invalid = c.ct.invalid;
            e.tcp_from = c.ct.tcp_from;
            e.icmp_type = kind == PathEventKind::conntrack_stack_untracked ? c.p.icmp_type : c.ct.icmp_type;
        });
    }
    Conntrack::describe(c.ct, c.p);
}

// One table's walk at a hook, recorded in the result (and the trace).
const WalkResult& PacketPath::walk_table(Ctx& c, Hook hook, int table, const char* name, const IfaceName& in, const IfaceName& out) const {
    c.p.in = in;
    c.p.out = out;
    const std::size_t wi = c.res.walks.size();
    HookWalk& w = c.res.walks.emplace_back();
    w.hook = hook;
    w.table = static_cast<std::size_t>(table);
    w.table_name = name;
    w.in = in;
    w.out = out;
    if (c.trace) w.seen = std::make_shared<const Packet>(c.p);
    // nft_set_pktinfo_ipv6 finds the transport header with IP6_FH_F_AUTH: under iptables-nft an
    // IPv6 packet's AH is its protocol for the rules (-p ah matches it, -p udp does not, nor any
    // transport match); ip6_tables walks past AH to the upper layer.
    const bool ah_is_protocol = rs_.backend == Backend::nf_tables && c.p.family == Family::ipv6 &&
                                std::find(c.p.ext_headers.begin(), c.p.ext_headers.begin() + c.p.ext_header_count, proto::ah) !=
                                    c.p.ext_headers.begin() + c.p.ext_header_count;
    const std::uint8_t upper = c.p.proto;
    const bool upper_present = c.p.l4_present;
    if (ah_is_protocol) {
        c.p.proto = proto::ah;
        c.p.l4_present = false;
    }
    FlowCache& flows = c.st.flow_cache;
    if (c.recording) {
        flows.log.clear();
        c.st.engine.count_log = &flows.log;
    }
    if (!has_tee_) {
        w.walk = engine_->run(w.table, hook, c.p, c.st.engine, c.trace ? &w.visits : nullptr);
    } else {
        // A TEE rule sends its copy from within the walk, whose walks go into c.res.walks: this
        // walk's entry is found again by its index, and its visits are kept aside meanwhile.
        std::vector<RuleVisit> visits;
        TeeSender sender(*this, c, hook, wi, upper, upper_present, c.trace ? &visits : nullptr);
        Duplicator* const outer = c.st.engine.duplicator;
        c.st.engine.duplicator = &sender;
        const WalkResult walked = engine_->run(w.table, hook, c.p, c.st.engine, c.trace ? &visits : nullptr);
        c.st.engine.duplicator = outer;
        c.res.walks[wi].walk = walked;
        c.res.walks[wi].visits = std::move(visits);
    }
    HookWalk& done = c.res.walks[wi];
    // What the rules wrote to the connection, in any table (nat's too, whose binding reads the
    // entry back): CONNMARK its mark, connlabel --set its labels.
    if (c.ct.conn) {
        c.ct.conn->mark = c.p.ct.mark;
        c.ct.conn->labels = c.p.ct.labels;
    }
    if (c.recording) {
        c.st.engine.count_log = nullptr;
        std::size_t refused = 0;
        if (flows.log.overflowed) refuse_flow(c, FlowRefusal::too_many_counts);
        else if (!walk_replayable(rs_, flow_facts_, done.table, rs_.base_chain(done.table, hook), flows.log, 0, flows.log.size, c.p, refused))
            refuse_flow(c, FlowRefusal::rule, refused);
        else flows.scratch.counts.insert(flows.scratch.counts.end(), flows.log.entries, flows.log.entries + flows.log.size);
    }
    if (ah_is_protocol) {
        c.p.proto = upper;
        c.p.l4_present = upper_present;
    }
    c.event(PathEventKind::walk, [&](PathEvent& e) {
        e.hook = hook;
        e.walk = static_cast<int>(wi);
    });
    return done.walk;
}

bool PacketPath::run_hook(Ctx& c, Hook hook, bool loopback_in) const {
    // What fwbench does not model is refused before any rule of the hook sees the packet. An
    // answer's or a TEE copy's refusal says so where it happens: its packet's fate line is the
    // packet's own, which went on.
    auto refuse = [&](const DropDetail& detail) {
        if (c.answer_slot != Ctx::no_answer) c.event(PathEventKind::copy_not_followed, [&](PathEvent& e) { e.detail = detail; });
        c.res.reason = DropReason::not_modelled;
        c.res.detail = detail;
        finish(c, Fate::dropped);
        return false;
    };
    // A packet one of the ruleset's header matches cannot read: whether the kernel drops it depends
    // on the walk reaching that rule (hotdrop).
    for (const MatchSpec& m : hotdrop_matches_)
        if (header_match_hotdrops(m, c.p)) return refuse(about(DropWhy::header_match_hotdrop, c.p.dst));
    if ((reads_bytes_hooks_ & hook_bit(hook)) && (c.p.bytes.empty() || !c.st.engine.datagram)) return refuse(about(DropWhy::bytes_unknown, {}));
    for (const HmarkTarget* h : hmarks_)
        if (hmark_reads_unkept_bytes(*h, c.p)) return refuse(about(DropWhy::hmark_unkept_bytes, {}));
    if (sets_tcp_ecn_ && c.p.proto == proto::tcp && c.p.fragment) return refuse(about(DropWhy::ecn_on_fragment, {}));
    if (has_cluster_ && c.p.pkttype == PktType::multicast) {
        const bool multicast_dst = c.p.family == Family::ipv4 ? v4_multicast(c.p.dst) : v6::is_multicast(c.p.dst);
        if (!multicast_dst) return refuse(about(DropWhy::cluster_pkttype, c.p.dst));
    }
    for (const NptTarget* n : npts_) {
        IpAddr mapped = n->source ? c.p.src : c.p.dst;
        if ((npt_hooks(n->source) & hook_bit(hook)) && c.p.family == Family::ipv6 &&
            !npt_map_prefix(mapped, n->dst_pfx, n->src_len, n->dst_len, n->adjustment))
            return refuse(about(DropWhy::npt_unmappable, mapped));
    }
    if (clamps_mss_ && hook != Hook::prerouting && hook != Hook::input && c.p.proto == proto::tcp) {
        IfaceName unknown;
        c.p.path_mtu = tcpmss_path_mtu(c, unknown);
        if (!c.p.path_mtu) return refuse(about(DropWhy::mtu_unknown, {}, unknown.view()));
    }
    c.res.hooks.push_back(hook);
    // The interfaces this hook shows the rules (kernel-semantics item 9).
    IfaceName in = c.p.in;
    IfaceName out = c.out_dev;
    switch (hook) {
        case Hook::prerouting:
        case Hook::input: out = IfaceName(); break;
        case Hook::forward: break;
        case Hook::output: in = IfaceName(); break;
        // ip_output passes skb->dev as the input device: a forwarded packet's arrival interface
        // (iptables refuses -i in built-in POSTROUTING, but user chains reached from it see it);
        // locally generated packets have none; TEE's copy the device its route gave it.
        case Hook::postrouting:
            if (c.tee_copy) in = c.tee_dev;
            break;
    }
    for (TableId t : tables_for(hook, rs_.backend)) {
        if (t == t_mangle && (hook == Hook::prerouting || hook == Hook::output) && !c.has_ct) {
            track(c, hook);
        } else if (t == t_mangle && loopback_in && hook == Hook::prerouting) {
            c.event(PathEventKind::conntrack_carried_over);
        }
        int ti = table_index_[t];
        if (ti < 0) continue;
        const bool has_chain = has_chain_[t][static_cast<int>(hook)];
        if (t == t_nat) {
            // nf_nat_inet_fn: no conntrack entry, no NAT; the chain sees only a connection's
            // first packet, before this manip type is set up. Without a chain at this hook the
            // binding is the null one.
            if (!c.ct.conn || !nat_hooks_) continue;
            bool done = manip_src(hook) ? c.ct.conn->nat_src_done : c.ct.conn->nat_dst_done;
            // nf_nat_ipv4_fn / nf_nat_ipv6_fn: a RELATED ICMP or ICMPv6 error (either
            // direction) is only translated; other RELATED packets (REJECT's RST, the reply of
            // an unconfirmed entry) set up the binding as a first packet does.
            const bool v6 = c.p.family == Family::ipv6;
            const bool related_icmp = c.ct.state == CtState::related && c.p.proto == (v6 ? proto::icmpv6 : proto::icmp);
            bool first = c.ct.state == CtState::new_ || (c.ct.state == CtState::related && !related_icmp);
            if (related_icmp && !c.p.transport_checksum_verifies()) {
                // nf_nat_icmpv6_reply_translation verifies the error's checksum first, which an
                // NPT of an address outside its prefix broke (assumed not verified before).
                c.res.reason = DropReason::nat_icmp_checksum;
                c.res.checksum_assumed = true;
                finish(c, Fate::dropped);
                return false;
            }
            if (related_icmp) {
                // nf_nat_icmp_reply_translation: a redirect about an entry whose NAT is not all set
                // up (both manips), or that has any, would teach hosts to bypass the translation.
                const Connection& conn = *c.ct.conn;
                if (c.p.icmp_type == (v6 ? 137 : 5) &&
                    (!conn.nat_src_done || !conn.nat_dst_done || (conn.status & (ct_status::src_nat | ct_status::dst_nat)))) {
                    c.res.reason = DropReason::nat_redirect;
                    finish(c, Fate::dropped);
                    return false;
                }
                // else translated by nat_apply below
            } else if (!done && first) {
                const NatTarget* nat = nullptr;
                if (has_chain) {
                    const WalkResult& r = walk_table(c, hook, ti, "nat", in, out);
                    if (r.verdict != Verdict::accept) {
                        c.res.reason = DropReason::netfilter;
                        finish(c, r.verdict == Verdict::queue ? Fate::queued : Fate::dropped);
                        return false;
                    }
                    nat = r.nat;
                }
                if (!nat_bind(c, hook, nat)) {
                    // MASQUERADE or REDIRECT without an address to map to: the target's NF_DROP.
                    c.res.reason = DropReason::netfilter;
                    finish(c, Fate::dropped);
                    return false;
                }
                // The binding changes the entry at once (nf_nat_setup_info): later hooks see its
                // SNAT/DNAT status bits (--ctstate DNAT) and its new reply tuple.
                Conntrack::describe(c.ct, c.p);
            } else if (!done) {
                c.event(PathEventKind::nat_not_traversed, [&](PathEvent& e) {
                    e.hook = hook;
                    e.flag = c.ct.state == CtState::established;
                });
            } else if (first) {
                c.event(PathEventKind::nat_already_mapped, [&](PathEvent& e) { e.hook = hook; });
            }
            nat_apply(c, hook);
            if (hook == Hook::output && !reroute_if_changed(c)) return false;
            continue;
        }
        if (!has_chain) continue;
        const WalkResult r = walk_table(c, hook, ti, table_names[t], in, out);
        if (r.notrack && t == t_raw && !c.has_ct) c.notrack = true;
        if (r.verdict == Verdict::accept || (r.verdict == Verdict::tproxy && tproxy(c, *r.target))) {
            if (hook == Hook::output && t == t_mangle && !reroute_if_changed(c)) return false;
            continue;
        }
        if (r.verdict == Verdict::synproxy) return synproxy(c, *r.target);
        c.res.reason = DropReason::netfilter;
        if (r.verdict == Verdict::reject && r.target)
            if (const auto* reject = std::get_if<RejectTarget>(&r.target->spec)) send_reject_answer(c, *reject);
        finish(c, r.verdict == Verdict::reject ? Fate::rejected : r.verdict == Verdict::queue ? Fate::queued : Fate::dropped);
        return false;
    }
    c.p.in = in;
    c.p.out = out;
    if (hook == Hook::input || hook == Hook::postrouting) {
        // __nf_conntrack_confirm at the last hook (priority INT_MAX), for a packet of the entry's
        // original direction: the one that made it, or an answer nf_ct_attach gave it as RELATED
        // (a REJECT of SYNPROXY's SYN-ACK, which holds the SYN's unconfirmed entry as its reply).
        if (c.ct.conn && !c.ct.conn->confirmed && (c.ct.is_new || c.ct.dir == CtDir::original)) {
            if (!c.st.conntrack.confirm(c.ct)) {
                c.event(PathEventKind::conntrack_clash, [&](PathEvent& e) { e.tuple = c.ct.conn->reply; });
                c.res.reason = DropReason::conntrack_clash;
                finish(c, Fate::dropped);
                return false;
            }
            c.event(PathEventKind::conntrack_confirmed);
        }
    }
    return true;
}

// dev_loopback_xmit's copy of a packet leaving by c.out_dev: the copy takes POSTROUTING, then
// netif_rx (in process context) runs its PREROUTING and INPUT at once, as arriving on that device
// with `pkttype`, the conntrack entry and the route kept. The copy's walks, hooks and events stay
// in the result; its fate does not, and the packet goes on as it was.
void PacketPath::loop_back_copy(Ctx& c, PktType pkttype) const {
    const Packet original = c.p;
    const CtAttachment ct = c.ct;
    const bool notrack = c.notrack;
    const IfaceName dev = c.out_dev;
    const SavedOutcome outcome(c.res);
    if (run_hook(c, Hook::postrouting)) {
        c.p.in = dev;
        c.p.pkttype = pkttype;
        c.out_dev = IfaceName();
        if (run_hook(c, Hook::prerouting, true)) run_hook(c, Hook::input);
    }
    outcome.restore(c.res);
    c.p = original;
    c.ct = ct;
    c.notrack = notrack;
    c.out_dev = dev;
}

void PacketPath::loop_back_broadcast(Ctx& c) const {
    // ip_mc_output clones a locally sent broadcast before the original's POSTROUTING, and the
    // clone loops back (loop_back_copy). Only then does the original take POSTROUTING, whatever
    // befell the clone (nf_tables TRACE events show this order; it matters to stateful matches).
    c.event(PathEventKind::broadcast_copy, [&](PathEvent& e) { e.dev = c.out_dev; });
    loop_back_copy(c, PktType::broadcast);
    c.event(PathEventKind::broadcast_original);
}

PathResult PacketPath::process(Packet p, Origin origin, PathState& st, bool trace) const {
    PathResult res;
    process(p, origin, st, res, trace);
    return res;
}

void PacketPath::process(const Packet& p, Origin origin, PathState& st, PathResult& res, bool trace) const {
    process_prepared(p, origin, st, res, nullptr, trace);
}

void PacketPath::prepare_burst(std::span<const Packet* const> packets, std::span<const Origin> origins, PathState& st,
                               std::span<CtLookahead> ahead) const {
    for (std::size_t i = 0; i < packets.size(); ++i)
        ahead[i] = flow_candidate(*packets[i], origins[i], st, false) ? st.conntrack.look_ahead(*packets[i]) : CtLookahead{};
    for (const CtLookahead& a : ahead) st.conntrack.prefetch_connection(a);
}

void PacketPath::process_prepared(const Packet& p, Origin origin, PathState& st, PathResult& res, const CtLookahead* ahead, bool trace) const {
    std::optional<CtAttachment> tracked;
    const bool candidate = flow_candidate(p, origin, st, trace);
    // A replay sets every field of the result itself (the finished packet is copied once).
    if (candidate && replay_flow(p, origin, st, res, ahead, tracked)) return;
    res.reset();
    if (st.flow_cache.enabled) {
        ++st.flow_cache.stats.walked;
        if (!candidate) ++st.flow_cache.stats.misses[static_cast<std::size_t>(FlowMiss::not_candidate)];
    }
    Ctx c{p, origin, st, res, trace};
    c.tracked = std::move(tracked);
    if (candidate) {
        c.recording = true;
        c.key = path_key_of(c.p, origin == Origin::local);
        st.flow_cache.scratch.counts.clear();
    }
    walk_path(c);
    if (c.recording) record_flow(c);
}

void PacketPath::walk_path(Ctx& c) const {
    const Origin origin = c.origin;
    PathState& st = c.st;
    PathResult& res = c.res;
    // No conntrack entry yet: rules before conntrack (raw) see ct == NULL, i.e. INVALID.
    c.p.ct = ConntrackView{};
    c.p.ct.state = CtState::invalid;
    auto drop = [&](DropReason reason, DropWhy why) {
        res.reason = reason;
        res.detail.why = why;
        res.detail.dev = c.p.in;
        finish(c, Fate::dropped);
    };
    if (c.p.family != rs_.family) {
        drop(DropReason::not_modelled, DropWhy::family_without_ruleset);
        res.detail.addr = c.p.dst;
        return;
    }
    if (origin == Origin::wire) {
        const Interface* itf = host_.interface(c.p.in.view());
        if (!itf) return drop(DropReason::unknown_interface, DropWhy::unknown_interface);
        // The kernel never sees it: a device that is not up (no UP flag) is not running.
        if (!itf->up) return drop(DropReason::interface_down, DropWhy::interface_down);
        c.p.out = IfaceName();
        c.event(PathEventKind::arrived, [&](PathEvent& e) { e.dev = c.p.in; });
        if (c.p.family == Family::ipv6 && !receive6(c)) return;
        if ((conntrack_active_ || defrag_active_) && c.p.is_fragment() && !defragment(c, DefragUser::conntrack_in)) return;
        if (!run_hook(c, Hook::prerouting)) return;
        if (!route_input(c)) return;
        if (c.local_delivery) {
            if (c.p.family == Family::ipv4 && c.p.is_fragment() && !defragment(c, DefragUser::local_deliver)) return;
            if (!run_hook(c, Hook::input)) return;
            finish(c, Fate::delivered);
            return answer_from_stack(c);
        }
        if (!(c.p.family == Family::ipv6 ? forward6(c) : forward4(c))) return;
        if (!run_hook(c, Hook::forward)) return;
        if (!run_hook(c, Hook::postrouting)) return;
        if (c.p.family == Family::ipv6 && route_mtu_exceeded6(c)) return;
        res.out_iface = c.out_dev;
        res.out_mtu = way_out_mtu(c);
        // ip_do_fragment / ip6_fragment: a reassembled datagram leaves in pieces no larger than its largest fragment.
        if (c.p.frag_max_size && (!res.out_mtu || c.p.frag_max_size < res.out_mtu)) res.out_mtu = c.p.frag_max_size;
        c.event(PathEventKind::forwarded_out, [&](PathEvent& e) { e.dev = c.out_dev; });
        return finish(c, Fate::forwarded);
    }

    // Locally generated.
    c.p.in = IfaceName();
    c.p.pkttype = PktType::outgoing;
    if (!route_output(c, false)) return;
    // It came from a socket: that socket, not the stack, takes what comes back on its connection.
    if (st.stack_answers && c.p.family == Family::ipv4 && c.p.l4_present && (c.p.proto == proto::tcp || c.p.proto == proto::udp))
        st.stack_connections.add(c.p.proto, c.p.src, c.p.sport, c.p.dst, c.p.dport);
    if ((conntrack_active_ || defrag_active_) && c.p.is_fragment() && !defragment(c, DefragUser::conntrack_out)) return;
    if (!run_hook(c, Hook::output)) return;
    leave_from_output(c);
}

bool PacketPath::defragment(Ctx& c, DefragUser user) const {
    const Sysctls& sys = host_.sysctl();
    const IpAddr dst = c.p.dst;
    const int timeout = c.p.family == Family::ipv4 ? sys.ipfrag_time_s : sys.frag6_timeout_s;
    const FragOutcome o = c.st.reassembly.gather(c.p, user, static_cast<std::uint64_t>(timeout));
    c.event(PathEventKind::reassembly, [&](PathEvent& e) {
        e.frag = o;
        e.flag = user == DefragUser::local_deliver;
        e.addr = dst;
    });
    if (o == FragOutcome::complete || o == FragOutcome::passed) return true;
    if (o == FragOutcome::held) {
        finish(c, Fate::held);
        return false;
    }
    c.res.reason = o == FragOutcome::not_modelled ? DropReason::not_modelled : DropReason::reassembly;
    c.res.detail.why = DropWhy::fragment_refused;
    c.res.detail.frag = o;
    c.res.detail.addr = dst;
    finish(c, Fate::dropped);
    return false;
}

bool PacketPath::forward4(Ctx& c) const {
    // ip_forward: a packet TPROXY gave a socket is not forwarded; TTL is checked, then
    // decremented, before the FORWARD hook.
    if (c.socket_assigned) {
        c.res.reason = DropReason::forward_socket_assigned;
        finish(c, Fate::dropped);
        return false;
    }
    if (c.p.ttl <= 1) {
        c.res.reason = DropReason::ttl_exceeded;
        c.res.detail.why = DropWhy::ttl_expires;
        c.res.detail.dev = c.p.in;
        c.res.detail.ttl = c.p.ttl;
        finish(c, Fate::dropped);
        c.event(PathEventKind::forwarding_ttl);
        send_icmp_error(c, 11, 0, AnswerFrom::path);  // "tell the sender its packet died"
        return false;
    }
    if (const unsigned mtu = mtu_exceeded(c)) {
        c.res.reason = DropReason::fragmentation_needed;
        c.res.detail.why = DropWhy::larger_than_mtu;
        c.res.detail.dev = c.out_dev;
        c.res.detail.mtu = mtu;
        finish(c, Fate::dropped);
        send_icmp_error(c, 3, 4, AnswerFrom::path, mtu);  // the MTU in the second word's low half
        return false;
    }
    --c.p.ttl;
    if (c.redirect) send_redirect(c);  // before FORWARD: sent whatever FORWARD decides
    return true;
}

// ip_exceeds_mtu for a forwarded packet: the way out's MTU when the packet has DF and is larger
// (0 otherwise, or when the host does not say its MTUs). A captured datagram larger than its
// arrival device's MTU was merged by GRO: the kernel checks its segments, each at most that MTU.
unsigned PacketPath::way_out_mtu(const Ctx& c) const {
    // ip_dst_mtu_maybe_forward: the route's mtu metric when it has one, else the device's.
    const Interface* out = host_.interface(c.out_dev.view());
    return c.route.route && c.route.route->mtu ? c.route.route->mtu : out ? out->mtu : 0;
}

// xt_TCPMSS: the smaller of dst_mtu(skb_dst) and tcpmss_reverse_mtu, the MTU of an output route
// to the packet's source (no mark, TOS or device; none: no limit). A route's MTU is its mtu
// metric, else its device's (ipv4_mtu: at most 65535; ip6_mtu: at least 1280, at most 65575);
// a local route's device is lo.
unsigned PacketPath::tcpmss_path_mtu(const Ctx& c, IfaceName& unknown) const {
    const bool v6 = c.p.family == Family::ipv6;
    const auto mtu_of = [&](const Route* route, std::string_view dev) -> unsigned {
        unsigned mtu = route ? route->mtu : 0;
        if (!mtu) {
            const Interface* itf = host_.interface(dev);
            if (!itf || !itf->mtu) {
                unknown = IfaceName(dev);
                return 0;
            }
            mtu = v6 ? std::max(itf->mtu, 1280u) : itf->mtu;
        }
        return std::min(mtu, v6 ? 65535u + 40 : 65535u);
    };
    const unsigned out = mtu_of(c.route.route, c.out_dev.view());
    if (!out) return 0;
    RouteQuery back;
    back.dst = c.p.src;
    back.src = IpAddr{};
    back.src.family = c.p.family;
    back.iif = "lo";
    const RouteResult r = host_.lookup(back);
    if (!r.found || !r.route || (r.type != RouteType::unicast && r.type != RouteType::local)) return out;
    const unsigned in = mtu_of(r.route, r.type == RouteType::local ? std::string_view("lo") : std::string_view(r.route->dev));
    return in ? std::min(out, in) : 0;
}

// A captured datagram larger than its arrival device's MTU was merged by GRO: its segments are
// what the kernel checks (and a GSO packet is segmented, never fragmented).
bool PacketPath::gro_merged(const Ctx& c, unsigned mtu) const {
    const Interface* arrival = host_.interface(c.p.in.view());
    return arrival && arrival->mtu && c.p.length > arrival->mtu && arrival->mtu <= mtu;
}

unsigned PacketPath::mtu_exceeded(const Ctx& c) const {
    const unsigned mtu = way_out_mtu(c);
    if (!mtu || !c.p.df || c.p.length <= mtu || gro_merged(c, mtu)) return 0;
    // ip_exceeds_mtu: a reassembled datagram (skb->ignore_df) is too big only if a fragment was.
    if (c.p.frag_max_size && c.p.frag_max_size <= mtu) return 0;
    return mtu;
}

// ip6_finish_output2, after the original's POSTROUTING: a packet to a group its device has
// joined, from a socket that loops multicast back (the default), is cloned and the clone loops
// back (loop_back_copy; PACKET_LOOPBACK, which -m pkttype calls multicast). The kernel's own
// neighbour discovery and MLD sockets never loop back.
void PacketPath::loop_back_multicast6(Ctx& c) const {
    const bool ndisc_or_mld =
        c.p.proto == proto::icmpv6 && c.p.l4_present && ((c.p.icmp_type >= 130 && c.p.icmp_type <= 137) || c.p.icmp_type == 143);
    const IfaceName dev = c.out_dev;
    const bool joined = !ndisc_or_mld && host_.joined_group6(dev.view(), c.p.dst);
    c.event(PathEventKind::multicast_copy, [&](PathEvent& e) {
        e.dev = dev;
        e.addr = c.p.dst;
        e.flag = joined;
        e.port = ndisc_or_mld ? 1 : 0;
    });
    if (joined) loop_back_copy(c, PktType::multicast);
}

void PacketPath::leave_from_output(Ctx& c) const {
    if (c.tee_copy && !tee_copy_leaves(c, false)) return;
    if (c.route.type == RouteType::broadcast && c.out_dev.view() != "lo") loop_back_broadcast(c);
    if (!run_hook(c, Hook::postrouting)) return;
    if (c.tee_copy && !tee_copy_leaves(c, true)) return;
    if (c.p.family == Family::ipv6 && v6::is_multicast(c.p.dst) && c.out_dev.view() != "lo") loop_back_multicast6(c);
    c.res.out_iface = c.out_dev;
    if (c.answer_slot != Ctx::no_answer) {  // what a capture on that device shows of it
        c.res.answers[c.answer_slot].packet = c.p;
        c.res.answers[c.answer_slot].out_iface = c.out_dev;
    }
    if (c.out_dev.view() != "lo") {
        c.event(PathEventKind::sent_out, [&](PathEvent& e) { e.dev = c.out_dev; });
        return finish(c, Fate::sent);
    }
    // Looped back: in = lo, the conntrack entry and the route come along. The kernel takes it in
    // from its backlog, after a TEE copy that sent it is done (nf_skb_duplicated no longer set).
    c.event(PathEventKind::looped_back);
    c.duplicating = false;
    c.p.in = IfaceName("lo");
    c.p.pkttype = PktType::host;
    c.out_dev = IfaceName();
    if (!run_hook(c, Hook::prerouting, true)) return;
    c.event(PathEventKind::route_kept);
    if (c.p.family == Family::ipv4 && c.p.is_fragment() && !defragment(c, DefragUser::local_deliver)) return;
    if (!run_hook(c, Hook::input)) return;
    finish(c, Fate::delivered);
    if (c.answer_slot == Ctx::no_answer) answer_from_stack(c);  // the stack answers packets, not its own answers
}

}  // namespace fwbench
