// captoken-server: the gRPC token service.
//
//   captoken-server                     the development account on
//                                       127.0.0.1:50051
//   captoken-server --config=PATH       a captoken.v1.ServerConfig (text)
//
// SIGTERM or SIGINT drains and exits 0; SIGHUP (or a change to the config or
// a secret file) reloads accounts, auth tokens, API keys and caller
// policies. See
// docs/server.md.

#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "prometheus/exposer.h"
#include "service/config/account_keys.h"
#include "service/config/file_watcher.h"
#include "service/config/server_config.h"
#include "service/config/tls_files.h"
#include "service/mint/token_minter.h"
#include "service/observe/log.h"
#include "service/observe/log_routing.h"
#include "service/observe/metrics.h"
#include "service/process/allocator.h"
#include "service/process/command_line.h"
#include "service/rpc/token_server.h"
#include "service/token/api_key.h"
#include "service/token/status_macros.h"

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

struct Loaded {
  config::ServerSettings settings;
  std::shared_ptr<const mint::ServingState> state;
  bool development = false;
};

// Where each secret sits in the config, for the secret-age metric (never
// the account SID or the source).
std::vector<std::string> SecretNames(const Loaded& loaded) {
  if (loaded.development) {
    return {"development_account", "development_api_key"};
  }
  std::vector<std::string> names;
  for (size_t i = 0; i < loaded.settings.accounts.size(); ++i) {
    const config::AccountSettings& account = loaded.settings.accounts[i];
    names.push_back(absl::StrCat("accounts[", i, "].auth_token"));
    if (account.secondary_auth_token.has_value()) {
      names.push_back(absl::StrCat("accounts[", i, "].secondary_auth_token"));
    }
    for (size_t j = 0; j < account.api_keys.size(); ++j) {
      names.push_back(
          absl::StrCat("accounts[", i, "].api_keys[", j, "].secret"));
    }
  }
  return names;
}

// The files whose change should trigger a reload: the config itself and
// every secret file it names.
std::vector<std::string> WatchedFiles(const std::string& config_path,
                                      const config::ServerSettings& settings) {
  std::vector<std::string> files = {config_path};
  for (const config::AccountSettings& account : settings.accounts) {
    if (account.auth_token.has_file()) {
      files.push_back(account.auth_token.file());
    }
    if (account.secondary_auth_token.has_value() &&
        account.secondary_auth_token->has_file()) {
      files.push_back(account.secondary_auth_token->file());
    }
    for (const config::ApiKeySettings& key : account.api_keys) {
      if (key.secret.has_file()) files.push_back(key.secret.file());
    }
  }
  return files;
}

absl::StatusOr<Loaded> LoadConfiguration(const std::string& config_path) {
  Loaded loaded;
  if (config_path.empty()) {
    loaded.development = true;
    loaded.settings = config::DevelopmentSettings();
    CAPTOKEN_ASSIGN_OR_RETURN(
        token::HmacSha256Key key,
        token::HmacSha256Key::Create(config::kDevelopmentAuthToken));
    CAPTOKEN_ASSIGN_OR_RETURN(
        token::ApiKey api_key,
        token::ApiKey::Create(config::kDevelopmentApiKeySid,
                              config::kDevelopmentApiKeySecret));
    std::vector<config::AccountKeys::Account> accounts;
    config::AccountKeys::Account& account =
        accounts.emplace_back(config::AccountKeys::Account{
            std::string(config::kDevelopmentAccountSid), std::move(key),
            /*verify_only=*/false});
    account.api_keys.push_back({std::move(api_key), /*verify_only=*/false});
    loaded.state = std::make_shared<mint::ServingState>(mint::ServingState{
        config::AccountKeys::FromAccounts(std::move(accounts)),
        loaded.settings.callers});
  } else {
    CAPTOKEN_ASSIGN_OR_RETURN(v1::ServerConfig config,
                              config::ReadServerConfigFile(config_path));
    CAPTOKEN_ASSIGN_OR_RETURN(loaded.settings,
                              config::ServerSettingsFromConfig(config));
    CAPTOKEN_ASSIGN_OR_RETURN(
        std::shared_ptr<const config::AccountKeys> accounts,
        config::AccountKeys::Load(loaded.settings.accounts));
    loaded.state = std::make_shared<mint::ServingState>(
        mint::ServingState{std::move(accounts), loaded.settings.callers});
  }
  const std::string listen = absl::GetFlag(FLAGS_listen);
  if (!listen.empty()) {
    if (!config::IsLoopbackAddress(listen) &&
        !loaded.settings.behind_mesh_sidecar) {
      return absl::InvalidArgumentError(
          "--listen: not a loopback address; plaintext is only served on "
          "loopback unless the config declares a mesh sidecar");
    }
    loaded.settings.listen_address = listen;
  }
  return loaded;
}

