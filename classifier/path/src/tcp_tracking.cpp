#include "tcp_tracking.hpp"

namespace fwbench {

namespace {

// nf_conntrack_proto_tcp.c: tcp_conntracks[dir][index][state]; sIV invalid, sIG ignore.
constexpr std::uint8_t sNO = 0, sSS = 1, sSR = 2, sES = 3, sFW = 4, sCW = 5, sLA = 6, sTW = 7, sCL = 8, sS2 = 9, sIV = 10, sIG = 11;
constexpr std::uint8_t tcp_table[2][6][10] = {{
                                                  /* ORIGINAL  sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2 */
                                                  /* syn    */ {sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2},
                                                  // A SYN/ACK from the client is invalid but in (simultaneous) open (current kernels;
                                                  // 3.x ignored it instead — the kernel oracle settled it).
                                                  /* synack */ {sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR},
                                                  /* fin    */ {sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV},
                                                  /* ack    */ {sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV},
                                                  /* rst    */ {sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL},
                                                  /* none   */ {sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV},
                                              },
                                              {
                                                  /* REPLY     sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2 */
                                                  // A SYN from the server in TIME_WAIT reopens (roles switched: Linux 6.2+).
                                                  /* syn    */ {sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2},
                                                  /* synack */ {sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR},
                                                  /* fin    */ {sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV},
                                                  /* ack    */ {sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG},
                                                  /* rst    */ {sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL},
                                                  /* none   */ {sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV},
                                              }};

// get_conntrack_index: the flag class a packet's state transition is looked up by.
enum : std::uint8_t { kSyn, kSynAck, kFin, kAck, kRst, kNone };
std::uint8_t tcp_index(std::uint8_t flags) {
    if (flags & tcp_flag::rst) return kRst;
    if (flags & tcp_flag::syn) return (flags & tcp_flag::ack) ? kSynAck : kSyn;
    if (flags & tcp_flag::fin) return kFin;
    if (flags & tcp_flag::ack) return kAck;
    return kNone;
}

constexpr std::uint64_t sec = 1000000000ull;
constexpr std::uint64_t timeout_retrans = 300 * sec, timeout_unack = 300 * sec;

std::uint64_t state_timeout(std::uint8_t s) {
    switch (s) {
        case sSS: return 120 * sec;
        case sSR: return 60 * sec;
        case sES: return 5ull * 24 * 3600 * sec;
        case sFW: return 120 * sec;
        case sCW: return 60 * sec;
        case sLA: return 30 * sec;
        case sTW: return 120 * sec;
        case sCL: return 10 * sec;
        case sS2: return 120 * sec;
        default: return 120 * sec;
    }
}

// Sequence space comparisons (before()/after() of net/tcp.h): modulo 2^32.
bool before(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b) < 0; }
bool after(std::uint32_t a, std::uint32_t b) { return before(b, a); }

std::uint32_t be32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | std::uint32_t{p[3]};
}

// segment_seq_plus_len: the sequence number after this segment (SYN and FIN count one each).
std::uint32_t segment_end(const Packet& p) {
    return p.tcp_seq + p.tcp_payload_len() + ((p.tcp_flags & tcp_flag::syn) ? 1 : 0) + ((p.tcp_flags & tcp_flag::fin) ? 1 : 0);
}

// tcp_options: window scale and SACK-permitted. With no options at all nothing is reset.
void read_options(const Packet& p, TcpWindow& state) {
    int length = p.tcp_option_len;
    if (!length) return;
    const std::uint8_t* ptr = p.tcp_option_bytes.data();
    state.td_scale = 0;
    state.flags &= tcp_window_flag::be_liberal;
    while (length > 0) {
        const int opcode = *ptr++;
        if (opcode == 0) return;  // EOL
        if (opcode == 1) {  // NOP
            --length;
            continue;
        }
        if (length < 2) return;
        const int opsize = *ptr++;
        if (opsize < 2 || opsize > length) return;  // silly or partial options
        if (opcode == 4 && opsize == 2) state.flags |= tcp_window_flag::sack_perm;
        else if (opcode == 3 && opsize == 3) {
            state.td_scale = *ptr > 14 ? 14 : *ptr;  // TCP_MAX_WSCALE
            state.flags |= tcp_window_flag::window_scale;
        }
        ptr += opsize - 2;
        length -= opsize;
    }
}

