// -m srh (libip6t_srh revision 1, the kernel's ip6t_srh): an IPv6 segment routing header's fields
// and segments, parsed and saved as iptables does.
#include <string>
#include <vector>

#include "fwbench/parse_util.hpp"
#include "module_registry.hpp"

namespace fwbench::detail {

namespace {

using Args = std::vector<std::string>;

SrhMatch& spec_of(MatchSpec& spec) { return std::get<SrhMatch>(spec); }

// XTTYPE_UINT8 or XTTYPE_UINT16 put into the field shared by the -eq, -gt and -lt forms.
template <SrhMatch::Test test, class Field, Field SrhMatch::*field>
std::string apply_number(MatchSpec& spec, bool negated, Args& args, const OptionContext&) {
    constexpr std::uint64_t max = sizeof(Field) == 1 ? 255 : 65535;
    std::uint64_t v = 0;
    if (std::string e = parse_xt_uint(args[0], 0, max, v); !e.empty()) return e;
    auto& s = spec_of(spec);
    s.*field = static_cast<Field>(v);
    s.given |= test;
    if (negated) s.negated |= test;
    return {};
}

template <SrhMatch::Test test, RoutingHeader::Sid which>
std::string apply_sid(MatchSpec& spec, bool negated, Args& args, const OptionContext&) {
    const auto hm = parse_xt_hostmask(args[0], Family::ipv6);
    if (!hm) return "expected an IPv6 address[/length or /mask], got '" + args[0] + "'";
    auto& s = spec_of(spec);
    s.sid_addr[which] = hm->addr;
    s.sid_mask[which] = hm->mask;
    s.given |= test;
    if (negated) s.negated |= test;
    return {};
}

// srh1_save: the tests in IP6T_SRH_* order, each -eq, -gt and -lt with its field's one value; a
// segment's mask as a length (xtables_ip6mask_to_cidr's -1, printed unsigned, for one that is not
// a prefix).
void save_srh(const MatchSpec& spec, std::vector<RuleOption>& options, const OptionContext&) {
    const auto& s = std::get<SrhMatch>(spec);
    options.clear();
    auto put = [&](SrhMatch::Test test, const char* name, std::string value) {
        if (s.given & test) options.push_back({name, (s.negated & test) != 0, {std::move(value)}});
    };
    const std::string len = std::to_string(s.hdr_len), segs = std::to_string(s.segments_left), last = std::to_string(s.last_entry);
    put(SrhMatch::next_hdr, "srh-next-hdr", std::to_string(s.next_header));
    put(SrhMatch::len_eq, "srh-hdr-len-eq", len);
    put(SrhMatch::len_gt, "srh-hdr-len-gt", len);
    put(SrhMatch::len_lt, "srh-hdr-len-lt", len);
    put(SrhMatch::segs_eq, "srh-segs-left-eq", segs);
    put(SrhMatch::segs_gt, "srh-segs-left-gt", segs);
    put(SrhMatch::segs_lt, "srh-segs-left-lt", segs);
    put(SrhMatch::last_eq, "srh-last-entry-eq", last);
    put(SrhMatch::last_gt, "srh-last-entry-gt", last);
    put(SrhMatch::last_lt, "srh-last-entry-lt", last);
    put(SrhMatch::tag_eq, "srh-tag", std::to_string(s.tag));
    const auto sid = [&](RoutingHeader::Sid which) {
        const int len = mask_length(s.sid_mask[which]);
        return format_ip(s.sid_addr[which]) + "/" + (len >= 0 ? std::to_string(len) : std::string("4294967295"));
    };
    put(SrhMatch::psid, "srh-psid", sid(RoutingHeader::previous_sid));
    put(SrhMatch::nsid, "srh-nsid", sid(RoutingHeader::next_sid));
    put(SrhMatch::lsid, "srh-lsid", sid(RoutingHeader::last_sid));
}

}  // namespace

void add_srh_match(std::vector<MatchModuleDef>& m) {
    using S = SrhMatch;
    using U8 = std::uint8_t;
    m.push_back({"srh",
                 {{"srh-next-hdr", "", 1, true, apply_number<S::next_hdr, U8, &S::next_header>},
                  {"srh-hdr-len-eq", "", 1, true, apply_number<S::len_eq, U8, &S::hdr_len>},
                  {"srh-hdr-len-gt", "", 1, true, apply_number<S::len_gt, U8, &S::hdr_len>},
                  {"srh-hdr-len-lt", "", 1, true, apply_number<S::len_lt, U8, &S::hdr_len>},
                  {"srh-segs-left-eq", "", 1, true, apply_number<S::segs_eq, U8, &S::segments_left>},
                  {"srh-segs-left-gt", "", 1, true, apply_number<S::segs_gt, U8, &S::segments_left>},
                  {"srh-segs-left-lt", "", 1, true, apply_number<S::segs_lt, U8, &S::segments_left>},
                  {"srh-last-entry-eq", "", 1, true, apply_number<S::last_eq, U8, &S::last_entry>},
                  {"srh-last-entry-gt", "", 1, true, apply_number<S::last_gt, U8, &S::last_entry>},
                  {"srh-last-entry-lt", "", 1, true, apply_number<S::last_lt, U8, &S::last_entry>},
                  {"srh-tag", "", 1, true, apply_number<S::tag_eq, std::uint16_t, &S::tag>},
                  {"srh-psid", "", 1, true, apply_sid<S::psid, RoutingHeader::previous_sid>},
                  {"srh-nsid", "", 1, true, apply_sid<S::nsid, RoutingHeader::next_sid>},
                  {"srh-lsid", "", 1, true, apply_sid<S::lsid, RoutingHeader::last_sid>}},
                 [](const OptionContext&) -> MatchSpec { return SrhMatch{}; },
                 nullptr,
                 0x1f,
                 {},
                 false,
                 Family::ipv6});
    m.back().save = save_srh;
}

}  // namespace fwbench::detail
