// File: account_directory_scan.h
// -----------------------------------------------------------------------------
//
// ScanAccountDirectory walks a directory of accounts (see
// AccountDirectory in config.proto) with readdir and stat only: it reads no
// file, so it is cheap enough to run on every reload and every watch
// interval, and what it finds (each file's FileIdentity) tells which
// accounts changed since the last scan.
//
//   PATH/ACxxxx/auth_token              required
//   PATH/ACxxxx/secondary_auth_token    optional
//   PATH/ACxxxx/api_keys/SKxxxx         optional, one file per API key
//   PATH/ACxxxx/labels                  optional
//
// Names starting with "." are skipped (a projected Kubernetes Secret keeps
// its versions in `..data` and `..2024_...`); symbolic links are followed
// (the same Secret's `ACxxxx -> ..data/ACxxxx`). Other names, and entries
// that are not directories, are counted as ignored.
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(
//       ScanCounts counts,
//       ScanAccountDirectory(path, [&](const ScannedAccount& account) {
//         ...
//       }));

#ifndef CAPTOKEN_SERVICE_CONFIG_ACCOUNT_DIRECTORY_SCAN_H_
#define CAPTOKEN_SERVICE_CONFIG_ACCOUNT_DIRECTORY_SCAN_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "service/config/file_identity.h"

namespace captoken::config {

// The names of an account's files, relative to its directory.
inline constexpr char kAuthTokenFile[] = "auth_token";
inline constexpr char kSecondaryAuthTokenFile[] = "secondary_auth_token";
inline constexpr char kApiKeysDirectory[] = "api_keys";
inline constexpr char kLabelsFile[] = "labels";

// ScannedAccount is one account entry: which of its files exist, and their
// identities. Valid only during the visit.
struct ScannedAccount {
  std::string account_sid;
  // The account's directory: PATH/ACxxxx.
  std::string path;
  // True when the account's directory (or its api_keys directory) exists
  // but cannot be listed; the files below are then unknown.
  bool unlistable = false;
  absl::optional<FileIdentity> auth_token;
  absl::optional<FileIdentity> secondary_auth_token;
  absl::optional<FileIdentity> labels;
  // By key SID, sorted.
  std::vector<std::pair<std::string, FileIdentity>> api_keys;

  // Same reports whether `other` found the same files with the same
  // identities.
  bool SameFiles(const ScannedAccount& other) const;
};

struct ScanCounts {
  int64_t accounts = 0;
  // Entries that are neither hidden nor accounts (a stray file, a name that
  // is not an account SID), and API key files not named by a key SID.
  int64_t ignored = 0;
};

// ScanAccountDirectory calls `visit` once per account entry of `path`, in
// no particular order.
//
// Fails with NOT_FOUND if `path` does not exist, FAILED_PRECONDITION if it
// is not a directory or cannot be listed (naming the path).
absl::StatusOr<ScanCounts> ScanAccountDirectory(
    const std::string& path,
    absl::FunctionRef<void(const ScannedAccount&)> visit);

// The same, calling `before(account_path, account_sid)` for each account
// entry before any of its files is looked at, and
// `before_api_keys(account_sid)` when the account has an api_keys directory,
// before it is listed: a change notifier (account_notifier.h) watches each
// there, so that a change made after the look is one it reports.
absl::StatusOr<ScanCounts> ScanAccountDirectory(
    const std::string& path,
    absl::FunctionRef<void(const std::string&, absl::string_view)> before,
    absl::FunctionRef<void(absl::string_view)> before_api_keys,
    absl::FunctionRef<void(const ScannedAccount&)> visit);

// ScanOneAccount looks at the one account entry `account_sid` of the
// directory `path`, as ScanAccountDirectory would have: true with
// `account` filled in if it is an account entry; false if there is no such
// entry, or it is not a directory (gone, for the caller). Misnamed API key
// files are counted in `ignored`.
//
// `before_api_keys(account_sid)` is called as ScanAccountDirectory calls it.
bool ScanOneAccount(const std::string& path, absl::string_view account_sid,
                    ScannedAccount* account, int64_t* ignored,
                    absl::FunctionRef<void(absl::string_view)> before_api_keys);

// DigestAccountDirectory summarizes a scan in one number that changes when
// an account appears, disappears, or any of its files changes identity; 0
// when the directory cannot be scanned. For the file watcher, which keeps
// one number per directory rather than one entry per account.
uint64_t DigestAccountDirectory(const std::string& path);

}  // namespace captoken::config

#endif  // CAPTOKEN_SERVICE_CONFIG_ACCOUNT_DIRECTORY_SCAN_H_
