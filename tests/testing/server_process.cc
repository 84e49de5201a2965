#include "tests/testing/server_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

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

// Returns the number `field` has in the server's {"event":"listening",...}
// log line, or 0 if it has not printed one yet.
int ListeningField(const std::string& output, absl::string_view field) {
  const std::string key = absl::StrCat("\"", field, "\":");
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    if (line.find("\"event\":\"listening\"") == absl::string_view::npos) {
      continue;
    }
    const size_t at = line.find(key);
    if (at == absl::string_view::npos) continue;
    absl::string_view digits = line.substr(at + key.size());
    digits = digits.substr(0, digits.find_first_not_of("0123456789"));
    int value = 0;
    if (absl::SimpleAtoi(digits, &value)) return value;
  }
  return 0;
}

std::vector<std::string> ServerArgv(const ServerOptions& options) {
  std::vector<std::string> argv = {RunfilePath("service/server")};
  if (!options.config.empty()) {
    const std::string path = options.config_path.empty()
                                 ? TempPath("server.textproto")
                                 : options.config_path;
    const std::string config = absl::StrCat(
        "listen_address: \"", options.listen, "\"\n", options.config);
    (void)WriteFile(path, config);
    argv.push_back(absl::StrCat("--config=", path));
  } else {
    argv.push_back(absl::StrCat("--listen=", options.listen));
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
    const std::string output = (*process)->Output();
    const int port = ListeningField(output, "port");
    if (port != 0) {
      return std::unique_ptr<ServerProcess>(new ServerProcess(
          *std::move(process), port, ListeningField(output, "metrics_port"),
          absl::Now() - started));
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

bool ServerProcess::WaitForLogEvent(absl::string_view event, int count,
                                    absl::Duration timeout) const {
  const std::string needle = absl::StrCat("\"event\":\"", event, "\"");
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    const std::string output = Output();
    int seen = 0;
    for (size_t at = output.find(needle); at != std::string::npos;
         at = output.find(needle, at + needle.size())) {
      ++seen;
    }
    if (seen >= count) return true;
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
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

absl::StatusOr<std::string> HttpGet(int port, absl::string_view path) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError("socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) !=
      0) {
    close(fd);
    return absl::UnavailableError(absl::StrCat("cannot connect to ", port));
  }
  const std::string request =
      absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
  if (write(fd, request.data(), request.size()) !=
      static_cast<ssize_t>(request.size())) {
    close(fd);
    return absl::InternalError("write failed");
  }
  std::string response;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof(buffer))) > 0) response.append(buffer, n);
  close(fd);
  const size_t body = response.find("\r\n\r\n");
  if (body == std::string::npos) return absl::InternalError("no HTTP body");
  return response.substr(body + 4);
}

std::string AllServerOutput() {
  absl::MutexLock lock(&output_mutex);
  return *all_output;
}

}  // namespace captoken::testing
