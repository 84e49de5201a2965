#include "service/serve/account_changes.h"

#include <cstdint>
#include <memory>
#include <utility>

#include "absl/status/statusor.h"
#include "service/config/account_keys.h"
#include "service/serve/directory_report.h"

namespace captoken::serve {

bool ApplyAccountChanges(
    const AccountChangeTargets& targets,
    const absl::flat_hash_map<std::string, std::vector<std::string>>&
        accounts) {
  // Held until the new state is published: what it does not replace, the
  // new one shares.
  const std::shared_ptr<const mint::ServingState> state =
      targets.minter->state();
  std::shared_ptr<const config::AccountKeys> keys = state->accounts;
  int64_t looked_at = 0;
  int64_t files_read = 0;
  for (const auto& [path, sids] : accounts) {
    absl::optional<config::AccountDirectories::RefreshedAccounts> refreshed =
        targets.directories->RefreshAccounts(path, sids, targets.watch);
    // A directory the config no longer names: the reload that dropped it
    // already stopped serving it.
    if (!refreshed.has_value()) continue;
    looked_at += static_cast<int64_t>(sids.size());
    files_read += refreshed->refreshed.files_read;
    ReportDirectoryRefresh(*refreshed->settings, refreshed->refreshed,
                           targets.logger, targets.metrics,
                           static_cast<int64_t>(sids.size()));
    // Nothing served changed (a file touched, or an account still broken).
    if (refreshed->refreshed.updated.empty() &&
        refreshed->refreshed.removed == 0) {
      continue;
    }
    absl::StatusOr<std::shared_ptr<const config::AccountKeys>> next =
        config::AccountKeys::WithDirectory(*keys, refreshed->index,
                                           refreshed->accounts,
                                           refreshed->refreshed.updated);
    if (!next.ok()) {
      targets.metrics->RecordReload(false);
      targets.logger->Write(
          observe::LogLine(observe::LogLevel::kError, "reload_failed")
              .Add("reason", next.status().message())
              .Add("kept", "the previous accounts"));
      return false;
    }
    keys = *std::move(next);
  }
  if (keys == state->accounts) return true;  // Nothing of ours changed.
  const int64_t count = static_cast<int64_t>(keys->size());
  targets.minter->SetState(std::make_shared<const mint::ServingState>(
      mint::ServingState{std::move(keys), state->callers}));
  targets.logger->Write(
      observe::LogLine(observe::LogLevel::kInfo, "account_changes_applied")
          .Add("accounts", count)
          .Add("looked_at", looked_at)
          .Add("files_read", files_read));
  return true;
}

}  // namespace captoken::serve
