// File: account_watch.h
// -----------------------------------------------------------------------------
//
// AccountWatch is what an account directory's refresh (account_directory.h)
// tells about the directories it is about to look at, so that a change
// notifier (account_notifier.h) can watch each one before it is looked at:
// a change made after that look is then one the notifier reports, and a
// change made before it is one the look sees. Nothing is missed in between.
//
// Example:
//
//   class Recorder : public AccountWatch { ... };
//   Recorder watch;
//   directory.Refresh(&watch);

#ifndef CAPTOKEN_SERVICE_CONFIG_ACCOUNT_WATCH_H_
#define CAPTOKEN_SERVICE_CONFIG_ACCOUNT_WATCH_H_

#include <string>

#include "absl/strings/string_view.h"

namespace captoken::config {

class AccountWatch {
 public:
  virtual ~AccountWatch() = default;

  // WatchDirectory watches the account directory `root` itself (accounts
  // appearing, going, being replaced) before it is listed. False if it
  // cannot be watched: none of its changes will be reported.
  virtual bool WatchDirectory(const std::string& root) = 0;

  // WatchAccount watches the directory of the account `account_sid` of
  // `root`, `account_path`, before its files are looked at. False if that
  // took a watch the system would not give (its limit): changes to the
  // account's files are then found by full scans only.
  virtual bool WatchAccount(const std::string& root,
                            const std::string& account_path,
                            absl::string_view account_sid) = 0;

  // WatchApiKeys watches that account's api_keys directory, once it is
  // known to exist and before it is listed. (Watching it blind, for every
  // account, cost a failed system call each where most accounts have none:
  // about 3 us an account, a tenth of start-up at a million.) A directory
  // created later is reported by the account's own watch. False as for
  // WatchAccount.
  virtual bool WatchApiKeys(const std::string& root,
                            absl::string_view account_sid) = 0;
};

}  // namespace captoken::config

#endif  // CAPTOKEN_SERVICE_CONFIG_ACCOUNT_WATCH_H_
