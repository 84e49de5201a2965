// File: directory_report.h
// -----------------------------------------------------------------------------
//
// ReportDirectoryRefresh tells operators what a refresh of an account
// directory (config/account_directory.h) did, at start-up and on every
// reload: one line per directory,
//
//   {"event":"account_directory_refreshed","directory":"tenants",
//    "accounts":10000,"files_read":1,"added":0,"changed":1,"removed":0,
//    "broken":0,"ignored":0,"scan":"notified","looked_at":1,"unwatched":0}
//
// ("scan" is "full" when the whole directory was listed, "notified" when
// only the accounts a change notification named were looked at, how many
// in "looked_at"; "unwatched", when changes are watched for, counts the
// accounts whose changes only full scans find), a warning when accounts
// could not be watched,
//
//   {"event":"account_directory_watch_limit","directory":"tenants",
//    "unwatched":807460,"max_user_watches":192540,"effect":"..."}
//
// one error line per account that failed to read in this refresh (at most
// kMaxProblemLines; the rest are counted in the line above as
// "problems_not_logged"),
//
//   {"event":"account_unreadable","directory":"tenants",
//    "account_sid":"AC...","reason":"account AC...: auth token: secret file
//    /.../auth_token is larger than 4 KiB","kept":"the previous secrets"}
//
// ("kept":"nothing: not served" for an account that never loaded), and the
// captoken_account_directory_* metrics (metrics.h). The reason names the
// file, never its content.
//
// Example:
//
//   directories.Refresh(settings.account_directories,
//                       [&](const auto& directory, const auto& refreshed) {
//                         ReportDirectoryRefresh(directory, refreshed,
//                                                &logger, &metrics);
//                       });

#ifndef CAPTOKEN_SERVICE_SERVE_DIRECTORY_REPORT_H_
#define CAPTOKEN_SERVICE_SERVE_DIRECTORY_REPORT_H_

#include <cstddef>
#include <cstdint>

#include "service/config/account_directory.h"
#include "service/config/server_config.h"
#include "service/observe/log.h"
#include "service/observe/metrics.h"

namespace captoken::serve {

// A directory whose every account broke at once (a bad mount) would
// otherwise write a million lines.
inline constexpr size_t kMaxProblemLines = 100;

// `looked_at` is the number of accounts a notified refresh was asked to
// look at (ignored for a full scan).
void ReportDirectoryRefresh(
    const config::AccountDirectorySettings& directory,
    const config::AccountDirectory::Refreshed& refreshed,
    observe::Logger* logger, observe::ServerMetrics* metrics,
    int64_t looked_at = 0);

}  // namespace captoken::serve

#endif  // CAPTOKEN_SERVICE_SERVE_DIRECTORY_REPORT_H_
