#pragma once
// Test-side text helpers.

#include <string>

namespace fwbench::test {

// The text without its lines of only spaces or tabs (iptables-restore refuses one, and so does
// fwbench's parser); how many there were in `removed`.
inline std::string without_blank_space_lines(const std::string& text, int& removed) {
    std::string out;
    removed = 0;
    for (std::size_t at = 0; at < text.size();) {
        std::size_t end = text.find('\n', at);
        end = end == std::string::npos ? text.size() : end + 1;
        const std::string line = text.substr(at, end - at);
        const std::string body = line.substr(0, line.find('\n'));
        if (!body.empty() && body.find_first_not_of(" \t") == std::string::npos) ++removed;
        else out += line;
        at = end;
    }
    return out;
}

}  // namespace fwbench::test
