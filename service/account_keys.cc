#include "service/account_keys.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "service/secrets/secret_source.h"
#include "service/token/secret.h"

namespace captoken::service {
namespace {

absl::StatusOr<token::Secret> ReadSource(const v1::SecretSource& source) {
  return source.has_env() ? secrets::ReadSecretFromEnv(source.env())
                          : secrets::ReadSecretFromFile(source.file());
}

}  // namespace

absl::StatusOr<std::shared_ptr<const AccountKeys>> AccountKeys::Load(
    const std::vector<AccountSettings>& accounts) {
  std::vector<Account> loaded;
  loaded.reserve(accounts.size());
  for (const AccountSettings& settings : accounts) {
    absl::StatusOr<token::Secret> secret = ReadSource(settings.auth_token);
    absl::StatusOr<token::HmacSha256Key> key =
        secret.ok() ? token::HmacSha256Key::Create(secret->RevealSecretBytes())
                    : absl::StatusOr<token::HmacSha256Key>(secret.status());
    if (!key.ok()) {
      return absl::Status(
          key.status().code(),
          absl::StrCat("account ", settings.account_sid,
                       ": auth token: ", key.status().message()));
    }
    loaded.push_back(
        {settings.account_sid, *std::move(key), settings.verify_only});
  }
  return FromAccounts(std::move(loaded));
}

std::shared_ptr<const AccountKeys> AccountKeys::FromAccounts(
    std::vector<Account> accounts) {
  return std::shared_ptr<const AccountKeys>(
      new AccountKeys(std::move(accounts)));
}

AccountKeys::AccountKeys(std::vector<Account> accounts)
    : accounts_(std::move(accounts)) {
  for (size_t i = 0; i < accounts_.size(); ++i) {
    index_.emplace(accounts_[i].account_sid, i);
  }
}

const AccountKeys::Account* AccountKeys::Find(
    absl::string_view account_sid) const {
  auto it = index_.find(account_sid);
  return it == index_.end() ? nullptr : &accounts_[it->second];
}

}  // namespace captoken::service
