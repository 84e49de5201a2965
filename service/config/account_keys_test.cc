// Tests for account_keys.h: every account's auth token (and secondary auth
// token) is read from its source once, a failure names the account, the
// source and which token but never the secret, Find returns the prepared
// keys, VerificationKeys lists the primary first, and API keys are loaded
// the same way and chosen by SID (verify-only keys never sign).

#include "service/config/account_keys.h"

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/config/server_config.h"
#include "service/token/api_key.h"
#include "service/token/crypto.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_keys.h"

namespace captoken::config {
namespace {

using ::captoken::testing::TestKey;

using ::captoken::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSid1[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kSid2[] = "ACfedcba9876543210fedcba9876543210";
constexpr char kSid3[] = "AC11111111111111111111111111111111";
constexpr char kSecret1[] = "secret-one-0123456789abcdef";
constexpr char kSecret2[] = "secret-two-fedcba9876543210";
constexpr char kSecret3[] = "secret-three-00112233445566";

std::string TempPath(absl::string_view name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return absl::StrCat(dir != nullptr ? dir : "/tmp", "/account_keys_test_",
                      name);
}

std::string WriteFile(absl::string_view name, absl::string_view content) {
  const std::string path = TempPath(name);
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(content.data(), static_cast<std::streamsize>(content.size()));
  file.close();
  EXPECT_TRUE(file.good()) << path;
  return path;
}

AccountSettings FromEnv(const char* sid, const char* variable,
                        bool verify_only = false) {
  AccountSettings account;
  account.account_sid = sid;
  account.auth_token.set_env(variable);
  account.verify_only = verify_only;
  return account;
}

AccountSettings FromFile(const char* sid, const std::string& path,
                         bool verify_only = false) {
  AccountSettings account;
  account.account_sid = sid;
  account.auth_token.set_file(path);
  account.verify_only = verify_only;
  return account;
}

// Whether `key` computes the same MAC as a key made from `secret`.
bool KeyIsFor(const token::HmacSha256Key& key, absl::string_view secret) {
  return key.Compute("message") == TestKey(secret).Compute("message");
}

// ---- Load ------------------------------------------------------------------

TEST(AccountKeys, LoadReadsAnEnvironmentVariable) {
  ASSERT_EQ(setenv("CAPTOKEN_TEST_ACCOUNT_KEY_1", kSecret1, 1), 0);
  ASSERT_OK_AND_ASSIGN(
      std::shared_ptr<const AccountKeys> keys,
      AccountKeys::Load({FromEnv(kSid1, "CAPTOKEN_TEST_ACCOUNT_KEY_1")}));
  ASSERT_NE(keys, nullptr);
  EXPECT_EQ(keys->size(), 1u);
  const AccountKeys::Account* account = keys->Find(kSid1);
  ASSERT_NE(account, nullptr);
  EXPECT_EQ(account->account_sid, kSid1);
  EXPECT_TRUE(KeyIsFor(account->auth_token, kSecret1));
  EXPECT_FALSE(account->verify_only);
}

TEST(AccountKeys, LoadReadsAFileWithoutItsNewline) {
  const std::string path =
      WriteFile("secret_file", absl::StrCat(kSecret2, "\n"));
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const AccountKeys> keys,
                       AccountKeys::Load({FromFile(kSid2, path)}));
  const AccountKeys::Account* account = keys->Find(kSid2);
  ASSERT_NE(account, nullptr);
  EXPECT_TRUE(KeyIsFor(account->auth_token, kSecret2));
}

TEST(AccountKeys, LoadReadsEveryAccountFromItsOwnSource) {
  ASSERT_EQ(setenv("CAPTOKEN_TEST_ACCOUNT_KEY_MIXED", kSecret1, 1), 0);
  const std::string path = WriteFile("mixed", kSecret2);
  ASSERT_OK_AND_ASSIGN(
      std::shared_ptr<const AccountKeys> keys,
      AccountKeys::Load({FromEnv(kSid1, "CAPTOKEN_TEST_ACCOUNT_KEY_MIXED"),
                         FromFile(kSid2, path, /*verify_only=*/true)}));
  EXPECT_EQ(keys->size(), 2u);
  const AccountKeys::Account* first = keys->Find(kSid1);
  const AccountKeys::Account* second = keys->Find(kSid2);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_TRUE(KeyIsFor(first->auth_token, kSecret1));
  EXPECT_FALSE(KeyIsFor(first->auth_token, kSecret2));
  EXPECT_TRUE(KeyIsFor(second->auth_token, kSecret2));
  EXPECT_FALSE(first->verify_only);
  EXPECT_TRUE(second->verify_only);
}

TEST(AccountKeys, LoadOfNoAccountsIsEmpty) {
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const AccountKeys> keys,
                       AccountKeys::Load({}));
  EXPECT_EQ(keys->size(), 0u);
  EXPECT_EQ(keys->Find(kSid1), nullptr);
}

TEST(AccountKeys, LoadReadsTheSourceOnceNotOnEachFind) {
  ASSERT_EQ(setenv("CAPTOKEN_TEST_ACCOUNT_KEY_ONCE", kSecret1, 1), 0);
  ASSERT_OK_AND_ASSIGN(
      std::shared_ptr<const AccountKeys> keys,
      AccountKeys::Load({FromEnv(kSid1, "CAPTOKEN_TEST_ACCOUNT_KEY_ONCE")}));
  ASSERT_EQ(setenv("CAPTOKEN_TEST_ACCOUNT_KEY_ONCE", kSecret2, 1), 0);
  const AccountKeys::Account* account = keys->Find(kSid1);
  ASSERT_NE(account, nullptr);
  EXPECT_TRUE(KeyIsFor(account->auth_token, kSecret1));
}

TEST(AccountKeys, MissingVariableNamesTheAccountAndTheVariable) {
  ASSERT_EQ(unsetenv("CAPTOKEN_TEST_ACCOUNT_KEY_UNSET"), 0);
  EXPECT_THAT(
      AccountKeys::Load({FromEnv(kSid1, "CAPTOKEN_TEST_ACCOUNT_KEY_UNSET")}),
      StatusIs(absl::StatusCode::kNotFound,
               AllOf(HasSubstr(kSid1),
                     HasSubstr("CAPTOKEN_TEST_ACCOUNT_KEY_UNSET"))));
}

TEST(AccountKeys, EmptyVariableNamesTheAccountAndTheVariable) {
  ASSERT_EQ(setenv("CAPTOKEN_TEST_ACCOUNT_KEY_EMPTY", "", 1), 0);
  EXPECT_THAT(
      AccountKeys::Load({FromEnv(kSid1, "CAPTOKEN_TEST_ACCOUNT_KEY_EMPTY")}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr(kSid1),
                     HasSubstr("CAPTOKEN_TEST_ACCOUNT_KEY_EMPTY"))));
}

