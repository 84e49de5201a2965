// File: account_changes.h
// -----------------------------------------------------------------------------
//
// ApplyAccountChanges applies what a change notifier (account_notifier.h)
// reported, without a full reload: each named account is looked at and, if
// its files changed, read again (AccountDirectories::RefreshAccounts); the
// SIDs added or changed are checked against the other sources (listed
// accounts, other directories) alone; and a new serving state is published
// that shares everything else with the one it replaces: the listed
// accounts, the other directories, the unchanged shards of the changed
// directory's table, and the caller policies (whose account sets look at
// each account's directory and labels when a call is made, so a changed
// label applies at once). The config is not read again: a change to it
// waits for SIGHUP or the polling watcher, as before.
//
// Each directory's refresh is reported as a full reload's is
// (directory_report.h, with "scan":"notified"), and the publication by
//
//   {"event":"account_changes_applied","accounts":1000000,"looked_at":1,
//    "files_read":1}
//
// A changed SID found in another source fails it (`reload_failed`, naming
// both places, as a full reload would): nothing is published, and the
// caller should make its next reload a full one, which checks everything.
//
// Example:
//
//   if (!ApplyAccountChanges({&minter, &directories, notifier, &metrics,
//                             &logger}, notifier->TakeChanges().accounts)) {
//     next_reload_is_full = true;
//   }

#ifndef CAPTOKEN_SERVICE_SERVE_ACCOUNT_CHANGES_H_
#define CAPTOKEN_SERVICE_SERVE_ACCOUNT_CHANGES_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "service/config/account_directories.h"
#include "service/config/account_watch.h"
#include "service/mint/token_minter.h"
#include "service/observe/log.h"
#include "service/observe/metrics.h"

namespace captoken::serve {

// What applying changes reads and updates; none is owned.
struct AccountChangeTargets {
  mint::TokenMinter* minter = nullptr;
  // As of the last successful full load.
  config::AccountDirectories* directories = nullptr;
  // Watches the accounts looked at (a new one's api_keys, say); may be null.
  config::AccountWatch* watch = nullptr;
  observe::ServerMetrics* metrics = nullptr;
  observe::Logger* logger = nullptr;
};

// ApplyAccountChanges looks at `accounts` (SIDs by directory path) and
// publishes the result. False if a changed SID is also in another source
// (nothing is published then).
bool ApplyAccountChanges(
    const AccountChangeTargets& targets,
    const absl::flat_hash_map<std::string, std::vector<std::string>>& accounts);

}  // namespace captoken::serve

#endif  // CAPTOKEN_SERVICE_SERVE_ACCOUNT_CHANGES_H_
