// The rate estimator pair: -j RATEEST feeds a named estimator of the kernel (xt_RATEEST, timed by
// gen_estimator), -m rateest compares estimators' rates with each other or with given rates
// (xt_rateest). Parsed, checked and saved as libxt_RATEEST.c and libxt_rateest.c do.
//
// fwbench does not run the estimators: their rates come from a kernel timer averaging what went
// through, which no capture replays. -m rateest is a HostStateMatch decided by the assumption
// that every estimator reads 0 (an idle estimator's rate), each decision counted for the report.

#include <cmath>
#include <cstdlib>
#include <string>
#include <utility>

#include "fwbench/parse_util.hpp"
#include "module_registry.hpp"

namespace fwbench::detail {
namespace {

constexpr std::size_t max_estimator_name = 15;  // IFNAMSIZ - 1: both extensions cut the name there

// --- -m rateest ---------------------------------------------------------------------------------

// The options given, a bit each in HostStateMatch::given (xt_rateest_match_info's flags and mode).
enum RateestGiven : std::uint32_t {
    name1 = 1u << 0,
    name2 = 1u << 1,  // XT_RATEEST_MATCH_REL: compare with a second estimator
    bps = 1u << 2,
    pps = 1u << 3,
    delta = 1u << 4,
    mode_lt = 1u << 5,
    mode_gt = 1u << 6,
    mode_eq = 1u << 7,
    invert = 1u << 8,
    bps2_nonzero = 1u << 9,  // the second rate given is not 0: an absolute comparison's bound
    pps2_nonzero = 1u << 10,
};
constexpr std::uint32_t any_mode = mode_lt | mode_gt | mode_eq;

// iproute's rate units, as libxt_rateest copied them (matched without regard to case, first wins).
struct RateUnit {
    const char* name;
    double bits;
};
constexpr RateUnit rate_units[] = {
    {"bit", 1.},
    {"Kibit", 1024.},
    {"kbit", 1000.},
    {"Mibit", 1024. * 1024.},
    {"mbit", 1e6},
    {"Gibit", 1024. * 1024. * 1024.},
    {"gbit", 1e9},
    {"Tibit", 1024. * 1024. * 1024. * 1024.},
    {"tbit", 1e12},
    {"Bps", 8.},
    {"KiBps", 8. * 1024.},
    {"KBps", 8000.},
    {"MiBps", 8. * 1024 * 1024.},
    {"MBps", 8e6},
    {"GiBps", 8. * 1024. * 1024. * 1024.},
    {"GBps", 8e9},
    {"TiBps", 8. * 1024. * 1024. * 1024. * 1024.},
    {"TBps", 8e12},
};

// rateest_get_rate: a number (strtod's), then a unit; a bare number is divided by 8 as the
// extension does. The kernel keeps bytes a second in 32 bits.
std::optional<std::uint32_t> parse_estimator_rate(const std::string& text) {
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (end == text.c_str()) return std::nullopt;
    double bits = value;
    if (*end != '\0') {
        const RateUnit* unit = nullptr;
        for (const auto& u : rate_units)
            if (lower(u.name) == lower(end)) {
                unit = &u;
                break;
            }
        if (!unit) return std::nullopt;
        bits = value * unit->bits;
    }
    const double bytes = bits / 8.;
    if (!(bytes >= 0. && bytes <= 4294967295.)) return std::nullopt;
    return static_cast<std::uint32_t>(bytes);
}

// rateest_print_rate for a byte rate: in bits, scaled to Kbit or Mbit from 10^6 and 10^9 bits on.
std::string format_estimator_rate(std::uint32_t bytes_per_second) {
    const double bits = static_cast<double>(bytes_per_second) * 8;
    char buf[64];
    if (bits >= 1000.0 * 1000000.0) std::snprintf(buf, sizeof buf, "%.0fMbit", bits / 1000000.0);
    else if (bits >= 1000.0 * 1000.0) std::snprintf(buf, sizeof buf, "%.0fKbit", bits / 1000.0);
    else std::snprintf(buf, sizeof buf, "%.0fbit", bits);
    return buf;
}

HostStateMatch& rateest_of(MatchSpec& spec) { return std::get<HostStateMatch>(spec); }

std::string apply_name(MatchSpec& spec, std::uint32_t bit, std::vector<std::string>& args) {
    rateest_of(spec).given |= bit;
    if (args[0].size() > max_estimator_name) args[0].resize(max_estimator_name);
    return {};
}

// --rateest-bps1/2 [RATE]: the rate is optional (only an absolute or delta comparison reads it).
std::string apply_bps(MatchSpec& spec, std::vector<std::string>& args, std::uint32_t nonzero_bit) {
    auto& s = rateest_of(spec);
    s.given |= bps;
    if (args.empty()) return {};
    const auto rate = parse_estimator_rate(args[0]);
    if (!rate) return "expected a rate such as 8bit, 5kbit or 2MBps, got '" + args[0] + "'";
    args[0] = format_estimator_rate(*rate);
    if (*rate) s.given |= nonzero_bit;
    return {};
}

std::string apply_pps(MatchSpec& spec, std::vector<std::string>& args, std::uint32_t nonzero_bit) {
    auto& s = rateest_of(spec);
    s.given |= pps;
    if (args.empty()) return {};
    const auto rate = parse_uint(args[0], 0xffffffffu);
    if (!rate) return "expected packets a second 0-4294967295, got '" + args[0] + "'";
    args[0] = std::to_string(*rate);
    if (*rate) s.given |= nonzero_bit;
    return {};
}

// --rateest-lt/gt/eq: the last one given is the comparison (the extension lets a later one
// replace an earlier); a `!` before any of them inverts the result.
std::string apply_mode(MatchSpec& spec, bool negated, std::uint32_t mode) {
    auto& s = rateest_of(spec);
    s.given = (s.given & ~any_mode) | mode;
    if (negated) s.given |= invert;
    return {};
}

// xt_rateest_mt with every estimator at 0: a delta subtracts from 0 and stops there, so the left
// side is 0; the right side is 0 for a second estimator, else the rate given.
bool decide_with_idle_estimators(std::uint32_t given) {
    const bool relative = given & name2;
    auto compare = [&](std::uint32_t nonzero_bit) {
        const bool right_positive = !relative && (given & nonzero_bit);
        if (given & mode_lt) return right_positive;  // 0 < right
        if (given & mode_gt) return false;  // 0 > right
        return !right_positive;  // 0 == right
    };
    bool result = true;
    if (given & bps) result &= compare(bps2_nonzero);
    if (given & pps) result &= compare(pps2_nonzero);
    return result != static_cast<bool>(given & invert);
}

std::string finish_rateest(MatchSpec& spec, const OptionContext&) {
    auto& s = rateest_of(spec);
    if (!(s.given & name1)) return "the rateest match needs --rateest NAME (or --rateest1 NAME): the kernel refuses it without an estimator";
    if (!(s.given & (bps | pps))) return "the rateest match needs --rateest-bps or --rateest-pps (the kernel refuses it otherwise)";
    if (!(s.given & any_mode)) return "the rateest match needs --rateest-lt, --rateest-gt or --rateest-eq (the kernel refuses it otherwise)";
    s.assumed = decide_with_idle_estimators(s.given);
    return {};
}

const RuleOption* find_option(const std::vector<RuleOption>& options, std::string_view name) {
    for (const auto& o : options)
        if (o.name == name) return &o;
    return nullptr;
}

// rateest_save: --rateest-delta first, the first estimator, per rate kind the comparison with the
// rates (a delta's first rate always, 0 when not given), then the second estimator.
void save_rateest(const MatchSpec& spec, std::vector<RuleOption>& options, const OptionContext&) {
    const auto given = std::get<HostStateMatch>(spec).given;
    const bool relative = given & name2, with_delta = given & delta;
    const RuleOption mode{given & mode_lt ? "rateest-lt" : given & mode_gt ? "rateest-gt" : "rateest-eq", static_cast<bool>(given & invert), {}};
    std::vector<RuleOption> saved;
    auto arg_of = [&](std::string_view name, const char* none) {
        const RuleOption* o = find_option(options, name);
        return o && !o->args.empty() ? o->args[0] : std::string(none);
    };
    auto save_rates = [&](const std::string& kind, const char* zero) {
        if (with_delta) {
            saved.push_back({"rateest-" + kind + "1", false, {arg_of("rateest-" + kind + "1", zero)}});
            saved.push_back(mode);
            saved.push_back({"rateest-" + kind + "2", false, {arg_of("rateest-" + kind + "2", zero)}});
            return;
        }
        saved.push_back(mode);
        RuleOption second{"rateest-" + kind, false, {}};
        if (!relative) second.args.push_back(arg_of("rateest-" + kind + "2", zero));
        saved.push_back(std::move(second));
    };
    if (with_delta) saved.push_back({"rateest-delta", false, {}});
    saved.push_back({relative ? "rateest1" : "rateest", false, {arg_of("rateest1", "")}});
    if (given & bps) save_rates("bps", "0bit");
    if (given & pps) save_rates("pps", "0");
    if (relative) saved.push_back({"rateest2", false, {arg_of("rateest2", "")}});
    options = std::move(saved);
}

// --- -j RATEEST ---------------------------------------------------------------------------------

constexpr double us_per_second = 1000000;

// RATEEST_get_time: a number, then s/sec/secs, ms/msec/msecs or us/usec/usecs (none: microseconds).
std::optional<std::uint32_t> parse_estimator_time(const std::string& text) {
    char* end = nullptr;
    double t = std::strtod(text.c_str(), &end);
    if (end == text.c_str()) return std::nullopt;
    if (*end != '\0') {
        const std::string_view unit = end;
        auto is = [&](std::initializer_list<const char*> names) {
            for (const char* n : names)
                if (lower(unit) == lower(n)) return true;
            return false;
        };
        if (is({"s", "sec", "secs"})) t *= us_per_second;
        else if (is({"ms", "msec", "msecs"})) t *= us_per_second / 1000;
        else if (!is({"us", "usec", "usecs"})) return std::nullopt;
    }
    if (!(t >= 0. && t <= 4294967295.)) return std::nullopt;
    return static_cast<std::uint32_t>(t);
}

// RATEEST_print_time.
std::string format_estimator_time(std::uint32_t us) {
    char buf[64];
    const double t = us;
    if (t >= us_per_second) std::snprintf(buf, sizeof buf, "%.1fs", t / us_per_second);
    else if (t >= us_per_second / 1000) std::snprintf(buf, sizeof buf, "%.1fms", t / (us_per_second / 1000));
    else std::snprintf(buf, sizeof buf, "%uus", us);
    return buf;
}

// What the kernel holds (RATEEST_final_check): the interval as the first 2^i/4 s at least as long,
// i from 0 to 5, kept as i - 2; the averaging as the ewma_log whose time constant first exceeds
// the one given, less one.
std::string finish_rate_estimator(RateEstimatorTarget& s, std::uint32_t interval_us, std::uint32_t ewmalog_us) {
    int interval = 0;
    while (interval <= 5 && interval_us > (1u << interval) * (us_per_second / 4)) ++interval;
    if (interval > 5) return "RATEEST: interval value is too large (at most 8 s)";
    int ewma_log = 1;
    for (; ewma_log < 32; ++ewma_log) {
        // The extension computes 1 << ewma_log in an int: at 31 it is negative, and so is the
        // time constant, which then never exceeds the one given.
        const double power = ewma_log == 31 ? -2147483648.0 : static_cast<double>(1u << ewma_log);
        const double w = 1.0 - 1.0 / power;
        if (interval_us / (-std::log(w)) > ewmalog_us) break;
    }
    --ewma_log;
    if (ewma_log == 0 || ewma_log >= 31) return "RATEEST: ewmalog value is out of range";
    s.interval = static_cast<std::int8_t>(interval - 2);
    s.ewma_log = static_cast<std::uint8_t>(ewma_log);
    return {};
}

}  // namespace

void add_rateest_match(std::vector<MatchModuleDef>& m) {
    // clang-format off
    m.push_back({"rateest",
                 {{"rateest1", "rateest", 1, false, [](MatchSpec& s, bool, std::vector<std::string>& a, const OptionContext&) { return apply_name(s, name1, a); }},
                  {"rateest2", "", 1, false, [](MatchSpec& s, bool, std::vector<std::string>& a, const OptionContext&) { return apply_name(s, name2, a); }},
                  {"rateest-bps1", "", -1, false, [](MatchSpec& s, bool, std::vector<std::string>& a, const OptionContext&) { return apply_bps(s, a, 0); }},
                  {"rateest-pps1", "", -1, false, [](MatchSpec& s, bool, std::vector<std::string>& a, const OptionContext&) { return apply_pps(s, a, 0); }},
                  {"rateest-bps2", "rateest-bps", -1, false, [](MatchSpec& s, bool, std::vector<std::string>& a, const OptionContext&) { return apply_bps(s, a, bps2_nonzero); }},
                  {"rateest-pps2", "rateest-pps", -1, false, [](MatchSpec& s, bool, std::vector<std::string>& a, const OptionContext&) { return apply_pps(s, a, pps2_nonzero); }},
                  {"rateest-delta", "", 0, false, [](MatchSpec& s, bool, std::vector<std::string>&, const OptionContext&) { rateest_of(s).given |= delta; return std::string(); }},
                  {"rateest-lt", "", 0, true, [](MatchSpec& s, bool n, std::vector<std::string>&, const OptionContext&) { return apply_mode(s, n, mode_lt); }},
                  {"rateest-gt", "", 0, true, [](MatchSpec& s, bool n, std::vector<std::string>&, const OptionContext&) { return apply_mode(s, n, mode_gt); }},
                  {"rateest-eq", "", 0, true, [](MatchSpec& s, bool n, std::vector<std::string>&, const OptionContext&) { return apply_mode(s, n, mode_eq); }}},
                 [](const OptionContext&) -> MatchSpec {
                     HostStateMatch h;
                     h.assumption = "every rate estimator reads 0 bytes and 0 packets a second, as an idle one does (fwbench does not run the "
                                    "kernel's estimators, which RATEEST feeds on a timer)";
                     return h;
                 },
                 finish_rateest});
    // clang-format on
    m.back().save = save_rateest;
}

namespace {

std::string apply_time(std::uint32_t& out, const std::vector<std::string>& args, const char* what) {
    const auto us = parse_estimator_time(args[0]);
    if (!us) return std::string("RATEEST: bad ") + what + " value \"" + args[0] + "\" (expected a time such as 250ms, 1s or 500us)";
    out = *us;
    return {};
}

}  // namespace

void add_rateest_target(std::vector<TargetModuleDef>& t) {
    // clang-format off
    t.push_back({"RATEEST",
                 {{"rateest-name", "", 1, false, [](TargetSpec& s, bool, std::vector<std::string>& a, const OptionContext&) {
                       if (a[0].size() > max_estimator_name) a[0].resize(max_estimator_name);
                       std::get<RateEstimatorTarget>(s).name = a[0];
                       return std::string();
                   }},
                  {"rateest-interval", "", 1, false, [](TargetSpec& s, bool, std::vector<std::string>& a, const OptionContext&) {
                       return apply_time(std::get<RateEstimatorTarget>(s).given_interval_us, a, "interval");
                   }},
                  {"rateest-ewmalog", "", 1, false, [](TargetSpec& s, bool, std::vector<std::string>& a, const OptionContext&) {
                       return apply_time(std::get<RateEstimatorTarget>(s).given_ewmalog_us, a, "ewmalog");
                   }}},
                 [](const OptionContext&) -> TargetSpec { return RateEstimatorTarget{}; },
                 [](TargetSpec& spec, const OptionContext&) -> std::string {
                     auto& s = std::get<RateEstimatorTarget>(spec);
                     const auto interval_us = std::exchange(s.given_interval_us, 0);
                     const auto ewmalog_us = std::exchange(s.given_ewmalog_us, 0);
                     return finish_rate_estimator(s, interval_us, ewmalog_us);
                 }});
    // clang-format on
    t.back().rules = {"", {}, {}, "rateest-name rateest-interval rateest-ewmalog"};
    t.back().save = [](const TargetSpec& spec, std::vector<RuleOption>& options, const OptionContext&) {
        const auto& s = std::get<RateEstimatorTarget>(spec);
        // __RATEEST_print: the interval back from its exponent, the averaging time as that many
        // intervals (in 32 bits, as the extension multiplies).
        const std::uint32_t interval_us = (1000000u << (s.interval + 2)) / 4;
        const std::uint32_t ewmalog_us = interval_us * (1u << s.ewma_log);
        options = {{"rateest-name", false, {s.name}},
                   {"rateest-interval", false, {format_estimator_time(interval_us)}},
                   {"rateest-ewmalog", false, {format_estimator_time(ewmalog_us)}}};
    };
}

}  // namespace fwbench::detail
