// Tests for account_set.h: a set needs a directory or a label; a label must
// be well formed; an account is in a set when it matches every field the
// set names, and an account listed in the config (no directory) is in none.

#include "service/authz/account_set.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "captoken/v1/config.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace captoken::authz {
namespace {

using ::captoken::testing::StatusIs;
using ::testing::HasSubstr;

v1::AccountSet Set(std::string directory, std::string label) {
  v1::AccountSet set;
  set.set_directory(std::move(directory));
  set.set_label(std::move(label));
  return set;
}

TEST(AccountSet, NeitherDirectoryNorLabelIsRefused) {
  EXPECT_THAT(AccountSet::Compile(Set("", "")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("directory, label or both")));
}

TEST(AccountSet, MalformedLabelIsRefused) {
  for (const std::string& label :
       {std::string("has space"), std::string("new\nline"),
        std::string(129, 'a'), std::string("quote\"")}) {
    EXPECT_THAT(
        AccountSet::Compile(Set("", label)),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("label:")))
        << label;
  }
}

TEST(AccountSet, DirectorySetHoldsEveryAccountOfThatDirectory) {
  ASSERT_OK_AND_ASSIGN(AccountSet set, AccountSet::Compile(Set("tenants", "")));
  EXPECT_TRUE(set.Contains({.directory = "tenants"}));
  EXPECT_FALSE(set.Contains({.directory = "partners"}));
  EXPECT_FALSE(set.Contains({}));
}

TEST(AccountSet, LabelSetHoldsDirectoryAccountsWithTheLabel) {
  ASSERT_OK_AND_ASSIGN(AccountSet set,
                       AccountSet::Compile(Set("", "tier:gold")));
  const std::vector<std::string> gold = {"region=eu", "tier:gold"};
  const std::vector<std::string> silver = {"region=eu", "tier:silver"};
  EXPECT_TRUE(set.Contains({.directory = "a", .labels = gold}));
  EXPECT_TRUE(set.Contains({.directory = "b", .labels = gold}));
  EXPECT_FALSE(set.Contains({.directory = "a", .labels = silver}));
  EXPECT_FALSE(set.Contains({.directory = "a"}));
  // An account listed in the config has no directory and no labels.
  EXPECT_FALSE(set.Contains({.labels = gold}));
}

TEST(AccountSet, BothFieldsMustMatch) {
  ASSERT_OK_AND_ASSIGN(AccountSet set,
                       AccountSet::Compile(Set("tenants", "tier:gold")));
  const std::vector<std::string> gold = {"tier:gold"};
  EXPECT_TRUE(set.Contains({.directory = "tenants", .labels = gold}));
  EXPECT_FALSE(set.Contains({.directory = "tenants"}));
  EXPECT_FALSE(set.Contains({.directory = "partners", .labels = gold}));
}

TEST(AccountDirectoryName, LettersDigitsAndAFewMarks) {
  EXPECT_TRUE(IsAccountDirectoryName("tenants-eu_1.a"));
  EXPECT_FALSE(IsAccountDirectoryName(""));
  EXPECT_FALSE(IsAccountDirectoryName("/var/run"));
  EXPECT_FALSE(IsAccountDirectoryName(std::string(65, 'a')));
  EXPECT_TRUE(IsAccountDirectoryName(std::string(64, 'a')));
}

TEST(AccountLabel, LettersDigitsAndAFewMarks) {
  EXPECT_TRUE(IsAccountLabel("team/voice=blue:1.2_3-4"));
  EXPECT_TRUE(IsAccountLabel(std::string(128, 'z')));
  EXPECT_FALSE(IsAccountLabel(std::string(129, 'z')));
  EXPECT_FALSE(IsAccountLabel(""));
  EXPECT_FALSE(IsAccountLabel("a b"));
}

}  // namespace
}  // namespace captoken::authz
