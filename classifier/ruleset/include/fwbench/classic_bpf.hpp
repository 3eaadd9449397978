#pragma once
// Classic BPF as the kernel runs it for -m bpf (xt_bpf, net/core/filter.c): the checks that
// refuse a program when it is loaded, and the program run over a datagram at a netfilter hook.
//
// What: a program of at most 64 instructions (code, jt, jf, k) whose return value, when not 0,
// makes the match hold.
// How: `check_classic` is bpf_check_classic with check_load_and_stores (every code allowed, no
// division by a constant 0, no constant shift by 32 or more, scratch words 0-15 read only after
// a write on every path, jumps forward inside the program, ancillary loads the kernel knows, a
// return last). `run_classic` is the kernel's translation of each instruction, not its letter:
// A and X start at 0, arithmetic is unsigned 32-bit, a shift by X uses X's low five bits, a
// division or remainder by X = 0 ends the program with 0, and so does a load past the
// datagram's end (offsets from the network header, which at these hooks is where the socket
// buffer's data starts; SKF_NET_OFF-relative offsets read the same bytes). Of the ancillary
// loads only those the packet decides are run (the protocol, the mark, A ^= X):
// `unmodelled_load` names the others, and the loads from the link-layer header (SKF_LL_OFF),
// for the caller to refuse. An indirect load that lands in the link-layer header at run time
// is reported (Run::link_layer) and fails.
// Invariants: run_classic never allocates, throws or loops (jumps only go forward).
// Costs: at most one pass over the instructions.

#include <cstdint>
#include <span>
#include <string>

namespace fwbench {

struct BpfInsn {
    std::uint16_t code = 0;
    std::uint8_t jt = 0, jf = 0;
    std::uint32_t k = 0;
    bool operator==(const BpfInsn&) const = default;
};

// What a program reads besides the bytes.
struct BpfContext {
    std::span<const std::uint8_t> datagram;  // from the network header, as the hook holds it
    std::uint16_t protocol = 0;  // skb->protocol in host order: 0x0800, 0x86dd
    std::uint32_t mark = 0;  // skb->mark at the hook
};

struct BpfRun {
    std::uint32_t result = 0;
    bool link_layer = false;  // an indirect load landed in the link-layer header (it failed: result 0)
};

// Empty when the kernel would load the program; else why it refuses it (EINVAL), naming the
// instruction.
std::string check_classic(std::span<const BpfInsn> program);

// Empty when every load is one run_classic models; else what fwbench cannot know, naming the
// instruction (an ancillary load of the CPU, the queue, ...; a load from the link-layer header).
std::string unmodelled_load(std::span<const BpfInsn> program);

// Runs a program check_classic and unmodelled_load accept.
BpfRun run_classic(std::span<const BpfInsn> program, const BpfContext& ctx);

}  // namespace fwbench