// tcp_sack: raises `sack` to the highest right edge of the first SACK option's blocks.
void read_sack(const Packet& p, std::uint32_t& sack) {
    int length = p.tcp_option_len;
    if (!length) return;
    const std::uint8_t* ptr = p.tcp_option_bytes.data();
    if (length == 12 && ptr[0] == 1 && ptr[1] == 1 && ptr[2] == 8 && ptr[3] == 10) return;  // the timestamp-only layout
    while (length > 0) {
        const int opcode = *ptr++;
        if (opcode == 0) return;
        if (opcode == 1) {
            --length;
            continue;
        }
        if (length < 2) return;
        const int opsize = *ptr++;
        if (opsize < 2 || opsize > length) return;
        if (opcode == 5 && opsize >= 10 && (opsize - 2) % 8 == 0) {
            for (int i = 0; i < opsize - 2; i += 8) {
                const std::uint32_t right = be32(ptr + i + 4);
                if (after(right, sack)) sack = right;
            }
            return;
        }
        ptr += opsize - 2;
        length -= opsize;
    }
}

// tcp_init_sender: a SYN/ACK answering a SYN, or a SYN from the reply side.
void init_sender(TcpWindow& sender, TcpWindow& receiver, const Packet& p, std::uint32_t end, std::uint32_t win, CtDir dir) {
    sender.td_end = sender.td_maxend = end;
    sender.td_maxwin = win == 0 ? 1 : win;
    read_options(p, sender);
    // RFC 1323: window scaling only when both sides offered it.
    if (dir == CtDir::reply && !((sender.flags & tcp_window_flag::window_scale) && (receiver.flags & tcp_window_flag::window_scale))) {
        sender.td_scale = 0;
        receiver.td_scale = 0;
    }
}

enum class Window : std::uint8_t { accept, ignore, invalid };

// nf_tcp_log_invalid: a liberal sender (the sysctl, or a connection picked up mid-stream) has
// its out-of-window packets accepted, though they update nothing.
Window unless_liberal(const TcpWindow& sender, const ConntrackOptions& opt, Window w) {
    return (sender.flags & tcp_window_flag::be_liberal) || opt.tcp_be_liberal ? Window::accept : w;
}

std::uint32_t max_ack_window(const TcpWindow& sender) { return sender.td_maxwin > 66000 ? sender.td_maxwin : 66000; }

