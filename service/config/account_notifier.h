// File: account_notifier.h
// -----------------------------------------------------------------------------
//
// AccountNotifier tells which accounts of account directories
// (account_directory_scan.h) changed, with Linux inotify, so that a change
// to one account of a million is applied by looking at that account alone
// (AccountDirectory::RefreshAccounts), at once, rather than by the next full
// scan. It watches each directory's root (accounts appearing, going, being
// replaced), each account's directory (its files written in place, renamed
// into place, created or deleted) and, when there is one, its api_keys
// directory (added when a refresh finds it, or when the account's watch
// reports it created). A refresh adds the watches as it goes (it is an
// AccountWatch), each before the account is looked at, so no change falls
// between the look and the watch.
//
// What it cannot name one account for, it asks to scan in full: the
// directory's `..data` link swapped (a Kubernetes Secret's update, which
// replaces every file at once), the kernel's event queue overflowing, the
// directory itself moved or deleted. An account it could not watch (the
// system's limit, fs.inotify.max_user_watches, reached) is counted, and
// its changes are found by full scans only (Covers says whether a
// directory has any such account).
//
// Events are batched: the owner is told once a burst has been quiet for
// `debounce` (or has lasted ten times that), and takes the batch with
// TakeChanges.
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(std::unique_ptr<AccountNotifier> notifier,
//                             AccountNotifier::Create(absl::Milliseconds(5)));
//   directory.Refresh(notifier.get());          // watches as it scans
//   notifier->Start([&] { reloader.Request(); });
//   ... on the reloader's thread:
//   AccountNotifier::Changes changes = notifier->TakeChanges();

#ifndef CAPTOKEN_SERVICE_CONFIG_ACCOUNT_NOTIFIER_H_
#define CAPTOKEN_SERVICE_CONFIG_ACCOUNT_NOTIFIER_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "service/config/account_watch.h"

namespace captoken::config {

class AccountNotifier : public AccountWatch {
 public:
  // Changes are what happened since the last TakeChanges.
  struct Changes {
    // The accounts whose entries or files changed, by directory (its path),
    // each once.
    absl::flat_hash_map<std::string, std::vector<std::string>> accounts;
    // The directories to scan in full, each with why.
    absl::flat_hash_map<std::string, std::string> full_scans;

    bool empty() const { return accounts.empty() && full_scans.empty(); }
  };

  // Create makes an inotify instance; nothing is watched yet, and events
  // wait in the kernel until Start.
  //
  // Fails with UNAVAILABLE if the system gives none (no inotify, or the
  // limit on instances reached).
  static absl::StatusOr<std::unique_ptr<AccountNotifier>> Create(
      absl::Duration debounce);

  // Stops the thread and closes the instance (every watch with it).
  ~AccountNotifier() override;

  AccountNotifier(const AccountNotifier&) = delete;
  AccountNotifier& operator=(const AccountNotifier&) = delete;

  // Start reads events on a thread of its own and calls `on_change` there
  // once a batch is ready. Call it once.
  void Start(std::function<void()> on_change);

  // AccountWatch: thread-safe.
  bool WatchDirectory(const std::string& root) override;
  bool WatchAccount(const std::string& root, const std::string& account_path,
                    absl::string_view account_sid) override;
  bool WatchApiKeys(const std::string& root,
                    absl::string_view account_sid) override;

  // KeepOnly stops watching the directories not in `roots` (a reload whose
  // config no longer names them).
  void KeepOnly(const std::vector<std::string>& roots);

  // TakeChanges returns what changed since the last call, and forgets it.
  Changes TakeChanges();

  // Covers says whether every change to `root` is reported: its root is
  // watched, and every account its last full scan (or a notification since)
  // looked at is.
  bool Covers(const std::string& root) const;

  // WatchLimit is the system's limit on watches per user
  // (fs.inotify.max_user_watches), or -1 if it cannot be read.
  static int64_t WatchLimit();

 private:
  enum class Kind : uint8_t { kRoot, kAccount, kApiKeys };
  // What one watch is on: 40 bytes, in place (a million accounts take a
  // million of them).
  struct Target {
    uint32_t root = 0;
    Kind kind = Kind::kRoot;
    std::array<char, 34> sid = {};
  };
  struct Root {
    std::string path;
    int wd = -1;
    // Accounts that could not be watched since the last full scan.
    int64_t unwatched = 0;
  };

  AccountNotifier(int fd, absl::Duration debounce)
      : fd_(fd), debounce_(debounce) {}

  void Run();
  // Handles one event; false if it was nothing to report.
  bool Handle(int wd, uint32_t mask, absl::string_view name)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Watches `root_index`'s account `sid`'s directory.
  bool WatchAccountLocked(uint32_t root_index, absl::string_view sid)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Watches the api_keys directory of an account already watched; true if
  // there is none.
  bool WatchApiKeysLocked(uint32_t root_index, absl::string_view sid)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // The index of `root` in roots_, added if new.
  uint32_t RootIndex(const std::string& root)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  void FullScan(uint32_t root_index, absl::string_view why)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  const int fd_;
  const absl::Duration debounce_;
  std::atomic<bool> stopping_{false};
  std::function<void()> on_change_;
  std::thread thread_;

  mutable absl::Mutex mutex_;
  // Indexed by Target::root; a forgotten directory's slot is left empty.
  std::vector<Root> roots_ ABSL_GUARDED_BY(mutex_);
  absl::flat_hash_map<int, Target> targets_ ABSL_GUARDED_BY(mutex_);
  absl::flat_hash_map<uint32_t, absl::flat_hash_set<std::string>> pending_
      ABSL_GUARDED_BY(mutex_);
  absl::flat_hash_map<uint32_t, std::string> pending_full_
      ABSL_GUARDED_BY(mutex_);
};

}  // namespace captoken::config

#endif  // CAPTOKEN_SERVICE_CONFIG_ACCOUNT_NOTIFIER_H_
