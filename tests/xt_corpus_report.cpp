// How many of a corpus' rules fwbench reads as iptables does: xt_corpus_report [-v] FILE.t...
// (tests/xt_corpus.hpp describes the format). Prints, per backend-scoped verdict, the rules
// iptables accepts that fwbench loads, the rules it refuses that fwbench refuses, and the loaded
// rules fwbench prints otherwise; with -v every disagreement with its file and line.

#include <cstdio>
#include <cstring>
#include <map>
#include <string>

#include "xt_corpus.hpp"

using namespace fwbench::test;

int main(int argc, char** argv) {
    bool verbose = false;
    std::size_t accepted = 0, loaded = 0, refused = 0, refused_too = 0, printed_same = 0, printed_checked = 0;
    std::map<std::string, int> why;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "-v") == 0) {
            verbose = true;
            continue;
        }
        std::vector<XtCase> cases;
        try {
            cases = read_xt_file(argv[i]);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "%s\n", e.what());
            return 2;
        }
        for (const auto& c : cases) {
            // Like iptables-test.py: a case holds only if it holds in every chain listed.
            bool all_loaded = true, any_loaded = false, same = true;
            std::string error, printed;
            for (const auto& chain : c.chains) {
                auto o = run_fwbench(c, chain);
                all_loaded = all_loaded && o.loaded;
                any_loaded = any_loaded || o.loaded;
                if (!o.loaded && error.empty()) error = o.error;
                if (o.loaded && o.printed != c.saved) {
                    same = false;
                    printed = o.printed;
                }
            }
            const char* fam = c.family == fwbench::Family::ipv4 ? "4" : "6";
            if (c.accepted) {
                ++accepted;
                if (all_loaded) {
                    ++loaded;
                    if (!c.printed_unchecked) {
                        ++printed_checked;
                        if (same) ++printed_same;
                        else if (verbose)
                            std::printf("PRINT %s:%d (%s) %s\n   want: %s\n   got:  %s\n", c.file.c_str(), c.line, fam, c.rule.c_str(),
                                        c.saved.c_str(), printed.c_str());
                    }
                } else if (verbose) std::printf("REFUSE %s:%d (%s) %s\n   %s\n", c.file.c_str(), c.line, fam, c.rule.c_str(), error.c_str());
            } else {
                ++refused;
                if (!any_loaded) ++refused_too;
                else if (verbose) std::printf("ACCEPT %s:%d (%s) %s\n", c.file.c_str(), c.line, fam, c.rule.c_str());
            }
        }
    }
    std::printf("rules iptables accepts: %zu, fwbench loads %zu\n", accepted, loaded);
    std::printf("rules iptables refuses: %zu, fwbench refuses %zu (accepts %zu)\n", refused, refused_too, refused - refused_too);
    std::printf("loaded rules with a printed form: %zu, printed as iptables prints them: %zu\n", printed_checked, printed_same);
    return loaded == accepted && refused_too == refused && printed_same == printed_checked ? 0 : 1;
}