TEST(AccountKeys, MissingFileNamesTheAccountAndThePath) {
  const std::string path = TempPath("no_such_secret");
  EXPECT_THAT(AccountKeys::Load({FromFile(kSid2, path)}),
              StatusIs(absl::StatusCode::kNotFound,
                       AllOf(HasSubstr(kSid2), HasSubstr(path))));
}

TEST(AccountKeys, FailingSecondAccountIsTheOneNamed) {
  ASSERT_EQ(setenv("CAPTOKEN_TEST_ACCOUNT_KEY_GOOD", kSecret1, 1), 0);
  ASSERT_EQ(unsetenv("CAPTOKEN_TEST_ACCOUNT_KEY_BAD"), 0);
  EXPECT_THAT(
      AccountKeys::Load({FromEnv(kSid1, "CAPTOKEN_TEST_ACCOUNT_KEY_GOOD"),
                         FromEnv(kSid2, "CAPTOKEN_TEST_ACCOUNT_KEY_BAD")}),
      StatusIs(absl::StatusCode::kNotFound,
               AllOf(HasSubstr(kSid2), Not(HasSubstr(kSid1)),
                     HasSubstr("CAPTOKEN_TEST_ACCOUNT_KEY_BAD"))));
}

TEST(AccountKeys, ErrorsNeverContainTheSecret) {
  // A good account's secret must not leak into a later account's error, and
  // a file's content must not leak into its own error.
  ASSERT_EQ(setenv("CAPTOKEN_TEST_ACCOUNT_KEY_LEAK", kSecret1, 1), 0);
  const std::string too_big =
      WriteFile("too_big", absl::StrCat(kSecret2, std::string(5000, 'x')));
  const absl::Status status =
      AccountKeys::Load({FromEnv(kSid1, "CAPTOKEN_TEST_ACCOUNT_KEY_LEAK"),
                         FromFile(kSid2, too_big)})
          .status();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               AllOf(HasSubstr(kSid2), HasSubstr(too_big))));
  EXPECT_THAT(status.ToString(), Not(HasSubstr(kSecret1)));
  EXPECT_THAT(status.ToString(), Not(HasSubstr(kSecret2)));
}

