#include "fwbench/subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "fwbench/names.hpp"

extern char** environ;

namespace fwbench {

namespace {

// A file descriptor closed when it goes out of scope.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }
    int get() const { return fd_; }
    void reset(int fd = -1) {
        if (fd_ >= 0) close(fd_);
        fd_ = fd;
    }

private:
    int fd_ = -1;
};

constexpr const char* system_program_dirs = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

bool executable_file(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

// What the child reports through its status pipe when it cannot exec: the step and errno.
struct ChildFailure {
    int step = 0;  // 1: joining the namespace, 2: exec
    int error = 0;
};

[[noreturn]] void child_fail(int status_fd, int step) {
    ChildFailure f{step, errno};
    ssize_t ignored = write(status_fd, &f, sizeof f);
    (void)ignored;
    _exit(127);
}

// Between fork and exec: async-signal-safe calls only, on memory prepared by the parent.
// The child dies with the thread that started it (PR_SET_PDEATHSIG): a program running inside
// an oracle namespace when fwbench is killed would otherwise hold that namespace alive.
[[noreturn]] void exec_child(pid_t parent, int netns_fd, int in_fd, int out_fd, int err_fd, int status_fd, const char* path, char* const* argv) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(127);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    if (netns_fd >= 0 && setns(netns_fd, CLONE_NEWNET) != 0) child_fail(status_fd, 1);
    if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0) child_fail(status_fd, 2);
    execve(path, argv, environ);
    child_fail(status_fd, 2);
}

void make_pipe(Fd& read_end, Fd& write_end) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) throw std::runtime_error(std::string("cannot create a pipe: ") + std::strerror(errno));
    read_end.reset(p[0]);
    write_end.reset(p[1]);
}

