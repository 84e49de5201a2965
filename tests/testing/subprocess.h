// File: subprocess.h
// -----------------------------------------------------------------------------
//
// Runs the project's real binaries from end-to-end tests: one-shot commands
// (the `captoken` CLI) and long-running servers. Paths are runfiles of the
// test, so the test target lists the binaries in `data`.
//
// Example:
//
//   ASSERT_OK_AND_ASSIGN(ProcessResult result,
//                        RunProcess({RunfilePath("client/cli/captoken"),
//                                    "decode", token}));
//   EXPECT_EQ(result.exit_code, 0);

#ifndef CAPTOKEN_TESTS_TESTING_SUBPROCESS_H_
#define CAPTOKEN_TESTS_TESTING_SUBPROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace captoken::testing {

using EnvironmentVariables = std::vector<std::pair<std::string, std::string>>;

// Launch forks and execs `argv` (the environment plus `env`) with the given
// file descriptors as its standard streams, and returns its pid. For a test
// that must hold one of them itself, such as a pipe it stops reading.
absl::StatusOr<pid_t> Launch(const std::vector<std::string>& argv,
                             const EnvironmentVariables& env, int stdin_fd,
                             int stdout_fd, int stderr_fd);

// RunfilePath returns the absolute path of `path` (relative to the
// workspace root) in the test's runfiles.
std::string RunfilePath(absl::string_view path);

// TempPath returns a fresh path under the test's temporary directory.
std::string TempPath(absl::string_view name);

// WriteFile replaces `path` with a file holding `contents`, atomically (a
// temporary file renamed over it): a server that re-reads the file while a
// test rewrites it (certificates, secrets, configs) sees the old contents
// or the new, never half of them.
absl::Status WriteFile(const std::string& path, absl::string_view contents);

// ReadFile returns the contents of `path`.
absl::StatusOr<std::string> ReadFile(const std::string& path);

struct ProcessResult {
  int exit_code = -1;
  std::string stdout_text;
  std::string stderr_text;
};

// RunProcess runs `argv` with `env` added to the environment and `input` on
// standard input, waits for it, and returns its exit code and output.
absl::StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                         const EnvironmentVariables& env = {},
                                         absl::string_view input = "");

// ChildProcess is a process running in the background with its standard
// output and error captured to one file. Destroying it kills the process.
class ChildProcess {
 public:
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Spawn(
      const std::vector<std::string>& argv, const EnvironmentVariables& env);
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  // Output returns everything the process has printed so far.
  std::string Output() const;
  void Signal(int signal_number) const;
  // Running reports whether the process has not exited (reaping it if it
  // has).
  bool Running();
  // WaitForExit waits up to `timeout` and returns the exit code (128 +
  // signal number if killed by a signal).
  absl::StatusOr<int> WaitForExit(absl::Duration timeout);

 private:
  ChildProcess(pid_t pid, std::string output_path)
      : pid_(pid), output_path_(std::move(output_path)) {}

  pid_t pid_;
  std::string output_path_;
  bool exited_ = false;
  int exit_code_ = -1;
};

}  // namespace captoken::testing

#endif  // CAPTOKEN_TESTS_TESTING_SUBPROCESS_H_
