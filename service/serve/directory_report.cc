#include "service/serve/directory_report.h"

#include <algorithm>
#include <cstdint>

namespace captoken::serve {

void ReportDirectoryRefresh(
    const config::AccountDirectorySettings& directory,
    const config::AccountDirectory::Refreshed& refreshed,
    observe::Logger* logger, observe::ServerMetrics* metrics) {
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
      .Add("ignored", refreshed.ignored);
  if (logged < refreshed.problems.size()) {
    line.Add("problems_not_logged",
             static_cast<int64_t>(refreshed.problems.size() - logged));
  }
  logger->Write(std::move(line));
}

}  // namespace captoken::serve
