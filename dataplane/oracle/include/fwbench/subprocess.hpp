#pragma once
// Running other programs without a shell.
//
// fwbench starts ip, iptables-restore, ipset, nft and nfacct (the kernel oracle) and reads the
// running host through ip and iptables-save. Inputs travel: a host description from someone else's
// bug report may name an interface `l;id>/tmp/pw`. So every program is started from an argument
// vector — each argument reaches the program as the bytes it holds, whatever they are — and never
// from a command line a shell would read. There is no popen, system or `sh -c` in fwbench
// (tests/source_scan_test.cpp fails the build's tests when one appears; docs/security.md).
//
// How: fork, then in the child only async-signal-safe calls (setns, dup2, execve) on strings
// prepared before the fork; argv[0] is looked up in PATH by the parent. Input is written through a
// socket (not a file named on a command line; MSG_NOSIGNAL, so a program that exits early cannot
// kill fwbench with SIGPIPE) while standard output and error are read, all in one poll loop, so no
// side blocks on a full pipe. A failure's message names the program, its arguments (quoted as a
// shell would need them, for a person to read) and the program's own error text.
//
// A program can be started inside a network namespace given as a file descriptor: the child joins
// it before exec, so the namespace needs no name in /run/netns (netns.hpp).

#include <string>
#include <string_view>
#include <vector>

namespace fwbench {

struct ProgramRun {
    std::vector<std::string> argv;  // argv[0] is looked up in PATH when it holds no '/'
    std::string input;  // written to the program's standard input, which is then closed
    int netns_fd = -1;  // a network namespace to run it in; -1: this process's
};

struct ProgramResult {
    int exit_status = -1;  // the exit code; 128 + N when signal N ended it
    std::string out, err;
    bool ok() const { return exit_status == 0; }
};

// Runs the program to its end. Throws std::runtime_error only when it cannot be started (not
// found, not executable, the namespace cannot be joined); a program that fails is a result.
ProgramResult run_program(const ProgramRun& run);

// Runs the program and returns its standard output; throws std::runtime_error naming the command,
// its exit status and its standard error when it does not exit with 0.
std::string run_program_checked(const ProgramRun& run);

// A program left running beside this process (a test starts fwbench in a namespace, then feeds
// it): standard input empty, standard output and error written to the files given. The
// destructor kills (SIGKILL) and reaps it if it is still running.
class RunningProgram {
public:
    RunningProgram(const ProgramRun& run, const std::string& out_file, const std::string& err_file);
    ~RunningProgram();
    RunningProgram(const RunningProgram&) = delete;
    RunningProgram& operator=(const RunningProgram&) = delete;

    int pid() const { return pid_; }
    // Whether it is still running (reaps it, keeping its status, when it has ended).
    bool running();
    // Waits up to `seconds` for it to end; kills it with SIGKILL when it has not. Its exit status as
    // in ProgramResult (128 + 9 when it had to be killed).
    int wait(double seconds);
    void kill_now(int signal);

private:
    int pid_ = -1;
    int status_ = -1;  // set once reaped
};

// The command as a person would type it in a POSIX shell: each argument quoted where a shell would
// read it otherwise. For messages and reproduction commands only; fwbench never executes it.
std::string display_command(const std::vector<std::string>& argv);

// Where `name` is found: each PATH directory, then the system directories (/usr/local/sbin,
// /usr/local/bin, /usr/sbin, /usr/bin, /sbin, /bin) for environments whose PATH lacks sbin. As
// root, the system directories only (docs/security.md). A name with a '/' is taken as a path.
// Empty when it is nowhere.
std::string find_program(std::string_view name);

}  // namespace fwbench
