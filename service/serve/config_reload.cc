#include "service/serve/config_reload.h"

#include <cstdint>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "service/serve/directory_report.h"
#include "service/serve/loaded_config.h"

namespace captoken::serve {

std::vector<std::string> PolledDirectories(
    const config::ServerSettings& settings,
    const config::AccountNotifier* notifier) {
  std::vector<std::string> polled;
  for (std::string& path : WatchedDirectories(settings)) {
    if (notifier == nullptr || !notifier->Covers(path)) {
      polled.push_back(std::move(path));
    }
  }
  return polled;
}

bool ReloadConfig(const ReloadTargets& targets) {
  observe::Logger& logger = *targets.logger;
  if (targets.config_path.empty()) {
    logger.Write(observe::LogLine(observe::LogLevel::kInfo, "reload_skipped")
                     .Add("reason", "development mode has no config"));
    return true;
  }
  absl::StatusOr<LoadedConfig> loaded = LoadConfig(
      targets.config_path, targets.listen_override, targets.directories,
      [&](const config::AccountDirectorySettings& directory,
          const config::AccountDirectory::Refreshed& refreshed) {
        ReportDirectoryRefresh(directory, refreshed, &logger, targets.metrics);
      },
      targets.notifier);
  targets.metrics->RecordReload(loaded.ok());
  if (!loaded.ok()) {
    logger.Write(observe::LogLine(observe::LogLevel::kError, "reload_failed")
                     .Add("reason", loaded.status().message())
                     .Add("kept", "the previous accounts"));
    return false;
  }
  const int64_t count = static_cast<int64_t>(loaded->state->accounts->size());
  targets.metrics->SetSecretsLoaded(SecretNames(*loaded), absl::Now());
  // Moved, not copied: the minter holds the only reference, so that the
  // next reload releases (and wipes) these keys once no call uses them.
  targets.minter->SetState(std::move(loaded->state));
  if (targets.notifier != nullptr) {
    targets.notifier->KeepOnly(WatchedDirectories(loaded->settings));
  }
  if (targets.watcher != nullptr) {
    targets.watcher->SetFiles(
        WatchedFiles(targets.config_path, loaded->settings),
        PolledDirectories(loaded->settings, targets.notifier));
  }
  logger.Write(observe::LogLine(observe::LogLevel::kInfo, "reloaded")
                   .Add("accounts", count));
  return true;
}

}  // namespace captoken::serve
