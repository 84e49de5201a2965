// Tests for config_reload.h: a reload serves a changed secret and an added
// account; a broken secret or a config that no longer parses keeps the
// previous accounts, with a reload_failed line and the failed count; the
// development mode skips; and no line ever holds a secret.

#include "service/serve/config_reload.h"

#include <sys/stat.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "captoken/v1/capability.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/authz/caller_identity.h"
#include "service/mint/token_minter.h"
#include "service/observe/metrics.h"
#include "service/serve/loaded_config.h"
#include "service/token/capability_verifier.h"
#include "tests/testing/json_lines.h"
#include "tests/testing/log_file.h"
#include "tests/testing/metrics_text.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_keys.h"

namespace captoken::serve {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::LogFile;
using ::captoken::testing::ScrapeText;
using ::captoken::testing::StringField;
using ::captoken::testing::TestKey;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

constexpr char kSid[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kOtherSid[] = "ACfedcba9876543210fedcba9876543210";
constexpr char kOldSecret[] = "config-reload-secret-old-51c2";
constexpr char kNewSecret[] = "config-reload-secret-new-9e07";

class ConfigReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(testing::WriteFile(secret_file_, kOldSecret), IsOk());
    ASSERT_THAT(testing::WriteFile(config_path_, AccountConfig(kSid)), IsOk());
    ASSERT_OK_AND_ASSIGN(LoadedConfig loaded, LoadConfig(config_path_, ""));
    minter_ = std::make_unique<mint::TokenMinter>(mint::TokenMinter::Options(),
                                                  std::move(loaded.state));
  }

  // An account whose auth token is secret_file_.
  std::string AccountConfig(absl::string_view sid) const {
    return absl::StrCat("accounts { account_sid: \"", sid,
                        "\" auth_token { file: \"", secret_file_, "\" } }\n");
  }

  void Reload(const std::string& config_path) {
    ReloadConfig(
        {config_path, "", minter_.get(), nullptr, &metrics_, log_.logger()});
  }

  // Mints a token for `sid` and says whether it verifies with `secret`.
  bool MintsWith(absl::string_view sid, absl::string_view secret) {
    v1::CapabilityRequest request;
    request.set_account_sid(std::string(sid));
    request.add_scopes()->mutable_client_incoming()->set_client_name("alice");
    mint::AuditRecord audit;
    absl::StatusOr<v1::TokenResponse> minted =
        minter_->MintCapabilityToken(request, authz::CallerIdentity{}, &audit);
    if (!minted.ok()) return false;
    token::CapabilityVerifier::Options options;
    options.expected_account_sid = std::string(sid);
    absl::StatusOr<token::CapabilityVerifier> verifier =
        token::CapabilityVerifier::Create(options);
    EXPECT_THAT(verifier, IsOk());
    return verifier->Verify(minted->token(), TestKey(secret)).ok();
  }

  const std::string secret_file_ = testing::TempPath("auth-token");
  const std::string config_path_ = testing::TempPath("captoken.textproto");
  LogFile log_;
  observe::ServerMetrics metrics_;
  std::unique_ptr<mint::TokenMinter> minter_;
};

TEST_F(ConfigReloadTest, AChangedSecretIsServedAfterTheReload) {
  ASSERT_TRUE(MintsWith(kSid, kOldSecret));
  ASSERT_THAT(testing::WriteFile(secret_file_, kNewSecret), IsOk());
  // Nothing changes until the reload.
  EXPECT_TRUE(MintsWith(kSid, kOldSecret));

  Reload(config_path_);
  EXPECT_TRUE(MintsWith(kSid, kNewSecret));
  EXPECT_FALSE(MintsWith(kSid, kOldSecret));
  const std::vector<token::JsonValue> reloaded = log_.Events("reloaded");
  ASSERT_THAT(reloaded, SizeIs(1));
  EXPECT_EQ(reloaded[0].Find("accounts")->AsInt64(), 1);
  EXPECT_THAT(ScrapeText(metrics_),
              HasSubstr("captoken_secret_reloads_total{outcome=\"ok\"} 1"));
  EXPECT_THAT(log_.Text(), Not(HasSubstr(kNewSecret)));
  EXPECT_THAT(log_.Text(), Not(HasSubstr(kOldSecret)));
}

