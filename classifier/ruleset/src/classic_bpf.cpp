// Classic BPF for -m bpf: the kernel's load-time checks (bpf_check_classic,
// check_load_and_stores) and its run-time semantics (bpf_convert_filter's translation, the
// skb load helpers) over a datagram.
#include "fwbench/classic_bpf.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <iterator>

namespace fwbench {

namespace {

// Instruction classes and fields (linux/bpf_common.h).
constexpr std::uint16_t ld = 0x00, ldx = 0x01, st = 0x02, stx = 0x03, alu = 0x04, jmp = 0x05, ret = 0x06, misc = 0x07;
constexpr std::uint16_t size_w = 0x00, size_h = 0x08, size_b = 0x10;
constexpr std::uint16_t mode_imm = 0x00, mode_abs = 0x20, mode_ind = 0x40, mode_mem = 0x60, mode_len = 0x80, mode_msh = 0xa0;
constexpr std::uint16_t op_add = 0x00, op_sub = 0x10, op_mul = 0x20, op_div = 0x30, op_or = 0x40, op_and = 0x50, op_lsh = 0x60;
constexpr std::uint16_t op_rsh = 0x70, op_neg = 0x80, op_mod = 0x90, op_xor = 0xa0;
constexpr std::uint16_t jmp_ja = 0x00, jmp_jeq = 0x10, jmp_jgt = 0x20, jmp_jge = 0x30, jmp_jset = 0x40;
constexpr std::uint16_t src_k = 0x00, src_x = 0x08, rval_a = 0x10, misc_tax = 0x00, misc_txa = 0x80;

constexpr std::uint16_t cls(std::uint16_t code) { return code & 0x07; }
constexpr std::uint16_t size_of(std::uint16_t code) { return code & 0x18; }
constexpr std::uint16_t mode_of(std::uint16_t code) { return code & 0xe0; }
constexpr std::uint16_t op_of(std::uint16_t code) { return code & 0xf0; }
constexpr std::uint16_t src_of(std::uint16_t code) { return code & 0x08; }

constexpr unsigned memwords = 16;  // BPF_MEMWORDS

// Negative offsets (linux/filter.h): ancillary data, the network header, the link-layer header.
constexpr std::int32_t skf_ad_off = -0x1000, skf_net_off = -0x100000, skf_ll_off = -0x200000;

// SKF_AD_* offsets from SKF_AD_OFF, as bpf_anc_helper lists them.
enum Ancillary : std::uint32_t {
    ad_protocol = 0,
    ad_pkttype = 4,
    ad_ifindex = 8,
    ad_nlattr = 12,
    ad_nlattr_nest = 16,
    ad_mark = 20,
    ad_queue = 24,
    ad_hatype = 28,
    ad_rxhash = 32,
    ad_cpu = 36,
    ad_alu_xor_x = 40,
    ad_vlan_tag = 44,
    ad_vlan_tag_present = 48,
    ad_pay_offset = 52,
    ad_random = 56,
    ad_vlan_tpid = 60,
    ad_max = 64,
};

// What an ancillary load reads that fwbench does not model, or null for those it runs.
const char* unmodelled_ancillary(std::uint32_t ad) {
    switch (ad) {
        case ad_protocol:
        case ad_mark:
        case ad_alu_xor_x: return nullptr;
        case ad_pkttype: return "SKF_AD_PKTTYPE (the socket buffer's packet type)";
        case ad_ifindex: return "SKF_AD_IFINDEX (the index of the device the socket buffer is on, or none)";
        case ad_hatype: return "SKF_AD_HATYPE (the type of the device the socket buffer is on)";
        case ad_nlattr: return "SKF_AD_NLATTR (a netlink attribute, read only from a linear socket buffer)";
        case ad_nlattr_nest: return "SKF_AD_NLATTR_NEST (a netlink attribute, read only from a linear socket buffer)";
        case ad_queue: return "SKF_AD_QUEUE (the queue the packet came in on)";
        case ad_rxhash: return "SKF_AD_RXHASH (the flow hash the device or the stack set)";
        case ad_cpu: return "SKF_AD_CPU (the CPU the packet is processed on)";
        case ad_vlan_tag: return "SKF_AD_VLAN_TAG (the VLAN tag the device took off)";
        case ad_vlan_tag_present: return "SKF_AD_VLAN_TAG_PRESENT (whether the device took off a VLAN tag)";
        case ad_vlan_tpid: return "SKF_AD_VLAN_TPID (the protocol of the VLAN tag the device took off)";
        case ad_pay_offset: return "SKF_AD_PAY_OFFSET (the payload's offset by the flow dissector)";
        case ad_random: return "SKF_AD_RANDOM (a random number)";
        default: return "an unknown ancillary offset";
    }
}

// The ancillary load an ABS instruction is, or ad_max when it is a load from the bytes.
std::uint32_t ancillary_of(const BpfInsn& in) {
    if (cls(in.code) != ld || mode_of(in.code) != mode_abs) return ad_max;
    const std::uint32_t base = static_cast<std::uint32_t>(skf_ad_off);
    if (in.k < base || in.k - base >= ad_max || (in.k - base) % 4 != 0) return ad_max;
    return in.k - base;
}

// chk_code_allowed's table: the codes the kernel runs.
constexpr std::uint16_t allowed_codes[] = {
    // 32-bit arithmetic, by a constant and by X
    alu | op_add | src_k, alu | op_add | src_x, alu | op_sub | src_k, alu | op_sub | src_x, alu | op_mul | src_k, alu | op_mul | src_x,
    alu | op_div | src_k, alu | op_div | src_x, alu | op_mod | src_k, alu | op_mod | src_x, alu | op_and | src_k, alu | op_and | src_x,
    alu | op_or | src_k, alu | op_or | src_x, alu | op_xor | src_k, alu | op_xor | src_x, alu | op_lsh | src_k, alu | op_lsh | src_x,
    alu | op_rsh | src_k, alu | op_rsh | src_x, alu | op_neg,
    // loads
    ld | size_w | mode_abs, ld | size_h | mode_abs, ld | size_b | mode_abs, ld | size_w | mode_len, ld | size_w | mode_ind, ld | size_h | mode_ind,
    ld | size_b | mode_ind, ld | mode_imm, ld | mode_mem, ldx | size_w | mode_len, ldx | size_b | mode_msh, ldx | mode_imm, ldx | mode_mem,
    // stores, register moves, returns
    st, stx, misc | misc_tax, misc | misc_txa, ret | src_k, ret | rval_a,
    // jumps
    jmp | jmp_ja, jmp | jmp_jeq | src_k, jmp | jmp_jeq | src_x, jmp | jmp_jge | src_k, jmp | jmp_jge | src_x, jmp | jmp_jgt | src_k,
    jmp | jmp_jgt | src_x, jmp | jmp_jset | src_k, jmp | jmp_jset | src_x};

bool code_allowed(std::uint16_t code) { return std::find(std::begin(allowed_codes), std::end(allowed_codes), code) != std::end(allowed_codes); }

bool is_conditional_jump(std::uint16_t code) { return cls(code) == jmp && op_of(code) != jmp_ja && code_allowed(code); }

std::string at(std::size_t pc, const std::string& what) {
    return "bpf: instruction " + std::to_string(pc) + ": " + what + " (the kernel's bpf_check_classic refuses it: EINVAL)";
}

// check_load_and_stores: a scratch word is read only where every path to the read wrote it.
std::string check_scratch(std::span<const BpfInsn> p) {
    std::array<std::uint16_t, 64> masks;
    masks.fill(0xffff);
    std::uint16_t valid = 0;
    for (std::size_t pc = 0; pc < p.size(); ++pc) {
        valid &= masks[pc];
        const BpfInsn& in = p[pc];
        if (in.code == st || in.code == stx) {
            valid |= static_cast<std::uint16_t>(1u << in.k);
        } else if (in.code == (ld | mode_mem) || in.code == (ldx | mode_mem)) {
            if (!(valid & (1u << in.k))) return at(pc, "scratch word " + std::to_string(in.k) + " is read before every path wrote it");
        } else if (in.code == (jmp | jmp_ja)) {
            masks[pc + 1 + in.k] &= valid;
            valid = 0xffff;
        } else if (is_conditional_jump(in.code)) {
            masks[pc + 1 + in.jt] &= valid;
            masks[pc + 1 + in.jf] &= valid;
            valid = 0xffff;
        }
    }
    return {};
}

std::uint32_t read_be(std::span<const std::uint8_t> d, std::size_t at, unsigned size) {
    std::uint32_t v = 0;
    for (unsigned i = 0; i < size; ++i) v = v << 8 | d[at + i];
    return v;
}

unsigned bytes_of(std::uint16_t code) { return size_of(code) == size_w ? 4u : size_of(code) == size_h ? 2u : 1u; }

// bpf_skb_load_helper_{8,16,32}: a load at a signed offset from the network header; false when it
// fails (the program then returns 0).
bool load(std::span<const std::uint8_t> d, std::int32_t offset, unsigned size, std::uint32_t& out, BpfRun& run) {
    std::int64_t from = offset;
    if (offset < 0) {
        if (offset < skf_ll_off) return false;
        if (offset < skf_net_off) {
            run.link_layer = true;
            return false;
        }
        from = std::int64_t{offset} - skf_net_off;
    }
    if (from + size > static_cast<std::int64_t>(d.size())) return false;
    out = read_be(d, static_cast<std::size_t>(from), size);
    return true;
}

}  // namespace

std::string check_classic(std::span<const BpfInsn> p) {
    for (std::size_t pc = 0; pc < p.size(); ++pc) {
        const BpfInsn& in = p[pc];
        const std::size_t left = p.size() - pc - 1;  // instructions after this one
        if (!code_allowed(in.code)) return at(pc, "code " + std::to_string(in.code) + " is not a classic BPF instruction the kernel runs");
        const std::uint16_t c = in.code;
        if ((c == (alu | op_div | src_k) || c == (alu | op_mod | src_k)) && in.k == 0) return at(pc, "a division by 0");
        if ((c == (alu | op_lsh | src_k) || c == (alu | op_rsh | src_k)) && in.k >= 32) return at(pc, "a shift by " + std::to_string(in.k));
        if ((c == (ld | mode_mem) || c == (ldx | mode_mem) || c == st || c == stx) && in.k >= memwords)
            return at(pc, "scratch word " + std::to_string(in.k) + " (there are " + std::to_string(memwords) + ")");
        if (c == (jmp | jmp_ja) && in.k >= left) return at(pc, "a jump past the program's end");
        if (is_conditional_jump(c) && (in.jt >= left || in.jf >= left)) return at(pc, "a jump past the program's end");
        if (cls(c) == ld && mode_of(c) == mode_abs && in.k >= static_cast<std::uint32_t>(skf_ad_off) && ancillary_of(in) == ad_max)
            return at(pc, "an ancillary load the kernel does not know (k " + std::to_string(in.k) + ")");
    }
    const std::uint16_t last = p.back().code;
    if (last != (ret | src_k) && last != (ret | rval_a)) return at(p.size() - 1, "the last instruction is not a return");
    return check_scratch(p);
}

std::string unmodelled_load(std::span<const BpfInsn> p) {
    for (std::size_t pc = 0; pc < p.size(); ++pc) {
        const BpfInsn& in = p[pc];
        const auto where = [&] { return "bpf: instruction " + std::to_string(pc) + " reads "; };
        if (const std::uint32_t ad = ancillary_of(in); ad != ad_max) {
            if (const char* what = unmodelled_ancillary(ad)) return where() + what + ", which fwbench does not model";
            continue;
        }
        const bool abs_load = (cls(in.code) == ld && mode_of(in.code) == mode_abs) || in.code == (ldx | size_b | mode_msh);
        const auto offset = static_cast<std::int32_t>(in.k);
        if (abs_load && offset >= skf_ll_off && offset < skf_net_off)
            return where() + "the link-layer header (SKF_LL_OFF), which fwbench does not model at the IP hooks";
    }
    return {};
}

BpfRun run_classic(std::span<const BpfInsn> p, const BpfContext& ctx) {
    BpfRun run;
    std::uint32_t a = 0, x = 0;
    std::array<std::uint32_t, memwords> mem{};
    const auto len = static_cast<std::uint32_t>(ctx.datagram.size());
    for (std::size_t pc = 0; pc < p.size(); ++pc) {
        const BpfInsn& in = p[pc];
        const std::uint16_t c = in.code;
        switch (cls(c)) {
            case ld:
            case ldx: {
                std::uint32_t v = 0;
                switch (mode_of(c)) {
                    case mode_imm: v = in.k; break;
                    case mode_mem: v = mem[in.k]; break;
                    case mode_len: v = len; break;
                    case mode_abs:
                        switch (ancillary_of(in)) {
                            case ad_protocol: v = ctx.protocol; break;
                            case ad_mark: v = ctx.mark; break;
                            case ad_alu_xor_x: v = a ^ x; break;
                            default:
                                if (!load(ctx.datagram, static_cast<std::int32_t>(in.k), bytes_of(c), v, run)) return run;
                        }
                        break;
                    case mode_ind:
                        if (!load(ctx.datagram, static_cast<std::int32_t>(x + in.k), bytes_of(c), v, run)) return run;
                        break;
                    case mode_msh:
                        if (!load(ctx.datagram, static_cast<std::int32_t>(in.k), 1, v, run)) return run;
                        v = (v & 0xf) << 2;
                        break;
                    default: return run;  // check_classic allows no other mode
                }
                (cls(c) == ld ? a : x) = v;
                break;
            }
            case st: mem[in.k] = a; break;
            case stx: mem[in.k] = x; break;
            case alu: {
                const std::uint32_t operand = src_of(c) == src_x ? x : in.k;
                switch (op_of(c)) {
                    case op_add: a += operand; break;
                    case op_sub: a -= operand; break;
                    case op_mul: a *= operand; break;
                    case op_div:
                        if (operand == 0) return run;  // by X = 0: the program ends with 0
                        a /= operand;
                        break;
                    case op_mod:
                        if (operand == 0) return run;
                        a %= operand;
                        break;
                    case op_and: a &= operand; break;
                    case op_or: a |= operand; break;
                    case op_xor: a ^= operand; break;
                    case op_lsh: a <<= (operand & 31); break;  // a constant is below 32 (checked)
                    case op_rsh: a >>= (operand & 31); break;
                    case op_neg: a = 0u - a; break;
                    default: return run;
                }
                break;
            }
            case jmp: {
                if (op_of(c) == jmp_ja) {
                    pc += in.k;
                    break;
                }
                const std::uint32_t operand = src_of(c) == src_x ? x : in.k;
                bool taken = false;
                switch (op_of(c)) {
                    case jmp_jeq: taken = a == operand; break;
                    case jmp_jgt: taken = a > operand; break;
                    case jmp_jge: taken = a >= operand; break;
                    case jmp_jset: taken = (a & operand) != 0; break;
                    default: return run;
                }
                pc += taken ? in.jt : in.jf;
                break;
            }
            case ret: run.result = (c & 0x18) == rval_a ? a : in.k; return run;
            case misc:
                if (c == (misc | misc_tax)) x = a;
                else a = x;
                break;
            default: return run;
        }
    }
    return run;  // check_classic ends every program with a return
}

}  // namespace fwbench
