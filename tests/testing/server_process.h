// File: server_process.h
// -----------------------------------------------------------------------------
//
// ServerProcess starts the real server binary (//service:server) as a
// separate process on a free loopback port, with a config written for the
// test, and waits until it logs that it is listening. Everything the server
// prints is kept (Output()) and, when the process object dies, added to
// AllServerOutput() so a suite can check that no secret or token ever
// appeared in any server's output.
//
// Example:
//
//   ASSERT_OK_AND_ASSIGN(
//       std::unique_ptr<ServerProcess> server,
//       ServerProcess::Start({.config = R"(accounts { ... })",
//                             .env = {{"AUTH_TOKEN", secret}}}));
//   auto client = client::TokenClient::Create(server->target());

#ifndef CAPTOKEN_TESTS_TESTING_SERVER_PROCESS_H_
#define CAPTOKEN_TESTS_TESTING_SERVER_PROCESS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "tests/testing/subprocess.h"

namespace captoken::testing {

struct ServerOptions {
  // The captoken.v1.ServerConfig text, without listen_address (the harness
  // adds `listen`). Empty means no --config (development mode).
  std::string config;
  // Where the config is written; empty means a fresh temporary path. A test
  // that rewrites the config (to reload it) names the path here.
  std::string config_path;
  // The address to listen on.
  std::string listen = "127.0.0.1:0";
  // Extra environment variables (auth tokens).
  EnvironmentVariables env;
  // Extra command-line flags.
  std::vector<std::string> args;
};

class ServerProcess {
 public:
  // Start launches the server and waits (up to 10 s) for its "listening"
  // log line. Fails if the server exits first, with its output.
  static absl::StatusOr<std::unique_ptr<ServerProcess>> Start(
      const ServerOptions& options);

  ~ServerProcess();

  int port() const { return port_; }
  // The metrics port, if started with --metrics_listen; 0 otherwise.
  int metrics_port() const { return metrics_port_; }
  // target is "127.0.0.1:<port>".
  std::string target() const;
  // startup_time is from launch to the "listening" line.
  absl::Duration startup_time() const { return startup_time_; }
  ChildProcess& process() { return *process_; }
  std::string Output() const { return process_->Output(); }
  // WaitForLogEvent waits (up to `timeout`) until the server has logged
  // {"event":"<event>"} at least `count` times; false if it has not.
  bool WaitForLogEvent(absl::string_view event, int count = 1,
                       absl::Duration timeout = absl::Seconds(10)) const;

 private:
  ServerProcess(std::unique_ptr<ChildProcess> process, int port,
                int metrics_port, absl::Duration startup_time)
      : process_(std::move(process)),
        port_(port),
        metrics_port_(metrics_port),
        startup_time_(startup_time) {}

  std::unique_ptr<ChildProcess> process_;
  int port_;
  int metrics_port_;
  absl::Duration startup_time_;
};

// RunServerExpectingFailure runs the server with `options` and expects it to
// refuse to start; returns its exit code and output.
absl::StatusOr<ProcessResult> RunServerExpectingFailure(
    const ServerOptions& options);

// HttpGet fetches http://127.0.0.1:<port><path> and returns the body.
absl::StatusOr<std::string> HttpGet(int port, absl::string_view path);

// AllServerOutput returns the output of every ServerProcess (and
// RunServerExpectingFailure) that has finished in this test binary.
std::string AllServerOutput();

}  // namespace captoken::testing

#endif  // CAPTOKEN_TESTS_TESTING_SERVER_PROCESS_H_
