// File: account_directories.h
// -----------------------------------------------------------------------------
//
// AccountDirectories holds the AccountDirectory of each configured account
// directory from one reload to the next, so that each reload reads only what
// changed (account_directory.h). A directory is known by its path and name:
// one the config no longer names is forgotten (its accounts released and
// their secrets wiped once no call uses them), and one it names anew, or
// renames, is read in full.
//
// Only the reload path uses it (start-up, then the Reloader's one thread):
// it is not thread-safe.
//
// Example:
//
//   AccountDirectories directories;  // lives as long as the server
//   CAPTOKEN_ASSIGN_OR_RETURN(
//       std::vector<AccountKeys::DirectoryAccounts> held,
//       directories.Refresh(settings.account_directories, report));
//   CAPTOKEN_ASSIGN_OR_RETURN(
//       auto keys, AccountKeys::Load(settings.accounts, std::move(held)));

#ifndef CAPTOKEN_SERVICE_CONFIG_ACCOUNT_DIRECTORIES_H_
#define CAPTOKEN_SERVICE_CONFIG_ACCOUNT_DIRECTORIES_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/types/optional.h"
#include "service/config/account_directory.h"
#include "service/config/account_keys.h"
#include "service/config/account_watch.h"
#include "service/config/server_config.h"

namespace captoken::config {

class AccountDirectories {
 public:
  // Told what each directory's refresh did, as it happens (so that broken
  // entries are reported even when the reload they are part of fails).
  using OnRefresh = absl::FunctionRef<void(const AccountDirectorySettings&,
                                           const AccountDirectory::Refreshed&)>;

  // Refresh refreshes each of `directories`, in order, and returns their
  // accounts, each with its source ("account_directories[0] /path") for
  // AccountKeys::Load.
  //
  // Fails with the first directory's error (AccountDirectory::Refresh);
  // the directories are then kept, and none is forgotten.
  //
  // With `watch` (not owned; may be null), each directory and account is
  // watched before it is looked at (account_watch.h).
  absl::StatusOr<std::vector<AccountKeys::DirectoryAccounts>> Refresh(
      const std::vector<AccountDirectorySettings>& directories,
      OnRefresh on_refresh, AccountWatch* watch = nullptr);

  // RefreshedAccounts is what RefreshAccounts did to one directory.
  struct RefreshedAccounts {
    // The directory's place in the last Refresh's `directories`, which is
    // its place in the AccountKeys loaded from them.
    size_t index = 0;
    const AccountDirectorySettings* settings = nullptr;
    AccountDirectory::Refreshed refreshed;
    // Its accounts now.
    std::shared_ptr<const AccountKeys::AccountMap> accounts;
  };

  // RefreshAccounts refreshes the accounts `account_sids` of the directory
  // at `path` only (AccountDirectory::RefreshAccounts), watching each with
  // `watch`. Empty if no directory of the last Refresh has that path.
  absl::optional<RefreshedAccounts> RefreshAccounts(
      const std::string& path, const std::vector<std::string>& account_sids,
      AccountWatch* watch = nullptr);

 private:
  std::vector<std::unique_ptr<AccountDirectory>> directories_;
};

}  // namespace captoken::config

#endif  // CAPTOKEN_SERVICE_CONFIG_ACCOUNT_DIRECTORIES_H_
