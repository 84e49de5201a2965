// Tests for account_changes.h: a changed account is served after its
// changes are applied, reading its files only, with the caller policies
// and the other accounts shared; a changed label changes what an account
// set allows; a removed account stops minting; a changed SID that is also
// listed in the config fails, publishing nothing.

#include "service/serve/account_changes.h"

#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "captoken/v1/capability.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/authz/caller_identity.h"
#include "service/config/account_directories.h"
#include "service/mint/token_minter.h"
#include "service/observe/metrics.h"
#include "service/serve/loaded_config.h"
#include "service/token/capability_verifier.h"
#include "tests/testing/json_lines.h"
#include "tests/testing/log_file.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_keys.h"

namespace captoken::serve {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::LogFile;
using ::captoken::testing::StringField;
using ::captoken::testing::TestKey;
using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr char kSid1[] = "AC11111111111111111111111111111111";
constexpr char kSid2[] = "AC22222222222222222222222222222222";
constexpr char kListed[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kGold[] = "spiffe://example.org/gold";

class AccountChangesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::mkdir(root_.c_str(), 0700), 0);
    for (const char* sid : {kSid1, kSid2}) {
      ASSERT_EQ(::mkdir(Account(sid).c_str(), 0700), 0);
      Write(Account(sid) + "/auth_token", absl::StrCat("secret-", sid));
    }
    Write(Account(kSid1) + "/labels", "tier:gold\n");
    ASSERT_THAT(testing::WriteFile(listed_secret_, "listed-secret"), IsOk());
    ASSERT_THAT(
        testing::WriteFile(
            config_path_,
            absl::StrCat("transport { mesh_sidecar { "
                         "trust_forwarded_client_cert: true } }\n"
                         "accounts { account_sid: \"",
                         kListed, "\" auth_token { file: \"", listed_secret_,
                         "\" } }\n"
                         "account_directories { path: \"",
                         root_,
                         "\" name: \"tenants\" }\n"
                         "callers { identity: \"",
                         kGold,
                         "\" account_sets { label: \"tier:gold\" }"
                         " scope_kinds: SCOPE_KIND_CLIENT_INCOMING }\n")),
        IsOk());
    absl::StatusOr<LoadedConfig> loaded =
        LoadConfig(config_path_, "", &directories_);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    minter_ = std::make_unique<mint::TokenMinter>(mint::TokenMinter::Options(),
                                                  std::move(loaded->state));
  }

  std::string Account(absl::string_view sid) const {
    return absl::StrCat(root_, "/", sid);
  }

  static void Write(const std::string& path, const std::string& content) {
    ASSERT_THAT(testing::WriteFile(path + ".new", content), IsOk());
    ASSERT_EQ(::rename((path + ".new").c_str(), path.c_str()), 0);
  }

  bool Apply(std::vector<std::string> sids) {
    return ApplyAccountChanges(
        {minter_.get(), &directories_, nullptr, &metrics_, log_.logger()},
        {{root_, std::move(sids)}});
  }

  // Whether the gold caller gets a token for `sid` that verifies with
  // `secret`.
  bool MintsWith(absl::string_view sid, absl::string_view secret) {
    v1::CapabilityRequest request;
    request.set_account_sid(std::string(sid));
    request.add_scopes()->mutable_client_incoming()->set_client_name("alice");
    mint::AuditRecord audit;
    authz::CallerIdentity caller;
    caller.identity = kGold;
    absl::StatusOr<v1::TokenResponse> minted =
        minter_->MintCapabilityToken(request, caller, &audit);
    if (!minted.ok()) return false;
    token::CapabilityVerifier::Options options;
    options.expected_account_sid = std::string(sid);
    absl::StatusOr<token::CapabilityVerifier> verifier =
        token::CapabilityVerifier::Create(options);
    return verifier.ok() &&
           verifier->Verify(minted->token(), TestKey(secret)).ok();
  }

  const std::string root_ = testing::TempPath("accounts");
  const std::string listed_secret_ = testing::TempPath("listed-secret");
  const std::string config_path_ = testing::TempPath("captoken.textproto");
  config::AccountDirectories directories_;
  LogFile log_;
  observe::ServerMetrics metrics_;
  std::unique_ptr<mint::TokenMinter> minter_;
};

