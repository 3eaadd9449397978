#pragma once
// The counts a `--pcap` run reports, kept as it goes: packets by origin (CaptureOrigin's order), fates by origin, hooks
// traversed and dropped at, the rules and policies that dropped packets, the kernel's own drop
// reasons; then written as the summary text and as `--json`.
//
// Counting a packet indexes small arrays (origins, fates, hooks, verdicts) and, only for
// packets a rule dropped or the kernel refused, a map: no text is built per packet.

#include <array>
#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <tuple>

#include <nlohmann/json.hpp>

#include "fwbench/capture_analysis.hpp"
#include "fwbench/engine_state.hpp"
#include "fwbench/host.hpp"
#include "fwbench/ruleset.hpp"

namespace fwbench {

class PcapTally {
public:
    void add(const AnalyzedPacket& p);

    std::uint64_t packets() const { return packets_; }
    std::uint64_t processed() const { return processed_; }
    std::uint64_t of_origin(CaptureOrigin o) const { return by_origin_[static_cast<std::size_t>(o)]; }
    // Packets whose outcome rests on the checksum-offload assumption (PathResult::checksum_assumed).
    std::uint64_t checksum_assumed() const { return checksum_assumed_; }
    double ns_per_packet() const;
    double rules_evaluated_per_packet() const;

    // The JSON members for what was counted (origins, verdicts, fates, drop_reasons,
    // dropped_by_rule, hooks), added to `j`. `rs6`: a dual-stack run's ip6tables ruleset (`rs`
    // then the iptables one); its rules are named "ip6tables ...".
    void add_json(nlohmann::ordered_json& j, const Ruleset& rs, const Ruleset* rs6 = nullptr) const;
    // The summary's lines for them, and the hints for drops the host description decided.
    void write_text(std::ostream& os, const Ruleset& rs, const Host& host, const Ruleset* rs6 = nullptr) const;

private:
    static constexpr std::size_t origins = 7, fates = fate_count, hooks = 5, verdicts = 9;
    std::uint64_t packets_ = 0, processed_ = 0, path_ns_ = 0, evaluated_ = 0, checksum_assumed_ = 0;
    std::array<std::uint64_t, origins> by_origin_{};
    std::array<std::array<std::uint64_t, fates>, origins> fates_{};
    // Per hook and origin: packets that traversed it, and those dropped or rejected there.
    std::array<std::array<std::uint64_t, origins>, hooks> traversed_{}, dropped_at_hook_{};
    std::array<std::uint64_t, verdicts> verdicts_{};
    std::map<std::string, std::uint64_t> reasons_;  // kernel drops and unprocessed records
    // (family: 0 IPv4, 1 IPv6; table, chain, rule or -1)
    std::map<std::tuple<int, std::size_t, int, int>, std::uint64_t> dropped_by_rule_;
    std::string describe_drop(const std::tuple<int, std::size_t, int, int>& where, const Ruleset& rs, const Ruleset* rs6) const;
};

}  // namespace fwbench
