#include "service/config/account_directory.h"

#include <algorithm>
#include <utility>

#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "service/authz/account_set.h"
#include "service/secrets/secret_source.h"
#include "service/token/api_key.h"
#include "service/token/crypto.h"
#include "service/token/secret.h"
#include "service/token/status_macros.h"

namespace captoken::config {
namespace {

// A labels file is not secret, but is read the same safe way, with the
// same bound: no account needs 4 KiB of labels.
constexpr size_t kMaxLabelsFileBytes = 4096;

absl::Status AboutAccount(const absl::Status& status,
                          absl::string_view account_sid,
                          absl::string_view which) {
  return absl::Status(status.code(),
                      absl::StrCat("account ", account_sid, ": ", which, ": ",
                                   status.message()));
}

absl::StatusOr<token::HmacSha256Key> ReadKey(const std::string& path) {
  CAPTOKEN_ASSIGN_OR_RETURN(token::Secret secret,
                            secrets::ReadSecretFromFile(path));
  return token::HmacSha256Key::Create(secret.RevealSecretBytes());
}

// One label per line; blank lines and lines starting with "#" are skipped.
// The error names the line, not its text.
absl::StatusOr<std::vector<std::string>> ParseLabels(absl::string_view text,
                                                     const std::string& path) {
  std::vector<std::string> labels;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    if (!authz::IsAccountLabel(line)) {
      return absl::InvalidArgumentError(
          absl::StrCat("labels file ", path, " line ", line_number,
                       ": not a label (1 to 128 letters, digits, \".\", "
                       "\"_\", \"-\", \":\", \"/\" or \"=\")"));
    }
    labels.emplace_back(line);
  }
  std::sort(labels.begin(), labels.end());
  labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
  return labels;
}

}  // namespace

AccountDirectory::AccountDirectory(AccountDirectorySettings settings)
    : settings_(std::move(settings)),
      name_(std::make_shared<const std::string>(settings_.name)),
      published_(std::make_shared<const AccountKeys::AccountMap>()) {}

uint64_t AccountDirectory::FilesDigest(const ScannedAccount& scanned) {
  return absl::HashOf(scanned.unlistable, scanned.auth_token,
                      scanned.secondary_auth_token, scanned.labels,
                      scanned.api_keys);
}

absl::StatusOr<std::shared_ptr<const AccountKeys::Account>>
AccountDirectory::Read(const ScannedAccount& scanned,
                       int64_t* files_read) const {
  const std::string& sid = scanned.account_sid;
  if (scanned.unlistable) {
    return absl::FailedPreconditionError(absl::StrCat(
        "account ", sid, ": directory ", scanned.path, " cannot be listed"));
  }
  const std::string auth_path = absl::StrCat(scanned.path, "/", kAuthTokenFile);
  if (!scanned.auth_token.has_value()) {
    return absl::NotFoundError(absl::StrCat(
        "account ", sid, ": auth token: ", auth_path, " not found"));
  }
  ++*files_read;
  absl::StatusOr<token::HmacSha256Key> auth_token = ReadKey(auth_path);
  if (!auth_token.ok()) {
    return AboutAccount(auth_token.status(), sid, "auth token");
  }
  auto account = std::make_shared<AccountKeys::Account>(AccountKeys::Account{
      sid, *std::move(auth_token), /*verify_only=*/false, absl::nullopt});
  account->directory = name_;

  if (scanned.secondary_auth_token.has_value()) {
    ++*files_read;
    absl::StatusOr<token::HmacSha256Key> secondary =
        ReadKey(absl::StrCat(scanned.path, "/", kSecondaryAuthTokenFile));
    if (!secondary.ok()) {
      return AboutAccount(secondary.status(), sid, "secondary auth token");
    }
    account->secondary_auth_token.emplace(*std::move(secondary));
  }

  for (const auto& [key_sid, identity] : scanned.api_keys) {
    ++*files_read;
    absl::StatusOr<token::Secret> secret = secrets::ReadSecretFromFile(
        absl::StrCat(scanned.path, "/", kApiKeysDirectory, "/", key_sid));
    absl::StatusOr<token::ApiKey> key =
        secret.ok()
            ? token::ApiKey::Create(key_sid, secret->RevealSecretBytes())
            : absl::StatusOr<token::ApiKey>(secret.status());
    if (!key.ok()) {
      return AboutAccount(key.status(), sid,
                          absl::StrCat("API key ", key_sid, " secret"));
    }
    account->api_keys.push_back({*std::move(key), /*verify_only=*/false});
  }

  // An empty labels file means no labels (the safe reader refuses empty
  // files, since an empty secret is always a mistake).
  if (scanned.labels.has_value() && scanned.labels->size != 0) {
    ++*files_read;
    const std::string labels_path =
        absl::StrCat(scanned.path, "/", kLabelsFile);
    absl::StatusOr<token::Secret> text = secrets::ReadSensitiveFile(
        labels_path, "labels file", kMaxLabelsFileBytes);
    absl::StatusOr<std::vector<std::string>> labels =
        text.ok() ? ParseLabels(text->RevealSecretBytes(), labels_path)
                  : absl::StatusOr<std::vector<std::string>>(text.status());
    if (!labels.ok()) return AboutAccount(labels.status(), sid, "labels");
    account->labels = *std::move(labels);
  }
  return std::shared_ptr<const AccountKeys::Account>(std::move(account));
}

