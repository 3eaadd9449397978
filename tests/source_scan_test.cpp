// No shell anywhere fwbench runs programs (docs/security.md): every C and C++ source of the
// repository — the program, its libraries, the benchmarks, the generators and these tests — is
// scanned for the calls that hand a command line to a shell (popen, system, wordexp, the exec
// forms that take one string) and for a shell named as the program to run. The allow-list is
// empty; a new entry needs a reason written beside it.
//
// Comments and the text inside string literals are left out of the call search, so a comment
// about popen is fine; the shell names are searched in string literals only. The patterns below
// are assembled from pieces so that this file does not find itself.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

// GCC 12 warns falsely about "literal" + std::string temporaries (GCC bug 105651).
#pragma GCC diagnostic ignored "-Wrestrict"

namespace {

namespace fs = std::filesystem;

struct Finding {
    std::string where;  // file:line
    std::string what;
};

// Code with comments blanked and string/char literal contents moved to `literals` (one entry per
// literal, with its line), so that calls are matched in code only. Line breaks are kept.
struct SplitSource {
    std::string code;
    std::vector<std::pair<int, std::string>> literals;
};

SplitSource split_source(const std::string& text) {
    SplitSource out;
    int line = 1;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '\n') ++line;
        if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
            while (i < text.size() && text[i] != '\n') ++i;
            if (i < text.size()) {
                out.code += '\n';
                ++line;
            }
            continue;
        }
        if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
            i += 2;
            while (i + 1 < text.size() && !(text[i] == '*' && text[i + 1] == '/')) {
                if (text[i] == '\n') {
                    out.code += '\n';
                    ++line;
                }
                ++i;
            }
            ++i;
            continue;
        }
        if (c == 'R' && i + 1 < text.size() && text[i + 1] == '"') {  // raw string R"delim( ... )delim"
            std::size_t open = text.find('(', i + 2);
            if (open == std::string::npos) break;
            std::string close = ")" + text.substr(i + 2, open - i - 2) + "\"";
            std::size_t end = text.find(close, open + 1);
            if (end == std::string::npos) end = text.size();
            std::string body = text.substr(open + 1, end - open - 1);
            out.literals.push_back({line, body});
            for (char b : body)
                if (b == '\n') {
                    out.code += '\n';
                    ++line;
                }
            out.code += "\"\"";
            i = end + close.size() - 1;
            continue;
        }
        if (c == '"' || c == '\'') {
            std::string body;
            std::size_t j = i + 1;
            while (j < text.size() && text[j] != c && text[j] != '\n') {
                if (text[j] == '\\' && j + 1 < text.size()) body += text[j++];
                body += text[j++];
            }
            if (c == '"') out.literals.push_back({line, body});
            out.code += std::string(2, c);
            i = j;
            continue;
        }
        out.code += c;
    }
    return out;
}

std::vector<Finding> scan(const std::string& name, const std::string& text) {
    const std::string sh = std::string("s") + "h";
    static const std::regex call("\\b(" + std::string("po") + "pen|" + "sys" + "tem|" + "word" + "exp|" + "execl|execlp|execle)\\s*\\(");
    const std::set<std::string> shells = {sh,        "/bin/" + sh,  "/usr/bin/" + sh, "ba" + sh, "/bin/ba" + sh, "/usr/bin/ba" + sh,
                                          "da" + sh, "/bin/da" + sh};
    static const std::regex shell_line("(^|[ /;&|(])(ba|da)?" + sh + "\\s+-c(\\s|$)");
    std::vector<Finding> found;
    SplitSource src = split_source(text);
    std::istringstream lines(src.code);
    std::string l;
    for (int n = 1; std::getline(lines, l); ++n) {
        std::smatch m;
        if (std::regex_search(l, m, call)) found.push_back({name + ":" + std::to_string(n), m.str(1) + "(...)"});
    }
    for (const auto& [n, lit] : src.literals) {
        if (shells.count(lit)) found.push_back({name + ":" + std::to_string(n), "a shell, \"" + lit + "\", as a program"});
        if (std::regex_search(lit, shell_line)) found.push_back({name + ":" + std::to_string(n), "a command line for a shell: \"" + lit + "\""});
    }
    return found;
}

// The scanner itself finds what it must and nothing in comments or unrelated names.
TEST(SourceScan, FindsShellCallsAndNothingElse) {
    const std::string p = std::string("po") + "pen", s = std::string("sys") + "tem", sh = std::string("s") + "h", q = "\"";
    struct Case {
        std::string source;
        std::size_t findings;
    };
    const Case cases[] = {
        {"FILE* f = " + p + "(cmd.c_str(), \"r\");", 1},
        {"int rc = std::" + s + " (cmd);", 1},
        {"execl(" + q + "/bin/" + sh + q + ", " + q + sh + q + ", " + q + "-c" + q + ", cmd, nullptr);", 3},  // execl, two shells
        {"run({" + q + "ba" + sh + q + ", " + q + "-c" + q + ", x});", 1},
        {"const char* c = " + q + sh + " -c 'x'" + q + ";", 1},
        {"run(" + q + "ip netns exec ns " + sh + " -c 'test'" + q + ");", 1},
        {"run(" + q + "/usr/bin/env ba" + sh + " -c x" + q + ");", 1},
        {"run(" + q + "fresh -cache" + q + ");", 0},
        {"// " + p + "(x) in a comment", 0},
        {"/* " + s + "(x)\n spanning lines */ int y;", 0},
        {"std::string t = " + q + p + "(" + q + ";", 0},  // inside a string literal
        {"file_" + s + "(x); my" + p + "(y);", 0},  // other names
        {"run_program({" + q + "ip" + q + ", " + q + "link" + q + "});", 0},
    };
    for (const auto& c : cases) EXPECT_EQ(scan("case", c.source).size(), c.findings) << c.source;
}

TEST(SourceScan, NoSourceRunsAShell) {
    const fs::path root = FWBENCH_SOURCE_DIR;
    const std::set<std::string> allowed = {};  // file:line entries, each with its reason here; none
    std::size_t files = 0;
    std::vector<Finding> found;
    for (const char* top : {"classifier", "dataplane", "bench", "traces", "tests"}) {
        for (const auto& e : fs::recursive_directory_iterator(root / top)) {
            const std::string ext = e.path().extension().string();
            if (!e.is_regular_file() || (ext != ".cpp" && ext != ".hpp" && ext != ".h" && ext != ".c" && ext != ".cc")) continue;
            std::ifstream in(e.path(), std::ios::binary);
            std::string text((std::istreambuf_iterator<char>(in)), {});
            ++files;
            for (auto& f : scan(fs::relative(e.path(), root).string(), text))
                if (!allowed.count(f.where)) found.push_back(f);
        }
    }
    EXPECT_GT(files, 100u) << "the scan found too few sources under " << root;
    for (const auto& f : found) ADD_FAILURE() << f.where << ": " << f.what << " (start programs with run_program: subprocess.hpp)";
}

}  // namespace