// ---- Secondary auth token ------------------------------------------------

TEST(AccountKeys, LoadReadsASecondaryAuthTokenFromAVariable) {
  ASSERT_EQ(setenv("CAPTOKEN_TEST_PRIMARY_A", kSecret1, 1), 0);
  ASSERT_EQ(setenv("CAPTOKEN_TEST_SECONDARY_A", kSecret2, 1), 0);
  AccountSettings settings = FromEnv(kSid1, "CAPTOKEN_TEST_PRIMARY_A");
  settings.secondary_auth_token.emplace().set_env("CAPTOKEN_TEST_SECONDARY_A");
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const AccountKeys> keys,
                       AccountKeys::Load({settings}));
  const AccountKeys::Account* account = keys->Find(kSid1);
  ASSERT_NE(account, nullptr);
  EXPECT_TRUE(KeyIsFor(account->auth_token, kSecret1));
  ASSERT_TRUE(account->secondary_auth_token.has_value());
  EXPECT_TRUE(KeyIsFor(*account->secondary_auth_token, kSecret2));
  EXPECT_FALSE(KeyIsFor(*account->secondary_auth_token, kSecret1));
}

TEST(AccountKeys, LoadReadsASecondaryAuthTokenFromAFile) {
  ASSERT_EQ(setenv("CAPTOKEN_TEST_PRIMARY_B", kSecret1, 1), 0);
  const std::string path =
      WriteFile("secondary_file", absl::StrCat(kSecret3, "\n"));
  AccountSettings settings = FromEnv(kSid1, "CAPTOKEN_TEST_PRIMARY_B");
  settings.secondary_auth_token.emplace().set_file(path);
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const AccountKeys> keys,
                       AccountKeys::Load({settings}));
  const AccountKeys::Account* account = keys->Find(kSid1);
  ASSERT_NE(account, nullptr);
  ASSERT_TRUE(account->secondary_auth_token.has_value());
  EXPECT_TRUE(KeyIsFor(*account->secondary_auth_token, kSecret3));
}

TEST(AccountKeys, AccountWithoutASecondaryAuthTokenHasNone) {
  ASSERT_EQ(setenv("CAPTOKEN_TEST_PRIMARY_C", kSecret1, 1), 0);
  ASSERT_OK_AND_ASSIGN(
      std::shared_ptr<const AccountKeys> keys,
      AccountKeys::Load({FromEnv(kSid1, "CAPTOKEN_TEST_PRIMARY_C")}));
  const AccountKeys::Account* account = keys->Find(kSid1);
  ASSERT_NE(account, nullptr);
  EXPECT_FALSE(account->secondary_auth_token.has_value());
}

TEST(AccountKeys, MissingSecondaryAuthTokenIsNamedAsTheSecondary) {
  ASSERT_EQ(setenv("CAPTOKEN_TEST_PRIMARY_D", kSecret1, 1), 0);
  ASSERT_EQ(unsetenv("CAPTOKEN_TEST_SECONDARY_D"), 0);
  AccountSettings settings = FromEnv(kSid2, "CAPTOKEN_TEST_PRIMARY_D");
  settings.secondary_auth_token.emplace().set_env("CAPTOKEN_TEST_SECONDARY_D");
  const absl::Status status = AccountKeys::Load({settings}).status();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kNotFound,
                               AllOf(HasSubstr(kSid2),
                                     HasSubstr("secondary auth token"),
                                     HasSubstr("CAPTOKEN_TEST_SECONDARY_D"))));
  EXPECT_THAT(status.ToString(), Not(HasSubstr(kSecret1)));
}

TEST(AccountKeys, MissingSecondaryFileIsNamedAsTheSecondary) {
  ASSERT_EQ(setenv("CAPTOKEN_TEST_PRIMARY_E", kSecret1, 1), 0);
  const std::string path = TempPath("no_such_secondary");
  AccountSettings settings = FromEnv(kSid2, "CAPTOKEN_TEST_PRIMARY_E");
  settings.secondary_auth_token.emplace().set_file(path);
  EXPECT_THAT(
      AccountKeys::Load({settings}),
      StatusIs(absl::StatusCode::kNotFound,
               AllOf(HasSubstr(kSid2), HasSubstr("secondary auth token"),
                     HasSubstr(path))));
}

