// Tests for account_directory_scan.h: each account entry is visited with
// the identities of the files it has, API keys sorted by SID; hidden and
// stray entries are skipped; a missing directory fails; the digest moves
// when a file changes and stays put when nothing does.

#include "service/config/account_directory_scan.h"

#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_files.h"

namespace captoken::config {
namespace {

using ::captoken::testing::FreshTestDirectory;
using ::captoken::testing::WriteTestFile;

using ::captoken::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kSid1[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kSid2[] = "ACfedcba9876543210fedcba9876543210";
constexpr char kKeyA[] = "SK00000000000000000000000000000001";
constexpr char kKeyB[] = "SK00000000000000000000000000000002";

TEST(ScanAccountDirectory, VisitsEachAccountWithItsFiles) {
  const std::string root = FreshTestDirectory("scan");
  const std::string one = absl::StrCat(root, "/", kSid1);
  const std::string two = absl::StrCat(root, "/", kSid2);
  ASSERT_EQ(::mkdir(one.c_str(), 0700), 0);
  ASSERT_EQ(::mkdir(two.c_str(), 0700), 0);
  ASSERT_EQ(::mkdir((two + "/api_keys").c_str(), 0700), 0);
  WriteTestFile(one + "/auth_token", "a");
  WriteTestFile(two + "/auth_token", "b");
  WriteTestFile(two + "/labels", "x");
  WriteTestFile(two + "/api_keys/" + kKeyB, "kb");
  WriteTestFile(two + "/api_keys/" + kKeyA, "ka");
  WriteTestFile(two + "/api_keys/not-a-key", "z");
  WriteTestFile(root + "/stray", "z");
  ASSERT_EQ(::mkdir((root + "/..data").c_str(), 0700), 0);

  std::map<std::string, ScannedAccount> seen;
  ASSERT_OK_AND_ASSIGN(ScanCounts counts,
                       ScanAccountDirectory(root, [&](const ScannedAccount& a) {
                         seen[a.account_sid] = a;
                       }));
  EXPECT_EQ(counts.accounts, 2);
  EXPECT_EQ(counts.ignored, 2);  // stray, api_keys/not-a-key
  ASSERT_EQ(seen.size(), 2u);
  const ScannedAccount& first = seen[kSid1];
  EXPECT_EQ(first.path, one);
  EXPECT_TRUE(first.auth_token.has_value());
  EXPECT_FALSE(first.secondary_auth_token.has_value());
  EXPECT_FALSE(first.labels.has_value());
  EXPECT_TRUE(first.api_keys.empty());
  const ScannedAccount& second = seen[kSid2];
  EXPECT_TRUE(second.labels.has_value());
  ASSERT_EQ(second.api_keys.size(), 2u);
  EXPECT_EQ(second.api_keys[0].first, kKeyA);
  EXPECT_EQ(second.api_keys[1].first, kKeyB);
  EXPECT_EQ(second.auth_token->size, 1);
}

TEST(ScanAccountDirectory, MissingDirectoryIsNotFound) {
  EXPECT_THAT(ScanAccountDirectory("/nonexistent/captoken/accounts",
                                   [](const ScannedAccount&) {}),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("/nonexistent/captoken/accounts")));
}

TEST(ScanAccountDirectory, AFileIsNotADirectory) {
  const std::string root = FreshTestDirectory("scan");
  WriteTestFile(root + "/file", "x");
  EXPECT_THAT(
      ScanAccountDirectory(root + "/file", [](const ScannedAccount&) {}),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr("not a directory")));
}

TEST(DigestAccountDirectory, MovesOnlyWhenSomethingChanges) {
  const std::string root = FreshTestDirectory("scan");
  const std::string one = absl::StrCat(root, "/", kSid1);
  ASSERT_EQ(::mkdir(one.c_str(), 0700), 0);
  WriteTestFile(one + "/auth_token", "a");
  const uint64_t first = DigestAccountDirectory(root);
  EXPECT_NE(first, 0u);
  EXPECT_EQ(DigestAccountDirectory(root), first);
  WriteTestFile(one + "/auth_token", "bb");
  const uint64_t second = DigestAccountDirectory(root);
  EXPECT_NE(second, first);
  const std::string two = absl::StrCat(root, "/", kSid2);
  ASSERT_EQ(::mkdir(two.c_str(), 0700), 0);
  EXPECT_NE(DigestAccountDirectory(root), second);
  EXPECT_EQ(DigestAccountDirectory(root + "/missing"), 0u);
}

}  // namespace
}  // namespace captoken::config