void PrintDevelopmentBanner(int port) {
  std::cerr << absl::StrCat(
      "\n  DEVELOPMENT MODE: serving the built-in development account on "
      "127.0.0.1:",
      port, " only.\n", "  Account SID ", config::kDevelopmentAccountSid,
      ", auth token \"", config::kDevelopmentAuthToken, "\";\n",
      "  development API key ", config::kDevelopmentApiKeySid, ", secret \"",
      config::kDevelopmentApiKeySecret,
      "\"\n  (both public: never a real account or key).\n",
      "  Mint a token from another terminal:\n\n",
      "    ./dev captoken mint capability --server=127.0.0.1:", port,
      " \\\n      --request='{\"account_sid\":\"",
      config::kDevelopmentAccountSid,
      "\",\"scopes\":[{\"client_incoming\":{\"client_name\":\"alice\"}}]}'"
      "\n\n",
      "  or an Access Token (a TaskRouter token: `mint taskrouter`):\n\n",
      "    ./dev captoken mint access --server=127.0.0.1:", port,
      " \\\n      --request='{\"account_sid\":\"",
      config::kDevelopmentAccountSid,
      "\",\"identity\":\"alice\",\"grants\":[{\"video\":{}}]}'"
      "\n\n");
}

// Reloads the accounts, their auth tokens and the caller policies from the
// config file. Settings that need a restart (the listen address, TLS files'
// paths, limits) are not reapplied.
void Reload(const std::string& config_path, mint::TokenMinter* minter,
            config::FileWatcher* watcher, observe::ServerMetrics* metrics,
            observe::Logger* logger) {
  if (config_path.empty()) {
    logger->Write(observe::LogLine(observe::LogLevel::kInfo, "reload_skipped")
                      .Add("reason", "development mode has no config"));
    return;
  }
  absl::StatusOr<Loaded> loaded = LoadConfiguration(config_path);
  metrics->RecordReload(loaded.ok());
  if (!loaded.ok()) {
    logger->Write(observe::LogLine(observe::LogLevel::kError, "reload_failed")
                      .Add("reason", loaded.status().message())
                      .Add("kept", "the previous accounts"));
    return;
  }
  if (loaded->settings.tls.has_value()) {
    // gRPC re-reads the TLS files itself; say so when what it will find
    // does not load.
    if (absl::Status tls = config::CheckTlsFiles(*loaded->settings.tls);
        !tls.ok()) {
      logger->Write(
          observe::LogLine(observe::LogLevel::kError, "tls_files_unusable")
              .Add("reason", tls.message()));
    }
  }
  const int64_t count = static_cast<int64_t>(loaded->state->accounts->size());
  metrics->SetSecretsLoaded(SecretNames(*loaded), absl::Now());
  minter->SetState(std::move(loaded->state));
  if (watcher != nullptr) {
    watcher->SetFiles(WatchedFiles(config_path, loaded->settings));
  }
  logger->Write(observe::LogLine(observe::LogLevel::kInfo, "reloaded")
                    .Add("accounts", count));
}

