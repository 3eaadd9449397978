// sctp's --chunk-types MATCH CHUNKS, read and written back as libxt_sctp reads and saves it
// (parse_sctp_chunks, print_chunks), its quirks kept: a flag letter is looked up in the chunk's
// valid flags as written ('-' included, which names the high bit), and a flag entry carries the
// index of the chunk's name in the table, not its type (SctpChunkSpec).

#include <cctype>

#include "fwbench/names.hpp"
#include "fwbench/parse_util.hpp"
#include "module_registry.hpp"

namespace fwbench::detail {
namespace {

// save_chunk_flag_info: one entry per chunk, at most four.
std::string add_flag(SctpChunkSpec& s, std::uint8_t chunk, int bit, bool set) {
    for (std::size_t i = 0; i < s.flag_count; ++i)
        if (s.flag_info[i].chunk_type == chunk) {
            s.flag_info[i].mask |= static_cast<std::uint8_t>(1u << bit);
            if (set) s.flag_info[i].flags |= static_cast<std::uint8_t>(1u << bit);
            return {};
        }
    if (s.flag_count == s.flag_info.size()) return "flags for more than 4 chunk types (the kernel holds 4)";
    auto& f = s.flag_info[s.flag_count++];
    f.chunk_type = chunk;
    f.mask = static_cast<std::uint8_t>(1u << bit);
    if (set) f.flags = f.mask;
    return {};
}

// One CHUNK[:FLAGS] of the list.
std::string add_chunk(SctpChunkSpec& s, std::string_view item) {
    const auto colon = item.find(':');
    const std::string_view name = item.substr(0, colon);
    const SctpChunkName* c = find_sctp_chunk(name);
    if (!c) return "unknown SCTP chunk '" + std::string(name) + "' (expected DATA, INIT, SACK, ABORT, ..., ALL or NONE)";
    s.set(c->type);
    if (colon == std::string_view::npos) return {};
    const auto index = static_cast<std::uint8_t>(c - sctp_chunk_names);
    const std::string_view valid = c->valid_flags;
    for (char letter : item.substr(colon + 1)) {
        const auto at = valid.find(static_cast<char>(std::toupper(static_cast<unsigned char>(letter))));
        if (at == std::string_view::npos)
            return "invalid flag '" + std::string(1, letter) + "' for chunk " + c->name + " (its flags: " + std::string(valid) + ")";
        auto err = add_flag(s, index, 7 - static_cast<int>(at), std::isupper(static_cast<unsigned char>(letter)) != 0);
        if (!err.empty()) return err;
    }
    return {};
}

// print_chunks' list: NONE, ALL, or the names in type order, each with the flags of the entry
// whose (index) type equals its type.
std::string format_chunks(const SctpChunkSpec& s) {
    bool none = true, all = true;
    for (auto word : s.types) {
        none = none && word == 0;
        all = all && word == 0xffffffffu;
    }
    if (none) return "NONE";
    if (all) return "ALL";
    std::string out;
    for (int type = 0; type < 256; ++type) {
        const auto t = static_cast<std::uint8_t>(type);
        if (!s.has(t)) continue;
        if (!out.empty()) out += ',';
        if (const SctpChunkName* c = find_sctp_chunk(t)) out += c->name;
        for (std::size_t i = 0; i < s.flag_count; ++i) {
            const auto& f = s.flag_info[i];
            if (f.chunk_type != t || !f.mask) continue;
            out += ':';
            for (int bit = 7; bit >= 0; --bit) {
                if (!(f.mask & (1u << bit))) continue;
                const char letter = sctp_chunk_names[type].valid_flags[7 - bit];
                out += (f.flags & (1u << bit)) ? letter : static_cast<char>(std::tolower(static_cast<unsigned char>(letter)));
            }
        }
    }
    return out;
}

}  // namespace

std::string apply_sctp_chunk_types(MatchSpec& spec, bool negated, std::vector<std::string>& args, const OptionContext&) {
    SctpChunkSpec s;
    const std::string& kind = args[0];
    const std::string kind_word = lower(kind), chunks_word = lower(args[1]);
    if (kind_word == "any") s.kind = SctpChunkSpec::Kind::any;
    else if (kind_word == "all") s.kind = SctpChunkSpec::Kind::all;
    else if (kind_word == "only") s.kind = SctpChunkSpec::Kind::only;
    else return "expected the match type all, any or only, got '" + kind + "'";
    const std::string& chunks = args[1];
    if (chunks.empty() || chunks[0] == '-' || chunks[0] == '!') return "expected the chunks after the match type, got '" + chunks + "'";
    if (chunks_word == "all") {
        s.types.fill(0xffffffffu);
    } else if (chunks_word != "none") {
        for (auto item : split(chunks, ','))
            if (!item.empty()) {  // strtok passes over empty items
                auto err = add_chunk(s, item);
                if (!err.empty()) return err;
            }
    }
    constexpr const char* kinds[] = {"any", "all", "only"};
    args = {kinds[static_cast<int>(s.kind)], format_chunks(s)};
    std::get<L4PortsMatch>(spec).sctp_chunks = Neg<SctpChunkSpec>{s, negated};
    return {};
}

}  // namespace fwbench::detail
