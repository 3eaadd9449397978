#include "line_lexer.hpp"

namespace fwbench::detail {

std::vector<Word> split_words(std::string_view line, std::string* error, int* error_column) {
    std::vector<Word> words;
    Word cur;
    bool in_word = false, in_quote = false, escaped = false;
    int quote_column = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        int col = static_cast<int>(i) + 1;
        if (in_quote) {
            if (escaped) {
                cur.text += c;
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_quote = false;
            } else {
                cur.text += c;
            }
            continue;
        }
        if (c == '"') {
            if (!in_word) {
                in_word = true;
                cur.column = col;
            }
            in_quote = true;
            cur.quoted = true;
            quote_column = col;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            if (in_word) {
                words.push_back(std::move(cur));
                cur = Word{};
                in_word = false;
            }
            continue;
        }
        if (!in_word) {
            in_word = true;
            cur.column = col;
        }
        cur.text += c;
    }
    if (in_quote) {
        if (error) *error = "unterminated quoted string";
        if (error_column) *error_column = quote_column;
        return {};
    }
    if (in_word) words.push_back(std::move(cur));
    return words;
}

}  // namespace fwbench::detail
