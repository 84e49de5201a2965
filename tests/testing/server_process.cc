#include "tests/testing/server_process.h"

#include <signal.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

namespace captoken::testing {
namespace {

absl::Mutex output_mutex;
std::string* all_output ABSL_GUARDED_BY(output_mutex) = new std::string;

void Record(const std::string& output) {
  absl::MutexLock lock(&output_mutex);
  all_output->append(output);
}

// Returns the port from the server's {"event":"listening",...,"port":N} log
// line, or 0 if it has not printed one yet.
int ListeningPort(const std::string& output) {
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    if (line.find("\"event\":\"listening\"") == absl::string_view::npos) {
      continue;
    }
    const size_t at = line.find("\"port\":");
    if (at == absl::string_view::npos) continue;
    absl::string_view digits = line.substr(at + 7);
    digits = digits.substr(0, digits.find_first_not_of("0123456789"));
    int port = 0;
    if (absl::SimpleAtoi(digits, &port)) return port;
  }
  return 0;
}

std::vector<std::string> ServerArgv(const ServerOptions& options) {
  std::vector<std::string> argv = {RunfilePath("service/server")};
  if (!options.config.empty()) {
    const std::string path = TempPath("server.textproto");
    const std::string config =
        absl::StrCat("listen_address: \"127.0.0.1:0\"\n", options.config);
    (void)WriteFile(path, config);
    argv.push_back(absl::StrCat("--config=", path));
  } else {
    argv.push_back("--listen=127.0.0.1:0");
  }
  argv.insert(argv.end(), options.args.begin(), options.args.end());
  return argv;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ServerProcess>> ServerProcess::Start(
    const ServerOptions& options) {
  const absl::Time started = absl::Now();
  absl::StatusOr<std::unique_ptr<ChildProcess>> process =
      ChildProcess::Spawn(ServerArgv(options), options.env);
  if (!process.ok()) return process.status();
  const absl::Time deadline = started + absl::Seconds(10);
  while (absl::Now() < deadline) {
    const int port = ListeningPort((*process)->Output());
    if (port != 0) {
      return std::unique_ptr<ServerProcess>(
          new ServerProcess(*std::move(process), port, absl::Now() - started));
    }
    if (!(*process)->Running()) break;
    absl::SleepFor(absl::Milliseconds(5));
  }
  const std::string output = (*process)->Output();
  Record(output);
  return absl::FailedPreconditionError(
      absl::StrCat("server did not start; it printed:\n", output));
}

ServerProcess::~ServerProcess() {
  if (process_->Running()) {
    process_->Signal(SIGTERM);
    (void)process_->WaitForExit(absl::Seconds(15));
  }
  Record(process_->Output());
}

std::string ServerProcess::target() const {
  return absl::StrCat("127.0.0.1:", port_);
}

absl::StatusOr<ProcessResult> RunServerExpectingFailure(
    const ServerOptions& options) {
  std::vector<std::string> argv = ServerArgv(options);
  // A server that unexpectedly starts is stopped by the timeout below.
  argv.insert(argv.begin(), {"/usr/bin/timeout", "10"});
  absl::StatusOr<ProcessResult> result = RunProcess(argv, options.env);
  if (result.ok()) Record(result->stdout_text + result->stderr_text);
  return result;
}

std::string AllServerOutput() {
  absl::MutexLock lock(&output_mutex);
  return *all_output;
}

}  // namespace captoken::testing
