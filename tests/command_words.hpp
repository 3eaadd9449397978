#pragma once
// Test commands written as one line, read into an argument vector: words split at spaces, a
// 'single-quoted' part (or one in the quote character given) kept as it is, spaces included;
// inside a "double-quoted" part a backslash takes the next character as it is, as
// iptables-restore reads a quoted word (a rule's `--string "a\"b"` is a"b). Nothing else is interpreted — there is no shell behind it (subprocess.hpp), so no expansion,
// redirection or escaping happens.

#include <string>
#include <vector>

namespace fwbench::test {

inline std::vector<std::string> command_words(const std::string& line, char quote = '\'') {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false, quoted = false, escaped = false;
    for (char c : line) {
        if (quoted) {
            if (escaped) {
                word += c;
                escaped = false;
            } else if (c == '\\' && quote == '"') {
                escaped = true;
            } else if (c == quote) quoted = false;
            else word += c;
        } else if (c == quote) {
            quoted = in_word = true;
        } else if (c == ' ') {
            if (in_word) words.push_back(word);
            word.clear();
            in_word = false;
        } else {
            word += c;
            in_word = true;
        }
    }
    if (in_word) words.push_back(word);
    return words;
}

}  // namespace fwbench::test
