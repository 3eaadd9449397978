#include "fwbench/tcpdump_capture.hpp"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <stdexcept>
#include <thread>

namespace fwbench {
namespace {

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::uintmax_t size_of(const std::string& path) {
    std::error_code ec;
    const std::uintmax_t n = std::filesystem::file_size(path, ec);
    return ec ? 0 : n;
}

}  // namespace

TcpdumpCapture::TcpdumpCapture(const NetNamespace& ns, std::string file, std::string filter)
    : file_(std::move(file)), out_(file_ + ".tcpdump-out"), err_(file_ + ".tcpdump-err") {
    if (find_program("tcpdump").empty()) throw std::runtime_error("tcpdump is not installed (scripts/setup.sh installs it)");
    std::vector<std::string> argv = {"tcpdump", "-i", "any", "--immediate-mode", "-B", "32768", "-U", "-nn", "-w", file_};
    if (!filter.empty()) argv.push_back(filter);
    tcpdump_ = std::make_unique<RunningProgram>(ProgramRun{argv, {}, ns.fd()}, out_, err_);
    for (int i = 0; i < 200; ++i) {
        if (read_text(err_).find("listening on") != std::string::npos) return;
        if (!tcpdump_->running()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const std::string said = read_text(err_);
    tcpdump_.reset();
    unlink(out_.c_str());
    unlink(err_.c_str());
    throw std::runtime_error(display_command(argv) + " did not start listening: " + said);
}

TcpdumpCapture::~TcpdumpCapture() {
    tcpdump_.reset();  // kills it when finish() did not
    unlink(out_.c_str());
    unlink(err_.c_str());
}

TcpdumpCapture::Summary TcpdumpCapture::finish() {
    if (!tcpdump_) throw std::logic_error("TcpdumpCapture::finish called twice");
    // Packet-buffered output: the file grows with each packet tcpdump takes from its buffer.
    std::uintmax_t last = size_of(file_);
    for (int quiet_ms = 0, waited_ms = 0; quiet_ms < 300 && waited_ms < 10000; waited_ms += 50) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        const std::uintmax_t now = size_of(file_);
        quiet_ms = now == last ? quiet_ms + 50 : 0;
        last = now;
    }
    tcpdump_->kill_now(SIGINT);
    const int status = tcpdump_->wait(10);
    tcpdump_.reset();
    Summary s;
    s.said = read_text(err_);
    if (status != 0) throw std::runtime_error("tcpdump ended with status " + std::to_string(status) + ": " + s.said);
    std::smatch m;
    static const std::regex captured(R"((\d+) packets? captured)"), dropped(R"((\d+) packets? dropped by kernel)");
    if (!std::regex_search(s.said, m, captured)) throw std::runtime_error("tcpdump did not say how many packets it captured: " + s.said);
    s.captured = std::stoull(m[1]);
    if (!std::regex_search(s.said, m, dropped)) throw std::runtime_error("tcpdump did not say how many packets the kernel dropped: " + s.said);
    s.dropped_by_kernel = std::stoull(m[1]);
    return s;
}

}  // namespace fwbench
