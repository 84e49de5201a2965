#include "service/serve/directory_report.h"

#include <algorithm>
#include <cstdint>

#include "service/config/account_notifier.h"

namespace captoken::serve {

void ReportDirectoryRefresh(
    const config::AccountDirectorySettings& directory,
    const config::AccountDirectory::Refreshed& refreshed,
    observe::Logger* logger, observe::ServerMetrics* metrics,
    int64_t looked_at) {
  metrics->RecordDirectoryRefresh(
      directory.name, refreshed.accounts, refreshed.broken,
      refreshed.files_read, static_cast<int64_t>(refreshed.problems.size()));
  const size_t logged = std::min(refreshed.problems.size(), kMaxProblemLines);
  for (size_t i = 0; i < logged; ++i) {
    const config::AccountDirectory::Problem& problem = refreshed.problems[i];
    logger->Write(
        observe::LogLine(observe::LogLevel::kError, "account_unreadable")
            .Add("directory", directory.name)
            .Add("account_sid", problem.account_sid)
            .Add("reason", problem.message)
            .Add("kept", problem.kept_previous ? "the previous secrets"
                                               : "nothing: not served"));
  }
  observe::LogLine line(observe::LogLevel::kInfo,
                        "account_directory_refreshed");
  line.Add("directory", directory.name)
      .Add("accounts", refreshed.accounts)
      .Add("files_read", refreshed.files_read)
      .Add("added", refreshed.added)
      .Add("changed", refreshed.changed)
      .Add("removed", refreshed.removed)
      .Add("broken", refreshed.broken)
      .Add("ignored", refreshed.ignored)
      .Add("scan", refreshed.full_scan ? "full" : "notified");
  if (!refreshed.full_scan) line.Add("looked_at", looked_at);
  if (refreshed.unwatched >= 0) line.Add("unwatched", refreshed.unwatched);
  if (logged < refreshed.problems.size()) {
    line.Add("problems_not_logged",
             static_cast<int64_t>(refreshed.problems.size() - logged));
  }
  logger->Write(std::move(line));
  if (refreshed.unwatched > 0) {
    logger->Write(
        observe::LogLine(observe::LogLevel::kWarning,
                         "account_directory_watch_limit")
            .Add("directory", directory.name)
            .Add("unwatched", refreshed.unwatched)
            .Add("max_user_watches", config::AccountNotifier::WatchLimit())
            .Add("effect",
                 "the system's limit on inotify watches "
                 "(fs.inotify.max_user_watches) is reached: changes to the "
                 "unwatched accounts are found by full scans only (SIGHUP, "
                 "or secret_watch_interval's polling); raise the limit"));
  }
}

}  // namespace captoken::serve
