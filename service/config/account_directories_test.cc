// Tests for account_directories.h: directories are kept from one refresh to
// the next (nothing re-read), a directory the config renames is read again
// in full, each refresh is reported, and a failing directory names its
// place in the config.

#include "service/config/account_directories.h"

#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_files.h"

namespace captoken::config {
namespace {

using ::captoken::testing::FreshTestDirectory;
using ::captoken::testing::MakeTestDirectory;
using ::captoken::testing::WriteTestFile;

using ::captoken::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kSid1[] = "AC0123456789abcdef0123456789abcdef";

std::string DirectoryWithOneAccount() {
  const std::string root = FreshTestDirectory("directories");
  const std::string account = absl::StrCat(root, "/", kSid1);
  MakeTestDirectory(account);
  WriteTestFile(account + "/auth_token", "secret");
  return root;
}

TEST(AccountDirectories, KeepsEachDirectoryFromOneRefreshToTheNext) {
  const std::string root = DirectoryWithOneAccount();
  AccountDirectories directories;
  std::vector<int64_t> files_read;
  auto record = [&](const AccountDirectorySettings&,
                    const AccountDirectory::Refreshed& refreshed) {
    files_read.push_back(refreshed.files_read);
  };
  ASSERT_OK_AND_ASSIGN(auto held, directories.Refresh({{root, "t"}}, record));
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].source, absl::StrCat("account_directories[0] ", root));
  EXPECT_EQ(held[0].accounts->size(), 1u);
  ASSERT_OK_AND_ASSIGN(held, directories.Refresh({{root, "t"}}, record));
  // Renamed: a new directory to the server, read in full.
  ASSERT_OK_AND_ASSIGN(held, directories.Refresh({{root, "u"}}, record));
  EXPECT_EQ(files_read, (std::vector<int64_t>{1, 0, 1}));
  EXPECT_EQ(*held[0].accounts->Find(kSid1)->directory, "u");
}

TEST(AccountDirectories, AFailingDirectoryNamesItsPlace) {
  const std::string root = DirectoryWithOneAccount();
  AccountDirectories directories;
  auto ignore = [](const AccountDirectorySettings&,
                   const AccountDirectory::Refreshed&) {};
  EXPECT_THAT(
      directories.Refresh({{root, "t"}, {root + "/missing", "m"}}, ignore),
      StatusIs(absl::StatusCode::kNotFound,
               HasSubstr("account_directories[1]: account directory")));
}

}  // namespace
}  // namespace captoken::config