// Reloader runs reloads on a thread of its own, so the signal loop is never
// held up by one: a secret file on a hung mount, or anything else a reload
// waits on, cannot keep SIGTERM from draining the server. Requests that
// arrive while a reload runs are folded into one more reload after it.
class Reloader {
 public:
  explicit Reloader(std::function<void()> reload)
      : reload_(std::move(reload)), thread_([this] { Loop(); }) {}

  Reloader(const Reloader&) = delete;
  Reloader& operator=(const Reloader&) = delete;

  // Waits up to `timeout` for a reload in progress, then lets the thread go:
  // the process is about to exit, and a reload stuck in a read must not
  // hold that up either.
  ~Reloader() { Stop(absl::Seconds(1)); }

  // Request asks for a reload, without waiting for it.
  void Request() {
    absl::MutexLock lock(&mutex_);
    pending_ = true;
  }

  // Stop returns false if a reload was still running after `timeout` (the
  // thread is then let go, still inside the reload).
  bool Stop(absl::Duration timeout) {
    {
      absl::MutexLock lock(&mutex_);
      if (!thread_.joinable()) return true;
      stopping_ = true;
      auto idle = [this]()
                      ABSL_SHARED_LOCKS_REQUIRED(mutex_) { return !running_; };
      mutex_.AwaitWithTimeout(absl::Condition(&idle), timeout);
      if (running_) {
        thread_.detach();
        return false;
      }
    }
    thread_.join();
    return true;
  }

 private:
  void Loop() {
    while (true) {
      {
        absl::MutexLock lock(&mutex_);
        auto wake = [this]() ABSL_SHARED_LOCKS_REQUIRED(mutex_) {
          return pending_ || stopping_;
        };
        mutex_.Await(absl::Condition(&wake));
        if (stopping_) return;
        pending_ = false;
        running_ = true;
      }
      reload_();
      absl::MutexLock lock(&mutex_);
      running_ = false;
    }
  }

  const std::function<void()> reload_;
  absl::Mutex mutex_;
  bool pending_ ABSL_GUARDED_BY(mutex_) = false;
  bool running_ ABSL_GUARDED_BY(mutex_) = false;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

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
  observe::Logger logger(*level, /*fd=*/2, static_cast<size_t>(queue_lines));
  // From here on, libprotobuf's and gRPC's own lines are JSON lines too.
  observe::LibraryLogRoute library_logs(&logger);
  const std::string config_path = absl::GetFlag(FLAGS_config);
  absl::StatusOr<Loaded> loaded = LoadConfiguration(config_path);
  if (loaded.ok() && loaded->settings.tls.has_value()) {
    // A certificate or key that does not load would otherwise be found by
    // every client's failed handshake, on a server that looks healthy.
    if (absl::Status tls = config::CheckTlsFiles(*loaded->settings.tls);
        !tls.ok()) {
      loaded = tls;
    }
  }
  if (!loaded.ok()) {
    logger.Write(observe::LogLine(observe::LogLevel::kError, "startup_failed")
                     .Add("reason", loaded.status().message()));
    return 1;
  }

  mint::TokenMinter::Options options;
  options.default_profile = loaded->settings.default_profile;
  options.signing_limits = loaded->settings.signing_limits;
  options.max_verify_token_bytes = loaded->settings.max_verify_token_bytes;
  options.max_batch_requests = loaded->settings.max_batch_requests;
  const int64_t account_count =
      static_cast<int64_t>(loaded->state->accounts->size());
  // Moved, not copied: the minter must hold the only reference, so that a
  // reload releases (and wipes) these keys once no call uses them.
  mint::TokenMinter minter(options, std::move(loaded->state));

  if (!loaded->development) {
    // A production process holds real secrets: no core dumps, and no
    // ptrace attach from other processes of the same user.
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    const rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
  }