TEST(AccountKeys, FailingPrimaryIsNotCalledTheSecondary) {
  ASSERT_EQ(unsetenv("CAPTOKEN_TEST_PRIMARY_F"), 0);
  ASSERT_EQ(setenv("CAPTOKEN_TEST_SECONDARY_F", kSecret2, 1), 0);
  AccountSettings settings = FromEnv(kSid1, "CAPTOKEN_TEST_PRIMARY_F");
  settings.secondary_auth_token.emplace().set_env("CAPTOKEN_TEST_SECONDARY_F");
  const absl::Status status = AccountKeys::Load({settings}).status();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kNotFound,
                               AllOf(HasSubstr("auth token"),
                                     HasSubstr("CAPTOKEN_TEST_PRIMARY_F"),
                                     Not(HasSubstr("secondary")))));
  EXPECT_THAT(status.ToString(), Not(HasSubstr(kSecret2)));
}

TEST(AccountKeys, SecondaryErrorsNeverContainASecret) {
  // The primary loads; the secondary file is too big. Neither secret, nor
  // the file's content, may appear in the error.
  ASSERT_EQ(setenv("CAPTOKEN_TEST_PRIMARY_G", kSecret1, 1), 0);
  const std::string too_big = WriteFile(
      "secondary_too_big", absl::StrCat(kSecret2, std::string(5000, 'x')));
  AccountSettings settings = FromEnv(kSid1, "CAPTOKEN_TEST_PRIMARY_G");
  settings.secondary_auth_token.emplace().set_file(too_big);
  const absl::Status status = AccountKeys::Load({settings}).status();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               AllOf(HasSubstr(kSid1),
                                     HasSubstr("secondary auth token"),
                                     HasSubstr(too_big))));
  EXPECT_THAT(status.ToString(), Not(HasSubstr(kSecret1)));
  EXPECT_THAT(status.ToString(), Not(HasSubstr(kSecret2)));
  EXPECT_THAT(status.ToString(), Not(HasSubstr("xxxxxxxx")));
}

TEST(AccountKeys, VerificationKeysArePrimaryThenSecondary) {
  std::vector<AccountKeys::Account> accounts;
  accounts.push_back({kSid1, TestKey(kSecret1), false, TestKey(kSecret2)});
  accounts.push_back({kSid2, TestKey(kSecret3), true});
  std::shared_ptr<const AccountKeys> keys =
      AccountKeys::FromAccounts(std::move(accounts));

  const AccountKeys::Account* rotating = keys->Find(kSid1);
  ASSERT_NE(rotating, nullptr);
  ASSERT_TRUE(rotating->secondary_auth_token.has_value());
  const std::vector<const token::HmacSha256Key*> both =
      rotating->VerificationKeys();
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0], &rotating->auth_token);
  EXPECT_EQ(both[1], &*rotating->secondary_auth_token);
  EXPECT_TRUE(KeyIsFor(*both[0], kSecret1));
  EXPECT_TRUE(KeyIsFor(*both[1], kSecret2));

  const AccountKeys::Account* single = keys->Find(kSid2);
  ASSERT_NE(single, nullptr);
  const std::vector<const token::HmacSha256Key*> one =
      single->VerificationKeys();
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0], &single->auth_token);
}

// ---- FromAccounts and Find -----------------------------------------------

std::vector<AccountKeys::Account> TwoAccounts() {
  std::vector<AccountKeys::Account> accounts;
  accounts.push_back({kSid1, TestKey(kSecret1), false});
  accounts.push_back({kSid2, TestKey(kSecret2), true});
  return accounts;
}

TEST(AccountKeys, FromAccountsFindsEachAccount) {
  std::shared_ptr<const AccountKeys> keys =
      AccountKeys::FromAccounts(TwoAccounts());
  ASSERT_NE(keys, nullptr);
  EXPECT_EQ(keys->size(), 2u);
  const AccountKeys::Account* first = keys->Find(kSid1);
  const AccountKeys::Account* second = keys->Find(kSid2);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(first->account_sid, kSid1);
  EXPECT_EQ(second->account_sid, kSid2);
  EXPECT_TRUE(KeyIsFor(first->auth_token, kSecret1));
  EXPECT_TRUE(KeyIsFor(second->auth_token, kSecret2));
}