TEST_F(ConfigReloadTest, AnAddedAccountIsServedAfterTheReload) {
  EXPECT_FALSE(MintsWith(kOtherSid, kOldSecret));
  ASSERT_THAT(
      testing::WriteFile(config_path_, absl::StrCat(AccountConfig(kSid),
                                                    AccountConfig(kOtherSid))),
      IsOk());
  Reload(config_path_);
  EXPECT_TRUE(MintsWith(kOtherSid, kOldSecret));
  const std::vector<token::JsonValue> reloaded = log_.Events("reloaded");
  ASSERT_THAT(reloaded, SizeIs(1));
  EXPECT_EQ(reloaded[0].Find("accounts")->AsInt64(), 2);
}

TEST_F(ConfigReloadTest, ABrokenSecretKeepsThePreviousAccounts) {
  ASSERT_THAT(testing::WriteFile(secret_file_, ""), IsOk());
  Reload(config_path_);

  EXPECT_TRUE(MintsWith(kSid, kOldSecret));
  const std::vector<token::JsonValue> failed = log_.Events("reload_failed");
  ASSERT_THAT(failed, SizeIs(1));
  EXPECT_EQ(StringField(failed[0], "level"), "error");
  EXPECT_THAT(StringField(failed[0], "reason"), HasSubstr(secret_file_));
  EXPECT_EQ(StringField(failed[0], "kept"), "the previous accounts");
  EXPECT_THAT(log_.Events("reloaded"), IsEmpty());
  const std::string scrape = ScrapeText(metrics_);
  EXPECT_THAT(scrape,
              HasSubstr("captoken_secret_reloads_total{outcome=\"failed\"} 1"));
  EXPECT_THAT(scrape,
              HasSubstr("captoken_secret_reloads_total{outcome=\"ok\"} 0"));
}

TEST_F(ConfigReloadTest, AConfigThatNoLongerParsesIsNamedByPlaceNotText) {
  // A secret pasted into the config by mistake, as a field name.
  ASSERT_THAT(testing::WriteFile(config_path_,
                                 absl::StrCat(AccountConfig(kSid),
                                              "pasted_secret_4b1d { }\n")),
              IsOk());
  Reload(config_path_);

  EXPECT_TRUE(MintsWith(kSid, kOldSecret));
  const std::vector<token::JsonValue> failed = log_.Events("reload_failed");
  ASSERT_THAT(failed, SizeIs(1));
  EXPECT_THAT(StringField(failed[0], "reason"),
              HasSubstr("line 2 column 20: unknown field name"));
  EXPECT_THAT(log_.Text(), Not(HasSubstr("pasted_secret")));
}

TEST_F(ConfigReloadTest, ANonLoopbackListenIsRefusedOnReloadToo) {
  ReloadConfig({config_path_, "0.0.0.0:50051", minter_.get(), nullptr,
                &metrics_, log_.logger()});
  const std::vector<token::JsonValue> failed = log_.Events("reload_failed");
  ASSERT_THAT(failed, SizeIs(1));
  EXPECT_THAT(StringField(failed[0], "reason"), HasSubstr("--listen"));
  EXPECT_TRUE(MintsWith(kSid, kOldSecret));
}

TEST_F(ConfigReloadTest, DevelopmentModeHasNothingToReload) {
  Reload("");
  const std::vector<token::JsonValue> skipped = log_.Events("reload_skipped");
  ASSERT_THAT(skipped, SizeIs(1));
  EXPECT_EQ(StringField(skipped[0], "reason"),
            "development mode has no config");
  // Not a reload: neither count moves.
  const std::string scrape = ScrapeText(metrics_);
  EXPECT_THAT(scrape,
              HasSubstr("captoken_secret_reloads_total{outcome=\"ok\"} 0"));
  EXPECT_THAT(scrape,
              HasSubstr("captoken_secret_reloads_total{outcome=\"failed\"} 0"));
  EXPECT_TRUE(MintsWith(kSid, kOldSecret));
}

}  // namespace
}  // namespace captoken::serve

namespace captoken::serve {
namespace {

// ---- Account directories ----------------------------------------------------

class DirectoryReloadTest : public ConfigReloadTest {
 protected:
  void SetUp() override {
    ASSERT_EQ(::mkdir(root_.c_str(), 0700), 0);
    AddAccount(kSid, kOldSecret);
    ASSERT_THAT(testing::WriteFile(config_path_, DirectoryConfig()), IsOk());
    ASSERT_OK_AND_ASSIGN(LoadedConfig loaded,
                         LoadConfig(config_path_, "", &directories_, nullptr));
    minter_ = std::make_unique<mint::TokenMinter>(mint::TokenMinter::Options(),
                                                  std::move(loaded.state));
  }

