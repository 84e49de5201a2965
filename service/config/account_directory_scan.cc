#include "service/config/account_directory_scan.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "service/token/field_validation.h"

namespace captoken::config {
namespace {

// A directory stream that closes itself.
class DirectoryStream {
 public:
  // Takes `fd`, a directory opened for reading; on failure closes it.
  explicit DirectoryStream(int fd) : dir_(fd < 0 ? nullptr : ::fdopendir(fd)) {
    if (fd >= 0 && dir_ == nullptr) ::close(fd);
  }
  ~DirectoryStream() {
    if (dir_ != nullptr) ::closedir(dir_);
  }
  DirectoryStream(const DirectoryStream&) = delete;
  DirectoryStream& operator=(const DirectoryStream&) = delete;

  bool ok() const { return dir_ != nullptr; }
  int fd() const { return ::dirfd(dir_); }
  // The next name that does not start with "." (so neither "." nor ".."
  // nor a Secret's hidden versions), or nullptr at the end.
  const char* Next() {
    while (const dirent* entry = ::readdir(dir_)) {
      if (entry->d_name[0] != '.') return entry->d_name;
    }
    return nullptr;
  }

 private:
  DIR* dir_;
};

constexpr int kDirectoryFlags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;

// The identity of `name` in `dir_fd` (links followed), or nullopt if it
// does not exist. Something that exists but cannot be looked at gets an
// identity of zeros, so that its reading is attempted and reported.
absl::optional<FileIdentity> Look(int dir_fd, const char* name) {
  struct stat info;
  if (::fstatat(dir_fd, name, &info, 0) == 0) return IdentityOf(info);
  if (errno == ENOENT) return absl::nullopt;
  return FileIdentity{};
}

// Fills in the files of the account whose directory is `fd`; counts
// misnamed API key files as ignored. Calls `before_api_keys` between
// opening the api_keys directory and listing it.
void ScanAccount(int fd, ScannedAccount* account, int64_t* ignored,
                 absl::FunctionRef<void(absl::string_view)> before_api_keys) {
  account->auth_token = Look(fd, kAuthTokenFile);
  account->secondary_auth_token = Look(fd, kSecondaryAuthTokenFile);
  account->labels = Look(fd, kLabelsFile);
  const int keys_fd = ::openat(fd, kApiKeysDirectory, kDirectoryFlags);
  if (keys_fd < 0) {
    if (errno != ENOENT) account->unlistable = true;
    return;
  }
  before_api_keys(account->account_sid);
  DirectoryStream keys(keys_fd);
  if (!keys.ok()) {
    account->unlistable = true;
    return;
  }
  while (const char* name = keys.Next()) {
    if (!token::IsSid("SK", name)) {
      ++*ignored;
      continue;
    }
    if (absl::optional<FileIdentity> identity = Look(keys.fd(), name)) {
      account->api_keys.emplace_back(name, *identity);
    }
  }
  std::sort(account->api_keys.begin(), account->api_keys.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
}

enum class Entry { kAccount, kGone, kNotAccount };

// Looks at the entry `name` of the directory `dir_fd` (an account SID) and,
// if it is an account directory, fills in `account` (whose path is set).
Entry OpenAccount(int dir_fd, const char* name, ScannedAccount* account,
                  int64_t* ignored,
                  absl::FunctionRef<void(absl::string_view)> before_api_keys) {
  const int account_fd = ::openat(dir_fd, name, kDirectoryFlags);
  if (account_fd < 0 && errno == ENOTDIR) return Entry::kNotAccount;
  if (account_fd < 0 && errno == ENOENT) return Entry::kGone;
  account->account_sid.assign(name);
  account->unlistable = account_fd < 0;
  account->auth_token.reset();
  account->secondary_auth_token.reset();
  account->labels.reset();
  account->api_keys.clear();
  if (account_fd >= 0) {
    ScanAccount(account_fd, account, ignored, before_api_keys);
    ::close(account_fd);
  }
  return Entry::kAccount;
}

}  // namespace

bool ScannedAccount::SameFiles(const ScannedAccount& other) const {
  return unlistable == other.unlistable && auth_token == other.auth_token &&
         secondary_auth_token == other.secondary_auth_token &&
         labels == other.labels && api_keys == other.api_keys;
}

absl::StatusOr<ScanCounts> ScanAccountDirectory(
    const std::string& path,
    absl::FunctionRef<void(const ScannedAccount&)> visit) {
  return ScanAccountDirectory(
      path, [](const std::string&, absl::string_view) {},
      [](absl::string_view) {}, visit);
}

absl::StatusOr<ScanCounts> ScanAccountDirectory(
    const std::string& path,
    absl::FunctionRef<void(const std::string&, absl::string_view)> before,
    absl::FunctionRef<void(absl::string_view)> before_api_keys,
    absl::FunctionRef<void(const ScannedAccount&)> visit) {
  const int fd = ::open(path.c_str(), kDirectoryFlags);
  if (fd < 0) {
    if (errno == ENOENT) {
      return absl::NotFoundError(
          absl::StrCat("account directory ", path, " not found"));
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "account directory ", path, " is not a directory or not readable"));
  }
  DirectoryStream directory(fd);
  if (!directory.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("account directory ", path, " cannot be listed"));
  }
  ScanCounts counts;
  // One ScannedAccount reused: its strings and vector keep their capacity.
  ScannedAccount account;
  while (const char* name = directory.Next()) {
    if (!token::IsSid("AC", name)) {
      ++counts.ignored;
      continue;
    }
    account.path = absl::StrCat(path, "/", name);
    before(account.path, name);
    switch (OpenAccount(directory.fd(), name, &account, &counts.ignored,
                        before_api_keys)) {
      case Entry::kNotAccount:
        ++counts.ignored;
        continue;
      case Entry::kGone:
        continue;
      case Entry::kAccount:
        break;
    }
    ++counts.accounts;
    visit(account);
  }
  return counts;
}

bool ScanOneAccount(
    const std::string& path, absl::string_view account_sid,
    ScannedAccount* account, int64_t* ignored,
    absl::FunctionRef<void(absl::string_view)> before_api_keys) {
  const int fd = ::open(path.c_str(), kDirectoryFlags);
  if (fd < 0) return false;
  account->path = absl::StrCat(path, "/", account_sid);
  const std::string name(account_sid);
  const Entry entry =
      OpenAccount(fd, name.c_str(), account, ignored, before_api_keys);
  ::close(fd);
  return entry == Entry::kAccount;
}

uint64_t DigestAccountDirectory(const std::string& path) {
  uint64_t digest = 1;
  absl::StatusOr<ScanCounts> counts =
      ScanAccountDirectory(path, [&](const ScannedAccount& account) {
        // A sum, so that the order readdir returns entries in is irrelevant.
        digest += absl::HashOf(account.account_sid, account.unlistable,
                               account.auth_token, account.secondary_auth_token,
                               account.labels, account.api_keys);
      });
  return counts.ok() ? digest : 0;
}

}  // namespace captoken::config
