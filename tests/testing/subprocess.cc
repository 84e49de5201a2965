#include "tests/testing/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace captoken::testing {
namespace {

std::string EnvOr(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : fallback;
}

int ExitCodeOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

}  // namespace

absl::StatusOr<pid_t> Launch(const std::vector<std::string>& argv,
                             const EnvironmentVariables& env, int stdin_fd,
                             int stdout_fd, int stderr_fd) {
  if (argv.empty()) return absl::InvalidArgumentError("empty argv");
  std::vector<char*> args;
  for (const std::string& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  // The environment is built before fork: between fork and exec a child of
  // a multi-threaded process may only call async-signal-safe functions.
  std::vector<std::string> variables;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const absl::string_view variable(*entry);
    bool overridden = false;
    for (const auto& [name, value] : env) {
      overridden |= variable.substr(0, name.size() + 1) == name + "=";
    }
    if (!overridden) variables.emplace_back(variable);
  }
  for (const auto& [name, value] : env) variables.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (std::string& variable : variables) envp.push_back(variable.data());
  envp.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    // Undo the test's signal mask so the child handles signals normally.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    dup2(stdin_fd, 0);
    dup2(stdout_fd, 1);
    dup2(stderr_fd, 2);
    execve(args[0], args.data(), envp.data());
    _exit(127);
  }
  return pid;
}

std::string RunfilePath(absl::string_view path) {
  return absl::StrCat(EnvOr("TEST_SRCDIR", "."), "/",
                      EnvOr("TEST_WORKSPACE", "captoken"), "/", path);
}

std::string TempPath(absl::string_view name) {
  static std::atomic<int> counter{0};
  return absl::StrCat(EnvOr("TEST_TMPDIR", "/tmp"), "/", getpid(), "-",
                      counter.fetch_add(1), "-", name);
}

absl::Status WriteFile(const std::string& path, absl::string_view contents) {
  const std::string temporary = absl::StrCat(path, ".writing");
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    file.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    file.close();
    if (!file) {
      return absl::InternalError(absl::StrCat("cannot write ", temporary));
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("cannot rename to ", path));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

absl::StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                         const EnvironmentVariables& env,
                                         absl::string_view input) {
  const std::string in_path = TempPath("stdin");
  const std::string out_path = TempPath("stdout");
  const std::string err_path = TempPath("stderr");
  if (absl::Status s = WriteFile(in_path, input); !s.ok()) return s;
  const int in_fd = open(in_path.c_str(), O_RDONLY | O_CLOEXEC);
  const int out_fd =
      open(out_path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  const int err_fd =
      open(err_path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  absl::StatusOr<pid_t> pid = Launch(argv, env, in_fd, out_fd, err_fd);
  close(in_fd);
  close(out_fd);
  close(err_fd);
  if (!pid.ok()) return pid.status();
  int wait_status = 0;
  while (waitpid(*pid, &wait_status, 0) < 0 && errno == EINTR) {
  }
  ProcessResult result;
  result.exit_code = ExitCodeOf(wait_status);
  result.stdout_text = ReadFile(out_path).value_or("");
  result.stderr_text = ReadFile(err_path).value_or("");
  return result;
}

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Spawn(
    const std::vector<std::string>& argv, const EnvironmentVariables& env) {
  const std::string output_path = TempPath("output");
  const int in_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  const int out_fd = open(output_path.c_str(),
                          O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  absl::StatusOr<pid_t> pid = Launch(argv, env, in_fd, out_fd, out_fd);
  close(in_fd);
  close(out_fd);
  if (!pid.ok()) return pid.status();
  return std::unique_ptr<ChildProcess>(new ChildProcess(*pid, output_path));
}

ChildProcess::~ChildProcess() {
  if (Running()) {
    kill(pid_, SIGKILL);
    (void)WaitForExit(absl::Seconds(10));
  }
}

std::string ChildProcess::Output() const {
  return ReadFile(output_path_).value_or("");
}

void ChildProcess::Signal(int signal_number) const {
  if (!exited_) kill(pid_, signal_number);
}

bool ChildProcess::Running() {
  if (exited_) return false;
  int wait_status = 0;
  if (waitpid(pid_, &wait_status, WNOHANG) == pid_) {
    exited_ = true;
    exit_code_ = ExitCodeOf(wait_status);
  }
  return !exited_;
}

absl::StatusOr<int> ChildProcess::WaitForExit(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (Running()) {
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError("process did not exit in time");
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  return exit_code_;
}

}  // namespace captoken::testing