  std::string DirectoryConfig() const {
    return absl::StrCat("account_directories { path: \"", root_,
                        "\" name: \"tenants\" }\n");
  }

  void AddAccount(absl::string_view sid, absl::string_view secret) {
    const std::string account = absl::StrCat(root_, "/", sid);
    ::mkdir(account.c_str(), 0700);
    ASSERT_THAT(testing::WriteFile(account + "/auth_token", secret), IsOk());
  }

  void ReloadDirectories() {
    ReloadConfig({config_path_, "", minter_.get(), nullptr, &metrics_,
                  log_.logger(), &directories_});
  }

  // The files_read of the last account_directory_refreshed line.
  int64_t LastFilesRead() {
    const std::vector<token::JsonValue> refreshed =
        log_.Events("account_directory_refreshed");
    if (refreshed.empty()) return -1;
    return refreshed.back().Find("files_read")->AsInt64().value_or(-1);
  }

  const std::string root_ = testing::TempPath("accounts");
  config::AccountDirectories directories_;
};

TEST_F(DirectoryReloadTest, AReloadReadsOnlyTheChangedAccount) {
  ASSERT_TRUE(MintsWith(kSid, kOldSecret));
  AddAccount(kOtherSid, kOldSecret);
  ReloadDirectories();
  EXPECT_EQ(LastFilesRead(), 1);
  EXPECT_TRUE(MintsWith(kOtherSid, kOldSecret));

  ASSERT_THAT(testing::WriteFile(absl::StrCat(root_, "/", kSid, "/auth_token"),
                                 kNewSecret),
              IsOk());
  ReloadDirectories();
  EXPECT_EQ(LastFilesRead(), 1);
  EXPECT_TRUE(MintsWith(kSid, kNewSecret));

  ReloadDirectories();
  EXPECT_EQ(LastFilesRead(), 0);
  EXPECT_THAT(log_.Events("reloaded"), SizeIs(3));
  EXPECT_THAT(log_.Text(), Not(HasSubstr(kNewSecret)));
}

TEST_F(DirectoryReloadTest, ABrokenAccountIsReportedAndKeepsItsSecret) {
  ASSERT_THAT(testing::WriteFile(absl::StrCat(root_, "/", kSid, "/auth_token"),
                                 std::string(5000, 'z')),
              IsOk());
  ReloadDirectories();
  // The reload itself succeeds: one broken account does not hold up the
  // others.
  EXPECT_THAT(log_.Events("reloaded"), SizeIs(1));
  const std::vector<token::JsonValue> unreadable =
      log_.Events("account_unreadable");
  ASSERT_THAT(unreadable, SizeIs(1));
  EXPECT_EQ(StringField(unreadable[0], "account_sid"), kSid);
  EXPECT_EQ(StringField(unreadable[0], "kept"), "the previous secrets");
  EXPECT_TRUE(MintsWith(kSid, kOldSecret));
  EXPECT_THAT(log_.Text(), Not(HasSubstr("zzzz")));
  EXPECT_THAT(ScrapeText(metrics_),
              HasSubstr("captoken_account_directory_broken_entries{directory="
                        "\"tenants\"} 1"));
}

TEST_F(DirectoryReloadTest, AnAccountInTheConfigAndTheDirectoryFailsTheReload) {
  ASSERT_THAT(testing::WriteFile(secret_file_, kNewSecret), IsOk());
  ASSERT_THAT(
      testing::WriteFile(config_path_,
                         absl::StrCat(DirectoryConfig(), AccountConfig(kSid))),
      IsOk());
  ReloadDirectories();
  const std::vector<token::JsonValue> failed = log_.Events("reload_failed");
  ASSERT_THAT(failed, SizeIs(1));
  EXPECT_THAT(StringField(failed[0], "reason"),
              AllOf(HasSubstr(kSid), HasSubstr("accounts[0]"),
                    HasSubstr("account_directories[0]")));
  EXPECT_TRUE(MintsWith(kSid, kOldSecret));
}

}  // namespace
}  // namespace captoken::serve
