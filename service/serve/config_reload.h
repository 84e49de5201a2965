// File: config_reload.h
// -----------------------------------------------------------------------------
//
// ReloadConfig is what SIGHUP (or a change to a watched file) does: it reads
// the config again and, if it loads, swaps the minter's accounts, auth
// tokens, API keys and caller policies at once. A config that does not
// load changes nothing: the previous accounts keep serving, and a
// `reload_failed` line says why. Settings that need a restart (the listen
// address, TLS files' paths, limits) are not reapplied; the TLS files'
// contents are refreshed on their own (tls_refresh.h).
//
// Each reload is counted (captoken_secret_reloads_total) and logged:
//   {"event":"reloaded","accounts":2}
//   {"event":"reload_failed","reason":"...","kept":"the previous accounts"}
//   {"event":"reload_skipped","reason":"development mode has no config"}
// and, before those, what each account directory's refresh did (whether or
// not the reload then succeeds: directory_report.h).
//
// Example:
//
//   ReloadConfig({config_path, listen_override, &minter, watcher.get(),
//                 &metrics, &logger, &directories});

#ifndef CAPTOKEN_SERVICE_SERVE_CONFIG_RELOAD_H_
#define CAPTOKEN_SERVICE_SERVE_CONFIG_RELOAD_H_

#include <string>
#include <vector>

#include "service/config/account_directories.h"
#include "service/config/account_notifier.h"
#include "service/config/file_watcher.h"
#include "service/mint/token_minter.h"
#include "service/observe/log.h"
#include "service/observe/metrics.h"

namespace captoken::serve {

// What a reload reads and what it updates; none is owned.
struct ReloadTargets {
  // Empty in development mode, which has nothing to reload.
  std::string config_path;
  // --listen, checked again (LoadConfig).
  std::string listen_override;
  mint::TokenMinter* minter = nullptr;
  // Watches the new set of files after a reload; may be null.
  config::FileWatcher* watcher = nullptr;
  observe::ServerMetrics* metrics = nullptr;
  observe::Logger* logger = nullptr;
  // The account directories as of the last load, so that only what changed
  // is read; may be null (every directory read in full).
  config::AccountDirectories* directories = nullptr;
  // Watches the account directories for changes (account_notifier.h); may
  // be null. After a reload, it watches only the directories the config
  // names, and the polling watcher polls only those it does not cover.
  config::AccountNotifier* notifier = nullptr;
};

// ReloadConfig returns whether the config loaded and is served.
bool ReloadConfig(const ReloadTargets& targets);

// PolledDirectories are the account directories of `settings` that the
// polling watcher must scan: those `notifier` (may be null) does not cover.
std::vector<std::string> PolledDirectories(
    const config::ServerSettings& settings,
    const config::AccountNotifier* notifier);

}  // namespace captoken::serve

#endif  // CAPTOKEN_SERVICE_SERVE_CONFIG_RELOAD_H_