Window in_window(Connection& c, CtDir dir, std::uint8_t index, const Packet& p, const ConntrackOptions& opt, CtInvalid& why) {
    TcpTracking& t = c.tcp_track;
    TcpWindow& sender = t.seen[static_cast<int>(dir)];
    TcpWindow& receiver = t.seen[1 - static_cast<int>(dir)];
    const bool syn = p.tcp_flags & tcp_flag::syn, ack_flag = p.tcp_flags & tcp_flag::ack, rst = p.tcp_flags & tcp_flag::rst;
    std::uint32_t seq = p.tcp_seq, ack = p.tcp_ack, sack = p.tcp_ack, win = p.tcp_window, end = segment_end(p);
    const std::uint16_t win_raw = p.tcp_window;
    if (receiver.flags & tcp_window_flag::sack_perm) read_sack(p, sack);

    if (sender.td_maxwin == 0) {
        if (syn) {
            init_sender(sender, receiver, p, end, win, dir);
            if (!ack_flag) return Window::accept;  // simultaneous open
        } else {
            // Mid-stream: the history is lost, so the packet sets this direction up.
            sender.td_end = end;
            const std::uint32_t swin = win << sender.td_scale;
            sender.td_maxwin = swin == 0 ? 1 : swin;
            sender.td_maxend = end + sender.td_maxwin;
            if (receiver.td_maxwin == 0) receiver.td_end = receiver.td_maxend = sack;
            else if (sack == receiver.td_end + 1) ++receiver.td_end;  // likely a reply to a keepalive
        }
    } else if (syn && after(end, sender.td_end) && (c.tcp == TcpCtState::syn_sent || c.tcp == TcpCtState::syn_recv)) {
        // A reinitialised sender (RFC 793): set up again as for the first SYN(/ACK).
        init_sender(sender, receiver, p, end, win, dir);
        if (dir == CtDir::reply && !ack_flag) return Window::accept;
    }

    if (!ack_flag) ack = sack = receiver.td_end;  // no ACK: pretend it acknowledges what was sent
    else if (rst && ack == 0) ack = sack = receiver.td_end;  // stacks that send RST+ACK with ack 0
    if (rst && seq == 0 && c.tcp == TcpCtState::syn_sent) seq = end = sender.td_end;  // a RST answering a SYN

    if (!before(seq, sender.td_maxend + 1)) {
        const std::uint32_t overshot = end - sender.td_maxend + 1;
        const bool ack_ok = after(sack, receiver.td_end - max_ack_window(sender) - 1);
        const bool in_recv_win = receiver.td_maxwin && after(end, sender.td_end - receiver.td_maxwin - 1);
        if (in_recv_win && ack_ok && overshot <= receiver.td_maxwin && before(sack, receiver.td_end + 1)) {
            // A sender exceeding the window by what the receiver may still take: remember the
            // data so that its ACK is not over the upper bound later.
            sender.td_end = end;
            sender.flags |= tcp_window_flag::data_unacknowledged;
            return unless_liberal(sender, opt, Window::ignore);
        }
        why = CtInvalid::tcp_seq_over_window;
        return unless_liberal(sender, opt, Window::invalid);
    }
    if (!before(sack, receiver.td_end + 1)) {
        why = CtInvalid::tcp_ack_over_window;
        return unless_liberal(sender, opt, Window::invalid);
    }
    // Already acknowledged data retransmitted, or an overly delayed ACK: let through, untracked.
    if (receiver.td_maxwin && !after(end, sender.td_end - receiver.td_maxwin - 1)) return unless_liberal(sender, opt, Window::ignore);
    if (!after(sack, receiver.td_end - max_ack_window(sender) - 1)) return unless_liberal(sender, opt, Window::ignore);

    if (!syn) win <<= sender.td_scale;
    const std::uint32_t swin = win + (sack - ack);
    if (sender.td_maxwin < swin) sender.td_maxwin = swin;
    if (after(end, sender.td_end)) {
        sender.td_end = end;
        sender.flags |= tcp_window_flag::data_unacknowledged;
    }
    if (ack_flag) {
        if (!(sender.flags & tcp_window_flag::maxack_set)) {
            sender.td_maxack = ack;
            sender.flags |= tcp_window_flag::maxack_set;
        } else if (after(ack, sender.td_maxack)) {
            sender.td_maxack = ack;
        }
    }
    if (receiver.td_maxwin != 0 && after(end, sender.td_maxend)) receiver.td_maxwin += end - sender.td_maxend;
    if (after(sack + win, receiver.td_maxend - 1)) {
        receiver.td_maxend = sack + win;
        if (win == 0) ++receiver.td_maxend;
    }
    if (ack == receiver.td_end) receiver.flags &= static_cast<std::uint8_t>(~tcp_window_flag::data_unacknowledged);

    if (index == kAck) {  // retransmissions: the same ACK segment again
        const std::uint8_t d = static_cast<std::uint8_t>(dir);
        if (t.last_dir == d && t.last_seq == seq && t.last_ack == ack && t.last_end == end && t.last_win == win_raw) {
            ++t.retrans;
        } else {
            t.last_dir = d;
            t.last_seq = seq;
            t.last_ack = ack;
            t.last_end = end;
            t.last_win = win_raw;
            t.retrans = 0;
        }
    }
    return Window::accept;
}

// nf_tcp_handle_invalid: an out-of-window FIN or RST answering the other side's FIN or RST cuts an
// assured connection's remaining time to the unacknowledged-data timeout.
void handle_invalid(Connection& c, CtDir dir, std::uint8_t index, std::uint64_t now_ns) {
    if (!(c.status & ct_status::assured) || (index != kRst && index != kFin)) return;
    TcpTracking& t = c.tcp_track;
    const std::uint8_t d = static_cast<std::uint8_t>(dir);
    if (t.last_dir != d && (t.last_index == kFin || t.last_index == kRst)) {
        const std::uint64_t left = c.expires_ns > now_ns ? c.expires_ns - now_ns : 0;
        if (left < 120 * sec) return;
        if (left > timeout_unack) c.expires_ns = now_ns + timeout_unack;
    } else {
        t.last_index = index;
        t.last_dir = d;
    }
}

bool can_early_drop(TcpCtState s) {
    return s == TcpCtState::fin_wait || s == TcpCtState::last_ack || s == TcpCtState::time_wait || s == TcpCtState::close ||
           s == TcpCtState::close_wait;
}

// nf_conntrack_tcp_established.
bool established(const Connection& c) { return c.tcp == TcpCtState::established && (c.status & ct_status::assured); }

// A direction's window reset for the resync (nf_ct_tcp_state_reset): only liberality stays.
void reset_window(TcpWindow& w) { w = TcpWindow{0, 0, 0, 0, 0, static_cast<std::uint8_t>(w.flags & tcp_window_flag::be_liberal)}; }