TEST(AccountKeys, FromAccountsCarriesVerifyOnly) {
  std::shared_ptr<const AccountKeys> keys =
      AccountKeys::FromAccounts(TwoAccounts());
  ASSERT_NE(keys->Find(kSid1), nullptr);
  ASSERT_NE(keys->Find(kSid2), nullptr);
  EXPECT_FALSE(keys->Find(kSid1)->verify_only);
  EXPECT_TRUE(keys->Find(kSid2)->verify_only);
}

TEST(AccountKeys, FindOfAnUnknownAccountIsNull) {
  std::shared_ptr<const AccountKeys> keys =
      AccountKeys::FromAccounts(TwoAccounts());
  EXPECT_EQ(keys->Find(kSid3), nullptr);
  EXPECT_EQ(keys->Find(""), nullptr);
  // SIDs are matched exactly.
  EXPECT_EQ(keys->Find("AC0123456789ABCDEF0123456789ABCDEF"), nullptr);
  EXPECT_EQ(keys->Find(absl::StrCat(kSid1, " ")), nullptr);
}

TEST(AccountKeys, FromNoAccountsIsEmpty) {
  std::shared_ptr<const AccountKeys> keys = AccountKeys::FromAccounts({});
  ASSERT_NE(keys, nullptr);
  EXPECT_EQ(keys->size(), 0u);
  EXPECT_EQ(keys->Find(kSid1), nullptr);
}

TEST(AccountKeys, FindReturnsAStablePointer) {
  std::vector<AccountKeys::Account> accounts;
  for (int i = 0; i < 100; ++i) {
    accounts.push_back({absl::StrCat("AC", std::string(30, '0'),
                                     absl::Dec(i, absl::kZeroPad2)),
                        TestKey(absl::StrCat("secret-", i)), false});
  }
  std::shared_ptr<const AccountKeys> keys =
      AccountKeys::FromAccounts(std::move(accounts));
  EXPECT_EQ(keys->size(), 100u);
  const AccountKeys::Account* first =
      keys->Find(absl::StrCat("AC", std::string(30, '0'), "00"));
  for (int i = 0; i < 100; ++i) {
    const std::string sid =
        absl::StrCat("AC", std::string(30, '0'), absl::Dec(i, absl::kZeroPad2));
    const AccountKeys::Account* account = keys->Find(sid);
    ASSERT_NE(account, nullptr) << sid;
    EXPECT_EQ(account->account_sid, sid);
    EXPECT_TRUE(KeyIsFor(account->auth_token, absl::StrCat("secret-", i)));
  }
  EXPECT_EQ(keys->Find(absl::StrCat("AC", std::string(30, '0'), "00")), first);
}

// ---- API keys
// ----------------------------------------------------------------

constexpr char kKeySid1[] = "SK0123456789abcdef0123456789abcdef";
constexpr char kKeySid2[] = "SKfedcba9876543210fedcba9876543210";
constexpr char kKeySid3[] = "SK11111111111111111111111111111111";
constexpr char kKeySecret1[] = "api-key-secret-one-aaaaaaaaaa";
constexpr char kKeySecret2[] = "api-key-secret-two-bbbbbbbbbb";

ApiKeySettings KeyFromEnv(const char* sid, const char* variable,
                          bool verify_only = false) {
  ApiKeySettings key;
  key.sid = sid;
  key.secret.set_env(variable);
  key.verify_only = verify_only;
  return key;
}

token::ApiKey MakeApiKey(absl::string_view sid, absl::string_view secret) {
  absl::StatusOr<token::ApiKey> key = token::ApiKey::Create(sid, secret);
  EXPECT_TRUE(key.ok()) << key.status();
  return *std::move(key);
}

