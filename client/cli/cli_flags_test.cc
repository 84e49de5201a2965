// Tests for cli_flags.h: flag names spelt with dashes reach Abseil with
// underscores, and nothing else on the command line changes.

#include "client/cli/cli_flags.h"

#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace captoken::cli {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Normalize(std::vector<const char*> args) {
  args.insert(args.begin(), "captoken");
  return NormalizeFlagNames(static_cast<int>(args.size()), args.data());
}

TEST(NormalizeFlagNames, DashesInANameBecomeUnderscores) {
  EXPECT_THAT(Normalize({"--auth-token-env=MY-VAR", "--api-key-secret-file",
                         "--tls_ca_file=a-b.pem"}),
              ElementsAre("captoken", "--auth_token_env=MY-VAR",
                          "--api_key_secret_file", "--tls_ca_file=a-b.pem"));
}

TEST(NormalizeFlagNames, LeavesTheProgramWordsShortFlagsAndAfterDashDash) {
  EXPECT_THAT(
      Normalize({"sign", "capability", "-h", "-", "--", "--issued-at=1"}),
      ElementsAre("captoken", "sign", "capability", "-h", "-", "--",
                  "--issued-at=1"));
}

TEST(NormalizeFlagNames, ADashedFlagParsesAsItsFlag) {
  absl::FlagSaver saver;
  std::vector<std::string> normalized =
      Normalize({"--issued-at=1700000000", "--account-sid=AC1", "decode"});
  std::vector<char*> argv;
  for (std::string& arg : normalized) argv.push_back(arg.data());
  const std::vector<char*> positional =
      absl::ParseCommandLine(static_cast<int>(argv.size()), argv.data());
  EXPECT_EQ(absl::GetFlag(FLAGS_issued_at), 1700000000);
  EXPECT_EQ(absl::GetFlag(FLAGS_account_sid), "AC1");
  ASSERT_EQ(positional.size(), 2u);
  EXPECT_STREQ(positional[1], "decode");
}

}  // namespace
}  // namespace captoken::cli