// The IGNORE case of nf_conntrack_tcp_packet, short of the resync (which the caller checks
// first): remember the packet, in case the other side's answer shows the two ends are in sync.
void remember_ignored(TcpTracking& t, CtDir dir, std::uint8_t index, std::uint8_t old_state, const Packet& p) {
    t.last_index = index;
    t.last_dir = static_cast<std::uint8_t>(dir);
    t.last_seq = p.tcp_seq;
    t.last_end = segment_end(p);
    t.last_win = p.tcp_window;
    if (index == kSyn && dir == CtDir::original) {
        // A SYN in ORIGINAL: keep its options for when its SYN/ACK comes.
        TcpWindow seen{};
        t.last_flags = t.last_wscale = 0;
        read_options(p, seen);
        if (seen.flags & tcp_window_flag::window_scale) {
            t.last_flags |= tcp_window_flag::window_scale;
            t.last_wscale = seen.td_scale;
        }
        if (seen.flags & tcp_window_flag::sack_perm) t.last_flags |= tcp_window_flag::sack_perm;
        if (old_state == sLA) t.last_flags |= tcp_window_flag::exp_challenge_ack;  // RFC 5961 may answer with an ACK
    }
    if (old_state == sSS && index == kAck && dir == CtDir::reply) t.last_ack = p.tcp_ack;  // a possible challenge ACK
}

}  // namespace

// tcp_error's flag sanity check (tcp_valid_flags): the combinations a TCP may send.
bool tcp_flags_valid(std::uint8_t flags) {
    std::uint8_t f = flags & ~(tcp_flag::ece | tcp_flag::cwr | tcp_flag::psh);
    switch (f) {
        case tcp_flag::syn:
        case tcp_flag::syn | tcp_flag::urg:
        case tcp_flag::syn | tcp_flag::ack:
        case tcp_flag::rst:
        case tcp_flag::rst | tcp_flag::ack:
        case tcp_flag::fin | tcp_flag::ack:
        case tcp_flag::fin | tcp_flag::ack | tcp_flag::urg:
        case tcp_flag::ack:
        case tcp_flag::ack | tcp_flag::urg: return true;
        default: return false;
    }
}

bool tcp_new(Connection& c, const Packet& p, const ConntrackOptions& opt, CtInvalid& why) {
    const std::uint8_t first = tcp_table[0][tcp_index(p.tcp_flags)][sNO];
    if (first == sIV) {
        why = CtInvalid::tcp_not_first;
        return false;
    }
    if (first != sSS && !opt.tcp_loose) {
        why = CtInvalid::tcp_loose_off;
        return false;
    }
    c.tcp = TcpCtState::none;
    c.tcp_track = TcpTracking{};
    TcpWindow& w = c.tcp_track.seen[0];
    w.td_end = segment_end(p);
    w.td_maxwin = p.tcp_window == 0 ? 1 : p.tcp_window;
    if (first == sSS) {
        w.td_maxend = w.td_end;
        read_options(p, w);
    } else {
        // Picked up mid-stream: SACK and liberal window checking assumed for both sides, since
        // the window scale they agreed on was never seen.
        w.td_maxend = w.td_end + w.td_maxwin;
        c.tcp_track.seen[0].flags = c.tcp_track.seen[1].flags = tcp_window_flag::sack_perm | tcp_window_flag::be_liberal;
    }
    c.tcp_track.last_index = kNone;
    return true;
}

