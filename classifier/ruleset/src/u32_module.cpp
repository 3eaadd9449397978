// -m u32 (libxt_u32, the kernel's xt_u32): the test language parsed as u32_parse reads it, checked
// as the kernel's checkentry and saved as u32_save writes it (every number in hex, quoted).
#include <cctype>
#include <cstdint>
#include <string>
#include <vector>

#include "fwbench/parse_util.hpp"
#include "module_registry.hpp"

namespace fwbench::detail {

namespace {

using Args = std::vector<std::string>;

constexpr std::size_t max_size = 10;  // XT_U32_MAXSIZE: numbers per location, ranges, tests

std::string at_char(std::size_t pos, const std::string& what) { return "u32: at char " + std::to_string(pos) + ": " + what; }

// xtables_strtoui(s, &end, &n, 0, UINT32_MAX) with an end: blanks, no minus, strtoumax's base 0
// (0x hex, a leading 0 octal), as far as the digits go; false when no digit was read or the value
// is past 32 bits.
bool read_number(const std::string& s, std::size_t& at, std::uint32_t& out) {
    std::size_t i = at;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i < s.size() && s[i] == '-') return false;
    if (i < s.size() && s[i] == '+') ++i;
    unsigned base = 10;
    if (i + 1 < s.size() && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X') && i + 2 < s.size() &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
        base = 16;
        i += 2;
    } else if (i < s.size() && s[i] == '0') {
        base = 8;
    }
    auto digit = [&](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0' < static_cast<int>(base) ? c - '0' : -1;
        if (base == 16 && std::isxdigit(static_cast<unsigned char>(c))) return (c | 0x20) - 'a' + 10;
        return -1;
    };
    std::uint64_t v = 0;
    const std::size_t first = i;
    bool overflow = false;
    for (; i < s.size() && digit(s[i]) >= 0; ++i) {
        v = v * base + static_cast<unsigned>(digit(s[i]));
        overflow = overflow || v > 0xffffffffu;
    }
    if (i == first || overflow) return false;
    out = static_cast<std::uint32_t>(v);
    at = i;
    return true;
}

// u32_parse, state for state: 0 reads a location (a number, then operator and number pairs, to
// "="), 1 its values (ranges separated by ",", to "&&" or the end).
std::string apply_u32(MatchSpec& spec, bool negated, Args& args, const OptionContext&) {
    auto& m = std::get<U32Match>(spec);
    m.negated = negated;
    m.tests.assign(1, {});
    const std::string& s = args[0];
    std::size_t i = 0;
    int state = 0;
    auto number = [&](std::uint32_t& out) -> std::string {
        const std::size_t pos = i;
        if (!read_number(s, i, out)) return at_char(pos, "not a number or out of range");
        return {};
    };
    while (true) {
        U32Match::Test& t = m.tests.back();
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        if (i == s.size()) {
            if (state == 0) return "u32: abrupt end of input after location specifier";
            if (t.values.empty()) return "u32: test ended with no value specified";
            return {};
        }
        if (state == 0) {
            if (s[i] == '=') {
                if (t.location.empty()) return at_char(i, "location spec missing");
                ++i;
                state = 1;
                continue;
            }
            U32Match::Step step;
            if (!t.location.empty()) {
                switch (s[i]) {
                    case '&': step.op = U32Match::Op::mask; break;
                    case '<':
                        if (++i == s.size() || s[i] != '<') return at_char(i, "a second '<' was expected");
                        step.op = U32Match::Op::shift_left;
                        break;
                    case '>':
                        if (++i == s.size() || s[i] != '>') return at_char(i, "a second '>' was expected");
                        step.op = U32Match::Op::shift_right;
                        break;
                    case '@': step.op = U32Match::Op::at; break;
                    default: return at_char(i, "operator expected");
                }
                ++i;
            }
            if (auto e = number(step.number); !e.empty()) return e;
            t.location.push_back(step);
            if (t.location.size() > max_size) return at_char(i, "too many operators");
            continue;
        }
        if (s[i] == '&') {
            if (++i == s.size() || s[i] != '&') return at_char(i, "a second '&' was expected");
            if (t.values.empty()) return at_char(i, "value spec missing");
            m.tests.emplace_back();
            if (m.tests.size() > max_size) return at_char(i, "too many \"&&\"s");
            ++i;
            state = 0;
            continue;
        }
        if (!t.values.empty()) {
            if (s[i] != ',') return at_char(i, "expected \",\" or \"&&\"");
            ++i;
        }
        std::uint32_t lo = 0, hi = 0;
        if (auto e = number(lo); !e.empty()) return e;
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        hi = lo;
        if (i < s.size() && s[i] == ':') {
            ++i;
            if (auto e = number(hi); !e.empty()) return e;
        }
        t.values.push_back({lo, hi});
        if (t.values.size() > max_size) return at_char(i, "too many \",\"s");
    }
}

// u32_mt_checkentry: a shift by 32 or more is refused (as the installed kernel checks; before that check the
// shift was C's undefined one).
std::string finish_u32(MatchSpec& spec, const OptionContext&) {
    for (const auto& t : std::get<U32Match>(spec).tests)
        for (const auto& step : t.location)
            if ((step.op == U32Match::Op::shift_left || step.op == U32Match::Op::shift_right) && step.number >= 32)
                return "u32: a shift by " + std::to_string(step.number) + " (the kernel refuses shifts by 32 or more: EINVAL)";
    return {};
}

// u32_dump: every number as 0x%x, a range whose ends meet as one.
void save_u32(const MatchSpec& spec, std::vector<RuleOption>& options, const OptionContext&) {
    const auto& m = std::get<U32Match>(spec);
    std::string text;
    for (std::size_t ti = 0; ti < m.tests.size(); ++ti) {
        const auto& t = m.tests[ti];
        if (ti) text += "&&";
        for (const auto& step : t.location) {
            switch (step.op) {
                case U32Match::Op::read: break;
                case U32Match::Op::mask: text += "&"; break;
                case U32Match::Op::shift_left: text += "<<"; break;
                case U32Match::Op::shift_right: text += ">>"; break;
                case U32Match::Op::at: text += "@"; break;
            }
            text += hex(step.number);
        }
        text += "=";
        for (std::size_t vi = 0; vi < t.values.size(); ++vi) {
            if (vi) text += ",";
            text += hex(t.values[vi].first);
            if (t.values[vi].second != t.values[vi].first) {
                text += ':';
                text += hex(t.values[vi].second);
            }
        }
    }
    options = {{"u32", m.negated, {text}}};
}

}  // namespace

void add_u32_match(std::vector<MatchModuleDef>& m) {
    m.push_back({"u32", {{"u32", "", 1, true, apply_u32}}, [](const OptionContext&) -> MatchSpec { return U32Match{}; }, finish_u32});
    m.back().rules.required = "u32";
    m.back().save = save_u32;
}

}  // namespace fwbench::detail
