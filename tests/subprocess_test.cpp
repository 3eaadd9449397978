// Programs started without a shell (subprocess.hpp): each argument arrives as the bytes it holds,
// input and output of any size pass without a deadlock, failures carry the program's own words.
// Running inside a namespace is tested with the kernel (kernel_oracle_test.cpp, KernelNames).

#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "fwbench/subprocess.hpp"

namespace fwbench {
namespace {

ProgramRun program(std::vector<std::string> argv, std::string input = {}) { return {std::move(argv), std::move(input), -1}; }

// A scratch directory as the working directory of the test, so that a payload which did reach a
// shell would leave its canary file here.
struct InScratchDir {
    std::filesystem::path home = std::filesystem::current_path();
    std::filesystem::path dir = std::filesystem::path(testing::TempDir()) / ("fwbench-subprocess-" + std::to_string(getpid()));
    InScratchDir() {
        std::filesystem::create_directories(dir);
        std::filesystem::current_path(dir);
    }
    ~InScratchDir() {
        std::filesystem::current_path(home);
        std::filesystem::remove_all(dir);
    }
};

TEST(Subprocess, ArgumentsArriveAsTheirBytes) {
    InScratchDir scratch;
    const std::vector<std::string> hostile = {"a;touch canary1", "$(touch canary2)", "`touch canary3`", "x y", "", "'\"\\", "a\nb", "*", "-n"};
    std::vector<std::string> argv = {"printf", "%s|"};
    argv.insert(argv.end(), hostile.begin(), hostile.end());
    ProgramResult r = run_program(program(argv));
    ASSERT_TRUE(r.ok()) << r.err;
    std::string expected;
    for (const auto& a : hostile) expected += a + "|";
    EXPECT_EQ(r.out, expected);
    for (const char* canary : {"canary1", "canary2", "canary3"}) EXPECT_FALSE(std::filesystem::exists(canary)) << canary;
}

TEST(Subprocess, LargeInputAndOutputDoNotBlock) {
    std::string big(4 << 20, 'x');  // far above a pipe's 64 KiB
    for (std::size_t i = 0; i < big.size(); i += 4096) big[i] = '\n';
    ProgramResult r = run_program(program({"cat"}, big));
    ASSERT_TRUE(r.ok()) << r.err;
    EXPECT_EQ(r.out, big);
    // A program that stops reading early: no SIGPIPE for fwbench, its own status comes back.
    ProgramResult head = run_program(program({"head", "-c", "10"}, big));
    EXPECT_TRUE(head.ok());
    EXPECT_EQ(head.out, big.substr(0, 10));
    EXPECT_TRUE(run_program(program({"true"}, big)).ok());
}

TEST(Subprocess, FailuresCarryTheProgramsWords) {
    ProgramResult r = run_program(program({"ls", "/nonexistent-fwbench-path"}));
    EXPECT_NE(r.exit_status, 0);
    EXPECT_NE(r.err.find("nonexistent-fwbench-path"), std::string::npos) << r.err;
    try {
        run_program_checked(program({"ls", "/nonexistent-fwbench-path"}));
        FAIL() << "a failing program was not reported";
    } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("ls /nonexistent-fwbench-path failed (exit status"), std::string::npos) << what;
        EXPECT_NE(what.find("No such file"), std::string::npos) << what;
    }
    EXPECT_THROW(run_program(program({"fwbench-no-such-program"})), std::runtime_error);
    EXPECT_THROW(run_program(program({})), std::invalid_argument);
}

TEST(Subprocess, RunningProgramsCanBeWaitedForAndKilled) {
    const std::string dir = testing::TempDir();
    RunningProgram quick(program({"true"}), dir + "o", dir + "e");
    EXPECT_EQ(quick.wait(10), 0);
    RunningProgram slow(program({"sleep", "30"}), dir + "o", dir + "e");
    EXPECT_TRUE(slow.running());
    slow.kill_now(SIGKILL);
    EXPECT_EQ(slow.wait(10), 128 + SIGKILL);
    RunningProgram late(program({"sleep", "30"}), dir + "o", dir + "e");
    EXPECT_EQ(late.wait(0.1), 128 + SIGKILL);  // did not end in time: killed
}

TEST(Subprocess, DisplayedCommandsQuoteWhatAShellWouldRead) {
    struct Case {
        std::vector<std::string> argv;
        std::string shown;
    };
    const Case cases[] = {
        {{"ip", "link", "set", "dev", "wan1", "up"}, "ip link set dev wan1 up"},
        {{"ip", "addr", "add", "192.0.2.1/24", "dev", "eth0.10"}, "ip addr add 192.0.2.1/24 dev eth0.10"},
        {{"ip", "link", "set", "dev", "l;id>pw"}, "ip link set dev 'l;id>pw'"},
        {{"x", "it's"}, "x 'it'\\''s'"},
        {{"x", ""}, "x ''"},
        {{"x", "a\nb"}, "x $'a\\x0ab'"},
        {{"x", "\x1b[2J'"}, "x $'\\x1b[2J\\x27'"},
    };
    for (const auto& c : cases) EXPECT_EQ(display_command(c.argv), c.shown);
}

// As root, a directory in PATH does not decide which ip runs: only the system directories count.
TEST(Subprocess, RootIgnoresPathForProgramLookup) {
    const std::filesystem::path dir = std::filesystem::path(testing::TempDir()) / ("fwbench-planted-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "ip") << "";
    std::filesystem::permissions(dir / "ip", std::filesystem::perms::owner_all);
    const char* old = std::getenv("PATH");
    const std::string saved = old ? old : "";
    setenv("PATH", (dir.string() + ":" + saved).c_str(), 1);
    const std::string found = find_program("ip");
    setenv("PATH", saved.c_str(), 1);
    std::filesystem::remove_all(dir);
    if (geteuid() == 0) EXPECT_NE(found, (dir / "ip").string());
    else EXPECT_EQ(found, (dir / "ip").string());
}

TEST(Subprocess, ProgramsAreFoundInPathAndTheSystemDirectories) {
    EXPECT_FALSE(find_program("cat").empty());
    EXPECT_EQ(find_program("fwbench-no-such-program"), "");
    EXPECT_EQ(find_program("/bin/cat"), "/bin/cat");
    EXPECT_EQ(find_program(""), "");
}

}  // namespace
}  // namespace fwbench