TcpTrackResult tcp_packet(Connection& c, CtDir dir, const Packet& p, const ConntrackOptions& opt, std::uint64_t now_ns) {
    TcpTrackResult r;
    TcpTracking& t = c.tcp_track;
    const int d = static_cast<int>(dir);
    std::uint8_t old_state = static_cast<std::uint8_t>(c.tcp);
    const std::uint8_t index = tcp_index(p.tcp_flags);
    std::uint8_t new_state = tcp_table[d][index][old_state];
    bool check_window = true;

    switch (new_state) {
        case sSS:
            if (old_state < sTW) break;
            // A new SYN after a close or an abort: the old entry goes, the SYN starts another.
            if (((t.seen[d].flags | t.seen[1 - d].flags) & tcp_window_flag::close_init) || (t.last_dir == d && t.last_index == kRst)) {
                r.verdict = TcpVerdict::reopen;
                return r;
            }
            [[fallthrough]];
        case sIG:
            if (index == kSynAck && t.last_index == kSyn && t.last_dir != d && p.tcp_ack == t.last_end) {
                // This SYN/ACK acknowledges a SYN ignored before: both ends are in sync and we
                // were not. Take the windows from what was remembered.
                old_state = sSS;
                new_state = sSR;
                TcpWindow& syn_side = t.seen[t.last_dir];
                syn_side.td_end = syn_side.td_maxend = t.last_end;
                syn_side.td_maxwin = t.last_win == 0 ? 1 : t.last_win;
                syn_side.td_scale = t.last_wscale;
                t.last_flags &= static_cast<std::uint8_t>(~tcp_window_flag::exp_challenge_ack);
                syn_side.flags = t.last_flags;
                reset_window(t.seen[d]);
                break;
            }
            remember_ignored(t, dir, index, old_state, p);
            return r;  // accepted, state and timeout unchanged
        case sIV:
            r.verdict = TcpVerdict::invalid;
            r.why = CtInvalid::tcp_transition;
            r.from = c.tcp;
            return r;
        case sTW:
            if (old_state == sLA && index == kAck && t.last_dir != d && t.last_index == kSyn && (t.last_flags & tcp_window_flag::exp_challenge_ack)) {
                // An RFC 5961 challenge ACK to a SYN, not the ACK of the last FIN.
                t.last_flags &= static_cast<std::uint8_t>(~tcp_window_flag::exp_challenge_ack);
                return r;
            }
            break;
        case sS2: t.last_flags |= tcp_window_flag::simultaneous_open; break;
        case sSR:
            if (dir == CtDir::reply && index == kAck && (t.last_flags & tcp_window_flag::simultaneous_open)) new_state = sES;
            break;
        case sCL: {
            if (index != kRst) break;
            if (can_early_drop(c.tcp)) {  // closing already: the tuple may be reused, skip the checks
                check_window = false;
                break;
            }
            const TcpWindow& other = t.seen[1 - d];
            if ((other.flags & tcp_window_flag::maxack_set) && t.last_index != kSyn) {
                const std::uint32_t seq = p.tcp_seq;
                if (seq == 0 && !established(c)) break;  // likely answering a SYN let through
                if (before(seq, other.td_maxack) && !opt.tcp_ignore_invalid_rst) {
                    r.verdict = TcpVerdict::invalid;
                    r.why = CtInvalid::tcp_invalid_rst;
                    return r;
                }
                if (!established(c) || seq == other.td_maxack) break;
                if (t.last_index == kAck && t.last_dir == d && seq == t.last_end) break;  // the end of a train of data
                new_state = old_state;  // not exact: stay, for a challenge ACK
            }
            const bool seen_reply = c.status & ct_status::seen_reply, assured = c.status & ct_status::assured;
            if (((seen_reply && t.last_index == kSyn) || (!assured && t.last_index == kAck)) && p.tcp_ack == t.last_end) {
                check_window = false;  // a RST to a SYN or ACK let through above: it may ACK what was ignored
                break;
            }
            if (old_state == sSS && t.last_index == kAck && t.last_dir == static_cast<std::uint8_t>(CtDir::reply) && p.tcp_seq == t.last_ack)
                check_window = false;  // a reset answering a challenge ACK
            break;
        }
        default: break;
    }

    if (check_window) {
        CtInvalid why = CtInvalid::none;
        switch (in_window(c, dir, index, p, opt, why)) {
            case Window::ignore: return r;
            case Window::invalid:
                handle_invalid(c, dir, index, now_ns);
                r.verdict = TcpVerdict::invalid;
                r.why = why;
                return r;
            case Window::accept: break;
        }
    }

    t.last_index = index;
    t.last_dir = static_cast<std::uint8_t>(d);
    c.tcp = static_cast<TcpCtState>(new_state);
    if (old_state != new_state && new_state == sFW) t.seen[d].flags |= tcp_window_flag::close_init;

    const std::uint64_t state_time = state_timeout(new_state);
    std::uint64_t timeout = state_time;
    if (t.retrans >= opt.tcp_max_retrans && state_time > timeout_retrans) timeout = timeout_retrans;
    else if (index == kRst) timeout = state_timeout(sCL);
    else if (((t.seen[0].flags | t.seen[1].flags) & tcp_window_flag::data_unacknowledged) && state_time > timeout_unack) timeout = timeout_unack;
    else if (t.last_win == 0 && state_time > timeout_retrans) timeout = timeout_retrans;

    if (!(c.status & ct_status::seen_reply)) {
        if (p.tcp_flags & tcp_flag::rst) {  // the only answer is a reset: no connection to keep
            r.verdict = TcpVerdict::accept_and_kill;
            r.accounted = true;
            return r;
        }
        if (index == kSyn && old_state == sSS) return r;  // a retransmitted SYN does not renew the timeout
        if (new_state == sES && timeout > timeout_unack) timeout = timeout_unack;  // picked up mid-stream
    } else if (!(c.status & ct_status::assured) && (old_state == sSR || old_state == sES) && new_state == sES) {
        c.status |= ct_status::assured;
    }
    c.expires_ns = now_ns + timeout;
    r.accounted = true;
    return r;
}

}  // namespace fwbench
