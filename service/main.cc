// captoken-server: the gRPC token service.
//
//   captoken-server                     the development account on
//                                       127.0.0.1:50051
//   captoken-server --config=PATH       a captoken.v1.ServerConfig (text)
//
// SIGTERM or SIGINT drains and exits 0; SIGHUP (or a change to the config or
// a secret file) reloads accounts, auth tokens, API keys and caller
// policies. See docs/server.md.
//
// This file is the composition root: flags become serve::ServingOptions, and
// serve::ServingProcess (service/serve/) does the serving. What stays here
// is what belongs to the process as a whole: the signal mask and sigwait,
// the logger on standard error, hardening a process that holds real
// secrets, and the allocator's and Abseil's process-wide settings.

#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/observe/log.h"
#include "service/observe/log_routing.h"
#include "service/process/allocator.h"
#include "service/process/command_line.h"
#include "service/rpc/token_server.h"
#include "service/serve/serving_process.h"

ABSL_FLAG(std::string, config, "",
          "path of a captoken.v1.ServerConfig in protobuf text format; "
          "without it the server serves the development account on loopback");
ABSL_FLAG(std::string, listen, "",
          "HOST:PORT to listen on, overriding the config's listen_address");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warning or error");
ABSL_FLAG(absl::Duration, drain_grace, absl::ZeroDuration(),
          "on SIGTERM, keep serving this long after health turns NOT_SERVING");
ABSL_FLAG(absl::Duration, drain_timeout, absl::Seconds(10),
          "on SIGTERM, how long calls in flight may take to finish");
ABSL_FLAG(absl::Duration, max_connection_age, absl::Minutes(5),
          "close each client connection (gracefully, with GOAWAY) after this "
          "long, so clients balancing over DNS re-resolve and find new "
          "replicas; 0 keeps connections forever");
ABSL_FLAG(std::string, audit, "fail_closed",
          "when audit lines cannot be queued (a stalled log reader): "
          "fail_closed withholds the call's tokens (UNAVAILABLE after "
          "--audit_wait); drop returns them and counts the lost lines");
ABSL_FLAG(absl::Duration, audit_wait, absl::Seconds(1),
          "with --audit=fail_closed, how long a call waits for room in the "
          "log queue before it fails with UNAVAILABLE");
ABSL_FLAG(int64_t, log_queue_lines, 100000,
          "log lines held in memory for a slow reader of standard error "
          "(about 300 bytes each)");
ABSL_FLAG(std::string, metrics_listen, "",
          "HOST:PORT to serve Prometheus metrics on at /metrics (plaintext; "
          "no secrets, no caller data); empty: no metrics endpoint");

namespace captoken {
namespace {

constexpr char kUsage[] =
    R"(captoken-server: mints Twilio capability tokens, TaskRouter tokens and
Access Tokens over gRPC.

Usage:
  captoken-server [--config=PATH] [--listen=HOST:PORT] [--log_level=info]
                  [--drain_grace=0s] [--drain_timeout=10s]
                  [--metrics_listen=HOST:PORT] [--max_connection_age=5m]
                  [--audit=fail_closed|drop] [--audit_wait=1s]
                  [--log_queue_lines=100000]

Without --config it serves a development account (AC000...000, auth token
"captoken-development-auth-token", API key SK000...000 with secret
"captoken-development-api-key-secret") on 127.0.0.1:50051 only. With --config it
reads a captoken.v1.ServerConfig in protobuf text format (docs/server.md).

Logs are JSON lines on standard error. A call's tokens are returned only
once its audit lines are queued for writing (--audit=fail_closed): if the
log reader stalls, calls fail with UNAVAILABLE rather than go unaudited.

SIGTERM or SIGINT drain and exit 0; SIGHUP, or a change to the config or a
secret file, reloads the accounts, their auth tokens and the caller
policies.
)";

// The signals the server answers, blocked in every thread (main() blocks
// them before any thread starts, so that every thread inherits the mask) and
// taken by sigwait() in WaitForSignal.
sigset_t HandledSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  return signals;
}

int WaitForSignal() {
  const sigset_t signals = HandledSignals();
  while (true) {
    int signal_number = 0;
    if (sigwait(&signals, &signal_number) == 0) return signal_number;
  }
}

// A production process holds real secrets: no core dumps, and no ptrace
// attach from other processes of the same user.
void ProtectSecrets() {
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  const rlimit no_core = {0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
}

int Run() {
  absl::StatusOr<observe::LogLevel> level =
      observe::ParseLogLevel(absl::GetFlag(FLAGS_log_level));
  if (!level.ok()) {
    std::cerr << "captoken-server: --log_level: " << level.status().message()
              << "\n";
    return 2;
  }
  const std::string audit_mode = absl::GetFlag(FLAGS_audit);
  if (audit_mode != "fail_closed" && audit_mode != "drop") {
    std::cerr << "captoken-server: --audit: fail_closed or drop\n";
    return 2;
  }
  const int64_t queue_lines = absl::GetFlag(FLAGS_log_queue_lines);
  if (queue_lines < 1) {
    std::cerr << "captoken-server: --log_queue_lines: at least 1\n";
    return 2;
  }
  serve::ServingOptions options;
  options.config_path = absl::GetFlag(FLAGS_config);
  options.listen_override = absl::GetFlag(FLAGS_listen);
  options.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  options.max_connection_age = absl::GetFlag(FLAGS_max_connection_age);
  options.audit.drop_when_full = audit_mode == "drop";
  options.audit.wait = absl::GetFlag(FLAGS_audit_wait);
  options.drain_grace = absl::GetFlag(FLAGS_drain_grace);
  options.drain_timeout = absl::GetFlag(FLAGS_drain_timeout);

  observe::Logger logger(*level, /*fd=*/2, static_cast<size_t>(queue_lines));
  // From here on, libprotobuf's and gRPC's own lines are JSON lines too.
  observe::LibraryLogRoute library_logs(&logger);
  auto startup_failed = [&logger](const absl::Status& status) {
    logger.Write(observe::LogLine(observe::LogLevel::kError, "startup_failed")
                     .Add("reason", status.message()));
    return 1;
  };
  absl::StatusOr<std::unique_ptr<serve::ServingProcess>> process =
      serve::ServingProcess::Create(std::move(options), &logger);
  if (!process.ok()) return startup_failed(process.status());
  if (!(*process)->development()) ProtectSecrets();
  rpc::ConfigureServingProcess();
  if (absl::Status started = (*process)->Start(); !started.ok()) {
    return startup_failed(started);
  }
  // Memory freed after a burst goes back to the system within a second
  // (allocator.h says why TCMalloc would keep it).
  process::FreeMemoryReleaser releaser(absl::Seconds(1));
  if ((*process)->Run(WaitForSignal) ==
      serve::ServingProcess::Exit::kReloadStuck) {
    // A reload stuck in a read still uses the minter and the watcher:
    // leave without destroying them under it.
    std::_Exit(0);
  }
  return 0;
}

}  // namespace
}  // namespace captoken

int main(int argc, char** argv) {
  // Block the signals we handle before any thread starts, so that every
  // thread inherits the mask and sigwait() in WaitForSignal() receives them.
  const sigset_t signals = captoken::HandledSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  captoken::process::ParseCommandLineOrHelp(argc, argv, captoken::kUsage);
  return captoken::Run();
}
