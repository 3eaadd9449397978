// The port dataplane with two workers against the real kernel: the router workload's frames from
// the wire arrive on three ring ports, a receive queue per worker as a NIC's symmetric RSS fills
// them, in lockstep; the same frames are injected into the kernel's router namespace. For every
// arrival, the frames that leave fwbench's ports are the frames that leave the kernel's
// interfaces — the same interfaces, the same datagrams byte for byte — and at the end the two
// workers' counters, summed, are the kernel's rule by rule. Workers own the flows RSS gives them
// and hand NATed replies to their connection's owner (docs/dataplane.md); this is where that is
// checked against the kernel rather than against one worker.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <rte_lcore.h>

#include <algorithm>
#include <iostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "checksum.hpp"
#include "fwbench/capture_analysis.hpp"
#include "fwbench/eal.hpp"
#include "fwbench/kernel_oracle.hpp"
#include "fwbench/packet_codec.hpp"
#include "fwbench/packet_description.hpp"
#include "fwbench/packet_source.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "must_run.hpp"
#include "path_cases.hpp"
#include "require_kernel.hpp"
#include "ring_port.hpp"
#include "router_workload.hpp"

namespace fwbench {
namespace {

// A datagram as compared: from the IP header on, without Ethernet padding (the IP total length
// says where it ends), and without what the kernel draws or leaves to the device in what it
// builds itself. An ICMP error the router sends carries the kernel's IP ID (and the header
// checksum over it); a TCP reset built by REJECT carries only the pseudo-header's sum
// (CHECKSUM_PARTIAL on veth). Those bytes are zeroed — in fwbench's frame only after its own
// checksums are checked whole, so nothing fwbench writes goes unchecked.
std::vector<std::uint8_t> comparable(const std::string& frame, const Host& host, bool ours, std::string& problem) {
    std::vector<std::uint8_t> l3(frame.begin() + std::min<std::size_t>(14, frame.size()), frame.end());
    if (l3.size() < 20) {
        problem = "shorter than an IPv4 header";
        return l3;
    }
    l3.resize(std::min<std::size_t>(l3.size(), static_cast<std::size_t>(l3[2] << 8 | l3[3])));
    const ParsedDatagram d = parse_ipv4(l3.data(), l3.size());
    if (d.error != Malformation::none) {
        problem = "not a whole IPv4 datagram";
        return l3;
    }
    const Packet& p = d.packet;
    const std::size_t ihl = static_cast<std::size_t>(l3[0] & 0x0f) * 4;
    const bool icmp_error = p.proto == proto::icmp && (p.icmp_type == 3 || p.icmp_type == 5 || p.icmp_type == 11 || p.icmp_type == 12);
    if (icmp_error && host.is_local_address(p.src)) {
        if (ours && test::internet_checksum(l3.data(), ihl) != 0) problem = "its IP header checksum is wrong";
        for (std::size_t i : {4, 5, 10, 11}) l3[i] = 0;
    } else if (p.proto == proto::tcp && (p.tcp_flags & 0x04) && l3.size() == ihl + 20) {
        if (ours) {
            std::vector<std::uint8_t> summed(l3.begin() + 12, l3.begin() + 20);  // the pseudo-header
            for (std::uint8_t b : {0, 6, 0, 20}) summed.push_back(b);
            summed.insert(summed.end(), l3.begin() + static_cast<std::ptrdiff_t>(ihl), l3.end());
            if (test::internet_checksum(summed.data(), summed.size()) != 0) problem = "its TCP checksum is wrong";
        }
        l3[ihl + 16] = l3[ihl + 17] = 0;
    }
    return l3;
}

using Left = std::multiset<std::pair<std::string, std::vector<std::uint8_t>>>;  // (interface, datagram)

struct LeftCounts {
    std::uint64_t frames = 0, answers = 0, silent = 0;
};

// Each arrival injected into the kernel as fwbench read it: the frames that leave the kernel's
// interfaces are the frames that left the ports because of it (`ports.left`), the same
// interfaces and datagrams; then the counters, rule by rule.
void expect_kernel_sends_the_same(const Host& host, const Ruleset& rs, const PacketPath& path, const std::vector<test::Arrival>& arrivals,
                                  const test::LockstepRun& ports, LeftCounts& counts) {
    KernelOracleOptions kopt;
    kopt.capture_forwarded = true;
    KernelOracle kernel(host, rs, kopt);
    PathState st(rs, EngineOptions{}, host.sysctl());  // only to give the kernel each packet as fwbench read it
    CaptureAnalysis analysis(path, st, {});
    for (std::size_t i = 0; i < arrivals.size(); ++i) {
        const test::Arrival& a = arrivals[i];
        CaptureRecord rec;
        rec.index = i;
        rec.timestamp_ns = 1'000'000'000ull + i * 1000;
        rec.link_type = linktype::ethernet;
        rec.iface = a.iface;
        rec.direction = Direction::inbound;
        rec.frame = a.frame;
        rec.caplen = rec.origlen = static_cast<std::uint32_t>(a.frame.size());
        const AnalyzedPacket rp = analysis.feed(rec);
        ASSERT_EQ(rp.origin, CaptureOrigin::wire) << "arrival " << i;
        kernel.inject(rp.input, rp.path_origin);
        std::vector<LeftFrame> left = kernel.take_forwarded();
        for (int wait = 0; left.size() < ports.left[i].size() && wait < 50; ++wait) {
            usleep(1000);
            for (auto& f : kernel.take_forwarded()) left.push_back(std::move(f));
        }
        const std::string what = "arrival " + std::to_string(i) + " on " + a.iface + " (" + format_packet_description(rp.input, false) + ")";
        Left from_kernel, from_ports;
        for (const LeftFrame& f : left) {
            std::string problem;
            from_kernel.insert({f.iface, comparable(std::string(f.frame.begin(), f.frame.end()), host, false, problem)});
            ASSERT_TRUE(problem.empty()) << what << ": the kernel's frame out of " << f.iface << ": " << problem;
        }
        for (const test::SentFrame& f : ports.left[i]) {
            std::string problem;
            from_ports.insert({f.iface, comparable(f.frame, host, true, problem)});
            ASSERT_TRUE(problem.empty()) << what << ": fwbench's frame out of " << f.iface << ": " << problem;
        }
        ASSERT_EQ(from_ports.size(), from_kernel.size()) << what << ": frames that left";
        ASSERT_TRUE(from_ports == from_kernel) << what << ": the frames that left differ";
        counts.frames += from_ports.size();
        counts.answers += std::any_of(rp.result.answers.begin(), rp.result.answers.end(), [](const auto& x) { return x.fate == Fate::sent; });
        counts.silent += from_ports.empty();
    }
    usleep(20000);
    EXPECT_TRUE(kernel.take_forwarded().empty()) << "the kernel sent frames after the last arrival";
    const std::vector<CounterDifference> differences = compare_counters(rs, ports.res.counters, kernel.counters());
    for (const CounterDifference& d : differences) ADD_FAILURE() << describe_difference(d);
}

TEST(KernelOraclePorts, TwoWorkersSendWhatTheKernelSends) {
    test::require_kernel();
    if (HasFatalFailure() || IsSkipped()) return;
    ensure_eal();
    if (rte_lcore_count() < 3) FWBENCH_CANNOT_RUN("EAL has " << rte_lcore_count() - 1 << " worker lcore(s); the test needs 2 (one per CPU)");
    const RouterWorkloadOptions wopt = test::lockstep_workload();
    const RouterWorkload workload = make_router_workload(wopt);
    // The kernel oracle turns icmp_ratelimit off (an unpaced replay); the ports would pace their
    // answers by the wall clock, so the host says it is off for both.
    nlohmann::json host_doc = nlohmann::json::parse(workload.host_json);
    host_doc["sysctl"]["net.ipv4.icmp_ratelimit"] = 0;
    const Host host = Host::from_json(host_doc.dump(), "router_workload host");
    const Ruleset rs = parse_ruleset(workload.rules, {});
    const PacketPath path(rs, host);
    const std::vector<test::Arrival> arrivals = test::router_workload_arrivals(wopt);
    ASSERT_GT(arrivals.size(), 2000u);

    MbufPool pool("kp_pool", 4095);
    const test::LockstepRun ports = test::run_in_lockstep(path, arrivals, {"wan1", "lan0", "dmz0"}, 2, pool.get(), "kp");
    ASSERT_EQ(ports.left.size(), arrivals.size());
    LeftCounts counts;
    expect_kernel_sends_the_same(host, rs, path, arrivals, ports, counts);
    if (HasFatalFailure()) return;
    EXPECT_GT(counts.frames, 1500u);
    EXPECT_GT(counts.answers, 5u);
    EXPECT_GT(counts.silent, 100u);
    EXPECT_GT(ports.res.handed_off, 100u) << "replies hashed to the other worker's queue";
    std::cout << arrivals.size() << " arrivals: " << counts.frames << " frames left two workers' ports as they left the kernel (" << counts.answers
              << " arrivals answered, " << counts.silent << " that left nothing, " << ports.res.handed_off
              << " frames handed to their connection's worker)\n";
}

// The segments of a path fixture (named by its first word) through the ports, one worker: they
// leave as the kernel sends them.
void expect_fixture_leaves_as_the_kernel_sends_it(std::string_view first_word, const std::string& tag, std::size_t frames_each = 1) {
    const auto c = std::find_if(test::path_cases.begin(), test::path_cases.end(),
                                [&](const test::PathCase& pc) { return std::string_view(pc.name).starts_with(first_word); });
    ASSERT_NE(c, test::path_cases.end()) << first_word;
    const Host host = Host::from_json(test::path_case_host_json(*c), "router.json");
    const Ruleset rs = parse_ruleset(c->rules, {});
    const PacketPath path(rs, host);
    std::vector<test::Arrival> arrivals;
    for (const std::string t : c->packets) {
        ASSERT_TRUE(t.starts_with("wire ")) << t;
        test::Arrival a;
        a.packet = parse_packet_description(t.substr(5)).packet;
        a.iface = std::string(a.packet.in.view());
        const Interface* itf = host.interface(a.iface);
        ASSERT_TRUE(itf && itf->mac) << a.iface;
        a.frame = ethernet_frame(MacAddr{{0x02, 0xaa, 0, 0, 0, 1}}, *itf->mac, build_ipv4(a.packet));
        arrivals.push_back(std::move(a));
    }
    MbufPool pool(tag + "_pool", 255);
    const test::LockstepRun ports = test::run_in_lockstep(path, arrivals, {"wan1", "lan0"}, 1, pool.get(), tag);
    ASSERT_EQ(ports.left.size(), arrivals.size());
    LeftCounts counts;
    expect_kernel_sends_the_same(host, rs, path, arrivals, ports, counts);
    EXPECT_EQ(counts.frames, arrivals.size() * frames_each);
}

// TCPMSS: the MSS lowered in place, or the option added in front of the others (the datagram 4
// bytes longer, the frame grown); TCPOPTSTRIP: options turned to NOPs; ECN: TCP's flags and the
// IP header's ECN field set. Checksums whole.
TEST(KernelOraclePorts, TcpOptionRewritesLeaveAsTheKernelWritesThem) {
    test::require_kernel();
    if (HasFatalFailure() || IsSkipped()) return;
    ensure_eal();
    expect_fixture_leaves_as_the_kernel_sends_it("TCPMSS:", "kt");
    expect_fixture_leaves_as_the_kernel_sends_it("TCPOPTSTRIP:", "ks");
    expect_fixture_leaves_as_the_kernel_sends_it("ECN:", "ke");
}

// TEE: each arrival leaves twice, forwarded and copied; the copy byte for byte as the kernel
// sends it (the TTL it was copied with, DF set, the header checksum over both).
TEST(KernelOraclePorts, TeeCopiesLeaveAsTheKernelSendsThem) {
    test::require_kernel();
    if (HasFatalFailure() || IsSkipped()) return;
    ensure_eal();
    expect_fixture_leaves_as_the_kernel_sends_it("TEE:", "kc", 2);
}

}  // namespace
}  // namespace fwbench
