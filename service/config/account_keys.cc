#include "service/config/account_keys.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "service/secrets/secret_source.h"
#include "service/token/secret.h"

namespace captoken::config {
namespace {

// Prefixes `status` with the account and which secret it is about.
absl::Status AboutSecret(const absl::Status& status,
                         absl::string_view account_sid,
                         absl::string_view which) {
  return absl::Status(status.code(),
                      absl::StrCat("account ", account_sid, ": ", which, ": ",
                                   status.message()));
}

absl::Status Duplicate(absl::string_view account_sid, absl::string_view first,
                       absl::string_view second) {
  return absl::InvalidArgumentError(absl::StrCat(
      "config: account ", account_sid, " is configured more than once: in ",
      first, " and in ", second));
}

absl::StatusOr<token::Secret> ReadSecret(const v1::SecretSource& source) {
  return source.has_env() ? secrets::ReadSecretFromEnv(source.env())
                          : secrets::ReadSecretFromFile(source.file());
}

absl::StatusOr<token::HmacSha256Key> ReadKey(const v1::SecretSource& source,
                                             absl::string_view account_sid,
                                             absl::string_view which) {
  absl::StatusOr<token::Secret> secret = ReadSecret(source);
  absl::StatusOr<token::HmacSha256Key> key =
      secret.ok() ? token::HmacSha256Key::Create(secret->RevealSecretBytes())
                  : absl::StatusOr<token::HmacSha256Key>(secret.status());
  if (!key.ok()) return AboutSecret(key.status(), account_sid, which);
  return key;
}

absl::StatusOr<token::ApiKey> ReadApiKey(const ApiKeySettings& settings,
                                         absl::string_view account_sid) {
  absl::StatusOr<token::Secret> secret = ReadSecret(settings.secret);
  absl::StatusOr<token::ApiKey> key =
      secret.ok()
          ? token::ApiKey::Create(settings.sid, secret->RevealSecretBytes())
          : absl::StatusOr<token::ApiKey>(secret.status());
  if (!key.ok()) {
    return AboutSecret(key.status(), account_sid,
                       absl::StrCat("API key ", settings.sid, " secret"));
  }
  return key;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const AccountKeys>> AccountKeys::Load(
    const std::vector<AccountSettings>& accounts,
    std::vector<DirectoryAccounts> directories) {
  // Duplicates first, before any secret is read: each listed account
  // against each directory, and each pair of directories by looking up the
  // smaller one's accounts in the larger (a million accounts in one
  // directory cost nothing here when it is the only one).
  for (size_t d = 0; d < directories.size(); ++d) {
    const AccountMap& held = *directories[d].accounts;
    for (size_t i = 0; i < accounts.size(); ++i) {
      if (held.contains(accounts[i].account_sid)) {
        return Duplicate(accounts[i].account_sid,
                         absl::StrCat("accounts[", i, "]"),
                         directories[d].source);
      }
    }
    for (size_t e = 0; e < d; ++e) {
      const AccountMap& earlier = *directories[e].accounts;
      const bool earlier_smaller = earlier.size() < held.size();
      const AccountMap& small = earlier_smaller ? earlier : held;
      const AccountMap& large = earlier_smaller ? held : earlier;
      absl::Status duplicate = absl::OkStatus();
      small.ForEach([&](absl::string_view sid, const Account&) {
        if (duplicate.ok() && large.contains(sid)) {
          duplicate =
              Duplicate(sid, directories[e].source, directories[d].source);
        }
      });
      if (!duplicate.ok()) return duplicate;
    }
  }
  std::vector<Account> loaded;
  loaded.reserve(accounts.size());
  for (const AccountSettings& settings : accounts) {
    absl::StatusOr<token::HmacSha256Key> key =
        ReadKey(settings.auth_token, settings.account_sid, "auth token");
    if (!key.ok()) return key.status();
    Account& account =
        loaded.emplace_back(Account{settings.account_sid, *std::move(key),
                                    settings.verify_only, absl::nullopt});
    if (settings.secondary_auth_token.has_value()) {
      absl::StatusOr<token::HmacSha256Key> secondary =
          ReadKey(*settings.secondary_auth_token, settings.account_sid,
                  "secondary auth token");
      if (!secondary.ok()) return secondary.status();
      account.secondary_auth_token.emplace(*std::move(secondary));
    }
    for (const ApiKeySettings& key_settings : settings.api_keys) {
      absl::StatusOr<token::ApiKey> api_key =
          ReadApiKey(key_settings, settings.account_sid);
      if (!api_key.ok()) return api_key.status();
      account.api_keys.push_back(
          {*std::move(api_key), key_settings.verify_only});
    }
  }
  auto keys = std::shared_ptr<AccountKeys>(new AccountKeys(std::move(loaded)));
  keys->directories_ = std::move(directories);
  return std::shared_ptr<const AccountKeys>(std::move(keys));
}

absl::StatusOr<std::shared_ptr<const AccountKeys>> AccountKeys::WithDirectory(
    const AccountKeys& base, size_t index,
    std::shared_ptr<const AccountMap> accounts,
    const std::vector<std::string>& changed) {
  if (index >= base.directories_.size()) {
    return absl::OutOfRangeError("no such account directory");
  }
  const std::string& source = base.directories_[index].source;
  for (const std::string& sid : changed) {
    if (auto it = base.listed_->index.find(sid);
        it != base.listed_->index.end()) {
      return Duplicate(sid, absl::StrCat("accounts[", it->second, "]"), source);
    }
    // In config order, as Load names them: the earlier source first.
    for (size_t d = 0; d < base.directories_.size(); ++d) {
      if (d == index || !base.directories_[d].accounts->contains(sid)) {
        continue;
      }
      const std::string& other = base.directories_[d].source;
      return d < index ? Duplicate(sid, other, source)
                       : Duplicate(sid, source, other);
    }
  }
  std::vector<DirectoryAccounts> directories = base.directories_;
  directories[index].accounts = std::move(accounts);
  return std::shared_ptr<const AccountKeys>(
      new AccountKeys(base.listed_, std::move(directories)));
}

std::shared_ptr<const AccountKeys> AccountKeys::FromAccounts(
    std::vector<Account> accounts) {
  return std::shared_ptr<const AccountKeys>(
      new AccountKeys(std::move(accounts)));
}

AccountKeys::AccountKeys(std::vector<Account> accounts) {
  auto listed = std::make_shared<Listed>();
  listed->accounts = std::move(accounts);
  for (size_t i = 0; i < listed->accounts.size(); ++i) {
    listed->index.emplace(listed->accounts[i].account_sid, i);
  }
  listed_ = std::move(listed);
}

std::vector<const token::HmacSha256Key*>
AccountKeys::Account::VerificationKeys() const {
  std::vector<const token::HmacSha256Key*> keys = {&auth_token};
  if (secondary_auth_token.has_value()) keys.push_back(&*secondary_auth_token);
  return keys;
}

const token::ApiKey* AccountKeys::Account::SigningApiKey(
    absl::string_view sid) const {
  for (const ConfiguredApiKey& configured : api_keys) {
    if (configured.verify_only) continue;
    if (sid.empty() || configured.key.sid() == sid) return &configured.key;
  }
  return nullptr;
}

const token::ApiKey* AccountKeys::Account::VerificationApiKey(
    absl::string_view sid) const {
  for (const ConfiguredApiKey& configured : api_keys) {
    if (configured.key.sid() == sid) return &configured.key;
  }
  return nullptr;
}

authz::AccountTraits AccountKeys::Account::traits() const {
  authz::AccountTraits traits;
  if (directory != nullptr) traits.directory = *directory;
  traits.labels = labels;
  return traits;
}

const AccountKeys::Account* AccountKeys::Find(
    absl::string_view account_sid) const {
  if (auto it = listed_->index.find(account_sid); it != listed_->index.end()) {
    return &listed_->accounts[it->second];
  }
  for (const DirectoryAccounts& directory : directories_) {
    if (const Account* account = directory.accounts->Find(account_sid)) {
      return account;
    }
  }
  return nullptr;
}

size_t AccountKeys::size() const {
  size_t size = listed_->accounts.size();
  for (const DirectoryAccounts& directory : directories_) {
    size += directory.accounts->size();
  }
  return size;
}

}  // namespace captoken::config
