// -m time, parsed, checked and saved as libxt_time and xt_time's checkentry do: dates are read
// as UTC (libxt sets TZ=UTC before mktime, so day 0 or month 0 roll back as mktime rolls them),
// each list item is cut to the buffer libxt copies it into (month days 2 characters, weekdays
// 3), and the saved form is printed from the numbers, with libxt_time's own default test: a
// start date of the epoch is left out, the open end date (INT_MAX) is not.

#include <cstdint>
#include <cstdlib>
#include <string>

#include "module_registry.hpp"

namespace fwbench::detail {
namespace {

constexpr std::uint32_t max_daytime = TimeMatch::max_daytime;
constexpr std::uint32_t all_monthdays = TimeMatch::all_monthdays;
constexpr std::uint8_t all_weekdays = TimeMatch::all_weekdays;
constexpr const char* week_days[] = {nullptr, "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

TimeMatch& spec_of(MatchSpec& spec) { return std::get<TimeMatch>(spec); }

// C's strtoul, cut to the unsigned int libxt stores it in.
std::uint32_t c_strtoul(const char* s, const char** end, int base) {
    char* e = nullptr;
    const unsigned long v = std::strtoul(s, &e, base);
    *end = e;
    return static_cast<std::uint32_t>(v);
}

// Days from 1970-01-01 to the first of a month (proleptic Gregorian; month 1-12).
std::int64_t days_to_month(std::int64_t year, std::int64_t month) {
    year -= month <= 2;
    const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
    const std::int64_t yoe = year - era * 400;
    const std::int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

// time_parse_date: YYYY[-MM[-DD[Thh[:mm[:ss]]]]], the year 1970-2038; mktime in UTC then
// normalises month 0 and day 0 back into the month and year before.
std::string apply_date(std::uint32_t& slot, const std::string& arg) {
    const std::string bad = "expected a date YYYY[-MM[-DD[Thh[:mm[:ss]]]]] between 1970 and 2038, got '" + arg + "'";
    std::uint32_t field[6] = {0, 1, 1, 0, 0, 0};
    const std::uint32_t most[6] = {2038, 12, 31, 23, 59, 59};
    const char seps[6] = {'-', '-', 'T', ':', ':', '\0'};
    const char* s = arg.c_str();
    for (int i = 0; i < 6; ++i) {
        const char* e = nullptr;
        field[i] = c_strtoul(s, &e, 10);
        if ((*e != seps[i] && *e != '\0') || field[i] > most[i] || (i == 0 && field[i] < 1970)) return bad;
        if (*e == '\0') break;
        s = e + 1;
    }
    std::int64_t year = field[0], month0 = static_cast<std::int64_t>(field[1]) - 1;
    if (month0 < 0) {
        month0 += 12;
        --year;
    }
    const std::int64_t days = days_to_month(year, month0 + 1) + field[2] - 1;
    const std::int64_t t = days * 86400 + field[3] * 3600 + field[4] * 60 + field[5];
    if (t < 0) return "the date '" + arg + "' falls before 1970 (mktime fails)";
    slot = static_cast<std::uint32_t>(t);
    return {};
}

// time_parse_minutes: hh:mm[:ss].
std::string apply_daytime(std::uint32_t& slot, const std::string& arg) {
    const std::string bad = "expected a time of day hh:mm[:ss] up to 23:59:59, got '" + arg + "'";
    const char* e = nullptr;
    const std::uint32_t hour = c_strtoul(arg.c_str(), &e, 10);
    if (*e != ':' || hour > 23) return bad;
    const std::uint32_t minute = c_strtoul(e + 1, &e, 10);
    if ((*e != ':' && *e != '\0') || minute > 59) return bad;
    std::uint32_t second = 0;
    if (*e == ':') {
        second = c_strtoul(e + 1, &e, 10);
        if (*e != '\0' || second > 59) return bad;
    }
    slot = hour * 3600 + minute * 60 + second;
    return {};
}

// my_strseg: the comma-separated items, each cut to `keep` characters; an empty rest ends the
// list (a trailing comma is nothing), an empty item before a comma is an item.
template <class Fn>
std::string for_each_item(const std::string& arg, std::size_t keep, Fn fn) {
    std::size_t at = 0;
    while (at < arg.size()) {
        const std::size_t comma = arg.find(',', at);
        const std::size_t len = (comma == std::string::npos ? arg.size() : comma) - at;
        if (std::string error = fn(arg.substr(at, std::min(len, keep))); !error.empty()) return error;
        if (comma == std::string::npos) break;
        at = comma + 1;
    }
    return {};
}

std::string apply_monthdays(MatchSpec& spec, bool negated, std::vector<std::string>& args, const OptionContext&) {
    std::uint32_t mask = 0;
    std::string error = for_each_item(args[0], 2, [&](const std::string& day) -> std::string {
        const char* e = nullptr;
        const std::uint32_t i = c_strtoul(day.c_str(), &e, 0);
        if ((*e != ',' && *e != '\0') || i > 31) return "'" + day + "' is not a day of the month (1-31)";
        mask |= 1u << i;
        return {};
    });
    if (!error.empty()) return error;
    spec_of(spec).monthdays = negated ? mask ^ all_monthdays : mask;
    return {};
}

std::string apply_weekdays(MatchSpec& spec, bool negated, std::vector<std::string>& args, const OptionContext&) {
    std::uint32_t mask = 0;
    std::string error = for_each_item(args[0], 3, [&](const std::string& day) -> std::string {
        const char* e = nullptr;
        const std::uint32_t i = c_strtoul(day.c_str(), &e, 0);
        if (*e == '\0') {
            if (i == 0) return "weekdays are 1 (Mon) to 7 (Sun): the week does not begin with Sunday";
            mask |= 1u << (i & 31);  // libxt shifts an int by any number given (x86 keeps 5 bits)
            return {};
        }
        bool named = false;
        for (std::uint32_t d = 1; d <= 7; ++d)
            if (day.compare(0, 2, week_days[d], 2) == 0 && day.size() >= 2) {
                mask |= 1u << d;
                named = true;
            }
        return named ? std::string() : "'" + day + "' is not a weekday (Mon-Sun or 1-7)";
    });
    if (!error.empty()) return error;
    const auto bits = static_cast<std::uint8_t>(mask);  // the kernel's field is 8 bits
    spec_of(spec).weekdays = negated ? static_cast<std::uint8_t>(bits ^ all_weekdays) : bits;
    return {};
}

std::string finish_time(MatchSpec& spec, const OptionContext&) {
    const auto& s = spec_of(spec);
    if (s.contiguous && s.daytime_start < s.daytime_stop) return "--contiguous only makes sense when the stop time is before the start time";
    return {};
}

std::string two(std::uint32_t v) {
    std::string s = std::to_string(v);
    if (s.size() < 2) s.insert(s.begin(), '0');
    return s;
}

std::string format_daytime(std::uint32_t t) { return two(t / 3600) + ":" + two(t / 60 % 60) + ":" + two(t % 60); }

std::string format_date(std::uint32_t t) {
    // civil_from_days (the inverse of days_to_month)
    const std::int64_t z = t / 86400 + 719468;
    const std::int64_t era = z / 146097, doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    const std::int64_t day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t year = yoe + era * 400 + (month <= 2);
    return std::to_string(year) + "-" + two(static_cast<std::uint32_t>(month)) + "-" + two(static_cast<std::uint32_t>(day)) + "T" +
           format_daytime(t % 86400);
}

void save_time(const MatchSpec& spec, std::vector<RuleOption>& options, const OptionContext&) {
    const auto& s = std::get<TimeMatch>(spec);
    options.clear();
    auto put = [&](const char* name, std::string arg) { options.push_back({name, false, {std::move(arg)}}); };
    if (s.daytime_start != 0 || s.daytime_stop != max_daytime) {
        put("timestart", format_daytime(s.daytime_start));
        put("timestop", format_daytime(s.daytime_stop));
    }
    if (s.monthdays != all_monthdays) {
        std::string days;
        for (std::uint32_t i = 1; i <= 31; ++i)
            if (s.monthdays & (1u << i)) {
                if (!days.empty()) days += ',';
                days += std::to_string(i);
            }
        put("monthdays", days);
    }
    if (s.weekdays != all_weekdays) {
        std::string days;
        for (std::uint32_t i = 1; i <= 7; ++i)
            if (s.weekdays & (1u << i)) {
                if (!days.empty()) days += ',';
                days += week_days[i];
            }
        put("weekdays", days);
    }
    if (s.date_start != 0) put("datestart", format_date(s.date_start));
    // libxt leaves out 0 and LONG_MAX, never its own default INT_MAX.
    if (s.date_stop != 0) put("datestop", format_date(s.date_stop));
    if (s.kerneltz) options.push_back({"kerneltz", false, {}});
    if (s.contiguous) options.push_back({"contiguous", false, {}});
}

}  // namespace

void add_time_match(std::vector<MatchModuleDef>& m) {
    // clang-format off
    m.push_back({"time",
                 {{"datestart", "", 1, false, [](MatchSpec& s, bool, std::vector<std::string>& a, const OptionContext&) { return apply_date(spec_of(s).date_start, a[0]); }},
                  {"datestop", "", 1, false, [](MatchSpec& s, bool, std::vector<std::string>& a, const OptionContext&) { return apply_date(spec_of(s).date_stop, a[0]); }},
                  {"timestart", "", 1, false, [](MatchSpec& s, bool, std::vector<std::string>& a, const OptionContext&) { return apply_daytime(spec_of(s).daytime_start, a[0]); }},
                  {"timestop", "", 1, false, [](MatchSpec& s, bool, std::vector<std::string>& a, const OptionContext&) { return apply_daytime(spec_of(s).daytime_stop, a[0]); }},
                  {"contiguous", "", 0, false, [](MatchSpec& s, bool, std::vector<std::string>&, const OptionContext&) { spec_of(s).contiguous = true; return std::string(); }},
                  {"weekdays", "", 1, true, apply_weekdays},
                  {"monthdays", "", 1, true, apply_monthdays},
                  {"localtz", "", 0, false, [](MatchSpec& s, bool, std::vector<std::string>&, const OptionContext&) { spec_of(s).kerneltz = true; return std::string(); }},
                  {"utc", "", 0, false, [](MatchSpec&, bool, std::vector<std::string>&, const OptionContext&) { return std::string(); }},
                  {"kerneltz", "", 0, false, [](MatchSpec& s, bool, std::vector<std::string>&, const OptionContext&) { spec_of(s).kerneltz = true; return std::string(); }}},
                 [](const OptionContext&) -> MatchSpec { return TimeMatch{}; },
                 finish_time});
    // clang-format on
    m.back().rules.exclusive = {"localtz utc", "utc kerneltz"};
    m.back().save = save_time;
}

}  // namespace fwbench::detail
