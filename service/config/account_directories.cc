#include "service/config/account_directories.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace captoken::config {

absl::StatusOr<std::vector<AccountKeys::DirectoryAccounts>>
AccountDirectories::Refresh(
    const std::vector<AccountDirectorySettings>& directories,
    OnRefresh on_refresh, AccountWatch* watch) {
  std::vector<std::unique_ptr<AccountDirectory>> kept;
  std::vector<AccountKeys::DirectoryAccounts> held;
  for (size_t i = 0; i < directories.size(); ++i) {
    const AccountDirectorySettings& settings = directories[i];
    std::unique_ptr<AccountDirectory> directory;
    for (std::unique_ptr<AccountDirectory>& known : directories_) {
      if (known != nullptr && known->settings().path == settings.path &&
          known->settings().name == settings.name) {
        directory = std::move(known);
        break;
      }
    }
    if (directory == nullptr) {
      directory = std::make_unique<AccountDirectory>(settings);
    }
    absl::StatusOr<AccountDirectory::Refreshed> refreshed =
        directory->Refresh(watch);
    kept.push_back(std::move(directory));
    if (!refreshed.ok()) {
      // Keep every directory, the ones not reached yet included, for the
      // next reload.
      for (std::unique_ptr<AccountDirectory>& known : directories_) {
        if (known != nullptr) kept.push_back(std::move(known));
      }
      directories_ = std::move(kept);
      return absl::Status(refreshed.status().code(),
                          absl::StrCat("config: account_directories[", i,
                                       "]: ", refreshed.status().message()));
    }
    on_refresh(settings, *refreshed);
    held.push_back(
        {absl::StrCat("account_directories[", i, "] ", settings.path),
         kept.back()->accounts()});
  }
  directories_ = std::move(kept);
  return held;
}

absl::optional<AccountDirectories::RefreshedAccounts>
AccountDirectories::RefreshAccounts(
    const std::string& path, const std::vector<std::string>& account_sids,
    AccountWatch* watch) {
  for (size_t i = 0; i < directories_.size(); ++i) {
    AccountDirectory& directory = *directories_[i];
    if (directory.settings().path != path) continue;
    RefreshedAccounts result;
    result.index = i;
    result.settings = &directory.settings();
    result.refreshed = directory.RefreshAccounts(account_sids, watch);
    result.accounts = directory.accounts();
    return result;
  }
  return absl::nullopt;
}

}  // namespace captoken::config
