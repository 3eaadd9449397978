// Classic BPF as xt_bpf runs it: fixture programs with the results worked out by hand from the
// kernel's semantics (net/core/filter.c), what fwbench refuses to guess, and random programs
// against libpcap's own interpreter where the two agree by definition.

#include <gtest/gtest.h>
#include <pcap/bpf.h>

#include <cstdint>
#include <random>
#include <vector>

#include "fwbench/classic_bpf.hpp"

namespace fwbench {
namespace {

// Codes (linux/bpf_common.h), spelled as the fixtures use them.
constexpr std::uint16_t ld_w_abs = 0x20, ld_h_abs = 0x28, ld_b_abs = 0x30, ld_b_ind = 0x50, ld_w_len = 0x80, ld_imm = 0x00, ld_mem = 0x60;
constexpr std::uint16_t ldx_imm = 0x01, ldx_msh = 0xb1, st = 0x02, alu_div_x = 0x3c, alu_mod_x = 0x9c, alu_lsh_x = 0x6c, alu_rsh_x = 0x7c;
constexpr std::uint16_t alu_neg = 0x84, alu_add_x = 0x0c, jeq_k = 0x15, jgt_k = 0x25, jset_k = 0x45, ret_k = 0x06, ret_a = 0x16, txa = 0x87;
constexpr std::uint32_t ad = 0xfffff000, net_off = 0xfff00000, ll_off = 0xffe00000;

struct RunCase {
    const char* name;
    std::vector<BpfInsn> program;
    std::vector<std::uint8_t> datagram;
    std::uint32_t expected;
    bool link_layer = false;
    std::uint16_t protocol = 0x0800;
    std::uint32_t mark = 0;
};

// The start of an IPv4 TCP header: version/IHL 0x45, protocol 6 at byte 9.
const std::vector<std::uint8_t> tcp4 = {0x45, 0x00, 0x00, 0x28, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0xaa, 0xbb};

const std::vector<RunCase> run_cases = {
    {"the protocol byte is TCP", {{ld_b_abs, 0, 0, 9}, {jeq_k, 0, 1, 6}, {ret_k, 0, 0, 1}, {ret_k, 0, 0, 0}}, tcp4, 1},
    {"the protocol byte is not UDP", {{ld_b_abs, 0, 0, 9}, {jeq_k, 0, 1, 17}, {ret_k, 0, 0, 1}, {ret_k, 0, 0, 0}}, tcp4, 0},
    {"a word read up to the last byte", {{ld_w_abs, 0, 0, 8}, {ret_a, 0, 0, 0}}, tcp4, 0x4006aabb},
    {"a word read one byte past the end ends the program with 0", {{ld_w_abs, 0, 0, 9}, {ret_k, 0, 0, 7}}, tcp4, 0},
    {"a half-word past the end", {{ld_h_abs, 0, 0, 11}, {ret_k, 0, 0, 7}}, tcp4, 0},
    {"the length", {{ld_w_len, 0, 0, 0}, {ret_a, 0, 0, 0}}, tcp4, 12},
    {"ancillary: the protocol, IPv6", {{ld_w_abs, 0, 0, ad + 0}, {ret_a, 0, 0, 0}}, tcp4, 0x86dd, false, 0x86dd},
    {"ancillary: the protocol read as a byte is the same", {{ld_b_abs, 0, 0, ad + 0}, {ret_a, 0, 0, 0}}, tcp4, 0x0800},
    {"ancillary: the mark", {{ld_w_abs, 0, 0, ad + 20}, {ret_a, 0, 0, 0}}, tcp4, 0xdeadbeef, false, 0x0800, 0xdeadbeef},
    {"ancillary: A ^= X", {{ldx_imm, 0, 0, 5}, {ld_imm, 0, 0, 3}, {ld_w_abs, 0, 0, ad + 40}, {ret_a, 0, 0, 0}}, tcp4, 6},
    {"a load from the network header's offset", {{ld_b_abs, 0, 0, net_off + 9}, {ret_a, 0, 0, 0}}, tcp4, 6},
    {"an indirect load landing on the network header's offset", {{ldx_imm, 0, 0, net_off}, {ld_b_ind, 0, 0, 9}, {ret_a, 0, 0, 0}}, tcp4, 6},
    {"an indirect load landing in the link-layer header fails", {{ldx_imm, 0, 0, ll_off}, {ld_b_ind, 0, 0, 1}, {ret_k, 0, 0, 1}}, tcp4, 0, true},
    {"an indirect load below the link-layer offsets fails", {{ldx_imm, 0, 0, 0x80000000}, {ld_b_ind, 0, 0, 0}, {ret_k, 0, 0, 1}}, tcp4, 0},
    {"an indirect load whose offset wraps to a small one", {{ldx_imm, 0, 0, 0xffffffff}, {ld_b_ind, 0, 0, 10}, {ret_a, 0, 0, 0}}, tcp4, 6},
    {"a division by X = 0 ends the program with 0", {{ld_imm, 0, 0, 7}, {ldx_imm, 0, 0, 0}, {alu_div_x, 0, 0, 0}, {ret_k, 0, 0, 1}}, tcp4, 0},
    {"a remainder by X = 0 too", {{ld_imm, 0, 0, 7}, {ldx_imm, 0, 0, 0}, {alu_mod_x, 0, 0, 0}, {ret_k, 0, 0, 1}}, tcp4, 0},
    {"a remainder", {{ld_imm, 0, 0, 7}, {ldx_imm, 0, 0, 3}, {alu_mod_x, 0, 0, 0}, {ret_a, 0, 0, 0}}, tcp4, 1},
    {"a shift left by X uses its low five bits", {{ld_imm, 0, 0, 1}, {ldx_imm, 0, 0, 33}, {alu_lsh_x, 0, 0, 0}, {ret_a, 0, 0, 0}}, tcp4, 2},
    {"a shift right by X too", {{ld_imm, 0, 0, 0x80000000}, {ldx_imm, 0, 0, 63}, {alu_rsh_x, 0, 0, 0}, {ret_a, 0, 0, 0}}, tcp4, 1},
    {"negation is unsigned 32-bit", {{ld_imm, 0, 0, 1}, {alu_neg, 0, 0, 0}, {ret_a, 0, 0, 0}}, tcp4, 0xffffffff},
    {"addition wraps", {{ld_imm, 0, 0, 0xffffffff}, {ldx_imm, 0, 0, 2}, {alu_add_x, 0, 0, 0}, {ret_a, 0, 0, 0}}, tcp4, 1},
    {"4 * (IHL) into X", {{ldx_msh, 0, 0, 0}, {txa, 0, 0, 0}, {ret_a, 0, 0, 0}}, tcp4, 20},
    {"4 * (IHL) past the end ends the program", {{ldx_msh, 0, 0, 12}, {ret_k, 0, 0, 1}}, tcp4, 0},
    {"a scratch word kept", {{ld_imm, 0, 0, 9}, {st, 0, 0, 3}, {ld_imm, 0, 0, 0}, {ld_mem, 0, 0, 3}, {ret_a, 0, 0, 0}}, tcp4, 9},
    {"comparisons are unsigned", {{ld_imm, 0, 0, 0xffffffff}, {jgt_k, 0, 1, 1}, {ret_k, 0, 0, 1}, {ret_k, 0, 0, 0}}, tcp4, 1},
    {"jset tests bits", {{ld_b_abs, 0, 0, 0}, {jset_k, 1, 0, 0x0f}, {ret_k, 0, 0, 0}, {ret_k, 0, 0, 5}}, tcp4, 5},
    {"a return of A = 0", {{ret_a, 0, 0, 0}}, tcp4, 0},
    {"an empty datagram fails every load", {{ld_b_abs, 0, 0, 0}, {ret_k, 0, 0, 1}}, {}, 0},
};

TEST(ClassicBpf, RunsAsTheKernelRunsIt) {
    for (const auto& c : run_cases) {
        SCOPED_TRACE(c.name);
        ASSERT_EQ(check_classic(c.program), "");
        ASSERT_EQ(unmodelled_load(c.program), "");
        const BpfRun run = run_classic(c.program, {c.datagram, c.protocol, c.mark});
        EXPECT_EQ(run.result, c.expected);
        EXPECT_EQ(run.link_layer, c.link_layer);
    }
}

struct RefusalCase {
    const char* name;
    std::vector<BpfInsn> program;
    const char* check;  // substring of check_classic's answer, or "" when it accepts
    const char* unmodelled;  // substring of unmodelled_load's answer, or "" when it accepts
};

const std::vector<RefusalCase> refusal_cases = {
    {"the CPU", {{ld_w_abs, 0, 0, ad + 36}, {ret_a, 0, 0, 0}}, "", "instruction 0 reads SKF_AD_CPU"},
    {"a random number", {{ld_w_abs, 0, 0, ad + 56}, {ret_a, 0, 0, 0}}, "", "SKF_AD_RANDOM"},
    {"the device's index", {{ld_imm, 0, 0, 0}, {ld_w_abs, 0, 0, ad + 8}, {ret_a, 0, 0, 0}}, "", "instruction 1 reads SKF_AD_IFINDEX"},
    {"the link-layer header", {{ld_h_abs, 0, 0, ll_off + 12}, {ret_a, 0, 0, 0}}, "", "the link-layer header (SKF_LL_OFF)"},
    {"4 * (a link-layer byte)", {{ldx_msh, 0, 0, ll_off}, {ret_k, 0, 0, 1}}, "", "the link-layer header"},
    {"an ancillary offset the kernel does not know", {{ld_w_abs, 0, 0, ad + 64}, {ret_a, 0, 0, 0}}, "an ancillary load the kernel does not know", ""},
    {"the network header's offset is modelled", {{ld_w_abs, 0, 0, net_off}, {ret_a, 0, 0, 0}}, "", ""},
    {"an indirect load is decided when it runs", {{ldx_imm, 0, 0, ll_off}, {ld_b_ind, 0, 0, 0}, {ret_a, 0, 0, 0}}, "", ""},
};

TEST(ClassicBpf, RefusesWhatTheKernelRefusesAndWhatFwbenchCannotKnow) {
    for (const auto& c : refusal_cases) {
        SCOPED_TRACE(c.name);
        const std::string check = check_classic(c.program), unmodelled = unmodelled_load(c.program);
        if (*c.check) EXPECT_NE(check.find(c.check), std::string::npos) << check;
        else EXPECT_EQ(check, "");
        if (*c.unmodelled) EXPECT_NE(unmodelled.find(c.unmodelled), std::string::npos) << unmodelled;
        else EXPECT_EQ(unmodelled, "");
    }
}

// A random program of 2 to 64 instructions where the kernel's and libpcap's interpreters agree
// by definition: loads from offsets 0-47 of the bytes, X only ever small (an immediate below 64,
// the length, 4 * a nibble: no tax, no ldx from scratch), so an indirect offset neither wraps
// nor goes negative (libpcap fails such a load, the kernel reads at the wrapped or
// network-relative offset), and shifts only by constants (libpcap zeroes A on a shift by X of 32
// or more, the kernel takes X's low five bits). Those differences are the fixtures' above.
// Jumps go forward inside the program; check_classic keeps the programs the kernel would load.
std::vector<BpfInsn> random_program(std::mt19937& rng) {
    auto pick = [&](std::uint32_t n) { return static_cast<std::uint32_t>(rng() % n); };
    const std::size_t len = 2 + pick(63);
    std::vector<BpfInsn> p;
    const std::uint16_t sizes[] = {0x00, 0x08, 0x10};
    const std::uint16_t alu_ops[] = {0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0};
    const std::uint16_t jumps[] = {0x10, 0x20, 0x30, 0x40};
    for (std::size_t pc = 0; pc + 1 < len; ++pc) {
        const auto left = static_cast<std::uint32_t>(len - pc - 1);
        const auto small = [&] { return pick(4) == 0 ? static_cast<std::uint32_t>(rng()) : pick(64); };
        switch (pick(12)) {
            case 0: p.push_back({static_cast<std::uint16_t>(0x20 | sizes[pick(3)]), 0, 0, pick(48)}); break;  // ld abs
            case 1: p.push_back({static_cast<std::uint16_t>(0x40 | sizes[pick(3)]), 0, 0, pick(48)}); break;  // ld ind
            case 2: p.push_back({static_cast<std::uint16_t>(pick(2) ? 0x80 : 0x81), 0, 0, 0}); break;  // ld/ldx len
            case 3: p.push_back(pick(2) ? BpfInsn{ld_imm, 0, 0, small()} : BpfInsn{ldx_imm, 0, 0, pick(64)}); break;
            case 4: p.push_back({ldx_msh, 0, 0, pick(48)}); break;
            case 5: p.push_back({static_cast<std::uint16_t>(pick(2) ? 0x02 : 0x03), 0, 0, pick(16)}); break;  // st/stx
            case 6: p.push_back({ld_mem, 0, 0, pick(16)}); break;
            case 7: {
                const std::uint16_t op = alu_ops[pick(10)];
                const bool shift = op == 0x60 || op == 0x70;
                const bool by_x = !shift && pick(2);
                std::uint32_t k = shift ? pick(32) : small();
                if ((op == 0x30 || op == 0x90) && k == 0) k = 1;
                p.push_back({static_cast<std::uint16_t>(0x04 | op | (by_x ? 0x08 : 0x00)), 0, 0, k});
                break;
            }
            case 8: p.push_back({pick(2) ? txa : alu_neg, 0, 0, 0}); break;
            case 9: p.push_back({0x05, 0, 0, pick(left)}); break;  // ja
            case 10: {
                const auto code = static_cast<std::uint16_t>(0x05 | jumps[pick(4)] | (pick(2) ? 0x08 : 0x00));
                p.push_back(
                    {code, static_cast<std::uint8_t>(pick(std::min(left, 256u))), static_cast<std::uint8_t>(pick(std::min(left, 256u))), small()});
                break;
            }
            default: p.push_back({static_cast<std::uint16_t>(pick(2) ? ret_k : ret_a), 0, 0, small()}); break;
        }
    }
    p.push_back({static_cast<std::uint16_t>(pick(2) ? ret_k : ret_a), 0, 0, pick(3)});
    return p;
}

TEST(ClassicBpf, AgreesWithLibpcapsInterpreterOnRandomPrograms) {
    std::mt19937 rng(20261207);
    int compared = 0, nonzero = 0;
    for (int n = 0; n < 20000; ++n) {
        const std::vector<BpfInsn> program = random_program(rng);
        if (!check_classic(program).empty()) continue;
        std::vector<bpf_insn> theirs;
        for (const auto& in : program) theirs.push_back({in.code, in.jt, in.jf, in.k});
        for (int packet = 0; packet < 4; ++packet) {
            std::vector<std::uint8_t> bytes(rng() % 49);
            for (auto& b : bytes) b = static_cast<std::uint8_t>(rng() % 4 == 0 ? rng() % 16 : rng());
            const auto size = static_cast<unsigned>(bytes.size());
            const std::uint32_t expected = bpf_filter(theirs.data(), bytes.data(), size, size);
            const BpfRun run = run_classic(program, {bytes, 0x0800, 0});
            ASSERT_EQ(run.result, expected) << "program " << n << ", packet " << packet;
            ++compared;
            nonzero += expected != 0;
        }
    }
    std::printf("ClassicBpf: %d runs compared with libpcap's bpf_filter, %d returning other than 0\n", compared, nonzero);
    EXPECT_GT(compared, 20000);
    EXPECT_GT(nonzero, compared / 10);  // not only loads that fail
}

}  // namespace
}  // namespace fwbench
