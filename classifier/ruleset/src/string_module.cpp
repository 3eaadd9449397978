// -m string (libxt_string, the kernel's xt_string): parsed, checked and saved as iptables and the
// kernel's checkentry do. The kernel's text searches are bm and kmp (ts_bm, ts_kmp); ts_fsm reads
// its pattern as a token program, not as bytes, and fwbench does not model it.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fwbench/parse_util.hpp"
#include "module_registry.hpp"

namespace fwbench::detail {

namespace {

using Args = std::vector<std::string>;

StringMatch& spec_of(MatchSpec& spec) { return std::get<StringMatch>(spec); }

constexpr std::size_t max_pattern = 128;  // XT_STRING_MAX_PATTERN_SIZE
constexpr std::size_t max_algo_name = 15;  // XT_STRING_MAX_ALGO_NAME_SIZE less its NUL

bool is_hex_digit(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
int hex_value(char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; }

// libxt_string's parse_string: the word's bytes (strlen: what the command line can carry).
std::string apply_string(MatchSpec& spec, bool negated, Args& args, const OptionContext&) {
    if (args[0].size() > max_pattern) return "STRING too long \"" + args[0] + "\" (at most 128 bytes)";
    spec_of(spec).pattern.assign(args[0].begin(), args[0].end());
    spec_of(spec).negated = negated;
    return {};
}

// libxt_string's parse_hex_string, step for step: `|` opens and closes hex blocks (blanks after
// an opening `|` skipped, one blank after each hex pair), `\` outside them takes the next byte as
// it is.
std::string apply_hex_string(MatchSpec& spec, bool negated, Args& args, const OptionContext&) {
    const std::string& s = args[0];
    const std::size_t slen = s.size();
    auto at = [&](std::size_t i) { return i < slen ? s[i] : '\0'; };
    if (slen == 0) return "STRING must contain at least one char";
    std::vector<std::uint8_t> pattern;
    bool hex = false, literal = false;
    for (std::size_t i = 0; i < slen;) {
        if (pattern.size() >= max_pattern) return "STRING too long \"" + s + "\" (at most 128 bytes)";
        if (s[i] == '\\' && !hex) {
            literal = true;
        } else if (s[i] == '\\') {
            return "Cannot include literals in hex data";
        } else if (s[i] == '|') {
            if (hex) {
                hex = false;
            } else {
                hex = true;
                while (at(i + 1) == ' ') ++i;
            }
            if (i + 1 >= slen) break;
            ++i;
        }
        if (literal) {
            if (i + 1 >= slen) return "Bad literal placement at end of string";
            pattern.push_back(static_cast<std::uint8_t>(s[i + 1]));
            i += 2;
            literal = false;
        } else if (hex) {
            if (i + 1 >= slen) return "Odd number of hex digits";
            if (i + 2 >= slen) return "Invalid hex block";
            if (!is_hex_digit(s[i])) return std::string("Invalid hex char '") + s[i] + "'";
            if (!is_hex_digit(s[i + 1])) return std::string("Invalid hex char '") + s[i + 1] + "'";
            pattern.push_back(static_cast<std::uint8_t>(hex_value(s[i]) << 4 | hex_value(s[i + 1])));
            i += at(i + 2) == ' ' ? 3 : 2;
        } else {
            pattern.push_back(static_cast<std::uint8_t>(s[i]));
            ++i;
        }
    }
    spec_of(spec).pattern = std::move(pattern);
    spec_of(spec).negated = negated;
    return {};
}

std::string apply_algo(MatchSpec& spec, bool, Args& args, const OptionContext&) {
    const std::string& a = args[0];
    if (a.size() > max_algo_name) return "--algo must be no more than 15 characters";
    if (a == "bm") spec_of(spec).algo = TextSearch::Algo::bm;
    else if (a == "kmp") spec_of(spec).algo = TextSearch::Algo::kmp;
    else if (a == "fsm")
        return "string match: --algo fsm reads its pattern as a finite state machine's tokens, which fwbench does not model (bm and kmp "
               "it does)";
    else return "string match: the kernel has no text search algorithm '" + a + "' (textsearch_prepare refuses it: ENOENT; it has bm, kmp and fsm)";
    return {};
}

std::string read_offset(std::uint16_t& out, const std::string& arg) {
    std::uint64_t v = 0;
    if (std::string e = parse_xt_uint(arg, 0, 0xffff, v); !e.empty()) return e;
    out = static_cast<std::uint16_t>(v);
    return {};
}
std::string apply_from(MatchSpec& spec, bool, Args& args, const OptionContext&) { return read_offset(spec_of(spec).from, args[0]); }
std::string apply_to(MatchSpec& spec, bool, Args& args, const OptionContext&) { return read_offset(spec_of(spec).to, args[0]); }

std::string apply_icase(MatchSpec& spec, bool, Args&, const OptionContext&) {
    spec_of(spec).ignore_case = true;
    return {};
}

// string_mt_check, then textsearch_prepare's refusal of an empty pattern; the search is built here.
std::string finish_string(MatchSpec& spec, const OptionContext&) {
    auto& s = spec_of(spec);
    if (s.from > s.to)
        return "string match: --from " + std::to_string(s.from) + " is past --to " + std::to_string(s.to) + " (the kernel refuses it: EINVAL)";
    if (s.pattern.empty()) return "string match: the pattern is empty (textsearch_prepare refuses it: EINVAL)";
    s.search = std::make_shared<const TextSearch>(s.algo, s.pattern, s.ignore_case);
    return {};
}

// string_save: a pattern with a byte isprint() refuses, or ending in `\`, in hex; then --algo,
// --from and --to unless they are the defaults, --icase.
void save_string(const MatchSpec& spec, std::vector<RuleOption>& options, const OptionContext&) {
    const auto& s = std::get<StringMatch>(spec);
    bool as_hex = s.pattern.back() == '\\';
    for (std::uint8_t c : s.pattern) as_hex = as_hex || c < 0x20 || c > 0x7e;
    if (as_hex) {
        static constexpr char digits[] = "0123456789abcdef";
        std::string text = "|";
        for (std::uint8_t c : s.pattern) {
            text += digits[c >> 4];
            text += digits[c & 15];
        }
        options = {{"hex-string", s.negated, {text + "|"}}};
    } else {
        options = {{"string", s.negated, {std::string(s.pattern.begin(), s.pattern.end())}}};
    }
    options.push_back({"algo", false, {s.algo == TextSearch::Algo::bm ? "bm" : "kmp"}});
    if (s.from != 0) options.push_back({"from", false, {std::to_string(s.from)}});
    if (s.to != 65535) options.push_back({"to", false, {std::to_string(s.to)}});
    if (s.ignore_case) options.push_back({"icase", false, {}});
}

}  // namespace

void add_string_match(std::vector<MatchModuleDef>& m) {
    m.push_back({"string",
                 {{"from", "", 1, false, apply_from},
                  {"to", "", 1, false, apply_to},
                  {"algo", "", 1, false, apply_algo},
                  {"string", "", 1, true, apply_string},
                  {"hex-string", "", 1, true, apply_hex_string},
                  {"icase", "", 0, false, apply_icase}},
                 [](const OptionContext&) -> MatchSpec { return StringMatch{}; },
                 finish_string});
    m.back().rules.required = "algo";
    m.back().rules.one_of = "string hex-string";
    m.back().rules.exclusive = {"string hex-string"};
    m.back().save = save_string;
}

}  // namespace fwbench::detail