void AccountDirectory::Visit(
    const ScannedAccount& scanned, Refreshed* refresh,
    std::vector<
        std::pair<std::string, std::shared_ptr<const AccountKeys::Account>>>*
        updates) {
  auto [it, inserted] = entries_.try_emplace(scanned.account_sid);
  Entry& entry = it->second;
  entry.seen = generation_;
  const uint64_t files = FilesDigest(scanned);
  if (!inserted && entry.files == files) return;
  absl::StatusOr<std::shared_ptr<const AccountKeys::Account>> account =
      Read(scanned, &refresh->files_read);
  // The identities as scanned, whatever the read gave: a broken file is
  // not read again until it changes.
  entry.files = files;
  if (!account.ok()) {
    if (!entry.broken) ++broken_;
    entry.broken = true;
    refresh->problems.push_back({scanned.account_sid,
                                 std::string(account.status().message()),
                                 entry.account != nullptr});
    return;
  }
  ++(entry.account == nullptr ? refresh->added : refresh->changed);
  if (entry.broken) --broken_;
  entry.broken = false;
  entry.account = *std::move(account);
  refresh->updated.push_back(scanned.account_sid);
  updates->emplace_back(scanned.account_sid, entry.account);
}

void AccountDirectory::Publish(
    std::vector<
        std::pair<std::string, std::shared_ptr<const AccountKeys::Account>>>
        updates) {
  if (updates.empty()) return;
  // Copied, not changed in place: calls in flight still read the old map.
  // Only the shards holding a change are copied (sharded_map.h).
  auto map = std::make_shared<AccountKeys::AccountMap>(*published_);
  for (auto& [sid, account] : updates) {
    if (account != nullptr) {
      map->Put(std::move(account));
    } else {
      map->Erase(sid);
    }
  }
  published_ = std::move(map);
}

absl::StatusOr<AccountDirectory::Refreshed> AccountDirectory::Refresh(
    AccountWatch* watch) {
  ++generation_;
  Refreshed refresh;
  // What to change in the published map: a new version, or null to remove.
  std::vector<
      std::pair<std::string, std::shared_ptr<const AccountKeys::Account>>>
      updates;
  int64_t unwatched = 0;
  if (watch != nullptr && !watch->WatchDirectory(settings_.path)) {
    // Without the directory's own watch, no account's change is reported.
    unwatched = -1;
  }
  // Fails only before visiting anything: nothing is changed then.
  CAPTOKEN_ASSIGN_OR_RETURN(
      ScanCounts counts,
      ScanAccountDirectory(
          settings_.path,
          [&](const std::string& account_path, absl::string_view sid) {
            if (watch != nullptr && unwatched >= 0 &&
                !watch->WatchAccount(settings_.path, account_path, sid)) {
              ++unwatched;
            }
          },
          [&](absl::string_view sid) {
            if (watch != nullptr && unwatched >= 0 &&
                !watch->WatchApiKeys(settings_.path, sid)) {
              ++unwatched;
            }
          },
          [&](const ScannedAccount& scanned) {
            Visit(scanned, &refresh, &updates);
          }));
  ignored_ = counts.ignored;
  refresh.ignored = ignored_;
  if (watch != nullptr) {
    refresh.unwatched = unwatched >= 0 ? unwatched : counts.accounts;
  }

  // The entries this scan did not see are gone.
  int64_t broken = 0;
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->second.seen == generation_) {
      if (it->second.broken) ++broken;
      ++it;
      continue;
    }
    if (it->second.account != nullptr) {
      ++refresh.removed;
      updates.emplace_back(it->first, nullptr);
    }
    entries_.erase(it++);
  }
  broken_ = broken;
  refresh.broken = broken_;
  Publish(std::move(updates));
  refresh.accounts = static_cast<int64_t>(published_->size());
  return refresh;
}

AccountDirectory::Refreshed AccountDirectory::RefreshAccounts(
    const std::vector<std::string>& account_sids, AccountWatch* watch) {
  Refreshed refresh;
  refresh.full_scan = false;
  if (watch != nullptr) refresh.unwatched = 0;
  std::vector<
      std::pair<std::string, std::shared_ptr<const AccountKeys::Account>>>
      updates;
  ScannedAccount scanned;
  int64_t ignored = 0;
  for (const std::string& sid : account_sids) {
    if (watch != nullptr &&
        !watch->WatchAccount(settings_.path,
                             absl::StrCat(settings_.path, "/", sid), sid)) {
      ++refresh.unwatched;
    }
    const bool found =
        ScanOneAccount(settings_.path, sid, &scanned, &ignored,
                       [&](absl::string_view keys_sid) {
                         if (watch != nullptr &&
                             !watch->WatchApiKeys(settings_.path, keys_sid)) {
                           ++refresh.unwatched;
                         }
                       });
    if (found) {
      Visit(scanned, &refresh, &updates);
      continue;
    }
    // Gone (or no longer a directory): no longer served.
    auto it = entries_.find(sid);
    if (it == entries_.end()) continue;
    if (it->second.broken) --broken_;
    if (it->second.account != nullptr) {
      ++refresh.removed;
      updates.emplace_back(sid, nullptr);
    }
    entries_.erase(it);
  }
  refresh.broken = broken_;
  refresh.ignored = ignored_;
  Publish(std::move(updates));
  refresh.accounts = static_cast<int64_t>(published_->size());
  return refresh;
}

}  // namespace captoken::config
