// File: account_directory.h
// -----------------------------------------------------------------------------
//
// AccountDirectory keeps the accounts of one account directory (layout in
// account_directory_scan.h) loaded, and brings them up to date on each
// reload by reading only what changed. It remembers, per account, the
// identity of each of its files (file_identity.h) as of the last read; a
// refresh scans the directory (readdir and stat, no read) and then:
//
//   - an account whose files all kept their identities is kept as it is,
//     without reading anything;
//   - an account that is new, or one of whose files changed identity (or
//     appeared, or went away), has all its files read again;
//   - an account whose read fails (a missing or unreadable auth_token, an
//     oversized or empty file, a FIFO, a malformed label) keeps the version
//     it had, or, if it had none, is not served; either way it is reported
//     in Refreshed::problems, once, and counted in Refreshed::broken until one
//     of its files changes again;
//   - an account whose directory is gone is no longer served.
//
// RefreshAccounts does the same for named accounts only, without listing
// the directory: a change notifier (account_notifier.h) names the accounts
// whose files changed, so that a change to one account of a million costs
// that account's look and read, not a million looks.
//
// The accounts are published as an immutable sharded map
// (AccountKeys::AccountMap, sharded_map.h) that a refresh without a change
// returns again as it was, and a refresh with changes copies only the
// shards that hold them: reloads share it, and minting never looks at more
// than the one account it needs.
//
// Secrets are read through service/secrets (non-blocking open, regular
// files only, at most 4 KiB); errors name the account and the path, never
// the content.
//
// Example:
//
//   AccountDirectory directory({"/var/run/secrets/captoken/accounts",
//                               "tenants"});
//   CAPTOKEN_ASSIGN_OR_RETURN(AccountDirectory::Refreshed refreshed,
//                             directory.Refresh());
//   std::shared_ptr<const AccountKeys::AccountMap> accounts =
//       directory.accounts();

#ifndef CAPTOKEN_SERVICE_CONFIG_ACCOUNT_DIRECTORY_H_
#define CAPTOKEN_SERVICE_CONFIG_ACCOUNT_DIRECTORY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "service/config/account_directory_scan.h"
#include "service/config/account_keys.h"
#include "service/config/account_watch.h"
#include "service/config/server_config.h"

namespace captoken::config {

class AccountDirectory {
 public:
  // Problem is one account that could not be read.
  struct Problem {
    std::string account_sid;
    // The error, naming the file; never its content.
    std::string message;
    // True if the account keeps serving its previous version; false if it
    // is new and not served.
    bool kept_previous = false;
  };

  // Refreshed says what one refresh did.
  struct Refreshed {
    // Accounts served from the directory afterwards.
    int64_t accounts = 0;
    // Files read (secrets and labels): those of the accounts that changed.
    int64_t files_read = 0;
    int64_t added = 0;
    int64_t changed = 0;
    int64_t removed = 0;
    // Accounts whose last read failed, found in this refresh or before.
    int64_t broken = 0;
    // Entries that are not accounts (account_directory_scan.h), as of the
    // last full scan.
    int64_t ignored = 0;
    // True for Refresh (the whole directory listed), false for
    // RefreshAccounts (only the named accounts looked at).
    bool full_scan = true;
    // With an AccountWatch: the accounts looked at that could not be
    // watched (the system's limit on watches), whose changes only full
    // scans find. In a full scan, all such accounts; in RefreshAccounts,
    // those of the accounts named. -1 without an AccountWatch.
    int64_t unwatched = -1;
    // The SIDs this refresh added or changed (not the removed ones), for
    // the duplicate check of AccountKeys::WithDirectory.
    std::vector<std::string> updated;
    // The accounts that failed in this refresh (not those still broken
    // from an earlier one, already reported then).
    std::vector<Problem> problems;
  };

  explicit AccountDirectory(AccountDirectorySettings settings);

  AccountDirectory(const AccountDirectory&) = delete;
  AccountDirectory& operator=(const AccountDirectory&) = delete;

  // Refresh scans the directory and reads what changed since the last
  // refresh (everything, the first time). With `watch` (not owned; may be
  // null), the directory and each account are watched before they are
  // looked at.
  //
  // Fails with ScanAccountDirectory's errors (the directory itself missing
  // or unreadable); the accounts are then left as they were.
  absl::StatusOr<Refreshed> Refresh(AccountWatch* watch = nullptr);

  // RefreshAccounts looks at the accounts `account_sids` only (each watched
  // first, with `watch`), as Refresh would have: an account whose files
  // changed is read again, a new one is added, one whose directory is gone
  // is removed. The other accounts are not looked at, and the published
  // map shares them.
  Refreshed RefreshAccounts(const std::vector<std::string>& account_sids,
                            AccountWatch* watch = nullptr);

  // accounts returns the accounts as of the last refresh (none before the
  // first). The same pointer until a refresh changes something.
  std::shared_ptr<const AccountKeys::AccountMap> accounts() const {
    return published_;
  }

  const AccountDirectorySettings& settings() const { return settings_; }

 private:
  // What is remembered of one account entry.
  struct Entry {
    // The version served; null if none could be read yet.
    std::shared_ptr<const AccountKeys::Account> account;
    // The files as of the last read attempt (successful or not), as a
    // 64-bit digest of their identities (FilesDigest): 8 bytes where the
    // identities themselves take about 180, which at a million accounts is
    // most of the difference between the memory target and a miss. Two
    // versions of an account's files are taken for the same only if their
    // digests collide, a chance of one in 2^64 per change.
    uint64_t files = 0;
    // The last read failed.
    bool broken = false;
    // The refresh that last saw it, to find the removed ones.
    uint64_t seen = 0;
  };

  // The digest of what `scanned` found: which files, and their identities.
  static uint64_t FilesDigest(const ScannedAccount& scanned);

  // Brings the entry of `scanned` up to date: reads its files if they
  // changed, recording the outcome in `refresh` and a new version in
  // `updates`.
  void Visit(
      const ScannedAccount& scanned, Refreshed* refresh,
      std::vector<
          std::pair<std::string, std::shared_ptr<const AccountKeys::Account>>>*
          updates);

  // Publishes a new map with `updates` (null: removed) applied, if any.
  void Publish(
      std::vector<
          std::pair<std::string, std::shared_ptr<const AccountKeys::Account>>>
          updates);

  // Reads `scanned`'s files into a new account; counts them in
  // `files_read`.
  absl::StatusOr<std::shared_ptr<const AccountKeys::Account>> Read(
      const ScannedAccount& scanned, int64_t* files_read) const;

  const AccountDirectorySettings settings_;
  const std::shared_ptr<const std::string> name_;
  absl::flat_hash_map<std::string, Entry> entries_;
  uint64_t generation_ = 0;
  // Entries whose last read failed, and entries ignored by the last scan.
  int64_t broken_ = 0;
  int64_t ignored_ = 0;
  std::shared_ptr<const AccountKeys::AccountMap> published_;
};

}  // namespace captoken::config

#endif  // CAPTOKEN_SERVICE_CONFIG_ACCOUNT_DIRECTORY_H_
