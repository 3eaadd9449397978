#pragma once
// Names that leave fwbench for the kernel or a netfilter tool, checked where they are read.
//
// A host description, a capture or a command line names interfaces; an ipset file names sets;
// a ruleset names ipsets and nfacct objects. fwbench compares those names with each other, stores
// interface names in 16-byte IfaceName fields, and the kernel oracle creates devices and objects
// with them. Each check below is the rule of the kernel or tool that owns the name, so a name
// fwbench accepts is one the real system can hold, and a name it refuses would be refused there
// too: nothing is truncated or reinterpreted on the way. Every check returns what is wrong, in
// words a refusal can quote after the field's position; an empty string means the name is valid.
//
// Names that are valid but unusual (';', '$', quotes, backticks, non-ASCII bytes) pass: fwbench
// never hands a name to a shell (docs/security.md), so they are only bytes.

#include <cstdint>
#include <string>
#include <string_view>

namespace fwbench {

// The names the kernel gives a device. dev_valid_name (net/core/dev.c): 1-15 bytes (IFNAMSIZ - 1),
// not "." or "..", no '/', ':' or space character as the kernel's isspace reads bytes (space,
// \t \n \v \f \r and 0xA0 — so UTF-8 text with a byte 0xA0, such as "à", is refused as the kernel
// refuses it). Beyond it: no '%' (dev_prep_valid_name takes it for a template such as eth%d and
// chooses the name), not "all" or "default" (devinet_sysctl_register refuses the names of its
// conf/all and conf/default directories). A NUL byte would end the name early: refused too.
std::string interface_name_problem(std::string_view name);

// ipset's set names: 1-31 bytes (IPSET_MAXNAMELEN 32 with its NUL), no NUL, no whitespace (ipset
// restore splits its lines into words, so a set with one could never be restored).
std::string ipset_name_problem(std::string_view name);

// nfacct object names: 1-31 bytes (NFACCT_NAME_MAX 32 with its NUL), no NUL, no whitespace (an
// iptables-save line splits its words there).
std::string nfacct_name_problem(std::string_view name);

// SCTP's chunk types as iptables names them (libxt_sctp's table, in its order): the name, the
// type, and the flags the name takes after a ':' (a letter per bit, high bit first; '-' none).
struct SctpChunkName {
    const char* name;
    std::uint8_t type;
    const char* valid_flags;
};
extern const SctpChunkName sctp_chunk_names[22];
// The entry of a name (without regard to case) or of a type; nullptr when there is none.
const SctpChunkName* find_sctp_chunk(std::string_view name);
const SctpChunkName* find_sctp_chunk(std::uint8_t type);

// A name as error messages and reports print it: between single quotes, with control bytes,
// backslashes and quotes escaped (\xNN, \\, \'), so a hostile name cannot move the terminal's cursor
// or pass itself off as part of the message.
std::string quoted_name(std::string_view name);

}  // namespace fwbench
