#include "service/serve/serving_process.h"

#include <signal.h>

#include <algorithm>
#include <exception>
#include <utility>
#include <vector>

#include "absl/memory/memory.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "service/config/tls_files.h"
#include "service/serve/account_changes.h"
#include "service/serve/config_reload.h"
#include "service/serve/development_banner.h"
#include "service/serve/directory_report.h"
#include "service/serve/loaded_config.h"
#include "service/serve/tls_refresh.h"
#include "service/token/status_macros.h"

namespace captoken::serve {

absl::StatusOr<std::unique_ptr<ServingProcess>> ServingProcess::Create(
    ServingOptions options, observe::Logger* logger) {
  // Made first: the account directories it keeps, and its metrics, are
  // those the first load fills in.
  auto process =
      absl::WrapUnique(new ServingProcess(std::move(options), logger));
  if (!process->options_.config_path.empty()) {
    // A few milliseconds: a burst of writes (a secrets sync writing an
    // account's files one by one) is one refresh, and a change is still
    // applied long before anyone could notice.
    absl::StatusOr<std::unique_ptr<config::AccountNotifier>> notifier =
        config::AccountNotifier::Create(absl::Milliseconds(5));
    if (notifier.ok()) {
      process->notifier_ = *std::move(notifier);
    } else {
      logger->Write(
          observe::LogLine(observe::LogLevel::kWarning,
                           "account_notification_unavailable")
              .Add("reason", notifier.status().message())
              .Add("effect",
                   "changes to account directories are found by full scans "
                   "only (SIGHUP, or secret_watch_interval's polling)"));
    }
  }
  CAPTOKEN_ASSIGN_OR_RETURN(
      LoadedConfig loaded,
      LoadConfig(
          process->options_.config_path, process->options_.listen_override,
          &process->directories_,
          [&](const config::AccountDirectorySettings& directory,
              const config::AccountDirectory::Refreshed& refreshed) {
            ReportDirectoryRefresh(directory, refreshed, logger,
                                   &process->metrics_);
          },
          process->notifier_.get()));
  if (process->notifier_ != nullptr &&
      loaded.settings.account_directories.empty()) {
    process->notifier_.reset();  // Nothing to watch.
  }
  if (loaded.settings.tls.has_value()) {
    CAPTOKEN_ASSIGN_OR_RETURN(config::TlsFileContents tls_files,
                              config::LoadTlsFiles(*loaded.settings.tls));
    CAPTOKEN_ASSIGN_OR_RETURN(process->tls_mirror_,
                              TlsMirror::Create(tls_files));
  }
  process->development_ = loaded.development;
  process->account_count_ =
      static_cast<int64_t>(loaded.state->accounts->size());
  process->metrics_.SetSecretsLoaded(SecretNames(loaded), absl::Now());

  mint::TokenMinter::Options minter_options;
  minter_options.default_profile = loaded.settings.default_profile;
  minter_options.signing_limits = loaded.settings.signing_limits;
  minter_options.max_verify_token_bytes =
      loaded.settings.max_verify_token_bytes;
  minter_options.max_batch_requests = loaded.settings.max_batch_requests;
  // Moved, not copied: the minter must hold the only reference, so that a
  // reload releases (and wipes) these keys once no call uses them.
  process->minter_ = std::make_unique<mint::TokenMinter>(
      minter_options, std::move(loaded.state));

  process->settings_ = std::move(loaded.settings);
  const ServingOptions& flags = process->options_;
  process->settings_.max_connection_age = flags.max_connection_age;
  process->settings_.audit = flags.audit;
  process->settings_.audit.wait =
      std::max(absl::ZeroDuration(), flags.audit.wait);

  if (!flags.metrics_listen.empty()) {
    // prometheus-cpp reports an address it cannot serve by throwing.
    try {
      process->exposer_ =
          std::make_unique<prometheus::Exposer>(flags.metrics_listen, 1);
    } catch (const std::exception&) {
      return absl::UnavailableError(
          absl::StrCat("cannot serve metrics on ", flags.metrics_listen));
    }
    for (const auto& collectable : process->metrics_.collectables()) {
      process->exposer_->RegisterCollectable(collectable);
    }
    const std::vector<int> ports = process->exposer_->GetListeningPorts();
    process->metrics_port_ = ports.empty() ? 0 : ports.front();
  }
  return process;
}

ServingProcess::~ServingProcess() {
  // A reload in progress still uses the watcher: let it finish first. The
  // watcher's thread may still ask for one, which a stopped Reloader
  // ignores.
  if (reloader_ != nullptr) reloader_->Stop(absl::InfiniteDuration());
  watcher_.reset();
}

absl::Status ServingProcess::Start() {
  // gRPC serves the mirror's copies of the TLS files, never the configured
  // files themselves: only a set that loaded together reaches a handshake.
  config::ServerSettings served = settings_;
  if (tls_mirror_ != nullptr) {
    served.tls = tls_mirror_->ServedSettings(*settings_.tls);
  }
  CAPTOKEN_ASSIGN_OR_RETURN(
      server_,
      rpc::TokenServer::Start(served, minter_.get(), logger_, &metrics_));
  // The watchers take their baselines before `listening` is logged: a file
  // changed by whoever waited for that line is then a change they see.
  reloader_ =
      std::make_unique<Reloader>([this](Reloader::Kind kind) { Reload(kind); });
  // Changes to account directories are applied as soon as they are seen,
  // whatever secret_watch_interval says.
  if (notifier_ != nullptr) {
    notifier_->Start([this] { reloader_->Request(Reloader::Kind::kNotified); });
  }
  // A change to the config or a secret file reloads, as SIGHUP does.
  if (!development_ && settings_.secret_watch_interval > absl::ZeroDuration()) {
    watcher_ = std::make_unique<config::FileWatcher>(
        settings_.secret_watch_interval, [this] { reloader_->Request(); });
    watcher_->SetFiles(WatchedFiles(options_.config_path, settings_),
                       PolledDirectories(settings_, notifier_.get()));
  }
  if (tls_mirror_ != nullptr) {
    const config::TlsSettings& tls = *settings_.tls;
    tls_watcher_ =
        std::make_unique<config::FileWatcher>(tls.refresh_interval, [this] {
          RefreshTlsFiles(*settings_.tls, tls_mirror_.get(), &metrics_,
                          logger_);
        });
    std::vector<std::string> files = {tls.certificate_file,
                                      tls.private_key_file};
    if (!tls.client_ca_file.empty()) files.push_back(tls.client_ca_file);
    tls_watcher_->SetFiles(std::move(files));
    // A change between Create's load and that baseline is found here.
    RefreshTlsFiles(tls, tls_mirror_.get(), &metrics_, logger_);
  }
  if (development_) *options_.banner << DevelopmentBanner(port()) << std::flush;
  logger_->Write(observe::LogLine(observe::LogLevel::kInfo, "listening")
                     .Add("address", settings_.listen_address)
                     .Add("port", static_cast<int64_t>(port()))
                     .Add("accounts", account_count_)
                     .Add("tls", settings_.tls.has_value())
                     .Add("caller_policies", !settings_.callers->open())
                     .Add("metrics_port", static_cast<int64_t>(metrics_port_))
                     .Add("development", development_));
  logger_->Flush();
  return absl::OkStatus();
}

int ServingProcess::port() const {
  return server_ == nullptr ? 0 : server_->port();
}

void ServingProcess::Reload(Reloader::Kind kind) {
  if (notifier_ != nullptr) {
    config::AccountNotifier::Changes changes = notifier_->TakeChanges();
    if (kind == Reloader::Kind::kNotified && !next_reload_full_) {
      if (changes.empty()) return;
      if (changes.full_scans.empty()) {
        next_reload_full_ = !ApplyAccountChanges(
            {minter_.get(), &directories_, notifier_.get(), &metrics_, logger_},
            changes.accounts);
        return;
      }
      // A change no one account can be named for: the full reload below.
      for (const auto& [path, why] : changes.full_scans) {
        logger_->Write(observe::LogLine(observe::LogLevel::kInfo,
                                        "account_directory_full_scan")
                           .Add("path", path)
                           .Add("reason", why));
      }
    }
    // Otherwise the changes taken are dropped: the full reload below looks
    // at everything after they happened.
  }
  // watcher_ is set before any reload can be asked for (Start), and never
  // changes while reloads run.
  next_reload_full_ = !ReloadConfig(
      {options_.config_path, options_.listen_override, minter_.get(),
       watcher_.get(), &metrics_, logger_, &directories_, notifier_.get()});
}

ServingProcess::Exit ServingProcess::Run(const WaitForSignal& wait_for_signal) {
  while (true) {
    const int signal_number = wait_for_signal();
    if (signal_number == SIGHUP) {
      reloader_->Request();
      continue;
    }
    if (signal_number != SIGTERM && signal_number != SIGINT) continue;
    logger_->Write(
        observe::LogLine(observe::LogLevel::kInfo, "draining")
            .Add("signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"));
    server_->Drain(options_.drain_grace, options_.drain_timeout);
    const bool reload_finished = reloader_->Stop(absl::Seconds(1));
    logger_->Write(observe::LogLine(observe::LogLevel::kInfo, "stopped"));
    logger_->Flush();
    return reload_finished ? Exit::kClean : Exit::kReloadStuck;
  }
}

}  // namespace captoken::serve