TEST(AccountKeys, LoadReadsApiKeysFromTheirSources) {
  ASSERT_EQ(setenv("CAPTOKEN_TEST_API_KEY_1", kKeySecret1, 1), 0);
  ASSERT_EQ(setenv("CAPTOKEN_TEST_ACCOUNT_KEY_K", kSecret1, 1), 0);
  AccountSettings settings = FromEnv(kSid1, "CAPTOKEN_TEST_ACCOUNT_KEY_K");
  settings.api_keys.push_back(KeyFromEnv(kKeySid1, "CAPTOKEN_TEST_API_KEY_1"));
  ApiKeySettings from_file;
  from_file.sid = kKeySid2;
  from_file.secret.set_file(
      WriteFile("api_key_2", absl::StrCat(kKeySecret2, "\n")));
  from_file.verify_only = true;
  settings.api_keys.push_back(from_file);
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const AccountKeys> keys,
                       AccountKeys::Load({settings}));
  const AccountKeys::Account* account = keys->Find(kSid1);
  ASSERT_NE(account, nullptr);
  ASSERT_EQ(account->api_keys.size(), 2u);
  EXPECT_EQ(account->api_keys[0].key.sid(), kKeySid1);
  EXPECT_TRUE(KeyIsFor(account->api_keys[0].key.hmac_key(), kKeySecret1));
  EXPECT_FALSE(account->api_keys[0].verify_only);
  EXPECT_EQ(account->api_keys[1].key.sid(), kKeySid2);
  EXPECT_TRUE(KeyIsFor(account->api_keys[1].key.hmac_key(), kKeySecret2));
  EXPECT_TRUE(account->api_keys[1].verify_only);
  // The auth token is not an API key, nor the other way round.
  EXPECT_TRUE(KeyIsFor(account->auth_token, kSecret1));
}

TEST(AccountKeys, MissingApiKeySecretNamesAccountKeyAndSourceButNoSecret) {
  ASSERT_EQ(setenv("CAPTOKEN_TEST_ACCOUNT_KEY_K2", kSecret1, 1), 0);
  ASSERT_EQ(setenv("CAPTOKEN_TEST_API_KEY_GOOD", kKeySecret1, 1), 0);
  ASSERT_EQ(unsetenv("CAPTOKEN_TEST_API_KEY_UNSET"), 0);
  AccountSettings settings = FromEnv(kSid2, "CAPTOKEN_TEST_ACCOUNT_KEY_K2");
  settings.api_keys = {KeyFromEnv(kKeySid1, "CAPTOKEN_TEST_API_KEY_GOOD"),
                       KeyFromEnv(kKeySid2, "CAPTOKEN_TEST_API_KEY_UNSET")};
  const absl::Status status = AccountKeys::Load({settings}).status();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kNotFound,
                               AllOf(HasSubstr(kSid2), HasSubstr(kKeySid2),
                                     HasSubstr("API key"),
                                     HasSubstr("CAPTOKEN_TEST_API_KEY_UNSET"),
                                     Not(HasSubstr(kKeySid1)))));
  EXPECT_THAT(status.ToString(), Not(HasSubstr(kSecret1)));
  EXPECT_THAT(status.ToString(), Not(HasSubstr(kKeySecret1)));
}

TEST(AccountKeys, ApiKeyFileErrorsNeverContainTheSecret) {
  ASSERT_EQ(setenv("CAPTOKEN_TEST_ACCOUNT_KEY_K3", kSecret1, 1), 0);
  ApiKeySettings too_big;
  too_big.sid = kKeySid1;
  too_big.secret.set_file(WriteFile(
      "api_key_too_big", absl::StrCat(kKeySecret1, std::string(5000, 'y'))));
  AccountSettings settings = FromEnv(kSid1, "CAPTOKEN_TEST_ACCOUNT_KEY_K3");
  settings.api_keys = {too_big};
  const absl::Status status = AccountKeys::Load({settings}).status();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               AllOf(HasSubstr(kKeySid1),
                                     HasSubstr(too_big.secret.file()))));
  EXPECT_THAT(status.ToString(), Not(HasSubstr(kKeySecret1)));
}

// An account with three keys: the first verify-only.
AccountKeys::Account AccountWithKeys() {
  AccountKeys::Account account{kSid1, TestKey(kSecret1), false};
  account.api_keys.push_back({MakeApiKey(kKeySid1, kKeySecret1), true});
  account.api_keys.push_back({MakeApiKey(kKeySid2, kKeySecret2), false});
  account.api_keys.push_back({MakeApiKey(kKeySid3, kKeySecret2), false});
  return account;
}

TEST(AccountKeys, SigningApiKeyWithoutASidIsTheFirstThatMaySign) {
  const AccountKeys::Account account = AccountWithKeys();
  const token::ApiKey* key = account.SigningApiKey("");
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(key->sid(), kKeySid2);
}

TEST(AccountKeys, SigningApiKeyByItsSid) {
  const AccountKeys::Account account = AccountWithKeys();
  const token::ApiKey* key = account.SigningApiKey(kKeySid3);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(key->sid(), kKeySid3);
}