// Writes `input` to `in`, reads `out` and `err` to their ends, in one loop so that a program
// writing much output before reading all its input cannot block either side.
void exchange(Fd& in, const std::string& input, Fd& out, Fd& err, ProgramResult& r) {
    std::size_t written = 0;
    if (input.empty()) in.reset();
    char buf[65536];
    while (in.get() >= 0 || out.get() >= 0 || err.get() >= 0) {
        pollfd fds[3];
        nfds_t n = 0;
        int idx_in = -1, idx_out = -1, idx_err = -1;
        if (in.get() >= 0) fds[idx_in = static_cast<int>(n++)] = {in.get(), POLLOUT, 0};
        if (out.get() >= 0) fds[idx_out = static_cast<int>(n++)] = {out.get(), POLLIN, 0};
        if (err.get() >= 0) fds[idx_err = static_cast<int>(n++)] = {err.get(), POLLIN, 0};
        if (poll(fds, n, -1) < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
        }
        if (idx_in >= 0 && fds[idx_in].revents) {
            ssize_t k = send(in.get(), input.data() + written, input.size() - written, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (k > 0) written += static_cast<std::size_t>(k);
            // EPIPE: the program stopped reading; what it said about that is in its output.
            if ((k < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) in.reset();
        }
        auto drain = [&](int idx, Fd& fd, std::string& to) {
            if (idx < 0 || !fds[idx].revents) return;
            ssize_t k = read(fd.get(), buf, sizeof buf);
            if (k > 0) to.append(buf, static_cast<std::size_t>(k));
            else if (k == 0 || (errno != EINTR && errno != EAGAIN)) fd.reset();
        };
        drain(idx_out, out, r.out);
        drain(idx_err, err, r.err);
    }
}

std::string argv_display(const ProgramRun& run) { return display_command(run.argv); }

int exit_status_of(int wait_status) { return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status); }

// Starts `run` with `in`, `out` and `err` as its standard input, output and error (the caller
// closes its copies after); returns its pid once exec has succeeded, throws when it could not.
pid_t spawn(const ProgramRun& run, int in, int out, int err) {
    if (run.argv.empty()) throw std::invalid_argument("run_program: no program given");
    const std::string path = find_program(run.argv[0]);
    if (path.empty())
        throw std::runtime_error("cannot run " + argv_display(run) + ": " + quoted_name(run.argv[0]) + " is not installed (not found in PATH)");
    std::vector<char*> argv;
    for (const auto& a : run.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    // Closed on exec: end of file here means the program runs; a ChildFailure means it does not.
    Fd status_read, status_write;
    make_pipe(status_read, status_write);
    const pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("cannot start " + argv_display(run) + ": fork: " + std::strerror(errno));
    if (pid == 0) exec_child(parent, run.netns_fd, in, out, err, status_write.get(), path.c_str(), argv.data());
    status_write.reset();
    ChildFailure failure;
    ssize_t got;
    do got = read(status_read.get(), &failure, sizeof failure);
    while (got < 0 && errno == EINTR);
    if (got == static_cast<ssize_t>(sizeof failure)) {
        waitpid(pid, nullptr, 0);
        throw std::runtime_error("cannot run " + argv_display(run) + ": " +
                                 (failure.step == 1 ? "joining its network namespace failed: " : "exec failed: ") + std::strerror(failure.error));
    }
    return pid;
}

}  // namespace

std::string find_program(std::string_view name) {
    if (name.empty()) return {};
    if (name.find('/') != std::string_view::npos) return executable_file(std::string(name)) ? std::string(name) : std::string();
    // As root, only the system directories, as sudo's secure_path: a directory in PATH that
    // someone else can write to must not decide which `ip` runs with root's rights.
    std::string dirs;
    if (const char* path = std::getenv("PATH"); path && geteuid() != 0) dirs = path;
    dirs += ":" + std::string(system_program_dirs);
    std::size_t pos = 0;
    while (pos <= dirs.size()) {
        std::size_t colon = dirs.find(':', pos);
        if (colon == std::string::npos) colon = dirs.size();
        std::string dir = dirs.substr(pos, colon - pos);
        pos = colon + 1;
        if (dir.empty()) continue;  // an empty PATH entry means the working directory: not searched
        std::string candidate = dir + "/" + std::string(name);
        if (executable_file(candidate)) return candidate;
    }
    return {};
}

std::string display_command(const std::vector<std::string>& argv) {
    std::string out;
    for (const auto& a : argv) {
        if (!out.empty()) out += ' ';
        bool plain = !a.empty();
        for (unsigned char c : a)
            if (!(std::isalnum(c) || std::strchr("@%+=:,./_-", c) != nullptr)) plain = false;
        if (plain) {
            out += a;
            continue;
        }
        bool control = false;
        for (unsigned char c : a) control = control || c < 0x20 || c == 0x7f;
        if (control) {
            // $'...' with escapes: a control byte printed as itself could move the reader's cursor.
            static const char hex[] = "0123456789abcdef";
            out += "$'";
            for (unsigned char c : a) {
                if (c < 0x20 || c == 0x7f || c == '\'' || c == '\\') {
                    out += "\\x";
                    out += hex[c >> 4];
                    out += hex[c & 15];
                } else {
                    out += static_cast<char>(c);
                }
            }
            out += '\'';
            continue;
        }
        out += '\'';
        for (char c : a) {
            if (c == '\'') out += "'\\''";
            else out += c;
        }
        out += '\'';
    }
    return out;
}

ProgramResult run_program(const ProgramRun& run) {
    int in_pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in_pair) != 0)
        throw std::runtime_error(std::string("cannot create a socket pair: ") + std::strerror(errno));
    Fd in_parent(in_pair[0]), in_child(in_pair[1]);
    Fd out_read, out_write, err_read, err_write;
    make_pipe(out_read, out_write);
    make_pipe(err_read, err_write);
    const pid_t pid = spawn(run, in_child.get(), out_write.get(), err_write.get());
    in_child.reset();
    out_write.reset();
    err_write.reset();
    ProgramResult r;
    try {
        exchange(in_parent, run.input, out_read, err_read, r);
    } catch (...) {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
        throw;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) throw std::runtime_error("waitpid: " + std::string(std::strerror(errno)));
    r.exit_status = exit_status_of(status);
    return r;
}

RunningProgram::RunningProgram(const ProgramRun& run, const std::string& out_file, const std::string& err_file) {
    if (!run.input.empty()) throw std::invalid_argument("RunningProgram: standard input is empty by design");
    auto open_out = [](const std::string& file) {
        int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) throw std::runtime_error("cannot write " + file + ": " + std::strerror(errno));
        return fd;
    };
    Fd in(open("/dev/null", O_RDONLY | O_CLOEXEC)), out(open_out(out_file)), err(open_out(err_file));
    pid_ = spawn(run, in.get(), out.get(), err.get());
}

RunningProgram::~RunningProgram() {
    if (running()) {
        ::kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
}

bool RunningProgram::running() {
    if (status_ >= 0) return false;
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == 0) return true;
    status_ = r == pid_ ? exit_status_of(status) : 255;
    return false;
}

int RunningProgram::wait(double seconds) {
    for (double waited = 0; running() && waited < seconds; waited += 0.02) usleep(20000);
    if (running()) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        waitpid(pid_, &status, 0);
        status_ = 128 + SIGKILL;
    }
    return status_;
}

void RunningProgram::kill_now(int signal) {
    if (running()) ::kill(pid_, signal);
}

std::string run_program_checked(const ProgramRun& run) {
    ProgramResult r = run_program(run);
    if (r.ok()) return std::move(r.out);
    std::string why = r.err.empty() ? r.out : r.err;
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    throw std::runtime_error(argv_display(run) + " failed (exit status " + std::to_string(r.exit_status) + ")" + (why.empty() ? "" : ": " + why));
}

}  // namespace fwbench
