// -m connlabel (libxt_connlabel, the kernel's xt_connlabel): parsed, checked and saved as iptables
// and the kernel's checkentry do, for a host without /etc/xtables/connlabel.conf: labels are
// numbers, a name is refused (iptables looks names up in that file, which fwbench does not read).
#include <cstdint>
#include <string>
#include <vector>

#include "fwbench/parse_util.hpp"
#include "module_registry.hpp"

namespace fwbench::detail {

namespace {

using Args = std::vector<std::string>;

ConnlabelMatch& spec_of(MatchSpec& spec) { return std::get<ConnlabelMatch>(spec); }

constexpr unsigned label_bits = 128;  // NF_CT_LABELS_MAX_SIZE * 8: nf_connlabels_get refuses a bit past it

std::string apply_label(MatchSpec& spec, bool negated, Args& args, const OptionContext&) {
    // connlabel_value_parse: strtoul(.., 0) over the whole word taken as an int; a negative int is
    // no number (and, with no labels file, no label).
    const auto value = parse_strtoul_int(args[0], 0);
    if (!value)
        return "label '" + args[0] +
               "' not found or invalid value (a label is its bit's number: fwbench does not read the names of "
               "/etc/xtables/connlabel.conf)";
    // xt_connlabel_mtinfo's bit is 16 bits wide: the int is cut to them before the kernel sees it.
    const auto bit = static_cast<std::uint16_t>(*value);
    if (bit >= label_bits)
        return "connlabel match: label bit " + std::to_string(bit) + " is past the kernel's " + std::to_string(label_bits) +
               " (nf_connlabels_get refuses it: ERANGE)";
    spec_of(spec).bit = bit;
    spec_of(spec).negated = negated;
    return {};
}

std::string apply_set(MatchSpec& spec, bool, Args&, const OptionContext&) {
    spec_of(spec).set = true;
    return {};
}

// connlabel_mt_save: the bit by number (no labels file names it), quoted, then --set.
void save_connlabel(const MatchSpec& spec, std::vector<RuleOption>& options, const OptionContext&) {
    const auto& s = std::get<ConnlabelMatch>(spec);
    options = {{"label", s.negated, {std::to_string(s.bit)}}};
    if (s.set) options.push_back({"set", false, {}});
}

}  // namespace

void add_connlabel_match(std::vector<MatchModuleDef>& m) {
    m.push_back({"connlabel", {{"label", "", 1, true, apply_label}, {"set", "", 0, false, apply_set}}, [](const OptionContext&) -> MatchSpec {
                     return ConnlabelMatch{};
                 }});
    m.back().rules.required = "label";
    m.back().save = save_connlabel;
}

}  // namespace fwbench::detail
