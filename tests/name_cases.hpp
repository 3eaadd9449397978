#pragma once
// Interface names and whether the kernel accepts them (dev_valid_name in net/core/dev.c). Shared
// by the unit test of names.hpp and the kernel test that creates each one in a namespace.

#include <string>
#include <vector>

namespace fwbench::test {

struct InterfaceNameCase {
    std::string name;
    bool valid;
    const char* reason;  // a phrase of the refusal, for the invalid ones
};

inline const std::vector<InterfaceNameCase> interface_name_cases = {
    {"eth0", true, ""},
    {"eth0.10", true, ""},  // VLAN devices: a dot is fine
    {"123456789012345", true, ""},  // 15 bytes, the most there is
    {"l;id>pw", true, ""},  // shell syntax is only bytes
    {"$(id>pw)", true, ""},
    {"`id>pw`", true, ""},
    {"a'b\"c", true, ""},
    {"a@b", true, ""},
    {"w\xc3\xa9", true, ""},  // "wé": UTF-8 without a byte 0xA0
    {"a\x1c"
     "b",
     true, ""},  // a control byte the kernel's isspace does not count
    {"-x", true, ""},
    {"", false, "empty"},
    {"1234567890123456", false, "16 bytes"},
    {".", false, "directories"},
    {"..", false, "directories"},
    {"a/b", false, "'/'"},
    {"a:b", false, "':'"},
    {"a b", false, "space character"},
    {"a\tb", false, "space character"},
    {"a\nb", false, "space character"},
    {"a\vb", false, "space character"},
    {"w\xc3\xa0", false, "byte 0xa0"},  // "wà": its UTF-8 holds 0xA0, a space to the kernel
    {"eth%d", false, "'%'"},  // a template: the kernel would make eth0 of it
    {"a%b", false, "'%'"},
    {"all", false, "sysctls"},
    {"default", false, "sysctls"},
    {"alll", true, ""},
};

}  // namespace fwbench::test