  observe::ServerMetrics metrics;
  metrics.SetSecretsLoaded(SecretNames(*loaded), absl::Now());
  std::unique_ptr<prometheus::Exposer> exposer;
  int metrics_port = 0;
  if (const std::string address = absl::GetFlag(FLAGS_metrics_listen);
      !address.empty()) {
    try {
      exposer = std::make_unique<prometheus::Exposer>(address, 1);
    } catch (const std::exception&) {
      logger.Write(observe::LogLine(observe::LogLevel::kError, "startup_failed")
                       .Add("reason",
                            absl::StrCat("cannot serve metrics on ", address)));
      return 1;
    }
    for (const auto& collectable : metrics.collectables()) {
      exposer->RegisterCollectable(collectable);
    }
    const std::vector<int> ports = exposer->GetListeningPorts();
    metrics_port = ports.empty() ? 0 : ports.front();
  }

  loaded->settings.max_connection_age = absl::GetFlag(FLAGS_max_connection_age);
  loaded->settings.audit.drop_when_full = audit_mode == "drop";
  loaded->settings.audit.wait =
      std::max(absl::ZeroDuration(), absl::GetFlag(FLAGS_audit_wait));
  rpc::ConfigureServingProcess();
  absl::StatusOr<std::unique_ptr<rpc::TokenServer>> server =
      rpc::TokenServer::Start(loaded->settings, &minter, &logger, &metrics);
  if (!server.ok()) {
    logger.Write(observe::LogLine(observe::LogLevel::kError, "startup_failed")
                     .Add("reason", server.status().message()));
    return 1;
  }
  // The banner comes first: whoever waits for the `listening` line (a
  // test, a script) then sees the whole of it.
  if (loaded->development) PrintDevelopmentBanner((*server)->port());
  logger.Write(observe::LogLine(observe::LogLevel::kInfo, "listening")
                   .Add("address", loaded->settings.listen_address)
                   .Add("port", static_cast<int64_t>((*server)->port()))
                   .Add("accounts", account_count)
                   .Add("tls", loaded->settings.tls.has_value())
                   .Add("caller_policies", !loaded->settings.callers->open())
                   .Add("metrics_port", static_cast<int64_t>(metrics_port))
                   .Add("development", loaded->development));
  logger.Flush();

  // Memory freed after a burst goes back to the system within a second
  // (allocator.h says why TCMalloc would keep it).
  process::FreeMemoryReleaser releaser(absl::Seconds(1));

  // A change to the config or a secret file reloads, as SIGHUP does.
  std::unique_ptr<config::FileWatcher> watcher;
  if (!loaded->development &&
      loaded->settings.secret_watch_interval > absl::ZeroDuration()) {
    watcher = std::make_unique<config::FileWatcher>(
        loaded->settings.secret_watch_interval, [] { kill(getpid(), SIGHUP); });
    watcher->SetFiles(WatchedFiles(config_path, loaded->settings));
  }

  Reloader reloader(
      [&] { Reload(config_path, &minter, watcher.get(), &metrics, &logger); });
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  while (true) {
    int signal_number = 0;
    if (sigwait(&signals, &signal_number) != 0) continue;
    if (signal_number == SIGHUP) {
      reloader.Request();
      continue;
    }
    logger.Write(
        observe::LogLine(observe::LogLevel::kInfo, "draining")
            .Add("signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"));
    (*server)->Drain(absl::GetFlag(FLAGS_drain_grace),
                     absl::GetFlag(FLAGS_drain_timeout));
    const bool reload_finished = reloader.Stop(absl::Seconds(1));
    logger.Write(observe::LogLine(observe::LogLevel::kInfo, "stopped"));
    logger.Flush();
    // A reload stuck in a read still uses the minter and the watcher:
    // leave without destroying them under it.
    if (!reload_finished) std::_Exit(0);
    return 0;
  }
}

}  // namespace
}  // namespace captoken

int main(int argc, char** argv) {
  // Block the signals we handle before any thread starts, so that every
  // thread inherits the mask and sigwait() in Run() receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  captoken::process::ParseCommandLineOrHelp(argc, argv, captoken::kUsage);
  return captoken::Run();
}
