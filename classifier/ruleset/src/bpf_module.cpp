// -m bpf (libxt_bpf, the kernel's xt_bpf): --bytecode parsed as bpf_parse_string reads it with
// sscanf, checked as the kernel's bpf_prog_create checks it (check_classic), saved as
// bpf_save_code writes it. --object-pinned names a program pinned in the host's bpf filesystem,
// which no ruleset file carries: refused by name, as are the loads run_classic does not model.
#include <cctype>
#include <cstdint>
#include <string>
#include <vector>

#include "fwbench/classic_bpf.hpp"
#include "module_registry.hpp"

namespace fwbench::detail {

namespace {

using Args = std::vector<std::string>;

constexpr std::size_t max_instructions = 64;  // XT_BPF_MAX_NUM_INSTR

// One of glibc's scanf %u-family conversions at s[i]: blanks skipped, an optional sign, decimal
// digits read as strtoul reads them (past 64 bits: ULONG_MAX; a minus negates modulo 2^64); the
// caller keeps the low bits its %hhu, %hu or %u stores. False when no digit follows.
bool scan_unsigned(const std::string& s, std::size_t& i, std::uint64_t& out) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    bool minus = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) minus = s[i++] == '-';
    const std::size_t first = i;
    std::uint64_t v = 0;
    bool overflow = false;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
        const auto digit = static_cast<std::uint64_t>(s[i] - '0');
        overflow = overflow || v > (UINT64_MAX - digit) / 10;
        v = v * 10 + digit;
    }
    if (i == first) return false;
    out = overflow ? UINT64_MAX : minus ? 0 - v : v;
    return true;
}

// bpf_parse_string: "%hu%c" for the length and its comma, then at each comma not ending the text
// "%hu %hhu %hhu %u" for one instruction (read on across commas, as sscanf reads; what follows
// the fourth number up to the next comma is not looked at).
std::string apply_bytecode(MatchSpec& spec, bool, Args& args, const OptionContext&) {
    const std::string& s = args[0];
    std::size_t i = 0;
    std::uint64_t len64 = 0;
    if (!scan_unsigned(s, i, len64) || i >= s.size() || s[i] != ',') return "error parsing program length";
    const auto len = static_cast<std::uint16_t>(len64);
    if (len == 0) return "illegal zero length program";
    if (len > max_instructions) return "number of instructions exceeds maximum";
    std::vector<BpfInsn> program;
    for (std::size_t comma = s.find(','); comma != std::string::npos && comma + 1 < s.size(); comma = s.find(',', comma + 1)) {
        if (program.size() >= len) return "real program length exceeds the encoded length parameter";
        std::size_t at = comma + 1;
        std::uint64_t code = 0, jt = 0, jf = 0, k = 0;
        if (!scan_unsigned(s, at, code) || !scan_unsigned(s, at, jt) || !scan_unsigned(s, at, jf) || !scan_unsigned(s, at, k))
            return "error at instr " + std::to_string(program.size());
        program.push_back(
            {static_cast<std::uint16_t>(code), static_cast<std::uint8_t>(jt), static_cast<std::uint8_t>(jf), static_cast<std::uint32_t>(k)});
    }
    if (program.size() != len) return "parsed program length is less than the encoded length parameter";
    std::get<BpfMatch>(spec).program = std::move(program);
    return {};
}

std::string apply_object_pinned(MatchSpec&, bool, Args& args, const OptionContext&) {
    return "'" + args[0] + "' is a program pinned in the host's bpf filesystem, which a ruleset does not carry and fwbench cannot read";
}

// xt_bpf's checkentry: the kernel refuses what bpf_prog_create refuses; then what fwbench does not
// model.
std::string finish_bpf(MatchSpec& spec, const OptionContext&) {
    const auto& program = std::get<BpfMatch>(spec).program;
    if (auto e = check_classic(program); !e.empty()) return e;
    return unmodelled_load(program);
}

// bpf_save_code: " --bytecode \"N,code jt jf k,...\"".
void save_bpf(const MatchSpec& spec, std::vector<RuleOption>& options, const OptionContext&) {
    const auto& program = std::get<BpfMatch>(spec).program;
    std::string text = std::to_string(program.size());
    for (const auto& in : program) {
        text += ',';
        text += std::to_string(in.code) + ' ' + std::to_string(in.jt) + ' ' + std::to_string(in.jf) + ' ' + std::to_string(in.k);
    }
    options = {{"bytecode", false, {text}}};
}

}  // namespace

void add_bpf_match(std::vector<MatchModuleDef>& m) {
    m.push_back({"bpf",
                 {{"bytecode", "", 1, false, apply_bytecode}, {"object-pinned", "", 1, false, apply_object_pinned}},
                 [](const OptionContext&) -> MatchSpec { return BpfMatch{}; },
                 finish_bpf});
    m.back().rules.one_of = "bytecode object-pinned";
    m.back().save = save_bpf;
}

}  // namespace fwbench::detail