TEST(AccountKeys, AVerifyOnlyOrUnknownKeyNeverSigns) {
  const AccountKeys::Account account = AccountWithKeys();
  EXPECT_EQ(account.SigningApiKey(kKeySid1), nullptr);
  EXPECT_EQ(account.SigningApiKey("SK99999999999999999999999999999999"),
            nullptr);
  AccountKeys::Account retiring{kSid2, TestKey(kSecret2), false};
  retiring.api_keys.push_back({MakeApiKey(kKeySid1, kKeySecret1), true});
  EXPECT_EQ(retiring.SigningApiKey(""), nullptr);
  const AccountKeys::Account none{kSid3, TestKey(kSecret3), false};
  EXPECT_EQ(none.SigningApiKey(""), nullptr);
}

TEST(AccountKeys, VerificationApiKeyIncludesVerifyOnlyKeys) {
  const AccountKeys::Account account = AccountWithKeys();
  for (const char* sid : {kKeySid1, kKeySid2, kKeySid3}) {
    const token::ApiKey* key = account.VerificationApiKey(sid);
    ASSERT_NE(key, nullptr) << sid;
    EXPECT_EQ(key->sid(), sid);
  }
  EXPECT_EQ(account.VerificationApiKey(""), nullptr);
  EXPECT_EQ(account.VerificationApiKey("SK99999999999999999999999999999999"),
            nullptr);
}

}  // namespace
}  // namespace captoken::config

namespace captoken::config {
namespace {

// One directory's accounts, already read (account_directory.h reads them).
AccountKeys::DirectoryAccounts DirectoryOf(std::string source,
                                           std::vector<const char*> sids) {
  auto map = std::make_shared<AccountKeys::AccountMap>();
  auto name = std::make_shared<const std::string>("tenants");
  for (const char* sid : sids) {
    auto account = std::make_shared<AccountKeys::Account>(AccountKeys::Account{
        sid, captoken::testing::TestKey(absl::StrCat("secret-", sid)),
        /*verify_only=*/false, absl::nullopt});
    account->directory = name;
    account->labels = {"tier:gold"};
    map->Put(std::move(account));
  }
  return {std::move(source), std::move(map)};
}

TEST(AccountKeys, DirectoryAccountsAreFoundBesideListedOnes) {
  ::setenv("ACCOUNT_KEYS_TEST_DIR_TOKEN", "listed", 1);
  AccountSettings listed;
  listed.account_sid = "AC0123456789abcdef0123456789abcdef";
  listed.auth_token.set_env("ACCOUNT_KEYS_TEST_DIR_TOKEN");
  std::vector<AccountKeys::DirectoryAccounts> directories;
  directories.push_back(DirectoryOf("account_directories[0] /a",
                                    {"ACfedcba9876543210fedcba9876543210"}));
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const AccountKeys> keys,
                       AccountKeys::Load({listed}, std::move(directories)));
  EXPECT_EQ(keys->size(), 2u);
  const AccountKeys::Account* from_directory =
      keys->Find("ACfedcba9876543210fedcba9876543210");
  ASSERT_NE(from_directory, nullptr);
  EXPECT_EQ(from_directory->traits().directory, "tenants");
  EXPECT_EQ(from_directory->traits().labels.size(), 1u);
  const AccountKeys::Account* from_config =
      keys->Find("AC0123456789abcdef0123456789abcdef");
  ASSERT_NE(from_config, nullptr);
  EXPECT_TRUE(from_config->traits().directory.empty());
  EXPECT_EQ(keys->Find("AC11111111111111111111111111111111"), nullptr);
}

TEST(AccountKeys, AnAccountInTheConfigAndADirectoryNamesBoth) {
  AccountSettings listed;
  listed.account_sid = "ACfedcba9876543210fedcba9876543210";
  listed.auth_token.set_env("NEVER_READ");
  std::vector<AccountKeys::DirectoryAccounts> directories;
  directories.push_back(DirectoryOf("account_directories[0] /a",
                                    {"ACfedcba9876543210fedcba9876543210"}));
  EXPECT_THAT(AccountKeys::Load(
                  {FromEnv("AC0123456789abcdef0123456789abcdef", "X"), listed},
                  std::move(directories)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("ACfedcba9876543210fedcba9876543210"),
                             HasSubstr("accounts[1]"),
                             HasSubstr("account_directories[0] /a"))));
}

