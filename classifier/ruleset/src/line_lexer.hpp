#pragma once
// Splits one iptables-restore line into words the way iptables-restore does: whitespace
// separates words; double quotes group (and may start mid-word); inside quotes a backslash
// escapes the next character. A word that was (partly) quoted is never an operator such as "!".

#include <string>
#include <string_view>
#include <vector>

namespace fwbench::detail {

struct Word {
    std::string text;
    int column = 0;  // 1-based
    bool quoted = false;
    bool is(std::string_view s) const { return !quoted && text == s; }
};

// Returns an error message (with *error_column set) on an unterminated quote.
std::vector<Word> split_words(std::string_view line, std::string* error, int* error_column);

}  // namespace fwbench::detail