TEST_F(AccountChangesTest, AChangedAccountIsServedAndTheRestShared) {
  ASSERT_TRUE(MintsWith(kSid1, absl::StrCat("secret-", kSid1)));
  const auto before = minter_->state();
  Write(Account(kSid1) + "/auth_token", "rotated");
  ASSERT_TRUE(Apply({kSid1}));
  EXPECT_TRUE(MintsWith(kSid1, "rotated"));
  const auto after = minter_->state();
  EXPECT_NE(after, before);
  EXPECT_EQ(after->callers, before->callers);
  EXPECT_EQ(after->accounts->Find(kListed), before->accounts->Find(kListed));
  EXPECT_EQ(after->accounts->Find(kSid2), before->accounts->Find(kSid2));
  // The old state still holds the old secret for calls in flight.
  EXPECT_NE(after->accounts->Find(kSid1), before->accounts->Find(kSid1));

  const std::vector<token::JsonValue> refreshed =
      log_.Events("account_directory_refreshed");
  ASSERT_THAT(refreshed, SizeIs(1));
  EXPECT_EQ(StringField(refreshed[0], "scan"), "notified");
  EXPECT_EQ(refreshed[0].Find("files_read")->AsInt64(), 2);  // With labels.
  EXPECT_EQ(refreshed[0].Find("looked_at")->AsInt64(), 1);
  const std::vector<token::JsonValue> applied =
      log_.Events("account_changes_applied");
  ASSERT_THAT(applied, SizeIs(1));
  EXPECT_EQ(applied[0].Find("accounts")->AsInt64(), 3);
  EXPECT_EQ(applied[0].Find("files_read")->AsInt64(), 2);
  EXPECT_THAT(log_.Text(), ::testing::Not(HasSubstr("rotated")));
}

TEST_F(AccountChangesTest, AChangedLabelChangesWhatTheAccountSetAllows) {
  const std::string secret2 = absl::StrCat("secret-", kSid2);
  EXPECT_FALSE(MintsWith(kSid2, secret2));
  Write(Account(kSid2) + "/labels", "tier:gold\n");
  ASSERT_TRUE(Apply({kSid2}));
  EXPECT_TRUE(MintsWith(kSid2, secret2));
  ASSERT_EQ(::unlink((Account(kSid1) + "/labels").c_str()), 0);
  ASSERT_TRUE(Apply({kSid1}));
  EXPECT_FALSE(MintsWith(kSid1, absl::StrCat("secret-", kSid1)));
}

TEST_F(AccountChangesTest, ARemovedAccountStopsMinting) {
  ASSERT_EQ(::rename(Account(kSid1).c_str(), (root_ + "-gone").c_str()), 0);
  ASSERT_TRUE(Apply({kSid1}));
  EXPECT_FALSE(MintsWith(kSid1, absl::StrCat("secret-", kSid1)));
  EXPECT_EQ(minter_->state()->accounts->size(), 2u);
}

TEST_F(AccountChangesTest, AnAccountAlsoListedFailsAndPublishesNothing) {
  const auto before = minter_->state();
  ASSERT_EQ(::mkdir(Account(kListed).c_str(), 0700), 0);
  Write(Account(kListed) + "/auth_token", "duplicate");
  EXPECT_FALSE(Apply({kListed}));
  EXPECT_EQ(minter_->state(), before);
  const std::vector<token::JsonValue> failed = log_.Events("reload_failed");
  ASSERT_THAT(failed, SizeIs(1));
  EXPECT_THAT(StringField(failed[0], "reason"),
              HasSubstr(absl::StrCat(kListed,
                                     " is configured more than once: in "
                                     "accounts[0] and in "
                                     "account_directories[0] ",
                                     root_)));
}

TEST_F(AccountChangesTest, AnUnchangedAccountPublishesNothing) {
  const auto before = minter_->state();
  ASSERT_TRUE(Apply({kSid2}));
  EXPECT_EQ(minter_->state(), before);
  EXPECT_THAT(log_.Events("account_changes_applied"), SizeIs(0));
}

}  // namespace
}  // namespace captoken::serve