TEST(AccountKeys, AnAccountInTwoDirectoriesNamesBoth) {
  std::vector<AccountKeys::DirectoryAccounts> directories;
  directories.push_back(DirectoryOf("account_directories[0] /a",
                                    {"AC11111111111111111111111111111111",
                                     "ACfedcba9876543210fedcba9876543210"}));
  directories.push_back(DirectoryOf("account_directories[1] /b",
                                    {"ACfedcba9876543210fedcba9876543210"}));
  EXPECT_THAT(AccountKeys::Load({}, std::move(directories)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("ACfedcba9876543210fedcba9876543210"),
                             HasSubstr("account_directories[0] /a"),
                             HasSubstr("account_directories[1] /b"))));
}

TEST(AccountKeys, WithDirectorySwapsOneDirectoryAndSharesTheRest) {
  ::setenv("ACCOUNT_KEYS_TEST_WITH_TOKEN", "listed", 1);
  AccountSettings listed;
  listed.account_sid = "AC0123456789abcdef0123456789abcdef";
  listed.auth_token.set_env("ACCOUNT_KEYS_TEST_WITH_TOKEN");
  std::vector<AccountKeys::DirectoryAccounts> directories;
  directories.push_back(DirectoryOf("account_directories[0] /a",
                                    {"AC11111111111111111111111111111111"}));
  directories.push_back(DirectoryOf("account_directories[1] /b",
                                    {"AC22222222222222222222222222222222"}));
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const AccountKeys> base,
                       AccountKeys::Load({listed}, std::move(directories)));
  std::shared_ptr<const AccountKeys::AccountMap> next =
      DirectoryOf("", {"AC22222222222222222222222222222222",
                       "AC33333333333333333333333333333333"})
          .accounts;
  ASSERT_OK_AND_ASSIGN(
      std::shared_ptr<const AccountKeys> keys,
      AccountKeys::WithDirectory(*base, 1, next,
                                 {"AC33333333333333333333333333333333"}));
  EXPECT_EQ(keys->size(), 4u);
  EXPECT_NE(keys->Find("AC33333333333333333333333333333333"), nullptr);
  // The listed account and the other directory's are the very same objects.
  EXPECT_EQ(keys->Find("AC0123456789abcdef0123456789abcdef"),
            base->Find("AC0123456789abcdef0123456789abcdef"));
  EXPECT_EQ(keys->Find("AC11111111111111111111111111111111"),
            base->Find("AC11111111111111111111111111111111"));
  // The base is left as it was.
  EXPECT_EQ(base->size(), 3u);
  EXPECT_EQ(base->Find("AC33333333333333333333333333333333"), nullptr);
  EXPECT_THAT(AccountKeys::WithDirectory(*base, 2, next, {}),
              StatusIs(absl::StatusCode::kOutOfRange, ::testing::_));
}

TEST(AccountKeys, WithDirectoryRefusesAChangedAccountFoundElsewhere) {
  AccountSettings listed = FromEnv("AC0123456789abcdef0123456789abcdef",
                                   "ACCOUNT_KEYS_TEST_WITH_TOKEN");
  ::setenv("ACCOUNT_KEYS_TEST_WITH_TOKEN", "listed", 1);
  std::vector<AccountKeys::DirectoryAccounts> directories;
  directories.push_back(DirectoryOf("account_directories[0] /a",
                                    {"AC11111111111111111111111111111111"}));
  directories.push_back(DirectoryOf("account_directories[1] /b",
                                    {"AC22222222222222222222222222222222"}));
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const AccountKeys> base,
                       AccountKeys::Load({listed}, std::move(directories)));
  // Directory 1 now holds directory 0's account: named earlier one first.
  EXPECT_THAT(
      AccountKeys::WithDirectory(
          *base, 1,
          DirectoryOf("", {"AC11111111111111111111111111111111"}).accounts,
          {"AC11111111111111111111111111111111"}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("AC11111111111111111111111111111111 is "
                               "configured more than once"),
                     HasSubstr("in account_directories[0] /a and in "
                               "account_directories[1] /b"))));
  // Directory 0 now holds the listed account.
  EXPECT_THAT(
      AccountKeys::WithDirectory(
          *base, 0,
          DirectoryOf("", {"AC0123456789abcdef0123456789abcdef"}).accounts,
          {"AC0123456789abcdef0123456789abcdef"}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("in accounts[0] and in account_directories[0] /a")));
}

}  // namespace
}  // namespace captoken::config
