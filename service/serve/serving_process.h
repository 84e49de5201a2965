// File: serving_process.h
// -----------------------------------------------------------------------------
//
// ServingProcess is the server from start-up to exit, everything but the
// command line and the process-wide settings (main.cc): it loads the config
// and its secrets, serves metrics, starts the gRPC server, prints the
// development banner, logs `listening`, reloads on SIGHUP or when a
// watched file changes, and on SIGTERM or SIGINT drains and logs `stopped`.
//
// Signals come from a function the caller passes to Run (main.cc's waits in
// sigwait), so that tests can drive the loop without sending real signals.
// Reloads run on a thread of their own (reloader.h): a reload stuck in a
// read never holds up a SIGHUP's successor or the drain.
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(std::unique_ptr<ServingProcess> process,
//                             ServingProcess::Create(options, &logger));
//   CAPTOKEN_RETURN_IF_ERROR(process->Start());
//   if (process->Run(WaitForSignal) == ServingProcess::Exit::kReloadStuck) {
//     std::_Exit(0);  // Destroying it would wait for the reload.
//   }

#ifndef CAPTOKEN_SERVICE_SERVE_SERVING_PROCESS_H_
#define CAPTOKEN_SERVICE_SERVE_SERVING_PROCESS_H_

#include <cstdint>
#include <functional>
#include <iostream>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "prometheus/exposer.h"
#include "service/config/account_directories.h"
#include "service/config/account_notifier.h"
#include "service/config/file_watcher.h"
#include "service/config/server_config.h"
#include "service/mint/token_minter.h"
#include "service/observe/log.h"
#include "service/observe/metrics.h"
#include "service/rpc/token_server.h"
#include "service/serve/reloader.h"
#include "service/serve/tls_mirror.h"

namespace captoken::serve {

// ServingOptions are the command line's say (docs/server.md has each flag).
struct ServingOptions {
  // --config; empty: development mode.
  std::string config_path;
  // --listen; empty: the config's listen_address.
  std::string listen_override;
  // --metrics_listen; empty: no metrics endpoint.
  std::string metrics_listen;
  absl::Duration max_connection_age = absl::Minutes(5);
  config::AuditSettings audit;
  absl::Duration drain_grace = absl::ZeroDuration();
  absl::Duration drain_timeout = absl::Seconds(10);
  // Where the development banner goes: standard error, the terminal of
  // whoever ran `./dev server`. Must outlive Start.
  std::ostream* banner = &std::cerr;
};

// WaitForSignal blocks until the process gets SIGTERM, SIGINT or SIGHUP and
// returns its number. Any other number is ignored.
using WaitForSignal = std::function<int()>;

class ServingProcess {
 public:
  enum class Exit {
    // Drained; nothing runs any more.
    kClean,
    // Drained, but a reload was still running a second later (a read on a
    // hung mount): the caller should exit without destroying the process,
    // whose destructor would wait for that reload.
    kReloadStuck,
  };

  // Create loads the config and every secret, loads the TLS files into the
  // mirror gRPC will serve them from (tls_mirror.h), and serves metrics if
  // asked. `logger` must outlive the process.
  //
  // Fails with LoadConfig's errors, LoadTlsFiles' (a certificate or key
  // that does not load would otherwise be found by every client's failed
  // handshake, on a server that looks healthy), the mirror's, or
  // UNAVAILABLE if the metrics address cannot be served.
  static absl::StatusOr<std::unique_ptr<ServingProcess>> Create(
      ServingOptions options, observe::Logger* logger);

  // Waits for a reload in progress, then stops everything.
  ~ServingProcess();

  ServingProcess(const ServingProcess&) = delete;
  ServingProcess& operator=(const ServingProcess&) = delete;

  // True without a config: the public development account. Such a process
  // holds no real secret (main.cc hardens only the others).
  bool development() const { return development_; }

  // Start listens and serves, prints the development banner (before the
  // `listening` line, so that whoever waits for that line sees all of it),
  // logs `listening`, and starts watching the config, secret and TLS files.
  // Call it once.
  //
  // Fails with UNAVAILABLE if the listen address cannot be bound.
  absl::Status Start();

  // The gRPC port bound, once started; the metrics port (0: none).
  int port() const;
  int metrics_port() const { return metrics_port_; }

  // Run answers signals until SIGTERM or SIGINT: SIGHUP asks for a reload;
  // the others drain the server (--drain_grace, --drain_timeout), stop
  // reloads and log `draining` then `stopped`. Call it once, after Start.
  Exit Run(const WaitForSignal& wait_for_signal);

 private:
  ServingProcess(ServingOptions options, observe::Logger* logger)
      : options_(std::move(options)), logger_(logger) {}

  // What SIGHUP (kFull) or a change notification (kNotified) does, on the
  // reloader's thread.
  void Reload(Reloader::Kind kind);

  const ServingOptions options_;
  observe::Logger* const logger_;
  config::ServerSettings settings_;
  bool development_ = false;
  int64_t account_count_ = 0;
  int metrics_port_ = 0;
  observe::ServerMetrics metrics_;
  // The account directories as of the last load, so that a reload reads
  // only what changed. Used by loads only (Create, then the reloader's
  // thread).
  config::AccountDirectories directories_;
  // Names the accounts that changed, so that applying a change costs that
  // account only (account_changes.h). Null in development mode, or if the
  // system gives no inotify (full scans only, then). Made before the first
  // load, which adds its watches.
  std::unique_ptr<config::AccountNotifier> notifier_;
  // Set when a reload failed: the next one is full, whatever asks for it,
  // since only a full one checks every account against every source.
  bool next_reload_full_ = false;
  std::unique_ptr<mint::TokenMinter> minter_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  // The TLS files gRPC reads, by descriptor: it must outlive server_, or a
  // descriptor number could be reused while gRPC still reads it. Null
  // without TLS.
  std::unique_ptr<TlsMirror> tls_mirror_;
  // Uses minter_, logger_ and metrics_: destroyed before them.
  std::unique_ptr<rpc::TokenServer> server_;
  // Each uses the other (a reload re-targets the watcher; a change asks for
  // a reload): the destructor stops reloads first.
  std::unique_ptr<Reloader> reloader_;
  std::unique_ptr<config::FileWatcher> watcher_;
  // Refreshes tls_mirror_ from the configured TLS files (RefreshTlsFiles):
  // destroyed, and so stopped, first.
  std::unique_ptr<config::FileWatcher> tls_watcher_;
};

}  // namespace captoken::serve

#endif  // CAPTOKEN_SERVICE_SERVE_SERVING_PROCESS_H_
